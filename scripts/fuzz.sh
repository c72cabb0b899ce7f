#!/usr/bin/env bash
# Run every cargo-fuzz target (fuzz/fuzz_targets/) for a set time and report, per target, how
# many inputs ran and whether one crashed. Exits non-zero when any target found a crash, a hang
# or a runaway allocation (the input is saved under fuzz/artifacts/<target>/).
#
# Usage: scripts/fuzz.sh [seconds-per-target] [target ...]     (default 60 s, every target)
# Environment: CARGO_TARGET_DIR (default fuzz/target), FUZZ_SANITIZER (default none: the crate
# has no unsafe code, and without ASan it runs ~3x more inputs; "address" to turn it on).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

SECONDS_PER_TARGET=${1:-60}
shift || true
case $SECONDS_PER_TARGET in '' | *[!0-9]*)
  echo "usage: scripts/fuzz.sh [seconds-per-target] [target ...]" >&2
  exit 2
  ;;
esac
# cargo fuzz passes nightly-only flags (-Zsanitizer, sancov passes); the stable toolchain
# accepts them with RUSTC_BOOTSTRAP. The fuzz crate is its own workspace: the main build and
# its target directory never see these flags.
export RUSTC_BOOTSTRAP=1
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/fuzz/target}
SANITIZER=${FUZZ_SANITIZER:-none}
FLAGS=(--sanitizer "$SANITIZER" --debug-assertions --target-dir "$TARGET_DIR")
LOGS=test-output/fuzz

say() { printf '\033[1mfuzz:\033[0m %s\n' "$*"; }

if ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz from crates.io (once)"
  cargo install cargo-fuzz --locked
fi

if [ $# -gt 0 ]; then TARGETS=("$@"); else mapfile -t TARGETS < <(cargo fuzz list); fi
for t in "${TARGETS[@]}"; do
  if [ ! -f "fuzz/fuzz_targets/$t.rs" ]; then
    echo "fuzz: no target $t (have: $(cargo fuzz list | tr '\n' ' '))" >&2
    exit 2
  fi
done

node fuzz/make-seeds.mjs
say "building the targets (release, debug assertions on, sanitizer: $SANITIZER)"
cargo fuzz build "${FLAGS[@]}"

mkdir -p "$LOGS"
failed=0
summary=()
for t in "${TARGETS[@]}"; do
  mkdir -p "fuzz/artifacts/$t"
  before=$(find "fuzz/artifacts/$t" -type f | wc -l)
  dict=()
  [ -f "fuzz/corpus/$t.dict" ] && dict=(-dict="fuzz/corpus/$t.dict")
  say "$t for ${SECONDS_PER_TARGET}s (log: $LOGS/$t.log)"
  set +e
  cargo fuzz run "${FLAGS[@]}" "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    "${dict[@]}" >"$LOGS/$t.log" 2>&1
  rc=$?
  set -e
  execs=$(awk -F': *' '/stat::number_of_executed_units/ {print $2}' "$LOGS/$t.log" | tail -1)
  if [ -z "$execs" ]; then
    # A crash ends the run before the final stats: take the last progress line (#N …).
    execs=$(grep -oE '^#[0-9]+' "$LOGS/$t.log" | tail -1 | tr -d '#')
  fi
  after=$(find "fuzz/artifacts/$t" -type f | wc -l)
  if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
    failed=1
    artifact=$(grep -oE 'fuzz/artifacts/[^ ]+' "$LOGS/$t.log" | tail -1 || true)
    kind=$(grep -oE 'deadly signal|panicked at|timeout after|out-of-memory|malloc\(' "$LOGS/$t.log" | head -1 || true)
    summary+=("$(printf '%-20s %12s executions  CRASH (%s, exit %s): %s' "$t" "${execs:-?}" "${kind:-see log}" "$rc" "${artifact:-$LOGS/$t.log}")")
    grep -m1 -A4 'panicked at' "$LOGS/$t.log" >&2 || tail -20 "$LOGS/$t.log" >&2
  else
    summary+=("$(printf '%-20s %12s executions  no crash' "$t" "${execs:-?}")")
  fi
done

say "summary (${SECONDS_PER_TARGET}s per target, $(date -u +%Y-%m-%d))"
printf '  %s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  say "a target crashed: reproduce with 'RUSTC_BOOTSTRAP=1 cargo fuzz run ${FLAGS[*]} TARGET ARTIFACT',"
  say "minimise with 'cargo fuzz tmin ${FLAGS[*]} TARGET ARTIFACT', then add it to tests/regressions.rs"
  exit 1
fi
