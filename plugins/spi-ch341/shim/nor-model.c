/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* SPI NOR flash model, see nor-model.h. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "nor-model.h"

enum {
	OP_RDID = 0x9F, OP_RDSR1 = 0x05, OP_RDSR2 = 0x35, OP_RDSR3 = 0x15, OP_WREN = 0x06, OP_WRDI = 0x04,
	OP_WRSR = 0x01, OP_WRSR2 = 0x31, OP_READ = 0x03, OP_FAST_READ = 0x0B, OP_PP = 0x02,
	OP_SE = 0x20, OP_BE32 = 0x52, OP_BE64 = 0xD8, OP_CE1 = 0x60, OP_CE2 = 0xC7, OP_REMS = 0x90, OP_RES = 0xAB,
};

#define SR1_WIP 0x01
#define SR1_WEL 0x02
#define SR1_SRP0 0x80
#define SR2_CMP 0x40
#define SR1_WRITABLE 0xFC
#define SR2_WRITABLE 0x43    /* SRL, QE, CMP; LB bits are OTP */
#define ADDR_BYTES 3

#define LOG(m, ...) do { if ((m)->cfg.log) (m)->cfg.log((m)->cfg.log_user, __VA_ARGS__); } while (0)

static bool has_sr2(const struct nor_model *m) { return m->cfg.style == NOR_STYLE_WINBOND; }

void nor_model_init(struct nor_model *m, const struct nor_model_cfg *cfg, uint8_t *mem)
{
	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	m->mem = mem;
	m->sr1 = (uint8_t)(cfg->sr & SR1_WRITABLE);
	m->sr2 = has_sr2(m) ? (uint8_t)(cfg->sr >> 8) : 0;
}

bool nor_model_busy(const struct nor_model *m, uint64_t now)
{
	return now < m->busy_until || m->busy_polls > 0;
}

bool nor_model_protected(const struct nor_model *m)
{
	if (m->cfg.style == NOR_STYLE_EON)
		return (m->sr1 & 0x3C) != 0;
	unsigned bp = (m->sr1 >> 2) & 7;
	/* BP with CMP = 0, or CMP = 1 unless BP inverts it to nothing. */
	return (m->sr2 & SR2_CMP) ? bp != 7 : bp != 0;
}

/* An operation that has finished clears WEL (§3.1). */
static void settle(struct nor_model *m, uint64_t now)
{
	if (m->busy_until && !nor_model_busy(m, now)) {
		m->busy_until = 0;
		m->wel = false;
	}
}

static uint8_t sr1_live(struct nor_model *m, uint64_t now)
{
	settle(m, now);
	bool busy = nor_model_busy(m, now);
	return (uint8_t)(m->sr1 | (m->wel ? SR1_WEL : 0) | (busy ? SR1_WIP : 0));
}

void nor_model_select(struct nor_model *m, uint64_t now)
{
	settle(m, now);
	m->selected = true;
	m->count = 0;
	m->addr = 0;
	m->ignored = false;
	m->page_bytes = 0;
	memset(m->page_set, 0, sizeof(m->page_set));
}

static uint8_t id_byte(const struct nor_model *m, unsigned i)
{
	return (uint8_t)(m->cfg.jedec >> (8 * (i % 3)));
}

static uint8_t device_id(const struct nor_model *m)
{
	return (uint8_t)((m->cfg.jedec >> 16) - 1);  /* W25Q32: EF 15 (§3.1) */
}

static uint8_t data_byte(struct nor_model *m, uint32_t k)
{
	return m->mem[(m->addr + k) % m->cfg.size];
}

static uint8_t output_byte(struct nor_model *m, uint32_t n, uint8_t mosi, uint64_t now)
{
	switch (m->op) {
	case OP_RDID: return id_byte(m, n - 1);
	case OP_RDSR1: return sr1_live(m, now);
	case OP_RDSR2: return has_sr2(m) ? m->sr2 : 0xFF;
	case OP_RDSR3: return has_sr2(m) ? 0x00 : 0xFF;
	case OP_READ: return n > ADDR_BYTES ? data_byte(m, n - 4) : 0xFF;
	case OP_FAST_READ: return n > ADDR_BYTES + 1 ? data_byte(m, n - 5) : 0xFF;
	case OP_REMS: {
		if (n <= ADDR_BYTES)
			return 0xFF;
		bool dev_first = m->addr & 1;
		return ((n - 4) % 2 == 0) == dev_first ? device_id(m) : id_byte(m, 0);
	}
	case OP_RES: return n > ADDR_BYTES ? device_id(m) : 0xFF;
	case OP_PP:
		if (n > ADDR_BYTES) {
			uint32_t i = (m->addr + n - 4) % 256;  /* wraps within the page */
			m->page[i] = mosi;
			m->page_set[i] = true;
			m->page_bytes++;
		}
		return 0xFF;
	default:
		if (n - 1 < sizeof(m->data))
			m->data[n - 1] = mosi;
		return 0xFF;
	}
}

uint8_t nor_model_byte(struct nor_model *m, uint8_t mosi, uint64_t now)
{
	uint32_t n;

	if (!m->selected)
		return 0xFF;
	n = m->count++;
	if (n == 0) {
		m->op = mosi;
		/* While busy only the status reads are heard (a WREN is lost, §5.6). */
		m->ignored = nor_model_busy(m, now) && mosi != OP_RDSR1 && mosi != OP_RDSR2 && mosi != OP_RDSR3;
		if (m->ignored)
			LOG(m, "flash busy: command %02x ignored", mosi);
		return 0xFF;
	}
	if (m->ignored)
		return 0xFF;
	if (n <= ADDR_BYTES && m->op != OP_RDID && m->op != OP_RDSR1 && m->op != OP_RDSR2 && m->op != OP_RDSR3)
		m->addr = (m->addr << 8 | mosi) & 0xFFFFFF;
	return output_byte(m, n, mosi, now);
}

static void start_busy(struct nor_model *m, uint64_t now, uint64_t us)
{
	m->busy_until = now + (m->cfg.timing ? us : 0);
	if (!m->busy_until)
		m->busy_until = 1;  /* marks an operation whose end clears WEL */
	m->busy_polls = m->cfg.min_busy_polls;
}

static bool refuse(struct nor_model *m, const char *why)
{
	LOG(m, "flash: command %02x refused: %s", m->op, why);
	m->wel = false;
	return false;
}

static void commit_wrsr(struct nor_model *m, uint64_t now, uint32_t n)
{
	if ((m->sr1 & SR1_SRP0) && m->cfg.wp_low) {
		refuse(m, "status registers locked (SRP0 with WP# low)");
		return;
	}
	if (m->op == OP_WRSR2) {
		if (has_sr2(m))
			m->sr2 = (uint8_t)((m->sr2 & ~SR2_WRITABLE) | (m->data[0] & SR2_WRITABLE));
	} else {
		m->sr1 = m->data[0] & SR1_WRITABLE;
		if (n >= 3 && has_sr2(m))
			m->sr2 = (uint8_t)((m->sr2 & ~SR2_WRITABLE) | (m->data[1] & SR2_WRITABLE));
	}
	start_busy(m, now, NOR_T_WRSR_US);
}

static void commit_pp(struct nor_model *m, uint64_t now)
{
	uint32_t base = m->addr & ~0xFFu;
	if (nor_model_protected(m)) {
		refuse(m, "address is write-protected");
		return;
	}
	for (unsigned i = 0; i < 256; i++)
		if (m->page_set[i])
			m->mem[(base + i) % m->cfg.size] &= m->page[i];  /* programming only clears bits */
	start_busy(m, now, NOR_T_PP_US);
}

static void commit_erase(struct nor_model *m, uint64_t now, uint32_t unit, uint64_t us)
{
	if (nor_model_protected(m)) {
		refuse(m, "write-protected");
		return;
	}
	uint32_t start = unit >= m->cfg.size ? 0 : (m->addr % m->cfg.size) & ~(unit - 1);
	memset(m->mem + start, 0xFF, unit >= m->cfg.size ? m->cfg.size : unit);
	start_busy(m, now, us);
}

/* Write-type commands run here, on the CS rising edge, when the frame had
 * its minimum length and WEL was set (SIM-F3). */
static void commit(struct nor_model *m, uint64_t now, uint32_t n)
{
	bool needs_wel = m->op != OP_WREN && m->op != OP_WRDI;

	if (needs_wel && !m->wel) {
		LOG(m, "flash: command %02x without WEL ignored", m->op);
		return;
	}
	switch (m->op) {
	case OP_WREN: m->wel = true; break;
	case OP_WRDI: m->wel = false; break;
	case OP_WRSR: if (n >= 2) commit_wrsr(m, now, n); break;
	case OP_WRSR2: if (n >= 2) commit_wrsr(m, now, n); break;
	case OP_PP: if (n >= 5) commit_pp(m, now); break;
	case OP_SE: if (n >= 4) commit_erase(m, now, 4096, NOR_T_SE_US); break;
	case OP_BE32: if (n >= 4) commit_erase(m, now, 32768, NOR_T_BE32_US); break;
	case OP_BE64: if (n >= 4) commit_erase(m, now, 65536, NOR_T_BE64_US); break;
	case OP_CE1:
	case OP_CE2:
		commit_erase(m, now, m->cfg.size, (uint64_t)NOR_T_CE_PER_MIB_US * (m->cfg.size >> 20));
		break;
	default: break;
	}
}

void nor_model_deselect(struct nor_model *m, uint64_t now)
{
	if (!m->selected)
		return;
	m->selected = false;
	if (m->count == 0 || m->ignored)
		return;
	/* A status read that got its byte counts as one busy poll (SIM-F4). */
	if (m->op == OP_RDSR1 && m->count >= 2 && m->busy_polls > 0)
		m->busy_polls--;
	switch (m->op) {
	case OP_WREN: case OP_WRDI: case OP_WRSR: case OP_WRSR2: case OP_PP:
	case OP_SE: case OP_BE32: case OP_BE64: case OP_CE1: case OP_CE2:
		commit(m, now, m->count);
		break;
	default:
		break;
	}
}
