//! `placement.yaml` read back from an output directory: where the previous `generate` put
//! every tenant, so that the next `plan` or `generate` keeps them there.
//!
//! Input: the output directory. Output: the [`Placement`] recorded there, if any.

use std::path::Path;

use crate::error::{Error, Result};
use crate::plan::Placement;

/// Where the placement lives, relative to the output directory (the docs target renders
/// it there).
pub const PLACEMENT_PATH: &str = "placement.yaml";

/// Reads `DIR/placement.yaml` if there is one. A file that cannot be read or parsed is an
/// [`Error::Placement`] naming it.
pub fn read(dir: &Path) -> Result<Option<Placement>> {
    let path = dir.join(PLACEMENT_PATH);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::Placement {
                path,
                message: e.to_string(),
            });
        }
    };
    Placement::parse(&text)
        .map(Some)
        .map_err(|message| Error::Placement { path, message })
}
