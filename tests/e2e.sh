#!/bin/bash
# End-to-end under a real systemd: boot a minimal Debian with systemd-nspawn, install
# vigia into it with `make install`, let vigia.timer fire (every 3s for the test) and
# watch the service log transitions and deliver them to a fake Bot API on the host's
# loopback; then run `vigia check` by hand as root inside and see the service go on.
# Needs root, debootstrap and systemd-container. The rootfs is cached in target/e2e.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/debug/vigia}
cache=target/e2e/rootfs
[ "$(id -u)" = 0 ] || { echo "e2e: needs root"; exit 1; }
for tool in debootstrap systemd-nspawn nsenter python3; do
    command -v $tool >/dev/null || { echo "e2e: $tool missing (apt-get install debootstrap systemd-container)"; exit 1; }
done
if [ ! -x "$cache/lib/systemd/systemd" ]; then
    echo "e2e: debootstrapping a minimal bookworm into $cache (about a minute)"
    mkdir -p "$(dirname "$cache")"
    rm -rf "$cache.tmp"
    debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,ca-certificates \
        bookworm "$cache.tmp" http://deb.debian.org/debian >target/e2e/debootstrap.log 2>&1 ||
        { tail -20 target/e2e/debootstrap.log; exit 1; }
    mv "$cache.tmp" "$cache"
fi

work=$(mktemp -d /tmp/vigia-e2e.XXXXXX)
root=$work/root
nspawn_pid=
cleanup() { # keeps the script's exit status; nothing in here may end it early
    local rc=$?
    set +e
    if [ -n "$nspawn_pid" ]; then
        kill "$nspawn_pid" 2>/dev/null
        wait "$nspawn_pid" 2>/dev/null
    fi
    exec {FAKES[1]}>&- 2>/dev/null
    rm -rf "$work" 2>/dev/null || { sleep 2; rm -rf "$work"; }
    exit $rc
}
trap cleanup EXIT
[ -n "${E2E_KEEP:-}" ] && trap - EXIT
cp -a "$cache" "$root"

echo 200 >"$work/status"
coproc FAKES { exec python3 tests/e2e-fakes.py "$work"; }
read -r site_port bot_port <&"${FAKES[0]}"

make --no-print-directory -s install DESTDIR="$root" PROFILE=debug UNITDIR=/etc/systemd/system >/dev/null
cat >"$root/etc/vigia/config.toml" <<CONF
[telegram]
token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
chat_id = 42
api_url = "http://127.0.0.1:$bot_port"
timeout = "2s"

[check]
timeout = "1s"
attempts = 1

[[target]]
name = "web"
url = "http://127.0.0.1:$site_port/"
CONF
chmod 600 "$root/etc/vigia/config.toml"
mkdir -p "$root/etc/systemd/system/vigia.timer.d" "$root/etc/systemd/system/timers.target.wants"
# Every 3 seconds instead of every minute, for the test only.
printf '[Timer]\nOnCalendar=\nOnCalendar=*:*:0/3\n' >"$root/etc/systemd/system/vigia.timer.d/e2e.conf"
ln -sf /etc/systemd/system/vigia.timer "$root/etc/systemd/system/timers.target.wants/vigia.timer"

timeout 300 systemd-nspawn -q -D "$root" -b --console=pipe --register=no --keep-unit \
    >"$work/console.log" 2>&1 &
nspawn_pid=$!

inside() { # run a command in the booted container
    local nspawn init
    nspawn=$(pgrep -P "$nspawn_pid" -x systemd-nspawn | head -1)   # timeout -> nspawn -> systemd
    init=$(pgrep -P "$nspawn" -x systemd | head -1)
    nsenter -t "$init" -a "$@"
}
wait_for() { # description, seconds, condition...
    local what=$1 limit=$2; shift 2
    for _ in $(seq $((limit * 10))); do
        if "$@" 2>/dev/null; then echo "e2e: ok: $what"; return 0; fi
        sleep 0.1
    done
    echo "e2e: FAILED waiting for: $what"
    tail -30 "$work/console.log"
    inside journalctl -u vigia.service --no-pager -n 30 2>/dev/null || true
    exit 1
}
log=$root/var/log/private/vigia/vigia.log
# Conditions are functions, evaluated anew on every try.
lines() { grep -c " $1 web " "$log" 2>/dev/null || true; }
sent() { grep -c "$1" "$work/sent.jsonl" 2>/dev/null || true; }
logged() { [ "$(lines "$1")" -ge "$2" ]; }
delivered() { [ "$(sent "$1")" -ge "$2" ]; }

wait_for "the timer ran check and logged web ONLINE" 60 logged ONLINE 1
echo 503 >"$work/status"
wait_for "web OFFLINE logged" 20 logged OFFLINE 1
wait_for "the down alert reached the Bot API" 20 delivered 'is DOWN' 1
echo 200 >"$work/status"
wait_for "web ONLINE again, recovery delivered" 20 delivered 'is UP again' 1

# By hand, as root, inside: shares the log and the outbox; the service goes on after it.
echo 503 >"$work/status"
inside /usr/local/bin/vigia check >"$work/byhand.log" 2>&1 || true
grep -q "web  DOWN  HTTP 503" "$work/byhand.log" || { cat "$work/byhand.log"; echo "e2e: FAILED: check by hand"; exit 1; }
echo 200 >"$work/status"
wait_for "the service recovers web after a root run (no permission trouble)" 20 delivered 'is UP again' 2
service_ok() { ! inside systemctl is-failed --quiet vigia.service; }
wait_for "vigia.service has not failed" 5 service_ok

echo "e2e: journal of vigia.service (one line per event):"
inside journalctl -u vigia.service --no-pager -o cat | grep -v -e '^Start' -e '^Finish' -e 'Deactivated' -e 'Consumed' | tail -8 | sed 's/^/    /'
echo "e2e: log:"; sed 's/^/    /' "$log"
echo "e2e: $(wc -l <"$work/sent.jsonl") messages delivered; sent $(sent 'is DOWN') down, $(sent 'is UP again') up"
grep -q 'AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw' "$log" "$work/console.log" && { echo "e2e: FAILED: token in output"; exit 1; }
inside systemctl show -p ExecMainStatus -p Result vigia.service | sed 's/^/    /'
echo "e2e: passed"
