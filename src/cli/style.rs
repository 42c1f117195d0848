//! Diagnostics drawn for standard error: miette's graphical report, fancy on a terminal,
//! plain ASCII without colour when piped or when `NO_COLOR` is set.
//!
//! Input: an [`Error`] or the problems of a blueprint. Output: text, each diagnostic
//! followed by a blank line.

use std::io::IsTerminal;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

use crate::blueprint::diagnostic::Problems;
use crate::error::Error;

/// How diagnostics are drawn: fancy on a terminal, plain ASCII without colour when piped
/// or when `NO_COLOR` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Unicode box drawing.
    pub unicode: bool,
    /// Whether warnings are left unprinted (they were printed already).
    pub quiet: bool,
}

impl Style {
    /// The style for standard error as it is now.
    pub fn detect() -> Self {
        let terminal = std::io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            color: terminal && !no_color,
            unicode: terminal,
            quiet: false,
        }
    }

    /// Plain ASCII, no colour.
    pub fn plain() -> Self {
        Self {
            color: false,
            unicode: false,
            quiet: false,
        }
    }

    fn handler(self) -> GraphicalReportHandler {
        let theme = match (self.unicode, self.color) {
            (true, true) => GraphicalTheme::unicode(),
            (true, false) => GraphicalTheme::unicode_nocolor(),
            (false, _) => GraphicalTheme::none(),
        };
        GraphicalReportHandler::new_themed(theme)
            .with_width(if self.unicode { 100 } else { 400 })
            .with_links(false)
            .with_context_lines(1)
    }
}

/// Renders a diagnostic as text in `style`.
pub fn render(diagnostic: &dyn Diagnostic, style: Style) -> String {
    let mut out = String::new();
    // The handler fails only when a `Display` of the diagnostic does; the message alone
    // still says what went wrong.
    if style.handler().render_report(&mut out, diagnostic).is_err() {
        out = format!("{diagnostic}\n");
    }
    // One blank line between diagnostics.
    out.push('\n');
    out
}

/// Renders an error for standard error. An invalid blueprint shows every problem in file
/// order, then one line that sums them up.
pub fn render_error(error: &Error, style: Style) -> String {
    match error {
        Error::Blueprint(problems) => {
            let mut out = render_problems(problems, style);
            out.push_str("error: ");
            out.push_str(&problems.to_string());
            out.push('\n');
            out
        }
        other => render(other, style),
    }
}

/// Renders each problem of `problems`.
pub fn render_problems(problems: &Problems, style: Style) -> String {
    problems
        .diagnostics()
        .iter()
        .map(|d| render(d, style))
        .collect()
}
