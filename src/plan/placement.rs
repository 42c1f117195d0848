//! The placement record: which tenant runs in which cluster, per environment, with each
//! cluster's address range and node group sizes, and the encryption stack. Written to
//! `placement.yaml` by `generate`, read back by the next `plan`/`generate` so that placed
//! tenants stay where they are, and compared by `diff` to say what a change does in review
//! terms (clusters destroyed, tenants moved, node groups resized, encryption changed).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::facts::{ClusterFacts, PolicyFacts};
use super::impact::kind::Impact;
use super::{ClusterPlan, PolicyPlan};
use crate::cloud::names::NameKind;
use crate::cloud::policy::{Encryption, Mesh, NetworkEncryption};

/// The format version of `placement.yaml`.
pub const PLACEMENT_VERSION: u32 = 1;

/// Tenant → cluster placement of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Placement {
    /// Format version (1).
    pub version: u32,
    /// The platform it belongs to.
    #[serde(default)]
    pub platform: Option<String>,
    /// The encryption stack.
    #[serde(default)]
    pub encryption: Option<EncryptionRecord>,
    /// What review compares of the policy (waivers, zero trust, production isolation);
    /// absent in placements written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyFacts>,
    /// Environment → cluster name → cluster.
    pub environments: BTreeMap<String, BTreeMap<String, PlacedCluster>>,
}

/// The encryption stack, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EncryptionRecord {
    /// `policy.encryption`.
    pub mode: Encryption,
    /// Transparent encryption protocol, when used.
    #[serde(default)]
    pub network_encryption: Option<NetworkEncryption>,
    /// Mesh, when used.
    #[serde(default)]
    pub mesh: Option<Mesh>,
}

/// A cluster of a placement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PlacedCluster {
    /// Its address range.
    pub cidr: String,
    /// Its tenants.
    pub tenants: Vec<String>,
    /// Node group name → nodes.
    #[serde(default)]
    pub node_groups: BTreeMap<String, u32>,
    /// The names it had before a `--repack` renamed it, oldest first (kept so that every
    /// run emits the same Terraform `moved` blocks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub formerly: Vec<String>,
    /// What review needs of the cluster on the next run (see [`super::facts`]); absent in
    /// placements written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<ClusterFacts>,
}

impl Placement {
    /// The placement of `clusters` under `policy`, planned for Kubernetes
    /// `kubernetes_version`.
    pub fn of(
        platform: &str,
        kubernetes_version: &str,
        policy: &PolicyPlan,
        clusters: &[ClusterPlan],
    ) -> Self {
        let mut environments: BTreeMap<String, BTreeMap<String, PlacedCluster>> = BTreeMap::new();
        for c in clusters {
            let node_groups = c
                .tenant_groups()
                .map(|g| (g.name.clone(), g.nodes))
                .collect();
            environments
                .entry(c.environment.clone())
                .or_default()
                .insert(
                    c.name.clone(),
                    PlacedCluster {
                        cidr: c.cidr.clone(),
                        tenants: c.tenants.clone(),
                        node_groups,
                        formerly: c.formerly.clone(),
                        facts: Some(ClusterFacts::of(c, kubernetes_version)),
                    },
                );
        }
        Self {
            version: PLACEMENT_VERSION,
            platform: Some(platform.to_owned()),
            encryption: Some(EncryptionRecord {
                mode: policy.encryption,
                network_encryption: policy.network_encryption,
                mesh: policy.mesh,
            }),
            policy: Some(PolicyFacts::of(policy)),
            environments,
        }
    }

    /// Parses the text of a `placement.yaml`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let placement: Self = crate::blueprint::parse::deserialize(text).map_err(|p| {
            let at = p
                .location
                .map(|l| format!("{}:{}: ", l.line, l.column))
                .unwrap_or_default();
            format!("{at}{}: {}", p.path, p.message)
        })?;
        if placement.version != PLACEMENT_VERSION {
            return Err(format!(
                "placement format version {} is not supported (expected {PLACEMENT_VERSION})",
                placement.version
            ));
        }
        placement.check()?;
        Ok(placement)
    }

    /// What a placement must hold for the planner to honour it: cluster names (now and
    /// former) that are valid and used once, and every tenant in at most one cluster of an
    /// environment. A file edited into anything else is refused, not half-honoured.
    fn check(&self) -> Result<(), String> {
        let mut names: BTreeMap<&str, String> = BTreeMap::new();
        for (env, clusters) in &self.environments {
            let mut homes: BTreeMap<&str, &str> = BTreeMap::new();
            for (name, cluster) in clusters {
                let path = format!("environments.{env}.{name}");
                for (n, what) in std::iter::once((name, "name"))
                    .chain(cluster.formerly.iter().map(|f| (f, "former name")))
                {
                    if let Some(why) = crate::cloud::names::check(NameKind::Cluster, n) {
                        return Err(format!("{path}: {why}"));
                    }
                    if let Some(first) = names.insert(n, format!("{path} ({what})")) {
                        return Err(format!(
                            "{path}: cluster name `{n}` is used twice, also by {first}"
                        ));
                    }
                }
                for tenant in &cluster.tenants {
                    if let Some(other) = homes.insert(tenant, name) {
                        return Err(format!(
                            "{path}.tenants: tenant `{tenant}` is placed in two clusters of `{env}`, `{other}` and `{name}`"
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The YAML text of this placement (without the generated-file header). Plain data
    /// always serializes: a failure is a bug, never an empty record.
    pub fn to_yaml(&self) -> Result<String, crate::error::Error> {
        serde_saphyr::to_string(self)
            .map_err(|e| crate::error::Error::Bug(format!("the placement does not serialize: {e}")))
    }
}

/// How one placement differs from another, in the terms a reviewer uses.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PlacementChanges {
    /// Whether there was a previous placement to compare with.
    pub has_previous: bool,
    /// Clusters that did not exist before.
    pub created: Vec<String>,
    /// Clusters that existed and are gone: **destroyed**, with everything on them.
    pub destroyed: Vec<String>,
    /// Tenants that change cluster: their workloads must be migrated.
    pub moved: Vec<Move>,
    /// Clusters whose address range changes: their networks are replaced.
    pub readdressed: Vec<Readdress>,
    /// Node groups added, removed or resized.
    pub node_groups: Vec<NodeGroupChange>,
    /// The encryption stack before and after, when it changes.
    pub encryption: Option<(Option<EncryptionRecord>, Option<EncryptionRecord>)>,
    /// What each change does to running infrastructure, per cluster and node group,
    /// production first (see [`super::impact`]).
    pub impacts: Vec<Impact>,
}

/// A tenant changing cluster.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Move {
    /// Environment.
    pub environment: String,
    /// Tenant.
    pub tenant: String,
    /// Cluster it leaves.
    pub from: String,
    /// Cluster it joins.
    pub to: String,
}

/// A cluster whose range changes.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Readdress {
    /// Cluster.
    pub cluster: String,
    /// Old range.
    pub from: String,
    /// New range.
    pub to: String,
}

/// A node group of a cluster that stays, added, removed or resized.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NodeGroupChange {
    /// Cluster.
    pub cluster: String,
    /// Node group.
    pub node_group: String,
    /// Nodes before (`None`: added).
    pub from: Option<u32>,
    /// Nodes after (`None`: removed).
    pub to: Option<u32>,
}

impl PlacementChanges {
    /// Whether anything a reviewer must look at twice changes: a cluster destroyed, a tenant
    /// moved, or a network replaced.
    pub fn is_dangerous(&self) -> bool {
        !self.destroyed.is_empty()
            || !self.moved.is_empty()
            || !self.readdressed.is_empty()
            || self.impacts.iter().any(Impact::flagged)
    }

    /// The impact lines for people, production first: `!` what review flags (replace,
    /// destroy, weaken; roll in production), `~` the rest. Created things are left to
    /// [`Self::lines`].
    pub fn impact_lines(&self) -> Vec<String> {
        self.impacts
            .iter()
            .filter(|i| i.impact != super::impact::kind::ImpactClass::Create)
            .map(Impact::line)
            .collect()
    }

    /// The changes as lines for people; `!` marks what destroys, moves or replaces
    /// something, `+` what is added, `-` what is removed, `~` what is changed.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.destroyed {
            out.push(format!(
                "! cluster `{c}` is DESTROYED, with everything running on it"
            ));
        }
        for m in &self.moved {
            out.push(format!(
                "! tenant `{}` MOVES from `{}` to `{}` ({}): its workloads must be migrated",
                m.tenant, m.from, m.to, m.environment
            ));
        }
        for r in &self.readdressed {
            out.push(format!(
                "! cluster `{}` is READDRESSED from {} to {}: its network is replaced",
                r.cluster, r.from, r.to
            ));
        }
        for c in &self.created {
            out.push(format!("+ cluster `{c}` is created"));
        }
        for g in &self.node_groups {
            out.push(match (g.from, g.to) {
                (None, Some(to)) => format!(
                    "+ node group `{}` is added to `{}` ({to} nodes)",
                    g.node_group, g.cluster
                ),
                (Some(from), None) => format!(
                    "- node group `{}` is removed from `{}` ({from} nodes)",
                    g.node_group, g.cluster
                ),
                (Some(from), Some(to)) => {
                    format!(
                        "~ node group `{}` in `{}` is resized from {from} to {to} nodes",
                        g.node_group, g.cluster
                    )
                }
                (None, None) => continue,
            });
        }
        if let Some((before, after)) = &self.encryption {
            out.push(format!(
                "! encryption changes from {} to {}: {}",
                describe(before.as_ref()),
                describe(after.as_ref()),
                super::impact::kind::SAFE_PATH
            ));
        }
        out
    }

    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.created.is_empty()
            && !self.is_dangerous()
            && self.node_groups.is_empty()
            && self.encryption.is_none()
            && self.impacts.is_empty()
    }
}

/// Compares `before` with `after`. Without `before`, nothing is reported.
pub fn changes(before: Option<&Placement>, after: &Placement) -> PlacementChanges {
    let Some(before) = before else {
        return PlacementChanges::default();
    };
    let mut out = PlacementChanges {
        has_previous: true,
        ..PlacementChanges::default()
    };
    for (env, old, new) in paired(before, after) {
        out.created
            .extend(new.keys().filter(|c| !old.contains_key(*c)).cloned());
        out.destroyed
            .extend(old.keys().filter(|c| !new.contains_key(*c)).cloned());
        for (name, cluster) in new {
            let Some(was) = old.get(name) else {
                continue;
            };
            if was.cidr != cluster.cidr {
                out.readdressed.push(Readdress {
                    cluster: name.clone(),
                    from: was.cidr.clone(),
                    to: cluster.cidr.clone(),
                });
            }
            // Node groups are only compared when both sides recorded them.
            if was.node_groups.is_empty() {
                continue;
            }
            let groups: BTreeSet<&String> = was
                .node_groups
                .keys()
                .chain(cluster.node_groups.keys())
                .collect();
            for group in groups {
                let (from, to) = (
                    was.node_groups.get(group).copied(),
                    cluster.node_groups.get(group).copied(),
                );
                if from != to {
                    out.node_groups.push(NodeGroupChange {
                        cluster: name.clone(),
                        node_group: group.clone(),
                        from,
                        to,
                    });
                }
            }
        }
        let home = |p: &BTreeMap<String, PlacedCluster>| -> BTreeMap<String, String> {
            p.iter()
                .flat_map(|(c, pc)| pc.tenants.iter().map(move |t| (t.clone(), c.clone())))
                .collect()
        };
        let (old_home, new_home) = (home(old), home(new));
        for (tenant, to) in &new_home {
            if let Some(from) = old_home.get(tenant)
                && from != to
            {
                out.moved.push(Move {
                    environment: env.clone(),
                    tenant: tenant.clone(),
                    from: from.clone(),
                    to: to.clone(),
                });
            }
        }
    }
    if before.encryption.is_some() && before.encryption != after.encryption {
        out.encryption = Some((before.encryption.clone(), after.encryption.clone()));
    }
    out
}

/// An encryption stack in the blueprint's words: `defense-in-depth + wireguard + istio`.
fn describe(record: Option<&EncryptionRecord>) -> String {
    let Some(e) = record else {
        return "none recorded".to_owned();
    };
    let mut parts = vec![e.mode.name()];
    if let Some(n) = e.network_encryption {
        parts.push(n.name());
    }
    if let Some(m) = e.mesh {
        parts.push(m.name());
    }
    parts.join(" + ")
}

/// An environment's clusters in a placement, by name.
pub(crate) type Clusters = BTreeMap<String, PlacedCluster>;

/// The clusters of two placements per environment: every environment either knows, with
/// its clusters before and after (empty where it has none), by name.
pub(crate) fn paired<'a>(
    before: &'a Placement,
    after: &'a Placement,
) -> Vec<(&'a String, &'a Clusters, &'a Clusters)> {
    static EMPTY: Clusters = BTreeMap::new();
    let envs: BTreeSet<&String> = before
        .environments
        .keys()
        .chain(after.environments.keys())
        .collect();
    envs.into_iter()
        .map(|env| {
            (
                env,
                before.environments.get(env).unwrap_or(&EMPTY),
                after.environments.get(env).unwrap_or(&EMPTY),
            )
        })
        .collect()
}
