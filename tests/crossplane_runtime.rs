//! The Crossplane target at runtime: what the generated Compositions and managed resources do
//! when a control plane reconciles them, read from the output (issue 15). EKS node groups
//! wait for a CNI and are ready only when EKS says ACTIVE; CoreDNS is pinned and waits for the
//! nodes; production keeps its keys, logs, roles and identities; Usages order deletion; EKS
//! administrators are access entries; Azure registers its resource providers; clusters write a
//! kubeconfig and report what Terraform outputs; and, per cloud, every resource kind the
//! Terraform target creates has a Crossplane counterpart or is named in the README as a gap.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use clusterwright::blueprint::{self, validate::validate};
use clusterwright::output::OutputTree;
use clusterwright::plan;
use clusterwright::targets::{self, Templates};
use serde_json::Value;

use crate::common::{Test, blueprint_on, root};

fn tree(name: &str) -> OutputTree {
    let path = root().join("blueprints").join(format!("{name}.yaml"));
    let text = fs::read_to_string(&path).unwrap();
    let loaded = blueprint::parse(Path::new("t.yaml"), text).unwrap_or_else(|p| panic!("{p:?}"));
    let validated = validate(loaded).unwrap_or_else(|p| panic!("{:#?}", p.problems()));
    let plan = plan::plan(&validated, None, false).unwrap_or_else(|e| panic!("{e:?}"));
    targets::render(&plan, &Templates::load(None).unwrap()).unwrap()
}

const BUNDLED: [&str; 6] = [
    "acme-aws",
    "globex-gcp",
    "hooli-gcp",
    "initech-azure",
    "soylent-aws",
    "umbrella-aws",
];

/// Every document of the files under `prefix`, with its path.
fn documents(tree: &OutputTree, prefix: &str) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (path, file) in tree.files().filter(|(p, _)| p.starts_with(prefix)) {
        if !Path::new(path)
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml")
        {
            continue;
        }
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

fn text(tree: &OutputTree, path: &str) -> String {
    tree.files()
        .find(|(p, _)| *p == path)
        .unwrap_or_else(|| panic!("{path} is not generated"))
        .1
        .content
        .clone()
}

fn composition<'a>(docs: &'a [(String, Value)], name: &str) -> &'a Value {
    &docs
        .iter()
        .find(|(_, d)| d["kind"] == "Composition" && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no Composition {name}"))
        .1
}

fn input(composition: &Value) -> &Value {
    &composition["spec"]["pipeline"][0]["input"]
}

/// The composed resource `name` of `composition`.
fn resource<'a>(composition: &'a Value, name: &str) -> &'a Value {
    input(composition)["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| {
            panic!(
                "{} composes no {name}",
                composition["metadata"]["name"].as_str().unwrap()
            )
        })
}

/// The patches of `resource`, patch sets expanded.
fn patches<'a>(composition: &'a Value, resource: &'a Value) -> Vec<&'a Value> {
    let mut out = Vec::new();
    for patch in resource["patches"].as_array().into_iter().flatten() {
        if patch["type"] == "PatchSet" {
            let set = input(composition)["patchSets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["name"] == patch["patchSetName"])
                .unwrap();
            out.extend(set["patches"].as_array().unwrap());
        } else {
            out.push(patch);
        }
    }
    out
}

/// Whether `resource` is composed only once `from` exists (a Required patch reads it).
fn gated_on(composition: &Value, resource: &Value, from: &str) -> bool {
    patches(composition, resource).iter().any(|p| {
        p["fromFieldPath"] == from
            && p["policy"]["fromFieldPath"] == "Required"
            && p["type"] == "FromCompositeFieldPath"
    })
}

/// The value `resource`'s patches write to `to` from a composite resource whose
/// `spec.production` is `production` (through the patch's convert and map transforms).
fn management_policies(composition: &Value, resource: &Value, production: bool) -> Vec<String> {
    let patch = patches(composition, resource)
        .into_iter()
        .find(|p| p["toFieldPath"] == "spec.managementPolicies")
        .unwrap_or_else(|| {
            panic!(
                "{}: management policies are not patched",
                resource["name"].as_str().unwrap()
            )
        });
    assert_eq!(patch["fromFieldPath"], "spec.production");
    let mut value = Value::Bool(production);
    for transform in patch["transforms"].as_array().unwrap() {
        value = match transform["type"].as_str().unwrap() {
            "convert" => {
                assert_eq!(transform["convert"]["toType"], "string");
                Value::String(value.to_string())
            }
            "map" => transform["map"][value.as_str().unwrap()].clone(),
            other => panic!("transform {other} is not simulated here"),
        };
    }
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn eks_node_groups_wait_for_the_cni_and_are_ready_only_when_active() {
    for name in ["acme-aws", "soylent-aws", "umbrella-aws"] {
        let docs = documents(&tree(name), "crossplane/");
        let groups = composition(&docs, "kubernetesnodegroups-aws");
        let group = resource(groups, "node-group");
        assert!(
            gated_on(
                groups,
                group,
                "metadata.annotations[clusterwright.io/cni-ready]"
            ),
            "{name}: the EKS node group is created before any CNI can run"
        );
        let checks = group["readinessChecks"].as_array().unwrap();
        assert!(
            checks.iter().any(|c| c["type"] == "MatchString"
                && c["fieldPath"] == "status.atProvider.status"
                && c["matchString"] == "ACTIVE"),
            "{name}: a CREATE_FAILED node group would be reported ready: {checks:?}"
        );
        // The launch template is not held back: the node group needs its version.
        assert!(!gated_on(
            groups,
            resource(groups, "launch-template"),
            "metadata.annotations[clusterwright.io/cni-ready]"
        ));
        // The operator is told how to set the signal.
        let readme = text(&tree(name), "README.md");
        assert!(
            readme.contains("clusterwright.io/cni-ready=true")
                && readme.contains("clusterwright.io/nodes-ready=true"),
            "{name}: the README does not give the day-0 sequence"
        );
    }
}

#[test]
fn coredns_is_pinned_and_waits_for_the_nodes() {
    let tree = tree("umbrella-aws");
    let docs = documents(&tree, "crossplane/");
    let clusters = composition(&docs, "kubernetesclusters-aws");
    let coredns = resource(clusters, "addon-coredns");
    assert!(gated_on(
        clusters,
        coredns,
        "metadata.annotations[clusterwright.io/nodes-ready]"
    ));
    assert!(
        patches(clusters, coredns)
            .iter()
            .any(|p| p["fromFieldPath"] == "spec.aws.coreDnsVersion"
                && p["toFieldPath"] == "spec.forProvider.addonVersion")
    );
    // The EBS CSI driver as in the Terraform target: after the nodes, with a role of its own
    // that production keeps.
    let ebs = resource(clusters, "addon-ebs-csi");
    assert_eq!(
        ebs["base"]["spec"]["forProvider"]["addonName"],
        "aws-ebs-csi-driver"
    );
    assert!(gated_on(
        clusters,
        ebs,
        "metadata.annotations[clusterwright.io/nodes-ready]"
    ));
    let role = resource(clusters, "ebs-csi-role");
    assert!(
        !management_policies(clusters, role, true)
            .iter()
            .any(|p| p == "Delete")
    );
    let mut seen = 0;
    let mut addons = 0;
    let plan_version = docs
        .iter()
        .find_map(|(_, d)| d["spec"]["kubernetesVersion"].as_str())
        .unwrap()
        .to_owned();
    for (path, doc) in &docs {
        if doc["kind"] == "KubernetesCluster" {
            let version = doc["spec"]["kubernetesVersion"].as_str().unwrap();
            assert_eq!(
                doc["spec"]["aws"]["coreDnsVersion"].as_str(),
                clusterwright::cloud::aws::addon_version("coredns", version),
                "{path}"
            );
            seen += 1;
        }
        // The VPC CNI's add-ons are pinned as in the Terraform target: to the table's version
        // for the plan's minor, or left to EKS's default where the table has none (DECISIONS.md,
        // "EKS add-on versions").
        if doc["kind"] == "Addon" {
            let addon = doc["spec"]["forProvider"]["addonName"].as_str().unwrap();
            assert_eq!(
                doc["spec"]["forProvider"]["addonVersion"].as_str(),
                clusterwright::cloud::aws::addon_version(addon, &plan_version),
                "{path}: add-on {addon}"
            );
            addons += 1;
        }
    }
    assert!(seen > 0 && addons > 0);
    // What is not pinned is said, not hidden.
    let decisions = &tree.get("DECISIONS.md").unwrap().content;
    if clusterwright::cloud::aws::addon_version("coredns", &plan_version).is_none() {
        assert!(decisions.contains("## EKS add-on versions"));
        assert!(decisions.contains("`coredns`"));
    }
}

#[test]
fn production_keeps_keys_logs_roles_and_identities() {
    let cases: [(&str, &str, &[&str]); 2] = [
        (
            "acme-aws",
            "kubernetesclusters-aws",
            &[
                "secrets-key",
                "control-plane-log-group",
                "cluster-role",
                "node-role",
                "cni-role",
            ],
        ),
        (
            "initech-azure",
            "kubernetesclusters-azure",
            &[
                "identity",
                "network-role-assignment",
                "secrets-key",
                "disk-encryption-set",
                "disk-key-role-assignment",
                "secrets-role-assignment",
                "disk-encryption-set-reader",
            ],
        ),
    ];
    for (name, composition_name, kept) in cases {
        let docs = documents(&tree(name), "crossplane/");
        let clusters = composition(&docs, composition_name);
        for resource_name in kept {
            let resource = resource(clusters, resource_name);
            let production = management_policies(clusters, resource, true);
            assert!(
                !production.iter().any(|p| p == "Delete" || p == "*"),
                "{name}: production deletes {resource_name}: {production:?}"
            );
            assert!(production.iter().any(|p| p == "Create"));
            assert_eq!(
                management_policies(clusters, resource, false),
                ["*"],
                "{name}: non-production keeps {resource_name}"
            );
        }
    }
}

/// The Usages of `composition`: (what is used, by what kind), all replaying deletion.
fn usages(composition: &Value) -> BTreeSet<(String, String)> {
    input(composition)["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["base"]["kind"] == "Usage")
        .map(|r| {
            let spec = &r["base"]["spec"];
            assert_eq!(spec["replayDeletion"], true, "{}", r["name"]);
            (
                spec["of"]["kind"].as_str().unwrap().to_owned(),
                spec["by"]["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn what_the_cluster_uses_is_not_deleted_before_it() {
    let docs = documents(&tree("acme-aws"), "crossplane/");
    let aws = usages(composition(&docs, "kubernetesclusters-aws"));
    for used in ["Key", "Group", "Role", "RolePolicyAttachment", "RolePolicy"] {
        assert!(
            aws.contains(&(used.to_owned(), "Cluster".to_owned())),
            "EKS: {used} is not kept until the cluster is gone: {aws:?}"
        );
    }
    let groups = usages(composition(&docs, "kubernetesnodegroups-aws"));
    assert!(groups.contains(&("Role".to_owned(), "NodeGroup".to_owned())));
    let docs = documents(&tree("initech-azure"), "crossplane/");
    let azure = usages(composition(&docs, "kubernetesclusters-azure"));
    for used in [
        "UserAssignedIdentity",
        "RoleAssignment",
        "Subnet",
        "Key",
        "DiskEncryptionSet",
    ] {
        assert!(
            azure.contains(&(used.to_owned(), "KubernetesCluster".to_owned())),
            "AKS: {used} is not kept until the cluster is gone: {azure:?}"
        );
    }
}

#[test]
fn eks_admins_are_access_entries_and_the_creator_is_not_one() {
    for name in ["acme-aws", "soylent-aws", "umbrella-aws"] {
        let tree = tree(name);
        let docs = documents(&tree, "crossplane/");
        let clusters = composition(&docs, "kubernetesclusters-aws");
        let for_provider = &resource(clusters, "cluster")["base"]["spec"]["forProvider"];
        // Standard support as in Terraform (`upgrade_policy`): the API's default, EXTENDED,
        // bills extended support instead of upgrading.
        assert_eq!(
            for_provider["upgradePolicy"]["supportType"], "STANDARD",
            "{name}"
        );
        let access = &for_provider["accessConfig"];
        assert_eq!(access["authenticationMode"], "API");
        assert_eq!(
            access["bootstrapClusterCreatorAdminPermissions"], false,
            "{name}: the provisioning role would be an administrator for good"
        );
        // Terraform's admins per cluster (the module's `admins` input, or the applier).
        let blueprint: Value = serde_saphyr::from_str(
            &fs::read_to_string(root().join("blueprints").join(format!("{name}.yaml"))).unwrap(),
        )
        .unwrap();
        for (path, cluster) in docs
            .iter()
            .filter(|(_, d)| d["kind"] == "KubernetesCluster")
        {
            let env = cluster["spec"]["environment"].as_str().unwrap();
            if blueprint["environments"][env]["cloud"]
                .as_str()
                .is_some_and(|c| c != "aws")
            {
                // An environment on another cloud (soylent's GKE sandbox).
                continue;
            }
            let account = cluster["spec"]["account"].as_str().unwrap();
            let admins: Vec<String> = blueprint["environments"][env]["access"]["admins"]
                .as_array()
                .map(|a| a.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default();
            let expected: BTreeSet<String> = if admins.is_empty() {
                [format!(
                    "arn:aws:iam::{account}:role/clusterwright-crossplane"
                )]
                .into()
            } else {
                admins.into_iter().collect()
            };
            let cluster_name = cluster["metadata"]["name"].as_str().unwrap();
            let in_file = |kind: &str| -> Vec<&Value> {
                docs.iter()
                    .filter(|(p, d)| p == path && d["kind"] == kind)
                    .map(|(_, d)| d)
                    .collect()
            };
            let entries: BTreeMap<&str, &str> = in_file("AccessEntry")
                .iter()
                .map(|d| {
                    assert_eq!(
                        d["spec"]["forProvider"]["clusterNameRef"]["name"],
                        cluster_name
                    );
                    (
                        d["metadata"]["name"].as_str().unwrap(),
                        d["spec"]["forProvider"]["principalArn"].as_str().unwrap(),
                    )
                })
                .collect();
            assert_eq!(
                entries
                    .values()
                    .map(|a| (*a).to_owned())
                    .collect::<BTreeSet<_>>(),
                expected,
                "{path}"
            );
            let associations = in_file("AccessPolicyAssociation");
            assert_eq!(associations.len(), entries.len(), "{path}");
            for a in associations {
                let p = &a["spec"]["forProvider"];
                assert!(entries.contains_key(p["principalArnRef"]["name"].as_str().unwrap()));
                assert!(
                    p["policyArn"]
                        .as_str()
                        .unwrap()
                        .ends_with(":eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy")
                );
                assert_eq!(p["accessScope"]["type"], "cluster");
            }
        }
        // Every kind used is activated (SafeStart providers serve only activated kinds).
        let activated: Vec<&Value> = docs
            .iter()
            .filter(|(_, d)| d["kind"] == "ManagedResourceActivationPolicy")
            .flat_map(|(_, d)| d["spec"]["activate"].as_array().unwrap())
            .collect();
        for kind in [
            "accessentries.eks.aws.m.upbound.io",
            "accesspolicyassociations.eks.aws.m.upbound.io",
            "clusterauths.eks.aws.m.upbound.io",
        ] {
            assert!(activated.iter().any(|a| *a == kind), "{kind}");
        }
    }
}

#[test]
fn azure_registers_the_resource_providers_terraform_registers() {
    let tree = tree("initech-azure");
    let docs = documents(&tree, "crossplane/");
    let registered: BTreeMap<&str, &Value> = docs
        .iter()
        .filter(|(p, d)| {
            p.ends_with("/network.yaml") && d["kind"] == "ResourceProviderRegistration"
        })
        .map(|(_, d)| (d["spec"]["forProvider"]["name"].as_str().unwrap(), d))
        .collect();
    // Terraform's list, read from its provider block.
    let (providers, _) = tree
        .files()
        .find(|(p, _)| p.ends_with("/providers.tf") && p.starts_with("terraform/"))
        .unwrap();
    let providers = text(&tree, providers);
    let list = providers
        .split("resource_providers_to_register = [")
        .nth(1)
        .unwrap()
        .split(']')
        .next()
        .unwrap();
    let terraform: Vec<&str> = list
        .lines()
        .map(|l| l.trim().trim_end_matches(',').trim_matches('"'))
        .filter(|l| !l.is_empty())
        .collect();
    assert!(terraform.len() >= 5, "{terraform:?}");
    for rp in terraform {
        let registration = registered
            .get(rp)
            .unwrap_or_else(|| panic!("{rp} is not registered: {:?}", registered.keys()));
        let policies = registration["spec"]["managementPolicies"]
            .as_array()
            .unwrap();
        assert!(
            !policies.iter().any(|p| p == "Delete" || p == "*"),
            "{rp} would be unregistered for the whole subscription"
        );
        assert!(
            registration["metadata"]["annotations"]["crossplane.io/external-name"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/providers/{rp}"))
        );
    }
    // The subscription feature host encryption needs, as the Terraform foundation registers.
    assert_eq!(
        registered["Microsoft.Compute"]["spec"]["forProvider"]["feature"][0]["name"],
        "EncryptionAtHost"
    );
}

#[test]
fn clusters_write_a_kubeconfig_and_report_what_terraform_outputs() {
    let cases = [
        ("acme-aws", "kubernetesclusters-aws", "kubeconfig", true),
        ("globex-gcp", "kubernetesclusters-gcp", "cluster", true),
        (
            "initech-azure",
            "kubernetesclusters-azure",
            "cluster",
            false,
        ),
    ];
    for (name, composition_name, writer, ca) in cases {
        let docs = documents(&tree(name), "crossplane/");
        let clusters = composition(&docs, composition_name);
        let writes = patches(clusters, resource(clusters, writer))
            .into_iter()
            .any(|p| p["toFieldPath"] == "spec.writeConnectionSecretToRef.name");
        assert!(writes, "{name}: no kubeconfig Secret");
        let to: BTreeMap<String, &Value> = input(clusters)["resources"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| patches(clusters, r))
            .filter(|p| p["type"] == "ToCompositeFieldPath")
            .map(|p| (p["toFieldPath"].as_str().unwrap().to_owned(), p))
            .collect();
        assert_eq!(to.contains_key("status.certificateAuthority"), ca, "{name}");
        assert!(to.contains_key("status.clusterId"), "{name}");
        // The endpoint is an https URL on every cloud (EKS reports one already).
        let endpoint = to["status.endpoint"];
        if name != "acme-aws" {
            assert_eq!(
                endpoint["transforms"][0]["string"]["fmt"], "https://%s",
                "{name}"
            );
        }
    }
    let docs = documents(&tree("acme-aws"), "crossplane/");
    let clusters = composition(&docs, "kubernetesclusters-aws");
    let written: BTreeSet<String> = input(clusters)["resources"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| patches(clusters, r))
        .filter(|p| p["type"] == "ToCompositeFieldPath")
        .map(|p| p["toFieldPath"].as_str().unwrap().to_owned())
        .collect();
    for field in [
        "status.aws.nodeRoleArn",
        "status.aws.cniRoleArn",
        "status.aws.clusterSecurityGroupId",
        "status.aws.vpcId",
        "status.aws.subnetIds",
    ] {
        assert!(written.contains(field), "{field}");
    }
}

#[test]
fn system_node_groups_are_tainted_and_tenant_groups_carry_the_plans_labels_and_taints() {
    for name in BUNDLED {
        let tree = tree(name);
        let docs = documents(&tree, "crossplane/");
        let mut systems = 0;
        for (path, group) in docs
            .iter()
            .filter(|(_, d)| d["kind"] == "KubernetesNodeGroup")
        {
            let spec = &group["spec"];
            let taints = spec["taints"].as_array().unwrap();
            let critical = taints.iter().any(|t| {
                t["key"] == "CriticalAddonsOnly"
                    && t["value"] == "true"
                    && t["effect"] == "NoSchedule"
            });
            if spec["tenant"].is_null() {
                systems += 1;
                assert!(critical, "{path}: the system group is not tainted");
            } else {
                assert!(!critical, "{path}: a tenant group carries the system taint");
                assert_eq!(
                    spec["labels"]["clusterwright.io/tenant"].as_str(),
                    spec["tenant"].as_str(),
                    "{path}"
                );
            }
            // Each cloud's spelling carries the same taints.
            for cloud_taints in [&spec["aws"]["taints"], &spec["gcp"]["taints"]] {
                if let Some(list) = cloud_taints.as_array() {
                    assert_eq!(list.len(), taints.len(), "{path}");
                }
            }
            if let Some(list) = spec["azure"]["nodeTaints"].as_array() {
                assert_eq!(list.len(), taints.len(), "{path}");
            }
        }
        if name == "initech-azure" {
            // AKS's system pool is the cluster's default pool: AKS applies the same taint.
            let clusters = composition(&docs, "kubernetesclusters-azure");
            assert_eq!(
                resource(clusters, "cluster")["base"]["spec"]["forProvider"]["defaultNodePool"]["onlyCriticalAddonsEnabled"],
                true
            );
        } else {
            assert!(systems > 0, "{name}");
        }
    }
}

/// The `fmt` of the patch that names `resource` (`%s` alone when it takes the composite's
/// name as it is).
fn name_format(composition: &Value, resource: &Value, to: &str) -> String {
    let patch = patches(composition, resource)
        .into_iter()
        .find(|p| p["toFieldPath"] == to && p["fromFieldPath"] == "metadata.name")
        .unwrap_or_else(|| panic!("{}: {to} is not patched", resource["name"]));
    patch["transforms"][0]["string"]["fmt"]
        .as_str()
        .unwrap_or("%s")
        .to_owned()
}

#[test]
fn azure_composes_customer_managed_keys_where_the_environment_names_its_directory() {
    let tree = tree("initech-azure");
    let docs = documents(&tree, "crossplane/");
    // The environment's vault, in the blueprint's directory, and its disk key: kept in
    // production, absent where the environment names no directory (initech's test).
    let prod: Vec<&Value> = docs
        .iter()
        .filter(|(p, _)| p == "crossplane/prod/network.yaml")
        .map(|(_, d)| d)
        .collect();
    let vault = prod
        .iter()
        .find(|d| d["kind"] == "Vault")
        .expect("no Vault");
    assert_eq!(
        vault["spec"]["forProvider"]["tenantId"],
        "72f988bf-86f1-41af-91ab-2d7cd011db47"
    );
    assert_eq!(vault["spec"]["forProvider"]["purgeProtectionEnabled"], true);
    assert_eq!(
        vault["spec"]["forProvider"]["rbacAuthorizationEnabled"],
        true
    );
    let key = prod
        .iter()
        .find(|d| d["kind"] == "Key")
        .expect("no disk key");
    assert_eq!(
        key["spec"]["forProvider"]["keyVaultIdRef"]["name"],
        vault["metadata"]["name"]
    );
    for kept in [vault, key] {
        let policies = kept["spec"]["managementPolicies"].as_array().unwrap();
        assert!(!policies.iter().any(|p| p == "Delete" || p == "*"));
    }
    assert!(
        !docs
            .iter()
            .any(|(p, d)| p == "crossplane/test/network.yaml" && d["kind"] == "Vault"),
        "a vault without a directory"
    );
    // The cluster names its keys (prod) or says it has none (test).
    let cluster = |env: &str| {
        docs.iter()
            .find(|(p, d)| {
                p.starts_with(&format!("crossplane/{env}/")) && d["kind"] == "KubernetesCluster"
            })
            .unwrap()
            .1
            .clone()
    };
    let keys = &cluster("prod")["spec"]["azure"]["keys"];
    assert!(keys["diskKeyUrl"].as_str().unwrap().ends_with(&format!(
        "/keys/{}",
        key["spec"]["forProvider"]["name"].as_str().unwrap()
    )));
    assert_eq!(keys["vault"], vault["metadata"]["name"]);
    assert_eq!(
        cluster("test")["spec"]["azure"]["platformManagedKeys"],
        true
    );
    assert!(cluster("test")["spec"]["azure"]["keys"].is_null());

    // The Composition: keys composed only with spec.azure.keys, the cluster created only
    // once they and their grants exist (or, platform-managed, once its identity does).
    let azure = composition(&docs, "kubernetesclusters-azure");
    let secrets = resource(azure, "secrets-key");
    assert!(gated_on(azure, secrets, "spec.azure.keys.secretsKey"));
    assert!(gated_on(azure, secrets, "spec.azure.keys.vault"));
    let set = resource(azure, "disk-encryption-set");
    assert_eq!(
        set["base"]["spec"]["forProvider"]["identity"]["type"],
        "SystemAssigned"
    );
    assert!(gated_on(azure, set, "spec.azure.keys.diskKeyUrl"));
    let grants = [
        (
            "disk-key-role-assignment",
            "Key Vault Crypto Service Encryption User",
            "status.azure.diskEncryptionSetPrincipalId",
        ),
        (
            "secrets-role-assignment",
            "Key Vault Crypto User",
            "status.azure.identityPrincipalId",
        ),
        (
            "disk-encryption-set-reader",
            "Reader",
            "status.azure.identityPrincipalId",
        ),
    ];
    for (name, role, principal) in grants {
        let grant = resource(azure, name);
        assert_eq!(
            grant["base"]["spec"]["forProvider"]["roleDefinitionName"],
            role
        );
        assert!(gated_on(azure, grant, principal), "{name}");
    }
    let reader = resource(azure, "disk-encryption-set-reader");
    assert!(gated_on(
        azure,
        reader,
        "status.azure.diskKeyRoleAssignmentId"
    ));
    assert!(gated_on(
        azure,
        reader,
        "status.azure.secretsRoleAssignmentId"
    ));
    let aks = resource(azure, "cluster");
    assert!(gated_on(azure, aks, "status.azure.keysReady"));
    let writes = |resource: &Value, to: &str| {
        patches(azure, resource)
            .iter()
            .filter(|p| p["type"] == "ToCompositeFieldPath" && p["toFieldPath"] == to)
            .map(|p| p["fromFieldPath"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        writes(reader, "status.azure.keysReady"),
        ["status.atProvider.id"]
    );
    let identity = resource(azure, "identity");
    assert_eq!(
        writes(identity, "status.azure.keysReady"),
        ["metadata.annotations[clusterwright.io/platform-managed-keys]"]
    );
    assert!(
        patches(azure, identity).iter().any(|p| p["fromFieldPath"]
            == "spec.azure.platformManagedKeys"
            && p["toFieldPath"] == "metadata.annotations[clusterwright.io/platform-managed-keys]")
    );
    for (from, to) in [
        (
            "status.azure.diskEncryptionSetId",
            "spec.forProvider.diskEncryptionSetId",
        ),
        (
            "status.azure.secretsKeyId",
            "spec.forProvider.keyManagementService.keyVaultKeyId",
        ),
        (
            "spec.azure.keys.keyVaultNetworkAccess",
            "spec.forProvider.keyManagementService.keyVaultNetworkAccess",
        ),
    ] {
        assert!(
            patches(azure, aks)
                .iter()
                .any(|p| p["fromFieldPath"] == from && p["toFieldPath"] == to),
            "AKS: {to} is not patched from {from}"
        );
    }
    assert_eq!(
        writes(secrets, "status.azure.secretsKeyId"),
        ["status.atProvider.id"]
    );
    assert_eq!(
        writes(set, "status.azure.diskEncryptionSetId"),
        ["status.atProvider.id"]
    );
    // Every key Usage names the resource it protects, and waits for the keys.
    for (usage, used) in [
        ("usage-secrets-key", "secrets-key"),
        ("usage-disk-encryption-set", "disk-encryption-set"),
        ("usage-disk-key-role-assignment", "disk-key-role-assignment"),
        ("usage-secrets-role-assignment", "secrets-role-assignment"),
        (
            "usage-disk-encryption-set-reader",
            "disk-encryption-set-reader",
        ),
    ] {
        let u = resource(azure, usage);
        let used = resource(azure, used);
        assert_eq!(
            u["base"]["spec"]["of"]["kind"], used["base"]["kind"],
            "{usage}"
        );
        assert_eq!(
            name_format(azure, u, "spec.of.resourceRef.name"),
            name_format(azure, used, "metadata.name"),
            "{usage}"
        );
        assert!(gated_on(azure, u, "spec.azure.keys.vault"), "{usage}");
    }
}

/// Per cloud, the Crossplane kind of each Terraform resource type, or the README's words
/// for the gap.
fn parity(cloud: &str) -> BTreeMap<&'static str, Result<&'static str, &'static str>> {
    match cloud {
        "aws" => BTreeMap::from([
            ("aws_cloudwatch_log_group", Ok("Group")),
            ("aws_default_security_group", Ok("DefaultSecurityGroup")),
            ("aws_eip", Ok("EIP")),
            ("aws_eks_access_entry", Ok("AccessEntry")),
            (
                "aws_eks_access_policy_association",
                Ok("AccessPolicyAssociation"),
            ),
            ("aws_eks_addon", Ok("Addon")),
            ("aws_eks_cluster", Ok("Cluster")),
            ("aws_eks_node_group", Ok("NodeGroup")),
            ("aws_flow_log", Ok("FlowLog")),
            (
                "aws_iam_openid_connect_provider",
                Ok("OpenIDConnectProvider"),
            ),
            ("aws_iam_role", Ok("Role")),
            ("aws_iam_role_policy", Ok("RolePolicy")),
            ("aws_iam_role_policy_attachment", Ok("RolePolicyAttachment")),
            ("aws_internet_gateway", Ok("InternetGateway")),
            ("aws_kms_alias", Err("`aws_kms_alias`")),
            ("aws_kms_key", Ok("Key")),
            ("aws_launch_template", Ok("LaunchTemplate")),
            ("aws_nat_gateway", Ok("NATGateway")),
            ("aws_route", Ok("Route")),
            ("aws_route_table", Ok("RouteTable")),
            ("aws_route_table_association", Ok("RouteTableAssociation")),
            ("aws_subnet", Ok("Subnet")),
            ("aws_vpc", Ok("VPC")),
            (
                "aws_vpc_ipv4_cidr_block_association",
                Ok("VPCIPv4CidrBlockAssociation"),
            ),
            (
                "aws_vpc_encryption_control",
                Err("`aws_vpc_encryption_control`"),
            ),
            (
                "aws_vpc_security_group_ingress_rule",
                Err("`aws_vpc_security_group_ingress_rule`"),
            ),
        ]),
        "gcp" => BTreeMap::from([
            ("google_compute_firewall", Ok("Firewall")),
            ("google_compute_network", Ok("Network")),
            ("google_compute_router", Ok("Router")),
            ("google_compute_router_nat", Ok("RouterNAT")),
            ("google_compute_subnetwork", Ok("Subnetwork")),
            ("google_container_cluster", Ok("Cluster")),
            ("google_container_node_pool", Ok("NodePool")),
            ("google_kms_crypto_key", Ok("CryptoKey")),
            ("google_kms_crypto_key_iam_member", Ok("CryptoKeyIAMMember")),
            ("google_kms_key_ring", Ok("KeyRing")),
            ("google_project_iam_member", Ok("ProjectIAMMember")),
            ("google_project_service", Ok("ProjectService")),
            (
                "google_project_service_identity",
                Err("`google_project_service_identity`"),
            ),
            ("google_service_account", Ok("ServiceAccount")),
        ]),
        _ => BTreeMap::from([
            ("azurerm_disk_encryption_set", Ok("DiskEncryptionSet")),
            ("azurerm_key_vault", Ok("Vault")),
            ("azurerm_key_vault_key", Ok("Key")),
            ("azurerm_kubernetes_cluster", Ok("KubernetesCluster")),
            (
                "azurerm_kubernetes_cluster_node_pool",
                Ok("KubernetesClusterNodePool"),
            ),
            ("azurerm_log_analytics_workspace", Ok("Workspace")),
            ("azurerm_management_lock", Ok("ManagementLock")),
            (
                "azurerm_monitor_data_collection_rule",
                Err("Container Insights data collection rule"),
            ),
            (
                "azurerm_monitor_data_collection_rule_association",
                Err("data collection rule and its association"),
            ),
            (
                "azurerm_monitor_diagnostic_setting",
                Ok("MonitorDiagnosticSetting"),
            ),
            ("azurerm_network_security_group", Ok("SecurityGroup")),
            (
                "azurerm_network_security_rule",
                Err("rules of each cluster's subnet"),
            ),
            ("azurerm_resource_group", Ok("ResourceGroup")),
            (
                "azurerm_resource_provider_feature_registration",
                Ok("ResourceProviderRegistration"),
            ),
            ("azurerm_role_assignment", Ok("RoleAssignment")),
            ("azurerm_role_definition", Err("the custom role for")),
            ("azurerm_subnet", Ok("Subnet")),
            (
                "azurerm_subnet_network_security_group_association",
                Ok("SubnetNetworkSecurityGroupAssociation"),
            ),
            ("azurerm_user_assigned_identity", Ok("UserAssignedIdentity")),
            ("azurerm_virtual_network", Ok("VirtualNetwork")),
            // A wait inside Terraform's apply; Crossplane retries until ready instead.
            ("time_sleep", Ok("")),
        ]),
    }
}

#[test]
fn every_resource_kind_terraform_creates_has_a_crossplane_counterpart_or_a_named_gap() {
    for (name, cloud) in [
        ("acme-aws", "aws"),
        ("umbrella-aws", "aws"),
        ("globex-gcp", "gcp"),
        ("initech-azure", "azure"),
    ] {
        let tree = tree(name);
        let table = parity(cloud);
        let mut terraform = BTreeSet::new();
        for (path, file) in tree
            .files()
            .filter(|(p, _)| Path::new(p).extension().is_some_and(|e| e == "tf"))
        {
            for line in file.content.lines() {
                if let Some(rest) = line.strip_prefix("resource \"") {
                    let kind = rest.split('"').next().unwrap().to_owned();
                    assert!(
                        table.contains_key(kind.as_str()),
                        "{name}: {path} creates {kind}, which the parity table does not list"
                    );
                    terraform.insert(kind);
                }
            }
        }
        let kinds: BTreeSet<String> = documents(&tree, "crossplane/")
            .iter()
            .flat_map(|(_, d)| {
                let mut out = vec![d["kind"].as_str().unwrap_or_default().to_owned()];
                if d["kind"] == "Composition" {
                    for r in input(d)["resources"].as_array().unwrap() {
                        out.push(r["base"]["kind"].as_str().unwrap().to_owned());
                    }
                }
                out
            })
            .collect();
        let readme = text(&tree, "README.md");
        for kind in &terraform {
            match table[kind.as_str()] {
                Ok("") => {}
                Ok(counterpart) => assert!(
                    kinds.contains(counterpart),
                    "{name}: Terraform creates {kind}, Crossplane no {counterpart}"
                ),
                Err(words) => assert!(
                    readme.contains(words),
                    "{name}: Terraform creates {kind}, Crossplane does not, and the README does not say so ({words})"
                ),
            }
        }
    }
}

/// The line `generate` prints for a gap of the Crossplane output.
fn gap_warning(cloud: &str, what: &str) -> String {
    format!(
        "warning: Crossplane on {cloud} does not build {what} (README.md, \"What Crossplane does not build\", says why and what to do)\n"
    )
}

#[test]
fn generate_warns_of_each_crossplane_gap_of_the_clouds_it_emits_and_exits_zero() {
    let policy = "  zeroTrust: false\n  encryption: network\n  networkEncryption: wireguard\n";
    // The VPC Encryption Control only under `cloud-hardware` (below).
    let aws = [
        "the rule that admits 443 from the whole VPC to the cluster's security group (`aws_vpc_security_group_ingress_rule`)",
        "the secrets key's alias (`aws_kms_alias`)",
    ];
    let gcp = ["the GKE service agent (`google_project_service_identity`, google-beta only)"];
    // No `directory` in blueprint_on: the keys are a gap of that environment too.
    let azure = [
        "the customer-managed keys (Key Vault, disk key, disk encryption set, the etcd KMS key and their role assignments) of an environment that names no Entra ID `directory`",
        "the cluster-admin role assignments for `access.admins` and the custom role for `az aks command invoke`",
        "the Container Insights data collection rule and its association, and the security rules of each cluster's subnet (the isolation-partition and load-balancer rules)",
    ];
    for (cloud, label, gaps) in [
        ("aws", "AWS", &aws[..]),
        ("gcp", "GCP", &gcp[..]),
        ("azure", "Azure", &azure[..]),
    ] {
        let expected: String = gaps.iter().map(|what| gap_warning(label, what)).collect();
        Test::new()
            .write("b.yaml", blueprint_on(cloud, policy))
            .args(["generate", "b.yaml", "-o", "out"])
            .stdout_contains("generated `out`")
            .stderr(expected)
            .tree_contains("out/crossplane/definition.yaml")
            .run();
    }
    // With its directory, an Azure environment's keys are composed: no such warning.
    let with_directory = blueprint_on("azure", policy).replace(
        "cidr: 10.0.0.0/16 }",
        "cidr: 10.0.0.0/16, directory: 72f988bf-86f1-41af-91ab-2d7cd011db47 }",
    );
    let expected: String = azure[1..]
        .iter()
        .map(|what| gap_warning("Azure", what))
        .collect();
    Test::new()
        .write("b.yaml", with_directory)
        .args(["generate", "b.yaml", "-o", "out"])
        .stdout_contains("generated `out`")
        .stderr(expected)
        .run();
    // Under `cloud-hardware` on AWS, Terraform creates the VPC Encryption Control and
    // Crossplane cannot: warned first.
    let hardware = blueprint_on("aws", "  zeroTrust: false\n  encryption: cloud-hardware\n");
    let mut expected = gap_warning(
        "AWS",
        "the VPC Encryption Control of `encryption: cloud-hardware` (`aws_vpc_encryption_control`, monitor mode)",
    );
    expected.extend(aws.iter().map(|what| gap_warning("AWS", what)));
    // Without Cilium the VPC CNI runs custom networking, whose ENIConfigs the operator
    // applies.
    expected.push_str(&gap_warning(
        "AWS",
        "the VPC CNI's ENIConfigs of a cluster without Cilium (one per zone, named after the zone: its pod subnet and the cluster security group; the `eniConfig` configuration of the `vpc-cni` add-on, `aws_eks_addon`, in the Terraform target)",
    ));
    Test::new()
        .write("b.yaml", hardware)
        .args(["generate", "b.yaml", "-o", "out"])
        .stdout_contains("generated `out`")
        .stderr(expected)
        .run();
}
