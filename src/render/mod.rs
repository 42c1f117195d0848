//! Rendering: the plan laid out as files, through templates.
//!
//! Stage 4. Input: a [`Plan`] and the [`Templates`]. Output: an [`OutputTree`], checked
//! (every `.tf` parses as HCL, every `.yaml` as YAML) before anything is written. Each
//! target builds one documented context struct per template from the plan and inserts the
//! rendered files into the tree; templates only interpolate and loop over what the plan
//! decided.

pub mod docs;
pub mod filters;
pub mod hclfmt;
pub mod templates;

use crate::error::Result;
use crate::output::OutputTree;
use crate::plan::Plan;
pub use templates::Templates;

/// Renders every target for `plan`.
pub fn render(plan: &Plan, templates: &Templates) -> Result<OutputTree> {
    let mut tree = OutputTree::default();
    // The documentation describes what the other targets produced, so it comes last.
    docs::render(plan, templates, &mut tree)?;
    tree.check()?;
    Ok(tree)
}
