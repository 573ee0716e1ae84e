/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Progress: a bar with rate and ETA on a terminal, a line per 10 % otherwise. */
#include "cli.h"

#include <string.h>
#include <unistd.h>

static struct {
	const char *phase;
	uint64_t t0;
	int last_decile;
	bool drawn;
} st;

void cli_progress_end(void)
{
	if (st.drawn)
		fputc('\n', stderr);
	st.drawn = false;
	st.phase = NULL;
}

static void draw_bar(const struct iotflash_progress *p, double secs)
{
	char bar[31];
	double frac = p->total ? (double)p->done / (double)p->total : 1;
	double rate = secs > 0 ? (double)p->done / secs : 0;
	double eta = rate > 0 ? (double)(p->total - p->done) / rate : 0;
	int fill = (int)(frac * 30);

	memset(bar, ' ', 30);
	memset(bar, '=', (size_t)fill);
	bar[30] = '\0';
	fprintf(stderr, "\r%-7s [%s] %3d%% 0x%06x %7.1f KiB/s ETA %d:%02d", p->phase, bar, (int)(frac * 100),
	        (unsigned)p->addr, rate / 1024, (int)eta / 60, (int)eta % 60);
	if (p->skipped)
		fprintf(stderr, " skipped %d%%", (int)(100.0 * (double)p->skipped / (double)(p->total ? p->total : 1)));
	fprintf(stderr, "\033[K");
	st.drawn = true;
}

void cli_progress(void *user, const struct iotflash_progress *p)
{
	struct cli *c = user;
	uint64_t now = iotflash_now_ms();
	int decile;

	if (!st.phase || strcmp(st.phase, p->phase) != 0) {
		cli_progress_end();
		st.phase = p->phase;
		st.t0 = now;
		st.last_decile = -1;
	}
	if (c->json)
		return;
	if (isatty(STDERR_FILENO)) {
		draw_bar(p, (double)(now - st.t0) / 1000.0);
		return;
	}
	decile = p->total ? (int)(p->done * 10 / p->total) : 10;
	if (decile != st.last_decile) {
		fprintf(stderr, "%s: %d%% (%llu of %llu bytes)\n", p->phase, decile * 10, (unsigned long long)p->done,
		        (unsigned long long)p->total);
		st.last_decile = decile;
	}
}
