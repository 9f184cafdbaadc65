//! Whole outputs compared with `tests/golden/NAME.expected` (tealdeer's
//! `tests/rendered`, fd's `assert_output`): runs take a fixed `now` (`VIGIA_NOW`), what
//! truly varies (ports, temp paths, the host name, milliseconds) is replaced by named
//! placeholders, and a mismatch prints a line diff. After an intended change,
//! `VIGIA_BLESS=1 cargo test --test integration` rewrites the files (the idiom of the
//! example config); review them with `git diff tests/golden`.

use std::path::PathBuf;

/// Values that differ from run to run, each replaced by `{name}`.
#[derive(Default)]
pub struct Placeholders(Vec<(String, String)>);

impl Placeholders {
    pub fn new() -> Placeholders {
        Placeholders::default().with(&hostname(), "host")
    }

    /// Replaces every `actual` with `{name}` (longer values first, so a URL goes before
    /// the address inside it).
    pub fn with(mut self, actual: &str, name: &str) -> Placeholders {
        assert!(!actual.is_empty(), "an empty value for {{{name}}}");
        self.0.push((actual.to_owned(), format!("{{{name}}}")));
        self.0
            .sort_by_key(|(actual, _)| std::cmp::Reverse(actual.len()));
        self
    }

    /// The text with every value replaced, and each measured duration in milliseconds
    /// (`12 ms`, `"duration_ms": 12`; not a configured `300ms`) as `{ms}`.
    pub fn apply(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for (actual, name) in &self.0 {
            text = text.replace(actual, name);
        }
        milliseconds(&text)
    }
}

/// `<digits> ms` and `_ms": <digits>` with the digits replaced by `{ms}`.
fn milliseconds(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(|c: char| c.is_ascii_digit()) {
        let digits = rest[i..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len() - i);
        let (before, number, after) = (&rest[..i], &rest[i..i + digits], &rest[i + digits..]);
        let word_start = before
            .chars()
            .last()
            .is_none_or(|c| !c.is_alphanumeric() && c != '.' && c != ':');
        // `12 ms` is measured; `300ms` is a configured duration, and stays.
        let is_ms = word_start
            && after.starts_with(" ms")
            && !after[3..].starts_with(|c: char| c.is_alphanumeric())
            || before.ends_with("_ms\": ");
        out.push_str(before);
        out.push_str(if is_ms { "{ms}" } else { number });
        rest = after;
    }
    out.push_str(rest);
    out
}

pub fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: a valid buffer of that length; gethostname NUL-terminates when it fits.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    assert_eq!(rc, 0, "gethostname");
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.expected"))
}

/// Compares `actual` whole with `tests/golden/NAME.expected`; with `VIGIA_BLESS` set,
/// writes it there instead.
#[track_caller]
pub fn assert_golden(name: &str, actual: &str) {
    let path = golden_path(name);
    if std::env::var_os("VIGIA_BLESS").is_some_and(|v| !v.is_empty()) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let Ok(expected) = std::fs::read_to_string(&path) else {
        panic!(
            "no {}: VIGIA_BLESS=1 cargo test --test integration writes it; this is what it would hold:\n{actual}",
            path.display()
        );
    };
    if expected != actual {
        panic!(
            "{} differs (- expected, + actual); if the change is intended: VIGIA_BLESS=1 cargo test --test integration\n{}",
            path.display(),
            diff(&expected, actual)
        );
    }
}

/// A unified-style line diff with 2 lines of context around each change.
pub fn diff(expected: &str, actual: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    // Longest common subsequence, from the end.
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    let near_change = |k: usize| {
        ops[k.saturating_sub(2)..(k + 3).min(ops.len())]
            .iter()
            .any(|(op, _)| *op != ' ')
    };
    let mut out = String::new();
    let mut skipped = false;
    for (k, (op, line)) in ops.iter().enumerate() {
        if near_change(k) {
            if skipped {
                out.push_str("@@\n");
                skipped = false;
            }
            out.push_str(&format!("{op}{line}\n"));
        } else {
            skipped = true;
        }
    }
    if expected.ends_with('\n') != actual.ends_with('\n') {
        out.push_str("(the two differ in the newline at the end)\n");
    }
    out
}

#[test]
fn milliseconds_and_named_values_become_placeholders() {
    let p = Placeholders::default()
        .with("127.0.0.1:4321", "addr")
        .with("http://127.0.0.1:4321/ok", "site");
    assert_eq!(
        p.apply("web  UP  HTTP 200 in 12 ms (http://127.0.0.1:4321/ok) 127.0.0.1:4321"),
        "web  UP  HTTP 200 in {ms} ms ({site}) {addr}"
    );
    assert_eq!(
        p.apply("\"duration_ms\": 7, 300ms, 3 msgs, x3 ms, 1.5 ms, 12:30 ms"),
        "\"duration_ms\": {ms}, 300ms, 3 msgs, x3 ms, 1.5 ms, 12:30 ms"
    );
}

#[test]
fn the_diff_shows_what_changed_with_context() {
    let d = diff("a\nb\nc\nd\ne\nf\ng\n", "a\nb\nc\nD\ne\nf\ng\nh\n");
    assert_eq!(d, "@@\n b\n c\n-d\n+D\n e\n f\n g\n+h\n");
    assert_eq!(diff("x\n", "x\n"), "");
    assert_eq!(
        diff("x", "x\n"),
        "(the two differ in the newline at the end)\n"
    );
}

/// Compares a whole output with the text the test expects, with a line diff when not.
#[track_caller]
pub fn assert_whole(actual: &str, expected: &str) {
    if actual != expected {
        panic!(
            "the output differs (- expected, + actual):\n{}\nwhole output:\n{actual}",
            diff(expected, actual)
        );
    }
}
