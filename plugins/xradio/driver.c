/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* XRadio XR809 / XR872 / XR806 chip driver: the BROM command server over
 * UART0, and the XR809 RAM stub for boot ROMs older than version 2
 * (docs/protocols/xradio.md, cited as §N).  Policy (retries of whole
 * blocks, verification by reading back, skipping, protected regions,
 * stepping the rate down) is the core's; this file only moves bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <iotflash/plugin.h>

#include "protocol.h"

#define FAMILY "xradio"

#define UPGRADE_WAIT_MS  150    /* firmware answers `upgrade` and reboots (GUI: 120 ms, §1.2) */
#define SYNC_TRY_MS      100    /* one 0x55 and the wait for `OK` */
#define SYNC_NOTICE_MS   3000
#define SYNC_TIMEOUT_MS  20000
#define RESYNC_MS        1500   /* after a baud change or the stub start (§4) */
#define HEADER_MS        100    /* a reply header beyond its wire time (reads, ids, acks) */
#define GAP_MS           30     /* silence inside a reply: a byte was lost */
#define STUB_ACK_MS      300    /* 0x09 data-phase ack: a RAM copy */
#define STUB_CHUNK       1024   /* stub upload per 0x09, as XRadio's XR829 loaders (§7.3) */
#define STUB_TRIES       4      /* re-sends of one 0x09 chunk */
#define ERASE_4K_MS      1500   /* the stub's busy-wait limits (§5.5), with slack */
#define ERASE_64K_MS     11000
#define PROGRAM_MS       2000   /* per 0x1B chunk beyond its wire time */
#define RECOVER_TRIES    24

struct xr {
	struct iotflash_dev *dev;
	const struct iotflash_chip *chip;   /* the user's, or NULL for the family */
	uint32_t link_baud;
	uint8_t rom_version;
	int chip_type;                      /* 0x17 answer, -1 if none */
	bool stub;
	uint8_t flash[4];                   /* 0x18 payload */
	unsigned read_sectors, write_sectors;
	uint8_t frame[XR_REQ_MAX];
	uint8_t *rx;
	size_t rx_cap;
};

/* ---- chip database ---- */

static const struct iotflash_chip *any_chip(struct xr *x)
{
	return x->chip ? x->chip : iotflash_db_family_chip(x->dev, FAMILY, 0);
}

static int64_t param(struct xr *x, const char *key, int64_t dflt)
{
	const struct iotflash_chip *c = any_chip(x);
	return c ? iotflash_chip_param_int_or(c, key, dflt) : dflt;
}

/* ---- bytes ---- */

static int send(struct xr *x, const void *buf, size_t len)
{
	int rc = iotflash_io_write(x->dev, buf, len);
	return rc < 0 ? iotflash_fail(x->dev, rc, "cannot write to the port") : IOTFLASH_OK;
}

/* Up to len bytes within ms (the port waits for all of them); the count. */
static int recv(struct xr *x, uint8_t *buf, size_t len, unsigned ms)
{
	int n = len ? iotflash_io_read(x->dev, buf, len, ms) : 0;
	if (n < 0)
		return iotflash_fail(x->dev, n, n == IOTFLASH_ERR_CANCELLED ? "cancelled" : "cannot read from the port");
	return n;
}

/* ---- sync (§4) ---- */

/* One 0x55, then `OK` within ms.  OK, TIMEOUT, or an I/O error. */
static int sync_once(struct xr *x, unsigned ms)
{
	static const uint8_t s = XR_SYNC;
	uint64_t deadline;
	uint8_t prev = 0, b;
	int rc;

	if ((rc = send(x, &s, 1)) != IOTFLASH_OK)
		return rc;
	deadline = iotflash_now_ms() + ms + iotflash_io_wire_ms(x->dev, 3);
	for (;;) {
		uint64_t now = iotflash_now_ms();
		int n;
		if (now >= deadline)
			return IOTFLASH_ERR_TIMEOUT;
		n = iotflash_io_read(x->dev, &b, 1, (unsigned)(deadline - now));
		if (n < 0)
			return iotflash_fail(x->dev, n, "cannot read from the port");
		if (n == 1) {
			if (prev == 'O' && b == 'K')
				return IOTFLASH_OK;
			prev = b;
		}
	}
}

/* 0x55 until `OK`; the first 0x55 after a start or a rate change only sets
 * the chip's rate and gets no answer, so every host retries (§4). */
static int sync_for(struct xr *x, unsigned total_ms)
{
	uint64_t end = iotflash_now_ms() + total_ms;
	int rc;

	do {
		rc = sync_once(x, SYNC_TRY_MS);
		if (rc != IOTFLASH_ERR_TIMEOUT)
			return rc;
		if (iotflash_dev_cancelled(x->dev))
			return iotflash_fail(x->dev, IOTFLASH_ERR_CANCELLED, "cancelled");
	} while (iotflash_now_ms() < end);
	return IOTFLASH_ERR_TIMEOUT;
}

/* Bring a chip stuck inside a frame (a lost byte leaves it waiting for the
 * rest, §2.3) back to its command loop: 0x55 fills the frame, which then
 * fails its checksum, and the next 0x55 gets `OK`. */
static int recover(struct xr *x)
{
	uint8_t fill[1024];
	int rc = IOTFLASH_ERR_TIMEOUT;

	memset(fill, XR_SYNC, sizeof fill);
	/* A few bytes fill a frame short of a byte; 1 KiB bursts then cover
	 * the longest wait, a 0x4000-byte payload, within RECOVER_TRIES. */
	for (int i = 0; i < RECOVER_TRIES && rc == IOTFLASH_ERR_TIMEOUT; i++) {
		size_t n = i == 0 ? 0 : i < 4 ? 16 : sizeof fill;
		iotflash_io_flush_input(x->dev);
		if (n && (rc = send(x, fill, n)) != IOTFLASH_OK)
			return rc;
		/* each 0x55 past the frame is answered `OK`: let them pass */
		iotflash_sleep_ms(x->dev, 5 + iotflash_io_wire_ms(x->dev, 3 * n));
		iotflash_io_flush_input(x->dev);
		rc = sync_once(x, 50);
	}
	iotflash_io_flush_input(x->dev);
	return rc;
}

/* ---- frames (§2, §3) ---- */

/* Read one reply: hunt for `BROM` (stray `OK`s may lead it), check ACK and
 * the checksum when the chip sends one.  Returns the payload length, or
 * IOTFLASH_ERR_DEVICE with *code set for an error reply. */
static int read_reply(struct xr *x, uint8_t *payload, size_t max, unsigned first_ms, uint8_t *code)
{
	uint8_t hdr[XR_HEADER_LEN];
	struct xr_header h;
	size_t have = 0;
	int n;

	while (have < 4) {  /* the magic, byte by byte */
		if ((n = recv(x, hdr + have, 1, have ? GAP_MS : first_ms)) < 0)
			return n;
		if (n == 0)
			return IOTFLASH_ERR_TIMEOUT;
		have = hdr[have] == (uint8_t)"BROM"[have] ? have + 1 : hdr[have] == 'B';
		if (have == 1)
			hdr[0] = 'B';
	}
	if ((n = recv(x, hdr + 4, XR_HEADER_LEN - 4, GAP_MS)) < 0)
		return n;
	if (n < XR_HEADER_LEN - 4 || !xr_decode_header(hdr, &h))
		return IOTFLASH_ERR_TIMEOUT;
	if (!(h.flags & XR_FLAG_ACK))
		return IOTFLASH_ERR_PROTOCOL;
	if (h.flags & XR_FLAG_ERROR) {
		uint8_t c;
		if ((n = recv(x, &c, 1, GAP_MS)) < 0)
			return n;
		if (n < 1 || !xr_reply_ok(hdr, &c, 1))
			return IOTFLASH_ERR_CHECKSUM;
		*code = c;
		return IOTFLASH_ERR_DEVICE;
	}
	if (h.len > max)
		return IOTFLASH_ERR_PROTOCOL;
	if ((n = recv(x, payload, h.len, GAP_MS + iotflash_io_wire_ms(x->dev, h.len))) < 0)
		return n;
	if ((uint32_t)n < h.len)
		return IOTFLASH_ERR_TIMEOUT;
	if (!xr_reply_ok(hdr, payload, h.len))
		return IOTFLASH_ERR_CHECKSUM;
	x->rom_version = x->stub ? x->rom_version : (uint8_t)(h.b5 & 0x0F);
	return (int)h.len;
}

/* Describe a failed exchange; on link trouble put the chip back in its
 * command loop first, so the core's retry starts clean. */
static int exchange_failed(struct xr *x, int rc, uint8_t code, const char *what)
{
	if (rc == IOTFLASH_ERR_DEVICE) {
		const char *t = xr_error_text(code);
		if (code == XR_ERR_CHECKSUM)  /* our bytes arrived damaged */
			return iotflash_fail(x->dev, IOTFLASH_ERR_CHECKSUM, "%s: the chip saw a checksum error", what);
		return iotflash_fail(x->dev, IOTFLASH_ERR_DEVICE, "%s: the chip answered error %u (%s)", what, code,
		                     t ? t : "unknown");
	}
	if (rc == IOTFLASH_ERR_CANCELLED || rc == IOTFLASH_ERR_PORT)
		return rc;
	recover(x);
	switch (rc) {
	case IOTFLASH_ERR_TIMEOUT:
		return iotflash_fail(x->dev, rc, "%s: no complete reply", what);
	case IOTFLASH_ERR_CHECKSUM:
		return iotflash_fail(x->dev, rc, "%s: reply failed its checksum", what);
	default:
		return iotflash_fail(x->dev, rc, "%s: malformed reply", what);
	}
}

/* Send a request, read its reply payload (up to max); the payload length. */
static int exchange(struct xr *x, size_t n, uint8_t *payload, size_t max, unsigned first_ms, const char *what)
{
	uint8_t code = 0;
	int rc;

	iotflash_io_flush_input(x->dev);
	if ((rc = send(x, x->frame, n)) != IOTFLASH_OK)
		return rc;
	rc = read_reply(x, payload, max, first_ms + iotflash_io_wire_ms(x->dev, n + XR_HEADER_LEN), &code);
	return rc >= 0 ? rc : exchange_failed(x, rc, code, what);
}

static int expect_ack(struct xr *x, size_t n, unsigned ms, const char *what)
{
	int rc = exchange(x, n, NULL, 0, ms, what);
	return rc < 0 ? rc : IOTFLASH_OK;
}

/* The second ack of a two-phase write, after the raw data went out. */
static int data_phase(struct xr *x, const uint8_t *data, size_t len, unsigned ms, const char *what)
{
	uint8_t code = 0;
	int rc;

	if ((rc = send(x, data, len)) != IOTFLASH_OK)
		return rc;
	rc = read_reply(x, NULL, 0, ms + iotflash_io_wire_ms(x->dev, len + XR_HEADER_LEN), &code);
	return rc >= 0 ? IOTFLASH_OK : exchange_failed(x, rc, code, what);
}

/* ---- session ---- */

/* SDK firmware takes `upgrade` into download mode (§1.2); in download mode
 * the bytes fall before the first 0x55 and are dropped (§4). */
static void send_upgrade(struct xr *x)
{
	uint8_t ans[32];
	int n;

	if (send(x, xr_upgrade_cmd, sizeof xr_upgrade_cmd) != IOTFLASH_OK)
		return;
	n = recv(x, ans, sizeof ans - 1, UPGRADE_WAIT_MS);
	if (n > 0) {
		ans[n] = '\0';
		if (strstr((const char *)ans, "<ACK> 200 OK"))
			iotflash_log(x->dev, IOTFLASH_LOG_INFO, "the firmware took `upgrade`: rebooting into download mode");
	}
	iotflash_sleep_ms(x->dev, 30);
	iotflash_io_flush_input(x->dev);
}

/* Find the chip: 0x55 at the power-on rate, now and then at the session's
 * rate too (a chip waiting for auto-baud takes either; one left at the
 * higher rate answers only there). */
static int find_chip(struct xr *x)
{
	uint32_t target = iotflash_dev_target_baud(x->dev);
	uint64_t start = iotflash_now_ms();
	bool told = false;

	for (unsigned i = 0;; i++) {
		uint32_t rate = (i % 8 == 7 && target && target != x->link_baud) ? target : x->link_baud;
		int rc;
		if (iotflash_io_baud(x->dev) != rate && (rc = iotflash_io_set_baud(x->dev, rate)) != IOTFLASH_OK)
			return iotflash_fail(x->dev, rc, "the port refuses %u baud", (unsigned)rate);
		rc = sync_once(x, SYNC_TRY_MS);
		if (rc != IOTFLASH_ERR_TIMEOUT)
			return rc;
		if (iotflash_dev_cancelled(x->dev))
			return iotflash_fail(x->dev, IOTFLASH_ERR_CANCELLED, "cancelled");
		if (!told && iotflash_now_ms() - start > SYNC_NOTICE_MS) {
			iotflash_notice(x->dev, "waiting for the XRadio boot ROM: hold PB02 (XR809/XR872: PB02 and PB03) "
			                "low and reset or power-cycle the chip");
			told = true;
		}
		if (iotflash_now_ms() - start > SYNC_TIMEOUT_MS)
			return iotflash_fail(x->dev, IOTFLASH_ERR_NO_LINK,
			                     "no `OK` from the chip in %u s: hold PB02 (XR809/XR872: PB02 and PB03) low while "
			                     "it comes out of reset, and check that TX and RX are crossed", SYNC_TIMEOUT_MS / 1000);
	}
}

static int flash_id(struct xr *x)
{
	int rc = exchange(x, xr_enc_simple(x->frame, XR_OP_FLASH_ID), x->flash, sizeof x->flash, HEADER_MS,
	                  "flash id (0x18)");
	if (rc < 0)
		return rc;
	return rc == 4 ? IOTFLASH_OK : iotflash_fail(x->dev, IOTFLASH_ERR_PROTOCOL, "flash id (0x18): %d bytes, not 4", rc);
}

/* 0x17 on ROMs >= v2 (logged by the GUI, §5); values are [unknown]. */
static void chip_type(struct xr *x)
{
	uint8_t t;
	uint8_t code = 0;
	int rc;

	x->chip_type = -1;
	iotflash_io_flush_input(x->dev);
	if (send(x, x->frame, xr_enc_simple(x->frame, XR_OP_CHIPTYPE)) != IOTFLASH_OK)
		return;
	rc = read_reply(x, &t, 1, HEADER_MS, &code);
	if (rc == 1)
		x->chip_type = t;
	else if (rc != IOTFLASH_ERR_DEVICE)
		recover(x);
}

static const struct iotflash_chip *stub_chip(struct xr *x)
{
	const struct iotflash_chip *c;
	if (x->chip && x->chip->n_loaders)
		return x->chip;
	for (unsigned i = 0; (c = iotflash_db_family_chip(x->dev, FAMILY, i)) != NULL; i++)
		if (c->n_loaders && iotflash_chip_param_int_or(c, "brom_version", 0) == x->rom_version)
			return c;
	return NULL;
}

/* One 0x09: ack, raw data, ack (§5.8); a damaged chunk is sent again. */
static int upload_chunk(struct xr *x, uint32_t addr, const uint8_t *p, size_t n)
{
	int rc = IOTFLASH_OK;

	for (int i = 0; i < STUB_TRIES; i++) {
		rc = expect_ack(x, xr_enc_seqwr(x->frame, addr, (uint32_t)n, xr_dcs(p, n)), HEADER_MS, "stub upload (0x09)");
		if (rc == IOTFLASH_OK && (rc = data_phase(x, p, n, STUB_ACK_MS, "stub upload (0x09 data)")) == IOTFLASH_OK)
			return rc;
		if (rc != IOTFLASH_ERR_TIMEOUT && rc != IOTFLASH_ERR_CHECKSUM && rc != IOTFLASH_ERR_PROTOCOL)
			return rc;
	}
	return rc;
}

/* ROM v1: upload the stub to RAM, jump to it, sync with it (§6, §7.2). */
static int start_stub(struct xr *x)
{
	const struct iotflash_chip *c = stub_chip(x);
	uint32_t load = (uint32_t)param(x, "stub_load", 0x10000), entry = (uint32_t)param(x, "stub_entry", 0x10101);
	const uint8_t *data;
	size_t len;
	int rc;

	if (!c)
		return iotflash_fail(x->dev, IOTFLASH_ERR_UNKNOWN_CHIP,
		                     "boot ROM v%u needs the RAM stub, and no chip of the database has one", x->rom_version);
	if ((rc = iotflash_dev_chip_loader(x->dev, c, &data, &len)) != IOTFLASH_OK)
		return rc;
	if (len > XR_PAYLOAD_MAX * 4)
		return iotflash_fail(x->dev, IOTFLASH_ERR_ARG, "the stub file is %zu bytes: not an XR809 stub", len);
	for (size_t off = 0; off < len; off += STUB_CHUNK)
		if ((rc = upload_chunk(x, load + (uint32_t)off, data + off, len - off < STUB_CHUNK ? len - off : STUB_CHUNK))
		    != IOTFLASH_OK)
			return rc == IOTFLASH_ERR_DEVICE ? IOTFLASH_ERR_NO_LINK : rc;
	if ((rc = expect_ack(x, xr_enc_setpc(x->frame, entry), HEADER_MS, "stub start (0x13)")) != IOTFLASH_OK)
		return rc;
	x->stub = true;
	if (sync_for(x, RESYNC_MS) != IOTFLASH_OK)
		return iotflash_fail(x->dev, IOTFLASH_ERR_NO_LINK,
		                     "the RAM stub did not answer after the jump to 0x%x: is %s the XR809 stub?",
		                     (unsigned)entry, c->loader_file ? c->loader_file : "the loader");
	iotflash_log(x->dev, IOTFLASH_LOG_INFO, "XR809 RAM stub running");
	return flash_id(x);
}

/* 0x10: ack at the old rate, then both switch and the chip auto-bauds on
 * our next 0x55 (§5.3).  A rate the chip refuses: error 4, rate kept. */
static int set_rate(struct xr *x, uint32_t to, bool prove)
{
	uint32_t from = iotflash_io_baud(x->dev);
	int rc;

	if (to == from)
		return IOTFLASH_OK;
	rc = expect_ack(x, xr_enc_baud(x->frame, to), HEADER_MS, "baud change (0x10)");
	if (rc == IOTFLASH_ERR_DEVICE)
		return iotflash_fail(x->dev, IOTFLASH_ERR_BAUD, "the chip does not take %u baud", (unsigned)to);
	if (rc != IOTFLASH_OK)
		return rc;
	iotflash_io_drain(x->dev);
	if ((rc = iotflash_io_set_baud(x->dev, to)) != IOTFLASH_OK)
		return iotflash_fail(x->dev, rc, "the port refuses %u baud", (unsigned)to);
	if (!prove || sync_for(x, RESYNC_MS) == IOTFLASH_OK)
		return IOTFLASH_OK;
	/* The chip waits for its auto-baud 0x55: give it the old rate back. */
	if (iotflash_io_set_baud(x->dev, from) == IOTFLASH_OK && sync_for(x, RESYNC_MS) == IOTFLASH_OK)
		return iotflash_fail(x->dev, IOTFLASH_ERR_BAUD, "no `OK` at %u baud", (unsigned)to);
	return iotflash_fail(x->dev, IOTFLASH_ERR_NO_LINK, "lost the chip after switching to %u baud", (unsigned)to);
}

/* A ROM older than the stub threshold is an XR809 v1 whatever --chip
 * says, and a newer one never needs the stub: refuse the other chip's
 * flow before uploading anything. */
static int same_generation(struct xr *x)
{
	int64_t want, below;

	if (!x->chip)
		return IOTFLASH_OK;
	want = iotflash_chip_param_int_or(x->chip, "brom_version", -1);
	below = iotflash_chip_param_int_or(x->chip, "stub_below_version", 2);
	if (want < 0 || (want < below) == (x->rom_version < below))
		return IOTFLASH_OK;
	return iotflash_fail(x->dev, IOTFLASH_ERR_MISMATCH,
	                     "the chip reports boot ROM v%u, not %s's v%d: name the chip it is (-c xradio detects it)",
	                     x->rom_version, x->chip->name, (int)want);
}

static int xr_open(struct iotflash_dev *dev, void **priv)
{
	struct xr *x = calloc(1, sizeof(*x));
	const struct iotflash_chip *c;
	uint32_t target;
	int rc;

	if (!x)
		return iotflash_fail(dev, IOTFLASH_ERR_NOMEM, "out of memory");
	x->dev = dev;
	x->chip = iotflash_dev_chip(dev);
	c = any_chip(x);
	x->link_baud = c && c->link_baud ? c->link_baud : 115200;
	x->read_sectors = (unsigned)param(x, "read_sectors", 8);
	x->write_sectors = (unsigned)param(x, "write_sectors", 32);
	if (x->read_sectors == 0 || x->write_sectors == 0 || x->write_sectors * XR_SECTOR > XR_PAYLOAD_MAX * 2) {
		rc = iotflash_fail(dev, IOTFLASH_ERR_CHIPDB, "read_sectors / write_sectors out of range");
		goto fail;
	}
	x->rx_cap = (size_t)x->read_sectors * XR_SECTOR;
	if (!(x->rx = malloc(x->rx_cap))) {
		rc = iotflash_fail(dev, IOTFLASH_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if ((rc = iotflash_io_set_baud(dev, x->link_baud)) != IOTFLASH_OK) {
		rc = iotflash_fail(dev, rc, "the port refuses %u baud", (unsigned)x->link_baud);
		goto fail;
	}
	send_upgrade(x);
	if ((rc = find_chip(x)) != IOTFLASH_OK || (rc = flash_id(x)) != IOTFLASH_OK)
		goto fail;
	iotflash_dev_answered(dev);
	if ((rc = same_generation(x)) != IOTFLASH_OK)
		goto fail;
	x->chip_type = -1;
	if (x->rom_version >= 2)
		chip_type(x);
	if (x->rom_version < (uint8_t)param(x, "stub_below_version", 2) && (rc = start_stub(x)) != IOTFLASH_OK)
		goto fail;
	/* Checksummed replies where the chip has them (§5 0x14): a damaged
	 * reply is then caught at once, not only by the core's second read. */
	if (exchange(x, xr_enc_setckcs(x->frame, 1), NULL, 0, HEADER_MS, "checksummed replies (0x14)") < 0)
		iotflash_log(dev, IOTFLASH_LOG_DEBUG, "no checksummed replies: the core's read-back proof alone");
	target = iotflash_dev_target_baud(dev);
	if (target && (rc = set_rate(x, target, true)) != IOTFLASH_OK)
		goto fail;
	*priv = x;
	return IOTFLASH_OK;
fail:
	free(x->rx);
	free(x);
	return rc;
}

/* Back to 115200 as both tools finish (§5.3 step 5): the chip then waits
 * for the next session's auto-baud 0x55. */
static void xr_close(void *priv)
{
	struct xr *x = priv;

	if (iotflash_io_baud(x->dev) != x->link_baud && set_rate(x, x->link_baud, false) != IOTFLASH_OK)
		iotflash_io_set_baud(x->dev, x->link_baud);
	free(x->rx);
	free(x);
}

/* ---- detect ---- */

/* The database chip this ROM answers like: version and 0x17 value, then
 * version alone (unique, or with the flash size), since the 0x17 values
 * are [unknown]. */
static const struct iotflash_chip *match_chip(struct xr *x, uint32_t size, bool *sure)
{
	const struct iotflash_chip *c, *by_version = NULL, *by_size = NULL;
	unsigned n_version = 0;

	*sure = false;
	for (unsigned i = 0; (c = iotflash_db_family_chip(x->dev, FAMILY, i)) != NULL; i++) {
		if (iotflash_chip_param_int_or(c, "brom_version", -1) != x->rom_version)
			continue;
		if (x->chip_type >= 0 && iotflash_chip_param_int_or(c, "chip_type", -1) == x->chip_type) {
			*sure = true;
			return c;
		}
		n_version++;
		if (!by_version)
			by_version = c;
		if (!by_size && c->flash_size == size)
			by_size = c;
	}
	*sure = n_version == 1;
	return by_size ? by_size : by_version;
}

static int xr_detect(void *priv, struct iotflash_chip_info *info)
{
	struct xr *x = priv;
	const struct iotflash_chip *found;
	bool sure;

	info->flash_id = xr_flash_jedec(x->flash);
	info->flash_size = xr_flash_bytes(x->flash[2]);
	info->flash = iotflash_db_flash(x->dev, info->flash_id);
	found = match_chip(x, info->flash_size, &sure);
	if (!x->chip) {
		if (!found)
			return iotflash_fail(x->dev, IOTFLASH_ERR_UNKNOWN_CHIP,
			                     "boot ROM v%u (0x17: %d) is no XRadio chip of the database", x->rom_version,
			                     x->chip_type);
		x->chip = found;
		info->chip = found;
	} else if (sure && found != x->chip) {
		info->chip = found;  /* the core reports the mismatch */
	}
	if (!info->flash_size && info->chip)
		info->flash_size = info->chip->flash_size;
	snprintf(info->loader_version, sizeof info->loader_version, "BROM v%u%s", x->rom_version,
	         x->stub ? " + RAM stub" : "");
	info->chip_id = x->chip_type >= 0 ? (uint32_t)x->chip_type : 0;
	if (x->chip_type >= 0)
		snprintf(info->extra, sizeof info->extra, "chip type (0x17) 0x%02x", (unsigned)x->chip_type);
	return IOTFLASH_OK;
}

/* ---- read, write, erase ---- */

static int xr_read(void *priv, uint32_t addr, uint8_t *buf, uint32_t len)
{
	struct xr *x = priv;
	uint32_t chunk = x->read_sectors * XR_SECTOR;

	for (uint32_t off = 0; off < len; off += chunk) {
		uint32_t n = len - off < chunk ? len - off : chunk;
		char what[48];
		int rc;
		snprintf(what, sizeof what, "read 0x%06x (0x1A)", (unsigned)(addr + off));
		rc = exchange(x, xr_enc_flash_read(x->frame, (addr + off) / XR_SECTOR, n / XR_SECTOR), x->rx, x->rx_cap,
		              HEADER_MS, what);
		if (rc < 0)
			return rc;
		if ((uint32_t)rc != n)
			return iotflash_fail(x->dev, IOTFLASH_ERR_PROTOCOL, "%s: %d bytes, not %u", what, rc, (unsigned)n);
		memcpy(buf + off, x->rx, n);
	}
	return IOTFLASH_OK;
}

/* 0x1B: ack, the raw sectors, ack once programmed (§5.7). */
static int xr_write(void *priv, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	struct xr *x = priv;
	uint32_t chunk = x->write_sectors * XR_SECTOR;

	for (uint32_t off = 0; off < len; off += chunk) {
		uint32_t n = len - off < chunk ? len - off : chunk;
		char what[48];
		int rc;
		snprintf(what, sizeof what, "write 0x%06x (0x1B)", (unsigned)(addr + off));
		rc = expect_ack(x, xr_enc_flash_write(x->frame, (addr + off) / XR_SECTOR, n / XR_SECTOR,
		                                      xr_dcs(buf + off, n)), HEADER_MS, what);
		if (rc != IOTFLASH_OK)
			return rc;
		if ((rc = data_phase(x, buf + off, n, PROGRAM_MS, what)) != IOTFLASH_OK)
			return rc;
	}
	return IOTFLASH_OK;
}

static int xr_erase(void *priv, uint32_t addr, uint32_t len)
{
	struct xr *x = priv;
	enum xr_erase_mode mode = len == 65536 ? XR_ERASE_64K : len == 32768 ? XR_ERASE_32K : XR_ERASE_4K;
	char what[48];

	if (len != xr_erase_unit(mode) || addr % len)
		return iotflash_fail(x->dev, IOTFLASH_ERR_ALIGN, "erase 0x%06x+0x%x: not one 4/32/64 KiB unit",
		                     (unsigned)addr, (unsigned)len);
	snprintf(what, sizeof what, "erase 0x%06x+0x%x (0x19)", (unsigned)addr, (unsigned)len);
	return expect_ack(x, xr_enc_erase(x->frame, mode, addr), mode == XR_ERASE_4K ? ERASE_4K_MS : ERASE_64K_MS,
	                  what);
}

const struct iotflash_driver xradio_driver = {
	.name = "xradio",
	.description = "XRadio XR809/XR872/XR806 BROM UART download (XR809 RAM stub for ROM v1)",
	.open = xr_open,
	.close = xr_close,
	.detect = xr_detect,
	.read = xr_read,
	.write = xr_write,
	.erase = xr_erase,
	.verify = NULL,  /* no on-chip hash (§0): the core reads back */
};
