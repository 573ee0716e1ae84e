/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The engine's learning retries (core/engine-vote.c): copies of a block,
 * each wrong somewhere, rebuild it only when they or the checksum say so. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

#define LEN 4096

static uint8_t orig[LEN];

static void fill(void)
{
	for (unsigned i = 0; i < LEN; i++)
		orig[i] = (uint8_t)(i * 131u + (i >> 7));
}

/* orig with the bytes at the given offsets flipped in one bit */
static void damaged(uint8_t *out, unsigned a, unsigned b)
{
	memcpy(out, orig, LEN);
	if (a < LEN)
		out[a] ^= 0x10;
	if (b < LEN)
		out[b] ^= 0x01;
}

static struct iotflash_session *session_with(enum iotflash_checksum kind)
{
	static struct iotflash_session s;
	memset(&s, 0, sizeof(s));
	s.sum_overridden = true;
	s.sum_kind = kind;
	return &s;
}

START_TEST(three_copies_vote_back_the_block)
{
	struct copies c;
	uint8_t a[LEN], out[LEN];

	fill();
	copies_init(&c, LEN);
	damaged(a, 5, LEN);
	ck_assert(copies_add(&c, a));
	damaged(a, 900, LEN);
	ck_assert(copies_add(&c, a));
	ck_assert(!copies_pair(&c, out));
	ck_assert(!copies_vote(&c, out));  /* two copies that disagree prove nothing */
	damaged(a, 4000, 17);
	ck_assert(copies_add(&c, a));
	ck_assert(copies_vote(&c, out));
	ck_assert_mem_eq(out, orig, LEN);
	copies_free(&c);
}
END_TEST

START_TEST(a_byte_all_copies_disagree_on_is_not_sure)
{
	struct copies c;
	uint8_t a[LEN], out[LEN];

	fill();
	copies_init(&c, LEN);
	for (unsigned k = 0; k < 3; k++) {
		memcpy(a, orig, LEN);
		a[100] = (uint8_t)(k + 1);
		ck_assert(copies_add(&c, a));
	}
	ck_assert(!copies_vote(&c, out));
	copies_free(&c);
}
END_TEST

START_TEST(two_copies_and_a_crc_repair_the_block)
{
	struct iotflash_session *s = session_with(IOTFLASH_SUM_CRC32_BEKEN);
	uint8_t sum[IOTFLASH_SUM_MAX], a[LEN], out[LEN];
	struct copies c;

	fill();
	iotflash_checksum_compute(IOTFLASH_SUM_CRC32_BEKEN, orig, LEN, sum);
	copies_init(&c, LEN);
	damaged(a, 7, 3000);
	ck_assert(copies_add(&c, a));
	damaged(a, 1234, LEN);
	ck_assert(copies_add(&c, a));
	copies_vote(&c, out);
	ck_assert(copies_repair(s, &c, out, sum));
	ck_assert_mem_eq(out, orig, LEN);
	/* both copies wrong at the same byte the same way: nothing to find */
	copies_free(&c);
	copies_init(&c, LEN);
	damaged(a, 50, LEN);
	ck_assert(copies_add(&c, a));
	ck_assert(copies_add(&c, a));
	copies_vote(&c, out);
	ck_assert(!copies_repair(s, &c, out, sum));
	copies_free(&c);
}
END_TEST

START_TEST(a_word_sum_never_picks_a_combination)
{
	struct iotflash_session *s = session_with(IOTFLASH_SUM_WORDSUM32);
	uint8_t sum[IOTFLASH_SUM_MAX], a[LEN], out[LEN];
	struct copies c;

	fill();
	iotflash_checksum_compute(IOTFLASH_SUM_WORDSUM32, orig, LEN, sum);
	copies_init(&c, LEN);
	damaged(a, 7, LEN);
	ck_assert(copies_add(&c, a));
	damaged(a, 1234, LEN);
	ck_assert(copies_add(&c, a));
	copies_vote(&c, out);
	ck_assert(!copies_repair(s, &c, out, sum));
	copies_free(&c);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("vote");
	TCase *tc = tcase_create("copies");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, three_copies_vote_back_the_block);
	tcase_add_test(tc, a_byte_all_copies_disagree_on_is_not_sure);
	tcase_add_test(tc, two_copies_and_a_crc_repair_the_block);
	tcase_add_test(tc, a_word_sum_never_picks_a_combination);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
