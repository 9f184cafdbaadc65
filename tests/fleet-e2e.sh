#!/bin/bash
# The fleet path end to end (README "A fleet of checkers"), with the real programs on
# loopback only: Debian's prometheus, prometheus-alertmanager (two: one behind
# Prometheus, one the checkers post to) and prometheus-node-exporter (one per checker),
# three vigia checkers (c1, c2, c3) with their own state and textfile directories, and a
# fake Bot API (tests/fleet-fakes.py) that Alertmanager's Telegram receiver talks to.
#
#   tests/fleet-e2e.sh [path/to/vigia]      (make fleet-e2e)
#
# The shipped files are the ones tested: doc/fleet/vigia.rules.yml with its `for: 2m`
# shortened to 5s, doc/fleet/alertmanager.yml with its group timings shortened and the
# fake's address and token. A stopped checker is one whose last run was 4 minutes ago:
# its last run is made with VIGIA_NOW 4 minutes back, as its textfile would read after
# 4 minutes without runs. Every wait is bounded; every process started here is ended,
# whatever happens (FLEET_KEEP=1 keeps the work directory to look at).
set -euo pipefail
cd "$(dirname "$0")/.."
vigia=$(realpath "${1:-target/debug/vigia}")
[ -x "$vigia" ] || { echo "fleet-e2e: no $vigia: run cargo build first"; exit 1; }
for tool in prometheus prometheus-alertmanager prometheus-node-exporter promtool amtool python3 curl; do
    command -v $tool >/dev/null || {
        echo "fleet-e2e: $tool missing (apt-get install --no-install-recommends prometheus prometheus-alertmanager prometheus-node-exporter curl)"
        exit 1
    }
done

work=$(mktemp -d /tmp/vigia-fleet.XXXXXX)
pids=()
cleanup() { # keeps the script's exit status; nothing in here may end it early
    local status=$? pid n
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for n in $(seq 50); do
        alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ $alive = 0 ] && break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ $status != 0 ]; then
        for log in "$work"/*.log; do [ -f "$log" ] && { echo "--- $log"; tail -5 "$log"; }; done
        [ -f "$work/sent.jsonl" ] && { echo "--- messages"; cat "$work/sent.jsonl"; }
    fi
    if [ -n "${FLEET_KEEP:-}" ]; then echo "fleet-e2e: kept $work"; else rm -rf "$work"; fi
    exit $status
}
trap cleanup EXIT

# start NAME COMMAND...: a process in the background, its output in $work/NAME.log.
start() {
    local name=$1
    shift
    "$@" >"$work/$name.log" 2>&1 &
    pids+=($!)
}

# until_ready URL: waits (at most 30 s) for URL to answer 200.
until_ready() {
    local deadline=$((SECONDS + 30))
    until curl -sf -o /dev/null "$1"; do
        [ $SECONDS -lt $deadline ] || { echo "fleet-e2e: $1 never answered"; exit 1; }
        sleep 0.2
    done
}

read -r P_PROM P_AM1 P_AM2 P_N1 P_N2 P_N3 <<<"$(python3 -c '
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')"
declare -A node_port=([c1]=$P_N1 [c2]=$P_N2 [c3]=$P_N3)
TOKEN=123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw
CHAT_PROM=-1001 CHAT_POST=-1002

mkdir -p "$work/status"
start fakes python3 tests/fleet-fakes.py "$work"
for n in $(seq 100); do [ -f "$work/ports" ] && break; sleep 0.1; done
[ -f "$work/ports" ] || { echo "fleet-e2e: the fakes did not start"; exit 1; }
read -r P_SITE P_BOT <"$work/ports"

for c in c1 c2 c3; do
    mkdir -p "$work/$c/textfile" "$work/$c/state"
    start "node-$c" prometheus-node-exporter --web.listen-address="127.0.0.1:${node_port[$c]}" \
        --collector.disable-defaults --collector.textfile --collector.textfile.directory="$work/$c/textfile"
done

sed 's/^\(\s*for:\) 2m$/\1 5s/' doc/fleet/vigia.rules.yml >"$work/vigia.rules.yml"
grep -q 'for: 5s' "$work/vigia.rules.yml"
promtool check rules "$work/vigia.rules.yml" >/dev/null
cat >"$work/prometheus.yml" <<EOF
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [vigia.rules.yml]
alerting:
  alertmanagers: [{static_configs: [{targets: ["127.0.0.1:$P_AM1"]}]}]
scrape_configs:
  - job_name: vigia
    static_configs: [{targets: ["127.0.0.1:$P_N1", "127.0.0.1:$P_N2", "127.0.0.1:$P_N3"]}]
EOF
start prometheus prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
    --web.listen-address="127.0.0.1:$P_PROM" --rules.alert.resend-delay=1s

# alertmanager NAME PORT CHAT: the shipped config, pointed at the fake Bot API. Its group
# interval is also how long a notification may take (else it is sent again): 5s, not
# less, on a loaded machine.
alertmanager() {
    sed -e "s|^\(\s*\)- bot_token: .*|\1- bot_token: \"$TOKEN\"\n\1  api_url: http://127.0.0.1:$P_BOT|" \
        -e "s|chat_id: .*|chat_id: $3|" -e 's|group_wait: 30s|group_wait: 1s|' \
        -e 's|group_interval: 5m|group_interval: 5s|' doc/fleet/alertmanager.yml >"$work/$1.yml"
    grep -q "api_url: http://127.0.0.1:$P_BOT" "$work/$1.yml"
    amtool check-config "$work/$1.yml" >/dev/null
    start "$1" prometheus-alertmanager --config.file="$work/$1.yml" --storage.path="$work/$1" \
        --web.listen-address="127.0.0.1:$2" --cluster.listen-address= ${FLEET_DEBUG:+--log.level=debug}
}
alertmanager am-prom "$P_AM1" $CHAT_PROM
alertmanager am-post "$P_AM2" $CHAT_POST

for url in "127.0.0.1:$P_PROM/-/ready" "127.0.0.1:$P_AM1/-/ready" "127.0.0.1:$P_AM2/-/ready" \
    "127.0.0.1:$P_N1/metrics" "127.0.0.1:$P_N2/metrics" "127.0.0.1:$P_N3/metrics"; do
    until_ready "http://$url"
done

# checker_config C TARGET [POST]: C's config, watching TARGET at C's own path of the site;
# with POST, posting to the second Alertmanager too.
checker_config() {
    cat >"$work/$1/config.toml" <<EOF
[check]
timeout = "500ms"
attempts = 1
retry_delay = "10ms"
log_file = "$work/$1/vigia.log"
state_dir = "$work/$1/state"

[fleet]
checker = "$1"

[metrics]
textfile = "$work/$1/textfile/vigia.prom"

[[target]]
name = "$2"
url = "http://127.0.0.1:$P_SITE/$1/$2"
EOF
    [ -z "${3:-}" ] || printf '\n[alertmanager]\nurl = "http://127.0.0.1:%s"\ntimeout = "2s"\n' "$P_AM2" >>"$work/$1/config.toml"
    chmod 600 "$work/$1/config.toml"
}

# check C [VIGIA_NOW]: one run of checker C, as its timer would start it.
check() {
    local code=0
    env -i HOME="$work/$1" PATH=/usr/bin:/bin TZ=UTC LANG=C.UTF-8 STATE_DIRECTORY="$work/$1/state" \
        LOGS_DIRECTORY="$work/$1" ${2:+VIGIA_NOW=$2} \
        "$vigia" --config "$work/$1/config.toml" check --quiet >>"$work/$1/runs.log" 2>&1 || code=$?
    [ $code -le 1 ] || { echo "fleet-e2e: vigia check on $1 exited $code"; tail -5 "$work/$1/runs.log"; return 1; }
}

# tick: one run of every active checker, at once; counts the runs.
active="c1 c2 c3"
runs=0
tick() {
    local c run_pids=()
    for c in $active; do
        check "$c" &
        run_pids+=($!)
    done
    for pid in "${run_pids[@]}"; do wait "$pid"; done
    runs=$((runs + 1))
}

# messages CHAT FROM [TEXT]: how many messages to CHAT since line FROM of the record
# contain TEXT. first_at CHAT FROM TEXT: when the first of them arrived.
messages() {
    python3 - "$work/sent.jsonl" "$@" <<'EOF'
import json, sys
path, chat, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
text = sys.argv[4] if len(sys.argv) > 4 else ""
try:
    lines = open(path).read().splitlines()[start:]
except FileNotFoundError:
    lines = []
sent = [json.loads(l) for l in lines]
print(sum(1 for m in sent if m["chat_id"] == chat and text in m["text"]))
EOF
}
first_at() {
    python3 - "$work/sent.jsonl" "$@" <<'EOF'
import json, sys
path, chat, start, text = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
sent = [json.loads(l) for l in open(path).read().splitlines()[start:]]
print(next(m["at"] for m in sent if m["chat_id"] == chat and text in m["text"]))
EOF
}
mark() { [ -f "$work/sent.jsonl" ] && wc -l <"$work/sent.jsonl" || echo 0; }

# firing NAME: how many alerts NAME Prometheus has firing.
firing() {
    curl -sf "http://127.0.0.1:$P_PROM/api/v1/alerts" | python3 -c '
import json, sys
alerts = json.load(sys.stdin)["data"]["alerts"]
print(sum(1 for a in alerts if a["labels"]["alertname"] == sys.argv[1] and a["state"] == "firing"))' "$1"
}

# until_true WHAT SECONDS COMMAND...: ticks the checkers every second until COMMAND
# succeeds, at most SECONDS.
until_true() {
    local what=$1 deadline=$((SECONDS + $2))
    shift 2
    until "$@"; do
        [ $SECONDS -lt $deadline ] || { echo "fleet-e2e: timed out waiting for $what"; exit 1; }
        tick
        sleep 1
    done
}
# settle SECONDS: goes on checking, so that a message that should not come has its chance.
settle() {
    local until=$((SECONDS + $1))
    while [ $SECONDS -lt $until ]; do tick; sleep 1; done
}
is() { [ "$(eval "$1")" = "$2" ]; }
expect() { # expect WHAT GOT WANT
    [ "$2" = "$3" ] || { echo "fleet-e2e: $1: $2, expected $3"; exit 1; }
    echo "  ok: $1: $2"
}
down() { for t in "$@"; do echo 503 >"$work/status/$t"; done; }
up() { for t in "$@"; do rm -f "$work/status/$t"; done; }

for c in c1 c2 c3; do checker_config $c web; done
until_true "Prometheus to see three checkers" 60 is "curl -sf 'http://127.0.0.1:$P_PROM/api/v1/query?query=count(vigia_target_up)' | python3 -c 'import json,sys; r=json.load(sys.stdin)[\"data\"][\"result\"]; print(r[0][\"value\"][1] if r else 0)'" 3

echo "fleet-e2e: the Prometheus path (rules' for: 5s here, 2m shipped)"
from=$(mark)
down c1-web
until_true "VigiaTargetDownSingle" 60 is "firing VigiaTargetDownSingle" 1
settle 12
expect "1 of 3 down: VigiaTargetDown messages" "$(messages $CHAT_PROM "$from" 'DOWN from')" 0
single=$(messages $CHAT_PROM "$from" 'only c1 sees web down')
expect "1 of 3 down: VigiaTargetDownSingle (info) messages" "$single" 1
up c1-web
until_true "the single view to resolve" 60 is "messages $CHAT_PROM $from 'resolved'" 1

from=$(mark)
down c1-web c2-web
# From the start of the run in which the second checker sees the outage.
seen=$(date +%s.%N)
tick
until_true "VigiaTargetDown on Telegram" 90 is "messages $CHAT_PROM $from 'DOWN from 2 checkers'" 1
prom_latency=$(python3 -c "print(f'{$(first_at $CHAT_PROM "$from" 'DOWN from 2 checkers') - $seen:.1f}')")
settle 12
expect "2 of 3 down: messages" "$(messages $CHAT_PROM "$from")" 1
from=$(mark)
up c1-web c2-web
until_true "VigiaTargetDown to resolve" 60 is "messages $CHAT_PROM $from 'resolved'" 1
settle 8
expect "2 of 3 back up: messages" "$(messages $CHAT_PROM "$from")" 1
expect "  of which resolved" "$(messages $CHAT_PROM "$from" '✅ <b>web</b> resolved')" 1

from=$(mark)
check c3 "$(date -u -d '-4 min' +%Y-%m-%dT%H:%M:%SZ)"
active="c1 c2"
until_true "VigiaCheckerStale on Telegram" 60 is "messages $CHAT_PROM $from 'checker c3 has not run'" 1
settle 5
expect "checker stopped: VigiaCheckerStale messages" "$(messages $CHAT_PROM "$from" 'checker c3 has not run')" 1
stale_firing=$(firing VigiaCheckerStale)

echo "fleet-e2e: the posting path (two checkers post, Alertmanager groups by target)"
active="c1 c2 c3"
for c in c1 c2 c3; do checker_config $c api post; done
tick
from=$(mark)
runs_before=$runs
down c1-api c2-api
seen=$(date +%s.%N)
tick
until_true "VigiaProbeDown on Telegram" 60 is "messages $CHAT_POST $from 'api'" 1
post_latency=$(python3 -c "print(f'{$(first_at $CHAT_POST "$from" 'api') - $seen:.1f}')")
posting=$(curl -sf "http://127.0.0.1:$P_AM2/api/v2/alerts?filter=alertname%3D%22VigiaProbeDown%22" |
    python3 -c 'import json,sys; print(len({a["labels"]["checker"] for a in json.load(sys.stdin) if a["status"]["state"] == "active"}))')
expect "checkers whose VigiaProbeDown Alertmanager holds" "$posting" 2
settle 12
expect "2 checkers down, $((runs - runs_before)) runs each: messages" "$(messages $CHAT_POST "$from")" 1
from=$(mark)
up c1-api c2-api
until_true "VigiaProbeDown to resolve" 60 is "messages $CHAT_POST $from 'resolved'" 1
settle 8
expect "back up: messages" "$(messages $CHAT_POST "$from")" 1
expect "  of which resolved" "$(messages $CHAT_POST "$from" '✅ <b>api</b> resolved')" 1

echo "fleet-e2e: figures"
echo "  Prometheus path: 1 of 3 down: 0 VigiaTargetDown messages ($single VigiaTargetDownSingle);" \
    "2 of 3: 1 message, 1 resolved; checker stopped: 1 VigiaCheckerStale ($stale_firing firing)"
echo "  Prometheus path: the second checker's run to the Telegram message: ${prom_latency}s" \
    "(for: 5s, scrape and evaluation every 1s, group_wait 1s; shipped: for: 2m, group_wait 30s)"
echo "  posting path: 2 checkers posting, run after run: 1 message, 1 resolved;" \
    "the second checker's run to the Telegram message: ${post_latency}s (group_wait 1s; shipped 30s)"
echo "  vigia runs: $runs ticks of up to 3 checkers; processes started: ${#pids[@]}, all ended on exit"
