/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The gd32vw plugin: GigaDevice GD32VW553 (ISP ROM at 8E1 + A5 RAM stub),
 * driver and device model. */
#include <iotflash/plugin.h>
#include <iotflash/model.h>

extern const struct iotflash_driver gd32vw553_driver;
extern const struct iotflash_model_ops gd32vw_model;

static const struct iotflash_driver *const drivers[] = { &gd32vw553_driver, NULL };
static const struct iotflash_model_ops *const models[] = { &gd32vw_model, NULL };

IOTFLASH_PLUGIN_DEFINE("gd32vw", "GigaDevice GD32VW553 UART download (ISP ROM + A5 stub)", drivers, NULL, models);
