//! Any bytes through load → validate → plan → render: an error is fine, a panic, an abort
//! or unbounded memory is a finding.

#![no_main]

use std::path::Path;

use clusterwright::{Style, blueprint, plan, render_error, targets};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let loaded = match blueprint::parse(Path::new("fuzz.yaml"), text.to_owned()) {
        Ok(loaded) => loaded,
        Err(problems) => {
            // The diagnostics path (locating every problem) runs too.
            let _ = render_error(&problems.into(), Style::plain());
            return;
        }
    };
    let validated = match blueprint::validate::validate(loaded) {
        Ok(v) => v,
        Err(problems) => {
            let _ = render_error(&problems.into(), Style::plain());
            return;
        }
    };
    let Ok(plan) = plan::plan(&validated, None, false) else {
        return;
    };
    let templates = targets::Templates::load(None).expect("the embedded templates load");
    if let Err(e) = targets::render(&plan, &templates) {
        // A valid plan that does not render is a bug in clusterwright, not in the input.
        panic!("a valid blueprint failed to render: {e}");
    }
});
