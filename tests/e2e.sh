#!/bin/bash
# End-to-end under a real systemd, as a Debian admin would use vigia: boot a minimal
# Debian 12 with systemd-nspawn, `apt-get install` the .deb, run an unattended
# `vigia init` that enables the timer (every 3s for the test, by a drop-in), see an
# upgrade keep the timer going, an outage logged, alerted and journaled, a member of
# adm read `vigia status`, the logrotate rule at work, the service blind to the other
# logs of /var/log, a root run by hand that the service survives, quiet runs that add
# no journal line, a /status from the chat answered within a timer tick, then `dpkg -r` (no failing unit, config kept) and `dpkg -P`
# (nothing of vigia left but what the README says stays); then the same from source
# with make install / make uninstall. Fakes for the site and the Bot API run on the
# host's loopback. Needs root, debootstrap and systemd-container; the rootfs is cached.
set -euo pipefail
cd "$(dirname "$0")/.."
DEB=${1:?usage: e2e.sh PACKAGE.deb}
# The rootfs is cached under a name that changes with the package list.
packages=systemd,systemd-sysv,dbus,ca-certificates,logrotate
cache=target/e2e/rootfs-$(echo "$packages" | md5sum | cut -c1-8)
[ "$(id -u)" = 0 ] || { echo "e2e: needs root"; exit 1; }
for tool in debootstrap systemd-nspawn nsenter python3; do
    command -v $tool >/dev/null || { echo "e2e: $tool missing (apt-get install debootstrap systemd-container)"; exit 1; }
done
if [ ! -x "$cache/lib/systemd/systemd" ]; then
    echo "e2e: debootstrapping a minimal bookworm into $cache (about a minute)"
    mkdir -p "$(dirname "$cache")"
    rm -rf "$cache.tmp"
    debootstrap --variant=minbase --include="$packages" \
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

# What the admin brings: the package, and (for the test only) a timer every 3 seconds.
cp "$DEB" "$root/root/vigia.deb"
mkdir -p "$root/etc/systemd/system/vigia.timer.d"
printf '[Timer]\nOnCalendar=\nOnCalendar=*:*:0/3\n' >"$root/etc/systemd/system/vigia.timer.d/e2e.conf"
# What vigia 0.1's unit (DynamicUser=yes) left: its directories under private/, reached
# by symlinks. The new unit has no DynamicUser=: systemd must move them back.
mkdir -p "$root/var/log/private/vigia" "$root/var/lib/private/vigia"
chmod 700 "$root/var/log/private" "$root/var/lib/private"
echo "2026-01-01T00:00:00+00:00 ONLINE old HTTP 200 in 1 ms" >"$root/var/log/private/vigia/vigia.log"
chmod 640 "$root/var/log/private/vigia/vigia.log"   # the old unit's UMask=0027
chown -R 61234:61234 "$root/var/log/private/vigia" "$root/var/lib/private/vigia"   # a dynamic uid
ln -s private/vigia "$root/var/log/vigia"
ln -s private/vigia "$root/var/lib/vigia"
# What exists before the package, to tell it apart from what the package leaves.
(cd "$root" && find . -xdev -name '*vigia*' | sort) >"$work/before"

timeout 400 systemd-nspawn -q -D "$root" -b --console=pipe --register=no --keep-unit \
    >"$work/console.log" 2>&1 &
nspawn_pid=$!

inside() { # run a command in the booted container, as a login shell would
    local nspawn init
    nspawn=$(pgrep -P "$nspawn_pid" -x systemd-nspawn | head -1)   # timeout -> nspawn -> systemd
    init=$(pgrep -P "$nspawn" -x systemd | head -1)
    nsenter -t "$init" -a env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
}
fail() {
    echo "e2e: FAILED: $*"
    tail -20 "$work/console.log"
    inside journalctl -u vigia.service --no-pager -n 30 2>/dev/null || true
    exit 1
}
wait_for() { # description, seconds, condition...
    local what=$1 limit=$2; shift 2
    for _ in $(seq $((limit * 10))); do
        if "$@" 2>/dev/null; then echo "e2e: ok: $what"; return 0; fi
        sleep 0.1
    done
    fail "waiting for: $what"
}
check() { # description, condition...
    local what=$1; shift
    if "$@"; then echo "e2e: ok: $what"; else fail "$what"; fi
}
log=$root/var/log/vigia/vigia.log
# Conditions are functions, evaluated anew on every try.
booted() { inside systemctl is-system-running --wait >/dev/null 2>&1 || inside systemctl is-system-running | grep -q degraded; }
lines() { grep -c " $1 web " "$log" 2>/dev/null || true; }
sent() { grep -c "$1" "$work/sent.jsonl" 2>/dev/null || true; }
logged() { [ "$(lines "$1")" -ge "$2" ]; }
delivered() { [ "$(sent "$1")" -ge "$2" ]; }
timer_active() { inside systemctl is-active --quiet vigia.timer; }
# The admin's first step, unattended: the token from the environment, never argv.
token=123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw
init_unattended() { # output file
    inside env VIGIA_TOKEN="$token" vigia init --chat-id 42 --url "web=http://127.0.0.1:$site_port/" \
        --api-url "http://127.0.0.1:$bot_port" --yes >"$1" 2>&1 || { cat "$1"; return 1; }
}
no_failed_unit() { [ -z "$(inside systemctl list-units --failed --plain --no-legend 'vigia*')" ]; }

wait_for "the container booted" 60 booted
inside apt-get install -y -q /root/vigia.deb >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get install"; }
echo "e2e: ok: apt-get install ./vigia.deb"
check "the timer is not enabled by the package" eval '! inside systemctl is-enabled --quiet vigia.timer'
check "/etc/vigia is 0700" test "$(stat -c %a "$root/etc/vigia")" = 700
check "the user vigia exists" eval "inside getent passwd vigia >/dev/null"
check "man vigia and man vigia.toml are installed" test -f "$root/usr/share/man/man1/vigia.1.gz" -a -f "$root/usr/share/man/man5/vigia.toml.5.gz"

init_unattended "$work/init.log" || fail "vigia init"
# One attempt and a short timeout, for the test's pace.
sed -i -e 's/^# attempts = .*/attempts = 1/' -e 's/^# timeout = "10s" .*/timeout = "1s"/' "$root/etc/vigia/config.toml"
check "init enabled the timer" inside systemctl is-enabled --quiet vigia.timer
wait_for "the timer is active" 10 timer_active
wait_for "the timer ran check and logged web ONLINE" 30 logged ONLINE 1
check "vigia 0.1's log was moved out of private/ and kept" eval 'test ! -L "$root/var/log/vigia" -a ! -L "$root/var/lib/vigia" && grep -q " ONLINE old " "$log"'
check "the log is vigia:adm 0640 in a 0750 directory" test "$(inside stat -c '%U:%G %a' /var/log/vigia/vigia.log /var/log/vigia | tr '\n' ' ')" = "vigia:adm 640 vigia:adm 750 "

# An upgrade (here the same version again): the timer goes on, the config is untouched.
sum=$(md5sum <"$root/etc/vigia/config.toml")
inside dpkg -i /root/vigia.deb >"$work/upgrade.log" 2>&1 || { cat "$work/upgrade.log"; fail "dpkg -i over the installed package"; }
check "after an upgrade the timer is still enabled and active, the config unchanged" eval 'inside systemctl is-enabled --quiet vigia.timer && inside systemctl is-active --quiet vigia.timer && [ "$(md5sum <"$root/etc/vigia/config.toml")" = "$sum" ]'

echo 503 >"$work/status"
wait_for "web OFFLINE logged" 20 logged OFFLINE 1
wait_for "the down alert reached the Bot API" 20 delivered 'is DOWN' 1
check "the outage is in the journal at warning" eval 'inside journalctl -u vigia.service -p warning -o cat --no-pager | grep -q "^OFFLINE web"'

# A member of adm reads the status, and cannot read the token.
inside useradd -m -G adm ann
inside runuser -u ann -- vigia status >"$work/ann-status" 2>&1 || { cat "$work/ann-status"; fail "vigia status as a member of adm"; }
check "a member of adm sees web OFFLINE in vigia status" grep -q "^web  *OFFLINE" "$work/ann-status"
inside runuser -u ann -- vigia status --json >"$work/ann-status.json" 2>&1 || { cat "$work/ann-status.json"; fail "status --json as adm"; }
check "and in vigia status --json" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [t["state"] for t in d["targets"]] == ["OFFLINE"], d' "$work/ann-status.json"
check "a member of adm cannot read the config" eval '! inside runuser -u ann -- cat /etc/vigia/config.toml >/dev/null 2>&1'
check "a user outside adm cannot read the log" eval 'inside useradd -m bob && ! inside runuser -u bob -- cat /var/log/vigia/vigia.log >/dev/null 2>&1'
inside runuser -u bob -- vigia status >"$work/bob-status" 2>&1 && fail "vigia status worked for a user outside adm"
check "and vigia status tells them to join adm" grep -q "join it (sudo adduser \$USER adm" "$work/bob-status"

echo 200 >"$work/status"
wait_for "web ONLINE again, recovery delivered" 20 delivered 'is UP again' 1

# The shipped logrotate rule, forced: the log moves aside, a new one is made for the
# service, and the runs after it neither lose the state nor invent an alert.
messages=$(wc -l <"$work/sent.jsonl")
inside logrotate --force /etc/logrotate.d/vigia || fail "logrotate"
check "logrotate moved the log aside and made a new one, vigia:adm 0640" test "$(inside stat -c '%U:%G %a' /var/log/vigia/vigia.log.1 /var/log/vigia/vigia.log | tr '\n' ' ')" = "vigia:adm 640 vigia:adm 640 "
stamp=$(stat -c %Y "$root/var/lib/vigia/last-check")
ran_since() { [ "$(stat -c %Y "$root/var/lib/vigia/last-check")" -gt "$stamp" ]; }
wait_for "a run after the rotation" 10 ran_since
check "no alert after the rotation ($(wc -l <"$work/sent.jsonl") messages, $messages before)" test "$(wc -l <"$work/sent.jsonl")" = "$messages"

# By hand, as root, inside: shares the log and the outbox; the service goes on after it.
echo 503 >"$work/status"
inside vigia check >"$work/byhand.log" 2>&1 || true
grep -q "web  DOWN  HTTP 503" "$work/byhand.log" || { cat "$work/byhand.log"; fail "check by hand"; }
echo 200 >"$work/status"
wait_for "the service recovers web after a root run (no permission trouble)" 20 delivered 'is UP again' 2
wait_for "no vigia unit has failed" 5 no_failed_unit

# A quiet minute: nothing changes for a few runs; the journal must not grow at all.
sleep 4
runs_before=$(stat -c %Y "$root/var/lib/vigia/last-check")
cursor=$(inside journalctl -u vigia.service -n 1 --show-cursor --no-pager | sed -n 's/^-- cursor: //p')
[ -n "$cursor" ] || fail "no journal cursor"
sleep 10
runs_after=$(stat -c %Y "$root/var/lib/vigia/last-check")
quiet=$(inside journalctl -u vigia.service -u vigia.timer --after-cursor "$cursor" --no-pager -o cat | wc -l)
check "the timer kept running during the quiet period" test "$runs_after" -gt "$runs_before"
check "quiet runs added $quiet journal lines (want 0)" test "$quiet" = 0
# Between runs (a run in progress has no summary yet).
summary_shown() { inside systemctl status vigia.service --no-pager >"$work/systemctl-status" 2>&1; grep -q 'Status: "1/1 up; checked at' "$work/systemctl-status"; }
wait_for "systemctl status shows the last run's summary" 5 summary_shown
grep 'Status:' "$work/systemctl-status" | sed 's/^ */    /'

# Commands from the chat, turned on in the config: a /status is answered within one timer
# interval (3 s here) plus the run, with no process running between the runs.
sed -i -e 's/^# commands = false .*/commands = true/' -e 's/^# commands_from = .*/commands_from = [42]/' "$root/etc/vigia/config.toml"
sleep 4   # a run with the new config: it reads the (empty) updates once
t0=$(date +%s.%N)
echo /status >>"$work/commands"
wait_for "a /status sent in the chat is answered" 20 delivered '📋 vigia on' 1
latency=$(python3 -c "print(f'{$(date +%s.%N) - $t0:.2f}')")
check "the answer came within the timer's 3 s plus the run (${latency} s)" python3 -c "import sys; sys.exit($latency > 5)"
echo "e2e: command latency ${latency} s (timer every 3 s)"
sleep 4   # more runs: each confirms by its offset what the one before read
check "the /status was answered once" test "$(sent '📋 vigia on')" = 1

# What the service sees of /var/log: its own directory only, though its group is adm.
# The unit's ExecStart is swapped for a look around, once, by a drop-in.
inside sh -c 'echo secret >/var/log/planted.log && chown root:adm /var/log/planted.log && chmod 640 /var/log/planted.log'
mkdir -p "$root/etc/systemd/system/vigia.service.d"
printf '[Service]\nExecStart=\nExecStart=/bin/sh -c "ls -A /var/log >/var/log/vigia/seen; cat /var/log/planted.log >>/var/log/vigia/seen 2>/dev/null; true"\n' \
    >"$root/etc/systemd/system/vigia.service.d/look.conf"
inside systemctl daemon-reload
inside systemctl start vigia.service
rm -r "$root/etc/systemd/system/vigia.service.d"
inside systemctl daemon-reload
check "the service sees no log in /var/log but its own ($(tr '\n' ' ' <"$root/var/log/vigia/seen"))" test "$(cat "$root/var/log/vigia/seen")" = vigia
rm "$root/var/log/vigia/seen" "$root/var/log/planted.log"

echo "e2e: journal of vigia.service (everything it kept):"
inside journalctl -u vigia.service --no-pager -o cat | sed 's/^/    /'
echo "e2e: $(wc -l <"$work/sent.jsonl") messages delivered; sent $(sent 'is DOWN') down, $(sent 'is UP again') up"
if grep -rq "$token" "$log" "$work/console.log" "$work/init.log" "$work/ann-status" "$root/var/lib/vigia"; then
    fail "the token appears in output or in the service's files"
fi

# Removal keeps the config, the state and the log, and leaves no failing unit.
inside dpkg -r vigia >"$work/remove.log" 2>&1 || { cat "$work/remove.log"; fail "dpkg -r"; }
echo "e2e: ok: dpkg -r vigia"
check "the timer is gone and disabled" eval '! inside systemctl is-enabled --quiet vigia.timer 2>/dev/null && ! test -e "$root/etc/systemd/system/timers.target.wants/vigia.timer"'
sleep 4   # a tick of the old timer, had it stayed
check "no vigia unit failed after removal" no_failed_unit
check "dpkg -r kept /etc/vigia/config.toml, the state and the log" test -f "$root/etc/vigia/config.toml" -a -f "$root/var/lib/vigia/state.json" -a -f "$log"

# Purge removes them; what remains is what the README says stays.
inside dpkg -P vigia >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "dpkg -P"; }
echo "e2e: ok: dpkg -P vigia"
(cd "$root" && find . -xdev -name '*vigia*' | sort) >"$work/after"
left=$(comm -13 "$work/before" "$work/after" | tr '\n' ' ')
check "purge left nothing named vigia (left: ${left:-nothing})" test -z "$left"
check "the system user vigia stays, as the README says" eval "inside getent passwd vigia >/dev/null"

# From source: make install (units in /usr/local/lib/systemd/system, which systemd
# reads), the timer runs the service; make uninstall removes exactly what it put.
(cd "$root" && find . -xdev | sort) >"$work/before-source"
make --no-print-directory -s build >/dev/null 2>&1
make --no-print-directory -s install DESTDIR="$root" >/dev/null
inside systemd-sysusers /usr/local/lib/sysusers.d/vigia.conf   # what install runs without DESTDIR
inside systemctl daemon-reload
check "systemd reads the unit from /usr/local/lib/systemd/system" eval 'inside systemctl show -P FragmentPath vigia.service | grep -qx /usr/local/lib/systemd/system/vigia.service'
init_unattended "$work/init2.log" || fail "vigia init after make install"
wait_for "the timer ran /usr/local/bin/vigia and logged web ONLINE" 30 logged ONLINE 1
inside systemctl disable --now vigia.timer 2>/dev/null
make --no-print-directory -s uninstall DESTDIR="$root" >/dev/null
inside systemctl daemon-reload
check "no vigia unit failed after make uninstall" no_failed_unit
(cd "$root" && find . -xdev | sort) >"$work/after-source"
left=$(comm -13 "$work/before-source" "$work/after-source" | grep -v -e '^\./var/log/journal' -e '^\./var/lib/systemd' | tr '\n' ' ')
# What the README says stays: the config (/etc/vigia), the state and the log.
check "make uninstall left only config, state and log (left: $left)" test "$left" = "./etc/vigia ./etc/vigia/config.toml ./var/lib/vigia ./var/lib/vigia/last-check ./var/lib/vigia/lock ./var/lib/vigia/state.json ./var/log/vigia ./var/log/vigia/vigia.log "
echo "e2e: passed"
