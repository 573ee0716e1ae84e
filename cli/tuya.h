/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Offline commands over flash backups: `tuya-config` (the Tuya template,
 * pins and OpenBeken roles) and `beken-crypt` (Beken code encryption). */
#ifndef IOTFLASH_CLI_TUYA_H
#define IOTFLASH_CLI_TUYA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit status of tuya-config when damage was worked around: the output
 * holds what could be recovered. */
#define EXIT_TUYA_PARTIAL 3

/* `iotflash tuya-config BACKUP`: results on stdout, one `iotflash: ...`
 * line per error/warning on stderr; returns the process exit status. */
int cli_tuya_config(const char *backup_path, bool json, bool openbeken, bool show_secrets);
/* The same over a dump in memory (right after read-flash); label names it. */
int cli_tuya_config_mem(const uint8_t *dump, size_t len, const char *label, bool json,
                        bool openbeken, bool show_secrets);
/* `iotflash beken-crypt ...`: argv[0] is "beken-crypt"; parses its own options. */
int cli_beken_crypt(int argc, char **argv);

#endif
