//! The documentation target: `README.md` (what the tree holds, how to apply it),
//! `DECISIONS.md` (the decision record a reviewer reads) and `placement.yaml` (tenant →
//! cluster placement, read back by the next run).

pub mod address;
pub mod crossplane;
pub mod tradeoff;
use serde::Serialize;

use crate::cloud::Cloud;
use crate::cloud::names::{AWS_PROVISIONING_ROLE, CREDENTIALS_KEY, credentials_secret};
use crate::cloud::policy::{Endpoint, Mesh, ProductionIsolation};
use crate::error::{Error, Result};
use crate::output::OutputTree;
use crate::plan::encryption::Cni;
use crate::plan::network::NetworkLayout;
use crate::plan::resources::EnvironmentCloud;
use crate::plan::{ClusterPlan, EnvironmentPlan, Plan, TENANT_LABEL, Taint, cloud_name};
use crate::targets::stacks::{self, StackKind};
use crate::targets::templates::{TEMPLATE_DECISIONS, TEMPLATE_README, Templates};

/// Context of `docs/README.md.tera`.
#[derive(Debug, Serialize)]
#[allow(clippy::struct_excessive_bools)] // one flag per part of the tree, read by the template
pub struct ReadmeContext<'a> {
    /// Platform name.
    pub platform: &'a str,
    /// The blueprint, seen from the output directory (`<blueprint>` when unknown).
    pub blueprint: &'a str,
    /// Environments, in plan order, with the steps that apply them.
    pub environments: Vec<ReadmeEnvironment<'a>>,
    /// Whether the tree holds `terraform/<env>/` root modules.
    pub has_terraform: bool,
    /// Whether the tree holds `crossplane/`.
    pub has_crossplane: bool,
    /// The clouds with Crossplane Compositions (`composition-<cloud>.yaml`), in the order
    /// aws, gcp, azure.
    pub crossplane_clouds: Vec<&'static str>,
    /// What the Crossplane target does not build that Terraform does, per cloud in use.
    pub crossplane_gaps: Vec<String>,
    /// The IAM role Crossplane's AWS credentials assume in each account, when an
    /// environment is on AWS.
    pub aws_provisioning_role: Option<&'static str>,
    /// Whether the tree holds `helm/<cluster>/`.
    pub has_helm: bool,
    /// Whether the tree holds `manifests/<cluster>/`.
    pub has_manifests: bool,
    /// Whether the manifests hold a trust-manager Bundle in JSON (Linkerd).
    pub has_bundle_json: bool,
    /// What a tenant pod must carry (`None` without tenants).
    pub tenancy: Option<TenancyDoc>,
}

/// The tenant isolation that the manifests enforce, for README.md ("Tenant pods") and
/// DECISIONS.md ("Tenant isolation"): one policy for the platform, so it is read off the
/// first cluster with tenants; the untrusted tenants and the Pod Security pins of every
/// cluster.
#[derive(Debug, Serialize)]
#[allow(clippy::struct_excessive_bools)] // one flag per paragraph, read by the templates
pub struct TenancyDoc {
    /// The node label a tenant pod selects, and its groups' taint key.
    pub selector_key: &'static str,
    /// Taint keys no tenant pod may tolerate.
    pub forbidden_tolerations: Vec<String>,
    /// The untrusted tenants (tainted node groups, `restricted`), sorted.
    pub untrusted: Vec<String>,
    /// The Pod Security policy versions the namespaces pin, sorted.
    pub versions: Vec<String>,
    /// The mesh, in words, when tenant pods must be meshed.
    pub mesh: Option<&'static str>,
    /// The proxy container a meshed pod must have (none for ambient).
    pub proxy_container: Option<&'static str>,
    /// The refused opt-outs.
    pub opt_outs: Vec<OptOutDoc>,
    /// Whether the mesh is Linkerd (linkerd2-cni and proxy capabilities notes).
    pub linkerd: bool,
    /// Whether the mesh is Istio ambient (nothing injected into pods).
    pub ambient: bool,
    /// Istio authorization under `zeroTrust`.
    pub istio_authorization: bool,
    /// Linkerd authorization under `zeroTrust`.
    pub linkerd_authorization: bool,
    /// Linkerd's namespace default inbound policy under `zeroTrust`.
    pub linkerd_default_inbound: Option<&'static str>,
}

/// A refused mesh opt-out, in the docs.
#[derive(Debug, Serialize)]
pub struct OptOutDoc {
    /// `label` or `annotation`.
    pub on: &'static str,
    /// The key (ending in `/`: every key under it).
    pub key: &'static str,
    /// Whether the key is a prefix.
    pub prefix: bool,
    /// The values allowed, joined (empty: none).
    pub allowed: String,
    /// What it does.
    pub why: &'static str,
}

impl TenancyDoc {
    /// The tenancy of `plan`, `None` without a tenant.
    pub fn of(plan: &Plan) -> Option<Self> {
        use crate::plan::tenancy::Authorization;
        let first = plan
            .clusters
            .iter()
            .find(|c| !c.tenancy.namespaces.is_empty())?;
        let t = &first.tenancy;
        let mut untrusted: Vec<String> = plan
            .clusters
            .iter()
            .flat_map(|c| c.tenancy.tainted().map(|n| n.name.clone()))
            .collect();
        untrusted.sort();
        untrusted.dedup();
        let mut versions: Vec<String> = plan
            .clusters
            .iter()
            .flat_map(|c| c.tenancy.namespaces.iter())
            .map(|n| n.pod_security.version.clone())
            .collect();
        versions.sort();
        versions.dedup();
        Some(Self {
            selector_key: t.node_selector_key,
            forbidden_tolerations: t.forbidden_tolerations.clone(),
            untrusted,
            versions,
            mesh: t.mesh.as_ref().map(|m| m.mesh),
            proxy_container: t.mesh.as_ref().and_then(|m| m.proxy_container),
            opt_outs: t
                .mesh
                .iter()
                .flat_map(|m| &m.opt_outs)
                .map(|o| OptOutDoc {
                    on: o.on,
                    key: o.key,
                    prefix: o.key.ends_with('/'),
                    allowed: o.allowed.join("`, `"),
                    why: o.why,
                })
                .collect(),
            linkerd: first.networking.mesh == Some(Mesh::Linkerd),
            ambient: first.networking.mesh == Some(Mesh::IstioAmbient),
            istio_authorization: t.authorization == Some(Authorization::Istio),
            linkerd_authorization: matches!(t.authorization, Some(Authorization::Linkerd { .. })),
            linkerd_default_inbound: match &t.authorization {
                Some(Authorization::Linkerd {
                    default_inbound_policy,
                }) => Some(default_inbound_policy),
                _ => None,
            },
        })
    }
}

/// One environment of the README: its facts and how to apply it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(clippy::struct_excessive_bools)] // one flag per step, read by the template
pub struct ReadmeEnvironment<'a> {
    /// The environment: name, production, cloud, region, account, clusters.
    #[serde(flatten)]
    pub plan: &'a EnvironmentPlan,
    /// What its cloud calls the account ([`account_kind`]).
    pub account_kind: &'static str,
    /// Its EKS clusters with Cilium as the CNI: their node groups turn healthy only once
    /// Cilium runs, so it is installed in between.
    pub cilium_first: Vec<&'a str>,
    /// Step 1 provisions it with Terraform or Crossplane (it has clusters).
    pub provision: bool,
    /// Its Crossplane namespace and the Secret the operator creates there.
    pub crossplane: Option<CrossplaneStep<'a>>,
    /// Its clusters are EKS: Crossplane's day 0 waits for the operator's annotations.
    pub eks_day_zero: bool,
    /// Step 2 is `helmfile sync` per cluster.
    pub helm_step: bool,
    /// Step 2 is `kubectl apply` of the manifests per cluster.
    pub manifests_step: bool,
    /// The directory of its Terraform foundation stack.
    pub foundation: String,
    /// The directories of its Terraform cluster stacks, by cluster name.
    pub cluster_stacks: Vec<String>,
    /// The lines of a `backend.tfbackend` for its cloud's state backend, as an example.
    pub backend: Vec<&'static str>,
    /// How the operator reaches its clusters' API and who may administer them, a
    /// sentence each.
    pub way_in: Vec<String>,
    /// The command that creates the kube context of `<cluster>` (named after it).
    pub kube_context: String,
    /// What must hold before its first apply, a sentence each.
    pub prerequisites: Vec<String>,
}

/// What the operator creates for Crossplane in an environment.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CrossplaneStep<'a> {
    /// The environment's namespace.
    pub namespace: &'a str,
    /// The Secret of the credentials.
    pub secret: String,
    /// The key of the credentials in it.
    pub key: &'static str,
}

/// The plan as the decision record reads it as a whole: its policy, coverage and figures,
/// and the names of its environments and clusters. (Each cluster's decisions are in
/// [`EnvironmentSection`]; the whole plan, serialized once more for the record, was a good
/// part of the time the documentation took to render.)
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanDoc<'a> {
    /// Platform name.
    pub platform: &'a str,
    /// Kubernetes minor version of every cluster.
    pub kubernetes_version: &'a str,
    /// The policy as decided, waivers included.
    pub policy: &'a crate::plan::PolicyPlan,
    /// What the encryption stack covers.
    pub coverage: &'a crate::plan::encryption::Coverage,
    /// The trade-off figures.
    pub summary: &'a crate::plan::summary::Summary,
    /// The environments' names.
    pub environments: Vec<&'a str>,
    /// The clusters' names.
    pub clusters: Vec<&'a str>,
}

impl<'a> PlanDoc<'a> {
    fn of(plan: &'a Plan) -> Self {
        Self {
            platform: &plan.platform,
            kubernetes_version: &plan.kubernetes_version,
            policy: &plan.policy,
            coverage: &plan.coverage,
            summary: &plan.summary,
            environments: plan.environments.iter().map(|e| e.name.as_str()).collect(),
            clusters: plan.clusters.iter().map(|c| c.name.as_str()).collect(),
        }
    }
}

/// Context of `docs/DECISIONS.md.tera`.
#[derive(Debug, Serialize)]
#[allow(clippy::struct_excessive_bools)] // one flag per section of the record, read by the template
pub struct DecisionsContext<'a> {
    /// What the record reads of the plan as a whole; the clusters are in `environments`.
    pub plan: PlanDoc<'a>,
    /// Per cloud of the plan (aws, gcp, azure order): what the generated Terraform relies
    /// on that was read in the providers' and clouds' documentation but not seen working
    /// in a live account.
    pub unverified: Vec<Unverified>,
    /// The address plan of each cloud of the plan that says more than its ranges.
    pub address_plans: Vec<address::AddressPlan>,
    /// EKS add-ons with no pinned version for the plan's Kubernetes minor
    /// ([`crate::cloud::aws::addon_version`]): EKS's default version is installed.
    pub unpinned_addons: Vec<&'static str>,
    /// Production is in accounts of its own (`productionIsolation: account`).
    pub account_isolation: bool,
    /// Each environment with its clusters, in plan order.
    pub environments: Vec<EnvironmentSection<'a>>,
    /// The trade-off table: clusters, management fees and system nodes per row.
    pub trade_off: Vec<tradeoff::TradeOffRow>,
    /// The list prices behind the fees, per cloud of the plan.
    pub prices: Vec<tradeoff::PriceRow>,
    /// Whether the tree holds `helm/<cluster>/`.
    pub has_helm: bool,
    /// Whether the tree holds `manifests/<cluster>/`.
    pub has_manifests: bool,
    /// Whether the manifests hold a trust-manager Bundle in JSON (Linkerd).
    pub has_bundle_json: bool,
    /// The label naming a namespace's tenant.
    pub tenant_label: &'static str,
    /// How tenant namespaces join the mesh, in words (`None`: no mesh).
    pub mesh_enrollment: Option<&'static str>,
    /// Whether tenant namespaces admit Istio ambient's rewritten kubelet probes.
    pub ambient_probes: bool,
    /// The tenant isolation the manifests enforce (`None` without tenants).
    pub tenancy: Option<TenancyDoc>,
    /// How the Crossplane target decides differently, per cloud of the plan.
    pub crossplane_decisions: Vec<&'static str>,
    /// GCP projects that hold production and non-production environments, which then
    /// share the project's workload identity pool (rule `workload-identity-pool`).
    pub shared_workload_pools: Vec<SharedWorkloadPool<'a>>,
}

/// A GCP project whose workload identity pool production and non-production share.
#[derive(Debug, Serialize)]
pub struct SharedWorkloadPool<'a> {
    /// The project id.
    pub project: &'a str,
    /// Its production environments.
    pub production: Vec<&'a str>,
    /// Its non-production environments.
    pub other: Vec<&'a str>,
}

/// The GCP projects of `plan` that hold production and non-production environments.
fn shared_workload_pools(plan: &Plan) -> Vec<SharedWorkloadPool<'_>> {
    let mut by_project: std::collections::BTreeMap<&str, SharedWorkloadPool<'_>> =
        std::collections::BTreeMap::new();
    for e in plan.environments.iter().filter(|e| e.cloud == Cloud::Gcp) {
        let pool = by_project
            .entry(e.account.as_str())
            .or_insert_with(|| SharedWorkloadPool {
                project: &e.account,
                production: Vec::new(),
                other: Vec::new(),
            });
        if e.production {
            pool.production.push(&e.name);
        } else {
            pool.other.push(&e.name);
        }
    }
    by_project
        .into_values()
        .filter(|p| !p.production.is_empty() && !p.other.is_empty())
        .collect()
}

/// What `cloud` calls the account an environment lives in: an AWS account, a GCP project,
/// an Azure subscription.
pub fn account_kind(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Aws => "account",
        Cloud::Gcp => "project",
        Cloud::Azure => "subscription",
    }
}

/// One environment of the decision record.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentSection<'a> {
    /// The environment.
    pub environment: &'a EnvironmentPlan,
    /// What its cloud calls the account ([`account_kind`]).
    pub account_kind: &'static str,
    /// Each cluster has a network of its own.
    pub network_per_cluster: bool,
    /// Its clusters.
    pub clusters: Vec<ClusterSection<'a>>,
    /// When the cloud may upgrade its clusters, in a sentence.
    pub maintenance: String,
    /// What it shares with the other environments of its account (under
    /// `productionIsolation: network`), in a sentence; `None` when it shares none.
    pub sharing: Option<String>,
    /// Its address plan: what takes routable addresses of its range and what does not,
    /// and why ([`address::plan`]); `None` without clusters.
    pub address_plan: Option<String>,
}

/// One cluster of the decision record.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSection<'a> {
    /// Name.
    pub name: &'a str,
    /// Tenant names, sorted.
    pub tenants: &'a [String],
    /// Its tenants' node groups.
    pub tenant_node_groups: u32,
    /// Its tenants' nodes.
    pub nodes: u32,
    /// Its tenants' nodes, in percent of what its unit allows.
    pub utilisation_percent: u32,
    /// What its unit allows.
    pub capacity: &'a crate::plan::Capacity,
    /// Its unit.
    pub unit: &'a str,
    /// Its range.
    pub cidr: &'a str,
    /// Its node subnets, pod and service ranges.
    pub network: &'a crate::plan::network::ClusterNetwork,
    /// Why it exists.
    pub reasons: &'a [String],
    /// Nodes of its system group.
    pub system_nodes: u32,
    /// Instance type of its system group.
    pub system_instance_type: &'a str,
    /// Its tenants' node groups, a table row each.
    pub tenant_rows: Vec<GroupRow<'a>>,
}

/// A tenant node group as the decision record lists it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupRow<'a> {
    /// Group name.
    pub name: &'a str,
    /// Its tenant.
    pub tenant: &'a str,
    /// Nodes.
    pub nodes: u32,
    /// Instance type.
    pub instance_type: &'a str,
    /// Taints, `key=value:Effect` each.
    pub taints: Vec<String>,
}

impl<'a> ClusterSection<'a> {
    fn new(cluster: &'a ClusterPlan) -> Result<Self> {
        let system = cluster.system().ok_or_else(|| {
            Error::Bug(format!(
                "cluster `{}` has no system node group",
                cluster.name
            ))
        })?;
        Ok(Self {
            name: &cluster.name,
            tenants: &cluster.tenants,
            tenant_node_groups: cluster.tenant_node_groups,
            nodes: cluster.nodes,
            utilisation_percent: cluster.utilisation_percent,
            capacity: &cluster.capacity,
            unit: &cluster.unit,
            cidr: &cluster.cidr,
            network: &cluster.network,
            reasons: &cluster.reasons,
            system_nodes: system.nodes,
            system_instance_type: &system.instance_type,
            tenant_rows: cluster
                .node_groups
                .iter()
                .filter_map(|g| {
                    g.tenant.as_ref().map(|t| GroupRow {
                        name: &g.name,
                        tenant: &t.name,
                        nodes: g.nodes,
                        instance_type: &g.instance_type,
                        taints: g.taints.iter().map(Taint::aks).collect(),
                    })
                })
                .collect(),
        })
    }
}

/// Renders the documentation into `tree`. What the other targets write is known from the
/// plan: Terraform, Crossplane and the manifests for every cluster, Helm for a cluster with
/// releases, a trust-manager Bundle for Linkerd.
pub fn render(
    plan: &Plan,
    site: &super::Site,
    templates: &Templates,
    tree: &mut OutputTree,
) -> Result<()> {
    let facts = Tree::of(plan);
    let mut readme = readme(plan, facts);
    readme.blueprint = &site.blueprint;
    let text = templates.render(TEMPLATE_README, &readme)?;
    tree.insert("README.md", &text, TEMPLATE_README)?;

    let decisions = decisions(plan, facts)?;
    let text = templates.render(TEMPLATE_DECISIONS, &decisions)?;
    tree.insert("DECISIONS.md", &text, TEMPLATE_DECISIONS)?;

    tree.insert(
        "placement.yaml",
        &plan.placement().to_yaml()?,
        "placement record",
    )?;
    Ok(())
}

fn readme(plan: &Plan, tree: Tree) -> ReadmeContext<'_> {
    let Tree {
        any_cluster,
        has_helm,
        has_bundle_json,
    } = tree;
    let crossplane_clouds = crossplane::clouds(plan);
    let all_stacks = stacks::stacks(plan);
    ReadmeContext {
        platform: &plan.platform,
        blueprint: "<blueprint>",
        environments: plan
            .environments
            .iter()
            .map(|e| {
                let has_clusters = !e.clusters.is_empty();
                ReadmeEnvironment {
                    plan: e,
                    account_kind: account_kind(e.cloud),
                    cilium_first: plan
                        .clusters
                        .iter()
                        .filter(|c| c.environment == e.name && c.cloud == Cloud::Aws)
                        .filter(|c| c.networking.cni == Cni::Cilium)
                        .map(|c| c.name.as_str())
                        .collect(),
                    provision: has_clusters,
                    crossplane: has_clusters.then(|| CrossplaneStep {
                        namespace: &e.resources.name,
                        secret: credentials_secret(e.cloud),
                        key: CREDENTIALS_KEY,
                    }),
                    eks_day_zero: has_clusters && e.cloud == Cloud::Aws,
                    helm_step: has_helm && has_clusters,
                    manifests_step: !has_helm && has_clusters,
                    foundation: stacks::foundation(&plan.platform, e).dir,
                    cluster_stacks: all_stacks
                        .iter()
                        .filter(|s| s.environment == e.name && s.kind == StackKind::Cluster)
                        .map(|s| s.dir.clone())
                        .collect(),
                    backend: backend_lines(e.cloud),
                    way_in: way_in(e),
                    kube_context: kube_context(e),
                    prerequisites: prerequisites(plan, e),
                }
            })
            .collect(),
        has_terraform: any_cluster,
        has_crossplane: any_cluster,
        aws_provisioning_role: crossplane_clouds
            .contains(&Cloud::Aws)
            .then_some(AWS_PROVISIONING_ROLE),
        crossplane_gaps: crossplane::gaps_of(plan)
            .iter()
            .map(|(cloud, gap)| gap.readme(*cloud))
            .collect(),
        crossplane_clouds: crossplane_clouds.iter().map(|c| cloud_name(*c)).collect(),
        has_helm,
        has_manifests: any_cluster,
        has_bundle_json,
        tenancy: TenancyDoc::of(plan),
    }
}

/// The settings of a partial backend on `cloud`, as the lines of an example
/// `backend.tfbackend` (the state key is fixed in each stack; the rest names the
/// operator's state storage, which the blueprint does not know).
fn backend_lines(cloud: Cloud) -> Vec<&'static str> {
    match cloud {
        // use_lockfile: S3-native state locking, Terraform >= 1.11.
        Cloud::Aws => vec![
            "bucket       = \"<state bucket>\"",
            "region       = \"<its region>\"",
            "use_lockfile = true",
        ],
        Cloud::Gcp => vec!["bucket = \"<state bucket>\""],
        Cloud::Azure => vec![
            "resource_group_name  = \"<resource group of the storage account>\"",
            "storage_account_name = \"<storage account>\"",
            "container_name       = \"<container>\"",
            "use_azuread_auth     = true",
        ],
    }
}

/// Who administers the clusters of `e` and how the operator reaches their API, as the
/// Terraform of its cloud sets it up from `access`.
fn way_in(e: &EnvironmentPlan) -> Vec<String> {
    let list = |items: &[String]| {
        items
            .iter()
            .map(|i| format!("`{i}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let admins = &e.access.admins;
    let from = list(&e.access.from);
    let allowlist = e.access.endpoint == Endpoint::Allowlist;
    let env = &e.name;
    let mut out = Vec::new();
    match e.cloud {
        Cloud::Aws => {
            out.push(if admins.is_empty() {
                format!("Cluster admin (an EKS access entry with `AmazonEKSClusterAdminPolicy`): the IAM role that applies the cluster's stack. Name others in `environments.{env}.access.admins`.")
            } else {
                format!("Cluster admins (EKS access entries with `AmazonEKSClusterAdminPolicy`): {}.", list(admins))
            });
            out.push(if allowlist {
                format!("API endpoint: private inside the cluster's VPC, and public from {from} only.")
            } else {
                format!("API endpoint: private. Run `kubectl` and `helmfile` from inside the cluster's VPC (a CI runner or an SSM-managed instance in a private subnet: the cluster's security group admits HTTPS from the VPC's range, and the foundation's NAT gateways give the runner egress). To reach it from outside, set `environments.{env}.access.endpoint: allowlist` with your egress ranges in `from`.")
            });
        }
        Cloud::Gcp => {
            out.push(if admins.is_empty() {
                format!("Cluster admins: whoever holds `roles/container.admin` (or Owner) on project `{}`. Name them in `environments.{env}.access.admins` to have the foundation grant it.", e.account)
            } else {
                format!("Cluster admins: {}, granted `roles/container.admin` on project `{}` (IAM on GKE is per project: it covers every cluster of the project).", list(admins), e.account)
            });
            out.push(if allowlist {
                format!("API endpoint: GKE's DNS-based endpoint, gated by IAM (`container.clusters.connect`), from anywhere; the IP endpoint admits {from} and the cluster's own network.")
            } else {
                "API endpoint: GKE's DNS-based endpoint, gated by IAM (`container.clusters.connect`): no network path is needed. The IP endpoint is private.".to_owned()
            });
        }
        Cloud::Azure => {
            out.push(if admins.is_empty() {
                format!("Cluster admin (Azure RBAC role `Azure Kubernetes Service RBAC Cluster Admin` on the cluster): the principal that applies the cluster's stack. Name Entra ID groups in `environments.{env}.access.admins`.")
            } else {
                format!("Cluster admins (Azure RBAC role `Azure Kubernetes Service RBAC Cluster Admin` on the cluster): the Entra ID groups {}.", list(admins))
            });
            out.push(if allowlist {
                format!("API endpoint: public, from {from} only (authorized IP ranges).")
            } else {
                format!("API endpoint: private (a private cluster). Run `kubectl` and `helmfile` from inside the VNet, or single commands through `az aks command invoke --resource-group {} --name <cluster> --command \"kubectl get nodes\"` (no network path needed; local accounts are off, so the caller needs the admin role above). To reach it from outside, set `environments.{env}.access.endpoint: allowlist` with your egress ranges in `from`.", e.resources.name)
            });
        }
    }
    out
}

/// What must hold before the first apply of `e`'s stacks, per cloud.
///
/// AWS: the default regional quotas of Amazon VPC (AWS General Reference, "Amazon Virtual
/// Private Cloud endpoints and quotas": VPCs per Region 5, `L-F678F1CE`, which also bounds
/// internet gateways; NAT gateways per Availability Zone 5, `L-FE5A380F`) and of EC2
/// (EC2-VPC Elastic IPs 5, `L-0263D0A3`), counted over every environment of the plan in the
/// same account and region, plus the account's default VPC; and IPv4 CIDR blocks per VPC
/// (5, `L-83CA0A9D`, at most 50; the primary range counts: Amazon VPC User Guide, "Amazon
/// VPC quotas"), for the fullest VPC.
fn prerequisites(plan: &Plan, e: &EnvironmentPlan) -> Vec<String> {
    let mut out = Vec::new();
    match &e.resources.cloud {
        EnvironmentCloud::Aws(_) => {
            out.push(format!("Every stack assumes an IAM role of account `{}` to apply: `export TF_VAR_assume_role_arn=arn:aws:iam::{}:role/<role Terraform assumes>` (the variable refuses a role of any other account).", e.account, e.account));
            let (mut vpcs, mut nats, mut nats_per_zone) = (1u32, 0u32, 0u32); // 1: the default VPC
            // IPv4 CIDR blocks of the fullest VPC: its range and its secondary ones (a
            // per-VPC quota, raised for every VPC of the region at once).
            let mut blocks = 1u32;
            for other in plan.environments.iter().filter(|o| {
                o.account == e.account && o.region == e.region && !o.clusters.is_empty()
            }) {
                if let EnvironmentCloud::Aws(aws) = &other.resources.cloud {
                    vpcs += u32::try_from(aws.vpcs.len()).unwrap_or(u32::MAX);
                    for vpc in &aws.vpcs {
                        nats += vpc.nat_gateways;
                        nats_per_zone += 1;
                        let secondary =
                            u32::try_from(vpc.secondary_cidrs.len()).unwrap_or(u32::MAX);
                        blocks = blocks.max(1 + secondary);
                    }
                }
            }
            let over = vpcs > AWS_DEFAULT_QUOTA
                || nats > AWS_DEFAULT_QUOTA
                || nats_per_zone > AWS_DEFAULT_QUOTA
                || blocks > AWS_DEFAULT_QUOTA;
            out.push(format!(
                "Quotas of account `{}` in `{}` (every environment there counted, and the default VPC): VPCs and internet gateways {vpcs} (`L-F678F1CE`), Elastic IPs {nats} (`L-0263D0A3`), NAT gateways per zone {nats_per_zone} (`L-FE5A380F`), IPv4 CIDR blocks per VPC {blocks} (`L-83CA0A9D`: a VPC's range, the pod range of each cluster in it and a cluster VPC's public range; at most 50); the defaults are 5 each.{}",
                e.account,
                e.region,
                if over {
                    " **Request the increases before the first apply** (`aws service-quotas request-service-quota-increase`): the foundation stops halfway otherwise."
                } else {
                    " The defaults suffice."
                }
            ));
        }
        EnvironmentCloud::Gcp(_) => {
            out.push(format!("Project `{}` has the Service Usage and Cloud Resource Manager APIs enabled (`gcloud services enable serviceusage.googleapis.com cloudresourcemanager.googleapis.com --project {}`): the foundation enables the others through them.", e.account, e.account));
            out.push("The `gke-gcloud-auth-plugin` is installed where `kubectl` runs (`gcloud components install gke-gcloud-auth-plugin`).".to_owned());
        }
        EnvironmentCloud::Azure(_) => {
            out.push(format!("The principal that applies holds Owner (or Contributor and Role Based Access Control Administrator) on subscription `{}`: the foundation registers the `EncryptionAtHost` feature and creates role assignments. Check `az feature show --namespace Microsoft.Compute --name EncryptionAtHost --query properties.state` says `Registered` before the cluster stacks (then `az provider register --namespace Microsoft.Compute`).", e.account));
            let private_cilium = e.access.endpoint == Endpoint::Private
                && plan
                    .clusters
                    .iter()
                    .any(|c| c.environment == e.name && c.networking.cni == Cni::Cilium);
            if private_cilium {
                out.push(format!("Its clusters are private and Cilium is their CNI: `az aks command invoke` runs a pod, and no node is Ready before Cilium runs, so the first Helm step must run from inside the VNet (or set `environments.{}.access.endpoint: allowlist`). Every plan of a cluster stack warns about it.", e.name));
            }
        }
    }
    out
}

/// The default of the AWS quotas the README counts (VPCs, Elastic IPs, NAT gateways per
/// zone, per region).
const AWS_DEFAULT_QUOTA: u32 = 5;

/// The command that creates the kube context of `<cluster>` of `e`, named after it.
fn kube_context(e: &EnvironmentPlan) -> String {
    match e.cloud {
        Cloud::Aws => format!(
            "aws eks update-kubeconfig --region {} --name <cluster> --alias <cluster>",
            e.region
        ),
        Cloud::Gcp => format!(
            "gcloud container clusters get-credentials <cluster> --region {} --project {} --dns-endpoint && kubectl config rename-context \"$(kubectl config current-context)\" <cluster>",
            e.region, e.account
        ),
        Cloud::Azure => format!(
            "az aks get-credentials --resource-group {} --name <cluster> --context <cluster> && kubelogin convert-kubeconfig -l azurecli",
            e.resources.name
        ),
    }
}

/// What the Terraform of one cloud relies on without having been applied in a live
/// account.
#[derive(Debug, Serialize)]
pub struct Unverified {
    /// The cloud, as the blueprint spells it.
    pub cloud: &'static str,
    /// Each behaviour, in words.
    pub items: Vec<&'static str>,
}

/// What the Terraform of `cloud` relies on without having been applied in a live account.
fn unverified(cloud: Cloud) -> Vec<&'static str> {
    match cloud {
        Cloud::Aws => vec![
            "that an EKS managed node group does not turn healthy before a CNI runs, which the two applies of a Cilium cluster (`node_groups_enabled=false` first) rest on",
            "that the CoreDNS and EBS CSI add-ons tolerate the system node group's `CriticalAddonsOnly` taint",
            "IRSA trust and EBS volume provisioning end to end; the EBS CSI add-on's version is EKS's default for the Kubernetes version (no pinned version was found in AWS's documentation)",
            "that access entries for the applying principal (`aws_iam_session_context`) resolve at plan time",
            "pods in the secondary VPC range: that Cilium's ENI mode with `firstInterfaceIndex: 1` and the VPC CNI's custom networking (ENIConfigs made by the add-on's `eniConfig`) give pods addresses only in the pod subnets, and that their traffic reaches the NAT gateways and the private API endpoint",
            "the kubelet's max pods: EKS sets it from each instance type's interfaces counting the node's primary interface, which pods no longer use (an `m6i.xlarge` holds 42 pod addresses on its other three, 58 by the default count), so a node full of pods may accept a few it cannot address; they wait in `ContainerCreating` until addresses free up",
        ],
        Cloud::Gcp => vec![
            "whether GKE's autoscaler tops a pool created below its minimum up to it (pools whose size is not a multiple of 3 start smaller)",
            "the DNS-based endpoint together with `enable_private_endpoint` and `private_endpoint_enforcement_enabled`",
            "the GKE service agent's address right after `google_project_service_identity` creates it",
            "that the maintenance window's 2025 anchor date is accepted",
            "pod and service secondary ranges in class E (240.0.0.0/4) end to end: GKE and Google Cloud document them as supported, but Cilium (legacy datapath), Private Google Access and Cloud NAT were not seen handling pods of such a range",
        ],
        Cloud::Azure => vec![
            "whether registering `EncryptionAtHost` through Terraform propagates without `az provider register --namespace Microsoft.Compute`",
            "whether the waits after role assignments (180 s, 120 s) are enough for Azure RBAC to propagate",
            "that Container Insights data arrives through the generated data collection rule",
            "that the `az aks command invoke` custom role is found at cluster scope, and that the command pod tolerates `CriticalAddonsOnly`",
        ],
    }
}

/// What `e` shares with the other environments of its account, in a sentence.
fn sharing(plan: &Plan, e: &EnvironmentPlan) -> Option<String> {
    let others: Vec<String> = plan
        .environments
        .iter()
        .filter(|o| o.name != e.name && o.account == e.account && o.cloud == e.cloud)
        .map(|o| format!("`{}`", o.name))
        .collect();
    if others.is_empty() {
        return None;
    }
    let others = others.join(", ");
    Some(match e.cloud {
        Cloud::Gcp => format!(
            "It shares project `{}` with {others}: one Workload Identity pool (`{}.svc.id.goog`), so a namespace and Kubernetes service account of the same name are the same IAM principal in the clusters of both, and an IAM grant to one reaches the other; one Binary Authorization policy; project-wide IAM (the cluster admins of one are admins of the other). Bind IAM to workloads with cluster-scoped principals, or give each environment a project of its own (`productionIsolation: account`).",
            e.account, e.account
        ),
        Cloud::Aws => format!(
            "It shares account `{}` with {others}: IAM, service quotas and the account's limits are common to both.",
            e.account
        ),
        Cloud::Azure => format!(
            "It shares subscription `{}` with {others}: Azure RBAC at subscription scope, registered features and quotas are common to both.",
            e.account
        ),
    })
}

/// When the cloud may upgrade the clusters of `e`, in a sentence.
fn maintenance(e: &EnvironmentPlan) -> String {
    let m = &e.maintenance;
    let hours = format!(
        "{:02}:00–{:02}:00 UTC",
        m.start_hour,
        (u32::from(m.start_hour) + u32::from(m.hours)) % 24
    );
    let order = if e.production {
        "non-production's windows come earlier in the week"
    } else {
        "production's windows come later in the week"
    };
    match e.cloud {
        Cloud::Aws => "Maintenance: EKS has no maintenance windows. Node groups move to a new Kubernetes version or AMI only when a reviewed change is applied; every cluster's upgrade policy is `STANDARD` support, under which EKS upgrades a control plane by itself only when its Kubernetes version leaves standard support, instead of moving it into paid extended support.".to_owned(),
        Cloud::Gcp | Cloud::Azure => format!(
            "Maintenance: the cloud upgrades control planes and node images only {}, {hours} ({order}).",
            m.days.join(" and ")
        ),
    }
}

fn decisions(plan: &Plan, tree: Tree) -> Result<DecisionsContext<'_>> {
    let Tree {
        any_cluster,
        has_helm,
        has_bundle_json,
    } = tree;
    let mut clouds: Vec<Cloud> = plan
        .environments
        .iter()
        .filter(|e| !e.clusters.is_empty())
        .map(|e| e.cloud)
        .collect();
    clouds.sort();
    clouds.dedup();
    Ok(DecisionsContext {
        plan: PlanDoc::of(plan),
        crossplane_decisions: clouds
            .iter()
            .flat_map(|c| crossplane::decisions(*c))
            .copied()
            .collect(),
        unpinned_addons: unpinned_addons(plan),
        address_plans: clouds
            .iter()
            .filter_map(|c| address::address_plan(*c))
            .collect(),
        unverified: clouds
            .into_iter()
            .map(|c| Unverified {
                cloud: cloud_name(c),
                items: unverified(c),
            })
            .collect(),
        account_isolation: plan.policy.production_isolation == ProductionIsolation::Account,
        environments: plan
            .environments
            .iter()
            .map(|e| {
                Ok(EnvironmentSection {
                    account_kind: account_kind(e.cloud),
                    sharing: sharing(plan, e),
                    address_plan: address::plan(plan, e),
                    maintenance: maintenance(e),
                    environment: e,
                    network_per_cluster: e.network.layout == NetworkLayout::Cluster,
                    clusters: plan
                        .clusters
                        .iter()
                        .filter(|c| c.environment == e.name)
                        .map(ClusterSection::new)
                        .collect::<Result<_>>()?,
                })
            })
            .collect::<Result<_>>()?,
        trade_off: tradeoff::rows(plan),
        prices: tradeoff::prices(plan),
        has_helm,
        has_manifests: any_cluster,
        has_bundle_json,
        tenant_label: TENANT_LABEL,
        // One policy for the platform: every cluster enrolls its tenants the same way.
        mesh_enrollment: plan
            .clusters
            .iter()
            .find(|c| c.networking.mesh.is_some())
            .map(|c| c.networking.tenant_isolation.enrollment),
        shared_workload_pools: shared_workload_pools(plan),
        ambient_probes: plan.clusters.iter().any(|c| {
            c.networking
                .tenant_isolation
                .policies
                .iter()
                .any(|p| p.name == "allow-ambient-kubelet-probes")
        }),
        tenancy: TenancyDoc::of(plan),
    })
}

/// What the other targets write, known from the plan: Terraform, Crossplane and the
/// manifests for every cluster, Helm for a cluster with releases, a trust-manager Bundle
/// for Linkerd.
#[derive(Clone, Copy)]
#[allow(clippy::struct_excessive_bools)]
struct Tree {
    any_cluster: bool,
    has_helm: bool,
    has_bundle_json: bool,
}

impl Tree {
    fn of(plan: &Plan) -> Self {
        Self {
            any_cluster: !plan.clusters.is_empty(),
            has_helm: plan
                .clusters
                .iter()
                .any(|c| !c.networking.releases.is_empty()),
            has_bundle_json: plan
                .clusters
                .iter()
                .any(|c| c.networking.mesh == Some(Mesh::Linkerd)),
        }
    }
}

/// The EKS add-ons that no AWS environment of `plan` pins, by name.
fn unpinned_addons(plan: &Plan) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = plan
        .environments
        .iter()
        .filter_map(|e| match &e.resources.cloud {
            EnvironmentCloud::Aws(aws) => Some((e, aws)),
            _ => None,
        })
        .flat_map(|(e, aws)| {
            // The VPC CNI's own add-ons only where a cluster of the environment runs it.
            let vpc_cni = plan
                .clusters
                .iter()
                .any(|c| c.environment == e.name && c.networking.cni != Cni::Cilium);
            aws.addon_versions.iter().filter(move |(name, version)| {
                version.is_none() && (vpc_cni || !crate::cloud::aws::VPC_CNI_ADDONS.contains(name))
            })
        })
        .map(|(name, _)| *name)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}
