/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* AmebaZ2: `fwdram` (a program into RAM over plain XMODEM, §7.3, §7.4) and
 * the programs the model can "run" when a command-table entry jumps to
 * them: the community Z2 XMODEM read stub, an XMODEM sender of flash or
 * memory with its parameters at 0x10038000 (§7.6), and its compressed twin.  The real stub is
 * recognised by its SHA-256; tests upload a stand-in of the same size that
 * starts with a marker (tests/e2e/gen-rtl87xx-stub.py).  Anything else the
 * chip would execute, which the model cannot: it hangs until reset. */
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>
#include <zlib.h>

#include "model-internal.h"

#define RAM_BASE 0x10000000u
#define FWDRAM_NAK_PERIOD_MS 1000

#define STUB_PARAMS 0x10038000u   /* offset, length, mode (0 flash, 1 absolute), level */
#define MAP_FLASH 0x98000000u
#define START_SLICE_MS 100        /* "up to 100 short timeouts" for C / NAK / CAN [inferred length] */
#define START_SLICES 100
#define ACK_WAIT_MS 1000
#define FRAME_TRIES 10
#define SMALL_AFTER 7             /* 128-byte frames after this many retries */
#define EOT_TRIES 10
#define Z2_DEFLATE_KIB_US 200u    /* [inferred] deflate on the chip: ~5 MB/s, as the A5 stub model */

struct known_program {
	enum m_prog kind;
	uint32_t size;
	const char *sha256;       /* of the community file */
	const char *marker;       /* first bytes of the test stand-in */
};

static const struct known_program programs[] = {
	{ M_PROG_Z2_STUB, 620, "bb38bca7bb114fbb5a40d770a0ba4ef790ccede43f7ffc6a65d2d3b25c99781c",
	  "iotflash:z2xm" },
	{ M_PROG_Z2_STUB_Z, 9500, "038f35bcb23d40fe9070f22918288bfe834d50aac4e82d4ba542461cae57a971",
	  "iotflash:z2xmz" },
	/* RTL8710B_Stub.bin (18094 bytes after gunzip): its SHA-256 is not
	 * known to the project yet, so only the stand-in is recognised. */
	{ M_PROG_RTL8710B_STUB, 18094, NULL, "iotflash:rtl8710b-stub" },
};

static bool sha_is(const uint8_t *p, size_t n, const char *hex)
{
	uint8_t d[SHA256_DIGEST_SIZE];
	char text[2 * SHA256_DIGEST_SIZE + 1];
	struct sha256_ctx sha;

	sha256_init(&sha);
	sha256_update(&sha, n, p);
	sha256_digest(&sha, sizeof d, d);
	for (size_t i = 0; i < sizeof d; i++) {
		static const char digits[] = "0123456789abcdef";
		text[2 * i] = digits[d[i] >> 4];
		text[2 * i + 1] = digits[d[i] & 15];
	}
	text[sizeof text - 1] = '\0';
	return strcmp(text, hex) == 0;
}

/* What the bytes at addr (n of them received) are. */
enum m_prog m_identify_program(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++) {
		const struct known_program *k = &programs[i];
		size_t ml = strlen(k->marker) + 1;
		if (n < k->size)
			continue;
		if ((k->sha256 && sha_is(p, k->size, k->sha256)) || memcmp(p, k->marker, ml) == 0)
			return k->kind;
	}
	return M_PROG_UNKNOWN;
}

/* ---- fwdram ---- */

static bool ram_sink(struct rtl_model *m, uint32_t addr, const uint8_t *data, size_t n)
{
	(void)addr;
	if (m->ram_pos - RAM_BASE + n > M_RAM_SIZE) {
		m->session_failed = true;
		return false;
	}
	memcpy(m->ram + (m->ram_pos - RAM_BASE), data, n);
	m->ram_pos += (uint32_t)n;
	return true;
}

int m_cmd_fwdram(struct rtl_model *m, int argc, char **argv)
{
	struct m_xm_cfg cfg = {
		.with_addr = false, .nak_period_ms = FWDRAM_NAK_PERIOD_MS, .first_nak = true,
		.quiet_cancel = true, .sink = ram_sink,
	};
	enum m_xm_end end;
	uint32_t addr;
	char *e;
	int r;

	if (argc < 2 || !*argv[1] || (addr = (uint32_t)strtoul(argv[1], &e, 16), *e) ||
	    addr < RAM_BASE || addr - RAM_BASE >= M_RAM_SIZE) {
		m_send(m, "ER", 2);
		return 0;
	}
	m->ram_pos = addr;
	m->prog = M_PROG_NONE;
	if ((r = m_xm_receive(m, &cfg, &end)) < 0)
		return r;
	if (end == M_XM_CANCEL || end == M_XM_ABORT)
		return m_answer_cancel(m);
	if (end != M_XM_COMPLETE)
		return 0;
	m->prog_addr = addr;
	m->prog = m_identify_program(m->ram + (addr - RAM_BASE), m->ram_pos - addr);
	iotflash_sim_log(m->sim, "rtl87xx: fwdram: %u bytes at 0x%08X (%s)", (unsigned)(m->ram_pos - addr),
	                 (unsigned)addr, m->prog == M_PROG_Z2_STUB ? "Z2 XMODEM read stub"
	                 : m->prog == M_PROG_Z2_STUB_Z ? "compressed Z2 read stub" : "unknown code");
	m_send(m, m->session_failed ? "ER" : "OK", 2);
	return 0;
}

/* ---- the Z2 XMODEM read stub (§7.6) ---- */

static uint32_t ram_word(struct rtl_model *m, uint32_t a)
{
	return rtl_get_u32(m->ram + (a - RAM_BASE));
}

/* Wait for the receiver: 'C' (CRC-16, 1 KiB), NAK (8-bit sum, 128) or CAN. */
static int await_start(struct rtl_model *m, uint8_t *start)
{
	for (int i = 0; i < START_SLICES; i++) {
		uint8_t b;
		int r = m_byte(m, &b, START_SLICE_MS);
		if (r < 0)
			return r;
		if (r == 1 && (b == 'C' || b == RTL_NAK || b == RTL_CAN)) {
			*start = b;
			return 1;
		}
	}
	return 0;
}

static size_t build_frame(const uint8_t *src, uint8_t *f, uint32_t left, uint8_t seq, size_t blk, bool crc)
{
	size_t n = left < blk ? left : blk;

	f[0] = blk == 1024 ? RTL_STX : RTL_SOH;
	f[1] = seq;
	f[2] = (uint8_t)~seq;
	for (size_t i = 0; i < blk; i++)
		f[3 + i] = i < n ? src[i] : 0xFF;
	if (crc) {
		uint16_t c = iotflash_crc16_xmodem(f + 3, blk);
		f[3 + blk] = (uint8_t)(c >> 8);
		f[4 + blk] = (uint8_t)c;
		return blk + 5;
	}
	f[3 + blk] = rtl_sum8(f + 3, blk);
	return blk + 4;
}

/* 1 = ACKed, 0 = the receiver stopped or the tries ran out (CAN CAN sent), < 0 event. */
static int send_frame(struct rtl_model *m, const uint8_t *src, uint32_t left, uint8_t seq, size_t *blk, bool crc,
                      uint32_t *sent)
{
	uint8_t f[1024 + 5];

	for (int tries = 0; tries < FRAME_TRIES; tries++) {
		uint8_t b;
		size_t len;
		int r;
		if (tries >= SMALL_AFTER)
			*blk = 128;
		len = build_frame(src, f, left, seq, *blk, crc);
		m_send(m, f, len);
		r = m_byte(m, &b, ACK_WAIT_MS);
		if (r < 0)
			return r;
		if (r == 1 && b == RTL_ACK) {
			*sent = left < *blk ? left : (uint32_t)*blk;
			return 1;
		}
		if (r == 1 && b == RTL_CAN) {
			r = m_byte(m, &b, ACK_WAIT_MS);
			if (r < 0)
				return r;
			if (r == 1 && b == RTL_CAN)
				return 0;
		}
	}
	m_send(m, (const uint8_t[]){ RTL_CAN, RTL_CAN }, 2);
	return 0;
}

/* What the stub sends: the range itself, or (the compressed twin) its raw
 * DEFLATE stream at the level word, padded in the last frame with FF like
 * the A5 stubs' compressed read (docs/protocols/eswin.md §2.6) [inferred:
 * the twin's format is not public]. */
static uint8_t *stub_payload(struct rtl_model *m, uint32_t src, uint32_t len, bool z, uint32_t *out_len)
{
	uint8_t *plain = malloc(len ? len : 1), *packed;
	uLongf zlen;
	uint32_t level = ram_word(m, STUB_PARAMS + 12);

	if (!plain)
		return NULL;
	for (uint32_t i = 0; i < len; i++)
		plain[i] = m_mem_byte(m, src + i);
	*out_len = len;
	if (!z)
		return plain;
	zlen = compressBound(len) + 64;
	packed = malloc(zlen);
	if (packed) {
		z_stream zs = { 0 };
		if (deflateInit2(&zs, level >= 1 && level <= 9 ? (int)level : 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
			zs.next_in = plain;
			zs.avail_in = len;
			zs.next_out = packed;
			zs.avail_out = (uInt)zlen;
			deflate(&zs, Z_FINISH);
			*out_len = (uint32_t)zs.total_out;
			deflateEnd(&zs);
		} else {
			free(packed);
			packed = NULL;
		}
	}
	free(plain);
	m_busy(m, (uint64_t)len / 1024 * Z2_DEFLATE_KIB_US);
	return packed;
}

static int z2_stub(struct rtl_model *m, bool z)
{
	uint32_t off = ram_word(m, STUB_PARAMS), len = ram_word(m, STUB_PARAMS + 4);
	uint32_t mode = ram_word(m, STUB_PARAMS + 8), src = mode ? off : MAP_FLASH + off, done = 0, total;
	uint8_t start, seq = 1, *payload;
	size_t blk;
	int r;

	iotflash_sim_log(m->sim, "rtl87xx: Z2 read stub%s: %u bytes from 0x%08X", z ? " (compressed)" : "", (unsigned)len,
	                 (unsigned)src);
	if ((r = await_start(m, &start)) <= 0 || start == RTL_CAN)
		return r < 0 ? r : 0;
	if (!(payload = stub_payload(m, src, len, z, &total)))
		return 0;
	blk = start == 'C' ? 1024 : 128;
	while (done < total) {
		uint32_t sent;
		r = send_frame(m, payload + done, total - done, seq, &blk, start == 'C', &sent);
		if (r <= 0) {
			free(payload);
			return r;
		}
		done += sent;
		seq++;
	}
	free(payload);
	for (int i = 0; i < EOT_TRIES; i++) {
		uint8_t b;
		m_send_byte(m, RTL_EOT);
		r = m_byte(m, &b, ACK_WAIT_MS);
		if (r < 0)
			return r;
		if (r == 1 && b == RTL_ACK)
			break;
	}
	return 0;  /* back to the shell */
}

/* A table entry jumped to handler: run it when it is a known program. */
bool m_run_program(struct rtl_model *m, uint32_t handler, int *result)
{
	if (m->prog == M_PROG_NONE || handler != (m->prog_addr | 1u))
		return false;
	if (m->prog == M_PROG_Z2_STUB || m->prog == M_PROG_Z2_STUB_Z) {
		*result = z2_stub(m, m->prog == M_PROG_Z2_STUB_Z);
		return true;
	}
	iotflash_sim_log(m->sim, "rtl87xx: uploaded code at 0x%08X cannot be modelled", (unsigned)m->prog_addr);
	return false;
}
