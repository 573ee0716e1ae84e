/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* RDA5981 device model (docs/protocols/a5-stub-families.md §3.2, §7): the
 * `Boot > ` shell at 921600 8N1 (echo, loadb, checksum 1, go), then the A5
 * stub (plugins/common/a5stub-model.c) when the bytes loaded at 0x00100000
 * are a stub it knows.  The shell's texts are known only as fragments
 * (`Download`, `Done`, `CRC32 = 0x`, `Unknown command`, `Usage`): the model
 * prints lines that contain them [inferred].  A raw loadb that stops short
 * ends after 0.5 s of silence with a time-out line [inferred].
 *
 * Chip database params (chipdb/rda5981.yaml):
 *   model_flash_id     JEDEC id the stub reads (M | T << 8 | C << 16)
 *   model_erase_4k_us, model_program_256_us, model_chip_erase_ms,
 *   model_crc_kib_us   flash timings */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <iotflash/chip.h>
#include <iotflash/model.h>

#include "../common/a5stub-model.h"
#include "protocol.h"

#define RAM_SIZE 0x28000u        /* 160 KiB from 0x00100000 [inferred] */
#define STUB_SIZE 18232u         /* RDA5981_Stub.bin (§4) */
#define STUB_BAUD 115200
#define LOADB_GAP_MS 500
#define STANDIN_TAG "RDA5981 A5 stub stand-in"  /* at 0x100 of a test stand-in */

/* The stub's command set (§2.3). */
static const uint8_t stub_types[] = { 0x00, 0x04, 0x05, 0x07, 0x8F, 0x90, 0x91, 0x92, 0x96, 0x97, 0x98, 0x99 };

struct rda_model {
	struct iotflash_sim *sim;
	const struct iotflash_chip *chip;
	uint8_t ram[RAM_SIZE];
	uint32_t loaded;             /* highest byte loaded above 0x00100000 */
};

/* The real stub by its SHA-256, or a test stand-in (plugins/common). */
static bool stub_known(const struct iotflash_chip *chip, const uint8_t *img, size_t len)
{
	return a5_model_stub_known(chip->loader_sha256, img, len, STUB_SIZE, STANDIN_TAG);
}

static void say(struct rda_model *m, const char *text)
{
	iotflash_sim_write(m->sim, text, strlen(text));
}

static bool parse_hex(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x = strtoul(s, &end, 16);
	if (!*s || *end || x > 0xFFFFFFFFul)
		return false;
	*v = (uint32_t)x;
	return true;
}

static bool parse_dec(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x = strtoul(s, &end, 10);
	if (!*s || *end || x > 0xFFFFFFFFul)
		return false;
	*v = (uint32_t)x;
	return true;
}

static bool in_ram(uint32_t addr, uint32_t len)
{
	return addr >= RDA_STUB_ADDR && (uint64_t)addr + len <= (uint64_t)RDA_STUB_ADDR + RAM_SIZE;
}

/* loadb ADDR LENHEX: raw bytes into RAM. */
static int cmd_loadb(struct rda_model *m, int n, char **w)
{
	uint32_t addr, len;
	char line[96];
	int r;

	if (n != 3 || !parse_hex(w[1], &addr) || !parse_hex(w[2], &len) || len == 0 || !in_ram(addr, len)) {
		say(m, "\r\nUsage: loadb <addr hex> <len hex>\r\n");
		return 0;
	}
	snprintf(line, sizeof line, "\r\n## Download %u bytes to 0x%08X ...\r\n", (unsigned)len, (unsigned)addr);
	say(m, line);
	r = iotflash_sim_read_full(m->sim, m->ram + (addr - RDA_STUB_ADDR), len, LOADB_GAP_MS);
	if (r < 0)
		return r;
	if ((uint32_t)r < len) {
		snprintf(line, sizeof line, "## Download timed out after %d of %u bytes\r\n", r, (unsigned)len);
		say(m, line);
		return 0;
	}
	if (addr + len - RDA_STUB_ADDR > m->loaded)
		m->loaded = addr + len - RDA_STUB_ADDR;
	say(m, "## Done\r\n");
	return 0;
}

/* checksum 1 ADDR LENDEC: JAMCRC of RAM (§3.2). */
static void cmd_checksum(struct rda_model *m, int n, char **w)
{
	uint32_t addr, len;
	char line[64];

	if (n != 4 || strcmp(w[1], "1") != 0 || !parse_hex(w[2], &addr) || !parse_dec(w[3], &len) ||
	    !in_ram(addr, len)) {
		say(m, "\r\nUsage: checksum 1 <addr hex> <len>\r\n");
		return;
	}
	snprintf(line, sizeof line, "\r\nCRC32 = 0x%08X\r\n",
	         (unsigned)rda_jamcrc(m->ram + (addr - RDA_STUB_ADDR), len));
	say(m, line);
}

static int run_stub(struct rda_model *m)
{
	struct a5_model_cfg cfg;
	uint8_t junk[256];
	int r;

	if (m->loaded < 64 || !stub_known(m->chip, m->ram, m->loaded)) {
		iotflash_sim_log(m->sim, "rda5981 rom: go to %u bytes that are not a stub the model runs: the chip hangs",
		                 (unsigned)m->loaded);
		while ((r = iotflash_sim_read(m->sim, junk, sizeof junk, -1)) >= 0)
			;
		return r;
	}
	memset(&cfg, 0, sizeof cfg);
	cfg.flash_id = (uint32_t)iotflash_chip_param_int_or(m->chip, "model_flash_id", 0x1440C8);
	cfg.link_baud = STUB_BAUD;
	cfg.types = stub_types;
	cfg.n_types = sizeof stub_types;
	cfg.syn_sum_fresh = true;
	cfg.size_table = true;
	cfg.erase_rule = A5_ERASE_COVER;
	cfg.efuse_len = 32;
	cfg.xip_base = 0x18000000;
	cfg.z_any_len = true;
	cfg.chip_erase_from = 0x1000;      /* sector 0 (boot, partition table) kept (§2.6) */
	cfg.crc_kind = A5_CRC_JAMCRC;
	cfg.baud_ack_ms = 25;              /* [inferred] 10^6 busy iterations at 160 MHz (§2.10) */
	cfg.erase_4k_us = (uint32_t)iotflash_chip_param_int_or(m->chip, "model_erase_4k_us", 45000);
	cfg.program_256_us = (uint32_t)iotflash_chip_param_int_or(m->chip, "model_program_256_us", 700);
	cfg.chip_erase_ms = (uint32_t)iotflash_chip_param_int_or(m->chip, "model_chip_erase_ms", 6000);
	cfg.sha_kib_us = (uint32_t)iotflash_chip_param_int_or(m->chip, "model_crc_kib_us", 30);
	iotflash_sim_set_baud(m->sim, STUB_BAUD);  /* the stub sets its UART itself (§3.2) */
	iotflash_sim_wait(m->sim, 5);
	return a5_model_run(m->sim, &cfg);
}

static int power_on(struct rda_model *m)
{
	char line[RDA_LINE_MAX + 1], *w[4];
	size_t len = 0;
	int r;

	memset(m->ram, 0, sizeof m->ram);
	m->loaded = 0;
	iotflash_sim_set_baud(m->sim, RDA_ROM_BAUD);
	say(m, "\r\nRDA5981 boot\r\nBoot > ");  /* [unknown] banner */
	for (;;) {
		uint8_t b;
		int n;
		if ((r = iotflash_sim_read(m->sim, &b, 1, -1)) < 0)
			return r;
		if (b == '\n')
			continue;
		if (b != '\r') {
			if (len < RDA_LINE_MAX && b >= 0x20 && b < 0x7F) {
				line[len++] = (char)b;
				iotflash_sim_write(m->sim, &b, 1);  /* the shell echoes */
			}
			continue;
		}
		line[len] = 0;
		len = 0;
		n = rda_split(line, w);
		if (n == 0) {
			say(m, "\r\nBoot > ");
			continue;
		}
		if (strcmp(w[0], "loadb") == 0) {
			if ((r = cmd_loadb(m, n, w)) < 0)
				return r;
		} else if (strcmp(w[0], "checksum") == 0) {
			cmd_checksum(m, n, w);
		} else if (strcmp(w[0], "go") == 0) {
			uint32_t entry;
			if (n == 3 && parse_hex(w[2], &entry) && entry == RDA_STUB_ENTRY) {
				say(m, "\r\n");
				return run_stub(m);
			}
			say(m, "\r\nUsage: go <mode> <entry hex>\r\n");
		} else {
			say(m, "\r\nUnknown command\r\n");
		}
		say(m, "Boot > ");
	}
}

static int rda_serve(struct iotflash_sim *sim, const struct iotflash_chip *chip)
{
	static struct rda_model m;
	int r;

	m.sim = sim;
	m.chip = chip;
	do
		r = power_on(&m);
	while (r == IOTFLASH_SIM_RESET);
	return 0;
}

const struct iotflash_model_ops rda5981_model = {
	.family = "rda59xx",
	.description = "RDA5981 `Boot > ` shell + A5 stub",
	.serve = rda_serve,
};
