//! The corpus of invalid blueprints: each gets the exact messages in its snapshot, exit
//! status 2, and never a panic. Hostile inputs too big to commit are generated here.

use std::fs;
use std::io::Write;

use crate::common::{run, run_in};

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

#[test]
fn invalid_blueprints_are_refused_with_exact_messages() {
    settings().bind(|| {
        insta::glob!("fixtures/invalid/*.yaml", |path| {
            let name = path.file_name().unwrap().to_str().unwrap();
            let rel = format!("tests/fixtures/invalid/{name}");
            let r = run(&["validate", &rel]);
            assert_eq!(r.code, 2, "{rel} was not refused:\n{}", r.stderr);
            assert_eq!(r.stdout, "");
            assert!(
                !r.stderr.contains("panicked"),
                "{rel} panicked:\n{}",
                r.stderr
            );
            insta::assert_snapshot!(r.stderr);
        });
    });
}

#[test]
fn valid_blueprints_with_warnings_show_them() {
    settings().bind(|| {
        insta::glob!("fixtures/warnings/*.yaml", |path| {
            let name = path.file_name().unwrap().to_str().unwrap();
            let rel = format!("tests/fixtures/warnings/{name}");
            let r = run(&["validate", &rel]);
            assert_eq!(r.code, 0, "{rel} was refused:\n{}", r.stderr);
            assert!(!r.stderr.is_empty(), "{rel} has no warning");
            insta::assert_snapshot!(r.stderr);
        });
    });
}

/// Runs `validate` on generated `bytes` and returns stderr.
fn refuse(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("b.yaml"), bytes).unwrap();
    let r = run_in(dir.path(), &["validate", "b.yaml"]);
    assert_eq!(r.code, 2, "accepted:\n{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    r.stderr
}

#[test]
fn binary_garbage_is_not_utf8() {
    let mut bytes = b"version: 1\nname: ".to_vec();
    bytes.extend((0u8..=255).cycle().skip(128).take(4096));
    let err = refuse(&bytes);
    assert!(
        err.contains("b.yaml: the file is not UTF-8 text (invalid byte at offset 17)"),
        "{err}"
    );
    assert!(
        err.contains("help: a blueprint is a YAML text file encoded as UTF-8"),
        "{err}"
    );
}

#[test]
fn binary_garbage_that_is_utf8_is_refused_by_the_parser() {
    let bytes: Vec<u8> = (0..20_000u32)
        .map(|i| b"\x01\x02{[:&*!|>'\"%@`"[(i % 14) as usize])
        .collect();
    let err = refuse(&bytes);
    assert!(
        err.contains("error: `b.yaml` is not a valid blueprint: 1 error"),
        "{err}"
    );
}

#[test]
fn twenty_thousand_levels_of_nesting_are_refused() {
    let text = format!(
        "version: 1\ntags: {}{}\n",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    let err = refuse(text.as_bytes());
    assert!(err.contains("tags"), "{err}");
    let nested_maps = format!(
        "version: 1\nname: {}x{}\n",
        "{a: ".repeat(20_000),
        "}".repeat(20_000)
    );
    let err = refuse(nested_maps.as_bytes());
    assert!(
        err.contains("the document nests deeper than 32 levels"),
        "{err}"
    );
    let deep_block: String = (0..20_000).map(|i| " ".repeat(i % 200) + "k:\n").collect();
    let err = refuse(format!("policy:\n{deep_block}").as_bytes());
    assert!(
        err.contains("error: `b.yaml` is not a valid blueprint"),
        "{err}"
    );
}

#[test]
fn a_fifty_megabyte_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = fs::File::create(dir.path().join("b.yaml")).unwrap();
    let line = "# padding padding padding padding padding padding padding padding padding\n";
    for _ in 0..=(50 * 1024 * 1024 / line.len()) {
        f.write_all(line.as_bytes()).unwrap();
    }
    drop(f);
    let r = run_in(dir.path(), &["validate", "b.yaml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("b.yaml: the file is 52428"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("a blueprint is at most 33554432 bytes (32 MiB)"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_directory_is_not_a_blueprint() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("b.yaml")).unwrap();
    let r = run_in(dir.path(), &["validate", "b.yaml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("this is a directory, not a blueprint file"),
        "{}",
        r.stderr
    );
}

#[test]
fn errors_in_a_large_blueprint_are_located_exactly() {
    // Large enough to be parsed in two parts: any problem falls back to one whole parse.
    let mut text = crate::common::blueprint(&[
        ("cidr: 10.0.0.0/16", "cidr: 10.0.0.0/9"),
        ("cidr: 10.1.0.0/16", "cidr: 10.128.0.0/9"),
    ]);
    for i in 0..3000 {
        let unit = if i == 2500 { "standrd" } else { "standard" };
        text.push_str(&format!("  tenant-{i:04}:\n    organization: corporate\n    trust: trusted\n    unit: {unit}\n    environments: [prod]\n"));
    }
    text.push_str("  tenant-0007:\n    organization: corporate\n    trust: trusted\n    unit: standard\n    environments: [prod]\n");
    assert!(text.len() > 256 * 1024);
    let err = refuse(text.as_bytes());
    assert!(err.contains("duplicate key `tenant-0007`"), "{err}");

    let dup_free = text.rsplit_once("  tenant-0007:").unwrap().0.to_owned();
    let err = refuse(dup_free.as_bytes());
    let line = dup_free
        .lines()
        .position(|l| l == "    unit: standrd")
        .unwrap()
        + 1;
    assert!(err.contains(&format!("[b.yaml:{line}:11]")), "{err}");
    assert!(
        err.contains("tenants.tenant-2500.unit: unknown unit `standrd`"),
        "{err}"
    );
}
