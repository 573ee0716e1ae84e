/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* RDA5981 shell lines and the stub's A5 frames against the sample exchange
 * of docs/protocols/a5-stub-families.md §6 and the values of §2.4, §2.9. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/common/a5stub.h"
#include "../../plugins/rda5981/protocol.h"

#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

static void check_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
	ck_assert_uint_eq(got_len, want_len);
	for (size_t i = 0; i < want_len; i++)
		ck_assert_msg(got[i] == want[i], "byte %zu: 0x%02x, want 0x%02x", i, got[i], want[i]);
}

START_TEST(shell_lines)
{
	char l[RDA_LINE_MAX];

	ck_assert_uint_eq(rda_loadb_line(l, sizeof l, RDA_STUB_ADDR, 18232), 20);   /* §6 */
	ck_assert_str_eq(l, "loadb 00100000 4738\r");
	ck_assert_uint_eq(rda_checksum_line(l, sizeof l, RDA_STUB_ADDR, 18232), 26);
	ck_assert_str_eq(l, "checksum 1 00100000 18232\r");
	rda_go_line(l, sizeof l, RDA_STUB_ENTRY);
	ck_assert_str_eq(l, "\rgo 2 100001\r");
	ck_assert_uint_eq(rda_loadb_line(l, 8, RDA_STUB_ADDR, 18232), 0);  /* does not fit */
}
END_TEST

START_TEST(crc_answers)
{
	uint32_t crc = 0;
	uint8_t ff[8192];

	ck_assert(rda_parse_crc("checksum 1 00100000 18232\r\nCRC32 = 0x1234ABCD\r\nBoot > ", &crc));
	ck_assert_uint_eq(crc, 0x1234ABCD);
	ck_assert(!rda_parse_crc("CRC32 = 12345678\r\n", &crc));
	ck_assert(!rda_parse_crc("CRC32 = 0x12\r\n", &crc));
	ck_assert(!rda_parse_crc("Unknown command\r\n", &crc));
	/* §2.9 test vectors. */
	ck_assert_uint_eq(rda_jamcrc((const uint8_t *)"123456789", 9), 0x340BC6D9);
	memset(ff, 0xFF, sizeof ff);
	ck_assert_uint_eq(rda_jamcrc(ff, 4096), 0x0EAB98F5);
	ck_assert_uint_eq(rda_jamcrc(ff, 8192), 0x4BD6CBCA);
}
END_TEST

START_TEST(stub_frames)
{
	static const uint8_t id_reply[] = { 0x5A, 0x90, 0x04, 0x00, 0xC8, 0x40, 0x14, 0x00, 0x00, 0x0A };
	static const uint8_t crc_reply[] = { 0x5A, 0x8F, 0x20, 0x00, 0xF5, 0x98, 0xAB, 0x0E, 0x00, 0x4F };
	uint8_t f[32];
	struct a5_reply r;
	size_t n, used;

	n = a5_encode(f, A5_CMD_FLASH_ID, NULL, 0);                            /* §6 */
	check_bytes(f, n, BYTES(0xA5, 0x90, 0x00, 0x00, 0x35));
	ck_assert_int_eq(a5_decode_reply(id_reply, sizeof id_reply, 4, true, &r, &used), A5_DECODE_OK);
	ck_assert_uint_eq(r.data[2], 0x14);
	n = a5_encode_u32(f, A5_CMD_SET_BAUD, 921600);
	check_bytes(f, n, BYTES(0xA5, 0x07, 0x04, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xCE));
	n = a5_encode_range(f, A5_CMD_XM_WRITE, 0x1000, 0x1000);
	check_bytes(f, n, BYTES(0xA5, 0x91, 0x08, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x5E));
	n = a5_encode_range(f, A5_CMD_CRC, 0x1000, 0x1000);
	check_bytes(f, n, BYTES(0xA5, 0x8F, 0x08, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x5C));
	/* 0x8F: DATA_LEN says 0x20 but four bytes follow (§2.4, §2.9: 4096 x FF). */
	ck_assert_int_eq(a5_decode_reply(crc_reply, sizeof crc_reply, 4, true, &r, &used), A5_DECODE_OK);
	ck_assert_uint_eq(used, 10);
	ck_assert_uint_eq(r.len_field, 0x20);
	ck_assert_uint_eq(r.data[0] | r.data[1] << 8 | r.data[2] << 16 | (uint32_t)r.data[3] << 24, 0x0EAB98F5);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rda5981-protocol");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, shell_lines);
	tcase_add_test(tc, crc_answers);
	tcase_add_test(tc, stub_frames);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
