#!/usr/bin/env bash
# AArch64 test stage: cross-builds the unit tests with Debian's g++-aarch64-linux-gnu (static)
# and runs the base64, quoted-printable and core tests under qemu-aarch64, where
# simd::detected() is level::neon, so the NEON kernels are checked against the portable code.
# qemu is for correctness only: its timings say nothing about real AArch64 speed.
#
#   scripts/test-aarch64.sh                      # install the tools, build, run
#   MAILWIRE_SKIP_DEPS=1 scripts/test-aarch64.sh # the tools are already installed
#
# Environment: MAILWIRE_AARCH64_BUILD (build directory, default build-aarch64), MAILWIRE_JOBS
# (default 2), MAILWIRE_AARCH64_TESTS (Catch2 test spec, default the codec and core tags),
# MAILWIRE_AARCH64_NARROW=1 (compile only tests/main.cpp and the base64, quoted-printable and
# core test files, without CMake: faster, and immune to unrelated test files that do not build).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${MAILWIRE_AARCH64_BUILD:-$root/build-aarch64}
jobs=${MAILWIRE_JOBS:-2}
spec=${MAILWIRE_AARCH64_TESTS:-[base64],[qp],[core]}
start=$SECONDS

step() { printf '\n== %s (%ds)\n' "$*" $((SECONDS - start)); }

if [[ ${MAILWIRE_SKIP_DEPS:-0} != 1 ]]; then
  step "installing g++-aarch64-linux-gnu and qemu-user"
  sudo=()
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q \
    g++-aarch64-linux-gnu qemu-user >/dev/null
fi
for tool in aarch64-linux-gnu-g++ qemu-aarch64 cmake ninja; do
  command -v "$tool" >/dev/null || { echo "test-aarch64: $tool not found" >&2; exit 2; }
done

if [[ ${MAILWIRE_AARCH64_NARROW:-0} == 1 ]]; then
  step "building the codec and core tests only (-j$jobs)"
  mkdir -p "$build/narrow"
  mapfile -t sources < <(cd "$root/tests" &&
    ls main.cpp test_base64.cpp test_quoted_printable.cpp test_core_*.cpp)
  flags=(-std=c++20 -O2 -Wall -Wextra -Wpedantic -Werror -I"$root/include"
         -DMAILWIRE_TEST_DATA_DIR="\"$root/tests/data\"")
  printf '%s\n' "${sources[@]}" | xargs -P "$jobs" -I{} \
    aarch64-linux-gnu-g++ "${flags[@]}" -c "$root/tests/{}" -o "$build/narrow/{}.o"
  objects=()
  for f in "${sources[@]}"; do objects+=("$build/narrow/$f.o"); done
  aarch64-linux-gnu-g++ -static "${objects[@]}" -o "$build/narrow/mailwire-tests"
  bin=$build/narrow/mailwire-tests
else
  # Debian's cross compiler searches the host's /usr/include last (after the target's headers),
  # so header-only Catch2 works as is; only its CMake package must be named, since the toolchain
  # file keeps find_package inside the target sysroot. fmt's headers are found the same way and
  # tests/test_fmt.cpp compiles whenever they are, so fmt is used header-only (FMT_HEADER_ONLY)
  # and its package, which would link the host's x86-64 libfmt, is disabled.
  catch2_cfg=
  for d in /usr/lib/cmake/Catch2 /usr/lib/x86_64-linux-gnu/cmake/Catch2 /usr/share/cmake/Catch2; do
    [[ -f $d/Catch2Config.cmake ]] && { catch2_cfg=$d; break; }
  done
  if [[ -z $catch2_cfg ]]; then
    echo "test-aarch64: Catch2 v2 (Debian package catch2) not found" >&2
    exit 2
  fi

  step "configuring $build"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/aarch64-toolchain.cmake" \
    -DCatch2_DIR="$catch2_cfg" \
    -DCMAKE_DISABLE_FIND_PACKAGE_fmt=ON -DCMAKE_CXX_FLAGS=-DFMT_HEADER_ONLY=1 \
    -DMAILWIRE_BUILD_TESTS=ON -DMAILWIRE_BUILD_FUZZ=OFF -DMAILWIRE_BUILD_BENCHMARKS=OFF \
    -DMAILWIRE_BUILD_EXAMPLES=OFF -DMAILWIRE_INSTALL=OFF >/dev/null

  step "building mailwire-tests (-j$jobs)"
  cmake --build "$build" --target mailwire-tests -j "$jobs"
  bin=$build/bin/mailwire-tests
fi
if command -v file >/dev/null && ! file "$bin" | grep -q 'ARM aarch64'; then
  echo "test-aarch64: $bin is not an AArch64 executable" >&2
  exit 1
fi

# The NEON kernels run only if the emulated CPU is detected as level::neon; a probe built with
# the same headers says so before the tests run (a scalar-only run would pass and prove nothing).
step "checking the SIMD level under qemu-aarch64"
mkdir -p "$build/probe"
cat >"$build/probe/level.cpp" <<'EOF'
#include <cstdio>
#include <mailwire/codec/base64.hpp>
int main() {
  const auto l = mailwire::simd::detected();
  std::printf("simd::detected() = %.*s\n", static_cast<int>(mailwire::simd::to_string(l).size()),
              mailwire::simd::to_string(l).data());
  return l == mailwire::simd::level::neon ? 0 : 1;
}
EOF
aarch64-linux-gnu-g++ -std=c++20 -O1 -static -Wall -Wextra -Wpedantic -Werror -I"$root/include" \
  "$build/probe/level.cpp" -o "$build/probe/level"
qemu-aarch64 "$build/probe/level"

step "running $spec under qemu-aarch64"
status=0
qemu-aarch64 "$bin" "$spec" --order decl || status=$?

step "summary"
if [[ $status == 0 ]]; then
  echo "test-aarch64: PASS ($spec, level neon, $((SECONDS - start)) s)"
else
  echo "test-aarch64: FAIL (exit $status; $spec)"
fi
exit "$status"
