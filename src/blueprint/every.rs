//! Every schema problem of a document at once.
//!
//! serde stops at the first problem of a document, so three typos took three runs. When the
//! typed parse fails on a problem of shape (an unknown key, an unknown value, a missing key,
//! a value of the wrong kind) and the text is well-formed YAML, the document is read as a
//! plain tree and walked against the blueprint's own JSON Schema ([`super::schema`], the
//! one `clusterwright schema` prints), collecting each problem with its key path. Only what
//! the schema states is checked here (keys, required keys, enumerated values, kinds of
//! value, minimums); everything else is validation's.

use serde_json::{Map, Value};

use super::diagnostic::{Problem, Rule};
use super::source::{KeyPath, Target};
use crate::cloud::names::{did_you_mean, list};

/// Every problem of shape in `document` against `schema` (a JSON Schema with `$defs`).
pub fn problems(schema: &Value, document: &Value) -> Vec<Problem> {
    let mut out = Vec::new();
    Walker { schema }.walk(schema, document, &KeyPath::root(), &mut out);
    out
}

struct Walker<'a> {
    schema: &'a Value,
}

impl Walker<'_> {
    /// `node` with its `$ref` followed.
    fn resolve<'s>(&'s self, node: &'s Value) -> &'s Value {
        let mut node = node;
        // References do not chain in this schema; a few hops guard against a loop.
        for _ in 0..8 {
            let Some(target) = node.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let Some(name) = target.strip_prefix("#/$defs/") else {
                break;
            };
            match self.schema.get("$defs").and_then(|d| d.get(name)) {
                Some(def) => node = def,
                None => break,
            }
        }
        node
    }

    fn walk(&self, schema: &Value, value: &Value, path: &KeyPath, out: &mut Vec<Problem>) {
        let schema = self.resolve(schema);
        // `Option<T>`: `anyOf: [T, null]`.
        if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
            if value.is_null()
                && branches
                    .iter()
                    .any(|b| b.get("type") == Some(&"null".into()))
            {
                return;
            }
            // A value of several shapes (a unit's `instanceType`: a name or a mapping per
            // cloud) follows the branch of its own kind; an `Option<T>` has one branch.
            let branches: Vec<&Value> = branches
                .iter()
                .filter(|b| b.get("type") != Some(&"null".into()))
                .collect();
            let fits = |b: &&&Value| kinds(self.resolve(b)).iter().any(|k| is_kind(value, k));
            match (branches.iter().find(fits), branches.as_slice()) {
                (Some(branch), _) | (None, [branch]) => self.walk(branch, value, path, out),
                (None, _) => {
                    let expected = branches
                        .iter()
                        .flat_map(|b| kinds(self.resolve(b)))
                        .map(|k| kind_word(&k))
                        .collect::<Vec<_>>()
                        .join(" or ");
                    out.push(kind_problem(path, &expected, "", value));
                }
            }
            return;
        }
        // Enumerated words: `oneOf` of `const`s.
        if let Some(words) = enumerated(schema) {
            match value.as_str() {
                Some(word) if words.iter().any(|w| w == word) => {}
                Some(word) => {
                    let help = match did_you_mean(word, &words) {
                        Some(m) => format!("did you mean `{m}`? expected one of {}", list(&words)),
                        None => format!("expected one of {}", list(&words)),
                    };
                    out.push(
                        Problem::error(
                            Rule::Schema,
                            path.clone(),
                            format!("unknown value `{word}`"),
                        )
                        .with_help(help),
                    );
                }
                None => out.push(kind_problem(path, "one of the words", &list(&words), value)),
            }
            return;
        }
        let kinds = kinds(schema);
        if !kinds.is_empty() && !kinds.iter().any(|k| is_kind(value, k)) {
            let expected = kinds
                .iter()
                .filter(|k| *k != "null")
                .map(|k| kind_word(k))
                .collect::<Vec<_>>()
                .join(" or ");
            out.push(kind_problem(path, &expected, "", value));
            return;
        }
        if let (Some(minimum), Some(n)) = (
            schema.get("minimum").and_then(Value::as_f64),
            value.as_f64(),
        ) && n < minimum
        {
            out.push(
                Problem::error(
                    Rule::Schema,
                    path.clone(),
                    format!("expected at least {minimum}, found {n}"),
                )
                .with_help(format!("write a whole number of {minimum} or more")),
            );
        }
        match value {
            Value::Object(map) => self.object(schema, map, path, out),
            Value::Array(items) => {
                if let Some(item) = schema.get("items") {
                    for (i, v) in items.iter().enumerate() {
                        self.walk(item, v, &path.index(i), out);
                    }
                }
            }
            _ => {}
        }
    }

    fn object(
        &self,
        schema: &Value,
        map: &Map<String, Value>,
        path: &KeyPath,
        out: &mut Vec<Problem>,
    ) {
        let properties = schema.get("properties").and_then(Value::as_object);
        if let Some(properties) = properties {
            let allowed: Vec<&String> = properties.keys().collect();
            for (key, value) in map {
                match properties.get(key) {
                    Some(property) => self.walk(property, value, &path.key(key.clone()), out),
                    None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                        let names: Vec<String> = allowed.iter().map(|k| (*k).clone()).collect();
                        let help = match did_you_mean(key, &names) {
                            Some(m) => {
                                format!("did you mean `{m}`? keys allowed here: {}", list(&names))
                            }
                            None => format!("keys allowed here: {}", list(&names)),
                        };
                        out.push(
                            Problem::error(
                                Rule::Schema,
                                path.key(key.clone()),
                                format!("unknown key `{key}`"),
                            )
                            .at(Target::Key)
                            .with_help(help),
                        );
                    }
                    None => {}
                }
            }
            for required in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !map.contains_key(required) {
                    let where_ = if path.is_root() {
                        " at the top level"
                    } else {
                        ""
                    };
                    out.push(
                        Problem::error(
                            Rule::Schema,
                            path.clone(),
                            format!("missing required key `{required}`{where_}"),
                        )
                        .at(Target::Key)
                        .with_help(format!(
                            "add `{required}:`; `clusterwright schema` describes every key"
                        )),
                    );
                }
            }
        } else if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
            // A map keyed by name (environments, tenants, tags).
            for (key, value) in map {
                self.walk(values, value, &path.key(key.clone()), out);
            }
        }
    }
}

/// The words of an enumeration (`oneOf` of `const`s, or `enum`), if `schema` is one.
fn enumerated(schema: &Value) -> Option<Vec<String>> {
    if let Some(words) = schema.get("enum").and_then(Value::as_array) {
        return Some(
            words
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        );
    }
    let branches = schema.get("oneOf").and_then(Value::as_array)?;
    branches
        .iter()
        .map(|b| b.get("const").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// The JSON types `schema` allows (`type`, a word or a list).
fn kinds(schema: &Value) -> Vec<String> {
    match schema.get("type") {
        Some(Value::String(k)) => vec![k.clone()],
        Some(Value::Array(ks)) => ks
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn is_kind(value: &Value, kind: &str) -> bool {
    match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.as_i64().is_some() || value.as_u64().is_some(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        _ => true,
    }
}

fn kind_word(kind: &str) -> &'static str {
    match kind {
        "object" => "a mapping",
        "array" => "a list",
        "string" => "a single value",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "`true` or `false`",
        _ => "a value",
    }
}

/// A value of the wrong kind, said as the typed parse says it.
fn kind_problem(path: &KeyPath, expected: &str, choices: &str, value: &Value) -> Problem {
    let found = match value {
        Value::Null => "nothing".to_owned(),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
        Value::String(s) if s.chars().count() <= 40 => format!("`{s}`"),
        Value::String(_) => "a long text".to_owned(),
        other => format!("`{other}`"),
    };
    let help = if choices.is_empty() {
        format!("write {expected}")
    } else {
        format!("write one of {choices}")
    };
    Problem::error(
        Rule::Schema,
        path.clone(),
        format!("expected {expected}, found {found}"),
    )
    .with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(yaml: &str) -> Vec<String> {
        let schema: Value =
            serde_json::from_str(&super::super::schema::json_schema().unwrap()).unwrap();
        let document: Value = serde_saphyr::from_str(yaml).unwrap();
        problems(&schema, &document)
            .into_iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect()
    }

    #[test]
    fn every_problem_of_shape_at_once() {
        let found = check(
            "version: 1\nname: acme\ncloud: aws\nregion: eu-central-1\nkubernetesVersion: \"1.33\"\n\
             policy: { zeroTrust: false, encryption: netwrk }\n\
             environments: { prod: { production: true, account: \"1\", cidr: 10.0.0.0/16, colour: red } }\n\
             organizations: { retail: { boundary: hard } }\n\
             units: { std: { tenantsPerCluster: 0, nodeGroupsPerCluster: 1, nodesPerGroup: x } }\n\
             tenants: { globex: { organization: retail, trust: trustd, environments: [prod] } }\n",
        );
        assert_eq!(
            found,
            [
                "environments.prod.colour: unknown key `colour`",
                "policy.encryption: unknown value `netwrk`",
                "tenants.globex.trust: unknown value `trustd`",
                "tenants.globex: missing required key `unit`",
                "units.std.nodesPerGroup: expected a whole number, found `x`",
                "units.std.tenantsPerCluster: expected at least 1, found 0",
                "units.std: missing required key `instanceType`",
            ]
        );
    }

    #[test]
    fn a_valid_document_has_none() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/blueprints/acme-aws.yaml"
        ))
        .unwrap();
        assert_eq!(check(&text), Vec::<String>::new());
    }
}
