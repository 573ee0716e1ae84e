/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* CH341A USB-SPI packet encoding (docs/protocols/spi-ch341.md §1): pure
 * functions, no USB, so they are unit-tested against the spec's bytes. */
#ifndef SPI_CH341_CH341_H
#define SPI_CH341_CH341_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CH341_VID 0x1a86
#define CH341_PID_SPI 0x5512        /* EPP/I2C/SPI mode: the programmer */
#define CH341_PID_UART 0x5523       /* jumper in UART mode */
#define CH341_PID_UART2 0x7523      /* CH340/CH341 UART-only enumeration */

#define CH341_EP_OUT 0x02
#define CH341_EP_IN 0x82
#define CH341_PACKET 32             /* every packet starts with a command byte */
#define CH341_SPI_PER_PACKET 31
#define CH341_USB_TIMEOUT_MS 1000

#define CH341_CMD_SPI_STREAM 0xA8
#define CH341_CMD_I2C_STREAM 0xAA
#define CH341_CMD_UIO_STREAM 0xAB
#define CH341_UIO_OUT 0x80          /* | D5..D0 levels */
#define CH341_UIO_DIR 0x40          /* | D5..D0 directions, 1 = output */
#define CH341_UIO_END 0x20
#define CH341_I2C_SET 0x60
#define CH341_I2C_END 0x00

/* UIO bits (§1.2). */
#define CH341_PIN_CS0 0
#define CH341_PIN_CEN 2             /* D2: Beken CEN through a soldered wire */
#define CH341_PINS_IDLE 0x37        /* CS0-CS2 high, SCK low, DOUT(2) high */
#define CH341_DIR_SPI 0x3F          /* D0-D5 outputs */

/* Bit 0 becomes bit 7: the CH341 shifts LSB first. */
uint8_t ch341_rev(uint8_t b);

/* A8 packets needed for n SPI bytes. */
size_t ch341_spi_packets(size_t n);
/* Bytes of the single bulk OUT for one exchange of n SPI bytes, with or
 * without the leading CS "pluck" packet. */
size_t ch341_frame_len(size_t n, bool pluck);
/* Encode the OUT buffer: [pluck packet] + A8 packets carrying rev(tx[i])
 * (0xFF when tx is NULL).  pins is the D5..D0 output latch to keep (CEN).
 * Returns the length written (ch341_frame_len). */
size_t ch341_encode_frame(uint8_t *out, uint8_t pins, const uint8_t *tx, size_t n, bool pluck);
/* Payload size of the i-th A8 packet for an exchange of n bytes. */
size_t ch341_packet_payload(size_t n, size_t i);

/* UIO packet that drives pins (D5..D0) with directions dir; returns 4. */
size_t ch341_encode_pins(uint8_t out[4], uint8_t pins, uint8_t dir);
/* The stream configuration packet AA 61 00 (100 kHz I2C, single SPI). */
size_t ch341_encode_stream_config(uint8_t out[3]);

#endif
