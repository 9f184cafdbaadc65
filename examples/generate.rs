//! Writes the man page and the shell completions, generated from the clap definition,
//! into the directory given as the only argument. Run by `make install`.

use std::fs;
use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;
use vigia::cli::Cli;

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(std::env::args_os().nth(1).expect("usage: generate OUTDIR"));
    fs::create_dir_all(&dir)?;
    let mut command = Cli::command();
    let mut man = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut man)?;
    fs::write(dir.join("vigia.1"), man)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(shell, &mut command, "vigia", &dir)?;
    }
    Ok(())
}
