//! The trade-off in money (issue 16, §3): what each constraint's clusters cost in
//! management fees and system nodes, and how many more tenants the planned clusters hold.

use std::fmt::Write;
use std::fs;

use clusterwright::plan::{self, Placement, Plan};

use crate::common::{Test, root};
use crate::planner::{SOFT, bp, plan_of, validated};

/// 3 tenants of 3 groups and 30 nodes in units of 5 tenants, 10 groups, 10 nodes per group,
/// at most 62 nodes per cluster: {a, b} and {c}.
fn bound_by_nodes() -> Plan {
    plan_of(&bp(
        (5, 10, 10),
        "  blastRadius: { maxNodesPerCluster: 62 }\n",
        SOFT,
        &[
            "a soft trusted 3 30",
            "b soft trusted 3 30",
            "c soft trusted 3 30",
        ],
    ))
}

#[test]
fn a_constraint_costs_its_clusters_fee_and_system_nodes() {
    // 3 tenants of 3 groups and 30 nodes: the unit holds 100 nodes (1 cluster by capacity),
    // the policy 62: {a, b} and {c}. The blast radius adds 1 cluster; the one environment
    // with tenants, trust and organizations add none.
    let p = bound_by_nodes();
    let c = &p.summary.cost;
    assert_eq!(p.summary.added_by.blast_radius, 1);
    assert_eq!(c.blast_radius.clusters, 1);
    assert_eq!(c.blast_radius.fees_cents_per_month, 7_300); // $0.10 × 730 h
    assert_eq!(c.blast_radius.system_nodes, 3);
    assert_eq!(c.blast_radius.system_node_hours_per_month, 2_190);
    for zero in [c.packing, c.environment, c.trust, c.organization] {
        assert_eq!(zero.clusters, 0);
        assert_eq!(zero.fees_cents_per_month, 0);
        assert_eq!(zero.system_nodes, 0);
    }
    assert_eq!(c.planned.clusters, 2);
    assert_eq!(c.planned.fees_cents_per_month, 14_600);
    assert_eq!(c.planned.system_nodes, 6);
    assert_eq!(c.prices.len(), 1);
    assert_eq!(c.prices_read_on, "2026-12-03");
}

#[test]
fn onboarding_room_is_bounded_by_the_blast_radius_on_nodes() {
    // {a, b}: 2 tenants, 6 groups, 60 nodes of 5, 10, 62 → 2 more (the nodes bind).
    // {c}: 1 tenant, 3 groups, 30 nodes → 4 more (the tenants bind). 6 in all.
    let p = bound_by_nodes();
    let o = &p.summary.onboarding;
    assert_eq!((o.node_groups, o.nodes), (1, 1));
    assert_eq!(o.shared, 6);
    let prod = o.rows.iter().find(|r| r.environment == "prod").unwrap();
    assert_eq!((prod.shared, prod.shared_clusters), (6, 2));
    assert_eq!(
        prod.limited_by,
        ["tenantsPerCluster", "policy.blastRadius.maxNodesPerCluster"]
    );
    // dev has no tenant, so no cluster: the first tenant opens one.
    let dev = o.rows.iter().find(|r| r.environment == "dev").unwrap();
    assert_eq!((dev.shared, dev.shared_clusters), (0, 0));
    assert!(dev.limited_by.is_empty());
}

#[test]
fn untrusted_tenants_leave_no_room_and_hard_organizations_keep_theirs() {
    let orgs = "{ bank: { boundary: hard }, soft: { boundary: soft } }";
    let p = plan_of(&bp(
        (4, 10, 10),
        "",
        orgs,
        &[
            "a soft trusted 1 1",
            "b soft untrusted 1 1",
            "c bank trusted 2 2",
        ],
    ));
    let prod = &p.summary.onboarding.rows[1];
    assert_eq!(prod.environment, "prod");
    // The shared cluster holds a: 3 more. b's cluster is b's alone.
    assert_eq!((prod.shared, prod.shared_clusters), (3, 1));
    assert_eq!(prod.organizations.len(), 1);
    assert_eq!(prod.organizations[0].organization, "bank");
    assert_eq!(prod.organizations[0].tenants, 3);
    assert_eq!(prod.organizations[0].clusters, 1);
    assert_eq!(p.summary.onboarding.shared, 3);
}

/// acme-aws with `extra` more trusted tenants of the default shape in prod's `standard`
/// unit, placed on top of the bundled plan (prod's range widened so that a further cluster
/// has room).
fn acme_with(extra: u32, previous: &Placement) -> Plan {
    let yaml = fs::read_to_string(root().join("blueprints/acme-aws.yaml")).unwrap();
    assert!(yaml.contains("    cidr: 10.0.0.0/16\n"));
    let mut yaml = yaml.replacen("    cidr: 10.0.0.0/16\n", "    cidr: 10.64.0.0/14\n", 1);
    for i in 0..extra {
        write!(
            yaml,
            "  new-{i}:\n    organization: corporate\n    trust: trusted\n    unit: standard\n    environments: [prod]\n"
        )
        .unwrap();
    }
    plan::plan(&validated(&yaml), Some(previous), false).unwrap()
}

#[test]
fn the_room_for_onboarding_is_exactly_what_fits_before_a_new_cluster() {
    let yaml = fs::read_to_string(root().join("blueprints/acme-aws.yaml")).unwrap();
    let before = plan::plan(&validated(&yaml), None, false).unwrap();
    let room = before
        .summary
        .onboarding
        .rows
        .iter()
        .find(|r| r.environment == "prod" && r.unit == "standard")
        .unwrap()
        .shared;
    assert_eq!(room, 2);
    let placement = Placement::of(
        &before.platform,
        &before.kubernetes_version,
        &before.policy,
        &before.clusters,
    );
    assert_eq!(acme_with(room, &placement).clusters.len(), 10);
    assert_eq!(acme_with(room + 1, &placement).clusters.len(), 11);
}

#[test]
fn plan_and_decisions_state_the_cost_and_the_room() {
    let text = Test::new()
        .in_repo()
        .args(["plan", "blueprints/acme-aws.yaml"])
        .run()
        .stdout;
    for line in [
        "  + environment separation            +2          +$146            +6",
        "  = clusters planned                  10           $730            30",
        "    EKS: $0.10 per cluster-hour ($73 a month)",
        "onboarding capacity: 12 more trusted tenants",
        "  prod / standard: 2 more in 1 shared cluster (limited by tenantsPerCluster); organization `retail`: 2 more in its 1 cluster",
    ] {
        assert!(text.contains(line), "plan lacks {line:?}:\n{text}");
    }

    let v = Test::new()
        .in_repo()
        .args(["plan", "blueprints/acme-aws.yaml", "--format", "json"])
        .run()
        .json();
    let cost = &v["summary"]["cost"];
    assert_eq!(cost["environment"]["feesCentsPerMonth"], 14_600);
    assert_eq!(cost["planned"]["systemNodes"], 30);
    assert_eq!(cost["prices"][0]["centsPerHour"], 10);
    assert_eq!(cost["hoursPerMonth"], 730);
    assert_eq!(v["summary"]["onboarding"]["shared"], 12);

    let decisions = fs::read_to_string(root().join("examples/acme-aws/DECISIONS.md")).unwrap();
    for line in [
        "| | clusters | management fees a month | system nodes |",
        "| environments never share a cluster | +2 | +$146 | +6 |",
        "| clusters planned | 10 | $730 | 30 |",
        "| onboarding capacity: trusted tenants of soft-boundary organizations that still fit, before a new cluster | 12 tenants | | |",
        "read on 2026-12-03",
        "https://aws.amazon.com/blogs/containers/amazon-eks-extended-support-for-kubernetes-versions-pricing/",
    ] {
        assert!(decisions.contains(line), "DECISIONS.md lacks {line:?}");
    }
}
