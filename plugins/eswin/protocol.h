/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* ESWIN ECR6600 / TR6260 ROM and TR6260 loader protocol: pure encode and
 * decode functions (docs/protocols/eswin.md §0, §2.1, §3).  The ECR6600
 * RAM stub speaks the shared A5 protocol (plugins/common/a5stub.h). */
#ifndef IOTFLASH_ESWIN_PROTOCOL_H
#define IOTFLASH_ESWIN_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#define ESWIN_SYNC_LEN 4
extern const uint8_t eswin_sync[ESWIN_SYNC_LEN];  /* "cnys" */

#define ESWIN_SYNC_ROM    0x01   /* answer of the mask ROM */
#define ESWIN_SYNC_LOADER 0x02   /* answer of the TR6260 loader ("uboot") */
#define ESWIN_RESP_OK     0x00
#define ESWIN_RESP_FAIL   0xFF

#define ESWIN_HEADER_LEN 12
#define ESWIN_ROM_TYPE_RAM 1     /* load into RAM and run */
#define ESWIN_ECR_LOAD_ADDR 0x00010000u  /* where the stub is linked (§2.1) */

/* TR6260 loader header types (§3.2). */
enum tr_type {
	TR_RUN = 0,
	TR_UBOOT = 1,
	TR_NV = 2,
	TR_APP = 3,
	TR_APP2 = 4,
	TR_RAM = 5,
	TR_ERASE = 6,
	TR_UPLOAD = 8,
};
#define TR_BLOCK 1024
#define TR_BAUD_ACK 0x03

struct eswin_header {
	uint32_t type, addr, len;
};

/* The 12-byte little-endian `type, addr, len` header of the ROMs and the
 * TR6260 loader. */
void eswin_encode_header(uint8_t out[ESWIN_HEADER_LEN], uint32_t type, uint32_t addr, uint32_t len);
void eswin_decode_header(const uint8_t in[ESWIN_HEADER_LEN], struct eswin_header *h);

/* TR6260 loader baud code for a rate, 0 if the loader has none (§3.2). */
uint8_t tr_baud_code(uint32_t baud);
/* The rate of a code, 0 if unknown. */
uint32_t tr_baud_of_code(uint8_t code);
/* The write type the GUI picks for an address (§3.2). */
uint32_t tr_write_type(uint32_t addr);

#endif
