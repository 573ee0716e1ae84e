/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The xradio plugin: the XRadio XR809 / XR872 / XR806 BROM driver (with the
 * XR809 RAM stub) and the device models of the ROMs, the stub and SDK
 * firmware. */
#include <iotflash/plugin.h>
#include <iotflash/model.h>

#include "model.h"

extern const struct iotflash_driver xradio_driver;

static const struct iotflash_driver *const drivers[] = { &xradio_driver, NULL };
static const struct iotflash_model_ops *const models[] = { &xradio_model, NULL };

IOTFLASH_PLUGIN_DEFINE("xradio", "XRadio XR809/XR872/XR806 BROM UART download", drivers, NULL, models);
