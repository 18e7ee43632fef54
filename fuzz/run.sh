#!/usr/bin/env bash
# fuzz/run.sh BIN_DIR — bounded libFuzzer runs of every fuzz_<name> binary in BIN_DIR.
#
# Builds nothing: BIN_DIR comes from a build configured with
#   cmake -DCMAKE_CXX_COMPILER=clang++ -DMAILWIRE_LIBFUZZER=ON -DMAILWIRE_SANITIZE=ON
# Each target runs for FUZZ_SECONDS (default 30) with its fuzz/<name>.dict, on a temporary
# copy of fuzz/corpus/<name>/ (nothing is written into the repository), -rss_limit_mb=2048.
# Crash inputs and full logs go to FUZZ_OUT (default BIN_DIR/../fuzz-out/<name>/).
# Environment: FUZZ_SECONDS, FUZZ_OUT, FUZZ_TIMEOUT (seconds per input, default 25),
# FUZZ_TARGETS (space-separated names to run instead of all).
# Exit status: 0 when no target found anything, 1 otherwise (or on a usage error).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=${1:?usage: fuzz/run.sh BIN_DIR   (env: FUZZ_SECONDS, FUZZ_OUT, FUZZ_TIMEOUT, FUZZ_TARGETS)}
bin=$(cd "$bin" && pwd)
seconds=${FUZZ_SECONDS:-30}
timeout=${FUZZ_TIMEOUT:-25}
outroot=${FUZZ_OUT:-$(dirname "$bin")/fuzz-out}
mkdir -p "$outroot"
outroot=$(cd "$outroot" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/mailwire-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ -n "${FUZZ_TARGETS:-}" ]; then
  names=($FUZZ_TARGETS)
else
  names=()
  for exe in "$bin"/fuzz_*; do
    [ -f "$exe" ] && [ -x "$exe" ] && names+=("${exe##*/fuzz_}")
  done
fi
if [ ${#names[@]} = 0 ]; then
  echo "fuzz/run.sh: no fuzz_* binaries in $bin" >&2
  exit 1
fi

failed=()
for name in "${names[@]}"; do
  exe=$bin/fuzz_$name
  corpus=$work/$name
  out=$outroot/$name
  mkdir -p "$corpus" "$out"
  rm -f "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-* "$out"/slow-unit-*
  if [ -d "$here/corpus/$name" ]; then cp -R "$here/corpus/$name/." "$corpus/"; fi
  args=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout="$timeout"
        -print_final_stats=1 -artifact_prefix="$out/")
  if [ -f "$here/$name.dict" ]; then args+=(-dict="$here/$name.dict"); fi
  seeds=$(find "$corpus" -type f | wc -l)
  rc=0
  if [ ! -x "$exe" ]; then
    echo "fuzz_$name: no such binary in $bin" >"$out/log"
    rc=1
  else
    "$exe" "${args[@]}" "$corpus" >"$out/log" 2>&1 || rc=$?
  fi
  # A binary built with the replay main ignores the flags and exits at once: not fuzzing.
  if [ "$rc" = 0 ] && ! grep -q '^INFO: Seed: ' "$out/log"; then
    echo "fuzz_$name: not a libFuzzer binary (build with -DMAILWIRE_LIBFUZZER=ON)" >>"$out/log"
    rc=1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log" | tail -n 1)
  units=$(find "$corpus" -type f | wc -l)
  if [ "$rc" = 0 ]; then
    printf 'fuzz_%s: ok, %ss, %s executions, corpus %s -> %s inputs\n' \
      "$name" "$seconds" "${execs:-?}" "$seeds" "$units"
  else
    failed+=("$name")
    printf 'fuzz_%s: FAILED (exit %s), log: %s\n' "$name" "$rc" "$out/log"
    grep -E 'ERROR: |fuzz check failed|SUMMARY: |runtime error: ' "$out/log" | head -n 10 || true
    for a in "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-*; do
      [ -f "$a" ] || continue
      printf '  input %s (%s bytes): ' "$a" "$(wc -c <"$a")"
      head -c 256 "$a" | od -An -tx1 -v | tr -d ' \n'
      echo
    done
    tail -n 30 "$out/log"
  fi
done

if [ ${#failed[@]} != 0 ]; then
  echo "fuzz/run.sh: findings in: ${failed[*]}"
  exit 1
fi
echo "fuzz/run.sh: ${#names[@]} targets, ${seconds}s each, no findings"
