/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The "A5" RAM-stub protocol (docs/protocols/eswin.md §2.2-§2.5): request
 * frames `A5 type len16 data sum8`, replies `5A type len16 data status sum8`,
 * and XMODEM-1K for bulk data.  ECR6600's custom stub speaks it; the same
 * stub has been ported to other families, so the protocol lives here once:
 *   - pure frame and XMODEM block encode/decode (unit-tested);
 *   - host helpers over the plugin I/O API (struct a5_host);
 *   - a device-model core (a5stub-model.h) that a family's model runs once
 *     its ROM stage has loaded the stub. */
#ifndef IOTFLASH_A5STUB_H
#define IOTFLASH_A5STUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define A5_REQ_MAGIC    0xA5
#define A5_REPLY_MAGIC  0x5A
#define A5_REQ_OVERHEAD 5          /* magic, type, len16, sum */
#define A5_REPLY_OVERHEAD 6        /* magic, type, len16, status, sum */
#define A5_TYPE_REJECT  0xFF       /* reply TYPE of a rejected frame */
#define A5_TYPE_MAX     0x9F       /* higher TYPEs are rejected before DATA is read */

enum a5_cmd {
	A5_CMD_SYN = 0x00,
	A5_CMD_RAM_DOWNLOAD = 0x01,
	A5_CMD_FLASH_DOWNLOAD = 0x02,
	A5_CMD_FLASH_UPLOAD = 0x03,
	A5_CMD_ERASE = 0x04,
	A5_CMD_CHIP_ERASE = 0x05,
	A5_CMD_RUN = 0x06,
	A5_CMD_SET_BAUD = 0x07,
	A5_CMD_SHA256 = 0x09,
	A5_CMD_CRC = 0x8F,           /* RDA5981, OPL1000A2 (a5-stub-families.md §2.4) */
	A5_CMD_FLASH_ID = 0x90,
	A5_CMD_XM_WRITE = 0x91,
	A5_CMD_XM_READ = 0x92,
	A5_CMD_KV_GET = 0x93,      /* Realtek stubs (a5-stub-families.md §2.13) */
	A5_CMD_KV_SET = 0x94,
	A5_CMD_XM_READ_Z = 0x96,
	A5_CMD_XM_WRITE_Z = 0x97,
	A5_CMD_XM_READ_MEM = 0x98,
	A5_CMD_EFUSE = 0x99,
};

enum a5_status {
	A5_ST_OK = 0x00,
	A5_ST_ERROR = 0x01,
	A5_ST_ADDRESS = 0x02,
	A5_ST_TYPE = 0x03,
	A5_ST_LENGTH = 0x04,
	A5_ST_CRC = 0x05,
};

/* Reply data lengths of the commands that carry data. */
#define A5_FLASH_ID_DATA 4
#define A5_SHA256_DATA   32
#define A5_EFUSE_DATA    128

/* XMODEM-1K (§2.5). */
#define A5_XM_SOH 0x01
#define A5_XM_STX 0x02
#define A5_XM_EOT 0x04
#define A5_XM_ACK 0x06
#define A5_XM_NAK 0x15
#define A5_XM_CAN 0x18
#define A5_XM_C   0x43
#define A5_XM_DATA 1024
#define A5_XM_BLOCK (3 + A5_XM_DATA + 2)  /* STX, blk, ~blk, data, CRC-16 big-endian */

/* ---- pure functions ---- */

uint8_t a5_sum8(const uint8_t *p, size_t n);
const char *a5_status_text(uint8_t status);

/* A request frame; out holds A5_REQ_OVERHEAD + len bytes.  Returns its size. */
size_t a5_encode(uint8_t *out, uint8_t type, const uint8_t *data, uint16_t len);
/* The common shapes: (addr, len), (addr, len, one byte), one u32, none. */
size_t a5_encode_range(uint8_t *out, uint8_t type, uint32_t addr, uint32_t len);
size_t a5_encode_range_level(uint8_t *out, uint8_t type, uint32_t addr, uint32_t len, uint8_t level);
size_t a5_encode_u32(uint8_t *out, uint8_t type, uint32_t v);
/* 0x94: `keylen, value length u16, key` (a5-stub-families.md §2.13); key
 * at most A5_KV_KEY_SEND bytes (the stub parses DATA through 8 bytes of
 * stack: hosts send no more than 9).  0 when the key is too long. */
#define A5_KV_KEY_SEND 6
size_t a5_encode_kv_set(uint8_t *out, const char *key, uint16_t value_len);

/* A reply frame as a stub sends it; len_field is what it puts in DATA_LEN
 * (a stale value for error replies, §2.2).  Returns its size. */
size_t a5_encode_reply(uint8_t *out, uint8_t type, uint16_t len_field, const uint8_t *data, size_t n,
                       uint8_t status);

struct a5_reply {
	uint8_t type;
	uint16_t len_field;
	const uint8_t *data;   /* n data bytes (into the buffer decoded) */
	size_t n;
	uint8_t status;
};

enum a5_decode_result {
	A5_DECODE_OK = 0,
	A5_DECODE_SHORT = -1,   /* fewer bytes than the reply needs */
	A5_DECODE_MAGIC = -2,
	A5_DECODE_SUM = -3,
};

/* Decode a reply expected to carry `data_n` bytes.  A rejected frame (TYPE
 * FF) is always 6 bytes whatever its DATA_LEN says; its STATUS is at 4.
 * *used gets the frame's size.  The SYN reply's sum is stale (§2.3):
 * check_sum = false skips it. */
int a5_decode_reply(const uint8_t *buf, size_t len, size_t data_n, bool check_sum, struct a5_reply *r,
                    size_t *used);

/* An XMODEM-1K block (STX); data shorter than 1024 is padded with FF.
 * out holds A5_XM_BLOCK bytes. */
void a5_xm_encode_block(uint8_t *out, uint8_t blk, const uint8_t *data, size_t n);
/* Check a received STX block: 0 good, -1 header (STX/number/complement),
 * -2 CRC.  *blk gets the block number. */
int a5_xm_check_block(const uint8_t *in, uint8_t *blk);

/* ---- host side (plugin I/O API) ---- */

struct iotflash_dev;

struct a5_host {
	struct iotflash_dev *dev;
	uint8_t buf[A5_XM_BLOCK + 64];
	size_t last_z;             /* bytes of DEFLATE stream the last a5_read_z() received */
	/* A sending stub that waits for `C` only ~1 s (the GUI stubs,
	 * a5-stub-families.md §2.8): `C` again every this many ms until data
	 * flows, as the GUI does.  0: one `C` (the ECR6600 stub waits forever). */
	unsigned c_every_ms;
	/* How long a receiving stub may take to answer a block beyond its wire
	 * time: it NAKs a block short of a byte only after its data-byte
	 * time-out (OPL1000A2: 2000 ms units, a5-stub-families.md §2.7, §2.10).
	 * 0: XM_ACK_MS. */
	unsigned block_wait_ms;
};

/* One command and its reply.  data_n bytes of reply data go to out.
 * Returns IOTFLASH_OK, or a negative error described with iotflash_fail(). */
int a5_command(struct a5_host *h, const uint8_t *frame, size_t frame_len, uint8_t type, uint8_t *out,
               size_t data_n, unsigned timeout_ms);
/* Is a stub listening?  (0x90 with a short timeout, no failure recorded.) */
bool a5_probe(struct a5_host *h, uint32_t *jedec, unsigned timeout_ms);
int a5_flash_id(struct a5_host *h, uint32_t *jedec);
/* Is a stub listening?  SYN (`cnys`) with a short timeout, no failure
 * recorded: for stubs without 0x90 (GD32VW553). */
bool a5_syn(struct a5_host *h, unsigned timeout_ms);
int a5_erase(struct a5_host *h, uint32_t addr, uint32_t len);
int a5_chip_erase(struct a5_host *h, unsigned timeout_ms);
int a5_sha256(struct a5_host *h, uint32_t addr, uint32_t len, uint8_t digest[32]);
/* 0x8F: the stub's CRC of a range, its 4 bytes as sent (little-endian); the
 * reply's DATA_LEN field is not trusted (RDA5981 says 0x20). */
int a5_crc(struct a5_host *h, uint32_t addr, uint32_t len, uint8_t crc[4]);
/* 0x07: the ACK comes at the new rate, 50 ms after the switch (§2.3). */
int a5_set_baud(struct a5_host *h, uint32_t baud);
/* 0x92 / 0x91: len bytes over XMODEM-1K. */
int a5_read(struct a5_host *h, uint32_t addr, uint8_t *buf, uint32_t len);
int a5_write(struct a5_host *h, uint32_t addr, const uint8_t *buf, uint32_t len);
/* 0x96: a raw-DEFLATE read at `level` (1..10), inflated into buf. */
int a5_read_z(struct a5_host *h, uint32_t addr, uint8_t *buf, uint32_t len, uint8_t level);
/* 0x97: write len bytes (a multiple of 4) sent as the raw-DEFLATE stream z. */
int a5_write_z(struct a5_host *h, uint32_t addr, uint32_t len, const uint8_t *z, size_t zlen);
/* 0x93: the value of key into buf (cap bytes); *len gets its length.
 * IOTFLASH_ERR_UNSUPPORTED (no failure recorded) when the key is missing. */
int a5_kv_get(struct a5_host *h, const char *key, uint8_t *buf, size_t cap, size_t *len);
/* 0x94: store len bytes under key (XMODEM-1K after the stub's `C`). */
int a5_kv_set(struct a5_host *h, const char *key, const uint8_t *buf, uint16_t len);
/* After a failed transfer: bring the stub back to its parser (a receiving
 * stub waits for blocks forever and needs an EOT; a sending one gives up
 * after 10 tries). */
void a5_recover(struct a5_host *h, bool writing);

#endif
