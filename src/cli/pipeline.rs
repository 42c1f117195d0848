//! What the commands share: the stages run in order, with warnings printed once.
//!
//! - [`check`]: load, validate and plan a blueprint (honouring a previous placement).
//! - [`build`]: that, with the output directory's placement, then render: a [`Built`].
//! - [`compare`]: the output directory against what `generate` would write there, through
//!   the cache of `generate` when nothing it reads has changed.
//!
//! Input: a blueprint path or a [`Target`]. Output: the validated blueprint, the plan, the
//! output tree, the comparison.

use std::path::{Path, PathBuf};

use super::args::Target;
use super::style::{Style, render_problems};
use crate::blueprint::{self, validate::Validated};
use crate::error::Result;
use crate::output::{self, OutputTree, compare::Comparison};
use crate::plan::placement::PlacementChanges;
use crate::plan::{self, Placement, Plan};
use crate::targets::{self, Templates};

/// Loads, validates and plans a blueprint; prints its warnings.
pub fn check(
    path: &Path,
    previous: Option<&Placement>,
    repack: bool,
    completed: &[String],
    style: Style,
) -> Result<(Validated, Plan)> {
    let loaded = blueprint::load(path)?;
    let validated = blueprint::validate::validate(loaded)?;
    // A placement recorded for another platform is not this one's to honour.
    let previous = previous.filter(|p| {
        p.platform
            .as_deref()
            .is_none_or(|name| name == validated.name())
    });
    let completed: std::collections::BTreeSet<String> = completed.iter().cloned().collect();
    if let Some(tenant) = completed.iter().find(|t| !draining_in(previous, t)) {
        return Err(crate::error::Error::NoMove {
            tenant: tenant.clone(),
        });
    }
    let plan = plan::plan_with(&validated, previous, repack, &completed)?;
    if !validated.warnings().is_empty() && !style.quiet {
        let warnings = validated.problems(validated.warnings().to_vec());
        eprint!("{}", render_problems(&warnings, style));
    }
    Ok((validated, plan))
}

/// Whether `previous` records draining node groups of `tenant`.
fn draining_in(previous: Option<&Placement>, tenant: &str) -> bool {
    previous
        .into_iter()
        .flat_map(|p| p.environments.values())
        .flat_map(|env| env.values())
        .filter_map(|c| c.facts.as_ref())
        .flat_map(|f| f.node_groups.values())
        .any(|g| g.draining && g.tenant.as_deref() == Some(tenant))
}

/// The placement to plan with: `DIR/placement.yaml` if there is one. With `--repack`,
/// which plans from scratch, a placement that cannot be used is set aside with a warning
/// (it then cannot say which tenants move); without, it stops the run.
pub fn previous_placement(dir: &Path, repack: bool, style: Style) -> Result<Option<Placement>> {
    match output::placement::read(dir) {
        Err(e) if repack => {
            if !style.quiet {
                eprintln!(
                    "warning: {e}; `--repack` plans from scratch without it, so moved tenants are not reported"
                );
            }
            Ok(None)
        }
        other => other,
    }
}

/// A blueprint planned and rendered.
pub struct Built {
    /// The plan.
    pub plan: Plan,
    /// The rendered tree, not checked yet.
    pub tree: OutputTree,
    /// The output directory.
    pub dir: PathBuf,
    /// How many warnings validation printed.
    pub warnings: usize,
}

/// Loads, validates, plans (honouring the output directory's placement) and renders. The
/// tree is not checked yet: compare it with the directory, then check what is new there.
pub fn build(target: &Target, style: Style) -> Result<Built> {
    let dir = target.output_dir();
    let previous = previous_placement(&dir, target.repack, style)?;
    let (validated, plan) = crate::parallel::timed("load, validate and plan", || {
        check(
            &target.blueprint,
            previous.as_ref(),
            target.repack,
            &target.complete_move,
            style,
        )
    })?;
    let templates = Templates::load(target.templates.as_deref())?;
    let site = site(target);
    let mut tree = targets::render_unchecked(&plan, &templates, &site)?;
    // How much is parsed back before anything is written: every file with overrides, in a
    // debug build or when asked (`output::ParseBack`).
    let all = std::env::var("CLUSTERWRIGHT_PARSE_BACK").is_ok_and(|v| v == "all");
    tree.set_parse_back(output::ParseBack::choose(target.templates.is_some(), all));
    Ok(Built {
        plan,
        tree,
        dir,
        warnings: validated.warnings().len(),
    })
}

/// Where `target`'s output goes: the blueprint as its README names it.
fn site(target: &Target) -> targets::Site {
    output::site::blueprint_from(&target.output_dir(), &target.blueprint)
        .map_or_else(targets::Site::default, |blueprint| targets::Site {
            blueprint,
        })
}

/// The fingerprint of everything a `generate` of `target` reads (see [`output::cache`]).
/// `None` when one of them cannot be read (then there is no shortcut).
pub fn fingerprint(target: &Target) -> Option<String> {
    // A run that completes moves changes the placement it reads: never a shortcut.
    if !target.complete_move.is_empty() {
        return None;
    }
    let overrides = match &target.templates {
        Some(dir) => targets::templates::overrides(dir).ok()?,
        None => Vec::new(),
    };
    output::cache::fingerprint(&output::cache::Inputs {
        blueprint: &target.blueprint,
        site: &site(target).blueprint,
        overrides: &overrides,
        repack: target.repack,
    })
}

/// The output directory against what `generate` would write there, and the change in
/// review terms, which the plan decided (its placement against the directory's). When
/// nothing `generate` reads has changed since it last wrote the directory (the
/// machine-local cache of `generate`) and every generated file is as written, that is
/// known without planning or rendering: nothing changes.
pub fn compare(target: &Target, style: Style) -> Result<(Comparison, PlacementChanges, PathBuf)> {
    let dir = target.output_dir();
    if let Some(inputs) = fingerprint(target)
        && let Some(manifest) = output::write::up_to_date(&dir, &inputs)?
    {
        let unchanged = output::compare::unchanged(&dir, manifest)?;
        // The placement recorded there, against itself: nothing moves.
        let review = match output::placement::read(&dir)? {
            Some(placement) => crate::plan::placement::changes(Some(&placement), &placement),
            None => PlacementChanges::default(),
        };
        return Ok((unchanged, review, dir));
    }
    let Built {
        plan, tree, dir, ..
    } = build(target, style)?;
    let comparison = crate::parallel::timed("compare", || output::compare::compare(&tree, &dir))?;
    crate::parallel::timed("parse back", || {
        tree.check_except(|path| comparison.known_good(path))
    })?;
    Ok((comparison, plan.changes, dir))
}
