//! Infrastructure decisions per cloud: what the Terraform of an environment and of a cluster
//! needs beyond topology, addresses and encryption.
//!
//! Stage 3, the last step of planning. Input: the validated blueprint, the clusters and
//! environments planned so far, the previous placement. Output: one [`EnvironmentInfra`]
//! per environment and one [`ClusterInfra`] per cluster, referenced from the plan by one
//! field each (`EnvironmentPlan::infra`, `ClusterPlan::infra`), or the problems only this
//! step finds. Templates read these and decide nothing:
//!
//! - **Resource addresses** (`label`): the plan name with `-` as `_` — names are
//!   `[a-z][a-z0-9-]*`, so the mapping is one-to-one and an address changes only when a
//!   name does. Tenant node groups are `<cluster>_<tenant>_<n>`: adding a tenant adds
//!   addresses and changes none.
//! - **Zones**: AWS zone IDs (the same physical zones in every account, unlike zone names)
//!   from a table of regions whose usable zones are known, `<code>-az1..3` otherwise; Azure
//!   zones 1, 2 and 3; none on GCP, where a regional GKE node pool spreads over the zones
//!   GKE picks (three).
//! - **Names the clouds limit**: GCP service-account ids (6–30 characters) and Azure Key
//!   Vault names (3–24, globally unique) are shortened with a hash where the plain name is
//!   too long; every other derived name fits by the name-length rules of `blueprint::names`
//!   (AWS IAM roles `<cluster>-cilium-operator` ≤ 64, EKS node groups and GKE node pools
//!   `<tenant>-<n>` ≤ 63 and 40).
//! - **GKE's control-plane range**: a /28 after the cluster's other ranges
//!   ([`network::control_plane_range`]), inside its block, so no existing range moves.
//! - **GKE initial sizes**: node pools are sized in totals (autoscaling bounds fixed to the
//!   plan's count) and start with `ceil(nodes / 3)` nodes per zone.
//! - **GKE webhook ports** the private control plane must reach for the mesh, and the
//!   **EKS AMI type** of each node group's instance type (Graviton, NVIDIA, Neuron).
//! - **Renames** (`formerly`): a `--repack` renumbers clusters. A cluster that continues
//!   one the previous placement knew under another name — same environment, same name but
//!   for the sequence number, and each is the other's largest share of tenants — records the
//!   old name, so the Terraform target emits `moved` blocks and the state of everything
//!   that can outlive a rename (network, keys) is kept. The record stays in
//!   `placement.yaml` so that regenerating keeps the blocks; a name taken again by another
//!   cluster drops out of it. Tenants that move between clusters move no state: their node
//!   groups belong to the cluster they run in.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::network;
use super::placement::Placement;
use super::{ClusterPlan, EnvironmentPlan};
use crate::blueprint::diagnostic::{Problem, Rule};
use crate::blueprint::source::KeyPath;
use crate::blueprint::validate::Validated;
use crate::cloud::Cloud;
use crate::cloud::policy::Mesh;

/// Infrastructure decisions of one environment.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentInfra {
    /// Name of the environment's own resources (network, resource group, key ring, log
    /// group): `<platform>-<environment>`.
    pub name: String,
    /// Terraform address label of those resources: `name` with `-` as `_`.
    pub label: String,
    /// Where the environment's Terraform state lives in the backend: the S3 or Azure blob
    /// key, or the GCS prefix. One per environment, so no two environments share a state.
    pub state_key: String,
    /// Tags (labels on GCP) of every resource: the blueprint's, and clusterwright's own
    /// `platform`, `environment` and `managed-by` (validation refuses blueprint tags of those
    /// names), sorted by key.
    pub tags: BTreeMap<String, String>,
    /// Zones the clusters spread over, in subnet order: AWS zone IDs, Azure zone numbers;
    /// empty on GCP.
    pub zones: Vec<String>,
    /// Azure Key Vault holding the environment's keys: 3–24 characters, globally unique.
    pub key_vault: Option<String>,
}

/// Infrastructure decisions of one cluster.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ClusterInfra {
    /// Terraform address label of the cluster's resources: its name with `-` as `_`.
    pub label: String,
    /// The names this cluster had before, oldest first: each becomes `moved` blocks.
    pub formerly: Vec<String>,
    /// GKE: the control plane's private range, a /28 of the cluster's block.
    pub control_plane_cidr: Option<String>,
    /// GCP: the id of the nodes' service account (6–30 characters).
    pub node_service_account: Option<String>,
    /// GKE: ports on the nodes that the private control plane must reach for the mesh's
    /// admission webhooks (GKE opens only 443 and 10250): Istio's 15017, Linkerd's 8089,
    /// 8443 and 9443.
    pub webhook_ports: Vec<u16>,
    /// Node groups, the system group first, then the tenants' in plan order.
    pub node_groups: Vec<NodeGroupInfra>,
    /// GKE: the release channel: production receives upgrades after non-production.
    pub release_channel: Option<String>,
    /// GKE with Linkerd: the Gateway API channel GKE manages the CRDs of (Linkerd needs the
    /// Gateway API; a second, self-installed copy would fight GKE's).
    pub gateway_api_channel: Option<String>,
    /// EKS with Cilium: the IAM role cilium-operator assumes (IRSA) to manage ENIs. The
    /// Terraform target creates it; the Cilium values name it (`eni.iamRole`).
    pub cilium_operator_role: Option<AwsRole>,
    /// EKS with Cilium: the tag on the cluster's node subnets that confines pod ENIs to
    /// them (the VPC holds every cluster of the environment). The Terraform target sets it;
    /// the Cilium values filter on it (`eni.nodeSpec.subnetTags`).
    pub pod_subnet_tag: Option<Tag>,
}

/// An IAM role: its name and ARN (known before apply: account, partition and name fix it).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AwsRole {
    /// Name.
    pub name: String,
    /// ARN.
    pub arn: String,
}

/// A resource tag.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
}

/// The AWS partition of `region`: GovCloud and China have their own.
pub(crate) fn aws_partition(region: &str) -> &'static str {
    if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("cn-") {
        "aws-cn"
    } else {
        "aws"
    }
}

/// Infrastructure decisions of one node group.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NodeGroupInfra {
    /// The group's name in the plan (`system`, `<tenant>-<n>`).
    pub name: String,
    /// Terraform address label: `<cluster label>_<name with _>`.
    pub label: String,
    /// Nodes.
    pub nodes: u32,
    /// GKE: nodes each zone starts with, so that the pool starts at or above its size.
    pub initial_nodes_per_zone: u32,
    /// EKS: the AMI type of the group's instance type (architecture and accelerator).
    pub ami_type: Option<String>,
}

/// The zones a GKE regional node pool spreads over by default.
const GKE_ZONES: u32 = 3;

/// The Terraform label of a name: `-` becomes `_` (names are `[a-z][a-z0-9-]*`).
pub fn label(name: &str) -> String {
    name.replace('-', "_")
}

/// Decides the infrastructure of every environment and cluster; reports what cannot be
/// built.
pub fn attach(
    validated: &Validated,
    previous: Option<&Placement>,
    environments: &mut [EnvironmentPlan],
    clusters: &mut [ClusterPlan],
    problems: &mut Vec<Problem>,
) {
    let bp = validated.blueprint();
    for env in environments.iter_mut() {
        let name = format!("{}-{}", bp.name, env.name);
        let mut tags = bp.tags.clone();
        tags.insert("platform".to_owned(), bp.name.clone());
        tags.insert("environment".to_owned(), env.name.clone());
        tags.insert("managed-by".to_owned(), "clusterwright".to_owned());
        let zones = match env.cloud {
            Cloud::Aws => aws_zone_ids(&env.region),
            Cloud::Gcp => Vec::new(),
            Cloud::Azure => ["1", "2", "3"].map(String::from).to_vec(),
        };
        if env.cloud == Cloud::Aws && zones.len() < 3 {
            let overridden = bp
                .environments
                .get(&env.name)
                .is_some_and(|e| e.region.is_some());
            let path = if overridden {
                KeyPath::keys(["environments", env.name.as_str(), "region"])
            } else {
                KeyPath::keys(["region"])
            };
            problems.push(
                Problem::error(
                    Rule::Quota,
                    path,
                    format!(
                        "AWS region `{}` offers new accounts fewer than the three availability zones every cluster spreads over",
                        env.region
                    ),
                )
                .with_help("choose a region with three zones for EKS, such as `us-west-2`"),
            );
        }
        let state_key = match env.cloud {
            // An object key (S3, Azure blob); GCS takes a prefix and names the object itself.
            Cloud::Aws | Cloud::Azure => format!("clusterwright/{}/{}.tfstate", bp.name, env.name),
            Cloud::Gcp => format!("clusterwright/{}/{}", bp.name, env.name),
        };
        env.infra = EnvironmentInfra {
            label: label(&name),
            key_vault: (env.cloud == Cloud::Azure)
                .then(|| key_vault_name(&bp.name, &env.name, &env.account)),
            name,
            state_key,
            tags,
            zones,
        };
    }
    let renames = renames(previous, clusters);
    for cluster in clusters.iter_mut() {
        let formerly = renames.get(&cluster.name).cloned().unwrap_or_default();
        cluster.infra = cluster_infra(cluster, formerly);
    }
}

/// The infrastructure decisions of `cluster`, once known by `formerly` names.
fn cluster_infra(cluster: &ClusterPlan, formerly: Vec<String>) -> ClusterInfra {
    let cluster_label = label(&cluster.name);
    let aws = cluster.cloud == Cloud::Aws;
    let gcp = cluster.cloud == Cloud::Gcp;
    let ami = |instance_type: &str| aws.then(|| aws_ami_type(instance_type).to_owned());
    let mut node_groups = vec![NodeGroupInfra {
        label: format!("{cluster_label}_{}", label(&cluster.system.name)),
        name: cluster.system.name.clone(),
        nodes: cluster.system.nodes,
        initial_nodes_per_zone: cluster.system.nodes.div_ceil(GKE_ZONES),
        ami_type: ami(&cluster.system.instance_type),
    }];
    for tenant in &cluster.tenant_groups {
        for group in &tenant.groups {
            node_groups.push(NodeGroupInfra {
                label: format!("{cluster_label}_{}", label(&group.name)),
                name: group.name.clone(),
                nodes: group.nodes,
                initial_nodes_per_zone: group.nodes.div_ceil(GKE_ZONES),
                ami_type: ami(&tenant.instance_type),
            });
        }
    }
    let eks_cilium = aws && cluster.networking.cni == crate::plan::encryption::Cni::Cilium;
    ClusterInfra {
        formerly,
        control_plane_cidr: gcp
            .then(|| network::control_plane_range(&cluster.network).map(|n| n.to_string()))
            .flatten(),
        node_service_account: gcp.then(|| service_account_id(&cluster.name)),
        webhook_ports: if gcp {
            webhook_ports(cluster.networking.mesh)
        } else {
            Vec::new()
        },
        // Non-production receives upgrades before production.
        release_channel: gcp.then(|| {
            if cluster.production {
                "STABLE"
            } else {
                "REGULAR"
            }
            .to_owned()
        }),
        gateway_api_channel: (gcp && cluster.networking.mesh == Some(Mesh::Linkerd))
            .then(|| "CHANNEL_STANDARD".to_owned()),
        cilium_operator_role: eks_cilium.then(|| {
            let name = format!("{}-cilium-operator", cluster.name);
            AwsRole {
                arn: format!(
                    "arn:{}:iam::{}:role/{name}",
                    aws_partition(&cluster.region),
                    cluster.account
                ),
                name,
            }
        }),
        pod_subnet_tag: eks_cilium.then(|| Tag {
            key: crate::plan::encryption::stack::CILIUM_POD_SUBNET_TAG.to_owned(),
            value: cluster.name.clone(),
        }),
        label: cluster_label,
        node_groups,
    }
}

/// The EKS AMI type (Amazon Linux 2023; the values of the EKS API's `AMITypes`, as the
/// CDK's `NodegroupAmiType` lists them) for `instance_type`: Arm for Graviton families
/// (a `g` among the letters after the generation: `m7g`, `c6gn`, `r8gd`, and `a1`), the
/// NVIDIA variant for the NVIDIA GPU families (`g…`, `p…`, not the AMD `g4ad`), the Neuron
/// variant for Inferentia and Trainium (`inf…`, `trn…`), the standard x86 one otherwise.
pub fn aws_ami_type(instance_type: &str) -> &'static str {
    let family = instance_type.split('.').next().unwrap_or_default();
    let split = family
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(family.len());
    let (prefix, rest) = family.split_at(split);
    let attributes = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    let attributes = attributes.split('-').next().unwrap_or_default();
    let arm = attributes.contains('g') || prefix == "a";
    let nvidia = matches!(prefix, "g" | "p") && !attributes.contains('a');
    match (arm, nvidia) {
        (true, true) => "AL2023_ARM_64_NVIDIA",
        (true, false) => "AL2023_ARM_64_STANDARD",
        (false, true) => "AL2023_x86_64_NVIDIA",
        (false, false) if matches!(prefix, "inf" | "trn") => "AL2023_x86_64_NEURON",
        (false, false) => "AL2023_x86_64_STANDARD",
    }
}

/// The webhook ports of `mesh` that a private GKE control plane must reach: Istio's
/// istiod (15017; cloud.google.com/service-mesh/docs/private-cluster-open-port), Linkerd's
/// tap (8089), proxy injector (8443) and policy validator (9443; linkerd.io reference
/// "Cluster Configuration", private GKE clusters).
fn webhook_ports(mesh: Option<Mesh>) -> Vec<u16> {
    match mesh {
        Some(Mesh::Istio | Mesh::IstioAmbient) => vec![15017],
        Some(Mesh::Linkerd) => vec![8089, 8443, 9443],
        None => Vec::new(),
    }
}

/// AWS availability zone IDs of `region` for a cluster's three subnets.
///
/// A zone ID is `<region code>-az<n>` (`eu-central-1` is `euc1`). Where a region's first
/// three zone IDs include one that EKS or current instance types do not support, the table
/// skips it: us-east-1 `use1-az3` (no EKS control plane, no newer instance families),
/// ca-central-1 `cac1-az3` and ap-northeast-1 `apne1-az3` (not offered to new accounts).
/// us-west-1 offers new accounts two zones: too few. Other regions take az1–az3.
pub fn aws_zone_ids(region: &str) -> Vec<String> {
    let Some(code) = aws_region_code(region) else {
        return Vec::new();
    };
    let numbers: &[u32] = match region {
        "us-east-1" | "ca-central-1" | "ap-northeast-1" => &[1, 2, 4],
        "us-west-1" => &[1, 3],
        _ => &[1, 2, 3],
    };
    numbers.iter().map(|n| format!("{code}-az{n}")).collect()
}

/// The code of an AWS region in its zone IDs: the area, the initials of the direction,
/// the number (`ap-southeast-2` is `apse2`, `us-gov-west-1` is `usgw1`).
fn aws_region_code(region: &str) -> Option<String> {
    let parts: Vec<&str> = region.split('-').collect();
    let (area, rest) = parts.split_first()?;
    let (number, words) = rest.split_last()?;
    let mut code = (*area).to_owned();
    for word in words {
        let short = match *word {
            "northeast" => "ne",
            "northwest" => "nw",
            "southeast" => "se",
            "southwest" => "sw",
            other => other.get(..1)?,
        };
        code.push_str(short);
    }
    code.push_str(number);
    Some(code)
}

/// The first `n` hex digits of the SHA-256 of `text`.
fn hash_hex(text: &str, n: usize) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(n + 1);
    for byte in digest.iter().take(n.div_ceil(2)) {
        let _ = write!(hex, "{byte:02x}");
    }
    hex.truncate(n);
    hex
}

/// `name` cut to `max` characters without a trailing `-`, then `-` and a hash of `key`:
/// a name that fits and stays unique.
pub(crate) fn shortened(name: &str, max: usize, key: &str) -> String {
    let hash = hash_hex(key, 8);
    let room = max.saturating_sub(hash.len() + 1);
    let stem: String = name.chars().take(room).collect();
    format!("{}-{hash}", stem.trim_end_matches('-'))
}

/// GCP service-account ids are 6–30 characters (`[a-z]([-a-z0-9]*[a-z0-9])`); cluster
/// names are 6–40. The cluster name itself where it fits.
fn service_account_id(cluster: &str) -> String {
    if cluster.len() <= 30 {
        cluster.to_owned()
    } else {
        shortened(cluster, 30, cluster)
    }
}

/// Azure Key Vault names are 3–24 alphanumerics and single hyphens, globally unique:
/// `<platform>-<environment>` cut short, and a hash of the subscription, platform and
/// environment (two platforms with the same name in different subscriptions differ).
fn key_vault_name(platform: &str, environment: &str, account: &str) -> String {
    let stem = format!("{platform}-{environment}");
    let mut collapsed = String::with_capacity(stem.len());
    for c in stem.chars() {
        if !(c == '-' && collapsed.ends_with('-')) {
            collapsed.push(c);
        }
    }
    shortened(
        &collapsed,
        24,
        &format!("{account}/{platform}/{environment}"),
    )
}

/// The former names of every cluster (oldest first), from the previous placement's record
/// and the renames a repack made now.
fn renames(
    previous: Option<&Placement>,
    clusters: &[ClusterPlan],
) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let Some(previous) = previous else {
        return out;
    };
    for (env, old) in &previous.environments {
        let current: Vec<&ClusterPlan> =
            clusters.iter().filter(|c| &c.environment == env).collect();
        let names: BTreeSet<&str> = current.iter().map(|c| c.name.as_str()).collect();
        // Previous cluster → new cluster holding most of its tenants (same stem, new name).
        let mut best_new: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
        for (old_name, placed) in old {
            if names.contains(old_name.as_str()) {
                continue;
            }
            let tenants: BTreeSet<&str> = placed.tenants.iter().map(String::as_str).collect();
            for c in &current {
                if old.contains_key(&c.name) || stem(&c.name) != stem(old_name) {
                    continue;
                }
                let shared = c
                    .tenants
                    .iter()
                    .filter(|t| tenants.contains(t.as_str()))
                    .count();
                let better = best_new
                    .get(old_name.as_str())
                    .is_none_or(|(_, n)| shared > *n);
                if shared > 0 && better {
                    best_new.insert(old_name.as_str(), (c.name.as_str(), shared));
                }
            }
        }
        // New cluster → the previous one it holds the largest share of (names break ties).
        let mut continued: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
        for (old_name, (new_name, shared)) in &best_new {
            let better = continued.get(new_name).is_none_or(|(_, n)| *shared > *n);
            if better {
                continued.insert(new_name, (old_name, *shared));
            }
        }
        for c in &current {
            let mut chain: Vec<String> = old
                .get(&c.name)
                .map(|p| p.formerly.clone())
                .unwrap_or_default();
            if let Some((old_name, _)) = continued.get(c.name.as_str()) {
                chain = old
                    .get(*old_name)
                    .map(|p| p.formerly.clone())
                    .unwrap_or_default();
                chain.push((*old_name).to_owned());
            }
            // A name some cluster holds again cannot be moved from: the chain starts after it.
            if let Some(taken) = chain
                .iter()
                .rposition(|n| names.contains(n.as_str()) || n == &c.name)
            {
                chain.drain(..=taken);
            }
            if !chain.is_empty() {
                out.insert(c.name.clone(), chain);
            }
        }
    }
    out
}

/// A cluster name without its sequence number (`acme-prod-retail-03` is
/// `acme-prod-retail`).
fn stem(name: &str) -> &str {
    name.rsplit_once('-').map_or(name, |(stem, _)| stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_ids_skip_zones_eks_cannot_use() {
        assert_eq!(
            aws_zone_ids("eu-central-1"),
            ["euc1-az1", "euc1-az2", "euc1-az3"]
        );
        assert_eq!(
            aws_zone_ids("us-east-1"),
            ["use1-az1", "use1-az2", "use1-az4"]
        );
        assert_eq!(aws_zone_ids("ap-southeast-2")[0], "apse2-az1");
        assert_eq!(aws_zone_ids("us-gov-west-1")[2], "usgw1-az3");
        assert_eq!(aws_zone_ids("us-west-1").len(), 2);
    }

    #[test]
    fn cloud_limited_names_fit() {
        let long = "pppppppppppppppppppp-eeeeeeeeeeee-01";
        assert_eq!(
            service_account_id("acme-prod-retail-01"),
            "acme-prod-retail-01"
        );
        let id = service_account_id(&format!("{long}xx"));
        assert!(id.len() <= 30 && id.len() >= 6, "{id}");
        assert!(!id.contains("--"));
        let vault = key_vault_name("initech", "prod", "6f1c4a52-1d0e-4c7b-9b7e-2a1f3c4d5e6f");
        assert!(
            vault.starts_with("initech-prod-") && vault.len() <= 24,
            "{vault}"
        );
        let a = key_vault_name(&"p".repeat(20), "prod", "x");
        let b = key_vault_name(&"p".repeat(20), "test", "x");
        assert!(a.len() <= 24 && b.len() <= 24);
        assert_ne!(a, b, "long names must not collide");
    }

    #[test]
    fn ami_types_follow_architecture_and_accelerator() {
        for (instance_type, ami) in [
            ("m6i.xlarge", "AL2023_x86_64_STANDARD"),
            ("m7i-flex.large", "AL2023_x86_64_STANDARD"),
            ("c6in.4xlarge", "AL2023_x86_64_STANDARD"),
            ("m7g.xlarge", "AL2023_ARM_64_STANDARD"),
            ("c7gn.large", "AL2023_ARM_64_STANDARD"),
            ("r8gd.2xlarge", "AL2023_ARM_64_STANDARD"),
            ("a1.large", "AL2023_ARM_64_STANDARD"),
            ("g5.xlarge", "AL2023_x86_64_NVIDIA"),
            ("p4d.24xlarge", "AL2023_x86_64_NVIDIA"),
            ("g5g.xlarge", "AL2023_ARM_64_NVIDIA"),
            ("g4ad.xlarge", "AL2023_x86_64_STANDARD"),
            ("inf2.xlarge", "AL2023_x86_64_NEURON"),
            ("trn1.2xlarge", "AL2023_x86_64_NEURON"),
        ] {
            assert_eq!(aws_ami_type(instance_type), ami, "{instance_type}");
        }
    }

    #[test]
    fn labels_are_names_with_underscores() {
        assert_eq!(label("acme-prod-retail-03"), "acme_prod_retail_03");
        assert_eq!(stem("acme-prod-retail-03"), "acme-prod-retail");
    }
}
