//! The `KubernetesNodeGroup` composite resources of a cluster: one per node group, the
//! system group included except on AKS, whose system pool is the cluster's default node
//! pool.
//!
//! Part of [`crossplane`](super) planning. Each spec carries the group's size, instance type,
//! labels and taints, and what its cloud needs in that cloud's own spelling (EKS and GKE write
//! `NO_SCHEDULE`, AKS `key=value:NoSchedule`): patch-and-transform cannot rewrite the
//! elements of a list, so the plan writes each spelling out.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cloud::Cloud;
use crate::cloud::policy::Trust;
use crate::plan::{ClusterPlan, EnvironmentPlan, NodeGroupCloud, Taint, cloud_name};

/// The longest name of a composite resource: Crossplane labels it, and everything it
/// composes, with its name (`crossplane.io/composite`, crossplane@v2.3.4
/// `internal/controller/apiextensions/composite/api.go`), and a label value has at most 63
/// characters.
pub const MAX_COMPOSITE_NAME: usize = 63;

/// The name of the `KubernetesNodeGroup` of group `group` of `cluster`: `<cluster>-<group>`,
/// or where that is too long for a label value, shortened with a hash of it (still unique).
pub fn resource_name(cluster: &str, group: &str) -> String {
    let name = format!("{cluster}-{group}");
    if name.len() <= MAX_COMPOSITE_NAME {
        name
    } else {
        crate::cloud::names::shortened(&name, MAX_COMPOSITE_NAME, &name)
    }
}

/// A `KubernetesNodeGroup` composite resource.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NodeGroupResource {
    /// Its name: `<cluster>-<group>`, shortened past 63 characters ([`resource_name`]).
    pub name: String,
    /// The Composition that builds it: `kubernetesnodegroups-<cloud>`.
    pub composition: String,
    /// Labels of the composite resource.
    pub labels: BTreeMap<String, String>,
    /// Its `spec`.
    pub spec: NodeGroupSpec,
}

/// The `spec` of a `KubernetesNodeGroup`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NodeGroupSpec {
    /// The `KubernetesCluster` it belongs to.
    pub cluster: String,
    /// Environment name.
    pub environment: String,
    /// Cloud.
    pub cloud: Cloud,
    /// Region.
    pub region: String,
    /// Kubernetes minor version.
    pub kubernetes_version: String,
    /// Tags of its resources (the cluster's).
    pub tags: BTreeMap<String, String>,
    /// The group's name in the plan (`system`, `<tenant>-<n>`).
    pub name: String,
    /// The name the cloud knows it by.
    pub cloud_name: String,
    /// Its tenant; absent for the system group.
    pub tenant: Option<String>,
    /// The tenant's organization.
    pub organization: Option<String>,
    /// The tenant's trust.
    pub trust: Option<Trust>,
    /// Instance type.
    pub instance_type: String,
    /// Nodes (fixed: resizing is a reviewed blueprint change).
    pub nodes: u32,
    /// Kubernetes labels of its nodes.
    pub labels: BTreeMap<String, String>,
    /// Taints of its nodes, in Kubernetes spelling.
    pub taints: Vec<Taint>,
    /// AWS settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws: Option<AwsNodeGroupSpec>,
    /// GCP settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gcp: Option<GcpNodeGroupSpec>,
    /// Azure settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub azure: Option<AzureNodeGroupSpec>,
}

/// A taint as EKS and GKE spell it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UpperTaint {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
    /// `NO_SCHEDULE`, `PREFER_NO_SCHEDULE` or `NO_EXECUTE`.
    pub effect: String,
}

/// AWS settings of a node group.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AwsNodeGroupSpec {
    /// The EKS AMI type of its instance type.
    pub ami_type: String,
    /// Its taints as EKS spells them.
    pub taints: Vec<UpperTaint>,
}

/// GCP settings of a node group.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GcpNodeGroupSpec {
    /// Nodes each zone starts with.
    pub initial_nodes_per_zone: u32,
    /// Most pods on one node.
    pub max_pods_per_node: u32,
    /// Its taints as GKE spells them.
    pub taints: Vec<UpperTaint>,
}

/// Azure settings of a node group.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AzureNodeGroupSpec {
    /// Zones.
    pub zones: Vec<String>,
    /// Most pods on one node.
    pub max_pods_per_node: u32,
    /// Its taints as AKS spells them: `key=value:Effect`.
    pub node_taints: Vec<String>,
}

fn upper_taints(taints: &[Taint]) -> Vec<UpperTaint> {
    taints
        .iter()
        .map(|t| UpperTaint {
            key: t.key.clone(),
            value: t.value.clone(),
            effect: t.effect.upper().to_owned(),
        })
        .collect()
}

pub(super) fn node_groups(
    c: &ClusterPlan,
    env: &EnvironmentPlan,
    kubernetes_version: &str,
    tags: &BTreeMap<String, String>,
    cluster_labels: &BTreeMap<String, String>,
) -> Vec<NodeGroupResource> {
    let cloud = cloud_name(c.cloud);
    c.node_groups
        .iter()
        // AKS's system pool is the cluster's default node pool, composed with the cluster.
        .filter(|g| g.tenant.is_some() || c.cloud != Cloud::Azure)
        .map(|g| {
            let mut labels = cluster_labels.clone();
            labels.insert("clusterwright.io/cluster".to_owned(), c.name.clone());
            if let Some(t) = &g.tenant {
                labels.insert("clusterwright.io/tenant".to_owned(), t.name.clone());
            }
            let spec = NodeGroupSpec {
                cluster: c.name.clone(),
                environment: c.environment.clone(),
                cloud: c.cloud,
                region: c.region.clone(),
                kubernetes_version: kubernetes_version.to_owned(),
                tags: tags.clone(),
                name: g.name.clone(),
                cloud_name: g.cloud_name.clone(),
                tenant: g.tenant.as_ref().map(|t| t.name.clone()),
                organization: g.tenant.as_ref().map(|t| t.organization.clone()),
                trust: g.tenant.as_ref().map(|t| t.trust),
                instance_type: g.instance_type.clone(),
                nodes: g.nodes,
                labels: g.labels.clone(),
                taints: g.taints.clone(),
                aws: match g.cloud {
                    NodeGroupCloud::Aws { ami_type } => Some(AwsNodeGroupSpec {
                        ami_type: ami_type.to_owned(),
                        taints: upper_taints(&g.taints),
                    }),
                    _ => None,
                },
                gcp: match g.cloud {
                    NodeGroupCloud::Gcp {
                        initial_nodes_per_zone,
                    } => Some(GcpNodeGroupSpec {
                        initial_nodes_per_zone,
                        max_pods_per_node: c.network.max_pods_per_node,
                        taints: upper_taints(&g.taints),
                    }),
                    _ => None,
                },
                azure: matches!(g.cloud, NodeGroupCloud::Azure).then(|| AzureNodeGroupSpec {
                    zones: env.resources.zones.clone(),
                    max_pods_per_node: c.network.max_pods_per_node,
                    node_taints: g.taints.iter().map(Taint::aks).collect(),
                }),
            };
            NodeGroupResource {
                name: resource_name(&c.name, &g.name),
                composition: format!("kubernetesnodegroups-{cloud}"),
                labels,
                spec,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composite_names_fit_a_label_value() {
        assert_eq!(
            resource_name("acme-prod-retail-03", "storefront-1"),
            "acme-prod-retail-03-storefront-1"
        );
        let cluster = format!("{}-{}-01", "p".repeat(20), "e".repeat(12));
        let a = resource_name(&cluster, &format!("{}-1", "t".repeat(30)));
        let b = resource_name(&cluster, &format!("{}-2", "t".repeat(30)));
        assert!(a.len() <= MAX_COMPOSITE_NAME && b.len() <= MAX_COMPOSITE_NAME);
        assert!(a.starts_with(&cluster), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn effects_in_cloud_spelling() {
        use crate::plan::TaintEffect;
        assert_eq!(TaintEffect::NoSchedule.upper(), "NO_SCHEDULE");
        assert_eq!(TaintEffect::NoExecute.upper(), "NO_EXECUTE");
        assert_eq!(TaintEffect::NoExecute.kubernetes(), "NoExecute");
    }
}
