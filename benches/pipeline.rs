//! load + validate + plan of synthetic blueprints (`cargo bench --bench pipeline`).

#![allow(clippy::expect_used)] // a benchmark of a valid blueprint may stop at the first surprise

use std::path::Path;

use clusterwright::blueprint::{self, validate::validate};
use clusterwright::plan;

#[path = "support/synthetic.rs"]
mod synthetic;

// The binary's allocator (src/main.rs), so the figures are what `clusterwright plan` spends.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// Parse, validate and plan a blueprint of `N` tenants on AKS (pods on an overlay keep
/// cluster ranges small enough for 50,000 tenants in three /11 environments).
#[divan::bench(args = [1_000, 10_000, 50_000], sample_count = 10)]
fn load_validate_plan(bencher: divan::Bencher, tenants: usize) {
    let text = synthetic::blueprint(tenants, "azure");
    bencher.bench(|| {
        let loaded = blueprint::parse(Path::new("synthetic.yaml"), text.clone()).expect("parses");
        let validated = validate(loaded).expect("valid");
        plan::plan(&validated, None, false).expect("plans")
    });
}

/// The same on EKS, where every cluster also gets its own VPC range.
#[divan::bench(args = [1_000, 2_000], sample_count = 10)]
fn load_validate_plan_aws(bencher: divan::Bencher, tenants: usize) {
    let text = synthetic::blueprint(tenants, "aws");
    bencher.bench(|| {
        let loaded = blueprint::parse(Path::new("synthetic.yaml"), text.clone()).expect("parses");
        let validated = validate(loaded).expect("valid");
        plan::plan(&validated, None, false).expect("plans")
    });
}
