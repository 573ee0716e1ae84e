/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* TR6260 chip driver: ROM sync at 57600, loader upload in 1 KiB blocks,
 * then the loader's baud code and typed 12-byte headers
 * (docs/protocols/eswin.md §3, cited as §N).  The loader has no checksum:
 * the core proves reads by reading twice and verifies by reading back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iotflash/plugin.h>

#include "protocol.h"

#define LINK_BAUD        57600
#define SYNC_WAIT_MS     50      /* both tools: write, 50 ms, read (§3.1) */
#define SYNC_READ_MS     300
#define SYNC_NOTICE_MS   3000
#define SYNC_TIMEOUT_MS  25000
#define ANSWER_MS        2000
#define BAUD_SETTLE_MS   50      /* host waits before reading the 03 (§3.2) */
#define ERASE_MS_4K      400
#define UPLOAD_ANSWER_MS 300     /* type 8 answers at once */
#define QUIET_MS         300
#define RECOVER_MS       4000    /* longer than the loader's wait for our 00 */
#define ABORT_QUIET_MS   30
#define BLOCK_GAP_MS     50

struct tr {
	struct iotflash_dev *dev;
	uint32_t link_baud;
	uint8_t head[ESWIN_HEADER_LEN];
};

static int send(struct tr *t, const void *buf, size_t len)
{
	int rc = iotflash_io_write(t->dev, buf, len);
	return rc < 0 ? iotflash_fail(t->dev, rc, "cannot write to the port") : IOTFLASH_OK;
}

/* One byte within timeout_ms: 1, 0 on timeout, or an error. */
static int answer(struct tr *t, uint8_t *b, unsigned timeout_ms)
{
	int n = iotflash_io_read(t->dev, b, 1, timeout_ms);
	return n < 0 ? iotflash_fail(t->dev, n, "cannot read from the port") : n;
}

/* Drop input until quiet_ms of silence (at most max_ms). */
static void settle_quiet(struct tr *t, unsigned quiet_ms, unsigned max_ms)
{
	uint64_t end = iotflash_now_ms() + max_ms;
	uint8_t junk[256];
	while (iotflash_now_ms() < end && iotflash_io_read(t->dev, junk, sizeof junk, quiet_ms) > 0)
		;
	iotflash_io_flush_input(t->dev);
}

static void settle(struct tr *t, unsigned max_ms)
{
	settle_quiet(t, QUIET_MS, max_ms);
}

/* `cnys`, 50 ms, one byte: 01 (ROM), 02 (loader), else 0 / error. */
static int sync_once(struct tr *t)
{
	uint8_t b = 0;
	int rc;
	iotflash_io_flush_input(t->dev);
	if ((rc = send(t, eswin_sync, ESWIN_SYNC_LEN)) != IOTFLASH_OK)
		return rc;
	iotflash_sleep_ms(t->dev, SYNC_WAIT_MS);
	if ((rc = answer(t, &b, SYNC_READ_MS)) < 0)
		return rc;
	return rc == 1 && (b == ESWIN_SYNC_ROM || b == ESWIN_SYNC_LOADER) ? b : 0;
}

static int upload_loader(struct tr *t)
{
	const uint8_t *data;
	size_t len;
	uint8_t b;
	int rc;

	if ((rc = iotflash_dev_loader(t->dev, &data, &len)) != IOTFLASH_OK)
		return rc;
	eswin_encode_header(t->head, ESWIN_ROM_TYPE_RAM, 0, (uint32_t)len);
	if ((rc = send(t, t->head, sizeof t->head)) != IOTFLASH_OK)
		return rc;
	if ((rc = answer(t, &b, ANSWER_MS)) <= 0)
		return rc < 0 ? rc : iotflash_fail(t->dev, IOTFLASH_ERR_NO_LINK, "the TR6260 ROM did not answer the load header");
	for (size_t off = 0; off < len; off += TR_BLOCK) {
		size_t n = len - off < TR_BLOCK ? len - off : TR_BLOCK;
		if ((rc = send(t, data + off, n)) != IOTFLASH_OK)
			return rc;
		if ((rc = answer(t, &b, ANSWER_MS)) < 0)
			return rc;
		if (rc == 0 || b != ESWIN_RESP_OK)
			return iotflash_fail(t->dev, IOTFLASH_ERR_PROTOCOL, "loader upload: block at 0x%zx not accepted", off);
	}
	for (int i = 0; i < 10; i++) {  /* the loader answers `cnys` with 02 (§3.2) */
		iotflash_sleep_ms(t->dev, 150);
		if ((rc = sync_once(t)) < 0)
			return rc;
		if (rc == ESWIN_SYNC_LOADER)
			return IOTFLASH_OK;
	}
	return iotflash_fail(t->dev, IOTFLASH_ERR_NO_LINK,
	                     "the loader did not start after the upload: the ROM takes it with no checksum, so a byte "
	                     "garbled on the line or a --loader file that is not TR6260_Boot.bin leaves the chip hung: "
	                     "reset it and try again");
}

/* The code, switch at once, 50 ms, `03` at the new rate, then `02` (§3.2). */
static int try_baud(struct tr *t, uint32_t baud)
{
	uint8_t code = tr_baud_code(baud), b = 0;
	int rc;

	if (!code)
		return iotflash_fail(t->dev, IOTFLASH_ERR_BAUD, "the TR6260 loader has no code for %u baud", (unsigned)baud);
	iotflash_io_flush_input(t->dev);
	if ((rc = send(t, &code, 1)) != IOTFLASH_OK)
		return rc;
	/* The code must reach the loader at the old rate before the port
	 * switches; a 03 missed meanwhile is made up for by the sync below. */
	iotflash_io_drain(t->dev);
	iotflash_sleep_ms(t->dev, 2 + iotflash_io_wire_ms(t->dev, 1));
	if ((rc = iotflash_io_set_baud(t->dev, baud)) != IOTFLASH_OK)
		return iotflash_fail(t->dev, rc, "the port refuses %u baud", (unsigned)baud);
	iotflash_sleep_ms(t->dev, BAUD_SETTLE_MS);
	if ((rc = answer(t, &b, ANSWER_MS)) < 0)
		return rc;
	if ((rc == 0 || b == TR_BAUD_ACK) && sync_once(t) == ESWIN_SYNC_LOADER)
		return IOTFLASH_OK;
	return iotflash_fail(t->dev, IOTFLASH_ERR_BAUD, "the TR6260 loader did not take %u baud", (unsigned)baud);
}

static int raise_baud(struct tr *t)
{
	uint32_t target = iotflash_dev_target_baud(t->dev);
	if (target == 0 || target == t->link_baud)
		return IOTFLASH_OK;
	/* A lost code or 03 is worth another try before settling lower. */
	for (int i = 0; i < 3; i++) {
		if (try_baud(t, target) == IOTFLASH_OK)
			return IOTFLASH_OK;
		iotflash_io_set_baud(t->dev, t->link_baud);
		settle(t, QUIET_MS);
		if (sync_once(t) != ESWIN_SYNC_LOADER) {
			iotflash_io_set_baud(t->dev, target);  /* it switched and the 03 was lost */
			if (sync_once(t) == ESWIN_SYNC_LOADER)
				return IOTFLASH_OK;
			iotflash_io_set_baud(t->dev, t->link_baud);
		}
	}
	iotflash_io_set_baud(t->dev, t->link_baud);
	settle(t, QUIET_MS);
	if (sync_once(t) == ESWIN_SYNC_LOADER) {
		iotflash_log(t->dev, IOTFLASH_LOG_WARN, "%u baud failed; staying at %u", (unsigned)target,
		             (unsigned)t->link_baud);
		return IOTFLASH_OK;
	}
	iotflash_io_set_baud(t->dev, target);  /* it switched and the 03 was lost */
	if (sync_once(t) == ESWIN_SYNC_LOADER)
		return IOTFLASH_OK;
	return iotflash_fail(t->dev, IOTFLASH_ERR_BAUD, "lost the TR6260 loader after asking for %u baud", (unsigned)target);
}

static int tr_open(struct iotflash_dev *dev, void **priv)
{
	const struct iotflash_chip *chip = iotflash_dev_chip(dev);
	struct tr *t = calloc(1, sizeof(*t));
	uint64_t start = iotflash_now_ms();
	bool told = false;
	int rc = 0;

	if (!t)
		return iotflash_fail(dev, IOTFLASH_ERR_NOMEM, "out of memory");
	t->dev = dev;
	t->link_baud = chip && chip->link_baud ? chip->link_baud : LINK_BAUD;
	for (unsigned i = 0; rc <= 0; i++) {
		/* Every fourth try at the target rate: a loader left by an earlier session. */
		uint32_t baud = i % 4 == 3 ? iotflash_dev_target_baud(dev) : t->link_baud;
		if (iotflash_now_ms() - start > SYNC_TIMEOUT_MS) {
			rc = iotflash_fail(dev, IOTFLASH_ERR_NO_LINK,
			                   "no TR6260 answered `cnys` at %u baud: check wiring (TXD=GPIO6, RXD=GPIO5), "
			                   "then short RST to ground while iotflash waits", (unsigned)t->link_baud);
			goto fail;
		}
		if (iotflash_dev_cancelled(dev)) {
			rc = iotflash_fail(dev, IOTFLASH_ERR_CANCELLED, "cancelled");
			goto fail;
		}
		if (baud && (rc = iotflash_io_set_baud(dev, baud)) != IOTFLASH_OK) {
			rc = iotflash_fail(dev, rc, "the port refuses %u baud", (unsigned)baud);
			goto fail;
		}
		if ((rc = sync_once(t)) < 0)
			goto fail;
		if (!told && iotflash_now_ms() - start > SYNC_NOTICE_MS) {
			iotflash_notice(dev, "no answer yet: reset the TR6260 (short RST to ground) now");
			told = true;
		}
	}
	if (rc == ESWIN_SYNC_ROM && (rc = upload_loader(t)) != IOTFLASH_OK)
		goto fail;
	iotflash_dev_answered(dev);
	if (iotflash_io_baud(dev) == t->link_baud && (rc = raise_baud(t)) != IOTFLASH_OK)
		goto fail;
	iotflash_dev_set_checksum(dev, IOTFLASH_SUM_NONE);
	*priv = t;
	return IOTFLASH_OK;
fail:
	free(t);
	return rc;
}

/* Back to 57600 (code 02) so that the next session finds the loader there. */
static void tr_close(void *priv)
{
	struct tr *t = priv;
	if (iotflash_io_baud(t->dev) != t->link_baud && try_baud(t, t->link_baud) != IOTFLASH_OK)
		iotflash_io_set_baud(t->dev, t->link_baud);
	free(t);
}

static int tr_detect(void *priv, struct iotflash_chip_info *info)
{
	struct tr *t = priv;
	/* The loader reports nothing about the flash: the database's size stands. */
	if (!info->chip)
		info->chip = iotflash_db_chip(t->dev, "tr6260");
	info->flash_size = info->chip ? info->chip->flash_size : 0;
	snprintf(info->loader_version, sizeof info->loader_version, "uboot loader");
	return IOTFLASH_OK;
}

/* Header, then its answer byte (after the erase for erase and write types). */
static int header(struct tr *t, uint32_t type, uint32_t addr, uint32_t len, unsigned timeout_ms)
{
	uint8_t b;
	int rc;
	eswin_encode_header(t->head, type, addr, len);
	iotflash_io_flush_input(t->dev);
	if ((rc = send(t, t->head, sizeof t->head)) != IOTFLASH_OK)
		return rc;
	if ((rc = answer(t, &b, timeout_ms)) < 0)
		return rc;
	if (rc == 0)
		return iotflash_fail(t->dev, IOTFLASH_ERR_TIMEOUT, "no answer to header type %u at 0x%06x", (unsigned)type,
		                     (unsigned)addr);
	if (b == ESWIN_RESP_FAIL)
		return iotflash_fail(t->dev, IOTFLASH_ERR_DEVICE, "the loader refused header type %u at 0x%06x+0x%x",
		                     (unsigned)type, (unsigned)addr, (unsigned)len);
	return IOTFLASH_OK;
}

static unsigned erase_ms(uint32_t len)
{
	return ANSWER_MS + ERASE_MS_4K * ((len + 4095) / 4096);
}

static int tr_read(void *priv, uint32_t addr, uint8_t *buf, uint32_t len)
{
	struct tr *t = priv;
	uint8_t ok = ESWIN_RESP_OK;
	int rc;

	if ((rc = header(t, TR_UPLOAD, addr, len, UPLOAD_ANSWER_MS)) != IOTFLASH_OK)
		return rc;
	for (uint32_t off = 0; off < len;) {
		uint32_t n = len - off < TR_BLOCK ? len - off : TR_BLOCK, got = 0;
		/* The loader sends a block in one go: once it flows, a gap means
		 * a byte was lost, not a slow chip. */
		for (;;) {
			unsigned ms = iotflash_io_wire_ms(t->dev, n - got) + (got ? BLOCK_GAP_MS : ANSWER_MS);
			int r = iotflash_io_read(t->dev, buf + off + got, got ? n - got : 1, ms);
			if (r < 0)
				return iotflash_fail(t->dev, r, "cannot read from the port");
			got += (uint32_t)r;
			if (r == 0 || got == n)
				break;
		}
		if (got < n) {
			/* A byte was lost: the loader waits for our answer to this
			 * block; anything but 00 ends the upload (§3.2), at once. */
			uint8_t no = ESWIN_RESP_FAIL;
			send(t, &no, 1);
			settle_quiet(t, ABORT_QUIET_MS, RECOVER_MS);
			return iotflash_fail(t->dev, IOTFLASH_ERR_TIMEOUT, "read 0x%06x: %u of %u bytes", (unsigned)(addr + off),
			                     (unsigned)got, (unsigned)n);
		}
		if ((rc = send(t, &ok, 1)) != IOTFLASH_OK)
			return rc;
		off += n;
	}
	return IOTFLASH_OK;
}

static int tr_write(void *priv, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	struct tr *t = priv;
	/* Types 1-4 all write flash at addr (§3.2); 5 would be RAM. */
	uint32_t type = addr == 0 ? TR_UBOOT : TR_NV;
	int rc;

	if ((rc = header(t, type, addr, len, erase_ms(len))) != IOTFLASH_OK)
		return rc;
	for (uint32_t off = 0; off < len; off += TR_BLOCK) {
		uint32_t n = len - off < TR_BLOCK ? len - off : TR_BLOCK;
		uint8_t b;
		if ((rc = send(t, buf + off, n)) != IOTFLASH_OK)
			return rc;
		if ((rc = answer(t, &b, iotflash_io_wire_ms(t->dev, n) + ANSWER_MS)) < 0)
			return rc;
		if (rc == 0) {
			/* A byte of ours was lost: the loader still counts this block
			 * and would write our next header into flash.  Fill the rest
			 * of the range (the core writes it again), then let it finish. */
			uint8_t *fill = malloc(len - off);
			if (fill) {
				memset(fill, 0xFF, len - off);
				send(t, fill, len - off);
				free(fill);
			}
		}
		if (rc == 0 || b != ESWIN_RESP_OK) {
			settle(t, RECOVER_MS);
			return iotflash_fail(t->dev, rc == 0 ? IOTFLASH_ERR_TIMEOUT : IOTFLASH_ERR_DEVICE,
			                     "write 0x%06x: block %s", (unsigned)(addr + off),
			                     rc == 0 ? "not answered" : "refused");
		}
	}
	return IOTFLASH_OK;
}

static int tr_erase(void *priv, uint32_t addr, uint32_t len)
{
	struct tr *t = priv;
	return header(t, TR_ERASE, addr, len, erase_ms(len));
}

const struct iotflash_driver tr6260_driver = {
	.name = "tr6260",
	.description = "TR6260 ROM + uboot loader (typed headers, 1 KiB blocks)",
	.open = tr_open,
	.close = tr_close,
	.detect = tr_detect,
	.read = tr_read,
	.write = tr_write,
	.erase = tr_erase,
	.verify = NULL,  /* no device-side checksum: the core reads back */
};
