//! A declarative test of one `clusterwright` run, in the way of just's `tests/test.rs`: say
//! what goes in (files, arguments, stdin) and what must come out (status, stdout, stderr,
//! files), then `run()` checks all of it at once.
//!
//! ```ignore
//! Test::new()
//!     .write("b.yaml", blueprint(&[]))
//!     .args(["validate", "b.yaml"])
//!     .stdout_contains("is valid")
//!     .run();
//! ```
//!
//! Unless a test says otherwise, a run must exit 0 and print nothing on stderr, so a test
//! that forgets to declare an expected error or warning fails. Stdout is not looked at
//! unless the test declares something about it.
//!
//! A failed run panics with the command, its directory and, for every part that did not
//! match, what was expected and what came: all mismatches at once, not just the first.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use regex::Regex;
use tempfile::TempDir;

use super::root;

/// Where a run happens.
#[derive(Debug)]
enum Dir {
    /// A fresh temporary directory, owned by the test and handed to its [`Output`].
    Temp(TempDir),
    /// The repository root; nothing may be written there.
    Repo,
    /// A directory that outlives this run (the tempdir of an earlier [`Output`]).
    At(PathBuf),
}

/// One expectation on stdout or stderr.
#[derive(Debug)]
enum Expect {
    /// The whole text.
    Is(String),
    /// A substring.
    Contains(String),
    /// A beginning.
    StartsWith(String),
    /// An ending.
    EndsWith(String),
    /// A regular expression that must match somewhere.
    Matches(Regex),
}

impl Expect {
    fn holds(&self, actual: &str) -> bool {
        match self {
            Expect::Is(s) => actual == s,
            Expect::Contains(s) => actual.contains(s.as_str()),
            Expect::StartsWith(s) => actual.starts_with(s.as_str()),
            Expect::EndsWith(s) => actual.ends_with(s.as_str()),
            Expect::Matches(re) => re.is_match(actual),
        }
    }

    /// What was expected, for a failure message.
    fn describe(&self, actual: &str) -> String {
        match self {
            Expect::Is(s) if s.is_empty() => "expected it empty".to_owned(),
            Expect::Is(s) => format!(
                "expected exactly{}:\n{}",
                first_difference(s, actual),
                block(s)
            ),
            Expect::Contains(s) => format!("expected it to contain:\n{}", fragment(s)),
            Expect::StartsWith(s) => format!("expected it to start with:\n{}", fragment(s)),
            Expect::EndsWith(s) => format!("expected it to end with:\n{}", block(s)),
            Expect::Matches(re) => format!("expected it to match /{re}/"),
        }
    }
}

/// A declared run of the `clusterwright` binary; see the module documentation.
#[must_use = "a `Test` does nothing until `run()`"]
#[derive(Debug)]
pub struct Test {
    dir: Dir,
    args: Vec<String>,
    stdin: Option<String>,
    close_stdout: bool,
    status: i32,
    stdout: Vec<Expect>,
    stderr: Vec<Expect>,
    present: Vec<String>,
    absent: Vec<String>,
    notes: Vec<String>,
}

impl Test {
    /// A run in a fresh temporary directory, which becomes the working directory.
    pub fn new() -> Self {
        Self::with_dir(Dir::Temp(tempfile::tempdir().unwrap()))
    }

    /// A run in `dir`, which must exist and which the test does not own: the way to take a
    /// further step in the directory of an earlier run, `Test::in_dir(first.path())`.
    pub fn in_dir(dir: impl AsRef<Path>) -> Self {
        Self::with_dir(Dir::At(dir.as_ref().to_owned()))
    }

    fn with_dir(dir: Dir) -> Self {
        Self {
            dir,
            args: Vec::new(),
            stdin: None,
            close_stdout: false,
            status: 0,
            stdout: Vec::new(),
            stderr: Vec::new(),
            present: Vec::new(),
            absent: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Runs from the repository root instead (for `blueprints/…` and `examples/…`). Files
    /// cannot be written there: [`Test::write`] panics.
    pub fn in_repo(mut self) -> Self {
        assert!(
            matches!(self.dir, Dir::Temp(_)),
            "`in_repo` replaces the fresh tempdir of `Test::new()`"
        );
        self.dir = Dir::Repo;
        self
    }

    /// Writes `content` to `path` (relative to the working directory) before the run,
    /// creating its parent directories. Writing at once, not at `run()`, lets a test
    /// overwrite the file of an earlier step.
    pub fn write(self, path: impl AsRef<Path>, content: impl AsRef<[u8]>) -> Self {
        assert!(
            !matches!(self.dir, Dir::Repo),
            "a test never writes into the repository"
        );
        let path = self.dir().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
        self
    }

    /// Adds one command-line argument.
    pub fn arg(mut self, arg: impl AsRef<str>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Adds command-line arguments.
    pub fn args<I>(mut self, args: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Feeds `text` to the run's stdin (without it, stdin is empty: `/dev/null`).
    pub fn stdin(mut self, text: impl Into<String>) -> Self {
        self.stdin = Some(text.into());
        self
    }

    /// Closes the reading end of stdout as soon as the process starts, as `| head -0`
    /// would; nothing can then be declared about stdout.
    pub fn close_stdout(mut self) -> Self {
        self.close_stdout = true;
        self
    }

    /// The exit status the run must end with (without it: 0).
    pub fn status(mut self, code: i32) -> Self {
        self.status = code;
        self
    }

    /// Stdout must be exactly `text`.
    pub fn stdout(mut self, text: impl Into<String>) -> Self {
        self.stdout.push(Expect::Is(text.into()));
        self
    }

    /// Stdout must contain `text` (may be declared several times).
    pub fn stdout_contains(mut self, text: impl Into<String>) -> Self {
        self.stdout.push(Expect::Contains(text.into()));
        self
    }

    /// Stdout must start with `text`.
    pub fn stdout_starts_with(mut self, text: impl Into<String>) -> Self {
        self.stdout.push(Expect::StartsWith(text.into()));
        self
    }

    /// Stdout must end with `text`.
    pub fn stdout_ends_with(mut self, text: impl Into<String>) -> Self {
        self.stdout.push(Expect::EndsWith(text.into()));
        self
    }

    /// The regular expression `regex` must match somewhere in stdout (anchor it with `^`
    /// and `$` to match all of it).
    pub fn stdout_matches(mut self, regex: &str) -> Self {
        self.stdout
            .push(Expect::Matches(Regex::new(regex).unwrap()));
        self
    }

    /// Stderr must be exactly `text`. Any stderr expectation replaces the default, that
    /// stderr is empty.
    pub fn stderr(mut self, text: impl Into<String>) -> Self {
        self.stderr.push(Expect::Is(text.into()));
        self
    }

    /// Stderr must contain `text` (may be declared several times).
    pub fn stderr_contains(mut self, text: impl Into<String>) -> Self {
        self.stderr.push(Expect::Contains(text.into()));
        self
    }

    /// Stderr must start with `text`.
    pub fn stderr_starts_with(mut self, text: impl Into<String>) -> Self {
        self.stderr.push(Expect::StartsWith(text.into()));
        self
    }

    /// Stderr must end with `text`.
    pub fn stderr_ends_with(mut self, text: impl Into<String>) -> Self {
        self.stderr.push(Expect::EndsWith(text.into()));
        self
    }

    /// The regular expression `regex` must match somewhere in stderr.
    pub fn stderr_matches(mut self, regex: &str) -> Self {
        self.stderr
            .push(Expect::Matches(Regex::new(regex).unwrap()));
        self
    }

    /// After the run, `path` (relative to the working directory) must exist.
    pub fn tree_contains(mut self, path: impl Into<String>) -> Self {
        self.present.push(path.into());
        self
    }

    /// After the run, `path` (relative to the working directory) must not exist.
    pub fn tree_lacks(mut self, path: impl Into<String>) -> Self {
        self.absent.push(path.into());
        self
    }

    /// A line shown with any mismatch: what a failure means, or how to fix it.
    pub fn note(mut self, text: impl Into<String>) -> Self {
        self.notes.push(text.into());
        self
    }

    /// The working directory.
    fn dir(&self) -> PathBuf {
        match &self.dir {
            Dir::Temp(t) => t.path().to_owned(),
            Dir::Repo => root(),
            Dir::At(p) => p.clone(),
        }
    }

    /// Runs the binary and checks everything declared; panics with every mismatch.
    #[track_caller]
    pub fn run(self) -> Output {
        assert!(
            !self.close_stdout || self.stdout.is_empty(),
            "nothing can be declared about a closed stdout"
        );
        let dir = self.dir();
        let mut child = Command::new(env!("CARGO_BIN_EXE_clusterwright"))
            .args(&self.args)
            .current_dir(&dir)
            // Stderr is a pipe, so diagnostics are plain ASCII; and without `NO_COLOR`, so
            // the environment `cargo test` runs in cannot change them.
            .env_remove("NO_COLOR")
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if self.close_stdout {
            drop(child.stdout.take());
        }
        // On a thread: a large input must not block while the child's output fills its pipe.
        let feeder = self.stdin.clone().map(|text| {
            let mut pipe = child.stdin.take().unwrap();
            std::thread::spawn(move || {
                // The child may exit without reading it all; that is its business.
                let _ = pipe.write_all(text.as_bytes());
            })
        });
        let output = child.wait_with_output().unwrap();
        if let Some(feeder) = feeder {
            feeder.join().unwrap();
        }
        let status = output.status.code().unwrap_or(-1);
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();

        let mut problems = String::new();
        if status != self.status {
            let _ = writeln!(problems, "status: expected {}, got {status}", self.status);
        }
        check("stdout", &self.stdout, &stdout, &mut problems);
        let empty = [Expect::Is(String::new())];
        if self.stderr.is_empty() {
            // `generate` warns of each gap of its Crossplane output on every run with
            // clusters (tests/crossplane_runtime.rs holds those lines exactly): the default
            // is an empty stderr besides them.
            let other: String = stderr
                .split_inclusive('\n')
                .filter(|l| !l.starts_with("warning: Crossplane on "))
                .collect();
            check("stderr", &empty[..], &other, &mut problems);
        } else {
            check("stderr", &self.stderr[..], &stderr, &mut problems);
        }
        for path in &self.present {
            if !dir.join(path).exists() {
                let _ = writeln!(problems, "tree: expected `{path}` to exist; it does not");
            }
        }
        for path in &self.absent {
            if dir.join(path).exists() {
                let _ = writeln!(problems, "tree: expected no `{path}`; it exists");
            }
        }
        if !problems.is_empty() {
            for note in &self.notes {
                let _ = writeln!(problems, "note: {note}");
            }
            let where_ = match &self.dir {
                Dir::Repo => "the repository root".to_owned(),
                _ => format!("`{}`", dir.display()),
            };
            panic!(
                "`clusterwright {}` in {where_} did not do what the test declared:\n{problems}",
                shell_words(&self.args)
            );
        }
        Output {
            status,
            stdout,
            stderr,
            dir,
            tempdir: match self.dir {
                Dir::Temp(t) => Some(t),
                Dir::Repo | Dir::At(_) => None,
            },
        }
    }
}

/// What a run printed, and its directory for further steps.
#[derive(Debug)]
pub struct Output {
    /// The exit status (already checked); -1 if a signal ended the run.
    pub status: i32,
    /// Everything printed on stdout.
    pub stdout: String,
    /// Everything printed on stderr.
    pub stderr: String,
    dir: PathBuf,
    /// The directory of a `Test::new()`, kept alive as long as this `Output`.
    tempdir: Option<TempDir>,
}

impl Output {
    /// The working directory of the run; with `Test::new()` it lives as long as `self`.
    pub fn path(&self) -> &Path {
        self.tempdir.as_ref().map_or(&self.dir, TempDir::path)
    }

    /// The file at `path`, relative to the working directory, as text.
    pub fn read(&self, path: impl AsRef<Path>) -> String {
        let path = self.path().join(path);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON: {e}\n{}", block(&self.stdout)))
    }
}

/// Appends a paragraph to `problems` for `stream` if any of `expected` fails on `actual`.
fn check(stream: &str, expected: &[Expect], actual: &str, problems: &mut String) {
    let failed: Vec<&Expect> = expected.iter().filter(|e| !e.holds(actual)).collect();
    if failed.is_empty() {
        return;
    }
    let _ = writeln!(problems, "{stream}:");
    for expect in failed {
        let _ = writeln!(problems, "  {}", expect.describe(actual));
    }
    let _ = writeln!(problems, "  got:\n{}", block(actual));
}

/// `text` indented under a margin, so that its first and last lines and a missing final
/// newline stay visible in a panic message.
fn block(text: &str) -> String {
    let mut out = fragment(text);
    if !text.is_empty() && !text.ends_with('\n') {
        out.push_str("\n    (no newline at the end)");
    }
    out
}

/// Part of a text, indented like [`block`]; where it ends does not matter.
fn fragment(text: &str) -> String {
    if text.is_empty() {
        return "    (nothing)".to_owned();
    }
    text.lines()
        .map(|l| format!("    | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `(first difference on line N)`, for exact expectations of long texts.
fn first_difference(expected: &str, actual: &str) -> String {
    let line = expected
        .split_inclusive('\n')
        .zip(actual.split_inclusive('\n'))
        .position(|(e, a)| e != a)
        .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
    format!(" (first difference on line {})", line + 1)
}

/// The arguments as a shell would need them.
fn shell_words(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:@".contains(c))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
