/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* libiotflash internals shared between core/ source files (not installed). */
#ifndef IOTFLASH_INTERNAL_H
#define IOTFLASH_INTERNAL_H

#include <stdarg.h>
#include "iotflash/iotflash.h"
#include "iotflash/plugin.h"
#include "iotflash/model.h"

#define ERRLEN 512

/* ---- chip database (chipdb.c) ---- */
struct chipdb;
int chipdb_new(struct chipdb **out);
void chipdb_free(struct chipdb *db);
/* Load one YAML file, or every *.yaml in a directory (sorted).  On error
 * writes "file:line:col: what is wrong" to err and returns IOTFLASH_ERR_CHIPDB;
 * the database is then unchanged. */
int chipdb_load(struct chipdb *db, const char *path, char *err, size_t errlen);
unsigned chipdb_count(const struct chipdb *db);
const struct iotflash_chip *chipdb_chip(const struct chipdb *db, unsigned i);
const struct iotflash_chip *chipdb_find(const struct chipdb *db, const char *name); /* case-insensitive */
bool chipdb_is_family(const struct chipdb *db, const char *name);
const struct iotflash_chip *chipdb_family_chip(const struct chipdb *db, const char *family, unsigned i);
/* Give each chip the loaders that name it (top-level `loaders:` of any file
 * loaded so far, and chips' own `loader:`); call after the last load.  An
 * unknown chip name is an error ("file:line:col: ..." in err). */
int chipdb_link_loaders(struct chipdb *db, char *err, size_t errlen);
/* The family's flash table first, then every other family's. */
const struct iotflash_flash_part *chipdb_flash(const struct chipdb *db, const char *family, uint32_t jedec);

/* ---- plugin loader (plugins.c) ---- */
struct plugin_set;
/* dirs: NULL-terminated, searched in order. */
int plugin_set_new(struct plugin_set **out, const char *const *dirs);
void plugin_set_free(struct plugin_set *ps);
/* Open NAME (NAME.la / NAME.so in the first directory that has it);
 * a loaded plugin is returned again without reopening. */
int plugin_set_load(struct plugin_set *ps, const char *name, const struct iotflash_plugin **out,
                    char *err, size_t errlen);
/* Open every plugin in every directory; failures are reported through warn
 * and skipped. */
int plugin_set_load_all(struct plugin_set *ps, void (*warn)(void *user, const char *msg), void *user);
unsigned plugin_set_count(const struct plugin_set *ps);
/* The i-th file the last plugin_set_load_all() could not load: the reason
 * (the warning without its "PATH: " prefix) and *path; NULL past the end. */
const char *plugin_set_failure(const struct plugin_set *ps, unsigned i, const char **path);
const struct iotflash_plugin *plugin_set_get(const struct plugin_set *ps, unsigned i, const char **path);
/* Check a descriptor the way the loader does (exposed for tests). */
int plugin_check_descriptor(const struct iotflash_plugin *p, const char *file, char *err, size_t errlen);

/* ---- serial transport (serial.c) ---- */
extern const struct iotflash_transport iotflash_serial_transport;
/* The EACCES message naming the device's group (exposed for tests). */
int serial_access_error(const char *path, char *err, size_t errlen);
/* The usual name of a USB-UART adapter by USB VID:PID, or NULL (exposed for tests). */
const char *serial_adapter_name(unsigned vid, unsigned pid);

/* ---- checksums, files (checksum.c, files.c) ---- */
void sha256_hex(const uint8_t *data, size_t len, char out[65]);
/* Create PATH with the data, never replacing a file (EEXIST sets *exists). */
int files_write_new(const char *path, const uint8_t *data, size_t len, unsigned mode, bool *exists, char *err,
                    size_t errlen);

/* ---- context (context.c) ---- */
struct iotflash_ctx {
	struct chipdb *db;
	bool db_loaded;
	char **extra_db;          /* iotflash_ctx_add_chipdb paths */
	unsigned n_extra_db;
	struct plugin_set *plugins;
	struct iotflash_plugin_desc *descs;
	unsigned n_descs;
	enum iotflash_log_level log_max;
	iotflash_log_fn log_fn;
	iotflash_notice_fn notice_fn;
	void *log_user;
	char error[ERRLEN];
};
int ctx_fail(struct iotflash_ctx *ctx, int err, const char *fmt, ...) IOTFLASH_PRINTF(3, 4);
int ctx_db(struct iotflash_ctx *ctx, struct chipdb **db);
int ctx_plugins(struct iotflash_ctx *ctx, struct plugin_set **ps);
void ctx_log(struct iotflash_ctx *ctx, enum iotflash_log_level lvl, const char *domain, const char *fmt, ...) IOTFLASH_PRINTF(4, 5);
void ctx_vlog(struct iotflash_ctx *ctx, enum iotflash_log_level lvl, const char *domain, const char *fmt, va_list ap);

#endif
