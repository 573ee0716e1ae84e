/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The session's step-down rates (core/session.c): the next lower rate of
 * each UART family's baud_steps in the real chip database, never below the
 * link rate, and the core's common list for a chip without baud_steps. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session.h"

static struct chipdb *db;

static const struct iotflash_chip *chip(const char *name)
{
	const struct iotflash_chip *c = chipdb_find(db, name);
	ck_assert_msg(c != NULL, "%s is not in the chip database", name);
	return c;
}

/* Walk down from `from`: the rates visited, ending at the link rate. */
static void walk(const char *name, uint32_t from, const uint32_t *want, unsigned n)
{
	const struct iotflash_chip *c = chip(name);
	uint32_t rate = from;
	for (unsigned i = 0; i < n; i++) {
		rate = session_next_rate(c, rate);
		ck_assert_msg(rate == want[i], "%s: step %u is %u, not %u", name, i + 1, (unsigned)rate, (unsigned)want[i]);
	}
	ck_assert_uint_eq(rate, c->link_baud);
	ck_assert_uint_eq(session_next_rate(c, rate), c->link_baud);  /* the last step stays */
}

START_TEST(test_bk72xx)
{
	static const uint32_t want[] = {460800, 230400, 115200};
	walk("bk7231n", 921600, want, 3);
}
END_TEST

START_TEST(test_bl60x_stops_at_rom_rate)
{
	/* link_baud 500000: nothing lower is ever tried. */
	static const uint32_t want[] = {1500000, 1000000, 921600, 500000};
	walk("bl602", 2000000, want, 4);
	ck_assert_uint_eq(session_next_rate(chip("bl602"), 1200000), 1000000);
}
END_TEST

START_TEST(test_ln882h)
{
	static const uint32_t want[] = {460800, 230400, 115200};
	walk("ln882h", 921600, want, 3);
}
END_TEST

START_TEST(test_rtl87xx)
{
	static const uint32_t want[] = {921600, 460800, 230400, 115200};
	walk("rtl8720c", 1234567, want, 4);
	/* AmebaZ starts at 1.5 Mbaud: a refused lower rate goes back up to it. */
	ck_assert_uint_eq(session_next_rate(chip("rtl8710b"), 1234567), 1500000);
}
END_TEST

START_TEST(test_w80x)
{
	static const uint32_t want[] = {1000000, 921600, 460800, 115200};
	walk("w800", 2000000, want, 4);
}
END_TEST

START_TEST(test_common_list)
{
	/* A chip without baud_steps: the core's own list. */
	char dir[] = "/tmp/test-session-XXXXXX", path[64], err[512];
	struct chipdb *own;
	FILE *f;
	const struct iotflash_chip *c;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/x.yaml", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("schema: 1\nfamily: fam\nplugin: fam\ndriver: fam\nchips:\n  - name: x\n    link_baud: 115200\n"
	      "    max_baud: 3000000\n    read_block: 4096\n    write_block: 4096\n    erase_units: [4096]\n", f);
	fclose(f);
	ck_assert_int_eq(chipdb_new(&own), IOTFLASH_OK);
	ck_assert_msg(chipdb_load(own, path, err, sizeof err) == IOTFLASH_OK, "%s", err);
	unlink(path);
	rmdir(dir);
	c = chipdb_find(own, "x");
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(session_next_rate(c, 3000000), 2000000);
	ck_assert_uint_eq(session_next_rate(c, 1500000), 1000000);
	ck_assert_uint_eq(session_next_rate(c, 921600), 460800);
	ck_assert_uint_eq(session_next_rate(c, 230400), 115200);
	chipdb_free(own);
}
END_TEST

int main(void)
{
	const char *env = getenv("IOTFLASH_CHIPDB_PATH"), *top = getenv("top_srcdir");
	char dir[4096], err[512];
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("step-down rates");
	SRunner *sr;
	int failed;

	if (env && *env)  /* a search path: the first entry is the source tree's */
		snprintf(dir, sizeof dir, "%.*s", (int)strcspn(env, ":"), env);
	else
		snprintf(dir, sizeof dir, "%s/chipdb", top && *top ? top : ".");
	if (chipdb_new(&db) != IOTFLASH_OK || chipdb_load(db, dir, err, sizeof err) != IOTFLASH_OK) {
		fprintf(stderr, "test-session: %s\n", err);
		return EXIT_FAILURE;
	}
	tcase_add_test(tc, test_bk72xx);
	tcase_add_test(tc, test_bl60x_stops_at_rom_rate);
	tcase_add_test(tc, test_ln882h);
	tcase_add_test(tc, test_rtl87xx);
	tcase_add_test(tc, test_w80x);
	tcase_add_test(tc, test_common_list);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	chipdb_free(db);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
