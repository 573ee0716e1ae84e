/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* iotflash: back up, flash, erase and verify Wi-Fi SoCs (contract 1 of DESIGN.md). */
#include "cli.h"

#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static struct cli *running;

static void on_signal(int sig)
{
	(void)sig;
	if (running && running->session)
		iotflash_session_cancel(running->session);  /* the operation stops at the next block */
	signal(SIGINT, SIG_DFL);  /* a second Ctrl-C ends the program at once */
}

static void usage(FILE *f)
{
	fputs("Usage: iotflash [-c|--chip NAME] [-p|--port PORT] [-b|--baud N] [options] COMMAND [ARGS]\n"
	      "\n"
	      "Commands:\n"
	      "  chip-id                      connect, identify chip and flash; print them\n"
	      "  flash-id                     print the flash JEDEC id and size\n"
	      "  read-flash ADDR SIZE FILE    back up flash (SIZE may be `all`)\n"
	      "  write-flash ADDR FILE [ADDR FILE ...]\n"
	      "  erase-flash                  whole chip (minus protected regions unless --force)\n"
	      "  erase-region ADDR SIZE\n"
	      "  verify-flash ADDR FILE       device-side checksum compare\n"
	      "  list-chips | list-plugins | list-ports\n"
	      "  loaders                      RAM loaders per chip: needed, present, where to get them\n"
	      "  tuya-config BACKUP           pin template and module from a Beken Tuya backup (offline)\n"
	      "  obk-config show|write FILE.json|set KEY=VALUE...\n"
	      "                               OpenBeken's configuration on the device, or in a\n"
	      "                               backup with --image FILE (docs/obk-config.md)\n"
	      "  rf restore --from BACKUP     Beken: write BACKUP's RF calibration sector (Wi-Fi\n"
	      "                               calibration and MAC) back to the chip\n"
	      "  install FIRMWARE [--from-tuya] [--set KEY=VALUE ...] [--obk-config FILE.json]\n"
	      "                               to OpenBeken in one session: full backup, firmware\n"
	      "                               placed by its content, verify, configuration\n"
	      "  beken-crypt ...              Beken flash image encryption helpers (offline; --help)\n"
	      "\n"
	      "Options:\n"
	      "  -c, --chip NAME      chip (bk7231n) or family (bk72xx: detect the exact chip)\n"
	      "  -p, --port PORT      serial port (/dev/ttyUSB0, a pty), or ch341a / usb:BUS:ADDR\n"
	      "  -b, --baud N         link rate after connecting (default: the chip's maximum)\n"
	      "      --force          allow protected regions and identity mismatches\n"
	      "      --no-backup      no backups: neither the first-contact full backup nor\n"
	      "                       the backup of what a write or erase changes\n"
	      "      --backup-dir DIR where backups go (default ./backups)\n"
	      "      --no-skip        move every byte (no blank/unchanged skipping)\n"
	      "      --loader FILE    vendor RAM loader (gzip accepted)\n"
	      "      --chipdb PATH    extra chip database file or directory\n"
	      "      --tuya-config    read-flash: print the Tuya pin template after the backup\n"
	      "      --obk-json       tuya-config: print an obk-config JSON (pins, names)\n"
	      "      --obk-config F   write-flash, install: write OpenBeken's configuration F.json after\n"
	      "      --from BACKUP    rf restore: the backup to take the RF sector from\n"
	      "      --image FILE     obk-config: work on a full backup file, not a device\n"
	      "      --from-tuya      install: pins and name from the Tuya template of the backup\n"
	      "      --set KEY=VALUE  install: one OpenBeken configuration field (repeatable)\n"
	      "      --show-secrets   print passwords (tuya-config, obk-config)\n"
	      "      --json           machine-readable results on stdout\n"
	      "  -v, --verbose        protocol trace on stderr\n"
	      "  -h, --help           this text;  -V, --version\n"
	      "\n"
	      "Numbers take 0x hex, decimal and k/M suffixes (0x11000, 4096, 4k, 2M).\n"
	      "Underscore spellings (read_flash) are accepted.\n", f);
}

static void on_log(void *user, enum iotflash_log_level level, const char *domain, const char *msg)
{
	static const char *names[] = {"error", "warning", "info", "debug", "wire"};
	(void)user;
	cli_progress_end();
	fprintf(stderr, "iotflash: %s: %s: %s\n", names[level], domain, msg);
}

static void on_notice(void *user, const char *msg)
{
	(void)user;
	cli_progress_end();
	fprintf(stderr, "iotflash: %s\n", msg);
}

enum { OPT_FORCE = 256, OPT_NO_BACKUP, OPT_NO_SKIP, OPT_LOADER, OPT_JSON, OPT_BACKUP_DIR, OPT_CHIPDB, OPT_TUYA, OPT_OPENBEKEN, OPT_SECRETS,
       OPT_IMAGE, OPT_OBK_CONFIG, OPT_OBK_JSON, OPT_FROM, OPT_FROM_TUYA, OPT_SET };

static int parse_args(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"chip", required_argument, NULL, 'c'},       {"port", required_argument, NULL, 'p'},
		{"baud", required_argument, NULL, 'b'},       {"force", no_argument, NULL, OPT_FORCE},
		{"no-backup", no_argument, NULL, OPT_NO_BACKUP}, {"no-skip", no_argument, NULL, OPT_NO_SKIP},
		{"loader", required_argument, NULL, OPT_LOADER}, {"json", no_argument, NULL, OPT_JSON},
		{"backup-dir", required_argument, NULL, OPT_BACKUP_DIR}, {"chipdb", required_argument, NULL, OPT_CHIPDB},
		{"tuya-config", no_argument, NULL, OPT_TUYA}, {"verbose", no_argument, NULL, 'v'},
		{"openbeken", no_argument, NULL, OPT_OPENBEKEN}, {"show-secrets", no_argument, NULL, OPT_SECRETS},
		{"image", required_argument, NULL, OPT_IMAGE}, {"obk-config", required_argument, NULL, OPT_OBK_CONFIG},
		{"obk-json", no_argument, NULL, OPT_OBK_JSON}, {"from", required_argument, NULL, OPT_FROM},
		{"from-tuya", no_argument, NULL, OPT_FROM_TUYA}, {"set", required_argument, NULL, OPT_SET},
		{"help", no_argument, NULL, 'h'},             {"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}};
	int ch;

	/* "-1" is a malformed number, not an option: say so plainly. */
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] >= '0' && argv[i][1] <= '9')
			return cli_usage_error("invalid number '%s': addresses and sizes cannot be negative", argv[i]);
	/* beken-crypt parses its own options: global ones must come before it */
	int end = argc;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "beken-crypt") || !strcmp(argv[i], "beken_crypt"))
			end = i;
	if (!(c->sets = calloc((size_t)argc, sizeof(*c->sets))))
		return cli_error("out of memory");
	opterr = 0;
	while ((ch = getopt_long(end, argv, "c:p:b:vhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': c->chip = optarg; break;
		case 'p': c->port = optarg; break;
		case 'b':
			if (!iotflash_parse_u32(optarg, &c->baud) || c->baud < 1200)
				return cli_usage_error("invalid baud rate '%s' (e.g. 115200, 921600, 1.5M is written 1500000)", optarg);
			break;
		case 'v': c->verbose++; break;
		case OPT_FORCE: c->force = true; break;
		case OPT_NO_BACKUP: c->no_backup = true; break;
		case OPT_NO_SKIP: c->no_skip = true; break;
		case OPT_LOADER: c->loader = optarg; break;
		case OPT_JSON: c->json = true; break;
		case OPT_BACKUP_DIR: c->backup_dir = optarg; break;
		case OPT_TUYA: c->tuya_config = true; break;
		case OPT_OPENBEKEN: c->openbeken = true; break;
		case OPT_SECRETS: c->show_secrets = true; break;
		case OPT_IMAGE: c->image = optarg; break;
		case OPT_OBK_CONFIG: c->obk_config = optarg; break;
		case OPT_OBK_JSON: c->obk_json = true; break;
		case OPT_FROM: c->from = optarg; break;
		case OPT_FROM_TUYA: c->from_tuya = true; break;
		case OPT_SET: c->sets[c->nsets++] = optarg; break;
		case OPT_CHIPDB:
			if (iotflash_ctx_add_chipdb(c->ctx, optarg) != IOTFLASH_OK)
				return cli_error("out of memory");
			break;
		case 'h': usage(stdout); return -1;
		case 'V': printf("iotflash %s\n", IOTFLASH_VERSION_STRING); return -1;
		default:
			if (optopt)
				return cli_usage_error("unknown option '-%c' (see iotflash --help)", optopt);
			return cli_usage_error("unknown or incomplete option '%s' (see iotflash --help)", argv[optind - 1]);
		}
	}
	if (end < argc && optind != end)
		return cli_usage_error("unexpected '%s' before beken-crypt", argv[optind]);
	c->args = argv + optind;
	c->nargs = argc - optind;
	if (c->nargs == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cli c;
	struct sigaction sa;
	int rc;

	memset(&c, 0, sizeof(c));
	if (iotflash_ctx_new(&c.ctx) != IOTFLASH_OK) {
		fputs("iotflash: out of memory\n", stderr);
		return EXIT_FAIL;
	}
	rc = parse_args(&c, argc, argv);
	if (rc != 0) {
		iotflash_ctx_free(c.ctx);
		free(c.sets);
		return rc < 0 ? 0 : rc;
	}
	iotflash_ctx_set_log(c.ctx, c.verbose ? IOTFLASH_LOG_WIRE : IOTFLASH_LOG_WARN, on_log, on_notice, &c);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;  /* no SA_RESTART: blocking waits return */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	running = &c;
	rc = cli_run(&c);
	running = NULL;
	cli_progress_end();
	if (c.session)
		iotflash_session_close(c.session);
	iotflash_ctx_free(c.ctx);
	free(c.sets);
	return rc;
}
