/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device models of the Realtek Ameba binary download ROMs (AmebaZ §11,
 * AmebaD §3) with the AmebaD imgtool loader personality, the XMODEM
 * receiver all three share (§1.4), and the serve() entry point. */
#include <stdlib.h>
#include <string.h>

#include "model-internal.h"

#define AMBZ_RAM_BASE 0x10000000u
#define AMBD_RAM_BASE 0x00080000u
#define FLASH_WINDOW 0x08000000u   /* binary flash frames: 0x08000000-0x0FFFFFFF */
#define AMBZ_BOOT_WORD 0x10002000u /* the ROM jumps to the word here after a RAM session */
#define AMBZ_FLASH_BOOT 0x5405u    /* `05 54 00 00`: boot from flash (§1.4) */
#define ROM_ACK_WAIT_MS 1000       /* 0x19: ACK per 1 KiB */
#define LDR_REPLY_MS 1000          /* 0x20: reply per frame */
#define LDR_SENDS 25
#define LDR_EOT_TRIES 10
#define LDR_EOT_WAIT_MS 100
#define CAN_DELAY_MS 1
#define LOADER_MIN_LEN 1024u

static const uint8_t lt_reboot[] = { 0x55, 0xAA, 0x22, 0xE0, 0xD6, 0xFC };  /* LibreTiny, §2.1 */

enum personality { P_AMBZ_ROM, P_AMBD_ROM, P_AMBD_LOADER };

/* ---- UART and flash ---- */

/* Replies go out as the ROM sends them: in one piece.  m_send() queues;
 * the queue leaves with a single write when the chip next waits (for
 * input, flash work or a delay) or changes its rate. */
void m_flush(struct rtl_model *m)
{
	if (m->tx_len)
		iotflash_sim_write(m->sim, m->txq, m->tx_len);
	m->tx_len = 0;
}

int m_read(struct rtl_model *m, void *buf, size_t len, int timeout_ms)
{
	m_flush(m);
	return iotflash_sim_read(m->sim, buf, len, timeout_ms);
}

int m_read_full(struct rtl_model *m, void *buf, size_t len, int gap_ms)
{
	m_flush(m);
	return iotflash_sim_read_full(m->sim, buf, len, gap_ms);
}

void m_busy(struct rtl_model *m, uint64_t us)
{
	m_flush(m);
	iotflash_sim_busy(m->sim, us);
}

void m_wait(struct rtl_model *m, unsigned ms)
{
	m_flush(m);
	iotflash_sim_wait(m->sim, ms);
}

void m_set_baud(struct rtl_model *m, uint32_t baud)
{
	m_flush(m);
	iotflash_sim_set_baud(m->sim, baud);
}

int m_byte(struct rtl_model *m, uint8_t *b, int timeout_ms)
{
	return m_read(m, b, 1, timeout_ms);
}

void m_send(struct rtl_model *m, const void *buf, size_t len)
{
	if (len > sizeof m->txq - m->tx_len)
		m_flush(m);
	if (len > sizeof m->txq) {
		iotflash_sim_write(m->sim, buf, len);
		return;
	}
	memcpy(m->txq + m->tx_len, buf, len);
	m->tx_len += len;
}

void m_send_byte(struct rtl_model *m, uint8_t b)
{
	m_send(m, &b, 1);
}

uint8_t m_flash_byte(const struct rtl_model *m, uint32_t off)
{
	return m->flash[off % m->flash_size];  /* 24-bit NOR addresses wrap */
}

static bool protected_flash(const struct rtl_model *m)
{
	return (m->sr1 & 0x7C) != 0;  /* any BP bit: the whole chip, a simplification */
}

void m_flash_erase(struct rtl_model *m, uint32_t off, uint32_t len)
{
	if (protected_flash(m))
		return;
	for (uint32_t i = 0; i < len; i++)
		m->flash[(off + i) % m->flash_size] = 0xFF;
}

void m_flash_program(struct rtl_model *m, uint32_t off, const uint8_t *src, size_t n)
{
	m_busy(m, (uint64_t)M_PROGRAM_KIB_US * ((n + 1023) / 1024));
	if (protected_flash(m))
		return;
	for (size_t i = 0; i < n; i++)
		m->flash[(off + i) % m->flash_size] &= src[i];  /* NOR programs 1 -> 0 only */
}

static uint32_t get_u24(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

static uint32_t get_u16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

/* Sector or 64 KiB block erases as the ROM and loader do (§1.3 0x17 notes). */
static void erase_sectors(struct rtl_model *m, uint32_t off, uint32_t count)
{
	off &= ~(RTL_SECTOR - 1);
	while (count) {
		bool block = off % 0x10000 == 0 && count >= 16;
		uint32_t n = block ? 0x10000 : RTL_SECTOR;
		m_busy(m, block ? M_ERASE_BLOCK_US : M_ERASE_SECTOR_US);
		m_flash_erase(m, off, n);
		off += n;
		count -= block ? 16 : 1;
	}
}

/* ---- XMODEM receiver (§1.4 rules) ---- */

/* Garbage where a frame header belongs: read until the line is quiet. */
static int discard_until_quiet(struct rtl_model *m)
{
	uint8_t buf[256];
	int r;

	while ((r = m_read(m, buf, sizeof buf, M_XM_QUIET_MS)) > 0)
		;
	return r;
}

static void nak(struct rtl_model *m)
{
	m_wait(m, CAN_DELAY_MS);
	m_send_byte(m, RTL_NAK);
}

/* One frame after its header byte; *good when it was taken. */
static int xm_frame(struct rtl_model *m, const struct m_xm_cfg *cfg, uint8_t header, uint8_t *expected,
                    bool *good)
{
	uint8_t frame[RTL_XM_FRAME_MAX], seq;
	size_t len = rtl_xm_frame_len(header, cfg->with_addr);
	const uint8_t *data;
	uint32_t addr;
	int r;

	*good = false;
	frame[0] = header;
	r = m_read_full(m, frame + 1, len - 1, M_XM_CHAR_MS);
	if (r < 0)
		return r;
	if ((size_t)r < len - 1) {       /* char timeout */
		iotflash_sim_discard_input(m->sim);
		nak(m);
		return 0;
	}
	if (rtl_xm_check(frame, cfg->with_addr, &seq, &addr, &data) != RTL_XM_GOOD) {
		nak(m);
		return 0;
	}
	if (seq == (uint8_t)(*expected - 1) && m->session_bytes) {  /* duplicate: ACK, ignore */
		m_send_byte(m, RTL_ACK);
		return 0;
	}
	if (seq != *expected || m->session_bytes + rtl_xm_payload(header) > M_XM_LIMIT ||
	    !cfg->sink(m, addr, data, rtl_xm_payload(header))) {
		nak(m);
		return 0;
	}
	m->session_bytes += (uint32_t)rtl_xm_payload(header);
	(*expected)++;
	*good = true;
	iotflash_sim_discard_input(m->sim);  /* never pipeline frames (rule 4) */
	m_send_byte(m, RTL_ACK);
	return 0;
}

int m_xm_receive(struct rtl_model *m, const struct m_xm_cfg *cfg, enum m_xm_end *end)
{
	uint8_t expected = 1;
	unsigned timeouts = 0;

	m->session_bytes = 0;
	m->session_ram = false;
	m->session_failed = false;
	m->erase_mark = 0;
	if (cfg->first_nak)
		nak(m);
	for (;;) {
		uint8_t b;
		bool good;
		int r = m_byte(m, &b, m->session_bytes ? M_XM_HEADER_MS : (int)cfg->nak_period_ms);
		if (r < 0)
			return r;
		if (r == 0) {
			if (m->session_bytes && ++timeouts >= M_XM_MAX_TIMEOUTS) {
				m_send_byte(m, RTL_CAN);
				*end = M_XM_FAILED;
				return 0;
			}
			nak(m);
			continue;
		}
		switch (b) {
		case RTL_SOH:
		case RTL_STX:
			if ((r = xm_frame(m, cfg, b, &expected, &good)) < 0)
				return r;
			if (good)
				timeouts = 0;
			continue;
		case RTL_EOT:
			m_send_byte(m, RTL_ACK);
			*end = M_XM_COMPLETE;
			return 0;
		case RTL_CAN:
		case RTL_ESC:
			if (!cfg->quiet_cancel) {
				m_wait(m, CAN_DELAY_MS);
				m_send_byte(m, RTL_CAN);
			}
			*end = b == RTL_CAN ? M_XM_CANCEL : M_XM_ABORT;
			return 0;
		default:
			if ((r = discard_until_quiet(m)) < 0)
				return r;
			nak(m);
		}
	}
}

/* Address frames: flash window or RAM (§1.4, §11 item 7). */
static bool binary_sink(struct rtl_model *m, uint32_t addr, const uint8_t *data, size_t n)
{
	if (addr >= FLASH_WINDOW && addr < 2 * FLASH_WINDOW) {
		uint32_t off = addr - FLASH_WINDOW, first = off & ~(RTL_SECTOR - 1),
		         last = (uint32_t)(off + n - 1) & ~(RTL_SECTOR - 1);
		if (off + n > m->flash_size)
			return false;
		/* Auto-erase: each sector once per session, at or above the mark. */
		for (uint32_t s = first; s <= last; s += RTL_SECTOR)
			if (s >= m->erase_mark) {
				m_busy(m, M_ERASE_SECTOR_US);
				m_flash_erase(m, s, RTL_SECTOR);
				m->erase_mark = s + RTL_SECTOR;
			}
		m_flash_program(m, off, data, n);
		return true;
	}
	if (addr >= m->ram_base && addr - m->ram_base + n <= M_RAM_SIZE) {
		memcpy(m->ram + (addr - m->ram_base), data, n);
		m->session_ram = true;
		return true;
	}
	return false;  /* other addresses [unknown on silicon] */
}

/* ---- binary command loop ---- */

struct binary {
	struct rtl_model *m;
	enum personality p;
	bool loud;            /* AmebaZ ROM: beacon on (Loud-Handshake) */
	bool silent;          /* loader: after 0x05, silent until the next command */
};

static uint32_t ram_word(const struct rtl_model *m, uint32_t addr)
{
	if (addr < m->ram_base || addr - m->ram_base + 4 > M_RAM_SIZE)
		return 0;
	return rtl_get_u32(m->ram + (addr - m->ram_base));
}

static uint32_t default_rate(const struct binary *bn)
{
	return bn->m->chip->link_baud ? bn->m->chip->link_baud : 115200;
}

/* Parameter bytes of a command, each within 0.5 s; 0 when they did not come. */
static int params(struct rtl_model *m, uint8_t *p, size_t n)
{
	int r = n ? m_read_full(m, p, n, M_PARAM_MS) : 0;
	return r < 0 ? r : (size_t)r == n ? 1 : 0;
}

static int cmd_baud(struct binary *bn)
{
	uint8_t idx;
	int r = params(bn->m, &idx, 1);

	if (r <= 0 || idx > RTL_MAX_BAUD_IDX || idx >= bn->m->n_rates)
		return r < 0 ? r : 0;       /* no reply (§11 item 4) */
	m_send_byte(bn->m, RTL_ACK);    /* at the old rate, then switch */
	m_set_baud(bn->m, (uint32_t)bn->m->rates[idx]);
	if (bn->p == P_AMBZ_ROM)
		m_send_byte(bn->m, 0x00);   /* the stray zero after a change (§1.1) */
	else
		bn->silent = true;
	return 0;
}

static int cmd_erase(struct binary *bn)
{
	uint8_t p[5];
	int r = params(bn->m, p, sizeof p);

	if (r <= 0)
		return r;
	erase_sectors(bn->m, get_u24(p), get_u16(p + 3));
	m_send_byte(bn->m, RTL_ACK);
	return 0;
}

/* 0x19: raw 1 KiB chunks, each waiting for the host's ACK (§2.3). */
static int cmd_rom_read(struct binary *bn)
{
	struct rtl_model *m = bn->m;
	uint8_t p[5], chunk[RTL_ROM_CHUNK];
	uint32_t off;
	int r = params(m, p, sizeof p);

	if (r <= 0)
		return r;
	off = get_u24(p);
	for (uint32_t i = 0; i < get_u16(p + 3) * (RTL_SECTOR / RTL_ROM_CHUNK); i++) {
		uint64_t deadline = iotflash_sim_now_ms() + ROM_ACK_WAIT_MS;
		uint8_t b = 0;
		for (uint32_t k = 0; k < RTL_ROM_CHUNK; k++)
			chunk[k] = m_flash_byte(m, off + i * RTL_ROM_CHUNK + k);
		m_send(m, chunk, sizeof chunk);
		while (b != RTL_ACK) {
			uint64_t now = iotflash_sim_now_ms();
			if (now >= deadline)
				return 0;           /* abandon the read (§11 item 5) */
			if ((r = m_byte(m, &b, (int)(deadline - now))) < 0)
				return r;
		}
	}
	return 0;
}

/* 0x20: XMODEM-1K sender of the loader (§1.5). */
static int ldr_send_frame(struct rtl_model *m, const uint8_t *frame, size_t len, bool *stop)
{
	for (unsigned sends = 0; sends < LDR_SENDS; sends++) {
		uint8_t b;
		int r;
		m_send(m, frame, len);
		if ((r = m_byte(m, &b, LDR_REPLY_MS)) < 0)
			return r;
		if (r == 1 && b == RTL_ACK)
			return 0;
		if (r == 1 && b == RTL_CAN) {
			m_send_byte(m, RTL_ACK);
			*stop = true;
			return 0;
		}
	}
	m_send(m, (const uint8_t[]){ RTL_CAN, RTL_CAN, RTL_CAN }, 3);
	*stop = true;
	return 0;
}

static int cmd_ldr_read(struct binary *bn)
{
	struct rtl_model *m = bn->m;
	uint8_t p[5], data[RTL_XM_DATA], frame[RTL_XM_FRAME_MAX];
	bool stop = false;
	uint32_t off;
	int r = params(m, p, sizeof p);

	if (r <= 0)
		return r;
	off = get_u24(p);
	for (uint32_t i = 0; i < get_u16(p + 3) * (RTL_SECTOR / RTL_XM_DATA) && !stop; i++) {
		for (uint32_t k = 0; k < RTL_XM_DATA; k++)
			data[k] = m_flash_byte(m, off + i * RTL_XM_DATA + k);
		size_t len = rtl_xm_frame(frame, (uint8_t)(i + 1), false, 0, data, sizeof data, false, 0xFF);
		if ((r = ldr_send_frame(m, frame, len, &stop)) < 0)
			return r;
	}
	for (unsigned t = 0; t < LDR_EOT_TRIES && !stop; t++) {
		uint8_t b;
		m_send_byte(m, RTL_EOT);
		if ((r = m_byte(m, &b, LDR_EOT_WAIT_MS)) < 0)
			return r;
		if (r == 1 && b == RTL_ACK)
			break;
	}
	return 0;
}

/* 0x21: ROM form (AmebaZ) -> SR1; loader form spi_cmd n -> 21 + n bytes. */
static int cmd_spi_read(struct binary *bn)
{
	struct rtl_model *m = bn->m;
	uint8_t p[2], out[1 + 255];
	int r;

	if (bn->p == P_AMBZ_ROM) {
		m_send_byte(m, m->sr1);
		return 0;
	}
	if ((r = params(m, p, sizeof p)) <= 0)
		return r;
	out[0] = RTL_CMD_SPI_READ;
	for (unsigned i = 0; i < p[1]; i++)
		out[1 + i] = p[0] == 0x9F && i < 3 ? (uint8_t)(m->flash_id >> (8 * i)) : p[0] == 0x05 && i == 0 ? m->sr1 : 0;
	m_send(m, out, 1u + p[1]);
	return 0;
}

/* 0x26: ROM form `26 vv`; loader form spi_cmd n data (SR1 only here). */
static int cmd_spi_write(struct binary *bn)
{
	struct rtl_model *m = bn->m;
	uint8_t p[2 + 255];
	int r;

	if (bn->p == P_AMBZ_ROM) {
		if ((r = params(m, p, 1)) <= 0)
			return r;
		m->sr1 = p[0] & 0xFC;  /* WIP and WEL are read-only */
	} else {
		if ((r = params(m, p, 2)) <= 0 || (r = params(m, p + 2, p[1])) <= 0)
			return r;
		if (p[0] == 0x01 && p[1] >= 1)
			m->sr1 = p[2] & 0xFC;
	}
	m_send_byte(m, RTL_ACK);
	return 0;
}

/* 0x27: little-endian word sum (§1.6). */
static int cmd_checksum(struct binary *bn)
{
	struct rtl_model *m = bn->m;
	uint8_t p[6], reply[5];
	uint32_t off, size, sum = 0;
	int r = params(m, p, sizeof p);

	if (r <= 0)
		return r;
	off = get_u24(p);
	size = get_u24(p + 3);
	m_busy(m, (uint64_t)size * 1000000u / M_SUM_BYTES_PER_S);
	for (uint32_t i = 0; i < size; i++)
		sum += (uint32_t)m_flash_byte(m, off + i) << (8 * (i & 3));
	reply[0] = RTL_CMD_CHECKSUM;
	rtl_put_u32(reply + 1, sum);
	m_send(m, reply, sizeof reply);
	return 0;
}

static int cmd_write_word(struct binary *bn)
{
	struct rtl_model *m = bn->m;
	uint8_t p[8];
	uint32_t addr;
	int r = params(m, p, sizeof p);

	if (r <= 0)
		return r;
	addr = rtl_get_u32(p);
	if (addr >= m->ram_base && addr - m->ram_base + 4 <= M_RAM_SIZE)
		memcpy(m->ram + (addr - m->ram_base), p + 4, 4);
	m_send_byte(m, RTL_ACK);
	return 0;
}

static int cmd_read_word(struct binary *bn)
{
	uint8_t p[4], reply[5];
	int r = params(bn->m, p, sizeof p);

	if (r <= 0)
		return r;
	reply[0] = RTL_CMD_READ_WORD;
	rtl_put_u32(reply + 1, ram_word(bn->m, rtl_get_u32(p)));
	m_send(bn->m, reply, sizeof reply);
	return 0;
}

/* Firmware booted from flash: only LibreTiny's reboot request gets the chip
 * back into download mode (§2.1).  Returns to power-on. */
static int run_firmware(struct rtl_model *m)
{
	size_t matched = 0;

	m_set_baud(m, 115200);
	while (matched < sizeof lt_reboot) {
		uint8_t b;
		int r = m_byte(m, &b, -1);
		if (r < 0)
			return r;
		matched = b == lt_reboot[matched] ? matched + 1 : b == lt_reboot[0];
	}
	return IOTFLASH_SIM_RESET;
}

/* RAM code the model cannot run: the chip hangs until it is reset. */
static int hang(struct rtl_model *m)
{
	uint8_t buf[64];
	int r;

	iotflash_sim_log(m->sim, "rtl87xx: RAM code that the model does not know: hanging until reset");
	while ((r = m_read(m, buf, sizeof buf, -1)) >= 0)
		;
	return r;
}

/* After EOT of a RAM session the ROM jumps into the code (§1.4). */
static int ram_boot(struct binary *bn)
{
	struct rtl_model *m = bn->m;

	if (bn->p == P_AMBZ_ROM) {
		if (ram_word(m, AMBZ_BOOT_WORD) == AMBZ_FLASH_BOOT)
			return run_firmware(m);
		if (m_identify_program(m->ram + (AMBZ_BOOT_WORD - m->ram_base), m->session_bytes) == M_PROG_RTL8710B_STUB)
			return m_a5_stub(m);  /* the GUI's stub, uploaded to 0x10002000 (§2.5) */
		return hang(m);
	}
	if (m->kind == M_AMBDP)  /* AmebaDplus / AmebaLite: the A5 stub or nothing (model-amebadplus.c) */
		return m_ambdp_stub(m);
	if (ram_word(m, m->loader_addr) == m->loader_magic && m->session_bytes >= LOADER_MIN_LEN) {
		iotflash_sim_log(m->sim, "rtl87xx: the flash loader runs");
		bn->p = P_AMBD_LOADER;
		bn->silent = false;
		m_set_baud(m, default_rate(bn));
		return 0;
	}
	return hang(m);
}

static int cmd_xmodem(struct binary *bn)
{
	struct m_xm_cfg cfg = {
		.with_addr = true, .nak_period_ms = M_XM_HEADER_MS, .first_nak = bn->p != P_AMBD_LOADER,
		.sink = binary_sink,
	};
	enum m_xm_end end;
	int r;

	m_send_byte(bn->m, RTL_ACK);
	if ((r = m_xm_receive(bn->m, &cfg, &end)) < 0)
		return r;
	if (end == M_XM_COMPLETE && bn->m->session_ram)
		return ram_boot(bn);
	/* Any session ends at the default rate (§1.2). */
	m_set_baud(bn->m, default_rate(bn));
	bn->silent = false;
	return 0;
}

struct command {
	uint8_t code;
	unsigned where;            /* bit per personality */
	int (*run)(struct binary *bn);
};

#define IN_AMBZ (1u << P_AMBZ_ROM)
#define IN_AMBD_ROM (1u << P_AMBD_ROM)
#define IN_LDR (1u << P_AMBD_LOADER)

static const struct command commands[] = {
	{ RTL_CMD_BAUD, IN_AMBZ | IN_AMBD_ROM | IN_LDR, cmd_baud },
	{ RTL_CMD_XMODEM, IN_AMBZ | IN_AMBD_ROM | IN_LDR, cmd_xmodem },
	{ RTL_CMD_ERASE, IN_AMBZ | IN_AMBD_ROM | IN_LDR, cmd_erase },
	{ RTL_CMD_ROM_READ, IN_AMBZ, cmd_rom_read },
	{ RTL_CMD_LDR_READ, IN_LDR, cmd_ldr_read },
	{ RTL_CMD_SPI_READ, IN_AMBZ | IN_LDR, cmd_spi_read },
	{ 0x26, IN_AMBZ | IN_LDR, cmd_spi_write },
	{ RTL_CMD_CHECKSUM, IN_LDR, cmd_checksum },
	{ 0x29, IN_LDR, cmd_write_word },
	{ RTL_CMD_READ_WORD, IN_AMBD_ROM | IN_LDR, cmd_read_word },
};

static int dispatch(struct binary *bn, uint8_t code)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (commands[i].code == code && (commands[i].where & (1u << bn->p))) {
			bn->loud = true;        /* an answered command turns the beacon on (§1.1) */
			bn->silent = false;
			return commands[i].run(bn);
		}
	/* ACK or CAN silences the AmebaZ beacon (Quiet-Handshake). */
	if (bn->p == P_AMBZ_ROM && (code == RTL_ACK || code == RTL_CAN)) {
		bn->loud = false;
		return 0;
	}
	iotflash_sim_discard_input(bn->m->sim);  /* unknown: drain, no reply */
	return 0;
}

static bool beaconing(const struct binary *bn)
{
	return bn->p == P_AMBZ_ROM ? bn->loud : !bn->silent;
}

static int binary_power_on(struct rtl_model *m)
{
	struct binary bn = { .m = m, .p = m->kind == M_AMBZ ? P_AMBZ_ROM : P_AMBD_ROM, .loud = true };

	m_set_baud(m, default_rate(&bn));
	iotflash_sim_discard_input(m->sim);
	for (;;) {
		uint8_t b;
		int r;
		if (beaconing(&bn))
			m_send_byte(m, RTL_NAK);
		r = m_byte(m, &b, beaconing(&bn) ? M_BEACON_MS : -1);
		if (r < 0)
			return r;
		if (r == 1 && (r = dispatch(&bn, b)) < 0)
			return r;
	}
}

/* ---- configuration from the chip database ---- */

static void param_list(const struct iotflash_chip *chip, const char *key, const int64_t **out, unsigned *n)
{
	const struct iotflash_param *p = iotflash_chip_param(chip, key);
	bool ok = p && p->type == IOTFLASH_PARAM_INT_LIST;

	*out = ok ? p->ints : NULL;
	*n = ok ? p->n : 0;
}

static uint32_t default_flash_id(uint32_t size)
{
	unsigned log2 = 0;
	while (log2 < 31 && (1u << (log2 + 1)) <= size)
		log2++;
	return 0x0040C8u | (uint32_t)log2 << 16;  /* GD25Q-style id of that size */
}

/* AmebaZ2: what the chip boots into, and its ROM monitor (§7.2, §7.5). */
static int configure_monitor(struct rtl_model *m)
{
	const char *boot = iotflash_chip_param_str(m->chip, "model_boot");
	const struct iotflash_param *cmds = iotflash_chip_param(m->chip, "model_monitor_cmds");
	unsigned ver = (m->syscfg >> 4) & 0xF;

	if (boot && strcmp(boot, "monitor") != 0 && strcmp(boot, "download") != 0) {
		iotflash_sim_log(m->sim, "rtl87xx: %s: model_boot '%s' is not download or monitor", m->chip->name, boot);
		return IOTFLASH_ERR_CHIPDB;
	}
	m->monitor = boot && strcmp(boot, "monitor") == 0;
	/* The download ROM's entry: 0x00000000 on ROM v3.0 (chip ver > 2), 0x0001443C on v2.1; Thumb bit set. */
	m->rom_entry = (uint32_t)iotflash_chip_param_int_or(m->chip, "model_rom_entry", ver > 2 ? 0x1 : 0x1443D);
	if (cmds && (cmds->type != IOTFLASH_PARAM_STR_LIST || cmds->n == 0 || cmds->n > M_MONITOR_CMDS_MAX)) {
		iotflash_sim_log(m->sim, "rtl87xx: %s: model_monitor_cmds must be a list of 1 to %u names",
		                 m->chip->name, M_MONITOR_CMDS_MAX);
		return IOTFLASH_ERR_CHIPDB;
	}
	m->monitor_cmds = cmds ? cmds->strs : NULL;
	m->n_monitor_cmds = cmds ? cmds->n : 0;
	return IOTFLASH_OK;
}

static int configure(struct rtl_model *m)
{
	const char *proto = m->chip->protocol ? m->chip->protocol : "";
	int r;

	if (strcmp(proto, "ambz") == 0)
		m->kind = M_AMBZ;
	else if (strcmp(proto, "ambz2") == 0)
		m->kind = M_AMBZ2;
	else if (strcmp(proto, "ambd") == 0)
		m->kind = M_AMBD;
	else if (strcmp(proto, "ambdp") == 0)
		m->kind = M_AMBDP;
	else {
		iotflash_sim_log(m->sim, "rtl87xx: %s: protocol '%s' is not ambz, ambz2 or ambd", m->chip->name, proto);
		return IOTFLASH_ERR_CHIPDB;
	}
	m->flash = iotflash_sim_flash(m->sim, &m->flash_size);
	if (!m->flash || m->flash_size < 0x10000) {
		iotflash_sim_log(m->sim, "rtl87xx: flash missing or smaller than 64 KiB");
		return IOTFLASH_ERR_INTERNAL;
	}
	param_list(m->chip, "baud_table", &m->rates, &m->n_rates);
	param_list(m->chip, "ucfg_bauds", &m->ucfg_bauds, &m->n_ucfg);
	m->flash_id = (uint32_t)iotflash_chip_param_int_or(m->chip, "model_flash_id", default_flash_id(m->flash_size));
	m->sr1 = (uint8_t)iotflash_chip_param_int_or(m->chip, "model_sr1", 0);
	m->pin_group = (uint32_t)iotflash_chip_param_int_or(m->chip, "model_pin_group", 1);
	m->syscfg = (uint32_t)iotflash_chip_param_int_or(m->chip, "model_syscfg", 0x510);
	if ((r = configure_monitor(m)) != IOTFLASH_OK)
		return r;
	m->loader_addr = (uint32_t)iotflash_chip_param_int_or(m->chip, "loader_addr", 0x82000);
	m->loader_magic = (uint32_t)iotflash_chip_param_int_or(m->chip, "loader_magic", 0x82021);
	m->ram_base = m->kind == M_AMBD ? AMBD_RAM_BASE : m->kind == M_AMBDP ? M_AMBDP_RAM_BASE : AMBZ_RAM_BASE;
	return IOTFLASH_OK;
}

int rtl_serve(struct iotflash_sim *sim, const struct iotflash_chip *chip)
{
	struct rtl_model *m = calloc(1, sizeof *m);
	int r;

	if (!m)
		return IOTFLASH_ERR_NOMEM;
	m->sim = sim;
	m->chip = chip;
	if ((r = configure(m)) != IOTFLASH_OK)
		goto out;
	do {
		/* RAM is lost at reset; the flash is kept. */
		memset(m->ram, 0, sizeof m->ram);
		m->tx_len = 0;  /* what was not sent yet is lost */
		m->prog = M_PROG_NONE;
		r = m->kind == M_AMBZ2 ? m_shell_power_on(m) : binary_power_on(m);
		if (r == IOTFLASH_SIM_RESET)
			iotflash_sim_log(sim, "rtl87xx: reset");
	} while (r == IOTFLASH_SIM_RESET);
	r = 0;
out:
	free(m);
	return r;
}

const struct iotflash_model_ops rtl87xx_model = {
	.family = "rtl87xx",
	.description = "Realtek Ameba download ROMs (AmebaZ ROM, AmebaZ2 shell, AmebaD ROM + imgtool loader)",
	.serve = rtl_serve,
};
