/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Fuzz target for the Tuya store reader and template decoder
 * (libFuzzer's LLVMFuzzerTestOneInput; fuzz-main.c drives it without
 * libFuzzer).  Input: a flash dump, or with the first byte 'T', template
 * text decoded straight into pins and JSON (encrypted dumps rarely reach
 * the template parser through random mutation). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tuya-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void use_config(const struct iotflash_tuya_config *cfg)
{
	char *json;
	if (iotflash_tuya_to_json(cfg, true, &json) == IOTFLASH_OK) {
		if (json[0] != '{' || json[strlen(json) - 2] != '}')
			abort();
		free(json);
	}
	for (unsigned i = 0; i < iotflash_tuya_pin_count(cfg); i++)
		if (!iotflash_tuya_pin(cfg, i)->key || !iotflash_tuya_pin(cfg, i)->function)
			abort();
}

static void fuzz_template(const uint8_t *data, size_t size)
{
	struct iotflash_tuya_config *cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return;
	cfg->template_source = "user_param_key";
	if (tuya_parse_pairs((const char *)data, size, &cfg->pairs, &cfg->n_pairs, &cfg->cap_pairs) >= 0 &&
	    tuya_template_map(cfg) == IOTFLASH_OK)
		use_config(cfg);
	iotflash_tuya_free(cfg);
}

static void fuzz_dump(const uint8_t *data, size_t size)
{
	struct iotflash_tuya_config *cfg = NULL;
	char err[256] = "";
	if (iotflash_tuya_extract(data, size, &cfg, err, sizeof(err)) == IOTFLASH_OK) {
		use_config(cfg);
		iotflash_tuya_free(cfg);
	} else if (!err[0] || cfg) {
		abort();  /* a failure always explains itself and returns nothing */
	}
	uint8_t *logical;
	size_t n;
	if (iotflash_beken_crc_strip(data, size, &logical, &n) == IOTFLASH_OK)
		free(logical);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 0 && data[0] == 'T')
		fuzz_template(data + 1, size - 1);
	else
		fuzz_dump(data, size);
	return 0;
}
