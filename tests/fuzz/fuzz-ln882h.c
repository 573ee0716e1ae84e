/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Fuzz target: the LN882H decoders (plugins/ln882h/protocol.c) fed what the
 * UART or a --loader file delivers: X/YMODEM blocks, ROM and RAM-code text
 * replies, official flash_read hex dumps and RAM-code image headers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/ln882h/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_blocks(const uint8_t *data, size_t size)
{
	uint8_t seq;
	char name[64];
	uint32_t n32;
	if (size) {
		size_t want = ln_block_size(data[0], 1024);
		if (want && size >= want + 5) {
			int got = ln_block_check(data, want + 5, 1024, &seq);
			if (got != -1 && got != (int)want)
				abort();
		}
	}
	if (ln_ymodem_parse_header(data, size, name, sizeof(name), &n32) && memchr(name, 0, sizeof(name)) == NULL)
		abort();  /* the name is always terminated */
}

static void parse_text(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char stamp[LN_STAMP_LEN + 1], line[256], *argv[LN_MAX_ARGS];
	uint32_t a, b;
	if (ln_find_stamp(text, size, stamp) && strlen(stamp) != LN_STAMP_LEN)
		abort();
	(void)ln_find_ramcode(text, size);
	if (ln_parse_flash_info(text, size, &a)) {
		(void)ln_flash_size(a);
		(void)ln_id_to_jedec(a);
	}
	size_t n = size < sizeof(line) - 1 ? size : sizeof(line) - 1;
	memcpy(line, data, n);
	line[n] = '\0';
	(void)ln_parse_download(line, &a, &b);
	int argc = ln_split_args(line, argv);
	if (argc < 0 || argc > LN_MAX_ARGS)
		abort();
	for (int i = 0; i < argc; i++)
		if (argv[i] < line || argv[i] > line + n)
			abort();
}

/* The first bytes say how many flash bytes the hex reply claims to hold. */
static void parse_flash_read(const uint8_t *data, size_t size)
{
	uint8_t out[256];
	if (size < 1)
		return;
	size_t n = data[0];
	if (ln_flash_read_reply_len(n) <= size - 1)
		(void)ln_flash_read_parse((const char *)data + 1, ln_flash_read_reply_len(n), out, n);
}

static void parse_image(const uint8_t *data, size_t size)
{
	struct ln_ramhdr h;
	(void)ln_ramhdr_strerror(ln_ramhdr_parse(data, size, &h));
	(void)ln_image_is_gui(data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0] % 4;
	data++;
	size--;
	switch (mode) {
	case 0: check_blocks(data, size); break;
	case 1: parse_text(data, size); break;
	case 2: parse_flash_read(data, size); break;
	default: parse_image(data, size); break;
	}
	return 0;
}
