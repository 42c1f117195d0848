#!/usr/bin/env bash
# The conformance kit over a synthetic platform of each cloud (issue 16: 500 tenants), as a
# sample of what large platforms generate; the bundled examples are judged in CI (.ci/run),
# this is the slower check of scale (terraform fmt alone takes minutes over a few hundred
# stacks), run by hand before a release or after a change to the address plan.
#   scripts/conformance-sample.sh [TENANTS] [CLOUD...]      (defaults: 500 aws gcp azure)
# Needs the kit next to the checkout (../shared/conformance, `./install` once). Exits 1 when
# any tree fails.
set -euo pipefail
cd "$(dirname "$0")/.."
tenants=${1:-500}
shift || true
clouds=${*:-aws gcp azure}
kit=${CONFORMANCE_KIT:-../shared/conformance}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --example synthetic-blueprint
cargo build --release --quiet
bin=$PWD/target/release/clusterwright
synth=$PWD/target/release/examples/synthetic-blueprint

failed=0
for cloud in $clouds; do
  "$synth" "$tenants" "$cloud" > "$work/$cloud.yaml"
  "$bin" generate "$work/$cloud.yaml" -o "$work/$cloud" > /dev/null
  echo "### $tenants tenants on $cloud: $(find "$work/$cloud" -type f | wc -l) files"
  for tree in terraform crossplane helm manifests; do
    [ -d "$work/$cloud/$tree" ] || continue
    echo "--- $cloud/$tree"
    "$kit/check" -q "$work/$cloud/$tree" | tail -2 || failed=1
  done
done
[ "$failed" = 0 ]
