/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Fuzz target: the WinnerMicro W80x decoders (plugins/w80x/protocol.c) fed
 * what the UART or an image file delivers: command frames, the ROM's text
 * replies, XMODEM blocks and W800/W600 image headers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/w80x/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_frames(const uint8_t *data, size_t size)
{
	size_t off = 0;
	while (off < size) {
		struct w80x_frame f;
		enum w80x_decode res = w80x_decode_frame(data + off, size - off, &f);
		if (res == W80X_DEC_MORE)
			break;
		if (res != W80X_DEC_OK) {
			off++;  /* resync one byte on, as a reader of noise would */
			continue;
		}
		if (f.frame_len == 0 || f.frame_len > size - off)
			abort();  /* a whole frame is inside the input */
		if (f.n && (f.params < data + off || f.params + f.n > data + off + f.frame_len))
			abort();
		off += f.frame_len;
	}
}

static void parse_replies(const uint8_t *data, size_t size)
{
	uint8_t mid, cap, mac[6];
	bool rom;
	if (w80x_parse_flash_id(data, size, &mid, &cap))
		(void)w80x_flash_bytes(cap);
	(void)w80x_parse_mac(data, size, mac, &rom);
	int v = w80x_parse_rom_version(data, size);
	if (v < -1 || v > 9)
		abort();
	if (size) {  /* w80x_xmodem_valid reads the marker before the length */
		(void)w80x_status_text(data[0]);
		(void)w80x_xmodem_valid(data, size);
	}
}

static void decode_headers(const uint8_t *data, size_t size)
{
	uint8_t buf[W800_HEADER_LEN] = {0};
	struct w800_header h8;
	struct w600_header h6;
	memcpy(buf, data, size < sizeof(buf) ? size : sizeof(buf));
	int r8 = w800_header_decode(buf, &h8), r6 = w600_header_decode(buf, &h6);
	/* 0 or the ROM's status letter for a bad header */
	if ((r8 != 0 && !w80x_status_text((uint8_t)r8)) || (r6 != 0 && !w80x_status_text((uint8_t)r6)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0] % 3;
	data++;
	size--;
	if (mode == 0)
		decode_frames(data, size);
	else if (mode == 1)
		parse_replies(data, size);
	else
		decode_headers(data, size);
	return 0;
}
