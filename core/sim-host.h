/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The simulator host's internal entry point (not installed): runs a given
 * device model on a given chip record, without a context, chip database or
 * plugin.  iotflash_sim_run() looks both up and calls it; tests call it
 * directly with a model of their own. */
#ifndef IOTFLASH_SIM_HOST_H
#define IOTFLASH_SIM_HOST_H

#include <stddef.h>
#include "iotflash/model.h"

/* Same behaviour as iotflash_sim_run(); on failure returns a negative
 * enum iotflash_err and writes one line to err. */
int sim_host_run(const struct iotflash_model_ops *model, const struct iotflash_chip *chip,
                 const struct iotflash_sim_opts *opts, char *err, size_t errlen);

#endif
