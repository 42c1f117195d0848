//! `diff` and `check`: what `generate` would change, in four formats, and above the line
//! diffs the change in review terms (clusters created and destroyed, tenants moved, node
//! groups resized, encryption changed), with the dangerous ones flagged.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use super::compare::{Comparison, Entry, Status};
use crate::plan::placement::PlacementChanges;

/// GitHub's pull-request comments hold 65,536 characters; stay below with room to spare.
pub const MARKDOWN_LIMIT: usize = 65_000;

/// Lines added and removed in one entry.
fn counts(entry: &Entry) -> (usize, usize) {
    let diff = text_diff(entry);
    let mut added = 0;
    let mut removed = 0;
    for change in diff.iter_all_changes() {
        match change.tag() {
            ChangeTag::Insert => added += 1,
            ChangeTag::Delete => removed += 1,
            ChangeTag::Equal => {}
        }
    }
    (added, removed)
}

fn text_diff(entry: &Entry) -> TextDiff<'_, '_, str> {
    TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .diff_lines(
            entry.old.as_deref().unwrap_or(""),
            entry.new.as_deref().unwrap_or(""),
        )
}

/// The hunks of one entry, each with its `@@` line.
fn hunks(entry: &Entry) -> Vec<String> {
    let diff = text_diff(entry);
    let mut unified = diff.unified_diff();
    unified.context_radius(3).missing_newline_hint(true);
    unified.iter_hunks().map(|h| h.to_string()).collect()
}

/// A git-style unified diff of every change; `git apply` takes it. Coloured when `color`.
pub fn unified(comparison: &Comparison, color: bool) -> String {
    let mut out = String::new();
    for entry in comparison.changes() {
        let (from, to) = (format!("a/{}", entry.path), format!("b/{}", entry.path));
        let _ = writeln!(out, "diff --git {from} {to}");
        match (&entry.old, &entry.new) {
            (None, Some(_)) => {
                let _ = write!(out, "new file mode 100644\n--- /dev/null\n+++ {to}\n");
            }
            (Some(_), None) => {
                let _ = write!(out, "deleted file mode 100644\n--- {from}\n+++ /dev/null\n");
            }
            _ => {
                let _ = write!(out, "--- {from}\n+++ {to}\n");
            }
        }
        for hunk in hunks(entry) {
            out.push_str(&hunk);
        }
    }
    if color { colorize(&out) } else { out }
}

fn colorize(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len() + diff.len() / 8);
    for line in diff.split_inclusive('\n') {
        let code =
            if line.starts_with("+++") || line.starts_with("---") || line.starts_with("diff --git")
            {
                "1"
            } else if line.starts_with('+') {
                "32"
            } else if line.starts_with('-') {
                "31"
            } else if line.starts_with("@@") {
                "36"
            } else {
                ""
            };
        if code.is_empty() {
            out.push_str(line);
        } else {
            let body = line.trim_end_matches('\n');
            let _ = write!(out, "\x1b[{code}m{body}\x1b[0m");
            if line.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    out
}

/// Per-file counts, like `git diff --stat`.
pub fn stat(comparison: &Comparison) -> String {
    let rows: Vec<(&Entry, usize, usize)> = comparison
        .changes()
        .map(|e| {
            let (a, r) = counts(e);
            (e, a, r)
        })
        .collect();
    let width = rows.iter().map(|(e, _, _)| e.path.len()).max().unwrap_or(0);
    let most = rows.iter().map(|(_, a, r)| a + r).max().unwrap_or(0).max(1);
    let mut out = String::new();
    let (mut added, mut removed) = (0, 0);
    for (entry, a, r) in &rows {
        added += a;
        removed += r;
        let bar = 40.min(most);
        let plus = (a * bar).div_ceil(most);
        let minus = (r * bar).div_ceil(most);
        let note = match entry.status {
            Status::Create | Status::Update | Status::Delete | Status::Unchanged => String::new(),
            other => format!("  ({})", other.word()),
        };
        let _ = writeln!(
            out,
            " {:<width$} | {:>5} {}{}{note}",
            entry.path,
            a + r,
            "+".repeat(plus),
            "-".repeat(minus)
        );
    }
    let _ = writeln!(
        out,
        " {} files changed, {added} insertions(+), {removed} deletions(-)",
        rows.len()
    );
    out
}

/// Machine-readable: summary, review terms, and every changed file with its diff.
pub fn json(comparison: &Comparison, review: &PlacementChanges) -> crate::error::Result<String> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct File<'a> {
        path: &'a str,
        status: &'static str,
        additions: usize,
        deletions: usize,
        diff: String,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Doc<'a> {
        clean: bool,
        created: usize,
        updated: usize,
        deleted: usize,
        edited: usize,
        unchanged: usize,
        unmanaged: usize,
        dangerous: bool,
        /// One object per change to live infrastructure, production first.
        impacts: &'a [crate::plan::impact::Impact],
        review: &'a PlacementChanges,
        files: Vec<File<'a>>,
    }
    let files = comparison
        .changes()
        .map(|e| {
            let (additions, deletions) = counts(e);
            File {
                path: &e.path,
                status: status_key(e.status),
                additions,
                deletions,
                diff: hunks(e).concat(),
            }
        })
        .collect();
    let doc = Doc {
        clean: comparison.is_clean(),
        created: comparison.count(Status::Create),
        updated: comparison.count(Status::Update),
        deleted: comparison.count(Status::Delete),
        edited: comparison.count(Status::Edited)
            + comparison.count(Status::EditedStale)
            + comparison.count(Status::Foreign),
        unchanged: comparison.count(Status::Unchanged),
        unmanaged: comparison.count(Status::Unmanaged),
        dangerous: review.is_dangerous(),
        impacts: &review.impacts,
        review,
        files,
    };
    let mut text = serde_json::to_string_pretty(&doc)
        .map_err(|e| crate::error::Error::Bug(format!("the review does not serialize: {e}")))?;
    text.push('\n');
    Ok(text)
}

fn status_key(status: Status) -> &'static str {
    match status {
        Status::Create => "created",
        Status::Update => "updated",
        Status::Delete => "deleted",
        Status::Edited => "edited",
        Status::EditedStale => "editedStale",
        Status::Foreign => "foreign",
        Status::Unchanged => "unchanged",
        Status::Unmanaged => "unmanaged",
    }
}

/// A pull-request comment: summary, review terms, a table, then one collapsible section
/// per file. A hunk repeated in several files (the same change in every cluster) is shown
/// once with the list of files. Truncated with a note before [`MARKDOWN_LIMIT`].
pub fn markdown(comparison: &Comparison, review: &PlacementChanges) -> String {
    let changes: Vec<&Entry> = comparison.changes().collect();
    let mut out = String::new();
    if changes.is_empty() {
        out.push_str("### clusterwright: no changes\n\nThe generated output is up to date with the blueprint.\n");
        return out;
    }
    let _ = writeln!(
        out,
        "### clusterwright: {} files change (created {}, updated {}, deleted {}, edited by hand {})\n",
        changes.len(),
        comparison.count(Status::Create),
        comparison.count(Status::Update),
        comparison.count(Status::Delete),
        comparison.count(Status::Edited)
            + comparison.count(Status::EditedStale)
            + comparison.count(Status::Foreign),
    );
    let unmanaged = comparison.count(Status::Unmanaged);
    if unmanaged > 0 {
        let _ = writeln!(
            out,
            "> [!WARNING]\n> {unmanaged} files in generated folders were not generated by clusterwright, and Terraform or `kubectl apply -f` loads them with the generated ones (marked *unmanaged* below).\n"
        );
    }
    let lines = review.lines();
    impacts_markdown(review, &mut out);
    if !lines.is_empty() {
        out.push_str("**In review terms**\n\n");
        for line in &lines {
            let (mark, text) = line.split_at(1);
            // A bare `+` or `-` after the bullet starts a nested list in CommonMark (GitHub,
            // GitLab): the sign goes in a code span, so created and removed stay apart.
            let mark = if mark == "!" {
                "⚠".to_owned()
            } else {
                format!("`{mark}`")
            };
            let _ = writeln!(out, "- {mark} {}", text.trim_start());
        }
        out.push('\n');
    }

    let sections = file_sections(&changes, &mut out);
    append_within_limit(&mut out, sections);
    out
}

/// What the change does to live infrastructure: a `[!CAUTION]` alert listing what review
/// flags (replace, destroy, weaken; roll in production), production first, then the
/// rest as a plain list.
fn impacts_markdown(review: &PlacementChanges, out: &mut String) {
    // A platform-wide change reaches every cluster: the lists stay a part of the comment.
    const SHOWN: usize = 40;
    let (flagged, rest): (Vec<_>, Vec<_>) = review
        .impacts
        .iter()
        .filter(|i| i.impact != crate::plan::impact::ImpactClass::Create)
        .partition(|i| i.flagged());
    let item = |i: &crate::plan::impact::Impact| {
        let group = i
            .node_group
            .as_ref()
            .map(|g| format!(" node group `{g}` of"))
            .unwrap_or_default();
        let production = if i.production { ", **production**" } else { "" };
        format!(
            "**{}**{group} cluster `{}` ({}{production}): {} (source: {})",
            i.impact.word(),
            i.cluster,
            i.environment,
            i.reason,
            i.short_source()
        )
    };

    if review.is_dangerous() {
        out.push_str("> [!CAUTION]\n> This change destroys, replaces or weakens live infrastructure. Review the items below and those marked ⚠ before merging.\n");
        if !flagged.is_empty() {
            out.push_str(">\n");
            for i in flagged.iter().take(SHOWN) {
                let _ = writeln!(out, "> - {}", item(i));
            }
            if flagged.len() > SHOWN {
                let _ = writeln!(
                    out,
                    "> - … {} more: `clusterwright diff --format json` lists them all",
                    flagged.len() - SHOWN
                );
            }
        }
        out.push('\n');
    }
    if !rest.is_empty() {
        out.push_str("**Impact on live infrastructure**\n\n");
        for i in rest.iter().take(SHOWN) {
            let _ = writeln!(out, "- {}", item(i));
        }
        if rest.len() > SHOWN {
            let _ = writeln!(
                out,
                "- … {} more: `clusterwright diff --format json` lists them all",
                rest.len() - SHOWN
            );
        }
        out.push('\n');
    }
}

/// Writes the table of changed files into `out` and returns the collapsible sections: the
/// hunks repeated across files first, then one per file with its own hunks.
fn file_sections(changes: &[&Entry], out: &mut String) -> Vec<String> {
    out.push_str("| file | change | + | − |\n|---|---|---:|---:|\n");
    let mut per_file: Vec<(&Entry, Vec<String>)> = Vec::new();
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    // A platform of many clusters changes hundreds of files at once (a new chart version
    // touches every cluster): the table gets at most half the comment, the rest is counted.
    let mut unlisted = 0;
    for entry in changes {
        let (a, r) = counts(entry);
        if out.len() < MARKDOWN_LIMIT / 2 {
            let _ = writeln!(
                out,
                "| `{}` | {} | {a} | {r} |",
                entry.path,
                entry.status.word()
            );
        } else {
            unlisted += 1;
        }
        let hs = hunks(entry);
        for h in &hs {
            seen.entry(hunk_body(h).to_owned())
                .or_default()
                .push(entry.path.clone());
        }
        per_file.push((entry, hs));
    }
    if unlisted > 0 {
        let _ = writeln!(
            out,
            "| … {unlisted} more files: `clusterwright diff --format stat` lists them all | | | |"
        );
    }
    out.push('\n');

    let mut sections: Vec<String> = Vec::new();
    for (body, files) in seen.iter().filter(|(_, files)| files.len() > 1) {
        let list = files
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ");
        sections.push(format!(
            "<details><summary>the same change in {} files</summary>\n\n{list}\n\n```diff\n{body}```\n</details>\n",
            files.len()
        ));
    }
    for (entry, hs) in &per_file {
        let own: Vec<&String> = hs
            .iter()
            .filter(|h| seen.get(hunk_body(h)).is_some_and(|f| f.len() == 1))
            .collect();
        let repeated = hs.len() - own.len();
        let mut body = String::new();
        for h in &own {
            body.push_str(h);
        }
        let note = if repeated > 0 {
            format!("\n{repeated} repeated change(s) shown above.\n")
        } else {
            String::new()
        };
        let fence = if body.is_empty() {
            String::new()
        } else {
            format!("\n```diff\n{body}```\n")
        };
        sections.push(format!(
            "<details><summary><code>{}</code> ({})</summary>\n{fence}{note}</details>\n",
            entry.path,
            entry.status.word()
        ));
    }
    sections
}

/// Appends `sections` while they fit under [`MARKDOWN_LIMIT`], then a note of what was left.
fn append_within_limit(out: &mut String, sections: Vec<String>) {
    let total = sections.len();
    for (shown, section) in sections.into_iter().enumerate() {
        let note_room = 300;
        if out.len() + section.len() + note_room > MARKDOWN_LIMIT {
            let _ = write!(
                out,
                "\n**Truncated:** {} more sections do not fit a pull-request comment. Run `clusterwright diff` locally for the whole diff.\n",
                total - shown
            );
            break;
        }
        out.push_str(&section);
    }
}

/// A hunk without its `@@` line (whose line numbers differ from file to file).
fn hunk_body(hunk: &str) -> &str {
    hunk.split_once('\n').map_or("", |(_, body)| body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, old: Option<&str>, new: Option<&str>, status: Status) -> Entry {
        Entry {
            path: path.to_owned(),
            status,
            old: old.map(str::to_owned),
            new: new.map(str::to_owned),
        }
    }

    fn values(version: &str, name: &str) -> String {
        format!("cluster:\n  name: {name}\nimage:\n  tag: {version}\nrest: 1\n")
    }

    #[test]
    fn a_hunk_repeated_across_clusters_is_shown_once_with_its_files() {
        let entries = ["a", "b", "c"]
            .iter()
            .map(|c| {
                let old = values("1.19", "x");
                let new = values("1.20", "x");
                entry(
                    &format!("helm/{c}/cilium.values.yaml"),
                    Some(&old),
                    Some(&new),
                    Status::Update,
                )
            })
            .chain(std::iter::once(entry(
                "README.md",
                Some("one\n"),
                Some("two\n"),
                Status::Update,
            )))
            .collect();
        let md = markdown(
            &Comparison {
                entries,
                manifest: None,
            },
            &PlacementChanges::default(),
        );
        assert_eq!(md.matches("the same change in 3 files").count(), 1, "{md}");
        assert!(md.contains("`helm/a/cilium.values.yaml`, `helm/b/cilium.values.yaml`, `helm/c/cilium.values.yaml`"), "{md}");
        assert_eq!(
            md.matches("+  tag: 1.20").count(),
            1,
            "the repeated hunk is printed once: {md}"
        );
        assert_eq!(
            md.matches("1 repeated change(s) shown above.").count(),
            3,
            "{md}"
        );
        assert!(md.contains("-one\n+two\n"), "{md}");
        assert!(md.contains("| `README.md` | updated | 1 | 1 |"), "{md}");
    }

    #[test]
    fn stat_counts_lines_and_names_hand_edits() {
        let c = Comparison {
            entries: vec![
                entry("a.tf", Some("x\n"), Some("x\ny\nz\n"), Status::Update),
                entry("b.md", Some("mine\n"), Some("generated\n"), Status::Edited),
                entry("c.yaml", Some("x\n"), Some("x\n"), Status::Unchanged),
            ],
            manifest: None,
        };
        assert_eq!(
            stat(&c),
            " a.tf |     2 ++\n b.md |     2 +-  (edited by hand)\n 2 files changed, 3 insertions(+), 1 deletions(-)\n"
        );
    }

    /// The review's signs as GitHub and GitLab render them (CommonMark): each line one list
    /// item that starts with its sign, never a nested list (issue 13, wrong answer 5:
    /// `- + …` and `- - …` rendered as nested bullets, created and removed alike).
    #[test]
    fn review_signs_survive_commonmark() {
        use crate::plan::placement::NodeGroupChange;
        let group = |name: &str, from, to| NodeGroupChange {
            cluster: "c-01".to_owned(),
            node_group: name.to_owned(),
            from,
            to,
        };
        let review = PlacementChanges {
            has_previous: true,
            created: vec!["c-02".to_owned()],
            destroyed: vec!["c-03".to_owned()],
            node_groups: vec![
                group("a-1", None, Some(3)),
                group("b-1", Some(2), None),
                group("c-1", Some(2), Some(4)),
            ],
            ..PlacementChanges::default()
        };
        let comparison = Comparison {
            entries: vec![entry("a.tf", Some("x\n"), Some("y\n"), Status::Update)],
            manifest: None,
        };
        let md = markdown(&comparison, &review);
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&md));
        for item in [
            "<li>⚠ cluster <code>c-03</code> is DESTROYED",
            "<li><code>+</code> cluster <code>c-02</code> is created</li>",
            "<li><code>+</code> node group <code>a-1</code> is added",
            "<li><code>-</code> node group <code>b-1</code> is removed",
            "<li><code>~</code> node group <code>c-1</code> in <code>c-01</code> is resized",
        ] {
            assert!(html.contains(item), "{item} not in:\n{html}");
        }
        let review_list = html
            .split("<strong>In review terms</strong>")
            .nth(1)
            .and_then(|rest| rest.split("</ul>").next())
            .unwrap_or_default();
        assert_eq!(review_list.matches("<ul>").count(), 1, "{review_list}");
        assert_eq!(review_list.matches("<li>").count(), 5, "{review_list}");
    }

    #[test]
    fn no_changes_make_a_short_comment() {
        let c = Comparison {
            entries: vec![entry("a.tf", Some("x\n"), Some("x\n"), Status::Unchanged)],
            manifest: None,
        };
        assert!(
            markdown(&c, &PlacementChanges::default()).starts_with("### clusterwright: no changes")
        );
        assert_eq!(unified(&c, false), "");
    }

    #[test]
    fn colour_only_marks_diff_lines() {
        let c = Comparison {
            entries: vec![entry("a", Some("x\n"), Some("y\n"), Status::Update)],
            manifest: None,
        };
        let coloured = unified(&c, true);
        assert!(
            coloured.contains("\u{1b}[31m-x\u{1b}[0m\n\u{1b}[32m+y\u{1b}[0m\n"),
            "{coloured:?}"
        );
    }
}
