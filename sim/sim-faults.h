/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The simulator's fault injection: the --faults SPEC and the seeded
 * random streams that decide, byte by byte, which faults happen. */
#ifndef IOTFLASH_SIM_FAULTS_H
#define IOTFLASH_SIM_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_faults {
	double drop, flip, stall, reset;  /* probabilities per byte */
	uint64_t stall_ns;
	uint32_t ceiling_baud;            /* a weak adapter/wiring: above this rate ... */
	double ceiling_flip;              /* ... bytes flip with this probability */
	unsigned noise;                   /* junk bytes at open and after each reset */
};

struct sim_rng {
	uint64_t s;  /* xorshift64* state, never 0 */
};

/* Stream k of seed: the same seed and stream give the same numbers. */
void sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream);
uint64_t sim_rng_next(struct sim_rng *r);
/* True with probability p. */
bool sim_rng_chance(struct sim_rng *r, double p);

/* Parse SPEC (NULL or "" for none) into f; IOTFLASH_OK, or an error with
 * one line in err naming the bad token. */
int sim_faults_parse(const char *spec, struct sim_faults *f, char *err, size_t errlen);

#endif
