/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The fields of OpenBeken's configuration by their contract key (DESIGN.md
 * `obk-config set`), with checked input.  Offsets and roles:
 * docs/protocols/obk-config.md §3, §4, §5. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "obk-internal.h"

/* §4: the firmware's names, by value. */
static const char *const role_names[OBK_ROLE_COUNT] = {
	"None", "Relay", "Relay_n", "Button", "Button_n", "LED", "LED_n", "PWM", "LED_WIFI", "LED_WIFI_n",
	"Button_ToggleAll", "Button_ToggleAll_n", "DigitalInput", "DigitalInput_n", "ToggleChannelOnToggle",
	"DigitalInput_NoPup", "DigitalInput_NoPup_n", "BL0937_SEL", "BL0937_CF", "BL0937_CF1", "ADC",
	"SM2135_DAT", "SM2135_CLK", "BP5758D_DAT", "BP5758D_CLK", "BP1658CJ_DAT", "BP1658CJ_CLK", "PWM_n",
	"IRRecv", "IRSend", "Button_NextColor", "Button_NextColor_n", "Button_NextDimmer", "Button_NextDimmer_n",
	"AlwaysHigh", "AlwaysLow", "UCS1912_DIN", "SM16703P_DIN", "Button_NextTemperature",
	"Button_NextTemperature_n", "Button_ScriptOnly", "Button_ScriptOnly_n", "DHT11", "DHT12", "DHT21", "DHT22",
	"CHT83XX_DAT", "CHT83XX_CLK", "SHT3X_DAT", "SHT3X_CLK", "SOFT_SDA", "SOFT_SCL", "SM2235_DAT", "SM2235_CLK",
	"BridgeForward", "BridgeReverse", "SmartButtonForLEDs", "SmartButtonForLEDs_n", "DoorSensorWithDeepSleep",
	"DoorSensorWithDeepSleep_NoPup", "BAT_ADC", "BAT_Relay", "TM1637_DIO", "TM1637_CLK", "BL0937_SEL_n",
	"DoorSensorWithDeepSleep_pd", "SGP_CLK", "SGP_DAT", "ADC_Button", "GN6932_CLK", "GN6932_DAT", "GN6932_STB",
	"TM1638_CLK", "TM1638_DAT", "TM1638_STB", "BAT_Relay_n", "KP18058_CLK", "KP18058_DAT", "DS1820_IO",
	"PWM_ScriptOnly", "PWM_ScriptOnly_n", "Counter_f", "Counter_r", "IRRecv_nPup", "StripState", "StripState_n",
	"HLW8112_SCSN", "RCRecv", "RCRecv_nPup", "Button_pd", "Button_pd_n", "ToggleChannelOnToggle_pd", "ShutterA",
	"ShutterB", "Button_ShutterUp", "Button_ShutterDown", "BL0939_SCLK", "BL0939_MOSI", "BL0939_MISO",
};

/* The GUI's shorter spellings (§4), accepted on input. */
static const struct {
	const char *gui;
	int role;
} gui_names[] = {
	{"Rel", 1}, {"Rel_n", 2}, {"Btn", 3}, {"Btn_n", 4}, {"WifiLED", 8}, {"WifiLED_n", 9}, {"Btn_Tgl_All", 10},
	{"Btn_Tgl_All_n", 11}, {"dInput", 12}, {"dInput_n", 13}, {"TglChanOnTgl", 14}, {"dInput_NoPullUp", 15},
	{"dInput_NoPullUp_n", 16}, {"BL0937SEL", 17}, {"BL0937CF", 18}, {"BL0937CF1", 19}, {"SM2135DAT", 21},
	{"SM2135CLK", 22}, {"Btn_NextColor", 30}, {"Btn_NextColor_n", 31}, {"Btn_NextDimmer", 32},
	{"Btn_NextDimmer_n", 33}, {"Btn_NextTemperature", 38}, {"Btn_NextTemperature_n", 39},
	{"Btn_ScriptOnly", 40}, {"Btn_ScriptOnly_n", 41}, {"CHT8305_SDA", 46}, {"CHT8305_SCK", 47},
	{"SHT3X_SDA", 48}, {"SHT3X_SCK", 49}, {"SoftSDA", 50}, {"SoftSCL", 51}, {"SM2235DAT", 52}, {"SM2235CLK", 53},
	{"BridgeFWD", 54}, {"BridgeREV", 55}, {"Btn_SmartLED", 56}, {"Btn_SmartLED_n", 57}, {"DoorSnsrWSleep", 58},
	{"DoorSnsrWSleep_nPup", 59}, {"BL0937SEL_n", 64}, {"DoorSnsrWSleep_pd", 65},
};

const char *iotflash_obk_role_name(unsigned role)
{
	return role < OBK_ROLE_COUNT ? role_names[role] : NULL;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	if (!s || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && *out <= max;
}

int iotflash_obk_role_id(const char *name)
{
	unsigned long v;
	if (parse_uint(name, OBK_ROLE_COUNT - 1, &v))
		return (int)v;
	for (int i = 0; i < OBK_ROLE_COUNT; i++)
		if (strcasecmp(name, role_names[i]) == 0)
			return i;
	for (size_t i = 0; i < sizeof(gui_names) / sizeof(gui_names[0]); i++)
		if (strcasecmp(name, gui_names[i].gui) == 0)
			return gui_names[i].role;
	return -1;
}

static const struct obk_str_field str_fields[] = {
	{"wifi.ssid", OBK_OFF_WIFI_SSID, 64, false},       {"wifi.password", OBK_OFF_WIFI_PASS, 64, true},
	{"mqtt.host", OBK_OFF_MQTT_HOST, 256, false},      {"mqtt.user", OBK_OFF_MQTT_USER, 64, false},
	{"mqtt.password", OBK_OFF_MQTT_PASS, 128, true},   {"mqtt.client_id", OBK_OFF_MQTT_CLIENT, 64, false},
	{"mqtt.group", OBK_OFF_MQTT_GROUP, 64, false},     {"name.short", OBK_OFF_SHORT_NAME, 32, false},
	{"name.long", OBK_OFF_LONG_NAME, 64, false},       {"startup_command", OBK_OFF_STARTUP, 1568, false},
};

const struct obk_str_field *obk_str_fields(unsigned *n)
{
	*n = sizeof(str_fields) / sizeof(str_fields[0]);
	return str_fields;
}

unsigned obk_startup_size(const struct iotflash_obk_config *cfg)
{
	return iotflash_obk_version(cfg) == 3 ? 512 : 1568;
}

bool obk_flag(const struct iotflash_obk_config *cfg, unsigned bit)
{
	uint32_t w = obk_get_le(cfg->blob + (bit < 32 ? OBK_OFF_FLAGS : OBK_OFF_FLAGS2), 4);
	return (w >> (bit % 32)) & 1;
}

static int bad(char *err, size_t errlen, const char *fmt, ...) IOTFLASH_PRINTF(3, 4);
static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return IOTFLASH_ERR_ARG;
}

static int set_pin(struct iotflash_obk_config *cfg, const char *key, const char *idx, const char *value, char *err,
                   size_t errlen)
{
	const struct iotflash_obk_platform *p = cfg->plat;
	unsigned long pin, ch[2] = {0, 0};
	char buf[64], *parts[3] = {NULL, NULL, NULL};
	unsigned n = 0;
	int role;

	if (!parse_uint(idx, 1000, &pin) || pin >= p->gpio_max)
		return bad(err, errlen, "%s: no such pin on %s (pins 0 to %u)", key, p->chip, p->gpio_max - 1);
	if (strlen(value) >= sizeof(buf))
		return bad(err, errlen, "%s=%s: expected ROLE[:CHANNEL[:CHANNEL2]], e.g. Relay:1", key, value);
	strcpy(buf, value);
	for (char *s = buf, *tok; n < 3 && (tok = strsep(&s, ":")); n++) {
		parts[n] = tok;
		if (n == 2 && s)
			return bad(err, errlen, "%s=%s: expected ROLE[:CHANNEL[:CHANNEL2]], e.g. Relay:1", key, value);
	}
	if ((role = iotflash_obk_role_id(parts[0])) < 0)
		return bad(err, errlen, "%s: unknown role '%s' (OpenBeken names: Relay, Button, LED, PWM, LED_WIFI_n, "
		           "... or a number 0-%d)", key, parts[0], OBK_ROLE_COUNT - 1);
	for (unsigned i = 1; i < n; i++)
		if (!parse_uint(parts[i], 63, &ch[i - 1]))
			return bad(err, errlen, "%s: invalid channel '%s' (0 to 63)", key, parts[i]);
	cfg->blob[OBK_OFF_ROLES + pin] = (uint8_t)role;
	cfg->blob[obk_channels_off(p) + pin] = (uint8_t)ch[0];
	cfg->blob[obk_channels2_off(p) + pin] = (uint8_t)ch[1];
	return IOTFLASH_OK;
}

int iotflash_obk_set(struct iotflash_obk_config *cfg, const char *key, const char *value, char *err, size_t errlen)
{
	unsigned n;
	const struct obk_str_field *f = obk_str_fields(&n);
	unsigned long v;

	if (!cfg || !cfg->plat || !key || !value)
		return bad(err, errlen, "invalid argument");
	for (unsigned i = 0; i < n; i++) {
		unsigned size = f[i].off == OBK_OFF_STARTUP ? obk_startup_size(cfg) : f[i].size;
		if (strcmp(key, f[i].key) != 0)
			continue;
		if (strlen(value) >= size)
			return bad(err, errlen, "%s: too long (%zu bytes; at most %u)", key, strlen(value), size - 1);
		for (const char *s = value; *s; s++)
			if ((unsigned char)*s < 0x20 && !(f[i].off == OBK_OFF_STARTUP && (*s == '\n' || *s == '\t')))
				return bad(err, errlen, "%s: control character 0x%02x in the value", key, (unsigned)*s);
		memset(cfg->blob + f[i].off, 0, size);
		memcpy(cfg->blob + f[i].off, value, strlen(value));
		return IOTFLASH_OK;
	}
	if (strcmp(key, "mqtt.port") == 0) {
		if (!parse_uint(value, 65535, &v) || v == 0)
			return bad(err, errlen, "mqtt.port: invalid port '%s' (1 to 65535)", value);
		obk_put_le(cfg->blob + OBK_OFF_MQTT_PORT, (uint32_t)v, 4);
		return IOTFLASH_OK;
	}
	if (strncmp(key, "pin.", 4) == 0)
		return set_pin(cfg, key, key + 4, value, err, errlen);
	if (strncmp(key, "flag.", 5) == 0) {
		unsigned long bit;
		uint8_t *w;
		uint32_t word;
		if (!parse_uint(key + 5, 63, &bit))
			return bad(err, errlen, "%s: no such flag (flags 0 to 63)", key);
		if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0)
			return bad(err, errlen, "%s: invalid value '%s' (0 or 1)", key, value);
		w = cfg->blob + (bit < 32 ? OBK_OFF_FLAGS : OBK_OFF_FLAGS2);
		word = obk_get_le(w, 4) & ~(1u << (bit % 32));
		obk_put_le(w, word | (uint32_t)(value[0] == '1') << (bit % 32), 4);
		return IOTFLASH_OK;
	}
	return bad(err, errlen, "unknown key '%s' (wifi.ssid, wifi.password, mqtt.host, mqtt.port, mqtt.user, "
	           "mqtt.password, mqtt.client_id, mqtt.group, name.short, name.long, startup_command, pin.N, flag.N)", key);
}

int iotflash_obk_set_assignment(struct iotflash_obk_config *cfg, const char *assignment, char *err, size_t errlen)
{
	const char *eq = assignment ? strchr(assignment, '=') : NULL;
	char key[64];

	if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof(key))
		return bad(err, errlen, "'%s' is not KEY=VALUE (e.g. wifi.ssid=MyWiFi, pin.8=Relay:1)",
		           assignment ? assignment : "");
	snprintf(key, sizeof(key), "%.*s", (int)(eq - assignment), assignment);
	return iotflash_obk_set(cfg, key, eq + 1, err, errlen);
}

int iotflash_obk_get(const struct iotflash_obk_config *cfg, const char *key, char *buf, size_t size)
{
	unsigned n;
	const struct obk_str_field *f = obk_str_fields(&n);
	const struct iotflash_obk_platform *p = cfg ? cfg->plat : NULL;
	unsigned long v;

	if (!p || !key || !buf || !size)
		return IOTFLASH_ERR_ARG;
	for (unsigned i = 0; i < n; i++) {
		unsigned fsize = f[i].off == OBK_OFF_STARTUP ? obk_startup_size(cfg) : f[i].size;
		if (strcmp(key, f[i].key) == 0) {
			snprintf(buf, size, "%.*s", (int)strnlen((const char *)cfg->blob + f[i].off, fsize),
			         (const char *)cfg->blob + f[i].off);
			return IOTFLASH_OK;
		}
	}
	if (strcmp(key, "mqtt.port") == 0) {
		snprintf(buf, size, "%u", (unsigned)obk_get_le(cfg->blob + OBK_OFF_MQTT_PORT, 4));
		return IOTFLASH_OK;
	}
	if (strncmp(key, "pin.", 4) == 0 && parse_uint(key + 4, 1000, &v) && v < p->pins) {
		unsigned role = cfg->blob[OBK_OFF_ROLES + v];
		unsigned c1 = cfg->blob[obk_channels_off(p) + v], c2 = cfg->blob[obk_channels2_off(p) + v];
		int len;
		if (role == 0) {
			buf[0] = '\0';
			return IOTFLASH_OK;
		}
		if (iotflash_obk_role_name(role))
			len = snprintf(buf, size, "%s", iotflash_obk_role_name(role));
		else
			len = snprintf(buf, size, "%u", role);
		if (len > 0 && (size_t)len < size && (c1 || c2))
			len += snprintf(buf + len, size - (size_t)len, ":%u", c1);
		if (len > 0 && (size_t)len < size && c2)
			snprintf(buf + len, size - (size_t)len, ":%u", c2);
		return IOTFLASH_OK;
	}
	if (strncmp(key, "flag.", 5) == 0 && parse_uint(key + 5, 63, &v)) {
		snprintf(buf, size, "%d", obk_flag(cfg, (unsigned)v));
		return IOTFLASH_OK;
	}
	return IOTFLASH_ERR_ARG;
}
