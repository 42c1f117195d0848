//! `clusterwright diff`: what `generate` would change, without writing; exit 1 when
//! anything would.

use std::process::ExitCode;

use super::args::{DiffFormat, Target};
use super::pipeline::compare;
use super::stdout::{color, print, review_text};
use super::style::Style;
use std::fmt::Write as _;

use super::style::render_error;
use crate::blueprint::diagnostic::Severity;
use crate::error::{Error, Result};
use crate::output::diff::{json, markdown, stat, unified};

/// Compares `target`'s output directory with what `generate` would write and prints the
/// differences in `format`.
pub fn run(target: &Target, format: DiffFormat, style: Style) -> Result<ExitCode> {
    let (comparison, review, _) = match compare(target, style) {
        Ok(compared) => compared,
        Err(error) => {
            // A CI job posts standard output as the pull-request comment: the error goes
            // there too, in the format asked for, and on standard error as always.
            let text = match format {
                DiffFormat::Markdown => Some(markdown_error(&error)),
                DiffFormat::Json => Some(json_error(&error)?),
                DiffFormat::Unified | DiffFormat::Stat => None,
            };
            if let Some(text) = text {
                print(&text)?;
            }
            return Err(error);
        }
    };
    let text = match format {
        DiffFormat::Unified => review_text(&review) + &unified(&comparison, color()),
        DiffFormat::Stat => review_text(&review) + &stat(&comparison),
        DiffFormat::Markdown => markdown(&comparison, &review),
        DiffFormat::Json => json(&comparison, &review)?,
    };
    print(&text)?;
    Ok(if comparison.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// An error as a pull-request comment: what failed, each problem of an invalid blueprint
/// with its place, and how to see the rest.
fn markdown_error(error: &Error) -> String {
    let mut out = String::from("### clusterwright: no diff, the run failed\n\n");
    match error {
        Error::Blueprint(problems) => {
            let _ = writeln!(out, "{problems}:\n");
            for p in problems.problems() {
                let at = p
                    .location
                    .map(|l| format!("{}:{}: ", l.line, l.column))
                    .unwrap_or_default();
                let _ = write!(
                    out,
                    "- **{}** `{at}{}` [{}]: {}",
                    severity(p.severity),
                    p.path,
                    p.rule.name(),
                    p.message
                );
                if let Some(help) = &p.help {
                    let _ = write!(out, " — {help}");
                }
                out.push('\n');
            }
        }
        other => {
            let _ = writeln!(
                out,
                "```text\n{}\n```",
                render_error(other, Style::plain()).trim_end()
            );
        }
    }
    out.push_str("\nRun `clusterwright validate` for the full report.\n");
    out
}

/// An error as JSON: `{"error": message, "problems": [...]}`, a problem each with its
/// severity, rule, key path, line, column, message and help.
fn json_error(error: &Error) -> Result<String> {
    let problems: Vec<serde_json::Value> = match error {
        Error::Blueprint(problems) => problems
            .problems()
            .iter()
            .map(|p| {
                serde_json::json!({
                    "severity": severity(p.severity),
                    "rule": p.rule.name(),
                    "path": p.path.to_string(),
                    "line": p.location.map(|l| l.line),
                    "column": p.location.map(|l| l.column),
                    "message": p.message,
                    "help": p.help,
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    let doc = serde_json::json!({
        "error": error.to_string(),
        "problems": problems,
    });
    let mut text = serde_json::to_string_pretty(&doc)
        .map_err(|e| Error::Bug(format!("the error does not serialize: {e}")))?;
    text.push('\n');
    Ok(text)
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}
