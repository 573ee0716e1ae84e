/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The bl60x plugin: the Bouffalo Lab ISP chip driver and its device model. */
#include "config.h"

#include <iotflash/plugin.h>
#include <iotflash/model.h>

#include "model.h"

extern const struct iotflash_driver bl60x_driver;

static const struct iotflash_driver *const drivers[] = { &bl60x_driver, NULL };
static const struct iotflash_model_ops *const models[] = { &bl60x_model, NULL };

IOTFLASH_PLUGIN_DEFINE("bl60x", "Bouffalo Lab BL602/BL702/BL616 UART ISP", drivers, NULL, models);
