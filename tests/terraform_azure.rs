//! The Azure Terraform: a foundation stack per environment and a stack per cluster over
//! `terraform/modules/azure-cluster`, and every Azure finding of issue 12 (review
//! `terraform.md` 3, 5, 6, 7, 8, 14, 16, 18, 20, 23). Each test reads the layout of the
//! stacks, so none of them passes on the one-module-per-environment output before it.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use clusterwright::output::OutputTree;
use clusterwright::plan::Plan;
use clusterwright::targets::{self, Templates, stacks};
use hcl::edit::expr::Expression;
use hcl::edit::structure::{BlockLabel, Body};

use crate::common::plans::{plan_text, tree_of};
use crate::common::{blueprint as base, root};

const MODULE: &str = "terraform/modules/azure-cluster";
const FOUNDATION: &str = "terraform/modules/azure-foundation";

/// blueprints/initech-azure.yaml without its `access` and `directory` settings: the tests
/// set their own.
fn initech_yaml() -> String {
    let yaml = fs::read_to_string(root().join("blueprints/initech-azure.yaml")).unwrap();
    let mut out = String::new();
    let mut skipping = false;
    for line in yaml.lines() {
        if line.starts_with("    access:") || line.starts_with("    directory:") {
            skipping = line.starts_with("    access:");
            continue;
        }
        if skipping && line.starts_with("      ") {
            continue;
        }
        skipping = false;
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// initech-azure with `extra` lines added to the prod environment (indented by four).
fn initech_with_prod(extra: &str) -> String {
    let yaml = initech_yaml();
    let anchor = "    cidr: 10.40.0.0/16\n";
    assert!(yaml.contains(anchor));
    yaml.replacen(anchor, &format!("{anchor}{extra}"), 1)
}

fn initech() -> (Plan, OutputTree) {
    let plan = plan_text(&initech_yaml(), None, false);
    let tree = tree_of(&plan);
    (plan, tree)
}

fn text(tree: &OutputTree, path: &str) -> String {
    tree.get(path)
        .unwrap_or_else(|| panic!("{path} is not generated"))
        .content
        .clone()
}

/// Every `resource`/`data` block of the `.tf` files of `dir`: (`type.name` or
/// `data.type.name`, its body).
fn blocks(tree: &OutputTree, dir: &str) -> BTreeMap<String, Body> {
    let mut out = BTreeMap::new();
    for (path, file) in tree.files() {
        let Some((parent, name)) = path.rsplit_once('/') else {
            continue;
        };
        if parent != dir || Path::new(name).extension().is_none_or(|e| e != "tf") {
            continue;
        }
        let body: Body = file.content.parse().unwrap();
        for block in body.blocks() {
            let labels: Vec<&str> = block.labels.iter().map(BlockLabel::as_str).collect();
            let address = match (block.ident.as_str(), labels.as_slice()) {
                ("resource", [kind, name]) => format!("{kind}.{name}"),
                ("data", [kind, name]) => format!("data.{kind}.{name}"),
                ("module", [name]) => format!("module.{name}"),
                _ => continue,
            };
            out.insert(address, block.body.clone());
        }
    }
    out
}

fn block<'a>(blocks: &'a BTreeMap<String, Body>, address: &str) -> &'a Body {
    blocks
        .get(address)
        .unwrap_or_else(|| panic!("{address} is not declared in {:?}", blocks.keys()))
}

/// The value of attribute `name` of `body`, as written.
fn attr(body: &Body, name: &str) -> String {
    body.get_attribute(name)
        .unwrap_or_else(|| panic!("no attribute {name} in {body}"))
        .value
        .to_string()
        .trim()
        .to_owned()
}

/// The body of the one nested block `ident` of `body`.
fn nested<'a>(body: &'a Body, ident: &'a str) -> &'a Body {
    &body
        .get_blocks(ident)
        .next()
        .unwrap_or_else(|| panic!("no {ident} block in {body}"))
        .body
}

/// The `module "cluster"` call of a cluster's stack.
fn call(tree: &OutputTree, environment: &str, cluster: &str) -> Body {
    block(
        &blocks(tree, &format!("terraform/{environment}/{cluster}")),
        "module.cluster",
    )
    .clone()
}

fn strings(expression: &str) -> Vec<String> {
    let value: Expression = expression.trim().parse().unwrap();
    let Expression::Array(array) = value else {
        panic!("{expression} is not a list");
    };
    array
        .iter()
        .map(|e| match e {
            Expression::String(s) => s.value().clone(),
            other => panic!("{other:?} is not a string"),
        })
        .collect()
}

#[test]
fn every_cluster_has_a_stack_that_calls_the_module_once() {
    let (plan, tree) = initech();
    let all = stacks::stacks(&plan);
    assert_eq!(all.len(), 2 + plan.clusters.len());
    for stack in &all {
        let versions = text(&tree, &format!("{}/versions.tf", stack.dir));
        assert!(
            versions.contains(&format!("key              = \"{}\"", stack.state_key)),
            "{versions}"
        );
        assert!(versions.contains("version = \"~> 5.10\""), "{versions}");
        let providers = text(&tree, &format!("{}/providers.tf", stack.dir));
        let environment = plan
            .environments
            .iter()
            .find(|e| e.name == stack.environment)
            .unwrap();
        assert!(providers.contains(&format!("subscription_id = \"{}\"", environment.account)));
        if stack.kind == stacks::StackKind::Cluster {
            let found = blocks(&tree, &stack.dir);
            assert_eq!(found.len(), 1, "{}: {:?}", stack.dir, found.keys());
            let call = block(&found, "module.cluster");
            assert_eq!(
                attr(call, "source"),
                format!("\"{}\"", stacks::module_source(stack.cloud, stack.kind))
            );
        }
    }
    for file in targets::templates::TF_MODULE_AZURE {
        assert!(tree.get(file).is_some(), "{file}");
    }
    for (path, file) in tree.files() {
        assert!(!file.content.contains("-target"), "{path} mentions -target");
    }
}

#[test]
fn the_cluster_identity_reads_the_disk_encryption_set_before_the_cluster_exists() {
    let (_, tree) = initech();
    let module = blocks(&tree, MODULE);
    let disks = block(&module, "azurerm_role_assignment.disks");
    assert_eq!(
        attr(disks, "scope"),
        "data.azurerm_disk_encryption_set.environment.id"
    );
    assert_eq!(attr(disks, "role_definition_name"), "\"Reader\"");
    assert_eq!(
        attr(disks, "principal_id"),
        "azurerm_user_assigned_identity.cluster.principal_id"
    );
    let cluster = block(&module, "azurerm_kubernetes_cluster.this");
    assert_eq!(
        attr(cluster, "disk_encryption_set_id"),
        "data.azurerm_disk_encryption_set.environment.id"
    );
    let wait = block(&module, "time_sleep.cluster_roles");
    assert!(attr(wait, "triggers").contains("azurerm_role_assignment.disks.id"));
    assert!(attr(cluster, "depends_on").contains("time_sleep.cluster_roles"));
}

#[test]
fn encryption_at_host_is_registered_in_every_foundation() {
    let (plan, tree) = initech();
    for environment in &plan.environments {
        let stack = blocks(&tree, &format!("terraform/{}/foundation", environment.name));
        assert_eq!(
            attr(block(&stack, "module.foundation"), "source"),
            "\"../../modules/azure-foundation\""
        );
        let foundation = blocks(&tree, FOUNDATION);
        let feature = block(
            &foundation,
            "azurerm_resource_provider_feature_registration.encryption_at_host",
        );
        assert_eq!(attr(feature, "name"), "\"EncryptionAtHost\"");
        assert_eq!(attr(feature, "provider_name"), "\"Microsoft.Compute\"");
    }
    let module = blocks(&tree, MODULE);
    let cluster = block(&module, "azurerm_kubernetes_cluster.this");
    assert_eq!(
        attr(
            nested(cluster, "default_node_pool"),
            "host_encryption_enabled"
        ),
        "true"
    );
}

#[test]
fn policy_insights_is_registered_where_the_policy_add_on_runs() {
    let (plan, tree) = initech();
    let module = blocks(&tree, MODULE);
    assert_eq!(
        attr(
            block(&module, "azurerm_kubernetes_cluster.this"),
            "azure_policy_enabled"
        ),
        "true"
    );
    // The foundation, applied before every cluster stack, registers the resource providers
    // for the subscription; cluster stacks register none (a second registration would need
    // subscription-wide rights in every cluster stack's identity for nothing).
    for stack in stacks::stacks(&plan) {
        let providers: Body = text(&tree, &format!("{}/providers.tf", stack.dir))
            .parse()
            .unwrap();
        let azurerm = providers.get_blocks("provider").next().unwrap();
        match stack.kind {
            stacks::StackKind::Foundation => {
                let registered = strings(&attr(&azurerm.body, "resource_providers_to_register"));
                assert!(
                    registered.iter().any(|p| p == "Microsoft.PolicyInsights"),
                    "{}: {registered:?}",
                    stack.dir
                );
            }
            stacks::StackKind::Cluster => {
                assert_eq!(
                    attr(&azurerm.body, "resource_provider_registrations"),
                    "\"none\"",
                    "{}",
                    stack.dir
                );
                assert!(
                    azurerm
                        .body
                        .get_attribute("resource_providers_to_register")
                        .is_none()
                );
            }
        }
    }
}

#[test]
fn role_assignments_are_given_time_to_propagate() {
    let (_, tree) = initech();
    let module = blocks(&tree, MODULE);
    let wait = block(&module, "time_sleep.cluster_roles");
    let triggers = attr(wait, "triggers");
    for role in ["network", "secrets", "disks"] {
        assert!(
            triggers.contains(&format!("azurerm_role_assignment.{role}.id")),
            "{triggers}"
        );
    }
    assert!(attr(wait, "create_duration").ends_with("s\""));
    assert!(
        attr(block(&module, "time_sleep.admin_roles"), "triggers")
            .contains("azurerm_role_assignment.cluster_admin")
    );
    let foundation = blocks(&tree, FOUNDATION);
    let officer = block(&foundation, "time_sleep.terraform_keys");
    assert!(attr(officer, "triggers").contains("azurerm_role_assignment.terraform_keys"));
    for key in [
        "azurerm_key_vault_key.disks",
        "azurerm_key_vault_key.secrets",
    ] {
        assert!(
            attr(block(&foundation, key), "depends_on").contains("time_sleep.terraform_keys"),
            "{key}"
        );
    }
    for versions in [
        format!("{MODULE}/versions.tf"),
        format!("{FOUNDATION}/versions.tf"),
        "terraform/prod/foundation/versions.tf".to_owned(),
    ] {
        let text = text(&tree, &versions);
        assert!(
            text.contains("source  = \"hashicorp/time\"\n      version = \"~> 0.13\""),
            "{text}"
        );
    }
}

#[test]
fn container_insights_sends_through_a_data_collection_rule() {
    let (_, tree) = initech();
    let module = blocks(&tree, MODULE);
    let cluster = block(&module, "azurerm_kubernetes_cluster.this");
    assert_eq!(
        attr(
            nested(cluster, "oms_agent"),
            "msi_auth_for_monitoring_enabled"
        ),
        "true"
    );
    let rule = block(
        &module,
        "azurerm_monitor_data_collection_rule.container_insights",
    );
    let stream = "Microsoft-ContainerInsights-Group-Default";
    let flow = nested(rule, "data_flow");
    assert_eq!(strings(&attr(flow, "streams")), [stream]);
    let destination = nested(nested(rule, "destinations"), "log_analytics");
    assert_eq!(
        attr(destination, "workspace_resource_id"),
        "data.azurerm_log_analytics_workspace.environment.id"
    );
    assert_eq!(
        strings(&attr(flow, "destinations")),
        [attr(destination, "name").trim_matches('"')]
    );
    let extension = nested(nested(rule, "data_sources"), "extension");
    assert_eq!(attr(extension, "extension_name"), "\"ContainerInsights\"");
    assert_eq!(strings(&attr(extension, "streams")), [stream]);
    let association = block(
        &module,
        "azurerm_monitor_data_collection_rule_association.container_insights",
    );
    assert_eq!(
        attr(association, "target_resource_id"),
        "azurerm_kubernetes_cluster.this.id"
    );
    assert_eq!(
        attr(association, "data_collection_rule_id"),
        "azurerm_monitor_data_collection_rule.container_insights.id"
    );
}

/// The Terraform functions `local.allowed` of `azure-foundation` calls, as Terraform
/// documents them (developer.hashicorp.com/terraform/language/functions): `concat(lists...)`,
/// `flatten(list)`, `distinct(list)` (first occurrences, in order), `sort(list of strings)`
/// (lexical).
#[allow(clippy::unnecessary_wraps)] // the signature of `hcl::eval::Func`
mod tf {
    use hcl::Value;
    use hcl::eval::FuncArgs;

    fn list(args: &FuncArgs, i: usize) -> Vec<Value> {
        args[i].as_array().cloned().unwrap_or_default()
    }
    pub fn concat(args: FuncArgs) -> Result<Value, String> {
        Ok(Value::Array(
            (0..args.len()).flat_map(|i| list(&args, i)).collect(),
        ))
    }
    pub fn flatten(args: FuncArgs) -> Result<Value, String> {
        fn flat(values: Vec<Value>, out: &mut Vec<Value>) {
            for v in values {
                match v {
                    Value::Array(inner) => flat(inner, out),
                    other => out.push(other),
                }
            }
        }
        let mut out = Vec::new();
        flat(list(&args, 0), &mut out);
        Ok(Value::Array(out))
    }
    pub fn distinct(args: FuncArgs) -> Result<Value, String> {
        let mut out: Vec<Value> = Vec::new();
        for v in list(&args, 0) {
            if !out.contains(&v) {
                out.push(v);
            }
        }
        Ok(Value::Array(out))
    }
    pub fn sort(args: FuncArgs) -> Result<Value, String> {
        let mut strings: Vec<String> = list(&args, 0)
            .into_iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or("sort takes strings"))
            .collect::<Result<_, _>>()?;
        strings.sort();
        Ok(Value::Array(strings.into_iter().map(Value::from).collect()))
    }
}

/// Each cluster's subnets and the sources its security group admits (`allowed`), as
/// Terraform computes them: the `clusters` the foundation stack passes its module,
/// evaluated through the module's own `local.allowed` expression (hcl-rs evaluates it, with
/// the four Terraform functions it calls, as Terraform documents them).
fn partitions(
    tree: &OutputTree,
    environment: &str,
) -> BTreeMap<String, (Vec<String>, Vec<String>)> {
    use hcl::eval::{Context, Evaluate, FuncDef, ParamType};
    use hcl::{Map, Value};

    let main: hcl::Body = hcl::from_str(&text(
        tree,
        &format!("terraform/{environment}/foundation/main.tf"),
    ))
    .unwrap();
    let call = main.blocks().find(|b| b.identifier() == "module").unwrap();
    let clusters = call
        .body()
        .attributes()
        .find(|a| a.key() == "clusters")
        .unwrap()
        .expr()
        .evaluate(&Context::new())
        .unwrap();
    // The variable's type: `pods` is optional, `[]` by default.
    let Value::Object(mut clusters) = clusters else {
        panic!("clusters is not an object: {clusters:?}")
    };
    for cluster in clusters.values_mut() {
        if let Value::Object(fields) = cluster {
            fields
                .entry("pods".to_owned())
                .or_insert(Value::Array(vec![]));
        }
    }
    let network: hcl::Body =
        hcl::from_str(&text(tree, &format!("{FOUNDATION}/network.tf"))).unwrap();
    let allowed = network
        .blocks()
        .filter(|b| b.identifier() == "locals")
        .flat_map(|b| b.body().attributes())
        .find(|a| a.key() == "allowed")
        .expect("local.allowed")
        .expr()
        .clone();

    let mut ctx = Context::new();
    let mut var = Map::new();
    var.insert("clusters".to_owned(), Value::Object(clusters.clone()));
    ctx.declare_var("var", Value::Object(var));
    ctx.declare_func(
        "concat",
        FuncDef::builder()
            .variadic_param(ParamType::Array(Box::new(ParamType::Any)))
            .build(tf::concat),
    );
    for (name, f) in [
        ("flatten", tf::flatten as hcl::eval::Func),
        ("distinct", tf::distinct),
        ("sort", tf::sort),
    ] {
        ctx.declare_func(
            name,
            FuncDef::builder()
                .param(ParamType::Array(Box::new(ParamType::Any)))
                .build(f),
        );
    }
    let Value::Object(allowed) = allowed.evaluate(&ctx).unwrap() else {
        panic!("local.allowed is not an object")
    };
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    };
    clusters
        .iter()
        .map(|(name, fields)| {
            let subnets = strings(&fields.as_object().unwrap()["subnets"]);
            (name.clone(), (subnets, strings(&allowed[name])))
        })
        .collect()
}

#[test]
fn the_module_admits_a_partitions_node_subnets_and_the_clusters_own_pods() {
    // Three clusters, two partitions, one with its own pod range: the module's expression,
    // evaluated, gives each cluster its partition's subnets and its own pods, sorted.
    let mut tree = OutputTree::default();
    let (_, real) = initech();
    for (path, file) in real.files() {
        if path.starts_with(FOUNDATION) {
            tree.insert(path, &file.content, "t").unwrap();
        }
    }
    tree.insert(
        "terraform/x/foundation/main.tf",
        r#"module "foundation" {
  clusters = {
    "a" = { subnets = ["10.0.1.0/24"], partition = "shared", pods = ["100.64.0.0/16"] }
    "b" = { subnets = ["10.0.0.0/24"], partition = "shared" }
    "c" = { subnets = ["10.0.2.0/24"], partition = "tenant/x", network_name = "old" }
  }
}
"#,
        "t",
    )
    .unwrap();
    let allowed = partitions(&tree, "x");
    let s = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        allowed["a"].1,
        s(&["10.0.0.0/24", "10.0.1.0/24", "100.64.0.0/16"])
    );
    assert_eq!(allowed["b"].1, s(&["10.0.0.0/24", "10.0.1.0/24"]));
    assert_eq!(allowed["c"].1, s(&["10.0.2.0/24"]));
}

#[test]
fn clusters_of_other_partitions_cannot_reach_each_other_inside_the_vnet() {
    let (plan, tree) = initech();
    let foundation = blocks(&tree, FOUNDATION);
    let deny = block(
        &foundation,
        "azurerm_network_security_rule.deny_other_clusters",
    );
    assert_eq!(attr(deny, "access"), "\"Deny\"");
    assert_eq!(attr(deny, "direction"), "\"Inbound\"");
    assert_eq!(attr(deny, "source_address_prefix"), "\"VirtualNetwork\"");
    let priority = |address: &str| -> u32 {
        attr(block(&foundation, address), "priority")
            .parse()
            .unwrap()
    };
    let denied = priority("azurerm_network_security_rule.deny_other_clusters");
    // Before Azure's AllowVnetInBound (65000), after the allow rules.
    assert!(denied < 65000);
    assert!(priority("azurerm_network_security_rule.allow_partition") < denied);
    assert!(priority("azurerm_network_security_rule.allow_load_balancer") < denied);
    assert_eq!(
        attr(
            block(
                &foundation,
                "azurerm_network_security_rule.allow_load_balancer"
            ),
            "source_address_prefix"
        ),
        "\"AzureLoadBalancer\""
    );
    let allowed = partitions(&tree, "prod");
    let prod: Vec<_> = plan
        .clusters
        .iter()
        .filter(|c| c.environment == "prod")
        .collect();
    assert_eq!(
        prod.len(),
        3,
        "claims (hard), general (shared), vendor-gateway (untrusted)"
    );
    for a in &prod {
        let (subnets, sources) = &allowed[&a.name];
        assert_eq!(subnets, &a.network.node_subnets);
        for b in &prod {
            let admits = b.network.node_subnets.iter().all(|s| sources.contains(s));
            assert_eq!(
                admits,
                a.isolation == b.isolation,
                "{} admits {}: {sources:?}",
                a.name,
                b.name
            );
        }
    }
}

/// BASE on Azure with three tenants of five node groups each: `alpha` and `beta` fill
/// `acme-prod-standard-01`, `gamma` is alone in `acme-prod-standard-02`; all of one soft
/// organization, so one partition.
fn three_tenants(with_alpha_and_beta: bool) -> String {
    let mut y = base(&[
        ("cloud: aws", "cloud: azure"),
        ("region: eu-central-1", "region: westeurope"),
        (
            "account: \"111111111111\"",
            "account: 6f1c4a52-1d0e-4c7b-9b7e-2a1f3c4d5e6f",
        ),
        (
            "account: \"222222222222\"",
            "account: 0b1f6471-1bf0-4dda-aec3-111122223333",
        ),
        ("instanceType: m6i.xlarge", "instanceType: Standard_D8s_v5"),
        (
            "  globex:\n    organization: corporate\n    trust: trusted\n    unit: standard\n    environments: [prod, staging]\n    nodeGroups: 2\n    nodes: 12\n",
            "",
        ),
    ]);
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
fn clusters_of_one_partition_admit_each_other() {
    let plan = plan_text(&three_tenants(true), None, false);
    let allowed = partitions(&tree_of(&plan), "prod");
    assert_eq!(allowed.len(), 2);
    for c in &plan.clusters {
        for other in &plan.clusters {
            for subnet in &other.network.node_subnets {
                assert!(allowed[&c.name].1.contains(subnet), "{}: {subnet}", c.name);
            }
        }
    }
}

#[test]
fn a_cluster_renamed_by_repack_moves_its_foundation_resources() {
    let first = plan_text(&renamable(true), None, false);
    let second = plan_text(&renamable(false), Some(&first.placement()), false);
    assert!(
        tree_of(&second)
            .get("terraform/prod/foundation/moved.tf")
            .is_none()
    );
    let repacked = plan_text(&renamable(false), Some(&second.placement()), true);
    assert_eq!(repacked.clusters[0].name, "acme-prod-standard-01");
    assert_eq!(repacked.clusters[0].formerly, ["acme-prod-standard-02"]);
    let tree = tree_of(&repacked);
    let file: Body = text(&tree, "terraform/prod/foundation/moved.tf")
        .parse()
        .unwrap();
    let moves: Vec<(String, String)> = file
        .blocks()
        .filter(|b| b.ident.as_str() == "moved")
        .map(|b| (attr(&b.body, "from"), attr(&b.body, "to")))
        .collect();
    // The addresses are in the module the stack calls (`module.foundation`), and every one
    // of them is declared there, keyed by cluster name.
    let declared = blocks(&tree, FOUNDATION);
    assert!(blocks(&tree, "terraform/prod/foundation").contains_key("module.foundation"));
    for address in [
        "azurerm_subnet.cluster",
        "azurerm_network_security_group.cluster",
        "azurerm_network_security_rule.allow_partition",
        "azurerm_network_security_rule.deny_other_clusters",
        "azurerm_subnet_network_security_group_association.cluster",
        "azurerm_key_vault_key.secrets",
    ] {
        let expected = (
            format!("module.foundation.{address}[\"acme-prod-standard-02\"]"),
            format!("module.foundation.{address}[\"acme-prod-standard-01\"]"),
        );
        assert!(moves.contains(&expected), "{expected:?} not in {moves:#?}");
        let each = attr(block(&declared, address), "for_each");
        assert!(
            each == "local.clusters" || each == "var.clusters",
            "{address}: {each}"
        );
    }
    assert_eq!(moves.len(), 7, "{moves:#?}");
    // Its subnet and security group keep its first name: the rename replaces neither, and
    // the new cluster (the rename replaces the AKS cluster) is created in the same subnet.
    assert_eq!(
        partitions(&tree, "prod")["acme-prod-standard-01"].0,
        repacked.clusters[0].network.node_subnets
    );
    let main = text(&tree, "terraform/prod/foundation/main.tf");
    assert!(
        main.lines()
            .any(|l| l.trim_start().starts_with("\"acme-prod-standard-01\"")
                && l.ends_with(", network_name = \"acme-prod-standard-02\" }")),
        "{main}"
    );
    let network = text(&tree, &format!("{FOUNDATION}/network.tf"));
    assert!(
        network.contains("coalesce(c.network_name, name)"),
        "{network}"
    );
    assert_eq!(
        attr(
            &call(&tree, "prod", "acme-prod-standard-01"),
            "network_name"
        ),
        "\"acme-prod-standard-02\""
    );
    // The cluster's stack is in its new directory and continues the state of its first name.
    let versions = text(&tree, "terraform/prod/acme-prod-standard-01/versions.tf");
    assert!(
        versions.contains("clusterwright/acme/prod/acme-prod-standard-02.tfstate"),
        "{versions}"
    );
    assert!(
        tree.get("terraform/prod/acme-prod-standard-02/main.tf")
            .is_none()
    );
}

#[test]
fn admins_are_cluster_admins_and_without_them_the_applier_is() {
    let (_, tree) = initech();
    let module = blocks(&tree, MODULE);
    let admin = block(&module, "azurerm_role_assignment.cluster_admin");
    assert_eq!(
        attr(admin, "role_definition_name"),
        "\"Azure Kubernetes Service RBAC Cluster Admin\""
    );
    assert_eq!(attr(admin, "scope"), "azurerm_kubernetes_cluster.this.id");
    assert_eq!(attr(admin, "for_each"), "local.admins");
    let main: Body = text(&tree, &format!("{MODULE}/main.tf")).parse().unwrap();
    let locals = &main.get_blocks("locals").next().unwrap().body;
    let admins = attr(locals, "admins");
    assert!(
        admins.contains("var.admins")
            && admins.contains("data.azurerm_client_config.current.object_id"),
        "{admins}"
    );
    // Without access.admins the stack passes none: the applier is the admin.
    assert_eq!(
        attr(&call(&tree, "prod", "initech-prod-general-01"), "admins"),
        "[]"
    );

    let group = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
    let yaml = initech_with_prod(&format!("    access:\n      admins: [{group}]\n"));
    let tree = tree_of(&plan_text(&yaml, None, false));
    assert_eq!(
        strings(&attr(
            &call(&tree, "prod", "initech-prod-general-01"),
            "admins"
        )),
        [group]
    );
    assert_eq!(
        attr(&call(&tree, "test", "initech-test-general-01"), "admins"),
        "[]"
    );
}

#[test]
fn an_allowlist_endpoint_is_public_and_open_to_from_only() {
    let (_, tree) = initech();
    let private = call(&tree, "prod", "initech-prod-general-01");
    assert_eq!(attr(&private, "endpoint"), "\"private\"");
    let module = blocks(&tree, MODULE);
    let cluster = block(&module, "azurerm_kubernetes_cluster.this");
    assert_eq!(attr(cluster, "private_cluster_enabled"), "local.private");
    let profile = cluster
        .get_blocks("dynamic")
        .find(|b| {
            b.labels
                .iter()
                .any(|l| l.as_str() == "api_server_access_profile")
        })
        .expect("api_server_access_profile");
    // Not on a private cluster: AKS ignores authorized ranges there.
    assert!(attr(&profile.body, "for_each").starts_with("local.private ? []"));
    assert_eq!(
        attr(nested(&profile.body, "content"), "authorized_ip_ranges"),
        "api_server_access_profile.value"
    );
    assert!(
        attr(&profile.body, "for_each").contains("var.authorized_ip_ranges"),
        "{}",
        attr(&profile.body, "for_each")
    );

    let yaml = initech_with_prod(
        "    access:\n      endpoint: allowlist\n      from: [203.0.113.0/24, 198.51.100.7/32]\n",
    );
    let tree = tree_of(&plan_text(&yaml, None, false));
    let public = call(&tree, "prod", "initech-prod-general-01");
    assert_eq!(attr(&public, "endpoint"), "\"allowlist\"");
    assert_eq!(
        strings(&attr(&public, "authorized_ip_ranges")),
        ["203.0.113.0/24", "198.51.100.7/32"]
    );
}

#[test]
fn private_clusters_are_reached_with_command_invoke() {
    let (_, tree) = initech();
    let foundation = blocks(&tree, FOUNDATION);
    let role = block(&foundation, "azurerm_role_definition.command_invoke");
    let permissions = strings(&attr(nested(role, "permissions"), "actions"));
    for action in [
        "Microsoft.ContainerService/managedClusters/runcommand/action",
        "Microsoft.ContainerService/managedClusters/commandResults/read",
    ] {
        assert!(permissions.iter().any(|p| p == action), "{permissions:?}");
    }
    let module = blocks(&tree, MODULE);
    let assignment = block(&module, "azurerm_role_assignment.command_invoke");
    assert!(attr(assignment, "for_each").starts_with("local.private ? local.admins"));
    assert_eq!(
        attr(assignment, "role_definition_name"),
        "\"${var.foundation} AKS command invoke\""
    );
    assert_eq!(attr(role, "name"), "\"${var.name} AKS command invoke\"");
    let stack = blocks(&tree, "terraform/prod/foundation");
    assert_eq!(
        attr(block(&stack, "module.foundation"), "name"),
        attr(
            &call(&tree, "prod", "initech-prod-general-01"),
            "foundation"
        )
    );
}

#[test]
fn the_system_pool_takes_only_critical_add_ons_and_untrusted_pools_are_tainted() {
    let (plan, tree) = initech();
    let module = blocks(&tree, MODULE);
    let pool = nested(
        block(&module, "azurerm_kubernetes_cluster.this"),
        "default_node_pool",
    );
    assert_eq!(attr(pool, "only_critical_addons_enabled"), "true");
    for c in &plan.clusters {
        let system = c.system().unwrap();
        assert_eq!(system.taints[0].aks(), "CriticalAddonsOnly=true:NoSchedule");
    }
    let tenant_pools = block(&module, "azurerm_kubernetes_cluster_node_pool.tenant");
    assert_eq!(attr(tenant_pools, "for_each"), "var.node_groups");
    assert_eq!(attr(tenant_pools, "node_taints"), "each.value.taints");
    assert!(attr(tenant_pools, "temporary_name_for_rotation").contains("each.value.pool"));
    let main = text(
        &tree,
        "terraform/prod/initech-prod-vendor-gateway-03/main.tf",
    );
    assert!(
        main.contains("\"vendor-gateway-1\" = {")
            && main.contains("\"clusterwright.io/tenant=vendor-gateway:NoSchedule\""),
        "{main}"
    );
}

#[test]
fn maintenance_windows_follow_the_environment() {
    let (plan, tree) = initech();
    for c in &plan.clusters {
        let call = call(&tree, &c.environment, &c.name);
        let window = attr(&call, "maintenance");
        let day = if c.production { "Wednesday" } else { "Monday" };
        assert_eq!(
            window,
            format!("{{ day_of_week = \"{day}\", start_hour = 1, hours = 6 }}"),
            "{}",
            c.name
        );
    }
    let module = blocks(&tree, MODULE);
    let cluster = block(&module, "azurerm_kubernetes_cluster.this");
    for window in [
        "maintenance_window_auto_upgrade",
        "maintenance_window_node_os",
    ] {
        let body = nested(cluster, window);
        assert_eq!(attr(body, "frequency"), "\"Weekly\"");
        assert_eq!(attr(body, "day_of_week"), "var.maintenance.day_of_week");
        assert_eq!(attr(body, "duration"), "max(4, var.maintenance.hours)");
        assert_eq!(attr(body, "utc_offset"), "\"+00:00\"");
    }
}

#[test]
fn the_directory_is_the_tenant_of_the_provider_the_vault_and_the_cluster() {
    let directory = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    let tree = tree_of(&plan_text(
        &initech_with_prod(&format!("    directory: {directory}\n")),
        None,
        false,
    ));
    let quoted = format!("\"{directory}\"");
    let providers: Body = text(&tree, "terraform/prod/foundation/providers.tf")
        .parse()
        .unwrap();
    assert_eq!(
        attr(
            &providers.get_blocks("provider").next().unwrap().body,
            "tenant_id"
        ),
        quoted
    );
    let stack = blocks(&tree, "terraform/prod/foundation");
    assert_eq!(
        attr(block(&stack, "module.foundation"), "tenant_id"),
        quoted
    );
    let foundation = blocks(&tree, FOUNDATION);
    assert_eq!(
        attr(block(&foundation, "azurerm_key_vault.this"), "tenant_id"),
        "coalesce(var.tenant_id, data.azurerm_client_config.current.tenant_id)"
    );
    assert_eq!(
        attr(&call(&tree, "prod", "initech-prod-general-01"), "tenant_id"),
        quoted
    );
    // Without it: the applying client's directory.
    let test = blocks(&tree, "terraform/test/foundation");
    assert!(
        block(&test, "module.foundation")
            .get_attribute("tenant_id")
            .is_none()
    );
    assert!(
        call(&tree, "test", "initech-test-general-01")
            .get_attribute("tenant_id")
            .is_none()
    );
}

/// Lines that differ between `a` and `b` (removed plus added), by longest common
/// subsequence.
fn changed_lines(a: &str, b: &str) -> usize {
    let a: Vec<&str> = a.lines().collect();
    let b: Vec<&str> = b.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    a.len() + b.len() - 2 * lcs[0][0]
}

#[test]
fn adding_a_tenant_changes_at_most_15_lines_under_terraform() {
    let yaml = initech_yaml();
    let before_plan = plan_text(&yaml, None, false);
    let grown = format!(
        "{yaml}  zz-newcomer:\n    organization: underwriting\n    trust: trusted\n    unit: general\n    environments: [prod, test]\n"
    );
    let after_plan = plan_text(&grown, Some(&before_plan.placement()), false);
    assert!(after_plan.changes.moved.is_empty() && after_plan.changes.destroyed.is_empty());
    let (before, after) = (tree_of(&before_plan), tree_of(&after_plan));
    let terraform = |tree: &OutputTree| -> BTreeMap<String, String> {
        tree.files()
            .filter(|(p, _)| p.starts_with("terraform/"))
            .map(|(p, f)| (p.to_owned(), f.content.clone()))
            .collect()
    };
    let (old, new) = (terraform(&before), terraform(&after));
    assert_eq!(
        old.keys().collect::<Vec<_>>(),
        new.keys().collect::<Vec<_>>(),
        "no file comes or goes"
    );
    let changed: usize = old
        .iter()
        .map(|(path, text)| changed_lines(text, &new[path]))
        .sum();
    assert!(changed > 0 && changed <= 15, "{changed} lines changed");
    // The newcomer's group is a key of node_groups; no other key changed.
    for c in after_plan
        .clusters
        .iter()
        .filter(|c| c.tenants.iter().any(|t| t == "zz-newcomer"))
    {
        let groups = attr(&call(&after, &c.environment, &c.name), "node_groups");
        assert!(groups.contains("\"zz-newcomer-1\" = {"), "{groups}");
        for line in attr(&call(&before, &c.environment, &c.name), "node_groups").lines() {
            assert!(groups.contains(line), "{line}");
        }
    }
}

#[test]
fn logs_are_kept_as_long_as_on_aws() {
    let (_, tree) = initech();
    let foundation = blocks(&tree, FOUNDATION);
    let workspace = block(&foundation, "azurerm_log_analytics_workspace.this");
    assert_eq!(attr(workspace, "retention_in_days"), "365");
}

/// [`three_tenants`] outside production: a repack keeps production clusters' names (a
/// renamed cluster is a replaced one), so renames happen only outside production.
fn renamable(with_alpha_and_beta: bool) -> String {
    let yaml = three_tenants(with_alpha_and_beta);
    assert!(yaml.contains("production: true"));
    yaml.replacen("production: true", "production: false", 1)
}

/// The modules derive some names (`<cluster>-secrets`, `<name>-disks`, the system pool's
/// `<pool>tmp`, the resource group and workspace of the cluster's ids); the plan stays
/// their one source: a plan that names one otherwise is refused as a bug.
#[test]
fn a_name_the_modules_derive_must_be_the_plans() {
    let (plan, _) = initech();
    let mut renamed = plan.clone();
    let cluster = &mut renamed.clusters[0];
    let clusterwright::plan::resources::ClusterResources::Azure(azure) = &mut cluster.resources
    else {
        panic!("not AKS");
    };
    azure.system_pool_temporary_name = "rotating".to_owned();
    let name = cluster.name.clone();
    match targets::render(&renamed, &Templates::load(None).unwrap()) {
        Err(clusterwright::error::Error::Bug(message)) => {
            assert!(
                message.contains(&format!("temporary system pool of cluster `{name}`")),
                "{message}"
            );
            assert!(message.contains("`rotating`"), "{message}");
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
    let mut renamed = plan.clone();
    let clusterwright::plan::resources::EnvironmentCloud::Azure(azure) =
        &mut renamed.environments[0].resources.cloud
    else {
        panic!("not Azure");
    };
    azure.disk_key = "disks".to_owned();
    assert!(matches!(
        targets::render(&renamed, &Templates::load(None).unwrap()),
        Err(clusterwright::error::Error::Bug(m)) if m.contains("disk key")
    ));
}
