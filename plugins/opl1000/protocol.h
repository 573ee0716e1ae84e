/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* OPL1000A2 ROM stage (docs/protocols/a5-stub-families.md §3.3, §4): the
 * `<CHECK>` prompt, stage 1 as Motorola S3 records, the stage-1 baud word,
 * and how a model recognises both loader stages.  Pure functions. */
#ifndef IOTFLASH_OPL1000_PROTOCOL_H
#define IOTFLASH_OPL1000_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OPL_PROMPT "<CHECK>"
#define OPL_SREC_CMD 0x75          /* `FE 75` ('u'): the ROM's S-record loader */
#define OPL_CMD_PREFIX 0xFE
#define OPL_SREC_READY "Wait for SREC"
#define OPL_SREC_ACK 'x'           /* the ROM's answer to each record [inferred] */
#define OPL_JUMP_ASK "Jump(j)"
#define OPL_JUMP 'j'
#define OPL_REFUSED "nvalid"       /* any text with this is a failure (§3.3 step 2) */

#define OPL_STAGE1_ADDR 0x00440000u
#define OPL_STAGE2_ADDR 0x00440400u
#define OPL_STAGE1_BAUD_OFF 8      /* u32 LE: the rate stage 1 sets (§3.3 step 5) */
#define OPL_STAGE1_BAUD_STORED 460800u
#define OPL_STAGE1_BAUD_MAX 921600u  /* the GUI's cap when the choice passes 1 419 000 */
#define OPL_SREC_DATA 16           /* data bytes per S3 record, as the GUI sends */
#define OPL_SREC_MAX 128           /* one record as text, plus room */

/* "S3" + count + address + data + checksum in uppercase hex, no line end;
 * n <= 250.  Returns the length written to out (OPL_SREC_MAX or more). */
size_t opl_srec_s3(char *out, uint32_t addr, const uint8_t *data, size_t n);
/* The end record "S705" + address + checksum. */
size_t opl_srec_s7(char *out, uint32_t addr);

/* A record as the ROM reads it (text without the line end): its type
 * ('3' or '7'), address and data.  0 good, -1 malformed, -2 checksum. */
int opl_srec_parse(const char *text, size_t len, char *type, uint32_t *addr, uint8_t *data, size_t *n);

/* Does buf hold `needle` (texts the ROM prints between other bytes)? */
bool opl_text_has(const uint8_t *buf, size_t n, const char *needle);

/* The rate stage 1 runs at for a chosen link rate (§3.3 step 5). */
uint32_t opl_stage1_baud(uint32_t chosen);
/* Write baud into stage 1's baud word (img holds at least 12 bytes). */
void opl_stage1_set_baud(uint8_t *img, uint32_t baud);
uint32_t opl_stage1_get_baud(const uint8_t *img);
/* SHA-256 of stage 1 with its baud word as stored (`00 08 07 00`, §4):
 * the hash the chip database gives, whatever rate the host patched in. */
void opl_stage1_masked_sha256(const uint8_t *img, size_t n, uint8_t out[32]);

/* Stand-ins for the two loader files (tests/e2e/gen-opl1000-standin.py):
 * the real first bytes, a tag at STANDIN_TAG_OFF and the image's length
 * (u32 LE) after it, and at the end the SHA-256 of everything before it
 * (stage 1: with the baud word masked). */
#define OPL_STANDIN_TAG "OPL1000A2 stand-in"
#define OPL_STANDIN_TAG_OFF 0x40

/* Is img (n bytes uploaded) the stage whose SHA-256 is sha256_hex (stage 1:
 * masked) and size real_len, or its stand-in?  Returns the stage's length,
 * 0 when it is neither. */
size_t opl_stage_len(const uint8_t *img, size_t n, bool stage1, const char *sha256_hex, size_t real_len);

#endif
