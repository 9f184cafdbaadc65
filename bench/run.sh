#!/bin/bash
# make bench: vigia against curl (and the cron + Python recipe) on loopback, side by
# side in one run. Reports; never gates. Needs hyperfine and /usr/bin/time (Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/vigia}
RUNS=${RUNS:-50}
for tool in hyperfine /usr/bin/time curl python3; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install hyperfine time curl)"; exit 1; }
done
[ -x "$BIN" ] || { echo "bench: build first (make build)"; exit 1; }

work=$(mktemp -d)
coproc SERVERS { exec python3 bench/servers.py "$work/bot-calls" "$work/am-posts"; }
tls_pid=
trap 'exec {SERVERS[1]}>&-; kill $SERVERS_PID $tls_pid 2>/dev/null; rm -rf "$work"' EXIT

# An https site on loopback: a private CA, a certificate for 127.0.0.1, openssl s_server.
# Both vigia and curl trust the system bundle with that CA appended (the usual cost).
( cd "$work"
  ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -subj "/CN=bench CA" -days 30 -keyout ca.key -out ca.pem \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
  openssl req "${ec[@]}" -subj /CN=127.0.0.1 -keyout leaf.key -out leaf.csr 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' > leaf.ext
  openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
      -extfile leaf.ext -out leaf.pem 2>/dev/null
  cat /etc/ssl/certs/ca-certificates.crt ca.pem > bundle.pem )
tls_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
openssl s_server -quiet -www -accept "127.0.0.1:$tls_port" -cert "$work/leaf.pem" -key "$work/leaf.key" \
    </dev/null >/dev/null 2>&1 &
tls_pid=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$tls_port") 2>/dev/null && break; sleep 0.05; done
tls_url="https://127.0.0.1:$tls_port/"
read -r site_port hang_port site_ports hang_ports bot_port am_port <&"${SERVERS[0]}"
IFS=, read -r -a site_list <<<"$site_ports"
IFS=, read -r -a hang_list <<<"$hang_ports"
url="http://127.0.0.1:$site_port/ok"

# One config per scenario; no Telegram (alerts would go to stdout, there are none).
mkconf() { # name log targets...
    local name=$1 log=$2; shift 2
    { printf '[check]\ntimeout = "2s"\nattempts = 1\nlog_file = "%s"\nstate_dir = "%s/state-%s"\n' "$log" "$work" "$name"
      for t in "$@"; do printf '\n[[target]]\n%s\n' "$t"; done; } > "$work/$name.toml"
}
one="name = \"web\"
url = \"$url\""
mkconf tiny "$work/tiny.log" "$one"
mkconf tls "$work/tls.log" "name = \"secure\"
url = \"$tls_url\""
mkconf big "$work/big.log" "$one"
# The same quiet target with every rule of "fewer, truer alerts" on.
mkconf rules "$work/rules.log" "$one
confirm = 2
recover = 2
flapping = \"5/1h\"
slow = \"1s\"
remind_every = \"1h\""
# The same quiet site with every body rule on (JSON, regex, text that must be absent).
mkconf body "$work/body.log" "name = \"api\"
url = \"http://127.0.0.1:$site_port/health.json\"
contains = \"ok\"
not_contains = \"Maintenance\"
matches = '\"version\":\"\\d+\\.\\d+\"'
domain_warn_days = [30, 7, 1]
[target.json]
\"/status\" = \"ok\"
\"/checks/db/healthy\" = true"
# The tiny config with the status page and a weekly report configured.
mkdir -p "$work/www"
{ cat "$work/tiny.toml" | sed "s|state-tiny|state-page|; s|tiny.log|page.log|"
  printf '\n[status_page]\nfile = "%s/www/index.html"\n\n[report]\nevery = "weekly"\n' "$work"; } > "$work/page.toml"
targets=()
for i in $(seq 1 60); do
    if [ $((i % 3)) -eq 0 ]; then port=$hang_port; else port=$site_port; fi
    targets+=("name = \"t$i\"
url = \"http://127.0.0.1:$port/\"")
done
mkconf many "$work/many.log" "${targets[@]}"
# 1000 healthy targets on 20 sites and 100 that never answer on 25 ports.
targets=()
for i in $(seq 0 1099); do
    if [ "$i" -lt 1000 ]; then port=${site_list[$((i % ${#site_list[@]}))]}; else port=${hang_list[$((i % ${#hang_list[@]}))]}; fi
    targets+=("name = \"s$i\"
url = \"http://127.0.0.1:$port/p$i\"")
done
mkconf scale "$work/scale.log" "${targets[@]}"
# The tiny config with a bot: commands from the chat off (the default), then on.
for cmds in off on; do
    { printf '[telegram]\ntoken = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"\nchat_id = 42\n'
      printf 'api_url = "http://127.0.0.1:%s"\n' "$bot_port"
      [ "$cmds" = on ] && printf 'commands = true\ncommands_from = [42]\n'
      printf '\n'; cat "$work/tiny.toml"; } | sed "s|state-tiny|state-cmd$cmds|; s|tiny.log|cmd$cmds.log|" > "$work/cmd$cmds.toml"
    chmod 600 "$work/cmd$cmds.toml"
done

# One target down (connection refused at once), then the same posting it to Alertmanager
# (README "A fleet of checkers"): the difference is the post's cost.
refused=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkconf down "$work/down.log" "name = \"web\"
url = \"http://127.0.0.1:$refused/\""
{ cat "$work/down.toml"; printf '\n[alertmanager]\nurl = "http://127.0.0.1:%s"\n' "$am_port"; } |
    sed "s|state-down|state-amdown|; s|down.log|amdown.log|" > "$work/amdown.toml"

# A 512 MiB log of other targets' transitions, then web's last line at the very end.
python3 - "$work/big.log" <<'PY'
import sys
line = b"2026-01-01T00:00:00+00:00 OFFLINE other connection refused (http://192.0.2.1/)\n"
block = line * (1 << 20 // len(line) + 1)
with open(sys.argv[1], "wb") as f:
    while f.tell() < 512 << 20:
        f.write(block)
PY
"$BIN" -c "$work/tiny.toml" check --quiet >/dev/null   # first state: ONLINE
"$BIN" -c "$work/cmdoff.toml" check --quiet >/dev/null
"$BIN" -c "$work/cmdon.toml" check --quiet >/dev/null
SSL_CERT_FILE="$work/bundle.pem" "$BIN" -c "$work/tls.toml" check --quiet >/dev/null
"$BIN" -c "$work/rules.toml" check --quiet >/dev/null
"$BIN" -c "$work/down.toml" check --quiet >/dev/null || true   # first state: OFFLINE
"$BIN" -c "$work/amdown.toml" check --quiet >/dev/null || true
"$BIN" -c "$work/body.toml" check --quiet >/dev/null
"$BIN" -c "$work/page.toml" check --quiet >/dev/null
# status over 2 million transitions of one flapping target in the last 30 days.
python3 - "$work/flap.log" <<'PY'
import datetime, sys
now = datetime.datetime.now(datetime.timezone.utc)
start, n = now - datetime.timedelta(days=29), 2_000_000
step = (now - start) / n
with open(sys.argv[1], "w") as f:
    for i in range(n):
        t = (start + step * i).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        f.write(f"{t} OFFLINE web HTTP 503 Service Unavailable (http://127.0.0.1/)\n" if i % 2 == 0
                else f"{t} ONLINE web HTTP 200 in 1 ms after 1s down\n")
PY
mkconf flap "$work/flap.log" "$one"
"$BIN" -c "$work/big.toml" check --quiet >/dev/null
cp "$work/tiny.log" "$work/recipe.log"

hf() { # name command... -> median wall, mean user+sys (s)
    local name=$1; shift
    hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$work/$name.json" "$@" >/dev/null 2>&1
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["median"], r["user"]+r["system"])' "$work/$name.json"
}
rss() { # peak RSS in KiB, the largest of 10 runs
    local max=0 kb
    for _ in $(seq 10); do
        /usr/bin/time -o "$work/rss" -f '%M' "$@" >/dev/null 2>&1 || true
        kb=$(tail -1 "$work/rss")
        [ "$kb" -gt "$max" ] && max=$kb
    done
    echo "$max"
}
ms() { python3 -c "print(f'{float(\"$1\")*1000:.2f}')"; }
ratio() { python3 -c "print(f'{float(\"$1\")/float(\"$2\"):.2f}')"; }

read -r curl_wall curl_cpu < <(hf curl "curl -s -o /dev/null $url")
read -r v_wall v_cpu < <(hf vigia "$BIN -c $work/tiny.toml check --quiet")
read -r big_wall big_cpu < <(hf big "$BIN -c $work/big.toml check --quiet")
read -r rules_wall rules_cpu < <(hf rules "$BIN -c $work/rules.toml check --quiet")
read -r body_wall body_cpu < <(hf body "$BIN -c $work/body.toml check --quiet")
# Quiet runs keep a page younger than a minute; a change (or its age) rewrites it.
read -r page_wall page_cpu < <(hf page "$BIN -c $work/page.toml check --quiet")
read -r pagew_wall pagew_cpu < <(hf pagew --prepare "rm -f $work/www/index.html" "$BIN -c $work/page.toml check --quiet")
# Bot API requests of a quiet run: counted at the fake, over the hyperfine runs.
calls() { [ -f "$work/bot-calls" ] && wc -l < "$work/bot-calls" || echo 0; }
posts() { [ -f "$work/am-posts" ] && wc -l < "$work/am-posts" || echo 0; }
per_run() { python3 -c "print(f'{($2-$1)/$3:.2f}')"; }
c0=$(calls); read -r off_wall off_cpu < <(hf cmdoff "$BIN -c $work/cmdoff.toml check --quiet"); c1=$(calls)
read -r on_wall on_cpu < <(hf cmdon "$BIN -c $work/cmdon.toml check --quiet"); c2=$(calls)
off_calls=$(per_run "$c0" "$c1" $((RUNS + 3))); on_calls=$(per_run "$c1" "$c2" $((RUNS + 3)))
read -r down_wall down_cpu < <(hf down -i "$BIN -c $work/down.toml check --quiet")
p0=$(posts); read -r am_wall am_cpu < <(hf amdown -i "$BIN -c $work/amdown.toml check --quiet"); p1=$(posts)
am_posts=$(per_run "$p0" "$p1" $((RUNS + 3)))
read -r tcurl_wall tcurl_cpu < <(hf tcurl "curl -s -o /dev/null --cacert $work/bundle.pem $tls_url")
read -r tls_wall tls_cpu < <(SSL_CERT_FILE="$work/bundle.pem" hf tls "$BIN -c $work/tls.toml check --quiet")
read -r st_wall st_cpu < <(RUNS=5 hf status "$BIN -c $work/flap.toml status")
st_rss=$(rss "$BIN" -c "$work/flap.toml" status)
tls_rss=$(SSL_CERT_FILE="$work/bundle.pem" rss "$BIN" -c "$work/tls.toml" check --quiet)
if command -v strace >/dev/null; then
    quiet_calls=$(strace -f -c -o "$work/strace" "$BIN" -c "$work/tiny.toml" check --quiet >/dev/null 2>&1; awk '/^100.00/ {print $4}' "$work/strace")
else
    quiet_calls="- (no strace)"
fi
curl_rss=$(rss curl -s -o /dev/null "$url")
v_rss=$(rss "$BIN" -c "$work/tiny.toml" check --quiet)
big_rss=$(rss "$BIN" -c "$work/big.toml" check --quiet)
rules_rss=$(rss "$BIN" -c "$work/rules.toml" check --quiet)
body_rss=$(rss "$BIN" -c "$work/body.toml" check --quiet)
start=$(date +%s.%N); "$BIN" -c "$work/many.toml" check --quiet >/dev/null || true; end=$(date +%s.%N)
many=$(python3 -c "print(f'{$end-$start:.2f}')")
down=$(grep -c ' OFFLINE ' "$work/many.log" || true)
# Under the common soft and hard limit of 1024 open files, in a shell of its own.
/usr/bin/time -o "$work/scale.rss" -f '%e %M' bash -c "ulimit -n 1024; exec $BIN -c $work/scale.toml check --quiet" >/dev/null 2>"$work/scale.err" || true
read -r scale_wall scale_rss < <(tail -1 "$work/scale.rss")
scale_false=$(grep ' OFFLINE s' "$work/scale.log" | awk '{print $3}' | sed 's/^s//' | awk '$1 < 1000' | wc -l)
scale_down=$(grep -c ' OFFLINE ' "$work/scale.log" || true)
scale_faults=$(grep -c 'could not check' "$work/scale.err" || true)

printf '\nvigia benchmark, %s, %s, %s cores, %s\n' "$(date -u +%Y-%m-%d)" "$(uname -m)" "$(nproc)" "$(hyperfine --version)"
printf 'hyperfine -N, %s runs after 3 warm-ups; peak RSS = max of 10 runs (/usr/bin/time %%M)\n\n' "$RUNS"
printf '| %-46s | %10s | %9s | %9s | %-34s |\n' "what" "median ms" "cpu ms" "peak RSS" "vs goal"
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..48})" "------------" "-----------" "-----------" "------------------------------------"
row() { printf '| %-46s | %10s | %9s | %6s KiB | %-34s |\n' "$@"; }
row "curl -s -o /dev/null (one GET)" "$(ms "$curl_wall")" "$(ms "$curl_cpu")" "$curl_rss" "baseline"
row "vigia check, 1 target up, tiny log" "$(ms "$v_wall")" "$(ms "$v_cpu")" "$v_rss" "$(ratio "$v_wall" "$curl_wall")x curl (goal <= 0.35)"
row "vigia check, 1 target up, 512 MiB log" "$(ms "$big_wall")" "$(ms "$big_cpu")" "$big_rss" "$(ratio "$big_wall" "$v_wall")x tiny (goal <= 1.5)"
row "vigia check, 1 target up, every alert rule on" "$(ms "$rules_wall")" "$(ms "$rules_cpu")" "$rules_rss" "$(ratio "$rules_wall" "$v_wall")x tiny (goal <= 1.1)"
row "vigia check, 1 target up, every body rule on" "$(ms "$body_wall")" "$(ms "$body_cpu")" "$body_rss" "$(ratio "$body_wall" "$v_wall")x tiny (goal <= 1.1)"
row "vigia check, 1 up, page + report configured" "$(ms "$page_wall")" "$(ms "$page_cpu")" "-" "+$(python3 -c "print(f'{(float(\"$page_wall\")-float(\"$v_wall\"))*1000:.2f}')") ms vs tiny (goal <= 1)"
row "vigia check, 1 up, page rewritten this run" "$(ms "$pagew_wall")" "$(ms "$pagew_cpu")" "-" "+$(python3 -c "print(f'{(float(\"$pagew_wall\")-float(\"$v_wall\"))*1000:.2f}')") ms vs tiny (a change, or once a minute)"
row "vigia check, 1 target up, commands off" "$(ms "$off_wall")" "$(ms "$off_cpu")" "-" "$off_calls Bot API requests/run (goal 0)"
row "vigia check, 1 target up, commands on" "$(ms "$on_wall")" "$(ms "$on_cpu")" "-" "$on_calls Bot API requests/run (goal 1)"
row "vigia check, 1 target down" "$(ms "$down_wall")" "$(ms "$down_cpu")" "-" "baseline of the next row"
row "vigia check, 1 target down, to Alertmanager" "$(ms "$am_wall")" "$(ms "$am_cpu")" "-" "+$(python3 -c "print(f'{(float(\"$am_wall\")-float(\"$down_wall\"))*1000:.2f}')") ms; $am_posts posts/run (goal 1)"
row "curl --cacert bundle (one https GET)" "$(ms "$tcurl_wall")" "$(ms "$tcurl_cpu")" "-" "https baseline"
row "vigia check, 1 https target up" "$(ms "$tls_wall")" "$(ms "$tls_cpu")" "$tls_rss" "$(ratio "$tls_wall" "$tcurl_wall")x curl (goal <= 1)"
row "vigia status, 2M transitions in 30 days" "$(ms "$st_wall")" "$(ms "$st_cpu")" "$st_rss" "goal <= 65536 KiB"
if python3 -c 'import requests' 2>/dev/null; then
    read -r py_wall py_cpu < <(RUNS=10 hf recipe "python3 bench/recipe.py $url $work/recipe.log")
    py_rss=$(rss python3 bench/recipe.py "$url" "$work/recipe.log")
    cp "$work/big.log" "$work/recipe-big.log"
    read -r pyb_wall pyb_cpu < <(RUNS=3 hf recipebig "python3 bench/recipe.py $url $work/recipe-big.log")
    row "cron recipe (python3 + requests), tiny log" "$(ms "$py_wall")" "$(ms "$py_cpu")" "$py_rss" "$(ratio "$py_wall" "$curl_wall")x curl"
    row "cron recipe (python3 + requests), 512 MiB log" "$(ms "$pyb_wall")" "$(ms "$pyb_cpu")" "-" "$(ratio "$pyb_wall" "$py_wall")x its tiny-log time"
else
    row "cron recipe: skipped (python3 requests missing)" "-" "-" "-" "apt-get install python3-requests"
fi
printf '| %-46s | %10s | %9s | %9s | %-34s |\n' "vigia check, 60 targets, 20 hang, timeout 2s" "$(ms "$many")" "-" "-" "$(ratio "$many" 2)x timeout (goal <= 2), $down down"
printf '| %-46s | %10s | %9s | %6s KiB | %-34s |\n' "vigia check, 1000 up + 100 hang, ulimit -n 1024" "$(python3 -c "print(f'{float(\"$scale_wall\")*1000:.0f}')")" "-" "$scale_rss" "$scale_down down, $scale_false false OFFLINE, $scale_faults faults"
printf '\nquiet run (1 http target up, nothing to send): %s system calls\n' "$quiet_calls"
size=$(stat -c %s "$BIN")
printf '\nbinary: %s bytes (%.1f MiB), release profile: %s\n' "$size" "$(python3 -c "print($size/1048576)")" \
    "$(sed -n '/^\[profile.release\]/,/^\[/p' Cargo.toml | grep = | tr '\n' ' ')"
