/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device model of the Beken BK72xx UART download handler, byte-exact per
 * the bk72xx UART spec: the FULL handler of the BootROM (BK7231N and later)
 * and the LEGACY handler of the flash bootloader (BK7231T/U, BK7252).
 *
 * Life cycle: power-on (115200, optional banner) -> download window; a link
 * check in it enters the handler, otherwise the chip runs its "application",
 * which only reacts to a `reboot` line.  The handler hunts for frames (a
 * parser state machine), dispatches them through a command table and acts
 * on the flash as NOR (erase to 0xFF, program ANDs, addresses wrap). */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "model.h"

/* Chip-side work times: [inferred typical NOR figures], not measured. */
#define ERASE_4K_US      50000u
#define ERASE_64K_US    400000u
#define PAGE_PROGRAM_US   1000u  /* one 256-byte page */
#define SR_WRITE_US       5000u
#define CRC_BYTES_PER_S 400000u

#define DEFAULT_WINDOW_MS    200
#define DEFAULT_READ_LIMIT   0x2000u   /* public LEGACY Beken source */
#define DEFAULT_CHIP_ID_REG  0x800000u
#define IDLE_RESYNC_MS       50        /* FULL: a frame cut short is dropped after this silence */

#define REG_EFUSE_CTRL 0x800074u
#define REG_EFUSE_OPTR 0x800078u
#define EFUSE_START    0x1u
#define EFUSE_VALID    0x100u

/* Simplification: any BP0-BP4 or CMP bit set protects the whole chip (a real
 * part protects a BP/CMP-selected range; tools clear all of them anyway). */
#define SR_PROTECT_MASK 0x407Cu
#define SR1_STATUS_BITS 0x03u  /* WIP, WEL: read-only */

#define PAGE   256u
#define SECTOR 4096u
#define BLOCK  65536u
#define MAX_BODY (1u + 4u + SECTOR)  /* FlashWrite4K: op, address, data */

#define SZ_SECTOR 0x20u
#define SZ_BLOCK  0xD8u

enum bk_status { ST_OK = 0, ST_SHORT = 5, ST_PARAM = 6, ST_UNKNOWN = 7 };
enum bk_family { FAM_FULL = 1, FAM_LEGACY = 2, FAM_BOTH = 3 };

/* ---- frame parser (§2, §10.1-2) ---- */

enum parse_state { P_HUNT, P_E0, P_FC, P_LEN, P_F4, P_LEN_LO, P_LEN_HI, P_BODY };

struct frame_parser {
	enum parse_state state;
	bool is_long;
	uint16_t len;   /* code + payload */
	uint16_t have;
	uint8_t body[MAX_BODY];
};

struct bk_frame {
	bool is_long;
	uint8_t code;
	const uint8_t *payload;
	size_t n;
};

static void parser_reset(struct frame_parser *p)
{
	p->state = P_HUNT;
}

static bool parser_mid_frame(const struct frame_parser *p)
{
	return p->state != P_HUNT;
}

/* The opcode of a long frame cut short, or -1 if none arrived yet. */
static int parser_partial_op(const struct frame_parser *p)
{
	return p->state == P_BODY && p->is_long && p->have > 0 ? p->body[0] : -1;
}

static void parser_start_body(struct frame_parser *p, bool is_long, uint16_t len)
{
	p->is_long = is_long;
	p->len = len;
	p->have = 0;
	p->state = P_BODY;
}

/* Feed one byte; true when it completes a frame (stored in *f).  A byte
 * that breaks the header sends the parser back to hunting without being
 * looked at again, as the LEGACY source does. */
static bool parser_feed(struct frame_parser *p, uint8_t b, struct bk_frame *f)
{
	switch (p->state) {
	case P_HUNT:   p->state = b == 0x01 ? P_E0 : P_HUNT; return false;
	case P_E0:     p->state = b == 0xE0 ? P_FC : P_HUNT; return false;
	case P_FC:     p->state = b == 0xFC ? P_LEN : P_HUNT; return false;
	case P_LEN:
		if (b == 0xFF)
			p->state = P_F4;
		else if (b == 0)
			p->state = P_HUNT;
		else
			parser_start_body(p, false, b);
		return false;
	case P_F4:     p->state = b == 0xF4 ? P_LEN_LO : P_HUNT; return false;
	case P_LEN_LO: p->len = b; p->state = P_LEN_HI; return false;
	case P_LEN_HI: {
		uint16_t len = (uint16_t)(p->len | b << 8);
		if (len == 0 || len > MAX_BODY)
			p->state = P_HUNT;
		else
			parser_start_body(p, true, len);
		return false;
	}
	case P_BODY:
		p->body[p->have++] = b;
		if (p->have < p->len)
			return false;
		p->state = P_HUNT;
		f->is_long = p->is_long;
		f->code = p->body[0];
		f->payload = p->body + 1;
		f->n = p->len - 1u;
		return true;
	}
	return false;
}

/* ---- the chip ---- */

struct bk_model {
	struct iotflash_sim *sim;
	const struct iotflash_chip *chip;
	/* personality, from the chip database */
	enum bk_family family;
	uint32_t chip_id, chip_id_reg;
	uint8_t efuse[16];
	uint32_t read_limit;       /* LEGACY only; 0 on FULL */
	uint32_t flash_id;
	unsigned window_ms;
	const char *boot_version;  /* LEGACY Tuya, or NULL */
	const char *banner;
	/* flash and its non-volatile status registers */
	uint8_t *flash;
	uint32_t flash_size;
	uint8_t sr[3];
	/* volatile: lost on reset */
	bool legacy_locked;        /* §5.3: flash "protect all" after a CRC */
	bool unlock_armed;         /* a link check arms unprotect-on-erase */
	uint32_t efuse_ctrl, efuse_optr;
	struct frame_parser parser;
	uint8_t in[1024];
	size_t in_pos, in_len;
	uint8_t out[9 + 2 + 4 + SECTOR];
};

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* ---- UART ---- */

/* One byte: 1, 0 on timeout, or IOTFLASH_SIM_STOP / IOTFLASH_SIM_RESET. */
static int uart_byte(struct bk_model *m, uint8_t *b, int timeout_ms)
{
	if (m->in_pos == m->in_len) {
		int r = iotflash_sim_read(m->sim, m->in, sizeof m->in, timeout_ms);
		if (r <= 0)
			return r;
		m->in_pos = 0;
		m->in_len = (size_t)r;
	}
	*b = m->in[m->in_pos++];
	return 1;
}

/* Bytes already taken from the host but not yet looked at are lost (reset)
 * or were sent at the old rate (baud switch). */
static void uart_drop_received(struct bk_model *m)
{
	m->in_pos = m->in_len = 0;
}

static void reply_short(struct bk_model *m, uint8_t cmd, const uint8_t *payload, size_t n)
{
	uint8_t buf[7 + 255];
	buf[0] = 0x04;
	buf[1] = 0x0E;
	buf[2] = (uint8_t)(4 + n);
	buf[3] = 0x01;
	buf[4] = 0xE0;
	buf[5] = 0xFC;
	buf[6] = cmd;
	memcpy(buf + 7, payload, n);
	iotflash_sim_write(m->sim, buf, 7 + n);
}

static void reply_long(struct bk_model *m, uint8_t op, uint8_t status, const uint8_t *payload, size_t n)
{
	static const uint8_t head[] = { 0x04, 0x0E, 0xFF, 0x01, 0xE0, 0xFC, 0xF4 };
	uint8_t *buf = m->out;
	memcpy(buf, head, sizeof head);
	buf[7] = (uint8_t)(2 + n);
	buf[8] = (uint8_t)((2 + n) >> 8);
	buf[9] = op;
	buf[10] = status;
	if (n)
		memmove(buf + 11, payload, n);
	iotflash_sim_write(m->sim, buf, 11 + n);
}

/* ---- flash (NOR, mirrored modulo its size) ---- */

static uint32_t flash_wrap(const struct bk_model *m, uint32_t addr)
{
	return addr % m->flash_size;
}

static bool flash_protected(const struct bk_model *m)
{
	if (m->family == FAM_LEGACY)
		return m->legacy_locked;
	uint32_t sr = m->sr[0] | (uint32_t)m->sr[1] << 8 | (uint32_t)m->sr[2] << 16;
	return (sr & SR_PROTECT_MASK) != 0;
}

static void flash_read(const struct bk_model *m, uint32_t addr, uint8_t *dst, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = m->flash[flash_wrap(m, addr + (uint32_t)i)];
}

/* Protected flash ignores the command: no change, no busy time. */
static void flash_program(struct bk_model *m, uint32_t addr, const uint8_t *src, size_t n)
{
	if (flash_protected(m))
		return;
	for (size_t i = 0; i < n; i++)
		m->flash[flash_wrap(m, addr + (uint32_t)i)] &= src[i];
	iotflash_sim_busy(m->sim, (uint64_t)((n + PAGE - 1) / PAGE) * PAGE_PROGRAM_US);
}

static void flash_erase(struct bk_model *m, uint32_t addr, uint32_t unit)
{
	if (flash_protected(m))
		return;
	uint32_t base = flash_wrap(m, addr) & ~(unit - 1);
	uint32_t len = unit < m->flash_size - base ? unit : m->flash_size - base;
	memset(m->flash + base, 0xFF, len);
	iotflash_sim_busy(m->sim, unit == BLOCK ? ERASE_64K_US : ERASE_4K_US);
}

/* ~zlib crc32 (init ~0, no final xor) over len bytes from start, wrapping. */
static uint32_t flash_crc(struct bk_model *m, uint32_t start, uint64_t len)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	uint32_t pos = flash_wrap(m, start);
	iotflash_sim_busy(m->sim, len * 1000000u / CRC_BYTES_PER_S);
	while (len > 0) {
		uint32_t chunk = m->flash_size - pos;
		if (chunk > len)
			chunk = (uint32_t)len;
		crc = crc32(crc, m->flash + pos, chunk);
		len -= chunk;
		pos = 0;
	}
	return (uint32_t)crc ^ 0xFFFFFFFFu;
}

/* ---- registers (FULL, §3.3, §8) ---- */

static uint32_t reg_read(const struct bk_model *m, uint32_t addr)
{
	if (addr == m->chip_id_reg)
		return m->chip_id;
	if (addr == REG_EFUSE_CTRL)
		return m->efuse_ctrl;
	if (addr == REG_EFUSE_OPTR)
		return m->efuse_optr;
	return 0;
}

/* Writing the start bit to the eFuse ctrl register reads byte (v >> 8) & 0x1F
 * into optr at once, so the start bit reads back as already cleared. */
static void reg_write(struct bk_model *m, uint32_t addr, uint32_t v)
{
	if (addr != REG_EFUSE_CTRL)
		return;
	if (v & EFUSE_START) {
		unsigned idx = (v >> 8) & 0x1F;
		m->efuse_optr = EFUSE_VALID | (idx < sizeof m->efuse ? m->efuse[idx] : 0);
	}
	m->efuse_ctrl = v & ~EFUSE_START;
}

/* ---- short commands (§3) ---- */

static int cmd_link_check(struct bk_model *m, const uint8_t *p, size_t n)
{
	static const uint8_t ok = 0;
	reply_short(m, 0x01, &ok, 1);
	m->unlock_armed = true;
	return 0;
}

static int cmd_write_reg(struct bk_model *m, const uint8_t *p, size_t n)
{
	reg_write(m, get_le32(p), get_le32(p + 4));
	reply_short(m, 0x01, p, 8);
	return 0;
}

static int cmd_read_reg(struct bk_model *m, const uint8_t *p, size_t n)
{
	uint8_t r[8];
	memcpy(r, p, 4);
	put_le32(r + 4, reg_read(m, get_le32(p)));
	reply_short(m, 0x03, r, sizeof r);
	return 0;
}

static int cmd_reboot(struct bk_model *m, const uint8_t *p, size_t n)
{
	if (p[0] == 0xA5)
		return IOTFLASH_SIM_RESET;
	reply_short(m, 0x0E, p, 1);
	return 0;
}

/* Switch at once, wait DD, answer at the new rate only (§3.2). */
static int cmd_set_baud(struct bk_model *m, const uint8_t *p, size_t n)
{
	uint32_t baud = get_le32(p);
	unsigned dd = p[4];
	if (baud == 0)
		return 0;
	iotflash_sim_set_baud(m->sim, baud);
	uart_drop_received(m);
	iotflash_sim_log(m->sim, "bk72xx: baud %u, reply after DD=%u", baud, dd);
	iotflash_sim_wait(m->sim, m->family == FAM_LEGACY ? (dd + 1) * 2 : dd);
	reply_short(m, 0x0F, p, 5);
	return 0;
}

/* FULL: bytes start..end inclusive; LEGACY: whole 256-byte pages of that
 * length; the length comes from the raw addresses (mirror-safe, §3.9). */
static int cmd_check_crc(struct bk_model *m, const uint8_t *p, size_t n)
{
	uint32_t start = get_le32(p), end = get_le32(p + 4);
	uint64_t len = end >= start ? (uint64_t)end - start + 1 : 0;
	uint8_t r[4];
	if (m->family == FAM_LEGACY)
		len -= len % PAGE;
	put_le32(r, flash_crc(m, start, len));
	reply_short(m, 0x10, r, sizeof r);
	if (m->family == FAM_LEGACY) {
		m->legacy_locked = true;
		m->unlock_armed = false;
	}
	return 0;
}

/* LEGACY Tuya only; without a version the bootloader does not know it. */
static int cmd_boot_version(struct bk_model *m, const uint8_t *p, size_t n)
{
	if (m->boot_version)
		reply_short(m, 0x11, (const uint8_t *)m->boot_version, strlen(m->boot_version));
	return 0;
}

static int cmd_stay_rom(struct bk_model *m, const uint8_t *p, size_t n)
{
	if (p[0] == 0x55)
		reply_short(m, 0xAA, p, 1);
	return 0;
}

static int cmd_reset_sean(struct bk_model *m, const uint8_t *p, size_t n)
{
	return memcmp(p, "SEAN", 4) == 0 ? IOTFLASH_SIM_RESET : 0;
}

/* ---- long commands (§3) ---- */

static bool legacy_below_limit(const struct bk_model *m, uint32_t addr)
{
	return m->family == FAM_LEGACY && addr < m->read_limit;
}

static int op_flash_write(struct bk_model *m, const uint8_t *p, size_t n)
{
	uint32_t addr = get_le32(p);
	size_t count = n - 4;
	uint8_t r[5];
	memcpy(r, p, 4);
	r[4] = (uint8_t)count;  /* one byte: 256 echoes as 0 */
	if (legacy_below_limit(m, addr)) {
		reply_long(m, 0x06, ST_PARAM, r, sizeof r);
		return 0;
	}
	flash_program(m, addr, p + 4, count);
	reply_long(m, 0x06, ST_OK, r, sizeof r);
	return 0;
}

static int op_flash_write_4k(struct bk_model *m, const uint8_t *p, size_t n)
{
	uint32_t addr = get_le32(p);
	uint8_t r[4];
	memcpy(r, p, 4);
	if (legacy_below_limit(m, addr)) {
		/* the LEGACY source puts its limit's low half into the echo */
		r[0] = (uint8_t)m->read_limit;
		r[1] = (uint8_t)(m->read_limit >> 8);
		reply_long(m, 0x07, ST_PARAM, r, sizeof r);
		return 0;
	}
	flash_program(m, addr, p + 4, SECTOR);
	reply_long(m, 0x07, ST_OK, r, sizeof r);
	return 0;
}

static int op_flash_read_4k(struct bk_model *m, const uint8_t *p, size_t n)
{
	uint32_t addr = get_le32(p);
	uint8_t *r = m->out + 11;  /* built in place: reply_long moves nothing */
	memcpy(r, p, 4);
	if (legacy_below_limit(m, addr)) {
		r[4] = 0;
		reply_long(m, 0x09, ST_PARAM, r, 5);
		return 0;
	}
	flash_read(m, addr, r + 4, SECTOR);
	reply_long(m, 0x09, ST_OK, r, 4 + SECTOR);
	return 0;
}

static int op_flash_erase_4k(struct bk_model *m, const uint8_t *p, size_t n)
{
	flash_erase(m, get_le32(p), SECTOR);
	reply_long(m, 0x0B, ST_OK, p, 4);
	return 0;
}

static int op_read_sr(struct bk_model *m, const uint8_t *p, size_t n)
{
	uint8_t r[2] = { p[0], 0xFF };  /* unknown opcode: the bus floats high */
	if (p[0] == 0x05)
		r[1] = m->sr[0];
	else if (p[0] == 0x35)
		r[1] = m->sr[1];
	else if (p[0] == 0x15)
		r[1] = m->sr[2];
	reply_long(m, 0x0C, ST_OK, r, sizeof r);
	return 0;
}

/* p[0] is the SPI write opcode: 0x01 writes SR1 [and SR2], 0x31 SR2, 0x11 SR3. */
static int op_write_sr(struct bk_model *m, const uint8_t *p, size_t n)
{
	if (p[0] == 0x01) {
		m->sr[0] = (uint8_t)((m->sr[0] & SR1_STATUS_BITS) | (p[1] & ~SR1_STATUS_BITS));
		if (n == 3)
			m->sr[1] = p[2];
	} else if (p[0] == 0x31 && n == 2) {
		m->sr[1] = p[1];
	} else if (p[0] == 0x11 && n == 2) {
		m->sr[2] = p[1];
	}
	iotflash_sim_busy(m->sim, SR_WRITE_US);
	reply_long(m, 0x0D, ST_OK, p, n);
	return 0;
}

/* The 4 bytes clocked in while 9F 00 00 00 goes out: don't-care, M, T, C. */
static int op_get_mid(struct bk_model *m, const uint8_t *p, size_t n)
{
	uint8_t r[4] = { 0x00, 0xFF, 0xFF, 0xFF };
	if (p[0] == 0x9F) {
		r[1] = (uint8_t)m->flash_id;
		r[2] = (uint8_t)(m->flash_id >> 8);
		r[3] = (uint8_t)(m->flash_id >> 16);
	}
	reply_long(m, 0x0E, ST_OK, r, sizeof r);
	return 0;
}

/* LEGACY: the first erase after a link check lifts the CRC lock (§5.3). */
static int op_flash_erase(struct bk_model *m, const uint8_t *p, size_t n)
{
	uint8_t sz = p[0];
	uint32_t addr = get_le32(p + 1);
	uint32_t unit = sz == SZ_SECTOR ? SECTOR : sz == SZ_BLOCK ? BLOCK : 0;
	if (legacy_below_limit(m, addr)) {
		reply_long(m, 0x0F, ST_PARAM, p, 5);
		return 0;
	}
	if (m->family == FAM_LEGACY && m->unlock_armed) {
		m->legacy_locked = false;
		m->unlock_armed = false;
	}
	if (unit == 0) {
		if (m->family == FAM_LEGACY)
			reply_long(m, 0x0F, ST_OK, p, 5);
		return 0;
	}
	flash_erase(m, addr, unit);
	reply_long(m, 0x0F, ST_OK, p, 5);
	return 0;
}

/* ---- command table and dispatch ---- */

struct bk_command {
	bool is_long;
	uint8_t code;
	enum bk_family families;
	uint16_t min_n, max_n;  /* payload bytes after the code */
	int (*run)(struct bk_model *m, const uint8_t *p, size_t n);
};

static const struct bk_command bk_commands[] = {
	{ false, 0x00, FAM_BOTH,   0, 0,          cmd_link_check },
	{ false, 0x01, FAM_FULL,   8, 8,          cmd_write_reg },
	{ false, 0x03, FAM_FULL,   4, 4,          cmd_read_reg },
	{ false, 0x0E, FAM_BOTH,   1, 1,          cmd_reboot },
	{ false, 0x0F, FAM_BOTH,   5, 5,          cmd_set_baud },
	{ false, 0x10, FAM_BOTH,   8, 8,          cmd_check_crc },
	{ false, 0x11, FAM_LEGACY, 0, 0,          cmd_boot_version },
	{ false, 0x70, FAM_FULL,   4, 4,          cmd_reset_sean },
	{ false, 0xAA, FAM_FULL,   1, 1,          cmd_stay_rom },
	{ true,  0x06, FAM_BOTH,   5, 4 + PAGE,   op_flash_write },
	{ true,  0x07, FAM_BOTH,   4 + SECTOR, 4 + SECTOR, op_flash_write_4k },
	{ true,  0x09, FAM_BOTH,   4, 4,          op_flash_read_4k },
	{ true,  0x0B, FAM_FULL,   4, 4,          op_flash_erase_4k },
	{ true,  0x0C, FAM_FULL,   1, 1,          op_read_sr },
	{ true,  0x0D, FAM_FULL,   2, 3,          op_write_sr },
	{ true,  0x0E, FAM_FULL,   4, 4,          op_get_mid },
	{ true,  0x0F, FAM_BOTH,   5, 5,          op_flash_erase },
};

static const struct bk_command *command_find(bool is_long, uint8_t code)
{
	for (size_t i = 0; i < sizeof bk_commands / sizeof bk_commands[0]; i++)
		if (bk_commands[i].is_long == is_long && bk_commands[i].code == code)
			return &bk_commands[i];
	return NULL;
}

/* FULL names an unknown command with status 7; LEGACY stays silent. */
static void reply_unknown(struct bk_model *m, const struct bk_frame *f)
{
	static const uint8_t unknown = ST_UNKNOWN;
	if (m->family == FAM_LEGACY)
		return;
	if (f->is_long)
		reply_long(m, f->code, ST_UNKNOWN, NULL, 0);
	else
		reply_short(m, f->code, &unknown, 1);
}

/* 0, or IOTFLASH_SIM_RESET when the command resets the chip.  A known
 * command with a payload of the wrong size is dropped. */
static int dispatch(struct bk_model *m, const struct bk_frame *f)
{
	const struct bk_command *c = command_find(f->is_long, f->code);
	if (!c || !(c->families & m->family)) {
		reply_unknown(m, f);
		return 0;
	}
	if (f->n < c->min_n || f->n > c->max_n)
		return 0;
	return c->run(m, f->payload, f->n);
}

static bool is_link_check(const struct bk_frame *f)
{
	return !f->is_long && f->code == 0x00 && f->n == 0;
}

/* ---- life cycle ---- */

/* FULL drops a frame the UART went quiet in; a long one gets status 5. */
static void frame_cut_short(struct bk_model *m)
{
	int op = parser_partial_op(&m->parser);
	if (op >= 0)
		reply_long(m, (uint8_t)op, ST_SHORT, NULL, 0);
	parser_reset(&m->parser);
}

/* The download handler, until reset or stop. LEGACY never gives up on a
 * frame: what follows a truncated one is swallowed as its payload. */
static int handler_loop(struct bk_model *m)
{
	for (;;) {
		bool resync = m->family == FAM_FULL && parser_mid_frame(&m->parser);
		struct bk_frame f;
		uint8_t b;
		int r = uart_byte(m, &b, resync ? IDLE_RESYNC_MS : -1);
		if (r < 0)
			return r;
		if (r == 0) {
			frame_cut_short(m);
			continue;
		}
		if (parser_feed(&m->parser, b, &f)) {
			r = dispatch(m, &f);
			if (r != 0)
				return r;
		}
	}
}

/* "Application" mode: only a `reboot` line (CR optional) does anything.
 * Binary noise (e.g. link checks) clears the line being typed. */
static int app_mode(struct bk_model *m)
{
	char line[16];
	size_t n = 0;
	iotflash_sim_log(m->sim, "bk72xx: no link check in the window, application running");
	for (;;) {
		uint8_t b;
		int r = uart_byte(m, &b, -1);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		if (b == '\n') {
			if (n > 0 && line[n - 1] == '\r')
				n--;
			if (n == 6 && memcmp(line, "reboot", 6) == 0)
				return IOTFLASH_SIM_RESET;
			n = 0;
		} else if (b == '\r' || (b >= 0x20 && b < 0x7F)) {
			if (n < sizeof line)
				line[n++] = (char)b;
		} else {
			n = 0;
		}
	}
}

/* A LEGACY chip without its bootloader never answers. */
static int bricked(struct bk_model *m)
{
	iotflash_sim_log(m->sim, "bk72xx: no bootloader in flash, chip is silent");
	for (;;) {
		uint8_t b;
		int r = uart_byte(m, &b, -1);
		if (r < 0)
			return r;
	}
}

static bool bootloader_missing(const struct bk_model *m)
{
	for (uint32_t i = 0; i < SECTOR && i < m->flash_size; i++)
		if (m->flash[i] != 0xFF)
			return false;
	return true;
}

enum { WINDOW_CLOSED = 0, WINDOW_LINKED = 1 };

/* Any received byte keeps the window open; a link check enters the handler. */
static int download_window(struct bk_model *m)
{
	uint64_t deadline = iotflash_sim_now_ms() + m->window_ms;
	for (;;) {
		uint64_t now = iotflash_sim_now_ms();
		struct bk_frame f;
		uint8_t b;
		if (now >= deadline)
			return WINDOW_CLOSED;
		int r = uart_byte(m, &b, (int)(deadline - now));
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		deadline = iotflash_sim_now_ms() + m->window_ms;
		if (parser_feed(&m->parser, b, &f) && is_link_check(&f)) {
			cmd_link_check(m, f.payload, f.n);
			return WINDOW_LINKED;
		}
	}
}

/* From reset until the next reset (IOTFLASH_SIM_RESET) or stop. */
static int power_on(struct bk_model *m)
{
	iotflash_sim_set_baud(m->sim, m->chip->link_baud ? m->chip->link_baud : 115200);
	uart_drop_received(m);
	parser_reset(&m->parser);
	m->legacy_locked = true;
	m->unlock_armed = false;
	m->efuse_ctrl = m->efuse_optr = 0;
	if (m->family == FAM_LEGACY && bootloader_missing(m))
		return bricked(m);
	if (m->banner) {
		size_t n = strlen(m->banner);
		char *line = malloc(n + 2);
		if (line) {  /* the banner line leaves in one piece */
			memcpy(line, m->banner, n);
			memcpy(line + n, "\r\n", 2);
			iotflash_sim_write(m->sim, line, n + 2);
			free(line);
		}
	}
	int r = download_window(m);
	if (r == WINDOW_LINKED)
		return handler_loop(m);
	if (r == WINDOW_CLOSED)
		return app_mode(m);
	return r;
}

/* ---- personality from the chip database ---- */

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four coefficients printed "%08x", concatenated; eFuse bytes are their LE bytes. */
static bool parse_efuse_key(const char *s, uint8_t efuse[16])
{
	if (strlen(s) != 32)
		return false;
	for (unsigned k = 0; k < 4; k++) {
		uint32_t word = 0;
		for (unsigned j = 0; j < 8; j++) {
			int d = hex_digit(s[k * 8 + j]);
			if (d < 0)
				return false;
			word = word << 4 | (uint32_t)d;
		}
		put_le32(efuse + 4 * k, word);
	}
	return true;
}

static uint32_t default_flash_id(uint32_t size)
{
	unsigned log2 = 0;
	while (log2 < 31 && (1u << (log2 + 1)) <= size)
		log2++;
	return 0x0060EBu | (uint32_t)log2 << 16;  /* TH25Q-style id of that size */
}

static int configure_family(struct bk_model *m)
{
	const char *proto = m->chip->protocol;
	if (proto && strcmp(proto, "full") == 0)
		m->family = FAM_FULL;
	else if (proto && strcmp(proto, "legacy") == 0)
		m->family = FAM_LEGACY;
	else {
		iotflash_sim_log(m->sim, "bk72xx: %s: protocol '%s' is neither full nor legacy",
		                 m->chip->name, proto ? proto : "");
		return IOTFLASH_ERR_CHIPDB;
	}
	return IOTFLASH_OK;
}

static int configure(struct bk_model *m)
{
	const struct iotflash_chip *chip = m->chip;
	const char *key = iotflash_chip_param_str(chip, "efuse_key");
	uint32_t sr;
	int err = configure_family(m);
	if (err)
		return err;
	m->flash = iotflash_sim_flash(m->sim, &m->flash_size);
	if (!m->flash || m->flash_size < BLOCK) {
		iotflash_sim_log(m->sim, "bk72xx: flash missing or smaller than 64 KiB");
		return IOTFLASH_ERR_INTERNAL;
	}
	if (key && !parse_efuse_key(key, m->efuse)) {
		iotflash_sim_log(m->sim, "bk72xx: %s: efuse_key is not 32 hex digits", chip->name);
		return IOTFLASH_ERR_CHIPDB;
	}
	m->chip_id = (uint32_t)iotflash_chip_param_int_or(chip, "chip_id", 0);
	m->chip_id_reg = (uint32_t)iotflash_chip_param_int_or(chip, "chip_id_regs", DEFAULT_CHIP_ID_REG);
	m->read_limit = m->family == FAM_LEGACY
	                ? (uint32_t)iotflash_chip_param_int_or(chip, "read_limit", DEFAULT_READ_LIMIT) : 0;
	m->flash_id = (uint32_t)iotflash_chip_param_int_or(chip, "model_flash_id", default_flash_id(m->flash_size));
	m->window_ms = (unsigned)iotflash_chip_param_int_or(chip, "model_window_ms", DEFAULT_WINDOW_MS);
	m->boot_version = iotflash_chip_param_str(chip, "model_boot_version");
	m->banner = iotflash_chip_param_str(chip, "model_banner");
	sr = (uint32_t)iotflash_chip_param_int_or(chip, "model_sr", 0);
	m->sr[0] = (uint8_t)sr;
	m->sr[1] = (uint8_t)(sr >> 8);
	m->sr[2] = (uint8_t)(sr >> 16);
	return IOTFLASH_OK;
}

static int bk_serve(struct iotflash_sim *sim, const struct iotflash_chip *chip)
{
	struct bk_model *m = calloc(1, sizeof *m);
	int r;
	if (!m)
		return IOTFLASH_ERR_NOMEM;
	m->sim = sim;
	m->chip = chip;
	r = configure(m);
	if (r)
		goto out;
	do {
		r = power_on(m);
		if (r == IOTFLASH_SIM_RESET)
			iotflash_sim_log(sim, "bk72xx: reset");
	} while (r == IOTFLASH_SIM_RESET);
	r = 0;
out:
	free(m);
	return r;
}

const struct iotflash_model_ops bk72xx_model = {
	.family = "bk72xx",
	.description = "Beken BK72xx UART download handler (FULL BootROM, LEGACY bootloader)",
	.serve = bk_serve,
};
