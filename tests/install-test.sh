#!/bin/bash
# make install into a temp DESTDIR installs exactly the expected files (with the binary
# path filled into the unit), and make uninstall leaves the DESTDIR empty.
set -euo pipefail
profile=${1:-debug}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make --no-print-directory -s install DESTDIR="$dest" PROFILE="$profile" UNITDIR=/usr/lib/systemd/system >/dev/null
got=$(cd "$dest" && find . \( -type f -o -type d -empty \) -printf '%p %m\n' | sort)
want=$(sort <<'LIST'
./etc/vigia 700
./usr/lib/systemd/system/vigia.service 644
./usr/lib/systemd/system/vigia.timer 644
./usr/local/bin/vigia 755
./usr/local/share/bash-completion/completions/vigia 644
./usr/local/share/fish/vendor_completions.d/vigia.fish 644
./usr/local/share/man/man1/vigia.1 644
./usr/local/share/zsh/site-functions/_vigia 644
LIST
)
if [ "$got" != "$want" ]; then
    echo "install-test: installed files differ"; diff <(echo "$want") <(echo "$got") 2>/dev/null || printf 'want:\n%s\ngot:\n%s\n' "$want" "$got"
    exit 1
fi
grep -qx 'ExecStart=/usr/local/bin/vigia check --quiet' "$dest/usr/lib/systemd/system/vigia.service" || {
    echo "install-test: ExecStart not filled in"; exit 1; }
grep -q '^\.TH vigia 1' "$dest/usr/local/share/man/man1/vigia.1" || { echo "install-test: no man page"; exit 1; }
"$dest/usr/local/bin/vigia" --version >/dev/null
make --no-print-directory -s uninstall DESTDIR="$dest" UNITDIR=/usr/lib/systemd/system
left=$(find "$dest" -mindepth 1)
[ -z "$left" ] || { echo "install-test: uninstall left:"; echo "$left"; exit 1; }
echo "install-test: install lists the 8 expected entries; uninstall leaves nothing"
