//! Hostile blueprints beyond the invalid corpus: names at every limit, look-alike
//! characters, tag values made of every escape-relevant character, address ranges at the
//! edges. Each is either generated correctly or refused with a clear message; never a panic.

use std::fs;

use crate::common::{blueprint, run_in};

fn workspace(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("b.yaml"), text).unwrap();
    dir
}

#[test]
fn names_at_every_limit_generate_and_fit_every_cloud() {
    let platform = "p".repeat(20);
    let env = "e".repeat(12);
    let org = format!("o{}", "r".repeat(29));
    let unit = format!("u{}", "n".repeat(29));
    let tenant = format!("t{}", "e".repeat(29));
    let text = blueprint(&[
        ("name: acme", &format!("name: {platform}")),
        ("  prod:\n", &format!("  {env}:\n")),
        (
            "environments: [prod, staging]",
            &format!("environments: [{env}, staging]"),
        ),
        (
            "corporate: { boundary: soft }",
            &format!("{org}: {{ boundary: soft }}"),
        ),
        ("organization: corporate", &format!("organization: {org}")),
        ("  standard:\n", &format!("  {unit}:\n")),
        ("unit: standard", &format!("unit: {unit}")),
        ("  globex:\n", &format!("  {tenant}:\n")),
    ]);
    let ws = workspace(&text);
    let r = run_in(ws.path(), &["generate", "b.yaml", "-o", "out", "--repack"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let placement = fs::read_to_string(ws.path().join("out/placement.yaml")).unwrap();
    let names: Vec<&str> = placement
        .lines()
        .filter_map(|l| l.trim().strip_suffix(':'))
        .filter(|l| l.starts_with(&platform))
        .collect();
    assert_eq!(names.len(), 2, "{placement}");
    for name in names {
        assert!(name.len() <= 40, "`{name}` is longer than GKE allows");
    }
}

#[test]
fn a_name_one_over_its_limit_is_refused() {
    let text = blueprint(&[("  globex:\n", &format!("  t{}:\n", "e".repeat(30)))]);
    let r = run_in(workspace(&text).path(), &["validate", "b.yaml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("is too long for a tenant name: 31 characters, at most 30"),
        "{}",
        r.stderr
    );
}

#[test]
fn look_alike_and_invisible_characters_in_names_are_refused() {
    for (name, shown) in [
        ("glоbex", "U+043E"),
        ("globex\u{200b}", "U+200B"),
        ("ｇlobex", "U+FF47"),
        ("globe\u{301}x", "U+0301"),
    ] {
        let text = blueprint(&[("  globex:\n", &format!("  \"{name}\":\n"))]);
        let r = run_in(workspace(&text).path(), &["validate", "b.yaml"]);
        assert_eq!(r.code, 2, "{name:?} was accepted");
        assert!(r.stderr.contains(shown), "{name:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"));
    }
}

#[test]
fn tag_values_with_every_escape_relevant_character_are_carried_exactly() {
    // Azure takes almost any tag value, so the quoting of every target is what protects.
    let hostile = r#"q"uote \back ${var.x} %{if true}x%{endif} $${ok} {{ tera }} 'single' #hash: colon, [list] &anchor *alias !tag | > ~ null yes 0755 é✓"#;
    let text = format!(
        "version: 1\nname: acme\ncloud: azure\nregion: westeurope\nkubernetesVersion: \"1.33\"\ntags:\n  owner: {}\npolicy: {{ zeroTrust: false, encryption: network }}\nenvironments:\n  prod: {{ production: true, account: 6f1c4a52-1d0e-4c7b-9b7e-2a1f3c4d5e6f, cidr: 10.0.0.0/16 }}\norganizations: {{ o: {{ boundary: soft }} }}\nunits:\n  u: {{ tenantsPerCluster: 2, nodeGroupsPerCluster: 2, nodesPerGroup: 2, instanceType: Standard_D4s_v5 }}\ntenants:\n  t: {{ organization: o, trust: trusted, unit: u, environments: [prod] }}\n",
        serde_json::to_string(hostile).unwrap()
    );
    let ws = workspace(&text);
    let r = run_in(ws.path(), &["generate", "b.yaml", "-o", "out"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Every generated .tf and .yaml parsed back before writing; where the value appears, it
    // reads back as exactly the tag value.
    let plan = run_in(ws.path(), &["plan", "b.yaml", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    assert_eq!(v["tags"]["owner"], hostile);
    for entry in walk(&ws.path().join("out")) {
        let content = fs::read_to_string(&entry).unwrap();
        if entry.extension().is_some_and(|e| e == "tf") {
            let body: hcl::edit::structure::Body = content.parse().unwrap();
            let found = find_string(&body, hostile);
            assert!(
                found || !content.contains("owner"),
                "{}: the tag is not carried exactly",
                entry.display()
            );
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Whether any string literal in `body` (at any depth) is exactly `wanted`.
fn find_string(body: &hcl::edit::structure::Body, wanted: &str) -> bool {
    use hcl::edit::expr::Expression;
    fn expr(e: &Expression, wanted: &str) -> bool {
        match e {
            Expression::String(s) => s.value() == wanted,
            Expression::Object(o) => o.iter().any(|(_, v)| expr(v.expr(), wanted)),
            Expression::Array(a) => a.iter().any(|v| expr(v, wanted)),
            Expression::FuncCall(f) => f.args.iter().any(|v| expr(v, wanted)),
            _ => false,
        }
    }
    body.iter().any(|s| match s {
        hcl::edit::structure::Structure::Attribute(a) => expr(&a.value, wanted),
        hcl::edit::structure::Structure::Block(b) => find_string(&b.body, wanted),
    })
}

#[test]
fn address_ranges_at_the_edges() {
    let refused = [
        (
            "10.0.0.0/28",
            "holds 0 of the 1 cluster planned in `prod`, 1 cluster short",
        ),
        ("10.0.0.0/29", "is smaller than a /28"),
        ("0.0.0.0/0", "is larger than a /8"),
        (
            "fd00::/8",
            "is an IPv6 range; environments take an IPv4 range",
        ),
        ("10.0.0.0/33", "is not an IPv4 CIDR range"),
        ("10.0.0.0/8 ", "has spaces in it"),
        ("10.0.0.0", "has no prefix length"),
    ];
    for (cidr, message) in refused {
        let text = blueprint(&[
            ("cidr: 10.0.0.0/16", &format!("cidr: \"{cidr}\"")),
            ("environments: [prod, staging]", "environments: [prod]"),
        ]);
        let r = run_in(workspace(&text).path(), &["validate", "b.yaml"]);
        assert_eq!(r.code, 2, "{cidr} was accepted");
        assert!(r.stderr.contains(message), "{cidr}: {}", r.stderr);
    }
    // A whole /8 is fine (and, on AWS, larger than one VPC: one VPC per cluster).
    let text = blueprint(&[
        ("cidr: 10.0.0.0/16", "cidr: 10.0.0.0/8"),
        ("cidr: 10.1.0.0/16", "cidr: 172.16.0.0/16"),
    ]);
    let r = run_in(
        workspace(&text).path(),
        &["plan", "b.yaml", "--format", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["environments"][0]["network"]["layout"], "cluster");
}
