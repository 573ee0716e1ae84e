/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* USB models: `iotflash-sim --model ch341a+PART --flash FILE -- COMMAND`.
 * The part comes from the chip database (a spi-nor chip, or a Beken chip
 * whose die the model answers in SPI mode); the CH341A model lives in the
 * spi-ch341 plugin's libusb shim, which is preloaded into COMMAND, so any
 * libusb program sees the programmer.  COMMAND replaces this process, so
 * its exit status is ours. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "usb-launch.h"
#include "../plugins/spi-ch341/shim/usb-faults.h"

#ifndef USB_SHIM_PATH
#define USB_SHIM_PATH "libusb-shim.so"
#endif
#define PROGRAMMER "ch341a+"
#define EXIT_USAGE 2
#define EXIT_NOEXEC 127

struct usb_part {
	const char *kind;        /* "nor" or "beken" */
	uint32_t jedec, size, sr;
	const char *style;
};

const char *usb_launch_help(void)
{
	return "\n" USB_FAULTS_HELP
	       "The shim is found through IOTFLASH_USB_SHIM or in " USB_SHIM_PATH ".\n";
}

static int fail(int status, const char *fmt, ...) IOTFLASH_PRINTF(2, 3);

static int fail(int status, const char *fmt, ...)
{
	va_list ap;
	fputs("iotflash-sim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

static int resolve_part(struct iotflash_ctx *ctx, const char *model, struct usb_part *p)
{
	const struct iotflash_chip *chip;
	const char *name = model + strlen(PROGRAMMER);
	int64_t v;

	if (strncmp(model, PROGRAMMER, strlen(PROGRAMMER)) != 0)
		return fail(EXIT_USAGE, "--model %s: USB models are ch341a+PART (e.g. ch341a+w25q32, ch341a+bk7231n)", model);
	if (iotflash_ctx_load_chipdb(ctx) != IOTFLASH_OK)
		return fail(EXIT_FAILURE, "%s", iotflash_ctx_error(ctx));
	if (!(chip = iotflash_ctx_find_chip(ctx, name)))
		return fail(EXIT_USAGE, "--model %s: '%s' is not a chip of the database: use a spi-nor part "
		            "(w25q32, w25q16, gd25q16, en25qh16) or a Beken chip (bk7231n, beken-spi)", model, name);
	if (!strcmp(chip->family, "spi-nor"))
		p->kind = "nor";
	else if (!strcmp(chip->family, "bk72xx") || !strcmp(chip->family, "bk72xx-spi"))
		p->kind = "beken";
	else
		return fail(EXIT_USAGE, "--model %s: %s is a %s chip, not a SPI flash or a Beken", model, chip->name, chip->family);
	if (!iotflash_chip_param_int(chip, "model_flash_id", &v) && !iotflash_chip_param_int(chip, "jedec", &v))
		return fail(EXIT_USAGE, "--model %s: %s has no JEDEC id in the database (params jedec or model_flash_id)",
		            model, chip->name);
	p->jedec = (uint32_t)v;
	p->size = chip->flash_size;
	p->sr = iotflash_chip_param_int(chip, "model_sr", &v) ? (uint32_t)v : 0;
	p->style = iotflash_chip_param_str(chip, "model_sr_style");
	if (!p->style)
		p->style = "winbond";
	return EXIT_SUCCESS;
}

/* A missing or empty file becomes an erased flash of the part's size. */
static int prepare_flash(const char *path, uint32_t size)
{
	struct stat st;
	int fd;

	if (stat(path, &st) == 0 && st.st_size > 0) {
		if ((uint64_t)st.st_size != size)
			return fail(EXIT_FAILURE, "%s: %lld bytes, but the part's flash is %u bytes", path,
			            (long long)st.st_size, (unsigned)size);
		return EXIT_SUCCESS;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return fail(EXIT_FAILURE, "%s: %s", path, strerror(errno));
	uint8_t blank[4096];
	memset(blank, 0xFF, sizeof(blank));
	for (uint32_t off = 0; off < size; off += sizeof(blank))
		if (write(fd, blank, sizeof(blank)) != (ssize_t)sizeof(blank)) {
			int e = errno;
			close(fd);
			return fail(EXIT_FAILURE, "%s: %s", path, strerror(e));
		}
	if (close(fd) != 0)
		return fail(EXIT_FAILURE, "%s: %s", path, strerror(errno));
	return EXIT_SUCCESS;
}

static const char *shim_path(void)
{
	const char *env = getenv("IOTFLASH_USB_SHIM");
	return env && *env ? env : USB_SHIM_PATH;
}

/* LD_PRELOAD the shim (before anything already preloaded), describe the
 * model, and let an ASan-built COMMAND accept a preload ahead of its runtime. */
static int set_env(const struct iotflash_sim_opts *o, const struct usb_part *p, const char *flash, const char *shim)
{
	const char *old = getenv("LD_PRELOAD"), *asan = getenv("ASAN_OPTIONS");
	char cfg[256], preload[PATH_MAX * 2], asan_opts[1024];

	snprintf(cfg, sizeof(cfg), "kind=%s jedec=0x%06x size=%u sr=0x%x style=%s timing=%d verbose=%d", p->kind,
	         (unsigned)p->jedec, (unsigned)p->size, (unsigned)p->sr, p->style, o->timing ? 1 : 0, o->verbose);
	snprintf(preload, sizeof(preload), "%s%s%s", shim, old && *old ? ":" : "", old && *old ? old : "");
	snprintf(asan_opts, sizeof(asan_opts), "%s%sverify_asan_link_order=0", asan && *asan ? asan : "",
	         asan && *asan ? ":" : "");
	if (setenv("IOTFLASH_SIM_USB", cfg, 1) || setenv("IOTFLASH_SIM_USB_FLASH", flash, 1) ||
	    setenv("IOTFLASH_SIM_USB_FAULTS", o->faults ? o->faults : "", 1) || setenv("LD_PRELOAD", preload, 1) ||
	    setenv("ASAN_OPTIONS", asan_opts, 1))
		return fail(EXIT_FAILURE, "cannot set the environment: %s", strerror(errno));
	return EXIT_SUCCESS;
}

int usb_launch(struct iotflash_ctx *ctx, const struct iotflash_sim_opts *o, char **command)
{
	struct usb_faults faults;
	struct usb_part part = { 0 };
	char err[256], flash[PATH_MAX];
	const char *shim = shim_path();
	int status;

	if (!command || !command[0])
		return fail(EXIT_USAGE, "--model %s runs a command: iotflash-sim --model %s --flash FILE -- COMMAND [ARGS]",
		            o->model, o->model);
	if (!o->flash_path)
		return fail(EXIT_USAGE, "missing --flash (see --help)");
	if (!usb_faults_parse(o->faults, &faults, err, sizeof(err)))
		return fail(EXIT_USAGE, "--faults: %s (see --help)", err);
	if ((status = resolve_part(ctx, o->model, &part)) != EXIT_SUCCESS ||
	    (status = prepare_flash(o->flash_path, part.size)) != EXIT_SUCCESS)
		return status;
	if (!realpath(o->flash_path, flash))
		return fail(EXIT_FAILURE, "%s: %s", o->flash_path, strerror(errno));
	if (access(shim, R_OK) != 0)
		return fail(EXIT_FAILURE, "the CH341A model (libusb shim %s) is missing: it is built with the spi-ch341 "
		            "plugin, which needs libusb-1.0 (libusb-1.0-0-dev); or set IOTFLASH_USB_SHIM", shim);
	if ((status = set_env(o, &part, flash, shim)) != EXIT_SUCCESS)
		return status;
	fflush(NULL);
	execvp(command[0], command);
	return fail(EXIT_NOEXEC, "cannot run %s: %s", command[0], strerror(errno));
}
