/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* GD32VW553 ISP ROM packets (docs/protocols/a5-stub-families.md §3.1). */
#include <string.h>

#include "protocol.h"

uint8_t gd_xor(const uint8_t *p, size_t n)
{
	uint8_t x = 0;
	while (n--)
		x ^= *p++;
	return x;
}

void gd_encode_cmd(uint8_t out[2], uint8_t cmd)
{
	out[0] = cmd;
	out[1] = (uint8_t)~cmd;
}

void gd_encode_addr(uint8_t out[GD_ADDR_LEN], uint32_t addr)
{
	out[0] = (uint8_t)(addr >> 24);
	out[1] = (uint8_t)(addr >> 16);
	out[2] = (uint8_t)(addr >> 8);
	out[3] = (uint8_t)addr;
	out[4] = gd_xor(out, 4);
}

size_t gd_encode_piece(uint8_t *out, const uint8_t *data, size_t n)
{
	if (n == 0 || n > GD_PIECE)
		return 0;
	out[0] = (uint8_t)(n - 1);
	memcpy(out + 1, data, n);
	out[n + 1] = gd_xor(out, n + 1);
	return n + 2;
}

bool gd_cmd_ok(const uint8_t in[2])
{
	return (uint8_t)(in[0] ^ in[1]) == 0xFF;
}

bool gd_decode_addr(const uint8_t in[GD_ADDR_LEN], uint32_t *addr)
{
	if (gd_xor(in, 4) != in[4])
		return false;
	*addr = (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
	return true;
}

int gd_decode_get(const uint8_t *in, size_t len, struct gd_get *g)
{
	if (len < 1 || len < (size_t)in[0] + 3)
		return -1;
	if (in[0] > sizeof g->cmds || in[in[0] + 2] != GD_ACK)
		return -2;
	g->n = in[0];
	g->version = in[1];
	memcpy(g->cmds, in + 2, g->n);
	return 0;
}

bool gd_get_has(const struct gd_get *g, uint8_t cmd)
{
	return memchr(g->cmds, cmd, g->n) != NULL;
}

int gd_decode_pid(const uint8_t *in, size_t len, char id[5], uint32_t *flash_size)
{
	if (len < 1 || len < (size_t)in[0] + 2)
		return -1;
	if (in[0] < 4 || in[in[0] + 1] != GD_ACK)
		return -2;
	memcpy(id, in + 1, 4);
	id[4] = 0;
	switch (id[2]) {
	case 'I': *flash_size = 2u << 20; return 0;
	case 'M': *flash_size = 4u << 20; return 0;
	default: return -3;
	}
}

unsigned gd_parity_even(uint8_t b)
{
	b ^= (uint8_t)(b >> 4);
	b ^= (uint8_t)(b >> 2);
	b ^= (uint8_t)(b >> 1);
	return b & 1u;
}
