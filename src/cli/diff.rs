//! `clusterwright diff`: what `generate` would change, without writing; exit 1 when
//! anything would.

use std::process::ExitCode;

use super::args::{DiffFormat, Target};
use super::pipeline::compare;
use super::stdout::{color, print, review_text};
use super::style::Style;
use crate::error::Result;
use crate::output::diff::{json, markdown, stat, unified};

/// Compares `target`'s output directory with what `generate` would write and prints the
/// differences in `format`.
pub fn run(target: &Target, format: DiffFormat, style: Style) -> Result<ExitCode> {
    let (comparison, review, _) = compare(target, style)?;
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
