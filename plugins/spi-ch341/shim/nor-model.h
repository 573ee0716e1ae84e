/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* A 25-series SPI NOR flash as the CH341A model's slave (spec §6.3): bytes
 * in, bytes out, write-type commands on the CS rising edge, busy timing,
 * status-register protection.  Time comes from the caller (microseconds),
 * so unit tests drive it with a fake clock. */
#ifndef SPI_CH341_NOR_MODEL_H
#define SPI_CH341_NOR_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Datasheet typical times, W25Q32JV class (§3.4), in microseconds. */
#define NOR_T_PP_US 700
#define NOR_T_SE_US 45000
#define NOR_T_BE32_US 120000
#define NOR_T_BE64_US 150000
#define NOR_T_WRSR_US 10000
#define NOR_T_CE_PER_MIB_US 1250000

enum nor_sr_style {
	NOR_STYLE_WINBOND,   /* SR1 BP0-2 TB SEC SRP0, SR2 with CMP (bit 6) */
	NOR_STYLE_EON,       /* SR1 BP0-3 at bits 2-5, QE bit 6, SRWD bit 7; no SR2 */
};

struct nor_model_cfg {
	uint32_t jedec;          /* M | T << 8 | C << 16 */
	uint32_t size;
	enum nor_sr_style style;
	uint32_t sr;             /* initial SR1 | SR2 << 8 */
	bool wp_low;             /* SRP0 then locks the status registers */
	unsigned min_busy_polls; /* WIP stays 1 for at least this many RDSR frames */
	bool timing;             /* false: operations take no time (polls still count) */
	void (*log)(void *user, const char *fmt, ...);
	void *log_user;
};

struct nor_model {
	struct nor_model_cfg cfg;
	uint8_t *mem;
	uint8_t sr1, sr2;
	bool wel;
	uint64_t busy_until;     /* us */
	unsigned busy_polls;     /* RDSR frames still to answer busy */
	bool selected;
	uint8_t op;
	bool ignored;            /* frame started while busy, not a status read */
	uint32_t count;          /* bytes in this frame */
	uint32_t addr;
	uint8_t data[4];         /* WRSR bytes */
	uint8_t page[256];
	bool page_set[256];
	uint32_t page_bytes;
};

void nor_model_init(struct nor_model *m, const struct nor_model_cfg *cfg, uint8_t *mem);
void nor_model_select(struct nor_model *m, uint64_t now);
uint8_t nor_model_byte(struct nor_model *m, uint8_t mosi, uint64_t now);
void nor_model_deselect(struct nor_model *m, uint64_t now);
/* Writes and erases are refused while this holds (simplified §6.3 rule). */
bool nor_model_protected(const struct nor_model *m);
bool nor_model_busy(const struct nor_model *m, uint64_t now);

#endif
