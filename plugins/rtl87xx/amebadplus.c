/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* RTL8721DA (AmebaDplus) and RTL8720E (AmebaLite): the binary Realtek ROM
 * of docs/protocols/rtl87xx.md §1 uploads the GUI's A5 RAM stub to
 * 0x3000A020 (docs/protocols/a5-stub-families.md §3.4, cited as §N below),
 * then every operation goes through the stub (§2) with the shared host
 * helpers of plugins/common/a5stub.h.  A driver of its own ("rtl87xx-a5")
 * next to the rtl87xx one: the ROM helpers of driver.c are shared, the
 * session after the upload is the stub's. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/a5stub.h"
#include "driver.h"
#include "protocol-a5.h"

#define PROBE_MS 200               /* GUI: 0.2 s for 0x90 (§3.4 step 1) */
#define ROM_ACK_MS 500
#define REOPEN_MS 50               /* GUI: reopen at the new rate, 50 ms (§3.4 step 2) */
#define STUB_START_MS 50           /* the stub mounts its file system first (§2.14) */
#define STUB_TRIES 4
#define CHIP_ERASE_MS 60000
#define Z_RETRY_EVERY 16           /* plain reads before compression is tried again */

struct adp {
	struct rtl r;                  /* ROM helpers' state (driver.c) */
	struct a5_host h;
	uint32_t jedec;
	uint32_t flash_size;
	uint8_t read_level;            /* 0x96 level (the GUI's: DA 4, E 5) */
	bool z_reads;                  /* compressed reads pay at this rate and data */
	unsigned plain_reads;
};

/* Beacons `15` at 115200 until the user resets the chip into download mode. */
static int rom_wait(struct adp *a)
{
	uint64_t start = iotflash_now_ms();
	bool noticed = false;
	int rc;

	for (;;) {
		if (rtl_wait_byte(&a->r, RTL_NAK, 200) == IOTFLASH_OK)
			return IOTFLASH_OK;
		if ((rc = rtl_link_timeout(&a->r, start, &noticed)) != IOTFLASH_OK)
			return rc;
	}
}

/* `05 idx` -> `06` at the old rate, then the ROM is at the new one. */
static int rom_baud(struct adp *a, uint32_t baud)
{
	int idx = rtl_baud_index(a->r.rates, a->r.n_rates, baud);
	uint8_t req[2];
	int rc;

	if (idx < 0)
		return iotflash_fail(a->r.dev, IOTFLASH_ERR_CHIPDB, "%u baud is not in the ROM's rate table", (unsigned)baud);
	iotflash_io_flush_input(a->r.dev);
	if ((rc = rtl_send(&a->r, req, rtl_req_baud(req, (uint8_t)idx))) != IOTFLASH_OK)
		return rc;
	if (rtl_wait_byte(&a->r, RTL_ACK, ROM_ACK_MS) != IOTFLASH_OK)
		return iotflash_fail(a->r.dev, IOTFLASH_ERR_PROTOCOL, "the ROM did not take rate index %d (%u baud)", idx,
		                     (unsigned)baud);
	if ((rc = rtl_set_host_baud(&a->r, baud)) != IOTFLASH_OK)
		return rc;
	iotflash_sleep_ms(a->r.dev, REOPEN_MS);
	iotflash_io_flush_input(a->r.dev);
	return IOTFLASH_OK;
}

/* `07` -> `06`, `15`; the stub as address frames; EOT -> `06`; the ROM
 * calls the entry in the stub's RAM start table (§3.4 step 3). */
static int upload_stub(struct adp *a)
{
	static const uint8_t start = RTL_CMD_XMODEM, eot = RTL_EOT;
	uint32_t load = (uint32_t)rtl_param(&a->r, "stub_addr", RTL_A5_STUB_ADDR);
	uint32_t up = (uint32_t)rtl_param(&a->r, "upload_baud", 460800);
	const uint8_t *stub;
	size_t len;
	int rc;

	if ((rc = iotflash_dev_loader(a->r.dev, &stub, &len)) != IOTFLASH_OK)
		return rc;
	iotflash_dev_answered(a->r.dev);  /* the ROM beaconed: a failure from here is the stub's */
	if (up > a->r.target)
		up = a->r.link_baud;
	if (up != a->r.link_baud && (rc = rom_baud(a, up)) != IOTFLASH_OK)
		return rc;
	iotflash_log(a->r.dev, IOTFLASH_LOG_INFO, "uploading the stub (%zu bytes) to 0x%08x at %u baud", len,
	             (unsigned)load, (unsigned)up);
	iotflash_io_flush_input(a->r.dev);
	if ((rc = rtl_send(&a->r, &start, 1)) != IOTFLASH_OK)
		return rc;
	if (rtl_wait_byte(&a->r, RTL_ACK, ROM_ACK_MS) != IOTFLASH_OK)
		return iotflash_fail(a->r.dev, IOTFLASH_ERR_PROTOCOL, "the ROM did not start the stub upload (07)");
	rtl_wait_byte(&a->r, RTL_NAK, ROM_ACK_MS);  /* the receiver's start; the sender goes on without it */
	if ((rc = rtl_xm_send(&a->r, true, load, stub, (uint32_t)len, 0xFF, "stub upload")) != IOTFLASH_OK)
		return rc;
	if ((rc = rtl_send(&a->r, &eot, 1)) != IOTFLASH_OK)
		return rc;
	rtl_wait_byte(&a->r, RTL_ACK, ROM_ACK_MS);
	/* The stub starts at 115200 whatever the ROM ran at (§3.4 step 4). */
	if ((rc = rtl_set_host_baud(&a->r, a->r.link_baud)) != IOTFLASH_OK)
		return rc;
	iotflash_sleep_ms(a->r.dev, STUB_START_MS);
	iotflash_io_flush_input(a->r.dev);
	for (int i = 0; i < STUB_TRIES; i++)
		if (a5_probe(&a->h, &a->jedec, PROBE_MS))
			return IOTFLASH_OK;
	return iotflash_fail(a->r.dev, IOTFLASH_ERR_NO_LINK,
	                     "the stub did not answer after the upload: is the loader file %s (SHA-256 %.16s...)?",
	                     a->r.chip->loader_file ? a->r.chip->loader_file : "the chip's stub",
	                     a->r.chip->loader_sha256 ? a->r.chip->loader_sha256 : "?");
}

/* A stub left running answers at 115200 or at the rate it was raised to. */
static bool stub_running(struct adp *a)
{
	if (a5_probe(&a->h, &a->jedec, PROBE_MS))
		return true;
	if (a->r.target != a->r.link_baud && iotflash_io_set_baud(a->r.dev, a->r.target) == IOTFLASH_OK) {
		if (a5_probe(&a->h, &a->jedec, PROBE_MS))
			return true;
		iotflash_io_set_baud(a->r.dev, a->r.link_baud);
	}
	return false;
}

static int raise_baud(struct adp *a)
{
	uint32_t jedec;
	int rc;

	if (a->r.target == a->r.link_baud || iotflash_io_baud(a->r.dev) == a->r.target)
		return IOTFLASH_OK;
	if ((rc = a5_set_baud(&a->h, a->r.target)) == IOTFLASH_OK)
		return IOTFLASH_OK;
	if (a5_probe(&a->h, &jedec, PROBE_MS))
		return IOTFLASH_OK;
	iotflash_io_set_baud(a->r.dev, a->r.link_baud);
	if (a5_probe(&a->h, &jedec, PROBE_MS))
		return IOTFLASH_ERR_BAUD;  /* the stub stayed at 115200: the core steps down */
	return rc;
}

static int adp_kv_get(void *priv, const char *key, uint8_t *buf, size_t cap, size_t *len);
static int adp_kv_set(void *priv, const char *key, const uint8_t *buf, size_t len);
static const struct iotflash_kv_ops adp_kv = {adp_kv_get, adp_kv_set};

static int adp_open(struct iotflash_dev *dev, void **priv)
{
	const struct iotflash_chip *chip = iotflash_dev_chip(dev);
	const struct iotflash_param *table;
	struct adp *a;
	int rc;

	if (!chip)  /* both ROMs beacon alike and the stub does not tell: the stub file differs */
		return iotflash_fail(dev, IOTFLASH_ERR_ARG, "name the chip: -c rtl8721da or -c rtl8720e (their ROMs "
		                     "answer alike, and each needs its own stub)");
	if (!(a = calloc(1, sizeof *a)))
		return iotflash_fail(dev, IOTFLASH_ERR_NOMEM, "out of memory");
	a->r.dev = a->h.dev = dev;
	a->h.c_every_ms = 250;         /* the GUI's rate; the stub waits ~1 s for it (§2.8) */
	a->r.chip = chip;
	a->r.link_baud = chip->link_baud ? chip->link_baud : 115200;
	a->r.baud = a->r.link_baud;
	a->r.target = iotflash_dev_target_baud(dev) ? iotflash_dev_target_baud(dev) : chip->max_baud;
	table = iotflash_chip_param(chip, "baud_table");
	a->r.rates = table && table->type == IOTFLASH_PARAM_INT_LIST ? table->ints : NULL;
	a->r.n_rates = a->r.rates ? table->n : 0;
	a->read_level = (uint8_t)rtl_param(&a->r, "read_level", 5);
	a->z_reads = true;
	if ((rc = rtl_set_host_baud(&a->r, a->r.link_baud)) != IOTFLASH_OK)
		goto fail;
	if (stub_running(a)) {
		iotflash_log(dev, IOTFLASH_LOG_INFO, "the stub is already running at %u baud", (unsigned)iotflash_io_baud(dev));
	} else if ((rc = rom_wait(a)) != IOTFLASH_OK || (rc = upload_stub(a)) != IOTFLASH_OK) {
		goto fail;
	}
	iotflash_dev_answered(dev);
	if ((rc = raise_baud(a)) != IOTFLASH_OK)
		goto fail;
	iotflash_dev_set_kv(dev, &adp_kv);  /* where OpenBeken keeps its configuration */
	*priv = a;
	return IOTFLASH_OK;
fail:
	free(a);
	return rc;
}

/* Back to 115200, where the next session looks for the stub first. */
static void adp_close(void *priv)
{
	struct adp *a = priv;
	if (iotflash_io_baud(a->r.dev) != a->r.link_baud && a5_set_baud(&a->h, a->r.link_baud) != IOTFLASH_OK)
		iotflash_io_set_baud(a->r.dev, a->r.link_baud);
	free(a);
}

static int adp_detect(void *priv, struct iotflash_chip_info *info)
{
	struct adp *a = priv;
	int rc;

	if ((rc = a5_flash_id(&a->h, &a->jedec)) != IOTFLASH_OK)
		return rc;
	info->chip = a->r.chip;
	info->flash_id = a->jedec;
	info->flash = iotflash_db_flash(a->r.dev, a->jedec);
	/* The stub range-checks against its own table (§2.5): that is the size that works. */
	info->flash_size = a->flash_size = rtl_a5_flash_size((uint8_t)(a->jedec >> 16));
	snprintf(info->loader_version, sizeof info->loader_version, "Realtek ROM + A5 RAM stub");
	return IOTFLASH_OK;
}

/* After a failed transfer: a sender that gave up 10 times also put its
 * UART back to 115200 (§2.8 step 4): find it and raise the rate again, so
 * the core's retry goes on without a reconnect. */
static int relink(struct adp *a, int rc)
{
	uint32_t jedec;
	if (iotflash_io_baud(a->r.dev) == a->r.link_baud || a5_probe(&a->h, &jedec, PROBE_MS))
		return rc;
	iotflash_io_set_baud(a->r.dev, a->r.link_baud);
	if (a5_probe(&a->h, &jedec, PROBE_MS))
		raise_baud(a);
	return rc;
}

/* Compressed reads while they save wire time; after one that did not, plain
 * reads for a while (random data, or a rate where the chip is the bottleneck). */
static int adp_read(void *priv, uint32_t addr, uint8_t *buf, uint32_t len)
{
	struct adp *a = priv;
	int rc;

	if (!a->z_reads && ++a->plain_reads >= Z_RETRY_EVERY)
		a->z_reads = true;
	if (!a->z_reads)
		return (rc = a5_read(&a->h, addr, buf, len)) == IOTFLASH_OK ? rc : relink(a, rc);
	if ((rc = a5_read_z(&a->h, addr, buf, len, a->read_level)) != IOTFLASH_OK)
		return relink(a, rc);
	if (rc == IOTFLASH_OK && !iotflash_compress_worth(a->r.dev, len, a->h.last_z)) {
		a->z_reads = false;
		a->plain_reads = 0;
	}
	return rc;
}

static int adp_write(void *priv, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	struct adp *a = priv;
	uint8_t *z = NULL;
	size_t zlen = 0;
	int rc;

	if (len % 4 == 0 && iotflash_deflate_raw(buf, len, 9, &z, &zlen) == IOTFLASH_OK &&
	    iotflash_compress_worth(a->r.dev, len, zlen))
		rc = a5_write_z(&a->h, addr, len, z, zlen);
	else
		rc = a5_write(&a->h, addr, buf, len);
	free(z);
	return rc == IOTFLASH_OK ? rc : relink(a, rc);
}

static int adp_erase(void *priv, uint32_t addr, uint32_t len)
{
	struct adp *a = priv;
	if (addr == 0 && a->flash_size && len == a->flash_size)
		return a5_chip_erase(&a->h, CHIP_ERASE_MS);
	return a5_erase(&a->h, addr, len);
}

static int adp_verify(void *priv, uint32_t addr, uint32_t len, uint8_t sum[IOTFLASH_SUM_MAX])
{
	struct adp *a = priv;
	return a5_sha256(&a->h, addr, len, sum);
}

static int adp_kv_get(void *priv, const char *key, uint8_t *buf, size_t cap, size_t *len)
{
	struct adp *a = priv;
	return a5_kv_get(&a->h, key, buf, cap, len);
}

static int adp_kv_set(void *priv, const char *key, const uint8_t *buf, size_t len)
{
	struct adp *a = priv;
	if (len > 0xFFFF)
		return iotflash_fail(a->r.dev, IOTFLASH_ERR_RANGE, "a %zu-byte value: the stub takes at most 65535", len);
	return a5_kv_set(&a->h, key, buf, (uint16_t)len);
}

const struct iotflash_driver rtl87xx_a5_driver = {
	.name = "rtl87xx-a5",
	.description = "Realtek RTL8721DA / RTL8720E ROM + A5 RAM stub (XMODEM-1K, DEFLATE, SHA-256, key-value store)",
	.open = adp_open,
	.close = adp_close,
	.detect = adp_detect,
	.read = adp_read,
	.write = adp_write,
	.erase = adp_erase,
	.verify = adp_verify,
};
