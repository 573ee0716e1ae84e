/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* A5 RAM stub, device side: the custom stub's parser and handlers as its
 * source behaves (docs/protocols/eswin.md §2.2-§2.7), quirks included:
 * stale DATA_LEN in error replies and a stale sum in the SYN reply, stale
 * parameters after short frames, erase skipped for unaligned addresses,
 * AND-only programming, repeated XMODEM blocks programmed again, the
 * divisor rounding of 0x07 and its 50 ms delay.  The GUI's other stubs
 * (docs/protocols/a5-stub-families.md §2) differ by the tables and switches
 * of struct a5_model_cfg: command set, capacity table, erase rule, time
 * units, the 128-byte send fallback and the key-value store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include <iotflash/model.h>

#include "a5stub.h"
#include "a5stub-model.h"

#define PARAMS 16              /* what the handlers read of the parameters */
#define XM_HEADER_MS 333       /* receiving: wait for a block, then `C` again */
#define XM_BYTE_MS 2000        /* receiving: per data byte */
#define XM_SEND_C_MS 3000      /* sending: per wait for `C` (forever) */
#define XM_SEND_ACK_MS 300     /* sending: per answer to a block */

struct stub {
	struct iotflash_sim *sim;
	const struct a5_model_cfg *cfg;
	uint8_t *flash;
	uint32_t flash_size;       /* the flash the model holds */
	uint32_t check_size;       /* what the range check uses (§2.3); 0 = every range fails */
	uint8_t param[PARAMS];     /* persistent: short frames leave stale bytes */
	uint16_t frame_len;        /* DATA_LEN of the frame being served */
	uint16_t tmpl_len;         /* the reply template's DATA_LEN, as left by the last reply */
	uint8_t tmpl_sum;          /* the last sum the stub computed */
	uint8_t blk[A5_XM_BLOCK];
	uint8_t rem[4];            /* 0x97's aligning buffer: a static never flushed (§2.5 step 10) */
	unsigned rem_n;
	uint8_t out[A5_REPLY_OVERHEAD + A5_KV_VALUE_MAX];  /* the reply being built */
};

/* The key-value store of a stub with `kv` (a5stub-model.h). */
#define KV_SLOTS 8
static struct kv_slot {
	char key[A5_KV_KEY_MAX + 1];
	uint8_t *val;
	size_t len;
} kv_store[KV_SLOTS];
static uint8_t kv_buf[A5_KV_VALUE_MAX];  /* 0x94's receive buffer: the command buffer, stale between uses */

const uint8_t *a5_model_kv_get(const char *key, size_t *len)
{
	for (size_t i = 0; i < KV_SLOTS; i++)
		if (kv_store[i].val && strcmp(kv_store[i].key, key) == 0) {
			*len = kv_store[i].len;
			return kv_store[i].val;
		}
	return NULL;
}

static bool kv_set(const char *key, const uint8_t *val, size_t len)
{
	struct kv_slot *free_slot = NULL;
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return false;
	memcpy(copy, val, len);
	for (size_t i = 0; i < KV_SLOTS; i++) {
		if (kv_store[i].val && strcmp(kv_store[i].key, key) == 0) {
			free(kv_store[i].val);
			kv_store[i].val = copy;
			kv_store[i].len = len;
			return true;
		}
		if (!kv_store[i].val && !free_slot)
			free_slot = &kv_store[i];
	}
	if (!free_slot) {
		free(copy);
		return false;
	}
	snprintf(free_slot->key, sizeof free_slot->key, "%s", key);
	free_slot->val = copy;
	free_slot->len = len;
	return true;
}

#define XM_Z_TRIES 10
#define XM_Z_POLL_MS 100       /* 0x96: up to 10 reads of 0.1 s for the receiver's start */
#define XM_Z_ACK_MS 500

/* The capacity table of the RDA5981/OPL1000A2 stubs (a5-stub-families.md §2.5). */
uint32_t a5_model_table_size(uint8_t c)
{
	if (c >= 0x33 && c <= 0x3A)
		c = (uint8_t)(c - 0x20);
	if (c >= 0x13 && c <= 0x1C)
		return 512u * 1024 << (c - 0x13);
	return 1u << 20;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t a5_model_real_baud(uint32_t clk, uint32_t baud)
{
	static const struct { uint32_t baud, os, div; } fixed[] = {  /* 80 MHz table (§2.7) */
		{ 1500000, 18, 3 }, { 921600, 8, 11 }, { 806400, 10, 10 }, { 691200, 8, 15 }, { 115200, 8, 87 },
	};
	uint32_t div;
	if (clk == 0)  /* a family whose rounding is not known: the rate asked for */
		return baud;
	if (clk == 80000000)
		for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
			if (fixed[i].baud == baud)
				return clk / (fixed[i].os * fixed[i].div);
	if (baud == 0 || (div = clk / 8 / baud) == 0)
		return 0;
	return clk / 8 / div;
}

static void reply(struct stub *s, uint8_t type, const uint8_t *data, uint16_t n, uint8_t status)
{
	size_t len = a5_encode_reply(s->out, type, n, data, n, status);
	s->tmpl_len = n;
	s->tmpl_sum = s->out[len - 1];
	iotflash_sim_write(s->sim, s->out, len);
}

/* A wait of `units` of the stub's uart_getc, in ms (at least 1). */
static int units_ms(const struct stub *s, uint32_t units, int ecr_ms)
{
	uint64_t ms;
	if (!s->cfg->unit_us)
		return ecr_ms;
	ms = (uint64_t)units * s->cfg->unit_us / 1000;
	return ms ? (int)ms : 1;
}

static bool served(const struct stub *s, uint8_t type)
{
	if (!s->cfg->types)
		return type <= s->cfg->max_type;
	for (size_t i = 0; i < s->cfg->n_types; i++)
		if (s->cfg->types[i] == type)
			return true;
	return false;
}

/* `5A FF Lo Hi 03 CHK` with whatever DATA_LEN the template holds (§2.2). */
static void reject(struct stub *s)
{
	uint8_t out[A5_REPLY_OVERHEAD];
	size_t len = a5_encode_reply(out, A5_TYPE_REJECT, s->tmpl_len, NULL, 0, A5_ST_TYPE);
	s->tmpl_sum = out[len - 1];
	iotflash_sim_write(s->sim, out, len);
}

static bool in_range(struct stub *s, uint32_t addr, uint32_t len)
{
	return (uint64_t)addr + len <= s->check_size;
}

/* The RTL stub (a5-stub-families.md §2.6): nothing unless 4-byte aligned;
 * from addr, a 64 KiB block where aligned and 64 KiB remain, else the
 * sector holding cur. */
static void erase_walk(struct stub *s, uint32_t addr, uint32_t len)
{
	uint64_t cur = addr, end = (uint64_t)addr + len;
	if (addr % 4 || len == 0)
		return;
	while (cur < end) {
		bool block = cur % 65536 == 0 && end - cur >= 65536;
		uint32_t start = block ? (uint32_t)cur : (uint32_t)cur & ~4095u, n = block ? 65536 : 4096;
		if ((uint64_t)start + n <= s->flash_size)
			memset(s->flash + start, 0xFF, n);
		iotflash_sim_busy(s->sim, (uint64_t)s->cfg->erase_4k_us * (block ? 8 : 1));  /* [inferred] block ≈ 8 sectors */
		cur += n;
	}
}

/* The OPL1000A2 stub (§2.6): nothing unless 4-byte aligned; the sector of
 * each addr + k*4K, so an unaligned start can miss the last sector. */
static void erase_walk_4k(struct stub *s, uint32_t addr, uint32_t len)
{
	if (addr % 4 || len == 0)
		return;
	for (uint64_t cur = addr; cur < (uint64_t)addr + len; cur += 4096) {
		uint32_t start = (uint32_t)cur & ~4095u;
		if ((uint64_t)start + 4096 <= s->flash_size)
			memset(s->flash + start, 0xFF, 4096);
		iotflash_sim_busy(s->sim, s->cfg->erase_4k_us);
	}
}

/* Sector erase per the stub's rule (eswin.md §2.3, a5-stub-families.md
 * §2.6); sectors past the flash the model holds are left alone. */
static void erase_sectors(struct stub *s, uint32_t addr, uint32_t len)
{
	uint32_t n = (len + 4095) / 4096;
	switch (s->cfg->erase_rule) {
	case A5_ERASE_WALK:
		erase_walk(s, addr, len);
		return;
	case A5_ERASE_WALK_4K:
		erase_walk_4k(s, addr, len);
		return;
	case A5_ERASE_ALIGNED:
		if (addr % 4096)
			return;
		break;
	case A5_ERASE_ROUND_DOWN:
		if (len == 0 || len >= 0x80000000u)
			return;
		addr &= ~4095u;
		break;
	case A5_ERASE_COVER:
		if (len == 0)
			return;
		n = (uint32_t)((((uint64_t)addr + len + 4095) & ~(uint64_t)4095) - (addr & ~4095u)) / 4096;
		addr &= ~4095u;
		break;
	}
	for (uint32_t i = 0; i < n && (uint64_t)addr + i * 4096 + 4096 <= s->flash_size; i++) {
		memset(s->flash + addr + i * 4096, 0xFF, 4096);
		iotflash_sim_busy(s->sim, s->cfg->erase_4k_us);
	}
}

/* NOR programming clears bits only; past the end of flash the address wraps
 * (ECR6600) or nothing is written (the others' range-checked drivers). */
static void program(struct stub *s, uint32_t addr, const uint8_t *data, size_t n)
{
	if (s->cfg->range_size && (uint64_t)addr + n > s->flash_size)
		return;
	for (size_t i = 0; i < n; i++)
		s->flash[(addr + i) % s->flash_size] &= data[i];
	iotflash_sim_busy(s->sim, (uint64_t)s->cfg->program_256_us * ((n + 255) / 256));
}

/* Read one byte; `timeout_ms` < 0 waits forever.  0 = timeout. */
static int getc_ms(struct stub *s, uint8_t *b, int timeout_ms)
{
	return iotflash_sim_read(s->sim, b, 1, timeout_ms);
}

static void put(struct stub *s, uint8_t b)
{
	iotflash_sim_write(s->sim, &b, 1);
}

/* 0x91: receive XMODEM-1K into flash (§2.4, §2.5 receiving). */
static int xm_receive(struct stub *s, uint32_t addr, uint8_t *ram, size_t ram_cap, size_t *ram_len)
{
	uint32_t off = 0;
	uint8_t b;
	int r;

	if (!ram)  /* 0x94 sends its first `C` only after a header time-out (§2.13) */
		put(s, A5_XM_C);
	for (;;) {
		if ((r = getc_ms(s, &b, units_ms(s, 1000, XM_HEADER_MS))) < 0)
			return r;
		if (r == 0) {
			put(s, A5_XM_C);
			continue;
		}
		if (b == A5_XM_EOT) {
			put(s, A5_XM_ACK);
			return 0;
		}
		if (b != A5_XM_STX) {
			put(s, A5_XM_NAK);
			continue;
		}
		s->blk[0] = b;
		if ((r = iotflash_sim_read_full(s->sim, s->blk + 1, 2, units_ms(s, 2000, 1000))) < 0)
			return r;
		if (r < 2 || (uint8_t)(s->blk[1] + s->blk[2]) != 0xFF) {
			put(s, A5_XM_NAK);
			continue;
		}
		if ((r = iotflash_sim_read_full(s->sim, s->blk + 3, A5_XM_DATA + 2, units_ms(s, 2000, XM_BYTE_MS))) < 0)
			return r;
		if (r < A5_XM_DATA + 2 || a5_xm_check_block(s->blk, &b) != 0) {
			put(s, A5_XM_NAK);
			continue;
		}
		/* The block number is not compared: a repeat lands at the next offset. */
		if (ram) {  /* 0x94: into the command buffer; more than it holds overruns it [src] */
			if (off + A5_XM_DATA <= ram_cap)
				memcpy(ram + off, s->blk + 3, A5_XM_DATA);
			off += A5_XM_DATA;
			*ram_len = off;
			put(s, A5_XM_ACK);
			continue;
		}
		program(s, addr + off, s->blk + 3, A5_XM_DATA);
		off += A5_XM_DATA;
		put(s, A5_XM_ACK);
	}
}

/* 0x92 / 0x98: send len bytes from src over XMODEM-1K (§2.5 sending). */
/* The GUI stubs' sender (a5-stub-families.md §2.8): up to 100 reads for
 * `C` (1 KiB, CRC) or `NAK` (128 bytes, sum); 10 sends per block, 128-byte
 * blocks after a 1 KiB block needed 7 sends; `CAN CAN` stops it. */
static int xm_send_gui(struct stub *s, const uint8_t *src, uint32_t len)
{
	static const uint8_t cancel[2] = { A5_XM_CAN, A5_XM_CAN };
	uint32_t off = 0, bs = A5_XM_DATA;
	uint8_t b = 0, num = 1;
	bool crc = true;
	int r, tries;

	for (tries = 0; tries < 100; tries++) {
		if ((r = getc_ms(s, &b, units_ms(s, 100, 10))) < 0)
			return r;
		if (r == 1 && (b == A5_XM_C || b == A5_XM_NAK || b == A5_XM_CAN))
			break;
	}
	if (tries == 100) {
		iotflash_sim_write(s->sim, cancel, sizeof cancel);
		return 0;
	}
	if (b == A5_XM_CAN)
		return 0;
	if (b == A5_XM_NAK) {
		crc = false;
		bs = 128;
	}
	while (off < len) {
		uint32_t n = len - off < bs ? len - off : bs;
		size_t blen;
		if (bs == A5_XM_DATA) {
			a5_xm_encode_block(s->blk, num, src + off, n);
			blen = A5_XM_BLOCK;
		} else {
			s->blk[0] = A5_XM_SOH;
			s->blk[1] = num;
			s->blk[2] = (uint8_t)(255 - num);
			memcpy(s->blk + 3, src + off, n);
			memset(s->blk + 3 + n, 0xFF, 128 - n);
			if (crc) {
				uint16_t c = iotflash_crc16_xmodem(s->blk + 3, 128);
				s->blk[131] = (uint8_t)(c >> 8);
				s->blk[132] = (uint8_t)c;
				blen = 133;
			} else {
				s->blk[131] = a5_sum8(s->blk + 3, 128);
				blen = 132;
			}
		}
		for (tries = 0; tries < 10; tries++) {
			iotflash_sim_write(s->sim, s->blk, blen);
			if ((r = getc_ms(s, &b, units_ms(s, 5000, XM_SEND_ACK_MS))) < 0)
				return r;
			if (r == 1 && b == A5_XM_ACK)
				break;
			if (r == 1 && b == A5_XM_CAN) {
				if ((r = getc_ms(s, &b, units_ms(s, 1000, 100))) < 0)
					return r;
				if (r == 1 && b == A5_XM_CAN)
					return 0;
			}
		}
		if (tries == 10) {
			iotflash_sim_write(s->sim, cancel, sizeof cancel);
			iotflash_sim_set_baud(s->sim, s->cfg->link_baud);  /* RTL: the UART back to 115200 [src, bin] */
			return 0;
		}
		if (bs == A5_XM_DATA && tries >= 6)
			bs = 128;
		off += n;
		num++;
	}
	for (tries = 0; tries < 10; tries++) {
		put(s, A5_XM_EOT);
		if ((r = getc_ms(s, &b, units_ms(s, 5000, XM_SEND_ACK_MS))) < 0)
			return r;
		if (r == 1 && b == A5_XM_ACK)
			return 0;
	}
	iotflash_sim_write(s->sim, cancel, sizeof cancel);
	return 0;
}

static int xm_send(struct stub *s, const uint8_t *src, uint32_t len)
{
	uint32_t off = 0;
	uint8_t b, num = 1;
	int r, tries;

	if (s->cfg->send_fallback)
		return xm_send_gui(s, src, len);
	do  /* wait for `C`, forever; other bytes are ignored */
		if ((r = getc_ms(s, &b, XM_SEND_C_MS)) < 0)
			return r;
	while (r == 0 || b != A5_XM_C);
	while (off < len) {
		uint32_t n = len - off < A5_XM_DATA ? len - off : A5_XM_DATA;
		a5_xm_encode_block(s->blk, num, src + off, n);
		for (tries = 0; tries < 10; tries++) {
			iotflash_sim_write(s->sim, s->blk, A5_XM_BLOCK);
			if ((r = getc_ms(s, &b, XM_SEND_ACK_MS)) < 0)
				return r;
			if (r == 1 && b == A5_XM_ACK)
				break;
		}
		if (tries == 10) {
			put(s, A5_XM_CAN);
			return 0;
		}
		off += n;
		num++;
	}
	for (tries = 0; tries < 10; tries++) {
		put(s, A5_XM_EOT);
		if ((r = getc_ms(s, &b, XM_SEND_ACK_MS)) < 0)
			return r;
		if (r == 1 && b == A5_XM_ACK)
			break;
	}
	return 0;
}

/* 0x97 output: words through the aligning buffer; false past addr+len. */
static bool z_out(struct stub *s, uint32_t addr, uint32_t len, uint32_t *done, const uint8_t *p, size_t n)
{
	if (s->cfg->z_any_len) {  /* programmed as decoded (a5-stub-families.md §2.7) */
		if ((uint64_t)*done + n > len)
			return false;
		if (n)
			program(s, addr + *done, p, n);
		*done += (uint32_t)n;
		return true;
	}
	for (size_t i = 0; i < n; i++) {
		s->rem[s->rem_n++] = p[i];
		if (s->rem_n < 4)
			continue;
		if (*done + 4 > len)
			return false;
		program(s, addr + *done, s->rem, 4);
		*done += 4;
		s->rem_n = 0;
	}
	return true;
}

/* 0x97: XMODEM (STX or SOH) carrying raw DEFLATE (§2.5 receiving, §2.6). */
static int xm_receive_z(struct stub *s, uint32_t addr, uint32_t len)
{
	static const uint8_t abort_seq[3] = { A5_XM_CAN, A5_XM_CAN, 'N' };
	uint8_t out[4096], b;
	uint32_t done = 0;
	bool ended = false;
	z_stream z;
	int r;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, -15) != Z_OK)
		return 0;
	/* The remainder of the previous transfer comes first. */
	put(s, A5_XM_C);
	for (;;) {
		size_t n;
		if ((r = getc_ms(s, &b, units_ms(s, 3333, XM_HEADER_MS))) < 0)
			goto out;
		if (r == 0) {
			put(s, A5_XM_C);
			continue;
		}
		if (b == A5_XM_EOT) {
			if (!ended) {  /* the source loops forever: the chip hangs */
				iotflash_sim_log(s->sim, "a5 stub: EOT before the end of the DEFLATE stream: hung");
				inflateEnd(&z);
				while ((r = iotflash_sim_read(s->sim, out, sizeof out, -1)) >= 0)
					;
				return r;
			}
			put(s, A5_XM_ACK);
			r = 0;
			goto out;
		}
		if (b != A5_XM_STX && b != A5_XM_SOH) {
			put(s, A5_XM_NAK);
			continue;
		}
		n = b == A5_XM_STX ? A5_XM_DATA : 128;
		s->blk[0] = b;
		if ((r = iotflash_sim_read_full(s->sim, s->blk + 1, 2, units_ms(s, 10000, 1000))) < 0)
			goto out;
		if (r < 2 || (uint8_t)(s->blk[1] + s->blk[2]) != 0xFF) {
			put(s, A5_XM_NAK);
			continue;
		}
		if ((r = iotflash_sim_read_full(s->sim, s->blk + 3, n + 2, units_ms(s, 20000, XM_BYTE_MS))) < 0)
			goto out;
		{
			uint16_t crc = iotflash_crc16_xmodem(s->blk + 3, n);
			if ((size_t)r < n + 2 || s->blk[3 + n] != (uint8_t)(crc >> 8) || s->blk[4 + n] != (uint8_t)crc) {
				put(s, A5_XM_NAK);
				continue;
			}
		}
		if (!ended) {
			z.next_in = s->blk + 3;
			z.avail_in = (uInt)n;
			do {
				int zr;
				z.next_out = out;
				z.avail_out = sizeof out;
				zr = inflate(&z, Z_NO_FLUSH);
				if ((zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) ||
				    !z_out(s, addr, len, &done, out, sizeof out - z.avail_out)) {
					iotflash_sim_write(s->sim, abort_seq, sizeof abort_seq);
					r = 0;
					goto out;
				}
				if (zr == Z_STREAM_END) {
					ended = true;  /* later bytes (the host's FF padding) are ignored */
					break;
				}
			} while (z.avail_in > 0 || z.avail_out == 0);
		}
		put(s, A5_XM_ACK);
	}
out:
	inflateEnd(&z);
	return r < 0 ? r : 0;
}

/* 0x96: raw DEFLATE of flash over XMODEM-1K (`C`) or 128-byte checksum
 * blocks (`NAK`) (§2.5 sending, §2.6). */
static int xm_send_z(struct stub *s, const uint8_t *src, uint32_t len, int level)
{
	static const uint8_t cancel[2] = { A5_XM_CAN, A5_XM_CAN };
	uLongf cap = compressBound(len) + 64;
	uint8_t *z = malloc(cap), b = 0, num = 1;
	size_t bs = A5_XM_DATA, zlen;
	z_stream zs;
	int r = 0, tries;

	if (!z)
		return 0;
	memset(&zs, 0, sizeof zs);
	if (deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(z);
		return 0;
	}
	zs.next_in = (Bytef *)src;
	zs.avail_in = len;
	zs.next_out = z;
	zs.avail_out = (uInt)cap;
	deflate(&zs, Z_FINISH);
	zlen = zs.total_out;
	deflateEnd(&zs);
	iotflash_sim_busy(s->sim, (uint64_t)len / 1024 * 200);  /* [inferred] deflate on the chip: ~5 MB/s */
	for (tries = 0; tries < XM_Z_TRIES; tries++) {
		if ((r = getc_ms(s, &b, XM_Z_POLL_MS)) < 0)
			goto out;
		if (r == 1 && (b == A5_XM_C || b == A5_XM_NAK || b == A5_XM_CAN))
			break;
	}
	if (tries == XM_Z_TRIES) {
		iotflash_sim_write(s->sim, cancel, sizeof cancel);
		goto out;
	}
	if (b == A5_XM_CAN)
		goto out;
	if (b == A5_XM_NAK)
		bs = 128;
	for (size_t off = 0; off < zlen; off += bs, num++) {
		size_t n = zlen - off < bs ? zlen - off : bs, blen;
		if (bs == A5_XM_DATA) {
			a5_xm_encode_block(s->blk, num, z + off, n);
			blen = A5_XM_BLOCK;
		} else {  /* SOH, 128 bytes, 8-bit sum */
			s->blk[0] = A5_XM_SOH;
			s->blk[1] = num;
			s->blk[2] = (uint8_t)(255 - num);
			memcpy(s->blk + 3, z + off, n);
			memset(s->blk + 3 + n, 0xFF, 128 - n);
			s->blk[131] = a5_sum8(s->blk + 3, 128);
			blen = 132;
		}
		for (tries = 0; tries < XM_Z_TRIES; tries++) {
			iotflash_sim_write(s->sim, s->blk, blen);
			if ((r = getc_ms(s, &b, XM_Z_ACK_MS)) < 0)
				goto out;
			if (r == 1 && b == A5_XM_ACK)
				break;
		}
		if (tries == XM_Z_TRIES) {
			iotflash_sim_write(s->sim, cancel, sizeof cancel);
			r = 0;
			goto out;
		}
	}
	for (tries = 0; tries < XM_Z_TRIES; tries++) {
		put(s, A5_XM_EOT);
		if ((r = getc_ms(s, &b, XM_Z_ACK_MS)) < 0)
			goto out;
		if (r == 1 && b == A5_XM_ACK)
			break;
	}
	if (tries == XM_Z_TRIES)
		iotflash_sim_write(s->sim, cancel, sizeof cancel);
	r = 0;
out:
	free(z);
	return r < 0 ? r : 0;
}

static uint8_t *xip_or_null(struct stub *s, uint32_t cpu_addr, uint32_t len)
{
	const uint32_t xip = s->cfg->xip_base ? s->cfg->xip_base : 0x00800000;
	if (cpu_addr >= xip && (uint64_t)cpu_addr - xip + len <= s->flash_size)
		return s->flash + (cpu_addr - xip);
	return NULL;
}

static int dispatch(struct stub *s, uint8_t type)
{
	uint32_t addr = get32(s->param), len = get32(s->param + 4);
	uint8_t digest[IOTFLASH_SUM_MAX], id[A5_FLASH_ID_DATA];
	static const uint8_t sync[4] = { 'c', 'n', 'y', 's' };

	if (!served(s, type)) {
		reject(s);
		return 0;
	}
	switch (type) {
	case A5_CMD_SYN:
		if (memcmp(s->param, sync, 4) == 0 && s->cfg->syn_sum_fresh) {
			reply(s, type, NULL, 0, A5_ST_OK);
		} else if (memcmp(s->param, sync, 4) == 0) {
			uint8_t out[6] = { A5_REPLY_MAGIC, 0, 0, 0, 0, s->tmpl_sum };  /* sum not recomputed */
			s->tmpl_len = 0;
			iotflash_sim_write(s->sim, out, sizeof out);
		} else {
			reply(s, type, NULL, 0, A5_ST_ERROR);
		}
		return 0;
	case A5_CMD_ERASE:
		if (!in_range(s, addr, len)) {
			reply(s, type, NULL, 0, A5_ST_ADDRESS);
			return 0;
		}
		erase_sectors(s, addr, len);
		reply(s, type, NULL, 0, A5_ST_OK);
		return 0;
	case A5_CMD_CHIP_ERASE:
		if (s->flash_size > s->cfg->chip_erase_from)
			memset(s->flash + s->cfg->chip_erase_from, 0xFF, s->flash_size - s->cfg->chip_erase_from);
		iotflash_sim_busy(s->sim, (uint64_t)s->cfg->chip_erase_ms * 1000);
		reply(s, type, NULL, 0, A5_ST_OK);
		return 0;
	case A5_CMD_RUN:
		reply(s, type, NULL, 0, A5_ST_OK);
		iotflash_sim_wait(s->sim, 10);
		iotflash_sim_set_baud(s->sim, s->cfg->link_baud);
		return A5_MODEL_RAN;
	case A5_CMD_SET_BAUD: {
		uint32_t real = a5_model_real_baud(s->cfg->uart_clk, addr);
		uint8_t out[A5_REPLY_OVERHEAD];
		size_t n = a5_encode_reply(out, type, 0, NULL, 0, A5_ST_OK);
		if (real == 0) {  /* division by zero: the stub is gone */
			iotflash_sim_log(s->sim, "a5 stub: baud %u divides by zero; hung", (unsigned)addr);
			iotflash_sim_set_baud(s->sim, 1);
			return 0;
		}
		s->tmpl_len = 0;
		s->tmpl_sum = out[n - 1];
		iotflash_sim_set_baud(s->sim, real);
		iotflash_sim_wait(s->sim, s->cfg->baud_ack_ms ? s->cfg->baud_ack_ms : 50);
		iotflash_sim_write(s->sim, out, n);
		return 0;
	}
	case A5_CMD_SHA256:
		if (!in_range(s, addr, len)) {
			reply(s, type, NULL, 0, A5_ST_ADDRESS);
			return 0;
		}
		if ((uint64_t)addr + len > s->flash_size)  /* [unknown] past the real flash: the part that exists */
			len = addr < s->flash_size ? s->flash_size - addr : 0;
		iotflash_checksum_compute(IOTFLASH_SUM_SHA256, s->flash + (addr < s->flash_size ? addr : 0), len, digest);
		iotflash_sim_busy(s->sim, (uint64_t)s->cfg->sha_kib_us * ((len + 1023) / 1024));
		reply(s, type, digest, A5_SHA256_DATA, A5_ST_OK);
		return 0;
	case A5_CMD_CRC:
		if (s->cfg->crc_kind == A5_CRC_NONE) {
			reject(s);
			return 0;
		}
		if (!in_range(s, addr, len) || (uint64_t)addr + len > s->flash_size) {
			reply(s, type, NULL, 0, A5_ST_ADDRESS);
			return 0;
		}
		{
			/* JAMCRC: zlib's CRC-32 without its final XOR, sent little-endian;
			 * the handler leaves DATA_LEN 0x20 in the template (§2.4).  SUM4K
			 * (OPL1000A2): the sum of each 4 KiB piece's CRC-32, DATA_LEN 4. */
			bool sum = s->cfg->crc_kind == A5_CRC_SUM4K;
			uint16_t field = sum ? 4 : 0x20;
			uint32_t crc = 0, kib_us = s->cfg->crc_kib_us ? s->cfg->crc_kib_us : s->cfg->sha_kib_us;
			if (sum) {
				for (uint32_t off = 0; off < len; off += 4096)
					crc += (uint32_t)crc32(0, s->flash + addr + off, len - off < 4096 ? len - off : 4096);
			} else {
				crc = (uint32_t)crc32(0, s->flash + addr, len) ^ 0xFFFFFFFFu;
			}
			uint8_t out[A5_REPLY_OVERHEAD + 4], c[4] = { (uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16),
			                                             (uint8_t)(crc >> 24) };
			size_t n = a5_encode_reply(out, type, field, c, 4, A5_ST_OK);
			iotflash_sim_busy(s->sim, (uint64_t)kib_us * ((len + 1023) / 1024));
			s->tmpl_len = field;
			s->tmpl_sum = out[n - 1];
			iotflash_sim_write(s->sim, out, n);
		}
		return 0;
	case A5_CMD_FLASH_ID:
		id[0] = (uint8_t)s->cfg->flash_id;
		id[1] = (uint8_t)(s->cfg->flash_id >> 8);
		id[2] = (uint8_t)(s->cfg->flash_id >> 16);
		id[3] = 0;
		reply(s, type, id, sizeof id, A5_ST_OK);
		return 0;
	case A5_CMD_XM_WRITE:
		if (!in_range(s, addr, len)) {
			reply(s, type, NULL, 0, A5_ST_ADDRESS);
			return 0;
		}
		reply(s, type, NULL, 0, A5_ST_OK);
		if (!s->cfg->types)  /* the ECR6600 stub pauses before its erase */
			iotflash_sim_wait(s->sim, 100);
		erase_sectors(s, addr, len);
		return xm_receive(s, addr, NULL, 0, NULL);
	case A5_CMD_XM_WRITE_Z:
		if (!in_range(s, addr, len)) {
			reply(s, type, NULL, 0, A5_ST_ADDRESS);
			return 0;
		}
		reply(s, type, NULL, 0, A5_ST_OK);
		if (!s->cfg->types)
			iotflash_sim_wait(s->sim, 100);
		erase_sectors(s, addr, len);
		return xm_receive_z(s, addr, len);
	case A5_CMD_XM_READ_Z: {
		int level = s->param[8] >= 1 && s->param[8] <= 10 ? s->param[8] : 5;  /* stub range 1..10 */
		/* [inferred] the ECR6600 source's handler is range-checked like 0x09;
		 * the others' is not (a5-stub-families.md §2.5): the model has no
		 * memory past its flash to compress. */
		if (!in_range(s, addr, len) || (uint64_t)addr + len > s->flash_size) {
			reply(s, type, NULL, 0, A5_ST_ADDRESS);
			return 0;
		}
		reply(s, type, NULL, 0, A5_ST_OK);
		return xm_send_z(s, s->flash + addr, len, level > 9 ? 9 : level);
	}
	case A5_CMD_XM_READ:  /* no range check (§2.3): past the end reads wrap */
	case A5_CMD_XM_READ_MEM: {
		uint8_t *src = type == A5_CMD_XM_READ ? ((uint64_t)addr + len <= s->flash_size ? s->flash + addr : NULL)
		                                      : xip_or_null(s, addr, len);
		reply(s, type, NULL, 0, A5_ST_OK);
		if (!src) {  /* memory the model does not hold reads as zeros (at most 64 KiB) */
			static const uint8_t zeros[65536];
			iotflash_sim_log(s->sim, "a5 stub: read 0x%08x+0x%x outside the modelled memory", (unsigned)addr,
			                 (unsigned)len);
			return xm_send(s, zeros, len < sizeof zeros ? len : sizeof zeros);
		}
		return xm_send(s, src, len);
	}
	case A5_CMD_EFUSE: {
		uint8_t efuse[1024];
		uint16_t n = s->cfg->efuse_len && s->cfg->efuse_len <= sizeof efuse ? s->cfg->efuse_len : A5_EFUSE_DATA;
		for (unsigned i = 0; i < n; i++)
			efuse[i] = (uint8_t)(i * 29 + 7);  /* layout [unknown]: a fixed pattern */
		reply(s, type, efuse, n, A5_ST_OK);
		return 0;
	}
	case A5_CMD_KV_GET: {  /* key = DATA, into a zeroed 16-byte buffer (§2.13) */
		char key[A5_KV_KEY_MAX + 1] = { 0 };
		const uint8_t *v;
		size_t n;
		if (!s->cfg->kv) {
			reject(s);
			return 0;
		}
		memcpy(key, s->param, s->frame_len < A5_KV_KEY_MAX ? s->frame_len : A5_KV_KEY_MAX);
		if (!(v = a5_model_kv_get(key, &n)) || n > 0xFFFF) {
			reply(s, type, NULL, 0, A5_ST_ERROR);
			return 0;
		}
		reply(s, type, v, (uint16_t)n, A5_ST_OK);
		return 0;
	}
	case A5_CMD_KV_SET: {  /* keylen u8, value length u16, key; XMODEM; store after EOT's ACK */
		char key[A5_KV_KEY_MAX + 1] = { 0 };
		uint16_t vlen = (uint16_t)(s->param[1] | s->param[2] << 8);
		size_t got = 0;
		int r;
		if (!s->cfg->kv) {
			reject(s);
			return 0;
		}
		memcpy(key, s->param + 3, s->param[0] < PARAMS - 3 ? s->param[0] : PARAMS - 3);
		reply(s, type, NULL, 0, A5_ST_OK);
		if ((r = xm_receive(s, 0, kv_buf, sizeof kv_buf, &got)) < 0)
			return r;
		if (!kv_set(key, kv_buf, vlen))  /* bytes not sent are stale buffer contents */
			iotflash_sim_log(s->sim, "a5 stub: key-value store full, %s not stored", key);
		return 0;
	}
	default:
		reject(s);
		return 0;
	}
}

int a5_model_run(struct iotflash_sim *sim, const struct a5_model_cfg *cfg)
{
	static struct stub s;  /* one stub per simulator; the params persist as in the chip's RAM */
	uint8_t b, head[3];
	int r;

	memset(&s, 0, sizeof s);
	s.sim = sim;
	s.cfg = cfg;
	s.flash = iotflash_sim_flash(sim, &s.flash_size);
	if (cfg->size_default) {  /* the stub's capacity table (a5-stub-families.md §2.5) */
		uint32_t size = cfg->size_default;
		for (size_t i = 0; i < cfg->n_sizes; i++)
			if (cfg->sizes[i].cap == ((cfg->flash_id >> 16) & 0xFF))
				size = cfg->sizes[i].size;
		if (s.flash_size > size)  /* the model holds no more than the stub addresses */
			s.flash_size = size;
		s.check_size = s.flash_size;
	} else if (cfg->range_size) {
		s.check_size = cfg->range_size;
	} else if (cfg->size_table) {
		s.check_size = a5_model_table_size((uint8_t)(cfg->flash_id >> 16));
	} else switch ((cfg->flash_id >> 16) & 0xFF) {  /* the stub knows three capacities (§2.3) */
	case 0x14: case 0x15: case 0x16:
		if (s.flash_size < (1u << ((cfg->flash_id >> 16) & 0xFF)))
			s.check_size = s.flash_size = 0;
		else
			s.check_size = s.flash_size = 1u << ((cfg->flash_id >> 16) & 0xFF);
		break;
	default:
		s.check_size = s.flash_size = 0;
		iotflash_sim_write(sim, "flash!", 6);
	}
	iotflash_sim_discard_input(sim);  /* the stub flushes its receive FIFO at start */
	if (cfg->select_uart) {  /* the first byte picks the UART and is lost, then a flush */
		if ((r = getc_ms(&s, &b, -1)) < 0)
			return r;
		iotflash_sim_discard_input(sim);
	}
	for (;;) {
		uint16_t len;
		if ((r = getc_ms(&s, &b, -1)) < 0)
			return r;
		if (b != A5_REQ_MAGIC)
			continue;
		if ((r = iotflash_sim_read_full(sim, head, 3, -1)) < 0)
			return r;
		len = (uint16_t)(head[1] | head[2] << 8);
		s.frame_len = len;
		if (head[0] > A5_TYPE_MAX) {  /* rejected before DATA: those bytes parse as new input */
			reject(&s);
			continue;
		}
		{
			uint8_t sum = (uint8_t)(A5_REQ_MAGIC + head[0] + head[1] + head[2]), chk;
			for (uint32_t i = 0; i < len; i++) {
				if ((r = getc_ms(&s, &b, -1)) < 0)
					return r;
				if (i < PARAMS)
					s.param[i] = b;
				sum = (uint8_t)(sum + b);
			}
			if ((r = getc_ms(&s, &chk, -1)) < 0)
				return r;
			if (chk != sum || !served(&s, head[0])) {
				reject(&s);
				continue;
			}
		}
		if ((r = dispatch(&s, head[0])) != 0)
			return r;
	}
}

bool a5_model_stub_known(const char *sha256_hex, const uint8_t *img, size_t len, size_t stub_size,
                         const char *tag)
{
	uint8_t d[IOTFLASH_SUM_MAX];
	char hex[65];

	iotflash_checksum_compute(IOTFLASH_SUM_SHA256, img, len, d);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	if (sha256_hex && strcasecmp(hex, sha256_hex) == 0)
		return true;
	if (len != stub_size || len < 0x100 + strlen(tag) + 32 || memcmp(img + 0x100, tag, strlen(tag)) != 0)
		return false;
	iotflash_checksum_compute(IOTFLASH_SUM_SHA256, img, len - 32, d);
	return memcmp(d, img + len - 32, 32) == 0;
}
