//! Semantic validation: every problem of a parsed blueprint, in one run.
//!
//! Stage 2. Input: a [`Loaded`] blueprint. Output: [`Validated`] — the blueprint with its
//! environments and policy resolved (defaults applied, CIDRs parsed, waivers matched to the
//! rules they set aside) and the warnings to print — or every problem found, errors and
//! warnings, as [`Problems`]. Each check is a named [`Rule`]; policy rules may be waived.
//!
//! The address-space check ("is the environment's range big enough for its clusters") needs
//! the plan, so the planner reports it; see `plan::network`.

mod cloud;
mod policy;
mod tenancy;

use std::collections::BTreeMap;

use ipnet::Ipv4Net;

use super::source::KeyPath;
use super::{Blueprint, Cloud, Encryption, Loaded, Mesh, NetworkEncryption, ProductionIsolation};
use crate::blueprint::diagnostic::{Problem, Problems, Rule};

/// A blueprint that passed validation, with what the planner needs resolved.
#[derive(Debug, Clone)]
pub struct Validated {
    /// The blueprint as loaded.
    pub loaded: Loaded,
    /// Environments with their cloud, region and range resolved.
    pub environments: BTreeMap<String, ResolvedEnvironment>,
    /// The policy with its defaults applied.
    pub policy: ResolvedPolicy,
    /// Warnings to show (validation passed in spite of them).
    pub warnings: Vec<Problem>,
}

impl Validated {
    /// The blueprint.
    pub fn blueprint(&self) -> &Blueprint {
        &self.loaded.blueprint
    }
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
    let environments = checker.environments();
    tenancy::check(&mut checker, &environments);
    cloud::check(&mut checker, &environments);
    let policy = policy::check(&mut checker, &environments);

    let problems = checker.problems;
    if problems.iter().any(Problem::is_error) {
        return Err(Problems::new(&loaded.path, loaded.source, problems));
    }
    Ok(Validated {
        loaded,
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
            let cloud = env.cloud_or(bp.cloud);
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
