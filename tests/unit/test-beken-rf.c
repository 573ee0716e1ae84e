/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Beken RF calibration sector: the worked example of
 * docs/protocols/beken-rf.md §2.3, rebuilt record by record, a sector with
 * all four groups and 0x5A filler (§2.2), and damaged input. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "iotflash/beken.h"

static const uint8_t doc_mac[6] = {0xc8, 0x47, 0x8c, 0x12, 0x34, 0x56};

static size_t put32(uint8_t *p, size_t at, uint32_t v)
{
	p[at] = (uint8_t)v;
	p[at + 1] = (uint8_t)(v >> 8);
	p[at + 2] = (uint8_t)(v >> 16);
	p[at + 3] = (uint8_t)(v >> 24);
	return at + 4;
}

static size_t item32(uint8_t *p, size_t at, uint32_t type, uint32_t v)
{
	at = put32(p, at, type);
	at = put32(p, at, 4);
	return put32(p, at, v);
}

/* §2.3: TLV header, TXID group with items 1..7; returns the bytes in use. */
static size_t build_example(uint8_t *s)
{
	size_t at, group_len_at, group_start;

	memset(s, 0xff, IOTFLASH_BEKEN_RF_SIZE);
	at = put32(s, 0, 0x00564C54);
	at = put32(s, at, 0);  /* L, filled in below */
	at = put32(s, at, 0x11111100);
	group_len_at = at;
	at = put32(s, at, 0);
	group_start = at;
	at = item32(s, at, 0x11111101, 12345678);
	at = put32(s, at, 0x11111102);
	at = put32(s, at, 6);
	memcpy(s + at, doc_mac, 6);
	at += 6;
	at = item32(s, at, 0x11111103, 350);
	at = item32(s, at, 0x11111104, 22222222);
	at = item32(s, at, 0x11111105, 12);
	at = item32(s, at, 0x11111106, 0x03540055);
	at = put32(s, at, 0x11111107);
	at = put32(s, at, 8);
	at = put32(s, at, 0x80);
	at = put32(s, at, 0x80);
	put32(s, group_len_at, (uint32_t)(at - group_start));
	put32(s, 4, (uint32_t)(at - 8));
	return at;
}

/* The hex dump of §2.3, as the document prints it. */
static const uint8_t doc_dump[0x6a] = {
	0x54, 0x4c, 0x56, 0x00, 0x62, 0x00, 0x00, 0x00, 0x00, 0x11, 0x11, 0x11, 0x5a, 0x00, 0x00, 0x00,
	0x01, 0x11, 0x11, 0x11, 0x04, 0x00, 0x00, 0x00, 0x4e, 0x61, 0xbc, 0x00, 0x02, 0x11, 0x11, 0x11,
	0x06, 0x00, 0x00, 0x00, 0xc8, 0x47, 0x8c, 0x12, 0x34, 0x56, 0x03, 0x11, 0x11, 0x11, 0x04, 0x00,
	0x00, 0x00, 0x5e, 0x01, 0x00, 0x00, 0x04, 0x11, 0x11, 0x11, 0x04, 0x00, 0x00, 0x00, 0x8e, 0x15,
	0x53, 0x01, 0x05, 0x11, 0x11, 0x11, 0x04, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x06, 0x11,
	0x11, 0x11, 0x04, 0x00, 0x00, 0x00, 0x55, 0x00, 0x54, 0x03, 0x07, 0x11, 0x11, 0x11, 0x08, 0x00,
	0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00};

static void parse_fails(const uint8_t *s, size_t len, const char *needle)
{
	struct iotflash_beken_rf_info info;
	char err[256] = "";
	int rc = iotflash_beken_rf_parse(s, len, &info, err, sizeof(err));
	ck_assert_int_eq(rc, IOTFLASH_ERR_PROTOCOL);
	ck_assert_msg(strstr(err, needle), "error '%s' does not mention '%s'", err, needle);
	ck_assert_ptr_null(strchr(err, '\n'));
}

START_TEST(worked_example)
{
	uint8_t s[IOTFLASH_BEKEN_RF_SIZE];
	struct iotflash_beken_rf_info info;
	char err[256] = "", text[18];
	size_t used = build_example(s);

	ck_assert_uint_eq(used, 106);  /* L = 98, + 8 */
	ck_assert_mem_eq(s, doc_dump, sizeof(doc_dump));
	ck_assert_int_eq(iotflash_beken_rf_parse(s, sizeof(s), &info, err, sizeof(err)), IOTFLASH_OK);
	ck_assert_uint_eq(info.body_len, 98);
	ck_assert_uint_eq(info.n_groups, 1);
	ck_assert_uint_eq(info.mac_offset, IOTFLASH_BEKEN_RF_MAC_OFFSET);
	ck_assert_mem_eq(info.mac, doc_mac, 6);
	ck_assert_mem_eq(info.mac_at_24, doc_mac, 6);
	iotflash_beken_rf_format_mac(info.mac, text);
	ck_assert_str_eq(text, "c8:47:8c:12:34:56");
}
END_TEST

/* TXID after TXPWR (ending in 0x5A filler), MAC not at +0x24: found by the
 * walk, and the filler bounded by its group. */
START_TEST(walk_finds_mac_after_filler_group)
{
	uint8_t s[IOTFLASH_BEKEN_RF_SIZE], txid[0x62];
	struct iotflash_beken_rf_info info;
	char err[256] = "";
	size_t at;

	build_example(s);
	memcpy(txid, s + 8, 0x62);
	memset(s, 0xff, sizeof(s));
	at = put32(s, 8, 0x22222200);
	at = put32(s, at, 12 + 10);
	at = item32(s, at, 0x22222201, 7);
	memset(s + at, 0x5a, 10);
	at += 10;
	memcpy(s + at, txid, sizeof(txid));
	at += sizeof(txid);
	put32(s, 0, 0x00564C54);
	put32(s, 4, (uint32_t)(at - 8));
	ck_assert_int_eq(iotflash_beken_rf_parse(s, sizeof(s), &info, err, sizeof(err)), IOTFLASH_OK);
	ck_assert_uint_eq(info.n_groups, 2);
	ck_assert_mem_eq(info.mac, doc_mac, 6);
	ck_assert_uint_ne(info.mac_offset, IOTFLASH_BEKEN_RF_MAC_OFFSET);
}
END_TEST

START_TEST(damaged_input)
{
	uint8_t s[IOTFLASH_BEKEN_RF_SIZE];

	memset(s, 0xff, sizeof(s));
	parse_fails(s, sizeof(s), "blank");

	build_example(s);
	s[0] = 0x55;
	parse_fails(s, sizeof(s), "TLV");

	build_example(s);
	put32(s, 4, 4089);  /* L + 8 > 4096 */
	parse_fails(s, sizeof(s), "length 4089");

	build_example(s);
	put32(s, 4, 0x61);  /* one byte short of the group */
	parse_fails(s, sizeof(s), "group 0x11111100");

	build_example(s);
	put32(s, 4, 0x64);  /* two stray bytes after the group */
	parse_fails(s, sizeof(s), "stray");

	build_example(s);
	put32(s, 8, 0x22222200);  /* the only group is not TXID */
	parse_fails(s, sizeof(s), "no TXID");

	build_example(s);
	put32(s, 0x20, 5);  /* MAC item 5 bytes long: the walk then derails */
	parse_fails(s, sizeof(s), "MAC");

	build_example(s);
	parse_fails(s, 4, "TLV");  /* too short for a header */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("beken-rf");
	TCase *t = tcase_create("all");
	SRunner *sr;
	int failed;

	tcase_add_test(t, worked_example);
	tcase_add_test(t, walk_finds_mac_after_filler_group);
	tcase_add_test(t, damaged_input);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
