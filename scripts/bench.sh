#!/usr/bin/env bash
# Whole-process timings with hyperfine (Debian package `hyperfine`), per platform size:
#   - generate into an empty directory, against `cp -r` of the same tree (the I/O floor);
#   - a no-op regenerate, against reading every output file once;
#   - diff of the unchanged tree, with generate's cache and without it (as on a fresh
#     clone in CI);
#   - diff of a changed tree (one tenant more than the tree was generated for).
#   scripts/bench.sh [CLOUD] [TENANTS...]      (defaults: aws 500 2000)
# The synthetic AWS blueprint's /12 ranges hold about 500 tenants (a /19 per EKS cluster, 128 per
# environment); larger, use azure or gcp (`scripts/bench.sh azure 10000`).
set -euo pipefail
cd "$(dirname "$0")/.."
cloud=${1:-aws}
shift || true
sizes=${*:-500 2000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --example synthetic-blueprint
cargo build --release --quiet
bin=$PWD/target/release/clusterwright
synth=$PWD/target/release/examples/synthetic-blueprint

for tenants in $sizes; do
  w=$work/$tenants
  mkdir -p "$w/changed"
  "$synth" "$tenants" "$cloud" > "$w/blueprint.yaml"
  "$synth" "$((tenants + 1))" "$cloud" > "$w/changed/blueprint.yaml"
  "$bin" generate "$w/blueprint.yaml" -o "$w/reference" > /dev/null
  files=$(find "$w/reference" -type f | wc -l)
  bytes=$(du -sb "$w/reference" | cut -f1)
  echo
  echo "### $tenants tenants on $cloud: $files files, $((bytes / 1000000)) MB"
  echo

  hyperfine --style basic --warmup 1 --runs 3 --export-markdown "$w/generate.md" \
    --prepare "rm -rf $w/fresh $w/copy" \
    -n "generate into an empty directory" "$bin generate $w/blueprint.yaml -o $w/fresh" \
    -n "cp -r of the same tree" "cp -r $w/reference $w/copy" > /dev/null

  hyperfine --style basic --warmup 1 --runs 5 --export-markdown "$w/rerun.md" \
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

  cat "$w/generate.md" "$w/rerun.md" "$w/diff.md"
done
