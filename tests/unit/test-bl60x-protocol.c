/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Bouffalo Lab ISP encoders and decoders against the literal byte
 * sequences of docs/protocols/bl60x.md (§N). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <iotflash/common.h>

#include "../../plugins/bl60x/protocol.h"

static uint8_t frame[BL_FRAME_MAX];

#define ck_assert_bytes(got, want, n) ck_assert_mem_eq(got, want, n)

/* ---- frames (§8) ---- */

START_TEST(erase_frame_end_is_inclusive)
{
	static const uint8_t want[] = { 0x30, 0x18, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0xFF, 0x0F, 0x01, 0x00 };
	size_t n = bl_frame_erase(frame, 0x10000, 0x1000);

	ck_assert_uint_eq(n, sizeof want);
	ck_assert_bytes(frame, want, sizeof want);
}
END_TEST

START_TEST(write_frames_of_the_sample)
{
	static const uint8_t hdr1[] = { 0x31, 0x0D, 0x04, 0x08, 0x00, 0x00, 0x01, 0x00 };
	static const uint8_t hdr2[] = { 0x31, 0x15, 0x04, 0x08, 0x00, 0x08, 0x01, 0x00 };
	uint8_t data[2048];
	size_t n;

	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)i;
	n = bl_frame_write(frame, 0x10000, data, sizeof data);
	ck_assert_uint_eq(n, 8 + 2048);
	ck_assert_bytes(frame, hdr1, sizeof hdr1);
	ck_assert_bytes(frame + 8, data, sizeof data);
	bl_frame_write(frame, 0x10800, data, sizeof data);
	ck_assert_bytes(frame, hdr2, sizeof hdr2);
}
END_TEST

START_TEST(read_and_sha_frames)
{
	static const uint8_t rd1[] = { 0x32, 0x11, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x08, 0x00, 0x00 };
	static const uint8_t rd2[] = { 0x32, 0x19, 0x08, 0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x08, 0x00, 0x00 };
	static const uint8_t rd4k[] = { 0x32, 0x19, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x10, 0x00, 0x00 };
	static const uint8_t sha[] = { 0x3D, 0x19, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x10, 0x00, 0x00 };

	ck_assert_uint_eq(bl_frame_u32x2(frame, BL_FLASH_READ, true, 0x10000, 0x800), 12);
	ck_assert_bytes(frame, rd1, 12);
	bl_frame_u32x2(frame, BL_FLASH_READ, true, 0x10800, 0x800);
	ck_assert_bytes(frame, rd2, 12);
	bl_frame_u32x2(frame, BL_FLASH_READ, true, 0x10000, 0x1000);
	ck_assert_bytes(frame, rd4k, 12);
	bl_frame_u32x2(frame, BL_READ_SHA256, true, 0x10000, 0x1000);
	ck_assert_bytes(frame, sha, 12);
}
END_TEST

START_TEST(rom_frames_carry_zero_checksum)
{
	static const uint8_t info[] = { 0x10, 0x00, 0x00, 0x00 };
	static const uint8_t jedec[] = { 0x36, 0x00, 0x00, 0x00 };
	static const uint8_t timeout_a1[] = { 0x23, 0x00, 0x04, 0x00, 0x10, 0x27, 0x00, 0x00 };
	static const uint8_t timeout_a0[] = { 0x50, 0x00, 0x08, 0x00, 0x04, 0xDF, 0x02, 0x61, 0x00, 0x12, 0x10, 0x27 };
	uint8_t ms[4] = { 0x10, 0x27, 0, 0 };

	ck_assert_uint_eq(bl_frame(frame, BL_GET_BOOT_INFO, false, NULL, 0), 4);
	ck_assert_bytes(frame, info, 4);
	bl_frame(frame, BL_READ_JEDEC, true, NULL, 0);  /* empty payload: sum 0 either way */
	ck_assert_bytes(frame, jedec, 4);
	bl_frame(frame, BL_SET_TIMEOUT, false, ms, 4);
	ck_assert_bytes(frame, timeout_a1, 8);
	bl_frame_u32x2(frame, BL_WRITE_MEM, false, 0x6102DF04u, 0x27101200u);
	ck_assert_bytes(frame, timeout_a0, 12);
}
END_TEST

START_TEST(bl616_clk_set_and_flash_para)
{
	static const uint8_t clk[] = { 0x22, 0x2B, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x80, 0x84, 0x1E, 0x00 };
	static const uint8_t para[] = { 0x3B, 0xC6, 0x04, 0x00, 0x80, 0x41, 0x01, 0x00 };
	uint8_t p[4] = { 0x80, 0x41, 0x01, 0x00 };

	bl_frame_u32x2(frame, BL_CLK_SET, true, 1, 2000000);
	ck_assert_bytes(frame, clk, sizeof clk);
	bl_frame(frame, BL_FLASH_SET_PARA, true, p, 4);
	ck_assert_bytes(frame, para, sizeof para);
}
END_TEST

/* blisp's checksummed BL702 run frames arrived as 50 56, 50 60, 50 62 (§3.5). */
START_TEST(bl702_run_frame_checksums)
{
	bl_frame_u32x2(frame, BL_WRITE_MEM, true, 0x4000F100u, 0x4E424845u);
	ck_assert_uint_eq(frame[1], 0x56);
	bl_frame_u32x2(frame, BL_WRITE_MEM, true, 0x4000F104u, 0x22010000u);
	ck_assert_uint_eq(frame[1], 0x60);
	bl_frame_u32x2(frame, BL_WRITE_MEM, true, 0x40000018u, 2);
	ck_assert_uint_eq(frame[1], 0x62);
}
END_TEST

/* ---- handshake ---- */

START_TEST(burst_length_by_time)
{
	ck_assert_uint_eq(bl_burst_len(500000, 6), 300);
	ck_assert_uint_eq(bl_burst_len(500000, 3), 150);
	ck_assert_uint_eq(bl_burst_len(2000000, 6), 1200);
	ck_assert_uint_eq(bl_burst_len(2000000, 3), 600);
	ck_assert_uint_eq(bl_burst_len(9600, 3), 16);  /* minimum */
}
END_TEST

START_TEST(usb_preamble_bytes)
{
	ck_assert_uint_eq(sizeof bl_usb_preamble, 22);
	ck_assert_mem_eq(bl_usb_preamble, "BOUFFALOLAB5555RESET", 20);
	ck_assert_uint_eq(bl_usb_preamble[20], 0);
	ck_assert_uint_eq(bl_usb_preamble[21], 0);
}
END_TEST

START_TEST(loader_baud_rounding)
{
	ck_assert_uint_eq(bl_loader_baud(115200), 115200);
	ck_assert_uint_eq(bl_loader_baud(921600), 921600);
	ck_assert_uint_eq(bl_loader_baud(1000000), 1000000);
	ck_assert_uint_eq(bl_loader_baud(1200000), 1000000);
	ck_assert_uint_eq(bl_loader_baud(1400000), 1500000);
	ck_assert_uint_eq(bl_loader_baud(2000000), 2000000);
}
END_TEST

/* ---- replies (§2.2, §8) ---- */

START_TEST(reply_pd_then_ok)
{
	static const uint8_t in[] = { 0x50, 0x44, 0x4F, 0x4B };
	struct bl_reply r;
	size_t used, need;

	ck_assert_int_eq(bl_scan_reply(in, sizeof in, false, &r, &used, &need), BL_SCAN_FOUND);
	ck_assert_int_eq(r.status, BL_REPLY_OK);
	ck_assert_uint_eq(r.pending, 1);
	ck_assert_uint_eq(used, 4);
}
END_TEST

START_TEST(reply_error_code)
{
	static const uint8_t in[] = { 0x46, 0x4C, 0x03, 0x01 };
	struct bl_reply r;
	size_t used, need;

	ck_assert_int_eq(bl_scan_reply(in, 3, false, &r, &used, &need), BL_SCAN_NEED);
	ck_assert_uint_eq(need, 1);
	ck_assert_int_eq(bl_scan_reply(in, 4, true, &r, &used, &need), BL_SCAN_FOUND);
	ck_assert_int_eq(r.status, BL_REPLY_FAIL);
	ck_assert_uint_eq(r.error, 0x0103);
}
END_TEST

START_TEST(reply_with_data)
{
	static const uint8_t in[] = { 0x4F, 0x4B, 0x04, 0x00, 0xEF, 0x40, 0x15, 0x80, 0x99 };
	struct bl_reply r;
	size_t used, need;

	ck_assert_int_eq(bl_scan_reply(in, 6, true, &r, &used, &need), BL_SCAN_NEED);
	ck_assert_uint_eq(need, 2);
	ck_assert_int_eq(bl_scan_reply(in, sizeof in, true, &r, &used, &need), BL_SCAN_FOUND);
	ck_assert_uint_eq(r.len, 4);
	ck_assert_uint_eq(used, 8);
	ck_assert_uint_eq(r.data[0], 0xEF);
	ck_assert_uint_eq(r.data[3], 0x80);
}
END_TEST

START_TEST(reply_junk_is_skipped)
{
	static const uint8_t in[] = { 0x55, 0x4F, 0x4B };
	struct bl_reply r;
	size_t used, need;

	ck_assert_int_eq(bl_scan_reply(in, sizeof in, false, &r, &used, &need), BL_SCAN_BAD);
	ck_assert_uint_eq(used, 1);
	ck_assert_int_eq(bl_scan_reply(in + used, sizeof in - used, false, &r, &used, &need), BL_SCAN_FOUND);
}
END_TEST

/* ---- boot info (§3.1, §8) ---- */

START_TEST(boot_info_real_bl602)
{
	static const uint8_t d[] = { 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
	                             0x85, 0xA9, 0xA8, 0x4C, 0xB9, 0x7C, 0x19, 0x00 };
	static const uint8_t mac[] = { 0x85, 0xA9, 0xA8, 0x4C, 0xB9, 0x7C };
	struct bl_boot_info bi;
	uint8_t id[8];

	ck_assert_int_eq(bl_parse_boot_info(d, sizeof d, &bi), 0);
	ck_assert_uint_eq(bi.version, BL_VERSION_BL602);
	ck_assert_uint_eq(bi.sign_type, 0);
	ck_assert_uint_eq(bi.encrypt_type, 0);
	ck_assert_uint_eq(bl_boot_info_id(&bi, id), 6);
	ck_assert_mem_eq(id, mac, 6);
}
END_TEST

START_TEST(boot_info_bl702_id)
{
	uint8_t d[24] = { 0x01, 0x00, 0x02, 0x07 };
	struct bl_boot_info bi;
	uint8_t id[8];

	for (int i = 0; i < 8; i++)
		d[16 + i] = (uint8_t)(0xA0 + i);
	ck_assert_int_eq(bl_parse_boot_info(d, sizeof d, &bi), 0);
	ck_assert_uint_eq(bi.version, BL_VERSION_BL702);
	ck_assert_uint_eq(bl_boot_info_id(&bi, id), 8);
	ck_assert_uint_eq(id[0], 0xA0);
	ck_assert_uint_eq(id[7], 0xA7);
	/* The short 20-byte form has no id (§3.1). */
	ck_assert_int_eq(bl_parse_boot_info(d, 20, &bi), 0);
	ck_assert_uint_eq(bl_boot_info_id(&bi, id), 0);
	ck_assert_int_eq(bl_parse_boot_info(d, 19, &bi), -1);
}
END_TEST

/* ---- loader image (§3.2-3.4) ---- */

START_TEST(segment_headers_of_the_sources)
{
	static const uint8_t bl602[] = { 0x00, 0x00, 0x01, 0x22, 0xC0, 0x96, 0x00, 0x00,
	                                 0x65, 0x94, 0x99, 0xCB, 0x33, 0x3E, 0x79, 0x94 };
	static const uint8_t bl702[] = { 0x00, 0x00, 0x01, 0x22, 0x40, 0xE7, 0x00, 0x00,
	                                 0xAF, 0xDF, 0x58, 0x32, 0x82, 0xA0, 0xE2, 0xFE };
	static const uint8_t blisp[] = { 0x00, 0x00, 0x01, 0x22, 0x40, 0xE7, 0x00, 0x00,
	                                 0x00, 0x00, 0x00, 0x00, 0x00, 0x5D, 0x8A, 0xD7 };
	uint8_t bad[16];

	ck_assert(bl_seg_header_valid(bl602));
	ck_assert(bl_seg_header_valid(bl702));
	ck_assert(bl_seg_header_valid(blisp));
	memcpy(bad, bl602, 16);
	bad[4] ^= 1;
	ck_assert(!bl_seg_header_valid(bad));
}
END_TEST

START_TEST(clock_config_crc)
{
	static const uint8_t clk[] = { 0x04, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00 };

	ck_assert_uint_eq(bl_crc32(clk, sizeof clk), 0x824E14BBu);
}
END_TEST

static size_t make_loader(uint8_t *buf, uint32_t code_len)
{
	uint8_t *seg = buf + BL_BOOT_HEADER_LEN;

	memset(buf, 0, BL_BOOT_HEADER_LEN);
	memcpy(buf, "BFNP", 4);
	bl_put_le32(buf + BL_SEGCNT_OFF, 1);
	bl_put_le32(seg, BL_LOADER_ADDR);
	bl_put_le32(seg + 4, code_len);
	bl_put_le32(seg + 8, 0);
	bl_put_le32(seg + 12, bl_crc32(seg, 12));
	memset(seg + BL_SEG_HEADER_LEN, 0x5A, code_len);
	return BL_BOOT_HEADER_LEN + BL_SEG_HEADER_LEN + code_len;
}

START_TEST(loader_image_parses)
{
	static uint8_t buf[BL_BOOT_HEADER_LEN + BL_SEG_HEADER_LEN + 1000];
	struct bl_loader_image img;
	char why[128];
	size_t n = make_loader(buf, 1000);

	ck_assert_int_eq(bl_parse_loader(buf, n, &img, why, sizeof why), 0);
	ck_assert_uint_eq(img.n_segments, 1);
	ck_assert_uint_eq(img.seg[0].dest, BL_LOADER_ADDR);
	ck_assert_uint_eq(img.seg[0].len, 1000);
	ck_assert_ptr_eq(img.seg[0].data, buf + 192);
	/* Truncated data, a broken segment CRC, a missing magic. */
	ck_assert_int_eq(bl_parse_loader(buf, n - 1, &img, why, sizeof why), -1);
	ck_assert_ptr_nonnull(strstr(why, "truncated"));
	buf[BL_BOOT_HEADER_LEN + 4] ^= 1;
	ck_assert_int_eq(bl_parse_loader(buf, n, &img, why, sizeof why), -1);
	ck_assert_ptr_nonnull(strstr(why, "CRC"));
	buf[BL_BOOT_HEADER_LEN + 4] ^= 1;
	buf[0] = 'X';
	ck_assert_int_eq(bl_parse_loader(buf, n, &img, why, sizeof why), -1);
	ck_assert_ptr_nonnull(strstr(why, "BFNP"));
}
END_TEST

/* ---- flash ---- */

START_TEST(capacity_codes)
{
	ck_assert_uint_eq(bl_capacity_size(0x13), 512u << 10);
	ck_assert_uint_eq(bl_capacity_size(0x15), 2u << 20);
	ck_assert_uint_eq(bl_capacity_size(0x19), 32u << 20);
	ck_assert_uint_eq(bl_capacity_size(0x35), 2u << 20);  /* Macronix 1.8 V */
	ck_assert_uint_eq(bl_capacity_size(0x00), 0);
}
END_TEST

/* The device-side verify is SHA-256 of exactly the range (§8). */
START_TEST(sha_of_the_sample_block)
{
	static const uint8_t want[] = { 0xC8, 0xF5, 0xD0, 0x34, 0x1D, 0x54, 0xD9, 0x51, 0xA7, 0x1B, 0x13, 0x6E,
	                                0x6E, 0x2A, 0xFC, 0xB1, 0x4D, 0x11, 0xED, 0x84, 0x89, 0xA7, 0xAE, 0x12,
	                                0x6A, 0x8F, 0xEE, 0x0D, 0xF6, 0xEC, 0xF1, 0x93 };
	uint8_t block[4096], sum[IOTFLASH_SUM_MAX];

	for (size_t i = 0; i < sizeof block; i++)
		block[i] = (uint8_t)i;
	ck_assert_uint_eq(iotflash_checksum_compute(IOTFLASH_SUM_SHA256, block, sizeof block, sum), 32);
	ck_assert_mem_eq(sum, want, 32);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("bl60x-protocol");
	TCase *t = tcase_create("frames");

	tcase_add_test(t, erase_frame_end_is_inclusive);
	tcase_add_test(t, write_frames_of_the_sample);
	tcase_add_test(t, read_and_sha_frames);
	tcase_add_test(t, rom_frames_carry_zero_checksum);
	tcase_add_test(t, bl616_clk_set_and_flash_para);
	tcase_add_test(t, bl702_run_frame_checksums);
	tcase_add_test(t, burst_length_by_time);
	tcase_add_test(t, usb_preamble_bytes);
	tcase_add_test(t, loader_baud_rounding);
	tcase_add_test(t, reply_pd_then_ok);
	tcase_add_test(t, reply_error_code);
	tcase_add_test(t, reply_with_data);
	tcase_add_test(t, reply_junk_is_skipped);
	tcase_add_test(t, boot_info_real_bl602);
	tcase_add_test(t, boot_info_bl702_id);
	tcase_add_test(t, segment_headers_of_the_sources);
	tcase_add_test(t, clock_config_crc);
	tcase_add_test(t, loader_image_parses);
	tcase_add_test(t, capacity_codes);
	tcase_add_test(t, sha_of_the_sample_block);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
