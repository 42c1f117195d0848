//! clusterwright compiles a platform blueprint into the infrastructure code that carries its
//! decisions out.
//!
//! ```text
//! blueprint.yaml ─load─▶ Blueprint ─validate─▶ Validated ─plan─▶ Plan ─render─▶ files
//!                (blueprint)        (blueprint::validate)   (plan)
//! ```
//!
//! - [`blueprint`] reads the YAML into types that mirror it, and checks it against every
//!   rule, reporting all problems at once with `file:line:column`.
//! - [`plan`] decides: clusters and who shares them, address ranges, networking and
//!   encryption, and the reasons. It is pure data.
//!
//! [`run`] dispatches one subcommand; it is the only place that talks to the terminal.

#![deny(missing_docs)]

pub mod blueprint;
pub mod cli;
pub mod diagnostic;
pub mod error;
pub mod facts;
pub mod plan;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

pub use error::{Error, Result};

use blueprint::validate::Validated;
use cli::{Cli, Command, PlanFormat};
use plan::{Placement, Plan};

/// How diagnostics are drawn: fancy on a terminal, plain ASCII without colour when piped
/// or when `NO_COLOR` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Unicode box drawing.
    pub unicode: bool,
}

impl Style {
    /// The style for standard error as it is now.
    pub fn detect() -> Self {
        let terminal = std::io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            color: terminal && !no_color,
            unicode: terminal,
        }
    }

    /// Plain ASCII, no colour.
    pub fn plain() -> Self {
        Self {
            color: false,
            unicode: false,
        }
    }

    fn handler(self) -> GraphicalReportHandler {
        let theme = match (self.unicode, self.color) {
            (true, true) => GraphicalTheme::unicode(),
            (true, false) => GraphicalTheme::unicode_nocolor(),
            (false, _) => GraphicalTheme::none(),
        };
        GraphicalReportHandler::new_themed(theme)
            .with_width(if self.unicode { 100 } else { 400 })
            .with_links(false)
            .with_context_lines(1)
    }
}

/// Renders a diagnostic as text in `style`.
pub fn render(diagnostic: &dyn Diagnostic, style: Style) -> String {
    let mut out = String::new();
    if style.handler().render_report(&mut out, diagnostic).is_err() {
        out = format!("{diagnostic}\n");
    }
    // One blank line between diagnostics.
    out.push('\n');
    out
}

/// Renders an error for standard error. An invalid blueprint shows every problem in file
/// order, then one line that sums them up.
pub fn render_error(error: &Error, style: Style) -> String {
    match error {
        Error::Blueprint(problems) => {
            let mut out = render_problems(problems, style);
            out.push_str("error: ");
            out.push_str(&problems.to_string());
            out.push('\n');
            out
        }
        other => render(other, style),
    }
}

/// Renders each problem of `problems`.
pub fn render_problems(problems: &diagnostic::Problems, style: Style) -> String {
    problems
        .diagnostics()
        .iter()
        .map(|d| render(d, style))
        .collect()
}

/// Runs one command. Returns the exit code for success paths (0, or 1 when differences
/// were found); errors map to exit code 2 in `main`.
pub fn run(cli: &Cli, style: Style) -> Result<ExitCode> {
    match &cli.command {
        Command::Init { path, force } => init(path, *force),
        Command::Validate { blueprint } => {
            let (validated, plan) = check(blueprint, None, false, style)?;
            let summary = format!(
                "`{}` is valid: {} environments, {} tenants, {} clusters planned\n",
                blueprint.display(),
                validated.environments.len(),
                validated.blueprint().tenants.len(),
                plan.clusters.len()
            );
            print(&summary)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Plan {
            blueprint,
            format,
            output,
            repack,
        } => {
            let previous = match output {
                Some(dir) => read_placement(dir)?,
                None => None,
            };
            let (_, plan) = check(blueprint, previous.as_ref(), *repack, style)?;
            let text = match format {
                PlanFormat::Text => plan::text::render(&plan),
                PlanFormat::Json => {
                    let mut json = serde_json::to_string_pretty(&plan).unwrap_or_default();
                    json.push('\n');
                    json
                }
            };
            print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => {
            print(&blueprint::schema::json_schema())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Loads, validates and plans a blueprint; prints its warnings.
pub fn check(
    path: &Path,
    previous: Option<&Placement>,
    repack: bool,
    style: Style,
) -> Result<(Validated, Plan)> {
    let loaded = blueprint::load(path)?;
    let validated = blueprint::validate::validate(loaded)?;
    let plan = plan::plan(&validated, previous, repack)?;
    if !validated.warnings.is_empty() {
        let loaded = &validated.loaded;
        let warnings = diagnostic::Problems::new(
            &loaded.path,
            loaded.source.clone(),
            validated.warnings.clone(),
        );
        eprint!("{}", render_problems(&warnings, style));
    }
    Ok((validated, plan))
}

/// Reads `DIR/placement.yaml` if there is one.
pub fn read_placement(dir: &Path) -> Result<Option<Placement>> {
    let path = dir.join("placement.yaml");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::Placement {
                path,
                message: e.to_string(),
            });
        }
    };
    Placement::parse(&text)
        .map(Some)
        .map_err(|message| Error::Placement { path, message })
}

fn init(path: &Path, force: bool) -> Result<ExitCode> {
    if path.exists() && !force {
        return Err(Error::Exists {
            path: path.to_owned(),
        });
    }
    std::fs::write(path, blueprint::STARTER).map_err(|source| Error::Write {
        path: path.to_owned(),
        source,
    })?;
    print(&format!(
        "wrote `{}`: edit it, then run `clusterwright validate {}`\n",
        path.display(),
        path.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// Writes `text` to standard output; a closed pipe is reported as [`Error::BrokenPipe`].
fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Error::BrokenPipe),
        Err(e) => Err(Error::Write {
            path: "<stdout>".into(),
            source: e,
        }),
    }
}
