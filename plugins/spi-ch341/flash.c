/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* SPI NOR operations over the session's SPI transport (spec §3): identify,
 * unprotect per the chip database's status-register description, read,
 * page program, erase, busy polling with timeouts. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash.h"
#include "transport.h"

/* Busy timeouts: the GUI's 5 s for PP/SE/WRSR (§3.3), and more than the
 * datasheet maximum for 64 KiB (2 s) and chip erase (50 s). */
#define PP_TIMEOUT_MS 5000
#define SE_TIMEOUT_MS 5000
#define BE_TIMEOUT_MS 10000
#define CE_TIMEOUT_MS 120000
#define WRSR_TIMEOUT_MS 5000
#define SLOW_POLL_MS 5        /* between polls of erases: host sleep */
#define FAST_POLLS 20         /* polls without sleeping first (PP takes < 1 ms) */

/* Parts not in the database: the common Winbond-style layout (§3.2). */
static const struct iotflash_flash_part unknown_part = {
	.name = "unknown", .sr_count = 2, .sr_read_ops = { NOR_RDSR1, NOR_RDSR2 },
	.sr_mask = 0x407C, .sr_protect = 0x001C, .sr_unprotect = 0,
};

int flash_init(struct flash *f, struct iotflash_dev *dev, const char *what)
{
	memset(f, 0, sizeof(*f));
	f->dev = dev;
	f->what = what;
	f->part = &unknown_part;
	if (!(f->buf = malloc(NOR_ADDR_FRAME + NOR_READ_MAX)))
		return iotflash_fail(dev, IOTFLASH_ERR_NOMEM, "out of memory");
	return IOTFLASH_OK;
}

void flash_fini(struct flash *f)
{
	free(f->buf);
	f->buf = NULL;
}

static int bus_fail(struct flash *f, int rc, const char *doing)
{
	return iotflash_fail(f->dev, rc, "%s: %s", doing, ch341_describe(rc));
}

int flash_cmd(struct flash *f, const uint8_t *tx, size_t tx_len, uint8_t *rx, size_t rx_len)
{
	uint8_t small[64];
	size_t n = tx_len + rx_len;
	uint8_t *frame = n <= sizeof(small) ? small : malloc(n);
	int rc, rc2;

	if (!frame)
		return iotflash_fail(f->dev, IOTFLASH_ERR_NOMEM, "out of memory");
	memcpy(frame, tx, tx_len);
	memset(frame + tx_len, 0xFF, rx_len);  /* flashrom's dummy; MOSI is ignored while the flash talks */
	iotflash_log_wire(f->dev, true, frame, tx_len);
	rc = iotflash_spi_cs(f->dev, true);
	if (rc == IOTFLASH_OK)
		rc = iotflash_spi_xfer(f->dev, frame, frame, n);
	rc2 = iotflash_spi_cs(f->dev, false);
	if (rc == IOTFLASH_OK)
		rc = rc2;
	if (rc == IOTFLASH_OK && rx_len) {
		memcpy(rx, frame + tx_len, rx_len);
		iotflash_log_wire(f->dev, false, rx, rx_len < 64 ? rx_len : 64);
	}
	if (frame != small)
		free(frame);
	return rc;
}

int flash_exchange(struct flash *f, uint8_t *buf, size_t n)
{
	int rc = iotflash_spi_cs(f->dev, true), rc2;
	if (rc == IOTFLASH_OK)
		rc = iotflash_spi_xfer(f->dev, buf, buf, n);
	rc2 = iotflash_spi_cs(f->dev, false);
	return rc == IOTFLASH_OK ? rc2 : rc;
}

static int read_sr(struct flash *f, uint8_t op, uint8_t *val)
{
	uint8_t cmd = op;
	int rc = flash_cmd(f, &cmd, 1, val, 1);
	return rc == IOTFLASH_OK ? rc : bus_fail(f, rc, "reading the status register");
}

static int read_all_sr(struct flash *f, uint32_t *sr)
{
	*sr = 0;
	for (unsigned i = 0; i < f->part->sr_count; i++) {
		uint8_t v;
		int rc = read_sr(f, f->part->sr_read_ops[i], &v);
		if (rc != IOTFLASH_OK)
			return rc;
		*sr |= (uint32_t)v << (8 * i);
	}
	return IOTFLASH_OK;
}

/* Poll RDSR until WIP clears; the first polls start the operation (CS
 * rises with them), so they come at once. */
static int wait_ready(struct flash *f, unsigned timeout_ms, const char *doing)
{
	uint64_t start = iotflash_now_ms();
	for (unsigned polls = 0;; polls++) {
		uint8_t sr1;
		int rc = read_sr(f, NOR_RDSR1, &sr1);
		if (rc != IOTFLASH_OK)
			return rc;
		if (!nor_busy(sr1))
			return IOTFLASH_OK;
		if (iotflash_dev_cancelled(f->dev))
			return iotflash_fail(f->dev, IOTFLASH_ERR_CANCELLED, "interrupted while %s", doing);
		if (iotflash_now_ms() - start > timeout_ms)
			return iotflash_fail(f->dev, IOTFLASH_ERR_TIMEOUT, "the %s stayed busy for %u ms while %s (status 0x%02x)",
			                     f->what, timeout_ms, doing, sr1);
		if (polls >= FAST_POLLS)
			iotflash_sleep_ms(f->dev, SLOW_POLL_MS);
	}
}

/* WREN, then check WEL as the GUI does (§3.3): a lost WREN must not turn
 * into a silently refused program. */
static int write_enable(struct flash *f)
{
	uint8_t cmd = NOR_WREN, sr1;
	int rc = flash_cmd(f, &cmd, 1, NULL, 0);
	if (rc != IOTFLASH_OK)
		return bus_fail(f, rc, "write enable");
	if ((rc = read_sr(f, NOR_RDSR1, &sr1)) != IOTFLASH_OK)
		return rc;
	if (!(sr1 & NOR_SR1_WEL))
		return iotflash_fail(f->dev, IOTFLASH_ERR_DEVICE,
		                     "the %s refused write enable (status 0x%02x): is it write-protected or still busy?",
		                     f->what, sr1);
	return IOTFLASH_OK;
}

static int write_sr(struct flash *f, const uint8_t *frame, size_t len)
{
	int rc = write_enable(f);
	if (rc == IOTFLASH_OK && (rc = flash_cmd(f, frame, len, NULL, 0)) != IOTFLASH_OK)
		return bus_fail(f, rc, "writing the status register");
	return rc == IOTFLASH_OK ? wait_ready(f, WRSR_TIMEOUT_MS, "writing the status register") : rc;
}

/* Set the protection bits to want; WRSR with SR1 [SR2], then 31 for
 * parts that take SR2 only that way (GigaDevice). */
static int set_protection(struct flash *f, uint32_t want, uint32_t *now)
{
	struct nor_sr_plan plan;
	int rc;

	if ((rc = read_all_sr(f, now)) != IOTFLASH_OK)
		return rc;
	nor_plan_sr(f->part, *now, want, &plan);
	if (!plan.needed)
		return IOTFLASH_OK;
	if ((rc = write_sr(f, plan.wrsr, plan.wrsr_len)) != IOTFLASH_OK || (rc = read_all_sr(f, now)) != IOTFLASH_OK)
		return rc;
	if (!nor_sr_is(f->part, *now, want) && f->part->sr_count >= 2 && f->part->sr_read_ops[1] == NOR_RDSR2) {
		uint8_t wrsr2[2] = { NOR_WRSR2, plan.wrsr[2] };
		if ((rc = write_sr(f, wrsr2, sizeof(wrsr2))) != IOTFLASH_OK || (rc = read_all_sr(f, now)) != IOTFLASH_OK)
			return rc;
	}
	return IOTFLASH_OK;
}

/* Before the first program or erase: clear the protection the database
 * describes, remembering it for close(). */
static int unprotect(struct flash *f)
{
	uint32_t now;
	int rc;

	if (f->writable)
		return IOTFLASH_OK;
	if (!f->sr_saved) {
		if ((rc = read_all_sr(f, &f->sr_orig)) != IOTFLASH_OK)
			return rc;
		f->sr_saved = true;
	}
	if (nor_sr_is(f->part, f->sr_orig, f->part->sr_unprotect)) {
		f->writable = true;
		return IOTFLASH_OK;
	}
	iotflash_log(f->dev, IOTFLASH_LOG_INFO, "%s is write-protected (status 0x%06x): unprotecting",
	             f->what, (unsigned)f->sr_orig);
	if ((rc = set_protection(f, f->part->sr_unprotect, &now)) != IOTFLASH_OK)
		return rc;
	f->sr_changed = true;
	if (!nor_sr_is(f->part, now, f->part->sr_unprotect))
		return iotflash_fail(f->dev, IOTFLASH_ERR_PROTECTED,
		                     "the %s stays write-protected (status 0x%06x after clearing it): its status register "
		                     "is locked (SRP with WP# low): tie WP# (pin 3) to 3.3 V",
		                     f->what, (unsigned)now);
	f->writable = true;
	return IOTFLASH_OK;
}

void flash_restore(struct flash *f)
{
	uint32_t now;
	if (!f->sr_changed)
		return;
	if (set_protection(f, f->sr_orig & f->part->sr_mask, &now) != IOTFLASH_OK)
		iotflash_log(f->dev, IOTFLASH_LOG_WARN, "could not restore the %s's write protection (status 0x%06x)",
		             f->what, (unsigned)f->sr_orig);
	f->sr_changed = false;
}

int flash_identify(struct flash *f, struct iotflash_chip_info *info)
{
	uint8_t cmd = NOR_RDID, id[3];
	const struct iotflash_flash_part *part;
	int rc = flash_cmd(f, &cmd, 1, id, sizeof(id));

	if (rc != IOTFLASH_OK)
		return bus_fail(f, rc, "reading the JEDEC id");
	f->jedec = nor_jedec(id);
	if (nor_jedec_absent(f->jedec))
		return iotflash_fail(f->dev, IOTFLASH_ERR_NO_LINK,
		                     "the %s answers JEDEC id %02X %02X %02X: no chip is talking. Check the wiring (CS, CLK, "
		                     "MOSI/DI, MISO/DO, GND) and the clip's seating, that the chip has 3.3 V, and that it "
		                     "is not a 1.8 V part (those need a 1.8 V adapter)", f->what, id[0], id[1], id[2]);
	if ((part = iotflash_db_flash(f->dev, f->jedec))) {
		f->part = part;
		f->size = part->size;
	} else {
		f->size = nor_size_from_jedec(f->jedec);
		iotflash_log(f->dev, IOTFLASH_LOG_WARN, "flash %02X %02X %02X is not in the chip database; assuming %u KiB "
		             "and Winbond-style status registers", id[0], id[1], id[2], (unsigned)(f->size / 1024));
	}
	if (!f->size)
		return iotflash_fail(f->dev, IOTFLASH_ERR_UNKNOWN_CHIP,
		                     "flash %02X %02X %02X is not in the chip database and its size cannot be told from "
		                     "the id: add it to a chipdb file's flash: table", id[0], id[1], id[2]);
	info->flash_id = f->jedec;
	info->flash_size = f->size;
	info->flash = part;
	return IOTFLASH_OK;
}

void flash_describe(struct flash *f, struct iotflash_chip_info *info)
{
	uint32_t sr;
	if (read_all_sr(f, &sr) != IOTFLASH_OK)
		return;
	snprintf(info->extra, sizeof(info->extra), "flash %s, status registers 0x%0*x%s", f->part->name,
	         (int)(2 * (f->part->sr_count ? f->part->sr_count : 1)), (unsigned)sr,
	         nor_sr_is(f->part, sr, f->part->sr_unprotect) ? "" : " (write-protected)");
}

int flash_read(struct flash *f, uint32_t addr, uint8_t *buf, uint32_t len)
{
	while (len > 0) {
		uint32_t n = len < NOR_READ_MAX ? len : NOR_READ_MAX;
		uint8_t cmd[NOR_ADDR_FRAME];
		int rc;

		nor_encode_addr_cmd(cmd, NOR_READ, addr);
		if ((rc = flash_cmd(f, cmd, sizeof(cmd), buf, n)) != IOTFLASH_OK)
			return iotflash_fail(f->dev, rc, "reading at 0x%06x: %s", (unsigned)addr, ch341_describe(rc));
		addr += n;
		buf += n;
		len -= n;
	}
	return IOTFLASH_OK;
}

int flash_program(struct flash *f, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	int rc = unprotect(f);

	while (rc == IOTFLASH_OK && len > 0) {
		uint32_t n = nor_page_chunk(addr, len);
		nor_encode_addr_cmd(f->buf, NOR_PP, addr);
		memcpy(f->buf + NOR_ADDR_FRAME, buf, n);
		if ((rc = write_enable(f)) != IOTFLASH_OK)
			break;
		if ((rc = flash_cmd(f, f->buf, NOR_ADDR_FRAME + n, NULL, 0)) != IOTFLASH_OK)
			return iotflash_fail(f->dev, rc, "programming at 0x%06x: %s", (unsigned)addr, ch341_describe(rc));
		if ((rc = wait_ready(f, PP_TIMEOUT_MS, "programming")) != IOTFLASH_OK)
			break;
		addr += n;
		buf += n;
		len -= n;
	}
	return rc;
}

int flash_erase(struct flash *f, uint32_t addr, uint32_t len)
{
	uint8_t op = len >= f->size && addr == 0 ? NOR_CE : nor_erase_op(len);
	uint8_t cmd[NOR_ADDR_FRAME];
	unsigned timeout = op == NOR_CE ? CE_TIMEOUT_MS : op == NOR_BE64K ? BE_TIMEOUT_MS : SE_TIMEOUT_MS;
	int rc;

	if (!op || addr % len)
		return iotflash_fail(f->dev, IOTFLASH_ERR_ALIGN, "no erase command for %u bytes at 0x%06x",
		                     (unsigned)len, (unsigned)addr);
	if ((rc = unprotect(f)) != IOTFLASH_OK || (rc = write_enable(f)) != IOTFLASH_OK)
		return rc;
	nor_encode_addr_cmd(cmd, op, addr);
	if ((rc = flash_cmd(f, cmd, op == NOR_CE ? 1 : sizeof(cmd), NULL, 0)) != IOTFLASH_OK)
		return iotflash_fail(f->dev, rc, "erasing at 0x%06x: %s", (unsigned)addr, ch341_describe(rc));
	return wait_ready(f, timeout, "erasing");
}
