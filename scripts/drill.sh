# Drills on the production layout (issue 32), sourced by ./kaart after scripts/cluster.sh: each prints what it measured.
#   failover  kill -9 of the primary's PostgreSQL while 20 residents a second make meldingen through nginx
#   node      the primary's whole node lost (kill -9 of its Patroni and its PostgreSQL): the synchronous standby is promoted
#   backup    pgBackRest full backup + WAL archive; restore into a fresh cluster to a point between two meldingen
# ./kaart drill runs both (and ./kaart test runs it in CI); the cluster is started when it is not running.
cmd_drill() {
  local what="${1:-all}" code=0
  case "$what" in failover|node|backup|all) ;; *) die "gebruik: ./kaart drill [failover|node|backup]" ;; esac
  # the drill's load comes from one address: its servers run with the public write budget lifted (only for the drill)
  export KAART_CLUSTER_DRILL=1
  # a running, healthy cluster is drilled as it is (./kaart test runs the three drills on one cluster); else it is made
  if [ -d "$CLUSTER" ] && find_pgbin && cl_sync_pair && curl -skf "$CL_URL/health/ready" -o /dev/null; then
    say "het cluster draait al: $CL_URL (de oefening gebruikt het zoals het is)"
  else
    cluster_up
  fi
  local f
  for f in "$CLUSTER"/run/server-*.pid; do [ -f "$f" ] || continue; stop_job "$(cat "$f")"; rm -f "$f"; done
  cl_start_servers
  if [ "$what" = failover ] || [ "$what" = all ]; then drill_failover || code=1; fi
  if [ "$what" = node ] || [ "$what" = all ]; then drill_node || code=1; fi
  if [ "$what" = backup ] || [ "$what" = all ]; then drill_backup || code=1; fi
  return "$code"
}

drill_failover() {
  local port node
  port="$(cl_primary_port)" || { say "oefening failover: geen primary"; return 1; }
  node=1; [ "$port" = "${CL_PG[1]}" ] && node=2
  say "oefening failover: kill -9 van PostgreSQL op node $node (poort $port) terwijl 20 inwoners per seconde een melding doen via $CL_URL"
  cl_server_env
  local code=0
  app drill-failover --url "$CL_URL" --rate 20 --seconds 40 --kill-at 12 --insecure-local \
    --kill bash -c 'kill -9 "$(head -1 "$0")"' "$CLUSTER/pg$node/data/postmaster.pid" || code=$?
  # the cluster heals itself: Patroni restarts the node or promotes the standby, and the other follows again
  cl_wait 180 "weer een primary en een synchrone standby" cl_sync_pair
  say "oefening failover: primary nu op poort $(cl_primary_port), standby synchroon"
  # every server listens again (LISTEN reconnected to the primary of now), so a team's open inbox gets new meldingen
  # without a reload: a melding made now reaches all three servers as a notification
  local i before=() after ok=1
  for i in 1 2 3; do before[$i]="$(drill_metric $i kaart_listen_notifications_total)"; done
  local tag="na de failover $(date +%s)" t0=$SECONDS
  if drill_melding "$tag" >/dev/null; then say "oefening failover: een melding na de failover bevestigd in $((SECONDS - t0)) s"
  else
    local stored; stored="$(cl_super_psql "$(cl_primary_port)" -d kaart -tAc "SELECT count(*) FROM melding WHERE description = '$tag'" 2>&1)"
    say "oefening failover: MISLUKT — een melding na de failover werd niet bevestigd na $((SECONDS - t0)) s (antwoord: $DRILL_ANSWER; toch opgeslagen: $stored)"
    code=1
  fi
  for i in 1 2 3; do
    for _ in $(seq 1 20); do after="$(drill_metric $i kaart_listen_notifications_total)"; [ "${after:-0}" -gt "${before[$i]:-0}" ] && break; sleep 0.5; done
    local listening reconnects
    listening="$(drill_metric $i kaart_listen_connected)"; reconnects="$(drill_metric $i kaart_listen_reconnects_total)"
    say "oefening failover: server $i luistert ${listening:-?} (opnieuw verbonden: ${reconnects:-0}×), meldingen-berichten ${before[$i]:-0} → ${after:-0}"
    { [ "${listening:-0}" = 1 ] && [ "${after:-0}" -gt "${before[$i]:-0}" ]; } || ok=0
  done
  [ "$ok" = 1 ] || { say "oefening failover: MISLUKT — niet elke server kreeg de nieuwe melding door (LISTEN)"; code=1; }
  return "$code"
}

drill_node() {
  # The primary's machine gone: its Patroni and its PostgreSQL killed at once (Patroni first, so nothing restarts the
  # database in place). Nobody renews the leader key; when it expires (ttl 20 s, Patroni's minimum) the synchronous
  # standby — which holds every acknowledged write — is promoted, and the servers' next connection finds it. Then the
  # lost node comes back and rejoins as the standby (pg_rewind).
  local port node other
  port="$(cl_primary_port)" || { say "oefening knooppunt: geen primary"; return 1; }
  node=1; [ "$port" = "${CL_PG[1]}" ] && node=2
  other=$((3 - node))
  say "oefening knooppunt: node $node (primary, poort $port) valt weg — Patroni en PostgreSQL kill -9 — terwijl 20 inwoners per seconde een melding doen"
  cl_server_env
  local code=0
  app drill-failover --url "$CL_URL" --rate 20 --seconds 50 --kill-at 10 --resume-limit 30 --insecure-local \
    --kill bash -c 'pkill -9 -f "patroni $0" ; kill -9 "$(head -1 "$1")"' "$CLUSTER/patroni-$node.yml" "$CLUSTER/pg$node/data/postmaster.pid" || code=$?
  local now; now="$(cl_primary_port)" || true
  if [ "$now" = "${CL_PG[$((other - 1))]}" ]; then say "oefening knooppunt: node $other is nu primary (poort $now)"
  else say "oefening knooppunt: MISLUKT — node $other werd niet primary (primary nu: ${now:-geen})"; code=1; fi
  local t0=$SECONDS
  cl_start_patroni "$node"
  cl_wait 180 "node $node terug als synchrone standby" cl_sync_pair
  say "oefening knooppunt: node $node weer synchrone standby na $((SECONDS - t0)) s (pg_rewind)"
  return "$code"
}

drill_metric() { # server number, metric name → its value summed over its series (integer), from the server's metrics port
  curl -s "http://127.0.0.1:$((9464 + $1))/metrics" | awk -v m="$2" '$1 == m || index($1, m "{") == 1 { s += $NF } END { printf "%d", s }'
}

drill_melding() { # description → the id of a melding made through nginx, as a resident makes it (201 or failure)
  local answer
  answer="$(curl -sk -m 60 -w '\n%{http_code}' -X POST "$CL_URL/api/meldingen" -H 'Content-Type: application/json' \
    -d "{\"category\":\"afval\",\"description\":\"$1\",\"x\":112000,\"y\":516000}")"
  # what came back, for a drill that reports a refusal: the status and the start of the body on one line
  DRILL_ANSWER="$(printf '%s' "$answer" | tail -1) $(printf '%s' "$answer" | head -1 | cut -c1-200)"
  [ "$(printf '%s' "$answer" | tail -1)" = 201 ] || return 1
  printf '%s' "$answer" | head -1 | sed -n 's/.*"id": *\([0-9]*\).*/\1/p'
}

drill_backup() {
  local conf="$CLUSTER/pgbackrest.conf" port
  port="$(cl_primary_port)" || { say "oefening backup: geen primary"; return 1; }
  say "oefening backup: volledige backup met pgBackRest"
  local t0=$SECONDS
  pg_user_run pgbackrest --config="$conf" --stanza=kaart --type=full backup >>"$CLUSTER/log/pgbackrest-cli.log" 2>&1 \
    || { say "oefening backup: backup mislukt (zie $CLUSTER/log)"; return 1; }
  local took=$((SECONDS - t0))
  # two meldingen with a moment between them; the restore point lies between the two commits
  local tag="herstel-$(date +%s)" first second point
  first="$(drill_melding "$tag eerste")" || { say "oefening backup: de eerste melding werd niet bevestigd"; return 1; }
  sleep 1.5; point="$(cl_super_psql "$port" -d kaart -tAc "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")"; sleep 1.5
  second="$(drill_melding "$tag tweede")" || { say "oefening backup: de tweede melding werd niet bevestigd"; return 1; }
  port="$(cl_primary_port)"
  cl_super_psql "$port" -d postgres -c "SELECT pg_switch_wal()" >/dev/null
  pg_user_run pgbackrest --config="$conf" --stanza=kaart check >>"$CLUSTER/log/pgbackrest-cli.log" 2>&1 || true # waits until the WAL is archived
  # restore into a fresh data folder and start it on its own port until the point, then read what it holds
  local target="$CLUSTER/restore" rport=55449
  if [ -f "$target/data/postmaster.pid" ]; then pg_user_run "$PGBIN/pg_ctl" -D "$target/data" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$target"; mkdir -p "$target/data"; if [ "$(id -u)" = 0 ]; then chown -R postgres: "$target"; fi; chmod 700 "$target/data"
  t0=$SECONDS
  pg_user_run pgbackrest --config="$conf" --stanza=kaart --pg1-path="$target/data" --type=time "--target=$point" \
    --target-action=promote restore >>"$CLUSTER/log/pgbackrest-cli.log" 2>&1 || { say "oefening backup: herstel mislukt (zie $CLUSTER/log)"; return 1; }
  # the restored copy runs alone: no archiving into the live repository, its own port and socket
  cat >> "$target/data/postgresql.auto.conf" <<EOF2
port = $rport
archive_mode = off
synchronous_standby_names = ''
unix_socket_directories = '$target'
listen_addresses = '127.0.0.1'
EOF2
  pg_user_run "$PGBIN/pg_ctl" -D "$target/data" -l "$target/postgres.log" -w -t 120 start >/dev/null \
    || { say "oefening backup: de herstelde database startte niet (zie $target/postgres.log)"; return 1; }
  local found=""
  for _ in $(seq 1 60); do
    found="$(cl_super_psql "$rport" -d kaart -tAc "SELECT string_agg(description, ',' ORDER BY id) FROM melding WHERE description LIKE '$tag%'" 2>/dev/null)" \
      && [ "$(cl_super_psql "$rport" -d kaart -tAc "SELECT pg_is_in_recovery()" 2>/dev/null)" = f ] && break
    sleep 1
  done
  local restored=$((SECONDS - t0))
  pg_user_run "$PGBIN/pg_ctl" -D "$target/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$target"
  say "oefening backup: backup in ${took} s; herstel naar $point in ${restored} s; melding $first (ervoor) en $second (erna): hersteld bevat '${found}'"
  if [ "$found" = "$tag eerste" ]; then say "oefening backup: geslaagd (precies de eerste)"; return 0; fi
  say "oefening backup: MISLUKT (verwacht alleen '$tag eerste')"; return 1
}
