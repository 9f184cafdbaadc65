//! A strict reader of the Prometheus text exposition format (version 0.0.4, the one
//! node_exporter's textfile collector reads), so that the metrics test needs nothing
//! but cargo. It refuses what the format forbids, where common parsers are lenient:
//! <https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format>.

use std::collections::{BTreeMap, HashSet};

/// One metric family: its `# HELP`, its `# TYPE` and its samples in order.
#[derive(Debug, Default, PartialEq)]
pub struct Family {
    pub help: Option<String>,
    pub kind: Option<String>,
    pub samples: Vec<(String, BTreeMap<String, String>, f64)>,
}

const TYPES: [&str; 5] = ["counter", "gauge", "histogram", "summary", "untyped"];

fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with("__")
}

/// A value as Go's ParseFloat reads it, plus `NaN`, `+Inf`, `-Inf`.
fn value(text: &str) -> Result<f64, String> {
    match text {
        "NaN" => Ok(f64::NAN),
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ if text
            .chars()
            .all(|c| c.is_ascii_digit() || "+-.eE".contains(c)) =>
        {
            text.parse().map_err(|_| format!("not a number: {text:?}"))
        }
        _ => Err(format!("not a number: {text:?}")),
    }
}

/// The family a sample belongs to: histograms and summaries add suffixes.
fn family_of<'a>(name: &'a str, families: &BTreeMap<String, Family>) -> &'a str {
    for suffix in ["_bucket", "_sum", "_count"] {
        if let Some(base) = name.strip_suffix(suffix) {
            if families
                .get(base)
                .and_then(|f| f.kind.as_deref())
                .is_some_and(|k| k == "histogram" || k == "summary")
            {
                return base;
            }
        }
    }
    name
}

/// `{a="1",b="x\"y"}` (the braces included) into labels; `rest` is what follows.
fn labels(text: &str) -> Result<(BTreeMap<String, String>, &str), String> {
    let mut labels = BTreeMap::new();
    let mut rest = text.strip_prefix('{').unwrap();
    loop {
        rest = rest.trim_start_matches([' ', '\t']);
        if let Some(after) = rest.strip_prefix('}') {
            return Ok((labels, after));
        }
        let (name, after) = rest
            .split_once('=')
            .ok_or_else(|| format!("a label without '=' in {text:?}"))?;
        let name = name.trim_matches([' ', '\t']);
        if !is_label_name(name) {
            return Err(format!("not a label name: {name:?}"));
        }
        let mut chars = after
            .trim_start_matches([' ', '\t'])
            .strip_prefix('"')
            .ok_or_else(|| format!("the value of label {name} is not quoted"))?
            .char_indices();
        let mut value = String::new();
        let end = loop {
            match chars.next() {
                None => return Err(format!("the value of label {name} never ends")),
                Some((i, '"')) => break i,
                Some((_, '\\')) => match chars.next() {
                    Some((_, '\\')) => value.push('\\'),
                    Some((_, '"')) => value.push('"'),
                    Some((_, 'n')) => value.push('\n'),
                    other => return Err(format!("a bad escape {other:?} in label {name}")),
                },
                Some((_, '\n')) => return Err(format!("a raw newline in label {name}")),
                Some((_, c)) => value.push(c),
            }
        };
        let quoted = after
            .trim_start_matches([' ', '\t'])
            .strip_prefix('"')
            .unwrap();
        rest = quoted[end + 1..].trim_start_matches([' ', '\t']);
        if labels.insert(name.to_owned(), value).is_some() {
            return Err(format!("label {name} twice"));
        }
        if let Some(after) = rest.strip_prefix(',') {
            rest = after;
        } else if !rest.starts_with('}') {
            return Err(format!("labels not separated by ',' in {text:?}"));
        }
    }
}

/// The families of a whole text, or the first line the format forbids.
pub fn parse(text: &str) -> Result<BTreeMap<String, Family>, String> {
    if !text.is_empty() && !text.ends_with('\n') {
        return Err("the last line does not end with a newline".into());
    }
    let mut families: BTreeMap<String, Family> = BTreeMap::new();
    let mut finished: HashSet<String> = HashSet::new();
    let mut current: Option<String> = None;
    let mut seen: HashSet<(String, BTreeMap<String, String>)> = HashSet::new();
    for (n, line) in text.lines().enumerate() {
        let at = |why: String| format!("line {}: {why}: {line:?}", n + 1);
        if line.trim().is_empty() {
            continue;
        }
        // A family's lines are one group: a new name ends the one before.
        let mut enter = |name: &str| -> Result<(), String> {
            if current.as_deref() != Some(name) {
                if finished.contains(name) {
                    return Err(format!("the lines of {name} are not one group"));
                }
                if let Some(previous) = current.replace(name.to_owned()) {
                    finished.insert(previous);
                }
            }
            Ok(())
        };
        if let Some(comment) = line.strip_prefix('#') {
            let mut words = comment
                .trim_start_matches([' ', '\t'])
                .splitn(3, [' ', '\t']);
            let (keyword, name, rest) = (words.next(), words.next(), words.next());
            match (keyword, name) {
                (Some("HELP"), Some(name)) => {
                    if !is_metric_name(name) {
                        return Err(at(format!("not a metric name: {name:?}")));
                    }
                    enter(name).map_err(at)?;
                    let family = families.entry(name.to_owned()).or_default();
                    if family.help.is_some() {
                        return Err(at(format!("a second HELP for {name}")));
                    }
                    let mut help = String::new();
                    let mut chars = rest.unwrap_or_default().chars();
                    while let Some(c) = chars.next() {
                        match (c, c == '\\') {
                            (_, true) => match chars.next() {
                                Some('\\') => help.push('\\'),
                                Some('n') => help.push('\n'),
                                other => return Err(at(format!("a bad escape {other:?}"))),
                            },
                            (c, false) => help.push(c),
                        }
                    }
                    family.help = Some(help);
                }
                (Some("TYPE"), Some(name)) => {
                    if !is_metric_name(name) {
                        return Err(at(format!("not a metric name: {name:?}")));
                    }
                    enter(name).map_err(at)?;
                    let kind = rest.unwrap_or_default().trim_matches([' ', '\t']);
                    if !TYPES.contains(&kind) {
                        return Err(at(format!("not a metric type: {kind:?}")));
                    }
                    let family = families.entry(name.to_owned()).or_default();
                    if family.kind.is_some() {
                        return Err(at(format!("a second TYPE for {name}")));
                    }
                    if !family.samples.is_empty() {
                        return Err(at(format!("the TYPE of {name} after its samples")));
                    }
                    family.kind = Some(kind.to_owned());
                }
                _ => {} // any other comment
            }
            continue;
        }
        let end = line
            .find(['{', ' ', '\t'])
            .ok_or_else(|| at("a sample without a value".into()))?;
        let name = &line[..end];
        if !is_metric_name(name) {
            return Err(at(format!("not a metric name: {name:?}")));
        }
        let (labels, rest) = if line[end..].starts_with('{') {
            labels(&line[end..]).map_err(at)?
        } else {
            (BTreeMap::new(), &line[end..])
        };
        let mut fields = rest.split([' ', '\t']).filter(|f| !f.is_empty());
        let sample = value(fields.next().ok_or_else(|| at("no value".into()))?).map_err(at)?;
        if let Some(stamp) = fields.next() {
            stamp
                .parse::<i64>()
                .map_err(|_| at(format!("not a timestamp in ms: {stamp:?}")))?;
        }
        if fields.next().is_some() {
            return Err(at("more than a value and a timestamp".into()));
        }
        let family = family_of(name, &families).to_owned();
        enter(&family).map_err(at)?;
        if !seen.insert((name.to_owned(), labels.clone())) {
            return Err(at("the same sample twice".into()));
        }
        families
            .entry(family)
            .or_default()
            .samples
            .push((name.to_owned(), labels, sample));
    }
    Ok(families)
}

/// The example of the format's specification reads as it says.
#[test]
fn the_specifications_example_reads() {
    let text = r#"# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# Escaping in label values:
msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9

# Minimalistic line:
metric_without_timestamp_and_labels 12.47

# A weird metric from before the epoch:
something_weird{problem="division by zero"} +Inf -3982045

# A histogram, which has a pretty complex representation in the text format:
# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320
"#;
    let families = parse(text).unwrap();
    let requests = &families["http_requests_total"];
    assert_eq!(requests.kind.as_deref(), Some("counter"));
    assert_eq!(
        requests.help.as_deref(),
        Some("The total number of HTTP requests.")
    );
    assert_eq!(requests.samples.len(), 2);
    assert_eq!(requests.samples[1].2, 3.0);
    let msdos = &families["msdos_file_access_time_seconds"].samples[0].1;
    assert_eq!(msdos["path"], r"C:\DIR\FILE.TXT");
    assert_eq!(msdos["error"], "Cannot find file:\n\"FILE.TXT\"");
    assert_eq!(families["something_weird"].samples[0].2, f64::INFINITY);
    assert_eq!(families["http_request_duration_seconds"].samples.len(), 4);
    assert_eq!(families.len(), 5);
}

/// What the format forbids is refused, naming the line.
#[test]
fn what_the_format_forbids_is_refused() {
    for (text, why) in [
        ("a 1", "the last line does not end with a newline"),
        ("# TYPE a gauge\n# TYPE a gauge\na 1\n", "a second TYPE"),
        ("a 1\n# TYPE a gauge\n", "after its samples"),
        ("# HELP a x\n# HELP a y\n", "a second HELP"),
        ("# TYPE a gauges\n", "not a metric type"),
        ("a 1\nb 1\na{x=\"1\"} 2\n", "not one group"),
        ("a 1\na 2\n", "the same sample twice"),
        ("1a 1\n", "not a metric name"),
        ("a{x=1} 1\n", "not quoted"),
        ("a{x=\"\\t\"} 1\n", "a bad escape"),
        ("a{x=\"1\" y=\"2\"} 1\n", "not separated"),
        ("a{x=\"1\",x=\"2\"} 1\n", "label x twice"),
        ("a{__x=\"1\"} 1\n", "not a label name"),
        ("a one\n", "not a number"),
        ("a 1 1.5\n", "not a timestamp"),
        ("a 1 2 3\n", "more than a value"),
        ("a\n", "a sample without a value"),
        ("# HELP a bad \\t escape\n", "a bad escape"),
    ] {
        let refused = parse(text).expect_err(text);
        assert!(refused.contains(why), "{text:?}: {refused}");
    }
    // Allowed: a trailing comma, spaces around labels, empty lines, other comments.
    let families = parse("# any comment\n\na{ x = \"1\", } 1\n").unwrap();
    assert_eq!(families["a"].samples[0].1["x"], "1");
}
