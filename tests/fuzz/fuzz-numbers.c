/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Fuzz target: number parsing (iotflash_parse_u32), what every address,
 * size and baud rate on the command line goes through.  The input is one
 * NUL-terminated string; an accepted number must round-trip its value
 * class (a plain decimal parses to exactly what strtoull says). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <iotflash/iotflash.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	uint32_t v = 0;
	bool digits = size > 0;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (size_t i = 0; i < size; i++)
		digits = digits && s[i] >= '0' && s[i] <= '9';
	if (iotflash_parse_u32(s, &v) && digits && size < 11 && strtoull(s, NULL, 10) != v)
		abort();  /* a plain decimal must mean what it says */
	free(s);
	return 0;
}
