/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device model of the Opulinks OPL1000A2 (docs/protocols/a5-stub-families.md
 * §3.3, §7; cited as §N):
 *   ROM      at 115200: `<CHECK>` while idle, `FE 75` -> `Wait for SREC`,
 *            S3 records into RAM at 0x00440000 (`x` each), S7 ->
 *            `Jump(j)?`, `j` runs the image when it is stage 1 by SHA-256
 *            with its baud word masked (or a stand-in); anything else hangs
 *            until reset, as a chip running unknown code would;
 *   stage 1  at the rate in its word at offset 8: `C`, the §2.7 receiver
 *            in milliseconds (STX only, CRC-16, no block-number check,
 *            data time-outs unnoticed) into 0x00440400, EOT -> ACK, then
 *            stage 2 if it is the stub by SHA-256 (or a stand-in);
 *   stub     plugins/common's A5 stub model with the OPL1000A2 tables:
 *            command set, capacity table, erase rule, 0x8F sums of 4 KiB
 *            CRC-32s, 512-byte OTP, millisecond time units, 95 ms baud ACK.
 *
 * Chip database params (chipdb/opl1000.yaml): model_flash_id, and the
 * flash timings model_erase_4k_us, model_program_256_us,
 * model_chip_erase_ms, model_crc_kib_us. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include <iotflash/model.h>

#include "../common/a5stub.h"
#include "../common/a5stub-model.h"
#include "protocol.h"

#define RAM_BASE 0x00440000u
#define RAM_SIZE 0x10000u          /* stage 1's SP is 0x00450000 (§3.3 step 4) */
#define IDLE_MS 100                /* `<CHECK>` again while idle [inferred rate] */
#define JUMP_WAIT_MS 5000
#define S1_HEADER_MS 1000          /* stage 1's units are ms (§3.3 step 6) */
#define S1_BYTE_MS 2000

static uint8_t ram[RAM_SIZE];

/* §2.3: 00 04 05 07 8F 90 91 92 96 97 98 99. */
static const uint8_t opl_types[] = { 0x00, 0x04, 0x05, 0x07, 0x8F, 0x90, 0x91, 0x92, 0x96, 0x97, 0x98, 0x99 };

static const struct iotflash_loader *loader_of(const struct iotflash_chip *chip, const char *role)
{
	for (unsigned i = 0; i < chip->n_loaders; i++)
		if (chip->loaders[i]->role && strcasecmp(chip->loaders[i]->role, role) == 0)
			return chip->loaders[i];
	return NULL;
}

static bool is_stage(const struct iotflash_chip *chip, const uint8_t *img, size_t n, const char *role)
{
	const struct iotflash_loader *l = loader_of(chip, role);
	return opl_stage_len(img, n, strcmp(role, "stage1") == 0, l ? l->sha256 : NULL, l ? l->size : 0) != 0;
}

/* Unknown code runs: nothing more from this chip until reset. */
static int hang(struct iotflash_sim *sim, const char *what)
{
	uint8_t junk[64];
	int r;
	iotflash_sim_log(sim, "opl1000: %s: hanging until reset", what);
	while ((r = iotflash_sim_read(sim, junk, sizeof junk, -1)) >= 0)
		;
	return r;
}

static void say(struct iotflash_sim *sim, const char *text)
{
	iotflash_sim_write(sim, text, strlen(text));
}

static int run_stub(struct iotflash_sim *sim, const struct iotflash_chip *chip)
{
	struct a5_model_cfg cfg;

	memset(&cfg, 0, sizeof cfg);
	cfg.flash_id = (uint32_t)iotflash_chip_param_int_or(chip, "model_flash_id", 0x1440C8);
	cfg.link_baud = 115200;        /* stage 2 sets 115200 itself (§3.3 step 8) */
	cfg.max_type = 0x9F;
	cfg.erase_4k_us = (uint32_t)iotflash_chip_param_int_or(chip, "model_erase_4k_us", 45000);
	cfg.program_256_us = (uint32_t)iotflash_chip_param_int_or(chip, "model_program_256_us", 700);
	cfg.chip_erase_ms = (uint32_t)iotflash_chip_param_int_or(chip, "model_chip_erase_ms", 5000);
	cfg.crc_kib_us = (uint32_t)iotflash_chip_param_int_or(chip, "model_crc_kib_us", 40);
	cfg.types = opl_types;
	cfg.n_types = sizeof opl_types;
	cfg.size_table = true;         /* the RDA5981 capacity table (§2.5) */
	cfg.erase_rule = A5_ERASE_WALK_4K;
	cfg.syn_sum_fresh = true;
	cfg.z_any_len = true;          /* [inferred] same lineage as RDA5981 (§2.7) */
	cfg.send_fallback = true;
	cfg.efuse_len = 512;
	cfg.unit_us = 1000;            /* Hal_DbgUart_DataRecvTimeOut: ms (§2.10) */
	cfg.baud_ack_ms = 95;          /* BootAgent_DelayMs(95) */
	cfg.crc_kind = A5_CRC_SUM4K;
	iotflash_sim_log(sim, "%s: the A5 stub runs", chip->name);
	iotflash_sim_set_baud(sim, cfg.link_baud);
	return a5_model_run(sim, &cfg);
}

/* One byte or, on a time-out, the old value (stage 1 never notices, §2.7 step 5). */
static int byte_or_old(struct iotflash_sim *sim, uint8_t *b)
{
	int r = iotflash_sim_read(sim, b, 1, S1_BYTE_MS);
	return r < 0 ? r : 0;
}

static int stage1(struct iotflash_sim *sim, const struct iotflash_chip *chip)
{
	static const uint8_t c = A5_XM_C, ack = A5_XM_ACK, nak = A5_XM_NAK;
	static uint8_t blk[A5_XM_BLOCK];  /* a static buffer: stale bytes stay */
	uint32_t off = 0;
	int r;

	iotflash_sim_set_baud(sim, opl_stage1_get_baud(ram));
	iotflash_sim_log(sim, "opl1000: stage 1 runs at %u baud", (unsigned)opl_stage1_get_baud(ram));
	iotflash_sim_write(sim, &c, 1);
	for (;;) {
		uint16_t crc;
		if ((r = iotflash_sim_read(sim, blk, 1, S1_HEADER_MS)) < 0)
			return r;
		if (r == 0) {
			iotflash_sim_write(sim, &c, 1);
			continue;
		}
		if (blk[0] == A5_XM_EOT) {
			iotflash_sim_write(sim, &ack, 1);
			iotflash_sim_wait(sim, 1);
			if (!is_stage(chip, ram + 0x400, off, "stage2"))
				return hang(sim, "stage 2 is not the chip's stub");
			return run_stub(sim, chip);
		}
		if (blk[0] != A5_XM_STX) {
			iotflash_sim_write(sim, &nak, 1);
			continue;
		}
		for (int i = 1; i < 3; i++)
			if ((r = byte_or_old(sim, blk + i)) < 0)
				return r;
		if ((uint8_t)(blk[1] + blk[2]) != 0xFF) {
			iotflash_sim_write(sim, &nak, 1);
			continue;
		}
		for (size_t i = 3; i < A5_XM_BLOCK; i++)
			if ((r = byte_or_old(sim, blk + i)) < 0)
				return r;
		crc = iotflash_crc16_xmodem(blk + 3, A5_XM_DATA);
		if (blk[3 + A5_XM_DATA] != (uint8_t)(crc >> 8) || blk[4 + A5_XM_DATA] != (uint8_t)crc) {
			iotflash_sim_write(sim, &nak, 1);
			continue;
		}
		if (0x400 + off + A5_XM_DATA <= RAM_SIZE)  /* past the RAM: the chip would fault [unknown] */
			memcpy(ram + 0x400 + off, blk + 3, A5_XM_DATA);
		off += A5_XM_DATA;  /* no block-number check: a repeat lands one block on */
		iotflash_sim_write(sim, &ack, 1);
	}
}

/* The S-record loader after `FE 75`; returns to the prompt on a bad record. */
static int srec(struct iotflash_sim *sim, const struct iotflash_chip *chip)
{
	char line[OPL_SREC_MAX * 2];
	uint8_t data[256], b;
	size_t n = 0, dn;
	uint32_t end = 0, addr;
	char type;
	int r;

	say(sim, "\r\nWait for SREC\r\n");
	for (;;) {
		if ((r = iotflash_sim_read(sim, &b, 1, -1)) < 0)
			return r;
		if (b == '\n' || (b == '\r' && n == 0))
			continue;
		if (b != '\r') {
			if (n == sizeof line) {
				say(sim, "\r\nInvalid record\r\n");
				return 0;
			}
			line[n++] = (char)b;
			continue;
		}
		r = opl_srec_parse(line, n, &type, &addr, data, &dn);
		n = 0;
		if (r != 0 || addr < RAM_BASE || (uint64_t)addr - RAM_BASE + dn > RAM_SIZE) {
			say(sim, "\r\nInvalid record\r\n");
			return 0;
		}
		if (type == '3') {
			memcpy(ram + (addr - RAM_BASE), data, dn);
			if (addr - RAM_BASE + dn > end)
				end = (uint32_t)(addr - RAM_BASE + dn);
			say(sim, "x");
			continue;
		}
		say(sim, "\r\nJump(j)?\r\n");
		if ((r = iotflash_sim_read(sim, &b, 1, JUMP_WAIT_MS)) < 0)
			return r;
		if (r == 0 || b != OPL_JUMP) {
			say(sim, "\r\nContinue\r\n");
			return 0;
		}
		/* Cortex-M start from the vector table at the S7 address. */
		if (addr != RAM_BASE || !is_stage(chip, ram, end, "stage1"))
			return hang(sim, "the image is not the chip's stage 1");
		return stage1(sim, chip);
	}
}

static int opl_serve(struct iotflash_sim *sim, const struct iotflash_chip *chip)
{
	uint8_t b[2];
	int r;

	for (;;) {  /* power-on */
		memset(ram, 0, sizeof ram);
		iotflash_sim_set_baud(sim, 115200);
		for (r = 0; r >= 0;) {
			say(sim, OPL_PROMPT);
			if ((r = iotflash_sim_read(sim, b, 1, IDLE_MS)) <= 0 || b[0] != OPL_CMD_PREFIX)
				continue;
			if ((r = iotflash_sim_read(sim, b + 1, 1, IDLE_MS)) <= 0)
				continue;
			if (b[1] == OPL_SREC_CMD)
				r = srec(sim, chip);
			else
				say(sim, "\r\nInvalid command\r\n");
			if (r > 0)  /* the stub ran; it has no `run` */
				r = 0;
		}
		if (r == IOTFLASH_SIM_STOP)
			return 0;
	}
}

const struct iotflash_model_ops opl1000_model = {
	.family = "opl1000",
	.description = "Opulinks OPL1000A2 ROM (<CHECK>, S-records) + two-stage A5 RAM stub",
	.serve = opl_serve,
};
