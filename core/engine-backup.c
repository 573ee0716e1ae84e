/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* First contact (docs/backups.md): before the first write or erase of a
 * device whose full backup is not in the backup directory, the whole chip
 * is read once.  The device is named by a MAC (kept in flash where the chip
 * database says, or reported by the ROM), else a unique chip id, else its
 * content.  The files are backup.c's. */
#include "engine.h"
#include "backup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct iotflash_region *region_named(const struct iotflash_chip *c, const char *name)
{
	for (unsigned i = 0; i < c->n_protected; i++)
		if (strcmp(c->protected_regions[i].name, name) == 0)
			return &c->protected_regions[i];
	return iotflash_chip_layout(c, name);
}

static bool mac_usable(const uint8_t *m)
{
	static const uint8_t ff[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, zero[6] = {0};
	return memcmp(m, ff, 6) != 0 && memcmp(m, zero, 6) != 0;
}

static int hexval(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* A MAC kept in flash, where the chip database says (docs/chipdb.md,
 * "Params the core reads"): the first of the `mac_regions` whose sector
 * starts with the bytes `mac_magic` (hex) holds a MAC at `mac_offset`
 * (Beken: the RF calibration sector, docs/protocols/beken-rf.md).  The core
 * knows no vendor format: the place and the magic are data. */
static int flash_mac(struct iotflash_session *s, uint8_t mac[6], bool *found)
{
	const struct iotflash_param *regions = iotflash_chip_param(s->chip, "mac_regions");
	const char *magic_hex = iotflash_chip_param_str(s->chip, "mac_magic");
	int64_t at = iotflash_chip_param_int_or(s->chip, "mac_offset", -1);
	uint8_t sector[4096], magic[16];
	size_t nmagic = 0;

	*found = false;
	if (!regions || regions->type != IOTFLASH_PARAM_STR_LIST || !magic_hex || at < 0 || at + 6 > (int64_t)sizeof(sector))
		return IOTFLASH_OK;
	for (; magic_hex[2 * nmagic] && magic_hex[2 * nmagic + 1] && nmagic < sizeof(magic); nmagic++) {
		int hi = hexval(magic_hex[2 * nmagic]), lo = hexval(magic_hex[2 * nmagic + 1]);
		if (hi < 0 || lo < 0)
			return IOTFLASH_OK;
		magic[nmagic] = (uint8_t)(hi << 4 | lo);
	}
	for (unsigned i = 0; i < regions->n && !*found; i++) {
		const struct iotflash_region *r = region_named(s->chip, regions->strs[i]);
		struct iotflash_result rr;
		int rc;
		if (!r || r->size < sizeof(sector) || (uint64_t)r->start + sizeof(sector) > s->flash_size)
			continue;
		engine_result_init(&rr, sizeof(sector));
		if ((rc = engine_read(s, r->start, sizeof(sector), sector, NULL, &rr, "identify")) != IOTFLASH_OK)
			return rc;
		if (memcmp(sector, magic, nmagic) == 0 && mac_usable(sector + at)) {
			memcpy(mac, sector + at, 6);
			*found = true;
		}
	}
	return IOTFLASH_OK;
}

/* A MAC or unique chip id the ROM reported in the detection details
 * ("MAC 18fe34…", "Wi-Fi MAC 18:fe:34:…", "chip id 0102…"): hex after the
 * label, colons allowed.  Returns the digits found (at most max). */
static size_t hex_after(const char *text, const char *label, char *out, size_t max)
{
	const char *p = strstr(text, label);
	size_t n = 0;
	if (!p)
		return 0;
	for (p += strlen(label); *p && n < max; p++) {
		if (*p == ':' || *p == '-')
			continue;
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')))
			break;
		out[n++] = (char)(*p | 0x20);
	}
	out[n] = '\0';
	return n;
}

static void set_mac(struct iotflash_identity *id, const uint8_t m[6], const char *basis)
{
	snprintf(id->mac, sizeof(id->mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	snprintf(id->id, sizeof(id->id), "%02x%02x%02x%02x%02x%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	id->basis = basis;
}

IOTFLASH_API int iotflash_session_identify(struct iotflash_session *s, struct iotflash_identity *out)
{
	struct iotflash_identity id;
	char hex[40];
	uint8_t mac[6];
	bool found;
	int rc;

	if (s->identified) {
		*out = s->identity;
		return IOTFLASH_OK;
	}
	memset(&id, 0, sizeof(id));
	id.basis = "content";
	if ((rc = flash_mac(s, mac, &found)) != IOTFLASH_OK)
		return rc;
	if (found) {
		set_mac(&id, mac, "rf-mac");
	} else if (hex_after(s->info.extra, "MAC ", hex, 12) == 12) {
		for (int i = 0; i < 6; i++)
			mac[i] = (uint8_t)strtoul((char[3]){hex[2 * i], hex[2 * i + 1], 0}, NULL, 16);
		if (mac_usable(mac))
			set_mac(&id, mac, "mac");
	} else if (hex_after(s->info.extra, "chip id ", hex, 32) >= 8) {
		snprintf(id.id, sizeof(id.id), "chipid-%s", hex);
		id.basis = "chip-id";
	}
	s->identity = id;
	s->identified = true;
	*out = id;
	return IOTFLASH_OK;
}

IOTFLASH_API int iotflash_backup_full(struct iotflash_session *s, const struct iotflash_op_opts *o,
                                      struct iotflash_result *r, bool *taken)
{
	const char *dir = o && o->backup_dir ? o->backup_dir : "backups";
	struct iotflash_result local;
	struct iotflash_identity id;
	char path[4096], sha[65] = "";
	uint64_t t0 = iotflash_now_ms();
	uint8_t *data = NULL;
	struct stat st;
	bool exists = false;
	int rc;

	if (!r)
		r = &local;
	engine_result_init(r, s->flash_size);
	if (taken)
		*taken = false;
	if ((rc = backup_make_dir(s, dir)) != IOTFLASH_OK || (rc = iotflash_session_identify(s, &id)) != IOTFLASH_OK)
		return rc;
	backup_full_name(s, dir, sha, path, sizeof(path));
	if (id.id[0] && stat(path, &st) == 0) {  /* taken before: this device is known */
		if ((rc = backup_complete_record(s, path)) != IOTFLASH_OK)
			return rc;
		goto done;
	}
	if (!(data = malloc(s->flash_size)))
		return ctx_fail(s->ctx, IOTFLASH_ERR_NOMEM, "out of memory");
	if ((rc = engine_read(s, 0, s->flash_size, data, o, r, "backup")) != IOTFLASH_OK) {
		if (rc == IOTFLASH_ERR_UNSUPPORTED)
			ctx_fail(s->ctx, rc, "%s cannot be read, so nothing can be backed up: add --no-backup to write without a backup",
			         s->chip->name);
		goto out;
	}
	sha256_hex(data, s->flash_size, sha);
	memcpy(r->sha256, sha, sizeof(sha));
	backup_full_name(s, dir, sha, path, sizeof(path));
	rc = files_write_new(path, data, s->flash_size, 0600, &exists, s->ctx->error, sizeof(s->ctx->error));
	if (rc != IOTFLASH_OK && !exists)  /* exists: the same content (or device) was saved meanwhile */
		goto out;
	s->ctx->error[0] = '\0';
	if (taken)
		*taken = !exists;
	if ((rc = exists ? backup_complete_record(s, path) : backup_full_record(s, path, data, s->flash_size)) != IOTFLASH_OK)
		goto out;
	ctx_log(s->ctx, IOTFLASH_LOG_INFO, "backup", "first contact: the whole %u KiB flash backed up to %s",
	        (unsigned)(s->flash_size / 1024), path);
done:
	if (strlen(path) >= sizeof(r->backup_path)) {
		rc = ctx_fail(s->ctx, IOTFLASH_ERR_FILE, "backup path %s is too long", path);
		goto out;
	}
	memcpy(r->backup_path, path, strlen(path) + 1);
	memcpy(s->full_backup_path, path, strlen(path) + 1);
	s->full_backup_done = true;
	rc = IOTFLASH_OK;
out:
	r->seconds = (double)(iotflash_now_ms() - t0) / 1000.0;
	free(data);
	return rc;
}

int backup_first_contact(struct iotflash_session *s, const struct iotflash_op_opts *o)
{
	struct iotflash_result r;
	if (s->full_backup_done || (o && o->no_backup))
		return IOTFLASH_OK;
	return iotflash_backup_full(s, o, &r, NULL);
}
