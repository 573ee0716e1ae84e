/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device model of the LN882H / LN8825 boot ROM and RAM code, byte-exact per
 * docs/protocols/ln882h.md §7.  Written like the firmware: a ROM loop that
 * answers `version` and receives a RAM image by YMODEM, then a RAM-code loop
 * with the line discipline and command table of the uploaded build. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "model.h"
#include "protocol.h"

/* Chip-side work times: typical SPI-NOR figures (§7.13), not measured on LN882H. */
#define ERASE_4K_US        50000u
#define ERASE_32K_US      150000u
#define CHIP_ERASE_US   15000000u
#define PAGE_PROGRAM_US     1000u   /* one 256-byte page */
#define CRC_US_PER_MIB    500000u
#define COMMAND_US          2000u   /* reply latency of simple commands */
#define BOOT_DELAY_US     100000u   /* ROM → RAM code; input dropped meanwhile */

/* Protocol timeouts.  The RAM code's "65535 polls" have no known wall-clock
 * length [unknown]: RX_POLL_MS is a few-ms value consistent with the tools. */
#define RX_POLL_MS           20
#define ROM_C_INTERVAL_MS   200   /* ROM: `C` while waiting for block 0 [unknown] */
#define DATA_GAP_MS        1000   /* "one long-timeout read" of block data */
#define YM_MAX_ERRORS        20
#define XM_START_WAIT_MS   3000
#define XM_START_SLICE_MS   100
#define XM_ACK_WAIT_MS     1000
#define XM_RETRIES           20
#define XM_DOWNGRADE          5
#define XM_EOT_TRIES         20
#define XMZ_ACK_WAIT_MS    5000
#define XMZ_RETRIES          10
#define XMZ_EOT_TRIES        10
#define FW_HEADER_WAIT_MS  3000
#define FW_MAX_TIMEOUTS      20

#define SECTOR 4096u
#define BLOCK32 32768u
#define FLASH_WINDOW 0x400000u     /* FALSH_SIZE_MAX of the RAM code */
#define RAM_IMAGE_MAX 0x48000u     /* LN882H SRAM */
#define OTP_SIZE 1024u
#define LINK_BAUD 115200u
#define DEFAULT_FLASH_ID 0xEB6000u
#define SUM_MODE_BLOCK LN_SOH_SIZE

#define TIMEOUT (-3)               /* rx_byte: nothing arrived */
#define BAD (-4)                   /* ym_read_block: a malformed block */

/* The host stopped the simulator or reset the chip: unwind to serve(). */
static bool is_event(int r)
{
	return r == IOTFLASH_SIM_STOP || r == IOTFLASH_SIM_RESET;
}

enum build { BUILD_OFFICIAL, BUILD_GUI };

struct ln_model {
	struct iotflash_sim *sim;
	const struct iotflash_chip *chip;
	uint8_t *flash;
	uint32_t flash_size;
	bool in_ram;
	enum build build;
	bool has_upgrade;           /* LN8825's GUI RAM code has no startaddr/upgrade */
	const char *stamp;
	uint32_t ram_base;
	uint32_t flash_id;          /* MID << 16 | type << 8 | capacity */
	uint8_t uid[16];
	uint8_t otp[OTP_SIZE];
	uint32_t efuse[16];
	uint32_t start_addr;        /* `startaddr` */
	uint32_t write_off;         /* where the next YMODEM file lands */
	unsigned filecount;
	size_t line_len;
	char line[LN_LINE_MAX + 1];
	size_t rx_pos, rx_len;
	uint8_t rx[4096];
	size_t tx_len;              /* a reply being built: sent whole (one write) */
	uint8_t txq[65536];
	uint8_t frame[LN_BLOCK_MAX];
};

/* ---- UART ---- */

/* Replies go out as the ROM sends them: in one piece.  Bytes queue up
 * until the chip next waits (for input, flash work or a delay) or changes
 * its rate, then leave with a single write. */
static void tx_flush(struct ln_model *m)
{
	if (m->tx_len)
		iotflash_sim_write(m->sim, m->txq, m->tx_len);
	m->tx_len = 0;
}

static void busy(struct ln_model *m, uint64_t us)
{
	tx_flush(m);
	iotflash_sim_busy(m->sim, us);
}

static void set_baud(struct ln_model *m, uint32_t baud)
{
	tx_flush(m);
	iotflash_sim_set_baud(m->sim, baud);
}

/* One byte, or TIMEOUT / IOTFLASH_SIM_STOP / IOTFLASH_SIM_RESET. */
static int rx_byte(struct ln_model *m, int timeout_ms)
{
	if (m->rx_pos == m->rx_len) {
		int n;
		tx_flush(m);
		n = iotflash_sim_read(m->sim, m->rx, sizeof(m->rx), timeout_ms);
		if (n == 0)
			return TIMEOUT;
		if (n < 0)
			return n;
		m->rx_pos = 0;
		m->rx_len = (size_t)n;
	}
	return m->rx[m->rx_pos++];
}

/* Exactly n bytes with at most gap_ms between them: returns 0, TIMEOUT, or STOP/RESET. */
static int rx_full(struct ln_model *m, uint8_t *buf, size_t n, int gap_ms)
{
	for (size_t i = 0; i < n; i++) {
		int b = rx_byte(m, gap_ms);
		if (b < 0)
			return b;
		buf[i] = (uint8_t)b;
	}
	return 0;
}

/* Is a byte already waiting (the host pipelined)? */
static int rx_pending(struct ln_model *m)
{
	int b = rx_byte(m, 0);
	if (b >= 0) {
		m->rx_pos--;
		return 1;
	}
	return b == TIMEOUT ? 0 : b;
}

static void rx_flush(struct ln_model *m)
{
	m->rx_pos = m->rx_len = 0;
	iotflash_sim_discard_input(m->sim);
}

static void tx(struct ln_model *m, const void *buf, size_t n)
{
	if (n > sizeof(m->txq) - m->tx_len)
		tx_flush(m);
	if (n > sizeof(m->txq)) {
		iotflash_sim_write(m->sim, buf, n);
		return;
	}
	memcpy(m->txq + m->tx_len, buf, n);
	m->tx_len += n;
}

static void tx_byte(struct ln_model *m, uint8_t b)
{
	tx(m, &b, 1);
}

static void tx_str(struct ln_model *m, const char *s)
{
	tx(m, s, strlen(s));
}

static void tx_cancel(struct ln_model *m)
{
	static const uint8_t can[2] = { LN_CAN, LN_CAN };
	tx(m, can, 2);
}

/* ---- flash (NOR: erase to 0xFF, program ANDs; addresses wrap) ---- */

static uint32_t fa(struct ln_model *m, uint32_t addr)
{
	return addr % m->flash_size;
}

static void flash_program(struct ln_model *m, uint32_t addr, const uint8_t *data, size_t n)
{
	for (size_t i = 0; i < n; i++)
		m->flash[fa(m, addr + (uint32_t)i)] &= data[i];
	busy(m, (n + 255) / 256 * PAGE_PROGRAM_US);
}

static void flash_copy(struct ln_model *m, uint32_t addr, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = m->flash[fa(m, addr + (uint32_t)i)];
}

static void erase_sectors(struct ln_model *m, uint32_t start, uint32_t end)
{
	uint64_t us = 0;
	for (uint32_t a = start; a < end;) {
		uint32_t step = a % BLOCK32 == 0 && end - a >= BLOCK32 ? BLOCK32 : SECTOR;
		for (uint32_t i = 0; i < step; i++)
			m->flash[fa(m, a + i)] = 0xFF;
		us += step == BLOCK32 ? ERASE_32K_US : ERASE_4K_US;
		a += step;
	}
	busy(m, us);
}

/* Erase [off, off+size) by sectors, keeping the bytes of the first sector
 * below an unaligned off (§3.3). */
static void flash_erase(struct ln_model *m, uint32_t off, uint32_t size)
{
	uint32_t start = off - off % SECTOR;
	uint64_t end = ((uint64_t)off + size + SECTOR - 1) / SECTOR * SECTOR;
	uint8_t head[SECTOR];

	flash_copy(m, start, head, off - start);
	erase_sectors(m, start, (uint32_t)end);
	if (off > start)
		flash_program(m, start, head, off - start);
}

static uint32_t flash_crc(struct ln_model *m, uint32_t off, uint32_t size)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	uint8_t buf[SECTOR];
	for (uint32_t done = 0; done < size;) {
		uint32_t n = size - done < SECTOR ? size - done : SECTOR;
		flash_copy(m, off + done, buf, n);
		crc = crc32(crc, buf, n);
		done += n;
	}
	busy(m, (uint64_t)size * CRC_US_PER_MIB / 0x100000);
	return (uint32_t)crc;
}

/* ---- YMODEM receiver (ROM download and RAM-code `upgrade`, §2) ---- */

enum ym_result { YM_DONE = 1, YM_ABORTED = 2 };

struct ym_sink {
	size_t stx_size;
	int c_interval_ms;          /* `C` while waiting for block 0 */
	bool ack_before_write;      /* official RAM code ACKs, then programs */
	bool (*begin)(struct ln_model *m, void *ctx, uint32_t size);
	bool (*data)(struct ln_model *m, void *ctx, const uint8_t *p, size_t n);
	void *ctx;
};

struct ym_state {
	unsigned expected;          /* blocks accepted so far (header = 0) */
	unsigned errors;
	bool asked;                 /* a `C` went out: a bad block may be NAKed */
	bool begun;
};

/* A rejected block: flush, NAK; too many in a row end the transfer. */
static int ym_reject(struct ln_model *m, struct ym_state *st)
{
	rx_flush(m);
	tx_byte(m, LN_NAK);
	if (++st->errors > YM_MAX_ERRORS) {
		tx_cancel(m);
		return YM_ABORTED;
	}
	return 0;
}

/* Nothing is NAKed before the first `C` asked for a block. */
static int ym_reject_if_asked(struct ln_model *m, struct ym_state *st)
{
	if (st->asked)
		return ym_reject(m, st);
	rx_flush(m);
	return 0;
}

/* The rest of a block after its marker; returns the data size, BAD, or an event. */
static int ym_read_block(struct ln_model *m, uint8_t marker, size_t stx, uint8_t *seq)
{
	size_t n = ln_block_size(marker, stx);
	int r;

	m->frame[0] = marker;
	if ((r = rx_full(m, m->frame + 1, 2, RX_POLL_MS)) != 0 ||
	    (r = rx_full(m, m->frame + 3, n, DATA_GAP_MS)) != 0 ||
	    (r = rx_full(m, m->frame + 3 + n, 2, RX_POLL_MS)) != 0)
		return r == TIMEOUT ? BAD : r;
	if ((r = rx_pending(m)) != 0)  /* the host must not pipeline */
		return r > 0 ? BAD : r;
	r = ln_block_check(m->frame, n + LN_BLOCK_OVERHEAD, stx, seq);
	return r < 0 ? BAD : r;
}

static int ym_block0(struct ln_model *m, struct ym_state *st, const struct ym_sink *sk, size_t n)
{
	char name[64];
	uint32_t size = 0;

	if (!ln_ymodem_parse_header(m->frame + 3, n, name, sizeof(name), &size)) {
		tx_byte(m, LN_ACK);  /* empty batch: nothing to receive */
		return YM_ABORTED;
	}
	if (!sk->begin(m, sk->ctx, size)) {
		tx_cancel(m);
		return YM_ABORTED;
	}
	tx_byte(m, LN_ACK);
	tx_byte(m, LN_C);
	st->begun = true;
	st->expected = 1;
	st->errors = 0;
	return 0;
}

static int ym_data(struct ln_model *m, struct ym_state *st, const struct ym_sink *sk, size_t n)
{
	if (sk->ack_before_write)
		tx_byte(m, LN_ACK);
	if (!sk->data(m, sk->ctx, m->frame + 3, n)) {
		tx_cancel(m);
		return YM_ABORTED;
	}
	if (!sk->ack_before_write)
		tx_byte(m, LN_ACK);
	st->expected++;
	st->errors = 0;
	return 0;
}

/* EOT → NAK, everything discarded until the second EOT → ACK C, then the
 * end-of-session block. */
static int ym_finish(struct ln_model *m, struct ym_state *st, const struct ym_sink *sk)
{
	int b;
	uint8_t seq;

	tx_byte(m, LN_NAK);
	while ((b = rx_byte(m, -1)) != LN_EOT)
		if (b < 0)
			return b;
	tx_byte(m, LN_ACK);
	tx_byte(m, LN_C);
	for (;;) {
		if ((b = rx_byte(m, sk->c_interval_ms)) == TIMEOUT)
			continue;
		if (b < 0)
			return b;
		if (b == LN_SOH || b == LN_STX) {
			int n = ym_read_block(m, (uint8_t)b, sk->stx_size, &seq);
			if (is_event(n))
				return n;
			if (n > 0 && seq == 0) {
				tx_byte(m, LN_ACK);
				return YM_DONE;
			}
		}
		if ((b = ym_reject(m, st)) != 0)
			return b;
	}
}

/* A lone CAN is ignored; CAN CAN leaves silently. */
static int ym_cancel_byte(struct ln_model *m)
{
	int b = rx_byte(m, RX_POLL_MS);
	if (b == LN_CAN)
		return YM_ABORTED;
	if (b >= 0)
		m->rx_pos--;
	return is_event(b) ? b : 0;
}

static int ym_receive(struct ln_model *m, const struct ym_sink *sk)
{
	struct ym_state st = {0, 0, false, false};
	uint8_t seq;

	for (;;) {
		int r = 0, b = rx_byte(m, st.begun ? RX_POLL_MS : sk->c_interval_ms);
		if (b == TIMEOUT) {
			if (!st.begun) {
				tx_byte(m, LN_C);
				st.asked = true;
			} else if (++st.errors > YM_MAX_ERRORS) {
				tx_cancel(m);
				return YM_ABORTED;
			}
			continue;
		}
		if (b < 0)
			return b;
		if (b == LN_SOH || b == LN_STX) {
			int n = ym_read_block(m, (uint8_t)b, sk->stx_size, &seq);
			if (is_event(n))
				return n;
			if (n < 0 || seq != (uint8_t)st.expected)
				r = ym_reject_if_asked(m, &st);
			else
				r = st.begun ? ym_data(m, &st, sk, (size_t)n) : ym_block0(m, &st, sk, (size_t)n);
		} else if (b == LN_EOT && st.begun) {
			r = ym_finish(m, &st, sk);
		} else if (b == LN_CAN) {
			r = ym_cancel_byte(m);
		} else if (b == 'A' || b == 'a') {
			tx_cancel(m);
			r = YM_ABORTED;
		} else if (st.begun) {
			r = ym_reject(m, &st);
		}
		/* Before block 0 a stray byte (the LF of the host's `\r\n`)
		 * is no block: dropped, and the next `C` asks again. */
		if (r != 0)
			return r;
	}
}

/* ---- ROM ---- */

struct ram_image {
	uint8_t *data;
	uint32_t size, have;
};

static bool ram_begin(struct ln_model *m, void *ctx, uint32_t size)
{
	struct ram_image *img = ctx;
	(void)m;
	if (size == 0 || size > RAM_IMAGE_MAX || !(img->data = malloc(size)))
		return false;
	img->size = size;
	img->have = 0;
	return true;
}

static bool ram_data(struct ln_model *m, void *ctx, const uint8_t *p, size_t n)
{
	struct ram_image *img = ctx;
	size_t take = img->size - img->have < n ? img->size - img->have : n;
	(void)m;
	memcpy(img->data + img->have, p, take);
	img->have += (uint32_t)take;
	return true;
}

/* Check the image header (§1.4) and boot it, or stay in the ROM. */
static void rom_boot(struct ln_model *m, const struct ram_image *img)
{
	struct ln_ramhdr h;
	enum ln_ramhdr_err e = ln_ramhdr_parse(img->data, img->have, &h);

	if (img->have != img->size || e != LN_RAMHDR_OK) {
		iotflash_sim_log(m->sim, "ln882h: RAM image rejected: %s",
		                 img->have != img->size ? "incomplete" : ln_ramhdr_strerror(e));
		return;
	}
	if (h.load_addr != m->ram_base) {
		iotflash_sim_log(m->sim, "ln882h: RAM image linked at 0x%08x, this chip runs 0x%08x: stays in ROM",
		                 (unsigned)h.load_addr, (unsigned)m->ram_base);
		return;
	}
	m->build = ln_image_is_gui(img->data, img->have) ? BUILD_GUI : BUILD_OFFICIAL;
	busy(m, BOOT_DELAY_US);
	rx_flush(m);
	set_baud(m, LINK_BAUD);
	m->in_ram = true;
	m->line_len = 0;
	m->filecount = 0;
	m->start_addr = m->write_off = 0;
	iotflash_sim_log(m->sim, "ln882h: RAM code up (%s build)", m->build == BUILD_GUI ? "GUI" : "official");
}

static int rom_download(struct ln_model *m, uint32_t size)
{
	struct ram_image img = {NULL, 0, 0};
	struct ym_sink sk = { LN_ROM_STX_SIZE, ROM_C_INTERVAL_MS, false, ram_begin, ram_data, &img };
	int r = ym_receive(m, &sk);

	if (r == YM_DONE && img.size != size)
		iotflash_sim_log(m->sim, "ln882h: download announced %u bytes, YMODEM carried %u", (unsigned)size,
		                 (unsigned)img.size);
	if (r == YM_DONE)
		rom_boot(m, &img);
	free(img.data);
	return r < 0 ? r : 0;
}

static int rom_line(struct ln_model *m, const char *line)
{
	uint32_t addr, size;

	if (strcmp(line, "version") == 0) {
		tx_str(m, m->stamp);
		tx_str(m, "\r\n");
	} else if (ln_parse_download(line, &addr, &size)) {
		return rom_download(m, size);
	}
	return 0;  /* anything else: silence [unknown on silicon] */
}

static int rom_run(struct ln_model *m)
{
	char line[128];
	size_t n = 0;

	while (!m->in_ram) {
		int b = rx_byte(m, -1);
		if (b < 0)
			return b;
		if (b == '\r' || b == '\n') {
			line[n] = '\0';
			if (n && (b = rom_line(m, line)) < 0)
				return b;
			n = 0;
		} else if (b >= 0x20 && b <= 0x7E && n < sizeof(line) - 1) {
			line[n++] = (char)b;
		}
	}
	return 0;
}

/* ---- RAM code: XMODEM sender (fdump, fdumpz, §4.1/4.3) ---- */

struct xm_send_cfg {
	int ack_wait_ms;
	unsigned retries;
	unsigned eot_tries;
	unsigned eot_count;         /* EOT bytes per try */
};

static const struct xm_send_cfg fdump_cfg = { XM_ACK_WAIT_MS, XM_RETRIES, XM_EOT_TRIES, 1 };
static const struct xm_send_cfg fdumpz_cfg = { XMZ_ACK_WAIT_MS, XMZ_RETRIES, XMZ_EOT_TRIES, 2 };

enum xm_mode { XM_QUIT, XM_CRC, XM_SUM };

static void give_up(struct ln_model *m)
{
	tx_cancel(m);
	set_baud(m, LINK_BAUD);
}

/* Drain, then up to 3 s for C (CRC, 1 KiB) / NAK (sum, 128) / CAN (quit). */
static int xm_wait_start(struct ln_model *m, enum xm_mode *mode)
{
	rx_flush(m);
	for (int waited = 0; waited < XM_START_WAIT_MS;) {
		int b = rx_byte(m, XM_START_SLICE_MS);
		if (b == TIMEOUT) {
			waited += XM_START_SLICE_MS;
			continue;
		}
		if (b < 0)
			return b;
		if (b == LN_C || b == LN_NAK || b == LN_CAN) {
			*mode = b == LN_C ? XM_CRC : b == LN_NAK ? XM_SUM : XM_QUIT;
			return 0;
		}
	}
	give_up(m);
	*mode = XM_QUIT;
	return 0;
}

static size_t xm_frame(struct ln_model *m, enum xm_mode mode, uint8_t seq, const uint8_t *p, size_t n, size_t blk)
{
	if (mode == XM_CRC)
		return ln_block_encode(m->frame, seq, p, n, blk, LN_XMODEM_PAD);
	m->frame[0] = LN_SOH;
	m->frame[1] = seq;
	m->frame[2] = (uint8_t)(0xFF - seq);
	memcpy(m->frame + 3, p, n);
	memset(m->frame + 3 + n, LN_XMODEM_PAD, blk - n);
	m->frame[3 + blk] = ln_sum8(m->frame + 3, blk);
	return blk + 4;
}

/* Send one block until ACKed: 1 = ACKed (*retries set), 0 = gave up / quit, < 0 STOP/RESET. */
static int xm_send_block(struct ln_model *m, const struct xm_send_cfg *cfg, size_t len, unsigned *retries)
{
	*retries = 0;
	for (;;) {
		int b;
		tx(m, m->frame, len);
		b = rx_byte(m, cfg->ack_wait_ms);
		if (b == LN_ACK)
			return 1;
		if (is_event(b))
			return b;
		if (b == LN_CAN) {
			int b2 = rx_byte(m, XM_ACK_WAIT_MS);
			if (b2 == LN_CAN) {
				set_baud(m, LINK_BAUD);
				return 0;
			}
			if (is_event(b2))
				return b2;
			continue;
		}
		if ((b == LN_NAK || b == TIMEOUT) && ++*retries >= cfg->retries) {
			give_up(m);
			return 0;
		}
	}
}

static int xm_send(struct ln_model *m, const struct xm_send_cfg *cfg, const uint8_t *data, size_t size)
{
	enum xm_mode mode;
	size_t blk, off = 0;
	uint8_t seq = 1;
	int r;

	if ((r = xm_wait_start(m, &mode)) < 0 || mode == XM_QUIT)
		return r;
	blk = mode == XM_CRC ? LN_XMODEM_STX_SIZE : SUM_MODE_BLOCK;
	while (off < size) {
		size_t n = size - off < blk ? size - off : blk;
		unsigned retries;
		r = xm_send_block(m, cfg, xm_frame(m, mode, seq, data + off, n, blk), &retries);
		if (r <= 0)
			return r;
		if (retries >= XM_DOWNGRADE)
			blk = SUM_MODE_BLOCK;
		off += n;
		seq++;
	}
	for (unsigned t = 0; t < cfg->eot_tries; t++) {
		static const uint8_t eot[2] = { LN_EOT, LN_EOT };
		tx(m, eot, cfg->eot_count);
		if ((r = rx_byte(m, cfg->ack_wait_ms)) == LN_ACK)
			break;
		if (is_event(r))
			return r;
	}
	return 0;
}

/* ---- RAM code: XMODEM receiver (fwrite, fwritez, §4.2) ---- */

struct fw_sink {
	uint32_t off, size, done;
	z_stream *z;                /* fwritez: raw DEFLATE */
};

static void fw_program(struct ln_model *m, struct fw_sink *fw, const uint8_t *p, size_t n)
{
	size_t take = fw->size - fw->done < n ? fw->size - fw->done : n;
	flash_program(m, fw->off + fw->done, p, take);
	fw->done += (uint32_t)take;
}

static void fw_inflate(struct ln_model *m, struct fw_sink *fw, const uint8_t *p, size_t n, int flush)
{
	uint8_t out[SECTOR];
	fw->z->next_in = (Bytef *)(uintptr_t)p;
	fw->z->avail_in = (uInt)n;
	do {
		int zr;
		fw->z->next_out = out;
		fw->z->avail_out = sizeof(out);
		zr = inflate(fw->z, flush);
		fw_program(m, fw, out, sizeof(out) - fw->z->avail_out);
		if (zr != Z_OK)
			break;
	} while (fw->z->avail_out == 0);
}

static void fw_block(struct ln_model *m, struct fw_sink *fw, const uint8_t *p, size_t n)
{
	if (fw->z)
		fw_inflate(m, fw, p, n, Z_NO_FLUSH);
	else
		fw_program(m, fw, p, n);
}

/* One XMODEM block after its marker: ACK when good and in sequence, else NAK. */
static int fw_one(struct ln_model *m, struct fw_sink *fw, uint8_t marker, uint8_t *expected)
{
	size_t n = ln_block_size(marker, LN_XMODEM_STX_SIZE);
	uint8_t seq;
	int r, got;

	m->frame[0] = marker;
	if (is_event(r = rx_full(m, m->frame + 1, n + 4, DATA_GAP_MS)))
		return r;
	got = r == 0 ? ln_block_check(m->frame, n + LN_BLOCK_OVERHEAD, LN_XMODEM_STX_SIZE, &seq) : -1;
	if (got < 0 || seq != *expected) {
		tx_byte(m, LN_NAK);
		return 0;
	}
	fw_block(m, fw, m->frame + 3, (size_t)got);
	(*expected)++;
	tx_byte(m, LN_ACK);
	return 0;
}

static int fw_receive(struct ln_model *m, struct fw_sink *fw)
{
	uint8_t expected = 1;
	unsigned timeouts = 0;

	rx_flush(m);
	flash_erase(m, fw->off, fw->size);
	tx_byte(m, LN_C);
	for (;;) {
		int b = rx_byte(m, FW_HEADER_WAIT_MS), r;
		if (b == TIMEOUT) {
			if (++timeouts >= FW_MAX_TIMEOUTS) {
				give_up(m);
				return 0;
			}
			tx_byte(m, LN_C);
			continue;
		}
		if (b < 0)
			return b;
		if (b == LN_EOT) {
			if (fw->z)
				fw_inflate(m, fw, NULL, 0, Z_FINISH);
			tx_byte(m, LN_ACK);
			return 0;
		}
		if (b == LN_CAN) {
			int b2 = rx_byte(m, XM_ACK_WAIT_MS);
			if (b2 == LN_CAN || is_event(b2))
				return b2 == LN_CAN ? 0 : b2;
			continue;
		}
		if ((b == LN_SOH || b == LN_STX) && (r = fw_one(m, fw, (uint8_t)b, &expected)) < 0)
			return r;
	}
}

/* ---- RAM code commands ---- */

struct ln_cmd {
	const char *name;
	int argc;                   /* including the command word */
	int (*run)(struct ln_model *m, int argc, char **argv);  /* NULL: not modelled, silent */
	bool loose_argc;
};

static uint32_t num0(const char *s)
{
	return (uint32_t)strtoul(s, NULL, 0);
}

static uint32_t num16(const char *s)
{
	return (uint32_t)strtoul(s, NULL, 16);
}

static void status(struct ln_model *m, bool ok)
{
	tx_str(m, ok ? LN_STATUS_OK : LN_STATUS_FAIL);
}

static int c_version(struct ln_model *m, int argc, char **argv)
{
	(void)argc; (void)argv;
	tx_str(m, LN_RAMCODE_REPLY);
	return 0;
}

static int c_flash_info(struct ln_model *m, int argc, char **argv)
{
	char buf[64];
	(void)argc; (void)argv;
	snprintf(buf, sizeof(buf), "\r\nid:0x%X,flash size:%dM Byte\r\n", (unsigned)m->flash_id,
	         (m->flash_id & 0xFF) == 0x15 ? 2 : 0);  /* the RAM code's own quirk */
	tx_str(m, buf);
	return 0;
}

static int c_flash_id(struct ln_model *m, int argc, char **argv)
{
	uint8_t b[4];
	(void)argc; (void)argv;
	ln_put_le32(b, m->flash_id);
	tx(m, b, 4);
	return 0;
}

static int c_flash_uid(struct ln_model *m, int argc, char **argv)
{
	char buf[64];
	(void)argc; (void)argv;
	tx_str(m, "\r\nflash uid:0x");
	for (int i = 0; i < 16; i++)
		snprintf(buf + 2 * i, sizeof(buf) - 2 * (size_t)i, "%02X", m->uid[i]);
	tx_str(m, buf);
	tx_str(m, "\r\n");
	return 0;
}

static int c_startaddr(struct ln_model *m, int argc, char **argv)
{
	(void)argc;
	m->start_addr = m->write_off = num16(argv[1]);
	status(m, true);
	return 0;
}

/* `upgrade` sink: erase at startaddr on block 0, program at the write offset. */
static bool up_begin(struct ln_model *m, void *ctx, uint32_t size)
{
	uint32_t *left = ctx;
	if ((uint64_t)m->start_addr + size > FLASH_WINDOW)
		return false;
	flash_erase(m, m->start_addr, (size + SECTOR - 1) / SECTOR * SECTOR);
	m->write_off = m->start_addr;
	*left = size;
	return true;
}

static bool up_data(struct ln_model *m, void *ctx, const uint8_t *p, size_t n)
{
	uint32_t *left = ctx;
	size_t take = *left < n ? *left : n;
	if ((uint64_t)m->write_off + take > FLASH_WINDOW)
		return false;
	flash_program(m, m->write_off, p, take);
	m->write_off += (uint32_t)take;
	*left -= (uint32_t)take;
	return true;
}

static int c_upgrade(struct ln_model *m, int argc, char **argv)
{
	uint32_t left = 0;
	struct ym_sink sk = { LN_RAM_STX_SIZE, RX_POLL_MS, m->build == BUILD_OFFICIAL, up_begin, up_data, &left };
	int r;
	(void)argc; (void)argv;
	r = ym_receive(m, &sk);
	if (r == YM_DONE)
		m->filecount = m->build == BUILD_OFFICIAL ? (m->filecount + 1) & 0xFF : m->filecount + 1;
	return r < 0 ? r : 0;
}

static int c_filecount(struct ln_model *m, int argc, char **argv)
{
	char buf[32];
	(void)argc; (void)argv;
	snprintf(buf, sizeof(buf), "\r\nfc:%u\r\n", m->filecount);
	tx_str(m, buf);
	return 0;
}

static int c_ferase(struct ln_model *m, int argc, char **argv)
{
	uint32_t off = num0(argv[1]), size = num0(argv[2]);
	(void)argc;
	if (off < FLASH_WINDOW && size > FLASH_WINDOW - off)
		size = FLASH_WINDOW - off;
	if (size == 0 || off >= FLASH_WINDOW || (uint64_t)off + size >= FLASH_WINDOW) {
		status(m, false);
		return 0;
	}
	flash_erase(m, off, size);
	status(m, true);
	return 0;
}

static int c_ferase_all(struct ln_model *m, int argc, char **argv)
{
	(void)argc; (void)argv;
	memset(m->flash, 0xFF, m->flash_size);
	busy(m, CHIP_ERASE_US);
	m->filecount = 0;
	status(m, true);
	return 0;
}

static int c_baudrate(struct ln_model *m, int argc, char **argv)
{
	uint32_t baud = (uint32_t)strtoul(argv[1], NULL, 10);
	(void)argc;
	if (baud) {
		set_baud(m, baud);
		rx_flush(m);
	}
	return 0;
}

static int c_reboot(struct ln_model *m, int argc, char **argv)
{
	(void)argc; (void)argv;
	status(m, true);
	rx_flush(m);
	set_baud(m, m->chip->link_baud);
	m->in_ram = false;
	return 0;
}

static int c_flash_crc32(struct ln_model *m, int argc, char **argv)
{
	uint32_t off = num0(argv[1]), size = num0(argv[2]);
	uint8_t b[4];
	(void)argc;
	if (size == 0)
		return 0;
	ln_put_le32(b, flash_crc(m, off, size));
	tx(m, b, 4);
	return 0;
}

/* fdump OFF SIZE [R]: the GUI build's XMODEM dump of flash or (R=1) ROM. */
static int c_fdump_xmodem(struct ln_model *m, int argc, char **argv)
{
	uint32_t off = num0(argv[1]), size = num0(argv[2]);
	bool rom = argc > 3 && num0(argv[3]) == 1;
	uint8_t *buf;
	int r;

	if (size == 0)
		return 0;
	if (!(buf = calloc(1, size)))  /* the mask ROM's content is not modelled: zeros */
		return 0;
	if (!rom)
		flash_copy(m, off, buf, size);
	r = xm_send(m, &fdump_cfg, buf, size);
	free(buf);
	return r;
}

static int c_fdumpz(struct ln_model *m, int argc, char **argv)
{
	uint32_t off = num0(argv[1]), size = num0(argv[2]);
	uLongf zlen;
	uint8_t *raw, *z = NULL;
	z_stream zs = {0};
	int r = 0;
	(void)argc;

	if (size == 0 || !(raw = malloc(size)))
		return 0;
	flash_copy(m, off, raw, size);
	zlen = compressBound(size) + 64;
	if (!(z = malloc(zlen)) || deflateInit2(&zs, 5, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		goto out;
	zs.next_in = raw;
	zs.avail_in = size;
	zs.next_out = z;
	zs.avail_out = (uInt)zlen;
	deflate(&zs, Z_FINISH);
	r = xm_send(m, &fdumpz_cfg, z, zs.total_out);
	deflateEnd(&zs);
out:
	free(z);
	free(raw);
	return r;
}

static int fwrite_common(struct ln_model *m, char **argv, bool compressed)
{
	struct fw_sink fw = { num0(argv[1]), num0(argv[2]), 0, NULL };
	z_stream zs = {0};
	int r;

	if (compressed) {
		if (inflateInit2(&zs, -15) != Z_OK)
			return 0;
		fw.z = &zs;
	}
	r = fw_receive(m, &fw);
	if (compressed)
		inflateEnd(&zs);
	return r;
}

static int c_fwrite(struct ln_model *m, int argc, char **argv)
{
	(void)argc;
	return fwrite_common(m, argv, false);
}

static int c_fwritez(struct ln_model *m, int argc, char **argv)
{
	(void)argc;
	return fwrite_common(m, argv, true);
}

static int c_otp_dump(struct ln_model *m, int argc, char **argv)
{
	uint8_t out[OTP_SIZE + 2];
	uint16_t crc = iotflash_crc16_xmodem(m->otp, OTP_SIZE);
	(void)argc; (void)argv;
	memcpy(out, m->otp, OTP_SIZE);
	out[OTP_SIZE] = (uint8_t)(crc >> 8);
	out[OTP_SIZE + 1] = (uint8_t)crc;
	tx(m, out, sizeof(out));
	return 0;
}

static int c_efuse_dump(struct ln_model *m, int argc, char **argv)
{
	uint8_t out[66];
	uint16_t crc;
	(void)argc; (void)argv;
	for (int i = 0; i < 16; i++)
		ln_put_le32(out + 4 * i, m->efuse[i]);
	crc = iotflash_crc16_xmodem(out, 64);
	out[64] = (uint8_t)crc;
	out[65] = (uint8_t)(crc >> 8);
	tx(m, out, sizeof(out));
	return 0;
}

/* Official build: `flash_read OFF LEN` (hex args), hex text + CRC-16, no line end. */
static void hex_dump_reply(struct ln_model *m, const uint8_t *data, size_t n)
{
	char text[2 + 3 * (LN_FLASH_READ_MAX + 2)];
	tx(m, text, ln_flash_read_format(text, data, n));
}

static int c_flash_read(struct ln_model *m, int argc, char **argv)
{
	uint32_t off = num16(argv[1]), len = num16(argv[2]);
	uint8_t data[LN_FLASH_READ_MAX];
	(void)argc;
	if (len > LN_FLASH_READ_MAX) {
		/* overruns the 2 KiB text buffer on the chip: no defined answer */
		iotflash_sim_log(m->sim, "ln882h: flash_read of %u bytes overflows the RAM code's buffer", (unsigned)len);
		return 0;
	}
	flash_copy(m, off, data, len);
	hex_dump_reply(m, data, len);
	return 0;
}

static int c_flash_otp_read(struct ln_model *m, int argc, char **argv)
{
	uint32_t off = num0(argv[1]), len = num0(argv[2]);
	(void)argc;
	if (off >= OTP_SIZE || len > LN_FLASH_READ_MAX) {
		status(m, false);
		return 0;
	}
	if (len > OTP_SIZE - off)
		len = OTP_SIZE - off;
	hex_dump_reply(m, m->otp + off, len);
	return 0;
}

/* Official build: text `fdump OFF SIZE` in 256-byte pieces (§3.4). */
static int c_fdump_text(struct ln_model *m, int argc, char **argv)
{
	uint32_t off = num0(argv[1]), size = num0(argv[2]);
	(void)argc;
	if (off < FLASH_WINDOW && size > FLASH_WINDOW - off)
		size = FLASH_WINDOW - off;
	if (size == 0 || off >= FLASH_WINDOW) {
		status(m, false);
		return 0;
	}
	for (uint32_t p = 0; p < size; p += 256) {
		uint32_t n = size - p < 256 ? size - p : 256;
		uint8_t piece[256];
		char row[16 + 3 * 16];
		flash_copy(m, off + p, piece, n);
		tx_str(m, "\r\n");
		for (uint32_t r = 0; r < n; r += 16) {
			int k = snprintf(row, sizeof(row), "0x%04X: ", (unsigned)r);
			for (uint32_t i = r; i < n && i < r + 16; i++)
				k += snprintf(row + k, sizeof(row) - (size_t)k, "%02X ", piece[i]);
			tx(m, row, (size_t)k);
			tx_str(m, "\r\n");
		}
	}
	status(m, true);
	return 0;
}

static int c_get_mac_in_flash_otp(struct ln_model *m, int argc, char **argv)
{
	char buf[48];
	const uint8_t *mac = m->otp;  /* [inferred] the MAC's OTP offset is not documented */
	(void)argc; (void)argv;
	snprintf(buf, sizeof(buf), "\r\n%02x:%02x:%02x:%02x:%02x:%02x\r\n", mac[0], mac[1], mac[2], mac[3], mac[4],
	         mac[5]);
	tx_str(m, buf);
	status(m, true);
	return 0;
}

/* Official RAM code table in lookup order (§3.4).  Entries without a
 * handler exist for lookup and argc but act on hardware the model lacks
 * (GPIO, RF, OTP writes, eFuse): they are silent here. */
static const struct ln_cmd official_cmds[] = {
	{ "ferase", 3, c_ferase, false }, { "ferase_all", 1, c_ferase_all, false },
	{ "fdump", 3, c_fdump_text, false }, { "upgrade", 1, c_upgrade, false },
	{ "startaddr", 2, c_startaddr, false }, { "baudrate", 2, c_baudrate, false },
	{ "filecount", 1, c_filecount, false }, { "reboot", 1, c_reboot, false },
	{ "version", 1, c_version, false }, { "rf_stop", 1, NULL, false },
	{ "flash_info", 1, c_flash_info, false }, { "flash_test", 1, NULL, false },
	{ "flash_uid", 1, c_flash_uid, false }, { "flash_read", 3, c_flash_read, false },
	{ "flash_read_sr", 1, NULL, false }, { "flash_write_sr", 2, NULL, false },
	{ "flash_otp_read", 3, c_flash_otp_read, false }, { "flash_otp_write", 3, NULL, false },
	{ "flash_otp_erase", 3, NULL, false }, { "flash_otp_lock", 1, NULL, false },
	{ "flash_otp_get_lock_state", 1, NULL, false }, { "efuse_read", 2, NULL, false },
	{ "efuse_write", 3, NULL, false }, { "gpio_read", 2, NULL, false },
	{ "gpio_write", 3, NULL, false }, { "gpio_read_all", 1, NULL, false },
	{ "gpio_write_all", 2, NULL, false }, { "set_s_local_mac", 2, NULL, false },
	{ "set_s_remote_mac", 2, NULL, false }, { "start_s_rx_test", 3, NULL, false },
	{ "start_s_tx_test", 4, NULL, false }, { "set_m_local_mac", 2, NULL, false },
	{ "get_m_local_mac", 1, NULL, false }, { "set_m_test_device_mac", 3, NULL, false },
	{ "start_m_rx_test", 4, NULL, false }, { "start_m_tx_test", 3, NULL, false },
	{ "set_xtal_cap", 2, NULL, false }, { "get_xtal_cap", 1, NULL, false },
	{ "set_txp_gn", 2, NULL, false }, { "get_txp_gn", 1, NULL, false },
	{ "set_txp_b", 2, NULL, false }, { "get_txp_b", 1, NULL, false },
	{ "set_mac_in_flash_otp", 2, NULL, false }, { "get_mac_in_flash_otp", 1, c_get_mac_in_flash_otp, false },
};

/* GUI RAM code (§3.2); LN8825's lacks startaddr/upgrade and may take
 * `fdump` with 3 or 4 tokens [unknown]. */
static const struct ln_cmd gui_cmds[] = {
	{ "version", 1, c_version, false }, { "flash_info", 1, c_flash_info, false },
	{ "flash_id", 1, c_flash_id, false }, { "flash_uid", 1, c_flash_uid, false },
	{ "startaddr", 2, c_startaddr, false }, { "upgrade", 1, c_upgrade, false },
	{ "filecount", 1, c_filecount, false }, { "ferase", 3, c_ferase, false },
	{ "ferase_all", 1, c_ferase_all, false }, { "baudrate", 2, c_baudrate, false },
	{ "reboot", 1, c_reboot, false }, { "fdump", 4, c_fdump_xmodem, true },
	{ "fdumpz", 3, c_fdumpz, false }, { "fwrite", 3, c_fwrite, false },
	{ "fwritez", 3, c_fwritez, false }, { "flash_crc32", 3, c_flash_crc32, false },
	{ "otp_dump", 1, c_otp_dump, false }, { "efuse_dump", 1, c_efuse_dump, false },
};

static bool cmd_present(const struct ln_model *m, const struct ln_cmd *c)
{
	if (m->build == BUILD_GUI && !m->has_upgrade)
		return c->run != c_startaddr && c->run != c_upgrade;
	return true;
}

static bool argc_ok(const struct ln_model *m, const struct ln_cmd *c, int argc)
{
	if (c->loose_argc && !m->has_upgrade)
		return argc == 3 || argc == 4;
	return argc == c->argc;
}

/* Exact match wins, else the last entry the word is a prefix of (§3.1). */
static const struct ln_cmd *cmd_lookup(const struct ln_model *m, const char *word)
{
	const struct ln_cmd *t = m->build == BUILD_GUI ? gui_cmds : official_cmds;
	size_t n = m->build == BUILD_GUI ? sizeof(gui_cmds) / sizeof(gui_cmds[0])
	                                 : sizeof(official_cmds) / sizeof(official_cmds[0]);
	const struct ln_cmd *prefix = NULL;
	size_t k = strlen(word);

	for (size_t i = 0; i < n; i++) {
		if (!cmd_present(m, &t[i]))
			continue;
		if (strcmp(t[i].name, word) == 0)
			return &t[i];
		if (strncmp(t[i].name, word, k) == 0)
			prefix = &t[i];
	}
	return prefix;
}

static int ram_execute(struct ln_model *m)
{
	char *argv[LN_MAX_ARGS];
	const struct ln_cmd *c;
	int argc;

	m->line[m->line_len] = '\0';
	m->line_len = 0;
	argc = ln_split_args(m->line, argv);
	if (argc == 0 || !(c = cmd_lookup(m, argv[0])) || !argc_ok(m, c, argc) || !c->run)
		return 0;  /* wrong argc, unknown: silence (the message is compiled out) */
	busy(m, COMMAND_US);
	return c->run(m, argc, argv);
}

/* Line discipline (§3.1). */
static int ram_byte(struct ln_model *m, uint8_t b)
{
	if (b == '\r' || b == '\n')
		return m->line_len ? ram_execute(m) : 0;
	if (b >= 0x20 && b <= 0x7E) {
		if (m->build == BUILD_OFFICIAL)
			tx_byte(m, b);
		m->line[m->line_len++] = (char)b;
		if (m->line_len >= LN_LINE_MAX)
			m->line_len = 0;
	} else if (b == 0x08) {
		if (m->line_len)
			m->line_len--;
	} else if (m->build == BUILD_GUI) {
		m->line_len = 0;
	}
	return 0;
}

static int ram_run(struct ln_model *m)
{
	while (m->in_ram) {
		int b = rx_byte(m, -1), r;
		if (b < 0)
			return b;
		if ((r = ram_byte(m, (uint8_t)b)) < 0)
			return r;
	}
	return 0;
}

/* ---- configuration and power-on ---- */

static bool parse_uid(const char *hex, uint8_t uid[16])
{
	if (!hex || strlen(hex) != 32)
		return false;
	for (int i = 0; i < 16; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return false;
		uid[i] = (uint8_t)v;
	}
	return true;
}

static uint32_t default_flash_id(uint32_t size)
{
	unsigned log2 = 0;
	while (log2 < 31 && (1u << (log2 + 1)) <= size)
		log2++;
	return DEFAULT_FLASH_ID | log2;
}

static int configure(struct ln_model *m)
{
	const struct iotflash_chip *chip = m->chip;
	const char *proto = chip->protocol ? chip->protocol : "";

	m->flash = iotflash_sim_flash(m->sim, &m->flash_size);
	m->stamp = iotflash_chip_param_str(chip, "rom_stamp");
	if (!m->flash || m->flash_size < BLOCK32 || !m->stamp || strlen(m->stamp) != LN_STAMP_LEN) {
		iotflash_sim_log(m->sim, "ln882h: %s needs a flash and a 20-character rom_stamp param", chip->name);
		return IOTFLASH_ERR_CHIPDB;
	}
	if (strcmp(proto, "upgrade") != 0 && strcmp(proto, "fwrite") != 0) {
		iotflash_sim_log(m->sim, "ln882h: %s: protocol '%s' is neither upgrade nor fwrite", chip->name, proto);
		return IOTFLASH_ERR_CHIPDB;
	}
	m->has_upgrade = strcmp(proto, "upgrade") == 0;
	m->ram_base = (uint32_t)iotflash_chip_param_int_or(chip, "ram_base", 0x20000000);
	m->flash_id = (uint32_t)iotflash_chip_param_int_or(chip, "model_flash_id", default_flash_id(m->flash_size));
	if (!parse_uid(iotflash_chip_param_str(chip, "model_flash_uid"), m->uid))
		for (int i = 0; i < 16; i++)
			m->uid[i] = (uint8_t)(0x10 + i);
	memset(m->otp, 0xFF, sizeof(m->otp));
	return IOTFLASH_OK;
}

static void power_on(struct ln_model *m)
{
	m->in_ram = false;
	m->line_len = 0;
	m->rx_pos = m->rx_len = 0;
	m->tx_len = 0;              /* a reset loses what was not sent */
	set_baud(m, m->chip->link_baud);
}

static int ln_serve(struct iotflash_sim *sim, const struct iotflash_chip *chip)
{
	struct ln_model *m = calloc(1, sizeof(*m));
	int r;

	if (!m)
		return IOTFLASH_ERR_NOMEM;
	m->sim = sim;
	m->chip = chip;
	if ((r = configure(m)) != IOTFLASH_OK)
		goto out;
	power_on(m);
	for (;;) {
		r = m->in_ram ? ram_run(m) : rom_run(m);
		if (r == IOTFLASH_SIM_STOP)
			break;
		if (r == IOTFLASH_SIM_RESET) {
			iotflash_sim_log(sim, "ln882h: reset: back in the ROM");
			power_on(m);
		}
	}
	r = 0;
out:
	free(m);
	return r;
}

const struct iotflash_model_ops ln882h_model = {
	.family = "ln88xx",
	.description = "Lightning LN882H/LN8825 boot ROM with official or GUI RAM code",
	.serve = ln_serve,
};
