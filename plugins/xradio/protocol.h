/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* XRadio XR809 / XR872 / XR806 "BROM" UART download protocol: pure
 * encoders and decoders (docs/protocols/xradio.md, cited as §N).  Used by
 * the driver, the device model and the unit tests; no I/O here. */
#ifndef IOTFLASH_XRADIO_PROTOCOL_H
#define IOTFLASH_XRADIO_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XR_HEADER_LEN    12
#define XR_PAYLOAD_MAX   0x4000u   /* longer requests: error 5 (§2.3) */
#define XR_SECTOR        512u      /* 0x1A / 0x1B address unit (§5.6) */
#define XR_SYNC          0x55      /* answered with "OK" between frames (§4) */
#define XR_REQ_MAX       (XR_HEADER_LEN + 16)  /* largest request this file builds */

/* Header flags (§2.1). */
#define XR_FLAG_ERROR 0x01
#define XR_FLAG_ACK   0x02
#define XR_FLAG_CHECK 0x04
#define XR_FLAG_RETRY 0x08
#define XR_FLAG_EXE   0x10

/* Opcodes (§5). */
enum xr_op {
	XR_OP_READ4 = 0x04,
	XR_OP_WRITE4 = 0x05,
	XR_OP_SEQRD = 0x08,
	XR_OP_SEQWR = 0x09,
	XR_OP_SETUART = 0x10,
	XR_OP_SETJTAG = 0x11,
	XR_OP_REBOOT = 0x12,
	XR_OP_SETPC = 0x13,
	XR_OP_SETCKCS = 0x14,
	XR_OP_BAUDLIST = 0x15,
	XR_OP_CORERESET = 0x16,
	XR_OP_CHIPTYPE = 0x17,
	XR_OP_FLASH_ID = 0x18,
	XR_OP_FLASH_ERASE = 0x19,
	XR_OP_FLASH_READ = 0x1A,
	XR_OP_FLASH_WRITE = 0x1B,
};

/* Error codes in an error reply's one payload byte (§3). */
enum xr_error {
	XR_ERR_UNKNOWN_CMD = 1,
	XR_ERR_TIMEOUT = 2,
	XR_ERR_CHECKSUM = 3,
	XR_ERR_INVALID = 4,
	XR_ERR_NO_MEMORY = 5,
	XR_ERR_FLASH = 6,
};

/* 0x19 modes (§5.5). */
enum xr_erase_mode { XR_ERASE_CHIP = 0, XR_ERASE_4K = 1, XR_ERASE_32K = 2, XR_ERASE_64K = 3 };

#define XR_LCR_8N1 0x03u  /* 0x10 parameter: LCR << 24 | baud (§5.3) */

/* Sum of little-endian 16-bit words, an odd last byte added as is (§2.2). */
uint16_t xr_sum16(const uint8_t *p, size_t len);
/* A data checksum (0x09, 0x1B): ~sum16(data). */
static inline uint16_t xr_dcs(const uint8_t *p, size_t len) { return (uint16_t)~xr_sum16(p, len); }

/* Sum over the "host-order" image P of a frame given in wire order:
 * header length LE, the checksum field taken as stored (0 when computing),
 * and the integer fields the device swaps for this opcode LE (§2.2). */
uint16_t xr_frame_sum(const uint8_t *hdr, const uint8_t *payload, size_t n, bool request);

/* A request: header with CHECK (byte 5 = b5) and checksum, payload as
 * given in wire order.  Returns the frame length. */
size_t xr_encode_request(uint8_t *out, uint8_t b5, const uint8_t *payload, size_t n);

/* The requests the tools send (§2.2 worked bytes), byte 5 = 0. */
size_t xr_enc_simple(uint8_t *out, uint8_t op);  /* 0x12, 0x15, 0x16, 0x17, 0x18 */
size_t xr_enc_baud(uint8_t *out, uint32_t baud);
size_t xr_enc_setpc(uint8_t *out, uint32_t addr);
size_t xr_enc_setckcs(uint8_t *out, uint8_t mode);
size_t xr_enc_seqwr(uint8_t *out, uint32_t addr, uint32_t len, uint16_t dcs);
size_t xr_enc_seqrd(uint8_t *out, uint32_t addr, uint32_t len);
size_t xr_enc_read4(uint8_t *out, uint32_t addr);
size_t xr_enc_write4(uint8_t *out, uint32_t addr, uint32_t value);
/* mode 0 is sent in the GUI's short form (no address, §2.2). */
size_t xr_enc_erase(uint8_t *out, enum xr_erase_mode mode, uint32_t addr);
size_t xr_enc_flash_read(uint8_t *out, uint32_t sector, uint32_t count);
size_t xr_enc_flash_write(uint8_t *out, uint32_t sector, uint32_t count, uint16_t dcs);

struct xr_header {
	uint8_t flags;
	uint8_t b5;          /* low nibble: protocol version (replies) */
	uint16_t checksum;
	uint32_t len;
};

/* false unless the 12 bytes start with "BROM". */
bool xr_decode_header(const uint8_t hdr[XR_HEADER_LEN], struct xr_header *h);

/* Device side: does a request with CHECK sum to 0xFFFF (§2.2)?  Requests
 * without CHECK always pass. */
bool xr_request_ok(const uint8_t hdr[XR_HEADER_LEN], const uint8_t *payload, size_t n);

/* A reply (§3): flags ACK (| ERROR), byte 5 = (req_b5 & 0xF0) | version;
 * with checked, CHECK and the checksum over P (0x14 mode != 0).  payload
 * may be NULL with n > 0 when the caller fills it in after the header
 * (then call xr_reply_seal).  Returns the header length (12). */
size_t xr_encode_reply(uint8_t *out, bool error, uint8_t req_b5, uint8_t version, uint32_t n, bool checked);
/* Fill in the checksum of a checked reply whose payload follows the header. */
void xr_reply_seal(uint8_t *frame, size_t n);
/* Host side: a reply's checksum holds (or it has no CHECK flag). */
bool xr_reply_ok(const uint8_t hdr[XR_HEADER_LEN], const uint8_t *payload, size_t n);

/* Flash bytes of a 0x18 capacity byte: 1 << cap for 0x11..0x1F, else 0 (§5.1). */
uint32_t xr_flash_bytes(uint8_t cap);
/* JEDEC id as iotflash stores it from the 0x18 payload (mfr, type, cap, 0). */
static inline uint32_t xr_flash_jedec(const uint8_t p[4])
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}
/* The erase unit of a mode, 0 for chip erase or an unknown mode. */
uint32_t xr_erase_unit(enum xr_erase_mode mode);
/* Text of an error code, or NULL. */
const char *xr_error_text(uint8_t code);

/* The "upgrade" console command that takes SDK firmware into download
 * mode (§1.2, the GUI's form) and the firmware's answer. */
extern const uint8_t xr_upgrade_cmd[10];
#define XR_UPGRADE_ACK "<ACK> 200 OK\n"

static inline void xr_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline uint32_t xr_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint16_t xr_get_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t xr_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif
