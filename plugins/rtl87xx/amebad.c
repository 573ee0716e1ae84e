/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* AmebaD (RTL8720D): the ROM's binary protocol at 115200 and Realtek's
 * imgtool flash loader, uploaded into KM0 RAM (§3).  The loader (never
 * shipped here: iotflash_dev_loader finds the user's copy) adds the
 * XMODEM read 0x20, the SPI read 0x21 (JEDEC id) and the word sum 0x27. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "driver.h"

#define BEACON_LISTEN_MS 150
#define ACK_MS 300
#define WORD_MS 300
#define LOADER_BOOT_MS 1500       /* Realtek's tool allows 1 s for the loader to start */
#define LOADER_EOT_MS 200         /* tools do not wait for the ACK of a loader upload */
#define XM_START_NAK_MS 50        /* the loader skips the session NAK; the ROM sends it */
#define READ_BLOCKS_MAX 16        /* 64 KiB per 0x20 command */
#define READ_FRAME_MARGIN_MS 300
#define READ_FRAME_TRIES 8
#define ERASE_SECTOR_MS 500
#define SUM_BYTES_PER_MS 2000
#define BAUD_SETTLE_MS 20
#define QUERY_TRIES 3

/* `31 addr` -> `31` + u32 (then a beacon). */
static int ambd_read_word(struct rtl *r, uint32_t addr, uint32_t *value)
{
	uint8_t req[5], v[4];

	iotflash_io_flush_input(r->dev);
	rtl_send(r, req, rtl_req_read_word(req, addr));
	if (rtl_wait_byte(r, RTL_CMD_READ_WORD, WORD_MS) != IOTFLASH_OK ||
	    rtl_recv_exact(r, v, 4, WORD_MS) != IOTFLASH_OK)
		return IOTFLASH_ERR_TIMEOUT;
	*value = rtl_get_u32(v);
	return IOTFLASH_OK;
}

static uint32_t loader_addr(const struct rtl *r)
{
	return (uint32_t)rtl_param(r, "loader_addr", 0x82000);
}

static bool loader_running(struct rtl *r)
{
	uint32_t v;
	return ambd_read_word(r, loader_addr(r), &v) == IOTFLASH_OK &&
	       v == (uint32_t)rtl_param(r, "loader_magic", 0x82021);
}

/* The ROM (and the loader at its default rate) beacons; a loader that
 * changed rate is silent until asked (§1.2), so ask it. */
static bool alive_at(struct rtl *r, uint32_t baud)
{
	uint32_t v;

	if (iotflash_io_set_baud(r->dev, baud) < 0)
		return false;
	iotflash_io_flush_input(r->dev);
	if (rtl_wait_byte(r, RTL_NAK, BEACON_LISTEN_MS) != IOTFLASH_OK &&
	    ambd_read_word(r, loader_addr(r), &v) != IOTFLASH_OK)
		return false;
	r->baud = baud;
	return true;
}

static int ambd_find(struct rtl *r)
{
	uint64_t start = iotflash_now_ms();
	bool noticed = false;

	for (;;) {
		int rc;
		if (alive_at(r, r->link_baud) || (r->target != r->link_baud && alive_at(r, r->target)))
			return IOTFLASH_OK;
		if ((rc = rtl_link_timeout(r, start, &noticed)) != IOTFLASH_OK)
			return rc;
	}
}

/* XMODEM the loader to its RAM address; the ROM jumps to it after EOT. */
static int ambd_upload(struct rtl *r)
{
	static const uint8_t start = RTL_CMD_XMODEM, eot = RTL_EOT;
	const uint8_t *code;
	size_t len;
	int rc = iotflash_dev_loader(r->dev, &code, &len);
	uint64_t deadline;

	if (rc != IOTFLASH_OK)
		return rc;
	iotflash_log(r->dev, IOTFLASH_LOG_INFO, "uploading %s (%zu bytes) to 0x%x", r->chip->loader_file, len,
	             (unsigned)loader_addr(r));
	iotflash_io_flush_input(r->dev);
	rtl_send(r, &start, 1);
	if (rtl_wait_byte(r, RTL_ACK, ACK_MS) != IOTFLASH_OK)
		return iotflash_fail(r->dev, IOTFLASH_ERR_TIMEOUT, "the ROM did not start the loader upload");
	rtl_wait_byte(r, RTL_NAK, ACK_MS);
	if ((rc = rtl_xm_send(r, true, loader_addr(r), code, (uint32_t)len, 0xFF, "loader upload")) != IOTFLASH_OK)
		return rc;
	rtl_send(r, &eot, 1);
	rtl_wait_byte(r, RTL_ACK, LOADER_EOT_MS);
	/* The loader starts at 115200 (§3). */
	r->baud = r->link_baud;
	rtl_set_host_baud(r, r->link_baud);
	deadline = iotflash_now_ms() + LOADER_BOOT_MS;
	while (iotflash_now_ms() < deadline)
		if (loader_running(r)) {
			r->loader_uploaded = true;
			return IOTFLASH_OK;
		}
	return iotflash_fail(r->dev, IOTFLASH_ERR_DEVICE, "%s was uploaded but does not answer: is it the right "
	                     "file? (SHA-256 should be %.16s...)", r->chip->loader_file,
	                     r->chip->loader_sha256 ? r->chip->loader_sha256 : "?");
}

static int ambd_try_baud(struct rtl *r, uint32_t baud)
{
	int idx = rtl_baud_index(r->rates, r->n_rates, baud);
	uint32_t old = r->baud;
	uint8_t req[2];

	if (idx < 0)
		return iotflash_fail(r->dev, IOTFLASH_ERR_BAUD, "%u baud is not in the ROM's rate table", (unsigned)baud);
	iotflash_io_flush_input(r->dev);
	rtl_send(r, req, rtl_req_baud(req, (uint8_t)idx));
	if (rtl_wait_byte(r, RTL_ACK, ACK_MS) == IOTFLASH_OK) {
		iotflash_sleep_ms(r->dev, BAUD_SETTLE_MS);
		if (rtl_set_host_baud(r, baud) == IOTFLASH_OK && loader_running(r)) {
			r->baud = baud;
			return IOTFLASH_OK;
		}
	}
	if (alive_at(r, old))
		return IOTFLASH_ERR_BAUD;
	return ambd_find(r) == IOTFLASH_OK ? IOTFLASH_ERR_BAUD : IOTFLASH_ERR_NO_LINK;
}

static int ambd_switch(struct rtl *r)
{
	return rtl_switch_baud(r, ambd_try_baud);
}

static int ambd_link(struct rtl *r)
{
	int rc = ambd_find(r);

	/* The ROM reads RAM with 0x31 too: the loader's first word tells (§1.3). */
	if (rc == IOTFLASH_OK && !loader_running(r)) {
		if (r->baud != r->link_baud && !alive_at(r, r->link_baud))
			return iotflash_fail(r->dev, IOTFLASH_ERR_NO_LINK, "the ROM does not answer at %u baud",
			                     (unsigned)r->link_baud);
		rc = ambd_upload(r);
	}
	if (rc == IOTFLASH_OK)
		rc = ambd_switch(r);
	if (rc == IOTFLASH_OK)
		iotflash_log(r->dev, IOTFLASH_LOG_INFO, "AmebaD flash loader at %u baud", (unsigned)r->baud);
	return rc;
}

static int ambd_detect(struct rtl *r, struct iotflash_chip_info *info)
{
	uint8_t req[3], id[3];

	info->chip = r->chip;
	snprintf(info->loader_version, sizeof info->loader_version, "ROM + imgtool flash loader (%s)",
	         r->loader_uploaded ? "uploaded" : "already running");
	for (unsigned t = 0;; t++) {
		iotflash_io_flush_input(r->dev);
		rtl_send(r, req, rtl_req_spi_read(req, 0x9F, 3));
		if (rtl_wait_byte(r, RTL_CMD_SPI_READ, ACK_MS) == IOTFLASH_OK &&
		    rtl_recv_exact(r, id, 3, ACK_MS) == IOTFLASH_OK)
			break;
		if (t + 1 >= QUERY_TRIES)
			return iotflash_fail(r->dev, IOTFLASH_ERR_TIMEOUT, "no answer to the flash id read (21 9F 03)");
		rtl_drain(r, 20, 500, -1);
	}
	info->flash_id = (uint32_t)id[0] | (uint32_t)id[1] << 8 | (uint32_t)id[2] << 16;
	info->flash = iotflash_db_flash(r->dev, info->flash_id);
	info->flash_size = info->flash ? info->flash->size : rtl_capacity_size(id[2]);
	return IOTFLASH_OK;
}

/* One frame of a 0x20 stream: 02 seq ~seq <1024> sum8 (§1.5).  Returns
 * OK (fresh data in out), 1 for a repeat of the previous frame, or an error. */
static int ambd_read_frame(struct rtl *r, uint8_t seq, uint8_t *out)
{
	uint8_t frame[3 + RTL_XM_DATA + 1];
	unsigned timeout = iotflash_io_wire_ms(r->dev, sizeof frame) + READ_FRAME_MARGIN_MS;
	const uint8_t *data;
	uint32_t unused;
	uint8_t got_seq;
	int rc = rtl_wait_byte(r, RTL_STX, timeout);

	if (rc == IOTFLASH_OK)
		rc = rtl_recv_exact(r, frame + 1, sizeof frame - 1, timeout);
	if (rc != IOTFLASH_OK)
		return rc;
	frame[0] = RTL_STX;
	if (rtl_xm_check(frame, false, &got_seq, &unused, &data) != RTL_XM_GOOD)
		return IOTFLASH_ERR_CHECKSUM;
	if (got_seq == (uint8_t)(seq - 1))
		return 1;
	if (got_seq != seq)
		return IOTFLASH_ERR_PROTOCOL;
	memcpy(out, data, RTL_XM_DATA);
	return IOTFLASH_OK;
}

static void ambd_abort_read(struct rtl *r)
{
	static const uint8_t can = RTL_CAN;

	rtl_drain(r, 30, 2000, -1);
	rtl_send(r, &can, 1);    /* the loader answers 06 and stops */
	rtl_drain(r, 60, 2000, -1);
}

static int ambd_read_cmd(struct rtl *r, uint32_t addr, uint8_t *buf, uint16_t blocks)
{
	static const uint8_t ack = RTL_ACK, nak = RTL_NAK;
	unsigned frames = blocks * (RTL_SECTOR / RTL_XM_DATA), tries = 0;
	uint8_t req[6];

	iotflash_io_flush_input(r->dev);
	rtl_send(r, req, rtl_req_range(req, RTL_CMD_LDR_READ, addr, blocks));
	for (unsigned i = 0; i < frames;) {
		int rc = ambd_read_frame(r, (uint8_t)(i + 1), buf + i * RTL_XM_DATA);
		if (rc == IOTFLASH_OK || rc == 1) {
			rtl_send(r, &ack, 1);
			i += rc == IOTFLASH_OK;
			continue;
		}
		if (rc == IOTFLASH_ERR_CANCELLED || ++tries >= READ_FRAME_TRIES) {
			ambd_abort_read(r);
			return iotflash_fail(r->dev, rc, "read at 0x%06x: frame %u failed %u times",
			                     (unsigned)(addr + i * RTL_XM_DATA), i + 1, tries);
		}
		rtl_drain(r, 20, 500, -1);
		rtl_send(r, &nak, 1);    /* the loader sends the frame again */
	}
	if (rtl_wait_byte(r, RTL_EOT, ACK_MS) == IOTFLASH_OK)
		rtl_send(r, &ack, 1);
	return IOTFLASH_OK;
}

static int ambd_read(struct rtl *r, uint32_t addr, uint8_t *buf, uint32_t len)
{
	return rtl_read_chunked(r, addr, buf, len, READ_BLOCKS_MAX, ambd_read_cmd);
}

static int ambd_write(struct rtl *r, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	static const uint8_t start = RTL_CMD_XMODEM;
	int rc, rc2;

	iotflash_io_flush_input(r->dev);
	rtl_send(r, &start, 1);
	if (rtl_wait_byte(r, RTL_ACK, ACK_MS) != IOTFLASH_OK)
		return iotflash_fail(r->dev, IOTFLASH_ERR_TIMEOUT, "write at 0x%06x: the loader did not start XMODEM",
		                     (unsigned)addr);
	rtl_wait_byte(r, RTL_NAK, XM_START_NAK_MS);
	rc = rtl_xm_send(r, true, r->flash_map + addr, buf, len, 0xFF, "write");
	if (rc != IOTFLASH_OK) {
		static const uint8_t can = RTL_CAN;
		rtl_send(r, &can, 1);
	} else if (!rtl_xm_end(r)) {
		iotflash_log(r->dev, IOTFLASH_LOG_DEBUG, "no ACK for EOT; the data is checked by the core anyway");
	}
	/* The loader is back at 115200 after every session (§1.2, §3 GUI quirk). */
	r->baud = r->link_baud;
	rtl_drain(r, 20, 200, -1);
	if (!alive_at(r, r->link_baud) && (rc2 = ambd_find(r)) != IOTFLASH_OK)
		return rc != IOTFLASH_OK ? rc : rc2;
	rc2 = rtl_resume_baud(r, ambd_try_baud);
	return rc != IOTFLASH_OK ? rc : rc2;
}

static int ambd_erase(struct rtl *r, uint32_t addr, uint32_t len)
{
	uint16_t sectors = (uint16_t)(len / RTL_SECTOR);
	uint8_t req[6];

	iotflash_io_flush_input(r->dev);
	rtl_send(r, req, rtl_req_range(req, RTL_CMD_ERASE, addr, sectors));
	if (rtl_wait_byte(r, RTL_ACK, ACK_MS + sectors * ERASE_SECTOR_MS) != IOTFLASH_OK)
		return iotflash_fail(r->dev, IOTFLASH_ERR_TIMEOUT, "erase at 0x%06x: no answer from the loader",
		                     (unsigned)addr);
	return IOTFLASH_OK;
}

/* `27 offset size` -> `27` + u32: the sum the core computes as wordsum32. */
static int ambd_verify(struct rtl *r, uint32_t addr, uint32_t len, uint8_t *sum)
{
	uint8_t req[7];

	iotflash_io_flush_input(r->dev);
	rtl_send(r, req, rtl_req_checksum(req, addr, len));
	if (rtl_wait_byte(r, RTL_CMD_CHECKSUM, ACK_MS + len / SUM_BYTES_PER_MS) != IOTFLASH_OK ||
	    rtl_recv_exact(r, sum, 4, ACK_MS) != IOTFLASH_OK)
		return iotflash_fail(r->dev, IOTFLASH_ERR_TIMEOUT, "checksum at 0x%06x: no answer from the loader",
		                     (unsigned)addr);
	return IOTFLASH_OK;
}

static void ambd_close(struct rtl *r)
{
	/* The loader stays in RAM; leave it at 115200 for the next run. */
	if (r->baud != r->link_baud) {
		r->target = r->link_baud;
		ambd_switch(r);
	}
}

const struct rtl_ops rtl_ambd_ops = {
	.link = ambd_link,
	.detect = ambd_detect,
	.read = ambd_read,
	.write = ambd_write,
	.erase = ambd_erase,
	.verify = ambd_verify,
	.close = ambd_close,
};
