//! Where things are in the blueprint's text: key paths, YAML parsing with limits, and the
//! source map that turns a key path into `line:column`.
//!
//! The blueprint types stay plain serde types; locations are looked up only when there is
//! something to report. [`SourceMap::build`] parses the text a second time into a tree of
//! spanned nodes and indexes every key and value by its [`KeyPath`].

use std::collections::HashMap;
use std::fmt;

use serde::de::{DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_saphyr::{DefaultMessageFormatter, MessageFormatter, Spanned};

use crate::diagnostic::{Problem, Rule, Target};

/// One step of a key path: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// A mapping key.
    Key(String),
    /// A sequence index, from 0.
    Index(usize),
}

/// A path to a node of the document, such as `tenants.globex.unit`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyPath(Vec<Segment>);

impl KeyPath {
    /// The document itself.
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// Builds a path from mapping keys.
    pub fn keys<I, S>(keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self(keys.into_iter().map(|k| Segment::Key(k.into())).collect())
    }

    /// This path extended by a mapping key.
    #[must_use]
    pub fn key(&self, key: impl Into<String>) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Key(key.into()));
        Self(segments)
    }

    /// This path extended by a sequence index.
    #[must_use]
    pub fn index(&self, index: usize) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Index(index));
        Self(segments)
    }

    /// The path one level up; the root is its own parent.
    #[must_use]
    pub fn parent(&self) -> Self {
        let mut segments = self.0.clone();
        segments.pop();
        Self(segments)
    }

    /// Whether this is the document itself.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The segments, from the top.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(top level)");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Index(n) => write!(f, "[{n}]")?,
                Segment::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    let plain = !k.is_empty()
                        && k.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                    if plain {
                        f.write_str(k)?;
                    } else {
                        write!(f, "{k:?}")?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// A place in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loc {
    /// Line, from 1.
    pub line: u64,
    /// Column in characters, from 1.
    pub column: u64,
    /// Byte offset of the start.
    pub offset: usize,
    /// Length in bytes (0 for the start of a collection).
    pub len: usize,
}

impl Loc {
    fn from_saphyr(location: serde_saphyr::Location) -> Option<Self> {
        if location.line() == 0 {
            return None;
        }
        let span = location.span();
        Some(Self {
            line: location.line(),
            column: location.column(),
            offset: usize::try_from(span.byte_offset()?).ok()?,
            len: usize::try_from(span.byte_len().unwrap_or(0)).ok()?,
        })
    }
}

impl Loc {
    /// A location from a line and column (in characters), when the parser gave no byte
    /// offset.
    fn from_line_column(source: &str, location: serde_saphyr::Location) -> Option<Self> {
        let line = usize::try_from(location.line()).ok()?.checked_sub(1)?;
        let column = usize::try_from(location.column()).ok()?.checked_sub(1)?;
        let line_start: usize = source.split_inclusive('\n').take(line).map(str::len).sum();
        let text = source.get(line_start..)?;
        let offset = line_start
            + text
                .char_indices()
                .nth(column)
                .map_or(text.len(), |(i, _)| i);
        let len = usize::from(offset < source.len());
        Some(Self {
            line: location.line(),
            column: location.column(),
            offset,
            len,
        })
    }
}

/// The parser's limits. Generous for any real blueprint (a 50,000-tenant blueprint has about
/// 1.5 million nodes), tight enough that a hostile file (alias bombs, deep nesting) fails in
/// milliseconds with bounded memory.
fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        with_snippet: false,
        budget: serde_saphyr::budget! {
            max_depth: 32,
            max_nodes: 4_000_000,
            max_events: 10_000_000,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_documents: 1,
            // What aliases may replay: plenty for sharing a few settings, nothing like the
            // millions of events an alias bomb asks for.
            max_recorded_anchor_events: 100_000,
            max_recorded_anchor_bytes: 8 * 1024 * 1024,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 100_000,
        },
    }
}

/// The parser's limits for one of two parts of a document parsed in parts: half the
/// nodes and events each, so the parts together accept nothing the whole would refuse.
pub fn half_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        with_snippet: false,
        budget: serde_saphyr::budget! {
            max_depth: 32,
            max_nodes: 2_000_000,
            max_events: 5_000_000,
            max_aliases: 0,
            max_anchors: 0,
            max_documents: 1,
        },
    }
}

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

fn list(names: &[String]) -> String {
    if names.is_empty() {
        return "none".into();
    }
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The candidate closest to `name`, when it is close enough to be a typo.
pub fn did_you_mean<'a, I, S>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a S>,
    S: AsRef<str> + 'a + ?Sized,
{
    let name_lower = name.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let c = c.as_ref();
            (
                strsim::jaro_winkler(&name_lower, &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c.to_owned())
}

/// Where every key and value of a document is.
#[derive(Debug, Default)]
pub struct SourceMap {
    entries: HashMap<KeyPath, Entry>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    key: Option<Loc>,
    value: Option<Loc>,
}

impl SourceMap {
    /// Indexes `source`. A document that does not parse gives an empty map (the problem
    /// that says so carries its own location).
    pub fn build(source: &str) -> Self {
        let mut map = Self::default();
        if let Ok(root) = serde_saphyr::from_str_with_options::<Spanned<Node>>(source, options()) {
            map.insert(&KeyPath::root(), None, &root);
        }
        map
    }

    fn insert(&mut self, path: &KeyPath, key: Option<Loc>, node: &Spanned<Node>) {
        self.entries.insert(
            path.clone(),
            Entry {
                key,
                value: Loc::from_saphyr(node.referenced),
            },
        );
        match &node.value {
            Node::Map(entries) => {
                for (k, v) in entries {
                    self.insert(
                        &path.key(k.value.clone()),
                        Loc::from_saphyr(k.referenced),
                        v,
                    );
                }
            }
            Node::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.insert(&path.index(i), None, item);
                }
            }
            Node::Scalar => {}
        }
    }

    /// The location of `path`'s key or value, or of its nearest ancestor that exists.
    pub fn locate(&self, path: &KeyPath, target: Target) -> Option<Loc> {
        let mut path = path.clone();
        let mut target = target;
        loop {
            if let Some(entry) = self.entries.get(&path) {
                let found = match target {
                    Target::Key => entry.key.or(entry.value),
                    Target::Value => entry.value.or(entry.key),
                };
                if found.is_some() {
                    return found;
                }
            }
            if path.is_root() {
                return None;
            }
            path = path.parent();
            // A missing child is best shown at its parent's key.
            target = Target::Key;
        }
    }

    /// Whether `path` is written in the document.
    pub fn contains(&self, path: &KeyPath) -> bool {
        self.entries.contains_key(path)
    }
}

/// A YAML node with spans, only as much as locating needs.
enum Node {
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
    Seq(Vec<Spanned<Node>>),
    Scalar,
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NodeVisitor;
        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any YAML node")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_i128<E>(self, _: i128) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_u128<E>(self, _: u128) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_str<E>(self, _: &str) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_bytes<E>(self, _: &[u8]) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
                Node::deserialize(d)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    entries.push((key, map.next_value()?));
                }
                Ok(Node::Map(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Node::Seq(items))
            }
        }
        deserializer.deserialize_any(NodeVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_display_like_the_yaml() {
        let p = KeyPath::keys(["tenants", "globex", "environments"]).index(1);
        assert_eq!(p.to_string(), "tenants.globex.environments[1]");
        assert_eq!(
            KeyPath::keys(["tags", "cost.center"]).to_string(),
            "tags.\"cost.center\""
        );
        assert_eq!(KeyPath::root().to_string(), "(top level)");
    }

    #[test]
    fn source_map_locates_keys_and_values() {
        let src = "name: acme\ntenants:\n  globex:\n    unit: standrd\n";
        let map = SourceMap::build(src);
        let value = map
            .locate(&KeyPath::keys(["tenants", "globex", "unit"]), Target::Value)
            .unwrap();
        assert_eq!((value.line, value.column), (4, 11));
        assert_eq!(&src[value.offset..value.offset + value.len], "standrd");
        let key = map
            .locate(&KeyPath::keys(["tenants", "globex"]), Target::Key)
            .unwrap();
        assert_eq!((key.line, key.column), (3, 3));
    }

    #[test]
    fn missing_paths_fall_back_to_the_parent_key() {
        let src = "policy:\n  zeroTrust: true\n";
        let map = SourceMap::build(src);
        let loc = map
            .locate(&KeyPath::keys(["policy", "mesh"]), Target::Value)
            .unwrap();
        assert_eq!((loc.line, loc.column), (1, 1));
    }

    #[test]
    fn did_you_mean_finds_typos_only() {
        let units = ["standard", "large"];
        assert_eq!(did_you_mean("standrd", &units).as_deref(), Some("standard"));
        assert_eq!(did_you_mean("xyz", &units), None);
    }

    #[test]
    fn expected_lists_are_split() {
        let (name, expected) = split_expected("`nodez`, expected one of unit, nodes, trust");
        assert_eq!(name, "nodez");
        assert_eq!(expected, ["unit", "nodes", "trust"]);
        let (_, expected) = split_expected("`x`, expected `a` or `b`");
        assert_eq!(expected, ["a", "b"]);
    }
}
