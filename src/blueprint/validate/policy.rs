//! The policy rules: encryption settings, zero trust, production isolation, cloud-hardware
//! instance types, and waivers.
//!
//! Policy-rule findings are collected first; then each is either set aside by a waiver
//! (and recorded, so the decision record shows it) or reported. A waiver that sets nothing
//! aside is a warning, so that reviewers only ever see live exceptions.

use std::collections::{BTreeMap, BTreeSet};

use super::{AppliedWaiver, Checker, ResolvedEnvironment, ResolvedPolicy, names_list, tenancy};
use crate::blueprint::diagnostic::{Problem, Rule};
use crate::blueprint::source::KeyPath;
use crate::blueprint::{
    Cloud, Encryption, InstanceType, Mesh, NetworkEncryption, ProductionIsolation,
};
use crate::cloud::facts;
use crate::cloud::names::did_you_mean;

pub(super) fn check(
    c: &mut Checker<'_>,
    envs: &BTreeMap<String, ResolvedEnvironment>,
) -> ResolvedPolicy {
    let policy = &c.blueprint.policy;
    let encryption = policy.encryption;
    let path = KeyPath::keys(["policy"]);

    let uses_network = matches!(encryption, Encryption::Network | Encryption::DefenseInDepth);
    let uses_mesh = matches!(encryption, Encryption::Mtls | Encryption::DefenseInDepth);
    let network_encryption = if uses_network {
        Some(
            policy
                .network_encryption
                .unwrap_or(NetworkEncryption::Wireguard),
        )
    } else {
        if policy.network_encryption.is_some() {
            c.push(ignored(
                &path.key("networkEncryption"),
                encryption,
                "network",
                "defense-in-depth",
            ));
        }
        None
    };
    let mesh = if uses_mesh {
        if policy.mesh.is_none() {
            c.push(
                Problem::error(
                    Rule::Policy,
                    path.key("mesh"),
                    format!(
                        "`encryption: {}` needs a service mesh, and `policy.mesh` is not set",
                        encryption_name(encryption)
                    ),
                )
                .with_help("set `mesh:` to `istio`, `istio-ambient` or `linkerd`"),
            );
        }
        policy.mesh
    } else {
        if policy.mesh.is_some() {
            c.push(ignored(
                &path.key("mesh"),
                encryption,
                "mtls",
                "defense-in-depth",
            ));
        }
        None
    };
    if mesh == Some(Mesh::Linkerd) {
        linkerd_version(c);
    }
    if let Some(b) = &policy.blast_radius {
        if let Some(n) = b.max_tenants_per_cluster {
            c.at_least_one(
                &path.key("blastRadius").key("maxTenantsPerCluster"),
                n,
                "`maxTenantsPerCluster`",
            );
        }
        if let Some(n) = b.max_nodes_per_cluster {
            c.at_least_one(
                &path.key("blastRadius").key("maxNodesPerCluster"),
                n,
                "`maxNodesPerCluster`",
            );
        }
    }

    let isolation = policy
        .production_isolation
        .unwrap_or(ProductionIsolation::Account);
    if isolation == ProductionIsolation::Account {
        shared_accounts(c, envs);
    }
    encryption_findings(c, envs, encryption, network_encryption);
    let waivers = apply_waivers(c);

    ResolvedPolicy {
        zero_trust: policy.zero_trust,
        encryption,
        network_encryption,
        mesh,
        production_isolation: isolation,
        max_tenants_per_cluster: policy
            .blast_radius
            .as_ref()
            .and_then(|b| b.max_tenants_per_cluster),
        max_nodes_per_cluster: policy
            .blast_radius
            .as_ref()
            .and_then(|b| b.max_nodes_per_cluster),
        waivers,
    }
}

/// The YAML spelling of an encryption choice.
pub fn encryption_name(e: Encryption) -> &'static str {
    match e {
        Encryption::None => "none",
        Encryption::Network => "network",
        Encryption::Mtls => "mtls",
        Encryption::DefenseInDepth => "defense-in-depth",
        Encryption::CloudHardware => "cloud-hardware",
    }
}

fn ignored(path: &KeyPath, encryption: Encryption, a: &str, b: &str) -> Problem {
    Problem::warning(
        Rule::Policy,
        path.clone(),
        format!(
            "ignored: `encryption: {}` does not use this setting",
            encryption_name(encryption)
        ),
    )
    .with_help(format!(
        "it applies to `{a}` and `{b}`; remove it, or change `encryption`"
    ))
}

fn linkerd_version(c: &mut Checker<'_>) {
    let minor: Option<u32> = c
        .blueprint
        .kubernetes_version
        .strip_prefix("1.")
        .and_then(|m| m.parse().ok());
    if let Some(minor) = minor
        && minor < 31
    {
        c.push(
            Problem::error(
                Rule::Policy,
                KeyPath::keys(["kubernetesVersion"]),
                format!("Linkerd's charts require Kubernetes 1.31 or newer; the blueprint asks for 1.{minor}"),
            )
            .with_help("set `kubernetesVersion` to \"1.31\" or newer"),
        );
    }
}

/// Under `productionIsolation: account`, no non-production environment uses an account of
/// a production one.
fn shared_accounts(c: &mut Checker<'_>, envs: &BTreeMap<String, ResolvedEnvironment>) {
    for (name, env) in envs.iter().filter(|(_, e)| !e.production) {
        let shared: Vec<&str> = envs
            .iter()
            .filter(|(_, p)| p.production && p.account == env.account && p.cloud == env.cloud)
            .map(|(n, _)| n.as_str())
            .collect();
        if shared.is_empty() {
            continue;
        }
        c.push(
            Problem::error(
                Rule::ProductionIsolation,
                KeyPath::keys(["environments", name.as_str(), "account"]),
                format!(
                    "non-production `{name}` uses the account of production {} (`{}`)",
                    names_list(shared.iter().copied()),
                    env.account
                ),
            )
            .with_help("with `productionIsolation: account`, production accounts hold production only; give this environment an account of its own (this rule cannot be waived)"),
        );
    }
}

fn encryption_findings(
    c: &mut Checker<'_>,
    envs: &BTreeMap<String, ResolvedEnvironment>,
    encryption: Encryption,
    network_encryption: Option<NetworkEncryption>,
) {
    let bp = c.blueprint;
    let at = KeyPath::keys(["policy", "encryption"]);
    if bp.policy.zero_trust && !matches!(encryption, Encryption::Mtls | Encryption::DefenseInDepth)
    {
        let (why, fix) = match encryption {
            Encryption::Network => (
                "transparent network encryption identifies nodes, not workloads: every pod on a node speaks with the node's key, so a policy cannot tell one workload from another",
                "keep Cilium's encryption and add a mesh: `encryption: defense-in-depth` with `mesh: istio`, `istio-ambient` or `linkerd`",
            ),
            Encryption::CloudHardware => (
                "the cloud encrypts between machines and identifies no workload",
                "keep the cloud's encryption underneath and add a mesh: `encryption: mtls` with `mesh: istio`, `istio-ambient` or `linkerd`",
            ),
            _ => (
                "`none` neither encrypts traffic nor authenticates workloads",
                "set `encryption: mtls` (or `defense-in-depth`) with `mesh: istio`, `istio-ambient` or `linkerd`",
            ),
        };
        c.finding(
            Problem::error(
                Rule::ZeroTrustIdentity,
                at.clone(),
                format!("`zeroTrust: true` requires workload identity, but {why}"),
            )
            .with_help(format!("{fix} (the mesh gives every workload a certificate of its own); or set `zeroTrust: false`, or waive `zero-trust-identity` with a reason")),
        );
    }
    let production: Vec<&str> = envs
        .iter()
        .filter(|(_, e)| e.production)
        .map(|(n, _)| n.as_str())
        .collect();
    if encryption == Encryption::None && !production.is_empty() {
        c.finding(
            Problem::error(
                Rule::ProductionEncryption,
                at.clone(),
                format!("`encryption: none` leaves the traffic of production {} unencrypted", names_list(production)),
            )
            .with_help("choose `network`, `mtls`, `defense-in-depth` or `cloud-hardware`, or waive `production-encryption` with a reason"),
        );
    }
    if encryption == Encryption::Mtls {
        c.finding(
            Problem::warning(
                Rule::MeshAddonTraffic,
                at.clone(),
                "with `mtls` alone, traffic outside the mesh is not encrypted: CoreDNS, operators, host-network pods and the CNI itself",
            )
            .with_help("use `encryption: defense-in-depth` (with `networkEncryption: wireguard`, node traffic included) to encrypt it with Cilium as well, or waive `mesh-addon-traffic` with the reason it is acceptable; DECISIONS.md lists what stays unencrypted"),
        );
    }
    if network_encryption == Some(NetworkEncryption::Ipsec) {
        c.finding(
            Problem::warning(
                Rule::EncryptionCoverage,
                KeyPath::keys(["policy", "networkEncryption"]),
                "IPsec does not encrypt node-to-node traffic (host-network pods, kubelet); Cilium encrypts it only with WireGuard",
            )
            .with_help("use `networkEncryption: wireguard`, or waive `encryption-coverage` with the reason node traffic may stay unencrypted"),
        );
    }
    if encryption == Encryption::CloudHardware {
        for (name, unit) in &bp.units {
            let clouds: BTreeSet<Cloud> = tenancy::clouds_of_unit(c, envs, name);
            for cloud in clouds {
                // A missing or misshapen per-cloud type is `cloud::instance_types`' problem.
                let Some(instance_type) = unit.instance_type.on(cloud) else {
                    continue;
                };
                let path = KeyPath::keys(["units", name.as_str(), "instanceType"]);
                let path = match &unit.instance_type {
                    InstanceType::One(_) => path,
                    InstanceType::PerCloud(_) => path.key(cloud.to_string()),
                };
                if facts::is_valid_instance_type(cloud, instance_type)
                    && !facts::encrypts_in_transit(cloud, instance_type)
                {
                    c.finding(
                        Problem::error(
                            Rule::CloudHardwareInstance,
                            path,
                            format!(
                                "`{instance_type}` is not an instance type whose traffic {cloud} encrypts on the wire, so `cloud-hardware` encryption would not hold on these nodes"
                            ),
                        )
                        .with_help(format!(
                            "use one that does, e.g. {}; source: {}. If the cloud confirms this type, waive `cloud-hardware-instance` saying so",
                            facts::in_transit_examples(cloud),
                            facts::in_transit_source(cloud)
                        )),
                    );
                }
            }
        }
    }
}

/// Matches findings to waivers; reports the rest, bad waivers and unused ones.
fn apply_waivers(c: &mut Checker<'_>) -> Vec<AppliedWaiver> {
    let waivers = &c.blueprint.policy.waivers;
    let mut by_rule: BTreeMap<Rule, (usize, AppliedWaiver)> = BTreeMap::new();
    for (i, waiver) in waivers.iter().enumerate() {
        let path = KeyPath::keys(["policy", "waivers"]).index(i);
        let waivable: Vec<&str> = Rule::ALL
            .iter()
            .filter(|r| r.waivable())
            .map(|r| r.name())
            .collect();
        let Some(rule) = Rule::from_name(&waiver.rule).filter(|r| r.is_policy_rule()) else {
            let help = match did_you_mean(&waiver.rule, &waivable) {
                Some(m) => format!(
                    "did you mean `{m}`? rules that can be waived: {}",
                    names_list(waivable.iter().copied())
                ),
                None => format!(
                    "rules that can be waived: {}",
                    names_list(waivable.iter().copied())
                ),
            };
            c.push(
                Problem::error(
                    Rule::Waiver,
                    path.key("rule"),
                    format!("`{}` is not a policy rule", waiver.rule.escape_debug()),
                )
                .with_help(help),
            );
            continue;
        };
        if !rule.waivable() {
            c.push(
                Problem::error(Rule::Waiver, path.key("rule"), format!("`{rule}` cannot be waived"))
                    .with_help("production and non-production are always kept apart; change the environments instead"),
            );
            continue;
        }
        if waiver.reason.trim().is_empty() {
            c.push(
                Problem::error(Rule::Waiver, path.key("reason"), "a waiver needs a reason")
                    .with_help(
                        "say why the exception is acceptable; reviewers read it in DECISIONS.md",
                    ),
            );
        }
        if let Some((first, _)) = by_rule.get(&rule) {
            c.push(
                Problem::error(
                    Rule::Waiver,
                    path.key("rule"),
                    format!("`{rule}` is already waived by waiver {first}"),
                )
                .with_help("keep one waiver per rule"),
            );
            continue;
        }
        by_rule.insert(
            rule,
            (
                i,
                AppliedWaiver {
                    rule,
                    reason: waiver.reason.trim().to_owned(),
                    waived: Vec::new(),
                },
            ),
        );
    }
    for finding in std::mem::take(&mut c.findings) {
        match by_rule.get_mut(&finding.rule) {
            Some((_, applied)) => applied
                .waived
                .push(format!("{}: {}", finding.path, finding.message)),
            None => c.push(finding),
        }
    }
    let mut applied = Vec::new();
    for (rule, (i, waiver)) in by_rule {
        if waiver.waived.is_empty() {
            c.push(
                Problem::warning(
                    Rule::UnusedWaiver,
                    KeyPath::keys(["policy", "waivers"]).index(i),
                    format!(
                        "the waiver of `{rule}` sets nothing aside: the blueprint keeps this rule"
                    ),
                )
                .with_help("remove it, so that reviewers only see exceptions that are in force"),
            );
        } else {
            applied.push(waiver);
        }
    }
    applied
}
