/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device model of the Bouffalo Lab BootROM ISP and eflash_loader (BL602,
 * BL702) and of the BL616 ROM, hosted by iotflash-sim.  The uploaded loader
 * is checked for valid headers but never run.
 *
 * Chip database params it reads (chipdb/bl60x.yaml, docs/bl60x.md):
 *   boot_rom_version     u32 get_boot_info reports in the ROM
 *   model_boot_info      hex string: the bytes after the version
 *   model_flash_id       JEDEC id M | T << 8 | C << 16
 *   model_chip_erase_ms  how long 0x3C keeps sending PD */
#ifndef IOTFLASH_BL60X_MODEL_H
#define IOTFLASH_BL60X_MODEL_H

#include <iotflash/model.h>

extern const struct iotflash_model_ops bl60x_model;

#endif
