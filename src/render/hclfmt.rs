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

use hcl::edit::expr::{Expression, ObjectKey, ObjectValueTerminator, TraversalOperator};
use hcl::edit::structure::{Body, Structure};
use hcl::edit::template::{Element, Strip};
use hcl::edit::{Decor, Decorate};

/// Formats HCL `text` as `terraform fmt` would; fails only when `text` is not HCL.
pub fn format(text: &str) -> Result<String, String> {
    let mut body: Body = text
        .parse()
        .map_err(|e: hcl::edit::parser::Error| e.to_string())?;
    format_body(&mut body, 0, false);
    Ok(body.to_string())
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
            attr.key_decor_mut().set_prefix("");
            attr.key_decor_mut().set_suffix(" ");
            let value = attr.value_mut();
            format_expr(value, level, None);
            value.decor_mut().set_prefix(" ");
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
                attr.key_decor_mut().set_prefix("");
                attr.key_decor_mut().set_suffix(" ");
                let value = attr.value_mut();
                format_expr(value, level, None);
                value.decor_mut().set_prefix(" ");
                value.decor_mut().set_suffix("");
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

/// Whether whitespace or comments `decor` around an expression hold a line break.
fn decor_breaks(decor: &Decor) -> bool {
    decor.prefix().is_some_and(|p| p.contains('\n'))
        || decor.suffix().is_some_and(|s| s.contains('\n'))
}

/// Whether `expr` spans lines with its decor.
fn breaks(expr: &Expression) -> bool {
    decor_breaks(expr.decor()) || spans_lines(expr)
}

/// Whether `expr` itself (its decor aside) spans lines. Found from the whitespace the
/// parser kept, without printing anything: formatting runs over every generated file.
fn spans_lines(expr: &Expression) -> bool {
    match expr {
        Expression::Array(array) => array.iter().any(breaks) || array.trailing().contains('\n'),
        Expression::Object(object) => {
            object.iter().any(|(key, value)| {
                decor_breaks(key.decor())
                    || value.terminator() == ObjectValueTerminator::Newline
                    || breaks(value.expr())
                    || matches!(key, ObjectKey::Expression(e) if spans_lines(e))
            }) || object.trailing().contains('\n')
        }
        Expression::FuncCall(call) => {
            call.args.iter().any(breaks) || call.args.trailing().contains('\n')
        }
        Expression::Parenthesis(paren) => breaks(paren.inner()),
        Expression::HeredocTemplate(_) => true,
        Expression::Traversal(traversal) => {
            spans_lines(&traversal.expr)
                || decor_breaks(traversal.expr.decor())
                || traversal.operators.iter().any(|op| match op.value() {
                    TraversalOperator::Index(index) => breaks(index),
                    _ => false,
                })
        }
        Expression::Conditional(cond) => {
            breaks(&cond.cond_expr) || breaks(&cond.true_expr) || breaks(&cond.false_expr)
        }
        Expression::BinaryOp(op) => breaks(&op.lhs_expr) || breaks(&op.rhs_expr),
        Expression::UnaryOp(op) => breaks(&op.expr),
        Expression::ForExpr(for_expr) => {
            breaks(&for_expr.intro.collection_expr)
                || for_expr.key_expr.as_ref().is_some_and(breaks)
                || breaks(&for_expr.value_expr)
                || for_expr.cond.as_ref().is_some_and(|c| breaks(&c.expr))
        }
        _ => false,
    }
}

/// Formats `expr`, which starts on a line at `level`. `open` is the level of the lines
/// inside a bracket that an enclosing expression opened on this same line: a second
/// bracket opened on the line does not indent again.
fn format_expr(expr: &mut Expression, level: usize, open: Option<usize>) {
    let multiline = matches!(
        expr,
        Expression::Array(_)
            | Expression::Object(_)
            | Expression::FuncCall(_)
            | Expression::Parenthesis(_)
    ) && spans_lines(expr);
    match expr {
        Expression::Array(array) => {
            let trailing = array.trailing().to_string();
            let closer = items(array.iter_mut(), multiline, level, open);
            array.set_trailing(closing(&trailing, multiline, closer));
        }
        Expression::FuncCall(call) => {
            call.name.name.decor_mut().set_prefix("");
            call.name.name.decor_mut().set_suffix("");
            let args = &mut call.args;
            args.decor_mut().set_prefix("");
            args.decor_mut().set_suffix("");
            let trailing = args.trailing().to_string();
            let closer = items(args.iter_mut(), multiline, level, open);
            args.set_trailing(closing(&trailing, multiline, closer));
        }
        Expression::Object(object) => format_object(object, multiline, level, open),
        Expression::Parenthesis(paren) => {
            let inner = paren.inner_mut();
            let content = open.unwrap_or(level + 1);
            format_expr(inner, level, multiline.then_some(content));
            inner.decor_mut().set_prefix("");
            inner.decor_mut().set_suffix("");
        }
        Expression::Traversal(traversal) => {
            format_expr(&mut traversal.expr, level, open);
            traversal.expr.decor_mut().set_suffix("");
            for operator in &mut traversal.operators {
                operator.decor_mut().set_prefix("");
                operator.decor_mut().set_suffix("");
                match operator.value_mut() {
                    TraversalOperator::Index(index) => {
                        format_expr(index, level, None);
                        index.decor_mut().set_prefix("");
                        index.decor_mut().set_suffix("");
                    }
                    TraversalOperator::GetAttr(ident) => {
                        ident.decor_mut().set_prefix("");
                        ident.decor_mut().set_suffix("");
                    }
                    _ => {}
                }
            }
        }
        Expression::Conditional(cond) => {
            format_expr(&mut cond.cond_expr, level, open);
            format_expr(&mut cond.true_expr, level, open);
            format_expr(&mut cond.false_expr, level, open);
            cond.cond_expr.decor_mut().set_suffix(" ");
            cond.true_expr.decor_mut().set_prefix(" ");
            cond.true_expr.decor_mut().set_suffix(" ");
            cond.false_expr.decor_mut().set_prefix(" ");
        }
        Expression::BinaryOp(op) => {
            format_expr(&mut op.lhs_expr, level, open);
            format_expr(&mut op.rhs_expr, level, open);
            op.lhs_expr.decor_mut().set_suffix("");
            op.operator.decor_mut().set_prefix(" ");
            op.operator.decor_mut().set_suffix(" ");
            op.rhs_expr.decor_mut().set_prefix("");
        }
        Expression::UnaryOp(op) => {
            format_expr(&mut op.expr, level, open);
            op.expr.decor_mut().set_prefix("");
        }
        Expression::ForExpr(for_expr) => format_for(for_expr, level, open),
        // `- 1` is read as the number -1 and printed as written; fmt closes the gap.
        Expression::Number(number)
            if number
                .as_repr()
                .is_some_and(|r| r.contains(char::is_whitespace)) =>
        {
            number.format();
        }
        Expression::StringTemplate(template) => {
            // `"${x}"` is `x`: fmt unwraps an interpolation that is the whole string.
            if let Some(Element::Interpolation(interpolation)) = template.as_single_element()
                && interpolation.strip == Strip::None
            {
                let mut inner = interpolation.expr.clone();
                let decor = template.decor().clone();
                format_expr(&mut inner, level, open);
                *inner.decor_mut() = decor;
                *expr = inner;
            }
        }
        _ => {}
    }
}

/// Single spaces between the parts of a `for` expression.
fn format_for(for_expr: &mut hcl::edit::expr::ForExpr, level: usize, open: Option<usize>) {
    let intro = &mut for_expr.intro;
    intro.decor_mut().set_prefix("");
    intro.decor_mut().set_suffix("");
    if let Some(key) = &mut intro.key_var {
        key.decor_mut().set_prefix(" ");
        key.decor_mut().set_suffix("");
    }
    intro.value_var.decor_mut().set_prefix(" ");
    intro.value_var.decor_mut().set_suffix(" ");
    format_expr(&mut intro.collection_expr, level, open);
    intro.collection_expr.decor_mut().set_prefix(" ");
    intro.collection_expr.decor_mut().set_suffix(" ");
    if let Some(key) = &mut for_expr.key_expr {
        format_expr(key, level, open);
        key.decor_mut().set_prefix(" ");
        key.decor_mut().set_suffix(" ");
    }
    // `{ for k, v in m : k => v }` has spaces inside its braces, `[for x in l : x]` none.
    let inside = if for_expr.key_expr.is_some() { " " } else { "" };
    for_expr.intro.decor_mut().set_prefix(inside);
    format_expr(&mut for_expr.value_expr, level, open);
    for_expr.value_expr.decor_mut().set_prefix(" ");
    for_expr.value_expr.decor_mut().set_suffix("");
    if let Some(cond) = &mut for_expr.cond {
        cond.decor_mut().set_prefix(" ");
        cond.decor_mut().set_suffix("");
        format_expr(&mut cond.expr, level, open);
        cond.expr.decor_mut().set_prefix(" ");
        cond.expr.decor_mut().set_suffix(inside);
    } else {
        for_expr.value_expr.decor_mut().set_suffix(inside);
    }
}

/// Formats the elements of a list or the arguments of a call, whose opening bracket is on
/// a line at `level`; returns the level of the closing bracket's line.
fn items<'a>(
    elements: impl Iterator<Item = &'a mut Expression>,
    multiline: bool,
    level: usize,
    open: Option<usize>,
) -> usize {
    let content = if multiline {
        open.unwrap_or(level + 1)
    } else {
        level
    };
    // Still on the line of the opening bracket.
    let mut on_opener_line = true;
    for (i, element) in elements.enumerate() {
        let raw = prefix_of(element.decor());
        if raw.contains('\n') {
            let (prefix, _) = relines(
                &raw,
                Lines {
                    starts_line: false,
                    level: content,
                    tail: content,
                    trim_start: i == 0,
                    trim_end: false,
                },
            );
            element.decor_mut().set_prefix(prefix);
            on_opener_line = false;
            format_expr(element, content, None);
        } else {
            element
                .decor_mut()
                .set_prefix(if i == 0 { "" } else { " " });
            let (line, nested) = if on_opener_line {
                (level, multiline.then_some(content))
            } else {
                (content, None)
            };
            format_expr(element, line, nested);
        }
        let suffix = inline(&suffix_of(element.decor()));
        element.decor_mut().set_suffix(suffix);
        if spans_lines(element) {
            on_opener_line = false;
        }
    }
    content.saturating_sub(usize::from(multiline))
}

/// The whitespace before a closing bracket: the closing line's indentation when the
/// bracket starts a line, nothing otherwise.
fn closing(raw: &str, multiline: bool, closer: usize) -> String {
    if multiline && raw.contains('\n') {
        relines(
            raw,
            Lines {
                starts_line: false,
                level: closer + 1,
                tail: closer,
                trim_start: false,
                trim_end: true,
            },
        )
        .0
    } else {
        inline(raw)
    }
}

/// What [`format_object`] learns about one item.
#[derive(Clone, Copy)]
struct Item {
    /// The item starts a line.
    starts_line: bool,
    /// A blank or comment line comes before it.
    extra: bool,
    /// Its value is on its line.
    oneline: bool,
    /// The width of its key.
    key: usize,
    /// The width of its line before a trailing comment.
    line: usize,
}

/// Formats an object whose `{` is on a line at `level`.
fn format_object(
    object: &mut hcl::edit::expr::Object,
    multiline: bool,
    level: usize,
    open: Option<usize>,
) {
    let content = if multiline {
        open.unwrap_or(level + 1)
    } else {
        level
    };
    let mut on_opener_line = true;
    // Whether the previous item ended its line (the line break is not in the next prefix).
    let mut after_newline = false;
    let mut seen: Vec<Item> = Vec::with_capacity(object.len());
    for (i, (mut key, value)) in object.iter_mut().enumerate() {
        let raw = prefix_of(key.decor());
        let starts_line = after_newline || raw.contains('\n');
        let mut extra = false;
        if starts_line {
            let (prefix, blank_or_comment) = relines(
                &raw,
                Lines {
                    starts_line: after_newline,
                    level: content,
                    tail: content,
                    trim_start: i == 0,
                    trim_end: false,
                },
            );
            extra = blank_or_comment;
            key.decor_mut().set_prefix(prefix);
            on_opener_line = false;
        } else {
            key.decor_mut().set_prefix(" ");
        }
        key.decor_mut().set_suffix(" ");
        let (line, nested) = if on_opener_line {
            (level, multiline.then_some(content))
        } else {
            (content, None)
        };
        let expr = value.expr_mut();
        format_expr(expr, line, nested);
        expr.decor_mut().set_prefix(" ");
        let suffix = inline(&suffix_of(expr.decor()));
        expr.decor_mut().set_suffix(suffix);
        let spans = spans_lines(expr);
        let key_width = key_width(key.get());
        // The line's width matters only to line up a trailing comment, which is rare.
        let line_width = if suffix_of(expr.decor()).is_empty() {
            0
        } else {
            let mut bare = expr.clone();
            bare.decor_mut().set_suffix("");
            let text = bare.to_string();
            if spans {
                last_line_width(&text)
            } else {
                indent(content).len() + key_width + 2 + width(&text)
            }
        };
        seen.push(Item {
            starts_line,
            extra,
            oneline: !spans || matches!(expr, Expression::HeredocTemplate(_)),
            key: key_width,
            line: line_width,
        });
        after_newline = value.terminator() == ObjectValueTerminator::Newline;
        if spans {
            on_opener_line = false;
        }
    }
    let closer = content.saturating_sub(usize::from(multiline));
    close_object(object, &seen, multiline, after_newline, closer);
}

/// Sets the whitespace before an object's `}` and lines up its items' `=` and trailing
/// comments, from what [`format_object`] learnt about each item.
fn close_object(
    object: &mut hcl::edit::expr::Object,
    seen: &[Item],
    multiline: bool,
    after_newline: bool,
    closer: usize,
) {
    let trailing = object.trailing().to_string();
    let trailing = if object.is_empty() {
        String::new()
    } else if multiline && after_newline {
        relines(
            &trailing,
            Lines {
                starts_line: true,
                level: closer + 1,
                tail: closer,
                trim_start: false,
                trim_end: true,
            },
        )
        .0
    } else if multiline {
        closing(&trailing, true, closer)
    } else {
        // `{ a = 1 }`
        " ".to_owned()
    };
    object.set_trailing(trailing);
    let runs: Vec<Option<(usize, bool)>> = seen
        .iter()
        .map(|item| (item.starts_line && item.oneline).then_some((item.key, item.extra)))
        .collect();
    let key_pads = pads(&runs);
    // Comments line up with the longest line, which alignment may just have widened.
    let lines: Vec<(usize, bool, bool)> = seen
        .iter()
        .zip(&key_pads)
        .map(|(item, pad)| {
            let line = item.line + pad.map_or(0, |p| p.saturating_sub(1));
            (line, item.starts_line && item.oneline, !item.extra)
        })
        .collect();
    let comments: Vec<Option<(usize, bool, bool)>> = object
        .iter()
        .zip(lines)
        .map(|((_, value), line)| (!suffix_of(value.expr().decor()).is_empty()).then_some(line))
        .collect();
    let comment_pads = comment_pads(&comments);
    for (((mut key, value), pad), comment_pad) in object.iter_mut().zip(key_pads).zip(comment_pads)
    {
        if let Some(pad) = pad {
            key.decor_mut().set_suffix(" ".repeat(pad));
        }
        if let Some(pad) = comment_pad {
            let expr = value.expr_mut();
            let comment = suffix_of(expr.decor());
            expr.decor_mut()
                .set_suffix(format!("{}{}", " ".repeat(pad), comment.trim_start()));
        }
    }
}

/// The width of an object key as written (quotes and escapes included).
fn key_width(key: &ObjectKey) -> usize {
    match key {
        ObjectKey::Ident(ident) => width(ident.as_str()),
        ObjectKey::Expression(expr) => {
            let mut bare = expr.clone();
            bare.decor_mut().clear();
            width(&bare.to_string())
        }
    }
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
            include_str!("../../tests/fixtures/hclfmt/alignment.in.tf"),
            include_str!("../../tests/fixtures/hclfmt/alignment.out.tf"),
        ),
        (
            "comments",
            include_str!("../../tests/fixtures/hclfmt/comments.in.tf"),
            include_str!("../../tests/fixtures/hclfmt/comments.out.tf"),
        ),
        (
            "heredoc",
            include_str!("../../tests/fixtures/hclfmt/heredoc.in.tf"),
            include_str!("../../tests/fixtures/hclfmt/heredoc.out.tf"),
        ),
        (
            "indentation",
            include_str!("../../tests/fixtures/hclfmt/indentation.in.tf"),
            include_str!("../../tests/fixtures/hclfmt/indentation.out.tf"),
        ),
        (
            "spacing",
            include_str!("../../tests/fixtures/hclfmt/spacing.in.tf"),
            include_str!("../../tests/fixtures/hclfmt/spacing.out.tf"),
        ),
        (
            "unicode",
            include_str!("../../tests/fixtures/hclfmt/unicode.in.tf"),
            include_str!("../../tests/fixtures/hclfmt/unicode.out.tf"),
        ),
        (
            "tidy",
            include_str!("../../tests/fixtures/hclfmt/tidy.in.tf"),
            include_str!("../../tests/fixtures/hclfmt/tidy.out.tf"),
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
