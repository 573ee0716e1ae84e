/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* SPI NOR frame encoding and decisions, see spinor.h. */
#include "config.h"

#include "spinor.h"

#define CAP_MIN 0x10
#define CAP_MAX 0x19

size_t nor_encode_addr_cmd(uint8_t out[NOR_ADDR_FRAME], uint8_t op, uint32_t addr)
{
	out[0] = op;
	out[1] = (uint8_t)(addr >> 16);
	out[2] = (uint8_t)(addr >> 8);
	out[3] = (uint8_t)addr;
	return NOR_ADDR_FRAME;
}

uint8_t nor_erase_op(uint32_t unit)
{
	switch (unit) {
	case 4096: return NOR_SE4K;
	case 65536: return NOR_BE64K;
	default: return 0;
	}
}

uint32_t nor_page_chunk(uint32_t addr, uint32_t len)
{
	uint32_t room = NOR_PAGE - addr % NOR_PAGE;
	return len < room ? len : room;
}

uint32_t nor_jedec(const uint8_t id[3])
{
	return (uint32_t)id[0] | (uint32_t)id[1] << 8 | (uint32_t)id[2] << 16;
}

bool nor_jedec_absent(uint32_t jedec)
{
	return jedec == 0 || jedec == 0xFFFFFF;
}

uint32_t nor_size_from_jedec(uint32_t jedec)
{
	unsigned cap = (jedec >> 16) & 0xFF;
	return cap >= CAP_MIN && cap <= CAP_MAX ? 1u << cap : 0;
}

bool nor_sr_is(const struct iotflash_flash_part *part, uint32_t sr, uint32_t want_masked)
{
	return (sr & part->sr_mask) == (want_masked & part->sr_mask);
}

void nor_plan_sr(const struct iotflash_flash_part *part, uint32_t sr, uint32_t want_masked,
                 struct nor_sr_plan *plan)
{
	plan->needed = !nor_sr_is(part, sr, want_masked);
	/* WIP and WEL are not writable: never carry them into WRSR. */
	plan->target = ((sr & ~part->sr_mask) | (want_masked & part->sr_mask)) & ~(uint32_t)(NOR_SR1_WIP | NOR_SR1_WEL);
	plan->wrsr[0] = NOR_WRSR;
	plan->wrsr[1] = (uint8_t)plan->target;
	plan->wrsr[2] = (uint8_t)(plan->target >> 8);
	/* SR2 is always written back where it exists: some Winbond parts clear
	 * it (QE, CMP) on a one-byte WRSR (§3.2). */
	plan->wrsr_len = part->sr_count >= 2 ? 3 : 2;
}
