/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* GD32VW553 device model (docs/protocols/a5-stub-families.md §3.1, §7): the
 * STM32-style ISP ROM at 8E1 with auto-baud (GET, product ID, READ/WRITE
 * MEMORY into SRAM, GO), then the A5 stub (plugins/common/a5stub-model.c)
 * when the bytes at 0x20002000 are a stub it knows.
 *
 * 8E1: the pty driver clears PARENB, so the model sees what survives of the
 * client's termios: input parity checking (INPCK) and PARODD
 * (iotflash_sim_client_parity()).  A client not at even parity sends frames
 * whose parity slot holds the stop bit (8N1: always 1) or the odd parity bit:
 * the ROM's UART flags a parity error and the byte is lost [inferred: what
 * the ROM does with a flagged byte is unknown].  At 8N1 that loses every byte
 * with an even number of ones, so `7F` still syncs but `00 FF` (GET) never
 * arrives, as on the chip.
 *
 * Chip database params (chipdb/gd32vw.yaml):
 *   model_product_id   the product-ID text; byte 2 becomes 'I' or 'M' from the
 *                      flash file's size (2 or 4 MiB)
 *   model_rom_version  GET's version byte [unknown]
 *   model_erase_4k_us, model_program_256_us, model_chip_erase_ms,
 *   model_sha_kib_us   flash timings */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <iotflash/chip.h>
#include <iotflash/model.h>

#include "../common/a5stub-model.h"
#include "protocol.h"

#define SRAM_BASE 0x20000000u
#define SRAM_SIZE 0x50000u       /* 320 KiB */
#define STUB_SIZE 36480u         /* GD32VW553_Stub.bin (§4) */
#define STUB_BAUD 115200
#define STANDIN_TAG "GD32VW553 A5 stub stand-in"  /* at 0x100 of a test stand-in */

static const uint8_t rom_cmds[] = { GD_CMD_GET, GD_CMD_PID, GD_CMD_READ, GD_CMD_GO, GD_CMD_WRITE };
/* The stub's command set (§2.3). */
static const uint8_t stub_types[] = { 0x00, 0x04, 0x05, 0x07, 0x09, 0x91, 0x92, 0x96, 0x97, 0x98, 0x99 };

struct gd_model {
	struct iotflash_sim *sim;
	const struct iotflash_chip *chip;
	uint8_t ram[SRAM_SIZE];
	uint32_t loaded;             /* highest byte written above the stub address */
};

/* The real stub by its SHA-256, or a test stand-in (plugins/common). */
static bool stub_known(const struct iotflash_chip *chip, const uint8_t *img, size_t len)
{
	return a5_model_stub_known(chip->loader_sha256, img, len, STUB_SIZE, STANDIN_TAG);
}

/* One byte as the ROM's 8E1 UART takes it: bytes with a parity error are
 * lost.  Returns 1, 0 on timeout, or STOP/RESET. */
static int rom_getc(struct gd_model *m, uint8_t *b, int timeout_ms)
{
	for (;;) {
		int r = iotflash_sim_read(m->sim, b, 1, timeout_ms);
		char p;
		if (r <= 0)
			return r;
		p = iotflash_sim_client_parity(m->sim);
		if (p == 'E' || (p == 'N' && gd_parity_even(*b)))
			return 1;
		iotflash_sim_log(m->sim, "gd32vw rom: 0x%02x with a parity error (client parity %c): lost", *b, p);
	}
}

/* n bytes, no time-out between them (the ROM waits) [inferred]. */
static int rom_get(struct gd_model *m, uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = rom_getc(m, buf + i, -1);
		if (r < 0)
			return r;
	}
	return (int)n;
}

static void put(struct gd_model *m, uint8_t b)
{
	iotflash_sim_write(m->sim, &b, 1);
}

static void product_id(struct gd_model *m, char id[16])
{
	const char *p = iotflash_chip_param_str(m->chip, "model_product_id");
	uint32_t size = 0;
	snprintf(id, 16, "%s", p && strlen(p) >= 4 ? p : "VWMQ");
	iotflash_sim_flash(m->sim, &size);
	id[2] = size <= (2u << 20) ? 'I' : 'M';
}

static int after_jump(struct gd_model *m, const struct a5_model_cfg *cfg)
{
	uint8_t junk[256];
	int r;

	if (m->loaded < 64 || !stub_known(m->chip, m->ram + (GD_STUB_ADDR - SRAM_BASE), m->loaded)) {
		iotflash_sim_log(m->sim, "gd32vw rom: GO to %u bytes that are not a stub the model runs: the chip hangs",
		                 (unsigned)m->loaded);
		while ((r = iotflash_sim_read(m->sim, junk, sizeof junk, -1)) >= 0)
			;
		return r;
	}
	iotflash_sim_set_baud(m->sim, STUB_BAUD);
	return a5_model_run(m->sim, cfg);
}

/* WRITE MEMORY after its command ACK. */
static int rom_write(struct gd_model *m)
{
	uint8_t a[GD_ADDR_LEN], piece[GD_PIECE + 1], n1, x;
	uint32_t addr;
	int r;

	if ((r = rom_get(m, a, sizeof a)) < 0)
		return r;
	if (!gd_decode_addr(a, &addr) || addr < SRAM_BASE || addr >= SRAM_BASE + SRAM_SIZE) {
		put(m, GD_NACK);  /* [unknown] what the ROM does with non-SRAM addresses */
		return 0;
	}
	put(m, GD_ACK);
	if ((r = rom_get(m, &n1, 1)) < 0 || (r = rom_get(m, piece, (size_t)n1 + 1)) < 0 || (r = rom_get(m, &x, 1)) < 0)
		return r;
	if ((uint8_t)(gd_xor(piece, (size_t)n1 + 1) ^ n1) != x || addr + n1 + 1u > SRAM_BASE + SRAM_SIZE) {
		put(m, GD_NACK);
		return 0;
	}
	memcpy(m->ram + (addr - SRAM_BASE), piece, (size_t)n1 + 1);
	if (addr >= GD_STUB_ADDR && addr + n1 + 1 - GD_STUB_ADDR > m->loaded)
		m->loaded = addr + n1 + 1 - GD_STUB_ADDR;
	put(m, GD_ACK);
	return 0;
}

/* READ MEMORY after its command ACK: SRAM as the model holds it. */
static int rom_read(struct gd_model *m)
{
	uint8_t a[GD_ADDR_LEN], n[2], out[GD_PIECE];
	uint32_t addr;
	int r;

	if ((r = rom_get(m, a, sizeof a)) < 0)
		return r;
	if (!gd_decode_addr(a, &addr)) {
		put(m, GD_NACK);
		return 0;
	}
	put(m, GD_ACK);
	if ((r = rom_get(m, n, 2)) < 0)
		return r;
	if (!gd_cmd_ok(n)) {
		put(m, GD_NACK);
		return 0;
	}
	put(m, GD_ACK);
	memset(out, 0, sizeof out);  /* [unknown] outside SRAM: zeros */
	for (unsigned i = 0; i <= n[0]; i++)
		if (addr + i >= SRAM_BASE && addr + i < SRAM_BASE + SRAM_SIZE)
			out[i] = m->ram[addr + i - SRAM_BASE];
	iotflash_sim_write(m->sim, out, (size_t)n[0] + 1);
	return 0;
}

static int power_on(struct gd_model *m, const struct a5_model_cfg *cfg)
{
	uint8_t b, c[2], out[48];
	char id[16];
	int r;

	memset(m->ram, 0, sizeof m->ram);
	m->loaded = 0;
	iotflash_sim_set_baud(m->sim, m->chip->link_baud ? m->chip->link_baud : 115200);
	iotflash_sim_autobaud(m->sim, true);  /* the rate locks on the first `7F` */
	do
		r = rom_getc(m, &b, -1);
	while (r >= 0 && b != GD_SYNC);
	iotflash_sim_autobaud(m->sim, false);
	if (r < 0)
		return r;
	put(m, GD_ACK);
	for (;;) {
		uint32_t addr;
		uint8_t a[GD_ADDR_LEN];
		if ((r = rom_get(m, c, 2)) < 0)
			return r;
		if (!gd_cmd_ok(c) || !memchr(rom_cmds, c[0], sizeof rom_cmds)) {
			put(m, GD_NACK);  /* a stray `7F` after the sync ends up here too */
			continue;
		}
		put(m, GD_ACK);
		switch (c[0]) {
		case GD_CMD_GET:
			out[0] = sizeof rom_cmds;
			out[1] = (uint8_t)iotflash_chip_param_int_or(m->chip, "model_rom_version", 0x10);
			memcpy(out + 2, rom_cmds, sizeof rom_cmds);
			out[2 + sizeof rom_cmds] = GD_ACK;
			iotflash_sim_write(m->sim, out, 3 + sizeof rom_cmds);
			break;
		case GD_CMD_PID:
			product_id(m, id);
			out[0] = (uint8_t)strlen(id);
			memcpy(out + 1, id, out[0]);
			out[1 + out[0]] = GD_ACK;
			iotflash_sim_write(m->sim, out, (size_t)out[0] + 2);
			break;
		case GD_CMD_READ:
			if ((r = rom_read(m)) < 0)
				return r;
			break;
		case GD_CMD_WRITE:
			if ((r = rom_write(m)) < 0)
				return r;
			break;
		case GD_CMD_GO:
			if ((r = rom_get(m, a, sizeof a)) < 0)
				return r;
			if (!gd_decode_addr(a, &addr)) {
				put(m, GD_NACK);
				break;
			}
			put(m, GD_ACK);
			if (addr != GD_STUB_ADDR) {
				iotflash_sim_log(m->sim, "gd32vw rom: GO 0x%08x: nothing the model runs there", (unsigned)addr);
				m->loaded = 0;
			}
			return after_jump(m, cfg);
		}
	}
}

static int gd_serve(struct iotflash_sim *sim, const struct iotflash_chip *chip)
{
	static struct gd_model m;
	struct a5_model_cfg cfg;
	int r;

	memset(&cfg, 0, sizeof cfg);
	cfg.link_baud = STUB_BAUD;
	cfg.types = stub_types;
	cfg.n_types = sizeof stub_types;
	cfg.syn_sum_fresh = true;
	cfg.select_uart = true;
	cfg.range_size = 0x04000000;       /* fixed in the stub (§2.5) */
	cfg.erase_rule = A5_ERASE_ROUND_DOWN;
	cfg.efuse_len = 64;
	cfg.xip_base = 0x08000000;
	cfg.z_any_len = true;
	cfg.erase_4k_us = (uint32_t)iotflash_chip_param_int_or(chip, "model_erase_4k_us", 30000);
	cfg.program_256_us = (uint32_t)iotflash_chip_param_int_or(chip, "model_program_256_us", 600);
	cfg.chip_erase_ms = (uint32_t)iotflash_chip_param_int_or(chip, "model_chip_erase_ms", 6000);
	cfg.sha_kib_us = (uint32_t)iotflash_chip_param_int_or(chip, "model_sha_kib_us", 40);
	m.sim = sim;
	m.chip = chip;
	do
		r = power_on(&m, &cfg);
	while (r == IOTFLASH_SIM_RESET);
	return 0;
}

const struct iotflash_model_ops gd32vw_model = {
	.family = "gd32vw",
	.description = "GigaDevice GD32VW553 ISP ROM (8E1) + A5 stub",
	.serve = gd_serve,
};
