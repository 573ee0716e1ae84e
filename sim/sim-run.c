/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* iotflash_sim_run(): finds the chip in the database and the device model
 * in the chip's plugin through libiotflash's public API, then hosts it. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include <iotflash/plugin.h>

#include "sim-host.h"

/* The i-th chip to suggest: the family's chips when family is set. */
static const struct iotflash_chip *suggestion(struct iotflash_ctx *ctx, const char *family, unsigned i)
{
	const struct iotflash_chip *chip;
	for (unsigned k = 0; (chip = iotflash_ctx_chip(ctx, k)); k++)
		if (!family || (chip->family && !strcmp(chip->family, family)))
			if (i-- == 0)
				return chip;
	return NULL;
}

static int fail_unknown_model(struct iotflash_ctx *ctx, const char *name, char *err, size_t errlen)
{
	const char *family = iotflash_ctx_is_family(ctx, name) ? name : NULL;
	const struct iotflash_chip *chip;
	char names[256] = "";
	size_t used = 0;
	unsigned i;
	for (i = 0; i < 8 && (chip = suggestion(ctx, family, i)); i++) {
		int w = snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "", chip->name);
		if (w < 0 || (size_t)w >= sizeof(names) - used)
			break;
		used += (size_t)w;
	}
	const char *more = suggestion(ctx, family, i) ? ", ..." : "";
	if (family)
		snprintf(err, errlen, "model '%s' is a family: name one of its chips (%s%s)", name, names, more);
	else if (!i)
		snprintf(err, errlen, "model '%s' is not in the chip database (it is empty)", name);
	else
		snprintf(err, errlen, "model '%s' is not in the chip database (chips: %s%s)", name, names, more);
	return IOTFLASH_ERR_UNKNOWN_CHIP;
}

static const struct iotflash_model_ops *plugin_model(const struct iotflash_plugin *p, const char *family)
{
	for (const struct iotflash_model_ops *const *m = p->models; m && *m; m++)
		if ((*m)->family && !strcmp((*m)->family, family))
			return *m;
	return NULL;
}

static int find_model(struct iotflash_ctx *ctx, const char *name, const struct iotflash_chip **chip_out,
                      const struct iotflash_model_ops **model_out, char *err, size_t errlen)
{
	const struct iotflash_plugin *p;
	int rc = iotflash_ctx_load_chipdb(ctx);
	if (rc) {
		snprintf(err, errlen, "%s", iotflash_ctx_error(ctx));
		return rc;
	}
	const struct iotflash_chip *chip = iotflash_ctx_find_chip(ctx, name);
	if (!chip)
		return fail_unknown_model(ctx, name, err, errlen);
	rc = iotflash_ctx_load_plugin(ctx, chip->plugin, &p);
	if (rc) {
		snprintf(err, errlen, "%s", iotflash_ctx_error(ctx));
		return rc;
	}
	const struct iotflash_model_ops *model = plugin_model(p, chip->family);
	if (!model || !model->serve) {
		snprintf(err, errlen, "plugin %s has no device model for the %s family (chip %s)",
		         chip->plugin, chip->family, chip->name);
		return IOTFLASH_ERR_PLUGIN;
	}
	*chip_out = chip;
	*model_out = model;
	return IOTFLASH_OK;
}

int iotflash_sim_run(struct iotflash_ctx *ctx, const struct iotflash_sim_opts *opts, char *err, size_t errlen)
{
	const struct iotflash_chip *chip = NULL;
	const struct iotflash_model_ops *model = NULL;
	if (opts && opts->model && strchr(opts->model, '+')) {
		snprintf(err, errlen, "USB models (%s) are not available in this build", opts->model);
		return IOTFLASH_ERR_UNSUPPORTED;
	}
	if (!opts || !opts->model || !opts->flash_path || !opts->link_path) {
		snprintf(err, errlen, "the simulator needs a model, a flash file and a link path");
		return IOTFLASH_ERR_ARG;
	}
	if (!iotflash_sim_faults_valid(opts->faults, err, errlen))
		return IOTFLASH_ERR_ARG;
	int rc = find_model(ctx, opts->model, &chip, &model, err, errlen);
	if (rc)
		return rc;
	return sim_host_run(model, chip, opts, err, errlen);
}
