/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Backups (backup.c): files only, no device access; the write path
 * (engine-write.c) reads what it keeps and calls these. */
#ifndef IOTFLASH_BACKUP_H
#define IOTFLASH_BACKUP_H

#include "state.h"

/* Keep data, the current content of [addr, addr+len), as a backup file with
 * its JSON record before the flash is changed. */
int backup_save(struct iotflash_session *s, uint32_t addr, uint32_t len, const uint8_t *data,
                const struct iotflash_op_opts *o, struct iotflash_result *r);
int backup_write_record(struct iotflash_session *s, const char *bin_path, uint32_t addr,
                        const uint8_t *data, uint32_t len);

int backup_make_dir(struct iotflash_session *s, const char *dir);
/* First contact (engine-backup.c reads, these keep): the name of the full
 * backup of the session's device in dir (sha: the content's SHA-256, for a
 * device without MAC or unique id) ... */
void backup_full_name(struct iotflash_session *s, const char *dir, const char *sha, char *path, size_t len);
/* ... its JSON record (kept when one is there) ... */
int backup_full_record(struct iotflash_session *s, const char *path, const uint8_t *data, uint32_t len);
/* ... and the record of a backup found without one, made from the file. */
int backup_complete_record(struct iotflash_session *s, const char *path);

#endif
