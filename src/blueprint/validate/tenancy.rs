//! Organizations, units and tenants: names, references, counts, and whether each tenant
//! fits the cluster shape of its unit and the managed service's quotas.

use std::collections::{BTreeMap, BTreeSet};

use super::{Checker, ResolvedEnvironment, names_list};
use crate::blueprint::diagnostic::{Problem, Rule};
use crate::blueprint::source::KeyPath;
use crate::blueprint::{Cloud, Tenant, Unit};
use crate::cloud::facts;
use crate::cloud::names::NameKind;
use crate::cloud::names::did_you_mean;

pub(super) fn check(c: &mut Checker<'_>, envs: &BTreeMap<String, ResolvedEnvironment>) {
    let bp = c.blueprint;
    for name in bp.organizations.keys() {
        c.name(
            NameKind::Organization,
            &KeyPath::keys(["organizations", name]),
            name,
        );
    }
    for (name, unit) in &bp.units {
        let path = KeyPath::keys(["units", name.as_str()]);
        c.name(NameKind::Unit, &path, name);
        c.at_least_one(
            &path.key("tenantsPerCluster"),
            unit.tenants_per_cluster,
            "`tenantsPerCluster`",
        );
        c.at_least_one(
            &path.key("nodeGroupsPerCluster"),
            unit.node_groups_per_cluster,
            "`nodeGroupsPerCluster`",
        );
        c.at_least_one(
            &path.key("nodesPerGroup"),
            unit.nodes_per_group,
            "`nodesPerGroup`",
        );
        for cloud in clouds_of_unit(c, envs, name) {
            unit_quotas(c, &path, unit, cloud);
        }
    }
    if bp.tenants.is_empty() {
        c.push(
            Problem::warning(
                Rule::Count,
                KeyPath::keys(["tenants"]),
                "there are no tenants, so no clusters are planned",
            )
            .with_help("add the tenants that run workloads on the platform"),
        );
    }
    for (name, tenant) in &bp.tenants {
        tenant_checks(c, name, tenant);
    }
}

/// The clouds of the environments whose tenants use unit `unit`.
pub(super) fn clouds_of_unit(
    c: &Checker<'_>,
    envs: &BTreeMap<String, ResolvedEnvironment>,
    unit: &str,
) -> BTreeSet<Cloud> {
    c.blueprint
        .tenants
        .values()
        .filter(|t| t.unit == unit)
        .flat_map(|t| t.environments.iter())
        .filter_map(|e| envs.get(e).map(|e| e.cloud))
        .collect()
}

fn unit_quotas(c: &mut Checker<'_>, path: &KeyPath, unit: &Unit, cloud: Cloud) {
    let q = facts::quotas(cloud);
    if let Some(max_groups) = q.node_groups_per_cluster {
        // One node group of every cluster is the system group.
        let max_tenant_groups = max_groups - 1;
        if unit.node_groups_per_cluster > max_tenant_groups {
            c.push(
                Problem::error(
                    Rule::Quota,
                    path.key("nodeGroupsPerCluster"),
                    format!(
                        "{} node groups per cluster exceed the {cloud} quota: {max_groups} per cluster, one of which is the system node group",
                        unit.node_groups_per_cluster
                    ),
                )
                .with_help(format!("at most {max_tenant_groups} (source: {})", q.source)),
            );
        }
    }
    if unit.nodes_per_group > q.nodes_per_group {
        c.push(
            Problem::error(
                Rule::Quota,
                path.key("nodesPerGroup"),
                format!(
                    "{} nodes per group exceed the {cloud} quota of {} nodes per node group",
                    unit.nodes_per_group, q.nodes_per_group
                ),
            )
            .with_help(format!(
                "at most {} (source: {})",
                q.nodes_per_group, q.source
            )),
        );
    }
    let cluster_nodes = u64::from(unit.node_groups_per_cluster) * u64::from(unit.nodes_per_group)
        + u64::from(facts::SYSTEM_NODES);
    if cluster_nodes > u64::from(q.nodes_per_cluster) {
        c.push(
            Problem::error(
                Rule::Quota,
                path.clone(),
                format!(
                    "a full cluster of this unit has {cluster_nodes} nodes ({} groups of {} plus {} system nodes), over the {cloud} limit of {} nodes per cluster",
                    unit.node_groups_per_cluster, unit.nodes_per_group, facts::SYSTEM_NODES, q.nodes_per_cluster
                ),
            )
            .with_help(format!("make the unit smaller (source: {})", q.source)),
        );
    }
}

fn tenant_checks(c: &mut Checker<'_>, name: &str, tenant: &Tenant) {
    let bp = c.blueprint;
    let path = KeyPath::keys(["tenants", name]);
    c.name(NameKind::Tenant, &path, name);
    reference(
        c,
        &path.key("organization"),
        &tenant.organization,
        "organization",
        bp.organizations.keys(),
    );
    reference(c, &path.key("unit"), &tenant.unit, "unit", bp.units.keys());

    if tenant.environments.is_empty() {
        c.push(
            Problem::error(
                Rule::Count,
                path.key("environments"),
                "the tenant runs in no environment",
            )
            .with_help(format!(
                "list where it runs, e.g. [{}]",
                names_list(bp.environments.keys().map(String::as_str).take(2))
            )),
        );
    }
    let mut seen = BTreeSet::new();
    for (i, env) in tenant.environments.iter().enumerate() {
        let item = path.key("environments").index(i);
        if !seen.insert(env.as_str()) {
            c.push(
                Problem::error(
                    Rule::Reference,
                    item,
                    format!("environment `{env}` is listed twice"),
                )
                .with_help("list each environment once"),
            );
            continue;
        }
        reference(c, &item, env, "environment", bp.environments.keys());
    }

    if let Some(groups) = tenant.node_groups {
        c.at_least_one(&path.key("nodeGroups"), groups, "`nodeGroups`");
    }
    if let Some(nodes) = tenant.nodes {
        c.at_least_one(&path.key("nodes"), nodes, "`nodes`");
    }
    let groups = super::node_groups_of(tenant);
    let nodes = super::nodes_of(tenant);
    if groups == 0 || nodes == 0 {
        return;
    }
    if nodes < groups {
        c.push(
            Problem::error(
                Rule::UnitFit,
                path.key("nodes"),
                format!("{nodes} nodes cannot fill {groups} node groups: every node group has at least one node"),
            )
            .with_help(format!("set `nodes` to at least {groups}, or lower `nodeGroups`")),
        );
        return;
    }
    if let Some(unit) = bp.units.get(&tenant.unit) {
        fits_unit(c, &path, tenant, unit);
    }
    if let Some(max) = bp
        .policy
        .blast_radius
        .as_ref()
        .and_then(|b| b.max_nodes_per_cluster)
        && nodes > max
        && max > 0
    {
        c.push(
            Problem::error(
                Rule::UnitFit,
                path.key("nodes"),
                format!("the tenant needs {nodes} nodes, but `policy.blastRadius.maxNodesPerCluster` allows {max} in one cluster"),
            )
            .with_help("a tenant is never split across clusters: lower its nodes or raise the blast-radius limit"),
        );
    }
}

fn fits_unit(c: &mut Checker<'_>, path: &KeyPath, tenant: &Tenant, unit: &Unit) {
    let groups = super::node_groups_of(tenant);
    let nodes = super::nodes_of(tenant);
    if unit.node_groups_per_cluster > 0 && groups > unit.node_groups_per_cluster {
        c.push(
            Problem::error(
                Rule::UnitFit,
                path.key("nodeGroups"),
                format!(
                    "the tenant needs {groups} node groups, but a cluster of unit `{}` has {}",
                    tenant.unit, unit.node_groups_per_cluster
                ),
            )
            .with_help(
                "a tenant is never split across clusters: lower `nodeGroups` or use a larger unit",
            ),
        );
        return;
    }
    let per_group = nodes.div_ceil(groups);
    if unit.nodes_per_group > 0 && per_group > unit.nodes_per_group {
        let groups_needed = nodes.div_ceil(unit.nodes_per_group);
        let hint = if groups_needed <= unit.node_groups_per_cluster {
            format!("spread the nodes over more groups: `nodeGroups: {groups_needed}` fits")
        } else {
            format!(
                "the unit holds at most {} nodes for one tenant; lower `nodes` or use a larger unit",
                unit.node_groups_per_cluster * unit.nodes_per_group
            )
        };
        c.push(
            Problem::error(
                Rule::UnitFit,
                path.key("nodes"),
                format!(
                    "{nodes} nodes over {groups} node groups is {per_group} nodes per group, but unit `{}` allows {}",
                    tenant.unit, unit.nodes_per_group
                ),
            )
            .with_help(hint),
        );
    }
}

/// Checks that `value` names one of `known`, with a did-you-mean.
fn reference<'a, I>(c: &mut Checker<'_>, path: &KeyPath, value: &str, kind: &str, known: I)
where
    I: Iterator<Item = &'a String> + Clone,
{
    if known.clone().any(|k| k == value) {
        return;
    }
    let known: Vec<&str> = known.map(String::as_str).collect();
    let list = names_list(known.iter().copied());
    let help = match did_you_mean(value, &known) {
        Some(m) => format!("did you mean `{m}`? known: {list}"),
        None if known.is_empty() => {
            format!("there are no {kind}s yet: define `{value}` under `{kind}s`")
        }
        None => format!("known: {list}"),
    };
    c.push(
        Problem::error(
            Rule::Reference,
            path.clone(),
            format!("unknown {kind} `{value}`"),
        )
        .with_help(help),
    );
}
