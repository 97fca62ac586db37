# Search by name (issue 34), sourced by ./kaart (its helpers: say, die, pg_psql, app, …).
#
# The shipped configuration (what ./kaart run loads: ~56,000 DEMO addresses, or the BAG when loaded) in its own database;
# the real server on loopback; wrk (1 connection, --latency) on GET /api/zoeken for typical questions — a street with a
# typing error and a number, a postcode with a number, a local name with a typing error, a wijk name — against pgbench
# running the same trigram query on the index in SQL (the baseline), in the same run. Results: .kaart/bench/zoeken-report.md.

cmd_bench_zoeken() {
  local db=kaart_bench_zoeken secs="${KAART_BENCH_SECONDS:-10}"
  command -v wrk >/dev/null || apt_install wrk
  ensure_dotnet
  pg_start; ensure_database "$db"; publish_app
  say "de gegevens van ./kaart run laden in $db"
  app seed >/dev/null || die "het laden van de gegevens is mislukt"
  # the goal is stated at 60,000 addresses: the shipped set (~56,000) is topped up with copies of its own addresses
  # (toevoeging X, DEMO), so the index holds at least that many; the search index is rebuilt when the server starts
  local shipped; shipped="$(pg_psql "$db" -tAc "SELECT count(*) FROM address WHERE bag_id NOT LIKE 'EXTRA-%'")"
  pg_psql "$db" -qc "INSERT INTO address (bag_id, postcode, huisnummer, toevoeging, straat, woonplaats, geom, demo)
    SELECT 'EXTRA-' || bag_id, postcode, huisnummer, 'X', straat, woonplaats, geom, true FROM address WHERE toevoeging = ''
    ORDER BY bag_id LIMIT greatest(0, 60000 - $shipped) ON CONFLICT DO NOTHING" >/dev/null
  pg_psql "$db" -qc "VACUUM ANALYZE address" >/dev/null
  local addresses; addresses="$(pg_psql "$db" -tAc "SELECT count(*) FROM address")"
  local street pc nr
  read -r street pc nr < <(pg_psql "$db" -tAc "SELECT replace(lower(straat), ' ', '+'), postcode, huisnummer FROM address WHERE toevoeging = '' ORDER BY bag_id LIMIT 1" | tr '|' ' ')
  bench_server_start bench-zoeken-server
  local url="$BENCH_URL"
  mkdir -p "$STATE/bench/sql"
  local report="$STATE/bench/zoeken-report.md"
  {
    echo "# Search by name ($(date -u +%Y-%m-%d), $(nproc) cores; $addresses addresses — the $shipped shipped, topped up with copies; wrk -t1 -c1 --latency ${secs} s each)"
    echo
    echo "Ours: \`GET /api/zoeken?q=…\` on the real server (the answer's areas and team included). Baseline: pgbench -c1 running the"
    echo "same SQL our answer runs — the trigram query on \`zoekterm\`, or for an address the nearest streets and the address join —"
    echo "without the areas and team, in a transaction with the index forced as ours; same database, same run."
    echo
    echo "| question | ours p50 | ours p99 | ours req/s | SQL tps | ratio (SQL / ours) |"
    echo "|---|---:|---:|---:|---:|---:|"
  } > "$report"
  local q
  for q in "${street/straat/strat}+$nr" "${pc}+$nr" "nieuw+overdei" "huiswaard" "alkmar"; do
    curl -sf -o /dev/null "$url/api/zoeken?q=$q" || die "GET /api/zoeken?q=$q mislukt"
    wrk -t1 -c1 -d2s "$url/api/zoeken?q=$q" >/dev/null 2>&1 # warm
    local out p50 p99 rps norm tps
    out="$(wrk -t1 -c1 -d${secs}s --latency "$url/api/zoeken?q=$q" 2>/dev/null)"
    p50="$(awk '/^ +50%/ {print $2}' <<<"$out")"; p99="$(awk '/^ +99%/ {print $2}' <<<"$out")"; rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
    norm="$(tr '+' ' ' <<<"$q")"; norm="${norm,,}"
    # the baseline is the SQL our answer runs: an address (a street or postcode, then a number) or the names
    local head="${norm% *}" last="${norm##* }"
    if [[ "$last" =~ ^[0-9]+$ && "$head" =~ ^[0-9]{4}[A-Za-z]{2}$ ]]; then
      printf "SELECT postcode, huisnummer, toevoeging, straat, woonplaats FROM address WHERE postcode = upper('%s') AND huisnummer = %s ORDER BY toevoeging LIMIT 3;\n" "$head" "$last" > "$STATE/bench/sql/zoeken.sql"
    elif [[ "$last" =~ ^[0-9]+$ ]]; then
      cat > "$STATE/bench/sql/zoeken.sql" <<SQL
BEGIN;
SET LOCAL enable_seqscan = off;
SELECT a.postcode, a.huisnummer, a.toevoeging, a.straat FROM (SELECT label, norm FROM zoekterm WHERE kind = 'straat' ORDER BY norm <-> '$head' LIMIT 3) s
JOIN address a ON lower(a.straat) = lower(s.label) AND a.huisnummer = $last WHERE similarity(s.norm, '$head') >= 0.3
ORDER BY s.norm = '$head' DESC, similarity(s.norm, '$head') DESC LIMIT 3;
COMMIT;
SQL
    else
      cat > "$STATE/bench/sql/zoeken.sql" <<SQL
BEGIN;
SET LOCAL enable_seqscan = off;
SELECT kind, label, sub, x, y FROM zoekterm WHERE norm % '$norm' OR '$norm' <% norm OR norm LIKE '$norm%'
ORDER BY norm = '$norm' DESC, norm LIKE '$norm%' DESC, greatest(similarity(norm, '$norm'), word_similarity('$norm', norm)) DESC, similarity(norm, '$norm') DESC LIMIT 8;
COMMIT;
SQL
    fi
    tps="$(PGPASSWORD="$(pg_password)" "$PGBIN/pgbench" -n -h 127.0.0.1 -p "$PGPORT" -U "$PGUSER_NAME" -c 1 -T "$secs" -f "$STATE/bench/sql/zoeken.sql" "$db" 2>/dev/null | awk '/^tps/ {print $3; exit}')"
    echo "| \`$norm\` | $p50 | $p99 | $rps | $tps | $(awk -v a="$tps" -v b="$rps" 'BEGIN {printf "%.1f", a/b}') |" >> "$report"
  done
  stop_job "$BENCH_SERVER"; trap - EXIT
  echo >> "$report"
  echo "Goal (issue 34): ≤ 30 ms p95 over HTTP at 60,000 addresses (p99 shown: stricter)." >> "$report"
  cat "$report"
}
