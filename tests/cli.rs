//! Every command and exit status, end to end.

use std::fs;

use crate::common::{Test, blueprint, root};

#[test]
fn validate_accepts_a_valid_blueprint() {
    Test::new()
        .in_repo()
        .args(["validate", "blueprints/acme-aws.yaml"])
        .stdout(
            "`blueprints/acme-aws.yaml` is valid: 3 environments, 9 tenants, 10 clusters planned\n",
        )
        .run();
}

#[test]
fn validate_refuses_an_invalid_blueprint_with_exit_2() {
    Test::new()
        .write(
            "b.yaml",
            blueprint(&[(
                "unit: standard\n    environments",
                "unit: standrd\n    environments",
            )]),
        )
        .args(["validate", "b.yaml"])
        .status(2)
        .stdout("")
        .stderr_contains("tenants.globex.unit: unknown unit `standrd`")
        .stderr_contains("[b.yaml:32:11]")
        .stderr_contains("did you mean `standard`?")
        .stderr_ends_with("error: `b.yaml` is not a valid blueprint: 1 error\n")
        .run();
}

#[test]
fn validate_reads_blueprint_yaml_by_default() {
    let ws = Test::new()
        .arg("validate")
        .status(2)
        .stderr_contains("blueprint.yaml: cannot read the file")
        .stderr_contains("run `clusterwright init`")
        .run();
    Test::in_dir(ws.path())
        .write("blueprint.yaml", blueprint(&[]))
        .arg("validate")
        .run();
}

#[test]
fn warnings_print_but_do_not_fail() {
    Test::new()
        .write(
            "b.yaml",
            blueprint(&[(
                "  mesh: istio\n",
                "  mesh: istio\n  waivers:\n    - rule: mesh-addon-traffic\n      reason: not needed\n",
            )]),
        )
        .args(["validate", "b.yaml"])
        .stderr_contains("the waiver of `mesh-addon-traffic` sets nothing aside")
        .stdout_contains("is valid")
        .run();
}

#[test]
fn init_writes_a_starter_that_validates_and_refuses_to_overwrite() {
    let ws = Test::new()
        .arg("init")
        .stdout(
            "wrote `blueprint.yaml`: edit it, then run `clusterwright validate blueprint.yaml`\n",
        )
        .run();
    Test::in_dir(ws.path())
        .arg("validate")
        .note("the starter has no warnings")
        .run();

    Test::in_dir(ws.path())
        .write("blueprint.yaml", "mine")
        .arg("init")
        .status(2)
        .stderr_contains("`blueprint.yaml` already exists")
        .run();
    assert_eq!(ws.read("blueprint.yaml"), "mine");

    Test::in_dir(ws.path()).args(["init", "--force"]).run();
    assert_ne!(ws.read("blueprint.yaml"), "mine");
}

#[test]
fn plan_prints_text_and_json() {
    Test::new()
        .in_repo()
        .args(["plan", "blueprints/acme-aws.yaml"])
        .stdout_starts_with(
            "platform `acme`: 10 clusters for 9 tenants (18 placements) in 3 environments",
        )
        .stdout_contains("acme-prod-retail-03  10.0.4.0/23")
        .run();

    let v = Test::new()
        .in_repo()
        .args(["plan", "blueprints/acme-aws.yaml", "--format", "json"])
        .run()
        .json();
    let clusters = v["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 10);
    for c in clusters {
        for key in [
            "name",
            "environment",
            "tenants",
            "nodeGroups",
            "nodes",
            "cidr",
            "unit",
            "reasons",
        ] {
            assert!(c.get(key).is_some(), "cluster lacks `{key}`");
        }
    }
    assert_eq!(v["summary"]["clusters"], 10);
    assert_eq!(v["summary"]["capacityLowerBound"], 5);
    for key in [
        "packing",
        "blastRadius",
        "environment",
        "trust",
        "organization",
        "placementStability",
    ] {
        assert!(
            v["summary"]["addedBy"].get(key).is_some(),
            "summary lacks addedBy.{key}"
        );
    }
}

#[test]
fn plan_honours_a_previous_placement_and_repack_ignores_it() {
    // A placement that put globex in a cluster of another name, on another range.
    let kept = Test::new()
        .write(
            "out/placement.yaml",
            "version: 1\nenvironments:\n  prod:\n    acme-prod-legacy-07:\n      cidr: 10.0.192.0/18\n      tenants: [globex]\n",
        )
        .write("b.yaml", blueprint(&[]))
        .args(["plan", "b.yaml", "-o", "out", "--format", "json"])
        .run();
    let v = kept.json();
    assert_eq!(v["clusters"][0]["name"], "acme-prod-legacy-07");
    assert_eq!(v["clusters"][0]["cidr"], "10.0.192.0/18");
    assert_eq!(v["changes"]["moved"].as_array().unwrap().len(), 0);

    Test::in_dir(kept.path())
        .args(["plan", "b.yaml", "-o", "out", "--repack"])
        .stdout_contains("acme-prod-standard-01")
        .stdout_contains("! cluster `acme-prod-legacy-07` is DESTROYED")
        .stdout_contains(
            "! tenant `globex` MOVES from `acme-prod-legacy-07` to `acme-prod-standard-01` (prod)",
        )
        .run();

    // One default output directory for every command (issue 13, wrong answer 7): without
    // -o, plan and validate read `out` next to the blueprint, as generate, diff and check
    // do, so they plan with the placement that exists, not a fresh one.
    Test::in_dir(kept.path())
        .args(["plan", "b.yaml"])
        .stdout_contains("acme-prod-legacy-07")
        .run();
    Test::in_dir(kept.path())
        .args(["plan", "b.yaml", "--format", "json"])
        .stdout_contains("\"name\": \"acme-prod-legacy-07\"")
        .run();
    Test::in_dir(kept.path())
        .args(["validate", "b.yaml"])
        .stdout("`b.yaml` is valid: 2 environments, 1 tenants, 2 clusters planned\n")
        .run();
    // A broken placement there stops validate too, as it would stop generate.
    Test::in_dir(kept.path())
        .write("out/placement.yaml", "version: 1\nenvironments: [\n")
        .args(["validate", "b.yaml"])
        .status(2)
        .stderr_contains("placement.yaml")
        .run();
}

#[test]
fn plan_refuses_a_broken_placement() {
    let ws = Test::new()
        .write("out/placement.yaml", "version: 1\nenvironments: [oops]\n")
        .write("b.yaml", blueprint(&[]))
        .args(["plan", "b.yaml", "-o", "out"])
        .status(2)
        .stderr_contains("cannot use the previous placement `out/placement.yaml`")
        .stderr_contains("--repack")
        .run();

    // With --repack, which plans from scratch, the hint holds: the file is set aside.
    Test::in_dir(ws.path())
        .args(["plan", "b.yaml", "-o", "out", "--repack"])
        .stderr_starts_with("warning: cannot use the previous placement `out/placement.yaml`: ")
        .stderr_contains(
            "`--repack` plans from scratch without it, so moved tenants are not reported",
        )
        .stdout_contains("acme-prod-standard-01")
        .run();
}

#[test]
fn a_placement_is_refused_unless_names_are_valid_and_tenants_placed_once() {
    let cluster = |name: &str, tenants: &str, formerly: &str| {
        format!(
            "    {name}:\n      cidr: 10.0.192.0/18\n      tenants: [{tenants}]\n      formerly: [{formerly}]\n"
        )
    };
    for (clusters, expected) in [
        // Found by the placement fuzz target: a tenant in two clusters was planned twice.
        (
            cluster("acme-prod-a-01", "globex", "") + &cluster("acme-prod-b-02", "globex", ""),
            "environments.prod.acme-prod-b-02.tenants: tenant `globex` is placed in two clusters of `prod`, `acme-prod-a-01` and `acme-prod-b-02`",
        ),
        // A cluster name becomes a directory and a resource name.
        (
            cluster("\"../../home-01\"", "globex", ""),
            "environments.prod.../../home-01: `../../home-01` is not valid as a cluster name: `.` is not allowed (use lowercase letters, digits and `-`)",
        ),
        (
            cluster("acme-prod-a-01", "globex", "acme-prod-a-01"),
            "environments.prod.acme-prod-a-01: cluster name `acme-prod-a-01` is used twice, also by environments.prod.acme-prod-a-01 (name)",
        ),
        (
            cluster("acme-prod-a-01", "globex", &"x".repeat(41)),
            "is too long for a cluster name: 41 characters, at most 40",
        ),
    ] {
        Test::new()
            .write("b.yaml", blueprint(&[]))
            .write(
                "out/placement.yaml",
                format!("version: 1\nenvironments:\n  prod:\n{clusters}"),
            )
            .args(["plan", "b.yaml", "-o", "out"])
            .status(2)
            .stderr_contains("cannot use the previous placement `out/placement.yaml`: ")
            .stderr_contains(expected)
            .note(format!("the placement's clusters:\n{clusters}"))
            .run();
    }
}

#[test]
fn schema_prints_the_committed_schema() {
    let committed = fs::read_to_string(root().join("schema/blueprint.v1.schema.json")).unwrap();
    Test::new()
        .arg("schema")
        .stdout(committed)
        .note("schema/blueprint.v1.schema.json is stale: run `clusterwright schema > schema/blueprint.v1.schema.json`")
        .run();
}

#[test]
fn help_of_every_command_has_an_example() {
    for cmd in [
        "init",
        "validate",
        "plan",
        "generate",
        "diff",
        "check",
        "completions",
        "schema",
    ] {
        Test::new()
            .args([cmd, "--help"])
            .stdout_contains("Example")
            .note(format!("`{cmd} --help` has no example"))
            .run();
    }
}

#[test]
fn unknown_arguments_exit_2() {
    Test::new()
        .args(["plan", "--format", "yaml"])
        .status(2)
        .stderr_contains("invalid value 'yaml'")
        .run();
}

#[test]
fn closed_stdout_is_not_an_error() {
    Test::new().arg("schema").close_stdout().run();
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        Test::new()
            .args(["completions", shell])
            .stdout_contains("generate")
            .note(format!("{shell} completion lacks the subcommands"))
            .run();
    }
}

/// A CI job posts what `diff --format markdown|json` prints: an invalid blueprint is said
/// there, with every problem and its place, not only on standard error (issue 13, wrong
/// answer 6: the comment was empty).
#[test]
fn diff_says_an_invalid_blueprint_in_the_format_asked_for() {
    let bad = blueprint(&[(
        "unit: standard\n    environments",
        "unit: standrd\n    environments",
    )]);
    let ws = Test::new()
        .write("b.yaml", &bad)
        .args(["diff", "b.yaml", "-o", "out", "--format", "markdown"])
        .status(2)
        .stdout_starts_with("### clusterwright: no diff, the run failed\n\n`b.yaml` is not a valid blueprint: 1 error:\n\n")
        .stdout_contains("- **error** `32:11: tenants.globex.unit` [reference]: unknown unit `standrd` — did you mean `standard`?")
        .stdout_contains("Run `clusterwright validate` for the full report.")
        .stderr_contains("tenants.globex.unit: unknown unit `standrd`")
        .run();
    let json = Test::in_dir(ws.path())
        .args(["diff", "b.yaml", "-o", "out", "--format", "json"])
        .status(2)
        .stderr_contains("unknown unit `standrd`")
        .run()
        .json();
    assert_eq!(json["error"], "`b.yaml` is not a valid blueprint: 1 error");
    let p = &json["problems"][0];
    assert_eq!(p["path"], "tenants.globex.unit");
    assert_eq!(
        (p["line"].as_u64(), p["column"].as_u64()),
        (Some(32), Some(11))
    );
    assert_eq!(p["severity"], "error");
    // The unified and stat formats keep standard output empty: the error is on stderr.
    Test::in_dir(ws.path())
        .args(["diff", "b.yaml", "-o", "out"])
        .status(2)
        .stdout("")
        .stderr_contains("unknown unit `standrd`")
        .run();
}

/// Three schema typos are three problems of one run, and a misindented key is the YAML
/// error it is, with its place, not a "missing required key" that masks it (issue 13,
/// wrong answer 8).
#[test]
fn every_schema_problem_in_one_run_and_syntax_first() {
    let typos = blueprint(&[
        (
            "unit: standard\n    environments",
            "unti: standard\n    environments",
        ),
        ("trust: trusted", "trust: trustd"),
        (
            "encryption: defense-in-depth",
            "encryption: defence-in-depth",
        ),
    ]);
    Test::new()
        .write("b.yaml", typos)
        .args(["validate", "b.yaml"])
        .status(2)
        .stderr_contains("policy.encryption: unknown value `defence-in-depth`")
        .stderr_contains("did you mean `defense-in-depth`?")
        .stderr_contains("tenants.globex.trust: unknown value `trustd`")
        .stderr_contains("tenants.globex.unti: unknown key `unti`")
        .stderr_contains("tenants.globex: missing required key `unit`")
        .stderr_ends_with("error: `b.yaml` is not a valid blueprint: 4 errors\n")
        .run();
    let misindented = blueprint(&[("    nodesPerGroup: 10\n", "   nodesPerGroup: 10\n")]);
    let line = misindented
        .lines()
        .position(|l| l == "   nodesPerGroup: 10")
        .unwrap()
        + 1;
    Test::new()
        .write("b.yaml", misindented)
        .args(["validate", "b.yaml"])
        .status(2)
        .stderr_contains("YAML syntax error")
        .stderr_contains(format!("[b.yaml:{line}:4]"))
        .stderr_ends_with("error: `b.yaml` is not a valid blueprint: 1 error\n")
        .run();
}
