/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The library context: search paths, the chip database and plugins, loaded
 * lazily, and the last error. */
#include "internal.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

IOTFLASH_API int iotflash_ctx_new(struct iotflash_ctx **out)
{
	struct iotflash_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return IOTFLASH_ERR_NOMEM;
	if (chipdb_new(&ctx->db) != IOTFLASH_OK) {
		free(ctx);
		return IOTFLASH_ERR_NOMEM;
	}
	ctx->log_max = IOTFLASH_LOG_WARN;
	*out = ctx;
	return IOTFLASH_OK;
}

IOTFLASH_API void iotflash_ctx_free(struct iotflash_ctx *ctx)
{
	if (!ctx)
		return;
	chipdb_free(ctx->db);
	if (ctx->plugins)
		plugin_set_free(ctx->plugins);
	for (unsigned i = 0; i < ctx->n_extra_db; i++)
		free(ctx->extra_db[i]);
	free(ctx->extra_db);
	for (unsigned i = 0; i < ctx->n_descs; i++) {
		free((char *)ctx->descs[i].drivers);
		free((char *)ctx->descs[i].transports);
		free((char *)ctx->descs[i].models);
	}
	free(ctx->descs);
	free(ctx);
}

IOTFLASH_API const char *iotflash_ctx_error(const struct iotflash_ctx *ctx)
{
	return ctx->error[0] ? ctx->error : "no error";
}

int ctx_fail(struct iotflash_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx->error, sizeof(ctx->error), fmt, ap);
	va_end(ap);
	return err;
}

IOTFLASH_API int iotflash_ctx_add_chipdb(struct iotflash_ctx *ctx, const char *path)
{
	char **n = realloc(ctx->extra_db, (ctx->n_extra_db + 1) * sizeof(*n));

	if (!n)
		return IOTFLASH_ERR_NOMEM;
	ctx->extra_db = n;
	if (!(n[ctx->n_extra_db] = strdup(path)))
		return IOTFLASH_ERR_NOMEM;
	ctx->n_extra_db++;
	ctx->db_loaded = false;
	return IOTFLASH_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct seen {  /* file names already loaded: an earlier layer overrides a later one */
	char **names;
	unsigned n;
};

static bool seen_add(struct seen *s, const char *name)
{
	char **n;
	for (unsigned i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return false;
	n = realloc(s->names, (s->n + 1) * sizeof(*n));
	if (!n)
		return false;
	s->names = n;
	s->names[s->n++] = strdup(name);
	return true;
}

/* Load every *.yaml of a directory, sorted, skipping names loaded before. */
static int load_db_dir(struct iotflash_ctx *ctx, const char *dir, struct seen *seen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, path[4096];
	unsigned n = 0;
	int rc = IOTFLASH_OK;

	if (!d)
		return IOTFLASH_OK;  /* a missing layer is fine */
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char **nn;
		if (l < 6 || strcmp(e->d_name + l - 5, ".yaml") != 0 || e->d_name[0] == '.')
			continue;
		if (!(nn = realloc(names, (n + 1) * sizeof(*nn))))
			break;
		names = nn;
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (unsigned i = 0; i < n; i++) {
		if (rc == IOTFLASH_OK && seen_add(seen, names[i])) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			rc = chipdb_load(ctx->db, path, ctx->error, sizeof(ctx->error));
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static int load_db_path(struct iotflash_ctx *ctx, const char *path, struct seen *seen)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return load_db_dir(ctx, path, seen);
	if (stat(path, &st) != 0)
		return ctx_fail(ctx, IOTFLASH_ERR_CHIPDB, "chip database %s: no such file or directory", path);
	return chipdb_load(ctx->db, path, ctx->error, sizeof(ctx->error));
}

/* Layers: IOTFLASH_CHIPDB_PATH directories, then the installed database;
 * a family file found in an earlier layer hides the same name later (so a
 * development tree overrides an installed copy); explicit files last. */
int ctx_db(struct iotflash_ctx *ctx, struct chipdb **db)
{
	struct seen seen = {NULL, 0};
	const char *env = getenv("IOTFLASH_CHIPDB_PATH");
	int rc = IOTFLASH_OK;

	if (ctx->db_loaded) {
		*db = ctx->db;
		return IOTFLASH_OK;
	}
	chipdb_free(ctx->db);
	if (chipdb_new(&ctx->db) != IOTFLASH_OK)
		return ctx_fail(ctx, IOTFLASH_ERR_NOMEM, "out of memory");
	if (env && *env) {
		char *copy = strdup(env), *save = NULL;
		for (char *p = strtok_r(copy, ":", &save); p && rc == IOTFLASH_OK; p = strtok_r(NULL, ":", &save))
			rc = load_db_path(ctx, p, &seen);
		free(copy);
	}
	if (rc == IOTFLASH_OK)
		rc = load_db_dir(ctx, CHIPDBDIR, &seen);
	for (unsigned i = 0; rc == IOTFLASH_OK && i < ctx->n_extra_db; i++)
		rc = load_db_path(ctx, ctx->extra_db[i], &seen);
	for (unsigned i = 0; i < seen.n; i++)
		free(seen.names[i]);
	free(seen.names);
	if (rc == IOTFLASH_OK)
		rc = chipdb_link_loaders(ctx->db, ctx->error, sizeof(ctx->error));
	if (rc != IOTFLASH_OK)
		return rc;
	if (chipdb_count(ctx->db) == 0)
		return ctx_fail(ctx, IOTFLASH_ERR_CHIPDB,
		                "no chip database found (looked in %s and IOTFLASH_CHIPDB_PATH)", CHIPDBDIR);
	ctx->db_loaded = true;
	*db = ctx->db;
	return IOTFLASH_OK;
}

IOTFLASH_API int iotflash_ctx_load_chipdb(struct iotflash_ctx *ctx)
{
	struct chipdb *db;
	return ctx_db(ctx, &db);
}

IOTFLASH_API const struct iotflash_chip *iotflash_ctx_chip(struct iotflash_ctx *ctx, unsigned i)
{
	struct chipdb *db;
	if (ctx_db(ctx, &db) != IOTFLASH_OK || i >= chipdb_count(db))
		return NULL;
	return chipdb_chip(db, i);
}

IOTFLASH_API const struct iotflash_chip *iotflash_ctx_find_chip(struct iotflash_ctx *ctx, const char *name)
{
	struct chipdb *db;
	return ctx_db(ctx, &db) == IOTFLASH_OK ? chipdb_find(db, name) : NULL;
}

IOTFLASH_API bool iotflash_ctx_is_family(struct iotflash_ctx *ctx, const char *name)
{
	struct chipdb *db;
	return ctx_db(ctx, &db) == IOTFLASH_OK && chipdb_is_family(db, name);
}

/* Plugin directories: the installed one, then IOTFLASH_PLUGIN_PATH; never ".". */
int ctx_plugins(struct iotflash_ctx *ctx, struct plugin_set **ps)
{
	const char *env = getenv("IOTFLASH_PLUGIN_PATH");
	const char *dirs[64];
	char *copy = NULL, *save = NULL;
	unsigned n = 0;
	int rc;

	if (ctx->plugins) {
		*ps = ctx->plugins;
		return IOTFLASH_OK;
	}
	dirs[n++] = PLUGINDIR;
	if (env && *env) {
		copy = strdup(env);
		for (char *p = strtok_r(copy, ":", &save); p && n < 63; p = strtok_r(NULL, ":", &save))
			if (*p)
				dirs[n++] = p;
	}
	dirs[n] = NULL;
	rc = plugin_set_new(&ctx->plugins, dirs);
	free(copy);
	if (rc != IOTFLASH_OK)
		return ctx_fail(ctx, rc, "cannot initialise the plugin loader");
	*ps = ctx->plugins;
	return IOTFLASH_OK;
}

static char *join_names(const void *const *items, size_t name_offset)
{
	size_t len = 1;
	char *s;
	if (!items)
		return strdup("");
	for (unsigned i = 0; items[i]; i++)
		len += strlen(*(const char *const *)((const char *)items[i] + name_offset)) + 1;
	if (!(s = calloc(1, len)))
		return NULL;
	for (unsigned i = 0; items[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, *(const char *const *)((const char *)items[i] + name_offset));
	}
	return s;
}

static void warn_plugin(void *user, const char *msg)
{
	ctx_log(user, IOTFLASH_LOG_WARN, "plugins", "%s", msg);
}

IOTFLASH_API int iotflash_ctx_load_all_plugins(struct iotflash_ctx *ctx)
{
	struct plugin_set *ps;
	int rc = ctx_plugins(ctx, &ps);
	unsigned n;

	if (rc != IOTFLASH_OK)
		return rc;
	plugin_set_load_all(ps, warn_plugin, ctx);
	n = plugin_set_count(ps);
	free(ctx->descs);
	ctx->descs = calloc(n ? n : 1, sizeof(*ctx->descs));
	if (!ctx->descs)
		return ctx_fail(ctx, IOTFLASH_ERR_NOMEM, "out of memory");
	ctx->n_descs = n;
	for (unsigned i = 0; i < n; i++) {
		const char *path;
		const struct iotflash_plugin *p = plugin_set_get(ps, i, &path);
		struct iotflash_plugin_desc *d = &ctx->descs[i];
		d->name = p->name;
		d->description = p->description ? p->description : "";
		d->version = p->version ? p->version : "";
		d->path = path;
		d->abi_major = p->abi_major;
		d->abi_minor = p->abi_minor;
		d->drivers = join_names((const void *const *)p->drivers, offsetof(struct iotflash_driver, name));
		d->transports = join_names((const void *const *)p->transports, offsetof(struct iotflash_transport, name));
		d->models = join_names((const void *const *)p->models, offsetof(struct iotflash_model_ops, family));
	}
	return IOTFLASH_OK;
}

IOTFLASH_API const struct iotflash_plugin_desc *iotflash_ctx_plugin(struct iotflash_ctx *ctx, unsigned i)
{
	return i < ctx->n_descs ? &ctx->descs[i] : NULL;
}

IOTFLASH_API int iotflash_ctx_load_plugin(struct iotflash_ctx *ctx, const char *name,
                                          const struct iotflash_plugin **out)
{
	struct plugin_set *ps;
	char err[ERRLEN];
	int rc = ctx_plugins(ctx, &ps);
	if (rc)
		return rc;
	if (!name || !*name)
		return ctx_fail(ctx, IOTFLASH_ERR_ARG, "no plugin name given");
	rc = plugin_set_load(ps, name, out, err, sizeof(err));
	if (rc)
		return ctx_fail(ctx, rc, "%s", err);
	return IOTFLASH_OK;
}

IOTFLASH_API bool iotflash_ctx_plugin_failure(struct iotflash_ctx *ctx, unsigned i, const char **path,
                                             const char **reason)
{
	const char *why = plugin_set_failure(ctx->plugins, i, path);

	if (why && reason)
		*reason = why;
	return why != NULL;
}

IOTFLASH_API int iotflash_ctx_list_ports(struct iotflash_ctx *ctx,
                                         void (*emit)(void *user, const char *port, const char *desc),
                                         void *user)
{
	int rc = iotflash_serial_transport.list ? iotflash_serial_transport.list(emit, user) : IOTFLASH_OK;
	if (rc != IOTFLASH_OK)
		return ctx_fail(ctx, rc, "cannot list serial ports");
	/* Transports from plugins (USB bridges) list their devices too. */
	if (iotflash_ctx_load_all_plugins(ctx) == IOTFLASH_OK) {
		struct plugin_set *ps = ctx->plugins;
		for (unsigned i = 0; i < plugin_set_count(ps); i++) {
			const struct iotflash_plugin *p = plugin_set_get(ps, i, NULL);
			for (unsigned t = 0; p->transports && p->transports[t]; t++)
				if (p->transports[t]->list)
					p->transports[t]->list(emit, user);
		}
	}
	return IOTFLASH_OK;
}
