/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* RDA5981 `Boot > ` shell (921600 8N1): the command lines the host sends and
 * the answers it parses (docs/protocols/a5-stub-families.md §3.2, §6).  The
 * RAM stub speaks the shared A5 protocol (plugins/common/a5stub.h, §2). */
#ifndef IOTFLASH_RDA5981_PROTOCOL_H
#define IOTFLASH_RDA5981_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RDA_ROM_BAUD   921600
#define RDA_STUB_ADDR  0x00100000u
#define RDA_STUB_ENTRY 0x00100001u   /* Thumb bit set */
#define RDA_PROMPT     "Boot >"
#define RDA_LINE_MAX   96

/* `loadb 00100000 4738\r`: address 8 hex digits, length in uppercase hex. */
size_t rda_loadb_line(char *out, size_t cap, uint32_t addr, uint32_t len);
/* `checksum 1 00100000 18232\r`: the length in decimal. */
size_t rda_checksum_line(char *out, size_t cap, uint32_t addr, uint32_t len);
/* `\rgo 2 100001\r` (the leading CR gives an empty line). */
size_t rda_go_line(char *out, size_t cap, uint32_t entry);

/* The value after `CRC32` in shell output: 8 characters after its start, a
 * 10-character `0x%08X` (§3.2).  true with *crc when found. */
bool rda_parse_crc(const char *text, uint32_t *crc);
/* CRC-32/JAMCRC (reflected 0xEDB88320, init ~0, no final XOR): `checksum 1`
 * and the stub's 0x8F (§2.4, §2.9). */
uint32_t rda_jamcrc(const uint8_t *p, size_t n);

/* A shell command line split into its words (at most 4); returns the count. */
int rda_split(char *line, char *words[4]);

#endif
