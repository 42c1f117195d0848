//! Cilium, the cluster's EC2 rights, the Helm hooks and the Kubernetes version rules
//! (issue 14, findings 7, 9, 10, 11 and 12): the generated files and the plan.

use std::fs;
use std::path::Path;
use std::process::Command;

use clusterwright::blueprint::{self, diagnostic::Rule, validate::validate};
use clusterwright::cloud::{Cloud, support};
use clusterwright::output::OutputTree;
use clusterwright::plan::network::POD_SUBNET_TAG;
use clusterwright::plan::{self, Plan};
use clusterwright::targets::{self, Templates};

use crate::common::{blueprint_on, root};

fn tree_of(yaml: &str) -> (Plan, OutputTree) {
    let loaded =
        blueprint::parse(Path::new("t.yaml"), yaml.to_owned()).unwrap_or_else(|p| panic!("{p:?}"));
    let validated = validate(loaded).unwrap_or_else(|p| panic!("{:#?}", p.problems()));
    let plan = plan::plan(&validated, None, false).unwrap_or_else(|e| panic!("{e:?}"));
    let tree = targets::render(&plan, &Templates::load(None).unwrap()).unwrap();
    (plan, tree)
}

const WIREGUARD: &str =
    "  zeroTrust: false\n  encryption: network\n  networkEncryption: wireguard\n";
const IPSEC: &str = "  zeroTrust: false\n  encryption: network\n  networkEncryption: ipsec\n  waivers: [{ rule: encryption-coverage, reason: test }]\n";
const LINKERD: &str = "  zeroTrust: true\n  encryption: mtls\n  mesh: linkerd\n  waivers: [{ rule: mesh-addon-traffic, reason: test }]\n";
const HARDWARE: &str = "  zeroTrust: false\n  encryption: cloud-hardware\n";

fn file<'a>(tree: &'a OutputTree, path: &str) -> &'a str {
    &tree
        .get(path)
        .unwrap_or_else(|| panic!("{path} not generated"))
        .content
}

/// The `statement { ... }` blocks of the `cilium_operator` policy document.
fn operator_statements(iam: &str) -> Vec<String> {
    let start = iam
        .find("data \"aws_iam_policy_document\" \"cilium_operator\"")
        .expect("cilium_operator policy");
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<String> = None;
    for line in iam[start..].lines().skip(1) {
        let t = line.trim();
        if depth == 0 && t.starts_with("statement {") {
            current = Some(String::new());
        }
        if let Some(c) = current.as_mut() {
            c.push_str(t);
            c.push('\n');
        }
        depth += t.matches('{').count();
        depth = depth.saturating_sub(t.matches('}').count());
        if depth == 0 {
            if let Some(c) = current.take() {
                out.push(c);
            }
            if t == "}" && out.is_empty() {
                break;
            }
        }
        if t == "}" && depth == 0 && !line.starts_with(' ') {
            break;
        }
    }
    out
}

#[test]
fn cilium_operator_changes_only_its_own_clusters_enis_and_instances() {
    // Finding 7: in a shared account the operator's writes are held to resources tagged
    // with its cluster (and new ENIs must carry that tag), and the operator is told to tag
    // the ENIs it creates so.
    let (plan, tree) = tree_of(&blueprint_on("aws", WIREGUARD));
    let iam = file(&tree, "terraform/modules/aws-cluster/iam.tf");
    let statements = operator_statements(iam);
    assert!(statements.len() >= 5, "{statements:#?}");
    for s in &statements {
        let writes = s.contains("ec2:Create")
            || s.contains("ec2:Attach")
            || s.contains("ec2:Delete")
            || s.contains("ec2:Modify")
            || s.contains("ec2:Assign");
        if writes {
            assert!(s.contains("condition {"), "unconditioned write:\n{s}");
            assert!(!s.contains("resources = [\"*\"]"), "{s}");
        }
    }
    let existing = statements
        .iter()
        .find(|s| s.contains("ec2:ModifyNetworkInterfaceAttribute"))
        .unwrap();
    assert!(
        existing.contains("variable = \"ec2:ResourceTag/cluster\""),
        "{existing}"
    );
    assert!(existing.contains("values   = [var.name]"), "{existing}");
    assert!(
        !existing.contains("ec2:CreateNetworkInterface"),
        "{existing}"
    );
    let create = statements
        .iter()
        .find(|s| s.contains("ec2:CreateNetworkInterface") && s.contains(":network-interface/*"))
        .unwrap();
    assert!(create.contains("aws:RequestTag/cluster"), "{create}");
    let subnet = statements
        .iter()
        .find(|s| s.contains("ec2:CreateNetworkInterface") && s.contains(":subnet/*"))
        .unwrap();
    assert!(
        subnet.contains(&format!("ec2:ResourceTag/{POD_SUBNET_TAG}")),
        "{subnet}"
    );
    let tags = statements
        .iter()
        .find(|s| s.contains("ec2:CreateTags"))
        .unwrap();
    assert!(tags.contains("ec2:CreateAction"), "{tags}");

    // The values tag every ENI the operator creates with the name the module's var.name
    // holds (the cluster's name, which the launch template puts on instances and ENIs).
    for cluster in &plan.clusters {
        let values = file(&tree, &format!("helm/{}/cilium.values.yaml", cluster.name));
        assert!(
            values.contains(&format!(
                "  eniTags:\n    \"cluster\": \"{}\"\n",
                cluster.name
            )) || values.contains(&format!("  eniTags:\n    cluster: {}\n", cluster.name)),
            "{values}"
        );
    }
}

#[test]
fn the_vpc_cni_enforces_policies_from_a_pods_first_packet() {
    // Finding 10: standard mode leaves a new pod open until its policies load.
    let (_, tree) = tree_of(&blueprint_on("aws", HARDWARE));
    let addons = file(&tree, "terraform/modules/aws-cluster/addons.tf");
    assert!(
        addons.contains("enableNetworkPolicy = \"true\""),
        "{addons}"
    );
    // hclfmt aligns the `=` of the map's keys.
    let squashed = addons.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        squashed.contains("NETWORK_POLICY_ENFORCING_MODE = \"strict\""),
        "{addons}"
    );
    let decisions = file(&tree, "DECISIONS.md");
    assert!(
        decisions.contains("NETWORK_POLICY_ENFORCING_MODE=strict"),
        "{decisions}"
    );
}

#[test]
fn strict_egress_runs_with_ipsec_where_the_pod_range_allows_it() {
    // Finding 10: Cilium supports strict egress with IPsec since 1.19. On EKS pods have a
    // range of their own (issue 16): the secondary VPC range.
    for (cloud, strict) in [("gcp", true), ("azure", true), ("aws", true)] {
        let (plan, tree) = tree_of(&blueprint_on(cloud, IPSEC));
        for cluster in &plan.clusters {
            let cilium = cluster.networking.cilium().unwrap();
            assert_eq!(cilium.strict_egress.is_some(), strict, "{cloud}");
            assert!(
                !cilium.strict_ingress,
                "{cloud}: strict ingress is WireGuard's"
            );
            let values = file(&tree, &format!("helm/{}/cilium.values.yaml", cluster.name));
            assert_eq!(
                values.contains("    egress:\n      enabled: true"),
                strict,
                "{values}"
            );
        }
        let decisions = file(&tree, "DECISIONS.md");
        assert!(
            !decisions.contains("not documented for"),
            "{cloud}:\n{decisions}"
        );
    }
}

#[test]
fn the_decision_record_says_what_strict_ingress_and_node_encryption_really_do() {
    // Finding 10: the packet has crossed the wire when strict ingress drops it; remote-node
    // sources are exempt; node-to-node WireGuard is beta upstream; tenant webhooks.
    for cloud in ["aws", "gcp", "azure"] {
        let (_, tree) = tree_of(&blueprint_on(cloud, WIREGUARD));
        let decisions = file(&tree, "DECISIONS.md");
        assert!(
            !decisions.contains("strict ingress drops it"),
            "{decisions}"
        );
        assert!(
            decisions.contains("already crossed the network"),
            "{decisions}"
        );
        assert!(
            decisions.contains("API server counts as one"),
            "{decisions}"
        );
        assert!(
            decisions.contains("Node-to-Node Encryption (beta)"),
            "{decisions}"
        );
        assert!(
            decisions.contains("admission or conversion webhook"),
            "{decisions}"
        );
    }
}

#[test]
fn hubble_certificates_are_not_regenerated_on_every_render() {
    // Finding 12: `helm` (the chart's default) makes new certificates on every render.
    for cloud in ["aws", "gcp", "azure"] {
        let (plan, tree) = tree_of(&blueprint_on(cloud, WIREGUARD));
        for cluster in &plan.clusters {
            let values = file(&tree, &format!("helm/{}/cilium.values.yaml", cluster.name));
            assert!(
                values.contains("hubble:\n  tls:\n    auto:\n")
                    && values.contains("      method: cronJob\n"),
                "{values}"
            );
        }
    }
}

/// The `sh -c` script of the hook whose comment mentions `what`, and its arguments.
fn hook_script(helmfile: &str, what: &str) -> (String, Vec<String>) {
    let at = helmfile
        .find(what)
        .unwrap_or_else(|| panic!("no hook {what}:\n{helmfile}"));
    let rest = &helmfile[at..];
    let start = rest.find("          - >-\n").unwrap() + "          - >-\n".len();
    let mut script = Vec::new();
    let mut args = Vec::new();
    let mut in_script = true;
    for line in rest[start..].lines() {
        if in_script {
            if let Some(l) = line.strip_prefix("            ") {
                script.push(l.to_owned());
                continue;
            }
            in_script = false;
        }
        match line.strip_prefix("          - ") {
            Some(arg) => args.push(arg.trim_matches('"').to_owned()),
            None => break,
        }
    }
    // A folded scalar: lines joined by spaces.
    (script.join(" "), args)
}

/// Runs `sh -c script args...` (`args[0]` is the script's `$0`) with a fake `kubectl`
/// first on PATH that logs its arguments and answers `get crd` with `installed`; returns
/// whether it succeeded and the log.
fn run_with_fake_kubectl(script: &str, args: &[String], installed: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let kubectl = dir.path().join("kubectl");
    fs::write(
        &kubectl,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\ncase \"$*\" in *\"get crd\"*) printf '%s' '{installed}';; esac\nexit 0\n",
            log.display()
        ),
    )
    .unwrap();
    let status = Command::new("chmod")
        .arg("+x")
        .arg(&kubectl)
        .status()
        .unwrap();
    assert!(status.success());
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap()
    );
    let status = Command::new("sh")
        .arg("-c")
        .arg(script)
        .args(args)
        .env("PATH", path)
        .status()
        .unwrap();
    (
        status.success(),
        fs::read_to_string(&log).unwrap_or_default(),
    )
}

#[test]
fn gateway_api_crds_are_applied_server_side_and_never_downgraded() {
    // Finding 12: the hook runs in POSIX sh with the cluster's kubectl; a newer bundle
    // stays, an older or missing one is applied server-side.
    let (plan, tree) = tree_of(&blueprint_on("aws", LINKERD));
    let cluster = &plan.clusters[0].name;
    let helmfile = file(&tree, &format!("helm/{cluster}/helmfile.yaml"));
    let (script, args) = hook_script(helmfile, "The Gateway API CRDs");
    assert_eq!(args[0], "sh");
    assert_eq!(args[1], *cluster);
    assert_eq!(args[2], "v1.2.1");
    for (installed, applied) in [
        ("", true),
        ("v1.1.0", true),
        ("v1.2.1", true),
        ("v1.5.1", false),
        ("v1.10.0", false),
    ] {
        let (ok, log) = run_with_fake_kubectl(&script, &args, installed);
        assert!(ok, "{installed}: {log}");
        let apply = log.lines().find(|l| l.contains(" apply "));
        assert_eq!(apply.is_some(), applied, "{installed}: {log}");
        if let Some(apply) = apply {
            assert!(apply.contains("--server-side"), "{apply}");
            assert!(apply.contains(&args[3]), "{apply}");
        }
    }
}

#[test]
fn manifest_hooks_retry_until_the_webhooks_answer() {
    // Finding 12: bounded retries with backoff, in POSIX sh.
    let (plan, tree) = tree_of(&blueprint_on("aws", LINKERD));
    let cluster = &plan.clusters[0].name;
    let helmfile = file(&tree, &format!("helm/{cluster}/helmfile.yaml"));
    let (script, args) = hook_script(helmfile, "Apply the cluster's manifests");
    assert!(script.contains("until kubectl"), "{script}");
    assert!(script.contains("-ge 6"), "{script}");
    assert!(script.contains("delay=$((delay * 2))"), "{script}");
    assert_eq!(args[0], "sh");
    assert_eq!(args[1], *cluster);
    // Parses as POSIX sh.
    let status = Command::new("sh")
        .arg("-n")
        .arg("-c")
        .arg(&script)
        .status()
        .unwrap();
    assert!(status.success(), "{script}");
}

#[test]
fn kubernetes_support_warns_past_the_end_of_standard_support_and_can_be_waived() {
    // Finding 11.
    let warned = |yaml: &str| -> Vec<Rule> {
        let loaded = blueprint::parse(Path::new("t.yaml"), yaml.to_owned()).unwrap();
        validate(loaded)
            .unwrap_or_else(|p| panic!("{:#?}", p.problems()))
            .warnings()
            .iter()
            .map(|w| w.rule)
            .collect()
    };
    for cloud in ["aws", "gcp", "azure"] {
        let new = blueprint_on(cloud, WIREGUARD);
        assert!(new.contains("kubernetesVersion: \"1.35\""));
        let old = new.replace("\"1.35\"", "\"1.33\"");
        assert!(warned(&old).contains(&Rule::KubernetesSupport), "{cloud}");
        assert!(!warned(&new).contains(&Rule::KubernetesSupport), "{cloud}");
        let waived = old.replace(
            "  networkEncryption: wireguard\n",
            "  networkEncryption: wireguard\n  waivers: [{ rule: kubernetes-support, reason: upgrade planned }]\n",
        );
        assert!(
            !warned(&waived).contains(&Rule::KubernetesSupport),
            "{cloud}"
        );
    }
}

#[test]
fn the_bundled_blueprints_run_a_version_in_standard_support_on_their_clouds() {
    // Finding 11: every bundled blueprint validates without `kubernetes-support`.
    for entry in fs::read_dir(root().join("blueprints")).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        let loaded = blueprint::parse(&path, text).unwrap();
        let validated = validate(loaded).unwrap_or_else(|p| panic!("{:#?}", p.problems()));
        assert!(
            validated
                .warnings()
                .iter()
                .all(|w| w.rule != Rule::KubernetesSupport),
            "{}",
            path.display()
        );
        let clouds: Vec<Cloud> = validated.environments().values().map(|e| e.cloud).collect();
        for cloud in clouds {
            assert!(
                !support::past_standard_support(cloud, validated.kubernetes_version()),
                "{}",
                path.display()
            );
        }
    }
}

#[test]
fn gke_projects_shared_by_production_say_how_to_bind_identities() {
    // Finding 9: the decision record names the shared pool and the cluster-scoped binding.
    let yaml = blueprint_on("gcp", "  zeroTrust: false\n  encryption: network\n  networkEncryption: wireguard\n  productionIsolation: network\n")
        .replace(
            "environments:\n  prod: { production: true, account: acme-prod-4711, cidr: 10.0.0.0/16 }\n",
            "environments:\n  prod: { production: true, account: acme-prod-4711, cidr: 10.0.0.0/16 }\n  dev: { production: false, account: acme-prod-4711, cidr: 10.1.0.0/16 }\n",
        )
        .replace("environments: [prod]", "environments: [prod, dev]");
    let loaded = blueprint::parse(Path::new("t.yaml"), yaml.clone()).unwrap();
    let validated = validate(loaded).unwrap_or_else(|p| panic!("{:#?}", p.problems()));
    assert!(
        validated
            .warnings()
            .iter()
            .any(|w| w.rule == Rule::WorkloadIdentityPool),
        "{yaml}"
    );
    let (_, tree) = tree_of(&yaml);
    let decisions = file(&tree, "DECISIONS.md");
    assert!(
        decisions.contains("### Workload identity on GKE: project `acme-prod-4711`"),
        "{decisions}"
    );
    assert!(decisions.contains("acme-prod-4711.svc.id.goog/kubernetes.cluster/https://container.googleapis.com/v1/projects/acme-prod-4711/locations/"), "{decisions}");
    // Separate projects: no warning, no section.
    let (_, tree) = tree_of(&blueprint_on("gcp", WIREGUARD));
    assert!(!file(&tree, "DECISIONS.md").contains("Workload identity on GKE"));
}
