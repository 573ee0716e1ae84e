#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Memory safety (issue 4): a subset of the end-to-end suite with every
# iotflash run under Valgrind's memcheck.  Any error or definite leak makes
# that iotflash exit 99, which fails its test.  Run from a configured build
# directory (default: the current one): tools/ci-valgrind.sh [BUILDDIR]
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-.}" && pwd)
tests=${VALGRIND_TESTS:-"tests/e2e/bk72xx-basic.sh tests/e2e/w80x-basic.sh"}  # bad-input.sh reads the last stderr line, which valgrind's ioctl notes take
command -v valgrind >/dev/null || { echo "ci-valgrind: valgrind is not installed" >&2; exit 1; }
# The in-tree cli/iotflash is a libtool wrapper script: valgrind must see the
# real program, so libtool runs it with the uninstalled libraries' paths.
wrapper="$build/libtool --mode=execute valgrind -q --error-exitcode=99 --leak-check=full"
wrapper+=" --errors-for-leak-kinds=definite --show-leak-kinds=definite --track-fds=no"
wrapper+=" --suppressions=$src/tools/valgrind.supp"
cd "$build"
make -s check TESTS="$tests" \
	TESTS_ENVIRONMENT="IOTFLASH_WRAPPER='$wrapper'; export IOTFLASH_WRAPPER;"
echo "valgrind: $(echo $tests | wc -w) end-to-end tests clean under memcheck"
