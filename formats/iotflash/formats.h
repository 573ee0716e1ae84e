/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* libiotflash-formats: what is inside a flash image, apart from flashing it
 * (pkg-config iotflash-formats).  Pure functions over memory: nothing here
 * opens a port or a file, loads a plugin or reads the chip database, so a
 * program can use it without libiotflash.
 *
 *   iotflash/tuya.h   the Tuya key-value store and device (pin) template
 *   iotflash/beken.h  Beken BK72xx image encryption and CRC-16 interleave
 *   iotflash/openbeken.h  OpenBeken's configuration (raw sector, EasyFlash)
 *
 * The Beken RF calibration data belongs here too. */
#ifndef IOTFLASH_FORMATS_H
#define IOTFLASH_FORMATS_H

#include <iotflash/common.h>
#include <iotflash/beken.h>
#include <iotflash/openbeken.h>
#include <iotflash/tuya.h>

#endif
