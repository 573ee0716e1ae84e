/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Fuzz target: the chip database loader (chipdb_load) on a file holding the
 * input, as a user's --chipdb file would.  Loading must either succeed or
 * fail with a message; it must never crash or leak.  (Messages that quote a
 * multi-line scalar span lines: see docs/fuzzing.md.) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct chipdb *db = NULL;
	char err[512];
	FILE *f;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/iotflash-fuzz-chipdb-%ld.yaml", (long)getpid());
	if (!(f = fopen(path, "wb")))
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (chipdb_new(&db) == IOTFLASH_OK) {
		err[0] = '\0';
		if (chipdb_load(db, path, err, sizeof(err)) != IOTFLASH_OK && !err[0])
			abort();  /* a failure always says what */
		chipdb_free(db);
	}
	unlink(path);
	return 0;
}
