/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* WinnerMicro W600/W800 chip driver: the ROM's command frames and XMODEM-1K
 * image download, plus the W800 read stub's 0x4A (docs/protocols/w80x.md,
 * cited as §N).  Written against the installed public plugin header only.
 * Policy (retries of whole blocks, verification, skipping, protected
 * regions) is the core's; this file only moves bytes.  Reads are
 * integrity-checked (each reply's CRC-32), so the core reads once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <iotflash/plugin.h>

#include "protocol.h"

#define FAMILY "w80x"

#define SYNC_RUN          3      /* consecutive `C` that mean "download mode" (wm_tool, §1) */
#define SYNC_POLL_MS      20     /* ESC bursts this far apart (tools: 1-10 ms) */
#define SYNC_NOTICE_MS    3000
#define SYNC_TIMEOUT_MS   20000
#define REPLY_MS          1000   /* text replies of 0x38/0x3C/0x3E (GUI: 1 s) */
#define ROMVER_MS         300    /* W600 does not answer 0x3E [inferred] */
#define BAUD_REPLY_MS     2000   /* 0x06 after 0x31 (w80xprog: 2 s) */
#define BAUD_SYNC_MS      1000   /* first `C` at the new rate */
#define BLOCK_ACK_MS      3000   /* one XMODEM block incl. programming 4 KiB */
#define STUB_START_MS     2000   /* stub boots and resumes `C` */
#define READ_REPLY_MS     2000   /* GUI waits <= 2 s for 4100 bytes (§6) */
#define ERASE_MS_PER_4K   400    /* generous NOR worst case */
#define ERASE_BASE_MS     1000
#define QUIET_MS          30     /* the line is quiet after this long */
#define TRIES             5      /* bounded re-sends inside one exchange */
#define MAX_STRAY_C       4      /* `C` that may precede a 0x4A reply */

enum w80x_variant { W800, W600 };

struct w80x {
	struct iotflash_dev *dev;
	const struct iotflash_chip *chip;
	enum w80x_variant variant;
	uint32_t link_baud;
	bool stub_running;
	uint8_t frame[W80X_FRAME_MAX];
	uint8_t rx[W80X_READ_REPLY + MAX_STRAY_C];
};

/* ---- chip database ---- */

static enum w80x_variant variant_of(const struct iotflash_chip *chip)
{
	return chip && chip->protocol && strcasecmp(chip->protocol, "w600") == 0 ? W600 : W800;
}

/* First chip of the family speaking protocol `proto`. */
static const struct iotflash_chip *family_chip_of(struct w80x *w, const char *proto)
{
	const struct iotflash_chip *c;

	for (unsigned i = 0; (c = iotflash_db_family_chip(w->dev, FAMILY, i)) != NULL; i++)
		if (c->protocol && strcasecmp(c->protocol, proto) == 0)
			return c;
	return NULL;
}

/* ---- bytes ---- */

static int send(struct w80x *w, const void *buf, size_t len)
{
	int rc = iotflash_io_write(w->dev, buf, len);
	return rc < 0 ? iotflash_fail(w->dev, rc, "cannot write to the port") : IOTFLASH_OK;
}

/* Read up to len bytes within timeout_ms; the count, or an error. */
static int recv(struct w80x *w, uint8_t *buf, size_t len, unsigned timeout_ms)
{
	size_t got = 0;
	uint64_t deadline = iotflash_now_ms() + timeout_ms;

	while (got < len) {
		uint64_t now = iotflash_now_ms();
		int n;
		if (now >= deadline)
			break;
		n = iotflash_io_read(w->dev, buf + got, len - got, (unsigned)(deadline - now));
		if (n < 0)
			return iotflash_fail(w->dev, n, n == IOTFLASH_ERR_CANCELLED ? "cancelled" : "cannot read from the port");
		got += (size_t)n;
	}
	return (int)got;
}

/* Drop whatever arrives until the line has been quiet for QUIET_MS. */
static int settle(struct w80x *w)
{
	uint8_t junk[256];
	for (int i = 0; i < 200; i++) {
		int n = iotflash_io_read(w->dev, junk, sizeof junk, QUIET_MS);
		if (n <= 0)
			return n < 0 ? iotflash_fail(w->dev, n, "cannot read from the port") : IOTFLASH_OK;
	}
	return IOTFLASH_OK;
}

/* Before an exchange: drop what is buffered; after a failed try, also
 * wait for the rest of a garbled reply to pass. */
static int clean_start(struct w80x *w, int attempt)
{
	if (attempt > 0)
		return settle(w);
	iotflash_io_flush_input(w->dev);
	return IOTFLASH_OK;
}

/* Wait for one byte other than `C`; 0 on timeout. */
static int answer_byte(struct w80x *w, unsigned timeout_ms, uint8_t *b)
{
	uint64_t deadline = iotflash_now_ms() + timeout_ms;
	for (;;) {
		uint64_t now = iotflash_now_ms();
		int n;
		if (now >= deadline)
			return 0;
		n = recv(w, b, 1, (unsigned)(deadline - now));
		if (n <= 0 || *b != W80X_SYNC)
			return n;
	}
}

/* Count a run of `C` in what arrives within window_ms; W600 runs skip
 * `P` without breaking (§1).  Returns OK once the run reaches `run`. */
static int sync_run(struct w80x *w, unsigned window_ms, unsigned run, unsigned *seen)
{
	uint64_t deadline = iotflash_now_ms() + window_ms;

	while (*seen < run) {
		uint64_t now = iotflash_now_ms();
		uint8_t b;
		int n;
		if (now >= deadline)
			return IOTFLASH_ERR_TIMEOUT;
		n = recv(w, &b, 1, (unsigned)(deadline - now));
		if (n < 0)
			return n;
		if (n == 1)
			*seen = b == W80X_SYNC ? *seen + 1 : (w->variant == W600 && b == 'P') ? *seen : 0;
	}
	return IOTFLASH_OK;
}

/* Wait until `C` arrives: the ROM (or stub) is idle in download mode. */
static int wait_sync(struct w80x *w, unsigned timeout_ms, unsigned run)
{
	unsigned seen = 0;
	return sync_run(w, timeout_ms, run, &seen);
}

static int device_error(struct w80x *w, const char *what, uint8_t b)
{
	const char *text = w80x_status_text(b);
	if (text)
		return iotflash_fail(w->dev, IOTFLASH_ERR_DEVICE, "%s: the chip answered '%c' (%s)", what, b, text);
	return iotflash_fail(w->dev, IOTFLASH_ERR_PROTOCOL, "%s: unexpected reply 0x%02x", what, b);
}

/* ---- download mode ---- */

/* ESC bursts until SYNC_RUN `C` arrive (§1); asks for a reset after a while. */
static int enter_download(struct w80x *w)
{
	static const uint8_t esc[3] = { W80X_ESC, W80X_ESC, W80X_ESC };
	uint64_t start = iotflash_now_ms();
	bool told = false;

	iotflash_io_set_lines(w->dev, 0, 1);  /* pulse reset where the adapter wires RTS */
	iotflash_sleep_ms(w->dev, 50);
	iotflash_io_set_lines(w->dev, 0, 0);
	iotflash_io_flush_input(w->dev);
	for (unsigned seen = 0;;) {
		int rc;
		if ((rc = send(w, esc, sizeof esc)) != IOTFLASH_OK)
			return rc;
		rc = sync_run(w, SYNC_POLL_MS, SYNC_RUN, &seen);
		if (rc == IOTFLASH_OK)
			return IOTFLASH_OK;
		if (rc != IOTFLASH_ERR_TIMEOUT)
			return rc;
		if (iotflash_dev_cancelled(w->dev))
			return iotflash_fail(w->dev, IOTFLASH_ERR_CANCELLED, "cancelled");
		if (!told && iotflash_now_ms() - start > SYNC_NOTICE_MS) {
			iotflash_notice(w->dev, "waiting for the %s download mode: hold BootMode (PA0) low and power-cycle or reset the chip",
			                w->chip ? w->chip->description : "W600/W800");
			told = true;
		}
		if (iotflash_now_ms() - start > SYNC_TIMEOUT_MS)
			return iotflash_fail(w->dev, IOTFLASH_ERR_NO_LINK,
			                     "no `C` from the chip in %u s: is it in download mode (BootMode/PA0 low at reset) and are TX/RX crossed?",
			                     SYNC_TIMEOUT_MS / 1000);
	}
}

/* Send a frame and read a text reply of up to len bytes ending at LF or len. */
static int query(struct w80x *w, uint32_t cmd, uint8_t *reply, size_t len, unsigned timeout_ms, int attempt)
{
	size_t n = w80x_encode_frame(w->frame, cmd, NULL, 0);
	uint8_t b;
	int rc, got;

	if ((rc = clean_start(w, attempt)) != IOTFLASH_OK || (rc = send(w, w->frame, n)) != IOTFLASH_OK)
		return rc;
	if ((rc = answer_byte(w, timeout_ms, &b)) <= 0)  /* skip idle `C` before the text */
		return rc;
	reply[0] = b;
	got = recv(w, reply + 1, len - 1, REPLY_MS);
	return got < 0 ? got : got + 1;
}

/* Ask a text query up to TRIES times until check() accepts the reply. */
static int query_checked(struct w80x *w, uint32_t cmd, uint8_t *reply, size_t len, unsigned timeout_ms,
                         bool (*ok)(const uint8_t *, size_t))
{
	int got = 0;
	for (int i = 0; i < TRIES; i++) {
		got = query(w, cmd, reply, len, timeout_ms, i);
		if (got < 0)
			return got;
		if (got > 0 && ok(reply, (size_t)got))
			return got;
	}
	return got > 0 ? IOTFLASH_ERR_PROTOCOL : IOTFLASH_ERR_TIMEOUT;
}

/* A transfer given up on leaves the ROM inside its XMODEM receiver, where
 * it NAKs every frame (a 0x31 too) for seconds: end it with EOT, as
 * w80xprog aborts (§4).  The ROM answers `P` (image incomplete), or ACK
 * when the stream had already ended; a NAK means the EOT was garbled. */
static void abort_stream(struct w80x *w)
{
	static const uint8_t eot = W80X_EOT;

	for (int i = 0; i < TRIES; i++) {
		uint8_t b = 0;
		if (settle(w) != IOTFLASH_OK || send(w, &eot, 1) != IOTFLASH_OK)
			return;
		if (answer_byte(w, BLOCK_ACK_MS, &b) != 1 || b != W80X_NAK)
			return;
	}
}

/* 0x31: 0x06 comes at the old rate, then both sides switch (§3).  A lost
 * 0x06 may still mean the chip switched: look for `C` at the new rate. */
static int try_baud(struct w80x *w, uint32_t from, uint32_t to)
{
	size_t n = w80x_encode_baud(w->frame, to);
	int rc;

	for (int i = 0; i < TRIES; i++) {
		uint8_t b = 0;
		if ((rc = clean_start(w, i)) != IOTFLASH_OK || (rc = send(w, w->frame, n)) != IOTFLASH_OK)
			return rc;
		if ((rc = answer_byte(w, BAUD_REPLY_MS, &b)) < 0)
			return rc;
		if (rc == 1 && b != W80X_ACK && w80x_status_text(b) && b != 'R')
			return device_error(w, "baud change", b);
		if (rc == 1 && b == W80X_NAK) {  /* 0x21 garbled into SOH: a stream began */
			abort_stream(w);
			continue;
		}
		if ((rc = iotflash_io_set_baud(w->dev, to)) != IOTFLASH_OK)
			return iotflash_fail(w->dev, rc, "the port refuses %u baud", (unsigned)to);
		iotflash_io_flush_input(w->dev);
		if (wait_sync(w, BAUD_SYNC_MS, 1) == IOTFLASH_OK)
			return IOTFLASH_OK;
		if ((rc = iotflash_io_set_baud(w->dev, from)) != IOTFLASH_OK)
			return iotflash_fail(w->dev, rc, "the port refuses %u baud", (unsigned)from);
		if (wait_sync(w, BAUD_SYNC_MS, 1) != IOTFLASH_OK)
			return iotflash_fail(w->dev, IOTFLASH_ERR_BAUD, "lost the chip after switching to %u baud", (unsigned)to);
	}
	return iotflash_fail(w->dev, IOTFLASH_ERR_BAUD, "the chip did not take %u baud", (unsigned)to);
}

/* The rate the core asks for, once.  try_baud reports a rate the chip does
 * not take (IOTFLASH_ERR_BAUD, the chip back at the link rate); stepping
 * down is the core's (docs/plugins.md, "Link rates"). */
static int switch_baud(struct w80x *w)
{
	uint32_t target = iotflash_dev_target_baud(w->dev);

	if (target == 0 || target == w->link_baud)
		return IOTFLASH_OK;
	return try_baud(w, w->link_baud, target);
}

static int w80x_open(struct iotflash_dev *dev, void **priv)
{
	struct w80x *w = calloc(1, sizeof(*w));
	const struct iotflash_chip *first;
	int rc;

	if (!w)
		return iotflash_fail(dev, IOTFLASH_ERR_NOMEM, "out of memory");
	w->dev = dev;
	w->chip = iotflash_dev_chip(dev);
	first = w->chip ? w->chip : iotflash_db_family_chip(dev, FAMILY, 0);
	w->variant = variant_of(w->chip);
	w->link_baud = first && first->link_baud ? first->link_baud : 115200;
	if ((rc = iotflash_io_set_baud(dev, w->link_baud)) != IOTFLASH_OK) {
		rc = iotflash_fail(dev, rc, "the port refuses %u baud", (unsigned)w->link_baud);
		goto fail;
	}
	if ((rc = enter_download(w)) != IOTFLASH_OK || (rc = switch_baud(w)) != IOTFLASH_OK)
		goto fail;
	/* Every 0x4A reply carries the CRC-32 of its 4 KiB (§6), checked in
	 * receive_read_reply(): one request per block proves it. */
	iotflash_dev_set_read_checked(dev, true);
	*priv = w;
	return IOTFLASH_OK;
fail:
	free(w);
	return rc;
}

/* Back to the link rate, as the GUI finishes (§6 step 8), proven by `C`
 * at that rate: the next session, or the core's next open() at a lower
 * rate after a failed link proof, finds the ROM (or the stub, which keeps
 * the ROM's loop) where every tool expects it.  A 0x31 lost on the way is
 * sent again at the old rate (try_baud). */
static void w80x_close(void *priv)
{
	struct w80x *w = priv;
	uint32_t now = iotflash_io_baud(w->dev);

	if (now != w->link_baud && settle(w) == IOTFLASH_OK && try_baud(w, now, w->link_baud) != IOTFLASH_OK)
		iotflash_io_set_baud(w->dev, w->link_baud);
	free(w);
}

/* ---- detect ---- */

static bool fid_ok(const uint8_t *r, size_t n)
{
	uint8_t mid, cap;
	return w80x_parse_flash_id(r, n, &mid, &cap);
}

static bool mac_ok(const uint8_t *r, size_t n)
{
	uint8_t mac[6];
	bool rom;
	return w80x_parse_mac(r, n, mac, &rom);
}

static bool romver_ok(const uint8_t *r, size_t n) { return w80x_parse_rom_version(r, n) >= 0; }

/* W800 answers 0x3E; the W600 ROM does not [inferred: no W600 tool sends it]. */
static int identify(struct w80x *w, struct iotflash_chip_info *info)
{
	uint8_t r[W80X_ROMVER_REPLY + 1];
	int got = query_checked(w, W80X_CMD_ROM_VERSION, r, W80X_ROMVER_REPLY, ROMVER_MS, romver_ok);
	bool is_w800 = got > 0;

	if (got < 0 && got != IOTFLASH_ERR_TIMEOUT && got != IOTFLASH_ERR_PROTOCOL)
		return got;
	if (is_w800)
		snprintf(info->loader_version, sizeof info->loader_version, "ROM R:%c", r[2]);
	if (!w->chip) {
		w->chip = family_chip_of(w, is_w800 ? "w800" : "w600");
		if (!w->chip)
			return iotflash_fail(w->dev, IOTFLASH_ERR_UNKNOWN_CHIP, "no %s chip in the chip database",
			                     is_w800 ? "W800" : "W600");
		w->variant = variant_of(w->chip);
		info->chip = w->chip;
	} else if (is_w800 != (w->variant == W800)) {
		snprintf(info->chip_name, sizeof info->chip_name, "%s", is_w800 ? "W800-class" : "W600-class");
		info->chip = family_chip_of(w, is_w800 ? "w800" : "w600");
	}
	return IOTFLASH_OK;
}

static int w80x_detect(void *priv, struct iotflash_chip_info *info)
{
	struct w80x *w = priv;
	uint8_t r[W80X_MAC_REPLY + 1], mid, cap, mac[6];
	bool rom;
	int rc;

	if ((rc = identify(w, info)) != IOTFLASH_OK)
		return rc;
	rc = query_checked(w, W80X_CMD_FLASH_ID, r, W80X_FID_REPLY, REPLY_MS, fid_ok);
	if (rc < 0)
		return iotflash_fail(w->dev, rc, "no valid flash id (0x3C) reply");
	w80x_parse_flash_id(r, (size_t)rc, &mid, &cap);
	info->flash_id = (uint32_t)mid | (uint32_t)cap << 16;  /* the ROM does not report the type byte */
	info->flash_size = w80x_flash_bytes(cap);
	info->flash = iotflash_db_flash(w->dev, info->flash_id);
	rc = query_checked(w, W80X_CMD_GET_MAC, r, W80X_MAC_REPLY, REPLY_MS, mac_ok);
	if (rc < 0)
		return iotflash_fail(w->dev, rc, "no valid MAC (0x38) reply");
	w80x_parse_mac(r, (size_t)rc, mac, &rom);
	snprintf(info->extra, sizeof info->extra, "Wi-Fi MAC %02x:%02x:%02x:%02x:%02x:%02x, %s download mode",
	         mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], rom ? "ROM" : "secboot");
	if (!info->loader_version[0])
		snprintf(info->loader_version, sizeof info->loader_version, "%s", rom ? "ROM" : "secboot");
	return IOTFLASH_OK;
}

/* ---- XMODEM-1K download of one image stream (§4) ---- */

static int send_block(struct w80x *w, const uint8_t *blk, const char *what)
{
	for (int i = 0; i < TRIES * 2; i++) {
		uint8_t b = 0;
		int rc = send(w, blk, W80X_XMODEM_BLOCK);
		if (rc != IOTFLASH_OK)
			return rc;
		if ((rc = answer_byte(w, BLOCK_ACK_MS, &b)) < 0)
			return rc;
		if (rc == 1 && b == W80X_ACK)
			return IOTFLASH_OK;
		if (rc == 1 && b == W80X_CAN)
			return iotflash_fail(w->dev, IOTFLASH_ERR_DEVICE, "%s: the chip cancelled the transfer", what);
		if (rc == 1 && w80x_status_text(b))
			return device_error(w, what, b);
		if (rc == 1 && b != W80X_NAK)  /* a garbled answer: drain it, then resend */
			settle(w);
	}
	return iotflash_fail(w->dev, IOTFLASH_ERR_TIMEOUT, "%s: no ACK for an XMODEM block", what);
}

static int send_eot(struct w80x *w, const char *what)
{
	static const uint8_t eot = W80X_EOT;
	for (int i = 0; i < TRIES; i++) {
		uint8_t b = 0;
		int rc = send(w, &eot, 1);
		if (rc != IOTFLASH_OK)
			return rc;
		if ((rc = answer_byte(w, BLOCK_ACK_MS, &b)) < 0)
			return rc;
		if (rc == 1 && b == W80X_ACK)
			return IOTFLASH_OK;
		if (rc == 1 && w80x_status_text(b))
			return device_error(w, what, b);
	}
	return iotflash_fail(w->dev, IOTFLASH_ERR_TIMEOUT, "%s: no ACK for EOT", what);
}

/* The stream is header then body, cut into 1024-byte blocks. */
static int xmodem_send(struct w80x *w, const uint8_t *head, size_t head_len, const uint8_t *body, size_t body_len,
                       const char *what)
{
	uint8_t data[W80X_XMODEM_DATA], blk[W80X_XMODEM_BLOCK];
	size_t total = head_len + body_len;
	uint8_t seq = 1;
	int rc;

	if ((rc = clean_start(w, 0)) != IOTFLASH_OK)
		return rc;
	for (size_t off = 0; off < total; off += W80X_XMODEM_DATA, seq++) {
		size_t n = total - off < W80X_XMODEM_DATA ? total - off : W80X_XMODEM_DATA;
		for (size_t i = 0; i < n; i++)
			data[i] = off + i < head_len ? head[off + i] : body[off + i - head_len];
		w80x_xmodem_block(blk, seq, data, n, 0xFF);
		if ((rc = send_block(w, blk, what)) != IOTFLASH_OK)
			break;
	}
	if (rc == IOTFLASH_OK)
		rc = send_eot(w, what);
	if (rc != IOTFLASH_OK && rc != IOTFLASH_ERR_CANCELLED)
		abort_stream(w);
	return rc;
}

static int write_image(struct w80x *w, uint32_t addr, const uint8_t *buf, uint32_t len, const char *what)
{
	uint8_t head[W800_HEADER_LEN];
	size_t head_len;

	if (w->variant == W600) {
		w600_pseudo_header(addr, buf, len, head);
		head_len = W600_HEADER_LEN;
	} else {
		w800_pseudo_header(addr, buf, len, head);
		head_len = W800_HEADER_LEN;
	}
	return xmodem_send(w, head, head_len, buf, len, what);
}

static int w80x_write(void *priv, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	struct w80x *w = priv;
	char what[48];

	snprintf(what, sizeof what, "write at 0x%06x", (unsigned)addr);
	return write_image(w, addr, buf, len, what);
}

/* ---- erase ---- */

static int w80x_erase(void *priv, uint32_t addr, uint32_t len)
{
	struct w80x *w = priv;
	bool blocks = len % W80X_BLOCK == 0 && addr % W80X_BLOCK == 0;
	uint32_t unit = blocks ? W80X_BLOCK : W80X_SECTOR;
	uint16_t first = (uint16_t)(addr / unit | (blocks ? W80X_ERASE_BLOCKS : 0));
	size_t n;
	int rc;

	if (w->variant == W600) {
		/* The W600 ROM only erases whole areas (§6.1); the device erases what
		 * it programs (§7), so a blank image erases the range. */
		uint8_t *blank = malloc(len);
		if (!blank)
			return iotflash_fail(w->dev, IOTFLASH_ERR_NOMEM, "out of memory");
		memset(blank, 0xFF, len);
		rc = write_image(w, addr, blank, len, "erase");
		free(blank);
		return rc;
	}
	n = w80x_encode_erase(w->frame, first, (uint16_t)(len / unit));
	for (int i = 0; i < TRIES; i++) {
		uint8_t b = 0;
		if ((rc = clean_start(w, i)) != IOTFLASH_OK || (rc = send(w, w->frame, n)) != IOTFLASH_OK)
			return rc;
		/* Done when `C` resumes (§3 0x32); a letter is an error. */
		rc = recv(w, &b, 1, ERASE_BASE_MS + ERASE_MS_PER_4K * (len / W80X_SECTOR));
		if (rc < 0)
			return rc;
		if (rc == 1 && b == W80X_SYNC)
			return IOTFLASH_OK;
		if (rc == 1 && b != 'R' && w80x_status_text(b))
			return device_error(w, "erase", b);
	}
	return iotflash_fail(w->dev, IOTFLASH_ERR_TIMEOUT, "erase 0x%06x+0x%x: no answer", (unsigned)addr, (unsigned)len);
}

/* ---- read (W800 stub) ---- */

/* The stub is an image for RAM; the ROM runs it once the transfer ends
 * (§4, §6 step 3). */
static int start_stub(struct w80x *w)
{
	const uint8_t *data;
	size_t len;
	struct w800_header h;
	int rc;

	if ((rc = iotflash_dev_loader(w->dev, &data, &len)) != IOTFLASH_OK)
		return rc;
	if (len < W800_HEADER_LEN || w800_header_decode(data, &h) != 0 || !w80x_is_ram(h.addr))
		return iotflash_fail(w->dev, IOTFLASH_ERR_ARG,
		                     "the read stub is not a W800 image for RAM (magic 9F FF FF A0, RAM img_addr)");
	if ((rc = xmodem_send(w, data, len, NULL, 0, "read stub upload")) != IOTFLASH_OK)
		return rc;
	if ((rc = wait_sync(w, STUB_START_MS, 1)) != IOTFLASH_OK)
		return iotflash_fail(w->dev, IOTFLASH_ERR_NO_LINK, "the read stub did not start (no `C` after the upload)");
	w->stub_running = true;
	return IOTFLASH_OK;
}

static bool reply_ok_at(const uint8_t *p)
{
	uint32_t want = (uint32_t)p[W80X_READ_LEN] | (uint32_t)p[W80X_READ_LEN + 1] << 8 |
	                (uint32_t)p[W80X_READ_LEN + 2] << 16 | (uint32_t)p[W80X_READ_LEN + 3] << 24;
	return w80x_crc32(p, W80X_READ_LEN) == want;
}

/* A `C` sent just before the command arrived may lead the reply: slide
 * past up to MAX_STRAY_C of them, reading the bytes they displaced. */
static int receive_read_reply(struct w80x *w, const uint8_t **data)
{
	int got = recv(w, w->rx, W80X_READ_REPLY, READ_REPLY_MS);
	size_t shift = 0;

	if (got < 0)
		return got;
	if (got < (int)W80X_READ_REPLY)
		return IOTFLASH_ERR_TIMEOUT;
	while (!reply_ok_at(w->rx + shift)) {
		int more;
		if (shift == MAX_STRAY_C || w->rx[shift] != W80X_SYNC)
			return IOTFLASH_ERR_CHECKSUM;
		more = recv(w, w->rx + W80X_READ_REPLY + shift, 1, QUIET_MS);
		if (more < 0)
			return more;
		if (more == 0)
			return IOTFLASH_ERR_CHECKSUM;
		shift++;
	}
	*data = w->rx + shift;
	return IOTFLASH_OK;
}

static int read_4k(struct w80x *w, uint32_t addr, uint8_t *out)
{
	size_t n = w80x_encode_read(w->frame, W80X_FLASH_BASE + addr, W80X_READ_LEN);

	for (int i = 0; i < TRIES; i++) {
		const uint8_t *data;
		int rc;
		if ((rc = clean_start(w, i)) != IOTFLASH_OK || (rc = send(w, w->frame, n)) != IOTFLASH_OK)
			return rc;
		rc = receive_read_reply(w, &data);
		if (rc == IOTFLASH_OK) {
			memcpy(out, data, W80X_READ_LEN);
			return IOTFLASH_OK;
		}
		if (rc != IOTFLASH_ERR_TIMEOUT && rc != IOTFLASH_ERR_CHECKSUM)
			return rc;
		iotflash_log(w->dev, IOTFLASH_LOG_DEBUG, "read 0x%06x: %s; asking again", (unsigned)addr,
		             rc == IOTFLASH_ERR_TIMEOUT ? "short reply" : "CRC mismatch");
	}
	return iotflash_fail(w->dev, IOTFLASH_ERR_CHECKSUM, "read 0x%06x: no valid 0x4A reply in %d tries", (unsigned)addr,
	                     TRIES);
}

static int w80x_read(void *priv, uint32_t addr, uint8_t *buf, uint32_t len)
{
	struct w80x *w = priv;
	int rc;

	if (w->variant == W600)
		return iotflash_fail(w->dev, IOTFLASH_ERR_UNSUPPORTED,
		                     "the W600 ROM cannot read flash and no read stub exists for it: W600 is write-only over UART "
		                     "(back it up over SWD/JTAG)");
	if (!w->stub_running && (rc = start_stub(w)) != IOTFLASH_OK)
		return rc;
	for (uint32_t off = 0; off < len; off += W80X_READ_LEN)
		if ((rc = read_4k(w, addr + off, buf + off)) != IOTFLASH_OK)
			return rc;
	return IOTFLASH_OK;
}

const struct iotflash_driver w80x_driver = {
	.name = "w80x",
	.description = "WinnerMicro W600/W800 UART download (ROM XMODEM, W800 read stub)",
	.open = w80x_open,
	.close = w80x_close,
	.detect = w80x_detect,
	.read = w80x_read,
	.write = w80x_write,
	.erase = w80x_erase,
	.verify = NULL,  /* no device-side checksum: the core reads back */
};
