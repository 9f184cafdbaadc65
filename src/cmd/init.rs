//! `vigia init`.

use std::path::Path;

use crate::cli::InitArgs;
use crate::config::Env;
use crate::error::Exit;

pub fn run(_config: Option<&Path>, _args: &InitArgs, _env: &Env) -> anyhow::Result<Exit> {
    anyhow::bail!("init: not built yet")
}
