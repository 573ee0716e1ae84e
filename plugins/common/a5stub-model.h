/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device-model core of the A5 RAM stub (docs/protocols/eswin.md §2.2-§2.7,
 * §7): a family's model runs its ROM stage, then hands the UART to
 * a5_model_run() with the chip's flash and timings. */
#ifndef IOTFLASH_A5STUB_MODEL_H
#define IOTFLASH_A5STUB_MODEL_H

#include <iotflash/model.h>

struct a5_model_cfg {
	uint32_t flash_id;         /* JEDEC M | T << 8 | C << 16 as 0x90 reports it */
	uint32_t link_baud;        /* the rate the stub starts at and `run` returns to */
	uint32_t uart_clk;         /* UART clock that the divisor rounding uses (Hz); 0: rates exact */
	uint8_t max_type;          /* highest TYPE the stub serves (0x9F custom, 0x07 official) */
	uint32_t erase_4k_us;      /* flash timings */
	uint32_t program_256_us;
	uint32_t chip_erase_ms;
	uint32_t sha_kib_us;       /* SHA-256 over the XIP window, per KiB */
};

#define A5_MODEL_RAN 1  /* `run` (0x06): the chip left download mode */

/* Serve the stub until STOP, RESET (returned as IOTFLASH_SIM_*) or `run`
 * (A5_MODEL_RAN). */
int a5_model_run(struct iotflash_sim *sim, const struct a5_model_cfg *cfg);

/* The rate the stub's UART really runs at when asked for `baud` (§2.7);
 * 0 when the divisor rounds to 0 (the source divides by zero). */
uint32_t a5_model_real_baud(uint32_t clk, uint32_t baud);

#endif
