/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* WinnerMicro W600/W800 download protocol: encoders and decoders (§2-§5). */
#include "protocol.h"

#include <string.h>

#include <iotflash/common.h>

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* CCITT-FALSE is XMODEM's CRC with init 0xFFFF instead of 0.  For this
 * unreflected CRC, starting from register I equals starting from 0 over the
 * data with its first two bytes XORed with I, so the shared CRC-16/XMODEM
 * serves.  Command bodies hold a 4-byte code: len >= 2 always. */
uint16_t w80x_frame_crc(const uint8_t *data, size_t len)
{
	uint8_t buf[W80X_FRAME_MAX];

	if (len < 2 || len > sizeof(buf))
		return 0;
	memcpy(buf, data, len);
	buf[0] ^= 0xFF;
	buf[1] ^= 0xFF;
	return iotflash_crc16_xmodem(buf, len);
}

/* Beken's CRC-32 is the same one: zlib polynomial, init ~0, no final XOR. */
uint32_t w80x_crc32(const uint8_t *data, size_t len)
{
	uint8_t sum[IOTFLASH_SUM_MAX];

	iotflash_checksum_compute(IOTFLASH_SUM_CRC32_BEKEN, data, len, sum);
	return get_le32(sum);
}

size_t w80x_encode_frame(uint8_t *out, uint32_t cmd, const uint8_t *params, size_t n)
{
	if (n > W80X_FRAME_MAX - W80X_FRAME_FIXED)
		return 0;
	out[0] = W80X_FRAME_HEAD;
	put_le16(out + 1, (uint16_t)(2 + 4 + n));
	put_le32(out + 5, cmd);
	if (n)
		memcpy(out + 9, params, n);
	put_le16(out + 3, w80x_frame_crc(out + 5, 4 + n));
	return W80X_FRAME_FIXED + n;
}

size_t w80x_encode_baud(uint8_t *out, uint32_t baud)
{
	uint8_t p[4];
	put_le32(p, baud);
	return w80x_encode_frame(out, W80X_CMD_BAUD, p, sizeof p);
}

size_t w80x_encode_erase(uint8_t *out, uint16_t first, uint16_t count)
{
	uint8_t p[4];
	put_le16(p, first);
	put_le16(p + 2, count);
	return w80x_encode_frame(out, W80X_CMD_ERASE, p, sizeof p);
}

size_t w80x_encode_read(uint8_t *out, uint32_t addr, uint32_t len)
{
	uint8_t p[8];
	put_le32(p, addr);
	put_le32(p + 4, len);
	return w80x_encode_frame(out, W80X_CMD_STUB_READ, p, sizeof p);
}

enum w80x_decode w80x_decode_frame(const uint8_t *buf, size_t len, struct w80x_frame *f)
{
	uint16_t flen;

	f->frame_len = W80X_FRAME_FIXED;
	if (len >= 1 && buf[0] != W80X_FRAME_HEAD)
		return W80X_DEC_BAD_HEAD;
	if (len < 3)
		return W80X_DEC_MORE;
	flen = get_le16(buf + 1);
	if (flen < 6 || flen > W80X_FRAME_MAX - 3)
		return W80X_DEC_BAD_LEN;
	f->frame_len = 3u + flen;
	if (len < f->frame_len)
		return W80X_DEC_MORE;
	if (w80x_frame_crc(buf + 5, flen - 2u) != get_le16(buf + 3))
		return W80X_DEC_BAD_CRC;
	f->cmd = get_le32(buf + 5);
	f->params = buf + 9;
	f->n = flen - 6u;
	return W80X_DEC_OK;
}

/* ---- replies ---- */

static int hex_nibble(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool hex_byte(const uint8_t *p, uint8_t *out)
{
	int hi = hex_nibble(p[0]), lo = hex_nibble(p[1]);
	if (hi < 0 || lo < 0)
		return false;
	*out = (uint8_t)(hi << 4 | lo);
	return true;
}

bool w80x_parse_flash_id(const uint8_t *buf, size_t len, uint8_t *mid, uint8_t *cap)
{
	if (len < 9 || memcmp(buf, "FID:", 4) != 0 || buf[6] != ',')
		return false;
	return hex_byte(buf + 4, mid) && hex_byte(buf + 7, cap);
}

uint32_t w80x_flash_bytes(uint8_t cap)
{
	return cap >= 0x10 && cap <= 0x1A ? 1u << cap : 0;
}

bool w80x_parse_mac(const uint8_t *buf, size_t len, uint8_t mac[6], bool *rom)
{
	if (len < 16 || (memcmp(buf, "Mac:", 4) != 0 && memcmp(buf, "MAC:", 4) != 0))
		return false;
	for (int i = 0; i < 6; i++)
		if (!hex_byte(buf + 4 + 2 * i, &mac[i]))
			return false;
	*rom = buf[1] == 'a';
	return true;
}

int w80x_parse_rom_version(const uint8_t *buf, size_t len)
{
	if (len < 3 || buf[0] != 'R' || buf[1] != ':' || buf[2] < '0' || buf[2] > '9')
		return -1;
	return buf[2] - '0';
}

const char *w80x_status_text(uint8_t b)
{
	static const struct { uint8_t letter; const char *text; } letters[] = {
		{ 'D', "host cancelled" },            { 'F', "timeout" },
		{ 'G', "wrong packet number" },       { 'I', "image too large" },
		{ 'J', "illegal flash address" },     { 'K', "address not page aligned" },
		{ 'L', "image header check error" },  { 'M', "image content check error" },
		{ 'N', "flash id self-test failed" }, { 'P', "image incomplete or signature missing" },
		{ 'Q', "firmware type error" },       { 'R', "command CRC error" },
		{ 'S', "bad parameter" },             { 'T', "cannot read MAC/gain" },
		{ 'U', "set gain failed" },           { 'V', "set MAC failed" },
		{ 'Y', "secboot decrypt failed" },    { 'Z', "signature check failed" },
	};
	for (size_t i = 0; i < sizeof letters / sizeof letters[0]; i++)
		if (letters[i].letter == b)
			return letters[i].text;
	return NULL;
}

/* ---- XMODEM-1K ---- */

size_t w80x_xmodem_block(uint8_t *out, uint8_t seq, const uint8_t *data, size_t len, uint8_t pad)
{
	uint16_t crc;

	if (len > W80X_XMODEM_DATA)
		len = W80X_XMODEM_DATA;
	out[0] = W80X_STX;
	out[1] = seq;
	out[2] = (uint8_t)(0xFF - seq);
	memcpy(out + 3, data, len);
	memset(out + 3 + len, pad, W80X_XMODEM_DATA - len);
	crc = iotflash_crc16_xmodem(out + 3, W80X_XMODEM_DATA);
	out[3 + W80X_XMODEM_DATA] = (uint8_t)(crc >> 8);
	out[4 + W80X_XMODEM_DATA] = (uint8_t)crc;
	return W80X_XMODEM_BLOCK;
}

bool w80x_xmodem_valid(const uint8_t *blk, size_t len)
{
	size_t data = len == 0 ? 0 : blk[0] == W80X_STX ? 1024 : blk[0] == W80X_SOH ? 128 : 0;
	uint16_t crc;

	if (data == 0 || len != data + 5 || (uint8_t)(blk[1] + blk[2]) != 0xFF)
		return false;
	crc = iotflash_crc16_xmodem(blk + 3, data);
	return blk[3 + data] == (uint8_t)(crc >> 8) && blk[4 + data] == (uint8_t)crc;
}

/* ---- image headers ---- */

void w800_header_encode(const struct w800_header *h, uint8_t out[W800_HEADER_LEN])
{
	memset(out, 0, W800_HEADER_LEN);
	put_le32(out + 0x00, W80X_IMAGE_MAGIC);
	put_le32(out + 0x04, h->attr);
	put_le32(out + 0x08, h->addr);
	put_le32(out + 0x0C, h->len);
	put_le32(out + 0x10, h->header_addr);
	put_le32(out + 0x14, h->upgrade_addr);
	put_le32(out + 0x18, h->body_crc);
	put_le32(out + 0x1C, h->upd_no);
	memcpy(out + 0x20, h->ver, sizeof h->ver);
	put_le32(out + 0x38, h->next_boot);
	put_le32(out + 0x3C, w80x_crc32(out, 0x3C));
}

int w800_header_decode(const uint8_t in[W800_HEADER_LEN], struct w800_header *h)
{
	if (get_le32(in) != W80X_IMAGE_MAGIC || get_le32(in + 0x3C) != w80x_crc32(in, 0x3C))
		return 'L';
	h->attr = get_le32(in + 0x04);
	h->addr = get_le32(in + 0x08);
	h->len = get_le32(in + 0x0C);
	h->header_addr = get_le32(in + 0x10);
	h->upgrade_addr = get_le32(in + 0x14);
	h->body_crc = get_le32(in + 0x18);
	h->upd_no = get_le32(in + 0x1C);
	memcpy(h->ver, in + 0x20, sizeof h->ver);
	h->next_boot = get_le32(in + 0x38);
	return 0;
}

void w600_header_encode(const struct w600_header *h, uint8_t out[W600_HEADER_LEN])
{
	memset(out, 0, W600_HEADER_LEN);
	put_le32(out + 0x00, W80X_IMAGE_MAGIC);
	put_le16(out + 0x04, h->type);
	put_le16(out + 0x06, h->zip);
	put_le32(out + 0x08, h->run_addr);
	put_le32(out + 0x0C, h->run_len);
	put_le32(out + 0x10, h->run_crc);
	put_le32(out + 0x14, h->upd_addr);
	put_le32(out + 0x18, h->upd_len);
	put_le32(out + 0x1C, h->upd_crc);
	put_le32(out + 0x20, h->upd_no);
	memcpy(out + 0x24, h->ver, sizeof h->ver);
	put_le32(out + 0x34, w80x_crc32(out, 0x34));
}

int w600_header_decode(const uint8_t in[W600_HEADER_LEN], struct w600_header *h)
{
	if (get_le32(in) != W80X_IMAGE_MAGIC || get_le32(in + 0x34) != w80x_crc32(in, 0x34))
		return 'L';
	h->type = get_le16(in + 0x04);
	h->zip = get_le16(in + 0x06);
	h->run_addr = get_le32(in + 0x08);
	h->run_len = get_le32(in + 0x0C);
	h->run_crc = get_le32(in + 0x10);
	h->upd_addr = get_le32(in + 0x14);
	h->upd_len = get_le32(in + 0x18);
	h->upd_crc = get_le32(in + 0x1C);
	h->upd_no = get_le32(in + 0x20);
	memcpy(h->ver, in + 0x24, sizeof h->ver);
	return 0;
}

/* GUI pseudo-FLS: attr 0x200, no header address (so no header is written),
 * version "1" (§5). */
void w800_pseudo_header(uint32_t addr, const uint8_t *data, uint32_t len, uint8_t out[W800_HEADER_LEN])
{
	struct w800_header h = { 0 };

	h.attr = W80X_ATTR_PSEUDO;
	h.addr = W80X_FLASH_BASE + addr;
	h.len = len;
	h.body_crc = w80x_crc32(data, len);
	h.ver[0] = '1';
	w800_header_encode(&h, out);
}

void w600_pseudo_header(uint32_t addr, const uint8_t *data, uint32_t len, uint8_t out[W600_HEADER_LEN])
{
	struct w600_header h = { 0 };

	h.type = W80X_ATTR_PSEUDO;
	h.run_addr = h.upd_addr = W80X_FLASH_BASE + addr;
	h.run_len = h.upd_len = len;
	h.run_crc = h.upd_crc = w80x_crc32(data, len);
	h.ver[0] = '1';
	w600_header_encode(&h, out);
}
