//! `vigia init`: from a BotFather token to a proven chat, a received test message, a
//! written config and a running timer. Every prompt has a flag, so the same setup runs
//! unattended; without a terminal and without enough flags it fails at once.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use rustix::fs::{FileType, OFlags};

use crate::cli::InitArgs;
use crate::config::{validate_name, CheckDefaults, Env, Target, DEFAULT_API_URL, UNIT_CONFIG};
use crate::dirfd::DirHandle;
use crate::error::{Exit, StorageError, UsageError};
use crate::probe::{probe_all, Limits};
use crate::prompt;
use crate::secret::Token;
use crate::setup::{
    config_text, default_url, find_code, name_for, one_time_code, primary_address, Answers, Found,
    PUBLIC_CANARIES,
};
use crate::telegram::{ApiError, Bot, BotUser};
use crate::texts::{fill, WizardTexts};
use crate::util::hostname;

/// The least time between two getUpdates: a server that answers at once instead of
/// holding the long poll (some proxies and emulators) must not make a busy loop.
const MIN_POLL_GAP: Duration = Duration::from_millis(500);
/// How long the wizard waits for the code to arrive, in all.
const CODE_WAIT: Duration = Duration::from_secs(600);
/// Long-poll length of each getUpdates (the server clamps to 50).
const POLL: Duration = Duration::from_secs(30);
const API_TIMEOUT: Duration = Duration::from_secs(15);

/// The wizard's state: where it talks to and whether a person answers.
struct Wizard<'a> {
    args: &'a InitArgs,
    env: &'a Env,
    interactive: bool,
    api_url: String,
    rt: super::Runtime,
    /// The language it speaks and writes for the alerts (`None`: English).
    language: Option<&'static str>,
    w: &'static WizardTexts,
}

pub fn run(config_path: Option<&Path>, args: &InitArgs, env: &Env) -> anyhow::Result<Exit> {
    let language = wizard_language(args, env);
    let w = crate::texts::wizard_for(language);
    prompt::install_interrupt_handler(w);
    let path = config_path.map_or_else(|| env.init_config_path(), Path::to_owned);
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !interactive {
        let missing = missing_flags(args, env, w);
        if !missing.is_empty() {
            return Err(UsageError(fill(w.needs_flags, &[("flags", &missing.join(", "))])).into());
        }
    }
    check_config_place(&path, args.force, w)?;
    let wizard = Wizard {
        language,
        w,
        args,
        env,
        interactive,
        api_url: args
            .api_url
            .clone()
            .unwrap_or_else(|| DEFAULT_API_URL.to_owned()),
        rt: super::runtime()?,
    };
    wizard.run(&path)
}

/// The language of `--language`, else of the locale (`None`: English).
fn wizard_language(args: &InitArgs, env: &Env) -> Option<&'static str> {
    let named = match args.language.as_deref() {
        Some(given) => crate::texts::LANGUAGES
            .iter()
            .map(|(name, _)| *name)
            .find(|name| *name == given),
        None => env.locale_language(),
    };
    named.filter(|name| *name != "en")
}

/// The flags that replace the prompts, when some are missing.
fn missing_flags(args: &InitArgs, env: &Env, w: &WizardTexts) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if args.token_file.is_none() && env.token.is_none() {
        missing.push(w.flag_token);
    }
    if args.chat_id.is_none() {
        missing.push(w.flag_chat);
    }
    if args.urls.is_empty() && !args.yes {
        missing.push(w.flag_url);
    }
    missing
}

impl Wizard<'_> {
    fn run(&self, path: &Path) -> anyhow::Result<Exit> {
        let w = self.w;
        if self.interactive {
            say(&fill(w.intro, &[("host", &hostname())]));
        }
        let (bot, me) = self.bot()?;
        let username = me.username.clone().unwrap_or_default();
        // Who proved the chat: the user `--commands` allows first.
        let mut by = None;
        let (chat_id, thread_id, chat_note) = loop {
            let (chat_id, thread_id, note) = match self.args.chat_id {
                Some(id) => (id, None, None),
                None => {
                    let found = self.prove_chat(&bot, &username)?;
                    by = found.by;
                    (found.chat.id, found.thread_id, Some(found.chat.description))
                }
            };
            if self.test_message(&bot, chat_id, thread_id, note.as_deref())? {
                break (chat_id, thread_id, note);
            }
        };
        let targets = self.targets()?;
        let canaries = self.canaries()?;
        let confirm = self.confirmation()?;
        let commands = self.commands(chat_id, by)?;
        let answers = Answers {
            token: bot.token().clone(),
            chat_id,
            thread_id,
            api_url: self.args.api_url.clone(),
            chat_note,
            targets,
            canaries,
            language: self.language.map(str::to_owned),
            confirm,
            commands,
        };
        let backup = prompt::uninterrupted(|| {
            write_config(path, &config_text(&answers), self.args.force, w)
        })?;
        if let Some(backup) = backup {
            say(&fill(
                w.kept_old,
                &[("path", &backup.display().to_string())],
            ));
        }
        say(&fill(w.wrote, &[("path", &path.display().to_string())]));
        self.register_commands(&bot, answers.commands.is_some());
        self.enable_timer(path)?;
        Ok(Exit::Up)
    }

    /// Commands from the chat: `--commands`, or at a terminal (without `--yes`) the
    /// person's answer. On, the user who proved the chat may command (with `--chat-id`,
    /// a private chat's id is its user's), and each `--commands-from ID`.
    fn commands(&self, chat_id: i64, by: Option<i64>) -> anyhow::Result<Option<Vec<i64>>> {
        let prover = by.or((chat_id > 0).then_some(chat_id));
        // Not a confirmation: `--yes` leaves them off, as unattended; `--commands` on.
        let ask = !self.args.commands && self.interactive && !self.args.yes;
        let w = self.w;
        if ask {
            say(w.step_commands);
        }
        let wanted = self.args.commands || (ask && prompt::yes_no(w.answer_commands, false)?);
        if !wanted {
            return Ok(None);
        }
        let mut allowed: Vec<i64> = prover.into_iter().collect();
        for id in &self.args.commands_from {
            if !allowed.contains(id) {
                allowed.push(*id);
            }
        }
        match allowed.as_slice() {
            [] => say(w.nobody_commands),
            ids => say(&fill(
                w.commands_on,
                &[(
                    "ids",
                    &ids.iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                )],
            )),
        }
        Ok(Some(allowed))
    }

    /// Registers the command menu (setMyCommands), in English and for Portuguese apps,
    /// so that the Telegram client offers the commands. A failure is only a warning:
    /// the commands work without the menu.
    fn register_commands(&self, bot: &Bot, on: bool) {
        if !on {
            return;
        }
        for (language, texts) in [
            (None, &crate::texts::EN),
            (Some("pt"), &crate::texts::PT_BR),
        ] {
            let menu = texts.chat.commands;
            if let Err(e) = self.rt.block_on(bot.set_my_commands(&menu, language)) {
                say(&fill(self.w.menu_failed, &[("error", &e.to_string())]));
                return;
            }
        }
        say(self.w.menu_registered);
    }

    /// While the wizard reads the bot's updates, a timer run must not (it would take the
    /// code, and Telegram ends one of two readers with 409): the runs of the state
    /// directory the timer uses leave commands for later meanwhile (see
    /// [`crate::commands::UpdatesReader`]). `None` when that directory does not exist or
    /// cannot be opened: then no timer reads from it.
    fn hold_updates(&self) -> Option<crate::commands::UpdatesReader> {
        let dir = crate::dirfd::DirHandle::open(&self.env.state_dir(None)).ok()??;
        match crate::commands::UpdatesReader::take(&dir, crate::budget::LOCK_WAIT) {
            Ok(Some(reader)) => Some(reader),
            Ok(None) => {
                say("! A check run has been reading the bot's updates for a while; going on.");
                None
            }
            Err(_) => None,
        }
    }

    /// Step 1: the token, checked by shape and by getMe.
    fn bot(&self) -> anyhow::Result<(Bot, BotUser)> {
        let w = self.w;
        if self.interactive && self.args.token_file.is_none() && self.env.token.is_none() {
            say(w.step_bot);
        }
        loop {
            let token = self.token()?;
            let bot = Bot::for_wizard(&self.api_url, token, API_TIMEOUT)?;
            match self.rt.block_on(bot.get_me()) {
                Ok(me) => {
                    say(&fill(
                        w.bot_answers,
                        &[
                            ("username", me.username.as_deref().unwrap_or("?")),
                            ("name", &me.first_name),
                        ],
                    ));
                    return Ok((bot, me));
                }
                Err(e) => {
                    let why = explain_token_error(&e, &self.api_url, w);
                    if !self.interactive || !self.asks_token() {
                        anyhow::bail!("{why}");
                    }
                    say(&format!("✗ {why}"));
                    if !e.is_temporary() {
                        continue;
                    }
                    if !self.confirm(w.try_again, true)? {
                        anyhow::bail!("{why}");
                    }
                }
            }
        }
    }

    fn asks_token(&self) -> bool {
        self.args.token_file.is_none() && self.env.token.is_none()
    }

    fn token(&self) -> anyhow::Result<Token> {
        let w = self.w;
        let raw = match (&self.args.token_file, &self.env.token) {
            (Some(file), _) if file == Path::new("-") => {
                let mut text = String::new();
                std::io::stdin()
                    .read_to_string(&mut text)
                    .context(w.cannot_read_stdin)?;
                text
            }
            (Some(file), _) => std::fs::read_to_string(file).with_context(|| {
                fill(
                    w.cannot_read_token_file,
                    &[("path", &file.display().to_string())],
                )
            })?,
            (None, Some(token)) => token.clone(),
            (None, None) => loop {
                let typed = prompt::secret(w.paste_token)?;
                match Token::parse(&typed) {
                    Ok(_) => break typed,
                    Err(why) => say(&fill(w.not_a_token_retry, &[("why", why)])),
                }
            },
        };
        Token::parse(&raw).map_err(|why| UsageError(fill(w.not_a_token, &[("why", why)])).into())
    }

    /// Steps 2 and 3: no webhook in the way, then wait for the code in some chat.
    fn prove_chat(&self, bot: &Bot, username: &str) -> anyhow::Result<Found> {
        let w = self.w;
        // Only a hint: a webhook also shows as 409 from getUpdates, which stays the signal.
        let webhook = match self.rt.block_on(bot.webhook_url()) {
            Ok(url) => url,
            Err(e) => {
                say(&fill(w.webhook_unknown, &[("error", &e.to_string())]));
                String::new()
            }
        };
        if !webhook.is_empty() {
            say(&fill(w.step_webhook, &[("url", &webhook)]));
            if !self.confirm(w.delete_webhook, false)? {
                anyhow::bail!("{}", w.webhook_stays);
            }
            self.rt
                .block_on(bot.delete_webhook())
                .map_err(|e| anyhow::anyhow!("deleteWebhook: {e}"))?;
            say(w.webhook_deleted);
        }
        // Old updates are skipped (and confirmed) before the code is shown: a code sent in
        // answer to the link can then never be thrown away with them.
        let _reader = self.hold_updates();
        let offset = self.rt.block_on(skip_old_updates(bot))?;
        let code = one_time_code().context(w.no_code)?;
        say(&fill(
            w.step_chat,
            &[
                ("username", username),
                ("code", &code),
                ("minutes", &(CODE_WAIT.as_secs() / 60).to_string()),
            ],
        ));
        let found = self.rt.block_on(wait_for_code(
            bot,
            offset,
            &code,
            username,
            self.interactive,
            w,
        ))?;
        let topic = found
            .thread_id
            .map(|t| fill(w.topic, &[("topic", &t.to_string())]))
            .unwrap_or_default();
        say(&fill(
            w.found,
            &[
                ("chat", &found.chat.description),
                ("id", &found.chat.id.to_string()),
                ("topic", &topic),
            ],
        ));
        Ok(found)
    }

    /// Step 4: a test message, and the user's word that it arrived.
    fn test_message(
        &self,
        bot: &Bot,
        chat_id: i64,
        thread_id: Option<i64>,
        note: Option<&str>,
    ) -> anyhow::Result<bool> {
        let w = self.w;
        let text = fill(
            w.test_message,
            &[("host", &crate::message::escape(&hostname()))],
        );
        self.rt
            .block_on(bot.send_message(chat_id, thread_id, &text, true))
            .map_err(|e| {
                anyhow::anyhow!("{}", fill(w.test_not_sent, &[("error", &e.to_string())]))
            })?;
        let place = note.map_or_else(
            || fill(w.chat_place, &[("id", &chat_id.to_string())]),
            str::to_owned,
        );
        say(&fill(w.step_test, &[("place", &place)]));
        if !self.interactive || self.args.yes {
            return Ok(true);
        }
        if self.confirm(w.did_it_arrive, true)? {
            return Ok(true);
        }
        if self.args.chat_id.is_some() || !self.confirm(w.start_over, true)? {
            anyhow::bail!("{}", w.did_not_arrive);
        }
        Ok(false)
    }

    /// Step 5: what to watch, each probed once. `--url NAME=URL` names a target.
    fn targets(&self) -> anyhow::Result<Vec<(String, String)>> {
        let w = self.w;
        let mut urls: Vec<String> = self.args.urls.clone();
        let suggested = default_url(primary_address());
        if urls.is_empty() && !self.interactive {
            urls.push(suggested.clone());
        }
        let mut targets: Vec<(String, String)> = Vec::new();
        for given in &urls {
            let (name, url) = named_url(given);
            Target::adhoc(url, &CheckDefaults::default())
                .map_err(|why| UsageError(format!("--url: {why}")))?;
            let name = match name {
                Some(name) => {
                    validate_name(name).map_err(|why| UsageError(format!("--url: {why}")))?;
                    if targets.iter().any(|(t, _)| t == name) {
                        let twice = fill(w.name_twice, &[("name", &format!("{name:?}"))]);
                        return Err(UsageError(format!("--url: {twice}")).into());
                    }
                    name.to_owned()
                }
                None => unique_name(&targets, &name_for(url)),
            };
            targets.push((name, url.to_owned()));
        }
        if urls.is_empty() {
            say(w.step_targets);
            loop {
                let default = targets.is_empty().then(|| suggested.clone());
                let url = prompt::text(w.url_prompt, default, |u| {
                    Target::adhoc(u, &CheckDefaults::default()).map(drop)
                })?;
                let taken = targets.clone();
                let name = prompt::text(
                    w.name_prompt,
                    Some(unique_name(&targets, &name_for(&url))),
                    move |n| {
                        validate_name(n)?;
                        match taken.iter().any(|(t, _)| t == n) {
                            true => Err(fill(w.name_taken, &[("name", &format!("{n:?}"))])),
                            false => Ok(()),
                        }
                    },
                )?;
                targets.push((name, url));
                self.probe_once(&targets[targets.len() - 1..])?;
                if !prompt::yes_no(w.add_another, false)? {
                    break;
                }
            }
        } else {
            self.probe_once(&targets)?;
        }
        Ok(targets)
    }

    /// "Is it me?" canaries: the ones given with `--canary`, or, at a terminal, two
    /// public ones if the person wants them. Never added unasked without a terminal.
    fn canaries(&self) -> anyhow::Result<Vec<String>> {
        for url in &self.args.canaries {
            Target::adhoc(url, &CheckDefaults::default())
                .map_err(|why| UsageError(format!("--canary: {why}")))?;
        }
        if !self.args.canaries.is_empty() || !self.interactive {
            return Ok(self.args.canaries.clone());
        }
        let w = self.w;
        say(&fill(
            w.step_canaries,
            &[("canaries", &PUBLIC_CANARIES.join(", "))],
        ));
        let wanted = prompt::yes_no(w.add_canaries, true)?;
        Ok(if wanted {
            PUBLIC_CANARIES.map(str::to_owned).to_vec()
        } else {
            Vec::new()
        })
    }

    /// `check.confirm`: `--confirm`, or at a terminal the person's answer (default 1),
    /// else 1.
    fn confirmation(&self) -> anyhow::Result<u32> {
        if let Some(n) = self.args.confirm {
            return Ok(n);
        }
        if !self.interactive {
            return Ok(1);
        }
        let w = self.w;
        let answer = prompt::text(w.confirm_prompt, Some("1".to_owned()), |s| {
            match s.trim().parse::<u32>() {
                Ok(n) if (1..=10).contains(&n) => Ok(()),
                _ => Err(w.confirm_range.to_owned()),
            }
        })?;
        Ok(answer.trim().parse().unwrap_or(1))
    }

    fn probe_once(&self, targets: &[(String, String)]) -> anyhow::Result<()> {
        let probes: Vec<Target> = targets
            .iter()
            .filter_map(|(name, url)| {
                let mut t = Target::adhoc(url, &CheckDefaults::default()).ok()?;
                t.name = name.clone();
                t.attempts = 1;
                Some(t)
            })
            .collect();
        for (target, outcome) in probes.iter().zip(self.rt.block_on(probe_all(
            &probes,
            Limits::for_check(&CheckDefaults::default()),
        ))) {
            let (mark, state) = match outcome.up {
                true => ("✓", self.w.probed_up),
                false => ("✗", self.w.probed_down),
            };
            let reasons = &crate::texts::for_language(self.language).reasons;
            say(&fill(
                self.w.probed,
                &[
                    ("mark", mark),
                    ("name", &target.name),
                    ("url", &target.url),
                    ("state", state),
                    ("reason", &outcome.summary().render(reasons)),
                ],
            ));
        }
        Ok(())
    }

    /// Step 8: start the timer, when that is ours to do.
    fn enable_timer(&self, path: &Path) -> anyhow::Result<()> {
        let w = self.w;
        let command = "systemctl enable --now vigia.timer";
        let unit_reads = Path::new(UNIT_CONFIG);
        if path != unit_reads {
            say(&fill(
                w.other_file,
                &[
                    ("unit_config", UNIT_CONFIG),
                    ("path", &path.display().to_string()),
                ],
            ));
            return Ok(());
        }
        let can = self.env.is_root && self.env.systemd_running() && !self.args.no_enable;
        if !can {
            let why = if self.args.no_enable {
                ""
            } else if !self.env.systemd_running() {
                w.no_systemd
            } else {
                w.as_root
            };
            say(&fill(w.run_yourself, &[("command", command), ("why", why)]));
            return Ok(());
        }
        say(w.step_timer);
        if !self.confirm(w.enable_timer, true)? {
            say(&fill(w.not_enabled, &[("command", command)]));
            return Ok(());
        }
        let status = std::process::Command::new(&self.env.systemctl)
            .args(["enable", "--now", "vigia.timer"])
            .status()
            .with_context(|| {
                fill(
                    w.cannot_run,
                    &[("path", &self.env.systemctl.display().to_string())],
                )
            })?;
        anyhow::ensure!(
            status.success(),
            "{}",
            fill(
                w.command_failed,
                &[("command", command), ("status", &status.to_string())]
            )
        );
        say(w.timer_running);
        Ok(())
    }

    fn confirm(&self, prompt: &str, default: bool) -> anyhow::Result<bool> {
        if self.args.yes {
            return Ok(true);
        }
        if !self.interactive {
            return Ok(default);
        }
        prompt::yes_no(prompt, default)
    }
}

/// Skips and confirms every pending update: `offset -1` returns only the newest, and
/// asking from after it confirms everything before. Returns the offset to poll from.
async fn skip_old_updates(bot: &Bot) -> anyhow::Result<Option<i64>> {
    match bot.get_updates(Some(-1), Duration::ZERO).await {
        Ok(updates) => Ok(updates.last().map(|u| u.update_id + 1)),
        Err(e) => anyhow::bail!("getUpdates: {e}"),
    }
}

/// Long-polls getUpdates from `offset` until a message carries the code, with a
/// spinner. Ctrl-C ends the wizard (see [`prompt::install_interrupt_handler`]).
async fn wait_for_code(
    bot: &Bot,
    mut offset: Option<i64>,
    code: &str,
    username: &str,
    spinner: bool,
    w: &WizardTexts,
) -> anyhow::Result<Found> {
    let deadline = Instant::now() + CODE_WAIT;
    let frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    let mut tick = tokio::time::interval(Duration::from_millis(120));
    let mut frame = 0;
    let mut ignored = 0;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            anyhow::bail!(
                "{}",
                fill(
                    w.code_timeout,
                    &[("minutes", &(CODE_WAIT.as_secs() / 60).to_string())]
                )
            );
        }
        let asked = Instant::now();
        let poll = bot.get_updates(offset, POLL.min(remaining));
        tokio::pin!(poll);
        let updates = loop {
            tokio::select! {
                result = &mut poll => break result,
                _ = tick.tick(), if spinner => {
                    frame = (frame + 1) % frames.len();
                    let extra = if ignored > 0 { fill(w.ignored, &[("count", &ignored.to_string())]) } else { String::new() };
                    eprint!("\r{} {}{extra} ", frames[frame], fill(w.waiting, &[("code", code)]));
                    let _ = std::io::stderr().flush();
                }
            }
        };
        let updates = match updates {
            Ok(u) => u,
            Err(e @ ApiError::Api { code: 409, .. }) => anyhow::bail!("{e}"),
            Err(e) if e.is_temporary() => {
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            Err(e) => anyhow::bail!("getUpdates: {e}"),
        };
        if let Some(last) = updates.last() {
            offset = Some(last.update_id + 1);
        }
        if let Some(found) = find_code(&updates, code, username, w) {
            if spinner {
                eprint!("\r\x1b[2K");
            }
            // Confirm what we read, so the next getUpdates (by anyone) starts after it.
            let _ = bot.get_updates(offset, Duration::ZERO).await;
            return Ok(found);
        }
        ignored += updates.len();
        if updates.is_empty() {
            // An empty answer came back at once: the server does not hold the poll.
            tokio::time::sleep(MIN_POLL_GAP.saturating_sub(asked.elapsed())).await;
        }
    }
}

/// `--url NAME=URL` or `--url URL`: the name, when the part before `=` is one and the
/// rest has a scheme (a URL's own `=`, in its query, is never taken for it).
fn named_url(given: &str) -> (Option<&str>, &str) {
    match given.split_once('=') {
        Some((name, url))
            if url.contains("://") && !name.contains("://") && !name.contains('/') =>
        {
            (Some(name), url)
        }
        _ => (None, given),
    }
}

fn explain_token_error(e: &ApiError, api_url: &str, w: &WizardTexts) -> String {
    let custom = api_url != DEFAULT_API_URL;
    match e {
        ApiError::Api { code: 401, .. } => w.token_unknown.to_owned(),
        ApiError::Api { code: 404, .. } if custom => fill(w.api_not_found, &[("api_url", api_url)]),
        ApiError::Api { code: 404, .. } => w.token_malformed.to_owned(),
        ApiError::Network(why) if api_url.starts_with("https://") && speaks_no_tls(why) => fill(
            w.api_no_tls,
            &[
                ("api_url", api_url),
                ("plain_url", &api_url.replacen("https://", "http://", 1)),
            ],
        ),
        ApiError::Network(_) | ApiError::Timeout(_) => fill(
            w.api_unreachable,
            &[("error", &e.to_string()), ("api_url", api_url)],
        ),
        other => other.to_string(),
    }
}

/// A TLS client's words for a server that answered in plain HTTP.
fn speaks_no_tls(why: &str) -> bool {
    let lower = why.to_lowercase();
    why.contains(crate::describe::NO_TLS)
        || [
            "corrupt message",
            "invalidcontenttype",
            "wrong version number",
            "invalid content type",
            "tls handshake eof",
            "closed the connection during the handshake",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

fn unique_name(taken: &[(String, String)], wanted: &str) -> String {
    let mut name = wanted.to_owned();
    let mut n = 2;
    while taken.iter().any(|(t, _)| *t == name) {
        name = format!("{wanted}-{n}");
        n += 1;
    }
    name
}

/// The most of an old config `--force` keeps as a backup.
const OLD_CONFIG_LIMIT: u64 = 16 << 20;

/// The config's directory and its name there (one path component, UTF-8).
fn config_place<'p>(path: &'p Path, w: &WizardTexts) -> anyhow::Result<(PathBuf, &'p str)> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|_| !path.as_os_str().as_encoded_bytes().ends_with(b"/"))
        .ok_or_else(|| {
            UsageError(fill(
                w.not_a_file_name,
                &[("path", &path.display().to_string())],
            ))
        })?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    Ok((dir, name))
}

fn refused(why: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, why.to_owned())
}

const LINK_REFUSED: &str = "is a symbolic link; vigia does not follow links here";

/// Before anything is asked: the config path is not a link, not already there unless
/// `--force` (and then a plain file to back up), and in a directory (or, when it is to
/// be made, below one) that only root and this user can change. [`write_config`]
/// checks again through the handle it writes with.
fn check_config_place(path: &Path, force: bool, w: &WizardTexts) -> anyhow::Result<()> {
    let fail = |e| StorageError::new("write the config", path, e);
    let (dir_path, name) = config_place(path, w)?;
    let (dir, exact) = nearest_dir(&dir_path).map_err(fail)?;
    dir.refuse_shared().map_err(fail)?;
    if exact {
        match dir.entry_type(name).map_err(fail)? {
            None => {}
            Some(FileType::Symlink) => return Err(fail(refused(LINK_REFUSED)).into()),
            Some(_) if !force => return Err(already_exists(path, w)),
            // A FIFO, a device or a file with other hard links is no config to back up.
            Some(_) => drop(dir.open_file(name, OFlags::RDONLY, 0).map_err(fail)?),
        }
    }
    Ok(())
}

fn already_exists(path: &Path, w: &WizardTexts) -> anyhow::Error {
    UsageError(fill(
        w.already_exists,
        &[("path", &path.display().to_string())],
    ))
    .into()
}

/// `dir`, or the nearest directory above it that exists; and whether it is `dir`.
fn nearest_dir(dir: &Path) -> std::io::Result<(DirHandle, bool)> {
    let mut at = dir;
    loop {
        if let Some(handle) = DirHandle::open(at)? {
            return Ok((handle, at == dir));
        }
        at = match at.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            // "/" and "." always exist; should they not, say so rather than loop.
            _ if at == Path::new(".") => return Err(std::io::ErrorKind::NotFound.into()),
            _ => Path::new("."),
        };
    }
}

/// Writes the config 0600 (a 0700 directory when it makes one), atomically, through the
/// directory's handle ([`DirHandle`]): the temporary file is created exclusively and
/// never through a link, the modes are set with `fchmod` on the handles, a link at the
/// config's name is refused, and with `force` the old file is kept as `<name>.bak`,
/// which replaces whatever was at that name rather than writing through it. Returns
/// the backup's path when one was made.
fn write_config(
    path: &Path,
    text: &str,
    force: bool,
    w: &WizardTexts,
) -> anyhow::Result<Option<PathBuf>> {
    let fail = |e| StorageError::new("write the config", path, e);
    let (dir_path, name) = config_place(path, w)?;
    let dir = match DirHandle::open(&dir_path).map_err(fail)? {
        Some(dir) => dir,
        None => {
            let (above, _) = nearest_dir(&dir_path).map_err(fail)?;
            above.refuse_shared().map_err(fail)?;
            let dir = DirHandle::open_or_create(&dir_path, 0o700).map_err(fail)?;
            dir.set_mode(0o700).map_err(fail)?;
            dir
        }
    };
    dir.refuse_shared().map_err(fail)?;
    let mut backup = None;
    match dir.entry_type(name).map_err(fail)? {
        None => {}
        Some(FileType::Symlink) => return Err(fail(refused(LINK_REFUSED)).into()),
        Some(_) if !force => return Err(already_exists(path, w)),
        Some(_) => {
            // Read through the handle: a FIFO, a device or a hard link is refused.
            if let Some(old) = dir.read(name, OLD_CONFIG_LIMIT).map_err(fail)? {
                let bak = format!("{name}.bak");
                dir.replace_exact(&bak, &old, 0o600)
                    .map_err(|e| StorageError::new("keep the old config as", &dir.join(&bak), e))?;
                backup = Some(dir.join(&bak));
            }
        }
    }
    dir.replace_exact(name, text.as_bytes(), 0o600)
        .map_err(fail)?;
    Ok(backup)
}

/// The wizard's narration. Standard error is where dialoguer asks, so the story and
/// the questions stay together and standard output stays clean.
fn say(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_place_is_a_directory_and_one_name() {
        let place = |p: &str| {
            config_place(Path::new(p), &crate::texts::WIZARD_EN).map(|(d, n)| (d, n.to_owned()))
        };
        assert_eq!(
            place("/etc/vigia/config.toml").unwrap(),
            (PathBuf::from("/etc/vigia"), "config.toml".to_owned())
        );
        assert_eq!(
            place("config.toml").unwrap(),
            (PathBuf::from("."), "config.toml".to_owned())
        );
        for bad in ["/etc/vigia/", "/", "..", "/etc/.."] {
            assert!(place(bad).is_err(), "{bad}");
        }
        let tmp = tempfile::tempdir().unwrap();
        let (dir, exact) = nearest_dir(&tmp.path().join("a/b/c")).unwrap();
        assert_eq!((dir.path(), exact), (tmp.path(), false));
        assert!(nearest_dir(tmp.path()).unwrap().1);
    }

    #[test]
    fn every_language_of_the_alerts_is_one_init_accepts_and_the_flag_beats_the_locale() {
        use clap::Parser;
        let brazilian = Env {
            messages_locale: Some("pt_BR.UTF-8".into()),
            ..Env::default()
        };
        for (name, _) in crate::texts::LANGUAGES {
            let cli = crate::cli::Cli::try_parse_from(["vigia", "init", "--language", name])
                .unwrap_or_else(|e| panic!("--language {name}: {e}"));
            let crate::cli::Command::Init(args) = cli.command else {
                panic!("not init")
            };
            let spoken = wizard_language(&args, &brazilian);
            assert_eq!(spoken, Some(name).filter(|n| *n != "en"), "{name}");
        }
        let cli = crate::cli::Cli::try_parse_from(["vigia", "init"]).unwrap();
        let crate::cli::Command::Init(args) = cli.command else {
            panic!("not init")
        };
        assert_eq!(wizard_language(&args, &brazilian), Some("pt-BR"));
        assert_eq!(wizard_language(&args, &Env::default()), None);
    }
}
