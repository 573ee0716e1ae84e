/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The spi-ch341 plugin: the CH341A USB-SPI transport and the chip drivers
 * that run on it.  Its device model lives in the libusb shim (shim/), which
 * iotflash-sim preloads into the program under test. */
#include "config.h"

#include <iotflash/plugin.h>

#include "transport.h"

extern const struct iotflash_driver spi_nor_driver;
extern const struct iotflash_driver bk72xx_spi_driver;

static const struct iotflash_driver *const drivers[] = { &spi_nor_driver, &bk72xx_spi_driver, NULL };
static const struct iotflash_transport *const transports[] = { &ch341_transport, NULL };

IOTFLASH_PLUGIN_DEFINE("spi-ch341", "CH341A USB-SPI: any SPI NOR flash, and Beken recovery in SPI mode",
                       drivers, transports, NULL);
