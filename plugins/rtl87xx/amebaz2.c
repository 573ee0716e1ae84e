/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* AmebaZ2 (RTL87X0C): the ROM's download-mode text shell (§7).  Reads are
 * `DB` dumps of the memory-mapped flash, writes `fwd` + plain XMODEM (the
 * ROM erases as it goes), verification `hashq` (SHA-256 from the offset of
 * the last `fwd`), erase `seras`.  A chip found in the ROM monitor
 * (`$8710c>`) is switched to download mode the way the tools do it (§7.2,
 * §7.5). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"

#define PING_MS 300
#define LINE_MS 300               /* one short reply line */
#define UCFG_SETTLE_MS 500        /* the ROM waits this long before its OK (§7.3) */
#define UCFG_REPLY_MS (UCFG_SETTLE_MS + 1000)
#define UCFG_SWITCH_MS 100
#define FWD_NAK_MS 3000           /* NAKs come about every second (§7.4) */
#define FWD_OK_MS 1000
#define HASH_BYTES_PER_MS 1000    /* generous: the ROM hashes several MB/s */
#define SECTOR_ERASE_MS 300
#define DUMP_MAX (64u * 1024u)    /* bytes per DW read: one 64 KiB unit in one command */
#define QUERY_TRIES 3
#define REG_PIN_GROUP 0x40000038u
#define REG_SYSCFG 0x400001F0u
#define REG_WDT 0x40002800u
#define WDT_OFF 0x7EFFFFFFu
#define SPIC_BASE 0x40020000u
#define MON_TAIL_MS 20            /* the monitor's text goes on right after the echo */
#define MON_REPLY_MS 300
#define MON_TRIES 3               /* sends of one monitor command with a garbled answer */
#define ESCAPE_TRIES 2            /* escapes per link; then only the user can help */

static int z2_line(struct rtl *r, const char *fmt, ...) IOTFLASH_PRINTF(2, 3);
static int z2_cancel(struct rtl *r);

static int z2_line(struct rtl *r, const char *fmt, ...)
{
	char line[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof line - 1)
		return iotflash_fail(r->dev, IOTFLASH_ERR_INTERNAL, "shell command too long");
	line[n++] = '\n';
	iotflash_io_flush_input(r->dev);
	return rtl_send(r, line, (size_t)n);
}

/* Collect more input into buf (which holds *got bytes) until `needle` is
 * in it (true) or timeout_ms passed. */
static bool z2_expect_more(struct rtl *r, const char *needle, char *buf, size_t cap, size_t *got,
                           unsigned timeout_ms)
{
	uint64_t deadline = iotflash_now_ms() + timeout_ms;

	while (*got < cap - 1) {
		uint64_t now = iotflash_now_ms();
		int n;
		if (now >= deadline)
			break;
		n = rtl_recv_some(r, (uint8_t *)buf + *got, cap - 1 - *got, (unsigned)(deadline - now));
		if (n < 0)
			return false;
		*got += (size_t)n;
		if (rtl_find(buf, *got, needle))
			return true;
	}
	return false;
}

/* Collect input until `needle` has arrived (true) or timeout_ms passed;
 * *got bytes of it are left in buf. */
static bool z2_expect(struct rtl *r, const char *needle, char *buf, size_t cap, size_t *got,
                      unsigned timeout_ms)
{
	*got = 0;
	return z2_expect_more(r, needle, buf, cap, got, timeout_ms);
}

/* The download shell answers exactly "ping"; the ROM monitor echoes
 * "ping\r\n" and goes on to its prompt at once (§7.2).  The leading empty
 * line (ignored by the shell, §12.1) ends whatever the shell has taken in
 * before: a chip reset as the port opened (an adapter whose DTR/RTS drives
 * reset) loses the first ping to its banner, and a ping sent at the other
 * rate of the search arrives as garbage without a line end, which would
 * otherwise spoil every later ping. */
static bool z2_ping(struct rtl *r, bool *monitor)
{
	char buf[128];
	size_t got;
	bool ok;

	z2_line(r, "\nping");
	ok = z2_expect(r, "ping", buf, sizeof buf, &got, PING_MS);
	if (ok) {
		int n = rtl_recv_some(r, (uint8_t *)buf + got, sizeof buf - 1 - got, MON_TAIL_MS);
		if (n > 0) {
			got += (size_t)n;
			z2_expect_more(r, RTL_MON_PROMPT, buf, sizeof buf, &got, PING_MS);
		}
	}
	*monitor = rtl_find(buf, got, RTL_MON_PROMPT) != NULL;
	return ok && !*monitor;
}

/* One reply line per written value (§7.3 EW/EB). */
static int z2_write_regs(struct rtl *r, const char *cmd, uint32_t addr, uint32_t value)
{
	char buf[128];
	size_t got;

	z2_line(r, "%s %X %X", cmd, (unsigned)addr, (unsigned)value);
	if (!z2_expect(r, "\r\n", buf, sizeof buf, &got, LINE_MS))
		return iotflash_fail(r->dev, IOTFLASH_ERR_TIMEOUT, "no answer to %s %X", cmd, (unsigned)addr);
	rtl_drain(r, 10, 100, -1);
	return IOTFLASH_OK;
}

/* `DW addr 4`: one line of four words. */
static int z2_read_words(struct rtl *r, uint32_t addr, uint32_t words[4])
{
	char buf[128];
	size_t len = rtl_dw_reply_len(4);
	int rc;

	z2_line(r, "DW %X 4", (unsigned)addr);
	rc = rtl_recv_exact(r, (uint8_t *)buf, len, LINE_MS + iotflash_io_wire_ms(r->dev, len));
	if (rc != IOTFLASH_OK || !rtl_parse_dw(buf, len, addr, words, 4)) {
		rtl_drain(r, 50, 500, -1);
		return iotflash_fail(r->dev, rc ? rc : IOTFLASH_ERR_PROTOCOL, "DW %X: no or malformed answer",
		                     (unsigned)addr);
	}
	return IOTFLASH_OK;
}

/* `DB addr n` into out (n a multiple of 16). */
static int z2_dump(struct rtl *r, uint32_t addr, uint8_t *out, unsigned n)
{
	size_t len = rtl_db_reply_len(n);
	char *text = malloc(len + 1);
	int rc;

	if (!text)
		return iotflash_fail(r->dev, IOTFLASH_ERR_NOMEM, "out of memory");
	z2_line(r, "DB %X %u", (unsigned)addr, n);
	rc = rtl_recv_exact(r, (uint8_t *)text, len, REPLY_MARGIN_MS + iotflash_io_wire_ms(r->dev, len));
	if (rc == IOTFLASH_OK && !rtl_parse_db(text, len, addr, out, n))
		rc = IOTFLASH_ERR_PROTOCOL;
	free(text);
	if (rc != IOTFLASH_OK) {
		rtl_drain(r, 50, 2000, -1);
		return iotflash_fail(r->dev, rc, "DB %X %u: %s", (unsigned)addr, n,
		                     rc == IOTFLASH_ERR_TIMEOUT ? "the dump was cut short" : "malformed dump");
	}
	return IOTFLASH_OK;
}

/* `ucfg baud 0 0`: the ROM answers OK at the new rate after 500 ms. */
static int z2_try_baud(struct rtl *r, uint32_t baud)
{
	char buf[64];
	size_t got;
	uint32_t old = r->baud;
	bool monitor;

	z2_line(r, "ucfg %u 0 0", (unsigned)baud);
	iotflash_io_drain(r->dev);
	/* Switch well inside the ROM's 500 ms: the line must have left at the
	 * old rate even where drain returns early (ptys, USB adapters). */
	iotflash_sleep_ms(r->dev, UCFG_SWITCH_MS);
	if (rtl_set_host_baud(r, baud) != IOTFLASH_OK)
		return IOTFLASH_ERR_BAUD;
	r->baud = baud;
	if (z2_expect(r, "OK", buf, sizeof buf, &got, UCFG_REPLY_MS) && z2_ping(r, &monitor))
		return IOTFLASH_OK;
	r->baud = old;
	rtl_set_host_baud(r, old);
	if (z2_ping(r, &monitor))
		return IOTFLASH_ERR_BAUD;
	return IOTFLASH_ERR_NO_LINK;
}

static int z2_switch(struct rtl *r)
{
	int rc;

	if (r->baud == r->target)
		return IOTFLASH_OK;
	/* The watchdog would reset the chip during a long session (§7.5). */
	if ((rc = z2_write_regs(r, "EW", REG_WDT, WDT_OFF)) != IOTFLASH_OK)
		return rc;
	return rtl_switch_baud(r, z2_try_baud);
}

/* ---- the ROM monitor ("fallback", §7.2) and its way out (§7.5) ---- */

/* One monitor command: the echo (len + 2 bytes) is checked and dropped, and
 * *body is what the monitor printed before its next prompt. */
static bool z2_mon_once(struct rtl *r, const char *cmd, char *buf, size_t cap, const char **body,
                        size_t *body_len)
{
	size_t got;

	z2_line(r, "%s", cmd);
	if (z2_expect(r, RTL_MON_PROMPT, buf, cap, &got, MON_REPLY_MS + iotflash_io_wire_ms(r->dev, cap)) &&
	    rtl_mon_reply(buf, got, cmd, body, body_len))
		return true;
	rtl_drain(r, 50, 500, -1);
	return false;
}

/* Add input to buf until the line has been quiet for MON_TAIL_MS. */
static void z2_collect_quiet(struct rtl *r, char *buf, size_t cap, size_t *got)
{
	int n;

	while (*got < cap - 1 && (n = rtl_recv_some(r, (uint8_t *)buf + *got, cap - 1 - *got, MON_TAIL_MS)) > 0)
		*got += (size_t)n;
}

/* The fallback probe: confirms the monitor and leaves the line in step. */
static int z2_mon_probe(struct rtl *r)
{
	char buf[128];
	size_t got;

	for (unsigned t = 0; t < MON_TRIES; t++) {
		z2_line(r, RTL_MON_PROBE);
		got = 0;
		/* Either answer ends with a prompt; the first has a second one. */
		z2_expect_more(r, RTL_MON_PROMPT, buf, sizeof buf, &got, MON_REPLY_MS);
		z2_collect_quiet(r, buf, sizeof buf, &got);
		if (rtl_mon_probe_answer(buf, got))
			return IOTFLASH_OK;
		rtl_drain(r, 50, 500, -1);
	}
	iotflash_log(r->dev, IOTFLASH_LOG_WARN, "ROM monitor: no answer to the %s probe", RTL_MON_PROBE);
	return IOTFLASH_ERR_PROTOCOL;
}

/* `DW addr n` in the monitor (n a multiple of 4, at most 24). */
static int z2_mon_words(struct rtl *r, uint32_t addr, uint32_t *words, unsigned n)
{
	char cmd[32], buf[512];
	const char *body;
	size_t len;

	snprintf(cmd, sizeof cmd, "DW %X %u", (unsigned)addr, n);
	for (unsigned t = 0; t < MON_TRIES; t++)
		if (z2_mon_once(r, cmd, buf, sizeof buf, &body, &len) && rtl_parse_dw(body, len, addr, words, n))
			return IOTFLASH_OK;
	iotflash_log(r->dev, IOTFLASH_LOG_WARN, "ROM monitor: no valid answer to %s", cmd);
	return IOTFLASH_ERR_PROTOCOL;
}

/* A command name, read as the tools do with `DB ptr 16`; *readable is
 * false when the 16 bytes hold no plain name. */
static int z2_mon_name(struct rtl *r, uint32_t ptr, char name[RTL_CMD_NAME_LEN], bool *readable)
{
	char cmd[32], buf[256];
	uint8_t raw[RTL_CMD_NAME_LEN];
	const char *body;
	size_t len;

	snprintf(cmd, sizeof cmd, "DB %X %u", (unsigned)ptr, RTL_CMD_NAME_LEN);
	for (unsigned t = 0; t < MON_TRIES; t++)
		if (z2_mon_once(r, cmd, buf, sizeof buf, &body, &len) &&
		    rtl_parse_db(body, len, ptr, raw, RTL_CMD_NAME_LEN)) {
			*readable = rtl_cmd_name(raw, name);
			return IOTFLASH_OK;
		}
	iotflash_log(r->dev, IOTFLASH_LOG_WARN, "ROM monitor: no valid answer to %s", cmd);
	return IOTFLASH_ERR_PROTOCOL;
}

/* `EW addr value`: one line back, then the prompt. */
static int z2_mon_poke(struct rtl *r, uint32_t addr, uint32_t value)
{
	char cmd[32], buf[128];
	const char *body;
	size_t len;

	snprintf(cmd, sizeof cmd, "EW %X %X", (unsigned)addr, (unsigned)value);
	for (unsigned t = 0; t < MON_TRIES; t++)
		if (z2_mon_once(r, cmd, buf, sizeof buf, &body, &len) && rtl_find(body, len, "\r\n"))
			return IOTFLASH_OK;
	iotflash_log(r->dev, IOTFLASH_LOG_WARN, "ROM monitor: no answer to %s", cmd);
	return IOTFLASH_ERR_PROTOCOL;
}

/* Names of the first entries of the command table at `table`; NULL where
 * an entry has no readable name. */
static int z2_mon_names(struct rtl *r, uint32_t table, char names[][RTL_CMD_NAME_LEN],
                        const char *list[], uint32_t *first_words)
{
	int rc = z2_mon_words(r, table, first_words, RTL_CMD_ENTRIES * RTL_CMD_ENTRY_LEN / 4);

	for (unsigned i = 0; rc == IOTFLASH_OK && i < RTL_CMD_ENTRIES; i++) {
		uint32_t ptr = first_words[i * RTL_CMD_ENTRY_LEN / 4];
		bool readable = false;
		if (ptr == 0)
			break;  /* the end of a shorter table */
		rc = z2_mon_name(r, ptr, names[i], &readable);
		list[i] = readable ? names[i] : NULL;
	}
	return rc;
}

/* Take over an unused command of the monitor's table and run the download
 * ROM through it: the entry of the ROM version read from 0x400001F0. */
static int z2_escape(struct rtl *r)
{
	uint32_t sys[4], ptr[4], words[RTL_CMD_ENTRIES * RTL_CMD_ENTRY_LEN / 4];
	char names[RTL_CMD_ENTRIES][RTL_CMD_NAME_LEN];
	const char *list[RTL_CMD_ENTRIES] = { NULL };
	uint32_t entry;
	int rc, pick;

	if ((rc = z2_mon_probe(r)) != IOTFLASH_OK || (rc = z2_mon_words(r, RTL_REG_SYSCFG, sys, 4)) != IOTFLASH_OK ||
	    (rc = z2_mon_words(r, RTL_CMD_TABLE_PTR, ptr, 4)) != IOTFLASH_OK ||
	    (rc = z2_mon_names(r, ptr[0], names, list, words)) != IOTFLASH_OK)
		return rc;
	if ((pick = rtl_pick_hijack(list, RTL_CMD_ENTRIES)) < 0) {
		iotflash_log(r->dev, IOTFLASH_LOG_WARN, "ROM monitor: none of the first %u commands of its table "
		             "can be borrowed to start the download ROM", RTL_CMD_ENTRIES);
		return IOTFLASH_ERR_UNSUPPORTED;
	}
	entry = rtl_z2_download_entry(sys[0]);
	if ((rc = z2_mon_poke(r, ptr[0] + (uint32_t)pick * RTL_CMD_ENTRY_LEN + 4, entry)) != IOTFLASH_OK)
		return rc;
	iotflash_log(r->dev, IOTFLASH_LOG_INFO, "ROM monitor: ROM v%s (chip ver %u): running 0x%08X through `%s`",
	             rtl_z2_chip_ver(sys[0]) > 2 ? "3.0" : "2.1", rtl_z2_chip_ver(sys[0]), (unsigned)entry,
	             names[pick]);
	/* The command's echo comes first; what download mode prints is [unknown]. */
	z2_line(r, "%s", names[pick]);
	rtl_drain(r, 50, 500, -1);
	return IOTFLASH_OK;
}

static int z2_find(struct rtl *r)
{
	uint64_t start = iotflash_now_ms();
	bool noticed = false, monitor = false, seen = false, told = false;
	unsigned escapes = 0;
	uint32_t rates[2] = { r->link_baud, r->target };

	for (unsigned round = 0;; round++) {
		uint32_t baud = rates[round % 2];
		bool up = iotflash_io_set_baud(r->dev, baud) == 0 && z2_ping(r, &monitor);
		int rc;
		/* The monitor runs at the link rate; leave it the way the tools do. */
		if (!up && monitor && escapes < ESCAPE_TRIES) {
			seen = true;
			escapes++;
			up = z2_escape(r) == IOTFLASH_OK && z2_ping(r, &monitor);
			if (up)
				iotflash_notice(r->dev, "the chip was in its ROM monitor (%s); switched it to download mode",
				                RTL_MON_PROMPT);
		}
		if (up) {
			r->baud = baud;
			return IOTFLASH_OK;
		}
		seen = seen || monitor;
		if (seen)
			iotflash_dev_answered(r->dev);  /* the ROM's own text: not another talker */
		if (seen && !told) {
			iotflash_notice(r->dev, "the chip is in its ROM monitor (%s), not in download mode, and could not "
			                "be switched: pull PA00 high (3.3 V) and reset it", RTL_MON_PROMPT);
			told = true;
		}
		if ((rc = rtl_link_timeout(r, start, &noticed)) != IOTFLASH_OK)
			return rc == IOTFLASH_ERR_NO_LINK && seen
			       ? iotflash_fail(r->dev, rc, "the chip stayed in its ROM monitor (%s) instead of download "
			                       "mode: pull PA00 high (3.3 V) and reset it", RTL_MON_PROMPT)
			       : rc;
	}
}

static int z2_link(struct rtl *r)
{
	int rc = z2_find(r);
	if (rc == IOTFLASH_OK)
		rc = z2_switch(r);
	if (rc == IOTFLASH_OK)
		iotflash_log(r->dev, IOTFLASH_LOG_INFO, "AmebaZ2 download shell at %u baud", (unsigned)r->baud);
	return rc;
}

/* The flash JEDEC id through the SPI controller, as the GUI reads it (§7.5). */
static int z2_flash_id(struct rtl *r, uint32_t *jedec)
{
	uint8_t dr[16];
	int rc = z2_write_regs(r, "EB", SPIC_BASE + 0x60, 0x9F);

	if (rc == IOTFLASH_OK)
		rc = z2_write_regs(r, "EW", SPIC_BASE + 0x04, 3);
	if (rc == IOTFLASH_OK)
		rc = z2_write_regs(r, "EW", SPIC_BASE + 0x08, 1);
	if (rc == IOTFLASH_OK)
		rc = z2_write_regs(r, "EW", SPIC_BASE + 0x08, 0);
	if (rc == IOTFLASH_OK)
		rc = z2_dump(r, SPIC_BASE + 0x60, dr, sizeof dr);
	if (rc == IOTFLASH_OK)
		*jedec = rtl_spic_jedec(dr);
	return rc;
}

/* The identification queries, tried again when a reply was garbled. */
static int z2_query_ids(struct rtl *r, uint32_t pins[4], uint32_t sys[4], uint32_t *jedec)
{
	int rc = IOTFLASH_OK;

	for (unsigned t = 0; t < QUERY_TRIES; t++) {
		if ((rc = z2_read_words(r, REG_PIN_GROUP, pins)) == IOTFLASH_OK &&
		    (rc = z2_read_words(r, REG_SYSCFG, sys)) == IOTFLASH_OK &&
		    (rc = z2_flash_id(r, jedec)) == IOTFLASH_OK)
			return IOTFLASH_OK;
		if (rc == IOTFLASH_ERR_CANCELLED)
			break;
	}
	return rc;
}

static int z2_detect(struct rtl *r, struct iotflash_chip_info *info)
{
	uint32_t pins[4], sys[4], jedec = 0;
	unsigned ver;
	int rc;

	if ((rc = z2_query_ids(r, pins, sys, &jedec)) != IOTFLASH_OK)
		return rc;
	r->pin_group = (pins[0] >> 5) & 3;
	ver = (sys[0] >> 4) & 0xF;
	info->chip = r->chip;
	info->chip_id = sys[0];
	snprintf(info->loader_version, sizeof info->loader_version, "download ROM v%s (VID %u, chip ver %u)",
	         ver > 2 ? "3.0" : "2.1", (unsigned)((sys[0] >> 8) & 0xF), ver);
	info->flash_id = jedec;
	info->flash = iotflash_db_flash(r->dev, jedec);
	info->flash_size = info->flash ? info->flash->size : rtl_capacity_size((uint8_t)(jedec >> 16));
	if (!info->flash_size)  /* ltchiptool's rule: pin group 1 is the 2 MiB CF (§7.5) */
		info->flash_size = r->pin_group == 1 ? 2u << 20 : 4u << 20;
	snprintf(info->extra, sizeof info->extra, "flash pin group %u (%s)", r->pin_group,
	         r->pin_group == 1 ? "PIN_B6_B12, RTL87x0CF" : r->pin_group == 0 ? "PIN_A7_A12, RTL87x0CX/CM" : "unknown");
	return IOTFLASH_OK;
}

/* `DW addr n/4` into out (n a multiple of 16).  DW takes 59 characters per
 * 16 bytes where DB takes 78 (§7.3), so flash is read as words: the same
 * bytes (little-endian), a quarter less text on the wire. */
static int z2_dump_words(struct rtl *r, uint32_t addr, uint8_t *out, unsigned n)
{
	unsigned nw = n / 4;
	size_t len = rtl_dw_reply_len(nw);
	char *text = malloc(len + 1);
	uint32_t *w = malloc((size_t)nw * sizeof *w);
	int rc;

	if (!text || !w) {
		free(text);
		free(w);
		return iotflash_fail(r->dev, IOTFLASH_ERR_NOMEM, "out of memory");
	}
	z2_line(r, "DW %X %u", (unsigned)addr, nw);
	rc = rtl_recv_exact(r, (uint8_t *)text, len, REPLY_MARGIN_MS + iotflash_io_wire_ms(r->dev, len));
	if (rc == IOTFLASH_OK && !rtl_parse_dw(text, len, addr, w, nw))
		rc = IOTFLASH_ERR_PROTOCOL;
	for (unsigned i = 0; rc == IOTFLASH_OK && i < nw; i++)
		rtl_put_u32(out + 4 * i, w[i]);
	free(text);
	free(w);
	if (rc != IOTFLASH_OK) {
		rtl_drain(r, 50, 2000, -1);
		return iotflash_fail(r->dev, rc, "DW %X %u: %s", (unsigned)addr, nw,
		                     rc == IOTFLASH_ERR_TIMEOUT ? "the dump was cut short" : "malformed dump");
	}
	return IOTFLASH_OK;
}

/* Dumps as large as the ROM takes while the line is clean; a dump lost to
 * the line (one dropped byte costs the whole dump) halves the size for the
 * dumps that follow, and clean dumps grow it back.  A piece is asked again
 * at most DUMP_TRIES times in a row: past that the call fails and the
 * core's block retries take over. */
#define DUMP_MIN 1024u
#define DUMP_TRIES 3
#define DUMP_GROW_AFTER 8

static int z2_read_text(struct rtl *r, uint32_t addr, uint8_t *buf, uint32_t len)
{
	unsigned fails = 0;

	if (!r->dump_size)
		r->dump_size = DUMP_MAX;
	for (uint32_t off = 0; off < len;) {
		uint32_t n = len - off < r->dump_size ? len - off : r->dump_size;
		int rc;
		if (iotflash_dev_cancelled(r->dev))
			return rtl_cancelled(r);
		rc = z2_dump_words(r, r->flash_map + addr + off, buf + off, n);
		if (rc == IOTFLASH_ERR_CANCELLED)
			return rc;
		if (rc != IOTFLASH_OK) {
			r->dump_clean = 0;
			if (r->dump_size > DUMP_MIN)
				r->dump_size /= 2;
			if (++fails >= DUMP_TRIES)
				return rc;
			continue;
		}
		fails = 0;
		off += n;
		if (++r->dump_clean >= DUMP_GROW_AFTER && r->dump_size < DUMP_MAX) {
			r->dump_size *= 2;
			r->dump_clean = 0;
		}
	}
	return IOTFLASH_OK;
}

/* ---- the community Z2 XMODEM read stub (§7.6) ---- */

#define STUB_ADDR 0x10035000u
#define STUB_PARAMS 0x10038000u     /* offset, length, mode (0 = flash), level */
#define STUB_LEVEL 2u               /* compressed twin: a light level, the chip's CPU is slow */
#define STUB_START_MS 1000          /* per `C`; the stub waits 100 short timeouts */
#define STUB_STARTS 3
#define STUB_FRAME_MS 1000          /* after our ACK, on top of the frame's wire time */
#define STUB_NAKS 10                /* the stub's own limit per frame */

/* Which loader file is the compressed twin: the database says so by its
 * caps; a file it does not know is taken by its size. */
static bool stub_is_z(struct rtl *r, size_t len)
{
	const struct iotflash_loader *info = iotflash_dev_loader_info(r->dev);

	if (info)
		return iotflash_loader_can(info, "compressed-read");
	for (unsigned i = 0; i < r->chip->n_loaders; i++)
		if (r->chip->loaders[i]->size == len)
			return iotflash_loader_can(r->chip->loaders[i], "compressed-read");
	return false;
}

/* The command-table entry the stub will run through, as the GUI picks it
 * (§7.5), pointed at the stub. */
static int stub_hijack(struct rtl *r)
{
	uint32_t ptr[4], words[RTL_CMD_ENTRIES * RTL_CMD_ENTRY_LEN / 4];
	char names[RTL_CMD_ENTRIES][RTL_CMD_NAME_LEN];
	const char *list[RTL_CMD_ENTRIES] = { NULL };
	int rc, pick;

	if ((rc = z2_read_words(r, RTL_CMD_TABLE_PTR, ptr)) != IOTFLASH_OK)
		return rc;
	for (unsigned i = 0; i < RTL_CMD_ENTRIES * RTL_CMD_ENTRY_LEN / 16; i++)
		if ((rc = z2_read_words(r, ptr[0] + 16 * i, words + 4 * i)) != IOTFLASH_OK)
			return rc;
	for (unsigned i = 0; i < RTL_CMD_ENTRIES; i++) {
		uint8_t raw[RTL_CMD_NAME_LEN];
		uint32_t name = words[i * RTL_CMD_ENTRY_LEN / 4];
		if (name == 0)
			break;
		if ((rc = z2_dump(r, name, raw, RTL_CMD_NAME_LEN)) != IOTFLASH_OK)
			return rc;
		list[i] = rtl_cmd_name(raw, names[i]) ? names[i] : NULL;
	}
	if ((pick = rtl_pick_hijack(list, RTL_CMD_ENTRIES)) < 0)
		return iotflash_fail(r->dev, IOTFLASH_ERR_UNSUPPORTED, "no unused command in the shell's table to run the stub");
	memcpy(r->stub_cmd, names[pick], RTL_CMD_NAME_LEN);
	return z2_write_regs(r, "EW", ptr[0] + (uint32_t)pick * RTL_CMD_ENTRY_LEN + 4, STUB_ADDR | 1u);
}

/* `fwdram` + plain XMODEM of the stub, then OK (§7.4). */
static int stub_upload(struct rtl *r, const uint8_t *code, size_t len)
{
	char reply[64];
	size_t got;
	int rc;

	z2_line(r, "fwdram %X", (unsigned)STUB_ADDR);
	if (rtl_wait_byte(r, RTL_NAK, FWD_NAK_MS) != IOTFLASH_OK)
		return iotflash_fail(r->dev, IOTFLASH_ERR_TIMEOUT, "fwdram: the ROM did not start XMODEM");
	if ((rc = rtl_xm_send(r, false, 0, code, (uint32_t)len, 0xFF, "stub upload")) != IOTFLASH_OK) {
		z2_cancel(r);
		return rc;
	}
	if (!rtl_xm_end(r) || !z2_expect(r, "OK", reply, sizeof reply, &got, FWD_OK_MS))
		return iotflash_fail(r->dev, IOTFLASH_ERR_PROTOCOL, "fwdram: no OK after the stub upload");
	return IOTFLASH_OK;
}

/* At the first read: is a read stub at hand?  Without one (or when it
 * cannot be set up) reads stay on the ROM's dumps. */
static void stub_setup(struct rtl *r)
{
	const uint8_t *code;
	size_t len;

	r->stub = Z2_STUB_NONE;
	if (iotflash_dev_loader(r->dev, &code, &len) != IOTFLASH_OK) {
		iotflash_log(r->dev, IOTFLASH_LOG_INFO, "no Z2 read stub at hand: reading through the ROM's dumps");
		return;
	}
	r->stub_z = stub_is_z(r, len);
	if (stub_upload(r, code, len) != IOTFLASH_OK || stub_hijack(r) != IOTFLASH_OK) {
		iotflash_log(r->dev, IOTFLASH_LOG_WARN, "the Z2 read stub could not be started: reading through the ROM's dumps");
		return;
	}
	r->stub = Z2_STUB_READY;
	iotflash_log(r->dev, IOTFLASH_LOG_INFO, "Z2 read stub%s running through `%s`", r->stub_z ? " (compressed)" : "",
	             r->stub_cmd);
}

/* Stop the stub's send: CAN CAN, then let its resends die out. */
static int stub_abort(struct rtl *r, int rc, const char *why, uint32_t addr)
{
	static const uint8_t can[2] = { RTL_CAN, RTL_CAN };

	rtl_send(r, can, sizeof can);
	rtl_drain(r, 100, 3000, -1);
	return iotflash_fail(r->dev, rc, "stub read at 0x%06x: %s", (unsigned)addr, why);
}

/* The stub's XMODEM send (CRC-16, 1 KiB frames, 128 after retries) into
 * out, up to cap bytes; *got counts what arrived. */
static int stub_receive(struct rtl *r, uint32_t addr, uint8_t *out, size_t cap, size_t *got)
{
	uint8_t f[3 + 1024 + 2], expect = 1, start = 'C';
	unsigned naks = 0, starts = 0;

	*got = 0;
	rtl_send(r, &start, 1);
	for (;;) {
		unsigned timeout = *got || naks ? STUB_FRAME_MS + iotflash_io_wire_ms(r->dev, sizeof f) : STUB_START_MS;
		size_t blk;
		int n = rtl_recv(r, f, 1, timeout);
		if (n < 0)
			return n;
		if (n == 0) {
			if (*got == 0 && naks == 0 && ++starts < STUB_STARTS) {
				rtl_send(r, &start, 1);
				continue;
			}
			return stub_abort(r, IOTFLASH_ERR_TIMEOUT, "the stub went quiet", addr);
		}
		if (f[0] == RTL_EOT) {
			uint8_t ack = RTL_ACK;
			rtl_send(r, &ack, 1);
			return IOTFLASH_OK;
		}
		if (f[0] == RTL_CAN)
			return stub_abort(r, IOTFLASH_ERR_DEVICE, "the stub cancelled", addr);
		if (f[0] != RTL_STX && f[0] != RTL_SOH)
			continue;  /* noise between frames */
		blk = f[0] == RTL_STX ? 1024 : 128;
		if (rtl_recv_exact(r, f + 1, blk + 4, REPLY_MARGIN_MS + iotflash_io_wire_ms(r->dev, blk + 4)) != IOTFLASH_OK ||
		    (uint8_t)(f[1] ^ f[2]) != 0xFF ||
		    iotflash_crc16_xmodem(f + 3, blk) != (uint16_t)(f[3 + blk] << 8 | f[4 + blk])) {
			uint8_t nak = RTL_NAK;
			if (++naks > STUB_NAKS)
				return stub_abort(r, IOTFLASH_ERR_CHECKSUM, "frames keep arriving damaged", addr);
			rtl_drain(r, 5, 200, -1);
			rtl_send(r, &nak, 1);
			continue;
		}
		if (f[1] == expect) {
			size_t take = cap - *got < blk ? cap - *got : blk;
			memcpy(out + *got, f + 3, take);
			*got += take;
			expect++;
		} else if (f[1] != (uint8_t)(expect - 1)) {
			return stub_abort(r, IOTFLASH_ERR_PROTOCOL, "frames out of order", addr);
		}
		naks = 0;
		{
			uint8_t ack = RTL_ACK;
			rtl_send(r, &ack, 1);
		}
	}
}

/* The line end after the last word's line (found in buf already): waiting
 * for more would cost a whole timeout. */
static bool z2_last_line(struct rtl *r, char *buf, size_t cap, size_t *got)
{
	const char *last = (const char *)rtl_find(buf, *got, "0x1003800C");
	size_t from = last ? (size_t)(last - buf) : 0;
	uint64_t deadline = iotflash_now_ms() + LINE_MS;

	while (!rtl_find(buf + from, *got - from, "\r\n")) {
		uint64_t now = iotflash_now_ms();
		int n;
		if (now >= deadline || *got >= cap - 1)
			return false;
		if ((n = rtl_recv_some(r, (uint8_t *)buf + *got, cap - 1 - *got, (unsigned)(deadline - now))) < 0)
			return false;
		*got += (size_t)n;
	}
	return true;
}

static int z2_read_stub(struct rtl *r, uint32_t addr, uint8_t *buf, uint32_t len)
{
	size_t cap = r->stub_z ? (size_t)len + len / 8 + 4096 : len, got, produced;
	uint8_t *z = r->stub_z ? malloc(cap) : buf;
	char line[256];
	size_t lgot;
	int rc;

	if (!z)
		return iotflash_fail(r->dev, IOTFLASH_ERR_NOMEM, "out of memory");
	/* The parameters in one EW (one reply line per word), then the stub. */
	z2_line(r, "EW %X %X %X 0 %X", (unsigned)STUB_PARAMS, (unsigned)addr, (unsigned)len, STUB_LEVEL);
	if (!z2_expect(r, "0x1003800C", line, sizeof line, &lgot, LINE_MS) || !z2_last_line(r, line, sizeof line, &lgot)) {
		rtl_drain(r, 20, 500, -1);
		rc = iotflash_fail(r->dev, IOTFLASH_ERR_TIMEOUT, "no answer to the stub's parameters");
		goto out;
	}
	z2_line(r, "%s", r->stub_cmd);
	if ((rc = stub_receive(r, addr, z, cap, &got)) != IOTFLASH_OK)
		goto out;
	if (r->stub_z) {
		rc = iotflash_inflate_raw(z, got, buf, len, &produced);
		if (rc == IOTFLASH_OK && produced != len)
			rc = IOTFLASH_ERR_PROTOCOL;
		if (rc != IOTFLASH_OK)
			rc = iotflash_fail(r->dev, rc, "stub read at 0x%06x: the compressed data does not inflate to %u bytes",
			                   (unsigned)addr, (unsigned)len);
		else
			iotflash_log(r->dev, IOTFLASH_LOG_DEBUG, "stub read at 0x%06x: %u bytes in %zu", (unsigned)addr,
			             (unsigned)len, got);
	} else if (got != len) {
		rc = iotflash_fail(r->dev, IOTFLASH_ERR_PROTOCOL, "stub read at 0x%06x: %zu of %u bytes", (unsigned)addr, got,
		                   (unsigned)len);
	}
out:
	if (z != buf)
		free(z);
	return rc;
}

static int z2_read(struct rtl *r, uint32_t addr, uint8_t *buf, uint32_t len)
{
	if (r->stub == Z2_STUB_UNTRIED)
		stub_setup(r);
	if (r->stub == Z2_STUB_READY)
		return z2_read_stub(r, addr, buf, len);
	return z2_read_text(r, addr, buf, len);
}

/* `fwd 0 pin offset` and the receiver's first NAK; also sets the hash base. */
static int z2_fwd(struct rtl *r, uint32_t addr)
{
	r->hash_base_known = false;
	z2_line(r, "fwd 0 %u %X", r->pin_group, (unsigned)addr);
	if (rtl_wait_byte(r, RTL_NAK, FWD_NAK_MS) != IOTFLASH_OK)
		return iotflash_fail(r->dev, IOTFLASH_ERR_TIMEOUT, "fwd %X: the ROM did not start XMODEM",
		                     (unsigned)addr);
	r->hash_base = addr;
	r->hash_base_known = true;
	return IOTFLASH_OK;
}

/* Cancel a session: the ROM answers `18 45 52` ("\x18ER", §7.4). */
static int z2_cancel(struct rtl *r)
{
	static const uint8_t can[2] = { RTL_CAN, RTL_CAN };
	char buf[64];
	size_t got;

	rtl_send(r, can, sizeof can);
	if (!z2_expect(r, "\x18" "ER", buf, sizeof buf, &got, FWD_OK_MS))
		return iotflash_fail(r->dev, IOTFLASH_ERR_PROTOCOL, "the ROM did not confirm the cancelled transfer");
	return IOTFLASH_OK;  /* nothing follows "\x18ER": no quiet time to wait for */
}

static int z2_write(struct rtl *r, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	char reply[64];
	size_t got;
	int rc = z2_fwd(r, addr);

	if (rc != IOTFLASH_OK)
		return rc;
	if ((rc = rtl_xm_send(r, false, addr, buf, len, 0xFF, "write")) != IOTFLASH_OK) {
		z2_cancel(r);
		return rc;
	}
	/* EOT -> 06, then OK or ER (§7.4). */
	if (!rtl_xm_end(r) || !z2_expect(r, "OK", reply, sizeof reply, &got, FWD_OK_MS)) {
		bool monitor;
		if (rtl_find(reply, got, "ER"))
			return iotflash_fail(r->dev, IOTFLASH_ERR_DEVICE, "write at 0x%06x: the ROM reported ER", (unsigned)addr);
		if (!z2_ping(r, &monitor))
			return iotflash_fail(r->dev, IOTFLASH_ERR_PROTOCOL, "write at 0x%06x: no OK after the transfer",
			                     (unsigned)addr);
	}
	return IOTFLASH_OK;
}

/* The 32 hash bytes after "hashs ": some may be in buf already. */
static int z2_hash_tail(struct rtl *r, const uint8_t *buf, size_t got, uint8_t *sum, uint32_t addr)
{
	const uint8_t *h = rtl_find(buf, got, RTL_HASHS) + strlen(RTL_HASHS);
	size_t have = got - (size_t)(h - buf);

	if (have > RTL_SHA256_LEN)
		have = RTL_SHA256_LEN;
	memcpy(sum, h, have);
	if (have < RTL_SHA256_LEN &&
	    rtl_recv_exact(r, sum + have, RTL_SHA256_LEN - have, REPLY_MARGIN_MS) != IOTFLASH_OK)
		return iotflash_fail(r->dev, IOTFLASH_ERR_TIMEOUT, "hashq at 0x%06x: hash cut short", (unsigned)addr);
	return IOTFLASH_OK;
}

static int z2_verify(struct rtl *r, uint32_t addr, uint32_t len, uint8_t *sum)
{
	uint8_t buf[64];
	size_t got;
	int rc;

	if (!r->hash_base_known || r->hash_base != addr) {
		if ((rc = z2_fwd(r, addr)) != IOTFLASH_OK || (rc = z2_cancel(r)) != IOTFLASH_OK)
			return rc;
	}
	z2_line(r, "hashq %u 0 %u", (unsigned)len, r->pin_group);
	if (!z2_expect(r, RTL_HASHS, (char *)buf, sizeof buf, &got, REPLY_MARGIN_MS + len / HASH_BYTES_PER_MS))
		return iotflash_fail(r->dev, IOTFLASH_ERR_TIMEOUT, "hashq at 0x%06x: no answer", (unsigned)addr);
	return z2_hash_tail(r, buf, got, sum, addr);
}

static int z2_erase(struct rtl *r, uint32_t addr, uint32_t len)
{
	char buf[64];
	size_t got;

	z2_line(r, "seras %X %X 0 %u", (unsigned)addr, (unsigned)len, r->pin_group);
	if (!z2_expect(r, "OK", buf, sizeof buf, &got, REPLY_MARGIN_MS + len / RTL_SECTOR * SECTOR_ERASE_MS))
		return iotflash_fail(r->dev, IOTFLASH_ERR_TIMEOUT, "erase at 0x%06x: no OK from the ROM", (unsigned)addr);
	return IOTFLASH_OK;
}

static void z2_close(struct rtl *r)
{
	/* Back to 115200 so the next run links at once. */
	if (r->baud != r->link_baud) {
		r->target = r->link_baud;
		z2_switch(r);
	}
}

const struct rtl_ops rtl_ambz2_ops = {
	.link = z2_link,
	.detect = z2_detect,
	.read = z2_read,
	.write = z2_write,
	.erase = z2_erase,
	.verify = z2_verify,
	.close = z2_close,
};
