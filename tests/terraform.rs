//! The Terraform target: stable resource addresses, `moved` blocks after a `--repack`, and
//! strings from a blueprint that cannot break out of their HCL string. The bundled
//! blueprints' `terraform/` trees are checked byte for byte against `examples/` (see
//! `examples.rs`), not snapshotted here.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use clusterwright::output::OutputTree;
use clusterwright::targets::{self};
use hcl::edit::expr::Expression;
use hcl::edit::structure::Body;

use crate::common::plans::{plan_text, tree_of};
use crate::common::{blueprint as base, root, run_in};

fn is_tf(path: &str) -> bool {
    Path::new(path).extension().is_some_and(|e| e == "tf")
}

/// Every file under `terraform/`, each under a `==== path ====` line.
fn terraform_text(tree: &OutputTree) -> String {
    let mut out = String::new();
    for (path, file) in tree.files().filter(|(p, _)| p.starts_with("terraform/")) {
        out.push_str(&format!("==== {path} ====\n{}\n", file.content));
    }
    out
}

/// BASE with three tenants of five node groups each: `alpha` and `beta` fill
/// `acme-prod-standard-01`, `gamma` is alone in `acme-prod-standard-02`.
fn three_tenants(with_alpha_and_beta: bool) -> String {
    // Not production: a repack keeps production clusters' names (a renamed cluster is a
    // replaced one), so renames happen only outside production (issue 13).
    let mut y = base(&[
        (
            "  globex:\n    organization: corporate\n    trust: trusted\n    unit: standard\n    environments: [prod, staging]\n    nodeGroups: 2\n    nodes: 12\n",
            "",
        ),
        ("production: true", "production: false"),
    ]);
    let tenant = |name: &str| {
        format!(
            "  {name}:\n    organization: corporate\n    trust: trusted\n    unit: standard\n    environments: [prod]\n    nodeGroups: 5\n    nodes: 10\n"
        )
    };
    if with_alpha_and_beta {
        y.push_str(&tenant("alpha"));
        y.push_str(&tenant("beta"));
    }
    y.push_str(&tenant("gamma"));
    y
}

/// The `moved` blocks of a file: (from, to).
fn moves(text: &str) -> Vec<(String, String)> {
    let body: Body = text.parse().unwrap();
    body.blocks()
        .filter(|b| b.ident.as_str() == "moved")
        .map(|b| {
            let get = |key: &str| b.body.get_attribute(key).unwrap().value.to_string();
            (get("from").trim().to_owned(), get("to").trim().to_owned())
        })
        .collect()
}

#[test]
fn a_cluster_renamed_by_repack_moves_its_state_and_its_tenants_groups_do_not() {
    let first = plan_text(&three_tenants(true), None, false);
    let names: Vec<&str> = first.clusters.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["acme-prod-standard-01", "acme-prod-standard-02"]);
    // alpha and beta leave: cluster 01 is destroyed, gamma stays in 02.
    let second = plan_text(&three_tenants(false), Some(&first.placement()), false);
    assert_eq!(second.clusters[0].name, "acme-prod-standard-02");
    assert!(second.clusters[0].formerly.is_empty());
    assert!(
        tree_of(&second)
            .get("terraform/prod/foundation/moved.tf")
            .is_none()
    );
    // A repack renumbers: gamma's cluster is 01 now, the same cluster under a new name.
    let repacked = plan_text(&three_tenants(false), Some(&second.placement()), true);
    let cluster = &repacked.clusters[0];
    assert_eq!(cluster.name, "acme-prod-standard-01");
    assert_eq!(cluster.formerly, ["acme-prod-standard-02"]);
    let tree = tree_of(&repacked);
    // The cluster's stack continues the state of its first name (AWS: one stack per
    // cluster over a module; tenants' node groups are keys of a map in it, no addresses).
    let versions = &tree
        .get("terraform/prod/acme-prod-standard-01/versions.tf")
        .unwrap()
        .content;
    assert!(versions.contains("clusterwright/acme/prod/acme-prod-standard-02.tfstate"));
    // The foundation moves what it holds for the cluster, keyed by its name.
    let moved = moves(
        &tree
            .get("terraform/prod/foundation/moved.tf")
            .unwrap()
            .content,
    );
    for expected in [
        (
            "module.foundation.aws_subnet.private[\"acme-prod-standard-02/0\"]",
            "module.foundation.aws_subnet.private[\"acme-prod-standard-01/0\"]",
        ),
        (
            "module.foundation.aws_route_table_association.public[\"acme-prod-standard-02/2\"]",
            "module.foundation.aws_route_table_association.public[\"acme-prod-standard-01/2\"]",
        ),
    ] {
        let expected = (expected.0.to_owned(), expected.1.to_owned());
        assert!(moved.contains(&expected), "{expected:?} not in {moved:#?}");
    }
    assert!(moved.iter().all(|(from, _)| !from.contains("gamma")));
    // The record survives regeneration: the same blocks come out without --repack.
    let again = plan_text(&three_tenants(false), Some(&repacked.placement()), false);
    assert_eq!(again.clusters[0].formerly, ["acme-prod-standard-02"]);
    assert_eq!(terraform_text(&tree_of(&again)), terraform_text(&tree));
    assert!(
        repacked
            .placement()
            .to_yaml()
            .unwrap()
            .contains("formerly:\n      - acme-prod-standard-02\n"),
        "{}",
        repacked.placement().to_yaml().unwrap()
    );
}

#[test]
fn a_name_taken_again_leaves_the_rename_record() {
    let first = plan_text(&three_tenants(true), None, false);
    let second = plan_text(&three_tenants(false), Some(&first.placement()), false);
    let repacked = plan_text(&three_tenants(false), Some(&second.placement()), true);
    assert_eq!(repacked.clusters[0].formerly, ["acme-prod-standard-02"]);
    // alpha and beta come back: gamma keeps 01, a new cluster takes the name 02 again.
    let back = plan_text(&three_tenants(true), Some(&repacked.placement()), false);
    let names: Vec<&str> = back.clusters.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["acme-prod-standard-01", "acme-prod-standard-02"]);
    assert!(back.clusters.iter().all(|c| c.formerly.is_empty()));
    for (_, file) in tree_of(&back).files().filter(|(p, _)| is_tf(p)) {
        assert!(moves(&file.content).is_empty());
    }
}

#[test]
fn check_passes_right_after_a_repack_that_renamed_a_cluster() {
    let ws = tempfile::tempdir().unwrap();
    let dir = ws.path();
    fs::write(dir.join("b.yaml"), three_tenants(true)).unwrap();
    assert_eq!(run_in(dir, &["generate", "b.yaml", "-o", "out"]).code, 0);
    fs::write(dir.join("b.yaml"), three_tenants(false)).unwrap();
    assert_eq!(run_in(dir, &["generate", "b.yaml", "-o", "out"]).code, 0);
    let r = run_in(dir, &["generate", "b.yaml", "-o", "out", "--repack"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = fs::read_to_string(dir.join("out/terraform/prod/foundation/moved.tf")).unwrap();
    assert!(
        text.contains("moved {\n  from = module.foundation.aws_subnet.private[\"acme-prod-standard-02/0\"]\n  to   = module.foundation.aws_subnet.private[\"acme-prod-standard-01/0\"]\n}\n"),
        "{text}"
    );
    let check = run_in(dir, &["check", "b.yaml", "-o", "out"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

#[test]
fn hostile_tag_values_stay_inside_their_strings() {
    let hostile = [
        ("quote", r#"x" } resource "evil" "x" { y = "1"#),
        ("interpolation", "${file(\"/etc/passwd\")}"),
        ("directive", "%{ if true }yes%{ endif }"),
        ("backslash", r"C:\temp\ \"),
        ("comment", "a # b /* c */ // d"),
        ("brace", "}\n"),
    ];
    let mut tags = String::from("tags:\n");
    for (key, value) in &hostile[..5] {
        tags.push_str(&format!(
            "  {key}: {}\n",
            serde_json::to_string(value).unwrap()
        ));
    }
    let yaml = base(&[
        ("cloud: aws", "cloud: azure"),
        (
            "region: eu-central-1",
            &format!("region: westeurope\n{tags}"),
        ),
        (
            "account: \"111111111111\"",
            "account: 6f1c4a52-1d0e-4c7b-9b7e-2a1f3c4d5e6f",
        ),
        (
            "account: \"222222222222\"",
            "account: 0b1f6471-1bf0-4dda-aec3-111122223333",
        ),
        ("instanceType: m6i.xlarge", "instanceType: Standard_D8s_v5"),
    ]);
    let tree = tree_of(&plan_text(&yaml, None, false));
    let main = &tree
        .get("terraform/prod/foundation/main.tf")
        .unwrap()
        .content;
    let body: Body = main.parse().unwrap();
    // The tags the foundation stack passes its module.
    let call = body.get_blocks("module").next().unwrap();
    let Expression::Object(object) = &call.body.get_attribute("tags").unwrap().value else {
        panic!("tags is not an object");
    };
    let read: BTreeMap<String, Expression> = object
        .iter()
        .map(|(k, v)| {
            let key = match k {
                hcl::edit::expr::ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                other => panic!("key {other:?}"),
            };
            (key, v.expr().clone())
        })
        .collect();
    for (key, value) in &hostile[..5] {
        match &read[*key] {
            Expression::String(s) => assert_eq!(s.value(), value, "{key}"),
            other => panic!("{key} is not a plain string: {other:?}"),
        }
    }
    // Nothing was injected: the only blocks are the ones the template writes.
    for (path, file) in tree.files().filter(|(p, _)| is_tf(p)) {
        let body: Body = file.content.parse().unwrap();
        assert!(
            body.blocks()
                .all(|b| b.labels.iter().all(|l| l.as_str() != "evil")),
            "{path}"
        );
    }
    // A line break in a tag is refused before anything is generated.
    let ws = tempfile::tempdir().unwrap();
    let broken = yaml.replace(
        "  quote:",
        &format!(
            "  brace: {}\n  quote:",
            serde_json::to_string(hostile[5].1).unwrap()
        ),
    );
    fs::write(ws.path().join("b.yaml"), broken).unwrap();
    let r = run_in(ws.path(), &["generate", "b.yaml", "-o", "out"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("tags may not contain control characters"),
        "{}",
        r.stderr
    );
    assert!(!ws.path().join("out").exists());
}

#[test]
fn every_terraform_template_is_used() {
    let mut used = BTreeSet::new();
    for name in [
        "acme-aws",
        "umbrella-aws",
        "globex-gcp",
        "hooli-gcp",
        "initech-azure",
        "soylent-aws",
    ] {
        let yaml = fs::read_to_string(root().join(format!("blueprints/{name}.yaml"))).unwrap();
        for (_, file) in tree_of(&plan_text(&yaml, None, false)).files() {
            used.insert(file.source.clone());
        }
    }
    let first = plan_text(&three_tenants(true), None, false);
    let second = plan_text(&three_tenants(false), Some(&first.placement()), false);
    let repacked = plan_text(&three_tenants(false), Some(&second.placement()), true);
    assert!(
        terraform_text(&tree_of(&repacked)).contains("moved {"),
        "the moved template renders"
    );
    used.insert("terraform/moved.tf.tera".to_owned());
    for template in targets::templates::embedded().keys() {
        assert!(
            used.contains(template),
            "{template} renders in no test tree"
        );
    }
}
