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
pub mod cloud;
pub mod error;
pub mod output;
pub mod parallel;
pub mod plan;
pub mod targets;

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

pub use error::{Error, Result};

use blueprint::validate::Validated;
use cli::{Cli, Command, DiffFormat, PlanFormat};
use plan::{Placement, Plan};

/// How diagnostics are drawn: fancy on a terminal, plain ASCII without colour when piped
/// or when `NO_COLOR` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Unicode box drawing.
    pub unicode: bool,
    /// Whether warnings are left unprinted (they were printed already).
    pub quiet: bool,
}

impl Style {
    /// The style for standard error as it is now.
    pub fn detect() -> Self {
        let terminal = std::io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            color: terminal && !no_color,
            unicode: terminal,
            quiet: false,
        }
    }

    /// Plain ASCII, no colour.
    pub fn plain() -> Self {
        Self {
            color: false,
            unicode: false,
            quiet: false,
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
pub fn render_problems(problems: &blueprint::diagnostic::Problems, style: Style) -> String {
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
        Command::Validate { blueprint } => validate(blueprint, style),
        Command::Plan {
            blueprint,
            format,
            output,
            repack,
        } => plan_command(blueprint, *format, output.as_deref(), *repack, style),
        Command::Generate {
            target,
            force,
            diff,
        } => generate(target, *force, *diff, style),
        Command::Diff { target, format } => diff(target, *format, style),
        Command::Check { target } => check_command(target, style),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "clusterwright", &mut script);
            print(&String::from_utf8_lossy(&script))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => {
            print(&blueprint::schema::json_schema())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn validate(path: &Path, style: Style) -> Result<ExitCode> {
    let (validated, plan) = check(path, None, false, style)?;
    print(&format!(
        "`{}` is valid: {} environments, {} tenants, {} clusters planned\n",
        path.display(),
        validated.environments.len(),
        validated.blueprint().tenants.len(),
        plan.clusters.len()
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn plan_command(
    path: &Path,
    format: PlanFormat,
    output: Option<&Path>,
    repack: bool,
    style: Style,
) -> Result<ExitCode> {
    let previous = match output {
        Some(dir) => previous_placement(dir, repack, style)?,
        None => None,
    };
    let (_, plan) = check(path, previous.as_ref(), repack, style)?;
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

fn diff(target: &cli::Target, format: DiffFormat, style: Style) -> Result<ExitCode> {
    let (comparison, _) = compare(target, style)?;
    let text = match format {
        DiffFormat::Unified => {
            review_text(&comparison) + &output::diff::unified(&comparison, stdout_color())
        }
        DiffFormat::Stat => review_text(&comparison) + &output::diff::stat(&comparison),
        DiffFormat::Markdown => output::diff::markdown(&comparison),
        DiffFormat::Json => output::diff::json(&comparison),
    };
    print(&text)?;
    Ok(exit_for(comparison.is_clean()))
}

/// The output directory against what `generate` would write there. When nothing
/// `generate` reads has changed since it last wrote the directory (the machine-local
/// cache of `generate`) and every generated file is as written, that is known without
/// planning or rendering.
fn compare(target: &cli::Target, style: Style) -> Result<(output::compare::Comparison, PathBuf)> {
    let dir = target.output_dir();
    if let Some(inputs) = inputs_fingerprint(target)
        && let Some(manifest) = output::write::up_to_date(&dir, &inputs)?
    {
        return Ok((output::compare::unchanged(&dir, manifest)?, dir));
    }
    let Built { tree, dir, .. } = build(target, style)?;
    let comparison = output::compare::compare(&tree, &dir)?;
    tree.check_except(|path| comparison.known_good(path))?;
    Ok((comparison, dir))
}

fn check_command(target: &cli::Target, style: Style) -> Result<ExitCode> {
    let (comparison, dir) = compare(target, style)?;
    let (dir_shown, blueprint_shown) = (dir.display(), target.blueprint.display());
    if comparison.is_clean() {
        print(&format!(
            "`{dir_shown}` is up to date with `{blueprint_shown}`\n"
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = format!("`{dir_shown}` is out of date with `{blueprint_shown}`:\n");
    text.push_str(&review_text(&comparison));
    text.push_str(&output::diff::stat(&comparison));
    let edited = if comparison.conflicts().next().is_some() {
        " (files edited by hand need `--force`, or their edits moved into the blueprint)"
    } else {
        ""
    };
    let _ = writeln!(
        text,
        "run `clusterwright generate {blueprint_shown} -o {dir_shown}` to update it{edited}"
    );
    print(&text)?;
    Ok(ExitCode::from(1))
}

fn exit_for(clean: bool) -> ExitCode {
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Whether standard output takes colour.
fn stdout_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The change in review terms, a line each, then a blank line; empty when nothing changes.
fn review_text(comparison: &output::compare::Comparison) -> String {
    let lines = output::diff::review(comparison).lines();
    if lines.is_empty() {
        return String::new();
    }
    let mut text = lines.join("\n");
    text.push_str("\n\n");
    text
}

/// A blueprint planned and rendered.
struct Built {
    plan: Plan,
    tree: output::OutputTree,
    dir: PathBuf,
    warnings: usize,
}

/// Loads, validates, plans (honouring the output directory's placement) and renders. The
/// tree is not checked yet: compare it with the directory, then check what is new there.
fn build(target: &cli::Target, style: Style) -> Result<Built> {
    let dir = target.output_dir();
    let previous = previous_placement(&dir, target.repack, style)?;
    let (validated, plan) = check(&target.blueprint, previous.as_ref(), target.repack, style)?;
    let templates = targets::Templates::load(target.templates.as_deref())?;
    let tree = targets::render_unchecked(&plan, &templates)?;
    Ok(Built {
        plan,
        tree,
        dir,
        warnings: validated.warnings.len(),
    })
}

/// The fingerprint of everything a `generate` reads (see [`output::cache`]). `None` when
/// one of them cannot be read (then there is no shortcut).
fn inputs_fingerprint(target: &cli::Target) -> Option<String> {
    let overrides = match &target.templates {
        Some(dir) => targets::templates::overrides(dir).ok()?,
        None => Vec::new(),
    };
    output::cache::fingerprint(&output::cache::Inputs {
        blueprint: &target.blueprint,
        overrides: &overrides,
        repack: target.repack,
    })
}

fn generate(target: &cli::Target, force: bool, diff: bool, style: Style) -> Result<ExitCode> {
    let inputs = inputs_fingerprint(target);
    let dir = target.output_dir();
    if let Some(inputs) = &inputs
        && !force
        && dir.join(output::manifest::MANIFEST_PATH).exists()
    {
        let _lock = output::write::Lock::take(&dir, || {
            eprintln!(
                "waiting for another clusterwright run on `{}` to finish...",
                dir.display()
            );
        })?;
        // Nothing it reads has changed and nobody touched what it wrote: nothing to do.
        if let Some(manifest) = output::write::up_to_date(&dir, inputs)? {
            print(&format!(
                "generated `{}`: created 0, updated 0, deleted 0, unchanged {}\n",
                dir.display(),
                manifest.files.len()
            ))?;
            return Ok(ExitCode::SUCCESS);
        }
    }
    // Plan and render before touching the directory: an invalid blueprint leaves no trace.
    let mut built = build(target, style)?;
    let quiet = Style {
        quiet: true,
        ..style
    };
    let planned_with = previous_placement(&dir, target.repack, quiet)?;
    let _lock = output::write::Lock::take(&dir, || {
        eprintln!(
            "waiting for another clusterwright run on `{}` to finish...",
            dir.display()
        );
    })?;
    // Another run may have written a new placement while this one waited: plan again.
    if previous_placement(&dir, target.repack, quiet)? != planned_with {
        built = build(target, quiet)?;
    }
    let Built {
        plan,
        tree,
        dir,
        warnings,
    } = built;
    // A run that printed warnings records no fingerprint, so the next run prints them again.
    let inputs = inputs.filter(|_| warnings == 0);
    let (report, comparison) =
        output::write::write(&tree, &dir, &plan.platform, inputs.as_deref(), force)?;
    let mut text = String::new();
    if diff {
        text.push_str(&output::diff::unified(&comparison, stdout_color()));
    }
    text.push_str(&review_text(&comparison));
    let _ = writeln!(text, "generated `{}`: {report}", dir.display());
    print(&text)?;
    Ok(ExitCode::SUCCESS)
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
    // A placement recorded for another platform is not this one's to honour.
    let previous = previous.filter(|p| {
        p.platform
            .as_deref()
            .is_none_or(|name| name == validated.blueprint().name)
    });
    let plan = plan::plan(&validated, previous, repack)?;
    if !validated.warnings.is_empty() && !style.quiet {
        let loaded = &validated.loaded;
        let warnings = blueprint::diagnostic::Problems::new(
            &loaded.path,
            loaded.source.clone(),
            validated.warnings.clone(),
        );
        eprint!("{}", render_problems(&warnings, style));
    }
    Ok((validated, plan))
}

/// The placement to plan with: `DIR/placement.yaml` if there is one. With `--repack`,
/// which plans from scratch, a placement that cannot be used is set aside with a warning
/// (it then cannot say which tenants move); without, it stops the run.
fn previous_placement(dir: &Path, repack: bool, style: Style) -> Result<Option<Placement>> {
    match output::placement::read(dir) {
        Err(e) if repack => {
            if !style.quiet {
                eprintln!(
                    "warning: {e}; `--repack` plans from scratch without it, so moved tenants are not reported"
                );
            }
            Ok(None)
        }
        other => other,
    }
}

fn init(path: &Path, force: bool) -> Result<ExitCode> {
    output::starter::write(path, force)?;
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
        Err(e) => Err(Error::Io {
            path: "<stdout>".into(),
            source: e,
        }),
    }
}
