/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Chip database: the real chipdb/bk72xx.yaml, the format's features
 * (defaults, base, params, number forms, directories) and the loader's
 * errors, each checked for its exact file:line:col and message. */
#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define MIB (1024u * 1024u)
/* Paths built under tmpdir: short enough that nothing truncates. */
#define TMPLEN 256
#define DIRLEN 320
#define PATHLEN 400
#define MSGLEN 512

/* The four keys every file needs; chips start on line 5. */
#define HDR "schema: 1\nfamily: fam\nplugin: fam\ndriver: fam\n"

static char tmpdir[TMPLEN];
static char chipdb_dir[PATH_MAX];

static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static void setup(void)
{
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/test-chipdb-XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	remove_tree(tmpdir);
}

/* Write text to tmpdir/[sub/]name; returns the path in a static buffer. */
static const char *write_file(const char *sub, const char *name, const char *text)
{
	static char path[PATHLEN];
	char dir[DIRLEN];
	snprintf(dir, sizeof dir, "%s%s%s", tmpdir, sub ? "/" : "", sub ? sub : "");
	mkdir(dir, 0700);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static const char *subdir(const char *sub)
{
	static char path[DIRLEN];
	snprintf(path, sizeof path, "%s/%s", tmpdir, sub);
	return path;
}

static struct chipdb *new_db(void)
{
	struct chipdb *db = NULL;
	ck_assert_int_eq(chipdb_new(&db), IOTFLASH_OK);
	ck_assert_ptr_nonnull(db);
	return db;
}

/* The Beken family file alone: the tests below know its exact contents. */
static struct chipdb *load_real(void)
{
	char err[ERRLEN] = "", path[sizeof chipdb_dir + 16];
	struct chipdb *db = new_db();
	snprintf(path, sizeof path, "%s/bk72xx.yaml", chipdb_dir);
	int rc = chipdb_load(db, path, err, sizeof err);
	ck_assert_msg(rc == IOTFLASH_OK, "loading %s: %s", path, err);
	return db;
}

/* Every family file the project ships loads, together (no duplicate names). */
START_TEST(real_every_file_loads)
{
	char err[ERRLEN] = "";
	struct chipdb *db = new_db();
	int rc = chipdb_load(db, chipdb_dir, err, sizeof err);
	ck_assert_msg(rc == IOTFLASH_OK, "loading %s: %s", chipdb_dir, err);
	ck_assert_uint_gt(chipdb_count(db), 9);
	ck_assert(chipdb_is_family(db, "bk72xx"));
	ck_assert_ptr_nonnull(chipdb_find(db, "bk7231n"));
	chipdb_free(db);
}
END_TEST

/* Every Beken chip protects its layout's RF sector. */
START_TEST(real_beken_rf_protected)
{
	struct chipdb *db = load_real();
	const struct iotflash_chip *c;
	unsigned n = 0;
	for (unsigned i = 0; (c = chipdb_family_chip(db, "bk72xx", i)); i++, n++) {
		const struct iotflash_region *rf = iotflash_chip_layout(c, "rf");
		bool found = false;
		ck_assert_msg(rf, "%s has no rf layout region", c->name);
		for (unsigned k = 0; k < c->n_protected; k++)
			found |= !strcmp(c->protected_regions[k].name, "rf") && c->protected_regions[k].start == rf->start &&
			         c->protected_regions[k].size == rf->size && !c->protected_regions[k].hard;
		ck_assert_msg(found, "%s does not protect its rf sector at 0x%x", c->name, (unsigned)rf->start);
	}
	ck_assert_uint_eq(n, 9);
	/* Tuya's stock T1 firmware keeps it elsewhere: kept too, on BK7238 only. */
	ck_assert_uint_eq(iotflash_chip_layout(chipdb_find(db, "bk7238"), "rf-stock")->start, 0x1E3000);
	ck_assert_ptr_null(iotflash_chip_layout(chipdb_find(db, "bk7252n"), "rf-stock"));
	chipdb_free(db);
}
END_TEST

/* The loaders of issue 17's table, linked to their chips by SHA-256. */
START_TEST(real_loaders)
{
	char err[ERRLEN] = "";
	struct chipdb *db = new_db();
	ck_assert_msg(chipdb_load(db, chipdb_dir, err, sizeof err) == IOTFLASH_OK, "%s", err);
	ck_assert_msg(chipdb_link_loaders(db, err, sizeof err) == IOTFLASH_OK, "%s", err);
	static const struct { const char *chip, *sha256; uint32_t size; } table[] = {
		{"bl602", "2aa46589cabb9b9abda0ade8116ce72584946061c8847a54364e8aba04d99176", 38784},
		{"bl604", "2aa46589cabb9b9abda0ade8116ce72584946061c8847a54364e8aba04d99176", 38784},
		{"bl702", "42909e0444b1b418b8ea420b45ebaa743795cb511c5fd2ed8987e03732eb1a1c", 59392},
		{"bl706", "42909e0444b1b418b8ea420b45ebaa743795cb511c5fd2ed8987e03732eb1a1c", 59392},
		{"ln882h", "28dad74c66fdec6d85d1b098b3dfda2ed71515484732fda5fb896205bb9c5182", 29448},
		{"ln8825", "e43c6fd4656f3bb24cac6ee58db7c40c8a72ec22779fb3c22364917a2e0480ab", 35692},
		{"rtl8720d", "9307121385cb390dfd2da64da2c6c515f17b5a9556b3d04021487c9b9f220b55", 4688},
		{"rtl8710b", "60e97096ac7fc91a2f83846b2686fbb4d1cb8dcc214f346ff90ea849a72dee0f", 5736},
		{"rtl8720c", "bb38bca7bb114fbb5a40d770a0ba4ef790ccede43f7ffc6a65d2d3b25c99781c", 620},
		{"w800", "04acba82ccc10d9349c1f879fc71cc7b6dac4900041fdec62cb35962e6259ffe", 3140},
		{"w803", "04acba82ccc10d9349c1f879fc71cc7b6dac4900041fdec62cb35962e6259ffe", 3140},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		const struct iotflash_chip *c = chipdb_find(db, table[i].chip);
		ck_assert_msg(c && c->n_loaders >= 1, "%s has no loader", table[i].chip);
		ck_assert_str_eq(c->loaders[0]->sha256, table[i].sha256);
		ck_assert_uint_eq(c->loaders[0]->size, table[i].size);
		ck_assert_str_eq(c->loader_sha256, table[i].sha256);
		ck_assert_msg(c->loaders[0]->n_from >= 1 && strstr(c->loaders[0]->from[0], "openshwprojects/BK7231GUIFlashTool"),
		              "%s: no public source", table[i].chip);
	}
	/* Two read stubs for AmebaZ2; only the second compresses. */
	const struct iotflash_chip *z2 = chipdb_find(db, "rtl8720c");
	ck_assert_uint_eq(z2->n_loaders, 2);
	ck_assert_str_eq(z2->loaders[1]->sha256, "038f35bcb23d40fe9070f22918288bfe834d50aac4e82d4ba542461cae57a971");
	ck_assert(iotflash_loader_can(z2->loaders[0], "xmodem-read"));
	ck_assert(!iotflash_loader_can(z2->loaders[0], "compressed-read"));
	ck_assert(iotflash_loader_can(z2->loaders[1], "compressed-read"));
	ck_assert(!iotflash_loader_can(NULL, "read"));
	ck_assert_int_eq(z2->loader_use, IOTFLASH_LOADER_OPTIONAL);
	ck_assert_int_eq(chipdb_find(db, "w800")->loader_use, IOTFLASH_LOADER_FOR_READS);
	ck_assert_int_eq(chipdb_find(db, "bl602")->loader_use, IOTFLASH_LOADER_REQUIRED);
	/* One record shared by the chips it names. */
	ck_assert_ptr_eq(chipdb_find(db, "bl602")->loaders[0], chipdb_find(db, "bl604")->loaders[0]);
	ck_assert_uint_eq(chipdb_find(db, "bl616")->n_loaders, 0);
	ck_assert_uint_eq(chipdb_find(db, "bk7231n")->n_loaders, 0);
	chipdb_free(db);
}
END_TEST

/* Top-level loaders (any file, even one of loaders only, loaded later) and a
 * chip's own `loader:`, in load order; the links are rebuilt, not doubled. */
START_TEST(format_loaders)
{
	char err[ERRLEN] = "", first[PATHLEN];
	struct chipdb *db = new_db();
	snprintf(first, sizeof first, "%s", write_file(NULL, "fam.yaml", HDR
		"chips:\n"
		"  - name: one\n"
		"    loader: {file: own.bin, sha256: 1111111111111111111111111111111111111111111111111111111111111111}\n"
		"  - name: two\n"
		"    loader_use: optional\n"
		"loaders:\n"
		"  - name: vendor\n"
		"    file: vendor.bin\n"
		"    size: 4k\n"
		"    sha256: 2222222222222222222222222222222222222222222222222222222222222222\n"
		"    chips: [one, two]\n"
		"    caps: [xmodem-read, crc32]\n"
		"    from: [\"somebody/repo: path/vendor.bin\"]\n"));
	ck_assert_msg(chipdb_load(db, first, err, sizeof err) == IOTFLASH_OK, "%s", err);
	const char *more = write_file(NULL, "more.yaml",
		"schema: 1\n"
		"loaders:\n"
		"  - {name: community, file: c.bin, role: stage2, sha256: 3333333333333333333333333333333333333333333333333333333333333333, chips: [two]}\n");
	ck_assert_msg(chipdb_load(db, more, err, sizeof err) == IOTFLASH_OK, "%s", err);
	for (int round = 0; round < 2; round++)
		ck_assert_msg(chipdb_link_loaders(db, err, sizeof err) == IOTFLASH_OK, "%s", err);
	const struct iotflash_chip *one = chipdb_find(db, "one"), *two = chipdb_find(db, "two");
	ck_assert_uint_eq(one->n_loaders, 2);
	ck_assert_str_eq(one->loaders[0]->file, "own.bin");
	ck_assert_str_eq(one->loaders[1]->name, "vendor");
	ck_assert_uint_eq(one->loaders[1]->size, 4096);
	ck_assert(iotflash_loader_can(one->loaders[1], "crc32"));
	ck_assert_str_eq(one->loaders[1]->from[0], "somebody/repo: path/vendor.bin");
	ck_assert_uint_eq(two->n_loaders, 2);
	ck_assert_str_eq(two->loaders[1]->name, "community");
	ck_assert_str_eq(two->loaders[1]->role, "stage2");  /* ABI 2.3: a loader's part of the upload */
	ck_assert_ptr_null(two->loaders[0]->role);
	ck_assert_str_eq(two->loader_file, "vendor.bin");
	ck_assert_int_eq(two->loader_use, IOTFLASH_LOADER_OPTIONAL);
	ck_assert_int_eq(one->loader_use, IOTFLASH_LOADER_REQUIRED);

	/* A name that is no chip, and a hash a chip already has, are refused. */
	const char *typo = write_file(NULL, "typo.yaml", "schema: 1\nloaders:\n"
		"  - {name: x, file: x.bin, sha256: 4444444444444444444444444444444444444444444444444444444444444444,\n"
		"     chips: [one, three]}\n");
	ck_assert_int_eq(chipdb_load(db, typo, err, sizeof err), IOTFLASH_OK);
	ck_assert_int_eq(chipdb_link_loaders(db, err, sizeof err), IOTFLASH_ERR_CHIPDB);
	ck_assert_msg(strstr(err, "typo.yaml:4:13: loader 'x' names unknown chip 'three'"), "%s", err);
	chipdb_free(db);

	db = new_db();
	ck_assert_int_eq(chipdb_load(db, first, err, sizeof err), IOTFLASH_OK);
	const char *dup = write_file(NULL, "dup.yaml", "schema: 1\nloaders:\n"
		"  - {name: again, file: y.bin, sha256: 2222222222222222222222222222222222222222222222222222222222222222, chips: [one]}\n");
	ck_assert_int_eq(chipdb_load(db, dup, err, sizeof err), IOTFLASH_OK);
	ck_assert_int_eq(chipdb_link_loaders(db, err, sizeof err), IOTFLASH_ERR_CHIPDB);
	ck_assert_msg(strstr(err, "loader 'again' has the SHA-256 of 'vendor'"), "%s", err);
	chipdb_free(db);
}
END_TEST


/* Load path into a fresh database and expect "path:line:col: ...fragment...". */
static void expect_error_at(const char *path, const char *file, int line, int col, const char *fragment)
{
	char err[ERRLEN] = "", prefix[MSGLEN];
	struct chipdb *db = new_db();
	int rc = chipdb_load(db, path, err, sizeof err);
	snprintf(prefix, sizeof prefix, "%s:%d:%d: ", file, line, col);
	ck_assert_msg(rc == IOTFLASH_ERR_CHIPDB, "expected an error, got %d (%s)", rc, err);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "expected prefix '%s', got '%s'", prefix, err);
	ck_assert_msg(strstr(err + strlen(prefix), fragment), "expected '%s' in '%s'", fragment, err);
	ck_assert_msg(!strchr(err, '\n'), "error is not one line: '%s'", err);
	ck_assert_uint_eq(chipdb_count(db), 0);
	chipdb_free(db);
}

static void expect_error(const char *yaml, int line, int col, const char *fragment)
{
	char path[PATHLEN];
	snprintf(path, sizeof path, "%s", write_file(NULL, "bad.yaml", yaml));
	expect_error_at(path, path, line, col, fragment);
}

START_TEST(err_loaders)
{
	expect_error(HDR "chips: []\nloaders:\n  - {name: a, file: a.bin, chips: [x]}\n", 7, 5, "loader has no 'sha256'");
	expect_error(HDR "chips: []\nloaders:\n  - {name: a, file: a.bin, sha256: 12, chips: [x]}\n", 7, 36,
	             "64 lowercase hex");
	expect_error(HDR "chips: []\nloaders:\n  - {name: a, file: a.bin, chips: [], sha256: "
	             "1111111111111111111111111111111111111111111111111111111111111111}\n", 7, 35, "not be an empty list");
	expect_error(HDR "chips: []\nloaders:\n  - {name: a, file: a.bin, chips: [x], caps: [Read], sha256: "
	             "1111111111111111111111111111111111111111111111111111111111111111}\n", 7, 47, "lowercase");
	expect_error(HDR "chips: []\nloaders:\n  - {name: a, nick: b}\n", 7, 15, "unknown key 'nick' in a loader");
	expect_error(HDR "chips:\n  - name: a\n    loader_use: sometimes\n", 7, 17, "required, reads or optional");
	expect_error("schema: 1\nloaders: {}\n", 2, 10, "'loaders' must be a list");
}
END_TEST

/* ------------------------------------------------------ the real database */

START_TEST(real_bk7231n)
{
	struct chipdb *db = load_real();
	const struct iotflash_chip *c = chipdb_find(db, "bk7231n");
	int64_t v = 0;
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->family, "bk72xx");
	ck_assert_str_eq(c->plugin, "bk72xx");
	ck_assert_str_eq(c->driver, "bk72xx");
	ck_assert_str_eq(c->protocol, "full");
	ck_assert_str_eq(c->description, "Beken BK7231N");
	ck_assert_uint_eq(c->link_baud, 115200);
	ck_assert_uint_eq(c->max_baud, 921600);
	ck_assert_uint_eq(c->flash_size, 2 * MIB);
	ck_assert_uint_eq(c->app_offset, 0x11000);
	ck_assert_uint_eq(c->read_block, 4096);
	ck_assert_uint_eq(c->write_block, 4096);
	ck_assert_uint_eq(c->n_erase_units, 2);
	ck_assert_uint_eq(c->erase_units[0], 4096);
	ck_assert_uint_eq(c->erase_units[1], 65536);
	ck_assert_int_eq(c->checksum, IOTFLASH_SUM_CRC32_BEKEN);
	ck_assert_uint_eq(c->checksum_align, 256);
	ck_assert_uint_eq(c->n_protected, 2);
	ck_assert_str_eq(c->protected_regions[0].name, "bootloader");
	ck_assert_uint_eq(c->protected_regions[0].start, 0);
	ck_assert_uint_eq(c->protected_regions[0].size, 0x11000);
	ck_assert(!c->protected_regions[0].hard);
	/* The RF calibration sector: protected, --force may change it. */
	ck_assert_str_eq(c->protected_regions[1].name, "rf");
	ck_assert_uint_eq(c->protected_regions[1].start, 0x1D0000);
	ck_assert_uint_eq(c->protected_regions[1].size, 0x1000);
	ck_assert(!c->protected_regions[1].hard);
	ck_assert_ptr_null(c->loader_file);
	ck_assert_uint_eq(c->n_loaders, 0);

	const struct iotflash_param *id = iotflash_chip_param(c, "chip_id");
	ck_assert_ptr_nonnull(id);
	ck_assert_int_eq(id->type, IOTFLASH_PARAM_INT_LIST);
	ck_assert_uint_eq(id->n, 1);
	ck_assert_int_eq(id->ints[0], 0x7231C);
	const struct iotflash_param *regs = iotflash_chip_param(c, "chip_id_regs");
	ck_assert_uint_eq(regs->n, 2);
	ck_assert_int_eq(regs->ints[0], 0x800000);
	ck_assert_int_eq(regs->ints[1], 0x44010004);
	const struct iotflash_param *crcs = iotflash_chip_param(c, "boot_crcs");
	ck_assert_int_eq(crcs->ints[0], 0xE14191BA);
	ck_assert_str_eq(iotflash_chip_param_str(c, "efuse_key"), "510fb093a3cbeadc5993a17ec7adeb03");
	ck_assert(iotflash_chip_param_int(c, "model_sr", &v));
	ck_assert_int_eq(v, 0x021C);
	ck_assert(iotflash_chip_param_int(c, "model_flash_id", &v));
	ck_assert_int_eq(v, 0x1560EB);

	const struct iotflash_region *app = iotflash_chip_layout(c, "app");
	ck_assert_uint_eq(app->start, 0x11000);
	ck_assert_uint_eq(app->size, 0x121000);
	ck_assert_uint_eq(iotflash_chip_layout(c, "rf")->start, 0x1D0000);
	ck_assert_uint_eq(iotflash_chip_layout(c, "obk-config")->start, 0x1D1000);
	ck_assert_ptr_null(iotflash_chip_layout(c, "nvram"));
	ck_assert_msg(strstr(c->source, "bk72xx.yaml:"), "source '%s'", c->source);
	chipdb_free(db);
}
END_TEST

START_TEST(real_legacy_chips)
{
	struct chipdb *db = load_real();
	const struct iotflash_chip *t = chipdb_find(db, "bk7231t");
	int64_t v = 0;
	ck_assert_str_eq(t->protocol, "legacy");
	ck_assert(t->protected_regions[0].hard);
	ck_assert_uint_eq(t->protected_regions[0].size, 0x11000);
	ck_assert_str_eq(iotflash_chip_param_str(t, "model_boot_version"), "BK7231S_1.0.5");
	const struct iotflash_param *vers = iotflash_chip_param(t, "boot_versions");
	ck_assert_int_eq(vers->type, IOTFLASH_PARAM_STR_LIST);
	ck_assert_uint_eq(vers->n, 4);
	ck_assert_str_eq(vers->strs[2], "BK7231S_1.0.5");
	ck_assert_int_eq(iotflash_chip_param(t, "boot_crcs")->ints[2], 0xBA54C1B8);
	ck_assert(iotflash_chip_param_int(t, "read_limit", &v));
	ck_assert_int_eq(v, 0x11000);
	ck_assert_uint_eq(iotflash_chip_layout(t, "rf")->start, 0x1E0000);

	const struct iotflash_chip *u = chipdb_find(db, "bk7231u");
	ck_assert_str_eq(u->protocol, "legacy");
	ck_assert_ptr_null(iotflash_chip_param(u, "boot_versions"));
	ck_assert_int_eq(iotflash_chip_param(u, "boot_crcs")->ints[0], 0x2739019F);
	chipdb_free(db);
}
END_TEST

START_TEST(real_every_chip)
{
	static const char *const names[] = { "bk7231t", "bk7231u", "bk7231n", "bk7231m", "bk7236",
	                                     "bk7238", "bk7252", "bk7252n", "bk7258" };
	static const char *const full[] = { "bk7231n", "bk7231m", "bk7236", "bk7238", "bk7252n", "bk7258" };
	struct chipdb *db = load_real();
	ck_assert_uint_eq(chipdb_count(db), 9);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const struct iotflash_chip *c = chipdb_find(db, names[i]);
		ck_assert_msg(c != NULL, "%s missing", names[i]);
		bool is_full = false;
		for (size_t k = 0; k < sizeof full / sizeof full[0]; k++)
			is_full |= !strcmp(full[k], names[i]);
		ck_assert_str_eq(c->protocol, is_full ? "full" : "legacy");
		ck_assert_msg(c->protected_regions[0].hard == !is_full, "%s hard", names[i]);
		ck_assert_uint_eq(c->app_offset, 0x11000);
		ck_assert_ptr_nonnull(iotflash_chip_layout(c, "rf"));
	}
	chipdb_free(db);
}
END_TEST

START_TEST(real_find_case_insensitive)
{
	struct chipdb *db = load_real();
	const struct iotflash_chip *c = chipdb_find(db, "bk7231n");
	ck_assert_ptr_eq(chipdb_find(db, "BK7231N"), c);
	ck_assert_ptr_eq(chipdb_find(db, "Bk7231n"), c);
	ck_assert_ptr_null(chipdb_find(db, "bk7231"));
	ck_assert_ptr_null(chipdb_find(db, "bk72xx"));
	chipdb_free(db);
}
END_TEST

START_TEST(real_family)
{
	struct chipdb *db = load_real();
	ck_assert(chipdb_is_family(db, "bk72xx"));
	ck_assert(chipdb_is_family(db, "BK72XX"));
	ck_assert(!chipdb_is_family(db, "bk7231n"));
	ck_assert(!chipdb_is_family(db, "bl60x"));
	unsigned n = 0;
	while (chipdb_family_chip(db, "bk72xx", n))
		ck_assert_str_eq(chipdb_family_chip(db, "bk72xx", n++)->family, "bk72xx");
	ck_assert_uint_eq(n, 9);
	ck_assert_ptr_null(chipdb_family_chip(db, "bl60x", 0));
	chipdb_free(db);
}
END_TEST

START_TEST(real_flash_table)
{
	struct chipdb *db = load_real();
	const struct iotflash_flash_part *p = chipdb_flash(db, "bk72xx", 0x1560EB);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->name, "TH25Q16HB");
	ck_assert_uint_eq(p->size, 2 * MIB);
	ck_assert_uint_eq(p->sr_count, 2);
	ck_assert_uint_eq(p->sr_read_ops[0], 0x05);
	ck_assert_uint_eq(p->sr_read_ops[1], 0x35);
	ck_assert_uint_eq(p->sr_mask, 0x407C);
	ck_assert_uint_eq(p->sr_protect, 0x1C);
	ck_assert_uint_eq(p->sr_unprotect, 0);

	const struct iotflash_flash_part *bk = chipdb_flash(db, "bk72xx", 0x424B01);
	ck_assert_str_eq(bk->name, "BK");
	ck_assert_uint_eq(bk->sr_count, 0);
	ck_assert_uint_eq(bk->sr_mask, 0);
	ck_assert_uint_eq(bk->sr_protect, 0);

	const struct iotflash_flash_part *gt = chipdb_flash(db, "bk72xx", 0x1560C4);
	ck_assert_uint_eq(gt->sr_count, 3);
	ck_assert_uint_eq(gt->sr_read_ops[2], 0x15);
	ck_assert_uint_eq(chipdb_flash(db, "bk72xx", 0x1423C2)->sr_mask, 0x103C);
	ck_assert_uint_eq(chipdb_flash(db, "bk72xx", 0x1A47C8)->size, 64 * MIB);
	ck_assert_uint_eq(chipdb_flash(db, "bk72xx", 0x1040C4)->size, 64 * 1024);
	/* Another family falls back to bk72xx's table. */
	ck_assert_ptr_eq(chipdb_flash(db, "bl60x", 0x1560EB), p);
	ck_assert_ptr_eq(chipdb_flash(db, NULL, 0x1560EB), p);
	ck_assert_ptr_null(chipdb_flash(db, "bk72xx", 0x123456));
	chipdb_free(db);
}
END_TEST

START_TEST(real_inheritance)
{
	struct chipdb *db = load_real();
	int64_t v = 0;
	/* bk7231m: base bk7231n, own key, one param dropped. */
	const struct iotflash_chip *m = chipdb_find(db, "bk7231m");
	ck_assert_str_eq(m->protocol, "full");
	ck_assert_str_eq(m->description, "Beken BK7231M");
	ck_assert_int_eq(iotflash_chip_param(m, "chip_id")->ints[0], 0x7231C);
	ck_assert_str_eq(iotflash_chip_param_str(m, "efuse_key"), "00000000000000000000000000000000");
	ck_assert_ptr_null(iotflash_chip_param(m, "boot_crcs"));
	ck_assert_uint_eq(iotflash_chip_layout(m, "rf")->start, 0x1D0000);
	/* bk7258: base bk7236, base bk7238, base bk7231n, then defaults. */
	const struct iotflash_chip *t5 = chipdb_find(db, "bk7258");
	ck_assert_uint_eq(t5->flash_size, 8 * MIB);
	ck_assert_int_eq(iotflash_chip_param(t5, "chip_id")->ints[0], 0x7236);
	ck_assert_int_eq(iotflash_chip_param(t5, "chip_id_regs")->ints[0], 0x44010004);
	ck_assert(iotflash_chip_param_int(t5, "model_sr", &v));
	ck_assert_int_eq(v, 0x021C);
	ck_assert(iotflash_chip_param_int(t5, "model_window_ms", &v));
	ck_assert_int_eq(v, 200);
	ck_assert(iotflash_chip_param_int(t5, "model_flash_id", &v));
	ck_assert_int_eq(v, 0x1740C8);
	ck_assert_uint_eq(iotflash_chip_layout(t5, "rf")->start, 0x7FE000);
	/* bk7238: the defaults' layout through a YAML alias. */
	const struct iotflash_chip *t1 = chipdb_find(db, "bk7238");
	ck_assert_uint_eq(iotflash_chip_layout(t1, "rf")->start, 0x1E0000);
	ck_assert_ptr_null(iotflash_chip_param(t1, "efuse_key"));
	/* Defaults reach a chip that sets nothing of its own. */
	const struct iotflash_chip *u = chipdb_find(db, "bk7231u");
	ck_assert_uint_eq(u->max_baud, 921600);
	ck_assert_uint_eq(u->n_erase_units, 2);
	ck_assert(iotflash_chip_param_int(u, "model_window_ms", &v));
	chipdb_free(db);
}
END_TEST

/* --------------------------------------------------------- format features */

START_TEST(format_numbers_and_params)
{
	const char *path = write_file(NULL, "ok.yaml", HDR
		"defaults:\n"
		"  flash_size: 4M\n"
		"  read_block: 4k\n"
		"  write_block: 0x100\n"
		"  app_offset: 0x1_0000\n"
		"  max_baud: 2_000_000\n"
		"  params: {a: 1, b: true, c: text, d: [1, 0x2, 3k], e: [x, \"12\"], f: \"0001\"}\n"
		"chips:\n"
		"  - name: one\n"
		"    link_baud: 9600\n"
		"    protected: [{name: boot, start: 0, size: 4k}]\n"
		"    loader: {file: one.bin, sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef}\n"
		"    params: {a: 5, c: ~, g: false}\n"
		"  - name: two\n"
		"    base: one\n"
		"    driver: other\n"
		"    checksum: sha256\n"
		"    erase_units: [256, 4096, 32k, 64k]\n"
		"    params: {b: ~}\n");
	char err[ERRLEN] = "";
	struct chipdb *db = new_db();
	int64_t v = 0;
	bool b = false;
	ck_assert_msg(chipdb_load(db, path, err, sizeof err) == IOTFLASH_OK, "%s", err);
	const struct iotflash_chip *one = chipdb_find(db, "one"), *two = chipdb_find(db, "two");
	ck_assert_uint_eq(one->flash_size, 4 * MIB);
	ck_assert_uint_eq(one->read_block, 4096);
	ck_assert_uint_eq(one->write_block, 256);
	ck_assert_uint_eq(one->app_offset, 0x10000);
	ck_assert_uint_eq(one->max_baud, 2000000);
	ck_assert_uint_eq(one->link_baud, 9600);
	ck_assert_str_eq(one->driver, "fam");
	ck_assert_int_eq(one->checksum, IOTFLASH_SUM_NONE);
	ck_assert_str_eq(one->loader_file, "one.bin");
	ck_assert_uint_eq(strlen(one->loader_sha256), 64);
	ck_assert(iotflash_chip_param_int(one, "a", &v));
	ck_assert_int_eq(v, 5);
	ck_assert(iotflash_chip_param_bool(one, "b", &b) && b);
	ck_assert(iotflash_chip_param_bool(one, "g", &b) && !b);
	ck_assert_ptr_null(iotflash_chip_param(one, "c"));
	const struct iotflash_param *d = iotflash_chip_param(one, "d");
	ck_assert_int_eq(d->type, IOTFLASH_PARAM_INT_LIST);
	ck_assert_int_eq(d->ints[2], 3072);
	const struct iotflash_param *e = iotflash_chip_param(one, "e");
	ck_assert_int_eq(e->type, IOTFLASH_PARAM_STR_LIST);
	ck_assert_str_eq(e->strs[1], "12");
	ck_assert_str_eq(iotflash_chip_param_str(one, "f"), "0001");
	/* Getters refuse another type. */
	ck_assert(!iotflash_chip_param_int(one, "f", &v));
	ck_assert(!iotflash_chip_param_bool(one, "a", &b));
	ck_assert_ptr_null(iotflash_chip_param_str(one, "a"));
	ck_assert_ptr_null(iotflash_chip_param(one, "missing"));

	ck_assert_str_eq(two->driver, "other");
	ck_assert_int_eq(two->checksum, IOTFLASH_SUM_SHA256);
	ck_assert_uint_eq(two->n_erase_units, 4);
	ck_assert_uint_eq(two->erase_units[2], 32768);
	ck_assert_uint_eq(two->link_baud, 9600);
	ck_assert_uint_eq(two->n_protected, 1);
	ck_assert_ptr_null(iotflash_chip_param(two, "b"));
	ck_assert(iotflash_chip_param_int(two, "a", &v));
	ck_assert_int_eq(v, 5);
	ck_assert_ptr_nonnull(iotflash_chip_param(one, "b"));  /* base left untouched */
	chipdb_free(db);
}
END_TEST

START_TEST(format_flash_family_first)
{
	write_file("d", "a.yaml", "schema: 1\nfamily: aaa\nplugin: aaa\ndriver: aaa\nchips: [{name: a1}]\n"
	                          "flash: [{jedec: 0xEF4016, name: A-PART, size: 4M}]\n");
	write_file("d", "b.yaml", "schema: 1\nfamily: bbb\nplugin: bbb\ndriver: bbb\nchips: [{name: b1}]\n"
	                          "flash: [{jedec: 0xEF4016, name: B-PART, size: 4M}]\n");
	char err[ERRLEN] = "";
	struct chipdb *db = new_db();
	ck_assert_msg(chipdb_load(db, subdir("d"), err, sizeof err) == IOTFLASH_OK, "%s", err);
	ck_assert_str_eq(chipdb_flash(db, "aaa", 0xEF4016)->name, "A-PART");
	ck_assert_str_eq(chipdb_flash(db, "bbb", 0xEF4016)->name, "B-PART");
	ck_assert_str_eq(chipdb_flash(db, "BBB", 0xEF4016)->name, "B-PART");
	ck_assert_str_eq(chipdb_flash(db, "ccc", 0xEF4016)->name, "A-PART");
	/* Sorted by name: a.yaml's chip comes first. */
	ck_assert_str_eq(chipdb_chip(db, 0)->name, "a1");
	ck_assert_str_eq(chipdb_chip(db, 1)->name, "b1");
	ck_assert_ptr_null(chipdb_chip(db, 2));
	chipdb_free(db);
}
END_TEST

START_TEST(format_ignores_other_files)
{
	write_file("d", "a.yaml", HDR "chips: [{name: a1}]\n");
	write_file("d", "notes.txt", "not yaml: [\n");
	write_file("d", ".hidden.yaml", "not yaml: [\n");
	char err[ERRLEN] = "";
	struct chipdb *db = new_db();
	ck_assert_msg(chipdb_load(db, subdir("d"), err, sizeof err) == IOTFLASH_OK, "%s", err);
	ck_assert_uint_eq(chipdb_count(db), 1);
	chipdb_free(db);
}
END_TEST

/* ------------------------------------------------------------------ errors */

START_TEST(err_yaml_syntax)
{
	expect_error(HDR "chips:\n  - name: a\n    link_baud: [1, 2\n", 8, 1, "YAML syntax error");
	expect_error(HDR "chips:\n  - name: a\n   bad\n", 7, 4, "YAML syntax error");
}
END_TEST

START_TEST(err_wrong_type)
{
	expect_error(HDR "chips:\n  - name: a\n    link_baud: fast\n", 7, 16, "'link_baud' must be a number");
	expect_error(HDR "chips:\n  - name: a\n    link_baud: \"115200\"\n", 7, 16, "must be a number, not a quoted string");
	expect_error(HDR "chips:\n  - name: a\n    flash_size: 4kb\n", 7, 17, "must be a number, not '4kb'");
	expect_error(HDR "chips:\n  - name: a\n    app_offset: 0755\n", 7, 17, "must be a number");
	expect_error(HDR "chips:\n  - name: a\n    flash_size: [1]\n", 7, 17, "not a list");
	expect_error(HDR "chips: {name: a}\n", 5, 8, "'chips' must be a list");
	expect_error(HDR "chips:\n  - name: a\n    protected: [{name: b, start: 0, size: 1, hard: yes}]\n",
	             7, 52, "'hard' must be true or false");
}
END_TEST

/* Per-operation rate ceilings: inherited like every number, 0 when unset. */
START_TEST(format_op_baud_ceilings)
{
	const char *path = write_file(NULL, "rates.yaml", HDR
		"defaults:\n"
		"  link_baud: 115200\n"
		"  max_baud: 921600\n"
		"  max_baud_write: 2_000_000\n"
		"chips:\n"
		"  - name: plain\n"
		"  - name: fast\n"
		"    base: plain\n"
		"    max_baud_read: 3_000_000\n");
	char err[ERRLEN] = "";
	struct chipdb *db = new_db();
	ck_assert_msg(chipdb_load(db, path, err, sizeof err) == IOTFLASH_OK, "%s", err);
	const struct iotflash_chip *plain = chipdb_find(db, "plain"), *fast = chipdb_find(db, "fast");
	ck_assert_uint_eq(plain->max_baud, 921600);
	ck_assert_uint_eq(plain->max_baud_read, 0);
	ck_assert_uint_eq(plain->max_baud_write, 2000000);
	ck_assert_uint_eq(fast->max_baud_read, 3000000);
	ck_assert_uint_eq(fast->max_baud_write, 2000000);
	chipdb_free(db);
	/* The shipped LN882H entry: reads at max_baud, writes faster. */
	char ln[sizeof chipdb_dir + 16];
	snprintf(ln, sizeof ln, "%s/ln882h.yaml", chipdb_dir);
	db = new_db();
	ck_assert_msg(chipdb_load(db, ln, err, sizeof err) == IOTFLASH_OK, "%s", err);
	ck_assert_uint_eq(chipdb_find(db, "ln882h")->max_baud_write, 2000000);
	ck_assert_uint_eq(chipdb_find(db, "ln882h")->max_baud_read, 0);
	chipdb_free(db);
	expect_error(HDR "chips:\n  - name: a\n    link_baud: 921600\n    max_baud_read: 115200\n", 6, 5,
	             "max_baud_read 115200 is below link_baud 921600");
	expect_error(HDR "chips:\n  - name: a\n    max_baud_write: 100\n", 7, 21, "'max_baud_write' 100 is out of range");
}
END_TEST

START_TEST(err_out_of_range)
{
	expect_error(HDR "chips:\n  - name: a\n    link_baud: 0\n", 7, 16, "'link_baud' 0 is out of range (1200..0xB71B00)");
	expect_error(HDR "chips:\n  - name: a\n    max_baud: 12000001\n", 7, 15, "out of range");
	expect_error(HDR "chips:\n  - name: a\n    flash_size: 0\n", 7, 17, "'flash_size' 0 is out of range");
	expect_error(HDR "chips:\n  - name: a\n    flash_size: 2048M\n", 7, 17, "out of range (1..0x40000000)");
	expect_error(HDR "chips:\n  - name: a\n    erase_units: [4096, 65535]\n", 7, 25,
	             "'erase_units' 65535 is not a power of two");
	expect_error(HDR "chips:\n  - name: a\n    erase_units: [65536, 4096]\n", 7, 26, "must be ascending");
	expect_error(HDR "chips:\n  - name: a\n    erase_units: [1, 2, 4, 8, 16]\n", 7, 18, "1 to 4 sizes");
	expect_error(HDR "chips:\n  - name: a\n    read_block: 3000\n", 7, 17, "not a power of two");
	expect_error(HDR "chips: []\nflash:\n  - {jedec: 0x1000000, name: X, size: 1M}\n", 7, 13,
	             "'jedec' 0x1000000 is out of range (1..0xFFFFFF)");
	expect_error(HDR "chips: []\nflash:\n  - {jedec: 0xEF4016, name: X, size: 1M, sr_read: [5, 0x35, 0x15, 1]}\n",
	             7, 51, "at most 3 opcodes");
	expect_error(HDR "chips: []\nflash:\n  - {jedec: 0xEF4016, name: X, size: 1M, sr_read: [0x105]}\n",
	             7, 52, "'sr_read' 0x105 is out of range");
	expect_error(HDR "chips: []\nflash:\n  - {jedec: 0xEF4016, name: X, size: 1M, sr_mask: 0x7C, sr_protect: 0x80}\n",
	             7, 69, "outside sr_mask");
	expect_error(HDR "chips:\n  - name: a\n    layout: [{name: r, start: 0xFFFFF000, size: 0x2000}]\n",
	             7, 14, "region 'r' ends past 4 GiB");
	expect_error(HDR "chips:\n  - name: a\n    link_baud: 921600\n    max_baud: 115200\n", 6, 5,
	             "max_baud 115200 is below link_baud 921600");
}
END_TEST

START_TEST(err_negative)
{
	expect_error(HDR "chips:\n  - name: a\n    app_offset: -1\n", 7, 17, "'app_offset' must not be negative");
	expect_error(HDR "chips:\n  - name: a\n    params: {x: -5}\n", 7, 17, "'x' must not be negative");
}
END_TEST

START_TEST(err_overflow)
{
	expect_error(HDR "chips:\n  - name: a\n    app_offset: 0x1_0000_0000\n", 7, 17,
	             "'app_offset' 0x1_0000_0000 is out of range (0..0xFFFFFFFF)");
	expect_error(HDR "chips:\n  - name: a\n    app_offset: 99999999999\n", 7, 17, "99999999999 is out of range");
	expect_error(HDR "chips:\n  - name: a\n    params: {x: 99999999999999999999}\n", 7, 17, "out of range");
	expect_error(HDR "chips:\n  - name: a\n    flash_size: 18014398509481985k\n", 7, 17, "out of range");
}
END_TEST

START_TEST(err_duplicate_chip_in_file)
{
	char path[PATHLEN], first[MSGLEN];
	snprintf(path, sizeof path, "%s", write_file(NULL, "dup.yaml", HDR "chips:\n  - name: a\n  - name: b\n  - name: a\n"));
	snprintf(first, sizeof first, "first defined at %s:6", path);
	expect_error_at(path, path, 8, 11, "duplicate chip name 'a'");
	expect_error_at(path, path, 8, 11, first);
}
END_TEST

START_TEST(err_duplicate_chip_across_files)
{
	char a[PATHLEN], b[PATHLEN], first[MSGLEN];
	snprintf(a, sizeof a, "%s", write_file("d", "a.yaml", HDR "chips:\n  - name: x\n"));
	snprintf(b, sizeof b, "%s", write_file("d", "b.yaml",
	         "schema: 1\nfamily: other\nplugin: other\ndriver: other\nchips:\n  - name: y\n  - name: X\n"));
	snprintf(first, sizeof first, "duplicate chip name 'x' (first defined at %s:6)", a);
	(void)b;
	/* "X" collides with "x": names are lowercase, so the spelling fails first. */
	expect_error_at(subdir("d"), b, 7, 11, "must be lowercase");
	write_file("d", "b.yaml", "schema: 1\nfamily: other\nplugin: other\ndriver: other\nchips:\n  - name: y\n  - name: x\n");
	expect_error_at(subdir("d"), b, 7, 11, first);

	/* Also against a database that already holds the chip. */
	char err[ERRLEN] = "";
	struct chipdb *db = new_db();
	ck_assert_int_eq(chipdb_load(db, a, err, sizeof err), IOTFLASH_OK);
	ck_assert_int_eq(chipdb_load(db, a, err, sizeof err), IOTFLASH_ERR_CHIPDB);
	ck_assert_msg(strstr(err, "duplicate chip name 'x'"), "%s", err);
	ck_assert_uint_eq(chipdb_count(db), 1);
	chipdb_free(db);
}
END_TEST

START_TEST(err_duplicate_key)
{
	expect_error(HDR "chips:\n  - name: a\n    link_baud: 9600\n    link_baud: 19200\n", 8, 5,
	             "duplicate key 'link_baud' in chip (first at line 7)");
	expect_error(HDR "family: again\nchips: []\n", 5, 1, "duplicate key 'family' in the top level");
	expect_error(HDR "chips:\n  - name: a\n    params: {x: 1, x: 2}\n", 7, 20, "duplicate key 'x' in params");
	expect_error(HDR "chips: []\nflash:\n  - {jedec: 0xEF4016, name: X, size: 1M}\n  - {jedec: 0xEF4016, name: Y, size: 1M}\n",
	             8, 13, "duplicate flash jedec 0xEF4016 in family 'fam'");
	expect_error(HDR "chips:\n  - name: a\n    layout: [{name: r, start: 0, size: 1}, {name: r, start: 1, size: 1}]\n",
	             7, 44, "duplicate region 'r' in 'layout'");
}
END_TEST

START_TEST(err_missing_required)
{
	expect_error("schema: 1\nplugin: fam\ndriver: fam\nchips: []\n", 1, 1, "the file has no 'family'");
	expect_error("family: fam\nplugin: fam\ndriver: fam\nchips: []\n", 1, 1, "the file has no 'schema'");
	expect_error(HDR "description: no chips\n", 1, 1, "the file has no 'chips'");
	expect_error(HDR "chips:\n  - description: nameless\n", 6, 5, "chip has no 'name'");
	expect_error(HDR "chips: []\nflash:\n  - {jedec: 0xEF4016, size: 1M}\n", 7, 5, "flash part has no 'name'");
	expect_error(HDR "chips:\n  - name: a\n    protected: [{name: boot, size: 4k}]\n", 7, 17,
	             "a 'protected' region has no 'start'");
	expect_error(HDR "chips:\n  - name: a\n    loader: {file: x.bin}\n", 7, 13, "'loader' has no 'sha256'");
	expect_error("", 1, 1, "empty file");
}
END_TEST

START_TEST(err_unknown_key)
{
	expect_error(HDR "colour: red\nchips: []\n", 5, 1, "unknown key 'colour' in the top level");
	expect_error(HDR "chips:\n  - name: a\n    speed: 1\n", 7, 5, "unknown key 'speed' in chip");
	expect_error(HDR "defaults:\n  baud: 1\nchips: []\n", 6, 3, "unknown key 'baud' in defaults");
	expect_error(HDR "chips:\n  - name: a\n    layout: [{name: r, start: 0, size: 1, hard: true}]\n", 7, 49,
	             "'hard' applies only to protected regions");
	expect_error(HDR "defaults:\n  name: a\nchips: []\n", 6, 9, "'name' cannot be a default");
}
END_TEST

START_TEST(err_unknown_checksum)
{
	expect_error(HDR "chips:\n  - name: a\n    checksum: md5\n", 7, 15, "unknown checksum 'md5'");
}
END_TEST

START_TEST(err_schema_version)
{
	/* Reported before the key this loader does not know. */
	expect_error("schema: 2\nfamily: fam\nnew_key: 1\n", 1, 9, "unsupported schema version 2 (this loader reads 1)");
	expect_error("schema: one\n", 1, 9, "'schema' must be a number");
}
END_TEST

START_TEST(err_base)
{
	expect_error(HDR "chips:\n  - name: a\n    base: nothere\n", 7, 11, "unknown base chip 'nothere'");
	/* Only earlier chips of the same file. */
	expect_error(HDR "chips:\n  - name: a\n    base: b\n  - name: b\n", 7, 11, "unknown base chip 'b'");
	write_file("d", "a.yaml", HDR "chips:\n  - name: a\n");
	const char *b = write_file("d", "b.yaml",
	        "schema: 1\nfamily: other\nplugin: other\ndriver: other\nchips:\n  - name: b\n    base: a\n");
	char bpath[PATHLEN];
	snprintf(bpath, sizeof bpath, "%s", b);
	expect_error_at(subdir("d"), bpath, 7, 11, "unknown base chip 'a'");
}
END_TEST

START_TEST(err_params)
{
	expect_error(HDR "chips:\n  - name: a\n    params: {x: []}\n", 7, 17, "empty list");
	expect_error(HDR "chips:\n  - name: a\n    params: {x: ~}\n", 7, 17, "nothing to drop");
	expect_error(HDR "chips:\n  - name: a\n    params: {x: [1, two]}\n", 7, 21, "mixes numbers and strings");
	expect_error(HDR "chips:\n  - name: a\n    params: {x: {y: 1}}\n", 7, 17, "must be a scalar or a list");
	expect_error(HDR "chips:\n  - name: a\n    params: {X: 1}\n", 7, 14, "param name 'X'");
	expect_error(HDR "chips:\n  - name: a\n    params: {x: 12ab}\n", 7, 17, "must be a number, not '12ab'");
}
END_TEST

START_TEST(err_names_and_structure)
{
	expect_error(HDR "chips:\n  - name: BK7231N\n", 6, 11, "'name' must be lowercase");
	expect_error(HDR "chips:\n  - name: fam\n", 6, 11, "chip name 'fam' is also a family name");
	expect_error("- just\n- a list\n", 1, 1, "the top level must be a mapping, not a list");
	expect_error(HDR "chips: []\n---\nschema: 1\n", 7, 1, "more than one YAML document");
	expect_error(HDR "chips:\n  - name: a\n    loader: {file: x.bin, sha256: ABC}\n", 7, 35, "64 lowercase hex");
	expect_error(HDR "chips:\n  - name: a\n    flash_size: 1M\n    app_offset: 2M\n", 6, 5, "past flash_size");
}
END_TEST

START_TEST(err_missing_path)
{
	char err[ERRLEN] = "", path[PATHLEN];
	struct chipdb *db = new_db();
	snprintf(path, sizeof path, "%s/nonexistent.yaml", tmpdir);
	ck_assert_int_eq(chipdb_load(db, path, err, sizeof err), IOTFLASH_ERR_CHIPDB);
	ck_assert_msg(strstr(err, path) == err && strstr(err, "cannot open"), "%s", err);
	chipdb_free(db);
}
END_TEST

/* A failed directory load leaves the database as it was, and a later good
 * load still works. */
START_TEST(err_dir_load_is_atomic)
{
	struct chipdb *db = load_real();
	char err[ERRLEN] = "";
	unsigned before = chipdb_count(db);
	write_file("d", "a.yaml", "schema: 1\nfamily: newfam\nplugin: n\ndriver: n\nchips:\n  - name: newchip\n"
	                          "flash: [{jedec: 0xABCDEF, name: NEWPART, size: 1M}]\n");
	const char *bad = write_file("d", "b.yaml", HDR "chips:\n  - name: other\n    link_baud: 0\n");
	char badpath[PATHLEN], prefix[MSGLEN];
	snprintf(badpath, sizeof badpath, "%s", bad);
	snprintf(prefix, sizeof prefix, "%s:7:16: ", badpath);

	ck_assert_int_eq(chipdb_load(db, subdir("d"), err, sizeof err), IOTFLASH_ERR_CHIPDB);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "%s", err);
	ck_assert_uint_eq(chipdb_count(db), before);
	ck_assert_ptr_null(chipdb_find(db, "newchip"));
	ck_assert(!chipdb_is_family(db, "newfam"));
	ck_assert_ptr_null(chipdb_flash(db, "newfam", 0xABCDEF));

	unlink(badpath);
	ck_assert_msg(chipdb_load(db, subdir("d"), err, sizeof err) == IOTFLASH_OK, "%s", err);
	ck_assert_uint_eq(chipdb_count(db), before + 1);
	ck_assert_str_eq(chipdb_find(db, "NEWCHIP")->family, "newfam");
	ck_assert(chipdb_is_family(db, "newfam"));
	ck_assert_str_eq(chipdb_flash(db, "newfam", 0xABCDEF)->name, "NEWPART");
	/* Records loaded earlier survive the merge. */
	ck_assert_str_eq(chipdb_find(db, "bk7231n")->protocol, "full");
	chipdb_free(db);
}
END_TEST

static Suite *chipdb_suite(void)
{
	Suite *s = suite_create("chipdb");
	TCase *real = tcase_create("real");
	tcase_add_test(real, real_bk7231n);
	tcase_add_test(real, real_legacy_chips);
	tcase_add_test(real, real_every_chip);
	tcase_add_test(real, real_every_file_loads);
	tcase_add_test(real, real_find_case_insensitive);
	tcase_add_test(real, real_family);
	tcase_add_test(real, real_flash_table);
	tcase_add_test(real, real_inheritance);
	tcase_add_test(real, real_beken_rf_protected);
	tcase_add_test(real, real_loaders);
	suite_add_tcase(s, real);

	TCase *format = tcase_create("format");
	tcase_add_checked_fixture(format, setup, teardown);
	tcase_add_test(format, format_numbers_and_params);
	tcase_add_test(format, format_op_baud_ceilings);
	tcase_add_test(format, format_flash_family_first);
	tcase_add_test(format, format_loaders);
	tcase_add_test(format, format_ignores_other_files);
	suite_add_tcase(s, format);

	TCase *errors = tcase_create("errors");
	tcase_add_checked_fixture(errors, setup, teardown);
	tcase_add_test(errors, err_yaml_syntax);
	tcase_add_test(errors, err_wrong_type);
	tcase_add_test(errors, err_out_of_range);
	tcase_add_test(errors, err_negative);
	tcase_add_test(errors, err_overflow);
	tcase_add_test(errors, err_duplicate_chip_in_file);
	tcase_add_test(errors, err_duplicate_chip_across_files);
	tcase_add_test(errors, err_duplicate_key);
	tcase_add_test(errors, err_missing_required);
	tcase_add_test(errors, err_unknown_key);
	tcase_add_test(errors, err_unknown_checksum);
	tcase_add_test(errors, err_schema_version);
	tcase_add_test(errors, err_base);
	tcase_add_test(errors, err_params);
	tcase_add_test(errors, err_names_and_structure);
	tcase_add_test(errors, err_missing_path);
	tcase_add_test(errors, err_dir_load_is_atomic);
	tcase_add_test(errors, err_loaders);
	suite_add_tcase(s, errors);
	return s;
}

/* IOTFLASH_CHIPDB_PATH (set by the harness) or $top_srcdir/chipdb. */
static void find_chipdb_dir(void)
{
	const char *env = getenv("IOTFLASH_CHIPDB_PATH");
	const char *top = getenv("top_srcdir");
	if (env && *env)  /* a search path: the first entry is the source tree's */
		snprintf(chipdb_dir, sizeof chipdb_dir, "%.*s", (int)strcspn(env, ":"), env);
	else
		snprintf(chipdb_dir, sizeof chipdb_dir, "%s/chipdb", top && *top ? top : ".");
}

int main(void)
{
	find_chipdb_dir();
	SRunner *sr = srunner_create(chipdb_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
