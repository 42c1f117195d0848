//! The GCP Terraform: a foundation stack per environment and a stack per cluster over the
//! `gcp-cluster` module, and the review's GCP findings (issue 12), each checked on the
//! generated tree.

use std::collections::BTreeMap;
use std::path::Path;

use clusterwright::blueprint::Cloud;
use clusterwright::output::OutputTree;
use clusterwright::plan::NodeGroupCloud;
use clusterwright::targets::{self, Templates};
use hcl::edit::structure::{Block, Body};

use crate::common::plans::{bundled, file, plan_text, tree_of};

/// Every `.tf` under `terraform/`, by path.
fn tf_files(tree: &OutputTree) -> BTreeMap<String, String> {
    tree.files()
        .filter(|(p, _)| {
            p.starts_with("terraform/") && Path::new(p).extension().is_some_and(|e| e == "tf")
        })
        .map(|(p, f)| (p.to_owned(), f.content.clone()))
        .collect()
}

/// Every block named `ident`, at any depth of `body`.
fn blocks<'a>(body: &'a Body, ident: &str, out: &mut Vec<&'a Block>) {
    for block in body.blocks() {
        if block.ident.as_str() == ident {
            out.push(block);
        }
        blocks(&block.body, ident, out);
    }
}

fn find<'a>(body: &'a Body, ident: &str) -> Vec<&'a Block> {
    let mut out = Vec::new();
    blocks(body, ident, &mut out);
    out
}

/// The `resource "kind" "name"` block of `body`.
fn resource<'a>(body: &'a Body, kind: &str, name: &str) -> &'a Block {
    body.blocks()
        .find(|b| {
            b.ident.as_str() == "resource"
                && b.labels.first().is_some_and(|l| l.as_str() == kind)
                && b.labels.get(1).is_some_and(|l| l.as_str() == name)
        })
        .unwrap_or_else(|| panic!("no resource {kind}.{name}"))
}

fn attr(block: &Block, key: &str) -> String {
    block
        .body
        .get_attribute(key)
        .unwrap_or_else(|| panic!("no {key} in {}", block.ident.as_str()))
        .value
        .to_string()
        .trim()
        .to_owned()
}

fn parse(text: &str) -> Body {
    text.parse().unwrap_or_else(|e| panic!("{e}\n{text}"))
}

const MODULE: &str = "terraform/modules/gcp-cluster/main.tf";
const FOUNDATION: &str = "terraform/modules/gcp-foundation";

/// The review's finding 10: the APIs and the GKE service agent are in the foundation,
/// left on at destroy, and the key binding that names the agent waits for it.
#[test]
fn the_foundation_enables_the_apis_and_the_gke_service_agent_before_the_key_binding() {
    let tree = tree_of(&plan_text(&bundled("globex-gcp"), None, false));
    let main = parse(file(&tree, &format!("{FOUNDATION}/main.tf")));
    let kms = parse(file(&tree, &format!("{FOUNDATION}/kms.tf")));
    assert!(file(&tree, &format!("{FOUNDATION}/versions.tf")).contains("hashicorp/google-beta"));
    for env in ["prod", "prod-us", "staging"] {
        let call = parse(file(&tree, &format!("terraform/{env}/foundation/main.tf")));
        let call: Vec<&Block> = call.blocks().collect();
        assert_eq!(call.len(), 1, "{env}");
        assert_eq!(attr(call[0], "source"), "\"../../modules/gcp-foundation\"");
        let apis = resource(&main, "google_project_service", "this");
        let services = attr(apis, "for_each");
        for api in ["container", "compute", "cloudkms", "binaryauthorization"] {
            assert!(
                services.contains(&format!("\"{api}.googleapis.com\"")),
                "{env}: {api} not enabled: {services}"
            );
        }
        assert_eq!(attr(apis, "disable_on_destroy"), "false");
        let identity = resource(&main, "google_project_service_identity", "container");
        assert_eq!(attr(identity, "provider"), "google-beta");
        assert_eq!(attr(identity, "service"), "\"container.googleapis.com\"");
        assert!(attr(identity, "depends_on").contains("google_project_service.this"));
        let binding = resource(&kms, "google_kms_crypto_key_iam_member", "secrets");
        assert!(attr(binding, "member").contains("container-engine-robot"));
        assert!(
            attr(binding, "depends_on").contains("google_project_service_identity.container"),
            "{env}: the key binding does not wait for the service agent"
        );
        let versions = file(&tree, &format!("terraform/{env}/foundation/versions.tf"));
        assert!(versions.contains("hashicorp/google-beta"), "{versions}");
    }
}

/// The review's finding 11: google 7.6 changed what an unset `cpu_cfs_quota` means.
#[test]
fn every_kubelet_config_sets_cpu_cfs_quota() {
    let mut seen = 0;
    for name in ["globex-gcp", "hooli-gcp", "soylent-aws"] {
        for (path, text) in tf_files(&tree_of(&plan_text(&bundled(name), None, false))) {
            for block in find(&parse(&text), "kubelet_config") {
                assert_eq!(attr(block, "cpu_cfs_quota"), "true", "{path}");
                seen += 1;
            }
        }
    }
    assert!(seen > 0, "no kubelet_config at all");
}

/// The review's finding 21: `google` (and `google-beta`) pinned to one major, 8.x.
#[test]
fn google_is_pinned_to_one_major() {
    let tree = tree_of(&plan_text(&bundled("hooli-gcp"), None, false));
    let mut seen = 0;
    for (path, text) in tf_files(&tree) {
        for block in find(&parse(&text), "required_providers") {
            for provider in ["google", "google-beta"] {
                if let Some(a) = block.body.get_attribute(provider) {
                    let value = a.value.to_string();
                    assert!(
                        value.contains("version = \"~> 8.7\"")
                            || value.contains("version=\"~> 8.7\""),
                        "{path}: {provider} {value}"
                    );
                    seen += 1;
                }
            }
        }
    }
    assert!(seen >= 3, "{seen}");
}

/// The review's finding 19: `initial_node_count` is per zone; no pool starts above its
/// size (a pool of fewer nodes than zones is placed in as many zones).
#[test]
fn node_pools_never_start_above_their_size() {
    let mut seen = 0;
    for name in ["globex-gcp", "hooli-gcp", "soylent-aws"] {
        let plan = plan_text(&bundled(name), None, false);
        // soylent-aws: its GKE sandbox only.
        for cluster in plan.clusters.iter().filter(|c| c.cloud == Cloud::Gcp) {
            for group in &cluster.node_groups {
                let NodeGroupCloud::Gcp {
                    initial_nodes_per_zone,
                } = group.cloud
                else {
                    panic!("not a GKE pool")
                };
                let zones = group.nodes.min(3);
                assert!(initial_nodes_per_zone >= 1);
                assert!(
                    initial_nodes_per_zone * zones <= group.nodes,
                    "{} {}: {initial_nodes_per_zone} per zone for {} nodes",
                    cluster.name,
                    group.name,
                    group.nodes
                );
                if group.nodes >= 3 {
                    assert!(initial_nodes_per_zone * 3 <= group.nodes);
                }
                seen += 1;
            }
        }
    }
    assert!(seen > 20);
    let module = file(
        &tree_of(&plan_text(&bundled("hooli-gcp"), None, false)),
        MODULE,
    )
    .to_owned();
    let body = parse(&module);
    let pool = resource(&body, "google_container_node_pool", "this");
    assert_eq!(attr(pool, "initial_node_count"), "each.value.initial_nodes");
    assert!(attr(pool, "node_locations").contains("each.value.nodes < 3"));
}

/// The review's finding 23: weekly windows per environment, non-production first, that
/// meet GKE's 48 hours in any 32 days in stretches of at least 4 hours.
#[test]
fn clusters_have_the_environments_maintenance_windows() {
    let plan = plan_text(&bundled("globex-gcp"), None, false);
    let tree = tree_of(&plan);
    for cluster in &plan.clusters {
        let env = plan
            .environments
            .iter()
            .find(|e| e.name == cluster.environment)
            .unwrap();
        let m = &env.maintenance;
        assert!(m.hours >= 4);
        // Any 32 days hold 4 whole weeks.
        assert!(4 * u32::from(m.hours) * u32::try_from(m.byday.len()).unwrap() >= 48);
        let main = file(
            &tree,
            &format!("terraform/{}/{}/main.tf", env.name, cluster.name),
        );
        let days = if env.production { "WE,TH" } else { "MO,TU" };
        for expected in [
            format!("recurrence = \"FREQ=WEEKLY;BYDAY={days}\""),
            "start_time = \"2025-01-01T01:00:00Z\"".to_owned(),
            "end_time   = \"2025-01-01T07:00:00Z\"".to_owned(),
        ] {
            assert!(
                main.contains(&expected),
                "{}: {expected}\n{main}",
                cluster.name
            );
        }
    }
    let module = parse(file(&tree, MODULE));
    let window = find(&module, "recurring_window");
    assert_eq!(window.len(), 1);
    assert_eq!(attr(window[0], "recurrence"), "var.maintenance.recurrence");
}

/// The review's finding 2: the IAM-gated DNS endpoint is the way in, always on.
#[test]
fn the_dns_endpoint_is_always_on() {
    let tree = tree_of(&plan_text(&bundled("hooli-gcp"), None, false));
    let module = parse(file(&tree, MODULE));
    let cluster = resource(&module, "google_container_cluster", "this");
    let dns = find(&cluster.body, "dns_endpoint_config");
    assert_eq!(dns.len(), 1);
    assert_eq!(attr(dns[0], "allow_external_traffic"), "true");
    let outputs = file(&tree, "terraform/prod/hooli-prod-services-01/outputs.tf");
    assert!(outputs.contains("--dns-endpoint"), "{outputs}");
}

fn with_access(access: &str) -> String {
    let yaml = without_access(&bundled("globex-gcp"));
    let at = "    cidr: 10.16.0.0/16\n";
    assert!(yaml.contains(at));
    yaml.replacen(at, &format!("{at}{access}"), 1)
}

/// `access.endpoint: allowlist`: the ranges of `from` are the authorized networks, and
/// the IP endpoint gets its public address; `private` keeps it private.
#[test]
fn authorized_networks_come_from_access_from() {
    let yaml = with_access(
        "    access:\n      endpoint: allowlist\n      from: [203.0.113.0/24, 198.51.100.7/32]\n",
    );
    let tree = tree_of(&plan_text(&yaml, None, false));
    let call = |path: &str| {
        let body = parse(file(&tree, path));
        body.blocks().next().unwrap().clone()
    };
    let prod = call("terraform/prod/globex-prod-tenant-01/main.tf");
    assert_eq!(
        attr(&prod, "authorized_networks"),
        "[\"203.0.113.0/24\", \"198.51.100.7/32\"]"
    );
    assert_eq!(attr(&prod, "private_endpoint"), "false");
    // Another environment keeps the default.
    let staging = call("terraform/staging/globex-staging-tenant-01/main.tf");
    assert_eq!(attr(&staging, "private_endpoint"), "true");
    assert!(staging.body.get_attribute("authorized_networks").is_none());
    let module = parse(file(&tree, MODULE));
    let cluster = resource(&module, "google_container_cluster", "this");
    let networks = find(&cluster.body, "master_authorized_networks_config");
    assert_eq!(
        attr(networks[0], "gcp_public_cidrs_access_enabled"),
        "false"
    );
    let dynamic = find(&networks[0].body, "dynamic");
    assert_eq!(dynamic.len(), 1);
    assert_eq!(attr(dynamic[0], "for_each"), "var.authorized_networks");
    let private = find(&cluster.body, "private_cluster_config");
    assert_eq!(
        attr(private[0], "enable_private_endpoint"),
        "var.private_endpoint"
    );
}

/// `access.admins`: each is given roles/container.admin in the environment's project.
#[test]
fn admins_are_bound_to_kubernetes_engine_admin() {
    let yaml = with_access(
        "    access:\n      admins: [\"group:platform@globex.example\", \"serviceAccount:ci@globex-prod-4711.iam.gserviceaccount.com\"]\n",
    );
    let tree = tree_of(&plan_text(&yaml, None, false));
    let main = parse(file(&tree, &format!("{FOUNDATION}/main.tf")));
    let admins = resource(&main, "google_project_iam_member", "admins");
    assert_eq!(attr(admins, "role"), "\"roles/container.admin\"");
    assert_eq!(attr(admins, "member"), "each.key");
    assert_eq!(attr(admins, "for_each"), "toset(var.admins)");
    let call = parse(file(&tree, "terraform/prod/foundation/main.tf"));
    let call = call.blocks().next().unwrap();
    let members = attr(call, "admins");
    assert!(members.contains("\"group:platform@globex.example\""));
    assert!(members.contains("\"serviceAccount:ci@globex-prod-4711.iam.gserviceaccount.com\""));
    // No admins, no binding: the module's list is empty.
    let staging = parse(file(&tree, "terraform/staging/foundation/main.tf"));
    assert!(
        staging
            .blocks()
            .next()
            .unwrap()
            .body
            .get_attribute("admins")
            .is_none()
    );
}

/// The stacks: a foundation and a stack per cluster whose `main.tf` is one module call
/// (no resources, no other state read), node groups keyed by their plan names.
#[test]
fn each_cluster_is_a_stack_calling_the_module() {
    let plan = plan_text(&bundled("hooli-gcp"), None, false);
    let tree = tree_of(&plan);
    for cluster in &plan.clusters {
        let dir = format!("terraform/{}/{}", cluster.environment, cluster.name);
        let main = parse(file(&tree, &format!("{dir}/main.tf")));
        let modules: Vec<&Block> = main.blocks().collect();
        assert_eq!(modules.len(), 1, "{dir}");
        assert_eq!(modules[0].ident.as_str(), "module");
        assert_eq!(attr(modules[0], "source"), "\"../../modules/gcp-cluster\"");
        let groups = attr(modules[0], "node_groups");
        for group in &cluster.node_groups {
            // One line per group, keyed by its stable name.
            let line = groups
                .lines()
                .find(|l| {
                    l.trim_start()
                        .starts_with(&format!("\"{}\" = {{", group.name))
                })
                .unwrap_or_else(|| panic!("{dir}: no {}", group.name));
            assert!(line.ends_with('}'), "{dir}: {line}");
            assert!(
                line.contains(&format!("nodes = {},", group.nodes)),
                "{dir}: {line}"
            );
        }
        let versions = file(&tree, &format!("{dir}/versions.tf"));
        assert!(versions.contains(&format!(
            "prefix = \"clusterwright/hooli/{}/{}\"",
            cluster.environment, cluster.name
        )));
        for (path, text) in tf_files(&tree) {
            assert!(!text.contains("terraform_remote_state"), "{path}");
            assert!(!text.contains("-target"), "{path}");
        }
    }
    // The system pool is tainted for critical add-ons; an untrusted tenant's pool for it.
    let globex = tree_of(&plan_text(&bundled("globex-gcp"), None, false));
    let sandbox = file(&globex, "terraform/prod/globex-prod-sandbox-04/main.tf");
    assert!(sandbox.contains(
        "taints = [{ key = \"CriticalAddonsOnly\", value = \"true\", effect = \"NO_SCHEDULE\" }]"
    ));
    assert!(sandbox.contains(
        "taints = [{ key = \"clusterwright.io/tenant\", value = \"sandbox\", effect = \"NO_SCHEDULE\" }]"
    ));
    // Under Cilium the module adds Cilium's taint to every pool.
    let module = file(&tree, MODULE);
    assert!(module.contains("node.cilium.io/agent-not-ready"));
    assert!(module.contains("concat(each.value.taints, local.cilium_taints)"));
}

/// The review's finding 28: with Cilium's WireGuard the foundation opens UDP 51871
/// between the nodes of each cluster explicitly.
#[test]
fn cilium_encryption_has_its_firewall_rule() {
    let tree = tree_of(&plan_text(&bundled("hooli-gcp"), None, false));
    let call = file(&tree, "terraform/prod/foundation/main.tf");
    assert!(call.contains("cilium_encryption = \"wireguard\""), "{call}");
    let body = parse(file(&tree, &format!("{FOUNDATION}/network.tf")));
    let rule = resource(&body, "google_compute_firewall", "cilium_encryption");
    assert!(attr(rule, "for_each").contains("c.cilium_encryption != null"));
    let allow = find(&rule.body, "allow");
    assert!(attr(allow[0], "ports").contains("51871"));
    // Without Cilium, no cluster has one.
    let globex = tree_of(&plan_text(&bundled("globex-gcp"), None, false));
    let call = file(&globex, "terraform/prod/foundation/main.tf");
    assert!(!call.contains("cilium_encryption"));
}

/// A GCP blueprint of three tenants: `alpha` and `beta` fill `acme-prod-standard-01`,
/// `gamma` is alone in `acme-prod-standard-02`.
fn three_tenants(with_alpha_and_beta: bool) -> String {
    let mut y = "version: 1\nname: acme\ncloud: gcp\nregion: europe-west3\nkubernetesVersion: \"1.33\"\n\
         policy:\n  zeroTrust: false\n  encryption: network\n  networkEncryption: wireguard\n\
         environments:\n  prod: { production: true, account: acme-prod-4711, cidr: 10.0.0.0/14 }\n\
         organizations: { corporate: { boundary: soft } }\n\
         units:\n  standard: { tenantsPerCluster: 5, nodeGroupsPerCluster: 10, nodesPerGroup: 10, instanceType: n2-standard-4 }\n\
         tenants:\n"
        .to_owned();
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

/// A cluster renamed by `--repack`: the foundation moves its per-cluster resources (keyed
/// by cluster name) to the new key; the stack keeps the state of its first name.
#[test]
fn a_repack_rename_moves_the_foundations_per_cluster_resources() {
    let first = plan_text(&renamable(true), None, false);
    let names: Vec<&str> = first.clusters.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["acme-prod-standard-01", "acme-prod-standard-02"]);
    let second = plan_text(&renamable(false), Some(&first.placement()), false);
    assert!(
        tree_of(&second)
            .get("terraform/prod/foundation/moved.tf")
            .is_none()
    );
    let repacked = plan_text(&renamable(false), Some(&second.placement()), true);
    assert_eq!(repacked.clusters[0].formerly, ["acme-prod-standard-02"]);
    let tree = tree_of(&repacked);
    let moved = file(&tree, "terraform/prod/foundation/moved.tf");
    for kind in [
        "google_compute_subnetwork.cluster",
        "google_kms_crypto_key.secrets",
        "google_kms_crypto_key_iam_member.secrets",
        "google_compute_firewall.cilium_encryption",
    ] {
        let block = format!(
            "moved {{\n  from = module.foundation.{kind}[\"acme-prod-standard-02\"]\n  to   = module.foundation.{kind}[\"acme-prod-standard-01\"]\n}}"
        );
        assert!(moved.contains(&block), "{block}\nnot in\n{moved}");
    }
    // Every address resolves in the module the stack calls: a resource of that type and
    // name, keyed by cluster name (`for_each` over the clusters), and the new key is one
    // of the clusters the stack passes.
    let call = parse(file(&tree, "terraform/prod/foundation/main.tf"));
    let call = call.blocks().next().unwrap();
    assert_eq!(call.labels[0].as_str(), "foundation");
    assert!(attr(call, "clusters").contains("\"acme-prod-standard-01\" = {"));
    let module: Vec<Body> = tree
        .files()
        .filter(|(p, _)| {
            p.starts_with(FOUNDATION) && Path::new(p).extension().is_some_and(|e| e == "tf")
        })
        .map(|(_, f)| parse(&f.content))
        .collect();
    let body = parse(moved);
    let blocks = find(&body, "moved");
    assert_eq!(blocks.len(), 4);
    for block in blocks {
        for end in ["from", "to"] {
            let address = attr(block, end);
            let rest = address.strip_prefix("module.foundation.").unwrap();
            let (kind, rest) = rest.split_once('.').unwrap();
            let (name, _) = rest.split_once('[').unwrap();
            let found = module.iter().find_map(|b| {
                b.blocks().find(|r| {
                    r.ident.as_str() == "resource"
                        && r.labels[0].as_str() == kind
                        && r.labels[1].as_str() == name
                })
            });
            let found = found.unwrap_or_else(|| panic!("{address} is not in the module"));
            let each = attr(found, "for_each");
            assert!(
                each.contains("var.clusters") || each.starts_with("google_kms_crypto_key.secrets"),
                "{address}: {each}"
            );
        }
    }
    let versions = file(&tree, "terraform/prod/acme-prod-standard-01/versions.tf");
    assert!(
        versions.contains("prefix = \"clusterwright/acme/prod/acme-prod-standard-02\""),
        "{versions}"
    );
}

/// Lines that differ between two texts (a multiset difference each way, which is what
/// `diff` counts for insertions and in-place edits).
fn changed_lines(old: &str, new: &str) -> usize {
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for line in old.lines() {
        *counts.entry(line).or_default() += 1;
    }
    for line in new.lines() {
        *counts.entry(line).or_default() -= 1;
    }
    counts.values().map(|n| n.unsigned_abs()).sum::<u64>() as usize
}

/// Adding one tenant with one node group to one environment changes at most 15 lines
/// under `terraform/`, all in the `main.tf` of the cluster stack it lands in.
#[test]
fn adding_a_tenant_changes_at_most_15_lines() {
    for (name, like, org, unit) in [
        ("globex-gcp", "startup-e", "self-serve", "tenant"),
        ("hooli-gcp", "indexer", "search", "services"),
    ] {
        let yaml = bundled(name);
        let before_plan = plan_text(&yaml, None, false);
        let env = before_plan
            .clusters
            .iter()
            .find(|c| c.tenants.iter().any(|t| t == like))
            .map(|c| c.environment.as_str())
            .unwrap();
        let grown = format!(
            "{yaml}  zz-newcomer:\n    organization: {org}\n    trust: trusted\n    unit: {unit}\n    environments: [{env}]\n"
        );
        let after_plan = plan_text(&grown, Some(&before_plan.placement()), false);
        let before = tf_files(&tree_of(&before_plan));
        let after = tf_files(&tree_of(&after_plan));
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            after.keys().collect::<Vec<_>>()
        );
        let mut total = 0;
        for (path, old) in &before {
            let n = changed_lines(old, &after[path]);
            if n > 0 {
                assert!(path.ends_with("/main.tf"), "{name}: {path} changed");
            }
            total += n;
        }
        assert!((1..=15).contains(&total), "{name}: {total} lines changed");
    }
}

/// `yaml` without the `access` and `directory` settings of its environments: the tests
/// set their own.
fn without_access(yaml: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in yaml.lines() {
        if line.starts_with("    access:") || line.starts_with("    directory:") {
            skipping = line.starts_with("    access:");
            continue;
        }
        if skipping && line.starts_with("      ") {
            continue;
        }
        skipping = false;
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// [`three_tenants`] outside production: a repack keeps production clusters' names (a
/// renamed cluster is a replaced one), so renames happen only outside production.
fn renamable(with_alpha_and_beta: bool) -> String {
    let yaml = three_tenants(with_alpha_and_beta);
    assert!(yaml.contains("production: true"));
    yaml.replacen("production: true", "production: false", 1)
}

/// The modules derive some names (`<cluster>-secrets`, `<name>-deny-ingress`, the
/// Workload Identity pool); the plan stays their one source: a plan that names one
/// otherwise is refused as a bug before anything is rendered.
#[test]
fn a_name_the_modules_derive_must_be_the_plans() {
    let plan = plan_text(&bundled("hooli-gcp"), None, false);
    assert!(targets::render(&plan, &Templates::load(None).unwrap()).is_ok());
    let mut renamed = plan.clone();
    let cluster = &mut renamed.clusters[0];
    let clusterwright::plan::resources::ClusterResources::Gcp(gcp) = &mut cluster.resources else {
        panic!("not GKE");
    };
    gcp.secrets_key = "another-key".to_owned();
    let name = cluster.name.clone();
    match targets::render(&renamed, &Templates::load(None).unwrap()) {
        Err(clusterwright::error::Error::Bug(message)) => {
            assert!(
                message.contains(&format!("secrets key of cluster `{name}`")),
                "{message}"
            );
            assert!(message.contains(&format!("`{name}-secrets`")), "{message}");
            assert!(message.contains("`another-key`"), "{message}");
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
    let mut renamed = plan.clone();
    let clusterwright::plan::resources::EnvironmentCloud::Gcp(gcp) =
        &mut renamed.environments[0].resources.cloud
    else {
        panic!("not GCP");
    };
    gcp.deny_ingress_firewall = "deny-all".to_owned();
    assert!(matches!(
        targets::render(&renamed, &Templates::load(None).unwrap()),
        Err(clusterwright::error::Error::Bug(m)) if m.contains("deny-ingress firewall rule")
    ));
}
