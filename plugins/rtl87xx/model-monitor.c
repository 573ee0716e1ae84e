/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device model of the AmebaZ2 ROM monitor, the "fallback" the chip boots
 * into without the download strap on an empty flash (§7.2, §12 item 5):
 * prompt `$8710c>`, every received character echoed, DW/DB/EW/EB with the
 * shell's formats, and a command table in RAM (§7.5) whose handler words
 * decide what a name runs.  Tools leave it by pointing an unused entry at
 * the download ROM's entry and running that name; any other target hangs
 * the chip, as a jump into the wrong ROM address would. */
#include <stdio.h>
#include <string.h>

#include "model-internal.h"

#define MON_LINE_MAX 256
#define MON_ARGS_MAX 12
#define MON_PROMPT "$8710c>"
#define MON_NOT_FOUND "Command NOT found.\r\n"

/* Layout in RAM [inferred: only the pointer's address is known]. */
#define TABLE_PTR 0x1002F054u
#define TABLE_ADDR 0x1002F100u
#define NAMES_ADDR 0x1002F300u
#define NAME_SLOT 16u
#define ENTRY_LEN 12u
#define RAM_BASE 0x10000000u

/* Handler words of the ROM's commands (odd: Thumb), in a ROM range that
 * holds neither download entry. */
#define HANDLER_BASE 0x0000A001u
#define HANDLER_NOP 0x0000A801u   /* commands the monitor model only returns from */

/* What a fresh ROM's table holds: the monitor's own commands and names
 * tools do not use, one of them within the first eight (§7.3, §7.5). */
static const char *const default_cmds[] = {
	"DB", "DW", "EB", "EW", "WDTRST", "uboot", "flashwr", "imgft", "otu_img", "pkt",
};

enum builtin { B_DW, B_DB, B_EW, B_EB, B_WDTRST, B_COUNT };
static const char *const builtin_names[B_COUNT] = { "DW", "DB", "EW", "EB", "WDTRST" };

static uint32_t handler_of(const char *name)
{
	for (unsigned b = 0; b < B_COUNT; b++)
		if (strcmp(name, builtin_names[b]) == 0)
			return HANDLER_BASE + 0x20u * b;
	return HANDLER_NOP;
}

static void ram_put_word(struct rtl_model *m, uint32_t a, uint32_t v)
{
	rtl_put_u32(m->ram + (a - RAM_BASE), v);
}

static uint32_t mem_word(struct rtl_model *m, uint32_t a)
{
	uint8_t b[4];

	for (unsigned i = 0; i < 4; i++)
		b[i] = m_mem_byte(m, a + i);
	return rtl_get_u32(b);
}

void m_monitor_table(struct rtl_model *m)
{
	const char *const *names = m->monitor_cmds ? m->monitor_cmds : default_cmds;
	unsigned n = m->monitor_cmds ? m->n_monitor_cmds : sizeof default_cmds / sizeof default_cmds[0];

	ram_put_word(m, TABLE_PTR, TABLE_ADDR);
	for (unsigned i = 0; i < n && i < M_MONITOR_CMDS_MAX; i++) {
		uint32_t entry = TABLE_ADDR + i * ENTRY_LEN, name = NAMES_ADDR + i * NAME_SLOT;
		ram_put_word(m, entry, name);
		ram_put_word(m, entry + 4, handler_of(names[i]));
		ram_put_word(m, entry + 8, 0);  /* no help text */
		memcpy(m->ram + (name - RAM_BASE), names[i], strnlen(names[i], NAME_SLOT - 1));
	}
	/* A zero name pointer ends the table: RAM is cleared at reset. */
}

static void send_text(struct rtl_model *m, const char *s)
{
	m_send(m, s, strlen(s));
}

/* The name as it sits in memory at ptr equals argv0. */
static bool name_is(struct rtl_model *m, uint32_t ptr, const char *argv0)
{
	size_t n = strlen(argv0);

	for (size_t i = 0; i <= n; i++)
		if (m_mem_byte(m, ptr + (uint32_t)i) != (uint8_t)argv0[i])
			return false;
	return true;
}

/* The handler word of the table entry named argv0; false when not found. */
static bool lookup(struct rtl_model *m, const char *argv0, uint32_t *handler)
{
	uint32_t table = mem_word(m, TABLE_PTR);

	for (unsigned i = 0; i < M_MONITOR_CMDS_MAX; i++) {
		uint32_t ptr = mem_word(m, table + i * ENTRY_LEN);
		if (ptr == 0)
			return false;
		if (name_is(m, ptr, argv0)) {
			*handler = mem_word(m, table + i * ENTRY_LEN + 4);
			return true;
		}
	}
	return false;
}

/* A jump the model cannot follow: the chip is silent until reset. */
static int hang(struct rtl_model *m, uint32_t target)
{
	uint8_t buf[64];
	int r;

	iotflash_sim_log(m->sim, "rtl87xx: monitor: jump to 0x%08X: hanging until reset", (unsigned)target);
	while ((r = m_read(m, buf, sizeof buf, -1)) >= 0)
		;
	return r;
}

/* Run the handler the table names; 1 when download mode was entered. */
static int run_handler(struct rtl_model *m, uint32_t handler, int argc, char **argv)
{
	int result;

	if (m_run_program(m, handler, &result))
		return result;
	if (handler == m->rom_entry) {
		iotflash_sim_log(m->sim, "rtl87xx: monitor: jump to the download ROM at 0x%08X", (unsigned)handler);
		return 1;
	}
	switch (handler) {
	case HANDLER_BASE + 0x20u * B_DW: return m_dump(m, argc, argv, true);
	case HANDLER_BASE + 0x20u * B_DB: return m_dump(m, argc, argv, false);
	case HANDLER_BASE + 0x20u * B_EW: return m_edit(m, argc, argv, true);
	case HANDLER_BASE + 0x20u * B_EB: return m_edit(m, argc, argv, false);
	case HANDLER_BASE + 0x20u * B_WDTRST: return IOTFLASH_SIM_RESET;
	case HANDLER_NOP: return 0;
	default: return hang(m, handler);
	}
}

bool m_table_command(struct rtl_model *m, int argc, char **argv, int *result)
{
	uint32_t handler;

	if (!lookup(m, argv[0], &handler))
		return false;
	*result = run_handler(m, handler, argc, argv);
	if (*result == 1)
		*result = 0;  /* the download ROM entry, from the download shell: stays */
	return true;
}

static int run_line(struct rtl_model *m, char *line)
{
	char *argv[MON_ARGS_MAX];
	uint32_t handler;
	int argc;

	if (!*line)
		return 0;
	argc = m_split(line, argv, MON_ARGS_MAX);
	if (!lookup(m, argv[0], &handler)) {
		send_text(m, MON_NOT_FOUND);
		return 0;
	}
	return run_handler(m, handler, argc, argv);
}

/* A line, echoing as it comes: characters as they are, LF as CR LF; a CR
 * is dropped [inferred]. */
static int read_line(struct rtl_model *m, char *line, size_t *len)
{
	*len = 0;
	for (;;) {
		uint8_t b;
		int r = m_byte(m, &b, -1);
		if (r < 0)
			return r;
		if (b == '\n') {
			send_text(m, "\r\n");
			line[*len] = '\0';
			return 0;
		}
		if (b == '\r')
			continue;
		m_send_byte(m, b);
		if (*len < MON_LINE_MAX - 1)
			line[(*len)++] = (char)b;
	}
}

int m_monitor(struct rtl_model *m)
{
	char line[MON_LINE_MAX];
	size_t len;

	send_text(m, MON_PROMPT);
	for (;;) {
		int r = read_line(m, line, &len);
		if (r == 0)
			r = run_line(m, line);
		if (r < 0)
			return r;
		if (r == 1)
			return m_shell_download(m);
		send_text(m, MON_PROMPT);
	}
}
