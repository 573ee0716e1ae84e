/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Engine helpers shared by read, write, erase and verify. */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

bool is_blank(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0xff)
			return false;
	return true;
}

int engine_check_range(struct iotflash_session *s, uint32_t addr, uint32_t len)
{
	if (len == 0)
		return ctx_fail(s->ctx, IOTFLASH_ERR_RANGE, "size is 0: nothing to do");
	if (addr >= s->flash_size || len > s->flash_size - addr)
		return ctx_fail(s->ctx, IOTFLASH_ERR_RANGE,
		                "0x%x..0x%x reaches past the end of the %u KiB flash (last address 0x%x)",
		                (unsigned)addr, (unsigned)((uint64_t)addr + len - 1), (unsigned)(s->flash_size / 1024),
		                (unsigned)(s->flash_size - 1));
	return IOTFLASH_OK;
}

int engine_check_protected(struct iotflash_session *s, uint32_t addr, uint32_t len, bool force,
                           const char *unlock_region)
{
	const struct iotflash_chip *c = s->chip;
	uint64_t end = (uint64_t)addr + len;

	if (s->mismatch && !force)
		return ctx_fail(s->ctx, IOTFLASH_ERR_MISMATCH, "%s; refusing to change its flash (check --chip, or add --force)",
		                s->mismatch_msg);
	for (unsigned i = 0; i < c->n_protected; i++) {
		const struct iotflash_region *r = &c->protected_regions[i];
		if (end <= r->start || addr >= (uint64_t)r->start + r->size)
			continue;
		if (r->hard)
			return ctx_fail(s->ctx, IOTFLASH_ERR_PROTECTED,
			                "0x%x..0x%x overlaps the %s (0x%x..0x%x), which %s needs to stay reachable over UART; "
			                "it cannot be changed over UART (use a CH341A SPI programmer for that)",
			                (unsigned)addr, (unsigned)(end - 1), r->name, (unsigned)r->start,
			                (unsigned)(r->start + r->size - 1), c->name);
		if (!force && !(unlock_region && strcmp(unlock_region, r->name) == 0))
			return ctx_fail(s->ctx, IOTFLASH_ERR_PROTECTED,
			                "0x%x..0x%x overlaps the protected %s (0x%x..0x%x); add --force if you really mean to change it",
			                (unsigned)addr, (unsigned)(end - 1), r->name, (unsigned)r->start,
			                (unsigned)(r->start + r->size - 1));
	}
	return IOTFLASH_OK;
}

void engine_progress(const struct iotflash_op_opts *o, const char *phase, uint64_t done,
                     uint64_t total, uint64_t skipped, uint32_t addr)
{
	struct iotflash_progress p = {phase, done, total, skipped, addr};
	if (o && o->progress)
		o->progress(o->user, &p);
}

/* Does the chip's flash hold exactly data over [addr, addr+len)? */
int engine_unit_matches(struct iotflash_session *s, uint32_t addr, uint32_t len, const uint8_t *data,
                        bool *match, struct iotflash_result *r)
{
	uint8_t dev[IOTFLASH_SUM_MAX], host[IOTFLASH_SUM_MAX];
	uint8_t *back;
	int rc;

	if (drv_has_sum(s)) {
		size_t n = drv_host_sum(s, data, len, host);
		if ((rc = link_sum(s, addr, len, dev)) != IOTFLASH_OK)
			return rc;
		*match = memcmp(dev, host, n) == 0;
		return IOTFLASH_OK;
	}
	/* Read-back compare.  One read equal to data proves it (noise does not
	 * turn other bytes into exactly these); two reads that agree with each
	 * other and not with data prove a difference; anything else is noise
	 * and is read again. */
	if (!(back = malloc(2 * (size_t)len)))
		return ctx_fail(s->ctx, IOTFLASH_ERR_NOMEM, "out of memory");
	*match = false;
	bool have_prev = false;
	rc = IOTFLASH_OK;
	for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
		uint8_t *now = back + (attempt % 2) * (size_t)len, *prev = back + ((attempt + 1) % 2) * (size_t)len;
		rc = link_read(s, addr, now, len);
		if (r)
			r->moved += len;
		if (rc == IOTFLASH_ERR_CANCELLED || rc == IOTFLASH_ERR_UNSUPPORTED || rc == IOTFLASH_ERR_LOADER_MISSING)
			break;
		if (rc != IOTFLASH_OK) {
			have_prev = false;
			continue;
		}
		if (memcmp(now, data, len) == 0) {
			*match = true;
			break;
		}
		if (have_prev && memcmp(now, prev, len) == 0)
			break;
		have_prev = true;
	}
	free(back);
	if (rc != IOTFLASH_OK || *match)
		return rc;
	s->ctx->error[0] = '\0';
	return IOTFLASH_OK;
}

void engine_result_init(struct iotflash_result *r, uint32_t len)
{
	memset(r, 0, sizeof(*r));
	r->bytes = len;
}
