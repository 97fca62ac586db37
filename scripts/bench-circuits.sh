# Circuits per server (issue 32), sourced by ./kaart (its helpers: say, die, pg_psql, app, …).
#
# One server process with the shipped configuration (what ./kaart run loads) on loopback, its metrics on an internal port;
# the load client (tests/Alkmaar.Kaart.Benchmarks, mode "circuits") opens residents' circuits on /gebied/GB0361-centrum up to
# each level (KAART_BENCH_CIRCUITS, default 500,2000,5000), keeps them open, and measures memory and interaction latency
# against a baseline with few circuits open, in the same run. Results: .kaart/bench/circuits-report.md.

cmd_bench_circuits() {
  local levels="${KAART_BENCH_CIRCUITS:-500,2000,5000}" db=kaart_bench_circuits
  ensure_dotnet
  pg_start; ensure_database "$db"; publish_app
  say "de gegevens van ./kaart run laden in $db"
  app seed >/dev/null || die "het laden van de gegevens is mislukt"
  mkdir -p "$STATE/bench"
  # every circuit holds a socket in the server and one in the client
  ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  local mport=9490; while port_busy "$mport"; do mport=$((mport + 1)); done
  Metrics__Port="$mport" bench_server_start bench-circuits-server
  local url="$BENCH_URL" pid; pid="$(pgrep -P "$BENCH_SERVER" -f Alkmaar.Kaart.Server.dll | head -1)"
  [ -n "$pid" ] || die "het serverproces is niet gevonden"
  curl -sf -o /dev/null "$url/mijn-gebiedsteam" || die "GET /mijn-gebiedsteam mislukt"
  say "circuits openen tot $levels (enkele minuten; machine: $(nproc) kernen, $(free -g | awk '/Mem:/ {print $2}') GiB)"
  KAART_BENCH_PG="$KAART_CONNECTION" dotnet run -c Release --project "$ROOT/tests/Alkmaar.Kaart.Benchmarks" -- circuits \
    --url "$url" --server-pid "$pid" --metrics "http://127.0.0.1:$mport/metrics" --levels "$levels" \
    --report "$STATE/bench/circuits-report.md" || die "de circuitbenchmark is mislukt (zie $STATE/bench-circuits-server.log)"
  stop_job "$BENCH_SERVER"; trap - EXIT
  say "resultaten: $STATE/bench/circuits-report.md"
}
