#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft: broker + controller in one JVM) on loopback, for tests, CI and
# development. The broker's jars come from Maven Central (deploy/kafka/pom.xml); nothing else is downloaded.
#
#   bash deploy/kafka/broker.sh start    # fetch jars (first time), format fresh storage, start, wait until ready;
#                                        # prints KAFKA_BROKERS=127.0.0.1:19092. Already running: prints that only.
#   bash deploy/kafka/broker.sh stop     # stop the broker and delete its data
#   bash deploy/kafka/broker.sh status   # exit 0 if running (and answering on its port), 1 if not
#   bash deploy/kafka/broker.sh env      # prints KAFKA_BROKERS=… (e.g. export "$(bash deploy/kafka/broker.sh env)")
#
# Environment:
#   LEADSTREAM_KAFKA_HOME   cache + state directory (default: <repo>/.kafka, gitignored)
#   KAFKA_PORT              client listener port (default 19092); KAFKA_CONTROLLER_PORT (default 19093)
#   KAFKA_HEAP_OPTS         JVM heap flags (default: -Xms256m -Xmx512m)
#   KAFKA_START_TIMEOUT     seconds to wait for the broker to answer (default 90)
#   KAFKA_MVN_ARGS          extra Maven arguments for the jar download (e.g. -o, -Dmaven.repo.local=…)
#
# Quiet on success. On failure: a message on stderr, the tail of the broker's log, exit status 1.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
home=${LEADSTREAM_KAFKA_HOME:-$repo/.kafka}
host=127.0.0.1
port=${KAFKA_PORT:-19092}
cport=${KAFKA_CONTROLLER_PORT:-19093}
heap=${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}
start_timeout=${KAFKA_START_TIMEOUT:-90}

libs=$home/libs
run=$home/run
data=$home/data
logs=$home/logs
pidfile=$run/broker.pid
envfile=$run/broker.env

say() { printf 'broker.sh: %s\n' "$*" >&2; }

show_logs() {
  local f
  for f in "$logs/server.log" "$logs/kafka.out"; do
    if [ -s "$f" ]; then
      printf '\n----- last lines of %s -----\n' "$f" >&2
      tail -n "${1:-60}" "$f" >&2
    fi
  done
}

# Logs are shown only once this run has launched a broker (before that they are an earlier run's).
launched=0
die() {
  say "ERROR: $*"
  if [ "$launched" -eq 1 ]; then show_logs 60; fi
  exit 1
}

# The pid in the pid file, if that process is alive and is our broker (not a recycled pid).
broker_pid() {
  local pid
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [ -r "/proc/$pid/cmdline" ]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "kafka.Kafka $run/server.properties" || return 1
  fi
  echo "$pid"
}

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$host/$1" 2>/dev/null; }

# Address of the running broker (recorded at start), else the one configured now.
brokers_line() {
  if [ -f "$envfile" ] && broker_pid >/dev/null; then cat "$envfile"; else echo "KAFKA_BROKERS=$host:$port"; fi
}

# ---- jars ------------------------------------------------------------------------------------------------------
resolve_libs() {
  local stamp want
  want=$(sha256sum "$here/pom.xml" | cut -d' ' -f1)
  stamp=$libs/.pom.sha256
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && compgen -G "$libs/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found: Maven is needed to fetch the broker's jars from Maven Central"
  rm -rf "$libs.tmp"
  mkdir -p "$libs.tmp" "$logs"
  # shellcheck disable=SC2086  # KAFKA_MVN_ARGS is a list of words
  if ! mvn -B -q -f "$here/pom.xml" ${KAFKA_MVN_ARGS:-} dependency:copy-dependencies \
      -DoutputDirectory="$libs.tmp" >"$logs/mvn.log" 2>&1; then
    say "ERROR: Maven could not fetch the broker's jars (deploy/kafka/pom.xml)"
    tail -n 40 "$logs/mvn.log" >&2
    exit 1
  fi
  echo "$want" >"$libs.tmp/.pom.sha256"
  rm -rf "$libs"
  mv "$libs.tmp" "$libs"
}

# ---- configuration ---------------------------------------------------------------------------------------------
write_config() {
  cat >"$run/server.properties" <<EOF
# Written by deploy/kafka/broker.sh: a single-node KRaft broker on loopback, for tests and development.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$host:$cport
listeners=PLAINTEXT://$host:$port,CONTROLLER://$host:$cport
advertised.listeners=PLAINTEXT://$host:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$data/kraft-logs

num.partitions=3
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0

# small machine: few threads, bounded disk
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=24
log.segment.bytes=67108864
EOF
  cat >"$run/log4j.properties" <<EOF
# Written by deploy/kafka/broker.sh: everything to $logs/server.log, nothing to the console.
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$logs/server.log
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.authorizer.logger=WARN
log4j.logger.org.apache.kafka.clients.NetworkClient=WARN
EOF
}

# ---- readiness -------------------------------------------------------------------------------------------------
# 0: a kafkajs admin client lists the topics; 1: not yet; 3: kafkajs is not installed (pnpm install not run).
client_ready() {
  local rc=0
  node "$here/ready.mjs" "$host:$port" >>"$logs/ready.log" 2>&1 || rc=$?
  return "$rc"
}

wait_ready() {
  local pid=$1 deadline=$((SECONDS + start_timeout)) warned=0 rc
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      die "the broker exited during start-up (see $logs)"
    fi
    if port_open "$port"; then
      rc=0
      client_ready || rc=$?
      if [ "$rc" -eq 0 ]; then return 0; fi
      if [ "$rc" -eq 3 ]; then
        # No kafkajs yet: trust the broker's own word that it started.
        if [ "$warned" -eq 0 ]; then say "kafkajs not installed (run pnpm install): readiness checked by the log only"; warned=1; fi
        if grep -q 'Kafka Server started' "$logs/server.log" 2>/dev/null; then return 0; fi
      fi
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      [ -s "$logs/ready.log" ] && { printf '\n----- last readiness probe errors -----\n' >&2; tail -n 5 "$logs/ready.log" >&2; }
      say "stopping the unready broker (pid $pid)"
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
      rm -f "$pidfile" "$envfile"
      die "the broker did not answer on $host:$port within ${start_timeout}s"
    fi
    sleep 0.5
  done
}

# ---- commands --------------------------------------------------------------------------------------------------
cmd_start() {
  local pid cluster_id
  if broker_pid >/dev/null; then
    brokers_line
    return 0
  fi
  rm -f "$pidfile" "$envfile"

  command -v java >/dev/null || die "java not found: the broker needs a Java 11+ runtime"
  command -v node >/dev/null || die "node not found"
  for p in "$port" "$cport"; do
    if port_open "$p"; then die "port $host:$p is already in use by another process (set KAFKA_PORT / KAFKA_CONTROLLER_PORT)"; fi
  done

  resolve_libs

  # Fresh storage on every start: this broker is for tests, its data is disposable.
  rm -rf "$data"
  mkdir -p "$data" "$run" "$logs"
  : >"$logs/server.log"
  : >"$logs/kafka.out"
  : >"$logs/ready.log"
  write_config

  # A Kafka cluster id is 16 random bytes in URL-safe base64 without padding.
  cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
  # shellcheck disable=SC2086  # heap is a list of words
  if ! java $heap -Dlog4j.configuration="file:$run/log4j.properties" -cp "$libs/*" \
      kafka.tools.StorageTool format -t "$cluster_id" -c "$run/server.properties" >"$logs/format.log" 2>&1; then
    cat "$logs/format.log" >&2
    die "formatting the broker's storage failed"
  fi

  launched=1
  # Detached (own session) so that a finished shell, or ^C in it, leaves the broker running.
  # shellcheck disable=SC2016,SC2086
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" \
    java $heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$run/log4j.properties" -Dkafka.logs.dir="$logs" \
    -cp "$libs/*" kafka.Kafka "$run/server.properties" \
    </dev/null >"$logs/kafka.out" 2>&1 9>&- &

  # The pid file is written by the child just before it becomes the JVM.
  local i
  for i in $(seq 1 50); do
    pid=$(cat "$pidfile" 2>/dev/null || true)
    [ -n "$pid" ] && break
    sleep 0.1
  done
  [ -n "${pid:-}" ] || die "the broker process did not start"

  wait_ready "$pid"
  echo "KAFKA_BROKERS=$host:$port" >"$envfile"
  cat "$envfile"
}

cmd_stop() {
  local pid i
  if pid=$(broker_pid); then
    kill -TERM "$pid" 2>/dev/null || true
    # A controlled shutdown of a single KRaft node takes a few seconds.
    for i in $(seq 1 300); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "broker (pid $pid) did not stop within 30s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
      for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
  rm -f "$pidfile" "$envfile"
  rm -rf "$data"
}

cmd_status() {
  local pid
  if pid=$(broker_pid) && port_open "$(brokers_line | sed 's/.*://')"; then
    echo "running (pid $pid): $(brokers_line)"
    return 0
  fi
  echo "not running"
  return 1
}

main() {
  local cmd=${1:-}
  case "$cmd" in
    start | stop)
      mkdir -p "$home" "$run"
      # One start/stop at a time (parallel test runs may all call start).
      exec 9>"$run/.lock"
      flock -w 180 9 || die "another broker.sh $cmd is still running"
      "cmd_$cmd"
      ;;
    status) cmd_status ;;
    env) brokers_line ;;
    *)
      echo "usage: $0 start|stop|status|env" >&2
      exit 2
      ;;
  esac
}

main "$@"
