//! The Crossplane target as an API others build on: packages anyone can pull under the names
//! Crossplane's dependency resolver gives them, guardrails that pin each composite resource to
//! its Composition and each ProviderConfig to its namespace's Secret, RBAC for the one GitOps
//! identity, staged rollout of Composition changes, and an XRD that refuses changes the clouds
//! cannot make in place and address plans that cannot work.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use clusterwright::blueprint::{self, validate::validate};
use clusterwright::output::OutputTree;
use clusterwright::plan;
use clusterwright::targets::{self, Templates};
use ipnet::Ipv4Net;
use serde_json::Value;

use crate::common::root;

fn tree_of(yaml: &str) -> OutputTree {
    let loaded =
        blueprint::parse(Path::new("t.yaml"), yaml.to_owned()).unwrap_or_else(|p| panic!("{p:?}"));
    let validated = validate(loaded).unwrap_or_else(|p| panic!("{:#?}", p.problems()));
    let plan = plan::plan(&validated, None, false).unwrap_or_else(|e| panic!("{e:?}"));
    targets::render(&plan, &Templates::load(None).unwrap()).unwrap()
}

fn bundled() -> Vec<(String, OutputTree)> {
    let mut names: Vec<String> = fs::read_dir(root().join("blueprints"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| Path::new(n).extension().is_some_and(|e| e == "yaml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let text = fs::read_to_string(root().join("blueprints").join(&n)).unwrap();
            (n, tree_of(&text))
        })
        .collect()
}

/// Every document of every `crossplane/` YAML file, with the path it came from.
fn documents(tree: &OutputTree) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (path, file) in tree.files().filter(|(p, _)| p.starts_with("crossplane/")) {
        let docs: Vec<Value> = serde_saphyr::from_multiple(&file.content)
            .unwrap_or_else(|e| panic!("{path} is not YAML: {e}"));
        out.extend(
            docs.into_iter()
                .filter(|d| !d.is_null())
                .map(|d| (path.to_owned(), d)),
        );
    }
    out
}

fn kind(doc: &Value) -> &str {
    doc["kind"].as_str().unwrap_or_default()
}

fn named<'a>(docs: &'a [(String, Value)], k: &str, name: &str) -> &'a Value {
    &docs
        .iter()
        .find(|(_, d)| kind(d) == k && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {k} {name}"))
        .1
}

/// The validation expressions of a ValidatingAdmissionPolicy, one string.
fn rules(policy: &Value) -> String {
    policy["spec"]["validations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["expression"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The namespace labels of every environment namespace, by namespace.
fn namespaces(docs: &[(String, Value)]) -> BTreeMap<String, Value> {
    docs.iter()
        .filter(|(_, d)| kind(d) == "Namespace" && d["metadata"]["labels"].is_object())
        .map(|(_, d)| {
            (
                d["metadata"]["name"].as_str().unwrap().to_owned(),
                d["metadata"]["labels"].clone(),
            )
        })
        .collect()
}

/// Finding 2: every package comes from `xpkg.crossplane.io/crossplane-contrib`, and every
/// Provider has the name Crossplane's dependency resolver gives a dependency on it (the DNS
/// label of its repository path), so the family listed here is the one the service providers
/// depend on. A family comes from one registry and org (Crossplane's RBAC manager shares the
/// family's ProviderConfig only then).
#[test]
fn packages_come_from_the_upstream_registry_under_the_resolvers_names() {
    for (name, tree) in bundled() {
        let docs = documents(&tree);
        let packages: Vec<&Value> = docs
            .iter()
            .filter(|(p, d)| {
                p == "crossplane/packages.yaml" && matches!(kind(d), "Provider" | "Function")
            })
            .map(|(_, d)| d)
            .collect();
        assert!(packages.len() > 3, "{name}");
        let providers: BTreeSet<&str> = packages
            .iter()
            .filter(|d| kind(d) == "Provider")
            .map(|d| d["metadata"]["name"].as_str().unwrap())
            .collect();
        for doc in &packages {
            let package = doc["spec"]["package"].as_str().unwrap();
            let (repository, _tag) = package
                .strip_prefix("xpkg.crossplane.io/")
                .and_then(|r| r.rsplit_once(':'))
                .unwrap_or_else(|| panic!("{name}: {package} is not on xpkg.crossplane.io"));
            assert!(
                repository.starts_with("crossplane-contrib/"),
                "{name}: {package}"
            );
            if kind(doc) == "Provider" {
                assert_eq!(
                    doc["metadata"]["name"].as_str().unwrap(),
                    repository.replace(['/', '.'], "-"),
                    "{name}: {package}"
                );
                // The family every service provider depends on is listed, under the same name.
                let cloud = repository
                    .trim_start_matches("crossplane-contrib/provider-")
                    .trim_start_matches("family-")
                    .split('-')
                    .next()
                    .unwrap();
                assert!(
                    providers
                        .contains(format!("crossplane-contrib-provider-family-{cloud}").as_str()),
                    "{name}: no family for {package}"
                );
            }
        }
        let text = &tree
            .files()
            .find(|(p, _)| *p == "crossplane/packages.yaml")
            .unwrap()
            .1
            .content;
        assert!(
            text.contains("spec.packagePullSecrets"),
            "{name}: the pull-secret alternative"
        );
    }
}

/// Finding 4: the guardrails pin every composite resource to the Composition of its kind for
/// its cloud, refuse Composition selectors, and leave the revision fields to the GitOps
/// identity (and Crossplane, for the revision reference); every generated composite
/// resource satisfies the pin.
#[test]
fn the_guardrails_pin_each_composite_resource_to_its_composition() {
    for (name, tree) in bundled() {
        let docs = documents(&tree);
        let policy = named(
            &docs,
            "ValidatingAdmissionPolicy",
            "clusterwright-composition-pin",
        );
        let binding = named(
            &docs,
            "ValidatingAdmissionPolicyBinding",
            "clusterwright-composition-pin",
        );
        assert_eq!(binding["spec"]["validationActions"][0], "Deny", "{name}");
        assert_eq!(policy["spec"]["failurePolicy"], "Fail", "{name}");
        let resources = &policy["spec"]["matchConstraints"]["resourceRules"][0]["resources"];
        assert_eq!(
            resources,
            &serde_json::json!(["kubernetesclusters", "kubernetesnodegroups"]),
            "{name}"
        );
        let operations = &policy["spec"]["matchConstraints"]["resourceRules"][0]["operations"];
        assert_eq!(
            operations,
            &serde_json::json!(["CREATE", "UPDATE"]),
            "{name}"
        );
        let r = rules(policy);
        for needle in [
            "compositionRef.?name.orValue('') == (request.resource.resource == 'kubernetesclusters' ? 'kubernetesclusters-' : 'kubernetesnodegroups-') + object.spec.cloud",
            "!variables.crossplane.?compositionSelector.hasValue()",
            "variables.gitops || (variables.crossplane.?compositionUpdatePolicy == variables.old.?compositionUpdatePolicy",
            "variables.gitops || variables.crossplaneItself || variables.crossplane.?compositionRevisionRef == variables.old.?compositionRevisionRef",
        ] {
            assert!(r.contains(needle), "{name}: no rule {needle}");
        }
        let variables = policy["spec"]["variables"].to_string();
        assert!(
            variables.contains("system:serviceaccount:clusterwright-system:clusterwright-gitops"),
            "{name}"
        );
        // The identity exists.
        named(&docs, "ServiceAccount", "clusterwright-gitops");
        // What the rule demands holds for every composite resource, and the Composition exists.
        let compositions: BTreeSet<&str> = docs
            .iter()
            .filter(|(_, d)| kind(d) == "Composition")
            .map(|(_, d)| d["metadata"]["name"].as_str().unwrap())
            .collect();
        let mut xrs = 0;
        for (path, d) in docs
            .iter()
            .filter(|(_, d)| kind(d).starts_with("Kubernetes"))
        {
            let plural = format!("{}s", kind(d).to_lowercase());
            let cloud = d["spec"]["cloud"].as_str().unwrap();
            let xp = &d["spec"]["crossplane"];
            assert_eq!(
                xp["compositionRef"]["name"],
                format!("{plural}-{cloud}"),
                "{path}"
            );
            assert!(
                compositions.contains(format!("{plural}-{cloud}").as_str()),
                "{path}"
            );
            assert!(xp.get("compositionSelector").is_none(), "{path}");
            xrs += 1;
        }
        assert!(xrs > 5, "{name}");
    }
}

/// Finding 5: every Composition carries a digest of its content; production composite
/// resources select the revision with the digest of the Composition generated with them,
/// under the `Automatic` policy (the only one under which Crossplane applies the selector),
/// while non-production ones follow the newest revision. The guardrails demand the pin in
/// production namespaces.
#[test]
fn production_selects_its_composition_revision_by_digest_and_the_rest_follows_the_newest() {
    const LABEL: &str = "clusterwright.io/composition-digest";
    let mut pinned = 0;
    let mut following = 0;
    for (name, tree) in bundled() {
        let docs = documents(&tree);
        let digests: BTreeMap<&str, &str> = docs
            .iter()
            .filter(|(_, d)| kind(d) == "Composition")
            .map(|(_, d)| {
                let digest = d["metadata"]["labels"][LABEL]
                    .as_str()
                    .unwrap_or_else(|| panic!("{name}: a Composition without {LABEL}"));
                assert!(digest.len() == 16 && digest.bytes().all(|b| b.is_ascii_hexdigit()));
                (d["metadata"]["name"].as_str().unwrap(), digest)
            })
            .collect();
        let distinct: BTreeSet<&&str> = digests.values().collect();
        assert_eq!(
            distinct.len(),
            digests.len(),
            "{name}: one digest per Composition"
        );
        let labels = namespaces(&docs);
        for (path, d) in docs
            .iter()
            .filter(|(_, d)| kind(d).starts_with("Kubernetes"))
        {
            let namespace = d["metadata"]["namespace"].as_str().unwrap();
            let production = labels[namespace]["clusterwright.io/production"] == "true";
            let xp = &d["spec"]["crossplane"];
            assert_eq!(xp["compositionUpdatePolicy"], "Automatic", "{path}");
            let composition = xp["compositionRef"]["name"].as_str().unwrap();
            if production {
                assert_eq!(
                    xp["compositionRevisionSelector"]["matchLabels"][LABEL], digests[composition],
                    "{path}"
                );
                pinned += 1;
            } else {
                assert!(xp.get("compositionRevisionSelector").is_none(), "{path}");
                following += 1;
            }
        }
        let policy = named(
            &docs,
            "ValidatingAdmissionPolicy",
            "clusterwright-composition-pin",
        );
        assert!(
            rules(policy).contains("compositionRevisionSelector.?matchLabels[?'clusterwright.io/composition-digest'].hasValue()"),
            "{name}"
        );
    }
    assert!(pinned > 5 && following > 5, "{pinned} {following}");
}

/// Finding 8: every ProviderConfig reads the namespace's Secret `<cloud>-credentials` (never an
/// identity of the provider's pod), which the guardrails demand; GCP projects are checked in
/// `initProvider` too; each environment grants the GitOps identity exactly the kinds its files
/// hold, and no Secrets.
#[test]
fn provider_configs_read_their_namespaces_secret_and_only_the_gitops_identity_writes() {
    for (name, tree) in bundled() {
        let docs = documents(&tree);
        let account = rules(named(
            &docs,
            "ValidatingAdmissionPolicy",
            "clusterwright-environment-account",
        ));
        assert!(
            account.contains("object.spec.?credentials.?source.orValue('') == 'Secret'"),
            "{name}"
        );
        assert!(
            account.contains("object.spec.?credentials.?secretRef.?name.orValue('') == namespaceObject.metadata.labels['clusterwright.io/cloud'] + '-credentials'"),
            "{name}"
        );
        assert!(
            account.contains("request.resource.group == namespaceObject.metadata.labels['clusterwright.io/cloud'] + '.m.upbound.io'"),
            "{name}"
        );
        let managed = rules(named(
            &docs,
            "ValidatingAdmissionPolicy",
            "clusterwright-namespaced-provider-config",
        ));
        assert!(
            managed.contains("object.?spec.?initProvider.?project"),
            "{name}"
        );
        let labels = namespaces(&docs);
        for (path, d) in docs.iter().filter(|(_, d)| kind(d) == "ProviderConfig") {
            let namespace = d["metadata"]["namespace"].as_str().unwrap();
            let cloud = labels[namespace]["clusterwright.io/cloud"]
                .as_str()
                .unwrap();
            assert_eq!(d["spec"]["credentials"]["source"], "Secret", "{path}");
            assert_eq!(
                d["spec"]["credentials"]["secretRef"]["name"],
                format!("{cloud}-credentials"),
                "{path}"
            );
            assert_eq!(
                d["spec"]["credentials"]["secretRef"]["key"], "credentials",
                "{path}"
            );
            assert!(
                d["apiVersion"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("{cloud}.m.upbound.io/"))
            );
        }
        // RBAC: per namespace, a Role bound to the GitOps identity that covers every kind in the
        // namespace's files, and no Secrets.
        for namespace in labels.keys() {
            let role = docs
                .iter()
                .find(|(_, d)| {
                    kind(d) == "Role" && d["metadata"]["namespace"] == namespace.as_str()
                })
                .unwrap_or_else(|| panic!("{name}: no Role in {namespace}"))
                .1
                .clone();
            let binding = docs
                .iter()
                .find(|(_, d)| {
                    kind(d) == "RoleBinding" && d["metadata"]["namespace"] == namespace.as_str()
                })
                .unwrap_or_else(|| panic!("{name}: no RoleBinding in {namespace}"))
                .1
                .clone();
            assert_eq!(binding["roleRef"]["name"], role["metadata"]["name"]);
            assert_eq!(
                binding["subjects"],
                serde_json::json!([{"kind": "ServiceAccount", "name": "clusterwright-gitops", "namespace": "clusterwright-system"}])
            );
            let granted: BTreeSet<String> = role["rules"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|r| {
                    let groups: Vec<String> = r["apiGroups"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|g| g.as_str().unwrap().to_owned())
                        .collect();
                    assert!(
                        !groups.iter().any(|g| g.is_empty() || g == "*"),
                        "{name}: core or wildcard group"
                    );
                    groups
                })
                .collect();
            for (path, d) in docs.iter().filter(|(_, d)| {
                d["metadata"]["namespace"] == namespace.as_str()
                    && !matches!(kind(d), "Role" | "RoleBinding")
            }) {
                let group = d["apiVersion"].as_str().unwrap().split('/').next().unwrap();
                assert!(granted.contains(group), "{path}: {} not granted", kind(d));
            }
        }
    }
}

/// Finding 10: the XRD refuses, on update, changes to what the clouds cannot change in place,
/// bounds the cluster name, and checks the address plan with the CEL CIDR library; every
/// generated cluster satisfies the address rules (evaluated here with `ipnet`, since the
/// conformance kit's CEL has no CIDR library).
#[test]
fn the_api_refuses_replacing_changes_and_inconsistent_address_plans() {
    let immutable = |schema: &Value, path: &[&str]| {
        let mut at = schema;
        for p in path {
            at = &at["properties"][p];
        }
        let rules = at["x-kubernetes-validations"].to_string();
        assert!(rules.contains("self == oldSelf"), "{path:?} is mutable");
    };
    for (name, tree) in bundled() {
        let docs = documents(&tree);
        let xrd = |k: &str| {
            named(&docs, "CompositeResourceDefinition", k)["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone()
        };
        let cluster = xrd("kubernetesclusters.platform.clusterwright.io");
        let group = xrd("kubernetesnodegroups.platform.clusterwright.io");
        for path in [
            &["spec", "cloud"][..],
            &["spec", "region"],
            &["spec", "account"],
            &["spec", "environment"],
            &["spec", "environmentResources"],
            &["spec", "network"],
            &["spec", "aws", "cniRole", "name"],
            &["spec", "gcp", "controlPlaneCidr"],
            &["spec", "gcp", "nodeServiceAccount"],
            &["spec", "azure", "networkProfile"],
        ] {
            immutable(&cluster, path);
        }
        for path in [
            &["spec", "cluster"][..],
            &["spec", "cloud"],
            &["spec", "region"],
            &["spec", "name"],
            &["spec", "cloudName"],
            &["spec", "azure", "zones"],
        ] {
            immutable(&group, path);
        }
        assert_eq!(
            cluster["properties"]["metadata"]["properties"]["name"]["maxLength"], 40,
            "{name}"
        );
        let network =
            cluster["properties"]["spec"]["properties"]["network"]["x-kubernetes-validations"]
                .to_string();
        for needle in [
            "isCIDR(",
            "cidr(self.cidr).containsCIDR(s)",
            "cidr(self.serviceCidr).containsIP(self.dnsServiceIp)",
            "masked()",
        ] {
            assert!(network.contains(needle), "{name}: no rule with {needle}");
        }
        // The rules hold for every generated cluster.
        let net = |s: &Value| s.as_str().unwrap().parse::<Ipv4Net>().unwrap();
        let overlap = |a: Ipv4Net, b: Ipv4Net| a.contains(&b.network()) || b.contains(&a.network());
        for (path, d) in docs.iter().filter(|(_, d)| kind(d) == "KubernetesCluster") {
            assert!(
                d["metadata"]["name"].as_str().unwrap().len() <= 40,
                "{path}"
            );
            let n = &d["spec"]["network"];
            let cidr = net(&n["cidr"]);
            let service = net(&n["serviceCidr"]);
            let ranges: Vec<Ipv4Net> = [&n["nodeSubnets"], &n["publicSubnets"]]
                .iter()
                .flat_map(|l| l.as_array().unwrap().iter().map(net))
                .collect();
            for r in ranges.iter().chain([&cidr, &service]) {
                assert_eq!(*r, r.trunc(), "{path}: {r} is not canonical");
            }
            // Public subnets of a cluster's own AWS VPC are in its public range.
            let public_cidr = n.get("publicCidr").map(net);
            for (i, r) in ranges.iter().enumerate() {
                let node = i < n["nodeSubnets"].as_array().unwrap().len();
                let within = if node {
                    cidr
                } else {
                    public_cidr.unwrap_or(cidr)
                };
                assert!(within.contains(r), "{path}: {r}");
            }
            if let Some(pods) = n.get("podCidr").map(net) {
                for s in n
                    .get("podSubnets")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    assert!(pods.contains(&net(s)), "{path}");
                }
            }
            assert!(
                service.contains(
                    &n["dnsServiceIp"]
                        .as_str()
                        .unwrap()
                        .parse::<std::net::Ipv4Addr>()
                        .unwrap()
                ),
                "{path}"
            );
            for s in n["nodeSubnets"].as_array().unwrap().iter().map(net) {
                assert!(!overlap(s, service), "{path}");
            }
            if n.get("podCidr").is_some() {
                assert!(!overlap(net(&n["podCidr"]), service), "{path}");
            }
            if d["spec"]["cloud"] == "gcp" {
                let plane = net(&d["spec"]["gcp"]["controlPlaneCidr"]);
                assert!(cidr.contains(&plane), "{path}");
                assert!(!overlap(plane, net(&n["nodeSubnets"][0])), "{path}");
            }
        }
    }
}
