/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Tuya store extraction and Beken code encryption: spec vectors, synthetic
 * stores built here from the format (fragmented values, swap copies,
 * damage), and the flash images of facts.h: the stores tests/fixtures/mkimage.py
 * builds with its own encoder, or the real dumps (§9 of the spec). */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/aes.h>

#include "iotflash/tuya.h"

#include "facts.h"

#define SECTOR 4096
#define PAGE 128
#define ARENA 0x12000

/* ---- building synthetic stores ---- */

static const uint8_t master_key[16] = "qwertyuiopasdfgh";
/* P1[i & 3] + P2[i] for P1 "8710_2M", P2 "HHRRQbyemofrtytf" (spec §2). */
static const uint8_t key_constant[16] = {
	0x80, 0x7f, 0x83, 0x82, 0x89, 0x99, 0xaa, 0x95, 0xa5, 0xa6, 0x97, 0xa2, 0xac, 0xb0, 0xa5, 0x96,
};
static const uint8_t device_key[16] = {
	0x5e, 0xe6, 0x3f, 0xc6, 0xd7, 0xcd, 0x36, 0x54, 0xaa, 0xc8, 0x3c, 0xc8, 0x3b, 0xde, 0x1f, 0x03,
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static uint32_t sum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	while (n--)
		s += *p++;
	return s;
}

static void ecb_encrypt(const uint8_t key[16], uint8_t *buf, size_t len)
{
	struct aes128_ctx ctx;
	aes128_set_encrypt_key(&ctx, key);
	aes128_encrypt(&ctx, len, buf, buf);
}

static void data_key(uint8_t out[16])
{
	for (int i = 0; i < 16; i++)
		out[i] = (uint8_t)(device_key[i] + key_constant[i]);
}

static void key_block(uint8_t *sector)
{
	memset(sector, 0xFF, SECTOR);
	put32(sector, 0x13579753);
	put32(sector + 4, sum(device_key, 16));
	memcpy(sector + 8, device_key, 16);
	ecb_encrypt(master_key, sector, SECTOR);
}

struct fake_block {
	uint8_t plain[SECTOR];
};

static void block_init(struct fake_block *b, uint16_t id, uint32_t generation, uint32_t magic)
{
	memset(b->plain, 0xFF, SECTOR);
	put32(b->plain, magic);
	put16(b->plain + 8, id);
	put32(b->plain + 10, generation);
	b->plain[14] = 4;
	memset(b->plain + 15, 0, 4);
}

/* An index page for name at page; parts are {block, first, last}. */
static void block_index(struct fake_block *b, unsigned page, const char *name, const void *value,
                        size_t len, const unsigned (*parts)[3], unsigned n_parts)
{
	uint8_t *p = b->plain + page * PAGE;
	memset(p, 0, PAGE);
	put32(p, sum(value, len));
	put32(p + 4, (uint32_t)len);
	memcpy(p + 8, b->plain + 8, 2);
	p[10] = (uint8_t)page;
	put16(p + 11, (uint16_t)n_parts);
	put32(p + 13, 1);
	p[17] = (uint8_t)(strlen(name) + 1);
	memcpy(p + 18, name, strlen(name) + 1);
	uint8_t *q = p + 18 + strlen(name) + 1;
	for (unsigned i = 0; i < n_parts; i++, q += 4) {
		put16(q, (uint16_t)parts[i][0]);
		q[2] = (uint8_t)parts[i][1];
		q[3] = (uint8_t)parts[i][2];
	}
	b->plain[15 + page / 8] |= (uint8_t)(1u << (page % 8));
}

static void block_data(struct fake_block *b, unsigned page, const void *data, size_t len)
{
	memset(b->plain + page * PAGE, 0, (len + PAGE - 1) / PAGE * PAGE);
	memcpy(b->plain + page * PAGE, data, len);
}

/* A key whose value fits in the pages right after its index page. */
static void block_kv(struct fake_block *b, unsigned page, const char *name, const char *value)
{
	size_t len = strlen(value);
	unsigned id = b->plain[8] | b->plain[9] << 8;
	unsigned last = page + (unsigned)((len + PAGE - 1) / PAGE);
	const unsigned parts[1][3] = { { id, page + 1, last } };
	block_index(b, page, name, value, len, parts, 1);
	block_data(b, page + 1, value, len);
}

/* Checksum, encrypt and place the block at sector slot of the store. */
static void block_store(struct fake_block *b, uint8_t *store, unsigned slot)
{
	uint8_t key[16];
	put32(b->plain + 4, sum(b->plain + 8, SECTOR - 8));
	memcpy(store + slot * SECTOR, b->plain, SECTOR);
	data_key(key);
	ecb_encrypt(key, store + slot * SECTOR, SECTOR);
}

/* An arena: key block in slot 0, blank (0xFF) sectors elsewhere. */
static uint8_t *new_arena(void)
{
	uint8_t *a = malloc(ARENA);
	ck_assert_ptr_nonnull(a);
	memset(a, 0xFF, ARENA);
	key_block(a);
	return a;
}

static const char upk_basic[] = "{module:WB3S,rl1_pin:6,rl1_lv:1,bt1_pin:7,bt1_lv:0,netled_pin:8,"
                                "jv:1.0.0,crc:12,}";

/* A store with the basic template in block 0 and a Wi-Fi state in block 1. */
static uint8_t *basic_arena(void)
{
	uint8_t *a = new_arena();
	struct fake_block b;
	block_init(&b, 0, 1, 0x98761234);
	block_kv(&b, 1, "user_param_key", upk_basic);
	block_kv(&b, 3, "em_sys_env", "BK7231S_2M");
	block_store(&b, a, 1);
	block_init(&b, 1, 1, 0x98761234);
	/* "MyNet" and "secret!" in base64 */
	block_kv(&b, 1, "gw_wsm", "{\"nc_tp\":3,\"ssid\":\"TXlOZXQ=\",\"passwd\":\"c2VjcmV0IQ==\","
	         "\"wfb64\":1,\"token\":null}");
	block_store(&b, a, 2);
	return a;
}

static struct iotflash_tuya_config *extract_ok(const uint8_t *d, size_t n)
{
	struct iotflash_tuya_config *cfg = NULL;
	char err[256] = "";
	int rc = iotflash_tuya_extract(d, n, &cfg, err, sizeof(err));
	ck_assert_msg(rc == IOTFLASH_OK, "extract failed: %d %s", rc, err);
	ck_assert_ptr_nonnull(cfg);
	return cfg;
}

/* "P6 Rel/1,P7 Btn_Tgl_All": the OpenBeken roles as the spec's table lists them. */
static void roles_text(const struct iotflash_tuya_config *cfg, char *out, size_t n)
{
	out[0] = 0;
	for (unsigned i = 0; i < iotflash_tuya_pin_count(cfg); i++) {
		const struct iotflash_tuya_pin *p = iotflash_tuya_pin(cfg, i);
		if (!p->obk_role)
			continue;
		size_t used = strlen(out);
		if (p->obk_channel >= 0)
			snprintf(out + used, n - used, "%sP%u %s/%d", used ? "," : "", p->pin, p->obk_role,
			         p->obk_channel);
		else
			snprintf(out + used, n - used, "%sP%u %s", used ? "," : "", p->pin, p->obk_role);
	}
}

static void commands_text(const struct iotflash_tuya_config *cfg, char *out, size_t n)
{
	out[0] = 0;
	for (unsigned i = 0; i < iotflash_tuya_obk_command_count(cfg); i++) {
		size_t used = strlen(out);
		snprintf(out + used, n - used, "%s%s", used ? ";" : "", iotflash_tuya_obk_command(cfg, i));
	}
}

static bool has_warning(const struct iotflash_tuya_config *cfg, const char *part)
{
	for (unsigned i = 0; i < iotflash_tuya_warning_count(cfg); i++)
		if (strstr(iotflash_tuya_warning(cfg, i), part))
			return true;
	return false;
}

/* ---- synthetic stores ---- */

START_TEST(test_basic_store)
{
	uint8_t *a = basic_arena();
	struct iotflash_tuya_config *cfg = extract_ok(a, ARENA);
	char roles[512];
	ck_assert_uint_eq(iotflash_tuya_store_offset(cfg), 0);
	ck_assert_str_eq(iotflash_tuya_module(cfg), "WB3S");
	ck_assert_str_eq(iotflash_tuya_template_source(cfg), "user_param_key");
	const char *basis;
	ck_assert_str_eq(iotflash_tuya_chip(cfg, &basis), "BK7231T");
	ck_assert_str_eq(basis, "em_sys_env key");
	roles_text(cfg, roles, sizeof(roles));
	ck_assert_str_eq(roles, "P6 Rel/1,P7 Btn/1,P8 WifiLED_n");
	const struct iotflash_tuya_pin *p = iotflash_tuya_pin(cfg, 0);
	ck_assert_int_eq(p->level, 1);
	ck_assert_str_eq(p->function, "relay 1");
	ck_assert_int_eq(iotflash_tuya_pin(cfg, 1)->level, 0);
	ck_assert_int_eq(iotflash_tuya_pin(cfg, 2)->level, -1);
	ck_assert(iotflash_tuya_complete(cfg));
	ck_assert_uint_eq(iotflash_tuya_warning_count(cfg), 0);
	ck_assert_str_eq(iotflash_tuya_param_get(cfg, "jv"), "1.0.0");
	const char *ssid, *pass;
	ck_assert(iotflash_tuya_wifi(cfg, &ssid, &pass));
	ck_assert_str_eq(ssid, "MyNet");
	ck_assert_str_eq(pass, "secret!");
	ck_assert(iotflash_tuya_kv_find(cfg, "gw_wsm")->secret);
	iotflash_tuya_free(cfg);
	free(a);
}
END_TEST

START_TEST(test_json_hides_secrets)
{
	uint8_t *a = basic_arena();
	struct iotflash_tuya_config *cfg = extract_ok(a, ARENA);
	char *json;
	ck_assert_int_eq(iotflash_tuya_to_json(cfg, false, &json), IOTFLASH_OK);
	ck_assert_ptr_null(strstr(json, "MyNet"));
	ck_assert_ptr_null(strstr(json, "TXlOZXQ"));
	ck_assert_ptr_nonnull(strstr(json, "\"schema\":\"iotflash-tuya-config/1\""));
	ck_assert_ptr_nonnull(strstr(json, "\"module\":\"WB3S\""));
	ck_assert_ptr_nonnull(strstr(json, "\"wifi\":{\"paired\":true}"));
	free(json);
	ck_assert_int_eq(iotflash_tuya_to_json(cfg, true, &json), IOTFLASH_OK);
	ck_assert_ptr_nonnull(strstr(json, "\"ssid\":\"MyNet\",\"password\":\"secret!\""));
	free(json);
	iotflash_tuya_free(cfg);
	free(a);
}
END_TEST

/* A 300-byte value in two parts, the second in another block (spec §3.3). */
START_TEST(test_fragmented_value)
{
	uint8_t *a = new_arena();
	char upk[301];
	memset(upk, 'x', sizeof(upk));
	memcpy(upk, "{module:CB3S,rl1_pin:24,bt1_pin:9,pad:", 38);
	memcpy(upk + 296, ",}\0\0", 4);
	size_t len = 300;
	struct fake_block b0, b1;
	block_init(&b0, 0, 1, 0x98761234);
	block_init(&b1, 1, 1, 0x98761234);
	const unsigned parts[2][3] = { { 0, 3, 3 }, { 1, 9, 10 } };
	block_index(&b0, 2, "user_param_key", upk, len, parts, 2);
	block_data(&b0, 3, upk, PAGE);
	block_data(&b1, 9, upk + PAGE, len - PAGE);
	block_store(&b0, a, 1);
	block_store(&b1, a, 2);
	struct iotflash_tuya_config *cfg = extract_ok(a, ARENA);
	const struct iotflash_tuya_kv *kv = iotflash_tuya_kv_find(cfg, "user_param_key");
	ck_assert_ptr_nonnull(kv);
	ck_assert_uint_eq(kv->len, 300);
	ck_assert(kv->checksum_ok);
	ck_assert_str_eq(iotflash_tuya_module(cfg), "CB3S");
	const char *basis;
	ck_assert_str_eq(iotflash_tuya_chip(cfg, &basis), "BK7231N");
	ck_assert_str_eq(basis, "module name");
	char roles[256];
	roles_text(cfg, roles, sizeof(roles));
	ck_assert_str_eq(roles, "P9 Btn/1,P24 Rel/1");
	iotflash_tuya_free(cfg);
	free(a);
}
END_TEST

/* The copy with the highest generation is live, wherever it sits. */
START_TEST(test_swap_generation)
{
	uint8_t *a = new_arena();
	struct fake_block b;
	block_init(&b, 0, 7, 0x98761234);
	block_kv(&b, 1, "user_param_key", "{module:NEW1,}");
	block_store(&b, a, 15);
	block_init(&b, 0, 5, 0x98761234);
	block_kv(&b, 1, "user_param_key", "{module:OLD1,}");
	block_store(&b, a, 1);
	block_init(&b, 1, 1, 0x135726AB);  /* TuyaOS 3 magic */
	block_kv(&b, 1, "baud_cfg", "{\"baud\":9600}");
	block_store(&b, a, 2);
	struct iotflash_tuya_config *cfg = extract_ok(a, ARENA);
	ck_assert_str_eq(iotflash_tuya_module(cfg), "NEW1");
	ck_assert_ptr_nonnull(iotflash_tuya_kv_find(cfg, "baud_cfg"));
	unsigned seen, damaged;
	iotflash_tuya_sector_counts(cfg, &seen, &damaged);
	ck_assert_uint_eq(seen, 3);
	ck_assert_uint_eq(damaged, 0);
	iotflash_tuya_free(cfg);
	free(a);
}
END_TEST

START_TEST(test_tuyamcu_baud)
{
	uint8_t *a = new_arena();
	struct fake_block b;
	block_init(&b, 0, 1, 0x98761234);
	block_kv(&b, 1, "baud_cfg", "{\"baud\":9600}");
	block_store(&b, a, 1);
	struct iotflash_tuya_config *cfg = extract_ok(a, ARENA);
	ck_assert_str_eq(iotflash_tuya_template_source(cfg), "baud_cfg");
	ck_assert_ptr_null(iotflash_tuya_module(cfg));
	ck_assert_uint_eq(iotflash_tuya_pin_count(cfg), 0);
	ck_assert_uint_eq(iotflash_tuya_note_count(cfg), 2);
	ck_assert_str_eq(iotflash_tuya_note(cfg, 0), "TuyaMCU or BL0942 device: serial at 9600 baud");
	ck_assert_str_eq(iotflash_tuya_note(cfg, 1), "no meaningful pins: TuyaMCU or custom device");
	iotflash_tuya_free(cfg);
	free(a);
}
END_TEST

static struct iotflash_tuya_config *template_only(const char *upk)
{
	uint8_t *a = new_arena();
	struct fake_block b;
	block_init(&b, 0, 1, 0x98761234);
	block_kv(&b, 1, "user_param_key", upk);
	block_store(&b, a, 1);
	struct iotflash_tuya_config *cfg = extract_ok(a, ARENA);
	free(a);
	return cfg;
}

/* I2C LED drivers: roles on SDA/SCL, current and channel-map commands (§6). */
START_TEST(test_i2c_drivers)
{
	static const struct {
		const char *upk, *roles, *commands;
	} cases[] = {
		{ "{iicsda:26,iicscl:8,iicr:2,iicg:1,iicb:0,iicc:4,iicw:3,campere:20,wampere:50,}",
		  "P8 SM2135CLK,P26 SM2135DAT", "SM2135_Current 20 50;LED_Map 2 1 0 4 3" },
		{ "{iicsda:24,iicscl:26,iicr:2,iicg:1,iicb:0,iicc:4,iicw:3,cjccur:3,cjwcur:3,}",
		  "P24 BP1658CJ_DAT,P26 BP1658CJ_CLK", "BP1658CJ_Current 3 3;LED_Map 2 1 0 4 3" },
		{ "{iicsda:24,iicscl:26,iicr:1,iicg:0,iicb:2,iicc:4,iicw:3,2235ccur:1,2235wcur:2,}",
		  "P24 SM2235DAT,P26 SM2235CLK", "SM2235_Current 1 2;LED_Map 1 0 2 4 3" },
		{ "{iicsda:6,iicscl:7,dccur:10,dwcur:30,drgbcur:14,iicr:0,}",
		  "P6 BP5758D_DAT,P7 BP5758D_CLK", "BP5758D_Current 14 30;LED_Map 0 -1 -1 -1 -1" },
		{ "{iicsda:6,iicscl:7,kp58wcur:5,}",
		  "P6 KP18058_DAT,P7 KP18058_CLK", "KP18058_Current 5 1;LED_Map -1 -1 -1 -1 -1" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct iotflash_tuya_config *cfg = template_only(cases[i].upk);
		char roles[256], cmds[256];
		roles_text(cfg, roles, sizeof(roles));
		commands_text(cfg, cmds, sizeof(cmds));
		ck_assert_str_eq(roles, cases[i].roles);
		ck_assert_str_eq(cmds, cases[i].commands);
		iotflash_tuya_free(cfg);
	}
}
END_TEST

/* The GUI's rule table, including its order and channel digits. */
START_TEST(test_pin_rules)
{
	struct iotflash_tuya_config *cfg = template_only(
		"{basic_pin_pin:16,bt_pin:20,samp_pin:23,samp_sw_pin:17,status_led_pin:26,"
		"max_V:3000,min_V:2200,rl_off2_pin:1,k3pin_pin:2,door1_magt_pin:3,onoff4:4,"
		"infre:5,irpin:6,mosi:7,remote_io:9,reset_pin:10,bz_pin_pin:11,led12_pin:12,"
		"samp_sw_lv:1,pwmhz:1000,}");
	char roles[512], cmds[128];
	roles_text(cfg, roles, sizeof(roles));
	ck_assert_str_eq(roles, "P1 Rel_n/2,P2 Btn/3,P3 dInput/1,P4 TglChanOnTgl/4,P5 IRSend,"
	                 "P6 IRRecv,P7 SM16703P_DIN,P9 RCRecv,P10 Btn,P12 LED/12,P16 dInput,"
	                 "P17 BAT_Relay,P20 Btn/0,P23 BAT_ADC,P26 WifiLED_n");
	commands_text(cfg, cmds, sizeof(cmds));
	ck_assert_str_eq(cmds, "PWMFrequency 1000");
	/* the buzzer is a template pin without an OpenBeken role */
	bool buzzer = false;
	for (unsigned i = 0; i < iotflash_tuya_pin_count(cfg); i++) {
		const struct iotflash_tuya_pin *p = iotflash_tuya_pin(cfg, i);
		if (p->pin == 11) {
			buzzer = true;
			ck_assert_ptr_null(p->obk_role);
			ck_assert_str_eq(p->function, "buzzer");
		}
	}
	ck_assert(buzzer);
	ck_assert_str_eq(iotflash_tuya_note(cfg, 0), "battery-powered device (max_V 3000, min_V 2200)");
	iotflash_tuya_free(cfg);
}
END_TEST

/* Strict JSON and Tuya's quote-less form; nested values are skipped. */
START_TEST(test_template_syntax)
{
	struct iotflash_tuya_config *cfg = template_only(
		"{\"module\":\"CB2S\",\"nest\":{\"a\":[1,{\"b\":2}]},\"flag\":true,\"none\":null,"
		"\"esc\":\"a\\\"b\\u0041\",  spaced : v 1 ,list:[1,2],jv:1.0.0,}");
	const char *expect[][2] = {
		{ "module", "CB2S" }, { "flag", "true" }, { "none", "" }, { "esc", "a\"bA" },
		{ "spaced", "v 1" }, { "jv", "1.0.0" },
	};
	ck_assert_uint_eq(iotflash_tuya_param_count(cfg), 6);
	for (unsigned i = 0; i < 6; i++) {
		const char *k, *v;
		ck_assert(iotflash_tuya_param(cfg, i, &k, &v));
		ck_assert_str_eq(k, expect[i][0]);
		ck_assert_str_eq(v, expect[i][1]);
	}
	iotflash_tuya_free(cfg);
}
END_TEST

/* A damaged block with no intact copy: self-checking values survive. */
START_TEST(test_damaged_block_recovery)
{
	uint8_t *a = basic_arena();
	uint8_t key[16];
	data_key(key);
	/* flip the whole last AES block of block 0's sector: outside any value */
	a[1 * SECTOR + SECTOR - 1] ^= 0x55;
	struct iotflash_tuya_config *cfg = extract_ok(a, ARENA);
	ck_assert(!iotflash_tuya_complete(cfg));
	ck_assert(has_warning(cfg, "data sector at 0x1000 (block 0) fails its checksum"));
	ck_assert_str_eq(iotflash_tuya_module(cfg), "WB3S");
	unsigned seen, damaged;
	iotflash_tuya_sector_counts(cfg, &seen, &damaged);
	ck_assert_uint_eq(damaged, 1);
	iotflash_tuya_free(cfg);

	/* now damage the template's own data page: it is dropped, the rest stays */
	a[1 * SECTOR + 2 * PAGE + 5] ^= 0x55;
	cfg = extract_ok(a, ARENA);
	ck_assert_ptr_null(iotflash_tuya_kv_find(cfg, "user_param_key"));
	ck_assert_ptr_null(iotflash_tuya_module(cfg));
	ck_assert_ptr_nonnull(iotflash_tuya_kv_find(cfg, "gw_wsm"));
	ck_assert_ptr_nonnull(iotflash_tuya_kv_find(cfg, "em_sys_env"));
	ck_assert(!iotflash_tuya_complete(cfg));
	iotflash_tuya_free(cfg);
	free(a);
}
END_TEST

/* A damaged live block with an older intact copy: the copy is used. */
START_TEST(test_damaged_block_older_copy)
{
	uint8_t *a = new_arena();
	struct fake_block b;
	block_init(&b, 0, 3, 0x98761234);
	block_kv(&b, 1, "user_param_key", "{module:NEWER,}");
	block_store(&b, a, 1);
	block_init(&b, 0, 2, 0x98761234);
	block_kv(&b, 1, "user_param_key", "{module:OLDER,}");
	block_store(&b, a, 15);
	a[1 * SECTOR + 2 * PAGE] ^= 1;
	struct iotflash_tuya_config *cfg = extract_ok(a, ARENA);
	ck_assert_str_eq(iotflash_tuya_module(cfg), "OLDER");
	ck_assert(has_warning(cfg, "an intact copy is used instead"));
	iotflash_tuya_free(cfg);
	free(a);
}
END_TEST

START_TEST(test_missing_part)
{
	uint8_t *a = new_arena();
	struct fake_block b;
	const char *v = "{module:GONE,}";
	const unsigned parts[1][3] = { { 5, 1, 1 } };
	block_init(&b, 0, 1, 0x98761234);
	block_index(&b, 1, "user_param_key", v, strlen(v), parts, 1);
	block_kv(&b, 3, "em_sys_env", "bk7231n");
	block_store(&b, a, 1);
	struct iotflash_tuya_config *cfg = extract_ok(a, ARENA);
	const struct iotflash_tuya_kv *kv = iotflash_tuya_kv_find(cfg, "user_param_key");
	ck_assert_ptr_nonnull(kv);
	ck_assert(!kv->complete);
	ck_assert(has_warning(cfg, "value of user_param_key is incomplete"));
	ck_assert_ptr_null(iotflash_tuya_module(cfg));
	ck_assert_str_eq(iotflash_tuya_chip(cfg, NULL), "BK7231N");
	iotflash_tuya_free(cfg);
	free(a);
}
END_TEST

/* A protected block (N) one sector before the key block, holding gw_wsm. */
static void protected_block(uint8_t *sector)
{
	uint8_t key[16];
	memset(sector, 0xFF, SECTOR);
	put32(sector, 0x13579753);
	memcpy(sector + 8, device_key, 16);
	const char *value = "{\"ssid\":\"UHJvdA==\",\"passwd\":\"\",\"wfb64\":1}";
	uint32_t vlen = (uint32_t)strlen(value);
	put32(sector + 24, 36 + vlen);
	put32(sector + 28, 0xFFFFFFFF);
	put32(sector + 32, vlen);
	memset(sector + 36, 0, 32);
	memcpy(sector + 36, "gw_wsm", 6);
	memcpy(sector + 68, value, vlen);
	data_key(key);
	ecb_encrypt(key, sector + 32, SECTOR - 32);
	put32(sector + 4, sum(sector + 8, SECTOR - 8));
	ecb_encrypt(master_key, sector, SECTOR);
}

START_TEST(test_protected_block)
{
	uint8_t *a = malloc(SECTOR + ARENA);
	uint8_t *arena = new_arena();
	struct fake_block b;
	block_init(&b, 0, 1, 0x98761234);
	block_kv(&b, 1, "user_param_key", upk_basic);
	block_store(&b, arena, 1);
	protected_block(a);
	memcpy(a + SECTOR, arena, ARENA);
	struct iotflash_tuya_config *cfg = extract_ok(a, SECTOR + ARENA);
	ck_assert_uint_eq(iotflash_tuya_store_offset(cfg), SECTOR);
	const struct iotflash_tuya_kv *kv = iotflash_tuya_kv_find(cfg, "gw_wsm");
	ck_assert_ptr_nonnull(kv);
	ck_assert_str_eq(kv->source, "protected");
	const char *ssid;
	ck_assert(iotflash_tuya_wifi(cfg, &ssid, NULL));
	ck_assert_str_eq(ssid, "Prot");
	iotflash_tuya_free(cfg);

	/* key block destroyed: the protected block's copy of the key still opens the store */
	memset(a + SECTOR, 0x00, SECTOR);
	cfg = extract_ok(a, SECTOR + ARENA);
	ck_assert(has_warning(cfg, "the key block is damaged"));
	ck_assert_str_eq(iotflash_tuya_module(cfg), "WB3S");
	iotflash_tuya_free(cfg);
	free(arena);
	free(a);
}
END_TEST

/* A dump that does not start on a sector boundary: found by the constant
 * ciphertext of the key block's 0xFF padding. */
START_TEST(test_unaligned_store)
{
	uint8_t *a = basic_arena();
	uint8_t *shifted = malloc(ARENA + 100);
	memset(shifted, 0x11, 100);
	memcpy(shifted + 100, a, ARENA);
	struct iotflash_tuya_config *cfg = extract_ok(shifted, ARENA + 100);
	ck_assert_uint_eq(iotflash_tuya_store_offset(cfg), 100);
	ck_assert_str_eq(iotflash_tuya_module(cfg), "WB3S");
	iotflash_tuya_free(cfg);
	free(shifted);
	free(a);
}
END_TEST

static void expect_error(const uint8_t *d, size_t n, int code, const char *msg)
{
	struct iotflash_tuya_config *cfg = (void *)1;
	char err[256] = "";
	int rc = iotflash_tuya_extract(d, n, &cfg, err, sizeof(err));
	ck_assert_int_eq(rc, code);
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strstr(err, msg), "message '%s' lacks '%s'", err, msg);
}

START_TEST(test_bad_input)
{
	uint8_t *d = malloc(0x20000);
	ck_assert_ptr_nonnull(d);
	memset(d, 0xFF, 0x20000);
	expect_error(d, 0, IOTFLASH_ERR_ARG, "empty");
	expect_error(d, 0x20000, IOTFLASH_ERR_UNSUPPORTED, "blank");
	memset(d, 0x00, 0x20000);
	expect_error(d, 0x20000, IOTFLASH_ERR_UNSUPPORTED, "all zeros");
	srand(7);
	for (size_t i = 0; i < 0x20000; i++)
		d[i] = (uint8_t)rand();
	expect_error(d, 0x20000, IOTFLASH_ERR_UNSUPPORTED, "not a Tuya BK7231T/N flash dump");
	memcpy(d, "CFG", 3);
	expect_error(d, 0x20000, IOTFLASH_ERR_UNSUPPORTED, "OpenBeken configuration");
	/* a key block whose data blocks are all gone */
	uint8_t *a = new_arena();
	expect_error(a, ARENA, IOTFLASH_ERR_UNSUPPORTED, "no data block decrypts");
	/* truncated in the middle of the key block */
	expect_error(a, 20, IOTFLASH_ERR_UNSUPPORTED, "no Tuya key-value store");
	ck_assert_int_eq(iotflash_tuya_extract(NULL, 10, (void *)d, NULL, 0), IOTFLASH_ERR_ARG);
	free(a);
	free(d);
}
END_TEST

START_TEST(test_truncated_store)
{
	uint8_t *a = basic_arena();
	/* cut inside block 1, after the Wi-Fi state: the value self-checks, so it is kept */
	struct iotflash_tuya_config *cfg = extract_ok(a, 2 * SECTOR + 1000);
	ck_assert(!iotflash_tuya_complete(cfg));
	ck_assert(has_warning(cfg, "truncated"));
	ck_assert(has_warning(cfg, "data sector at 0x2000 (block 1) fails its checksum"));
	ck_assert_str_eq(iotflash_tuya_module(cfg), "WB3S");
	ck_assert(iotflash_tuya_wifi(cfg, NULL, NULL));
	iotflash_tuya_free(cfg);
	/* cut inside the Wi-Fi state's index page: that key is lost, block 0's are not */
	cfg = extract_ok(a, 2 * SECTOR + 200);
	ck_assert(!iotflash_tuya_complete(cfg));
	ck_assert_str_eq(iotflash_tuya_module(cfg), "WB3S");
	ck_assert(!iotflash_tuya_wifi(cfg, NULL, NULL));
	ck_assert_ptr_null(iotflash_tuya_kv_find(cfg, "gw_wsm"));
	iotflash_tuya_free(cfg);
	free(a);
}
END_TEST

/* ---- Beken code encryption (spec §8) ---- */

START_TEST(test_pnout_vectors)
{
	static const uint32_t keys[3][4] = {
		{ 0x510fb093, 0xa3cbeadc, 0x5993a17e, 0xc7adeb03 },
		{ 0x12345678, 0x2faa55aa, 0x3aee63dd, 0x4feeaa00 },
		{ 0x12345678, 0x2faa55aa, 0x3aee63dd, 0x4feeab70 },
	};
	static const uint32_t addrs[5] = { 0, 4, 0x48, 0x10000, 0x12345678 };
	static const uint32_t expect[3][5] = {
		{ 0x7cb50721, 0x7cb50f21, 0x7cb59721, 0x7eb50721, 0x5108f354 },
		{ 0x67188026, 0x6f1888a6, 0xd538192e, 0x67188036, 0xf00dbb1e },
		{ 0x67180026, 0x67100826, 0x678894a6, 0x651a103f, 0xe01db1f9 },
	};
	static const uint32_t zero[4] = { 0 };
	static const uint32_t equivalent[4] = { 0, 0, 0x7cb50721, 0x55000803 };
	for (int k = 0; k < 3; k++)
		for (int i = 0; i < 5; i++)
			ck_assert_uint_eq(iotflash_beken_pnout(keys[k], addrs[i]), expect[k][i]);
	for (int i = 0; i < 5; i++)
		ck_assert_uint_eq(iotflash_beken_pnout(zero, addrs[i]), 0);
	/* PN16 keeps 16 bits (bk7231tools gets 0x6427DE91 here) */
	ck_assert_uint_eq(iotflash_beken_pnout(keys[1], 0xBD6AC0), 0x6420DE91);
	/* the Tuya key and its equivalent agree everywhere */
	for (uint32_t addr = 0; addr < 0x200000; addr += 0x1234)
		ck_assert_uint_eq(iotflash_beken_pnout(keys[0], addr & ~3u),
		                  iotflash_beken_pnout(equivalent, addr & ~3u));
}
END_TEST

START_TEST(test_crc_interleave)
{
	ck_assert_uint_eq(iotflash_beken_crc16((const uint8_t *)"123456789", 9), 0xAEE7);
	uint8_t logical[100], *phys, *back;
	size_t phys_len, back_len;
	for (int i = 0; i < 100; i++)
		logical[i] = (uint8_t)(i * 7);
	ck_assert_int_eq(iotflash_beken_crc_add(logical, 100, &phys, &phys_len), IOTFLASH_OK);
	ck_assert_uint_eq(phys_len, 4 * 34);
	ck_assert_uint_eq(phys[34 * 3 + 4], 0xFF);  /* padding of the short last packet */
	ck_assert_int_eq(iotflash_beken_crc_strip(phys, phys_len, &back, &back_len), IOTFLASH_OK);
	ck_assert_uint_eq(back_len, 128);
	ck_assert_mem_eq(back, logical, 100);
	free(back);
	phys[34 + 3] ^= 1;  /* the second packet goes bad: the image ends there */
	ck_assert_int_eq(iotflash_beken_crc_strip(phys, phys_len, &back, &back_len), IOTFLASH_OK);
	ck_assert_uint_eq(back_len, 32);
	free(back);
	free(phys);
}
END_TEST

/* A bootloader-shaped image encrypted with a non-Tuya key: the key comes
 * back from the known strings and the key copy at 0x48. */
START_TEST(test_recover_key_synthetic)
{
	static const uint32_t key[4] = { 0x4862379A, 0x8612784B, 0x85C5E258, 0x75754528 };
	size_t len = 0x8000;
	uint8_t *img = malloc(len), *phys;
	size_t phys_len;
	srand(3);
	for (size_t i = 0; i < len; i++)
		img[i] = (uint8_t)rand();
	for (int w = 0; w < 4; w++)
		put32(img + 0x48 + 4 * w, key[w]);
	memcpy(img + 0x5001, "invalid stored block lengths", 28);
	uint8_t *plain = malloc(len);
	memcpy(plain, img, len);
	iotflash_beken_crypt(key, 0, img, len);
	ck_assert_mem_ne(img, plain, 64);
	ck_assert_int_eq(iotflash_beken_crc_add(img, len, &phys, &phys_len), IOTFLASH_OK);
	uint32_t found[4];
	char err[256];
	ck_assert_int_eq(iotflash_beken_recover_key(phys, phys_len, found, err, sizeof(err)), IOTFLASH_OK);
	ck_assert_mem_eq(found, key, sizeof(key));
	iotflash_beken_crypt(found, 0, img, len);
	ck_assert_mem_eq(img, plain, len);
	free(phys);

	/* plaintext bootloader: the zero key */
	memcpy(plain + 0x300, "[ARM ANOMALY]", 13);
	ck_assert_int_eq(iotflash_beken_crc_add(plain, len, &phys, &phys_len), IOTFLASH_OK);
	ck_assert_int_eq(iotflash_beken_recover_key(phys, phys_len, found, err, sizeof(err)), IOTFLASH_OK);
	ck_assert_uint_eq(found[0] | found[1] | found[2] | found[3], 0);
	free(phys);
	/* too short to be a bootloader */
	ck_assert_int_eq(iotflash_beken_recover_key(plain, 4000, found, err, sizeof(err)),
	                 IOTFLASH_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(err, "not a Beken bootloader"));
	free(plain);
	free(img);
}
END_TEST

/* ---- flash images (facts.h): generated stores, or the real dumps ---- */

/* bk7231n-b: plain plug, chip told by the RF sector; bk7231n: metering plug
 * with a protected block; bk7231t: paired bulb, fragmented template. */
static const char *const roles[] = { "bk7231n-b", "bk7231n", "bk7231t" };

START_TEST(test_image_expected)
{
	const char *role = roles[_i];
	size_t len;
	uint8_t *d = load_image(role, &len);
	struct iotflash_tuya_config *cfg = extract_ok(d, len);
	char text[512];
	const char *basis, *ssid, *password;
	ck_assert_uint_eq(iotflash_tuya_store_offset(cfg), fact_num(role, "store_offset"));
	ck_assert_str_eq(iotflash_tuya_chip(cfg, &basis), fact(role, "tuya_chip"));
	ck_assert_str_eq(basis, fact(role, "chip_basis"));
	ck_assert_str_eq(iotflash_tuya_module(cfg), fact(role, "module"));
	roles_text(cfg, text, sizeof(text));
	ck_assert_str_eq(text, fact(role, "roles"));
	commands_text(cfg, text, sizeof(text));
	ck_assert_str_eq(text, fact(role, "commands"));
	ck_assert_int_eq(iotflash_tuya_wifi(cfg, &ssid, &password), fact_num(role, "paired"));
	if (*fact(role, "ssid")) {  /* the live copy, not the stale one in a swap block */
		ck_assert_str_eq(ssid, fact(role, "ssid"));
		ck_assert_str_eq(password, fact(role, "password"));
	}
	ck_assert(iotflash_tuya_complete(cfg));
	ck_assert_uint_eq(iotflash_tuya_warning_count(cfg), 0);
	unsigned seen, damaged;
	iotflash_tuya_sector_counts(cfg, &seen, &damaged);
	ck_assert_uint_eq(seen, 17);
	ck_assert_uint_eq(damaged, 0);
	for (unsigned i = 0; i < iotflash_tuya_kv_count(cfg); i++)
		ck_assert_msg(iotflash_tuya_kv(cfg, i)->checksum_ok, "%s", iotflash_tuya_kv(cfg, i)->name);
	const struct iotflash_tuya_kv *bi = iotflash_tuya_kv_find(cfg, "gw_bi");
	ck_assert(bi && bi->checksum_ok && bi->secret);
	if (*fact(role, "upk")) {  /* the template, verbatim */
		const struct iotflash_tuya_kv *upk = iotflash_tuya_kv_find(cfg, "user_param_key");
		ck_assert_ptr_nonnull(upk);
		ck_assert_uint_eq(upk->len, strlen(fact(role, "upk")));
		ck_assert_str_eq((const char *)upk->value, fact(role, "upk"));
	}
	iotflash_tuya_free(cfg);
	free(d);
}
END_TEST

/* Rotated by 0x11000 like two of the spec's dumps, and the bare arena. */
START_TEST(test_image_rotated_and_arena)
{
	size_t len, store = fact_num("bk7231n-b", "store_offset");
	uint8_t *d = load_image("bk7231n-b", &len);
	uint8_t *rot = malloc(len);
	memcpy(rot, d + 0x11000, len - 0x11000);
	memcpy(rot + len - 0x11000, d, 0x11000);
	struct iotflash_tuya_config *cfg = extract_ok(rot, len);
	char text[256];
	ck_assert_uint_eq(iotflash_tuya_store_offset(cfg), store - 0x11000);
	ck_assert_str_eq(iotflash_tuya_chip(cfg, NULL), fact("bk7231n-b", "tuya_chip"));
	roles_text(cfg, text, sizeof(text));
	ck_assert_str_eq(text, fact("bk7231n-b", "roles"));
	iotflash_tuya_free(cfg);

	cfg = extract_ok(d + store, ARENA);
	ck_assert_uint_eq(iotflash_tuya_store_offset(cfg), 0);
	ck_assert_str_eq(iotflash_tuya_module(cfg), fact("bk7231n-b", "module"));
	const char *basis;
	ck_assert_str_eq(iotflash_tuya_chip(cfg, &basis), fact("bk7231n-b", "tuya_chip"));
	ck_assert_str_eq(basis, "module name");
	ck_assert(iotflash_tuya_complete(cfg));
	iotflash_tuya_free(cfg);
	free(rot);
	free(d);
}
END_TEST

START_TEST(test_image_damage)
{
	size_t len, store = fact_num("bk7231n-b", "store_offset");
	size_t tpl = fact_num("bk7231n-b", "template_block");
	uint8_t *d = load_image("bk7231n-b", &len);
	char msg[64];
	/* truncated 6 sectors into the store: the template's block survives */
	struct iotflash_tuya_config *cfg = extract_ok(d, store + 0x6000);
	ck_assert(!iotflash_tuya_complete(cfg));
	ck_assert(has_warning(cfg, "truncated"));
	ck_assert_str_eq(iotflash_tuya_module(cfg), fact("bk7231n-b", "module"));
	iotflash_tuya_free(cfg);

	/* the template's block overwritten with garbage: what lives elsewhere is recovered */
	for (size_t i = 16; i < 528; i += 16)
		d[tpl + i] ^= 0xA5;
	cfg = extract_ok(d, len);
	ck_assert(!iotflash_tuya_complete(cfg));
	snprintf(msg, sizeof(msg), "0x%zx", tpl);
	ck_assert(has_warning(cfg, msg));
	ck_assert_ptr_nonnull(iotflash_tuya_kv_find(cfg, fact("bk7231n-b", "other_key")));
	iotflash_tuya_free(cfg);

	/* the key block wiped: nothing can be decrypted, and the message says so */
	memset(d + store, 0xFF, SECTOR);
	expect_error(d, len, IOTFLASH_ERR_UNSUPPORTED, "key block is damaged");
	free(d);
}
END_TEST

/* The bk7231n image has a protected block: it stands in for a wiped key block. */
START_TEST(test_image_protected_block)
{
	size_t len, store = fact_num("bk7231n", "store_offset");
	uint8_t *d = load_image("bk7231n", &len);
	char msg[96];
	ck_assert_uint_eq(fact_num("bk7231n", "protected_block"), 1);
	memset(d + store, 0xFF, SECTOR);
	struct iotflash_tuya_config *cfg = extract_ok(d, len);
	snprintf(msg, sizeof(msg), "device key was taken from the protected block at 0x%zx", store - SECTOR);
	ck_assert(has_warning(cfg, msg));
	ck_assert_str_eq(iotflash_tuya_module(cfg), fact("bk7231n", "module"));
	iotflash_tuya_free(cfg);
	free(d);
}
END_TEST

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Damaged records in a generated store: the template's record failing its
 * checksum, and a value whose part's block is gone.  Each warns as its facts
 * say, keeps what is intact, and marks the result incomplete. */
START_TEST(test_image_damaged_records)
{
	static const char *const variants[] = { "bk7231n-b-badsum", "bk7231n-b-nopart" };
	const char *role = variants[_i];
	if (!have_facts(role) && getenv("IOTFLASH_FACTS"))
		return;  /* real dumps: there is no damaged copy made by the encoder */
	size_t len;
	uint8_t *d = load_image(role, &len);
	struct iotflash_tuya_config *cfg = extract_ok(d, len);
	char want[512], *w, *save = NULL;
	ck_assert(!iotflash_tuya_complete(cfg));
	snprintf(want, sizeof(want), "%s", fact(role, "warnings"));
	for (w = strtok_r(want, ";", &save); w; w = strtok_r(NULL, ";", &save))
		ck_assert_msg(has_warning(cfg, w), "no warning \"%s\"", w);
	const struct iotflash_tuya_kv *lost = iotflash_tuya_kv_find(cfg, fact(role, "lost_key"));
	ck_assert(!lost || !lost->checksum_ok);
	const struct iotflash_tuya_kv *other = iotflash_tuya_kv_find(cfg, fact(role, "other_key"));
	ck_assert(other && other->checksum_ok);
	if (*fact(role, "module"))
		ck_assert_str_eq(iotflash_tuya_module(cfg), fact(role, "module"));
	else
		ck_assert_ptr_null(iotflash_tuya_module(cfg));
	iotflash_tuya_free(cfg);
	free(d);
}
END_TEST

static bool contains(const uint8_t *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(hay + i, needle, n))
			return true;
	return false;
}

/* Spec §8.3 decryption and §8.4 key recovery on every image. */
START_TEST(test_image_beken_decrypt)
{
	const char *role = roles[_i];
	size_t len;
	uint8_t *d = load_image(role, &len);
	uint32_t key[4];
	char err[256];
	ck_assert_int_eq(iotflash_beken_recover_key(d, 0x11000, key, err, sizeof(err)), IOTFLASH_OK);
	ck_assert_mem_eq(key, iotflash_beken_tuya_key, sizeof(key));
	uint8_t *boot, *app;
	size_t boot_len, app_len;
	ck_assert_int_eq(iotflash_beken_crc_strip(d, 0x11000, &boot, &boot_len), IOTFLASH_OK);
	ck_assert_int_eq(iotflash_beken_crc_strip(d + 0x11000, len - 0x11000, &app, &app_len), IOTFLASH_OK);
	ck_assert_uint_ge(boot_len, 0xDD20);
	iotflash_beken_crypt(key, 0, boot, boot_len);
	iotflash_beken_crypt(key, 0x10000, app, app_len);
	/* the key copy at 0x48, and ARM vector tables at both starts */
	for (int w = 0; w < 4; w++)
		ck_assert_uint_eq(le32(boot + 0x48 + 4 * w), key[w]);
	ck_assert_uint_eq(le32(boot + 4), 0xe59ff014);
	ck_assert_uint_eq(le32(app) & 0xFF000000, 0xEA000000);
	ck_assert_uint_eq(le32(app + 4) & 0xFFFFF000, 0xE59FF000);
	if (*fact(role, "boot_word0")) {
		ck_assert_uint_eq(le32(boot), fact_num(role, "boot_word0"));
		ck_assert_uint_eq(le32(app), fact_num(role, "app_word0"));
	}
	if (*fact(role, "boot_version"))
		ck_assert_msg(contains(boot, boot_len, fact(role, "boot_version")), "no %s",
		              fact(role, "boot_version"));
	free(boot);
	free(app);
	free(d);
}
END_TEST

static Suite *tuya_suite(void)
{
	Suite *s = suite_create("tuya");
	TCase *tc = tcase_create("store");
	tcase_add_test(tc, test_basic_store);
	tcase_add_test(tc, test_json_hides_secrets);
	tcase_add_test(tc, test_fragmented_value);
	tcase_add_test(tc, test_swap_generation);
	tcase_add_test(tc, test_tuyamcu_baud);
	tcase_add_test(tc, test_i2c_drivers);
	tcase_add_test(tc, test_pin_rules);
	tcase_add_test(tc, test_template_syntax);
	tcase_add_test(tc, test_damaged_block_recovery);
	tcase_add_test(tc, test_damaged_block_older_copy);
	tcase_add_test(tc, test_missing_part);
	tcase_add_test(tc, test_protected_block);
	tcase_add_test(tc, test_unaligned_store);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_truncated_store);
	suite_add_tcase(s, tc);

	tc = tcase_create("beken-crypt");
	tcase_add_test(tc, test_pnout_vectors);
	tcase_add_test(tc, test_crc_interleave);
	tcase_add_test(tc, test_recover_key_synthetic);
	suite_add_tcase(s, tc);

	tc = tcase_create("images");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_image_expected, 0, 3);
	tcase_add_test(tc, test_image_rotated_and_arena);
	tcase_add_test(tc, test_image_damage);
	tcase_add_test(tc, test_image_protected_block);
	tcase_add_loop_test(tc, test_image_beken_decrypt, 0, 3);
	tcase_add_loop_test(tc, test_image_damaged_records, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tuya_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
