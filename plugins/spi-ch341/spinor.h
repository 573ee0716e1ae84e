/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* SPI NOR command set (docs/protocols/spi-ch341.md §3): frame encoders and
 * the decisions that need no bus (id decoding, unprotect plan), pure so
 * they are unit-tested against the spec. */
#ifndef SPI_CH341_SPINOR_H
#define SPI_CH341_SPINOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iotflash/chip.h>

enum {
	NOR_RDID = 0x9F, NOR_RDSR1 = 0x05, NOR_RDSR2 = 0x35, NOR_RDSR3 = 0x15,
	NOR_WREN = 0x06, NOR_WRDI = 0x04, NOR_WRSR = 0x01, NOR_WRSR2 = 0x31,
	NOR_READ = 0x03, NOR_PP = 0x02, NOR_SE4K = 0x20, NOR_BE64K = 0xD8, NOR_CE = 0xC7,
};

#define NOR_SR1_WIP 0x01
#define NOR_SR1_WEL 0x02
#define NOR_PAGE 256u
#define NOR_READ_MAX 4096u   /* bytes per READ frame, as flashrom (§1.7) */
#define NOR_ADDR_FRAME 4u    /* opcode + 3 address bytes */

/* opcode A23..A16 A15..A8 A7..A0; returns 4. */
size_t nor_encode_addr_cmd(uint8_t out[NOR_ADDR_FRAME], uint8_t op, uint32_t addr);
/* The erase opcode for an aligned unit (4 KiB, 64 KiB), 0 for none. */
uint8_t nor_erase_op(uint32_t unit);
/* Bytes a page program may carry at addr (up to the page end, at most len). */
uint32_t nor_page_chunk(uint32_t addr, uint32_t len);
/* Write-type commands run when CS rises; WIP says the chip is still busy. */
static inline bool nor_busy(uint8_t sr1) { return sr1 & NOR_SR1_WIP; }

/* JEDEC reply bytes (wire order M T C) to the database's id. */
uint32_t nor_jedec(const uint8_t id[3]);
/* 00 00 00 or FF FF FF: nothing answers (wiring, power, a 1.8 V part). */
bool nor_jedec_absent(uint32_t jedec);
/* Size from the capacity byte: 2^C for C in 0x10..0x19, else 0 (§3.5). */
uint32_t nor_size_from_jedec(uint32_t jedec);

/* What to write to the status registers to make the part writable.
 * sr = SR1 | SR2 << 8 | SR3 << 16 as read. */
struct nor_sr_plan {
	bool needed;          /* protection bits are not at sr_unprotect */
	uint32_t target;      /* all registers after the change */
	uint8_t wrsr[3];      /* 01 SR1 [SR2] */
	size_t wrsr_len;      /* 2 (SR1 only) or 3 (SR1 and SR2) */
};
void nor_plan_sr(const struct iotflash_flash_part *part, uint32_t sr, uint32_t want_masked,
                 struct nor_sr_plan *plan);
/* Are the protection bits of sr at want_masked? */
bool nor_sr_is(const struct iotflash_flash_part *part, uint32_t sr, uint32_t want_masked);

#endif
