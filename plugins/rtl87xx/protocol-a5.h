/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* RTL8721DA / RTL8720E with the A5 RAM stub: what differs from the shared
 * A5 protocol (plugins/common/a5stub.h), as pure functions
 * (docs/protocols/a5-stub-families.md §2.5, §3.4, §4). */
#ifndef RTL87XX_PROTOCOL_A5_H
#define RTL87XX_PROTOCOL_A5_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTL_A5_STUB_ADDR 0x3000A020u   /* RAM start table + code (§3.4) */
#define RTL_A5_START_WORDS 5           /* the table's entry word, five times */
/* Test stand-ins for the stub files (never the vendor binaries): the start
 * table, this tag at STANDIN_TAG_OFF, the image length (u32 LE) after it,
 * and the SHA-256 of everything before the last 32 bytes as those bytes. */
#define RTL_A5_STANDIN_TAG "Realtek A5 stub stand-in"
#define RTL_A5_STANDIN_TAG_OFF 0x100

/* The stubs' flash size from the JEDEC capacity byte (§2.5): 15..19 and
 * 0x20, anything else 4 MiB. */
uint32_t rtl_a5_flash_size(uint8_t capacity);

/* The length of the stub image at the start of RAM (img, n bytes loaded):
 * the recorded size of a real stub when its SHA-256 matches sha256_hex, or
 * a stand-in's own length when it checks; 0 when neither (the model then
 * hangs, as a chip running unknown code would).  entry: the first word of
 * the start table the image must carry. */
size_t rtl_a5_stub_len(const uint8_t *img, size_t n, const char *sha256_hex, size_t real_len, uint32_t entry);

#endif
