/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Fuzz target: the BK72xx reply scanner and decoders (pure functions of
 * plugins/bk72xx/protocol.c), which read whatever the UART delivers.  The
 * first byte picks the expected reply kind and code; the rest is the wire. */
#include <stdint.h>
#include <stdlib.h>

#include "plugins/bk72xx/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_all(const struct bk_reply *r)
{
	uint32_t v;
	uint8_t crc[4], sr;
	const uint8_t *block;
	char version[64];

	bk_decode_link_check(r);
	bk_decode_set_baud(r, 921600, 20);
	bk_decode_read_reg(r, 0x800000, &v);
	bk_decode_write_reg(r, 0x800000, 1);
	bk_decode_check_crc(r, crc);
	bk_decode_boot_version(r, version, sizeof(version));
	if (bk_decode_read4k(r, 0x11000, &block) == 0 && block)
		v = block[4095];  /* the whole sector must be inside the input */
	bk_decode_write4k(r, 0x11000);
	bk_decode_erase(r, 0x20, 0x11000);
	bk_decode_read_sr(r, 0x05, &sr);
	bk_decode_write_sr(r, 0x0202, 2);
	bk_decode_get_mid(r, &v);
	bk_status_name(r->status);
	(void)v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t codes[] = {0x00, 0x0e, 0x0f, 0x01, 0x03, 0x10, 0x11, 0x06, 0x07, 0x09, 0x0c, 0x0d};
	struct bk_reply r;
	size_t used = 0, need = 0, off = 0;

	if (size < 1)
		return 0;
	bool is_long = data[0] & 0x80;
	uint8_t code = is_long ? (uint8_t)(data[0] & 0x7f) : codes[data[0] % sizeof(codes)];
	unsigned short_len = (data[0] >> 4) & 7;
	data++;
	size--;
	/* Scan as the driver does: drop junk, take a packet, go on. */
	while (off <= size) {
		enum bk_scan_result res = bk_scan_reply(data + off, size - off, is_long, code, short_len, &r, &used, &need);
		if (used > size - off)
			abort();  /* never consumes past the buffer */
		if (res == BK_SCAN_FOUND) {
			if (r.total > size - off || r.payload + r.payload_len > data + size)
				abort();
			decode_all(&r);
		}
		if (used == 0)
			break;
		off += used;
	}
	return 0;
}
