/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Opulinks OPL1000A2 (docs/protocols/a5-stub-families.md, cited as §N): the
 * ROM's `<CHECK>` prompt takes `FE 75`, stage 1 arrives as S3 records and
 * starts at the baud written into its word at offset 8; stage 1 receives
 * stage 2 (the GUI's A5 stub) over XMODEM-1K and jumps to it (§3.3).  Then
 * every operation goes through the stub with plugins/common's host helpers;
 * its device check is 0x8F, the sum of the CRC-32 of each 4 KiB piece
 * (checksum crc32-sum4k).  The two files are the chip database's loaders of
 * roles stage1 and stage2, found by SHA-256 (iotflash_dev_loader_role). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iotflash/plugin.h>

#include "../common/a5stub.h"
#include "protocol.h"

#define PROBE_MS 200               /* GUI: 0.2 s for 0x90 (§3.3 steps 8, 9) */
#define PROMPT_WAIT_MS 20000       /* for `<CHECK>` while the user resets the chip */
#define PROMPT_NOTICE_MS 2000
#define SREC_READY_MS 1000         /* GUI: 1 s for `Wait for SREC` */
#define RECORD_ACK_MS 100          /* GUI: 100 ms for `x` after each record */
#define RECORD_TRIES 3
#define JUMP_ASK_MS 1000
#define BLOCK_ACK_MS 3000          /* stage 1 waits 2 s for each missing byte before its NAK */
#define BLOCK_TRIES 10
#define NAK_QUIET_MS 50
#define STAGE2_START_MS 10         /* GUI: 10 ms, then 115200 and 0x90 */
#define STUB_TRIES 5
#define UPLOAD_TRIES 5             /* the whole ROM sequence (the GUI: 500) */
#define CHIP_ERASE_MS 30000
#define Z_RETRY_EVERY 16

struct opl {
	struct iotflash_dev *dev;
	const struct iotflash_chip *chip;
	struct a5_host h;
	uint32_t link_baud, target, jedec, flash_size;
	uint8_t read_level;
	bool z_reads;
	unsigned plain_reads;
};

/* Read until the text seen so far holds `want` (or `bad`), at most ms. */
static int wait_text(struct opl *o, const char *want, const char *bad, unsigned ms)
{
	uint8_t buf[512];
	size_t n = 0;
	uint64_t end = iotflash_now_ms() + ms, now;
	int got;

	while ((now = iotflash_now_ms()) < end) {
		if (n > sizeof buf - 64) {  /* keep the tail: a text may straddle reads */
			memmove(buf, buf + n - 32, 32);
			n = 32;
		}
		if ((got = iotflash_io_read(o->dev, buf + n, sizeof buf - n, (unsigned)(end - now))) < 0)
			return got;
		n += (size_t)got;
		if (opl_text_has(buf, n, want))
			return 1;
		if (bad && opl_text_has(buf, n, bad))
			return 0;
	}
	return 0;
}

static int wait_prompt(struct opl *o)
{
	uint64_t start = iotflash_now_ms();
	bool noticed = false;
	int rc;

	for (;;) {
		if ((rc = wait_text(o, OPL_PROMPT, NULL, 250)) != 0)
			return rc < 0 ? rc : IOTFLASH_OK;
		if (iotflash_dev_cancelled(o->dev))
			return IOTFLASH_ERR_CANCELLED;
		if (!noticed && iotflash_now_ms() - start >= PROMPT_NOTICE_MS) {
			iotflash_notice(o->dev, "waiting for the OPL1000's <CHECK> prompt: reset or power-cycle the chip now "
			                "(DBG TX = GPIO0, DBG RX = GPIO1; no strap needed)");
			noticed = true;
		}
		if (iotflash_now_ms() - start >= PROMPT_WAIT_MS)
			return iotflash_fail(o->dev, IOTFLASH_ERR_NO_LINK,
			                     "no <CHECK> prompt from the OPL1000 ROM after %u s: check the wiring (adapter "
			                     "TX to GPIO1, RX to GPIO0, common GND) and reset the chip while this waits",
			                     PROMPT_WAIT_MS / 1000);
	}
}

/* One record and the ROM's `x`. */
static int send_record(struct opl *o, const char *rec, size_t n)
{
	uint8_t b;
	char line[OPL_SREC_MAX + 2];
	uint64_t end;
	int got;

	memcpy(line, rec, n);
	line[n] = '\r';
	if (iotflash_io_write(o->dev, line, n + 1) != IOTFLASH_OK)
		return IOTFLASH_ERR_PORT;
	end = iotflash_now_ms() + RECORD_ACK_MS + iotflash_io_wire_ms(o->dev, n + 1);
	for (;;) {
		uint64_t now = iotflash_now_ms();
		if (now >= end)
			return IOTFLASH_ERR_TIMEOUT;
		if ((got = iotflash_io_read(o->dev, &b, 1, (unsigned)(end - now))) < 0)
			return got;
		if (got == 1 && b == OPL_SREC_ACK)
			return IOTFLASH_OK;
	}
}

/* After a NAK: the rest of a garbled block draws one NAK per byte. */
static void settle(struct opl *o)
{
	uint8_t junk[256];
	uint64_t end = iotflash_now_ms() + 1000;
	while (iotflash_now_ms() < end && iotflash_io_read(o->dev, junk, sizeof junk, NAK_QUIET_MS) > 0)
		;
}

/* Stage 2 as XMODEM-1K CRC, sent without waiting for `C` (§3.3 step 7).
 * Stage 1 never checks block numbers, so a block is sent again only after a
 * NAK: silence means the ACK was lost and the block was taken (a missing
 * data byte costs stage 1 two seconds, then it NAKs). */
static int send_stage2(struct opl *o, const uint8_t *img, size_t len)
{
	uint8_t blk[A5_XM_BLOCK], b;
	size_t nblocks = (len + A5_XM_DATA - 1) / A5_XM_DATA;
	int got;

	for (size_t i = 0; i < nblocks; i++) {
		size_t off = i * A5_XM_DATA;
		int t;
		a5_xm_encode_block(blk, (uint8_t)(i + 1), img + off, len - off < A5_XM_DATA ? len - off : A5_XM_DATA);
		for (t = 0; t < BLOCK_TRIES; t++) {
			bool nak = false;
			if (iotflash_io_write(o->dev, blk, sizeof blk) != IOTFLASH_OK)
				return IOTFLASH_ERR_PORT;
			for (uint64_t end = iotflash_now_ms() + BLOCK_ACK_MS + iotflash_io_wire_ms(o->dev, sizeof blk);;) {
				uint64_t now = iotflash_now_ms();
				got = now < end ? iotflash_io_read(o->dev, &b, 1, (unsigned)(end - now)) : 0;
				if (got < 0)
					return got;
				if (got == 0 || b == A5_XM_ACK)
					break;  /* taken (silence: its ACK was lost) */
				if (b == A5_XM_NAK) {
					nak = true;
					break;
				}
				/* stage 1's `C` from before the first block: ignored */
			}
			if (!nak)
				break;
			settle(o);
		}
		if (t == BLOCK_TRIES)
			return IOTFLASH_ERR_PROTOCOL;
	}
	b = A5_XM_EOT;
	for (int t = 0; t < 3; t++) {
		if (iotflash_io_write(o->dev, &b, 1) != IOTFLASH_OK)
			return IOTFLASH_ERR_PORT;
		for (uint64_t end = iotflash_now_ms() + 500, now; (now = iotflash_now_ms()) < end;) {
			uint8_t r;
			if ((got = iotflash_io_read(o->dev, &r, 1, (unsigned)(end - now))) < 0)
				return got;
			if (got == 1 && r == A5_XM_ACK)
				return IOTFLASH_OK;
		}
	}
	/* Stage 1 may have jumped with its ACK lost: the probe decides. */
	return IOTFLASH_OK;
}

/* `<CHECK>`, `FE 75`, the S3 records of stage 1 with its baud, S7, `j`,
 * stage 2 at the stage-1 rate, then the stub at 115200 (§3.3). */
static int upload_once(struct opl *o, const uint8_t *s1, size_t s1_len, const uint8_t *s2, size_t s2_len, bool retry)
{
	static const uint8_t srec_cmd[2] = { OPL_CMD_PREFIX, OPL_SREC_CMD };
	uint32_t s1_baud = opl_stage1_baud(o->target);
	uint8_t *img = malloc(s1_len), jump = OPL_JUMP;
	char rec[OPL_SREC_MAX];
	size_t n;
	int rc;

	if (!img)
		return iotflash_fail(o->dev, IOTFLASH_ERR_NOMEM, "out of memory");
	memcpy(img, s1, s1_len);
	opl_stage1_set_baud(img, s1_baud);
	if ((rc = iotflash_io_set_baud(o->dev, o->link_baud)) != IOTFLASH_OK)
		goto out;
	if (retry)  /* a ROM left in its S-record loader takes this as a bad record: back to its prompt */
		iotflash_io_write(o->dev, "\rS\r", 3);
	if ((rc = wait_prompt(o)) != IOTFLASH_OK)
		goto out;
	iotflash_dev_answered(o->dev);
	rc = IOTFLASH_ERR_PROTOCOL;
	if (iotflash_io_write(o->dev, srec_cmd, sizeof srec_cmd) != IOTFLASH_OK ||
	    wait_text(o, OPL_SREC_READY, OPL_REFUSED, SREC_READY_MS) != 1) {
		iotflash_log(o->dev, IOTFLASH_LOG_INFO, "the ROM did not start its S-record loader");
		goto out;
	}
	iotflash_log(o->dev, IOTFLASH_LOG_INFO, "stage 1 (%zu bytes) as S3 records, to run at %u baud", s1_len,
	             (unsigned)s1_baud);
	for (size_t off = 0; off < s1_len; off += OPL_SREC_DATA) {
		n = opl_srec_s3(rec, OPL_STAGE1_ADDR + (uint32_t)off, img + off,
		                s1_len - off < OPL_SREC_DATA ? s1_len - off : OPL_SREC_DATA);
		/* A record names its address: sent again after a lost `x`, it lands
		 * where it did.  A garbled one sent the ROM back to its prompt. */
		for (int t = 0; t < RECORD_TRIES && (rc = send_record(o, rec, n)) == IOTFLASH_ERR_TIMEOUT; t++)
			;
		if (rc != IOTFLASH_OK) {
			iotflash_log(o->dev, IOTFLASH_LOG_INFO, "no `x` for the record at 0x%08x", (unsigned)(OPL_STAGE1_ADDR + off));
			goto out;
		}
	}
	n = opl_srec_s7(rec, OPL_STAGE1_ADDR);
	rec[n++] = '\r';
	rc = IOTFLASH_ERR_PROTOCOL;
	if (iotflash_io_write(o->dev, rec, n) != IOTFLASH_OK || wait_text(o, OPL_JUMP_ASK, OPL_REFUSED, JUMP_ASK_MS) != 1) {
		iotflash_log(o->dev, IOTFLASH_LOG_INFO, "the ROM did not offer the jump");
		goto out;
	}
	if (iotflash_io_write(o->dev, &jump, 1) != IOTFLASH_OK)
		goto out;
	iotflash_io_drain(o->dev);
	iotflash_sleep_ms(o->dev, 2 + iotflash_io_wire_ms(o->dev, 1));  /* GUI: 2 ms; the `j` must be out */
	if ((rc = iotflash_io_set_baud(o->dev, s1_baud)) != IOTFLASH_OK)
		goto out;
	iotflash_log(o->dev, IOTFLASH_LOG_INFO, "stage 2 (%zu bytes) over XMODEM at %u baud", s2_len, (unsigned)s1_baud);
	if ((rc = send_stage2(o, s2, s2_len)) != IOTFLASH_OK) {
		iotflash_log(o->dev, IOTFLASH_LOG_INFO, "stage 1 did not take stage 2");
		goto out;
	}
	iotflash_sleep_ms(o->dev, STAGE2_START_MS);
	if ((rc = iotflash_io_set_baud(o->dev, o->link_baud)) != IOTFLASH_OK)
		goto out;
	iotflash_io_flush_input(o->dev);
	rc = IOTFLASH_ERR_PROTOCOL;
	for (int i = 0; i < STUB_TRIES && rc != IOTFLASH_OK; i++)
		if (a5_probe(&o->h, &o->jedec, PROBE_MS))
			rc = IOTFLASH_OK;
out:
	free(img);
	return rc;
}

static int upload(struct opl *o)
{
	const uint8_t *s1, *s2;
	size_t s1_len, s2_len;
	int rc;

	/* Both files first: a missing one is said before anyone resets a chip. */
	if ((rc = iotflash_dev_loader_role(o->dev, "stage1", &s1, &s1_len)) != IOTFLASH_OK ||
	    (rc = iotflash_dev_loader_role(o->dev, "stage2", &s2, &s2_len)) != IOTFLASH_OK)
		return rc;
	if (s1_len < OPL_STAGE1_BAUD_OFF + 4)
		return iotflash_fail(o->dev, IOTFLASH_ERR_LOADER_MISSING, "stage 1 is %zu bytes: no baud word", s1_len);
	for (int t = 0; t < UPLOAD_TRIES; t++) {
		rc = upload_once(o, s1, s1_len, s2, s2_len, t > 0);
		if (rc == IOTFLASH_OK || rc == IOTFLASH_ERR_CANCELLED || rc == IOTFLASH_ERR_NO_LINK ||
		    rc == IOTFLASH_ERR_PORT || rc == IOTFLASH_ERR_NOMEM)
			break;
	}
	if (rc == IOTFLASH_ERR_PROTOCOL || rc == IOTFLASH_ERR_TIMEOUT)  /* the others said why */
		return iotflash_fail(o->dev, IOTFLASH_ERR_PROTOCOL,
		                     "the stub did not answer after the upload (%d tries): reset the chip and try again; "
		                     "are the loader files the chip database names (`iotflash loaders`)?", UPLOAD_TRIES);
	return rc;
}

static bool stub_running(struct opl *o)
{
	if (a5_probe(&o->h, &o->jedec, PROBE_MS))
		return true;
	if (o->target != o->link_baud && iotflash_io_set_baud(o->dev, o->target) == IOTFLASH_OK) {
		if (a5_probe(&o->h, &o->jedec, PROBE_MS))
			return true;
		iotflash_io_set_baud(o->dev, o->link_baud);
	}
	return false;
}

static int raise_baud(struct opl *o)
{
	uint32_t jedec;
	int rc;

	if (o->target == o->link_baud || iotflash_io_baud(o->dev) == o->target)
		return IOTFLASH_OK;
	if ((rc = a5_set_baud(&o->h, o->target)) == IOTFLASH_OK)
		return IOTFLASH_OK;
	if (a5_probe(&o->h, &jedec, PROBE_MS))
		return IOTFLASH_OK;
	iotflash_io_set_baud(o->dev, o->link_baud);
	if (a5_probe(&o->h, &jedec, PROBE_MS))
		return IOTFLASH_ERR_BAUD;  /* the stub stayed at 115200: the core steps down */
	return rc;
}

static int opl_open(struct iotflash_dev *dev, void **priv)
{
	const struct iotflash_chip *chip = iotflash_dev_chip(dev);
	struct opl *o;
	int rc;

	if (!chip && !(chip = iotflash_db_family_chip(dev, iotflash_dev_family(dev), 0)))
		return iotflash_fail(dev, IOTFLASH_ERR_CHIPDB, "the chip database has no OPL1000 chip");
	if (!(o = calloc(1, sizeof *o)))
		return iotflash_fail(dev, IOTFLASH_ERR_NOMEM, "out of memory");
	o->dev = o->h.dev = dev;
	o->h.c_every_ms = 250;         /* the GUI's rate; the stub waits ~1 s for it (§2.8) */
	o->h.block_wait_ms = 2500;     /* a block short of a byte: NAK after 2000 ms (§2.7 step 5, §2.10) */
	o->chip = chip;
	o->link_baud = chip->link_baud ? chip->link_baud : 115200;
	o->target = iotflash_dev_target_baud(dev) ? iotflash_dev_target_baud(dev) : chip->max_baud;
	o->read_level = (uint8_t)iotflash_chip_param_int_or(chip, "read_level", 1);
	o->z_reads = true;
	if ((rc = iotflash_io_set_baud(dev, o->link_baud)) != IOTFLASH_OK)
		goto fail;
	if (stub_running(o))
		iotflash_log(dev, IOTFLASH_LOG_INFO, "the stub is already running at %u baud", (unsigned)iotflash_io_baud(dev));
	else if ((rc = upload(o)) != IOTFLASH_OK)
		goto fail;
	iotflash_dev_answered(dev);
	if ((rc = raise_baud(o)) != IOTFLASH_OK)
		goto fail;
	*priv = o;
	return IOTFLASH_OK;
fail:
	free(o);
	return rc;
}

/* Back to 115200, where the next session looks for the stub first. */
static void opl_close(void *priv)
{
	struct opl *o = priv;
	if (iotflash_io_baud(o->dev) != o->link_baud && a5_set_baud(&o->h, o->link_baud) != IOTFLASH_OK)
		iotflash_io_set_baud(o->dev, o->link_baud);
	free(o);
}

/* The stub's capacity table (§2.5): the size its range checks use. */
static uint32_t stub_flash_size(uint8_t c)
{
	if (c >= 0x33 && c <= 0x3A)
		c = (uint8_t)(c - 0x20);
	if (c >= 0x13 && c <= 0x1C)
		return (512u * 1024) << (c - 0x13);
	return 1u << 20;
}

static int opl_detect(void *priv, struct iotflash_chip_info *info)
{
	struct opl *o = priv;
	int rc;

	if ((rc = a5_flash_id(&o->h, &o->jedec)) != IOTFLASH_OK)
		return rc;
	info->chip = o->chip;
	info->flash_id = o->jedec;
	info->flash = iotflash_db_flash(o->dev, o->jedec);
	info->flash_size = o->flash_size = stub_flash_size((uint8_t)(o->jedec >> 16));
	snprintf(info->loader_version, sizeof info->loader_version, "OPL1000 ROM + two-stage A5 RAM stub");
	return IOTFLASH_OK;
}

/* A sender that gave up may be back at 115200 [unknown for OPL]: look there. */
static int relink(struct opl *o, int rc)
{
	uint32_t jedec;
	if (iotflash_io_baud(o->dev) == o->link_baud || a5_probe(&o->h, &jedec, PROBE_MS))
		return rc;
	iotflash_io_set_baud(o->dev, o->link_baud);
	if (a5_probe(&o->h, &jedec, PROBE_MS))
		raise_baud(o);
	return rc;
}

/* Compressed reads while they save wire time (core/compress.c decides). */
static int opl_read(void *priv, uint32_t addr, uint8_t *buf, uint32_t len)
{
	struct opl *o = priv;
	int rc;

	if (!o->z_reads && ++o->plain_reads >= Z_RETRY_EVERY)
		o->z_reads = true;
	if (!o->z_reads)
		return (rc = a5_read(&o->h, addr, buf, len)) == IOTFLASH_OK ? rc : relink(o, rc);
	if ((rc = a5_read_z(&o->h, addr, buf, len, o->read_level)) != IOTFLASH_OK)
		return relink(o, rc);
	if (!iotflash_compress_worth(o->dev, len, o->h.last_z)) {
		o->z_reads = false;
		o->plain_reads = 0;
	}
	return rc;
}

static int opl_write(void *priv, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	struct opl *o = priv;
	uint8_t *z = NULL;
	size_t zlen = 0;
	int rc;

	if (len % 4 == 0 && iotflash_deflate_raw(buf, len, 9, &z, &zlen) == IOTFLASH_OK &&
	    iotflash_compress_worth(o->dev, len, zlen))
		rc = a5_write_z(&o->h, addr, len, z, zlen);
	else
		rc = a5_write(&o->h, addr, buf, len);
	free(z);
	return rc == IOTFLASH_OK ? rc : relink(o, rc);
}

static int opl_erase(void *priv, uint32_t addr, uint32_t len)
{
	struct opl *o = priv;
	if (addr == 0 && o->flash_size && len == o->flash_size)
		return a5_chip_erase(&o->h, CHIP_ERASE_MS);
	return a5_erase(&o->h, addr, len);
}

/* 0x8F: the sum of the CRC-32 of each 4 KiB piece, little-endian (§2.4),
 * what the core computes as crc32-sum4k. */
static int opl_verify(void *priv, uint32_t addr, uint32_t len, uint8_t sum[IOTFLASH_SUM_MAX])
{
	struct opl *o = priv;
	return a5_crc(&o->h, addr, len, sum);
}

const struct iotflash_driver opl1000_driver = {
	.name = "opl1000",
	.description = "Opulinks OPL1000A2 ROM + two-stage A5 RAM stub (XMODEM-1K, DEFLATE, 0x8F CRC sums)",
	.open = opl_open,
	.close = opl_close,
	.detect = opl_detect,
	.read = opl_read,
	.write = opl_write,
	.erase = opl_erase,
	.verify = opl_verify,
};
