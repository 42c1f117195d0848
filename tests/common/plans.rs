//! Plans and output trees of blueprint text, in process: what most target tests start from.

use std::path::Path;

use clusterwright::blueprint::{self, validate::validate};
use clusterwright::output::OutputTree;
use clusterwright::plan::{self, Placement, Plan};
use clusterwright::targets::{self, Templates};

use super::root;

/// The plan of `yaml` (read as `t.yaml`) after `previous`, repacked when `repack`; panics
/// with the diagnostics when the blueprint is invalid.
pub fn plan_text(yaml: &str, previous: Option<&Placement>, repack: bool) -> Plan {
    let loaded =
        blueprint::parse(Path::new("t.yaml"), yaml.to_owned()).unwrap_or_else(|p| panic!("{p:?}"));
    let validated = validate(loaded).unwrap_or_else(|p| panic!("{:#?}", p.problems()));
    plan::plan(&validated, previous, repack).unwrap_or_else(|e| panic!("{e:?}"))
}

/// The first plan of `yaml`: no earlier placement.
pub fn plan_of(yaml: &str) -> Plan {
    plan_text(yaml, None, false)
}

/// Every target of `plan`, rendered with the built-in templates and checked.
pub fn tree_of(plan: &Plan) -> OutputTree {
    targets::render(plan, &Templates::load(None).unwrap()).unwrap()
}

/// The text of `blueprints/<name>.yaml`.
pub fn bundled(name: &str) -> String {
    std::fs::read_to_string(root().join(format!("blueprints/{name}.yaml"))).unwrap()
}

/// The content of the generated file `path`; panics when it is not generated.
pub fn file<'a>(tree: &'a OutputTree, path: &str) -> &'a str {
    &tree
        .get(path)
        .unwrap_or_else(|| panic!("{path} is not generated"))
        .content
}
