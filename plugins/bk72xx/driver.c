/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Beken BK72xx chip driver: speaks the UART download protocol of the
 * BootROM (FULL) and of the flash bootloader (LEGACY), see
 * docs/protocols/bk72xx.md.  Policy (retries, verification, skipping,
 * protected regions) is the core's; this file only moves frames. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <iotflash/plugin.h>

#include "protocol.h"

#define FAMILY "bk72xx"

#define LINK_READ_MS 5            /* per link-check reply (tools use 1-5 ms) */
#define LINK_ROUND_MS 200         /* link checks at one rate before switching */
#define LINK_NOTICE_MS 2000       /* ask the user for a reset after this */
#define LINK_TIMEOUT_MS 20000
#define DRAIN_SILENCE_MS 20
#define DRAIN_MAX_MS 1000
#define RESET_PULSE_MS 100
#define BAUD_DELAY_MS 20          /* DD of SetBaudRate, as bk7231tools */
#define BAUD_REPLY_MS 1000
#define REPLY_MARGIN_MS 250       /* USB latency and scheduling */
#define QUERY_MS 100              /* register, SR, JEDEC */
#define BOOT_VERSION_MS 100       /* silence is a valid answer */
#define WRITE4K_MS 100            /* 16 page programs */
#define ERASE4K_MS 1000
#define ERASE64K_MS 2000
#define CRC_BYTES_PER_MS 400      /* 400 kB/s, as bk7231tools budgets */
#define CRC_BASE_MS 1000
#define SR_TRIES 10
#define SR_SETTLE_MS 10
#define EFUSE_POLLS 20
#define LEGACY_LOADER_END 0x11000u  /* LEGACY: the only UART loader lives below */
#define FINGERPRINT_END 0x100u
#define PROBE_ADDR 0x11000u
#define RX_CAP (BK_READ4K_REPLY_LEN + 64)
#define RESYNC_PAD 32             /* more than a few lost bytes is a lost frame */
#define RESYNC_QUIET_MS 50
/* A reply that has begun and then falls silent this long lost a byte on
 * the line: the chip sends its replies without pauses, so waiting out the
 * whole timeout would only cost time (issue 16). */
#define REPLY_GAP_MS 50
#define REPLY_STARTED 16
#define MAX_CANDIDATES 8

enum bk_proto { PROTO_UNKNOWN, PROTO_FULL, PROTO_LEGACY };

struct bk {
	struct iotflash_dev *dev;
	const char *family;
	const struct iotflash_chip *chip;   /* named by the user, later detected */
	enum bk_proto proto;
	uint32_t link_baud;
	uint32_t baud;                      /* the chip's current rate */
	unsigned link_timeout_ms;
	bool lines_unsupported;
	bool detected;
	uint32_t flash_size;
	const struct iotflash_flash_part *flash;
	/* FULL: status registers as found, restored by close(). */
	bool sr_checked;
	bool sr_changed;
	uint32_t sr_orig;
	/* LEGACY: a CheckCRC protects the whole flash until a link check and
	 * the next erase (§5.3). */
	bool locked;
	bool linked_since_crc;
	size_t rx_len;
	uint8_t rx[RX_CAP];
	uint8_t tx[BK_FRAME_MAX];
};

/* The SR layout to use when the flash part is not in the database (§5.1). */
static const struct iotflash_flash_part unknown_part = {
	.name = "unknown", .sr_count = 2, .sr_read_ops = { 0x05, 0x35 }, .sr_mask = 0x407C,
	.sr_protect = 0x001C, .sr_unprotect = 0,
};

/* ---- chip database helpers ---- */

static const struct iotflash_chip *family_chip(struct bk *bk, unsigned i)
{
	return iotflash_db_family_chip(bk->dev, bk->family, i);
}

/* First chip of the family whose list param `key` holds v. */
static const struct iotflash_chip *chip_with(struct bk *bk, const char *key, uint32_t v)
{
	const struct iotflash_chip *c;

	for (unsigned i = 0; (c = family_chip(bk, i)) != NULL; i++)
		if (iotflash_chip_param_has(c, key, v))
			return c;
	return NULL;
}

/* The chip whose params apply before detection: the user's, else the first. */
static const struct iotflash_chip *params_chip(struct bk *bk)
{
	return bk->chip ? bk->chip : family_chip(bk, 0);
}

static enum bk_proto proto_of(const struct iotflash_chip *chip)
{
	if (!chip || !chip->protocol)
		return PROTO_UNKNOWN;
	if (strcasecmp(chip->protocol, "full") == 0)
		return PROTO_FULL;
	if (strcasecmp(chip->protocol, "legacy") == 0)
		return PROTO_LEGACY;
	return PROTO_UNKNOWN;
}

/* ---- byte stream ---- */

static int bk_send(struct bk *bk, const uint8_t *buf, size_t len)
{
	int rc = iotflash_io_write(bk->dev, buf, len);

	if (rc < 0)
		return iotflash_fail(bk->dev, rc, "cannot write to the port");
	return IOTFLASH_OK;
}

/* Forget the first n buffered bytes (the core's wire log has shown them). */
static void rx_drop(struct bk *bk, size_t n)
{
	if (n == 0)
		return;
	memmove(bk->rx, bk->rx + n, bk->rx_len - n);
	bk->rx_len -= n;
}

static int rx_fill(struct bk *bk, size_t want, unsigned timeout_ms)
{
	int n;

	if (want > RX_CAP - bk->rx_len)
		want = RX_CAP - bk->rx_len;
	n = iotflash_io_read(bk->dev, bk->rx + bk->rx_len, want, timeout_ms);
	if (n == IOTFLASH_ERR_CANCELLED)
		return iotflash_fail(bk->dev, n, "cancelled");
	if (n < 0)
		return iotflash_fail(bk->dev, n, "cannot read from the port");
	bk->rx_len += (size_t)n;
	return n;
}

static void rx_reset(struct bk *bk)
{
	iotflash_io_flush_input(bk->dev);
	bk->rx_len = 0;
}

/* Wait for the reply to (is_long, code).  The packet stays in bk->rx (r
 * points into it) until the next exchange. */
static int bk_receive(struct bk *bk, bool is_long, uint8_t code, unsigned short_len,
                      unsigned timeout_ms, struct bk_reply *r)
{
	uint64_t deadline = iotflash_now_ms() + timeout_ms;

	for (;;) {
		size_t used, need;
		uint64_t now;
		unsigned wait;
		bool started;
		int n;

		if (bk_scan_reply(bk->rx, bk->rx_len, is_long, code, short_len, r, &used, &need)
		    == BK_SCAN_FOUND) {
			return IOTFLASH_OK;
		}
		rx_drop(bk, used);
		now = iotflash_now_ms();
		if (now >= deadline)
			return IOTFLASH_ERR_TIMEOUT;
		started = bk->rx_len > 0;
		wait = (unsigned)(deadline - now);
		n = rx_fill(bk, need, started && wait > REPLY_GAP_MS ? REPLY_GAP_MS : wait);
		if (n < 0)
			return n;
		if (n == 0 && bk->rx_len >= REPLY_STARTED)
			return iotflash_fail(bk->dev, IOTFLASH_ERR_PROTOCOL,
			                     "reply cut short after %zu bytes (a byte lost on the line)", bk->rx_len);
	}
}

struct exchange {
	const char *what;      /* for messages: "read 4K at 0x11000" */
	size_t frame_len;      /* the frame is in bk->tx */
	bool is_long;
	uint8_t code;
	unsigned short_len;
	size_t reply_len;      /* expected, for the timeout */
	unsigned op_ms;        /* chip-side work */
	unsigned tries;        /* re-sends after a lost reply (idempotent commands) */
};

static unsigned exchange_timeout(struct bk *bk, const struct exchange *x)
{
	return iotflash_io_wire_ms(bk->dev, x->frame_len) + iotflash_io_wire_ms(bk->dev, x->reply_len)
	       + x->op_ms + REPLY_MARGIN_MS;
}

/* After a lost reply the chip may still be inside a frame that lost bytes
 * on the way (LEGACY bootloaders then wait forever and swallow the start of
 * the next frame).  Zeros complete it harmlessly for a hunting handler; the
 * late reply that follows is read and dropped so it cannot pass for the
 * answer to the next command. */
static void bk_resync(struct bk *bk, const struct exchange *x)
{
	static const uint8_t pad[RESYNC_PAD];
	uint64_t stop = iotflash_now_ms() + x->op_ms + RESYNC_QUIET_MS;

	iotflash_log(bk->dev, IOTFLASH_LOG_DEBUG, "%s: no reply, resynchronising", x->what);
	if (bk_send(bk, pad, x->frame_len < sizeof pad ? x->frame_len : sizeof pad) != IOTFLASH_OK)
		return;
	bk->rx_len = 0;
	while (iotflash_now_ms() < stop && rx_fill(bk, RX_CAP, RESYNC_QUIET_MS) > 0)
		bk->rx_len = 0;
	rx_reset(bk);
}

/* Send the frame in bk->tx and wait for its reply.  A timeout is reported
 * with iotflash_fail() unless quiet. */
static int bk_exchange(struct bk *bk, const struct exchange *x, struct bk_reply *r, bool quiet)
{
	unsigned timeout = exchange_timeout(bk, x);
	unsigned tries = x->tries ? x->tries : 1;
	int rc = IOTFLASH_ERR_TIMEOUT;

	for (unsigned t = 0; t < tries && rc == IOTFLASH_ERR_TIMEOUT; t++) {
		if (iotflash_dev_cancelled(bk->dev))
			return iotflash_fail(bk->dev, IOTFLASH_ERR_CANCELLED, "cancelled");
		rx_reset(bk);
		rc = bk_send(bk, bk->tx, x->frame_len);
		if (rc != IOTFLASH_OK)
			return rc;
		rc = bk_receive(bk, x->is_long, x->code, x->short_len, timeout, r);
		if (rc == IOTFLASH_ERR_TIMEOUT)
			bk_resync(bk, x);
	}
	if (rc == IOTFLASH_ERR_TIMEOUT && !quiet)
		return iotflash_fail(bk->dev, rc, "%s: no reply from the chip within %u ms",
		                     x->what, timeout);
	return rc;
}

/* Turn a decoder result into an error with a message. */
static int bk_decoded(struct bk *bk, int rc, const struct bk_reply *r, const char *what)
{
	if (rc == 0)
		return IOTFLASH_OK;
	if (rc == BK_ERR_STATUS)
		return iotflash_fail(bk->dev, IOTFLASH_ERR_DEVICE, "%s: the chip reported status %u (%s)",
		                     what, r->status, bk_status_name(r->status));
	return iotflash_fail(bk->dev, IOTFLASH_ERR_PROTOCOL,
	                     "%s: unexpected reply (wrong length or echoed value)", what);
}

/* ---- getting the bus ---- */

/* Read and log whatever the chip still sends, until it has been quiet. */
static void bk_drain_input(struct bk *bk)
{
	uint64_t stop = iotflash_now_ms() + DRAIN_MAX_MS;

	bk->rx_len = 0;
	while (iotflash_now_ms() < stop) {
		int n = rx_fill(bk, RX_CAP, DRAIN_SILENCE_MS);

		if (n <= 0)
			break;
		rx_drop(bk, bk->rx_len);
	}
	bk->rx_len = 0;
}

/* Reset stimuli for a chip that is not in its download window: the
 * OpenBeken console command, and a DTR/RTS pulse where the port has lines. */
static void bk_poke_reset(struct bk *bk)
{
	static const char reboot_line[] = "reboot\r\n";

	bk_send(bk, (const uint8_t *)reboot_line, sizeof reboot_line - 1);
	if (bk->lines_unsupported)
		return;
	/* RTS=1, DTR=0 holds CEN low on the usual auto-reset wiring. */
	if (iotflash_io_set_lines(bk->dev, 0, 1) < 0) {
		bk->lines_unsupported = true;  /* a pty, or an adapter without lines */
		iotflash_log(bk->dev, IOTFLASH_LOG_DEBUG, "port has no DTR/RTS: no reset pulse");
		return;
	}
	iotflash_sleep_ms(bk->dev, RESET_PULSE_MS);
	iotflash_io_set_lines(bk->dev, -1, 0);
}

/* Spam link checks at one rate for round_ms; *linked when one answered. */
static int bk_link_round(struct bk *bk, uint32_t baud, unsigned round_ms, bool *linked)
{
	uint64_t stop;
	size_t len = bk_frame_link_check(bk->tx);
	int rc;

	*linked = false;
	if (iotflash_io_set_baud(bk->dev, baud) < 0) {
		iotflash_log(bk->dev, IOTFLASH_LOG_DEBUG, "port refuses %u baud", (unsigned)baud);
		return IOTFLASH_OK;
	}
	rx_reset(bk);
	stop = iotflash_now_ms() + round_ms;
	while (iotflash_now_ms() < stop) {
		struct bk_reply r;
		unsigned wait = LINK_READ_MS + iotflash_io_wire_ms(bk->dev, len + BK_LINK_REPLY_LEN);

		if (iotflash_dev_cancelled(bk->dev))
			return iotflash_fail(bk->dev, IOTFLASH_ERR_CANCELLED, "cancelled");
		rc = bk_send(bk, bk->tx, len);
		if (rc != IOTFLASH_OK)
			return rc;
		rc = bk_receive(bk, false, BK_REPLY_LINK_CHECK, 5, wait, &r);
		if (rc == IOTFLASH_OK && bk_decode_link_check(&r) == 0) {
			*linked = true;
			bk->baud = baud;
			return IOTFLASH_OK;
		}
		if (rc != IOTFLASH_OK && rc != IOTFLASH_ERR_TIMEOUT)
			return rc;
	}
	return IOTFLASH_OK;
}

/* Get the chip's attention at one of rates[] (rates[0] is the loader's
 * reset rate: reset stimuli are sent right before its rounds).  Drains the
 * queued link-check replies on success. */
static int bk_get_bus(struct bk *bk, const uint32_t *rates, unsigned nrates)
{
	uint64_t start = iotflash_now_ms();
	bool noticed = false;

	for (unsigned round = 0;; round++) {
		uint32_t baud = rates[round % nrates];
		uint64_t elapsed;
		bool linked;
		int rc;

		if (round >= nrates && baud == bk->link_baud) {
			if (iotflash_io_set_baud(bk->dev, baud) == 0)
				bk_poke_reset(bk);
		}
		rc = bk_link_round(bk, baud, LINK_ROUND_MS, &linked);
		if (rc != IOTFLASH_OK)
			return rc;
		if (linked) {
			bk_drain_input(bk);
			bk->linked_since_crc = true;
			iotflash_log(bk->dev, IOTFLASH_LOG_INFO, "linked at %u baud", (unsigned)baud);
			return IOTFLASH_OK;
		}
		elapsed = iotflash_now_ms() - start;
		if (!noticed && elapsed >= LINK_NOTICE_MS) {
			iotflash_notice(bk->dev, "waiting for the chip's bootloader: reset or power-cycle "
			                "the chip now (short CEN to GND briefly)");
			noticed = true;
		}
		if (elapsed >= bk->link_timeout_ms)
			return iotflash_fail(bk->dev, IOTFLASH_ERR_NO_LINK,
			                     "no answer from the chip's bootloader after %u s: check the "
			                     "wiring (adapter TX to chip RX, RX to TX, common GND), a "
			                     "strong 3.3 V supply, and reset the chip while iotflash waits",
			                     bk->link_timeout_ms / 1000);
	}
}

/* rates[] without duplicates; returns the new count. */
static unsigned add_rate(uint32_t *rates, unsigned n, uint32_t baud)
{
	for (unsigned i = 0; i < n; i++)
		if (rates[i] == baud)
			return n;
	rates[n] = baud;
	return n + 1;
}

/* One link check at the current rate (re-arms LEGACY erase, §5.3); falls
 * back to the full procedure if the chip does not answer at once. */
static int bk_relink(struct bk *bk)
{
	struct exchange x = {
		.what = "link check", .frame_len = bk_frame_link_check(bk->tx), .code = BK_REPLY_LINK_CHECK,
		.short_len = 5, .reply_len = BK_LINK_REPLY_LEN, .op_ms = 0, .tries = 3,
	};
	struct bk_reply r;
	uint32_t rates[2];
	unsigned n;

	if (bk_exchange(bk, &x, &r, true) == IOTFLASH_OK && bk_decode_link_check(&r) == 0) {
		bk->linked_since_crc = true;
		return IOTFLASH_OK;
	}
	n = add_rate(rates, 0, bk->link_baud);
	n = add_rate(rates, n, bk->baud);
	return bk_get_bus(bk, rates, n);
}

/* ---- baud rate ---- */

static int bk_try_baud(struct bk *bk, uint32_t baud)
{
	struct exchange x = {
		.what = "set baud rate", .frame_len = bk_frame_set_baud(bk->tx, baud, BAUD_DELAY_MS),
		.code = BK_CMD_SET_BAUD, .short_len = 9, .reply_len = BK_SET_BAUD_REPLY_LEN,
	};
	struct bk_reply r;
	int rc;

	rx_reset(bk);
	rc = bk_send(bk, bk->tx, x.frame_len);
	if (rc != IOTFLASH_OK)
		return rc;
	/* The chip switches right after the frame and answers DD ms later at
	 * the new rate: switch the host half-way through DD (§3.2). */
	iotflash_io_drain(bk->dev);
	iotflash_sleep_ms(bk->dev, BAUD_DELAY_MS / 2);
	rc = iotflash_io_set_baud(bk->dev, baud);
	if (rc < 0)
		return IOTFLASH_ERR_BAUD;
	rc = bk_receive(bk, false, BK_CMD_SET_BAUD, 9,
	                BAUD_REPLY_MS + iotflash_io_wire_ms(bk->dev, x.reply_len), &r);
	if (rc != IOTFLASH_OK)
		return rc;
	if (bk_decode_set_baud(&r, baud, BAUD_DELAY_MS) != 0)
		return IOTFLASH_ERR_BAUD;
	bk->baud = baud;
	return IOTFLASH_OK;
}

/* Move to the rate the core asks for, once.  A rate the chip or the adapter
 * does not take is reported (IOTFLASH_ERR_BAUD) with the chip found again
 * where it is; stepping down is the core's (docs/plugins.md, "Link rates"). */
static int bk_switch_baud(struct bk *bk, uint32_t target)
{
	uint32_t old = bk->baud, rates[3];
	unsigned n;
	int rc;

	if (target == bk->baud)
		return IOTFLASH_OK;
	if (bk_try_baud(bk, target) == IOTFLASH_OK) {
		iotflash_log(bk->dev, IOTFLASH_LOG_INFO, "switched to %u baud", (unsigned)target);
		return IOTFLASH_OK;
	}
	if (iotflash_dev_cancelled(bk->dev))
		return iotflash_fail(bk->dev, IOTFLASH_ERR_CANCELLED, "cancelled");
	iotflash_io_set_baud(bk->dev, old);
	bk->baud = old;
	/* The chip may have switched and lost only its reply. */
	n = add_rate(rates, 0, bk->link_baud);
	n = add_rate(rates, n, old);
	n = add_rate(rates, n, target);
	if ((rc = bk_get_bus(bk, rates, n)) != IOTFLASH_OK)
		return rc;
	if (bk->baud == target)
		return IOTFLASH_OK;
	return iotflash_fail(bk->dev, IOTFLASH_ERR_BAUD, "the chip did not confirm %u baud", (unsigned)target);
}

/* ---- commands ---- */

static int bk_read_reg(struct bk *bk, uint32_t addr, uint32_t *value)
{
	struct exchange x = {
		.what = "read register", .frame_len = bk_frame_read_reg(bk->tx, addr),
		.code = BK_CMD_READ_REG, .short_len = 12, .reply_len = 15, .op_ms = QUERY_MS, .tries = 2,
	};
	struct bk_reply r;
	int rc = bk_exchange(bk, &x, &r, false);

	if (rc != IOTFLASH_OK)
		return rc;
	return bk_decoded(bk, bk_decode_read_reg(&r, addr, value), &r, x.what);
}

static int bk_write_reg(struct bk *bk, uint32_t addr, uint32_t value)
{
	struct exchange x = {
		.what = "write register", .frame_len = bk_frame_write_reg(bk->tx, addr, value),
		.code = BK_CMD_WRITE_REG, .short_len = 12, .reply_len = 15, .op_ms = QUERY_MS, .tries = 2,
	};
	struct bk_reply r;
	int rc = bk_exchange(bk, &x, &r, false);

	if (rc != IOTFLASH_OK)
		return rc;
	return bk_decoded(bk, bk_decode_write_reg(&r, addr, value), &r, x.what);
}

/* CheckCRC over [start, end] as sent; crc holds the wire bytes. */
static int bk_check_crc(struct bk *bk, uint32_t start, uint32_t end, uint8_t crc[4])
{
	uint32_t len = end - start + 1;
	struct exchange x = {
		.what = "check CRC", .frame_len = bk_frame_check_crc(bk->tx, start, end),
		.code = BK_CMD_CHECK_CRC, .short_len = 8, .reply_len = 11,
		.op_ms = len / CRC_BYTES_PER_MS + CRC_BASE_MS,
	};
	struct bk_reply r;
	int rc;

	/* LEGACY bootloaders protect the flash after every CRC. */
	bk->locked = true;
	bk->linked_since_crc = false;
	rc = bk_exchange(bk, &x, &r, false);
	if (rc != IOTFLASH_OK)
		return rc;
	return bk_decoded(bk, bk_decode_check_crc(&r, crc), &r, x.what);
}

/* FlashRead4K at a wire address (mirror or direct). */
static int bk_read_sector(struct bk *bk, uint32_t wire_addr, uint8_t *out)
{
	char what[48];
	struct exchange x = {
		.what = what, .frame_len = bk_frame_read4k(bk->tx, wire_addr), .is_long = true,
		.code = BK_OP_READ4K, .reply_len = BK_READ4K_REPLY_LEN, .op_ms = QUERY_MS,
	};
	struct bk_reply r;
	const uint8_t *data;
	int rc;

	snprintf(what, sizeof what, "read 4K at 0x%06x", (unsigned)wire_addr);
	rc = bk_exchange(bk, &x, &r, false);
	if (rc != IOTFLASH_OK)
		return rc;
	rc = bk_decoded(bk, bk_decode_read4k(&r, wire_addr, &data), &r, what);
	if (rc == IOTFLASH_OK)
		memcpy(out, data, BK_SECTOR);
	return rc;
}

static int bk_read_sr(struct bk *bk, uint8_t opcode, uint8_t *value)
{
	struct exchange x = {
		.what = "read flash status register", .frame_len = bk_frame_read_sr(bk->tx, opcode),
		.is_long = true, .code = BK_OP_READ_SR, .reply_len = 13, .op_ms = QUERY_MS, .tries = 2,
	};
	struct bk_reply r;
	int rc = bk_exchange(bk, &x, &r, false);

	if (rc != IOTFLASH_OK)
		return rc;
	return bk_decoded(bk, bk_decode_read_sr(&r, opcode, value), &r, x.what);
}

static int bk_write_sr(struct bk *bk, uint32_t value, unsigned nbytes)
{
	struct exchange x = {
		.what = "write flash status register", .frame_len = bk_frame_write_sr(bk->tx, value, nbytes),
		.is_long = true, .code = BK_OP_WRITE_SR, .reply_len = 12 + nbytes, .op_ms = QUERY_MS,
	};
	struct bk_reply r;
	int rc = bk_exchange(bk, &x, &r, false);

	if (rc != IOTFLASH_OK)
		return rc;
	return bk_decoded(bk, bk_decode_write_sr(&r, value, nbytes), &r, x.what);
}

static int bk_get_mid(struct bk *bk, uint32_t *jedec)
{
	struct exchange x = {
		.what = "read flash JEDEC id", .frame_len = bk_frame_get_mid(bk->tx), .is_long = true,
		.code = BK_OP_GET_MID, .reply_len = 15, .op_ms = QUERY_MS, .tries = 2,
	};
	struct bk_reply r;
	int rc = bk_exchange(bk, &x, &r, false);

	if (rc != IOTFLASH_OK)
		return rc;
	return bk_decoded(bk, bk_decode_get_mid(&r, jedec), &r, x.what);
}

/* ---- flash protection (FULL, §5.1) ---- */

static const struct iotflash_flash_part *sr_part(struct bk *bk)
{
	return bk->flash ? bk->flash : &unknown_part;
}

static int bk_read_srs(struct bk *bk, const struct iotflash_flash_part *part, uint32_t *sr)
{
	*sr = 0;
	for (unsigned i = 0; i < part->sr_count && i < 3; i++) {
		uint8_t v;
		int rc = bk_read_sr(bk, part->sr_read_ops[i], &v);

		if (rc != IOTFLASH_OK)
			return rc;
		*sr |= (uint32_t)v << (8 * i);
	}
	return IOTFLASH_OK;
}

/* Bring the masked SR bits to target, re-reading after each write. */
static int bk_set_protection(struct bk *bk, uint32_t target, uint32_t *first_read)
{
	const struct iotflash_flash_part *part = sr_part(bk);

	for (unsigned t = 0; t < SR_TRIES; t++) {
		uint32_t sr, value;
		unsigned nbytes;
		int rc = bk_read_srs(bk, part, &sr);

		if (rc != IOTFLASH_OK)
			return rc;
		if (t == 0 && first_read)
			*first_read = sr;
		if (!bk_sr_change(sr, part->sr_count, part->sr_mask, target, &value, &nbytes))
			return IOTFLASH_OK;
		iotflash_log(bk->dev, IOTFLASH_LOG_INFO, "flash %s: status register 0x%04x -> 0x%04x",
		             part->name, (unsigned)sr, (unsigned)value);
		rc = bk_write_sr(bk, value, nbytes);
		if (rc != IOTFLASH_OK)
			return rc;
		bk->sr_changed = true;
		iotflash_sleep_ms(bk->dev, SR_SETTLE_MS);
	}
	return iotflash_fail(bk->dev, IOTFLASH_ERR_PROTECTED,
	                     "the flash (%s) keeps its write protection: status register bits 0x%x "
	                     "do not change", part->name, (unsigned)part->sr_mask);
}

/* Before the first erase or write of a FULL session. */
static int bk_unprotect(struct bk *bk)
{
	int rc;

	if (bk->proto != PROTO_FULL || bk->sr_checked)
		return IOTFLASH_OK;
	rc = bk_set_protection(bk, sr_part(bk)->sr_unprotect, &bk->sr_orig);
	if (rc == IOTFLASH_OK)
		bk->sr_checked = true;
	return rc;
}

/* ---- identification ---- */

/* CRC(0, end 0x100) as zlib CRC-32: the bootloader fingerprint (§6.1). */
static int bk_fingerprint(struct bk *bk, uint32_t *zcrc)
{
	uint8_t crc[4];
	int rc = bk_check_crc(bk, 0, FINGERPRINT_END, crc);

	if (rc == IOTFLASH_OK)
		*zcrc = bk_get_u32(crc) ^ 0xFFFFFFFFu;
	return rc;
}

static bool sum_equals(const uint8_t *data, size_t len, const uint8_t wire[4])
{
	uint8_t sum[IOTFLASH_SUM_MAX];

	iotflash_checksum_compute(IOTFLASH_SUM_CRC32_BEKEN, data, len, sum);
	return memcmp(sum, wire, 4) == 0;
}

/* Unknown bootloader: FULL CRCs end inclusive, LEGACY whole pages (§4). */
static int bk_guess_protocol(struct bk *bk, enum bk_proto *proto)
{
	uint8_t *sector = malloc(BK_SECTOR);
	uint8_t crc[4];
	int rc;

	if (!sector)
		return iotflash_fail(bk->dev, IOTFLASH_ERR_NOMEM, "out of memory");
	rc = bk_read_sector(bk, PROBE_ADDR, sector);
	if (rc == IOTFLASH_OK)
		rc = bk_check_crc(bk, PROBE_ADDR, PROBE_ADDR + BK_CRC_PAGE, crc);
	if (rc == IOTFLASH_OK) {
		if (sum_equals(sector, BK_CRC_PAGE + 1, crc))
			*proto = PROTO_FULL;
		else if (sum_equals(sector, BK_CRC_PAGE, crc))
			*proto = PROTO_LEGACY;
		else
			rc = iotflash_fail(bk->dev, IOTFLASH_ERR_PROTOCOL,
			                   "unknown bootloader: its CRC of 0x%x.. matches neither protocol",
			                   PROBE_ADDR);
	}
	free(sector);
	return rc;
}

static int bk_read_efuse_byte(struct bk *bk, unsigned i, uint8_t *out)
{
	uint32_t ctrl, optr;
	int rc = bk_read_reg(bk, BK_REG_EFUSE_CTRL, &ctrl);

	if (rc == IOTFLASH_OK)
		rc = bk_write_reg(bk, BK_REG_EFUSE_CTRL, bk_efuse_ctrl_start(ctrl, i));
	for (unsigned p = 0; rc == IOTFLASH_OK; p++) {
		rc = bk_read_reg(bk, BK_REG_EFUSE_CTRL, &ctrl);
		if (rc != IOTFLASH_OK || !(ctrl & 1))
			break;
		if (p == EFUSE_POLLS)
			return iotflash_fail(bk->dev, IOTFLASH_ERR_TIMEOUT, "eFuse read does not finish");
	}
	if (rc == IOTFLASH_OK)
		rc = bk_read_reg(bk, BK_REG_EFUSE_OPTR, &optr);
	if (rc != IOTFLASH_OK)
		return rc;
	if (!(optr & 0x100))
		return iotflash_fail(bk->dev, IOTFLASH_ERR_DEVICE, "eFuse byte %u is not valid", i);
	*out = (uint8_t)optr;
	return IOTFLASH_OK;
}

static int bk_read_efuse_key(struct bk *bk, char hex[33])
{
	uint8_t key[16];

	for (unsigned i = 0; i < sizeof key; i++) {
		int rc = bk_read_efuse_byte(bk, i, &key[i]);

		if (rc != IOTFLASH_OK)
			return rc;
	}
	bk_efuse_key_hex(key, hex);
	return IOTFLASH_OK;
}

/* Chips that share the chip id (BK7231N/M) differ in their eFuse key. */
static const struct iotflash_chip *pick_by_key(struct bk *bk, const struct iotflash_chip *const *cands,
                                               unsigned n, struct iotflash_chip_info *info)
{
	const struct iotflash_chip *keyless = NULL;
	char key[33];
	bool any_key = false;

	for (unsigned i = 0; i < n; i++) {
		any_key |= iotflash_chip_param_str(cands[i], "efuse_key") != NULL;
		if (cands[i] == iotflash_dev_chip(bk->dev) && n > 1 && !iotflash_chip_param_str(cands[i], "efuse_key"))
			return cands[i];  /* nothing tells them apart (BK7236/BK7258): --chip does */
	}
	if (!any_key)
		return cands[0];
	if (bk_read_efuse_key(bk, key) != IOTFLASH_OK) {
		iotflash_log(bk->dev, IOTFLASH_LOG_WARN, "cannot read the eFuse key; assuming %s",
		             cands[0]->name);
		return cands[0];
	}
	snprintf(info->extra, sizeof info->extra, "eFuse key %s", key);
	for (unsigned i = 0; i < n; i++) {
		const char *want = iotflash_chip_param_str(cands[i], "efuse_key");

		if (want && bk_hex_equal(want, key))
			return cands[i];
		if (!want && !keyless)
			keyless = cands[i];
	}
	iotflash_log(bk->dev, IOTFLASH_LOG_WARN, "eFuse key %s is not in the database; assuming %s",
	             key, (keyless ? keyless : cands[0])->name);
	return keyless ? keyless : cands[0];
}

static void default_id_regs(const struct iotflash_chip *chip, uint32_t regs[4], unsigned *n)
{
	const struct iotflash_param *p = chip ? iotflash_chip_param(chip, "chip_id_regs") : NULL;

	*n = 0;
	if (p && p->type == IOTFLASH_PARAM_INT_LIST)
		for (unsigned i = 0; i < p->n && *n < 4; i++)
			regs[(*n)++] = (uint32_t)p->ints[i];
	if (*n == 0) {
		regs[(*n)++] = 0x00800000u;
		regs[(*n)++] = 0x44010004u;
	}
}

static int bk_identify_chip_full(struct bk *bk, struct iotflash_chip_info *info,
                                 const struct iotflash_chip *fp_chip)
{
	const struct iotflash_chip *cands[MAX_CANDIDATES], *c;
	uint32_t regs[4], id = 0;
	unsigned nregs, n = 0;

	default_id_regs(fp_chip ? fp_chip : params_chip(bk), regs, &nregs);
	for (unsigned i = 0; i < nregs && id == 0; i++) {
		int rc = bk_read_reg(bk, regs[i], &id);

		if (rc != IOTFLASH_OK)
			return rc;
	}
	info->chip_id = id;
	for (unsigned i = 0; (c = family_chip(bk, i)) != NULL && n < MAX_CANDIDATES; i++)
		if (iotflash_chip_param_has(c, "chip_id", id))
			cands[n++] = c;
	if (n > 0) {
		info->chip = pick_by_key(bk, cands, n, info);
	} else if (id == 0 && fp_chip) {
		info->chip = fp_chip;
	} else {
		info->chip = NULL;
		snprintf(info->chip_name, sizeof info->chip_name, "BK72xx id 0x%x", (unsigned)id);
	}
	return IOTFLASH_OK;
}

static int bk_identify_flash(struct bk *bk, struct iotflash_chip_info *info)
{
	uint32_t jedec;
	unsigned cap;
	int rc = bk_get_mid(bk, &jedec);

	if (rc != IOTFLASH_OK)
		return rc;
	info->flash_id = jedec;
	info->flash = iotflash_db_flash(bk->dev, jedec);
	cap = (jedec >> 16) & 0xFF;
	if (info->flash)
		info->flash_size = info->flash->size;
	else if (cap >= 16 && cap <= 28)
		info->flash_size = 1u << cap;
	else if (info->chip && info->chip->flash_size)
		info->flash_size = info->chip->flash_size;
	else
		info->flash_size = 2u << 20;
	if (!info->flash)
		iotflash_log(bk->dev, IOTFLASH_LOG_WARN, "flash JEDEC id 0x%06x is not in the database; "
		             "assuming %u KiB", (unsigned)jedec, (unsigned)(info->flash_size >> 10));
	bk->flash = info->flash;
	return IOTFLASH_OK;
}

/* Tuya LEGACY bootloaders name themselves; others stay silent. */
static void bk_boot_version(struct bk *bk, struct iotflash_chip_info *info)
{
	struct exchange x = {
		.what = "read boot version", .frame_len = bk_frame_boot_version(bk->tx),
		.code = BK_CMD_BOOT_VERSION, .reply_len = 32, .op_ms = BOOT_VERSION_MS,
	};
	struct bk_reply r;
	char version[sizeof info->loader_version];

	if (bk_exchange(bk, &x, &r, true) != IOTFLASH_OK)
		return;
	if (bk_decode_boot_version(&r, version, sizeof version) == 0)
		memcpy(info->loader_version, version, sizeof version);
}

/* BK7252 comes with 2 or 4 MiB: the smallest size the flash wraps at (§6.2). */
static int bk_probe_size(struct bk *bk, uint32_t *size)
{
	uint8_t *base = malloc(2 * BK_SECTOR);
	int rc;

	if (!base)
		return iotflash_fail(bk->dev, IOTFLASH_ERR_NOMEM, "out of memory");
	rc = bk_read_sector(bk, PROBE_ADDR, base);
	for (uint32_t cand = 2u << 20; rc == IOTFLASH_OK && cand <= 16u << 20; cand <<= 1) {
		rc = bk_read_sector(bk, PROBE_ADDR + cand, base + BK_SECTOR);
		if (rc == IOTFLASH_OK && memcmp(base, base + BK_SECTOR, BK_SECTOR) == 0) {
			*size = cand;
			break;
		}
	}
	free(base);
	return rc;
}

static int bk_identify_legacy(struct bk *bk, struct iotflash_chip_info *info,
                              const struct iotflash_chip *fp_chip)
{
	const struct iotflash_chip *chip = fp_chip;

	bk_boot_version(bk, info);
	if (!chip && info->loader_version[0]) {
		const struct iotflash_chip *c;

		for (unsigned i = 0; (c = family_chip(bk, i)) != NULL && !chip; i++) {
			const struct iotflash_param *p = iotflash_chip_param(c, "boot_versions");

			for (unsigned j = 0; p && p->type == IOTFLASH_PARAM_STR_LIST && j < p->n; j++)
				if (strcmp(p->strs[j], info->loader_version) == 0)
					chip = c;
		}
	}
	/* Without a fingerprint the device says nothing about itself: keep the
	 * user's choice. */
	if (chip)
		info->chip = chip;
	else
		snprintf(info->chip_name, sizeof info->chip_name, "BK72xx (LEGACY bootloader)");
	info->flash_size = info->chip && info->chip->flash_size ? info->chip->flash_size : 2u << 20;
	if (info->chip && strstr(info->chip->name, "7252")) {
		uint32_t size = info->flash_size;
		int rc = bk_probe_size(bk, &size);

		if (rc != IOTFLASH_OK)
			return rc;
		info->flash_size = size;
	}
	return IOTFLASH_OK;
}

static int bk_detect_all(struct bk *bk, struct iotflash_chip_info *info)
{
	const struct iotflash_chip *fp_chip;
	uint32_t boot_crc;
	int rc = bk_fingerprint(bk, &boot_crc);

	if (rc != IOTFLASH_OK)
		return rc;
	fp_chip = chip_with(bk, "boot_crcs", boot_crc);
	bk->proto = proto_of(fp_chip);
	iotflash_log(bk->dev, IOTFLASH_LOG_DEBUG, "bootloader crc32 0x%08x: %s", (unsigned)boot_crc,
	             fp_chip ? fp_chip->name : "unknown");
	if (bk->proto == PROTO_UNKNOWN) {
		rc = bk_guess_protocol(bk, &bk->proto);
		if (rc != IOTFLASH_OK)
			return rc;
	}
	snprintf(info->loader_version, sizeof info->loader_version, "crc32 %08x", (unsigned)boot_crc);
	if (bk->proto == PROTO_FULL) {
		rc = bk_identify_chip_full(bk, info, fp_chip);
		if (rc == IOTFLASH_OK)
			rc = bk_identify_flash(bk, info);
	} else {
		/* The fingerprint CRC locked the flash (§5.3). */
		rc = bk_relink(bk);
		if (rc == IOTFLASH_OK)
			rc = bk_identify_legacy(bk, info, fp_chip);
	}
	if (rc != IOTFLASH_OK)
		return rc;
	bk->chip = info->chip ? info->chip : bk->chip;
	bk->flash_size = info->flash_size;
	bk->detected = true;
	iotflash_log(bk->dev, IOTFLASH_LOG_INFO, "%s protocol, %s, flash %u KiB",
	             bk->proto == PROTO_FULL ? "FULL" : "LEGACY",
	             info->chip ? info->chip->name : info->chip_name,
	             (unsigned)(info->flash_size >> 10));
	return IOTFLASH_OK;
}

/* Operations before detect() (a caller that skipped it) detect first. */
static int bk_ensure_detected(struct bk *bk)
{
	struct iotflash_chip_info info;

	if (bk->detected)
		return IOTFLASH_OK;
	memset(&info, 0, sizeof info);
	info.chip = bk->chip;
	return bk_detect_all(bk, &info);
}

/* ---- driver ops ---- */

static int op_detect(void *priv, struct iotflash_chip_info *info)
{
	return bk_detect_all(priv, info);
}

static int check_aligned(struct bk *bk, uint32_t addr, uint32_t len, uint32_t unit)
{
	if (addr % unit || len % unit)
		return iotflash_fail(bk->dev, IOTFLASH_ERR_ALIGN,
		                     "0x%x+0x%x is not aligned to 0x%x", (unsigned)addr, (unsigned)len,
		                     (unsigned)unit);
	return IOTFLASH_OK;
}

/* LEGACY bootloaders refuse direct reads low in flash: use the mirror (§3.6). */
static uint32_t mirror(struct bk *bk, uint32_t addr)
{
	return bk->proto == PROTO_LEGACY ? addr + bk->flash_size : addr;
}

static int op_read(void *priv, uint32_t addr, uint8_t *buf, uint32_t len)
{
	struct bk *bk = priv;
	int rc = check_aligned(bk, addr, len, BK_SECTOR);

	if (rc == IOTFLASH_OK)
		rc = bk_ensure_detected(bk);
	for (uint32_t off = 0; rc == IOTFLASH_OK && off < len; off += BK_SECTOR)
		rc = bk_read_sector(bk, mirror(bk, addr + off), buf + off);
	return rc;
}

static int refuse_legacy_loader(struct bk *bk, uint32_t addr, const char *what)
{
	if (bk->proto == PROTO_LEGACY && addr < LEGACY_LOADER_END)
		return iotflash_fail(bk->dev, IOTFLASH_ERR_PROTECTED,
		                     "%s at 0x%x: 0x0-0x%x holds this chip's only UART bootloader "
		                     "and is never touched", what, (unsigned)addr,
		                     LEGACY_LOADER_END - 1);
	return IOTFLASH_OK;
}

static int bk_erase_unit(struct bk *bk, uint32_t addr, uint32_t len)
{
	uint8_t code = len == 4096 ? BK_ERASE_4K : BK_ERASE_64K;
	char what[48];
	struct exchange x = {
		.what = what, .frame_len = bk_frame_erase(bk->tx, code, addr), .is_long = true,
		.code = BK_OP_ERASE, .reply_len = 16, .op_ms = len == 4096 ? ERASE4K_MS : ERASE64K_MS,
	};
	struct bk_reply r;
	int rc;

	/* After a CRC, a LEGACY erase only unprotects once a link check armed it. */
	if (bk->proto == PROTO_LEGACY && bk->locked && !bk->linked_since_crc) {
		rc = bk_relink(bk);
		if (rc != IOTFLASH_OK)
			return rc;
		x.frame_len = bk_frame_erase(bk->tx, code, addr);
	}
	snprintf(what, sizeof what, "erase %uK at 0x%06x", (unsigned)(len >> 10), (unsigned)addr);
	rc = bk_exchange(bk, &x, &r, false);
	if (rc != IOTFLASH_OK)
		return rc;
	rc = bk_decoded(bk, bk_decode_erase(&r, code, addr), &r, what);
	if (rc == IOTFLASH_OK)
		bk->locked = false;
	return rc;
}

static int op_erase(void *priv, uint32_t addr, uint32_t len)
{
	struct bk *bk = priv;
	int rc;

	if (len != 4096 && len != 65536)
		return iotflash_fail(bk->dev, IOTFLASH_ERR_ARG, "cannot erase 0x%x bytes at once",
		                     (unsigned)len);
	rc = check_aligned(bk, addr, len, len);
	if (rc == IOTFLASH_OK)
		rc = bk_ensure_detected(bk);
	if (rc == IOTFLASH_OK)
		rc = refuse_legacy_loader(bk, addr, "erase");
	if (rc == IOTFLASH_OK)
		rc = bk_unprotect(bk);
	if (rc == IOTFLASH_OK)
		rc = bk_erase_unit(bk, addr, len);
	return rc;
}

static int bk_write_sector(struct bk *bk, uint32_t addr, const uint8_t *data)
{
	char what[48];
	struct exchange x = {
		.what = what, .frame_len = bk_frame_write4k(bk->tx, addr, data), .is_long = true,
		.code = BK_OP_WRITE4K, .reply_len = 15, .op_ms = WRITE4K_MS,
	};
	struct bk_reply r;
	int rc;

	snprintf(what, sizeof what, "write 4K at 0x%06x", (unsigned)addr);
	rc = bk_exchange(bk, &x, &r, false);
	if (rc != IOTFLASH_OK)
		return rc;
	return bk_decoded(bk, bk_decode_write4k(&r, addr), &r, what);
}

static int op_write(void *priv, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	struct bk *bk = priv;
	int rc = check_aligned(bk, addr, len, BK_SECTOR);

	if (rc == IOTFLASH_OK)
		rc = bk_ensure_detected(bk);
	if (rc == IOTFLASH_OK)
		rc = refuse_legacy_loader(bk, addr, "write");
	if (rc == IOTFLASH_OK)
		rc = bk_unprotect(bk);
	/* A LEGACY flash locked by a CRC is only unlocked by an erase; the
	 * range is erased already, so erasing its first sector again is safe. */
	if (rc == IOTFLASH_OK && bk->proto == PROTO_LEGACY && bk->locked && len)
		rc = bk_erase_unit(bk, addr, BK_SECTOR);
	for (uint32_t off = 0; rc == IOTFLASH_OK && off < len; off += BK_SECTOR) {
		if (iotflash_dev_cancelled(bk->dev))
			return iotflash_fail(bk->dev, IOTFLASH_ERR_CANCELLED, "cancelled");
		rc = bk_write_sector(bk, addr + off, buf + off);
	}
	return rc;
}

static int op_verify(void *priv, uint32_t addr, uint32_t len, uint8_t sum[IOTFLASH_SUM_MAX])
{
	struct bk *bk = priv;
	uint32_t end;
	int rc;

	if (!bk_crc_range(addr, len, &end))
		return iotflash_fail(bk->dev, IOTFLASH_ERR_ALIGN,
		                     "CRC range 0x%x+0x%x is not made of whole 256-byte pages",
		                     (unsigned)addr, (unsigned)len);
	rc = bk_ensure_detected(bk);
	if (rc != IOTFLASH_OK)
		return rc;
	/* The chip sends LE(~zlib crc32), the core's IOTFLASH_SUM_CRC32_BEKEN form. */
	return bk_check_crc(bk, mirror(bk, addr), mirror(bk, addr) + (end - addr), sum);
}

static uint32_t param_or(struct bk *bk, const char *key, uint32_t fallback)
{
	int64_t v;

	if (iotflash_chip_param_int(params_chip(bk), key, &v) && v > 0 && v <= UINT32_MAX)
		return (uint32_t)v;
	return fallback;
}

static int op_open(struct iotflash_dev *dev, void **priv)
{
	struct bk *bk = calloc(1, sizeof *bk);
	uint32_t rates[2], target;
	unsigned n;
	int rc;

	if (!bk)
		return iotflash_fail(dev, IOTFLASH_ERR_NOMEM, "out of memory");
	bk->dev = dev;
	bk->family = iotflash_dev_family(dev) ? iotflash_dev_family(dev) : FAMILY;
	bk->chip = iotflash_dev_chip(dev);
	bk->proto = proto_of(bk->chip);
	bk->link_baud = params_chip(bk) && params_chip(bk)->link_baud ? params_chip(bk)->link_baud
	                                                                : 115200;
	bk->link_timeout_ms = param_or(bk, "link_timeout_ms", LINK_TIMEOUT_MS);
	bk->flash_size = params_chip(bk) && params_chip(bk)->flash_size ? params_chip(bk)->flash_size
	                                                                  : 2u << 20;
	target = iotflash_dev_target_baud(dev) ? iotflash_dev_target_baud(dev) : bk->link_baud;
	/* A run that ended without a reset may have left the chip at target (§10.5). */
	n = add_rate(rates, 0, bk->link_baud);
	n = add_rate(rates, n, target);
	rc = bk_get_bus(bk, rates, n);
	if (rc == IOTFLASH_OK)
		rc = bk_switch_baud(bk, target);
	if (rc != IOTFLASH_OK) {
		free(bk);
		return rc;
	}
	*priv = bk;
	return IOTFLASH_OK;
}

static void op_close(void *priv)
{
	struct bk *bk = priv;
	size_t len;

	if (!bk)
		return;
	if (bk->sr_changed && bk_set_protection(bk, bk->sr_orig & sr_part(bk)->sr_mask, NULL)
	                      != IOTFLASH_OK)
		iotflash_log(bk->dev, IOTFLASH_LOG_WARN, "could not restore the flash write protection");
	/* No reply: the chip resets and boots its firmware. */
	len = bk_frame_reboot(bk->tx);
	for (int i = 0; i < 3; i++) {
		if (i)
			iotflash_sleep_ms(bk->dev, 10);
		if (bk_send(bk, bk->tx, len) != IOTFLASH_OK)
			break;
	}
	iotflash_io_drain(bk->dev);
	free(bk);
}

const struct iotflash_driver bk72xx_driver = {
	.name = "bk72xx",
	.description = "Beken BK72xx UART download protocol (BootROM and Tuya/Beken bootloaders)",
	.open = op_open,
	.close = op_close,
	.detect = op_detect,
	.read = op_read,
	.write = op_write,
	.erase = op_erase,
	.verify = op_verify,
};
