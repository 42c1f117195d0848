//! The template filters, registered in one place: quoting for HCL and YAML, so that no
//! value from a blueprint can inject code into generated files.
//!
//! - `hcl_str`: an HCL quoted string literal. Escapes `\`, `"`, line breaks, tabs and other
//!   control characters, and the template sequences `${` and `%{` (as `$${` and `%%{`), so
//!   Terraform reads back exactly the text given and never interpolates it.
//! - `hcl_inner`: the same escaping without the quotes, for a value inside a quoted string
//!   the template writes (`"{{ name | hcl_inner }}-nat-${each.key}"`).
//! - `hcl`: any value as an HCL expression: strings via `hcl_str`, numbers, booleans, `null`,
//!   lists and objects (one line; keys quoted unless they are identifiers).
//! - `hcl_ident`: an HCL identifier (a resource or block label); refuses anything else,
//!   rather than guessing, so two names can never collapse into one.
//! - `yaml_str`: a YAML scalar no YAML 1.1 reader (Helm's) can misread: plain only when it
//!   is unmistakably a string, double-quoted otherwise (`yes`, `no`, `on`, `0755`, `1e3`,
//!   `12:30`, `~` and `null` all come out quoted).
//! - `json_str`: a JSON string literal, for values inside a JSON document the template writes
//!   (an IAM policy in a YAML block scalar): quotes, backslashes and line breaks escaped, so
//!   the value can end neither the JSON string nor the block.

use std::fmt::Write;

use tera::{Kwargs, State, Tera, Value};

/// Registers every filter on `tera`.
pub fn register(tera: &mut Tera) {
    tera.register_filter("hcl_str", |s: &str, _: Kwargs, _: &State| hcl_str(s));
    tera.register_filter("hcl_inner", |s: &str, _: Kwargs, _: &State| hcl_inner(s));
    tera.register_filter("hcl", |v: Value, _: Kwargs, _: &State| hcl(&v));
    tera.register_filter("hcl_ident", |s: &str, _: Kwargs, _: &State| hcl_ident(s));
    tera.register_filter("yaml_str", |s: &str, _: Kwargs, _: &State| yaml_str(s));
    tera.register_filter("json_str", |s: &str, _: Kwargs, _: &State| json_str(s));
}

/// `s` as a JSON string literal, on one line and in printable ASCII: everything else is a
/// `\u` escape (UTF-16, as JSON spells characters outside the basic plane), so no character
/// can end a YAML block or be one a YAML reader refuses.
pub fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
    out
}

/// `s` as an HCL quoted string literal.
pub fn hcl_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                // `${` and `%{` start template sequences; doubling the sigil escapes them.
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `s` escaped for the inside of an HCL quoted string (the quotes left to the template).
pub fn hcl_inner(s: &str) -> String {
    let quoted = hcl_str(s);
    quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or(&quoted)
        .to_owned()
}

/// Whether `s` is an HCL identifier: a letter or `_`, then letters, digits, `_` and `-`.
pub fn is_hcl_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `s` as an HCL identifier, or an error saying why it is not one.
pub fn hcl_ident(s: &str) -> Result<String, tera::Error> {
    if is_hcl_ident(s) {
        Ok(s.to_owned())
    } else {
        Err(tera::Error::message(format!(
            "`{}` is not an HCL identifier (a letter or `_`, then letters, digits, `_` and `-`)",
            s.escape_debug()
        )))
    }
}

/// Any value as an HCL expression on one line.
pub fn hcl(v: &Value) -> String {
    let mut out = String::new();
    write_hcl(&mut out, v);
    out
}

fn write_hcl(out: &mut String, v: &Value) {
    if v.is_none() {
        out.push_str("null");
    } else if let Some(b) = v.as_bool() {
        out.push_str(if b { "true" } else { "false" });
    } else if let Some(s) = v.as_str() {
        out.push_str(&hcl_str(s));
    } else if let Some(items) = v.as_array() {
        out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_hcl(out, item);
        }
        out.push(']');
    } else if let Some(map) = v.as_map() {
        out.push('{');
        // Sorted, whatever order the map came in.
        let mut entries: Vec<(String, &Value)> =
            map.iter().map(|(k, v)| (k.to_string(), v)).collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for (i, (key, item)) in entries.iter().enumerate() {
            out.push_str(if i > 0 { ", " } else { " " });
            if is_hcl_ident(key) {
                out.push_str(key);
            } else {
                out.push_str(&hcl_str(key));
            }
            out.push_str(" = ");
            write_hcl(out, item);
        }
        out.push_str(if map.is_empty() { "}" } else { " }" });
    } else {
        // Numbers print as themselves.
        let _ = write!(out, "{v}");
    }
}

/// Words YAML 1.1 reads as booleans or null, in any case.
const YAML_11_WORDS: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
];

/// `s` as a YAML scalar that reads back as exactly `s` in YAML 1.1 and 1.2.
pub fn yaml_str(s: &str) -> String {
    let plain = s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-'))
        && !YAML_11_WORDS.contains(&s.to_ascii_lowercase().as_str());
    if plain {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{feff}' || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What HCL reads back from `attr = <literal>`.
    fn hcl_roundtrip(literal: &str) -> String {
        let body: hcl::edit::structure::Body =
            format!("attr = {literal}\n").parse().expect("parses");
        let attr = body.get_attribute("attr").expect("attribute");
        match &attr.value {
            hcl::edit::expr::Expression::String(s) => s.value().clone(),
            other => panic!("not a plain string: {other:?}"),
        }
    }

    #[test]
    fn hcl_strings_escape_everything_that_could_break_out() {
        assert_eq!(hcl_str(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(hcl_str("${var.x} %{if}"), r#""$${var.x} %%{if}""#);
        assert_eq!(hcl_str("line\nbreak"), r#""line\nbreak""#);
        assert_eq!(hcl_str("$ % {"), r#""$ % {""#);
        assert_eq!(
            hcl_roundtrip(&hcl_str("\" } resource \"x\" \"y\" { #")),
            "\" } resource \"x\" \"y\" { #"
        );
    }

    #[test]
    fn hcl_values() {
        let v = Value::from_serializable(
            &serde_json::json!({"a": [1, true, null], "b-c": "x", "d e": {}}),
        );
        assert_eq!(hcl(&v), r#"{ a = [1, true, null], b-c = "x", "d e" = {} }"#);
    }

    #[test]
    fn hcl_identifiers_are_refused_rather_than_guessed() {
        assert!(hcl_ident("acme-prod-01").is_ok());
        assert!(hcl_ident("_x").is_ok());
        assert!(hcl_ident("1x").is_err());
        assert!(hcl_ident("a b").is_err());
        assert!(hcl_ident("").is_err());
    }

    #[test]
    fn yaml_scalars_that_yaml_11_would_misread_are_quoted() {
        for s in [
            "yes", "No", "ON", "off", "y", "n", "true", "null", "~", "0755", "1e3", "12:30", "",
            " x", "x: y", "-1", ".inf", "@x", "#x",
        ] {
            assert!(
                yaml_str(s).starts_with('"'),
                "{s} is not quoted: {}",
                yaml_str(s)
            );
        }
        assert_eq!(yaml_str("wireguard"), "wireguard");
        assert_eq!(yaml_str("acme-prod-01"), "acme-prod-01");
        assert_eq!(yaml_str("io.cilium/x"), "io.cilium/x");
    }

    proptest! {
        #[test]
        fn any_string_survives_hcl_str(s in any::<String>()) {
            prop_assert_eq!(hcl_roundtrip(&hcl_str(&s)), s);
        }

        #[test]
        fn template_like_strings_survive_hcl_str_and_formatting(
            parts in proptest::collection::vec(proptest::sample::select(vec!["${", "$${", "%{", "%%{", "$", "%", "{", "}", "\"", "\\", "a", " ", "\n"]), 0..12)
        ) {
            let s = parts.concat();
            prop_assert_eq!(&hcl_roundtrip(&hcl_str(&s)), &s);
            // The formatting pass must not change what a literal means either.
            let formatted = crate::targets::hclfmt::format(&format!("attr = {}\nxx = 1\n", hcl_str(&s))).expect("formats");
            let body: hcl::edit::structure::Body = formatted.parse().expect("parses");
            match &body.get_attribute("attr").expect("attribute").value {
                hcl::edit::expr::Expression::String(v) => prop_assert_eq!(v.value(), &s),
                other => prop_assert!(false, "not a plain string: {:?}", other),
            }
        }

        #[test]
        fn any_string_survives_json_str_in_a_yaml_block(s in any::<String>()) {
            let doc = format!("key: |\n  {{\"v\": {}}}\n", json_str(&s));
            let back: std::collections::BTreeMap<String, String> = serde_saphyr::from_str(&doc).expect("parses");
            let json: serde_json::Value = serde_json::from_str(&back["key"]).expect("JSON");
            prop_assert_eq!(json["v"].as_str(), Some(s.as_str()));
        }

        #[test]
        fn any_string_survives_yaml_str(s in any::<String>()) {
            let doc = format!("key: {}\n", yaml_str(&s));
            let back: std::collections::BTreeMap<String, String> = serde_saphyr::from_str(&doc).expect("parses");
            prop_assert_eq!(&back["key"], &s);
        }
    }
}
