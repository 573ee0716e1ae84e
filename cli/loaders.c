/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* `iotflash loaders`: per chip, which RAM loaders it accepts, which of them
 * are present in the loader directories (found by SHA-256, any file name)
 * and where to get the others. */
#include "cli.h"

#include <string.h>
#include <strings.h>

static const char *use_name(enum iotflash_loader_use u)
{
	switch (u) {
	case IOTFLASH_LOADER_FOR_READS: return "reads";
	case IOTFLASH_LOADER_OPTIONAL: return "optional";
	default: return "required";
	}
}

static const char *use_text(enum iotflash_loader_use u)
{
	switch (u) {
	case IOTFLASH_LOADER_FOR_READS: return "needs one of the loaders below to read flash";
	case IOTFLASH_LOADER_OPTIONAL: return "works without one; a loader below adds what it can do";
	default: return "needs one of the loaders below";
	}
}

static void json_strings(const char *const *v, unsigned n)
{
	printf("[");
	for (unsigned i = 0; i < n; i++) {
		fputs(i ? ", " : "", stdout);
		json_string(stdout, v[i]);
	}
	printf("]");
}

static void loader_json(const struct iotflash_loader *l, const char *path, bool first)
{
	printf("%s{\"name\": ", first ? "" : ", ");
	json_string(stdout, l->name);
	printf(", \"file\": ");
	json_string(stdout, l->file);
	printf(", \"size\": %u, \"sha256\": \"%s\", \"caps\": ", (unsigned)l->size, l->sha256);
	json_strings(l->caps, l->n_caps);
	printf(", \"from\": ");
	json_strings(l->from, l->n_from);
	printf(", \"present\": %s, \"path\": ", path ? "true" : "false");
	if (path)
		json_string(stdout, path);
	else
		printf("null");
	printf("}");
}

static void loader_text(const struct iotflash_loader *l, const char *path)
{
	printf("  %s (%s", l->file, l->name);
	if (l->size)
		printf(", %u bytes", (unsigned)l->size);
	printf(")\n    SHA-256 %s\n", l->sha256);
	if (l->n_caps) {
		printf("    can:");
		for (unsigned i = 0; i < l->n_caps; i++)
			printf(" %s", l->caps[i]);
		printf("\n");
	}
	if (path)
		printf("    present: %s\n", path);
	else
		for (unsigned i = 0; i < l->n_from; i++)
			printf("    %s %s\n", i ? "      or" : "missing, get it from", l->from[i]);
	if (!path && !l->n_from)
		printf("    missing\n");
}

/* One chip: returns whether a loader of it is present. */
static bool chip_loaders(const struct iotflash_chip *chip, bool json, bool first)
{
	char path[4400];
	bool any = false;

	if (json) {
		printf("%s{\"chip\": \"%s\", \"family\": \"%s\", \"use\": \"%s\", \"loaders\": [", first ? "" : ", ",
		       chip->name, chip->family, use_name(chip->loader_use));
	} else {
		printf("%s%s (%s): %s\n", first ? "" : "\n", chip->name, chip->description ? chip->description : chip->family,
		       use_text(chip->loader_use));
	}
	for (unsigned k = 0; k < chip->n_loaders; k++) {
		bool found = iotflash_loader_find(chip->loaders[k], path, sizeof(path));
		any = any || found;
		if (json)
			loader_json(chip->loaders[k], found ? path : NULL, k == 0);
		else
			loader_text(chip->loaders[k], found ? path : NULL);
	}
	if (json)
		printf("], \"ready\": %s}", any || chip->loader_use == IOTFLASH_LOADER_OPTIONAL ? "true" : "false");
	return any;
}

static bool selected(struct cli *c, const struct iotflash_chip *chip)
{
	return !c->chip || !strcasecmp(c->chip, chip->name) || !strcasecmp(c->chip, chip->family);
}

int cli_loaders(struct cli *c)
{
	const struct iotflash_chip *chip;
	char dir[4096];
	unsigned n = 0;

	if (c->nargs != 1)
		return cli_usage_error("loaders takes no arguments (-c CHIP or FAMILY picks the chips)");
	if (iotflash_ctx_load_chipdb(c->ctx) != IOTFLASH_OK)
		return cli_error("%s", iotflash_ctx_error(c->ctx));
	if (c->chip && !iotflash_ctx_find_chip(c->ctx, c->chip) && !iotflash_ctx_is_family(c->ctx, c->chip))
		return cli_usage_error("unknown chip '%s': `iotflash list-chips` lists the chips and families", c->chip);
	if (c->json) {
		printf("{\"command\": \"loaders\", \"directories\": [");
		for (unsigned i = 0; iotflash_loader_dir(i, dir, sizeof(dir)); i++) {
			fputs(i ? ", " : "", stdout);
			json_string(stdout, dir);
		}
		printf("], \"chips\": [");
	}
	for (unsigned i = 0; (chip = iotflash_ctx_chip(c->ctx, i)); i++)
		if (chip->n_loaders && selected(c, chip))
			chip_loaders(chip, c->json, n++ == 0);
	if (c->json) {
		printf("]}\n");
		return 0;
	}
	if (n == 0)
		printf("%s needs no RAM loader\n", c->chip ? c->chip : "no chip of the database");
	printf("\nLoaders are recognised by SHA-256 (gzipped or not), under any file name, in:\n");
	for (unsigned i = 0; iotflash_loader_dir(i, dir, sizeof(dir)); i++)
		printf("  %s/\n", dir);
	printf("or given with --loader FILE.  iotflash ships none: get them from the places above.\n");
	return 0;
}
