/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Fuzz target: what the CH341A SPI path decodes from the wire
 * (plugins/spi-ch341/spinor.c, ch341.c): the JEDEC id, the status registers
 * of an arbitrary part turned into a write plan, and the bit-reversed
 * exchange frames whose MISO bytes the driver reads back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/spi-ch341/ch341.h"
#include "plugins/spi-ch341/spinor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* 3 id bytes, then SR, mask, protect/unprotect and the wanted value. */
static void decode_ids(const uint8_t *data, size_t size)
{
	if (size < 3 + 16)
		return;
	uint32_t jedec = nor_jedec(data);
	uint32_t bytes = nor_size_from_jedec(jedec);
	if (bytes && (bytes & (bytes - 1)))
		abort();  /* a flash size is a power of two */
	(void)nor_jedec_absent(jedec);
	struct iotflash_flash_part part = {
		.jedec = jedec, .name = "fuzz", .size = bytes, .sr_count = data[3] % 4,
		.sr_mask = le32(data + 7) & 0xffffff, .sr_protect = le32(data + 11), .sr_unprotect = 0,
	};
	struct nor_sr_plan plan;
	uint32_t sr = le32(data + 3) & 0xffffff, want = le32(data + 15) & part.sr_mask;
	nor_plan_sr(&part, sr, want, &plan);
	if (plan.wrsr_len != 2 && plan.wrsr_len != 3)
		abort();
	if (plan.target & (NOR_SR1_WIP | NOR_SR1_WEL))
		abort();  /* never writes the read-only bits */
	if (plan.needed == nor_sr_is(&part, sr, want))
		abort();
}

/* An exchange of the input's bytes: the frame carries each one reversed. */
static void frames(const uint8_t *data, size_t size)
{
	static uint8_t out[8192];
	size_t n = size > 2048 ? 2048 : size;
	if (ch341_frame_len(n, true) > sizeof(out))
		return;
	size_t len = ch341_encode_frame(out, CH341_PINS_IDLE, data, n, true);
	if (len != ch341_frame_len(n, true))
		abort();
	size_t total = 0;
	for (size_t i = 0; i < ch341_spi_packets(n); i++)
		total += ch341_packet_payload(n, i);
	if (total != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if (ch341_rev(ch341_rev(data[i])) != data[i])
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0] & 1;
	data++;
	size--;
	if (mode)
		frames(data, size);
	else
		decode_ids(data, size);
	return 0;
}
