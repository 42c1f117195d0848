//! The facts of a placed cluster that review needs on the next run: where it runs (cloud,
//! region, account), what it runs (Kubernetes version, node groups and their instance
//! types, CNI, encryption stack, Helm releases) and how it is cut off (isolation,
//! production). Recorded per cluster in `placement.yaml` (`facts:`), next to the tenants
//! and ranges the planner honours, and compared by [`super::impact`] with the new plan to
//! say what a change does to running infrastructure.
//!
//! Part of stage 3 (plan). Input: a [`ClusterPlan`] and the plan's Kubernetes version.
//! Output: a [`ClusterFacts`]. Every field is optional on reading (`#[serde(default)]`):
//! a `placement.yaml` written before facts were recorded still parses, and review then
//! says only what the placement alone shows.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{ClusterPlan, Isolation, NodeGroup, PolicyPlan};
use crate::cloud::Cloud;
use crate::cloud::policy::{Encryption, Mesh, NetworkEncryption, ProductionIsolation, Trust};

/// What review needs to know of one cluster as the previous run planned it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterFacts {
    /// Cloud.
    pub cloud: Cloud,
    /// Region.
    pub region: String,
    /// Account id, project id or subscription id.
    pub account: String,
    /// Whether its environment is production.
    pub production: bool,
    /// Kubernetes minor version.
    pub kubernetes_version: String,
    /// The pod network (CNI or datapath), as the plan names it (`cilium`,
    /// `aws-vpc-cni`, `gke-dataplane-v2`, `azure-cni-cilium`).
    pub cni: String,
    /// Cilium transparent encryption, when Cilium encrypts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_encryption: Option<NetworkEncryption>,
    /// The mesh, when one runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mesh: Option<Mesh>,
    /// What the cloud's hardware encrypts, when the plan relies on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_encryption: Option<String>,
    /// Why its tenants are grouped the way they are (an untrusted tenant alone, a
    /// hard-boundary organization, or shared).
    pub isolation: Isolation,
    /// Node group name → its facts (the system group included).
    #[serde(default)]
    pub node_groups: BTreeMap<String, GroupFacts>,
    /// The Helm releases its helmfile installs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub releases: Vec<ReleaseFacts>,
    /// The releases its helmfile uninstalls (`installed: false`): kept while the
    /// installed set stays as it is, so that regenerating changes nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired: Vec<ReleaseFacts>,
}

/// One node group as the previous run planned it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GroupFacts {
    /// The name the cloud knows it by.
    pub cloud_name: String,
    /// The tenant it is dedicated to (`None`: the system group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// That tenant's trust.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust: Option<Trust>,
    /// Nodes.
    pub nodes: u32,
    /// Instance type.
    pub instance_type: String,
    /// Whether it is kept only until its tenant's move is completed (see
    /// [`super::draining`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub draining: bool,
}

/// A Helm release a cluster's helmfile installs: what is needed to uninstall it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReleaseFacts {
    /// Release name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// `<repository>/<chart>`.
    pub chart: String,
    /// Chart version.
    pub version: String,
    /// Its repository's name.
    pub repository: String,
    /// Its repository's URL.
    pub url: String,
}

/// The platform-wide policy facts review compares: what makes a platform weaker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PolicyFacts {
    /// Workload identity required.
    pub zero_trust: bool,
    /// How production is cut off.
    pub production_isolation: ProductionIsolation,
    /// The rules waived.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<String>,
}

impl PolicyFacts {
    /// The policy facts of `policy`.
    pub fn of(policy: &PolicyPlan) -> Self {
        let mut waivers: Vec<String> = policy.waivers.iter().map(|w| w.rule.clone()).collect();
        waivers.sort();
        waivers.dedup();
        Self {
            zero_trust: policy.zero_trust,
            production_isolation: policy.production_isolation,
            waivers,
        }
    }
}

impl ClusterFacts {
    /// The facts of `cluster`, planned for Kubernetes `kubernetes_version`.
    pub fn of(cluster: &ClusterPlan, kubernetes_version: &str) -> Self {
        let n = &cluster.networking;
        Self {
            cloud: cluster.cloud,
            region: cluster.region.clone(),
            account: cluster.account.clone(),
            production: cluster.production,
            kubernetes_version: kubernetes_version.to_owned(),
            cni: n.cni.name().to_owned(),
            network_encryption: n.transparent_encryption,
            mesh: n.mesh,
            cloud_encryption: n.cloud_encryption.map(|c| c.name().to_owned()),
            isolation: cluster.isolation.clone(),
            node_groups: cluster
                .node_groups
                .iter()
                .map(|g| (g.name.clone(), GroupFacts::of(g)))
                .collect(),
            releases: n
                .releases
                .iter()
                .map(|step| {
                    let chart = step.release.chart();
                    ReleaseFacts {
                        name: step.release.name().to_owned(),
                        namespace: step.release.namespace().to_owned(),
                        chart: chart.chart.to_owned(),
                        version: chart.version.to_owned(),
                        repository: chart.repository.name.to_owned(),
                        url: chart.repository.url.to_owned(),
                    }
                })
                .collect(),
            retired: cluster.retired_releases.clone(),
        }
    }

    /// How strongly the recorded stack encrypts, as [`encryption_rank`] counts.
    pub fn encryption_rank(&self) -> u8 {
        encryption_rank(
            self.network_encryption.is_some(),
            self.mesh.is_some(),
            self.cloud_encryption.is_some(),
        )
    }
}

impl GroupFacts {
    /// The facts of node group `g`.
    pub fn of(g: &NodeGroup) -> Self {
        Self {
            cloud_name: g.cloud_name.clone(),
            tenant: g.tenant.as_ref().map(|t| t.name.clone()),
            trust: g.tenant.as_ref().map(|t| t.trust),
            nodes: g.nodes,
            instance_type: g.instance_type.clone(),
            draining: g.draining,
        }
    }
}

/// The strength of an encryption stack, for "was it lowered?": a mesh (workload identity
/// and mTLS) and transparent network encryption count two each, hardware encryption on
/// the wire one. Lower is weaker; equal ranks are a swap, not a weakening.
pub fn encryption_rank(network: bool, mesh: bool, hardware: bool) -> u8 {
    2 * u8::from(network) + 2 * u8::from(mesh) + u8::from(hardware)
}

/// How strongly `policy.encryption` encrypts (the same count as [`encryption_rank`]).
pub fn mode_rank(mode: Encryption) -> u8 {
    match mode {
        Encryption::None => 0,
        Encryption::CloudHardware => encryption_rank(false, false, true),
        Encryption::Network => encryption_rank(true, false, false),
        Encryption::Mtls => encryption_rank(false, true, false),
        Encryption::DefenseInDepth => encryption_rank(true, true, false),
    }
}

/// How strongly `isolation` separates a cluster's tenants from others: an untrusted
/// tenant alone (2), a hard-boundary organization (1), shared (0).
pub fn isolation_rank(isolation: &Isolation) -> u8 {
    match isolation {
        Isolation::Shared => 0,
        Isolation::Organization(_) => 1,
        Isolation::Tenant(_) => 2,
    }
}
