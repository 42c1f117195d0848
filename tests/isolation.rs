//! Tenant isolation that holds (issue 14, findings 2 to 5), checked on the plans and the
//! generated trees of every bundled blueprint: the scheduling contract, Pod Security on
//! every tenant namespace, mesh opt-outs refused, and mesh authorization under `zeroTrust`.
//! Each test reads the rendered files (YAML parsed, not grepped) against the plan.

use std::fs;
use std::path::Path;

use serde_json::Value;

use clusterwright::blueprint::{self, validate::validate};
use clusterwright::cloud::policy::{Mesh, Trust};
use clusterwright::output::OutputTree;
use clusterwright::plan::{self, Plan, TENANT_LABEL, TaintEffect};
use clusterwright::targets::{self, Templates};

use crate::common::root;

/// Every bundled blueprint, planned and rendered.
fn bundled() -> Vec<(String, Plan, OutputTree)> {
    let mut names: Vec<_> = fs::read_dir(root().join("blueprints"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|path| {
            let yaml = fs::read_to_string(&path).unwrap();
            let loaded = blueprint::parse(Path::new("b.yaml"), yaml).unwrap();
            let validated = validate(loaded).unwrap_or_else(|p| panic!("{:#?}", p.problems()));
            let plan = plan::plan(&validated, None, false).unwrap();
            let tree = targets::render(&plan, &Templates::load(None).unwrap()).unwrap();
            (path.display().to_string(), plan, tree)
        })
        .collect()
}

/// The YAML documents of a generated file.
fn docs(tree: &OutputTree, path: &str) -> Vec<Value> {
    let text = &tree
        .get(path)
        .unwrap_or_else(|| panic!("{path} is not generated"))
        .content;
    text.split("\n---\n")
        .map(|d| serde_saphyr::from_str::<Value>(d).unwrap_or_else(|e| panic!("{path}: {e}")))
        .filter(|v| !v.is_null())
        .collect()
}

fn find<'v>(docs: &'v [Value], kind: &str, name: &str) -> Option<&'v Value> {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
}

fn expressions(policy: &Value) -> Vec<String> {
    policy["spec"]["validations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["expression"].as_str().unwrap().to_owned())
        .collect()
}

/// The binding of `policy` selects the tenant namespaces by their label and denies.
fn assert_bound_to_tenants(docs: &[Value], policy: &str, path: &str) {
    let b = find(docs, "ValidatingAdmissionPolicyBinding", policy)
        .unwrap_or_else(|| panic!("{path}: no binding of {policy}"));
    assert_eq!(b["spec"]["policyName"], policy);
    assert_eq!(b["spec"]["validationActions"][0], "Deny", "{path}");
    let e = &b["spec"]["matchResources"]["namespaceSelector"]["matchExpressions"][0];
    assert_eq!(e["key"], TENANT_LABEL, "{path}");
    assert_eq!(e["operator"], "Exists", "{path}");
}

/// Finding 2 and the done-when of issue 14: every tenant namespace of every bundled
/// blueprint is bound by a scheduling policy to its node groups; untrusted tenants'
/// groups are tainted and the policy requires exactly that toleration; the system group
/// carries the critical-add-ons taint. Before the change no admission policy existed.
#[test]
fn every_tenant_namespace_is_bound_to_its_node_groups() {
    let mut untrusted_seen = 0;
    for (name, plan, tree) in bundled() {
        for c in &plan.clusters {
            let system = c.system().unwrap();
            assert!(
                system
                    .taints
                    .iter()
                    .any(|t| t.key == "CriticalAddonsOnly" && t.effect == TaintEffect::NoSchedule),
                "{name}/{}: system group not tainted",
                c.name
            );
            if c.tenants.is_empty() {
                continue;
            }
            let path = format!("manifests/{}/admission-tenants.yaml", c.name);
            let d = docs(&tree, &path);
            let policy = find(
                &d,
                "ValidatingAdmissionPolicy",
                "clusterwright-tenant-scheduling",
            )
            .unwrap_or_else(|| panic!("{path}: no scheduling policy"));
            assert_eq!(policy["apiVersion"], "admissionregistration.k8s.io/v1");
            assert_eq!(policy["spec"]["failurePolicy"], "Fail");
            let rule = &policy["spec"]["matchConstraints"]["resourceRules"][0];
            assert_eq!(rule["resources"][0], "pods");
            assert_eq!(rule["operations"][0], "CREATE");
            assert_bound_to_tenants(&d, "clusterwright-tenant-scheduling", &path);
            let vars = policy["spec"]["variables"].as_array().unwrap();
            let tenant = vars.iter().find(|v| v["name"] == "tenant").unwrap();
            assert_eq!(
                tenant["expression"],
                format!("namespaceObject.metadata.labels['{TENANT_LABEL}']")
            );
            // The tainted tenants the policy lists are exactly those whose node groups
            // the plan taints with the tenant key, and all of them are untrusted.
            let tainted = vars.iter().find(|v| v["name"] == "tainted").unwrap();
            let mut planned: Vec<String> = c
                .tenant_groups()
                .filter(|g| g.taints.iter().any(|t| t.key == TENANT_LABEL))
                .map(|g| g.tenant.as_ref().unwrap().name.clone())
                .collect();
            planned.dedup();
            for g in c.tenant_groups() {
                let t = g.tenant.as_ref().unwrap();
                let has = g.taints.iter().any(|x| {
                    x.key == TENANT_LABEL
                        && x.value == t.name
                        && x.effect == TaintEffect::NoSchedule
                });
                assert_eq!(has, t.trust == Trust::Untrusted, "{name}/{}", g.name);
            }
            untrusted_seen += planned.len();
            let listed: Vec<String> = planned.iter().map(|t| format!("'{t}'")).collect();
            assert_eq!(
                tainted["expression"],
                format!("[{}]", listed.join(", ")),
                "{path}"
            );
            let e = expressions(policy);
            assert!(
                e.iter().any(|x| x.contains(&format!(
                    "object.spec.nodeSelector['{TENANT_LABEL}'] == variables.tenant"
                ))),
                "{path}: node selector not required"
            );
            assert!(
                e.iter()
                    .any(|x| x.contains("variables.tenant in variables.tainted")
                        && x.contains("tolerations.exists")),
                "{path}: toleration of untrusted tenants not required"
            );
            assert!(
                e.iter().any(|x| x.contains("tolerations.all")
                    && x.contains("t.key != ''")
                    && x.contains("'CriticalAddonsOnly'")),
                "{path}: wildcard and system tolerations not refused"
            );
        }
    }
    assert!(
        untrusted_seen > 0,
        "no bundled blueprint has an untrusted tenant"
    );
}

/// Finding 3: every tenant namespace enforces a Pod Security level (`restricted` for
/// untrusted tenants, `baseline` for trusted ones), warns and audits at `restricted`, all
/// pinned to the cluster's Kubernetes minor; the namespace policy keeps them. Before the
/// change no namespace had a `pod-security.kubernetes.io` label.
#[test]
fn every_tenant_namespace_has_a_pod_security_level() {
    for (name, plan, tree) in bundled() {
        let version = format!("v{}", plan.kubernetes_version);
        for c in &plan.clusters {
            for t in &c.tenants {
                let trust = c
                    .tenant_groups()
                    .find(|g| g.tenant.as_ref().is_some_and(|x| &x.name == t))
                    .map(|g| g.tenant.as_ref().unwrap().trust)
                    .unwrap();
                let path = format!("manifests/{}/tenant-{t}.yaml", c.name);
                let d = docs(&tree, &path);
                let ns = find(&d, "Namespace", t).unwrap();
                let labels = &ns["metadata"]["labels"];
                let level = if trust == Trust::Untrusted {
                    "restricted"
                } else {
                    "baseline"
                };
                assert_eq!(
                    labels["pod-security.kubernetes.io/enforce"], level,
                    "{name} {path}"
                );
                for mode in ["warn", "audit"] {
                    assert_eq!(
                        labels[format!("pod-security.kubernetes.io/{mode}")],
                        "restricted",
                        "{path}"
                    );
                }
                for mode in ["enforce", "warn", "audit"] {
                    assert_eq!(
                        labels[format!("pod-security.kubernetes.io/{mode}-version")],
                        version.as_str(),
                        "{path}"
                    );
                }
            }
            if c.tenants.is_empty() {
                continue;
            }
            let path = format!("manifests/{}/admission-tenants.yaml", c.name);
            let d = docs(&tree, &path);
            let policy = find(
                &d,
                "ValidatingAdmissionPolicy",
                "clusterwright-tenant-namespaces",
            )
            .unwrap();
            assert_eq!(
                policy["spec"]["matchConstraints"]["resourceRules"][0]["resources"][0],
                "namespaces"
            );
            let levels = policy["spec"]["variables"][0]["expression"]
                .as_str()
                .unwrap();
            for t in &c.tenants {
                assert!(
                    levels.contains(&format!("'{t}': ")),
                    "{path}: {t} not listed"
                );
            }
            assert!(
                expressions(policy)
                    .iter()
                    .any(|e| e.contains("'pod-security.kubernetes.io/enforce'")),
                "{path}: the enforced level is not kept"
            );
        }
    }
}

/// Finding 4: on a meshed platform, tenant pods cannot opt out of the mesh: the proxy must
/// be there (sidecar meshes), and the opt-out labels and annotations of each mesh are
/// refused. Without a mesh there is no mesh policy. Before the change nothing refused them.
#[test]
fn mesh_opt_outs_are_refused_in_tenant_namespaces() {
    let mut meshes = Vec::new();
    for (name, plan, tree) in bundled() {
        for c in plan.clusters.iter().filter(|c| !c.tenants.is_empty()) {
            let path = format!("manifests/{}/admission-tenants.yaml", c.name);
            let d = docs(&tree, &path);
            let policy = find(&d, "ValidatingAdmissionPolicy", "clusterwright-tenant-mesh");
            let Some(mesh) = c.networking.mesh else {
                assert!(policy.is_none(), "{name}: mesh policy without a mesh");
                continue;
            };
            meshes.push(mesh);
            let policy = policy.unwrap_or_else(|| panic!("{path}: no mesh policy"));
            assert_bound_to_tenants(&d, "clusterwright-tenant-mesh", &path);
            let e = expressions(policy).join("\n");
            let (proxy, keys): (Option<&str>, &[&str]) = match mesh {
                Mesh::Istio => (
                    Some("istio-proxy"),
                    &[
                        "'sidecar.istio.io/inject' in object.metadata.labels",
                        "'sidecar.istio.io/inject' in object.metadata.annotations",
                        "'sidecar.istio.io/interceptionMode'",
                        "startsWith('traffic.sidecar.istio.io/')",
                    ],
                ),
                Mesh::IstioAmbient => (
                    None,
                    &["'istio.io/dataplane-mode' in object.metadata.labels"],
                ),
                Mesh::Linkerd => (
                    Some("linkerd-proxy"),
                    &[
                        "object.metadata.annotations['linkerd.io/inject'] in ['enabled']",
                        "'config.linkerd.io/skip-inbound-ports'",
                        "'config.linkerd.io/skip-outbound-ports'",
                        "'config.linkerd.io/skip-subnets'",
                        "'config.linkerd.io/default-inbound-policy'",
                    ],
                ),
            };
            if let Some(p) = proxy {
                assert!(
                    e.contains(&format!("c.name == '{p}'")),
                    "{path}: proxy {p} not required"
                );
                assert!(
                    e.contains("object.spec.initContainers.exists"),
                    "{path}: native sidecars"
                );
            }
            for k in keys {
                assert!(e.contains(k), "{path}: {k} not refused");
            }
        }
    }
    for m in [Mesh::Istio, Mesh::IstioAmbient, Mesh::Linkerd] {
        assert!(meshes.contains(&m), "no bundled blueprint uses {m:?}");
    }
}

/// Finding 5: with `zeroTrust: true`, each tenant namespace authorizes only its own
/// identities: Istio `allow-nothing` plus `allow-same-namespace`; Linkerd the namespace's
/// default inbound policy plus a MeshTLSAuthentication of its ServiceAccounts required by
/// an AuthorizationPolicy targeting the Namespace. Without `zeroTrust`, none of it. Before
/// the change no AuthorizationPolicy was generated.
#[test]
fn zero_trust_admits_only_the_namespace_s_own_identities() {
    let (mut istio, mut linkerd) = (0, 0);
    for (name, plan, tree) in bundled() {
        for c in &plan.clusters {
            for t in &c.tenants {
                let path = format!("manifests/{}/tenant-{t}.yaml", c.name);
                let d = docs(&tree, &path);
                let json = format!("manifests/{}/linkerd-policy/tenant-{t}.json", c.name);
                let zero = plan.policy.zero_trust;
                match c.networking.mesh {
                    Some(Mesh::Istio | Mesh::IstioAmbient) if zero => {
                        istio += 1;
                        let nothing = find(&d, "AuthorizationPolicy", "allow-nothing")
                            .unwrap_or_else(|| panic!("{path}: no allow-nothing"));
                        assert_eq!(nothing["apiVersion"], "security.istio.io/v1");
                        assert_eq!(nothing["metadata"]["namespace"], t.as_str());
                        assert!(nothing["spec"].as_object().unwrap().is_empty(), "{path}");
                        let same = find(&d, "AuthorizationPolicy", "allow-same-namespace").unwrap();
                        assert_eq!(same["spec"]["action"], "ALLOW");
                        assert_eq!(
                            same["spec"]["rules"][0]["from"][0]["source"]["namespaces"],
                            serde_json::json!([t])
                        );
                    }
                    Some(Mesh::Linkerd) if zero => {
                        linkerd += 1;
                        let ns = find(&d, "Namespace", t).unwrap();
                        assert_eq!(
                            ns["metadata"]["annotations"]["config.linkerd.io/default-inbound-policy"],
                            "all-authenticated",
                            "{path}"
                        );
                        let list: Value = serde_json::from_str(
                            &tree
                                .get(&json)
                                .unwrap_or_else(|| panic!("{json} missing"))
                                .content,
                        )
                        .unwrap();
                        let items = list["items"].as_array().unwrap();
                        let auth = items
                            .iter()
                            .find(|i| i["kind"] == "MeshTLSAuthentication")
                            .unwrap();
                        assert_eq!(auth["metadata"]["namespace"], t.as_str());
                        assert_eq!(
                            auth["spec"]["identityRefs"],
                            serde_json::json!([{"kind": "ServiceAccount"}])
                        );
                        let policy = items
                            .iter()
                            .find(|i| i["kind"] == "AuthorizationPolicy")
                            .unwrap();
                        assert_eq!(
                            policy["spec"]["targetRef"],
                            serde_json::json!({"kind": "Namespace", "name": t})
                        );
                        assert_eq!(
                            policy["spec"]["requiredAuthenticationRefs"][0]["name"],
                            auth["metadata"]["name"]
                        );
                    }
                    _ => {
                        assert!(
                            find(&d, "AuthorizationPolicy", "allow-same-namespace").is_none(),
                            "{name} {path}"
                        );
                        assert!(tree.get(&json).is_none(), "{json}");
                    }
                }
            }
        }
    }
    assert!(
        istio > 0 && linkerd > 0,
        "bundled blueprints cover both meshes under zeroTrust"
    );
}

/// README tells tenants what to put in a pod spec, and DECISIONS.md describes the
/// admission policies the manifests hold; both were silent before the change.
#[test]
fn the_docs_say_what_a_tenant_pod_carries() {
    for (name, plan, tree) in bundled() {
        if plan.clusters.iter().all(|c| c.tenants.is_empty()) {
            continue;
        }
        let readme = &tree.get("README.md").unwrap().content;
        assert!(readme.contains("## Tenant pods"), "{name}");
        assert!(
            readme.contains(&format!("  nodeSelector:\n    {TENANT_LABEL}: <tenant>")),
            "{name}"
        );
        let untrusted = plan
            .clusters
            .iter()
            .flat_map(plan::ClusterPlan::tenant_groups)
            .any(|g| g.tenant.as_ref().unwrap().trust == Trust::Untrusted);
        assert_eq!(
            readme.contains(&format!("    - key: {TENANT_LABEL}\n      operator: Equal\n      value: <tenant>\n      effect: NoSchedule")),
            untrusted,
            "{name}: toleration lines"
        );
        let decisions = &tree.get("DECISIONS.md").unwrap().content;
        for s in [
            "`clusterwright-tenant-scheduling`",
            "`clusterwright-tenant-namespaces`",
            "`pod-security.kubernetes.io/enforce`",
        ] {
            assert!(decisions.contains(s), "{name}: DECISIONS.md lacks {s}");
        }
        let meshed = plan.policy.mesh.is_some();
        assert_eq!(
            decisions.contains("`clusterwright-tenant-mesh`"),
            meshed,
            "{name}"
        );
    }
}
