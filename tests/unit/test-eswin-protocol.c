/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* ESWIN ROM / TR6260 loader frames and the shared A5 stub protocol against
 * every literal byte sequence of docs/protocols/eswin.md (§2.2, §2.3, §2.5,
 * §2.7, §3.2, §6). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <iotflash/common.h>
#include <iotflash/plugin.h>

#include "../../plugins/common/a5stub.h"
#include "../../plugins/common/a5stub-model.h"
#include "../../plugins/eswin/protocol.h"

#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

static void check_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
	ck_assert_uint_eq(got_len, want_len);
	for (size_t i = 0; i < want_len; i++)
		ck_assert_msg(got[i] == want[i], "byte %zu: 0x%02x, want 0x%02x", i, got[i], want[i]);
}

START_TEST(request_frames)
{
	uint8_t f[32];
	size_t n;

	n = a5_encode(f, A5_CMD_FLASH_ID, NULL, 0);                       /* §2.2 */
	check_bytes(f, n, BYTES(0xA5, 0x90, 0x00, 0x00, 0x35));
	n = a5_encode_u32(f, A5_CMD_SET_BAUD, 2000000);                    /* §6 */
	check_bytes(f, n, BYTES(0xA5, 0x07, 0x04, 0x00, 0x80, 0x84, 0x1E, 0x00, 0xD2));
	n = a5_encode_u32(f, A5_CMD_SET_BAUD, 115200);
	check_bytes(f, n, BYTES(0xA5, 0x07, 0x04, 0x00, 0x00, 0xC2, 0x01, 0x00, 0x73));
	n = a5_encode_range(f, A5_CMD_XM_WRITE, 0x7000, 5000);
	check_bytes(f, n, BYTES(0xA5, 0x91, 0x08, 0x00, 0x00, 0x70, 0x00, 0x00, 0x88, 0x13, 0x00, 0x00, 0x49));
	n = a5_encode_range(f, A5_CMD_SHA256, 0x7000, 5000);
	check_bytes(f, n, BYTES(0xA5, 0x09, 0x08, 0x00, 0x00, 0x70, 0x00, 0x00, 0x88, 0x13, 0x00, 0x00, 0xC1));
	/* 0x96 carries 9 DATA bytes: addr, len, level (§2.6). */
	n = a5_encode_range_level(f, A5_CMD_XM_READ_Z, 0, 0x1000, 2);
	ck_assert_uint_eq(n, 14);
	ck_assert_uint_eq(f[2], 9);
	ck_assert_uint_eq(f[12], 2);
	ck_assert_uint_eq(f[13], a5_sum8(f, 13));
}
END_TEST

START_TEST(reply_frames)
{
	static const struct { uint8_t type, status, last; } acks[] = {  /* §2.3 */
		{ 0x04, 0, 0x5E }, { 0x05, 0, 0x5F }, { 0x06, 0, 0x60 }, { 0x07, 0, 0x61 }, { 0x91, 0, 0xEB },
		{ 0x00, 1, 0x5B },
	};
	uint8_t f[64];
	struct a5_reply r;
	size_t n, used;

	for (size_t i = 0; i < sizeof acks / sizeof acks[0]; i++) {
		n = a5_encode_reply(f, acks[i].type, 0, NULL, 0, acks[i].status);
		check_bytes(f, n, BYTES(0x5A, acks[i].type, 0x00, 0x00, acks[i].status, acks[i].last));
		ck_assert_int_eq(a5_decode_reply(f, n, 0, true, &r, &used), A5_DECODE_OK);
		ck_assert_uint_eq(used, 6);
		ck_assert_uint_eq(r.status, acks[i].status);
	}
	n = a5_encode_reply(f, 0x90, 4, BYTES(0xC8, 0x40, 0x15, 0x00), A5_ST_OK);  /* §6 */
	check_bytes(f, n, BYTES(0x5A, 0x90, 0x04, 0x00, 0xC8, 0x40, 0x15, 0x00, 0x00, 0x0B));
	ck_assert_int_eq(a5_decode_reply(f, n, 4, true, &r, &used), A5_DECODE_OK);
	ck_assert_uint_eq(used, 10);
	ck_assert_uint_eq(r.data[0], 0xC8);
	ck_assert_uint_eq(r.data[2], 0x15);
	f[9] ^= 1;
	ck_assert_int_eq(a5_decode_reply(f, n, 4, true, &r, &used), A5_DECODE_SUM);
	ck_assert_int_eq(a5_decode_reply(f, 9, 4, true, &r, &used), A5_DECODE_SHORT);
	f[0] = 0xA5;
	ck_assert_int_eq(a5_decode_reply(f, n, 4, true, &r, &used), A5_DECODE_MAGIC);
}
END_TEST

/* `5A FF Lo Hi 03 CHK`: 6 bytes whatever the stale DATA_LEN says (§2.2). */
START_TEST(reject_reply)
{
	uint8_t f[16];
	struct a5_reply r;
	size_t n, used;

	n = a5_encode_reply(f, A5_TYPE_REJECT, 32, NULL, 0, A5_ST_TYPE);  /* after a 0x09 */
	check_bytes(f, n, BYTES(0x5A, 0xFF, 0x20, 0x00, 0x03, (uint8_t)(0x5A + 0xFF + 0x20 + 0x03)));
	ck_assert_int_eq(a5_decode_reply(f, n, 32, true, &r, &used), A5_DECODE_OK);
	ck_assert_uint_eq(used, 6);
	ck_assert_uint_eq(r.type, A5_TYPE_REJECT);
	ck_assert_uint_eq(r.len_field, 32);
	ck_assert_uint_eq(r.status, A5_ST_TYPE);
	/* The SYN reply's sum is stale: decoding without the check takes it. */
	memcpy(f, BYTES(0x5A, 0x00, 0x00, 0x00, 0x00, 0x5E));
	ck_assert_int_eq(a5_decode_reply(f, 6, 0, true, &r, &used), A5_DECODE_SUM);
	ck_assert_int_eq(a5_decode_reply(f, 6, 0, false, &r, &used), A5_DECODE_OK);
	ck_assert_str_eq(a5_status_text(A5_ST_ADDRESS), "address error");
}
END_TEST

START_TEST(xmodem_blocks)
{
	uint8_t blk[A5_XM_BLOCK], data[700], num;

	ck_assert_uint_eq(iotflash_crc16_xmodem((const uint8_t *)"123456789", 9), 0x31C3);  /* §2.5 */
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 13);
	a5_xm_encode_block(blk, 1, data, sizeof data);
	ck_assert_uint_eq(blk[0], A5_XM_STX);
	ck_assert_uint_eq(blk[1], 0x01);
	ck_assert_uint_eq(blk[2], 0xFE);       /* `02 01 FE` (§6) */
	ck_assert_uint_eq(blk[3 + 699], data[699]);
	ck_assert_uint_eq(blk[3 + 700], 0xFF);  /* padded with FF */
	ck_assert_uint_eq(blk[3 + 1023], 0xFF);
	{
		uint16_t crc = iotflash_crc16_xmodem(blk + 3, 1024);  /* big-endian after the data */
		ck_assert_uint_eq(blk[1027], crc >> 8);
		ck_assert_uint_eq(blk[1028], crc & 0xFF);
	}
	ck_assert_int_eq(a5_xm_check_block(blk, &num), 0);
	ck_assert_uint_eq(num, 1);
	blk[500] ^= 0x10;
	ck_assert_int_eq(a5_xm_check_block(blk, &num), -2);
	blk[500] ^= 0x10;
	blk[2] = 0xFD;
	ck_assert_int_eq(a5_xm_check_block(blk, &num), -1);
	a5_xm_encode_block(blk, 0xFF, data, 0);  /* numbers wrap: complement 00 */
	ck_assert_uint_eq(blk[2], 0x00);
}
END_TEST

START_TEST(rom_headers)
{
	uint8_t h[ESWIN_HEADER_LEN];
	struct eswin_header d;

	check_bytes(eswin_sync, 4, BYTES(0x63, 0x6E, 0x79, 0x73));  /* "cnys" */
	eswin_encode_header(h, ESWIN_ROM_TYPE_RAM, ESWIN_ECR_LOAD_ADDR, 26096);  /* §6, ECR6600 */
	check_bytes(h, sizeof h, BYTES(0x01, 0, 0, 0, 0x00, 0x00, 0x01, 0x00, 0xF0, 0x65, 0x00, 0x00));
	eswin_encode_header(h, ESWIN_ROM_TYPE_RAM, 0, 17088);  /* §6, TR6260 */
	check_bytes(h, sizeof h, BYTES(0x01, 0, 0, 0, 0, 0, 0, 0, 0xC0, 0x42, 0x00, 0x00));
	eswin_encode_header(h, TR_UPLOAD, 0x7000, 0x1000);
	check_bytes(h, sizeof h, BYTES(0x08, 0, 0, 0, 0x00, 0x70, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00));
	eswin_decode_header(h, &d);
	ck_assert_uint_eq(d.type, 8);
	ck_assert_uint_eq(d.addr, 0x7000);
	ck_assert_uint_eq(d.len, 0x1000);
}
END_TEST

START_TEST(tr_codes)
{
	ck_assert_uint_eq(tr_baud_code(921600), 0x09);   /* §6 */
	ck_assert_uint_eq(tr_baud_code(2000000), 0x0D);
	ck_assert_uint_eq(tr_baud_code(115200), 0x01);
	ck_assert_uint_eq(tr_baud_code(57600), 0x02);
	ck_assert_uint_eq(tr_baud_code(230400), 0);       /* no code */
	ck_assert_uint_eq(tr_baud_of_code(0x05), 460800);
	ck_assert_uint_eq(tr_baud_of_code(0x03), 0);
	ck_assert_uint_eq(tr_write_type(0), TR_UBOOT);
	ck_assert_uint_eq(tr_write_type(0x80000), TR_APP2);
	ck_assert_uint_eq(tr_write_type(0xA000), TR_APP);
	ck_assert_uint_eq(tr_write_type(0xEC000), TR_NV);
}
END_TEST

/* §2.7 at 80 MHz: exact, fixed entries, and the rates that fail. */
START_TEST(stub_divisors)
{
	ck_assert_uint_eq(a5_model_real_baud(80000000, 2000000), 2000000);
	ck_assert_uint_eq(a5_model_real_baud(80000000, 3000000), 3333333);
	ck_assert_uint_eq(a5_model_real_baud(80000000, 921600), 909090);
	ck_assert_uint_eq(a5_model_real_baud(80000000, 1500000), 1481481);
	ck_assert_uint_eq(a5_model_real_baud(80000000, 691200), 666666);
	ck_assert_uint_eq(a5_model_real_baud(80000000, 115200), 114942);
	ck_assert_uint_eq(a5_model_real_baud(80000000, 20000000), 0);  /* divides by zero in the source */
}
END_TEST

/* The core's raw DEFLATE service: no header, round trip, errors. */
START_TEST(raw_deflate)
{
	uint8_t in[5000], back[5000], small[100], *z = NULL;
	size_t zlen = 0, got = 0;

	for (size_t i = 0; i < sizeof in; i++)
		in[i] = (uint8_t)(i % 7 == 0 ? i : 0x20);
	ck_assert_int_eq(iotflash_deflate_raw(in, sizeof in, 6, &z, &zlen), IOTFLASH_OK);
	ck_assert(zlen < sizeof in / 4);
	ck_assert_uint_ne(z[0], 0x78);  /* no zlib header (78 xx) */
	ck_assert_int_eq(iotflash_inflate_raw(z, zlen, back, sizeof back, &got), IOTFLASH_OK);
	ck_assert_uint_eq(got, sizeof in);
	ck_assert(memcmp(in, back, sizeof in) == 0);
	ck_assert_int_eq(iotflash_inflate_raw(z, zlen, small, sizeof small, &got), IOTFLASH_ERR_RANGE);
	ck_assert_int_eq(iotflash_inflate_raw(z, zlen / 2, back, sizeof back, &got), IOTFLASH_ERR_PROTOCOL);
	free(z);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("eswin-protocol");
	TCase *tc = tcase_create("protocol");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, request_frames);
	tcase_add_test(tc, reply_frames);
	tcase_add_test(tc, reject_reply);
	tcase_add_test(tc, xmodem_blocks);
	tcase_add_test(tc, rom_headers);
	tcase_add_test(tc, tr_codes);
	tcase_add_test(tc, stub_divisors);
	tcase_add_test(tc, raw_deflate);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
