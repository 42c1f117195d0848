//! Reading the blueprint's text into its types: the first problem, with its key path and
//! location, said in the blueprint author's terms.

use serde::de::DeserializeOwned;
use serde_saphyr::{DefaultMessageFormatter, MessageFormatter};

use super::diagnostic::{Problem, Rule};
use super::source::{KeyPath, Loc, Segment, Target, options};
use crate::cloud::names::{did_you_mean, list};

/// The deepest a blueprint nests (tenants → name → environments → item is 4).
const MAX_DEPTH: usize = 32;

/// Deserializes `source` into `T`, with the key path and location of the first problem.
pub fn deserialize<T: DeserializeOwned>(source: &str) -> Result<T, Box<Problem>> {
    if is_blank(source) {
        return Err(Box::new(
            Problem::error(Rule::Read, KeyPath::root(), "the blueprint is empty")
                .with_help("run `clusterwright init` to write a commented starter blueprint"),
        ));
    }
    // Tracking the key path costs a fifth of the parse; only a failed parse needs it, so
    // the path is recorded on a second pass over a document already known to be bad.
    if let Ok(value) = serde_saphyr::from_str_with_options::<T>(source, options()) {
        return Ok(value);
    }
    let mut path = KeyPath::root();
    let result = serde_saphyr::with_deserializer_from_str_with_options(source, options(), |de| {
        serde_path_to_error::deserialize::<_, T>(de).map_err(|e| {
            path = convert_path(e.path());
            e.into_inner()
        })
    });
    result.map_err(|e| Box::new(problem_from_yaml_error(&e, path, source)))
}

/// Every problem of `source`, given the `first` the typed parse stopped at.
///
/// A problem of shape (an unknown key or value, a missing key, a wrong kind) may hide a YAML
/// error the typed parse never reached (a misindented key makes its mapping end early, and
/// the key is "missing"): the whole text is read as YAML first, and a syntax error is the
/// one problem then. Otherwise the document is walked against the blueprint's schema
/// (`blueprint::every`) and every problem of shape is reported, not only the first.
pub fn every_problem(source: &str, first: Problem) -> Vec<Problem> {
    if first.rule != Rule::Schema {
        return vec![first];
    }
    if let Err(e) = serde_saphyr::from_str_with_options::<serde::de::IgnoredAny>(source, options())
    {
        let syntax = problem_from_yaml_error(&e, KeyPath::root(), source);
        if syntax.rule == Rule::Syntax {
            return vec![syntax];
        }
    }
    let document = serde_saphyr::from_str_with_options::<serde_json::Value>(source, options());
    let schema = super::schema::json_schema()
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
    let (Ok(document), Some(schema)) = (document, schema) else {
        return vec![first];
    };
    let mut out = vec![first];
    for problem in super::every::problems(&schema, &document) {
        // One problem per place, except missing keys, which are many under one mapping.
        let missing = |p: &Problem| p.message.starts_with("missing required key");
        let known = out.iter().any(|o| {
            o.path == problem.path
                && (o.message == problem.message || !(missing(o) && missing(&problem)))
        });
        if !known {
            out.push(problem);
        }
    }
    out
}

fn is_blank(source: &str) -> bool {
    source
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#') || l.trim() == "---")
}

fn convert_path(path: &serde_path_to_error::Path) -> KeyPath {
    use serde_path_to_error::Segment as S;
    KeyPath(
        path.iter()
            .filter_map(|segment| match segment {
                S::Seq { index } => Some(Segment::Index(*index)),
                S::Map { key } => Some(Segment::Key(key.clone())),
                S::Enum { variant } => Some(Segment::Key(variant.clone())),
                S::Unknown => None,
            })
            .collect(),
    )
}

/// Turns a YAML or serde error into a problem a user can act on.
fn problem_from_yaml_error(error: &serde_saphyr::Error, path: KeyPath, source: &str) -> Problem {
    let bare = error.without_snippet();
    let message = DefaultMessageFormatter.format_message(bare).into_owned();
    let location = error
        .location()
        .and_then(|l| Loc::from_saphyr(l).or_else(|| Loc::from_line_column(source, l)));
    if let serde_saphyr::Error::ExternalMessage { .. } = bare {
        // The YAML scanner's own errors: the text is not YAML.
        let mut problem =
            Problem::error(Rule::Syntax, path, format!("YAML syntax error: {message}"))
                .with_help("check the indentation and the quoting on this line and the one before");
        if let Some(location) = location {
            problem = problem.located(location);
        }
        return problem;
    }
    let found = location.and_then(|l| source.get(l.offset..l.offset + l.len));
    let missing_key = message.starts_with("missing field ");
    let (rule, message, help) = match rewrite_type(&message, found) {
        Some((message, help)) => (Rule::Schema, message, Some(help)),
        None => rewrite_message(&message, &path),
    };
    let mut problem = Problem::error(rule, path, message).at(Target::Value);
    if let Some(help) = help {
        problem = problem.with_help(help);
    }
    if missing_key {
        // The parser points at the end of the mapping; the mapping's own key is clearer.
        return problem.at(Target::Key);
    }
    if let Some(location) = location {
        problem = problem.located(location);
    }
    problem
}

/// Type mismatches, said in the blueprint author's terms, with what was found.
fn rewrite_type(message: &str, found: Option<&str>) -> Option<(String, String)> {
    let (expected, help) = if message == "invalid boolean" {
        ("`true` or `false`", "write `true` or `false`")
    } else if message.starts_with("invalid u") || message.starts_with("invalid i") {
        (
            "a whole number",
            "write a whole number such as `10`, without quotes",
        )
    } else if message == "expected string scalar" {
        (
            "a single value",
            "write one value on the line; quote it if it contains `:`, `[` or `{`",
        )
    } else if message == "expected sequence start" {
        (
            "a list",
            "write a list, e.g. `[prod, staging]`, or one `- item` per line",
        )
    } else if message == "expected mapping start" {
        (
            "a mapping",
            "write `key: value` entries indented under this key",
        )
    } else {
        return None;
    };
    let found = found
        .map(str::trim)
        .filter(|f| !f.contains('\n') && f.chars().count() <= 40);
    let message = match found {
        Some("") => format!("expected {expected}, found nothing"),
        Some(text) if text.starts_with('[') || text.starts_with('-') => {
            format!("expected {expected}, found a list")
        }
        Some(text) if text.starts_with('{') => format!("expected {expected}, found a mapping"),
        Some(text) => format!("expected {expected}, found `{text}`"),
        None => format!("expected {expected}"),
    };
    Some((message, help.to_owned()))
}

/// Serde's and the parser's messages, reworded for the blueprint's author. Returns the
/// rule, the message and a hint.
fn rewrite_message(message: &str, path: &KeyPath) -> (Rule, String, Option<String>) {
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let (name, expected) = split_expected(rest);
        let help = match did_you_mean(&name, &expected) {
            Some(m) => format!("did you mean `{m}`? keys allowed here: {}", list(&expected)),
            None => format!("keys allowed here: {}", list(&expected)),
        };
        return (Rule::Schema, format!("unknown key `{name}`"), Some(help));
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let (name, expected) = split_expected(rest);
        let help = match did_you_mean(&name, &expected) {
            Some(m) => format!("did you mean `{m}`? expected one of {}", list(&expected)),
            None => format!("expected one of {}", list(&expected)),
        };
        return (Rule::Schema, format!("unknown value `{name}`"), Some(help));
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let name = rest.trim_matches('`');
        let where_ = if path.is_root() {
            " at the top level"
        } else {
            ""
        };
        return (
            Rule::Schema,
            format!("missing required key `{name}`{where_}"),
            Some(format!(
                "add `{name}:`; `clusterwright schema` describes every key"
            )),
        );
    }
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let name = rest
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or(rest);
        return (
            Rule::Syntax,
            format!("duplicate key `{name}`"),
            Some("a key may appear only once in a mapping; remove or merge the repeats".into()),
        );
    }
    if message.contains("Documents {") || message.contains("multiple documents") {
        return (
            Rule::Syntax,
            "the file holds more than one YAML document".into(),
            Some("a blueprint is one document; remove the `---` and what follows it".into()),
        );
    }
    if message.contains("recursion limit exceeded")
        || message.contains("depth") && message.contains("budget")
    {
        return (
            Rule::Syntax,
            format!("the document nests deeper than {MAX_DEPTH} levels"),
            Some("a blueprint nests at most 4 levels; this is not a blueprint".into()),
        );
    }
    if message.starts_with("budget breached") {
        return (
            Rule::Syntax,
            format!("the document exceeds the parser's limits ({message})"),
            Some(
                "a blueprint has no need for many aliases, anchors or documents; write the values out"
                    .into(),
            ),
        );
    }
    (Rule::Schema, message.to_owned(), None)
}

/// Splits "`name`, expected one of a, b" into the name and the expected names.
fn split_expected(rest: &str) -> (String, Vec<String>) {
    let (name, expected) = rest.split_once(", ").unwrap_or((rest, ""));
    let name = name.trim_matches('`').to_owned();
    let expected = expected
        .trim_start_matches("expected one of ")
        .trim_start_matches("expected ")
        .replace(" or ", ", ");
    let expected = if expected.starts_with("there are no") {
        Vec::new()
    } else {
        expected
            .split(", ")
            .map(|s| s.trim().trim_matches('`').to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    (name, expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_lists_are_split() {
        let (name, expected) = split_expected("`nodez`, expected one of unit, nodes, trust");
        assert_eq!(name, "nodez");
        assert_eq!(expected, ["unit", "nodes", "trust"]);
        let (_, expected) = split_expected("`x`, expected `a` or `b`");
        assert_eq!(expected, ["a", "b"]);
    }
}
