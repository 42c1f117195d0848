//! `clusterwright init`: write a commented starter blueprint.

use std::path::Path;
use std::process::ExitCode;

use super::stdout::print;
use crate::error::Result;
use crate::output;

/// Writes the starter blueprint to `path` (an existing file only with `force`) and says
/// what to do next.
pub fn run(path: &Path, force: bool) -> Result<ExitCode> {
    output::starter::write(path, force)?;
    print(&format!(
        "wrote `{}`: edit it, then run `clusterwright validate {}`\n",
        path.display(),
        path.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}
