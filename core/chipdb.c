/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The chip database: chipdb/ YAML files (format in docs/chipdb.md) loaded
 * with the libyaml document API into read-only iotflash_chip records.
 *
 * Every record, string and array of one database lives in one arena, so the
 * pointers handed out stay valid until chipdb_free.  A load builds a
 * temporary database (its own arena) and splices it into the real one only
 * when every file validated, so a bad file leaves the database unchanged. */
#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <errno.h>
#include <yaml.h>

#include "internal.h"

#define SCHEMA_VERSION 1
#define GIB (UINT64_C(1) << 30)
#define MIN_BAUD 1200
#define MAX_BAUD 12000000
#define MAX_JEDEC 0xFFFFFF
#define MAX_SR_OPS 3
#define ARENA_BLOCK 16384

/* ---------------------------------------------------------------- arena */

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	max_align_t data[];
};

/* Zeroed, aligned memory that lives until the arena is freed. */
static void *arena_alloc(struct arena_block **arena, size_t size)
{
	const size_t align = _Alignof(max_align_t);
	if (size == 0 || size > SIZE_MAX - align)
		return NULL;
	size_t need = (size + align - 1) / align * align;
	struct arena_block *b = *arena;
	if (!b || b->cap - b->used < need) {
		size_t cap = need > ARENA_BLOCK ? need : ARENA_BLOCK;
		b = malloc(sizeof *b + cap);
		if (!b)
			return NULL;
		b->next = *arena;
		b->used = 0;
		b->cap = cap;
		*arena = b;
	}
	void *p = (unsigned char *)b->data + b->used;
	b->used += need;
	memset(p, 0, size);
	return p;
}

static void *arena_array(struct arena_block **arena, size_t n, size_t size)
{
	if (n == 0 || n > SIZE_MAX / size)
		return NULL;
	return arena_alloc(arena, n * size);
}

static char *arena_strdup(struct arena_block **arena, const char *s)
{
	size_t len = strlen(s) + 1;
	char *p = arena_alloc(arena, len);
	if (p)
		memcpy(p, s, len);
	return p;
}

static void arena_free(struct arena_block *b)
{
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
}

/* ------------------------------------------------------- pointer vectors */

struct ptr_vec {
	void **v;
	unsigned n, cap;
};

static int vec_reserve(struct ptr_vec *vec, unsigned extra)
{
	if (extra > UINT_MAX / 2 - vec->n)
		return IOTFLASH_ERR_NOMEM;
	if (vec->n + extra <= vec->cap)
		return 0;
	unsigned cap = vec->cap ? vec->cap : 16;
	while (cap < vec->n + extra)
		cap *= 2;
	void **v = realloc(vec->v, cap * sizeof *v);
	if (!v)
		return IOTFLASH_ERR_NOMEM;
	vec->v = v;
	vec->cap = cap;
	return 0;
}

static int vec_push(struct ptr_vec *vec, void *p)
{
	int rc = vec_reserve(vec, 1);
	if (rc == 0)
		vec->v[vec->n++] = p;
	return rc;
}

/* ------------------------------------------------------------- database */

struct flash_entry {
	struct iotflash_flash_part part;  /* first: handed out as the entry's address */
	const char *family;
	const char *source;               /* "file:line" */
};

/* A top-level `loaders:` entry (or a chip's own `loader:`), linked to the
 * chips it names by chipdb_link_loaders once every file is loaded. */
struct loader_entry {
	struct iotflash_loader loader;    /* first: handed out as the entry's address */
	const char *const *chips;
	unsigned n_chips;
	const char *where;                /* "file:line:col" of its chip list */
};

struct chipdb {
	struct arena_block *arena;
	struct ptr_vec chips;     /* struct iotflash_chip * */
	struct ptr_vec flash;     /* struct flash_entry * */
	struct ptr_vec families;  /* const char * */
	struct ptr_vec loaders;   /* struct loader_entry * */
};

int chipdb_new(struct chipdb **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? IOTFLASH_OK : IOTFLASH_ERR_NOMEM;
}

void chipdb_free(struct chipdb *db)
{
	if (!db)
		return;
	arena_free(db->arena);
	free(db->chips.v);
	free(db->flash.v);
	free(db->families.v);
	free(db->loaders.v);
	free(db);
}

unsigned chipdb_count(const struct chipdb *db)
{
	return db ? db->chips.n : 0;
}

const struct iotflash_chip *chipdb_chip(const struct chipdb *db, unsigned i)
{
	return db && i < db->chips.n ? db->chips.v[i] : NULL;
}

const struct iotflash_chip *chipdb_find(const struct chipdb *db, const char *name)
{
	if (!db || !name)
		return NULL;
	for (unsigned i = 0; i < db->chips.n; i++) {
		const struct iotflash_chip *c = db->chips.v[i];
		if (strcasecmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

bool chipdb_is_family(const struct chipdb *db, const char *name)
{
	if (!db || !name)
		return false;
	for (unsigned i = 0; i < db->families.n; i++)
		if (strcasecmp(db->families.v[i], name) == 0)
			return true;
	return false;
}

const struct iotflash_chip *chipdb_family_chip(const struct chipdb *db, const char *family, unsigned i)
{
	if (!db || !family)
		return NULL;
	for (unsigned k = 0; k < db->chips.n; k++) {
		const struct iotflash_chip *c = db->chips.v[k];
		if (strcasecmp(c->family, family) == 0 && i-- == 0)
			return c;
	}
	return NULL;
}

static const struct flash_entry *find_flash(const struct chipdb *db, const char *family,
                                            bool same_family, uint32_t jedec)
{
	for (unsigned i = 0; i < db->flash.n; i++) {
		const struct flash_entry *e = db->flash.v[i];
		bool same = family && strcasecmp(e->family, family) == 0;
		if (e->part.jedec == jedec && same == same_family)
			return e;
	}
	return NULL;
}

const struct iotflash_flash_part *chipdb_flash(const struct chipdb *db, const char *family, uint32_t jedec)
{
	if (!db)
		return NULL;
	const struct flash_entry *e = find_flash(db, family, true, jedec);
	if (!e)
		e = find_flash(db, family, false, jedec);
	return e ? &e->part : NULL;
}

/* Room was reserved by the caller. */
static void append(struct ptr_vec *dst, const struct ptr_vec *src)
{
	if (src->n)
		memcpy(dst->v + dst->n, src->v, src->n * sizeof *src->v);
	dst->n += src->n;
}

/* Splice a fully validated temporary database into db.  Only growing the
 * vectors can fail, and that happens before anything is moved. */
static int chipdb_merge(struct chipdb *db, struct chipdb *tmp)
{
	if (vec_reserve(&db->chips, tmp->chips.n) || vec_reserve(&db->flash, tmp->flash.n) ||
	    vec_reserve(&db->families, tmp->families.n) || vec_reserve(&db->loaders, tmp->loaders.n))
		return IOTFLASH_ERR_NOMEM;
	append(&db->chips, &tmp->chips);
	append(&db->flash, &tmp->flash);
	append(&db->families, &tmp->families);
	append(&db->loaders, &tmp->loaders);
	if (tmp->arena) {
		struct arena_block *tail = tmp->arena;
		while (tail->next)
			tail = tail->next;
		tail->next = db->arena;
		db->arena = tmp->arena;
		tmp->arena = NULL;
	}
	return IOTFLASH_OK;
}

/* --------------------------------------------------------------- loader */

struct loader {
	const struct chipdb *db;  /* already loaded: consulted for duplicates */
	struct chipdb *tmp;       /* this load */
	const char *file;
	yaml_document_t *doc;
	char *err;
	size_t errlen;
	/* per file */
	const char *family, *plugin, *driver;
	struct iotflash_chip defaults;
	unsigned file_first_chip;  /* `base:` looks only at this file's chips */
};

static int vfail_mark(struct loader *ld, yaml_mark_t m, const char *fmt, va_list ap)
{
	if (!ld->err || ld->errlen == 0)
		return IOTFLASH_ERR_CHIPDB;
	int len = snprintf(ld->err, ld->errlen, "%s:%zu:%zu: ", ld->file, m.line + 1, m.column + 1);
	if (len >= 0 && (size_t)len < ld->errlen)
		vsnprintf(ld->err + len, ld->errlen - (size_t)len, fmt, ap);
	/* A quoted multi-line value must not break the one-line message. */
	for (char *c = ld->err; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' ';
	return IOTFLASH_ERR_CHIPDB;
}

static int fail_mark(struct loader *ld, yaml_mark_t m, const char *fmt, ...) IOTFLASH_PRINTF(3, 4);
static int fail_mark(struct loader *ld, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vfail_mark(ld, m, fmt, ap);
	va_end(ap);
	return rc;
}

/* "file:line:col: what" at the node (libyaml marks are 0-based). */
static int fail_at(struct loader *ld, const yaml_node_t *n, const char *fmt, ...) IOTFLASH_PRINTF(3, 4);
static int fail_at(struct loader *ld, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vfail_mark(ld, n->start_mark, fmt, ap);
	va_end(ap);
	return rc;
}

static int fail_file(struct loader *ld, int rc, const char *what)
{
	if (ld->err && ld->errlen)
		snprintf(ld->err, ld->errlen, "%s: %s", ld->file, what);
	return rc;
}

static int nomem(struct loader *ld)
{
	return fail_file(ld, IOTFLASH_ERR_NOMEM, "out of memory");
}

static void *ld_alloc(struct loader *ld, size_t n, size_t size)
{
	return arena_array(&ld->tmp->arena, n, size);
}

static yaml_node_t *node_of(struct loader *ld, int id)
{
	return yaml_document_get_node(ld->doc, id);
}

static const char *text(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static bool is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static bool is_null(const yaml_node_t *n)
{
	if (!is_plain(n))
		return false;
	const char *s = text(n);
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static const char *kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE: return "a mapping";
	case YAML_SEQUENCE_NODE: return "a list";
	default: break;
	}
	if (is_null(n))
		return "an empty value";
	return is_plain(n) ? "a plain scalar" : "a quoted string";
}

static size_t seq_len(const yaml_node_t *n)
{
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static yaml_node_t *seq_item(struct loader *ld, const yaml_node_t *n, size_t i)
{
	return node_of(ld, n->data.sequence.items.start[i]);
}

/* ---- numbers: decimal, 0x hex, k/M suffixes; strict ---- */

enum num_status { NUM_OK, NUM_SYNTAX, NUM_NEGATIVE, NUM_OVERFLOW };

static int digit_value(char c, unsigned base)
{
	int d = isdigit((unsigned char)c) ? c - '0'
	      : isxdigit((unsigned char)c) ? tolower((unsigned char)c) - 'a' + 10 : -1;
	return d >= 0 && (unsigned)d < base ? d : -1;
}

/* YAML 1.1 '_' separators are accepted between digits. */
static enum num_status parse_number(const char *s, uint64_t *out)
{
	unsigned base = 10;
	if (s[0] == '-' && isdigit((unsigned char)s[1]))
		return NUM_NEGATIVE;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && isdigit((unsigned char)s[1])) {
		return NUM_SYNTAX;  /* YAML 1.1 would read it as octal: refuse the ambiguity */
	}
	uint64_t v = 0;
	bool any = false, overflow = false;
	for (; *s; s++) {
		if (*s == '_' && any && digit_value(s[1], base) >= 0)
			continue;
		int d = digit_value(*s, base);
		if (d < 0)
			break;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			overflow = true;
		else
			v = v * base + (unsigned)d;
		any = true;
	}
	if (!any)
		return NUM_SYNTAX;
	uint64_t mult = 1;
	if (base == 10 && (*s == 'k' || *s == 'K'))
		mult = 1024, s++;
	else if (base == 10 && *s == 'M')
		mult = 1024 * 1024, s++;
	if (*s)
		return NUM_SYNTAX;
	if (overflow || v > UINT64_MAX / mult)
		return NUM_OVERFLOW;
	*out = v * mult;
	return NUM_OK;
}

static bool looks_numeric(const char *s)
{
	return isdigit((unsigned char)s[0]) || ((s[0] == '-' || s[0] == '+') && isdigit((unsigned char)s[1]));
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* Hex for address-like bounds, decimal for small ones. */
static void fmt_bound(char *buf, size_t len, uint64_t v)
{
	snprintf(buf, len, v > 0xFFFF ? "0x%" PRIX64 : "%" PRIu64, v);
}

static int get_num(struct loader *ld, const yaml_node_t *n, const char *key,
                   uint64_t min, uint64_t max, bool pow2, uint64_t *out)
{
	if (!is_plain(n) || is_null(n))
		return fail_at(ld, n, "'%s' must be a number, not %s", key, kind(n));
	uint64_t v = 0;
	switch (parse_number(text(n), &v)) {
	case NUM_SYNTAX:
		return fail_at(ld, n, "'%s' must be a number, not '%s'", key, text(n));
	case NUM_NEGATIVE:
		return fail_at(ld, n, "'%s' must not be negative: %s", key, text(n));
	case NUM_OVERFLOW:
		v = UINT64_MAX;
		break;
	case NUM_OK:
		break;
	}
	if (v < min || v > max) {
		char lo[24], hi[24];
		fmt_bound(lo, sizeof lo, min);
		fmt_bound(hi, sizeof hi, max);
		return fail_at(ld, n, "'%s' %s is out of range (%s..%s)", key, text(n), lo, hi);
	}
	if (pow2 && !is_pow2(v))
		return fail_at(ld, n, "'%s' %s is not a power of two", key, text(n));
	*out = v;
	return 0;
}

static int get_u32(struct loader *ld, const yaml_node_t *n, const char *key,
                   uint64_t min, uint64_t max, bool pow2, uint32_t *out)
{
	uint64_t v;
	int rc = get_num(ld, n, key, min, max > UINT32_MAX ? UINT32_MAX : max, pow2, &v);
	if (rc == 0)
		*out = (uint32_t)v;
	return rc;
}

/* ---- strings, names, booleans ---- */

static int get_str(struct loader *ld, const yaml_node_t *n, const char *key, const char **out)
{
	if (n->type != YAML_SCALAR_NODE || is_null(n))
		return fail_at(ld, n, "'%s' must be a string, not %s", key, kind(n));
	if (strlen(text(n)) != n->data.scalar.length)
		return fail_at(ld, n, "'%s' contains a NUL byte", key);
	*out = arena_strdup(&ld->tmp->arena, text(n));
	return *out ? 0 : nomem(ld);
}

static bool valid_name(const char *s)
{
	if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && !strchr("-_.", *s))
			return false;
	return true;
}

/* A lowercase identifier: chip, family, plugin, driver and protocol names. */
static int get_name(struct loader *ld, const yaml_node_t *n, const char *key, const char **out)
{
	int rc = get_str(ld, n, key, out);
	if (rc == 0 && !valid_name(*out))
		return fail_at(ld, n, "'%s' must be lowercase letters, digits, '-', '_' or '.': '%s'", key, *out);
	return rc;
}

static int get_bool(struct loader *ld, const yaml_node_t *n, const char *key, bool *out)
{
	if (is_plain(n) && !strcmp(text(n), "true"))
		*out = true;
	else if (is_plain(n) && !strcmp(text(n), "false"))
		*out = false;
	else
		return fail_at(ld, n, "'%s' must be true or false, not %s", key,
		               n->type == YAML_SCALAR_NODE ? text(n) : kind(n));
	return 0;
}

/* ---- mappings ---- */

/* Keys are plain strings, each at most once per mapping. */
static int check_key(struct loader *ld, const yaml_node_t *map, const yaml_node_pair_t *pair, const char *what)
{
	const yaml_node_t *k = node_of(ld, pair->key);
	if (k->type != YAML_SCALAR_NODE || is_null(k))
		return fail_at(ld, k, "keys in %s must be strings, not %s", what, kind(k));
	for (const yaml_node_pair_t *p = map->data.mapping.pairs.start; p < pair; p++) {
		const yaml_node_t *prev = node_of(ld, p->key);
		if (prev->type == YAML_SCALAR_NODE && !strcmp(text(prev), text(k)))
			return fail_at(ld, k, "duplicate key '%s' in %s (first at line %zu)", text(k), what,
			               prev->start_mark.line + 1);
	}
	return 0;
}

/* Check a mapping against its known keys; vals[i] gets the value of keys[i] or NULL. */
static int map_collect(struct loader *ld, const yaml_node_t *map, const char *what,
                       const char *const keys[], unsigned nkeys, yaml_node_t *vals[])
{
	if (map->type != YAML_MAPPING_NODE)
		return fail_at(ld, map, "%s must be a mapping, not %s", what, kind(map));
	for (unsigned i = 0; i < nkeys; i++)
		vals[i] = NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		int rc = check_key(ld, map, p, what);
		if (rc)
			return rc;
		const yaml_node_t *k = node_of(ld, p->key);
		unsigned i = 0;
		while (i < nkeys && strcmp(keys[i], text(k)) != 0)
			i++;
		if (i == nkeys)
			return fail_at(ld, k, "unknown key '%s' in %s", text(k), what);
		vals[i] = node_of(ld, p->value);
	}
	return 0;
}

static int need(struct loader *ld, const yaml_node_t *map, yaml_node_t *const vals[],
                const char *const keys[], const unsigned *required, unsigned n, const char *what)
{
	for (unsigned i = 0; i < n; i++)
		if (!vals[required[i]])
			return fail_at(ld, map, "%s has no '%s'", what, keys[required[i]]);
	return 0;
}

/* ---- lookups across the loaded database and this load ---- */

static const struct iotflash_chip *find_chip_anywhere(struct loader *ld, const char *name)
{
	const struct iotflash_chip *c = chipdb_find(ld->db, name);
	return c ? c : chipdb_find(ld->tmp, name);
}

static bool family_anywhere(struct loader *ld, const char *name)
{
	return chipdb_is_family(ld->db, name) || chipdb_is_family(ld->tmp, name);
}

/* ---------------------------------------------------------------- regions */

enum region_key { R_NAME, R_START, R_SIZE, R_HARD, R_COUNT };
static const char *const region_keys[R_COUNT] = { "name", "start", "size", "hard" };

static int load_region(struct loader *ld, const yaml_node_t *n, bool allow_hard, const char *list,
                       struct iotflash_region *r)
{
	static const unsigned required[] = { R_NAME, R_START, R_SIZE };
	yaml_node_t *v[R_COUNT];
	char what[64];
	snprintf(what, sizeof what, "a '%s' region", list);
	int rc = map_collect(ld, n, what, region_keys, R_COUNT, v);
	if (rc == 0)
		rc = need(ld, n, v, region_keys, required, 3, what);
	if (rc == 0)
		rc = get_name(ld, v[R_NAME], "name", &r->name);
	if (rc == 0)
		rc = get_u32(ld, v[R_START], "start", 0, UINT32_MAX, false, &r->start);
	if (rc == 0)
		rc = get_u32(ld, v[R_SIZE], "size", 1, GIB, false, &r->size);
	if (rc)
		return rc;
	if ((uint64_t)r->start + r->size > (UINT64_C(1) << 32))
		return fail_at(ld, n, "region '%s' ends past 4 GiB", r->name);
	if (v[R_HARD] && !allow_hard)
		return fail_at(ld, v[R_HARD], "'hard' applies only to protected regions");
	return v[R_HARD] ? get_bool(ld, v[R_HARD], "hard", &r->hard) : 0;
}

static int load_regions(struct loader *ld, const yaml_node_t *n, const char *key, bool allow_hard,
                        const struct iotflash_region **out, unsigned *count)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return fail_at(ld, n, "'%s' must be a list, not %s", key, kind(n));
	size_t len = seq_len(n);
	struct iotflash_region *regions = NULL;
	if (len && !(regions = ld_alloc(ld, len, sizeof *regions)))
		return nomem(ld);
	for (size_t i = 0; i < len; i++) {
		const yaml_node_t *item = seq_item(ld, n, i);
		int rc = load_region(ld, item, allow_hard, key, &regions[i]);
		if (rc)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(regions[j].name, regions[i].name))
				return fail_at(ld, item, "duplicate region '%s' in '%s'", regions[i].name, key);
	}
	*out = regions;
	*count = (unsigned)len;
	return 0;
}

/* ----------------------------------------------------------------- params */

static bool valid_param_key(const char *s)
{
	if (!islower((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* Plain scalars that start like a number must be valid numbers; quote
 * strings such as hex keys ("0000…") to keep them strings. */
static int load_param_scalar(struct loader *ld, const yaml_node_t *n, const char *key,
                             struct iotflash_param *p)
{
	uint64_t v;
	if (is_plain(n) && (!strcmp(text(n), "true") || !strcmp(text(n), "false"))) {
		p->type = IOTFLASH_PARAM_BOOL;
		p->i = !strcmp(text(n), "true");
		return 0;
	}
	if (is_plain(n) && looks_numeric(text(n))) {
		int rc = get_num(ld, n, key, 0, INT64_MAX, false, &v);
		p->type = IOTFLASH_PARAM_INT;
		p->i = (int64_t)v;
		return rc;
	}
	p->type = IOTFLASH_PARAM_STR;
	return get_str(ld, n, key, &p->s);
}

static int load_param_list(struct loader *ld, const yaml_node_t *n, const char *key,
                           struct iotflash_param *p)
{
	size_t len = seq_len(n);
	if (len == 0)
		return fail_at(ld, n, "param '%s' is an empty list (write ~ to drop an inherited value)", key);
	if (len > UINT_MAX)
		return fail_at(ld, n, "param '%s' is too long", key);
	bool ints = is_plain(seq_item(ld, n, 0)) && looks_numeric(text(seq_item(ld, n, 0)));
	int64_t *iv = ints ? ld_alloc(ld, len, sizeof *iv) : NULL;
	const char **sv = ints ? NULL : ld_alloc(ld, len, sizeof *sv);
	if (!iv && !sv)
		return nomem(ld);
	for (size_t i = 0; i < len; i++) {
		const yaml_node_t *item = seq_item(ld, n, i);
		struct iotflash_param one = { .key = key };
		if (item->type != YAML_SCALAR_NODE || is_null(item))
			return fail_at(ld, item, "param '%s' lists must hold numbers or strings, not %s", key, kind(item));
		int rc = load_param_scalar(ld, item, key, &one);
		if (rc)
			return rc;
		if (one.type != (ints ? IOTFLASH_PARAM_INT : IOTFLASH_PARAM_STR))
			return fail_at(ld, item, "param '%s' mixes %s in a list", key,
			               one.type == IOTFLASH_PARAM_BOOL ? "booleans" : "numbers and strings");
		if (ints)
			iv[i] = one.i;
		else
			sv[i] = one.s;
	}
	p->type = ints ? IOTFLASH_PARAM_INT_LIST : IOTFLASH_PARAM_STR_LIST;
	p->ints = iv;
	p->strs = sv;
	p->n = (unsigned)len;
	return 0;
}

static int find_param(const struct iotflash_param *ps, unsigned n, const char *key)
{
	for (unsigned i = 0; i < n; i++)
		if (ps[i].key && !strcmp(ps[i].key, key))
			return (int)i;
	return -1;
}

/* Inherited params first, then the chip's own: a key replaces the inherited
 * value, a null (~) drops it. */
static int load_params(struct loader *ld, const yaml_node_t *map,
                       const struct iotflash_param **params, unsigned *count)
{
	if (map->type != YAML_MAPPING_NODE)
		return fail_at(ld, map, "'params' must be a mapping, not %s", kind(map));
	size_t own = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	size_t cap = *count + own;
	if (cap == 0)
		return 0;
	struct iotflash_param *ps = ld_alloc(ld, cap, sizeof *ps);
	if (!ps)
		return nomem(ld);
	if (*count)
		memcpy(ps, *params, *count * sizeof *ps);
	unsigned n = *count;
	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		int rc = check_key(ld, map, pair, "params");
		if (rc)
			return rc;
		const yaml_node_t *k = node_of(ld, pair->key), *v = node_of(ld, pair->value);
		if (!valid_param_key(text(k)))
			return fail_at(ld, k, "param name '%s' must be lowercase letters, digits and '_'", text(k));
		int at = find_param(ps, n, text(k));
		if (is_null(v)) {
			if (at < 0)
				return fail_at(ld, v, "param '%s' is not inherited: nothing to drop", text(k));
			ps[at].key = NULL;
			continue;
		}
		struct iotflash_param p = { .key = arena_strdup(&ld->tmp->arena, text(k)) };
		if (!p.key)
			return nomem(ld);
		if (v->type == YAML_SEQUENCE_NODE)
			rc = load_param_list(ld, v, p.key, &p);
		else if (v->type == YAML_SCALAR_NODE)
			rc = load_param_scalar(ld, v, p.key, &p);
		else
			rc = fail_at(ld, v, "param '%s' must be a scalar or a list, not %s", p.key, kind(v));
		if (rc)
			return rc;
		ps[at >= 0 ? (unsigned)at : n++] = p;
	}
	unsigned kept = 0;
	for (unsigned i = 0; i < n; i++)
		if (ps[i].key)
			ps[kept++] = ps[i];
	*params = kept ? ps : NULL;
	*count = kept;
	return 0;
}

/* ------------------------------------------------------------------ chips */

enum chip_key {
	K_NAME, K_BASE, K_DESCRIPTION, K_PROTOCOL, K_DRIVER, K_LINK_BAUD, K_MAX_BAUD,
	K_FLASH_SIZE, K_APP_OFFSET, K_READ_BLOCK, K_WRITE_BLOCK, K_ERASE_UNITS,
	K_CHECKSUM, K_CHECKSUM_ALIGN, K_PROTECTED, K_LAYOUT, K_LOADER, K_LOADER_USE, K_PARAMS,
	K_MAX_BAUD_READ, K_MAX_BAUD_WRITE, K_COUNT
};
static const char *const chip_keys[K_COUNT] = {
	"name", "base", "description", "protocol", "driver", "link_baud", "max_baud",
	"flash_size", "app_offset", "read_block", "write_block", "erase_units",
	"checksum", "checksum_align", "protected", "layout", "loader", "loader_use", "params",
	"max_baud_read", "max_baud_write",
};

static const struct num_field {
	enum chip_key key;
	size_t offset;
	uint64_t min, max;
	bool pow2;
} num_fields[] = {
	{ K_LINK_BAUD, offsetof(struct iotflash_chip, link_baud), MIN_BAUD, MAX_BAUD, false },
	{ K_MAX_BAUD, offsetof(struct iotflash_chip, max_baud), MIN_BAUD, MAX_BAUD, false },
	{ K_MAX_BAUD_READ, offsetof(struct iotflash_chip, max_baud_read), MIN_BAUD, MAX_BAUD, false },
	{ K_MAX_BAUD_WRITE, offsetof(struct iotflash_chip, max_baud_write), MIN_BAUD, MAX_BAUD, false },
	{ K_FLASH_SIZE, offsetof(struct iotflash_chip, flash_size), 1, GIB, true },
	{ K_APP_OFFSET, offsetof(struct iotflash_chip, app_offset), 0, UINT32_MAX, false },
	{ K_READ_BLOCK, offsetof(struct iotflash_chip, read_block), 1, GIB, true },
	{ K_WRITE_BLOCK, offsetof(struct iotflash_chip, write_block), 1, GIB, true },
	{ K_CHECKSUM_ALIGN, offsetof(struct iotflash_chip, checksum_align), 1, GIB, true },
};

static const struct str_field {
	enum chip_key key;
	size_t offset;
	bool name;  /* lowercase identifier */
} str_fields[] = {
	{ K_DESCRIPTION, offsetof(struct iotflash_chip, description), false },
	{ K_PROTOCOL, offsetof(struct iotflash_chip, protocol), true },
	{ K_DRIVER, offsetof(struct iotflash_chip, driver), true },
};

static const struct {
	const char *name;
	enum iotflash_checksum kind;
} checksum_names[] = {
	{ "none", IOTFLASH_SUM_NONE },
	{ "crc32", IOTFLASH_SUM_CRC32 },
	{ "crc32-beken", IOTFLASH_SUM_CRC32_BEKEN },
	{ "sha256", IOTFLASH_SUM_SHA256 },
	{ "wordsum32", IOTFLASH_SUM_WORDSUM32 },
	{ "crc32-sum4k", IOTFLASH_SUM_CRC32_SUM4K },
};

static int load_checksum(struct loader *ld, const yaml_node_t *n, enum iotflash_checksum *out)
{
	if (n->type != YAML_SCALAR_NODE)
		return fail_at(ld, n, "'checksum' must be a name, not %s", kind(n));
	for (size_t i = 0; i < sizeof checksum_names / sizeof checksum_names[0]; i++) {
		if (!strcmp(text(n), checksum_names[i].name)) {
			*out = checksum_names[i].kind;
			return 0;
		}
	}
	return fail_at(ld, n, "unknown checksum '%s' (none, crc32, crc32-beken, sha256, wordsum32 or crc32-sum4k)", text(n));
}

static int load_erase_units(struct loader *ld, const yaml_node_t *n, struct iotflash_chip *c)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return fail_at(ld, n, "'erase_units' must be a list, not %s", kind(n));
	size_t len = seq_len(n);
	if (len < 1 || len > IOTFLASH_MAX_ERASE_UNITS)
		return fail_at(ld, n, "'erase_units' must list 1 to %d sizes", IOTFLASH_MAX_ERASE_UNITS);
	for (size_t i = 0; i < len; i++) {
		const yaml_node_t *item = seq_item(ld, n, i);
		int rc = get_u32(ld, item, "erase_units", 1, GIB, true, &c->erase_units[i]);
		if (rc)
			return rc;
		if (i > 0 && c->erase_units[i] <= c->erase_units[i - 1])
			return fail_at(ld, item, "'erase_units' must be ascending");
	}
	c->n_erase_units = (unsigned)len;
	return 0;
}

static bool is_sha256_hex(const char *s)
{
	size_t i = 0;
	for (; s[i]; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return false;
	return i == 64;
}

static int load_loader(struct loader *ld, const yaml_node_t *n, struct iotflash_chip *c)
{
	static const char *const keys[] = { "file", "sha256" };
	static const unsigned required[] = { 0, 1 };
	yaml_node_t *v[2];
	int rc = map_collect(ld, n, "'loader'", keys, 2, v);
	if (rc == 0)
		rc = need(ld, n, v, keys, required, 2, "'loader'");
	if (rc == 0)
		rc = get_str(ld, v[0], "file", &c->loader_file);
	if (rc == 0)
		rc = get_str(ld, v[1], "sha256", &c->loader_sha256);
	if (rc == 0 && !is_sha256_hex(c->loader_sha256))
		return fail_at(ld, v[1], "'sha256' must be 64 lowercase hex digits");
	return rc;
}

static const char *const loader_use_names[] = { "required", "reads", "optional" };

static int load_loader_use(struct loader *ld, const yaml_node_t *n, enum iotflash_loader_use *out)
{
	for (size_t i = 0; n->type == YAML_SCALAR_NODE && i < sizeof loader_use_names / sizeof loader_use_names[0]; i++) {
		if (!strcmp(text(n), loader_use_names[i])) {
			*out = (enum iotflash_loader_use)i;
			return 0;
		}
	}
	return fail_at(ld, n, "'loader_use' must be required, reads or optional");
}

static int apply_scalar_fields(struct loader *ld, struct iotflash_chip *c, yaml_node_t *const v[])
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof num_fields / sizeof num_fields[0]; i++) {
		const struct num_field *f = &num_fields[i];
		if (v[f->key])
			rc = get_u32(ld, v[f->key], chip_keys[f->key], f->min, f->max, f->pow2,
			             (uint32_t *)((char *)c + f->offset));
	}
	for (size_t i = 0; rc == 0 && i < sizeof str_fields / sizeof str_fields[0]; i++) {
		const struct str_field *f = &str_fields[i];
		const char **dst = (const char **)((char *)c + f->offset);
		if (v[f->key])
			rc = f->name ? get_name(ld, v[f->key], chip_keys[f->key], dst)
			             : get_str(ld, v[f->key], chip_keys[f->key], dst);
	}
	if (rc == 0 && v[K_CHECKSUM])
		rc = load_checksum(ld, v[K_CHECKSUM], &c->checksum);
	if (rc == 0 && v[K_LOADER_USE])
		rc = load_loader_use(ld, v[K_LOADER_USE], &c->loader_use);
	return rc;
}

/* Apply one chip (or `defaults:`) mapping on top of what c inherited. */
static int apply_chip_keys(struct loader *ld, struct iotflash_chip *c, yaml_node_t *const v[])
{
	int rc = apply_scalar_fields(ld, c, v);
	if (rc == 0 && v[K_ERASE_UNITS]) {
		memset(c->erase_units, 0, sizeof c->erase_units);
		rc = load_erase_units(ld, v[K_ERASE_UNITS], c);
	}
	if (rc == 0 && v[K_PROTECTED])
		rc = load_regions(ld, v[K_PROTECTED], "protected", true, &c->protected_regions, &c->n_protected);
	if (rc == 0 && v[K_LAYOUT])
		rc = load_regions(ld, v[K_LAYOUT], "layout", false, &c->layout, &c->n_layout);
	if (rc == 0 && v[K_LOADER])
		rc = load_loader(ld, v[K_LOADER], c);
	if (rc == 0 && v[K_PARAMS])
		rc = load_params(ld, v[K_PARAMS], &c->params, &c->n_params);
	return rc;
}

/* Relations between fields, checked once a chip is complete. */
static int check_chip(struct loader *ld, const yaml_node_t *n, const struct iotflash_chip *c)
{
	if (c->link_baud && c->max_baud && c->max_baud < c->link_baud)
		return fail_at(ld, n, "chip '%s': max_baud %" PRIu32 " is below link_baud %" PRIu32,
		               c->name, c->max_baud, c->link_baud);
	if (c->link_baud && c->max_baud_read && c->max_baud_read < c->link_baud)
		return fail_at(ld, n, "chip '%s': max_baud_read %" PRIu32 " is below link_baud %" PRIu32,
		               c->name, c->max_baud_read, c->link_baud);
	if (c->link_baud && c->max_baud_write && c->max_baud_write < c->link_baud)
		return fail_at(ld, n, "chip '%s': max_baud_write %" PRIu32 " is below link_baud %" PRIu32,
		               c->name, c->max_baud_write, c->link_baud);
	if (c->flash_size && c->app_offset >= c->flash_size)
		return fail_at(ld, n, "chip '%s': app_offset 0x%" PRIX32 " is past flash_size 0x%" PRIX32,
		               c->name, c->app_offset, c->flash_size);
	return 0;
}

static int load_defaults(struct loader *ld, const yaml_node_t *n)
{
	yaml_node_t *v[K_COUNT];
	int rc = map_collect(ld, n, "defaults", chip_keys, K_COUNT, v);
	if (rc)
		return rc;
	if (v[K_NAME] || v[K_BASE])
		return fail_at(ld, v[K_NAME] ? v[K_NAME] : v[K_BASE], "'%s' cannot be a default",
		               v[K_NAME] ? "name" : "base");
	return apply_chip_keys(ld, &ld->defaults, v);
}

static int chip_template(struct loader *ld, const yaml_node_t *base, const struct iotflash_chip **out)
{
	const char *name;
	int rc = get_name(ld, base, "base", &name);
	if (rc)
		return rc;
	for (unsigned i = ld->file_first_chip; i < ld->tmp->chips.n; i++) {
		const struct iotflash_chip *c = ld->tmp->chips.v[i];
		if (!strcmp(c->name, name)) {
			*out = c;
			return 0;
		}
	}
	return fail_at(ld, base, "unknown base chip '%s' (it must be an earlier chip in this file)", name);
}

static char *mark_text(struct loader *ld, const yaml_node_t *n)
{
	char where[PATH_MAX + 48];
	snprintf(where, sizeof where, "%s:%zu:%zu", ld->file, n->start_mark.line + 1, n->start_mark.column + 1);
	return arena_strdup(&ld->tmp->arena, where);
}

/* A chip's own `loader: {file, sha256}` (own or inherited): one loader
 * entry naming just this chip, without capabilities. */
static int legacy_loader(struct loader *ld, const yaml_node_t *n, const struct iotflash_chip *c)
{
	struct loader_entry *e = ld_alloc(ld, 1, sizeof *e);
	const char **chips = ld_alloc(ld, 1, sizeof *chips);
	if (!e || !chips || !(e->where = mark_text(ld, n)) || !(e->loader.source = mark_text(ld, n)))
		return nomem(ld);
	chips[0] = c->name;
	e->chips = chips;
	e->n_chips = 1;
	e->loader.name = c->loader_file;
	e->loader.file = c->loader_file;
	e->loader.sha256 = c->loader_sha256;
	return vec_push(&ld->tmp->loaders, e) ? nomem(ld) : 0;
}

static int load_chip(struct loader *ld, const yaml_node_t *n)
{
	yaml_node_t *v[K_COUNT];
	const char *name;
	const struct iotflash_chip *tmpl = &ld->defaults, *dup;
	int rc = map_collect(ld, n, "chip", chip_keys, K_COUNT, v);
	if (rc)
		return rc;
	if (!v[K_NAME])
		return fail_at(ld, n, "chip has no 'name'");
	if ((rc = get_name(ld, v[K_NAME], "name", &name)))
		return rc;
	if ((dup = find_chip_anywhere(ld, name)))
		return fail_at(ld, v[K_NAME], "duplicate chip name '%s' (first defined at %s)", name, dup->source);
	if (family_anywhere(ld, name))
		return fail_at(ld, v[K_NAME], "chip name '%s' is also a family name", name);
	if (v[K_BASE] && (rc = chip_template(ld, v[K_BASE], &tmpl)))
		return rc;

	struct iotflash_chip *c = ld_alloc(ld, 1, sizeof *c);
	char source[PATH_MAX + 32];
	snprintf(source, sizeof source, "%s:%zu", ld->file, n->start_mark.line + 1);
	if (!c)
		return nomem(ld);
	*c = *tmpl;
	c->name = name;
	c->family = ld->family;
	c->plugin = ld->plugin;
	if (!(c->source = arena_strdup(&ld->tmp->arena, source)))
		return nomem(ld);
	if ((rc = apply_chip_keys(ld, c, v)))
		return rc;
	if (!c->driver)
		c->driver = ld->driver;
	if ((rc = check_chip(ld, n, c)))
		return rc;
	if (c->loader_file && (rc = legacy_loader(ld, n, c)))
		return rc;
	return vec_push(&ld->tmp->chips, c) ? nomem(ld) : 0;
}

/* ------------------------------------------------------------------ flash */

enum flash_key { F_JEDEC, F_NAME, F_SIZE, F_SR_READ, F_SR_MASK, F_SR_PROTECT, F_SR_UNPROTECT, F_COUNT };
static const char *const flash_keys[F_COUNT] = {
	"jedec", "name", "size", "sr_read", "sr_mask", "sr_protect", "sr_unprotect",
};

static int load_sr_read(struct loader *ld, const yaml_node_t *n, struct iotflash_flash_part *p)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return fail_at(ld, n, "'sr_read' must be a list, not %s", kind(n));
	if (seq_len(n) > MAX_SR_OPS)
		return fail_at(ld, n, "'sr_read' lists at most %d opcodes", MAX_SR_OPS);
	p->sr_count = (unsigned)seq_len(n);
	for (unsigned i = 0; i < p->sr_count; i++) {
		uint32_t op;
		int rc = get_u32(ld, seq_item(ld, n, i), "sr_read", 0, 0xFF, false, &op);
		if (rc)
			return rc;
		p->sr_read_ops[i] = (uint8_t)op;
	}
	return 0;
}

static int load_sr_bits(struct loader *ld, yaml_node_t *const v[], struct iotflash_flash_part *p)
{
	int rc = 0;
	if (v[F_SR_MASK])
		rc = get_u32(ld, v[F_SR_MASK], "sr_mask", 0, 0xFFFFFF, false, &p->sr_mask);
	if (rc == 0 && v[F_SR_PROTECT])
		rc = get_u32(ld, v[F_SR_PROTECT], "sr_protect", 0, 0xFFFFFF, false, &p->sr_protect);
	if (rc == 0 && v[F_SR_UNPROTECT])
		rc = get_u32(ld, v[F_SR_UNPROTECT], "sr_unprotect", 0, 0xFFFFFF, false, &p->sr_unprotect);
	if (rc)
		return rc;
	if (p->sr_protect & ~p->sr_mask)
		return fail_at(ld, v[F_SR_PROTECT], "'sr_protect' sets bits outside sr_mask");
	if (p->sr_unprotect & ~p->sr_mask)
		return fail_at(ld, v[F_SR_UNPROTECT], "'sr_unprotect' sets bits outside sr_mask");
	return 0;
}

static int load_flash_part(struct loader *ld, const yaml_node_t *n)
{
	static const unsigned required[] = { F_JEDEC, F_NAME, F_SIZE };
	yaml_node_t *v[F_COUNT];
	struct flash_entry *e = ld_alloc(ld, 1, sizeof *e);
	if (!e)
		return nomem(ld);
	int rc = map_collect(ld, n, "a flash part", flash_keys, F_COUNT, v);
	if (rc == 0)
		rc = need(ld, n, v, flash_keys, required, 3, "flash part");
	if (rc == 0)
		rc = get_u32(ld, v[F_JEDEC], "jedec", 1, MAX_JEDEC, false, &e->part.jedec);
	if (rc == 0)
		rc = get_str(ld, v[F_NAME], "name", &e->part.name);
	if (rc == 0)
		rc = get_u32(ld, v[F_SIZE], "size", 1, GIB, true, &e->part.size);
	if (rc == 0 && v[F_SR_READ])
		rc = load_sr_read(ld, v[F_SR_READ], &e->part);
	if (rc == 0)
		rc = load_sr_bits(ld, v, &e->part);
	if (rc)
		return rc;

	const struct flash_entry *dup = find_flash(ld->db, ld->family, true, e->part.jedec);
	if (!dup)
		dup = find_flash(ld->tmp, ld->family, true, e->part.jedec);
	if (dup)
		return fail_at(ld, v[F_JEDEC], "duplicate flash jedec 0x%06" PRIX32 " in family '%s' (first at %s)",
		               e->part.jedec, ld->family, dup->source);
	char source[PATH_MAX + 32];
	snprintf(source, sizeof source, "%s:%zu", ld->file, n->start_mark.line + 1);
	e->family = ld->family;
	if (!(e->source = arena_strdup(&ld->tmp->arena, source)))
		return nomem(ld);
	return vec_push(&ld->tmp->flash, e) ? nomem(ld) : 0;
}

/* ---------------------------------------------------------------- loaders */

enum loader_key { L_NAME, L_FILE, L_SHA256, L_SIZE, L_CHIPS, L_CAPS, L_FROM, L_ROLE, L_COUNT };
static const char *const loader_keys[L_COUNT] = { "name", "file", "sha256", "size", "chips", "caps", "from", "role" };

/* A non-empty list of names (names: true) or strings. */
static int load_str_list(struct loader *ld, const yaml_node_t *n, const char *key, bool names,
                         const char *const **out, unsigned *count)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return fail_at(ld, n, "'%s' must be a list, not %s", key, kind(n));
	if (seq_len(n) == 0 || seq_len(n) > UINT_MAX)
		return fail_at(ld, n, "'%s' must not be an empty list", key);
	size_t len = seq_len(n);
	const char **v = ld_alloc(ld, len, sizeof *v);
	if (!v)
		return nomem(ld);
	for (size_t i = 0; i < len; i++) {
		int rc = names ? get_name(ld, seq_item(ld, n, i), key, &v[i]) : get_str(ld, seq_item(ld, n, i), key, &v[i]);
		if (rc)
			return rc;
	}
	*out = v;
	*count = (unsigned)len;
	return 0;
}

static int load_loader_entry(struct loader *ld, const yaml_node_t *n)
{
	static const unsigned required[] = { L_NAME, L_FILE, L_SHA256, L_CHIPS };
	yaml_node_t *v[L_COUNT];
	struct loader_entry *e = ld_alloc(ld, 1, sizeof *e);
	struct iotflash_loader *l = &e->loader;
	if (!e)
		return nomem(ld);
	int rc = map_collect(ld, n, "a loader", loader_keys, L_COUNT, v);
	if (rc == 0)
		rc = need(ld, n, v, loader_keys, required, 4, "loader");
	if (rc == 0)
		rc = get_name(ld, v[L_NAME], "name", &l->name);
	if (rc == 0)
		rc = get_str(ld, v[L_FILE], "file", &l->file);
	if (rc == 0)
		rc = get_str(ld, v[L_SHA256], "sha256", &l->sha256);
	if (rc == 0 && !is_sha256_hex(l->sha256))
		return fail_at(ld, v[L_SHA256], "'sha256' must be 64 lowercase hex digits");
	if (rc == 0 && v[L_SIZE])
		rc = get_u32(ld, v[L_SIZE], "size", 1, GIB, false, &l->size);
	if (rc == 0)
		rc = load_str_list(ld, v[L_CHIPS], "chips", true, &e->chips, &e->n_chips);
	if (rc == 0 && v[L_CAPS])
		rc = load_str_list(ld, v[L_CAPS], "caps", true, &l->caps, &l->n_caps);
	if (rc == 0 && v[L_FROM])
		rc = load_str_list(ld, v[L_FROM], "from", false, &l->from, &l->n_from);
	if (rc == 0 && v[L_ROLE])
		rc = get_name(ld, v[L_ROLE], "role", &l->role);
	if (rc)
		return rc;
	if (!(e->where = mark_text(ld, v[L_CHIPS])) || !(l->source = mark_text(ld, n)))
		return nomem(ld);
	return vec_push(&ld->tmp->loaders, e) ? nomem(ld) : 0;
}

static bool entry_names(const struct loader_entry *e, const char *chip)
{
	for (unsigned i = 0; i < e->n_chips; i++)
		if (!strcasecmp(e->chips[i], chip))
			return true;
	return false;
}

/* Give every chip the loaders that name it, in load order; refuse a name
 * that is no chip (a typo must not silently drop a loader). */
int chipdb_link_loaders(struct chipdb *db, char *err, size_t errlen)
{
	for (unsigned i = 0; i < db->loaders.n; i++) {
		const struct loader_entry *e = db->loaders.v[i];
		for (unsigned k = 0; k < e->n_chips; k++)
			if (!chipdb_find(db, e->chips[k])) {
				snprintf(err, errlen, "%s: loader '%s' names unknown chip '%s'", e->where, e->loader.name,
				         e->chips[k]);
				return IOTFLASH_ERR_CHIPDB;
			}
	}
	for (unsigned i = 0; i < db->chips.n; i++) {
		struct iotflash_chip *c = db->chips.v[i];
		const struct iotflash_loader **ls = NULL;
		unsigned n = 0;
		for (unsigned k = 0; k < db->loaders.n; k++)
			n += entry_names(db->loaders.v[k], c->name);
		if (n && !(ls = arena_array(&db->arena, n, sizeof *ls))) {
			snprintf(err, errlen, "out of memory");
			return IOTFLASH_ERR_NOMEM;
		}
		n = 0;
		for (unsigned k = 0; k < db->loaders.n; k++) {
			const struct loader_entry *e = db->loaders.v[k];
			if (!entry_names(e, c->name))
				continue;
			for (unsigned j = 0; j < n; j++)
				if (!strcmp(ls[j]->sha256, e->loader.sha256)) {
					snprintf(err, errlen, "%s: loader '%s' has the SHA-256 of '%s' (%s), also a loader of %s",
					         e->loader.source, e->loader.name, ls[j]->name, ls[j]->source, c->name);
					return IOTFLASH_ERR_CHIPDB;
				}
			ls[n++] = &e->loader;
		}
		c->loaders = ls;
		c->n_loaders = n;
		if (n && !c->loader_file) {
			c->loader_file = ls[0]->file;
			c->loader_sha256 = ls[0]->sha256;
		}
	}
	return IOTFLASH_OK;
}

/* --------------------------------------------------------------- one file */

enum top_key { T_SCHEMA, T_FAMILY, T_DESCRIPTION, T_PLUGIN, T_DRIVER, T_DEFAULTS, T_CHIPS, T_FLASH, T_LOADERS, T_COUNT };
static const char *const top_keys[T_COUNT] = {
	"schema", "family", "description", "plugin", "driver", "defaults", "chips", "flash", "loaders",
};

/* The version is checked before anything else, so a file from a newer
 * format says so instead of failing on a key this loader does not know. */
static int check_schema(struct loader *ld, const yaml_node_t *root)
{
	if (root->type != YAML_MAPPING_NODE)
		return 0;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node_of(ld, p->key), *v = node_of(ld, p->value);
		if (k->type != YAML_SCALAR_NODE || strcmp(text(k), "schema") != 0)
			continue;
		uint64_t version;
		int rc = get_num(ld, v, "schema", 0, UINT32_MAX, false, &version);
		if (rc == 0 && version != SCHEMA_VERSION)
			return fail_at(ld, v, "unsupported schema version %" PRIu64 " (this loader reads %d)",
			               version, SCHEMA_VERSION);
		return rc;
	}
	return 0;
}

static int load_family(struct loader *ld, yaml_node_t *const v[])
{
	const char *unused;
	int rc = get_name(ld, v[T_FAMILY], "family", &ld->family);
	if (rc == 0)
		rc = get_name(ld, v[T_PLUGIN], "plugin", &ld->plugin);
	if (rc == 0)
		rc = get_name(ld, v[T_DRIVER], "driver", &ld->driver);
	/* Validated for the reader's sake; no record carries it. */
	if (rc == 0 && v[T_DESCRIPTION])
		rc = get_str(ld, v[T_DESCRIPTION], "description", &unused);
	if (rc)
		return rc;
	const struct iotflash_chip *c = find_chip_anywhere(ld, ld->family);
	if (c)
		return fail_at(ld, v[T_FAMILY], "family '%s' is also the name of a chip (%s)", ld->family, c->source);
	if (!family_anywhere(ld, ld->family) && vec_push(&ld->tmp->families, (void *)ld->family))
		return nomem(ld);
	return 0;
}

static int load_list(struct loader *ld, const yaml_node_t *n, const char *key,
                     int (*load_item)(struct loader *, const yaml_node_t *))
{
	if (n->type != YAML_SEQUENCE_NODE)
		return fail_at(ld, n, "'%s' must be a list, not %s", key, kind(n));
	for (size_t i = 0; i < seq_len(n); i++) {
		int rc = load_item(ld, seq_item(ld, n, i));
		if (rc)
			return rc;
	}
	return 0;
}

static int load_root(struct loader *ld, const yaml_node_t *root)
{
	static const unsigned required[] = { T_SCHEMA, T_FAMILY, T_PLUGIN, T_DRIVER, T_CHIPS };
	yaml_node_t *v[T_COUNT];
	int rc = check_schema(ld, root);
	if (rc == 0)
		rc = map_collect(ld, root, "the top level", top_keys, T_COUNT, v);
	if (rc)
		return rc;
	/* A file of loaders only (e.g. a community loader for chips of other
	 * files) needs no family. */
	bool loaders_only = v[T_LOADERS] && !v[T_FAMILY] && !v[T_PLUGIN] && !v[T_DRIVER] && !v[T_CHIPS] &&
	                    !v[T_DEFAULTS] && !v[T_FLASH] && !v[T_DESCRIPTION];
	if (loaders_only) {
		rc = need(ld, root, v, top_keys, required, 1, "the file");
		return rc ? rc : load_list(ld, v[T_LOADERS], "loaders", load_loader_entry);
	}
	rc = need(ld, root, v, top_keys, required, 5, "the file");
	if (rc == 0)
		rc = load_family(ld, v);
	if (rc == 0 && v[T_DEFAULTS])
		rc = load_defaults(ld, v[T_DEFAULTS]);
	if (rc == 0)
		rc = load_list(ld, v[T_CHIPS], "chips", load_chip);
	if (rc == 0 && v[T_FLASH])
		rc = load_list(ld, v[T_FLASH], "flash", load_flash_part);
	if (rc == 0 && v[T_LOADERS])
		rc = load_list(ld, v[T_LOADERS], "loaders", load_loader_entry);
	return rc;
}

static int syntax_error(struct loader *ld, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR)
		return nomem(ld);
	/* Reader errors (bad encoding) carry no mark of their own. */
	yaml_mark_t m = p->error == YAML_READER_ERROR ? p->mark : p->problem_mark;
	return fail_mark(ld, m, "YAML syntax error: %s%s%s", p->problem ? p->problem : "unknown problem",
	                 p->context ? " " : "", p->context ? p->context : "");
}

/* A file holds exactly one document. */
static int check_single_document(struct loader *ld, yaml_parser_t *parser)
{
	yaml_document_t next;
	if (!yaml_parser_load(parser, &next))
		return syntax_error(ld, parser);
	yaml_node_t *extra = yaml_document_get_root_node(&next);
	int rc = extra ? fail_at(ld, extra, "more than one YAML document in the file") : 0;
	yaml_document_delete(&next);
	return rc;
}

static int load_file(struct loader *ld, const char *path)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc;
	ld->file = path;
	FILE *f = fopen(path, "rb");
	if (!f) {
		char what[256];
		snprintf(what, sizeof what, "cannot open: %s", strerror(errno));
		return fail_file(ld, IOTFLASH_ERR_CHIPDB, what);
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return nomem(ld);
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = syntax_error(ld, &parser);
		goto out_parser;
	}
	ld->doc = &doc;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		rc = fail_mark(ld, (yaml_mark_t){ 0 }, "empty file");
		goto out_doc;
	}
	rc = check_single_document(ld, &parser);
	if (rc)
		goto out_doc;
	memset(&ld->defaults, 0, sizeof ld->defaults);
	ld->family = ld->plugin = ld->driver = NULL;
	ld->file_first_chip = ld->tmp->chips.n;
	rc = load_root(ld, root);
out_doc:
	yaml_document_delete(&doc);
	ld->doc = NULL;
out_parser:
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

/* ------------------------------------------------------------- directory */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_yaml_name(const char *name)
{
	size_t len = strlen(name);
	return name[0] != '.' && len > 5 && !strcmp(name + len - 5, ".yaml");
}

/* Every *.yaml regular file in dir, sorted by name (C collation). */
static int list_yaml(struct loader *ld, const char *dir, struct ptr_vec *paths)
{
	DIR *d = opendir(dir);
	if (!d) {
		char what[256];
		snprintf(what, sizeof what, "cannot open directory: %s", strerror(errno));
		return fail_file(ld, IOTFLASH_ERR_CHIPDB, what);
	}
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d))) {
		if (!is_yaml_name(de->d_name))
			continue;
		size_t len = strlen(dir) + strlen(de->d_name) + 2;
		char *path = malloc(len);
		struct stat st;
		if (!path) {
			rc = nomem(ld);
			break;
		}
		snprintf(path, len, "%s/%s", dir, de->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if (vec_push(paths, path)) {
			free(path);
			rc = nomem(ld);
		}
	}
	closedir(d);
	if (paths->n)
		qsort(paths->v, paths->n, sizeof *paths->v, cmp_names);
	return rc;
}

static int load_dir(struct loader *ld, const char *dir)
{
	struct ptr_vec paths = { 0 };
	int rc = list_yaml(ld, dir, &paths);
	for (unsigned i = 0; rc == 0 && i < paths.n; i++)
		rc = load_file(ld, paths.v[i]);
	for (unsigned i = 0; i < paths.n; i++)
		free(paths.v[i]);
	free(paths.v);
	return rc;
}

int chipdb_load(struct chipdb *db, const char *path, char *err, size_t errlen)
{
	struct chipdb tmp = { 0 };
	struct loader ld = { .db = db, .tmp = &tmp, .file = path, .err = err, .errlen = errlen };
	struct stat st;
	int rc;
	if (!db || !path)
		return IOTFLASH_ERR_ARG;
	if (stat(path, &st) != 0) {
		char what[256];
		snprintf(what, sizeof what, "cannot open: %s", strerror(errno));
		return fail_file(&ld, IOTFLASH_ERR_CHIPDB, what);
	}
	rc = S_ISDIR(st.st_mode) ? load_dir(&ld, path) : load_file(&ld, path);
	if (rc == 0 && chipdb_merge(db, &tmp) != 0)
		rc = nomem(&ld);
	arena_free(tmp.arena);
	free(tmp.chips.v);
	free(tmp.flash.v);
	free(tmp.families.v);
	free(tmp.loaders.v);
	return rc;
}

/* ----------------------------------------------------------- public API */

IOTFLASH_API const struct iotflash_param *
iotflash_chip_param(const struct iotflash_chip *chip, const char *key)
{
	if (!chip || !key)
		return NULL;
	for (unsigned i = 0; i < chip->n_params; i++)
		if (!strcmp(chip->params[i].key, key))
			return &chip->params[i];
	return NULL;
}

IOTFLASH_API bool iotflash_chip_param_int(const struct iotflash_chip *chip, const char *key, int64_t *out)
{
	const struct iotflash_param *p = iotflash_chip_param(chip, key);
	if (!p || p->type != IOTFLASH_PARAM_INT)
		return false;
	*out = p->i;
	return true;
}

IOTFLASH_API int64_t iotflash_chip_param_int_or(const struct iotflash_chip *chip, const char *key, int64_t dflt)
{
	const struct iotflash_param *p = iotflash_chip_param(chip, key);
	if (p && p->type == IOTFLASH_PARAM_INT)
		return p->i;
	if (p && p->type == IOTFLASH_PARAM_INT_LIST && p->n > 0)
		return p->ints[0];
	return dflt;
}

IOTFLASH_API bool iotflash_chip_param_has(const struct iotflash_chip *chip, const char *key, int64_t v)
{
	const struct iotflash_param *p = iotflash_chip_param(chip, key);
	if (p && p->type == IOTFLASH_PARAM_INT)
		return p->i == v;
	for (unsigned i = 0; p && p->type == IOTFLASH_PARAM_INT_LIST && i < p->n; i++)
		if (p->ints[i] == v)
			return true;
	return false;
}

IOTFLASH_API bool iotflash_chip_param_bool(const struct iotflash_chip *chip, const char *key, bool *out)
{
	const struct iotflash_param *p = iotflash_chip_param(chip, key);
	if (!p || p->type != IOTFLASH_PARAM_BOOL)
		return false;
	*out = p->i != 0;
	return true;
}

IOTFLASH_API const char *iotflash_chip_param_str(const struct iotflash_chip *chip, const char *key)
{
	const struct iotflash_param *p = iotflash_chip_param(chip, key);
	return p && p->type == IOTFLASH_PARAM_STR ? p->s : NULL;
}

IOTFLASH_API bool iotflash_loader_can(const struct iotflash_loader *loader, const char *cap)
{
	for (unsigned i = 0; loader && cap && i < loader->n_caps; i++)
		if (!strcmp(loader->caps[i], cap))
			return true;
	return false;
}

IOTFLASH_API const struct iotflash_region *
iotflash_chip_layout(const struct iotflash_chip *chip, const char *name)
{
	if (!chip || !name)
		return NULL;
	for (unsigned i = 0; i < chip->n_layout; i++)
		if (!strcmp(chip->layout[i].name, name))
			return &chip->layout[i];
	return NULL;
}
