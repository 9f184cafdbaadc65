//! The man pages and the shell completions, generated from the command line definition
//! by `vigia-generate DIR` (run by `make build`, so that `make install` and the Debian
//! package only copy files). A program of its own, so that the clap_mangen and
//! clap_complete code never weighs on the `vigia` binary. vigia(1) gets the sections an admin looks for
//! (EXIT STATUS, ENVIRONMENT, FILES, EXAMPLES); every subcommand gets its own page;
//! the configuration keys are in vigia.toml(5), written by hand in `doc/`.

use std::fs;
use std::io;
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;
use clap_mangen::Man;
use roff::{bold, italic, roman, Roff};

use vigia::cli::{Cli, ENVIRONMENT};
use vigia::error::Exit;

const MANUAL: &str = "vigia manual";

const DESCRIPTION: &[&str] = &[
    "vigia watches web services from a Linux server and tells you on Telegram when one \
     goes down and when it comes back. Every minute vigia.timer starts vigia.service, \
     which runs vigia check: it probes every target (http://, https:// or tcp://), \
     compares each result with the last state recorded, appends a line to the \
     transition log on a change, and sends one Telegram message about all the changes \
     of the run. Nothing runs between checks.",
    "A message Telegram does not take waits in the outbox, in the state directory, and \
     goes out with the next run; no crash, full disk, closed pipe or rotated log loses \
     or doubles one. The bot token and passwords in URLs are never printed.",
    "Start with sudo vigia init: it sets up the bot, proves the chat with a one-time \
     code, asks what to watch, sends a test message, writes /etc/vigia/config.toml and \
     enables the timer.",
];

const FILES: &[(&str, &str)] = &[
    (
        "/etc/vigia/config.toml",
        "The configuration, mode 0600 in a 0700 directory: it holds the bot token. See vigia.toml(5).",
    ),
    (
        "/var/log/vigia/vigia.log",
        "The transition log: one line per change, \"2026-01-31T12:00:00+00:00 OFFLINE web HTTP 503\". Readable by the group adm.",
    ),
    (
        "/var/lib/vigia/state.json",
        "The checkpoint: each target's last state, the messages waiting for Telegram and those set aside, and the targets as the service last read them (URL passwords masked, no token): what vigia status shows to a member of adm, who cannot read the configuration.",
    ),
    ("/var/lib/vigia/last-check", "The time and summary of the last check."),
    ("/var/lib/vigia/lock", "The run lock: one check at a time."),
    (
        "vigia.service, vigia.timer",
        "The units, in the system unit directory (/lib/systemd/system from the Debian package).",
    ),
    (
        "/usr/share/doc/vigia/",
        "The README (the full manual), an example configuration and the changelog.",
    ),
];

const EXAMPLES: &[(&str, &str)] = &[
    ("sudo vigia init", "First-time setup: bot, chat, targets, test message, timer."),
    (
        "vigia check --dry-run",
        "Probe every target and print the result; write nothing, send nothing.",
    ),
    (
        "vigia check --url https://example.org/",
        "Check one URL with no configuration at all.",
    ),
    (
        "vigia status",
        "States, since when, uptime, recent history, waiting messages. A member of adm may run it too.",
    ),
    (
        "vigia mute web --for 2h --reason \"disk swap\"",
        "Send nothing about web for two hours; the checks go on.",
    ),
    ("vigia send \"deploy done\"", "Send a message to the configured chat."),
    (
        "vigia ack web --reason \"looking into it\"",
        "Take on web's outage: no more reminders until it is up again; the chat is told.",
    ),
    (
        "journalctl -u vigia -p warning",
        "Every outage and every fault, without the recoveries.",
    ),
    (
        "systemctl status vigia.service",
        "The last run's summary and result.",
    ),
];

/// Writes vigia.1, a page per subcommand, and the bash, zsh and fish completions.
pub fn generate(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    // The pages leave out `help` (every page is the help); the completions keep it.
    let mut pages = Cli::command().disable_help_subcommand(true);
    pages.build();
    fs::write(dir.join("vigia.1"), main_page(&pages)?)?;
    for sub in pages.get_subcommands() {
        let man = Man::new(sub.clone()).manual(MANUAL);
        fs::write(dir.join(man.get_filename()), sub_page(&man)?)?;
    }
    let mut completed = Cli::command();
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(shell, &mut completed, "vigia", dir)?;
    }
    Ok(())
}

fn main_page(command: &clap::Command) -> io::Result<Vec<u8>> {
    let man = Man::new(command.clone()).manual(MANUAL);
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    let mut roff = Roff::new();
    roff.control("SH", ["DESCRIPTION"]);
    for paragraph in DESCRIPTION {
        roff.control("PP", []).text([roman(*paragraph)]);
    }
    roff.to_writer(&mut out)?;
    man.render_options_section(&mut out)?;
    man.render_subcommands_section(&mut out)?;

    let mut roff = Roff::new();
    roff.control("SH", ["EXIT STATUS"]);
    for (code, what) in Exit::table() {
        roff.control("TP", [])
            .text([bold(code)])
            .text([roman(what)]);
    }
    roff.control("PP", []).text([roman(
        "An alert that could not be delivered is not an error: it waits in the outbox \
         and the reason goes to standard error. vigia.service counts 1 as success: a \
         site that is down is not a failed unit.",
    )]);
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, what) in ENVIRONMENT {
        roff.control("TP", [])
            .text([bold(*name)])
            .text([roman(*what)]);
    }
    roff.control("SH", ["FILES"]);
    for (path, what) in FILES {
        roff.control("TP", [])
            .text([italic(*path)])
            .text([roman(*what)]);
    }
    roff.control("SH", ["EXAMPLES"]);
    for (command, what) in EXAMPLES {
        roff.control("TP", [])
            .text([bold(*command)])
            .text([roman(*what)]);
    }
    see_also(&mut roff, &[]);
    roff.to_writer(&mut out)?;
    man.render_version_section(&mut out)?;
    Ok(out)
}

fn sub_page(man: &Man) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    let mut roff = Roff::new();
    roff.control("SH", ["EXIT STATUS"]);
    roff.text([roman("See "), bold("vigia"), roman("(1).")]);
    see_also(&mut roff, &["vigia(1)"]);
    roff.to_writer(&mut out)?;
    Ok(out)
}

fn see_also(roff: &mut Roff, first: &[&str]) {
    let pages: Vec<&str> = first
        .iter()
        .copied()
        .chain([
            "vigia.toml(5)",
            "systemctl(1)",
            "journalctl(1)",
            "systemd.timer(5)",
        ])
        .collect();
    roff.control("SH", ["SEE ALSO"])
        .text([roman(pages.join(", "))])
        .control("PP", [])
        .text([roman(
            "The full manual: /usr/share/doc/vigia/README.md (or README.md in the source).",
        )]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_vigia_1_names_is_generated() {
        let dir = tempfile::tempdir().unwrap();
        generate(dir.path()).unwrap();
        let main = fs::read_to_string(dir.path().join("vigia.1")).unwrap();
        for section in [
            "EXIT STATUS",
            "ENVIRONMENT",
            "FILES",
            "EXAMPLES",
            "SEE ALSO",
        ] {
            assert!(
                main.contains(&format!(".SH \"{section}\""))
                    || main.contains(&format!(".SH {section}")),
                "{section} missing"
            );
        }
        // Every vigia-NAME(1) the page points to exists; `help` has none.
        let named: Vec<&str> = main
            .split(|c: char| c.is_whitespace())
            .filter_map(|w| {
                w.strip_prefix("vigia\\-")
                    .or_else(|| w.strip_prefix("vigia-"))
            })
            .filter_map(|w| w.strip_suffix("(1)"))
            .collect();
        assert_eq!(named.len(), 9, "subcommands named: {named:?}");
        for name in named {
            assert!(
                dir.path().join(format!("vigia-{name}.1")).is_file(),
                "no page for {name}"
            );
        }
        assert!(!dir.path().join("vigia-help.1").exists());
        for file in ["vigia.bash", "_vigia", "vigia.fish"] {
            let text = fs::read_to_string(dir.path().join(file)).unwrap();
            assert!(text.contains("status"), "{file}");
            assert!(
                !text.contains("generate"),
                "{file} offers the hidden command"
            );
        }
    }
}
