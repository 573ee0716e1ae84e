/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* A5 stub protocol: frame and XMODEM block encode/decode, pure functions
 * (docs/protocols/eswin.md §2.2, §2.5). */
#include <string.h>

#include <iotflash/common.h>

#include "a5stub.h"

uint8_t a5_sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

const char *a5_status_text(uint8_t status)
{
	switch (status) {
	case A5_ST_OK: return "success";
	case A5_ST_ERROR: return "error";
	case A5_ST_ADDRESS: return "address error";
	case A5_ST_TYPE: return "type error (unknown command or bad frame checksum)";
	case A5_ST_LENGTH: return "length error";
	case A5_ST_CRC: return "CRC error";
	default: return "unknown status";
	}
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

size_t a5_encode(uint8_t *out, uint8_t type, const uint8_t *data, uint16_t len)
{
	out[0] = A5_REQ_MAGIC;
	out[1] = type;
	out[2] = (uint8_t)len;
	out[3] = (uint8_t)(len >> 8);
	if (len)
		memcpy(out + 4, data, len);
	out[4 + len] = a5_sum8(out, 4u + len);
	return A5_REQ_OVERHEAD + (size_t)len;
}

size_t a5_encode_range(uint8_t *out, uint8_t type, uint32_t addr, uint32_t len)
{
	uint8_t d[8];
	put32(d, addr);
	put32(d + 4, len);
	return a5_encode(out, type, d, sizeof d);
}

size_t a5_encode_range_level(uint8_t *out, uint8_t type, uint32_t addr, uint32_t len, uint8_t level)
{
	uint8_t d[9];
	put32(d, addr);
	put32(d + 4, len);
	d[8] = level;
	return a5_encode(out, type, d, sizeof d);
}

size_t a5_encode_u32(uint8_t *out, uint8_t type, uint32_t v)
{
	uint8_t d[4];
	put32(d, v);
	return a5_encode(out, type, d, sizeof d);
}

size_t a5_encode_kv_set(uint8_t *out, const char *key, uint16_t value_len)
{
	uint8_t d[3 + A5_KV_KEY_SEND];
	size_t n = strlen(key);
	if (n == 0 || n > A5_KV_KEY_SEND)
		return 0;
	d[0] = (uint8_t)n;
	d[1] = (uint8_t)value_len;
	d[2] = (uint8_t)(value_len >> 8);
	memcpy(d + 3, key, n);
	return a5_encode(out, A5_CMD_KV_SET, d, (uint16_t)(3 + n));
}

size_t a5_encode_reply(uint8_t *out, uint8_t type, uint16_t len_field, const uint8_t *data, size_t n,
                       uint8_t status)
{
	out[0] = A5_REPLY_MAGIC;
	out[1] = type;
	out[2] = (uint8_t)len_field;
	out[3] = (uint8_t)(len_field >> 8);
	if (n)
		memcpy(out + 4, data, n);
	out[4 + n] = status;
	out[5 + n] = a5_sum8(out, 5 + n);
	return A5_REPLY_OVERHEAD + n;
}

int a5_decode_reply(const uint8_t *buf, size_t len, size_t data_n, bool check_sum, struct a5_reply *r,
                    size_t *used)
{
	size_t n;

	if (len < A5_REPLY_OVERHEAD)
		return A5_DECODE_SHORT;
	if (buf[0] != A5_REPLY_MAGIC)
		return A5_DECODE_MAGIC;
	n = buf[1] == A5_TYPE_REJECT ? 0 : data_n;
	if (len < A5_REPLY_OVERHEAD + n)
		return A5_DECODE_SHORT;
	r->type = buf[1];
	r->len_field = (uint16_t)(buf[2] | buf[3] << 8);
	r->data = buf + 4;
	r->n = n;
	r->status = buf[4 + n];
	*used = A5_REPLY_OVERHEAD + n;
	if (check_sum && buf[5 + n] != a5_sum8(buf, 5 + n))
		return A5_DECODE_SUM;
	return A5_DECODE_OK;
}

void a5_xm_encode_block(uint8_t *out, uint8_t blk, const uint8_t *data, size_t n)
{
	uint16_t crc;

	out[0] = A5_XM_STX;
	out[1] = blk;
	out[2] = (uint8_t)(255 - blk);
	memcpy(out + 3, data, n);
	memset(out + 3 + n, 0xFF, A5_XM_DATA - n);
	crc = iotflash_crc16_xmodem(out + 3, A5_XM_DATA);
	out[3 + A5_XM_DATA] = (uint8_t)(crc >> 8);
	out[4 + A5_XM_DATA] = (uint8_t)crc;
}

int a5_xm_check_block(const uint8_t *in, uint8_t *blk)
{
	uint16_t crc;

	if (in[0] != A5_XM_STX || (uint8_t)(in[1] + in[2]) != 0xFF)
		return -1;
	*blk = in[1];
	crc = iotflash_crc16_xmodem(in + 3, A5_XM_DATA);
	if (in[3 + A5_XM_DATA] != (uint8_t)(crc >> 8) || in[4 + A5_XM_DATA] != (uint8_t)crc)
		return -2;
	return 0;
}
