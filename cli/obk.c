/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* OpenBeken's configuration on a device or in a backup: obk-config show,
 * write and set, write-flash --obk-config, tuya-config --obk-json.  The
 * format is libiotflash-formats' (iotflash/openbeken.h); where it lies is
 * the chip database's `obk-config` layout entry. */
#include "obk.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <iotflash/openbeken.h>
#include <iotflash/tuya.h>

/* Where the chip keeps it: platform and layout region, or a usage error. */
static int locate(struct cli *c, const struct iotflash_chip *chip, const struct iotflash_obk_platform **plat,
                  const struct iotflash_region **region)
{
	/* The loader's key-value store: the value is the blob, at no flash address. */
	static const struct iotflash_region kv_value = {"obk-config", 0, IOTFLASH_OBK_CONFIG_SIZE, false};

	*plat = iotflash_obk_platform(chip->name);
	*region = *plat && (*plat)->storage == IOTFLASH_OBK_KV ? &kv_value : iotflash_chip_layout(chip, "obk-config");
	if (!*plat || !*region)
		return cli_usage_error("%s: OpenBeken keeps no configuration this tool knows where to find on %s "
		                       "(chips: bk7231t/u/n, bk7238, bk7252, ln882h, w800, bl602, bl616, rtl8710b, "
		                       "rtl8720c, rtl8720d, rtl8721da, rtl8720e)", c->args[0], chip->name);
	if ((*plat)->storage == IOTFLASH_OBK_RAW && (*region)->size < (*plat)->offset + IOTFLASH_OBK_CONFIG_SIZE)
		return cli_error("chip database: the obk-config region of %s (%u bytes) is too small", chip->name,
		                 (unsigned)(*region)->size);
	return 0;
}

/* Bouffalo: the PSM partition the device's partition table names, which
 * may differ from the database's default layout (docs/protocols/obk-config.md §8.6).
 * read(user, addr, buf) fetches one 4 KiB table copy. */
static const struct iotflash_region *bouffalo_area(const struct iotflash_chip *chip,
                                                   const struct iotflash_obk_platform *plat,
                                                   const struct iotflash_region *dflt,
                                                   bool (*read)(void *user, uint32_t addr, uint8_t *buf),
                                                   void *user)
{
	static struct iotflash_region psm;
	static const char *const copies[] = {"partition0", "partition1"};
	uint8_t table[4096];

	if (plat->storage != IOTFLASH_OBK_EASYFLASH || strcmp(plat->ef_key, "mY0bcFg") != 0)
		return dflt;
	for (size_t i = 0; i < 2; i++) {
		const struct iotflash_region *r = iotflash_chip_layout(chip, copies[i]);
		uint32_t addr, size;
		if (r && read(user, r->start, table) && iotflash_obk_bouffalo_psm(table, sizeof(table), &addr, &size)) {
			psm = (struct iotflash_region){"obk-config", addr, size, false};
			return &psm;
		}
	}
	fprintf(stderr, "iotflash: no valid Bouffalo partition table: using the default PSM partition at 0x%06x\n",
	        (unsigned)dflt->start);
	return dflt;
}

struct file_reader {
	const uint8_t *data;
	size_t len;
};

static bool read_from_file(void *user, uint32_t addr, uint8_t *buf)
{
	const struct file_reader *f = user;
	if ((size_t)addr + 4096 > f->len)
		return false;
	memcpy(buf, f->data + addr, 4096);
	return true;
}

static bool read_from_device(void *user, uint32_t addr, uint8_t *buf)
{
	struct cli *c = user;
	return iotflash_read_to_mem(c->session, addr, 4096, buf, NULL, NULL) == IOTFLASH_OK;
}

/* The exact chip from -c without a device (a family cannot be told offline). */
static int offline_chip(struct cli *c, const struct iotflash_chip **chip)
{
	if (!c->chip)
		return cli_usage_error("%s needs --chip NAME: where the configuration lies depends on the chip", c->args[0]);
	if (iotflash_ctx_load_chipdb(c->ctx) != IOTFLASH_OK)
		return cli_error("%s", iotflash_ctx_error(c->ctx));
	if (!(*chip = iotflash_ctx_find_chip(c->ctx, c->chip))) {
		if (iotflash_ctx_is_family(c->ctx, c->chip))
			return cli_usage_error("'%s' is a family: give the exact chip of the backup with -c (see "
			                       "`iotflash list-chips`)", c->chip);
		return cli_usage_error("unknown chip '%s': `iotflash list-chips` lists the chips", c->chip);
	}
	return 0;
}

static int read_json_file(const char *path, char **text)
{
	uint8_t *data;
	size_t len;
	char err[512];
	char *t;

	if (iotflash_read_file(path, false, &data, &len, err, sizeof(err)) != IOTFLASH_OK)
		return cli_usage_error("%s", err);
	if (memchr(data, 0, len)) {
		free(data);
		return cli_usage_error("%s is not a JSON text file (it holds NUL bytes)", path);
	}
	if (!(t = realloc(data, len + 1))) {
		free(data);
		return cli_error("out of memory");
	}
	t[len] = '\0';
	*text = t;
	return 0;
}

/* What to do with the configuration once it is decoded. */
enum action { SHOW, WRITE, SET };

struct job {
	enum action action;
	const char *json;    /* WRITE (and install: --obk-config) */
	char **assign;       /* SET (and install: --set) */
	int nassign;
	const char *where;   /* for messages: the backup file or "the device" */
	/* install: the Tuya template's JSON applied first; a damaged
	 * configuration is replaced (the full backup keeps it); results go
	 * to the caller, nothing printed */
	const char *base;
	bool install;
	struct iotflash_result *r;
	uint32_t *addr;
};

/* Check every input against a configuration of the platform before
 * anything is read or written. */
static int check_input(const struct iotflash_obk_platform *plat, const struct job *j, const char *label)
{
	struct iotflash_obk_config cfg;
	char err[512];

	iotflash_obk_init(&cfg, plat);
	if (j->json && iotflash_obk_from_json(&cfg, j->json, err, sizeof(err)) != IOTFLASH_OK)
		return cli_usage_error("%s: %s", label, err);
	for (int i = 0; i < j->nassign; i++)
		if (iotflash_obk_set_assignment(&cfg, j->assign[i], err, sizeof(err)) != IOTFLASH_OK)
			return cli_usage_error("%s", err);
	return 0;
}

static void show_text(const struct iotflash_obk_config *cfg, const struct iotflash_region *region, bool secrets)
{
	const struct iotflash_obk_platform *p = cfg->plat;
	static const char *const keys[] = {"wifi.ssid", "wifi.password", "mqtt.host", "mqtt.port", "mqtt.user",
	                                   "mqtt.password", "mqtt.client_id", "mqtt.group", "name.short", "name.long",
	                                   "startup_command"};
	char key[16], val[1600];

	if (p->storage == IOTFLASH_OBK_KV)
		printf("# OpenBeken configuration of %s in the loader's key-value store, key %s (layout group %c, %s "
		       "CRC-8 0x%02x, version %d)\n", p->chip, p->ef_key, p->group, p->crc_signed ? "signed" : "unsigned",
		       cfg->blob[3], (int)iotflash_obk_version(cfg));
	else
		printf("# OpenBeken configuration of %s at 0x%06x (%s, layout group %c, %s CRC-8 0x%02x, version %d)\n",
		       p->chip, (unsigned)(region->start + p->offset),
		       p->storage == IOTFLASH_OBK_RAW ? "raw" : p->ef_gran == 8 ? "EasyFlash key mY0bcFg" : "EasyFlash key ObkCfg",
		       p->group, p->crc_signed ? "signed" : "unsigned", cfg->blob[3], (int)iotflash_obk_version(cfg));
	/* KEY=VALUE lines, the form `obk-config set` takes */
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strstr(keys[i], "password") && !secrets)
			printf("# %s: hidden (--show-secrets prints it)\n", keys[i]);
		else if (iotflash_obk_get(cfg, keys[i], val, sizeof(val)) == IOTFLASH_OK)
			printf("%s=%s\n", keys[i], val);
	}
	for (unsigned i = 0; i < p->gpio_max; i++) {
		snprintf(key, sizeof(key), "pin.%u", i);
		if (iotflash_obk_get(cfg, key, val, sizeof(val)) == IOTFLASH_OK && val[0])
			printf("%s=%s\n", key, val);
	}
	for (unsigned i = 0; i < 64; i++) {
		snprintf(key, sizeof(key), "flag.%u", i);
		if (iotflash_obk_get(cfg, key, val, sizeof(val)) == IOTFLASH_OK && val[0] == '1')
			printf("%s=1\n", key);
	}
}

/* Decode, change and encode the configuration area (area holds it as read).
 * Returns 0 and sets *changed for WRITE/SET; prints for SHOW. */
static int apply(struct cli *c, const struct job *j, const struct iotflash_obk_platform *plat,
                 const struct iotflash_region *region, uint8_t *area, bool *changed)
{
	struct iotflash_obk_config cfg;
	char err[512];
	int rc = iotflash_obk_decode(&cfg, plat, area, region->size, err, sizeof(err));

	*changed = false;
	if (j->action == SHOW) {
		char *json;
		if (rc != IOTFLASH_OK)
			return cli_error("%s at 0x%06x: %s", j->where, (unsigned)(region->start + plat->offset), err);
		if (!c->json) {
			show_text(&cfg, region, c->show_secrets);
			return 0;
		}
		if (iotflash_obk_to_json(&cfg, c->show_secrets, &json) != IOTFLASH_OK)
			return cli_error("out of memory");
		/* the schema's object, with where it was found (a key-value store has no address) */
		if (plat->storage == IOTFLASH_OBK_KV)
			printf("%s\n", json);
		else
			printf("{\"address\": %u, %s\n", (unsigned)(region->start + plat->offset), json + 1);
		free(json);
		return 0;
	}
	if (rc == IOTFLASH_ERR_CHECKSUM && !c->force && !j->install)
		return cli_error("%s at 0x%06x: %s; --force replaces it, starting from OpenBeken's defaults", j->where,
		                 (unsigned)(region->start + plat->offset), err);
	if (rc != IOTFLASH_OK) {
		if (!j->install)
			fprintf(stderr, "iotflash: %s holds no valid OpenBeken configuration: starting from OpenBeken's defaults\n",
			        j->where);
		iotflash_obk_init(&cfg, plat);
	}
	if (j->base && iotflash_obk_from_json(&cfg, j->base, err, sizeof(err)) != IOTFLASH_OK)
		return cli_error("the configuration from the Tuya template: %s", err);
	if (j->json && iotflash_obk_from_json(&cfg, j->json, err, sizeof(err)) != IOTFLASH_OK)
		return cli_usage_error("%s", err);
	for (int i = 0; i < j->nassign; i++)
		if (iotflash_obk_set_assignment(&cfg, j->assign[i], err, sizeof(err)) != IOTFLASH_OK)
			return cli_usage_error("%s", err);
	iotflash_obk_set_version(&cfg, 5);  /* as the firmware saves it: honours every field (§2.1) */
	if (iotflash_obk_encode(&cfg, area, region->size, err, sizeof(err)) != IOTFLASH_OK)
		return cli_error("%s: %s", j->where, err);
	*changed = true;
	return 0;
}

static int on_image(struct cli *c, const struct job *j, const char *path)
{
	const struct iotflash_chip *chip;
	const struct iotflash_obk_platform *plat;
	const struct iotflash_region *region;
	uint8_t *data;
	size_t len;
	char err[512];
	bool changed;
	int rc;

	if ((rc = offline_chip(c, &chip)) || (rc = locate(c, chip, &plat, &region)) ||
	    (rc = check_input(plat, j, j->json ? c->args[2] : "obk-config")))
		return rc;
	if (plat->storage == IOTFLASH_OBK_KV)
		return cli_usage_error("%s keeps OpenBeken's configuration in its loader's key-value store, whose on-flash "
		                       "format is not known: use --port PORT to reach it through the loader", chip->name);
	if (iotflash_read_file(path, false, &data, &len, err, sizeof(err)) != IOTFLASH_OK)
		return cli_usage_error("%s", err);
	{
		struct file_reader f = {data, len};
		region = bouffalo_area(chip, plat, region, read_from_file, &f);
	}
	if (len < (size_t)region->start + region->size) {
		free(data);
		return cli_usage_error("%s (%zu bytes) ends before the OpenBeken configuration area of %s at 0x%06x-0x%06x: "
		                       "give a full backup (read-flash 0 all)", path, len, chip->name,
		                       (unsigned)region->start, (unsigned)(region->start + region->size - 1));
	}
	rc = apply(c, j, plat, region, data + region->start, &changed);
	if (!rc && changed) {
		if (iotflash_write_file_atomic(path, data, len, 0600, err, sizeof(err)) != IOTFLASH_OK)
			rc = cli_error("%s", err);
		else if (c->json) {  /* the configuration as written, as show prints it */
			struct job shown = {SHOW, NULL, NULL, 0, path, NULL, false, NULL, NULL};
			rc = apply(c, &shown, plat, region, data + region->start, &changed);
		} else
			printf("Wrote the OpenBeken configuration of %s into %s at 0x%06x\n", chip->name, path,
			       (unsigned)(region->start + plat->offset));
	}
	free(data);
	return rc;
}

/* The loader's key-value store: get the value, apply, set it (one transfer:
 * no backup or skipping; the value is read back to check it). */
static int on_device_kv(struct cli *c, const struct job *j, const struct iotflash_obk_platform *plat,
                        const struct iotflash_region *region)
{
	uint8_t area[IOTFLASH_OBK_CONFIG_SIZE], back[IOTFLASH_OBK_CONFIG_SIZE];
	size_t len = 0;
	bool changed;
	int rc = iotflash_kv_get(c->session, plat->ef_key, area, sizeof(area), &len);

	if (rc == IOTFLASH_ERR_UNSUPPORTED && j->action != SHOW)
		len = 0;  /* no value yet: start from OpenBeken's defaults */
	else if (rc != IOTFLASH_OK)
		return cli_error("reading key %s: %s", plat->ef_key, iotflash_ctx_error(c->ctx));
	memset(area + len, 0xFF, sizeof(area) - len);
	if ((rc = apply(c, j, plat, region, area, &changed)) || !changed)
		return rc;
	if (iotflash_kv_set(c->session, plat->ef_key, area, sizeof(area)) != IOTFLASH_OK)
		return cli_error("writing key %s: %s", plat->ef_key, iotflash_ctx_error(c->ctx));
	if (iotflash_kv_get(c->session, plat->ef_key, back, sizeof(back), &len) != IOTFLASH_OK || len != sizeof(back) ||
	    memcmp(back, area, sizeof(back)) != 0)
		return cli_error("key %s reads back differently after the write: %s", plat->ef_key,
		                 iotflash_ctx_error(c->ctx));
	if (c->json) {
		struct job shown = {.action = SHOW, .where = "the device"};
		return apply(c, &shown, plat, region, area, &changed);
	}
	printf("Wrote the OpenBeken configuration of %s into key %s of the loader's key-value store\n", plat->chip,
	       plat->ef_key);
	return 0;
}

/* Read the area, apply, write it back through the engine: backup,
 * skipping of unchanged blocks and verification as for write-flash. */
static int on_device(struct cli *c, const struct job *j)
{
	struct iotflash_op_opts o = {cli_progress, c, c->no_skip, c->no_backup, c->backup_dir, c->force, NULL};
	const struct iotflash_obk_platform *plat;
	const struct iotflash_region *region;
	const struct iotflash_chip *chip;
	struct iotflash_result r;
	uint8_t *area;
	bool changed;
	int rc;

	chip = iotflash_session_chip(c->session);
	if ((rc = locate(c, chip, &plat, &region)) || (rc = check_input(plat, j, "the configuration")))
		return rc;
	if (plat->storage == IOTFLASH_OBK_KV)
		return on_device_kv(c, j, plat, region);
	region = bouffalo_area(chip, plat, region, read_from_device, c);
	if ((uint64_t)region->start + region->size > iotflash_session_flash_size(c->session))
		return cli_error("the configuration area 0x%06x is past the end of the %u KiB flash",
		                 (unsigned)region->start, (unsigned)(iotflash_session_flash_size(c->session) / 1024));
	if (!(area = malloc(region->size)))
		return cli_error("out of memory");
	rc = iotflash_read_to_mem(c->session, region->start, region->size, area, &o, &r);
	cli_progress_end();
	if (rc != IOTFLASH_OK) {
		free(area);
		return cli_error("reading the configuration area: %s", iotflash_ctx_error(c->ctx));
	}
	rc = apply(c, j, plat, region, area, &changed);
	if (j->addr)
		*j->addr = region->start + plat->offset;
	if (!rc && changed && j->install) {
		if (iotflash_write(c->session, region->start, area, region->size, &o, j->r) != IOTFLASH_OK)
			rc = cli_error("writing the configuration: %s", iotflash_ctx_error(c->ctx));
		cli_progress_end();
	} else if (!rc && changed) {
		int err = iotflash_write(c->session, region->start, area, region->size, &o, &r);
		cli_progress_end();
		if (c->json)
			print_result_json("obk-config", &r, region->start, NULL, chip->name, err,
			                  err ? iotflash_ctx_error(c->ctx) : NULL);
		if (err != IOTFLASH_OK)
			rc = cli_error("writing the configuration: %s", iotflash_ctx_error(c->ctx));
		else if (!c->json)
			printf("Wrote the OpenBeken configuration of %s at 0x%06x%s%s\n", chip->name,
			       (unsigned)(region->start + plat->offset), r.backup_path[0] ? " (old content in " : "",
			       r.backup_path[0] ? r.backup_path : "");
		if (!rc && !c->json && r.backup_path[0])
			printf(")\n");
	}
	free(area);
	return rc;
}

static int open_device(struct cli *c)
{
	struct iotflash_open_opts o = {c->port, c->chip, c->baud, c->loader, c->force};
	const struct iotflash_chip *chip;

	if (!c->chip)
		return cli_usage_error("obk-config needs --chip NAME (see `iotflash list-chips`), and --port or --image FILE");
	if (!c->port)
		return cli_usage_error("obk-config needs --port PORT for a device, or --image FILE for a backup");
	if (iotflash_ctx_load_chipdb(c->ctx) != IOTFLASH_OK)
		return cli_error("%s", iotflash_ctx_error(c->ctx));
	chip = iotflash_ctx_find_chip(c->ctx, c->chip);
	if (!chip && !iotflash_ctx_is_family(c->ctx, c->chip))
		return cli_usage_error("unknown chip '%s': `iotflash list-chips` lists the chips and families", c->chip);
	if (chip) {
		const struct iotflash_obk_platform *p;
		const struct iotflash_region *r;
		int rc = locate(c, chip, &p, &r);
		if (rc)
			return rc;
	}
	if (iotflash_session_open(c->ctx, &o, &c->session) != IOTFLASH_OK) {
		c->session = NULL;
		return cli_error("%s", iotflash_ctx_error(c->ctx));
	}
	return 0;
}

int cli_obk_config(struct cli *c)
{
	struct job j = {SHOW, NULL, NULL, 0, NULL, NULL, false, NULL, NULL};
	char *text = NULL;
	const char *sub = c->nargs > 1 ? c->args[1] : "";
	int rc;

	if (strcmp(sub, "show") == 0) {
		if (c->nargs != 2)
			return cli_usage_error("obk-config show takes no more arguments");
	} else if (strcmp(sub, "write") == 0) {
		if (c->nargs != 3)
			return cli_usage_error("obk-config write takes one FILE.json: iotflash obk-config write config.json");
		if ((rc = read_json_file(c->args[2], &text)))
			return rc;
		j.action = WRITE;
		j.json = text;
	} else if (strcmp(sub, "set") == 0) {
		if (c->nargs < 3)
			return cli_usage_error("obk-config set takes KEY=VALUE...: e.g. wifi.ssid=MyWiFi pin.8=Relay:1");
		j.action = SET;
		j.assign = c->args + 2;
		j.nassign = c->nargs - 2;
	} else {
		return cli_usage_error("obk-config takes show, write FILE.json or set KEY=VALUE... (got '%s')", sub);
	}
	if (c->image) {
		j.where = c->image;
		rc = on_image(c, &j, c->image);
	} else {
		j.where = "the device";
		rc = open_device(c);
		if (!rc)
			rc = on_device(c, &j);
	}
	free(text);
	return rc;
}

int cli_obk_prepare(struct cli *c, const char *path, char **json)
{
	const struct iotflash_chip *chip = iotflash_ctx_find_chip(c->ctx, c->chip);
	const struct iotflash_obk_platform *plat;
	const struct iotflash_region *region;
	struct job j = {WRITE, NULL, NULL, 0, NULL, NULL, false, NULL, NULL};
	int rc;

	if ((rc = read_json_file(path, json)))
		return rc;
	j.json = *json;
	/* A family is resolved at open: checked again then. */
	if (chip && ((rc = locate(c, chip, &plat, &region)) || (rc = check_input(plat, &j, path)))) {
		free(*json);
		*json = NULL;
	}
	return rc;
}

int cli_obk_inject(struct cli *c, const char *path, const char *json)
{
	struct job j = {WRITE, json, NULL, 0, "the device", NULL, false, NULL, NULL};
	(void)path;
	return on_device(c, &j);
}

/* ---- tuya-config --obk-json, install --from-tuya ---- */

/* The template of cfg as an obk-config JSON object on f: names from the
 * module, the pins OpenBeken has roles for (bounded by chip's platform:
 * chip NULL takes the backup's own), the startup commands.  *npins gets
 * the pins written. */
static void tuya_obk_print(FILE *f, const struct iotflash_tuya_config *cfg, const char *chip_name, bool show_secrets,
                           unsigned *npins)
{
	const struct iotflash_obk_platform *plat;
	char chip[16] = "", name[32], longname[64];
	const char *ssid = NULL, *pass = NULL, *module;
	bool first = true;

	*npins = 0;
	snprintf(chip, sizeof(chip), "%s", chip_name ? chip_name : iotflash_tuya_chip(cfg, NULL) ? iotflash_tuya_chip(cfg, NULL) : "");
	for (char *p = chip; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	/* BK7231T and N share group D and 29 GPIOs: either bounds the pins */
	plat = iotflash_obk_platform(*chip ? chip : "bk7231n");
	module = iotflash_tuya_module(cfg);
	/* names: the module's, fit for a host name (short) and as given (long) */
	snprintf(name, sizeof(name), "obk_%s", module && *module ? module : *chip ? chip : "tuya");
	for (char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			*p = '_';
	fputc('{', f);
	if (*chip) {
		fputs("\"chip\": ", f);
		json_string(f, chip);
		fputs(", ", f);
	}
	fputs("\"name\": {\"short\": ", f);
	json_string(f, name);
	fputs(", \"long\": ", f);
	snprintf(longname, sizeof(longname), "OpenBeken %s", module && *module ? module : *chip ? chip : "Tuya device");
	json_string(f, longname);
	fputs("}", f);
	if (show_secrets && iotflash_tuya_wifi(cfg, &ssid, &pass) && ssid) {
		fputs(", \"wifi\": {\"ssid\": ", f);
		json_string(f, ssid);
		fputs(", \"password\": ", f);
		json_string(f, pass ? pass : "");
		fputs("}", f);
	}
	fputs(", \"pin\": {", f);
	for (unsigned i = 0; i < iotflash_tuya_pin_count(cfg); i++) {
		const struct iotflash_tuya_pin *p = iotflash_tuya_pin(cfg, i);
		const char *role = p->obk_role_id > 0 ? iotflash_obk_role_name((unsigned)p->obk_role_id) : NULL;
		if (!role || (plat && p->pin >= plat->gpio_max))
			continue;
		fprintf(f, "%s\"%u\": \"%s", first ? "" : ", ", p->pin, role);
		if (p->obk_channel > 0)
			fprintf(f, ":%d", p->obk_channel);
		fputs("\"", f);
		first = false;
		(*npins)++;
	}
	fputs("}", f);
	if (iotflash_tuya_obk_command_count(cfg)) {
		char cmd[1568] = "";
		size_t used = 0;
		/* one line of OpenBeken's `backlog a; b` */
		for (unsigned i = 0; i < iotflash_tuya_obk_command_count(cfg); i++) {
			int n = snprintf(cmd + used, sizeof(cmd) - used, "%s%s", i ? "; " : "backlog ",
			                 iotflash_tuya_obk_command(cfg, i));
			if (n < 0 || (size_t)n >= sizeof(cmd) - used)
				break;
			used += (size_t)n;
		}
		fputs(", \"startup_command\": ", f);
		json_string(f, cmd);
	}
	fputs("}\n", f);
}

int cli_tuya_obk_json(const char *backup_path, bool show_secrets)
{
	struct iotflash_tuya_config *cfg;
	char err[512];
	uint8_t *dump;
	size_t len;
	unsigned npins;

	if (iotflash_read_file(backup_path, true, &dump, &len, err, sizeof(err)) != IOTFLASH_OK)
		return cli_usage_error("%s", err);
	if (iotflash_tuya_extract(dump, len, &cfg, err, sizeof(err)) != IOTFLASH_OK) {
		free(dump);
		return cli_error("%s: %s", backup_path, err);
	}
	free(dump);
	tuya_obk_print(stdout, cfg, NULL, show_secrets, &npins);
	iotflash_tuya_free(cfg);
	return 0;
}

/* ---- install ---- */

int cli_obk_install_check(struct cli *c, const struct iotflash_chip *chip, const char *json, char **sets, int nsets)
{
	const struct iotflash_obk_platform *plat;
	const struct iotflash_region *region;
	struct job j = {WRITE, json, sets, nsets, NULL, NULL, true, NULL, NULL};
	int rc;

	if ((rc = locate(c, chip, &plat, &region)))
		return rc;
	return check_input(plat, &j, c->obk_config ? c->obk_config : "the configuration");
}

int cli_obk_install_write(struct cli *c, const char *base, const char *json, char **sets, int nsets, uint32_t *addr,
                          struct iotflash_result *r)
{
	struct job j = {WRITE, json, sets, nsets, "the device", base, true, r, addr};
	memset(r, 0, sizeof(*r));
	return on_device(c, &j);
}

int cli_tuya_obk_from_dump(const uint8_t *dump, size_t len, const char *chip, char **json, char *module,
                           size_t module_len, unsigned *npins, char *err, size_t errlen)
{
	struct iotflash_tuya_config *cfg;
	size_t size = 0;
	FILE *f;

	*json = NULL;
	if (iotflash_tuya_extract(dump, len, &cfg, err, errlen) != IOTFLASH_OK)
		return IOTFLASH_ERR_UNSUPPORTED;
	snprintf(module, module_len, "%s", iotflash_tuya_module(cfg) ? iotflash_tuya_module(cfg) : "");
	if (!(f = open_memstream(json, &size))) {
		iotflash_tuya_free(cfg);
		snprintf(err, errlen, "out of memory");
		return IOTFLASH_ERR_NOMEM;
	}
	tuya_obk_print(f, cfg, chip, false, npins);
	fclose(f);
	iotflash_tuya_free(cfg);
	return IOTFLASH_OK;
}
