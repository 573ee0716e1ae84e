/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The ln882h plugin: the LN882H/LN8825 chip driver and its device model. */
#include "config.h"

#include <iotflash/plugin.h>
#include <iotflash/model.h>

#include "model.h"

extern const struct iotflash_driver ln882h_driver;

static const struct iotflash_driver *const drivers[] = { &ln882h_driver, NULL };
static const struct iotflash_model_ops *const models[] = { &ln882h_model, NULL };

IOTFLASH_PLUGIN_DEFINE("ln882h", "Lightning LN882H/LN8825 boot ROM and RAM code", drivers, NULL, models);
