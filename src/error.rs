//! The one error type of the library, and its `Result` alias.

use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

use crate::diagnostic::Problems;

/// Everything that can stop a command.
#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    /// The blueprint is invalid; every problem is inside.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Blueprint(Box<Problems>),

    /// The previous placement cannot be read.
    #[error("cannot use the previous placement `{}`: {message}", path.display())]
    #[diagnostic(
        code(placement),
        help(
            "placement.yaml is written by `clusterwright generate`; restore it from version control, or pass `--repack` to plan from scratch"
        )
    )]
    Placement {
        /// The placement file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },

    /// `init` would overwrite a file.
    #[error("`{}` already exists", path.display())]
    #[diagnostic(
        code(init),
        help("pass `--force` to overwrite it, or give another path")
    )]
    Exists {
        /// The file.
        path: PathBuf,
    },

    /// A file could not be written.
    #[error("cannot write `{}`: {source}", path.display())]
    #[diagnostic(code(io))]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },

    /// Standard output was closed (e.g. piped into `head`): not an error for the user.
    #[error("standard output closed")]
    BrokenPipe,
}

impl From<Problems> for Error {
    fn from(p: Problems) -> Self {
        Error::Blueprint(Box::new(p))
    }
}

/// The library's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
