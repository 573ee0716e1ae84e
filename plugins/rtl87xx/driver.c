/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Realtek Ameba chip driver: one driver for the three download protocols,
 * switching on the chip's `protocol` (ambz, ambz2, ambd), or probing the
 * line when only the family was named.  Policy (retries of whole blocks,
 * verification, skipping, protection) is the core's; this file has the
 * byte-stream helpers, the XMODEM sender and the vtable. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "driver.h"

#define PROBE_PING_MS 250
#define PROBE_BEACON_MS 150
#define PROBE_ROM_BAUD 1500000u   /* AmebaZ ROM rate (§1.2) */

/* ---- byte stream ---- */

int rtl_cancelled(struct rtl *r)
{
	return iotflash_fail(r->dev, IOTFLASH_ERR_CANCELLED, "cancelled");
}

int rtl_send(struct rtl *r, const void *buf, size_t len)
{
	int rc = iotflash_io_write(r->dev, buf, len);
	if (rc < 0)
		return iotflash_fail(r->dev, rc, "cannot write to the port");
	return IOTFLASH_OK;
}

int rtl_recv(struct rtl *r, uint8_t *buf, size_t len, unsigned timeout_ms)
{
	int n = iotflash_io_read(r->dev, buf, len, timeout_ms);
	if (n == IOTFLASH_ERR_CANCELLED)
		return rtl_cancelled(r);
	if (n < 0)
		return iotflash_fail(r->dev, n, "cannot read from the port");
	return n;
}

int rtl_recv_some(struct rtl *r, uint8_t *buf, size_t cap, unsigned timeout_ms)
{
	int n = rtl_recv(r, buf, 1, timeout_ms), more;

	if (n <= 0 || cap == 1)
		return n;
	more = rtl_recv(r, buf + 1, cap - 1, 0);  /* what has arrived meanwhile */
	return more < 0 ? more : 1 + more;
}

int rtl_recv_exact(struct rtl *r, uint8_t *buf, size_t len, unsigned timeout_ms)
{
	uint64_t deadline = iotflash_now_ms() + timeout_ms;
	size_t got = 0;

	while (got < len) {
		uint64_t now = iotflash_now_ms();
		int n;
		if (now >= deadline)
			return IOTFLASH_ERR_TIMEOUT;
		n = rtl_recv(r, buf + got, len - got, (unsigned)(deadline - now));
		if (n < 0)
			return n;
		got += (size_t)n;
	}
	return IOTFLASH_OK;
}

int rtl_wait_byte(struct rtl *r, uint8_t want, unsigned timeout_ms)
{
	uint64_t deadline = iotflash_now_ms() + timeout_ms;

	for (;;) {
		uint64_t now = iotflash_now_ms();
		uint8_t b;
		int n;
		if (now >= deadline)
			return IOTFLASH_ERR_TIMEOUT;
		n = rtl_recv(r, &b, 1, (unsigned)(deadline - now));
		if (n < 0)
			return n;
		if (n == 1 && b == want)
			return IOTFLASH_OK;
	}
}

bool rtl_drain(struct rtl *r, unsigned quiet_ms, unsigned max_ms, int look_for)
{
	uint64_t stop = iotflash_now_ms() + max_ms;
	bool seen = false;
	uint8_t buf[256];

	while (iotflash_now_ms() < stop) {
		int n = rtl_recv_some(r, buf, sizeof buf, quiet_ms);
		if (n <= 0)
			break;
		for (int i = 0; i < n; i++)
			seen |= look_for < 0 || buf[i] == (uint8_t)look_for;
	}
	return seen;
}

int rtl_set_host_baud(struct rtl *r, uint32_t baud)
{
	int rc = iotflash_io_set_baud(r->dev, baud);
	if (rc < 0)
		return iotflash_fail(r->dev, IOTFLASH_ERR_BAUD, "the port refuses %u baud", (unsigned)baud);
	return IOTFLASH_OK;
}

int64_t rtl_param(const struct rtl *r, const char *key, int64_t fallback)
{
	int64_t v;
	return r->chip && iotflash_chip_param_int(r->chip, key, &v) ? v : fallback;
}

/* Read len bytes with a command that moves up to max_blocks sectors at once. */
int rtl_read_chunked(struct rtl *r, uint32_t addr, uint8_t *buf, uint32_t len, uint32_t max_blocks,
                     int (*cmd)(struct rtl *r, uint32_t addr, uint8_t *buf, uint16_t blocks))
{
	for (uint32_t off = 0; off < len;) {
		uint32_t n = len - off < max_blocks * RTL_SECTOR ? len - off : max_blocks * RTL_SECTOR;
		int rc = cmd(r, addr + off, buf + off, (uint16_t)(n / RTL_SECTOR));
		if (rc != IOTFLASH_OK)
			return rc;
		off += n;
	}
	return IOTFLASH_OK;
}

/* Change to r->target with try_baud, once.  A rate the chip does not take
 * is reported (IOTFLASH_ERR_BAUD, the chip found again at its old rate);
 * stepping down is the core's (docs/plugins.md, "Link rates"). */
int rtl_switch_baud(struct rtl *r, int (*try_baud)(struct rtl *r, uint32_t baud))
{
	int rc;

	if (r->baud == r->target)
		return IOTFLASH_OK;
	if ((rc = try_baud(r, r->target)) == IOTFLASH_OK)
		return IOTFLASH_OK;
	if (rc == IOTFLASH_ERR_NO_LINK)
		return iotflash_fail(r->dev, rc, "lost the chip while changing to %u baud", (unsigned)r->target);
	if (rc == IOTFLASH_ERR_BAUD)
		return iotflash_fail(r->dev, rc, "the chip did not take %u baud", (unsigned)r->target);
	return rc;
}

/* Back to the session's rate after an XMODEM session left the chip at its
 * own: one it no longer takes is a lost link (the core connects again and
 * proves the rate), not a reason to settle lower here. */
int rtl_resume_baud(struct rtl *r, int (*try_baud)(struct rtl *r, uint32_t baud))
{
	int rc = rtl_switch_baud(r, try_baud);

	if (rc == IOTFLASH_ERR_BAUD)
		return iotflash_fail(r->dev, IOTFLASH_ERR_NO_LINK, "the chip no longer takes %u baud", (unsigned)r->target);
	return rc;
}

int rtl_link_timeout(struct rtl *r, uint64_t start, bool *noticed)
{
	uint64_t elapsed = iotflash_now_ms() - start;

	if (iotflash_dev_cancelled(r->dev))
		return rtl_cancelled(r);
	if (!*noticed && elapsed >= LINK_NOTICE_MS) {
		iotflash_notice(r->dev, "waiting for the chip's download ROM: put the chip in download mode "
		                "now (see docs/rtl87xx.md: hold the strap pin, then reset or power-cycle)");
		*noticed = true;
	}
	if (elapsed >= LINK_TIMEOUT_MS)
		return iotflash_fail(r->dev, IOTFLASH_ERR_NO_LINK,
		                     "no answer from the chip's download ROM after %u s: check the wiring "
		                     "(adapter TX to the chip's log RX, RX to log TX, common GND), a strong "
		                     "3.3 V supply, and that the download strap was held during reset",
		                     LINK_TIMEOUT_MS / 1000);
	return IOTFLASH_OK;
}

/* ---- XMODEM sender ---- */

/* The receiver's answer to one frame: ACK, NAK, CAN, or 0 on timeout. */
static int xm_reply(struct rtl *r, unsigned timeout_ms)
{
	uint64_t deadline = iotflash_now_ms() + timeout_ms;

	for (;;) {
		uint64_t now = iotflash_now_ms();
		uint8_t b;
		int n;
		if (now >= deadline)
			return 0;
		n = rtl_recv(r, &b, 1, (unsigned)(deadline - now));
		if (n < 0)
			return n;
		if (n == 1 && (b == RTL_ACK || b == RTL_NAK || b == RTL_CAN))
			return b;
	}
}

static int xm_frame(struct rtl *r, const uint8_t *frame, size_t len, uint32_t where, const char *what)
{
	unsigned timeout = XM_REPLY_MS + iotflash_io_wire_ms(r->dev, len);

	for (unsigned t = 0; t < XM_TRIES; t++) {
		int rc;
		if (iotflash_dev_cancelled(r->dev))
			return rtl_cancelled(r);
		iotflash_io_flush_input(r->dev);
		if ((rc = rtl_send(r, frame, len)) != IOTFLASH_OK)
			return rc;
		rc = xm_reply(r, timeout);
		if (rc < 0)
			return rc;
		if (rc == RTL_ACK)
			return IOTFLASH_OK;
		if (rc == RTL_CAN)
			return iotflash_fail(r->dev, IOTFLASH_ERR_DEVICE, "%s at 0x%06x: the chip cancelled the transfer",
			                     what, (unsigned)where);
		iotflash_log(r->dev, IOTFLASH_LOG_DEBUG, "%s at 0x%06x: %s, sending the frame again", what,
		             (unsigned)where, rc == RTL_NAK ? "NAK" : "no answer");
	}
	return iotflash_fail(r->dev, IOTFLASH_ERR_CHECKSUM, "%s at 0x%06x: the chip refused the frame %u times",
	                     what, (unsigned)where, XM_TRIES);
}

int rtl_xm_send(struct rtl *r, bool with_addr, uint32_t addr, const uint8_t *data, uint32_t len,
                uint8_t pad, const char *what)
{
	uint8_t frame[RTL_XM_FRAME_MAX];
	uint8_t seq = 1;

	for (uint32_t off = 0; off < len; off += RTL_XM_DATA, seq++) {
		uint32_t n = len - off < RTL_XM_DATA ? len - off : RTL_XM_DATA;
		size_t flen = rtl_xm_frame(frame, seq, with_addr, addr + off, data + off, n, false, pad);
		int rc = xm_frame(r, frame, flen, addr + off, what);
		if (rc != IOTFLASH_OK)
			return rc;
	}
	return IOTFLASH_OK;
}

bool rtl_xm_end(struct rtl *r)
{
	static const uint8_t eot = RTL_EOT;

	for (int t = 0; t < 3; t++) {
		if (rtl_send(r, &eot, 1) != IOTFLASH_OK)
			return false;
		if (xm_reply(r, 1000) == RTL_ACK)
			return true;
	}
	return false;
}

/* ---- choosing the protocol ---- */

static enum rtl_proto proto_of(const struct iotflash_chip *chip)
{
	const char *p = chip ? chip->protocol : NULL;

	if (!p)
		return RTL_PROTO_UNKNOWN;
	if (strcasecmp(p, "ambz") == 0)
		return RTL_PROTO_AMBZ;
	if (strcasecmp(p, "ambz2") == 0)
		return RTL_PROTO_AMBZ2;
	if (strcasecmp(p, "ambd") == 0)
		return RTL_PROTO_AMBD;
	return RTL_PROTO_UNKNOWN;
}

static const struct rtl_ops *ops_of(enum rtl_proto p)
{
	switch (p) {
	case RTL_PROTO_AMBZ: return &rtl_ambz_ops;
	case RTL_PROTO_AMBZ2: return &rtl_ambz2_ops;
	case RTL_PROTO_AMBD: return &rtl_ambd_ops;
	default: return NULL;
	}
}

static const struct iotflash_chip *family_chip_of(struct rtl *r, enum rtl_proto p)
{
	const char *family = iotflash_dev_family(r->dev) ? iotflash_dev_family(r->dev) : RTL_FAMILY;
	const struct iotflash_chip *c;

	for (unsigned i = 0; (c = iotflash_db_family_chip(r->dev, family, i)) != NULL; i++)
		if (proto_of(c) == p)
			return c;
	return NULL;
}

/* One probe round for `-c rtl87xx`: the AmebaZ2 shell answers `ping`, an
 * AmebaD ROM beacons at 115200, an AmebaZ ROM at 1 500 000 (§1.1, §7.2). */
static enum rtl_proto probe_round(struct rtl *r)
{
	static const char ping[] = "\nping\n";
	uint8_t buf[256];
	size_t got = 0;
	uint64_t stop;

	if (iotflash_io_set_baud(r->dev, 115200) == 0) {
		iotflash_io_flush_input(r->dev);
		rtl_send(r, ping, sizeof ping - 1);
		stop = iotflash_now_ms() + PROBE_PING_MS;
		while (got < sizeof buf && iotflash_now_ms() < stop) {
			int n = rtl_recv_some(r, buf + got, sizeof buf - got, 20);
			if (n < 0)
				return RTL_PROTO_UNKNOWN;
			got += (size_t)n;
		}
		if (rtl_find(buf, got, "ping") || rtl_find(buf, got, "$8710c"))
			return RTL_PROTO_AMBZ2;
		if (memchr(buf, RTL_NAK, got))
			return RTL_PROTO_AMBD;
	}
	if (iotflash_io_set_baud(r->dev, PROBE_ROM_BAUD) == 0) {
		iotflash_io_flush_input(r->dev);
		if (rtl_drain(r, PROBE_BEACON_MS, PROBE_BEACON_MS, RTL_NAK))
			return RTL_PROTO_AMBZ;
	}
	return RTL_PROTO_UNKNOWN;
}

static int probe_protocol(struct rtl *r)
{
	uint64_t start = iotflash_now_ms();
	bool noticed = false;

	for (;;) {
		enum rtl_proto p = probe_round(r);
		int rc;
		if (p != RTL_PROTO_UNKNOWN) {
			r->proto = p;
			r->chip = family_chip_of(r, p);
			if (!r->chip)
				return iotflash_fail(r->dev, IOTFLASH_ERR_UNKNOWN_CHIP,
				                     "the chip answered, but no chip of this protocol is in the database");
			iotflash_log(r->dev, IOTFLASH_LOG_INFO, "the line looks like %s", r->chip->description);
			return IOTFLASH_OK;
		}
		if ((rc = rtl_link_timeout(r, start, &noticed)) != IOTFLASH_OK)
			return rc;
	}
}

/* ---- vtable ---- */

static void setup_chip(struct rtl *r)
{
	const struct iotflash_param *p = iotflash_chip_param(r->chip, "baud_table");

	r->link_baud = r->chip->link_baud ? r->chip->link_baud : 115200;
	r->baud = r->link_baud;
	r->flash_size = r->chip->flash_size;
	r->flash_map = (uint32_t)rtl_param(r, "flash_map", 0x08000000);
	r->rates = p && p->type == IOTFLASH_PARAM_INT_LIST ? p->ints : NULL;
	r->n_rates = r->rates ? p->n : 0;
}

static int op_open(struct iotflash_dev *dev, void **priv)
{
	struct rtl *r = calloc(1, sizeof *r);
	int rc;

	if (!r)
		return iotflash_fail(dev, IOTFLASH_ERR_NOMEM, "out of memory");
	r->dev = dev;
	r->chip = iotflash_dev_chip(dev);
	r->proto = proto_of(r->chip);
	if (r->chip && r->proto == RTL_PROTO_UNKNOWN) {
		rc = iotflash_fail(dev, IOTFLASH_ERR_CHIPDB, "%s: protocol '%s' is not one of ambz, ambz2, ambd",
		                   r->chip->name, r->chip->protocol ? r->chip->protocol : "");
		goto fail;
	}
	if (!r->chip && (rc = probe_protocol(r)) != IOTFLASH_OK)
		goto fail;
	setup_chip(r);
	r->target = iotflash_dev_target_baud(dev) ? iotflash_dev_target_baud(dev) : r->chip->max_baud;
	if ((rc = ops_of(r->proto)->link(r)) != IOTFLASH_OK)
		goto fail;
	*priv = r;
	return IOTFLASH_OK;
fail:
	free(r);
	return rc;
}

static void op_close(void *priv)
{
	struct rtl *r = priv;

	if (!r)
		return;
	ops_of(r->proto)->close(r);
	iotflash_io_drain(r->dev);
	free(r);
}

static int op_detect(void *priv, struct iotflash_chip_info *info)
{
	struct rtl *r = priv;
	int rc = ops_of(r->proto)->detect(r, info);

	if (rc == IOTFLASH_OK && info->flash_size)
		r->flash_size = info->flash_size;
	return rc;
}

static int check_range(struct rtl *r, uint32_t addr, uint32_t len, uint32_t unit)
{
	if (addr % unit || len % unit)
		return iotflash_fail(r->dev, IOTFLASH_ERR_ALIGN, "0x%x+0x%x is not aligned to 0x%x",
		                     (unsigned)addr, (unsigned)len, (unsigned)unit);
	if (addr >= 1u << 24 || len > (1u << 24) - addr)
		return iotflash_fail(r->dev, IOTFLASH_ERR_RANGE, "0x%x+0x%x is beyond the 16 MiB the ROM can address",
		                     (unsigned)addr, (unsigned)len);
	return IOTFLASH_OK;
}

static int op_read(void *priv, uint32_t addr, uint8_t *buf, uint32_t len)
{
	struct rtl *r = priv;
	int rc = check_range(r, addr, len, RTL_SECTOR);
	return rc ? rc : ops_of(r->proto)->read(r, addr, buf, len);
}

static int op_write(void *priv, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	struct rtl *r = priv;
	int rc = check_range(r, addr, len, RTL_SECTOR);
	return rc ? rc : ops_of(r->proto)->write(r, addr, buf, len);
}

static int op_erase(void *priv, uint32_t addr, uint32_t len)
{
	struct rtl *r = priv;
	int rc = check_range(r, addr, len, RTL_SECTOR);
	return rc ? rc : ops_of(r->proto)->erase(r, addr, len);
}

static int op_verify(void *priv, uint32_t addr, uint32_t len, uint8_t sum[IOTFLASH_SUM_MAX])
{
	struct rtl *r = priv;
	const struct rtl_ops *ops = ops_of(r->proto);

	if (!ops->verify)
		return iotflash_fail(r->dev, IOTFLASH_ERR_UNSUPPORTED,
		                     "%s's download ROM has no checksum command", r->chip->name);
	return ops->verify(r, addr, len, sum);
}

const struct iotflash_driver rtl87xx_driver = {
	.name = "rtl87xx",
	.description = "Realtek Ameba download ROMs (AmebaZ binary ROM, AmebaZ2 shell, AmebaD ROM + flash loader)",
	.open = op_open,
	.close = op_close,
	.detect = op_detect,
	.read = op_read,
	.write = op_write,
	.erase = op_erase,
	.verify = op_verify,
};
