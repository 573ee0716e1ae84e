/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The commands.  Every operand is validated before the port is opened, so
 * bad input never touches the flash. */
#include "cli.h"
#include "tuya.h"
#include "obk.h"
#include "rf.h"
#include "install.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct image {
	uint32_t addr;
	const char *path;
	uint8_t *data;
	size_t len;
};

static int need_args(struct cli *c, int n, const char *synopsis)
{
	if (c->nargs - 1 != n)
		return cli_usage_error("%s takes %d argument%s: %s", c->args[0], n, n == 1 ? "" : "s", synopsis);
	return 0;
}

static int parse_number(const char *what, const char *s, uint32_t *out)
{
	if (!iotflash_parse_u32(s, out))
		return cli_usage_error("invalid %s '%s': use 0x hex, decimal or a k/M suffix (0x11000, 4096, 4k, 2M)", what, s);
	return 0;
}

static const struct iotflash_chip *planned_chip(struct cli *c)
{
	const struct iotflash_chip *chip = iotflash_ctx_find_chip(c->ctx, c->chip);
	if (!chip && iotflash_ctx_is_family(c->ctx, c->chip))
		for (unsigned i = 0; (chip = iotflash_ctx_chip(c->ctx, i)); i++)
			if (strcmp(chip->family, c->chip) == 0)
				break;
	return chip;
}

/* --chip and --port are checked, and the database loaded, before anything runs. */
int cli_check_target(struct cli *c)
{
	if (!c->chip)
		return cli_usage_error("%s needs --chip NAME (see `iotflash list-chips`)", c->args[0]);
	if (!c->port)
		return cli_usage_error("%s needs --port PORT (see `iotflash list-ports`)", c->args[0]);
	if (iotflash_ctx_load_chipdb(c->ctx) != IOTFLASH_OK)
		return cli_error("%s", iotflash_ctx_error(c->ctx));
	if (!planned_chip(c))
		return cli_usage_error("unknown chip '%s': `iotflash list-chips` lists the chips and families", c->chip);
	return 0;
}

int cli_open_session(struct cli *c)
{
	struct iotflash_open_opts o = {c->port, c->chip, c->baud, c->loader, c->force};
	if (iotflash_session_open(c->ctx, &o, &c->session) != IOTFLASH_OK) {
		c->session = NULL;
		return cli_error("%s", iotflash_ctx_error(c->ctx));
	}
	return 0;
}

struct iotflash_op_opts cli_op_opts(struct cli *c)
{
	struct iotflash_op_opts o = {cli_progress, c, c->no_skip, c->no_backup, c->backup_dir, c->force, NULL};
	return o;
}

static int finish(struct cli *c, const char *cmd, int rc, const struct iotflash_result *r, uint32_t addr,
                  const char *file)
{
	const char *err = rc == IOTFLASH_OK ? NULL : iotflash_ctx_error(c->ctx);
	cli_progress_end();
	if (c->json)
		print_result_json_baud(cmd, r, addr, file, c->session ? iotflash_session_chip(c->session)->name : c->chip,
		                       c->session ? iotflash_session_baud(c->session) : 0, rc, err);
	if (rc != IOTFLASH_OK)
		return cli_error("%s", err);
	return 0;
}

static int cmd_chip_id(struct cli *c, bool flash_only)
{
	const struct iotflash_chip_info *in;
	const struct iotflash_chip *chip;
	char mac[18] = "";
	bool has_rf;
	int rc;

	if ((rc = need_args(c, 0, "")) || (rc = cli_check_target(c)) || (rc = cli_open_session(c)))
		return rc;
	in = iotflash_session_info(c->session);
	chip = iotflash_session_chip(c->session);
	if (!flash_only && (rc = cli_rf_mac(c, mac, sizeof(mac))) < 0)
		return cli_error("%s", iotflash_ctx_error(c->ctx));
	has_rf = !flash_only && rc > 0;
	if (c->json) {
		/* The canonical name, however it was spelled (chip_id). */
		printf("{\"command\": \"%s\", \"ok\": true, \"chip\": \"%s\", \"family\": \"%s\", \"protocol\": ",
		       flash_only ? "flash-id" : "chip-id", chip->name, chip->family);
		json_string(stdout, chip->protocol ? chip->protocol : "");
		printf(", \"chip_id\": \"0x%x\", \"bootloader\": ", (unsigned)in->chip_id);
		json_string(stdout, in->loader_version);
		printf(", \"flash_id\": \"0x%06x\", \"flash_name\": ", (unsigned)in->flash_id);
		json_string(stdout, in->flash ? in->flash->name : "");
		printf(", \"flash_size\": %u, \"baud\": %u, \"extra\": ", (unsigned)iotflash_session_flash_size(c->session),
		       (unsigned)iotflash_session_baud(c->session));
		json_string(stdout, in->extra);
		if (has_rf) {  /* Beken: the Wi-Fi MAC of the RF calibration sector, null when there is none */
			printf(", \"mac\": ");
			if (mac[0])
				json_string(stdout, mac);
			else
				printf("null");
		}
		printf("}\n");
		return 0;
	}
	if (!flash_only) {
		printf("Chip:       %s (%s)%s%s\n", chip->name, chip->description ? chip->description : chip->family,
		       chip->protocol ? ", protocol " : "", chip->protocol ? chip->protocol : "");
		if (in->chip_id)
			printf("Chip id:    0x%x\n", (unsigned)in->chip_id);
		if (in->loader_version[0])
			printf("Bootloader: %s\n", in->loader_version);
		if (in->extra[0])
			printf("Details:    %s\n", in->extra);
		if (has_rf)
			printf("MAC:        %s\n", mac[0] ? mac : "none (RF calibration sector blank or invalid)");
	}
	if (in->flash_id)
		printf("Flash id:   0x%06x (%s)\n", (unsigned)in->flash_id, in->flash ? in->flash->name : "not in the database");
	else
		printf("Flash id:   not reported by this chip's bootloader\n");
	printf("Flash size: %u KiB\n", (unsigned)(iotflash_session_flash_size(c->session) / 1024));
	if (!flash_only)
		printf("Link:       %u baud\n", (unsigned)iotflash_session_baud(c->session));
	return 0;
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* An output path must be creatable before we spend minutes reading, and must
 * not be one of the inputs: the output is renamed over its final name. */
static int check_output(struct cli *c, const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (c->port && (strcmp(path, c->port) == 0 || same_file(path, c->port)))
		return cli_usage_error("output %s is the serial port: give another file name", path);
	if (c->loader && (strcmp(path, c->loader) == 0 || same_file(path, c->loader)))
		return cli_usage_error("output %s is the --loader file: give another file name", path);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return cli_usage_error("output %s is a directory: give a file name", path);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return cli_usage_error("output %s is a device or FIFO, not a regular file: give a file name", path);
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return cli_usage_error("output %s is a symbolic link: give the file name itself", path);
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return cli_usage_error("cannot create %s: directory %s does not exist", path, dir);
	if (access(dir, W_OK) != 0)
		return cli_usage_error("cannot create %s: no permission to write in %s", path, dir);
	return 0;
}

static int cmd_read(struct cli *c)
{
	struct iotflash_op_opts o = cli_op_opts(c);
	struct iotflash_result r;
	uint32_t addr, size = 0;
	const char *file;
	bool all;
	int rc;

	if ((rc = need_args(c, 3, "ADDR SIZE FILE")))
		return rc;
	file = c->args[3];
	all = strcmp(c->args[2], "all") == 0;
	if ((rc = parse_number("address", c->args[1], &addr)) || (!all && (rc = parse_number("size", c->args[2], &size))))
		return rc;
	if (!all && size == 0)
		return cli_usage_error("size is 0: nothing to read");
	if ((rc = check_output(c, file)) || (rc = cli_check_target(c)) || (rc = cli_open_session(c)))
		return rc;
	if (all) {
		uint32_t fs = iotflash_session_flash_size(c->session);
		if (addr >= fs)
			return cli_error("address 0x%x is past the end of the %u KiB flash", (unsigned)addr, (unsigned)(fs / 1024));
		size = fs - addr;
	}
	rc = iotflash_read_to_file(c->session, addr, size, file, &o, &r);
	if ((rc = finish(c, "read-flash", rc, &r, addr, file)))
		return rc;
	if (!c->json)
		print_result_text("Read", &r, addr, file);
	if (c->tuya_config) {
		uint8_t *data;
		size_t len;
		char err[512];
		if (iotflash_read_file(file, false, &data, &len, err, sizeof(err)) != IOTFLASH_OK)
			return cli_error("%s", err);
		rc = cli_tuya_config_mem(data, len, file, c->json, c->openbeken, c->show_secrets);
		free(data);
	}
	return rc;
}

static int load_image(struct image *im, const char *path, char **all_paths, int n_paths)
{
	char err[512];
	for (int i = 0; i < n_paths; i++)
		if (all_paths[i] != path && strcmp(all_paths[i], path) != 0 && same_file(all_paths[i], path))
			break;
	if (iotflash_read_file(path, false, &im->data, &im->len, err, sizeof(err)) != IOTFLASH_OK)
		return cli_usage_error("%s", err);
	if (im->len == 0)
		return cli_usage_error("%s is empty: nothing to write", path);
	if (im->len > UINT32_MAX)
		return cli_usage_error("%s is larger than 4 GiB", path);
	im->path = path;
	return 0;
}

/* Images must fit the flash the database knows and must not overlap. */
static int check_images(struct cli *c, struct image *im, int n, uint32_t flash_size)
{
	for (int i = 0; i < n; i++) {
		uint64_t end = (uint64_t)im[i].addr + im[i].len;
		if (im[i].len > flash_size)
			return cli_usage_error("%s (%zu bytes) is larger than the %u KiB flash", im[i].path, im[i].len,
			                       (unsigned)(flash_size / 1024));
		if (end > flash_size)
			return cli_usage_error("%s at 0x%x reaches 0x%llx, past the end of the %u KiB flash", im[i].path,
			                       (unsigned)im[i].addr, (unsigned long long)end - 1, (unsigned)(flash_size / 1024));
		for (int j = 0; j < i; j++)
			if (im[i].addr < im[j].addr + im[j].len && im[j].addr < end)
				return cli_usage_error("%s and %s overlap", im[j].path, im[i].path);
	}
	(void)c;
	return 0;
}

static void free_images(struct image *im, int n)
{
	for (int i = 0; i < n; i++)
		free(im[i].data);
	free(im);
}

static int cmd_write(struct cli *c)
{
	struct iotflash_op_opts o = cli_op_opts(c);
	struct iotflash_result r;
	int n = (c->nargs - 1) / 2, rc = 0;
	struct image *im;
	char *obk_json = NULL;

	if (c->nargs < 3 || (c->nargs - 1) % 2 != 0)
		return cli_usage_error("write-flash takes ADDR FILE pairs: write-flash 0x11000 app.bin [ADDR FILE ...]");
	if (!(im = calloc((size_t)n, sizeof(*im))))
		return cli_error("out of memory");
	for (int i = 0; i < n && !rc; i++)
		if (!(rc = parse_number("address", c->args[1 + 2 * i], &im[i].addr)))
			rc = load_image(&im[i], c->args[2 + 2 * i], c->args, c->nargs);
	if (!rc)
		rc = cli_check_target(c);
	if (!rc)
		rc = check_images(c, im, n, planned_chip(c)->flash_size);
	if (!rc && c->obk_config)
		rc = cli_obk_prepare(c, c->obk_config, &obk_json);
	if (!rc)
		rc = cli_open_session(c);
	if (!rc)
		rc = check_images(c, im, n, iotflash_session_flash_size(c->session));
	for (int i = 0; i < n && !rc; i++) {
		int err = iotflash_write(c->session, im[i].addr, im[i].data, (uint32_t)im[i].len, &o, &r);
		if ((rc = finish(c, "write-flash", err, &r, im[i].addr, im[i].path)))
			break;
		if (!c->json)
			print_result_text("Wrote", &r, im[i].addr, im[i].path);
	}
	/* the configuration right after the firmware, in the same session */
	if (!rc && obk_json)
		rc = cli_obk_inject(c, c->obk_config, obk_json);
	free(obk_json);
	free_images(im, n);
	return rc;
}

static int cmd_verify(struct cli *c)
{
	struct iotflash_op_opts o = cli_op_opts(c);
	struct iotflash_result r;
	struct image im = {0, NULL, NULL, 0};
	int rc;

	if ((rc = need_args(c, 2, "ADDR FILE")) || (rc = parse_number("address", c->args[1], &im.addr)) ||
	    (rc = load_image(&im, c->args[2], c->args, c->nargs)) || (rc = cli_check_target(c)) ||
	    (rc = check_images(c, &im, 1, planned_chip(c)->flash_size)) || (rc = cli_open_session(c))) {
		free(im.data);
		return rc;
	}
	rc = iotflash_verify(c->session, im.addr, im.data, (uint32_t)im.len, &o, &r);
	free(im.data);
	if ((rc = finish(c, "verify-flash", rc, &r, im.addr, c->args[2])))
		return rc;
	if (!c->json)
		printf("Flash at 0x%06x matches %s (%zu bytes, device-side checksum)\n", (unsigned)im.addr, c->args[2],
		       (size_t)r.bytes);
	return 0;
}

static int cmd_erase_region(struct cli *c)
{
	struct iotflash_op_opts o = cli_op_opts(c);
	struct iotflash_result r;
	uint32_t addr, size;
	int rc;

	if ((rc = need_args(c, 2, "ADDR SIZE")) || (rc = parse_number("address", c->args[1], &addr)) ||
	    (rc = parse_number("size", c->args[2], &size)))
		return rc;
	if (size == 0)
		return cli_usage_error("size is 0: nothing to erase");
	if ((rc = cli_check_target(c)) || (rc = cli_open_session(c)))
		return rc;
	rc = iotflash_erase(c->session, addr, size, &o, &r);
	if ((rc = finish(c, "erase-region", rc, &r, addr, NULL)))
		return rc;
	if (!c->json)
		print_result_text("Erased", &r, addr, NULL);
	return 0;
}

static int cmd_erase_flash(struct cli *c)
{
	struct iotflash_op_opts o = cli_op_opts(c);
	struct iotflash_result r;
	int rc;

	if ((rc = need_args(c, 0, "")) || (rc = cli_check_target(c)) || (rc = cli_open_session(c)))
		return rc;
	rc = iotflash_erase_chip(c->session, &o, &r);
	if ((rc = finish(c, "erase-flash", rc, &r, 0, NULL)))
		return rc;
	if (!c->json)
		print_result_text("Erased", &r, 0, NULL);
	return 0;
}

static int cmd_list_chips(struct cli *c)
{
	const struct iotflash_chip *chip;
	if (iotflash_ctx_load_chipdb(c->ctx) != IOTFLASH_OK)
		return cli_error("%s", iotflash_ctx_error(c->ctx));
	if (c->json)
		printf("[");
	for (unsigned i = 0; (chip = iotflash_ctx_chip(c->ctx, i)); i++) {
		if (c->json) {
			printf("%s{\"name\": \"%s\", \"family\": \"%s\", \"plugin\": \"%s\", \"flash_size\": %u, \"max_baud\": %u, "
			       "\"description\": ", i ? ", " : "", chip->name, chip->family, chip->plugin,
			       (unsigned)chip->flash_size, (unsigned)chip->max_baud);
			json_string(stdout, chip->description);
			printf("}");
		} else {
			printf("%-12s %-10s %-36s %5u KiB  up to %u baud\n", chip->name, chip->family,
			       chip->description ? chip->description : "", (unsigned)(chip->flash_size / 1024),
			       (unsigned)chip->max_baud);
		}
	}
	if (c->json)
		printf("]\n");
	return 0;
}

/* The file stem ("bk72xx" of ".../bk72xx.so"): what chip records name in
 * their `plugin` field. */
static void plugin_stem(const char *path, char *stem, size_t len)
{
	const char *base = strrchr(path, '/');
	const char *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	snprintf(stem, len, "%.*s", dot ? (int)(dot - base) : (int)strlen(base), base);
}

/* The chips of the database the plugin serves, space-separated (a
 * database that does not load leaves the list empty, never an error). */
static void served_chips(struct cli *c, const struct iotflash_plugin_desc *d, bool json)
{
	const struct iotflash_chip *chip;
	char stem[256];
	unsigned n = 0;

	plugin_stem(d->path, stem, sizeof(stem));
	for (unsigned i = 0; (chip = iotflash_ctx_chip(c->ctx, i)); i++) {
		if (!chip->plugin || (strcmp(chip->plugin, stem) != 0 && strcmp(chip->plugin, d->name) != 0))
			continue;
		if (json) {
			fputs(n ? ", " : "", stdout);
			json_string(stdout, chip->name);
		} else {
			printf("%s%s", n ? " " : "", chip->name);
		}
		n++;
	}
	if (!json && n == 0)
		fputs("(none in the chip database)", stdout);
}

static void plugin_json(struct cli *c, const struct iotflash_plugin_desc *d, bool first)
{
	printf("%s{\"name\": ", first ? "" : ", ");
	json_string(stdout, d->name);
	printf(", \"loaded\": true, \"version\": ");
	json_string(stdout, d->version);
	printf(", \"abi\": \"%u.%u\", \"path\": ", d->abi_major, d->abi_minor);
	json_string(stdout, d->path);
	printf(", \"description\": ");
	json_string(stdout, d->description);
	printf(", \"drivers\": ");
	json_string(stdout, d->drivers);
	printf(", \"transports\": ");
	json_string(stdout, d->transports);
	printf(", \"models\": ");
	json_string(stdout, d->models);
	printf(", \"chips\": [");
	served_chips(c, d, true);
	printf("]}");
}

static void plugin_text(struct cli *c, const struct iotflash_plugin_desc *d)
{
	printf("%-10s %s\n", d->name, d->description);
	printf("           file: %s\n", d->path);
	printf("           version: %s (ABI %u.%u)\n", *d->version ? d->version : "unknown", d->abi_major,
	       d->abi_minor);
	printf("           chips: ");
	served_chips(c, d, false);
	printf("\n");
	if (*d->drivers)
		printf("           drivers: %s\n", d->drivers);
	if (*d->transports)
		printf("           transports: %s\n", d->transports);
	if (*d->models)
		printf("           device models: %s\n", d->models);
}

static int cmd_list_plugins(struct cli *c)
{
	const struct iotflash_plugin_desc *d;
	const char *path, *reason;
	unsigned i, f;

	if (iotflash_ctx_load_all_plugins(c->ctx) != IOTFLASH_OK)
		return cli_error("%s", iotflash_ctx_error(c->ctx));
	if (c->json)
		printf("[");
	for (i = 0; (d = iotflash_ctx_plugin(c->ctx, i)); i++) {
		if (c->json)
			plugin_json(c, d, i == 0);
		else
			plugin_text(c, d);
	}
	/* Files that did not load: listed with the loader's reason. */
	for (f = 0; iotflash_ctx_plugin_failure(c->ctx, f, &path, &reason); f++) {
		if (c->json) {
			printf("%s{\"loaded\": false, \"path\": ", i + f ? ", " : "");
			json_string(stdout, path);
			printf(", \"error\": ");
			json_string(stdout, reason);
			printf("}");
		} else {
			printf("failed:    %s: %s\n", path, reason);
		}
	}
	if (c->json)
		printf("]\n");
	return 0;
}

struct port_list {
	unsigned n;
	bool json;
};

static void emit_port(void *user, const char *port, const char *desc)
{
	struct port_list *l = user;

	if (l->json) {
		printf("%s{\"port\": ", l->n ? ", " : "");
		json_string(stdout, port);
		printf(", \"description\": ");
		json_string(stdout, desc ? desc : "");
		printf("}");
	} else {
		printf("%-20s %s\n", port, desc ? desc : "");
	}
	l->n++;
}

static int cmd_list_ports(struct cli *c)
{
	struct port_list l = {0, c->json};
	int rc;

	if (c->json)
		printf("[");
	rc = iotflash_ctx_list_ports(c->ctx, emit_port, &l);
	if (c->json)
		printf("]\n");
	if (rc != IOTFLASH_OK)
		return cli_error("%s", iotflash_ctx_error(c->ctx));
	if (l.n == 0)
		fprintf(stderr, "iotflash: no serial ports found (is the USB-UART adapter plugged in?)\n");
	return 0;
}

static int cmd_tuya(struct cli *c)
{
	if (c->nargs != 2)
		return cli_usage_error("tuya-config takes one BACKUP file: iotflash tuya-config backup.bin");
	if (c->obk_json)
		return cli_tuya_obk_json(c->args[1], c->show_secrets);
	return cli_tuya_config(c->args[1], c->json, c->openbeken, c->show_secrets);
}

int cli_run(struct cli *c)
{
	static const struct {
		const char *name;
		int (*run)(struct cli *c);
	} cmds[] = {
		{"read-flash", cmd_read},           {"write-flash", cmd_write},
		{"verify-flash", cmd_verify},       {"erase-region", cmd_erase_region},
		{"erase-flash", cmd_erase_flash},   {"list-chips", cmd_list_chips},
		{"list-plugins", cmd_list_plugins}, {"list-ports", cmd_list_ports},
		{"tuya-config", cmd_tuya},          {"loaders", cli_loaders},
		{"obk-config", cli_obk_config},     {"rf", cli_rf},
		{"install", cli_install},
	};
	char name[64];

	snprintf(name, sizeof(name), "%s", c->args[0]);
	for (char *p = name; *p; p++)
		if (*p == '_')
			*p = '-';
	if ((c->nsets || c->from_tuya) && strcmp(name, "install") != 0)
		return cli_usage_error("--set and --from-tuya are options of install (obk-config set takes KEY=VALUE... as "
		                       "arguments)");
	if (strcmp(name, "chip-id") == 0 || strcmp(name, "flash-id") == 0)
		return cmd_chip_id(c, strcmp(name, "flash-id") == 0);
	if (strcmp(name, "beken-crypt") == 0)
		return cli_beken_crypt(c->nargs, c->args);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(name, cmds[i].name) == 0)
			return cmds[i].run(c);
	return cli_usage_error("unknown command '%s' (see iotflash --help)", c->args[0]);
}
