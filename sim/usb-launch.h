/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* iotflash-sim's USB models (--model ch341a+PART): run a command with the
 * CH341A device model attached through the spi-ch341 libusb shim. */
#ifndef IOTFLASH_SIM_USB_LAUNCH_H
#define IOTFLASH_SIM_USB_LAUNCH_H

#include <iotflash/iotflash.h>
#include <iotflash/model.h>

#include "sim-host.h"

/* The --help paragraph about USB models and their faults. */
const char *usb_launch_help(void);
/* Check the model, prepare the flash file, then exec command with the shim
 * preloaded.  Returns only on failure: the exit status (message printed). */
int usb_launch(struct iotflash_ctx *ctx, const struct iotflash_sim_opts *opts, char **command);

#endif
