//! Terraform for GCP, as stacks over the `gcp-foundation` and `gcp-cluster` modules.
//!
//! Per environment a foundation stack, `terraform/<env>/foundation/`: one call of
//! `terraform/modules/gcp-foundation/` (copied as it is from
//! `templates/terraform/modules/gcp-foundation/`) with the environment's project, region,
//! resource name, admins and each cluster's ranges. The module holds the project
//! prerequisites (APIs, the GKE service agent), the VPC network with one subnetwork per
//! cluster (keyed by the cluster's name), firewall rules, Cloud NAT, the key ring with each
//! cluster's secrets key, and the admins' IAM bindings. Per cluster a stack,
//! `terraform/<env>/<cluster>/`, whose `main.tf` is one call of
//! `terraform/modules/gcp-cluster/`, which looks the foundation's objects up by the names
//! the plan gives them. Names the modules derive are checked against the plan
//! ([`check_foundation_names`]).
//!
//! The secrets keys stay in the foundation: `prevent_destroy` cannot come from a
//! variable, so the cluster module cannot keep it for production only, and a key must
//! outlive a `terraform destroy` of its cluster's stack.
//!
//! Templates: `templates/terraform/gcp/*.tf.tera`. Every context is flat and built here
//! from the plan.

use serde::Serialize;

use super::{Environment, Move};
use crate::cloud::policy::{Endpoint, NetworkEncryption};
use crate::error::{Error, Result};
use crate::output::OutputTree;
use crate::plan::encryption::{CILIUM_AGENT_NOT_READY, CloudEncryption};
use crate::plan::resources::{EnvironmentCloud, GcpCluster, GcpEnvironment};
use crate::plan::{
    ClusterPlan, EnvironmentPlan, Maintenance, NodeGroup, NodeGroupCloud, TENANT_LABEL,
};
use crate::targets::stacks::{self, StackKind};
use crate::targets::templates::{
    TEMPLATE_TF_GCP_CLUSTER, TEMPLATE_TF_GCP_CLUSTER_OUTPUTS, TEMPLATE_TF_GCP_FOUNDATION,
    TEMPLATE_TF_GCP_FOUNDATION_OUTPUTS, TEMPLATE_TF_GCP_PROVIDERS, TEMPLATE_TF_GCP_VERSIONS,
};

/// Context of `terraform/gcp/versions.tf.tera`, in either kind of stack.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionsContext {
    /// The stack's GCS state prefix.
    pub state_key: String,
    /// Whether `google-beta` is required too (the foundation: the service identity).
    pub beta: bool,
}

/// Context of `terraform/gcp/providers.tf.tera`, in either kind of stack.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvidersContext<'a> {
    /// The providers to configure: `google`, and `google-beta` in the foundation.
    pub providers: Vec<&'static str>,
    /// The environment's project.
    pub project: &'a str,
    /// Its region.
    pub region: &'a str,
    /// Default labels: the environment's tags.
    pub labels: &'a std::collections::BTreeMap<String, String>,
}

/// Context of the foundation's `main.tf` (the call of `terraform/modules/gcp-foundation`)
/// and `outputs.tf`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundationContext<'a> {
    /// `source` of the module call.
    pub source: String,
    /// The environment's name.
    pub environment: &'a str,
    /// Its project.
    pub project: &'a str,
    /// Its region.
    pub region: &'a str,
    /// Its range.
    pub cidr: &'a str,
    /// The environment's resource name: the VPC network, the router, the NAT and the key
    /// ring. The module derives the rest ([`check_foundation_names`]).
    pub name: &'a str,
    /// `access.admins`: IAM members made cluster-admin (project-wide).
    pub admins: &'a [String],
    /// The clusters, by name.
    pub clusters: Vec<FoundationCluster<'a>>,
}

/// What the foundation holds of one cluster.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundationCluster<'a> {
    /// The cluster's name (also its subnetwork's; its secrets key is `<name>-secrets`).
    pub name: &'a str,
    /// The node range: the subnetwork's primary range.
    pub nodes: &'a str,
    /// The pod range (secondary range `pods`).
    pub pods: &'a str,
    /// The service range (secondary range `services`).
    pub services: &'a str,
    /// `wireguard` or `ipsec` when Cilium encrypts node-to-node traffic; the foundation
    /// opens what it needs between the cluster's nodes.
    pub cilium_encryption: Option<&'static str>,
}

/// The names `terraform/modules/gcp-foundation` and `gcp-cluster` derive instead of taking
/// them, as they derive them: the deny-ingress firewall rule, the Workload Identity pool
/// and each cluster's secrets key. The plan stays the one source of names: each must equal the
/// plan's, else the module would create or report another object than the one the
/// cluster stacks look up.
pub fn check_foundation_names(
    environment: &EnvironmentPlan,
    gcp: &GcpEnvironment,
    clusters: &[&ClusterPlan],
) -> Result<()> {
    let name = &environment.resources.name;
    let mut derived = vec![
        (
            "deny-ingress firewall rule".to_owned(),
            format!("{name}-deny-ingress"),
            gcp.deny_ingress_firewall.as_str(),
        ),
        (
            "Workload Identity pool".to_owned(),
            format!("{}.svc.id.goog", environment.account),
            gcp.workload_pool.as_str(),
        ),
    ];
    for cluster in clusters {
        derived.push((
            format!("secrets key of cluster `{}`", cluster.name),
            format!("{}-secrets", cluster.name),
            gcp_cluster(cluster)?.secrets_key.as_str(),
        ));
    }
    for (what, module, plan) in derived {
        if module != plan {
            return Err(Error::Bug(format!(
                "environment `{}`: the gcp modules name the {what} `{module}`, the plan `{plan}`",
                environment.name
            )));
        }
    }
    Ok(())
}

/// Context of a cluster stack's `main.tf` and `outputs.tf`: the module call.
#[allow(clippy::struct_excessive_bools)] // each flag is one module input
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterContext<'a> {
    /// `source` of the module call.
    pub source: String,
    /// The cluster's name.
    pub name: &'a str,
    /// Its environment's name.
    pub environment: &'a str,
    /// Whether that is production.
    pub production: bool,
    /// Its tenants.
    pub tenants: &'a [String],
    /// The project.
    pub project: &'a str,
    /// The region.
    pub region: &'a str,
    /// Kubernetes minor version.
    pub kubernetes_version: &'a str,
    /// GKE release channel.
    pub release_channel: &'static str,
    /// The environment's resource name: its VPC network and key ring. The module names
    /// the cluster's secrets key `<name>-secrets` ([`check_foundation_names`]).
    pub foundation: &'a str,
    /// Account id of the nodes' service account.
    pub node_service_account: &'a str,
    /// The control plane's /28.
    pub control_plane_cidr: &'a str,
    /// Maximum pods per node.
    pub max_pods_per_node: u32,
    /// Cilium is the CNI (legacy datapath); else Dataplane V2.
    pub cilium: bool,
    /// GKE inter-node transparent encryption.
    pub inter_node_encryption: bool,
    /// GKE manages the Gateway API CRDs (Linkerd).
    pub gateway_api: bool,
    /// Ports of the mesh's webhooks.
    pub webhook_ports: &'a [u16],
    /// The environment's maintenance window.
    pub maintenance: Window,
    /// `private` or `allowlist`.
    pub endpoint: &'static str,
    /// Whether the IP endpoint has no public address (`private`).
    pub private_endpoint: bool,
    /// `access.from`.
    pub authorized_networks: &'a [String],
    /// The node groups, system first.
    pub node_groups: Vec<Pool<'a>>,
}

/// A weekly maintenance window as GKE's `recurring_window` takes it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Window {
    /// RFC 3339 start of one occurrence (UTC).
    pub start_time: String,
    /// RFC 3339 end of that occurrence.
    pub end_time: String,
    /// RFC 5545 recurrence, `FREQ=WEEKLY;BYDAY=…`.
    pub recurrence: String,
}

impl Window {
    /// The window of `maintenance`. The first occurrence is anchored on a fixed past date
    /// (GKE repeats it from there); the plan's windows never cross midnight.
    pub fn of(maintenance: &Maintenance) -> Self {
        let start = maintenance.start_hour;
        let end = start.saturating_add(maintenance.hours).min(24);
        let time = |hour: u8| {
            if hour == 24 {
                "2025-01-02T00:00:00Z".to_owned()
            } else {
                format!("2025-01-01T{hour:02}:00:00Z")
            }
        };
        Self {
            start_time: time(start),
            end_time: time(end),
            recurrence: format!("FREQ=WEEKLY;BYDAY={}", maintenance.byday.join(",")),
        }
    }
}

/// One node pool of the module's `node_groups`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pool<'a> {
    /// The plan's name of the group: the map key and the pool's name.
    pub name: &'a str,
    /// Its tenant; `None` for the system group.
    pub tenant: Option<&'a str>,
    /// Machine type.
    pub machine_type: &'a str,
    /// Nodes in total.
    pub nodes: u32,
    /// Nodes per zone at creation (the plan's).
    pub initial_nodes: u32,
    /// The group's own taints, effects as GKE spells them: Cilium's, which every node of
    /// a Cilium cluster has, is the module's.
    pub taints: Vec<PoolTaint<'a>>,
}

/// A taint of a pool.
#[derive(Debug, Serialize)]
pub struct PoolTaint<'a> {
    /// Key.
    pub key: &'a str,
    /// Value.
    pub value: &'a str,
    /// `NO_SCHEDULE`, `NO_EXECUTE`, ….
    pub effect: &'static str,
}

fn gcp_environment(environment: &EnvironmentPlan) -> Result<&GcpEnvironment> {
    match &environment.resources.cloud {
        EnvironmentCloud::Gcp(gcp) => Ok(gcp),
        _ => Err(Error::Bug(format!(
            "environment `{}` has no GCP resources",
            environment.name
        ))),
    }
}

fn gcp_cluster(cluster: &ClusterPlan) -> Result<&GcpCluster> {
    cluster
        .resources
        .gcp()
        .ok_or_else(|| Error::Bug(format!("cluster `{}` has no GCP resources", cluster.name)))
}

/// What Cilium encrypts node-to-node traffic with, when it does.
fn cilium_encryption(cluster: &ClusterPlan) -> Option<&'static str> {
    if !super::cilium(cluster) {
        return None;
    }
    cluster.networking.transparent_encryption.map(|e| match e {
        NetworkEncryption::Wireguard => "wireguard",
        NetworkEncryption::Ipsec => "ipsec",
    })
}

/// The address of the foundation stack's module call: its resources are under it.
pub const FOUNDATION_MODULE: &str = "module.foundation";

/// The `moved` blocks of the foundation's resources that belong to `cluster`, from its
/// former name `from` to `to`. The resources are in the `gcp-foundation` module, so the
/// addresses are `module.foundation.<type>.<name>[<key>]`: a `moved` block may name
/// resources inside a child module it calls (developer.hashicorp.com/terraform/language/
/// modules/develop/refactoring, "Moving Resources into Modules" / "moved block syntax").
fn foundation_moves(cluster: &ClusterPlan, from: &str, to: &str) -> Vec<Move> {
    let mut kinds = vec![
        "google_compute_subnetwork.cluster",
        "google_kms_crypto_key.secrets",
        "google_kms_crypto_key_iam_member.secrets",
    ];
    if cilium_encryption(cluster).is_some() {
        kinds.push("google_compute_firewall.cilium_encryption");
    }
    kinds
        .into_iter()
        .map(|kind| Move {
            from: format!("{FOUNDATION_MODULE}.{kind}[\"{from}\"]"),
            to: format!("{FOUNDATION_MODULE}.{kind}[\"{to}\"]"),
        })
        .collect()
}

/// The module's view of node group `g`. The module labels a tenant's nodes
/// `clusterwright.io/tenant=<tenant>` and adds Cilium's taint itself: a plan that says
/// otherwise is a bug here.
fn pool(g: &NodeGroup) -> Result<Pool<'_>> {
    let tenant = g.tenant.as_ref().map(|t| t.name.as_str());
    let labels: Vec<(&str, &str)> = g
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let expected: Vec<(&str, &str)> = tenant.map(|t| (TENANT_LABEL, t)).into_iter().collect();
    if labels != expected {
        return Err(Error::Bug(format!(
            "node group `{}`: the gcp-cluster module derives labels {expected:?}, the plan has {labels:?}",
            g.name
        )));
    }
    Ok(Pool {
        name: &g.name,
        tenant,
        machine_type: &g.instance_type,
        nodes: g.nodes,
        initial_nodes: match g.cloud {
            NodeGroupCloud::Gcp {
                initial_nodes_per_zone,
            } => initial_nodes_per_zone,
            _ => 1,
        },
        taints: g
            .taints
            .iter()
            .filter(|t| t.key != CILIUM_AGENT_NOT_READY)
            .map(|t| PoolTaint {
                key: &t.key,
                value: &t.value,
                effect: t.effect.upper(),
            })
            .collect(),
    })
}

/// Renders the foundation and cluster stacks of one GCP environment.
pub fn render(env: &Environment<'_>, tree: &mut OutputTree) -> Result<()> {
    let environment = env.environment;
    let gcp = gcp_environment(environment)?;
    let resources = &environment.resources;

    // The foundation.
    let foundation = env.foundation();
    env.emit_foundation(
        tree,
        &[("versions.tf", TEMPLATE_TF_GCP_VERSIONS)],
        &VersionsContext {
            state_key: foundation.state_key.clone(),
            beta: true,
        },
    )?;
    env.emit_foundation(
        tree,
        &[("providers.tf", TEMPLATE_TF_GCP_PROVIDERS)],
        &ProvidersContext {
            providers: vec!["google", "google-beta"],
            project: &environment.account,
            region: &environment.region,
            labels: &resources.tags,
        },
    )?;
    check_foundation_names(environment, gcp, &env.clusters)?;
    let mut clusters = Vec::new();
    for cluster in &env.clusters {
        clusters.push(FoundationCluster {
            name: &cluster.name,
            nodes: cluster.network.node_subnets.first().ok_or_else(|| {
                Error::Bug(format!("cluster `{}` has no node subnet", cluster.name))
            })?,
            pods: cluster.network.pod_cidr.as_deref().ok_or_else(|| {
                Error::Bug(format!("cluster `{}` has no pod range", cluster.name))
            })?,
            services: &cluster.network.service_cidr,
            cilium_encryption: cilium_encryption(cluster),
        });
    }
    let context = FoundationContext {
        source: stacks::module_source(environment.cloud, StackKind::Foundation),
        environment: &environment.name,
        project: &environment.account,
        region: &environment.region,
        cidr: &environment.cidr,
        name: &resources.name,
        admins: &environment.access.admins,
        clusters,
    };
    env.emit_foundation(
        tree,
        &[
            ("main.tf", TEMPLATE_TF_GCP_FOUNDATION),
            ("outputs.tf", TEMPLATE_TF_GCP_FOUNDATION_OUTPUTS),
        ],
        &context,
    )?;
    env.emit_foundation_moves(tree, |from, to| {
        env.clusters
            .iter()
            .find(|c| c.formerly.iter().any(|f| f == from))
            .map(|c| foundation_moves(c, from, to))
            .unwrap_or_default()
    })?;

    for cluster in &env.clusters {
        render_cluster(env, cluster, tree)?;
    }
    Ok(())
}

/// Renders the stack of `cluster`: versions, providers, the module call, outputs.
fn render_cluster(
    env: &Environment<'_>,
    cluster: &ClusterPlan,
    tree: &mut OutputTree,
) -> Result<()> {
    let environment = env.environment;
    let resources = &environment.resources;
    let c = gcp_cluster(cluster)?;
    let stack = env.stack(cluster);
    env.emit_stack(
        tree,
        cluster,
        &[("versions.tf", TEMPLATE_TF_GCP_VERSIONS)],
        &VersionsContext {
            state_key: stack.state_key.clone(),
            beta: false,
        },
    )?;
    env.emit_stack(
        tree,
        cluster,
        &[("providers.tf", TEMPLATE_TF_GCP_PROVIDERS)],
        &ProvidersContext {
            providers: vec!["google"],
            project: &environment.account,
            region: &environment.region,
            labels: &resources.tags,
        },
    )?;
    let context = ClusterContext {
        source: stacks::module_source(environment.cloud, StackKind::Cluster),
        name: &cluster.name,
        environment: &environment.name,
        production: cluster.production,
        tenants: &cluster.tenants,
        project: &environment.account,
        region: &environment.region,
        kubernetes_version: &env.plan.kubernetes_version,
        release_channel: c.release_channel,
        foundation: &resources.name,
        node_service_account: &c.node_service_account,
        control_plane_cidr: &c.control_plane_cidr,
        max_pods_per_node: cluster.network.max_pods_per_node,
        cilium: super::cilium(cluster),
        inter_node_encryption: cluster.networking.cloud_encryption
            == Some(CloudEncryption::GkeInterNodeTransparent),
        gateway_api: c.gateway_api_channel.is_some(),
        webhook_ports: &c.webhook_ports,
        maintenance: Window::of(&environment.maintenance),
        endpoint: environment.access.endpoint.name(),
        private_endpoint: environment.access.endpoint == Endpoint::Private,
        authorized_networks: &environment.access.from,
        node_groups: cluster
            .node_groups
            .iter()
            .map(pool)
            .collect::<Result<_>>()?,
    };
    env.emit_stack(
        tree,
        cluster,
        &[
            ("main.tf", TEMPLATE_TF_GCP_CLUSTER),
            ("outputs.tf", TEMPLATE_TF_GCP_CLUSTER_OUTPUTS),
        ],
        &context,
    )?;
    Ok(())
}
