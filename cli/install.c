/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* `iotflash install FIRMWARE [--from-tuya] [--set KEY=VALUE ...]
 * [--obk-config FILE.json]`: a Tuya device to OpenBeken in one session
 * (docs/install.md).  Identify; first-contact full backup; the Tuya
 * template from it; firmware placed by its content; write keeping the
 * bootloader and RF calibration; verify; OpenBeken's configuration; a
 * summary.  Every input is checked before the port opens. */
#include "install.h"
#include "obk.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define STEPS 7

struct install {
	struct cli *c;
	uint8_t *fw;
	size_t fw_len;
	char *obk_json;              /* --obk-config FILE.json, read */
	struct install_place place;
	struct iotflash_identity id;
	struct iotflash_result backup, write, verify, config;
	bool backup_taken;
	char *tuya_json;             /* the template as an obk-config JSON */
	char module[64];
	unsigned tuya_pins;
	const char *tuya_state;      /* "found", "none", "not-beken" */
	uint32_t config_addr;
};

/* Steps go to stdout, or to stderr with --json (stdout is the record). */
static void step(struct install *in, int n, const char *name, const char *fmt, ...) IOTFLASH_PRINTF(4, 5);
static void step(struct install *in, int n, const char *name, const char *fmt, ...)
{
	FILE *f = in->c->json ? stderr : stdout;
	va_list ap;

	cli_progress_end();
	fprintf(f, "[%d/%d] %-9s ", n, STEPS, name);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
}

/* Before the port opens: against the chip, or for a family against each
 * of its chips (the device decides which; checked again after detection). */
static int place_planned(struct install *in)
{
	struct cli *c = in->c;
	const struct iotflash_chip *chip = iotflash_ctx_find_chip(c->ctx, c->chip), *first = NULL;
	char err[512], first_err[512] = "";

	if (chip) {
		if (install_place(c, chip, chip->flash_size, c->args[1], in->fw, in->fw_len, &in->place, err, sizeof(err)))
			return cli_usage_error("%s", err);
		return 0;
	}
	for (unsigned i = 0; (chip = iotflash_ctx_chip(c->ctx, i)); i++) {
		if (strcmp(chip->family, c->chip) != 0)
			continue;
		if (!install_place(c, chip, chip->flash_size, c->args[1], in->fw, in->fw_len, &in->place, err, sizeof(err)))
			return 0;
		if (!first) {
			first = chip;
			snprintf(first_err, sizeof(first_err), "%s", err);
		}
	}
	return cli_usage_error("%s", first_err);
}

/* ---- the steps ---- */

static int prepare(struct install *in)
{
	struct cli *c = in->c;
	const struct iotflash_chip *chip;
	char err[512];
	int rc;

	if (c->nargs != 2)
		return cli_usage_error("install takes one FIRMWARE file: iotflash -p PORT -c bk72xx install OpenBK7231N_QIO.bin");
	if ((rc = cli_check_target(c)))
		return rc;
	if (iotflash_read_file(c->args[1], false, &in->fw, &in->fw_len, err, sizeof(err)) != IOTFLASH_OK)
		return cli_usage_error("%s", err);
	if (in->fw_len == 0)
		return cli_usage_error("%s is empty: nothing to install", c->args[1]);
	chip = iotflash_ctx_find_chip(c->ctx, c->chip);
	if (!chip)  /* a family: checked against its first chip now, the exact one after detection */
		for (unsigned i = 0; (chip = iotflash_ctx_chip(c->ctx, i)); i++)
			if (strcmp(chip->family, c->chip) == 0)
				break;
	if (c->from_tuya && strcmp(chip->family, "bk72xx") != 0)
		return cli_usage_error("--from-tuya reads a Beken Tuya backup: %s is not a Beken chip (give the pins with "
		                       "--set pin.N=ROLE)", chip->name);
	if (c->obk_config) {
		uint8_t *text;
		size_t len;
		if (iotflash_read_file(c->obk_config, false, &text, &len, err, sizeof(err)) != IOTFLASH_OK)
			return cli_usage_error("%s", err);
		if (!(in->obk_json = realloc(text, len + 1)))
			return cli_error("out of memory");
		in->obk_json[len] = '\0';
		if (strlen(in->obk_json) != len)
			return cli_usage_error("%s is not a JSON text file (it holds NUL bytes)", c->obk_config);
	}
	if ((rc = cli_obk_install_check(c, chip, in->obk_json, c->sets, c->nsets)))
		return rc;
	return place_planned(in);
}

static int identify(struct install *in)
{
	struct cli *c = in->c;
	const struct iotflash_chip *chip;
	char err[512];
	int rc;

	if ((rc = cli_open_session(c)))
		return rc;
	chip = iotflash_session_chip(c->session);
	/* the exact chip may lay things out otherwise than the family's first */
	if ((rc = cli_obk_install_check(c, chip, in->obk_json, c->sets, c->nsets)))
		return rc;
	if (install_place(c, chip, iotflash_session_flash_size(c->session), c->args[1], in->fw, in->fw_len, &in->place,
	                  err, sizeof(err)))
		return cli_usage_error("%s", err);
	if (iotflash_session_identify(c->session, &in->id) != IOTFLASH_OK)
		return cli_error("%s", iotflash_ctx_error(c->ctx));
	step(in, 1, "identify", "%s, %u KiB flash (id 0x%06x), MAC %s", chip->name,
	     (unsigned)(iotflash_session_flash_size(c->session) / 1024),
	     (unsigned)iotflash_session_info(c->session)->flash_id, in->id.mac[0] ? in->id.mac : "unknown");
	return 0;
}

static int backup(struct install *in)
{
	struct cli *c = in->c;
	struct iotflash_op_opts o = cli_op_opts(c);

	if (c->no_backup) {
		step(in, 2, "backup", "skipped (--no-backup): nothing keeps the original firmware");
		return 0;
	}
	if (iotflash_backup_full(c->session, &o, &in->backup, &in->backup_taken) != IOTFLASH_OK)
		return cli_error("first-contact backup: %s", iotflash_ctx_error(c->ctx));
	step(in, 2, "backup", "%s %s", in->backup.backup_path,
	     in->backup_taken ? "(the whole chip, read now)" : "(already on disk: not read again)");
	return 0;
}

static int tuya(struct install *in)
{
	struct cli *c = in->c;
	const struct iotflash_chip *chip = iotflash_session_chip(c->session);
	char err[512];
	uint8_t *dump;
	size_t len;
	int rc;

	in->tuya_state = "none";
	if (strcmp(chip->family, "bk72xx") != 0) {
		in->tuya_state = "not-beken";
		step(in, 3, "tuya", "not read: the Tuya store format is known for Beken chips only");
		return 0;
	}
	if (!in->backup.backup_path[0]) {
		if (c->from_tuya)
			return cli_error("--from-tuya needs the first-contact backup: drop --no-backup");
		step(in, 3, "tuya", "not read (no backup)");
		return 0;
	}
	if (iotflash_read_file(in->backup.backup_path, false, &dump, &len, err, sizeof(err)) != IOTFLASH_OK)
		return cli_error("%s", err);
	rc = cli_tuya_obk_from_dump(dump, len, chip->name, &in->tuya_json, in->module, sizeof(in->module), &in->tuya_pins,
	                            err, sizeof(err));
	free(dump);
	if (rc == IOTFLASH_ERR_NOMEM)
		return cli_error("out of memory");
	if (rc != IOTFLASH_OK) {
		if (c->from_tuya)
			return cli_error("--from-tuya: no Tuya configuration in %s (%s); drop --from-tuya and give the pins "
			                 "with --set pin.N=ROLE", in->backup.backup_path, err);
		step(in, 3, "tuya", "no Tuya configuration in the backup (%s)", err);
		return 0;
	}
	in->tuya_state = "found";
	step(in, 3, "tuya", "module %s, %u pins with OpenBeken roles%s", in->module[0] ? in->module : "(unnamed)",
	     in->tuya_pins, c->from_tuya ? " (used: --from-tuya)" : " (not used without --from-tuya)");
	return 0;
}

static int write_firmware(struct install *in)
{
	struct cli *c = in->c;
	struct iotflash_op_opts o = cli_op_opts(c);
	const struct install_place *p = &in->place;

	step(in, 4, "write", "%s image %s: 0x%06x..0x%06x (%u bytes)%s", p->kind, c->args[1], (unsigned)p->addr,
	     (unsigned)(p->addr + p->len - 1), (unsigned)p->len,
	     strcmp(p->kind, "qio") == 0 ? "; the chip's bootloader and RF calibration are kept" : "");
	if (iotflash_write(c->session, p->addr, p->data, p->len, &o, &in->write) != IOTFLASH_OK)
		return cli_error("writing the firmware: %s", iotflash_ctx_error(c->ctx));
	cli_progress_end();
	return 0;
}

static int verify(struct install *in)
{
	struct cli *c = in->c;
	struct iotflash_op_opts o = cli_op_opts(c);
	const struct install_place *p = &in->place;

	if (iotflash_verify(c->session, p->addr, p->data, p->len, &o, &in->verify) != IOTFLASH_OK)
		return cli_error("verifying the firmware: %s", iotflash_ctx_error(c->ctx));
	cli_progress_end();
	step(in, 5, "verify", "0x%06x..0x%06x matches %s (%s)", (unsigned)p->addr, (unsigned)(p->addr + p->len - 1),
	     c->args[1], in->write.unproven ? "acknowledged only: this chip cannot be read back" : "device-side checksum");
	return 0;
}

static int configure(struct install *in)
{
	struct cli *c = in->c;
	const char *base = c->from_tuya ? in->tuya_json : NULL;
	int rc;

	if (!base && !in->obk_json && c->nsets == 0) {
		step(in, 6, "config", "nothing to write (no --from-tuya, --obk-config or --set)");
		return 0;
	}
	if ((rc = cli_obk_install_write(c, base, in->obk_json, c->sets, c->nsets, &in->config_addr, &in->config)))
		return rc;
	step(in, 6, "config", "OpenBeken configuration at 0x%06x:%s%s%s%s", (unsigned)in->config_addr,
	     base ? " Tuya template" : "", in->obk_json ? " " : "", in->obk_json ? c->obk_config : "",
	     c->nsets ? " --set" : "");
	return 0;
}

static void result_json(const char *name, const struct iotflash_result *r)
{
	printf(", \"%s\": {\"size\": %llu, \"moved\": %llu, \"skipped\": %llu, \"retries\": %u, \"seconds\": %.3f, "
	       "\"verified\": %s}", name, (unsigned long long)r->bytes, (unsigned long long)r->moved,
	       (unsigned long long)r->skipped, r->retries, r->seconds, r->verified ? "true" : "false");
}

static void summary(struct install *in, int done, int rc)
{
	struct cli *c = in->c;
	const struct iotflash_chip *chip = c->session ? iotflash_session_chip(c->session) : NULL;

	if (c->json) {
		printf("{\"command\": \"install\", \"ok\": %s, \"chip\": ", rc == 0 ? "true" : "false");
		json_string(stdout, chip ? chip->name : c->chip);
		printf(", \"steps_done\": %d, \"mac\": ", done);
		if (in->id.mac[0])
			json_string(stdout, in->id.mac);
		else
			printf("null");
		printf(", \"identity\": ");
		json_string(stdout, in->id.basis ? in->id.basis : "");
		printf(", \"backup\": ");
		if (in->backup.backup_path[0])
			json_string(stdout, in->backup.backup_path);
		else
			printf("null");
		printf(", \"backup_taken\": %s", in->backup_taken ? "true" : "false");
		printf(", \"firmware\": {\"file\": ");
		json_string(stdout, c->args[1]);
		printf(", \"kind\": ");
		json_string(stdout, in->place.kind ? in->place.kind : "");
		printf(", \"address\": %u, \"size\": %u}", (unsigned)in->place.addr, (unsigned)in->place.len);
		if (done >= 4)
			result_json("write", &in->write);
		if (done >= 5)
			result_json("verify", &in->verify);
		printf(", \"tuya\": {\"state\": ");
		json_string(stdout, in->tuya_state ? in->tuya_state : "none");
		printf(", \"module\": ");
		json_string(stdout, in->module);
		printf(", \"pins\": %u, \"used\": %s}", in->tuya_pins, c->from_tuya && in->tuya_json ? "true" : "false");
		if (done >= 6 && in->config.bytes) {
			printf(", \"config\": {\"address\": %u", (unsigned)in->config_addr);
			result_json("write", &in->config);
			printf("}");
		}
		if (rc != 0) {
			printf(", \"error\": ");
			json_string(stdout, iotflash_ctx_error(c->ctx));
		}
		printf("}\n");
		return;
	}
	if (rc != 0)
		return;
	step(in, 7, "done", "%s installed on %s, verified", c->args[1], chip->name);
	printf("Chip:     %s\nMAC:      %s\nBackup:   %s\nFirmware: %s (%s) at 0x%06x, %u bytes, verified\n", chip->name,
	       in->id.mac[0] ? in->id.mac : "unknown (the backup is named after the flash content)",
	       in->backup.backup_path[0] ? in->backup.backup_path : "none (--no-backup)", c->args[1], in->place.kind,
	       (unsigned)in->place.addr, (unsigned)in->place.len);
	if (in->config.bytes)
		printf("Config:   OpenBeken configuration at 0x%06x\n", (unsigned)in->config_addr);
}

int cli_install(struct cli *c)
{
	struct install in;
	int (*const steps[])(struct install *) = {identify, backup, tuya, write_firmware, verify, configure};
	int rc, done = 0;

	memset(&in, 0, sizeof(in));
	in.c = c;
	if ((rc = prepare(&in)))
		goto out;  /* nothing touched: no record */
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if ((rc = steps[i](&in))) {
			if (c->session)
				summary(&in, done, rc);
			goto out;
		}
		done++;
	}
	summary(&in, done, 0);
out:
	free(in.fw);
	free(in.obk_json);
	free(in.tuya_json);
	return rc;
}
