/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* XRadio BROM encoders and decoders against every literal frame of
 * docs/protocols/xradio.md §2.2, and the device-side checks of §2.2/§3. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/xradio/protocol.h"

static void check_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
	ck_assert_uint_eq(got_len, want_len);
	for (size_t i = 0; i < want_len; i++)
		ck_assert_msg(got[i] == want[i], "byte %zu: 0x%02x, want 0x%02x", i, got[i], want[i]);
}

#define CHECK_FRAME(call, ...) do { \
		static const uint8_t want_[] = { __VA_ARGS__ }; \
		uint8_t out_[64]; \
		size_t n_ = (call); \
		check_bytes(out_, n_, want_, sizeof want_); \
		ck_assert(xr_request_ok(out_, out_ + XR_HEADER_LEN, n_ - XR_HEADER_LEN)); \
	} while (0)
#define OUT out_

START_TEST(sum16_vector)
{
	ck_assert_uint_eq(xr_sum16((const uint8_t *)"123456789", 9), 0xD509);  /* §2.2 */
	ck_assert_uint_eq(xr_sum16(NULL, 0), 0);
}
END_TEST

/* Every worked frame of §2.2, built from its fields. */
START_TEST(worked_frames)
{
	CHECK_FRAME(xr_enc_simple(OUT, XR_OP_FLASH_ID), 0x42, 0x52, 0x4F, 0x4D, 0x04, 0x00, 0x60, 0x51, 0, 0, 0, 0x01, 0x18);
	CHECK_FRAME(xr_enc_simple(OUT, XR_OP_CHIPTYPE), 0x42, 0x52, 0x4F, 0x4D, 0x04, 0x00, 0x60, 0x52, 0, 0, 0, 0x01, 0x17);
	CHECK_FRAME(xr_enc_baud(OUT, 921600), 0x42, 0x52, 0x4F, 0x4D, 0x04, 0x00, 0x52, 0x42, 0, 0, 0, 0x05,
	            0x10, 0x03, 0x0E, 0x10, 0x00);
	CHECK_FRAME(xr_enc_baud(OUT, 115200), 0x42, 0x52, 0x4F, 0x4D, 0x04, 0x00, 0x5E, 0x90, 0, 0, 0, 0x05,
	            0x10, 0x03, 0x01, 0xC2, 0x00);
	CHECK_FRAME(xr_enc_baud(OUT, 1500000), 0x42, 0x52, 0x4F, 0x4D, 0x04, 0x00, 0xE9, 0x6F, 0, 0, 0, 0x05,
	            0x10, 0x03, 0x16, 0xE3, 0x60);
	CHECK_FRAME(xr_enc_setpc(OUT, 0x10101), 0x42, 0x52, 0x4F, 0x4D, 0x04, 0x00, 0x5E, 0x51, 0, 0, 0, 0x05,
	            0x13, 0x00, 0x01, 0x01, 0x01);
	CHECK_FRAME(xr_enc_seqwr(OUT, 0x10000, 5868, 0xDAC4), 0x42, 0x52, 0x4F, 0x4D, 0x04, 0x00, 0xAE, 0x66, 0, 0, 0,
	            0x0B, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x16, 0xEC, 0xDA, 0xC4);
	CHECK_FRAME(xr_enc_erase(OUT, XR_ERASE_64K, 0x1E0000), 0x42, 0x52, 0x4F, 0x4D, 0x04, 0x00, 0x5D, 0x2D, 0, 0, 0,
	            0x06, 0x19, 0x03, 0x00, 0x1E, 0x00, 0x00);
	CHECK_FRAME(xr_enc_erase(OUT, XR_ERASE_4K, 0x1E0000), 0x42, 0x52, 0x4F, 0x4D, 0x04, 0x00, 0x5F, 0x2D, 0, 0, 0,
	            0x06, 0x19, 0x01, 0x00, 0x1E, 0x00, 0x00);
	CHECK_FRAME(xr_enc_erase(OUT, XR_ERASE_CHIP, 0), 0x42, 0x52, 0x4F, 0x4D, 0x04, 0x00, 0x60, 0x4F, 0, 0, 0, 0x02,
	            0x19, 0x00);
	CHECK_FRAME(xr_enc_flash_read(OUT, 0xF00, 8), 0x42, 0x52, 0x4F, 0x4D, 0x04, 0x00, 0x58, 0x38, 0, 0, 0, 0x09,
	            0x1A, 0x00, 0x00, 0x0F, 0x00, 0x00, 0x00, 0x00, 0x08);
	CHECK_FRAME(xr_enc_flash_write(OUT, 0xF00, 32, 0x1FFF), 0x42, 0x52, 0x4F, 0x4D, 0x04, 0x00, 0x41, 0x16, 0, 0, 0,
	            0x0B, 0x1B, 0x00, 0x00, 0x0F, 0x00, 0x00, 0x00, 0x00, 0x20, 0x1F, 0xFF);
	CHECK_FRAME(xr_enc_read4(OUT, 0x40043C40), 0x42, 0x52, 0x4F, 0x4D, 0x04, 0x00, 0x1B, 0xE5, 0, 0, 0, 0x05,
	            0x04, 0x40, 0x04, 0x3C, 0x40);
	CHECK_FRAME(xr_enc_write4(OUT, 0x40043C90, 0x63321190), 0x42, 0x52, 0x4F, 0x4D, 0x04, 0x00, 0x09, 0x6C, 0, 0, 0,
	            0x09, 0x05, 0x40, 0x04, 0x3C, 0x90, 0x90, 0x11, 0x32, 0x63);
	CHECK_FRAME(xr_enc_simple(OUT, XR_OP_REBOOT), 0x42, 0x52, 0x4F, 0x4D, 0x04, 0x00, 0x60, 0x57, 0, 0, 0, 0x01, 0x12);
	CHECK_FRAME(xr_enc_setckcs(OUT, 1), 0x42, 0x52, 0x4F, 0x4D, 0x04, 0x00, 0x5F, 0x54, 0, 0, 0, 0x02, 0x14, 0x01);
}
END_TEST

/* The GUI's XR809 read with byte 5 = 1 (§2.2 last row). */
START_TEST(gui_byte5)
{
	static const uint8_t want[] = { 0x42, 0x52, 0x4F, 0x4D, 0x04, 0x01, 0x57, 0x47, 0, 0, 0, 0x09,
	                                0x1A, 0, 0, 0, 0, 0, 0, 0, 0x08 };
	uint8_t p[9] = { 0x1A, 0, 0, 0, 0, 0, 0, 0, 8 }, out[32];
	check_bytes(out, xr_encode_request(out, 0x01, p, sizeof p), want, sizeof want);
	ck_assert(xr_request_ok(want, want + 12, 9));
}
END_TEST

/* The stub dcs of §6 and the 0x1B example: ~sum16 of the data. */
START_TEST(data_checksum)
{
	uint8_t ff[32 * 512];
	memset(ff, 0xFF, sizeof ff);
	ck_assert_uint_eq(xr_dcs(ff, sizeof ff), 0x1FFF);
	ck_assert_uint_eq((uint16_t)(xr_sum16(ff, sizeof ff) + xr_dcs(ff, sizeof ff)), 0xFFFF);
}
END_TEST

/* Any changed bit of a checked request fails the device check, and a
 * request without CHECK is taken as it is (§2.2). */
START_TEST(device_check)
{
	uint8_t f[32];
	size_t n = xr_enc_flash_read(f, 0x123, 8);
	for (size_t i = 0; i < n; i++) {
		if (i == 4)
			continue;  /* the flags byte: clearing CHECK turns the check off */
		for (int b = 0; b < 8; b++) {
			f[i] ^= (uint8_t)(1 << b);
			ck_assert_msg(!xr_request_ok(f, f + 12, n - 12), "byte %zu bit %d", i, b);
			f[i] ^= (uint8_t)(1 << b);
		}
	}
	f[4] = 0;
	f[20] ^= 1;
	ck_assert(xr_request_ok(f, f + 12, n - 12));
	/* 0x19 mode 0 with an address: the device does not swap it (§2.2). */
	n = xr_enc_erase(f, XR_ERASE_4K, 0x00010203);
	ck_assert(xr_request_ok(f, f + 12, n - 12));
	f[13] = 0;  /* now mode 0: the address is summed as it travels */
	ck_assert(!xr_request_ok(f, f + 12, n - 12));
}
END_TEST

/* Replies (§3): plain, data, error; checksummed after 0x14. */
START_TEST(replies)
{
	static const uint8_t ack[] = { 0x42, 0x52, 0x4F, 0x4D, 0x02, 0x01, 0, 0, 0, 0, 0, 0 };
	static const uint8_t err[] = { 0x42, 0x52, 0x4F, 0x4D, 0x03, 0x04, 0, 0, 0, 0, 0, 1, 3 };
	uint8_t f[12 + 4];
	struct xr_header h;

	check_bytes(f, xr_encode_reply(f, false, 0x00, 1, 0, false), ack, sizeof ack);
	xr_encode_reply(f, true, 0x00, 4, 1, false);
	f[12] = XR_ERR_CHECKSUM;
	check_bytes(f, 13, err, sizeof err);
	/* byte 5: the request's high nibble | version */
	xr_encode_reply(f, false, 0x31, 2, 0, false);
	ck_assert_uint_eq(f[5], 0x32);
	/* a checksummed data reply verifies, and one flipped bit does not */
	xr_encode_reply(f, false, 0, 1, 4, true);
	memcpy(f + 12, "\x85\x40\x15\x00", 4);
	xr_reply_seal(f, 4);
	ck_assert(xr_decode_header(f, &h));
	ck_assert_uint_eq(h.flags, 0x06);
	ck_assert_uint_eq(h.len, 4);
	ck_assert(xr_reply_ok(f, f + 12, 4));
	f[14] ^= 0x10;
	ck_assert(!xr_reply_ok(f, f + 12, 4));
	f[0] = 'b';
	ck_assert(!xr_decode_header(f, &h));
}
END_TEST

START_TEST(flash_sizes)
{
	ck_assert_uint_eq(xr_flash_bytes(0x15), 2u << 20);  /* 85 40 15: 2 MiB (§5.1) */
	ck_assert_uint_eq(xr_flash_bytes(0x14), 1u << 20);
	ck_assert_uint_eq(xr_flash_bytes(0x11), 128u << 10);
	ck_assert_uint_eq(xr_flash_bytes(0x10), 0);
	ck_assert_uint_eq(xr_flash_bytes(0x20), 0);
	ck_assert_uint_eq(xr_flash_jedec((const uint8_t *)"\x85\x40\x15\x00"), 0x154085);
	ck_assert_uint_eq(xr_erase_unit(XR_ERASE_4K), 4096);
	ck_assert_uint_eq(xr_erase_unit(XR_ERASE_32K), 32768);
	ck_assert_uint_eq(xr_erase_unit(XR_ERASE_64K), 65536);
	ck_assert_uint_eq(xr_erase_unit(XR_ERASE_CHIP), 0);
	ck_assert_str_eq(xr_error_text(XR_ERR_INVALID), "invalid parameter");
	ck_assert_ptr_null(xr_error_text(7));
	ck_assert(memcmp(xr_upgrade_cmd, "\nupgrade\n", 10) == 0);  /* §1.2, the GUI's 10 bytes */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xradio-protocol");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, sum16_vector);
	tcase_add_test(tc, worked_frames);
	tcase_add_test(tc, gui_byte5);
	tcase_add_test(tc, data_checksum);
	tcase_add_test(tc, device_check);
	tcase_add_test(tc, replies);
	tcase_add_test(tc, flash_sizes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
