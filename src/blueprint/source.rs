//! Where things are in the blueprint's text: key paths, the parser's limits, and the
//! source map that turns a key path into `line:column`.
//!
//! The blueprint types stay plain serde types; locations are looked up only when there is
//! something to report. [`SourceMap::build`] parses the text a second time into a tree of
//! spanned nodes and indexes every key and value by its [`KeyPath`].

use std::collections::HashMap;
use std::fmt;

use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

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
pub struct KeyPath(pub(super) Vec<Segment>);

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
    pub(super) fn from_saphyr(location: serde_saphyr::Location) -> Option<Self> {
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
    pub(super) fn from_line_column(source: &str, location: serde_saphyr::Location) -> Option<Self> {
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
pub(super) fn options() -> serde_saphyr::Options {
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

/// Whether a problem is about a key or the value under it (where the label goes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The key itself (a bad name, an unknown key).
    Key,
    /// The value under the key.
    Value,
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
}
