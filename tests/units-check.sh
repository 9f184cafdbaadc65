#!/bin/sh
# Checks the units in DIR: systemd-analyze verify must print nothing, and the service's
# exposure (systemd-analyze security --offline) must be at or below GOAL.
set -eu
dir=$1 goal=$2
out=$(systemd-analyze verify --man=no "$dir/vigia.service" "$dir/vigia.timer" 2>&1) || {
    echo "$out"; echo "units-check: systemd-analyze verify failed"; exit 1; }
if [ -n "$out" ]; then
    echo "$out"; echo "units-check: systemd-analyze verify warned"; exit 1
fi
echo "units-check: systemd-analyze verify: clean"
score=$(systemd-analyze security --offline=true "$dir/vigia.service" 2>&1 |
    sed -n 's/.*Overall exposure level for vigia.service: \([0-9.]*\).*/\1/p')
[ -n "$score" ] || { echo "units-check: no exposure score"; exit 1; }
echo "units-check: exposure $score (goal <= $goal)"
awk -v s="$score" -v g="$goal" 'BEGIN { exit !(s <= g) }' || {
    systemd-analyze security --offline=true "$dir/vigia.service" | grep -v '^  ✓' | head -40
    echo "units-check: exposure $score is above $goal"; exit 1; }
