//! Terraform as stacks (issue 12): per environment a foundation and per cluster a stack of
//! its own, each with its own state, each cluster stack a short call of the generated module
//! of its cloud. Checked on every bundled blueprint: every stack plans on its own (its state
//! key is its own, its module call passes exactly what the module declares, every output
//! it forwards exists), no documented step uses `-target`, and adding a tenant to an
//! existing cluster changes a few lines, not a resource block.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use clusterwright::blueprint::{self, validate::validate};
use clusterwright::output::OutputTree;
use clusterwright::plan::{self, Placement, Plan};
use clusterwright::targets::stacks;
use clusterwright::targets::terraform;
use hcl::edit::expr::Expression;
use hcl::edit::structure::{Block, Body};

use crate::common::plans::{bundled, tree_of};

const BLUEPRINTS: &[&str] = &[
    "acme-aws",
    "umbrella-aws",
    "globex-gcp",
    "hooli-gcp",
    "initech-azure",
    "soylent-aws",
];

fn plan_of(yaml: &str, previous: Option<&Placement>) -> Plan {
    let loaded =
        blueprint::parse(Path::new("t.yaml"), yaml.to_owned()).unwrap_or_else(|p| panic!("{p:?}"));
    let validated = validate(loaded).unwrap_or_else(|p| panic!("{:#?}", p.problems()));
    plan::plan(&validated, previous, false).unwrap_or_else(|e| panic!("{e:?}"))
}

/// Every `.tf` file of directory `dir` of the tree, parsed.
fn bodies(tree: &OutputTree, dir: &str) -> Vec<(String, Body)> {
    tree.files()
        .filter(|(p, _)| {
            p.rsplit_once('/').is_some_and(|(d, f)| {
                d == dir
                    && Path::new(f)
                        .extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("tf"))
            })
        })
        .map(|(p, f)| {
            (
                p.to_owned(),
                f.content.parse().unwrap_or_else(|e| panic!("{p}: {e}")),
            )
        })
        .collect()
}

fn blocks<'a>(bodies: &'a [(String, Body)], ident: &'a str) -> impl Iterator<Item = &'a Block> {
    bodies
        .iter()
        .flat_map(|(_, b)| b.blocks())
        .filter(move |b| b.ident.as_str() == ident)
}

fn string(expr: &Expression) -> Option<String> {
    match expr {
        Expression::String(s) => Some(s.value().clone()),
        _ => None,
    }
}

/// The variables a module declares: name → whether it has a default.
fn variables(module: &[(String, Body)]) -> BTreeMap<String, bool> {
    blocks(module, "variable")
        .map(|b| {
            let name = b.labels[0].as_str().to_owned();
            let has_default = b.body.attributes().any(|a| a.key.as_str() == "default");
            (name, has_default)
        })
        .collect()
}

fn outputs(module: &[(String, Body)]) -> BTreeSet<String> {
    blocks(module, "output")
        .map(|b| b.labels[0].as_str().to_owned())
        .collect()
}

/// The state key or prefix of the backend of a stack's `terraform` block.
fn backend_key(stack: &[(String, Body)]) -> Option<String> {
    let terraform = blocks(stack, "terraform").next()?;
    let backend = terraform
        .body
        .blocks()
        .find(|b| b.ident.as_str() == "backend")?;
    backend
        .body
        .attributes()
        .find(|a| matches!(a.key.as_str(), "key" | "prefix"))
        .and_then(|a| string(&a.value))
}

#[test]
fn every_stack_plans_on_its_own() {
    for name in BLUEPRINTS {
        let plan = plan_of(&bundled(name), None);
        let tree = tree_of(&plan);
        let all = stacks::stacks(&plan);
        assert!(!all.is_empty(), "{name}: no stacks");
        let mut keys = BTreeSet::new();
        for stack in &all {
            let files = bodies(&tree, &stack.dir);
            assert!(!files.is_empty(), "{name}: {} has no .tf files", stack.dir);
            // Its own state: the key in its backend is the stack's, and no other stack's.
            assert_eq!(
                backend_key(&files).as_deref(),
                Some(stack.state_key.as_str()),
                "{name}: {} does not keep its state under its own key",
                stack.dir
            );
            assert!(
                keys.insert(stack.state_key.clone()),
                "{name}: {} shares a state key",
                stack.dir
            );
            if terraform::module_files(stack.cloud, stack.kind).is_empty() {
                assert!(
                    blocks(&files, "module").next().is_none(),
                    "{name}: {}",
                    stack.dir
                );
                continue;
            }
            // A stack over a module is one call of its cloud's module, which is in the tree.
            let calls: Vec<&Block> = blocks(&files, "module").collect();
            assert_eq!(
                calls.len(),
                1,
                "{name}: {} calls {} modules",
                stack.dir,
                calls.len()
            );
            let call = calls[0];
            let source = call
                .body
                .attributes()
                .find(|a| a.key.as_str() == "source")
                .and_then(|a| string(&a.value));
            assert_eq!(
                source.as_deref(),
                Some(stacks::module_source(stack.cloud, stack.kind).as_str()),
                "{name}: {}",
                stack.dir
            );
            let module = bodies(&tree, &stacks::module_dir(stack.cloud, stack.kind));
            assert!(
                !module.is_empty(),
                "{name}: the module of {} is not in the tree",
                stack.dir
            );
            let declared = variables(&module);
            let passed: BTreeSet<String> = call
                .body
                .attributes()
                .map(|a| a.key.as_str().to_owned())
                .filter(|k| {
                    !matches!(
                        k.as_str(),
                        "source" | "version" | "providers" | "depends_on"
                    )
                })
                .collect();
            for arg in &passed {
                assert!(
                    declared.contains_key(arg),
                    "{name}: {} passes `{arg}`, which the module does not declare",
                    stack.dir
                );
            }
            for (variable, has_default) in &declared {
                assert!(
                    *has_default || passed.contains(variable),
                    "{name}: {} does not pass `{variable}`, which has no default",
                    stack.dir
                );
            }
            // What the stack forwards exists in the module.
            let label = call.labels[0].as_str().to_owned();
            let declared_outputs = outputs(&module);
            for (path, body) in &files {
                let text = body.to_string();
                for piece in text.split(&format!("module.{label}.")).skip(1) {
                    let output: String = piece
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    assert!(
                        declared_outputs.contains(&output),
                        "{name}: {path} reads `module.{label}.{output}`, which the module does not output"
                    );
                }
            }
        }
    }
}

#[test]
fn no_documented_step_uses_target() {
    for name in BLUEPRINTS {
        let tree = tree_of(&plan_of(&bundled(name), None));
        for (path, file) in tree.files() {
            assert!(
                !file.content.contains("-target"),
                "{name}: {path} tells the operator to use -target"
            );
        }
    }
}

/// A tenant with one node group like `like`'s, named `zz-newcomer`, in `like`'s
/// environments.
fn with_newcomer(yaml: &str, plan: &Plan, like: &str) -> String {
    let cluster = plan
        .clusters
        .iter()
        .find(|c| c.tenants.iter().any(|t| t == like))
        .unwrap();
    let group = cluster
        .tenant_groups()
        .find(|g| g.tenant.as_ref().is_some_and(|t| t.name == like))
        .unwrap();
    let envs: Vec<&str> = plan
        .clusters
        .iter()
        .filter(|c| c.tenants.iter().any(|t| t == like))
        .map(|c| c.environment.as_str())
        .collect();
    format!(
        "{}\n  zz-newcomer:\n    organization: {}\n    trust: trusted\n    unit: {}\n    environments: [{}]\n",
        yaml.trim_end(),
        group.tenant.as_ref().unwrap().organization,
        cluster.unit,
        envs.join(", ")
    )
}

/// Lines added and removed under `terraform/` from `before` to `after`, per cluster the
/// newcomer joined.
fn changed_lines(before: &OutputTree, after: &OutputTree) -> usize {
    let text = |tree: &OutputTree, path: &str| {
        tree.get(path)
            .map(|f| f.content.clone())
            .unwrap_or_default()
    };
    let paths: BTreeSet<&str> = before
        .files()
        .chain(after.files())
        .map(|(p, _)| p)
        .filter(|p| p.starts_with("terraform/"))
        .collect();
    paths
        .into_iter()
        .map(|p| {
            let (old, new) = (text(before, p), text(after, p));
            similar::TextDiff::from_lines(&old, &new)
                .iter_all_changes()
                .filter(|c| c.tag() != similar::ChangeTag::Equal)
                .count()
        })
        .sum()
}

#[test]
fn adding_a_tenant_to_an_existing_cluster_changes_at_most_15_lines_per_cluster() {
    for (name, like) in [
        ("acme-aws", "payroll"),
        ("umbrella-aws", "portal"),
        ("globex-gcp", "startup-a"),
        ("hooli-gcp", "indexer"),
        ("initech-azure", "quotes"),
        ("soylent-aws", "checkout"),
    ] {
        let yaml = bundled(name);
        let before_plan = plan_of(&yaml, None);
        let after_plan = plan_of(
            &with_newcomer(&yaml, &before_plan, like),
            Some(&before_plan.placement()),
        );
        assert!(
            after_plan.changes.created.is_empty()
                && after_plan.changes.moved.is_empty()
                && after_plan.changes.destroyed.is_empty(),
            "{name}: the newcomer should join existing clusters: {:?}",
            after_plan.changes
        );
        let joined = after_plan
            .clusters
            .iter()
            .filter(|c| c.tenants.iter().any(|t| t == "zz-newcomer"))
            .count();
        assert!(joined > 0, "{name}: the newcomer was not placed");
        let changed = changed_lines(&tree_of(&before_plan), &tree_of(&after_plan));
        println!("{name}: {changed} lines under terraform/ for {joined} cluster(s)");
        assert!(
            changed <= 15 * joined,
            "{name}: adding one tenant changed {changed} lines under terraform/ in {joined} cluster(s)"
        );
    }
}
