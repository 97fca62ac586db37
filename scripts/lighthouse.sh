# Lighthouse on the resident pages (issue 17), sourced by ./kaart (its helpers: say, die, app, publish_app, …).
#
# The published server (as ./kaart run serves it, Production) on loopback with the shipped configuration (the
# municipality's full-resolution boundaries), Lighthouse from npm (tools/lighthouse, its lock file) with Debian's
# Chromium, mobile form factor with Lighthouse's default (simulated) throttling. Each page RUNS times; the median run
# (by performance score) is reported. Results: docs/benchmarks/lighthouse.md (and the JSON in .kaart/lighthouse/).

lighthouse_run() { # $1 = URL, $2 = JSON out
  "$ROOT/tools/lighthouse/node_modules/.bin/lighthouse" "$1" --quiet --output=json --output-path="$2" \
    --only-categories=performance,accessibility --chrome-path="${KAART_CHROMIUM:-/usr/bin/chromium}" \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" >"${2%.json}.log" 2>&1
}

cmd_lighthouse() {
  local runs="${KAART_LIGHTHOUSE_RUNS:-3}"
  ensure_dotnet; ensure_node; ensure_chromium
  pg_start; ensure_database kaart_bench; publish_app
  app import boundaries --if-empty >/dev/null || die "het laden van de grenzen is mislukt"
  app import municipalities --if-empty >/dev/null || die "het laden van de gemeenten is mislukt"
  (cd "$ROOT/tools/lighthouse" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die "lighthouse installeren (npm) is mislukt"
  local port=5290; while port_busy "$port"; do port=$((port + 1)); done
  local url="http://127.0.0.1:$port"
  Logging__LogLevel__Default=Warning app --urls "$url" >"$STATE/lighthouse-server.log" 2>&1 &
  LH_SERVER=$!
  trap 'stop_job "$LH_SERVER"' EXIT
  for _ in $(seq 1 60); do port_busy "$port" && break; sleep 1; done
  port_busy "$port" || die "de server startte niet (zie $STATE/lighthouse-server.log)"
  local out="$STATE/lighthouse"; rm -rf "$out"; mkdir -p "$out"
  say "Lighthouse (mobiel, standaard vertraging) op /, /mijn-gebiedsteam, /melding: elk $runs keer"
  for page in / /mijn-gebiedsteam /melding; do
    local name; name="$(echo "$page" | tr -d / )"; name="${name:-home}"
    for i in $(seq 1 "$runs"); do
      curl -s -o /dev/null "$url$page" # warm the server, as a second visitor finds it
      # a second try when Chromium could not be started or reached (a busy machine), then give up
      lighthouse_run "$url$page" "$out/$name-$i.json" || lighthouse_run "$url$page" "$out/$name-$i.json" \
        || die "lighthouse mislukt op $page (zie $out/$name-$i.log)"
    done
  done
  stop_job "$LH_SERVER"
  node "$ROOT/tools/lighthouse/report.mjs" "$out" "$ROOT/docs/benchmarks/lighthouse.md" "$(nproc)" || die "het verslag is mislukt"
  say "verslag: docs/benchmarks/lighthouse.md"
}
