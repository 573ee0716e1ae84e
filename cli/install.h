/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* `iotflash install` (cli/install.c). */
#ifndef IOTFLASH_CLI_INSTALL_H
#define IOTFLASH_CLI_INSTALL_H

#include "cli.h"

/* Where a firmware file goes on a chip, told by its content. */
struct install_place {
	const char *kind;     /* "qio" (bootloader + application), "ua" (Beken application), "app" */
	uint32_t addr;
	const uint8_t *data;  /* the part written: a QIO image from its application on */
	uint32_t len;
};

/* Place FIRMWARE (fw, len) on chip; EXIT_USAGE with one line in err when it
 * cannot go there: unknown kind, another chip's image, too big. */
int install_place(struct cli *c, const struct iotflash_chip *chip, uint32_t flash_size, const char *path,
                  const uint8_t *fw, size_t len, struct install_place *pl, char *err, size_t errlen);
/* `iotflash install FIRMWARE [--from-tuya] [--set KEY=VALUE ...] [--obk-config FILE.json]` */
int cli_install(struct cli *c);

#endif
