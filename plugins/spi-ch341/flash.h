/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* A SPI NOR flash on the session's SPI bus: the operations both chip
 * drivers (spi-nor, bk72xx-spi) share. */
#ifndef SPI_CH341_FLASH_H
#define SPI_CH341_FLASH_H

#include <iotflash/plugin.h>

#include "spinor.h"

struct flash {
	struct iotflash_dev *dev;
	const char *what;                 /* "flash", "Beken flash": for messages */
	uint32_t jedec;
	uint32_t size;
	const struct iotflash_flash_part *part;
	bool sr_saved;                    /* sr_orig holds the registers as found */
	bool sr_changed;                  /* unprotected by us: restore at close */
	bool writable;                    /* protection bits checked clear */
	uint32_t sr_orig;
	uint8_t *buf;                     /* one READ frame */
};

int flash_init(struct flash *f, struct iotflash_dev *dev, const char *what);
void flash_fini(struct flash *f);

/* One CS frame: send tx, then clock rx_len more bytes into rx. */
int flash_cmd(struct flash *f, const uint8_t *tx, size_t tx_len, uint8_t *rx, size_t rx_len);
/* One CS frame, full duplex in place: buf[i] is replaced by the reply. */
int flash_exchange(struct flash *f, uint8_t *buf, size_t n);
/* RDID: fills f->jedec, f->part (database) and f->size; fails clearly on
 * 00/FF (nothing answers). */
int flash_identify(struct flash *f, struct iotflash_chip_info *info);
/* Fill info's extra with the status registers. */
void flash_describe(struct flash *f, struct iotflash_chip_info *info);

int flash_read(struct flash *f, uint32_t addr, uint8_t *buf, uint32_t len);
int flash_program(struct flash *f, uint32_t addr, const uint8_t *buf, uint32_t len);
int flash_erase(struct flash *f, uint32_t addr, uint32_t len);
/* Put the protection bits back as they were found (close). */
void flash_restore(struct flash *f);

#endif
