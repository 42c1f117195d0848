//! Zero trust in the mesh's own plumbing (issue 14): Linkerd's trust anchor rotates only by
//! an explicit two-anchor procedure with dates `check` holds the output to, the mesh's CA
//! cannot be used from a tenant namespace, trust-manager writes only where Linkerd reads,
//! linkerd2-cni replaces the privileged linkerd-init, no Linkerd port skips the proxy, and
//! istiod admits only its mTLS xDS and webhook ports.

use clusterwright::output::OutputTree;
use clusterwright::plan::Plan;
use clusterwright::plan::encryption::stack::LinkerdPlan;
use serde_json::Value;

use crate::common::blueprint_on;

const LINKERD: &str = "  zeroTrust: true\n  encryption: mtls\n  mesh: linkerd\n  waivers: [{ rule: mesh-addon-traffic, reason: test }]\n";
const LINKERD_ON_CILIUM: &str = "  zeroTrust: true\n  encryption: defense-in-depth\n  networkEncryption: wireguard\n  mesh: linkerd\n";
const ISTIO: &str = "  zeroTrust: true\n  encryption: mtls\n  mesh: istio\n  waivers: [{ rule: mesh-addon-traffic, reason: test }]\n";
const AMBIENT: &str = "  zeroTrust: true\n  encryption: defense-in-depth\n  networkEncryption: wireguard\n  mesh: istio-ambient\n";

fn tree_of(cloud: &str, policy: &str) -> (Plan, OutputTree) {
    use clusterwright::blueprint::{self, validate::validate};
    use clusterwright::targets::{self, Templates};
    let yaml = blueprint_on(cloud, policy);
    let loaded = blueprint::parse(std::path::Path::new("t.yaml"), yaml).unwrap();
    let validated = validate(loaded).unwrap_or_else(|p| panic!("{:#?}", p.problems()));
    let plan = clusterwright::plan::plan(&validated, None, false).unwrap();
    let tree = targets::render(&plan, &Templates::load(None).unwrap()).unwrap();
    (plan, tree)
}

fn text<'a>(tree: &'a OutputTree, path: &str) -> &'a str {
    &tree
        .get(path)
        .unwrap_or_else(|| panic!("{path} is not generated"))
        .content
}

fn docs(tree: &OutputTree, path: &str) -> Vec<Value> {
    text(tree, path)
        .split("\n---\n")
        .map(|d| serde_saphyr::from_str(d).unwrap())
        .collect()
}

fn yaml(tree: &OutputTree, path: &str) -> Value {
    serde_saphyr::from_str(text(tree, path)).unwrap()
}

fn object<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

fn linkerd(plan: &Plan) -> &LinkerdPlan {
    plan.clusters[0].networking.linkerd().unwrap()
}

fn release<'a>(helmfile: &'a Value, name: &str) -> (usize, &'a Value) {
    helmfile["releases"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .find(|(_, r)| r["name"] == name)
        .unwrap_or_else(|| panic!("no release {name}"))
}

#[test]
fn linkerd_trust_anchor_keeps_its_key_and_its_rotation_is_a_dated_two_anchor_procedure() {
    for cloud in ["aws", "gcp", "azure"] {
        let (plan, tree) = tree_of(cloud, LINKERD);
        let c = &plan.clusters[0].name;
        let l = linkerd(&plan);
        let identity = docs(&tree, &format!("manifests/{c}/linkerd-identity.yaml"));
        let anchor = object(&identity, "Certificate", "linkerd-trust-anchor");
        // cert-manager never gives the anchor a new key on its own: a renewal re-signs the
        // same key, which every running proxy already trusts.
        assert_eq!(
            anchor["spec"]["privateKey"]["rotationPolicy"], "Never",
            "{cloud}"
        );
        assert_eq!(anchor["spec"]["duration"], "87600h0m0s", "{cloud}");
        assert_eq!(anchor["spec"]["renewBefore"], "720h0m0s", "{cloud}");
        // The identity issuer keeps rotating with a new key: Linkerd reloads it.
        let issuer = object(&identity, "Certificate", "linkerd-identity-issuer");
        assert_eq!(issuer["spec"]["privateKey"]["rotationPolicy"], "Always");
        // The dates `check` reads are the plan's, and the rotation comes first.
        let r = &l.anchor_rotation;
        assert_eq!(
            anchor["metadata"]["annotations"]["clusterwright.io/rotate-by"],
            r.rotate_by.as_str()
        );
        assert_eq!(
            anchor["metadata"]["annotations"]["clusterwright.io/expires-not-before"],
            r.expires_not_before.as_str()
        );
        assert!(r.rotate_by < r.expires_not_before);
        // A renewal keeps the old anchor trusted: the Secret the procedure creates is in the
        // trust namespace and carries the label the Bundle selects.
        let bundle: Value = serde_json::from_str(text(
            &tree,
            &format!("manifests/{c}/linkerd-trust-roots-bundle.json"),
        ))
        .unwrap();
        let sources = bundle["spec"]["sources"].as_array().unwrap();
        assert_eq!(sources.len(), 2);
        assert_eq!(sources[0]["secret"]["name"], "linkerd-trust-anchor");
        let label =
            sources[1]["secret"]["selector"]["matchLabels"][l.previous_anchor_label].as_str();
        assert_eq!(label, Some("true"));
        let decisions = text(&tree, "DECISIONS.md");
        assert!(decisions.contains(&format!(
            "Trust anchor rotation: due by **{}**",
            r.rotate_by
        )));
        let create = format!(
            "-n linkerd create secret generic {} --from-literal=tls.crt=",
            r.previous_anchor_secret
        );
        let label_it = format!(
            "label secret {} {}=true",
            r.previous_anchor_secret, l.previous_anchor_label
        );
        let restart = "rollout restart deploy/linkerd-identity";
        let renew = "cmctl renew --context <cluster> -n linkerd linkerd-identity-issuer";
        let drop = format!("delete secret {}", r.previous_anchor_secret);
        // In this order: keep the old anchor, make the new, restart identity, renew the
        // issuer, drop the old.
        let at = |s: &str| decisions.find(s).unwrap_or_else(|| panic!("{s}"));
        assert!(
            at(&create) < at(&label_it) && at(&label_it) < at("delete secret linkerd-trust-anchor")
        );
        assert!(at("delete secret linkerd-trust-anchor") < at(restart) && at(restart) < at(renew));
        assert!(at(renew) < at(&drop));
        assert!(!decisions.contains("renewed after 60 days"));
        assert!(!decisions.contains("one year, rotated by cert-manager"));
    }
}

#[test]
fn check_reads_the_anchor_dates_from_the_output_and_warns_once_they_are_due() {
    let (plan, tree) = tree_of("azure", LINKERD);
    let dir = tempfile::tempdir().unwrap();
    for c in &plan.clusters {
        let path = format!("manifests/{}/linkerd-identity.yaml", c.name);
        let file = dir.path().join(&path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, text(&tree, &path)).unwrap();
    }
    let dates = clusterwright::output::anchor::read(dir.path()).unwrap();
    assert_eq!(dates.len(), plan.clusters.len());
    let r = &linkerd(&plan).anchor_rotation;
    for d in &dates {
        assert_eq!(
            (&d.rotate_by, &d.expires_not_before),
            (&r.rotate_by, &r.expires_not_before)
        );
        assert_eq!(d.warning("2026-12-02"), None);
        assert!(
            d.warning(&r.rotate_by)
                .unwrap()
                .contains("rotation was due")
        );
        assert!(
            d.warning(&r.expires_not_before)
                .unwrap()
                .contains("may have expired")
        );
    }
}

#[test]
fn the_mesh_ca_is_a_namespaced_issuer_no_tenant_namespace_can_use() {
    for cloud in ["aws", "gcp", "azure"] {
        let (plan, tree) = tree_of(cloud, LINKERD);
        let c = &plan.clusters[0].name;
        let identity = docs(&tree, &format!("manifests/{c}/linkerd-identity.yaml"));
        assert!(
            identity.iter().all(|d| d["kind"] != "ClusterIssuer"),
            "{cloud}"
        );
        let ca = object(&identity, "Issuer", "linkerd-identity-issuer");
        assert_eq!(ca["metadata"]["namespace"], "linkerd");
        assert_eq!(ca["spec"]["ca"]["secretName"], "linkerd-trust-anchor");
        // The CA's Secret is the anchor's, beside it; the issuer Certificate uses the Issuer.
        let anchor = object(&identity, "Certificate", "linkerd-trust-anchor");
        assert_eq!(anchor["metadata"]["namespace"], "linkerd");
        let issuer = object(&identity, "Certificate", "linkerd-identity-issuer");
        assert_eq!(issuer["spec"]["issuerRef"]["kind"], "Issuer");
        assert_eq!(issuer["metadata"]["namespace"], "linkerd");
        // trust-manager reads Secrets only in its trust namespace: the anchor's. It is
        // installed there, which creates the namespace before it needs it.
        let helmfile = yaml(&tree, &format!("helm/{c}/helmfile.yaml"));
        let (tm_at, tm) = release(&helmfile, "trust-manager");
        assert_eq!(tm["namespace"], "linkerd");
        assert_eq!(tm["values"][0]["app"]["trust"]["namespace"], "linkerd");
        let (crds_at, _) = release(&helmfile, "linkerd-crds");
        assert!(tm_at < crds_at);
    }
}

#[test]
fn trust_manager_writes_only_to_the_namespace_linkerd_reads() {
    let (plan, tree) = tree_of("aws", LINKERD_ON_CILIUM);
    let c = &plan.clusters[0].name;
    let helmfile = yaml(&tree, &format!("helm/{c}/helmfile.yaml"));
    let (_, tm) = release(&helmfile, "trust-manager");
    assert_eq!(
        tm["values"][0]["app"]["targetNamespaces"],
        serde_json::json!(["linkerd"])
    );
    let bundle: Value = serde_json::from_str(text(
        &tree,
        &format!("manifests/{c}/linkerd-trust-roots-bundle.json"),
    ))
    .unwrap();
    assert_eq!(
        bundle["spec"]["target"]["namespaceSelector"],
        serde_json::json!({ "matchLabels": { "kubernetes.io/metadata.name": "linkerd" } })
    );
}

#[test]
fn linkerd_cni_runs_on_every_node_before_the_control_plane_so_no_pod_needs_net_admin() {
    for (cloud, policy) in [
        ("aws", LINKERD),
        ("gcp", LINKERD),
        ("azure", LINKERD),
        ("gcp", LINKERD_ON_CILIUM),
    ] {
        let (plan, tree) = tree_of(cloud, policy);
        let c = &plan.clusters[0].name;
        let helmfile = yaml(&tree, &format!("helm/{c}/helmfile.yaml"));
        let (cni_at, cni) = release(&helmfile, "linkerd2-cni");
        let (cp_at, cp) = release(&helmfile, "linkerd-control-plane");
        assert!(cni_at < cp_at, "{cloud}");
        assert_eq!(cni["chart"], "linkerd-edge/linkerd2-cni");
        assert_eq!(
            cni["version"], cp["version"],
            "pinned with the other Linkerd charts"
        );
        let values = yaml(&tree, &format!("helm/{c}/linkerd2-cni.values.yaml"));
        assert_eq!(
            values["tolerations"],
            serde_json::json!([{ "operator": "Exists" }])
        );
        assert_eq!(values["destCNIBinDir"].as_str().is_some(), cloud == "gcp");
        let cp_values = yaml(
            &tree,
            &format!("helm/{c}/linkerd-control-plane.values.yaml"),
        );
        assert_eq!(cp_values["cniEnabled"], true, "{cloud}");
        // Self-managed Cilium leaves the chained plugin in place.
        if let Some(cilium) = plan.clusters[0].networking.cilium() {
            assert!(!cilium.cni_exclusive);
        }
    }
}

#[test]
fn no_linkerd_port_skips_the_proxy() {
    let (plan, tree) = tree_of("azure", LINKERD);
    let c = &plan.clusters[0].name;
    let cp = yaml(
        &tree,
        &format!("helm/{c}/linkerd-control-plane.values.yaml"),
    );
    // The chart's default is "4567,4568": plaintext on those ports.
    assert_eq!(cp["proxyInit"]["ignoreInboundPorts"], "");
    assert_eq!(cp["proxyInit"]["ignoreOutboundPorts"], "");
    let cni = yaml(&tree, &format!("helm/{c}/linkerd2-cni.values.yaml"));
    assert_eq!(cni["ignoreInboundPorts"], "");
    assert_eq!(cni["ignoreOutboundPorts"], "");
    assert!(
        text(&tree, "DECISIONS.md").contains("The chart skips 4567 and 4568 (Galera) by default")
    );
}

#[test]
fn istiod_admits_only_mtls_xds_and_its_webhooks() {
    for (cloud, policy) in [("aws", ISTIO), ("gcp", AMBIENT), ("azure", ISTIO)] {
        let (plan, tree) = tree_of(cloud, policy);
        let c = &plan.clusters[0].name;
        let values = yaml(&tree, &format!("helm/{c}/istiod.values.yaml"));
        // Not the chart's policy, which admits 15010 (plaintext xDS), 15011, 8080 and 15014
        // from every pod.
        assert_eq!(
            values["global"]["networkPolicy"]["enabled"], false,
            "{cloud}"
        );
        assert_eq!(values["env"]["ENABLE_DEBUG_ON_HTTP"], "false");
        let policy: Value = yaml(&tree, &format!("manifests/{c}/istiod-network-policy.yaml"));
        assert_eq!(policy["kind"], "NetworkPolicy");
        assert_eq!(policy["metadata"]["namespace"], "istio-system");
        assert_eq!(
            policy["spec"]["podSelector"]["matchLabels"]["app"],
            "istiod"
        );
        let ports: Vec<u64> = policy["spec"]["ingress"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|rule| rule["ports"].as_array().unwrap())
            .map(|p| p["port"].as_u64().unwrap())
            .collect();
        assert_eq!(ports, [15012, 15017], "{cloud}");
        let decisions = text(&tree, "DECISIONS.md");
        assert!(!decisions.contains("admit only their webhook, xDS and HBONE ports"));
        assert!(
            decisions
                .contains("it admits TCP 15012 (xDS and certificate signing over mTLS) and 15017")
        );
    }
}

#[test]
fn the_linkerd_proxy_meets_pod_security_restricted() {
    // Pod Security `restricted` (kubernetes.io/docs/concepts/security/pod-security-standards):
    // every container drops ALL capabilities, runs as non-root without privilege escalation,
    // with the RuntimeDefault seccomp profile (or the pod's). The chart's default proxy
    // context omits the capability drop, so untrusted tenants' meshed pods were refused.
    let (plan, tree) = tree_of("gcp", LINKERD);
    let c = &plan.clusters[0].name;
    let cp = yaml(
        &tree,
        &format!("helm/{c}/linkerd-control-plane.values.yaml"),
    );
    let context = &cp["proxy"]["securityContext"];
    assert_eq!(context["capabilities"]["drop"], serde_json::json!(["ALL"]));
    assert_eq!(context["allowPrivilegeEscalation"], false);
    assert_eq!(context["runAsNonRoot"], true);
    assert_eq!(context["seccompProfile"]["type"], "RuntimeDefault");
    assert!(context["capabilities"]["add"].is_null());
}

#[test]
fn the_tenants_linkerd_authorization_is_applied_after_the_control_plane() {
    // Zero trust under Linkerd: the tenants' AuthorizationPolicy objects must reach the
    // cluster, after Linkerd's CRDs and policy controller (the manifests hook runs before).
    let (plan, tree) = tree_of("gcp", LINKERD);
    let c = &plan.clusters[0].name;
    let helmfile = yaml(&tree, &format!("helm/{c}/helmfile.yaml"));
    let (_, cp) = release(&helmfile, "linkerd-control-plane");
    let hooks = cp["hooks"]
        .as_array()
        .expect("linkerd-control-plane has hooks");
    let applies = hooks
        .iter()
        .find(|h| h["events"] == serde_json::json!(["postsync"]))
        .expect("a postsync hook");
    let args: Vec<&str> = applies["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let dir = format!("../../manifests/{c}/linkerd-policy/");
    assert_eq!(args.last(), Some(&dir.as_str()));
    assert!(args[1].contains("kubectl --context \"$1\" apply --filename \"$2\""));
    assert!(
        tree.files()
            .any(|(p, _)| p.starts_with(&format!("manifests/{c}/linkerd-policy/tenant-")))
    );
    // Without zero trust there is nothing to apply and no hook.
    let (plan, tree) = tree_of(
        "gcp",
        "  zeroTrust: false\n  encryption: mtls\n  mesh: linkerd\n  waivers: [{ rule: mesh-addon-traffic, reason: test }]\n",
    );
    let c = &plan.clusters[0].name;
    let helmfile = yaml(&tree, &format!("helm/{c}/helmfile.yaml"));
    let (_, cp) = release(&helmfile, "linkerd-control-plane");
    assert!(cp["hooks"].is_null());
}
