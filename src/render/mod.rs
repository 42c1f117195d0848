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
pub mod terraform;

use crate::error::{Error, Result};
use crate::output::OutputTree;
use crate::plan::Plan;
pub use templates::Templates;

/// Renders every target for `plan`.
pub fn render(plan: &Plan, templates: &Templates) -> Result<OutputTree> {
    let mut tree = OutputTree::default();
    terraform::render(plan, templates, &mut tree)?;
    // The documentation describes what the other targets produced, so it comes last.
    docs::render(plan, templates, &mut tree)?;
    format_terraform(&mut tree)?;
    tree.check()?;
    Ok(tree)
}

/// Lays out every `.tf` of the tree as `terraform fmt` would ([`hclfmt`]).
fn format_terraform(tree: &mut OutputTree) -> Result<()> {
    let paths: Vec<String> = tree
        .files()
        .filter(|(path, _)| {
            std::path::Path::new(path)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("tf"))
        })
        .map(|(path, _)| path.to_owned())
        .collect();
    for path in paths {
        let Some(file) = tree.get(&path) else {
            continue;
        };
        let formatted = hclfmt::format(&file.content).map_err(|message| Error::Generated {
            path: path.clone(),
            source_template: file.source.clone(),
            message: format!("not valid HCL: {message}"),
        })?;
        tree.update(&path, formatted);
    }
    Ok(())
}
