//! Every bundled blueprint is valid, realistic and points at the committed schema.

use std::collections::BTreeSet;
use std::fs;

use crate::common::{root, run};

fn bundled() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root().join("blueprints"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| {
            std::path::Path::new(n)
                .extension()
                .is_some_and(|e| e == "yaml")
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_bundled_blueprint_validates_cleanly() {
    let names = bundled();
    assert!(names.len() >= 3);
    for name in names {
        let r = run(&["validate", &format!("blueprints/{name}")]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert_eq!(r.stderr, "", "{name} has warnings");
    }
}

#[test]
fn bundled_blueprints_start_with_the_schema_modeline() {
    for name in bundled() {
        let text = fs::read_to_string(root().join("blueprints").join(&name)).unwrap();
        assert!(
            text.starts_with(
                "# yaml-language-server: $schema=../schema/blueprint.v1.schema.json\n"
            ),
            "{name} does not point at the committed schema"
        );
    }
}

#[test]
fn bundled_blueprints_cover_every_cloud_and_differ_in_encryption() {
    let mut clouds = BTreeSet::new();
    let mut stacks = BTreeSet::new();
    for name in bundled() {
        let r = run(&["plan", &format!("blueprints/{name}"), "--format", "json"]);
        let plan: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        for env in plan["environments"].as_array().unwrap() {
            clouds.insert(env["cloud"].as_str().unwrap().to_owned());
        }
        let p = &plan["policy"];
        // A choice may repeat on another set of clouds: the multi-cloud example (issue 17)
        // runs IPsec + ambient on EKS and GKE, the Azure one on AKS.
        let on: BTreeSet<&str> = plan["environments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["cloud"].as_str().unwrap())
            .collect();
        let stack = format!(
            "{} {} {} on {on:?}",
            p["encryption"], p["networkEncryption"], p["mesh"]
        );
        assert!(
            stacks.insert(stack.clone()),
            "{name} repeats the encryption choice {stack}"
        );
        // Realistic: several environments, hard and soft organizations, untrusted tenants.
        assert!(
            plan["environments"].as_array().unwrap().len() >= 2,
            "{name}"
        );
        let isolation: BTreeSet<String> = plan["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["isolation"]["kind"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            isolation.len(),
            3,
            "{name} lacks a hard organization, a shared or an untrusted cluster"
        );
    }
    assert_eq!(
        clouds,
        BTreeSet::from(["aws".to_owned(), "azure".to_owned(), "gcp".to_owned()])
    );
}

#[test]
fn the_sizing_example_is_bundled() {
    let r = run(&["plan", "blueprints/acme-aws.yaml", "--format", "json"]);
    let plan: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let standard = plan["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["unit"] == "standard")
        .unwrap();
    // "a cluster hosts 5 customers, 10 node groups, 10 VMs per node group"
    assert_eq!(standard["capacity"]["tenants"], 5);
    assert_eq!(standard["capacity"]["nodeGroups"], 10);
    assert_eq!(standard["capacity"]["nodes"], 100);
}

#[test]
fn committed_examples_are_up_to_date() {
    for name in bundled() {
        let stem = name.trim_end_matches(".yaml");
        let r = run(&[
            "check",
            &format!("blueprints/{name}"),
            "-o",
            &format!("examples/{stem}"),
        ]);
        assert_eq!(
            r.code, 0,
            "examples/{stem} is stale; run `cargo run -- generate blueprints/{name} -o examples/{stem}`:\n{}",
            r.stdout
        );
    }
}

/// A release `generate` of the built-in templates leaves the parse-back of its YAML, JSON
/// and laid-out HCL to the tests (`output::ParseBack`): here every file of every committed
/// example is parsed back, whatever the cache and the manifest of `check` skip.
#[test]
fn every_file_of_every_example_parses_back() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    for name in bundled() {
        walk(
            &root().join("examples").join(name.trim_end_matches(".yaml")),
            &mut files,
        );
    }
    let mut parsed = 0;
    for path in &files {
        let name = path.to_string_lossy();
        let text = fs::read_to_string(path).unwrap();
        assert_eq!(
            clusterwright::output::parse_back(&name, &text),
            None,
            "{name}"
        );
        parsed += usize::from(
            [".tf", ".yaml", ".yml", ".json"]
                .iter()
                .any(|ext| name.ends_with(ext)),
        );
    }
    assert!(parsed > 100, "only {parsed} files parsed back");
    // And a broken one is caught.
    assert!(clusterwright::output::parse_back("x.yaml", "a: [1\n").is_some());
}

/// The `.tf` bytes of `dir` and below.
fn terraform_bytes(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            total += terraform_bytes(&path);
        } else if path.extension().is_some_and(|e| e == "tf") {
            total += fs::metadata(&path).unwrap().len();
        }
    }
    total
}

#[test]
fn the_bundled_terraform_is_at_most_half_of_one_resource_block_per_cluster() {
    // Issue 12: before stacks over generated modules, the Terraform of these five examples
    // was 661,746 bytes (one resource block per node group, cluster and environment). The
    // foundation and cluster modules, written once per cloud, must keep it at half or less.
    const BEFORE: u64 = 661_746;
    let five = [
        "acme-aws",
        "globex-gcp",
        "hooli-gcp",
        "initech-azure",
        "umbrella-aws",
    ];
    let total: u64 = five
        .iter()
        .map(|n| terraform_bytes(&root().join("examples").join(n).join("terraform")))
        .sum();
    assert!(
        total * 2 <= BEFORE,
        "{total} bytes of Terraform in the five examples: more than half of {BEFORE}"
    );
}
