/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Numbers as users type them: 0x hex, decimal, k/M suffixes. */
#include "internal.h"

#include <ctype.h>

IOTFLASH_API bool iotflash_parse_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0, base = 10, mult = 1;
	const char *p = s;
	unsigned digits = 0;

	if (!s || !*s)
		return false;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (; *p; p++) {
		int d;
		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = tolower((unsigned char)*p) - 'a' + 10;
		else
			break;
		v = v * base + (uint64_t)d;
		if (v > UINT32_MAX)
			return false;
		digits++;
	}
	if (digits == 0)
		return false;
	if (*p == 'k' || *p == 'K')
		mult = 1024, p++;
	else if (*p == 'M')
		mult = 1024 * 1024, p++;
	if (*p != '\0')
		return false;
	v *= mult;
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}
