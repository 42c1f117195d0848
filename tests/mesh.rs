//! The Helm and manifests targets: the stack the planner picks for every cloud and
//! encryption choice, and the promise that no generated file holds private key material.
//! The bundled blueprints' `helm/` and `manifests/` trees are checked byte for byte against
//! `examples/` (see `examples.rs`), not snapshotted here.

use std::collections::BTreeMap;
use std::path::Path;

use clusterwright::blueprint::{self, validate::validate};
use clusterwright::output::OutputTree;
use clusterwright::plan::encryption::stack::{
    CiliumIntegration, GatewayApi, HookAction, InstallStep,
};
use clusterwright::plan::{self, Plan};
use clusterwright::targets::{self, Templates};

use crate::common::{blueprint_on, root};

fn plan_of(path: &Path, yaml: &str) -> Plan {
    let loaded = blueprint::parse(path, yaml.to_owned()).unwrap_or_else(|p| panic!("{p:?}"));
    let validated = validate(loaded).unwrap_or_else(|p| panic!("{:#?}", p.problems()));
    plan::plan(&validated, None, false).unwrap_or_else(|e| panic!("{e:?}"))
}

fn tree_of(yaml: &str) -> (Plan, OutputTree) {
    let plan = plan_of(Path::new("t.yaml"), yaml);
    let tree = targets::render(&plan, &Templates::load(None).unwrap()).unwrap();
    (plan, tree)
}

/// Every policy choice, waived where a rule would refuse or warn.
const POLICIES: &[&str] = &[
    "  zeroTrust: false\n  encryption: network\n  networkEncryption: wireguard\n",
    "  zeroTrust: false\n  encryption: network\n  networkEncryption: ipsec\n  waivers: [{ rule: encryption-coverage, reason: test }]\n",
    "  zeroTrust: true\n  encryption: mtls\n  mesh: istio\n  waivers: [{ rule: mesh-addon-traffic, reason: test }]\n",
    "  zeroTrust: true\n  encryption: mtls\n  mesh: linkerd\n  waivers: [{ rule: mesh-addon-traffic, reason: test }]\n",
    "  zeroTrust: true\n  encryption: defense-in-depth\n  networkEncryption: wireguard\n  mesh: istio-ambient\n",
    "  zeroTrust: true\n  encryption: defense-in-depth\n  networkEncryption: ipsec\n  mesh: istio\n  waivers: [{ rule: encryption-coverage, reason: test }]\n",
    "  zeroTrust: true\n  encryption: defense-in-depth\n  networkEncryption: wireguard\n  mesh: linkerd\n",
    "  zeroTrust: false\n  encryption: cloud-hardware\n",
    "  zeroTrust: false\n  encryption: none\n  waivers: [{ rule: production-encryption, reason: test }]\n",
];

fn every_stack() -> Vec<(String, Plan, OutputTree)> {
    let mut out = Vec::new();
    for cloud in ["aws", "gcp", "azure"] {
        for (i, policy) in POLICIES.iter().enumerate() {
            let (plan, tree) = tree_of(&blueprint_on(cloud, policy));
            out.push((format!("{cloud} #{i}"), plan, tree));
        }
    }
    out
}

/// Tokens of at least 40 characters that look like base64 (letters, digits, `+`, `/`, `=`,
/// with letters and digits both present): what an inlined key or certificate would leave.
fn base64_blobs(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '='))
        .filter(|t| {
            t.len() >= 40
                && t.chars().any(|c| c.is_ascii_digit())
                && t.chars().any(|c| c.is_ascii_alphabetic())
                && !t.contains("//")
                // An AWS managed policy's ARN (`arn:aws:iam::aws:policy/AmazonEC2...`) is
                // words, not a blob.
                && !t.starts_with("policy/")
        })
        .collect()
}

#[test]
fn no_generated_file_holds_private_key_material() {
    let mut trees: Vec<(String, OutputTree)> = every_stack()
        .into_iter()
        .map(|(name, _, tree)| (name, tree))
        .collect();
    for entry in std::fs::read_dir(root().join("blueprints")).unwrap() {
        let path = entry.unwrap().path();
        let (_, tree) = tree_of(&std::fs::read_to_string(&path).unwrap());
        trees.push((path.display().to_string(), tree));
    }
    // Values keys under which the charts accept keys or certificates inline.
    let forbidden = [
        "PRIVATE KEY",
        "BEGIN CERTIFICATE",
        "keyPEM",
        "crtPEM",
        "identityTrustAnchorsPEM",
        "tls.key:",
        "rfc4106(gcm(aes)) 0",
    ];
    for (name, tree) in &trees {
        for (path, file) in tree.files() {
            for needle in forbidden {
                assert!(
                    !file.content.contains(needle),
                    "{name}: {path} contains `{needle}`"
                );
            }
            let blobs = base64_blobs(&file.content);
            assert!(blobs.is_empty(), "{name}: {path} holds {blobs:?}");
            // The IPsec key is named, never given: a `keys:` value would be the key itself.
            for line in file.content.lines() {
                let line = line.trim_start();
                if let Some(value) = line.strip_prefix("keys:") {
                    assert!(value.trim().is_empty(), "{name}: {path}: {line}");
                }
            }
        }
    }
    // The detector itself finds a key.
    assert_eq!(
        base64_blobs("keys: \"3+ rfc4106(gcm(aes)) 5a0c1f2e3d4b5a69788796a5b4c3d2e1f0a1b2c3 128\""),
        ["5a0c1f2e3d4b5a69788796a5b4c3d2e1f0a1b2c3"]
    );
}

#[test]
fn every_stack_renders_files_that_parse_and_reference_each_other() {
    for (name, plan, tree) in every_stack() {
        for c in &plan.clusters {
            let n = &c.networking;
            let helmfile = tree.get(&format!("helm/{}/helmfile.yaml", c.name));
            assert_eq!(helmfile.is_some(), !n.releases.is_empty(), "{name}");
            let Some(helmfile) = helmfile else {
                continue;
            };
            let doc: serde_json::Value = serde_saphyr::from_str(&helmfile.content).unwrap();
            let releases = doc["releases"].as_array().unwrap();
            let names: Vec<&str> = releases
                .iter()
                .map(|r| r["name"].as_str().unwrap())
                .collect();
            let planned: Vec<&str> = n.releases.iter().map(InstallStep::name).collect();
            assert_eq!(names, planned, "{name}");
            assert_eq!(doc["helmDefaults"]["kubeContext"], c.name.as_str());
            let mut previous: Option<String> = None;
            for r in releases {
                // Every values file the helmfile names is generated next to it.
                for v in r["values"].as_array().unwrap() {
                    if let Some(file) = v.as_str() {
                        assert!(
                            tree.get(&format!("helm/{}/{file}", c.name)).is_some(),
                            "{name}: {file}"
                        );
                    }
                }
                // Each release needs the one before it.
                let needs = r["needs"].as_array().map(|n| n[0].as_str().unwrap());
                assert_eq!(needs.map(str::to_owned), previous, "{name}");
                previous = Some(format!(
                    "{}/{}",
                    r["namespace"].as_str().unwrap(),
                    r["name"].as_str().unwrap()
                ));
                // Versions are pinned exactly.
                let version = r["version"].as_str().unwrap();
                assert!(
                    version
                        .trim_start_matches('v')
                        .starts_with(char::is_numeric),
                    "{name}"
                );
            }
            // The manifests are applied exactly once, by a hook.
            let applies = n
                .releases
                .iter()
                .flat_map(|r| &r.hooks)
                .filter(|h| h.action == HookAction::ApplyManifests)
                .count();
            assert_eq!(applies, 1, "{name}");
        }
    }
}

#[test]
fn cilium_is_fitted_to_each_cloud() {
    let wireguard = POLICIES[0];
    let (aws, _) = tree_of(&blueprint_on("aws", wireguard));
    let c = aws.clusters[0].networking.cilium().cloned().unwrap();
    assert_eq!(c.integration, CiliumIntegration::Eni);
    assert!(c.kube_proxy_replacement && c.k8s_service_host_ref.is_some());
    // One tag, set by the Terraform target on the pod subnets, filtered on by Cilium.
    let infra = aws.clusters[0].resources.aws().unwrap();
    let tag = infra.pod_subnet_tag.clone().unwrap();
    assert_eq!(
        (tag.key.as_str(), tag.value.as_str()),
        ("clusterwright.io/pod-subnet", aws.clusters[0].name.as_str())
    );
    let role = infra.cilium_operator_role.clone().unwrap();
    assert_eq!(
        role.arn,
        format!(
            "arn:aws:iam::{}:role/{}-cilium-operator",
            aws.clusters[0].account, aws.clusters[0].name
        )
    );
    // Pods have a range of their own (the secondary VPC range): routed natively, and the
    // range of strict egress.
    let pods = aws.clusters[0].network.pod_cidr.clone().unwrap();
    assert!(pods.starts_with("100.64."), "{pods}");
    assert_eq!(c.native_routing_cidr.as_deref(), Some(pods.as_str()));
    let egress = c.strict_egress.clone().unwrap();
    assert_eq!(egress.cidr, pods);
    assert!(
        c.strict_ingress && !egress.allow_remote_node_identities,
        "{c:?}"
    );

    let (gcp, tree) = tree_of(&blueprint_on("gcp", wireguard));
    let cluster = &gcp.clusters[0];
    let c = cluster.networking.cilium().cloned().unwrap();
    assert_eq!(c.integration, CiliumIntegration::Gke);
    assert!(!c.kube_proxy_replacement && c.node_init);
    let pods = cluster.network.pod_cidr.clone().unwrap();
    assert_eq!(c.native_routing_cidr.as_deref(), Some(pods.as_str()));
    let egress = c.strict_egress.unwrap();
    assert_eq!(egress.cidr, pods);
    assert!(!egress.allow_remote_node_identities);
    // The node-init keys the chart does not declare go through the helmfile's `set:`, so
    // the values file holds nothing the chart's values.yaml lacks.
    let helmfile = &tree
        .get(&format!("helm/{}/helmfile.yaml", cluster.name))
        .unwrap()
        .content;
    assert!(helmfile.contains("- name: nodeinit.reconfigureKubelet\n        value: \"true\""));
    let values = &tree
        .get(&format!("helm/{}/cilium.values.yaml", cluster.name))
        .unwrap()
        .content;
    assert!(!values.contains("reconfigureKubelet"), "{values}");

    let (azure, _) = tree_of(&blueprint_on("azure", POLICIES[1]));
    let cluster = &azure.clusters[0];
    let c = cluster.networking.cilium().cloned().unwrap();
    assert_eq!(c.integration, CiliumIntegration::AksByocni);
    assert_eq!(
        c.cluster_pool.clone().unwrap().cidrs,
        [cluster.network.pod_cidr.clone().unwrap()]
    );
    // IPsec: strict egress for the overlay pod range (Cilium >= 1.19), no strict ingress
    // (WireGuard only), no node encryption, and the key is a Secret the operator makes.
    assert!(!c.strict_ingress && !c.node_encryption);
    let egress = c.strict_egress.clone().unwrap();
    assert_eq!(Some(egress.cidr), cluster.network.pod_cidr.clone());
    assert!(egress.allow_remote_node_identities);
    assert_eq!(c.ipsec_secret.unwrap().name, "cilium-ipsec-keys");
    assert!(
        cluster.networking.releases[0]
            .hooks
            .iter()
            .any(|h| matches!(h.action, HookAction::RequireIpsecKey { .. }))
    );
}

#[test]
fn cilium_makes_room_for_the_mesh() {
    let (ambient, _) = tree_of(&blueprint_on("azure", POLICIES[4]));
    let c = ambient.clusters[0].networking.cilium().cloned().unwrap();
    assert!(!c.cni_exclusive && c.socket_lb_host_namespace_only && c.disable_bpf_masquerade);
    let (sidecars, _) = tree_of(&blueprint_on("aws", POLICIES[5]));
    let c = sidecars.clusters[0].networking.cilium().cloned().unwrap();
    assert!(!c.cni_exclusive && c.socket_lb_host_namespace_only && !c.disable_bpf_masquerade);
    // Linkerd with its CNI plugin: Cilium leaves the chained linkerd2-cni in place, and
    // services are translated for the host only, so Linkerd sees the service address.
    let (linkerd, _) = tree_of(&blueprint_on("gcp", POLICIES[6]));
    let c = linkerd.clusters[0].networking.cilium().cloned().unwrap();
    assert!(!c.cni_exclusive && c.socket_lb_host_namespace_only);
    let (alone, _) = tree_of(&blueprint_on("gcp", POLICIES[0]));
    let c = alone.clusters[0].networking.cilium().cloned().unwrap();
    assert!(c.cni_exclusive && !c.socket_lb_host_namespace_only);
}

#[test]
fn releases_follow_the_stack() {
    let names = |cloud: &str, policy: &str| -> Vec<&'static str> {
        let (plan, _) = tree_of(&blueprint_on(cloud, policy));
        plan.clusters[0]
            .networking
            .releases
            .iter()
            .map(InstallStep::name)
            .collect()
    };
    assert_eq!(names("aws", POLICIES[0]), ["cilium"]);
    assert_eq!(
        names("gcp", POLICIES[2]),
        ["istio-base", "istiod", "istio-cni"]
    );
    assert_eq!(
        names("azure", POLICIES[4]),
        ["cilium", "istio-base", "istiod", "istio-cni", "ztunnel"]
    );
    assert_eq!(
        names("aws", POLICIES[6]),
        [
            "cilium",
            "cert-manager",
            "trust-manager",
            "linkerd2-cni",
            "linkerd-crds",
            "linkerd-control-plane"
        ]
    );
    assert!(names("aws", POLICIES[7]).is_empty());
    assert!(names("gcp", POLICIES[8]).is_empty());
}

#[test]
fn istio_and_linkerd_settings_follow_the_cloud() {
    let (gke, _) = tree_of(&blueprint_on("gcp", POLICIES[2]));
    let istio = gke.clusters[0].networking.istio().cloned().unwrap();
    assert_eq!(istio.platform, Some("gke"));
    assert_eq!(istio.mtls_mode, "STRICT");
    let (eks, _) = tree_of(&blueprint_on("aws", POLICIES[2]));
    assert_eq!(eks.clusters[0].networking.istio().unwrap().platform, None);

    let (gke, _) = tree_of(&blueprint_on("gcp", POLICIES[3]));
    let linkerd = gke.clusters[0].networking.linkerd().cloned().unwrap();
    assert_eq!(linkerd.gateway_api, GatewayApi::Cloud);
    assert_eq!(linkerd.default_inbound_policy, "all-authenticated");
    let (aks, _) = tree_of(&blueprint_on("azure", POLICIES[3]));
    let n = &aks.clusters[0].networking;
    assert!(matches!(
        n.linkerd().cloned().unwrap().gateway_api,
        GatewayApi::Upstream { .. }
    ));
    let crds = n
        .releases
        .iter()
        .find(|r| r.name() == "linkerd-crds")
        .unwrap();
    assert!(matches!(crds.hooks[0].action, HookAction::ApplyUrl { .. }));
    assert!(!crds.release.creates_namespace());
}

#[test]
fn tenant_namespaces_are_enrolled_and_isolated_on_every_stack() {
    for (name, plan, tree) in every_stack() {
        for c in &plan.clusters {
            for tenant in &c.tenants {
                let file = tree
                    .get(&format!("manifests/{}/tenant-{tenant}.yaml", c.name))
                    .unwrap_or_else(|| panic!("{name}: no manifest for {tenant}"));
                let docs: Vec<serde_json::Value> =
                    serde_saphyr::from_multiple(&file.content).unwrap();
                let ns = &docs[0];
                assert_eq!(ns["kind"], "Namespace");
                assert_eq!(ns["metadata"]["name"], tenant.as_str());
                assert_eq!(
                    ns["metadata"]["labels"]["clusterwright.io/tenant"],
                    tenant.as_str()
                );
                let policies: BTreeMap<&str, &serde_json::Value> = docs[1..]
                    .iter()
                    .map(|d| (d["metadata"]["name"].as_str().unwrap(), d))
                    .collect();
                let deny = policies["default-deny-ingress"];
                assert_eq!(deny["spec"]["podSelector"], serde_json::json!({}));
                assert!(deny["spec"].get("ingress").is_none(), "{name}");
                assert!(policies.contains_key("allow-same-namespace"), "{name}");
                let labels = &ns["metadata"]["labels"];
                match c.networking.mesh {
                    Some(clusterwright::blueprint::Mesh::Istio) => {
                        assert_eq!(labels["istio-injection"], "enabled");
                    }
                    Some(clusterwright::blueprint::Mesh::IstioAmbient) => {
                        assert_eq!(labels["istio.io/dataplane-mode"], "ambient");
                        assert!(policies.contains_key("allow-ambient-kubelet-probes"));
                    }
                    Some(clusterwright::blueprint::Mesh::Linkerd) => assert_eq!(
                        ns["metadata"]["annotations"]["linkerd.io/inject"],
                        "enabled"
                    ),
                    // The tenant label, and Pod Security's (tests/isolation.rs).
                    None => assert_eq!(
                        labels
                            .as_object()
                            .unwrap()
                            .keys()
                            .filter(|k| !k.starts_with("pod-security.kubernetes.io/"))
                            .count(),
                        1,
                        "{name}"
                    ),
                }
            }
        }
    }
}

#[test]
fn the_decision_record_covers_every_stack_it_generates() {
    for (name, plan, tree) in every_stack() {
        let decisions = &tree.get("DECISIONS.md").unwrap().content;
        assert_eq!(plan.coverage.stacks.len(), 1, "{name}");
        let stack = &plan.coverage.stacks[0];
        assert!(decisions.contains(&stack.title), "{name}");
        assert!(!stack.not_encrypted.is_empty(), "{name}");
        assert!(!stack.identity.is_empty(), "{name}");
        if plan.clusters[0].networking.releases.is_empty() {
            assert!(
                !decisions.contains("## Installing the Helm releases"),
                "{name}"
            );
        } else {
            assert!(!stack.verify.is_empty(), "{name}");
            assert!(decisions.contains("Argo CD"), "{name}");
        }
        assert!(decisions.contains("## Tenant isolation"), "{name}");
        let readme = &tree.get("README.md").unwrap().content;
        assert_eq!(
            readme.contains("linkerd-trust-roots-bundle.json"),
            plan.clusters[0].networking.linkerd().is_some(),
            "{name}"
        );
    }
}

#[test]
fn on_eks_cilium_goes_in_between_the_cluster_and_its_node_groups() {
    // EKS node groups turn healthy only once a CNI runs: Cilium's first install goes in on
    // its own before them, from a bootstrap helmfile that does not wait and refuses once
    // nodes exist. helmfile.yaml always waits for Cilium (upgrades), and the README says so.
    for (cloud, policy, first) in [
        ("aws", POLICIES[0], true),
        ("aws", POLICIES[7], false), // cloud-hardware: the VPC CNI, no Cilium
        ("gcp", POLICIES[0], false),
        ("azure", POLICIES[1], false),
    ] {
        let (plan, tree) = tree_of(&blueprint_on(cloud, policy));
        for cluster in &plan.clusters {
            let bootstrap: Vec<&str> = cluster
                .networking
                .releases
                .iter()
                .filter(|r| r.bootstrap.is_some())
                .map(InstallStep::name)
                .collect();
            assert_eq!(
                bootstrap,
                if first { vec!["cilium"] } else { vec![] },
                "{cloud}"
            );
            assert!(
                cluster
                    .networking
                    .releases
                    .iter()
                    .all(|r| r.no_wait.is_none()),
                "{cloud}: every release of helmfile.yaml is waited for"
            );
            if let Some(helmfile) = tree.get(&format!("helm/{}/helmfile.yaml", cluster.name)) {
                assert!(!helmfile.content.contains("wait: false"), "{cloud}");
            }
            let path = format!("helm/{}/helmfile-bootstrap.yaml", cluster.name);
            assert_eq!(tree.get(&path).is_some(), first, "{cloud}");
            if let Some(boot) = tree.get(&path) {
                let boot = &boot.content;
                assert_eq!(boot.matches("    chart: ").count(), 1, "{boot}");
                assert!(boot.contains("releases:\n  - name: cilium\n"), "{boot}");
                assert_eq!(boot.matches("wait: false").count(), 1, "{boot}");
                assert!(boot.contains("get nodes --output name"), "{boot}");
            }
        }
        let readme = &tree.get("README.md").unwrap().content;
        let selector = "helmfile -f helm/<cluster>/helmfile-bootstrap.yaml sync";
        assert_eq!(readme.contains(selector), first, "{cloud}:\n{readme}");
        if first {
            let cluster = &plan.clusters[0].name;
            assert!(
                readme.contains(&format!("Cilium is the CNI of `{cluster}`")),
                "{readme}"
            );
        }
    }
}
