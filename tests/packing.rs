//! Packing (issue 16, "Tighter packing"): new placements take as few clusters as the
//! packer can prove or find, and the explanation of the count still adds up.

use std::fmt::Write;

use clusterwright::plan::Plan;

use crate::common::plans::plan_of;

#[path = "../benches/support/synthetic.rs"]
pub(crate) mod synthetic;

/// One environment, one unit of 10 tenants and 12 node groups, tenants `(groups, count)`.
fn blueprint(tenants: &[(u32, u32)]) -> String {
    let mut y = "version: 1\nname: acme\ncloud: aws\nregion: eu-central-1\nkubernetesVersion: \"1.33\"\n\
         policy:\n  zeroTrust: false\n  encryption: cloud-hardware\n\
         environments:\n  prod: { production: true, account: \"111111111111\", cidr: 10.0.0.0/12 }\n\
         organizations: { soft: { boundary: soft } }\n\
         units:\n  u: { tenantsPerCluster: 10, nodeGroupsPerCluster: 12, nodesPerGroup: 3, instanceType: m6i.xlarge }\n\
         tenants:\n"
        .to_owned();
    let mut i = 0;
    for &(groups, count) in tenants {
        for _ in 0..count {
            i += 1;
            writeln!(
                y,
                "  t{i:02}: {{ organization: soft, trust: trusted, unit: u, nodeGroups: {groups}, nodes: {groups}, environments: [prod] }}"
            )
            .unwrap();
        }
    }
    y
}

fn adds_up(plan: &Plan) {
    let s = &plan.summary;
    let a = &s.added_by;
    assert_eq!(
        i64::from(s.capacity_lower_bound)
            + a.packing
            + a.blast_radius
            + a.environment
            + a.trust
            + a.organization
            + a.placement_stability,
        i64::from(s.clusters),
        "{s:#?}"
    );
}

#[test]
fn small_tenants_are_mixed_in_instead_of_left_for_last() {
    // Four tenants of 3 node groups and twelve of 1: 24 groups, 16 tenants, so two
    // clusters of 12 groups and 10 tenants hold them (3+3+1×6 each). First-fit decreasing
    // fills one cluster with the four 3s, then runs out of tenant slots with ten 1s (10
    // groups) and opens a third cluster for the last two.
    let plan = plan_of(&blueprint(&[(3, 4), (1, 12)]));
    assert_eq!(plan.clusters.len(), 2, "{:#?}", plan.clusters);
    for c in &plan.clusters {
        assert!(c.tenants.len() <= 10, "{}: {:?}", c.name, c.tenants);
    }
    assert_eq!(plan.summary.capacity_lower_bound, 2);
    assert_eq!(plan.summary.added_by.packing, 0);
    adds_up(&plan);
}

#[test]
fn the_explanation_adds_up_and_packing_adds_nothing_on_synthetic_platforms() {
    // Before the balanced fill, the 500-tenant platform reported 11 clusters added by
    // packing (218 planned); now the capacity-only packing meets the lower bound. (213
    // since the synthetic platform has 5% untrusted tenants and a quarter of its
    // organizations hard, issue 16 §1: one untrusted tenant in twenty instead of
    // seventeen, one hard organization in four instead of five.)
    for cloud in ["aws", "gcp", "azure"] {
        let plan = plan_of(&synthetic::blueprint(500, cloud));
        adds_up(&plan);
        assert_eq!(plan.summary.added_by.packing, 0, "{cloud}");
        assert_eq!(plan.summary.capacity_lower_bound, 152, "{cloud}");
        assert_eq!(plan.summary.clusters, 213, "{cloud}");
    }
}

#[test]
fn packing_is_deterministic() {
    let yaml = synthetic::blueprint(300, "azure");
    let a = plan_of(&yaml);
    let b = plan_of(&yaml);
    let names = |p: &Plan| -> Vec<(String, Vec<String>)> {
        p.clusters
            .iter()
            .map(|c| (c.name.clone(), c.tenants.clone()))
            .collect()
    };
    assert_eq!(names(&a), names(&b));
}
