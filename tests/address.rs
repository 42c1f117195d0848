//! Address plans that hold thousands of tenants (issue 16, §1) on GCP and Azure: routable
//! space holds nodes, load balancers and control planes only; pods and services lie outside
//! every environment's range, and the generated Terraform, Cilium values and Crossplane
//! follow the plan.

use clusterwright::blueprint::Cloud;
use clusterwright::plan::Plan;
use ipnet::Ipv4Net;

use crate::common::plans::{bundled, file, plan_of, tree_of};

use crate::packing::synthetic;

fn net(s: &str) -> Ipv4Net {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn overlaps(a: Ipv4Net, b: Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

const RFC_1918: [&str; 3] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/// Every GCP cluster of `plan`: its block in its environment's range holds the node subnet
/// and the control plane only; pods and services lie outside every environment's range and
/// RFC 1918, in the environment's secondary ranges, unique within the environment.
fn gcp_ranges_hold(plan: &Plan) {
    let envs: Vec<Ipv4Net> = plan.environments.iter().map(|e| net(&e.cidr)).collect();
    let mut checked = 0;
    for e in plan.environments.iter().filter(|e| e.cloud == Cloud::Gcp) {
        let pool = net(e.network.secondary_ranges.as_deref().unwrap());
        let mut taken: Vec<(Ipv4Net, &str)> = Vec::new();
        for c in plan.clusters.iter().filter(|c| c.environment == e.name) {
            let block = net(&c.network.cidr);
            assert!(net(&e.cidr).contains(&block), "{}", c.name);
            assert_eq!(c.network.node_subnets.len(), 1);
            let nodes = net(&c.network.node_subnets[0]);
            assert!(block.contains(&nodes));
            // Nodes and the control plane's /28: the block is at most twice the subnet
            // (four times for the smallest, a /29 and a /28).
            assert!(block.prefix_len() + 2 >= nodes.prefix_len(), "{}", c.name);
            let pods = net(c.network.pod_cidr.as_deref().unwrap());
            let services = net(&c.network.service_cidr);
            for range in [pods, services] {
                assert!(pool.contains(&range), "{}: {range} not in {pool}", c.name);
                for env in &envs {
                    assert!(!overlaps(range, *env), "{}: {range} in {env}", c.name);
                }
                for private in RFC_1918 {
                    assert!(!overlaps(range, net(private)), "{}: {range}", c.name);
                }
                for (other, owner) in &taken {
                    assert!(
                        !overlaps(range, *other),
                        "{}: {range} and {owner}'s {other}",
                        c.name
                    );
                }
                taken.push((range, &c.name));
            }
            // GKE's /25 for every address of the node subnet.
            assert!(
                u64::from(pods.hosts().count() as u32) + 2
                    >= (1u64 << (32 - nodes.prefix_len())) * 128,
                "{}",
                c.name
            );
            checked += 1;
        }
    }
    assert!(checked > 0);
}

#[test]
fn gke_blocks_hold_nodes_and_control_planes_and_pods_lie_outside_every_environment() {
    for name in ["globex-gcp", "hooli-gcp", "soylent-aws"] {
        let plan = plan_of(&bundled(name));
        gcp_ranges_hold(&plan);
    }
}

#[test]
fn gke_secondary_ranges_are_stable_for_the_same_block() {
    let yaml = bundled("hooli-gcp");
    let a = plan_of(&yaml);
    let b = plan_of(&yaml);
    for (x, y) in a.clusters.iter().zip(&b.clusters) {
        assert_eq!(x.network, y.network);
    }
}

/// The foundation's subnetworks take the plan's secondary ranges; Cloud NAT covers every
/// range of every subnetwork; IPsec's ESP rule admits the pod range.
#[test]
fn the_gcp_foundation_carries_the_secondary_ranges_and_nats_them() {
    let plan = plan_of(&bundled("hooli-gcp"));
    let tree = tree_of(&plan);
    for c in &plan.clusters {
        let call = file(
            &tree,
            &format!("terraform/{}/foundation/main.tf", c.environment),
        );
        let line = call
            .lines()
            .find(|l| l.contains(&format!("\"{}\"", c.name)))
            .unwrap_or_else(|| panic!("{} not in\n{call}", c.name));
        assert!(
            line.contains(&format!(
                "nodes = \"{}\", pods = \"{}\", services = \"{}\"",
                c.network.node_subnets[0],
                c.network.pod_cidr.as_deref().unwrap(),
                c.network.service_cidr
            )),
            "{line}"
        );
    }
    let network = file(&tree, "terraform/modules/gcp-foundation/network.tf");
    let body: hcl::edit::structure::Body = network.parse().unwrap();
    let nat = body
        .blocks()
        .find(|b| {
            b.ident.as_str() == "resource"
                && b.labels
                    .first()
                    .is_some_and(|l| l.as_str() == "google_compute_router_nat")
        })
        .unwrap();
    let ranges = nat
        .body
        .get_attribute("source_subnetwork_ip_ranges_to_nat")
        .unwrap()
        .value
        .to_string();
    assert_eq!(ranges.trim(), "\"ALL_SUBNETWORKS_ALL_IP_RANGES\"");
    let subnetwork = network
        .split("resource \"google_compute_subnetwork\" \"cluster\"")
        .nth(1)
        .unwrap();
    assert!(subnetwork.contains("range_name    = \"pods\"\n    ip_cidr_range = each.value.pods"));
    assert!(subnetwork.contains("ip_cidr_range = each.value.services"));
    let esp = network
        .split("resource \"google_compute_firewall\" \"cilium_encryption\"")
        .nth(1)
        .unwrap();
    assert!(esp.contains("[each.value.nodes, each.value.pods]"), "{esp}");
}

/// Cilium on GKE routes the cluster's pod range natively and enforces strict egress on it,
/// wherever the range lies.
#[test]
fn cilium_on_gke_routes_the_pod_range_outside_the_environment() {
    let plan = plan_of(&bundled("hooli-gcp"));
    let tree = tree_of(&plan);
    let mut seen = 0;
    for c in &plan.clusters {
        let Some(values) = tree.get(&format!("helm/{}/cilium.values.yaml", c.name)) else {
            continue;
        };
        let values = &values.content;
        let pods = c.network.pod_cidr.as_deref().unwrap();
        assert!(
            values.contains(&format!("\nipv4NativeRoutingCIDR: \"{pods}\"\n")),
            "{}: {values}",
            c.name
        );
        assert!(values.contains("\ngke:\n  enabled: true\n"));
        if values.contains("strictMode:") {
            assert!(
                values.contains(&format!("      cidr: \"{pods}\"\n")),
                "{values}"
            );
        }
        assert!(!net(&c.cidr).contains(&net(pods).network()), "{}", c.name);
        seen += 1;
    }
    assert!(seen > 0);
}

/// Crossplane composes the same secondary ranges: the composite's `network.podCidr` and
/// `serviceCidr` are the plan's.
#[test]
fn crossplane_gcp_clusters_carry_the_secondary_ranges() {
    let plan = plan_of(&bundled("globex-gcp"));
    let tree = tree_of(&plan);
    for c in &plan.clusters {
        let text = file(
            &tree,
            &format!("crossplane/{}/{}.yaml", c.environment, c.name),
        );
        assert!(
            text.contains(&format!(
                "podCidr: \"{}\"",
                c.network.pod_cidr.as_deref().unwrap()
            )),
            "{}",
            c.name
        );
        assert!(text.contains(&format!("serviceCidr: \"{}\"", c.network.service_cidr)));
    }
    let composition = file(&tree, "crossplane/composition-gcp.yaml");
    assert!(composition.contains("toFieldPath: spec.forProvider.secondaryIpRange[0].ipCidrRange"));
}

/// Azure: node subnets hold nodes and front ends; the overlay and services are outside
/// every environment, the same in every cluster of an environment.
fn azure_ranges_hold(plan: &Plan) {
    let envs: Vec<Ipv4Net> = plan.environments.iter().map(|e| net(&e.cidr)).collect();
    let mut checked = 0;
    for e in plan.environments.iter().filter(|e| e.cloud == Cloud::Azure) {
        let clusters: Vec<_> = plan
            .clusters
            .iter()
            .filter(|c| c.environment == e.name)
            .collect();
        for c in &clusters {
            assert_eq!(c.network.node_subnets, vec![c.network.cidr.clone()]);
            assert!(net(&e.cidr).contains(&net(&c.network.cidr)));
            let overlay = net(c.network.pod_cidr.as_deref().unwrap());
            assert_eq!(c.network.pod_cidr, clusters[0].network.pod_cidr);
            for range in [overlay, net(&c.network.service_cidr)] {
                for env in &envs {
                    assert!(!overlaps(range, *env), "{}: {range} in {env}", c.name);
                }
            }
            // A /24 per node of the cluster's node subnet.
            let nodes = 1u64 << (32 - net(&c.network.cidr).prefix_len());
            assert!((1u64 << (32 - overlay.prefix_len())) >= nodes.min(5_000) * 256 / 2);
            checked += 1;
        }
    }
    assert!(checked > 0);
}

/// The target of issue 16 §1: 10,000 tenants over three environments of a /12 each plan on
/// GCP and Azure (they needed more than all of RFC 1918 on GCP before).
#[test]
fn ten_thousand_tenants_plan_with_a_12_per_environment_on_gcp_and_azure() {
    for cloud in ["gcp", "azure"] {
        let yaml = synthetic::blueprint(10_000, cloud);
        assert!(yaml.contains("cidr: 10.0.0.0/12") && yaml.contains("cidr: 10.32.0.0/12"));
        let plan = plan_of(&yaml);
        assert_eq!(plan.summary.tenants, 10_000);
        assert!(
            plan.clusters.len() > 3_000,
            "{cloud}: {}",
            plan.clusters.len()
        );
        if cloud == "gcp" {
            gcp_ranges_hold(&plan);
        } else {
            azure_ranges_hold(&plan);
        }
    }
}

#[test]
fn azure_bundled_overlays_lie_outside_every_environment() {
    azure_ranges_hold(&plan_of(&bundled("initech-azure")));
}
