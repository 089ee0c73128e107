#!/usr/bin/env bash
# pgbench select-only, 8 clients, -M prepared and -M simple, against PostgreSQL directly, through pgbouncer
# (session pooling) and through the Warden gateway, interleaved in one run; prints TPS and ratios.
#
#   benchmarks/pgbench-compare.sh [--rounds N] [--duration SECONDS] [--scale S] [--no-build] [--warden] [--tls]
#
# --warden adds a fourth target: a second gateway whose backend is the jdbc:warden: driver with the
# policy-examples/customers policy (pgbench's tables are not protected, so statements pass through the
# engine's fast path).
# --tls adds rows with pgbench's connections over TLS (sslmode=require) to every target: PostgreSQL
# (ssl=on), pgbouncer (client_tls_*) and the gateways (tls:), all with one self-signed certificate made by
# openssl for the run. The servers' own connections (pgbouncer's and the gateways' to PostgreSQL) stay plain.
#
# Needs: Debian's PostgreSQL 15 server (/usr/lib/postgresql/15/bin), pgbench, pgbouncer
# (apt-get install -y postgresql-15 pgbouncer), openssl for --tls, Java 17 and Maven. Runs everything on 127.0.0.1 and
# removes its temporary cluster and processes on exit. Run as root (the servers run as user postgres).
set -euo pipefail

ROUNDS=3
DURATION=15
SCALE=10
BUILD=1
WARDEN=0
TLS=0
CLIENTS=8
THREADS=2
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --scale) SCALE=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --warden) WARDEN=1; shift ;;
    --tls) TLS=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=/usr/lib/postgresql/15/bin
# Ports outside Linux's ephemeral range (32768-60999), free when the run starts: a fixed port inside that range
# failed on a socket still in TIME_WAIT from an earlier run.
free_port() {
  local taken=" $* " port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 12000))
    case "$taken" in *" $port "*) continue ;; esac
    if ! (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && ! ss -Htan "sport = :$port" 2>/dev/null | grep -q .; then
      echo "$port"
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}
PG_PORT=$(free_port)
BOUNCER_PORT=$(free_port "$PG_PORT")
GATEWAY_PORT=$(free_port "$PG_PORT" "$BOUNCER_PORT")
WARDEN_PORT=$(free_port "$PG_PORT" "$BOUNCER_PORT" "$GATEWAY_PORT")
for tool in "$PGBIN/initdb" "$PGBIN/pg_ctl" /usr/bin/pgbench /usr/sbin/pgbouncer; do
  [ -x "$tool" ] || { echo "missing $tool (apt-get install -y postgresql-15 pgbouncer)" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/warden-bench.XXXXXX)
chmod 755 "$WORK"
GATEWAY_PID=""
WARDEN_PID=""
BOUNCER_STARTED=0
cleanup() {
  set +e
  [ -n "$GATEWAY_PID" ] && kill "$GATEWAY_PID" 2>/dev/null && wait "$GATEWAY_PID" 2>/dev/null
  [ -n "$WARDEN_PID" ] && kill "$WARDEN_PID" 2>/dev/null && wait "$WARDEN_PID" 2>/dev/null
  [ "$BOUNCER_STARTED" = 1 ] && [ -f "$WORK/pgbouncer.pid" ] && kill "$(cat "$WORK/pgbouncer.pid")" 2>/dev/null
  [ -f "$WORK/data/postmaster.pid" ] && su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $WORK/data -m fast stop" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ "$BUILD" = 1 ] || [ ! -f "$ROOT/gateway/target/warden.jar" ]; then
  echo "== building the gateway"
  (cd "$ROOT" && mvn -B -o -q -pl driver,gateway package -DskipTests)
fi

PG_TLS=""
if [ "$TLS" = 1 ]; then
  echo "== self-signed certificate for TLS"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/server.key" -out "$WORK/server.crt" -days 1 \
    -subj /CN=127.0.0.1 >/dev/null 2>&1
  chown postgres "$WORK/server.key" "$WORK/server.crt"
  chmod 600 "$WORK/server.key"
  PG_TLS="-c ssl=on -c ssl_cert_file=$WORK/server.crt -c ssl_key_file=$WORK/server.key"
fi

echo "== PostgreSQL 15 in $WORK/data (port $PG_PORT)"
chown postgres "$WORK"
su postgres -s /bin/sh -c "$PGBIN/initdb -D $WORK/data -U postgres --auth=trust -E UTF8 --locale=C" >/dev/null
su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $WORK/data -l $WORK/pg.log -w -o '-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=100 -c shared_buffers=256MB $PG_TLS' start" >/dev/null
su postgres -s /bin/sh -c "/usr/bin/psql -h 127.0.0.1 -p $PG_PORT -U postgres -qc 'create database bench'"
echo "== pgbench -i -s $SCALE"
/usr/bin/pgbench -h 127.0.0.1 -p $PG_PORT -U postgres -i -s "$SCALE" -q bench 2>&1 | tail -1

echo "== pgbouncer (session pooling, port $BOUNCER_PORT)"
cat > "$WORK/userlist.txt" <<EOT
"postgres" ""
EOT
cat > "$WORK/pgbouncer.ini" <<EOT
[databases]
bench = host=127.0.0.1 port=$PG_PORT dbname=bench user=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $WORK/userlist.txt
pool_mode = session
default_pool_size = 16
max_client_conn = 100
pidfile = $WORK/pgbouncer.pid
logfile = $WORK/pgbouncer.log
EOT
if [ "$TLS" = 1 ]; then
  printf 'client_tls_sslmode = allow\nclient_tls_key_file = %s\nclient_tls_cert_file = %s\n' \
    "$WORK/server.key" "$WORK/server.crt" >> "$WORK/pgbouncer.ini"
fi
chown -R postgres "$WORK"
su postgres -s /bin/sh -c "/usr/sbin/pgbouncer -d $WORK/pgbouncer.ini"
BOUNCER_STARTED=1

echo "== Warden gateway (port $GATEWAY_PORT, SCRAM-SHA-256 login)"
VERIFIER=$(echo benchpass | java -cp "$ROOT/gateway/target/warden.jar" dev.warden.cli.PasswdCommand --password-stdin)
cat > "$WORK/gateway.yaml" <<EOT
listen: {host: 127.0.0.1, port: $GATEWAY_PORT}
backend:
  url: jdbc:postgresql://127.0.0.1:$PG_PORT/bench
  user: postgres
  password: ""
  pool-size: 16
users:
  bench: {verifier: "$VERIFIER", role: bench}
EOT
if [ "$TLS" = 1 ]; then
  printf 'tls: {cert: "%s", key: "%s"}\n' "$WORK/server.crt" "$WORK/server.key" >> "$WORK/gateway.yaml"
fi
java -XX:+UseParallelGC -Xms512m -Xmx512m -cp "$ROOT/gateway/target/warden.jar" dev.warden.cli.ServeCommand \
  --config "$WORK/gateway.yaml" > "$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
for _ in $(seq 1 60); do
  grep -q "listening" "$WORK/gateway.log" && break
  kill -0 "$GATEWAY_PID" 2>/dev/null || { cat "$WORK/gateway.log"; exit 1; }
  sleep 0.5
done

TARGETS="direct pgbouncer gateway"
if [ "$WARDEN" = 1 ]; then
  echo "== Warden gateway over jdbc:warden: (port $WARDEN_PORT, customers example policy)"
  cp -r "$ROOT/policy-examples/customers" "$WORK/policy"
  chown -R postgres "$WORK/policy"
  sed -e "s/port: $GATEWAY_PORT/port: $WARDEN_PORT/" \
      -e "s#jdbc:postgresql://#jdbc:warden:postgresql://#" -e "s/role: bench/role: analyst/" \
      "$WORK/gateway.yaml" > "$WORK/gateway-warden.yaml"
  printf 'policy: %s\nmaster-key: "file:%s"\n' "$WORK/policy/policy.yaml" "$WORK/policy/demo-master-key.txt" \
      >> "$WORK/gateway-warden.yaml"
  java -XX:+UseParallelGC -Xms512m -Xmx512m -cp "$ROOT/gateway/target/warden.jar" dev.warden.cli.ServeCommand \
    --config "$WORK/gateway-warden.yaml" > "$WORK/gateway-warden.log" 2>&1 &
  WARDEN_PID=$!
  for _ in $(seq 1 60); do
    grep -q "listening" "$WORK/gateway-warden.log" && break
    kill -0 "$WARDEN_PID" 2>/dev/null || { cat "$WORK/gateway-warden.log"; exit 1; }
    sleep 0.5
  done
  TARGETS="$TARGETS warden"
fi

TRANSPORTS="plain"
[ "$TLS" = 1 ] && TRANSPORTS="plain tls"

run() { # target mode seconds transport -> tps
  local port user sslmode=disable
  [ "${4:-plain}" = tls ] && sslmode=require
  case "$1" in
    direct) port=$PG_PORT; user=postgres ;;
    pgbouncer) port=$BOUNCER_PORT; user=postgres ;;
    gateway) port=$GATEWAY_PORT; user=bench ;;
    warden) port=$WARDEN_PORT; user=bench ;;
  esac
  PGSSLMODE=$sslmode PGPASSWORD=benchpass /usr/bin/pgbench -h 127.0.0.1 -p "$port" -U "$user" -n -S -M "$2" -c $CLIENTS -j $THREADS \
    -T "$3" bench 2>&1 | awk '/^tps = .*without initial connection time/ {print $3}' || true
}

MODES="prepared simple"
[ "$TLS" = 1 ] && MODES="prepared simple prepared/tls simple/tls"

echo "== warm-up (5 s each)"
for t in $TARGETS; do for m in $MODES; do run $t "${m%/tls}" 5 "$([ "${m#*/}" = tls ] && echo tls)" >/dev/null; done; done

declare -A RESULTS
for r in $(seq 1 "$ROUNDS"); do
  for m in $MODES; do
    for t in $TARGETS; do
      tps=$(run $t "${m%/tls}" "$DURATION" "$([ "${m#*/}" = tls ] && echo tls)")
      [ -n "$tps" ] || { echo "pgbench against $t ($m) failed" >&2; tps=0; }
      RESULTS[$t,$m]="${RESULTS[$t,$m]:-} $tps"
      printf 'round %d  %-12s %-9s %10s tps\n' "$r" "$m" "$t" "$tps"
    done
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
echo
echo "== pgbench -S, $CLIENTS clients, $THREADS threads, ${DURATION}s x $ROUNDS rounds interleaved, scale $SCALE (median tps)"
if [ "$WARDEN" = 1 ]; then
  printf '%-12s %10s %10s %10s %10s %12s %12s %12s\n' mode direct pgbouncer gateway warden gw/bouncer gw/direct warden/bouncer
else
  printf '%-12s %10s %10s %10s %12s %12s\n' mode direct pgbouncer gateway gw/bouncer gw/direct
fi
for m in $MODES; do
  d=$(echo "${RESULTS[direct,$m]}" | median)
  b=$(echo "${RESULTS[pgbouncer,$m]}" | median)
  g=$(echo "${RESULTS[gateway,$m]}" | median)
  if [ "$WARDEN" = 1 ]; then
    w=$(echo "${RESULTS[warden,$m]}" | median)
    printf '%-12s %10.0f %10.0f %10.0f %10.0f %11.1f%% %11.1f%% %11.1f%%\n' "$m" "$d" "$b" "$g" "$w" \
      "$(echo "$g * 100 / $b" | bc -l)" "$(echo "$g * 100 / $d" | bc -l)" "$(echo "$w * 100 / $b" | bc -l)"
  else
    printf '%-12s %10.0f %10.0f %10.0f %11.1f%% %11.1f%%\n' "$m" "$d" "$b" "$g" \
      "$(echo "$g * 100 / $b" | bc -l)" "$(echo "$g * 100 / $d" | bc -l)"
  fi
done
