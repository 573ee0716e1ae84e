/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The bk72xx plugin: the Beken chip driver and its bootloader model. */
#include "config.h"

#include <iotflash/plugin.h>
#include <iotflash/model.h>

#include "model.h"

extern const struct iotflash_driver bk72xx_driver;

static const struct iotflash_driver *const drivers[] = { &bk72xx_driver, NULL };
static const struct iotflash_model_ops *const models[] = { &bk72xx_model, NULL };

IOTFLASH_PLUGIN_DEFINE("bk72xx", "Beken BK72xx UART download protocol", drivers, NULL, models);
