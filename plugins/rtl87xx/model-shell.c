/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device model of the AmebaZ2 ROM download shell (§7, §12): banner, line
 * commands without echo, DW/DB/EW/EB on a small memory map, `ucfg`, `fwd`
 * with plain XMODEM, `hashq`, `seras`/`ceras`, `disc`, `WDTRST`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "model-internal.h"

#define LINE_MAX 256
#define MAX_ARGS 12
#define FWD_NAK_PERIOD_MS 1000
#define CANCEL_REPLY_MS 20        /* the ROM answers a CAN some ms later [peer] */
#define DUMP_MAX (64u * 1024u)    /* a larger DB/DW is refused in the model */

#define MAP_FLASH 0x98000000u
#define REG_PIN 0x40000038u
#define REG_SYSCFG 0x400001F0u
#define REG_WDT 0x40002800u
#define SPIC_BASE 0x40020000u
#define SPIC_CTRLR1 0x04u
#define SPIC_SSIENR 0x08u
#define SPIC_DR 0x60u
#define RAM_BASE 0x10000000u

static const char download_banner[] =
	"Test Mode: boot_cfg1=0x20\r\n"
	"Download Image over UART2[tx=16,rx=15] baud=115200\r\n";

/* ---- memory map ---- */

uint8_t m_mem_byte(struct rtl_model *m, uint32_t a)
{
	if (a >= MAP_FLASH && a - MAP_FLASH < m->flash_size)
		return m->flash[a - MAP_FLASH];
	if (a >= RAM_BASE && a - RAM_BASE < M_RAM_SIZE)
		return m->ram[a - RAM_BASE];
	if (a >= SPIC_BASE && a - SPIC_BASE < sizeof m->spic)
		return m->spic[a - SPIC_BASE];
	if ((a & ~3u) == REG_PIN)
		return (uint8_t)((m->pin_group << 5) >> (8 * (a & 3)));
	if ((a & ~3u) == REG_SYSCFG)
		return (uint8_t)(m->syscfg >> (8 * (a & 3)));
	if ((a & ~3u) == REG_WDT)
		return (uint8_t)(m->wdt >> (8 * (a & 3)));
	return 0;
}

/* A JEDEC read through the SPI controller, laid out as the GUI reads the
 * data register afterwards (§7.5: MID at +0, capacity at +1, type at +4). */
static void spic_enable(struct rtl_model *m)
{
	uint8_t *dr = m->spic + SPIC_DR;

	if (dr[0] != 0x9F)
		return;
	memset(dr, 0, 16);
	dr[0] = (uint8_t)m->flash_id;
	dr[1] = (uint8_t)(m->flash_id >> 16);
	dr[4] = (uint8_t)(m->flash_id >> 8);
}

static void mem_write_byte(struct rtl_model *m, uint32_t a, uint8_t v)
{
	if (a >= RAM_BASE && a - RAM_BASE < M_RAM_SIZE)
		m->ram[a - RAM_BASE] = v;
	else if (a >= SPIC_BASE && a - SPIC_BASE < sizeof m->spic)
		m->spic[a - SPIC_BASE] = v;
	else if ((a & ~3u) == REG_WDT)
		m->wdt = (m->wdt & ~(0xFFu << (8 * (a & 3)))) | (uint32_t)v << (8 * (a & 3));
}

void m_mem_write_word(struct rtl_model *m, uint32_t a, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		mem_write_byte(m, a + i, (uint8_t)(v >> (8 * i)));
	if (a == SPIC_BASE + SPIC_SSIENR && v == 1)
		spic_enable(m);
}

/* ---- commands ---- */

static bool num(const char *s, int base, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s)
		return false;
	v = strtoul(s, &end, base);
	*out = (uint32_t)v;
	return *end == '\0';
}

static void send_text(struct rtl_model *m, const char *s)
{
	m_send(m, s, strlen(s));
}

static int cmd_ping(struct rtl_model *m, int argc, char **argv)
{
	(void)argc, (void)argv;
	send_text(m, "ping");
	return 0;
}

static bool ucfg_allowed(const struct rtl_model *m, uint32_t baud)
{
	for (unsigned i = 0; i < m->n_ucfg; i++)
		if (m->ucfg_bauds[i] == (int64_t)baud)
			return true;
	return false;
}

static int cmd_ucfg(struct rtl_model *m, int argc, char **argv)
{
	uint32_t baud;

	if (argc < 2 || !num(argv[1], 10, &baud) || !ucfg_allowed(m, baud)) {
		send_text(m, "ER");
		return 0;
	}
	m_set_baud(m, baud);
	m_wait(m, M_UCFG_SETTLE_MS);  /* the host switches meanwhile */
	send_text(m, "OK");
	return 0;
}

int m_dump(struct rtl_model *m, int argc, char **argv, bool words)
{
	uint32_t addr, n;
	size_t cap;
	uint8_t *bytes;
	char *text;

	if (argc < 3 || !num(argv[1], 16, &addr) || !num(argv[2], 10, &n) || n == 0 || n > DUMP_MAX)
		return 0;
	if (words)
		addr &= ~3u;
	cap = (words ? rtl_dw_reply_len(n) : rtl_db_reply_len(n)) + 1;
	bytes = malloc(words ? 4u * n : n);
	text = malloc(cap);
	if (bytes && text) {
		for (uint32_t i = 0; i < (words ? 4u * n : n); i++)
			bytes[i] = m_mem_byte(m, addr + i);
		if (words) {
			uint32_t *w = malloc(4u * n);
			for (uint32_t i = 0; w && i < n; i++)
				w[i] = rtl_get_u32(bytes + 4 * i);
			if (w)
				m_send(m, text, rtl_fmt_dw(text, cap, addr, w, n));
			free(w);
		} else {
			m_send(m, text, rtl_fmt_db(text, cap, addr, bytes, n));
		}
	}
	free(bytes);
	free(text);
	return 0;
}

static int cmd_dw(struct rtl_model *m, int argc, char **argv) { return m_dump(m, argc, argv, true); }
static int cmd_db(struct rtl_model *m, int argc, char **argv) { return m_dump(m, argc, argv, false); }

/* EW/EB: one line per value, as the RTL8710C console source prints them. */
int m_edit(struct rtl_model *m, int argc, char **argv, bool words)
{
	uint32_t addr, v;
	char line[48];

	if (argc < 3 || !num(argv[1], 16, &addr))
		return 0;
	for (int i = 2; i < argc && num(argv[i], 16, &v); i++) {
		uint32_t a = words ? addr + 4u * (uint32_t)(i - 2) : addr + (uint32_t)(i - 2);
		if (words) {
			m_mem_write_word(m, a, v);
			snprintf(line, sizeof line, "0x%08X = 0x%08X\r\n", (unsigned)a, (unsigned)v);
		} else {
			mem_write_byte(m, a, (uint8_t)v);
			snprintf(line, sizeof line, "0x%08X = 0x%02X\r\n", (unsigned)a, (unsigned)(v & 0xFF));
		}
		send_text(m, line);
	}
	return 0;
}

static int cmd_ew(struct rtl_model *m, int argc, char **argv) { return m_edit(m, argc, argv, true); }
static int cmd_eb(struct rtl_model *m, int argc, char **argv) { return m_edit(m, argc, argv, false); }

/* Plain frames go to consecutive offsets; a sector is erased whenever the
 * write position reaches its start (§7.4). */
static bool fwd_sink(struct rtl_model *m, uint32_t addr, const uint8_t *data, size_t n)
{
	(void)addr;
	if (m->fwd_pos + n > m->flash_size) {
		m->session_failed = true;
		return false;
	}
	for (uint32_t s = (m->fwd_pos + RTL_SECTOR - 1) & ~(RTL_SECTOR - 1); s < m->fwd_pos + n; s += RTL_SECTOR) {
		m_busy(m, M_ERASE_SECTOR_US);
		m_flash_erase(m, s, RTL_SECTOR);
	}
	m_flash_program(m, m->fwd_pos, data, n);
	m->fwd_pos += (uint32_t)n;
	return true;
}

/* After a CAN: wait, swallow further CANs, answer "\x18ER" [peer]; `fwd`
 * and `fwdram` both end a cancelled transfer this way. */
int m_answer_cancel(struct rtl_model *m)
{
	uint8_t b;
	int r;

	m_wait(m, CANCEL_REPLY_MS);
	while ((r = m_byte(m, &b, CANCEL_REPLY_MS)) == 1 && b == RTL_CAN)
		;
	if (r < 0)
		return r;
	m_send(m, (const uint8_t[]){ RTL_CAN, 'E', 'R' }, 3);
	return 0;
}

static int cmd_fwd(struct rtl_model *m, int argc, char **argv)
{
	struct m_xm_cfg cfg = {
		.with_addr = false, .nak_period_ms = FWD_NAK_PERIOD_MS, .first_nak = true,
		.quiet_cancel = true, .sink = fwd_sink,
	};
	enum m_xm_end end;
	uint32_t off;
	int r;

	if (argc < 4 || !num(argv[3], 16, &off) || off >= m->flash_size) {
		send_text(m, "ER");
		return 0;
	}
	m->hash_base = off;
	m->fwd_pos = off;
	if ((r = m_xm_receive(m, &cfg, &end)) < 0)
		return r;
	if (end == M_XM_CANCEL || end == M_XM_ABORT)
		return m_answer_cancel(m);
	if (end == M_XM_COMPLETE)
		send_text(m, m->session_failed ? "ER" : "OK");
	return 0;
}

static int cmd_hashq(struct rtl_model *m, int argc, char **argv)
{
	uint8_t reply[6 + SHA256_DIGEST_SIZE];
	struct sha256_ctx sha;
	uint32_t len;

	if (argc < 2 || !num(argv[1], 10, &len))
		return 0;
	if (len > m->flash_size - m->hash_base)
		len = m->flash_size - m->hash_base;
	m_busy(m, (uint64_t)len * 1000000u / M_HASH_BYTES_PER_S);
	sha256_init(&sha);
	sha256_update(&sha, len, m->flash + m->hash_base);
	memcpy(reply, RTL_HASHS, 6);
	sha256_digest(&sha, SHA256_DIGEST_SIZE, reply + 6);
	m_send(m, reply, sizeof reply);
	return 0;
}

static int cmd_seras(struct rtl_model *m, int argc, char **argv)
{
	uint32_t off, len;

	if (argc >= 3 && num(argv[1], 16, &off) && num(argv[2], 16, &len)) {
		for (uint32_t s = off & ~(RTL_SECTOR - 1); s < off + len && s < m->flash_size; s += RTL_SECTOR) {
			m_busy(m, M_ERASE_SECTOR_US);
			m_flash_erase(m, s, RTL_SECTOR);
		}
	}
	send_text(m, "OK");
	return 0;
}

static int cmd_ceras(struct rtl_model *m, int argc, char **argv)
{
	(void)argc, (void)argv;
	m_busy(m, (uint64_t)M_ERASE_BLOCK_US * (m->flash_size / 0x10000));
	m_flash_erase(m, 0, m->flash_size);
	send_text(m, "OK");
	return 0;
}

/* The firmware runs; LibreTiny's reboots into download mode on `ping\n` (§7.1). */
static int cmd_disc(struct rtl_model *m, int argc, char **argv)
{
	static const char wake[] = "ping\n";
	size_t matched = 0;

	(void)argc, (void)argv;
	while (matched < sizeof wake - 1) {
		uint8_t b;
		int r = m_byte(m, &b, -1);
		if (r < 0)
			return r;
		matched = b == (uint8_t)wake[matched] ? matched + 1 : b == (uint8_t)wake[0];
	}
	return IOTFLASH_SIM_RESET;
}

static int cmd_wdtrst(struct rtl_model *m, int argc, char **argv)
{
	(void)m, (void)argc, (void)argv;
	return IOTFLASH_SIM_RESET;
}

struct shell_cmd {
	const char *name;
	int (*run)(struct rtl_model *m, int argc, char **argv);
};

static const struct shell_cmd shell_cmds[] = {
	{ "ping", cmd_ping }, { "ucfg", cmd_ucfg }, { "DW", cmd_dw }, { "DB", cmd_db },
	{ "EW", cmd_ew }, { "EB", cmd_eb }, { "fwd", cmd_fwd }, { "hashq", cmd_hashq },
	{ "fwdram", m_cmd_fwdram }, { "seras", cmd_seras }, { "ceras", cmd_ceras }, { "disc", cmd_disc }, { "WDTRST", cmd_wdtrst },
};

int m_split(char *line, char **argv, int max)
{
	int argc = 0;

	for (char *p = line; p && argc < max;) {
		argv[argc++] = p;
		if ((p = strchr(p, ' ')) != NULL)
			*p++ = '\0';
	}
	return argc;
}

/* Split on single spaces; names are case-sensitive; other names run from
 * the RAM command table (§7.5: how tools start code); unknown: silence [unknown]. */
static int run_line(struct rtl_model *m, char *line)
{
	char *argv[MAX_ARGS];
	int argc = m_split(line, argv, MAX_ARGS), r;

	for (size_t i = 0; i < sizeof shell_cmds / sizeof shell_cmds[0]; i++)
		if (strcmp(argv[0], shell_cmds[i].name) == 0)
			return shell_cmds[i].run(m, argc, argv);
	if (m_table_command(m, argc, argv, &r))
		return r;
	return 0;
}

/* A line ends at LF; a CR before it is dropped; empty lines are ignored. */
static int read_line(struct rtl_model *m, char *line, size_t *len)
{
	*len = 0;
	for (;;) {
		uint8_t b;
		int r = m_byte(m, &b, -1);
		if (r < 0)
			return r;
		if (b == '\n') {
			if (*len && line[*len - 1] == '\r')
				(*len)--;
			if (*len == 0)
				continue;
			line[*len] = '\0';
			return 0;
		}
		if (*len < LINE_MAX - 1)
			line[(*len)++] = (char)b;
	}
}

/* The first lines every boot prints (§7.1), from the version register. */
void m_boot_banner(struct rtl_model *m)
{
	char text[160];
	unsigned ver = (m->syscfg >> 4) & 0xF;

	snprintf(text, sizeof text, "\r\n== Rtl8710c IoT Platform ==\r\nChip VID: %u, Ver: %u\r\nROM Version: v%s\r\n",
	         (unsigned)((m->syscfg >> 8) & 0xF), ver, ver > 2 ? "3.0" : "2.1");
	send_text(m, text);
}

int m_shell_download(struct rtl_model *m)
{
	char line[LINE_MAX];
	size_t len;

	for (;;) {
		int r = read_line(m, line, &len);
		if (r == 0)
			r = run_line(m, line);
		if (r < 0)
			return r;
	}
}

int m_shell_power_on(struct rtl_model *m)
{
	m_set_baud(m, m->chip->link_baud ? m->chip->link_baud : 115200);
	iotflash_sim_discard_input(m->sim);
	memset(m->spic, 0, sizeof m->spic);
	m->wdt = 0;
	m->hash_base = 0;
	m_monitor_table(m);
	m_boot_banner(m);
	if (m->monitor)
		return m_monitor(m);
	send_text(m, download_banner);
	return m_shell_download(m);
}
