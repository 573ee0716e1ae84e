/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* OpenBeken configuration commands (cli/obk.c). */
#ifndef IOTFLASH_CLI_OBK_H
#define IOTFLASH_CLI_OBK_H

#include "cli.h"

/* `iotflash obk-config show|write FILE.json|set KEY=VALUE...` [--image FILE]. */
int cli_obk_config(struct cli *c);
/* write-flash --obk-config FILE.json: read and check the file against the
 * planned chip before the port is opened (*json malloc'ed) ... */
int cli_obk_prepare(struct cli *c, const char *path, char **json);
/* ... and write it into the device's configuration area in the open session. */
int cli_obk_inject(struct cli *c, const char *path, const char *json);
/* `tuya-config BACKUP --obk-json`: an obk-config JSON from a Tuya backup. */
int cli_tuya_obk_json(const char *backup_path, bool show_secrets);

#endif
