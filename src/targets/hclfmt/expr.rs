//! Expressions in the `terraform fmt` layout: lists, call arguments and objects (their
//! indentation, `=` alignment and trailing comments), and single spaces inside a line.
//!
//! Part of [`hclfmt`](super): the body-level pass calls [`format_expr`] on every attribute
//! value and [`spans_lines`] to tell one-line values from multi-line ones.

use hcl::edit::expr::{Expression, ObjectKey, ObjectValueTerminator, TraversalOperator};
use hcl::edit::template::{Element, Strip};
use hcl::edit::{Decor, Decorate};

use super::{
    Lines, comment_pads, indent, inline, last_line_width, pads, prefix_of, relines, suffix_of,
    width,
};

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
pub(super) fn spans_lines(expr: &Expression) -> bool {
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
pub(super) fn format_expr(expr: &mut Expression, level: usize, open: Option<usize>) {
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
