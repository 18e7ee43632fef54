#!/usr/bin/env bash
# scripts/test.sh — builds mailwire and runs every test, on a fresh Debian 12 machine or here.
#
#   1. installs the build and test dependencies (apt-get, when root or with sudo);
#   2. g++ build (RelWithDebInfo, -Werror): unit tests, header self-containment, consumer
#      tests (find_package / add_subdirectory / FetchContent / pkg-config), tool and
#      differential tests, fuzz-corpus replay, interop tests;
#   3. clang++ build with AddressSanitizer + UndefinedBehaviorSanitizer: the same tests (but the
#      consumer ones), so every fuzz corpus is replayed under the sanitizers;
#   4. AArch64 cross build run under qemu-aarch64: the NEON kernels against the same tests;
#   5. clang++ libFuzzer build: each fuzz target runs for FUZZ_SECONDS (default 30) seconds.
#
# Environment: FUZZ_SECONDS (0 skips step 4), JOBS (parallel build jobs, default nproc),
# MAILWIRE_SKIP_DEPS=1 (do not touch apt), BUILD_ROOT (default build/test).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
BUILD_ROOT=${BUILD_ROOT:-$ROOT/build/test}
PACKAGES=(cmake ninja-build g++ clang libclang-rt-14-dev llvm pkg-config python3 time libpython3.11-testsuite
          catch2 libfmt-dev libasio-dev libssl-dev zlib1g-dev openssl
          libbenchmark-dev libgmime-3.0-dev libglib2.0-dev libb64-dev
          nettle-dev libsodium-dev libmodpbase64-dev libbaseencode-dev libvmime-dev
          libmimetic-dev libetpan-dev g++-aarch64-linux-gnu qemu-user
          swaks libnet-ssleay-perl curl postfix dovecot-core dovecot-lmtpd python3-aiosmtpd
          dovecot-pop3d dovecot-imapd isync fetchmail getmail6)

log() { printf '\n==> %s\n' "$*"; }

install_deps() {
  [ "${MAILWIRE_SKIP_DEPS:-0}" = 1 ] && return 0
  local sudo=()
  if [ "$(id -u)" != 0 ]; then sudo=(sudo); fi
  log "installing dependencies (apt-get)"
  "${sudo[@]}" apt-get update -qq
  # Postfix is only run as private instances by the interop tests: no system MTA.
  echo "postfix postfix/main_mailer_type select No configuration" | "${sudo[@]}" debconf-set-selections
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${PACKAGES[@]}" >/dev/null
}

TOTAL_PASSED=0
TOTAL_FAILED=0
FAILED_STAGES=()

# run_ctest NAME BUILD_DIR [ctest args...]: runs ctest, prints its summary, adds up the counts.
run_ctest() {
  local name=$1 dir=$2
  shift 2
  log "ctest: $name"
  local out rc=0
  out=$(mktemp)
  (cd "$dir" && ctest --output-on-failure -j "$JOBS" "$@") 2>&1 | tee "$out" | \
    grep -vE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' || true
  rc=${PIPESTATUS[0]}
  local line total failed
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$out" | tail -n 1 || true)
  if [ -n "$line" ]; then
    total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
    failed=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$line")
    TOTAL_PASSED=$((TOTAL_PASSED + total - failed))
    TOTAL_FAILED=$((TOTAL_FAILED + failed))
    echo "[$name] $line"
  else
    echo "[$name] ctest printed no summary"
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
  fi
  if ! grep -qE ' 0 tests failed' "$out"; then FAILED_STAGES+=("$name"); fi
  rm -f "$out"
}

# configure_build NAME DIR [cmake args...]
configure_build() {
  local name=$1 dir=$2
  shift 2
  log "configure + build: $name"
  cmake -S "$ROOT" -B "$dir" -G Ninja "$@" >"$dir.configure.log" 2>&1 || {
    cat "$dir.configure.log"; return 1; }
  cmake --build "$dir" -j "$JOBS"
}

main() {
  install_deps
  mkdir -p "$BUILD_ROOT"
  local t0=$SECONDS

  log "generated sources are up to date"
  if python3 "$ROOT/scripts/gen_charsets.py" --check; then
    TOTAL_PASSED=$((TOTAL_PASSED + 1))
  else
    TOTAL_FAILED=$((TOTAL_FAILED + 1)); FAILED_STAGES+=("gen_charsets --check")
  fi

  configure_build "g++" "$BUILD_ROOT/gcc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=g++ -DMAILWIRE_WERROR=ON
  run_ctest "g++" "$BUILD_ROOT/gcc"

  configure_build "clang++ asan+ubsan" "$BUILD_ROOT/asan" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_FLAGS=-O1 -DMAILWIRE_SANITIZE=ON \
    -DMAILWIRE_WERROR=ON -DMAILWIRE_BUILD_BENCHMARKS=OFF
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_ctest "clang++ asan+ubsan" "$BUILD_ROOT/asan" -LE consumer

  log "AArch64: NEON kernels under qemu-aarch64 (scripts/test-aarch64.sh)"
  if MAILWIRE_SKIP_DEPS=1 MAILWIRE_AARCH64_BUILD="$BUILD_ROOT/aarch64" MAILWIRE_JOBS="$JOBS" \
     MAILWIRE_AARCH64_NARROW=1 bash "$ROOT/scripts/test-aarch64.sh"; then
    TOTAL_PASSED=$((TOTAL_PASSED + 1))
    echo "[aarch64] base64, quoted-printable and core tests passed on simd::level::neon"
  else
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
    FAILED_STAGES+=("aarch64")
  fi

  if [ "$FUZZ_SECONDS" != 0 ]; then
    configure_build "libFuzzer" "$BUILD_ROOT/fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_COMPILER=clang++ -DMAILWIRE_LIBFUZZER=ON -DMAILWIRE_SANITIZE=ON \
      -DMAILWIRE_BUILD_TESTS=OFF -DMAILWIRE_BUILD_EXAMPLES=OFF -DMAILWIRE_BUILD_BENCHMARKS=OFF
    log "fuzzing each target for ${FUZZ_SECONDS}s"
    local fuzz_targets
    fuzz_targets=$(find "$BUILD_ROOT/fuzz/bin" -maxdepth 1 -name 'fuzz_*' -type f | wc -l)
    if FUZZ_SECONDS=$FUZZ_SECONDS bash "$ROOT/fuzz/run.sh" "$BUILD_ROOT/fuzz/bin"; then
      TOTAL_PASSED=$((TOTAL_PASSED + fuzz_targets))
      echo "[libFuzzer] $fuzz_targets targets ran ${FUZZ_SECONDS}s each without a finding"
    else
      TOTAL_FAILED=$((TOTAL_FAILED + 1))
      FAILED_STAGES+=("libFuzzer")
    fi
  fi

  log "done in $((SECONDS - t0))s"
  if [ ${#FAILED_STAGES[@]} -gt 0 ]; then echo "failed stages: ${FAILED_STAGES[*]}"; fi
  echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
  [ "$TOTAL_FAILED" = 0 ] && [ ${#FAILED_STAGES[@]} = 0 ]
}

main "$@"
