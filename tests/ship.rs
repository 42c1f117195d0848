//! How clusterwright is shipped, checked against itself: the CI jobs in `docs/ci/` parse,
//! call commands and flags the binary has, download artifacts the release builds, and own
//! one comment by one marker; the container image builds with a toolchain the crate
//! accepts. None of these files is compiled, so nothing else would notice them rot.

use std::fs;
use std::path::Path;
use std::process::Command;

/// The hidden first line of the review comment both CI jobs create and then update.
const MARKER: &str = "<!-- clusterwright-diff -->";

/// The files a user copies into their repository.
const CI_FILES: [&str; 2] = ["docs/ci/github-action.yml", "docs/ci/gitlab-ci.yml"];

fn read(path: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|error| panic!("reading {path}: {error}"))
}

/// The value of `key = "value"` on a line of its own in a TOML file.
fn toml_string(text: &str, key: &str) -> String {
    let value = text
        .lines()
        .filter_map(|line| line.strip_prefix(key))
        .find_map(|rest| rest.trim_start().strip_prefix('='))
        .unwrap_or_else(|| panic!("no `{key} = \"…\"` line"));
    value.trim().trim_matches('"').to_owned()
}

/// `1.95` → (1, 95).
fn minor_version(version: &str) -> (u32, u32) {
    let mut parts = version.split('.').map(|part| part.parse::<u32>().unwrap());
    (parts.next().unwrap(), parts.next().unwrap())
}

#[test]
fn ci_files_are_yaml_and_own_one_comment_by_the_same_marker() {
    for path in CI_FILES {
        let text = read(path);
        let parsed: Result<serde_json::Value, _> = serde_saphyr::from_str(&text);
        assert!(parsed.is_ok(), "{path} does not parse: {parsed:?}");
        assert!(
            text.contains(&format!("MARKER: \"{MARKER}\"")),
            "{path} sets MARKER"
        );
        assert!(
            text.contains("echo \"$MARKER\""),
            "{path} starts the comment with it"
        );
        assert!(
            text.contains("startswith"),
            "{path} finds its comment by the marker"
        );
    }
}

#[test]
fn ci_files_call_commands_and_flags_the_binary_has() {
    let help = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_clusterwright"))
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "clusterwright {args:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let check = help(&["check", "--help"]);
    let diff = help(&["diff", "--help"]);
    assert!(
        check.contains("1 out of date") && check.contains("2 trouble"),
        "{check}"
    );
    assert!(
        diff.contains("markdown:") && diff.contains("1 differences"),
        "{diff}"
    );
    assert!(diff.contains("-o, --output"), "{diff}");
    for path in CI_FILES {
        let text = read(path);
        assert!(
            text.contains(r#"clusterwright check "$BLUEPRINT" -o "$OUTPUT""#),
            "{path}"
        );
        assert!(
            text.contains(r#"clusterwright diff "$BLUEPRINT" -o "$output_dir" --format markdown"#),
            "{path}"
        );
    }
}

#[test]
fn ci_files_download_archives_the_release_builds() {
    let dist = read("dist-workspace.toml");
    for target in [
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(
            dist.contains(&format!("\"{target}\"")),
            "dist builds {target}"
        );
    }
    assert!(
        dist.contains(r#"installers = ["shell", "powershell"]"#),
        "{dist}"
    );
    for path in CI_FILES {
        let text = read(path);
        for target in ["x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl"] {
            assert!(text.contains(target), "{path} installs the {target} build");
        }
        assert!(
            text.contains(r#"archive="clusterwright-$target.tar.xz""#),
            "{path}"
        );
        assert!(
            text.contains("$archive.sha256"),
            "{path} verifies the checksum"
        );
    }
}

#[test]
fn container_image_builds_with_a_toolchain_the_crate_accepts() {
    let cargo = read("Cargo.toml");
    let dockerfile = read("Dockerfile");
    let minimum = minor_version(&toml_string(&cargo, "rust-version"));
    let pinned = toml_string(&dockerfile, "ARG RUST_VERSION");
    assert!(
        minor_version(&pinned) >= minimum,
        "rust {pinned} < rust-version {minimum:?}"
    );
    assert!(dockerfile.contains("cargo build --release --locked"));
    assert!(dockerfile.contains("ENTRYPOINT [\"/usr/local/bin/clusterwright\"]"));
    assert!(
        dockerfile.contains("USER 65532:65532"),
        "runs as a non-root user"
    );
    // The image and the build stage share a Debian release, so the binary finds its glibc.
    assert!(dockerfile.contains("-bookworm AS build") && dockerfile.contains("cc-debian12"));
    let ignored = read(".dockerignore");
    for path in ["/target", "/examples"] {
        assert!(
            ignored.lines().any(|line| line == path),
            ".dockerignore has {path}"
        );
    }
    // Cargo.toml declares these targets: the build fails if the context lacks them.
    for path in ["/tests", "/benches", "/src", "/templates"] {
        assert!(
            !ignored.lines().any(|line| line == path),
            ".dockerignore keeps {path}"
        );
    }
}
