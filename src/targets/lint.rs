//! The template lint: where a template decides instead of laying out what the plan decided.
//!
//! Two things are found, each with the line it is on and the text of its tag:
//!
//! - a comparison with a string literal: `==`, `!=`, `<`, `<=`, `>`, `>=`, `in` or `not in`
//!   with a string literal, or a `[...]` list literal holding one, right beside it; and the
//!   tests `starting_with`, `ending_with` and `containing` given a string literal. Which
//!   value means what is a decision, and the plan makes it. The `in` of a `for` header is
//!   not a comparison: `{% for kind in ["a", "b"] %}` lays out a fixed list.
//! - a concatenation, `~`: a name built from pieces is a name the plan never saw.
//!
//! This is a small tokenizer of its own, not a parser: it reads only the insides of
//! `{{ … }}` and `{% … %}` tags (trim markers `{%-`/`-%}` included), skips `{# … #}`
//! comments and `{% raw %}` blocks, and knows string literals (`"`, `'` or backticks, with
//! `\` escapes) so that what is inside them is never mistaken for an operator. Whether a
//! template is well formed at all is left to Tera's public parser, which every template
//! goes through first and whose error is returned as it is. [`variables`] is Tera's own
//! [`Tera::get_template_variables`]: the top-level names a template reads.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use tera::Tera;

/// What a [`Finding`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A comparison or test with a string literal: a decision.
    StringComparison,
    /// `~`: a value built from pieces.
    Concatenation,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::StringComparison => "string comparison",
            Self::Concatenation => "concatenation",
        })
    }
}

/// One place where a template decides or builds a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The template's name.
    pub template: String,
    /// The line (from 1) of the operator.
    pub line: usize,
    /// What was found.
    pub kind: Kind,
    /// The text inside the tag, trimmed.
    pub expression: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (template, line, kind) = (&self.template, self.line, self.kind);
        write!(f, "{template}:{line}: {kind}: {}", self.expression)
    }
}

/// A template the lint cannot read: Tera's parse error, or a tag or string never closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintError {
    /// The template's name.
    pub template: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.template, self.message)
    }
}

impl std::error::Error for LintError {}

/// Every finding in template `name`, in order; Tera's error if it does not parse.
pub fn findings(name: &str, source: &str) -> Result<Vec<Finding>, LintError> {
    parse(name, source)?;
    let error = |message: String| LintError {
        template: name.to_owned(),
        message,
    };
    let mut out = Vec::new();
    for tag in tags(source).map_err(error)? {
        for (at, kind) in check(&tag.tokens) {
            out.push(Finding {
                template: name.to_owned(),
                line: line_of(source, at),
                kind,
                expression: tag.text.trim().to_owned(),
            });
        }
    }
    Ok(out)
}

/// The top-level names template `name` reads, as Tera finds them (loop variables are not
/// among them).
pub fn variables(name: &str, source: &str) -> Result<BTreeSet<String>, LintError> {
    let tera = parse(name, source)?;
    let names = tera.get_template_variables(name).map_err(|e| LintError {
        template: name.to_owned(),
        message: e.to_string(),
    })?;
    Ok(names.into_iter().map(str::to_owned).collect())
}

/// The template parsed by Tera, with the filters the renderers register.
fn parse(name: &str, source: &str) -> Result<Tera, LintError> {
    let mut tera = Tera::new();
    super::filters::register(&mut tera);
    tera.add_raw_template(name, source).map_err(|e| LintError {
        template: name.to_owned(),
        message: e.to_string(),
    })?;
    Ok(tera)
}

fn line_of(source: &str, at: usize) -> usize {
    source.get(..at).map_or(0, |s| s.matches('\n').count()) + 1
}

/// One token of a tag: a string literal (its quotes included), a word, a number or an
/// operator.
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    /// Byte offset in the template.
    at: usize,
    text: &'a str,
}

impl Token<'_> {
    fn is_string(&self) -> bool {
        self.text.starts_with(['"', '\'', '`'])
    }

    fn is_word(&self) -> bool {
        self.text
            .starts_with(|c: char| c.is_alphanumeric() || c == '_')
    }
}

/// The inside of one `{{ }}` or `{% %}` tag.
struct Tag<'a> {
    text: &'a str,
    tokens: Vec<Token<'a>>,
}

/// The expression tags of a template, outside comments and raw blocks.
fn tags(source: &str) -> Result<Vec<Tag<'_>>, String> {
    let unclosed = |at| {
        format!(
            "line {}: tag, comment or raw block never closed",
            line_of(source, at)
        )
    };
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(open) = find(source, at, "{") {
        let close = match source.get(open + 1..open + 2) {
            Some("{") => "}}",
            Some("%") => "%}",
            Some("#") => {
                at = find(source, open + 2, "#}").ok_or_else(|| unclosed(open))? + 2;
                continue;
            }
            _ => {
                at = open + 1;
                continue;
            }
        };
        let start = open + 2 + usize::from(source.get(open + 2..open + 3) == Some("-"));
        let (tokens, end) = tokenize(source, start, close).ok_or_else(|| unclosed(open))?;
        at = end + close.len() + usize::from(source.get(end..=end) == Some("-"));
        if close == "%}" && tokens.first().is_some_and(|t| t.text == "raw") {
            at = end_of_raw(source, at).ok_or_else(|| unclosed(open))?;
        } else {
            let text = source.get(start..end).unwrap_or_default();
            out.push(Tag { text, tokens });
        }
    }
    Ok(out)
}

fn find(source: &str, from: usize, what: &str) -> Option<usize> {
    source.get(from..)?.find(what).map(|i| from + i)
}

/// The offset just after the `{% endraw %}` at or after `from`.
fn end_of_raw(source: &str, from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let open = find(source, at, "{%")?;
        let inside = source.get(open + 2..)?;
        let inside = inside.strip_prefix('-').unwrap_or(inside).trim_start();
        let rest = inside.strip_prefix("endraw").map(str::trim_start);
        if rest.is_some_and(|r| r.strip_prefix('-').unwrap_or(r).starts_with("%}")) {
            return find(source, open, "%}").map(|end| end + 2);
        }
        at = open + 2;
    }
}

/// The tokens from `start` up to the tag's `close` (or `-close`), and where that starts.
fn tokenize<'a>(source: &'a str, start: usize, close: &str) -> Option<(Vec<Token<'a>>, usize)> {
    let mut tokens = Vec::new();
    let mut at = start;
    loop {
        let rest = source.get(at..)?;
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        if trimmed
            .strip_prefix('-')
            .unwrap_or(trimmed)
            .starts_with(close)
        {
            return Some((tokens, at));
        }
        let first = trimmed.chars().next()?;
        let len = match first {
            '"' | '\'' | '`' => {
                let mut escaped = false;
                let (end, _) = trimmed.char_indices().skip(1).find(|&(_, c)| {
                    let closes = !escaped && c == first;
                    escaped = !escaped && c == '\\';
                    closes
                })?;
                end + 1
            }
            c if c.is_alphanumeric() || c == '_' => {
                let number = c.is_ascii_digit();
                let part = |c: char| c.is_alphanumeric() || c == '_' || (number && c == '.');
                trimmed.find(|c| !part(c)).unwrap_or(trimmed.len())
            }
            _ if ["==", "!=", "<=", ">="]
                .iter()
                .any(|op| trimmed.starts_with(op)) =>
            {
                2
            }
            c => c.len_utf8(),
        };
        tokens.push(Token {
            at,
            text: source.get(at..at + len)?,
        });
        at += len;
    }
}

/// Words after which a `[` opens a list literal rather than a subscript.
const OPERATOR_WORDS: &[&str] = &["in", "not", "and", "or", "is", "if", "else"];

/// The offsets and kinds of the findings in `tokens`, one tag's.
fn check(tokens: &[Token<'_>]) -> Vec<(usize, Kind)> {
    // Each bracket's partner, both ways.
    let mut partner = HashMap::new();
    let mut open = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        match token.text {
            "(" | "[" | "{" => open.push(i),
            ")" | "]" | "}" => {
                if let Some(j) = open.pop() {
                    partner.insert(i, j);
                    partner.insert(j, i);
                }
            }
            _ => {}
        }
    }
    let text = |i: Option<usize>| i.and_then(|i| tokens.get(i)).map_or("", |t| t.text);
    let has_string = |a: usize, b: usize| {
        let group = tokens.get(a.min(b)..=a.max(b)).unwrap_or_default();
        group.iter().any(Token::is_string)
    };
    // Whether token `i` is a string literal, or a bracket of a list literal holding one.
    let literal = |i: Option<usize>| {
        let Some((i, token)) = i.and_then(|i| tokens.get(i).map(|t| (i, t))) else {
            return false;
        };
        let Some(&j) = partner.get(&i) else {
            return token.is_string();
        };
        let opening = i.min(j);
        let subscript = opening
            .checked_sub(1)
            .and_then(|k| tokens.get(k))
            .is_some_and(|t| {
                t.is_string()
                    || (t.is_word() && !OPERATOR_WORDS.contains(&t.text))
                    || [")", "]"].contains(&t.text)
            });
        text(Some(opening)) == "[" && !subscript && has_string(i, j)
    };
    // In a `for` header the first `in` is the loop's.
    let mut loop_in = text(Some(0)) == "for";
    let mut out = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let (before, after) = (i.checked_sub(1), Some(i + 1));
        let found = match token.text {
            "~" => Some(Kind::Concatenation),
            "==" | "!=" | "<" | "<=" | ">" | ">=" => {
                (literal(before) || literal(after)).then_some(Kind::StringComparison)
            }
            "in" if std::mem::take(&mut loop_in) => None,
            "in" => {
                let before = if text(before) == "not" {
                    i.checked_sub(2)
                } else {
                    before
                };
                (literal(before) || literal(after)).then_some(Kind::StringComparison)
            }
            "starting_with" | "ending_with" | "containing" => {
                let args = partner.get(&(i + 1)).filter(|_| text(after) == "(");
                args.is_some_and(|&j| has_string(i + 1, j))
                    .then_some(Kind::StringComparison)
            }
            _ => None,
        };
        out.extend(found.map(|kind| (token.at, kind)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<(usize, Kind)> {
        findings("t", source)
            .unwrap()
            .iter()
            .map(|f| (f.line, f.kind))
            .collect()
    }

    const DIRTY: &[&str] = &[
        r#"{% if cloud == "aws" %}x{% endif %}"#,
        r#"{% if "aws" != cloud %}x{% endif %}"#,
        r"{{ 1 if a.b <= 'm' else 2 }}",
        r#"{% if cloud in ["aws", "gcp"] %}x{% endif %}"#,
        r"{% if cloud not in ['azure'] %}x{% endif %}",
        r#"{% if ["aws"] == clouds %}x{% endif %}"#,
        r#"{% if "a" in name %}x{% endif %}"#,
        r#"{% if name is starting_with(pat="acme-") %}x{% endif %}"#,
        r#"{% if name is not ending_with(pat="-prod") %}x{% endif %}"#,
        r#"{% if names is containing(pat="a") %}x{% endif %}"#,
        r#"{% for x in xs %}{% if x in ["a"] %}{% endif %}{% endfor %}"#,
        "{%- if cloud == \"aws\" -%}x{%- endif -%}",
    ];

    #[test]
    fn a_comparison_with_a_string_literal_is_found() {
        for source in DIRTY {
            let found = kinds(source);
            assert!(!found.is_empty(), "{source}");
            assert!(
                found.iter().all(|(_, k)| *k == Kind::StringComparison),
                "{source}"
            );
        }
        let three = kinds("{% if a > `m`\n or a >= \"n\" or a < \"o\" %}{% endif %}");
        assert_eq!(
            three.iter().map(|(line, _)| *line).collect::<Vec<_>>(),
            [1, 2, 2]
        );
        assert_eq!(kinds("\n{% if x not in ['b'] %}{% endif %}").len(), 1);
    }

    #[test]
    fn a_concatenation_is_found_with_its_line_and_text() {
        let found = findings("t", "a\n{{ name ~ \"-\" ~ env }}\n{% set x = a~b %}").unwrap();
        let shown: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "t:2: concatenation: name ~ \"-\" ~ env",
                "t:2: concatenation: name ~ \"-\" ~ env",
                "t:3: concatenation: set x = a~b",
            ]
        );
    }

    #[test]
    fn laying_out_finds_nothing() {
        let clean = [
            r#"{% for kind in ["a", "b"] %}{{ kind }}{% endfor %}"#,
            r#"{% for k, v in {"a": 1} %}{{ k }}{% endfor %}"#,
            "{% raw %}{{ a ~ b }}{% if a == \"b\" %}{% endraw %}",
            "{%- raw -%}{{ a ~ b }}{%- endraw -%}{{ c }}",
            r#"{{ "a ~ b" }}{{ 'x == "y"' }}{{ "say \" == \"" }}{{ `~` }}"#,
            "{# {{ a ~ b }} {% if a == \"b\" %} #}",
            "{% if a is defined and a.b %}{{ a.b | default(value=\"x\") }}{% endif %}",
            "{% if a == b and c != 2 and d in e and f not in g %}{% endif %}",
            r#"{% if labels["x.io/y"] == other %}{% endif %}"#,
            r#"{% if a in b["c"] %}{% endif %}"#,
            "{% if not a %}~ == \"\"{% endif %}{{ items | join(sep=\", \") }}",
        ];
        for source in clean {
            assert_eq!(kinds(source), [], "{source}");
        }
    }

    #[test]
    fn a_template_tera_refuses_is_tera_s_error() {
        let error = findings("bad", "{% if a == %}").unwrap_err();
        assert_eq!(error.template, "bad");
        assert!(!error.message.is_empty());
        assert!(findings("bad", "{{ a | no_such_filter }}").is_err());
    }

    #[test]
    fn variables_are_the_top_level_names_tera_finds() {
        let names = variables(
            "t",
            "{% for g in cluster.groups %}{{ g.name }}{{ env }}{% endfor %}",
        )
        .unwrap();
        assert_eq!(names.into_iter().collect::<Vec<_>>(), ["cluster", "env"]);
    }
}
