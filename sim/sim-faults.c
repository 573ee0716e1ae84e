/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The --faults SPEC parser and the fault PRNG (see sim-faults.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iotflash/common.h>

#include "sim-faults.h"
#include "sim-host.h"

#define MAX_NOISE 1000000u
#define MAX_STALL_NS (3600ULL * 1000000000ULL)

/* ---- PRNG (xorshift64*, seeded through splitmix64) ---- */

void sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t z = seed + stream * 0x9E3779B97F4A7C15ULL + 0x9E3779B97F4A7C15ULL;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	r->s = z ? z : 0x2545F4914F6CDD1DULL;
}

uint64_t sim_rng_next(struct sim_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

bool sim_rng_chance(struct sim_rng *r, double p)
{
	if (p <= 0)
		return false;
	return (double)(sim_rng_next(r) >> 11) * 0x1.0p-53 < p;
}

/* ---- fault spec ---- */

static bool parse_probability(const char *s, double *out)
{
	char *end;
	if (!*s || isspace((unsigned char)*s))
		return false;
	errno = 0;
	double p = strtod(s, &end);
	if (errno || *end || !isfinite(p) || p < 0 || p > 1)
		return false;
	*out = p;
	return true;
}

static bool parse_duration(const char *s, uint64_t *ns)
{
	char *end;
	if (!*s || isspace((unsigned char)*s) || *s == '-')
		return false;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || !isfinite(v) || v < 0 || end == s)
		return false;
	double scale;
	if (!strcmp(end, "us"))
		scale = 1e3;
	else if (!strcmp(end, "ms"))
		scale = 1e6;
	else if (!strcmp(end, "s"))
		scale = 1e9;
	else
		return false;
	if (v * scale > (double)MAX_STALL_NS)
		return false;
	*ns = (uint64_t)(v * scale);
	return true;
}

static bool parse_count(const char *s, unsigned *out)
{
	char *end;
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > MAX_NOISE)
		return false;
	*out = (unsigned)v;
	return true;
}

/* One "key=value" token; tok is NUL-terminated. */
static bool parse_fault(char *tok, struct sim_faults *f, unsigned *seen, char *err, size_t errlen)
{
	static const char *const keys[] = { "drop", "flip", "stall", "reset", "noise", "ceiling" };
	char *eq = strchr(tok, '=');
	unsigned k;
	if (eq)
		*eq = '\0';
	for (k = 0; k < 6 && strcmp(tok, keys[k]); k++)
		;
	if (eq)
		*eq = '=';
	if (!eq || k == 6) {
		snprintf(err, errlen, "unknown fault '%s' (expected drop=P, flip=P, stall=P:DURATION, reset=P, noise=N "
		         "or ceiling=BAUD:P)", tok);
		return false;
	}
	if (*seen & (1u << k)) {
		snprintf(err, errlen, "fault '%s' is given twice", keys[k]);
		return false;
	}
	*seen |= 1u << k;
	const char *val = eq + 1;
	bool ok;
	switch (k) {
	case 0: ok = parse_probability(val, &f->drop); break;
	case 1: ok = parse_probability(val, &f->flip); break;
	case 3: ok = parse_probability(val, &f->reset); break;
	case 4: ok = parse_count(val, &f->noise); break;
	case 5: {
		char *colon = strchr(tok, ':'), *end = NULL;
		unsigned long baud = strtoul(val, &end, 10);
		ok = colon != NULL && end == colon && baud >= 1200 && baud <= 100000000;
		if (ok)
			f->ceiling_baud = (uint32_t)baud;
		ok = ok && parse_probability(colon + 1, &f->ceiling_flip);
		break;
	}
	default: {
		char *colon = strchr(tok, ':');
		ok = colon != NULL;
		if (ok) {
			*colon = '\0';
			ok = parse_probability(val, &f->stall) && parse_duration(colon + 1, &f->stall_ns);
			*colon = ':';
		}
		break;
	}
	}
	if (!ok) {
		static const char *const want[] = {
			"a probability between 0 and 1 (e.g. drop=1e-4)",
			"a probability between 0 and 1 (e.g. flip=1e-4)",
			"P:DURATION with a unit us, ms or s (e.g. stall=1e-3:200ms)",
			"a probability between 0 and 1 (e.g. reset=1e-6)",
			"a byte count (e.g. noise=64)",
			"BAUD:P, bytes above BAUD flip with probability P (e.g. ceiling=460800:0.01)",
		};
		snprintf(err, errlen, "bad fault '%s': expected %s", tok, want[k]);
	}
	return ok;
}

int sim_faults_parse(const char *spec, struct sim_faults *f, char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	if (!spec || !*spec)
		return IOTFLASH_OK;
	char *copy = strdup(spec);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return IOTFLASH_ERR_NOMEM;
	}
	int rc = IOTFLASH_OK;
	unsigned seen = 0;
	for (char *tok = copy; tok; ) {
		char *comma = strchr(tok, ',');
		if (comma)
			*comma = '\0';
		if (!*tok) {
			snprintf(err, errlen, "empty fault in '%s'", spec);
			rc = IOTFLASH_ERR_ARG;
			break;
		}
		if (!parse_fault(tok, f, &seen, err, errlen)) {
			rc = IOTFLASH_ERR_ARG;
			break;
		}
		tok = comma ? comma + 1 : NULL;
	}
	free(copy);
	return rc;
}

bool iotflash_sim_faults_valid(const char *spec, char *err, size_t errlen)
{
	struct sim_faults f;
	char buf[512];
	if (sim_faults_parse(spec, &f, buf, sizeof(buf)) == IOTFLASH_OK)
		return true;
	if (err && errlen)
		snprintf(err, errlen, "%s", buf);
	return false;
}
