//! `clusterwright check`: the CI gate. Is the output directory up to date with the
//! blueprint? If not, say what changed and which command fixes it, and exit 1. It also
//! warns when a Linkerd trust anchor recorded there is due for rotation.

use std::fmt::Write as _;
use std::process::ExitCode;

use super::args::Target;
use super::pipeline::compare;
use super::stdout::{print, review_text};
use super::style::Style;
use crate::error::Result;
use crate::output::compare::Status;
use crate::output::diff::stat;

/// Compares `target`'s output directory with what `generate` would write there.
pub fn run(target: &Target, style: Style) -> Result<ExitCode> {
    let (comparison, review, dir) = compare(target, style)?;
    // Dates that come due while the output stays the same: the Linkerd trust anchors'
    // rotation (DECISIONS.md). A warning on standard error; the exit status is about drift.
    let today = crate::output::anchor::today();
    for anchor in crate::output::anchor::read(&dir)? {
        if let Some(warning) = anchor.warning(&today) {
            eprintln!("{warning}");
        }
    }
    let (dir_shown, blueprint_shown) = (dir.display(), target.blueprint.display());
    if comparison.is_clean() {
        print(&format!(
            "`{dir_shown}` is up to date with `{blueprint_shown}`\n"
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = format!("`{dir_shown}` is out of date with `{blueprint_shown}`:\n");
    text.push_str(&review_text(&review));
    text.push_str(&stat(&comparison));
    let unmanaged = comparison.count(Status::Unmanaged);
    let edited = if comparison.conflicts().next().is_some() {
        " (files edited by hand need `--force`, or their edits moved into the blueprint)"
    } else {
        ""
    };
    // Writing to a `String` cannot fail.
    if comparison.changes().count() > unmanaged {
        let _ = writeln!(
            text,
            "run `clusterwright generate {blueprint_shown} -o {dir_shown}` to update it{edited}"
        );
    }
    if unmanaged > 0 {
        let _ = writeln!(
            text,
            "remove the files marked \"not generated\" from `{dir_shown}`, or move them out of its generated folders: Terraform or `kubectl apply -f` would apply them with the generated ones, and clusterwright never deletes what it did not generate"
        );
    }
    print(&text)?;
    Ok(ExitCode::from(1))
}
