//! The status page: `status --html` pinned whole for a fixed log and `now`, checked by an
//! HTML5 parser (no parse error, the structure a screen reader follows, 90 cells per
//! bar); `check` writes the same page atomically into `[status_page] file`; no URL
//! without `show_urls`, never a password or the token.

use std::fs;

use html5ever::tendril::TendrilSink;
use markup5ever_rcdom::{Handle, NodeData, RcDom};

use crate::golden::{assert_golden, Placeholders};
use crate::{closed_port_url, target, Sandbox, Site, TOKEN};

pub const NOW: &str = "2026-11-25T12:00:00Z";

/// A log of 85 days: web had one outage of 1h30m five days ago, api is down since last
/// night; a third target was never checked.
pub fn write_story(sb: &Sandbox, extra: &str) {
    let (web, api) = (closed_port_url(), closed_port_url());
    // With a bot: its token must never reach the page.
    sb.write_config(
        Some(&closed_port_url()),
        &[
            target("web", &web.replace("http://", "http://admin:hunter2@")),
            target("api", &api),
            target("new", &closed_port_url()),
        ],
    );
    let text = fs::read_to_string(sb.config_path()).unwrap();
    sb.write_raw_config(&format!(
        "{text}\n[status_page]\nfile = \"{}\"\ntitle = \"example.org <status>\"\n{extra}",
        sb.path("index.html").display()
    ));
    let log = "\
2026-09-01T10:00:00+00:00 ONLINE web HTTP 200 in 41 ms
2026-09-01T10:00:00+00:00 ONLINE api HTTP 204 in 3 ms
2026-11-20T03:00:00+00:00 OFFLINE web connection refused (http://admin:***@127.0.0.1:9/)
2026-11-20T04:30:00+00:00 ONLINE web HTTP 200 in 41 ms after 1h30m down
2026-11-24T23:00:00+00:00 OFFLINE api HTTP 503 <Service Unavailable> & more
";
    fs::write(sb.log_path(), log).unwrap();
}

/// The document and every parse error html5ever reports.
pub fn parse(html: &str) -> (RcDom, Vec<String>) {
    let opts = html5ever::ParseOpts {
        tree_builder: html5ever::tree_builder::TreeBuilderOpts {
            exact_errors: true,
            ..Default::default()
        },
        ..Default::default()
    };
    let dom = html5ever::parse_document(RcDom::default(), opts).one(html);
    let errors = dom.errors.iter().map(|e| e.to_string()).collect();
    (dom, errors)
}

/// Every element named `name` under `node`, in document order.
pub fn elements(node: &Handle, name: &str, out: &mut Vec<Handle>) {
    if let NodeData::Element { name: n, .. } = &node.data {
        if &*n.local == name {
            out.push(node.clone());
        }
    }
    for child in node.children.borrow().iter() {
        elements(child, name, out);
    }
}

pub fn attr(node: &Handle, name: &str) -> Option<String> {
    match &node.data {
        NodeData::Element { attrs, .. } => attrs
            .borrow()
            .iter()
            .find(|a| &*a.name.local == name)
            .map(|a| a.value.to_string()),
        _ => None,
    }
}

/// The text inside a node.
pub fn text(node: &Handle) -> String {
    let mut out = String::new();
    if let NodeData::Text { contents } = &node.data {
        out.push_str(&contents.borrow());
    }
    for child in node.children.borrow().iter() {
        out.push_str(&text(child));
    }
    out
}

fn named(dom: &RcDom, name: &str) -> Vec<Handle> {
    let mut out = Vec::new();
    elements(&dom.document, name, &mut out);
    out
}

#[test]
fn the_page_is_pinned_whole_and_is_valid_html5() {
    let sb = Sandbox::new();
    write_story(
        &sb,
        "\n[[maintenance]]\ntargets = [\"web\"]\ndays = [\"Sun\"]\nstart = \"03:00\"\nduration = \"1h\"\nreason = \"backup\"\n",
    );
    let mute = ["mute", "api", "--for", "2h", "--reason", "deploy <b>"];
    sb.run_with_env(&mute, "VIGIA_NOW", "2026-11-25T11:30:00Z")
        .expect(0);
    let page = sb
        .run_with_env(&["status", "--html"], "VIGIA_NOW", NOW)
        .expect(0);
    let html = page.stdout;
    let (dom, errors) = parse(&html);
    assert!(errors.is_empty(), "HTML5 parse errors: {errors:?}");
    // The structure: one h1, headings for the sections, a heading and a table per target.
    assert_eq!(named(&dom, "h1").len(), 1);
    let h2: Vec<String> = named(&dom, "h2").iter().map(text).collect();
    assert_eq!(h2, ["Targets", "Recent incidents", "Notices"]);
    let notices: Vec<String> = named(&dom, "li").iter().map(text).collect();
    assert_eq!(
        notices,
        [
            "web's next maintenance: 2026-11-29 03:00:00 +00:00 to 2026-11-29 04:00:00 +00:00 (backup).",
            "api is muted until 2026-11-25 13:30:00 +00:00 (deploy <b>)."
        ]
    );
    let sections = named(&dom, "section");
    let states: Vec<(String, String)> = sections
        .iter()
        .map(|s| {
            (
                attr(s, "data-target").unwrap(),
                attr(s, "data-state").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("web".into(), "ONLINE".into()),
            ("api".into(), "OFFLINE".into()),
            ("new".into(), "UNKNOWN".into())
        ]
    );
    for s in &sections[..2] {
        let mut cells = Vec::new();
        elements(s, "rect", &mut cells);
        assert_eq!(cells.len(), 90, "one cell a day");
        let mut tips = Vec::new();
        elements(s, "title", &mut tips);
        assert_eq!(tips.len(), 90, "each cell has its tooltip");
    }
    let overall: Vec<String> = named(&dom, "p")
        .iter()
        .filter(|p| attr(p, "id").as_deref() == Some("overall"))
        .map(text)
        .collect();
    assert_eq!(overall, ["1 of 3 down"]);
    // Escaped, and no URL (let alone a password or the token) without show_urls.
    assert!(html.contains("HTTP 503 &lt;Service Unavailable&gt; &amp; more"));
    assert!(html.contains("<title>example.org &lt;status&gt;</title>"));
    for never in [
        "127.0.0.1",
        "hunter2",
        "admin",
        TOKEN,
        "<script",
        "http://",
        "https://",
    ] {
        assert!(!html.contains(never), "{never:?} in the page");
    }
    assert_golden("page", &Placeholders::new().apply(&html));
}

#[test]
fn urls_only_with_show_urls_and_never_a_password() {
    let sb = Sandbox::new();
    write_story(&sb, "show_urls = true\n");
    let html = sb
        .run_with_env(&["status", "--html"], "VIGIA_NOW", NOW)
        .expect(0)
        .stdout;
    assert!(html.contains("http://admin:***@127.0.0.1:"), "{html}");
    assert!(!html.contains("hunter2"));
    let (_, errors) = parse(&html);
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn check_writes_the_page_atomically_as_status_html_prints_it() {
    let (site, sb) = (Site::start(), Sandbox::new());
    let www = sb.path("www");
    fs::create_dir(&www).unwrap();
    let file = www.join("index.html");
    sb.write_config(None, &[target("web", &site.url("/switch"))]);
    let text = fs::read_to_string(sb.config_path()).unwrap();
    sb.write_raw_config(&format!(
        "{text}\n[status_page]\nfile = \"{}\"\ntitle = \"t\"\n",
        file.display()
    ));
    sb.run_at(&["check"], NOW).expect(0);
    let written = fs::read_to_string(&file).expect("check wrote the page");
    let printed = sb
        .run_with_env(&["status", "--html"], "VIGIA_NOW", NOW)
        .expect(0);
    assert_eq!(written, printed.stdout);
    assert!(written.contains("data-target=\"web\" data-state=\"ONLINE\""));
    // Nothing but the page in its directory: the temp file was renamed.
    let names: Vec<_> = fs::read_dir(&www)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["index.html"]);
    // A change is written at once, whatever the page's age.
    site.set(503);
    sb.run_at(&["check"], "2026-11-25T12:01:00Z").expect(1);
    let written = fs::read_to_string(&file).unwrap();
    assert!(written.contains("data-state=\"OFFLINE\""), "{written}");
    // A directory that does not exist is a warning; the check itself still ran.
    fs::remove_dir_all(&www).unwrap();
    let run = sb.run_at(&["check"], "2026-11-25T12:02:00Z").expect(1);
    assert!(
        run.stderr.contains("cannot write the status page"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_quiet_run_rewrites_the_page_at_most_once_a_minute() {
    let (site, sb) = (Site::start(), Sandbox::new());
    let file = sb.path("index.html");
    sb.write_config(None, &[target("web", &site.url("/switch"))]);
    let text = fs::read_to_string(sb.config_path()).unwrap();
    sb.write_raw_config(&format!(
        "{text}\n[status_page]\nfile = \"{}\"\n",
        file.display()
    ));
    sb.run_at(&["check"], NOW).expect(0);
    let first = fs::read_to_string(&file).unwrap();
    // Nothing a reader sees changed, and the page is seconds old: not rewritten.
    sb.run_at(&["check"], "2026-11-25T12:01:00Z").expect(0);
    assert_eq!(fs::read_to_string(&file).unwrap(), first);
    // Once it is a minute old, it is.
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(61);
    fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(old)
        .unwrap();
    sb.run_at(&["check"], "2026-11-25T12:02:00Z").expect(0);
    let third = fs::read_to_string(&file).unwrap();
    assert_ne!(third, first);
    assert!(third.contains("2026-11-25 12:02:00"), "the new run's time");
}
