//! The status page in a real browser: headless Chromium (Debian's `chromium`) renders
//! `vigia status --html` for a fixed log and `now` inside a harness that measures it in
//! a 375 px iframe (a headless window is at least 500 px wide whatever --window-size
//! says) and in a 1280 px one: no horizontal scroll on the phone, 90 cells per bar, the
//! states and uptimes in the DOM those of `status --json`, no console message; the
//! screenshots stay in target/browser/ for a person to look at. Not part of `cargo
//! test` (Cargo.toml: `test = false`): `make browser-test` runs it, and without a
//! Chromium it fails, never passes by skipping.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NOW: &str = "2026-11-25T12:00:00Z";
const LOG: &str = "\
2026-09-01T10:00:00+00:00 ONLINE web HTTP 200 in 41 ms
2026-09-01T10:00:00+00:00 ONLINE api-with-a-rather-long-name-that-must-wrap HTTP 204 in 3 ms
2026-11-20T03:00:00+00:00 OFFLINE web connection refused
2026-11-20T04:30:00+00:00 ONLINE web HTTP 200 in 41 ms after 1h30m down
2026-11-24T23:00:00+00:00 OFFLINE api-with-a-rather-long-name-that-must-wrap HTTP 503 Service Unavailable, a long reason that goes on and on without a break: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
";

fn vigia(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_vigia"))
        .arg("--config")
        .arg(dir.join("config.toml"))
        .args(args)
        .env_clear()
        .env("HOME", dir)
        .env("TZ", "UTC")
        .env("VIGIA_NOW", NOW)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs chromium headless with `args`, bounded in time; returns stdout and stderr.
fn chromium(profile: &Path, args: &[&str]) -> (String, String) {
    let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let mut child = Command::new(&binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--allow-file-access-from-files",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run {binary} ({e}): install Debian's chromium (.ci/run does)")
        });
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("chromium did not finish in 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The harness: the page in a phone-wide and a desktop-wide iframe, and a script that
/// writes what it measured into `<pre id="result">` as JSON.
fn harness(expected: &serde_json::Value) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>harness</title></head>
<body style="margin:0">
<iframe id="phone" src="page.html" style="width:375px;height:1400px;border:1px solid #888"></iframe>
<iframe id="desktop" src="page.html" style="width:1280px;height:1400px;border:1px solid #888"></iframe>
<pre id="result">not measured</pre>
<script>
const expected = {expected};
function measure(id) {{
  const doc = document.getElementById(id).contentDocument;
  const root = doc.documentElement;
  const sections = [...doc.querySelectorAll('section.target')];
  return {{
    inner_width: document.getElementById(id).contentWindow.innerWidth,
    scroll_width: root.scrollWidth,
    client_width: root.clientWidth,
    overall: doc.getElementById('overall').textContent,
    h1: doc.querySelectorAll('h1').length,
    scripts: doc.querySelectorAll('script').length,
    targets: sections.map(s => ({{
      name: s.dataset.target,
      state: s.dataset.state,
      cells: s.querySelectorAll('svg.bar rect').length,
      tooltips: s.querySelectorAll('svg.bar rect title').length,
      bar_width: s.querySelector('svg.bar') ? s.querySelector('svg.bar').getBoundingClientRect().width : 0,
      uptime: Object.fromEntries([...s.querySelectorAll('td[data-window]')].map(td => [td.dataset.window, td.textContent])),
    }})),
  }};
}}
window.addEventListener('load', () => {{
  const out = {{ phone: measure('phone'), desktop: measure('desktop'), expected }};
  document.getElementById('result').textContent = JSON.stringify(out);
}});
</script>
</body></html>
"#
    )
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[test]
fn the_status_page_renders_in_chromium_at_375_px_and_on_a_desktop() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(
        d.join("config.toml"),
        format!(
            "[check]\nlog_file = \"{0}/vigia.log\"\nstate_dir = \"{0}/state\"\n\n\
             [[target]]\nname = \"web\"\nurl = \"http://127.0.0.1:9/\"\n\n\
             [[target]]\nname = \"api-with-a-rather-long-name-that-must-wrap\"\nurl = \"http://127.0.0.1:9/api\"\n\n\
             [status_page]\nfile = \"{0}/index.html\"\ntitle = \"example.org status\"\n",
            d.display()
        ),
    )
    .unwrap();
    fs::write(d.join("vigia.log"), LOG).unwrap();
    let page = vigia(d, &["status", "--html"]);
    fs::write(d.join("page.html"), &page).unwrap();
    let json: serde_json::Value = serde_json::from_str(&vigia(d, &["status", "--json"])).unwrap();
    fs::write(d.join("harness.html"), harness(&json)).unwrap();

    let profile = d.join("profile");
    let url = format!("file://{}", d.join("harness.html").display());
    let (dom, log) = chromium(&profile, &["--dump-dom", &url]);
    let start = dom
        .find("<pre id=\"result\">")
        .expect("the harness in the DOM")
        + 17;
    let end = start + dom[start..].find("</pre>").unwrap();
    let result: serde_json::Value = serde_json::from_str(&unescape(&dom[start..end]))
        .unwrap_or_else(|e| panic!("the harness did not measure ({e}): {}", &dom[start..end]));

    // No console message from the page or the harness (errors, CSP, missing resources).
    let console: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(console.is_empty(), "console: {console:#?}");

    let expected = &json["targets"];
    for view in ["phone", "desktop"] {
        let m = &result[view];
        println!("{view}: {}", m);
        assert!(
            m["scroll_width"].as_i64() <= m["client_width"].as_i64(),
            "{view}: horizontal scroll: {m}"
        );
        assert_eq!(m["h1"], 1);
        assert_eq!(m["scripts"], 0);
        assert_eq!(m["overall"], "1 of 2 down");
        let targets = m["targets"].as_array().unwrap();
        assert_eq!(targets.len(), 2);
        for (t, e) in targets.iter().zip(expected.as_array().unwrap()) {
            assert_eq!(t["name"], e["name"]);
            assert_eq!(t["state"], e["state"]);
            assert_eq!(t["cells"], 90, "{view}: 90 cells");
            assert_eq!(t["tooltips"], 90);
            assert!(t["bar_width"].as_f64().unwrap() > 200.0, "{view}: {t}");
            for window in ["24h", "7d", "30d"] {
                let shown = t["uptime"][window].as_str().unwrap();
                let shown: f64 = shown.trim_end_matches('%').parse().unwrap();
                let want = e["uptime_percent"][window].as_f64().unwrap();
                assert!(
                    (shown - want).abs() <= 0.006,
                    "{view} {window}: {shown} vs {want}"
                );
            }
        }
    }
    assert_eq!(
        result["phone"]["inner_width"], 375,
        "measured at phone width"
    );
    assert_eq!(result["desktop"]["inner_width"], 1280);

    // Screenshots for a person: the harness (phone and desktop side by side), light and dark.
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../browser");
    fs::create_dir_all(&shots).unwrap();
    for (name, extra) in [
        ("status-page.png", None),
        ("status-page-dark.png", Some("--force-dark-mode")),
    ] {
        let path = shots.join(name);
        let _ = fs::remove_file(&path);
        let mut args = vec![
            format!("--screenshot={}", path.display()),
            "--window-size=1700,1500".into(),
        ];
        args.extend(extra.map(str::to_owned));
        args.push(url.clone());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        chromium(&profile, &args);
        let size = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        assert!(size > 10_000, "no screenshot {}", path.display());
        println!("screenshot: {}", fs::canonicalize(&path).unwrap().display());
    }
}
