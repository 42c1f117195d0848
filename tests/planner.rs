//! The planner against hand-computed expectations.

use std::fmt::Write;
use std::path::Path;

use clusterwright::blueprint::{self, validate::validate};
use clusterwright::plan::{self, Plan, TaintEffect};

use crate::common::root;

pub(crate) fn validated(yaml: &str) -> blueprint::validate::Validated {
    let loaded =
        blueprint::parse(Path::new("t.yaml"), yaml.to_owned()).unwrap_or_else(|p| panic!("{p:?}"));
    validate(loaded).unwrap_or_else(|p| panic!("{:#?}", p.problems()))
}

pub(crate) fn plan_of(yaml: &str) -> Plan {
    plan::plan(&validated(yaml), None, false).unwrap_or_else(|e| panic!("{e:?}"))
}

/// A blueprint with one environment (two with `two_envs`), the given unit shape and policy
/// lines, and tenants written as `name org trust groups nodes [envs]`.
pub(crate) fn bp(
    unit: (u32, u32, u32),
    policy_extra: &str,
    orgs: &str,
    tenants: &[&str],
) -> String {
    let mut y = format!(
        "version: 1\nname: acme\ncloud: aws\nregion: eu-central-1\nkubernetesVersion: \"1.33\"\n\
         policy:\n  zeroTrust: false\n  encryption: cloud-hardware\n{policy_extra}\
         environments:\n  prod: {{ production: true, account: \"111111111111\", cidr: 10.0.0.0/12 }}\n\
         \x20 dev: {{ production: false, account: \"222222222222\", cidr: 10.16.0.0/12 }}\n\
         organizations: {orgs}\n\
         units:\n  u: {{ tenantsPerCluster: {}, nodeGroupsPerCluster: {}, nodesPerGroup: {}, instanceType: m6i.xlarge }}\n\
         tenants:\n",
        unit.0, unit.1, unit.2
    );
    for t in tenants {
        let f: Vec<&str> = t.split_whitespace().collect();
        let envs = f.get(5).copied().unwrap_or("prod");
        writeln!(
            y,
            "  {}: {{ organization: {}, trust: {}, unit: u, nodeGroups: {}, nodes: {}, environments: [{}] }}",
            f[0], f[1], f[2], f[3], f[4], envs
        )
        .unwrap();
    }
    y
}

fn tenants_by_cluster(plan: &Plan) -> Vec<(String, Vec<String>)> {
    plan.clusters
        .iter()
        .map(|c| (c.name.clone(), c.tenants.clone()))
        .collect()
}

pub(crate) const SOFT: &str = "{ soft: { boundary: soft } }";

#[test]
fn first_fit_decreasing_on_node_groups() {
    // Node groups 6, 5, 4, 3, 2 into clusters of 10 groups:
    // 6 → #1; 5 → #2 (6+5 > 10); 4 → #1 (10); 3 → #2 (8); 2 → #2 (10).
    let p = plan_of(&bp(
        (5, 10, 10),
        "",
        SOFT,
        &[
            "a soft trusted 2 2",
            "b soft trusted 3 3",
            "c soft trusted 4 4",
            "d soft trusted 5 5",
            "e soft trusted 6 6",
        ],
    ));
    assert_eq!(
        tenants_by_cluster(&p),
        vec![
            (
                "acme-prod-u-01".to_owned(),
                vec!["c".to_owned(), "e".to_owned()]
            ),
            (
                "acme-prod-u-02".to_owned(),
                vec!["a".to_owned(), "b".to_owned(), "d".to_owned()]
            ),
        ]
    );
    assert_eq!(p.clusters[0].tenant_node_groups, 10);
    assert_eq!(p.clusters[1].tenant_node_groups, 10);
    assert_eq!(p.summary.capacity_lower_bound, 2);
    assert_eq!(p.summary.utilisation_percent, 10); // 20 nodes of 2 × 100
}

#[test]
fn ties_are_broken_by_name() {
    let p = plan_of(&bp(
        (2, 10, 10),
        "",
        SOFT,
        &[
            "zeta soft trusted 1 1",
            "alpha soft trusted 1 1",
            "mid soft trusted 1 1",
        ],
    ));
    assert_eq!(p.clusters[0].tenants, ["alpha", "mid"]);
    assert_eq!(p.clusters[1].tenants, ["zeta"]);
}

#[test]
fn blast_radius_binds() {
    // The unit takes 5 tenants, the policy only 2: five tenants need 3 clusters, not 1.
    let p = plan_of(&bp(
        (5, 10, 10),
        "  blastRadius: { maxTenantsPerCluster: 2 }\n",
        SOFT,
        &[
            "a soft trusted 1 1",
            "b soft trusted 1 1",
            "c soft trusted 1 1",
            "d soft trusted 1 1",
            "e soft trusted 1 1",
        ],
    ));
    assert_eq!(p.clusters.len(), 3);
    assert_eq!(p.summary.capacity_lower_bound, 1);
    assert_eq!(p.summary.added_by.blast_radius, 2);
    assert_eq!(p.summary.largest_blast_radius.tenants, 2);
    assert!(p.clusters.iter().all(|c| c.capacity.tenants == 2));
}

#[test]
fn blast_radius_on_nodes_binds() {
    // 3 tenants of 30 nodes; the unit holds 100 nodes, the policy 60: 2 clusters.
    let p = plan_of(&bp(
        (5, 10, 10),
        "  blastRadius: { maxNodesPerCluster: 60 }\n",
        SOFT,
        &[
            "a soft trusted 3 30",
            "b soft trusted 3 30",
            "c soft trusted 3 30",
        ],
    ));
    assert_eq!(
        tenants_by_cluster(&p)
            .iter()
            .map(|(_, t)| t.len())
            .collect::<Vec<_>>(),
        [2, 1]
    );
    assert_eq!(p.summary.added_by.blast_radius, 1);
    assert_eq!(p.summary.largest_blast_radius.nodes, 60);
}

#[test]
fn a_hard_organization_adds_clusters() {
    let orgs = "{ bank: { boundary: hard }, shop: { boundary: hard }, soft: { boundary: soft } }";
    let p = plan_of(&bp(
        (5, 10, 10),
        "",
        orgs,
        &[
            "a bank trusted 1 1",
            "b bank trusted 1 1",
            "c shop trusted 1 1",
            "d soft trusted 1 1",
        ],
    ));
    // Capacity alone: one cluster. Hard boundaries: bank, shop and the rest apart.
    assert_eq!(p.summary.capacity_lower_bound, 1);
    assert_eq!(p.summary.added_by.organization, 2);
    assert_eq!(
        tenants_by_cluster(&p),
        vec![
            ("acme-prod-u-01".to_owned(), vec!["d".to_owned()]),
            (
                "acme-prod-bank-02".to_owned(),
                vec!["a".to_owned(), "b".to_owned()]
            ),
            ("acme-prod-shop-03".to_owned(), vec!["c".to_owned()]),
        ]
    );
}

#[test]
fn untrusted_tenants_get_clusters_of_their_own() {
    let p = plan_of(&bp(
        (5, 10, 10),
        "",
        SOFT,
        &[
            "a soft untrusted 1 1",
            "b soft untrusted 1 1",
            "c soft trusted 1 1",
            "d soft trusted 1 1",
        ],
    ));
    assert_eq!(p.summary.capacity_lower_bound, 1);
    assert_eq!(p.summary.added_by.trust, 2);
    assert_eq!(
        tenants_by_cluster(&p),
        vec![
            (
                "acme-prod-u-01".to_owned(),
                vec!["c".to_owned(), "d".to_owned()]
            ),
            ("acme-prod-a-02".to_owned(), vec!["a".to_owned()]),
            ("acme-prod-b-03".to_owned(), vec!["b".to_owned()]),
        ]
    );
    // An untrusted tenant's nodes are tainted for it alone.
    let a = p.clusters[1].tenant_groups().next().unwrap();
    assert_eq!(a.taints[0].key, "clusterwright.io/tenant");
    assert_eq!(a.taints[0].value, "a");
    assert_eq!(a.taints[0].effect, TaintEffect::NoSchedule);
    assert!(p.clusters[0].tenant_groups().all(|g| g.taints.is_empty()));
}

#[test]
fn environments_never_share() {
    let p = plan_of(&bp((5, 10, 10), "", SOFT, &["a soft trusted 1 1 prod,dev"]));
    assert_eq!(p.clusters.len(), 2);
    assert_eq!(p.summary.capacity_lower_bound, 1);
    assert_eq!(p.summary.added_by.environment, 1);
    assert_eq!(p.clusters[0].environment, "dev");
    assert_eq!(p.clusters[1].environment, "prod");
}

#[test]
fn nodes_are_spread_evenly_over_node_groups() {
    let p = plan_of(&bp((5, 10, 10), "", SOFT, &["a soft trusted 3 7"]));
    let sizes: Vec<(String, u32)> = p.clusters[0]
        .tenant_groups()
        .map(|g| (g.name.clone(), g.nodes))
        .collect();
    assert_eq!(
        sizes,
        [
            ("a-1".to_owned(), 3),
            ("a-2".to_owned(), 2),
            ("a-3".to_owned(), 2)
        ]
    );
}

#[test]
fn the_sizing_example_gets_an_aws_range_with_three_zones() {
    // 10 groups × 10 nodes + 3 system nodes, +25% for upgrades: 129 nodes over 3 zones,
    // 43 a zone plus 37 addresses kept free → a /25 per zone → a /23 per cluster. The
    // environment is larger than a VPC: the cluster's own VPC holds its public subnets in a
    // secondary range. Pods: 43 × 64 a zone → a /20 each, a /18 in 100.64.0.0/10.
    let p = plan_of(&bp((5, 10, 10), "", SOFT, &["a soft trusted 2 12"]));
    let c = &p.clusters[0];
    assert_eq!(c.cidr, "10.0.0.0/23");
    assert_eq!(
        c.network.node_subnets,
        ["10.0.0.0/25", "10.0.0.128/25", "10.0.1.0/25"]
    );
    assert_eq!(
        c.network.public_subnets,
        [
            "100.127.255.0/26",
            "100.127.255.64/26",
            "100.127.255.128/26"
        ]
    );
    assert_eq!(c.network.pod_cidr.as_deref(), Some("100.64.0.0/18"));
    assert_eq!(
        c.network.pod_subnets,
        ["100.64.0.0/20", "100.64.16.0/20", "100.64.32.0/20"]
    );
    assert_eq!(c.network.service_cidr, "172.20.0.0/16");
    assert_eq!(c.network.dns_service_ip, "172.20.0.10");
}

#[test]
fn placed_tenants_stay_and_new_ones_fill_existing_clusters_first() {
    let before = plan_of(&bp(
        (3, 10, 10),
        "",
        SOFT,
        &[
            "m soft trusted 1 1",
            "n soft trusted 1 1",
            "o soft trusted 1 1",
            "p soft trusted 1 1",
        ],
    ));
    assert_eq!(before.clusters[0].tenants, ["m", "n", "o"]);
    assert_eq!(before.clusters[1].tenants, ["p"]);
    let placement = before.placement();

    // A new tenant that sorts first and is the largest: a fresh packing would put it first.
    let v = validated(&bp(
        (3, 10, 10),
        "",
        SOFT,
        &[
            "a soft trusted 5 5",
            "m soft trusted 1 1",
            "n soft trusted 1 1",
            "o soft trusted 1 1",
            "p soft trusted 1 1",
        ],
    ));
    let after = plan::plan(&v, Some(&placement), false).unwrap();
    assert_eq!(after.clusters[0].tenants, ["m", "n", "o"]);
    assert_eq!(
        after.clusters[1].tenants,
        ["a", "p"],
        "the new tenant fills the existing cluster"
    );
    assert_eq!(after.clusters[1].cidr, before.clusters[1].cidr);
    assert!(after.changes.moved.is_empty());
    assert!(after.changes.created.is_empty());

    // --repack packs afresh and reports what moves.
    let repacked = plan::plan(&v, Some(&placement), true).unwrap();
    assert_eq!(repacked.clusters[0].tenants, ["a", "m", "n"]);
    // `o` moves to 02 and keeps its old node group in 01, draining, until its move is
    // completed (issue 13, wrong answer 3); completed, the repack is a fresh packing.
    assert!(
        repacked.clusters[0]
            .node_groups
            .iter()
            .any(|g| g.draining && g.name == "o-1")
    );
    let fresh = plan::plan(&v, None, false).unwrap();
    let completed = std::collections::BTreeSet::from(["o".to_owned()]);
    let done = plan::plan_with(&v, Some(&placement), true, &completed).unwrap();
    assert_eq!(done.clusters, fresh.clusters);
    let moved: Vec<(&str, &str, &str)> = repacked
        .changes
        .moved
        .iter()
        .map(|m| (m.tenant.as_str(), m.from.as_str(), m.to.as_str()))
        .collect();
    assert_eq!(moved, [("o", "acme-prod-u-01", "acme-prod-u-02")]);
}

#[test]
fn removing_tenants_destroys_only_emptied_clusters_and_keeps_numbers() {
    let before = plan_of(&bp(
        (1, 10, 10),
        "",
        SOFT,
        &[
            "a soft trusted 1 1",
            "b soft trusted 1 1",
            "c soft trusted 1 1",
        ],
    ));
    let placement = before.placement();
    let v = validated(&bp(
        (1, 10, 10),
        "",
        SOFT,
        &[
            "a soft trusted 1 1",
            "c soft trusted 1 1",
            "d soft trusted 1 1",
        ],
    ));
    let after = plan::plan(&v, Some(&placement), false).unwrap();
    let names: Vec<&str> = after.clusters.iter().map(|c| c.name.as_str()).collect();
    // b's cluster (02) is destroyed; d opens a new one numbered after every earlier one.
    assert_eq!(
        names,
        ["acme-prod-u-01", "acme-prod-u-03", "acme-prod-u-04"]
    );
    assert_eq!(after.changes.destroyed, ["acme-prod-u-02"]);
    assert_eq!(after.changes.created, ["acme-prod-u-04"]);
}

#[test]
fn a_tenant_that_becomes_untrusted_moves_and_is_reported() {
    let before = plan_of(&bp(
        (5, 10, 10),
        "",
        SOFT,
        &["a soft trusted 1 1", "b soft trusted 1 1"],
    ));
    let placement = before.placement();
    let v = validated(&bp(
        (5, 10, 10),
        "",
        SOFT,
        &["a soft trusted 1 1", "b soft untrusted 1 1"],
    ));
    let after = plan::plan(&v, Some(&placement), false).unwrap();
    assert_eq!(after.changes.moved.len(), 1);
    assert_eq!(after.changes.moved[0].tenant, "b");
    assert_eq!(after.changes.moved[0].from, "acme-prod-u-01");
    assert_eq!(after.changes.moved[0].to, "acme-prod-b-02");
    assert!(after.changes.is_dangerous());
}

#[test]
fn waived_findings_are_recorded_in_the_plan() {
    let text = std::fs::read_to_string(root().join("tests/fixtures/waived-findings.yaml")).unwrap();
    let p = plan_of(&text);
    assert_eq!(p.policy.waivers.len(), 1);
    let w = &p.policy.waivers[0];
    assert_eq!(w.rule, "production-encryption");
    assert_eq!(
        w.reason,
        "the platform hosts public, static content only (ticket SEC-42)"
    );
    assert_eq!(
        w.waived,
        [
            "policy.encryption: `encryption: none` leaves the traffic of production `prod` unencrypted"
        ]
    );
}

#[test]
fn cilium_taints_every_node_group_until_its_agent_runs() {
    let text = bp((5, 10, 10), "", SOFT, &["a soft trusted 1 1"])
        .replace("encryption: cloud-hardware", "encryption: network");
    let p = plan_of(&text);
    let c = &p.clusters[0];
    let keys: Vec<&str> = c
        .system()
        .unwrap()
        .taints
        .iter()
        .map(|t| t.key.as_str())
        .collect();
    // The system group keeps tenants off with CriticalAddonsOnly, and waits for Cilium.
    assert_eq!(
        keys,
        ["CriticalAddonsOnly", "node.cilium.io/agent-not-ready"]
    );
    assert_eq!(
        c.tenant_groups().next().unwrap().taints[0].effect,
        TaintEffect::NoExecute
    );
}
