//! Terraform for azure (in progress).

use super::Module;
use crate::error::Result;
use crate::output::OutputTree;

/// Renders the root module of one environment.
pub fn render(_module: &Module<'_>, _tree: &mut OutputTree) -> Result<()> {
    Ok(())
}
