# Cross toolchain for AArch64 Linux (Debian's g++-aarch64-linux-gnu), used by
# scripts/test-aarch64.sh to build the unit tests and run them under qemu-aarch64.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Static binaries run under qemu-aarch64 without -L; catch_discover_tests runs the test binary
# at build time through the emulator.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
find_program(MAILWIRE_QEMU_AARCH64 qemu-aarch64)
if(MAILWIRE_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${MAILWIRE_QEMU_AARCH64})
endif()

# Libraries, headers and packages only from the target sysroot, so that the host's x86-64
# libfmt (or anything else built for the host) is never picked. A header-only package from the
# host must be named explicitly (scripts/test-aarch64.sh passes Catch2_DIR).
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
