/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The community RTL8710B stub ("A5" frames, §6; frame rules as the ECR6600
 * stub's, docs/protocols/eswin.md §2.2-2.5), run by the AmebaZ ROM model
 * when it was uploaded to 0x10002000 and the ROM jumps into it.  Modelled:
 * SYN (00), set baud (07), SHA-256 (09), flash ID (90) and the XMODEM read
 * (92); every other type gets the stub's error reply.  The stub prints
 * nothing and talks at 115200 until 07 changes the rate. */
#include <string.h>

#include <nettle/sha2.h>

#include "model-internal.h"

#define STUB_BAUD 115200u
#define BAUD_SETTLE_MS 50
#define READ_START_MS 3000        /* 0x92: per try, forever, until `C` */
#define READ_ACK_MS 300
#define READ_TRIES 10
#define PARAMS_MAX 16

enum { T_SYN = 0x00, T_BAUD = 0x07, T_SHA256 = 0x09, T_FLASH_ID = 0x90, T_XM_READ = 0x92, T_ERROR = 0xFF };
enum { S_OK = 0, S_ADDR = 2, S_TYPE = 3 };

struct a5 {
	struct rtl_model *m;
	uint16_t last_len;        /* DATA_LEN the previous reply left in the template */
	uint8_t last_chk;
};

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* `5A type len data status chk`, built whole and sent as one write. */
static void reply(struct a5 *s, uint8_t type, const uint8_t *data, uint16_t len, uint8_t status)
{
	uint8_t f[6 + SHA256_DIGEST_SIZE];

	f[0] = 0x5A;
	f[1] = type;
	f[2] = (uint8_t)len;
	f[3] = (uint8_t)(len >> 8);
	if (len)
		memcpy(f + 4, data, len);
	f[4 + len] = status;
	f[5 + len] = sum8(f, 5u + len);
	s->last_len = len;
	s->last_chk = f[5 + len];
	m_send(s->m, f, 6u + len);
}

static void error_reply(struct a5 *s)
{
	uint8_t f[6] = { 0x5A, T_ERROR, (uint8_t)s->last_len, (uint8_t)(s->last_len >> 8), S_TYPE, 0 };

	f[5] = sum8(f, 5);
	m_send(s->m, f, sizeof f);
}

static bool in_flash(const struct rtl_model *m, uint32_t addr, uint32_t len)
{
	return addr <= m->flash_size && len <= m->flash_size - addr;
}

static void do_sha256(struct a5 *s, const uint8_t *p)
{
	struct rtl_model *m = s->m;
	uint32_t addr = rtl_get_u32(p), len = rtl_get_u32(p + 4);
	uint8_t d[SHA256_DIGEST_SIZE];
	struct sha256_ctx sha;

	if (!in_flash(m, addr, len)) {
		reply(s, T_SHA256, NULL, 0, S_ADDR);
		return;
	}
	m_busy(m, (uint64_t)len * 1000000u / M_HASH_BYTES_PER_S);
	sha256_init(&sha);
	sha256_update(&sha, len, m->flash + addr);
	sha256_digest(&sha, sizeof d, d);
	reply(s, T_SHA256, d, sizeof d, S_OK);
}

static void do_flash_id(struct a5 *s)
{
	uint8_t id[4] = { (uint8_t)s->m->flash_id, (uint8_t)(s->m->flash_id >> 8), (uint8_t)(s->m->flash_id >> 16), 0 };

	reply(s, T_FLASH_ID, id, sizeof id, S_OK);
}

/* 0x92: ACK, wait for `C`, STX frames of flash (0xFF pad, CRC-16), EOT. */
static int do_read(struct a5 *s, const uint8_t *p)
{
	struct rtl_model *m = s->m;
	uint32_t addr = rtl_get_u32(p), len = rtl_get_u32(p + 4), done = 0;
	uint8_t f[3 + 1024 + 2], seq = 1, b;
	int r;

	reply(s, T_XM_READ, NULL, 0, S_OK);
	do
		if ((r = m_byte(m, &b, READ_START_MS)) < 0)
			return r;
	while (r == 0 || b != 'C');
	while (done < len) {
		uint32_t n = len - done < 1024 ? len - done : 1024;
		uint16_t crc;
		int tries = 0;
		f[0] = RTL_STX;
		f[1] = seq;
		f[2] = (uint8_t)(0xFF - seq);
		for (uint32_t i = 0; i < 1024; i++)
			f[3 + i] = i < n ? m_flash_byte(m, addr + done + i) : 0xFF;
		crc = iotflash_crc16_xmodem(f + 3, 1024);
		f[1027] = (uint8_t)(crc >> 8);
		f[1028] = (uint8_t)crc;
		for (;;) {
			m_send(m, f, sizeof f);
			if ((r = m_byte(m, &b, READ_ACK_MS)) < 0)
				return r;
			if (r == 1 && b == RTL_ACK)
				break;
			if (++tries >= READ_TRIES) {
				m_send_byte(m, RTL_CAN);
				return 0;
			}
		}
		done += n;
		seq++;
	}
	for (int i = 0; i < READ_TRIES; i++) {
		m_send_byte(m, RTL_EOT);
		if ((r = m_byte(m, &b, READ_ACK_MS)) < 0)
			return r;
		if (r == 1 && b == RTL_ACK)
			break;
	}
	return 0;
}

static int do_baud(struct a5 *s, const uint8_t *p)
{
	uint32_t baud = rtl_get_u32(p);
	uint8_t f[6] = { 0x5A, T_BAUD, 0, 0, S_OK, 0 };

	f[5] = sum8(f, 5);
	s->last_len = 0;
	s->last_chk = f[5];
	m_set_baud(s->m, baud ? baud : STUB_BAUD);
	m_wait(s->m, BAUD_SETTLE_MS);
	m_send(s->m, f, sizeof f);  /* at the new rate */
	return 0;
}

static int dispatch(struct a5 *s, uint8_t type, const uint8_t *p, uint16_t len)
{
	switch (type) {
	case T_SYN:
		if (len >= 4 && memcmp(p, "cnys", 4) == 0) {
			/* the stub does not recompute CHK for SYN: it repeats the last one */
			uint8_t f[6] = { 0x5A, T_SYN, 0, 0, S_OK, s->last_chk };
			m_send(s->m, f, sizeof f);
		} else {
			reply(s, T_SYN, NULL, 0, 1);
		}
		return 0;
	case T_BAUD: return do_baud(s, p);
	case T_SHA256: do_sha256(s, p); return 0;
	case T_FLASH_ID: do_flash_id(s); return 0;
	case T_XM_READ: return do_read(s, p);
	default: error_reply(s); return 0;
	}
}

/* The stub's parser (§2.2): resync on A5, TYPE > 0x9F rejected at once,
 * exactly LEN data bytes and CHK, no time-outs. */
int m_a5_stub(struct rtl_model *m)
{
	struct a5 s = { m, 0, 0 };
	uint8_t params[PARAMS_MAX];

	iotflash_sim_log(m->sim, "rtl87xx: the RTL8710B stub runs");
	m_set_baud(m, STUB_BAUD);
	iotflash_sim_discard_input(m->sim);
	for (;;) {
		uint8_t h[4], chk, b, sum;
		uint16_t len;
		int r;
		if ((r = m_byte(m, &h[0], -1)) < 0)
			return r;
		if (h[0] != 0xA5)
			continue;
		for (int i = 1; i < 4; i++)
			if ((r = m_byte(m, &h[i], -1)) < 0)
				return r;
		if (h[1] > 0x9F) {
			error_reply(&s);
			continue;
		}
		len = (uint16_t)(h[2] | h[3] << 8);
		memset(params, 0, sizeof params);
		sum = sum8(h, 4);
		for (uint16_t i = 0; i < len; i++) {
			if ((r = m_byte(m, &b, -1)) < 0)
				return r;
			if (i < sizeof params)
				params[i] = b;
			sum = (uint8_t)(sum + b);
		}
		if ((r = m_byte(m, &chk, -1)) < 0)
			return r;
		if (chk != sum) {
			error_reply(&s);
			continue;
		}
		if ((r = dispatch(&s, h[1], params, len)) < 0)
			return r;
	}
}
