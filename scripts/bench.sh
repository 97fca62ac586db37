# The benchmarks (./kaart bench …), sourced by ./kaart (its helpers: say, die, pg_start, ensure_database, app, …).
# Each is BenchmarkDotNet (tests/Alkmaar.Kaart.Benchmarks) against a baseline measured in the same run, on what
# ./kaart run loads, with the real server as a separate process on loopback. docs/benchmarks.md lists what each measures.

cmd_bench() {
  local what="${1:-routing}" filters=()
  case "$what" in
    routing) filters=('*RoutingBenchmarks*' '*RouteBatchHttpBenchmarks*') ;;
    ogc) filters=('*OgcBenchmarks*' '*OgcPageBenchmarks*' '*OgcExportBenchmarks*') ;;
    hotspots) filters=('*HotspotBenchmarks*') ;;
    draw) filters=('*DrawBenchmarks*') ;;
    lijst) filters=('*WorkspaceListBenchmarks*') ;;
    indeling) filters=('*PlanEditBenchmarks*') ;;
    afhandeling) filters=('*HandlingBenchmarks*') ;;
    gebiedsanalyse) filters=('*GebiedsanalyseBenchmarks*') ;;
    load) . "$ROOT/scripts/bench-load.sh"; cmd_bench_load; return ;;
    circuits) . "$ROOT/scripts/bench-circuits.sh"; cmd_bench_circuits; return ;;
    fresh) . "$ROOT/scripts/bench-fresh.sh"; cmd_bench_fresh; return ;;
    zoeken) . "$ROOT/scripts/bench-zoeken.sh"; cmd_bench_zoeken; return ;;
    locate) . "$ROOT/scripts/bench-locate.sh"; cmd_bench_locate; return ;;
    all) filters=('*') ;;
    *) die "gebruik: ./kaart bench routing|ogc|hotspots|draw|lijst|indeling|afhandeling|gebiedsanalyse|load|circuits|fresh|zoeken|locate|all" ;;
  esac
  ensure_dotnet
  # the plan editor is measured on what ./kaart run loads (addresses, inwoners) and a million meldingen: its own database
  local db=kaart_bench; [ "$what" = indeling ] || [ "$what" = afhandeling ] || [ "$what" = gebiedsanalyse ] && db=kaart_bench_indeling
  pg_start; ensure_database "$db"; publish_app
  export KAART_BENCH_PG="$KAART_CONNECTION" KAART_SHARED_DATA="$SHARED_DATA" KAART_CHROMIUM="${KAART_CHROMIUM:-/usr/bin/chromium}"
  # The real server, a separate process on loopback, for the end-to-end batch benchmark.
  app import boundaries --if-empty >/dev/null || die "het laden van de grenzen is mislukt"
  app import municipalities --if-empty >/dev/null || die "het laden van de gemeenten is mislukt"
  if [ "$what" = draw ] || [ "$what" = ogc ] || [ "$what" = lijst ] || [ "$what" = all ]; then
    # exactly 100,000 DEMO meldingen for the browser draw and the large export benchmarks
    app import meldingen --demo --count 100000 >/dev/null || die "het maken van de benchmarkmeldingen is mislukt"
  fi
  if [ "$what" = indeling ] || [ "$what" = afhandeling ] || [ "$what" = gebiedsanalyse ]; then
    # what ./kaart run loads (addresses, inwoners, PC4), then a million meldingen
    app seed >/dev/null || die "het laden van de gegevens is mislukt"
    if [ "$(pg_psql "$db" -tAc "SELECT count(*) FROM melding")" != "1000000" ]; then
      say "1.000.000 DEMO-meldingen maken (enkele minuten)"
      app import meldingen --demo --count 1000000 >/dev/null || die "het maken van de benchmarkmeldingen is mislukt"
    fi
    export KAART_BENCH_PASSWORD; KAART_BENCH_PASSWORD="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    pg_psql "$db" -c "DELETE FROM app_user WHERE user_name = 'bench-planner'" >/dev/null 2>&1 || true
    echo "$KAART_BENCH_PASSWORD" | app user add bench-planner --role planner --password-stdin >/dev/null || die "bench-planner aanmaken is mislukt"
  fi
  if [ "$what" = lijst ] || [ "$what" = afhandeling ] || [ "$what" = all ]; then
    # staff accounts for the workspace list benchmark (a team member of Noord and a beheerder), with a generated password
    export KAART_BENCH_PASSWORD; KAART_BENCH_PASSWORD="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    pg_psql "$db" -c "DELETE FROM app_user WHERE user_name IN ('bench-oost', 'bench-beheer')" >/dev/null 2>&1 || true
    echo "$KAART_BENCH_PASSWORD" | app user add bench-oost --role gebiedsteam --gebied GB0361-oost --password-stdin >/dev/null || die "bench-oost aanmaken is mislukt"
    echo "$KAART_BENCH_PASSWORD" | app user add bench-beheer --role beheerder --password-stdin >/dev/null || die "bench-beheer aanmaken is mislukt"
  fi
  bench_server_start bench-server
  export KAART_BENCH_URL="$BENCH_URL"
  say "benchmark $what (enkele minuten; machine: $(nproc) kernen, $(free -g | awk '/Mem:/ {print $2}') GiB)"
  mkdir -p "$STATE/bench"
  (cd "$STATE/bench" && dotnet run -c Release --project "$ROOT/tests/Alkmaar.Kaart.Benchmarks" -- \
      --filter "${filters[@]}" --artifacts "$STATE/bench")
  say "resultaten: $STATE/bench/results/*-report-github.md"
}

bench_server_start() { # $1 = log name: the real server on a free loopback port with the public rate limits lifted (extra
  # settings as environment prefixes of the call); sets BENCH_URL, BENCH_PORT, BENCH_SERVER and a trap that stops it
  BENCH_PORT=5190; while port_busy "$BENCH_PORT"; do BENCH_PORT=$((BENCH_PORT + 1)); done
  BENCH_URL="http://127.0.0.1:$BENCH_PORT"
  RateLimits__PublicReadsPerMinute=10000000 RateLimits__PublicPagesPerMinute=10000000 Meldingen__RetentionJob=false \
    Logging__LogLevel__Default=Warning app --urls "$BENCH_URL" >"$STATE/$1.log" 2>&1 &
  BENCH_SERVER=$!
  trap 'stop_job "$BENCH_SERVER"' EXIT
  for _ in $(seq 1 90); do port_busy "$BENCH_PORT" && break; sleep 1; done
  port_busy "$BENCH_PORT" || die "de benchmarkserver startte niet (zie $STATE/$1.log)"
}
