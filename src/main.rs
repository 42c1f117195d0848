//! The `clusterwright` binary: parse the command line, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use clusterwright::{Error, Style, cli::Cli, render_error, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let style = Style::detect();
    match run(&cli, style) {
        Ok(code) => code,
        // Output piped into `head` and closed early: what was wanted was printed.
        Err(Error::BrokenPipe) => ExitCode::SUCCESS,
        Err(error) => {
            eprint!("{}", render_error(&error, style));
            ExitCode::from(2)
        }
    }
}
