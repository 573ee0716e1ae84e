/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Tuya key-value store in Beken BK7231T/N flash dumps: find the key block,
 * derive the data key, pick the live copy of every data block, reassemble
 * values from their parts and verify their checksums.  Damaged sectors are
 * worked around where the structure allows and reported as warnings. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nettle/aes.h>

#include "tuya-internal.h"

#define SECTOR 4096u
#define PAGE 128u
#define PAGES_PER_BLOCK 32u
#define KEY_MAGIC 0x13579753u
#define DATA_MAGIC 0x98761234u
#define DATA_MAGIC_TUYAOS3 0x135726ABu
#define ARENA_SIZE 0x12000u
#define MAX_BLOCK_ID 64u
#define MAX_KEY_CANDIDATES 8
#define MAX_VALUE_LEN (MAX_BLOCK_ID * PAGES_PER_BLOCK * PAGE)
#define STD_KEY_BLOCK 0x1EE000u   /* key block on an unrotated 2 MiB dump */
#define STD_APP_PHYS 0x11000u
#define APP_LOGICAL 0x10000u

static const uint8_t master_key[16] = "qwertyuiopasdfgh";
static const uint8_t p2_key[16] = "HHRRQbyemofrtytf";
/* AES_master(16 x 0xFF): bytes 32..47 of every key block. */
static const uint8_t key_block_ff[16] = {
	0x46, 0xDC, 0xED, 0x0E, 0x67, 0x2F, 0x3B, 0x70,
	0xAE, 0x12, 0x76, 0xA3, 0xF8, 0x71, 0x2E, 0x03,
};

/* ---- small helpers ---- */

int strlist_add(struct strlist *l, const char *fmt, ...)
{
	if (l->count == l->cap) {
		unsigned cap = l->cap ? l->cap * 2 : 8;
		char **items = realloc(l->items, cap * sizeof(*items));
		if (!items)
			return IOTFLASH_ERR_NOMEM;
		l->items = items;
		l->cap = cap;
	}
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = malloc((size_t)n + 1);
	if (!s)
		return IOTFLASH_ERR_NOMEM;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	l->items[l->count++] = s;
	return IOTFLASH_OK;
}

void strlist_free(struct strlist *l)
{
	for (unsigned i = 0; i < l->count; i++)
		free(l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t byte_sum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return sum;
}

/* AES-128-ECB, len a multiple of 16. */
static void aes_ecb_decrypt(const uint8_t key[16], const uint8_t *src, uint8_t *dst, size_t len)
{
	struct aes128_ctx ctx;
	aes128_set_decrypt_key(&ctx, key);
	aes128_decrypt(&ctx, len, dst, src);
}

static bool all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* ---- locating the store ---- */

struct key_candidate {
	size_t off;
	uint8_t device_key[16];
	bool is_key_block;       /* passed the key-block checksum */
	bool is_protected;       /* a valid protected block (N) */
};

struct key_scan {
	struct key_candidate c[MAX_KEY_CANDIDATES];
	unsigned n;
};

static void consider_key_sector(const uint8_t *dump, size_t len, size_t off, struct key_scan *ks)
{
	uint8_t head[32];
	if (ks->n == MAX_KEY_CANDIDATES || off + sizeof(head) > len)
		return;
	aes_ecb_decrypt(master_key, dump + off, head, sizeof(head));
	if (le32(head) != KEY_MAGIC)
		return;
	struct key_candidate *k = &ks->c[ks->n];
	memset(k, 0, sizeof(*k));
	k->off = off;
	memcpy(k->device_key, head + 8, 16);
	k->is_key_block = le32(head + 4) == byte_sum(head + 8, 16);
	if (!k->is_key_block && off + SECTOR <= len) {
		uint8_t *plain = malloc(SECTOR);
		if (!plain)
			return;
		aes_ecb_decrypt(master_key, dump + off, plain, SECTOR);
		k->is_protected = le32(plain + 4) == byte_sum(plain + 8, SECTOR - 8);
		free(plain);
	}
	ks->n++;
}

/* Sector-aligned candidates first; a dump cut at an odd offset is searched
 * for the key block's constant 0xFF-padding ciphertext instead. */
static void find_key_candidates(const uint8_t *dump, size_t len, struct key_scan *ks)
{
	ks->n = 0;
	for (size_t off = 0; off < len; off += SECTOR)
		consider_key_sector(dump, len, off, ks);
	if (ks->n)
		return;
	for (size_t off = 32; off + sizeof(key_block_ff) <= len; off++)
		if (dump[off] == key_block_ff[0] && !memcmp(dump + off, key_block_ff, sizeof(key_block_ff)))
			consider_key_sector(dump, len, off - 32, ks);
}

/* Data key = device key + P1/P2 constant.  Candidate 0 is the one every
 * BK7231 Tuya firmware uses; the others are other Tuya chips' constants. */
static void derive_data_key(const uint8_t device_key[16], unsigned candidate, uint8_t key[16])
{
	static const char *const p1_short[] = { "8710_2M", "8721D", "8711AM_4M", "RDA5981_2M" };
	for (unsigned i = 0; i < 16; i++) {
		unsigned add;
		switch (candidate) {
		case 0: add = (uint8_t)p1_short[0][i & 3] + p2_key[i]; break;
		case 1: add = 2u * p2_key[i]; break;
		case 2: add = (uint8_t)p1_short[1][i & 3] + p2_key[i]; break;
		case 3: add = p2_key[i]; break;
		case 4: add = (uint8_t)p1_short[2][i & 3] + p2_key[i]; break;
		default: add = (uint8_t)p1_short[3][i & 3] + p2_key[i]; break;
		}
		key[i] = (uint8_t)(device_key[i] + add);
	}
}
#define N_P1_CANDIDATES 6

static bool is_data_magic(uint32_t m)
{
	return m == DATA_MAGIC || m == DATA_MAGIC_TUYAOS3;
}

static unsigned count_data_sectors(const uint8_t *dump, size_t len, size_t phase, const uint8_t key[16])
{
	unsigned n = 0;
	uint8_t head[16];
	for (size_t off = phase; off + sizeof(head) <= len; off += SECTOR) {
		aes_ecb_decrypt(key, dump + off, head, sizeof(head));
		n += is_data_magic(le32(head));
	}
	return n;
}

/* ---- data blocks ---- */

struct block {
	size_t off;
	uint8_t plain[SECTOR];
	uint16_t id;
	uint32_t generation;
	bool valid;              /* checksum ok and whole sector present */
	bool live;
};

struct store {
	const uint8_t *dump;
	size_t len;
	uint8_t data_key[16];
	struct block *blocks;
	unsigned n_blocks;
	struct block *live[MAX_BLOCK_ID];
};

static int load_blocks(struct store *st, size_t phase)
{
	unsigned cap = 0;
	uint8_t head[16];
	for (size_t off = phase; off + sizeof(head) <= st->len; off += SECTOR) {
		aes_ecb_decrypt(st->data_key, st->dump + off, head, sizeof(head));
		if (!is_data_magic(le32(head)))
			continue;
		if (st->n_blocks == cap) {
			cap = cap ? cap * 2 : 32;
			struct block *b = realloc(st->blocks, cap * sizeof(*b));
			if (!b)
				return IOTFLASH_ERR_NOMEM;
			st->blocks = b;
		}
		struct block *b = &st->blocks[st->n_blocks++];
		memset(b, 0, sizeof(*b));
		size_t avail = st->len - off < SECTOR ? (st->len - off) & ~(size_t)15 : SECTOR;
		memset(b->plain, 0xFF, SECTOR);
		aes_ecb_decrypt(st->data_key, st->dump + off, b->plain, avail);
		b->off = off;
		b->id = le16(b->plain + 8);
		b->generation = le32(b->plain + 10);
		b->valid = avail == SECTOR && le32(b->plain + 4) == byte_sum(b->plain + 8, SECTOR - 8);
	}
	return IOTFLASH_OK;
}

static bool better_copy(const struct block *cand, const struct block *cur)
{
	if (!cur)
		return true;
	if (cand->valid != cur->valid)
		return cand->valid;
	return cand->generation > cur->generation;
}

/* The live copy of a block id is its valid copy with the highest generation
 * (ties: first in flash order); a damaged copy only stands in when no valid
 * one exists, and then only values passing their own checksum are used. */
static int choose_live_blocks(struct store *st, struct iotflash_tuya_config *cfg)
{
	int rc = IOTFLASH_OK;
	for (unsigned i = 0; i < st->n_blocks; i++) {
		struct block *b = &st->blocks[i];
		cfg->sectors_seen++;
		if (!b->valid) {
			cfg->sectors_damaged++;
			cfg->incomplete = true;
		}
		if (b->id >= MAX_BLOCK_ID) {
			rc = strlist_add(&cfg->warnings, "data sector at 0x%zx is damaged beyond use "
			                 "(block id %u)", b->off, b->id);
			if (rc)
				return rc;
			continue;
		}
		if (better_copy(b, st->live[b->id]))
			st->live[b->id] = b;
	}
	for (unsigned id = 0; id < MAX_BLOCK_ID; id++) {
		if (st->live[id])
			st->live[id]->live = true;
	}
	for (unsigned i = 0; i < st->n_blocks && !rc; i++) {
		const struct block *b = &st->blocks[i];
		if (b->valid || b->id >= MAX_BLOCK_ID)
			continue;
		rc = strlist_add(&cfg->warnings, "data sector at 0x%zx (block %u) fails its checksum: %s",
		                 b->off, b->id, b->live ? "no intact copy, values in it are used only "
		                 "where their own checksum matches" : "an intact copy is used instead");
	}
	return rc;
}

static int report_missing_blocks(struct store *st, struct iotflash_tuya_config *cfg)
{
	int max_id = -1;
	for (unsigned id = 0; id < MAX_BLOCK_ID; id++)
		if (st->live[id] && st->live[id]->valid)
			max_id = (int)id;
	for (int id = 0; id < max_id; id++) {
		if (st->live[id])
			continue;
		cfg->incomplete = true;
		int rc = strlist_add(&cfg->warnings, "data block %d is missing from the store", id);
		if (rc)
			return rc;
	}
	return IOTFLASH_OK;
}

/* ---- index pages and values ---- */

struct index_page {
	uint32_t checksum, length, serial;
	char name[PAGE];
	const uint8_t *parts;
	unsigned n_parts;
};

static bool parse_index_page(const struct block *b, unsigned page, struct index_page *ip)
{
	const uint8_t *p = b->plain + page * PAGE;
	ip->checksum = le32(p);
	ip->length = le32(p + 4);
	if (le16(p + 8) != b->id || p[10] != page || ip->length == 0 || ip->length > MAX_VALUE_LEN)
		return false;
	ip->n_parts = le16(p + 11);
	ip->serial = le32(p + 13);
	unsigned name_len = p[17];
	if (name_len < 2 || 18 + name_len + 4 * ip->n_parts > PAGE || ip->n_parts == 0)
		return false;
	const uint8_t *name = p + 18;
	if (name[name_len - 1] != 0)
		return false;
	for (unsigned i = 0; i + 1 < name_len; i++)
		if (!isprint(name[i]))
			return false;
	memcpy(ip->name, name, name_len);
	ip->parts = name + name_len;
	return true;
}

/* Concatenate the parts' pages from the live blocks; false if a part is
 * missing or malformed, leaving what was found. */
static bool assemble_value(const struct store *st, const struct index_page *ip, uint8_t *value,
                           size_t *got)
{
	*got = 0;
	for (unsigned i = 0; i < ip->n_parts && *got < ip->length; i++) {
		const uint8_t *part = ip->parts + 4 * i;
		unsigned id = le16(part), first = part[2], last = part[3];
		if (id >= MAX_BLOCK_ID || !st->live[id] || first == 0 || last >= PAGES_PER_BLOCK ||
		    first > last)
			return false;
		for (unsigned pg = first; pg <= last && *got < ip->length; pg++) {
			size_t take = ip->length - *got < PAGE ? ip->length - *got : PAGE;
			memcpy(value + *got, st->live[id]->plain + pg * PAGE, take);
			*got += take;
		}
	}
	return *got == ip->length;
}

static bool kv_preferred(const struct iotflash_tuya_kv *cand, uint32_t cand_serial,
                         const struct iotflash_tuya_kv *cur, uint32_t cur_serial)
{
	if (cand->checksum_ok != cur->checksum_ok)
		return cand->checksum_ok;
	if (cand->complete != cur->complete)
		return cand->complete;
	if (cand_serial != cur_serial)
		return cand_serial > cur_serial;
	return cand->len > cur->len;
}

static bool is_secret_key(const char *name)
{
	return !strcmp(name, "gw_bi") || !strcmp(name, "gw_wsm") || !strcmp(name, "gw_ai") ||
	       !strcmp(name, "tuya_seed") || !strcmp(name, "ble_beaconkey");
}

static int kv_slot(struct iotflash_tuya_config *cfg, const char *name, struct iotflash_tuya_kv **slot,
                   bool *is_new)
{
	for (unsigned i = 0; i < cfg->n_kvs; i++) {
		if (!strcmp(cfg->kvs[i].name, name)) {
			*slot = &cfg->kvs[i];
			*is_new = false;
			return IOTFLASH_OK;
		}
	}
	if (cfg->n_kvs == cfg->cap_kvs) {
		unsigned cap = cfg->cap_kvs ? cfg->cap_kvs * 2 : 32;
		struct iotflash_tuya_kv *kvs = realloc(cfg->kvs, cap * sizeof(*kvs));
		if (!kvs)
			return IOTFLASH_ERR_NOMEM;
		cfg->kvs = kvs;
		cfg->cap_kvs = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return IOTFLASH_ERR_NOMEM;
	*slot = &cfg->kvs[cfg->n_kvs++];
	memset(*slot, 0, sizeof(**slot));
	(*slot)->name = copy;
	*is_new = true;
	return IOTFLASH_OK;
}

/* Record one value; per key the best record wins (kv_preferred).  value is
 * taken over (freed when not kept). */
static int kv_offer(struct iotflash_tuya_config *cfg, uint32_t *serials, const char *name,
                    uint8_t *value, size_t len, bool checksum_ok, bool complete, uint32_t serial,
                    const char *source)
{
	struct iotflash_tuya_kv *slot;
	bool is_new;
	int rc = kv_slot(cfg, name, &slot, &is_new);
	if (rc) {
		free(value);
		return rc;
	}
	struct iotflash_tuya_kv cand = {
		.name = slot->name, .value = value, .len = len, .checksum_ok = checksum_ok,
		.complete = complete, .secret = is_secret_key(name), .source = source,
	};
	unsigned idx = (unsigned)(slot - cfg->kvs);
	if (!is_new && !kv_preferred(&cand, serial, slot, serials[idx])) {
		free(value);
		return IOTFLASH_OK;
	}
	free((void *)slot->value);
	*slot = cand;
	serials[idx] = serial;
	return IOTFLASH_OK;
}

static int read_index_page(const struct store *st, const struct block *b, unsigned page,
                           struct iotflash_tuya_config *cfg, uint32_t *serials)
{
	struct index_page ip;
	if (!parse_index_page(b, page, &ip))
		return IOTFLASH_OK;
	uint8_t *value = malloc((size_t)ip.length + 1);
	if (!value)
		return IOTFLASH_ERR_NOMEM;
	size_t got;
	bool complete = assemble_value(st, &ip, value, &got);
	value[got] = 0;
	bool checksum_ok = complete && byte_sum(value, got) == ip.checksum;
	/* In a damaged block only self-checking values are believable. */
	if (!b->valid && !checksum_ok) {
		free(value);
		return IOTFLASH_OK;
	}
	return kv_offer(cfg, serials, ip.name, value, got, checksum_ok, complete, ip.serial, "store");
}

static int read_all_keys(const struct store *st, struct iotflash_tuya_config *cfg)
{
	uint32_t *serials = calloc(MAX_BLOCK_ID * PAGES_PER_BLOCK, sizeof(*serials));
	if (!serials)
		return IOTFLASH_ERR_NOMEM;
	int rc = IOTFLASH_OK;
	for (unsigned i = 0; i < st->n_blocks && !rc; i++) {
		const struct block *b = &st->blocks[i];
		if (!b->live)
			continue;
		unsigned map_size = b->plain[14] > 4 ? 4 : b->plain[14];
		const uint8_t *map = b->plain + 15;
		for (unsigned page = 1; page < PAGES_PER_BLOCK && !rc; page++)
			if (page / 8 < map_size && (map[page / 8] >> (page % 8) & 1))
				rc = read_index_page(st, b, page, cfg, serials);
	}
	for (unsigned i = 0; i < cfg->n_kvs && !rc; i++) {
		const struct iotflash_tuya_kv *kv = &cfg->kvs[i];
		if (kv->checksum_ok)
			continue;
		cfg->incomplete = true;
		rc = strlist_add(&cfg->warnings, "value of %s is %s", kv->name,
		                 kv->complete ? "damaged (checksum mismatch)" : "incomplete (a part is missing)");
	}
	free(serials);
	return rc;
}

/* A protected-block record fills in a key missing or damaged in the store. */
static int protected_record(struct iotflash_tuya_config *cfg, const char *name,
                            const uint8_t *data, uint32_t len)
{
	struct iotflash_tuya_kv *slot;
	bool is_new;
	const struct iotflash_tuya_kv *have = iotflash_tuya_kv_find(cfg, name);
	if (have && have->checksum_ok)
		return IOTFLASH_OK;
	uint8_t *value = malloc((size_t)len + 1);
	if (!value)
		return IOTFLASH_ERR_NOMEM;
	int rc = kv_slot(cfg, name, &slot, &is_new);
	if (rc) {
		free(value);
		return rc;
	}
	memcpy(value, data, len);
	value[len] = 0;
	free((void *)slot->value);
	slot->value = value;
	slot->len = len;
	slot->checksum_ok = slot->complete = true;
	slot->secret = is_secret_key(name);
	slot->source = "protected";
	return is_new ? IOTFLASH_OK
	              : strlist_add(&cfg->warnings, "%s recovered from the protected block", name);
}

/* Newer N SDKs keep copies of gw_bi/gw_wsm in a second, doubly encrypted
 * sector; it fills in keys lost from the main store. */
static int read_protected_block(const struct store *st, const struct key_candidate *k,
                                struct iotflash_tuya_config *cfg)
{
	uint8_t *plain = malloc(SECTOR);
	if (!plain)
		return IOTFLASH_ERR_NOMEM;
	int rc = IOTFLASH_OK;
	aes_ecb_decrypt(master_key, st->dump + k->off, plain, SECTOR);
	aes_ecb_decrypt(st->data_key, plain + 32, plain + 32, SECTOR - 32);
	uint32_t data_len = le32(plain + 24);
	if (data_len > SECTOR - 32)
		goto out;
	for (size_t pos = 32; pos + 36 <= 32 + data_len && !rc;) {
		uint32_t vlen = le32(plain + pos);
		const char *name = (const char *)plain + pos + 4;
		if (vlen > 32 + data_len - pos - 36 || !memchr(name, 0, 32) || !name[0])
			break;
		rc = protected_record(cfg, name, plain + pos + 36, vlen);
		pos += 36 + vlen;
	}
out:
	free(plain);
	return rc;
}

/* ---- what the keys say ---- */

static bool starts_with_ci(const char *s, const char *prefix)
{
	return !strncasecmp(s, prefix, strlen(prefix));
}

static void tell_chip(struct iotflash_tuya_config *cfg, const uint8_t *dump, size_t len)
{
	const struct iotflash_tuya_kv *env = iotflash_tuya_kv_find(cfg, "em_sys_env");
	if (env && env->checksum_ok) {
		const char *v = (const char *)env->value;
		cfg->chip_basis = "em_sys_env key";
		if (starts_with_ci(v, "bk7231n")) {
			cfg->chip = "BK7231N";
			return;
		}
		if (starts_with_ci(v, "bk7231t") || starts_with_ci(v, "bk7231s")) {
			cfg->chip = "BK7231T";
			return;
		}
	}
	/* The RF calibration sector sits 0xE000 (T) or 0x1E000 (N) before the store. */
	static const struct { size_t back; const char *chip; } rf[] = {
		{ 0xE000, "BK7231T" }, { 0x1E000, "BK7231N" },
	};
	for (unsigned i = 0; i < 2; i++) {
		size_t off = cfg->store_offset - rf[i].back;
		if (cfg->store_offset >= rf[i].back && off + 4 <= len && !memcmp(dump + off, "TLV", 4)) {
			cfg->chip = rf[i].chip;
			cfg->chip_basis = "RF calibration sector position";
			return;
		}
	}
	const char *module = cfg->module;
	cfg->chip_basis = "module name";
	if (module && (module[0] == 'W' || module[0] == 'w') && module[1] &&
	    module[2] != 'R' && module[2] != 'D')
		cfg->chip = "BK7231T";
	else if (module && (starts_with_ci(module, "CB") || starts_with_ci(module, "T34") ||
	                    starts_with_ci(module, "T2")))
		cfg->chip = "BK7231N";
	else
		cfg->chip_basis = NULL;
}

static size_t base64_decode(const char *in, char *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;
	for (; *in && *in != '='; in++) {
		const char *pos = strchr(alphabet, *in);
		if (!pos)
			continue;
		acc = acc << 6 | (uint32_t)(pos - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (char)(acc >> bits & 0xFF);
		}
	}
	out[n] = 0;
	return n;
}

static int decode_wifi_field(const char *raw, bool b64, char **out)
{
	*out = malloc(strlen(raw) + 1);
	if (!*out)
		return IOTFLASH_ERR_NOMEM;
	if (b64)
		base64_decode(raw, *out);
	else
		strcpy(*out, raw);
	return IOTFLASH_OK;
}

static int read_wifi(struct iotflash_tuya_config *cfg)
{
	const struct iotflash_tuya_kv *wsm = iotflash_tuya_kv_find(cfg, "gw_wsm");
	if (!wsm || !wsm->checksum_ok)
		return IOTFLASH_OK;
	struct tuya_pair *pairs = NULL;
	unsigned n = 0, cap = 0;
	int rc = tuya_parse_pairs((const char *)wsm->value, wsm->len, &pairs, &n, &cap);
	if (rc < 0)
		goto out;
	rc = IOTFLASH_OK;
	const char *ssid = tuya_pairs_get(pairs, n, "ssid");
	const char *pass = tuya_pairs_get(pairs, n, "passwd");
	const char *b64 = tuya_pairs_get(pairs, n, "wfb64");
	bool is_b64 = b64 && (!strcmp(b64, "1") || !strcmp(b64, "true"));
	if (!ssid || !ssid[0])
		goto out;
	cfg->wifi_paired = true;
	rc = decode_wifi_field(ssid, is_b64, &cfg->wifi_ssid);
	if (!rc && pass)
		rc = decode_wifi_field(pass, is_b64, &cfg->wifi_password);
out:
	tuya_pairs_free(pairs, n);
	return rc;
}

/* bk7231tools' fallback: the template defaults compiled into the
 * application, found by decrypting it and looking for template text. */
static char *firmware_template(const uint8_t *dump, size_t len, size_t store_offset)
{
	if (store_offset + STD_APP_PHYS < STD_KEY_BLOCK)
		return NULL;
	size_t app = store_offset + STD_APP_PHYS - STD_KEY_BLOCK;
	if (app >= len)
		return NULL;
	uint8_t *img = NULL;
	size_t img_len = 0;
	char *found = NULL;
	if (iotflash_beken_crc_strip(dump + app, len - app, &img, &img_len) || img_len < 8)
		goto out;
	iotflash_beken_crypt(iotflash_beken_tuya_key, APP_LOGICAL, img, img_len);
	if ((le32(img) & 0xFF000000) != 0xEA000000 || (le32(img + 4) & 0xFFFFF000) != 0xE59FF000)
		goto out;
	static const char *const marks[] = { ",crc:", ",module:", "Jsonver:" };
	for (unsigned m = 0; m < 3 && !found; m++) {
		size_t ml = strlen(marks[m]);
		for (size_t i = 0; i + ml < img_len && !found; i++) {
			if (memcmp(img + i, marks[m], ml) || img[i + ml] == 0)
				continue;
			size_t start = i, end = i + ml;
			while (start > 0 && img[start - 1])
				start--;
			while (end < img_len && img[end])
				end++;
			found = strndup((const char *)img + start, end - start);
		}
	}
out:
	free(img);
	return found;
}

static int read_template(struct iotflash_tuya_config *cfg, const uint8_t *dump, size_t len)
{
	static const char *const sources[] = { "user_param_key", "baud_cfg" };
	for (unsigned i = 0; i < 2; i++) {
		const struct iotflash_tuya_kv *kv = iotflash_tuya_kv_find(cfg, sources[i]);
		if (!kv || !kv->checksum_ok)
			continue;
		int rc = tuya_parse_pairs((const char *)kv->value, kv->len, &cfg->pairs, &cfg->n_pairs,
		                          &cfg->cap_pairs);
		if (rc < 0)
			return rc;
		cfg->template_source = sources[i];
		return IOTFLASH_OK;
	}
	if (iotflash_tuya_kv_find(cfg, "user_param_key"))
		return IOTFLASH_OK;  /* damaged: already warned; firmware defaults would mislead */
	char *text = firmware_template(dump, len, cfg->store_offset);
	if (!text)
		return IOTFLASH_OK;
	int rc = tuya_parse_pairs(text, strlen(text), &cfg->pairs, &cfg->n_pairs, &cfg->cap_pairs);
	free(text);
	if (rc < 0)
		return rc;
	cfg->template_source = "firmware";
	return IOTFLASH_OK;
}

/* ---- entry point ---- */

static int reject_input(const uint8_t *dump, size_t len, char *err, size_t errlen)
{
	if (len == 0) {
		snprintf(err, errlen, "the dump is empty");
		return IOTFLASH_ERR_ARG;
	}
	if (all_bytes(dump, len, 0xFF)) {
		snprintf(err, errlen, "the dump is blank (all 0xFF): erased flash, or a failed read");
		return IOTFLASH_ERR_UNSUPPORTED;
	}
	if (all_bytes(dump, len, 0x00)) {
		snprintf(err, errlen, "the dump is all zeros: a failed read");
		return IOTFLASH_ERR_UNSUPPORTED;
	}
	if (len >= 3 && !memcmp(dump, "CFG", 3)) {
		snprintf(err, errlen, "this is an OpenBeken configuration sector, not a Tuya flash dump");
		return IOTFLASH_ERR_UNSUPPORTED;
	}
	return IOTFLASH_OK;
}

/* Pick the key candidate and P1 constant that decrypt the most data sectors. */
static const struct key_candidate *choose_key(const uint8_t *dump, size_t len, const struct key_scan *ks,
                                              uint8_t data_key[16], unsigned *sectors)
{
	const struct key_candidate *best = NULL;
	*sectors = 0;
	for (unsigned i = 0; i < ks->n; i++) {
		for (unsigned p = 0; p < N_P1_CANDIDATES; p++) {
			uint8_t key[16];
			derive_data_key(ks->c[i].device_key, p, key);
			unsigned n = count_data_sectors(dump, len, ks->c[i].off % SECTOR, key);
			bool tie_won = n == *sectors && n && ks->c[i].is_key_block && !best->is_key_block;
			if (n > *sectors || tie_won) {
				*sectors = n;
				best = &ks->c[i];
				memcpy(data_key, key, 16);
			}
		}
	}
	return best;
}

static int note_store_shape(struct iotflash_tuya_config *cfg, const struct key_candidate *k, size_t len)
{
	int rc = IOTFLASH_OK;
	if (!k->is_key_block)
		rc = strlist_add(&cfg->warnings, "the key block is damaged; the device key was taken "
		                 "from the %s at 0x%zx", k->is_protected ? "protected block" : "damaged key block",
		                 k->off);
	if (!rc && k->off + ARENA_SIZE > len) {
		cfg->incomplete = true;
		rc = strlist_add(&cfg->warnings, "the dump ends 0x%zx bytes into the 0x%x-byte store: "
		                 "truncated", len - k->off, ARENA_SIZE);
	}
	return rc;
}

static int decode_store(const uint8_t *dump, size_t len, const struct key_scan *ks,
                        struct iotflash_tuya_config *cfg, char *err, size_t errlen)
{
	struct store st = { .dump = dump, .len = len };
	unsigned sectors;
	const struct key_candidate *k = choose_key(dump, len, ks, st.data_key, &sectors);
	int rc = IOTFLASH_ERR_UNSUPPORTED;
	if (!k) {
		snprintf(err, errlen, "found a Tuya key block at 0x%zx but no data block decrypts "
		         "with its key: the store is damaged or erased", ks->c[0].off);
		goto out;
	}
	cfg->store_offset = k->off;
	rc = note_store_shape(cfg, k, len);
	if (!rc)
		rc = load_blocks(&st, k->off % SECTOR);
	if (!rc)
		rc = choose_live_blocks(&st, cfg);
	if (!rc)
		rc = report_missing_blocks(&st, cfg);
	if (!rc)
		rc = read_all_keys(&st, cfg);
	for (unsigned i = 0; i < ks->n && !rc; i++)
		if (ks->c[i].is_protected)
			rc = read_protected_block(&st, &ks->c[i], cfg);
	if (rc)
		goto out;
	if (cfg->n_kvs == 0) {
		rc = IOTFLASH_ERR_CHECKSUM;
		snprintf(err, errlen, "Tuya store at 0x%zx: all %u data sectors are damaged, "
		         "no key could be recovered", k->off, cfg->sectors_seen);
	}
out:
	free(st.blocks);
	return rc;
}

static int interpret(struct iotflash_tuya_config *cfg, const uint8_t *dump, size_t len)
{
	int rc = read_template(cfg, dump, len);
	if (!rc)
		cfg->module = tuya_pairs_get(cfg->pairs, cfg->n_pairs, "module");
	if (!rc)
		tell_chip(cfg, dump, len);
	if (!rc)
		rc = read_wifi(cfg);
	if (!rc)
		rc = tuya_template_map(cfg);
	return rc;
}

IOTFLASH_API int iotflash_tuya_extract(const uint8_t *dump, size_t len,
                                       struct iotflash_tuya_config **out,
                                       char *err, size_t errlen)
{
	char dummy[1];
	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = 0;
	if (!out || (!dump && len)) {
		snprintf(err, errlen, "invalid argument");
		return IOTFLASH_ERR_ARG;
	}
	*out = NULL;
	int rc = reject_input(dump, len, err, errlen);
	if (rc)
		return rc;
	struct key_scan ks;
	find_key_candidates(dump, len, &ks);
	if (ks.n == 0) {
		snprintf(err, errlen, "no Tuya key-value store in these %zu bytes: not a Tuya "
		         "BK7231T/N flash dump, or its key block is damaged", len);
		return IOTFLASH_ERR_UNSUPPORTED;
	}
	struct iotflash_tuya_config *cfg = calloc(1, sizeof(*cfg));
	if (!cfg) {
		snprintf(err, errlen, "out of memory");
		return IOTFLASH_ERR_NOMEM;
	}
	rc = decode_store(dump, len, &ks, cfg, err, errlen);
	if (!rc)
		rc = interpret(cfg, dump, len);
	if (rc) {
		if (!err[0])
			snprintf(err, errlen, "%s", formats_error_text(rc));
		iotflash_tuya_free(cfg);
		return rc;
	}
	*out = cfg;
	return IOTFLASH_OK;
}

IOTFLASH_API void iotflash_tuya_free(struct iotflash_tuya_config *cfg)
{
	if (!cfg)
		return;
	for (unsigned i = 0; i < cfg->n_kvs; i++) {
		free((void *)cfg->kvs[i].name);
		free((void *)cfg->kvs[i].value);
	}
	free(cfg->kvs);
	tuya_pairs_free(cfg->pairs, cfg->n_pairs);
	free(cfg->pins);
	strlist_free(&cfg->pin_text);
	strlist_free(&cfg->warnings);
	strlist_free(&cfg->obk_commands);
	strlist_free(&cfg->notes);
	free(cfg->wifi_ssid);
	free(cfg->wifi_password);
	free(cfg);
}

/* ---- accessors ---- */

IOTFLASH_API const char *iotflash_tuya_chip(const struct iotflash_tuya_config *cfg, const char **basis)
{
	if (basis)
		*basis = cfg->chip_basis;
	return cfg->chip;
}

IOTFLASH_API size_t iotflash_tuya_store_offset(const struct iotflash_tuya_config *cfg)
{
	return cfg->store_offset;
}

IOTFLASH_API void iotflash_tuya_sector_counts(const struct iotflash_tuya_config *cfg,
                                              unsigned *seen, unsigned *damaged)
{
	if (seen)
		*seen = cfg->sectors_seen;
	if (damaged)
		*damaged = cfg->sectors_damaged;
}

IOTFLASH_API bool iotflash_tuya_complete(const struct iotflash_tuya_config *cfg)
{
	return !cfg->incomplete;
}

IOTFLASH_API unsigned iotflash_tuya_warning_count(const struct iotflash_tuya_config *cfg)
{
	return cfg->warnings.count;
}

IOTFLASH_API const char *iotflash_tuya_warning(const struct iotflash_tuya_config *cfg, unsigned i)
{
	return i < cfg->warnings.count ? cfg->warnings.items[i] : NULL;
}

IOTFLASH_API unsigned iotflash_tuya_kv_count(const struct iotflash_tuya_config *cfg)
{
	return cfg->n_kvs;
}

IOTFLASH_API const struct iotflash_tuya_kv *iotflash_tuya_kv(const struct iotflash_tuya_config *cfg,
                                                             unsigned i)
{
	return i < cfg->n_kvs ? &cfg->kvs[i] : NULL;
}

IOTFLASH_API const struct iotflash_tuya_kv *iotflash_tuya_kv_find(const struct iotflash_tuya_config *cfg,
                                                                  const char *name)
{
	for (unsigned i = 0; i < cfg->n_kvs; i++)
		if (!strcmp(cfg->kvs[i].name, name))
			return &cfg->kvs[i];
	return NULL;
}

IOTFLASH_API const char *iotflash_tuya_template_source(const struct iotflash_tuya_config *cfg)
{
	return cfg->template_source;
}

IOTFLASH_API const char *iotflash_tuya_module(const struct iotflash_tuya_config *cfg)
{
	return cfg->module;
}

IOTFLASH_API unsigned iotflash_tuya_param_count(const struct iotflash_tuya_config *cfg)
{
	return cfg->n_pairs;
}

IOTFLASH_API bool iotflash_tuya_param(const struct iotflash_tuya_config *cfg, unsigned i,
                                      const char **key, const char **value)
{
	if (i >= cfg->n_pairs)
		return false;
	*key = cfg->pairs[i].key;
	*value = cfg->pairs[i].value;
	return true;
}

IOTFLASH_API const char *iotflash_tuya_param_get(const struct iotflash_tuya_config *cfg, const char *key)
{
	return tuya_pairs_get(cfg->pairs, cfg->n_pairs, key);
}

IOTFLASH_API unsigned iotflash_tuya_pin_count(const struct iotflash_tuya_config *cfg)
{
	return cfg->n_pins;
}

IOTFLASH_API const struct iotflash_tuya_pin *iotflash_tuya_pin(const struct iotflash_tuya_config *cfg,
                                                               unsigned i)
{
	return i < cfg->n_pins ? &cfg->pins[i] : NULL;
}

IOTFLASH_API unsigned iotflash_tuya_obk_command_count(const struct iotflash_tuya_config *cfg)
{
	return cfg->obk_commands.count;
}

IOTFLASH_API const char *iotflash_tuya_obk_command(const struct iotflash_tuya_config *cfg, unsigned i)
{
	return i < cfg->obk_commands.count ? cfg->obk_commands.items[i] : NULL;
}

IOTFLASH_API unsigned iotflash_tuya_note_count(const struct iotflash_tuya_config *cfg)
{
	return cfg->notes.count;
}

IOTFLASH_API const char *iotflash_tuya_note(const struct iotflash_tuya_config *cfg, unsigned i)
{
	return i < cfg->notes.count ? cfg->notes.items[i] : NULL;
}

IOTFLASH_API bool iotflash_tuya_wifi(const struct iotflash_tuya_config *cfg,
                                     const char **ssid, const char **password)
{
	if (ssid)
		*ssid = cfg->wifi_ssid;
	if (password)
		*password = cfg->wifi_password;
	return cfg->wifi_paired;
}
