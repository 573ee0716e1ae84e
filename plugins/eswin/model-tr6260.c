/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* TR6260 ROM and "uboot" loader (docs/protocols/eswin.md §3, §7): `cnys`
 * at 57600 answered 01, the loader in 1 KiB blocks each answered 00, then
 * the loader: `cnys` answered 02, one-byte baud codes answered 03 at the
 * new rate, 12-byte typed headers.  The loader frames by timing: a lone
 * byte then silence is a baud code, 4 bytes `cnys` a sync, 12 a header
 * [inferred].  Where the spec says [unknown] (answer values, erase
 * granularity, range checks) the choices are chip database params:
 *   model_erase_unit      erase granularity in bytes (default 4096)
 *   model_fail_answer     answer byte for a refused header (default 0xFF)
 *   model_erase_4k_us, model_program_256_us   flash timings */
#include <string.h>

#include <iotflash/chip.h>
#include <iotflash/model.h>

#include "model.h"
#include "protocol.h"

#define FRAME_GAP_MS 20      /* silence that ends a loader frame */
#define BLOCK_GAP_MS 1000
#define ANSWER_MS 2000       /* host's 00 after an upload block */

struct tr_model {
	struct iotflash_sim *sim;
	const struct iotflash_chip *chip;
	uint8_t *flash;
	uint32_t size, erase_unit, erase_us, program_us;
	uint8_t fail;
	uint8_t blk[TR_BLOCK];
};

static void put(struct tr_model *m, uint8_t b)
{
	iotflash_sim_write(m->sim, &b, 1);
}

static void erase(struct tr_model *m, uint32_t addr, uint32_t len)
{
	uint32_t start = addr / m->erase_unit * m->erase_unit;
	for (uint32_t a = start; a < addr + len && a < m->size; a += m->erase_unit) {
		memset(m->flash + a, 0xFF, m->erase_unit);
		iotflash_sim_busy(m->sim, (uint64_t)m->erase_us * (m->erase_unit / 4096));
	}
}

/* Write types: erase, answer, then blocks of min(1024, rest), each `00`;
 * a last block padded to 1024 (Transa's tool) has its padding dropped. */
static int write_range(struct tr_model *m, uint32_t addr, uint32_t len)
{
	uint32_t off = 0;
	int r;

	erase(m, addr, len);
	put(m, ESWIN_RESP_OK);
	while (off < len) {
		uint32_t n = len - off < TR_BLOCK ? len - off : TR_BLOCK;
		if ((r = iotflash_sim_read_full(m->sim, m->blk, n, BLOCK_GAP_MS)) < 0)
			return r;
		if ((uint32_t)r < n)
			return 0;  /* host gone quiet: back to idle */
		if (n < TR_BLOCK && (r = iotflash_sim_read_full(m->sim, m->blk + n, TR_BLOCK - n, FRAME_GAP_MS)) < 0)
			return r;
		for (uint32_t i = 0; i < n; i++)
			m->flash[addr + off + i] &= m->blk[i];
		iotflash_sim_busy(m->sim, (uint64_t)m->program_us * ((n + 255) / 256));
		off += n;
		put(m, ESWIN_RESP_OK);
	}
	return 0;
}

static int upload(struct tr_model *m, uint32_t addr, uint32_t len)
{
	uint32_t off = 0;
	int r;

	put(m, ESWIN_RESP_OK);
	while (off < len) {
		uint32_t n = len - off < TR_BLOCK ? len - off : TR_BLOCK;
		uint8_t b;
		iotflash_sim_write(m->sim, m->flash + addr + off, n);
		if ((r = iotflash_sim_read(m->sim, &b, 1, ANSWER_MS)) < 0)
			return r;
		if (r == 0 || b != ESWIN_RESP_OK)
			return 0;  /* [unknown] what the loader does: it gives up here */
		off += n;
	}
	return 0;
}

static int header(struct tr_model *m, const uint8_t *f)
{
	struct eswin_header h;
	eswin_decode_header(f, &h);
	if (h.type != TR_RUN && ((uint64_t)h.addr + h.len > m->size || h.len == 0)) {
		put(m, m->fail);
		return 0;
	}
	switch (h.type) {
	case TR_RUN:
		put(m, ESWIN_RESP_OK);
		return 1;
	case TR_ERASE:
		erase(m, h.addr, h.len);
		put(m, ESWIN_RESP_OK);
		return 0;
	case TR_UBOOT: case TR_NV: case TR_APP: case TR_APP2:
		return write_range(m, h.addr, h.len);
	case TR_UPLOAD:
		return upload(m, h.addr, h.len);
	default:  /* type 5 (RAM) and others: [unknown] */
		put(m, m->fail);
		return 0;
	}
}

static int loader(struct tr_model *m)
{
	uint8_t f[16];
	int r, n;

	for (;;) {
		if ((r = iotflash_sim_read(m->sim, f, 1, -1)) < 0)
			return r;
		if ((n = iotflash_sim_read_full(m->sim, f + 1, sizeof f - 1, FRAME_GAP_MS)) < 0)
			return n;
		n++;
		if (n == 1) {
			uint32_t baud = tr_baud_of_code(f[0]);
			if (!baud) {
				put(m, m->fail);
				continue;
			}
			iotflash_sim_set_baud(m->sim, baud);
			iotflash_sim_wait(m->sim, 5);
			put(m, TR_BAUD_ACK);
		} else if (n == ESWIN_SYNC_LEN && memcmp(f, eswin_sync, ESWIN_SYNC_LEN) == 0) {
			put(m, ESWIN_SYNC_LOADER);
		} else if (n == ESWIN_HEADER_LEN) {
			if ((r = header(m, f)) < 0)
				return r;
			if (r == 1)
				return eswin_model_dead(m->sim);
		} else {
			iotflash_sim_log(m->sim, "tr6260 loader: %d-byte frame ignored", n);
		}
	}
}

static int power_on(struct tr_model *m)
{
	static uint8_t img[0x30000];
	uint8_t head[ESWIN_HEADER_LEN];
	struct eswin_header h;
	uint32_t off = 0;
	int r;

	iotflash_sim_set_baud(m->sim, m->chip->link_baud ? m->chip->link_baud : 57600);
	for (;;) {
		if ((r = eswin_model_wait_sync(m->sim)) < 0)
			return r;
		do {
			put(m, ESWIN_SYNC_ROM);
			if ((r = iotflash_sim_read_full(m->sim, head, 4, 200)) < 0)
				return r;
		} while (r == 4 && memcmp(head, eswin_sync, 4) == 0);
		if (r < 4)
			continue;
		if ((r = iotflash_sim_read_full(m->sim, head + 4, 8, 200)) < 0)
			return r;
		if (r < 8)
			continue;
		eswin_decode_header(head, &h);
		if (h.type == ESWIN_ROM_TYPE_RAM && h.len > 0 && h.len <= sizeof img)
			break;
		put(m, m->fail);  /* [unknown] other types */
	}
	put(m, ESWIN_RESP_OK);
	while (off < h.len) {
		uint32_t n = h.len - off < TR_BLOCK ? h.len - off : TR_BLOCK;
		if ((r = iotflash_sim_read_full(m->sim, img + off, n, BLOCK_GAP_MS)) < 0)
			return r;
		if ((uint32_t)r < n)
			return eswin_model_dead(m->sim);
		off += n;
		put(m, ESWIN_RESP_OK);
	}
	if (!eswin_model_loader_ok(m->chip, img, h.len, "boot-version-debug", 0x20)) {
		iotflash_sim_log(m->sim, "tr6260 rom: not a loader the model runs: the chip hangs");
		return eswin_model_dead(m->sim);
	}
	return loader(m);
}

int tr6260_serve(struct iotflash_sim *sim, const struct iotflash_chip *chip)
{
	struct tr_model m;
	int r;

	memset(&m, 0, sizeof m);
	m.sim = sim;
	m.chip = chip;
	m.flash = iotflash_sim_flash(sim, &m.size);
	m.erase_unit = (uint32_t)iotflash_chip_param_int_or(chip, "model_erase_unit", 4096);
	m.erase_us = (uint32_t)iotflash_chip_param_int_or(chip, "model_erase_4k_us", 45000);
	m.program_us = (uint32_t)iotflash_chip_param_int_or(chip, "model_program_256_us", 700);
	m.fail = (uint8_t)iotflash_chip_param_int_or(chip, "model_fail_answer", ESWIN_RESP_FAIL);
	if (m.erase_unit == 0 || m.erase_unit % 4096)
		m.erase_unit = 4096;
	do
		r = power_on(&m);
	while (r == IOTFLASH_SIM_RESET);
	return 0;
}
