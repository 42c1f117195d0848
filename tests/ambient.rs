//! Istio ambient with Cilium IPsec on every cloud (issue 17): what ambient does not carry
//! (UDP, host-network TCP) is said and kept narrow, waypoints are possible, GKE's CNI
//! directory and EKS's probe routing are pinned, the IPsec key is checked for its format and
//! made and rotated without leaking, the cost of two layers is in the trade-off, and GKE output
//! speaks GCP.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use clusterwright::blueprint::{self, validate::validate};
use clusterwright::output::OutputTree;
use clusterwright::plan::{self, Plan};
use clusterwright::targets::{self, Templates};

use crate::common::blueprint_on;

/// Defense-in-depth: Cilium IPsec under Istio ambient.
const IPSEC_AMBIENT: &str = "  zeroTrust: true\n  encryption: defense-in-depth\n  networkEncryption: ipsec\n  mesh: istio-ambient\n  waivers: [{ rule: encryption-coverage, reason: test }]\n";
/// Ambient alone: no Cilium encryption.
const MTLS_AMBIENT: &str = "  zeroTrust: true\n  encryption: mtls\n  mesh: istio-ambient\n  waivers: [{ rule: mesh-addon-traffic, reason: test }]\n";
/// Defense-in-depth with WireGuard and sidecars.
const WIREGUARD_SIDECARS: &str = "  zeroTrust: true\n  encryption: defense-in-depth\n  networkEncryption: wireguard\n  mesh: istio\n";
/// Defense-in-depth with WireGuard and ambient.
const WIREGUARD_AMBIENT: &str = "  zeroTrust: true\n  encryption: defense-in-depth\n  networkEncryption: wireguard\n  mesh: istio-ambient\n";

fn tree_of(cloud: &str, policy: &str) -> (Plan, OutputTree) {
    let yaml = blueprint_on(cloud, policy);
    let loaded = blueprint::parse(Path::new("t.yaml"), yaml).unwrap_or_else(|p| panic!("{p:?}"));
    let validated = validate(loaded).unwrap_or_else(|p| panic!("{:#?}", p.problems()));
    let plan = plan::plan(&validated, None, false).unwrap_or_else(|e| panic!("{e:?}"));
    let tree = targets::render(&plan, &Templates::load(None).unwrap()).unwrap();
    (plan, tree)
}

fn text(tree: &OutputTree, path: &str) -> String {
    tree.get(path)
        .unwrap_or_else(|| panic!("{path} is not generated"))
        .content
        .clone()
}

fn yaml(tree: &OutputTree, path: &str) -> Value {
    serde_saphyr::from_str(&text(tree, path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn docs(tree: &OutputTree, path: &str) -> Vec<Value> {
    serde_saphyr::from_multiple(&text(tree, path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The helmfile release named `name` of the first cluster.
fn release(plan: &Plan, tree: &OutputTree, name: &str) -> Value {
    let helmfile = yaml(
        tree,
        &format!("helm/{}/helmfile.yaml", plan.clusters[0].name),
    );
    helmfile["releases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no release {name}"))
        .clone()
}

#[test]
fn ambient_carries_tcp_only_and_decisions_say_what_covers_udp() {
    for cloud in ["aws", "gcp", "azure"] {
        let (_, tree) = tree_of(cloud, IPSEC_AMBIENT);
        let d = text(&tree, "DECISIONS.md");
        assert!(
            d.contains("Every TCP connection between two ambient-enrolled workloads"),
            "{cloud}"
        );
        assert!(
            !d.contains("Every connection between two ambient-enrolled"),
            "{cloud}"
        );
        assert!(
            d.contains("UDP and SCTP between enrolled pods")
                && d.contains(
                    "Cilium's encryption is its one layer; on the same node it is plaintext"
                ),
            "{cloud}: defense-in-depth names Cilium as UDP's only layer"
        );
        let (_, tree) = tree_of(cloud, MTLS_AMBIENT);
        let d = text(&tree, "DECISIONS.md");
        assert!(
            d.contains("with mTLS alone nothing encrypts it"),
            "{cloud}: under mtls alone nothing covers UDP"
        );
    }
}

#[test]
fn the_host_network_path_admits_tcp_only_and_tenants_stay_off_the_host_network() {
    for cloud in ["aws", "gcp", "azure"] {
        let (plan, tree) = tree_of(cloud, IPSEC_AMBIENT);
        let cluster = &plan.clusters[0].name;
        let tenant = docs(&tree, &format!("manifests/{cluster}/tenant-shop.yaml"));
        let probes = tenant
            .iter()
            .find(|d| d["metadata"]["name"] == "allow-ambient-kubelet-probes")
            .expect("the probe policy");
        let rule = &probes["spec"]["ingress"][0];
        assert_eq!(rule["from"][0]["ipBlock"]["cidr"], "169.254.7.127/32");
        // Istio rewrites only TCP; nothing else from that address is admitted.
        assert_eq!(
            rule["ports"],
            serde_json::json!([{ "protocol": "TCP" }]),
            "{cloud}"
        );
        // Pod Security keeps tenant pods off the host network.
        let level = tenant[0]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]
            .as_str()
            .unwrap();
        assert!(["baseline", "restricted"].contains(&level), "{level}");
        let d = text(&tree, "DECISIONS.md");
        assert!(d.contains("every TCP connection from the node's host network namespace"));
        assert!(d.contains("refuse `hostNetwork`"));
        assert!(d.contains("a documented limit"));
    }
}

#[test]
fn ambient_installs_the_gateway_api_for_waypoints_and_says_how_l7_policy_binds() {
    for cloud in ["aws", "gcp", "azure"] {
        let (plan, tree) = tree_of(cloud, IPSEC_AMBIENT);
        let base = release(&plan, &tree, "istio-base");
        let hooks = base["hooks"].as_array().expect("istio-base has a hook");
        let crds = hooks
            .iter()
            .find(|h| {
                h["args"].as_array().unwrap().iter().any(|a| {
                    a.as_str()
                        .unwrap()
                        .contains("gateway-api/releases/download")
                })
            })
            .unwrap_or_else(|| panic!("{cloud}: no Gateway API hook"));
        assert_eq!(crds["events"][0], "presync");
        assert!(
            crds["args"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a.as_str().unwrap().ends_with("/standard-install.yaml"))
        );
        let d = text(&tree, "DECISIONS.md");
        assert!(
            d.contains("istio-waypoint") && d.contains("`targetRefs`"),
            "{cloud}"
        );
        // Sidecars need no waypoints: no CRDs from here.
        let (plan, tree) = tree_of(cloud, WIREGUARD_SIDECARS);
        assert!(release(&plan, &tree, "istio-base")["hooks"].is_null());
    }
}

#[test]
fn istio_cni_on_gke_has_its_binary_directory_set() {
    // The gke profile's `cni.cniBinDir: ""` is overwritten only by `cni.cniBinDir` (a
    // top-level `cniBinDir` is itself overwritten), which the helmfile sets.
    let (plan, tree) = tree_of("gcp", IPSEC_AMBIENT);
    let cni = release(&plan, &tree, "istio-cni");
    assert_eq!(
        cni["set"],
        serde_json::json!([{ "name": "cni.cniBinDir", "value": "/home/kubernetes/bin" }])
    );
    let values = yaml(
        &tree,
        &format!("helm/{}/istio-cni.values.yaml", plan.clusters[0].name),
    );
    assert_eq!(values["platform"], "gke");
    let (plan, tree) = tree_of("aws", IPSEC_AMBIENT);
    assert!(
        release(&plan, &tree, "istio-cni")["set"].is_null(),
        "elsewhere the chart's /opt/cni/bin"
    );
}

/// Runs the cilium release's IPsec key hook with a `kubectl` that prints `secret` base64
/// encoded (or fails, for `None`), and returns whether it let the install go on.
fn key_hook_passes(hook: &Value, secret: Option<&str>) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let kubectl = dir.path().join("kubectl");
    let script = match secret {
        Some(value) => {
            let file = dir.path().join("secret");
            fs::write(&file, value).unwrap();
            format!("#!/bin/sh\nbase64 < '{}'\n", file.display())
        }
        None => "#!/bin/sh\necho 'Error from server (NotFound)' >&2\nexit 1\n".to_owned(),
    };
    fs::write(&kubectl, script).unwrap();
    fs::set_permissions(&kubectl, fs::Permissions::from_mode(0o755)).unwrap();
    let args: Vec<String> = hook["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap()
    );
    let status = Command::new(hook["command"].as_str().unwrap())
        .args(&args)
        .env("PATH", path)
        .status()
        .unwrap();
    status.success()
}

#[test]
fn the_ipsec_key_hook_checks_the_format_and_the_recipes_leak_nothing() {
    for cloud in ["aws", "gcp", "azure"] {
        let (plan, tree) = tree_of(cloud, IPSEC_AMBIENT);
        let cilium = release(&plan, &tree, "cilium");
        let hook = cilium["hooks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h.to_string().contains("cilium-ipsec-keys"))
            .expect("the IPsec key hook")
            .clone();
        let key = "0123456789abcdef0123456789abcdef01234567";
        assert!(key_hook_passes(
            &hook,
            Some(&format!("3+ rfc4106(gcm(aes)) {key} 128"))
        ));
        assert!(key_hook_passes(
            &hook,
            Some(&format!("15 rfc4106(gcm(aes)) {key} 128\n"))
        ));
        // What `xxd` missing made of the old recipe: an empty key.
        assert!(!key_hook_passes(&hook, Some("3+ rfc4106(gcm(aes))  128")));
        assert!(!key_hook_passes(
            &hook,
            Some(&format!("16+ rfc4106(gcm(aes)) {key} 128"))
        ));
        assert!(!key_hook_passes(
            &hook,
            Some(&format!("3+ rfc4106(gcm(aes)) {} 128", &key[..32]))
        ));
        assert!(!key_hook_passes(&hook, None), "no Secret");

        let d = text(&tree, "DECISIONS.md");
        assert!(!d.contains("xxd") && !d.contains("--from-literal=keys"));
        assert!(d.contains("openssl rand -hex 20") && d.contains("[ \"${#key}\" -eq 40 ]"));
        assert!(d.contains("--from-file=keys=/dev/stdin") && d.contains("--patch-file /dev/stdin"));
        assert!(d.contains("Rotate the IPsec key every 90 days"));
        // The key is never on a command line: in both recipes it reaches kubectl through a
        // pipe from the shell's builtin printf.
        for line in d.lines().filter(|l| l.contains("openssl rand -hex 20")) {
            assert!(line.contains("\"$key\" | kubectl"), "{line}");
        }
        // What one node's compromise means with a pre-shared key.
        assert!(d.contains("yields the keys of every node pair of the cluster"));
    }
}

#[test]
fn eks_with_ambient_pins_legacy_host_routing() {
    for policy in [IPSEC_AMBIENT, WIREGUARD_AMBIENT] {
        let (plan, tree) = tree_of("aws", policy);
        let values = yaml(
            &tree,
            &format!("helm/{}/cilium.values.yaml", plan.clusters[0].name),
        );
        assert_eq!(values["bpf"]["hostLegacyRouting"], true);
        let d = text(&tree, "DECISIONS.md");
        assert!(d.contains("`bpf.hostLegacyRouting: true`") && d.contains("cilium/cilium#36022"));
    }
    // Not where nothing relies on it: sidecars on EKS, ambient on GKE (kube-proxy stays).
    for (cloud, policy) in [("aws", WIREGUARD_SIDECARS), ("gcp", IPSEC_AMBIENT)] {
        let (plan, tree) = tree_of(cloud, policy);
        let values = yaml(
            &tree,
            &format!("helm/{}/cilium.values.yaml", plan.clusters[0].name),
        );
        assert!(values["bpf"]["hostLegacyRouting"].is_null(), "{cloud}");
    }
}

/// The decision record's trade-off section.
fn trade_off(decisions: &str) -> &str {
    let start = decisions.find("## The trade-off").unwrap();
    let end = decisions.find("## Policy").unwrap();
    &decisions[start..end]
}

#[test]
fn the_trade_off_names_the_double_encryption() {
    for cloud in ["aws", "gcp", "azure"] {
        let (_, tree) = tree_of(cloud, IPSEC_AMBIENT);
        let d = text(&tree, "DECISIONS.md");
        let t = trade_off(&d);
        assert!(t.contains("encrypted twice"), "{cloud}: {t}");
        assert!(t.contains("single CPU core per IPsec tunnel"), "{cloud}");
        let (_, tree) = tree_of(cloud, WIREGUARD_AMBIENT);
        assert!(!trade_off(&text(&tree, "DECISIONS.md")).contains("encrypted twice"));
    }
}

#[test]
fn gke_output_speaks_gcp_and_admits_esp_explicitly() {
    let (plan, tree) = tree_of("gcp", IPSEC_AMBIENT);
    for file in ["DECISIONS.md", "README.md"] {
        let t = text(&tree, file);
        assert!(t.contains("project `acme-prod-4711`"), "{file}");
        assert!(!t.contains("account `acme-prod-4711`"), "{file}");
    }
    let values = text(
        &tree,
        &format!("helm/{}/cilium.values.yaml", plan.clusters[0].name),
    );
    assert!(!values.contains("ENI"), "{values}");
    // ESP between the node and pod ranges: Cilium's outer addresses come from the pod range.
    let network = text(&tree, "terraform/modules/gcp-foundation/network.tf");
    let rule = &network[network
        .find("resource \"google_compute_firewall\" \"cilium_encryption\"")
        .unwrap()..];
    let rule = &rule[..rule.find("\n}\n").unwrap()];
    assert!(rule.contains("\"esp\""), "{rule}");
    assert!(
        rule.contains(
            "source_ranges      = each.value.cilium_encryption == \"ipsec\" ? [each.value.nodes, each.value.pods]"
        ),
        "{rule}"
    );
    let foundation = text(&tree, "terraform/prod/foundation/main.tf");
    assert!(
        foundation.contains("cilium_encryption = \"ipsec\""),
        "{foundation}"
    );
    // EKS: each cluster has a VPC of its own.
    let (_, tree) = tree_of("aws", IPSEC_AMBIENT);
    let d = text(&tree, "DECISIONS.md");
    assert!(!d.contains("one VPC holds all clusters"));
    assert!(d.contains("any subnet of the cluster's VPC in the zone"));
}
