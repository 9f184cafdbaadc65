#!/bin/bash
# make install into a temp DESTDIR installs exactly the expected files (the binary path
# filled into the unit, units where systemd reads a /usr/local install), and make
# uninstall removes exactly what install made: not a directory that was there before,
# not the user's config.
set -euo pipefail
profile=${1:-debug}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
fail() { echo "install-test: $*"; exit 1; }
# A directory that exists before install (as /usr/local/bin does on a real system).
mkdir -p "$dest/usr/local/bin"
make --no-print-directory -s install DESTDIR="$dest" PROFILE="$profile" >/dev/null
got=$(cd "$dest" && find . \( -type f -o -type d -empty \) -printf '%p %m\n' | sort)
want=$(sort <<'LIST'
./etc/logrotate.d/vigia 644
./etc/vigia 700
./usr/local/bin/vigia 755
./usr/local/lib/systemd/system/vigia.service 644
./usr/local/lib/systemd/system/vigia.timer 644
./usr/local/lib/sysusers.d/vigia.conf 644
./usr/local/share/bash-completion/completions/vigia 644
./usr/local/share/doc/vigia/README.md 644
./usr/local/share/doc/vigia/examples/config.toml 644
./usr/local/share/fish/vendor_completions.d/vigia.fish 644
./usr/local/share/man/man1/vigia-ack.1 644
./usr/local/share/man/man1/vigia-check.1 644
./usr/local/share/man/man1/vigia-init.1 644
./usr/local/share/man/man1/vigia-mute.1 644
./usr/local/share/man/man1/vigia-outbox.1 644
./usr/local/share/man/man1/vigia-report.1 644
./usr/local/share/man/man1/vigia-send.1 644
./usr/local/share/man/man1/vigia-status.1 644
./usr/local/share/man/man1/vigia-unmute.1 644
./usr/local/share/man/man1/vigia.1 644
./usr/local/share/man/man5/vigia.toml.5 644
./usr/local/share/vigia/installed 644
./usr/local/share/zsh/site-functions/_vigia 644
LIST
)
if [ "$got" != "$want" ]; then
    echo "install-test: installed files differ"; diff <(echo "$want") <(echo "$got") || true
    exit 1
fi
grep -qx 'ExecStart=/usr/local/bin/vigia check --quiet' "$dest/usr/local/lib/systemd/system/vigia.service" ||
    fail "ExecStart not filled in"
grep -q '^\.SH "EXIT STATUS"' "$dest/usr/local/share/man/man1/vigia.1" || fail "vigia(1) has no EXIT STATUS"
"$dest/usr/local/bin/vigia" --version >/dev/null
# Installing twice keeps the record of what the first install made.
make --no-print-directory -s install DESTDIR="$dest" PROFILE="$profile" >/dev/null
# The user's config stays, and so does its directory.
echo '# mine' >"$dest/etc/vigia/config.toml"
make --no-print-directory -s uninstall DESTDIR="$dest" >/dev/null
left=$(cd "$dest" && find . -mindepth 1 | sort | tr '\n' ' ')
[ "$left" = "./etc ./etc/vigia ./etc/vigia/config.toml ./usr ./usr/local ./usr/local/bin " ] ||
    fail "uninstall left or removed the wrong things: $left"
echo "install-test: install lists the 21 expected entries; uninstall leaves the config and the directories that were there before, nothing else"
