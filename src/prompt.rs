//! How `vigia init` asks: one look for every prompt (`✗` for a refused answer), yes/no
//! questions that wait for Enter like every other prompt (a person types "y⏎": the
//! Enter must not answer the next question), and Ctrl-C at any prompt ending the wizard
//! with one line, exit 130 and the terminal as it was (echo and cursor back).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use dialoguer::theme::{SimpleTheme, Theme};
use dialoguer::{Input, Password};

use crate::error::Cancelled;
use crate::texts::{WizardTexts, WIZARD_EN};

/// The terminal's settings when the wizard began, restored by the Ctrl-C handler.
static TERMINAL: OnceLock<libc::termios> = OnceLock::new();
static WRITTEN: AtomicBool = AtomicBool::new(false);
/// The wizard's language, set once by [`install_interrupt_handler`].
static WORDS: OnceLock<&'static WizardTexts> = OnceLock::new();

/// The words prompts and Ctrl-C speak in.
fn words() -> &'static WizardTexts {
    WORDS.get().copied().unwrap_or(&WIZARD_EN)
}

/// The prompts' look: dialoguer's plain theme, but a refused answer reads `✗ …` as
/// every other complaint of the wizard does.
pub struct Look;

impl Theme for Look {
    fn format_error(&self, f: &mut dyn fmt::Write, err: &str) -> fmt::Result {
        write!(f, "✗ {err}")
    }

    fn format_input_prompt(
        &self,
        f: &mut dyn fmt::Write,
        prompt: &str,
        default: Option<&str>,
    ) -> fmt::Result {
        SimpleTheme.format_input_prompt(f, prompt, default)
    }
}

/// Makes Ctrl-C end the wizard cleanly wherever it lands: in a prompt that reads line by
/// line (the hidden token), during the wait for the code, between prompts. Prompts that
/// read key by key see Ctrl-C as a key instead; [`cancelled`] handles those. Prompts
/// and the line Ctrl-C leaves speak `words`.
pub fn install_interrupt_handler(words: &'static WizardTexts) {
    let _ = WORDS.set(words);
    // SAFETY: tcgetattr fills the struct it is given; a failure (no terminal) leaves
    // nothing saved. sigaction installs a handler that only calls async-signal-safe
    // functions (tcsetattr, write, _exit).
    unsafe {
        let mut saved: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(0, &mut saved) == 0 {
            let _ = TERMINAL.set(saved);
        }
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_interrupt as *const () as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
}

extern "C" fn on_interrupt(_: libc::c_int) {
    // Reading a set OnceLock is one atomic load: no lock, no allocation.
    let what = match WRITTEN.load(Ordering::SeqCst) {
        true => words().cancelled_written,
        false => words().cancelled,
    };
    let parts: [&[u8]; 3] = [b"\x1b[?25h\nvigia: ", what.as_bytes(), b"\n"];
    // SAFETY: only async-signal-safe calls, on memory that outlives the handler.
    unsafe {
        if let Some(saved) = TERMINAL.get() {
            libc::tcsetattr(0, libc::TCSANOW, saved);
        }
        for part in parts {
            libc::write(2, part.as_ptr().cast(), part.len());
        }
        libc::_exit(130);
    }
}

/// Puts the terminal back as the wizard found it: echo, line editing, the cursor.
pub fn restore_terminal() {
    if let Some(saved) = TERMINAL.get() {
        // SAFETY: the settings read from the same terminal at the start.
        unsafe { libc::tcsetattr(0, libc::TCSANOW, saved) };
    }
    let _ = console::Term::stderr().show_cursor();
}

/// Runs `write` with Ctrl-C held back, so that it never cuts the config in the middle;
/// from then on, Ctrl-C says the config is written.
pub fn uninterrupted<T>(write: impl FnOnce() -> T) -> T {
    // SAFETY: a signal set built with the libc calls meant for it; the mask is restored.
    unsafe {
        let mut block: libc::sigset_t = std::mem::zeroed();
        let mut before: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut block);
        libc::sigaddset(&mut block, libc::SIGINT);
        libc::pthread_sigmask(libc::SIG_BLOCK, &block, &mut before);
        let result = write();
        WRITTEN.store(true, Ordering::SeqCst);
        libc::pthread_sigmask(libc::SIG_SETMASK, &before, std::ptr::null_mut());
        result
    }
}

/// A dialoguer error as the wizard's: Ctrl-C at a key-by-key prompt is a cancellation.
pub fn cancelled(err: dialoguer::Error) -> anyhow::Error {
    let dialoguer::Error::IO(io) = err;
    if io.kind() == std::io::ErrorKind::Interrupted {
        restore_terminal();
        let what = if WRITTEN.load(Ordering::SeqCst) {
            words().cancelled_written
        } else {
            words().cancelled
        };
        return Cancelled(what).into();
    }
    anyhow::Error::new(io).context(words().cannot_read_answer)
}

/// A yes/no question answered with Enter: the language's words for yes and no (`s`,
/// `sim`, `n`, `não` in Portuguese; `y`, `yes`, `n`, `no` always), or an empty line for
/// the default shown in `[Y/n]`.
pub fn yes_no(prompt: &str, default: bool) -> anyhow::Result<bool> {
    let w = words();
    let hint = if default {
        w.yes_no_hint_yes
    } else {
        w.yes_no_hint_no
    };
    let answer: String = Input::with_theme(&Look)
        .with_prompt(format!("{prompt} [{hint}]"))
        .allow_empty(true)
        .validate_with(|a: &String| match yes_or_no(a, w) {
            Some(_) => Ok(()),
            None if a.trim().is_empty() => Ok(()),
            None => Err(w.answer_yes_no),
        })
        .interact_text()
        .map_err(cancelled)?;
    Ok(yes_or_no(&answer, w).unwrap_or(default))
}

/// `Some(true)` for a word of yes, `Some(false)` for one of no, in `w`'s language or
/// in English.
fn yes_or_no(answer: &str, w: &WizardTexts) -> Option<bool> {
    let answer = answer.trim().to_lowercase();
    let among = |words: &[&str], english: &[&str]| {
        words.contains(&answer.as_str()) || english.contains(&answer.as_str())
    };
    if among(w.yes_words, WIZARD_EN.yes_words) {
        Some(true)
    } else if among(w.no_words, WIZARD_EN.no_words) {
        Some(false)
    } else {
        None
    }
}

/// A line of text; `default` is shown and taken only on an empty line.
pub fn text(
    prompt: &str,
    default: Option<String>,
    valid: impl Fn(&String) -> Result<(), String>,
) -> anyhow::Result<String> {
    let mut input = Input::with_theme(&Look).with_prompt(prompt);
    if let Some(default) = default {
        input = input.default(default);
    }
    input
        .validate_with(|s: &String| valid(s))
        .interact_text()
        .map_err(cancelled)
}

/// Hidden input (the token).
pub fn secret(prompt: &str) -> anyhow::Result<String> {
    Password::with_theme(&Look)
        .with_prompt(prompt)
        .interact()
        .map_err(cancelled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::texts::WIZARD_PT_BR;

    #[test]
    fn yes_and_no_in_the_wizards_language_and_in_english() {
        for (answer, meant) in [("s", true), ("Sim", true), ("y", true), ("yes", true)] {
            assert_eq!(yes_or_no(answer, &WIZARD_PT_BR), Some(meant), "{answer}");
        }
        for answer in ["n", "não", "NAO", "no"] {
            assert_eq!(yes_or_no(answer, &WIZARD_PT_BR), Some(false), "{answer}");
        }
        assert_eq!(yes_or_no("s", &WIZARD_EN), None);
        assert_eq!(yes_or_no(" y ", &WIZARD_EN), Some(true));
        assert_eq!(yes_or_no("", &WIZARD_PT_BR), None);
    }
}
