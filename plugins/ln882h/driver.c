/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Lightning LN882H / LN8825 chip driver: finds the boot ROM (or a RAM code
 * left running), uploads the RAM code by YMODEM, and speaks whichever RAM
 * code build answers (docs/protocols/ln882h.md).  The official build reads
 * with hex `flash_read` (a CRC-16 per reply) and has no flash checksum (the
 * core verifies writes by reading back); the GUI build reads by XMODEM-1K
 * and verifies with `flash_crc32`.  Both check their read replies, so the
 * core reads each block once.  Retries of whole blocks and verification
 * policy are the core's. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iotflash/plugin.h>

#include "protocol.h"

#define LINK_BAUD 115200u
#define PROBE_MS 300              /* accumulate a `version` reply */
#define SYNC_NOTICE_MS 2000       /* then ask the user to reset the chip */
#define SYNC_TIMEOUT_MS 20000
#define BOOT_WAIT_MS 200          /* ROM jumps into the RAM code */
#define RAM_SYNC_TRIES 10
#define BAUD_SETTLE_MS 50         /* the RAM code switches right after the line */
#define BAUD_PROBES 5
#define CLOSE_TRIES 3             /* `baudrate 115200` sent until it holds */
#define FIRST_C_MS 3000           /* the receiver's first `C` */
#define REPLY_MS 500              /* simple commands (a few ms on silicon) */
#define STREAM_MARGIN_MS 200      /* a reply already flowing: wire time plus this */
#define BLOCK_MARGIN_MS 1000      /* per block reply, on top of wire time */
#define BLOCK_TRIES 10
#define END_TRIES 3
#define QUIET_MS 30
#define QUIET_MAX_MS 1000
/* Budgets: twice the typical SPI-NOR figures of §7.13. */
#define ERASE_BASE_MS 1000
#define ERASE_MS_PER_4K 100
#define PROGRAM_MS_PER_16K 150
#define CRC_MS_PER_MIB 1000
#define FLASH_READ_CHUNK 640u     /* official `flash_read`: ≤ 680 (§3.4), kept clear of its 2 KiB text buffer */
#define FLASH_READ_TRIES 3
/* Re-send `C` until fdump's data starts.  The RAM code drains its input
 * as the command starts, so a `C` sent right after the line may be lost;
 * one left over is harmless (the sender takes it for a garbled answer and
 * sends the block again, which is ACKed as a duplicate). */
#define FDUMP_START_MS 4
#define XM_C_RETRY_MS 20
#define XM_C_TRIES 150            /* the sender waits 3 s */
#define XM_NAKS 10
#define XM_EOT_WAIT_MS 2500       /* the sender repeats EOT every second */
#define TEXT_CAP 4096

enum build { BUILD_UNKNOWN, BUILD_OFFICIAL, BUILD_GUI };
enum probe { PROBE_NONE, PROBE_ROM, PROBE_RAM_OFFICIAL, PROBE_RAM_GUI };

struct ln {
	struct iotflash_dev *dev;
	const struct iotflash_chip *chip;  /* named by the user, then detected */
	enum build build;
	bool from_rom;            /* this session uploaded the RAM code */
	bool suspect;             /* a failed exchange may have left the link out of step */
	bool stop_and_wait;       /* a read failed: no early ACKs or pipelined commands any more */
	char stamp[LN_STAMP_LEN + 1];
	uint32_t baud;            /* the RAM code's current rate */
	uint32_t target_baud;
	uint32_t flash_id;        /* RAM-code order: MID << 16 | type << 8 | cap */
	size_t text_len;
	char text[TEXT_CAP + 1];
	uint8_t frame[LN_BLOCK_MAX];
};

/* ---- bytes ---- */

static int send(struct ln *ln, const void *buf, size_t n)
{
	return iotflash_io_write(ln->dev, buf, n);
}

static int send_byte(struct ln *ln, uint8_t b)
{
	return send(ln, &b, 1);
}

/* 1 with *b, 0 on timeout, < 0 on error. */
static int get_byte(struct ln *ln, unsigned timeout_ms, uint8_t *b)
{
	int n = iotflash_io_read(ln->dev, b, 1, timeout_ms);
	return n < 0 ? n : n == 1;
}

/* Exactly n bytes before the deadline; returns the count or an error. */
static int get_exact(struct ln *ln, void *buf, size_t n, unsigned timeout_ms)
{
	uint64_t deadline = iotflash_now_ms() + timeout_ms;
	size_t have = 0;

	while (have < n) {
		uint64_t now = iotflash_now_ms();
		int r;
		if (now >= deadline)
			break;
		r = iotflash_io_read(ln->dev, (uint8_t *)buf + have, n - have, (unsigned)(deadline - now));
		if (r < 0)
			return r;
		have += (size_t)r;
	}
	return (int)have;
}

/* Read until QUIET_MS of silence (bounded): what is left of a garbled reply. */
static void quiet(struct ln *ln)
{
	uint8_t junk[256];
	uint64_t end = iotflash_now_ms() + QUIET_MAX_MS;
	while (iotflash_now_ms() < end && iotflash_io_read(ln->dev, junk, sizeof(junk), QUIET_MS) > 0)
		;
	iotflash_io_flush_input(ln->dev);
}

static unsigned wire_ms(struct ln *ln, size_t n)
{
	return iotflash_io_wire_ms(ln->dev, n);
}

/* ---- text commands ---- */

/* Send a command line (CR LF added); its length without them in *n. */
static int send_line(struct ln *ln, char *line, int *n, const char *fmt, va_list ap)
{
	*n = vsnprintf(line, LN_LINE_MAX, fmt, ap);
	if (*n < 0 || *n >= LN_LINE_MAX)
		return iotflash_fail(ln->dev, IOTFLASH_ERR_INTERNAL, "command too long for the RAM code");
	memcpy(line + *n, "\r\n", 2);
	return send(ln, line, (size_t)*n + 2);
}

/* The official build echoes the printable bytes of a line. */
static int read_echo(struct ln *ln, const char *line, int n)
{
	char echo[LN_LINE_MAX];
	int rc;

	if (ln->build != BUILD_OFFICIAL)
		return IOTFLASH_OK;
	rc = get_exact(ln, echo, (size_t)n, wire_ms(ln, 2 * (size_t)n) + REPLY_MS);
	if (rc < 0)
		return rc;
	if (rc != n || memcmp(echo, line, (size_t)n) != 0) {
		ln->suspect = true;
		return iotflash_fail(ln->dev, IOTFLASH_ERR_PROTOCOL, "garbled echo of `%.*s`", n, line);
	}
	return IOTFLASH_OK;
}

/* Send a command line and take its echo (official build). */
static int command(struct ln *ln, const char *fmt, ...) IOTFLASH_PRINTF(2, 3);
static int command(struct ln *ln, const char *fmt, ...)
{
	char line[LN_LINE_MAX + 2];
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	rc = send_line(ln, line, &n, fmt, ap);
	va_end(ap);
	return rc != IOTFLASH_OK ? rc : read_echo(ln, line, n);
}

/* Send a command line now and take its echo later (read_echo). */
static int command_ahead(struct ln *ln, char *line, int *n, const char *fmt, ...) IOTFLASH_PRINTF(4, 5);
static int command_ahead(struct ln *ln, char *line, int *n, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = send_line(ln, line, n, fmt, ap);
	va_end(ap);
	return rc;
}

typedef bool (*text_done)(const char *t, size_t n);

/* Accumulate reply text in ln->text until done() says so. */
static int read_text(struct ln *ln, text_done done, unsigned timeout_ms)
{
	uint64_t deadline = iotflash_now_ms() + timeout_ms;

	ln->text_len = 0;
	while (!done(ln->text, ln->text_len)) {
		uint64_t now = iotflash_now_ms();
		int r;
		if (now >= deadline || ln->text_len == TEXT_CAP)
			return IOTFLASH_ERR_TIMEOUT;
		/* byte by byte: the port waits for as many bytes as asked */
		r = iotflash_io_read(ln->dev, ln->text + ln->text_len, 1, (unsigned)(deadline - now));
		if (r < 0)
			return r;
		ln->text_len += (size_t)r;
		ln->text[ln->text_len] = '\0';
	}
	return IOTFLASH_OK;
}

static bool has(const char *t, size_t n, const char *s)
{
	size_t k = strlen(s);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(t + i, s, k) == 0)
			return true;
	return false;
}

static bool status_done(const char *t, size_t n)
{
	return has(t, n, "pppp\r\n") || has(t, n, "ffff\r\n");
}

static bool info_done(const char *t, size_t n)
{
	return has(t, n, "Byte\r\n");
}

/* The `\r\npppp\r\n` / `\r\nffff\r\n` that ends a command. */
static int read_status(struct ln *ln, const char *what, unsigned timeout_ms)
{
	int rc = read_text(ln, status_done, timeout_ms);
	if (rc == IOTFLASH_ERR_TIMEOUT) {
		ln->suspect = true;
		return iotflash_fail(ln->dev, rc, "no status from the RAM code after %s", what);
	}
	if (rc != IOTFLASH_OK)
		return rc;
	if (has(ln->text, ln->text_len, "ffff\r\n"))
		return iotflash_fail(ln->dev, IOTFLASH_ERR_DEVICE, "the RAM code refused %s (ffff)", what);
	return IOTFLASH_OK;
}

/* ---- finding the chip ---- */

static bool probe_done(const char *t, size_t n)
{
	char stamp[LN_STAMP_LEN + 1];
	return ln_find_ramcode(t, n) || ln_find_stamp(t, n, stamp);
}

/* `version` once: the ROM's stamp, or RAMCODE (after an echo: official build). */
static int probe(struct ln *ln, unsigned window_ms, enum probe *what)
{
	static const char cmd[] = "version\r\n";
	int rc;

	*what = PROBE_NONE;
	iotflash_io_flush_input(ln->dev);
	if ((rc = send(ln, cmd, sizeof(cmd) - 1)) != IOTFLASH_OK)
		return rc;
	rc = read_text(ln, probe_done, window_ms);
	if (rc == IOTFLASH_ERR_TIMEOUT)
		return IOTFLASH_OK;
	if (rc != IOTFLASH_OK)
		return rc;
	if (ln_find_stamp(ln->text, ln->text_len, ln->stamp))
		*what = PROBE_ROM;
	else
		*what = has(ln->text, ln->text_len, "version") ? PROBE_RAM_OFFICIAL : PROBE_RAM_GUI;
	return IOTFLASH_OK;
}

static int set_host_baud(struct ln *ln, uint32_t baud)
{
	int rc = iotflash_io_set_baud(ln->dev, baud);
	if (rc != IOTFLASH_OK)
		return iotflash_fail(ln->dev, IOTFLASH_ERR_BAUD, "the serial port refused %u baud", (unsigned)baud);
	return IOTFLASH_OK;
}

/* Probe at 115200 (ROM, fresh RAM code) and at the target rate (a RAM code
 * an interrupted session left there) until something answers. */
static int find_chip(struct ln *ln, enum probe *what)
{
	uint32_t rates[2] = { LINK_BAUD, ln->target_baud };
	uint64_t start = iotflash_now_ms();
	bool told = false;

	while (iotflash_now_ms() - start < SYNC_TIMEOUT_MS) {
		for (int i = 0; i < (rates[1] != rates[0] ? 2 : 1); i++) {
			int rc = set_host_baud(ln, rates[i]);
			if (rc == IOTFLASH_OK)
				rc = probe(ln, PROBE_MS, what);
			if (rc != IOTFLASH_OK)
				return rc;
			if (*what != PROBE_NONE) {
				ln->baud = rates[i];
				iotflash_dev_answered(ln->dev);  /* a failure from here on is the chip's */
				return IOTFLASH_OK;
			}
		}
		if (iotflash_dev_cancelled(ln->dev))
			return IOTFLASH_ERR_CANCELLED;
		if (!told && iotflash_now_ms() - start >= SYNC_NOTICE_MS) {
			iotflash_notice(ln->dev, "no answer yet: hold BOOT low (LN882H: GPIOA9, LN8825: GPIOA10) "
			                "and reset or power-cycle the chip");
			told = true;
		}
	}
	return iotflash_fail(ln->dev, IOTFLASH_ERR_NO_LINK,
	                     "no answer to `version` for %d s: was BOOT held low during reset, and are TX/RX crossed?",
	                     SYNC_TIMEOUT_MS / 1000);
}

static const struct iotflash_chip *chip_by_stamp(struct ln *ln)
{
	const char *family = iotflash_dev_family(ln->dev);
	const struct iotflash_chip *c;
	for (unsigned i = 0; (c = iotflash_db_family_chip(ln->dev, family, i)); i++) {
		const char *s = iotflash_chip_param_str(c, "rom_stamp");
		if (s && strcmp(s, ln->stamp) == 0)
			return c;
	}
	return NULL;
}

/* ---- X/YMODEM sender ---- */

static int wait_for_c(struct ln *ln, unsigned timeout_ms)
{
	uint64_t deadline = iotflash_now_ms() + timeout_ms;
	bool can = false;

	for (;;) {
		uint64_t now = iotflash_now_ms();
		uint8_t b;
		int r;
		if (now >= deadline)
			return iotflash_fail(ln->dev, IOTFLASH_ERR_TIMEOUT, "the receiver did not ask for data (no `C`)");
		if ((r = get_byte(ln, (unsigned)(deadline - now), &b)) < 0)
			return r;
		if (r == 0)
			continue;
		if (b == LN_C)
			return IOTFLASH_OK;
		if (b == LN_CAN && can)
			return iotflash_fail(ln->dev, IOTFLASH_ERR_DEVICE, "the chip cancelled the transfer");
		can = b == LN_CAN;
	}
}

/* What a transfer sends: frame i of n (YMODEM: frame 0 is the header). */
struct xfer {
	size_t n_frames;
	bool ymodem;              /* frame 0 is answered ACK C, frames end with EOT NAK / EOT ACK C / end block */
	size_t block;             /* data bytes per block (last one SOH if ≤ 128, YMODEM only) */
	uint8_t pad;
	const char *name;
	const uint8_t *data;
	uint32_t len;
	unsigned first_ack_ms;    /* header (erase) or first block */
	unsigned ack_ms;
};

static size_t xfer_frame(struct ln *ln, const struct xfer *x, size_t i)
{
	size_t k = x->ymodem ? i - 1 : i, off = k * x->block, n;
	if (x->ymodem && i == 0)
		return ln_ymodem_header(ln->frame, x->name, x->len);
	n = x->len - off < x->block ? x->len - off : x->block;
	return ln_block_encode(ln->frame, (uint8_t)(x->ymodem ? i : i + 1), x->data + off, n,
	                       x->ymodem && n <= LN_SOH_SIZE ? LN_SOH_SIZE : x->block, x->pad);
}

/* Send frame i and read its one-byte answer: 1 (*reply), 0 timeout, < 0 error. */
static int xfer_exchange(struct ln *ln, const struct xfer *x, size_t i, uint8_t *reply)
{
	size_t len = xfer_frame(ln, x, i);
	int rc = send(ln, ln->frame, len);
	if (rc != IOTFLASH_OK)
		return rc;
	return get_byte(ln, wire_ms(ln, len) + (i == 0 ? x->first_ack_ms : x->ack_ms), reply);
}

/* The receivers NAK a block they already have, so when an answer was lost
 * and the resend is NAKed, the next block tells which it was. */
static int xfer_blocks(struct ln *ln, const struct xfer *x)
{
	size_t i = 0;
	unsigned tries = 0;
	bool lost = false;

	while (i < x->n_frames) {
		uint8_t b = 0;
		int r = xfer_exchange(ln, x, i, &b);
		if (r < 0)
			return r;
		if (r == 1 && (b == LN_ACK || (x->ymodem && i == 0 && b == LN_C))) {
			if (x->ymodem && i == 0 && b == LN_ACK && (r = wait_for_c(ln, REPLY_MS)) != IOTFLASH_OK)
				return r;
			i++, tries = 0, lost = false;
			continue;
		}
		if (++tries > BLOCK_TRIES)
			return iotflash_fail(ln->dev, IOTFLASH_ERR_PROTOCOL, "block %zu was refused %d times", i, BLOCK_TRIES);
		if (r == 1 && b == LN_CAN && get_byte(ln, REPLY_MS, &b) == 1 && b == LN_CAN)
			return iotflash_fail(ln->dev, IOTFLASH_ERR_DEVICE, "the chip cancelled the transfer");
		if (r == 1 && b == LN_NAK && lost && i + 1 < x->n_frames) {
			if ((r = xfer_exchange(ln, x, i + 1, &b)) < 0)
				return r;
			if (r == 1 && b == LN_ACK) {
				i += 2, tries = 0, lost = false;
				continue;
			}
		}
		lost = r == 0;
		quiet(ln);
	}
	return IOTFLASH_OK;
}

/* EOT until ACKed (YMODEM: the first is NAKed by design). */
static int xfer_eot(struct ln *ln)
{
	for (int t = 0; t < BLOCK_TRIES; t++) {
		uint8_t b;
		int r;
		if ((r = send_byte(ln, LN_EOT)) != IOTFLASH_OK)
			return r;
		if ((r = get_byte(ln, REPLY_MS + BLOCK_MARGIN_MS, &b)) < 0)
			return r;
		if (r == 1 && b == LN_ACK)
			return IOTFLASH_OK;
	}
	return iotflash_fail(ln->dev, IOTFLASH_ERR_PROTOCOL, "end of transfer (EOT) not acknowledged");
}

/* The end-of-session block; a lost ACK leaves only harmless bytes behind. */
static int ymodem_end(struct ln *ln)
{
	size_t len = ln_ymodem_end(ln->frame);
	int r;

	if ((r = wait_for_c(ln, REPLY_MS + BLOCK_MARGIN_MS)) != IOTFLASH_OK)
		return r;
	for (int t = 0; t < END_TRIES; t++) {
		uint8_t b;
		if ((r = send(ln, ln->frame, len)) != IOTFLASH_OK)
			return r;
		if ((r = get_byte(ln, wire_ms(ln, len) + REPLY_MS, &b)) < 0)
			return r;
		if (r == 0 || b == LN_ACK)
			return IOTFLASH_OK;
		quiet(ln);
	}
	return iotflash_fail(ln->dev, IOTFLASH_ERR_PROTOCOL, "end-of-session block refused");
}

/* On failure the receiver is told to stop (CAN CAN) before anything else is said. */
static int xfer_send(struct ln *ln, const struct xfer *x)
{
	static const uint8_t cancel[2] = { LN_CAN, LN_CAN };
	int rc = wait_for_c(ln, x->ymodem ? FIRST_C_MS : x->first_ack_ms);

	if (rc == IOTFLASH_OK)
		rc = xfer_blocks(ln, x);
	if (rc == IOTFLASH_OK)
		rc = xfer_eot(ln);
	if (rc == IOTFLASH_OK && x->ymodem)
		rc = ymodem_end(ln);
	if (rc != IOTFLASH_OK && rc != IOTFLASH_ERR_CANCELLED) {
		send(ln, cancel, sizeof(cancel));
		ln->suspect = true;
		quiet(ln);
	}
	return rc;
}

static size_t ymodem_frames(uint32_t len, size_t block)
{
	return 1 + (len + block - 1) / block;
}

/* ---- RAM code upload (ROM) ---- */

static int check_image(struct ln *ln, const uint8_t *img, size_t len)
{
	const struct iotflash_chip *c = ln->chip;
	struct ln_ramhdr h;
	enum ln_ramhdr_err e = ln_ramhdr_parse(img, len, &h);
	int64_t base;

	if (e != LN_RAMHDR_OK)
		return iotflash_fail(ln->dev, IOTFLASH_ERR_ARG, "the RAM loader is not an LN88xx RAM image: %s",
		                     ln_ramhdr_strerror(e));
	if (c && iotflash_chip_param_int(c, "ram_base", &base) && h.load_addr != (uint32_t)base)
		return iotflash_fail(ln->dev, IOTFLASH_ERR_ARG,
		                     "the RAM loader is linked at 0x%08x, but %s runs RAM code at 0x%08x (wrong chip's loader?)",
		                     (unsigned)h.load_addr, c->name, (unsigned)base);
	return IOTFLASH_OK;
}

static int upload(struct ln *ln)
{
	const uint8_t *img;
	size_t len;
	char cmd[64];
	struct xfer x = { 0, true, LN_ROM_STX_SIZE, LN_YMODEM_PAD, "RAMCODE", NULL, 0, BLOCK_MARGIN_MS, BLOCK_MARGIN_MS };
	int rc;

	if ((rc = iotflash_dev_loader(ln->dev, &img, &len)) != IOTFLASH_OK)
		return rc;
	if ((rc = check_image(ln, img, len)) != IOTFLASH_OK)
		return rc;
	iotflash_log(ln->dev, IOTFLASH_LOG_INFO, "uploading the %zu-byte RAM code (%s build)", len,
	             ln_image_is_gui(img, len) ? "GUI" : "official");
	x.data = img;
	x.len = (uint32_t)len;
	x.n_frames = ymodem_frames(x.len, x.block);
	iotflash_io_flush_input(ln->dev);
	if ((rc = send(ln, cmd, ln_download_cmd(cmd, sizeof(cmd), x.len))) != IOTFLASH_OK)
		return rc;
	if ((rc = xfer_send(ln, &x)) != IOTFLASH_OK)
		return iotflash_fail(ln->dev, rc, "uploading the RAM code failed: %s", iotflash_strerror(rc));
	ln->from_rom = true;
	return IOTFLASH_OK;
}

/* After the upload: the RAM code answers at 115200. */
static int sync_ram(struct ln *ln)
{
	iotflash_sleep_ms(ln->dev, BOOT_WAIT_MS);
	for (int t = 0; t < RAM_SYNC_TRIES; t++) {
		enum probe what;
		int rc = probe(ln, PROBE_MS, &what);
		if (rc != IOTFLASH_OK)
			return rc;
		if (what == PROBE_RAM_OFFICIAL || what == PROBE_RAM_GUI) {
			ln->build = what == PROBE_RAM_OFFICIAL ? BUILD_OFFICIAL : BUILD_GUI;
			ln->baud = LINK_BAUD;
			return IOTFLASH_OK;
		}
		if (what == PROBE_ROM)
			return iotflash_fail(ln->dev, IOTFLASH_ERR_DEVICE,
			                     "the boot ROM did not start the RAM code (it still answers `version` itself)");
	}
	return iotflash_fail(ln->dev, IOTFLASH_ERR_NO_LINK, "the RAM code did not answer after the upload");
}

/* ---- baud ---- */

static int relink_at(struct ln *ln, uint32_t baud, unsigned probes)
{
	int rc = set_host_baud(ln, baud);
	for (unsigned t = 0; rc == IOTFLASH_OK && t < probes; t++) {
		enum probe what;
		if ((rc = probe(ln, PROBE_MS, &what)) != IOTFLASH_OK)
			return rc;
		if (what == PROBE_RAM_OFFICIAL || what == PROBE_RAM_GUI) {
			ln->baud = baud;
			ln->suspect = false;
			return IOTFLASH_OK;
		}
	}
	return rc == IOTFLASH_OK ? IOTFLASH_ERR_NO_LINK : rc;
}

/* `baudrate N`, then both sides at N, proven by `version`; on failure the
 * RAM code is asked back to 115200. */
static int try_baud(struct ln *ln, uint32_t baud)
{
	int rc;

	if (baud == ln->baud)
		return IOTFLASH_OK;
	if ((rc = command(ln, "baudrate %u", (unsigned)baud)) != IOTFLASH_OK)
		return rc;
	iotflash_io_drain(ln->dev);
	iotflash_sleep_ms(ln->dev, BAUD_SETTLE_MS);
	if (relink_at(ln, baud, BAUD_PROBES) == IOTFLASH_OK)
		return IOTFLASH_OK;
	command(ln, "baudrate %u", (unsigned)LINK_BAUD);  /* at N: may still get through */
	iotflash_io_drain(ln->dev);
	iotflash_sleep_ms(ln->dev, BAUD_SETTLE_MS);
	if ((rc = relink_at(ln, LINK_BAUD, BAUD_PROBES)) != IOTFLASH_OK)
		return iotflash_fail(ln->dev, IOTFLASH_ERR_NO_LINK, "lost the RAM code switching to %u baud", (unsigned)baud);
	return IOTFLASH_ERR_BAUD;
}

/* The rate the core asks for, once.  A rate the RAM code does not hold is
 * reported (IOTFLASH_ERR_BAUD, the RAM code back at 115200): stepping down
 * is the core's (docs/plugins.md, "Link rates"). */
static int switch_baud(struct ln *ln)
{
	int rc = try_baud(ln, ln->target_baud);

	if (rc == IOTFLASH_ERR_BAUD)
		return iotflash_fail(ln->dev, rc, "the RAM code did not hold %u baud", (unsigned)ln->target_baud);
	return rc;
}

/* After a failed exchange: stop any transfer, find the RAM code again
 * (the GUI build drops to 115200 when an XMODEM send gives up). */
static int recover(struct ln *ln)
{
	static const uint8_t cancel[2] = { LN_CAN, LN_CAN };
	int rc;

	if (!ln->suspect)
		return IOTFLASH_OK;
	send(ln, cancel, sizeof(cancel));
	quiet(ln);
	if (relink_at(ln, ln->baud, 2) == IOTFLASH_OK)
		return IOTFLASH_OK;
	if ((rc = relink_at(ln, LINK_BAUD, 3)) != IOTFLASH_OK)
		return iotflash_fail(ln->dev, IOTFLASH_ERR_NO_LINK, "lost the RAM code (no answer at %u or %u baud)",
		                     (unsigned)ln->baud, (unsigned)LINK_BAUD);
	/* Back to the session's rate; one it no longer holds is a lost link,
	 * and the core's reconnect proves (and steps down) the rate again. */
	if ((rc = switch_baud(ln)) == IOTFLASH_ERR_BAUD)
		return iotflash_fail(ln->dev, IOTFLASH_ERR_NO_LINK, "the RAM code no longer holds %u baud",
		                     (unsigned)ln->target_baud);
	return rc;
}

/* ---- flash operations ---- */

static uint32_t read_chunk(uint32_t left)
{
	return left < FLASH_READ_CHUNK ? left : FLASH_READ_CHUNK;
}

/* `flash_read` per chunk.  On a clean link the next chunk's command goes
 * out while this chunk's reply arrives: it waits in the RAM code's
 * receive buffer (10 KiB) and runs, echo first, as soon as the reply has
 * left, so chunks follow without a round trip.  After a failure the
 * session asks one chunk at a time. */
static int read_official(struct ln *ln, uint32_t addr, uint8_t *buf, uint32_t len)
{
	char reply[2 + 3 * (FLASH_READ_CHUNK + 2)], next_line[LN_LINE_MAX + 2];
	bool sent = false;  /* the command for off went out and echoed */

	for (uint32_t off = 0; off < len;) {
		uint32_t n = read_chunk(len - off), next = off + n;
		size_t want = ln_flash_read_reply_len(n);
		int rc = IOTFLASH_OK, got = 0, next_n = 0;
		bool ahead = false;
		for (int t = 0; t < FLASH_READ_TRIES; t++) {
			if (!sent && (rc = recover(ln)) != IOTFLASH_OK)
				return rc;
			if (!sent && (rc = command(ln, "flash_read 0x%X 0x%X", (unsigned)(addr + off), (unsigned)n)) != IOTFLASH_OK)
				continue;
			sent = false;
			ahead = next < len && !ln->stop_and_wait &&
			        command_ahead(ln, next_line, &next_n, "flash_read 0x%X 0x%X", (unsigned)(addr + next),
			                      (unsigned)read_chunk(len - next)) == IOTFLASH_OK;
			if ((got = get_exact(ln, reply, want, wire_ms(ln, want) + STREAM_MARGIN_MS)) < 0)
				return got;
			if ((size_t)got == want && ln_flash_read_parse(reply, want, buf + off, n))
				break;
			ln->suspect = ln->stop_and_wait = true;
			ahead = false;
			rc = iotflash_fail(ln->dev, IOTFLASH_ERR_CHECKSUM, "flash_read 0x%X: %s", (unsigned)(addr + off),
			                   (size_t)got == want ? "bad hex or CRC-16" : "short reply");
		}
		if (rc != IOTFLASH_OK)
			return rc;
		if (ahead && read_echo(ln, next_line, next_n) == IOTFLASH_OK)
			sent = true;
		else if (ahead)
			ln->stop_and_wait = true;  /* read_echo marked the link suspect */
		off = next;
	}
	return IOTFLASH_OK;
}

/* One XMODEM block of fdump; 1 = stored, 0 = duplicate or bad (answered), < 0 error.
 * On a clean link the block is ACKed as its first byte arrives: the ACK
 * waits in the chip's receive buffer until the block has left, and the
 * next block follows without a round trip.  A block that then fails its
 * CRC ends the transfer (the core reads the range again) and the session
 * goes back to ACKing checked blocks only. */
static int xm_block(struct ln *ln, uint8_t marker, uint8_t *expected, uint8_t *buf, uint32_t len, uint32_t *got)
{
	size_t n = ln_block_size(marker, LN_XMODEM_STX_SIZE);
	bool early = !ln->stop_and_wait;
	uint8_t seq;
	int r, size;

	ln->frame[0] = marker;
	if (early && (r = send_byte(ln, LN_ACK)) != IOTFLASH_OK)
		return r;
	if ((r = get_exact(ln, ln->frame + 1, n + 4, wire_ms(ln, n + 4) + STREAM_MARGIN_MS)) < 0)
		return r;
	size = (size_t)r == n + 4 ? ln_block_check(ln->frame, n + LN_BLOCK_OVERHEAD, LN_XMODEM_STX_SIZE, &seq) : -1;
	if (size < 0 && early) {
		ln->stop_and_wait = true;
		return iotflash_fail(ln->dev, IOTFLASH_ERR_CHECKSUM, "fdump: a bad block (CRC-16) after its early ACK");
	}
	if (size < 0) {
		quiet(ln);
		send_byte(ln, LN_NAK);
		return 0;
	}
	if (seq == (uint8_t)(*expected - 1)) {  /* our ACK was lost: it sent the block again */
		if (!early)
			send_byte(ln, LN_ACK);
		return 0;
	}
	if (seq != *expected) {
		ln->stop_and_wait = true;
		return iotflash_fail(ln->dev, IOTFLASH_ERR_PROTOCOL, "fdump: block %u out of sequence (wanted %u)", seq,
		                     *expected);
	}
	size = len - *got < (uint32_t)size ? (int)(len - *got) : size;
	memcpy(buf + *got, ln->frame + 3, (size_t)size);
	*got += (uint32_t)size;
	(*expected)++;
	return early || send_byte(ln, LN_ACK) == IOTFLASH_OK ? 1 : IOTFLASH_ERR_PORT;
}

static int xm_receive(struct ln *ln, uint8_t *buf, uint32_t len)
{
	uint8_t expected = 1, b;
	uint32_t got = 0;
	unsigned c_sent = 1, naks = 0;

	while (got < len) {
		int r = get_byte(ln, got || naks ? wire_ms(ln, LN_XMODEM_STX_SIZE + 5) + BLOCK_MARGIN_MS : XM_C_RETRY_MS, &b);
		if (r < 0)
			return r;
		if (r == 0 && !got && !naks) {
			if (++c_sent > XM_C_TRIES)
				return iotflash_fail(ln->dev, IOTFLASH_ERR_TIMEOUT, "fdump: no data");
			send_byte(ln, LN_C);
			continue;
		}
		if (r == 1 && (b == LN_STX || b == LN_SOH)) {
			if ((r = xm_block(ln, b, &expected, buf, len, &got)) < 0)
				return r;
			naks = r == 1 ? 0 : naks + 1;
		} else if (r == 1 && b == LN_CAN) {
			return iotflash_fail(ln->dev, IOTFLASH_ERR_DEVICE, "fdump: the chip gave up (CAN)");
		} else {
			quiet(ln);
			send_byte(ln, LN_NAK);
			naks++;
		}
		if (naks > XM_NAKS)
			return iotflash_fail(ln->dev, IOTFLASH_ERR_PROTOCOL, "fdump: %d bad blocks in a row", XM_NAKS);
	}
	return IOTFLASH_OK;
}

/* The sender's EOT (repeated while unanswered, or the last block again if
 * our ACK was lost). */
static int xm_finish(struct ln *ln)
{
	uint64_t deadline = iotflash_now_ms() + XM_EOT_WAIT_MS;
	while (iotflash_now_ms() < deadline) {
		uint8_t b;
		int r = get_byte(ln, XM_EOT_WAIT_MS, &b);
		if (r < 0)
			return r;
		if (r == 1 && b == LN_EOT)
			return send_byte(ln, LN_ACK);
		if (r == 1 && (b == LN_STX || b == LN_SOH)) {
			quiet(ln);
			send_byte(ln, LN_ACK);
		}
	}
	ln->suspect = true;
	return iotflash_fail(ln->dev, IOTFLASH_ERR_PROTOCOL, "fdump: no end of transfer");
}

static int read_gui(struct ln *ln, uint32_t addr, uint8_t *buf, uint32_t len)
{
	int rc = command(ln, "fdump 0x%X 0x%X 0", (unsigned)addr, (unsigned)len);

	if (rc != IOTFLASH_OK)
		return rc;
	/* The RAM code drains its input when it starts (a few ms after the
	 * line): `C` goes after that. */
	iotflash_io_drain(ln->dev);
	iotflash_sleep_ms(ln->dev, FDUMP_START_MS);
	if ((rc = send_byte(ln, LN_C)) != IOTFLASH_OK)
		return rc;
	if ((rc = xm_receive(ln, buf, len)) != IOTFLASH_OK) {
		ln->suspect = true;
		return rc;
	}
	return xm_finish(ln);
}

static int op_read(void *priv, uint32_t addr, uint8_t *buf, uint32_t len)
{
	struct ln *ln = priv;
	int rc = recover(ln);
	if (rc != IOTFLASH_OK)
		return rc;
	return ln->build == BUILD_GUI ? read_gui(ln, addr, buf, len) : read_official(ln, addr, buf, len);
}

static unsigned erase_ms(uint32_t len)
{
	return ERASE_BASE_MS + (len + 4095) / 4096 * ERASE_MS_PER_4K;
}

static int write_upgrade(struct ln *ln, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	struct xfer x = { ymodem_frames(len, LN_RAM_STX_SIZE), true, LN_RAM_STX_SIZE, LN_YMODEM_PAD, "", buf, len,
	                  erase_ms(len), PROGRAM_MS_PER_16K + BLOCK_MARGIN_MS };
	int rc;

	if ((rc = command(ln, "startaddr 0x%X", (unsigned)addr)) != IOTFLASH_OK ||
	    (rc = read_status(ln, "startaddr", REPLY_MS)) != IOTFLASH_OK ||
	    (rc = command(ln, "upgrade")) != IOTFLASH_OK)
		return rc;
	return xfer_send(ln, &x);
}

static int write_fwrite(struct ln *ln, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	struct xfer x = { (len + LN_XMODEM_STX_SIZE - 1) / LN_XMODEM_STX_SIZE, false, LN_XMODEM_STX_SIZE, LN_XMODEM_PAD,
	                  NULL, buf, len, erase_ms(len), BLOCK_MARGIN_MS };
	int rc = command(ln, "fwrite 0x%X 0x%X", (unsigned)addr, (unsigned)len);
	if (rc != IOTFLASH_OK)
		return rc;
	return xfer_send(ln, &x);
}

static int op_write(void *priv, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	struct ln *ln = priv;
	int rc = recover(ln);
	if (rc != IOTFLASH_OK)
		return rc;
	/* GUI build: 1 KiB XMODEM blocks suit the core's 4 KiB writes better
	 * than YMODEM's 16 KiB ones (and LN8825's has no `upgrade`). */
	if (ln->build == BUILD_GUI)
		return write_fwrite(ln, addr, buf, len);
	return write_upgrade(ln, addr, buf, len);
}

static int op_erase(void *priv, uint32_t addr, uint32_t len)
{
	struct ln *ln = priv;
	int rc = recover(ln);
	if (rc == IOTFLASH_OK)
		rc = command(ln, "ferase 0x%X 0x%X", (unsigned)addr, (unsigned)len);
	if (rc == IOTFLASH_OK)
		rc = read_status(ln, "ferase", erase_ms(len));
	return rc;
}

/* GUI build only: `flash_crc32` → 4 raw bytes, little-endian like the core's CRC-32. */
static int op_verify(void *priv, uint32_t addr, uint32_t len, uint8_t sum[IOTFLASH_SUM_MAX])
{
	struct ln *ln = priv;
	int rc;

	if (ln->build != BUILD_GUI)
		return iotflash_fail(ln->dev, IOTFLASH_ERR_UNSUPPORTED, "the official RAM code has no flash checksum");
	if ((rc = recover(ln)) != IOTFLASH_OK ||
	    (rc = command(ln, "flash_crc32 0x%X 0x%X", (unsigned)addr, (unsigned)len)) != IOTFLASH_OK)
		return rc;
	rc = get_exact(ln, sum, 4, REPLY_MS + (unsigned)((uint64_t)len * CRC_MS_PER_MIB / 0x100000));
	if (rc < 0)
		return rc;
	if (rc != 4) {
		ln->suspect = true;
		return iotflash_fail(ln->dev, IOTFLASH_ERR_TIMEOUT, "flash_crc32 0x%X: no answer", (unsigned)addr);
	}
	return IOTFLASH_OK;
}

/* ---- session ---- */

/* With the RAM code already running there is no ROM stamp: the official
 * build exists for LN882H only, and LN8825's GUI build has no `startaddr`. */
static int chip_from_ram_code(struct ln *ln)
{
	const char *want;
	int rc;

	if (ln->chip)
		return IOTFLASH_OK;
	want = "ln882h";
	if (ln->build == BUILD_GUI) {
		if ((rc = command(ln, "startaddr 0x0")) != IOTFLASH_OK)
			return rc;
		if (read_status(ln, "startaddr", REPLY_MS) == IOTFLASH_ERR_TIMEOUT) {
			want = "ln8825";
			ln->suspect = false;
		}
	}
	ln->chip = iotflash_db_chip(ln->dev, want);
	return IOTFLASH_OK;
}

static int identify(struct ln *ln, enum probe what)
{
	const struct iotflash_chip *c;

	if (what != PROBE_ROM) {
		ln->build = what == PROBE_RAM_OFFICIAL ? BUILD_OFFICIAL : BUILD_GUI;
		iotflash_log(ln->dev, IOTFLASH_LOG_INFO, "RAM code already running (%s build)",
		             ln->build == BUILD_GUI ? "GUI" : "official");
		return chip_from_ram_code(ln);
	}
	iotflash_log(ln->dev, IOTFLASH_LOG_INFO, "boot ROM %s", ln->stamp);
	if ((c = chip_by_stamp(ln)))
		ln->chip = c;
	else
		iotflash_log(ln->dev, IOTFLASH_LOG_WARN, "unknown boot ROM stamp \"%s\"", ln->stamp);
	return IOTFLASH_OK;
}

static int op_open(struct iotflash_dev *dev, void **priv)
{
	struct ln *ln = calloc(1, sizeof(*ln));
	enum probe what;
	int rc;

	if (!ln)
		return iotflash_fail(dev, IOTFLASH_ERR_NOMEM, "out of memory");
	ln->dev = dev;
	ln->chip = iotflash_dev_chip(dev);
	ln->target_baud = iotflash_dev_target_baud(dev);
	ln->baud = LINK_BAUD;
	if ((rc = find_chip(ln, &what)) != IOTFLASH_OK || (rc = identify(ln, what)) != IOTFLASH_OK)
		goto fail;
	if (what == PROBE_ROM && ((rc = upload(ln)) != IOTFLASH_OK || (rc = sync_ram(ln)) != IOTFLASH_OK))
		goto fail;
	if ((rc = switch_baud(ln)) != IOTFLASH_OK)
		goto fail;
	/* Both builds check every read reply: `flash_read` ends in a CRC-16 of
	 * its bytes (§3.4), `fdump` sends XMODEM-1K blocks with a CRC-16 each
	 * (§4.1).  One pass per block proves the data. */
	iotflash_dev_set_read_checked(dev, true);
	*priv = ln;
	return IOTFLASH_OK;
fail:
	free(ln);
	return rc;
}

static int op_detect(void *priv, struct iotflash_chip_info *info)
{
	struct ln *ln = priv;
	int rc = command(ln, "flash_info");

	if (rc == IOTFLASH_OK)
		rc = read_text(ln, info_done, REPLY_MS);
	if (rc == IOTFLASH_OK && !ln_parse_flash_info(ln->text, ln->text_len, &ln->flash_id))
		rc = iotflash_fail(ln->dev, IOTFLASH_ERR_PROTOCOL, "unreadable flash_info reply");
	if (rc != IOTFLASH_OK)
		return rc == IOTFLASH_ERR_TIMEOUT ? iotflash_fail(ln->dev, rc, "no flash_info reply") : rc;
	info->chip = ln->chip ? ln->chip : info->chip;
	if (!ln->chip)
		snprintf(info->chip_name, sizeof(info->chip_name), "LN88xx %.20s", ln->stamp);
	snprintf(info->loader_version, sizeof(info->loader_version), "%s%s", ln->stamp[0] ? "ROM " : "RAM code",
	         ln->stamp);
	info->flash_id = ln_id_to_jedec(ln->flash_id);
	info->flash_size = ln_flash_size(ln->flash_id);
	info->flash = iotflash_db_flash(ln->dev, info->flash_id);
	snprintf(info->extra, sizeof(info->extra), "RAM code: %s build%s",
	         ln->build == BUILD_GUI ? "GUI flasher" : "Lightning official",
	         ln->build == BUILD_GUI ? ", CRC-32 verify" : ", no checksum: verified by reading back");
	if (ln->build != BUILD_GUI)
		iotflash_dev_set_checksum(ln->dev, IOTFLASH_SUM_NONE);
	if (!info->flash_size)
		iotflash_log(ln->dev, IOTFLASH_LOG_WARN, "flash id 0x%06X gives no size; using the chip database's",
		             (unsigned)ln->flash_id);
	return IOTFLASH_OK;
}

/* `baudrate 115200` until `version` answers there: the RAM code may have
 * missed the line (garbled, or read at the new rate because the host
 * switched first), and the next open() probes 115200 first. */
static void back_to_link_rate(struct ln *ln)
{
	for (int t = 0; t < CLOSE_TRIES && ln->baud != LINK_BAUD; t++) {
		if (t && relink_at(ln, ln->baud, 2) != IOTFLASH_OK)
			break;  /* not at the old rate either: perhaps at 115200 */
		command(ln, "baudrate %u", (unsigned)LINK_BAUD);
		iotflash_io_drain(ln->dev);
		iotflash_sleep_ms(ln->dev, BAUD_SETTLE_MS);
		if (relink_at(ln, LINK_BAUD, BAUD_PROBES) == IOTFLASH_OK)
			return;
	}
	relink_at(ln, LINK_BAUD, BAUD_PROBES);
}

/* Leave the RAM code running at 115200, as the tools do: the next session
 * (or the core's next open() at a lower rate) finds it at once; a power
 * cycle without BOOT starts the firmware. */
static void op_close(void *priv)
{
	struct ln *ln = priv;
	static const uint8_t cancel[2] = { LN_CAN, LN_CAN };

	if (ln->suspect) {  /* stop a transfer a failed exchange left running */
		send(ln, cancel, sizeof(cancel));
		quiet(ln);
		if (relink_at(ln, ln->baud, 2) != IOTFLASH_OK && relink_at(ln, LINK_BAUD, 2) != IOTFLASH_OK) {
			free(ln);
			return;
		}
	}
	back_to_link_rate(ln);
	free(ln);
}

const struct iotflash_driver ln882h_driver = {
	.name = "ln882h",
	.description = "LN882H/LN8825 boot ROM + RAM code (official or GUI build)",
	.open = op_open,
	.close = op_close,
	.detect = op_detect,
	.read = op_read,
	.write = op_write,
	.erase = op_erase,
	.verify = op_verify,
};
