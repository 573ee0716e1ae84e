/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Backups (backup.c): files only, no device access; the write path
 * (engine-write.c) reads what it keeps and calls these. */
#ifndef IOTFLASH_BACKUP_H
#define IOTFLASH_BACKUP_H

#include "state.h"
#include "engine.h"

/* Keep data, the current content of [addr, addr+len), as a backup file with
 * its JSON record before the flash is changed. */
int backup_save(struct iotflash_session *s, uint32_t addr, uint32_t len, const uint8_t *data,
                const struct iotflash_op_opts *o, struct iotflash_result *r);
int backup_write_record(struct iotflash_session *s, const char *bin_path, uint32_t addr,
                        const uint8_t *data, uint32_t len);

/* Before the first write or erase of the session: iotflash_backup_full()
 * unless it was done or o->no_backup. */
int backup_first_contact(struct iotflash_session *s, const struct iotflash_op_opts *o);

#endif
