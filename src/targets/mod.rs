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
///
/// The targets are independent (each reads the plan, none reads another's files; the
/// documentation describes the others from the plan too), so each renders into a tree of its
/// own, on every core, and the parts are merged in the order they used to render in: the
/// first error is the one a run target after target would stop at, and a path two targets
/// claim is refused as before.
pub fn render_unchecked(plan: &Plan, templates: &Templates, site: &Site) -> Result<OutputTree> {
    type Part<'a> = &'a (dyn Fn(&mut OutputTree) -> Result<()> + Sync);
    let parts: [(&str, Part<'_>); 5] = [
        ("render helm", &|t| helm::render(plan, templates, t)),
        ("render manifests", &|t| {
            helm::manifests::render(plan, templates, t)
        }),
        ("render terraform", &|t| {
            terraform::render(plan, templates, t)
        }),
        ("render crossplane", &|t| {
            crossplane::render(plan, templates, t)
        }),
        ("render docs", &|t| docs::render(plan, site, templates, t)),
    ];
    let rendered = crate::parallel::map(&parts, |(stage, part)| {
        crate::parallel::timed(stage, || {
            let mut tree = OutputTree::default();
            part(&mut tree).map(|()| tree)
        })
    });
    let mut tree = OutputTree::default();
    for part in rendered {
        tree.merge(part?)?;
    }
    crate::parallel::timed("format terraform", || format_terraform(&mut tree))?;
    Ok(tree)
}

/// Lays out every `.tf` of the tree as `terraform fmt` would ([`hclfmt`]), on every core:
/// parsing and printing every file is a good part of the time generation takes. The parse
/// is also the check of what the templates rendered: invalid HCL fails the run here.
fn format_terraform(tree: &mut OutputTree) -> Result<()> {
    let files: Vec<(&str, &crate::output::GeneratedFile)> = tree
        .files()
        .filter(|(path, _)| {
            std::path::Path::new(path)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("tf"))
        })
        .collect();
    let formatted = crate::parallel::map(&files, |(path, file)| {
        hclfmt::format(&file.content)
            .map(|text| ((*path).to_owned(), text))
            .map_err(|message| Error::Generated {
                path: (*path).to_owned(),
                source_template: file.source.clone(),
                message: format!("not valid HCL: {message}"),
            })
    });
    for result in formatted {
        let (path, text) = result?;
        tree.update(&path, text);
    }
    Ok(())
}
