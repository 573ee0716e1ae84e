/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Beken BK72xx protocol: frame builders against the spec's literal bytes
 * (docs/protocols/bk72xx.md §3, §9), the reply scanner, decoders, the
 * Beken CRC vectors of §4 and the status-register computation of §5.1. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iotflash/common.h>

#include "../../plugins/bk72xx/protocol.h"
#include "facts.h"

#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

static void expect_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
	ck_assert_uint_eq(got_len, want_len);
	for (size_t i = 0; i < want_len; i++)
		ck_assert_msg(got[i] == want[i], "byte %zu: got %02X, want %02X", i, got[i], want[i]);
}

/* ---- builders ---- */

START_TEST(test_link_check_and_reboot)
{
	uint8_t f[16];

	expect_bytes(f, bk_frame_link_check(f), BYTES(0x01, 0xE0, 0xFC, 0x01, 0x00));
	expect_bytes(f, bk_frame_reboot(f), BYTES(0x01, 0xE0, 0xFC, 0x02, 0x0E, 0xA5));
	expect_bytes(f, bk_frame_boot_version(f), BYTES(0x01, 0xE0, 0xFC, 0x01, 0x11));
}
END_TEST

START_TEST(test_set_baud)
{
	uint8_t f[BK_SET_BAUD_LEN];

	expect_bytes(f, bk_frame_set_baud(f, 921600, 0xC8),
	             BYTES(0x01, 0xE0, 0xFC, 0x06, 0x0F, 0x00, 0x10, 0x0E, 0x00, 0xC8));
	expect_bytes(f, bk_frame_set_baud(f, 921600, 0x14),
	             BYTES(0x01, 0xE0, 0xFC, 0x06, 0x0F, 0x00, 0x10, 0x0E, 0x00, 0x14));
	expect_bytes(f, bk_frame_set_baud(f, 921600, 0x0F),
	             BYTES(0x01, 0xE0, 0xFC, 0x06, 0x0F, 0x00, 0x10, 0x0E, 0x00, 0x0F));
}
END_TEST

/* §3.2 baud value table. */
START_TEST(test_baud_values)
{
	static const struct { uint32_t baud; uint8_t b[4]; } t[] = {
		{ 115200, { 0x00, 0xC2, 0x01, 0x00 } }, { 230400, { 0x00, 0x84, 0x03, 0x00 } },
		{ 460800, { 0x00, 0x08, 0x07, 0x00 } }, { 921600, { 0x00, 0x10, 0x0E, 0x00 } },
		{ 1500000, { 0x60, 0xE3, 0x16, 0x00 } }, { 2000000, { 0x80, 0x84, 0x1E, 0x00 } },
		{ 3000000, { 0xC0, 0xC6, 0x2D, 0x00 } },
	};
	uint8_t f[BK_SET_BAUD_LEN];

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		ck_assert_uint_eq(bk_frame_set_baud(f, t[i].baud, 20), BK_SET_BAUD_LEN);
		ck_assert_mem_eq(f + 5, t[i].b, 4);
	}
}
END_TEST

START_TEST(test_registers)
{
	uint8_t f[16];

	expect_bytes(f, bk_frame_read_reg(f, 0x800000),
	             BYTES(0x01, 0xE0, 0xFC, 0x05, 0x03, 0x00, 0x00, 0x80, 0x00));
	expect_bytes(f, bk_frame_read_reg(f, BK_REG_EFUSE_CTRL),
	             BYTES(0x01, 0xE0, 0xFC, 0x05, 0x03, 0x74, 0x00, 0x80, 0x00));
	expect_bytes(f, bk_frame_write_reg(f, BK_REG_EFUSE_CTRL, 0x04030201),
	             BYTES(0x01, 0xE0, 0xFC, 0x09, 0x01, 0x74, 0x00, 0x80, 0x00,
	                   0x01, 0x02, 0x03, 0x04));
}
END_TEST

START_TEST(test_flash_queries)
{
	uint8_t f[16];

	expect_bytes(f, bk_frame_get_mid(f),
	             BYTES(0x01, 0xE0, 0xFC, 0xFF, 0xF4, 0x05, 0x00, 0x0E, 0x9F, 0x00, 0x00, 0x00));
	expect_bytes(f, bk_frame_read_sr(f, 0x05),
	             BYTES(0x01, 0xE0, 0xFC, 0xFF, 0xF4, 0x02, 0x00, 0x0C, 0x05));
	expect_bytes(f, bk_frame_read_sr(f, 0x35),
	             BYTES(0x01, 0xE0, 0xFC, 0xFF, 0xF4, 0x02, 0x00, 0x0C, 0x35));
	expect_bytes(f, bk_frame_write_sr(f, 0x0200, 2),
	             BYTES(0x01, 0xE0, 0xFC, 0xFF, 0xF4, 0x04, 0x00, 0x0D, 0x01, 0x00, 0x02));
	expect_bytes(f, bk_frame_write_sr(f, 0x80, 1),
	             BYTES(0x01, 0xE0, 0xFC, 0xFF, 0xF4, 0x03, 0x00, 0x0D, 0x01, 0x80));
	ck_assert_uint_eq(bk_frame_write_sr(f, 0, 3), 0);
}
END_TEST

START_TEST(test_flash_data_frames)
{
	uint8_t f[16];

	expect_bytes(f, bk_frame_read4k(f, 0x11000),
	             BYTES(0x01, 0xE0, 0xFC, 0xFF, 0xF4, 0x05, 0x00, 0x09, 0x00, 0x10, 0x01, 0x00));
	expect_bytes(f, bk_frame_read4k(f, 0x200000),
	             BYTES(0x01, 0xE0, 0xFC, 0xFF, 0xF4, 0x05, 0x00, 0x09, 0x00, 0x00, 0x20, 0x00));
	expect_bytes(f, bk_frame_check_crc(f, 0x11000, 0x11FFF),
	             BYTES(0x01, 0xE0, 0xFC, 0x09, 0x10, 0x00, 0x10, 0x01, 0x00,
	                   0xFF, 0x1F, 0x01, 0x00));
	expect_bytes(f, bk_frame_check_crc(f, 0, 0x200000),
	             BYTES(0x01, 0xE0, 0xFC, 0x09, 0x10, 0x00, 0x00, 0x00, 0x00,
	                   0x00, 0x00, 0x20, 0x00));
	expect_bytes(f, bk_frame_erase(f, BK_ERASE_4K, 0x11000),
	             BYTES(0x01, 0xE0, 0xFC, 0xFF, 0xF4, 0x06, 0x00, 0x0F, 0x20,
	                   0x00, 0x10, 0x01, 0x00));
	expect_bytes(f, bk_frame_erase(f, BK_ERASE_64K, 0x20000),
	             BYTES(0x01, 0xE0, 0xFC, 0xFF, 0xF4, 0x06, 0x00, 0x0F, 0xD8,
	                   0x00, 0x00, 0x02, 0x00));
}
END_TEST

START_TEST(test_write4k)
{
	uint8_t *f = malloc(BK_WRITE4K_LEN), data[BK_SECTOR];

	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7);
	ck_assert_uint_eq(bk_frame_write4k(f, 0x11000, data), 12 + BK_SECTOR);
	expect_bytes(f, 12,
	             BYTES(0x01, 0xE0, 0xFC, 0xFF, 0xF4, 0x05, 0x10, 0x07, 0x00, 0x10, 0x01, 0x00));
	ck_assert_mem_eq(f + 12, data, BK_SECTOR);
	free(f);
}
END_TEST

START_TEST(test_builder_limits)
{
	uint8_t f[8];
	uint8_t big[300] = { 0 };

	ck_assert_uint_eq(bk_frame_short(f, sizeof f, 0x10, big, 8), 0);  /* cap too small */
	ck_assert_uint_eq(bk_frame_short(f, sizeof big, 0x10, big, 254), 0); /* LEN > 0xFE */
	ck_assert_uint_eq(bk_frame_long(f, sizeof f, 0x09, big, 4), 0);
}
END_TEST

/* ---- scanner ---- */

/* Feed src to the scanner the way the driver does: only as many bytes as
 * it asks for.  Returns the offset in src just after the packet, or 0 if
 * src ran out; the scanner must never ask for bytes past its packet. */
static size_t feed(const uint8_t *src, size_t len, bool is_long, uint8_t code, unsigned short_len,
                   struct bk_reply *r, uint8_t *buf)
{
	size_t have = 0, pos = 0;

	for (;;) {
		size_t used, need;

		if (bk_scan_reply(buf, have, is_long, code, short_len, r, &used, &need) == BK_SCAN_FOUND) {
			ck_assert_uint_eq(used, have);  /* nothing read beyond the packet */
			return pos;
		}
		ck_assert_uint_ge(need, 1);
		memmove(buf, buf + used, have - used);
		have -= used;
		if (pos + need > len)
			return 0;
		memcpy(buf + have, src + pos, need);
		have += need;
		pos += need;
	}
}

static const uint8_t link_reply[] = { 0x04, 0x0E, 0x05, 0x01, 0xE0, 0xFC, 0x01, 0x00 };
static const uint8_t baud_reply[] = { 0x04, 0x0E, 0x09, 0x01, 0xE0, 0xFC, 0x0F,
	                              0x00, 0x10, 0x0E, 0x00, 0x14 };

START_TEST(test_scan_clean)
{
	struct bk_reply r;
	size_t used, need;

	ck_assert_int_eq(bk_scan_reply(link_reply, sizeof link_reply, false, BK_REPLY_LINK_CHECK, 5,
	                               &r, &used, &need), BK_SCAN_FOUND);
	ck_assert_uint_eq(used, 8);
	ck_assert_uint_eq(r.total, 8);
	ck_assert(!r.is_long);
	ck_assert_uint_eq(r.payload_len, 1);
	ck_assert_int_eq(bk_decode_link_check(&r), 0);
}
END_TEST

START_TEST(test_scan_partial)
{
	struct bk_reply r;
	size_t used, need;

	ck_assert_int_eq(bk_scan_reply(baud_reply, 0, false, BK_CMD_SET_BAUD, 9, &r, &used, &need),
	                 BK_SCAN_MORE);
	ck_assert_uint_eq(used, 0);
	ck_assert_uint_eq(need, 7);
	ck_assert_int_eq(bk_scan_reply(baud_reply, 9, false, BK_CMD_SET_BAUD, 9, &r, &used, &need),
	                 BK_SCAN_MORE);
	ck_assert_uint_eq(used, 0);
	ck_assert_uint_eq(need, 3);
	/* A lone trailing 04 may start a header: kept, not junk. */
	ck_assert_int_eq(bk_scan_reply(BYTES(0x55, 0x04), false, BK_CMD_SET_BAUD, 9, &r, &used, &need),
	                 BK_SCAN_MORE);
	ck_assert_uint_eq(used, 1);
}
END_TEST

START_TEST(test_scan_junk_and_stale)
{
	/* Boot banner, two queued link-check replies, then the baud reply. */
	uint8_t src[128], buf[128];
	size_t n = 0, end;
	struct bk_reply r;
	static const char banner[] = "V: T1_2.0.0\r\n\x04\x0E";

	memcpy(src + n, banner, sizeof banner - 1);
	n += sizeof banner - 1;
	memcpy(src + n, link_reply, sizeof link_reply);
	n += sizeof link_reply;
	memcpy(src + n, link_reply, sizeof link_reply);
	n += sizeof link_reply;
	memcpy(src + n, baud_reply, sizeof baud_reply);
	n += sizeof baud_reply;
	end = feed(src, n, false, BK_CMD_SET_BAUD, 9, &r, buf);
	ck_assert_uint_eq(end, n);
	ck_assert_int_eq(bk_decode_set_baud(&r, 921600, 0x14), 0);
}
END_TEST

START_TEST(test_scan_split_long)
{
	uint8_t *src = malloc(BK_READ4K_REPLY_LEN + 8), *buf = malloc(BK_READ4K_REPLY_LEN + 8);
	static const uint8_t hdr[] = { 0x04, 0x0E, 0xFF, 0x01, 0xE0, 0xFC, 0xF4, 0x06, 0x10, 0x09, 0x00,
		                       0x00, 0x10, 0x01, 0x00 };
	struct bk_reply r;
	const uint8_t *data;

	ck_assert_ptr_nonnull(src);
	ck_assert_ptr_nonnull(buf);
	memcpy(src, hdr, sizeof hdr);
	for (size_t i = 0; i < BK_SECTOR; i++)
		src[sizeof hdr + i] = (uint8_t)i;
	ck_assert_uint_eq(feed(src, BK_READ4K_REPLY_LEN, true, BK_OP_READ4K, 0, &r, buf),
	                  BK_READ4K_REPLY_LEN);
	ck_assert_uint_eq(r.status, 0);
	ck_assert_int_eq(bk_decode_read4k(&r, 0x11000, &data), 0);
	ck_assert_uint_eq(data[255], 255);
	ck_assert_uint_eq(data[4095], 255);
	ck_assert_int_eq(bk_decode_read4k(&r, 0x211000, &data), BK_ERR_REPLY);
	/* A short read (4056 of 4111 bytes) is never taken as a reply. */
	ck_assert_uint_eq(feed(src, 4056, true, BK_OP_READ4K, 0, &r, buf), 0);
	free(src);
	free(buf);
}
END_TEST

START_TEST(test_scan_skips_unrelated)
{
	/* Erase reply and the system-error event in front of an SR read reply. */
	static const uint8_t src[] = {
		0x04, 0x0E, 0x04, 0x01, 0xE0, 0xFC, 0xEE,
		0x04, 0x0E, 0xFF, 0x01, 0xE0, 0xFC, 0xF4, 0x07, 0x00, 0x0F, 0x00, 0x20, 0x00, 0x10, 0x01, 0x00,
		0x04, 0x0E, 0x04, 0x01, 0xE0, 0xFC, 0xFE,
		0x04, 0x0E, 0xFF, 0x01, 0xE0, 0xFC, 0xF4, 0x04, 0x00, 0x0C, 0x00, 0x05, 0x1C,
	};
	uint8_t buf[sizeof src];
	struct bk_reply r;
	uint8_t sr;

	ck_assert_uint_eq(feed(src, sizeof src, true, BK_OP_READ_SR, 0, &r, buf), sizeof src);
	ck_assert_int_eq(bk_decode_read_sr(&r, 0x05, &sr), 0);
	ck_assert_uint_eq(sr, 0x1C);
	ck_assert_int_eq(bk_decode_read_sr(&r, 0x35, &sr), BK_ERR_REPLY);
}
END_TEST

START_TEST(test_scan_sys_error_short)
{
	static const uint8_t src[] = {
		0x04, 0x0E, 0x04, 0x01, 0xE0, 0xFC, 0xEE,
		0x04, 0x0E, 0x08, 0x01, 0xE0, 0xFC, 0x10, 0x7D, 0xDF, 0x6E, 0x5D,
	};
	uint8_t buf[sizeof src], crc[4];
	struct bk_reply r;

	ck_assert_uint_eq(feed(src, sizeof src, false, BK_CMD_CHECK_CRC, 8, &r, buf), sizeof src);
	ck_assert_int_eq(bk_decode_check_crc(&r, crc), 0);
	ck_assert_mem_eq(crc, ((const uint8_t[]){ 0x7D, 0xDF, 0x6E, 0x5D }), 4);
}
END_TEST

START_TEST(test_scan_garbled_header)
{
	/* 04 0E with a broken 01 E0 FC, a garbled long LEN, then the reply. */
	static const uint8_t src[] = {
		0x04, 0x0E, 0x05, 0x01, 0xE0, 0xFD, 0x01, 0x00,
		0x04, 0x0E, 0xFF, 0x01, 0xE0, 0xFC, 0xF4, 0xFF, 0xFF, 0x0E, 0x00,
		0x04, 0x0E, 0x05, 0x01, 0xE0, 0xFC, 0x01, 0x00,
	};
	uint8_t buf[sizeof src];
	struct bk_reply r;

	ck_assert_uint_eq(feed(src, sizeof src, false, BK_REPLY_LINK_CHECK, 5, &r, buf), sizeof src);
	ck_assert_int_eq(bk_decode_link_check(&r), 0);
}
END_TEST

START_TEST(test_scan_write_reg_not_link)
{
	/* WriteReg's reply code is LinkCheck's: a stale link reply must not match. */
	static const uint8_t src[] = {
		0x04, 0x0E, 0x05, 0x01, 0xE0, 0xFC, 0x01, 0x00,
		0x04, 0x0E, 0x0C, 0x01, 0xE0, 0xFC, 0x01, 0x74, 0x00, 0x80, 0x00, 0x01, 0x00, 0x00, 0x00,
	};
	uint8_t buf[sizeof src];
	struct bk_reply r;

	ck_assert_uint_eq(feed(src, sizeof src, false, BK_CMD_WRITE_REG, 12, &r, buf), sizeof src);
	ck_assert_int_eq(bk_decode_write_reg(&r, BK_REG_EFUSE_CTRL, 1), 0);
	ck_assert_int_eq(bk_decode_write_reg(&r, BK_REG_EFUSE_CTRL, 3), BK_ERR_REPLY);
	ck_assert_int_eq(bk_decode_write_reg(&r, BK_REG_EFUSE_OPTR, 1), BK_ERR_REPLY);
}
END_TEST

START_TEST(test_scan_kind_mismatch)
{
	/* A short reply while a long one is expected is skipped, and vice versa. */
	struct bk_reply r;
	size_t used, need;

	ck_assert_int_eq(bk_scan_reply(link_reply, sizeof link_reply, true, 0x01, 0, &r, &used, &need),
	                 BK_SCAN_MORE);
	ck_assert_uint_eq(used, sizeof link_reply);
	ck_assert_int_eq(bk_scan_reply(BYTES(0x04, 0x0E, 0xFF, 0x01, 0xE0, 0xFC, 0xF4, 0x02, 0x00,
	                                     0x0F, 0x07),
	                               false, 0x0F, 0, &r, &used, &need),
	                 BK_SCAN_MORE);
	ck_assert_uint_eq(used, 11);
}
END_TEST

START_TEST(test_mid_quirk)
{
	static const uint8_t len6[] = { 0x04, 0x0E, 0xFF, 0x01, 0xE0, 0xFC, 0xF4, 0x06, 0x00,
		                        0x0E, 0x00, 0x00, 0xEB, 0x60, 0x15 };
	static const uint8_t len5[] = { 0x04, 0x0E, 0xFF, 0x01, 0xE0, 0xFC, 0xF4, 0x05, 0x00,
		                        0x0E, 0x00, 0x42, 0xC8, 0x40, 0x16 };
	uint8_t buf[32];
	struct bk_reply r;
	uint32_t jedec = 0;

	ck_assert_uint_eq(feed(len6, sizeof len6, true, BK_OP_GET_MID, 0, &r, buf), 15);
	ck_assert_int_eq(bk_decode_get_mid(&r, &jedec), 0);
	ck_assert_uint_eq(jedec, 0x1560EB);
	/* LEN 5 still carries 15 bytes: all of them belong to this reply. */
	ck_assert_uint_eq(feed(len5, sizeof len5, true, BK_OP_GET_MID, 0, &r, buf), 15);
	ck_assert_int_eq(bk_decode_get_mid(&r, &jedec), 0);
	ck_assert_uint_eq(jedec, 0x1640C8);
}
END_TEST

START_TEST(test_status_replies)
{
	/* LEGACY answer to a direct read below its limit: status 6, no data. */
	static const uint8_t refused[] = { 0x04, 0x0E, 0xFF, 0x01, 0xE0, 0xFC, 0xF4, 0x07, 0x00, 0x09,
		                           0x06, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t erase_busy[] = { 0x04, 0x0E, 0xFF, 0x01, 0xE0, 0xFC, 0xF4, 0x07, 0x00,
		                              0x0F, 0x01, 0x20, 0x00, 0x10, 0x01, 0x00 };
	uint8_t buf[32];
	struct bk_reply r;
	const uint8_t *data;

	ck_assert_uint_eq(feed(refused, sizeof refused, true, BK_OP_READ4K, 0, &r, buf), 16);
	ck_assert_int_eq(bk_decode_read4k(&r, 0, &data), BK_ERR_STATUS);
	ck_assert_uint_eq(r.status, 6);
	ck_assert_str_eq(bk_status_name(r.status), "parameter error or protected address");
	ck_assert_uint_eq(feed(erase_busy, sizeof erase_busy, true, BK_OP_ERASE, 0, &r, buf), 16);
	ck_assert_int_eq(bk_decode_erase(&r, BK_ERASE_4K, 0x11000), BK_ERR_STATUS);
	ck_assert_str_eq(bk_status_name(1), "flash busy");
	ck_assert_str_eq(bk_status_name(200), "unknown status");
}
END_TEST

/* ---- decoders ---- */

static struct bk_reply parse(const uint8_t *p, size_t n, bool is_long, uint8_t code)
{
	struct bk_reply r;
	size_t used, need;

	ck_assert_int_eq(bk_scan_reply(p, n, is_long, code, 0, &r, &used, &need), BK_SCAN_FOUND);
	ck_assert_uint_eq(used, n);
	return r;
}

START_TEST(test_decode_echoes)
{
	struct bk_reply r;
	uint32_t v;

	r = parse(BYTES(0x04, 0x0E, 0x0C, 0x01, 0xE0, 0xFC, 0x03, 0x00, 0x00, 0x80, 0x00,
	                0x1C, 0x23, 0x07, 0x00), false, BK_CMD_READ_REG);
	ck_assert_int_eq(bk_decode_read_reg(&r, 0x800000, &v), 0);
	ck_assert_uint_eq(v, 0x0007231C);
	ck_assert_int_eq(bk_decode_read_reg(&r, 0x44010004, &v), BK_ERR_REPLY);

	/* The newer source answers an ill-timed baud request with its current rate, DD 0. */
	r = parse(BYTES(0x04, 0x0E, 0x09, 0x01, 0xE0, 0xFC, 0x0F, 0x00, 0xC2, 0x01, 0x00, 0x00),
	          false, BK_CMD_SET_BAUD);
	ck_assert_int_eq(bk_decode_set_baud(&r, 921600, 20), BK_ERR_REPLY);
	ck_assert_int_eq(bk_decode_set_baud(&r, 115200, 20), BK_ERR_REPLY);
	ck_assert_int_eq(bk_decode_set_baud(&r, 115200, 0), 0);

	r = parse(BYTES(0x04, 0x0E, 0xFF, 0x01, 0xE0, 0xFC, 0xF4, 0x06, 0x00, 0x07, 0x00,
	                0x00, 0x10, 0x01, 0x00), true, BK_OP_WRITE4K);
	ck_assert_int_eq(bk_decode_write4k(&r, 0x11000), 0);
	ck_assert_int_eq(bk_decode_write4k(&r, 0x12000), BK_ERR_REPLY);

	r = parse(BYTES(0x04, 0x0E, 0xFF, 0x01, 0xE0, 0xFC, 0xF4, 0x07, 0x00, 0x0F, 0x00,
	                0xD8, 0x00, 0x00, 0x02, 0x00), true, BK_OP_ERASE);
	ck_assert_int_eq(bk_decode_erase(&r, BK_ERASE_64K, 0x20000), 0);
	ck_assert_int_eq(bk_decode_erase(&r, BK_ERASE_4K, 0x20000), BK_ERR_REPLY);
	ck_assert_int_eq(bk_decode_erase(&r, BK_ERASE_64K, 0x30000), BK_ERR_REPLY);
	/* A reply to another op is never decoded as this one. */
	ck_assert_int_eq(bk_decode_write4k(&r, 0x20000), BK_ERR_REPLY);

	r = parse(BYTES(0x04, 0x0E, 0xFF, 0x01, 0xE0, 0xFC, 0xF4, 0x05, 0x00, 0x0D, 0x00,
	                0x01, 0x00, 0x02), true, BK_OP_WRITE_SR);
	ck_assert_int_eq(bk_decode_write_sr(&r, 0x0200, 2), 0);
	ck_assert_int_eq(bk_decode_write_sr(&r, 0x0000, 2), BK_ERR_REPLY);
	ck_assert_int_eq(bk_decode_write_sr(&r, 0x0200, 1), BK_ERR_REPLY);

	r = parse(BYTES(0x04, 0x0E, 0x05, 0x01, 0xE0, 0xFC, 0x01, 0x07), false, BK_REPLY_LINK_CHECK);
	ck_assert_int_eq(bk_decode_link_check(&r), BK_ERR_REPLY);
}
END_TEST

START_TEST(test_decode_boot_version)
{
	struct bk_reply r;
	char v[48];

	r = parse(BYTES(0x04, 0x0E, 0x13, 0x01, 0xE0, 0xFC, 0x11, 'B', 'K', '7', '2', '3', '1', 'S',
	                '_', '1', '.', '0', '.', '5', 0x00, ' '), false, BK_CMD_BOOT_VERSION);
	ck_assert_int_eq(bk_decode_boot_version(&r, v, sizeof v), 0);
	ck_assert_str_eq(v, "BK7231S_1.0.5");
	/* The BK7231N BootROM answers 0x11 with "unknown command". */
	r = parse(BYTES(0x04, 0x0E, 0x05, 0x01, 0xE0, 0xFC, 0x11, 0x07), false, BK_CMD_BOOT_VERSION);
	ck_assert_int_eq(bk_decode_boot_version(&r, v, sizeof v), BK_ERR_STATUS);
}
END_TEST

/* ---- CRC (§4) ---- */

static uint32_t beken_crc(const uint8_t *data, size_t len)
{
	uint8_t sum[IOTFLASH_SUM_MAX];

	ck_assert_uint_eq(iotflash_checksum_compute(IOTFLASH_SUM_CRC32_BEKEN, data, len, sum), 4);
	return bk_get_u32(sum);
}

static uint32_t fill_crc(uint8_t value, size_t len)
{
	uint8_t *p = malloc(len);
	uint32_t crc;

	ck_assert_ptr_nonnull(p);
	memset(p, value, len);
	crc = beken_crc(p, len);
	free(p);
	return crc;
}

START_TEST(test_crc_vectors)
{
	uint8_t ramp[BK_SECTOR], sum[IOTFLASH_SUM_MAX];

	ck_assert_uint_eq(beken_crc((const uint8_t *)"123456789", 9), 0x340BC6D9);
	iotflash_checksum_compute(IOTFLASH_SUM_CRC32_BEKEN, (const uint8_t *)"123456789", 9, sum);
	ck_assert_mem_eq(sum, ((const uint8_t[]){ 0xD9, 0xC6, 0x0B, 0x34 }), 4);  /* wire order */
	ck_assert_uint_eq(fill_crc(0xFF, 256), 0x015757DE);
	ck_assert_uint_eq(fill_crc(0xFF, 257), 0x4C684709);
	ck_assert_uint_eq(fill_crc(0xFF, 4096), 0x0EAB98F5);
	ck_assert_uint_eq(fill_crc(0xFF, 4097), 0xE0DB4286);
	ck_assert_uint_eq(fill_crc(0xFF, 65536), 0x215481B1);
	ck_assert_uint_eq(fill_crc(0xFF, 2u << 20), 0x65BEF61A);
	ck_assert_uint_eq(fill_crc(0x00, 4096), 0x38E3FFEE);
	for (size_t i = 0; i < sizeof ramp; i++)
		ramp[i] = (uint8_t)i;
	ck_assert_uint_eq(beken_crc(ramp, 256), 0xD6FA738C);
	ck_assert_uint_eq(beken_crc(ramp, 4096), 0x5D6EDF7D);
}
END_TEST

/* Fingerprints of the flash images (facts.h: generated, or the real dumps):
 * CRC(0, end 0x100) is 257 bytes on FULL, 256 on LEGACY; XOR ~0 gives the
 * chip database's boot_crcs value for the chip's bootloader (§4, §6.1). */
START_TEST(test_image_fingerprints)
{
	size_t len;
	uint8_t *n = load_image("bk7231n", &len);
	uint8_t *t;

	ck_assert_uint_eq(len, 2u << 20);
	ck_assert_uint_eq(beken_crc(n, 257) ^ 0xFFFFFFFFu, 0xE14191BA);  /* BK7231N 1.0.1 */
	ck_assert_uint_eq(beken_crc(n, 257), fact_num("bk7231n", "crc_boot"));
	ck_assert_uint_eq(beken_crc(n + 0x11000, 4096), fact_num("bk7231n", "crc_app_sector"));
	ck_assert_uint_eq(beken_crc(n, len), fact_num("bk7231n", "crc_all"));
	t = load_image("bk7231t", &len);
	ck_assert_uint_eq(beken_crc(t, 256) ^ 0xFFFFFFFFu, 0xBA54C1B8);  /* BK7231S 1.0.5 */
	ck_assert_uint_eq(beken_crc(t + 0x11000, 4096), fact_num("bk7231t", "crc_app_sector"));
	ck_assert_uint_eq(beken_crc(t, len), fact_num("bk7231t", "crc_all"));
	free(n);
	free(t);
}
END_TEST

START_TEST(test_crc_range)
{
	uint32_t end = 0;

	ck_assert(bk_crc_range(0x11000, 0x1000, &end));
	ck_assert_uint_eq(end, 0x11FFF);
	ck_assert(bk_crc_range(0, 0x200000, &end));
	ck_assert_uint_eq(end, 0x1FFFFF);
	ck_assert(bk_crc_range(0x11000, 256, &end));
	ck_assert_uint_eq(end, 0x110FF);
	ck_assert(!bk_crc_range(0x11000, 0, &end));
	ck_assert(!bk_crc_range(0x11000, 257, &end));
	ck_assert(!bk_crc_range(0x11080, 256, &end));
	ck_assert(!bk_crc_range(0xFFFFFF00u, 512, &end));
}
END_TEST

/* ---- status registers (§5.1, §9.1) ---- */

START_TEST(test_sr_unprotect)
{
	uint32_t v = 0xDEAD;
	unsigned nb = 9;

	/* §9.1: SR1 0x1C, SR2 0x02 on TH25Q16HB. */
	ck_assert(bk_sr_change(0x021C, 2, 0x407C, 0, &v, &nb));
	ck_assert_uint_eq(v, 0x0200);
	ck_assert_uint_eq(nb, 2);
	/* GUI log: SR 0x4004 -> 0x0000. */
	ck_assert(bk_sr_change(0x4004, 2, 0x407C, 0, &v, &nb));
	ck_assert_uint_eq(v, 0x0000);
	/* GUI log: SR1 0x80, SR2 0x06 is already clear. */
	ck_assert(!bk_sr_change(0x0680, 2, 0x407C, 0, &v, &nb));
	/* One-register part: a 1-byte write. */
	ck_assert(bk_sr_change(0x9C, 1, 0x007C, 0, &v, &nb));
	ck_assert_uint_eq(v, 0x80);
	ck_assert_uint_eq(nb, 1);
	/* Three registers: still a 2-byte write of SR1/SR2. */
	ck_assert(bk_sr_change(0x12421C, 3, 0x407C, 0, &v, &nb));
	ck_assert_uint_eq(v, 0x0200);
	ck_assert_uint_eq(nb, 2);
	/* MXIC mask 0x103C. */
	ck_assert(bk_sr_change(0x103C, 2, 0x103C, 0, &v, &nb));
	ck_assert_uint_eq(v, 0);
	/* No status register (Beken's own flash): nothing to do. */
	ck_assert(!bk_sr_change(0x1C, 0, 0, 0, &v, &nb));
	/* Restoring the original protection. */
	ck_assert(bk_sr_change(0x0200, 2, 0x407C, 0x021C & 0x407C, &v, &nb));
	ck_assert_uint_eq(v, 0x021C);
}
END_TEST

/* ---- misc helpers ---- */

START_TEST(test_efuse)
{
	/* BK7231N (Tuya) key as tools print it, bytes as the eFuse holds them. */
	static const uint8_t key[16] = { 0x93, 0xb0, 0x0f, 0x51, 0xdc, 0xea, 0xcb, 0xa3,
		                         0x7e, 0xa1, 0x93, 0x59, 0x03, 0xeb, 0xad, 0xc7 };
	char hex[33];

	bk_efuse_key_hex(key, hex);
	ck_assert_str_eq(hex, "510fb093a3cbeadc5993a17ec7adeb03");
	ck_assert(bk_hex_equal("510fb093 a3cbeadc 5993a17e c7adeb03", hex));
	ck_assert(bk_hex_equal("510FB093A3CBEADC5993A17EC7ADEB03", hex));
	ck_assert(!bk_hex_equal("00000000000000000000000000000000", hex));
	ck_assert(!bk_hex_equal("510fb093", hex));
	ck_assert_uint_eq(bk_efuse_ctrl_start(0xFFFFFFFF, 3), 0xFFFFE3FD | 0x300);
	ck_assert_uint_eq(bk_efuse_ctrl_start(0, 15), 0x0F01);
}
END_TEST

static Suite *bk72xx_suite(void)
{
	Suite *s = suite_create("bk72xx-protocol");
	TCase *b = tcase_create("builders"), *sc = tcase_create("scanner");
	TCase *d = tcase_create("decoders"), *c = tcase_create("crc"), *m = tcase_create("helpers");

	tcase_add_test(b, test_link_check_and_reboot);
	tcase_add_test(b, test_set_baud);
	tcase_add_test(b, test_baud_values);
	tcase_add_test(b, test_registers);
	tcase_add_test(b, test_flash_queries);
	tcase_add_test(b, test_flash_data_frames);
	tcase_add_test(b, test_write4k);
	tcase_add_test(b, test_builder_limits);
	tcase_add_test(sc, test_scan_clean);
	tcase_add_test(sc, test_scan_partial);
	tcase_add_test(sc, test_scan_junk_and_stale);
	tcase_add_test(sc, test_scan_split_long);
	tcase_add_test(sc, test_scan_skips_unrelated);
	tcase_add_test(sc, test_scan_sys_error_short);
	tcase_add_test(sc, test_scan_garbled_header);
	tcase_add_test(sc, test_scan_write_reg_not_link);
	tcase_add_test(sc, test_scan_kind_mismatch);
	tcase_add_test(sc, test_mid_quirk);
	tcase_add_test(sc, test_status_replies);
	tcase_add_test(d, test_decode_echoes);
	tcase_add_test(d, test_decode_boot_version);
	tcase_add_test(c, test_crc_vectors);
	tcase_add_test(c, test_image_fingerprints);
	tcase_add_test(c, test_crc_range);
	tcase_add_test(m, test_sr_unprotect);
	tcase_add_test(m, test_efuse);
	suite_add_tcase(s, b);
	suite_add_tcase(s, sc);
	suite_add_tcase(s, d);
	suite_add_tcase(s, c);
	suite_add_tcase(s, m);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(bk72xx_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
