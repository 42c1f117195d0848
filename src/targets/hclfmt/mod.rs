//! The `terraform fmt` layout, applied to the `hcl::edit` tree of a generated `.tf` file.
//!
//! Stage 4, after the targets rendered and before the tree is checked. Input: HCL text.
//! Output: the same tokens with the whitespace `terraform fmt` (Terraform 1.0.3, whose
//! formatter is `hclwrite.Format` of HCL 2) would give them, so that the output passes
//! `terraform fmt -check` byte for byte. hcl-rs's own formatter lays code out its own way
//! (no `=` alignment), hence this pass.
//!
//! What `terraform fmt` changes, and this pass reproduces:
//!
//! - **Indentation**: two spaces per level. A line that opens brackets (`{`, `[`, `(`)
//!   without closing them indents the following lines by one level, however many it
//!   opened: `tags = merge(local.tags, {` puts the object's items one level in and `})` back.
//! - **Alignment**: in a body or a multi-line object, consecutive lines that each hold a
//!   whole `key = value` form a run; the `=` of a run line up one space after its longest
//!   key (measured in characters, quotes included). A blank line, a comment line, a nested
//!   block, or an item whose value spans lines ends the run; such an item keeps one space
//!   before `=`. A heredoc value counts as a one-line value.
//! - **Trailing comments** on consecutive lines line up one space after the longest line.
//! - **Spacing inside a line**: one space around `=`, binary operators, `?` and `:`; none
//!   inside `[]`, `()` and index brackets, nor before a comma; one after a comma; `{ a = 1 }`
//!   with spaces inside one-line objects; `"${x}"` alone in a string becomes `x`.
//!
//! What `terraform fmt` leaves alone, and so does this pass: line breaks (a multi-line list
//! stays multi-line), commas, comments' text, heredoc bodies, template strings. Tidy-ups of
//! our own that fmt accepts either way: no blank line directly after `{` or before `}`, an
//! empty block written `{}`, and a blank line before every top-level block after the first.
//!
//! Not reproduced (the generator never writes them): trailing comments after a comma inside
//! a multi-line list, and several bracket openers and closers interleaved across lines
//! (`}, {` on one line in a list). The golden files in `tests/fixtures/hclfmt/` were made by
//! `terraform fmt` 1.0.3 and pin the behaviour.

mod expr;

use hcl::edit::expr::Expression;
use hcl::edit::structure::{AttributeMut, Body, Structure};
use hcl::edit::{Decor, Decorate};

use expr::{format_expr, spans_lines};

/// Formats HCL `text` as `terraform fmt` would; fails only when `text` is not HCL.
pub fn format(text: &str) -> Result<String, String> {
    if text.contains("$${") || text.contains("%%{") {
        return format_keeping_escapes(text);
    }
    format_plain(text)
}

fn format_plain(text: &str) -> Result<String, String> {
    let mut body: Body = text
        .parse()
        .map_err(|e: hcl::edit::parser::Error| e.to_string())?;
    format_body(&mut body, 0, false);
    Ok(body.to_string())
}

/// Formats `text` whose string literals hold escaped template sequences (`$${`, `%%{`).
///
/// hcl-edit prints such a literal from its decoded value, and its encoder leaves a literal
/// `$${` of the value unescaped (`"$${a} $$${b}"` comes out as `"$${a} $${b}"`, which
/// Terraform reads as `${b}`; `"$%%{"` comes out as `"$%{"`, which does not parse). So those
/// literals are swapped for plain placeholders of the same width (alignment depends on
/// widths only) before formatting, and put back, as written, afterwards: layout never
/// touches what is inside quotes.
fn format_keeping_escapes(text: &str) -> Result<String, String> {
    let parse = |t: &str| t.parse::<Body>().map_err(|e| e.to_string());
    let spans = string_spans(&parse(text)?);
    let escaped = |raw: &str| raw.contains("$${") || raw.contains("%%{");
    let mut masked = text.to_owned();
    let mut originals = Vec::with_capacity(spans.len());
    for span in spans.iter().rev() {
        let raw = text
            .get(span.clone())
            .ok_or("a string literal out of range")?;
        if escaped(raw) {
            let inside = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
            masked.replace_range(span.clone(), &format!("\"{}\"", "x".repeat(width(inside))));
            originals.push(Some(raw));
        } else {
            originals.push(None);
        }
    }
    originals.reverse();
    let mut formatted = format_plain(&masked)?;
    let after = string_spans(&parse(&formatted)?);
    if after.len() != originals.len() {
        return Err("formatting changed the number of string literals".into());
    }
    for (to, original) in after.iter().zip(&originals).rev() {
        if let Some(raw) = original {
            formatted.replace_range(to.clone(), raw);
        }
    }
    Ok(formatted)
}

/// The byte ranges of every quoted string literal (block labels included), in order.
fn string_spans(body: &Body) -> Vec<std::ops::Range<usize>> {
    use hcl::edit::Span;
    use hcl::edit::structure::BlockLabel;
    use hcl::edit::visit::{Visit, visit_block_label};
    struct Spans(Vec<std::ops::Range<usize>>);
    impl Visit for Spans {
        fn visit_string(&mut self, node: &hcl::edit::Decorated<String>) {
            self.0.extend(node.span());
        }
        fn visit_block_label(&mut self, node: &BlockLabel) {
            if let BlockLabel::String(s) = node {
                self.0.extend(s.span());
            }
            visit_block_label(self, node);
        }
    }
    let mut spans = Spans(Vec::new());
    spans.visit_body(body);
    spans.0
}

/// Two spaces per level.
fn indent(level: usize) -> String {
    "  ".repeat(level)
}

/// The text of a decor prefix or suffix.
fn prefix_of(decor: &Decor) -> String {
    decor.prefix().map(|r| r.to_string()).unwrap_or_default()
}

fn suffix_of(decor: &Decor) -> String {
    decor.suffix().map(|r| r.to_string()).unwrap_or_default()
}

/// Whitespace and comments that stay on one line, as fmt writes them: `""` for
/// whitespace only, otherwise the comment after one space.
fn inline(raw: &str) -> String {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        String::new()
    } else {
        format!(" {trimmed}")
    }
}

/// How [`relines`] treats the text it rewrites.
#[derive(Clone, Copy)]
struct Lines {
    /// Whether the text starts at the beginning of a line (a line break was consumed
    /// before it); otherwise its first piece is the rest of the previous token's line.
    starts_line: bool,
    /// Indentation of comment lines.
    level: usize,
    /// Indentation of the token that follows the text.
    tail: usize,
    /// Drop blank lines before the first comment or token (right after `{`).
    trim_start: bool,
    /// Drop blank lines after the last comment (right before `}`).
    trim_end: bool,
}

/// Rewrites whitespace and comments `raw` that span lines: comment lines indented at
/// `level`, blank lines kept empty, the following token indented at `tail`. Returns the
/// text and whether it held a blank or comment line. Without `starts_line`, `raw` must hold
/// a line break.
fn relines(raw: &str, how: Lines) -> (String, bool) {
    let mut pieces: Vec<&str> = raw.split('\n').collect();
    let last = pieces.pop().unwrap_or_default().trim();
    let mut out = String::new();
    let mut full = pieces.as_slice();
    if !how.starts_line
        && let Some((first, rest)) = full.split_first()
    {
        // The rest of the previous line: a trailing comment, or nothing.
        out.push_str(&inline(first));
        out.push('\n');
        full = rest;
    }
    let mut lines: Vec<String> = full
        .iter()
        .map(|piece| {
            let text = piece.trim();
            if text.is_empty() {
                String::new()
            } else {
                format!("{}{text}", indent(how.level))
            }
        })
        .collect();
    if how.trim_start {
        let blanks = lines.iter().take_while(|l| l.is_empty()).count();
        lines.drain(..blanks);
    }
    if how.trim_end {
        while lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
    }
    for line in &lines {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&indent(how.tail));
    if !last.is_empty() {
        // An inline comment before the token: `/* x */ a = 1`.
        out.push_str(last);
        out.push(' ');
    }
    (out, !lines.is_empty())
}

/// The width of `text` in columns as fmt counts them: characters, with combining marks,
/// joiners and variation selectors counted with the character before them (fmt counts
/// grapheme clusters).
fn width(text: &str) -> usize {
    text.chars()
        .filter(|c| {
            !matches!(u32::from(*c),
                0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF
                | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F | 0x200D | 0xE0100..=0xE01EF)
        })
        .count()
}

/// Whether `expr` sits on one line for alignment: it spans no line, or it is a heredoc
/// (fmt counts a heredoc, body and all, as part of the line that opens it).
fn is_oneline(expr: &Expression) -> bool {
    matches!(expr, Expression::HeredocTemplate(_)) || !spans_lines(expr)
}

/// The width of the last line of `text`.
fn last_line_width(text: &str) -> usize {
    width(text.rsplit('\n').next().unwrap_or(text))
}

/// Formats a body whose structures sit at `level`; `in_block` when it is the body of a
/// block (so `{` is right before it and `}` right after).
fn format_body(body: &mut Body, level: usize, in_block: bool) {
    let mut runs: Vec<Option<(usize, bool)>> = Vec::with_capacity(body.len());
    for (i, mut structure) in body.iter_mut().enumerate() {
        let (prefix, extra) = relines(
            &prefix_of(structure.decor()),
            Lines {
                starts_line: true,
                level,
                tail: level,
                trim_start: in_block && i == 0,
                trim_end: false,
            },
        );
        // Our own tidy-up, which fmt keeps: top-level blocks are set apart by a blank line.
        let prefix = if level == 0 && i > 0 && structure.is_block() && !prefix.starts_with('\n') {
            format!("\n{prefix}")
        } else {
            prefix
        };
        structure.decor_mut().set_prefix(prefix);
        let suffix = inline(&suffix_of(structure.decor()));
        structure.decor_mut().set_suffix(suffix);
        if let Some(mut attr) = structure.as_attribute_mut() {
            let value = format_attribute(&mut attr, level);
            let suffix = inline(&suffix_of(value.decor()));
            value.decor_mut().set_suffix(suffix);
            let member = is_oneline(value);
            let key = width(attr.get().key.as_str());
            runs.push(member.then_some((key, extra)));
        } else if let Some(block) = structure.as_block_mut() {
            block.ident.decor_mut().set_prefix("");
            block.ident.decor_mut().set_suffix(" ");
            for label in &mut block.labels {
                label.decor_mut().set_prefix("");
                label.decor_mut().set_suffix(" ");
            }
            format_block_body(&mut block.body, level);
            runs.push(None);
        }
    }
    align_body(body, &runs);
    align_body_comments(body);
}

/// Lays out `key = value` (one space each side of `=`, the value formatted for `level`)
/// and returns the value, whose suffix the caller decides.
fn format_attribute<'a>(attr: &'a mut AttributeMut<'_>, level: usize) -> &'a mut Expression {
    attr.key_decor_mut().set_prefix("");
    attr.key_decor_mut().set_suffix(" ");
    let value = attr.value_mut();
    format_expr(value, level, None);
    value.decor_mut().set_prefix(" ");
    value
}

/// Formats the body of a block that sits at `level`.
fn format_block_body(body: &mut Body, level: usize) {
    let after_brace = inline(&prefix_of(body.decor()));
    let before_brace = suffix_of(body.decor());
    let oneline = body.prefer_oneline();
    if oneline || (body.is_empty() && after_brace.is_empty() && before_brace.trim().is_empty()) {
        body.set_prefer_oneline(true);
        body.decor_mut().set_prefix("");
        body.decor_mut().set_suffix("");
        if let Some(mut structure) = body.iter_mut().next() {
            structure.decor_mut().set_prefix(" ");
            structure.decor_mut().set_suffix(" ");
            if let Some(mut attr) = structure.as_attribute_mut() {
                format_attribute(&mut attr, level)
                    .decor_mut()
                    .set_suffix("");
            }
        }
        return;
    }
    format_body(body, level + 1, true);
    let (before_brace, _) = relines(
        &before_brace,
        Lines {
            starts_line: true,
            level: level + 1,
            tail: level,
            trim_start: body.is_empty(),
            trim_end: true,
        },
    );
    body.decor_mut().set_prefix(after_brace);
    body.decor_mut().set_suffix(before_brace);
}

/// Pads the keys of each run of one-line attributes so that their `=` line up.
/// `runs[i]` is `Some((key width, blank or comment line before))` for a run member.
fn align_body(body: &mut Body, runs: &[Option<(usize, bool)>]) {
    let pads = pads(runs);
    for (mut structure, pad) in body.iter_mut().zip(pads) {
        if let (Some(mut attr), Some(pad)) = (structure.as_attribute_mut(), pad) {
            attr.key_decor_mut().set_suffix(" ".repeat(pad));
        }
    }
}

/// The spaces before `=` of each member of a run (`None` for non-members): one more than
/// the difference to the run's longest key.
fn pads(runs: &[Option<(usize, bool)>]) -> Vec<Option<usize>> {
    let mut out = vec![None; runs.len()];
    let mut start = 0;
    while start < runs.len() {
        let Some(Some(_)) = runs.get(start) else {
            start += 1;
            continue;
        };
        let mut end = start + 1;
        while let Some(Some((_, extra))) = runs.get(end) {
            if *extra {
                break;
            }
            end += 1;
        }
        let widest = runs
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .flatten()
            .map(|(w, _)| *w)
            .max()
            .unwrap_or(0);
        for i in start..end {
            if let (Some(slot), Some(Some((w, _)))) = (out.get_mut(i), runs.get(i)) {
                *slot = Some(widest - w + 1);
            }
        }
        start = end;
    }
    out
}

/// Lines up the trailing comments of consecutive structures: a run is a structure with a
/// comment on its last line, then adjacent one-line structures with comments.
fn align_body_comments(body: &mut Body) {
    // (width of the line before the comment, one-line, adjacent to the previous one)
    let mut lines: Vec<Option<(usize, bool, bool)>> = Vec::with_capacity(body.len());
    for structure in body.iter() {
        let comment = suffix_of(structure.decor());
        if comment.is_empty() {
            lines.push(None);
            continue;
        }
        let mut bare = structure.clone();
        bare.decor_mut().set_suffix("");
        let text = structure_text(&bare);
        let prefix = prefix_of(structure.decor());
        let adjacent = !prefix.contains('\n');
        let oneline = !text.trim_start_matches(&prefix).contains('\n');
        lines.push(Some((last_line_width(&text), oneline, adjacent)));
    }
    let spaces = comment_pads(&lines);
    for (mut structure, pad) in body.iter_mut().zip(spaces) {
        if let Some(pad) = pad {
            let comment = suffix_of(structure.decor());
            structure.decor_mut().set_suffix(format!(
                "{}{}",
                " ".repeat(pad),
                comment.trim_start()
            ));
        }
    }
}

/// The spaces before each trailing comment, given for each line `Some((width, one-line,
/// adjacent))` when it has one.
fn comment_pads(lines: &[Option<(usize, bool, bool)>]) -> Vec<Option<usize>> {
    let mut out = vec![None; lines.len()];
    let mut start = 0;
    while start < lines.len() {
        if !matches!(lines.get(start), Some(Some(_))) {
            start += 1;
            continue;
        }
        let mut end = start + 1;
        while let Some(Some((_, oneline, adjacent))) = lines.get(end) {
            if !oneline || !adjacent {
                break;
            }
            end += 1;
        }
        let widest = (start..end)
            .filter_map(|i| lines.get(i).copied().flatten())
            .map(|(w, _, _)| w)
            .max()
            .unwrap_or(0);
        for i in start..end {
            if let (Some(slot), Some(Some((w, _, _)))) = (out.get_mut(i), lines.get(i)) {
                *slot = Some(widest - w + 1);
            }
        }
        start = end;
    }
    out
}

/// The text of one structure as its body would print it (prefix included).
fn structure_text(structure: &Structure) -> String {
    let mut body = Body::new();
    body.push(structure.clone());
    let text = body.to_string();
    text.strip_suffix('\n').unwrap_or(&text).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str) -> String {
        format(text).expect("valid HCL")
    }

    /// Each golden pair: input, and what `terraform fmt` 1.0.3 made of it.
    const GOLDEN: &[(&str, &str, &str)] = &[
        (
            "alignment",
            include_str!("../../../tests/fixtures/hclfmt/alignment.in.tf"),
            include_str!("../../../tests/fixtures/hclfmt/alignment.out.tf"),
        ),
        (
            "comments",
            include_str!("../../../tests/fixtures/hclfmt/comments.in.tf"),
            include_str!("../../../tests/fixtures/hclfmt/comments.out.tf"),
        ),
        (
            "heredoc",
            include_str!("../../../tests/fixtures/hclfmt/heredoc.in.tf"),
            include_str!("../../../tests/fixtures/hclfmt/heredoc.out.tf"),
        ),
        (
            "indentation",
            include_str!("../../../tests/fixtures/hclfmt/indentation.in.tf"),
            include_str!("../../../tests/fixtures/hclfmt/indentation.out.tf"),
        ),
        (
            "spacing",
            include_str!("../../../tests/fixtures/hclfmt/spacing.in.tf"),
            include_str!("../../../tests/fixtures/hclfmt/spacing.out.tf"),
        ),
        (
            "unicode",
            include_str!("../../../tests/fixtures/hclfmt/unicode.in.tf"),
            include_str!("../../../tests/fixtures/hclfmt/unicode.out.tf"),
        ),
        (
            "tidy",
            include_str!("../../../tests/fixtures/hclfmt/tidy.in.tf"),
            include_str!("../../../tests/fixtures/hclfmt/tidy.out.tf"),
        ),
    ];

    #[test]
    fn golden_files_come_out_as_terraform_fmt_wrote_them() {
        for (name, input, expected) in GOLDEN {
            let got = fmt(input);
            if got != *expected {
                std::fs::write(format!("/tmp/hclfmt-{name}.got.tf"), &got).ok();
            }
            assert!(got == *expected, "{name}: differs from terraform fmt");
        }
    }

    #[test]
    fn formatting_is_idempotent() {
        for (name, _, expected) in GOLDEN {
            assert_eq!(fmt(expected), *expected, "{name}");
        }
    }

    #[test]
    fn runs_end_at_blank_lines_comments_blocks_and_multi_line_values() {
        assert_eq!(
            fmt("a = 1\nbbb = 2\n\ncc = 3\n# c\ndddd = 4\nd = {\n  x = 1\n}\ne = 4\n"),
            "a   = 1\nbbb = 2\n\ncc = 3\n# c\ndddd = 4\nd = {\n  x = 1\n}\ne = 4\n"
        );
    }

    #[test]
    fn two_brackets_opened_on_one_line_indent_once() {
        assert_eq!(
            fmt("x {\ntags = merge(local.tags, {\n\"k\" = 1\n\"long\" = 2\n})\n}\n"),
            "x {\n  tags = merge(local.tags, {\n    \"k\"    = 1\n    \"long\" = 2\n  })\n}\n"
        );
    }

    #[test]
    fn nested_blocks_lists_and_objects_indent_by_level() {
        assert_eq!(
            fmt("a {\nb {\nc = [\n\"x\",\n]\nd = {\ne = {\nf = 1\n}\n}\n}\n}\n"),
            "a {\n  b {\n    c = [\n      \"x\",\n    ]\n    d = {\n      e = {\n        f = 1\n      }\n    }\n  }\n}\n"
        );
    }

    #[test]
    fn empty_blocks_close_on_their_line() {
        assert_eq!(fmt("data \"a\" \"b\" {\n}\n"), "data \"a\" \"b\" {}\n");
    }

    /// `spans_lines` reads line breaks from the parser's whitespace; printing must agree.
    fn agrees(expr: &Expression, name: &str) {
        let mut bare = expr.clone();
        bare.decor_mut().clear();
        assert_eq!(
            spans_lines(expr),
            bare.to_string().contains('\n'),
            "{name}: {bare}"
        );
        match expr {
            Expression::Array(array) => array.iter().for_each(|e| agrees(e, name)),
            Expression::Object(object) => object.iter().for_each(|(_, v)| agrees(v.expr(), name)),
            Expression::FuncCall(call) => call.args.iter().for_each(|e| agrees(e, name)),
            _ => {}
        }
    }

    fn agrees_in(body: &Body, name: &str) {
        for structure in body {
            if let Some(attr) = structure.as_attribute() {
                agrees(&attr.value, name);
            } else if let Some(block) = structure.as_block() {
                agrees_in(&block.body, name);
            }
        }
    }

    #[test]
    fn line_breaks_are_read_as_printing_would_show_them() {
        for (name, input, expected) in GOLDEN {
            for text in [input, expected] {
                agrees_in(&text.parse().expect("valid HCL"), name);
            }
        }
    }

    #[test]
    fn strings_that_look_like_code_are_left_alone() {
        let text =
            "tags = {\n  \"a\" = \"x\\\" } # y\"\n  \"bb\" = \"$${x} %%{y} // z /* w */ {\"\n}\n";
        let want =
            "tags = {\n  \"a\"  = \"x\\\" } # y\"\n  \"bb\" = \"$${x} %%{y} // z /* w */ {\"\n}\n";
        assert_eq!(fmt(text), want);
    }

    #[test]
    fn text_that_is_not_hcl_is_refused() {
        assert!(format("a = {\n").is_err());
    }
}

#[cfg(test)]
mod escapes {
    #[test]
    fn escaped_template_sequences_survive_formatting() {
        let input = "locals {\n  a = \"$${a} $$${b} %%{c}\"\n  bb = \"x\"\n  tags = {\n    \"$$${k}\" = \"$%%{\"\n    z = \"1\"\n  }\n}\n";
        let out = super::format(input).unwrap();
        // What `terraform fmt` 1.0.3 makes of the input.
        let golden = "locals {\n  a  = \"$${a} $$${b} %%{c}\"\n  bb = \"x\"\n  tags = {\n    \"$$${k}\" = \"$%%{\"\n    z        = \"1\"\n  }\n}\n";
        assert_eq!(out, golden);
        assert_eq!(
            super::format(&out).unwrap(),
            out,
            "formatting is idempotent"
        );
    }
}
