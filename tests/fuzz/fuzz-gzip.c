/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Fuzz target: iotflash_read_file with gunzip on a file holding the input,
 * as a user's image (`write-flash app.bin.gz`) would be.  Reading must
 * succeed with a buffer or fail with a message; never crash or leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iotflash/iotflash.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	uint8_t *out = NULL;
	size_t len = 0;
	char err[512];
	FILE *f;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/iotflash-fuzz-gzip-%ld.bin", (long)getpid());
	if (!(f = fopen(path, "wb")))
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	err[0] = '\0';
	if (iotflash_read_file(path, true, &out, &len, err, sizeof(err)) == IOTFLASH_OK) {
		/* not gzip: the bytes as they are */
		if (!out || (size >= 2 && (data[0] != 0x1f || data[1] != 0x8b) && (len != size || memcmp(out, data, size))))
			abort();
		free(out);
	} else if (!err[0] || strchr(err, '\n')) {
		abort();  /* a failure always says what, on one line */
	}
	unlink(path);
	return 0;
}
