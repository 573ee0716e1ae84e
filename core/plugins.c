/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The plugin loader: libltdl modules exporting one descriptor.
 *
 * Only the directories the caller names are searched, never the current
 * directory, and a world-writable directory or file is refused: anyone could
 * drop code there that iotflash would then run.  A descriptor is checked
 * (ABI major and size first, before any other field is read) before the core
 * uses anything in it. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ltdl.h>

#include "internal.h"

/* struct iotflash_plugin as ABI 1.0 defined it (2.0 kept the layout):
 * later minors only append. */
#define PLUGIN_V1_0_SIZE (offsetof(struct iotflash_plugin, models) + \
	sizeof(((struct iotflash_plugin *)0)->models))

struct plugin {
	char *name;   /* file stem: what plugin_set_load() is asked for */
	char *path;
	lt_dlhandle handle;
	const struct iotflash_plugin *desc;
};

struct plugin_failure {  /* a file plugin_set_load_all() could not load */
	char *path;
	char *reason;
};

struct plugin_set {
	char **dirs;
	unsigned n_dirs;
	struct plugin *v;
	unsigned n, cap;
	struct plugin_failure *failed;
	unsigned n_failed;
};

/* ---- descriptor checks ---- */

static int check_driver(const struct iotflash_driver *d, const char *file, char *err, size_t errlen)
{
	const char *missing = !d->name ? "name" : !d->open ? "open" : !d->close ? "close" :
		!d->detect ? "detect" : !d->read ? "read" : !d->write ? "write" :
		!d->erase ? "erase" : NULL;

	if (!missing)
		return IOTFLASH_OK;
	snprintf(err, errlen, "%s: driver '%s' has no %s operation", file,
	         d->name ? d->name : "?", missing);
	return IOTFLASH_ERR_PLUGIN;
}

static int check_transport(const struct iotflash_transport *t, const char *file, char *err, size_t errlen)
{
	const char *missing = !t->name ? "name" : !t->open ? "open" : !t->close ? "close" : NULL;

	if (!missing && t->kind == IOTFLASH_TRANSPORT_STREAM)
		missing = !t->read ? "read" : !t->write ? "write" : !t->set_baud ? "set_baud" : NULL;
	else if (!missing && t->kind == IOTFLASH_TRANSPORT_SPI)
		missing = !t->spi_xfer ? "spi_xfer" : !t->spi_cs ? "spi_cs" : NULL;
	else if (!missing) {
		snprintf(err, errlen, "%s: transport '%s' has an unknown kind %d", file, t->name, (int)t->kind);
		return IOTFLASH_ERR_PLUGIN;
	}
	if (!missing)
		return IOTFLASH_OK;
	snprintf(err, errlen, "%s: transport '%s' has no %s operation", file,
	         t->name ? t->name : "?", missing);
	return IOTFLASH_ERR_PLUGIN;
}

static int check_model(const struct iotflash_model_ops *m, const char *file, char *err, size_t errlen)
{
	if (m->family && m->serve)
		return IOTFLASH_OK;
	snprintf(err, errlen, "%s: device model '%s' has no %s", file,
	         m->family ? m->family : "?", m->family ? "serve operation" : "family");
	return IOTFLASH_ERR_PLUGIN;
}

static int check_lists(const struct iotflash_plugin *p, const char *file, char *err, size_t errlen)
{
	int rc = IOTFLASH_OK;

	for (unsigned i = 0; !rc && p->drivers && p->drivers[i]; i++)
		rc = check_driver(p->drivers[i], file, err, errlen);
	for (unsigned i = 0; !rc && p->transports && p->transports[i]; i++)
		rc = check_transport(p->transports[i], file, err, errlen);
	for (unsigned i = 0; !rc && p->models && p->models[i]; i++)
		rc = check_model(p->models[i], file, err, errlen);
	return rc;
}

int plugin_check_descriptor(const struct iotflash_plugin *p, const char *file, char *err, size_t errlen)
{
	if (!p) {
		snprintf(err, errlen, "%s: not an iotflash plugin (symbol %s is NULL)", file,
		         IOTFLASH_PLUGIN_SYMBOL);
		return IOTFLASH_ERR_PLUGIN;
	}
	/* Nothing past abi_major/struct_size may be read until these match. */
	if (p->abi_major != IOTFLASH_PLUGIN_ABI_MAJOR) {
		snprintf(err, errlen, "%s: plugin ABI %u.%u, this iotflash expects %d.x "
		         "(rebuild the plugin against this version)", file,
		         (unsigned)p->abi_major, (unsigned)p->abi_minor, IOTFLASH_PLUGIN_ABI_MAJOR);
		return IOTFLASH_ERR_ABI;
	}
	if (p->struct_size < PLUGIN_V1_0_SIZE) {
		snprintf(err, errlen, "%s: plugin descriptor is %u bytes, ABI %d.0 needs at least %zu "
		         "(rebuild the plugin against this version)", file,
		         (unsigned)p->struct_size, IOTFLASH_PLUGIN_ABI_MAJOR, (size_t)PLUGIN_V1_0_SIZE);
		return IOTFLASH_ERR_ABI;
	}
	if (!p->name || !*p->name) {
		snprintf(err, errlen, "%s: plugin has no name", file);
		return IOTFLASH_ERR_PLUGIN;
	}
	return check_lists(p, file, err, errlen);
}

/* ---- the set ---- */

int plugin_set_new(struct plugin_set **out, const char *const *dirs)
{
	struct plugin_set *ps;
	unsigned n = 0;

	*out = NULL;
	ps = calloc(1, sizeof(*ps));
	if (!ps)
		return IOTFLASH_ERR_NOMEM;
	while (dirs && dirs[n])
		n++;
	ps->dirs = calloc(n + 1, sizeof(*ps->dirs));
	if (!ps->dirs)
		goto nomem;
	for (unsigned i = 0; i < n; i++) {
		/* An empty entry would mean "here" to a shell: never search it. */
		if (!*dirs[i])
			continue;
		ps->dirs[ps->n_dirs] = strdup(dirs[i]);
		if (!ps->dirs[ps->n_dirs++])
			goto nomem;
	}
	if (lt_dlinit() != 0)  /* reference-counted: one per set */
		goto nomem;
	*out = ps;
	return IOTFLASH_OK;
nomem:
	for (unsigned i = 0; ps->dirs && i < ps->n_dirs; i++)
		free(ps->dirs[i]);
	free(ps->dirs);
	free(ps);
	return IOTFLASH_ERR_NOMEM;
}

static void clear_failures(struct plugin_set *ps)
{
	for (unsigned i = 0; i < ps->n_failed; i++) {
		free(ps->failed[i].path);
		free(ps->failed[i].reason);
	}
	free(ps->failed);
	ps->failed = NULL;
	ps->n_failed = 0;
}

void plugin_set_free(struct plugin_set *ps)
{
	if (!ps)
		return;
	clear_failures(ps);
	for (unsigned i = 0; i < ps->n; i++) {
		lt_dlclose(ps->v[i].handle);
		free(ps->v[i].name);
		free(ps->v[i].path);
	}
	for (unsigned i = 0; i < ps->n_dirs; i++)
		free(ps->dirs[i]);
	free(ps->dirs);
	free(ps->v);
	free(ps);
	lt_dlexit();
}

unsigned plugin_set_count(const struct plugin_set *ps)
{
	return ps ? ps->n : 0;
}

const struct iotflash_plugin *plugin_set_get(const struct plugin_set *ps, unsigned i, const char **path)
{
	if (!ps || i >= ps->n)
		return NULL;
	if (path)
		*path = ps->v[i].path;
	return ps->v[i].desc;
}

static struct plugin *find_loaded(struct plugin_set *ps, const char *name)
{
	for (unsigned i = 0; i < ps->n; i++)
		if (strcmp(ps->v[i].name, name) == 0)
			return &ps->v[i];
	return NULL;
}

static int world_writable(const char *path, const char *what, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0 || !(st.st_mode & S_IWOTH))
		return IOTFLASH_OK;
	snprintf(err, errlen, "%s: plugin %s is world-writable, anyone could put code there; "
	         "refusing it (fix: chmod o-w %s)", path, what, path);
	return IOTFLASH_ERR_PLUGIN;
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A libtool .la text file or an ELF shared object. */
static bool is_library_file(const char *path)
{
	size_t n = strlen(path);
	unsigned char magic[4] = {0};
	FILE *f;
	bool elf;

	if (n > 3 && strcmp(path + n - 3, ".la") == 0)
		return true;
	if (!(f = fopen(path, "rb")))
		return true;  /* not ours to judge: libltdl's message stands */
	elf = fread(magic, 1, sizeof(magic), f) == sizeof(magic) && memcmp(magic, "\177ELF", 4) == 0;
	fclose(f);
	return elf;
}

/* Open, look up and check one file; on success append it to the set. */
static int load_file(struct plugin_set *ps, const char *name, const char *dir, const char *path,
                     const struct iotflash_plugin **out, char *err, size_t errlen)
{
	lt_dladvise advise;
	lt_dlhandle h = NULL;
	const struct iotflash_plugin *desc;
	struct plugin *slot;
	int rc;

	rc = world_writable(dir, "directory", err, errlen);
	if (!rc)
		rc = world_writable(path, "file", err, errlen);
	if (rc)
		return rc;
	if (lt_dladvise_init(&advise) == 0) {
		lt_dladvise_local(&advise);  /* every plugin exports the same symbol */
		h = lt_dlopenadvise(path, advise);
		lt_dladvise_destroy(&advise);
	}
	if (!h) {
		const char *why = lt_dlerror();

		if (!is_library_file(path))  /* libltdl only says "file not found" */
			why = "not a shared library (no ELF header): remove it or rebuild the plugin";
		snprintf(err, errlen, "%s: cannot load the plugin: %s", path, why ? why : "unknown error");
		return IOTFLASH_ERR_PLUGIN;
	}
	desc = lt_dlsym(h, IOTFLASH_PLUGIN_SYMBOL);
	if (!desc) {
		snprintf(err, errlen, "%s: not an iotflash plugin (no symbol %s)", path, IOTFLASH_PLUGIN_SYMBOL);
		rc = IOTFLASH_ERR_PLUGIN;
		goto fail;
	}
	rc = plugin_check_descriptor(desc, path, err, errlen);
	if (rc)
		goto fail;
	if (ps->n == ps->cap) {
		unsigned cap = ps->cap ? ps->cap * 2 : 8;
		struct plugin *v = realloc(ps->v, cap * sizeof(*v));

		if (!v)
			goto nomem;
		ps->v = v;
		ps->cap = cap;
	}
	slot = &ps->v[ps->n];
	slot->name = strdup(name);
	slot->path = strdup(path);
	if (!slot->name || !slot->path) {
		free(slot->name);
		free(slot->path);
		goto nomem;
	}
	slot->handle = h;
	slot->desc = desc;
	ps->n++;
	if (out)
		*out = desc;
	return IOTFLASH_OK;
nomem:
	snprintf(err, errlen, "out of memory");
	rc = IOTFLASH_ERR_NOMEM;
fail:
	lt_dlclose(h);
	return rc;
}

/* NAME.la (libtool's description) before NAME.so, in the first directory
 * that has either. */
static int find_file(const struct plugin_set *ps, const char *name, unsigned *dir, char *path, size_t pathlen)
{
	static const char *const exts[] = { ".la", ".so" };

	for (unsigned d = 0; d < ps->n_dirs; d++) {
		for (unsigned e = 0; e < 2; e++) {
			if ((size_t)snprintf(path, pathlen, "%s/%s%s", ps->dirs[d], name, exts[e]) >= pathlen)
				continue;
			if (is_file(path)) {
				*dir = d;
				return IOTFLASH_OK;
			}
		}
	}
	return IOTFLASH_ERR_PLUGIN;
}

static void not_found(const struct plugin_set *ps, const char *name, char *err, size_t errlen)
{
	size_t len = (size_t)snprintf(err, errlen, "plugin %s not found (searched:", name);

	for (unsigned d = 0; d < ps->n_dirs && len < errlen; d++)
		len += (size_t)snprintf(err + len, errlen - len, " %s", ps->dirs[d]);
	if (ps->n_dirs == 0 && len < errlen)
		len += (size_t)snprintf(err + len, errlen - len, " no directories");
	if (len < errlen)
		snprintf(err + len, errlen - len, ")");
}

int plugin_set_load(struct plugin_set *ps, const char *name, const struct iotflash_plugin **out,
                    char *err, size_t errlen)
{
	const struct plugin *loaded;
	char path[4096];
	unsigned dir;

	if (out)
		*out = NULL;
	if (!ps || !name || !*name || strchr(name, '/') || name[0] == '.') {
		snprintf(err, errlen, "invalid plugin name '%s'", name ? name : "");
		return IOTFLASH_ERR_ARG;
	}
	loaded = find_loaded(ps, name);
	if (loaded) {
		if (out)
			*out = loaded->desc;
		return IOTFLASH_OK;
	}
	if (find_file(ps, name, &dir, path, sizeof(path)) != IOTFLASH_OK) {
		not_found(ps, name, err, errlen);
		return IOTFLASH_ERR_PLUGIN;
	}
	return load_file(ps, name, ps->dirs[dir], path, out, err, errlen);
}

/* The stem of "NAME.la" / "NAME.so", or false for any other file name. */
static bool plugin_stem(const char *file, char *stem, size_t stemlen)
{
	size_t len = strlen(file);

	if (len < 4 || len - 3 >= stemlen || file[0] == '.')
		return false;
	if (strcmp(file + len - 3, ".la") != 0 && strcmp(file + len - 3, ".so") != 0)
		return false;
	memcpy(stem, file, len - 3);
	stem[len - 3] = '\0';
	return true;
}

/* Keep the failure for listing (the reason without the "PATH: " prefix
 * every loader message starts with), then warn as before. */
static void report(struct plugin_set *ps, const char *path, void (*warn)(void *user, const char *msg), void *user,
                   const char *msg)
{
	struct plugin_failure *f = realloc(ps->failed, (ps->n_failed + 1) * sizeof(*f));
	size_t plen = strlen(path);
	const char *reason = msg;

	if (strncmp(msg, path, plen) == 0 && strncmp(msg + plen, ": ", 2) == 0)
		reason = msg + plen + 2;
	if (f) {
		ps->failed = f;
		f[ps->n_failed].path = strdup(path);
		f[ps->n_failed].reason = strdup(reason);
		if (f[ps->n_failed].path && f[ps->n_failed].reason)
			ps->n_failed++;
		else {
			free(f[ps->n_failed].path);
			free(f[ps->n_failed].reason);
		}
	}
	if (warn)
		warn(user, msg);
}

const char *plugin_set_failure(const struct plugin_set *ps, unsigned i, const char **path)
{
	if (!ps || i >= ps->n_failed)
		return NULL;
	if (path)
		*path = ps->failed[i].path;
	return ps->failed[i].reason;
}

static void load_dir(struct plugin_set *ps, unsigned d, void (*warn)(void *user, const char *msg), void *user)
{
	char err[ERRLEN], stem[256], path[4096];
	struct dirent **names;
	int n = scandir(ps->dirs[d], &names, NULL, alphasort);

	if (n < 0)
		return;  /* a search directory that does not exist holds no plugins */
	if (world_writable(ps->dirs[d], "directory", err, sizeof(err)) != IOTFLASH_OK) {
		report(ps, ps->dirs[d], warn, user, err);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		unsigned dir;
		const char *base;

		/* Dedupe by stem: only the file plugin_set_load() would pick is
		 * tried (.la over .so, the first directory over later ones). */
		if (!plugin_stem(names[i]->d_name, stem, sizeof(stem)) || find_loaded(ps, stem))
			continue;
		if (find_file(ps, stem, &dir, path, sizeof(path)) != IOTFLASH_OK || dir != d)
			continue;
		base = strrchr(path, '/') + 1;
		if (strcmp(base, names[i]->d_name) != 0)
			continue;
		if (load_file(ps, stem, ps->dirs[d], path, NULL, err, sizeof(err)) != IOTFLASH_OK)
			report(ps, path, warn, user, err);
	}
out:
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int plugin_set_load_all(struct plugin_set *ps, void (*warn)(void *user, const char *msg), void *user)
{
	if (!ps)
		return IOTFLASH_ERR_ARG;
	clear_failures(ps);  /* each pass lists what failed this time */
	for (unsigned d = 0; d < ps->n_dirs; d++)
		load_dir(ps, d, warn, user);
	return IOTFLASH_OK;
}
