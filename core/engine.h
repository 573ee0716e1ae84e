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
 * the operation fails naming its address.  Attempts that make progress (a
 * read whose length was right, a write the chip took and checksummed) earn
 * one more, up to the _MAX: a noisy line that still delivers gets time,
 * a dead one does not. */
#define READ_ATTEMPTS 8
#define READ_ATTEMPTS_MAX 40
#define WRITE_ATTEMPTS 4
#define WRITE_ATTEMPTS_MAX 64
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
/* engine-vote.c: the full-length copies of one block that failed its
 * check, kept to vote on (see docs/architecture.md, "A noisy line"). */
#define COPIES_MAX 5
struct copies {
	uint8_t *buf;        /* COPIES_MAX slots of len bytes */
	uint32_t len;
	unsigned n, next;    /* kept; total added */
};
void copies_init(struct copies *c, uint32_t len);
void copies_free(struct copies *c);
bool copies_add(struct copies *c, const uint8_t *data);
/* Two copies agree byte for byte: that copy into out. */
bool copies_pair(const struct copies *c, uint8_t *out);
/* Byte-wise majority into out; true when each byte's majority is strict
 * and held by at least two copies. */
bool copies_vote(const struct copies *c, uint8_t *out);
/* out (a vote) with the copies' other values tried at the bytes they
 * disagree on, until its checksum is expected: true and out holds it. */
bool copies_repair(struct iotflash_session *s, const struct copies *c, uint8_t *out, const uint8_t *expected);
/* engine-read.c: a verified read of [addr, addr+len) into buf (any alignment). */
int engine_read(struct iotflash_session *s, uint32_t addr, uint32_t len, uint8_t *buf,
                const struct iotflash_op_opts *o, struct iotflash_result *r, const char *phase);

#endif
