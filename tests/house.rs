//! House rules of the templates: they lay out what the plan decided, and they and their
//! context structs agree. The lint is `clusterwright::targets::lint`; these tests run it over
//! the embedded templates, and hold the names each template reads (Tera's own list of
//! top-level variables) to the contexts the bundled blueprints render it with.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use clusterwright::blueprint::{self, validate::validate};
use clusterwright::plan::{self, Placement, Plan};
use clusterwright::targets::{self, Templates, lint, templates};

use crate::common::{self, root};

fn source(name: &str) -> &'static str {
    templates::embedded()
        .get(name)
        .copied()
        .unwrap_or_else(|| panic!("`{name}` is not embedded"))
}

#[test]
fn the_lint_reads_every_embedded_template() {
    for name in templates::ALL {
        lint::findings(name, source(name)).unwrap_or_else(|e| panic!("{e}"));
        lint::variables(name, source(name)).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn templates_make_no_decisions() {
    // One line per tag, with how many operators in it were found.
    let mut lines: Vec<(String, usize)> = Vec::new();
    for name in templates::ALL {
        for f in lint::findings(name, source(name)).unwrap() {
            match lines.last_mut() {
                Some((last, count)) if *last == f.to_string() => *count += 1,
                _ => lines.push((f.to_string(), 1)),
            }
        }
    }
    let total: usize = lines.iter().map(|(_, count)| count).sum();
    let tags = lines.len();
    let list: Vec<String> = lines
        .iter()
        .map(|(line, count)| match count {
            1 => line.clone(),
            _ => format!("{line}  (x{count})"),
        })
        .collect();
    assert!(
        lines.is_empty(),
        "{total} findings in {tags} tags: templates compare with string literals or build values \
         with `~`; decide in Rust and give the template the result:\n{}",
        list.join("\n")
    );
}

fn plan_of(path: &Path, yaml: String, previous: Option<&Placement>, repack: bool) -> Plan {
    let loaded = blueprint::parse(path, yaml).unwrap_or_else(|p| panic!("{p:?}"));
    let validated = validate(loaded).unwrap_or_else(|p| panic!("{:#?}", p.problems()));
    plan::plan(&validated, previous, repack).unwrap_or_else(|e| panic!("{e:?}"))
}

/// The plan of every bundled blueprint, and one in which a `--repack` renamed a cluster
/// (as in tests/terraform.rs): the only kind of plan that renders `moved.tf`.
fn plans() -> Vec<Plan> {
    let mut paths: Vec<_> = fs::read_dir(root().join("blueprints"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    let mut plans: Vec<Plan> = paths
        .iter()
        .map(|path| plan_of(path, fs::read_to_string(path).unwrap(), None, false))
        .collect();
    // alpha and beta fill cluster 01, gamma is alone in 02; they leave, and a repack
    // renames 02 to 01.
    let tenants = |names: &[&str]| {
        // Not production: a repack keeps production clusters' names.
        let mut yaml = common::blueprint(&[("production: true", "production: false")]);
        for name in names {
            let _ = write!(
                yaml,
                "  {name}:\n    organization: corporate\n    trust: trusted\n    unit: standard\n    \
                 environments: [prod]\n    nodeGroups: 5\n    nodes: 10\n"
            );
        }
        yaml
    };
    let path = Path::new("repack.yaml");
    let first = plan_of(path, tenants(&["alpha", "beta", "gamma"]), None, false);
    let second = plan_of(path, tenants(&["gamma"]), Some(&first.placement()), false);
    let repacked = plan_of(path, tenants(&["gamma"]), Some(&second.placement()), true);
    assert!(
        repacked.clusters.iter().any(|c| !c.formerly.is_empty()),
        "the repack renames no cluster"
    );
    plans.push(repacked);
    plans
}

/// Per template, the contexts it was rendered with: their Rust type and top-level keys.
type Rendered = BTreeMap<String, Vec<(&'static str, BTreeSet<String>)>>;

/// Every template rendered for every one of [`plans`], recorded.
fn rendered() -> Rendered {
    let mut out = Rendered::new();
    for plan in plans() {
        let templates = Templates::load(None).unwrap().recording();
        targets::render_unchecked(&plan, &templates, &targets::Site::default()).unwrap();
        for (name, recorded) in templates.take_recorded() {
            for r in recorded {
                let keys = r.context.as_object().unwrap().keys().cloned().collect();
                out.entry(name.clone())
                    .or_default()
                    .push((r.context_type, keys));
            }
        }
    }
    out
}

/// A context type over the templates rendered with it.
#[derive(Default)]
struct ContextType<'a> {
    /// Every top-level key it had.
    keys: BTreeSet<&'a str>,
    /// Every name its templates read.
    reads: BTreeSet<&'a str>,
    /// Its templates.
    templates: Vec<&'a str>,
}

/// The contract, one line per disagreement; empty when it holds. Each template is held to
/// every context it was rendered with (what it reads is there); each context type to the
/// templates rendered with it (every top-level key is read by one of them).
fn disagreements(reads: &BTreeMap<&str, BTreeSet<String>>, rendered: &Rendered) -> Vec<String> {
    let mut out = Vec::new();
    let mut by_type: BTreeMap<&str, ContextType> = BTreeMap::new();
    for (name, reads) in reads {
        let Some(contexts) = rendered.get(*name) else {
            out.push(format!(
                "{name}: rendered by none of the plans, not checked"
            ));
            continue;
        };
        for read in reads {
            let lacking: Vec<&str> = contexts
                .iter()
                .filter(|(_, keys)| !keys.contains(read))
                .map(|(context_type, _)| *context_type)
                .collect();
            if !lacking.is_empty() {
                let types: BTreeSet<&str> = lacking.iter().copied().collect();
                out.push(format!(
                    "{name} reads `{read}`, which {} of its {} contexts ({}) lack",
                    lacking.len(),
                    contexts.len(),
                    types.into_iter().collect::<Vec<_>>().join(", ")
                ));
            }
        }
        for (context_type, keys) in contexts {
            let seen = by_type.entry(context_type).or_default();
            seen.keys.extend(keys.iter().map(String::as_str));
            seen.reads.extend(reads.iter().map(String::as_str));
            if !seen.templates.contains(name) {
                seen.templates.push(name);
            }
        }
    }
    for (context_type, seen) in by_type {
        let unread: Vec<&str> = seen.keys.difference(&seen.reads).copied().collect();
        if !unread.is_empty() {
            out.push(format!(
                "{context_type} (for {}) has keys no template reads: {}",
                seen.templates.join(", "),
                unread.join(", ")
            ));
        }
    }
    out
}

#[test]
fn every_template_reads_only_its_context_and_every_field_is_read() {
    let reads: BTreeMap<&str, BTreeSet<String>> = templates::ALL
        .iter()
        .map(|name| (*name, lint::variables(name, source(name)).unwrap()))
        .collect();
    let report = disagreements(&reads, &rendered());
    assert!(
        report.is_empty(),
        "templates and their contexts disagree:\n{}",
        report.join("\n")
    );
}

#[test]
fn the_contract_sees_a_name_a_context_lacks_an_unread_key_and_a_template_never_rendered() {
    let set = |names: &[&str]| {
        names
            .iter()
            .map(|n| (*n).to_owned())
            .collect::<BTreeSet<_>>()
    };
    let reads = BTreeMap::from([("a", set(&["x", "y"])), ("b", set(&["x"])), ("c", set(&[]))]);
    let rendered = Rendered::from([
        (
            "a".to_owned(),
            vec![("A", set(&["x", "y"])), ("A", set(&["x"]))],
        ),
        ("b".to_owned(), vec![("B", set(&["x", "z"]))]),
    ]);
    assert_eq!(
        disagreements(&reads, &rendered),
        [
            "a reads `y`, which 1 of its 2 contexts (A) lack",
            "c: rendered by none of the plans, not checked",
            "B (for b) has keys no template reads: z",
        ]
    );
}
