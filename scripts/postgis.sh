# The project-local PostGIS cluster (127.0.0.1 only, in .kaart/pg), sourced by ./kaart (its helpers: say, die, as_root,
# apt_install). Creating, starting (on its own port, or the next free one), stopping; durable unless loudly told not to.
PGBASE="$STATE/pg"
pg_user_run() {
  # PostgreSQL refuses to run as root: as root, run its tools as the postgres system user.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_password() { cat "$PGBASE/password"; }
pg_conn() { # $1 = database
  printf 'Host=127.0.0.1;Port=%s;Username=%s;Password=%s;Database=%s' "$PGPORT" "$PGUSER_NAME" "$(pg_password)" "$1"
}
pg_psql() { # psql on database $1, rest as psql args
  local db="$1"; shift
  PGPASSWORD="$(pg_password)" "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U "$PGUSER_NAME" -d "$db" "$@"
}

# A server started in the background through a function runs in a subshell: stop the subshell's children (dotnet) too,
# or they outlive the command (each ./kaart test used to leave its durability server running).
stop_job() { pkill -TERM -P "$1" 2>/dev/null || true; kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The cluster keeps its port in $PGBASE/port. Another checkout's cluster (or anything else) on that port moves
# this one to the next free port, so two checkouts on one machine do not collide.
choose_port() {
  local p="${KAART_PG_PORT:-$(cat "$PGBASE/port" 2>/dev/null || echo 55432)}"
  if [ -z "${KAART_PG_PORT:-}" ]; then
    while port_busy "$p"; do p=$((p + 1)); done
  fi
  PGPORT="$p"
  echo "$PGPORT" > "$PGBASE/port"
}

pg_start() {
  if [ -n "${ConnectionStrings__Kaart:-}" ]; then say "de PostGIS-database uit ConnectionStrings__Kaart wordt gebruikt"; return 0; fi
  ensure_postgis
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || as_root useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    mkdir -p "$PGBASE"
    # The postgres user must reach the data folder; a checkout under a private home cannot be reached.
    if ! runuser -u postgres -- test -x "$PGBASE" 2>/dev/null; then
      local alt="/var/tmp/kaart-pg-$(printf '%s' "$ROOT" | md5sum | cut -c1-10)"
      say "de gebruiker postgres kan niet bij $PGBASE; het cluster staat in $alt"
      mkdir -p "$alt"; chown postgres: "$alt"; chmod 700 "$alt"
      rm -rf "$PGBASE"; ln -sfn "$alt" "$PGBASE"
    fi
  fi
  mkdir -p "$PGBASE"
  if [ ! -f "$PGBASE/data/PG_VERSION" ]; then
    say "het projecteigen PostGIS-cluster maken in $PGBASE (alleen 127.0.0.1)"
    mkdir -p "$PGBASE/run"
    umask 077
    head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32 > "$PGBASE/password"
    umask 022
    [ "$(id -u)" = 0 ] && chown -R postgres: "$PGBASE/" && chown root: "$PGBASE/password" && chmod 644 "$PGBASE/password"
    pg_user_run "$PGBIN/initdb" -D "$PGBASE/data" -U "$PGUSER_NAME" --pwfile="$PGBASE/password" \
      --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --no-locale >"$PGBASE/initdb.log" 2>&1 \
      || { cat "$PGBASE/initdb.log" >&2; die "initdb mislukt"; }
    [ "$(id -u)" = 0 ] && chmod 600 "$PGBASE/password"
    cat >> "$PGBASE/data/postgresql.conf" <<EOF
# --- Alkmaar Kaart (project-local) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGBASE/run'
max_connections = 200
shared_buffers = 256MB
EOF
  fi
  pg_durability
  if pg_user_run "$PGBIN/pg_ctl" -D "$PGBASE/data" status >/dev/null 2>&1; then
    PGPORT="$(cat "$PGBASE/port" 2>/dev/null || echo 55432)"
    pg_user_run "$PGBIN/pg_ctl" -D "$PGBASE/data" reload >/dev/null 2>&1 || true
    return 0
  fi
  choose_port
  say "PostGIS starten op 127.0.0.1:$PGPORT"
  pg_user_run "$PGBIN/pg_ctl" -D "$PGBASE/data" -l "$PGBASE/postgres.log" -w -t 60 -o "-p $PGPORT" start >/dev/null \
    || { tail -n 20 "$PGBASE/postgres.log" >&2; die "PostgreSQL startte niet (zie $PGBASE/postgres.log)"; }
}

# Durable by default: an acknowledged write survives a crash of PostgreSQL or the machine. Only the loudly named
# KAART_PG_UNSAFE_NO_FSYNC=1 trades that for speed (a throwaway developer cluster); ./kaart says so on every start.
pg_durability() {
  local conf="$PGBASE/data/kaart-durability.conf"
  # clusters made before this setting existed carried fsync = off in postgresql.conf itself
  sed -i '/^fsync = off$/d; /^synchronous_commit = off$/d; /^full_page_writes = off$/d' "$PGBASE/data/postgresql.conf"
  grep -q "kaart-durability.conf" "$PGBASE/data/postgresql.conf" \
    || echo "include_if_exists = 'kaart-durability.conf'" >> "$PGBASE/data/postgresql.conf"
  if [ "${KAART_PG_UNSAFE_NO_FSYNC:-}" = 1 ]; then
    say "WAARSCHUWING: KAART_PG_UNSAFE_NO_FSYNC=1: PostgreSQL draait ZONDER fsync; een crash verliest bevestigde schrijfacties"
    printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' > "$conf"
  else
    printf 'fsync = on\nsynchronous_commit = on\nfull_page_writes = on\n' > "$conf"
  fi
  # the workload: many short concurrent queries on few cores; no JIT compilation, no parallel workers (their start-up
  # costs more than the short queries they would split)
  printf 'jit = off\nmax_parallel_workers_per_gather = 0\n' >> "$conf"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$conf"; fi
  return 0
}

pg_stop() {
  find_pgbin
  [ -n "$PGBIN" ] && [ -f "$PGBASE/data/PG_VERSION" ] || return 0
  if pg_user_run "$PGBIN/pg_ctl" -D "$PGBASE/data" status >/dev/null 2>&1; then
    say "PostGIS stoppen"
    pg_user_run "$PGBIN/pg_ctl" -D "$PGBASE/data" -m fast -w stop >/dev/null
  fi
}

ensure_database() { # $1 = name; sets KAART_CONNECTION
  if [ -n "${ConnectionStrings__Kaart:-}" ]; then KAART_CONNECTION="$ConnectionStrings__Kaart"; return 0; fi
  if [ "$(pg_psql postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'")" != "1" ]; then
    say "database $1 maken"
    pg_psql postgres -c "CREATE DATABASE \"$1\""
  fi
  KAART_CONNECTION="$(pg_conn "$1")"
}
