/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The community RTL8710B stub ("A5" frames, §6), run by the AmebaZ ROM
 * model when it was uploaded to 0x10002000 and the ROM jumps into it.  The
 * stub is the ECR6600 one ported (§6: "shared with ECR6600"), so the shared
 * device-model core serves it (plugins/common/a5stub-model.c): SYN, erase,
 * chip erase, baud, SHA-256, flash ID, XMODEM write and read, their raw
 * DEFLATE variants; the stub prints nothing and talks at 115200 until 07
 * changes the rate. */
#include "model-internal.h"

#include "../common/a5stub-model.h"

#define STUB_BAUD 115200u

/* Until reset (or the chip leaving download mode: then it ignores the line). */
int m_a5_stub(struct rtl_model *m)
{
	struct a5_model_cfg cfg = {
		.flash_id = m->flash_id,
		.link_baud = STUB_BAUD,
		.uart_clk = 0,            /* [unknown] divisor rounding on this chip: rates taken exactly */
		.max_type = 0x9F,
		.erase_4k_us = M_ERASE_SECTOR_US,
		.program_256_us = M_PROGRAM_KIB_US / 4,
		.chip_erase_ms = 10000,   /* §6: the GUI allows 10 s */
		.sha_kib_us = (uint32_t)(1024ull * 1000000u / M_HASH_BYTES_PER_S),
	};
	int r;

	iotflash_sim_log(m->sim, "rtl87xx: the RTL8710B stub runs");
	m_set_baud(m, STUB_BAUD);
	r = a5_model_run(m->sim, &cfg);
	if (r != A5_MODEL_RAN)
		return r;
	for (;;) {
		uint8_t b;
		if ((r = m_byte(m, &b, -1)) < 0)
			return r;
	}
}
