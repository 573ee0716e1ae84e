/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* readflash: the smallest front end to libiotflash, through the public API
 * only.  It reads a flash region to a file and prints its own progress.
 *
 * usage: readflash PORT CHIP ADDR SIZE FILE
 *   e.g. readflash /dev/ttyUSB0 bk7231n 0 64k backup.bin
 *
 * Build against an installed library:
 *   cc readflash.c $(pkg-config --cflags --libs iotflash) -o readflash */
#include <iotflash/iotflash.h>

#include <stdio.h>
#include <stdlib.h>

/* One line per whole percent: a pipe or log file gets readable output. */
struct progress_state {
	int last_percent;
};

static void on_progress(void *user, const struct iotflash_progress *p)
{
	struct progress_state *st = user;
	int percent = p->total ? (int)(p->done * 100 / p->total) : 100;

	if (percent == st->last_percent)
		return;
	st->last_percent = percent;
	printf("%s %3d%% (0x%06x)\n", p->phase, percent, (unsigned)p->addr);
	fflush(stdout);
}

/* Chip-side requests ("reset the chip now") reach the user. */
static void on_notice(void *user, const char *msg)
{
	(void)user;
	fprintf(stderr, "readflash: %s\n", msg);
}

static void on_log(void *user, enum iotflash_log_level level, const char *domain, const char *msg)
{
	(void)user;
	(void)level;
	fprintf(stderr, "readflash: %s: %s\n", domain, msg);
}

int main(int argc, char **argv)
{
	struct iotflash_ctx *ctx = NULL;
	struct iotflash_session *session = NULL;
	struct iotflash_open_opts open_opts = {0};
	struct progress_state st = {-1};
	struct iotflash_op_opts op = {0};
	struct iotflash_result r;
	uint32_t addr, size;
	int status = EXIT_FAILURE;

	if (argc != 6) {
		fprintf(stderr, "usage: readflash PORT CHIP ADDR SIZE FILE\n");
		return 2;
	}
	if (!iotflash_parse_u32(argv[3], &addr) || !iotflash_parse_u32(argv[4], &size) || size == 0) {
		fprintf(stderr, "readflash: bad address or size (use 0x hex, decimal, 4k, 2M)\n");
		return 2;
	}
	if (iotflash_ctx_new(&ctx) != IOTFLASH_OK) {
		fprintf(stderr, "readflash: out of memory\n");
		return EXIT_FAILURE;
	}
	iotflash_ctx_set_log(ctx, IOTFLASH_LOG_WARN, on_log, on_notice, NULL);

	open_opts.port = argv[1];
	open_opts.chip = argv[2];
	if (iotflash_session_open(ctx, &open_opts, &session) != IOTFLASH_OK) {
		fprintf(stderr, "readflash: %s\n", iotflash_ctx_error(ctx));
		goto out;
	}
	printf("chip %s, %u KiB flash, %u baud\n", iotflash_session_chip(session)->name,
	       (unsigned)(iotflash_session_flash_size(session) / 1024), (unsigned)iotflash_session_baud(session));

	op.progress = on_progress;
	op.user = &st;
	if (iotflash_read_to_file(session, addr, size, argv[5], &op, &r) != IOTFLASH_OK) {
		fprintf(stderr, "readflash: %s\n", iotflash_ctx_error(ctx));
		goto out;
	}
	printf("read %llu bytes in %.1f s, sha256 %s\n", (unsigned long long)r.bytes, r.seconds, r.sha256);
	status = EXIT_SUCCESS;
out:
	iotflash_session_close(session);
	iotflash_ctx_free(ctx);
	return status;
}
