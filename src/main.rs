//! The `vigia` binary: parse the command line, run the command, turn an error into one
//! line on standard error and an exit code.

use std::process::ExitCode;

use clap::Parser;
use vigia::cli::Cli;
use vigia::error::Exit;
use vigia::{error_text, Env};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = Env::from_process();
    let code = match vigia::run(cli, &env) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // Redacted once more here: no path may print the token.
            eprintln!("{}", error_text(env.journal, &format!("{err:#}")));
            ExitCode::from(Exit::of(&err).code())
        }
    };
    // A run stopped by a signal ends by it, once everything is committed (see `stop`).
    vigia::end_by_the_signal();
    code
}

/// `vigia status | head -1` closes our standard output early; that is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}
