//! The house stands: imports point down the layers of DESIGN.md ("Code layout"), a target
//! knows no other target, and no two modules import each other, however indirectly.
//!
//! The test reads `src/` as text. Every `crate::…` and `super::…` path outside comments and
//! test modules is an import of the longest module it names (`crate::plan::ClusterPlan` is
//! `plan`, `crate::plan::topology::place` is `plan::topology`). A module's own children are
//! its private parts: `plan` declaring `mod topology` is not an import of it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::common::root;

/// The layers, lowest first. A module may import its own layer and the ones below.
const LAYERS: &[(&str, u32)] = &[
    ("parallel", 0),
    ("cloud", 1),
    ("blueprint", 2),
    ("error", 3),
    ("plan", 4),
    ("output", 5),
    ("targets", 6),
    ("cli", 7),
    ("", 8), // lib.rs: the crate root declares the layers
];

/// The backends under `targets/`: none may import another.
const TARGETS: &[&str] = &["terraform", "crossplane", "helm", "docs"];

/// Module path (`plan::topology`) → source text of its file, without comments and tests.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(root().join("src")).unwrap();
                let mut parts: Vec<String> = relative
                    .iter()
                    .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
                    .collect();
                if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
                    parts.pop();
                }
                if parts == ["main"] {
                    continue; // the binary, a crate of its own
                }
                out.insert(parts.join("::"), code(&fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&root().join("src"), &mut out);
    out
}

/// `text` without comment lines and without its test module (whose `super` is the file).
fn code(text: &str) -> String {
    let body = text.split("#[cfg(test)]").next().unwrap_or_default();
    body.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a text refers to from `module`, as segment lists from the crate root, with
/// `use a::{b, c::{d}}` groups expanded.
fn references(module: &str, text: &str) -> Vec<Vec<String>> {
    let here: Vec<String> = if module.is_empty() {
        Vec::new()
    } else {
        module.split("::").map(str::to_owned).collect()
    };
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let preceded_by_ident = i > 0
            && (bytes[i - 1].is_ascii_alphanumeric()
                || bytes[i - 1] == b'_'
                || bytes[i - 1] == b':');
        let start = if preceded_by_ident {
            None
        } else if rest.starts_with("crate::") {
            Some((Vec::new(), "crate::".len()))
        } else if rest.starts_with("super::") {
            let mut base = here.clone();
            let mut n = 0;
            while rest[n..].starts_with("super::") {
                base.pop();
                n += "super::".len();
            }
            Some((base, n))
        } else {
            None
        };
        match start {
            Some((base, n)) => {
                let (paths, used) = expand(&rest[n..]);
                for path in paths {
                    let mut full = base.clone();
                    full.extend(path);
                    out.push(full);
                }
                i += n + used.max(1);
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    out
}

/// Parses `a::b::{c, d::e}` at the start of `text`: the paths it names and the bytes read.
fn expand(text: &str) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    let mut i = 0;
    loop {
        let ident: String = text[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if ident.is_empty() {
            if text[i..].starts_with('{') {
                // A group: split at top-level commas.
                let mut depth = 0;
                let mut item_start = i + 1;
                let mut paths = Vec::new();
                for (j, c) in text[i..].char_indices() {
                    let at = i + j;
                    match c {
                        '{' => depth += 1,
                        '}' | ',' if depth == 1 => {
                            let item = text[item_start..at].trim();
                            if !item.is_empty() && item != "self" {
                                for path in expand(item).0 {
                                    let mut full = prefix.clone();
                                    full.extend(path);
                                    paths.push(full);
                                }
                            } else if item == "self" {
                                paths.push(prefix.clone());
                            }
                            item_start = at + 1;
                            if c == '}' {
                                return (paths, at + 1);
                            }
                        }
                        '}' => depth -= 1,
                        _ => {}
                    }
                }
                return (paths, text.len());
            }
            return (vec![prefix], i);
        }
        i += ident.len();
        prefix.push(ident);
        if text[i..].starts_with("::") {
            i += 2;
        } else {
            return (vec![prefix], i);
        }
    }
}

/// The import graph: module → modules it imports (never itself, never its descendants
/// through its own declarations).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let known: BTreeSet<&str> = modules.keys().map(String::as_str).collect();
    let mut graph = BTreeMap::new();
    for (module, text) in &modules {
        let mut imports = BTreeSet::new();
        for path in references(module, text) {
            // The longest prefix of the path that is a module.
            let target = (0..=path.len())
                .rev()
                .map(|n| path[..n].join("::"))
                .find(|candidate| known.contains(candidate.as_str()));
            if let Some(target) = target
                && &target != module
            {
                imports.insert(target);
            }
        }
        graph.insert(module.clone(), imports);
    }
    graph
}

fn layer(module: &str) -> (&'static str, u32) {
    let top = module.split("::").next().unwrap_or_default();
    LAYERS
        .iter()
        .find(|(name, _)| *name == top)
        .copied()
        .unwrap_or_else(|| panic!("module `{module}` is in no layer: add `{top}` to LAYERS"))
}

/// The backend of `targets::<backend>::…`, if any.
fn backend(module: &str) -> Option<&str> {
    let mut parts = module.split("::");
    (parts.next() == Some("targets"))
        .then(|| parts.next())
        .flatten()
        .filter(|b| TARGETS.contains(b))
}

/// Modules on a cycle: the strongly connected components with more than one module.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Kosaraju: order by finish time, then collect on the reversed graph.
    fn visit<'a>(
        node: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        seen: &mut BTreeSet<&'a str>,
        order: &mut Vec<&'a str>,
    ) {
        if !seen.insert(node) {
            return;
        }
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, seen, order);
        }
        order.push(node);
    }
    let mut seen = BTreeSet::new();
    let mut order = Vec::new();
    for node in graph.keys() {
        visit(node, graph, &mut seen, &mut order);
    }
    let mut reversed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, tos) in graph {
        for to in tos {
            reversed.entry(to.clone()).or_default().insert(from.clone());
        }
    }
    let mut assigned = BTreeSet::new();
    let mut out = Vec::new();
    for node in order.into_iter().rev() {
        let mut component = Vec::new();
        let mut stack = vec![node.to_owned()];
        while let Some(n) = stack.pop() {
            if !assigned.insert(n.clone()) {
                continue;
            }
            for next in reversed.get(&n).into_iter().flatten() {
                stack.push(next.clone());
            }
            component.push(n);
        }
        if component.len() > 1 {
            component.sort();
            out.push(component);
        }
    }
    out
}

#[test]
fn imports_point_down_the_layers_and_targets_stay_apart() {
    let graph = graph();
    assert!(graph.contains_key("plan::topology"), "src/ was not read");
    let mut wrong = Vec::new();
    for (module, imports) in &graph {
        let (from_layer, from_rank) = layer(module);
        for import in imports {
            let (to_layer, to_rank) = layer(import);
            if to_rank > from_rank {
                wrong.push(format!(
                    "`{module}` ({from_layer}) imports `{import}` ({to_layer}), a higher layer"
                ));
            }
            if let (Some(a), Some(b)) = (backend(module), backend(import))
                && a != b
            {
                wrong.push(format!(
                    "`{module}` imports `{import}`: the {a} target knows the {b} target"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_module_imports_itself_through_others() {
    let graph = graph();
    let cycles: Vec<String> = cycles(&graph).into_iter().map(|c| c.join(" ⇄ ")).collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_reader_sees_what_an_import_is() {
    assert_eq!(
        references(
            "plan::topology",
            "use crate::plan::{ClusterPlan, network::{a, b}};\nuse super::infra::label; my_crate::y(); a::super::z"
        ),
        vec![
            vec!["plan".to_owned(), "ClusterPlan".to_owned()],
            vec!["plan".to_owned(), "network".to_owned(), "a".to_owned()],
            vec!["plan".to_owned(), "network".to_owned(), "b".to_owned()],
            vec!["plan".to_owned(), "infra".to_owned(), "label".to_owned()],
        ]
    );
    let mut graph = BTreeMap::new();
    graph.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    graph.insert("b".to_owned(), BTreeSet::from(["c".to_owned()]));
    graph.insert("c".to_owned(), BTreeSet::from(["a".to_owned()]));
    graph.insert("d".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(cycles(&graph), vec![vec!["a", "b", "c"]]);
}

/// The raw YAML types of the blueprint: after validation only the resolved `Validated` is
/// read (defaults applied once), so no module outside `blueprint` names one of these.
const RAW_TYPES: &[&str] = &[
    "Blueprint",
    "Policy",
    "BlastRadius",
    "Waiver",
    "Environment",
    "Organization",
    "Unit",
    "Tenant",
    "Loaded",
];

#[test]
fn nothing_after_validation_reads_the_raw_blueprint() {
    let mut wrong = Vec::new();
    for (module, text) in modules() {
        if module == "blueprint" || module.starts_with("blueprint::") || module.is_empty() {
            continue;
        }
        for path in references(&module, &text) {
            if let [first, second, ..] = path.as_slice()
                && first == "blueprint"
                && RAW_TYPES.contains(&second.as_str())
            {
                wrong.push(format!("`{module}` reads `blueprint::{second}`"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
