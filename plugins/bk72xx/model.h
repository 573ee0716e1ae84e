/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device model of the Beken BK72xx UART download handler (FULL BootROM and
 * LEGACY flash bootloader), hosted by iotflash-sim.
 *
 * Chip database params it reads (chipdb/bk72xx.yaml, docs/chipdb.md):
 *   chip_id            int or int list: the first value answers the chip-id register
 *   chip_id_regs       int list: the first entry is that register (default 0x800000)
 *   efuse_key          32 hex digits: the four coefficients as tools print them
 *                      ("%08x" each, concatenated); byte 4k+j of the eFuse is byte j
 *                      (little-endian) of coefficient k.  Absent: all zero.
 *   read_limit         LEGACY: reads/writes/erases below it get status 6 (default 0x2000)
 *   model_flash_id     JEDEC id M | T << 8 | C << 16 (default 0x0060EB | log2(size) << 16)
 *   model_sr           initial SR1 | SR2 << 8 | SR3 << 16 (default 0)
 *   model_window_ms    download window after reset (default 200)
 *   model_boot_version LEGACY Tuya: answer to short command 0x11 (absent: silent)
 *   model_banner       ASCII line printed at reset before the window (absent: none) */
#ifndef IOTFLASH_BK72XX_MODEL_H
#define IOTFLASH_BK72XX_MODEL_H

#include <iotflash/model.h>

extern const struct iotflash_model_ops bk72xx_model;

#endif
