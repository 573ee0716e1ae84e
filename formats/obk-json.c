/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* OpenBeken configuration as JSON (docs/obk-config.schema.json), out and
 * in.  The nested keys join with '.' into the `obk-config set` keys, so
 * {"wifi": {"ssid": "x"}} is wifi.ssid=x and {"pin": {"8": "Relay:1"}} is
 * pin.8=Relay:1. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obk-internal.h"

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void add(struct buf *b, const char *fmt, ...) IOTFLASH_PRINTF(2, 3);
static void add(struct buf *b, const char *fmt, ...)
{
	char piece[2048];  /* every piece is one field: at most 1568 bytes */
	va_list ap;
	int n;
	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(piece, sizeof(piece), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(piece)) {
		b->oom = true;
		return;
	}
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->cap + (size_t)n + 1) * 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, piece, (size_t)n + 1);
	b->len += (size_t)n;
}

static void add_str(struct buf *b, const uint8_t *s, size_t max)
{
	add(b, "\"");
	for (size_t i = 0; i < max && s[i]; i++) {
		uint8_t c = s[i];
		if (c == '"' || c == '\\')
			add(b, "\\%c", c);
		else if (c == '\n')
			add(b, "\\n");
		else if (c < 0x20 || c == 0x7F)
			add(b, "\\u%04x", c);
		else
			add(b, "%c", c);
	}
	add(b, "\"");
}

static void field(struct buf *b, const struct iotflash_obk_config *cfg, const char *key, bool show_secrets,
                  bool *first)
{
	unsigned n;
	const struct obk_str_field *f = obk_str_fields(&n);
	const char *leaf = strchr(key, '.') ? strchr(key, '.') + 1 : key;
	for (unsigned i = 0; i < n; i++) {
		if (strcmp(f[i].key, key) != 0 || (f[i].secret && !show_secrets))
			continue;
		add(b, "%s\"%s\": ", *first ? "" : ", ", leaf);
		add_str(b, cfg->blob + f[i].off, f[i].off == OBK_OFF_STARTUP ? obk_startup_size(cfg) : f[i].size);
		*first = false;
	}
}

int iotflash_obk_to_json(const struct iotflash_obk_config *cfg, bool show_secrets, char **json)
{
	const struct iotflash_obk_platform *p = cfg->plat;
	struct buf b = {NULL, 0, 0, false};
	bool first = true;

	add(&b, "{\"chip\": \"%s\", \"layout_group\": \"%c\", \"crc_variant\": \"%s\", \"version\": %d, \"crc\": \"0x%02x\", ",
	    p->chip, p->group, p->crc_signed ? "signed" : "unsigned", (int)iotflash_obk_version(cfg), cfg->blob[3]);
	add(&b, "\"wifi\": {");
	field(&b, cfg, "wifi.ssid", true, &first);
	field(&b, cfg, "wifi.password", show_secrets, &first);
	add(&b, "}, \"mqtt\": {");
	first = true;
	field(&b, cfg, "mqtt.host", true, &first);
	add(&b, ", \"port\": %u", (unsigned)obk_get_le(cfg->blob + OBK_OFF_MQTT_PORT, 4));
	field(&b, cfg, "mqtt.user", true, &first);
	field(&b, cfg, "mqtt.password", show_secrets, &first);
	field(&b, cfg, "mqtt.client_id", true, &first);
	field(&b, cfg, "mqtt.group", true, &first);
	add(&b, "}, \"name\": {");
	first = true;
	field(&b, cfg, "name.short", true, &first);
	field(&b, cfg, "name.long", true, &first);
	add(&b, "}, ");
	first = true;
	field(&b, cfg, "startup_command", true, &first);
	add(&b, ", \"pin\": {");
	first = true;
	for (unsigned i = 0; i < p->gpio_max; i++) {
		char key[16], val[64];
		snprintf(key, sizeof(key), "pin.%u", i);
		if (iotflash_obk_get(cfg, key, val, sizeof(val)) != IOTFLASH_OK || !val[0])
			continue;
		add(&b, "%s\"%u\": \"%s\"", first ? "" : ", ", i, val);
		first = false;
	}
	add(&b, "}, \"flag\": {");
	first = true;
	for (unsigned i = 0; i < 64; i++)
		if (obk_flag(cfg, i)) {
			add(&b, "%s\"%u\": 1", first ? "" : ", ", i);
			first = false;
		}
	add(&b, "}}");
	if (b.oom) {
		free(b.p);
		return IOTFLASH_ERR_NOMEM;
	}
	*json = b.p;
	return IOTFLASH_OK;
}

/* ---- input: a small JSON reader, objects of scalars only ---- */

struct reader {
	const char *s, *start;
	struct iotflash_obk_config *cfg;
	char *err;
	size_t errlen;
	int depth;
};

static int fail(struct reader *r, const char *what)
{
	snprintf(r->err, r->errlen, "invalid JSON: %s at byte %zu", what, (size_t)(r->s - r->start));
	return IOTFLASH_ERR_ARG;
}

static void ws(struct reader *r)
{
	while (*r->s == ' ' || *r->s == '\t' || *r->s == '\n' || *r->s == '\r')
		r->s++;
}

static void put_utf8(char *o, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		o[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		o[(*n)++] = (char)(0xC0 | cp >> 6);
		o[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		o[(*n)++] = (char)(0xE0 | cp >> 12);
		o[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else {
		o[(*n)++] = (char)(0xF0 | cp >> 18);
		o[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
		o[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[(*n)++] = (char)(0x80 | (cp & 0x3F));
	}
}

static bool hex4(const char *s, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
		             : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;
		if (d > 15)
			return false;
		*v = *v << 4 | d;
	}
	return true;
}

/* A string into out (size 2048); NULL on a malformed one. */
static bool read_string(struct reader *r, char *out, size_t size)
{
	size_t n = 0;
	if (*r->s != '"')
		return false;
	r->s++;
	while (*r->s != '"') {
		unsigned cp;
		if (!*r->s || (unsigned char)*r->s < 0x20 || n + 4 >= size)
			return false;
		if (*r->s != '\\') {
			out[n++] = *r->s++;
			continue;
		}
		r->s++;
		switch (*r->s++) {
		case '"': out[n++] = '"'; break;
		case '\\': out[n++] = '\\'; break;
		case '/': out[n++] = '/'; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'u':
			if (!hex4(r->s, &cp))
				return false;
			r->s += 4;
			if (cp >= 0xD800 && cp < 0xDC00) {
				unsigned lo;
				if (r->s[0] != '\\' || r->s[1] != 'u' || !hex4(r->s + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
					return false;
				r->s += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
			if (cp == 0)
				return false;
			put_utf8(out, &n, cp);
			break;
		default:
			return false;
		}
	}
	r->s++;
	out[n] = '\0';
	return true;
}

static bool informational(const char *path)
{
	static const char *const keys[] = {"$schema", "address", "chip", "layout_group", "crc_variant", "version", "crc"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(path, keys[i]) == 0)
			return true;
	return false;
}

static int read_object(struct reader *r, const char *prefix);

static int read_value(struct reader *r, const char *path)
{
	char text[2048];
	int rc;

	ws(r);
	if (*r->s == '{') {
		if (strcmp(path, "pin") == 0) {  /* the listed pins are all the pins */
			const struct iotflash_obk_platform *p = r->cfg->plat;
			memset(r->cfg->blob + OBK_OFF_ROLES, 0, p->pins);
			memset(r->cfg->blob + obk_channels_off(p), 0, p->pins);
			memset(r->cfg->blob + obk_channels2_off(p), 0, p->pins);
		} else if (strcmp(path, "flag") == 0) {
			memset(r->cfg->blob + OBK_OFF_FLAGS, 0, 8);
		}
		return read_object(r, path);
	}
	if (*r->s == '"') {
		if (!read_string(r, text, sizeof(text)))
			return fail(r, "malformed or too long string");
	} else if (strncmp(r->s, "true", 4) == 0 || strncmp(r->s, "false", 5) == 0) {
		snprintf(text, sizeof(text), "%d", *r->s == 't');
		r->s += *r->s == 't' ? 4 : 5;
	} else if (*r->s == '-' || (*r->s >= '0' && *r->s <= '9')) {
		size_t n = 0;
		while ((*r->s == '-' || *r->s == '+' || *r->s == '.' || *r->s == 'e' || *r->s == 'E' ||
		        (*r->s >= '0' && *r->s <= '9')) && n + 1 < sizeof(text))
			text[n++] = *r->s++;
		text[n] = '\0';
	} else if (*r->s == '[') {
		snprintf(r->err, r->errlen, "%s: a list is not a value here (see docs/obk-config.md)", path);
		return IOTFLASH_ERR_ARG;
	} else if (strncmp(r->s, "null", 4) == 0) {
		snprintf(r->err, r->errlen, "%s: null is not a value (give the value, or leave the key out)", path);
		return IOTFLASH_ERR_ARG;
	} else {
		return fail(r, "expected a value");
	}
	if (informational(path))
		return IOTFLASH_OK;
	rc = iotflash_obk_set(r->cfg, path, text, r->err, r->errlen);
	return rc;
}

static int read_object(struct reader *r, const char *prefix)
{
	char key[256], path[512];
	int rc;

	if (++r->depth > 3) {
		snprintf(r->err, r->errlen, "%s: nested too deep (see docs/obk-config.md)", prefix);
		return IOTFLASH_ERR_ARG;
	}
	ws(r);
	if (*r->s++ != '{')
		return fail(r, "expected an object");
	ws(r);
	if (*r->s == '}') {
		r->s++;
		r->depth--;
		return IOTFLASH_OK;
	}
	for (;;) {
		ws(r);
		if (!read_string(r, key, sizeof(key)))
			return fail(r, "expected a key string");
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
		ws(r);
		if (*r->s++ != ':')
			return fail(r, "expected ':' after a key");
		if ((rc = read_value(r, path)))
			return rc;
		ws(r);
		if (*r->s == ',') {
			r->s++;
			continue;
		}
		if (*r->s++ != '}')
			return fail(r, "expected ',' or '}'");
		break;
	}
	r->depth--;
	return IOTFLASH_OK;
}

int iotflash_obk_from_json(struct iotflash_obk_config *cfg, const char *json, char *err, size_t errlen)
{
	struct iotflash_obk_config work = *cfg;
	struct reader r = {json, json, &work, err, errlen, 0};
	int rc;

	if ((rc = read_object(&r, "")))
		return rc;
	ws(&r);
	if (*r.s)
		return fail(&r, "text after the object");
	*cfg = work;
	return IOTFLASH_OK;
}
