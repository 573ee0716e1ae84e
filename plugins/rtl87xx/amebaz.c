/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* AmebaZ (RTL8710B): the mask ROM's binary download protocol (§1, §2).
 * No RAM code is run: reads use 0x19 (raw 1 KiB chunks), writes the
 * address-XMODEM (the ROM erases as it goes), erases 0x17.  The ROM has no
 * checksum, so the core verifies by reading back. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "driver.h"

#define BEACON_LISTEN_MS 150      /* beacons come every 50 ms (§1.1) */
#define QUIET_SILENCE_MS 60       /* more than one beacon period (50 ms +- 5) */
#define QUIET_TRIES 10
#define ACK_MS 300                /* a command is answered within a beacon slot */
#define CHUNK_MARGIN_MS 200
#define READ_BLOCKS_MAX 16        /* 64 KiB per 0x19 command */
#define QUERY_TRIES 3
#define PARAM_WAIT_MS 600         /* > the ROM's 0.5 s wait for missing parameter bytes */
#define ERASE_SECTOR_MS 500
#define XM_START_NAK_MS 100       /* the session NAK comes ~1 ms after the ACK */
#define SR1_PROTECT 0x7Cu         /* BP0-BP4 (§1.3 status forms) */
#define SYSDATA_SIZE_WORD 0x26    /* system data: flash size (MiB << 10) - 1 (§8) */

static const uint8_t link_reset[] = { RTL_CAN, RTL_CMD_XMODEM, RTL_CAN };  /* §2.1 */

/* Listen at one rate for the beacon. */
static bool beacon_at(struct rtl *r, uint32_t baud)
{
	if (iotflash_io_set_baud(r->dev, baud) < 0)
		return false;
	iotflash_io_flush_input(r->dev);
	if (rtl_wait_byte(r, RTL_NAK, BEACON_LISTEN_MS) != IOTFLASH_OK)
		return false;
	r->baud = baud;
	return true;
}

/* Find the beacon at the ROM rate or at the target (a run that ended
 * without resetting the chip); `18 07 18` ends a stale XMODEM session and
 * brings the ROM back to 1.5 Mbaud (§2.1). */
static int ambz_find(struct rtl *r)
{
	uint64_t start = iotflash_now_ms();
	bool noticed = false;

	for (unsigned round = 0;; round++) {
		int rc;
		if (beacon_at(r, r->link_baud) || (r->target != r->link_baud && beacon_at(r, r->target)))
			return IOTFLASH_OK;
		if (round % 2 == 0 && iotflash_io_set_baud(r->dev, r->link_baud) == 0)
			rtl_send(r, link_reset, sizeof link_reset);
		if ((rc = rtl_link_timeout(r, start, &noticed)) != IOTFLASH_OK)
			return rc;
	}
}

/* `05 idx` -> `06` at the old rate; the ROM beacons at the new one. */
static int ambz_try_baud(struct rtl *r, uint32_t baud)
{
	int idx = rtl_baud_index(r->rates, r->n_rates, baud);
	uint8_t req[2];
	uint32_t old = r->baud;

	if (idx < 0)
		return iotflash_fail(r->dev, IOTFLASH_ERR_BAUD, "%u baud is not in the ROM's rate table", (unsigned)baud);
	iotflash_io_flush_input(r->dev);
	rtl_send(r, req, rtl_req_baud(req, (uint8_t)idx));
	if (rtl_wait_byte(r, RTL_ACK, ACK_MS) == IOTFLASH_OK && beacon_at(r, baud))
		return IOTFLASH_OK;
	/* No ACK, or no beacon at the new rate: find the chip again. */
	if (beacon_at(r, old) || beacon_at(r, baud))
		return IOTFLASH_ERR_BAUD;
	return ambz_find(r) == IOTFLASH_OK ? IOTFLASH_ERR_BAUD : IOTFLASH_ERR_NO_LINK;
}

static int ambz_switch(struct rtl *r)
{
	return rtl_switch_baud(r, ambz_try_baud);
}

/* ---- the community RTL8710B stub (§2.5, §6) ---- */

#define STUB_LOAD 0x10002000u     /* the ROM runs RAM uploads from the word here (§1.4) */
#define STUB_BAUD 115200u
#define STUB_PROBE_MS 300

/* A loader file the database does not know is taken as the RTL8710B stub:
 * the only loader the database lists for this chip (Realtek's imgtool
 * loader) is not one this driver runs. */
static bool stub_wanted(struct rtl *r, const uint8_t **code, size_t *len)
{
	if (iotflash_dev_loader(r->dev, code, len) != IOTFLASH_OK)
		return false;
	if (iotflash_dev_loader_info(r->dev)) {
		iotflash_log(r->dev, IOTFLASH_LOG_INFO, "%s is not the RTL8710B stub: reading through the ROM",
		             iotflash_dev_loader_info(r->dev)->name);
		return false;
	}
	return true;
}

/* A stub left running by an earlier session answers at 115200 or at the
 * session's rate. */
static bool stub_running(struct rtl *r)
{
	uint32_t jedec;

	if (iotflash_io_set_baud(r->dev, STUB_BAUD) == 0 && a5_probe(&r->a5h, &jedec, STUB_PROBE_MS)) {
		r->baud = STUB_BAUD;
		return true;
	}
	if (r->target != STUB_BAUD && iotflash_io_set_baud(r->dev, r->target) == 0 &&
	    a5_probe(&r->a5h, &jedec, STUB_PROBE_MS)) {
		r->baud = r->target;
		return true;
	}
	return false;
}

/* `07` + address-XMODEM to 0x10002000; the ROM jumps into it after EOT and
 * loses that ACK (§1.4), and the stub talks at 115200. */
static int stub_upload(struct rtl *r, const uint8_t *code, size_t len)
{
	static const uint8_t start = RTL_CMD_XMODEM, eot = RTL_EOT;
	uint32_t jedec;
	int rc;

	iotflash_io_flush_input(r->dev);
	rtl_send(r, &start, 1);
	if (rtl_wait_byte(r, RTL_ACK, ACK_MS) != IOTFLASH_OK)
		return iotflash_fail(r->dev, IOTFLASH_ERR_TIMEOUT, "stub upload: the ROM did not start XMODEM");
	rtl_wait_byte(r, RTL_NAK, XM_START_NAK_MS);
	if ((rc = rtl_xm_send(r, true, STUB_LOAD, code, (uint32_t)len, 0xFF, "stub upload")) != IOTFLASH_OK)
		return rc;
	rtl_send(r, &eot, 1);
	iotflash_io_drain(r->dev);
	iotflash_sleep_ms(r->dev, 20);
	if (rtl_set_host_baud(r, STUB_BAUD) != IOTFLASH_OK)
		return IOTFLASH_ERR_BAUD;
	r->baud = STUB_BAUD;
	for (int i = 0; i < 3; i++)
		if (a5_probe(&r->a5h, &jedec, STUB_PROBE_MS))
			return IOTFLASH_OK;
	return iotflash_fail(r->dev, IOTFLASH_ERR_NO_LINK,
	                     "the stub did not answer after the upload: is the --loader file the RTL8710B stub?");
}

/* 07 to the session's rate; a rate the stub does not take leaves it where
 * it answers, and the core steps down (docs/plugins.md §6). */
static int stub_raise(struct rtl *r)
{
	uint32_t jedec;

	if (r->target == r->baud)
		return IOTFLASH_OK;
	if (a5_set_baud(&r->a5h, r->target) == IOTFLASH_OK) {
		r->baud = r->target;
		return IOTFLASH_OK;
	}
	if (a5_probe(&r->a5h, &jedec, STUB_PROBE_MS)) {
		r->baud = r->target;
		return IOTFLASH_OK;
	}
	if (iotflash_io_set_baud(r->dev, r->baud) == 0 && a5_probe(&r->a5h, &jedec, STUB_PROBE_MS))
		return iotflash_fail(r->dev, IOTFLASH_ERR_BAUD, "the stub did not take %u baud", (unsigned)r->target);
	return iotflash_fail(r->dev, IOTFLASH_ERR_NO_LINK, "lost the stub while changing to %u baud", (unsigned)r->target);
}

/* With the stub at hand: it replaces the ROM for the whole session (reads,
 * writes, erases, SHA-256); the core proves by its SHA-256. */
static int stub_link(struct rtl *r, const uint8_t *code, size_t len)
{
	int rc;

	r->a5h.dev = r->dev;
	if (stub_running(r)) {
		iotflash_log(r->dev, IOTFLASH_LOG_INFO, "the RTL8710B stub is already running at %u baud", (unsigned)r->baud);
	} else if ((rc = ambz_find(r)) != IOTFLASH_OK || (rc = stub_upload(r, code, len)) != IOTFLASH_OK) {
		return rc;
	}
	iotflash_dev_answered(r->dev);
	r->a5 = true;
	iotflash_dev_set_checksum(r->dev, IOTFLASH_SUM_SHA256);
	if ((rc = stub_raise(r)) == IOTFLASH_OK)
		iotflash_log(r->dev, IOTFLASH_LOG_INFO, "RTL8710B stub at %u baud", (unsigned)r->baud);
	return rc;
}

static int ambz_link(struct rtl *r)
{
	const uint8_t *code;
	size_t len;
	int rc;

	if (stub_wanted(r, &code, &len))
		return stub_link(r, code, len);
	rc = ambz_find(r);
	if (rc == IOTFLASH_OK)
		rc = ambz_switch(r);
	if (rc == IOTFLASH_OK)
		iotflash_log(r->dev, IOTFLASH_LOG_INFO, "AmebaZ ROM at %u baud", (unsigned)r->baud);
	return rc;
}

/* ACK until the beacon stops (Quiet-Handshake, §1.1), so that no NAK lands
 * in the raw data of a 0x19 read or in a status byte. */
static int ambz_quiet(struct rtl *r)
{
	static const uint8_t ack = RTL_ACK;

	for (int t = 0; t < QUIET_TRIES; t++) {
		uint8_t b;
		int n;
		if (rtl_send(r, &ack, 1) != IOTFLASH_OK)
			break;
		n = rtl_recv(r, &b, 1, QUIET_SILENCE_MS);
		if (n < 0)
			return n;
		if (n == 0)
			return IOTFLASH_OK;
		rtl_drain(r, 5, QUIET_SILENCE_MS, -1);
	}
	return iotflash_fail(r->dev, IOTFLASH_ERR_NO_LINK, "the ROM does not stop beaconing");
}

/* After a failed chunk: ACK the rest of the command away so that the ROM
 * returns to its command loop (as ltchiptool does). */
static void ambz_abort_read(struct rtl *r, unsigned chunks_left)
{
	static const uint8_t ack = RTL_ACK;

	for (unsigned i = 0; i < chunks_left; i++) {
		rtl_send(r, &ack, 1);
		if (!rtl_drain(r, 30, 500, -1))
			break;
	}
	rtl_drain(r, 30, 500, -1);
}

static int ambz_read_cmd(struct rtl *r, uint32_t addr, uint8_t *buf, uint16_t blocks)
{
	static const uint8_t ack = RTL_ACK;
	unsigned chunks = blocks * (RTL_SECTOR / RTL_ROM_CHUNK);
	unsigned timeout = iotflash_io_wire_ms(r->dev, RTL_ROM_CHUNK) + CHUNK_MARGIN_MS;
	uint8_t req[6];
	int rc = ambz_quiet(r);

	if (rc != IOTFLASH_OK)
		return rc;
	rtl_send(r, req, rtl_req_range(req, RTL_CMD_ROM_READ, addr, blocks));
	for (unsigned i = 0; i < chunks; i++) {
		int n = rtl_recv_some(r, buf + i * RTL_ROM_CHUNK, 1, timeout);
		rc = n < 0 ? n : n == 0 ? IOTFLASH_ERR_TIMEOUT
		         : rtl_recv_exact(r, buf + i * RTL_ROM_CHUNK + 1, RTL_ROM_CHUNK - 1, timeout);
		if (rc != IOTFLASH_OK) {
			if (i == 0 && n == 0)
				rtl_drain(r, PARAM_WAIT_MS, PARAM_WAIT_MS * 2, -1);  /* the command itself was lost */
			else
				ambz_abort_read(r, chunks - i);
			return iotflash_fail(r->dev, rc, "read at 0x%06x: the chip sent less than 1 KiB",
			                     (unsigned)(addr + i * RTL_ROM_CHUNK));
		}
		if ((rc = rtl_send(r, &ack, 1)) != IOTFLASH_OK)
			return rc;
	}
	return IOTFLASH_OK;
}

static int ambz_read(struct rtl *r, uint32_t addr, uint8_t *buf, uint32_t len)
{
	if (r->a5) {
		int rc = a5_read(&r->a5h, addr, buf, len);
		if (rc != IOTFLASH_OK && rc != IOTFLASH_ERR_CANCELLED)
			a5_recover(&r->a5h, false);
		return rc;
	}
	return rtl_read_chunked(r, addr, buf, len, READ_BLOCKS_MAX, ambz_read_cmd);
}

/* `21` -> SR1 (ROM form, §1.3). */
static int ambz_read_sr1(struct rtl *r, uint8_t *sr1)
{
	static const uint8_t req = RTL_CMD_SPI_READ;
	int rc = ambz_quiet(r);

	if (rc != IOTFLASH_OK)
		return rc;
	rtl_send(r, &req, 1);
	rc = rtl_recv_exact(r, sr1, 1, ACK_MS);
	if (rc != IOTFLASH_OK)
		return iotflash_fail(r->dev, rc, "no answer to the status-register read");
	return IOTFLASH_OK;
}

/* `26 vv` -> `06`. */
static int ambz_write_sr1(struct rtl *r, uint8_t value)
{
	const uint8_t req[2] = { 0x26, value };

	iotflash_io_flush_input(r->dev);
	rtl_send(r, req, sizeof req);
	if (rtl_wait_byte(r, RTL_ACK, ACK_MS) != IOTFLASH_OK)
		return iotflash_fail(r->dev, IOTFLASH_ERR_TIMEOUT, "no answer to the status-register write");
	return IOTFLASH_OK;
}

/* Clear the block-protect bits before changing the flash; close() restores them. */
static int ambz_unprotect(struct rtl *r)
{
	int rc;

	if (!r->sr1_known || !(r->sr1 & SR1_PROTECT) || r->sr1_changed)
		return IOTFLASH_OK;
	iotflash_log(r->dev, IOTFLASH_LOG_INFO, "clearing the flash write protection (SR1 0x%02x)", r->sr1);
	if ((rc = ambz_write_sr1(r, (uint8_t)(r->sr1 & ~SR1_PROTECT))) != IOTFLASH_OK)
		return rc;
	r->sr1_changed = true;
	return IOTFLASH_OK;
}

/* Flash size from the system data (§8): (MiB << 10) - 1, 0xFFFF = 2 MiB. */
static uint32_t sysdata_size(const uint8_t *sys)
{
	uint32_t v = (uint32_t)sys[SYSDATA_SIZE_WORD] | (uint32_t)sys[SYSDATA_SIZE_WORD + 1] << 8;
	uint32_t mib = (v + 1) >> 10;

	if (v == 0xFFFF)
		return 2u << 20;
	if (((v + 1) & 0x3FF) || !mib || (mib & (mib - 1)) || mib > 16)
		return 0;
	return mib << 20;
}

/* Capacity byte to bytes: 0x32..0x3B are 0x20 too high (§6 FLASH_ID). */
static uint32_t stub_capacity(uint8_t c)
{
	if (c >= 0x32 && c <= 0x3B)
		c = (uint8_t)(c - 0x20);
	return c >= 0x10 && c <= 0x1B ? 1u << c : 0;
}

static int stub_detect(struct rtl *r, struct iotflash_chip_info *info)
{
	uint32_t jedec;
	int rc = a5_flash_id(&r->a5h, &jedec);

	if (rc != IOTFLASH_OK)
		return rc;
	info->chip = r->chip;
	info->flash_id = jedec;
	info->flash = iotflash_db_flash(r->dev, jedec);
	info->flash_size = info->flash ? info->flash->size : stub_capacity((uint8_t)(jedec >> 16));
	if (!info->flash_size)
		info->flash_size = r->chip->flash_size;
	snprintf(info->loader_version, sizeof info->loader_version, "RTL8710B stub (A5 frames)");
	return IOTFLASH_OK;
}

static int ambz_detect(struct rtl *r, struct iotflash_chip_info *info)
{
	uint8_t sys[RTL_SECTOR];
	uint32_t sys_addr = (uint32_t)rtl_param(r, "system_data", 0x9000);
	uint32_t size;
	int rc;

	if (r->a5)
		return stub_detect(r, info);
	info->chip = r->chip;
	snprintf(info->loader_version, sizeof info->loader_version, "AmebaZ download ROM");
	for (unsigned t = 0; t < QUERY_TRIES; t++)
		if ((rc = ambz_read_sr1(r, &r->sr1)) == IOTFLASH_OK)
			break;
	if (rc != IOTFLASH_OK)
		return rc;
	r->sr1_known = true;
	/* Raw data: two equal reads make it trustworthy. */
	for (unsigned t = 0; t < QUERY_TRIES; t++) {
		uint8_t again[RTL_SECTOR];
		if ((rc = ambz_read(r, sys_addr, sys, sizeof sys)) == IOTFLASH_OK &&
		    (rc = ambz_read(r, sys_addr, again, sizeof again)) == IOTFLASH_OK &&
		    memcmp(sys, again, sizeof sys) == 0)
			break;
		rc = rc ? rc : iotflash_fail(r->dev, IOTFLASH_ERR_PROTOCOL, "two reads of the system data differ");
	}
	if (rc != IOTFLASH_OK)
		return rc;
	size = sysdata_size(sys);
	info->flash_size = size ? size : r->chip->flash_size;
	snprintf(info->extra, sizeof info->extra, "flash SR1 0x%02x; size %s", r->sr1,
	         size ? "from the system data at 0x9000" : "not in the system data (database default)");
	return IOTFLASH_OK;
}

static int ambz_after_session(struct rtl *r)
{
	/* The ROM is back at 1.5 Mbaud after any XMODEM session (§1.2). */
	r->baud = r->link_baud;
	if (!beacon_at(r, r->link_baud)) {
		int rc = ambz_find(r);
		if (rc != IOTFLASH_OK)
			return rc;
	}
	return rtl_resume_baud(r, ambz_try_baud);
}

static int ambz_write(struct rtl *r, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	static const uint8_t start = RTL_CMD_XMODEM;
	int rc, rc2;

	if (r->a5) {  /* 0x91 erases the range itself */
		if ((rc = a5_write(&r->a5h, addr, buf, len)) != IOTFLASH_OK && rc != IOTFLASH_ERR_CANCELLED)
			a5_recover(&r->a5h, true);
		return rc;
	}
	rc = ambz_unprotect(r);

	if (rc != IOTFLASH_OK)
		return rc;
	iotflash_io_flush_input(r->dev);
	rtl_send(r, &start, 1);
	if (rtl_wait_byte(r, RTL_ACK, ACK_MS) != IOTFLASH_OK)
		return iotflash_fail(r->dev, IOTFLASH_ERR_TIMEOUT, "write at 0x%06x: the ROM did not start XMODEM",
		                     (unsigned)addr);
	rtl_wait_byte(r, RTL_NAK, XM_START_NAK_MS);  /* the session's first NAK, if it comes */
	/* Frames go in ascending order: the ROM erases each sector once (§1.4). */
	rc = rtl_xm_send(r, true, r->flash_map + addr, buf, len, 0xFF, "write");
	if (rc != IOTFLASH_OK) {
		static const uint8_t can = RTL_CAN;
		rtl_send(r, &can, 1);
	} else if (!rtl_xm_end(r)) {
		iotflash_log(r->dev, IOTFLASH_LOG_DEBUG, "no ACK for EOT; the data is checked by the core anyway");
	}
	rc2 = ambz_after_session(r);
	return rc != IOTFLASH_OK ? rc : rc2;
}

static int ambz_erase(struct rtl *r, uint32_t addr, uint32_t len)
{
	uint16_t sectors = (uint16_t)(len / RTL_SECTOR);
	uint8_t req[6];
	int rc;

	if (r->a5)
		return a5_erase(&r->a5h, addr, len);
	rc = ambz_unprotect(r);

	if (rc != IOTFLASH_OK)
		return rc;
	iotflash_io_flush_input(r->dev);
	rtl_send(r, req, rtl_req_range(req, RTL_CMD_ERASE, addr, sectors));
	if (rtl_wait_byte(r, RTL_ACK, ACK_MS + sectors * ERASE_SECTOR_MS) != IOTFLASH_OK)
		return iotflash_fail(r->dev, IOTFLASH_ERR_TIMEOUT, "erase at 0x%06x: no answer from the chip",
		                     (unsigned)addr);
	return IOTFLASH_OK;
}

/* SHA-256 by the stub; the ROM has no checksum (the core reads back). */
static int ambz_verify(struct rtl *r, uint32_t addr, uint32_t len, uint8_t *sum)
{
	if (!r->a5)
		return iotflash_fail(r->dev, IOTFLASH_ERR_UNSUPPORTED, "the AmebaZ ROM has no checksum command");
	return a5_sha256(&r->a5h, addr, len, sum);
}

static void ambz_close(struct rtl *r)
{
	if (r->a5) {  /* back to 115200, where the next session finds the stub */
		if (r->baud != STUB_BAUD && a5_set_baud(&r->a5h, STUB_BAUD) != IOTFLASH_OK)
			iotflash_io_set_baud(r->dev, STUB_BAUD);
		return;
	}
	if (r->sr1_changed && ambz_write_sr1(r, r->sr1) != IOTFLASH_OK)
		iotflash_log(r->dev, IOTFLASH_LOG_WARN, "could not restore the flash write protection");
	/* Leave the ROM at its own rate so the next run finds it at once. */
	if (r->baud != r->link_baud) {
		r->target = r->link_baud;
		ambz_switch(r);
	}
}

const struct rtl_ops rtl_ambz_ops = {
	.link = ambz_link,
	.detect = ambz_detect,
	.read = ambz_read,
	.write = ambz_write,
	.erase = ambz_erase,
	.verify = ambz_verify,
	.close = ambz_close,
};
