/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The Tuya device template (user_param_key): Tuya's quote-less JSON turned
 * into flat key/value pairs, its pins, and their OpenBeken roles as the
 * BK7231 GUI flash tool maps them. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tuya-internal.h"

/* ---- pairs ---- */

struct cursor {
	const char *p, *end;
};

static void skip_space(struct cursor *c)
{
	while (c->p < c->end && isspace((unsigned char)*c->p))
		c->p++;
}

static bool is_delim(char ch)
{
	return ch == '{' || ch == '}' || ch == '[' || ch == ']' || ch == ':' || ch == ',';
}

/* A strict-JSON string: escapes are kept simple (\uXXXX beyond ASCII -> '?'). */
static char *read_quoted(struct cursor *c)
{
	char *out = malloc((size_t)(c->end - c->p) + 1);
	if (!out)
		return NULL;
	size_t n = 0;
	c->p++;
	while (c->p < c->end && *c->p != '"') {
		char ch = *c->p++;
		if (ch == '\\' && c->p < c->end) {
			ch = *c->p++;
			if (ch == 'n')
				ch = '\n';
			else if (ch == 't')
				ch = '\t';
			else if (ch == 'u') {
				unsigned v = 0;
				int digits = 0;
				while (digits < 4 && c->p < c->end && isxdigit((unsigned char)*c->p)) {
					v = v * 16 + (unsigned)(isdigit((unsigned char)*c->p) ? *c->p - '0'
					                        : (tolower((unsigned char)*c->p) - 'a' + 10));
					c->p++;
					digits++;
				}
				ch = v && v < 0x80 ? (char)v : '?';
			}
		}
		out[n++] = ch;
	}
	if (c->p < c->end)
		c->p++;
	out[n] = 0;
	return out;
}

/* A bare token up to the next delimiter, trimmed. */
static char *read_bare(struct cursor *c)
{
	const char *start = c->p;
	while (c->p < c->end && !is_delim(*c->p))
		c->p++;
	const char *stop = c->p;
	while (stop > start && isspace((unsigned char)stop[-1]))
		stop--;
	return strndup(start, (size_t)(stop - start));
}

static char *read_token(struct cursor *c)
{
	skip_space(c);
	return c->p < c->end && *c->p == '"' ? read_quoted(c) : read_bare(c);
}

/* Nested objects/arrays are not part of a flat template: skip them. */
static void skip_nested(struct cursor *c)
{
	int depth = 0;
	bool in_string = false;
	for (; c->p < c->end; c->p++) {
		char ch = *c->p;
		if (in_string) {
			if (ch == '\\' && c->p + 1 < c->end)
				c->p++;
			else if (ch == '"')
				in_string = false;
		} else if (ch == '"') {
			in_string = true;
		} else if (ch == '{' || ch == '[') {
			depth++;
		} else if ((ch == '}' || ch == ']') && --depth == 0) {
			c->p++;
			return;
		}
	}
}

static int add_pair(struct tuya_pair **pairs, unsigned *n, unsigned *cap, char *key, char *value)
{
	if (*n == *cap) {
		unsigned ncap = *cap ? *cap * 2 : 32;
		struct tuya_pair *np = realloc(*pairs, ncap * sizeof(*np));
		if (!np)
			return IOTFLASH_ERR_NOMEM;
		*pairs = np;
		*cap = ncap;
	}
	(*pairs)[*n].key = key;
	(*pairs)[*n].value = value;
	(*n)++;
	return IOTFLASH_OK;
}

/* One `key:value` at the cursor; adds a pair unless the value is nested or
 * the text is not a pair.  Leaves the cursor after the value. */
static int parse_one(struct cursor *c, struct tuya_pair **pairs, unsigned *n, unsigned *cap, int *added)
{
	char *key = read_token(c);
	char *value = NULL;
	if (!key)
		return IOTFLASH_ERR_NOMEM;
	skip_space(c);
	if (c->p >= c->end || *c->p != ':' || !key[0]) {
		while (c->p < c->end && *c->p != ',' && *c->p != '}')
			c->p++;
		free(key);
		return IOTFLASH_OK;
	}
	c->p++;
	skip_space(c);
	if (c->p < c->end && (*c->p == '{' || *c->p == '[')) {
		skip_nested(c);
		free(key);
		return IOTFLASH_OK;
	}
	value = read_token(c);
	if (value && !strcmp(value, "null"))
		value[0] = 0;
	if (!value || add_pair(pairs, n, cap, key, value)) {
		free(key);
		free(value);
		return IOTFLASH_ERR_NOMEM;
	}
	(*added)++;
	return IOTFLASH_OK;
}

int tuya_parse_pairs(const char *text, size_t len, struct tuya_pair **pairs, unsigned *n,
                     unsigned *cap)
{
	const char *nul = memchr(text, 0, len);
	struct cursor c = { text, nul ? nul : text + len };
	int added = 0;
	while (c.p < c.end && *c.p != '{')
		c.p++;
	if (c.p == c.end)
		return 0;
	c.p++;
	for (;;) {
		while (c.p < c.end && (isspace((unsigned char)*c.p) || *c.p == ','))
			c.p++;
		if (c.p >= c.end || *c.p == '}')
			return added;
		const char *before = c.p;
		int rc = parse_one(&c, pairs, n, cap, &added);
		if (rc)
			return rc;
		if (c.p == before)
			c.p++;  /* a stray delimiter: never loop on it */
	}
}

void tuya_pairs_free(struct tuya_pair *pairs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		free(pairs[i].key);
		free(pairs[i].value);
	}
	free(pairs);
}

const char *tuya_pairs_get(const struct tuya_pair *pairs, unsigned n, const char *key)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(pairs[i].key, key))
			return pairs[i].value;
	return NULL;
}

/* ---- pin roles ---- */

enum obk_role {
	ROLE_NONE = 0, ROLE_REL = 1, ROLE_REL_N = 2, ROLE_BTN = 3, ROLE_LED = 5, ROLE_PWM = 7,
	ROLE_WIFILED_N = 9, ROLE_BTN_TGL_ALL = 10, ROLE_DINPUT = 12, ROLE_TGLCHANONTGL = 14,
	ROLE_BL0937SEL = 17, ROLE_BL0937CF = 18, ROLE_BL0937CF1 = 19, ROLE_SM2135DAT = 21,
	ROLE_SM2135CLK = 22, ROLE_BP5758D_DAT = 23, ROLE_BP5758D_CLK = 24, ROLE_BP1658CJ_DAT = 25,
	ROLE_BP1658CJ_CLK = 26, ROLE_IRRECV = 28, ROLE_IRSEND = 29, ROLE_SM16703P_DIN = 37,
	ROLE_SM2235DAT = 52, ROLE_SM2235CLK = 53, ROLE_BAT_ADC = 60, ROLE_BAT_RELAY = 61,
	ROLE_KP18058_CLK = 76, ROLE_KP18058_DAT = 77, ROLE_RCRECV = 87,
};

struct role_info {
	enum obk_role role;
	const char *name, *function;
};

static const struct role_info roles[] = {
	{ ROLE_REL, "Rel", "relay" }, { ROLE_REL_N, "Rel_n", "relay (inverted)" },
	{ ROLE_BTN, "Btn", "button" }, { ROLE_LED, "LED", "LED" }, { ROLE_PWM, "PWM", "PWM channel" },
	{ ROLE_WIFILED_N, "WifiLED_n", "Wi-Fi status LED" },
	{ ROLE_BTN_TGL_ALL, "Btn_Tgl_All", "toggle-all button" },
	{ ROLE_DINPUT, "dInput", "digital input" }, { ROLE_TGLCHANONTGL, "TglChanOnTgl", "toggle switch" },
	{ ROLE_BL0937SEL, "BL0937SEL", "power meter SEL (BL0937/HLW8012)" },
	{ ROLE_BL0937CF, "BL0937CF", "power meter CF (BL0937/HLW8012)" },
	{ ROLE_BL0937CF1, "BL0937CF1", "power meter CF1 (BL0937/HLW8012)" },
	{ ROLE_SM2135DAT, "SM2135DAT", "LED driver data (SM2135)" },
	{ ROLE_SM2135CLK, "SM2135CLK", "LED driver clock (SM2135)" },
	{ ROLE_BP5758D_DAT, "BP5758D_DAT", "LED driver data (BP5758D)" },
	{ ROLE_BP5758D_CLK, "BP5758D_CLK", "LED driver clock (BP5758D)" },
	{ ROLE_BP1658CJ_DAT, "BP1658CJ_DAT", "LED driver data (BP1658CJ)" },
	{ ROLE_BP1658CJ_CLK, "BP1658CJ_CLK", "LED driver clock (BP1658CJ)" },
	{ ROLE_IRRECV, "IRRecv", "IR receiver" }, { ROLE_IRSEND, "IRSend", "IR transmitter" },
	{ ROLE_SM16703P_DIN, "SM16703P_DIN", "addressable LED data" },
	{ ROLE_SM2235DAT, "SM2235DAT", "LED driver data (SM2235)" },
	{ ROLE_SM2235CLK, "SM2235CLK", "LED driver clock (SM2235)" },
	{ ROLE_BAT_ADC, "BAT_ADC", "battery voltage ADC" },
	{ ROLE_BAT_RELAY, "BAT_Relay", "battery measurement switch" },
	{ ROLE_KP18058_CLK, "KP18058_CLK", "LED driver clock (KP18058)" },
	{ ROLE_KP18058_DAT, "KP18058_DAT", "LED driver data (KP18058)" },
	{ ROLE_RCRECV, "RCRecv", "RF remote receiver" },
};

static const struct role_info *role_info(enum obk_role role)
{
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (roles[i].role == role)
			return &roles[i];
	return NULL;
}

enum match { EXACT, CONTAINS, PREFIX };
enum channel_rule { CH_NONE, CH_ZERO, CH_DIGITS, CH_FIXED };

/* The GUI's table, in its order: the first matching rule wins.  In EXACT
 * patterns '#' stands for one or more digits (the channel). */
struct pin_rule {
	enum match match;
	const char *pattern;
	enum obk_role role;
	enum channel_rule channel;
	int fixed;
	const char *function;    /* when role is none: what it is */
};

static const struct pin_rule pin_rules[] = {
	{ EXACT, "led#_pin", ROLE_LED, CH_DIGITS, 0, NULL },
	{ EXACT, "netled#_pin", ROLE_WIFILED_N, CH_NONE, 0, NULL },
	{ EXACT, "netled_pin", ROLE_WIFILED_N, CH_NONE, 0, NULL },
	{ EXACT, "wfst", ROLE_WIFILED_N, CH_NONE, 0, NULL },
	{ EXACT, "wfst_pin", ROLE_WIFILED_N, CH_NONE, 0, NULL },
	{ CONTAINS, "bz_pin_pin", ROLE_NONE, CH_NONE, 0, "buzzer" },
	{ EXACT, "buzzer_io", ROLE_NONE, CH_NONE, 0, "buzzer" },
	{ CONTAINS, "status_led_pin", ROLE_WIFILED_N, CH_NONE, 0, NULL },
	{ CONTAINS, "remote_io", ROLE_RCRECV, CH_NONE, 0, NULL },
	{ CONTAINS, "samp_sw_pin", ROLE_BAT_RELAY, CH_NONE, 0, NULL },
	{ CONTAINS, "samp_pin", ROLE_BAT_ADC, CH_NONE, 0, NULL },
	{ CONTAINS, "i2c_scl_pin", ROLE_NONE, CH_NONE, 0, "I2C clock" },
	{ CONTAINS, "i2c_sda_pin", ROLE_NONE, CH_NONE, 0, "I2C data" },
	{ CONTAINS, "alt_pin_pin", ROLE_NONE, CH_NONE, 0, "alternate pin" },
	{ CONTAINS, "one_wire_pin", ROLE_NONE, CH_NONE, 0, "1-Wire bus" },
	{ CONTAINS, "backlit_io_pin", ROLE_LED, CH_NONE, 0, NULL },
	{ EXACT, "rl", ROLE_REL, CH_ZERO, 0, NULL },
	{ EXACT, "rl#_pin", ROLE_REL, CH_DIGITS, 0, NULL },
	{ EXACT, "rl_on#_pin", ROLE_REL, CH_DIGITS, 0, NULL },
	{ EXACT, "rl_off#_pin", ROLE_REL_N, CH_DIGITS, 0, NULL },
	{ EXACT, "bt_pin", ROLE_BTN, CH_ZERO, 0, NULL },
	{ EXACT, "bt", ROLE_BTN, CH_ZERO, 0, NULL },
	{ EXACT, "k#pin_pin", ROLE_BTN, CH_DIGITS, 0, NULL },
	{ EXACT, "bt#_pin", ROLE_BTN, CH_DIGITS, 0, NULL },
	{ EXACT, "door#_magt_pin", ROLE_DINPUT, CH_DIGITS, 0, NULL },
	{ EXACT, "onoff#", ROLE_TGLCHANONTGL, CH_DIGITS, 0, NULL },
	{ EXACT, "gate_sensor_pin_pin", ROLE_DINPUT, CH_NONE, 0, NULL },
	{ EXACT, "basic_pin_pin", ROLE_DINPUT, CH_NONE, 0, NULL },
	{ EXACT, "ele_pin", ROLE_BL0937CF, CH_NONE, 0, NULL },
	{ EXACT, "epin", ROLE_BL0937CF, CH_NONE, 0, NULL },
	{ EXACT, "vi_pin", ROLE_BL0937CF1, CH_NONE, 0, NULL },
	{ EXACT, "ivpin", ROLE_BL0937CF1, CH_NONE, 0, NULL },
	{ EXACT, "sel_pin_pin", ROLE_BL0937SEL, CH_NONE, 0, NULL },
	{ EXACT, "ivcpin", ROLE_BL0937SEL, CH_NONE, 0, NULL },
	{ EXACT, "r_pin", ROLE_PWM, CH_FIXED, 0, NULL },
	{ EXACT, "g_pin", ROLE_PWM, CH_FIXED, 1, NULL },
	{ EXACT, "b_pin", ROLE_PWM, CH_FIXED, 2, NULL },
	{ EXACT, "c_pin", ROLE_PWM, CH_FIXED, 3, NULL },
	{ EXACT, "w_pin", ROLE_PWM, CH_FIXED, 4, NULL },
	{ EXACT, "irpin", ROLE_IRRECV, CH_NONE, 0, NULL },
	{ EXACT, "infrr", ROLE_IRRECV, CH_NONE, 0, NULL },
	{ EXACT, "infre", ROLE_IRSEND, CH_NONE, 0, NULL },
	{ EXACT, "reset_pin", ROLE_BTN, CH_NONE, 0, NULL },
	{ EXACT, "mosi", ROLE_SM16703P_DIN, CH_NONE, 0, NULL },
	{ EXACT, "total_bt_pin", ROLE_BTN_TGL_ALL, CH_NONE, 0, NULL },
	{ EXACT, "mic", ROLE_NONE, CH_NONE, 0, "microphone" },
	{ EXACT, "micpin", ROLE_NONE, CH_NONE, 0, "microphone" },
	{ EXACT, "ctrl_pin", ROLE_NONE, CH_NONE, 0, "control pin" },
	{ EXACT, "buzzer_pwm", ROLE_NONE, CH_NONE, 0, "buzzer" },
	{ PREFIX, "pir", ROLE_NONE, CH_NONE, 0, "PIR sensor" },
	{ EXACT, "miso", ROLE_NONE, CH_NONE, 0, "SPI MISO" },
	{ EXACT, "SCL", ROLE_NONE, CH_NONE, 0, "I2C clock" },
	{ EXACT, "CS", ROLE_NONE, CH_NONE, 0, "chip select" },
	/* not in the GUI's table: I2C LED driver pins, given roles by map_i2c() */
	{ EXACT, "iicsda", ROLE_NONE, CH_NONE, 0, "LED driver data (I2C)" },
	{ EXACT, "iicscl", ROLE_NONE, CH_NONE, 0, "LED driver clock (I2C)" },
};

/* Anchored match with '#' = one or more digits, captured as the channel. */
static bool match_digits(const char *pat, const char *s, int *digits)
{
	for (; *pat; pat++) {
		if (*pat == '#') {
			if (!isdigit((unsigned char)*s))
				return false;
			int v = 0;
			while (isdigit((unsigned char)*s) && v < 1000)
				v = v * 10 + (*s++ - '0');
			*digits = v;
		} else if (*pat != *s++) {
			return false;
		}
	}
	return *s == 0;
}

static const struct pin_rule *find_rule(const char *key, int *digits)
{
	*digits = -1;
	for (size_t i = 0; i < sizeof(pin_rules) / sizeof(pin_rules[0]); i++) {
		const struct pin_rule *r = &pin_rules[i];
		if ((r->match == EXACT && match_digits(r->pattern, key, digits)) ||
		    (r->match == CONTAINS && strstr(key, r->pattern)) ||
		    (r->match == PREFIX && !strncmp(key, r->pattern, strlen(r->pattern))))
			return r;
	}
	return NULL;
}

/* A pin number: 1-2 decimal digits, P0..P63. */
static bool pin_number(const char *v, unsigned *pin)
{
	size_t n = strlen(v);
	if (n == 0 || n > 2 || !isdigit((unsigned char)v[0]) || (n == 2 && !isdigit((unsigned char)v[1])))
		return false;
	*pin = (unsigned)atoi(v);
	return true;
}

static bool looks_like_pin_key(const char *key)
{
	size_t n = strlen(key);
	return (n > 3 && !strcmp(key + n - 3, "pin")) || (n > 3 && !strcmp(key + n - 3, "_io"));
}

static bool is_level_key(const char *key)
{
	size_t n = strlen(key);
	return n > 3 && !strcmp(key + n - 3, "_lv");
}

/* "rl1_pin" is active at "rl1_lv". */
static int active_level(const struct iotflash_tuya_config *cfg, const char *key)
{
	size_t n = strlen(key);
	if (n < 5 || strcmp(key + n - 4, "_pin"))
		return -1;
	char lv[160];
	snprintf(lv, sizeof(lv), "%.*s_lv", (int)(n - 4), key);
	const char *v = tuya_pairs_get(cfg->pairs, cfg->n_pairs, lv);
	if (!v || (strcmp(v, "0") && strcmp(v, "1")))
		return -1;
	return v[0] - '0';
}

static int describe_pin(struct iotflash_tuya_config *cfg, struct iotflash_tuya_pin *pin,
                        const char *what)
{
	static const char *const colours[] = { "red", "green", "blue", "cold white", "warm white" };
	int rc;
	if (pin->obk_role_id == ROLE_PWM && pin->obk_channel >= 0 && pin->obk_channel < 5)
		rc = strlist_add(&cfg->pin_text, "%s %d (%s)", what, pin->obk_channel,
		                 colours[pin->obk_channel]);
	else if (pin->obk_channel > 0 || (pin->obk_channel == 0 && pin->obk_role_id == ROLE_PWM))
		rc = strlist_add(&cfg->pin_text, "%s %d", what, pin->obk_channel);
	else
		rc = strlist_add(&cfg->pin_text, "%s", what);
	if (!rc)
		pin->function = cfg->pin_text.items[cfg->pin_text.count - 1];
	return rc;
}

static void set_role(struct iotflash_tuya_pin *pin, enum obk_role role, int channel)
{
	const struct role_info *ri = role_info(role);
	pin->obk_role_id = ri ? (int)role : 0;
	pin->obk_role = ri ? ri->name : NULL;
	pin->obk_channel = ri ? channel : -1;
}

static int channel_of(const struct pin_rule *r, int digits)
{
	switch (r->channel) {
	case CH_ZERO: return 0;
	case CH_DIGITS: return digits;
	case CH_FIXED: return r->fixed;
	default: return -1;
	}
}

static int add_pin(struct iotflash_tuya_config *cfg, const struct tuya_pair *pair, unsigned number)
{
	struct iotflash_tuya_pin *pin = &cfg->pins[cfg->n_pins];
	int digits;
	if (is_level_key(pair->key))
		return IOTFLASH_OK;
	const struct pin_rule *r = find_rule(pair->key, &digits);
	if (!r && !looks_like_pin_key(pair->key))
		return IOTFLASH_OK;
	memset(pin, 0, sizeof(*pin));
	pin->pin = number;
	pin->key = pair->key;
	pin->level = active_level(cfg, pair->key);
	set_role(pin, r ? r->role : ROLE_NONE, r ? channel_of(r, digits) : -1);
	const char *what = "no OpenBeken role";
	if (pin->obk_role)
		what = role_info(r->role)->function;
	else if (r && r->function)
		what = r->function;
	cfg->n_pins++;
	return describe_pin(cfg, pin, what);
}

/* ---- I2C LED drivers and startup commands ---- */

static const char *param(const struct iotflash_tuya_config *cfg, const char *key)
{
	return tuya_pairs_get(cfg->pairs, cfg->n_pairs, key);
}

/* The first present key's value, or fallback. */
static const char *first_of(const struct iotflash_tuya_config *cfg, const char *const *keys,
                            const char *fallback)
{
	for (; *keys; keys++)
		if (param(cfg, *keys) && param(cfg, *keys)[0])
			return param(cfg, *keys);
	return fallback;
}

struct i2c_driver {
	const char *trigger[4];
	enum obk_role sda, scl;
};

static const struct i2c_driver i2c_drivers[] = {
	{ { "ehccur", "wampere", "iicccur", NULL }, ROLE_SM2135DAT, ROLE_SM2135CLK },
	{ { "dccur", NULL }, ROLE_BP5758D_DAT, ROLE_BP5758D_CLK },
	{ { "cjwcur", NULL }, ROLE_BP1658CJ_DAT, ROLE_BP1658CJ_CLK },
	{ { "2235ccur", NULL }, ROLE_SM2235DAT, ROLE_SM2235CLK },
	{ { "kp58wcur", NULL }, ROLE_KP18058_DAT, ROLE_KP18058_CLK },
};

static int i2c_current_command(struct iotflash_tuya_config *cfg, unsigned driver)
{
	static const char *const sm_c[] = { "ehccur", "iicccur", "campere", NULL };
	static const char *const sm_w[] = { "ehwcur", "iicwcur", "wampere", NULL };
	static const char *const bp_rgb[] = { "drgbcur", NULL }, *const bp_w[] = { "dwcur", NULL };
	static const char *const bp_c[] = { "dccur", NULL };
	static const char *const cj_c[] = { "cjccur", NULL }, *const cj_w[] = { "cjwcur", NULL };
	static const char *const s35_c[] = { "2235ccur", NULL }, *const s35_w[] = { "2235wcur", NULL };
	static const char *const kp_w[] = { "kp58wcur", NULL }, *const kp_c[] = { "kp58ccur", NULL };
	switch (driver) {
	case 0:
		return strlist_add(&cfg->obk_commands, "SM2135_Current %s %s",
		                   first_of(cfg, sm_c, "1"), first_of(cfg, sm_w, "1"));
	case 1: {
		int w = atoi(first_of(cfg, bp_w, "1")), c = atoi(first_of(cfg, bp_c, "1"));
		return strlist_add(&cfg->obk_commands, "BP5758D_Current %s %d",
		                   first_of(cfg, bp_rgb, "1"), w > c ? w : c);
	}
	case 2:
		return strlist_add(&cfg->obk_commands, "BP1658CJ_Current %s %s",
		                   first_of(cfg, cj_c, "1"), first_of(cfg, cj_w, "1"));
	case 3:
		return strlist_add(&cfg->obk_commands, "SM2235_Current %s %s",
		                   first_of(cfg, s35_c, "1"), first_of(cfg, s35_w, "1"));
	default:
		return strlist_add(&cfg->obk_commands, "KP18058_Current %s %s",
		                   first_of(cfg, kp_w, "1"), first_of(cfg, kp_c, "1"));
	}
}

static int map_i2c(struct iotflash_tuya_config *cfg)
{
	if (!param(cfg, "iicscl") || !param(cfg, "iicsda"))
		return IOTFLASH_OK;
	for (unsigned d = 0; d < sizeof(i2c_drivers) / sizeof(i2c_drivers[0]); d++) {
		bool hit = false;
		for (const char *const *t = i2c_drivers[d].trigger; *t; t++)
			hit = hit || param(cfg, *t);
		if (!hit)
			continue;
		for (unsigned i = 0; i < cfg->n_pins; i++) {
			struct iotflash_tuya_pin *pin = &cfg->pins[i];
			bool sda = !strcmp(pin->key, "iicsda"), scl = !strcmp(pin->key, "iicscl");
			if (!sda && !scl)
				continue;
			set_role(pin, sda ? i2c_drivers[d].sda : i2c_drivers[d].scl, -1);
			pin->function = role_info((enum obk_role)pin->obk_role_id)->function;
		}
		int rc = i2c_current_command(cfg, d);
		if (rc)
			return rc;
		static const char *const map[] = { "iicr", "iicg", "iicb", "iicc", "iicw" };
		int v[5];
		for (int i = 0; i < 5; i++)
			v[i] = param(cfg, map[i]) && param(cfg, map[i])[0] ? atoi(param(cfg, map[i])) : -1;
		return strlist_add(&cfg->obk_commands, "LED_Map %d %d %d %d %d", v[0], v[1], v[2], v[3], v[4]);
	}
	return IOTFLASH_OK;
}

static bool is_number(const char *v)
{
	if (!*v)
		return false;
	for (; *v; v++)
		if (!isdigit((unsigned char)*v))
			return false;
	return true;
}

static int add_notes(struct iotflash_tuya_config *cfg)
{
	int rc = IOTFLASH_OK;
	const char *baud = param(cfg, "baud");
	const char *max_v = param(cfg, "max_V"), *min_v = param(cfg, "min_V");
	const char *pwmhz = param(cfg, "pwmhz");
	bool any_role = false;
	for (unsigned i = 0; i < cfg->n_pins; i++)
		any_role = any_role || cfg->pins[i].obk_role;
	if (pwmhz && is_number(pwmhz))
		rc = strlist_add(&cfg->obk_commands, "PWMFrequency %s", pwmhz);
	if (!rc && baud)
		rc = strlist_add(&cfg->notes, "TuyaMCU or BL0942 device: serial at %s baud", baud);
	if (!rc && (max_v || min_v))
		rc = strlist_add(&cfg->notes, "battery-powered device (max_V %s, min_V %s)",
		                 max_v ? max_v : "?", min_v ? min_v : "?");
	if (!rc && cfg->template_source && !any_role)
		rc = strlist_add(&cfg->notes, "no meaningful pins: TuyaMCU or custom device");
	return rc;
}

static int compare_pins(const void *a, const void *b)
{
	const struct iotflash_tuya_pin *x = a, *y = b;
	if (x->pin != y->pin)
		return x->pin < y->pin ? -1 : 1;
	return strcmp(x->key, y->key);
}

int tuya_template_map(struct iotflash_tuya_config *cfg)
{
	if (cfg->n_pairs == 0)
		return add_notes(cfg);
	cfg->pins = calloc(cfg->n_pairs, sizeof(*cfg->pins));
	if (!cfg->pins)
		return IOTFLASH_ERR_NOMEM;
	int rc = IOTFLASH_OK;
	for (unsigned i = 0; i < cfg->n_pairs && !rc; i++) {
		unsigned number;
		if (pin_number(cfg->pairs[i].value, &number))
			rc = add_pin(cfg, &cfg->pairs[i], number);
	}
	if (!rc)
		rc = map_i2c(cfg);
	if (!rc)
		qsort(cfg->pins, cfg->n_pins, sizeof(*cfg->pins), compare_pins);
	if (!rc)
		rc = add_notes(cfg);
	return rc;
}
