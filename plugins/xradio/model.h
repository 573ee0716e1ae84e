/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device model of the XRadio boot ROMs (XR809 v1 and newer, XR872, XR806),
 * of the XR809 RAM stub, and of SDK firmware that answers `upgrade`,
 * hosted by iotflash-sim.  See model.c for the chip database params. */
#ifndef IOTFLASH_XRADIO_MODEL_H
#define IOTFLASH_XRADIO_MODEL_H

#include <iotflash/model.h>

extern const struct iotflash_model_ops xradio_model;

#endif
