//! A tiny test builder: runs the `clusterwright` binary in a temporary directory and
//! captures what it prints.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

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
    fn from(output: Output) -> Self {
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
kubernetesVersion: "1.33"
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
