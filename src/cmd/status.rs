//! `vigia status`.

use std::path::Path;

use crate::cli::StatusArgs;
use crate::config::Env;
use crate::error::Exit;

pub fn run(_config: Option<&Path>, _args: &StatusArgs, _env: &Env) -> anyhow::Result<Exit> {
    anyhow::bail!("status: not built yet")
}
