/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Bouffalo Lab UART ISP (BootROM and eflash_loader): pure encoders and
 * decoders, shared by the driver, the device model and the unit tests.
 * Section numbers (§N) refer to docs/protocols/bl60x.md.  No I/O here. */
#ifndef IOTFLASH_BL60X_PROTOCOL_H
#define IOTFLASH_BL60X_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Request frame: cmd(1) | cks(1) | len(2, LE) | payload (§2.1). */
#define BL_HDR_LEN          4u
#define BL_ROM_PAYLOAD_MAX  4096u    /* official doc */
#define BL_LDR_PAYLOAD_MAX  0x4004u  /* BL602 loader RX buffer */
#define BL_FRAME_MAX        (BL_HDR_LEN + BL_LDR_PAYLOAD_MAX)
#define BL_SHA_LEN          32u

#define BL_BOOT_HEADER_LEN  176u     /* BL602, BL702 (§3.2) */
#define BL616_BOOT_HEADER_LEN 256u
#define BL_SEG_HEADER_LEN   16u      /* §3.3 */
#define BL_SEGCNT_OFF       120u
#define BL_LOADER_ADDR      0x22010000u

/* Version reported by get_boot_info (§3.1). */
#define BL_VERSION_BL602    0x00000001u
#define BL_VERSION_BL702    0x07020001u
#define BL_VERSION_BL616    0x06160001u
#define BL_VERSION_LOADER   0xFFFFFFFFu

enum bl_cmd {
	BL_GET_BOOT_INFO = 0x10,
	BL_LOAD_BOOT_HEADER = 0x11,
	BL_LOAD_SEG_HEADER = 0x17,
	BL_LOAD_SEG_DATA = 0x18,
	BL_CHECK_IMAGE = 0x19,
	BL_RUN_IMAGE = 0x1A,
	BL_RESET = 0x21,
	BL_CLK_SET = 0x22,
	BL_SET_TIMEOUT = 0x23,
	BL_FLASH_ERASE = 0x30,
	BL_FLASH_WRITE = 0x31,
	BL_FLASH_READ = 0x32,
	BL_FLASH_BOOT = 0x33,
	BL_XIP_READ = 0x34,
	BL_READ_JEDEC = 0x36,
	BL_READ_SR = 0x37,
	BL_WRITE_SR = 0x38,
	BL_WRITE_CHECK = 0x3A,
	BL_FLASH_SET_PARA = 0x3B,
	BL_CHIP_ERASE = 0x3C,
	BL_READ_SHA256 = 0x3D,
	BL_XIP_SHA256 = 0x3E,
	BL_EFUSE_READ = 0x41,
	BL_READ_MAC = 0x42,
	BL_WRITE_MEM = 0x50,
	BL_READ_MEM = 0x51,
	BL_XIP_START = 0x60,
	BL_XIP_FINISH = 0x61,
};

/* Error codes (§2.3), sent as `46 4C` + code LE. */
enum bl_error {
	BL_E_ERASE_PARA = 0x0002,
	BL_E_ERASE = 0x0003,
	BL_E_WRITE_PARA = 0x0004,
	BL_E_WRITE_ADDR = 0x0005,
	BL_E_WRITE = 0x0006,
	BL_E_SET_PARA = 0x0008,
	BL_E_CMD_LEN = 0x0102,
	BL_E_CMD_CRC = 0x0103,
	BL_E_BOOTHEADER_LEN = 0x0201,
	BL_E_BOOTHEADER_NOT_LOAD = 0x0202,
	BL_E_BOOTHEADER_MAGIC = 0x0203,
	BL_E_SECTIONHEADER_CRC = 0x0210,
	BL_E_SECTIONHEADER_DST = 0x0211,
	BL_E_SECTIONDATA_LEN = 0x0212,
	BL_E_SECTIONDATA_TLEN = 0x0214,
	BL_E_MEM_WRITE_LEN = 0x0401,
};

static inline uint32_t bl_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void bl_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* (len_lo + len_hi + sum of payload) & 0xFF; the command id is not included. */
uint8_t bl_checksum(const uint8_t *payload, size_t len);
/* Build a frame in out (BL_HDR_LEN + len bytes); with_cks false sends 0x00
 * (what the BL602/702 ROM expects).  Returns the frame length. */
size_t bl_frame(uint8_t *out, uint8_t cmd, bool with_cks, const uint8_t *payload, size_t len);
/* Payload builders; each returns the frame length. */
size_t bl_frame_u32x2(uint8_t *out, uint8_t cmd, bool with_cks, uint32_t a, uint32_t b);
/* Erase [addr, addr + len): the end address on the wire is inclusive (§4.1). */
size_t bl_frame_erase(uint8_t *out, uint32_t addr, uint32_t len);
size_t bl_frame_write(uint8_t *out, uint32_t addr, const uint8_t *data, size_t n);

/* 0x55 burst length for ms milliseconds at baud (10 bits a byte, §1.3),
 * at least 16 bytes. */
size_t bl_burst_len(uint32_t baud, unsigned ms);
/* The BL70x USB-CDC preamble sent before a burst (§1.4). */
extern const uint8_t bl_usb_preamble[22];

/* A device reply (§2.2).  PD pairs before the final status are counted. */
enum bl_status { BL_REPLY_OK, BL_REPLY_FAIL };
struct bl_reply {
	enum bl_status status;
	uint16_t error;          /* FAIL: the code */
	unsigned pending;        /* PD pairs seen before it */
	const uint8_t *data;     /* OK with data: points into the scanned buffer */
	size_t len;
};
enum bl_scan { BL_SCAN_NEED, BL_SCAN_FOUND, BL_SCAN_BAD };
/* Scan buf for one reply.  FOUND: *r set, *used = bytes consumed.  NEED:
 * *need more bytes (at least) are wanted.  BAD: buf starts with bytes that
 * are no reply (*used = how many to drop). */
enum bl_scan bl_scan_reply(const uint8_t *buf, size_t n, bool with_data, struct bl_reply *r,
                           size_t *used, size_t *need);

/* get_boot_info payload (after `OK` + len, §3.1). */
struct bl_boot_info {
	uint32_t version;
	uint8_t info[20];        /* bytes after the version */
	size_t info_len;
	uint8_t sign_type, encrypt_type;
};
int bl_parse_boot_info(const uint8_t *d, size_t len, struct bl_boot_info *bi);
/* The BL602 MAC (d[12..17]) or BL702 chip id (d[16..23]), in wire order;
 * returns its length or 0 if the reply is too short. */
size_t bl_boot_info_id(const struct bl_boot_info *bi, uint8_t out[8]);

/* An eflash_loader image: 176-byte boot header, then per segment a 16-byte
 * header and its data (§3.4).  Pointers refer to the caller's buffer. */
#define BL_MAX_SEGMENTS 4
struct bl_loader_image {
	const uint8_t *boot_header;
	unsigned n_segments;
	struct {
		const uint8_t *header;
		const uint8_t *data;
		uint32_t dest, len;
	} seg[BL_MAX_SEGMENTS];
};
/* Returns 0, or -1 with a one-line reason in why. */
int bl_parse_loader(const uint8_t *file, size_t len, struct bl_loader_image *img, char *why, size_t whylen);
/* CRC32 of bytes 0..11 equals bytes 12..15 (§3.3). */
bool bl_seg_header_valid(const uint8_t hdr[BL_SEG_HEADER_LEN]);
uint32_t bl_crc32(const uint8_t *data, size_t len);

/* Flash size from the JEDEC capacity byte (§5), 0 if unknown. */
uint32_t bl_capacity_size(uint8_t capacity);

/* Loader auto-baud rounding (§1.5): above 970000 the nearest multiple of 500000. */
uint32_t bl_loader_baud(uint32_t measured);

#endif
