//! The process environment as vigia sees it, read once by `main` into an [`Env`], and
//! the default paths that follow from it: the config, the state and the log.

use std::path::{Path, PathBuf};

/// The state directory of root's runs and of vigia.service (`StateDirectory=vigia`).
pub const SYSTEM_STATE_DIR: &str = "/var/lib/vigia";

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
    /// `VIGIA_NOW` (RFC 3339): the time a run takes as now, for tests that pin whole
    /// outputs or move a run in time. Unset (or not a valid time): the clock.
    pub now: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// `$SUDO_USER` (non-empty): who ran `sudo vigia ack`, named by `vigia ack`.
    pub sudo_user: Option<String>,
    /// The locale of messages, as POSIX picks it: the first of `LC_ALL`, `LC_MESSAGES`
    /// and `LANG` that is set and not empty (`pt_BR.UTF-8`). Only `init` speaks by it.
    pub messages_locale: Option<String>,
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
            now: std::env::var("VIGIA_NOW")
                .ok()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t.trim()).ok()),
            sudo_user: std::env::var("SUDO_USER")
                .ok()
                .filter(|u| !u.trim().is_empty()),
            messages_locale: ["LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty())),
        }
    }

    /// The time of this run: `VIGIA_NOW` when set, else the local clock in whole seconds.
    pub fn now(&self) -> chrono::DateTime<chrono::FixedOffset> {
        self.now.unwrap_or_else(crate::util::now)
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
            PathBuf::from(super::UNIT_CONFIG)
        } else {
            self.user_dir(&self.xdg_config_home, ".config")
                .join("vigia/config.toml")
        }
    }

    /// Whether `path` is the config systemd passed as a credential.
    pub fn is_credential(&self, path: &Path) -> bool {
        self.credentials_directory
            .as_ref()
            .is_some_and(|dir| path == dir.join("config"))
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

    pub(super) fn default_state_dir(&self) -> PathBuf {
        if self.is_root {
            PathBuf::from(SYSTEM_STATE_DIR)
        } else {
            self.user_dir(&self.xdg_state_home, ".local/state")
                .join("vigia")
        }
    }

    pub(super) fn default_log_file(&self) -> PathBuf {
        if self.is_root {
            PathBuf::from("/var/log/vigia/vigia.log")
        } else {
            self.user_dir(&self.xdg_state_home, ".local/state")
                .join("vigia/vigia.log")
        }
    }

    /// Who runs this command, as `vigia ack` names them: `$SUDO_USER` when set, else the
    /// name of the real user (looked up, not `$USER`, which anyone can set), else the
    /// number.
    pub fn user(&self) -> String {
        if let Some(user) = &self.sudo_user {
            return user.clone();
        }
        // SAFETY: getuid has no preconditions and cannot fail.
        let uid = unsafe { libc::getuid() };
        user_name(uid).unwrap_or_else(|| format!("uid {uid}"))
    }

    /// The language of the messages locale, as `telegram.language` names it: `pt-BR`
    /// for `pt_BR`, `pt_BR.UTF-8`, `pt_BR@…` (any case); `None` (English) for the rest,
    /// `C` and `POSIX` included.
    pub fn locale_language(&self) -> Option<&'static str> {
        let locale = self.messages_locale.as_deref()?;
        let name = locale.split(['.', '@']).next().unwrap_or_default();
        crate::texts::LANGUAGES
            .iter()
            .map(|(language, _)| *language)
            .find(|language| {
                *language != "en"
                    && language
                        .replace('-', "_")
                        .eq_ignore_ascii_case(name.replace('-', "_").as_str())
            })
    }
}

/// The name of the user `uid` in the user database (getpwuid_r(3)), if it has one.
fn user_name(uid: libc::uid_t) -> Option<String> {
    // Grown on ERANGE; an entry larger than 1 MiB is no name to show.
    let mut size = 1024;
    while size <= 1 << 20 {
        let mut buf = vec![0 as libc::c_char; size];
        // SAFETY: passwd is plain data; all-zero is a valid value for it.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the call and buf.len() is its size.
        let rc =
            unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut found) };
        match rc {
            0 if found.is_null() || pwd.pw_name.is_null() => return None,
            0 => {
                // SAFETY: pw_name points into buf, NUL-terminated by getpwuid_r.
                let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
                return Some(name.to_string_lossy().into_owned()).filter(|n| !n.is_empty());
            }
            libc::ERANGE => size *= 4,
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_is_the_sudo_user_else_the_real_one_by_name() {
        let env = Env {
            sudo_user: Some("ana".into()),
            ..Env::default()
        };
        assert_eq!(env.user(), "ana");
        assert_eq!(user_name(0).as_deref(), Some("root"));
        let uid = unsafe { libc::getuid() };
        let real = Env::default().user();
        assert_eq!(real, user_name(uid).unwrap_or_else(|| format!("uid {uid}")));
        assert!(!real.is_empty());
    }
}

#[cfg(test)]
mod locale_tests {
    use super::*;

    #[test]
    fn the_messages_locale_names_the_language() {
        let with = |locale: &str| Env {
            messages_locale: Some(locale.into()),
            ..Env::default()
        };
        for pt in [
            "pt_BR",
            "pt_BR.UTF-8",
            "pt_BR.utf8",
            "pt_BR@latin",
            "PT_br",
            "pt-BR",
        ] {
            assert_eq!(with(pt).locale_language(), Some("pt-BR"), "{pt}");
        }
        for other in [
            "C",
            "POSIX",
            "C.UTF-8",
            "en_US.UTF-8",
            "pt_PT.UTF-8",
            "pt",
            "de_DE",
        ] {
            assert_eq!(with(other).locale_language(), None, "{other}");
        }
        assert_eq!(Env::default().locale_language(), None);
    }
}
