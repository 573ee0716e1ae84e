/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The eswin plugin: ECR6600 (ROM + A5 RAM stub) and TR6260 (ROM + uboot
 * loader) drivers and their device models. */
#include <iotflash/plugin.h>
#include <iotflash/model.h>

#include "model.h"

extern const struct iotflash_driver ecr6600_driver;
extern const struct iotflash_driver tr6260_driver;

static const struct iotflash_driver *const drivers[] = { &ecr6600_driver, &tr6260_driver, NULL };
static const struct iotflash_model_ops *const models[] = { &eswin_model, NULL };

IOTFLASH_PLUGIN_DEFINE("eswin", "ESWIN ECR6600 / TR6260 UART download", drivers, NULL, models);
