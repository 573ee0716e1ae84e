/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* RDA5981 `Boot > ` shell lines and answers (docs/protocols/a5-stub-families.md §3.2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

size_t rda_loadb_line(char *out, size_t cap, uint32_t addr, uint32_t len)
{
	int n = snprintf(out, cap, "loadb %08X %X\r", (unsigned)addr, (unsigned)len);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

size_t rda_checksum_line(char *out, size_t cap, uint32_t addr, uint32_t len)
{
	int n = snprintf(out, cap, "checksum 1 %08X %u\r", (unsigned)addr, (unsigned)len);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

size_t rda_go_line(char *out, size_t cap, uint32_t entry)
{
	int n = snprintf(out, cap, "\rgo 2 %X\r", (unsigned)entry);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

bool rda_parse_crc(const char *text, uint32_t *crc)
{
	const char *p = strstr(text, "CRC32");
	char num[11], *end;
	unsigned long v;

	if (!p || strlen(p) < 18 || p[8] != '0' || (p[9] != 'x' && p[9] != 'X'))
		return false;
	memcpy(num, p + 8, 10);
	num[10] = 0;
	v = strtoul(num + 2, &end, 16);
	if (end != num + 10)
		return false;
	*crc = (uint32_t)v;
	return true;
}

uint32_t rda_jamcrc(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xFFFFFFFFu;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
	}
	return crc;
}

int rda_split(char *line, char *words[4])
{
	int n = 0;
	for (char *t = strtok(line, " \t"); t && n < 4; t = strtok(NULL, " \t"))
		words[n++] = t;
	return n;
}
