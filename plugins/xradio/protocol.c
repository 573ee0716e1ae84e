/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* XRadio BROM frames, checksums and replies (docs/protocols/xradio.md). */
#include <string.h>

#include "protocol.h"

const uint8_t xr_upgrade_cmd[10] = { 0x0A, 'u', 'p', 'g', 'r', 'a', 'd', 'e', 0x0A, 0x00 };

static const uint8_t magic[4] = { 'B', 'R', 'O', 'M' };

uint16_t xr_sum16(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;
	if (i < len)
		s += p[i];
	return (uint16_t)s;
}

static void swap_field(uint8_t *p, size_t n, size_t off, size_t size)
{
	if (off + size > n)
		return;  /* a short payload: the device swaps stale bytes [inferred, §2.3] */
	for (size_t i = 0; i < size / 2; i++) {
		uint8_t t = p[off + i];
		p[off + i] = p[off + size - 1 - i];
		p[off + size - 1 - i] = t;
	}
}

/* The integer fields the device swaps back before its check (§2.2). */
static void swap_request_fields(uint8_t *p, size_t n)
{
	uint8_t op = p[0];

	if (op <= 0x07) {
		swap_field(p, n, 1, 4);
	} else if (op <= 0x0F) {
		swap_field(p, n, 1, 4);
		swap_field(p, n, 5, 4);
		if (op & 1)
			swap_field(p, n, 9, 2);
	} else if (op == XR_OP_SETUART || op == XR_OP_SETPC) {
		swap_field(p, n, 1, 4);
	} else if (op == XR_OP_FLASH_ERASE) {
		if (n > 1 && p[1] != 0)
			swap_field(p, n, 2, 4);
	} else if (op == XR_OP_FLASH_READ || op == XR_OP_FLASH_WRITE) {
		swap_field(p, n, 1, 4);
		swap_field(p, n, 5, 4);
		if (op == XR_OP_FLASH_WRITE)
			swap_field(p, n, 9, 2);
	}
}

uint16_t xr_frame_sum(const uint8_t *hdr, const uint8_t *payload, size_t n, bool request)
{
	uint8_t h[XR_HEADER_LEN], head[16];
	size_t k = n < sizeof head ? n : sizeof head;  /* 16: even, so the rest keeps its word pairing */
	uint16_t s;

	memcpy(h, hdr, XR_HEADER_LEN);
	h[6] = hdr[7];  /* checksum and length as a little-endian CPU holds them */
	h[7] = hdr[6];
	for (int i = 0; i < 4; i++)
		h[8 + i] = hdr[11 - i];
	s = xr_sum16(h, sizeof h);
	if (n == 0)
		return s;
	memcpy(head, payload, k);
	if (request)
		swap_request_fields(head, k);
	s = (uint16_t)(s + xr_sum16(head, k));
	if (n > k)
		s = (uint16_t)(s + xr_sum16(payload + k, n - k));
	return s;
}

static void put_header(uint8_t *out, uint8_t flags, uint8_t b5, uint32_t n)
{
	memcpy(out, magic, 4);
	out[4] = flags;
	out[5] = b5;
	out[6] = out[7] = 0;
	xr_put_be32(out + 8, n);
}

size_t xr_encode_request(uint8_t *out, uint8_t b5, const uint8_t *payload, size_t n)
{
	uint16_t cs;

	put_header(out, XR_FLAG_CHECK, b5, (uint32_t)n);
	memmove(out + XR_HEADER_LEN, payload, n);
	cs = (uint16_t)~xr_frame_sum(out, out + XR_HEADER_LEN, n, true);
	out[6] = (uint8_t)(cs >> 8);
	out[7] = (uint8_t)cs;
	return XR_HEADER_LEN + n;
}

size_t xr_enc_simple(uint8_t *out, uint8_t op)
{
	return xr_encode_request(out, 0, &op, 1);
}

static size_t enc_u32(uint8_t *out, uint8_t op, uint32_t v)
{
	uint8_t p[5] = { op };
	xr_put_be32(p + 1, v);
	return xr_encode_request(out, 0, p, sizeof p);
}

size_t xr_enc_baud(uint8_t *out, uint32_t baud) { return enc_u32(out, XR_OP_SETUART, XR_LCR_8N1 << 24 | baud); }
size_t xr_enc_setpc(uint8_t *out, uint32_t addr) { return enc_u32(out, XR_OP_SETPC, addr); }
size_t xr_enc_read4(uint8_t *out, uint32_t addr) { return enc_u32(out, XR_OP_READ4, addr); }

size_t xr_enc_setckcs(uint8_t *out, uint8_t mode)
{
	uint8_t p[2] = { XR_OP_SETCKCS, mode };
	return xr_encode_request(out, 0, p, sizeof p);
}

size_t xr_enc_write4(uint8_t *out, uint32_t addr, uint32_t value)
{
	uint8_t p[9] = { XR_OP_WRITE4 };
	xr_put_be32(p + 1, addr);
	for (int i = 0; i < 4; i++)  /* the value travels raw, in memory order (§2.1) */
		p[5 + i] = (uint8_t)(value >> (8 * i));
	return xr_encode_request(out, 0, p, sizeof p);
}

static size_t enc_two(uint8_t *out, uint8_t op, uint32_t a, uint32_t b, bool with_dcs, uint16_t dcs)
{
	uint8_t p[11] = { op };
	xr_put_be32(p + 1, a);
	xr_put_be32(p + 5, b);
	p[9] = (uint8_t)(dcs >> 8);
	p[10] = (uint8_t)dcs;
	return xr_encode_request(out, 0, p, with_dcs ? 11 : 9);
}

size_t xr_enc_seqwr(uint8_t *out, uint32_t addr, uint32_t len, uint16_t dcs)
{
	return enc_two(out, XR_OP_SEQWR, addr, len, true, dcs);
}

size_t xr_enc_seqrd(uint8_t *out, uint32_t addr, uint32_t len)
{
	return enc_two(out, XR_OP_SEQRD, addr, len, false, 0);
}

size_t xr_enc_flash_read(uint8_t *out, uint32_t sector, uint32_t count)
{
	return enc_two(out, XR_OP_FLASH_READ, sector, count, false, 0);
}

size_t xr_enc_flash_write(uint8_t *out, uint32_t sector, uint32_t count, uint16_t dcs)
{
	return enc_two(out, XR_OP_FLASH_WRITE, sector, count, true, dcs);
}

size_t xr_enc_erase(uint8_t *out, enum xr_erase_mode mode, uint32_t addr)
{
	uint8_t p[6] = { XR_OP_FLASH_ERASE, (uint8_t)mode };
	xr_put_be32(p + 2, addr);
	return xr_encode_request(out, 0, p, mode == XR_ERASE_CHIP ? 2 : 6);
}

bool xr_decode_header(const uint8_t hdr[XR_HEADER_LEN], struct xr_header *h)
{
	if (memcmp(hdr, magic, 4) != 0)
		return false;
	h->flags = hdr[4];
	h->b5 = hdr[5];
	h->checksum = xr_get_be16(hdr + 6);
	h->len = xr_get_be32(hdr + 8);
	return true;
}

bool xr_request_ok(const uint8_t hdr[XR_HEADER_LEN], const uint8_t *payload, size_t n)
{
	return !(hdr[4] & XR_FLAG_CHECK) || xr_frame_sum(hdr, payload, n, true) == 0xFFFF;
}

size_t xr_encode_reply(uint8_t *out, bool error, uint8_t req_b5, uint8_t version, uint32_t n, bool checked)
{
	uint8_t flags = (uint8_t)(XR_FLAG_ACK | (error ? XR_FLAG_ERROR : 0) | (checked ? XR_FLAG_CHECK : 0));
	put_header(out, flags, (uint8_t)((req_b5 & 0xF0) | (version & 0x0F)), n);
	return XR_HEADER_LEN;
}

void xr_reply_seal(uint8_t *frame, size_t n)
{
	uint16_t cs;
	if (!(frame[4] & XR_FLAG_CHECK))
		return;
	frame[6] = frame[7] = 0;
	cs = (uint16_t)~xr_frame_sum(frame, frame + XR_HEADER_LEN, n, false);
	frame[6] = (uint8_t)(cs >> 8);
	frame[7] = (uint8_t)cs;
}

bool xr_reply_ok(const uint8_t hdr[XR_HEADER_LEN], const uint8_t *payload, size_t n)
{
	return !(hdr[4] & XR_FLAG_CHECK) || xr_frame_sum(hdr, payload, n, false) == 0xFFFF;
}

uint32_t xr_flash_bytes(uint8_t cap)
{
	return cap >= 0x11 && cap <= 0x1F ? (uint32_t)1u << cap : 0;  /* 0x20 (4 GiB) does not fit */
}

uint32_t xr_erase_unit(enum xr_erase_mode mode)
{
	switch (mode) {
	case XR_ERASE_4K: return 4096;
	case XR_ERASE_32K: return 32768;
	case XR_ERASE_64K: return 65536;
	default: return 0;
	}
}

const char *xr_error_text(uint8_t code)
{
	switch (code) {
	case XR_ERR_UNKNOWN_CMD: return "unknown command";
	case XR_ERR_TIMEOUT: return "timeout";
	case XR_ERR_CHECKSUM: return "checksum error";
	case XR_ERR_INVALID: return "invalid parameter";
	case XR_ERR_NO_MEMORY: return "no memory (frame too long)";
	case XR_ERR_FLASH: return "flash operation failed";
	default: return NULL;
	}
}
