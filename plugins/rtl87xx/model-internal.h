/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* State and helpers shared by the rtl87xx models (model.c: binary ROMs and
 * the AmebaD loader, XMODEM receiver; model-shell.c: the AmebaZ2 shell). */
#ifndef RTL87XX_MODEL_INTERNAL_H
#define RTL87XX_MODEL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "protocol.h"

/* Chip-side work times: [inferred typical NOR / ROM figures], not measured. */
#define M_ERASE_SECTOR_US 45000u
#define M_ERASE_BLOCK_US 400000u
#define M_PROGRAM_KIB_US 2500u     /* four 256-byte pages and the ROM's loop */
#define M_SUM_BYTES_PER_S 20000000u
#define M_HASH_BYTES_PER_S 4000000u
#define M_UCFG_SETTLE_MS 500u      /* §7.3: the ROM waits before its OK (kept with --no-timing) */

/* Protocol timing (§1.1, §1.4 rule 5). */
#define M_BEACON_MS 50
#define M_PARAM_MS 500
#define M_XM_HEADER_MS 1000
#define M_XM_CHAR_MS 500
#define M_XM_QUIET_MS 500
#define M_XM_MAX_TIMEOUTS 10
#define M_XM_LIMIT (16u << 20)

#define M_RAM_SIZE (256u * 1024u)

enum m_kind { M_AMBZ, M_AMBZ2, M_AMBD, M_AMBDP };
#define M_AMBDP_RAM_BASE 0x30000000u  /* AmebaDplus / AmebaLite SRAM (a5-stub-families.md §3.4) */

/* What a program loaded into RAM is (the model runs only what it knows). */
enum m_prog { M_PROG_NONE, M_PROG_UNKNOWN, M_PROG_Z2_STUB, M_PROG_Z2_STUB_Z, M_PROG_RTL8710B_STUB };

struct rtl_model {
	struct iotflash_sim *sim;
	const struct iotflash_chip *chip;
	enum m_kind kind;
	uint8_t *flash;
	uint32_t flash_size;
	uint32_t flash_map;
	uint32_t flash_id;
	uint8_t sr1;
	const int64_t *rates;
	unsigned n_rates;
	uint8_t ram[M_RAM_SIZE];
	uint32_t ram_base;
	/* AmebaZ2 */
	const int64_t *ucfg_bauds;
	unsigned n_ucfg;
	uint32_t pin_group, syscfg, wdt;
	uint8_t spic[256];
	uint32_t hash_base;
	bool monitor;              /* boots into the ROM monitor (the fallback personality) */
	uint32_t rom_entry;        /* the only jump target that starts download mode */
	const char *const *monitor_cmds;  /* names of the command table, in order */
	unsigned n_monitor_cmds;
	/* AmebaD */
	uint32_t loader_addr, loader_magic;
	/* XMODEM session */
	uint32_t erase_mark;       /* binary: sectors below are not erased again */
	uint32_t fwd_pos;          /* AmebaZ2: next flash offset of `fwd` */
	uint32_t ram_pos;          /* AmebaZ2: next RAM address of `fwdram` */
	uint32_t prog_addr;        /* where the last `fwdram` program starts */
	enum m_prog prog;
	uint32_t session_bytes;
	bool session_ram;
	bool session_failed;
	size_t tx_len;             /* a reply being built: sent whole (one write) */
	uint8_t txq[65536];
};

/* What ended an XMODEM receive session. */
enum m_xm_end { M_XM_COMPLETE, M_XM_CANCEL, M_XM_ABORT, M_XM_FAILED };

struct m_xm_cfg {
	bool with_addr;            /* §1.4 address frames, else §7.4 plain */
	unsigned nak_period_ms;    /* NAK until the first frame: every this many ms */
	bool first_nak;            /* NAK ~1 ms after the start (ROM) */
	bool quiet_cancel;         /* AmebaZ2: the caller answers CAN itself */
	/* Store one good frame's data; false -> NAK. */
	bool (*sink)(struct rtl_model *m, uint32_t addr, const uint8_t *data, size_t n);
};

/* model.c */
void m_flush(struct rtl_model *m);
int m_read(struct rtl_model *m, void *buf, size_t len, int timeout_ms);
int m_read_full(struct rtl_model *m, void *buf, size_t len, int gap_ms);
void m_busy(struct rtl_model *m, uint64_t us);
void m_wait(struct rtl_model *m, unsigned ms);
/* The ROM shell's answer to a CAN that cancels an XMODEM transfer (model-shell.c). */
int m_answer_cancel(struct rtl_model *m);
void m_set_baud(struct rtl_model *m, uint32_t baud);
int m_byte(struct rtl_model *m, uint8_t *b, int timeout_ms);
void m_send(struct rtl_model *m, const void *buf, size_t len);
void m_send_byte(struct rtl_model *m, uint8_t b);
int m_xm_receive(struct rtl_model *m, const struct m_xm_cfg *cfg, enum m_xm_end *end);
void m_flash_erase(struct rtl_model *m, uint32_t off, uint32_t len);
void m_flash_program(struct rtl_model *m, uint32_t off, const uint8_t *src, size_t n);
uint8_t m_flash_byte(const struct rtl_model *m, uint32_t off);

/* model-shell.c */
int m_shell_power_on(struct rtl_model *m);
/* The download shell's command loop (entered at power-on or from the monitor). */
int m_shell_download(struct rtl_model *m);
void m_boot_banner(struct rtl_model *m);
uint8_t m_mem_byte(struct rtl_model *m, uint32_t a);
void m_mem_write_word(struct rtl_model *m, uint32_t a, uint32_t v);
/* DW/DB (words) and EW/EB with the shell's reply formats. */
int m_dump(struct rtl_model *m, int argc, char **argv, bool words);
int m_edit(struct rtl_model *m, int argc, char **argv, bool words);
/* Split a command line on single spaces; returns argc. */
int m_split(char *line, char **argv, int max);

/* model-ramcode.c */
int m_cmd_fwdram(struct rtl_model *m, int argc, char **argv);
enum m_prog m_identify_program(const uint8_t *p, size_t n);
/* A table entry jumped to handler: true (and *result) when it ran a known program. */
bool m_run_program(struct rtl_model *m, uint32_t handler, int *result);

/* model-a5stub.c: the RTL8710B stub's command loop, until reset. */
int m_a5_stub(struct rtl_model *m);

/* model-amebadplus.c: the A5 stub the ROM jumped to, until reset. */
int m_ambdp_stub(struct rtl_model *m);
/* model.c: the model's serve(), shared by the rtl87xx and amebadplus families. */
int rtl_serve(struct iotflash_sim *sim, const struct iotflash_chip *chip);

/* model-monitor.c */
/* Run argv[0] from the RAM command table; false when the table lacks it. */
bool m_table_command(struct rtl_model *m, int argc, char **argv, int *result);
#define M_MONITOR_CMDS_MAX 16
/* Lay the command table out in RAM (its pointer at 0x1002F054, §7.5). */
void m_monitor_table(struct rtl_model *m);
/* The ROM monitor ("$8710c>", §7.2) until reset, or download mode after a
 * jump to rom_entry. */
int m_monitor(struct rtl_model *m);

#endif
