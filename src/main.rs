//! The `clusterwright` binary: parse the command line, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use clusterwright::{Error, Style, cli::Cli, render_error, run};

// mimalloc: a large `generate` allocates and frees millions of small strings and template
// values on two threads; glibc's allocator was a sixth of its CPU time (README, "Performance").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
