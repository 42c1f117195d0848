//! Review that tells the truth (issue 13, wrong answers 2 and 3): a scripted set of
//! blueprint changes, each generated before and diffed after, yields the right impact
//! class in `diff --format json`, with production flagged; a tenant move keeps its old
//! node groups until `--complete-move`; and the replace table covers what the Terraform
//! templates set.

use std::path::Path;

use serde_json::Value;

use crate::common::{BASE, blueprint, root, run_in};

/// A second trusted tenant of the shared partition, so that a repack can move one.
const HOOLI: &str = "  hooli:\n    organization: corporate\n    trust: trusted\n    unit: standard\n    environments: [prod, staging]\n";

/// An untrusted tenant, alone in clusters of its own.
const INITECH: &str = "  initech:\n    organization: corporate\n    trust: untrusted\n    unit: standard\n    environments: [prod]\n";

/// `before` generated into `DIR/out`, then `after` written over the blueprint: the
/// directory, for the runs that follow.
fn generated(before: &str, after: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.yaml"), before).unwrap();
    let run = run_in(dir.path(), &["generate", "b.yaml", "-o", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    std::fs::write(dir.path().join("b.yaml"), after).unwrap();
    dir
}

/// `diff --format json` in `dir` (with `extra` arguments): the document.
fn diff_json(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["diff", "b.yaml", "-o", "out", "--format", "json"];
    args.extend(extra);
    let run = run_in(dir, &args);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

/// The impacts of going from `before` to `after`.
fn impacts(before: &str, after: &str, extra: &[&str]) -> Vec<Value> {
    let dir = generated(before, after);
    let doc = diff_json(dir.path(), extra);
    doc["impacts"].as_array().cloned().unwrap_or_default()
}

/// The first impact of class `class` on a cluster whose name contains `cluster` (and on
/// node group `group`, when given); panics with all impacts when there is none.
fn find<'a>(all: &'a [Value], class: &str, cluster: &str, group: Option<&str>) -> &'a Value {
    all.iter()
        .find(|i| {
            i["impact"] == class
                && i["cluster"].as_str().unwrap().contains(cluster)
                && group.is_none_or(|g| i["nodeGroup"] == g)
        })
        .unwrap_or_else(|| {
            panic!(
                "no `{class}` of `{cluster}` {group:?} in:\n{}",
                serde_json::to_string_pretty(all).unwrap()
            )
        })
}

fn with_tenant(text: &str, tenant: &str) -> String {
    format!("{text}{tenant}")
}

#[test]
fn a_region_change_replaces_every_cluster_and_production_is_flagged() {
    let all = impacts(
        BASE,
        &blueprint(&[("region: eu-central-1", "region: eu-west-3")]),
        &[],
    );
    let prod = find(&all, "replace", "acme-prod", None);
    assert_eq!(prod["production"], true);
    assert_eq!(prod["environment"], "prod");
    assert!(
        prod["reason"].as_str().unwrap().contains("eu-west-3"),
        "{prod}"
    );
    assert!(
        prod["source"]
            .as_str()
            .unwrap()
            .contains("terraform-provider-aws"),
        "{prod}"
    );
    find(&all, "replace", "acme-staging", None);
    // Production first.
    assert_eq!(all[0]["production"], true, "{all:?}");
}

#[test]
fn an_account_change_replaces_the_environment_s_clusters() {
    let all = impacts(
        BASE,
        &blueprint(&[("\"111111111111\"", "\"444444444444\"")]),
        &[],
    );
    let prod = find(&all, "replace", "acme-prod", None);
    assert_eq!(prod["production"], true);
    assert!(
        prod["reason"].as_str().unwrap().contains("444444444444"),
        "{prod}"
    );
    assert!(
        !all.iter()
            .any(|i| i["impact"] == "replace" && i["environment"] == "staging"),
        "staging keeps its account: {all:?}"
    );
}

#[test]
fn a_kubernetes_upgrade_updates_control_planes_and_rolls_node_groups() {
    let all = impacts(
        BASE,
        &blueprint(&[("kubernetesVersion: \"1.35\"", "kubernetesVersion: \"1.36\"")]),
        &[],
    );
    find(&all, "update", "acme-prod", None);
    let roll = find(&all, "roll", "acme-prod", Some("globex-1"));
    assert_eq!(roll["production"], true);
    find(&all, "roll", "acme-prod", Some("system"));
    let dir = generated(
        BASE,
        &blueprint(&[("kubernetesVersion: \"1.35\"", "kubernetesVersion: \"1.36\"")]),
    );
    assert_eq!(
        diff_json(dir.path(), &[])["dangerous"],
        true,
        "a production roll is flagged"
    );
}

#[test]
fn an_instance_type_change_replaces_eks_node_groups() {
    let all = impacts(
        BASE,
        &blueprint(&[("instanceType: m6i.xlarge", "instanceType: m6i.2xlarge")]),
        &[],
    );
    let group = find(&all, "replace", "acme-prod", Some("globex-1"));
    assert_eq!(group["production"], true);
    let reason = group["reason"].as_str().unwrap();
    assert!(
        reason.contains("aws_eks_node_group.instance_types"),
        "{reason}"
    );
    assert!(
        group["source"].as_str().unwrap().contains("eks_node_group"),
        "{group}"
    );
}

#[test]
fn an_untrusted_tenant_made_trusted_is_a_weakening() {
    let before = with_tenant(BASE, INITECH);
    let after = before.replace("trust: untrusted", "trust: trusted");
    let all = impacts(&before, &after, &[]);
    let weaken = find(&all, "weaken", "acme-prod-initech", None);
    assert_eq!(weaken["production"], true);
    assert!(
        weaken["reason"].as_str().unwrap().contains("isolation"),
        "{weaken}"
    );
    find(&all, "weaken", "acme-prod-initech", Some("initech-1"));
}

#[test]
fn an_encryption_change_that_drops_cilium_replaces_and_weakens_and_uninstalls() {
    let after = blueprint(&[("encryption: defense-in-depth", "encryption: mtls")]);
    let dir = generated(BASE, &after);
    let doc = diff_json(dir.path(), &[]);
    let all = doc["impacts"].as_array().unwrap();
    let replace = find(all, "replace", "acme-prod", None);
    let reason = replace["reason"].as_str().unwrap();
    assert!(reason.contains("bootstrap_self_managed_addons"), "{reason}");
    assert!(
        reason.contains("new clusters alongside"),
        "the safe path: {reason}"
    );
    find(all, "weaken", "acme-prod", None);
    assert_eq!(doc["dangerous"], true);
    // Cilium leaves the helmfile as `installed: false`, for one generation.
    let run = run_in(dir.path(), &["generate", "b.yaml", "-o", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let helmfile = std::fs::read_to_string(
        dir.path()
            .join("out/helm/acme-prod-standard-01/helmfile.yaml"),
    )
    .unwrap();
    let retired = helmfile.split("- name: cilium").nth(1).unwrap_or_default();
    assert!(retired.contains("installed: false"), "{helmfile}");
    // Regenerating changes nothing (the uninstall stays until the releases change again),
    // so the CI gate passes right after `generate`: planned again, not from the cache.
    let cache = dir.path().join("out/.clusterwright/cache");
    let _ = std::fs::remove_file(&cache);
    let run = run_in(dir.path(), &["check", "b.yaml", "-o", "out"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let _ = std::fs::remove_file(&cache);
    let run = run_in(dir.path(), &["generate", "b.yaml", "-o", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("updated 0, deleted 0"),
        "{}",
        run.stdout
    );
    let again = std::fs::read_to_string(
        dir.path()
            .join("out/helm/acme-prod-standard-01/helmfile.yaml"),
    )
    .unwrap();
    assert_eq!(again, helmfile);
}

#[test]
fn a_waiver_added_is_a_weakening() {
    let before = blueprint(&[("encryption: defense-in-depth", "encryption: mtls")]);
    let after = before.replace(
        "  mesh: istio\n",
        "  mesh: istio\n  waivers:\n    - rule: mesh-addon-traffic\n      reason: CoreDNS runs as NodeLocal DNSCache\n",
    );
    let all = impacts(&before, &after, &[]);
    let weaken = find(&all, "weaken", "acme-prod", None);
    assert!(
        weaken["reason"]
            .as_str()
            .unwrap()
            .contains("mesh-addon-traffic"),
        "{weaken}"
    );
    assert_eq!(weaken["production"], true);
}

#[test]
fn a_tenant_removed_destroys_its_node_groups() {
    let before = with_tenant(BASE, HOOLI);
    let all = impacts(&before, BASE, &[]);
    let destroy = find(&all, "destroy", "acme-prod", Some("hooli-1"));
    assert_eq!(destroy["production"], true);
    assert!(
        destroy["reason"].as_str().unwrap().contains("removed"),
        "{destroy}"
    );
}

/// Wrong answer 3: a move removed the old node group in the apply that created the new
/// cluster, and node-group removal was not flagged.
#[test]
fn a_tenant_move_keeps_its_old_node_groups_until_the_move_is_completed() {
    let before = with_tenant(BASE, HOOLI);
    let after = before.replace("tenantsPerCluster: 5", "tenantsPerCluster: 1");
    let dir = generated(&before, &after);
    let old_tf = |dir: &Path| {
        std::fs::read_to_string(dir.join("out/terraform/prod/cluster_acme-prod-standard-01.tf"))
            .or_else(|_| {
                std::fs::read_to_string(
                    dir.join("out/terraform/prod/acme-prod-standard-01/main.tf"),
                )
            })
            .unwrap_or_default()
    };
    let had_hooli = old_tf(dir.path()).contains("hooli-1");
    let doc = diff_json(dir.path(), &["--repack"]);
    let all = doc["impacts"].as_array().unwrap();
    let away = find(all, "destroy", "acme-prod-standard-01", None);
    let reason = away["reason"].as_str().unwrap();
    assert!(reason.contains("moves away"), "{reason}");
    assert!(reason.contains("--complete-move"), "{reason}");
    assert!(
        !all.iter()
            .any(|i| i["impact"] == "replace" && i["production"] == true),
        "no production cluster is renamed by the repack: {all:?}"
    );
    let run = run_in(dir.path(), &["generate", "b.yaml", "-o", "out", "--repack"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let placement = std::fs::read_to_string(dir.path().join("out/placement.yaml")).unwrap();
    assert!(placement.contains("draining: true"), "{placement}");
    assert!(
        placement.contains("acme-prod-standard-01:"),
        "the production name stays"
    );
    if had_hooli {
        assert!(
            old_tf(dir.path()).contains("hooli-1"),
            "the old node group stays in the old cluster's Terraform"
        );
    }
    // Without the flag, nothing changes: the draining groups are recorded.
    let _ = std::fs::remove_file(dir.path().join("out/.clusterwright/cache"));
    let run = run_in(dir.path(), &["check", "b.yaml", "-o", "out"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    // A tenant that did not move has nothing to complete.
    let run = run_in(
        dir.path(),
        &["diff", "b.yaml", "-o", "out", "--complete-move", "globex"],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("has no move to complete"),
        "{}",
        run.stderr
    );
    // Completing the move removes the old groups, flagged as a destroy.
    let record = clusterwright::plan::Placement::parse(&placement).unwrap();
    let moved = record
        .environments
        .values()
        .flat_map(|env| env.values())
        .filter_map(|c| c.facts.as_ref())
        .flat_map(|f| f.node_groups.values())
        .find(|g| g.draining)
        .and_then(|g| g.tenant.clone())
        .unwrap();
    let moved = moved.as_str();
    let doc = diff_json(dir.path(), &["--complete-move", moved]);
    let all = doc["impacts"].as_array().unwrap();
    let gone = find(all, "destroy", "acme-prod", Some(&format!("{moved}-1")));
    assert!(
        gone["reason"]
            .as_str()
            .unwrap()
            .contains("move is completed"),
        "{gone}"
    );
    let run = run_in(
        dir.path(),
        &["generate", "b.yaml", "-o", "out", "--complete-move", moved],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let placement = std::fs::read_to_string(dir.path().join("out/placement.yaml")).unwrap();
    assert!(!placement.contains("draining: true"), "{placement}");
    let run = run_in(dir.path(), &["check", "b.yaml", "-o", "out"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn markdown_cautions_replacements_production_first() {
    let dir = generated(
        BASE,
        &blueprint(&[("region: eu-central-1", "region: eu-west-3")]),
    );
    let run = run_in(
        dir.path(),
        &["diff", "b.yaml", "-o", "out", "--format", "markdown"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&run.stdout));
    let caution = html
        .split("[!CAUTION]")
        .nth(1)
        .and_then(|rest| rest.split("</blockquote>").next())
        .unwrap_or_else(|| panic!("no caution block:\n{html}"));
    let prod = caution.find("acme-prod-standard-01").unwrap();
    let staging = caution.find("acme-staging-standard-01").unwrap();
    assert!(prod < staging, "production first:\n{caution}");
    assert!(
        caution.contains("<li><strong>replace</strong> cluster <code>acme-prod"),
        "{caution}"
    );
}

#[test]
fn a_placement_without_facts_still_parses_and_reviews() {
    let before = with_tenant(BASE, HOOLI);
    let dir = generated(&before, BASE);
    let path = dir.path().join("out/placement.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    // Drop every `facts:` block and the policy record, as an older clusterwright wrote it.
    let mut old = String::new();
    let mut skip: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(at) = skip {
            if indent > at || line.trim_start().starts_with("- ") && indent >= at {
                continue;
            }
            skip = None;
        }
        if line.trim_start() == "facts:" || line == "policy:" {
            skip = Some(indent);
            continue;
        }
        old.push_str(line);
        old.push('\n');
    }
    assert!(!old.contains("facts:"), "{old}");
    std::fs::write(&path, old).unwrap();
    let doc = diff_json(dir.path(), &[]);
    let all = doc["impacts"].as_array().unwrap();
    find(all, "destroy", "acme-prod", Some("hooli-1"));
}

/// Every resource type the Terraform templates emit is in the replace table or listed as
/// driven by no plan fact; every row's attribute is set by the templates; every
/// attribute a plan fact drives and that forces replacement has a row. Read from the
/// templates at test time: they are being restructured.
#[test]
fn the_replace_table_covers_what_the_templates_set() {
    use clusterwright::cloud::replace::{Effect, NOT_DRIVEN, TABLE};
    let mut text = String::new();
    let mut stack = vec![root().join("templates/terraform")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                text.push_str(&std::fs::read_to_string(&path).unwrap());
                text.push('\n');
            }
        }
    }
    let types: std::collections::BTreeSet<&str> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("resource \""))
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(
        !types.is_empty(),
        "no resource types found in the templates"
    );
    let mut uncovered = Vec::new();
    for t in &types {
        let in_table = TABLE.iter().any(|r| r.resource == *t);
        let listed = NOT_DRIVEN.iter().any(|(n, _)| n == t);
        if !in_table && !listed {
            uncovered.push(*t);
        }
    }
    assert!(
        uncovered.is_empty(),
        "resource types the templates emit that the replace table does not cover: {uncovered:?}"
    );
    // A row that says the attribute forces replacement must be about one the templates
    // set (rows that roll or update describe what review says, set or not).
    let unset: Vec<String> = TABLE
        .iter()
        .filter(|r| r.effect == Effect::Replace && types.contains(r.resource))
        .filter(|r| {
            let attribute = r.attribute.rsplit('.').next().unwrap();
            !text.contains(&format!("{attribute} ")) && !text.contains(&format!("{attribute}="))
        })
        .map(|r| format!("{}.{}", r.resource, r.attribute))
        .collect();
    assert!(
        unset.is_empty(),
        "rows whose attribute the templates do not set: {unset:?}"
    );
    // The attributes plan facts drive that force replacement, per cloud.
    for (resource, attribute) in [
        ("aws_eks_cluster", "name"),
        ("aws_eks_cluster", "bootstrap_self_managed_addons"),
        (
            "aws_eks_cluster",
            "kubernetes_network_config.service_ipv4_cidr",
        ),
        ("aws_eks_cluster", "encryption_config.provider.key_arn"),
        ("aws_eks_node_group", "instance_types"),
        ("aws_eks_node_group", "subnet_ids"),
        ("aws_subnet", "cidr_block"),
        ("aws_vpc", "cidr_block"),
        ("google_container_cluster", "name"),
        ("google_container_cluster", "location"),
        ("google_container_cluster", "project"),
        ("google_container_cluster", "datapath_provider"),
        (
            "google_container_cluster",
            "private_cluster_config.master_ipv4_cidr_block",
        ),
        ("google_compute_subnetwork", "ip_cidr_range"),
        ("azurerm_kubernetes_cluster", "name"),
        ("azurerm_kubernetes_cluster", "location"),
        (
            "azurerm_kubernetes_cluster",
            "network_profile.network_plugin",
        ),
        ("azurerm_kubernetes_cluster", "network_profile.pod_cidr"),
        ("azurerm_kubernetes_cluster", "network_profile.service_cidr"),
        ("azurerm_kubernetes_cluster", "disk_encryption_set_id"),
        ("azurerm_kubernetes_cluster_node_pool", "vnet_subnet_id"),
        ("azurerm_subnet", "address_prefixes"),
    ] {
        let row = TABLE
            .iter()
            .find(|r| r.resource == resource && r.attribute == attribute)
            .unwrap_or_else(|| panic!("{resource}.{attribute} is not in the replace table"));
        assert_eq!(row.effect, Effect::Replace, "{resource}.{attribute}");
        assert!(
            !row.source.is_empty(),
            "{resource}.{attribute} has no source"
        );
    }
}

/// The replace table decides per cloud: GKE rolls a node pool to a new machine type in
/// place, AKS cycles the pool through `temporary_name_for_rotation`, which the module sets
/// (without it, the pool would be replaced).
#[test]
fn an_instance_type_change_rolls_on_gke_and_aks() {
    let policy = "  zeroTrust: true\n  encryption: defense-in-depth\n  mesh: istio\n";
    let gcp = crate::common::blueprint_on("gcp", policy);
    let all = impacts(&gcp, &gcp.replace("n2-standard-4", "n2-standard-8"), &[]);
    let roll = find(&all, "roll", "acme-prod", Some("shop-1"));
    assert!(
        roll["reason"]
            .as_str()
            .unwrap()
            .contains("node_config.machine_type"),
        "{roll}"
    );
    let azure = crate::common::blueprint_on("azure", policy);
    let all = impacts(
        &azure,
        &azure.replace("Standard_D4s_v5", "Standard_D8s_v5"),
        &[],
    );
    // The module sets `temporary_name_for_rotation`: AKS cycles the pool, nodes roll.
    let roll = find(&all, "roll", "acme-prod", Some("shop-1"));
    assert!(
        roll["reason"].as_str().unwrap().contains("vm_size"),
        "{roll}"
    );
}

/// GKE: an encryption change that swaps the datapath replaces the cluster.
#[test]
fn a_datapath_swap_replaces_a_gke_cluster() {
    let before = crate::common::blueprint_on(
        "gcp",
        "  zeroTrust: true\n  encryption: defense-in-depth\n  mesh: istio\n",
    );
    let after = before.replace("encryption: defense-in-depth", "encryption: mtls");
    let all = impacts(&before, &after, &[]);
    let replace = find(&all, "replace", "acme-prod", None);
    let reason = replace["reason"].as_str().unwrap();
    assert!(reason.contains("datapath_provider"), "{reason}");
    assert!(reason.contains("new clusters alongside"), "{reason}");
}

#[test]
fn a_kubernetes_version_that_skips_a_minor_version_of_running_clusters_is_refused() {
    // Generated on 1.34, then two minor versions up: every cloud refuses that apply.
    let dir = generated(
        &blueprint(&[("kubernetesVersion: \"1.35\"", "kubernetesVersion: \"1.34\"")]),
        &blueprint(&[("kubernetesVersion: \"1.35\"", "kubernetesVersion: \"1.36\"")]),
    );
    let run = run_in(dir.path(), &["diff", "b.yaml", "-o", "out"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    insta::assert_snapshot!(run.stderr);
    // One minor version up is an upgrade, reviewed as such.
    let dir = generated(
        &blueprint(&[("kubernetesVersion: \"1.35\"", "kubernetesVersion: \"1.34\"")]),
        BASE,
    );
    let all = diff_json(dir.path(), &[]);
    assert!(
        all["impacts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["impact"] == "update"),
        "{all}"
    );
}
