//! The plan: every decision, resolved, as plain data.
//!
//! Stage 3. Input: a [`Validated`] blueprint and, optionally, the [`Placement`] of a previous
//! run. Output: a [`Plan`] — every cluster with its tenants, node groups, address ranges,
//! networking and encryption stack, and the reason for each — or the problems that only
//! planning can find (an environment's range too small for its clusters). The plan is
//! computed once and is pure: same input, same plan. Templates only lay it out.

pub mod cluster;
pub mod cost;
pub mod draining;
pub mod encryption;
pub mod facts;
pub mod firstfit;
pub mod impact;
pub mod network;
pub mod onboarding;
pub mod pack;
pub mod placement;
pub mod renames;
pub mod resources;
pub mod summary;
pub mod tenancy;
pub mod text;
pub mod topology;
pub mod upgrade;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::blueprint::diagnostic::{Problem, Rule};
use crate::blueprint::source::KeyPath;
use crate::blueprint::validate::Validated;
use crate::cloud::Cloud;
use crate::cloud::policy::{Encryption, Mesh, NetworkEncryption, ProductionIsolation, Trust};
use crate::error::Error;
pub use placement::Placement;

/// The resolved design of the platform.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// Platform name.
    pub platform: String,
    /// Kubernetes minor version of every cluster.
    pub kubernetes_version: String,
    /// Tags from the blueprint, put on every resource (next to clusterwright's own).
    pub tags: BTreeMap<String, String>,
    /// The policy as decided.
    pub policy: PolicyPlan,
    /// Environments, by name.
    pub environments: Vec<EnvironmentPlan>,
    /// Clusters, ordered by environment, then name.
    pub clusters: Vec<ClusterPlan>,
    /// What the encryption stack covers.
    pub coverage: encryption::Coverage,
    /// The trade-off figures.
    pub summary: summary::Summary,
    /// How this placement differs from the previous one (empty without one).
    pub changes: placement::PlacementChanges,
}

/// The policy, as it shapes the plan.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PolicyPlan {
    /// Workload identity required.
    pub zero_trust: bool,
    /// The encryption choice.
    pub encryption: Encryption,
    /// Transparent encryption protocol, when used.
    pub network_encryption: Option<NetworkEncryption>,
    /// Mesh, when used.
    pub mesh: Option<Mesh>,
    /// How production is cut off.
    pub production_isolation: ProductionIsolation,
    /// Most tenants per cluster, if limited.
    pub max_tenants_per_cluster: Option<u32>,
    /// Most tenant nodes per cluster, if limited.
    pub max_nodes_per_cluster: Option<u32>,
    /// Waivers in force, each with what it set aside.
    pub waivers: Vec<WaiverRecord>,
}

/// A waiver in force.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct WaiverRecord {
    /// The rule set aside.
    pub rule: String,
    /// The reason given in the blueprint.
    pub reason: String,
    /// What the rule would otherwise have refused or warned about.
    pub waived: Vec<String>,
}

/// One environment: its account, network and clusters.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentPlan {
    /// Name.
    pub name: String,
    /// Whether it is production.
    pub production: bool,
    /// Cloud.
    pub cloud: Cloud,
    /// Region.
    pub region: String,
    /// Account id, project id or subscription id.
    pub account: String,
    /// Address range.
    pub cidr: String,
    /// How its network is laid out.
    pub network: network::EnvironmentNetwork,
    /// Names of its clusters.
    pub clusters: Vec<String>,
    /// Its cloud resources: names, tags, zones, and what only its cloud has.
    pub resources: resources::EnvironmentResources,
    /// Who administers its clusters, and from where their API is reachable.
    pub access: Access,
    /// Azure: the Entra ID directory (tenant) id of its subscription, when the blueprint
    /// names it.
    pub directory: Option<String>,
    /// When the cloud may upgrade its clusters and nodes.
    pub maintenance: Maintenance,
}

/// A weekly maintenance window, in UTC: the clouds upgrade control planes and node images
/// only inside it. Non-production environments get the first days of the week and
/// production the two days after, so that every upgrade a cloud rolls out reaches
/// non-production first. Two windows of six hours a week: GKE needs at least 48 hours of
/// availability in any 32 days (four weeks of 12 hours).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Maintenance {
    /// The days, in week order, as English names (`Monday`).
    pub days: Vec<&'static str>,
    /// The same days as RFC 5545 `BYDAY` codes (`MO`), for GKE's recurrence.
    pub byday: Vec<&'static str>,
    /// Hour of the day (UTC) each window starts.
    pub start_hour: u8,
    /// Length of each window in hours.
    pub hours: u8,
}

impl Maintenance {
    /// The window of an environment.
    pub fn of(production: bool) -> Self {
        let (days, byday) = if production {
            (vec!["Wednesday", "Thursday"], vec!["WE", "TH"])
        } else {
            (vec!["Monday", "Tuesday"], vec!["MO", "TU"])
        };
        Self {
            days,
            byday,
            start_hour: 1,
            hours: 6,
        }
    }
}

/// Who administers an environment's clusters, and how they reach the API.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Access {
    /// Principals made cluster-admin on every cluster of the environment, in the cloud's
    /// form (IAM role ARNs, IAM members, Entra group object ids). Empty: the principal
    /// that applies the Terraform is the one admin (AWS, Azure); on GCP, IAM holders of
    /// `container.clusters.*` in the project.
    pub admins: Vec<String>,
    /// `private` or `allowlist`.
    pub endpoint: crate::cloud::policy::Endpoint,
    /// The allowlisted ranges (empty unless `allowlist`).
    pub from: Vec<String>,
}

/// Why a cluster's tenants are grouped the way they are.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "camelCase", tag = "kind", content = "name")]
pub enum Isolation {
    /// Trusted tenants of soft-boundary organizations share.
    Shared,
    /// Only tenants of this hard-boundary organization.
    Organization(String),
    /// This untrusted tenant alone.
    Tenant(String),
}

impl Isolation {
    /// The partition as one text, equal for two clusters exactly when they share a
    /// partition: `shared`, `organization/<name>` or `tenant/<name>` (names hold no `/`).
    pub fn key(&self) -> String {
        match self {
            Isolation::Shared => "shared".to_owned(),
            Isolation::Organization(o) => format!("organization/{o}"),
            Isolation::Tenant(t) => format!("tenant/{t}"),
        }
    }
}

/// One cluster.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ClusterPlan {
    /// Cluster name: a DNS label of at most 40 characters, unique in its environment.
    pub name: String,
    /// Its environment.
    pub environment: String,
    /// Whether that environment is production.
    pub production: bool,
    /// Cloud.
    pub cloud: Cloud,
    /// Region.
    pub region: String,
    /// Account id, project id or subscription id.
    pub account: String,
    /// Deployment unit whose shape it has.
    pub unit: String,
    /// The isolation partition it belongs to.
    pub isolation: Isolation,
    /// Sequence number in its environment (the `-NN` of its name).
    pub sequence: u32,
    /// Tenant names, sorted.
    pub tenants: Vec<String>,
    /// Tenant node groups (the system group not counted).
    pub tenant_node_groups: u32,
    /// Tenant nodes (the system nodes not counted).
    pub nodes: u32,
    /// What one cluster of this partition may hold.
    pub capacity: Capacity,
    /// Tenant node utilisation: nodes / capacity nodes, in whole percent.
    pub utilisation_percent: u32,
    /// Its node groups: the system group first, then each tenant's, tenants by name.
    pub node_groups: Vec<NodeGroup>,
    /// The cluster's own address range, carved from its environment's.
    pub cidr: String,
    /// How that range is used.
    pub network: network::ClusterNetwork,
    /// CNI, encryption and mesh.
    pub networking: encryption::Networking,
    /// What keeps its tenants in their namespaces: scheduling, Pod Security, mesh
    /// admission and authorization.
    pub tenancy: tenancy::Tenancy,
    /// Why this cluster exists, in words.
    pub reasons: Vec<String>,
    /// The names it had before, oldest first (a `--repack` renumbered it; see [`renames`]).
    pub formerly: Vec<String>,
    /// Its cloud resources: every name, role, tag and cloud-specific setting.
    pub resources: resources::ClusterResources,
    /// The default StorageClass clusterwright installs, where the cloud has none that
    /// works: `None` where the cloud's own default is kept.
    pub storage_class: Option<StorageClass>,
    /// Helm releases the previous run installed on this cluster and this plan does not:
    /// its helmfile lists them with `installed: false`, so that `helmfile sync` uninstalls
    /// them (helmfile never removes a release that is merely left out), until the next
    /// change of the cluster's releases.
    pub retired_releases: Vec<facts::ReleaseFacts>,
}

/// A default StorageClass (`storage.k8s.io/v1`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StorageClass {
    /// Its name.
    pub name: &'static str,
    /// The CSI driver that provisions its volumes.
    pub provisioner: &'static str,
    /// The driver's parameters, sorted.
    pub parameters: BTreeMap<&'static str, &'static str>,
}

impl StorageClass {
    /// The default StorageClass of a cluster on `cloud`.
    ///
    /// - EKS: the in-tree `kubernetes.io/aws-ebs` provisioner of EKS's `gp2` class is
    ///   migrated to the EBS CSI driver, which EKS does not install (the Terraform adds it as
    ///   an add-on), and the Terraform review found `gp2` no longer annotated default from
    ///   Kubernetes 1.30 (not verified against a live cluster): an encrypted `gp3` class of
    ///   the driver (`ebs.csi.aws.com`, parameters `type` and `encrypted` of the
    ///   aws-ebs-csi-driver `docs/parameters.md`) is made the default, so that a
    ///   PersistentVolumeClaim without a class binds.
    /// - GKE (`standard-rwo`, the Compute Engine persistent disk CSI driver) and AKS
    ///   (`managed-csi`) ship a default class of their CSI drivers: kept.
    pub fn default_for(cloud: Cloud) -> Option<Self> {
        match cloud {
            Cloud::Aws => Some(Self {
                name: "gp3-encrypted",
                provisioner: "ebs.csi.aws.com",
                parameters: BTreeMap::from([("encrypted", "true"), ("type", "gp3")]),
            }),
            Cloud::Gcp | Cloud::Azure => None,
        }
    }
}

/// What one cluster may hold.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Capacity {
    /// Tenants.
    pub tenants: u32,
    /// Tenant node groups.
    pub node_groups: u32,
    /// Tenant nodes.
    pub nodes: u32,
}

/// One node group of a cluster: the system group, or one of a tenant's dedicated groups.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NodeGroup {
    /// Name, unique in the cluster: `system`, or `<tenant>-<n>`.
    pub name: String,
    /// The name the cloud knows it by (AKS pool names are at most 12 alphanumerics).
    pub cloud_name: String,
    /// The tenant it is dedicated to; `None` for the system group.
    pub tenant: Option<GroupTenant>,
    /// Nodes (fixed size: resizing is a reviewed blueprint change).
    pub nodes: u32,
    /// Instance type.
    pub instance_type: String,
    /// Kubernetes labels on its nodes, sorted.
    pub labels: BTreeMap<String, String>,
    /// Taints on its nodes.
    pub taints: Vec<Taint>,
    /// What only its cloud needs.
    pub cloud: NodeGroupCloud,
    /// Whether it stays only until its tenant's move to another cluster is completed
    /// (`generate --complete-move TENANT`): its tenant no longer runs in this cluster, but
    /// its capacity is not removed in the apply that creates the replacement. Targets
    /// render it like any other node group.
    pub draining: bool,
}

/// The tenant a node group is dedicated to.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GroupTenant {
    /// The tenant.
    pub name: String,
    /// Its organization.
    pub organization: String,
    /// Its trust.
    pub trust: Trust,
}

/// The cloud-specific settings of a node group.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum NodeGroupCloud {
    /// EKS managed node group.
    Aws {
        /// The AMI type of its instance type (architecture and accelerator).
        ami_type: &'static str,
    },
    /// GKE node pool.
    Gcp {
        /// Nodes each zone starts with: pools are sized in totals (autoscaling bounds fixed
        /// to the plan's count) and start with `floor(nodes / zones)` nodes per zone, where zones
        /// is 3, or `nodes` for a pool of fewer nodes (never more than its size at creation).
        initial_nodes_per_zone: u32,
    },
    /// AKS node pool.
    Azure,
}

/// A node taint.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
pub struct Taint {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
    /// Effect.
    pub effect: TaintEffect,
}

/// What a taint does to pods that do not tolerate it.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub enum TaintEffect {
    /// New pods are not scheduled.
    NoSchedule,
    /// Running pods are evicted too.
    NoExecute,
}

impl TaintEffect {
    /// Kubernetes' and AKS's spelling: `NoSchedule`.
    pub fn kubernetes(self) -> &'static str {
        match self {
            Self::NoSchedule => "NoSchedule",
            Self::NoExecute => "NoExecute",
        }
    }

    /// EKS's and GKE's spelling: `NO_SCHEDULE`.
    pub fn upper(self) -> &'static str {
        match self {
            Self::NoSchedule => "NO_SCHEDULE",
            Self::NoExecute => "NO_EXECUTE",
        }
    }
}

impl Taint {
    /// AKS's one-string form, `key=value:Effect`.
    pub fn aks(&self) -> String {
        format!("{}={}:{}", self.key, self.value, self.effect.kubernetes())
    }
}

impl ClusterPlan {
    /// The system node group (always the first).
    pub fn system(&self) -> Option<&NodeGroup> {
        self.node_groups.first().filter(|g| g.tenant.is_none())
    }

    /// The tenants' node groups.
    pub fn tenant_groups(&self) -> impl Iterator<Item = &NodeGroup> {
        self.node_groups.iter().filter(|g| g.tenant.is_some())
    }
}

impl EnvironmentPlan {
    /// The cloud's name as the blueprint spells it.
    pub fn cloud_name(&self) -> &'static str {
        cloud_name(self.cloud)
    }
}

impl ClusterPlan {
    /// The cloud's name as the blueprint spells it.
    pub fn cloud_name(&self) -> &'static str {
        cloud_name(self.cloud)
    }
}

/// `aws`, `gcp` or `azure`.
pub fn cloud_name(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Aws => "aws",
        Cloud::Gcp => "gcp",
        Cloud::Azure => "azure",
    }
}

/// The label every tenant node carries, naming its tenant.
pub const TENANT_LABEL: &str = "clusterwright.io/tenant";

/// Plans `validated`, keeping the tenants of `previous` where they are unless `repack`.
///
/// With `repack`, the previous placement is ignored for placing, but still compared with,
/// so that every tenant that moves and every cluster destroyed is reported.
pub fn plan(
    validated: &Validated,
    previous: Option<&Placement>,
    repack: bool,
) -> Result<Plan, Error> {
    plan_with(
        validated,
        previous,
        repack,
        &std::collections::BTreeSet::new(),
    )
}

/// [`plan`], with the tenants whose moves are `completed`: the node groups they left
/// behind, draining, in the clusters they moved away from are removed now (see
/// [`draining`]).
pub fn plan_with(
    validated: &Validated,
    previous: Option<&Placement>,
    repack: bool,
    completed: &std::collections::BTreeSet<String>,
) -> Result<Plan, Error> {
    let honoured = if repack { None } else { previous };
    let mut topology = topology::place(validated, honoured);
    if repack {
        let production = |env: &str| {
            validated
                .environments()
                .get(env)
                .is_some_and(|e| e.production)
        };
        renames::keep_production_names(previous, &mut topology.bins, &production, validated.name());
        topology.bins.sort_by(|a, b| {
            (&a.key.environment, a.sequence).cmp(&(&b.key.environment, b.sequence))
        });
    }
    let mut problems: Vec<Problem> = Vec::new();
    upgrade::check(validated.kubernetes_version(), previous, &mut problems);
    let addresses = network::allocate(validated, &topology, honoured, &mut problems);
    if !problems.is_empty() {
        return Err(validated.problems(problems).into());
    }
    let placed = cluster::placed(validated, &topology, &addresses)?;
    let environments = environments(validated, &addresses, &placed, &mut problems)?;
    if !problems.is_empty() {
        return Err(validated.problems(problems).into());
    }
    let shared: BTreeMap<String, resources::EnvironmentResources> = environments
        .iter()
        .map(|e| (e.name.clone(), e.resources.clone()))
        .collect();
    let renames = renames::renames(previous, &topology.bins);
    // The packing figures need only the blueprint: compute them on the other core.
    let (clusters, packings) = std::thread::scope(|scope| {
        let packings = scope.spawn(|| summary::packings(validated));
        let clusters = cluster::clusters(validated, &placed, &shared, &renames);
        (
            clusters,
            packings
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        )
    });
    let mut clusters = clusters?;
    draining::keep(validated, previous, &mut clusters, completed);
    retire_releases(previous, &mut clusters);
    let summary = summary::summarize(validated, &clusters, &packings);
    let p = &validated.policy();
    let policy = PolicyPlan {
        zero_trust: p.zero_trust,
        encryption: p.encryption,
        network_encryption: p.network_encryption,
        mesh: p.mesh,
        production_isolation: p.production_isolation,
        max_tenants_per_cluster: p.max_tenants_per_cluster,
        max_nodes_per_cluster: p.max_nodes_per_cluster,
        waivers: p
            .waivers
            .iter()
            .map(|w| WaiverRecord {
                rule: w.rule.name().to_owned(),
                reason: w.reason.clone(),
                waived: w.waived.clone(),
            })
            .collect(),
    };
    let after = Placement::of(
        validated.name(),
        validated.kubernetes_version(),
        &policy,
        &clusters,
    );
    let mut changes = placement::changes(previous, &after);
    changes.impacts = impact::impacts(previous, &after, &changes.moved);
    let mut clouds: Vec<Cloud> = validated.environments().values().map(|e| e.cloud).collect();
    clouds.sort();
    clouds.dedup();
    let coverage = encryption::coverage(
        policy.encryption,
        policy.network_encryption,
        policy.mesh,
        &clouds,
    );
    Ok(Plan {
        platform: validated.name().to_owned(),
        kubernetes_version: validated.kubernetes_version().to_owned(),
        tags: validated.tags().clone(),
        policy,
        environments,
        clusters,
        coverage,
        summary,
        changes,
    })
}

/// The environments, each with its network, clusters and shared resources; a region too
/// small for the clusters is a problem.
fn environments(
    validated: &Validated,
    addresses: &network::Addresses,
    placed: &[cluster::Placed<'_>],
    problems: &mut Vec<Problem>,
) -> Result<Vec<EnvironmentPlan>, Error> {
    let mut environments = Vec::with_capacity(validated.environments().len());
    for (name, env) in validated.environments() {
        let network = addresses
            .environments
            .get(name)
            .cloned()
            .ok_or_else(|| Error::Bug(format!("environment `{name}` has no address plan")))?;
        let own: Vec<&cluster::Placed<'_>> = placed
            .iter()
            .filter(|p| &p.bin.key.environment == name)
            .collect();
        let resources = resources::environment(&resources::EnvironmentInput {
            platform: validated.name(),
            environment: name,
            cloud: env.cloud,
            region: &env.region,
            account: &env.account,
            production: env.production,
            kubernetes_version: validated.kubernetes_version(),
            cidr: &env.cidr.to_string(),
            tags: validated.tags(),
            layout: network.layout,
            clusters: own
                .iter()
                .map(|p| (p.bin.name.as_str(), &p.network, &p.networking))
                .collect(),
        });
        if env.cloud == Cloud::Aws && resources.zones.len() < crate::cloud::facts::ZONES as usize {
            let path = if env.region_overridden {
                KeyPath::keys(["environments", name.as_str(), "region"])
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
        environments.push(EnvironmentPlan {
            name: name.clone(),
            production: env.production,
            cloud: env.cloud,
            region: env.region.clone(),
            account: env.account.clone(),
            cidr: env.cidr.to_string(),
            network,
            clusters: own.iter().map(|p| p.bin.name.clone()).collect(),
            resources,
            access: Access {
                admins: env.access.admins.clone(),
                endpoint: env.access.endpoint,
                from: env.access.from.iter().map(ToString::to_string).collect(),
            },
            directory: env.directory.clone(),
            maintenance: Maintenance::of(env.production),
        });
    }
    Ok(environments)
}

/// Sets each cluster's [`ClusterPlan::retired_releases`]: the releases `previous` recorded
/// for it (under its name, or the name a repack took from it) that it no longer installs.
fn retire_releases(previous: Option<&Placement>, clusters: &mut [ClusterPlan]) {
    let Some(previous) = previous else {
        return;
    };
    for cluster in clusters {
        let Some(facts) = previous
            .environments
            .get(&cluster.environment)
            .and_then(|env| {
                env.get(&cluster.name)
                    .or_else(|| cluster.formerly.last().and_then(|f| env.get(f)))
            })
            .and_then(|c| c.facts.as_ref())
        else {
            continue;
        };
        let installed = |name: &str| {
            cluster
                .networking
                .releases
                .iter()
                .any(|step| step.release.name() == name)
        };
        let gone: Vec<facts::ReleaseFacts> = facts
            .releases
            .iter()
            .filter(|r| !installed(&r.name))
            .cloned()
            .collect();
        let same = gone.is_empty() && facts.releases.len() == cluster.networking.releases.len();
        // While the installed set stays as it is, the releases retired last time stay
        // retired: regenerating changes nothing, and `helmfile sync` has a run to uninstall.
        cluster.retired_releases = if same {
            facts
                .retired
                .iter()
                .filter(|r| !installed(&r.name))
                .cloned()
                .collect()
        } else {
            gone
        };
    }
}

impl Plan {
    /// The placement record of this plan (what `placement.yaml` holds).
    pub fn placement(&self) -> Placement {
        Placement::of(
            &self.platform,
            &self.kubernetes_version,
            &self.policy,
            &self.clusters,
        )
    }
}
