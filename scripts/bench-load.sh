# Load benchmark at 25,000 and 1,000,000 meldingen (issue 16), sourced by ./kaart (its helpers: say, die, pg_psql, app, …).
#
# For each size: a database with the shipped configuration (the municipality's full-resolution buurten, the neighbouring
# municipalities) and that many DEMO meldingen; the real server on loopback (hotspot cache off, rate limits off); wrk
# against our endpoints and pgbench against the raw SQL that builds the same answer from the meldingen (the baseline),
# on the same PostGIS, in the same run. Throughput with 8 connections (2 threads); hotspots one at a time (latency).
# Each measure ROUNDS times in rotated order; the median is reported. Results: .kaart/bench/load-report.md.

bench_rps() { # wrk: requests per second for URL $1 with $2 connections over $3 s
  wrk -t"$(( $2 < 2 ? 1 : 2 ))" -c"$2" -d"$3"s "$1" 2>/dev/null | awk '/Requests\/sec/ {print $2}'
}

bench_tps() { # pgbench: transactions per second of SQL file $1 on database $2 with $3 clients over $4 s
  PGPASSWORD="$(pg_password)" "$PGBIN/pgbench" -n -h 127.0.0.1 -p "$PGPORT" -U "$PGUSER_NAME" -c "$3" -j "$(( $3 < 2 ? 1 : 2 ))" \
    -T "$4" -f "$1" "$2" 2>/dev/null | awk '/^tps/ {print $3; exit}'
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

bench_sql() { # $1 = name: the raw SQL baselines, each building the answer from the meldingen/areas as a query would
  case "$1" in
    buurten) cat <<'SQL' ;;
SELECT json_build_object('type', 'FeatureCollection', 'features', json_agg(json_build_object('type', 'Feature', 'id', code,
       'geometry', ST_AsGeoJSON(ST_Transform(geom, 4326), 7)::json,
       'properties', json_build_object('code', code, 'name', name, 'parentCode', parent_code, 'areaKm2', round((ST_Area(geom) / 1e6)::numeric, 4)))))
FROM area_in_force WHERE level = 'buurt';
SQL
    meldingen|bbox) cat <<SQL ;;
WITH c AS (SELECT floor(ST_X(geom) / 50)::bigint cx, floor(ST_Y(geom) / 50)::bigint cy, category, count(*)::int n FROM melding
           $( [ "$1" = bbox ] && echo "WHERE geom && ST_Transform(ST_MakeEnvelope(4.70, 52.60, 4.78, 52.66, 4326), 28992)" ) GROUP BY 1, 2, 3),
     p AS (SELECT cx, cy, sum(n)::int total, jsonb_object_agg(category, n) cats FROM c GROUP BY cx, cy HAVING sum(n) >= 5 ORDER BY cx, cy LIMIT 1000)
SELECT json_agg(json_build_object('type', 'Feature', 'id', 'cel-' || cx || '-' || cy,
       'geometry', ST_AsGeoJSON(ST_Transform(ST_SetSRID(ST_MakePoint((cx + 0.5) * 50, (cy + 0.5) * 50), 28992), 4326), 7)::json,
       'properties', json_build_object('count', total, 'categories', cats))) FROM p;
SQL
    hotspots) cat <<'SQL' ;;
SELECT count(*) FROM (SELECT floor(ST_X(geom) / 100), floor(ST_Y(geom) / 100), count(*) FROM melding GROUP BY 1, 2) s;
SQL
  esac
}

cmd_bench_load() {
  local rounds="${KAART_BENCH_ROUNDS:-3}" secs="${KAART_BENCH_SECONDS:-10}" sizes="${KAART_BENCH_SIZES:-25000 1000000}"
  command -v wrk >/dev/null || apt_install wrk
  ensure_dotnet
  pg_start; publish_app
  mkdir -p "$STATE/bench"
  local report="$STATE/bench/load-report.md" sqldir="$STATE/bench/sql"
  mkdir -p "$sqldir"
  for m in buurten meldingen bbox hotspots; do bench_sql "$m" > "$sqldir/$m.sql"; done
  local box="4.70,52.60,4.78,52.66"
  {
    echo "# Load benchmark ($(date -u +%Y-%m-%d), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; median of $rounds rotated rounds of ${secs} s)"
    echo
    echo "Ours: wrk -t2 -c8 (hotspots -t1 -c1) on loopback against the real server (shipped configuration). Baseline: pgbench -c8 -j2 running"
    echo "the raw SQL that builds the same answer from the meldingen / areas on the same PostGIS. Hotspots one request at a time."
    echo
    echo "| meldingen | measure | ours | raw SQL | ratio (ours / raw) |"
    echo "|---:|---|---:|---:|---:|"
  } > "$report"
  for n in $sizes; do
    local db="kaart_bench_$n"
    ensure_database "$db"
    app import boundaries --if-empty >/dev/null || die "het laden van de grenzen is mislukt"
    app import municipalities --if-empty >/dev/null || die "het laden van de gemeenten is mislukt"
    if [ "$(pg_psql "$db" -tAc "SELECT count(*) FROM melding WHERE source = 'demo'")" != "$n" ]; then
      say "$n DEMO-meldingen maken in $db"
      app import meldingen --demo --count "$n" >/dev/null || die "het maken van de benchmarkmeldingen is mislukt"
    fi
    pg_psql "$db" -c "VACUUM ANALYZE" >/dev/null
    Hotspots__CacheSeconds=0 bench_server_start bench-load-server
    local url="$BENCH_URL"
    local -A target=(
      [buurten]="$url/ogc/collections/buurten/items"
      [meldingen]="$url/ogc/collections/meldingen/items?limit=1000"
      [bbox]="$url/ogc/collections/meldingen/items?limit=1000&bbox=$box"
      [hotspots]="$url/api/hotspots"
    )
    local -A ours=() raw=()
    say "opwarmen op $n meldingen"
    for m in buurten meldingen bbox hotspots; do
      curl -sf -o /dev/null "${target[$m]}" || die "GET ${target[$m]} mislukt"
      bench_rps "${target[$m]}" 4 5 >/dev/null
    done
    local order=(buurten meldingen bbox hotspots)
    for r in $(seq 1 "$rounds"); do
      say "ronde $r van $rounds op $n meldingen"
      for m in "${order[@]}"; do
        local c=8; [ "$m" = hotspots ] && c=1
        ours[$m]+="$(bench_rps "${target[$m]}" "$c" "$secs") "
        raw[$m]+="$(bench_tps "$sqldir/$m.sql" "$db" "$c" "$secs") "
      done
      order=("${order[@]:1}" "${order[0]}") # rotate
    done
    stop_job "$BENCH_SERVER"; trap - EXIT
    for m in buurten meldingen bbox hotspots; do
      local o w
      o=$(echo "${ours[$m]}" | median); w=$(echo "${raw[$m]}" | median)
      case "$m" in
        buurten) label="OGC buurten/items (66 full-resolution buurten, CRS84)";;
        meldingen) label="OGC meldingen/items, page of 1,000 cells";;
        bbox) label="OGC meldingen/items, page of 1,000 cells with bbox $box";;
        hotspots) label="/api/hotspots, uncached (raw SQL: only counting the meldingen into the grid)";;
      esac
      if [ "$m" = hotspots ]; then
        awk -v n="$n" -v l="$label" -v o="$o" -v w="$w" 'BEGIN {printf "| %d | %s | %.1f ms | %.1f ms | %.2f |\n", n, l, 1000/o, 1000/w, (1000/o)/(1000/w)}' >> "$report"
      else
        awk -v n="$n" -v l="$label" -v o="$o" -v w="$w" 'BEGIN {printf "| %d | %s | %.0f req/s | %.0f req/s | %.1f× |\n", n, l, o, w, o/w}' >> "$report"
      fi
    done
  done
  cat "$report"
  say "resultaten: $report"
}
