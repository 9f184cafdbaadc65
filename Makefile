# vigia: build, test, install, package. `make build` (as your user) makes everything
# `make install` copies, so that `sudo make install` never runs cargo; install never runs
# sudo or systemctl, and says what to run next. GNU paths; DESTDIR is honoured.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
DOCDIR     ?= $(DATADIR)/doc/vigia
SYSCONFDIR ?= /etc
# systemd reads units and sysusers.d from /usr/local/lib too; the distribution's own
# directories are only for PREFIX=/usr (the Debian package uses those).
ifeq ($(PREFIX),/usr)
UNITDIR     ?= $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
SYSUSERSDIR ?= $(shell pkg-config --variable=sysusersdir systemd 2>/dev/null || echo /usr/lib/sysusers.d)
else
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
endif
BASHDIR    ?= $(DATADIR)/bash-completion/completions
ZSHDIR     ?= $(DATADIR)/zsh/site-functions
FISHDIR    ?= $(DATADIR)/fish/vendor_completions.d
# What install created, so that uninstall removes exactly that.
MANIFEST    = $(DATADIR)/vigia/installed

CARGO   ?= cargo
# release for install, bench and the package; the tests install the debug build they have.
PROFILE ?= release
CARGO_PROFILE_FLAG = $(if $(filter release,$(PROFILE)),--release,)
BIN      = target/$(PROFILE)/vigia
GEN      = target/$(PROFILE)/generated
# The unit's start timeout comes from the one place the run's budget is set.
TIMEOUT_START_SEC := $(shell sed -n 's/^pub const START_TIMEOUT_SECS: u64 = \([0-9]*\);/\1/p' src/budget.rs)s
UNIT_SED = sed -e 's|@TIMEOUT_START_SEC@|$(TIMEOUT_START_SEC)|g'
# Security goal for the service (systemd-analyze security, lower is safer).
EXPOSURE_GOAL ?= 1.5
SUBCOMMANDS = init check status send outbox mute unmute ack report
VERSION    := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
DEB         = target/debian/vigia_$(VERSION)_$(shell dpkg --print-architecture 2>/dev/null || uname -m).deb

.PHONY: all build test lint units-check install-test install uninstall run bench browser-test e2e deb clean
.PHONY: fleet-check fleet-e2e

all: build

# The binary, then what install copies: man pages and completions (generated from the
# command line definition by vigia-generate) and the unit with the binary's path.
build:
	$(CARGO) build --locked $(CARGO_PROFILE_FLAG) --bin vigia --bin vigia-generate
	target/$(PROFILE)/vigia-generate $(GEN)
	$(UNIT_SED) -e 's|@BINDIR@|$(BINDIR)|g' systemd/vigia.service.in > $(GEN)/vigia.service

# Tests that need root are #[ignore]d with that reason; as root (as CI runs) they run too.
ROOT_TESTS = $(if $(filter 0,$(shell id -u)),-- --include-ignored,)

# The README's test command: unit and black-box tests, the units, the install layout.
test:
	$(CARGO) test --locked $(ROOT_TESTS)
	$(MAKE) --no-print-directory units-check PROFILE=debug
	$(MAKE) --no-print-directory build PROFILE=debug
	$(MAKE) --no-print-directory install-test PROFILE=debug

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

# systemd-analyze verify (every warning fails) and the exposure score against the goal.
units-check:
	@mkdir -p target/units-check
	$(UNIT_SED) -e 's|@BINDIR@|$(CURDIR)/target/$(PROFILE)|g' systemd/vigia.service.in > target/units-check/vigia.service
	cp systemd/vigia.timer target/units-check/vigia.timer
	tests/units-check.sh target/units-check $(EXPOSURE_GOAL)

# made DIR: the shell loop that sets $made to the directories above and at DIR that do
# not exist yet, outermost first. put MODE SOURCE DEST: installs one file; records it,
# and each directory it had to make, in the manifest.
made = d="$(DESTDIR)$(1)"; made=; while [ ! -d "$$d" ]; do made="$$d $$made"; d=$$(dirname "$$d"); done
record_made = for m in $$made; do m=$${m\#$(DESTDIR)}; [ -z "$$m" ] || echo "dir $$m"; done >>"$(DESTDIR)$(MANIFEST).new"
put = $(call made,$(patsubst %/,%,$(dir $(3)))); \
	install -Dm$(1) "$(2)" "$(DESTDIR)$(3)" && $(record_made) && \
	echo "file $(3)" >>"$(DESTDIR)$(MANIFEST).new"
MANIFEST_DIR = $(patsubst %/,%,$(dir $(MANIFEST)))

install:
	@test -x $(BIN) -a -f $(GEN)/vigia.1 -a -f $(GEN)/vigia.service || { \
		echo "run 'make build' first, as your user (install never runs cargo)"; exit 1; }
	@grep -qx 'ExecStart=$(BINDIR)/vigia check --quiet' $(GEN)/vigia.service || { \
		echo "$(GEN)/vigia.service was built for another BINDIR: run 'make build BINDIR=$(BINDIR)'"; exit 1; }
	@$(call made,$(MANIFEST_DIR)); mkdir -p "$(DESTDIR)$(MANIFEST_DIR)" && \
		: >"$(DESTDIR)$(MANIFEST).new" && $(record_made)
	@$(call put,755,$(BIN),$(BINDIR)/vigia)
	@$(call put,644,$(GEN)/vigia.service,$(UNITDIR)/vigia.service)
	@$(call put,644,systemd/vigia.timer,$(UNITDIR)/vigia.timer)
	@$(call put,644,systemd/vigia.sysusers,$(SYSUSERSDIR)/vigia.conf)
	@$(call put,644,systemd/vigia.logrotate,$(SYSCONFDIR)/logrotate.d/vigia)
	@$(call put,644,$(GEN)/vigia.1,$(MANDIR)/man1/vigia.1)
	@$(foreach s,$(SUBCOMMANDS),$(call put,644,$(GEN)/vigia-$(s).1,$(MANDIR)/man1/vigia-$(s).1);)
	@$(call put,644,doc/vigia.toml.5,$(MANDIR)/man5/vigia.toml.5)
	@$(call put,644,$(GEN)/vigia.bash,$(BASHDIR)/vigia)
	@$(call put,644,$(GEN)/_vigia,$(ZSHDIR)/_vigia)
	@$(call put,644,$(GEN)/vigia.fish,$(FISHDIR)/vigia.fish)
	@$(call put,644,README.md,$(DOCDIR)/README.md)
	@$(call put,644,doc/config.example.toml,$(DOCDIR)/examples/config.toml)
	@if [ ! -d "$(DESTDIR)$(SYSCONFDIR)/vigia" ]; then \
		install -dm700 "$(DESTDIR)$(SYSCONFDIR)/vigia" && echo "dir $(SYSCONFDIR)/vigia" >>"$(DESTDIR)$(MANIFEST).new"; fi
	@# A second install keeps what the first made; each line once, in order.
	@cat "$(DESTDIR)$(MANIFEST)" "$(DESTDIR)$(MANIFEST).new" 2>/dev/null | awk '!seen[$$0]++' >"$(DESTDIR)$(MANIFEST).tmp"
	@echo "file $(MANIFEST)" >>"$(DESTDIR)$(MANIFEST).tmp"
	@awk '!seen[$$0]++' "$(DESTDIR)$(MANIFEST).tmp" >"$(DESTDIR)$(MANIFEST)" && rm -f "$(DESTDIR)$(MANIFEST).tmp" "$(DESTDIR)$(MANIFEST).new"
	@sed -n 's/^file /  installed /p' "$(DESTDIR)$(MANIFEST)"
	@# The service's user, as the package's postinst makes it (not into a DESTDIR).
	@if [ -z "$(DESTDIR)" ]; then \
		if command -v systemd-sysusers >/dev/null; then systemd-sysusers $(SYSUSERSDIR)/vigia.conf; \
		else echo "no systemd-sysusers: create the system user vigia yourself (see $(SYSUSERSDIR)/vigia.conf)"; fi; fi
	@echo
	@echo "vigia is installed. Next:"
	@echo "  sudo systemctl daemon-reload"
	@echo "  sudo vigia init        # bot, chat, URLs; writes $(SYSCONFDIR)/vigia/config.toml; enables the timer"
	@echo "  systemctl list-timers vigia.timer"

# Removes exactly what install recorded in its manifest: files, then the directories
# install made, innermost first and only if empty. Refuses while the timer is enabled.
uninstall:
	@test -f "$(DESTDIR)$(MANIFEST)" || { echo "no $(DESTDIR)$(MANIFEST): nothing was installed with PREFIX=$(PREFIX)"; exit 1; }
	@if [ -z "$(DESTDIR)" ] && systemctl is-enabled --quiet vigia.timer 2>/dev/null; then \
		echo "vigia.timer is enabled: first run"; \
		echo "  sudo systemctl disable --now vigia.timer"; exit 1; fi
	@list=$$(cat "$(DESTDIR)$(MANIFEST)"); \
	echo "$$list" | sed -n 's/^file //p' | while read -r f; do rm -f "$(DESTDIR)$$f" && echo "  removed $$f"; done; \
	echo "$$list" | sed -n 's/^dir //p' | sort -r | while read -r d; do rmdir "$(DESTDIR)$$d" 2>/dev/null || true; done
	@if [ -z "$(DESTDIR)" ]; then \
		echo; echo "Left in place (see the README, \"Uninstall\"):"; \
		for p in $(SYSCONFDIR)/vigia /var/lib/vigia /var/log/vigia; do [ -e $$p ] && echo "  $$p"; done; \
		getent passwd vigia >/dev/null && echo "  the system user vigia"; \
		echo "To remove them: sudo systemctl clean --what=state --what=logs vigia.service; sudo rm -r $(SYSCONFDIR)/vigia"; \
		true; fi

# Installs into a temp DESTDIR, compares the listing, uninstalls, expects nothing left.
install-test:
	tests/install-test.sh $(PROFILE)

# Check one URL with no config: make run URL=https://example.org/
# A debug build (RUN_PROFILE=release for the other): on a fresh clone the release
# profile (LTO, one codegen unit) takes minutes to build for a check of one URL. The log
# and the state stay in target/run, as root too (not the service's /var/lib/vigia).
RUN_PROFILE ?= debug
run:
	@test -n "$(URL)" || { echo "usage: make run URL=http://..."; exit 2; }
	@mkdir -p target/run
	STATE_DIRECTORY=$(CURDIR)/target/run LOGS_DIRECTORY=$(CURDIR)/target/run \
		$(CARGO) run --locked --quiet $(if $(filter release,$(RUN_PROFILE)),--release,) --bin vigia -- check --url "$(URL)"

bench: build
	bench/run.sh

# The status page in headless Chromium (Debian's chromium; .ci/run installs it): no
# console message, no horizontal scroll at 375 px, 90 cells a bar, the figures of
# status --json; screenshots in target/browser/. Not in `make test`, which needs no
# browser; without one it fails, never skips.
browser-test:
	@command -v $${CHROMIUM:-chromium} >/dev/null || { echo "browser-test needs chromium: apt-get install chromium"; exit 1; }
	$(CARGO) test --locked --test browser -- --nocapture

# The Debian package, built with cargo-deb (`cargo install cargo-deb`) from the release
# build and what `make build` generated (Cargo.toml's assets name target/release);
# metadata in Cargo.toml, scripts in debian/.
deb:
	$(MAKE) --no-print-directory build PREFIX=/usr PROFILE=release
	@mkdir -p target/release/generated/deb
	gzip -9nc debian/changelog >target/release/generated/deb/changelog.gz
	for page in target/release/generated/*.1; do gzip -9nc $$page >target/release/generated/deb/$${page##*/}.gz; done
	$(CARGO) deb --locked --no-build --no-strip --output $(DEB)
	@if command -v lintian >/dev/null; then lintian --fail-on error,warning $(DEB) && echo "lintian: clean"; \
	else echo "lintian is not installed: the package was not checked"; fi

# A real systemd in a container installs the package (needs root, debootstrap,
# systemd-container and cargo-deb).
e2e: deb
	tests/e2e.sh $(DEB)

# The fleet's Prometheus rules and Alertmanager config (doc/fleet, README "A fleet of
# checkers"): checked, and the rules' unit tests run, by Debian's promtool and amtool.
fleet-check:
	promtool check rules doc/fleet/vigia.rules.yml
	cd doc/fleet && promtool test rules vigia.rules.test.yml
	amtool check-config doc/fleet/alertmanager.yml

# Prometheus, Alertmanager, node_exporter and three checkers together on loopback, with a
# fake Bot API (needs the Debian packages prometheus, prometheus-alertmanager and
# prometheus-node-exporter; about two minutes).
fleet-e2e: fleet-check
	$(CARGO) build --locked --bin vigia
	tests/fleet-e2e.sh target/debug/vigia

clean:
	$(CARGO) clean
