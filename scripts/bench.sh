#!/usr/bin/env bash
# Whole-process timings with hyperfine (Debian packages `hyperfine` and `jq`), per platform
# size, on a synthetic blueprint (`benches/support/synthetic.rs`):
#   - generate into an empty directory, against `cp -r` of the same tree (the I/O floor),
#     side by side in one hyperfine run, with the ratio of wall time and of CPU time;
#   - a no-op regenerate, against reading every output file once;
#   - diff of the unchanged tree, with generate's cache and without it (as on a fresh
#     clone in CI);
#   - diff of a changed tree (one tenant more than the tree was generated for).
#
#   scripts/bench.sh [CLOUD] [TENANTS...]      (defaults: azure 500 2000)
#   e.g. scripts/bench.sh azure 2000 10000; scripts/bench.sh aws 2000 10000; scripts/bench.sh gcp 10000
#   RUNS=10 scripts/bench.sh ...               (timed runs per command; default 5)
#
# Every timed run of `generate` and of `cp -r` writes into a directory of its own
# (`gen.<nanoseconds>`, `copy.<nanoseconds>`) and nothing is deleted until every timing of a
# size is taken: on ext4, creating files right after deleting thousands is several times
# slower (the kernel's check of recently deleted inodes), which slows `cp -r` as much as
# `generate` and hides the real ratio (a `--prepare 'rm -rf ...'` benchmark measured 1.1x
# where fresh directories measure 6.5x). The work directory is next to the target
# directory (on its file system: a tmpfs `/tmp` would measure another floor).
# The slowdown outlasts the deletion: `cp -r` of a 16,400-file tree took 7.7 s, 2.6 s and
# 0.62 s at 20-second intervals after a run had deleted its trees. So nothing is deleted
# until every size is timed, and between two runs of this script (whose exit deletes its
# work directory) wait two minutes, or keep the work directory with KEEP=1 (its path is
# printed) and delete it when done measuring.
# Wall times on a shared host are noisy: compare the ratios of one table, and the CPU
# (user + system) columns, not absolute times across runs. The load average is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
cloud=${1:-azure}
shift || true
sizes=${*:-500 2000}
runs=${RUNS:-5}
target=${CARGO_TARGET_DIR:-$PWD/target}

cargo build --release --quiet --example synthetic-blueprint
cargo build --release --quiet
bin=$target/release/clusterwright
synth=$target/release/examples/synthetic-blueprint
mkdir -p "$target"
work=$(mktemp -d "$target/bench.XXXXXX")
if [ -n "${KEEP:-}" ]; then
  echo "work directory (KEEP=1, not deleted): $work"
else
  trap 'rm -rf "$work"' EXIT
fi

# The mean wall time, user and system CPU of each command of a hyperfine JSON export, and
# the first command's against the second's.
summary() {
  jq -r '
    def s: . * 1000 | round | tostring + " ms";
    (.results | map("| \(.command) | \(.mean | s) ± \(.stddev // 0 | s) | \(.user | s) | \(.system | s) | \(.user + .system | s) |") | .[]),
    (.results as [$a, $b] | "| ratio, first to second | \($a.mean / $b.mean * 100 | round / 100)x |  |  | \(($a.user + $a.system) / ($b.user + $b.system) * 100 | round / 100)x |")
  ' "$1"
}

for tenants in $sizes; do
  w=$work/$tenants
  mkdir -p "$w/changed"
  "$synth" "$tenants" "$cloud" > "$w/blueprint.yaml"
  "$synth" "$((tenants + 1))" "$cloud" > "$w/changed/blueprint.yaml"
  "$bin" generate "$w/blueprint.yaml" -o "$w/reference" > /dev/null 2>&1
  files=$(find "$w/reference" -type f | wc -l)
  bytes=$(du -sb "$w/reference" | cut -f1)
  echo
  echo "### $tenants tenants on $cloud: $files files, $((bytes / 1000000)) MB (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  echo

  # Fresh directories, evaluated by hyperfine's shell at each run; deleted after the timings.
  hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$w/generate.json" \
    -n "generate into an empty directory" "$bin generate $w/blueprint.yaml -o $w/gen.\$(date +%s%N) > /dev/null 2>&1" \
    -n "cp -r of the same tree" "cp -r $w/reference $w/copy.\$(date +%s%N)" > /dev/null
  echo "| $tenants tenants, $cloud | wall, mean ± σ | user | system | user + system |"
  echo "|---|---:|---:|---:|---:|"
  summary "$w/generate.json"
  echo

  hyperfine --style basic --warmup 1 --runs "$runs" --export-markdown "$w/rerun.md" \
    -n "no-op regenerate" "$bin generate $w/blueprint.yaml -o $w/reference" \
    -n "read every output file once" "find $w/reference -type f -exec cat {} + > /dev/null" \
    -n "diff of the unchanged tree" "$bin diff $w/blueprint.yaml -o $w/reference" > /dev/null

  # Without the cache (a fresh clone): the same blueprint and tree, in another directory.
  cp "$w/blueprint.yaml" "$w/changed/same.yaml"
  cp -r "$w/reference" "$w/nocache"
  rm -f "$w/nocache/.clusterwright/cache"
  # -i: diff exits 1 when the tree differs.
  hyperfine --style basic -i --warmup 1 --runs 3 --export-markdown "$w/diff.md" \
    -n "diff of the unchanged tree, no cache" "$bin diff $w/changed/same.yaml -o $w/nocache" \
    -n "diff of a changed tree (one tenant more)" "$bin diff $w/changed/blueprint.yaml -o $w/reference" \
    > /dev/null

  cat "$w/rerun.md" "$w/diff.md"
  echo "(load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
done
