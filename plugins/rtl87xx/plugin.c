/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The rtl87xx plugin: the Realtek Ameba chip driver and its ROM models. */
#include "config.h"

#include <iotflash/plugin.h>
#include <iotflash/model.h>

#include "model.h"

extern const struct iotflash_driver rtl87xx_driver;
/* RTL8721DA / RTL8720E through the A5 stub (amebadplus.c, model-amebadplus.c) */
extern const struct iotflash_driver rtl87xx_a5_driver;
extern const struct iotflash_model_ops amebadplus_model;

static const struct iotflash_driver *const drivers[] = { &rtl87xx_driver, &rtl87xx_a5_driver, NULL };
static const struct iotflash_model_ops *const models[] = { &rtl87xx_model, &amebadplus_model, NULL };

IOTFLASH_PLUGIN_DEFINE("rtl87xx", "Realtek Ameba UART download ROMs (AmebaZ, AmebaZ2, AmebaD, AmebaDplus/AmebaLite stub)", drivers, NULL,
                       models);
