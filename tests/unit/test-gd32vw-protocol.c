/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* GD32VW553 ISP ROM packets and the stub's A5 frames against the sample
 * exchange of docs/protocols/a5-stub-families.md §6 and the rules of §3.1. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/common/a5stub.h"
#include "../../plugins/gd32vw/protocol.h"

#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

static void check_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
	ck_assert_uint_eq(got_len, want_len);
	for (size_t i = 0; i < want_len; i++)
		ck_assert_msg(got[i] == want[i], "byte %zu: 0x%02x, want 0x%02x", i, got[i], want[i]);
}

START_TEST(rom_commands)
{
	uint8_t c[2], a[GD_ADDR_LEN];
	uint32_t addr;

	gd_encode_cmd(c, GD_CMD_GET);           /* §6: H 00 FF */
	check_bytes(c, 2, BYTES(0x00, 0xFF));
	gd_encode_cmd(c, GD_CMD_PID);           /* H 06 F9 */
	check_bytes(c, 2, BYTES(0x06, 0xF9));
	gd_encode_cmd(c, GD_CMD_WRITE);         /* H 31 CE */
	check_bytes(c, 2, BYTES(0x31, 0xCE));
	ck_assert(gd_cmd_ok(c));
	gd_encode_cmd(c, GD_CMD_GO);            /* H 21 DE */
	check_bytes(c, 2, BYTES(0x21, 0xDE));
	c[1] ^= 0x01;
	ck_assert(!gd_cmd_ok(c));
	/* A second `7F` after the sync pairs with the next byte: not a command. */
	ck_assert(!gd_cmd_ok((const uint8_t[]){ 0x7F, 0x00 }));
	gd_encode_addr(a, GD_STUB_ADDR);        /* H 20 00 20 00 00 */
	check_bytes(a, sizeof a, BYTES(0x20, 0x00, 0x20, 0x00, 0x00));
	ck_assert(gd_decode_addr(a, &addr));
	ck_assert_uint_eq(addr, 0x20002000);
	gd_encode_addr(a, 0x40022808);          /* the MCU eFuse read (§3.1) */
	check_bytes(a, sizeof a, BYTES(0x40, 0x02, 0x28, 0x08, 0x40 ^ 0x02 ^ 0x28 ^ 0x08));
	a[4] ^= 0x80;
	ck_assert(!gd_decode_addr(a, &addr));
}
END_TEST

START_TEST(write_pieces)
{
	uint8_t data[GD_PIECE], p[GD_PIECE_MAX], x = 0xFF;
	size_t n;

	for (unsigned i = 0; i < sizeof data; i++) {
		data[i] = (uint8_t)(i * 7 + 1);
		x ^= data[i];
	}
	n = gd_encode_piece(p, data, GD_PIECE);  /* H FF <256 stub bytes> <XOR> */
	ck_assert_uint_eq(n, 258);
	ck_assert_uint_eq(p[0], 0xFF);
	ck_assert_mem_eq(p + 1, data, GD_PIECE);
	ck_assert_uint_eq(p[257], x);
	/* The stub's 36 480 bytes: 142 whole pieces and one of 128 (§3.1). */
	ck_assert_uint_eq(36480 / GD_PIECE, 142);
	n = gd_encode_piece(p, data, 36480 % GD_PIECE);
	ck_assert_uint_eq(n, 130);
	ck_assert_uint_eq(p[0], 0x7F);
	ck_assert_uint_eq(gd_encode_piece(p, data, 0), 0);
	ck_assert_uint_eq(gd_encode_piece(p, data, 257), 0);
	ck_assert_uint_eq(gd_xor(BYTES(0x12, 0x34)), 0x26);
}
END_TEST

START_TEST(get_and_pid)
{
	struct gd_get g;
	char id[5];
	uint32_t size = 0;

	/* `N ver c1..cN 79` after the first ACK (§3.1). */
	ck_assert_int_eq(gd_decode_get(BYTES(5, 0x10, 0x00, 0x06, 0x11, 0x21, 0x31, GD_ACK), &g), 0);
	ck_assert_uint_eq(g.version, 0x10);
	ck_assert_uint_eq(g.n, 5);
	ck_assert(gd_get_has(&g, GD_CMD_WRITE));
	ck_assert(gd_get_has(&g, GD_CMD_GO));
	ck_assert(!gd_get_has(&g, 0x44));
	ck_assert_int_eq(gd_decode_get(BYTES(5, 0x10, 0x00, 0x06, 0x11), &g), -1);
	ck_assert_int_eq(gd_decode_get(BYTES(2, 0x10, 0x00, 0x06, GD_NACK), &g), -2);
	/* `N p1..pN 79`, N the count; byte 2 gives the flash size. */
	ck_assert_int_eq(gd_decode_pid(BYTES(4, 'V', 'W', 'M', 'Q', GD_ACK), id, &size), 0);
	ck_assert_str_eq(id, "VWMQ");
	ck_assert_uint_eq(size, 4u << 20);
	ck_assert_int_eq(gd_decode_pid(BYTES(6, 'V', 'W', 'I', 'Q', '6', '7', GD_ACK), id, &size), 0);
	ck_assert_uint_eq(size, 2u << 20);
	ck_assert_int_eq(gd_decode_pid(BYTES(4, 'V', 'W', 'X', 'Q', GD_ACK), id, &size), -3);
	ck_assert_int_eq(gd_decode_pid(BYTES(4, 'V', 'W', 'M', 'Q'), id, &size), -1);
	ck_assert_int_eq(gd_decode_pid(BYTES(4, 'V', 'W', 'M', 'Q', 0x00), id, &size), -2);
}
END_TEST

START_TEST(parity)
{
	/* 8E1: the ninth bit makes the count of ones even. */
	ck_assert_uint_eq(gd_parity_even(GD_SYNC), 1);
	ck_assert_uint_eq(gd_parity_even(0x00), 0);
	ck_assert_uint_eq(gd_parity_even(0xFF), 0);
	ck_assert_uint_eq(gd_parity_even(0x31), 1);
	ck_assert_uint_eq(gd_parity_even(0x06), 0);
}
END_TEST

START_TEST(stub_frames)
{
	static const uint8_t cnys[4] = { 'c', 'n', 'y', 's' };
	uint8_t f[32];
	struct a5_reply r;
	size_t n, used;

	/* §6: H A5 00 04 00 63 6E 79 73 66, D 5A 00 00 00 00 5A (its sum is right, §2.2). */
	n = a5_encode(f, A5_CMD_SYN, cnys, 4);
	check_bytes(f, n, BYTES(0xA5, 0x00, 0x04, 0x00, 0x63, 0x6E, 0x79, 0x73, 0x66));
	ck_assert_int_eq(a5_decode_reply(BYTES(0x5A, 0x00, 0x00, 0x00, 0x00, 0x5A), 0, true, &r, &used), A5_DECODE_OK);
	ck_assert_int_eq(a5_decode_reply(BYTES(0x5A, 0x00, 0x00, 0x00, 0x01, 0x5B), 0, true, &r, &used), A5_DECODE_OK);
	ck_assert_uint_eq(r.status, A5_ST_ERROR);
	/* 0x90 is not a GD32VW553 command: the type error, 6 bytes (§2.3). */
	ck_assert_int_eq(a5_decode_reply(BYTES(0x5A, 0xFF, 0x00, 0x00, 0x03, 0x5C), 4, true, &r, &used), A5_DECODE_OK);
	ck_assert_uint_eq(used, 6);
	ck_assert_uint_eq(r.status, A5_ST_TYPE);
	/* §2.10: 921 600 and 115 200 set-baud frames. */
	n = a5_encode_u32(f, A5_CMD_SET_BAUD, 921600);
	check_bytes(f, n, BYTES(0xA5, 0x07, 0x04, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xCE));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gd32vw-protocol");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, rom_commands);
	tcase_add_test(tc, write_pieces);
	tcase_add_test(tc, get_and_pid);
	tcase_add_test(tc, parity);
	tcase_add_test(tc, stub_frames);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
