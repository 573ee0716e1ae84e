/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Verified reads.  Every block that crosses the wire is checked against the
 * chip's own checksum of the same range and read again if it differs, so one
 * bad block costs a retry, not the whole backup.  Blank regions are found by
 * their checksum and not read at all (unless no_skip).  A driver whose read
 * replies carry their own check (iotflash_dev_set_read_checked) is read
 * once: its read is the proof, and checksums only find blank blocks. */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader {
	struct iotflash_session *s;
	const struct iotflash_op_opts *o;
	struct iotflash_result *r;
	const char *phase;
	uint64_t done, total;
	bool in_blank_run;   /* the last unit was all blank */
	bool one_by_one;     /* a multi-block read failed: the link is noisy */
	char last_error[ERRLEN];
};

static void remember_error(struct reader *rd, int rc)
{
	snprintf(rd->last_error, sizeof(rd->last_error), "%s",
	         rd->s->ctx->error[0] ? rd->s->ctx->error : iotflash_strerror(rc));
	rd->s->ctx->error[0] = '\0';
}

static int give_up(struct reader *rd, int rc, const char *what, uint32_t addr, uint32_t len, int attempts)
{
	if (rc == IOTFLASH_ERR_CANCELLED)
		return ctx_fail(rd->s->ctx, rc, "interrupted");
	return ctx_fail(rd->s->ctx, rc == IOTFLASH_OK ? IOTFLASH_ERR_CHECKSUM : rc,
	                "%s failed at 0x%06x..0x%06x after %d attempts: %s", what, (unsigned)addr,
	                (unsigned)(addr + len - 1), attempts, rd->last_error);
}

/* The chip's checksum of a range, retried on link errors. */
static int device_sum(struct reader *rd, uint32_t addr, uint32_t len, uint8_t *sum)
{
	int rc = IOTFLASH_OK;
	for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
		if ((rc = link_sum(rd->s, addr, len, sum)) == IOTFLASH_OK)
			return IOTFLASH_OK;
		if (rc == IOTFLASH_ERR_CANCELLED || rc == IOTFLASH_ERR_LOADER_MISSING)
			return rc == IOTFLASH_ERR_CANCELLED ? give_up(rd, rc, "checksum", addr, len, 0) : rc;
		remember_error(rd, rc);
		rd->r->retries++;
	}
	return give_up(rd, rc, "checksum", addr, len, READ_ATTEMPTS);
}

static void advance(struct reader *rd, uint32_t addr, uint32_t n, bool skipped)
{
	rd->done += n;
	if (skipped)
		rd->r->skipped += n;
	engine_progress(rd->o, rd->phase, rd->done, rd->total, rd->r->skipped, addr);
}

/* What the copies kept so far prove (buf receives the block): 0 when the
 * block is known, 1 when more copies are needed, or an error.  With a
 * checksum: the vote, then the vote with the copies' other values at the
 * bytes they disagree on, must match it; two identical copies that do not
 * match make the chip's checksum suspect, and it is asked again (a cheap
 * short reply).  Without one: two copies that agree, or a vote where two
 * copies back every byte. */
static int learn(struct reader *rd, const struct copies *cp, uint32_t addr, uint32_t len, uint8_t *buf,
                 uint8_t *expected, int *resums)
{
	struct iotflash_session *s = rd->s;
	uint8_t got[IOTFLASH_SUM_MAX];
	int rc;

	if (!expected) {
		if (copies_pair(cp, buf) || (cp->n >= 3 && copies_vote(cp, buf)))
			return 0;
		snprintf(rd->last_error, sizeof(rd->last_error), "no two reads of the block agree");
		return 1;
	}
	snprintf(rd->last_error, sizeof(rd->last_error), "data does not match the chip's checksum");
	if (cp->n < 2)
		return 1;
	for (int round = 0; round < 2; round++) {
		copies_vote(cp, buf);
		if (memcmp(got, expected, drv_host_sum(s, buf, len, got)) == 0 || copies_repair(s, cp, buf, expected))
			return 0;
		if (round == 1 || *resums >= 8 || (!copies_pair(cp, buf) && cp->next % 4 != 0))
			break;
		/* The data looks right (or has resisted long): the chip's checksum
		 * reply may have been the corrupted one. */
		++*resums;
		if ((rc = device_sum(rd, addr, len, expected)) != IOTFLASH_OK)
			return rc;
	}
	return 1;
}

/* One aligned block; expected is its device checksum, or NULL to verify by
 * agreeing reads (chips without a checksum).  Every full-length copy that
 * fails its check is kept (seed: one a failed run read brought) and
 * learned from (learn()); each such copy earns one more attempt. */
static int read_block(struct reader *rd, uint32_t addr, uint32_t len, uint8_t *buf, uint8_t *expected,
                      const uint8_t *seed)
{
	struct iotflash_session *s = rd->s;
	uint8_t got[IOTFLASH_SUM_MAX];
	struct copies cp;
	uint64_t rx0;
	int rc = IOTFLASH_OK, budget = READ_ATTEMPTS, attempt, resums = 0, known;

	copies_init(&cp, len);
	if (seed && !copies_add(&cp, seed))
		return ctx_fail(s->ctx, IOTFLASH_ERR_NOMEM, "out of memory");
	for (attempt = 0; attempt < budget; attempt++) {
		if (attempt > 0)
			rd->r->retries++;
		if (s->cancelled) {
			copies_free(&cp);
			return give_up(rd, IOTFLASH_ERR_CANCELLED, "read", addr, len, attempt);
		}
		rx0 = s->rx_bytes;
		rc = link_read(s, addr, buf, len);
		rd->r->moved += len;
		if (rc == IOTFLASH_ERR_CANCELLED)
			break;
		if (rc == IOTFLASH_ERR_UNSUPPORTED || rc == IOTFLASH_ERR_LOADER_MISSING) {  /* no retry helps: say so once */
			copies_free(&cp);
			return rc;
		}
		if (rc != IOTFLASH_OK) {
			remember_error(rd, rc);
			if (s->rx_bytes - rx0 > len / 2 && budget < READ_ATTEMPTS_MAX)
				budget++;  /* most of the reply came: the chip is there, the line lost a byte */
			continue;
		}
		if (expected && memcmp(got, expected, drv_host_sum(s, buf, len, got)) == 0)
			break;
		if (!expected && s->read_checked)
			break;  /* the reply carried its own check */
		if (!copies_add(&cp, buf)) {
			copies_free(&cp);
			return ctx_fail(s->ctx, IOTFLASH_ERR_NOMEM, "out of memory");
		}
		if (budget < READ_ATTEMPTS_MAX)
			budget++;  /* a copy of the right length: progress */
		if ((known = learn(rd, &cp, addr, len, buf, expected, &resums)) < 0) {
			copies_free(&cp);
			return known;  /* the checksum could not be asked again: said why */
		}
		if (known == 0)
			break;
		rc = IOTFLASH_OK;
	}
	copies_free(&cp);
	if (rc == IOTFLASH_OK && attempt < budget)
		return IOTFLASH_OK;
	return give_up(rd, rc, "read", addr, len, attempt);
}

/* n consecutive blocks in one driver call (a round trip per block costs
 * more than the check), then each block proved on its own: by its checksum
 * (sums) or by a second read of the run.  Blocks that fail are read again
 * one by one, with retries. */
static int read_run(struct reader *rd, uint32_t addr, uint32_t n, uint8_t *buf, uint8_t (*sums)[IOTFLASH_SUM_MAX])
{
	struct iotflash_session *s = rd->s;
	uint32_t rb = s->chip->read_block, len = n * rb;
	uint8_t got[IOTFLASH_SUM_MAX], *again = NULL;
	bool all_bad = false;
	int rc;

	if (n == 1 || rd->one_by_one)
		goto one_by_one;
	if (s->cancelled)
		return give_up(rd, IOTFLASH_ERR_CANCELLED, "read", addr, len, 0);
	rc = link_read(s, addr, buf, len);
	rd->r->moved += len;
	if (rc == IOTFLASH_ERR_CANCELLED || rc == IOTFLASH_ERR_UNSUPPORTED || rc == IOTFLASH_ERR_LOADER_MISSING)
		return rc == IOTFLASH_ERR_CANCELLED ? give_up(rd, rc, "read", addr, len, 0) : rc;
	if (rc == IOTFLASH_OK && !sums && !s->read_checked) {
		if (!(again = malloc(len)))
			return ctx_fail(s->ctx, IOTFLASH_ERR_NOMEM, "out of memory");
		rc = link_read(s, addr, again, len);
		rd->r->moved += len;
	}
	if (rc != IOTFLASH_OK) {
		remember_error(rd, rc);
		all_bad = rd->one_by_one = true;  /* long transfers will keep failing */
	}
	for (uint32_t k = 0; k < n; k++) {
		uint8_t *blk = buf + k * rb;
		bool good = !all_bad && (sums ? memcmp(got, sums[k], drv_host_sum(s, blk, rb, got)) == 0
		                              : !again || memcmp(again + k * rb, blk, rb) == 0);
		if (!good) {
			rd->one_by_one = true;
			rd->r->retries++;
			if ((rc = read_block(rd, addr + k * rb, rb, blk, sums ? sums[k] : NULL, all_bad ? NULL : blk)) !=
			    IOTFLASH_OK) {
				free(again);
				return rc;
			}
		}
		advance(rd, addr + k * rb, rb, false);
	}
	free(again);
	return IOTFLASH_OK;
one_by_one:
	for (uint32_t k = 0; k < n; k++) {
		if ((rc = read_block(rd, addr + k * rb, rb, buf + k * rb, sums ? sums[k] : NULL, NULL)) != IOTFLASH_OK)
			return rc;
		advance(rd, addr + k * rb, rb, false);
	}
	return IOTFLASH_OK;
}

/* One verify unit.  Blank blocks are found by their checksum and not read.
 * Blank flash comes in runs (erased partitions), so after a unit that was
 * all blank the next one is first asked for as a whole: one checksum then
 * skips it entirely.  Probing every unit whole would cost an extra checksum
 * pass over all non-blank data, so it is only done inside blank runs. */
static int read_unit(struct reader *rd, uint32_t addr, uint32_t len, uint8_t *buf)
{
	struct iotflash_session *s = rd->s;
	bool skip = !(rd->o && rd->o->no_skip);
	uint32_t rb = s->chip->read_block, nblk = len / rb, run = 0;
	uint8_t sum[IOTFLASH_SUM_MAX], blank[IOTFLASH_SUM_MAX], (*sums)[IOTFLASH_SUM_MAX];
	bool all_blank = true;
	size_t n;
	int rc = IOTFLASH_OK;

	if (!drv_has_sum(s) || (!skip && s->read_checked))  /* nothing to ask the chip for */
		return read_run(rd, addr, nblk, buf, NULL);
	memset(buf, 0xff, len);  /* what blank flash reads */
	if (skip && rd->in_blank_run && len > rb) {
		n = drv_host_sum(s, buf, len, blank);
		if ((rc = device_sum(rd, addr, len, sum)) != IOTFLASH_OK)
			return rc;
		if (memcmp(sum, blank, n) == 0) {
			advance(rd, addr, len, true);
			return IOTFLASH_OK;
		}
	}
	if (!(sums = malloc(nblk * sizeof(*sums))))
		return ctx_fail(s->ctx, IOTFLASH_ERR_NOMEM, "out of memory");
	n = drv_host_sum(s, buf, rb, blank);
	for (uint32_t k = 0; k <= nblk && rc == IOTFLASH_OK; k++) {
		bool is_blank_blk = false;
		if (k < nblk) {
			if ((rc = device_sum(rd, addr + k * rb, rb, sums[k])) != IOTFLASH_OK)
				break;
			is_blank_blk = skip && memcmp(sums[k], blank, n) == 0;
			if (!is_blank_blk) {
				run++;
				all_blank = false;
				continue;
			}
		}
		if (run > 0)  /* the non-blank run that ends here */
			rc = read_run(rd, addr + (k - run) * rb, run, buf + (k - run) * rb, sums + (k - run));
		run = 0;
		if (rc == IOTFLASH_OK && is_blank_blk)
			advance(rd, addr + k * rb, rb, true);
	}
	free(sums);
	rd->in_blank_run = all_blank;
	return rc;
}

int engine_read(struct iotflash_session *s, uint32_t addr, uint32_t len, uint8_t *out,
                const struct iotflash_op_opts *o, struct iotflash_result *r, const char *phase)
{
	uint32_t rb = s->chip->read_block;
	uint32_t a0 = addr - addr % rb;
	uint64_t a1 = ((uint64_t)addr + len + rb - 1) / rb * rb;
	struct reader rd = {s, o, r, phase, 0, a1 - a0, true, false, ""};
	uint8_t *buf = out;
	int rc = link_use_rate(s, false);

	if (rc != IOTFLASH_OK)
		return rc;
	if (a0 != addr || a1 != (uint64_t)addr + len) {
		if (!(buf = malloc(a1 - a0)))
			return ctx_fail(s->ctx, IOTFLASH_ERR_NOMEM, "out of memory");
	}
	engine_progress(o, phase, 0, rd.total, 0, a0);
	for (uint64_t u = a0; u < a1 && rc == IOTFLASH_OK;) {
		uint64_t end = (u / VERIFY_UNIT + 1) * VERIFY_UNIT;
		if (end > a1)
			end = a1;
		rc = read_unit(&rd, (uint32_t)u, (uint32_t)(end - u), buf + (u - a0));
		u = end;
	}
	if (rc == IOTFLASH_OK && buf != out)
		memcpy(out, buf + (addr - a0), len);
	if (buf != out)
		free(buf);
	if (rc == IOTFLASH_OK)
		r->verified = true;
	return rc;
}

IOTFLASH_API int iotflash_read_to_mem(struct iotflash_session *s, uint32_t addr, uint32_t len, uint8_t *buf,
                                      const struct iotflash_op_opts *o, struct iotflash_result *r)
{
	struct iotflash_result local;
	uint64_t t0 = iotflash_now_ms();
	int rc;

	if (!r)
		r = &local;
	engine_result_init(r, len);
	if ((rc = engine_check_range(s, addr, len)) != IOTFLASH_OK)
		return rc;
	rc = engine_read(s, addr, len, buf, o, r, "read");
	r->seconds = (double)(iotflash_now_ms() - t0) / 1000.0;
	if (rc == IOTFLASH_OK)
		sha256_hex(buf, len, r->sha256);
	return rc;
}

IOTFLASH_API int iotflash_read_to_file(struct iotflash_session *s, uint32_t addr, uint32_t len,
                                       const char *path, const struct iotflash_op_opts *o,
                                       struct iotflash_result *r)
{
	struct iotflash_result local;
	uint8_t *buf;
	int rc;

	if (!r)
		r = &local;
	engine_result_init(r, len);
	if ((rc = engine_check_range(s, addr, len)) != IOTFLASH_OK)
		return rc;
	if (!(buf = malloc(len)))
		return ctx_fail(s->ctx, IOTFLASH_ERR_NOMEM, "out of memory");
	rc = iotflash_read_to_mem(s, addr, len, buf, o, r);
	if (rc == IOTFLASH_OK)  /* backups hold Wi-Fi credentials: 0600 */
		rc = iotflash_write_file_atomic(path, buf, len, 0600, s->ctx->error, sizeof(s->ctx->error));
	free(buf);
	return rc;
}
