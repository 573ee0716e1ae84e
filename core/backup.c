/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Backups: before a write or erase changes the flash, the region is read
 * (verified) and kept as backups/CHIP-YYYYMMDD-HHMMSS.bin, mode 0600 (it
 * holds Wi-Fi credentials), with a JSON record beside it that identifies
 * the device and lets the backup be checked later.  Before the first change
 * of a device whose full backup is not yet there, the whole chip is read
 * once (first contact): backups/CHIP-ID-full.bin, ID the device's MAC where
 * it tells one (docs/backups.md). */
#include "backup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

int backup_make_dir(struct iotflash_session *s, const char *dir)
{
	struct stat st;
	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode) ? IOTFLASH_OK
		                           : ctx_fail(s->ctx, IOTFLASH_ERR_FILE, "backup directory %s is not a directory", dir);
	if (mkdir(dir, 0700) != 0)
		return ctx_fail(s->ctx, IOTFLASH_ERR_FILE, "cannot create backup directory %s: %s (use --backup-dir DIR or --no-backup)",
		                dir, strerror(errno));
	return IOTFLASH_OK;
}

/* Candidate N of the backup name: CHIP-DATE-TIME[-N].bin */
static void backup_name(struct iotflash_session *s, const char *dir, const char *stamp, int n, char *path,
                        size_t len)
{
	if (n == 0)
		snprintf(path, len, "%s/%s-%s.bin", dir, s->chip->name, stamp);
	else
		snprintf(path, len, "%s/%s-%s-%d.bin", dir, s->chip->name, stamp, n);
}

/* Writes the backup under the first free name.  Creation is exclusive, so a
 * backup made at the same moment (or any file already there) is never
 * replaced: on EEXIST the next name is tried. */
static int backup_create(struct iotflash_session *s, const char *dir, const uint8_t *old, uint32_t len, char *path,
                         size_t pathlen)
{
	char stamp[32], json[4200];
	time_t now = time(NULL);
	struct tm tm;
	bool exists = true;
	int rc = IOTFLASH_ERR_FILE;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (int i = 0; exists && i < 1000; i++) {
		backup_name(s, dir, stamp, i, path, pathlen);
		snprintf(json, sizeof(json), "%.*s.json", (int)(strlen(path) - 4), path);
		if (access(json, F_OK) == 0)  /* a record without its backup: keep it, use another name */
			continue;
		rc = files_write_new(path, old, len, 0600, &exists, s->ctx->error, sizeof(s->ctx->error));
	}
	return rc;
}

static int record(struct iotflash_session *s, const char *bin_path, uint32_t addr, const uint8_t *data,
                  uint32_t len, const char *extra);

int backup_write_record(struct iotflash_session *s, const char *bin_path, uint32_t addr,
                        const uint8_t *data, uint32_t len)
{
	return record(s, bin_path, addr, data, len, "");
}

/* extra: more "key": value pairs, each ending in ",\n  " */
static int record(struct iotflash_session *s, const char *bin_path, uint32_t addr, const uint8_t *data,
                  uint32_t len, const char *extra)
{
	const uint32_t sector = 4096;
	size_t cap = 1024 + strlen(extra) + (len / sector + 1) * 14, k = 0;
	char *json = malloc(cap), sha[65], date[32], path[4200];
	time_t now = time(NULL);
	struct tm tm;
	bool exists;
	int rc;

	if (!json)
		return ctx_fail(s->ctx, IOTFLASH_ERR_NOMEM, "out of memory");
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	sha256_hex(data, len, sha);
	k += (size_t)snprintf(json + k, cap - k,
	                      "{\n  \"tool\": \"iotflash %s\",\n  \"date\": \"%s\",\n  \"chip\": \"%s\",\n"
	                      "  \"family\": \"%s\",\n  %s\"flash_id\": \"0x%06x\",\n  \"flash_size\": %u,\n"
	                      "  \"start\": %u,\n  \"size\": %u,\n  \"sha256\": \"%s\",\n"
	                      "  \"sector_size\": %u,\n  \"sector_crc32\": [",
	                      IOTFLASH_VERSION_STRING, date, s->chip->name, s->chip->family, extra,
	                      (unsigned)s->info.flash_id, (unsigned)s->flash_size, (unsigned)addr, (unsigned)len, sha,
	                      (unsigned)sector);
	for (uint32_t off = 0; off < len; off += sector) {
		uint32_t n = len - off < sector ? len - off : sector;
		k += (size_t)snprintf(json + k, cap - k, "%s\"%08lx\"", off ? "," : "",
		                      (unsigned long)crc32(0L, data + off, n));
	}
	k += (size_t)snprintf(json + k, cap - k, "]\n}\n");
	snprintf(path, sizeof(path), "%.*s.json", (int)(strlen(bin_path) - 4), bin_path);
	rc = files_write_new(path, (const uint8_t *)json, k, 0600, &exists, s->ctx->error, sizeof(s->ctx->error));
	free(json);
	return rc;
}

int backup_save(struct iotflash_session *s, uint32_t addr, uint32_t len, const uint8_t *old,
                const struct iotflash_op_opts *o, struct iotflash_result *r)
{
	const char *dir = o && o->backup_dir ? o->backup_dir : "backups";
	char path[4096];
	int rc;

	if ((rc = backup_make_dir(s, dir)) != IOTFLASH_OK)
		return rc;
	if ((rc = backup_create(s, dir, old, len, path, sizeof(path))) != IOTFLASH_OK ||
	    (rc = backup_write_record(s, path, addr, old, len)) != IOTFLASH_OK)
		return rc;
	if (strlen(path) >= sizeof(r->backup_path))
		return ctx_fail(s->ctx, IOTFLASH_ERR_FILE, "backup path %s is too long", path);
	memcpy(r->backup_path, path, strlen(path) + 1);
	ctx_log(s->ctx, IOTFLASH_LOG_INFO, "backup", "backed up 0x%06x..0x%06x to %s", (unsigned)addr,
	        (unsigned)(addr + len - 1), path);
	return IOTFLASH_OK;
}

/* ---- first contact (engine-backup.c reads the chip): the files ---- */

/* backups/CHIP-ID-full.bin; a device known only by its content:
 * CHIP-flashJEDEC-SHA256PREFIX-full.bin */
void backup_full_name(struct iotflash_session *s, const char *dir, const char *sha, char *path, size_t len)
{
	if (s->identity.id[0])
		snprintf(path, len, "%s/%s-%s-full.bin", dir, s->chip->name, s->identity.id);
	else
		snprintf(path, len, "%s/%s-flash%06x-%.12s-full.bin", dir, s->chip->name, (unsigned)s->info.flash_id, sha);
}

int backup_full_record(struct iotflash_session *s, const char *path, const uint8_t *data, uint32_t len)
{
	char extra[256], json[4200];
	struct stat st;

	snprintf(json, sizeof(json), "%.*s.json", (int)(strlen(path) - 4), path);
	if (stat(json, &st) == 0)
		return IOTFLASH_OK;
	snprintf(extra, sizeof(extra), "\"kind\": \"full\",\n  \"mac\": %s%s%s,\n  \"identity\": \"%s\",\n  ",
	         s->identity.mac[0] ? "\"" : "", s->identity.mac[0] ? s->identity.mac : "null",
	         s->identity.mac[0] ? "\"" : "", s->identity.basis);
	return record(s, path, 0, data, len, extra);
}

/* A backup whose record is missing (interrupted between the two files): the
 * record is made from the file, never from the flash, which may differ now. */
int backup_complete_record(struct iotflash_session *s, const char *path)
{
	uint8_t *data;
	size_t len;
	int rc = iotflash_read_file(path, false, &data, &len, s->ctx->error, sizeof(s->ctx->error));
	if (rc != IOTFLASH_OK)
		return rc;
	if (len != s->flash_size)
		rc = ctx_fail(s->ctx, IOTFLASH_ERR_FILE,
		              "%s holds %zu bytes, not the %u of this chip's flash: move it away and try again", path, len,
		              (unsigned)s->flash_size);
	else
		rc = backup_full_record(s, path, data, (uint32_t)len);
	free(data);
	return rc;
}
