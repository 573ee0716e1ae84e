/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Fuzz target: the Realtek decoders (plugins/rtl87xx/protocol.c) fed what
 * the UART delivers: XMODEM frames from the loader, AmebaZ2 shell DB/DW
 * dumps and the SPIC register dump the JEDEC id comes from. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/rtl87xx/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_frame(const uint8_t *data, size_t size, bool with_addr)
{
	uint8_t seq;
	uint32_t addr;
	const uint8_t *payload;
	if (size < 1)
		return;
	size_t len = rtl_xm_frame_len(data[0], with_addr);
	if (len == 0 || len > size)
		return;
	if (len > RTL_XM_FRAME_MAX)
		abort();
	if (rtl_xm_check(data, with_addr, &seq, &addr, &payload) == RTL_XM_GOOD &&
	    (payload < data || payload + rtl_xm_payload(data[0]) > data + len))
		abort();  /* the payload lies inside the frame */
}

/* data[0] = how many bytes (DB) or words (DW) the reply claims. */
static void parse_dumps(const uint8_t *data, size_t size)
{
	uint8_t bytes[256];
	uint32_t words[64];
	if (size < 1)
		return;
	unsigned n = data[0];
	const char *text = (const char *)data + 1;
	size--;
	if (n && rtl_db_reply_len(n) <= size)
		(void)rtl_parse_db(text, rtl_db_reply_len(n), 0x08000000, bytes, n);
	if (n && n <= 64 && rtl_dw_reply_len(n) <= size)
		(void)rtl_parse_dw(text, rtl_dw_reply_len(n), 0x08000000, words, n);
	(void)rtl_find(text, size, RTL_HASHS);
	if (size >= 16)
		(void)rtl_capacity_size((uint8_t)(rtl_spic_jedec(data + 1) >> 16));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0] % 3;
	data++;
	size--;
	if (mode == 2)
		parse_dumps(data, size);
	else
		check_frame(data, size, mode == 1);
	return 0;
}
