/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* ECR6600 chip driver: ROM sync and stub upload (docs/protocols/eswin.md
 * §2.1, cited as §N), then the A5 stub (§2.2-§2.7) through the shared
 * helpers of plugins/common/a5stub.h.  Policy (retries, skipping,
 * verification, protected regions) is the core's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iotflash/plugin.h>

#include "../common/a5stub.h"
#include "protocol.h"

#define FAMILY            "eswin"
#define LINK_BAUD         115200
#define PROBE_MS          200     /* GUI: 0.2 s for 0x90 (§2.1 step 1) */
#define SYNC_TRY_MS       50      /* one `cnys` try (§2.1 step 3) */
#define SYNC_NOTICE_MS    3000
#define SYNC_TIMEOUT_MS   25000
#define HEADER_TRIES      10
#define HEADER_MS         200
#define STUB_START_MS     1000    /* first 0x90 after the upload */
#define CHIP_ERASE_MS     30000
#define READ_LEVEL        2       /* the GUI's 0x96 level for ECR6600 (§2.6) */

struct ecr {
	struct iotflash_dev *dev;
	struct a5_host h;
	uint32_t jedec;
	uint32_t link_baud;
	bool compress;             /* the stub serves 0x96/0x97 (chipdb param `compress`) */
};

static int send(struct ecr *e, const void *buf, size_t len)
{
	int rc = iotflash_io_write(e->dev, buf, len);
	return rc < 0 ? iotflash_fail(e->dev, rc, "cannot write to the port") : IOTFLASH_OK;
}

/* The GUI's reset pulse (§1.2): RTS pulls ResetB low.  Ptys have no lines. */
static void reset_pulse(struct ecr *e)
{
	if (iotflash_io_set_lines(e->dev, 0, 1) != IOTFLASH_OK)
		return;
	iotflash_sleep_ms(e->dev, 50);
	iotflash_io_set_lines(e->dev, 1, 0);
	iotflash_sleep_ms(e->dev, 50);
	iotflash_io_set_lines(e->dev, 0, -1);
}

/* `cnys` until the ROM answers 01 (or FF, which the GUI accepts too, §2.1). */
static int rom_sync(struct ecr *e)
{
	uint64_t start = iotflash_now_ms();
	bool told = false;
	int rc;

	reset_pulse(e);
	while (iotflash_now_ms() - start < SYNC_TIMEOUT_MS) {
		uint8_t b;
		int n;
		if (iotflash_dev_cancelled(e->dev))
			return iotflash_fail(e->dev, IOTFLASH_ERR_CANCELLED, "cancelled");
		if ((rc = send(e, eswin_sync, ESWIN_SYNC_LEN)) != IOTFLASH_OK)
			return rc;
		n = iotflash_io_read(e->dev, &b, 1, SYNC_TRY_MS);
		if (n < 0)
			return iotflash_fail(e->dev, n, "cannot read from the port");
		if (n == 1 && (b == ESWIN_SYNC_ROM || b == ESWIN_RESP_FAIL))
			return IOTFLASH_OK;
		if (!told && iotflash_now_ms() - start > SYNC_NOTICE_MS) {
			iotflash_notice(e->dev, "no answer yet: reset the ECR6600 (pull RST low) or power-cycle it now");
			told = true;
		}
	}
	return iotflash_fail(e->dev, IOTFLASH_ERR_NO_LINK,
	                     "no ECR6600 ROM answered `cnys` at %u baud in %u s: check wiring (TX0=GPIO6, RX0=GPIO5) "
	                     "and reset the chip while iotflash waits",
	                     LINK_BAUD, SYNC_TIMEOUT_MS / 1000);
}

/* Header, `00`, then the whole stub with no framing (§2.1 step 4). */
static int upload_stub(struct ecr *e, size_t *sent)
{
	uint8_t head[ESWIN_HEADER_LEN], zeros[8] = { 0 };
	const uint8_t *data;
	size_t len;
	int rc;

	if ((rc = iotflash_dev_loader(e->dev, &data, &len)) != IOTFLASH_OK)
		return rc;
	eswin_encode_header(head, ESWIN_ROM_TYPE_RAM, ESWIN_ECR_LOAD_ADDR, (uint32_t)len);
	iotflash_io_flush_input(e->dev);
	for (int i = 0; i < HEADER_TRIES; i++) {
		uint8_t b;
		int n;
		if ((rc = send(e, head, sizeof head)) != IOTFLASH_OK)
			return rc;
		n = iotflash_io_read(e->dev, &b, 1, HEADER_MS);
		if (n < 0)
			return iotflash_fail(e->dev, n, "cannot read from the port");
		if (n == 1 && b == ESWIN_RESP_OK) {
			if ((rc = send(e, data, len)) != IOTFLASH_OK)
				return rc;
			*sent = len;
			iotflash_io_drain(e->dev);
			iotflash_sleep_ms(e->dev, 10);
			iotflash_io_flush_input(e->dev);
			return IOTFLASH_OK;
		}
		if (n == 0 && (rc = send(e, zeros, sizeof zeros)) != IOTFLASH_OK)  /* finish a half-read header */
			return rc;
	}
	return iotflash_fail(e->dev, IOTFLASH_ERR_PROTOCOL, "the ECR6600 ROM did not accept the stub's load header");
}

/* The fastest rate asked for that the stub takes, else stay at 115200. */
static int raise_baud(struct ecr *e)
{
	uint32_t target = iotflash_dev_target_baud(e->dev), jedec;
	int rc;

	if (target == 0 || target == e->link_baud)
		return IOTFLASH_OK;
	if ((rc = a5_set_baud(&e->h, target)) == IOTFLASH_OK)
		return IOTFLASH_OK;
	/* Where did the stub end up?  Ask at both rates. */
	if (a5_probe(&e->h, &jedec, PROBE_MS))
		return IOTFLASH_OK;
	iotflash_io_set_baud(e->dev, e->link_baud);
	if (a5_probe(&e->h, &jedec, PROBE_MS)) {
		iotflash_log(e->dev, IOTFLASH_LOG_WARN, "%u baud failed; staying at %u", (unsigned)target,
		             (unsigned)e->link_baud);
		return IOTFLASH_OK;
	}
	return rc;
}

/* A stub left running (by this session before a reconnect, or by one that
 * ended without close) answers at 115200 or at the rate it was raised to. */
static bool stub_running(struct ecr *e)
{
	uint32_t target = iotflash_dev_target_baud(e->dev);
	if (a5_probe(&e->h, &e->jedec, PROBE_MS))
		return true;
	if (target && target != e->link_baud && iotflash_io_set_baud(e->dev, target) == IOTFLASH_OK) {
		if (a5_probe(&e->h, &e->jedec, PROBE_MS))
			return true;
		iotflash_io_set_baud(e->dev, e->link_baud);
	}
	return false;
}

static int ecr_open(struct iotflash_dev *dev, void **priv)
{
	const struct iotflash_chip *chip = iotflash_dev_chip(dev);
	struct ecr *e = calloc(1, sizeof(*e));
	int rc;

	if (!e)
		return iotflash_fail(dev, IOTFLASH_ERR_NOMEM, "out of memory");
	e->dev = dev;
	e->h.dev = dev;
	e->link_baud = chip && chip->link_baud ? chip->link_baud : LINK_BAUD;
	e->compress = true;
	if (chip)
		iotflash_chip_param_bool(chip, "compress", &e->compress);
	if ((rc = iotflash_io_set_baud(dev, e->link_baud)) != IOTFLASH_OK) {
		rc = iotflash_fail(dev, rc, "the port refuses %u baud", (unsigned)e->link_baud);
		goto fail;
	}
	if (stub_running(e)) {
		iotflash_log(dev, IOTFLASH_LOG_INFO, "the stub is already running at %u baud", (unsigned)iotflash_io_baud(dev));
	} else {
		size_t len = 0;
		if ((rc = rom_sync(e)) != IOTFLASH_OK || (rc = upload_stub(e, &len)) != IOTFLASH_OK)
			goto fail;
		/* write() returns before the stub has left the adapter, and the stub
		 * drops what arrives before it starts: wait, then ask a few times. */
		iotflash_sleep_ms(dev, iotflash_io_wire_ms(dev, len) + 20);
		bool up = false;
		for (int i = 0; i < 3 && !up; i++)
			up = a5_probe(&e->h, &e->jedec, STUB_START_MS / 3);
		if (!up) {
			rc = iotflash_fail(dev, IOTFLASH_ERR_NO_LINK,
			                   "the stub did not answer after the upload: the ROM takes it with no checksum, so a "
			                   "byte garbled on the line or a --loader file that is not the ECR6600 stub leaves the chip "
			                   "hung: reset it and try again");
			goto fail;
		}
	}
	iotflash_dev_answered(dev);
	if (iotflash_io_baud(dev) == e->link_baud && (rc = raise_baud(e)) != IOTFLASH_OK)
		goto fail;
	*priv = e;
	return IOTFLASH_OK;
fail:
	free(e);
	return rc;
}

/* Back to 115200 so that the next session finds the stub where it starts. */
static void ecr_close(void *priv)
{
	struct ecr *e = priv;
	if (iotflash_io_baud(e->dev) != e->link_baud && a5_set_baud(&e->h, e->link_baud) != IOTFLASH_OK)
		iotflash_io_set_baud(e->dev, e->link_baud);
	free(e);
}

/* Capacity byte to bytes: the GUI's rule (0x32-0x3B are 0x20 too high, §2.3). */
static uint32_t capacity_bytes(uint8_t c)
{
	if (c >= 0x32 && c <= 0x3B)
		c = (uint8_t)(c - 0x20);
	return c >= 0x11 && c <= 0x1C ? 1u << c : 0;
}

static int ecr_detect(void *priv, struct iotflash_chip_info *info)
{
	struct ecr *e = priv;
	int rc;

	if ((rc = a5_flash_id(&e->h, &e->jedec)) != IOTFLASH_OK)
		return rc;
	if (!info->chip)
		info->chip = iotflash_db_chip(e->dev, "ecr6600");
	info->flash_id = e->jedec;
	info->flash_size = capacity_bytes((uint8_t)(e->jedec >> 16));
	info->flash = iotflash_db_flash(e->dev, e->jedec);
	snprintf(info->loader_version, sizeof info->loader_version, "A5 RAM stub");
	if (info->flash_size == 0 || ((e->jedec >> 16) & 0xFF) < 0x14 || ((e->jedec >> 16) & 0xFF) > 0x16)
		iotflash_log(e->dev, IOTFLASH_LOG_WARN,
		             "flash id 0x%06x: the stub knows only 1/2/4 MiB parts and refuses every range on others",
		             (unsigned)e->jedec);
	return IOTFLASH_OK;
}

/* Reads: what the core still asks for after skipping blank ranges is code
 * and data, which deflates well; the chip compresses faster than the wire. */
static int ecr_read(void *priv, uint32_t addr, uint8_t *buf, uint32_t len)
{
	struct ecr *e = priv;
	if (e->compress)
		return a5_read_z(&e->h, addr, buf, len, READ_LEVEL);
	return a5_read(&e->h, addr, buf, len);
}

/* Writes: compressed when that saves wire time (the core's rule). */
static int ecr_write(void *priv, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	struct ecr *e = priv;
	uint8_t *z = NULL;
	size_t zlen = 0;
	int rc;

	/* All 0xFF in whole sectors: the erase alone (the stub would program
	 * every word of it, 4 bytes at a time, after inflating). */
	if (addr % 4096 == 0 && len % 4096 == 0 && buf[0] == 0xFF && memcmp(buf, buf + 1, len - 1) == 0)
		return a5_erase(&e->h, addr, len);
	if (e->compress && len % 4 == 0 && iotflash_deflate_raw(buf, len, 9, &z, &zlen) == IOTFLASH_OK &&
	    iotflash_compress_worth(e->dev, len, zlen))
		rc = a5_write_z(&e->h, addr, len, z, zlen);
	else
		rc = a5_write(&e->h, addr, buf, len);
	free(z);
	return rc;
}

static int ecr_erase(void *priv, uint32_t addr, uint32_t len)
{
	struct ecr *e = priv;
	if (addr == 0 && len == capacity_bytes((uint8_t)(e->jedec >> 16)))
		return a5_chip_erase(&e->h, CHIP_ERASE_MS);
	return a5_erase(&e->h, addr, len);
}

static int ecr_verify(void *priv, uint32_t addr, uint32_t len, uint8_t sum[IOTFLASH_SUM_MAX])
{
	struct ecr *e = priv;
	return a5_sha256(&e->h, addr, len, sum);
}

const struct iotflash_driver ecr6600_driver = {
	.name = "ecr6600",
	.description = "ESWIN ECR6600 ROM + A5 RAM stub (XMODEM-1K, SHA-256)",
	.open = ecr_open,
	.close = ecr_close,
	.detect = ecr_detect,
	.read = ecr_read,
	.write = ecr_write,
	.erase = ecr_erase,
	.verify = ecr_verify,
};
