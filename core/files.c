/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Host files: atomic output (nothing ever appears half-written under its
 * final name) and whole-file input, optionally gzip-compressed. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static void dir_of(const char *path, char *dir, size_t n)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(dir, n, "%s", dirname(tmp));
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The data in a fresh temporary file beside PATH (mkstemp: 0600), synced,
 * then given MODE; its name is left in TMP.  Nothing under PATH yet. */
static int write_temp(const char *path, const uint8_t *data, size_t len, unsigned mode, char *tmp, size_t tmplen,
                      char *err, size_t errlen)
{
	char dir[4096], name[4096], base[1024];
	struct stat st;
	int fd;

	dir_of(path, dir, sizeof(dir));
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "cannot create %s: directory %s does not exist", path, dir);
		return IOTFLASH_ERR_FILE;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "cannot write %s: it is a directory", path);
		return IOTFLASH_ERR_FILE;
	}
	snprintf(name, sizeof(name), "%s", path);
	snprintf(base, sizeof(base), "%s", basename(name));
	snprintf(tmp, tmplen, "%s/.%s.XXXXXX", dir, base);
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write in %s: %s", dir, strerror(errno));
		return IOTFLASH_ERR_FILE;
	}
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0 || fchmod(fd, mode) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		unlink(tmp);
		return IOTFLASH_ERR_FILE;
	}
	close(fd);
	return IOTFLASH_OK;
}

static void sync_dir_of(const char *path)
{
	char dir[4096];
	int dfd;

	dir_of(path, dir, sizeof(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {  /* make the rename or link itself durable */
		fsync(dfd);
		close(dfd);
	}
}

IOTFLASH_API int iotflash_write_file_atomic(const char *path, const uint8_t *data, size_t len,
                                            unsigned mode, char *err, size_t errlen)
{
	char tmp[5200];
	int rc = write_temp(path, data, len, mode, tmp, sizeof(tmp), err, errlen);

	if (rc != IOTFLASH_OK)
		return rc;
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		unlink(tmp);
		return IOTFLASH_ERR_FILE;
	}
	sync_dir_of(path);
	return IOTFLASH_OK;
}

/* As iotflash_write_file_atomic, but never replaces a file: link(2) of the
 * complete temporary file fails with EEXIST if PATH exists (then *exists is
 * set and nothing changed), so an existing backup is never overwritten. */
int files_write_new(const char *path, const uint8_t *data, size_t len, unsigned mode, bool *exists, char *err,
                    size_t errlen)
{
	char tmp[5200];
	int rc = write_temp(path, data, len, mode, tmp, sizeof(tmp), err, errlen), e;

	*exists = false;
	if (rc != IOTFLASH_OK)
		return rc;
	e = link(tmp, path) == 0 ? 0 : errno;
	unlink(tmp);
	if (e != 0) {
		*exists = e == EEXIST;
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(e));
		return IOTFLASH_ERR_FILE;
	}
	sync_dir_of(path);
	return IOTFLASH_OK;
}

static int gunzip(const uint8_t *in, size_t inlen, uint8_t **out, size_t *outlen)
{
	z_stream z;
	size_t cap = inlen * 4 + 4096, n = 0;
	uint8_t *buf = malloc(cap);
	int rc;

	if (!buf)
		return IOTFLASH_ERR_NOMEM;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		free(buf);
		return IOTFLASH_ERR_NOMEM;
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)inlen;
	do {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap *= 2);
			if (!nb) {
				rc = Z_MEM_ERROR;
				break;
			}
			buf = nb;
		}
		z.next_out = buf + n;
		z.avail_out = (uInt)(cap - n);
		rc = inflate(&z, Z_NO_FLUSH);
		n = cap - z.avail_out;
	} while (rc == Z_OK);
	inflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(buf);
		return IOTFLASH_ERR_FILE;
	}
	*out = buf;
	*outlen = n;
	return IOTFLASH_OK;
}

IOTFLASH_API int iotflash_read_file(const char *path, bool want_gunzip, uint8_t **data, size_t *len,
                                    char *err, size_t errlen)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t n = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return IOTFLASH_ERR_FILE;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot read %s: not a regular file", path);
		close(fd);
		return IOTFLASH_ERR_FILE;
	}
	buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return IOTFLASH_ERR_NOMEM;
	}
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "cannot read %s: %s", path, r < 0 ? strerror(errno) : "file shrank");
			free(buf);
			close(fd);
			return IOTFLASH_ERR_FILE;
		}
		n += (size_t)r;
	}
	close(fd);
	if (want_gunzip && n >= 2 && buf[0] == 0x1f && buf[1] == 0x8b) {
		uint8_t *out;
		size_t outlen;
		int rc = gunzip(buf, n, &out, &outlen);
		free(buf);
		if (rc != IOTFLASH_OK) {
			snprintf(err, errlen, "%s: corrupt gzip data", path);
			return rc;
		}
		buf = out;
		n = outlen;
	}
	*data = buf;
	*len = n;
	return IOTFLASH_OK;
}
