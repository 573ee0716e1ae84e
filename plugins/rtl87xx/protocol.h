/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Realtek Ameba download protocols: pure request builders, XMODEM frames and
 * the text formats of the AmebaZ2 shell (no I/O).  Byte layouts are those of
 * docs/protocols/rtl87xx.md; multi-byte fields are little-endian. */
#ifndef RTL87XX_PROTOCOL_H
#define RTL87XX_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Control bytes (§1.4). */
#define RTL_SOH 0x01
#define RTL_STX 0x02
#define RTL_EOT 0x04
#define RTL_ACK 0x06
#define RTL_NAK 0x15
#define RTL_CAN 0x18
#define RTL_ESC 0x1B

/* Binary ROM and loader command bytes (§1.3). */
enum rtl_cmd {
	RTL_CMD_BAUD = 0x05,
	RTL_CMD_XMODEM = 0x07,
	RTL_CMD_ERASE = 0x17,
	RTL_CMD_ROM_READ = 0x19,   /* AmebaZ ROM: raw 1 KiB chunks, host ACKs each */
	RTL_CMD_LDR_READ = 0x20,   /* loader: XMODEM-1K stream from the device */
	RTL_CMD_SPI_READ = 0x21,   /* loader form: spi_cmd, n -> 21 + n bytes */
	RTL_CMD_CHECKSUM = 0x27,
	RTL_CMD_READ_WORD = 0x31,
};

#define RTL_SECTOR 4096u
#define RTL_ROM_CHUNK 1024u        /* 0x19 sends this much per host ACK */
#define RTL_XM_DATA 1024u          /* STX payload */
#define RTL_XM_SMALL 128u          /* SOH payload */
#define RTL_XM_FRAME_MAX (3u + 4u + RTL_XM_DATA + 1u)
#define RTL_MAX_COUNT 0xFFFFu      /* u16 block count of 0x17/0x19/0x20 */
#define RTL_MAX_BAUD_IDX 0x22u

size_t rtl_req_baud(uint8_t out[2], uint8_t idx);
/* 0x17, 0x19, 0x20: offset u24, count u16 (4 KiB units). */
size_t rtl_req_range(uint8_t out[6], uint8_t cmd, uint32_t offset, uint16_t count);
/* 0x27: offset u24, size u24. */
size_t rtl_req_checksum(uint8_t out[7], uint32_t offset, uint32_t size);
size_t rtl_req_read_word(uint8_t out[5], uint32_t addr);
size_t rtl_req_spi_read(uint8_t out[3], uint8_t spi_cmd, uint8_t n);

/* Index of baud in the ROM rate table (chipdb param baud_table), or -1. */
int rtl_baud_index(const int64_t *table, unsigned n, uint32_t baud);

uint8_t rtl_sum8(const uint8_t *p, size_t n);

/* First occurrence of needle in hay (memmem is not portable C), or NULL. */
const uint8_t *rtl_find(const void *hay, size_t n, const char *needle);

/* One XMODEM frame: STX (1024-byte payload) or SOH (128) when n <= 128 and
 * small is set; with_addr puts the 4-byte target address before the data
 * and into the sum (§1.4), otherwise the plain form of §1.5/§7.4.  Short
 * data is padded with pad.  Returns the frame length. */
size_t rtl_xm_frame(uint8_t *out, uint8_t seq, bool with_addr, uint32_t addr,
                    const uint8_t *data, size_t n, bool small, uint8_t pad);
/* Payload size of a frame header byte, 0 if it is not SOH/STX. */
size_t rtl_xm_payload(uint8_t header);
/* Length of a whole frame of that header (0 if not a frame start). */
size_t rtl_xm_frame_len(uint8_t header, bool with_addr);

enum rtl_xm_check {
	RTL_XM_GOOD = 0,
	RTL_XM_BAD_COMPLEMENT,
	RTL_XM_BAD_SUM,
	RTL_XM_BAD_HEADER,
};
/* Check a whole frame (frame[0] is SOH/STX); on GOOD sets seq, addr (0
 * without address) and data (payload of rtl_xm_payload(frame[0]) bytes). */
enum rtl_xm_check rtl_xm_check(const uint8_t *frame, bool with_addr, uint8_t *seq,
                               uint32_t *addr, const uint8_t **data);

/* ---- AmebaZ2 shell text (§7.3) ---- */

#define RTL_DB_HEADER "\r\n [Addr]   .0 .1 .2 .3 .4 .5 .6 .7 .8 .9 .A .B .C .D .E .F\r\n"
#define RTL_DB_LINE 80u            /* 78 characters + LF CR */
#define RTL_DW_LINE 59u            /* 57 characters + CR LF */
#define RTL_HASHS "hashs "
#define RTL_SHA256_LEN 32u

/* Byte length of the whole reply to `DB addr n` / `DW addr n`. */
size_t rtl_db_reply_len(unsigned n);
size_t rtl_dw_reply_len(unsigned words);
/* Format the reply exactly as the ROM does; returns its length (cap must
 * hold rtl_*_reply_len() + 1). */
size_t rtl_fmt_db(char *out, size_t cap, uint32_t addr, const uint8_t *bytes, unsigned n);
size_t rtl_fmt_dw(char *out, size_t cap, uint32_t addr, const uint32_t *words, unsigned n);
/* Parse a whole reply of rtl_*_reply_len() bytes for addr; false when any
 * line is malformed, has another address, or (DB) its ASCII column does not
 * match its bytes. */
bool rtl_parse_db(const char *text, size_t len, uint32_t addr, uint8_t *bytes, unsigned n);
bool rtl_parse_dw(const char *text, size_t len, uint32_t addr, uint32_t *words, unsigned n);

/* ---- AmebaZ2 ROM monitor ("fallback", §7.2) and the command hijack (§7.5) ---- */

#define RTL_MON_PROMPT "$8710c>"
#define RTL_MON_PROBE "Rtk8710C"          /* the fallback probe command */
#define RTL_CMD_TABLE_PTR 0x1002F054u     /* word holding the shell's command table address */
#define RTL_CMD_ENTRY_LEN 12u             /* name ptr, handler, help */
#define RTL_CMD_ENTRIES 8u                /* tools look at this many entries */
#define RTL_CMD_NAME_LEN 16u              /* tools read each name with `DB ptr 16` */
#define RTL_REG_SYSCFG 0x400001F0u        /* bits 7-4: chip ver */
#define RTL_ROM30_ENTRY 0x00000000u       /* download mode entry, ROM v3.0 (chip ver > 2) */
#define RTL_ROM21_ENTRY 0x0001443Cu       /* download mode entry, ROM v2.1 */

/* Bytes the monitor echoes for a command line: cmd + CR LF. */
size_t rtl_mon_echo_len(const char *cmd);
/* What the monitor printed for cmd: text must start with the echo and hold
 * the prompt after it; body and body_len: what lies between.  False when
 * the echo differs or the prompt has not come. */
bool rtl_mon_reply(const char *text, size_t len, const char *cmd, const char **body, size_t *body_len);
/* Whether text is one of the monitor's two answers to RTL_MON_PROBE. */
bool rtl_mon_probe_answer(const char *text, size_t len);
/* Chip version (bits 7:4) of the 0x400001F0 word, and the Thumb address
 * (bit 0 set) to run for download mode on that ROM version. */
unsigned rtl_z2_chip_ver(uint32_t syscfg);
uint32_t rtl_z2_download_entry(uint32_t syscfg);
/* A command name from the 16 bytes `DB ptr 16` shows: NUL-terminated
 * within them, printable, not empty.  name holds RTL_CMD_NAME_LEN bytes. */
bool rtl_cmd_name(const uint8_t raw[RTL_CMD_NAME_LEN], char name[RTL_CMD_NAME_LEN]);
/* Whether a table entry may be taken over: not a command tools rely on. */
bool rtl_hijack_usable(const char *name);
/* The entry to take over among the first RTL_CMD_ENTRIES names (NULL = not
 * readable): the first usable one, as the GUI does; -1 if none. */
int rtl_pick_hijack(const char *const *names, unsigned n);

/* The flash JEDEC id from the SPIC data-register dump the GUI reads (§7.5):
 * MID = byte 0, capacity = byte 1, type = byte 4; as M | T << 8 | C << 16. */
uint32_t rtl_spic_jedec(const uint8_t dr[16]);
/* Flash size of a JEDEC capacity byte (0x14..0x19 -> 1 MiB..32 MiB), 0 if not plausible. */
uint32_t rtl_capacity_size(uint8_t cap);

static inline void rtl_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t rtl_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif
