/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Beken BK72xx UART download protocol: pure frame builders, the reply
 * scanner and reply decoders (no I/O).  Byte layouts are those of
 * docs/protocols/bk72xx.md §2-§3; all integers are little-endian. */
#ifndef BK72XX_PROTOCOL_H
#define BK72XX_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Short commands (host -> chip); the reply echoes the code except LinkCheck. */
enum bk_cmd {
	BK_CMD_LINK_CHECK = 0x00,
	BK_CMD_WRITE_REG = 0x01,
	BK_CMD_READ_REG = 0x03,
	BK_CMD_REBOOT = 0x0E,
	BK_CMD_SET_BAUD = 0x0F,
	BK_CMD_CHECK_CRC = 0x10,
	BK_CMD_BOOT_VERSION = 0x11,
};
#define BK_REPLY_LINK_CHECK 0x01  /* LinkCheck's reply code is request + 1 */

/* Long operations: a separate code space from the short commands. */
enum bk_op {
	BK_OP_WRITE4K = 0x07,
	BK_OP_READ4K = 0x09,
	BK_OP_READ_SR = 0x0C,
	BK_OP_WRITE_SR = 0x0D,
	BK_OP_GET_MID = 0x0E,
	BK_OP_ERASE = 0x0F,
};

/* FlashErase size codes are the SPI erase opcodes. */
#define BK_ERASE_4K 0x20
#define BK_ERASE_64K 0xD8

#define BK_SECTOR 4096u
#define BK_CRC_PAGE 256u
#define BK_UNKNOWN_CMD 0x07   /* status / payload of "unknown command" */

/* Frame sizes. */
#define BK_SHORT_HDR 4        /* 01 E0 FC LEN */
#define BK_LONG_HDR 7         /* 01 E0 FC FF F4 LEN_LO LEN_HI */
#define BK_FRAME_MAX (BK_LONG_HDR + 5 + BK_SECTOR)
#define BK_LINK_CHECK_LEN 5
#define BK_LINK_REPLY_LEN 8
#define BK_REBOOT_LEN 6
#define BK_SET_BAUD_LEN 10
#define BK_SET_BAUD_REPLY_LEN 12
#define BK_READ4K_REPLY_LEN (9 + 6 + BK_SECTOR)
#define BK_WRITE4K_LEN (BK_LONG_HDR + 5 + BK_SECTOR)

/* Builders write one complete frame to out (which must hold the size the
 * comment names) and return its length; 0 on an invalid argument. */
size_t bk_frame_short(uint8_t *out, size_t cap, uint8_t cmd, const uint8_t *payload, size_t n);
size_t bk_frame_long(uint8_t *out, size_t cap, uint8_t op, const uint8_t *payload, size_t n);

size_t bk_frame_link_check(uint8_t out[BK_LINK_CHECK_LEN]);
size_t bk_frame_reboot(uint8_t out[BK_REBOOT_LEN]);
size_t bk_frame_set_baud(uint8_t out[BK_SET_BAUD_LEN], uint32_t baud, uint8_t delay_ms);
size_t bk_frame_read_reg(uint8_t out[9], uint32_t addr);
size_t bk_frame_write_reg(uint8_t out[13], uint32_t addr, uint32_t value);
size_t bk_frame_check_crc(uint8_t out[13], uint32_t start, uint32_t end);
size_t bk_frame_boot_version(uint8_t out[5]);
size_t bk_frame_read4k(uint8_t out[12], uint32_t addr);
/* Header plus the 4096 data bytes. */
size_t bk_frame_write4k(uint8_t out[BK_WRITE4K_LEN], uint32_t addr, const uint8_t data[BK_SECTOR]);
size_t bk_frame_erase(uint8_t out[13], uint8_t size_code, uint32_t addr);
size_t bk_frame_read_sr(uint8_t out[9], uint8_t spi_opcode);
/* nbytes 1 or 2: SR1 [, SR2] = low bytes of value. */
size_t bk_frame_write_sr(uint8_t out[11], uint32_t value, unsigned nbytes);
size_t bk_frame_get_mid(uint8_t out[12]);

/* A reply packet located by bk_scan_reply(); pointers into the scanned buffer. */
struct bk_reply {
	bool is_long;
	uint8_t code;             /* CMD (short) or OP (long) */
	uint8_t status;           /* long replies only */
	unsigned declared_len;    /* the LEN field */
	const uint8_t *payload;   /* short: after CMD; long: after STATUS */
	size_t payload_len;
	size_t total;             /* bytes of the whole packet */
};

enum bk_scan_result {
	BK_SCAN_MORE = 0,   /* need *need more bytes; *used leading bytes are junk */
	BK_SCAN_FOUND = 1,  /* packet ends at buf + *used */
};

/* Look in buf[0..n) for the reply to a command, resyncing like bk7231tools:
 * hunt for 04 0E, reject the wrong frame kind, require 01 E0 FC (and F4),
 * skip packets with another CMD/OP (stale link-check replies, the
 * system-error event) and anything that is not a frame at all.  short_len,
 * if not 0, is the LEN a short reply must declare (WriteReg's reply code is
 * LinkCheck's, so a queued link-check reply is told apart by its length).
 * The FlashGetMID reply that declares LEN 5 is taken as the 15 bytes it
 * really is. */
enum bk_scan_result bk_scan_reply(const uint8_t *buf, size_t n, bool is_long, uint8_t code,
                                  unsigned short_len, struct bk_reply *reply,
                                  size_t *used, size_t *need);

/* Decoders return 0, BK_ERR_STATUS (the chip reported a failure: see
 * reply->status) or BK_ERR_REPLY (wrong length or echo). */
enum {
	BK_ERR_STATUS = -1,
	BK_ERR_REPLY = -2,
};
int bk_decode_link_check(const struct bk_reply *r);
int bk_decode_set_baud(const struct bk_reply *r, uint32_t baud, uint8_t delay_ms);
int bk_decode_read_reg(const struct bk_reply *r, uint32_t addr, uint32_t *value);
int bk_decode_write_reg(const struct bk_reply *r, uint32_t addr, uint32_t value);
int bk_decode_check_crc(const struct bk_reply *r, uint8_t crc_wire[4]);
/* ASCII version, NULs and spaces stripped; BK_ERR_STATUS for the lone
 * "unknown command" byte a BootROM answers. */
int bk_decode_boot_version(const struct bk_reply *r, char *out, size_t outlen);
int bk_decode_read4k(const struct bk_reply *r, uint32_t addr, const uint8_t **data);
int bk_decode_write4k(const struct bk_reply *r, uint32_t addr);
int bk_decode_erase(const struct bk_reply *r, uint8_t size_code, uint32_t addr);
int bk_decode_read_sr(const struct bk_reply *r, uint8_t spi_opcode, uint8_t *value);
int bk_decode_write_sr(const struct bk_reply *r, uint32_t value, unsigned nbytes);
/* JEDEC id as M | T << 8 | C << 16; LEN 5 or 6 accepted. */
int bk_decode_get_mid(const struct bk_reply *r, uint32_t *jedec);

/* Name of a long-reply status byte ("flash busy", ...). */
const char *bk_status_name(uint8_t status);

/* CheckCRC range for [start, start+len): start 256-aligned, len a non-zero
 * multiple of 256, end = start + len - 1 (right on both families, §4). */
bool bk_crc_range(uint32_t start, uint32_t len, uint32_t *end);

/* Status-register change (§5.1): given the registers read (SR1 | SR2 << 8 |
 * SR3 << 16), the part's protection mask and the wanted value of the masked
 * bits, decide what to write.  Returns false when nothing needs writing;
 * otherwise *value (already masked to the write width) and *nbytes (1 or 2). */
bool bk_sr_change(uint32_t sr, unsigned sr_count, uint32_t mask, uint32_t target,
                  uint32_t *value, unsigned *nbytes);


/* eFuse key (§8): EFUSE_CTRL value that starts reading byte i. */
#define BK_REG_EFUSE_CTRL 0x00800074u
#define BK_REG_EFUSE_OPTR 0x00800078u
uint32_t bk_efuse_ctrl_start(uint32_t ctrl, unsigned byte_index);
/* The four coefficients as 32 lowercase hex digits. */
void bk_efuse_key_hex(const uint8_t key[16], char out[33]);
/* Compare hex strings ignoring case and whitespace. */
bool bk_hex_equal(const char *a, const char *b);

static inline void bk_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t bk_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif
