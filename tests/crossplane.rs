//! The Crossplane target: the contract between the Compositions and the platform API (every
//! field a Composition reads or writes exists in the XRD; every field the XRD requires is set
//! by every composite resource), the binding of each namespace to its account, and strings
//! from a blueprint that arrive exactly. The bundled blueprints' `crossplane/` trees are
//! checked byte for byte against `examples/` (see `examples.rs`), not snapshotted here.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use clusterwright::output::OutputTree;
use clusterwright::targets::{self, Templates};
use serde_json::Value;

use crate::common::plans::plan_of;
use crate::common::{blueprint_on, root};

fn tree_of(yaml: &str) -> OutputTree {
    targets::render(&plan_of(yaml), &Templates::load(None).unwrap()).unwrap()
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

/// The `openAPIV3Schema` of each XRD, by the kind it defines.
fn schemas(docs: &[(String, Value)]) -> BTreeMap<String, Value> {
    docs.iter()
        .filter(|(_, d)| kind(d) == "CompositeResourceDefinition")
        .map(|(_, d)| {
            let versions = d["spec"]["versions"].as_array().unwrap();
            assert_eq!(versions.len(), 1, "one version per XRD");
            (
                d["spec"]["names"]["kind"].as_str().unwrap().to_owned(),
                versions[0]["schema"]["openAPIV3Schema"].clone(),
            )
        })
        .collect()
}

/// The segments of a field path: `a.b[0].c[key.with.dots]` is `a`, `b`, `0`, `c`,
/// `key.with.dots`.
fn segments(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix('[') {
            let end = inner.find(']').unwrap();
            out.push(inner[..end].to_owned());
            rest = &inner[end + 1..];
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            out.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    out
}

/// Whether `path` names a field of the composite resource whose schema is `schema`.
/// `metadata` is Crossplane's and Kubernetes' own (the composite's name, labels), and the
/// operator's day-0 signals (`clusterwright.io/` annotations).
fn in_schema(schema: &Value, path: &str) -> bool {
    let segments = segments(path);
    if segments.first().map(String::as_str) == Some("metadata") {
        return match segments.get(1).map(String::as_str) {
            Some("name" | "namespace" | "labels") => true,
            Some("annotations") => segments
                .get(2)
                .is_some_and(|key| key.starts_with("clusterwright.io/")),
            _ => false,
        };
    }
    let mut node = schema;
    for segment in &segments {
        let next = if segment.parse::<usize>().is_ok() && node["type"] == "array" {
            &node["items"]
        } else if let Some(property) = node["properties"].get(segment) {
            property
        } else if node["additionalProperties"].is_object() {
            &node["additionalProperties"]
        } else {
            return false;
        };
        node = next;
    }
    true
}

/// Every composite-resource field path a Composition reads (`from`) or writes (`to`).
fn composition_paths(composition: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let input = &composition["spec"]["pipeline"][0]["input"];
    let mut patches: Vec<&Value> = Vec::new();
    for set in input["patchSets"].as_array().into_iter().flatten() {
        patches.extend(set["patches"].as_array().unwrap());
    }
    for resource in input["resources"].as_array().unwrap() {
        patches.extend(resource["patches"].as_array().into_iter().flatten());
    }
    let (mut from, mut to) = (BTreeSet::new(), BTreeSet::new());
    for patch in patches {
        match patch["type"].as_str().unwrap_or("FromCompositeFieldPath") {
            "FromCompositeFieldPath" => {
                from.insert(patch["fromFieldPath"].as_str().unwrap().to_owned());
            }
            "CombineFromComposite" => {
                for variable in patch["combine"]["variables"].as_array().unwrap() {
                    from.insert(variable["fromFieldPath"].as_str().unwrap().to_owned());
                }
            }
            "ToCompositeFieldPath" => {
                to.insert(patch["toFieldPath"].as_str().unwrap().to_owned());
            }
            "PatchSet" => {}
            other => panic!("patch type {other} is not checked here"),
        }
    }
    (from, to)
}

#[test]
fn every_field_a_composition_patches_exists_in_the_xrd() {
    let mut seen = BTreeSet::new();
    for (name, tree) in bundled() {
        let docs = documents(&tree);
        let schemas = schemas(&docs);
        assert_eq!(
            schemas.keys().collect::<Vec<_>>(),
            ["KubernetesCluster", "KubernetesNodeGroup"],
            "{name}"
        );
        for (path, composition) in docs.iter().filter(|(_, d)| kind(d) == "Composition") {
            let of = composition["spec"]["compositeTypeRef"]["kind"]
                .as_str()
                .unwrap();
            let schema = &schemas[of];
            let (from, to) = composition_paths(composition);
            assert!(!from.is_empty(), "{path}");
            for field in from.iter().chain(&to) {
                assert!(
                    in_schema(schema, field),
                    "{path}: {} reads or writes {field}, which {of} does not define",
                    composition["metadata"]["name"]
                );
            }
            // Status is only read where the same Composition writes it.
            for field in from.iter().filter(|f| f.starts_with("status.")) {
                assert!(
                    to.contains(field),
                    "{path}: {field} is read but never written"
                );
            }
            seen.insert(composition["metadata"]["name"].as_str().unwrap().to_owned());
        }
    }
    // All six Compositions were checked (every cloud is bundled).
    assert_eq!(seen.len(), 6, "{seen:?}");
}

#[test]
fn field_paths_are_checked_against_the_schema() {
    let (_, tree) = bundled().into_iter().next().unwrap();
    let schemas = schemas(&documents(&tree));
    let cluster = &schemas["KubernetesCluster"];
    for good in [
        "metadata.name",
        "spec.network.nodeSubnets[2]",
        "spec.tags",
        "spec.aws.privateSubnetTags[kubernetes.io/role/elb]",
        "status.aws.secretsKeyArn",
    ] {
        assert!(in_schema(cluster, good), "{good}");
    }
    for bad in [
        "metadata.annotations",
        "spec.network.nodeSubnet[0]",
        "spec.aws.cniRole.serviceaccount",
        "status.aws.kmsKeyArn",
        "spec.region.name",
    ] {
        assert!(!in_schema(cluster, bad), "{bad}");
    }
}

/// Paths of the fields `schema` requires that `value` lacks (`[]` for every element).
fn missing_required(schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(required) = schema["required"].as_array() {
        for field in required {
            let field = field.as_str().unwrap();
            if value.get(field).is_none() {
                out.push(format!("{at}.{field}"));
            }
        }
    }
    if let (Some(properties), Some(object)) = (schema["properties"].as_object(), value.as_object())
    {
        for (key, sub) in properties {
            if let Some(v) = object.get(key) {
                missing_required(sub, v, &format!("{at}.{key}"), out);
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for v in array {
            missing_required(items, v, &format!("{at}[]"), out);
        }
    }
}

#[test]
fn every_composite_resource_sets_every_field_its_xrd_requires() {
    let mut composites = 0;
    for (name, tree) in bundled() {
        let docs = documents(&tree);
        let schemas = schemas(&docs);
        for (path, doc) in &docs {
            let Some(schema) = schemas.get(kind(doc)) else {
                continue;
            };
            assert_eq!(doc["apiVersion"], "platform.clusterwright.io/v1alpha1");
            let spec = &schema["properties"]["spec"];
            assert!(!spec["required"].as_array().unwrap().is_empty());
            let mut missing = Vec::new();
            missing_required(spec, &doc["spec"], "spec", &mut missing);
            assert!(
                missing.is_empty(),
                "{name} {path}: {} lacks {missing:?}",
                doc["metadata"]["name"]
            );
            // Every field it sets is one the XRD defines (Crossplane's own under spec.crossplane).
            let mut fields = Vec::new();
            leaves(&doc["spec"], "spec", &mut fields);
            for field in fields.iter().filter(|f| !f.starts_with("spec[crossplane]")) {
                assert!(
                    in_schema(schema, field),
                    "{path}: {field} is not in the XRD"
                );
            }
            composites += 1;
        }
    }
    assert!(composites > 100, "{composites}");
}

/// The paths of every scalar under `value`.
fn leaves(value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                leaves(v, &format!("{at}[{k}]"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, &format!("{at}[{i}]"), out);
            }
        }
        _ => out.push(at.to_owned()),
    }
}

/// Where `value` breaks `schema`'s structural rules (types, enums, patterns, lengths,
/// bounds); the CEL rules are the conformance kit's to judge.
fn violations(schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    let mut mine = Vec::new();
    let mut fail = |why: String| mine.push(format!("{at}: {why}"));
    if let Some(options) = schema["enum"].as_array()
        && !options.contains(value)
    {
        fail(format!("{value} is not one of {options:?}"));
    }
    match (schema["type"].as_str(), value) {
        (Some("string"), Value::String(s)) => {
            let chars = u64::try_from(s.chars().count()).unwrap();
            if schema["maxLength"].as_u64().is_some_and(|m| chars > m) {
                fail(format!("{s:?} is longer than {}", schema["maxLength"]));
            }
            if schema["minLength"].as_u64().is_some_and(|m| chars < m) {
                fail(format!("{s:?} is shorter than {}", schema["minLength"]));
            }
            if let Some(pattern) = schema["pattern"].as_str()
                && !regex::Regex::new(pattern).unwrap().is_match(s)
            {
                fail(format!("{s:?} does not match {pattern}"));
            }
        }
        (Some("integer"), Value::Number(n)) => {
            let n = n.as_i64().unwrap();
            if schema["maximum"].as_i64().is_some_and(|m| n > m)
                || schema["minimum"].as_i64().is_some_and(|m| n < m)
            {
                fail(format!("{n} is out of bounds"));
            }
        }
        (Some("boolean"), Value::Bool(_)) => {}
        (Some("array"), Value::Array(items)) => {
            let len = u64::try_from(items.len()).unwrap();
            if schema["maxItems"].as_u64().is_some_and(|m| len > m)
                || schema["minItems"].as_u64().is_some_and(|m| len < m)
            {
                fail(format!("{len} items"));
            }
            for (i, item) in items.iter().enumerate() {
                violations(&schema["items"], item, &format!("{at}[{i}]"), out);
            }
        }
        (Some("object"), Value::Object(map)) => {
            let len = u64::try_from(map.len()).unwrap();
            if schema["maxProperties"].as_u64().is_some_and(|m| len > m) {
                fail(format!("{len} properties"));
            }
            for (key, v) in map {
                let sub = schema["properties"]
                    .get(key)
                    .or_else(|| Some(&schema["additionalProperties"]).filter(|a| a.is_object()));
                match sub {
                    Some(sub) => violations(sub, v, &format!("{at}.{key}"), out),
                    None => fail(format!("{key} is not defined")),
                }
            }
        }
        (t, v) => fail(format!("{v} is not of type {t:?}")),
    }
    out.extend(mine);
}

/// Checks every composite resource of `tree` against its XRD's structural schema and the
/// length Crossplane allows its name.
fn assert_composites_are_valid(label: &str, tree: &OutputTree) -> usize {
    let docs = documents(tree);
    let schemas = schemas(&docs);
    let mut count = 0;
    for (path, doc) in &docs {
        let Some(schema) = schemas.get(kind(doc)) else {
            continue;
        };
        let name = doc["metadata"]["name"].as_str().unwrap();
        // Crossplane labels the composite and its composed resources with this name.
        assert!(
            name.len() <= 63,
            "{label} {path}: `{name}` is no label value"
        );
        let mut spec = doc["spec"].clone();
        spec.as_object_mut().unwrap().remove("crossplane");
        let mut out = Vec::new();
        violations(&schema["properties"]["spec"], &spec, "spec", &mut out);
        assert!(out.is_empty(), "{label} {path} {name}: {out:#?}");
        count += 1;
    }
    count
}

#[test]
fn composite_resources_of_the_bundled_blueprints_match_their_xrd() {
    for (name, tree) in bundled() {
        assert!(assert_composites_are_valid(&name, &tree) > 5, "{name}");
    }
}

#[test]
fn names_at_every_limit_make_valid_composite_resources_on_every_cloud() {
    let platform = "p".repeat(20);
    let env = "e".repeat(12);
    let tenant = format!("t{}", "e".repeat(29));
    let org = format!("o{}", "r".repeat(29));
    let unit = format!("u{}", "n".repeat(29));
    for cloud in ["aws", "gcp", "azure"] {
        let yaml = blueprint_on(
            cloud,
            "  zeroTrust: true\n  encryption: defense-in-depth\n  networkEncryption: wireguard\n  mesh: istio\n",
        )
        .replace("name: acme", &format!("name: {platform}"))
        .replace("  prod: {", &format!("  {env}: {{"))
        .replace("environments: [prod]", &format!("environments: [{env}]"))
        .replace("  shop: {", &format!("  {tenant}: {{"))
        .replace("ledger: { organization: retail, trust: trusted", "ledger: { organization: retail, trust: untrusted")
        .replace("retail", &org)
        .replace("  u: {", &format!("  {unit}: {{"))
        .replace("unit: u,", &format!("unit: {unit},"));
        let tree = tree_of(&yaml);
        assert!(assert_composites_are_valid(cloud, &tree) >= 3, "{cloud}");
        // The untrusted tenant's groups carry its taint, in the cloud's spelling too.
        let untrusted = documents(&tree)
            .into_iter()
            .filter(|(_, d)| d["spec"]["trust"] == "untrusted")
            .count();
        assert!(untrusted >= 1, "{cloud}");
    }
}

#[test]
fn every_namespace_is_bound_to_its_environments_account_and_holds_only_its_clusters() {
    for (name, tree) in bundled() {
        let docs = documents(&tree);
        // Namespace → (account label, production label).
        let mut namespaces: BTreeMap<String, (String, String)> = BTreeMap::new();
        // Environment namespaces; `clusterwright-system` holds the GitOps identity only.
        for (_, doc) in docs.iter().filter(|(_, d)| {
            kind(d) == "Namespace"
                && d["metadata"]["labels"]["clusterwright.io/environment"].is_string()
        }) {
            let labels = &doc["metadata"]["labels"];
            namespaces.insert(
                doc["metadata"]["name"].as_str().unwrap().to_owned(),
                (
                    labels["clusterwright.io/account"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                    labels["clusterwright.io/production"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                ),
            );
        }
        for (path, doc) in docs.iter().filter(|(_, d)| kind(d) == "ProviderConfig") {
            let namespace = doc["metadata"]["namespace"].as_str().unwrap();
            let (account, _) = &namespaces[namespace];
            let spec = &doc["spec"];
            let bound = match doc["apiVersion"].as_str().unwrap() {
                "aws.m.upbound.io/v1beta1" => spec["assumeRoleChain"][0]["roleARN"]
                    .as_str()
                    .unwrap()
                    .contains(&format!(":iam::{account}:role/")),
                "gcp.m.upbound.io/v1beta1" => spec["projectID"] == account.as_str(),
                _ => spec["subscriptionID"] == account.as_str(),
            };
            assert!(bound, "{name} {path}: not bound to {account}");
            assert_eq!(spec["credentials"]["secretRef"]["namespace"], namespace);
        }
        let mut managed = BTreeSet::new();
        for (path, doc) in &docs {
            let Some(namespace) = doc["metadata"]["namespace"].as_str() else {
                continue;
            };
            if namespace == "clusterwright-system" {
                assert_eq!(kind(doc), "ServiceAccount", "{path}");
                continue;
            }
            assert!(
                namespaces.contains_key(namespace),
                "{path}: unknown namespace"
            );
            let (account, production) = &namespaces[namespace];
            if kind(doc) == "KubernetesCluster" {
                assert_eq!(doc["spec"]["account"], account.as_str(), "{path}");
                assert_eq!(
                    doc["spec"]["production"].as_bool().unwrap().to_string(),
                    *production,
                    "{path}"
                );
            }
            // Managed resources use the namespace's own ProviderConfig, never a cluster-wide one.
            if let Some(reference) = doc["spec"].get("providerConfigRef") {
                assert_eq!(reference["kind"], "ProviderConfig", "{path}");
            }
            // No two objects of a kind share a name in a namespace.
            let key = (
                namespace.to_owned(),
                doc["apiVersion"].as_str().unwrap().to_owned(),
                kind(doc).to_owned(),
                doc["metadata"]["name"].as_str().unwrap().to_owned(),
            );
            assert!(managed.insert(key.clone()), "{name}: {key:?} twice");
        }
    }
}

#[test]
fn every_composition_base_uses_the_namespaces_provider_config() {
    for (_, tree) in bundled() {
        for (path, doc) in documents(&tree)
            .iter()
            .filter(|(_, d)| kind(d) == "Composition")
        {
            let resources = doc["spec"]["pipeline"][0]["input"]["resources"]
                .as_array()
                .unwrap();
            for resource in resources {
                // Usages are Crossplane's own, namespaced, and talk to no cloud.
                if resource["base"]["apiVersion"] == "protection.crossplane.io/v1beta1" {
                    assert_eq!(resource["base"]["kind"], "Usage", "{path}");
                    continue;
                }
                let reference = &resource["base"]["spec"]["providerConfigRef"];
                assert_eq!(reference["kind"], "ProviderConfig", "{path}");
                assert_eq!(reference["name"], "default", "{path}");
                assert!(
                    resource["base"]["apiVersion"]
                        .as_str()
                        .unwrap()
                        .contains(".m.upbound.io/"),
                    "{path}: a namespaced composite composes only namespaced resources"
                );
            }
        }
    }
}

#[test]
fn no_credentials_are_written() {
    for (name, tree) in bundled() {
        for (path, doc) in documents(&tree) {
            assert_ne!(kind(&doc), "Secret", "{name} {path}");
        }
    }
}

#[test]
fn tag_values_arrive_exactly_in_every_composite_resource() {
    let hostile = r#"q"uote \back ${var.x} %{if true}x%{endif} {{ tera }} 'single' #hash: colon, [list] &anchor *alias !tag | > ~ null yes 0755 é✓"#;
    let yaml = blueprint_on("azure", "  zeroTrust: false\n  encryption: network\n").replace(
        "kubernetesVersion: \"1.35\"\n",
        &format!(
            "kubernetesVersion: \"1.35\"\ntags:\n  owner: {}\n",
            serde_json::to_string(hostile).unwrap()
        ),
    );
    let docs = documents(&tree_of(&yaml));
    let mut composites = 0;
    for (path, doc) in &docs {
        if doc["apiVersion"] == "platform.clusterwright.io/v1alpha1" {
            assert_eq!(doc["spec"]["tags"]["owner"], hostile, "{path}");
            composites += 1;
        }
        if kind(doc) == "ResourceGroup" {
            assert_eq!(
                doc["spec"]["forProvider"]["tags"]["owner"], hostile,
                "{path}"
            );
        }
    }
    assert!(composites >= 3, "{composites}");
}

#[test]
fn only_clouds_in_use_get_compositions_and_providers() {
    for cloud in ["aws", "gcp", "azure"] {
        let tree = tree_of(&blueprint_on(
            cloud,
            "  zeroTrust: true\n  encryption: mtls\n  mesh: linkerd\n",
        ));
        let compositions: Vec<&str> = tree
            .files()
            .map(|(p, _)| p)
            .filter(|p| p.starts_with("crossplane/composition-"))
            .collect();
        assert_eq!(
            compositions,
            [format!("crossplane/composition-{cloud}.yaml")]
        );
        let packages = &tree.get("crossplane/packages.yaml").unwrap().content;
        for other in ["aws", "gcp", "azure"] {
            assert_eq!(
                packages.contains(&format!("provider-family-{other}:")),
                other == cloud,
                "{cloud}: {other}"
            );
        }
    }
}
