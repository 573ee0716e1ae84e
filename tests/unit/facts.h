/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Flash images by role (bk7231n, bk7231t, bk7231n-b) for unit tests: the
 * ones tests/fixtures/mkimage.py generates before `make check` runs them, or
 * the real dumps of configure --with-dumps (tests/dumps/).  ROLE.facts, one
 * `key value` a line, says what each image holds; tests compare with it. */
#ifndef IOTFLASH_TEST_FACTS_H
#define IOTFLASH_TEST_FACTS_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value of KEY in ROLE.facts (static storage, valid until the next
 * call), or "" if the file has no such line: a missing file fails the test. */
static inline const char *fact(const char *role, const char *key)
{
	static char value[1024];
	const char *images = getenv("IOTFLASH_IMAGES");
	const char *dir = getenv("IOTFLASH_FACTS");
	char path[4096], line[1200];
	size_t klen = strlen(key);
	FILE *f;

	ck_assert_msg(images && *images, "IOTFLASH_IMAGES is not set: run through make check");
	if (!dir || !*dir)
		dir = images;
	snprintf(path, sizeof(path), "%s/%s.facts", dir, role);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	value[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ' ')
			continue;
		snprintf(value, sizeof(value), "%s", line + klen + 1);
		value[strcspn(value, "\n")] = 0;
		break;
	}
	fclose(f);
	return value;
}

/* Whether ROLE has facts: the damaged variants exist only among the
 * generated images (the encoder makes the damage), not among real dumps. */
static inline bool have_facts(const char *role)
{
	const char *dir = getenv("IOTFLASH_FACTS");
	char path[4096];
	FILE *f;

	if (!dir || !*dir)
		dir = getenv("IOTFLASH_IMAGES");
	snprintf(path, sizeof(path), "%s/%s.facts", dir ? dir : ".", role);
	f = fopen(path, "r");
	if (f)
		fclose(f);
	return f != NULL;
}

static inline unsigned long fact_num(const char *role, const char *key)
{
	const char *v = fact(role, key);
	ck_assert_msg(*v, "%s.facts has no %s", role, key);
	return strtoul(v, NULL, 0);
}

/* The whole image playing ROLE; *len is its size. */
static inline uint8_t *load_image(const char *role, size_t *len)
{
	char path[4096];
	FILE *f;
	uint8_t *p;

	snprintf(path, sizeof(path), "%s/%s", getenv("IOTFLASH_IMAGES"), fact(role, "file"));
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	p = malloc(4u << 20);
	ck_assert_ptr_nonnull(p);
	*len = fread(p, 1, 4u << 20, f);
	fclose(f);
	ck_assert_uint_eq(*len, fact_num(role, "size"));
	return p;
}

#endif
