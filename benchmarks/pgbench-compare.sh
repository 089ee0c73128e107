#!/usr/bin/env bash
# pgbench select-only, 8 clients, -M prepared and -M simple, against PostgreSQL directly, through pgbouncer
# (session pooling) and through the Warden gateway, interleaved in one run; prints TPS and ratios.
#
#   benchmarks/pgbench-compare.sh [--rounds N] [--duration SECONDS] [--scale S] [--no-build] [--warden] [--tls]
#                                 [--baseline-jar JAR] [--cpu] [--syscalls]
#
# Targets: direct, pgbouncer, gateway (sessions on their own threads, the default) and eventloop (the same gateway
# with -Dwarden.gateway.session-io=event-loop: sessions served on Netty's event loop, JDBC on a worker).
# --warden adds a target: a second gateway whose backend is the jdbc:warden: driver with the
# policy-examples/customers policy (pgbench's tables are not protected, so statements pass through the
# engine's fast path).
# --tls adds rows with pgbench's connections over TLS (sslmode=require) to every target: PostgreSQL
# (ssl=on), pgbouncer (client_tls_*) and the gateways (tls:), all with one self-signed certificate made by
# openssl for the run. The servers' own connections (pgbouncer's and the gateways' to PostgreSQL) stay plain
# (pgbouncer 1.18's server_tls_sslmode is disable; pgjdbc's default, prefer, would pick TLS: sslmode=disable).
# --baseline-jar JAR adds a target "baseline": a gateway like the first one (thread sessions), run from another build (say main's
# warden.jar copied aside), interleaved with the others in every round, for an A/B comparison on a busy machine;
# a table "gateway vs baseline" follows the main one.
# --cpu adds a table of the CPU time (user+system, from /proc/PID/stat) that each gateway process spent per
# transaction during the measured runs, and pgbouncer's, in microseconds.
# --syscalls adds, per server process, a table of the system calls and context switches it made per transaction
# during the measured runs (perf stat on its syscalls tracepoints: needs perf; slows the servers a little).
# GATEWAY_JAVA_OPTS (environment) is added to the gateways' java command line (e.g. a JFR recording).
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
BASELINE_JAR=""
CPU=0
SYSCALLS=0
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
    --baseline-jar) BASELINE_JAR=$(realpath "$2"); shift 2 ;;
    --cpu) CPU=1; shift ;;
    --syscalls) SYSCALLS=1; shift ;;
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
BASELINE_PORT=$(free_port "$PG_PORT" "$BOUNCER_PORT" "$GATEWAY_PORT" "$WARDEN_PORT")
EVENTLOOP_PORT=$(free_port "$PG_PORT" "$BOUNCER_PORT" "$GATEWAY_PORT" "$WARDEN_PORT" "$BASELINE_PORT")
for tool in "$PGBIN/initdb" "$PGBIN/pg_ctl" /usr/bin/pgbench /usr/sbin/pgbouncer; do
  [ -x "$tool" ] || { echo "missing $tool (apt-get install -y postgresql-15 pgbouncer)" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/warden-bench.XXXXXX)
chmod 755 "$WORK"
declare -A GATEWAY_PIDS # target -> pid of the gateway process that serves it
BOUNCER_STARTED=0
cleanup() {
  set +e
  for pid in "${GATEWAY_PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
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
  url: jdbc:postgresql://127.0.0.1:$PG_PORT/bench?sslmode=disable
  user: postgres
  password: ""
  pool-size: 16
users:
  bench: {verifier: "$VERIFIER", role: bench}
EOT
if [ "$TLS" = 1 ]; then
  printf 'tls: {cert: "%s", key: "%s"}\n' "$WORK/server.crt" "$WORK/server.key" >> "$WORK/gateway.yaml"
fi
start_gateway() { # target jar config [java options...]: starts a gateway, waits until it listens, records its pid
  local target=$1 jar=$2 config=$3 log="$WORK/gateway-$1.log" pid
  shift 3
  # shellcheck disable=SC2086 # GATEWAY_JAVA_OPTS is a list of options
  java -XX:+UseParallelGC -Xms512m -Xmx512m ${GATEWAY_JAVA_OPTS:-} "$@" -cp "$jar" dev.warden.cli.ServeCommand \
    --config "$config" > "$log" 2>&1 &
  pid=$!
  GATEWAY_PIDS[$target]=$pid
  for _ in $(seq 1 60); do
    grep -q "listening" "$log" && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.5
  done
  echo "the $target gateway did not start listening in 30 s" >&2
  cat "$log"
  exit 1
}
# a copy of the gateway's configuration with another port (and any further sed expressions)
config_for() { # target port [sed expressions...] -> path of the new configuration
  local target=$1 port=$2
  shift 2
  sed -e "s/port: $GATEWAY_PORT/port: $port/" "$@" "$WORK/gateway.yaml" > "$WORK/gateway-$target.yaml"
  echo "$WORK/gateway-$target.yaml"
}
JAR="$ROOT/gateway/target/warden.jar"
start_gateway gateway "$JAR" "$WORK/gateway.yaml"
TARGETS="direct pgbouncer gateway"
echo "== Warden gateway with event-loop sessions (port $EVENTLOOP_PORT, -Dwarden.gateway.session-io=event-loop)"
start_gateway eventloop "$JAR" "$(config_for eventloop "$EVENTLOOP_PORT")" -Dwarden.gateway.session-io=event-loop
TARGETS="$TARGETS eventloop"
if [ -n "$BASELINE_JAR" ]; then
  echo "== baseline gateway from $BASELINE_JAR (port $BASELINE_PORT)"
  start_gateway baseline "$BASELINE_JAR" "$(config_for baseline "$BASELINE_PORT")"
  TARGETS="$TARGETS baseline"
fi
if [ "$WARDEN" = 1 ]; then
  echo "== Warden gateway over jdbc:warden: (port $WARDEN_PORT, customers example policy)"
  cp -r "$ROOT/policy-examples/customers" "$WORK/policy"
  chown -R postgres "$WORK/policy"
  config=$(config_for warden "$WARDEN_PORT" -e "s#jdbc:postgresql://#jdbc:warden:postgresql://#" -e "s/role: bench/role: analyst/")
  printf 'policy: %s\nmaster-key: "file:%s"\n' "$WORK/policy/policy.yaml" "$WORK/policy/demo-master-key.txt" >> "$config"
  start_gateway warden "$JAR" "$config"
  TARGETS="$TARGETS warden"
fi

TRANSPORTS="plain"
[ "$TLS" = 1 ] && TRANSPORTS="plain tls"

cpu_ticks() { # pid -> utime+stime of the process, in clock ticks (0 when there is no such process)
  [ -n "$1" ] && [ -r "/proc/$1/stat" ] || { echo 0; return; }
  sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}
server_pid() { # target -> pid of the server process that serves it, or nothing
  case "$1" in
    pgbouncer) cat "$WORK/pgbouncer.pid" 2>/dev/null ;;
    direct) ;;
    *) echo "${GATEWAY_PIDS[$1]:-}" ;;
  esac
}

run() { # target mode seconds transport -> tps; leaves "transactions cpu-ticks" of the run in $WORK/last-run
  local port user sslmode=disable pid before out perf_pid=""
  [ "${4:-plain}" = tls ] && sslmode=require
  case "$1" in
    direct) port=$PG_PORT; user=postgres ;;
    pgbouncer) port=$BOUNCER_PORT; user=postgres ;;
    gateway) port=$GATEWAY_PORT; user=bench ;;
    eventloop) port=$EVENTLOOP_PORT; user=bench ;;
    warden) port=$WARDEN_PORT; user=bench ;;
    baseline) port=$BASELINE_PORT; user=bench ;;
  esac
  pid=$(server_pid "$1")
  before=$(cpu_ticks "$pid")
  rm -f "$WORK/last-perf"
  if [ "$SYSCALLS" = 1 ] && [ -n "$pid" ]; then
    perf stat -x, -o "$WORK/last-perf" -e "$PERF_EVENTS" -p "$pid" & perf_pid=$!
  fi
  out=$(PGSSLMODE=$sslmode PGPASSWORD=benchpass /usr/bin/pgbench -h 127.0.0.1 -p "$port" -U "$user" -n -S -M "$2" -c $CLIENTS -j $THREADS \
    -T "$3" bench 2>&1 || true)
  if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid" 2>/dev/null; wait "$perf_pid" 2>/dev/null || true
  fi
  echo "$(echo "$out" | awk '/^number of transactions actually processed:/ {print $NF}' | tr -dc '0-9' || true) $(( $(cpu_ticks "$pid") - before ))" \
    > "$WORK/last-run"
  echo "$out" | awk '/^tps = .*without initial connection time/ {print $3}' || true
}

# system calls counted by --syscalls, and the columns of its tables (read, recvfrom: reads; epoll: epoll_wait and
# epoll_pwait; select: Java's Selector on epoll, pgbouncer's libevent)
PERF_EVENTS=syscalls:sys_enter_read,syscalls:sys_enter_recvfrom,syscalls:sys_enter_write,syscalls:sys_enter_sendto,\
syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_poll,syscalls:sys_enter_futex,context-switches
SYSCALL_COLUMNS="read recvfrom write sendto epoll_wait epoll_pwait poll futex context-switches"
declare -A EVENTS # target,mode,event -> count over the measured runs
add_perf_counts() { # target mode: adds the counts of $WORK/last-perf
  [ -f "$WORK/last-perf" ] || return 0
  local count event
  while IFS=, read -r count _ event _; do
    [[ "$count" =~ ^[0-9]+$ ]] || continue
    event=${event#syscalls:sys_enter_}
    EVENTS[$1,$2,$event]=$(( ${EVENTS[$1,$2,$event]:-0} + count ))
  done < "$WORK/last-perf"
}

MODES="prepared simple"
[ "$TLS" = 1 ] && MODES="prepared simple prepared/tls simple/tls"

echo "== warm-up (5 s each)"
for t in $TARGETS; do for m in $MODES; do run $t "${m%/tls}" 5 "$([ "${m#*/}" = tls ] && echo tls)" >/dev/null; done; done

declare -A RESULTS TXNS TICKS
for r in $(seq 1 "$ROUNDS"); do
  for m in $MODES; do
    for t in $TARGETS; do
      tps=$(run $t "${m%/tls}" "$DURATION" "$([ "${m#*/}" = tls ] && echo tls)")
      [ -n "$tps" ] || { echo "pgbench against $t ($m) failed" >&2; tps=0; }
      RESULTS[$t,$m]="${RESULTS[$t,$m]:-} $tps"
      read -r txns ticks < "$WORK/last-run" || true
      TXNS[$t,$m]=$(( ${TXNS[$t,$m]:-0} + ${txns:-0} ))
      TICKS[$t,$m]=$(( ${TICKS[$t,$m]:-0} + ${ticks:-0} ))
      add_perf_counts "$t" "$m"
      printf 'round %d  %-12s %-9s %10s tps\n' "$r" "$m" "$t" "$tps"
    done
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
echo
echo "== pgbench -S, $CLIENTS clients, $THREADS threads, ${DURATION}s x $ROUNDS rounds interleaved, scale $SCALE (median tps)"
printf '%-12s' mode
for t in $TARGETS; do printf ' %10s' "$t"; done
for t in $TARGETS; do case $t in direct|pgbouncer) ;; *) printf ' %14s' "$t/bouncer" ;; esac; done
echo
for m in $MODES; do
  printf '%-12s' "$m"
  for t in $TARGETS; do printf ' %10.0f' "$(echo "${RESULTS[$t,$m]}" | median)"; done
  b=$(echo "${RESULTS[pgbouncer,$m]}" | median)
  for t in $TARGETS; do
    case $t in direct|pgbouncer) continue ;; esac
    printf ' %13.1f%%' "$(echo "$(echo "${RESULTS[$t,$m]}" | median) * 100 / $b" | bc -l)"
  done
  echo
done

if [ -n "$BASELINE_JAR" ]; then
  echo
  echo "== gateway (this build) vs baseline ($BASELINE_JAR), median tps"
  printf '%-12s %10s %10s %10s %12s %12s\n' mode pgbouncer baseline gateway base/bouncer gw/baseline
  for m in $MODES; do
    b=$(echo "${RESULTS[pgbouncer,$m]}" | median)
    o=$(echo "${RESULTS[baseline,$m]}" | median)
    g=$(echo "${RESULTS[gateway,$m]}" | median)
    printf '%-12s %10.0f %10.0f %10.0f %11.1f%% %11.1f%%\n' "$m" "$b" "$o" "$g" \
      "$(echo "$o * 100 / $b" | bc -l)" "$(echo "$g * 100 / $o" | bc -l)"
  done
fi
if [ "$CPU" = 1 ]; then
  HZ=$(getconf CLK_TCK)
  echo
  echo "== server CPU (user+system) per transaction, microseconds, all measured rounds"
  printf '%-12s' mode
  for t in $TARGETS; do [ "$t" = direct ] || printf ' %10s' "$t"; done
  echo
  for m in $MODES; do
    printf '%-12s' "$m"
    for t in $TARGETS; do
      [ "$t" = direct ] && continue
      if [ "${TXNS[$t,$m]:-0}" -gt 0 ]; then
        printf ' %10.1f' "$(echo "${TICKS[$t,$m]} * 1000000 / $HZ / ${TXNS[$t,$m]}" | bc -l)"
      else
        printf ' %10s' "-"
      fi
    done
    echo
  done
fi

if [ "$SYSCALLS" = 1 ]; then
  for t in $TARGETS; do
    [ "$t" = direct ] && continue
    echo
    echo "== $t: system calls and context switches per transaction, all measured rounds"
    printf '%-12s' mode
    for e in $SYSCALL_COLUMNS; do printf ' %11s' "$e"; done
    echo
    for m in $MODES; do
      printf '%-12s' "$m"
      for e in $SYSCALL_COLUMNS; do
        if [ "${TXNS[$t,$m]:-0}" -gt 0 ]; then
          printf ' %11.2f' "$(echo "${EVENTS[$t,$m,$e]:-0} / ${TXNS[$t,$m]}" | bc -l)"
        else
          printf ' %11s' "-"
        fi
      done
      echo
    done
  done
fi
