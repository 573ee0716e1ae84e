/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The Tuya configuration as one JSON object (docs/tuya-config.schema.json).
 * Every string is escaped to plain ASCII, so the output is valid UTF-8
 * whatever bytes a damaged store holds. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tuya-internal.h"

struct jbuf {
	char *s;
	size_t len, cap;
	bool failed;
};

static void jb_put(struct jbuf *b, const char *text, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (b->len + n + 1 > cap)
			cap *= 2;
		char *s = realloc(b->s, cap);
		if (!s) {
			b->failed = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	memcpy(b->s + b->len, text, n);
	b->len += n;
	b->s[b->len] = 0;
}

static void jb_printf(struct jbuf *b, const char *fmt, ...) IOTFLASH_PRINTF(2, 3);
static void jb_printf(struct jbuf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->failed = true;
		return;
	}
	jb_put(b, tmp, (size_t)n);
}

/* Bytes >= 0x80 are not UTF-8 we can trust: emitted as \u00XX (Latin-1). */
static void jb_string_n(struct jbuf *b, const char *s, size_t n)
{
	jb_put(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\') {
			char esc[2] = { '\\', (char)ch };
			jb_put(b, esc, 2);
		} else if (ch < 0x20 || ch >= 0x7F) {
			jb_printf(b, "\\u%04x", ch);
		} else {
			jb_put(b, (const char *)&ch, 1);
		}
	}
	jb_put(b, "\"", 1);
}

static void jb_string(struct jbuf *b, const char *s)
{
	if (s)
		jb_string_n(b, s, strlen(s));
	else
		jb_put(b, "null", 4);
}

static void jb_key(struct jbuf *b, bool *first, const char *key)
{
	if (!*first)
		jb_put(b, ",", 1);
	*first = false;
	jb_string(b, key);
	jb_put(b, ":", 1);
}

static void jb_strlist(struct jbuf *b, const struct strlist *l)
{
	jb_put(b, "[", 1);
	for (unsigned i = 0; i < l->count; i++) {
		if (i)
			jb_put(b, ",", 1);
		jb_string(b, l->items[i]);
	}
	jb_put(b, "]", 1);
}

static void jb_bool(struct jbuf *b, bool v)
{
	jb_put(b, v ? "true" : "false", v ? 4 : 5);
}

static void write_pins(struct jbuf *b, const struct iotflash_tuya_config *cfg)
{
	jb_put(b, "[", 1);
	for (unsigned i = 0; i < cfg->n_pins; i++) {
		const struct iotflash_tuya_pin *p = &cfg->pins[i];
		bool first = true;
		jb_put(b, i ? ",{" : "{", i ? 2 : 1);
		jb_key(b, &first, "pin");
		jb_printf(b, "%u", p->pin);
		jb_key(b, &first, "key");
		jb_string(b, p->key);
		jb_key(b, &first, "function");
		jb_string(b, p->function);
		jb_key(b, &first, "active_level");
		if (p->level >= 0)
			jb_printf(b, "%d", p->level);
		else
			jb_put(b, "null", 4);
		jb_key(b, &first, "obk_role");
		jb_string(b, p->obk_role);
		jb_key(b, &first, "obk_role_id");
		jb_printf(b, "%d", p->obk_role_id);
		jb_key(b, &first, "obk_channel");
		if (p->obk_channel >= 0)
			jb_printf(b, "%d", p->obk_channel);
		else
			jb_put(b, "null", 4);
		jb_put(b, "}", 1);
	}
	jb_put(b, "]", 1);
}

static void write_template(struct jbuf *b, const struct iotflash_tuya_config *cfg)
{
	bool first = true;
	jb_put(b, "{", 1);
	for (unsigned i = 0; i < cfg->n_pairs; i++) {
		jb_key(b, &first, cfg->pairs[i].key);
		jb_string(b, cfg->pairs[i].value);
	}
	jb_put(b, "}", 1);
}

/* Printable text (trailing NULs aside) is shown as text, anything else as hex. */
static bool value_is_text(const uint8_t *v, size_t *len)
{
	while (*len && v[*len - 1] == 0)
		(*len)--;
	for (size_t i = 0; i < *len; i++)
		if ((v[i] < 0x20 && v[i] != '\n' && v[i] != '\r' && v[i] != '\t') || v[i] >= 0x7F)
			return false;
	return true;
}

static void write_value(struct jbuf *b, bool *first, const struct iotflash_tuya_kv *kv)
{
	size_t len = kv->len;
	bool text = value_is_text(kv->value, &len);
	jb_key(b, first, "encoding");
	jb_string(b, text ? "text" : "hex");
	jb_key(b, first, "value");
	if (text) {
		jb_string_n(b, (const char *)kv->value, len);
		return;
	}
	jb_put(b, "\"", 1);
	for (size_t i = 0; i < kv->len; i++)
		jb_printf(b, "%02x", kv->value[i]);
	jb_put(b, "\"", 1);
}

static void write_keys(struct jbuf *b, const struct iotflash_tuya_config *cfg, bool show_secrets)
{
	jb_put(b, "[", 1);
	for (unsigned i = 0; i < cfg->n_kvs; i++) {
		const struct iotflash_tuya_kv *kv = &cfg->kvs[i];
		bool first = true;
		jb_put(b, i ? ",{" : "{", i ? 2 : 1);
		jb_key(b, &first, "name");
		jb_string(b, kv->name);
		jb_key(b, &first, "length");
		jb_printf(b, "%zu", kv->len);
		jb_key(b, &first, "checksum_ok");
		jb_bool(b, kv->checksum_ok);
		jb_key(b, &first, "complete");
		jb_bool(b, kv->complete);
		jb_key(b, &first, "secret");
		jb_bool(b, kv->secret);
		jb_key(b, &first, "source");
		jb_string(b, kv->source);
		if (!kv->secret || show_secrets)
			write_value(b, &first, kv);
		jb_put(b, "}", 1);
	}
	jb_put(b, "]", 1);
}

static void write_wifi(struct jbuf *b, const struct iotflash_tuya_config *cfg, bool show_secrets)
{
	bool first = true;
	jb_put(b, "{", 1);
	jb_key(b, &first, "paired");
	jb_bool(b, cfg->wifi_paired);
	if (show_secrets && cfg->wifi_paired) {
		jb_key(b, &first, "ssid");
		jb_string(b, cfg->wifi_ssid);
		jb_key(b, &first, "password");
		jb_string(b, cfg->wifi_password);
	}
	jb_put(b, "}", 1);
}

IOTFLASH_API int iotflash_tuya_to_json(const struct iotflash_tuya_config *cfg, bool show_secrets,
                                       char **json)
{
	if (!cfg || !json)
		return IOTFLASH_ERR_ARG;
	struct jbuf b = { 0 };
	bool first = true;
	jb_put(&b, "{", 1);
	jb_key(&b, &first, "schema");
	jb_string(&b, "iotflash-tuya-config/1");
	jb_key(&b, &first, "chip");
	jb_string(&b, cfg->chip);
	jb_key(&b, &first, "chip_basis");
	jb_string(&b, cfg->chip_basis);
	jb_key(&b, &first, "store_offset");
	jb_printf(&b, "%zu", cfg->store_offset);
	jb_key(&b, &first, "complete");
	jb_bool(&b, !cfg->incomplete);
	jb_key(&b, &first, "sectors");
	jb_printf(&b, "{\"seen\":%u,\"damaged\":%u}", cfg->sectors_seen, cfg->sectors_damaged);
	jb_key(&b, &first, "warnings");
	jb_strlist(&b, &cfg->warnings);
	jb_key(&b, &first, "module");
	jb_string(&b, cfg->module);
	jb_key(&b, &first, "template_source");
	jb_string(&b, cfg->template_source);
	jb_key(&b, &first, "template");
	write_template(&b, cfg);
	jb_key(&b, &first, "pins");
	write_pins(&b, cfg);
	jb_key(&b, &first, "obk_commands");
	jb_strlist(&b, &cfg->obk_commands);
	jb_key(&b, &first, "notes");
	jb_strlist(&b, &cfg->notes);
	jb_key(&b, &first, "wifi");
	write_wifi(&b, cfg, show_secrets);
	jb_key(&b, &first, "keys");
	write_keys(&b, cfg, show_secrets);
	jb_put(&b, "}\n", 2);
	if (b.failed) {
		free(b.s);
		return IOTFLASH_ERR_NOMEM;
	}
	*json = b.s;
	return IOTFLASH_OK;
}
