/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The rda5981 plugin: RDA5981 (`Boot > ` shell + A5 RAM stub), driver and
 * device model. */
#include <iotflash/plugin.h>
#include <iotflash/model.h>

extern const struct iotflash_driver rda5981_driver;
extern const struct iotflash_model_ops rda5981_model;

static const struct iotflash_driver *const drivers[] = { &rda5981_driver, NULL };
static const struct iotflash_model_ops *const models[] = { &rda5981_model, NULL };

IOTFLASH_PLUGIN_DEFINE("rda5981", "RDA5981 UART download (boot shell + A5 stub)", drivers, NULL, models);
