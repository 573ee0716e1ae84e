/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* iotflash-sim: serves a plugin's device model behind a pseudo-terminal, so
 * iotflash (or any serial tool) can be tested without hardware. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iotflash/iotflash.h>
#include <iotflash/model.h>

#include "sim-host.h"
#include "usb-launch.h"

#define EXIT_USAGE 2

static const char usage_text[] =
	"Usage: iotflash-sim --model MODEL --flash FILE --link PATH [OPTIONS]\n"
	"Serve a chip's bootloader model behind a pseudo-terminal.\n"
	"\n"
	"  -m, --model MODEL   chip to simulate, from the chip database (e.g. bk7231n);\n"
	"                      see --list-models\n"
	"  -f, --flash FILE    the chip's flash: created full of 0xFF at the chip's flash\n"
	"                      size if missing or empty; an existing file keeps its size\n"
	"                      (the chip's, or a power of two >= 64 KiB); every erase and\n"
	"                      write the model performs lands in it\n"
	"  -l, --link PATH     make PATH a symlink to the pty (an old symlink is replaced)\n"
	"      --faults SPEC   inject faults (see below)\n"
	"      --seed N        seed for the faults (default 0): same seed, same faults\n"
	"      --no-timing     no wire or chip delays (fast tests); protocol waits stay\n"
	"      --reset-on-open the chip resets each time a client opens the port, like\n"
	"                      an adapter whose DTR/RTS is wired to the chip's reset\n"
	"  -v, --verbose       diagnostics on stderr (repeat for more)\n"
	"      --list-models   list the chips that have a device model, and exit\n"
	"  -h, --help          this help\n"
	"  -V, --version       print the version\n"
	"\n"
	"When the pty is ready, prints \"ready PATH\" on stdout; serves until SIGTERM or\n"
	"SIGINT, then removes PATH and exits 0.  Timing is emulated by default: a byte\n"
	"takes 10 bits at the rate the client set on the port, and erase, program and\n"
	"checksum take a real chip's time.  A client at another rate than the chip's\n"
	"gets garbage (bytes with bit 7 set), as on hardware.  The client's bytes are\n"
	"taken from the pty at its wire rate, so a long write() blocks as on a UART.\n"
	"\n"
	"Reset: SIGUSR1 is the reset button (kill -USR1 PID): the chip restarts as at\n"
	"power-on, into its ROM or bootloader and its download window; with\n"
	"--reset-on-open, so does every open of the port.  Pending input is lost.\n"
	"\n"
	"Fault SPEC: comma-separated, each at most once; P is a probability (0.001, 1e-4):\n"
	"  drop=P             lose a byte (each byte, either direction)\n"
	"  flip=P             flip one random bit of a byte\n"
	"  stall=P:DURATION   pause the line before a byte; DURATION in us, ms or s\n"
	"  reset=P            per received byte: the chip resets and starts over from\n"
	"                     power-on (pending input is lost)\n"
	"  noise=N            N junk bytes sent when the pty opens and after each reset\n"
	"  ceiling=BAUD:P     a weak adapter or long wires: above BAUD, bytes flip\n"
	"                     with probability P (the client must step down)\n"
	"Example: --faults drop=1e-4,flip=1e-4,stall=1e-3:200ms,reset=1e-6,noise=32 --seed 7\n"
	"\n"
	"Environment: IOTFLASH_PLUGIN_PATH (plugin directories, colon-separated),\n"
	"IOTFLASH_CHIPDB_PATH (extra chip database files or directories).\n"
	"Exit status: 0 after a clean stop, 1 on failure, 2 on bad arguments.\n";

struct args {
	struct iotflash_sim_opts sim;
	bool list_models;
	char **command;  /* USB models: the command to run */
};

static int usage_error(const char *fmt, ...) IOTFLASH_PRINTF(1, 2);

/* One line on stderr, exit status 2. */
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("iotflash-sim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see --help)\n", stderr);
	return EXIT_USAGE;
}

static bool parse_seed(const char *s, uint64_t *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

enum { OPT_FAULTS = 256, OPT_SEED, OPT_NO_TIMING, OPT_RESET_ON_OPEN, OPT_LIST_MODELS };

/* Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "flash", required_argument, NULL, 'f' },
		{ "link", required_argument, NULL, 'l' },
		{ "faults", required_argument, NULL, OPT_FAULTS },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "no-timing", no_argument, NULL, OPT_NO_TIMING },
		{ "reset-on-open", no_argument, NULL, OPT_RESET_ON_OPEN },
		{ "verbose", no_argument, NULL, 'v' },
		{ "list-models", no_argument, NULL, OPT_LIST_MODELS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:f:l:vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': a->sim.model = optarg; break;
		case 'f': a->sim.flash_path = optarg; break;
		case 'l': a->sim.link_path = optarg; break;
		case OPT_FAULTS:
			a->sim.faults = optarg;  /* checked below: USB models have their own */
			break;
		case OPT_SEED:
			if (!parse_seed(optarg, &a->sim.seed))
				return usage_error("--seed: '%s' is not a non-negative integer", optarg);
			break;
		case OPT_NO_TIMING: a->sim.timing = false; break;
		case OPT_RESET_ON_OPEN: a->sim.reset_on_open = true; break;
		case 'v': a->sim.verbose++; break;
		case OPT_LIST_MODELS: a->list_models = true; break;
		case 'h': fputs(usage_text, stdout); fputs(usb_launch_help(), stdout); return 0;
		case 'V': printf("iotflash-sim %s\n", IOTFLASH_VERSION_STRING); return 0;
		case ':': return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default: return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (a->sim.model && strchr(a->sim.model, '+')) {
		if (a->sim.reset_on_open)
			return usage_error("--reset-on-open is for UART models: a USB model has no serial port");
		a->command = argv + optind;  /* the USB form: usb_launch() checks the rest */
		return -1;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (a->sim.faults && !iotflash_sim_faults_valid(a->sim.faults, err, sizeof(err)))
		return usage_error("--faults: %s", err);
	if (a->list_models)
		return -1;
	if (!a->sim.model)
		return usage_error("missing --model");
	if (!a->sim.flash_path)
		return usage_error("missing --flash");
	if (!a->sim.link_path && !strchr(a->sim.model, '+'))
		return usage_error("missing --link");
	return -1;
}

static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; p && *p; ) {
		p += strspn(p, " ");
		size_t len = strcspn(p, " ");
		if (len == n && !strncmp(p, word, n))
			return true;
		p += len;
	}
	return false;
}

static bool chip_has_model(struct iotflash_ctx *ctx, const struct iotflash_chip *chip)
{
	const struct iotflash_plugin_desc *d;
	for (unsigned i = 0; (d = iotflash_ctx_plugin(ctx, i)); i++)
		if (d->name && chip->plugin && !strcmp(d->name, chip->plugin))
			return word_in(d->models, chip->family);
	return false;
}

static int list_models(struct iotflash_ctx *ctx)
{
	const struct iotflash_chip *chip;
	if (iotflash_ctx_load_chipdb(ctx) != IOTFLASH_OK || iotflash_ctx_load_all_plugins(ctx) != IOTFLASH_OK) {
		fprintf(stderr, "iotflash-sim: %s\n", iotflash_ctx_error(ctx));
		return EXIT_FAILURE;
	}
	for (unsigned i = 0; (chip = iotflash_ctx_chip(ctx, i)); i++)
		if (chip_has_model(ctx, chip))
			printf("%-12s %s\n", chip->name, chip->description ? chip->description : "");
	return EXIT_SUCCESS;
}

static void log_to_stderr(void *user, enum iotflash_log_level level, const char *domain, const char *msg)
{
	(void)user;
	(void)level;
	fprintf(stderr, "iotflash-sim: %s: %s\n", domain ? domain : "core", msg);
}

int main(int argc, char **argv)
{
	struct args a = { .sim = { .timing = true } };
	struct iotflash_ctx *ctx = NULL;
	int status = parse_args(argc, argv, &a);
	if (status >= 0)
		return status;
	if (iotflash_ctx_new(&ctx) != IOTFLASH_OK) {
		fprintf(stderr, "iotflash-sim: cannot create a context%s%s\n", ctx ? ": " : "",
		        ctx ? iotflash_ctx_error(ctx) : "");
		iotflash_ctx_free(ctx);
		return EXIT_FAILURE;
	}
	if (a.sim.verbose)
		iotflash_ctx_set_log(ctx, a.sim.verbose > 1 ? IOTFLASH_LOG_DEBUG : IOTFLASH_LOG_INFO,
		                     log_to_stderr, NULL, NULL);
	if (a.list_models) {
		status = list_models(ctx);
	} else if (a.sim.model && strchr(a.sim.model, '+')) {
		status = usb_launch(ctx, &a.sim, a.command);
	} else {
		char err[512];
		status = EXIT_SUCCESS;
		if (iotflash_sim_run(ctx, &a.sim, err, sizeof(err)) != IOTFLASH_OK) {
			fprintf(stderr, "iotflash-sim: %s\n", err);
			status = EXIT_FAILURE;
		}
	}
	iotflash_ctx_free(ctx);
	return status;
}
