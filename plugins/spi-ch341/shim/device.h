/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The CH341A as the USB device sees it (spec §6.2): OUT packets in, IN
 * packets queued, UIO pins, the SPI slave on CS0 (a flash, or a Beken
 * chip whose CEN is on D2, §6.4). */
#ifndef SPI_CH341_DEVICE_H
#define SPI_CH341_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nor-model.h"

#define SPI_HZ 1500000       /* SCK, fixed (§1.5) */

enum beken_state { BK_RUN, BK_RESET, BK_LISTEN, BK_ACK, BK_PASS };

/* Beken ROM window parameters (§6.4): [inferred] / [unknown] on silicon. */
#define BEKEN_K_D2 16            /* D2 bytes before the marker (pico-beken) */
#define BEKEN_T_LISTEN_US 500000 /* after the CEN rise */
#define BEKEN_T_ACK_US 50000     /* after the last D2 */

struct in_packet {
	uint8_t len;
	uint8_t data[32];
};

struct ch341_dev {
	struct nor_model nor;
	bool beken;
	int miso_stuck;          /* -1, or the byte MISO always reads */
	uint8_t out, dir;        /* UIO latches, D5..D0 */
	uint8_t stream_mode;     /* AA 6x */
	uint8_t levels;          /* effective pin levels */
	/* Beken ROM */
	enum beken_state bk;
	uint64_t bk_since;       /* CEN rise (LISTEN) or last D2 (ACK) */
	unsigned bk_d2;
	bool bk_marker_next;     /* the next clocked byte is the D2 marker */
	bool bk_marker_frame;    /* this frame carried the marker */
	uint32_t bk_frame_bytes;
	uint8_t bk_first;
	/* IN packets waiting for the host */
	struct in_packet *q;
	size_t q_head, q_len, q_cap;
	uint64_t spi_bytes;      /* clocked since the last time check */
	void (*log)(void *user, const char *fmt, ...);
	void *log_user;
};

int ch341_dev_init(struct ch341_dev *d, const struct nor_model_cfg *cfg, uint8_t *mem, bool beken, int miso_stuck);
void ch341_dev_fini(struct ch341_dev *d);
/* Process one bulk OUT (any length: 32-byte packets, each with its command). */
void ch341_dev_out(struct ch341_dev *d, const uint8_t *buf, size_t len, uint64_t now);
/* Next queued IN packet, or NULL. */
const struct in_packet *ch341_dev_peek(const struct ch341_dev *d);
void ch341_dev_pop(struct ch341_dev *d);

#endif
