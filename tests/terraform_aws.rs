//! The AWS Terraform as stacks (issue 12): a foundation stack per environment, a stack per
//! cluster calling the `aws-cluster` module, and each AWS finding of the review. Every test
//! here fails on the old layout (one root module per environment, `cluster_<name>.tf`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use clusterwright::output::OutputTree;
use clusterwright::plan::resources::EnvironmentCloud;
use hcl::edit::structure::{BlockLabel, Body};

use crate::common::blueprint as base;
use crate::common::plans::{bundled, plan_text, tree_of};

const MODULE: &str = "terraform/modules/aws-cluster";
const FOUNDATION: &str = "terraform/modules/aws-foundation";

fn read(tree: &OutputTree, path: &str) -> String {
    tree.get(path)
        .unwrap_or_else(|| panic!("{path} is not generated"))
        .content
        .clone()
}

/// Every file of the AWS cluster module, one text.
fn module_text(tree: &OutputTree) -> String {
    files_under(tree, MODULE)
}

/// Every file under `dir`, one text.
fn files_under(tree: &OutputTree, dir: &str) -> String {
    tree.files()
        .filter(|(p, _)| p.starts_with(&format!("{dir}/")))
        .map(|(_, f)| f.content.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The resources the foundation module declares, as `<type>.<name>`.
fn foundation_resources(tree: &OutputTree) -> BTreeSet<String> {
    let body: Body = files_under(tree, FOUNDATION).parse().unwrap();
    body.blocks()
        .filter(|b| b.ident.as_str() == "resource")
        .map(|b| {
            let labels: Vec<&str> = b.labels.iter().map(BlockLabel::as_str).collect();
            labels.join(".")
        })
        .collect()
}

/// The `moved` blocks of `text`, as (from, to), each checked to address an instance of a
/// resource the foundation module declares, through the stack's call of it.
fn moves_into_the_module(tree: &OutputTree, text: &str) -> Vec<(String, String)> {
    let declared = foundation_resources(tree);
    let body: Body = text.parse().unwrap();
    let mut out = Vec::new();
    for block in body.blocks().filter(|b| b.ident.as_str() == "moved") {
        let address = |key: &str| {
            let attr = block.body.get_attribute(key).unwrap();
            attr.value.to_string().trim().to_owned()
        };
        let (from, to) = (address("from"), address("to"));
        for a in [&from, &to] {
            let rest = a
                .strip_prefix("module.foundation.")
                .unwrap_or_else(|| panic!("{a} is not in module.foundation"));
            let resource = rest.split('[').next().unwrap();
            assert!(
                declared.contains(resource),
                "{a}: the module declares no {resource}"
            );
        }
        out.push((from, to));
    }
    out
}

/// Whitespace runs as one space (alignment and line breaks are hclfmt's).
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `text` contains `needle`, whatever the whitespace.
fn has(text: &str, needle: impl AsRef<str>) -> bool {
    squash(text).contains(&squash(needle.as_ref()))
}

/// Every `.tf` under `terraform/`, by path.
fn terraform_files(tree: &OutputTree) -> BTreeMap<String, String> {
    tree.files()
        .filter(|(p, _)| {
            p.starts_with("terraform/") && Path::new(p).extension().is_some_and(|e| e == "tf")
        })
        .map(|(p, f)| (p.to_owned(), f.content.clone()))
        .collect()
}

#[test]
fn each_cluster_is_a_stack_that_calls_the_module_once() {
    let plan = plan_text(&bundled("acme-aws"), None, false);
    let tree = tree_of(&plan);
    for file in [
        "versions.tf",
        "variables.tf",
        "main.tf",
        "outputs.tf",
        "iam.tf",
        "nodes.tf",
        "addons.tf",
    ] {
        assert!(tree.get(&format!("{MODULE}/{file}")).is_some(), "{file}");
    }
    for file in [
        "versions.tf",
        "variables.tf",
        "network.tf",
        "logging.tf",
        "outputs.tf",
    ] {
        assert!(
            tree.get(&format!("{FOUNDATION}/{file}")).is_some(),
            "{file}"
        );
    }
    for environment in ["prod", "staging", "dev"] {
        for file in ["versions.tf", "providers.tf", "variables.tf", "outputs.tf"] {
            read(&tree, &format!("terraform/{environment}/foundation/{file}"));
        }
        // The foundation is one call of the foundation module.
        let main = read(
            &tree,
            &format!("terraform/{environment}/foundation/main.tf"),
        );
        let body: Body = main.parse().unwrap();
        assert_eq!(body.blocks().count(), 1, "{main}");
        assert!(
            has(&main, "source = \"../../modules/aws-foundation\""),
            "{main}"
        );
        let foundation = read(
            &tree,
            &format!("terraform/{environment}/foundation/versions.tf"),
        );
        assert!(
            has(
                &foundation,
                format!("key     = \"clusterwright/acme/{environment}/foundation.tfstate\"")
            ),
            "{foundation}"
        );
    }
    for cluster in &plan.clusters {
        let dir = format!("terraform/{}/{}", cluster.environment, cluster.name);
        let main = read(&tree, &format!("{dir}/main.tf"));
        let body: Body = main.parse().unwrap();
        let modules: Vec<_> = body
            .blocks()
            .filter(|b| b.ident.as_str() == "module")
            .collect();
        assert_eq!(modules.len(), 1, "{dir}");
        assert!(
            has(&main, "source = \"../../modules/aws-cluster\""),
            "{main}"
        );
        assert!(
            body.blocks().all(|b| b.ident.as_str() == "module"),
            "only the module call in {dir}/main.tf"
        );
        let providers = read(&tree, &format!("{dir}/providers.tf"));
        assert!(has(&providers, "allowed_account_ids"), "{providers}");
    }
    // The old layout is gone, and no step anywhere targets resources.
    for (path, text) in terraform_files(&tree) {
        assert!(!path.contains("/cluster_"), "{path}");
        assert!(!text.contains("-target"), "{path}");
    }
}

#[test]
fn the_ebs_csi_driver_is_an_addon_with_its_role_after_the_node_groups() {
    let tree = tree_of(&plan_text(&bundled("acme-aws"), None, false));
    let module = module_text(&tree);
    assert!(has(&module, "service-role/AmazonEBSCSIDriverPolicy"));
    assert!(has(&module, "\"ebs-csi\" = \"ebs-csi-controller-sa\""));
    assert!(has(&module, "resource \"aws_eks_addon\" \"after_nodes\""));
    assert!(has(&module, "aws_eks_node_group.this,"));
    let main = read(&tree, "terraform/prod/acme-prod-retail-03/main.tf");
    assert!(has(&main, "\"aws-ebs-csi-driver\" ="), "{main}");
}

#[test]
fn one_nat_gateway_per_vpc_outside_production_and_one_per_zone_in_it() {
    let plan = plan_text(&bundled("acme-aws"), None, false);
    for environment in &plan.environments {
        let EnvironmentCloud::Aws(aws) = &environment.resources.cloud else {
            panic!("acme is on AWS")
        };
        for vpc in &aws.vpcs {
            assert_eq!(
                vpc.nat_gateways,
                if environment.production { 3 } else { 1 },
                "{}",
                vpc.name
            );
        }
    }
    let tree = tree_of(&plan);
    let prod = read(&tree, "terraform/prod/foundation/main.tf");
    let staging = read(&tree, "terraform/staging/foundation/main.tf");
    assert!(has(&prod, "nat_gateways = 3"), "{prod}");
    assert!(has(&staging, "nat_gateways = 1"), "{staging}");
    // NAT gateways are per VPC, not per cluster: the routes of every zone lead to the
    // VPC's gateways, and the egress is in the foundation, before any cluster.
    let module = files_under(&tree, FOUNDATION);
    assert!(has(&module, "for zone in range(v.nat_gateways)"));
    assert!(has(
        &module,
        "nat_gateway_id         = aws_nat_gateway.this[each.value.nat].id"
    ));
}

#[test]
fn node_groups_use_name_prefixes_create_before_destroy_and_sized_root_volumes() {
    let module = module_text(&tree_of(&plan_text(&bundled("acme-aws"), None, false)));
    assert!(has(&module, "node_group_name_prefix = \"${each.key}-\""));
    assert!(!has(&module, "node_group_name        ="));
    assert!(has(&module, "create_before_destroy = true"));
    assert!(has(&module, "volume_size           = 100"));
    assert!(has(&module, "AmazonSSMManagedInstanceCore"));
}

#[test]
fn node_groups_are_a_map_keyed_by_plan_name_with_the_plans_taints() {
    let plan = plan_text(&bundled("acme-aws"), None, false);
    let tree = tree_of(&plan);
    let main = read(&tree, "terraform/prod/acme-prod-supplier-portal-04/main.tf");
    assert!(has(&main, "\"system\" = {"), "{main}");
    assert!(
        has(
            &main,
            "{ key = \"CriticalAddonsOnly\", value = \"true\", effect = \"NO_SCHEDULE\" }"
        ),
        "{main}"
    );
    assert!(
        has(
            &main,
            "{ key = \"clusterwright.io/tenant\", value = \"supplier-portal\", effect = \"NO_SCHEDULE\" }"
        ),
        "{main}"
    );
    assert!(has(&main, "\"supplier-portal-1\" = {"), "{main}");
}

#[test]
fn each_node_group_is_one_line_and_the_module_derives_labels_and_the_default_ami() {
    let yaml = bundled("acme-aws");
    let tree = tree_of(&plan_text(&yaml, None, false));
    let main = read(&tree, "terraform/prod/acme-prod-compute-01/main.tf");
    assert!(
        main.lines().any(|l| l.trim()
            == "\"analytics-1\" = { tenant = \"analytics\", instance_type = \"c6i.2xlarge\", nodes = 10 }"),
        "{main}"
    );
    assert!(!main.contains("labels"), "{main}");
    assert!(!main.contains("ami_type"), "{main}");
    let module = module_text(&tree);
    assert!(has(
        &module,
        "ami_type = optional(string, \"AL2023_x86_64_STANDARD\")"
    ));
    assert!(has(
        &module,
        "labels = { for key, value in { \"clusterwright.io/tenant\" = each.value.tenant } : key => value if value != null }"
    ));
    // Graviton: the AMI type differs from the module's default, so the stack names it.
    let graviton = yaml.replace("instanceType: c6i.2xlarge", "instanceType: c7g.2xlarge");
    assert_ne!(graviton, yaml);
    let tree = tree_of(&plan_text(&graviton, None, false));
    let main = read(&tree, "terraform/prod/acme-prod-compute-01/main.tf");
    assert!(
        main.lines().any(|l| l.trim()
            == "\"analytics-1\" = { tenant = \"analytics\", instance_type = \"c7g.2xlarge\", ami_type = \"AL2023_ARM_64_STANDARD\", nodes = 10 }"),
        "{main}"
    );
}

#[test]
fn admins_get_access_entries_and_the_allowlist_opens_the_public_endpoint_to_from_only() {
    let yaml = base(&[(
        "    cidr: 10.0.0.0/16\n",
        "    cidr: 10.0.0.0/16\n    access:\n      admins: [\"arn:aws:iam::111111111111:role/platform\"]\n      endpoint: allowlist\n      from: [\"203.0.113.0/24\"]\n",
    )]);
    let plan = plan_text(&yaml, None, false);
    let tree = tree_of(&plan);
    let prod = plan
        .clusters
        .iter()
        .find(|c| c.environment == "prod")
        .unwrap();
    let main = read(&tree, &format!("terraform/prod/{}/main.tf", prod.name));
    assert!(
        has(
            &main,
            "admins             = [\"arn:aws:iam::111111111111:role/platform\"]"
        ),
        "{main}"
    );
    assert!(
        has(&main, "public_access_cidrs = [\"203.0.113.0/24\"]"),
        "{main}"
    );
    // Staging has no access: private, and the applying principal is the admin.
    let staging = plan
        .clusters
        .iter()
        .find(|c| c.environment == "staging")
        .unwrap();
    let main = read(
        &tree,
        &format!("terraform/staging/{}/main.tf", staging.name),
    );
    assert!(has(&main, "admins = []"), "{main}");
    assert!(has(&main, "public_access_cidrs = []"), "{main}");
    let module = module_text(&tree);
    assert!(has(&module, "for_each = toset(local.admins)"));
    assert!(has(
        &module,
        "data.aws_iam_session_context.current.issuer_arn"
    ));
    assert!(has(&module, "AmazonEKSClusterAdminPolicy"));
    assert!(has(
        &module,
        "endpoint_public_access  = length(var.public_access_cidrs) > 0"
    ));
    assert!(has(&module, "endpoint_private_access = true"));
    assert!(!has(&module, "cluster_admin_role_arn"));
}

#[test]
fn the_cluster_security_group_admits_the_api_from_the_vpc() {
    let module = module_text(&tree_of(&plan_text(&bundled("acme-aws"), None, false)));
    let start = module
        .find("resource \"aws_vpc_security_group_ingress_rule\" \"api_from_vpc\"")
        .expect("a 443 rule on the cluster security group");
    let rule = &module[start..start + 600];
    assert!(has(rule, "cluster_security_group_id"), "{rule}");
    assert!(has(rule, "from_port         = 443"), "{rule}");
    assert!(
        has(rule, "cidr_ipv4         = data.aws_vpc.this.cidr_block"),
        "{rule}"
    );
}

#[test]
fn the_support_type_is_explicit() {
    let module = module_text(&tree_of(&plan_text(&bundled("acme-aws"), None, false)));
    assert!(has(
        &module,
        "upgrade_policy {\n    support_type = \"STANDARD\"\n  }"
    ));
    assert!(has(&module, "EKS has no maintenance window"));
}

#[test]
fn addon_versions_are_pinned_in_the_plan() {
    // The pins this tool has are for 1.27-1.33 (src/cloud/aws.rs); the bundled blueprint
    // is on 1.35, for which EKS's default version is used (below).
    let text = bundled("umbrella-aws")
        .replace("kubernetesVersion: \"1.35\"", "kubernetesVersion: \"1.32\"");
    let tree = tree_of(&plan_text(&text, None, false));
    let main = read(&tree, "terraform/qa/umbrella-qa-api-01/main.tf");
    for pinned in [
        "\"coredns\"            = \"v1.11.4-eksbuild.24\"",
        "\"kube-proxy\"         = \"v1.32.9-eksbuild.2\"",
        "\"vpc-cni\"            = \"v1.20.1-eksbuild.3\"",
    ] {
        assert!(has(&main, pinned), "{pinned} in {main}");
    }
    // What the plan does not pin is EKS's default for the minor, never the newest.
    let module = module_text(&tree);
    assert!(has(&module, "most_recent        = false"));
}

/// BASE with three tenants of five node groups each: `alpha` and `beta` fill
/// `acme-prod-standard-01`, `gamma` is alone in `acme-prod-standard-02`.
fn three_tenants(with_alpha_and_beta: bool) -> String {
    let mut y = base(&[(
        "  globex:\n    organization: corporate\n    trust: trusted\n    unit: standard\n    environments: [prod, staging]\n    nodeGroups: 2\n    nodes: 12\n",
        "",
    )]);
    let tenant = |name: &str| {
        format!(
            "  {name}:\n    organization: corporate\n    trust: trusted\n    unit: standard\n    environments: [prod]\n    nodeGroups: 5\n    nodes: 10\n"
        )
    };
    if with_alpha_and_beta {
        y.push_str(&tenant("alpha"));
        y.push_str(&tenant("beta"));
    }
    y.push_str(&tenant("gamma"));
    y
}

#[test]
fn a_repack_rename_moves_the_clusters_foundation_resources() {
    let first = plan_text(&renamable(true), None, false);
    let second = plan_text(&renamable(false), Some(&first.placement()), false);
    assert!(
        tree_of(&second)
            .get("terraform/prod/foundation/moved.tf")
            .is_none()
    );
    let repacked = plan_text(&renamable(false), Some(&second.placement()), true);
    assert_eq!(repacked.clusters[0].formerly, ["acme-prod-standard-02"]);
    let tree = tree_of(&repacked);
    let moved = read(&tree, "terraform/prod/foundation/moved.tf");
    // The resources are in the foundation module: the blocks address them through its call.
    let found = moves_into_the_module(&tree, &moved);
    for zone in 0..3 {
        for address in ["aws_subnet.private", "aws_route_table_association.public"] {
            let address = format!("module.foundation.{address}");
            let pair = (
                format!("{address}[\"acme-prod-standard-02/{zone}\"]"),
                format!("{address}[\"acme-prod-standard-01/{zone}\"]"),
            );
            assert!(found.contains(&pair), "{pair:?} not in {moved}");
        }
    }
    // The cluster's own stack keeps the state key of its first name.
    let versions = read(&tree, "terraform/prod/acme-prod-standard-01/versions.tf");
    assert!(has(
        &versions,
        "clusterwright/acme/prod/acme-prod-standard-02.tfstate"
    ));
}

/// Lines of `new` not in `old` plus lines of `old` not in `new` (as multisets).
fn changed_lines(old: &str, new: &str) -> usize {
    let mut count: BTreeMap<&str, i64> = BTreeMap::new();
    for line in old.lines() {
        *count.entry(line).or_default() += 1;
    }
    for line in new.lines() {
        *count.entry(line).or_default() -= 1;
    }
    count.values().map(|n| n.unsigned_abs() as usize).sum()
}

#[test]
fn adding_a_tenant_changes_at_most_fifteen_lines_under_terraform() {
    let yaml = bundled("acme-aws");
    let before_plan = plan_text(&yaml, None, false);
    let grown = format!(
        "{yaml}  zz-newcomer:\n    organization: corporate\n    trust: trusted\n    unit: standard\n    environments: [dev]\n    nodeGroups: 1\n    nodes: 2\n"
    );
    let after_plan = plan_text(&grown, Some(&before_plan.placement()), false);
    let before = terraform_files(&tree_of(&before_plan));
    let after = terraform_files(&tree_of(&after_plan));
    let mut changed = 0;
    for (path, text) in &after {
        changed += changed_lines(before.get(path).map_or("", String::as_str), text);
    }
    for (path, text) in &before {
        if !after.contains_key(path) {
            changed += text.lines().count();
        }
    }
    assert!(changed > 0, "the newcomer got no node group");
    assert!(changed <= 15, "{changed} lines changed");
}

#[test]
fn a_repack_rename_moves_a_clusters_own_vpc_and_its_egress() {
    let own_vpcs = |yaml: String| yaml.replacen("cidr: 10.0.0.0/16", "cidr: 10.64.0.0/14", 1);
    let first = plan_text(&own_vpcs(renamable(true)), None, false);
    let second = plan_text(&own_vpcs(renamable(false)), Some(&first.placement()), false);
    let repacked = plan_text(&own_vpcs(renamable(false)), Some(&second.placement()), true);
    assert_eq!(repacked.clusters[0].formerly, ["acme-prod-standard-02"]);
    let tree = tree_of(&repacked);
    let network = read(&tree, "terraform/prod/foundation/main.tf");
    assert!(
        has(&network, "\"acme-prod-standard-01\" = { cidr = \"10."),
        "{network}"
    );
    let moved = read(&tree, "terraform/prod/foundation/moved.tf");
    let found = moves_into_the_module(&tree, &moved);
    for (address, from, to) in [
        (
            "aws_vpc.this",
            "acme-prod-standard-02",
            "acme-prod-standard-01",
        ),
        (
            "aws_flow_log.this",
            "acme-prod-standard-02",
            "acme-prod-standard-01",
        ),
        (
            // Outside production a VPC has one NAT gateway.
            "aws_nat_gateway.this",
            "acme-prod-standard-02/0",
            "acme-prod-standard-01/0",
        ),
        (
            "aws_route.private_default",
            "acme-prod-standard-02/0",
            "acme-prod-standard-01/0",
        ),
    ] {
        let address = format!("module.foundation.{address}");
        let pair = (
            format!("{address}[\"{from}\"]"),
            format!("{address}[\"{to}\"]"),
        );
        assert!(found.contains(&pair), "{pair:?} not in {moved}");
    }
}

/// [`three_tenants`] outside production: a repack keeps production clusters' names (a
/// renamed cluster is a replaced one), so renames happen only outside production.
fn renamable(with_alpha_and_beta: bool) -> String {
    let yaml = three_tenants(with_alpha_and_beta);
    assert!(yaml.contains("production: true"));
    yaml.replacen("production: true", "production: false", 1)
}
