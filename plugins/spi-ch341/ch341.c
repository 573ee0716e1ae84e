/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* CH341A packet encoding, see ch341.h. */
#include "config.h"

#include <string.h>

#include "ch341.h"

/* CS high for >= 2.25 us, then low, as flashrom's first packet (§1.4, §1.7). */
#define PLUCK_HIGH_COUNT 3

uint8_t ch341_rev(uint8_t b)
{
	b = (uint8_t)((b & 0xF0) >> 4 | (b & 0x0F) << 4);
	b = (uint8_t)((b & 0xCC) >> 2 | (b & 0x33) << 2);
	b = (uint8_t)((b & 0xAA) >> 1 | (b & 0x55) << 1);
	return b;
}

size_t ch341_spi_packets(size_t n)
{
	return (n + CH341_SPI_PER_PACKET - 1) / CH341_SPI_PER_PACKET;
}

size_t ch341_frame_len(size_t n, bool pluck)
{
	return (pluck ? CH341_PACKET : 0) + ch341_spi_packets(n) + n;
}

size_t ch341_packet_payload(size_t n, size_t i)
{
	size_t start = i * CH341_SPI_PER_PACKET;
	if (start >= n)
		return 0;
	return n - start < CH341_SPI_PER_PACKET ? n - start : CH341_SPI_PER_PACKET;
}

static size_t encode_pluck(uint8_t *out, uint8_t pins)
{
	size_t k = 0;
	memset(out, 0, CH341_PACKET);  /* bytes after END are ignored; flashrom pads 00 */
	out[k++] = CH341_CMD_UIO_STREAM;
	for (int i = 0; i < PLUCK_HIGH_COUNT; i++)
		out[k++] = (uint8_t)(CH341_UIO_OUT | ((pins | 1u << CH341_PIN_CS0) & 0x3F));
	out[k++] = (uint8_t)(CH341_UIO_OUT | (pins & ~(1u << CH341_PIN_CS0) & 0x3F));
	out[k] = CH341_UIO_END;
	return CH341_PACKET;
}

size_t ch341_encode_frame(uint8_t *out, uint8_t pins, const uint8_t *tx, size_t n, bool pluck)
{
	size_t k = pluck ? encode_pluck(out, pins) : 0;

	for (size_t i = 0; i < n; i++) {
		if (i % CH341_SPI_PER_PACKET == 0)
			out[k++] = CH341_CMD_SPI_STREAM;
		out[k++] = tx ? ch341_rev(tx[i]) : 0xFF;
	}
	return k;
}

size_t ch341_encode_pins(uint8_t out[4], uint8_t pins, uint8_t dir)
{
	out[0] = CH341_CMD_UIO_STREAM;
	out[1] = (uint8_t)(CH341_UIO_OUT | (pins & 0x3F));
	out[2] = (uint8_t)(CH341_UIO_DIR | (dir & 0x3F));
	out[3] = CH341_UIO_END;
	return 4;
}

size_t ch341_encode_stream_config(uint8_t out[3])
{
	out[0] = CH341_CMD_I2C_STREAM;
	out[1] = CH341_I2C_SET | 1;  /* 100 kHz, single I/O: what every open driver sends */
	out[2] = CH341_I2C_END;
	return 3;
}
