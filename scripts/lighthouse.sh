# Lighthouse on the resident pages (issues 17 and 35), sourced by ./kaart (its helpers: say, die, app, publish_app, …).
#
# The published server (as ./kaart run serves it, Production) on loopback with the shipped configuration (the
# everything ./kaart run loads), Lighthouse from npm (tools/lighthouse, its lock file) with Debian's
# Chromium, mobile form factor with Lighthouse's default (simulated) throttling. Each page RUNS (5) times; the median run
# (by performance score) is reported. Results: docs/benchmarks/lighthouse.md (and the JSON in .kaart/lighthouse/).

lighthouse_run() { # $1 = URL, $2 = JSON out
  "$ROOT/tools/lighthouse/node_modules/.bin/lighthouse" "$1" --quiet --output=json --output-path="$2" \
    --only-categories=performance,accessibility --chrome-path="${KAART_CHROMIUM:-/usr/bin/chromium}" \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" >"${2%.json}.log" 2>&1
}

cmd_lighthouse() {
  local runs="${KAART_LIGHTHOUSE_RUNS:-5}" # five: one run of a page can catch Chromium's own unattributed work on a busy 2-core machine
  ensure_dotnet; ensure_node; ensure_chromium
  pg_start; ensure_database kaart_lighthouse; publish_app
  # what a resident gets: everything ./kaart run loads (boundaries, addresses, a year of meldingen, monitor scores,
  # initiatives, CBS figures), not a database holding only boundaries
  app seed >/dev/null || die "het laden van de gegevens is mislukt"
  (cd "$ROOT/tools/lighthouse" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die "lighthouse installeren (npm) is mislukt"
  local port=5290; while port_busy "$port"; do port=$((port + 1)); done
  local url="http://127.0.0.1:$port"
  RateLimits__PublicReadsPerMinute=10000000 RateLimits__PublicPagesPerMinute=10000000 \
    Logging__LogLevel__Default=Warning app --urls "$url" >"$STATE/lighthouse-server.log" 2>&1 &
  LH_SERVER=$!
  trap 'stop_job "$LH_SERVER"' EXIT
  for _ in $(seq 1 60); do port_busy "$port" && break; sleep 1; done
  port_busy "$port" || die "de server startte niet (zie $STATE/lighthouse-server.log)"
  local out="$STATE/lighthouse"; rm -rf "$out"; mkdir -p "$out"
  # every resident page (issue 35); a campaign page when the data holds a campaign
  local pages=(/ /mijn-gebiedsteam /melding /wijkaanzet /initiatieven /initiatief-aanvragen /gebied/GB0361-centrum)
  # the shipped data holds no Wij(k) aan zet campaign: one DEMO campaign of the Centrum, open for verbeterpunten, to measure its page
  pg_psql kaart_lighthouse -qc "INSERT INTO campagne (area_code, area_level, title, indienen_from, indienen_to, stemmen_from, stemmen_to, uitslag_on, created_by)
    SELECT 'WK036108', 'wijk', 'DEMO Wij(k) aan zet Centrum (meting)', current_date - 7, current_date + 14, current_date + 15, current_date + 30,
      current_date + 31, 'lighthouse' WHERE NOT EXISTS (SELECT 1 FROM campagne)" >/dev/null 2>&1 || true
  local campagne; campagne="$(pg_psql kaart_lighthouse -tAc "SELECT id FROM campagne ORDER BY id DESC LIMIT 1" 2>/dev/null)"
  [ -n "$campagne" ] && pages+=("/wijkaanzet/$campagne")
  say "Lighthouse (mobiel, standaard vertraging) op ${pages[*]}: elk $runs keer"
  for page in "${pages[@]}"; do
    local name; name="$(echo "${page#/}" | tr / _)"; name="${name:-home}"
    for i in $(seq 1 "$runs"); do
      curl -s -o /dev/null "$url$page" # warm the server, as a second visitor finds it
      # a second try when Chromium could not be started or reached (a busy machine), then give up
      lighthouse_run "$url$page" "$out/$name-$i.json" || lighthouse_run "$url$page" "$out/$name-$i.json" \
        || die "lighthouse mislukt op $page (zie $out/$name-$i.log)"
    done
  done
  stop_job "$LH_SERVER"
  # the report fails (exit 1) when a page misses a goal: ./kaart lighthouse then fails too
  node "$ROOT/tools/lighthouse/report.mjs" "$out" "$ROOT/docs/benchmarks/lighthouse.md" "$(nproc)" \
    || die "een of meer pagina's halen hun doel niet (docs/benchmarks/lighthouse.md)"
  say "verslag: docs/benchmarks/lighthouse.md"
}
