/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* A5 stub protocol, host side: commands and XMODEM-1K transfers over the
 * plugin I/O API (docs/protocols/eswin.md §2.3-§2.5).  Failures are
 * described with iotflash_fail(); retrying whole blocks is the core's. */
#include <stdlib.h>
#include <string.h>

#include <iotflash/plugin.h>

#include "a5stub.h"

#define XM_TRIES        10     /* the stub's own limit per block (§2.5) */
#define XM_START_MS     2000   /* first block after our `C` */
#define XM_ACK_MS       1000   /* per block, on top of its wire time */
#define XM_BLOCK_GAP_MS 120    /* a block short of a byte: NAK before the stub's 0.3 s */
#define XM_QUIET_MS     40
#define XM_PROGRAM_MS   250    /* the stub's ACK after programming 1 KiB */
#define ERASE_MS_4K     400    /* worst-case NOR sector erase */
#define QUIET_MS        400    /* longer than any gap inside a stub answer */
#define RECOVER_MS      8000   /* a sending stub resends 10 × (block + 0.3 s) */
#define BAUD_ACK_MS     2000   /* GUI: 2 s (§2.3) */
#define SHA_MS          30000  /* GUI: 30 s, the most we wait */
#define SHA_MS_KIB      2      /* 0.5 MB/s: several times slower than an XIP read */
#define ACK_MS          300    /* ACK of 0x91/0x92/0x96/0x97: sent at once (GUI: 0.1 s for 0x91) */
#define ID_MS           300    /* GUI: 0.2 s */
#define RESYNC_QUIET_MS 60
#define LONGEST_FRAME   (A5_REQ_OVERHEAD + 65535)

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Read exactly n bytes before deadline; the count read, or an error. */
static int recv_until(struct a5_host *h, uint8_t *buf, size_t n, uint64_t deadline)
{
	size_t got = 0;
	while (got < n) {
		uint64_t now = iotflash_now_ms();
		int r;
		if (now >= deadline)
			break;
		r = iotflash_io_read(h->dev, buf + got, n - got, (unsigned)(deadline - now));
		if (r < 0)
			return r;
		got += (size_t)r;
	}
	return (int)got;
}

static int send(struct a5_host *h, const void *buf, size_t n)
{
	int rc = iotflash_io_write(h->dev, buf, n);
	return rc < 0 ? iotflash_fail(h->dev, rc, "cannot write to the port") : IOTFLASH_OK;
}

static int send_byte(struct a5_host *h, uint8_t b)
{
	return send(h, &b, 1);
}

static void settle(struct a5_host *h, unsigned max_ms);

/* Receive one reply; quiet = no failure recorded on timeout. */
static int receive_reply(struct a5_host *h, uint8_t type, uint8_t *out, size_t data_n, unsigned timeout_ms,
                         bool quiet)
{
	uint64_t deadline = iotflash_now_ms() + timeout_ms;
	uint8_t *b = h->buf;
	struct a5_reply r;
	size_t used, n;
	int got, rc;

	/* Hunt for `5A TT` or `5A FF`: text such as `flash!` may come first. */
	b[0] = 0;
	for (;;) {
		if (b[0] != A5_REPLY_MAGIC && (got = recv_until(h, b, 1, deadline)) != 1)
			goto short_reply;
		if (b[0] != A5_REPLY_MAGIC)
			continue;
		if ((got = recv_until(h, b + 1, 1, deadline)) != 1)
			goto short_reply;
		if (b[1] == type || b[1] == A5_TYPE_REJECT)
			break;
		b[0] = b[1];
	}
	n = b[1] == A5_TYPE_REJECT ? 0 : data_n;
	if ((got = recv_until(h, b + 2, 4 + n, deadline)) != (int)(4 + n))
		goto short_reply;
	rc = a5_decode_reply(b, 6 + n, data_n, type != A5_CMD_SYN && b[1] != A5_TYPE_REJECT, &r, &used);
	if (rc == A5_DECODE_SUM)
		return iotflash_fail(h->dev, IOTFLASH_ERR_CHECKSUM, "stub reply to 0x%02X: bad checksum", type);
	if (r.type == A5_TYPE_REJECT)
		return iotflash_fail(h->dev, IOTFLASH_ERR_DEVICE, "the stub rejected command 0x%02X (%s)", type,
		                     a5_status_text(r.status));
	if (r.status != A5_ST_OK)
		return iotflash_fail(h->dev, IOTFLASH_ERR_DEVICE, "stub command 0x%02X failed: %s", type,
		                     a5_status_text(r.status));
	if (out && data_n)
		memcpy(out, r.data, data_n);
	return IOTFLASH_OK;
short_reply:
	if (got < 0)
		return iotflash_fail(h->dev, got, "cannot read from the port");
	return quiet ? IOTFLASH_ERR_TIMEOUT
	             : iotflash_fail(h->dev, IOTFLASH_ERR_TIMEOUT, "no reply from the stub to command 0x%02X", type);
}

static bool probe(struct a5_host *h, uint8_t *d, unsigned timeout_ms);

/* The parser has no timeout: a frame that lost a byte waits for the next
 * one's.  Zeros complete it (a checksum reject) and are ignored after.  A
 * flipped DATA_LEN can make the stub wait for up to 64 KiB: when it still
 * does not answer a flash-id probe, zeros for the longest frame. */
static void resync(struct a5_host *h)
{
	static const uint8_t zeros[A5_REQ_OVERHEAD + 12];
	uint8_t d[A5_FLASH_ID_DATA], *fill;
	send(h, zeros, sizeof zeros);
	settle(h, RESYNC_QUIET_MS * 8);
	iotflash_io_flush_input(h->dev);
	if (probe(h, d, ID_MS) || !(fill = calloc(1, LONGEST_FRAME)))
		return;
	iotflash_log(h->dev, IOTFLASH_LOG_DEBUG, "the stub does not answer: filling a frame of up to 64 KiB");
	send(h, fill, LONGEST_FRAME);
	free(fill);
	settle(h, QUIET_MS * 4);
	iotflash_io_flush_input(h->dev);
}

static int command_once(struct a5_host *h, const uint8_t *frame, size_t frame_len, uint8_t type, uint8_t *out,
                        size_t data_n, unsigned timeout_ms)
{
	int rc;
	iotflash_io_flush_input(h->dev);
	if ((rc = send(h, frame, frame_len)) != IOTFLASH_OK)
		return rc;
	return receive_reply(h, type, out, data_n, timeout_ms, false);
}

/* Commands that only read, or erase, may simply be sent again. */
static bool repeatable(uint8_t type)
{
	return type == A5_CMD_FLASH_ID || type == A5_CMD_SHA256 || type == A5_CMD_ERASE || type == A5_CMD_EFUSE ||
	       type == A5_CMD_CRC;
}

int a5_command(struct a5_host *h, const uint8_t *frame, size_t frame_len, uint8_t type, uint8_t *out,
               size_t data_n, unsigned timeout_ms)
{
	int rc = IOTFLASH_ERR_INTERNAL;
	for (int i = 0; i < (repeatable(type) ? 3 : 1); i++) {
		rc = command_once(h, frame, frame_len, type, out, data_n, timeout_ms);
		if (rc != IOTFLASH_ERR_TIMEOUT && rc != IOTFLASH_ERR_DEVICE && rc != IOTFLASH_ERR_CHECKSUM)
			return rc;
		resync(h);
	}
	return rc;
}

static bool probe(struct a5_host *h, uint8_t *d, unsigned timeout_ms)
{
	uint8_t f[A5_REQ_OVERHEAD];
	size_t n = a5_encode(f, A5_CMD_FLASH_ID, NULL, 0);

	iotflash_io_flush_input(h->dev);
	return send(h, f, n) == IOTFLASH_OK && receive_reply(h, A5_CMD_FLASH_ID, d, A5_FLASH_ID_DATA, timeout_ms, true) == 0;
}

bool a5_probe(struct a5_host *h, uint32_t *jedec, unsigned timeout_ms)
{
	uint8_t d[A5_FLASH_ID_DATA];
	if (!probe(h, d, timeout_ms))
		return false;
	*jedec = get32(d) & 0xFFFFFF;
	return true;
}

bool a5_syn(struct a5_host *h, unsigned timeout_ms)
{
	static const uint8_t cnys[4] = { 'c', 'n', 'y', 's' };
	uint8_t f[A5_REQ_OVERHEAD + 4];
	size_t n = a5_encode(f, A5_CMD_SYN, cnys, sizeof cnys);

	iotflash_io_flush_input(h->dev);
	return send(h, f, n) == IOTFLASH_OK && receive_reply(h, A5_CMD_SYN, NULL, 0, timeout_ms, true) == 0;
}

int a5_flash_id(struct a5_host *h, uint32_t *jedec)
{
	uint8_t f[A5_REQ_OVERHEAD], d[A5_FLASH_ID_DATA];
	size_t n = a5_encode(f, A5_CMD_FLASH_ID, NULL, 0);
	int rc = a5_command(h, f, n, A5_CMD_FLASH_ID, d, sizeof d, ID_MS);
	if (rc == IOTFLASH_OK)
		*jedec = get32(d) & 0xFFFFFF;  /* M | T << 8 | C << 16 */
	return rc;
}

int a5_erase(struct a5_host *h, uint32_t addr, uint32_t len)
{
	uint8_t f[16];
	size_t n = a5_encode_range(f, A5_CMD_ERASE, addr, len);
	if (addr % 4096)  /* the stub would answer success and erase nothing (§2.3) */
		return iotflash_fail(h->dev, IOTFLASH_ERR_ALIGN, "erase 0x%06x: not 4 KiB-aligned", (unsigned)addr);
	return a5_command(h, f, n, A5_CMD_ERASE, NULL, 0, 500 + ERASE_MS_4K * ((len + 4095) / 4096));
}

int a5_chip_erase(struct a5_host *h, unsigned timeout_ms)
{
	uint8_t f[A5_REQ_OVERHEAD];
	size_t n = a5_encode(f, A5_CMD_CHIP_ERASE, NULL, 0);
	return a5_command(h, f, n, A5_CMD_CHIP_ERASE, NULL, 0, timeout_ms);
}

int a5_sha256(struct a5_host *h, uint32_t addr, uint32_t len, uint8_t digest[32])
{
	uint8_t f[16];
	size_t n = a5_encode_range(f, A5_CMD_SHA256, addr, len);
	/* Not the GUI's 30 s for every range: a frame that lost a byte gets no
	 * answer, and waiting 30 s for each would make a noisy link crawl. */
	uint64_t ms = 1000 + (uint64_t)SHA_MS_KIB * (len / 1024);
	return a5_command(h, f, n, A5_CMD_SHA256, digest, A5_SHA256_DATA, ms < SHA_MS ? (unsigned)ms : SHA_MS);
}

int a5_crc(struct a5_host *h, uint32_t addr, uint32_t len, uint8_t crc[4])
{
	uint8_t f[16];
	size_t n = a5_encode_range(f, A5_CMD_CRC, addr, len);
	uint64_t ms = 1000 + (uint64_t)SHA_MS_KIB * (len / 1024);  /* as for SHA-256 above */
	return a5_command(h, f, n, A5_CMD_CRC, crc, 4, ms < SHA_MS ? (unsigned)ms : SHA_MS);
}

int a5_set_baud(struct a5_host *h, uint32_t baud)
{
	uint8_t f[16];
	size_t n = a5_encode_u32(f, A5_CMD_SET_BAUD, baud);
	int rc;

	iotflash_io_flush_input(h->dev);
	if ((rc = send(h, f, n)) != IOTFLASH_OK)
		return rc;
	/* The GUI waits 10 ms: the frame must reach the stub at the old rate, and
	 * the stub answers only 50 ms after its own switch. */
	iotflash_io_drain(h->dev);
	iotflash_sleep_ms(h->dev, 10 + iotflash_io_wire_ms(h->dev, n));
	if ((rc = iotflash_io_set_baud(h->dev, baud)) != IOTFLASH_OK)
		return iotflash_fail(h->dev, rc, "the port refuses %u baud", (unsigned)baud);
	iotflash_io_flush_input(h->dev);  /* the switch itself may leave noise */
	return receive_reply(h, A5_CMD_SET_BAUD, NULL, 0, BAUD_ACK_MS, false);
}

/* ---- XMODEM-1K ---- */

static unsigned block_ms(struct a5_host *h)
{
	return iotflash_io_wire_ms(h->dev, A5_XM_BLOCK) + (h->block_wait_ms ? h->block_wait_ms : XM_ACK_MS);
}

/* Drop bytes until the line has been quiet for QUIET_MS, or max_ms when
 * that is shorter (the rest of a garbled block before a NAK): at most max_ms. */
static void settle(struct a5_host *h, unsigned max_ms)
{
	uint64_t end = iotflash_now_ms() + max_ms, now;
	uint8_t junk[256];
	/* Never wait past max_ms for the quiet (a 40 ms settle must not take 0.4 s). */
	while ((now = iotflash_now_ms()) < end &&
	       iotflash_io_read(h->dev, junk, sizeof junk, end - now < QUIET_MS ? (unsigned)(end - now) : QUIET_MS) > 0)
		;
}

/* A receiving stub that lost a byte of a block, or took an STX inside
 * garbage for a block start, still counts bytes of a block: a resend would
 * be cut in two.  Zeros complete any block it is in (CRC error, NAK) and are
 * refused one by one after; then it waits for a block start again. */
static void realign(struct a5_host *h)
{
	static const uint8_t zeros[A5_XM_BLOCK];
	uint64_t end;
	uint8_t junk[256];
	send(h, zeros, sizeof zeros);
	/* Its NAKs stream back at the wire rate (and later than that): wait
	 * for them all, or the resend's answer is an old NAK. */
	end = iotflash_now_ms() + 2 * iotflash_io_wire_ms(h->dev, 2 * sizeof zeros) + 1000;
	while (iotflash_now_ms() < end && iotflash_io_read(h->dev, junk, sizeof junk, XM_QUIET_MS) > 0)
		;
	iotflash_io_flush_input(h->dev);
}

void a5_recover(struct a5_host *h, bool writing)
{
	/* A receiving stub takes EOT at any block boundary and ACKs it; a
	 * sending one that still waits for its `C` gets one, then gives up
	 * after 10 unacknowledged sends. */
	settle(h, QUIET_MS);
	send_byte(h, writing ? A5_XM_EOT : A5_XM_C);
	settle(h, RECOVER_MS);
	resync(h);
}

/* An STX (1024) or SOH (128) block with CRC-16: 0 good. */
static int check_any_block(const uint8_t *in, size_t payload, uint8_t *blk)
{
	uint16_t crc;
	if ((uint8_t)(in[1] + in[2]) != 0xFF)
		return -1;
	*blk = in[1];
	crc = iotflash_crc16_xmodem(in + 3, payload);
	return in[3 + payload] == (uint8_t)(crc >> 8) && in[4 + payload] == (uint8_t)crc ? 0 : -2;
}

/* Receive XMODEM-1K blocks into dst (cap bytes) until EOT; at least
 * min_blocks must come.  *total gets the bytes kept.  On failure the
 * stub is brought back to its parser. */
static int xm_recv(struct a5_host *h, uint8_t *dst, size_t cap, uint32_t min_blocks, size_t *total,
                   uint32_t *failed_block)
{
	uint8_t *blk = h->buf;
	uint32_t done = 0;
	uint8_t expect = 1;
	unsigned naks = 0;
	size_t payload;
	bool heard = false;
	int rc, got;

	*total = 0;
	/* One `C` only: a second one would reach the stub as a non-ACK and make
	 * it resend a block we already acknowledged (§2.5). */
	if ((rc = send_byte(h, A5_XM_C)) != IOTFLASH_OK)
		return rc;
	for (unsigned starts = 1;;) {
		uint64_t deadline = iotflash_now_ms() + (heard ? block_ms(h) : XM_START_MS + block_ms(h));
		uint8_t num;
		if (!heard && h->c_every_ms) {  /* a `C` after the first block costs only a duplicate */
			if ((got = recv_until(h, blk, 1, iotflash_now_ms() + h->c_every_ms)) < 0) {
				rc = got;
				goto fail;
			}
			if (got == 0) {
				if (starts++ >= XM_START_MS / h->c_every_ms + 4) {
					rc = IOTFLASH_ERR_TIMEOUT;
					goto fail;
				}
				if ((rc = send_byte(h, A5_XM_C)) != IOTFLASH_OK)
					return rc;
				continue;
			}
			goto got_byte;
		}
		if ((got = recv_until(h, blk, 1, deadline)) != 1) {
			if (got == 0 && !heard && starts++ < 3) {  /* our `C` was lost */
				if ((rc = send_byte(h, A5_XM_C)) != IOTFLASH_OK)
					return rc;
				continue;
			}
			rc = got < 0 ? got : IOTFLASH_ERR_TIMEOUT;
			goto fail;
		}
got_byte:
		heard = true;
		if (blk[0] == A5_XM_EOT && done >= min_blocks && done > 0)
			return send_byte(h, A5_XM_ACK);
		if (blk[0] == A5_XM_CAN && recv_until(h, blk + 1, 1, iotflash_now_ms() + XM_QUIET_MS) == 0) {
			rc = IOTFLASH_ERR_DEVICE;  /* a lone CAN: the stub gave up */
			goto fail;
		}
		/* 1 KiB blocks; the GUI stubs fall back to 128 (SOH, still CRC-16)
		 * after a block needed 7 sends (a5-stub-families.md §2.8). */
		payload = blk[0] == A5_XM_STX ? A5_XM_DATA : blk[0] == A5_XM_SOH ? 128 : 0;
		if (!payload) {  /* the rest of a garbled block: let it pass, then NAK */
			if (++naks > XM_TRIES) {
				rc = IOTFLASH_ERR_CHECKSUM;
				goto fail;
			}
			settle(h, XM_QUIET_MS);
			if ((rc = send_byte(h, A5_XM_NAK)) != IOTFLASH_OK)
				return rc;
			continue;
		}
		/* Answer within the stub's 0.3 s even when a byte was lost. */
		got = recv_until(h, blk + 1, payload + 4,
		                 iotflash_now_ms() + iotflash_io_wire_ms(h->dev, payload + 5) + XM_BLOCK_GAP_MS);
		if (got < 0) {
			rc = got;
			goto fail;
		}
		if (got != (int)payload + 4 || check_any_block(blk, payload, &num) != 0) {
			if (++naks > XM_TRIES) {
				rc = IOTFLASH_ERR_CHECKSUM;
				goto fail;
			}
			settle(h, XM_QUIET_MS);
			if ((rc = send_byte(h, A5_XM_NAK)) != IOTFLASH_OK)
				return rc;
			continue;
		}
		if (num == (uint8_t)(expect - 1) && done > 0) {  /* our ACK was lost: it came again */
			if ((rc = send_byte(h, A5_XM_ACK)) != IOTFLASH_OK)
				return rc;
			continue;
		}
		if (num != expect || *total >= cap) {  /* a garbled number that still summed to FF */
			if (++naks > XM_TRIES) {
				rc = IOTFLASH_ERR_PROTOCOL;
				goto fail;
			}
			if ((rc = send_byte(h, A5_XM_NAK)) != IOTFLASH_OK)
				return rc;
			continue;
		}
		{
			size_t keep = cap - *total < payload ? cap - *total : payload;
			memcpy(dst + *total, blk + 3, keep);
			*total += keep;
		}
		done++;
		expect++;
		naks = 0;
		if ((rc = send_byte(h, A5_XM_ACK)) != IOTFLASH_OK)
			return rc;
	}
fail:
	*failed_block = done + 1;
	a5_recover(h, false);
	return rc;
}

static const char *recv_error(int rc)
{
	return rc == IOTFLASH_ERR_TIMEOUT ? "no data" : rc == IOTFLASH_ERR_DEVICE ? "the stub cancelled"
	       : rc == IOTFLASH_ERR_CHECKSUM ? "too many bad blocks" : "blocks out of order";
}

int a5_read(struct a5_host *h, uint32_t addr, uint8_t *buf, uint32_t len)
{
	uint8_t f[16];
	size_t n = a5_encode_range(f, A5_CMD_XM_READ, addr, len), total;
	uint32_t bad = 0;
	int rc;

	if ((rc = a5_command(h, f, n, A5_CMD_XM_READ, NULL, 0, ACK_MS)) != IOTFLASH_OK) {
		a5_recover(h, false);  /* the stub may have the command and wait for `C` */
		return rc;
	}
	rc = xm_recv(h, buf, len, (len + A5_XM_DATA - 1) / A5_XM_DATA, &total, &bad);
	if (rc != IOTFLASH_OK)
		return iotflash_fail(h->dev, rc, "XMODEM read 0x%06x+0x%x: %s at block %u", (unsigned)addr,
		                     (unsigned)len, recv_error(rc), (unsigned)bad);
	return IOTFLASH_OK;
}

int a5_read_z(struct a5_host *h, uint32_t addr, uint8_t *buf, uint32_t len, uint8_t level)
{
	uint8_t f[16], *z;
	size_t n = a5_encode_range_level(f, A5_CMD_XM_READ_Z, addr, len, level), total, produced = 0;
	size_t cap = (size_t)len + len / 8 + 4096;  /* deflate never grows data more than this */
	uint32_t bad = 0;
	int rc;

	if (!(z = malloc(cap)))
		return iotflash_fail(h->dev, IOTFLASH_ERR_NOMEM, "out of memory");
	if ((rc = a5_command(h, f, n, A5_CMD_XM_READ_Z, NULL, 0, ACK_MS)) != IOTFLASH_OK) {
		a5_recover(h, false);
		goto out;
	}
	rc = xm_recv(h, z, cap, 1, &total, &bad);
	if (rc != IOTFLASH_OK) {
		rc = iotflash_fail(h->dev, rc, "compressed read 0x%06x+0x%x: %s at block %u", (unsigned)addr,
		                   (unsigned)len, recv_error(rc), (unsigned)bad);
		goto out;
	}
	h->last_z = total;
	/* Trailing FF padding is not part of the stream: inflate stops at its end. */
	rc = iotflash_inflate_raw(z, total, buf, len, &produced);
	if ((rc != IOTFLASH_OK && rc != IOTFLASH_ERR_RANGE) || produced != len)
		rc = iotflash_fail(h->dev, IOTFLASH_ERR_CHECKSUM, "compressed read 0x%06x+0x%x: the stream inflates to %zu bytes",
		                   (unsigned)addr, (unsigned)len, produced);
	else
		rc = IOTFLASH_OK;
out:
	free(z);
	return rc;
}

/* Wait for the receiver's answer to a block or EOT; `C` (the stub's idle
 * nag) is not an answer. */
static int block_answer(struct a5_host *h, unsigned timeout_ms, uint8_t *b)
{
	uint64_t deadline = iotflash_now_ms() + timeout_ms;
	int got;
	while ((got = recv_until(h, b, 1, deadline)) == 1)
		if (*b != A5_XM_C)
			return 1;
	return got;
}

/* 0x91 / 0x97 / 0x94: the command, the erase, then data over XMODEM-1K. */
static int xm_write_frame(struct a5_host *h, const uint8_t *f, size_t n, uint8_t cmd, uint32_t addr, uint32_t len,
                          const uint8_t *data, size_t dlen)
{
	uint8_t *blk = h->buf, b = 0;
	uint32_t nblocks = (uint32_t)((dlen + A5_XM_DATA - 1) / A5_XM_DATA), i;
	unsigned erase_ms = 1000 + ERASE_MS_4K * ((len + 4095) / 4096);
	/* 0x97 programs its output 4 bytes at a time (§2.5 step 7), and one
	 * block may inflate to the whole range: allow 1 ms per word then. */
	unsigned answer_ms = XM_PROGRAM_MS + (cmd == A5_CMD_XM_WRITE_Z ? len / 4 : 0);
	const char *what = cmd == A5_CMD_XM_WRITE_Z ? "compressed write" : cmd == A5_CMD_KV_SET ? "key-value set"
	                   : "XMODEM write";
	int rc, got;

	if ((rc = a5_command(h, f, n, cmd, NULL, 0, ACK_MS)) != IOTFLASH_OK) {
		a5_recover(h, true);  /* the stub may have the command and wait for blocks */
		return rc;
	}
	/* 100 ms, the erase, then one `C` (§2.5 receiving step 1). */
	do
		got = recv_until(h, &b, 1, iotflash_now_ms() + erase_ms);
	while (got == 1 && b != A5_XM_C);
	if (got != 1) {
		rc = got < 0 ? got : IOTFLASH_ERR_TIMEOUT;
		i = 0;
		goto fail;
	}
	for (i = 0; i < nblocks; i++) {
		size_t chunk = i + 1 < nblocks || dlen % A5_XM_DATA == 0 ? A5_XM_DATA : dlen % A5_XM_DATA;
		int tries = 0;
		a5_xm_encode_block(blk, (uint8_t)(i + 1), data + (size_t)i * A5_XM_DATA, chunk);
		for (;;) {
			if ((rc = send(h, blk, A5_XM_BLOCK)) != IOTFLASH_OK)
				return rc;
			got = block_answer(h, iotflash_io_wire_ms(h->dev, A5_XM_BLOCK) + answer_ms, &b);
			if (got < 0) {
				rc = got;
				goto fail;
			}
			if (got == 1 && b == A5_XM_ACK)
				break;
			if (got == 1 && b == A5_XM_CAN) {
				rc = IOTFLASH_ERR_DEVICE;
				goto fail;
			}
			if (++tries >= XM_TRIES) {
				rc = IOTFLASH_ERR_CHECKSUM;
				goto fail;
			}
			realign(h);
		}
	}
	for (int t = 0; t < XM_TRIES; t++) {
		if ((rc = send_byte(h, A5_XM_EOT)) != IOTFLASH_OK)
			return rc;
		if ((got = block_answer(h, XM_ACK_MS, &b)) == 1 && b == A5_XM_ACK)
			return IOTFLASH_OK;
		if (got < 0)
			return iotflash_fail(h->dev, got, "cannot read from the port");
	}
	rc = IOTFLASH_ERR_TIMEOUT;
fail:
	a5_recover(h, true);
	return iotflash_fail(h->dev, rc, "%s 0x%06x+0x%x: %s at block %u", what, (unsigned)addr, (unsigned)len,
	                     rc == IOTFLASH_ERR_TIMEOUT ? "no answer" : rc == IOTFLASH_ERR_DEVICE ? "the stub cancelled"
	                     : "block refused 10 times", (unsigned)i + 1);
}

static int xm_write(struct a5_host *h, uint8_t cmd, uint32_t addr, uint32_t len, const uint8_t *data, size_t dlen)
{
	uint8_t f[16];
	size_t n = a5_encode_range(f, cmd, addr, len);
	return xm_write_frame(h, f, n, cmd, addr, len, data, dlen);
}

int a5_write(struct a5_host *h, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	return xm_write(h, A5_CMD_XM_WRITE, addr, len, buf, len);
}

int a5_write_z(struct a5_host *h, uint32_t addr, uint32_t len, const uint8_t *z, size_t zlen)
{
	if (len % 4)  /* the stub would keep len % 4 bytes for the next transfer (§2.5 step 10) */
		return iotflash_fail(h->dev, IOTFLASH_ERR_ALIGN, "compressed write of %u bytes: not a multiple of 4",
		                     (unsigned)len);
	return xm_write(h, A5_CMD_XM_WRITE_Z, addr, len, z, zlen);
}

int a5_kv_set(struct a5_host *h, const char *key, const uint8_t *buf, uint16_t len)
{
	uint8_t f[A5_REQ_OVERHEAD + 3 + A5_KV_KEY_SEND];
	size_t n = a5_encode_kv_set(f, key, len);
	if (n == 0)
		return iotflash_fail(h->dev, IOTFLASH_ERR_ARG, "key '%s': the stub takes keys of 1 to %d bytes", key,
		                     A5_KV_KEY_SEND);
	/* The value arrives as whole 1 KiB blocks; the stub keeps the first len bytes. */
	return xm_write_frame(h, f, n, A5_CMD_KV_SET, 0, 0, buf, len);
}

int a5_kv_get(struct a5_host *h, const char *key, uint8_t *buf, size_t cap, size_t *len)
{
	uint8_t f[A5_REQ_OVERHEAD + A5_KV_KEY_SEND], head[4], tail[2];
	size_t klen = strlen(key), n;
	uint64_t deadline;
	int got;

	if (klen == 0 || klen > A5_KV_KEY_SEND)
		return iotflash_fail(h->dev, IOTFLASH_ERR_ARG, "key '%s': the stub takes keys of 1 to %d bytes", key,
		                     A5_KV_KEY_SEND);
	n = a5_encode(f, A5_CMD_KV_GET, (const uint8_t *)key, (uint16_t)klen);
	for (int t = 0; t < 3; t++) {
		uint8_t sum;
		iotflash_io_flush_input(h->dev);
		if (send(h, f, n) != IOTFLASH_OK)
			return IOTFLASH_ERR_PORT;
		deadline = iotflash_now_ms() + ACK_MS;
		/* `5A 93 Lo Hi <value> status sum`: the length decides what follows (§2.4). */
		do
			got = recv_until(h, head, 1, deadline);
		while (got == 1 && head[0] != A5_REPLY_MAGIC);
		if (got == 1 && (got = recv_until(h, head + 1, 3, deadline)) == 3 && head[1] == A5_CMD_KV_GET) {
			size_t vlen = (size_t)(head[2] | head[3] << 8);
			deadline += iotflash_io_wire_ms(h->dev, vlen + 2);
			if (vlen > cap) {
				settle(h, QUIET_MS);
				return iotflash_fail(h->dev, IOTFLASH_ERR_PROTOCOL, "key %s: a %zu-byte value, more than the %zu expected",
				                     key, vlen, cap);
			}
			if ((size_t)recv_until(h, buf, vlen, deadline) == vlen && recv_until(h, tail, 2, deadline) == 2) {
				sum = (uint8_t)(a5_sum8(head, 4) + a5_sum8(buf, vlen) + tail[0]);
				if (sum == tail[1] && vlen == 0 && tail[0] == A5_ST_ERROR)
					return IOTFLASH_ERR_UNSUPPORTED;  /* the key is missing */
				if (sum == tail[1] && tail[0] == A5_ST_OK) {
					*len = vlen;
					return IOTFLASH_OK;
				}
			}
		}
		if (got < 0)
			return iotflash_fail(h->dev, got, "cannot read from the port");
		resync(h);
	}
	return iotflash_fail(h->dev, IOTFLASH_ERR_TIMEOUT, "no valid reply from the stub to key-value get %s", key);
}
