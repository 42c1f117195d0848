//! `clusterwright plan`: print the decisions, for people or as JSON, honouring the
//! placement of a previous `generate` in the output directory (`-o`, default `out` next to
//! the blueprint, as for every command).

use std::path::Path;
use std::process::ExitCode;

use super::args::{PlanFormat, output_dir};
use super::pipeline::{check, previous_placement};
use super::stdout::print;
use super::style::Style;
use crate::error::{Error, Result};

/// Plans the blueprint at `path` (with `output`'s placement, unless `repack`) and prints
/// the plan in `format`.
pub fn run(
    path: &Path,
    format: PlanFormat,
    output: Option<&Path>,
    repack: bool,
    style: Style,
) -> Result<ExitCode> {
    let previous = previous_placement(&output_dir(path, output), repack, style)?;
    let (_, plan) = check(path, previous.as_ref(), repack, &[], style)?;
    let text = match format {
        PlanFormat::Text => crate::plan::text::render(&plan),
        PlanFormat::Json => {
            // The plan is plain data with string keys: it always serialises.
            let mut json = serde_json::to_string_pretty(&plan)
                .map_err(|e| Error::Bug(format!("the plan as JSON: {e}")))?;
            json.push('\n');
            json
        }
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
