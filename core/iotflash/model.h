/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device models: a plugin's simulation of its chip's bootloader, hosted by
 * iotflash-sim behind a pseudo-terminal.  A model is written like firmware:
 * a loop that reads bytes from its UART, acts on its flash and answers.  The
 * host supplies the UART (baud rate as the client really set it, wire
 * timing, fault injection) and the flash (the --flash file, kept on disk). */
#ifndef IOTFLASH_MODEL_H
#define IOTFLASH_MODEL_H

#include <iotflash/common.h>
#include <iotflash/chip.h>

#ifdef __cplusplus
extern "C" {
#endif

struct iotflash_sim;  /* the host (opaque) */

struct iotflash_model_ops {
	const char *family;       /* serves the database's chips of this family */
	const char *description;
	/* Run the chip from power-on until iotflash_sim_read() returns
	 * IOTFLASH_SIM_STOP; then return 0.  The host calls it once. */
	int (*serve)(struct iotflash_sim *sim, const struct iotflash_chip *chip);
};

/* iotflash_sim_read() results besides a byte count. */
#define IOTFLASH_SIM_STOP  (-1)  /* SIGTERM/SIGINT: return from serve() */
#define IOTFLASH_SIM_RESET (-2)  /* the chip was reset (fault): start over from power-on */

/* Wait up to timeout_ms (< 0: forever) for bytes from the host; returns how
 * many arrived (>= 1), 0 on timeout, or STOP/RESET.  Bytes sent at another
 * baud rate than the model's arrive as garbage; faults apply. */
IOTFLASH_API int iotflash_sim_read(struct iotflash_sim *sim, uint8_t *buf, size_t len, int timeout_ms);
/* Read exactly len bytes unless timeout (per byte gap) / STOP / RESET; returns len, or < len. */
IOTFLASH_API int iotflash_sim_read_full(struct iotflash_sim *sim, uint8_t *buf, size_t len, int gap_ms);
/* Send bytes at the model's current rate (wire-timed unless --no-timing). */
IOTFLASH_API void iotflash_sim_write(struct iotflash_sim *sim, const void *buf, size_t len);
/* The model's UART rate (starts at the chip's link_baud). */
IOTFLASH_API void iotflash_sim_set_baud(struct iotflash_sim *sim, uint32_t baud);
IOTFLASH_API uint32_t iotflash_sim_baud(struct iotflash_sim *sim);
/* Auto-baud UART (measures a run of 0x55): while on, the model's rate
 * follows the rate the client sends at; iotflash_sim_baud() tells it. */
IOTFLASH_API void iotflash_sim_autobaud(struct iotflash_sim *sim, bool on);
/* Chip-side work time (erase, program, checksum), in microseconds: slept
 * unless --no-timing. */
IOTFLASH_API void iotflash_sim_busy(struct iotflash_sim *sim, uint64_t us);
/* A delay the protocol itself depends on (kept even with --no-timing). */
IOTFLASH_API void iotflash_sim_wait(struct iotflash_sim *sim, unsigned ms);
/* Drop what the host sent but the model has not read yet. */
IOTFLASH_API void iotflash_sim_discard_input(struct iotflash_sim *sim);
/* The chip's flash: the --flash file, mapped; changes land in the file. */
IOTFLASH_API uint8_t *iotflash_sim_flash(struct iotflash_sim *sim, uint32_t *size);
IOTFLASH_API bool iotflash_sim_timing(struct iotflash_sim *sim);
IOTFLASH_API uint64_t iotflash_sim_now_ms(void);
/* Diagnostics on stderr when the simulator runs with -v. */
IOTFLASH_API void iotflash_sim_log(struct iotflash_sim *sim, const char *fmt, ...) IOTFLASH_PRINTF(2, 3);


/* ---- The host side, used by the iotflash-sim program. ---- */
struct iotflash_ctx;
struct iotflash_sim_opts {
	const char *model;       /* chip name from the database: "bk7231n" */
	const char *flash_path;  /* created full of 0xFF at the chip's flash size if missing */
	const char *link_path;   /* symlink made to the pty's device end */
	const char *faults;      /* "drop=1e-4,flip=1e-4,stall=1e-3:200ms,reset=1e-6" or NULL */
	uint64_t seed;
	bool timing;             /* emulate wire and chip timing */
	int verbose;
};
/* Create the pty, print "ready PATH" on stdout, serve until SIGTERM/SIGINT.
 * Returns 0, or an error with its description in iotflash_ctx_error(). */
IOTFLASH_API int iotflash_sim_run(struct iotflash_ctx *ctx, const struct iotflash_sim_opts *opts);
/* Parse a --faults SPEC; false with a one-line reason on error. */
IOTFLASH_API bool iotflash_sim_faults_valid(const char *spec, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
