//! Black-box tests of the `vigia` binary: each runs in its own temp dir with a hermetic
//! environment, against local fake servers (see `fake.rs`). Nothing touches the real
//! network, `/etc` or `/var`.

mod ack;
mod alertmanager;
mod check;
mod commands;
mod delivery;
mod destination;
mod fake;
mod features;
mod golden;
mod init;
mod looks;
mod maintenance;
mod page;
mod prometheus;
mod rendered;
mod report;
mod security;
mod send;
mod status;
mod thresholds;
mod tls;
mod watch;
mod watcher;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub use fake::{closed_port_url, BotApi, Reply, Site, TOKEN};

/// The longest any single run of the binary may take in a test.
const RUN_LIMIT: Duration = Duration::from_secs(30);

/// A temp dir with a config, a log and a state dir, and the environment to run in it.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox::new()
    }
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    fn from(output: Output, elapsed: Duration) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            elapsed,
        }
    }

    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub fn expect(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn config_path(&self) -> PathBuf {
        self.path("config.toml")
    }

    pub fn log_path(&self) -> PathBuf {
        self.path("vigia.log")
    }

    pub fn state_path(&self) -> PathBuf {
        self.path("state")
    }

    /// Writes a config with the given `[telegram]` api_url (or none) and targets given
    /// as TOML snippets; paths point into the sandbox, timeouts are short.
    pub fn write_config(&self, api_url: Option<&str>, targets: &[String]) {
        let mut text = String::new();
        if let Some(api) = api_url {
            text.push_str(&format!(
                "[telegram]\ntoken = \"{TOKEN}\"\nchat_id = 42\napi_url = \"{api}\"\ntimeout = \"500ms\"\n\n"
            ));
        }
        text.push_str(&format!(
            "[check]\ntimeout = \"300ms\"\nattempts = 1\nretry_delay = \"10ms\"\nlog_file = \"{}\"\nstate_dir = \"{}\"\n",
            self.log_path().display(),
            self.state_path().display()
        ));
        for t in targets {
            text.push_str(&format!("\n[[target]]\n{t}\n"));
        }
        self.write_raw_config(&text);
    }

    /// Adds `keys` (TOML lines) to the `[check]` section of the config written.
    pub fn add_check_keys(&self, keys: &str) {
        let text = fs::read_to_string(self.config_path()).unwrap().replacen(
            "[check]\n",
            &format!("[check]\n{keys}"),
            1,
        );
        self.write_raw_config(&text);
    }

    pub fn write_raw_config(&self, text: &str) {
        fs::write(self.config_path(), text).unwrap();
        fs::set_permissions(self.config_path(), fs::Permissions::from_mode(0o600)).unwrap();
    }

    /// The command with a hermetic environment: no inherited VIGIA_*, proxies or XDG
    /// paths; HOME in the sandbox; UTC.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.command_bare(&[]);
        cmd.arg("--config").arg(self.config_path()).args(args);
        cmd
    }

    /// Without `--config`: the default config path applies (a missing one, in tests).
    pub fn command_bare(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigia"));
        cmd.env_clear()
            .env("HOME", self.dir.path())
            .env("PATH", "/usr/bin:/bin")
            .env("TZ", "UTC")
            .env("LANG", "C.UTF-8")
            // Tests may run as root, whose defaults are /var/log and /var/lib: the
            // directories systemd would pass keep every write in the sandbox.
            .env("LOGS_DIRECTORY", self.dir.path())
            .env("STATE_DIRECTORY", self.state_path())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// The command as another user (`uid`, its group the same number), for root-only
    /// tests. That user may not reach the test binary: cargo's target dir sits in the
    /// clone, and a clone in root's home (mode 0700) is closed to everyone else. So the
    /// binary is copied into the sandbox, which such a test opens to others (0755), and
    /// the run starts there.
    pub fn command_as(&self, uid: u32, args: &[&str]) -> Command {
        use std::os::unix::process::CommandExt;
        let bin = self.path("bin/vigia");
        if !bin.exists() {
            fs::create_dir_all(self.path("bin")).unwrap();
            fs::copy(env!("CARGO_BIN_EXE_vigia"), &bin).unwrap();
            fs::set_permissions(self.path("bin"), fs::Permissions::from_mode(0o755)).unwrap();
            fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
        }
        let template = self.command(args);
        let mut cmd = Command::new(&bin);
        cmd.env_clear()
            .envs(template.get_envs().filter_map(|(k, v)| Some((k, v?))))
            .args(template.get_args())
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .uid(uid)
            .gid(uid);
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run(self.command(args))
    }

    /// Runs with one more environment variable (VIGIA_TOKEN, ALL_PROXY...).
    pub fn run_with_env(&self, args: &[&str], name: &str, value: &str) -> Run {
        let mut command = self.command(args);
        command.env(name, value);
        run(command)
    }

    /// Runs at `now` (RFC 3339, as `VIGIA_NOW` takes it); a `check` as the timer's
    /// would after a run every minute up to it (see [`Sandbox::kept_checking_until`]).
    pub fn run_at(&self, args: &[&str], now: &str) -> Run {
        if args.first() == Some(&"check") {
            self.kept_checking_until(now);
        }
        self.run_with_env(args, "VIGIA_NOW", now)
    }

    /// As if vigia had checked every minute up to `now`: the last check's stamp, if there
    /// is one, is moved to a minute before, so that the jump of the test's clock is no
    /// gap in the checking (a gap is said in the chat).
    pub fn kept_checking_until(&self, now: &str) {
        let stamp = self.state_path().join("last-check");
        if let Ok(text) = fs::read_to_string(&stamp) {
            let summary = text.split_once(' ').map_or("", |(_, s)| s.trim_end());
            let before =
                chrono::DateTime::parse_from_rfc3339(now).unwrap() - chrono::TimeDelta::minutes(1);
            fs::write(&stamp, format!("{} {summary}\n", before.to_rfc3339())).unwrap();
        }
    }

    pub fn run_bare(&self, args: &[&str]) -> Run {
        run(self.command_bare(args))
    }

    pub fn log_lines(&self) -> Vec<String> {
        fs::read_to_string(self.log_path())
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The committed checkpoint (`state.json`), or `null` when there is none.
    pub fn checkpoint(&self) -> serde_json::Value {
        fs::read(self.state_path().join("state.json")).map_or(serde_json::Value::Null, |b| {
            serde_json::from_slice(&b).unwrap()
        })
    }

    /// How many messages wait for Telegram.
    pub fn outbox_len(&self) -> usize {
        self.checkpoint()["queue"].as_array().map_or(0, Vec::len)
    }

    /// Every file under the sandbox, with its contents, for secret checks.
    pub fn all_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
            for entry in fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if let Ok(bytes) = fs::read(&path) {
                    out.push((path, bytes));
                }
            }
        }
        let mut out = Vec::new();
        walk(self.dir.path(), &mut out);
        out
    }
}

/// The chat got `count` messages so far, the last one starting with `start`.
pub fn assert_last_sent(api: &BotApi, count: usize, start: &str) {
    let sent = api.sent();
    assert_eq!(sent.len(), count, "{sent:?}");
    assert!(sent[count - 1].starts_with(start), "{}", sent[count - 1]);
}

/// Runs a command to its end (at most RUN_LIMIT).
pub fn run(mut command: Command) -> Run {
    let started = Instant::now();
    let child = command.spawn().unwrap();
    Run::from(wait_bounded(child), started.elapsed())
}

/// Waits for a child the test spawned itself; `elapsed` counts from this call.
pub fn finish(child: Child) -> Run {
    let started = Instant::now();
    Run::from(wait_bounded(child), started.elapsed())
}

/// Like [`finish`], and also the program's peak resident memory in KiB: `VmHWM` of
/// `/proc/<pid>/status`, read while it runs. (`wait4`'s `ru_maxrss` is no good here: it
/// also counts the test process's memory, shared with the child until `exec`.)
pub fn finish_with_rusage(mut child: Child) -> (Run, i64) {
    use std::io::Read;
    let started = Instant::now();
    let pid = child.id() as libc::pid_t;
    let readers: Vec<_> = [
        child
            .stdout
            .take()
            .map(|o| Box::new(o) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|e| Box::new(e) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .map(|pipe| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    })
    .collect();
    let peak_kib = |pid: libc::pid_t| -> Option<i64> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    let (mut status, mut peak) = (0, 0);
    loop {
        // Read before reaping: a zombie has no memory figures left.
        if let Some(kib) = peak_kib(pid) {
            peak = peak.max(kib);
        }
        // SAFETY: a valid pointer to a local; WNOHANG keeps the wait bounded by our loop.
        let done = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if done == pid {
            break;
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            panic!("vigia ran longer than {RUN_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut outputs = readers.into_iter().map(|r| r.join().unwrap());
    let (stdout, stderr) = (outputs.next().unwrap(), outputs.next().unwrap());
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    let run = Run {
        code,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        elapsed: started.elapsed(),
    };
    (run, peak)
}

/// Output is read while waiting, so a chatty child never blocks on a full pipe.
pub fn wait_bounded(child: Child) -> Output {
    let pid = child.id();
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    match result.recv_timeout(RUN_LIMIT) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("vigia ran longer than {RUN_LIMIT:?}");
        }
    }
}

/// Fails a test that needs root when it is run without (it is `#[ignore]`d for that:
/// run it as root with `--include-ignored`, as CI does).
#[track_caller]
pub fn assert_root() {
    // SAFETY: geteuid has no preconditions and cannot fail.
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "this test needs root: run it as root with --include-ignored"
    );
}

/// A target snippet.
pub fn target(name: &str, url: &str) -> String {
    format!("name = \"{name}\"\nurl = \"{url}\"")
}
