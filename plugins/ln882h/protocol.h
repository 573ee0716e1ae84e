/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Lightning LN882H / LN8825: pure encoders and decoders of the boot ROM's
 * and the RAM code's UART protocol (docs/protocols/ln882h.md).  No I/O here:
 * the driver and the device model both build on these. */
#ifndef IOTFLASH_LN882H_PROTOCOL_H
#define IOTFLASH_LN882H_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* X/YMODEM control bytes (§2). */
#define LN_SOH 0x01
#define LN_STX 0x02
#define LN_EOT 0x04
#define LN_ACK 0x06
#define LN_NAK 0x15
#define LN_CAN 0x18
#define LN_C   0x43

#define LN_SOH_SIZE 128u
#define LN_ROM_STX_SIZE 1024u      /* `download [rambin]` (ROM) */
#define LN_RAM_STX_SIZE 16384u     /* `upgrade` (RAM code, non-standard) */
#define LN_XMODEM_STX_SIZE 1024u   /* fdump / fwrite (GUI RAM code) */
#define LN_BLOCK_OVERHEAD 5u       /* marker, seq, ~seq, CRC-16 (2) */
#define LN_BLOCK_MAX (LN_RAM_STX_SIZE + LN_BLOCK_OVERHEAD)

#define LN_YMODEM_PAD 0x1A         /* last YMODEM block (GUI, LN882Loader) */
#define LN_XMODEM_PAD 0xFF         /* fdump / fwrite blocks */

#define LN_STAMP_LEN 20            /* ROM `version` reply, without CR LF */
#define LN_RAMHDR_LEN 32
#define LN_LINE_MAX 64             /* RAM code line buffer */
#define LN_MAX_ARGS 4
#define LN_FLASH_READ_MAX 680      /* official `flash_read`: 2 KiB text buffer */

#define LN_STATUS_OK "\r\npppp\r\n"
#define LN_STATUS_FAIL "\r\nffff\r\n"
#define LN_RAMCODE_REPLY "\r\nRAMCODE\r\n"

/* ---- X/YMODEM blocks ---- */

/* Encode one block of size `size` (128 → SOH, else STX) carrying n <= size
 * bytes of data padded with `pad`; returns the frame length. */
size_t ln_block_encode(uint8_t *out, uint8_t seq, const uint8_t *data, size_t n, size_t size, uint8_t pad);
/* YMODEM block 0: "name NUL size-in-decimal NUL", rest zero (SOH/128). */
size_t ln_ymodem_header(uint8_t *out, const char *name, uint32_t size);
/* YMODEM end of session: SOH 00 FF, 128 zero bytes, CRC 00 00. */
size_t ln_ymodem_end(uint8_t *out);
/* Data bytes a block with this marker carries (0 for other bytes). */
size_t ln_block_size(uint8_t marker, size_t stx_size);
/* Check a complete CRC-16 block of frame_len bytes; sets *seq.  Returns
 * the data size or -1 when the marker, the seq complement or the CRC is wrong. */
int ln_block_check(const uint8_t *frame, size_t frame_len, size_t stx_size, uint8_t *seq);
/* XMODEM 8-bit arithmetic checksum (receiver asked with NAK). */
uint8_t ln_sum8(const uint8_t *data, size_t n);
/* Parse a YMODEM block 0: name up to NUL, then the size (decimal or 0x hex,
 * spaces skipped, stops at any other character).  False when the name is
 * empty and the size absent (the end-of-session block). */
bool ln_ymodem_parse_header(const uint8_t *data, size_t n, char *name, size_t name_cap, uint32_t *size);

/* ---- ROM ---- */

/* "download [rambin] [0x20000000] [SIZE]\r\n"; returns its length. */
size_t ln_download_cmd(char *out, size_t cap, uint32_t size);
/* Parse that line (without CR LF); false if it is not one. */
bool ln_parse_download(const char *line, uint32_t *addr, uint32_t *size);
/* Find a 20-character ROM stamp ("Mar 14 2021/00:23:32": '/' at 11) ending
 * in CR LF in text; copies it (NUL-terminated) to stamp. */
bool ln_find_stamp(const char *text, size_t len, char stamp[LN_STAMP_LEN + 1]);
/* Does text hold "RAMCODE" followed by a line end? */
bool ln_find_ramcode(const char *text, size_t len);

/* The 32-byte header of a RAM-code image (§1.4). */
struct ln_ramhdr {
	uint32_t load_addr;
	uint16_t length;
	uint16_t crc_offset;
	uint32_t body_crc;
	uint32_t vector_addr;
	uint32_t crp;
	uint32_t header_crc;
};

enum ln_ramhdr_err {
	LN_RAMHDR_OK = 0,
	LN_RAMHDR_SHORT,        /* fewer than 32 bytes */
	LN_RAMHDR_HEADER_CRC,   /* CRC-32 of bytes 0..0x13 wrong */
	LN_RAMHDR_LENGTH,       /* length field is not the image size */
	LN_RAMHDR_BODY_CRC,     /* CRC-32 of [crc_offset, length) wrong */
};

enum ln_ramhdr_err ln_ramhdr_parse(const uint8_t *img, size_t len, struct ln_ramhdr *h);
const char *ln_ramhdr_strerror(enum ln_ramhdr_err e);
/* Fill the header of an image of len bytes (body already in place). */
void ln_ramhdr_build(uint8_t *img, size_t len, uint32_t load_addr);
/* Is this the GUI flasher's RAM code (it has `flash_crc32`/`fwrite`)? */
bool ln_image_is_gui(const uint8_t *img, size_t len);

/* ---- RAM code text ---- */

/* Split a command line on spaces/tabs into at most LN_MAX_ARGS tokens
 * (a token starting with '"' runs to the next '"'); the line is modified.
 * Returns the token count (extra tokens are dropped). */
int ln_split_args(char *line, char *argv[LN_MAX_ARGS]);
/* "\r\nid:0x%X,flash size:%dM Byte\r\n" → the id (MID << 16 | type << 8 | cap). */
bool ln_parse_flash_info(const char *text, size_t len, uint32_t *id);
/* The RAM code's id (M << 16 | T << 8 | C) as the database's JEDEC (M | T << 8 | C << 16). */
uint32_t ln_id_to_jedec(uint32_t id);
/* Flash size from the capacity byte (1 << cap), 0 when implausible. */
uint32_t ln_flash_size(uint32_t id);
/* Official `flash_read`: "\r\n" then "%02X " for each byte and the CRC-16
 * (high, low).  Length of that reply for n bytes. */
size_t ln_flash_read_reply_len(size_t n);
size_t ln_flash_read_format(char *out, const uint8_t *data, size_t n);
/* Decode a reply of ln_flash_read_reply_len(n) bytes into out[n]; false on
 * a malformed reply or a CRC mismatch. */
bool ln_flash_read_parse(const char *text, size_t len, uint8_t *out, size_t n);
/* Little-endian u32 of a raw 4-byte reply (`flash_id`, `flash_crc32`). */
uint32_t ln_get_le32(const uint8_t b[4]);
void ln_put_le32(uint8_t b[4], uint32_t v);

#endif
