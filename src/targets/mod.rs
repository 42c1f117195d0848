//! The targets: the plan laid out as files, through templates.
//!
//! Stage 4. Input: a [`Plan`] and the [`Templates`]. Output: an [`OutputTree`], checked
//! (every `.tf` parses as HCL, every `.yaml` as YAML) before anything is written. Each
//! target builds one documented context struct per template from the plan and inserts the
//! rendered files into the tree; templates only interpolate and loop over what the plan
//! decided.

pub mod crossplane;
pub mod docs;
pub mod filters;
pub mod hclfmt;
pub mod helm;
pub mod lint;
pub mod stacks;
pub mod templates;
pub mod terraform;

use crate::error::{Error, Result};
use crate::output::OutputTree;
use crate::plan::Plan;
pub use templates::Templates;

/// Where the output goes, as far as the generated files say so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The blueprint, seen from the output directory, for the README's commands.
    pub blueprint: String,
}

impl Default for Site {
    /// Nowhere in particular: the README's commands name the blueprint `<blueprint>`.
    fn default() -> Self {
        Self {
            blueprint: "<blueprint>".to_owned(),
        }
    }
}

/// Renders every target for `plan` (for no particular site), and checks the tree.
pub fn render(plan: &Plan, templates: &Templates) -> Result<OutputTree> {
    let tree = render_unchecked(plan, templates, &Site::default())?;
    tree.check()?;
    Ok(tree)
}

/// Renders every target for `plan` at `site`, leaving [`OutputTree::check`] (or
/// [`OutputTree::check_except`]) to the caller: before anything is written.
pub fn render_unchecked(plan: &Plan, templates: &Templates, site: &Site) -> Result<OutputTree> {
    let mut tree = OutputTree::default();
    helm::render(plan, templates, &mut tree)?;
    helm::manifests::render(plan, templates, &mut tree)?;
    terraform::render(plan, templates, &mut tree)?;
    crossplane::render(plan, templates, &mut tree)?;
    // The documentation describes what the other targets produced, so it comes last.
    docs::render(plan, site, templates, &mut tree)?;
    format_terraform(&mut tree)?;
    Ok(tree)
}

/// Lays out every `.tf` of the tree as `terraform fmt` would ([`hclfmt`]), on every core:
/// parsing and printing every file is most of the time generation takes.
fn format_terraform(tree: &mut OutputTree) -> Result<()> {
    let files: Vec<(String, String, String)> = tree
        .files()
        .filter(|(path, _)| {
            std::path::Path::new(path)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("tf"))
        })
        .map(|(path, file)| (path.to_owned(), file.content.clone(), file.source.clone()))
        .collect();
    let formatted = crate::parallel::map(&files, |(path, content, source)| {
        hclfmt::format(content)
            .map(|text| (path.clone(), text))
            .map_err(|message| Error::Generated {
                path: path.clone(),
                source_template: source.clone(),
                message: format!("not valid HCL: {message}"),
            })
    });
    for result in formatted {
        let (path, text) = result?;
        tree.update(&path, text);
    }
    Ok(())
}
