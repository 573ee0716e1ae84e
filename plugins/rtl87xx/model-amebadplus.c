/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* RTL8721DA (AmebaDplus) and RTL8720E (AmebaLite): the binary ROM is the
 * AmebaD ROM personality of model.c (beacons, 05, 07 + address frames);
 * after the EOT of a RAM upload the ROM calls the entry in the start table
 * at 0x3000A020, and the model runs the A5 stub (plugins/common
 * a5stub-model.c with the Realtek stub's tables,
 * docs/protocols/a5-stub-families.md §2, §7) only when the image is the
 * chip's stub by SHA-256, or a test stand-in (protocol-a5.h).
 *
 * Chip database params (chipdb/amebadplus.yaml):
 *   stub_entry        the start table's entry word (DA 0x300100D5, E 0x30010171)
 *   model_flash_id    JEDEC id the stub reports (M | T << 8 | C << 16)
 *   model_erase_4k_us, model_program_256_us, model_chip_erase_ms,
 *   model_sha_kib_us  flash timings */
#include "config.h"

#include <string.h>

#include "../common/a5stub-model.h"
#include "model-internal.h"
#include "protocol-a5.h"

/* §2.3: 00 04 05 07 09 90 91 92 93 94 96 97 98 99. */
static const uint8_t rtl_types[] = { 0x00, 0x04, 0x05, 0x07, 0x09, 0x90, 0x91, 0x92,
	                             0x93, 0x94, 0x96, 0x97, 0x98, 0x99 };
/* §2.5: 15 -> 2 MiB ... 19 -> 32 MiB, 20 -> 64 MiB, else 4 MiB. */
static const struct a5_cap_size rtl_sizes[] = {
	{ 0x15, 2u << 20 }, { 0x16, 4u << 20 }, { 0x17, 8u << 20 }, { 0x18, 16u << 20 },
	{ 0x19, 32u << 20 }, { 0x20, 64u << 20 },
};

int m_ambdp_stub(struct rtl_model *m)
{
	const struct iotflash_chip *chip = m->chip;
	uint32_t off = RTL_A5_STUB_ADDR - m->ram_base;
	uint32_t entry = (uint32_t)iotflash_chip_param_int_or(chip, "stub_entry", 0);
	size_t real_len = chip->n_loaders ? chip->loaders[0]->size : 0;
	struct a5_model_cfg cfg;
	uint8_t junk[64];
	int r;

	if (m->session_bytes > M_RAM_SIZE - off ||
	    rtl_a5_stub_len(m->ram + off, m->session_bytes, chip->loader_sha256, real_len, entry) == 0) {
		iotflash_sim_log(m->sim, "%s: RAM code that is not the chip's stub: hanging until reset", chip->name);
		while ((r = m_read(m, junk, sizeof junk, -1)) >= 0)
			;
		return r;
	}
	memset(&cfg, 0, sizeof cfg);
	cfg.flash_id = m->flash_id;
	cfg.link_baud = 115200;        /* the stub sets LOGUART to 115200 (§2.14) */
	cfg.uart_clk = 0;              /* LOGUART_SetBaud: limit [unknown], every rate taken */
	cfg.max_type = 0x9F;
	cfg.erase_4k_us = (uint32_t)iotflash_chip_param_int_or(chip, "model_erase_4k_us", 45000);
	cfg.program_256_us = (uint32_t)iotflash_chip_param_int_or(chip, "model_program_256_us", 700);
	cfg.chip_erase_ms = (uint32_t)iotflash_chip_param_int_or(chip, "model_chip_erase_ms", 9000);
	cfg.sha_kib_us = (uint32_t)iotflash_chip_param_int_or(chip, "model_sha_kib_us", 30);
	cfg.types = rtl_types;
	cfg.n_types = sizeof rtl_types;
	cfg.sizes = rtl_sizes;
	cfg.n_sizes = sizeof rtl_sizes / sizeof rtl_sizes[0];
	cfg.size_default = 4u << 20;
	cfg.erase_rule = A5_ERASE_WALK;
	cfg.syn_sum_fresh = true;
	cfg.z_any_len = true;          /* [inferred] same lineage as RDA5981 (§2.7) */
	cfg.send_fallback = true;
	cfg.kv = true;
	cfg.efuse_len = 1024;
	cfg.unit_us = 100;             /* t x 10 x DelayUs(10) (§2.10) */
	cfg.baud_ack_ms = 100;         /* DelayUs(100000) */
	cfg.xip_base = 0x08000000;
	iotflash_sim_log(m->sim, "%s: the A5 stub runs", chip->name);
	iotflash_sim_set_baud(m->sim, cfg.link_baud);
	return a5_model_run(m->sim, &cfg);
}

const struct iotflash_model_ops amebadplus_model = {
	.family = "amebadplus",
	.description = "Realtek AmebaDplus / AmebaLite ROM + A5 RAM stub (RTL8721DA, RTL8720E)",
	.serve = rtl_serve,
};
