/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* EasyFlash V4 ("NG mode") areas as OpenBeken's Realtek, Bouffalo and ESWIN
 * builds keep them: 4 KiB sectors with a header, variable-length key/value
 * entries.  Write granularities 1, 8 and 32 (docs/protocols/obk-config.md
 * §8): GRAN 32 (TR6260, ECR6600 SDKs) has 4-byte status steps, no entry
 * magic, and names and values padded with 0xFF to 4 bytes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obk-internal.h"

#define EF_SECTOR 4096u
#define EF_SECTOR_MAGIC 0x30344645u  /* "EF40" */
#define EF_SECTOR_MAGIC_ECR 0x31344645u  /* "EF41" */
#define EF_ENTRY_MAGIC 0x3034564Bu  /* "KV40" */

struct ef_geom {
	unsigned gran;
	unsigned align;         /* W: 1, or 4 for GRAN 32 (§8.1) */
	unsigned store_bytes;   /* a 4-state sector table (§8.2) */
	unsigned sector_hdr;    /* entries start here */
	unsigned sector_magic;
	unsigned entry_hdr;     /* name starts here */
	unsigned entry_len;     /* total length; then CRC-32, name length, value length (§8.3) */
	bool entry_magic;       /* `KV40` just before the total length (not on GRAN 32) */
};

static bool geom(unsigned gran, struct ef_geom *g)
{
	if (gran == 1)
		*g = (struct ef_geom){1, 1, 1, 16, 4, 24, 8, true};
	else if (gran == 8)
		*g = (struct ef_geom){8, 1, 3, 20, 8, 28, 12, true};
	else if (gran == 32)
		*g = (struct ef_geom){32, 4, 12, 36, 24, 36, 20, false};
	else
		return false;
	return true;
}

static uint32_t padded(const struct ef_geom *g, uint32_t n)
{
	return (n + g->align - 1) / g->align * g->align;
}

/* Current state of a status table: the highest programmed state (§8.2). */
static unsigned get_state(const uint8_t *t, const struct ef_geom *g, unsigned states)
{
	unsigned s = 0;
	for (unsigned k = 1; k < states; k++) {
		bool set = g->gran == 1 ? !(t[0] & (0x80u >> (k - 1))) : t[(k - 1) * g->align] == 0x00;
		if (set)
			s = k;
	}
	return s;
}

static void put_state(uint8_t *t, const struct ef_geom *g, unsigned k)
{
	for (unsigned i = 1; i <= k; i++) {
		if (g->gran == 1)
			t[0] &= (uint8_t)~(0x80u >> (i - 1));
		else
			t[(i - 1) * g->align] = 0x00;
	}
}

/* CRC-32 of an entry: name length to value end, padding included (§8.3). */
static uint32_t entry_crc(const uint8_t *e, const struct ef_geom *g, uint32_t total)
{
	unsigned from = g->entry_len + 8;
	return iotflash_obk_crc32(e + from, total - from);
}

struct ef_entry {
	const uint8_t *p;
	uint32_t total;
	const char *name;
	unsigned name_len;
	const uint8_t *value;
	uint32_t value_len;
};

/* Calls fn for every committed entry with a good CRC; stops when fn returns true. */
static bool walk(const uint8_t *area, size_t len, const struct ef_geom *g,
                 bool (*fn)(void *user, const struct ef_entry *e), void *user)
{
	for (size_t s = 0; s + EF_SECTOR <= len; s += EF_SECTOR) {
		const uint8_t *sec = area + s;
		uint32_t magic = obk_get_le(sec + g->sector_magic, 4);
		if ((magic != EF_SECTOR_MAGIC && magic != EF_SECTOR_MAGIC_ECR) || get_state(sec, g, 4) < 2)
			continue;
		for (uint32_t pos = g->sector_hdr; pos + g->entry_hdr <= EF_SECTOR;) {
			const uint8_t *e = sec + pos;
			struct ef_entry en;
			if (e[0] == 0xFF)
				break;  /* unused: the end of the sector's entries */
			en.total = obk_get_le(e + g->entry_len, 4);
			if ((g->entry_magic && obk_get_le(e + g->entry_len - 4, 4) != EF_ENTRY_MAGIC) ||
			    en.total < g->entry_hdr || en.total > EF_SECTOR - pos || en.total % g->align)
				break;  /* a header error: nothing after it can be trusted */
			en.p = e;
			en.name_len = e[g->entry_len + 8];
			en.value_len = obk_get_le(e + g->entry_len + 12, 4);
			en.name = (const char *)e + g->entry_hdr;
			en.value = e + g->entry_hdr + padded(g, en.name_len);
			if ((uint64_t)g->entry_hdr + padded(g, en.name_len) + en.value_len <= en.total &&
			    get_state(e, g, 6) == 2 && obk_get_le(e + g->entry_len + 4, 4) == entry_crc(e, g, en.total) &&
			    fn(user, &en))
				return true;
			pos += en.total;
		}
	}
	return false;
}

struct find_ctx {
	const char *key;
	const struct ef_entry *hit;
	struct ef_entry copy;
};

static bool match_key(void *user, const struct ef_entry *e)
{
	struct find_ctx *f = user;
	if (e->name_len != strlen(f->key) || memcmp(e->name, f->key, e->name_len) != 0)
		return false;
	f->copy = *e;
	f->hit = &f->copy;
	return true;
}

int obk_ef_find(const uint8_t *area, size_t len, unsigned gran, const char *key, const uint8_t **value,
                size_t *vlen)
{
	struct ef_geom g;
	struct find_ctx f = {key, NULL, {0}};

	if (!geom(gran, &g))
		return IOTFLASH_ERR_UNSUPPORTED;
	if (!walk(area, len, &g, match_key, &f))
		return IOTFLASH_ERR_UNSUPPORTED;
	*value = f.hit->value;
	*vlen = f.hit->value_len;
	return IOTFLASH_OK;
}

/* One committed entry, built in out (at least entry_hdr + name + value
 * bytes, each padded to W): name and value padded with 0xFF (§8.3). */
static uint32_t build_entry(uint8_t *out, const struct ef_geom *g, const char *name, const uint8_t *value,
                            size_t vlen)
{
	uint32_t nl = (uint32_t)strlen(name);
	uint32_t total = g->entry_hdr + padded(g, nl) + padded(g, (uint32_t)vlen);

	memset(out, 0xFF, total);
	put_state(out, g, 2);
	if (g->entry_magic)
		obk_put_le(out + g->entry_len - 4, EF_ENTRY_MAGIC, 4);
	obk_put_le(out + g->entry_len, total, 4);
	out[g->entry_len + 8] = (uint8_t)nl;
	obk_put_le(out + g->entry_len + 12, (uint32_t)vlen, 4);
	memcpy(out + g->entry_hdr, name, nl);
	memcpy(out + g->entry_hdr + padded(g, nl), value, vlen);
	obk_put_le(out + g->entry_len + 4, entry_crc(out, g, total), 4);
	return total;
}

static void sector_header(uint8_t *sec, const struct ef_geom *g, uint32_t magic, bool in_use)
{
	memset(sec, 0xFF, g->sector_hdr);
	put_state(sec, g, in_use ? 2 : 1);               /* store: using / empty */
	put_state(sec + g->store_bytes, g, 1);           /* dirty: false */
	obk_put_le(sec + g->sector_magic, magic, 4);
}

/* cap is the most entries the area can hold, so it never stops early. */
struct collect_ctx {
	unsigned n, cap;
	struct ef_entry *store;
};

static bool collect(void *user, const struct ef_entry *e)
{
	struct collect_ctx *c = user;
	if (c->n == c->cap)
		return true;
	c->store[c->n++] = *e;
	return false;
}

int obk_ef_store(uint8_t *area, size_t len, unsigned gran, uint32_t magic, const char *key, const uint8_t *value,
                 size_t vlen, char *err, size_t errlen)
{
	struct ef_geom g;
	struct collect_ctx c = {0, 0, NULL};
	size_t nsec = len / EF_SECTOR, cap;
	uint8_t *out = NULL, *mine = NULL;
	bool have_key = false;
	size_t sec = 0, pos;
	int rc = IOTFLASH_OK;

	if (!geom(gran, &g) || len % EF_SECTOR || nsec < 2) {
		snprintf(err, errlen, "EasyFlash area of %zu bytes (granularity %u) is not one this writer knows", len, gran);
		return IOTFLASH_ERR_UNSUPPORTED;
	}
	cap = EF_SECTOR - g.sector_hdr;
	c.cap = (unsigned)(nsec * (EF_SECTOR / g.entry_hdr));
	c.store = calloc(c.cap, sizeof(*c.store));
	out = malloc(len);
	mine = malloc(g.entry_hdr + 256 + vlen + 4);
	if (!c.store || !out || !mine) {
		rc = IOTFLASH_ERR_NOMEM;
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	walk(area, len, &g, collect, &c);
	memset(out, 0xFF, len);
	pos = g.sector_hdr;
	/* The other keys in their order, ours in place of its old entry (or
	 * last); a fresh area gets nv_version as the vendor SDK has it (§8.5). */
	for (unsigned i = 0; i <= c.n && !rc; i++) {
		const uint8_t *bytes;
		uint32_t total;
		bool ours = i < c.n && c.store[i].name_len == strlen(key) && !memcmp(c.store[i].name, key, c.store[i].name_len);
		if (i == c.n && have_key)
			break;
		if (ours && have_key)
			continue;  /* an older duplicate: dropped */
		if (ours || i == c.n) {
			total = build_entry(mine, &g, key, value, vlen);
			bytes = mine;
			have_key = true;
		} else {
			total = c.store[i].total;
			bytes = c.store[i].p;
		}
		if (pos + total > EF_SECTOR) {
			sec++;
			pos = g.sector_hdr;
		}
		if (sec + 1 >= nsec || total > cap) {
			rc = IOTFLASH_ERR_UNSUPPORTED;
			snprintf(err, errlen, "the EasyFlash area (%zu sectors) has no room for the configuration and "
			         "one free sector: too many other keys", nsec);
			break;
		}
		memcpy(out + sec * EF_SECTOR + pos, bytes, total);
		pos += total;
	}
	if (!rc && c.n == 0) {
		static const uint8_t ver[] = "0.01";
		uint32_t total = build_entry(mine, &g, "nv_version", ver, 4);
		if (pos + total <= EF_SECTOR) {
			memcpy(out + sec * EF_SECTOR + pos, mine, total);
		}
	}
	if (!rc) {
		for (size_t s = 0; s < nsec; s++)
			sector_header(out + s * EF_SECTOR, &g, magic ? magic : EF_SECTOR_MAGIC, s <= sec);
		memcpy(area, out, len);
	}
done:
	free(c.store);
	free(out);
	free(mine);
	return rc;
}
