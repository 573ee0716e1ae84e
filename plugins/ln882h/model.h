/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device model of the Lightning LN882H / LN8825 boot ROM and of the two
 * RAM-code builds it can be given (Lightning's official one and the GUI
 * flasher's), hosted by iotflash-sim.  The build is chosen by the image
 * uploaded with `download [rambin]`: one holding `flash_crc32` or `fwrite`
 * is the GUI build, any other valid image the official one.
 *
 * Chip database params it reads (chipdb/ln882h.yaml, docs/ln882h.md):
 *   rom_stamp        the ROM's 20-character `version` reply
 *   ram_base         load address a RAM image must carry in its header
 *   model_flash_id   MID << 16 | type << 8 | capacity (default 0xEB60xx by size)
 *   model_flash_uid  32 hex digits, the flash's unique id
 * The chip's `protocol:` is `upgrade` (RAM code has startaddr/upgrade) or
 * `fwrite` (LN8825 GUI RAM code: fwrite only). */
#ifndef IOTFLASH_LN882H_MODEL_H
#define IOTFLASH_LN882H_MODEL_H

#include <iotflash/model.h>

extern const struct iotflash_model_ops ln882h_model;

#endif
