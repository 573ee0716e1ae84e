/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* GD32VW553 chip driver: the ISP ROM at 8E1 (sync, GET, product ID, stub
 * upload in 256-byte WRITE MEMORY pieces, GO; docs/protocols/a5-stub-families.md
 * §3.1, cited as §N), then the A5 stub (§2) through plugins/common/a5stub.h.
 * The stub has no flash-ID command: the flash size comes from the ROM's
 * product ID.  Policy (retries, skipping, verification, protected regions)
 * is the core's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iotflash/plugin.h>

#include "../common/a5stub.h"
#include "protocol.h"

#define STUB_BAUD        115200   /* the stub starts at 115200 8N1 (§2.2) */
#define PROBE_MS         200      /* GUI: SYN with 0.2 s (§3.1) */
#define SYNC_TRY_MS      100      /* GUI: 100 ms for the sync answer */
#define SYNC_NOTICE_MS   3000
#define SYNC_TIMEOUT_MS  25000
#define ROM_BYTE_MS      300      /* GUI: 2 s; the ROM answers at once (SRAM), and a lost byte costs this much */
#define PIECE_TRIES      5
#define STUB_SETTLE_MS   10       /* GUI: 10 ms before the UART-selection byte */
#define STUB_START_TRIES 3
#define READ_LEVEL       2        /* the GUI's 0x96 level for GD32VW553 (§0) */

/* The product ID's flash size the last time this process met the ROM: a
 * session that connects again (after a reset or a lost link) and finds the
 * stub running has no other way to learn it, and must report the same size
 * to go on. */
static uint32_t last_pid_size;

struct gd {
	struct iotflash_dev *dev;
	struct a5_host h;
	uint32_t flash_size;          /* from the product ID; 0 if the stub was already running */
	char pid[5];
	uint8_t rom_version;
	bool compress;
};

static int send(struct gd *g, const void *buf, size_t len)
{
	int rc = iotflash_io_write(g->dev, buf, len);
	return rc < 0 ? iotflash_fail(g->dev, rc, "cannot write to the port") : IOTFLASH_OK;
}

/* n bytes within timeout; the count read or an error. */
static int recv_n(struct gd *g, uint8_t *buf, size_t n, unsigned timeout_ms)
{
	uint64_t end = iotflash_now_ms() + timeout_ms;
	size_t got = 0;
	while (got < n) {
		uint64_t now = iotflash_now_ms();
		int r;
		if (now >= end)
			break;
		if ((r = iotflash_io_read(g->dev, buf + got, n - got, (unsigned)(end - now))) < 0)
			return iotflash_fail(g->dev, r, "cannot read from the port");
		got += (size_t)r;
	}
	return (int)got;
}

/* ACK (1), NACK or anything else (0), nothing (-1), or an error. */
static int rom_ack(struct gd *g)
{
	uint8_t b;
	int r = recv_n(g, &b, 1, ROM_BYTE_MS);
	if (r < 0)
		return r;
	return r == 0 ? -1 : b == GD_ACK;
}

/* The ROM waits for as many bytes as a packet needs: one lost on the way
 * leaves it waiting.  Filler bytes complete the packet (its XOR then fails
 * and the ROM answers NACK), so the next command starts clean. */
static void rom_resync(struct gd *g)
{
	static const uint8_t ff = 0xFF;
	uint8_t b;
	for (int i = 0; i < GD_PIECE_MAX + 8; i++) {
		if (send(g, &ff, 1) != IOTFLASH_OK || iotflash_io_read(g->dev, &b, 1, 20) != 0)
			break;
	}
	iotflash_sleep_ms(g->dev, 50);
	iotflash_io_flush_input(g->dev);
}

/* `cmd ~cmd`, then ACK. */
static int rom_cmd(struct gd *g, uint8_t cmd)
{
	uint8_t c[2];
	int rc;
	gd_encode_cmd(c, cmd);
	iotflash_io_flush_input(g->dev);
	if ((rc = send(g, c, 2)) != IOTFLASH_OK)
		return rc;
	return rom_ack(g);
}

/* `7F` at 8E1 until the ROM answers 79 (or 1F: already synced, §3.1).  A ROM
 * that auto-bauded on a stray `7F` (a reset in the middle of a transfer: the
 * host's data goes on) stays at that rate: the stub's rates are tried too. */
static int rom_sync(struct gd *g, uint32_t rate)
{
	uint32_t rates[3] = { rate, iotflash_dev_target_baud(g->dev), STUB_BAUD };
	uint64_t start = iotflash_now_ms();
	bool told = false;
	int rc;

	if ((rc = iotflash_io_set_parity(g->dev, 'E')) != IOTFLASH_OK)
		return iotflash_fail(g->dev, rc, "the port cannot do even parity (8E1), which the GD32VW553 ROM needs");
	for (unsigned i = 0; iotflash_now_ms() - start < SYNC_TIMEOUT_MS; i++) {
		static const uint8_t sync[2] = { GD_SYNC, GD_SYNC };
		/* Three tries in four at the ROM rate, in a row: a ROM already in
		 * its command loop pairs two `7F`s and answers 1F.  Every fourth at
		 * one of the stub's rates, with both bytes at once. */
		unsigned alt = i % 4 == 3 ? 1 + (i / 4) % 2 : 0;
		uint32_t r = rates[alt];
		uint8_t b;
		int n;
		if (iotflash_dev_cancelled(g->dev))
			return iotflash_fail(g->dev, IOTFLASH_ERR_CANCELLED, "cancelled");
		if (alt && (r == 0 || r == rate || (alt == 2 && r == rates[1])))
			continue;
		if ((rc = iotflash_io_set_baud(g->dev, r)) != IOTFLASH_OK)
			return iotflash_fail(g->dev, rc, "the port refuses %u baud", (unsigned)r);
		iotflash_io_flush_input(g->dev);
		if ((rc = send(g, sync, alt ? 2 : 1)) != IOTFLASH_OK)
			return rc;
		n = iotflash_io_read(g->dev, &b, 1, SYNC_TRY_MS);
		if (n < 0)
			return iotflash_fail(g->dev, n, "cannot read from the port");
		if (n == 1 && (b == GD_ACK || b == GD_NACK))
			return IOTFLASH_OK;
		if (!told && iotflash_now_ms() - start > SYNC_NOTICE_MS) {
			iotflash_notice(g->dev, "no answer yet: set BOOT0 (PC8) high and BOOT1 (PB1) low, then reset the GD32VW553");
			told = true;
		}
	}
	return iotflash_fail(g->dev, IOTFLASH_ERR_NO_LINK,
	                     "no GD32VW553 ROM answered `7F` at %u baud 8E1: check wiring (chip TX PB15, RX PA8), "
	                     "BOOT0 high and BOOT1 low, and reset the chip while iotflash waits",
	                     (unsigned)rate);
}

/* GET and product ID: the commands the upload needs, and the flash size. */
static int rom_identify(struct gd *g)
{
	uint8_t buf[64];
	struct gd_get get;
	int r, rc = IOTFLASH_ERR_PROTOCOL;

	for (int t = 0; t < PIECE_TRIES; t++) {
		if ((r = rom_cmd(g, GD_CMD_GET)) < 0 && r != -1)
			return r;
		if (r == 1) {
			if ((r = recv_n(g, buf, 2, ROM_BYTE_MS)) < 0)
				return r;
			if (r == 2 && buf[0] < 32 && (r = recv_n(g, buf + 2, (size_t)buf[0] + 1, ROM_BYTE_MS)) >= 0 &&
			    gd_decode_get(buf, (size_t)r + 2, &get) == 0)
				break;
		}
		rom_resync(g);
		if (t == PIECE_TRIES - 1)
			return iotflash_fail(g->dev, IOTFLASH_ERR_PROTOCOL,
			                     "the GD32VW553 ROM does not answer GET: is the port at 8E1 and the chip in its boot ROM?");
	}
	if (!gd_get_has(&get, GD_CMD_WRITE) || !gd_get_has(&get, GD_CMD_GO))
		return iotflash_fail(g->dev, IOTFLASH_ERR_UNSUPPORTED, "the ROM lacks WRITE MEMORY or GO: cannot load the stub");
	g->rom_version = get.version;
	for (int t = 0; t < PIECE_TRIES; t++) {
		if ((r = rom_cmd(g, GD_CMD_PID)) < 0 && r != -1)
			return r;
		if (r == 1 && (r = recv_n(g, buf, 1, ROM_BYTE_MS)) == 1 && buf[0] >= 4 && buf[0] < 60 &&
		    (r = recv_n(g, buf + 1, (size_t)buf[0] + 1, ROM_BYTE_MS)) >= 0) {
			rc = gd_decode_pid(buf, (size_t)r + 1, g->pid, &g->flash_size);
			if (rc == -3)
				return iotflash_fail(g->dev, IOTFLASH_ERR_UNSUPPORTED,
				                     "product id \"%s\": byte 2 is neither 'I' (2 MiB) nor 'M' (4 MiB)", g->pid);
			if (rc == 0) {
				last_pid_size = g->flash_size;
				return IOTFLASH_OK;
			}
		}
		if (r < 0)
			return r;
		rom_resync(g);
	}
	return iotflash_fail(g->dev, IOTFLASH_ERR_PROTOCOL, "the GD32VW553 ROM does not answer the product-ID command");
}

/* WRITE MEMORY of one piece, retried after a NACK or a lost byte. */
static int rom_write_piece(struct gd *g, uint32_t addr, const uint8_t *data, size_t n)
{
	uint8_t a[GD_ADDR_LEN], p[GD_PIECE_MAX];
	size_t plen = gd_encode_piece(p, data, n);
	int r, rc;

	gd_encode_addr(a, addr);
	for (int t = 0; t < PIECE_TRIES; t++) {
		if ((r = rom_cmd(g, GD_CMD_WRITE)) == 1) {
			if ((rc = send(g, a, sizeof a)) != IOTFLASH_OK)
				return rc;
			if ((r = rom_ack(g)) == 1) {
				if ((rc = send(g, p, plen)) != IOTFLASH_OK)
					return rc;
				if ((r = rom_ack(g)) == 1)
					return IOTFLASH_OK;
			}
		}
		if (r < -1)
			return r;
		rom_resync(g);
	}
	return iotflash_fail(g->dev, IOTFLASH_ERR_PROTOCOL, "the ROM refused the stub piece at 0x%08x %d times",
	                     (unsigned)addr, PIECE_TRIES);
}

/* The stub in 256-byte pieces at 0x20002000, GO, then 115200 8N1, the UART
 * selection byte and SYN (§3.1, §2.2). */
static int upload_stub(struct gd *g)
{
	const uint8_t *data;
	uint8_t a[GD_ADDR_LEN];
	size_t len;
	int rc, r;

	if ((rc = iotflash_dev_loader(g->dev, &data, &len)) != IOTFLASH_OK)
		return rc;
	for (size_t off = 0; off < len; off += GD_PIECE) {
		size_t n = len - off < GD_PIECE ? len - off : GD_PIECE;
		if (iotflash_dev_cancelled(g->dev))
			return iotflash_fail(g->dev, IOTFLASH_ERR_CANCELLED, "cancelled");
		if ((rc = rom_write_piece(g, GD_STUB_ADDR + (uint32_t)off, data + off, n)) != IOTFLASH_OK)
			return rc;
	}
	gd_encode_addr(a, GD_STUB_ADDR);
	for (int t = 0; t < PIECE_TRIES; t++) {
		if ((r = rom_cmd(g, GD_CMD_GO)) == 1) {
			if ((rc = send(g, a, sizeof a)) != IOTFLASH_OK)
				return rc;
			r = rom_ack(g);
			/* A lost ACK after the address still means the ROM jumped:
			 * whether the stub runs is asked below. */
			if (r != 0)
				break;
		}
		if (r < -1)
			return r;
		rom_resync(g);
	}
	iotflash_io_drain(g->dev);
	if ((rc = iotflash_io_set_baud(g->dev, STUB_BAUD)) != IOTFLASH_OK ||
	    (rc = iotflash_io_set_parity(g->dev, 'N')) != IOTFLASH_OK)
		return iotflash_fail(g->dev, rc, "the port refuses %u baud 8N1", STUB_BAUD);
	for (int t = 0; t < STUB_START_TRIES; t++) {
		iotflash_sleep_ms(g->dev, STUB_SETTLE_MS);
		/* The stub's first byte, as the GUI sends it: picks the UART, dropped. */
		if ((rc = send(g, data, 1)) != IOTFLASH_OK)
			return rc;
		iotflash_io_drain(g->dev);
		iotflash_sleep_ms(g->dev, STUB_SETTLE_MS);
		iotflash_io_flush_input(g->dev);
		if (a5_syn(&g->h, PROBE_MS))
			return IOTFLASH_OK;
	}
	return iotflash_fail(g->dev, IOTFLASH_ERR_NO_LINK,
	                     "the stub did not answer after the upload: is the --loader file the GD32VW553 stub?");
}

/* The fastest rate asked for, else stay at 115200. */
static int raise_baud(struct gd *g)
{
	uint32_t target = iotflash_dev_target_baud(g->dev);
	int rc;

	if (target == 0 || target == STUB_BAUD)
		return IOTFLASH_OK;
	if ((rc = a5_set_baud(&g->h, target)) == IOTFLASH_OK)
		return IOTFLASH_OK;
	if (a5_syn(&g->h, PROBE_MS))
		return IOTFLASH_OK;
	iotflash_io_set_baud(g->dev, STUB_BAUD);
	if (a5_syn(&g->h, PROBE_MS)) {
		iotflash_log(g->dev, IOTFLASH_LOG_WARN, "%u baud failed; staying at %u", (unsigned)target, STUB_BAUD);
		return IOTFLASH_OK;
	}
	return rc;
}

/* A stub left running answers SYN at 115200 or at the raised rate. */
static bool stub_running(struct gd *g)
{
	uint32_t target = iotflash_dev_target_baud(g->dev);
	if (a5_syn(&g->h, PROBE_MS))
		return true;
	if (target && target != STUB_BAUD && iotflash_io_set_baud(g->dev, target) == IOTFLASH_OK) {
		if (a5_syn(&g->h, PROBE_MS))
			return true;
		iotflash_io_set_baud(g->dev, STUB_BAUD);
	}
	return false;
}

static int gd_open(struct iotflash_dev *dev, void **priv)
{
	const struct iotflash_chip *chip = iotflash_dev_chip(dev);
	struct gd *g = calloc(1, sizeof(*g));
	uint32_t target = iotflash_dev_target_baud(dev);
	int rc;

	if (!g)
		return iotflash_fail(dev, IOTFLASH_ERR_NOMEM, "out of memory");
	g->dev = dev;
	g->h.dev = dev;
	g->compress = true;
	if (chip)
		iotflash_chip_param_bool(chip, "compress", &g->compress);
	if ((rc = iotflash_io_set_baud(dev, STUB_BAUD)) != IOTFLASH_OK) {
		rc = iotflash_fail(dev, rc, "the port refuses %u baud", STUB_BAUD);
		goto fail;
	}
	iotflash_io_set_parity(dev, 'N');
	if (stub_running(g)) {
		iotflash_log(dev, IOTFLASH_LOG_INFO, "the stub is already running at %u baud", (unsigned)iotflash_io_baud(dev));
	} else {
		uint32_t rate = target && target < GD_ROM_MAX_BAUD ? target : GD_ROM_MAX_BAUD;
		const uint8_t *ld;
		size_t ldlen;
		/* No loader, no ROM stage: say so before the ROM locks onto a rate. */
		if ((rc = iotflash_dev_loader(dev, &ld, &ldlen)) == IOTFLASH_OK && (rc = rom_sync(g, rate)) == IOTFLASH_OK) {
			iotflash_dev_answered(dev);  /* failures past here are the ROM's or the stub's */
			if ((rc = rom_identify(g)) == IOTFLASH_OK)
				rc = upload_stub(g);
		}
		if (rc != IOTFLASH_OK) {
			iotflash_io_set_parity(dev, 'N');
			goto fail;
		}
	}
	iotflash_dev_answered(dev);
	if (iotflash_io_baud(dev) == STUB_BAUD && (rc = raise_baud(g)) != IOTFLASH_OK)
		goto fail;
	*priv = g;
	return IOTFLASH_OK;
fail:
	free(g);
	return rc;
}

/* Back to 115200 so that the next session finds the stub where it starts. */
static void gd_close(void *priv)
{
	struct gd *g = priv;
	if (iotflash_io_baud(g->dev) != STUB_BAUD && a5_set_baud(&g->h, STUB_BAUD) != IOTFLASH_OK)
		iotflash_io_set_baud(g->dev, STUB_BAUD);
	free(g);
}

static int gd_detect(void *priv, struct iotflash_chip_info *info)
{
	struct gd *g = priv;

	if (!info->chip)
		info->chip = iotflash_db_chip(g->dev, "gd32vw553");
	/* No flash-ID command in the stub (§2.3): the ROM's product ID gives
	 * the size; a stub found running leaves only the database's. */
	info->flash_id = 0;
	info->flash_size = g->flash_size   ? g->flash_size
	                   : last_pid_size ? last_pid_size
	                   : info->chip    ? info->chip->flash_size : 0;
	if (g->pid[0]) {
		snprintf(info->loader_version, sizeof info->loader_version, "ISP ROM v%u.%u + A5 RAM stub",
		         g->rom_version >> 4, g->rom_version & 15);
		snprintf(info->extra, sizeof info->extra, "product id %s (no flash id: the stub has no 0x90)", g->pid);
	} else {
		snprintf(info->loader_version, sizeof info->loader_version, "A5 RAM stub");
		snprintf(info->extra, sizeof info->extra,
		         "stub found running: flash size from the chip database (reset the chip for the product id)");
	}
	return IOTFLASH_OK;
}

static int gd_read(void *priv, uint32_t addr, uint8_t *buf, uint32_t len)
{
	struct gd *g = priv;
	if (g->compress)
		return a5_read_z(&g->h, addr, buf, len, READ_LEVEL);
	return a5_read(&g->h, addr, buf, len);
}

static int gd_write(void *priv, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	struct gd *g = priv;
	uint8_t *z = NULL;
	size_t zlen = 0;
	int rc;

	if (g->compress && len % 4 == 0 && iotflash_deflate_raw(buf, len, 9, &z, &zlen) == IOTFLASH_OK &&
	    iotflash_compress_worth(g->dev, len, zlen))
		rc = a5_write_z(&g->h, addr, len, z, zlen);
	else
		rc = a5_write(&g->h, addr, buf, len);
	free(z);
	return rc;
}

/* Ranges only: what 0x05 erases on this chip is unknown (§2.6). */
static int gd_erase(void *priv, uint32_t addr, uint32_t len)
{
	struct gd *g = priv;
	return a5_erase(&g->h, addr, len);
}

static int gd_verify(void *priv, uint32_t addr, uint32_t len, uint8_t sum[IOTFLASH_SUM_MAX])
{
	struct gd *g = priv;
	return a5_sha256(&g->h, addr, len, sum);
}

const struct iotflash_driver gd32vw553_driver = {
	.name = "gd32vw553",
	.description = "GigaDevice GD32VW553 ISP ROM (8E1) + A5 RAM stub (XMODEM-1K, SHA-256)",
	.open = gd_open,
	.close = gd_close,
	.detect = gd_detect,
	.read = gd_read,
	.write = gd_write,
	.erase = gd_erase,
	.verify = gd_verify,
};
