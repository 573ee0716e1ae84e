/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The CH341A model's fault and option SPEC (iotflash-sim --faults with a
 * ch341a+PART model; spec §6.1 SIM-U4): shared by iotflash-sim, which
 * checks it, and the libusb shim, which applies it. */
#ifndef SPI_CH341_USB_FAULTS_H
#define SPI_CH341_USB_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct usb_faults {
	bool access;             /* libusb_open: LIBUSB_ERROR_ACCESS */
	bool busy;               /* claim_interface: LIBUSB_ERROR_BUSY */
	bool kernel_driver;      /* a kernel driver is bound until detached */
	unsigned unplug_after;   /* the device vanishes after N transfers (0: never) */
	unsigned stall_at;       /* the N-th OUT transfer stalls until clear_halt (0: never) */
	unsigned devices;        /* CH341s on the bus: 0, 1 or 2 */
	uint16_t pid;            /* 0x5512, or a UART mode id (0x5523, 0x7523) */
	int miso;                /* -1: the chip answers; 0x00 / 0xFF: MISO stuck (no chip) */
	bool wp_low;             /* WP# tied low: SRP0 locks the status registers */
	bool sr_set;
	uint32_t sr;             /* initial SR1 | SR2 << 8 (overrides the part's) */
};

#define USB_FAULTS_HELP \
	"USB models (--model ch341a+PART, e.g. ch341a+w25q32, ch341a+bk7231n) run a\n" \
	"command instead of serving a pty:\n" \
	"  iotflash-sim --model ch341a+w25q32 --flash FILE [--no-timing] -- COMMAND [ARGS]\n" \
	"COMMAND (iotflash -p ch341a, flashrom -p ch341a_spi, any libusb program) sees a\n" \
	"CH341A with the part behind it; iotflash-sim exits with COMMAND's status.\n" \
	"Their --faults SPEC (comma-separated):\n" \
	"  access          opening the device fails with LIBUSB_ERROR_ACCESS\n" \
	"  busy            claiming the interface fails with LIBUSB_ERROR_BUSY\n" \
	"  kernel-driver   a kernel driver is bound until detached\n" \
	"  unplug=N        the device vanishes after N transfers (LIBUSB_ERROR_NO_DEVICE)\n" \
	"  stall=N         the N-th OUT transfer stalls (LIBUSB_ERROR_PIPE) until clear_halt\n" \
	"  devices=N       0, 1 or 2 CH341s on the bus\n" \
	"  pid=HEX         USB product id: 5512 (SPI mode), 5523 or 7523 (UART mode jumper)\n" \
	"  no-chip         MISO stays high: JEDEC id FF FF FF\n" \
	"  miso-low        MISO stuck low: JEDEC id 00 00 00\n" \
	"  wp-low          WP# tied low: SRP0 = 1 locks the status registers\n" \
	"  sr=HEX          initial status registers SR1 | SR2 << 8 (1c: BP set, 4000: CMP)\n"

/* Parse SPEC (NULL or "" is no faults); false with a one-line reason. */
bool usb_faults_parse(const char *spec, struct usb_faults *f, char *err, size_t errlen);

#endif
