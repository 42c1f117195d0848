//! Address plans that hold thousands of tenants on AWS (issue 16, §1): routable space holds
//! nodes, load balancers and control-plane interfaces; pods live in a secondary VPC range
//! from 100.64.0.0/10, through Cilium's ENI mode or the VPC CNI's custom networking.

use clusterwright::output::OutputTree;
use clusterwright::plan::Plan;
use clusterwright::plan::network::NetworkLayout;
use clusterwright::plan::resources::EnvironmentCloud;
use ipnet::Ipv4Net;

use crate::common::plans::{plan_of, tree_of};
use crate::common::{root, run_in};
use crate::packing::synthetic;

fn bundled(name: &str) -> Plan {
    plan_of(&std::fs::read_to_string(root().join(format!("blueprints/{name}.yaml"))).unwrap())
}

fn read(tree: &OutputTree, path: &str) -> String {
    tree.get(path)
        .unwrap_or_else(|| panic!("{path} is not generated"))
        .content
        .clone()
}

fn net(s: &str) -> Ipv4Net {
    s.parse().unwrap()
}

/// Whitespace runs as one space.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn has(text: &str, needle: &str) -> bool {
    squash(text).contains(&squash(needle))
}

#[test]
fn ten_thousand_tenants_on_aws_plan_with_a_twelve_per_environment() {
    let yaml = synthetic::blueprint(10_000, "aws")
        .replace("cidr: 10.0.0.0/10", "cidr: 10.0.0.0/12")
        .replace("cidr: 10.64.0.0/10", "cidr: 10.16.0.0/12")
        .replace("cidr: 10.128.0.0/10", "cidr: 10.32.0.0/12");
    assert_eq!(
        yaml.matches("/12 }").count(),
        3,
        "the ranges were not replaced"
    );
    let plan = plan_of(&yaml);
    assert!(
        plan.clusters.len() > 3_000,
        "{} clusters",
        plan.clusters.len()
    );
    let pods = net("100.64.0.0/10");
    for env in &plan.environments {
        assert_eq!(env.network.layout, NetworkLayout::Cluster);
        let range = net(&env.cidr);
        for c in plan.clusters.iter().filter(|c| c.environment == env.name) {
            let block = net(&c.network.cidr);
            assert!(range.contains(&block), "{} outside {range}", c.name);
            assert!(block.prefix_len() >= 23, "{}: {block}", c.name);
            let pod_cidr = net(c.network.pod_cidr.as_deref().unwrap());
            assert!(pods.contains(&pod_cidr));
            assert_eq!(c.network.pod_subnets.len(), 3);
            for s in &c.network.pod_subnets {
                assert!(pod_cidr.contains(&net(s)));
            }
            for s in &c.network.node_subnets {
                assert!(block.contains(&net(s)));
            }
        }
    }
}

#[test]
fn cluster_vpcs_share_one_pod_range_and_keep_public_subnets_off_routable_space() {
    // umbrella's prod is a /14: a VPC per cluster.
    let plan = bundled("umbrella-aws");
    let prod: Vec<_> = plan
        .clusters
        .iter()
        .filter(|c| c.environment == "prod")
        .collect();
    assert!(prod.len() > 1);
    let first = prod[0].network.pod_cidr.clone().unwrap();
    assert!(first.starts_with("100.64.0.0/"), "{first}");
    for c in &prod {
        assert_eq!(c.network.pod_cidr.as_deref(), Some(first.as_str()));
        assert_eq!(c.network.public_cidr.as_deref(), Some("100.127.255.0/24"));
        let block = net(&c.network.cidr);
        for s in &c.network.public_subnets {
            assert!(!block.contains(&net(s)), "{s} is routable");
            assert!(net("100.127.255.0/24").contains(&net(s)));
        }
    }
    let EnvironmentCloud::Aws(aws) = &plan.environments[0].resources.cloud else {
        panic!("umbrella is on AWS")
    };
    let vpc = &aws.vpcs[0];
    let secondary: Vec<&str> = vpc
        .secondary_cidrs
        .iter()
        .map(|c| c.cidr.as_str())
        .collect();
    assert_eq!(secondary, [first.as_str(), "100.127.255.0/24"]);
}

#[test]
fn an_environment_vpc_gives_each_cluster_a_pod_range_of_its_own() {
    // acme's environments are /16s: one VPC each.
    let plan = bundled("acme-aws");
    let prod: Vec<_> = plan
        .clusters
        .iter()
        .filter(|c| c.environment == "prod")
        .collect();
    assert!(prod.len() > 1);
    let ranges: Vec<Ipv4Net> = prod
        .iter()
        .map(|c| net(c.network.pod_cidr.as_deref().unwrap()))
        .collect();
    for (i, a) in ranges.iter().enumerate() {
        assert!(net("100.64.0.0/10").contains(a));
        for b in &ranges[i + 1..] {
            assert!(
                !a.contains(&b.network()) && !b.contains(&a.network()),
                "{a} {b}"
            );
        }
    }
    for c in &prod {
        // Public subnets stay in the routable block of an environment VPC.
        assert_eq!(c.network.public_cidr, None);
        let block = net(&c.network.cidr);
        assert!(
            c.network
                .public_subnets
                .iter()
                .all(|s| block.contains(&net(s)))
        );
    }
    let env = plan.environments.iter().find(|e| e.name == "prod").unwrap();
    let EnvironmentCloud::Aws(aws) = &env.resources.cloud else {
        panic!("acme is on AWS")
    };
    assert_eq!(aws.vpcs.len(), 1);
    assert_eq!(aws.vpcs[0].secondary_cidrs.len(), prod.len());
}

#[test]
fn the_foundation_associates_pod_ranges_and_routes_tagged_pod_subnets_to_the_nat_gateways() {
    let plan = bundled("acme-aws");
    let tree = tree_of(&plan);
    let network = read(&tree, "terraform/modules/aws-foundation/network.tf");
    for needle in [
        "resource \"aws_vpc_ipv4_cidr_block_association\" \"this\" { for_each = local.secondary_cidrs",
        "resource \"aws_subnet\" \"pods\" { for_each = local.pod_subnets",
        "cidr = cidrsubnet(c.pods, 2, zone)",
        "for cidr in compact([c.pods, c.public_range]) : \"${local.cluster_vpcs[cluster]}/${cidr}\"",
        "tags = merge(local.cluster_tags[each.value.cluster], { \"Name\" = \"${each.value.cluster}-pods-${each.value.zone}\" \"clusterwright.io/pod-subnet\" = each.value.cluster })",
        "depends_on = [aws_vpc_ipv4_cidr_block_association.this]",
        "resource \"aws_route_table_association\" \"pods\" { for_each = local.pod_subnets subnet_id = aws_subnet.pods[each.key].id route_table_id = aws_route_table.private[\"${each.value.vpc}/${each.value.zone}\"].id }",
    ] {
        assert!(has(&network, needle), "{needle}");
    }
    // Node subnets no longer carry the pod-subnet tag.
    let private = &network[network.find("resource \"aws_subnet\" \"private\"").unwrap()..];
    let private = &private[..private.find("\n}\n").unwrap()];
    assert!(!private.contains("pod-subnet"), "{private}");
    let main = read(&tree, "terraform/prod/foundation/main.tf");
    let c = plan
        .clusters
        .iter()
        .find(|c| c.environment == "prod")
        .unwrap();
    let pods = c.network.pod_cidr.clone().unwrap();
    assert!(has(&main, &format!("pods = \"{pods}\" }}")), "{main}");
    assert!(has(
        &main,
        "IPv4 CIDR blocks in the fullest VPC (L-83CA0A9D"
    ));
    // A cluster's own VPC also associates the range of its public subnets.
    let tree = tree_of(&bundled("umbrella-aws"));
    let main = read(&tree, "terraform/prod/foundation/main.tf");
    assert!(
        has(&main, "public_range = \"100.127.255.0/24\" }"),
        "{main}"
    );
}

#[test]
fn cilium_takes_pod_addresses_off_the_primary_interface_in_the_pod_subnets_only() {
    let plan = bundled("acme-aws");
    let tree = tree_of(&plan);
    let c = &plan.clusters[0];
    let pods = c.network.pod_cidr.clone().unwrap();
    let values = read(&tree, &format!("helm/{}/cilium.values.yaml", c.name));
    for needle in [
        "firstInterfaceIndex: 1".to_owned(),
        format!(
            "subnetTags:\n      - \"clusterwright.io/pod-subnet={}\"",
            c.name
        ),
        format!("ipv4NativeRoutingCIDR: \"{pods}\""),
        format!(
            "egress:\n      enabled: true\n      cidr: \"{pods}\"\n      allowRemoteNodeIdentities: false"
        ),
    ] {
        assert!(values.contains(&needle), "{needle} not in {values}");
    }
    // The operator may create pod ENIs only in subnets with that tag.
    let iam = read(&tree, "terraform/modules/aws-cluster/iam.tf");
    assert!(has(
        &iam,
        "variable = \"ec2:ResourceTag/clusterwright.io/pod-subnet\" values = [var.name]"
    ));
}

#[test]
fn the_vpc_cni_runs_custom_networking_from_the_add_on_configuration() {
    let plan = bundled("umbrella-aws");
    assert!(
        plan.clusters
            .iter()
            .all(|c| c.networking.cilium().is_none())
    );
    let tree = tree_of(&plan);
    let addons = read(&tree, "terraform/modules/aws-cluster/addons.tf");
    for needle in [
        "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG = \"true\"",
        "ENI_CONFIG_LABEL_DEF = \"topology.kubernetes.io/zone\"",
        "eniConfig = { create = true region = local.region subnets = local.pod_eni_configs }",
        "for subnet in data.aws_subnet.pods : subnet.availability_zone => { id = subnet.id securityGroups = [aws_eks_cluster.this.vpc_config[0].cluster_security_group_id] }",
        "tags = { \"clusterwright.io/pod-subnet\" = var.name }",
        "for_each = toset(var.cilium ? [] : data.aws_subnets.pods.ids)",
    ] {
        assert!(has(&addons, needle), "{needle} not in {addons}");
    }
    // Crossplane turns custom networking on too, and says what it leaves to the operator.
    let c = &plan.clusters[0];
    let xr = read(
        &tree,
        &format!("crossplane/{}/{}.yaml", c.environment, c.name),
    );
    assert!(
        xr.contains("\\\"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG\\\":\\\"true\\\"")
            || xr.contains("\"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG\":\"true\""),
        "{xr}"
    );
    let readme = read(&tree, "README.md");
    assert!(readme.contains("ENIConfigs"), "{readme}");
}

#[test]
fn an_environment_range_in_the_pod_range_is_refused() {
    let yaml = std::fs::read_to_string(root().join("blueprints/acme-aws.yaml"))
        .unwrap()
        .replacen("cidr: 10.0.0.0/16", "cidr: 100.64.0.0/16", 1);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.yaml"), yaml).unwrap();
    let r = run_in(dir.path(), &["validate", "b.yaml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("environments.prod.cidr: `100.64.0.0/16` overlaps 100.64.0.0/10, where the pods of AWS clusters take their addresses"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("[b.yaml:"), "{}", r.stderr);
}
