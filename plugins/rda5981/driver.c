/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* RDA5981 chip driver: the `Boot > ` shell at 921600 (loadb, checksum 1, go;
 * docs/protocols/a5-stub-families.md §3.2, cited as §N), then the A5 stub (§2)
 * through plugins/common/a5stub.h: flash id 0x90, CRC-32/JAMCRC checks 0x8F.
 * The stub goes up in 1 KiB loadb pieces, each checked with `checksum 1`: a
 * raw loadb has no error detection, and one lost byte would cost the whole
 * 18 KiB.  Policy (retries, skipping, verification, protected regions) is
 * the core's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iotflash/plugin.h>

#include "../common/a5stub.h"
#include "protocol.h"

#define STUB_BAUD        115200
#define PROBE_MS         200      /* GUI: 0x90 with 0.2 s (§3.2) */
#define PROMPT_TRY_MS    50       /* GUI: `\r\n` every 50 ms */
#define SYNC_NOTICE_MS   3000
#define SYNC_TIMEOUT_MS  25000
#define TEXT_MS          300      /* a shell answer */
#define PIECE            1024
#define PIECE_TRIES      6
#define GO_SETTLE_MS     20       /* GUI: 20 ms, then 115200 */
#define READ_LEVEL       5        /* the GUI's 0x96 level for RDA5981 (§0) */
#define CHIP_ERASE_MS    30000

struct rda {
	struct iotflash_dev *dev;
	struct a5_host h;
	uint32_t jedec;
	bool compress;
	char text[512];               /* shell output seen so far */
	size_t text_n;
};

static int send(struct rda *d, const void *buf, size_t len)
{
	int rc = iotflash_io_write(d->dev, buf, len);
	return rc < 0 ? iotflash_fail(d->dev, rc, "cannot write to the port") : IOTFLASH_OK;
}

/* Collect shell output until it contains `what` (1), the time is up (0), or an error. */
static int wait_text(struct rda *d, const char *what, unsigned timeout_ms)
{
	uint64_t end = iotflash_now_ms() + timeout_ms;
	for (;;) {
		uint64_t now = iotflash_now_ms();
		uint8_t buf[1];             /* one at a time: a read waits for all it asks */
		int n;
		if (strstr(d->text, what))
			return 1;
		if (now >= end)
			return 0;
		if ((n = iotflash_io_read(d->dev, buf, sizeof buf, (unsigned)(end - now))) < 0)
			return iotflash_fail(d->dev, n, "cannot read from the port");
		for (int i = 0; i < n; i++) {
			if (d->text_n + 1 >= sizeof d->text) {  /* keep the tail */
				memmove(d->text, d->text + sizeof d->text / 2, sizeof d->text / 2);
				d->text_n -= sizeof d->text / 2;
			}
			d->text[d->text_n++] = buf[i] ? (char)buf[i] : '?';
		}
		d->text[d->text_n] = 0;
	}
}

static void text_reset(struct rda *d)
{
	iotflash_io_flush_input(d->dev);
	d->text_n = 0;
	d->text[0] = 0;
}

/* `\r\n` until a line shows `Boot >` (§3.2). */
static int rom_prompt(struct rda *d)
{
	uint64_t start = iotflash_now_ms();
	bool told = false;
	int rc;

	if ((rc = iotflash_io_set_baud(d->dev, RDA_ROM_BAUD)) != IOTFLASH_OK)
		return iotflash_fail(d->dev, rc, "the port refuses %u baud", RDA_ROM_BAUD);
	text_reset(d);
	while (iotflash_now_ms() - start < SYNC_TIMEOUT_MS) {
		if (iotflash_dev_cancelled(d->dev))
			return iotflash_fail(d->dev, IOTFLASH_ERR_CANCELLED, "cancelled");
		if ((rc = send(d, "\r\n", 2)) != IOTFLASH_OK)
			return rc;
		if ((rc = wait_text(d, RDA_PROMPT, PROMPT_TRY_MS)) < 0)
			return rc;
		if (rc == 1)
			return IOTFLASH_OK;
		if (!told && iotflash_now_ms() - start > SYNC_NOTICE_MS) {
			iotflash_notice(d->dev, "no answer yet: reset or power-cycle the RDA5981 now (pull IO21 high if no "
			                        "shell appears)");
			told = true;
		}
	}
	return iotflash_fail(d->dev, IOTFLASH_ERR_NO_LINK,
	                     "no RDA5981 `Boot >` shell at %u baud: check wiring (chip TX0 GPIO27, RX GPIO26), "
	                     "then reset the chip while iotflash waits",
	                     RDA_ROM_BAUD);
}

/* One piece: loadb, raw bytes, `Done`, `checksum 1` equal to ours. */
static int load_piece(struct rda *d, uint32_t addr, const uint8_t *data, size_t n)
{
	char line[RDA_LINE_MAX];
	uint32_t crc;
	size_t len;
	int r;

	text_reset(d);
	len = rda_loadb_line(line, sizeof line, addr, (uint32_t)n);
	if ((r = send(d, line, len)) != IOTFLASH_OK)
		return r;
	if ((r = wait_text(d, "Download", TEXT_MS)) != 1)
		return r < 0 ? r : 0;
	if ((r = send(d, data, n)) != IOTFLASH_OK)
		return r;
	if ((r = wait_text(d, "Done", TEXT_MS + iotflash_io_wire_ms(d->dev, n))) != 1)
		return r < 0 ? r : 0;
	if ((r = wait_text(d, RDA_PROMPT, TEXT_MS)) < 0)
		return r;
	text_reset(d);
	len = rda_checksum_line(line, sizeof line, addr, (uint32_t)n);
	if ((r = send(d, line, len)) != IOTFLASH_OK)
		return r;
	if ((r = wait_text(d, RDA_PROMPT, TEXT_MS)) != 1)
		return r < 0 ? r : 0;
	return rda_parse_crc(d->text, &crc) && crc == rda_jamcrc(data, n);
}

/* A half-sent piece leaves loadb waiting: let it time out, then ask for the prompt. */
static void rom_recover(struct rda *d)
{
	iotflash_sleep_ms(d->dev, 600);
	text_reset(d);
	send(d, "\r", 1);
	wait_text(d, RDA_PROMPT, TEXT_MS);
}

/* `checksum 1` over the whole image, as the GUI checks it: a chip reset in
 * the middle of the pieces leaves RAM without the earlier ones. */
static int image_ok(struct rda *d, const uint8_t *data, size_t len)
{
	char line[RDA_LINE_MAX];
	size_t n = rda_checksum_line(line, sizeof line, RDA_STUB_ADDR, (uint32_t)len);
	uint32_t crc;
	int r;

	text_reset(d);
	if ((r = send(d, line, n)) != IOTFLASH_OK)
		return r;
	if ((r = wait_text(d, RDA_PROMPT, TEXT_MS)) != 1)
		return r < 0 ? r : 0;
	return rda_parse_crc(d->text, &crc) && crc == rda_jamcrc(data, len);
}

static int load_pieces(struct rda *d, const uint8_t *data, size_t len)
{
	size_t n;
	int rc;

	for (size_t off = 0; off < len; off += PIECE) {
		int t;
		n = len - off < PIECE ? len - off : PIECE;
		for (t = 0; t < PIECE_TRIES; t++) {
			if (iotflash_dev_cancelled(d->dev))
				return iotflash_fail(d->dev, IOTFLASH_ERR_CANCELLED, "cancelled");
			if ((rc = load_piece(d, RDA_STUB_ADDR + (uint32_t)off, data + off, n)) < 0)
				return rc;
			if (rc == 1)
				break;
			rom_recover(d);
		}
		if (t == PIECE_TRIES)
			return iotflash_fail(d->dev, IOTFLASH_ERR_PROTOCOL,
			                     "the RDA5981 shell did not take the stub at 0x%08x (loadb/checksum failed %d times)",
			                     (unsigned)(RDA_STUB_ADDR + off), PIECE_TRIES);
	}
	return IOTFLASH_OK;
}

static int upload_stub(struct rda *d)
{
	const uint8_t *data;
	char line[RDA_LINE_MAX];
	size_t len, n;
	int rc, t;

	if ((rc = iotflash_dev_loader(d->dev, &data, &len)) != IOTFLASH_OK)
		return rc;
	for (t = 0; t < 3; t++) {
		if ((rc = load_pieces(d, data, len)) != IOTFLASH_OK)
			return rc;
		if ((rc = image_ok(d, data, len)) < 0)
			return rc;
		if (rc == 1)
			break;
		iotflash_log(d->dev, IOTFLASH_LOG_WARN, "the stub in RAM is not what was sent (a reset?); loading it again");
		rom_recover(d);
	}
	if (t == 3)
		return iotflash_fail(d->dev, IOTFLASH_ERR_PROTOCOL, "the RDA5981 shell did not keep the stub in RAM");
	n = rda_go_line(line, sizeof line, RDA_STUB_ENTRY);
	text_reset(d);
	if ((rc = send(d, line, n)) != IOTFLASH_OK)
		return rc;
	iotflash_io_drain(d->dev);
	iotflash_sleep_ms(d->dev, GO_SETTLE_MS);
	if ((rc = iotflash_io_set_baud(d->dev, STUB_BAUD)) != IOTFLASH_OK)
		return iotflash_fail(d->dev, rc, "the port refuses %u baud", STUB_BAUD);
	iotflash_io_flush_input(d->dev);
	for (int i = 0; i < 3; i++)
		if (a5_probe(&d->h, &d->jedec, PROBE_MS))
			return IOTFLASH_OK;
	return iotflash_fail(d->dev, IOTFLASH_ERR_NO_LINK,
	                     "the stub did not answer after `go`: is the --loader file the RDA5981 stub?");
}

static int raise_baud(struct rda *d)
{
	uint32_t target = iotflash_dev_target_baud(d->dev), jedec;
	int rc;

	if (target == 0 || target == STUB_BAUD)
		return IOTFLASH_OK;
	if ((rc = a5_set_baud(&d->h, target)) == IOTFLASH_OK)
		return IOTFLASH_OK;
	if (a5_probe(&d->h, &jedec, PROBE_MS))
		return IOTFLASH_OK;
	iotflash_io_set_baud(d->dev, STUB_BAUD);
	if (a5_probe(&d->h, &jedec, PROBE_MS)) {
		iotflash_log(d->dev, IOTFLASH_LOG_WARN, "%u baud failed; staying at %u", (unsigned)target, STUB_BAUD);
		return IOTFLASH_OK;
	}
	return rc;
}

static bool stub_running(struct rda *d)
{
	uint32_t target = iotflash_dev_target_baud(d->dev);
	if (a5_probe(&d->h, &d->jedec, PROBE_MS))
		return true;
	if (target && target != STUB_BAUD && iotflash_io_set_baud(d->dev, target) == IOTFLASH_OK) {
		if (a5_probe(&d->h, &d->jedec, PROBE_MS))
			return true;
		iotflash_io_set_baud(d->dev, STUB_BAUD);
	}
	return false;
}

static int rda_open(struct iotflash_dev *dev, void **priv)
{
	const struct iotflash_chip *chip = iotflash_dev_chip(dev);
	struct rda *d = calloc(1, sizeof(*d));
	int rc;

	if (!d)
		return iotflash_fail(dev, IOTFLASH_ERR_NOMEM, "out of memory");
	d->dev = dev;
	d->h.dev = dev;
	d->compress = true;
	if (chip)
		iotflash_chip_param_bool(chip, "compress", &d->compress);
	if ((rc = iotflash_io_set_baud(dev, STUB_BAUD)) != IOTFLASH_OK) {
		rc = iotflash_fail(dev, rc, "the port refuses %u baud", STUB_BAUD);
		goto fail;
	}
	if (stub_running(d)) {
		iotflash_log(dev, IOTFLASH_LOG_INFO, "the stub is already running at %u baud", (unsigned)iotflash_io_baud(dev));
	} else {
		const uint8_t *ld;
		size_t ldlen;
		/* No loader: say so at once, not after waiting for the shell. */
		if ((rc = iotflash_dev_loader(dev, &ld, &ldlen)) != IOTFLASH_OK || (rc = rom_prompt(d)) != IOTFLASH_OK)
			goto fail;
		iotflash_dev_answered(dev);
		if ((rc = upload_stub(d)) != IOTFLASH_OK)
			goto fail;
	}
	iotflash_dev_answered(dev);
	if (iotflash_io_baud(dev) == STUB_BAUD && (rc = raise_baud(d)) != IOTFLASH_OK)
		goto fail;
	*priv = d;
	return IOTFLASH_OK;
fail:
	free(d);
	return rc;
}

static void rda_close(void *priv)
{
	struct rda *d = priv;
	if (iotflash_io_baud(d->dev) != STUB_BAUD && a5_set_baud(&d->h, STUB_BAUD) != IOTFLASH_OK)
		iotflash_io_set_baud(d->dev, STUB_BAUD);
	free(d);
}

/* The GUI's rule: 0x32-0x3B are 0x20 too high (§2.5). */
static uint32_t capacity_bytes(uint8_t c)
{
	if (c >= 0x32 && c <= 0x3B)
		c = (uint8_t)(c - 0x20);
	return c >= 0x11 && c <= 0x1C ? 1u << c : 0;
}

static int rda_detect(void *priv, struct iotflash_chip_info *info)
{
	struct rda *d = priv;
	int rc;

	if ((rc = a5_flash_id(&d->h, &d->jedec)) != IOTFLASH_OK)
		return rc;
	if (!info->chip)
		info->chip = iotflash_db_chip(d->dev, "rda5981");
	info->flash_id = d->jedec;
	info->flash_size = capacity_bytes((uint8_t)(d->jedec >> 16));
	info->flash = iotflash_db_flash(d->dev, d->jedec);
	snprintf(info->loader_version, sizeof info->loader_version, "Boot shell + A5 RAM stub");
	return IOTFLASH_OK;
}

static int rda_read(void *priv, uint32_t addr, uint8_t *buf, uint32_t len)
{
	struct rda *d = priv;
	if (d->compress)
		return a5_read_z(&d->h, addr, buf, len, READ_LEVEL);
	return a5_read(&d->h, addr, buf, len);
}

static int rda_write(void *priv, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	struct rda *d = priv;
	uint8_t *z = NULL;
	size_t zlen = 0;
	int rc;

	if (d->compress && len % 4 == 0 && iotflash_deflate_raw(buf, len, 9, &z, &zlen) == IOTFLASH_OK &&
	    iotflash_compress_worth(d->dev, len, zlen))
		rc = a5_write_z(&d->h, addr, len, z, zlen);
	else
		rc = a5_write(&d->h, addr, buf, len);
	free(z);
	return rc;
}

/* Ranges only: 0x05 keeps sector 0 (§2.6), which is not what a whole-chip
 * erase means. */
static int rda_erase(void *priv, uint32_t addr, uint32_t len)
{
	struct rda *d = priv;
	return a5_erase(&d->h, addr, len);
}

/* 0x8F: CRC-32/JAMCRC, the core's crc32-beken (little-endian). */
static int rda_verify(void *priv, uint32_t addr, uint32_t len, uint8_t sum[IOTFLASH_SUM_MAX])
{
	struct rda *d = priv;
	return a5_crc(&d->h, addr, len, sum);
}

const struct iotflash_driver rda5981_driver = {
	.name = "rda5981",
	.description = "RDA5981 boot shell + A5 RAM stub (XMODEM-1K, CRC-32/JAMCRC)",
	.open = rda_open,
	.close = rda_close,
	.detect = rda_detect,
	.read = rda_read,
	.write = rda_write,
	.erase = rda_erase,
	.verify = rda_verify,
};
