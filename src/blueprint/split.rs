//! Parsing a large blueprint on two cores.
//!
//! A blueprint of 10,000 tenants is about 1.4 MB, almost all of it the `tenants:` block,
//! and the YAML parser reads 5–9 MB/s: the parse is most of the time `validate` and `plan`
//! take. When the tenants block is a plain block mapping, it is cut in two at a tenant key
//! near its middle, and each half is parsed on its own thread while the rest of the document
//! is parsed too.
//!
//! This is an optimisation only, never a second opinion: anything unusual (a small file,
//! anchors or aliases, merge keys, tabs, no clean cut point) and any failure of any part
//! means the caller parses the whole document the ordinary way, which gives the one
//! authoritative result and every error with its location. Each part gets half the parser
//! budget, so the halves together accept nothing the whole would refuse.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Blueprint, Tenant};

/// Smaller documents are parsed in one piece: splitting would cost more than it saves.
const MIN_BYTES: usize = 256 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantsOnly {
    tenants: BTreeMap<String, Tenant>,
}

/// The blueprint parsed from `source` in parts, or `None` when it cannot or should not be.
pub fn parse(source: &str, options: fn() -> serde_saphyr::Options) -> Option<Blueprint> {
    if source.len() < MIN_BYTES {
        return None;
    }
    parse_in_parts(source, options)
}

/// [`parse`] without the size threshold.
fn parse_in_parts(source: &str, options: fn() -> serde_saphyr::Options) -> Option<Blueprint> {
    if source.contains(['&', '*', '\t']) || source.contains("<<") {
        return None;
    }
    let cut = Cut::find(source)?;
    let rest = format!(
        "{}tenants: {{}}\n{}",
        &source[..cut.block_start],
        &source[cut.block_end..]
    );
    let first = format!("tenants:\n{}", &source[cut.body_start..cut.middle]);
    let second = format!("tenants:\n{}", &source[cut.middle..cut.block_end]);
    let (rest, first, second) = std::thread::scope(|scope| {
        let second = scope
            .spawn(|| serde_saphyr::from_str_with_options::<TenantsOnly>(&second, options()).ok());
        let rest = serde_saphyr::from_str_with_options::<Blueprint>(&rest, options()).ok();
        let first = serde_saphyr::from_str_with_options::<TenantsOnly>(&first, options()).ok();
        (rest, first, second.join().ok().flatten())
    });
    let (mut blueprint, first, second) = (rest?, first?, second?);
    if !blueprint.tenants.is_empty() || first.tenants.keys().any(|k| second.tenants.contains_key(k))
    {
        // A tenant named in both halves is a duplicate key: the whole parse reports it.
        return None;
    }
    blueprint.tenants = first.tenants;
    blueprint.tenants.extend(second.tenants);
    Some(blueprint)
}

/// Where the tenants block is and where to cut it (byte offsets into the source).
#[derive(Debug, PartialEq, Eq)]
struct Cut {
    /// Start of the `tenants:` line.
    block_start: usize,
    /// Start of the first line after it.
    body_start: usize,
    /// Start of the tenant key line the second half begins with.
    middle: usize,
    /// End of the block: the next top-level line, or the end of the document.
    block_end: usize,
}

impl Cut {
    fn find(source: &str) -> Option<Self> {
        let mut offset = 0;
        let mut block_start = None;
        let mut lines: Vec<(usize, &str)> = Vec::new();
        for line in source.split_inclusive('\n') {
            let top_level = line.starts_with(|c: char| !c.is_whitespace() && c != '#');
            if top_level && block_start.is_some() {
                // The first top-level line after `tenants:` ends its block.
                return Self::at_middle(block_start?, &lines, offset);
            }
            if top_level && line.trim_end() == "tenants:" {
                block_start = Some(offset);
            } else if block_start.is_some() {
                lines.push((offset, line));
            } else if top_level && line.starts_with("tenants") {
                return None;
            }
            offset += line.len();
        }
        Self::at_middle(block_start?, &lines, offset)
    }

    /// Picks the tenant key line nearest the middle of the block.
    fn at_middle(block_start: usize, body: &[(usize, &str)], block_end: usize) -> Option<Self> {
        let body_start = body.first().map_or(block_end, |&(start, _)| start);
        let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
        let content = body
            .iter()
            .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
        // Tenants are the lines as indented as the first one (a mapping key, not a list
        // item or a flow collection); everything more indented belongs to a tenant.
        let tenant_indent = content
            .clone()
            .next()
            .map(|&(_, l)| indent(l))
            .filter(|&n| n > 0)?;
        let keys = content
            .filter(|&&(start, l)| {
                start > body_start
                    && indent(l) == tenant_indent
                    && !l.trim_start().starts_with(['-', '?', '{', '['])
            })
            .map(|&(start, _)| start);
        let half = body_start + (block_end - body_start) / 2;
        let middle = keys.min_by_key(|&k| k.abs_diff(half))?;
        Some(Self {
            block_start,
            body_start,
            middle,
            block_end,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_is_cut_at_a_tenant_key_near_its_middle() {
        let doc = "version: 1\ntenants:\n  a:\n    unit: x\n  b:\n    unit: x\n  c:\n    unit: x\n  d:\n    unit: x\nunits: {}\n";
        let cut = Cut::find(doc).unwrap();
        assert_eq!(&doc[cut.block_start..cut.body_start], "tenants:\n");
        assert!(
            doc[cut.middle..].starts_with("  c:\n"),
            "{}",
            &doc[cut.middle..]
        );
        assert!(doc[cut.block_end..].starts_with("units:"));
    }

    use proptest::prelude::*;

    fn base() -> Blueprint {
        let text = "version: 1\nname: acme\ncloud: aws\nregion: eu-central-1\nkubernetesVersion: '1.33'\npolicy: { zeroTrust: false, encryption: network }\nenvironments: {}\norganizations: {}\nunits: {}\ntenants: {}\n";
        serde_saphyr::from_str(text).unwrap()
    }

    prop_compose! {
        fn tenants()(entries in proptest::collection::btree_map("[a-z][a-z0-9-]{0,12}", (0u32..5, proptest::option::of(1u32..9), any::<bool>()), 2..40)) -> BTreeMap<String, Tenant> {
            entries.into_iter().map(|(name, (env, groups, untrusted))| {
                (name, Tenant {
                    organization: "org".into(),
                    trust: if untrusted { crate::blueprint::Trust::Untrusted } else { crate::blueprint::Trust::Trusted },
                    unit: "u".into(),
                    environments: (0..=env).map(|e| format!("env-{e}")).collect(),
                    node_groups: groups,
                    nodes: None,
                })
            }).collect()
        }
    }

    proptest! {
        #[test]
        fn parts_parse_to_exactly_what_the_whole_parses_to(tenants in tenants(), noise in proptest::collection::vec((0usize..1000, 0u8..3), 0..12)) {
            let mut bp = base();
            bp.tenants = tenants;
            let mut text = serde_saphyr::to_string(&bp).unwrap();
            // Comments and blank lines anywhere in the tenants block change nothing.
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            let start = lines.iter().position(|l| l == "tenants:").unwrap() + 1;
            for (at, kind) in noise {
                let at = start + at % (lines.len() - start);
                lines.insert(at, ["", "  # a comment", "      # deeper"][usize::from(kind)].to_owned());
            }
            text = lines.join("\n") + "\n";
            let whole: Blueprint = serde_saphyr::from_str(&text).unwrap();
            match parse_in_parts(&text, crate::blueprint::source::half_options) {
                Some(parts) => prop_assert_eq!(parts, whole),
                None => prop_assert!(false, "not split:\n{}", text),
            }
        }
    }

    #[test]
    fn unusual_documents_are_not_cut() {
        assert_eq!(Cut::find("tenants: {a: 1}\n"), None);
        assert_eq!(Cut::find("tenants:\n  a: 1\ntenants:\n  b: 1\n"), None);
    }
}
