//! The one error type of the library, and its `Result` alias.

use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

use crate::blueprint::diagnostic::Problems;

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

    /// The manifest of an output directory cannot be read.
    #[error("cannot read the manifest `{}`: {message}", path.display())]
    #[diagnostic(
        code(manifest),
        help(
            "it is written by `clusterwright generate`; restore it from version control, or delete it and run `generate --force` to take the directory over"
        )
    )]
    Manifest {
        /// The manifest file.
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

    /// A file could not be read or written.
    #[error("`{}`: {source}", path.display())]
    #[diagnostic(code(io))]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },

    /// `--templates` holds a file that overrides no template.
    #[error("`{}` overrides no template: there is no template `{name}`", path.display())]
    #[diagnostic(
        code(templates),
        help("{}override a template by its path relative to the templates folder; templates: {}", suggestion.as_ref().map(|s| format!("did you mean `{s}`? ")).unwrap_or_default(), known.join(", "))
    )]
    UnknownTemplate {
        /// The file in the override folder.
        path: PathBuf,
        /// Its relative path.
        name: String,
        /// The nearest template name.
        suggestion: Option<String>,
        /// Every template name.
        known: Vec<String>,
    },

    /// A template does not parse or render.
    #[error("template `{template}` failed:\n{message}")]
    #[diagnostic(
        code(template),
        help("{}", if *overridden { "the template comes from `--templates`: fix it there, or remove it to use the built-in one" } else { "this is a bug in clusterwright's built-in templates; please report it with the blueprint" })
    )]
    Template {
        /// The template.
        template: String,
        /// Whether it came from `--templates`.
        overridden: bool,
        /// Tera's report, with the template line.
        message: String,
    },

    /// A generated file does not parse in its own format.
    #[error("generated `{path}` (from template `{source_template}`) is broken: {message}")]
    #[diagnostic(
        code(generated),
        help(
            "nothing was written; if the template is an override, fix it, otherwise this is a bug in clusterwright"
        )
    )]
    Generated {
        /// The generated path.
        path: String,
        /// The template that produced it.
        source_template: String,
        /// The parser's message.
        message: String,
    },

    /// Generated files were edited by hand, or files that are not ours are in the way.
    #[error("nothing was written to `{}`: {} would be overwritten or deleted:\n{}", dir.display(), plural(files.len()), files.iter().map(|(p, why)| format!("  {p} ({why})")).collect::<Vec<_>>().join("\n"))]
    #[diagnostic(
        code(conflict),
        help(
            "move your changes into the blueprint (or a `--templates` override) and restore these files, or run again with `--force` to overwrite them"
        )
    )]
    Conflicts {
        /// The output directory.
        dir: PathBuf,
        /// Each file and why it is in the way.
        files: Vec<(String, &'static str)>,
    },

    /// The output directory holds another platform's output.
    #[error("`{}` holds the output of platform `{platform}`, not `{ours}`", dir.display())]
    #[diagnostic(
        code(conflict),
        help(
            "give each blueprint its own output directory with `-o DIR`; `--force` takes the directory over"
        )
    )]
    OtherPlatform {
        /// The output directory.
        dir: PathBuf,
        /// The platform it belongs to.
        platform: String,
        /// The platform being generated.
        ours: String,
    },

    /// `--complete-move` named a tenant that left no draining node groups behind.
    #[error(
        "`--complete-move {tenant}`: tenant `{tenant}` has no move to complete (no cluster keeps draining node groups of it)"
    )]
    #[diagnostic(
        code(complete_move),
        help(
            "a move leaves the tenant's old node groups draining in `placement.yaml` (`draining: true`); name one of those tenants"
        )
    )]
    NoMove {
        /// The tenant named.
        tenant: String,
    },

    /// Something clusterwright itself got wrong.
    #[error("internal error: {0}")]
    #[diagnostic(
        code(bug),
        help("this is a bug in clusterwright; please report it with the blueprint")
    )]
    Bug(String),

    /// Standard output was closed (e.g. piped into `head`): not an error for the user.
    #[error("standard output closed")]
    BrokenPipe,
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 file".to_owned()
    } else {
        format!("{n} files")
    }
}

impl From<Problems> for Error {
    fn from(p: Problems) -> Self {
        Error::Blueprint(Box::new(p))
    }
}

/// The library's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
