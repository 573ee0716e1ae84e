/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* GigaDevice GD32VW553 ISP ROM (STM32-style, 8E1): pure encode and decode
 * functions (docs/protocols/a5-stub-families.md §3.1, §6).  The RAM stub it
 * loads speaks the shared A5 protocol (plugins/common/a5stub.h, §2). */
#ifndef IOTFLASH_GD32VW_PROTOCOL_H
#define IOTFLASH_GD32VW_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GD_SYNC 0x7F
#define GD_ACK  0x79
#define GD_NACK 0x1F

enum gd_cmd {
	GD_CMD_GET = 0x00,
	GD_CMD_PID = 0x06,
	GD_CMD_READ = 0x11,
	GD_CMD_GO = 0x21,
	GD_CMD_WRITE = 0x31,
};

#define GD_STUB_ADDR  0x20002000u  /* load address and entry of the stub (§0) */
#define GD_PIECE      256          /* WRITE_MEMORY carries at most 256 bytes */
#define GD_ROM_MAX_BAUD 921600     /* the GUI's ceiling for the ROM (§3.1) */
#define GD_ADDR_LEN   5
#define GD_PIECE_MAX  (GD_PIECE + 2)

uint8_t gd_xor(const uint8_t *p, size_t n);
/* `cmd, ~cmd`. */
void gd_encode_cmd(uint8_t out[2], uint8_t cmd);
/* Address: 4 bytes big-endian and their XOR. */
void gd_encode_addr(uint8_t out[GD_ADDR_LEN], uint32_t addr);
/* WRITE_MEMORY data: N-1, N bytes, XOR of all before (1 <= n <= 256).
 * Returns the size (n + 2), 0 for a bad n. */
size_t gd_encode_piece(uint8_t *out, const uint8_t *data, size_t n);
/* Is this `cmd, ~cmd`? */
bool gd_cmd_ok(const uint8_t in[2]);
/* An address packet: true with *addr when its XOR matches. */
bool gd_decode_addr(const uint8_t in[GD_ADDR_LEN], uint32_t *addr);

struct gd_get {
	uint8_t version;
	uint8_t n;                 /* command bytes */
	uint8_t cmds[32];
};
/* GET answer after its first ACK: `N ver c1..cN 79`.  0 when complete and
 * well formed, -1 when short, -2 otherwise. */
int gd_decode_get(const uint8_t *in, size_t len, struct gd_get *g);
bool gd_get_has(const struct gd_get *g, uint8_t cmd);

/* Product-ID answer after its first ACK: `N p1..pN 79` (N is the count).
 * 0 with the first 4 bytes as text in id and the flash size from id[2]
 * ('I' 2 MiB, 'M' 4 MiB); -1 short, -2 malformed, -3 unknown flash letter. */
int gd_decode_pid(const uint8_t *in, size_t len, char id[5], uint32_t *flash_size);

/* Even parity bit of a byte (the ninth bit an 8E1 UART sends). */
unsigned gd_parity_even(uint8_t b);

#endif
