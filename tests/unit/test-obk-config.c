/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* OpenBeken configuration: the worked example and vectors of
 * docs/protocols/obk-config.md (§2.2, §7, §8.3), layout groups, raw and
 * EasyFlash round trips on every platform, input checking, JSON. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotflash/openbeken.h"

static void set_ok(struct iotflash_obk_config *c, const char *kv)
{
	char err[256] = "";
	int rc = iotflash_obk_set_assignment(c, kv, err, sizeof(err));
	ck_assert_msg(rc == IOTFLASH_OK, "%s: %s", kv, err);
}

/* §7: built from an all-zero blob, as the document builds it. */
static void worked_example(struct iotflash_obk_config *c, const char *chip, const char *long_name, int version)
{
	char kv[128];
	memset(c, 0, sizeof(*c));
	c->plat = iotflash_obk_platform(chip);
	ck_assert_ptr_nonnull(c->plat);
	iotflash_obk_set_version(c, version);
	set_ok(c, "flag.10=1");
	set_ok(c, "wifi.ssid=MyWiFi");
	set_ok(c, "wifi.password=secret123");
	set_ok(c, "mqtt.host=192.168.1.10");
	set_ok(c, "mqtt.port=1883");
	set_ok(c, "mqtt.client_id=obk_demo");
	set_ok(c, "mqtt.user=homeassistant");
	set_ok(c, "mqtt.password=mqttpass");
	set_ok(c, "mqtt.group=bekens");
	set_ok(c, "name.short=obk_demo");
	snprintf(kv, sizeof(kv), "name.long=%s", long_name);
	set_ok(c, kv);
	set_ok(c, "pin.6=Relay:1");
	set_ok(c, "pin.7=Button:1");
	set_ok(c, "pin.8=LED_WIFI_n");
	c->blob[0x4B8] = 3;  /* buttons: no contract key, set as the example has them */
	c->blob[0x4B9] = 10;
	c->blob[0x4BA] = 5;
	c->blob[0x597] = 5;
	set_ok(c, "startup_command=startDriver NTP");
	iotflash_obk_seal(c);
}

static void row(const struct iotflash_obk_config *c, unsigned off, const char *hex)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned v;
		sscanf(hex + 3 * i, "%2x", &v);
		ck_assert_msg(c->blob[off + i] == v, "byte 0x%04x is %02x, expected %02x", off + i, c->blob[off + i], v);
	}
}

START_TEST(crc8_check_values)
{
	const uint8_t s[] = "123456789";
	ck_assert_uint_eq(iotflash_obk_crc8(s, 9, false), 0xA1);
	ck_assert_uint_eq(iotflash_obk_crc8(s, 9, true), 0x63);
	ck_assert_uint_eq(iotflash_obk_crc32(s, 9), 0xCBF43926u);
}
END_TEST

START_TEST(worked_example_bk7231n)
{
	struct iotflash_obk_config c;
	unsigned nonzero = 0;
	worked_example(&c, "bk7231n", "OpenBK7231N_demo", 4);
	ck_assert_uint_eq(c.blob[3], 0x3F);
	row(&c, 0x0000, "43 46 47 3f 04 00 00 00 00 04 00 00 00 00 00 00");
	row(&c, 0x0290, "00 00 00 00 5b 07 00 00 00 00 00 00 00 00 00 00");
	row(&c, 0x0340, "00 00 00 00 01 03 09 00 00 00 00 00 00 00 00 00");
	row(&c, 0x0360, "00 00 00 00 01 01 00 00 00 00 00 00 00 00 00 00");
	row(&c, 0x04b0, "00 00 00 00 00 00 00 00 03 0a 05 00 00 00 00 00");
	row(&c, 0x0590, "00 00 00 00 00 00 00 05 00 00 00 00 00 00 00 00");
	row(&c, 0x05e0, "73 74 61 72 74 44 72 69 76 65 72 20 4e 54 50 00");
	for (unsigned i = 0; i < IOTFLASH_OBK_CONFIG_SIZE; i++)
		nonzero += c.blob[i] != 0;
	ck_assert_uint_eq(nonzero, 118);
}
END_TEST

START_TEST(worked_example_variants)
{
	struct iotflash_obk_config c;
	worked_example(&c, "ln882h", "OpenLN882H_demo", 4);
	ck_assert_uint_eq(c.blob[3], 0x12);  /* unsigned variant */
	worked_example(&c, "bk7231n", "OpenBK7231N_demo", 3);
	ck_assert_uint_eq(c.blob[3], 0x14);  /* version 3: CRC over 4..2015 */
}
END_TEST

/* §8.3: the example as EasyFlash entry `ObkCfg` (GRAN 1), and nv_version. */
START_TEST(easyflash_entry_vector)
{
	static const uint8_t head[] = {0x3F, 0xFF, 0xFF, 0xFF, 0x4B, 0x56, 0x34, 0x30, 0x1E, 0x0E, 0x00, 0x00,
	                               0xFD, 0x58, 0xF2, 0xDA, 0x06, 0xFF, 0xFF, 0xFF, 0x00, 0x0E, 0x00, 0x00,
	                               0x4F, 0x62, 0x6B, 0x43, 0x66, 0x67, 0x43, 0x46, 0x47, 0x3F};
	static const uint8_t ver[] = {0x3F, 0xFF, 0xFF, 0xFF, 0x4B, 0x56, 0x34, 0x30, 0x26, 0x00, 0x00, 0x00,
	                              0x8D, 0x2B, 0x90, 0x58, 0x0A, 0xFF, 0xFF, 0xFF, 0x04, 0x00, 0x00, 0x00};
	static const uint8_t sector_in_use[] = {0x3F, 0x7F, 0xFF, 0xFF, 0x45, 0x46, 0x34, 0x30};
	static const uint8_t sector_empty[] = {0x7F, 0x7F, 0xFF, 0xFF, 0x45, 0x46, 0x34, 0x30};
	struct iotflash_obk_config c, back;
	static uint8_t area[0x8000];
	char err[256];

	worked_example(&c, "bk7231n", "OpenBK7231N_demo", 4);
	c.plat = iotflash_obk_platform("rtl8710b");  /* EasyFlash GRAN 1, group D, signed */
	memset(area, 0xFF, sizeof(area));
	ck_assert_int_eq(iotflash_obk_encode(&c, area, sizeof(area), err, sizeof(err)), IOTFLASH_OK);
	ck_assert_mem_eq(area, sector_in_use, sizeof(sector_in_use));
	ck_assert_mem_eq(area + 16, head, sizeof(head));
	ck_assert_mem_eq(area + 16 + 0xE1E, ver, sizeof(ver));
	ck_assert_mem_eq(area + 0x7000, sector_empty, sizeof(sector_empty));
	ck_assert_int_eq(iotflash_obk_decode(&back, c.plat, area, sizeof(area), err, sizeof(err)), IOTFLASH_OK);
	ck_assert_mem_eq(back.blob, c.blob, sizeof(c.blob));
}
END_TEST

/* §8.2, §8.3 GRAN 32 (ECR6600, TR6260): a fresh area holds ObkCfg and then
 * nv_version, which must equal the real ECR6600 entry of §8.3 byte for
 * byte; sector headers with 4-byte status steps and the chip's magic. */
START_TEST(easyflash_gran32_vector)
{
	static const uint8_t ver[] = {0x00, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	                              0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x34, 0x00, 0x00, 0x00, 0x25, 0x7D,
	                              0x81, 0xAE, 0x0A, 0xFF, 0xFF, 0xFF, 0x04, 0x00, 0x00, 0x00, 0x6E, 0x76, 0x5F,
	                              0x76, 0x65, 0x72, 0x73, 0x69, 0x6F, 0x6E, 0xFF, 0xFF, 0x30, 0x2E, 0x30, 0x31};
	/* status "write", total 36 + 8 + 3584, CRC, name length 6, value length 3584, "ObkCfg" + 2 × FF */
	static const uint8_t head[] = {0x00, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	                               0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x2C, 0x0E, 0x00, 0x00};
	static const uint8_t names[] = {0x06, 0xFF, 0xFF, 0xFF, 0x00, 0x0E, 0x00, 0x00, 0x4F, 0x62,
	                                0x6B, 0x43, 0x66, 0x67, 0xFF, 0xFF, 0x43, 0x46, 0x47, 0x3F};
	static const struct {
		const char *chip;
		uint8_t magic_last;
	} chips[] = {{"ecr6600", '1'}, {"tr6260", '0'}};
	struct iotflash_obk_config c, back;
	static uint8_t area[0x12000];
	char err[256];

	for (unsigned i = 0; i < 2; i++) {
		uint8_t in_use[36], empty[36];
		worked_example(&c, "bk7231n", "OpenBK7231N_demo", 4);
		c.plat = iotflash_obk_platform(chips[i].chip);  /* group D, signed: the same blob */
		ck_assert_ptr_nonnull(c.plat);
		ck_assert_uint_eq(c.plat->ef_gran, 32);
		memset(in_use, 0xFF, sizeof(in_use));
		in_use[0] = in_use[4] = in_use[12] = 0x00;  /* store "using", dirty "false" */
		memcpy(in_use + 24, "EF4", 3);
		in_use[27] = chips[i].magic_last;
		memcpy(empty, in_use, sizeof(empty));
		empty[4] = 0xFF;  /* store "empty" */
		memset(area, 0xFF, sizeof(area));
		ck_assert_int_eq(iotflash_obk_encode(&c, area, sizeof(area), err, sizeof(err)), IOTFLASH_OK);
		ck_assert_mem_eq(area, in_use, sizeof(in_use));
		ck_assert_mem_eq(area + 36, head, sizeof(head));
		ck_assert_uint_eq(iotflash_obk_crc32(area + 36 + 28, 0xE2C - 28), area[36 + 24] | area[36 + 25] << 8 |
		                  area[36 + 26] << 16 | (uint32_t)area[36 + 27] << 24);
		ck_assert_mem_eq(area + 36 + 28, names, sizeof(names));
		ck_assert_mem_eq(area + 36 + 44, c.blob, sizeof(c.blob));
		ck_assert_mem_eq(area + 36 + 0xE2C, ver, sizeof(ver));
		ck_assert_uint_eq(area[36 + 0xE2C + sizeof(ver)], 0xFF);  /* the end of the entries */
		ck_assert_mem_eq(area + 0x11000, empty, sizeof(empty));
		ck_assert_int_eq(iotflash_obk_decode(&back, c.plat, area, sizeof(area), err, sizeof(err)), IOTFLASH_OK);
		ck_assert_mem_eq(back.blob, c.blob, sizeof(c.blob));
	}
	/* The ECR6600 SDK reads "EF40" sectors too: a TR6260-style area decodes. */
	ck_assert_int_eq(iotflash_obk_decode(&back, iotflash_obk_platform("ecr6600"), area, sizeof(area), err,
	                                     sizeof(err)), IOTFLASH_OK);
	/* A GRAN-1 reader must not take a GRAN-32 entry (no KV40 magic). */
	ck_assert_int_eq(iotflash_obk_decode(&back, iotflash_obk_platform("rtl8710b"), area, 0x8000, err, sizeof(err)),
	                 IOTFLASH_ERR_UNSUPPORTED);
}
END_TEST

/* A second write keeps other keys, replaces the config, and a damaged
 * entry is not taken. */
START_TEST(easyflash_rewrite_keeps_keys)
{
	struct iotflash_obk_config c, back;
	static uint8_t area[0x13000];
	char err[256];
	unsigned hits = 0;

	for (unsigned gi = 0; gi < 3; gi++) {
		const char *chip = gi == 2 ? "ecr6600" : gi ? "bl602" : "rtl8720c";
		iotflash_obk_init(&c, iotflash_obk_platform(chip));
		memset(area, 0xFF, sizeof(area));
		set_ok(&c, "wifi.ssid=first");
		ck_assert_int_eq(iotflash_obk_encode(&c, area, sizeof(area), err, sizeof(err)), IOTFLASH_OK);
		set_ok(&c, "wifi.ssid=second");
		ck_assert_int_eq(iotflash_obk_encode(&c, area, sizeof(area), err, sizeof(err)), IOTFLASH_OK);
		ck_assert_int_eq(iotflash_obk_decode(&back, c.plat, area, sizeof(area), err, sizeof(err)), IOTFLASH_OK);
		ck_assert_str_eq((char *)back.blob + 0x14, "second");
		hits = 0;
		for (size_t i = 0; i + 10 <= sizeof(area); i++)
			hits += memcmp(area + i, "nv_version", 10) == 0;
		ck_assert_uint_eq(hits, 1);
		if (gi == 1) {  /* GRAN 8 headers (§8.2, §8.3) */
			static const uint8_t in_use[] = {0x00, 0x00, 0xFF, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x45, 0x46, 0x34, 0x30};
			ck_assert_mem_eq(area, in_use, sizeof(in_use));
			ck_assert_uint_eq(area[20], 0x00);
			ck_assert_uint_eq(area[21], 0x00);
			ck_assert_uint_eq(area[22], 0xFF);
		}
		area[0x100] ^= 0x01;  /* inside the value: CRC-32 fails, entry ignored */
		ck_assert_int_eq(iotflash_obk_decode(&back, c.plat, area, sizeof(area), err, sizeof(err)),
		                 IOTFLASH_ERR_UNSUPPORTED);
	}
}
END_TEST

START_TEST(groups_place_channels)
{
	static const struct {
		const char *chip;
		unsigned ch, ntp;
	} g[] = {{"bk7231n", 0x35E, 0x478}, {"w800", 0x36E, 0x4A8}, {"rtl8720d", 0x37E, 0x4D8}};
	for (unsigned i = 0; i < 3; i++) {
		struct iotflash_obk_config c;
		iotflash_obk_init(&c, iotflash_obk_platform(g[i].chip));
		set_ok(&c, "pin.8=Relay:5:7");
		ck_assert_uint_eq(c.blob[0x33E + 8], 1);
		ck_assert_uint_eq(c.blob[g[i].ch + 8], 5);
		ck_assert_str_eq((char *)c.blob + g[i].ntp, "217.147.223.78");
	}
	{
		struct iotflash_obk_config c;
		iotflash_obk_init(&c, iotflash_obk_platform("w800"));
		set_ok(&c, "pin.8=Relay:5:7");
		ck_assert_uint_eq(c.blob[0x39E + 8], 7);  /* group A channels2 */
	}
}
END_TEST

/* Every platform: encode into a blank area, decode, same bytes and JSON. */
START_TEST(round_trip_every_platform)
{
	const struct iotflash_obk_platform *p;
	for (unsigned i = 0; (p = iotflash_obk_platform_at(i)); i++) {
		struct iotflash_obk_config c, back;
		static uint8_t area[0x40000];
		size_t len = p->storage == IOTFLASH_OBK_RAW ? 0x2000 : 0x8000;
		char err[256], *a, *b;
		iotflash_obk_init(&c, p);
		set_ok(&c, "wifi.ssid=Home \"net\"");
		set_ok(&c, "mqtt.port=8883");
		set_ok(&c, "pin.1=PWM:2");
		set_ok(&c, "flag.37=1");
		memset(area, 0xFF, len);
		ck_assert_msg(iotflash_obk_encode(&c, area, len, err, sizeof(err)) == IOTFLASH_OK, "%s: %s", p->chip, err);
		ck_assert_msg(iotflash_obk_decode(&back, p, area, len, err, sizeof(err)) == IOTFLASH_OK, "%s: %s", p->chip,
		              err);
		ck_assert_mem_eq(back.blob, c.blob, sizeof(c.blob));
		ck_assert_int_eq(iotflash_obk_to_json(&c, true, &a), IOTFLASH_OK);
		ck_assert_int_eq(iotflash_obk_to_json(&back, true, &b), IOTFLASH_OK);
		ck_assert_str_eq(a, b);
		ck_assert_ptr_nonnull(strstr(a, "\"8883\"") ? NULL : strstr(a, "\"port\": 8883"));
		free(a);
		free(b);
		if (p->storage == IOTFLASH_OBK_RAW && p->offset == 0)  /* rest of the sector erased */
			ck_assert_uint_eq(area[0xE00], 0xFF);
		if (p->offset == 0x303)  /* W800: bytes before it are left as they were */
			ck_assert_uint_eq(area[0x302], 0xFF);
	}
}
END_TEST

/* The chip's variant only: a signed-CRC blob is refused on an unsigned chip. */
START_TEST(crc_variant_follows_chip)
{
	struct iotflash_obk_config c, back;
	static uint8_t area[0x1000];
	char err[256];
	worked_example(&c, "bk7231n", "OpenBK7231N_demo", 4);
	memset(area, 0xFF, sizeof(area));
	ck_assert_int_eq(iotflash_obk_encode(&c, area, sizeof(area), err, sizeof(err)), IOTFLASH_OK);
	ck_assert_int_eq(iotflash_obk_decode(&back, iotflash_obk_platform("ln882h"), area, sizeof(area), err,
	                                     sizeof(err)), IOTFLASH_ERR_CHECKSUM);
	ck_assert_ptr_nonnull(strstr(err, "signed CRC-8 variant"));
	area[0x20] ^= 1;
	ck_assert_int_eq(iotflash_obk_decode(&back, c.plat, area, sizeof(area), err, sizeof(err)), IOTFLASH_ERR_CHECKSUM);
	memset(area, 0xFF, sizeof(area));
	ck_assert_int_eq(iotflash_obk_decode(&back, c.plat, area, sizeof(area), err, sizeof(err)),
	                 IOTFLASH_ERR_UNSUPPORTED);
}
END_TEST

/* A version-3 blob (W800 builds before 2026) on flash next to other data:
 * read with the 2016-byte CRC; written back whole as version 5, the bytes it
 * never covered zeroed, not taken from the neighbours. */
START_TEST(version3_upgraded_on_write)
{
	struct iotflash_obk_config c, back;
	static uint8_t area[0x10000];
	char err[256];
	memset(area, 0xA5, sizeof(area));
	worked_example(&c, "bk7231n", "OpenW800_demo", 3);
	c.plat = iotflash_obk_platform("w800");
	iotflash_obk_seal(&c);
	memcpy(area + 0x303, c.blob, 2016);  /* what an old firmware saved */
	ck_assert_int_eq(iotflash_obk_decode(&back, c.plat, area, sizeof(area), err, sizeof(err)), IOTFLASH_OK);
	ck_assert_int_eq(iotflash_obk_version(&back), 3);
	ck_assert_uint_eq(back.blob[2016], 0xA5);
	set_ok(&back, "wifi.ssid=New");
	ck_assert_int_eq(iotflash_obk_encode(&back, area, sizeof(area), err, sizeof(err)), IOTFLASH_OK);
	ck_assert_int_eq(iotflash_obk_decode(&c, back.plat, area, sizeof(area), err, sizeof(err)), IOTFLASH_OK);
	ck_assert_int_eq(iotflash_obk_version(&c), 5);
	ck_assert_uint_eq(c.blob[2016], 0);
	ck_assert_uint_eq(c.blob[IOTFLASH_OBK_CONFIG_SIZE - 1], 0);
	ck_assert_uint_eq(area[0x302], 0xA5);                    /* neighbours kept */
	ck_assert_uint_eq(area[0x303 + IOTFLASH_OBK_CONFIG_SIZE], 0xA5);
	ck_assert_str_eq((char *)c.blob + 0x5E0, "startDriver NTP");
}
END_TEST

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* docs/protocols/bl60x.md §6.1: the PSM entry of a valid table, nothing
 * from a damaged one. */
START_TEST(bouffalo_partition_table)
{
	static uint8_t t[4096];
	uint32_t addr = 0, size = 0;
	memset(t, 0xFF, sizeof(t));
	memcpy(t, "BFPT", 4);
	memset(t + 4, 0, 8);
	t[6] = 2;
	put32(t + 12, iotflash_obk_crc32(t, 12));
	memset(t + 16, 0, 72);
	memcpy(t + 16 + 3, "FW", 2);
	put32(t + 16 + 12, 0x10000);
	put32(t + 16 + 20, 0x100000);
	t[52] = 4;
	memcpy(t + 52 + 3, "PSM", 3);
	put32(t + 52 + 12, 0x1C0000);
	put32(t + 52 + 20, 0x8000);
	put32(t + 88, iotflash_obk_crc32(t + 16, 72));
	ck_assert(iotflash_obk_bouffalo_psm(t, sizeof(t), &addr, &size));
	ck_assert_uint_eq(addr, 0x1C0000);
	ck_assert_uint_eq(size, 0x8000);
	t[52 + 12] ^= 1;  /* entries' CRC fails */
	ck_assert(!iotflash_obk_bouffalo_psm(t, sizeof(t), &addr, &size));
	t[52 + 12] ^= 1;
	t[8] = 1;  /* header CRC fails */
	ck_assert(!iotflash_obk_bouffalo_psm(t, sizeof(t), &addr, &size));
	t[8] = 0;
	t[6] = 200;  /* more entries than the buffer holds */
	ck_assert(!iotflash_obk_bouffalo_psm(t, 100, &addr, &size));
}
END_TEST

START_TEST(bad_input_names_the_key)
{
	static const struct {
		const char *kv, *says;
	} cases[] = {
		{"pin.29=Relay", "pin.29"},           {"pin.3=Rleay", "Rleay"},        {"pin.3=Relay:64", "64"},
		{"pin.3=Relay:1:2:3", "pin.3"},       {"flag.64=1", "flag.64"},        {"flag.3=2", "flag.3"},
		{"mqtt.port=0", "mqtt.port"},         {"mqtt.port=70000", "mqtt.port"}, {"mqtt.port=12ab", "12ab"},
		{"wifi.sid=x", "wifi.sid"},           {"novalue", "novalue"},          {"=x", "KEY=VALUE"},
		{"name.short=0123456789012345678901234567890123", "name.short"},
	};
	struct iotflash_obk_config c, before;
	iotflash_obk_init(&c, iotflash_obk_platform("bk7231n"));
	before = c;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[256] = "";
		ck_assert_int_eq(iotflash_obk_set_assignment(&c, cases[i].kv, err, sizeof(err)), IOTFLASH_ERR_ARG);
		ck_assert_msg(strstr(err, cases[i].says), "%s: '%s'", cases[i].kv, err);
		ck_assert_ptr_null(strchr(err, '\n'));
	}
	ck_assert_mem_eq(c.blob, before.blob, sizeof(c.blob));
	set_ok(&c, "pin.3=btn:2");  /* GUI spelling, any case */
	ck_assert_uint_eq(c.blob[0x33E + 3], 3);
	set_ok(&c, "pin.3=None");
	ck_assert_uint_eq(c.blob[0x33E + 3], 0);
	ck_assert_uint_eq(c.blob[0x35E + 3], 0);
}
END_TEST

START_TEST(json_round_trip_and_errors)
{
	struct iotflash_obk_config c, d;
	char err[256], *j1, *j2;
	iotflash_obk_init(&c, iotflash_obk_platform("bk7231t"));
	set_ok(&c, "wifi.password=p\\\"w");
	set_ok(&c, "pin.26=PWM:1");
	set_ok(&c, "pin.24=LED_n:2:3");
	set_ok(&c, "startup_command=backlog a\nb");
	ck_assert_int_eq(iotflash_obk_to_json(&c, true, &j1), IOTFLASH_OK);
	/* into another config with other pins and flags: replaced, not merged */
	iotflash_obk_init(&d, c.plat);
	set_ok(&d, "pin.7=Relay:1");
	set_ok(&d, "flag.3=1");
	ck_assert_msg(iotflash_obk_from_json(&d, j1, err, sizeof(err)) == IOTFLASH_OK, "%s", err);
	ck_assert_int_eq(iotflash_obk_to_json(&d, true, &j2), IOTFLASH_OK);
	ck_assert_str_eq(j1, j2);
	ck_assert_mem_eq(c.blob + 0x14, d.blob + 0x14, 0x33E - 0x14 + 32);
	free(j2);
	/* hidden secrets keep the current value */
	free(j1);
	ck_assert_int_eq(iotflash_obk_to_json(&c, false, &j1), IOTFLASH_OK);
	ck_assert_ptr_null(strstr(j1, "password"));
	free(j1);
	ck_assert_int_eq(iotflash_obk_from_json(&d, "{\"wifi\": {\"ssid\": \"caf\\u00e9\"}}", err, sizeof(err)),
	                 IOTFLASH_OK);
	ck_assert_str_eq((char *)d.blob + 0x14, "caf\xc3\xa9");
	ck_assert_str_eq((char *)d.blob + 0x54, "p\\\"w");
	/* errors: nothing changes, one line naming the key */
	c = d;
	ck_assert_int_eq(iotflash_obk_from_json(&d, "{\"wifi\": {\"ssid\": \"x\"}, \"mqtt\": {\"port\": 99999}}", err,
	                                        sizeof(err)), IOTFLASH_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(err, "mqtt.port"));
	ck_assert_mem_eq(c.blob, d.blob, sizeof(c.blob));
	ck_assert_int_eq(iotflash_obk_from_json(&d, "{\"wifi\": {\"ssid\": \"x\"", err, sizeof(err)), IOTFLASH_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(err, "invalid JSON"));
	ck_assert_int_eq(iotflash_obk_from_json(&d, "{\"pin\": {\"5\": null}}", err, sizeof(err)), IOTFLASH_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(err, "pin.5"));
	ck_assert_int_eq(iotflash_obk_from_json(&d, "{\"colour\": 1}", err, sizeof(err)), IOTFLASH_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(err, "colour"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("obk-config");
	TCase *t = tcase_create("all");
	SRunner *sr;
	int failed;

	tcase_add_test(t, crc8_check_values);
	tcase_add_test(t, worked_example_bk7231n);
	tcase_add_test(t, worked_example_variants);
	tcase_add_test(t, easyflash_entry_vector);
	tcase_add_test(t, easyflash_gran32_vector);
	tcase_add_test(t, easyflash_rewrite_keeps_keys);
	tcase_add_test(t, groups_place_channels);
	tcase_add_test(t, round_trip_every_platform);
	tcase_add_test(t, crc_variant_follows_chip);
	tcase_add_test(t, version3_upgraded_on_write);
	tcase_add_test(t, bouffalo_partition_table);
	tcase_add_test(t, bad_input_names_the_key);
	tcase_add_test(t, json_round_trip_and_errors);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
