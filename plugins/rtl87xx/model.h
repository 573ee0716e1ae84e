/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device model of the Realtek Ameba download ROMs, hosted by iotflash-sim:
 * the AmebaZ mask ROM (binary, 1.5 Mbaud), the AmebaD ROM with the imgtool
 * flash loader personality (binary, 115200), and the AmebaZ2 download shell
 * (text, 115200).  Chosen by the chip's `protocol` (ambz, ambd, ambz2).
 *
 * Chip database params it reads (chipdb/rtl87xx.yaml, docs/rtl87xx.md):
 *   baud_table       int list: the ROM rate table of command 0x05
 *   ucfg_bauds       int list: rates `ucfg` accepts (AmebaZ2)
 *   loader_addr      AmebaD: where the loader is uploaded (default 0x82000)
 *   loader_magic     AmebaD: its first word; an upload starting with it runs
 *                    as the loader (default 0x82021)
 *   model_flash_id   JEDEC id M | T << 8 | C << 16 (default 0x0040C8 | log2(size) << 16)
 *   model_sr1        AmebaZ: initial status register 1 (default 0)
 *   model_pin_group  AmebaZ2: bits 6:5 of 0x40000038 (default 1)
 *   model_syscfg     AmebaZ2: value of 0x400001F0 (default 0x510)
 *   model_boot       AmebaZ2: "download" (default) or "monitor": boot into the
 *                    ROM monitor, the fallback personality (§7.2)
 *   model_rom_entry  AmebaZ2 monitor: the jump target that starts download
 *                    mode (default 0x1 if chip ver > 2, else 0x1443D)
 *   model_monitor_cmds  AmebaZ2: string list, the command table's names in
 *                    order (default DB DW EB EW WDTRST uboot flashwr imgft
 *                    otu_img pkt) */
#ifndef IOTFLASH_RTL87XX_MODEL_H
#define IOTFLASH_RTL87XX_MODEL_H

#include <iotflash/model.h>

extern const struct iotflash_model_ops rtl87xx_model;

#endif
