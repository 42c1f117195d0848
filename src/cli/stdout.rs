//! What the commands print on standard output: the text itself, whether it takes colour,
//! and the review lines `generate`, `diff` and `check` share.

use std::io::{IsTerminal, Write};

use crate::error::{Error, Result};
use crate::plan::placement::PlacementChanges;

/// Writes `text` to standard output; a closed pipe is reported as [`Error::BrokenPipe`].
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Error::BrokenPipe),
        Err(e) => Err(Error::Io {
            path: "<stdout>".into(),
            source: e,
        }),
    }
}

/// Whether standard output takes colour.
pub fn color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The change in review terms, a line each, then what it does to live infrastructure
/// (production first), then a blank line; empty when nothing changes.
pub fn review_text(review: &PlacementChanges) -> String {
    let lines = review.lines();
    let impacts = review.impact_lines();
    if lines.is_empty() && impacts.is_empty() {
        return String::new();
    }
    let mut text = String::new();
    for line in &lines {
        text.push_str(line);
        text.push('\n');
    }
    if !impacts.is_empty() {
        text.push_str("impact on live infrastructure (production first):\n");
        for line in &impacts {
            text.push_str("  ");
            text.push_str(line);
            text.push('\n');
        }
    }
    text.push('\n');
    text
}
