/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Shared between the Tuya store reader (tuya.c), the template decoder
 * (tuya-template.c) and the JSON writer (tuya-json.c).  Not installed. */
#ifndef IOTFLASH_TUYA_INTERNAL_H
#define IOTFLASH_TUYA_INTERNAL_H

#include "iotflash/tuya.h"
#include "formats-internal.h"

/* A growable list of malloc'ed strings. */
struct strlist {
	char **items;
	unsigned count, cap;
};
int strlist_add(struct strlist *l, const char *fmt, ...) IOTFLASH_PRINTF(2, 3);
void strlist_free(struct strlist *l);

struct tuya_pair {
	char *key, *value;
};

struct iotflash_tuya_config {
	size_t store_offset;
	const char *chip, *chip_basis;
	unsigned sectors_seen, sectors_damaged;
	bool incomplete;              /* damage was worked around */
	struct strlist warnings;

	struct iotflash_tuya_kv *kvs; /* name/value owned (cast away const to free) */
	unsigned n_kvs, cap_kvs;

	const char *template_source;  /* kv name, "firmware" or NULL */
	struct tuya_pair *pairs;
	unsigned n_pairs, cap_pairs;
	const char *module;           /* points into pairs */

	struct iotflash_tuya_pin *pins; /* key points into pairs, function into pin_text */
	unsigned n_pins;
	struct strlist pin_text;
	struct strlist obk_commands, notes;

	char *wifi_ssid, *wifi_password;
	bool wifi_paired;
};

/* tuya-template.c: parse Tuya's quote-less JSON into flat pairs (nested
 * objects and arrays are skipped).  Returns the number of pairs added or a
 * negative error. */
int tuya_parse_pairs(const char *text, size_t len, struct tuya_pair **pairs, unsigned *n,
                     unsigned *cap);
void tuya_pairs_free(struct tuya_pair *pairs, unsigned n);
const char *tuya_pairs_get(const struct tuya_pair *pairs, unsigned n, const char *key);
/* Fill pins, OpenBeken commands and notes from cfg->pairs. */
int tuya_template_map(struct iotflash_tuya_config *cfg);

#endif
