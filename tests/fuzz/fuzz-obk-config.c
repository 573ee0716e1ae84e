/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Fuzz target for the OpenBeken configuration reader (libFuzzer's
 * LLVMFuzzerTestOneInput; fuzz-main.c drives it without libFuzzer).
 * Input: byte 0 picks the platform; with byte 1 'J' the rest is JSON for
 * iotflash_obk_from_json, else it is a flash area (raw or EasyFlash) to
 * decode, and what decodes is encoded back and must decode the same.
 * Random bytes rarely make a valid area, so every input also damages a
 * valid one: its bytes taken as (offset, value) pairs poked into it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "iotflash/openbeken.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned platform_count(void)
{
	unsigned n = 0;
	while (iotflash_obk_platform_at(n))
		n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct iotflash_obk_platform *p;
	struct iotflash_obk_config cfg, back;
	char err[256], *json;

	if (size < 2)
		return 0;
	p = iotflash_obk_platform_at(data[0] % platform_count());
	{
		uint32_t addr, psm_size;
		(void)iotflash_obk_bouffalo_psm(data + 2, size - 2, &addr, &psm_size);
	}
	if (data[1] == 'J') {
		char *text = malloc(size - 1);
		if (!text)
			return 0;
		memcpy(text, data + 2, size - 2);
		text[size - 2] = '\0';
		iotflash_obk_init(&cfg, p);
		if (iotflash_obk_from_json(&cfg, text, err, sizeof(err)) == IOTFLASH_OK &&
		    iotflash_obk_to_json(&cfg, true, &json) == IOTFLASH_OK)
			free(json);
		free(text);
		return 0;
	}
	{
		static uint8_t good[0x8000];
		iotflash_obk_init(&cfg, p);
		memset(good, 0xFF, sizeof(good));
		if (iotflash_obk_encode(&cfg, good, sizeof(good), err, sizeof(err)) != IOTFLASH_OK)
			abort();
		for (size_t i = 2; i + 2 < size; i += 3)
			good[((size_t)data[i] << 8 | data[i + 1]) % 0x2000] = data[i + 2];
		if (iotflash_obk_decode(&back, p, good, sizeof(good), err, sizeof(err)) == IOTFLASH_OK &&
		    iotflash_obk_encode(&back, good, sizeof(good), err, sizeof(err)) == IOTFLASH_OK &&
		    iotflash_obk_decode(&cfg, p, good, sizeof(good), err, sizeof(err)) != IOTFLASH_OK)
			abort();
	}
	/* an area of whole sectors, at least two, the input at its start */
	size_t len = ((size - 2 + 4095) / 4096 + 1) * 4096;
	uint8_t *area = malloc(len);
	if (!area)
		return 0;
	memset(area, 0xFF, len);
	memcpy(area, data + 2, size - 2);
	if (iotflash_obk_decode(&cfg, p, area, len, err, sizeof(err)) == IOTFLASH_OK) {
		if (iotflash_obk_to_json(&cfg, true, &json) == IOTFLASH_OK)
			free(json);
		if (len >= p->offset + IOTFLASH_OBK_CONFIG_SIZE &&
		    iotflash_obk_encode(&cfg, area, len, err, sizeof(err)) == IOTFLASH_OK &&
		    (iotflash_obk_decode(&back, p, area, len, err, sizeof(err)) != IOTFLASH_OK ||
		     memcmp(back.blob, cfg.blob, sizeof(cfg.blob)) != 0))
			abort();
	}
	free(area);
	return 0;
}
