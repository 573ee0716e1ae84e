/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Learning from failed reads (see engine.h, struct copies).  On a noisy
 * line most bad copies of a block carry one or two flipped bits, each in
 * another place: a byte-wise vote across the copies, or trying the few
 * bytes they disagree on against the chip's checksum, rebuilds the block
 * long before a clean copy would come. */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

/* At most this many disagreeing bytes are tried against the checksum, and
 * at most this many combinations (a false CRC-32 match stays below 1e-6). */
#define REPAIR_POSITIONS 16
#define REPAIR_TRIES 1024

void copies_init(struct copies *c, uint32_t len)
{
	memset(c, 0, sizeof(*c));
	c->len = len;
}

void copies_free(struct copies *c)
{
	free(c->buf);
	c->buf = NULL;
	c->n = 0;
}

/* Keep a full-length copy; the oldest goes when all slots are used.
 * Returns false when out of memory. */
bool copies_add(struct copies *c, const uint8_t *data)
{
	if (!c->buf && !(c->buf = malloc((size_t)COPIES_MAX * c->len)))
		return false;
	memcpy(c->buf + (size_t)(c->next % COPIES_MAX) * c->len, data, c->len);
	c->next++;
	if (c->n < COPIES_MAX)
		c->n++;
	return true;
}

static const uint8_t *copy_at(const struct copies *c, unsigned i) { return c->buf + (size_t)i * c->len; }

/* Do two kept copies agree byte for byte?  The first such pair into out. */
bool copies_pair(const struct copies *c, uint8_t *out)
{
	for (unsigned i = 0; i < c->n; i++)
		for (unsigned j = i + 1; j < c->n; j++)
			if (memcmp(copy_at(c, i), copy_at(c, j), c->len) == 0) {
				memcpy(out, copy_at(c, i), c->len);
				return true;
			}
	return false;
}

/* Byte-wise majority into out.  Returns true when every byte has a strict
 * majority held by at least two copies (an answer two reads agree on). */
bool copies_vote(const struct copies *c, uint8_t *out)
{
	bool sure = c->n >= 2;

	for (uint32_t k = 0; k < c->len; k++) {
		unsigned m[COPIES_MAX], best = 0, second_n = 0;
		for (unsigned i = 0; i < c->n; i++) {
			m[i] = 0;
			for (unsigned j = 0; j < c->n; j++)
				m[i] += copy_at(c, j)[k] == copy_at(c, i)[k];
			if (m[i] > m[best])
				best = i;
		}
		out[k] = copy_at(c, best)[k];
		for (unsigned i = 0; i < c->n; i++)
			if (copy_at(c, i)[k] != out[k] && m[i] > second_n)
				second_n = m[i];
		if (m[best] < 2 || m[best] == second_n)
			sure = false;
	}
	return sure;
}

/* Try the values the copies offer at the bytes they disagree on (the vote
 * in out first) until the host checksum equals expected.  Only for a
 * checksum that tells near-identical blocks apart (a CRC or a hash): a
 * plain sum of words would accept the wrong combination. */
bool copies_repair(struct iotflash_session *s, const struct copies *c, uint8_t *out, const uint8_t *expected)
{
	enum iotflash_checksum kind = drv_sum_kind(s);
	uint32_t pos[REPAIR_POSITIONS];
	uint8_t vals[REPAIR_POSITIONS][COPIES_MAX], nv[REPAIR_POSITIONS], pick[REPAIR_POSITIONS];
	uint8_t sum[IOTFLASH_SUM_MAX];
	unsigned np = 0, tries = 0;

	if (kind != IOTFLASH_SUM_CRC32 && kind != IOTFLASH_SUM_CRC32_BEKEN && kind != IOTFLASH_SUM_SHA256)
		return false;
	for (uint32_t k = 0; k < c->len; k++) {
		unsigned n = 0;
		for (unsigned i = 0; i < c->n; i++) {
			uint8_t v = copy_at(c, i)[k];
			bool seen = v == out[k];
			for (unsigned j = 0; j < n && !seen; j++)
				seen = vals[np][j] == v;
			if (seen)
				continue;
			if (np == REPAIR_POSITIONS)
				return false;  /* too many disagreements to try */
			vals[np][n++] = v;
		}
		if (n == 0)
			continue;
		pos[np] = k;
		nv[np] = (uint8_t)n;
		np++;
	}
	/* Odometer over the alternatives; pick 0 is the vote's own value. */
	uint8_t orig[REPAIR_POSITIONS];
	for (unsigned i = 0; i < np; i++) {
		orig[i] = out[pos[i]];
		pick[i] = 0;
	}
	for (;;) {
		for (unsigned i = 0; i < np; i++)
			out[pos[i]] = pick[i] == 0 ? orig[i] : vals[i][pick[i] - 1];
		size_t n = drv_host_sum(s, out, c->len, sum);
		if (memcmp(sum, expected, n) == 0)
			return true;
		unsigned i = 0;
		for (; i < np; i++) {
			pick[i] = (uint8_t)((pick[i] + 1) % (nv[i] + 1));
			if (pick[i] != 0)
				break;
		}
		if (i == np || ++tries >= REPAIR_TRIES)
			break;
	}
	for (unsigned i = 0; i < np; i++)
		out[pos[i]] = orig[i];
	return false;
}
