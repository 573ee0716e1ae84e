/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The CH341A transport (libusb-1.0) and what its drivers share. */
#ifndef SPI_CH341_TRANSPORT_H
#define SPI_CH341_TRANSPORT_H

#include <iotflash/plugin.h>

extern const struct iotflash_transport ch341_transport;

/* The udev rule `make install` puts in place (60-iotflash-ch341a.rules). */
#define CH341_UDEV_RULE "60-iotflash-ch341a.rules"

/* One line telling what a failed spi_xfer/spi_cs/set_pin result means. */
const char *ch341_describe(int rc);

#endif
