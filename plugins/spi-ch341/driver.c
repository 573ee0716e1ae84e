/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The two chip drivers on the CH341A: spi-nor (any SPI NOR flash, found by
 * its JEDEC id) and bk72xx-spi (a Beken chip put into SPI mode through its
 * CEN line, then the flash behind it; spec §5).  Verification is the
 * core's read-back: no device-side checksum exists on a bare flash. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch341.h"
#include "flash.h"
#include "transport.h"

#define NOR_FAMILY "spi-nor"
#define BEKEN_D2 0xD2
#define BEKEN_D2_FRAME 250        /* one frame of D2, as the Python and pico tools (§5.3) */
#define BEKEN_CEN_LOW_MS 100      /* GUI reset pulse (§5.6) */
#define BEKEN_ENTRY_TRIES 5
#define BEKEN_RETRY_MS 200

struct drv {
	struct iotflash_dev *dev;
	struct flash flash;
	bool beken;
	bool in_spi_mode;
};

static int drv_new(struct iotflash_dev *dev, bool beken, struct drv **out)
{
	struct drv *d = calloc(1, sizeof(*d));
	int rc;

	if (!d)
		return iotflash_fail(dev, IOTFLASH_ERR_NOMEM, "out of memory");
	d->dev = dev;
	d->beken = beken;
	if ((rc = flash_init(&d->flash, dev, beken ? "Beken's flash" : "flash")) != IOTFLASH_OK) {
		free(d);
		return rc;
	}
	*out = d;
	return IOTFLASH_OK;
}

static void drv_free(struct drv *d)
{
	flash_fini(&d->flash);
	free(d);
}

/* ---- spi-nor ---- */

static int nor_open(struct iotflash_dev *dev, void **priv)
{
	struct drv *d = NULL;
	int rc = drv_new(dev, false, &d);
	if (rc == IOTFLASH_OK)
		*priv = d;
	return rc;
}

static void nor_close(void *priv)
{
	struct drv *d = priv;
	flash_restore(&d->flash);
	drv_free(d);
}

/* The family's chip whose `jedec` param is this id, else the one without
 * an id (the generic part). */
static const struct iotflash_chip *nor_chip_for(struct iotflash_dev *dev, uint32_t jedec)
{
	const struct iotflash_chip *c, *generic = NULL;
	for (unsigned i = 0; (c = iotflash_db_family_chip(dev, NOR_FAMILY, i)); i++) {
		int64_t id;
		if (!iotflash_chip_param_int(c, "jedec", &id))
			generic = generic ? generic : c;
		else if ((uint32_t)id == jedec)
			return c;
	}
	return generic;
}

static int nor_detect(void *priv, struct iotflash_chip_info *info)
{
	struct drv *d = priv;
	int rc = flash_identify(&d->flash, info);

	if (rc != IOTFLASH_OK)
		return rc;
	info->chip = nor_chip_for(d->dev, d->flash.jedec);
	snprintf(info->chip_name, sizeof(info->chip_name), "%s", d->flash.part->name);
	flash_describe(&d->flash, info);
	return IOTFLASH_OK;
}

static int drv_read(void *priv, uint32_t addr, uint8_t *buf, uint32_t len)
{
	struct drv *d = priv;
	return flash_read(&d->flash, addr, buf, len);
}

static int drv_write(void *priv, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	struct drv *d = priv;
	return flash_program(&d->flash, addr, buf, len);
}

static int drv_erase(void *priv, uint32_t addr, uint32_t len)
{
	struct drv *d = priv;
	return flash_erase(&d->flash, addr, len);
}

const struct iotflash_driver spi_nor_driver = {
	.name = "spi-nor",
	.description = "any SPI NOR flash on a CH341A, identified by its JEDEC id",
	.open = nor_open,
	.close = nor_close,
	.detect = nor_detect,
	.read = drv_read,
	.write = drv_write,
	.erase = drv_erase,
	.verify = NULL,
};

/* ---- bk72xx-spi ---- */

static int cen_pulse(struct drv *d)
{
	int rc = iotflash_spi_set_pin(d->dev, CH341_PIN_CEN, false);
	if (rc == IOTFLASH_OK) {
		iotflash_sleep_ms(d->dev, BEKEN_CEN_LOW_MS);
		rc = iotflash_spi_set_pin(d->dev, CH341_PIN_CEN, true);
	}
	return rc;
}

/* The ROM's answer to the D2 burst: one D2 marker, then 00s (§5.3). */
static bool marker_seen(const uint8_t *rx, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rx[i] == BEKEN_D2) {
			for (size_t k = i + 1; k < n; k++)
				if (rx[k] != 0x00)
					return false;
			return true;
		}
	return false;
}

static bool all_are(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Reset with CEN, send the D2 pattern and look for the ROM's marker;
 * then one more frame ends its acknowledge state (the GUI's 9F check,
 * answered D2 00 00 00).  *reply keeps the burst's reply for messages. */
static int beken_try_entry(struct drv *d, uint8_t reply[BEKEN_D2_FRAME], bool *entered)
{
	uint8_t id[4] = { NOR_RDID, 0, 0, 0 };
	int rc;

	*entered = false;
	memset(reply, BEKEN_D2, BEKEN_D2_FRAME);
	if ((rc = cen_pulse(d)) != IOTFLASH_OK || (rc = flash_exchange(&d->flash, reply, BEKEN_D2_FRAME)) != IOTFLASH_OK)
		return rc;
	if (!marker_seen(reply, BEKEN_D2_FRAME))
		return IOTFLASH_OK;
	if ((rc = flash_exchange(&d->flash, id, sizeof(id))) != IOTFLASH_OK)
		return rc;
	iotflash_log(d->dev, IOTFLASH_LOG_DEBUG, "SPI mode acknowledged; flush frame answered %02x %02x %02x %02x",
	             id[0], id[1], id[2], id[3]);
	*entered = true;
	return IOTFLASH_OK;
}

static int beken_entry_failed(struct drv *d, const uint8_t *reply)
{
	if (all_are(reply, BEKEN_D2_FRAME, 0xFF))
		return iotflash_fail(d->dev, IOTFLASH_ERR_NO_LINK,
		                     "the Beken did not answer the SPI-mode pattern (MISO stays high): check the wiring "
		                     "(CH341A CS0->P21 CSN, SCK->P20, MOSI->P22, MISO<-P23, D2 pin 17->CEN, GND) and that "
		                     "the module has 3.3 V");
	return iotflash_fail(d->dev, IOTFLASH_ERR_NO_LINK,
	                     "the Beken did not enter SPI mode after %d resets (no D2 answer): check the CEN wire "
	                     "(CH341A D2, pin 17) and power-cycle the module", BEKEN_ENTRY_TRIES);
}

static int beken_enter(struct drv *d)
{
	uint8_t reply[BEKEN_D2_FRAME];
	bool entered = false;
	int rc = IOTFLASH_OK;

	for (int attempt = 0; attempt < BEKEN_ENTRY_TRIES && !entered; attempt++) {
		if (attempt)
			iotflash_sleep_ms(d->dev, BEKEN_RETRY_MS);
		if ((rc = beken_try_entry(d, reply, &entered)) != IOTFLASH_OK)
			return iotflash_fail(d->dev, rc, "putting the Beken into SPI mode: %s", ch341_describe(rc));
	}
	if (!entered)
		return beken_entry_failed(d, reply);
	d->in_spi_mode = true;
	return IOTFLASH_OK;
}

static int beken_open(struct iotflash_dev *dev, void **priv)
{
	struct drv *d = NULL;
	int rc = drv_new(dev, true, &d);

	if (rc != IOTFLASH_OK)
		return rc;
	if ((rc = beken_enter(d)) != IOTFLASH_OK) {
		drv_free(d);
		return rc;
	}
	*priv = d;
	return IOTFLASH_OK;
}

/* Restore protection, then reset the chip so it boots what is now in its
 * flash (the GUI does the same after every read or write, §5.6). */
static void beken_close(void *priv)
{
	struct drv *d = priv;
	flash_restore(&d->flash);
	if (d->in_spi_mode && cen_pulse(d) != IOTFLASH_OK)
		iotflash_log(d->dev, IOTFLASH_LOG_WARN, "could not reset the Beken through CEN: power-cycle it");
	drv_free(d);
}

static int beken_detect(void *priv, struct iotflash_chip_info *info)
{
	struct drv *d = priv;
	const struct iotflash_chip *requested = info->chip;
	int rc = flash_identify(&d->flash, info);

	if (rc != IOTFLASH_OK)
		return rc;
	info->chip = requested ? requested : iotflash_db_family_chip(d->dev, iotflash_dev_family(d->dev), 0);
	snprintf(info->chip_name, sizeof(info->chip_name), "Beken (SPI mode)");
	flash_describe(&d->flash, info);
	return IOTFLASH_OK;
}

const struct iotflash_driver bk72xx_spi_driver = {
	.name = "bk72xx-spi",
	.description = "Beken BK72xx in SPI mode (CEN on CH341A D2): recovery of any Beken, bricked or not",
	.open = beken_open,
	.close = beken_close,
	.detect = beken_detect,
	.read = drv_read,
	.write = drv_write,
	.erase = drv_erase,
	.verify = NULL,
};
