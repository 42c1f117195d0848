#!/usr/bin/env bash
# Runs the fuzz targets for a set time each (default 30 minutes), starting from the
# committed seeds (bundled, invalid and warning blueprints; example placements).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain RUSTC_BOOTSTRAP=1
# lets it use the sanitizer flags it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-1800}
shift || true
targets=${*:-pipeline placement}
export RUSTC_BOOTSTRAP=1
for target in $targets; do
  mkdir -p "fuzz/corpus/$target"
  echo "--- $target for ${seconds}s"
  cargo fuzz run "$target" "fuzz/corpus/$target" fuzz/corpus/seeds -- \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
done
