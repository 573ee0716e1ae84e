/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Shared by every format reader in libiotflash-formats.  Not installed.
 * This library links nothing of libiotflash: only the error codes and the
 * IOTFLASH_API marker of the public iotflash/common.h. */
#ifndef IOTFLASH_FORMATS_INTERNAL_H
#define IOTFLASH_FORMATS_INTERNAL_H

#include "iotflash/common.h"

/* A short text for an error code a format reader returns, for the one-line
 * err buffers of the API when nothing more precise was said. */
const char *formats_error_text(int rc);

#endif
