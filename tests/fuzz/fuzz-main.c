/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* A plain driver for LLVMFuzzerTestOneInput, so the fuzz target runs under
 * any compiler in `make check`: seeds (files given, or the flash images in
 * $IOTFLASH_IMAGES, plus built-in ones) mutated at random for N iterations.
 *   fuzz-tuya-smoke [-n ITERATIONS] [-s SEED] [FILE...] */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SEEDS 32
#define STORE_WINDOW 0x14000  /* from 0x1EC000: protected, key and data blocks */

struct seed {
	uint8_t *data;
	size_t len;
};

static struct seed seeds[MAX_SEEDS];
static unsigned n_seeds;
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static void add_seed(const uint8_t *data, size_t len)
{
	if (n_seeds == MAX_SEEDS)
		return;
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return;
	memcpy(copy, data, len);
	seeds[n_seeds].data = copy;
	seeds[n_seeds].len = len;
	n_seeds++;
}

/* A 2 MiB dump adds itself and the window around its store (cheap to run). */
static int add_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "fuzz-tuya: cannot open %s\n", path);
		return -1;
	}
	uint8_t *buf = malloc(0x400000);
	size_t len = buf ? fread(buf, 1, 0x400000, f) : 0;
	fclose(f);
	if (!buf)
		return -1;
	add_seed(buf, len);
	if (len == 0x200000)
		add_seed(buf + 0x1EC000, STORE_WINDOW);
	free(buf);
	return 0;
}

static void add_dump_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char path[4096];
		if (n < 4 || strcmp(e->d_name + n - 4, ".bin"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		add_file(path);
	}
	closedir(d);
}

static void add_builtin_seeds(void)
{
	static const char template_text[] =
		"T{module:CB2S,rl1_pin:6,rl1_lv:1,bt1_pin:7,netled1_pin:8,iicsda:24,iicscl:26,"
		"iicr:2,cjwcur:3,pwmhz:1000,\"q\":{\"n\":[1,2]},max_V:3000,}";
	uint8_t buf[8192];
	add_seed((const uint8_t *)template_text, sizeof(template_text) - 1);
	memset(buf, 0xFF, sizeof(buf));
	add_seed(buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rnd();
	add_seed(buf, sizeof(buf));
}

static void mutate(uint8_t *d, size_t *len)
{
	unsigned count = 1 + rnd() % 8;
	for (unsigned i = 0; i < count && *len; i++) {
		size_t at = rnd() % *len;
		switch (rnd() % 6) {
		case 0: d[at] ^= (uint8_t)(1u << (rnd() % 8)); break;
		case 1: d[at] = (uint8_t)rnd(); break;
		case 2: d[at] = rnd() % 2 ? 0x00 : 0xFF; break;
		case 3: {  /* a whole AES block: reaches deeper than single bits */
			for (size_t k = at & ~(size_t)15; k < *len && k < (at & ~(size_t)15) + 16; k++)
				d[k] = (uint8_t)rnd();
			break;
		}
		case 4: {  /* copy a chunk over another (sectors, pages) */
			size_t from = rnd() % *len, n = 1 + rnd() % 256;
			if (from + n <= *len && at + n <= *len)
				memmove(d + at, d + from, n);
			break;
		}
		default:
			if (rnd() % 4 == 0)
				*len = at;  /* truncation */
			break;
		}
	}
}

int main(int argc, char **argv)
{
	unsigned long iterations = 3000;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			iterations = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-s") && i + 1 < argc)
			rng_state = strtoull(argv[++i], NULL, 0) | 1;
		else {
			fprintf(stderr, "usage: %s [-n ITERATIONS] [-s SEED] [FILE...]\n", argv[0]);
			return 2;
		}
	}
	for (; i < argc; i++)
		if (add_file(argv[i]))
			return 1;
	if (n_seeds == 0 && getenv("IOTFLASH_IMAGES"))
		add_dump_dir(getenv("IOTFLASH_IMAGES"));
	if (n_seeds == 0)
		fprintf(stderr, "fuzz-tuya: no seed files (IOTFLASH_IMAGES unset): built-in seeds only\n");
	add_builtin_seeds();

	/* every seed as is, then mutants in an exact-size buffer (overreads show) */
	for (unsigned s = 0; s < n_seeds; s++)
		LLVMFuzzerTestOneInput(seeds[s].data, seeds[s].len);
	for (unsigned long it = 0; it < iterations; it++) {
		const struct seed *s = &seeds[rnd() % n_seeds];
		if (s->len == 0x200000 && rnd() % 64)
			s = &seeds[(unsigned)(s - seeds) + 1];  /* full dumps only now and then */
		size_t len = s->len;
		uint8_t *d = malloc(len ? len : 1);
		if (!d)
			return 1;
		memcpy(d, s->data, len);
		mutate(d, &len);
		uint8_t *exact = malloc(len ? len : 1);
		if (!exact)
			return 1;
		memcpy(exact, d, len);
		free(d);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	printf("fuzz-tuya: %lu iterations over %u seeds, no crash\n", iterations, n_seeds);
	for (unsigned s = 0; s < n_seeds; s++)
		free(seeds[s].data);
	return 0;
}
