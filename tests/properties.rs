//! Properties of every plan of random valid blueprints (all three clouds, every encryption
//! choice, random isolation, shapes and limits), and of the whole pipeline from blueprint to
//! written directory.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use clusterwright::blueprint::{
    self, BlastRadius, Blueprint, Boundary, Cloud, Encryption, Environment, InstanceType, Mesh,
    NetworkEncryption, Organization, Policy, Tenant, Trust, Unit, Waiver, validate::validate,
};
use clusterwright::output::{OutputTree, write::write};
use clusterwright::plan::{self, Isolation, Placement, Plan};
use clusterwright::targets::{self, Templates};
use ipnet::Ipv4Net;
use proptest::prelude::*;
use serde_json::Value;

const ENVS: [&str; 3] = ["prod", "staging", "dev"];

fn instance_type(cloud: Cloud) -> &'static str {
    // Types every rule accepts, cloud-hardware included.
    match cloud {
        Cloud::Aws => "m6i.xlarge",
        Cloud::Gcp => "n2-standard-4",
        Cloud::Azure => "Standard_D4s_v5",
    }
}

fn account(cloud: Cloud, i: usize) -> String {
    match cloud {
        Cloud::Aws => format!("10000000000{i}"),
        Cloud::Gcp => format!("acme-project-{i}"),
        Cloud::Azure => format!("0b1f6471-1bf0-4dda-aec3-11112222333{i}"),
    }
}

fn region(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Aws => "eu-central-1",
        Cloud::Gcp => "europe-west3",
        Cloud::Azure => "westeurope",
    }
}

prop_compose! {
    fn unit()(tenants in 1u32..=6, groups in 1u32..=8, nodes in 1u32..=10) -> Unit {
        Unit { tenants_per_cluster: tenants, node_groups_per_cluster: groups, nodes_per_group: nodes, instance_type: InstanceType::One(String::new()) }
    }
}

prop_compose! {
    fn blueprints()(
        cloud in prop_oneof![Just(Cloud::Aws), Just(Cloud::Gcp), Just(Cloud::Azure)],
        env_count in 1usize..=3,
        boundaries in proptest::collection::vec(any::<bool>(), 1..=3),
        units in proptest::collection::vec(unit(), 1..=2),
        encryption in prop_oneof![Just(Encryption::None), Just(Encryption::Network), Just(Encryption::Mtls), Just(Encryption::DefenseInDepth), Just(Encryption::CloudHardware)],
        mesh in prop_oneof![Just(Mesh::Istio), Just(Mesh::IstioAmbient), Just(Mesh::Linkerd)],
        ipsec in any::<bool>(),
        zero_trust in any::<bool>(),
        max_tenants in proptest::option::of(1u32..=6),
        max_nodes in proptest::option::of(10u32..=80),
        tenants in proptest::collection::vec((0usize..3, proptest::bool::weighted(0.2), 0usize..2, 1u8..8, 1u32..=8, 0u32..=80), 0..=25),
    ) -> Blueprint {
        let mut units_map = BTreeMap::new();
        let unit_list: Vec<Unit> = units.into_iter().map(|mut u| { u.instance_type = InstanceType::One(instance_type(cloud).to_owned()); u }).collect();
        for (i, u) in unit_list.iter().enumerate() {
            units_map.insert(["small", "large"][i].to_owned(), u.clone());
        }
        let envs: Vec<&str> = ENVS.iter().take(env_count).copied().collect();
        let mut environments = BTreeMap::new();
        for (i, e) in envs.iter().enumerate() {
            environments.insert((*e).to_owned(), Environment {
                production: *e == "prod",
                account: account(cloud, i),
                cidr: format!("10.{}.0.0/12", 16 * i),
                cloud: None,
                region: None,
                directory: None,
                access: None,
            });
        }
        let orgs: Vec<String> = (0..boundaries.len()).map(|i| format!("org-{i}")).collect();
        let organizations = orgs.iter().zip(&boundaries)
            .map(|(o, hard)| (o.clone(), Organization { boundary: if *hard { Boundary::Hard } else { Boundary::Soft } }))
            .collect();
        let mut tenant_map = BTreeMap::new();
        for (i, (org, untrusted, unit, mask, groups, nodes)) in tenants.into_iter().enumerate() {
            let (unit_name, u) = units_map.iter().nth(unit % units_map.len()).unwrap();
            let groups = 1 + (groups - 1) % u.node_groups_per_cluster;
            let most = (groups * u.nodes_per_group).min(max_nodes.unwrap_or(u32::MAX));
            if most < groups { continue; }
            let nodes = groups + nodes % (most - groups + 1);
            let mut in_envs: Vec<String> = envs.iter().enumerate().filter(|(j, _)| mask & (1 << j) != 0).map(|(_, e)| (*e).to_owned()).collect();
            if in_envs.is_empty() { in_envs.push(envs[0].to_owned()); }
            tenant_map.insert(format!("t{i:02}"), Tenant {
                organization: orgs[org % orgs.len()].clone(),
                trust: if untrusted { Trust::Untrusted } else { Trust::Trusted },
                unit: unit_name.clone(),
                environments: in_envs,
                node_groups: Some(groups),
                nodes: Some(nodes),
            });
        }
        let uses_mesh = matches!(encryption, Encryption::Mtls | Encryption::DefenseInDepth);
        let uses_network = matches!(encryption, Encryption::Network | Encryption::DefenseInDepth);
        let mut waivers = Vec::new();
        if encryption == Encryption::None && envs.contains(&"prod") {
            waivers.push(Waiver { rule: "production-encryption".into(), reason: "test".into() });
        }
        Blueprint {
            version: 1,
            name: "acme".into(),
            cloud,
            region: region(cloud).into(),
            kubernetes_version: "1.33".into(),
            tags: BTreeMap::from([("owner".to_owned(), "platform".to_owned())]),
            policy: Policy {
                zero_trust: zero_trust && uses_mesh,
                encryption,
                network_encryption: uses_network.then_some(if ipsec { NetworkEncryption::Ipsec } else { NetworkEncryption::Wireguard }),
                mesh: uses_mesh.then_some(mesh),
                production_isolation: None,
                blast_radius: Some(BlastRadius { max_tenants_per_cluster: max_tenants, max_nodes_per_cluster: max_nodes }),
                waivers,
            },
            environments,
            organizations,
            units: units_map,
            tenants: tenant_map,
        }
    }
}

/// The blueprint as JSON text (which is YAML), mapping keys in the order `perm` picks.
fn to_text(bp: &Blueprint, seed: u64) -> String {
    fn emit(v: &Value, seed: &mut u64, out: &mut String) {
        match v {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                // A small deterministic shuffle.
                for i in (1..keys.len()).rev() {
                    *seed = seed
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    let j = usize::try_from(*seed >> 33).unwrap() % (i + 1);
                    keys.swap(i, j);
                }
                out.push('{');
                for (n, k) in keys.iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&serde_json::to_string(k).unwrap());
                    out.push_str(": ");
                    emit(&map[*k], seed, out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (n, item) in items.iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    emit(item, seed, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    let mut seed = seed;
    emit(&serde_json::to_value(bp).unwrap(), &mut seed, &mut out);
    out.push('\n');
    out
}

fn plan_text(text: &str, previous: Option<&Placement>) -> Plan {
    let loaded = blueprint::parse(Path::new("p.yaml"), text.to_owned())
        .unwrap_or_else(|p| panic!("{:#?}\n{text}", p.problems()));
    let validated = validate(loaded).unwrap_or_else(|p| panic!("{:#?}\n{text}", p.problems()));
    plan::plan(&validated, previous, false).unwrap_or_else(|e| panic!("{e:?}\n{text}"))
}

fn check_invariants(bp: &Blueprint, plan: &Plan) {
    let mut placed: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut names = BTreeSet::new();
    let mut ranges: BTreeMap<&str, Vec<Ipv4Net>> = BTreeMap::new();
    for c in &plan.clusters {
        assert!(
            names.insert(c.name.clone()),
            "duplicate cluster name {}",
            c.name
        );
        assert!(c.name.len() <= 40, "{} is longer than 40", c.name);
        assert!(c.name.starts_with(|ch: char| ch.is_ascii_lowercase()) && !c.name.ends_with('-'));
        assert!(
            c.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        );
        let unit = &bp.units[&c.unit];
        let limit_tenants = unit.tenants_per_cluster.min(
            bp.policy
                .blast_radius
                .as_ref()
                .and_then(|b| b.max_tenants_per_cluster)
                .unwrap_or(u32::MAX),
        );
        let limit_nodes = (unit.node_groups_per_cluster * unit.nodes_per_group).min(
            bp.policy
                .blast_radius
                .as_ref()
                .and_then(|b| b.max_nodes_per_cluster)
                .unwrap_or(u32::MAX),
        );
        assert!(
            c.tenants.len() as u32 <= limit_tenants,
            "{}: too many tenants",
            c.name
        );
        assert!(
            c.tenant_node_groups <= unit.node_groups_per_cluster,
            "{}: too many node groups",
            c.name
        );
        assert!(c.nodes <= limit_nodes, "{}: too many nodes", c.name);
        assert!(!c.tenants.is_empty(), "{} is empty", c.name);
        let orgs: BTreeSet<&str> = c
            .tenants
            .iter()
            .map(|t| bp.tenants[t].organization.as_str())
            .collect();
        for t in &c.tenants {
            let tenant = &bp.tenants[t];
            assert!(
                tenant.environments.contains(&c.environment),
                "{t} placed outside its environments"
            );
            assert_eq!(tenant.unit, c.unit, "{} mixes units", c.name);
            *placed
                .entry((c.environment.clone(), t.clone()))
                .or_default() += 1;
            if tenant.trust == Trust::Untrusted {
                assert_eq!(c.tenants.len(), 1, "untrusted {t} shares {}", c.name);
                assert_eq!(c.isolation, Isolation::Tenant(t.clone()));
            } else if bp.organizations[&tenant.organization].boundary == Boundary::Hard {
                assert_eq!(
                    orgs.len(),
                    1,
                    "hard organization {} shares {}",
                    tenant.organization,
                    c.name
                );
            }
        }
        if let Some(cilium) = c.networking.cilium() {
            assert!(
                cilium.cluster_name.len() <= 32,
                "{}: Cilium's cluster name {} is too long",
                c.name,
                cilium.cluster_name
            );
        }
        // Each release needs the one installed before it.
        let mut previous: Option<String> = None;
        for r in &c.networking.releases {
            assert_eq!(r.needs, previous, "{}: {}", c.name, r.name());
            previous = Some(format!("{}/{}", r.namespace(), r.name()));
        }
        let cidr: Ipv4Net = c.cidr.parse().unwrap();
        let env_range: Ipv4Net = bp.environments[&c.environment].cidr.parse().unwrap();
        assert!(
            env_range.contains(&cidr),
            "{} outside its environment",
            c.name
        );
        ranges.entry(&c.environment).or_default().push(cidr);
    }
    for (env, list) in ranges {
        for (i, a) in list.iter().enumerate() {
            for b in list.iter().skip(i + 1) {
                assert!(
                    !a.contains(&b.network()) && !b.contains(&a.network()),
                    "{env}: {a} overlaps {b}"
                );
            }
        }
    }
    for (name, t) in &bp.tenants {
        for env in &t.environments {
            assert_eq!(
                placed.get(&(env.clone(), name.clone())),
                Some(&1),
                "{name} in {env} not placed exactly once"
            );
        }
    }
    let s = &plan.summary;
    let a = &s.added_by;
    let total = i64::from(s.capacity_lower_bound)
        + a.packing
        + a.blast_radius
        + a.environment
        + a.trust
        + a.organization
        + a.placement_stability;
    assert_eq!(
        total,
        i64::from(s.clusters),
        "the trade-off figures do not add up"
    );
    // The money adds up the same way, row by row.
    let c = &s.cost;
    let rows = [
        c.capacity,
        c.packing,
        c.blast_radius,
        c.environment,
        c.trust,
        c.organization,
        c.placement_stability,
    ];
    assert_eq!(c.planned.clusters, i64::from(s.clusters));
    assert_eq!(c.capacity.clusters, i64::from(s.capacity_lower_bound));
    assert_eq!(c.environment.clusters, a.environment);
    assert_eq!(
        rows.iter().map(|r| r.fees_cents_per_month).sum::<i64>(),
        c.planned.fees_cents_per_month
    );
    assert_eq!(c.planned.system_nodes, i64::from(s.system_nodes));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn plans_keep_every_invariant(bp in blueprints(), seed in any::<u64>()) {
        let plan = plan_text(&to_text(&bp, 0), None);
        check_invariants(&bp, &plan);
        // Key order in the YAML changes nothing.
        let shuffled = plan_text(&to_text(&bp, seed), None);
        prop_assert_eq!(&plan, &shuffled);
    }

    #[test]
    fn adding_a_tenant_moves_no_placed_tenant(bp in blueprints(), mask in 1u8..8, groups in 1u32..4) {
        let before = plan_text(&to_text(&bp, 0), None);
        let placement = before.placement();
        let mut grown = bp.clone();
        let (unit_name, unit) = grown.units.iter().next().map(|(n, u)| (n.clone(), u.clone())).unwrap();
        let envs: Vec<String> = grown.environments.keys().enumerate().filter(|(j, _)| mask & (1 << j) != 0).map(|(_, e)| e.clone()).collect();
        let groups = 1 + (groups - 1) % unit.node_groups_per_cluster;
        grown.tenants.insert("aaa-new".into(), Tenant {
            organization: grown.organizations.keys().next().unwrap().clone(),
            trust: Trust::Trusted,
            unit: unit_name,
            environments: if envs.is_empty() { vec![grown.environments.keys().next().unwrap().clone()] } else { envs },
            node_groups: Some(groups),
            nodes: Some(groups),
        });
        let after = plan_text(&to_text(&grown, 0), Some(&placement));
        check_invariants(&grown, &after);
        prop_assert!(after.changes.moved.is_empty(), "moved: {:?}", after.changes.moved);
        prop_assert!(after.changes.destroyed.is_empty());
        prop_assert!(after.changes.readdressed.is_empty());
        let home: BTreeMap<(&str, &str), &str> = after.clusters.iter()
            .flat_map(|c| c.tenants.iter().map(move |t| ((c.environment.as_str(), t.as_str()), c.name.as_str()))).collect();
        for c in &before.clusters {
            for t in &c.tenants {
                prop_assert_eq!(home[&(c.environment.as_str(), t.as_str())], c.name.as_str());
            }
        }
    }
}

/// Renders `plan`; `render` parses every `.tf` back as HCL and every YAML file as YAML.
fn render_tree(plan: &Plan) -> OutputTree {
    targets::render(plan, &Templates::load(None).unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

/// Whether `path` is one of `cluster`'s own files: `helm/<cluster>/…`,
/// `manifests/<cluster>/…`, `terraform/<env>/cluster_<cluster>.tf`,
/// `crossplane/<env>/<cluster>.yaml`.
fn belongs_to_cluster(path: &str, cluster: &str) -> bool {
    path.split('/').any(|part| {
        let stem = part.strip_prefix("cluster_").unwrap_or(part);
        let stem = stem
            .strip_suffix(".tf")
            .or_else(|| stem.strip_suffix(".yaml"))
            .unwrap_or(stem);
        stem == cluster
    })
}

proptest! {
    // Each case renders three trees and writes them: fewer cases than the planner's.
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn the_pipeline_generates_converges_and_deletes_only_what_a_removal_empties(
        bp in blueprints(),
        pick in any::<proptest::sample::Index>(),
    ) {
        let text = to_text(&bp, 0);
        let plan = plan_text(&text, None);
        let tree = render_tree(&plan);
        prop_assert!(tree == render_tree(&plan_text(&text, None)), "the same blueprint gives the same bytes");

        let dir = tempfile::tempdir().unwrap();
        let (first, _) = write(&tree, dir.path(), "acme", None, false).unwrap();
        prop_assert!(first.updated.is_empty() && first.deleted.is_empty());
        let (second, _) = write(&tree, dir.path(), "acme", None, false).unwrap();
        prop_assert!(
            second.created.is_empty() && second.updated.is_empty() && second.deleted.is_empty(),
            "a second generate changes nothing: {second}"
        );

        prop_assume!(!bp.tenants.is_empty());
        let gone = bp.tenants.keys().nth(pick.index(bp.tenants.len())).unwrap().clone();
        let mut smaller = bp.clone();
        smaller.tenants.remove(&gone);
        let after = plan_text(&to_text(&smaller, 0), Some(&plan.placement()));
        prop_assert!(after.changes.moved.is_empty(), "moved: {:?}", after.changes.moved);
        let emptied = &after.changes.destroyed;
        let (report, _) = write(&render_tree(&after), dir.path(), "acme", None, false).unwrap();
        prop_assert!(report.created.is_empty(), "created: {:?}", report.created);
        let tenant_file = format!("/tenant-{gone}.yaml");
        // Its Linkerd authorization, under zeroTrust with Linkerd.
        let tenant_policy = format!("/linkerd-policy/tenant-{gone}.json");
        // Where no cluster is left, what the clusters shared goes too: an environment's
        // network and module, or, with no cluster at all, the Crossplane platform API.
        let environment_left_empty = |path: &str| {
            after.clusters.is_empty()
                || after.environments.iter().any(|e| {
                    e.clusters.is_empty()
                        && path.split('/').nth(1) == Some(e.name.as_str())
                })
        };
        for path in &report.deleted {
            prop_assert!(
                path.ends_with(&tenant_file)
                    || path.ends_with(&tenant_policy)
                    || emptied.iter().any(|c| belongs_to_cluster(path, c))
                    || environment_left_empty(path),
                "{path} deleted, but it is neither {gone}'s nor a cluster's left empty ({emptied:?})"
            );
        }
        // And every file of a cluster left empty is gone.
        for (path, _) in tree.files() {
            if emptied.iter().any(|c| belongs_to_cluster(path, c)) {
                prop_assert!(!dir.path().join(path).exists(), "{path} of an emptied cluster is left");
            }
        }
    }
}

#[test]
fn the_generator_covers_every_cloud_and_encryption() {
    // Guard against a generator that silently produces only trivial blueprints.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen = BTreeSet::new();
    let mut clusters = 0;
    for _ in 0..300 {
        let bp = blueprints().new_tree(&mut runner).unwrap().current();
        seen.insert(format!("{:?} {:?}", bp.cloud, bp.policy.encryption));
        clusters += plan_text(&to_text(&bp, 1), None).clusters.len();
    }
    assert_eq!(seen.len(), 15, "{seen:?}");
    assert!(clusters > 1000, "only {clusters} clusters in 300 plans");
}
