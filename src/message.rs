//! The alert text: one message per run listing every change, in Telegram's HTML
//! (https://core.telegram.org/bots/api#html-style) with every value escaped, or as plain
//! text for standard output; and the split of long messages on line boundaries.

use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use crate::config::{format_duration, format_elapsed};
use crate::describe::truncate;
use crate::outcome::Reason;
use crate::texts::{fill, Texts};
use crate::transition::{Change, CONNECTIVITY};
use crate::translog::State;

/// Telegram's limit on a message: 4096 UTF-16 code units after entity parsing
/// (https://core.telegram.org/bots/api#sendmessage). A part within it counted on its raw
/// HTML is within it once parsed too: tags vanish and entities shrink. So is its plain
/// text (see `delivery::plain_text`).
pub const LIMIT: usize = 4096;
/// The most of one value (a URL, a reason, a host name) a message shows: every line of a
/// rendered message stays far below [`LIMIT`], so splitting on lines never cuts a tag.
const MAX_VALUE: usize = 300;

/// Escapes text for Telegram's HTML mode: `&`, `<` and `>` outside tags.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Something a message says besides a change of state.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// A target went down or came back (or this machine's connectivity did).
    Change(Change),
    /// A target is still down (`check.remind_every`).
    StillDown {
        target: String,
        url: String,
        reason: Reason,
        /// `None`: unknown, the outage is dated after now (the clock went back).
        down_for: Option<Duration>,
        at: DateTime<FixedOffset>,
    },
    /// A target's certificate expires within a warning threshold.
    CertExpires {
        target: String,
        url: String,
        days: i64,
        not_after: DateTime<FixedOffset>,
        at: DateTime<FixedOffset>,
    },
    /// A target has a new certificate that lasts longer than the one before.
    CertRenewed {
        target: String,
        url: String,
        not_after: DateTime<FixedOffset>,
        at: DateTime<FixedOffset>,
    },
    /// A mute ended with the target in another state than when it began.
    Unmuted {
        target: String,
        url: String,
        state: State,
        reason: Reason,
        at: DateTime<FixedOffset>,
    },
    /// A target changed `changes` times within `within` (`check.flapping`): its
    /// changes are logged, not alerted one by one. `still`: an update while it flaps.
    Flapping {
        target: String,
        url: String,
        changes: usize,
        within: Duration,
        state: State,
        still: bool,
        at: DateTime<FixedOffset>,
    },
    /// A flapping target kept one state for the whole flapping window.
    Stable {
        target: String,
        url: String,
        state: State,
        since: DateTime<FixedOffset>,
        at: DateTime<FixedOffset>,
    },
    /// A target answers correctly, but slower than `check.slow` (`slow`), or is fast
    /// again (`!slow`).
    Slowness {
        target: String,
        url: String,
        slow: bool,
        elapsed: Duration,
        limit: Duration,
        at: DateTime<FixedOffset>,
    },
    /// The registered domain of a target expires within a warning threshold
    /// (`domain_warn_days`); `target`: the first that names it, `url` its URL.
    DomainExpires {
        target: String,
        url: String,
        domain: String,
        days: i64,
        expires: DateTime<FixedOffset>,
        at: DateTime<FixedOffset>,
    },
    /// vigia itself was not running from `from` to `to`; `now`: each target's state.
    Gap {
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
        now: Vec<(String, State)>,
    },
}

impl Notice {
    /// The target it is about (`None`: vigia itself).
    pub fn target(&self) -> Option<&str> {
        match self {
            Notice::Change(c) => Some(&c.target),
            Notice::StillDown { target, .. }
            | Notice::CertExpires { target, .. }
            | Notice::CertRenewed { target, .. }
            | Notice::Unmuted { target, .. }
            | Notice::Flapping { target, .. }
            | Notice::Stable { target, .. }
            | Notice::Slowness { target, .. } => Some(target),
            Notice::DomainExpires { target, .. } => Some(target),
            Notice::Gap { .. } => None,
        }
    }
}

/// The message for the notices of one run, in HTML. Every tag opens and closes on the
/// same line, so splitting on lines keeps each part well-formed.
pub fn render_html(notices: &[Notice], host: &str, texts: &Texts) -> String {
    render(
        notices,
        host,
        texts,
        &|s| format!("<b>{}</b>", escape(s)),
        &|s| format!("<code>{}</code>", escape(s)),
        &escape,
    )
}

/// The same message as plain text, for standard output when Telegram is not configured.
pub fn render_plain(notices: &[Notice], host: &str, texts: &Texts) -> String {
    render(
        notices,
        host,
        texts,
        &|s| s.to_owned(),
        &|s| s.to_owned(),
        &|s| s.to_owned(),
    )
}

type Style<'a> = &'a dyn Fn(&str) -> String;

/// The notices in one style, one block each, a blank line between.
fn render(
    notices: &[Notice],
    host: &str,
    texts: &Texts,
    bold: Style,
    code: Style,
    text: Style,
) -> String {
    let styled = Styled {
        texts,
        host: truncate(host, MAX_VALUE),
        bold,
        code,
        text,
    };
    let blocks: Vec<String> = notices.iter().map(|n| styled.notice(n)).collect();
    blocks.join("\n\n")
}

/// One rendering's texts, host and styles; every value is cut to [`MAX_VALUE`] before
/// it is styled.
struct Styled<'a> {
    texts: &'a Texts,
    /// Already cut to [`MAX_VALUE`].
    host: String,
    bold: Style<'a>,
    code: Style<'a>,
    text: Style<'a>,
}

impl Styled<'_> {
    /// A value in bold (a target or host name).
    fn bold(&self, s: &str) -> String {
        (self.bold)(&truncate(s, MAX_VALUE))
    }

    /// A value as code (a URL).
    fn code(&self, s: &str) -> String {
        (self.code)(&truncate(s, MAX_VALUE))
    }

    /// A value as plain text (a reason, a date).
    fn text(&self, s: &str) -> String {
        (self.text)(&truncate(s, MAX_VALUE))
    }

    /// A reason, in this rendering's language, as plain text.
    fn reason(&self, reason: &Reason) -> String {
        self.text(&reason.render(&self.texts.reasons))
    }

    /// The block for one notice, by its kind.
    fn notice(&self, notice: &Notice) -> String {
        match notice {
            Notice::Change(c) if c.target == CONNECTIVITY => self.connectivity(c),
            Notice::Change(c) => self.change(c),
            Notice::StillDown {
                target,
                url,
                reason,
                down_for,
                at,
            } => self.still_down(target, url, reason, *down_for, *at),
            Notice::CertExpires {
                target,
                url,
                days,
                not_after,
                at,
            } => self.cert_expires(target, url, *days, *not_after, *at),
            Notice::CertRenewed {
                target,
                url,
                not_after,
                at,
            } => self.cert_renewed(target, url, *not_after, *at),
            Notice::Unmuted {
                target,
                url,
                state,
                reason,
                at,
            } => self.unmuted(target, url, *state, reason, *at),
            Notice::Flapping { .. } | Notice::Stable { .. } => self.flapping(notice),
            Notice::Slowness {
                target,
                url,
                slow,
                elapsed,
                limit,
                at,
            } => self.slowness(target, url, *slow, *elapsed, *limit, *at),
            Notice::Gap { from, to, now } => self.gap(*from, *to, now),
            Notice::DomainExpires {
                target,
                url,
                domain,
                days,
                expires,
                at,
            } => self.domain_expires([target, url, domain], *days, *expires, *at),
        }
    }

    /// A registered domain expires in so many days (`names`: target, url, domain).
    fn domain_expires(
        &self,
        [target, url, domain]: [&str; 3],
        days: i64,
        expires: DateTime<FixedOffset>,
        at: DateTime<FixedOffset>,
    ) -> String {
        let texts = self.texts;
        let day_word = if days == 1 { texts.day } else { texts.days };
        let headline = fill(
            texts.domain_expires,
            &[
                ("domain", &self.bold(domain)),
                ("target", &self.text(target)),
                ("days", &days.to_string()),
                ("day_word", day_word),
                ("date", &self.text(&when(expires))),
            ],
        );
        self.block(headline, url, at)
    }

    /// A target's block: the headline, its URL, and when and on which host.
    fn block(&self, headline: String, url: &str, at: DateTime<FixedOffset>) -> String {
        format!("{headline}\n{}\n{}", self.code(url), self.when_on(at))
    }

    /// `{when} on {host}`.
    fn when_on(&self, at: DateTime<FixedOffset>) -> String {
        let line = fill(
            self.texts.when_on,
            &[("when", &when(at)), ("host", &self.host)],
        );
        self.text(&line)
    }

    /// A state's word: UP or DOWN.
    fn state(&self, state: State) -> &str {
        match state {
            State::Online => self.texts.state_up,
            State::Offline => self.texts.state_down,
        }
    }

    /// This machine lost or got back its connectivity: the host leads, the canary's
    /// reason and URL follow.
    fn connectivity(&self, c: &Change) -> String {
        let texts = self.texts;
        let host = self.bold(&self.host);
        let headline = match c.state {
            State::Offline => fill(
                texts.lost_connectivity,
                &[("host", &host), ("when", &self.text(&when(c.at)))],
            ),
            State::Online => match c.down_for {
                Some(d) => fill(
                    texts.back_online,
                    &[
                        ("host", &host),
                        ("duration", &self.text(&format_elapsed(d))),
                    ],
                ),
                None => fill(texts.back_online_unknown, &[("host", &host)]),
            },
        };
        format!(
            "{headline}\n{}\n{}",
            self.reason(&c.reason),
            self.code(&c.url)
        )
    }

    /// A target went down, or came back after how long it was down.
    fn change(&self, c: &Change) -> String {
        let texts = self.texts;
        let values = [
            ("target", self.bold(&c.target)),
            ("reason", self.reason(&c.reason)),
        ];
        let headline = match (c.state, c.down_for) {
            (State::Offline, _) => fill_owned(texts.down, &values),
            (State::Online, Some(d)) => fill_owned(
                texts.up_again,
                &[&values[..], &[("duration", self.text(&format_elapsed(d)))]].concat(),
            ),
            // Announced, so it had a state before: a time after now.
            (State::Online, None) => fill_owned(texts.up_again_unknown, &values),
        };
        if c.confirmed_by <= 1 {
            return self.block(headline, &c.url, c.at);
        }
        let template = match c.state {
            State::Offline => texts.confirmed_down,
            State::Online => texts.confirmed_up,
        };
        let line = fill(
            template,
            &[
                ("when", &when(c.at)),
                ("host", &self.host),
                ("count", &c.confirmed_by.to_string()),
            ],
        );
        format!("{headline}\n{}\n{}", self.code(&c.url), self.text(&line))
    }

    /// A reminder that a target is still down, and for how long when that is known.
    fn still_down(
        &self,
        target: &str,
        url: &str,
        reason: &Reason,
        down_for: Option<Duration>,
        at: DateTime<FixedOffset>,
    ) -> String {
        let (template, duration) = match down_for {
            Some(d) => (self.texts.still_down, self.text(&format_elapsed(d))),
            None => (self.texts.still_down_unknown, String::new()),
        };
        let headline = fill(
            template,
            &[
                ("target", &self.bold(target)),
                ("duration", &duration),
                ("reason", &self.reason(reason)),
            ],
        );
        self.block(headline, url, at)
    }

    /// A certificate expires in so many days (one day or several).
    fn cert_expires(
        &self,
        target: &str,
        url: &str,
        days: i64,
        not_after: DateTime<FixedOffset>,
        at: DateTime<FixedOffset>,
    ) -> String {
        let texts = self.texts;
        let day_word = if days == 1 { texts.day } else { texts.days };
        let headline = fill(
            texts.cert_expires,
            &[
                ("target", &self.bold(target)),
                ("days", &days.to_string()),
                ("day_word", day_word),
                ("date", &self.text(&when(not_after))),
            ],
        );
        self.block(headline, url, at)
    }

    /// A certificate was renewed, and until when the new one lasts.
    fn cert_renewed(
        &self,
        target: &str,
        url: &str,
        not_after: DateTime<FixedOffset>,
        at: DateTime<FixedOffset>,
    ) -> String {
        let headline = fill(
            self.texts.cert_renewed,
            &[
                ("target", &self.bold(target)),
                ("date", &self.text(&when(not_after))),
            ],
        );
        self.block(headline, url, at)
    }

    /// A mute ended with the target in another state, and why it is in that one.
    fn unmuted(
        &self,
        target: &str,
        url: &str,
        state: State,
        reason: &Reason,
        at: DateTime<FixedOffset>,
    ) -> String {
        let headline = fill(
            self.texts.unmuted,
            &[
                ("target", &self.bold(target)),
                ("state", self.state(state)),
                ("reason", &self.reason(reason)),
            ],
        );
        self.block(headline, url, at)
    }

    /// A target flaps (or still does), or is stable again.
    fn flapping(&self, notice: &Notice) -> String {
        let texts = self.texts;
        match notice {
            Notice::Flapping {
                target,
                url,
                changes,
                within,
                state,
                still,
                at,
            } => {
                let template = if *still {
                    texts.still_flapping
                } else {
                    texts.flapping
                };
                let headline = fill(
                    template,
                    &[
                        ("target", &self.bold(target)),
                        ("count", &changes.to_string()),
                        ("window", &format_duration(*within)),
                        ("state", self.state(*state)),
                    ],
                );
                self.block(headline, url, *at)
            }
            Notice::Stable {
                target,
                url,
                state,
                since,
                at,
            } => {
                let headline = fill(
                    texts.stable,
                    &[
                        ("target", &self.bold(target)),
                        ("state", self.state(*state)),
                        ("when", &self.text(&when(*since))),
                    ],
                );
                self.block(headline, url, *at)
            }
            _ => String::new(),
        }
    }

    /// A target answers slower than its limit, or fast again.
    fn slowness(
        &self,
        target: &str,
        url: &str,
        slow: bool,
        elapsed: Duration,
        limit: Duration,
        at: DateTime<FixedOffset>,
    ) -> String {
        let template = if slow {
            self.texts.slow
        } else {
            self.texts.fast
        };
        let headline = fill(
            template,
            &[
                ("target", &self.bold(target)),
                ("elapsed", &latency(elapsed, self.texts)),
                ("limit", &latency(limit, self.texts)),
            ],
        );
        self.block(headline, url, at)
    }

    /// vigia was not running for a while: from when to when, and every state now.
    fn gap(
        &self,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
        now: &[(String, State)],
    ) -> String {
        let states: Vec<String> = now
            .iter()
            .map(|(name, state)| format!("{} {}", self.bold(name), self.state(*state)))
            .collect();
        let lasted = (to - from).to_std().unwrap_or_default();
        let headline = fill(
            self.texts.not_running,
            &[
                ("from", &self.text(&when(from))),
                ("to", &self.text(&when(to))),
                ("duration", &self.text(&format_elapsed(lasted))),
                ("states", &states.join(", ")),
            ],
        );
        format!("{headline}\n{}", self.when_on(to))
    }
}

/// A response time as a message shows it: `180 ms`, `2 s`, `2.4 s` (with the language's
/// decimal separator).
fn latency(d: Duration, texts: &Texts) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", d.as_secs_f64()).replace('.', texts.decimal_separator)
    }
}

fn fill_owned(template: &str, values: &[(&str, String)]) -> String {
    let borrowed: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    fill(template, &borrowed)
}

/// The one message of an episode in which this machine could not probe (its own fault).
pub fn render_fault(
    faults: &[(&crate::config::Target, &crate::outcome::Outcome)],
    host: &str,
    since: DateTime<FixedOffset>,
    texts: &Texts,
) -> String {
    let names: Vec<String> = faults
        .iter()
        .take(10)
        .map(|(t, _)| format!("<b>{}</b>", escape(&t.name)))
        .collect();
    let more = match faults.len().saturating_sub(names.len()) {
        0 => String::new(),
        n => format!(" {}", fill(texts.and_more, &[("count", &n.to_string())])),
    };
    let detail = faults
        .first()
        .map(|(_, o)| o.detail.render(&texts.reasons))
        .unwrap_or_default();
    let headline = fill(
        texts.fault,
        &[
            ("host", &escape(&truncate(host, MAX_VALUE))),
            ("count", &faults.len().to_string()),
            ("when", &when(since)),
            ("detail", &escape(&truncate(&detail, MAX_VALUE))),
        ],
    );
    format!(
        "{headline}\n{}{more}\n{}",
        names.join(", "),
        texts.fault_note
    )
}

fn when(at: DateTime<FixedOffset>) -> String {
    crate::util::show_time(at)
}

/// How a text is to be read when it is split: Telegram HTML (tags and entities are
/// kept whole, and a tag open at a cut is closed and opened again), or plain text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Markup {
    Html,
    Plain,
}

/// A text's length as Telegram counts it: UTF-16 code units, so an emoji outside the
/// Basic Multilingual Plane counts 2 (https://core.telegram.org/api/entities#entity-length).
pub fn units(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Splits Telegram HTML into parts of at most `limit` UTF-16 units: see [`split_as`].
pub fn split(text: &str, limit: usize) -> Vec<String> {
    split_as(text, Markup::Html, limit)
}

/// The one splitter every message goes through: parts of at most `limit` UTF-16 units
/// (never less than 2), cut between lines where it can, else after a space, else between
/// two characters, never inside a tag, an entity or a character. In HTML a tag still
/// open at a cut is closed at the end of the part and opened again at the start of the
/// next, so that every part is well-formed when the whole was. Parts with nothing to
/// show are left out (Telegram refuses them); a cut between lines drops that newline,
/// a cut inside a line keeps every character.
pub fn split_as(text: &str, markup: Markup, limit: usize) -> Vec<String> {
    let atoms = atoms(text, markup);
    let mut packer = Packer {
        markup,
        limit: limit.max(2),
        parts: Vec::new(),
        current: String::new(),
        len: 0,
        content: false,
        open: Vec::new(),
    };
    for line in atoms.split(|a| a.text == "\n") {
        packer.add_line(line);
    }
    packer.flush();
    packer.parts
}

/// The smallest piece of a text a cut may not go through: a character, or in HTML a
/// whole tag or entity.
#[derive(Clone, Copy, Debug)]
struct Atom<'a> {
    text: &'a str,
    units: usize,
    tag: Option<Tag<'a>>,
}

#[derive(Clone, Copy, Debug)]
struct Tag<'a> {
    name: &'a str,
    closing: bool,
}

/// The longest tag or entity taken as one; anything longer is read as characters.
const MAX_TAG: usize = 256;
const MAX_ENTITY: usize = 12;

fn atoms(text: &str, markup: Markup) -> Vec<Atom<'_>> {
    let mut atoms = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let whole = match (markup, c) {
            (Markup::Html, '<') => rest[1..]
                .find(['>', '<', '\n'])
                .map(|end| end + 1)
                .filter(|&end| end < MAX_TAG && rest[end..].starts_with('>'))
                .map(|end| &rest[..=end]),
            (Markup::Html, '&') => rest
                .find(';')
                .filter(|&end| {
                    end > 1
                        && end < MAX_ENTITY
                        && rest[1..end]
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '#')
                })
                .map(|end| &rest[..=end]),
            _ => None,
        };
        let piece = whole.unwrap_or(&rest[..c.len_utf8()]);
        let tag = whole.filter(|w| w.starts_with('<')).map(|w| {
            let inner = &w[1..w.len() - 1];
            let (closing, inner) = match inner.strip_prefix('/') {
                Some(inner) => (true, inner),
                None => (false, inner),
            };
            let end = inner
                .find(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                .unwrap_or(inner.len());
            Tag {
                name: &inner[..end],
                closing,
            }
        });
        atoms.push(Atom {
            text: piece,
            units: units(piece),
            tag,
        });
        rest = &rest[piece.len()..];
    }
    atoms
}

/// Fills parts greedily: whole lines, else words, else atoms.
struct Packer<'a> {
    markup: Markup,
    limit: usize,
    parts: Vec<String>,
    /// The part being filled, starting with the tags opened again.
    current: String,
    len: usize,
    /// `current` holds more than the tags opened again.
    content: bool,
    /// The tags open at the end of `current`, outermost first: name and the tag as
    /// written (with its attributes), to open it again in the next part.
    open: Vec<(&'a str, &'a str)>,
}

impl<'a> Packer<'a> {
    fn add_line(&mut self, line: &[Atom<'a>]) {
        if !self.content && line.iter().all(|a| a.text.trim().is_empty()) {
            return; // a part never starts with empty lines
        }
        if self.try_add("\n", line) {
            return;
        }
        self.flush();
        if self.try_add("", line) {
            return;
        }
        for word in line.split_inclusive(|a| a.text == " ") {
            if self.try_add("", word) {
                continue;
            }
            self.flush();
            if self.try_add("", word) {
                continue;
            }
            for atom in word {
                self.add_atom(atom);
            }
        }
    }

    /// One atom, which fits in a part of its own once the tags opened again are dropped
    /// (a character always does; a tag longer than the limit is taken as characters).
    fn add_atom(&mut self, atom: &Atom<'a>) {
        let one = std::slice::from_ref(atom);
        if self.try_add("", one) {
            return;
        }
        self.flush();
        if self.try_add("", one) {
            return;
        }
        if !self.open.is_empty() {
            // Tags nested so deep that reopening them leaves no room: the part goes out
            // without them (Telegram may refuse its HTML; its plain text still fits).
            self.current.clear();
            self.len = 0;
            self.open.clear();
            if self.try_add("", one) {
                return;
            }
        }
        for (i, c) in atom.text.char_indices() {
            let char_atom = Atom {
                text: &atom.text[i..i + c.len_utf8()],
                units: c.len_utf16(),
                tag: None,
            };
            if !self.try_add("", std::slice::from_ref(&char_atom)) {
                self.flush();
                self.current.clear();
                self.len = 0;
                self.open.clear();
                // A character (at most 2 units) always fits in an empty part.
                let _ = self.try_add("", std::slice::from_ref(&char_atom));
            }
        }
    }

    /// Adds `sep` (only after content) and `piece` if the part, with its closing tags,
    /// stays within the limit.
    fn try_add(&mut self, sep: &str, piece: &[Atom<'a>]) -> bool {
        let sep = if self.content { sep } else { "" };
        let mut open = self.open.clone();
        for atom in piece {
            match atom.tag {
                Some(Tag {
                    name,
                    closing: false,
                }) => open.push((name, atom.text)),
                Some(Tag {
                    name,
                    closing: true,
                }) => {
                    if let Some(i) = open.iter().rposition(|(n, _)| *n == name) {
                        open.truncate(i);
                    }
                }
                None => {}
            }
        }
        let added = units(sep) + piece.iter().map(|a| a.units).sum::<usize>();
        let closers: usize = open.iter().map(|(name, _)| name.len() + 3).sum();
        if self.len + added + closers > self.limit {
            return false;
        }
        self.current.push_str(sep);
        piece.iter().for_each(|a| self.current.push_str(a.text));
        self.len += added;
        self.content |= !piece.is_empty();
        self.open = open;
        true
    }

    /// Ends the part (closing what is open), and starts the next with those tags.
    fn flush(&mut self) {
        if self.content {
            let mut part = self.current.trim_end_matches('\n').to_owned();
            for (name, _) in self.open.iter().rev() {
                part.push_str(&format!("</{name}>"));
            }
            if has_words(&part, self.markup) {
                self.parts.push(part);
            }
        }
        self.current = self.open.iter().map(|(_, tag)| *tag).collect();
        self.len = units(&self.current);
        self.content = false;
    }
}

/// Whether a part shows anything but white space (Telegram refuses an empty text).
fn has_words(part: &str, markup: Markup) -> bool {
    atoms(part, markup)
        .iter()
        .any(|a| a.tag.is_none() && !a.text.trim().is_empty())
}

/// The one message of `vigia ack`: which targets' outages `by` took on, why, and what
/// that changes (no more reminders), in HTML.
pub fn render_ack(
    names: &[String],
    by: &str,
    reason: Option<&str>,
    host: &str,
    at: DateTime<FixedOffset>,
    texts: &Texts,
) -> String {
    let bold = |s: &str| format!("<b>{}</b>", escape(&truncate(s, MAX_VALUE)));
    let shown: Vec<String> = names.iter().take(10).map(|n| bold(n)).collect();
    let more = match names.len().saturating_sub(shown.len()) {
        0 => String::new(),
        n => format!(" {}", fill(texts.and_more, &[("count", &n.to_string())])),
    };
    let targets = format!("{}{more}", shown.join(", "));
    let user = bold(by);
    let headline = match reason.filter(|r| !r.trim().is_empty()) {
        Some(r) => fill(
            texts.ack,
            &[
                ("targets", &targets),
                ("user", &user),
                ("reason", &escape(&truncate(r, MAX_VALUE))),
            ],
        ),
        None => fill(
            texts.ack_no_reason,
            &[("targets", &targets), ("user", &user)],
        ),
    };
    let line = fill(
        texts.when_on,
        &[
            ("when", &when(at)),
            ("host", &escape(&truncate(host, MAX_VALUE))),
        ],
    );
    format!("{headline}\n{}\n{line}", texts.ack_note)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::texts::{EN, PT_BR};
    use std::time::Duration;

    fn change(target: &str, state: State, reason: &str, down_for: Option<Duration>) -> Change {
        Change {
            target: target.into(),
            url: "http://a.example/?x=1&y=<2>".into(),
            state,
            reason: reason.into(),
            at: DateTime::parse_from_rfc3339("2026-11-24T23:22:23-03:00").unwrap(),
            down_for,
            alert: true,
            confirmed_by: 1,
        }
    }

    #[test]
    fn escapes_markup_characters() {
        assert_eq!(escape("a & b <c> \"d\""), "a &amp; b &lt;c&gt; \"d\"");
    }

    #[test]
    fn html_message_lists_every_change_escaped() {
        let down = change("web", State::Offline, "text \"<ok>\" not found", None);
        let up = change(
            "api",
            State::Online,
            "HTTP 200 in 41 ms",
            Some(Duration::from_secs(759)),
        );
        let html = render_html(
            &[Notice::Change(down.clone()), Notice::Change(up)],
            "srv & co",
            &EN,
        );
        assert_eq!(
            html,
            "🔴 <b>web</b> is DOWN: text \"&lt;ok&gt;\" not found\n\
             <code>http://a.example/?x=1&amp;y=&lt;2&gt;</code>\n\
             2026-11-24 23:22:23 -03:00 on srv &amp; co\n\
             \n\
             🟢 <b>api</b> is UP again after 12m39s down: HTTP 200 in 41 ms\n\
             <code>http://a.example/?x=1&amp;y=&lt;2&gt;</code>\n\
             2026-11-24 23:22:23 -03:00 on srv &amp; co"
        );
        let plain = render_plain(&[Notice::Change(down)], "srv", &EN);
        assert!(plain
            .starts_with("🔴 web is DOWN: text \"<ok>\" not found\nhttp://a.example/?x=1&y=<2>\n"));
    }

    #[test]
    fn the_machines_own_connectivity_reads_as_such() {
        let mut lost = change(
            CONNECTIVITY,
            State::Offline,
            "every canary failed (connection refused), and targets with them",
            None,
        );
        lost.url = "tcp://192.0.2.53:53".into();
        assert_eq!(
            render_html(&[Notice::Change(lost)], "srv", &EN),
            "⚠️ <b>srv</b> has lost its own connectivity since 2026-11-24 23:22:23 -03:00: targets not judged\n\
             every canary failed (connection refused), and targets with them\n\
             <code>tcp://192.0.2.53:53</code>"
        );
        let back = change(
            CONNECTIVITY,
            State::Online,
            "tcp://192.0.2.53:53 answered: TCP connect in 3 ms",
            Some(Duration::from_secs(300)),
        );
        assert!(render_plain(&[Notice::Change(back)], "srv", &EN)
            .starts_with("✅ srv is back online after 5m: targets are judged again\n"));
    }

    #[test]
    fn portuguese_reads_as_portuguese() {
        let down = change("web", State::Offline, "HTTP 503", None);
        let up = change(
            "web",
            State::Online,
            "HTTP 200 in 4 ms",
            Some(Duration::from_secs(759)),
        );
        let still = Notice::StillDown {
            target: "web".into(),
            url: "http://a/".into(),
            reason: "HTTP 503".into(),
            down_for: Some(Duration::from_secs(4 * 3600)),
            at: down.at,
        };
        let cert = Notice::CertExpires {
            target: "web".into(),
            url: "https://a/".into(),
            days: 5,
            not_after: down.at,
            at: down.at,
        };
        assert_eq!(
            render_plain(&[Notice::Change(down), Notice::Change(up), still, cert], "srv", &PT_BR),
            "🔴 web está FORA DO AR: HTTP 503\nhttp://a.example/?x=1&y=<2>\n2026-11-24 23:22:23 -03:00 em srv\n\n\
             🟢 web voltou ao ar depois de 12m39s fora: HTTP 200 in 4 ms\nhttp://a.example/?x=1&y=<2>\n2026-11-24 23:22:23 -03:00 em srv\n\n\
             ⏰ web continua FORA DO AR, já faz 4h: HTTP 503\nhttp://a/\n2026-11-24 23:22:23 -03:00 em srv\n\n\
             🔐 O certificado de web vence em 5 dias, no dia 2026-11-24 23:22:23 -03:00\nhttps://a/\n2026-11-24 23:22:23 -03:00 em srv"
        );
    }

    #[test]
    fn short_text_is_one_part() {
        assert_eq!(split("a\nb", 10), ["a\nb"]);
        assert_eq!(split("", 10), Vec::<String>::new());
    }

    #[test]
    fn splits_on_lines_under_the_limit() {
        let text = (0..100)
            .map(|i| format!("line {i:03} {}", "x".repeat(50)))
            .collect::<Vec<_>>()
            .join("\n");
        let parts = split(&text, 500);
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|p| p.chars().count() <= 500));
        assert_eq!(parts.join("\n"), text);
    }

    #[test]
    fn cuts_an_overlong_line_outside_entities() {
        let line = format!("{}&amp;{}", "a".repeat(8), "b".repeat(8));
        let parts = split(&line, 10);
        assert_eq!(parts.concat(), line);
        assert!(parts.iter().all(|p| p.chars().count() <= 10));
        assert!(
            parts
                .iter()
                .all(|p| p.matches('&').count() == p.matches(';').count()),
            "{parts:?}"
        );
    }

    #[test]
    fn overlong_values_are_shortened_and_parts_stay_well_formed() {
        let mut long = change("web", State::Offline, &"reason <x> ".repeat(500), None);
        long.url = format!("http://a.example/{}", "&<".repeat(3000));
        let many: Vec<Notice> = (0..40).map(|_| Notice::Change(long.clone())).collect();
        let parts = split(&render_html(&many, &"h".repeat(1000), &EN), LIMIT);
        assert!(parts.len() > 1);
        for part in &parts {
            assert!(units(part) <= LIMIT);
            assert_eq!(part.matches("<b>").count(), part.matches("</b>").count());
            assert_eq!(
                part.matches("<code>").count(),
                part.matches("</code>").count()
            );
            assert_eq!(
                part.matches('&').count(),
                part.matches(';').count(),
                "{part}"
            );
        }
    }

    #[test]
    fn counts_utf16_units_as_telegram_does() {
        let text = "é".repeat(10);
        assert_eq!(split(&text, 10), vec![text]);
        // An astral character is two units: five of them fill ten.
        let astral = "😀".repeat(6);
        assert_eq!(units(&astral), 12);
        let parts = split_as(&astral, Markup::Plain, 10);
        assert_eq!(parts, ["😀".repeat(5), "😀".to_owned()]);
    }

    /// A tiny seeded generator (xorshift), so that every run checks the same texts.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// Checks that parts are well-formed HTML: every entity whole, tags balanced.
    fn well_formed(part: &str) -> bool {
        let mut open = Vec::new();
        for atom in atoms(part, Markup::Html) {
            if atom.text.starts_with('&') && atom.units == 1 {
                return false; // a cut entity would leave a bare '&'
            }
            match atom.tag {
                Some(Tag {
                    name,
                    closing: false,
                }) => open.push(name),
                Some(Tag {
                    name,
                    closing: true,
                }) if open.pop() != Some(name) => return false,
                _ => {}
            }
        }
        open.is_empty()
    }

    #[test]
    fn any_text_splits_within_the_limit_and_loses_nothing() {
        let pieces = [
            "😀",
            "𝄞",
            "é",
            "a",
            "b",
            " ",
            " ",
            "\n",
            "&amp;",
            "&lt;",
            "<b>x</b>",
            "<code>",
            "</code>",
            "<a href=\"http://x/?a=1&amp;b\">l</a>",
            "word",
            "🇧🇷",
            "漢",
        ];
        let mut rng = Rng(0x5eed_0000_1234_5678);
        for round in 0..300 {
            let limit = [10, 37, 100, 4096][round % 4];
            let mut text = String::new();
            let mut code_open = false;
            while units(&text) < (rng.below(3) as usize + 1) * limit {
                let piece = pieces[rng.below(pieces.len() as u64) as usize];
                match piece {
                    "<code>" if code_open => continue,
                    "</code>" if !code_open => continue,
                    "<code>" | "</code>" => code_open = !code_open,
                    _ => {}
                }
                text.push_str(piece);
            }
            if code_open {
                text.push_str("</code>");
            }
            for markup in [Markup::Html, Markup::Plain] {
                let parts = split_as(&text, markup, limit);
                for part in &parts {
                    assert!(units(part) <= limit, "{limit}: {part:?} of {text:?}");
                    assert!(has_words(part, markup), "{part:?}");
                    if markup == Markup::Html && limit >= 100 {
                        assert!(well_formed(part), "{part:?} of {text:?}");
                    }
                }
                // Only tags closed and opened again, newlines at cuts and white space
                // left alone are not in the parts.
                let visible = |t: &str| -> String {
                    let t = match markup {
                        Markup::Html => crate::delivery::plain_text(t),
                        Markup::Plain => t.to_owned(),
                    };
                    t.chars().filter(|c| !c.is_whitespace()).collect()
                };
                if markup == Markup::Html && limit < 100 {
                    continue; // a tag longer than the limit is cut as characters
                }
                let joined: String = parts.iter().map(|p| visible(p)).collect();
                let whole = visible(&text);
                assert_eq!(
                    joined,
                    if whole == "(empty message)" {
                        String::new()
                    } else {
                        whole
                    }
                );
            }
        }
    }

    #[test]
    fn a_long_line_is_cut_after_a_space_and_its_tags_reopened() {
        let line = format!("<b>{}</b>", "word ".repeat(30));
        let parts = split(&line, 40);
        assert!(parts.len() > 1);
        for part in &parts {
            assert!(
                part.starts_with("<b>word") && part.ends_with(" </b>"),
                "{part}"
            );
            assert!(units(part) <= 40);
        }
        let plain = split_as(&"word ".repeat(30), Markup::Plain, 40);
        assert_eq!(plain.concat(), "word ".repeat(30));
        assert!(plain.iter().all(|p| p.ends_with(' ') && p.len() <= 40));
        // A "tag" in plain text is words like any other.
        assert_eq!(split_as("<b> x", Markup::Plain, 3), ["<b>", " x"]);
    }

    #[test]
    fn ten_thousand_units_of_emoji_on_one_line_fit_in_parts() {
        let text: String = (0..2700)
            .map(|i| if i % 7 == 0 { "🔴 " } else { "ab😀" })
            .collect();
        assert!(units(&text) >= 10_000);
        let parts = split(&text, LIMIT);
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|p| units(p) <= LIMIT));
        assert_eq!(parts.concat(), text);
    }

    #[test]
    fn an_ack_is_said_whole_in_both_languages_with_every_value_escaped() {
        let at = DateTime::parse_from_rfc3339("2026-03-01T14:00:00Z").unwrap();
        let names = ["web".to_owned(), "a<b".to_owned()];
        let en = render_ack(
            &names,
            "root",
            Some("looking into it & more"),
            "srv",
            at,
            &crate::texts::EN,
        );
        assert_eq!(
            en,
            "✅ ack: <b>web</b>, <b>a&lt;b</b>, by <b>root</b>: looking into it &amp; more\n\
             No more reminders until it is UP again; the recovery is still sent.\n\
             2026-03-01 14:00:00 +00:00 on srv"
        );
        let pt = render_ack(&names[..1], "ana", None, "srv", at, &crate::texts::PT_BR);
        assert_eq!(
            pt,
            "✅ reconhecido: <b>web</b>, por <b>ana</b>\n\
             Sem mais lembretes até voltar ao ar; o aviso da volta ainda é enviado.\n\
             2026-03-01 14:00:00 +00:00 em srv"
        );
        let many: Vec<String> = (0..12).map(|n| format!("t{n}")).collect();
        let long = render_ack(&many, "root", Some(" "), "srv", at, &crate::texts::EN);
        assert!(long.starts_with("✅ ack: <b>t0</b>, "), "{long}");
        assert!(
            long.contains("<b>t9</b> and 2 more, by <b>root</b>\n"),
            "{long}"
        );
    }

    /// Every notice of confirmation, flapping, slowness and gaps, rendered whole in
    /// `texts`, one block each.
    fn thresholds_said(texts: &Texts) -> String {
        let at = DateTime::parse_from_rfc3339("2026-03-01T14:00:00Z").unwrap();
        let since = DateTime::parse_from_rfc3339("2026-03-01T13:01:00Z").unwrap();
        let url = "http://w/".to_owned();
        let confirmed = Change {
            at: since,
            confirmed_by: 2,
            ..change("web", State::Offline, "HTTP 503", None)
        };
        let recovered = Change {
            at: since,
            confirmed_by: 3,
            ..change(
                "web",
                State::Online,
                "HTTP 200 in 4 ms",
                Some(Duration::from_secs(600)),
            )
        };
        let notices = [
            Notice::Change(confirmed),
            Notice::Change(recovered),
            Notice::Flapping {
                target: "web".into(),
                url: url.clone(),
                changes: 5,
                within: Duration::from_secs(3600),
                state: State::Offline,
                still: false,
                at,
            },
            Notice::Flapping {
                target: "web".into(),
                url: url.clone(),
                changes: 7,
                within: Duration::from_secs(3600),
                state: State::Online,
                still: true,
                at,
            },
            Notice::Stable {
                target: "web".into(),
                url: url.clone(),
                state: State::Online,
                since,
                at,
            },
            Notice::Slowness {
                target: "web".into(),
                url: url.clone(),
                slow: true,
                elapsed: Duration::from_millis(2400),
                limit: Duration::from_secs(2),
                at,
            },
            Notice::Slowness {
                target: "web".into(),
                url,
                slow: false,
                elapsed: Duration::from_millis(180),
                limit: Duration::from_secs(2),
                at,
            },
            Notice::Gap {
                from: since,
                to: at,
                now: vec![
                    ("web".into(), State::Online),
                    ("a<b".into(), State::Offline),
                ],
            },
        ];
        render_html(&notices, "srv", texts)
    }

    #[test]
    fn confirmation_flapping_slowness_and_gaps_are_said_whole_in_english() {
        assert_eq!(
            thresholds_said(&EN),
            "🔴 <b>web</b> is DOWN: HTTP 503\n\
             <code>http://a.example/?x=1&amp;y=&lt;2&gt;</code>\n\
             down since 2026-03-01 13:01:00 +00:00 on srv, confirmed by 2 checks\n\
             \n\
             🟢 <b>web</b> is UP again after 10m down: HTTP 200 in 4 ms\n\
             <code>http://a.example/?x=1&amp;y=&lt;2&gt;</code>\n\
             up since 2026-03-01 13:01:00 +00:00 on srv, confirmed by 3 checks\n\
             \n\
             🟠 <b>web</b> is FLAPPING: 5 changes in 1h, now DOWN\n\
             <code>http://w/</code>\n\
             2026-03-01 14:00:00 +00:00 on srv\n\
             \n\
             🟠 <b>web</b> is still flapping, 7 changes in 1h, now UP\n\
             <code>http://w/</code>\n\
             2026-03-01 14:00:00 +00:00 on srv\n\
             \n\
             🔵 <b>web</b> is stable again: UP since 2026-03-01 13:01:00 +00:00\n\
             <code>http://w/</code>\n\
             2026-03-01 14:00:00 +00:00 on srv\n\
             \n\
             🐢 <b>web</b> is SLOW: 2.4 s (limit 2 s)\n\
             <code>http://w/</code>\n\
             2026-03-01 14:00:00 +00:00 on srv\n\
             \n\
             🐇 <b>web</b> is fast again: 180 ms\n\
             <code>http://w/</code>\n\
             2026-03-01 14:00:00 +00:00 on srv\n\
             \n\
             ⏸️ vigia was not running from 2026-03-01 13:01:00 +00:00 to 2026-03-01 14:00:00 +00:00 (59m; machine off?). Now: <b>web</b> UP, <b>a&lt;b</b> DOWN\n\
             2026-03-01 14:00:00 +00:00 on srv"
        );
    }

    #[test]
    fn confirmation_flapping_slowness_and_gaps_are_said_whole_in_portuguese() {
        assert_eq!(
            thresholds_said(&PT_BR),
            "🔴 <b>web</b> está FORA DO AR: HTTP 503\n\
             <code>http://a.example/?x=1&amp;y=&lt;2&gt;</code>\n\
             fora do ar desde 2026-03-01 13:01:00 +00:00 em srv, confirmado por 2 verificações\n\
             \n\
             🟢 <b>web</b> voltou ao ar depois de 10m fora: HTTP 200 in 4 ms\n\
             <code>http://a.example/?x=1&amp;y=&lt;2&gt;</code>\n\
             no ar desde 2026-03-01 13:01:00 +00:00 em srv, confirmado por 3 verificações\n\
             \n\
             🟠 <b>web</b> está OSCILANDO: 5 mudanças em 1h, agora FORA DO AR\n\
             <code>http://w/</code>\n\
             2026-03-01 14:00:00 +00:00 em srv\n\
             \n\
             🟠 <b>web</b> continua oscilando, 7 mudanças em 1h, agora NO AR\n\
             <code>http://w/</code>\n\
             2026-03-01 14:00:00 +00:00 em srv\n\
             \n\
             🔵 <b>web</b> está estável de novo: NO AR desde 2026-03-01 13:01:00 +00:00\n\
             <code>http://w/</code>\n\
             2026-03-01 14:00:00 +00:00 em srv\n\
             \n\
             🐢 <b>web</b> está LENTO: 2,4 s (limite 2 s)\n\
             <code>http://w/</code>\n\
             2026-03-01 14:00:00 +00:00 em srv\n\
             \n\
             🐇 <b>web</b> voltou a responder rápido: 180 ms\n\
             <code>http://w/</code>\n\
             2026-03-01 14:00:00 +00:00 em srv\n\
             \n\
             ⏸️ o vigia ficou parado de 2026-03-01 13:01:00 +00:00 a 2026-03-01 14:00:00 +00:00 (59m; máquina desligada?). Agora: <b>web</b> NO AR, <b>a&lt;b</b> FORA DO AR\n\
             2026-03-01 14:00:00 +00:00 em srv"
        );
    }
}

/// Every reason in every language, in whole messages pinned in `tests/golden/`.
#[cfg(test)]
mod every_reason {
    use std::time::Duration;

    use super::*;
    use crate::outcome::{Family, Reason, Tls, Unfollowed};
    use crate::texts::LANGUAGES;

    /// One example of every reason. The match has no wildcard: a new kind of reason does
    /// not compile until it has an example here, and so a line in each golden file.
    fn examples() -> Vec<Reason> {
        let http = |code, named, unfollowed| Reason::Http {
            code,
            named,
            unfollowed,
        };
        let all = vec![
            http(503, true, None),
            http(404, true, None),
            http(599, true, None),
            http(301, true, Some(Unfollowed::Scheme("mailto".into()))),
            http(302, true, Some(Unfollowed::Unreadable)),
            Reason::ConnectionRefused,
            Reason::ConnectionReset,
            Reason::ConnectionAborted,
            Reason::ClosedEarly,
            Reason::HostUnreachable,
            Reason::NetworkUnreachable,
            Reason::TimedOut,
            Reason::TimedOutAfter(Duration::from_secs(10)),
            Reason::Dns,
            Reason::NoAddress {
                host: "db.internal".into(),
                family: Family::V6,
            },
            Reason::NoAddress {
                host: "db.internal".into(),
                family: Family::V4,
            },
            Reason::NoResolver,
            Reason::Tls(Tls::Expired),
            Reason::Tls(Tls::UnknownIssuer),
            Reason::Tls(Tls::NameMismatch),
            Reason::Tls(Tls::NotValidYet),
            Reason::Tls(Tls::SelfSigned),
            Reason::Tls(Tls::Revoked),
            Reason::Tls(Tls::PlainText),
            Reason::Tls(Tls::ClosedInHandshake),
            Reason::Tls(Tls::NoCertificate),
            Reason::Tls(Tls::Other("HandshakeFailure".into())),
            Reason::RedirectLoop,
            Reason::TooManyRedirects,
            Reason::RedirectedToHttps,
            Reason::TextNotFound {
                text: "Welcome <b>".into(),
                limited: false,
            },
            Reason::TextNotFound {
                text: "Welcome".into(),
                limited: true,
            },
            Reason::NotProbedInTime,
            Reason::ProbeFailed,
            Reason::TooManyOpenFiles,
            Reason::OutOfMemory,
            Reason::CaFileUnreadable {
                path: "/etc/ssl/private/ca.pem".into(),
                why: "No such file or directory (os error 2)".into(),
            },
            Reason::HttpSetup("builder error".into()),
            Reason::Text("unexpected EOF".into()),
            Reason::Unknown,
            Reason::Answered {
                what: Box::new(http(200, false, None)),
                ms: 41,
            },
            Reason::Answered {
                what: Box::new(http(301, false, Some(Unfollowed::Scheme("ftp".into())))),
                ms: 41,
            },
            Reason::Answered {
                what: Box::new(Reason::TcpConnect),
                ms: 3,
            },
            Reason::TcpConnect,
            Reason::CanariesFailed(Box::new(Reason::ConnectionRefused)),
            Reason::CanaryAnswered {
                url: "tcp://1.1.1.1:53".into(),
                reason: Box::new(Reason::Answered {
                    what: Box::new(Reason::TcpConnect),
                    ms: 12,
                }),
            },
            Reason::CanariesAnswer,
            Reason::TextFound {
                text: "Maintenance".into(),
            },
            Reason::NoMatch {
                pattern: r"version: \d+\.\d+".into(),
                limited: false,
            },
            Reason::NoMatch {
                pattern: "ok".into(),
                limited: true,
            },
            Reason::NotJson { limited: false },
            Reason::NotJson { limited: true },
            Reason::JsonMismatch {
                pointer: "/status".into(),
                found: "\"error\"".into(),
                expected: "\"ok\"".into(),
            },
            Reason::JsonMissing {
                pointer: "/checks/db/healthy".into(),
            },
            Reason::Answered {
                what: Box::new(Reason::DnsAnswer {
                    rtype: "A".into(),
                    answers: "192.0.2.10, 192.0.2.11".into(),
                }),
                ms: 4,
            },
            Reason::DnsNxDomain {
                name: "www.example.org".into(),
            },
            Reason::DnsRcode {
                name: "www.example.org".into(),
                code: "SERVFAIL".into(),
            },
            Reason::DnsNoRecords {
                name: "example.org".into(),
                rtype: "MX".into(),
            },
            Reason::DnsTextNotFound {
                text: "192.0.2.10".into(),
                answers: "192.0.2.99".into(),
            },
            Reason::Answered {
                what: Box::new(Reason::EchoReply),
                ms: 1,
            },
            Reason::EchoReply,
            Reason::PingNotPermitted,
        ];
        for reason in &all {
            match reason {
                Reason::Answered { .. }
                | Reason::Http { .. }
                | Reason::TcpConnect
                | Reason::ConnectionRefused
                | Reason::ConnectionReset
                | Reason::ConnectionAborted
                | Reason::ClosedEarly
                | Reason::HostUnreachable
                | Reason::NetworkUnreachable
                | Reason::TimedOut
                | Reason::TimedOutAfter(_)
                | Reason::Dns
                | Reason::NoAddress { .. }
                | Reason::NoResolver
                | Reason::Tls(_)
                | Reason::RedirectLoop
                | Reason::TooManyRedirects
                | Reason::RedirectedToHttps
                | Reason::TextNotFound { .. }
                | Reason::NotProbedInTime
                | Reason::ProbeFailed
                | Reason::TooManyOpenFiles
                | Reason::OutOfMemory
                | Reason::CaFileUnreadable { .. }
                | Reason::HttpSetup(_)
                | Reason::CanariesFailed(_)
                | Reason::CanaryAnswered { .. }
                | Reason::CanariesAnswer
                | Reason::Text(_)
                | Reason::Unknown => {}
                Reason::TextFound { .. }
                | Reason::NoMatch { .. }
                | Reason::NotJson { .. }
                | Reason::JsonMismatch { .. }
                | Reason::JsonMissing { .. }
                | Reason::DnsAnswer { .. }
                | Reason::DnsNxDomain { .. }
                | Reason::DnsRcode { .. }
                | Reason::DnsNoRecords { .. }
                | Reason::DnsTextNotFound { .. }
                | Reason::EchoReply
                | Reason::PingNotPermitted => {}
            }
        }
        all
    }

    /// The message a reason is said in: a recovery for an answer, the machine's own
    /// connectivity for the canaries', a target down for the rest.
    fn notice(reason: &Reason) -> Notice {
        let (target, state, down_for) = match reason {
            Reason::Answered { .. } | Reason::TcpConnect | Reason::EchoReply => {
                ("web", State::Online, Some(Duration::from_secs(759)))
            }
            Reason::CanariesFailed(_) => (CONNECTIVITY, State::Offline, None),
            Reason::CanaryAnswered { .. } | Reason::CanariesAnswer => {
                (CONNECTIVITY, State::Online, Some(Duration::from_secs(1800)))
            }
            _ => ("web", State::Offline, None),
        };
        Notice::Change(Change {
            target: target.into(),
            url: "https://example.org/".into(),
            state,
            reason: reason.clone(),
            at: DateTime::parse_from_rfc3339("2026-11-24T23:22:23-03:00").unwrap(),
            down_for,
            alert: true,
            confirmed_by: 1,
        })
    }

    /// The Telegram message of every example, one section each, in one language; the
    /// English log's words above each, which no language changes.
    fn every_message(texts: &Texts) -> String {
        let mut out = String::new();
        for reason in examples() {
            out.push_str(&format!("## log: {reason}\n"));
            out.push_str(&render_html(&[notice(&reason)], "srv", texts));
            out.push_str("\n\n");
        }
        // The other messages that carry a reason, once each.
        let at = DateTime::parse_from_rfc3339("2026-11-24T23:22:23-03:00").unwrap();
        let still = Notice::StillDown {
            target: "web".into(),
            url: "https://example.org/".into(),
            reason: Reason::Tls(Tls::Expired),
            down_for: Some(Duration::from_secs(4 * 3600)),
            at,
        };
        let unmuted = Notice::Unmuted {
            target: "web".into(),
            url: "https://example.org/".into(),
            state: State::Offline,
            reason: Reason::TimedOutAfter(Duration::from_secs(10)),
            at,
        };
        for (heading, notice) in [("reminder", still), ("mute ended", unmuted)] {
            out.push_str(&format!("## {heading}\n"));
            out.push_str(&render_html(&[notice], "srv", texts));
            out.push_str("\n\n");
        }
        let mut target = crate::fixtures::target("web");
        target.url = "https://example.org/".into();
        for detail in [Reason::TooManyOpenFiles, Reason::NotProbedInTime] {
            let fault = crate::outcome::Outcome {
                detail,
                checker_fault: true,
                ..crate::fixtures::outcome(false)
            };
            out.push_str("## checker fault\n");
            out.push_str(&render_fault(&[(&target, &fault)], "srv", at, texts));
            out.push_str("\n\n");
        }
        out
    }

    #[test]
    fn every_reason_is_pinned_whole_in_every_language() {
        for (language, texts) in LANGUAGES {
            let actual = every_message(texts);
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("tests/golden/reasons-{language}.expected"));
            if std::env::var_os("VIGIA_BLESS").is_some_and(|v| !v.is_empty()) {
                std::fs::write(&path, &actual).unwrap();
                continue;
            }
            let expected = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                expected == actual,
                "{} differs; if intended: VIGIA_BLESS=1 cargo test --lib every_reason\n{actual}",
                path.display()
            );
        }
    }

    #[test]
    fn the_log_keeps_english_whatever_the_language() {
        // A message's language never reaches the log: the line is made from the change.
        let Notice::Change(down) = notice(&Reason::Tls(Tls::Expired)) else {
            unreachable!()
        };
        assert_eq!(
            down.entry().text,
            "TLS error: certificate expired (https://example.org/)"
        );
    }
}
