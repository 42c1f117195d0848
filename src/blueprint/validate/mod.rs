//! Semantic validation: every problem of a parsed blueprint, in one run.
//!
//! Stage 2. Input: a [`Loaded`] blueprint. Output: [`Validated`] — the blueprint with its
//! environments and policy resolved (defaults applied, CIDRs parsed, waivers matched to the
//! rules they set aside) and the warnings to print — or every problem found, errors and
//! warnings, as [`Problems`]. Each check is a named [`Rule`]; policy rules may be waived.
//!
//! The address-space check ("is the environment's range big enough for its clusters") needs
//! the plan, so the planner reports it; see `plan::network`.

mod access;
mod cloud;
mod lifecycle;
mod policy;
mod tenancy;

use std::collections::BTreeMap;

pub use access::ResolvedAccess;

use ipnet::Ipv4Net;

use super::source::KeyPath;
use std::path::PathBuf;

use super::{
    Blueprint, Boundary, Cloud, Encryption, InstanceType, Loaded, Mesh, NetworkEncryption,
    ProductionIsolation, Tenant, Trust,
};
use crate::blueprint::diagnostic::{Problem, Problems, Rule};

/// A blueprint that passed validation, resolved: every default applied once, every range
/// parsed, every name checked. It consumes the [`Loaded`] blueprint (as ripgrep's `HiArgs`
/// consumes `LowArgs`), so nothing after validation sees the raw YAML types; the planner
/// reads only this.
#[derive(Debug, Clone)]
pub struct Validated {
    path: PathBuf,
    source: String,
    name: String,
    cloud: Cloud,
    kubernetes_version: String,
    tags: BTreeMap<String, String>,
    environments: BTreeMap<String, ResolvedEnvironment>,
    policy: ResolvedPolicy,
    organizations: BTreeMap<String, Boundary>,
    units: BTreeMap<String, ResolvedUnit>,
    tenants: BTreeMap<String, ResolvedTenant>,
    warnings: Vec<Problem>,
}

impl Validated {
    /// The platform's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The blueprint's cloud: that of every environment that does not set its own.
    pub fn default_cloud(&self) -> Cloud {
        self.cloud
    }

    /// The Kubernetes minor version of every cluster.
    pub fn kubernetes_version(&self) -> &str {
        &self.kubernetes_version
    }

    /// The blueprint's tags.
    pub fn tags(&self) -> &BTreeMap<String, String> {
        &self.tags
    }

    /// Environments with their cloud, region and range resolved.
    pub fn environments(&self) -> &BTreeMap<String, ResolvedEnvironment> {
        &self.environments
    }

    /// The policy with its defaults applied.
    pub fn policy(&self) -> &ResolvedPolicy {
        &self.policy
    }

    /// Each organization's boundary.
    pub fn organizations(&self) -> &BTreeMap<String, Boundary> {
        &self.organizations
    }

    /// Deployment units.
    pub fn units(&self) -> &BTreeMap<String, ResolvedUnit> {
        &self.units
    }

    /// Tenants, with their node groups and nodes defaulted.
    pub fn tenants(&self) -> &BTreeMap<String, ResolvedTenant> {
        &self.tenants
    }

    /// Warnings to show (validation passed in spite of them).
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }

    /// `problems` found in this blueprint after validation (by the planner), located in
    /// its text.
    pub fn problems(&self, problems: Vec<Problem>) -> Problems {
        Problems::new(&self.path, self.source.clone(), problems)
    }
}

/// A deployment unit: the shape of one cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedUnit {
    /// Most tenants one cluster hosts.
    pub tenants_per_cluster: u32,
    /// Most tenant node groups one cluster has.
    pub node_groups_per_cluster: u32,
    /// Most nodes in one node group.
    pub nodes_per_group: u32,
    /// Instance type of the nodes on each cloud the unit is used on (its tenants'
    /// environments' clouds, or the blueprint's cloud when no tenant uses it), plus any
    /// other cloud the blueprint names one for. Validation refuses a unit without one for a
    /// cloud its tenants run on.
    pub instance_types: BTreeMap<Cloud, String>,
}

impl ResolvedUnit {
    /// The instance type of this unit's nodes on `cloud`.
    pub fn instance_type(&self, cloud: Cloud) -> Option<&str> {
        self.instance_types.get(&cloud).map(String::as_str)
    }
}

/// A tenant with its defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedTenant {
    /// Its organization.
    pub organization: String,
    /// Its trust.
    pub trust: Trust,
    /// The deployment unit whose clusters host it.
    pub unit: String,
    /// The environments it runs in.
    pub environments: Vec<String>,
    /// Dedicated node groups (default 1).
    pub node_groups: u32,
    /// VMs in total, spread over the node groups (default: one per node group).
    pub nodes: u32,
}

/// Dedicated node groups of `tenant`: 1 unless the blueprint says.
fn node_groups_of(tenant: &Tenant) -> u32 {
    tenant.node_groups.unwrap_or(1)
}

/// VMs of `tenant`: one per node group unless the blueprint says.
fn nodes_of(tenant: &Tenant) -> u32 {
    tenant.nodes.unwrap_or_else(|| node_groups_of(tenant))
}

/// An environment with inherited settings filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedEnvironment {
    /// Whether it is production.
    pub production: bool,
    /// Account, project or subscription.
    pub account: String,
    /// Its address range.
    pub cidr: Ipv4Net,
    /// Its cloud.
    pub cloud: Cloud,
    /// Its region.
    pub region: String,
    /// Whether the environment sets its region itself (where a region problem points).
    pub region_overridden: bool,
    /// Who administers its clusters, and from where.
    pub access: ResolvedAccess,
    /// Azure: the Entra ID directory of its subscription, when the blueprint names it.
    pub directory: Option<String>,
}

/// The policy with defaults applied and waivers matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedPolicy {
    /// Workload identity required.
    pub zero_trust: bool,
    /// The encryption choice.
    pub encryption: Encryption,
    /// The transparent encryption protocol, when `encryption` uses one.
    pub network_encryption: Option<NetworkEncryption>,
    /// The mesh, when `encryption` uses one.
    pub mesh: Option<Mesh>,
    /// How production is isolated.
    pub production_isolation: ProductionIsolation,
    /// Most tenants per cluster, if limited.
    pub max_tenants_per_cluster: Option<u32>,
    /// Most tenant nodes per cluster, if limited.
    pub max_nodes_per_cluster: Option<u32>,
    /// Waivers, each with the findings it set aside.
    pub waivers: Vec<AppliedWaiver>,
}

/// A waiver and what it set aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedWaiver {
    /// The rule waived.
    pub rule: Rule,
    /// The reason given.
    pub reason: String,
    /// The findings the waiver set aside, in words.
    pub waived: Vec<String>,
}

/// Checks `loaded` against every rule. Returns all problems when any is an error.
pub fn validate(loaded: Loaded) -> Result<Validated, Problems> {
    let mut checker = Checker {
        blueprint: &loaded.blueprint,
        problems: Vec::new(),
        findings: Vec::new(),
    };
    checker.version();
    let mut environments = checker.environments();
    for (name, access) in access::check(&mut checker, &environments) {
        if let Some(env) = environments.get_mut(&name) {
            env.access = access;
        }
    }
    tenancy::check(&mut checker, &environments);
    cloud::check(&mut checker, &environments);
    lifecycle::check(&mut checker, &environments);
    let policy = policy::check(&mut checker, &environments);

    let unit_clouds: BTreeMap<String, std::collections::BTreeSet<Cloud>> = loaded
        .blueprint
        .units
        .keys()
        .map(|name| {
            (
                name.clone(),
                cloud::clouds_of_unit(&checker, &environments, name),
            )
        })
        .collect();
    let problems = checker.problems;
    if problems.iter().any(Problem::is_error) {
        return Err(Problems::new(&loaded.path, loaded.source, problems));
    }
    let Loaded {
        path,
        source,
        blueprint,
    } = loaded;
    Ok(Validated {
        path,
        source,
        organizations: blueprint
            .organizations
            .into_iter()
            .map(|(name, o)| (name, o.boundary))
            .collect(),
        units: blueprint
            .units
            .into_iter()
            .map(|(name, u)| {
                let instance_types = match u.instance_type {
                    InstanceType::PerCloud(by_cloud) => by_cloud,
                    InstanceType::One(one) => unit_clouds
                        .get(&name)
                        .into_iter()
                        .flatten()
                        .map(|cloud| (*cloud, one.clone()))
                        .collect(),
                };
                let unit = ResolvedUnit {
                    tenants_per_cluster: u.tenants_per_cluster,
                    node_groups_per_cluster: u.node_groups_per_cluster,
                    nodes_per_group: u.nodes_per_group,
                    instance_types,
                };
                (name, unit)
            })
            .collect(),
        tenants: blueprint
            .tenants
            .into_iter()
            .map(|(name, t)| {
                let tenant = ResolvedTenant {
                    node_groups: node_groups_of(&t),
                    nodes: nodes_of(&t),
                    organization: t.organization,
                    trust: t.trust,
                    unit: t.unit,
                    environments: t.environments,
                };
                (name, tenant)
            })
            .collect(),
        name: blueprint.name,
        cloud: blueprint.cloud,
        kubernetes_version: blueprint.kubernetes_version,
        tags: blueprint.tags,
        environments,
        policy,
        warnings: problems,
    })
}

/// Collects problems while walking the blueprint.
struct Checker<'a> {
    blueprint: &'a Blueprint,
    problems: Vec<Problem>,
    /// Findings of policy rules, before waivers are applied.
    findings: Vec<Problem>,
}

impl Checker<'_> {
    fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// Records a policy-rule finding; `policy::check` applies waivers to it.
    fn finding(&mut self, problem: Problem) {
        self.findings.push(problem);
    }

    fn version(&mut self) {
        let version = self.blueprint.version;
        if version != super::FORMAT_VERSION {
            self.push(
                Problem::error(
                    Rule::Version,
                    KeyPath::keys(["version"]),
                    format!(
                        "blueprint format version {version} is not supported; this build of clusterwright reads version {}",
                        super::FORMAT_VERSION
                    ),
                )
                .with_help(format!("set `version: {}`", super::FORMAT_VERSION)),
            );
        }
    }

    /// Checks every environment and resolves the ones whose range parses.
    fn environments(&mut self) -> BTreeMap<String, ResolvedEnvironment> {
        let bp = self.blueprint;
        if bp.environments.is_empty() {
            self.push(
                Problem::error(
                    Rule::Count,
                    KeyPath::keys(["environments"]),
                    "there are no environments",
                )
                .with_help("add at least one environment, e.g. `prod: { production: true, account: ..., cidr: 10.0.0.0/16 }`"),
            );
        }
        let mut resolved = BTreeMap::new();
        for (name, env) in &bp.environments {
            let path = KeyPath::keys(["environments", name.as_str()]);
            self.name(crate::cloud::names::NameKind::Environment, &path, name);
            let cloud = env.cloud.unwrap_or(bp.cloud);
            let region = env.region.clone().unwrap_or_else(|| bp.region.clone());
            if let Some(cidr) = cloud::parse_cidr(self, &path.key("cidr"), &env.cidr) {
                resolved.insert(
                    name.clone(),
                    ResolvedEnvironment {
                        production: env.production,
                        account: env.account.clone(),
                        cidr,
                        cloud,
                        region,
                        region_overridden: env.region.is_some(),
                        access: ResolvedAccess::default(),
                        directory: env.directory.clone(),
                    },
                );
            }
        }
        resolved
    }

    /// Checks a name defined as a mapping key at `path`.
    fn name(&mut self, kind: crate::cloud::names::NameKind, path: &KeyPath, name: &str) {
        let Some(message) = crate::cloud::names::check(kind, name) else {
            return;
        };
        let help = if message.contains("is reserved") {
            "choose another name: `default`, `system`, `kube-*` and the namespaces of Istio, Linkerd, cert-manager and Cilium are taken".to_owned()
        } else if let Some(suggestion) = crate::cloud::names::suggest(kind, name) {
            format!("rename it, e.g. to `{suggestion}`")
        } else {
            format!(
                "names are lowercase letters, digits and `-`, start with a letter, and are at most {} characters",
                kind.max_len()
            )
        };
        self.push(
            Problem::error(Rule::Name, path.clone(), message)
                .at(crate::blueprint::source::Target::Key)
                .with_help(help),
        );
    }

    /// Checks that a count is at least 1.
    fn at_least_one(&mut self, path: &KeyPath, value: u32, what: &str) {
        if value == 0 {
            self.push(
                Problem::error(
                    Rule::Count,
                    path.clone(),
                    format!("{what} must be at least 1, not 0"),
                )
                .with_help("set a positive number"),
            );
        }
    }
}

/// Joins names as `a`, `b` and `c` for messages.
pub(crate) fn names_list<'a, I: IntoIterator<Item = &'a str>>(names: I) -> String {
    let names: Vec<String> = names.into_iter().map(|n| format!("`{n}`")).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}
