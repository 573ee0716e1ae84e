/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Writes and erases.  The first of a device whose full backup is not in
 * the backup directory reads the whole chip first (backup.c).  Both plan by the chip's checksums which erase units
 * really change, back up only what will change (unchanged units are known to
 * equal the image), erase with the largest unit that fits, program only
 * non-blank blocks, and prove every unit with the chip's checksum, erasing
 * and writing it again if it does not match. */
#include "engine.h"
#include "backup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool want_skip(const struct iotflash_op_opts *o) { return !(o && o->no_skip); }
static bool want_backup(const struct iotflash_op_opts *o) { return !(o && o->no_backup); }
static bool forced(struct iotflash_session *s, const struct iotflash_op_opts *o) { return s->force || (o && o->force); }

static int prepare(struct iotflash_session *s, uint32_t addr, uint32_t len, const struct iotflash_op_opts *o,
                   uint32_t *e0, uint32_t *e1)
{
	uint32_t eu0 = s->chip->erase_units[0];
	uint64_t end = (uint64_t)addr + len;
	int rc;

	if ((rc = engine_check_range(s, addr, len)) != IOTFLASH_OK ||
	    (rc = engine_check_protected(s, addr, len, forced(s, o), o ? o->unlock_region : NULL)) != IOTFLASH_OK)
		return rc;
	*e0 = addr - addr % eu0;
	*e1 = (uint32_t)((end + eu0 - 1) / eu0 * eu0);
	return IOTFLASH_OK;
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

static void note(struct iotflash_session *s, int rc, char *why)
{
	snprintf(why, ERRLEN, "%s", rc != IOTFLASH_OK ? (s->ctx->error[0] ? s->ctx->error : iotflash_strerror(rc))
	                                            : "the chip's checksum does not match what was written");
	s->ctx->error[0] = '\0';
}

/* Erase one unit and program its non-blank blocks.  A failure here is not
 * final: verification decides what has to be done again. */
static int erase_and_program(struct iotflash_session *s, uint32_t addr, uint32_t len, const uint8_t *data,
                             bool erased, struct iotflash_result *r)
{
	uint32_t wb = s->chip->write_block;
	int rc = IOTFLASH_OK;

	if (s->cancelled)
		return IOTFLASH_ERR_CANCELLED;
	if (!erased)
		rc = link_erase(s, addr, len);
	for (uint32_t off = 0; rc == IOTFLASH_OK && off < len; off += wb) {
		if (is_blank(data + off, wb))
			continue;  /* erased flash already reads 0xFF */
		rc = link_write(s, addr + off, data + off, wb);
		r->moved += wb;
	}
	return rc;
}

/* Prove one unit by the chip's checksum; redo it until it holds data. */
static int prove_or_redo(struct iotflash_session *s, uint32_t addr, uint32_t len, const uint8_t *data,
                         bool programmed, struct iotflash_result *r, char *why)
{
	int rc = IOTFLASH_OK, budget = WRITE_ATTEMPTS, attempt;

	for (attempt = 0;; attempt++) {
		bool ok = false;
		int wrc = rc;  /* how the last erase and program went */
		if (wrc == IOTFLASH_ERR_PROTECTED)  /* the chip refuses: no retry helps, its message says why */
			return wrc;
		/* Asked even after a failed write: it may have landed (its answer
		 * lost), and a chip that answers is on a noisy line, not dead. */
		rc = engine_unit_matches(s, addr, len, data, &ok, r);
		if (rc == IOTFLASH_ERR_CANCELLED || wrc == IOTFLASH_ERR_CANCELLED) {
			rc = IOTFLASH_ERR_CANCELLED;
			break;
		}
		if (rc == IOTFLASH_ERR_LOADER_MISSING)  /* nothing to prove with: rewriting will not help */
			return rc;
		if (rc == IOTFLASH_OK && ok)
			return IOTFLASH_OK;
		if (rc == IOTFLASH_ERR_UNSUPPORTED && programmed) {
			/* A write-only chip (no checksum, no read): what the chip
			 * acknowledged is all there is to know. */
			r->unproven = true;
			s->ctx->error[0] = '\0';
			return IOTFLASH_OK;
		}
		if ((rc == IOTFLASH_OK || wrc == IOTFLASH_ERR_DEVICE) && budget < WRITE_ATTEMPTS_MAX)
			budget++;  /* the chip answered (its checksum, a status): a noisy line, not a dead one */
		if (wrc != IOTFLASH_OK)
			rc = wrc;  /* the write's own failure says most */
		note(s, rc, why);
		if (attempt + 1 >= budget)
			break;
		r->retries++;
		rc = erase_and_program(s, addr, len, data, false, r);
		if (rc == IOTFLASH_ERR_CANCELLED)
			break;
		programmed = rc == IOTFLASH_OK;
	}
	if (rc == IOTFLASH_ERR_CANCELLED)
		return ctx_fail(s->ctx, rc, "interrupted at 0x%06x", (unsigned)addr);
	return ctx_fail(s->ctx, rc != IOTFLASH_OK ? rc : IOTFLASH_ERR_VERIFY,
	                "write failed at 0x%06x..0x%06x after %d attempts: %s (the rest of the flash is unchanged%s)",
	                (unsigned)addr, (unsigned)(addr + len - 1), attempt + 1, why,
	                r->backup_path[0] ? "; the backup holds the old content" : "");
}

/* Erase a unit (one large erase is much faster than many small ones) unless
 * it is known blank, program it and prove it; what fails is redone sector by
 * sector, so one corrupted frame costs one sector, not the whole unit. */
static int program_unit(struct iotflash_session *s, uint32_t addr, uint32_t len, const uint8_t *data,
                        bool erased, struct iotflash_result *r)
{
	uint32_t eu0 = s->chip->erase_units[0];
	char why[ERRLEN] = "";
	bool ok = false, programmed;
	int rc;

	s->ctx->error[0] = '\0';
	rc = erase_and_program(s, addr, len, data, erased, r);
	if (rc == IOTFLASH_ERR_CANCELLED)
		return ctx_fail(s->ctx, rc, "interrupted at 0x%06x", (unsigned)addr);
	if (rc != IOTFLASH_OK)
		note(s, rc, why);
	programmed = rc == IOTFLASH_OK;
	if (len > eu0 && programmed && engine_unit_matches(s, addr, len, data, &ok, r) == IOTFLASH_OK && ok) {
		r->erased_units++;
		return IOTFLASH_OK;
	}
	for (uint32_t off = 0; off < len; off += eu0)
		if ((rc = prove_or_redo(s, addr + off, eu0, data + off, programmed, r, why)) != IOTFLASH_OK)
			return rc;
	r->erased_units++;
	return IOTFLASH_OK;
}

/* A change of [e0, e1) (erase-unit aligned) from old to img.  known[u]
 * says old holds unit u's current content; dirty[u] that it must change. */
struct change {
	struct iotflash_session *s;
	const struct iotflash_op_opts *o;
	struct iotflash_result *r;
	uint32_t e0, e1, eu;
	uint8_t *old;
	const uint8_t *img;
	bool *known, *dirty, *blank;
};

static unsigned unit_index(const struct change *c, uint32_t pos) { return (pos - c->e0) / c->eu; }

/* A unit whose content is known changes unless it already equals the image. */
static bool known_unit_changes(const struct change *c, uint32_t pos)
{
	return !want_skip(c->o) || memcmp(c->old + (pos - c->e0), c->img + (pos - c->e0), c->eu) != 0;
}

static void mark(struct change *c, uint32_t pos, uint32_t len, bool dirty, bool blank)
{
	for (uint32_t p = pos; p < pos + len; p += c->eu) {
		unsigned u = unit_index(c, p);
		c->dirty[u] = dirty;
		c->blank[u] = blank;
		if (!dirty || blank) {  /* its content is now known */
			c->known[u] = true;
			if (blank)
				memset(c->old + (p - c->e0), 0xff, c->eu);
			else
				memcpy(c->old + (p - c->e0), c->img + (p - c->e0), c->eu);
		}
	}
}

/* Classify the units the host cannot see by the chip's checksum: a whole
 * aligned VERIFY_UNIT at once first, then unit by unit where it differs.
 * A unit whose checksum equals the image's is unchanged; one that equals
 * blank flash's needs no erase (programming only clears bits). */
static int plan_by_checksum(struct change *c, uint32_t pos, uint32_t len)
{
	uint8_t dev[IOTFLASH_SUM_MAX], want[IOTFLASH_SUM_MAX], blank[IOTFLASH_SUM_MAX];
	uint8_t *ff = malloc(len);
	size_t n;
	int rc;

	if (!ff)
		return ctx_fail(c->s->ctx, IOTFLASH_ERR_NOMEM, "out of memory");
	memset(ff, 0xff, len);
	n = drv_host_sum(c->s, c->img + (pos - c->e0), len, want);
	drv_host_sum(c->s, ff, len, blank);
	free(ff);
	for (int attempt = 0; (rc = link_sum(c->s, pos, len, dev)) != IOTFLASH_OK; attempt++) {
		if (rc == IOTFLASH_ERR_CANCELLED || rc == IOTFLASH_ERR_LOADER_MISSING || rc == IOTFLASH_ERR_UNSUPPORTED)
			return rc;
		c->r->retries++;
		if (attempt + 1 >= READ_ATTEMPTS) {
			c->s->ctx->error[0] = '\0';
			return IOTFLASH_OK;  /* stays dirty, content unknown: written and proved */
		}
	}
	if (memcmp(dev, want, n) == 0) {
		mark(c, pos, len, false, is_blank(c->img + (pos - c->e0), len));
		return IOTFLASH_OK;
	}
	if (memcmp(dev, blank, n) == 0) {
		mark(c, pos, len, true, true);
		return IOTFLASH_OK;
	}
	if (len == c->eu)
		return IOTFLASH_OK;  /* stays dirty, content unknown */
	for (uint32_t p = pos; p < pos + len; p += c->eu)
		if ((rc = plan_by_checksum(c, p, c->eu)) != IOTFLASH_OK)
			return rc;
	return IOTFLASH_OK;
}

/* The same for a chip without a checksum, when nothing will be backed up:
 * read the units once and compare.  One read is proof enough for a unit
 * that equals the image; one that differs is written and proved, so a
 * corrupted read costs a rewrite, never a wrong result.  A failed read
 * leaves the units dirty and stops planning by reading (*readable). */
static int plan_by_reading(struct change *c, uint32_t pos, uint32_t len, bool *readable)
{
	uint8_t *back = malloc(len);
	int rc;

	if (!back)
		return ctx_fail(c->s->ctx, IOTFLASH_ERR_NOMEM, "out of memory");
	rc = link_read(c->s, pos, back, len);
	c->r->moved += len;
	if (rc == IOTFLASH_OK) {
		for (uint32_t off = 0; off < len; off += c->eu) {
			bool same = memcmp(back + off, c->img + (pos - c->e0) + off, c->eu) == 0;
			mark(c, pos + off, c->eu, !same, is_blank(back + off, c->eu));
		}
	} else if (rc == IOTFLASH_ERR_CANCELLED) {
		rc = ctx_fail(c->s->ctx, rc, "interrupted");
	} else {
		c->s->ctx->error[0] = '\0';
		*readable = false;
		rc = IOTFLASH_OK;
	}
	free(back);
	return rc;
}

static int plan(struct change *c)
{
	bool by_sum = want_skip(c->o) && drv_has_sum(c->s);
	bool by_reading = want_skip(c->o) && !by_sum && !want_backup(c->o);
	int rc;

	for (uint32_t pos = c->e0; pos < c->e1;) {
		unsigned u = unit_index(c, pos);
		uint32_t group = c->eu;
		if (c->known[u] || !(by_sum || by_reading)) {
			c->dirty[u] = !c->known[u] || known_unit_changes(c, pos);
			c->blank[u] = c->known[u] && is_blank(c->old + (pos - c->e0), c->eu);
			pos += c->eu;
			continue;
		}
		/* the largest aligned run of unknown units up to VERIFY_UNIT */
		while (pos % (group * 2) == 0 && group * 2 <= VERIFY_UNIT && pos + group * 2 <= c->e1) {
			bool all_unknown = true;
			for (uint32_t p = pos; p < pos + group * 2; p += c->eu)
				all_unknown = all_unknown && !c->known[unit_index(c, p)];
			if (!all_unknown)
				break;
			group *= 2;
		}
		for (uint32_t p = pos; p < pos + group; p += c->eu)
			c->dirty[unit_index(c, p)] = true;
		if ((rc = by_sum ? plan_by_checksum(c, pos, group) : plan_by_reading(c, pos, group, &by_reading)) != IOTFLASH_OK)
			return rc;
		pos += group;
	}
	return IOTFLASH_OK;
}

/* Back up [e0, e1): read what will change and is not known yet; unchanged
 * units are already known (equal to the image by the chip's checksum). */
static int backup(struct change *c)
{
	int rc;
	for (uint32_t pos = c->e0; pos < c->e1;) {
		uint32_t end = pos;
		while (end < c->e1 && !c->known[unit_index(c, end)])
			end += c->eu;
		if (end > pos) {
			if ((rc = engine_read(c->s, pos, end - pos, c->old + (pos - c->e0), c->o, c->r, "backup")) != IOTFLASH_OK)
				return rc;
			for (uint32_t p = pos; p < end; p += c->eu) {  /* now known: plan it again */
				unsigned u = unit_index(c, p);
				c->known[u] = true;
				c->blank[u] = is_blank(c->old + (p - c->e0), c->eu);
				c->dirty[u] = known_unit_changes(c, p);
			}
		}
		pos = end + c->eu;
	}
	return backup_save(c->s, c->e0, c->e1 - c->e0, c->old, c->o, c->r);
}

static bool all_blank(const struct change *c, uint32_t pos, uint32_t len)
{
	for (uint32_t p = pos; p < pos + len; p += c->eu)
		if (!c->blank[unit_index(c, p)])
			return false;
	return true;
}

/* A line that needed retries may also have corrupted a command's address
 * (a frame without its own check: an erase or a write that landed on a
 * unit proved earlier).  Prove the whole range once more, unit by unit,
 * and redo what no longer holds the image. */
static int final_proof(struct change *c)
{
	uint32_t eu0 = c->s->chip->erase_units[0];
	int rc;

	for (int round = 0; round < 3; round++) {
		bool all = true;
		for (uint32_t pos = c->e0; pos < c->e1; pos += VERIFY_UNIT) {
			uint32_t len = c->e1 - pos < VERIFY_UNIT ? c->e1 - pos : VERIFY_UNIT;
			bool ok = false;
			if (engine_unit_matches(c->s, pos, len, c->img + (pos - c->e0), &ok, c->r) == IOTFLASH_OK && ok)
				continue;
			for (uint32_t p = pos; p < pos + len; p += eu0) {
				if (engine_unit_matches(c->s, p, eu0, c->img + (p - c->e0), &ok, c->r) == IOTFLASH_OK && ok)
					continue;
				all = false;
				c->r->retries++;
				if ((rc = program_unit(c->s, p, eu0, c->img + (p - c->e0), false, c->r)) != IOTFLASH_OK)
					return rc;
			}
		}
		if (all)
			return IOTFLASH_OK;
	}
	return ctx_fail(c->s->ctx, IOTFLASH_ERR_VERIFY,
	                "write failed: 0x%06x..0x%06x still differs from the image after three proofs (a noisy line?)",
	                (unsigned)c->e0, (unsigned)(c->e1 - 1));
}

static int apply(struct change *c, const char *phase)
{
	uint64_t done = 0;
	int rc = IOTFLASH_OK;

	engine_progress(c->o, phase, 0, c->e1 - c->e0, 0, c->e0);
	for (uint32_t pos = c->e0; pos < c->e1;) {
		uint32_t unit = pick_unit(c->s->chip, c->e0, pos, c->e1, c->dirty);
		if (unit == 0) {
			c->r->skipped += c->eu;
			unit = c->eu;
		} else if ((rc = program_unit(c->s, pos, unit, c->img + (pos - c->e0), all_blank(c, pos, unit), c->r)) !=
		           IOTFLASH_OK) {
			return rc;
		}
		pos += unit;
		done += unit;
		engine_progress(c->o, phase, done, c->e1 - c->e0, c->r->skipped, pos);
	}
	if (c->r->retries > 0 && !c->r->unproven && (rc = final_proof(c)) != IOTFLASH_OK)
		return rc;
	c->r->verified = !c->r->unproven;
	if (c->r->unproven)
		ctx_log(c->s->ctx, IOTFLASH_LOG_WARN, "write",
		        "%s cannot be read back: the write was acknowledged but not verified", c->s->chip->name);
	return IOTFLASH_OK;
}

/* Read the partial erase units at the edges of [addr, addr+len): a write
 * must keep their bytes outside the image. */
static int read_edges(struct change *c, uint32_t addr, uint32_t len)
{
	int rc = IOTFLASH_OK;
	if (addr != c->e0) {
		rc = engine_read(c->s, c->e0, c->eu, c->old, c->o, c->r, "read");
		c->known[0] = true;
	}
	if (rc == IOTFLASH_OK && addr + len != c->e1) {
		rc = engine_read(c->s, c->e1 - c->eu, c->eu, c->old + (c->e1 - c->eu - c->e0), c->o, c->r, "read");
		c->known[unit_index(c, c->e1 - c->eu)] = true;
	}
	return rc;
}

/* Plan, back up, apply: the one path every write and erase takes. */
static int change_flash(struct iotflash_session *s, uint32_t addr, uint32_t len, const uint8_t *data,
                        const struct iotflash_op_opts *o, struct iotflash_result *r, const char *phase)
{
	struct change c = {s, o, r, 0, 0, s->chip->erase_units[0], NULL, NULL, NULL, NULL, NULL};
	uint8_t *img = NULL;
	int rc;

	if ((rc = prepare(s, addr, len, o, &c.e0, &c.e1)) != IOTFLASH_OK)
		return rc;
	/* First contact: the whole chip once, before anything changes. */
	if ((rc = backup_first_contact(s, o)) != IOTFLASH_OK)
		return rc;
	c.old = malloc(c.e1 - c.e0);
	img = malloc(c.e1 - c.e0);
	c.known = calloc((c.e1 - c.e0) / c.eu, sizeof(bool));
	c.dirty = calloc((c.e1 - c.e0) / c.eu, sizeof(bool));
	c.blank = calloc((c.e1 - c.e0) / c.eu, sizeof(bool));
	if (!c.old || !img || !c.known || !c.dirty || !c.blank) {
		rc = ctx_fail(s->ctx, IOTFLASH_ERR_NOMEM, "out of memory");
		goto out;
	}
	c.img = img;
	if ((rc = read_edges(&c, addr, len)) != IOTFLASH_OK)
		goto out;
	memcpy(img, c.old, c.e1 - c.e0);  /* the edges' bytes outside the image */
	if (data)
		memcpy(img + (addr - c.e0), data, len);
	else
		memset(img + (addr - c.e0), 0xff, len);
	if ((rc = plan(&c)) != IOTFLASH_OK)
		goto out;
	if (want_backup(o) && (rc = backup(&c)) != IOTFLASH_OK) {
		if (rc == IOTFLASH_ERR_UNSUPPORTED)
			ctx_fail(s->ctx, rc, "%s cannot be read, so nothing can be backed up: add --no-backup to write without a backup",
			         s->chip->name);
		goto out;
	}
	if ((rc = link_use_rate(s, true)) == IOTFLASH_OK)
		rc = apply(&c, phase);
out:
	free(c.old);
	free(img);
	free(c.known);
	free(c.dirty);
	free(c.blank);
	return rc;
}

IOTFLASH_API int iotflash_write(struct iotflash_session *s, uint32_t addr, const uint8_t *data, uint32_t len,
                                const struct iotflash_op_opts *o, struct iotflash_result *r)
{
	struct iotflash_result local;
	uint64_t t0 = iotflash_now_ms();
	int rc;

	if (!r)
		r = &local;
	engine_result_init(r, len);
	rc = change_flash(s, addr, len, data, o, r, "write");
	if (rc == IOTFLASH_OK)
		sha256_hex(data, len, r->sha256);
	r->seconds = (double)(iotflash_now_ms() - t0) / 1000.0;
	return rc;
}

IOTFLASH_API int iotflash_erase(struct iotflash_session *s, uint32_t addr, uint32_t len,
                                const struct iotflash_op_opts *o, struct iotflash_result *r)
{
	struct iotflash_result local;
	uint32_t eu0 = s->chip->erase_units[0];
	uint64_t t0 = iotflash_now_ms();
	int rc;

	if (!r)
		r = &local;
	engine_result_init(r, len);
	if (addr % eu0 || len % eu0)
		return ctx_fail(s->ctx, IOTFLASH_ERR_ALIGN,
		                "%s erases in units of %u KiB: start and size must be multiples of 0x%x",
		                s->chip->name, (unsigned)(eu0 / 1024), (unsigned)eu0);
	rc = change_flash(s, addr, len, NULL, o, r, "erase");
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
	engine_result_init(r, s->flash_size);
	if (s->mismatch && !forced(s, o))
		return engine_check_protected(s, 0, s->flash_size, false, NULL);
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
			engine_result_init(&part, end - pos);
			rc = change_flash(s, pos, end - pos, NULL, o, &part, "erase");
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

