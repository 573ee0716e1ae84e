/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Number parsing as the CLI accepts it. */
#include <check.h>
#include <stdlib.h>
#include <iotflash/iotflash.h>

static uint32_t parse_ok(const char *s)
{
	uint32_t v = 0xdeadbeef;
	ck_assert_msg(iotflash_parse_u32(s, &v), "'%s' should parse", s);
	return v;
}

START_TEST(accepts_the_spellings_users_type)
{
	ck_assert_uint_eq(parse_ok("0x11000"), 0x11000);
	ck_assert_uint_eq(parse_ok("0X1a"), 0x1a);
	ck_assert_uint_eq(parse_ok("4096"), 4096);
	ck_assert_uint_eq(parse_ok("0"), 0);
	ck_assert_uint_eq(parse_ok("4k"), 4096);
	ck_assert_uint_eq(parse_ok("4K"), 4096);
	ck_assert_uint_eq(parse_ok("2M"), 0x200000);
	ck_assert_uint_eq(parse_ok("0x10k"), 0x4000);
	ck_assert_uint_eq(parse_ok("4294967295"), 0xffffffffu);
	ck_assert_uint_eq(parse_ok("0xffffffff"), 0xffffffffu);
}
END_TEST

START_TEST(rejects_malformed_numbers)
{
	static const char *bad[] = {"", "0x", "-1", "1e3", "12abc", "0x1g", " 1", "1 ", "4kk", "2m", "1.5M",
	                            "4294967296", "0x100000000", "99999999999999999999", "4096M", "abc", "+1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t v = 7;
		ck_assert_msg(!iotflash_parse_u32(bad[i], &v), "'%s' must be rejected", bad[i]);
		ck_assert_uint_eq(v, 7);
	}
	ck_assert(!iotflash_parse_u32(NULL, NULL));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("numbers");
	TCase *tc = tcase_create("parse");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, accepts_the_spellings_users_type);
	tcase_add_test(tc, rejects_malformed_numbers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
