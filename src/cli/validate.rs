//! `clusterwright validate`: check a blueprint against every rule, plan it, and sum it up
//! in one line.

use std::path::Path;
use std::process::ExitCode;

use super::args::output_dir;
use super::pipeline::{check, previous_placement};
use super::stdout::print;
use super::style::Style;
use crate::error::Result;

/// Validates and plans the blueprint at `path`, honouring the placement in `output` (default
/// `out` next to the blueprint), as `generate` would (warnings go to standard error).
pub fn run(path: &Path, output: Option<&Path>, style: Style) -> Result<ExitCode> {
    let previous = previous_placement(&output_dir(path, output), false, style)?;
    let (validated, plan) = check(path, previous.as_ref(), false, &[], style)?;
    print(&format!(
        "`{}` is valid: {} environments, {} tenants, {} clusters planned\n",
        path.display(),
        validated.environments().len(),
        validated.tenants().len(),
        plan.clusters.len()
    ))?;
    Ok(ExitCode::SUCCESS)
}
