# One point at a time (issue 35), sourced by ./kaart (its helpers: say, die, pg_psql, app, bench_server_start, …).
#
# The shipped configuration (what ./kaart run loads) in its own database; 10,000 points spread like the real thing — 44 %
# in the gemeente, the rest around it (neighbouring municipalities and open water, up to 15 km out); the real server on
# loopback; wrk (a Lua script walking the points) on GET /api/locate — the lean path — and, in the same run, on the same
# points with &date=today (the same answer by the full pipeline: routing, authentication, rate limiter, the endpoint), and
# pgbench running PostGIS's own point-in-polygon per point (ST_Covers on the GiST index of the buurten, with the
# gemeente's neighbours for a point outside) as the baseline. Results: .kaart/bench/locate-report.md.

bench_tps() { # pgbench: transactions per second of SQL file $1 on database $2 with $3 clients over $4 s
  PGPASSWORD="$(pg_password)" "$PGBIN/pgbench" -n -h 127.0.0.1 -p "$PGPORT" -U "$PGUSER_NAME" -c "$3" -j "$(( $3 < 2 ? 1 : 2 ))" \
    -T "$4" -f "$1" "$2" 2>/dev/null | awk '/^tps/ {print $3; exit}'
}

cmd_bench_locate() {
  local db=kaart_bench_locate secs="${KAART_BENCH_SECONDS:-10}" conns="${KAART_BENCH_CONNECTIONS:-16}"
  command -v wrk >/dev/null || apt_install wrk
  ensure_dotnet
  pg_start; ensure_database "$db"; publish_app
  say "de gegevens van ./kaart run laden in $db"
  app seed >/dev/null || die "het laden van de gegevens is mislukt"
  mkdir -p "$STATE/bench/sql"
  # the points: a fixed seed, so every run asks the same
  pg_psql "$db" -qc "DROP TABLE IF EXISTS bench_point" >/dev/null
  pg_psql "$db" -qc "CREATE TABLE bench_point AS
    WITH g AS (SELECT geom FROM area_in_force WHERE level = 'gemeente'),
         inside AS (SELECT (ST_Dump(ST_GeneratePoints(g.geom, 4400, 1))).geom AS p FROM g),
         around AS (SELECT (ST_Dump(ST_GeneratePoints(ST_Difference(ST_Buffer(ST_Envelope(g.geom), 15000), g.geom), 5600, 2))).geom AS p FROM g)
    SELECT row_number() OVER () AS id, p AS geom, ST_X(p) AS x, ST_Y(p) AS y FROM (SELECT p FROM inside UNION ALL SELECT p FROM around) q" >/dev/null
  pg_psql "$db" -qc "CREATE UNIQUE INDEX ON bench_point (id); ANALYZE bench_point" >/dev/null
  local inside total
  total="$(pg_psql "$db" -tAc "SELECT count(*) FROM bench_point")"
  inside="$(pg_psql "$db" -tAc "SELECT count(*) FROM bench_point p WHERE EXISTS (SELECT 1 FROM area_in_force a WHERE a.level = 'gemeente' AND ST_Covers(a.geom, p.geom))")"
  local today; today="$(TZ=Europe/Amsterdam date +%Y-%m-%d)"
  {
    echo "local points = {"
    pg_psql "$db" -tAc "SELECT format('\"x=%s&y=%s\",', round(x::numeric, 2), round(y::numeric, 2)) FROM bench_point ORDER BY id"
    echo "}"
    echo "local i = 0"
    echo "local suffix = os.getenv('LOCATE_SUFFIX') or ''"
    echo "request = function() i = i % #points + 1; return wrk.format('GET', '/api/locate?' .. points[i] .. suffix) end"
  } > "$STATE/bench/locate.lua"
  cat > "$STATE/bench/sql/locate.sql" <<'SQL'
\set i random(1, 10000)
SELECT b.code, b.name, b.parent_code, m.code FROM bench_point p
  LEFT JOIN area b ON b.level = 'buurt' AND b.valid_to IS NULL AND ST_Covers(b.geom, p.geom)
  LEFT JOIN municipality m ON b.code IS NULL AND ST_Covers(m.geom, p.geom)
WHERE p.id = :i;
SQL
  # the ceiling: Kestrel alone answering a real locate answer's bytes (tests/Alkmaar.Kaart.Benchmarks, Ceiling/)
  dotnet build "$ROOT/tests/Alkmaar.Kaart.Benchmarks" -c Release --nologo -clp:ErrorsOnly -v quiet >/dev/null || die "de benchmarks bouwen is mislukt"
  bench_server_start bench-locate-server
  local url="$BENCH_URL"
  curl -sf -o "$STATE/bench/locate-answer.json" "$url/api/locate?x=111000&y=516000" || die "GET /api/locate mislukt"
  local cport=$((BENCH_PORT + 1)); while port_busy "$cport"; do cport=$((cport + 1)); done
  local ceiling_url="http://127.0.0.1:$cport"
  dotnet "$ROOT/tests/Alkmaar.Kaart.Benchmarks/bin/Release/net10.0/Alkmaar.Kaart.Benchmarks.dll" ceiling --urls "$ceiling_url" \
    --body "$STATE/bench/locate-answer.json" >"$STATE/bench-ceiling.log" 2>&1 &
  local ceiling_pid=$!
  trap 'stop_job "$BENCH_SERVER"; stop_job "$ceiling_pid"' EXIT
  for _ in $(seq 1 30); do port_busy "$cport" && break; sleep 1; done
  wrk -t2 -c"$conns" -d3s -s "$STATE/bench/locate.lua" "$ceiling_url" >/dev/null 2>&1 # warm
  wrk -t2 -c"$conns" -d3s -s "$STATE/bench/locate.lua" "$url" >/dev/null 2>&1 # warm
  LOCATE_SUFFIX="&date=$today" wrk -t2 -c"$conns" -d3s -s "$STATE/bench/locate.lua" "$url" >/dev/null 2>&1
  local lean=() full=() sql=() ceil=() r out
  for r in 1 2 3; do
    out="$(wrk -t2 -c"$conns" -d${secs}s --latency -s "$STATE/bench/locate.lua" "$ceiling_url" 2>/dev/null)"
    ceil+=("$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '/^ +50%/ {print $2}' <<<"$out") $(awk '/^ +99%/ {print $2}' <<<"$out")")
    out="$(wrk -t2 -c"$conns" -d${secs}s --latency -s "$STATE/bench/locate.lua" "$url" 2>/dev/null)"
    lean+=("$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '/^ +50%/ {print $2}' <<<"$out") $(awk '/^ +99%/ {print $2}' <<<"$out")")
    out="$(LOCATE_SUFFIX="&date=$today" wrk -t2 -c"$conns" -d${secs}s --latency -s "$STATE/bench/locate.lua" "$url" 2>/dev/null)"
    full+=("$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '/^ +50%/ {print $2}' <<<"$out") $(awk '/^ +99%/ {print $2}' <<<"$out")")
    sql+=("$(bench_tps "$STATE/bench/sql/locate.sql" "$db" "$conns" "$secs")")
  done
  stop_job "$BENCH_SERVER"; stop_job "$ceiling_pid"; trap - EXIT
  median() { printf '%s\n' "$@" | sort -g -k1,1 | awk '{a[NR]=$0} END {print a[2]}'; }
  local l f s c
  l="$(median "${lean[@]}")"; f="$(median "${full[@]}")"; s="$(median "${sql[@]}")"; c="$(median "${ceil[@]}")"
  local lr fr
  lr="${l%% *}"; fr="${f%% *}"
  {
    echo "# One point at a time: \`GET /api/locate\` ($(date -u +%Y-%m-%d), $(nproc) cores; median of 3 × ${secs} s, $conns connections)"
    echo
    echo "The shipped configuration in its own database; $total points spread like the real thing ($inside in the gemeente, the"
    echo "rest up to 15 km around it), each request the next point. Client (wrk -t2), server and PostgreSQL share the machine."
    echo
    echo "| path | req/s | p50 | p99 | ratio to PostGIS | share of the ceiling |"
    echo "|---|---:|---:|---:|---:|---:|"
    echo "| lean (\`/api/locate?x=&y=\`: before routing, answer bytes per area) | $lr | $(cut -d' ' -f2 <<<"$l") | $(cut -d' ' -f3 <<<"$l") | $(awk -v a="$lr" -v b="$s" 'BEGIN {printf "%.1f×", a/b}') | $(awk -v a="$lr" -v b="${c%% *}" 'BEGIN {printf "%.0f %%", 100*a/b}') |"
    echo "| full pipeline (the same with \`&date=$today\`: routing, auth, rate limiter, endpoint) | $fr | $(cut -d' ' -f2 <<<"$f") | $(cut -d' ' -f3 <<<"$f") | $(awk -v a="$fr" -v b="$s" 'BEGIN {printf "%.1f×", a/b}') | $(awk -v a="$fr" -v b="${c%% *}" 'BEGIN {printf "%.0f %%", 100*a/b}') |"
    echo "| ceiling (Kestrel alone answering the same bytes: no locating, no middleware; baseline) | ${c%% *} | $(cut -d' ' -f2 <<<"$c") | $(cut -d' ' -f3 <<<"$c") | | 100 % |"
    echo "| PostGIS per point (pgbench -c$conns, baseline) | $s | | | 1.0× | |"
    echo
    echo "Goal (issue 35): ≥ 60,000 req/s with p99 ≤ 2 ms on loopback, ≥ 4× PostGIS per point."
    echo "Runs (req/s p50 p99): lean ${lean[*]}; full ${full[*]}; ceiling ${ceil[*]}; PostGIS ${sql[*]}."
  } > "$STATE/bench/locate-report.md"
  cat "$STATE/bench/locate-report.md"
  pg_psql postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null || true
}
