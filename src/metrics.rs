//! Prometheus metrics for node_exporter's textfile collector
//! (https://github.com/prometheus/node_exporter#textfile-collector): the text exposition
//! format with HELP and TYPE lines, written atomically after every run (README
//! "Metrics"). URL passwords never reach a label: targets carry their masked URL. Every
//! sample carries the `checker` label (`fleet.checker`, else the host name), so that the
//! textfiles of a fleet can meet in one Prometheus (README "A fleet of checkers").

use std::fmt::Write;

use chrono::{DateTime, FixedOffset};

use crate::checkpoint::Checkpoint;
use crate::config::Target;
use crate::outcome::Outcome;
use crate::translog::State;

/// What one run knows, for the metrics.
pub struct Snapshot<'a> {
    pub targets: &'a [Target],
    /// This run's outcomes, in the targets' order.
    pub outcomes: &'a [Outcome],
    /// The state after this run: each target's current state and since when.
    pub checkpoint: &'a Checkpoint,
    pub now: DateTime<FixedOffset>,
    /// Whether the canaries judge this machine online (always, without canaries).
    pub checker_online: bool,
    /// Which checker this is: the `checker` label of every sample.
    pub checker: &'a str,
}

/// The metrics in the text exposition format.
pub fn render(s: &Snapshot) -> String {
    let mut out = String::new();
    states(&mut out, s);
    notices(&mut out, s);
    with_checker(&out, s.checker)
}

/// The text with `checker="..."` first in the labels of every sample.
fn with_checker(text: &str, checker: &str) -> String {
    let label = format!("checker=\"{}\"", escape(checker));
    let mut out = String::with_capacity(text.len() + text.lines().count() * label.len());
    for line in text.lines() {
        match line.find(['{', ' ']) {
            _ if line.starts_with('#') => out.push_str(line),
            Some(at) if line[at..].starts_with("{}") => {
                out.push_str(&format!("{}{{{label}}}{}", &line[..at], &line[at + 2..]))
            }
            Some(at) if line[at..].starts_with('{') => {
                out.push_str(&format!("{}{{{label},{}", &line[..at], &line[at + 1..]))
            }
            Some(at) => out.push_str(&format!("{}{{{label}}}{}", &line[..at], &line[at..])),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// One gauge family: its HELP and TYPE lines, then its samples.
fn family(out: &mut String, name: &str, help: &str, samples: &[(String, String)]) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
    for (labels, value) in samples {
        let _ = writeln!(out, "{name}{labels} {value}");
    }
}

/// What the run found: each target's state and probe, the outbox, the run's time.
fn states(out: &mut String, s: &Snapshot) {
    let known: Vec<(&Target, &crate::translog::Entry)> = s
        .targets
        .iter()
        .filter_map(|t| Some((t, s.checkpoint.targets.get(&t.name)?)))
        .collect();
    family(
        out,
        "vigia_target_up",
        "Whether the target's current state is up (1) or down (0).",
        &known
            .iter()
            .map(|(t, e)| {
                let labels = format!(
                    "{{target=\"{}\",url=\"{}\"}}",
                    escape(&t.name),
                    escape(&t.url)
                );
                (labels, u8::from(e.state == State::Online).to_string())
            })
            .collect::<Vec<_>>(),
    );
    family(
        out,
        "vigia_probe_duration_seconds",
        "How long the target's probe took in the last run, all attempts included.",
        &s.targets
            .iter()
            .zip(s.outcomes)
            .map(|(t, o)| (target_label(t), format!("{:.3}", o.elapsed.as_secs_f64())))
            .collect::<Vec<_>>(),
    );
    family(
        out,
        "vigia_target_state_since_timestamp_seconds",
        "When the target's current state began, in seconds since the epoch.",
        &known
            .iter()
            .map(|(t, e)| (target_label(t), e.at.timestamp().to_string()))
            .collect::<Vec<_>>(),
    );
    family(
        out,
        "vigia_outbox_messages",
        "Messages waiting for Telegram.",
        &[(String::new(), s.checkpoint.queue.len().to_string())],
    );
    family(
        out,
        "vigia_last_run_timestamp_seconds",
        "When vigia last ran a check, in seconds since the epoch.",
        &[(String::new(), s.now.timestamp().to_string())],
    );
}

/// What the run knows besides states: certificates, slowness, gaps, connectivity.
fn notices(out: &mut String, s: &Snapshot) {
    family(
        out,
        "vigia_certificate_expiry_timestamp_seconds",
        "When the target's TLS certificate expires, in seconds since the epoch.",
        &s.targets
            .iter()
            .filter_map(|t| {
                let seen = s.checkpoint.certs.get(&t.name)?.first()?;
                Some((target_label(t), seen.not_after.timestamp().to_string()))
            })
            .collect::<Vec<_>>(),
    );
    family(
        out,
        "vigia_domain_expiry_timestamp_seconds",
        "When the target's registered domain expires (RDAP, domain_warn_days), in seconds since the epoch.",
        &s.targets
            .iter()
            .filter(|t| !t.domain_warn_days.is_empty())
            .filter_map(|t| {
                let domain = crate::rdap::registered_domain(t)?;
                let expires = s.checkpoint.domains.get(&domain)?.expires?;
                Some((target_label(t), expires.timestamp().to_string()))
            })
            .collect::<Vec<_>>(),
    );
    family(
        out,
        "vigia_target_slow",
        "Whether the target answers slower than its check.slow limit (1), or not (0); only targets with a limit.",
        &s.targets
            .iter()
            .filter(|t| t.thresholds.slow.is_some())
            .map(|t| {
                let slow = s.checkpoint.slow.get(&t.name).is_some_and(|x| x.slow);
                (target_label(t), u8::from(slow).to_string())
            })
            .collect::<Vec<_>>(),
    );
    family(
        out,
        "vigia_not_running_seconds",
        "How long vigia itself was not running within the window (no data: neither uptime nor downtime).",
        &crate::history::WINDOWS
            .iter()
            .map(|(name, span)| {
                let gap = s.checkpoint.not_running(s.now - *span, s.now);
                (format!("{{window=\"{name}\"}}"), gap.num_seconds().to_string())
            })
            .collect::<Vec<_>>(),
    );
    family(
        out,
        "vigia_checker_online",
        "Whether this machine's own connectivity is judged online (1) by its canaries, or offline (0).",
        &[(String::new(), u8::from(s.checker_online).to_string())],
    );
}

fn target_label(t: &Target) -> String {
    format!("{{target=\"{}\"}}", escape(&t.name))
}

/// A label value: backslash, double quote and newline escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CheckDefaults;
    use crate::translog::Entry;
    use std::time::Duration;

    #[test]
    fn renders_every_family_with_help_and_type() {
        let now = DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap();
        let mut web = Target::adhoc("http://admin:x@h/\"q\"", &CheckDefaults::default()).unwrap();
        web.name = "web".into();
        let outcomes = [Outcome {
            up: true,
            detail: "HTTP 200".into(),
            elapsed: Duration::from_millis(41),
            checker_fault: false,
            cert: None,
        }];
        let mut checkpoint = Checkpoint::default();
        checkpoint.targets.insert(
            "web".into(),
            Entry {
                at: now,
                state: State::Online,
                target: "web".into(),
                text: String::new(),
            },
        );
        let text = render(&Snapshot {
            targets: std::slice::from_ref(&web),
            outcomes: &outcomes,
            checkpoint: &checkpoint,
            now,
            checker_online: true,
            checker: "fra\"1",
        });
        assert!(
            text.contains("vigia_target_up{checker=\"fra\\\"1\",target=\"web\",url=\"http://admin:***@h/%22q%22\"} 1\n"),
            "{text}"
        );
        // Every sample names the checker, first; HELP and TYPE lines are as they were.
        let samples: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert!(samples.len() >= 9, "{text}");
        assert!(
            samples.iter().all(|l| l.contains("{checker=\"fra\\\"1\"")),
            "{text}"
        );
        let text = text
            .replace("checker=\"fra\\\"1\",", "")
            .replace("{checker=\"fra\\\"1\"}", "");
        // A URL reaches the labels in the parser's spelling (a quote is %22); a label
        // is escaped all the same.
        assert_eq!(escape("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
        assert!(text.contains("vigia_probe_duration_seconds{target=\"web\"} 0.041\n"));
        assert!(text
            .contains("vigia_target_state_since_timestamp_seconds{target=\"web\"} 1795608000\n"));
        assert!(text.contains("# TYPE vigia_outbox_messages gauge\nvigia_outbox_messages 0\n"));
        assert!(text.contains("vigia_checker_online 1\n"));
        assert_eq!(text.matches("# HELP ").count(), 10);
        assert!(text.contains("vigia_not_running_seconds{window=\"24h\"} 0\n"));
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
