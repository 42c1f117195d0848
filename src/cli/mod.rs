//! The commands: [`run`] gives each subcommand to its module, and this is the only layer
//! that talks to the terminal.
//!
//! Stage 7, on top of the others. Input: the parsed command line ([`Cli`]). Each command
//! runs the stages through [`pipeline`] (load, validate, plan, render), hands the output
//! tree to `output` (write, compare, diff) and prints the outcome to standard output;
//! diagnostics go to standard error, drawn by [`style`]. Output: the exit code of a success
//! (0, or 1 when differences were found); an error becomes 2 in `main`.
//!
//! | module | command |
//! |---|---|
//! | `init` | write a starter blueprint |
//! | `validate` | check a blueprint, print a one-line summary |
//! | `plan` | print the decisions, as text or JSON |
//! | `generate` | write the output tree (through the cache and the lock) |
//! | `diff` | what `generate` would change |
//! | `check` | the CI gate: is the directory up to date? |
//! | `completions`, `schema` | print a script or the blueprint's JSON Schema |

mod args;
mod check;
mod completions;
mod diff;
mod generate;
mod init;
pub mod pipeline;
mod plan;
mod schema;
mod stdout;
pub mod style;
mod validate;

use std::process::ExitCode;

pub use args::{Cli, Command, DEFAULT_BLUEPRINT, DiffFormat, PlanFormat, Target};
use style::Style;

use crate::error::Result;

/// Runs one command. Returns the exit code for success paths (0, or 1 when differences
/// were found); errors map to exit code 2 in `main`.
pub fn run(cli: &Cli, style: Style) -> Result<ExitCode> {
    match &cli.command {
        Command::Init { path, force } => init::run(path, *force),
        Command::Validate { blueprint, output } => {
            validate::run(blueprint, output.as_deref(), style)
        }
        Command::Plan {
            blueprint,
            format,
            output,
            repack,
        } => plan::run(blueprint, *format, output.as_deref(), *repack, style),
        Command::Generate {
            target,
            force,
            diff,
        } => generate::run(target, *force, *diff, style),
        Command::Diff { target, format } => diff::run(target, *format, style),
        Command::Check { target } => check::run(target, style),
        Command::Completions { shell } => completions::run(*shell),
        Command::Schema => schema::run(),
    }
}
