/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The plugin loader: descriptor checks, then real loading of the test plugins
 * (IOTFLASH_TEST_PLUGINS) and of the in-tree bk72xx plugin when available. */
#include "config.h"

#define _XOPEN_SOURCE 700
#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* ---- fixtures ---- */

static int op_open(struct iotflash_dev *dev, void **priv) { (void)dev; *priv = NULL; return 0; }
static void op_close(void *priv) { (void)priv; }
static int op_detect(void *priv, struct iotflash_chip_info *info) { (void)priv; (void)info; return 0; }
static int op_read(void *priv, uint32_t a, uint8_t *b, uint32_t l) { (void)priv; (void)a; (void)b; (void)l; return 0; }
static int op_write(void *priv, uint32_t a, const uint8_t *b, uint32_t l) { (void)priv; (void)a; (void)b; (void)l; return 0; }
static int op_erase(void *priv, uint32_t a, uint32_t l) { (void)priv; (void)a; (void)l; return 0; }
static int tr_open(const char *p, void **priv, char *e, size_t el) { (void)p; (void)e; (void)el; *priv = NULL; return 0; }
static int tr_read(void *priv, uint8_t *b, size_t l, unsigned t) { (void)priv; (void)b; (void)l; (void)t; return 0; }
static int tr_write(void *priv, const uint8_t *b, size_t l) { (void)priv; (void)b; (void)l; return 0; }
static int tr_baud(void *priv, uint32_t b) { (void)priv; (void)b; return 0; }
static int tr_cs(void *priv, bool a) { (void)priv; (void)a; return 0; }
static int tr_xfer(void *priv, const uint8_t *t, uint8_t *r, size_t l) { (void)priv; (void)t; (void)r; (void)l; return 0; }
static int md_serve(struct iotflash_sim *sim, const struct iotflash_chip *chip) { (void)sim; (void)chip; return 0; }

static struct iotflash_driver drv;
static struct iotflash_transport stream, spi;
static struct iotflash_model_ops model;
static const struct iotflash_driver *drivers[] = { &drv, NULL };
static const struct iotflash_transport *transports[] = { &stream, &spi, NULL };
static const struct iotflash_model_ops *models[] = { &model, NULL };
static struct iotflash_plugin desc;

/* A complete, valid descriptor; each test breaks one thing. */
static void make_good(void)
{
	drv = (struct iotflash_driver){ .name = "drv", .open = op_open, .close = op_close,
		.detect = op_detect, .read = op_read, .write = op_write, .erase = op_erase };
	stream = (struct iotflash_transport){ .name = "uart", .kind = IOTFLASH_TRANSPORT_STREAM,
		.open = tr_open, .close = op_close, .read = tr_read, .write = tr_write, .set_baud = tr_baud };
	spi = (struct iotflash_transport){ .name = "spi", .kind = IOTFLASH_TRANSPORT_SPI,
		.open = tr_open, .close = op_close, .spi_cs = tr_cs, .spi_xfer = tr_xfer };
	model = (struct iotflash_model_ops){ .family = "fam", .serve = md_serve };
	desc = (struct iotflash_plugin){ IOTFLASH_PLUGIN_ABI_MAJOR, IOTFLASH_PLUGIN_ABI_MINOR,
		sizeof(struct iotflash_plugin), "good", "test", "1", drivers, transports, models };
}

static int check(char *err)
{
	return plugin_check_descriptor(&desc, "/x/good.so", err, ERRLEN);
}

static const char *test_dir(void)
{
	const char *dir = getenv("IOTFLASH_TEST_PLUGINS");

	ck_assert_msg(dir && *dir, "IOTFLASH_TEST_PLUGINS is not set");
	return dir;
}

static char *make_tmpdir(void)
{
	char *dir = strdup("/tmp/iotflash-test-plugins-XXXXXX");

	ck_assert_ptr_nonnull(dir);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static void rm_tree(char *dir)
{
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[8192];
	ssize_t n;
	int in = open(from, O_RDONLY), out;

	ck_assert_msg(in >= 0, "cannot open %s", from);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ck_assert_int_ge(out, 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ck_assert_int_eq(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
	ck_assert_int_eq(chmod(to, mode), 0);
}

/* Copy the noop test plugin's shared object into dir as noop.so. */
static void copy_noop(const char *dir, mode_t mode)
{
	char from[4096], to[4096];

	snprintf(from, sizeof(from), "%s/noop.so", test_dir());
	snprintf(to, sizeof(to), "%s/noop.so", dir);
	copy_file(from, to, mode);
}

static int load_from(const char *dir, const char *name, const struct iotflash_plugin **p, char *err)
{
	const char *dirs[] = { dir, NULL };
	struct plugin_set *ps;
	int rc;

	ck_assert_int_eq(plugin_set_new(&ps, dirs), IOTFLASH_OK);
	rc = plugin_set_load(ps, name, p, err, ERRLEN);
	plugin_set_free(ps);
	return rc;
}

/* ---- descriptor checks ---- */

START_TEST(desc_good)
{
	char err[ERRLEN] = "";

	make_good();
	ck_assert_int_eq(check(err), IOTFLASH_OK);
	desc.drivers = NULL;
	desc.transports = NULL;
	desc.models = NULL;
	ck_assert_int_eq(check(err), IOTFLASH_OK);
	drv.verify = NULL;  /* optional: the core reads back */
	ck_assert_int_eq(check(err), IOTFLASH_OK);
	/* A newer minor with a longer struct is still the same ABI. */
	make_good();
	desc.abi_minor = 7;
	desc.struct_size += 64;
	ck_assert_int_eq(check(err), IOTFLASH_OK);
}
END_TEST

START_TEST(desc_abi_major)
{
	char err[ERRLEN] = "";

	make_good();
	desc.abi_major = IOTFLASH_PLUGIN_ABI_MAJOR + 1;
	desc.abi_minor = 0;
	desc.struct_size = 0;  /* must not matter: the major is checked first */
	ck_assert_int_eq(check(err), IOTFLASH_ERR_ABI);
	ck_assert_msg(strstr(err, "/x/good.so") && strstr(err, "3.0") && strstr(err, "2.x"), "%s", err);
	desc.abi_major = 1;  /* before the model services table */
	desc.abi_minor = 1;
	ck_assert_int_eq(check(err), IOTFLASH_ERR_ABI);
	ck_assert_msg(strstr(err, "1.1") && strstr(err, "2.x"), "%s", err);
	desc.abi_major = 0;
	ck_assert_int_eq(check(err), IOTFLASH_ERR_ABI);
}
END_TEST

START_TEST(desc_short_struct)
{
	char err[ERRLEN] = "";

	make_good();
	desc.struct_size = sizeof(struct iotflash_plugin) - sizeof(void *);
	ck_assert_int_eq(check(err), IOTFLASH_ERR_ABI);
	ck_assert_msg(strstr(err, "/x/good.so"), "%s", err);
}
END_TEST

START_TEST(desc_missing_ops)
{
	char err[ERRLEN] = "";

	make_good();
	drv.read = NULL;
	ck_assert_int_eq(check(err), IOTFLASH_ERR_PLUGIN);
	ck_assert_msg(strstr(err, "drv") && strstr(err, "read"), "%s", err);
	make_good();
	drv.erase = NULL;
	ck_assert_int_eq(check(err), IOTFLASH_ERR_PLUGIN);
	make_good();
	drv.name = NULL;
	ck_assert_int_eq(check(err), IOTFLASH_ERR_PLUGIN);
	make_good();
	stream.set_baud = NULL;
	ck_assert_int_eq(check(err), IOTFLASH_ERR_PLUGIN);
	ck_assert_msg(strstr(err, "set_baud"), "%s", err);
	make_good();
	spi.spi_cs = NULL;
	ck_assert_int_eq(check(err), IOTFLASH_ERR_PLUGIN);
	make_good();
	spi.read = NULL;  /* a SPI transport needs no stream ops */
	ck_assert_int_eq(check(err), IOTFLASH_OK);
	make_good();
	model.serve = NULL;
	ck_assert_int_eq(check(err), IOTFLASH_ERR_PLUGIN);
	make_good();
	model.family = NULL;
	ck_assert_int_eq(check(err), IOTFLASH_ERR_PLUGIN);
	make_good();
	desc.name = NULL;
	ck_assert_int_eq(check(err), IOTFLASH_ERR_PLUGIN);
	ck_assert_int_eq(plugin_check_descriptor(NULL, "f.so", err, ERRLEN), IOTFLASH_ERR_PLUGIN);
}
END_TEST

/* ---- loading real files ---- */

START_TEST(load_badabi)
{
	const struct iotflash_plugin *p = (const void *)1;
	char err[ERRLEN] = "";

	ck_assert_int_eq(load_from(test_dir(), "badabi", &p, err), IOTFLASH_ERR_ABI);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err, "badabi.la") && strstr(err, "1.1") && strstr(err, "2.x"), "%s", err);
}
END_TEST

START_TEST(load_nosymbol)
{
	char err[ERRLEN] = "";

	ck_assert_int_eq(load_from(test_dir(), "nosymbol", NULL, err), IOTFLASH_ERR_PLUGIN);
	ck_assert_msg(strstr(err, "nosymbol.la") && strstr(err, "no symbol iotflash_plugin"), "%s", err);
}
END_TEST

START_TEST(load_shortstruct)
{
	char err[ERRLEN] = "";

	ck_assert_int_eq(load_from(test_dir(), "shortstruct", NULL, err), IOTFLASH_ERR_ABI);
	ck_assert_msg(strstr(err, "shortstruct.la"), "%s", err);
}
END_TEST

START_TEST(load_good_once)
{
	const char *dirs[] = { "/nonexistent-iotflash", test_dir(), NULL };
	const struct iotflash_plugin *p = NULL, *again = NULL;
	struct plugin_set *ps;
	const char *path = NULL;
	char err[ERRLEN] = "";

	ck_assert_int_eq(plugin_set_new(&ps, dirs), IOTFLASH_OK);
	ck_assert_int_eq(plugin_set_load(ps, "noop", &p, err, sizeof(err)), IOTFLASH_OK);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->name, "noop");
	ck_assert_int_eq(plugin_set_load(ps, "noop", &again, err, sizeof(err)), IOTFLASH_OK);
	ck_assert_ptr_eq(p, again);
	ck_assert_uint_eq(plugin_set_count(ps), 1);
	ck_assert_ptr_eq(plugin_set_get(ps, 0, &path), p);
	ck_assert_msg(strstr(path, "noop.la"), "%s", path);  /* .la preferred over .so */
	ck_assert_ptr_null(plugin_set_get(ps, 1, NULL));
	ck_assert_int_eq(plugin_set_load(ps, "missing", NULL, err, sizeof(err)), IOTFLASH_ERR_PLUGIN);
	ck_assert_msg(strstr(err, "not found") && strstr(err, "/nonexistent-iotflash"), "%s", err);
	ck_assert_int_eq(plugin_set_load(ps, "../noop", NULL, err, sizeof(err)), IOTFLASH_ERR_ARG);
	plugin_set_free(ps);
}
END_TEST

START_TEST(load_not_a_library)
{
	char *dir = make_tmpdir(), path[4096], err[ERRLEN] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/fake.so", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("this is not a shared object\n", f);
	fclose(f);
	ck_assert_int_eq(load_from(dir, "fake", NULL, err), IOTFLASH_ERR_PLUGIN);
	ck_assert_msg(strstr(err, path) && strstr(err, "cannot load"), "%s", err);
	rm_tree(dir);
}
END_TEST

static void count_world_writable(void *user, const char *msg)
{
	if (strstr(msg, "world-writable"))
		++*(unsigned *)user;
}

START_TEST(refuse_world_writable)
{
	char *dir = make_tmpdir(), err[ERRLEN] = "";
	const char *dirs[2] = { dir, NULL };
	struct plugin_set *ps;
	unsigned warned = 0;
	char path[4096];

	copy_noop(dir, 0644);
	ck_assert_int_eq(load_from(dir, "noop", NULL, err), IOTFLASH_OK);
	ck_assert_int_eq(chmod(dir, 0777), 0);
	ck_assert_int_eq(load_from(dir, "noop", NULL, err), IOTFLASH_ERR_PLUGIN);
	ck_assert_msg(strstr(err, "world-writable") && strstr(err, "chmod o-w") && strstr(err, dir), "%s", err);
	/* The sticky bit (as on /tmp) does not make it safe. */
	ck_assert_int_eq(chmod(dir, 01777), 0);
	ck_assert_int_eq(load_from(dir, "noop", NULL, err), IOTFLASH_ERR_PLUGIN);
	/* load_all skips the directory with a warning. */
	ck_assert_int_eq(plugin_set_new(&ps, dirs), IOTFLASH_OK);
	ck_assert_int_eq(plugin_set_load_all(ps, count_world_writable, &warned), IOTFLASH_OK);
	ck_assert_uint_eq(plugin_set_count(ps), 0);
	ck_assert_uint_eq(warned, 1);
	plugin_set_free(ps);
	/* A safe directory holding a world-writable file. */
	ck_assert_int_eq(chmod(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/noop.so", dir);
	ck_assert_int_eq(chmod(path, 0666), 0);
	ck_assert_int_eq(load_from(dir, "noop", NULL, err), IOTFLASH_ERR_PLUGIN);
	ck_assert_msg(strstr(err, path) && strstr(err, "world-writable"), "%s", err);
	rm_tree(dir);
}
END_TEST

START_TEST(never_current_directory)
{
	char *here = make_tmpdir(), *empty = make_tmpdir(), err[ERRLEN] = "", old[4096];
	const char *dirs[] = { "", empty, NULL };
	struct plugin_set *ps;

	copy_noop(here, 0644);
	ck_assert_ptr_nonnull(getcwd(old, sizeof(old)));
	ck_assert_int_eq(chdir(here), 0);
	ck_assert_int_eq(plugin_set_new(&ps, dirs), IOTFLASH_OK);
	ck_assert_int_eq(plugin_set_load(ps, "noop", NULL, err, sizeof(err)), IOTFLASH_ERR_PLUGIN);
	ck_assert_msg(strstr(err, "not found"), "%s", err);
	ck_assert_int_eq(plugin_set_load_all(ps, NULL, NULL), IOTFLASH_OK);
	ck_assert_uint_eq(plugin_set_count(ps), 0);
	plugin_set_free(ps);
	ck_assert_int_eq(plugin_set_new(&ps, NULL), IOTFLASH_OK);
	ck_assert_int_eq(plugin_set_load(ps, "noop", NULL, err, sizeof(err)), IOTFLASH_ERR_PLUGIN);
	plugin_set_free(ps);
	ck_assert_int_eq(chdir(old), 0);
	rm_tree(here);
	rm_tree(empty);
}
END_TEST

struct warnings {
	unsigned n;
	bool badabi, nosymbol, shortstruct;
};

static void collect(void *user, const char *msg)
{
	struct warnings *w = user;

	w->n++;
	w->badabi |= strstr(msg, "badabi.la") && strstr(msg, "1.1");
	w->nosymbol |= strstr(msg, "nosymbol.la") && strstr(msg, "no symbol");
	w->shortstruct |= strstr(msg, "shortstruct.la") != NULL;
}

START_TEST(load_all_dedupe)
{
	char *first = make_tmpdir();
	const char *dirs[] = { first, test_dir(), NULL };
	struct warnings w = { 0 };
	struct plugin_set *ps;
	const char *path = NULL;

	copy_noop(first, 0644);
	ck_assert_int_eq(plugin_set_new(&ps, dirs), IOTFLASH_OK);
	ck_assert_int_eq(plugin_set_load_all(ps, collect, &w), IOTFLASH_OK);
	/* Only noop is valid; it comes from the first directory, once. */
	ck_assert_uint_eq(plugin_set_count(ps), 1);
	ck_assert_str_eq(plugin_set_get(ps, 0, &path)->name, "noop");
	ck_assert_msg(strncmp(path, first, strlen(first)) == 0, "%s", path);
	/* Each broken plugin is reported once, not once per .la and .so. */
	ck_assert_uint_eq(w.n, 3);
	ck_assert(w.badabi && w.nosymbol && w.shortstruct);
	plugin_set_free(ps);
	rm_tree(first);
}
END_TEST

/* The real bk72xx plugin, when the harness puts it on IOTFLASH_PLUGIN_PATH. */
START_TEST(load_bk72xx)
{
	const char *env = getenv("IOTFLASH_PLUGIN_PATH");
	const char *dirs[32];
	const struct iotflash_plugin *p = NULL;
	struct plugin_set *ps;
	char *copy, *save = NULL, err[ERRLEN] = "";
	unsigned n = 0;
	int rc;

	if (!env || !strstr(env, "bk72xx"))
		return;  /* plugin not built in this configuration */
	copy = strdup(env);
	ck_assert_ptr_nonnull(copy);
	for (char *d = strtok_r(copy, ":", &save); d && n < 31; d = strtok_r(NULL, ":", &save))
		dirs[n++] = d;
	dirs[n] = NULL;
	ck_assert_int_eq(plugin_set_new(&ps, dirs), IOTFLASH_OK);
	rc = plugin_set_load(ps, "bk72xx", &p, err, sizeof(err));
	ck_assert_msg(rc == IOTFLASH_OK, "%s", err);
	ck_assert_str_eq(p->name, "bk72xx");
	plugin_set_free(ps);
	free(copy);
}
END_TEST

/* ---- context logging (how load_all's warnings reach the front end) ---- */

struct logged {
	unsigned n;
	enum iotflash_log_level level;
	char domain[32], msg[256];
};

static void on_log(void *user, enum iotflash_log_level level, const char *domain, const char *msg)
{
	struct logged *l = user;

	l->n++;
	l->level = level;
	snprintf(l->domain, sizeof(l->domain), "%s", domain);
	snprintf(l->msg, sizeof(l->msg), "%s", msg);
}

static void on_notice(void *user, const char *msg)
{
	(void)user;
	(void)msg;
}

START_TEST(ctx_logging)
{
	struct iotflash_ctx ctx;
	struct logged l = { 0 };

	memset(&ctx, 0, sizeof(ctx));
	ctx_log(&ctx, IOTFLASH_LOG_ERROR, "plugins", "dropped: no callback");  /* must not crash */
	iotflash_ctx_set_log(&ctx, IOTFLASH_LOG_INFO, on_log, on_notice, &l);
	ck_assert_ptr_eq(ctx.log_fn, on_log);
	ck_assert_ptr_eq(ctx.notice_fn, on_notice);
	ck_assert_ptr_eq(ctx.log_user, &l);
	ctx_log(&ctx, IOTFLASH_LOG_WARN, "plugins", "%s: %d", "x.so", 42);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_int_eq(l.level, IOTFLASH_LOG_WARN);
	ck_assert_str_eq(l.domain, "plugins");
	ck_assert_str_eq(l.msg, "x.so: 42");
	ctx_log(&ctx, IOTFLASH_LOG_INFO, "core", "at the limit");
	ck_assert_uint_eq(l.n, 2);
	ctx_log(&ctx, IOTFLASH_LOG_DEBUG, "core", "above the limit");
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.msg, "at the limit");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plugins");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, desc_good);
	tcase_add_test(tc, desc_abi_major);
	tcase_add_test(tc, desc_short_struct);
	tcase_add_test(tc, desc_missing_ops);
	tcase_add_test(tc, load_badabi);
	tcase_add_test(tc, load_nosymbol);
	tcase_add_test(tc, load_shortstruct);
	tcase_add_test(tc, load_good_once);
	tcase_add_test(tc, load_not_a_library);
	tcase_add_test(tc, refuse_world_writable);
	tcase_add_test(tc, never_current_directory);
	tcase_add_test(tc, load_all_dedupe);
	tcase_add_test(tc, load_bk72xx);
	tcase_add_test(tc, ctx_logging);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
