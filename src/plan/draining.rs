//! Two-step moves: a tenant that moves to another cluster (a `--repack`, or a change of
//! its partition) keeps its node groups in the cluster it leaves, marked draining, until a
//! later run is told the move is done (`clusterwright generate --complete-move TENANT`).
//! So the apply that creates the tenant's new node groups never removes its old capacity:
//! workloads are migrated between the two applies, and the second one removes the old
//! groups, reviewed as a destroy.
//!
//! Stage 3. Input: the previous placement (its facts say which groups a cluster had and
//! which were draining), the clusters planned now, and the tenants whose moves are
//! completed. Output: the clusters, each with the draining node groups it keeps appended
//! as ordinary [`NodeGroup`]s (`draining: true`), so every target renders them without
//! knowing about moves. Draining groups are not counted against the cluster's shape: they
//! are temporary, and a move exists to make room.

use std::collections::{BTreeMap, BTreeSet};

use super::cluster::group_cloud;
use super::placement::Placement;
use super::{ClusterPlan, GroupTenant, NodeGroup, TENANT_LABEL, Taint, TaintEffect};
use crate::blueprint::validate::Validated;
use crate::cloud::policy::Trust;

/// Appends to each of `clusters` the node groups of tenants that moved away from it and
/// whose move is not in `completed`. A tenant removed from the blueprint, or from the
/// environment, keeps nothing: that is a destroy, reviewed as one.
pub fn keep(
    validated: &Validated,
    previous: Option<&Placement>,
    clusters: &mut [ClusterPlan],
    completed: &BTreeSet<String>,
) {
    let Some(previous) = previous else {
        return;
    };
    // Environment → tenants placed now.
    let mut placed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for c in clusters.iter() {
        placed
            .entry(c.environment.clone())
            .or_default()
            .extend(c.tenants.iter().cloned());
    }
    for cluster in clusters.iter_mut() {
        let Some(old) = previous
            .environments
            .get(&cluster.environment)
            .and_then(|env| {
                env.get(&cluster.name)
                    .or_else(|| cluster.formerly.last().and_then(|f| env.get(f)))
            })
        else {
            continue;
        };
        let Some(facts) = &old.facts else {
            continue;
        };
        let here: BTreeSet<String> = cluster.node_groups.iter().map(|g| g.name.clone()).collect();
        let mut kept = Vec::new();
        for (name, g) in &facts.node_groups {
            let Some(tenant) = &g.tenant else {
                continue;
            };
            let moved_away = !cluster.tenants.contains(tenant)
                && placed
                    .get(&cluster.environment)
                    .is_some_and(|t| t.contains(tenant));
            if here.contains(name) || completed.contains(tenant) || !moved_away {
                continue;
            }
            let Some(t) = validated.tenants().get(tenant) else {
                continue;
            };
            let mut taints = Vec::new();
            if t.trust == Trust::Untrusted {
                taints.push(Taint {
                    key: TENANT_LABEL.to_owned(),
                    value: tenant.clone(),
                    effect: TaintEffect::NoSchedule,
                });
            }
            taints.extend(cluster.networking.node_taint());
            kept.push(NodeGroup {
                name: name.clone(),
                cloud_name: g.cloud_name.clone(),
                tenant: Some(GroupTenant {
                    name: tenant.clone(),
                    organization: t.organization.clone(),
                    trust: t.trust,
                }),
                nodes: g.nodes,
                instance_type: g.instance_type.clone(),
                labels: BTreeMap::from([(TENANT_LABEL.to_owned(), tenant.clone())]),
                taints,
                cloud: group_cloud(cluster.cloud, &g.instance_type, g.nodes),
                draining: true,
            });
        }
        if !kept.is_empty() {
            cluster.reasons.push(format!(
                "keeps the node groups of tenants that moved away ({}) until `clusterwright generate --complete-move TENANT`",
                kept.iter()
                    .filter_map(|g| g.tenant.as_ref().map(|t| format!("`{}`", t.name)))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            cluster.node_groups.extend(kept);
        }
    }
}
