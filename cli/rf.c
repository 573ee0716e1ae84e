/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The Beken RF calibration sector (docs/protocols/beken-rf.md): the MAC for
 * chip-id, and `rf restore`, which writes a backup's sector back.  The chip
 * database names the sector's address: the protected region `rf`. */
#include "rf.h"

#include <iotflash/beken.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct iotflash_region *rf_region(const struct iotflash_chip *chip, const char *name)
{
	for (unsigned i = 0; i < chip->n_protected; i++)
		if (strcmp(chip->protected_regions[i].name, name) == 0)
			return &chip->protected_regions[i];
	return NULL;
}

int cli_rf_mac(struct cli *c, char *mac, size_t len)
{
	const struct iotflash_region *rf = rf_region(iotflash_session_chip(c->session), "rf");
	struct iotflash_beken_rf_info info;
	uint8_t sector[IOTFLASH_BEKEN_RF_SIZE];
	char text[18];

	mac[0] = '\0';
	if (!rf || rf->size < IOTFLASH_BEKEN_RF_SIZE ||
	    (uint64_t)rf->start + IOTFLASH_BEKEN_RF_SIZE > iotflash_session_flash_size(c->session))
		return 0;
	if (iotflash_read_to_mem(c->session, rf->start, IOTFLASH_BEKEN_RF_SIZE, sector, NULL, NULL) != IOTFLASH_OK)
		return -1;
	if (iotflash_beken_rf_parse(sector, sizeof(sector), &info, NULL, 0) == IOTFLASH_OK) {
		iotflash_beken_rf_format_mac(info.mac, text);
		snprintf(mac, len, "%s", text);
	}
	return 1;
}

/* The RF sector of a backup: a 4 KiB file is the sector itself; a larger one
 * is a flash image, and the sector sits at the chip's `rf` address, or, when
 * that is not valid, at the stock firmware's `rf-stock` address (BK7238 T1:
 * the sector moves to where OpenBeken reads it, docs/protocols/beken-rf.md
 * §1, §8.3). */
static int backup_sector(const char *path, const struct iotflash_chip *chip, uint8_t *sector)
{
	const struct iotflash_region *rf = rf_region(chip, "rf"), *stock = rf_region(chip, "rf-stock");
	struct iotflash_beken_rf_info info;
	char err[512], err2[512];
	uint8_t *data;
	size_t len, off = 0;
	int rc = 0;

	if (iotflash_read_file(path, false, &data, &len, err, sizeof(err)) != IOTFLASH_OK)
		return cli_usage_error("%s", err);
	if (len != IOTFLASH_BEKEN_RF_SIZE && len < (uint64_t)rf->start + IOTFLASH_BEKEN_RF_SIZE)
		rc = cli_usage_error("%s (%zu bytes) is neither a 4 KiB RF sector nor a flash backup reaching 0x%x: "
		                     "give a full read-flash backup", path, len, (unsigned)(rf->start + IOTFLASH_BEKEN_RF_SIZE));
	else if (len != IOTFLASH_BEKEN_RF_SIZE)
		off = rf->start;
	if (!rc && iotflash_beken_rf_parse(data + off, IOTFLASH_BEKEN_RF_SIZE, &info, err, sizeof(err)) != IOTFLASH_OK) {
		if (off && stock && len >= (uint64_t)stock->start + IOTFLASH_BEKEN_RF_SIZE &&
		    iotflash_beken_rf_parse(data + stock->start, IOTFLASH_BEKEN_RF_SIZE, &info, err2, sizeof(err2)) == IOTFLASH_OK) {
			fprintf(stderr, "iotflash: %s has no valid RF sector at 0x%x; taking the stock one at 0x%x\n", path,
			        (unsigned)off, (unsigned)stock->start);
			off = stock->start;
		} else {
			rc = cli_error("%s: %s at 0x%x; refusing to restore it (take a backup with a valid RF sector)", path, err,
			               (unsigned)off);
		}
	}
	if (!rc)
		memcpy(sector, data + off, IOTFLASH_BEKEN_RF_SIZE);
	free(data);
	return rc;
}

int cli_rf(struct cli *c)
{
	const struct iotflash_region *rf;
	const struct iotflash_chip *chip;
	struct iotflash_op_opts o = cli_op_opts(c);
	struct iotflash_result r;
	uint8_t sector[IOTFLASH_BEKEN_RF_SIZE];
	int rc;

	if (c->nargs != 2 || strcmp(c->args[1], "restore") != 0)
		return cli_usage_error("rf takes one subcommand: rf restore --from BACKUP");
	if (!c->from)
		return cli_usage_error("rf restore needs --from BACKUP (a read-flash backup of this chip)");
	if ((rc = cli_check_target(c)))
		return rc;
	/* The file is checked against the planned chip before the port opens. */
	chip = iotflash_ctx_find_chip(c->ctx, c->chip);
	if (chip && !(rf = rf_region(chip, "rf")))
		return cli_usage_error("%s has no RF calibration sector in the chip database: rf restore is for Beken chips",
		                       chip->name);
	if (chip && (rc = backup_sector(c->from, chip, sector)))
		return rc;
	if ((rc = cli_open_session(c)))
		return rc;
	chip = iotflash_session_chip(c->session);
	if (!(rf = rf_region(chip, "rf")))
		return cli_error("%s has no RF calibration sector in the chip database: rf restore is for Beken chips",
		                 chip->name);
	if ((rc = backup_sector(c->from, chip, sector)))
		return rc;
	/* Only this region opens, and only for this write: no --force needed. */
	o.unlock_region = "rf";
	rc = iotflash_write(c->session, rf->start, sector, IOTFLASH_BEKEN_RF_SIZE, &o, &r);
	cli_progress_end();
	if (c->json)
		print_result_json("rf-restore", &r, rf->start, c->from, chip->name, rc,
		                  rc == IOTFLASH_OK ? NULL : iotflash_ctx_error(c->ctx));
	if (rc != IOTFLASH_OK)
		return cli_error("%s", iotflash_ctx_error(c->ctx));
	if (!c->json)
		print_result_text("Restored RF sector", &r, rf->start, c->from);
	return 0;
}
