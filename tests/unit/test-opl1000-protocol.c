/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* OPL1000A2 ROM stage against docs/protocols/a5-stub-families.md: the S3 and
 * S7 records of the §6 sample, the `<CHECK>` handshake texts of §3.3, the
 * stage-1 baud word and its masked hash (§4), stage recognition. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "../../plugins/opl1000/protocol.h"

/* Stage 1's first 16 bytes as stored (§4): vector table, baud word 460 800. */
static const uint8_t head16[16] = { 0x00, 0x00, 0x45, 0x00, 0x49, 0x00, 0x44, 0x00,
	                            0x00, 0x08, 0x07, 0x00, 0x00, 0x23, 0x13, 0xB5 };

START_TEST(s3_records)
{
	char rec[OPL_SREC_MAX];
	uint8_t img[16], data[256];
	uint32_t addr;
	size_t n;
	char type;

	memcpy(img, head16, sizeof img);
	n = opl_srec_s3(rec, OPL_STAGE1_ADDR, img, 16);
	ck_assert_str_eq(rec, "S31500440000000045004900440000080700002313B5DA");
	ck_assert_uint_eq(n, strlen(rec));
	/* §6: the first record with the baud word patched to 921 600. */
	opl_stage1_set_baud(img, 921600);
	opl_srec_s3(rec, OPL_STAGE1_ADDR, img, 16);
	ck_assert_str_eq(rec, "S31500440000000045004900440000100E00002313B5CB");
	opl_srec_s7(rec, OPL_STAGE1_ADDR);
	ck_assert_str_eq(rec, "S70500440000B6");
	/* Parsed back as the ROM reads them. */
	ck_assert_int_eq(opl_srec_parse(rec, strlen(rec), &type, &addr, data, &n), 0);
	ck_assert_int_eq(type, '7');
	ck_assert_uint_eq(addr, 0x00440000);
	ck_assert_uint_eq(n, 0);
	n = opl_srec_s3(rec, 0x00440010, head16, 15);  /* a short last record */
	ck_assert_int_eq(opl_srec_parse(rec, n, &type, &addr, data, &n), 0);
	ck_assert_int_eq(type, '3');
	ck_assert_uint_eq(addr, 0x00440010);
	ck_assert_uint_eq(n, 15);
	ck_assert_mem_eq(data, head16, 15);
	strcpy(rec, "S31500440000000045004900440000080700002313B5DB");  /* checksum off by one */
	ck_assert_int_eq(opl_srec_parse(rec, strlen(rec), &type, &addr, data, &n), -2);
	strcpy(rec, "S31400440000000045004900440000080700002313B5DA");  /* count disagrees */
	ck_assert_int_eq(opl_srec_parse(rec, strlen(rec), &type, &addr, data, &n), -1);
	ck_assert_int_eq(opl_srec_parse("S1130000", 8, &type, &addr, data, &n), -1);
}
END_TEST

/* §3.3: the texts the host waits for arrive amid other output. */
START_TEST(check_handshake)
{
	static const char rom[] = "\r\nOPL1000 boot\r\n<CHE";
	static const char more[] = "\r\nOPL1000 boot\r\n<CHECK>\r\nWait for SREC\r\nx";
	ck_assert(!opl_text_has((const uint8_t *)rom, strlen(rom), OPL_PROMPT));
	ck_assert(opl_text_has((const uint8_t *)more, strlen(more), OPL_PROMPT));
	ck_assert(opl_text_has((const uint8_t *)more, strlen(more), OPL_SREC_READY));
	ck_assert(!opl_text_has((const uint8_t *)more, strlen(more), OPL_JUMP_ASK));
	ck_assert(opl_text_has((const uint8_t *)"..Jump(j)?", 10, OPL_JUMP_ASK));
	ck_assert(opl_text_has((const uint8_t *)"Invalid", 7, OPL_REFUSED));
	ck_assert_int_eq(OPL_CMD_PREFIX, 0xFE);
	ck_assert_int_eq(OPL_SREC_CMD, 'u');
}
END_TEST

/* §3.3 step 5 and §4: the baud word, the GUI's 921 600 cap, the masked hash. */
START_TEST(masked_baud_hash)
{
	uint8_t img[399], patched[399], d1[32], d2[32], plain[32];
	struct sha256_ctx c;

	ck_assert_uint_eq(opl_stage1_baud(460800), 460800);
	ck_assert_uint_eq(opl_stage1_baud(1419000), 1419000);
	ck_assert_uint_eq(opl_stage1_baud(1500000), 921600);
	ck_assert_uint_eq(opl_stage1_baud(3000000), 921600);
	for (size_t i = 0; i < sizeof img; i++)
		img[i] = (uint8_t)(i * 7 + 3);
	memcpy(img, head16, 16);
	ck_assert_uint_eq(opl_stage1_get_baud(img), OPL_STAGE1_BAUD_STORED);
	memcpy(patched, img, sizeof img);
	opl_stage1_set_baud(patched, 115200);
	ck_assert_uint_eq(opl_stage1_get_baud(patched), 115200);
	ck_assert_int_eq(patched[8], 0x00);
	ck_assert_int_eq(patched[9], 0xC2);
	ck_assert_int_eq(patched[10], 0x01);
	opl_stage1_masked_sha256(img, sizeof img, d1);
	opl_stage1_masked_sha256(patched, sizeof patched, d2);
	ck_assert_mem_eq(d1, d2, 32);
	sha256_init(&c);
	sha256_update(&c, sizeof img, img);
	sha256_digest(&c, 32, plain);
	ck_assert_mem_eq(d1, plain, 32);  /* as stored, the mask changes nothing */
	sha256_init(&c);
	sha256_update(&c, sizeof patched, patched);
	sha256_digest(&c, 32, plain);
	ck_assert(memcmp(d2, plain, 32) != 0);
	patched[12] ^= 1;  /* outside the word: a different image */
	opl_stage1_masked_sha256(patched, sizeof patched, d2);
	ck_assert(memcmp(d1, d2, 32) != 0);
}
END_TEST

/* A model runs a stage only when it is the database's file (stage 1 with
 * its word masked) or an intact stand-in. */
START_TEST(stage_recognition)
{
	uint8_t img[399], d[32];
	char hex[65];
	size_t tl = strlen(OPL_STANDIN_TAG);

	for (size_t i = 0; i < sizeof img; i++)
		img[i] = (uint8_t)(i ^ 0x5A);
	memcpy(img, head16, 16);
	opl_stage1_masked_sha256(img, sizeof img, d);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	opl_stage1_set_baud(img, 921600);
	ck_assert_uint_eq(opl_stage_len(img, sizeof img, true, hex, sizeof img), sizeof img);
	ck_assert_uint_eq(opl_stage_len(img, sizeof img, false, hex, sizeof img), 0);  /* stage 2: no mask */
	img[200] ^= 0x80;
	ck_assert_uint_eq(opl_stage_len(img, sizeof img, true, hex, sizeof img), 0);
	/* A stand-in: tag, length, masked SHA-256 at the end. */
	memcpy(img + OPL_STANDIN_TAG_OFF, OPL_STANDIN_TAG, tl);
	img[OPL_STANDIN_TAG_OFF + tl] = (uint8_t)sizeof img;
	img[OPL_STANDIN_TAG_OFF + tl + 1] = (uint8_t)(sizeof img >> 8);
	img[OPL_STANDIN_TAG_OFF + tl + 2] = img[OPL_STANDIN_TAG_OFF + tl + 3] = 0;
	opl_stage1_masked_sha256(img, sizeof img - 32, img + sizeof img - 32);
	ck_assert_uint_eq(opl_stage_len(img, sizeof img, true, NULL, 0), sizeof img);
	ck_assert_uint_eq(opl_stage_len(img, sizeof img - 1, true, NULL, 0), 0);  /* truncated upload */
	img[300] ^= 1;
	ck_assert_uint_eq(opl_stage_len(img, sizeof img, true, NULL, 0), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("opl1000-protocol");
	TCase *tc = tcase_create("rom-stage");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, s3_records);
	tcase_add_test(tc, check_handshake);
	tcase_add_test(tc, masked_baud_hash);
	tcase_add_test(tc, stage_recognition);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
