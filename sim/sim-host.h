/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The simulator host (not installed, not part of libiotflash): linked into
 * iotflash-sim and the tests only.  Models reach it through the services
 * table in <iotflash/model.h>, never by symbol. */
#ifndef IOTFLASH_SIM_HOST_H
#define IOTFLASH_SIM_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iotflash/iotflash.h>
#include <iotflash/model.h>

struct iotflash_sim_opts {
	const char *model;       /* chip name from the database: "bk7231n" */
	const char *flash_path;  /* created full of 0xFF at the chip's flash size if missing */
	const char *link_path;   /* symlink made to the pty's device end */
	const char *faults;      /* "drop=1e-4,flip=1e-4,stall=1e-3:200ms,reset=1e-6" or NULL */
	uint64_t seed;
	bool timing;             /* emulate wire and chip timing */
	bool reset_on_open;      /* DTR/RTS wired to reset: each open of the port resets the chip */
	int verbose;
};

/* Look the model up (chip database, its plugin), create the pty, print
 * "ready PATH" on stdout, serve until SIGTERM/SIGINT.  Returns 0, or a
 * negative enum iotflash_err with one line in err. */
int iotflash_sim_run(struct iotflash_ctx *ctx, const struct iotflash_sim_opts *opts, char *err, size_t errlen);

/* Parse a --faults SPEC; false with a one-line reason on error. */
bool iotflash_sim_faults_valid(const char *spec, char *err, size_t errlen);

/* The same as iotflash_sim_run() for a given model and chip record, without
 * a context, chip database or plugin (tests run models of their own). */
int sim_host_run(const struct iotflash_model_ops *model, const struct iotflash_chip *chip,
                 const struct iotflash_sim_opts *opts, char *err, size_t errlen);

#endif
