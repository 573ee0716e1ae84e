/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The driver layer: every call into a chip driver's vtable goes through
 * drv.c, and nothing else calls the vtable.  No policy here: no retries,
 * no reconnects, no step-down; those sit in the layers above. */
#ifndef IOTFLASH_DRV_H
#define IOTFLASH_DRV_H

#include "state.h"

/* open() at s->target_baud (s->drv_priv set on success), close(), detect(). */
int drv_open(struct iotflash_session *s);
void drv_close(struct iotflash_session *s);
int drv_detect(struct iotflash_session *s, struct iotflash_chip_info *info);
/* The flash ops; IOTFLASH_ERR_CANCELLED without a call once cancelled. */
int drv_read(struct iotflash_session *s, uint32_t addr, uint8_t *buf, uint32_t len);
int drv_write(struct iotflash_session *s, uint32_t addr, const uint8_t *buf, uint32_t len);
int drv_erase(struct iotflash_session *s, uint32_t addr, uint32_t len);
int drv_sum(struct iotflash_session *s, uint32_t addr, uint32_t len, uint8_t *sum);

/* Errors that may mean the chip is not (or no longer) in the session. */
bool drv_link_error(int rc);
/* The device checksum in use: the chip database's unless the driver said otherwise. */
enum iotflash_checksum drv_sum_kind(struct iotflash_session *s);
/* Can the device checksum a range (a verify op and a checksum kind)? */
bool drv_has_sum(struct iotflash_session *s);
/* The host's checksum of data in the device's algorithm; its length. */
size_t drv_host_sum(struct iotflash_session *s, const uint8_t *data, uint32_t len, uint8_t *sum);

#endif
