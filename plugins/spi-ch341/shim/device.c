/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* CH341A device core and Beken SPI-mode ROM, see device.h. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include "../ch341.h"
#include "device.h"

#define PIN_CS0 0x01
#define PIN_CEN 0x04
#define PIN_SCK 0x08
#define PIN_DOUT 0x20
#define D7_IDLE 0x80
#define UIO_DELAY 0xC0
#define UIO_READ 0x00

#define LOG(d, ...) do { if ((d)->log) (d)->log((d)->log_user, __VA_ARGS__); } while (0)

int ch341_dev_init(struct ch341_dev *d, const struct nor_model_cfg *cfg, uint8_t *mem, bool beken, int miso_stuck)
{
	memset(d, 0, sizeof(*d));
	nor_model_init(&d->nor, cfg, mem);
	d->beken = beken;
	d->miso_stuck = miso_stuck;
	d->out = 0x3F;   /* power-up latches [unknown]: out high, all inputs (SIM-C1) */
	d->dir = 0x00;
	d->levels = 0x3F;
	d->bk = BK_RUN;  /* a powered Beken runs its firmware (or nothing, bricked) */
	d->log = cfg->log;
	d->log_user = cfg->log_user;
	return 0;
}

void ch341_dev_fini(struct ch341_dev *d)
{
	free(d->q);
	d->q = NULL;
}

/* ---- IN queue ---- */

static struct in_packet *queue_new(struct ch341_dev *d)
{
	if (d->q_head > 0 && d->q_head == d->q_len) {
		d->q_head = d->q_len = 0;
	}
	if (d->q_len == d->q_cap) {
		size_t cap = d->q_cap ? d->q_cap * 2 : 64;
		struct in_packet *q = realloc(d->q, cap * sizeof(*q));
		if (!q)
			return NULL;
		d->q = q;
		d->q_cap = cap;
	}
	struct in_packet *p = &d->q[d->q_len++];
	p->len = 0;
	return p;
}

const struct in_packet *ch341_dev_peek(const struct ch341_dev *d)
{
	return d->q_head < d->q_len ? &d->q[d->q_head] : NULL;
}

void ch341_dev_pop(struct ch341_dev *d)
{
	if (d->q_head < d->q_len)
		d->q_head++;
}

/* ---- Beken ROM (SIM-B1..B4) ---- */

static void beken_cen(struct ch341_dev *d, bool high, uint64_t now)
{
	if (!high) {
		d->bk = BK_RESET;
		d->nor.wel = false;
		LOG(d, "beken: CEN low (reset)");
	} else {
		d->bk = BK_LISTEN;
		d->bk_since = now;
		d->bk_d2 = 0;
		d->bk_marker_next = false;
		d->bk_marker_frame = false;
		LOG(d, "beken: CEN high, listening for D2");
	}
}

static void beken_select(struct ch341_dev *d, uint64_t now)
{
	if (d->bk == BK_ACK && now - d->bk_since > BEKEN_T_ACK_US) {
		d->bk = BK_PASS;
		LOG(d, "beken: SPI mode (acknowledge window over)");
	}
	d->bk_frame_bytes = 0;
	if (d->bk == BK_PASS)
		nor_model_select(&d->nor, now);
}

static uint8_t beken_listen(struct ch341_dev *d, uint8_t mosi, uint64_t now)
{
	if (now - d->bk_since > BEKEN_T_LISTEN_US) {
		d->bk = BK_RUN;
		LOG(d, "beken: no D2 pattern in time: firmware runs");
		return 0xFF;
	}
	if (d->bk_marker_next) {
		/* The byte after the k-th D2 carries the marker; the rest of
		 * this frame answers 00. */
		d->bk_marker_next = false;
		d->bk_marker_frame = true;
		d->bk = BK_ACK;
		d->bk_since = now;
		LOG(d, "beken: D2 pattern accepted");
		return 0xD2;
	}
	if (mosi == 0xD2 && ++d->bk_d2 >= BEKEN_K_D2)
		d->bk_marker_next = true;
	return 0x00;
}

/* ACK: every frame answers D2 then 00s, whatever MOSI says (SIM-B3). */
static uint8_t beken_ack(struct ch341_dev *d, uint32_t n, uint8_t mosi, uint64_t now)
{
	if (mosi == 0xD2)
		d->bk_since = now;
	if (d->bk_marker_frame)
		return 0x00;
	if (n == 0) {
		d->bk_first = mosi;
		return 0xD2;
	}
	return 0x00;
}

static uint8_t beken_byte(struct ch341_dev *d, uint8_t mosi, uint64_t now)
{
	uint32_t n = d->bk_frame_bytes++;

	switch (d->bk) {
	case BK_LISTEN: return beken_listen(d, mosi, now);
	case BK_ACK: return beken_ack(d, n, mosi, now);
	case BK_PASS: return nor_model_byte(&d->nor, mosi, now);
	default: return 0xFF;
	}
}

static void beken_deselect(struct ch341_dev *d, uint64_t now)
{
	if (d->bk == BK_PASS) {
		nor_model_deselect(&d->nor, now);
	} else if (d->bk == BK_ACK) {
		if (d->bk_marker_frame)
			d->bk_marker_frame = false;
		else if (d->bk_frame_bytes > 0 && d->bk_first != 0xD2) {
			d->bk = BK_PASS;  /* a frame that was not D2 was answered: the next passes */
			LOG(d, "beken: SPI mode (flushed)");
		}
	}
}

/* ---- pins and SPI ---- */

static void slave_edge(struct ch341_dev *d, bool cs_high, uint64_t now)
{
	if (d->beken) {
		if (cs_high)
			beken_deselect(d, now);
		else
			beken_select(d, now);
	} else if (cs_high) {
		nor_model_deselect(&d->nor, now);
	} else {
		nor_model_select(&d->nor, now);
	}
}

/* Undriven lines read high (pull-ups): SIM-C3. */
static void apply_pins(struct ch341_dev *d, uint64_t now)
{
	uint8_t levels = (uint8_t)(((d->out & d->dir) | (uint8_t)~d->dir) & 0x3F);
	uint8_t changed = levels ^ d->levels;

	d->levels = levels;
	if (changed & PIN_CEN && d->beken)
		beken_cen(d, levels & PIN_CEN, now);
	if (changed & PIN_CS0)
		slave_edge(d, levels & PIN_CS0, now);
}

static uint8_t spi_byte(struct ch341_dev *d, uint8_t mosi, uint64_t now)
{
	uint8_t miso;
	if ((d->dir & (PIN_SCK | PIN_DOUT)) != (PIN_SCK | PIN_DOUT))
		return 0xFF;  /* SCK or DOUT not driven: the slave sees nothing */
	d->spi_bytes++;
	if (d->levels & PIN_CS0)
		return 0xFF;  /* nothing selected */
	if (d->levels & PIN_SCK)
		LOG(d, "ch341: SPI clocked with SCK idling high");
	miso = d->beken ? beken_byte(d, mosi, now) : nor_model_byte(&d->nor, mosi, now);
	return d->miso_stuck >= 0 ? (uint8_t)d->miso_stuck : miso;
}

static void do_spi(struct ch341_dev *d, const uint8_t *p, size_t n, uint64_t now)
{
	struct in_packet *in = queue_new(d);
	for (size_t i = 0; i < n; i++) {
		uint8_t r = ch341_rev(spi_byte(d, ch341_rev(p[i]), now));
		if (in)
			in->data[in->len++] = r;
	}
}

static void do_uio(struct ch341_dev *d, const uint8_t *p, size_t n, uint64_t now)
{
	struct in_packet *in = NULL;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c == CH341_UIO_END)
			return;
		if ((c & 0xC0) == CH341_UIO_OUT) {
			d->out = c & 0x3F;
			apply_pins(d, now);
		} else if ((c & 0xC0) == CH341_UIO_DIR) {
			d->dir = c & 0x3F;
			apply_pins(d, now);
		} else if ((c & 0xC0) == UIO_DELAY) {
			continue;  /* a few us: below the model's resolution */
		} else if (c == UIO_READ) {
			if (!in && !(in = queue_new(d)))
				return;
			in->data[in->len++] = (uint8_t)(D7_IDLE | d->levels);
		} else {
			LOG(d, "ch341: unknown UIO sub-command %02x ignored", c);
		}
	}
	LOG(d, "ch341: UIO packet without END");
}

void ch341_dev_out(struct ch341_dev *d, const uint8_t *buf, size_t len, uint64_t now)
{
	for (size_t off = 0; off < len; off += CH341_PACKET) {
		size_t n = len - off < CH341_PACKET ? len - off : CH341_PACKET;
		const uint8_t *p = buf + off;
		switch (p[0]) {
		case CH341_CMD_SPI_STREAM:
			do_spi(d, p + 1, n - 1, now);
			break;
		case CH341_CMD_UIO_STREAM:
			do_uio(d, p + 1, n - 1, now);
			break;
		case CH341_CMD_I2C_STREAM:
			if (n >= 2 && (p[1] & 0xF0) == CH341_I2C_SET)
				d->stream_mode = p[1] & 0x0F;
			break;
		default:
			LOG(d, "ch341: unknown command %02x ignored", p[0]);
			break;
		}
	}
}
