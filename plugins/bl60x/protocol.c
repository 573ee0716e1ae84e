/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Bouffalo Lab UART ISP: frame encoders and reply/image decoders (§2-§5). */
#include "protocol.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#define BURST_MIN 16u
#define LOADER_EXACT_MAX 970000u
#define LOADER_BAUD_STEP 500000u

const uint8_t bl_usb_preamble[22] = {
	'B', 'O', 'U', 'F', 'F', 'A', 'L', 'O', 'L', 'A', 'B', '5', '5', '5', '5',
	'R', 'E', 'S', 'E', 'T', 0x00, 0x00,
};

uint8_t bl_checksum(const uint8_t *payload, size_t len)
{
	unsigned sum = (unsigned)(len & 0xFF) + (unsigned)((len >> 8) & 0xFF);

	for (size_t i = 0; i < len; i++)
		sum += payload[i];
	return (uint8_t)sum;
}

size_t bl_frame(uint8_t *out, uint8_t cmd, bool with_cks, const uint8_t *payload, size_t len)
{
	out[0] = cmd;
	out[1] = with_cks ? bl_checksum(payload, len) : 0;
	out[2] = (uint8_t)len;
	out[3] = (uint8_t)(len >> 8);
	if (len && payload != out + BL_HDR_LEN)
		memmove(out + BL_HDR_LEN, payload, len);
	return BL_HDR_LEN + len;
}

size_t bl_frame_u32x2(uint8_t *out, uint8_t cmd, bool with_cks, uint32_t a, uint32_t b)
{
	uint8_t p[8];

	bl_put_le32(p, a);
	bl_put_le32(p + 4, b);
	return bl_frame(out, cmd, with_cks, p, sizeof p);
}

size_t bl_frame_erase(uint8_t *out, uint32_t addr, uint32_t len)
{
	return bl_frame_u32x2(out, BL_FLASH_ERASE, true, addr, addr + len - 1u);
}

size_t bl_frame_write(uint8_t *out, uint32_t addr, const uint8_t *data, size_t n)
{
	bl_put_le32(out + BL_HDR_LEN, addr);
	memcpy(out + BL_HDR_LEN + 4, data, n);
	return bl_frame(out, BL_FLASH_WRITE, true, out + BL_HDR_LEN, n + 4);
}

size_t bl_burst_len(uint32_t baud, unsigned ms)
{
	size_t n = (size_t)((uint64_t)baud * ms / 10000u);

	return n < BURST_MIN ? BURST_MIN : n;
}

static bool pair_is(const uint8_t *p, char a, char b)
{
	return p[0] == (uint8_t)a && p[1] == (uint8_t)b;
}

enum bl_scan bl_scan_reply(const uint8_t *buf, size_t n, bool with_data, struct bl_reply *r,
                           size_t *used, size_t *need)
{
	size_t at = 0;

	*used = 0;
	*need = 0;
	memset(r, 0, sizeof *r);
	for (;;) {
		if (n - at < 2) {
			*need = 2 - (n - at);
			return BL_SCAN_NEED;
		}
		if (!pair_is(buf + at, 'P', 'D'))
			break;
		r->pending++;
		at += 2;
	}
	if (pair_is(buf + at, 'F', 'L')) {
		if (n - at < 4) {
			*need = 4 - (n - at);
			return BL_SCAN_NEED;
		}
		r->status = BL_REPLY_FAIL;
		r->error = (uint16_t)(buf[at + 2] | buf[at + 3] << 8);
		*used = at + 4;
		return BL_SCAN_FOUND;
	}
	if (!pair_is(buf + at, 'O', 'K')) {
		*used = at + 1;  /* resync one byte further */
		return BL_SCAN_BAD;
	}
	r->status = BL_REPLY_OK;
	if (!with_data) {
		*used = at + 2;
		return BL_SCAN_FOUND;
	}
	if (n - at < 4) {
		*need = 4 - (n - at);
		return BL_SCAN_NEED;
	}
	r->len = (size_t)(buf[at + 2] | buf[at + 3] << 8);
	if (n - at - 4 < r->len) {
		*need = r->len - (n - at - 4);
		return BL_SCAN_NEED;
	}
	r->data = buf + at + 4;
	*used = at + 4 + r->len;
	return BL_SCAN_FOUND;
}

int bl_parse_boot_info(const uint8_t *d, size_t len, struct bl_boot_info *bi)
{
	memset(bi, 0, sizeof *bi);
	if (len < 20)
		return -1;
	bi->version = bl_le32(d);
	bi->info_len = len - 4 > sizeof bi->info ? sizeof bi->info : len - 4;
	memcpy(bi->info, d + 4, bi->info_len);
	bi->sign_type = d[4];
	bi->encrypt_type = d[5];
	return 0;
}

size_t bl_boot_info_id(const struct bl_boot_info *bi, uint8_t out[8])
{
	/* info[k] is d[k + 4]. */
	if (bi->version == BL_VERSION_BL702) {
		if (bi->info_len < 20)
			return 0;
		memcpy(out, bi->info + 12, 8);
		return 8;
	}
	if (bi->version == BL_VERSION_BL616)
		return 0;
	memcpy(out, bi->info + 8, 6);
	return 6;
}

uint32_t bl_crc32(const uint8_t *data, size_t len)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), data, (uInt)len);
}

bool bl_seg_header_valid(const uint8_t hdr[BL_SEG_HEADER_LEN])
{
	return bl_crc32(hdr, 12) == bl_le32(hdr + 12);
}

static int loader_fail(char *why, size_t whylen, const char *msg)
{
	snprintf(why, whylen, "%s", msg);
	return -1;
}

int bl_parse_loader(const uint8_t *file, size_t len, struct bl_loader_image *img, char *why, size_t whylen)
{
	size_t at = BL_BOOT_HEADER_LEN;
	uint32_t count;

	memset(img, 0, sizeof *img);
	if (len < BL_BOOT_HEADER_LEN + BL_SEG_HEADER_LEN || memcmp(file, "BFNP", 4) != 0)
		return loader_fail(why, whylen, "not an eflash_loader image (no BFNP boot header)");
	count = bl_le32(file + BL_SEGCNT_OFF);
	if (count == 0 || count > BL_MAX_SEGMENTS)
		return loader_fail(why, whylen, "eflash_loader image: bad segment count");
	img->boot_header = file;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *h = file + at;
		if (len - at < BL_SEG_HEADER_LEN)
			return loader_fail(why, whylen, "eflash_loader image: truncated segment header");
		if (!bl_seg_header_valid(h))
			return loader_fail(why, whylen, "eflash_loader image: segment header CRC mismatch");
		img->seg[i].header = h;
		img->seg[i].dest = bl_le32(h);
		img->seg[i].len = bl_le32(h + 4);
		at += BL_SEG_HEADER_LEN;
		if (img->seg[i].len == 0 || len - at < img->seg[i].len)
			return loader_fail(why, whylen, "eflash_loader image: truncated segment data");
		img->seg[i].data = file + at;
		at += img->seg[i].len;
	}
	img->n_segments = count;
	return 0;
}

uint32_t bl_capacity_size(uint8_t capacity)
{
	if (capacity >= 0x10 && capacity <= 0x19)
		return 1u << capacity;
	if (capacity >= 0x32 && capacity <= 0x39)  /* Macronix 1.8 V codes (§5) */
		return 1u << (capacity - 0x20);
	return 0;
}

uint32_t bl_loader_baud(uint32_t measured)
{
	if (measured <= LOADER_EXACT_MAX)
		return measured;
	return (measured + LOADER_BAUD_STEP / 2) / LOADER_BAUD_STEP * LOADER_BAUD_STEP;
}
