/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* LN882H / LN8825 protocol encoders and decoders against the literal byte
 * sequences of docs/protocols/ln882h.md (§1.3, §1.4, §2, §3, §6). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/ln882h/protocol.h"

static uint8_t frame[LN_BLOCK_MAX];

static bool all_are(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

START_TEST(ymodem_header_ramcode)
{
	/* §6: "RAMCODE", 29448 bytes */
	static const uint8_t head[] = { 0x01, 0x00, 0xFF, 'R', 'A', 'M', 'C', 'O', 'D', 'E', 0, '2', '9', '4', '4', '8', 0 };
	size_t n = ln_ymodem_header(frame, "RAMCODE", 29448);
	ck_assert_uint_eq(n, 133);
	ck_assert_mem_eq(frame, head, sizeof(head));
	ck_assert(all_are(frame + sizeof(head), 114, 0));
	ck_assert_uint_eq(frame[131], 0xBF);
	ck_assert_uint_eq(frame[132], 0x23);
}
END_TEST

START_TEST(ymodem_header_empty_name)
{
	/* §6: the GUI's firmware header, empty name, "300" */
	static const uint8_t head[] = { 0x01, 0x00, 0xFF, 0x00, '3', '0', '0', 0x00 };
	ck_assert_uint_eq(ln_ymodem_header(frame, "", 300), 133);
	ck_assert_mem_eq(frame, head, sizeof(head));
	ck_assert(all_are(frame + sizeof(head), 123, 0));
	ck_assert_uint_eq(frame[131], 0x58);
	ck_assert_uint_eq(frame[132], 0x89);
}
END_TEST

START_TEST(ymodem_end_block)
{
	ck_assert_uint_eq(ln_ymodem_end(frame), 133);
	ck_assert_uint_eq(frame[0], 0x01);
	ck_assert_uint_eq(frame[1], 0x00);
	ck_assert_uint_eq(frame[2], 0xFF);
	ck_assert(all_are(frame + 3, 130, 0));
}
END_TEST

START_TEST(upgrade_block_300_bytes)
{
	/* §6: 300 bytes (i & 0xFF) in a 16 KiB STX block padded with 0x1A → CRC 31 86 */
	uint8_t data[300];
	uint8_t seq = 0;
	for (int i = 0; i < 300; i++)
		data[i] = (uint8_t)i;
	ck_assert_uint_eq(ln_block_encode(frame, 1, data, 300, LN_RAM_STX_SIZE, LN_YMODEM_PAD), 16389);
	ck_assert_uint_eq(frame[0], 0x02);
	ck_assert_uint_eq(frame[1], 0x01);
	ck_assert_uint_eq(frame[2], 0xFE);
	ck_assert_mem_eq(frame + 3, data, 300);
	ck_assert(all_are(frame + 303, 16084, 0x1A));
	ck_assert_uint_eq(frame[16387], 0x31);
	ck_assert_uint_eq(frame[16388], 0x86);
	ck_assert_int_eq(ln_block_check(frame, 16389, LN_RAM_STX_SIZE, &seq), 16384);
	ck_assert_uint_eq(seq, 1);
}
END_TEST

START_TEST(fwrite_block_300_bytes)
{
	/* §6: the same data by fwrite: 1 KiB STX padded with 0xFF → CRC 51 6E */
	uint8_t data[300];
	for (int i = 0; i < 300; i++)
		data[i] = (uint8_t)i;
	ck_assert_uint_eq(ln_block_encode(frame, 1, data, 300, LN_XMODEM_STX_SIZE, LN_XMODEM_PAD), 1029);
	ck_assert(all_are(frame + 303, 724, 0xFF));
	ck_assert_uint_eq(frame[1027], 0x51);
	ck_assert_uint_eq(frame[1028], 0x6E);
}
END_TEST

START_TEST(fdump_erased_block)
{
	/* §6: `02 01 FE <1024 × FF> C0 84`; block 4 is `02 04 FB` */
	uint8_t ff[1024], seq;
	memset(ff, 0xFF, sizeof(ff));
	ln_block_encode(frame, 1, ff, 1024, 1024, LN_XMODEM_PAD);
	ck_assert_uint_eq(frame[1027], 0xC0);
	ck_assert_uint_eq(frame[1028], 0x84);
	ln_block_encode(frame, 4, ff, 1024, 1024, LN_XMODEM_PAD);
	ck_assert_uint_eq(frame[2], 0xFB);
	ck_assert_int_eq(ln_block_check(frame, 1029, 1024, &seq), 1024);
	ck_assert_uint_eq(seq, 4);
}
END_TEST

START_TEST(block_check_rejects)
{
	uint8_t data[128] = {1, 2, 3}, seq = 0;
	ln_block_encode(frame, 7, data, 128, 128, 0);
	ck_assert_int_eq(ln_block_check(frame, 133, 1024, &seq), 128);
	frame[50] ^= 1;
	ck_assert_int_eq(ln_block_check(frame, 133, 1024, &seq), -1);      /* CRC */
	frame[50] ^= 1;
	frame[2] = 0;
	ck_assert_int_eq(ln_block_check(frame, 133, 1024, &seq), -1);      /* seq complement */
	frame[2] = 0xF8;
	ck_assert_int_eq(ln_block_check(frame, 132, 1024, &seq), -1);      /* length */
	frame[0] = 0x43;
	ck_assert_int_eq(ln_block_check(frame, 133, 1024, &seq), -1);      /* marker */
	ck_assert_uint_eq(ln_block_size(LN_STX, LN_RAM_STX_SIZE), 16384);
	ck_assert_uint_eq(ln_block_size(LN_EOT, LN_RAM_STX_SIZE), 0);
}
END_TEST

START_TEST(sum8)
{
	static const uint8_t d[] = {0xFF, 0x02, 0x10};
	ck_assert_uint_eq(ln_sum8(d, 3), 0x11);
}
END_TEST

START_TEST(parse_headers)
{
	char name[32];
	uint32_t size = 0;
	static const uint8_t lt[] = "ramcode.bin\0" "37872 14552135672 0";   /* ltchiptool (Pro-YAM) */
	static const uint8_t ty[] = "fw\0" "4096 ";                           /* tyutool */
	static const uint8_t hex[] = "\0" "0x1000";
	static const uint8_t end[128] = {0};

	ck_assert(ln_ymodem_parse_header(lt, sizeof(lt), name, sizeof(name), &size));
	ck_assert_str_eq(name, "ramcode.bin");
	ck_assert_uint_eq(size, 37872);
	ck_assert(ln_ymodem_parse_header(ty, sizeof(ty), name, sizeof(name), &size));
	ck_assert_uint_eq(size, 4096);
	ck_assert(ln_ymodem_parse_header(hex, sizeof(hex), name, sizeof(name), &size));
	ck_assert_str_eq(name, "");
	ck_assert_uint_eq(size, 0x1000);
	ck_assert(!ln_ymodem_parse_header(end, sizeof(end), name, sizeof(name), &size));
}
END_TEST

START_TEST(download_command)
{
	static const uint8_t want[] = {
		0x64, 0x6F, 0x77, 0x6E, 0x6C, 0x6F, 0x61, 0x64, 0x20, 0x5B, 0x72, 0x61, 0x6D, 0x62, 0x69, 0x6E, 0x5D, 0x20,
		0x5B, 0x30, 0x78, 0x32, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x5D, 0x20, 0x5B, 0x32, 0x39, 0x34, 0x34,
		0x38, 0x5D, 0x0D, 0x0A };
	char buf[64];
	uint32_t addr, size;
	ck_assert_uint_eq(ln_download_cmd(buf, sizeof(buf), 29448), sizeof(want));
	ck_assert_mem_eq(buf, want, sizeof(want));
	ck_assert(ln_parse_download("download [rambin] [0x20000000] [29448]", &addr, &size));
	ck_assert_uint_eq(addr, 0x20000000);
	ck_assert_uint_eq(size, 29448);
	ck_assert(!ln_parse_download("download [rambin] [0x20000000] [29448", &addr, &size));
	ck_assert(!ln_parse_download("download [rambin] [0x20000000]", &addr, &size));
	ck_assert(!ln_parse_download("download [ram] [0x20000000] [1]", &addr, &size));
	ck_assert(!ln_parse_download("download [rambin] [0x20000000] [1] x", &addr, &size));
}
END_TEST

START_TEST(rom_stamp)
{
	static const char rom[] = "Mar 14 2021/00:23:32\r\n";
	static const char gui[] = "\r\nJun 19 2019/21:01:04\r\n";     /* a stray line first */
	static const char cut[] = "Mar 14 2021/00:23:32";
	char stamp[LN_STAMP_LEN + 1];
	ck_assert(ln_find_stamp(rom, strlen(rom), stamp));
	ck_assert_str_eq(stamp, "Mar 14 2021/00:23:32");
	ck_assert(ln_find_stamp(gui, strlen(gui), stamp));
	ck_assert_str_eq(stamp, "Jun 19 2019/21:01:04");
	ck_assert(!ln_find_stamp(cut, strlen(cut), stamp));
	ck_assert(!ln_find_stamp("version\r\nRAMCODE\r\n", 18, stamp));
	ck_assert(ln_find_ramcode("version\r\nRAMCODE\r\n", 18));
	ck_assert(ln_find_ramcode("\r\nRAMCODE\r\n", 11));
	ck_assert(!ln_find_ramcode("\r\nRAMCODE", 9));
}
END_TEST

static uint8_t *standin(size_t len, uint32_t base, const char *marker)
{
	uint8_t *img = malloc(len);
	for (size_t i = 0; i < len; i++)
		img[i] = (uint8_t)(i * 7 + 3);
	memcpy(img + 0x100, marker, strlen(marker));
	ln_ramhdr_build(img, len, base);
	return img;
}

START_TEST(ram_header)
{
	uint8_t *img = standin(29448, 0x20000000, "flash_crc32");
	struct ln_ramhdr h;

	ck_assert_int_eq(ln_ramhdr_parse(img, 29448, &h), LN_RAMHDR_OK);
	ck_assert_uint_eq(h.load_addr, 0x20000000);
	ck_assert_uint_eq(h.length, 0x7308);          /* §1.4: GUI LN882H file */
	ck_assert_uint_eq(h.crc_offset, 0x20);
	ck_assert_uint_eq(h.vector_addr, 0x20000100);
	ck_assert_uint_eq(h.crp, 0);
	ck_assert(ln_image_is_gui(img, 29448));
	ck_assert_int_eq(ln_ramhdr_parse(img, 29447, &h), LN_RAMHDR_LENGTH);
	ck_assert_int_eq(ln_ramhdr_parse(img, 31, &h), LN_RAMHDR_SHORT);
	img[1000] ^= 0x40;
	ck_assert_int_eq(ln_ramhdr_parse(img, 29448, &h), LN_RAMHDR_BODY_CRC);
	img[1000] ^= 0x40;
	img[4] ^= 1;
	ck_assert_int_eq(ln_ramhdr_parse(img, 29448, &h), LN_RAMHDR_HEADER_CRC);
	free(img);
	img = standin(37872, 0x20000000, "flash_read");
	ck_assert(!ln_image_is_gui(img, 37872));
	ck_assert_int_eq(ln_ramhdr_parse(img, 37872, &h), LN_RAMHDR_OK);
	ck_assert_uint_eq(h.length, 0x93F0);          /* §1.4: official file */
	free(img);
}
END_TEST

START_TEST(split_args)
{
	char line[] = "  fdump\t0x0  0x1000 0 extra";
	char quoted[] = "set \"a b\" c";
	char *argv[LN_MAX_ARGS];
	ck_assert_int_eq(ln_split_args(line, argv), 4);
	ck_assert_str_eq(argv[0], "fdump");
	ck_assert_str_eq(argv[1], "0x0");
	ck_assert_str_eq(argv[2], "0x1000");
	ck_assert_str_eq(argv[3], "0");
	ck_assert_int_eq(ln_split_args(quoted, argv), 3);
	ck_assert_str_eq(argv[1], "a b");
	ck_assert_str_eq(argv[2], "c");
}
END_TEST

START_TEST(flash_info)
{
	static const char reply[] = "flash_info\r\nid:0xEB6015,flash size:2M Byte\r\n";
	uint32_t id = 0;
	ck_assert(ln_parse_flash_info(reply, strlen(reply), &id));
	ck_assert_uint_eq(id, 0xEB6015);
	ck_assert_uint_eq(ln_id_to_jedec(id), 0x1560EB);
	ck_assert_uint_eq(ln_flash_size(id), 2 * 1024 * 1024);
	ck_assert_uint_eq(ln_flash_size(0xEB6014), 1024 * 1024);
	ck_assert_uint_eq(ln_flash_size(0xEB6010), 0);
	ck_assert(!ln_parse_flash_info("\r\nid:0x,flash", 13, &id));
	ck_assert(!ln_parse_flash_info("\r\nid:0xEB60", 11, &id));
}
END_TEST

START_TEST(flash_read_text)
{
	/* §3.4: `flash_read 0 4` on erased flash → "\r\nFF FF FF FF 99 CF " */
	static const char want[] = "\r\nFF FF FF FF 99 CF ";
	uint8_t ff[4] = {0xFF, 0xFF, 0xFF, 0xFF}, back[4];
	char text[64];
	ck_assert_uint_eq(ln_flash_read_reply_len(4), strlen(want));
	ck_assert_uint_eq(ln_flash_read_format(text, ff, 4), strlen(want));
	ck_assert_mem_eq(text, want, strlen(want));
	ck_assert(ln_flash_read_parse(want, strlen(want), back, 4));
	ck_assert_mem_eq(back, ff, 4);
	text[9] = 'E';  /* one data byte changed: the CRC-16 no longer matches */
	ck_assert(!ln_flash_read_parse(text, strlen(want), back, 4));
	ck_assert(!ln_flash_read_parse(want, strlen(want) - 1, back, 4));
	ck_assert(!ln_flash_read_parse("\r\nFF FF FF FF 99 CFx", strlen(want), back, 4));
}
END_TEST

START_TEST(le32)
{
	/* `flash_id` → 15 60 EB 00; flash_crc32 of 4096 × FF → 0A 67 54 F1 */
	static const uint8_t id[4] = {0x15, 0x60, 0xEB, 0x00};
	uint8_t b[4];
	ck_assert_uint_eq(ln_get_le32(id), 0xEB6015);
	ln_put_le32(b, 0xF154670A);
	ck_assert_uint_eq(b[0], 0x0A);
	ck_assert_uint_eq(b[3], 0xF1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ln882h-protocol");
	TCase *t = tcase_create("codec");
	SRunner *r;
	int failed;

	tcase_add_test(t, ymodem_header_ramcode);
	tcase_add_test(t, ymodem_header_empty_name);
	tcase_add_test(t, ymodem_end_block);
	tcase_add_test(t, upgrade_block_300_bytes);
	tcase_add_test(t, fwrite_block_300_bytes);
	tcase_add_test(t, fdump_erased_block);
	tcase_add_test(t, block_check_rejects);
	tcase_add_test(t, sum8);
	tcase_add_test(t, parse_headers);
	tcase_add_test(t, download_command);
	tcase_add_test(t, rom_stamp);
	tcase_add_test(t, ram_header);
	tcase_add_test(t, split_args);
	tcase_add_test(t, flash_info);
	tcase_add_test(t, flash_read_text);
	tcase_add_test(t, le32);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
