/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The Beken RF calibration sector on a device (cli/rf.c). */
#ifndef IOTFLASH_CLI_RF_H
#define IOTFLASH_CLI_RF_H

#include "cli.h"

/* chip-id: 0 when the chip has no `rf` region; 1 with mac set to the MAC of
 * the RF sector, or "" when it is blank or invalid; -1 when reading failed
 * (the context's error says why). */
int cli_rf_mac(struct cli *c, char *mac, size_t len);
/* `iotflash rf restore --from BACKUP` */
int cli_rf(struct cli *c);

#endif
