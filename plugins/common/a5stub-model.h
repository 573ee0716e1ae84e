/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device-model core of the A5 RAM stub (docs/protocols/eswin.md §2.2-§2.7,
 * §7): a family's model runs its ROM stage, then hands the UART to
 * a5_model_run() with the chip's flash and timings. */
#ifndef IOTFLASH_A5STUB_MODEL_H
#define IOTFLASH_A5STUB_MODEL_H

#include <iotflash/model.h>

/* One row of a stub's capacity table (§2.5). */
struct a5_cap_size {
	uint8_t cap;
	uint32_t size;
};

struct a5_model_cfg {
	uint32_t flash_id;         /* JEDEC M | T << 8 | C << 16 as 0x90 reports it */
	uint32_t link_baud;        /* the rate the stub starts at and `run` returns to */
	uint32_t uart_clk;         /* UART clock that the divisor rounding uses (Hz); 0: rates exact */
	uint8_t max_type;          /* highest TYPE the stub serves (0x9F custom, 0x07 official) */
	uint32_t erase_4k_us;      /* flash timings */
	uint32_t program_256_us;
	uint32_t chip_erase_ms;
	uint32_t sha_kib_us;       /* SHA-256 over the XIP window, per KiB */
	/* Where the GUI's other stubs differ from the ECR6600 custom stub
	 * (docs/protocols/a5-stub-families.md §2), as tables and rules.  Zero /
	 * NULL everywhere is the ECR6600 stub. */
	const uint8_t *types;      /* TYPEs served (n_types of them); NULL = all up to max_type */
	size_t n_types;
	bool syn_sum_fresh;        /* the SYN reply carries its own sum (§2.2) */
	bool select_uart;          /* the first byte picks the UART and is dropped, then RX flush (§2.2) */
	/* The range check's flash size (§2.5): a table of the stub's own
	 * (sizes, size_default: the Realtek stubs), a fixed size (GD32VW553),
	 * the RDA/OPL capacity table (size_table), else the ECR6600 rule. */
	const struct a5_cap_size *sizes;
	size_t n_sizes;
	uint32_t size_default;     /* capacity not in `sizes` (0: no table of its own) */
	uint32_t range_size;       /* fixed size of the range check; 0 = from the flash id */
	bool size_table;           /* from the JEDEC capacity table of §2.5 (RDA5981) */
	enum a5_erase_rule {
		A5_ERASE_ALIGNED = 0,  /* ECR6600: unaligned start erases nothing */
		A5_ERASE_ROUND_DOWN,   /* GD32VW553: ceil(len/4K) sectors from addr rounded down */
		A5_ERASE_COVER,        /* RDA5981: every sector touching [addr, addr+len) */
		A5_ERASE_WALK,         /* Realtek §2.6: 4-byte aligned start, 64 KiB blocks where they fit */
		A5_ERASE_WALK_4K,      /* OPL1000A2 §2.6: 4-byte aligned start, the sector of each addr + k*4K */
	} erase_rule;
	uint32_t chip_erase_from;  /* 0x05 keeps [0, chip_erase_from) (RDA5981: sector 0) */
	bool z_any_len;            /* 0x97 programs any length (no 4-byte remainder, §2.7) */
	bool send_fallback;        /* 0x92/0x98: bounded `C`/`NAK` negotiation, 128-byte blocks on NAK (§2.8) */
	bool kv;                   /* 0x93 get / 0x94 set of the key-value store (§2.13) */
	enum a5_crc_kind {
		A5_CRC_NONE = 0,       /* no 0x8F */
		A5_CRC_JAMCRC,         /* RDA5981: CRC-32 without final XOR, DATA_LEN field 0x20 (§2.4) */
		A5_CRC_SUM4K,          /* OPL1000A2: sum of the CRC-32 of each 4 KiB piece, DATA_LEN 4 */
	} crc_kind;
	uint32_t crc_kib_us;       /* 0x8F time per KiB (0: sha_kib_us) */
	uint16_t efuse_len;        /* 0x99 reply length (0: 128) */
	uint32_t unit_us;          /* time unit of the stub's uart_getc (0: the ECR6600's fixed waits) */
	uint32_t baud_ack_ms;      /* 0x07: delay before the ACK at the new rate (0: 50) */
	uint32_t xip_base;         /* 0x98: CPU address of flash offset 0 (0: 0x00800000) */
};

/* The key-value store a stub with `kv` keeps (§2.13): outside the flash
 * image, as its on-flash format is not specified; it lives as long as the
 * simulator (the chip's flash keeps it across resets). */
#define A5_KV_KEY_MAX 16
#define A5_KV_VALUE_MAX 65543u     /* the RTL stub's command buffer */

#define A5_MODEL_RAN 1  /* `run` (0x06): the chip left download mode */

/* Serve the stub until STOP, RESET (returned as IOTFLASH_SIM_*) or `run`
 * (A5_MODEL_RAN). */
int a5_model_run(struct iotflash_sim *sim, const struct a5_model_cfg *cfg);

/* The rate the stub's UART really runs at when asked for `baud` (§2.7);
 * 0 when the divisor rounds to 0 (the source divides by zero). */
uint32_t a5_model_real_baud(uint32_t clk, uint32_t baud);
/* The range-check size the RDA5981/OPL1000A2 stubs take from a JEDEC capacity
 * byte (a5-stub-families.md §2.5). */
uint32_t a5_model_table_size(uint8_t capacity);
/* A ROM stage's check of the stub it was sent: the real file by its SHA-256
 * (hex, from the chip database), or a test stand-in of stub_size bytes with
 * `tag` at 0x100 and the SHA-256 of the rest as its last 32 bytes. */
bool a5_model_stub_known(const char *sha256_hex, const uint8_t *img, size_t len, size_t stub_size,
                         const char *tag);

/* The store's value of key (NULL when missing); for tests and stand-ins. */
const uint8_t *a5_model_kv_get(const char *key, size_t *len);

#endif
