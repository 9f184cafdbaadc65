//! The configuration: where it is, the raw TOML it holds, and the one validation that
//! turns it into the typed [`Config`] the rest of the program sees. Nothing else reads
//! TOML or the environment (the environment arrives as an [`Env`] snapshot).

use std::collections::HashSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::budget;
use crate::error::ConfigError;
use crate::secret::Token;

pub const DEFAULT_API_URL: &str = "https://api.telegram.org";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_ATTEMPTS: u32 = 3;
const DEFAULT_RETRY_DELAY: Duration = Duration::from_secs(5);
pub const DEFAULT_API_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_NAME_LEN: usize = 64;
pub const DEFAULT_PARALLEL: usize = 128;
pub const DEFAULT_PARALLEL_PER_HOST: usize = 4;

/// The parts of the process environment vigia looks at, read once by `main`.
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub is_root: bool,
    pub home: Option<PathBuf>,
    pub xdg_config_home: Option<PathBuf>,
    pub xdg_state_home: Option<PathBuf>,
    /// Set by systemd for `StateDirectory=`, `LogsDirectory=` and `LoadCredential=`.
    pub state_directory: Option<PathBuf>,
    pub logs_directory: Option<PathBuf>,
    pub credentials_directory: Option<PathBuf>,
    /// Set by systemd when standard output goes to the journal.
    pub journal: bool,
    /// Started by systemd as a unit (`$INVOCATION_ID`): its start timeout applies.
    pub under_systemd: bool,
    pub no_color: bool,
    /// `VIGIA_TOKEN`, for `init` without a terminal.
    pub token: Option<String>,
    /// The systemctl `init` runs (`VIGIA_SYSTEMCTL`, for tests and unusual systems).
    pub systemctl: PathBuf,
}

impl Env {
    pub fn from_process() -> Env {
        let path = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        // systemd may list several directories separated by ':'; the first is ours.
        let first = |name: &str| {
            path(name).map(|p| {
                let s = p.to_string_lossy().into_owned();
                PathBuf::from(s.split(':').next().unwrap_or_default())
            })
        };
        Env {
            // SAFETY: geteuid has no preconditions and cannot fail.
            is_root: unsafe { libc::geteuid() } == 0,
            home: path("HOME"),
            xdg_config_home: path("XDG_CONFIG_HOME").filter(|p| p.is_absolute()),
            xdg_state_home: path("XDG_STATE_HOME").filter(|p| p.is_absolute()),
            state_directory: first("STATE_DIRECTORY"),
            logs_directory: first("LOGS_DIRECTORY"),
            credentials_directory: path("CREDENTIALS_DIRECTORY"),
            journal: std::env::var_os("JOURNAL_STREAM").is_some(),
            under_systemd: std::env::var_os("INVOCATION_ID").is_some(),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            token: std::env::var("VIGIA_TOKEN")
                .ok()
                .filter(|t| !t.trim().is_empty()),
            systemctl: path("VIGIA_SYSTEMCTL").unwrap_or_else(|| PathBuf::from("systemctl")),
        }
    }

    fn user_dir(&self, xdg: &Option<PathBuf>, fallback: &str) -> PathBuf {
        match (xdg, &self.home) {
            (Some(dir), _) => dir.clone(),
            (None, Some(home)) => home.join(fallback),
            (None, None) => PathBuf::from("/tmp"),
        }
    }

    /// The configuration file used when `--config`/`VIGIA_CONFIG` is not given: the
    /// credential systemd passed in, else /etc/vigia for root, else the XDG config dir.
    pub fn default_config_path(&self) -> PathBuf {
        if let Some(creds) = &self.credentials_directory {
            let credential = creds.join("config");
            if credential.exists() {
                return credential;
            }
        }
        if self.is_root {
            PathBuf::from("/etc/vigia/config.toml")
        } else {
            self.user_dir(&self.xdg_config_home, ".config")
                .join("vigia/config.toml")
        }
    }

    /// systemd is PID 1 here (sd_booted(3): `/run/systemd/system` exists). Asked only by
    /// `init`, so that `check` does not pay for it every minute.
    pub fn systemd_running(&self) -> bool {
        Path::new("/run/systemd/system").is_dir()
    }

    /// Where `init` writes when no path is given: /etc/vigia for root, else the XDG
    /// config dir (never the read-only credential).
    pub fn init_config_path(&self) -> PathBuf {
        Env {
            credentials_directory: None,
            ..self.clone()
        }
        .default_config_path()
    }

    /// The state directory, by the one rule for both paths (README "Files"): the
    /// config's key wins, then the directory systemd passes, then the default. A timer
    /// run and a run by hand thus always share one state, one lock and one log.
    pub fn state_dir(&self, configured: Option<PathBuf>) -> PathBuf {
        configured
            .or_else(|| self.state_directory.clone())
            .unwrap_or_else(|| self.default_state_dir())
    }

    /// The log, by the same rule as [`Env::state_dir`].
    pub fn log_file(&self, configured: Option<PathBuf>) -> PathBuf {
        configured
            .or_else(|| self.logs_directory.as_ref().map(|d| d.join("vigia.log")))
            .unwrap_or_else(|| self.default_log_file())
    }

    fn default_state_dir(&self) -> PathBuf {
        if self.is_root {
            PathBuf::from("/var/lib/vigia")
        } else {
            self.user_dir(&self.xdg_state_home, ".local/state")
                .join("vigia")
        }
    }

    fn default_log_file(&self) -> PathBuf {
        if self.is_root {
            PathBuf::from("/var/log/vigia/vigia.log")
        } else {
            self.user_dir(&self.xdg_state_home, ".local/state")
                .join("vigia/vigia.log")
        }
    }
}

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
}

impl Default for CheckDefaults {
    fn default() -> Self {
        CheckDefaults {
            timeout: DEFAULT_TIMEOUT,
            attempts: DEFAULT_ATTEMPTS,
            retry_delay: DEFAULT_RETRY_DELAY,
            parallel: DEFAULT_PARALLEL,
            parallel_per_host: DEFAULT_PARALLEL_PER_HOST,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub name: String,
    /// As written in the config, for messages, with any password replaced by `***`:
    /// the only form of the URL that is ever shown.
    pub url: String,
    /// The password part of the URL, to scrub from error texts (never shown).
    pub secret: Option<String>,
    pub endpoint: Endpoint,
    /// `None`: any 2xx or 3xx final status.
    pub expect_status: Option<Vec<u16>>,
    pub contains: Option<String>,
    pub timeout: Duration,
    pub attempts: u32,
    pub retry_delay: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Endpoint {
    Http(reqwest::Url),
    Tcp { host: String, port: u16 },
}

impl Endpoint {
    /// Parses a target URL. Errors show the URL with its password masked.
    pub fn parse(url: &str) -> Result<Endpoint, String> {
        let (real, shown) = (url, mask_password(url));
        let url = shown.as_str();
        let parsed = reqwest::Url::parse(url).map_err(|e| {
            // url's RelativeUrlWithoutBase: "example.org" typed without http://.
            let slash = if url.contains('/') { "" } else { "/" };
            let guess = format!("http://{url}{slash}");
            let host_like =
                !url.contains(char::is_whitespace) && reqwest::Url::parse(&guess).is_ok();
            if e.to_string() == "relative URL without a base" && host_like {
                format!("{url:?} has no scheme: did you mean \"{guess}\"?")
            } else {
                format!("{url:?} is not a URL: {e}")
            }
        })?;
        let host = parsed.host_str().filter(|h| !h.is_empty());
        match parsed.scheme() {
            "http" | "https" if host.is_some() => real
                .parse()
                .map(Endpoint::Http)
                .map_err(|e| format!("{url:?} is not a URL: {e}")),
            "tcp" => match (host, parsed.port()) {
                (Some(host), Some(port)) => Ok(Endpoint::Tcp {
                    host: host.trim_start_matches('[').trim_end_matches(']').to_owned(),
                    port,
                }),
                _ => Err(format!("{url:?}: a tcp target needs a host and a port: tcp://host:port")),
            },
            "http" | "https" => Err(format!("{url:?} has no host")),
            other => Err(format!(
                "{url:?}: scheme {other:?} is not supported (use http://, https:// or tcp://host:port)"
            )),
        }
    }
}

impl Target {
    /// A target for `check --url`, named after the URL's host.
    pub fn adhoc(url: &str, defaults: &CheckDefaults) -> Result<Target, String> {
        let endpoint = Endpoint::parse(url)?;
        let host = match &endpoint {
            Endpoint::Http(u) => u.host_str().unwrap_or("url").to_owned(),
            Endpoint::Tcp { host, port } => format!("{host}_{port}"),
        };
        let name: String = host
            .chars()
            .map(|c| if is_name_char(c) { c } else { '_' })
            .take(MAX_NAME_LEN)
            .collect();
        Ok(Target {
            name,
            url: mask_password(url),
            secret: password_of(&endpoint),
            endpoint,
            expect_status: None,
            contains: None,
            timeout: defaults.timeout,
            attempts: defaults.attempts,
            retry_delay: defaults.retry_delay,
        })
    }

    /// `text` with this target's URL password replaced by `***`.
    pub fn scrub(&self, text: &str) -> String {
        match &self.secret {
            Some(secret) => text.replace(secret.as_str(), "***"),
            None => text.to_owned(),
        }
    }
}

/// The password of an http(s) URL, as it appears in the URL (percent-encoded).
fn password_of(endpoint: &Endpoint) -> Option<String> {
    match endpoint {
        Endpoint::Http(url) => url.password().filter(|p| !p.is_empty()).map(str::to_owned),
        Endpoint::Tcp { .. } => None,
    }
}

/// `http://admin:***@host/` for `http://admin:S3cret@host/`: the URL as written, with
/// the password masked (the rest stays as the admin typed it).
pub fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let masked = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                user.to_owned()
            };
            format!("{scheme}://{masked}@{host}{}", &rest[authority_end..])
        }
        None => url.to_owned(),
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
        }
    }

    /// Reads and validates the file. Every problem is a [`ConfigError`] (exit 78).
    pub fn load(path: &Path, env: &Env) -> Result<Config, ConfigError> {
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

// ---- raw TOML ---------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    telegram: Option<Spanned<RawTelegram>>,
    check: Option<RawCheck>,
    #[serde(default)]
    target: Vec<Spanned<RawTarget>>,
    heartbeat: Option<Spanned<RawHeartbeat>>,
    metrics: Option<Spanned<RawMetrics>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeartbeat {
    url: Option<Spanned<String>>,
    timeout: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetrics {
    textfile: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTelegram {
    token: Option<Spanned<String>>,
    token_file: Option<Spanned<String>>,
    chat_id: Option<Spanned<i64>>,
    message_thread_id: Option<Spanned<i64>>,
    api_url: Option<Spanned<String>>,
    proxy: Option<Spanned<String>>,
    timeout: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    timeout: Option<Spanned<String>>,
    attempts: Option<Spanned<i64>>,
    retry_delay: Option<Spanned<String>>,
    log_file: Option<Spanned<String>>,
    state_dir: Option<Spanned<String>>,
    parallel: Option<Spanned<i64>>,
    parallel_per_host: Option<Spanned<i64>>,
    canary: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    name: Option<Spanned<String>>,
    url: Option<Spanned<String>>,
    expect_status: Option<Spanned<Vec<i64>>>,
    contains: Option<Spanned<String>>,
    timeout: Option<Spanned<String>>,
    attempts: Option<Spanned<i64>>,
    retry_delay: Option<Spanned<String>>,
}

/// Validates `text` (the contents of `path`) into a config.
/// Also says whether the token is written in the file itself.
fn parse(path: &Path, text: &str, env: &Env) -> Result<(Config, bool), ConfigError> {
    let line_of = |span: std::ops::Range<usize>| {
        Some(text[..span.start.min(text.len())].matches('\n').count() + 1)
    };
    let err = |span: std::ops::Range<usize>, key: &str, msg: String| {
        ConfigError::new(path, msg).at(line_of(span), key)
    };

    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let line = e.span().and_then(line_of);
        let message = e.message().trim().replace('`', "\"");
        let mut error = ConfigError::new(path, describe_toml_error(&message));
        error.line = line;
        error
    })?;

    let check = raw.check.unwrap_or(RawCheck {
        timeout: None,
        attempts: None,
        retry_delay: None,
        log_file: None,
        state_dir: None,
        parallel: None,
        parallel_per_host: None,
        canary: None,
    });
    let defaults = CheckDefaults {
        timeout: duration_or(
            &check.timeout,
            "check.timeout",
            DEFAULT_TIMEOUT,
            &err,
            false,
        )?,
        attempts: attempts_or(&check.attempts, "check.attempts", DEFAULT_ATTEMPTS, &err)?,
        retry_delay: duration_or(
            &check.retry_delay,
            "check.retry_delay",
            DEFAULT_RETRY_DELAY,
            &err,
            true,
        )?,
        parallel: count_or(
            &check.parallel,
            "check.parallel",
            DEFAULT_PARALLEL,
            4096,
            &err,
        )?,
        parallel_per_host: count_or(
            &check.parallel_per_host,
            "check.parallel_per_host",
            DEFAULT_PARALLEL_PER_HOST,
            64,
            &err,
        )?,
    };
    let base = path.parent().unwrap_or(Path::new("/"));
    let file_path =
        |value: &Option<Spanned<String>>, key: &str| -> Result<Option<PathBuf>, ConfigError> {
            match value {
                None => Ok(None),
                Some(v) if v.get_ref().trim().is_empty() => {
                    Err(err(v.span(), key, "must not be empty".into()))
                }
                Some(v) => Ok(Some(base.join(v.get_ref()))),
            }
        };
    let state_dir = env.state_dir(file_path(&check.state_dir, "check.state_dir")?);
    let log_file = env.log_file(file_path(&check.log_file, "check.log_file")?);

    let mut warnings = Vec::new();
    let (telegram, token_inline) = match raw.telegram {
        None => (None, false),
        Some(section) => {
            let (telegram, inline) = telegram(section, base, &err, &mut warnings)?;
            (Some(telegram), inline)
        }
    };

    let mut targets = Vec::with_capacity(raw.target.len());
    let mut names = HashSet::new();
    for spanned in raw.target {
        let table_span = spanned.span();
        let t = spanned.into_inner();
        let name = t.name.ok_or_else(|| {
            err(
                table_span.clone(),
                "target.name",
                "missing: every [[target]] needs a name".into(),
            )
        })?;
        let key = |field: &str| format!("target {:?}: {field}", name.get_ref());
        validate_name(name.get_ref()).map_err(|why| err(name.span(), "target.name", why))?;
        if !names.insert(name.get_ref().clone()) {
            return Err(err(
                name.span(),
                "target.name",
                format!("{:?} is used by two targets", name.get_ref()),
            ));
        }
        let url = t
            .url
            .ok_or_else(|| err(table_span.clone(), &key("url"), "missing".into()))?;
        let endpoint =
            Endpoint::parse(url.get_ref()).map_err(|m| err(url.span(), &key("url"), m))?;
        let expect_status = match t.expect_status {
            None => None,
            Some(list) => {
                if list.get_ref().is_empty()
                    || list.get_ref().iter().any(|s| !(100..=599).contains(s))
                {
                    return Err(err(
                        list.span(),
                        &key("expect_status"),
                        "must be a list of HTTP status codes (100-599)".into(),
                    ));
                }
                if matches!(endpoint, Endpoint::Tcp { .. }) {
                    return Err(err(
                        list.span(),
                        &key("expect_status"),
                        "does not apply to a tcp:// target".into(),
                    ));
                }
                Some(list.get_ref().iter().map(|&s| s as u16).collect())
            }
        };
        let contains = match t.contains {
            None => None,
            Some(c) if c.get_ref().is_empty() => {
                return Err(err(c.span(), &key("contains"), "must not be empty".into()))
            }
            Some(c) if matches!(endpoint, Endpoint::Tcp { .. }) => {
                return Err(err(
                    c.span(),
                    &key("contains"),
                    "does not apply to a tcp:// target".into(),
                ))
            }
            Some(c) => Some(c.into_inner()),
        };
        let target = Target {
            timeout: duration_or(&t.timeout, &key("timeout"), defaults.timeout, &err, false)?,
            attempts: attempts_or(&t.attempts, &key("attempts"), defaults.attempts, &err)?,
            retry_delay: duration_or(
                &t.retry_delay,
                &key("retry_delay"),
                defaults.retry_delay,
                &err,
                true,
            )?,
            name: name.get_ref().clone(),
            url: mask_password(url.get_ref()),
            secret: password_of(&endpoint),
            endpoint,
            expect_status,
            contains,
        };
        let worst = budget::worst_case(target.timeout, target.attempts, target.retry_delay);
        if worst > budget::MAX_PROBE {
            return Err(err(
                name.span(),
                &key("timeout, attempts, retry_delay"),
                format!(
                    "attempts × timeout + (attempts − 1) × retry_delay = {} in the worst case, over the {} a check may spend on one target (a run must end inside the timer's minute): lower timeout or attempts",
                    format_duration(worst),
                    format_duration(budget::MAX_PROBE)
                ),
            ));
        }
        targets.push(target);
    }

    let mut canaries = Vec::new();
    for (i, url) in check
        .canary
        .map(Spanned::into_inner)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let mut canary = Target::adhoc(url.get_ref(), &defaults)
            .map_err(|m| err(url.span(), "check.canary", m))?;
        canary.name = format!("canary-{}", i + 1);
        canaries.push(canary);
    }
    let heartbeat = match raw.heartbeat {
        None => None,
        Some(section) => Some(heartbeat(section, &err)?),
    };
    let metrics = match raw
        .metrics
        .map(Spanned::into_inner)
        .and_then(|m| m.textfile)
    {
        None => None,
        Some(file) if !Path::new(file.get_ref()).is_absolute() => {
            return Err(err(
                file.span(),
                "metrics.textfile",
                format!("{:?} must be an absolute path", file.get_ref()),
            ))
        }
        Some(file) => Some(PathBuf::from(file.into_inner())),
    };
    let config = Config {
        path: Some(path.to_owned()),
        telegram,
        check: defaults,
        targets,
        log_file,
        state_dir,
        canaries,
        heartbeat,
        metrics,
        warnings,
    };
    Ok((config, token_inline))
}

type Span = std::ops::Range<usize>;

/// The default time a heartbeat ping may take.
pub const DEFAULT_HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(5);

/// Validates `[heartbeat]`.
fn heartbeat(
    section: Spanned<RawHeartbeat>,
    err: &impl Fn(Span, &str, String) -> ConfigError,
) -> Result<Heartbeat, ConfigError> {
    let span = section.span();
    let raw = section.into_inner();
    let url = raw.url.ok_or_else(|| {
        err(
            span,
            "heartbeat.url",
            "missing: the URL to ping after every run".into(),
        )
    })?;
    let parsed = reqwest::Url::parse(url.get_ref())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .ok_or_else(|| err(url.span(), "heartbeat.url", "is not an http(s) URL".into()))?;
    let timeout = duration_or(
        &raw.timeout,
        "heartbeat.timeout",
        DEFAULT_HEARTBEAT_TIMEOUT,
        err,
        false,
    )?;
    if timeout > budget::MAX_API_TIMEOUT {
        let span = raw.timeout.as_ref().map_or(url.span(), Spanned::span);
        return Err(err(
            span,
            "heartbeat.timeout",
            format!(
                "must be at most {}",
                format_duration(budget::MAX_API_TIMEOUT)
            ),
        ));
    }
    Ok(Heartbeat {
        url: parsed,
        timeout,
    })
}

/// Validates the `[telegram]` table; says whether the token is inline.
fn telegram(
    section: Spanned<RawTelegram>,
    base: &Path,
    err: &impl Fn(Span, &str, String) -> ConfigError,
    warnings: &mut Vec<String>,
) -> Result<(Telegram, bool), ConfigError> {
    let span = section.span();
    let raw = section.into_inner();
    let (token, inline) = match (raw.token, raw.token_file) {
        (Some(_), Some(file)) => {
            return Err(err(
                file.span(),
                "telegram.token_file",
                "give either token or token_file, not both".into(),
            ))
        }
        (None, None) => {
            return Err(err(
                span,
                "telegram.token",
                "missing: set token (or token_file); 'vigia init' writes it".into(),
            ))
        }
        (Some(token), None) => {
            let parsed = Token::parse(token.get_ref()).map_err(|why| {
                err(
                    token.span(),
                    "telegram.token",
                    format!("is not a bot token: {why}"),
                )
            })?;
            (parsed, true)
        }
        (None, Some(file)) => {
            let file_path = base.join(file.get_ref());
            let text = fs::read_to_string(&file_path).map_err(|e| {
                err(
                    file.span(),
                    "telegram.token_file",
                    format!("cannot read {}: {e}", file_path.display()),
                )
            })?;
            let parsed = Token::parse(&text).map_err(|why| {
                err(
                    file.span(),
                    "telegram.token_file",
                    format!("{} does not hold a bot token: {why}", file_path.display()),
                )
            })?;
            warnings.extend(readable_by_others(&file_path));
            (parsed, false)
        }
    };
    let chat_id = raw.chat_id.ok_or_else(|| {
        err(
            span.clone(),
            "telegram.chat_id",
            "missing: 'vigia init' finds it for you".into(),
        )
    })?;
    let api_url = match raw.api_url {
        None => DEFAULT_API_URL.to_owned(),
        Some(url) => {
            let ok = reqwest::Url::parse(url.get_ref())
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
            if ok.is_none() {
                return Err(err(
                    url.span(),
                    "telegram.api_url",
                    format!("{:?} is not an http(s) URL", url.get_ref()),
                ));
            }
            url.get_ref().trim_end_matches('/').to_owned()
        }
    };
    let proxy = match raw.proxy {
        None => None,
        Some(proxy) => {
            let ok = reqwest::Url::parse(proxy.get_ref()).ok().filter(|u| {
                matches!(u.scheme(), "http" | "https" | "socks5" | "socks5h")
                    && u.host_str().is_some()
            });
            if ok.is_none() {
                return Err(err(
                    proxy.span(),
                    "telegram.proxy",
                    format!(
                        "{:?} is not a proxy URL (http://, https://, socks5:// or socks5h://)",
                        proxy.get_ref()
                    ),
                ));
            }
            Some(proxy.into_inner())
        }
    };
    let telegram = Telegram {
        token,
        chat_id: *chat_id.get_ref(),
        message_thread_id: raw.message_thread_id.map(Spanned::into_inner),
        api_url,
        proxy,
        timeout: duration_or(
            &raw.timeout,
            "telegram.timeout",
            DEFAULT_API_TIMEOUT,
            err,
            false,
        )?,
    };
    if telegram.timeout > budget::MAX_API_TIMEOUT {
        let span = raw.timeout.as_ref().map(Spanned::span).unwrap_or(span);
        return Err(err(
            span,
            "telegram.timeout",
            format!(
                "must be at most {}: a run keeps that much of its minute for Telegram",
                format_duration(budget::MAX_API_TIMEOUT)
            ),
        ));
    }
    Ok((telegram, inline))
}

fn duration_or(
    value: &Option<Spanned<String>>,
    key: &str,
    default: Duration,
    err: &impl Fn(Span, &str, String) -> ConfigError,
    zero_ok: bool,
) -> Result<Duration, ConfigError> {
    let Some(value) = value else {
        return Ok(default);
    };
    match parse_duration(value.get_ref()) {
        Some(d) if d.is_zero() && !zero_ok => {
            Err(err(value.span(), key, "must be more than zero".into()))
        }
        Some(d) if d > Duration::from_secs(3600) => {
            Err(err(value.span(), key, "must be at most 1h".into()))
        }
        Some(d) => Ok(d),
        None => Err(err(
            value.span(),
            key,
            format!(
                "{:?} is not a duration: write e.g. \"500ms\", \"10s\", \"2m\"",
                value.get_ref()
            ),
        )),
    }
}

fn count_or(
    value: &Option<Spanned<i64>>,
    key: &str,
    default: usize,
    max: i64,
    err: &impl Fn(Span, &str, String) -> ConfigError,
) -> Result<usize, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) if (1..=max).contains(v.get_ref()) => Ok(*v.get_ref() as usize),
        Some(v) => Err(err(
            v.span(),
            key,
            format!("{} is not between 1 and {max}", v.get_ref()),
        )),
    }
}

fn attempts_or(
    value: &Option<Spanned<i64>>,
    key: &str,
    default: u32,
    err: &impl Fn(Span, &str, String) -> ConfigError,
) -> Result<u32, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) if (1..=10).contains(v.get_ref()) => Ok(*v.get_ref() as u32),
        Some(v) => Err(err(
            v.span(),
            key,
            format!("{} is not between 1 and 10", v.get_ref()),
        )),
    }
}

/// `500ms`, `10s`, `2m`, `1h`, and sums of them such as `1m30s`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let number: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit = match &rest[..unit_len] {
            "ms" => Duration::from_millis(1),
            "s" => Duration::from_secs(1),
            "m" | "min" => Duration::from_secs(60),
            "h" => Duration::from_secs(3600),
            _ => return None,
        };
        total = total.checked_add(unit.checked_mul(u32::try_from(number).ok()?)?)?;
        rest = &rest[unit_len..];
    }
    Some(total)
}

/// Shows a duration the way the config writes it: `1h2m`, `12m39s`, `41s`, `500ms`.
pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs == 0 {
        return format!("{}ms", d.subsec_millis());
    }
    let (days, hours, minutes, seconds) =
        (secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    for (value, unit) in [(days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")] {
        if value > 0 {
            out.push_str(&format!("{value}{unit}"));
        }
    }
    out
}

/// The rule for a target's name, for the config and the wizard alike.
pub fn validate_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_NAME_LEN || !name.chars().all(is_name_char) {
        return Err(format!(
            "{name:?} is not a valid name: use 1 to {MAX_NAME_LEN} of A-Z a-z 0-9 . _ -"
        ));
    }
    Ok(())
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// Turns serde's wording into the user's: "unknown field" becomes "unknown key".
fn describe_toml_error(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message);
    if let Some(rest) = first.strip_prefix("unknown field ") {
        let key = rest.split(',').next().unwrap_or(rest);
        return format!("unknown key {key} (see the README for the keys)");
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
    fn url_passwords_are_masked() {
        assert_eq!(
            mask_password("http://admin:S3cret@host:8/p?q#f"),
            "http://admin:***@host:8/p?q#f"
        );
        assert_eq!(mask_password("https://user@host/"), "https://user@host/");
        assert_eq!(mask_password("http://host/a@b"), "http://host/a@b");
        assert_eq!(mask_password("http://a:b:c@host/"), "http://a:***@host/");
        let c = load(&minimal("").replace("http://127.0.0.1/", "http://admin:p%40ss@127.0.0.1/"))
            .unwrap();
        let t = &c.targets[0];
        assert_eq!(t.url, "http://admin:***@127.0.0.1/");
        assert_eq!(
            t.scrub("failed for http://admin:p%40ss@127.0.0.1/"),
            "failed for http://admin:***@127.0.0.1/"
        );
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
            ("   \n", "FILE: is empty"),
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
}
