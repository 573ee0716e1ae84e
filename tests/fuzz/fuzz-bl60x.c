/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Fuzz target: the Bouffalo reply scanner, boot-info decoder and the
 * eflash_loader image parser (plugins/bl60x/protocol.c).  The first byte
 * picks what the rest is: a reply stream (scanned as the driver does) or a
 * loader file (what a user passes with --loader). */
#include <stdint.h>
#include <stdlib.h>

#include "plugins/bl60x/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void scan_replies(const uint8_t *data, size_t size, bool with_data)
{
	size_t off = 0;
	while (off < size) {
		struct bl_reply r;
		size_t used = 0, need = 0;
		enum bl_scan res = bl_scan_reply(data + off, size - off, with_data, &r, &used, &need);
		if (used > size - off)
			abort();  /* never consumes past the buffer */
		if (res == BL_SCAN_NEED || used == 0)
			break;
		if (res == BL_SCAN_FOUND && r.status == BL_REPLY_OK && r.data) {
			if (r.data < data + off || r.data + r.len > data + size)
				abort();  /* the payload lies inside the input */
			struct bl_boot_info bi;
			uint8_t id[8];
			if (bl_parse_boot_info(r.data, r.len, &bi) == 0 && bl_boot_info_id(&bi, id) > sizeof(id))
				abort();
		}
		off += used;
	}
}

static void parse_loader(const uint8_t *data, size_t size)
{
	struct bl_loader_image img;
	char why[128];
	if (bl_parse_loader(data, size, &img, why, sizeof(why)) != 0)
		return;
	if (img.n_segments > BL_MAX_SEGMENTS)
		abort();
	for (unsigned i = 0; i < img.n_segments; i++) {
		const uint8_t *d = img.seg[i].data;
		if (d < data || d > data + size || img.seg[i].len > (size_t)(data + size - d))
			abort();  /* every segment lies inside the file */
		(void)bl_seg_header_valid(img.seg[i].header);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0] % 3;
	data++;
	size--;
	if (mode == 2)
		parse_loader(data, size);
	else
		scan_replies(data, size, mode == 1);
	return 0;
}
