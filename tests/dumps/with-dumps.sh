#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# with-dumps.sh TEST: run TEST (tests/e2e/NAME.sh, or tests/unit/PROGRAM) over
# the real flash dumps of configure --with-dumps instead of the generated
# images.  The dumps play the same roles; tests/fixtures/dumps/ROLE.facts
# names each role's file and what it holds.
: "${IOTFLASH_DUMPS:?configure --with-dumps=DIR sets it}" "${top_srcdir:?}" "${top_builddir:?}"
IOTFLASH_IMAGES=$IOTFLASH_DUMPS
IOTFLASH_FACTS=$top_srcdir/tests/fixtures/dumps
export IOTFLASH_IMAGES IOTFLASH_FACTS
case $1 in
*.sh) exec bash "$top_srcdir/$1" ;;
*) exec "$top_builddir/$1" ;;
esac
