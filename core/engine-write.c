/* Writes, erases and verification.  A write backs up what it will change,
 * erases only erase units whose content differs (with the largest unit that
 * fits), programs only non-blank blocks, and proves every unit with the
 * chip's checksum, erasing and writing it again if it does not match. */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool want_skip(const struct iotflash_op_opts *o) { return !(o && o->no_skip); }
static bool want_backup(const struct iotflash_op_opts *o) { return !(o && o->no_backup); }
static bool forced(struct iotflash_session *s, const struct iotflash_op_opts *o) { return s->force || (o && o->force); }

static void result_init(struct iotflash_result *r, uint32_t len)
{
	memset(r, 0, sizeof(*r));
	r->bytes = len;
}

/* Does the chip's flash hold exactly data over [addr, addr+len)? */
static int unit_matches(struct iotflash_session *s, uint32_t addr, uint32_t len, const uint8_t *data,
                        bool *match, struct iotflash_result *r)
{
	uint8_t dev[IOTFLASH_SUM_MAX], host[IOTFLASH_SUM_MAX];
	uint8_t *back;
	int rc;

	if (engine_has_sum(s)) {
		size_t n = engine_host_sum(s, data, len, host);
		if ((rc = engine_device_sum(s, addr, len, dev)) != IOTFLASH_OK)
			return rc;
		*match = memcmp(dev, host, n) == 0;
		return IOTFLASH_OK;
	}
	if (!(back = malloc(len)))
		return ctx_fail(s->ctx, IOTFLASH_ERR_NOMEM, "out of memory");
	rc = s->drv->read(s->drv_priv, addr, back, len);  /* read-back compare */
	if (r)
		r->moved += len;
	*match = rc == IOTFLASH_OK && memcmp(back, data, len) == 0;
	free(back);
	return rc;
}

/* Largest erase unit aligned at pos that fits before end and whose sectors
 * all need erasing; 0 when the sector at pos needs nothing. */
static uint32_t pick_unit(const struct iotflash_chip *c, uint32_t base, uint32_t pos, uint32_t end,
                          const bool *dirty)
{
	uint32_t eu0 = c->erase_units[0];
	if (!dirty[(pos - base) / eu0])
		return 0;
	for (int i = (int)c->n_erase_units - 1; i > 0; i--) {
		uint32_t u = c->erase_units[i];
		bool all = pos % u == 0 && (uint64_t)pos + u <= end;
		for (uint32_t k = 0; all && k < u / eu0; k++)
			all = dirty[(pos - base) / eu0 + k];
		if (all)
			return u;
	}
	return eu0;
}

/* Erase one unit, program its non-blank blocks, prove it; retry as a whole. */
static int program_unit(struct iotflash_session *s, uint32_t addr, uint32_t len, const uint8_t *data,
                        struct iotflash_result *r)
{
	uint32_t wb = s->chip->write_block;
	char why[ERRLEN] = "";
	int rc = IOTFLASH_OK;

	for (int attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
		bool ok = false;
		if (attempt > 0)
			r->retries++;
		if (s->cancelled)
			return ctx_fail(s->ctx, IOTFLASH_ERR_CANCELLED, "interrupted at 0x%06x", (unsigned)addr);
		s->ctx->error[0] = '\0';
		rc = s->drv->erase(s->drv_priv, addr, len);
		for (uint32_t off = 0; rc == IOTFLASH_OK && off < len; off += wb) {
			if (is_blank(data + off, wb))
				continue;  /* erased flash already reads 0xFF */
			rc = s->drv->write(s->drv_priv, addr + off, data + off, wb);
			r->moved += wb;
		}
		if (rc == IOTFLASH_OK)
			rc = unit_matches(s, addr, len, data, &ok, r);
		if (rc == IOTFLASH_ERR_CANCELLED)
			return ctx_fail(s->ctx, rc, "interrupted at 0x%06x", (unsigned)addr);
		if (rc == IOTFLASH_OK && ok) {
			r->erased_units++;
			return IOTFLASH_OK;
		}
		snprintf(why, sizeof(why), "%s", rc != IOTFLASH_OK ? (s->ctx->error[0] ? s->ctx->error : iotflash_strerror(rc))
		                                                  : "the chip's checksum does not match what was written");
	}
	return ctx_fail(s->ctx, rc != IOTFLASH_OK ? rc : IOTFLASH_ERR_VERIFY,
	                "write failed at 0x%06x..0x%06x after %d attempts: %s (the rest of the flash is unchanged%s)",
	                (unsigned)addr, (unsigned)(addr + len - 1), WRITE_ATTEMPTS, why,
	                r->backup_path[0] ? "; the backup holds the old content" : "");
}

/* Which erase units differ from the image: by the backup's bytes when we
 * have them, else by the chip's checksum. */
static int plan_dirty(struct iotflash_session *s, uint32_t e0, uint32_t e1, const uint8_t *img,
                      const uint8_t *old, const struct iotflash_op_opts *o, bool *dirty)
{
	uint32_t eu0 = s->chip->erase_units[0];
	for (uint32_t pos = e0; pos < e1; pos += eu0) {
		bool same = false;
		int rc;
		const uint8_t *want = img + (pos - e0);
		if (!want_skip(o) || (!old && !engine_has_sum(s))) {
			dirty[(pos - e0) / eu0] = true;
			continue;
		}
		if (old)
			same = memcmp(old + (pos - e0), want, eu0) == 0;
		else if ((rc = unit_matches(s, pos, eu0, want, &same, NULL)) != IOTFLASH_OK)
			return rc;
		dirty[(pos - e0) / eu0] = !same;
	}
	return IOTFLASH_OK;
}

/* Apply img over [e0, e1) (erase-unit aligned). */
static int apply(struct iotflash_session *s, uint32_t e0, uint32_t e1, const uint8_t *img,
                 const uint8_t *old, const struct iotflash_op_opts *o, struct iotflash_result *r, const char *phase)
{
	uint32_t eu0 = s->chip->erase_units[0];
	bool *dirty = calloc((e1 - e0) / eu0, sizeof(bool));
	uint64_t done = 0;
	int rc;

	if (!dirty)
		return ctx_fail(s->ctx, IOTFLASH_ERR_NOMEM, "out of memory");
	engine_progress(o, phase, 0, e1 - e0, 0, e0);
	if ((rc = plan_dirty(s, e0, e1, img, old, o, dirty)) != IOTFLASH_OK)
		goto out;
	for (uint32_t pos = e0; pos < e1;) {
		uint32_t unit = pick_unit(s->chip, e0, pos, e1, dirty);
		if (unit == 0) {
			r->skipped += eu0;
			unit = eu0;
		} else if ((rc = program_unit(s, pos, unit, img + (pos - e0), r)) != IOTFLASH_OK) {
			goto out;
		}
		pos += unit;
		done += unit;
		engine_progress(o, phase, done, e1 - e0, r->skipped, pos);
	}
	r->verified = true;
out:
	free(dirty);
	return rc;
}

static int prepare(struct iotflash_session *s, uint32_t addr, uint32_t len, const struct iotflash_op_opts *o,
                   uint32_t *e0, uint32_t *e1)
{
	uint32_t eu0 = s->chip->erase_units[0];
	uint64_t end = (uint64_t)addr + len;
	int rc;

	if ((rc = engine_check_range(s, addr, len)) != IOTFLASH_OK ||
	    (rc = engine_check_protected(s, addr, len, forced(s, o))) != IOTFLASH_OK)
		return rc;
	*e0 = addr - addr % eu0;
	*e1 = (uint32_t)((end + eu0 - 1) / eu0 * eu0);
	return IOTFLASH_OK;
}

/* The old content of [e0, e1): the whole range backed up, or (no backup)
 * just the partial erase units at the edges, which a write must preserve. */
static int fetch_old(struct iotflash_session *s, uint32_t e0, uint32_t e1, uint32_t addr, uint32_t len,
                     const struct iotflash_op_opts *o, struct iotflash_result *r, uint8_t *old, bool *whole)
{
	uint32_t eu0 = s->chip->erase_units[0];
	int rc = IOTFLASH_OK;

	*whole = want_backup(o);
	if (*whole)
		return backup_region(s, e0, e1 - e0, old, o, r);
	if (addr != e0)
		rc = engine_read(s, e0, eu0, old, o, r, "read");
	if (rc == IOTFLASH_OK && addr + len != e1)
		rc = engine_read(s, e1 - eu0, eu0, old + (e1 - eu0 - e0), o, r, "read");
	return rc;
}

IOTFLASH_API int iotflash_write(struct iotflash_session *s, uint32_t addr, const uint8_t *data, uint32_t len,
                                const struct iotflash_op_opts *o, struct iotflash_result *r)
{
	struct iotflash_result local;
	uint64_t t0 = iotflash_now_ms();
	uint8_t *old = NULL, *img = NULL;
	uint32_t e0, e1;
	bool whole;
	int rc;

	if (!r)
		r = &local;
	result_init(r, len);
	if ((rc = prepare(s, addr, len, o, &e0, &e1)) != IOTFLASH_OK)
		return rc;
	old = malloc(e1 - e0);
	img = malloc(e1 - e0);
	if (!old || !img) {
		rc = ctx_fail(s->ctx, IOTFLASH_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = fetch_old(s, e0, e1, addr, len, o, r, old, &whole)) != IOTFLASH_OK)
		goto out;
	memcpy(img, old, e1 - e0);
	memcpy(img + (addr - e0), data, len);
	rc = apply(s, e0, e1, img, whole ? old : NULL, o, r, "write");
	sha256_hex(data, len, r->sha256);
out:
	r->seconds = (double)(iotflash_now_ms() - t0) / 1000.0;
	free(old);
	free(img);
	return rc;
}

static int erase_range(struct iotflash_session *s, uint32_t addr, uint32_t len, const struct iotflash_op_opts *o,
                       struct iotflash_result *r)
{
	uint8_t *old = malloc(len), *img = malloc(len);
	int rc = IOTFLASH_OK;

	if (!old || !img) {
		rc = ctx_fail(s->ctx, IOTFLASH_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (want_backup(o) && (rc = backup_region(s, addr, len, old, o, r)) != IOTFLASH_OK)
		goto out;
	memset(img, 0xff, len);
	rc = apply(s, addr, addr + len, img, want_backup(o) ? old : NULL, o, r, "erase");
out:
	free(old);
	free(img);
	return rc;
}

IOTFLASH_API int iotflash_erase(struct iotflash_session *s, uint32_t addr, uint32_t len,
                                const struct iotflash_op_opts *o, struct iotflash_result *r)
{
	struct iotflash_result local;
	uint32_t eu0 = s->chip->erase_units[0], e0, e1;
	uint64_t t0 = iotflash_now_ms();
	int rc;

	if (!r)
		r = &local;
	result_init(r, len);
	if ((rc = prepare(s, addr, len, o, &e0, &e1)) != IOTFLASH_OK)
		return rc;
	if (e0 != addr || e1 != addr + len)
		return ctx_fail(s->ctx, IOTFLASH_ERR_ALIGN,
		                "%s erases in units of %u KiB: start and size must be multiples of 0x%x (e.g. 0x%x and 0x%x)",
		                s->chip->name, (unsigned)(eu0 / 1024), (unsigned)eu0, (unsigned)e0, (unsigned)(e1 - e0));
	rc = erase_range(s, addr, len, o, r);
	r->seconds = (double)(iotflash_now_ms() - t0) / 1000.0;
	return rc;
}

/* Everything outside the protected regions (with --force, outside the hard ones). */
IOTFLASH_API int iotflash_erase_chip(struct iotflash_session *s, const struct iotflash_op_opts *o,
                                     struct iotflash_result *r)
{
	const struct iotflash_chip *c = s->chip;
	struct iotflash_result local, part;
	uint64_t t0 = iotflash_now_ms();
	uint32_t pos = 0;
	int rc = IOTFLASH_OK;

	if (!r)
		r = &local;
	result_init(r, s->flash_size);
	if (s->mismatch && !forced(s, o))
		return engine_check_protected(s, 0, s->flash_size, false);
	while (pos < s->flash_size && rc == IOTFLASH_OK) {
		uint32_t end = s->flash_size;
		bool skip = false;
		for (unsigned i = 0; i < c->n_protected; i++) {  /* next protected region boundary */
			const struct iotflash_region *p = &c->protected_regions[i];
			if (!p->hard && forced(s, o))
				continue;
			if (pos >= p->start && pos < p->start + p->size) {
				end = p->start + p->size;
				skip = true;
				break;
			}
			if (p->start > pos && p->start < end)
				end = p->start;
		}
		if (!skip) {
			rc = erase_range(s, pos, end - pos, o, &part);
			r->moved += part.moved;
			r->skipped += part.skipped;
			r->retries += part.retries;
			r->erased_units += part.erased_units;
			if (part.backup_path[0])
				snprintf(r->backup_path, sizeof(r->backup_path), "%s", part.backup_path);
		}
		pos = end;
	}
	r->verified = rc == IOTFLASH_OK;
	r->seconds = (double)(iotflash_now_ms() - t0) / 1000.0;
	return rc;
}

/* First differing read block inside [addr, addr+len) by device checksums. */
static int locate_mismatch(struct iotflash_session *s, uint32_t addr, uint32_t len, const uint8_t *data,
                           struct iotflash_result *r)
{
	uint32_t rb = s->chip->read_block;
	for (uint32_t off = 0; off < len; off += rb) {
		uint32_t n = len - off < rb ? len - off : rb;
		bool same;
		int rc = unit_matches(s, addr + off, n, data + off, &same, r);
		if (rc != IOTFLASH_OK)
			return rc;
		if (!same) {
			r->mismatch = true;
			r->mismatch_addr = addr + off;
			r->mismatch_len = n;
			return IOTFLASH_OK;
		}
	}
	r->mismatch = true;  /* the unit differed but no block does: report the unit */
	r->mismatch_addr = addr;
	r->mismatch_len = len;
	return IOTFLASH_OK;
}

/* Compare [addr, addr+len) with data; sets r->mismatch*. */
static int compare_range(struct iotflash_session *s, uint32_t addr, uint32_t len, const uint8_t *data,
                         const struct iotflash_op_opts *o, struct iotflash_result *r)
{
	uint32_t align = s->chip->checksum_align ? s->chip->checksum_align : 1;
	uint64_t done = 0;
	int rc;

	if (!engine_has_sum(s) || addr % align || len % align) {
		/* No usable device checksum: read back (the core's fallback). */
		uint8_t *back = malloc(len);
		if (!back)
			return ctx_fail(s->ctx, IOTFLASH_ERR_NOMEM, "out of memory");
		rc = engine_read(s, addr, len, back, o, r, "verify");
		for (uint32_t i = 0; rc == IOTFLASH_OK && i < len; i++)
			if (back[i] != data[i]) {
				uint32_t rb = s->chip->read_block, a = addr + i - (addr + i) % rb;
				r->mismatch = true;
				r->mismatch_addr = a;
				r->mismatch_len = rb;
				break;
			}
		free(back);
		return rc;
	}
	for (uint64_t u = addr; u < (uint64_t)addr + len;) {
		uint64_t end = (u / VERIFY_UNIT + 1) * VERIFY_UNIT;
		bool same;
		if (end > (uint64_t)addr + len)
			end = (uint64_t)addr + len;
		if ((rc = unit_matches(s, (uint32_t)u, (uint32_t)(end - u), data + (u - addr), &same, r)) != IOTFLASH_OK)
			return rc;
		if (!same)
			return locate_mismatch(s, (uint32_t)u, (uint32_t)(end - u), data + (u - addr), r);
		done += end - u;
		engine_progress(o, "verify", done, len, 0, (uint32_t)end);
		u = end;
	}
	return IOTFLASH_OK;
}

IOTFLASH_API int iotflash_verify(struct iotflash_session *s, uint32_t addr, const uint8_t *data, uint32_t len,
                                 const struct iotflash_op_opts *o, struct iotflash_result *r)
{
	struct iotflash_result local;
	uint64_t t0 = iotflash_now_ms();
	int rc;

	if (!r)
		r = &local;
	result_init(r, len);
	if ((rc = engine_check_range(s, addr, len)) != IOTFLASH_OK)
		return rc;
	rc = compare_range(s, addr, len, data, o, r);
	r->seconds = (double)(iotflash_now_ms() - t0) / 1000.0;
	if (rc != IOTFLASH_OK)
		return rc;
	if (r->mismatch)
		return ctx_fail(s->ctx, IOTFLASH_ERR_VERIFY, "flash differs from the image in block 0x%06x..0x%06x",
		                (unsigned)r->mismatch_addr, (unsigned)(r->mismatch_addr + r->mismatch_len - 1));
	r->verified = true;
	sha256_hex(data, len, r->sha256);
	return IOTFLASH_OK;
}
