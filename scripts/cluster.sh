# The production layout on one machine (issue 32), sourced by ./kaart: etcd, a Patroni pair (primary + synchronous
# standby, PostgreSQL 15 + PostGIS from apt), pgBackRest for backups and the WAL archive, three server processes and nginx
# in front (TLS, WebSockets, sticky by cookie). The configuration files are the ones in deploy/, filled in here.
# Everything listens on 127.0.0.1 only; state in .kaart/cluster (data kept by "down", removed by "down --wipe").
CLUSTER="$STATE/cluster"
CL_ETCD_CLIENT="${KAART_CLUSTER_ETCD_PORT:-52379}"; CL_ETCD_PEER=$((CL_ETCD_CLIENT + 1))
CL_PG=(55441 55442); CL_REST=(58008 58009); CL_APP=(5101 5102 5103)
CL_HTTPS="${KAART_CLUSTER_PORT:-8443}"
CL_URL="https://localhost:$CL_HTTPS"

cl_secret() { # name → a password kept in $CLUSTER/secrets/<name> (made once)
  local f="$CLUSTER/secrets/$1"
  [ -f "$f" ] || ( umask 077; head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 28 > "$f" )
  cat "$f"
}

fill() { # template output KEY VALUE … : @KEY@ → VALUE
  local content; content="$(cat "$1")"; local out="$2"; shift 2
  while [ $# -gt 1 ]; do content="${content//@$1@/$2}"; shift 2; done
  printf '%s\n' "$content" > "$out"
}

cl_connection() { # the servers' connection string: both Patroni nodes, the primary wherever it is now; a pool that fits
  # max_connections in deploy/patroni/kaart.yml (3 servers × 40)
  printf 'Host=127.0.0.1:%s,127.0.0.1:%s;Username=kaart;Password=%s;Database=kaart;Target Session Attributes=primary;Timeout=5;Command Timeout=30;Maximum Pool Size=40' \
    "${CL_PG[0]}" "${CL_PG[1]}" "$(cl_secret kaart)"
}

cl_super_psql() { # port, psql args … (as the cluster's superuser)
  local port="$1"; shift
  PGPASSWORD="$(cl_secret postgres)" "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"
}

cl_wait() { # seconds, description, command … : until the command succeeds
  local n="$1" what="$2"; shift 2
  for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  die "$what: niet binnen $n s"
}

cl_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

cl_primary_port() { # the port of the node Patroni calls primary now, or nothing
  local i
  for i in 0 1; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${CL_REST[$i]}/primary")" = 200 ] && { echo "${CL_PG[$i]}"; return 0; }
  done
  return 1
}

cl_sync_pair() { # a primary, and a standby that is synchronous (either node may be either)
  # Patroni's /sync answers from its key in etcd, which still names the standby while it reconnects after the primary's
  # restart; until then every commit waits for it. So the primary itself must see the standby streaming as synchronous.
  local port
  port="$(cl_primary_port)" || return 1
  { curl -sf "http://127.0.0.1:${CL_REST[0]}/sync" -o /dev/null || curl -sf "http://127.0.0.1:${CL_REST[1]}/sync" -o /dev/null; } || return 1
  [ "$(cl_super_psql "$port" -d postgres -tAc "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND sync_state = 'sync'" 2>/dev/null)" = 1 ]
}

cl_prepare() {
  apt_install nginx-light patroni python3-etcd etcd-server pgbackrest curl openssl
  ensure_postgis; find_pgbin
  publish_app; ensure_dp_cert
  mkdir -p "$CLUSTER"/{etcd,run,log,backup,nginx,secrets,tls}
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    if ! runuser -u postgres -- test -x "$CLUSTER" 2>/dev/null; then # a checkout under a private home: keep the data elsewhere
      local alt="/var/tmp/kaart-cluster-$(printf '%s' "$ROOT" | md5sum | cut -c1-10)"
      mkdir -p "$alt"; cp -a "$CLUSTER/." "$alt/" 2>/dev/null || true; rm -rf "$CLUSTER"; ln -sfn "$alt" "$CLUSTER"
      mkdir -p "$CLUSTER"/{etcd,run,log,backup,nginx,secrets,tls}
    fi
    chmod 755 "$CLUSTER"; chown postgres: "$CLUSTER"/{run,log,backup}; chmod 700 "$CLUSTER/secrets" "$CLUSTER/backup"
  fi
  local i
  for i in 0 1; do
    mkdir -p "$CLUSTER/pg$((i + 1))"
    [ "$(id -u)" = 0 ] && chown postgres: "$CLUSTER/pg$((i + 1))" && chmod 700 "$CLUSTER/pg$((i + 1))"
    fill "$ROOT/deploy/patroni/kaart.yml" "$CLUSTER/patroni-$((i + 1)).yml" \
      NAME "kaart-pg$((i + 1))" LISTEN_HOST 127.0.0.1 CONNECT_HOST 127.0.0.1 REST_PORT "${CL_REST[$i]}" PG_PORT "${CL_PG[$i]}" \
      ETCD_HOSTS "127.0.0.1:$CL_ETCD_CLIENT" DATA_DIR "$CLUSTER/pg$((i + 1))/data" PG_BIN "$PGBIN" RUN_DIR "$CLUSTER/run" \
      NETWORK 127.0.0.1/32 SUPERUSER_PASSWORD "$(cl_secret postgres)" REPLICATION_PASSWORD "$(cl_secret replicator)" \
      PGBACKREST_CONF "$CLUSTER/pgbackrest.conf"
  done
  fill "$ROOT/deploy/pgbackrest/pgbackrest.conf" "$CLUSTER/pgbackrest.conf" REPO_DIR "$CLUSTER/backup" LOG_DIR "$CLUSTER/log" \
    RUN_DIR "$CLUSTER/run" DATA_DIR_1 "$CLUSTER/pg1/data" PG_PORT_1 "${CL_PG[0]}" DATA_DIR_2 "$CLUSTER/pg2/data" PG_PORT_2 "${CL_PG[1]}"
  fill "$ROOT/deploy/etcd/etcd.env" "$CLUSTER/etcd.env" NAME kaart-etcd DATA_DIR "$CLUSTER/etcd/data" LISTEN_HOST 127.0.0.1 \
    CONNECT_HOST 127.0.0.1 CLIENT_PORT "$CL_ETCD_CLIENT" PEER_PORT "$CL_ETCD_PEER" INITIAL_CLUSTER "kaart-etcd=http://127.0.0.1:$CL_ETCD_PEER"
  chmod 600 "$CLUSTER"/patroni-*.yml; [ "$(id -u)" = 0 ] && chown postgres: "$CLUSTER"/patroni-*.yml "$CLUSTER/pgbackrest.conf"
  if [ ! -f "$CLUSTER/tls/cert.pem" ]; then # a local certificate for https://localhost (a municipality uses its own)
    openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -keyout "$CLUSTER/tls/key.pem" -out "$CLUSTER/tls/cert.pem" 2>/dev/null || die "het TLS-certificaat kon niet worden gemaakt"
    chmod 600 "$CLUSTER/tls/key.pem"
  fi
  local upstream=""
  for p in "${CL_APP[@]}"; do upstream+="    server 127.0.0.1:$p max_fails=1 fail_timeout=5s;"$'\n'; done
  fill "$ROOT/deploy/nginx/kaart.conf" "$CLUSTER/nginx/kaart.conf" LISTEN "127.0.0.1:$CL_HTTPS" SERVER_NAME localhost \
    TLS_CERT "$CLUSTER/tls/cert.pem" TLS_KEY "$CLUSTER/tls/key.pem" UPSTREAM_SERVERS "${upstream%$'\n'}"
  cat > "$CLUSTER/nginx/nginx.conf" <<EOF
worker_processes 2;
pid $CLUSTER/nginx/nginx.pid;
error_log $CLUSTER/log/nginx-error.log warn;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types;
    access_log $CLUSTER/log/nginx-access.log;
    client_body_temp_path $CLUSTER/nginx/body; proxy_temp_path $CLUSTER/nginx/proxy;
    fastcgi_temp_path $CLUSTER/nginx/fastcgi; uwsgi_temp_path $CLUSTER/nginx/uwsgi; scgi_temp_path $CLUSTER/nginx/scgi;
    include $CLUSTER/nginx/kaart.conf;
}
EOF
}

cl_start_etcd() {
  cl_alive "$CLUSTER/run/etcd.pid" && return 0
  ( set -a; . "$CLUSTER/etcd.env"; set +a; exec etcd ) >"$CLUSTER/log/etcd.log" 2>&1 &
  echo $! > "$CLUSTER/run/etcd.pid"
  cl_wait 30 "etcd" curl -sf "http://127.0.0.1:$CL_ETCD_CLIENT/health"
}

cl_start_patroni() { # node 1|2
  local n="$1"
  cl_alive "$CLUSTER/run/patroni-$n.pid" && return 0
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- patroni "$CLUSTER/patroni-$n.yml" >>"$CLUSTER/log/patroni-$n.log" 2>&1 &
  else patroni "$CLUSTER/patroni-$n.yml" >>"$CLUSTER/log/patroni-$n.log" 2>&1 & fi
  echo $! > "$CLUSTER/run/patroni-$n.pid"
}

cl_server_env() { # the environment of one server process
  KAART_CONNECTION="$(cl_connection)"
  export ReverseProxy__KnownProxies__0=127.0.0.1 Mail__PublicBaseUrl="$CL_URL"
  # the drill sends 20 meldingen a second from one address: only then the public write budget is lifted, loudly
  if [ -n "${KAART_CLUSTER_DRILL:-}" ]; then export RateLimits__PublicWritesPerMinute=100000; fi
}

cl_start_servers() {
  cl_server_env
  local i=0 p
  for p in "${CL_APP[@]}"; do
    i=$((i + 1))
    cl_alive "$CLUSTER/run/server-$i.pid" && continue
    ( Metrics__Port=$((9464 + i)) Logging__Format=json app --urls "http://127.0.0.1:$p" >>"$CLUSTER/log/server-$i.log" 2>&1 ) &
    echo $! > "$CLUSTER/run/server-$i.pid"
  done
  for p in "${CL_APP[@]}"; do cl_wait 120 "server op poort $p" curl -sf "http://127.0.0.1:$p/health/ready"; done
}

cmd_cluster() {
  case "${1:-}" in
    up) shift; cluster_up "$@" ;;
    down) shift; cluster_down "$@" ;;
    status) cluster_status ;;
    *) die "gebruik: ./kaart cluster up | down [--wipe] | status" ;;
  esac
}

cluster_up() {
  cl_prepare
  say "etcd starten (127.0.0.1:$CL_ETCD_CLIENT)"
  cl_start_etcd
  say "Patroni: primary en synchrone standby (PostgreSQL op ${CL_PG[*]})"
  cl_start_patroni 1
  cl_wait 120 "de eerste PostgreSQL-node" cl_primary_port
  local primary; primary="$(cl_primary_port)"
  # the application's role and database, once (PostGIS in it); the migrations follow when the first server starts
  if ! cl_super_psql "$primary" -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'kaart'" | grep -q 1; then
    cl_super_psql "$primary" -d postgres -c "CREATE ROLE kaart LOGIN PASSWORD '$(cl_secret kaart)'" \
      -c "CREATE DATABASE kaart OWNER kaart" >/dev/null
    cl_super_psql "$primary" -d kaart -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
  fi
  cl_start_patroni 2
  cl_wait 180 "de synchrone standby" cl_sync_pair
  say "pgBackRest: stanza en WAL-archief"
  pg_user_run pgbackrest --config="$CLUSTER/pgbackrest.conf" --stanza=kaart stanza-create >>"$CLUSTER/log/pgbackrest-cli.log" 2>&1 \
    || die "pgbackrest stanza-create mislukt (zie $CLUSTER/log)"
  say "gegevens laden en drie servers starten (poorten ${CL_APP[*]})"
  cl_server_env
  app seed >>"$CLUSTER/log/seed.log" 2>&1 || die "het laden van de gegevens is mislukt (zie $CLUSTER/log/seed.log)"
  cl_start_servers
  if ! cl_alive "$CLUSTER/nginx/nginx.pid"; then
    nginx -c "$CLUSTER/nginx/nginx.conf" -p "$CLUSTER/nginx" -e "$CLUSTER/log/nginx-error.log" || die "nginx startte niet"
  fi
  cl_wait 30 "nginx" curl -skf "$CL_URL/health/ready"
  say "het cluster draait: $CL_URL (nginx → 3 servers → Patroni-paar; ./kaart cluster status)"
}

cluster_down() {
  [ -d "$CLUSTER" ] || { say "er draait geen cluster"; return 0; }
  find_pgbin
  if [ -f "$CLUSTER/nginx/nginx.pid" ]; then nginx -c "$CLUSTER/nginx/nginx.conf" -p "$CLUSTER/nginx" -e "$CLUSTER/log/nginx-error.log" -s quit 2>/dev/null || true; fi
  local f
  for f in "$CLUSTER"/run/server-*.pid; do [ -f "$f" ] || continue; stop_job "$(cat "$f")"; rm -f "$f"; done
  # Patroni runs under runuser: the signal goes to Patroni itself (it stops its PostgreSQL), then we wait for both
  for f in "$CLUSTER"/run/patroni-*.pid; do [ -f "$f" ] || continue; pkill -TERM -P "$(cat "$f")" 2>/dev/null || true; kill -TERM "$(cat "$f")" 2>/dev/null || true; done
  for f in "$CLUSTER"/run/patroni-*.pid; do
    [ -f "$f" ] || continue
    for _ in $(seq 1 40); do kill -0 "$(cat "$f")" 2>/dev/null || pgrep -P "$(cat "$f")" >/dev/null || break; sleep 1; done
    rm -f "$f"
  done
  local d
  for d in "$CLUSTER"/pg1/data "$CLUSTER"/pg2/data; do # a PostgreSQL that outlived its Patroni
    if [ -f "$d/postmaster.pid" ]; then pg_user_run "$PGBIN/pg_ctl" -D "$d" -m fast -w stop >/dev/null 2>&1 || true; fi
  done
  if [ -f "$CLUSTER/run/etcd.pid" ]; then kill -TERM "$(cat "$CLUSTER/run/etcd.pid")" 2>/dev/null || true; rm -f "$CLUSTER/run/etcd.pid"; fi
  if [ "${1:-}" = "--wipe" ]; then
    say "clustergegevens verwijderen (--wipe)"; rm -rf "$(readlink -f "$CLUSTER")" "$CLUSTER"
  fi
  say "het cluster is gestopt"
}

cluster_status() {
  cl_alive "$CLUSTER/run/etcd.pid" && say "etcd: draait (127.0.0.1:$CL_ETCD_CLIENT)" || say "etcd: draait niet"
  local i
  for i in 0 1; do
    local role; role="$(curl -s "http://127.0.0.1:${CL_REST[$i]}/patroni" 2>/dev/null | sed -n 's/.*"role": *"\([a-z_]*\)".*/\1/p')"
    say "PostgreSQL node $((i + 1)) (poort ${CL_PG[$i]}): ${role:-draait niet}"
  done
  local p
  for p in "${CL_APP[@]}"; do
    curl -sf "http://127.0.0.1:$p/health/ready" >/dev/null 2>&1 && say "server $p: gereed" || say "server $p: niet gereed"
  done
  curl -skf "$CL_URL/health/ready" >/dev/null 2>&1 && say "nginx: $CL_URL" || say "nginx: niet bereikbaar"
}
