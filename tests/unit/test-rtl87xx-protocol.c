/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Realtek Ameba protocols: request builders and XMODEM frames against the
 * literal bytes of docs/protocols/rtl87xx.md §1.2-§1.6 and §10, the AmebaZ2
 * shell's DW/DB text (§7.3), and the spec's checksum vectors. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iotflash/common.h>

#include "../../plugins/rtl87xx/protocol.h"

#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

static void expect_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
	ck_assert_uint_eq(got_len, want_len);
	for (size_t i = 0; i < want_len; i++)
		ck_assert_msg(got[i] == want[i], "byte %zu: got %02X, want %02X", i, got[i], want[i]);
}

/* §1.2, as chipdb/rtl87xx.yaml lists it. */
static const int64_t rom_rates[] = {
	110, 300, 600, 1200, 2400, 4800, 9600, 14400, 19200, 28800, 38400, 57600, 76800, 115200,
	128000, 153600, 230400, 380400, 460800, 500000, 921600, 1000000, 1382400, 1444400, 1500000,
	1843200, 2000000, 2100000, 2764800, 3000000, 3250000, 3692300, 3750000, 4000000, 6000000,
};
#define N_RATES (sizeof rom_rates / sizeof rom_rates[0])

START_TEST(test_baud_requests)
{
	uint8_t f[2];

	ck_assert_int_eq(rtl_baud_index(rom_rates, N_RATES, 921600), 0x14);
	ck_assert_int_eq(rtl_baud_index(rom_rates, N_RATES, 3000000), 0x1D);
	ck_assert_int_eq(rtl_baud_index(rom_rates, N_RATES, 460800), 0x12);
	ck_assert_int_eq(rtl_baud_index(rom_rates, N_RATES, 1500000), 0x18);
	ck_assert_int_eq(rtl_baud_index(rom_rates, N_RATES, 115200), 0x0D);
	ck_assert_int_eq(rtl_baud_index(rom_rates, N_RATES, 6000000), 0x22);
	ck_assert_int_eq(rtl_baud_index(rom_rates, N_RATES, 1234567), -1);
	expect_bytes(f, rtl_req_baud(f, 0x14), BYTES(0x05, 0x14));
	expect_bytes(f, rtl_req_baud(f, 0x1D), BYTES(0x05, 0x1D));
}
END_TEST

START_TEST(test_range_requests)
{
	uint8_t f[8];

	/* §10: read 4 KiB at 0 (ROM 0x19 and loader 0x20). */
	expect_bytes(f, rtl_req_range(f, RTL_CMD_ROM_READ, 0, 1), BYTES(0x19, 0x00, 0x00, 0x00, 0x01, 0x00));
	expect_bytes(f, rtl_req_range(f, RTL_CMD_LDR_READ, 0, 1), BYTES(0x20, 0x00, 0x00, 0x00, 0x01, 0x00));
	expect_bytes(f, rtl_req_range(f, RTL_CMD_ERASE, 0x1FF000, 0x0102),
	             BYTES(0x17, 0x00, 0xF0, 0x1F, 0x02, 0x01));
	/* §10: verify 4 KiB at 0x10000, and 4 KiB at 0. */
	expect_bytes(f, rtl_req_checksum(f, 0x10000, 0x1000), BYTES(0x27, 0x00, 0x00, 0x01, 0x00, 0x10, 0x00));
	expect_bytes(f, rtl_req_checksum(f, 0, 0x1000), BYTES(0x27, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00));
	/* §1.3/§3: is the AmebaZ / AmebaD loader there? */
	expect_bytes(f, rtl_req_read_word(f, 0x10002000), BYTES(0x31, 0x00, 0x20, 0x00, 0x10));
	expect_bytes(f, rtl_req_read_word(f, 0x00082000), BYTES(0x31, 0x00, 0x20, 0x08, 0x00));
	expect_bytes(f, rtl_req_spi_read(f, 0x9F, 3), BYTES(0x21, 0x9F, 0x03));
}
END_TEST

/* §10: AmebaZ write of 4 KiB of 0xFF at flash 0x10000, frame by frame. */
START_TEST(test_address_frames)
{
	static const uint8_t sums[4] = { 0x09, 0x0D, 0x11, 0x15 };
	uint8_t data[RTL_XM_DATA], frame[RTL_XM_FRAME_MAX];

	memset(data, 0xFF, sizeof data);
	for (unsigned i = 0; i < 4; i++) {
		uint32_t addr = 0x08010000u + i * 0x400;
		size_t n = rtl_xm_frame(frame, (uint8_t)(i + 1), true, addr, data, sizeof data, false, 0xFF);
		ck_assert_uint_eq(n, 1 + 2 + 4 + 1024 + 1);
		expect_bytes(frame, 7, BYTES(0x02, (uint8_t)(i + 1), (uint8_t)(0xFE - i), 0x00, (uint8_t)(i * 4), 0x01, 0x08));
		ck_assert_uint_eq(frame[7], 0xFF);
		ck_assert_uint_eq(frame[7 + 1023], 0xFF);
		ck_assert_uint_eq(frame[n - 1], sums[i]);
	}
}
END_TEST

START_TEST(test_plain_frames_and_padding)
{
	uint8_t data[RTL_XM_DATA], frame[RTL_XM_FRAME_MAX], seq;
	const uint8_t *payload;
	uint32_t addr;
	size_t n;

	/* §10 AmebaZ2: 02 01 FE FF x 1024 00 */
	memset(data, 0xFF, sizeof data);
	n = rtl_xm_frame(frame, 1, false, 0, data, sizeof data, false, 0xFF);
	ck_assert_uint_eq(n, 1028);
	expect_bytes(frame, 3, BYTES(0x02, 0x01, 0xFE));
	ck_assert_uint_eq(frame[1027], 0x00);
	/* Short data is padded; SOH only when asked and it fits. */
	n = rtl_xm_frame(frame, 0xFF, false, 0, BYTES(0x01, 0x02, 0x03), true, 0x1A);
	ck_assert_uint_eq(n, 3 + 128 + 1);
	expect_bytes(frame, 6, BYTES(0x01, 0xFF, 0x00, 0x01, 0x02, 0x03));
	ck_assert_uint_eq(frame[3 + 127], 0x1A);
	ck_assert_uint_eq(frame[n - 1], (uint8_t)(6 + 125 * 0x1A));
	ck_assert_int_eq(rtl_xm_check(frame, false, &seq, &addr, &payload), RTL_XM_GOOD);
	ck_assert_uint_eq(seq, 0xFF);
	ck_assert_ptr_eq(payload, frame + 3);
	ck_assert_uint_eq(rtl_xm_frame_len(RTL_SOH, true), 3 + 4 + 128 + 1);
	ck_assert_uint_eq(rtl_xm_frame_len(RTL_EOT, false), 0);
}
END_TEST

START_TEST(test_frame_check)
{
	uint8_t data[RTL_XM_DATA], frame[RTL_XM_FRAME_MAX], seq;
	const uint8_t *payload;
	uint32_t addr;
	size_t n;

	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 13);
	n = rtl_xm_frame(frame, 7, true, 0x08123400, data, sizeof data, false, 0xFF);
	ck_assert_int_eq(rtl_xm_check(frame, true, &seq, &addr, &payload), RTL_XM_GOOD);
	ck_assert_uint_eq(seq, 7);
	ck_assert_uint_eq(addr, 0x08123400);
	ck_assert_mem_eq(payload, data, sizeof data);
	frame[3] ^= 0x01;   /* the address is in the sum (§1.4) */
	ck_assert_int_eq(rtl_xm_check(frame, true, &seq, &addr, &payload), RTL_XM_BAD_SUM);
	frame[3] ^= 0x01;
	frame[n - 1]++;
	ck_assert_int_eq(rtl_xm_check(frame, true, &seq, &addr, &payload), RTL_XM_BAD_SUM);
	frame[n - 1]--;
	frame[2] = 0x00;
	ck_assert_int_eq(rtl_xm_check(frame, true, &seq, &addr, &payload), RTL_XM_BAD_COMPLEMENT);
	frame[0] = RTL_EOT;
	ck_assert_int_eq(rtl_xm_check(frame, true, &seq, &addr, &payload), RTL_XM_BAD_HEADER);
}
END_TEST

/* §1.6 word sum and §10's hashq vector, as the core computes them. */
START_TEST(test_checksum_vectors)
{
	uint8_t ff[4096], out[IOTFLASH_SUM_MAX];
	static const uint8_t sha_ff[32] = {
		0xf4, 0x7a, 0x8e, 0xc3, 0xe9, 0xaf, 0xf2, 0x31, 0x8d, 0x89, 0x69, 0x42, 0x28, 0x2a, 0xd4, 0xfe,
		0x37, 0xd6, 0x39, 0x1c, 0x82, 0x91, 0x4f, 0x54, 0xa5, 0xda, 0x8a, 0x37, 0xde, 0x13, 0x00, 0xc6,
	};

	memset(ff, 0xFF, sizeof ff);
	ck_assert_uint_eq(iotflash_checksum_compute(IOTFLASH_SUM_WORDSUM32, ff, sizeof ff, out), 4);
	expect_bytes(out, 4, BYTES(0x00, 0xFC, 0xFF, 0xFF));  /* 27 00 FC FF FF on the wire */
	/* A final partial word adds only its low bytes. */
	iotflash_checksum_compute(IOTFLASH_SUM_WORDSUM32, BYTES(0x01, 0x02, 0x03, 0x04, 0x05, 0x06), out);
	ck_assert_uint_eq(rtl_get_u32(out), 0x04030201u + 0x0605u);
	ck_assert_uint_eq(iotflash_checksum_compute(IOTFLASH_SUM_SHA256, ff, sizeof ff, out), 32);
	ck_assert_mem_eq(out, sha_ff, 32);
	ck_assert_uint_eq(rtl_sum8(BYTES(0x00, 0x00, 0x01, 0x08)), 0x09);
}
END_TEST

/* ---- AmebaZ2 shell text ---- */

START_TEST(test_dw_text)
{
	static const uint32_t w[4] = { 0x00000020, 0xdeadbeef, 0x1, 0xffffffff };
	static const char want[] = "\r\n40000038:    00000020    deadbeef    00000001    ffffffff\r\n";
	char text[128];
	uint32_t back[4];
	size_t n = rtl_fmt_dw(text, sizeof text, 0x40000038, w, 4);

	ck_assert_uint_eq(n, rtl_dw_reply_len(4));
	ck_assert_uint_eq(n, strlen(want));
	ck_assert_str_eq(text, want);
	ck_assert(rtl_parse_dw(text, n, 0x40000038, back, 4));
	ck_assert_mem_eq(back, w, sizeof w);
	ck_assert(!rtl_parse_dw(text, n, 0x40000048, back, 4));    /* another address */
	text[20] = 'g';
	ck_assert(!rtl_parse_dw(text, n, 0x40000038, back, 4));
}
END_TEST

START_TEST(test_db_text)
{
	uint8_t bytes[32], back[32];
	char text[512];
	size_t n, h = strlen(RTL_DB_HEADER);

	for (unsigned i = 0; i < sizeof bytes; i++)
		bytes[i] = (uint8_t)(0x3A + i * 3);
	bytes[0] = 0x00;
	n = rtl_fmt_db(text, sizeof text, 0x98010000, bytes, sizeof bytes);
	ck_assert_uint_eq(n, rtl_db_reply_len(32));
	ck_assert_uint_eq(n, h + 2 * 80);
	ck_assert(strncmp(text, "\r\n [Addr]   .0 .1 .2 .3 .4 .5 .6 .7 .8 .9 .A .B .C .D .E .F\r\n", h) == 0);
	ck_assert(strncmp(text + h, "98010000: 00 3d 40 43 46 49 4c 4f 52 55 58 5b 5e 61 64 67     .=@CFILORUX[^adg\n\r", 80) == 0);
	ck_assert(rtl_parse_db(text, n, 0x98010000, back, 32));
	ck_assert_mem_eq(back, bytes, 32);
	/* A flipped hex digit no longer matches the ASCII column. */
	text[h + 13] = '4';
	ck_assert(!rtl_parse_db(text, n, 0x98010000, back, 32));
	text[h + 13] = 'd';
	ck_assert(!rtl_parse_db(text, n, 0x98010010, back, 32));
	ck_assert(!rtl_parse_db(text, n - 1, 0x98010000, back, 32));
}
END_TEST

START_TEST(test_db_short_line)
{
	uint8_t bytes[20];
	char text[512];
	size_t n, h = strlen(RTL_DB_HEADER);

	memset(bytes, 'A', sizeof bytes);
	n = rtl_fmt_db(text, sizeof text, 0x40020060, bytes, sizeof bytes);
	ck_assert_uint_eq(n, h + 2 * 80);
	/* 4 bytes, 12 x 3 padding spaces, 4 spaces, 4 ASCII + 12 spaces. */
	ck_assert(strncmp(text + h + 80, "40020070: 41 41 41 41 ", 22) == 0);
	ck_assert_int_eq(text[h + 80 + 58 + 4 + 4], ' ');
	ck_assert_int_eq(text[h + 80 + 78], '\n');
}
END_TEST

START_TEST(test_flash_id_helpers)
{
	static const uint8_t dr[16] = { 0x0B, 0x15, 0, 0, 0x40 };

	ck_assert_uint_eq(rtl_spic_jedec(dr), 0x15400Bu);
	ck_assert_uint_eq(rtl_capacity_size(0x15), 2u << 20);
	ck_assert_uint_eq(rtl_capacity_size(0x16), 4u << 20);
	ck_assert_uint_eq(rtl_capacity_size(0x13), 0);
	ck_assert_ptr_eq(rtl_find("xxhashs abc", 11, RTL_HASHS), (const uint8_t *)"xxhashs abc" + 2);
	ck_assert_ptr_null(rtl_find("hash", 4, RTL_HASHS));
}
END_TEST

/* ---- AmebaZ2 ROM monitor (§7.2) and the command hijack (§7.5) ---- */

START_TEST(test_monitor_probe_answers)
{
	static const char form1[] = "\r\n$8710c>\r\n$8710c>";
	static const char form2[] = "Rtk8710C\r\nCommand NOT found.\r\n$8710c>";

	ck_assert(rtl_mon_probe_answer(form1, strlen(form1)));
	ck_assert(rtl_mon_probe_answer(form2, strlen(form2)));
	ck_assert(!rtl_mon_probe_answer(form1, strlen(form1) - 1));         /* cut short */
	ck_assert(!rtl_mon_probe_answer(form2, strlen(form2) - 1));         /* no prompt end */
	ck_assert(!rtl_mon_probe_answer("", 0));                              /* the download shell: silence */
	ck_assert(!rtl_mon_probe_answer("ping", 4));
	ck_assert_uint_eq(rtl_mon_echo_len(RTL_MON_PROBE), 10);
	ck_assert_uint_eq(rtl_mon_echo_len("DW 1002F054 4"), 15);
}
END_TEST

START_TEST(test_monitor_reply)
{
	static const char dw[] = "DW 400001F0 4\r\n"
		"\r\n400001F0:    00000530    00000000    00000000    00000000\r\n$8710c>";
	static const char unknown[] = "ping\r\nCommand NOT found.\r\n$8710c>";
	const char *body;
	size_t len;
	uint32_t w[4];

	ck_assert(rtl_mon_reply(dw, strlen(dw), "DW 400001F0 4", &body, &len));
	ck_assert_ptr_eq(body, dw + 15);
	ck_assert_uint_eq(len, rtl_dw_reply_len(4));
	ck_assert(rtl_parse_dw(body, len, 0x400001F0, w, 4));
	ck_assert_uint_eq(w[0], 0x530);
	ck_assert_uint_eq(rtl_z2_chip_ver(w[0]), 3);

	ck_assert(rtl_mon_reply(unknown, strlen(unknown), "ping", &body, &len));
	ck_assert_uint_eq(len, strlen("Command NOT found.\r\n"));
	ck_assert(memcmp(body, "Command NOT found.\r\n", len) == 0);
	/* Another echo, no line end after it, or no prompt yet: not this reply. */
	ck_assert(!rtl_mon_reply(dw, strlen(dw), "DW 400001F4 4", &body, &len));
	ck_assert(!rtl_mon_reply("ping$8710c>", 11, "ping", &body, &len));
	ck_assert(!rtl_mon_reply(dw, strlen(dw) - 1, "DW 400001F0 4", &body, &len));
	/* The download shell's silent "ping" is not a monitor reply. */
	ck_assert(!rtl_mon_reply("ping", 4, "ping", &body, &len));
}
END_TEST

START_TEST(test_download_entry)
{
	/* 0x400001F0: bits 11:8 VID, 7:4 chip ver; ver <= 2 -> ROM v2.1 (§7.5). */
	ck_assert_uint_eq(rtl_z2_chip_ver(0x510), 1);
	ck_assert_uint_eq(rtl_z2_download_entry(0x510), 0x0001443D);
	ck_assert_uint_eq(rtl_z2_download_entry(0x520), 0x0001443D);
	ck_assert_uint_eq(rtl_z2_download_entry(0x530), 0x00000001);
	ck_assert_uint_eq(rtl_z2_download_entry(0xFFFFFF3F), 0x00000001);
	ck_assert_uint_eq(rtl_z2_download_entry(0x0000020F), 0x0001443D);
	ck_assert_uint_eq(RTL_CMD_TABLE_PTR, 0x1002F054);
}
END_TEST

START_TEST(test_command_names)
{
	/* `DB 1002F350 16` of a table name, as the shell prints it. */
	static const char db[] = RTL_DB_HEADER
		"1002F350: 75 62 6f 6f 74 00 00 00 00 00 00 00 00 00 00 00     uboot...........\n\r";
	static const uint8_t full[16] = "0123456789abcdef";   /* no NUL within 16 */
	static const uint8_t ctrl[16] = { 'u', 0x01, 'b', 0 };
	static const uint8_t empty[16] = { 0 };
	uint8_t raw[16];
	char name[RTL_CMD_NAME_LEN];

	ck_assert(rtl_parse_db(db, strlen(db), 0x1002F350, raw, 16));
	ck_assert(rtl_cmd_name(raw, name));
	ck_assert_str_eq(name, "uboot");
	ck_assert(!rtl_cmd_name(full, name));
	ck_assert(!rtl_cmd_name(ctrl, name));
	ck_assert(!rtl_cmd_name(empty, name));
}
END_TEST

START_TEST(test_pick_hijack)
{
	static const char *const used[] = { "ping", "disc", "ucfg", "DW", "DB", "EW", "EB", "WDTRST", "hashq",
	                                    "fwd", "fwdram" };
	static const char *const rom[] = { "DB", "DW", "EB", "EW", "WDTRST", "uboot", "flashwr", "imgft" };
	static const char *const late[] = { "ping", "DW", "DB", "EW", "EB", "WDTRST", "hashq", "fwd", "uboot" };
	static const char *const gaps[] = { NULL, "DW", NULL, "pkt", "otu1" };

	for (size_t i = 0; i < sizeof used / sizeof used[0]; i++)
		ck_assert_msg(!rtl_hijack_usable(used[i]), "%s", used[i]);
	ck_assert(rtl_hijack_usable("uboot"));
	ck_assert(rtl_hijack_usable("dw"));        /* names are case-sensitive */
	ck_assert(!rtl_hijack_usable(""));
	ck_assert(!rtl_hijack_usable(NULL));
	ck_assert_int_eq(rtl_pick_hijack(used, 11), -1);
	ck_assert_int_eq(rtl_pick_hijack(rom, 8), 5);        /* the first usable, as the GUI does */
	ck_assert_int_eq(rtl_pick_hijack(late, 9), -1);      /* only the first 8 entries count */
	ck_assert_int_eq(rtl_pick_hijack(gaps, 5), 3);
}
END_TEST

static Suite *rtl_suite(void)
{
	Suite *s = suite_create("rtl87xx-protocol");
	TCase *b = tcase_create("binary"), *t = tcase_create("shell");

	tcase_add_test(b, test_baud_requests);
	tcase_add_test(b, test_range_requests);
	tcase_add_test(b, test_address_frames);
	tcase_add_test(b, test_plain_frames_and_padding);
	tcase_add_test(b, test_frame_check);
	tcase_add_test(b, test_checksum_vectors);
	tcase_add_test(t, test_dw_text);
	tcase_add_test(t, test_db_text);
	tcase_add_test(t, test_db_short_line);
	tcase_add_test(t, test_flash_id_helpers);
	tcase_add_test(t, test_monitor_probe_answers);
	tcase_add_test(t, test_monitor_reply);
	tcase_add_test(t, test_download_entry);
	tcase_add_test(t, test_command_names);
	tcase_add_test(t, test_pick_hijack);
	suite_add_tcase(s, b);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rtl_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
