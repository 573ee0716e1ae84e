/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* verify-flash: the chip's checksum of each unit against the image's; on a
 * difference, narrowed down to the first differing block.  Chips without a
 * checksum (or unaligned edges) fall back to read-back compare. */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

/* First differing read block inside [addr, addr+len) by device checksums. */
static int locate_mismatch(struct iotflash_session *s, uint32_t addr, uint32_t len, const uint8_t *data,
                           struct iotflash_result *r)
{
	uint32_t rb = s->chip->read_block;
	for (uint32_t off = 0; off < len; off += rb) {
		uint32_t n = len - off < rb ? len - off : rb;
		bool same;
		int rc = engine_unit_matches(s, addr + off, n, data + off, &same, r);
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

	if (!drv_has_sum(s) || addr % align || len % align) {
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
		if ((rc = engine_unit_matches(s, (uint32_t)u, (uint32_t)(end - u), data + (u - addr), &same, r)) != IOTFLASH_OK)
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
	engine_result_init(r, len);
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
