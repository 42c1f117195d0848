#!/usr/bin/env bash
# Whole-process timings with hyperfine (Debian package `hyperfine`): generate into an empty
# directory against `cp -r` of the same tree (the I/O floor), a no-op regenerate against
# reading every output file once, and `diff` of an unchanged tree.
#   scripts/bench.sh [TENANTS] [CLOUD]      (defaults: 2000 aws)
set -euo pipefail
cd "$(dirname "$0")/.."
tenants=${1:-2000}
cloud=${2:-aws}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --example synthetic-blueprint
cargo build --release --quiet
bin=$PWD/target/release/clusterwright
./target/release/examples/synthetic-blueprint "$tenants" "$cloud" > "$work/blueprint.yaml"

# One reference tree for the copy and read baselines.
"$bin" generate "$work/blueprint.yaml" -o "$work/reference" > /dev/null
files=$(find "$work/reference" -type f | wc -l)
bytes=$(du -sb "$work/reference" | cut -f1)
echo "tree: $files files, $bytes bytes ($tenants tenants on $cloud)"

hyperfine --warmup 1 --runs 5 --export-markdown "$work/generate.md" \
  --prepare "rm -rf $work/fresh $work/copy" \
  -n "generate into an empty directory" "$bin generate $work/blueprint.yaml -o $work/fresh" \
  -n "cp -r of the same tree" "cp -r $work/reference $work/copy"

hyperfine --warmup 1 --runs 10 --export-markdown "$work/rerun.md" \
  -n "no-op regenerate" "$bin generate $work/blueprint.yaml -o $work/reference" \
  -n "read every output file once" "find $work/reference -type f -exec cat {} + > /dev/null" \
  -n "diff of an unchanged tree" "$bin diff $work/blueprint.yaml -o $work/reference"

cat "$work/generate.md" "$work/rerun.md"
