/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The operations layer: read, write, erase and verify, and every policy
 * they share (block planning, retries, verification, skipping, backups,
 * progress), once for every family.  Its files (engine*.c) reach the
 * device only through link.h; below that are session.h and drv.h.  See
 * docs/architecture.md. */
#ifndef IOTFLASH_ENGINE_H
#define IOTFLASH_ENGINE_H

#include "state.h"
#include "drv.h"
#include "link.h"

/* Bounded retries: a block is read/written again this many times before
 * the operation fails naming its address. */
#define READ_ATTEMPTS 8
#define WRITE_ATTEMPTS 4
/* Verified reads and writes work in units of this size (a device checksum
 * each); a failing unit is split into read blocks to retry only what failed. */
#define VERIFY_UNIT (64 * 1024)

/* engine.c: shared helpers */
int engine_check_range(struct iotflash_session *s, uint32_t addr, uint32_t len);
int engine_check_protected(struct iotflash_session *s, uint32_t addr, uint32_t len, bool force,
                           const char *unlock_region);
size_t engine_host_sum(struct iotflash_session *s, const uint8_t *data, uint32_t len, uint8_t *sum);
bool engine_has_sum(struct iotflash_session *s);
/* The device checksum in use: the chip database's unless the driver said otherwise. */
enum iotflash_checksum engine_sum_kind(struct iotflash_session *s);
/* Does the flash hold exactly data over [addr, addr+len)?  By checksum, or by
 * reading back when the chip has none (counted in r->moved when r is set). */
int engine_unit_matches(struct iotflash_session *s, uint32_t addr, uint32_t len, const uint8_t *data,
                        bool *match, struct iotflash_result *r);
bool is_blank(const uint8_t *p, size_t n);
void engine_result_init(struct iotflash_result *r, uint32_t len);
void engine_progress(const struct iotflash_op_opts *o, const char *phase, uint64_t done,
                     uint64_t total, uint64_t skipped, uint32_t addr);
/* engine-backup.c: before the first write or erase of the session, the
 * first-contact full backup (iotflash_backup_full) unless it was done or
 * o->no_backup. */
int backup_first_contact(struct iotflash_session *s, const struct iotflash_op_opts *o);
/* engine-read.c: a verified read of [addr, addr+len) into buf (any alignment). */
int engine_read(struct iotflash_session *s, uint32_t addr, uint32_t len, uint8_t *buf,
                const struct iotflash_op_opts *o, struct iotflash_result *r, const char *phase);

#endif
