/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Realtek Ameba download protocols: builders, frames, shell text. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "protocol.h"

static void put_u24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
}

size_t rtl_req_baud(uint8_t out[2], uint8_t idx)
{
	out[0] = RTL_CMD_BAUD;
	out[1] = idx;
	return 2;
}

size_t rtl_req_range(uint8_t out[6], uint8_t cmd, uint32_t offset, uint16_t count)
{
	out[0] = cmd;
	put_u24(out + 1, offset);
	out[4] = (uint8_t)count;
	out[5] = (uint8_t)(count >> 8);
	return 6;
}

size_t rtl_req_checksum(uint8_t out[7], uint32_t offset, uint32_t size)
{
	out[0] = RTL_CMD_CHECKSUM;
	put_u24(out + 1, offset);
	put_u24(out + 4, size);
	return 7;
}

size_t rtl_req_read_word(uint8_t out[5], uint32_t addr)
{
	out[0] = RTL_CMD_READ_WORD;
	rtl_put_u32(out + 1, addr);
	return 5;
}

size_t rtl_req_spi_read(uint8_t out[3], uint8_t spi_cmd, uint8_t n)
{
	out[0] = RTL_CMD_SPI_READ;
	out[1] = spi_cmd;
	out[2] = n;
	return 3;
}

int rtl_baud_index(const int64_t *table, unsigned n, uint32_t baud)
{
	for (unsigned i = 0; i < n && i <= RTL_MAX_BAUD_IDX; i++)
		if (table[i] == (int64_t)baud)
			return (int)i;
	return -1;
}

uint8_t rtl_sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

const uint8_t *rtl_find(const void *hay, size_t n, const char *needle)
{
	const uint8_t *h = hay;
	size_t m = strlen(needle);

	for (size_t i = 0; m && i + m <= n; i++)
		if (memcmp(h + i, needle, m) == 0)
			return h + i;
	return NULL;
}

size_t rtl_xm_payload(uint8_t header)
{
	return header == RTL_STX ? RTL_XM_DATA : header == RTL_SOH ? RTL_XM_SMALL : 0;
}

size_t rtl_xm_frame_len(uint8_t header, bool with_addr)
{
	size_t p = rtl_xm_payload(header);
	return p ? 3 + (with_addr ? 4 : 0) + p + 1 : 0;
}

size_t rtl_xm_frame(uint8_t *out, uint8_t seq, bool with_addr, uint32_t addr,
                    const uint8_t *data, size_t n, bool small, uint8_t pad)
{
	uint8_t header = small && n <= RTL_XM_SMALL ? RTL_SOH : RTL_STX;
	size_t payload = rtl_xm_payload(header), body = with_addr ? 4 : 0;
	uint8_t *p = out + 3;

	if (n > payload)
		return 0;
	out[0] = header;
	out[1] = seq;
	out[2] = (uint8_t)(0xFF - seq);
	if (with_addr)
		rtl_put_u32(p, addr);
	memcpy(p + body, data, n);
	memset(p + body + n, pad, payload - n);
	p[body + payload] = rtl_sum8(p, body + payload);  /* address + data (§1.4) */
	return 3 + body + payload + 1;
}

enum rtl_xm_check rtl_xm_check(const uint8_t *frame, bool with_addr, uint8_t *seq,
                               uint32_t *addr, const uint8_t **data)
{
	size_t payload = rtl_xm_payload(frame[0]), body = with_addr ? 4 : 0;
	const uint8_t *p = frame + 3;

	if (!payload)
		return RTL_XM_BAD_HEADER;
	if ((uint8_t)(frame[1] + frame[2]) != 0xFF)
		return RTL_XM_BAD_COMPLEMENT;
	if (rtl_sum8(p, body + payload) != p[body + payload])
		return RTL_XM_BAD_SUM;
	*seq = frame[1];
	*addr = with_addr ? rtl_get_u32(p) : 0;
	*data = p + body;
	return RTL_XM_GOOD;
}

/* ---- AmebaZ2 shell text ---- */

size_t rtl_db_reply_len(unsigned n)
{
	return strlen(RTL_DB_HEADER) + (n + 15) / 16 * RTL_DB_LINE;
}

size_t rtl_dw_reply_len(unsigned words)
{
	return 2 + (words + 3) / 4 * RTL_DW_LINE;
}

static char printable(uint8_t b)
{
	return b >= 0x20 && b <= 0x7E ? (char)b : '.';
}

size_t rtl_fmt_db(char *out, size_t cap, uint32_t addr, const uint8_t *bytes, unsigned n)
{
	size_t k = 0;

	if (cap < rtl_db_reply_len(n) + 1)
		return 0;
	k += (size_t)snprintf(out + k, cap - k, "%s", RTL_DB_HEADER);
	for (unsigned line = 0; line * 16 < n; line++) {
		unsigned have = n - line * 16 < 16 ? n - line * 16 : 16;
		k += (size_t)snprintf(out + k, cap - k, "%08X: ", (unsigned)(addr + line * 16));
		for (unsigned i = 0; i < 16; i++)
			k += (size_t)(i < have ? snprintf(out + k, cap - k, "%02x ", bytes[line * 16 + i])
			                       : snprintf(out + k, cap - k, "   "));
		k += (size_t)snprintf(out + k, cap - k, "    ");
		for (unsigned i = 0; i < 16; i++)
			out[k++] = i < have ? printable(bytes[line * 16 + i]) : ' ';
		out[k++] = '\n';
		out[k++] = '\r';
	}
	out[k] = '\0';
	return k;
}

size_t rtl_fmt_dw(char *out, size_t cap, uint32_t addr, const uint32_t *words, unsigned n)
{
	size_t k = 0;

	if (cap < rtl_dw_reply_len(n) + 1)
		return 0;
	addr &= ~3u;
	k += (size_t)snprintf(out + k, cap - k, "\r\n");
	for (unsigned line = 0; line * 4 < n; line++) {
		k += (size_t)snprintf(out + k, cap - k, "%08X:", (unsigned)(addr + line * 16));
		for (unsigned i = 0; i < 4 && line * 4 + i < n; i++)
			k += (size_t)snprintf(out + k, cap - k, "    %08x", (unsigned)words[line * 4 + i]);
		k += (size_t)snprintf(out + k, cap - k, "\r\n");
	}
	return k;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* n hex digits at p into *v. */
static bool hex_field(const char *p, unsigned n, uint32_t *v)
{
	*v = 0;
	for (unsigned i = 0; i < n; i++) {
		int d = hexval(p[i]);
		if (d < 0)
			return false;
		*v = *v << 4 | (uint32_t)d;
	}
	return true;
}

/* "%08X: " + 16 x "%02x " + 4 spaces + 16 ASCII + LF CR, full lines only. */
static bool parse_db_line(const char *l, uint32_t addr, uint8_t out[16])
{
	uint32_t a, v;

	if (!hex_field(l, 8, &a) || a != addr || l[8] != ':' || l[9] != ' ')
		return false;
	for (unsigned i = 0; i < 16; i++) {
		const char *f = l + 10 + 3 * i;
		if (!hex_field(f, 2, &v) || f[2] != ' ')
			return false;
		out[i] = (uint8_t)v;
	}
	if (memcmp(l + 58, "    ", 4) != 0 || l[78] != '\n' || l[79] != '\r')
		return false;
	for (unsigned i = 0; i < 16; i++)
		if (l[62 + i] != printable(out[i]))  /* the ASCII column doubles as a check */
			return false;
	return true;
}

bool rtl_parse_db(const char *text, size_t len, uint32_t addr, uint8_t *bytes, unsigned n)
{
	size_t h = strlen(RTL_DB_HEADER);

	if (n % 16 || len != rtl_db_reply_len(n) || memcmp(text, RTL_DB_HEADER, h) != 0)
		return false;
	for (unsigned line = 0; line < n / 16; line++)
		if (!parse_db_line(text + h + line * RTL_DB_LINE, addr + line * 16, bytes + line * 16))
			return false;
	return true;
}

bool rtl_parse_dw(const char *text, size_t len, uint32_t addr, uint32_t *words, unsigned n)
{
	if (n % 4 || len != rtl_dw_reply_len(n) || text[0] != '\r' || text[1] != '\n')
		return false;
	for (unsigned line = 0; line < n / 4; line++) {
		const char *l = text + 2 + line * RTL_DW_LINE;
		uint32_t a;
		if (!hex_field(l, 8, &a) || a != (addr & ~3u) + line * 16 || l[8] != ':')
			return false;
		for (unsigned i = 0; i < 4; i++) {
			const char *f = l + 9 + 12 * i;
			if (memcmp(f, "    ", 4) != 0 || !hex_field(f + 4, 8, &words[line * 4 + i]))
				return false;
		}
		if (l[57] != '\r' || l[58] != '\n')
			return false;
	}
	return true;
}

/* ---- AmebaZ2 ROM monitor ---- */

size_t rtl_mon_echo_len(const char *cmd)
{
	return strlen(cmd) + 2;
}

bool rtl_mon_reply(const char *text, size_t len, const char *cmd, const char **body, size_t *body_len)
{
	size_t echo = rtl_mon_echo_len(cmd);
	const uint8_t *prompt;

	if (len < echo || memcmp(text, cmd, echo - 2) != 0 || memcmp(text + echo - 2, "\r\n", 2) != 0)
		return false;
	if (!(prompt = rtl_find(text + echo, len - echo, RTL_MON_PROMPT)))
		return false;
	*body = text + echo;
	*body_len = (size_t)((const char *)prompt - *body);
	return true;
}

bool rtl_mon_probe_answer(const char *text, size_t len)
{
	static const char *const answers[] = {
		"\r\n" RTL_MON_PROMPT "\r\n" RTL_MON_PROMPT,
		RTL_MON_PROBE "\r\nCommand NOT found.\r\n" RTL_MON_PROMPT,
	};

	for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++)
		if (len == strlen(answers[i]) && memcmp(text, answers[i], len) == 0)
			return true;
	return false;
}

unsigned rtl_z2_chip_ver(uint32_t syscfg)
{
	return (syscfg >> 4) & 0xF;
}

uint32_t rtl_z2_download_entry(uint32_t syscfg)
{
	return (rtl_z2_chip_ver(syscfg) > 2 ? RTL_ROM30_ENTRY : RTL_ROM21_ENTRY) | 1u;
}

bool rtl_cmd_name(const uint8_t raw[RTL_CMD_NAME_LEN], char name[RTL_CMD_NAME_LEN])
{
	for (unsigned i = 0; i < RTL_CMD_NAME_LEN; i++) {
		if (raw[i] == 0) {
			name[i] = '\0';
			return i > 0;
		}
		if (raw[i] <= 0x20 || raw[i] > 0x7E)
			return false;
		name[i] = (char)raw[i];
	}
	return false;  /* no NUL within the 16 bytes */
}

bool rtl_hijack_usable(const char *name)
{
	/* The shell's own commands: tools need them while they run code. */
	static const char *const taken[] = {
		"ping", "disc", "ucfg", "DW", "DB", "EW", "EB", "WDTRST", "hashq", "fwd", "fwdram",
	};

	if (!name || !*name)
		return false;
	for (size_t i = 0; i < sizeof taken / sizeof taken[0]; i++)
		if (strcmp(name, taken[i]) == 0)
			return false;
	return true;
}

int rtl_pick_hijack(const char *const *names, unsigned n)
{
	for (unsigned i = 0; i < n && i < RTL_CMD_ENTRIES; i++)
		if (rtl_hijack_usable(names[i]))
			return (int)i;
	return -1;
}

uint32_t rtl_spic_jedec(const uint8_t dr[16])
{
	return (uint32_t)dr[0] | (uint32_t)dr[4] << 8 | (uint32_t)dr[1] << 16;
}

uint32_t rtl_capacity_size(uint8_t cap)
{
	return cap >= 0x14 && cap <= 0x19 ? 1u << cap : 0;
}
