//! A valid blueprint planned against any previous `placement.yaml`: a broken or hostile
//! placement is refused or ignored, never a panic, and the plan keeps every tenant placed.

#![no_main]

use std::path::Path;

use clusterwright::{blueprint, plan};
use libfuzzer_sys::fuzz_target;

const BLUEPRINT: &str = include_str!("../../blueprints/acme-aws.yaml");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(previous) = plan::Placement::parse(text) else {
        return;
    };
    let loaded = blueprint::parse(Path::new("acme-aws.yaml"), BLUEPRINT.to_owned()).expect("bundled blueprint parses");
    let validated = blueprint::validate::validate(loaded).expect("bundled blueprint is valid");
    for repack in [false, true] {
        // An environment range too small for clusters the placement pins is a refusal, not a bug.
        if let Ok(plan) = plan::plan(&validated, Some(&previous), repack) {
            let placed: usize = plan.clusters.iter().map(|c| c.tenants.len()).sum();
            assert_eq!(placed, plan.summary.placements as usize, "every tenant placed exactly once");
        }
    }
});
