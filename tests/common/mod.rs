//! What the integration tests share: the declarative [`Test`] builder (`test.rs`), bare
//! runs of the binary (`run`, `run_in`) and the blueprints the tests vary.

#![allow(dead_code)]

pub mod plans;
mod test;

use std::path::{Path, PathBuf};
use std::process;

use assert_cmd::Command;

pub use test::{Output, Test};

/// The repository root (where `blueprints/` and `tests/` are).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The result of one run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: process::Output) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Runs `clusterwright ARGS` in `dir` with stderr piped (plain diagnostics).
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let output = Command::cargo_bin("clusterwright")
        .expect("binary is built")
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .args(args)
        .output()
        .expect("binary runs");
    Run::from(output)
}

/// Runs `clusterwright ARGS` from the repository root.
pub fn run(args: &[&str]) -> Run {
    run_in(&root(), args)
}

/// A blueprint from the test-blueprint template below with `edits` applied (each a
/// `(from, to)` text replacement that must match).
pub fn blueprint(edits: &[(&str, &str)]) -> String {
    let mut text = BASE.to_owned();
    for (from, to) in edits {
        assert!(text.contains(from), "edit does not match: {from}");
        text = text.replacen(from, to, 1);
    }
    text
}

/// A small valid blueprint the planner tests vary.
pub const BASE: &str = r#"version: 1
name: acme
cloud: aws
region: eu-central-1
kubernetesVersion: "1.35"
policy:
  zeroTrust: true
  encryption: defense-in-depth
  mesh: istio
environments:
  prod:
    production: true
    account: "111111111111"
    cidr: 10.0.0.0/16
  staging:
    production: false
    account: "222222222222"
    cidr: 10.1.0.0/16
organizations:
  retail: { boundary: hard }
  corporate: { boundary: soft }
units:
  standard:
    tenantsPerCluster: 5
    nodeGroupsPerCluster: 10
    nodesPerGroup: 10
    instanceType: m6i.xlarge
tenants:
  globex:
    organization: corporate
    trust: trusted
    unit: standard
    environments: [prod, staging]
    nodeGroups: 2
    nodes: 12
"#;

/// A blueprint with one production environment on `cloud` (`aws`, `gcp` or `azure`), two
/// trusted tenants, and the given `policy:` lines (each indented by two spaces).
pub fn blueprint_on(cloud: &str, policy: &str) -> String {
    let (region, account, instance) = match cloud {
        "aws" => ("eu-central-1", "\"111111111111\"", "m6i.xlarge"),
        "gcp" => ("europe-west3", "acme-prod-4711", "n2-standard-4"),
        _ => (
            "westeurope",
            "6f1c4a52-1d0e-4c7b-9b7e-2a1f3c4d5e6f",
            "Standard_D4s_v5",
        ),
    };
    format!(
        "version: 1\nname: acme\ncloud: {cloud}\nregion: {region}\nkubernetesVersion: \"1.35\"\n\
         policy:\n{policy}\
         environments:\n  prod: {{ production: true, account: {account}, cidr: 10.0.0.0/16 }}\n\
         organizations: {{ retail: {{ boundary: soft }} }}\n\
         units:\n  u: {{ tenantsPerCluster: 4, nodeGroupsPerCluster: 4, nodesPerGroup: 5, instanceType: {instance} }}\n\
         tenants:\n  shop: {{ organization: retail, trust: trusted, unit: u, environments: [prod] }}\n\
         \x20 ledger: {{ organization: retail, trust: trusted, unit: u, environments: [prod] }}\n"
    )
}
