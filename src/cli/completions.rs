//! `clusterwright completions`: print a shell completion script, made from the clap types.

use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;

use super::args::Cli;
use super::stdout::print;
use crate::error::{Error, Result};

/// Prints the completion script for `shell`.
pub fn run(shell: Shell) -> Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "clusterwright", &mut script);
    // The script is made of our own command, option and help texts: UTF-8 throughout.
    let script = String::from_utf8(script)
        .map_err(|e| Error::Bug(format!("the {shell} completion script: {e}")))?;
    print(&script)?;
    Ok(ExitCode::SUCCESS)
}
