/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Beken BK72xx UART download protocol: frames, reply scanning, decoding.
 * Pure functions only; the driver does the I/O. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "protocol.h"

static const uint8_t hci_cmd[3] = { 0x01, 0xE0, 0xFC };

/* ---- frame builders ---- */

size_t bk_frame_short(uint8_t *out, size_t cap, uint8_t cmd, const uint8_t *payload, size_t n)
{
	if (n + 1 > 0xFE || cap < BK_SHORT_HDR + 1 + n)
		return 0;
	memcpy(out, hci_cmd, 3);
	out[3] = (uint8_t)(n + 1);
	out[4] = cmd;
	if (n && payload)
		memcpy(out + 5, payload, n);
	return BK_SHORT_HDR + 1 + n;
}

size_t bk_frame_long(uint8_t *out, size_t cap, uint8_t op, const uint8_t *payload, size_t n)
{
	if (n + 1 > 0xFFFF || cap < BK_LONG_HDR + 1 + n)
		return 0;
	memcpy(out, hci_cmd, 3);
	out[3] = 0xFF;
	out[4] = 0xF4;
	out[5] = (uint8_t)(n + 1);
	out[6] = (uint8_t)((n + 1) >> 8);
	out[7] = op;
	if (n && payload)
		memcpy(out + 8, payload, n);
	return BK_LONG_HDR + 1 + n;
}

size_t bk_frame_link_check(uint8_t out[BK_LINK_CHECK_LEN])
{
	return bk_frame_short(out, BK_LINK_CHECK_LEN, BK_CMD_LINK_CHECK, NULL, 0);
}

size_t bk_frame_reboot(uint8_t out[BK_REBOOT_LEN])
{
	static const uint8_t magic = 0xA5;

	return bk_frame_short(out, BK_REBOOT_LEN, BK_CMD_REBOOT, &magic, 1);
}

size_t bk_frame_set_baud(uint8_t out[BK_SET_BAUD_LEN], uint32_t baud, uint8_t delay_ms)
{
	uint8_t p[5];

	bk_put_u32(p, baud);
	p[4] = delay_ms;
	return bk_frame_short(out, BK_SET_BAUD_LEN, BK_CMD_SET_BAUD, p, sizeof p);
}

size_t bk_frame_read_reg(uint8_t out[9], uint32_t addr)
{
	uint8_t p[4];

	bk_put_u32(p, addr);
	return bk_frame_short(out, 9, BK_CMD_READ_REG, p, sizeof p);
}

size_t bk_frame_write_reg(uint8_t out[13], uint32_t addr, uint32_t value)
{
	uint8_t p[8];

	bk_put_u32(p, addr);
	bk_put_u32(p + 4, value);
	return bk_frame_short(out, 13, BK_CMD_WRITE_REG, p, sizeof p);
}

size_t bk_frame_check_crc(uint8_t out[13], uint32_t start, uint32_t end)
{
	uint8_t p[8];

	bk_put_u32(p, start);
	bk_put_u32(p + 4, end);
	return bk_frame_short(out, 13, BK_CMD_CHECK_CRC, p, sizeof p);
}

size_t bk_frame_boot_version(uint8_t out[5])
{
	return bk_frame_short(out, 5, BK_CMD_BOOT_VERSION, NULL, 0);
}

size_t bk_frame_read4k(uint8_t out[12], uint32_t addr)
{
	uint8_t p[4];

	bk_put_u32(p, addr);
	return bk_frame_long(out, 12, BK_OP_READ4K, p, sizeof p);
}

size_t bk_frame_write4k(uint8_t out[BK_WRITE4K_LEN], uint32_t addr, const uint8_t data[BK_SECTOR])
{
	size_t n = bk_frame_long(out, BK_WRITE4K_LEN, BK_OP_WRITE4K, NULL, 4 + BK_SECTOR);

	/* Payload written in place: no 4 KiB staging copy. */
	bk_put_u32(out + 8, addr);
	memcpy(out + 12, data, BK_SECTOR);
	return n;
}

size_t bk_frame_erase(uint8_t out[13], uint8_t size_code, uint32_t addr)
{
	uint8_t p[5];

	p[0] = size_code;
	bk_put_u32(p + 1, addr);
	return bk_frame_long(out, 13, BK_OP_ERASE, p, sizeof p);
}

size_t bk_frame_read_sr(uint8_t out[9], uint8_t spi_opcode)
{
	return bk_frame_long(out, 9, BK_OP_READ_SR, &spi_opcode, 1);
}

size_t bk_frame_write_sr(uint8_t out[11], uint32_t value, unsigned nbytes)
{
	/* 0x01 is the SPI "write status register" opcode. */
	uint8_t p[3] = { 0x01, (uint8_t)value, (uint8_t)(value >> 8) };

	if (nbytes != 1 && nbytes != 2)
		return 0;
	return bk_frame_long(out, 11, BK_OP_WRITE_SR, p, 1 + nbytes);
}

size_t bk_frame_get_mid(uint8_t out[12])
{
	/* JEDEC RDID opcode and three dummy bytes clocked out on SPI. */
	static const uint8_t p[4] = { 0x9F, 0x00, 0x00, 0x00 };

	return bk_frame_long(out, 12, BK_OP_GET_MID, p, sizeof p);
}

/* ---- reply scanner ---- */

#define SHORT_MIN_TOTAL 7u   /* 04 0E LEN 01 E0 FC CMD */
#define LONG_MIN_TOTAL 11u   /* 04 0E FF 01 E0 FC F4 LL LH OP ST */

enum candidate {
	CAND_MORE,     /* not enough bytes yet to judge */
	CAND_SKIP,     /* not our packet: resume scanning after *skip bytes */
	CAND_FOUND,
};

static size_t find_event(const uint8_t *buf, size_t n, size_t from)
{
	for (size_t i = from; i + 1 < n; i++)
		if (buf[i] == 0x04 && buf[i + 1] == 0x0E)
			return i;
	/* A trailing 04 may be the start of the next header. */
	if (n > from && buf[n - 1] == 0x04)
		return n - 1;
	return n;
}

static enum candidate judge_short(const uint8_t *p, size_t avail, uint8_t code, unsigned short_len,
                                  struct bk_reply *r, size_t *skip, size_t *total)
{
	unsigned len = p[2];

	if (avail < SHORT_MIN_TOTAL) {
		*total = SHORT_MIN_TOTAL;
		return CAND_MORE;
	}
	if (memcmp(p + 3, hci_cmd, 3) != 0 || len < 4) {
		*skip = 2;
		return CAND_SKIP;
	}
	if (p[6] != code || (short_len && len != short_len)) {
		*skip = SHORT_MIN_TOTAL;
		return CAND_SKIP;
	}
	*total = 3 + (size_t)len;
	if (avail < *total)
		return CAND_MORE;
	r->is_long = false;
	r->code = p[6];
	r->status = 0;
	r->declared_len = len;
	r->payload = p + SHORT_MIN_TOTAL;
	r->payload_len = *total - SHORT_MIN_TOTAL;
	r->total = *total;
	return CAND_FOUND;
}

static enum candidate judge_long(const uint8_t *p, size_t avail, uint8_t code,
                                 struct bk_reply *r, size_t *skip, size_t *total)
{
	static const uint8_t sub[4] = { 0x01, 0xE0, 0xFC, 0xF4 };
	unsigned len;

	if (avail < LONG_MIN_TOTAL) {
		*total = LONG_MIN_TOTAL;
		return CAND_MORE;
	}
	len = p[7] | (unsigned)p[8] << 8;
	/* Longer than any reply (a 4K read) means a garbled LEN: resync. */
	if (memcmp(p + 3, sub, 4) != 0 || len < 2 || 9 + len > BK_READ4K_REPLY_LEN) {
		*skip = 2;
		return CAND_SKIP;
	}
	if (p[9] != code) {
		*skip = 10;
		return CAND_SKIP;
	}
	/* Some BootROMs declare 5 for the 6-byte JEDEC reply (§3.4). */
	*total = 9 + (size_t)((code == BK_OP_GET_MID && len == 5) ? 6 : len);
	if (avail < *total)
		return CAND_MORE;
	r->is_long = true;
	r->code = p[9];
	r->status = p[10];
	r->declared_len = len;
	r->payload = p + LONG_MIN_TOTAL;
	r->payload_len = *total - LONG_MIN_TOTAL;
	r->total = *total;
	return CAND_FOUND;
}

enum bk_scan_result bk_scan_reply(const uint8_t *buf, size_t n, bool is_long, uint8_t code,
                                  unsigned short_len, struct bk_reply *reply,
                                  size_t *used, size_t *need)
{
	size_t min_total = is_long ? LONG_MIN_TOTAL : SHORT_MIN_TOTAL;
	size_t i = 0;

	for (;;) {
		size_t skip = 0, total = min_total, avail;
		enum candidate c;

		i = find_event(buf, n, i);
		avail = n - i;
		if (avail < 3) {
			c = CAND_MORE;
		} else if ((buf[i + 2] == 0xFF) != is_long) {
			c = CAND_SKIP;   /* the other frame kind */
			skip = 2;
		} else if (is_long) {
			c = judge_long(buf + i, avail, code, reply, &skip, &total);
		} else {
			c = judge_short(buf + i, avail, code, short_len, reply, &skip, &total);
		}
		if (c == CAND_SKIP) {
			i += skip;
			continue;
		}
		if (c == CAND_FOUND) {
			*used = i + reply->total;
			*need = 0;
			return BK_SCAN_FOUND;
		}
		*used = i;
		*need = total > avail ? total - avail : 1;
		return BK_SCAN_MORE;
	}
}

/* ---- decoders ---- */

static int check_short(const struct bk_reply *r, uint8_t code, size_t payload_len)
{
	if (r->is_long || r->code != code || r->payload_len != payload_len)
		return BK_ERR_REPLY;
	return 0;
}

/* Status first: a failing chip sends a shorter reply (e.g. status 6 and no data). */
static int check_long(const struct bk_reply *r, uint8_t op, size_t payload_len)
{
	if (!r->is_long || r->code != op)
		return BK_ERR_REPLY;
	if (r->status != 0)
		return BK_ERR_STATUS;
	if (r->payload_len != payload_len)
		return BK_ERR_REPLY;
	return 0;
}

int bk_decode_link_check(const struct bk_reply *r)
{
	if (check_short(r, BK_REPLY_LINK_CHECK, 1) != 0 || r->payload[0] != 0)
		return BK_ERR_REPLY;
	return 0;
}

int bk_decode_set_baud(const struct bk_reply *r, uint32_t baud, uint8_t delay_ms)
{
	if (check_short(r, BK_CMD_SET_BAUD, 5) != 0)
		return BK_ERR_REPLY;
	if (bk_get_u32(r->payload) != baud || r->payload[4] != delay_ms)
		return BK_ERR_REPLY;
	return 0;
}

int bk_decode_read_reg(const struct bk_reply *r, uint32_t addr, uint32_t *value)
{
	if (check_short(r, BK_CMD_READ_REG, 8) != 0 || bk_get_u32(r->payload) != addr)
		return BK_ERR_REPLY;
	*value = bk_get_u32(r->payload + 4);
	return 0;
}

int bk_decode_write_reg(const struct bk_reply *r, uint32_t addr, uint32_t value)
{
	if (check_short(r, BK_CMD_WRITE_REG, 8) != 0)
		return BK_ERR_REPLY;
	if (bk_get_u32(r->payload) != addr || bk_get_u32(r->payload + 4) != value)
		return BK_ERR_REPLY;
	return 0;
}

int bk_decode_check_crc(const struct bk_reply *r, uint8_t crc_wire[4])
{
	if (check_short(r, BK_CMD_CHECK_CRC, 4) != 0)
		return BK_ERR_REPLY;
	memcpy(crc_wire, r->payload, 4);
	return 0;
}

int bk_decode_boot_version(const struct bk_reply *r, char *out, size_t outlen)
{
	size_t o = 0;

	if (r->is_long || r->code != BK_CMD_BOOT_VERSION || r->payload_len == 0 || outlen == 0)
		return BK_ERR_REPLY;
	if (r->payload_len == 1 && r->payload[0] == BK_UNKNOWN_CMD)
		return BK_ERR_STATUS;
	for (size_t i = 0; i < r->payload_len; i++) {
		uint8_t c = r->payload[i];

		if (c == 0 || c == ' ')
			continue;
		if (!isprint(c))
			return BK_ERR_REPLY;
		if (o + 1 < outlen)
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return o ? 0 : BK_ERR_REPLY;
}

int bk_decode_read4k(const struct bk_reply *r, uint32_t addr, const uint8_t **data)
{
	int rc = check_long(r, BK_OP_READ4K, 4 + BK_SECTOR);

	if (rc != 0)
		return rc;
	if (bk_get_u32(r->payload) != addr)
		return BK_ERR_REPLY;
	*data = r->payload + 4;
	return 0;
}

int bk_decode_write4k(const struct bk_reply *r, uint32_t addr)
{
	int rc = check_long(r, BK_OP_WRITE4K, 4);

	if (rc != 0)
		return rc;
	return bk_get_u32(r->payload) == addr ? 0 : BK_ERR_REPLY;
}

int bk_decode_erase(const struct bk_reply *r, uint8_t size_code, uint32_t addr)
{
	int rc = check_long(r, BK_OP_ERASE, 5);

	if (rc != 0)
		return rc;
	if (r->payload[0] != size_code || bk_get_u32(r->payload + 1) != addr)
		return BK_ERR_REPLY;
	return 0;
}

int bk_decode_read_sr(const struct bk_reply *r, uint8_t spi_opcode, uint8_t *value)
{
	int rc = check_long(r, BK_OP_READ_SR, 2);

	if (rc != 0)
		return rc;
	if (r->payload[0] != spi_opcode)
		return BK_ERR_REPLY;
	*value = r->payload[1];
	return 0;
}

int bk_decode_write_sr(const struct bk_reply *r, uint32_t value, unsigned nbytes)
{
	int rc = check_long(r, BK_OP_WRITE_SR, 1 + nbytes);

	if (rc != 0)
		return rc;
	if (r->payload[0] != 0x01 || r->payload[1] != (uint8_t)value)
		return BK_ERR_REPLY;
	if (nbytes == 2 && r->payload[2] != (uint8_t)(value >> 8))
		return BK_ERR_REPLY;
	return 0;
}

int bk_decode_get_mid(const struct bk_reply *r, uint32_t *jedec)
{
	if (!r->is_long || r->code != BK_OP_GET_MID)
		return BK_ERR_REPLY;
	if (r->status != 0)
		return BK_ERR_STATUS;
	/* The scanner already widened a declared 5 to the 4 bytes really sent. */
	if ((r->declared_len != 5 && r->declared_len != 6) || r->payload_len != 4)
		return BK_ERR_REPLY;
	/* payload[0] is the byte clocked in during the opcode. */
	*jedec = r->payload[1] | (uint32_t)r->payload[2] << 8 | (uint32_t)r->payload[3] << 16;
	return 0;
}

const char *bk_status_name(uint8_t status)
{
	static const char *const names[] = {
		"ok", "flash busy", "SPI timeout", "flash operation timeout",
		"packet length error", "payload missing", "parameter error or protected address",
		"unknown command", "internal error", "SPI flash write error", "protected area",
	};

	if (status < sizeof names / sizeof names[0])
		return names[status];
	return "unknown status";
}

/* ---- helpers ---- */

bool bk_crc_range(uint32_t start, uint32_t len, uint32_t *end)
{
	if (len == 0 || start % BK_CRC_PAGE || len % BK_CRC_PAGE)
		return false;
	if ((uint64_t)start + len - 1 > UINT32_MAX)
		return false;
	*end = start + len - 1;
	return true;
}

bool bk_sr_change(uint32_t sr, unsigned sr_count, uint32_t mask, uint32_t target,
                  uint32_t *value, unsigned *nbytes)
{
	uint32_t v;

	if (sr_count == 0 || (sr & mask) == (target & mask))
		return false;
	v = (sr & ~mask) | (target & mask);
	/* Parts with 2 or 3 SRs take a 2-byte write of SR1 and SR2. */
	*nbytes = sr_count == 1 ? 1 : 2;
	*value = v & (*nbytes == 1 ? 0xFFu : 0xFFFFu);
	return true;
}

uint32_t bk_efuse_ctrl_start(uint32_t ctrl, unsigned byte_index)
{
	return (ctrl & ~0x1F02u) | ((uint32_t)(byte_index & 0x1F) << 8) | 1u;
}

void bk_efuse_key_hex(const uint8_t key[16], char out[33])
{
	for (unsigned k = 0; k < 4; k++)
		snprintf(out + 8 * k, 9, "%08x", (unsigned)bk_get_u32(key + 4 * k));
}

bool bk_hex_equal(const char *a, const char *b)
{
	for (;;) {
		while (*a && isspace((unsigned char)*a))
			a++;
		while (*b && isspace((unsigned char)*b))
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		a++;
		b++;
	}
}
