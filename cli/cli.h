/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The iotflash command: option parsing, commands, progress and output. */
#ifndef IOTFLASH_CLI_H
#define IOTFLASH_CLI_H

#include <stdio.h>
#include <iotflash/iotflash.h>
#include <iotflash/plugin.h>

#define EXIT_FAIL 1   /* the operation failed */
#define EXIT_USAGE 2  /* the command line is wrong */

struct cli {
	struct iotflash_ctx *ctx;
	struct iotflash_session *session;
	const char *chip, *port, *loader, *backup_dir;
	uint32_t baud;
	bool force, no_backup, no_skip, json, tuya_config, openbeken, show_secrets, obk_json;
	const char *image, *obk_config;
	const char *from;  /* rf restore --from BACKUP */  /* obk-config --image FILE; write-flash --obk-config FILE.json */
	bool from_tuya;    /* install --from-tuya */
	char **sets;       /* install --set KEY=VALUE, in order */
	int nsets;
	int verbose;
	char **args;   /* the command and its operands */
	int nargs;
};

/* commands.c */
int cli_run(struct cli *c);
int cli_check_target(struct cli *c);   /* --chip, --port and the database, before the port opens */
int cli_open_session(struct cli *c);
struct iotflash_op_opts cli_op_opts(struct cli *c);
/* loaders.c: `iotflash loaders` */
int cli_loaders(struct cli *c);
/* progress.c: the library's progress callback (bar on a TTY, lines otherwise). */
void cli_progress(void *user, const struct iotflash_progress *p);
void cli_progress_end(void);
/* output.c */
int cli_error(const char *fmt, ...) IOTFLASH_PRINTF(1, 2);          /* prints, returns EXIT_FAIL */
int cli_usage_error(const char *fmt, ...) IOTFLASH_PRINTF(1, 2);    /* prints, returns EXIT_USAGE */
void json_string(FILE *f, const char *s);
void print_result_json(const char *command, const struct iotflash_result *r, uint32_t addr, const char *file,
                       const char *chip, int rc, const char *error);
/* The same with the link rate the operation ended at (0: none). */
void print_result_json_baud(const char *command, const struct iotflash_result *r, uint32_t addr, const char *file,
                            const char *chip, uint32_t baud, int rc, const char *error);
void print_result_text(const char *verb, const struct iotflash_result *r, uint32_t addr, const char *file);

#endif
