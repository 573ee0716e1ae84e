/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* RTL8721DA / RTL8720E through the A5 stub: the frames, replies and ROM
 * requests of docs/protocols/a5-stub-families.md §2.4, §2.10, §2.13, §3.4 and
 * the sample exchange of §6, the capacity table of §2.5 and the stub
 * recognition of protocol-a5.h. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iotflash/common.h>

#include "../../plugins/common/a5stub.h"
#include "../../plugins/rtl87xx/protocol.h"
#include "../../plugins/rtl87xx/protocol-a5.h"

#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

static void check_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
	ck_assert_uint_eq(got_len, want_len);
	for (size_t i = 0; i < want_len; i++)
		ck_assert_msg(got[i] == want[i], "byte %zu: 0x%02x, want 0x%02x", i, got[i], want[i]);
}

/* §6 RTL8721DA: the host's frames. */
START_TEST(sample_requests)
{
	uint8_t f[32];
	size_t n;

	n = a5_encode(f, A5_CMD_FLASH_ID, NULL, 0);
	check_bytes(f, n, BYTES(0xA5, 0x90, 0x00, 0x00, 0x35));
	n = a5_encode_kv_set(f, "ObkCfg", 3584);
	check_bytes(f, n, BYTES(0xA5, 0x94, 0x09, 0x00, 0x06, 0x00, 0x0E, 0x4F, 0x62, 0x6B, 0x43, 0x66, 0x67, 0x82));
	n = a5_encode(f, A5_CMD_KV_GET, (const uint8_t *)"ObkCfg", 6);
	check_bytes(f, n, BYTES(0xA5, 0x93, 0x06, 0x00, 0x4F, 0x62, 0x6B, 0x43, 0x66, 0x67, 0x6A));
	n = a5_encode(f, 0x9E, NULL, 0);
	check_bytes(f, n, BYTES(0xA5, 0x9E, 0x00, 0x00, 0x43));
	/* §2.10: 921 600 and 115 200 */
	n = a5_encode_u32(f, A5_CMD_SET_BAUD, 921600);
	check_bytes(f, n, BYTES(0xA5, 0x07, 0x04, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xCE));
	/* Keys longer than the 9-byte frame allows are refused, not sent. */
	ck_assert_uint_eq(a5_encode_kv_set(f, "ObkConfig", 3584), 0);
	ck_assert_uint_eq(a5_encode_kv_set(f, "", 1), 0);
}
END_TEST

/* §6 and §2.4: the stub's replies, the stale DATA_LEN of an error reply. */
START_TEST(sample_replies)
{
	uint8_t out[64];
	struct a5_reply r;
	size_t used, n;

	n = a5_encode_reply(out, A5_CMD_FLASH_ID, 4, (const uint8_t[]){ 0xC8, 0x40, 0x16, 0x00 }, 4, 0);
	check_bytes(out, n, BYTES(0x5A, 0x90, 0x04, 0x00, 0xC8, 0x40, 0x16, 0x00, 0x00, 0x0C));
	static const uint8_t id_reply[] = { 0x5A, 0x90, 0x04, 0x00, 0xC8, 0x40, 0x16, 0x00, 0x00, 0x0C };
	ck_assert_int_eq(a5_decode_reply(id_reply, sizeof id_reply, 4, true, &r, &used), A5_DECODE_OK);
	ck_assert_uint_eq(used, 10);
	ck_assert_uint_eq(r.data[2], 0x16);
	n = a5_encode_reply(out, A5_CMD_KV_SET, 0, NULL, 0, 0);
	check_bytes(out, n, BYTES(0x5A, 0x94, 0x00, 0x00, 0x00, 0xEE));
	n = a5_encode_reply(out, A5_TYPE_REJECT, 0x0E00, NULL, 0, A5_ST_TYPE);
	check_bytes(out, n, BYTES(0x5A, 0xFF, 0x00, 0x0E, 0x03, 0x6A));
	n = a5_encode_reply(out, A5_CMD_KV_GET, 0, NULL, 0, A5_ST_ERROR);  /* key missing */
	check_bytes(out, n, BYTES(0x5A, 0x93, 0x00, 0x00, 0x01, 0xEE));
	n = a5_encode_reply(out, A5_CMD_SET_BAUD, 0, NULL, 0, 0);
	check_bytes(out, n, BYTES(0x5A, 0x07, 0x00, 0x00, 0x00, 0x61));
	/* SYN: the Realtek stub's checksum is right (§2.2). */
	n = a5_encode_reply(out, A5_CMD_SYN, 0, NULL, 0, 0);
	check_bytes(out, n, BYTES(0x5A, 0x00, 0x00, 0x00, 0x00, 0x5A));
	/* A rejected frame is 6 bytes whatever its DATA_LEN says. */
	ck_assert_int_eq(a5_decode_reply(BYTES(0x5A, 0xFF, 0x00, 0x0E, 0x03, 0x6A), 4, true, &r, &used), A5_DECODE_OK);
	ck_assert_uint_eq(used, 6);
	ck_assert_uint_eq(r.len_field, 0x0E00);
}
END_TEST

/* §3.4 / §6: `05 12`, the first address frame of the upload to 0x3000A020. */
START_TEST(rom_upload_frames)
{
	static const int64_t table[] = { 110, 300, 600, 1200, 2400, 4800, 9600, 14400, 19200, 28800, 38400, 57600,
		                         76800, 115200, 128000, 153600, 230400, 380400, 460800 };
	uint8_t f[RTL_XM_FRAME_MAX], data[1024], req[2];
	size_t n;

	ck_assert_int_eq(rtl_baud_index(table, sizeof table / sizeof table[0], 460800), 0x12);
	n = rtl_req_baud(req, 0x12);
	check_bytes(req, n, BYTES(0x05, 0x12));
	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)i;
	n = rtl_xm_frame(f, 1, true, RTL_A5_STUB_ADDR, data, 512, false, 0xFF);
	ck_assert_uint_eq(n, 3 + 4 + 1024 + 1);
	check_bytes(f, 7, BYTES(0x02, 0x01, 0xFE, 0x20, 0xA0, 0x00, 0x30));
	ck_assert_uint_eq(f[7 + 511], 0xFF & 511);
	ck_assert_uint_eq(f[7 + 512], 0xFF);  /* padded */
	ck_assert_uint_eq(f[n - 1], rtl_sum8(f + 3, 4 + 1024));  /* sum over address and data */
}
END_TEST

START_TEST(capacity_table)
{
	ck_assert_uint_eq(rtl_a5_flash_size(0x15), 2u << 20);
	ck_assert_uint_eq(rtl_a5_flash_size(0x16), 4u << 20);
	ck_assert_uint_eq(rtl_a5_flash_size(0x19), 32u << 20);
	ck_assert_uint_eq(rtl_a5_flash_size(0x20), 64u << 20);
	ck_assert_uint_eq(rtl_a5_flash_size(0x1A), 4u << 20);  /* not in the stub's table */
	ck_assert_uint_eq(rtl_a5_flash_size(0x14), 4u << 20);
}
END_TEST

/* A stand-in: start table, tag, length, self-hash; one bit changed is not run. */
START_TEST(stub_recognition)
{
	static uint8_t img[4096];
	size_t tl = strlen(RTL_A5_STANDIN_TAG), len = 2000;
	uint8_t d[IOTFLASH_SUM_MAX];

	memset(img, 0xFF, sizeof img);
	for (unsigned i = 0; i < RTL_A5_START_WORDS; i++)
		rtl_put_u32(img + 4 * i, 0x300100D5);
	memcpy(img + RTL_A5_STANDIN_TAG_OFF, RTL_A5_STANDIN_TAG, tl);
	rtl_put_u32(img + RTL_A5_STANDIN_TAG_OFF + tl, (uint32_t)len);
	iotflash_checksum_compute(IOTFLASH_SUM_SHA256, img, len - 32, d);
	memcpy(img + len - 32, d, 32);
	ck_assert_uint_eq(rtl_a5_stub_len(img, sizeof img, NULL, 0, 0x300100D5), len);
	ck_assert_uint_eq(rtl_a5_stub_len(img, sizeof img, NULL, 0, 0x30010171), 0);  /* RTL8720E's entry */
	ck_assert_uint_eq(rtl_a5_stub_len(img, len - 1, NULL, 0, 0x300100D5), 0);      /* cut short */
	img[1000] ^= 0x10;
	ck_assert_uint_eq(rtl_a5_stub_len(img, sizeof img, NULL, 0, 0x300100D5), 0);
	img[1000] ^= 0x10;
	/* A real stub by its hash over its recorded size. */
	iotflash_checksum_compute(IOTFLASH_SUM_SHA256, img, 3000, d);
	{
		char hex[65];
		for (int i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", d[i]);
		ck_assert_uint_eq(rtl_a5_stub_len(img, sizeof img, hex, 3000, 0x300100D5), 3000);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("a5-families");
	TCase *tc = tcase_create("rtl8721da-rtl8720e");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, sample_requests);
	tcase_add_test(tc, sample_replies);
	tcase_add_test(tc, rom_upload_frames);
	tcase_add_test(tc, capacity_table);
	tcase_add_test(tc, stub_recognition);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
