/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The opl1000 plugin: Opulinks OPL1000A2 through its ROM's S-record loader
 * and the two-stage A5 RAM stub, and its device model. */
#include <iotflash/plugin.h>
#include <iotflash/model.h>

extern const struct iotflash_driver opl1000_driver;
extern const struct iotflash_model_ops opl1000_model;

static const struct iotflash_driver *const drivers[] = { &opl1000_driver, NULL };
static const struct iotflash_model_ops *const models[] = { &opl1000_model, NULL };

IOTFLASH_PLUGIN_DEFINE("opl1000", "Opulinks OPL1000A2 UART download", drivers, NULL, models);
