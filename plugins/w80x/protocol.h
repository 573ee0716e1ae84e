/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* WinnerMicro W600/W800 UART download protocol: pure encoders and decoders
 * (docs/protocols/w80x.md, cited as §N).  Used by the driver, the device
 * model and the unit tests; no I/O here. */
#ifndef IOTFLASH_W80X_PROTOCOL_H
#define IOTFLASH_W80X_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define W80X_FLASH_BASE   0x08000000u  /* image addresses include it (§3 0x4A, §5) */
#define W80X_RAM_BASE     0x20000000u
#define W80X_RAM_END      0x20100000u  /* generous: any 0x200xxxxx address is RAM */
#define W80X_SECTOR       4096u
#define W80X_BLOCK        65536u
#define W80X_ERASE_BLOCKS 0x8000u      /* 0x32 `first` top bit: 64 KiB units [inferred] (§3) */

#define W80X_FRAME_HEAD   0x21
#define W80X_FRAME_FIXED  9            /* head, LEN, CRC, command code */
#define W80X_FRAME_MAX    (W80X_FRAME_FIXED + 84)  /* 0x35 carries the largest payload */

/* Command codes (§3). */
enum w80x_cmd {
	W80X_CMD_BAUD = 0x31,
	W80X_CMD_ERASE = 0x32,
	W80X_CMD_GET_MAC = 0x38,
	W80X_CMD_FLASH_ID = 0x3C,
	W80X_CMD_ROM_VERSION = 0x3E,
	W80X_CMD_REBOOT = 0x3F,      /* W600: erase secboot */
	W80X_CMD_STUB_READ = 0x4A,   /* only once the read stub runs */
};

/* Single bytes on the wire (§0, §3.1, §4). */
#define W80X_SYNC   'C'
#define W80X_ESC    0x1B
#define W80X_SOH    0x01
#define W80X_STX    0x02
#define W80X_EOT    0x04
#define W80X_ACK    0x06
#define W80X_NAK    0x15
#define W80X_CAN    0x18

#define W80X_XMODEM_DATA   1024
#define W80X_XMODEM_BLOCK  (3 + W80X_XMODEM_DATA + 2)

#define W80X_READ_LEN      4096u                 /* GUI stub read size (§6) */
#define W80X_READ_REPLY    (W80X_READ_LEN + 4)   /* data + CRC-32 */
#define W80X_FID_REPLY     10                    /* "FID:mm,cc\n" */
#define W80X_MAC_REPLY     17                    /* "Mac:AABBCCDDEEFF\n" */
#define W80X_ROMVER_REPLY  3                     /* "R:8" */

/* CRC-16/CCITT-FALSE of command frames (§2). */
uint16_t w80x_frame_crc(const uint8_t *data, size_t len);
/* CRC-32 with no final XOR (§3 0x4A, §5). */
uint32_t w80x_crc32(const uint8_t *data, size_t len);

/* Encode a command frame into out (W80X_FRAME_MAX bytes); returns its length. */
size_t w80x_encode_frame(uint8_t *out, uint32_t cmd, const uint8_t *params, size_t n);
size_t w80x_encode_baud(uint8_t *out, uint32_t baud);
size_t w80x_encode_erase(uint8_t *out, uint16_t first, uint16_t count);
size_t w80x_encode_read(uint8_t *out, uint32_t addr, uint32_t len);

enum w80x_decode {
	W80X_DEC_OK = 0,
	W80X_DEC_MORE,      /* incomplete: need more bytes */
	W80X_DEC_BAD_HEAD,  /* not 0x21 */
	W80X_DEC_BAD_LEN,   /* LEN below 4 or above the largest frame */
	W80X_DEC_BAD_CRC,
};

struct w80x_frame {
	uint32_t cmd;
	const uint8_t *params;  /* points into the decoded buffer */
	size_t n;
	size_t frame_len;
};

/* Decode the frame at the start of buf; on MORE, frame_len says how many
 * bytes the whole frame needs once LEN is known (else W80X_FRAME_FIXED). */
enum w80x_decode w80x_decode_frame(const uint8_t *buf, size_t len, struct w80x_frame *f);

/* ---- replies ---- */

/* "FID:mm,cc" (LF optional): JEDEC manufacturer and capacity code. */
bool w80x_parse_flash_id(const uint8_t *buf, size_t len, uint8_t *mid, uint8_t *cap);
/* Bytes of a flash whose capacity code is cap (0x15: 2 MiB, §3 "GUI flash
 * size"); 0 for codes outside 0x10..0x1A. */
uint32_t w80x_flash_bytes(uint8_t cap);
/* "Mac:" (ROM) or "MAC:" (secboot) + 12 hex digits (+ LF). */
bool w80x_parse_mac(const uint8_t *buf, size_t len, uint8_t mac[6], bool *rom);
/* "R:" + digit: the ROM version digit, or -1. */
int w80x_parse_rom_version(const uint8_t *buf, size_t len);
/* What a §3.1 status letter means, or NULL if b is not one. */
const char *w80x_status_text(uint8_t b);

/* ---- XMODEM-1K (§4) ---- */

/* One STX block: data (len <= 1024) padded with pad; returns 1029. */
size_t w80x_xmodem_block(uint8_t *out, uint8_t seq, const uint8_t *data, size_t len, uint8_t pad);
/* Check a received block (STX/1024 or SOH/128, full length); true when the
 * sequence complement and the CRC-16/XMODEM hold. */
bool w80x_xmodem_valid(const uint8_t *blk, size_t len);

/* ---- image headers (§5) ---- */

#define W80X_IMAGE_MAGIC   0xA0FFFF9Fu
#define W800_HEADER_LEN    64
#define W600_HEADER_LEN    56
#define W80X_ATTR_PSEUDO   0x200u      /* GUI pseudo headers and stub: bit 9 */
#define W80X_ATTR_SIGNED   (1u << 8)   /* 128-byte signature after the body */
#define W80X_SIGNATURE_LEN 128u

struct w800_header {
	uint32_t attr, addr, len, header_addr, upgrade_addr, body_crc, upd_no, next_boot;
	char ver[16];
};

struct w600_header {
	uint16_t type, zip;
	uint32_t run_addr, run_len, run_crc, upd_addr, upd_len, upd_crc, upd_no;
	char ver[16];
};

void w800_header_encode(const struct w800_header *h, uint8_t out[W800_HEADER_LEN]);
/* 0 when valid; else the status letter the ROM answers: 'L' header error. */
int w800_header_decode(const uint8_t in[W800_HEADER_LEN], struct w800_header *h);
void w600_header_encode(const struct w600_header *h, uint8_t out[W600_HEADER_LEN]);
int w600_header_decode(const uint8_t in[W600_HEADER_LEN], struct w600_header *h);

/* A GUI-style pseudo header that writes raw data to flash offset addr (§5). */
void w800_pseudo_header(uint32_t addr, const uint8_t *data, uint32_t len, uint8_t out[W800_HEADER_LEN]);
void w600_pseudo_header(uint32_t addr, const uint8_t *data, uint32_t len, uint8_t out[W600_HEADER_LEN]);

static inline bool w80x_is_ram(uint32_t a) { return a >= W80X_RAM_BASE && a < W80X_RAM_END; }

#endif
