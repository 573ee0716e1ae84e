/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* ESWIN ROM / TR6260 loader frames: pure functions (docs/protocols/eswin.md). */
#include "protocol.h"

const uint8_t eswin_sync[ESWIN_SYNC_LEN] = { 0x63, 0x6E, 0x79, 0x73 };

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void eswin_encode_header(uint8_t out[ESWIN_HEADER_LEN], uint32_t type, uint32_t addr, uint32_t len)
{
	put32(out, type);
	put32(out + 4, addr);
	put32(out + 8, len);
}

void eswin_decode_header(const uint8_t in[ESWIN_HEADER_LEN], struct eswin_header *h)
{
	h->type = get32(in);
	h->addr = get32(in + 4);
	h->len = get32(in + 8);
}

/* Codes from both tools (§3.2); 0x0A-0x0C only in the GUI's switch table. */
static const struct { uint8_t code; uint32_t baud; } codes[] = {
	{ 0x01, 115200 }, { 0x02, 57600 }, { 0x04, 380400 }, { 0x05, 460800 }, { 0x06, 576000 },
	{ 0x07, 691200 }, { 0x08, 806400 }, { 0x09, 921600 }, { 0x0A, 1400000 }, { 0x0B, 1660000 },
	{ 0x0C, 1840000 }, { 0x0D, 2000000 },
};

uint8_t tr_baud_code(uint32_t baud)
{
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (codes[i].baud == baud)
			return codes[i].code;
	return 0;
}

uint32_t tr_baud_of_code(uint8_t code)
{
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (codes[i].code == code)
			return codes[i].baud;
	return 0;
}

uint32_t tr_write_type(uint32_t addr)
{
	switch (addr) {
	case 0: return TR_UBOOT;
	case 0x80000: return TR_APP2;
	case 0x10000: return TR_RAM;
	case 0x4000: case 0xA000: return TR_APP;
	default: return TR_NV;
	}
}
