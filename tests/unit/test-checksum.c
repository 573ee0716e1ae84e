/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Host-side checksums against the vectors in the Beken spec (§4) and the
 * flash images of facts.h. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <iotflash/iotflash.h>

#include "facts.h"

static uint32_t beken(const uint8_t *d, size_t n)
{
	uint8_t out[IOTFLASH_SUM_MAX];
	ck_assert_uint_eq(iotflash_checksum_compute(IOTFLASH_SUM_CRC32_BEKEN, d, n, out), 4);
	return (uint32_t)out[0] | (uint32_t)out[1] << 8 | (uint32_t)out[2] << 16 | (uint32_t)out[3] << 24;
}

static uint32_t beken_fill(uint8_t v, size_t n)
{
	uint8_t *d = malloc(n);
	uint32_t c;
	memset(d, v, n);
	c = beken(d, n);
	free(d);
	return c;
}

START_TEST(beken_crc_matches_spec_vectors)
{
	uint8_t seq[4096];
	uint8_t out[IOTFLASH_SUM_MAX];

	ck_assert_uint_eq(beken((const uint8_t *)"123456789", 9), 0x340BC6D9);
	ck_assert_uint_eq(beken_fill(0xff, 256), 0x015757DE);
	ck_assert_uint_eq(beken_fill(0xff, 257), 0x4C684709);
	ck_assert_uint_eq(beken_fill(0xff, 4096), 0x0EAB98F5);
	ck_assert_uint_eq(beken_fill(0xff, 4097), 0xE0DB4286);
	ck_assert_uint_eq(beken_fill(0xff, 65536), 0x215481B1);
	ck_assert_uint_eq(beken_fill(0xff, 2 * 1024 * 1024), 0x65BEF61A);
	ck_assert_uint_eq(beken_fill(0x00, 4096), 0x38E3FFEE);
	for (int i = 0; i < 4096; i++)
		seq[i] = (uint8_t)i;
	ck_assert_uint_eq(beken(seq, 256), 0xD6FA738C);
	ck_assert_uint_eq(beken(seq, 4096), 0x5D6EDF7D);
	/* wire order is little-endian: D9 C6 0B 34 */
	iotflash_checksum_compute(IOTFLASH_SUM_CRC32_BEKEN, (const uint8_t *)"123456789", 9, out);
	ck_assert_uint_eq(out[0], 0xD9);
	ck_assert_uint_eq(out[3], 0x34);
	iotflash_checksum_compute(IOTFLASH_SUM_CRC32, (const uint8_t *)"123456789", 9, out);
	ck_assert_uint_eq(out[0] | out[1] << 8 | out[2] << 16 | (uint32_t)out[3] << 24, 0xCBF43926);
}
END_TEST

START_TEST(sha256_and_wordsum)
{
	uint8_t out[IOTFLASH_SUM_MAX];
	static const uint8_t abc_sha[4] = {0xba, 0x78, 0x16, 0xbf};
	static const uint8_t words[8] = {1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};

	ck_assert_uint_eq(iotflash_checksum_compute(IOTFLASH_SUM_SHA256, (const uint8_t *)"abc", 3, out), 32);
	ck_assert_mem_eq(out, abc_sha, 4);
	ck_assert_uint_eq(iotflash_checksum_compute(IOTFLASH_SUM_WORDSUM32, words, 8, out), 4);
	ck_assert_uint_eq(out[0] | out[1] << 8 | out[2] << 16 | (uint32_t)out[3] << 24, 0); /* wraps */
	ck_assert_uint_eq(iotflash_checksum_compute(IOTFLASH_SUM_NONE, words, 8, out), 0);
	{  /* the OPL1000A2 stub's 0x8F (docs/protocols/a5-stub-families.md §2.9) */
		static uint8_t ff[8192];
		memset(ff, 0xFF, sizeof ff);
		ck_assert_uint_eq(iotflash_checksum_compute(IOTFLASH_SUM_CRC32_SUM4K, ff, 4096, out), 4);
		ck_assert_uint_eq(out[0] | out[1] << 8 | out[2] << 16 | (uint32_t)out[3] << 24, 0xF154670Au);
		iotflash_checksum_compute(IOTFLASH_SUM_CRC32_SUM4K, ff, 8192, out);
		ck_assert_uint_eq(out[0] | out[1] << 8 | out[2] << 16 | (uint32_t)out[3] << 24, 0xE2A8CE14u);
	}
}
END_TEST

/* The flash images (facts.h: generated, or the real dumps): the checksums
 * computed here equal those tests/fixtures/mkimage.py computed with zlib. */
START_TEST(image_vectors)
{
	static const char *const roles[] = { "bk7231n", "bk7231t", "bk7231n-b" };
	const char *role = roles[_i];
	size_t n;
	uint8_t *d = load_image(role, &n);

	ck_assert_uint_eq(n, 2 * 1024 * 1024);
	ck_assert_uint_eq(beken(d, fact_num(role, "fingerprint_len")), fact_num(role, "crc_boot"));
	ck_assert_uint_eq(beken(d + 0x11000, 4096), fact_num(role, "crc_app_sector"));
	ck_assert_uint_eq(beken(d + n - 4096, 4096), fact_num(role, "crc_last_sector"));
	ck_assert_uint_eq(beken(d, n), fact_num(role, "crc_all"));
	free(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("checksum");
	TCase *tc = tcase_create("vectors");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, beken_crc_matches_spec_vectors);
	tcase_add_test(tc, sha256_and_wordsum);
	tcase_add_loop_test(tc, image_vectors, 0, 3);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
