/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Bouffalo Lab chip driver: BootROM ISP handshake and eflash_loader upload
 * (BL602/604, BL702/704/706), or the BL616/618 ROM's own flash commands,
 * then the flash commands of §4 (docs/protocols/bl60x.md).  Policy
 * (retries of blocks, verification, skipping, protected regions) is the
 * core's; this file only moves frames. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <iotflash/plugin.h>

#include "protocol.h"

#define FAMILY "bl60x"

#define RESET_ON_MS 50            /* blisp's auto-reset pulse (§1.1) */
#define RESET_HOLD_MS 100
#define RESET_AFTER_MS 50
#define OK_WINDOW_MS 60           /* wait for the handshake OK after the burst */
#define POST_OK_MS 25             /* quiet time before the first command (§1.2) */
#define HANDSHAKE_PAUSE_MS 20
#define PREAMBLE_WAIT_MS 50       /* after BOUFFALOLAB5555RESET (§1.4) */
#define LINK_NOTICE_MS 2000
#define LINK_TIMEOUT_MS 15000
#define PROBE_EVERY 4             /* every 4th attempt is a get_boot_info probe */
#define PROBE_MS 200
#define IDLE_EVERY 12             /* then pause for the device's idle timeout */
#define DEVICE_IDLE_MS 4500
#define LOADER_START_MS 100       /* loader start-up after run (§3.5) */
#define LOADER_TRIES 5            /* loader handshake attempts per rate */
#define CLK_SET_SETTLE_MS 20      /* BL616 after clk_set (§3.6) */
#define ROM_IDLE_MS 2200          /* the ROM's idle timeout is 2 s (§1.2) */
#define REPLY_MARGIN_MS 250       /* USB latency and scheduling */
#define PD_TIMEOUT_MS 3000        /* chip erase: first PD after ~1 s (§4.1) */
#define ERASE_MS_PER_4K 300
#define SHA_BYTES_PER_MS 1000     /* generous: the chip hashes ~10 MB/s */
#define EXCHANGE_TRIES 3
#define UPLOAD_TRIES 5
#define MAX_LOADER_FAILURES 3     /* the loader's failure counter (§4) */
#define RESET_TRIES 3             /* 0x21 sent until its OK arrives */
#define UPLOAD_PAUSE_MS 100       /* longer than a frame's byte gap */
/* A reply that has begun and then falls silent this long lost a byte on
 * the line: told at once instead of after the whole timeout (issue 16). */
#define REPLY_GAP_MS 50
#define REPLY_STARTED 16
#define SEG_CHUNK 4092            /* 0x18 data per frame: GUI and blisp (§3.4) */
#define RX_CAP (BL_FRAME_MAX + 64)
#define JEDEC_KNOWN 0x80

enum variant { V_BL602, V_BL702, V_BL616 };

struct bl {
	struct iotflash_dev *dev;
	const char *family;
	const struct iotflash_chip *chip;   /* requested, then the device's */
	bool family_mode;                   /* --chip named the family */
	enum variant variant;
	uint32_t baud;
	struct bl_boot_info boot;
	bool loader_was_running;
	bool write_pending;                 /* 0x3A owed since the last write */
	bool linked;                        /* something answered: reset on failure */
	bool have_boot_info;                /* a probe already got it */
	bool lines_unsupported;
	bool cut_short;                     /* the last reply lost a byte: no re-handshake needed */
	uint32_t jedec;
	uint8_t jedec_flag;
	size_t rx_len;
	uint8_t rx[RX_CAP];
	uint8_t tx[BL_FRAME_MAX];
};

/* ---- chip database ---- */

static uint32_t param_u32(const struct iotflash_chip *chip, const char *key, uint32_t fallback)
{
	int64_t v;

	if (chip && iotflash_chip_param_int(chip, key, &v) && v >= 0 && v <= UINT32_MAX)
		return (uint32_t)v;
	return fallback;
}

static bool param_flag(const struct iotflash_chip *chip, const char *key)
{
	bool v = false;

	return chip && iotflash_chip_param_bool(chip, key, &v) && v;
}

static int variant_of(const struct iotflash_chip *chip, enum variant *v)
{
	const char *p = chip ? chip->protocol : NULL;

	if (p && strcmp(p, "bl602") == 0)
		*v = V_BL602;
	else if (p && strcmp(p, "bl702") == 0)
		*v = V_BL702;
	else if (p && strcmp(p, "bl616") == 0)
		*v = V_BL616;
	else
		return -1;
	return 0;
}

/* The family's first chip whose BootROM reports version. */
static const struct iotflash_chip *chip_by_version(struct bl *bl, uint32_t version)
{
	const struct iotflash_chip *c;

	for (unsigned i = 0; (c = iotflash_db_family_chip(bl->dev, bl->family, i)) != NULL; i++)
		if (param_u32(c, "boot_rom_version", 0) == version)
			return c;
	return NULL;
}

static unsigned burst_ms(struct bl *bl)
{
	return param_u32(bl->chip, "burst_ms", 6);
}

/* ---- byte stream ---- */

static int bl_send(struct bl *bl, const uint8_t *buf, size_t len)
{
	int rc = iotflash_io_write(bl->dev, buf, len);

	if (rc < 0)
		return iotflash_fail(bl->dev, rc, "cannot write to the port");
	return IOTFLASH_OK;
}

static void rx_drop(struct bl *bl, size_t n)
{
	memmove(bl->rx, bl->rx + n, bl->rx_len - n);
	bl->rx_len -= n;
}

static void rx_reset(struct bl *bl)
{
	iotflash_io_flush_input(bl->dev);
	bl->rx_len = 0;
}

static int rx_fill(struct bl *bl, size_t want, unsigned timeout_ms)
{
	int n;

	if (want > RX_CAP - bl->rx_len)
		want = RX_CAP - bl->rx_len;
	if (want == 0)
		return iotflash_fail(bl->dev, IOTFLASH_ERR_PROTOCOL, "reply longer than any frame");
	n = iotflash_io_read(bl->dev, bl->rx + bl->rx_len, want, timeout_ms);
	if (n == IOTFLASH_ERR_CANCELLED)
		return iotflash_fail(bl->dev, n, "cancelled");
	if (n < 0)
		return iotflash_fail(bl->dev, n, "cannot read from the port");
	bl->rx_len += (size_t)n;
	return n;
}

/* Wait for one reply; every PD restarts the clock with pd_ms. */
static int bl_receive(struct bl *bl, bool with_data, unsigned timeout_ms, unsigned pd_ms,
                      struct bl_reply *r)
{
	uint64_t deadline = iotflash_now_ms() + timeout_ms;
	unsigned pending = 0;

	for (;;) {
		size_t used, need;
		enum bl_scan s;
		uint64_t now;
		int n;

		while (bl->rx_len >= 2 && bl->rx[0] == 'P' && bl->rx[1] == 'D') {
			rx_drop(bl, 2);
			pending++;
			deadline = iotflash_now_ms() + pd_ms;
		}
		s = bl_scan_reply(bl->rx, bl->rx_len, with_data, r, &used, &need);
		if (s == BL_SCAN_FOUND) {
			r->pending += pending;
			rx_drop(bl, used);
			return IOTFLASH_OK;
		}
		if (s == BL_SCAN_BAD) {
			rx_drop(bl, used);
			continue;
		}
		now = iotflash_now_ms();
		if (now >= deadline)
			return IOTFLASH_ERR_TIMEOUT;
		unsigned wait = (unsigned)(deadline - now);
		n = rx_fill(bl, need, bl->rx_len > 0 && wait > REPLY_GAP_MS ? REPLY_GAP_MS : wait);
		if (n < 0)
			return n;
		if (n == 0 && bl->rx_len >= REPLY_STARTED) {
			bl->cut_short = true;
			return iotflash_fail(bl->dev, IOTFLASH_ERR_PROTOCOL,
			                     "reply cut short after %zu bytes (a byte lost on the line)", bl->rx_len);
		}
	}
}

/* ---- handshakes ---- */

/* Look for `OK` in what arrives within ms. */
static int await_ok(struct bl *bl, unsigned ms, bool *ok)
{
	uint64_t deadline = iotflash_now_ms() + ms;

	*ok = false;
	for (;;) {
		uint64_t now = iotflash_now_ms();
		for (size_t i = 0; i + 1 < bl->rx_len; i++)
			if (bl->rx[i] == 'O' && bl->rx[i + 1] == 'K') {
				*ok = true;
				return IOTFLASH_OK;
			}
		if (bl->rx_len >= RX_CAP - 1)
			bl->rx_len = 0;
		if (now >= deadline)
			return IOTFLASH_OK;
		int n = rx_fill(bl, 64, (unsigned)(deadline - now));
		if (n < 0)
			return n;
	}
}

/* One timed 0x55 burst (§1.3) at the current rate; ok when `OK` came back. */
static int burst_once(struct bl *bl, unsigned ms, bool preamble, bool *ok)
{
	size_t n = bl_burst_len(bl->baud, ms);
	uint8_t *burst = malloc(n);
	int rc;

	if (!burst)
		return iotflash_fail(bl->dev, IOTFLASH_ERR_NOMEM, "out of memory");
	memset(burst, 0x55, n);
	rx_reset(bl);
	rc = IOTFLASH_OK;
	if (preamble) {
		rc = bl_send(bl, bl_usb_preamble, sizeof bl_usb_preamble);
		iotflash_sleep_ms(bl->dev, PREAMBLE_WAIT_MS);
	}
	if (rc == IOTFLASH_OK)
		rc = bl_send(bl, burst, n);
	free(burst);
	if (rc == IOTFLASH_OK)
		iotflash_io_drain(bl->dev);
	if (rc == IOTFLASH_OK)
		rc = await_ok(bl, ms + OK_WINDOW_MS, ok);
	if (rc == IOTFLASH_OK && *ok) {
		/* Let the device settle, then start from a clean line (§1.3). */
		iotflash_sleep_ms(bl->dev, POST_OK_MS);
		rx_reset(bl);
	}
	return rc;
}

static int set_baud(struct bl *bl, uint32_t baud)
{
	int rc;

	if (baud == bl->baud)
		return IOTFLASH_OK;
	rc = iotflash_io_set_baud(bl->dev, baud);
	if (rc != IOTFLASH_OK)
		return iotflash_fail(bl->dev, IOTFLASH_ERR_BAUD, "the port refuses %u baud", (unsigned)baud);
	bl->baud = baud;
	return IOTFLASH_OK;
}

/* blisp's auto-reset: RTS and DTR on, DTR off, RTS off (§1.1); ptys have no lines. */
static void pulse_reset(struct bl *bl)
{
	if (bl->lines_unsupported)
		return;
	if (iotflash_io_set_lines(bl->dev, 1, 1) != IOTFLASH_OK) {
		bl->lines_unsupported = true;
		iotflash_log(bl->dev, IOTFLASH_LOG_DEBUG, "no modem lines: no auto-reset");
		return;
	}
	iotflash_sleep_ms(bl->dev, RESET_ON_MS);
	iotflash_io_set_lines(bl->dev, 0, -1);
	iotflash_sleep_ms(bl->dev, RESET_HOLD_MS);
	iotflash_io_set_lines(bl->dev, -1, 0);
	iotflash_sleep_ms(bl->dev, RESET_AFTER_MS);
}

/* A device still in command state (a session that ended early) skips
 * bursts but answers get_boot_info, as blisp probes first (§3.1). */
static int probe_boot_info(struct bl *bl, struct bl_boot_info *bi, bool *ok)
{
	size_t n = bl_frame(bl->tx, BL_GET_BOOT_INFO, false, NULL, 0);
	struct bl_reply r;
	int rc;

	*ok = false;
	rx_reset(bl);
	if ((rc = bl_send(bl, bl->tx, n)) != IOTFLASH_OK)
		return rc;
	rc = bl_receive(bl, true, PROBE_MS, 0, &r);
	if (rc == IOTFLASH_ERR_TIMEOUT || (rc == IOTFLASH_OK && r.status != BL_REPLY_OK))
		return IOTFLASH_OK;
	if (rc != IOTFLASH_OK)
		return rc;
	if (bl_parse_boot_info(r.data, r.len, bi) == 0) {
		iotflash_log(bl->dev, IOTFLASH_LOG_DEBUG, "the device answered get_boot_info without a handshake");
		iotflash_dev_answered(bl->dev);
		*ok = true;
	}
	return IOTFLASH_OK;
}

/* The ROM handshake at the chip's link rate, until OK or the link timeout.
 * For the family (chip unknown) the burst alternates between 3 and 6 ms;
 * chips with usb_preamble alternate the USB-CDC preamble (§1.4). */
static int rom_handshake(struct bl *bl)
{
	uint64_t start = iotflash_now_ms();
	uint32_t link = bl->chip->link_baud ? bl->chip->link_baud : 500000;
	unsigned timeout = param_u32(bl->chip, "link_timeout_ms", LINK_TIMEOUT_MS);
	bool usb = param_flag(bl->chip, "usb_preamble") || bl->family_mode;
	bool noticed = false, ok = false;
	int rc = set_baud(bl, link);

	pulse_reset(bl);
	bl->have_boot_info = false;
	for (unsigned i = 0; rc == IOTFLASH_OK; i++) {
		unsigned ms = bl->family_mode ? (i % 2 ? 6 : 3) : burst_ms(bl);
		if (i % PROBE_EVERY == PROBE_EVERY - 1) {
			if ((rc = probe_boot_info(bl, &bl->boot, &ok)) != IOTFLASH_OK || ok) {
				bl->have_boot_info = ok;
				break;
			}
		} else {
			rc = burst_once(bl, ms, usb && i % PROBE_EVERY == 1 && (i / PROBE_EVERY) % 2, &ok);
			if (rc != IOTFLASH_OK || ok)
				break;
		}
		if (i % IDLE_EVERY == IDLE_EVERY - 1) {
			/* Bursts keep a device in command state busy: let it idle
			 * back to its handshake (two 2 s windows, §4.1). */
			iotflash_log(bl->dev, IOTFLASH_LOG_DEBUG, "pausing for the device's idle timeout");
			iotflash_sleep_ms(bl->dev, DEVICE_IDLE_MS);
		}
		if (iotflash_dev_cancelled(bl->dev))
			return iotflash_fail(bl->dev, IOTFLASH_ERR_CANCELLED, "cancelled");
		if (!noticed && iotflash_now_ms() - start > LINK_NOTICE_MS) {
			iotflash_notice(bl->dev, "no answer from the BootROM: hold BOOT high (IO8 on BL602, "
			                "IO28 on BL702, IO2 on BL616) and reset the chip");
			noticed = true;
		}
		if (iotflash_now_ms() - start > timeout)
			return iotflash_fail(bl->dev, IOTFLASH_ERR_NO_LINK,
			                     "no answer to the 0x55 handshake at %u baud within %u s (BOOT pin high? RX/TX crossed?)",
			                     (unsigned)link, timeout / 1000);
		iotflash_sleep_ms(bl->dev, HANDSHAKE_PAUSE_MS);
	}
	return rc;
}

/* Resynchronise with a loader (or BL616 ROM) that may have fallen back to
 * its handshake (idle timeout, failure count; §4.1). */
static int resync(struct bl *bl)
{
	bool ok = false;

	for (unsigned i = 0; i < LOADER_TRIES; i++) {
		int rc = burst_once(bl, burst_ms(bl), false, &ok);
		if (rc != IOTFLASH_OK || ok)
			return rc;
	}
	/* A device in command state skips the burst: not an error yet. */
	rx_reset(bl);
	return IOTFLASH_OK;
}

/* ---- commands ---- */

struct xchg {
	const char *what;       /* for messages */
	size_t frame_len;       /* the frame is in bl->tx */
	bool with_data;
	unsigned timeout_ms;    /* for the reply, beyond the wire time */
	unsigned pd_ms;         /* after each PD */
	bool resync;            /* re-handshake and re-send on silence */
	bool resend;            /* re-send after a pause, no re-handshake (the ROM's upload) */
	bool no_reply;          /* send only */
};

static const char *error_name(uint16_t code)
{
	switch (code) {
	case 0x0001: return "flash init";
	case 0x0002: return "erase parameters";
	case 0x0003: return "erase failed";
	case 0x0004: return "write parameters";
	case 0x0005: return "write address";
	case 0x0006: return "write failed";
	case 0x0008: return "flash parameters";
	case 0x0101: return "unknown command";
	case 0x0102: return "bad length";
	case 0x0103: return "checksum error";
	case 0x0201: return "boot header length";
	case 0x0202: return "boot header not loaded";
	case 0x0203: return "boot header magic";
	case 0x0210: return "segment header CRC";
	case 0x0211: return "segment destination";
	case 0x0212: return "segment data incomplete";
	case 0x0214: return "segment data too long";
	default: return "error";
	}
}

static unsigned reply_timeout(struct bl *bl, const struct xchg *x)
{
	return REPLY_MARGIN_MS + x->timeout_ms + iotflash_io_wire_ms(bl->dev, x->frame_len) +
	       (x->with_data ? iotflash_io_wire_ms(bl->dev, BL_FRAME_MAX) : 0);
}

/* Send the frame in bl->tx and read its reply.  A frame lost on the way
 * (silence, garbage, FL 0x0103) is sent again, after a re-handshake where
 * the device may have gone back to its handshake. */
static int bl_exchange(struct bl *bl, const struct xchg *x, struct bl_reply *r)
{
	uint8_t frame[BL_FRAME_MAX];
	int rc = IOTFLASH_ERR_TIMEOUT;

	memcpy(frame, bl->tx, x->frame_len);
	for (int attempt = 0; attempt < EXCHANGE_TRIES; attempt++) {
		if (attempt) {
			iotflash_log(bl->dev, IOTFLASH_LOG_DEBUG, "%s: no valid reply, sending again", x->what);
			if (x->resync && !bl->cut_short && (rc = resync(bl)) != IOTFLASH_OK)
				return rc;
			if (x->resend)  /* the ROM drops a frame cut short after its byte gap */
				iotflash_sleep_ms(bl->dev, UPLOAD_PAUSE_MS);
			/* A reply told cut short may only have stalled: let its late
			 * bytes arrive and go before asking again. */
			for (int i = 0; bl->cut_short && i < 20; i++) {
				bl->rx_len = 0;
				if (rx_fill(bl, RX_CAP, REPLY_GAP_MS) <= 0)
					break;
			}
			rx_reset(bl);
		}
		bl->cut_short = false;
		if ((rc = bl_send(bl, frame, x->frame_len)) != IOTFLASH_OK)
			return rc;
		if (x->no_reply)
			return IOTFLASH_OK;
		rc = bl_receive(bl, x->with_data, reply_timeout(bl, x), x->pd_ms, r);
		if (rc == IOTFLASH_ERR_CANCELLED)
			return rc;
		if (rc == IOTFLASH_OK && !(r->status == BL_REPLY_FAIL && r->error == 0x0103))
			break;
		if (!x->resync && !x->resend)
			break;
	}
	if (rc == IOTFLASH_ERR_TIMEOUT)
		return iotflash_fail(bl->dev, IOTFLASH_ERR_TIMEOUT, "%s: no answer", x->what);
	if (rc != IOTFLASH_OK)
		return rc;
	/* Every command sent is one the running code knows: "unknown command"
	 * means the chip was reset and its BootROM answers instead. */
	if (r->status == BL_REPLY_FAIL && r->error == 0x0101)
		return iotflash_fail(bl->dev, IOTFLASH_ERR_NO_LINK, "%s: the chip answered FL 0x0101 (unknown command): "
		                     "it was reset and its BootROM answers", x->what);
	if (r->status == BL_REPLY_FAIL)
		return iotflash_fail(bl->dev, r->error == 0x0103 ? IOTFLASH_ERR_CHECKSUM : IOTFLASH_ERR_DEVICE,
		                     "%s: the chip answered FL 0x%04x (%s)", x->what, r->error, error_name(r->error));
	return IOTFLASH_OK;
}

/* A command without payload data beyond what is already framed in bl->tx. */
static int simple(struct bl *bl, const char *what, size_t frame_len, bool with_data, bool resync_ok,
                  struct bl_reply *r)
{
	struct xchg x = { .what = what, .frame_len = frame_len, .with_data = with_data, .resync = resync_ok };
	struct bl_reply local;

	return bl_exchange(bl, &x, r ? r : &local);
}

static int get_boot_info(struct bl *bl)
{
	struct bl_reply r;
	size_t n = bl_frame(bl->tx, BL_GET_BOOT_INFO, false, NULL, 0);
	/* Asking again is harmless, and a noisy line loses the odd reply. */
	struct xchg x = { .what = "get_boot_info", .frame_len = n, .with_data = true, .resend = true };
	int rc = bl_exchange(bl, &x, &r);

	if (rc != IOTFLASH_OK)
		return rc;
	if (bl_parse_boot_info(r.data, r.len, &bl->boot) != 0)
		return iotflash_fail(bl->dev, IOTFLASH_ERR_PROTOCOL, "get_boot_info: %zu-byte reply, expected 20 or more", r.len);
	/* A whole boot-info reply, not an "OK" that noise can spell. */
	iotflash_dev_answered(bl->dev);
	iotflash_log(bl->dev, IOTFLASH_LOG_DEBUG, "boot info: version 0x%08x", (unsigned)bl->boot.version);
	return IOTFLASH_OK;
}

/* ---- identification ---- */

/* Match the ROM's version with --chip (or pick the family's chip). */
static int identify_rom(struct bl *bl)
{
	const struct iotflash_chip *found = chip_by_version(bl, bl->boot.version);

	if (!found)
		return iotflash_fail(bl->dev, IOTFLASH_ERR_UNKNOWN_CHIP,
		                     "unknown BootROM version 0x%08x: not a BL602, BL702 or BL616", (unsigned)bl->boot.version);
	if (bl->family_mode) {
		bl->chip = found;  /* its loader is fetched for it (iotflash_dev_chip_loader) */
	} else if (param_u32(bl->chip, "boot_rom_version", 0) != bl->boot.version) {
		return iotflash_fail(bl->dev, IOTFLASH_ERR_MISMATCH,
		                     "the BootROM reports %s (version 0x%08x), not %s as --chip says; "
		                     "its loader would not run there",
		                     found->name, (unsigned)bl->boot.version, bl->chip->name);
	}
	if (variant_of(bl->chip, &bl->variant) != 0)
		return iotflash_fail(bl->dev, IOTFLASH_ERR_CHIPDB, "%s: protocol must be bl602, bl702 or bl616", bl->chip->name);
	if (bl->variant != V_BL616 && (bl->boot.sign_type || bl->boot.encrypt_type))
		return iotflash_fail(bl->dev, IOTFLASH_ERR_UNSUPPORTED,
		                     "secure boot is enabled (sign %u, encrypt %u): the loader would have to be signed",
		                     bl->boot.sign_type, bl->boot.encrypt_type);
	return IOTFLASH_OK;
}

/* ROM handshake and get_boot_info; a loader left running answers both
 * (version 0xFFFFFFFF, §3.1). */
static int rom_connect(struct bl *bl)
{
	int rc = rom_handshake(bl);

	if (rc == IOTFLASH_OK && !bl->have_boot_info)
		rc = get_boot_info(bl);
	if (rc == IOTFLASH_OK)
		bl->linked = true;
	if (rc != IOTFLASH_OK || bl->boot.version != BL_VERSION_LOADER)
		return rc;
	if (!bl->family_mode) {
		bl->loader_was_running = true;
		iotflash_log(bl->dev, IOTFLASH_LOG_INFO, "eflash_loader already running: no upload");
		return variant_of(bl->chip, &bl->variant) == 0 ? IOTFLASH_OK
		       : iotflash_fail(bl->dev, IOTFLASH_ERR_CHIPDB, "%s: bad protocol", bl->chip->name);
	}
	/* Which chip runs it is unknown: reset to the ROM and ask it. */
	iotflash_log(bl->dev, IOTFLASH_LOG_INFO, "eflash_loader already running: resetting to the BootROM");
	size_t n = bl_frame(bl->tx, BL_RESET, true, NULL, 0);
	if ((rc = simple(bl, "reset", n, false, false, NULL)) != IOTFLASH_OK)
		return rc;
	iotflash_sleep_ms(bl->dev, LOADER_START_MS);
	rc = rom_handshake(bl);
	if (rc == IOTFLASH_OK && !bl->have_boot_info)
		rc = get_boot_info(bl);
	if (rc == IOTFLASH_OK && bl->boot.version == BL_VERSION_LOADER)
		return iotflash_fail(bl->dev, IOTFLASH_ERR_PROTOCOL, "the eflash_loader did not reset to the BootROM");
	return rc;
}

/* ---- loader upload (§3.4, §3.5) ---- */

static int rom_cmd(struct bl *bl, const char *what, uint8_t cmd, const uint8_t *payload, size_t len,
                   bool with_data, struct bl_reply *r)
{
	size_t n = bl_frame(bl->tx, cmd, false, payload, len);
	/* A frame that lost a byte on a noisy line gets no answer and is not
	 * counted: sending it again costs one frame, not the whole upload
	 * (issue 16).  An answer lost after the ROM took the frame makes
	 * the segment too long, and upload_with_retries() starts over. */
	struct xchg x = { .what = what, .frame_len = n, .with_data = with_data, .resend = true };
	struct bl_reply local;

	return bl_exchange(bl, &x, r ? r : &local);
}

static int upload_segment(struct bl *bl, const struct bl_loader_image *img, unsigned i)
{
	struct bl_reply r;
	uint32_t len;
	int rc = rom_cmd(bl, "load_segment_header", BL_LOAD_SEG_HEADER, img->seg[i].header,
	                 BL_SEG_HEADER_LEN, true, &r);

	if (rc != IOTFLASH_OK)
		return rc;
	if (r.len != BL_SEG_HEADER_LEN)
		return iotflash_fail(bl->dev, IOTFLASH_ERR_PROTOCOL, "load_segment_header: %zu-byte echo", r.len);
	len = bl_le32(r.data + 4);  /* the ROM echoes the (decrypted) header */
	if (len != img->seg[i].len)
		return iotflash_fail(bl->dev, IOTFLASH_ERR_PROTOCOL, "load_segment_header: the echo says %u bytes, not %u",
		                     (unsigned)len, (unsigned)img->seg[i].len);
	for (uint32_t off = 0; off < len; off += SEG_CHUNK) {
		uint32_t n = len - off < SEG_CHUNK ? len - off : SEG_CHUNK;
		if ((rc = rom_cmd(bl, "load_segment_data", BL_LOAD_SEG_DATA, img->seg[i].data + off, n, false, NULL))
		    != IOTFLASH_OK)
			return rc;
	}
	return IOTFLASH_OK;
}

/* BL70x: run the loader through HBN registers and a CPU reset; the last
 * frame gets no reply (§3.5). */
static int run_bl702(struct bl *bl)
{
	static const uint32_t regs[4][2] = {
		{ 0x4000F100u, 0x4E424845u }, { 0x4000F104u, BL_LOADER_ADDR },
		{ 0x40000018u, 0u }, { 0x40000018u, 2u },
	};
	int rc = IOTFLASH_OK;

	for (unsigned i = 0; i < 4 && rc == IOTFLASH_OK; i++) {
		size_t n = bl_frame_u32x2(bl->tx, BL_WRITE_MEM, false, regs[i][0], regs[i][1]);
		struct xchg x = { .what = "write_memory", .frame_len = n, .no_reply = i == 3 };
		struct bl_reply r;
		rc = bl_exchange(bl, &x, &r);
	}
	return rc;
}

static int upload_loader(struct bl *bl)
{
	const uint8_t *file;
	size_t len;
	struct bl_loader_image img;
	char why[128];
	int rc = iotflash_dev_chip_loader(bl->dev, bl->chip, &file, &len);

	if (rc != IOTFLASH_OK)
		return rc;
	if (bl_parse_loader(file, len, &img, why, sizeof why) != 0)
		return iotflash_fail(bl->dev, IOTFLASH_ERR_FILE, "%s: %s", bl->chip->loader_file, why);
	rc = rom_cmd(bl, "load_boot_header", BL_LOAD_BOOT_HEADER, img.boot_header, BL_BOOT_HEADER_LEN, false, NULL);
	for (unsigned i = 0; rc == IOTFLASH_OK && i < img.n_segments; i++)
		rc = upload_segment(bl, &img, i);
	if (rc == IOTFLASH_OK)
		rc = rom_cmd(bl, "check_image", BL_CHECK_IMAGE, NULL, 0, false, NULL);
	if (rc != IOTFLASH_OK)
		return rc;
	if (bl->variant == V_BL702)
		rc = run_bl702(bl);
	else
		rc = rom_cmd(bl, "run_image", BL_RUN_IMAGE, NULL, 0, false, NULL);
	if (rc == IOTFLASH_OK)
		iotflash_log(bl->dev, IOTFLASH_LOG_INFO, "eflash_loader started (%zu bytes)", len);
	return rc;
}

/* A frame lost during the upload cannot be sent again (the ROM counts
 * segment bytes), so the upload starts over from the boot header. */
static int upload_with_retries(struct bl *bl)
{
	int rc = IOTFLASH_ERR_INTERNAL;

	for (int attempt = 0; attempt < UPLOAD_TRIES; attempt++) {
		if (attempt) {
			iotflash_log(bl->dev, IOTFLASH_LOG_INFO, "loader upload failed, starting over");
			iotflash_sleep_ms(bl->dev, UPLOAD_PAUSE_MS);
			/* A garbled frame may have reset the ROM or run the image. */
			if ((rc = rom_handshake(bl)) != IOTFLASH_OK)
				break;
		}
		rc = upload_loader(bl);
		if (rc == IOTFLASH_OK || rc == IOTFLASH_ERR_LOADER_MISSING || rc == IOTFLASH_ERR_FILE ||
		    rc == IOTFLASH_ERR_CANCELLED)
			break;
	}
	return rc;
}

/* ---- getting to the target rate ---- */

static int loader_link(struct bl *bl, uint32_t baud, bool *ok)
{
	int rc = set_baud(bl, baud);

	*ok = false;
	for (unsigned i = 0; rc == IOTFLASH_OK && !*ok && i < LOADER_TRIES; i++) {
		rc = burst_once(bl, burst_ms(bl), false, ok);
		/* A loader that latched this rate from an earlier burst is in
		 * command state and skips bursts, but answers a probe. */
		if (rc == IOTFLASH_OK && !*ok && i % 2 == 1) {
			struct bl_boot_info bi;
			rc = probe_boot_info(bl, &bi, ok);
			*ok = *ok && bi.version == BL_VERSION_LOADER;
		}
	}
	return rc;
}

/* A loader found running is in command state and skips bursts; its third
 * failed command sends it back to its handshake (§4 "Failure counter").
 * Frames with a wrong checksum fail without side effects. */
static int loader_back_to_handshake(struct bl *bl)
{
	static const uint8_t bad[] = { BL_READ_JEDEC, 0x55, 0x01, 0x00, 0x00 };

	for (int i = 0; i < MAX_LOADER_FAILURES; i++) {
		struct bl_reply r;
		int rc;
		rx_reset(bl);
		if ((rc = bl_send(bl, bad, sizeof bad)) != IOTFLASH_OK)
			return rc;
		rc = bl_receive(bl, false, PROBE_MS, 0, &r);
		if (rc == IOTFLASH_ERR_TIMEOUT)
			break;  /* already back in its handshake */
		if (rc != IOTFLASH_OK)
			return rc;
	}
	rx_reset(bl);
	return IOTFLASH_OK;
}

/* The loader auto-bauds on a new burst at any rate (§1.5): the rate the
 * core asks for, once.  One it does not answer at is reported
 * (IOTFLASH_ERR_BAUD, the loader back in its handshake); stepping down is
 * the core's (docs/plugins.md, "Link rates"). */
static int loader_to_target(struct bl *bl, uint32_t target)
{
	bool ok = false;
	int rc;

	if (bl->loader_was_running && (rc = loader_back_to_handshake(bl)) != IOTFLASH_OK)
		return rc;
	iotflash_sleep_ms(bl->dev, LOADER_START_MS);
	if ((rc = loader_link(bl, target, &ok)) != IOTFLASH_OK)
		return rc;
	if (ok)
		return IOTFLASH_OK;
	/* The loader latches the rate it rounds the burst to (§1.5): found
	 * there, it is reset by op_open() into the ROM's handshake, where the
	 * next open() meets the BootROM at once. */
	if (bl_loader_baud(target) != target && set_baud(bl, bl_loader_baud(target)) == IOTFLASH_OK) {
		struct bl_boot_info bi;
		if (probe_boot_info(bl, &bi, &ok) == IOTFLASH_OK && ok)
			bl->linked = true;
	}
	return iotflash_fail(bl->dev, IOTFLASH_ERR_BAUD, "no link at %u baud: the eflash_loader did not answer its "
	                     "handshake there", (unsigned)target);
}

/* BL616 ROM timeout and flash setup (§3.6). */
static int bl616_prepare(struct bl *bl)
{
	uint8_t p[4];
	int rc;

	if (bl->boot.info[0] == 0x01) {  /* A0, by the GUI's rule [sources disagree] */
		size_t n = bl_frame_u32x2(bl->tx, BL_WRITE_MEM, false, 0x6102DF04u, 0x27101200u);
		rc = simple(bl, "write_memory (ROM timeout)", n, false, false, NULL);
	} else {
		bl_put_le32(p, 10000);
		rc = rom_cmd(bl, "set_timeout", BL_SET_TIMEOUT, p, 4, false, NULL);
	}
	return rc;
}

static int bl616_flash_para(struct bl *bl)
{
	/* Flash pin from bits 19:14 of d[8..11], else auto-scan 0x80 (§3.1). */
	uint32_t cfg = bl_le32(bl->boot.info + 4);
	uint8_t pin = (uint8_t)((cfg >> 14) & 0x3F);
	uint8_t p[4] = { pin ? pin : 0x80, 0x41, 0x01, 0x00 };
	size_t n = bl_frame(bl->tx, BL_FLASH_SET_PARA, true, p, sizeof p);

	return simple(bl, "flash_set_para", n, false, false, NULL);
}

/* clk_set to baud: OK at the old rate, then the new one without a handshake. */
static int bl616_clk_set(struct bl *bl, uint32_t baud)
{
	size_t n = bl_frame_u32x2(bl->tx, BL_CLK_SET, true, 1, baud);
	int rc = simple(bl, "clk_set", n, false, false, NULL);

	if (rc != IOTFLASH_OK)
		return rc;
	iotflash_io_drain(bl->dev);
	if ((rc = set_baud(bl, baud)) != IOTFLASH_OK)
		return rc;
	iotflash_sleep_ms(bl->dev, CLK_SET_SETTLE_MS);
	rx_reset(bl);
	return bl616_flash_para(bl);
}

/* The rate the core asks for, once.  Lost at it, the ROM is left to its
 * idle timeout so that the next open() finds it in its handshake, and the
 * rate is reported (IOTFLASH_ERR_BAUD). */
static int bl616_to_target(struct bl *bl, uint32_t target)
{
	int rc = bl616_prepare(bl);

	if (rc != IOTFLASH_OK)
		return rc;
	if (bl616_clk_set(bl, target) == IOTFLASH_OK)
		return IOTFLASH_OK;
	iotflash_sleep_ms(bl->dev, ROM_IDLE_MS);
	return iotflash_fail(bl->dev, IOTFLASH_ERR_BAUD, "the BL616 ROM did not answer after clk_set to %u baud",
	                     (unsigned)target);
}

static int bl_connect(struct bl *bl)
{
	uint32_t target = iotflash_dev_target_baud(bl->dev);
	int rc = rom_connect(bl);

	if (rc != IOTFLASH_OK)
		return rc;
	if (!target)
		target = bl->chip->max_baud ? bl->chip->max_baud : bl->baud;
	if (!bl->loader_was_running && (rc = identify_rom(bl)) != IOTFLASH_OK)
		return rc;
	if (bl->variant == V_BL616)
		return bl616_to_target(bl, target);
	if (!bl->loader_was_running && (rc = upload_with_retries(bl)) != IOTFLASH_OK)
		return rc;
	return loader_to_target(bl, target);
}

/* ---- driver ops ---- */

static void describe_boot(struct bl *bl, struct iotflash_chip_info *info)
{
	uint8_t id[8];
	size_t n = bl_boot_info_id(&bl->boot, id);
	int at = 0;

	if (bl->loader_was_running) {
		snprintf(info->loader_version, sizeof info->loader_version, "eflash_loader (already running)");
		return;
	}
	snprintf(info->loader_version, sizeof info->loader_version, "BootROM %u.%u.%u.%u (0x%08x)",
	         bl->boot.version & 0xFF, (bl->boot.version >> 8) & 0xFF, (bl->boot.version >> 16) & 0xFF,
	         bl->boot.version >> 24, (unsigned)bl->boot.version);
	if (n == 6) {
		/* BL602 MAC: Bouffalo's tools print it reversed (§3.1). */
		at = snprintf(info->extra, sizeof info->extra, "MAC ");
		for (size_t i = 0; i < n; i++)
			at += snprintf(info->extra + at, sizeof info->extra - (size_t)at, "%02x%s", id[n - 1 - i],
			               i + 1 < n ? ":" : "");
	} else if (n == 8) {
		at = snprintf(info->extra, sizeof info->extra, "chip id ");
		for (size_t i = 0; i < n; i++)
			at += snprintf(info->extra + at, sizeof info->extra - (size_t)at, "%02x", id[i]);
	}
}

static int read_jedec(struct bl *bl)
{
	struct bl_reply r;
	size_t n = bl_frame(bl->tx, BL_READ_JEDEC, true, NULL, 0);
	int rc = simple(bl, "read_jedec_id", n, true, true, &r);

	if (rc != IOTFLASH_OK)
		return rc;
	if (r.len != 4)
		return iotflash_fail(bl->dev, IOTFLASH_ERR_PROTOCOL, "read_jedec_id: %zu-byte reply", r.len);
	bl->jedec = (uint32_t)r.data[0] | (uint32_t)r.data[1] << 8 | (uint32_t)r.data[2] << 16;
	bl->jedec_flag = r.data[3];
	return IOTFLASH_OK;
}

static int op_detect(void *priv, struct iotflash_chip_info *info)
{
	struct bl *bl = priv;
	int rc = read_jedec(bl);

	if (rc != IOTFLASH_OK)
		return rc;
	info->chip = bl->chip;
	describe_boot(bl, info);
	info->flash_id = bl->jedec;
	info->flash = iotflash_db_flash(bl->dev, bl->jedec);
	info->flash_size = info->flash ? info->flash->size : bl_capacity_size((uint8_t)(bl->jedec >> 16));
	if (bl->jedec_flag != JEDEC_KNOWN && bl->variant != V_BL616)
		iotflash_log(bl->dev, IOTFLASH_LOG_WARN, "the eflash_loader does not know flash 0x%06x (flag 0x%02x)",
		             (unsigned)bl->jedec, bl->jedec_flag);
	return IOTFLASH_OK;
}

static int op_read(void *priv, uint32_t addr, uint8_t *buf, uint32_t len)
{
	struct bl *bl = priv;
	uint32_t chunk = param_u32(bl->chip, "read_chunk", 4096);

	for (uint32_t off = 0; off < len;) {
		uint32_t n = len - off < chunk ? len - off : chunk;
		struct xchg x = { .what = "flash_read", .with_data = true, .resync = true };
		struct bl_reply r;
		int rc;
		x.frame_len = bl_frame_u32x2(bl->tx, BL_FLASH_READ, true, addr + off, n);
		x.timeout_ms = iotflash_io_wire_ms(bl->dev, n);
		if ((rc = bl_exchange(bl, &x, &r)) != IOTFLASH_OK)
			return rc;
		if (r.len != n)
			return iotflash_fail(bl->dev, IOTFLASH_ERR_PROTOCOL, "flash_read at 0x%06x: %zu bytes, asked %u",
			                     (unsigned)(addr + off), r.len, (unsigned)n);
		memcpy(buf + off, r.data, n);
		off += n;
	}
	return IOTFLASH_OK;
}

static int op_write(void *priv, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	struct bl *bl = priv;
	uint32_t chunk = param_u32(bl->chip, "write_chunk", 2048);

	for (uint32_t off = 0; off < len;) {
		uint32_t n = len - off < chunk ? len - off : chunk;
		struct xchg x = { .what = "flash_write", .resync = true };
		struct bl_reply r;
		int rc;
		x.frame_len = bl_frame_write(bl->tx, addr + off, buf + off, n);
		bl->write_pending = true;
		if ((rc = bl_exchange(bl, &x, &r)) != IOTFLASH_OK)
			return rc;
		off += n;
	}
	return IOTFLASH_OK;
}

static int op_erase(void *priv, uint32_t addr, uint32_t len)
{
	struct bl *bl = priv;
	struct xchg x = { .what = "flash_erase", .resync = true, .pd_ms = PD_TIMEOUT_MS };
	struct bl_reply r;

	x.frame_len = bl_frame_erase(bl->tx, addr, len);
	x.timeout_ms = PD_TIMEOUT_MS + (len / 4096u + 1u) * ERASE_MS_PER_4K;
	return bl_exchange(bl, &x, &r);
}

/* Writes are acknowledged before programming: ask for the sticky error (§4.1). */
static int write_check(struct bl *bl)
{
	size_t n = bl_frame(bl->tx, BL_WRITE_CHECK, true, NULL, 0);
	int rc = simple(bl, "write_check", n, false, true, NULL);

	if (rc == IOTFLASH_OK)
		bl->write_pending = false;
	return rc;
}

static int op_verify(void *priv, uint32_t addr, uint32_t len, uint8_t sum[IOTFLASH_SUM_MAX])
{
	struct bl *bl = priv;
	struct xchg x = { .what = "read_sha256", .with_data = true, .resync = true };
	struct bl_reply r;
	int rc;

	if (bl->write_pending && (rc = write_check(bl)) != IOTFLASH_OK)
		return rc;
	x.frame_len = bl_frame_u32x2(bl->tx, BL_READ_SHA256, true, addr, len);
	x.timeout_ms = len / SHA_BYTES_PER_MS;
	if ((rc = bl_exchange(bl, &x, &r)) != IOTFLASH_OK)
		return rc;
	if (r.len != BL_SHA_LEN)
		return iotflash_fail(bl->dev, IOTFLASH_ERR_PROTOCOL, "read_sha256: %zu-byte digest", r.len);
	memcpy(sum, r.data, BL_SHA_LEN);
	return IOTFLASH_OK;
}

/* 0x21 until its OK, so that the chip has taken the frame before the
 * caller changes the port's rate (a frame sent at one rate and read at
 * another is lost) and a frame garbled on the way is sent again.  Port
 * errors end it quietly: they must never hide the session's own message. */
static void send_reset(struct bl *bl)
{
	size_t n = bl_frame(bl->tx, BL_RESET, true, NULL, 0);

	for (int i = 0; i < RESET_TRIES; i++) {
		struct bl_reply r;
		int rc;
		rx_reset(bl);
		if (iotflash_io_write(bl->dev, bl->tx, n) < 0)
			return;
		iotflash_io_drain(bl->dev);
		rc = bl_receive(bl, false, PROBE_MS, 0, &r);
		if (rc == IOTFLASH_OK && r.status == BL_REPLY_OK)
			return;
		if (rc != IOTFLASH_OK && rc != IOTFLASH_ERR_TIMEOUT)
			return;
	}
}

static int op_open(struct iotflash_dev *dev, void **priv)
{
	struct bl *bl = calloc(1, sizeof *bl);
	int rc;

	if (!bl)
		return iotflash_fail(dev, IOTFLASH_ERR_NOMEM, "out of memory");
	bl->dev = dev;
	bl->family = iotflash_dev_family(dev) ? iotflash_dev_family(dev) : FAMILY;
	bl->chip = iotflash_dev_chip(dev);
	bl->family_mode = bl->chip == NULL;
	if (!bl->chip)
		bl->chip = iotflash_db_family_chip(dev, bl->family, 0);
	bl->baud = iotflash_io_baud(dev);
	rc = bl->chip ? bl_connect(bl)
	              : iotflash_fail(dev, IOTFLASH_ERR_CHIPDB, "no %s chips in the chip database", bl->family);
	if (rc != IOTFLASH_OK) {
		if (bl->linked)
			send_reset(bl);  /* back to the ROM's handshake for the next try */
		free(bl);
		return rc;
	}
	*priv = bl;
	return IOTFLASH_OK;
}

/* Reset: with BOOT released the chip runs its firmware, with BOOT held it
 * is back in the ROM's auto-baud handshake, where the next open() (the
 * core's, at a lower rate after a failed link proof) finds it at once.
 * (Writes were checked by verify.) */
static void op_close(void *priv)
{
	struct bl *bl = priv;

	if (!bl)
		return;
	send_reset(bl);
	free(bl);
}

const struct iotflash_driver bl60x_driver = {
	.name = "bl60x",
	.description = "Bouffalo Lab UART ISP (BootROM + eflash_loader; BL616 ROM flash commands)",
	.open = op_open,
	.close = op_close,
	.detect = op_detect,
	.read = op_read,
	.write = op_write,
	.erase = op_erase,
	.verify = op_verify,
};
