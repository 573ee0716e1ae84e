/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* RAM loaders: found by the SHA-256 of their content in the loader
 * directories, whatever the files are called and whether they are gzipped,
 * or given with --loader FILE.  The chip database says which hashes a chip
 * accepts and what each loader can do (docs/chipdb.md). */
#include "state.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_LOADER_FILE (16u << 20)  /* larger files are no RAM loader: not read */
#define N_DIRS 3

/* $XDG_DATA_HOME/iotflash/loaders (when set and absolute), then
 * ~/.local/share/iotflash/loaders, then the package's directory. */
IOTFLASH_API bool iotflash_loader_dir(unsigned i, char *buf, size_t len)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char dirs[N_DIRS][4096];
	unsigned n = 0;

	if (xdg && xdg[0] == '/')
		snprintf(dirs[n++], sizeof(dirs[0]), "%s/iotflash/loaders", xdg);
	if (home && home[0] == '/')
		snprintf(dirs[n++], sizeof(dirs[0]), "%s/.local/share/iotflash/loaders", home);
	snprintf(dirs[n++], sizeof(dirs[0]), "%s", LOADERDIR);
	for (unsigned k = 0; k < n; k++) {
		bool dup = false;
		for (unsigned j = 0; j < k; j++)
			dup = dup || strcmp(dirs[j], dirs[k]) == 0;
		if (!dup && i-- == 0) {
			snprintf(buf, len, "%s", dirs[k]);
			return true;
		}
	}
	return false;
}

/* The content of path as the chip would get it (gunzipped), if it is a
 * regular file of a plausible size. */
static int read_candidate(const char *path, uint8_t **data, size_t *len)
{
	struct stat st;
	char err[ERRLEN];

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0 || st.st_size > MAX_LOADER_FILE)
		return IOTFLASH_ERR_FILE;
	return iotflash_read_file(path, true, data, len, err, sizeof(err));
}

static bool has_hash(const uint8_t *data, size_t len, const char *want)
{
	char got[65];
	sha256_hex(data, len, got);
	return strcasecmp(got, want) == 0;
}

/* First file of the loader directories whose content has the loader's hash;
 * its content when data is not NULL. */
static bool find_loader(const struct iotflash_loader *l, char *path, size_t plen, uint8_t **data, size_t *len)
{
	char dir[4096];

	for (unsigned i = 0; iotflash_loader_dir(i, dir, sizeof(dir)); i++) {
		DIR *d = opendir(dir);
		struct dirent *e;
		bool found = false;
		if (!d)
			continue;
		while (!found && (e = readdir(d))) {
			uint8_t *buf;
			size_t n;
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, plen, "%s/%s", dir, e->d_name);
			if (read_candidate(path, &buf, &n) != IOTFLASH_OK)
				continue;
			found = has_hash(buf, n, l->sha256);
			if (found && data) {
				*data = buf;
				*len = n;
			} else {
				free(buf);
			}
		}
		closedir(d);
		if (found)
			return true;
	}
	return false;
}

IOTFLASH_API bool iotflash_loader_find(const struct iotflash_loader *l, char *path, size_t len)
{
	return l && path && len && find_loader(l, path, len, NULL, NULL);
}

static const struct iotflash_loader *match(const struct iotflash_chip *c, const uint8_t *data, size_t len)
{
	char got[65];
	sha256_hex(data, len, got);
	for (unsigned i = 0; i < c->n_loaders; i++)
		if (strcasecmp(got, c->loaders[i]->sha256) == 0)
			return c->loaders[i];
	return NULL;
}

/* "NAME (FILE, SHA-256 0123456789ab...)" for each of the chip's loaders. */
static void list_known(const struct iotflash_chip *c, char *buf, size_t len)
{
	size_t k = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < c->n_loaders && k < len; i++) {
		int n = snprintf(buf + k, len - k, "%s%s (%s, SHA-256 %.12s...)", i ? ", " : "", c->loaders[i]->name,
		                 c->loaders[i]->file, c->loaders[i]->sha256);
		k += n > 0 ? (size_t)n : 0;
	}
}

/* A file in a loader directory named as a loader is published but with
 * other content: a wrong version, worth a word before "missing". */
static void warn_lookalikes(struct iotflash_dev *dev, const struct iotflash_chip *c)
{
	char dir[4096], path[4400];

	for (unsigned i = 0; iotflash_loader_dir(i, dir, sizeof(dir)); i++)
		for (unsigned k = 0; k < c->n_loaders; k++) {
			uint8_t *buf;
			size_t n;
			snprintf(path, sizeof(path), "%s/%s", dir, c->loaders[k]->file);
			if (read_candidate(path, &buf, &n) != IOTFLASH_OK)
				continue;
			if (!has_hash(buf, n, c->loaders[k]->sha256))
				iotflash_log(dev, IOTFLASH_LOG_WARN, "%s is not the %s the chip database knows (SHA-256 differs): ignored",
				             path, c->loaders[k]->name);
			free(buf);
		}
}

static const char *use_text(const struct iotflash_chip *c)
{
	switch (c->loader_use) {
	case IOTFLASH_LOADER_FOR_READS: return " to read flash";
	case IOTFLASH_LOADER_OPTIONAL: return " for this";
	default: return "";
	}
}

static int missing(struct iotflash_dev *dev, const struct iotflash_chip *c)
{
	const struct iotflash_loader *l = c->loaders[0];
	char dir[4096] = "", size[32] = "";

	warn_lookalikes(dev, c);
	iotflash_loader_dir(0, dir, sizeof(dir));
	if (l->size)
		snprintf(size, sizeof(size), "%u bytes, ", (unsigned)l->size);
	return iotflash_fail(dev, IOTFLASH_ERR_LOADER_MISSING,
	                     "%s needs its RAM loader%s and none is in the loader directories: get %s (%sSHA-256 "
	                     "%.16s...%s%s) and copy it, under any name, to %s/ or pass --loader FILE "
	                     "(`iotflash loaders` lists what each chip needs)",
	                     c->name, use_text(c), l->file, size, l->sha256, l->n_from ? ", from " : "",
	                     l->n_from ? l->from[0] : "", dir);
}

IOTFLASH_API int iotflash_dev_loader(struct iotflash_dev *dev, const uint8_t **data, size_t *len)
{
	return iotflash_dev_chip_loader(dev, dev->s->chip, data, len);
}

IOTFLASH_API int iotflash_dev_chip_loader(struct iotflash_dev *dev, const struct iotflash_chip *c,
                                          const uint8_t **data, size_t *len)
{
	struct iotflash_session *s = dev->s;
	char err[ERRLEN], path[4400];

	if (s->loader && s->loader_chip != c) {  /* another chip's loader */
		free(s->loader);
		s->loader = NULL;
	}
	if (s->loader) {
		*data = s->loader;
		*len = s->loader_len;
		return IOTFLASH_OK;
	}
	if (!c->n_loaders)
		return iotflash_fail(dev, IOTFLASH_ERR_UNSUPPORTED, "%s needs no RAM loader", c->name);
	if (s->loader_path) {
		if (iotflash_read_file(s->loader_path, true, &s->loader, &s->loader_len, err, sizeof(err)) != IOTFLASH_OK)
			return iotflash_fail(dev, IOTFLASH_ERR_LOADER_MISSING, "--loader: %s", err);
		if (!match(c, s->loader, s->loader_len)) {
			char got[65], known[ERRLEN];
			sha256_hex(s->loader, s->loader_len, got);
			list_known(c, known, sizeof(known));
			iotflash_log(dev, IOTFLASH_LOG_WARN, "%s (SHA-256 %.16s...) is no loader the chip database knows for %s "
			             "(known: %s); using it as asked", s->loader_path, got, c->name, known);
		}
	} else {
		for (unsigned i = 0; i < c->n_loaders && !s->loader; i++)
			if (find_loader(c->loaders[i], path, sizeof(path), &s->loader, &s->loader_len))
				iotflash_log(dev, IOTFLASH_LOG_INFO, "using %s (%s)", path, c->loaders[i]->name);
		if (!s->loader)
			return missing(dev, c);
	}
	s->loader_chip = c;
	*data = s->loader;
	*len = s->loader_len;
	return IOTFLASH_OK;
}

IOTFLASH_API const struct iotflash_loader *iotflash_dev_loader_info(struct iotflash_dev *dev)
{
	struct iotflash_session *s = dev->s;
	return s->loader ? match(s->loader_chip, s->loader, s->loader_len) : NULL;
}

IOTFLASH_API int iotflash_dev_loader_role(struct iotflash_dev *dev, const char *role, const uint8_t **data,
                                          size_t *len)
{
	struct iotflash_session *s = dev->s;
	const struct iotflash_chip *c = s->chip;
	const struct iotflash_loader *want = NULL;
	struct role_loader *slot = NULL;
	char path[4400], dir[4096] = "", size[32] = "";

	if (!c || !role)
		return iotflash_fail(dev, IOTFLASH_ERR_ARG, "a loader by role needs a known chip and a role");
	for (size_t i = 0; i < sizeof s->role_loaders / sizeof s->role_loaders[0]; i++) {
		struct role_loader *r = &s->role_loaders[i];
		if (r->data && r->l->role && strcasecmp(r->l->role, role) == 0) {
			*data = r->data;
			*len = r->len;
			return IOTFLASH_OK;
		}
		if (!r->data && !slot)
			slot = r;
	}
	for (unsigned i = 0; i < c->n_loaders; i++) {
		const struct iotflash_loader *l = c->loaders[i];
		if (!l->role || strcasecmp(l->role, role) != 0)
			continue;
		if (!want)
			want = l;
		if (slot && find_loader(l, path, sizeof(path), &slot->data, &slot->len)) {
			iotflash_log(dev, IOTFLASH_LOG_INFO, "using %s (%s)", path, l->name);
			slot->l = l;
			*data = slot->data;
			*len = slot->len;
			return IOTFLASH_OK;
		}
	}
	if (!want)
		return iotflash_fail(dev, IOTFLASH_ERR_CHIPDB, "the chip database gives %s no loader of role '%s'", c->name,
		                     role);
	iotflash_loader_dir(0, dir, sizeof(dir));
	if (want->size)
		snprintf(size, sizeof(size), "%u bytes, ", (unsigned)want->size);
	return iotflash_fail(dev, IOTFLASH_ERR_LOADER_MISSING,
	                     "%s needs its %s loader %s and it is not in the loader directories: get it (%sSHA-256 "
	                     "%.16s...%s%s) and copy it, under any name, to %s/ (`iotflash loaders` lists what each "
	                     "chip needs)",
	                     c->name, role, want->file, size, want->sha256, want->n_from ? ", from " : "",
	                     want->n_from ? want->from[0] : "", dir);
}
