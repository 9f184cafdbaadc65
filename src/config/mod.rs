//! The configuration: the one place that reads TOML and the environment, turning them
//! into the typed [`Config`] the rest of the program sees. Its parts, each in a file
//! named for what it owns: the process environment and default paths (`env`), the raw
//! TOML (`raw`), one validation function per section (`sections`), targets and their
//! names (`target`), and durations (`duration`); `[[maintenance]]` windows in a file of
//! their own (`maintenance`).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::ConfigError;
use crate::secret::Token;

mod duration;
mod env;
mod maintenance;
mod raw;
mod sections;
mod seen;
mod target;

#[cfg(test)]
pub use duration::parse_duration;
pub use duration::{format_duration, format_elapsed, parse_duration_saturating, time_after};
pub use env::{Env, SYSTEM_STATE_DIR};
pub use seen::{Every, Report, StatusPage, DEFAULT_REPORT_AT};
pub use target::endpoint_of;
pub use target::{validate_name, Endpoint, IpFamily, Target};

use raw::RawConfig;

pub const DEFAULT_API_URL: &str = "https://api.telegram.org";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_ATTEMPTS: u32 = 3;
pub const DEFAULT_RETRY_DELAY: Duration = Duration::from_secs(5);
pub const DEFAULT_API_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_PARALLEL: usize = 128;
pub const DEFAULT_PARALLEL_PER_HOST: usize = 4;
/// The days before a certificate's expiry at which it is announced, once each.
pub const DEFAULT_CERT_WARN_DAYS: [u32; 4] = [14, 7, 3, 1];
/// The config vigia.service reads (its `LoadCredential=` source).
pub const UNIT_CONFIG: &str = "/etc/vigia/config.toml";
/// The default time a heartbeat ping may take.
pub const DEFAULT_HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(5);
/// The default time a post to Alertmanager may take.
pub const DEFAULT_ALERTMANAGER_TIMEOUT: Duration = Duration::from_secs(5);

/// A place in the config file's text.
type Span = std::ops::Range<usize>;

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from; `None` for the built-in default of `check --url`.
    pub path: Option<PathBuf>,
    pub telegram: Option<Telegram>,
    pub check: CheckDefaults,
    pub targets: Vec<Target>,
    pub log_file: PathBuf,
    pub state_dir: PathBuf,
    /// "Is it me?" probes (`check.canary`): when every one fails together with targets,
    /// this machine has lost its own connectivity and the targets are not judged.
    pub canaries: Vec<Target>,
    /// The dead man's switch pinged after every completed run.
    pub heartbeat: Option<Heartbeat>,
    /// node_exporter's textfile collector: where the metrics are written.
    pub metrics: Option<PathBuf>,
    /// Things worth saying that do not stop the program (e.g. a readable token file).
    pub warnings: Vec<String>,
    /// `[[maintenance]]`: windows that recur, inside which targets are muted.
    pub maintenance: Vec<crate::maintenance::Window>,
    /// `fleet.checker`: this checker's name in the metrics and the alerts (`None`: the
    /// host name, which the command passes in).
    pub checker: Option<String>,
    /// `[alertmanager]`: where each run posts the alerts of its targets.
    pub alertmanager: Option<Alertmanager>,
    /// `[status_page]`: the HTML page written after runs.
    pub status_page: Option<StatusPage>,
    /// `[report]`: the scheduled uptime report.
    pub report: Option<Report>,
}

/// `[alertmanager]`: the API of one Alertmanager, or of every member of a cluster (each
/// is posted to, as Alertmanager's clients must: the members do not forward alerts).
#[derive(Debug, Clone)]
pub struct Alertmanager {
    /// Base URLs, such as `http://127.0.0.1:9093/`; the post goes to `api/v2/alerts`.
    pub urls: Vec<reqwest::Url>,
    /// Per post.
    pub timeout: Duration,
}

/// `[heartbeat]`: a URL to GET after every completed run.
#[derive(Debug, Clone)]
pub struct Heartbeat {
    pub url: reqwest::Url,
    pub timeout: Duration,
}

impl Heartbeat {
    /// The URL as shown: scheme and host only, since the path is the check's secret.
    pub fn shown(&self) -> String {
        format!(
            "{}://{}/…",
            self.url.scheme(),
            self.url.host_str().unwrap_or("?")
        )
    }
}

#[derive(Debug, Clone)]
pub struct Telegram {
    pub token: Token,
    pub chat_id: i64,
    pub message_thread_id: Option<i64>,
    /// Without a trailing slash.
    pub api_url: String,
    pub proxy: Option<String>,
    /// Per Bot API request.
    pub timeout: Duration,
    /// The language of every alert (`en`, `pt-BR`).
    pub language: String,
    /// Answer commands from the chat (`/status`, `/mute`...): one getUpdates per run.
    pub commands: bool,
    /// The Telegram user ids allowed to command; empty: nobody.
    pub commands_from: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckDefaults {
    pub timeout: Duration,
    pub attempts: u32,
    pub retry_delay: Duration,
    /// Probes in flight at once, in all.
    pub parallel: usize,
    /// Probes in flight at once to one host and port.
    pub parallel_per_host: usize,
    /// While a target is down, one reminder per this interval (`None`: off).
    pub remind_every: Option<Duration>,
    /// https: the days left at which a certificate is announced, once each.
    pub cert_warn_days: Vec<u32>,
    /// When a result becomes an alert: confirmation, flapping, slowness.
    pub thresholds: Thresholds,
    /// http(s) and dns: the days left at which a registered domain's expiry is
    /// announced, once each; empty: off (the default).
    pub domain_warn_days: Vec<u32>,
    /// `check.rdap_url`: the RDAP base URL asked for every domain, instead of the IANA
    /// bootstrap's.
    pub rdap_url: Option<String>,
}

/// When results become alerts (`confirm`, `recover`, `flapping`, `slow`), in `[check]`
/// and per target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Failing runs in a row before a target is DOWN.
    pub confirm: u32,
    /// Passing runs in a row before it is UP again.
    pub recover: u32,
    /// So many changes within so long make a target flap (`None`: off).
    pub flapping: Option<Flapping>,
    /// A correct answer slower than this is slow (`None`: off).
    pub slow: Option<Duration>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            confirm: 1,
            recover: 1,
            flapping: None,
            slow: None,
        }
    }
}

/// `flapping = "5/1h"`: 5 or more changes within 1h.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flapping {
    pub changes: u32,
    pub within: Duration,
}

impl Default for CheckDefaults {
    fn default() -> Self {
        CheckDefaults {
            timeout: DEFAULT_TIMEOUT,
            attempts: DEFAULT_ATTEMPTS,
            retry_delay: DEFAULT_RETRY_DELAY,
            parallel: DEFAULT_PARALLEL,
            parallel_per_host: DEFAULT_PARALLEL_PER_HOST,
            remind_every: None,
            cert_warn_days: DEFAULT_CERT_WARN_DAYS.to_vec(),
            thresholds: Thresholds::default(),
            domain_warn_days: Vec::new(),
            rdap_url: None,
        }
    }
}

impl Config {
    /// The configuration of `check --url` when there is no file: no Telegram (alerts go
    /// to standard output), default paths.
    pub fn builtin(env: &Env) -> Config {
        Config {
            path: None,
            telegram: None,
            check: CheckDefaults::default(),
            targets: Vec::new(),
            log_file: env.log_file(None),
            state_dir: env.state_dir(None),
            canaries: Vec::new(),
            heartbeat: None,
            metrics: None,
            warnings: Vec::new(),
            maintenance: Vec::new(),
            checker: None,
            alertmanager: None,
            status_page: None,
            report: None,
        }
    }

    /// Reads and validates the file. Every problem is a [`ConfigError`] (exit 78).
    pub fn load(path: &Path, env: &Env) -> Result<Config, ConfigError> {
        Config::read(path, env).map_err(|mut e| {
            // Under systemd the file is a copy in $CREDENTIALS_DIRECTORY: name the one
            // the admin edits (the unit's LoadCredential= source).
            if env.is_credential(&e.path) {
                e.path = PathBuf::from(UNIT_CONFIG);
            }
            e
        })
    }

    fn read(path: &Path, env: &Env) -> Result<Config, ConfigError> {
        let bytes = fs::read(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                ConfigError::new(path, "not found: run 'vigia init' first, or pass --config")
            }
            _ => ConfigError::new(path, format!("cannot be read: {e}")),
        })?;
        let text = String::from_utf8(bytes)
            .ok()
            .filter(|t| !t.contains('\0'))
            .ok_or_else(|| {
                ConfigError::new(path, "is not a text file (binary data or not UTF-8)")
            })?;
        if text.trim().is_empty() {
            return Err(ConfigError::new(
                path,
                "is empty: run 'vigia init --force' to write one",
            ));
        }
        let (mut config, token_inline) = parse(path, &text, env)?;
        if token_inline {
            config.warnings.extend(readable_by_others(path));
        }
        Ok(config)
    }

    /// The config file path for messages.
    pub fn describe_path(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "(built-in)".to_owned(), |p| p.display().to_string())
    }
}

fn readable_by_others(path: &Path) -> Option<String> {
    let mode = fs::metadata(path).ok()?.permissions().mode();
    (mode & 0o077 != 0).then(|| {
        format!(
            "{} holds the bot token and is readable by group or others (mode {:o}): chmod 600 it",
            path.display(),
            mode & 0o777
        )
    })
}

/// Validates `text` (the contents of `path`) into a config, one section at a time.
/// Also says whether the token is written in the file itself.
fn parse(path: &Path, text: &str, env: &Env) -> Result<(Config, bool), ConfigError> {
    let line_of = |span: Span| Some(text[..span.start.min(text.len())].matches('\n').count() + 1);
    let key_error =
        |span: Span, key: &str, msg: String| ConfigError::new(path, msg).at(line_of(span), key);
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let line = e.span().and_then(line_of);
        let message = e.message().trim().replace('`', "\"");
        let mut error = ConfigError::new(path, describe_toml_error(&message));
        error.line = line;
        error
    })?;
    let check = raw.check.unwrap_or_default();
    let defaults = sections::check(&check, &key_error)?;
    let base = path.parent().unwrap_or(Path::new("/"));
    let state_dir = env.state_dir(sections::path(
        &check.state_dir,
        "check.state_dir",
        base,
        &key_error,
    )?);
    let log_file = env.log_file(sections::path(
        &check.log_file,
        "check.log_file",
        base,
        &key_error,
    )?);
    let mut warnings = Vec::new();
    let (telegram, token_inline) = match raw.telegram {
        None => (None, false),
        Some(section) => {
            let (telegram, inline) = sections::telegram(section, base, &key_error, &mut warnings)?;
            (Some(telegram), inline)
        }
    };
    let targets = sections::targets(raw.target, &defaults, base, &key_error)?;
    let maintenance = maintenance::windows(raw.maintenance, &targets, &key_error)?;
    let config = Config {
        path: Some(path.to_owned()),
        telegram,
        targets,
        canaries: sections::canaries(check.canary, &defaults, &key_error)?,
        heartbeat: raw
            .heartbeat
            .map(|h| sections::heartbeat(h, &key_error))
            .transpose()?,
        metrics: sections::metrics(raw.metrics, &key_error)?,
        check: defaults,
        log_file,
        state_dir,
        warnings,
        maintenance,
        checker: sections::fleet(raw.fleet, &key_error)?,
        alertmanager: raw
            .alertmanager
            .map(|a| sections::alertmanager(a, &key_error))
            .transpose()?,
        status_page: seen::status_page(raw.status_page, &key_error)?,
        report: seen::report(raw.report, &key_error)?,
    };
    Ok((config, token_inline))
}

/// Turns serde's wording into the user's: "unknown field" becomes "unknown key".
fn describe_toml_error(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message);
    if let Some(rest) = first.strip_prefix("unknown field ") {
        let key = rest.split(',').next().unwrap_or(rest);
        return format!("unknown key {key} (see man vigia.toml for the keys)");
    }
    if first.starts_with("invalid type") && first.contains("expected i64") {
        return format!("{first} (an integer is needed)");
    }
    first.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

    /// Every key the file accepts is in vigia.toml(5), in its table's section: asked of
    /// the parser itself (an unknown key's error lists the known ones).
    #[test]
    fn every_key_is_documented_in_vigia_toml_5() {
        let page = include_str!("../../doc/vigia.toml.5");
        let section = |name: &str| {
            let start = page
                .find(&format!(".SH {name}\n"))
                .unwrap_or_else(|| panic!("no section {name}"));
            let rest = &page[start + 4..];
            &rest[..rest.find(".SH ").unwrap_or(rest.len())]
        };
        for (table, probe) in [
            ("[telegram]", "[telegram]\nzz = 1\n"),
            ("[check]", "[check]\nzz = 1\n"),
            ("[[target]]", "[[target]]\nzz = 1\n"),
            ("[heartbeat]", "[heartbeat]\nzz = 1\n"),
            ("[metrics]", "[metrics]\nzz = 1\n"),
            ("[[maintenance]]", "[[maintenance]]\nzz = 1\n"),
            ("[fleet]", "[fleet]\nzz = 1\n"),
            ("[alertmanager]", "[alertmanager]\nzz = 1\n"),
            ("[status_page]", "[status_page]\nzz = 1\n"),
            ("[report]", "[report]\nzz = 1\n"),
        ] {
            let err = toml::from_str::<RawConfig>(probe)
                .err()
                .unwrap()
                .to_string();
            let (_, expected) = err.split_once("expected").unwrap();
            let keys: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            assert!(!keys.is_empty(), "{err}");
            let text = section(table);
            for key in keys {
                let documented = text.lines().any(|l| {
                    (l.starts_with(".B ") || l.starts_with(".BR "))
                        && l.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                            .any(|w| w == key)
                });
                assert!(documented, "{table} {key} is not in doc/vigia.toml.5");
            }
        }
        // The tables themselves.
        let err = toml::from_str::<RawConfig>("zz = 1\n")
            .err()
            .unwrap()
            .to_string();
        for table in [
            "telegram",
            "check",
            "target",
            "heartbeat",
            "metrics",
            "maintenance",
            "fleet",
            "alertmanager",
            "status_page",
            "report",
        ] {
            assert!(err.contains(&format!("`{table}`")), "{err}");
        }
    }

    fn env(dir: &Path) -> Env {
        Env {
            home: Some(dir.to_owned()),
            ..Env::default()
        }
    }

    /// Loads `text` from a file in a temp dir; the error as its message.
    fn load(text: &str) -> Result<Config, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        fs::write(&path, text).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        Config::load(&path, &env(dir.path())).map_err(|e| {
            let shown = e.to_string();
            shown.replace(&path.display().to_string(), "FILE")
        })
    }

    fn minimal(extra_target: &str) -> String {
        format!("[telegram]\ntoken = \"{TOKEN}\"\nchat_id = 42\n\n[[target]]\nname = \"web\"\nurl = \"http://127.0.0.1/\"\n{extra_target}")
    }

    #[test]
    fn thresholds_come_from_check_and_a_target_overrides_them() {
        let text = format!(
            "[check]\nconfirm = 2\nflapping = \"5/1h\"\nslow = \"800ms\"\n\n{}recover = 3\nslow = \"off\"\n",
            &minimal("")[..]
        );
        let c = load(&text).unwrap();
        let t = c.targets[0].thresholds;
        assert_eq!((t.confirm, t.recover, t.slow), (2, 3, None));
        assert_eq!(
            t.flapping,
            Some(Flapping {
                changes: 5,
                within: Duration::from_secs(3600)
            })
        );
        assert_eq!(c.check.thresholds.slow, Some(Duration::from_millis(800)));
    }

    #[test]
    fn minimal_config_gets_the_defaults() {
        let c = load(&minimal("")).unwrap();
        let t = &c.targets[0];
        assert_eq!(
            (t.timeout, t.attempts, t.retry_delay),
            (DEFAULT_TIMEOUT, DEFAULT_ATTEMPTS, DEFAULT_RETRY_DELAY)
        );
        assert_eq!(t.expect_status, None);
        let tg = c.telegram.unwrap();
        assert_eq!((tg.chat_id, tg.api_url.as_str()), (42, DEFAULT_API_URL));
        assert!(c.warnings.is_empty());
        assert!(c.log_file.ends_with(".local/state/vigia/vigia.log"));
    }

    #[test]
    fn full_config_is_read() {
        let text = format!(
            "[telegram]\ntoken = \"{TOKEN}\"\nchat_id = -1001234567890\nmessage_thread_id = 7\n\
             api_url = \"http://127.0.0.1:8081/\"\nproxy = \"socks5h://127.0.0.1:1080\"\ntimeout = \"3s\"\n\
             [check]\ntimeout = \"2s\"\nattempts = 2\nretry_delay = \"500ms\"\nlog_file = \"log/v.log\"\nstate_dir = \"/srv/state\"\nparallel = 32\nparallel_per_host = 2\n\
             [[target]]\nname = \"a.b_c-1\"\nurl = \"https://example.org/x\"\nexpect_status = [200, 204]\ncontains = \"Welcome\"\ntimeout = \"0m30s\"\nattempts = 1\nretry_delay = \"0s\"\n\
             [[target]]\nname = \"db\"\nurl = \"tcp://[::1]:5432\"\n"
        );
        let c = load(&text).unwrap();
        let tg = c.telegram.as_ref().unwrap();
        assert_eq!(
            (tg.chat_id, tg.message_thread_id, tg.api_url.as_str()),
            (-1001234567890, Some(7), "http://127.0.0.1:8081")
        );
        assert_eq!(tg.timeout, Duration::from_secs(3));
        assert_eq!(
            c.check,
            CheckDefaults {
                timeout: Duration::from_secs(2),
                attempts: 2,
                retry_delay: Duration::from_millis(500),
                parallel: 32,
                parallel_per_host: 2,
                remind_every: None,
                cert_warn_days: DEFAULT_CERT_WARN_DAYS.to_vec(),
                thresholds: Thresholds::default(),
                domain_warn_days: Vec::new(),
                rdap_url: None,
            }
        );
        assert!(c.log_file.ends_with("log/v.log") && c.log_file.is_absolute());
        assert_eq!(c.state_dir, PathBuf::from("/srv/state"));
        let a = &c.targets[0];
        assert_eq!(
            (a.timeout, a.attempts, a.retry_delay),
            (Duration::from_secs(30), 1, Duration::ZERO)
        );
        assert_eq!(a.expect_status, Some(vec![200, 204]));
        assert_eq!(a.contains.as_deref(), Some("Welcome"));
        assert_eq!(
            c.targets[1].endpoint,
            Endpoint::Tcp {
                host: "::1".into(),
                port: 5432
            }
        );
        assert_eq!(c.targets[1].timeout, Duration::from_secs(2));
    }

    #[test]
    fn one_rule_for_both_paths_config_then_systemd_then_default() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        let env = Env {
            state_directory: Some("/run/s".into()),
            logs_directory: Some("/run/l".into()),
            ..env(dir.path())
        };
        fs::write(&path, minimal("")).unwrap();
        let c = Config::load(&path, &env).unwrap();
        assert_eq!(
            (c.state_dir.as_path(), c.log_file.as_path()),
            (Path::new("/run/s"), Path::new("/run/l/vigia.log"))
        );
        let keys = "[check]\nstate_dir = \"/srv/s\"\nlog_file = \"/srv/l/v.log\"\n";
        fs::write(&path, format!("{keys}{}", minimal(""))).unwrap();
        let c = Config::load(&path, &env).unwrap();
        assert_eq!(
            (c.state_dir.as_path(), c.log_file.as_path()),
            (Path::new("/srv/s"), Path::new("/srv/l/v.log"))
        );
    }

    #[test]
    fn a_target_that_cannot_fit_the_run_is_refused_naming_the_keys() {
        let err = load(&minimal("timeout = \"20s\"\nattempts = 3")).unwrap_err();
        assert!(
            err.contains("line 6: target \"web\": timeout, attempts, retry_delay"),
            "{err}"
        );
        assert!(
            err.contains("1m10s in the worst case, over the 40s"),
            "{err}"
        );
        assert!(load(&minimal(
            "timeout = \"15s\"\nattempts = 2\nretry_delay = \"10s\""
        ))
        .is_ok());
        let slow_api = minimal("").replace("chat_id = 42", "chat_id = 42\ntimeout = \"30s\"");
        let err = load(&slow_api).unwrap_err();
        assert!(
            err.contains("telegram.timeout: must be at most 10s"),
            "{err}"
        );
    }

    #[test]
    fn a_credential_with_a_problem_is_named_as_the_file_the_admin_edits() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("config"), "[check]\ntimout = \"1s\"\n").unwrap();
        let env = Env {
            credentials_directory: Some(dir.path().to_owned()),
            ..env(dir.path())
        };
        let err = Config::load(&dir.path().join("config"), &env).unwrap_err();
        assert_eq!(
            err.to_string(),
            "config /etc/vigia/config.toml: line 2: unknown key \"timout\" (see man vigia.toml for the keys)"
        );
    }

    #[test]
    fn a_url_without_scheme_gets_a_suggestion() {
        assert_eq!(
            Endpoint::parse("example.org").unwrap_err(),
            "\"example.org\" has no scheme: did you mean \"http://example.org/\"?"
        );
        assert_eq!(
            Endpoint::parse("example.org/health").unwrap_err(),
            "\"example.org/health\" has no scheme: did you mean \"http://example.org/health\"?"
        );
        assert!(Endpoint::parse("not a url")
            .unwrap_err()
            .ends_with("is not a URL: relative URL without a base"));
        assert!(validate_name(&"x".repeat(65))
            .unwrap_err()
            .contains("1 to 64"));
        assert!(validate_name("web-1.a_b").is_ok());
    }

    #[test]
    fn url_passwords_are_masked_from_the_parsed_url_whatever_the_spelling() {
        for written in [
            "http://admin:p%40ss@127.0.0.1/",
            "http:admin:p%40ss@127.0.0.1/",
            "http:/admin:p%40ss@127.0.0.1/",
            "http:\\\\admin:p%40ss@127.0.0.1/",
            "HTTP://admin:p%40ss@127.0.0.1/",
        ] {
            let text = minimal("").replace("http://127.0.0.1/", &written.replace('\\', "\\\\"));
            let c = load(&text).unwrap();
            let t = &c.targets[0];
            assert_eq!(t.url, "http://admin:***@127.0.0.1/", "{written}");
            assert_eq!(
                t.scrub("failed for p%40ss and p@ss, at http:admin:p%40ss@127.0.0.1/"),
                "failed for *** and ***, at http:admin:***@127.0.0.1/",
                "{written}"
            );
        }
        // A spelling that does not parse: the error masks it all the same.
        let err = load(&minimal("").replace("http://127.0.0.1/", "http:admin:S3cret@h:99999/"))
            .unwrap_err();
        assert!(
            !err.contains("S3cret") && err.contains("admin:***@"),
            "{err}"
        );
    }

    #[test]
    fn every_url_key_hides_its_password_in_errors_and_takes_any_spelling() {
        let with = |key: &str, value: &str| {
            minimal("").replace(
                "chat_id = 42",
                &format!("chat_id = 42\n{key} = \"{value}\""),
            )
        };
        for (key, value) in [
            ("proxy", "ftp://u:S3cret@proxy:1080"),
            ("proxy", "socks5:u:S3cret@proxy"),
            ("proxy", "http:/u:S3cret@"),
            ("api_url", "ftp:u:S3cret@api"),
            ("api_url", "http://u:S3cret@"),
        ] {
            let err = load(&with(key, value)).unwrap_err();
            assert!(!err.contains("S3cret"), "{key} {value}: {err}");
            assert!(err.contains(&format!("telegram.{key}")), "{err}");
        }
        let hb = |url: &str| format!("{}\n[heartbeat]\nurl = \"{url}\"\n", minimal(""));
        let err = load(&hb("gopher://u:S3cret@hc/x")).unwrap_err();
        assert!(
            !err.contains("S3cret") && err.contains("heartbeat.url"),
            "{err}"
        );
        let c = load(&hb("HTTPS:hc.example/ping/1")).unwrap();
        assert_eq!(
            c.heartbeat.unwrap().url.as_str(),
            "https://hc.example/ping/1"
        );
        let c = load(&with("proxy", "HTTP:u:S3cret@proxy:3128")).unwrap();
        let tg = c.telegram.unwrap();
        assert_eq!(tg.proxy.as_deref(), Some("http://u:S3cret@proxy:3128/"));
        let c = load(&with("api_url", "HTTPS:api.example/")).unwrap();
        assert_eq!(c.telegram.unwrap().api_url, "https://api.example");
    }

    #[test]
    fn default_paths_for_root_and_users() {
        let root = Env {
            is_root: true,
            ..Env::default()
        };
        assert_eq!(
            root.default_config_path(),
            PathBuf::from("/etc/vigia/config.toml")
        );
        assert_eq!(
            root.default_log_file(),
            PathBuf::from("/var/log/vigia/vigia.log")
        );
        assert_eq!(root.default_state_dir(), PathBuf::from("/var/lib/vigia"));
        let user = Env {
            home: Some("/home/ann".into()),
            xdg_config_home: Some("/x/conf".into()),
            ..Env::default()
        };
        assert_eq!(
            user.default_config_path(),
            PathBuf::from("/x/conf/vigia/config.toml")
        );
        assert_eq!(
            user.default_state_dir(),
            PathBuf::from("/home/ann/.local/state/vigia")
        );
    }

    #[test]
    fn credential_from_systemd_is_the_default_config() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("config"), "x").unwrap();
        let env = Env {
            is_root: true,
            credentials_directory: Some(dir.path().to_owned()),
            ..Env::default()
        };
        assert_eq!(env.default_config_path(), dir.path().join("config"));
    }

    #[test]
    fn every_problem_names_file_line_and_key() {
        let cases: &[(&str, &str)] = &[
            ("[check]\ntimout = \"1s\"\n", "FILE: line 2: unknown key \"timout\""),
            ("[telegram\n", "FILE: line 1: "),
            (&minimal("timeout = \"ten\"\n"), "FILE: line 8: target \"web\": timeout: \"ten\" is not a duration"),
            (&minimal("timeout = \"0s\"\n"), "FILE: line 8: target \"web\": timeout: must be more than zero"),
            (&minimal("attempts = 0\n"), "FILE: line 8: target \"web\": attempts: 0 is not between 1 and 10"),
            (&minimal("expect_status = [99]\n"), "FILE: line 8: target \"web\": expect_status: must be a list"),
            (&minimal("[[target]]\nname = \"web\"\nurl = \"http://b/\"\n"), "FILE: line 9: target.name: \"web\" is used by two targets"),
            (&minimal("[[target]]\nname = \"bad name\"\nurl = \"http://b/\"\n"), "FILE: line 9: target.name: \"bad name\" is not a valid name"),
            (&minimal("[[target]]\nname = \"x\"\nurl = \"ftp://b/\"\n"), "FILE: line 10: target \"x\": url: \"ftp://b/\": scheme \"ftp\" is not supported"),
            (&minimal("[[target]]\nname = \"x\"\nurl = \"not a url\"\n"), "FILE: line 10: target \"x\": url: \"not a url\" is not a URL"),
            (&minimal("[[target]]\nname = \"x\"\nurl = \"tcp://host\"\n"), "FILE: line 10: target \"x\": url: \"tcp://host\": a tcp target needs a host and a port"),
            (&minimal("[[target]]\nname = \"x\"\n"), "FILE: line 8: target \"x\": url: missing"),
            ("[telegram]\ntoken = \"abc\"\nchat_id = 1\n", "FILE: line 2: telegram.token: is not a bot token"),
            (&format!("[telegram]\ntoken = \"{TOKEN}\"\nchat_id = \"me\"\n"), "FILE: line 3: invalid type: string \"me\", expected i64 (an integer is needed)"),
            (&format!("[telegram]\ntoken = \"{TOKEN}\"\n"), "FILE: line 1: telegram.chat_id: missing"),
            (&format!("[telegram]\ntoken = \"{TOKEN}\"\nchat_id = 1\napi_url = \"ftp://x\"\n"), "FILE: line 4: telegram.api_url: \"ftp://x\" is not an http(s) URL"),
            (&format!("[telegram]\ntoken = \"{TOKEN}\"\nchat_id = 1\nproxy = \"nope\"\n"), "FILE: line 4: telegram.proxy:"),
            ("[telegram]\nchat_id = 1\ntoken_file = \"/nonexistent/token\"\n", "FILE: line 3: telegram.token_file: cannot read /nonexistent/token"),
            (&format!("[telegram]\ntoken = \"{TOKEN}\"\nchat_id = 1\ncommands = \"yes\"\n"), "FILE: line 4: telegram.commands: \"yes\" is not true or false"),
            (&format!("[telegram]\ntoken = \"{TOKEN}\"\nchat_id = 1\ncommands_from = [42, \"ann\"]\n"), "FILE: line 4: telegram.commands_from: \"ann\" is not a Telegram user id"),
            (&format!("[telegram]\ntoken = \"{TOKEN}\"\nchat_id = 1\ncommands_from = 42\n"), "FILE: line 4: telegram.commands_from: 42 is not a Telegram user id"),
            ("   \n", "FILE: is empty"),
            (&minimal("confirm = 0\n"), "FILE: line 8: target \"web\": confirm: 0 is not between 1 and 10"),
            ("[check]\nrecover = 11\n", "FILE: line 2: check.recover: 11 is not between 1 and 10"),
            (&minimal("flapping = \"often\"\n"), "FILE: line 8: target \"web\": flapping: \"often\" is neither \"off\" nor changes/window"),
            (&minimal("flapping = \"1/1h\"\n"), "FILE: line 8: target \"web\": flapping: \"1/1h\": the number of changes must be between 2 and 100"),
            (&minimal("flapping = \"5/2d\"\n"), "FILE: line 8: target \"web\": flapping: \"5/2d\": the window must be between 1m and 1d"),
            ("[check]\nslow = \"quick\"\n", "FILE: line 2: check.slow: \"quick\" is neither \"off\" nor a duration"),
            (&minimal("timeout = \"2s\"\nslow = \"2s\"\n"), "FILE: line 9: target \"web\": slow: 2s is not below the target's timeout of 2s"),
        ];
        for (text, want) in cases {
            let got = load(text).expect_err(text);
            assert!(
                got.starts_with(&format!("config {want}")),
                "for {text:?}\n got: {got}\nwant: config {want}"
            );
        }
    }

    #[test]
    fn missing_and_binary_files_are_config_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = Config::load(&dir.path().join("nope.toml"), &Env::default()).unwrap_err();
        assert!(
            missing.to_string().contains("run 'vigia init'"),
            "{missing}"
        );
        let binary = dir.path().join("bin.toml");
        fs::write(&binary, b"\x7fELF\x00\x01\xff").unwrap();
        assert!(Config::load(&binary, &Env::default())
            .unwrap_err()
            .to_string()
            .contains("not a text file"));
    }

    #[test]
    fn token_files_and_readable_configs_warn() {
        let dir = tempfile::tempdir().unwrap();
        let token = dir.path().join("token");
        fs::write(&token, format!("{TOKEN}\n")).unwrap();
        fs::set_permissions(&token, fs::Permissions::from_mode(0o644)).unwrap();
        let path = dir.path().join("c.toml");
        fs::write(&path, "[telegram]\ntoken_file = \"token\"\nchat_id = 1\n").unwrap();
        let c = Config::load(&path, &env(dir.path())).unwrap();
        assert_eq!(c.telegram.unwrap().token.expose(), TOKEN);
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(c.warnings[0].contains("readable by group or others"));
        fs::write(&path, minimal("")).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        assert_eq!(
            Config::load(&path, &env(dir.path()))
                .unwrap()
                .warnings
                .len(),
            1
        );
    }

    #[test]
    fn durations_parse_and_print() {
        for (text, ms) in [
            ("500ms", 500),
            ("10s", 10_000),
            ("2m", 120_000),
            ("1m30s", 90_000),
            ("1h", 3_600_000),
        ] {
            assert_eq!(
                parse_duration(text),
                Some(Duration::from_millis(ms)),
                "{text}"
            );
        }
        for bad in ["", "10", "s", "1x", "-1s", "1.5s", "10 s"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(format_duration(Duration::from_secs(759)), "12m39s");
        assert_eq!(format_duration(Duration::from_secs(90_061)), "1d1h1m1s");
        assert_eq!(format_duration(Duration::from_millis(250)), "250ms");
    }

    #[test]
    fn adhoc_targets_are_named_after_the_host() {
        let t =
            Target::adhoc("http://203.0.113.10:8080/health", &CheckDefaults::default()).unwrap();
        assert_eq!(t.name, "203.0.113.10");
        assert_eq!(
            Target::adhoc("tcp://db:5432", &CheckDefaults::default())
                .unwrap()
                .name,
            "db_5432"
        );
        assert!(Target::adhoc("gopher://x", &CheckDefaults::default()).is_err());
    }

    #[test]
    fn maintenance_windows_are_read_and_checked() {
        let window = |keys: &str| minimal(&format!("\n[[maintenance]]\n{keys}"));
        let c = load(&window(
            "targets = [\"web\"]\ndays = [\"Sun\", \"sat\"]\nstart = \"23:30\"\nduration = \"1h30m\"\nreason = \"backup\"\n\n[[maintenance]]\ntargets = [\"*\"]\nstart = \"03:00\"\nduration = \"7d\"\n",
        ))
        .unwrap();
        let [first, second] = &c.maintenance[..] else {
            panic!("{:?}", c.maintenance)
        };
        assert_eq!(first.targets, Some(vec!["web".to_owned()]));
        assert_eq!(first.days, [false, false, false, false, false, true, true]);
        assert_eq!(first.start.to_string(), "23:30:00");
        assert_eq!(first.duration, Duration::from_secs(5400));
        assert_eq!(first.reason.as_deref(), Some("backup"));
        assert_eq!((second.targets.clone(), second.days), (None, [true; 7]));
        assert!(load(&minimal("")).unwrap().maintenance.is_empty());
        let ok = "start = \"03:00\"\nduration = \"1h\"\n";
        let cases: &[(String, &str)] = &[
            (window(&format!("targets = [\"nosuch\"]\n{ok}")), "line 10: maintenance.targets: \"nosuch\" is not a configured target"),
            (window(&format!("targets = []\n{ok}")), "line 10: maintenance.targets: is empty"),
            (window(&format!("targets = [\"*\", \"web\"]\n{ok}")), "line 10: maintenance.targets: \"*\" is every target: give it alone"),
            (window(ok), "line 9: maintenance.targets: missing"),
            (window(&format!("targets = [\"web\"]\ndays = [\"Sunday\"]\n{ok}")), "line 11: maintenance.days: \"Sunday\" is not a day: use Mon, Tue, Wed, Thu, Fri, Sat, Sun"),
            (window(&format!("targets = [\"web\"]\ndays = []\n{ok}")), "line 11: maintenance.days: is empty"),
            (window("targets = [\"web\"]\nstart = \"3am\"\nduration = \"1h\"\n"), "line 11: maintenance.start: \"3am\" is not a time of day"),
            (window("targets = [\"web\"]\nstart = \"24:00\"\nduration = \"1h\"\n"), "line 11: maintenance.start: \"24:00\" is not a time of day"),
            (window("targets = [\"web\"]\nduration = \"1h\"\n"), "line 9: maintenance.start: missing"),
            (window("targets = [\"web\"]\nstart = \"03:00\"\nduration = \"0s\"\n"), "line 12: maintenance.duration: must be more than zero"),
            (window("targets = [\"web\"]\nstart = \"03:00\"\nduration = \"7d1s\"\n"), "line 12: maintenance.duration: must be at most 7d"),
            (window("targets = [\"web\"]\nstart = \"03:00\"\nduration = \"99999999999999999d\"\n"), "line 12: maintenance.duration: must be at most 7d"),
            (window("targets = [\"web\"]\nstart = \"03:00\"\nduration = \"soon\"\n"), "line 12: maintenance.duration: \"soon\" is not a duration"),
            (window("targets = [\"web\"]\nstart = \"03:00\"\n"), "line 9: maintenance.duration: missing"),
            (window(&format!("targets = [\"web\"]\n{ok}reason = \" \"\n")), "line 13: maintenance.reason: must not be empty"),
            (window(&format!("targets = [\"web\"]\n{ok}every = \"1w\"\n")), "line 13: unknown key \"every\""),
        ];
        for (text, want) in cases {
            let got = load(text).expect_err(text);
            assert!(
                got.starts_with(&format!("config FILE: {want}")),
                "for {text:?}\n got: {got}\nwant: config FILE: {want}"
            );
        }
    }

    /// `[fleet]` and `[alertmanager]`: the values, the defaults, and every refusal with
    /// its line and key (minimal() takes 7 lines, the section starts on line 8).
    #[test]
    fn fleet_and_alertmanager_sections() {
        let base = load(&minimal("")).unwrap();
        assert!(base.checker.is_none() && base.alertmanager.is_none());
        let c = load(&format!("{}[fleet]\nchecker = \"fra1\"\n", minimal(""))).unwrap();
        assert_eq!(c.checker.as_deref(), Some("fra1"));
        let am = |body: &str| format!("{}[alertmanager]\n{body}", minimal(""));
        let one = load(&am("url = \"http://127.0.0.1:9093\"\n")).unwrap();
        let one = one.alertmanager.unwrap();
        assert_eq!(one.urls[0].as_str(), "http://127.0.0.1:9093/");
        assert_eq!(one.timeout, DEFAULT_ALERTMANAGER_TIMEOUT);
        let two = load(&am(
            "urls = [\"http://a:9093\", \"http://b:9093/\"]\ntimeout = \"800ms\"\n",
        ))
        .unwrap()
        .alertmanager
        .unwrap();
        assert_eq!(
            (two.urls.len(), two.timeout),
            (2, Duration::from_millis(800))
        );
        let cases: &[(String, &str)] = &[
            (
                format!("{}[fleet]\nchecker = \"\"\n", minimal("")),
                "line 9: fleet.checker: must not be empty",
            ),
            (
                format!("{}[fleet]\nchecker = \" a\"\n", minimal("")),
                "line 9: fleet.checker: \" a\" has spaces around it",
            ),
            (
                format!("{}[fleet]\nchecker = \"{}\"\n", minimal(""), "x".repeat(65)),
                "line 9: fleet.checker: is longer than 64",
            ),
            (am(""), "line 8: alertmanager.url: missing"),
            (
                am("url = \"ftp://h\"\n"),
                "line 9: alertmanager.url: \"ftp://h\" is not an http(s) URL",
            ),
            (
                am("url = \"http://admin:S3cret@h\"\nurls = [\"http://h\"]\n"),
                "line 10: alertmanager.urls: give either url or urls, not both",
            ),
            (
                am("urls = []\n"),
                "line 9: alertmanager.urls: must name at least one URL",
            ),
            (
                am("urls = [\"http://h\", \"http://h/\"]\n"),
                "line 9: alertmanager.urls: \"http://h/\" is given twice",
            ),
            (
                am("urls = [\"http://u:S3cret@\"]\n"),
                "line 9: alertmanager.urls: \"http://u:***@\" is not an http(s) URL",
            ),
            (
                am("url = \"http://h\"\ntimeout = \"11s\"\n"),
                "line 10: alertmanager.timeout: must be at most 10s",
            ),
            (
                am("url = \"http://h\"\nwait = \"1s\"\n"),
                "line 10: unknown key \"wait\"",
            ),
        ];
        for (text, want) in cases {
            let got = load(text).expect_err(text);
            assert!(
                got.starts_with(&format!("config FILE: {want}")) && !got.contains("S3cret"),
                "for {text:?}\n got: {got}\nwant: config FILE: {want}"
            );
        }
    }

    #[test]
    fn status_page_and_report_are_checked_with_their_line() {
        let c = load(&format!(
            "{}\n[status_page]\nfile = \"/var/www/s/index.html\"\nshow_urls = true\n\n[report]\nevery = \"monthly\"\nat = \"07:30\"\n",
            minimal("")
        ))
        .unwrap();
        let page = c.status_page.unwrap();
        assert_eq!(page.file, PathBuf::from("/var/www/s/index.html"));
        assert!(page.show_urls && page.title.is_none());
        let report = c.report.unwrap();
        assert_eq!(report.every, Every::Monthly);
        assert_eq!(report.at.format("%H:%M").to_string(), "07:30");
        let weekly = load(&format!("{}\n[report]\nevery = \"weekly\"\n", minimal(""))).unwrap();
        assert_eq!(
            weekly.report.unwrap().at.format("%H:%M").to_string(),
            DEFAULT_REPORT_AT
        );
        for (extra, want) in [
            (
                "[status_page]\nfile = \"index.html\"\n",
                "line 10: status_page.file: \"index.html\" must be an absolute path to a file",
            ),
            (
                "[status_page]\ntitle = \"x\"\n",
                "line 9: status_page.file: is missing: the page's absolute path",
            ),
            (
                "[report]\nevery = \"hourly\"\n",
                "line 10: report.every: \"hourly\" is not \"daily\", \"weekly\" or \"monthly\"",
            ),
            (
                "[report]\nevery = \"daily\"\nat = \"9am\"\n",
                "line 11: report.at: \"9am\" is not a time of day like \"09:00\"",
            ),
        ] {
            let got = load(&format!("{}\n{extra}", minimal(""))).unwrap_err();
            assert!(got.contains(want), "{extra:?}\n got: {got}\nwant: {want}");
        }
    }
}
