/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* W600/W800 protocol encoders and decoders against the literal byte
 * sequences and test vectors of docs/protocols/w80x.md. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <iotflash/common.h>

#include "../../plugins/w80x/protocol.h"

static void check_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
	ck_assert_uint_eq(got_len, want_len);
	for (size_t i = 0; i < want_len; i++)
		ck_assert_msg(got[i] == want[i], "byte %zu: 0x%02x, want 0x%02x", i, got[i], want[i]);
}

START_TEST(crc_vectors)
{
	ck_assert_uint_eq(w80x_frame_crc((const uint8_t *)"123456789", 9), 0x29B1);  /* §2 */
	ck_assert_uint_eq(w80x_crc32((const uint8_t *)"123456789", 9), 0x340BC6D9);  /* §5 */
	uint8_t ff[4096];
	memset(ff, 0xFF, sizeof ff);
	ck_assert_uint_eq(w80x_crc32(ff, sizeof ff), 0x0EAB98F5);  /* §3 0x4A */
}
END_TEST

/* Every verified frame of §2, re-encoded from its fields. */
START_TEST(verified_frames)
{
	static const struct { uint32_t baud; uint8_t bytes[13]; } bauds[] = {
		{ 115200, { 0x21, 0x0A, 0x00, 0x97, 0x4B, 0x31, 0, 0, 0, 0x00, 0xC2, 0x01, 0x00 } },
		{ 460800, { 0x21, 0x0A, 0x00, 0x07, 0x00, 0x31, 0, 0, 0, 0x00, 0x08, 0x07, 0x00 } },
		{ 921600, { 0x21, 0x0A, 0x00, 0x5D, 0x50, 0x31, 0, 0, 0, 0x00, 0x10, 0x0E, 0x00 } },
		{ 1000000, { 0x21, 0x0A, 0x00, 0x5E, 0x3D, 0x31, 0, 0, 0, 0x40, 0x42, 0x0F, 0x00 } },
		{ 2000000, { 0x21, 0x0A, 0x00, 0xEF, 0x2A, 0x31, 0, 0, 0, 0x80, 0x84, 0x1E, 0x00 } },
	};
	static const struct { uint32_t cmd; uint8_t bytes[9]; } simple[] = {
		{ 0x38, { 0x21, 0x06, 0x00, 0xEA, 0x2D, 0x38, 0, 0, 0 } },
		{ 0x3C, { 0x21, 0x06, 0x00, 0x1B, 0xE7, 0x3C, 0, 0, 0 } },
		{ 0x3E, { 0x21, 0x06, 0x00, 0x73, 0x0A, 0x3E, 0, 0, 0 } },
		{ 0x3F, { 0x21, 0x06, 0x00, 0xC7, 0x7C, 0x3F, 0, 0, 0 } },
		{ 0x32, { 0x21, 0x06, 0x00, 0x41, 0x45, 0x32, 0, 0, 0 } },  /* W600 erase image */
	};
	static const uint8_t erase_all[] = { 0x21, 0x0A, 0x00, 0xC3, 0x35, 0x32, 0, 0, 0, 0x02, 0x00, 0xFE, 0x01 };
	static const uint8_t erase_secboot[] = { 0x21, 0x0A, 0x00, 0x23, 0x36, 0x32, 0, 0, 0, 0x02, 0x00, 0x0E, 0x00 };
	static const uint8_t erase_blocks[] = { 0x21, 0x0A, 0x00, 0xE7, 0xA6, 0x32, 0, 0, 0, 0x01, 0x80, 0x1F, 0x00 };
	static const uint8_t read4k[] = { 0x21, 0x0E, 0x00, 0xB5, 0x05, 0x4A, 0, 0, 0, 0x00, 0x00, 0x00, 0x08,
	                                  0x00, 0x10, 0x00, 0x00 };
	uint8_t out[W80X_FRAME_MAX];

	for (size_t i = 0; i < sizeof bauds / sizeof bauds[0]; i++)
		check_bytes(out, w80x_encode_baud(out, bauds[i].baud), bauds[i].bytes, 13);
	for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
		check_bytes(out, w80x_encode_frame(out, simple[i].cmd, NULL, 0), simple[i].bytes, 9);
	check_bytes(out, w80x_encode_erase(out, 2, 0x1FE), erase_all, sizeof erase_all);
	check_bytes(out, w80x_encode_erase(out, 2, 0x0E), erase_secboot, sizeof erase_secboot);
	check_bytes(out, w80x_encode_erase(out, 0x8001, 0x1F), erase_blocks, sizeof erase_blocks);
	check_bytes(out, w80x_encode_read(out, W80X_FLASH_BASE, 4096), read4k, sizeof read4k);
}
END_TEST

START_TEST(decode_frames)
{
	static const uint8_t erase_all[] = { 0x21, 0x0A, 0x00, 0xC3, 0x35, 0x32, 0, 0, 0, 0x02, 0x00, 0xFE, 0x01 };
	uint8_t buf[sizeof erase_all];
	struct w80x_frame f;

	ck_assert_int_eq(w80x_decode_frame(erase_all, sizeof erase_all, &f), W80X_DEC_OK);
	ck_assert_uint_eq(f.cmd, 0x32);
	ck_assert_uint_eq(f.n, 4);
	ck_assert_uint_eq(f.frame_len, 13);
	ck_assert_int_eq(w80x_decode_frame(erase_all, 2, &f), W80X_DEC_MORE);
	ck_assert_int_eq(w80x_decode_frame(erase_all, 12, &f), W80X_DEC_MORE);
	ck_assert_uint_eq(f.frame_len, 13);
	memcpy(buf, erase_all, sizeof buf);
	buf[12] ^= 1;
	ck_assert_int_eq(w80x_decode_frame(buf, sizeof buf, &f), W80X_DEC_BAD_CRC);
	buf[0] = 0x22;
	ck_assert_int_eq(w80x_decode_frame(buf, sizeof buf, &f), W80X_DEC_BAD_HEAD);
	memcpy(buf, erase_all, sizeof buf);
	buf[1] = 0x03;  /* LEN below a command code */
	ck_assert_int_eq(w80x_decode_frame(buf, sizeof buf, &f), W80X_DEC_BAD_LEN);
}
END_TEST

START_TEST(replies)
{
	uint8_t mid, cap, mac[6];
	bool rom;

	ck_assert(w80x_parse_flash_id((const uint8_t *)"FID:EF,15\n", 10, &mid, &cap));
	ck_assert_uint_eq(mid, 0xEF);
	ck_assert_uint_eq(cap, 0x15);
	ck_assert_uint_eq(w80x_flash_bytes(cap), 2u << 20);  /* GUI: (1 << (0x15 - 0x11)) / 8 MiB */
	ck_assert_uint_eq(w80x_flash_bytes(0x14), 1u << 20);
	ck_assert_uint_eq(w80x_flash_bytes(0x05), 0);
	ck_assert(!w80x_parse_flash_id((const uint8_t *)"FID:EF;15", 9, &mid, &cap));
	ck_assert(!w80x_parse_flash_id((const uint8_t *)"FID:E", 5, &mid, &cap));

	ck_assert(w80x_parse_mac((const uint8_t *)"Mac:AABBCCDDEEFF\n", 17, mac, &rom));
	ck_assert(rom);
	ck_assert_uint_eq(mac[0], 0xAA);
	ck_assert_uint_eq(mac[5], 0xFF);
	ck_assert(w80x_parse_mac((const uint8_t *)"MAC:0011223344Ab\n", 17, mac, &rom));
	ck_assert(!rom);
	ck_assert_uint_eq(mac[5], 0xAB);
	ck_assert(!w80x_parse_mac((const uint8_t *)"Mac:AABBCCDDEEFG\n", 17, mac, &rom));

	ck_assert_int_eq(w80x_parse_rom_version((const uint8_t *)"R:8", 3), 8);
	ck_assert_int_eq(w80x_parse_rom_version((const uint8_t *)"R:x", 3), -1);
	ck_assert_str_eq(w80x_status_text('M'), "image content check error");
	ck_assert_ptr_null(w80x_status_text('C'));
	ck_assert_ptr_null(w80x_status_text(0x06));
}
END_TEST

/* §5: the GUI's W800_Stub.bin header, field by field. */
START_TEST(stub_header_example)
{
	static const uint8_t hdr[64] = {
		0x9F, 0xFF, 0xFF, 0xA0, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40, 0x00, 0x20, 0x04, 0x0C, 0x00, 0x00,
		0x00, 0x40, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0xE3, 0xBC, 0xAC, 0x3B, 0x00, 0x00, 0x00, 0x00,
		0x31, 0x2E, 0x30, 0x2E, 0x30, 0x31, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x45, 0x4E, 0x44, 0xA8,
	};
	struct w800_header h;
	uint8_t again[64], bad[64];

	ck_assert_int_eq(w800_header_decode(hdr, &h), 0);
	ck_assert_uint_eq(h.attr, 0x200);
	ck_assert_uint_eq(h.addr, 0x20004000);
	ck_assert_uint_eq(h.len, 0xC04);
	ck_assert_uint_eq(h.header_addr, 0x20004000);
	ck_assert_uint_eq(h.body_crc, 0x3BACBCE3);
	ck_assert_str_eq(h.ver, "1.0.01\n");
	ck_assert(w80x_is_ram(h.addr));
	w800_header_encode(&h, again);
	check_bytes(again, 64, hdr, 64);
	memcpy(bad, hdr, 64);
	bad[0x10] ^= 1;
	ck_assert_int_eq(w800_header_decode(bad, &h), 'L');
}
END_TEST

START_TEST(pseudo_headers)
{
	uint8_t data[100], out[W800_HEADER_LEN];
	struct w800_header h;
	struct w600_header h6;

	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)i;
	w800_pseudo_header(0x10000, data, sizeof data, out);
	ck_assert_int_eq(w800_header_decode(out, &h), 0);
	ck_assert_uint_eq(h.attr, W80X_ATTR_PSEUDO);
	ck_assert_uint_eq(h.addr, 0x08010000);
	ck_assert_uint_eq(h.len, sizeof data);
	ck_assert_uint_eq(h.header_addr, 0);  /* no header is written to flash */
	ck_assert_uint_eq(h.body_crc, w80x_crc32(data, sizeof data));
	ck_assert_int_eq(h.ver[0], '1');

	w600_pseudo_header(0xF0000, data, sizeof data, out);
	ck_assert_int_eq(w600_header_decode(out, &h6), 0);
	ck_assert_uint_eq(out[4], 0x00);  /* GUI: 00 02 00 00 at 0x04 (§5) */
	ck_assert_uint_eq(out[5], 0x02);
	ck_assert_uint_eq(out[0x24], '1');
	ck_assert_uint_eq(h6.run_addr, 0x080F0000);
	ck_assert_uint_eq(h6.upd_len, sizeof data);
	ck_assert_uint_eq(h6.upd_crc, w80x_crc32(data, sizeof data));
	out[0x33] ^= 0x40;
	ck_assert_int_eq(w600_header_decode(out, &h6), 'L');
}
END_TEST

START_TEST(xmodem_blocks)
{
	uint8_t data[1024], blk[W80X_XMODEM_BLOCK];

	memset(data, 0x5A, sizeof data);
	ck_assert_uint_eq(w80x_xmodem_block(blk, 255, data, 10, 0xFF), 1029);
	ck_assert_uint_eq(blk[0], 0x02);
	ck_assert_uint_eq(blk[1], 255);
	ck_assert_uint_eq(blk[2], 0);
	ck_assert_uint_eq(blk[3 + 9], 0x5A);
	ck_assert_uint_eq(blk[3 + 10], 0xFF);  /* padding */
	ck_assert(w80x_xmodem_valid(blk, sizeof blk));
	/* 1024 x 0xFF: CRC-16/XMODEM computed by hand is sent high byte first */
	memset(data, 0xFF, sizeof data);
	w80x_xmodem_block(blk, 1, data, 1024, 0);
	ck_assert_uint_eq((unsigned)(blk[1027] << 8 | blk[1028]), iotflash_crc16_xmodem(data, 1024));
	blk[500] ^= 0x10;
	ck_assert(!w80x_xmodem_valid(blk, sizeof blk));
	blk[500] ^= 0x10;
	blk[2] = 0x00;  /* complement wrong */
	ck_assert(!w80x_xmodem_valid(blk, sizeof blk));
	ck_assert(!w80x_xmodem_valid(blk, 1028));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("w80x-protocol");
	TCase *tc = tcase_create("protocol");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, crc_vectors);
	tcase_add_test(tc, verified_frames);
	tcase_add_test(tc, decode_frames);
	tcase_add_test(tc, replies);
	tcase_add_test(tc, stub_header_example);
	tcase_add_test(tc, pseudo_headers);
	tcase_add_test(tc, xmodem_blocks);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
