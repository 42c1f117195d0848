//! `clusterwright generate`: bring the output directory to the blueprint, safely.
//!
//! The order matters. A run whose inputs are unchanged ([`fingerprint`]) and whose files
//! are as written does nothing, not even plan. Otherwise it plans and renders before it
//! touches the directory, so an invalid blueprint leaves no trace; then it takes the
//! directory's lock, plans again if another run changed the placement meanwhile, and
//! writes.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use super::args::Target;
use super::pipeline::{Built, build, fingerprint, previous_placement};
use super::stdout::{color, print, review_text};
use super::style::Style;
use crate::error::Result;
use crate::output::diff::unified;
use crate::output::manifest::MANIFEST_PATH;
use crate::output::write::{Lock, up_to_date, write};

/// Writes `target`'s output tree (`force`: over files edited by hand or not ours), then
/// prints what changed (`diff`: as a unified diff too).
pub fn run(target: &Target, force: bool, diff: bool, style: Style) -> Result<ExitCode> {
    let inputs = fingerprint(target);
    let dir = target.output_dir();
    if let Some(inputs) = &inputs
        && !force
        && dir.join(MANIFEST_PATH).exists()
    {
        let _lock = lock(&dir)?;
        // Nothing it reads has changed and nobody touched what it wrote: nothing to do.
        if let Some(manifest) = up_to_date(&dir, inputs)? {
            print(&format!(
                "generated `{}`: created 0, updated 0, deleted 0, unchanged {}\n",
                dir.display(),
                manifest.files.len()
            ))?;
            return Ok(ExitCode::SUCCESS);
        }
    }
    // Plan and render before touching the directory: an invalid blueprint leaves no trace.
    let mut built = build(target, style)?;
    let quiet = Style {
        quiet: true,
        ..style
    };
    let planned_with = previous_placement(&dir, target.repack, quiet)?;
    let _lock = lock(&dir)?;
    // Another run may have written a new placement while this one waited: plan again.
    if previous_placement(&dir, target.repack, quiet)? != planned_with {
        built = build(target, quiet)?;
    }
    let Built {
        plan,
        tree,
        dir,
        warnings,
    } = built;
    // A run that printed warnings records no fingerprint, so the next run prints them again.
    let inputs = inputs.filter(|_| warnings == 0);
    let (report, comparison) = write(&tree, &dir, &plan.platform, inputs.as_deref(), force)?;
    let mut text = String::new();
    if diff {
        text.push_str(&unified(&comparison, color()));
    }
    text.push_str(&review_text(&plan.changes));
    // Writing to a `String` cannot fail.
    let _ = writeln!(text, "generated `{}`: {report}", dir.display());
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// Takes the lock of `dir`, saying so when another run holds it.
fn lock(dir: &Path) -> Result<Lock> {
    Lock::take(dir, || {
        eprintln!(
            "waiting for another clusterwright run on `{}` to finish...",
            dir.display()
        );
    })
}
