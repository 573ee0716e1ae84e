/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device model of the WinnerMicro W600/W800 ROM in download mode (BootMode
 * strap held at power-on), and of the W800 read stub once it has been
 * downloaded (docs/protocols/w80x.md, cited as §N).
 *
 * Idle, the ROM sends `C` every model_c_interval_ms; a 0x21 frame is a
 * command (§2, §3), an STX/SOH block starts an XMODEM-1K image stream (§4,
 * §5).  Image bodies land at img_addr - 0x08000000 in the flash (a
 * read-modify-write per sector, §7); a RAM image is the read stub, which
 * answers 0x4A from then on.
 *
 * Chip database params (chipdb/w80x.yaml):
 *   model_rom_version    W800: digit answered to 0x3E ("R:8"); W600 stays silent
 *   model_flash_mid      JEDEC manufacturer in the 0x3C reply (default 0xEF)
 *   model_c_interval_ms  idle `C` pacing (default 120)
 *   model_erase_image    W600: [start, size] erased by 0x32 without params
 *   model_erase_secboot  W600: [start, size] erased by 0x3F */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model.h"
#include "protocol.h"

/* Chip-side work times [inferred typical NOR figures, §7]. */
#define PROGRAM_SECTOR_US 45000u  /* read-modify-write of one 4 KiB sector */
#define PROGRAM_PAGE_US     700u  /* one 256-byte page as the body streams in */
#define ERASE_SECTOR_US   45000u
#define ERASE_BLOCK_US   400000u
#define PAGE 256u

#define FRAME_GAP_MS    100   /* a frame cut short is dropped after this silence */
#define BLOCK_GAP_MS   1000   /* an XMODEM block cut short is NAKed after this */
#define STREAM_IDLE_MS 10000  /* the host gave up on the transfer */
#define QUIET_MS         50
#define DEFAULT_C_MS    120
#define CMD_GET_BT_MAC 0x34  /* w80xprog -i asks it first (§3) */

enum variant { W800, W600 };
enum phase { PH_HEADER, PH_BODY, PH_PAD };

struct stream {
	enum phase phase;
	unsigned images;          /* complete images so far */
	uint8_t head[W800_HEADER_LEN];
	size_t head_len;
	uint32_t dest;            /* where the body goes (image address) */
	uint32_t body_len;        /* bytes that follow the header */
	uint32_t crc_len;         /* bytes the body CRC covers */
	uint32_t body_crc;
	uint32_t header_dest;     /* flash offset for the header, or UINT32_MAX */
	uint8_t *body;
	uint32_t got;
	bool stub;                /* a RAM image arrived: run it after EOT */
};

struct w80x_model {
	struct iotflash_sim *sim;
	const struct iotflash_chip *chip;
	enum variant variant;
	uint8_t *flash;
	uint32_t flash_size;
	int c_interval_ms;
	int rom_version;          /* < 0: no answer to 0x3E */
	uint8_t flash_mid;
	uint32_t erase_image[2], erase_secboot[2];
	bool stub;                /* the read stub runs */
	struct stream st;
};

static void put_byte(struct w80x_model *m, uint8_t b) { iotflash_sim_write(m->sim, &b, 1); }

/* ---- flash ---- */

static void flash_erase(struct w80x_model *m, uint32_t off, uint32_t len, uint32_t unit)
{
	memset(m->flash + off, 0xFF, len);
	iotflash_sim_busy(m->sim, (uint64_t)(len / unit) * (unit == W80X_BLOCK ? ERASE_BLOCK_US : ERASE_SECTOR_US));
}

/* The ROM erases what it programs [inferred, §7]: a write replaces bytes. */
static void flash_program(struct w80x_model *m, uint32_t off, const uint8_t *src, uint32_t len)
{
	uint32_t sectors = (off + len + W80X_SECTOR - 1) / W80X_SECTOR - off / W80X_SECTOR;
	memcpy(m->flash + off, src, len);
	iotflash_sim_busy(m->sim, (uint64_t)sectors * PROGRAM_SECTOR_US + (uint64_t)(len + PAGE - 1) / PAGE * PROGRAM_PAGE_US);
}

static bool in_flash(const struct w80x_model *m, uint32_t addr, uint32_t len)
{
	return addr >= W80X_FLASH_BASE && addr - W80X_FLASH_BASE <= m->flash_size &&
	       len <= m->flash_size - (addr - W80X_FLASH_BASE);
}

static unsigned log2u(uint32_t v)
{
	unsigned n = 0;
	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

/* ---- commands (§3) ---- */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void cmd_baud(struct w80x_model *m, const struct w80x_frame *f)
{
	uint32_t baud = f->n == 4 ? le32(f->params) : 0;
	if (baud < 9600 || baud > m->chip->max_baud) {
		put_byte(m, 'S');
		return;
	}
	put_byte(m, W80X_ACK);  /* at the old rate, before the switch */
	iotflash_sim_set_baud(m->sim, baud);
	iotflash_sim_log(m->sim, "w80x: baud %u", (unsigned)baud);
}

static void cmd_erase(struct w80x_model *m, const struct w80x_frame *f)
{
	uint32_t unit, start, len;
	uint16_t first, count;

	if (m->variant == W600) {  /* no params: the image area (§6.1) */
		if (f->n != 0) {
			put_byte(m, 'S');
			return;
		}
		flash_erase(m, m->erase_image[0], m->erase_image[1], W80X_SECTOR);
		put_byte(m, W80X_SYNC);
		return;
	}
	if (f->n != 4) {
		put_byte(m, 'S');
		return;
	}
	first = (uint16_t)(f->params[0] | f->params[1] << 8);
	count = (uint16_t)(f->params[2] | f->params[3] << 8);
	unit = first & W80X_ERASE_BLOCKS ? W80X_BLOCK : W80X_SECTOR;
	start = (uint32_t)(first & ~W80X_ERASE_BLOCKS) * unit;
	len = (uint32_t)count * unit;
	if (start > m->flash_size || len > m->flash_size - start) {
		put_byte(m, 'S');
		return;
	}
	flash_erase(m, start, len, unit);
	put_byte(m, W80X_SYNC);  /* `C` resumes when done */
}

static void cmd_text(struct w80x_model *m, uint32_t cmd)
{
	char text[32];
	int n = 0;

	if (cmd == W80X_CMD_GET_MAC)  /* ROM download mode: "Mac:" (§3) */
		n = snprintf(text, sizeof text, "Mac:286DCD%02X%02X%02X\n", m->flash_mid, 0x80, 0x0A);
	else if (cmd == CMD_GET_BT_MAC && m->variant == W800)  /* same shape, next address [inferred] */
		n = snprintf(text, sizeof text, "Mac:286DCD%02X%02X%02X\n", m->flash_mid, 0x80, 0x0B);
	else if (cmd == W80X_CMD_FLASH_ID)
		n = snprintf(text, sizeof text, "FID:%02X,%02X\n", m->flash_mid, log2u(m->flash_size));
	else if (cmd == W80X_CMD_ROM_VERSION && m->rom_version >= 0)
		n = snprintf(text, sizeof text, "R:%d", m->rom_version);
	if (n > 0)
		iotflash_sim_write(m->sim, text, (size_t)n);
}

static void cmd_stub_read(struct w80x_model *m, const struct w80x_frame *f)
{
	uint8_t *reply;
	uint32_t addr, len, sum;

	if (f->n != 8 || !in_flash(m, le32(f->params), le32(f->params + 4)) || le32(f->params + 4) == 0) {
		put_byte(m, 'S');
		return;
	}
	addr = le32(f->params) - W80X_FLASH_BASE;
	len = le32(f->params + 4);
	if (!(reply = malloc((size_t)len + 4)))
		return;
	sum = w80x_crc32(m->flash + addr, len);
	memcpy(reply, m->flash + addr, len);
	for (int i = 0; i < 4; i++)
		reply[len + (uint32_t)i] = (uint8_t)(sum >> (8 * i));
	iotflash_sim_write(m->sim, reply, (size_t)len + 4);  /* data and CRC: one transmission */
	free(reply);
}

/* Returns IOTFLASH_SIM_RESET for a W800 reboot, else 0. */
static int dispatch(struct w80x_model *m, const struct w80x_frame *f)
{
	switch (f->cmd) {
	case W80X_CMD_BAUD:
		cmd_baud(m, f);
		break;
	case W80X_CMD_ERASE:
		cmd_erase(m, f);
		break;
	case W80X_CMD_GET_MAC:
	case CMD_GET_BT_MAC:
	case W80X_CMD_FLASH_ID:
	case W80X_CMD_ROM_VERSION:
		cmd_text(m, f->cmd);
		break;
	case W80X_CMD_REBOOT:
		if (m->variant == W800)
			return IOTFLASH_SIM_RESET;  /* the strap brings it back to download mode */
		flash_erase(m, m->erase_secboot[0], m->erase_secboot[1], W80X_SECTOR);
		put_byte(m, W80X_SYNC);
		break;
	case W80X_CMD_STUB_READ:
		if (m->stub)
			cmd_stub_read(m, f);
		break;  /* the ROM has no 0x4A: silence */
	default:
		break;  /* the rest (MAC/gain setters, 0x3B) is not modelled: silence */
	}
	return 0;
}

/* After 0x21: read the rest of the frame; drop it when cut short. */
static int on_frame(struct w80x_model *m)
{
	uint8_t buf[W80X_FRAME_MAX];
	struct w80x_frame f;
	enum w80x_decode d;
	size_t have = 1;
	int r;

	buf[0] = W80X_FRAME_HEAD;
	for (;;) {
		d = w80x_decode_frame(buf, have, &f);
		if (d != W80X_DEC_MORE)
			break;
		r = iotflash_sim_read_full(m->sim, buf + have, (have < 3 ? 3 : f.frame_len) - have, FRAME_GAP_MS);
		if (r < 0)
			return r;
		if ((size_t)r < (have < 3 ? 3 : f.frame_len) - have)
			return 0;  /* cut short: the ROM's frame timer drops it */
		have += (size_t)r;
	}
	if (d == W80X_DEC_BAD_CRC)
		put_byte(m, 'R');
	if (d != W80X_DEC_OK)
		return 0;
	iotflash_sim_log(m->sim, "w80x: command 0x%02x, %zu parameter bytes", (unsigned)f.cmd, f.n);
	return dispatch(m, &f);
}

/* ---- image stream (§4, §5) ---- */

static void stream_reset(struct stream *st)
{
	free(st->body);
	memset(st, 0, sizeof(*st));
}

static size_t header_len(const struct w80x_model *m)
{
	return m->variant == W600 ? W600_HEADER_LEN : W800_HEADER_LEN;
}

/* A complete header: where does the body go?  0 or a status letter. */
static int plan_w800(struct w80x_model *m, struct stream *st)
{
	struct w800_header h;
	if (w800_header_decode(st->head, &h) != 0)
		return 'L';
	st->dest = h.addr;
	st->crc_len = h.len;
	st->body_len = h.len + (h.attr & W80X_ATTR_SIGNED ? W80X_SIGNATURE_LEN : 0);
	st->body_crc = h.body_crc;
	st->header_dest = in_flash(m, h.header_addr, W800_HEADER_LEN) ? h.header_addr - W80X_FLASH_BASE : UINT32_MAX;
	return 0;
}

/* W600: a plain image's header goes 0x100 below its run address
 * [inferred, §6.1]; GUI pseudo headers (type 0x200) write only data. */
static int plan_w600(struct w80x_model *m, struct stream *st)
{
	struct w600_header h;
	if (w600_header_decode(st->head, &h) != 0)
		return 'L';
	st->dest = h.zip ? h.upd_addr : h.run_addr;
	st->crc_len = h.upd_len;
	st->body_len = (h.upd_len + 3u) & ~3u;
	st->body_crc = h.upd_crc;
	st->header_dest = h.type <= 2 && in_flash(m, h.run_addr - 0x100, W600_HEADER_LEN)
	                  ? h.run_addr - 0x100 - W80X_FLASH_BASE : UINT32_MAX;
	return 0;
}

static int header_done(struct w80x_model *m, struct stream *st)
{
	int letter = m->variant == W600 ? plan_w600(m, st) : plan_w800(m, st);
	bool ram = m->variant == W800 && w80x_is_ram(st->dest);

	if (letter)
		return letter;
	if (st->body_len > m->flash_size)
		return 'I';
	if (!ram && !in_flash(m, st->dest, st->body_len))
		return 'J';
	if (st->body_len && !(st->body = malloc(st->body_len)))
		return 'I';
	st->got = 0;
	st->phase = PH_BODY;
	return 0;
}

static int body_done(struct w80x_model *m, struct stream *st)
{
	if (w80x_crc32(st->body, st->crc_len) != st->body_crc)
		return 'M';
	if (w80x_is_ram(st->dest)) {
		st->stub = true;
		iotflash_sim_log(m->sim, "w80x: RAM image of %u bytes at 0x%08x", (unsigned)st->body_len, (unsigned)st->dest);
	} else {
		flash_program(m, st->dest - W80X_FLASH_BASE, st->body, st->body_len);
		if (st->header_dest != UINT32_MAX)
			flash_program(m, st->header_dest, st->head, (uint32_t)header_len(m));
		iotflash_sim_log(m->sim, "w80x: %u bytes programmed at 0x%06x", (unsigned)st->body_len,
		                 (unsigned)(st->dest - W80X_FLASH_BASE));
	}
	free(st->body);
	st->body = NULL;
	st->images++;
	st->head_len = 0;
	st->phase = PH_HEADER;
	return 0;
}

/* Feed a block's data; returns 0 or the status letter that ends the stream. */
static int stream_feed(struct w80x_model *m, const uint8_t *p, size_t n)
{
	struct stream *st = &m->st;
	size_t hl = header_len(m);

	for (size_t i = 0; i < n;) {
		int letter = 0;
		if (st->phase == PH_PAD)
			return 0;
		if (st->phase == PH_HEADER) {
			if (st->head_len == 0 && p[i] != (W80X_IMAGE_MAGIC & 0xFF)) {
				if (st->images == 0)
					return 'L';
				st->phase = PH_PAD;  /* padding after the last image */
				return 0;
			}
			st->head[st->head_len++] = p[i++];
			if (st->head_len == hl)
				letter = header_done(m, st);
		} else {
			size_t take = st->body_len - st->got < n - i ? st->body_len - st->got : n - i;
			memcpy(st->body + st->got, p + i, take);
			st->got += (uint32_t)take;
			i += take;
		}
		if (!letter && st->phase == PH_BODY && st->got == st->body_len)
			letter = body_done(m, st);
		if (letter)
			return letter;
	}
	return 0;
}

/* Discard a garbled block: wait for the line to go quiet, then NAK. */
static int nak_garbage(struct w80x_model *m)
{
	uint8_t junk[256];
	int r;
	while ((r = iotflash_sim_read(m->sim, junk, sizeof junk, QUIET_MS)) > 0)
		;
	if (r < 0)
		return r;
	put_byte(m, W80X_NAK);
	return 0;
}

static int stream_end(struct w80x_model *m)
{
	bool complete = m->st.images > 0 && m->st.head_len == 0 && m->st.phase != PH_BODY;

	if (!complete) {
		put_byte(m, 'P');  /* image incomplete */
	} else {
		put_byte(m, W80X_ACK);
		if (m->st.stub) {
			m->stub = true;  /* the ROM jumps to the RAM image (§4) */
			iotflash_sim_log(m->sim, "w80x: read stub running");
		}
	}
	stream_reset(&m->st);
	return 0;
}

/* One block that starts with b; returns 1 to go on, 0 when the stream
 * ended, or STOP/RESET. */
static int stream_block(struct w80x_model *m, uint8_t b, uint8_t *expect)
{
	uint8_t blk[W80X_XMODEM_BLOCK];
	size_t size = b == W80X_STX ? W80X_XMODEM_BLOCK : 3 + 128 + 2;
	int r, letter;

	blk[0] = b;
	r = iotflash_sim_read_full(m->sim, blk + 1, size - 1, BLOCK_GAP_MS);
	if (r < 0)
		return r;
	if ((size_t)r < size - 1 || !w80x_xmodem_valid(blk, size)) {
		put_byte(m, W80X_NAK);
		return 1;
	}
	if (blk[1] == (uint8_t)(*expect - 1)) {  /* a repeat of the block just ACKed */
		put_byte(m, W80X_ACK);
		return 1;
	}
	if (blk[1] != *expect) {
		put_byte(m, 'G');
		stream_reset(&m->st);
		return 0;
	}
	if ((letter = stream_feed(m, blk + 3, size - 5)) != 0) {
		put_byte(m, (uint8_t)letter);
		iotflash_sim_log(m->sim, "w80x: image rejected with '%c'", letter);
		stream_reset(&m->st);
		return 0;
	}
	(*expect)++;
	put_byte(m, W80X_ACK);
	return 1;
}

static int receive_stream(struct w80x_model *m, uint8_t first)
{
	uint8_t expect = 1, b = first;

	stream_reset(&m->st);
	for (;;) {
		int r;
		if (b == W80X_EOT)
			return stream_end(m);
		if (b == W80X_STX || b == W80X_SOH)
			r = stream_block(m, b, &expect);
		else
			r = nak_garbage(m) == 0 ? 1 : IOTFLASH_SIM_STOP;
		if (r <= 0) {
			if (r < 0)
				stream_reset(&m->st);
			return r;
		}
		r = iotflash_sim_read(m->sim, &b, 1, STREAM_IDLE_MS);
		if (r <= 0) {
			stream_reset(&m->st);
			return r;  /* 0: the host gave up, back to idle */
		}
	}
}

/* ---- life cycle ---- */

/* `C` keeps its pace while ESC or noise arrives (wm_tool sends ESC until
 * it has seen three, §7); a frame or a transfer restarts the pause. */
static int download_mode(struct w80x_model *m)
{
	uint64_t next_c = iotflash_sim_now_ms() + (uint64_t)m->c_interval_ms;

	for (;;) {
		uint64_t now = iotflash_sim_now_ms();
		uint8_t b;
		int r;
		if (now >= next_c) {
			put_byte(m, W80X_SYNC);
			next_c = iotflash_sim_now_ms() + (uint64_t)m->c_interval_ms;
			continue;
		}
		r = iotflash_sim_read(m->sim, &b, 1, (int)(next_c - now));
		if (r <= 0) {
			if (r < 0)
				return r;
			continue;
		}
		if (b == W80X_FRAME_HEAD)
			r = on_frame(m);
		else if (b == W80X_STX || b == W80X_SOH)
			r = receive_stream(m, b);
		else if (b == W80X_EOT)
			put_byte(m, W80X_ACK);  /* a repeated EOT after the stream ended */
		else
			continue;
		if (r < 0)
			return r;
		next_c = iotflash_sim_now_ms() + (uint64_t)m->c_interval_ms;
	}
}

static int power_on(struct w80x_model *m)
{
	iotflash_sim_set_baud(m->sim, m->chip->link_baud ? m->chip->link_baud : 115200);
	iotflash_sim_discard_input(m->sim);
	m->stub = false;
	stream_reset(&m->st);
	return download_mode(m);
}

static void param_range(const struct iotflash_chip *chip, const char *key, uint32_t out[2], uint32_t start,
                        uint32_t size)
{
	const struct iotflash_param *p = iotflash_chip_param(chip, key);
	out[0] = start;
	out[1] = size;
	if (p && p->type == IOTFLASH_PARAM_INT_LIST && p->n == 2) {
		out[0] = (uint32_t)p->ints[0];
		out[1] = (uint32_t)p->ints[1];
	}
}

static int configure(struct w80x_model *m)
{
	const struct iotflash_chip *c = m->chip;

	m->variant = c->protocol && strcasecmp(c->protocol, "w600") == 0 ? W600 : W800;
	m->flash = iotflash_sim_flash(m->sim, &m->flash_size);
	if (!m->flash || m->flash_size < 0x20000) {
		iotflash_sim_log(m->sim, "w80x: flash missing or smaller than 128 KiB");
		return -1;
	}
	m->c_interval_ms = (int)iotflash_chip_param_int_or(c, "model_c_interval_ms", DEFAULT_C_MS);
	m->rom_version = m->variant == W800 ? (int)iotflash_chip_param_int_or(c, "model_rom_version", 8) : -1;
	m->flash_mid = (uint8_t)iotflash_chip_param_int_or(c, "model_flash_mid", 0xEF);
	param_range(c, "model_erase_image", m->erase_image, 0x10000, 0xE0000);
	param_range(c, "model_erase_secboot", m->erase_secboot, 0x2000, 0xE000);
	if (m->erase_image[0] + m->erase_image[1] > m->flash_size ||
	    m->erase_secboot[0] + m->erase_secboot[1] > m->flash_size) {
		iotflash_sim_log(m->sim, "w80x: %s: erase ranges reach past the flash", c->name);
		return -1;
	}
	return 0;
}

static int w80x_serve(struct iotflash_sim *sim, const struct iotflash_chip *chip)
{
	struct w80x_model m;
	int r;

	memset(&m, 0, sizeof m);
	m.sim = sim;
	m.chip = chip;
	if (configure(&m) != 0)
		return 1;
	do
		r = power_on(&m);
	while (r == IOTFLASH_SIM_RESET);
	stream_reset(&m.st);
	return 0;
}

const struct iotflash_model_ops w80x_model = {
	.family = "w80x",
	.description = "WinnerMicro W600/W800 ROM download mode and W800 read stub",
	.serve = w80x_serve,
};
