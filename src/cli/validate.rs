//! `clusterwright validate`: check a blueprint against every rule, plan it, and sum it up
//! in one line.

use std::path::Path;
use std::process::ExitCode;

use super::pipeline::check;
use super::stdout::print;
use super::style::Style;
use crate::error::Result;

/// Validates and plans the blueprint at `path` (warnings go to standard error).
pub fn run(path: &Path, style: Style) -> Result<ExitCode> {
    let (validated, plan) = check(path, None, false, style)?;
    print(&format!(
        "`{}` is valid: {} environments, {} tenants, {} clusters planned\n",
        path.display(),
        validated.environments().len(),
        validated.tenants().len(),
        plan.clusters.len()
    ))?;
    Ok(ExitCode::SUCCESS)
}
