//! `vigia-generate DIR`: writes vigia's man pages and shell completions into DIR. Run by
//! `make build`; never installed. It reads the command line definition and the exit
//! codes from the library, the same the `vigia` binary uses.

use std::path::PathBuf;
use std::process::ExitCode;

mod manual;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: vigia-generate DIR");
        return ExitCode::from(2);
    };
    match manual::generate(&dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vigia-generate: cannot write into {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
