# The first minute after a bulk import (issue 35), sourced by ./kaart (its helpers: say, die, pg_psql, app, …).
#
# A fresh database with the shipped boundaries; a million DEMO meldingen imported (timed; the import ends with
# VACUUM ANALYZE of what it filled); the server started at once and the OGC page of 1,000 cells measured with wrk within
# the first minute (three runs of 10 s). Baseline in the same run: the same page after an explicit VACUUM ANALYZE, as
# before this change one had to do by hand. Results: .kaart/bench/fresh-report.md.

cmd_bench_fresh() {
  local n="${KAART_BENCH_FRESH_COUNT:-1000000}" db=kaart_bench_fresh secs=10
  command -v wrk >/dev/null || apt_install wrk
  ensure_dotnet
  pg_start; publish_app
  mkdir -p "$STATE/bench"
  pg_psql postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null
  ensure_database "$db"
  app import boundaries --if-empty >/dev/null || die "het laden van de grenzen is mislukt"
  app import municipalities --if-empty >/dev/null || die "het laden van de gemeenten is mislukt"
  say "$n DEMO-meldingen importeren in een verse database"
  local t0=$SECONDS
  app import meldingen --demo --count "$n" >/dev/null || die "het maken van de benchmarkmeldingen is mislukt"
  local took=$((SECONDS - t0))
  bench_server_start bench-fresh-server
  local page="$BENCH_URL/ogc/collections/meldingen/items?limit=1000"
  curl -sf -o /dev/null "$page" || die "GET $page mislukt"
  local fresh=() after=() r
  local t1=$SECONDS
  for r in 1 2 3; do fresh+=("$(wrk -t2 -c8 -d${secs}s "$page" 2>/dev/null | awk '/Requests\/sec/ {print $2}')"); done
  local within=$((SECONDS - t1))
  pg_psql "$db" -c "VACUUM ANALYZE" >/dev/null
  for r in 1 2 3; do after+=("$(wrk -t2 -c8 -d${secs}s "$page" 2>/dev/null | awk '/Requests\/sec/ {print $2}')"); done
  stop_job "$BENCH_SERVER"; trap - EXIT
  local f a
  f=$(printf '%s\n' "${fresh[@]}" | sort -g | awk '{a[NR]=$1} END {print a[2]}')
  a=$(printf '%s\n' "${after[@]}" | sort -g | awk '{a[NR]=$1} END {print a[2]}')
  {
    echo "# The first minute after an import ($(date -u +%Y-%m-%d), $(nproc) cores; median of 3 × ${secs} s, wrk -t2 -c8)"
    echo
    echo "A fresh database, the shipped boundaries, \`./kaart import meldingen --demo --count $n\` (${took} s, ending with VACUUM ANALYZE"
    echo "of the tables it filled), the server started at once, and \`GET /ogc/collections/meldingen/items?limit=1000\` measured"
    echo "in the first ${within} s after the import. Baseline: the same page after an explicit \`VACUUM ANALYZE\` of the whole database."
    echo
    echo "| measure | req/s | ratio |"
    echo "|---|---:|---:|"
    echo "| first minute after the import | $f | $(awk -v f="$f" -v a="$a" 'BEGIN {printf "%.2f", f/a}') |"
    echo "| after an explicit VACUUM ANALYZE (baseline) | $a | 1.00 |"
    echo
    echo "Goal (issue 35): ≥ 300 req/s in the first minute. Runs: first minute ${fresh[*]}; after VACUUM ANALYZE ${after[*]}."
  } > "$STATE/bench/fresh-report.md"
  cat "$STATE/bench/fresh-report.md"
  pg_psql postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null || true
}
