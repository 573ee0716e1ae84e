/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* ECR6600 ROM (docs/protocols/eswin.md §2.1, §7): sliding-window `cnys`
 * sync at 115200, one type-1 header, the stub image with no answers, then
 * the A5 stub (plugins/common/a5stub-model.c).  The TR6260 ROM and loader
 * are in model-tr6260.c.
 *
 * Chip database params (chipdb/eswin.yaml):
 *   model_flash_id        JEDEC id the stub reports (M | T << 8 | C << 16)
 *   model_uart_clk        UART clock for the 0x07 divisor rounding [inferred 80 MHz]
 *   model_stub            "custom" (default) or "official" (TYPEs >= 0x08 rejected)
 *   model_erase_4k_us, model_program_256_us, model_chip_erase_ms,
 *   model_sha_kib_us      flash timings */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <iotflash/chip.h>
#include <iotflash/model.h>

#include "../common/a5stub-model.h"
#include "model.h"
#include "protocol.h"

static bool hex_equal(const uint8_t *d, const char *hex)
{
	char s[65];
	for (int i = 0; i < 32; i++)
		snprintf(s + 2 * i, 3, "%02x", d[i]);
	return hex && strcasecmp(s, hex) == 0;
}

bool eswin_model_loader_ok(const struct iotflash_chip *chip, const uint8_t *img, size_t len, const char *tag,
                           size_t tag_off)
{
	uint8_t d[IOTFLASH_SUM_MAX];
	size_t tl = strlen(tag);

	iotflash_checksum_compute(IOTFLASH_SUM_SHA256, img, len, d);
	if (hex_equal(d, chip->loader_sha256))
		return true;
	if (len < tag_off + tl + 32 || memcmp(img + tag_off, tag, tl) != 0)
		return false;
	iotflash_checksum_compute(IOTFLASH_SUM_SHA256, img, len - 32, d);
	return memcmp(d, img + len - 32, 32) == 0;
}

/* Wait for `cnys` in a sliding window; garbage gets no answer (§2.1). */
int eswin_model_wait_sync(struct iotflash_sim *sim)
{
	uint8_t win[4] = { 0 }, b;
	int r;
	for (;;) {
		if ((r = iotflash_sim_read(sim, &b, 1, -1)) < 0)
			return r;
		memmove(win, win + 1, 3);
		win[3] = b;
		if (memcmp(win, eswin_sync, 4) == 0)
			return 0;
	}
}

/* After `run` or a crash the chip ignores the protocol until reset. */
int eswin_model_dead(struct iotflash_sim *sim)
{
	uint8_t junk[256];
	int r;
	while ((r = iotflash_sim_read(sim, junk, sizeof junk, -1)) >= 0)
		;
	return r;
}

static int ecr_power_on(struct iotflash_sim *sim, const struct iotflash_chip *chip, const struct a5_model_cfg *cfg)
{
	static uint8_t img[0xB0000];  /* IRAM the stub loads into */
	uint8_t head[ESWIN_HEADER_LEN], ok = ESWIN_RESP_OK, one = ESWIN_SYNC_ROM;
	struct eswin_header h;
	int r;

	iotflash_sim_set_baud(sim, chip->link_baud ? chip->link_baud : 115200);
	for (;;) {
		if ((r = eswin_model_wait_sync(sim)) < 0)
			return r;
		/* The header follows; more `cnys` may arrive first (the host's retries). */
		do {
			iotflash_sim_write(sim, &one, 1);
			if ((r = iotflash_sim_read_full(sim, head, 4, 200)) < 0)
				return r;
		} while (r == 4 && memcmp(head, eswin_sync, 4) == 0);
		if (r < 4)
			continue;
		if ((r = iotflash_sim_read_full(sim, head + 4, 8, 200)) < 0)
			return r;
		if (r < 8)
			continue;
		eswin_decode_header(head, &h);
		if (h.type != ESWIN_ROM_TYPE_RAM || h.len == 0 || h.len > sizeof img - ESWIN_ECR_LOAD_ADDR) {
			iotflash_sim_log(sim, "ecr6600 rom: header type %u len %u refused", (unsigned)h.type, (unsigned)h.len);
			continue;  /* [unknown] what the ROM answers; it stays silent here */
		}
		break;
	}
	iotflash_sim_write(sim, &ok, 1);
	if ((r = iotflash_sim_read_full(sim, img, h.len, 2000)) < 0)
		return r;
	if ((uint32_t)r < h.len || !eswin_model_loader_ok(chip, img, h.len, "ECR6600 A5 stub stand-in", 0x100)) {
		iotflash_sim_log(sim, "ecr6600 rom: %d of %u bytes, not a stub the model runs: the chip hangs", r,
		                 (unsigned)h.len);
		return eswin_model_dead(sim);
	}
	r = a5_model_run(sim, cfg);
	return r == A5_MODEL_RAN ? eswin_model_dead(sim) : r;
}

static int eswin_serve(struct iotflash_sim *sim, const struct iotflash_chip *chip)
{
	struct a5_model_cfg cfg;
	const char *stub = iotflash_chip_param_str(chip, "model_stub");
	int r;

	if (chip->protocol && strcasecmp(chip->protocol, "tr6260") == 0)
		return tr6260_serve(sim, chip);
	memset(&cfg, 0, sizeof cfg);
	cfg.flash_id = (uint32_t)iotflash_chip_param_int_or(chip, "model_flash_id", 0x1540C8);
	cfg.link_baud = chip->link_baud ? chip->link_baud : 115200;
	cfg.uart_clk = (uint32_t)iotflash_chip_param_int_or(chip, "model_uart_clk", 80000000);
	cfg.max_type = stub && strcasecmp(stub, "official") == 0 ? 0x07 : 0x9F;
	cfg.erase_4k_us = (uint32_t)iotflash_chip_param_int_or(chip, "model_erase_4k_us", 45000);
	cfg.program_256_us = (uint32_t)iotflash_chip_param_int_or(chip, "model_program_256_us", 700);
	cfg.chip_erase_ms = (uint32_t)iotflash_chip_param_int_or(chip, "model_chip_erase_ms", 8000);
	cfg.sha_kib_us = (uint32_t)iotflash_chip_param_int_or(chip, "model_sha_kib_us", 60);
	do
		r = ecr_power_on(sim, chip, &cfg);
	while (r == IOTFLASH_SIM_RESET);
	return 0;
}

const struct iotflash_model_ops eswin_model = {
	.family = "eswin",
	.description = "ESWIN ECR6600 ROM + A5 stub, TR6260 ROM + loader",
	.serve = eswin_serve,
};
