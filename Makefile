# vigia: build, test, install. `make install` never runs sudo or systemctl; it says
# what to run next. Paths follow the GNU conventions; DESTDIR is honoured.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
SYSCONFDIR ?= /etc
# Ask systemd where system units go; fall back to the usual place.
UNITDIR    ?= $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
BASHDIR    ?= $(DATADIR)/bash-completion/completions
ZSHDIR     ?= $(DATADIR)/zsh/site-functions
FISHDIR    ?= $(DATADIR)/fish/vendor_completions.d

CARGO   ?= cargo
# release for install and bench; the tests install the debug build they already have.
PROFILE ?= release
CARGO_PROFILE_FLAG = $(if $(filter release,$(PROFILE)),--release,)
BIN      = target/$(PROFILE)/vigia
GEN      = target/$(PROFILE)/generated
# The unit's start timeout comes from the one place the run's budget is set.
TIMEOUT_START_SEC := $(shell sed -n 's/^pub const START_TIMEOUT_SECS: u64 = \([0-9]*\);/\1/p' src/budget.rs)s
UNIT_SED = sed -e 's|@TIMEOUT_START_SEC@|$(TIMEOUT_START_SEC)|g'
# Security goal for the service (systemd-analyze security, lower is safer).
EXPOSURE_GOAL ?= 1.5

.PHONY: all build test lint units-check install-test install uninstall run bench e2e clean

all: build

build:
	$(CARGO) build --locked $(CARGO_PROFILE_FLAG) --bin vigia

# Tests that need root are #[ignore]d with that reason; as root (as CI runs) they run too.
ROOT_TESTS = $(if $(filter 0,$(shell id -u)),-- --include-ignored,)

# The README's test command: unit and black-box tests, the units, the install layout.
test:
	$(CARGO) test --locked $(ROOT_TESTS)
	$(MAKE) --no-print-directory units-check PROFILE=debug
	$(MAKE) --no-print-directory install-test PROFILE=debug

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

$(GEN)/vigia.service: systemd/vigia.service.in
	@mkdir -p $(GEN)
	$(UNIT_SED) -e 's|@BINDIR@|$(BINDIR)|g' $< > $@

$(GEN)/vigia.timer: systemd/vigia.timer
	@mkdir -p $(GEN)
	cp $< $@

# systemd-analyze verify (every warning fails) and the exposure score against the goal.
units-check:
	@mkdir -p target/units-check
	$(UNIT_SED) -e 's|@BINDIR@|$(CURDIR)/target/$(PROFILE)|g' systemd/vigia.service.in > target/units-check/vigia.service
	cp systemd/vigia.timer target/units-check/vigia.timer
	tests/units-check.sh target/units-check $(EXPOSURE_GOAL)

generate:
	$(CARGO) run --locked --quiet $(CARGO_PROFILE_FLAG) --example generate -- $(GEN)

install: $(GEN)/vigia.service $(GEN)/vigia.timer
	@test -x $(BIN) || { echo "run 'make build' first (as your user, not root)"; exit 1; }
	@test -f $(GEN)/vigia.1 || $(MAKE) --no-print-directory generate
	install -Dm755 $(BIN) $(DESTDIR)$(BINDIR)/vigia
	install -Dm644 $(GEN)/vigia.service $(DESTDIR)$(UNITDIR)/vigia.service
	install -Dm644 $(GEN)/vigia.timer $(DESTDIR)$(UNITDIR)/vigia.timer
	install -Dm644 $(GEN)/vigia.1 $(DESTDIR)$(MANDIR)/man1/vigia.1
	install -Dm644 $(GEN)/vigia.bash $(DESTDIR)$(BASHDIR)/vigia
	install -Dm644 $(GEN)/_vigia $(DESTDIR)$(ZSHDIR)/_vigia
	install -Dm644 $(GEN)/vigia.fish $(DESTDIR)$(FISHDIR)/vigia.fish
	install -dm700 $(DESTDIR)$(SYSCONFDIR)/vigia
	@echo
	@echo "vigia is installed. Next:"
	@echo "  sudo vigia init        # bot, chat, URLs; writes $(SYSCONFDIR)/vigia/config.toml"
	@echo "  systemctl list-timers vigia.timer   # once init has enabled it"

INSTALLED = $(BINDIR)/vigia $(UNITDIR)/vigia.service $(UNITDIR)/vigia.timer \
	$(MANDIR)/man1/vigia.1 $(BASHDIR)/vigia $(ZSHDIR)/_vigia $(FISHDIR)/vigia.fish

# Removes what install put. /etc/vigia goes only if empty: a config is the user's.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(SYSCONFDIR)/vigia 2>/dev/null
	@# Under a DESTDIR, the directories install made are removed too, up to DESTDIR.
	@if [ -n "$(DESTDIR)" ]; then \
		for f in $(INSTALLED) $(SYSCONFDIR)/vigia/x; do \
			d=$$(dirname $$f); \
			while [ "$$d" != / ] && { [ ! -e "$(DESTDIR)$$d" ] || rmdir "$(DESTDIR)$$d" 2>/dev/null; }; do d=$$(dirname $$d); done; \
		done; \
	fi

# Installs into a temp DESTDIR, compares the listing, uninstalls, expects nothing left.
install-test:
	tests/install-test.sh $(PROFILE)

# Check one URL with no config: make run URL=https://example.org/
run:
	@test -n "$(URL)" || { echo "usage: make run URL=http://..."; exit 2; }
	$(CARGO) run --locked --quiet $(CARGO_PROFILE_FLAG) --bin vigia -- check --url "$(URL)"

bench: build
	bench/run.sh

# A real systemd in a container (needs root, debootstrap and systemd-container).
e2e:
	$(MAKE) --no-print-directory build PROFILE=debug
	tests/e2e.sh target/debug/vigia

clean:
	$(CARGO) clean
