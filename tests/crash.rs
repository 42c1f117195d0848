//! Crash safety: `generate` killed at any point leaves every file either old or new, and the
//! next run converges; two runs on one directory do not corrupt it.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::common::{blueprint, run_in};

/// A platform with enough tenants for a run to take a while, and a change to it that
/// rewrites, adds and removes files.
fn versions(tenants: usize) -> (String, String) {
    let base = blueprint(&[
        ("cidr: 10.0.0.0/16", "cidr: 10.0.0.0/9"),
        ("cidr: 10.1.0.0/16", "cidr: 10.128.0.0/9"),
    ]);
    let (mut a, mut b) = (base.clone(), base);
    for i in 0..tenants {
        let line = |nodes: u32| {
            format!(
                "  tenant-{i:04}: {{ organization: corporate, trust: trusted, unit: standard, environments: [prod, staging], nodeGroups: 2, nodes: {nodes} }}\n"
            )
        };
        if i % 10 != 0 {
            a.push_str(&line(4));
        }
        if i % 10 != 5 {
            b.push_str(&line(6));
        }
    }
    (a, b)
}

/// Every file under `dir` (relative path → content), the lock, the cache and temporary
/// files left out.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let skip = rel.ends_with(".clusterwright-tmp")
                    || rel == ".clusterwright/lock"
                    || rel == ".clusterwright/cache";
                if !skip {
                    out.insert(rel, fs::read_to_string(&path).unwrap());
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn copy(from: &Path, to: &Path) {
    let _ = fs::remove_dir_all(to);
    for (rel, text) in snapshot(from) {
        let path = to.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}

fn generate(dir: &Path, out: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_clusterwright"))
        .args(["generate", "b.yaml", "-o", out])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn a_run_killed_at_any_point_leaves_old_or_new_files_and_the_next_run_converges() {
    let ws = tempfile::tempdir().unwrap();
    let (a, b) = versions(300);
    fs::write(ws.path().join("b.yaml"), &a).unwrap();
    assert_eq!(
        run_in(ws.path(), &["generate", "b.yaml", "-o", "old"]).code,
        0
    );
    let old = snapshot(&ws.path().join("old"));

    // The new version, generated over a copy of the old one (placement is honoured).
    fs::write(ws.path().join("b.yaml"), &b).unwrap();
    copy(&ws.path().join("old"), &ws.path().join("new"));
    let started = Instant::now();
    assert_eq!(
        run_in(ws.path(), &["generate", "b.yaml", "-o", "new"]).code,
        0
    );
    let full = started.elapsed();
    let new = snapshot(&ws.path().join("new"));
    assert_ne!(old, new);

    for attempt in 0u32..12 {
        let victim = ws.path().join("victim");
        copy(&ws.path().join("old"), &victim);
        let mut child = generate(ws.path(), "victim");
        // Spread the kills over the whole run, from its first instant to its end.
        std::thread::sleep(full.mul_f64(f64::from(attempt) / 11.0));
        let _ = child.kill();
        let _ = child.wait();

        for (path, text) in snapshot(&victim) {
            assert!(
                old.get(&path) == Some(&text) || new.get(&path) == Some(&text),
                "attempt {attempt}: `{path}` is neither the old nor the new version"
            );
        }
        for path in old.keys().filter(|p| new.contains_key(*p)) {
            assert!(
                victim.join(path).exists(),
                "attempt {attempt}: `{path}` vanished"
            );
        }
        let rerun = run_in(ws.path(), &["generate", "b.yaml", "-o", "victim"]);
        assert_eq!(rerun.code, 0, "attempt {attempt}: {}", rerun.stderr);
        assert_eq!(
            snapshot(&victim),
            new,
            "attempt {attempt}: the rerun did not converge"
        );
        assert_eq!(
            run_in(ws.path(), &["check", "b.yaml", "-o", "victim"]).code,
            0
        );
    }
}

#[test]
fn two_runs_on_one_directory_do_not_interleave() {
    let ws = tempfile::tempdir().unwrap();
    let (a, b) = versions(200);
    fs::write(ws.path().join("b.yaml"), &a).unwrap();
    assert_eq!(
        run_in(ws.path(), &["generate", "b.yaml", "-o", "out"]).code,
        0
    );
    fs::write(ws.path().join("b.yaml"), &b).unwrap();
    copy(&ws.path().join("out"), &ws.path().join("expected"));
    assert_eq!(
        run_in(ws.path(), &["generate", "b.yaml", "-o", "expected"]).code,
        0
    );

    let one = generate(ws.path(), "out");
    let two = generate(ws.path(), "out");
    for child in [one, two] {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(
        snapshot(&ws.path().join("out")),
        snapshot(&ws.path().join("expected"))
    );
    assert_eq!(run_in(ws.path(), &["check", "b.yaml", "-o", "out"]).code, 0);
}
