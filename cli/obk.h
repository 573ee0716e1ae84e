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

/* install: check --obk-config's JSON and each --set KEY=VALUE against the
 * chip's platform before the port opens ... */
int cli_obk_install_check(struct cli *c, const struct iotflash_chip *chip, const char *json, char **sets, int nsets);
/* ... then, on the device: its configuration (a damaged or missing one
 * starts from OpenBeken's defaults), base applied (the Tuya template's JSON,
 * or NULL), then json, then sets; written through the engine.  *addr: where
 * it lies; r: the write's result (r->bytes 0 when nothing changed). */
int cli_obk_install_write(struct cli *c, const char *base, const char *json, char **sets, int nsets, uint32_t *addr,
                          struct iotflash_result *r);
/* The Tuya template of a flash dump as an obk-config JSON for chip
 * (malloc'ed); IOTFLASH_ERR_UNSUPPORTED with err when there is no Tuya store. */
int cli_tuya_obk_from_dump(const uint8_t *dump, size_t len, const char *chip, char **json, char *module,
                           size_t module_len, unsigned *npins, char *err, size_t errlen);

#endif
