/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device models: a plugin's simulation of its chip's bootloader, hosted by
 * iotflash-sim behind a pseudo-terminal.  A model is written like firmware:
 * a loop that reads bytes from its UART, acts on its flash and answers.  The
 * host supplies the UART (baud rate as the client really set it, wire
 * timing, resets, fault injection) and the flash (the --flash file, kept on
 * disk).  The host is not part of libiotflash: it lives in iotflash-sim and
 * reaches the model only through struct iotflash_sim_services. */
#ifndef IOTFLASH_MODEL_H
#define IOTFLASH_MODEL_H

#include <iotflash/common.h>
#include <iotflash/chip.h>

#include <stdarg.h>
#include <stddef.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

struct iotflash_sim;

struct iotflash_model_ops {
	const char *family;       /* serves the database's chips of this family */
	const char *description;
	/* Run the chip from power-on until iotflash_sim_read() returns
	 * IOTFLASH_SIM_STOP; then return 0.  The host calls it once. */
	int (*serve)(struct iotflash_sim *sim, const struct iotflash_chip *chip);
};

/* iotflash_sim_read() results besides a byte count. */
#define IOTFLASH_SIM_STOP  (-1)  /* SIGTERM/SIGINT: return from serve() */
#define IOTFLASH_SIM_RESET (-2)  /* the chip was reset (reset button, port opened with
                                  * --reset-on-open, or a fault): start over from power-on */

/* The host's services, reached through the sim handle: a model (a plugin)
 * needs no symbol from the host, so the host can live in the iotflash-sim
 * program (or a test) rather than in libiotflash.  Entries are only ever
 * appended (plugin ABI minor); `size` is sizeof the host's table.  Models
 * call the iotflash_sim_*() wrappers below, never the table directly. */
struct iotflash_sim_services {
	size_t size;
	int (*read)(struct iotflash_sim *sim, uint8_t *buf, size_t len, int timeout_ms);
	int (*read_full)(struct iotflash_sim *sim, uint8_t *buf, size_t len, int gap_ms);
	void (*write)(struct iotflash_sim *sim, const void *buf, size_t len);
	void (*set_baud)(struct iotflash_sim *sim, uint32_t baud);
	uint32_t (*baud)(struct iotflash_sim *sim);
	void (*autobaud)(struct iotflash_sim *sim, bool on);
	void (*busy)(struct iotflash_sim *sim, uint64_t us);
	void (*wait)(struct iotflash_sim *sim, unsigned ms);
	void (*discard_input)(struct iotflash_sim *sim);
	uint8_t *(*flash)(struct iotflash_sim *sim, uint32_t *size);
	bool (*timing)(struct iotflash_sim *sim);
	void (*vlog)(struct iotflash_sim *sim, const char *fmt, va_list ap);
	char (*client_parity)(struct iotflash_sim *sim);
};

/* What a model is handed: the host's own state follows, unseen. */
struct iotflash_sim {
	const struct iotflash_sim_services *services;
};

/* Wait up to timeout_ms (< 0: forever) for bytes from the host; returns how
 * many arrived (>= 1), 0 on timeout, or STOP/RESET.  Bytes sent at another
 * baud rate than the model's arrive as garbage; faults apply. */
static inline int iotflash_sim_read(struct iotflash_sim *sim, uint8_t *buf, size_t len, int timeout_ms)
{
	return sim->services->read(sim, buf, len, timeout_ms);
}

/* Read exactly len bytes unless timeout (per byte gap) / STOP / RESET; returns len, or < len. */
static inline int iotflash_sim_read_full(struct iotflash_sim *sim, uint8_t *buf, size_t len, int gap_ms)
{
	return sim->services->read_full(sim, buf, len, gap_ms);
}

/* Send bytes at the model's current rate (wire-timed unless --no-timing).
 * After a reset, output is dropped until the model's next read returns
 * IOTFLASH_SIM_RESET: a chip in reset says nothing. */
static inline void iotflash_sim_write(struct iotflash_sim *sim, const void *buf, size_t len)
{
	sim->services->write(sim, buf, len);
}

/* The model's UART rate (starts at the chip's link_baud). */
static inline void iotflash_sim_set_baud(struct iotflash_sim *sim, uint32_t baud)
{
	sim->services->set_baud(sim, baud);
}

static inline uint32_t iotflash_sim_baud(struct iotflash_sim *sim)
{
	return sim->services->baud(sim);
}

/* Auto-baud UART (measures a run of 0x55): while on, the model's rate
 * follows the rate the client sends at; iotflash_sim_baud() tells it. */
static inline void iotflash_sim_autobaud(struct iotflash_sim *sim, bool on)
{
	sim->services->autobaud(sim, on);
}

/* Chip-side work time (erase, program, checksum), in microseconds: slept
 * unless --no-timing.  Cut short by a reset. */
static inline void iotflash_sim_busy(struct iotflash_sim *sim, uint64_t us)
{
	sim->services->busy(sim, us);
}

/* A delay the protocol itself depends on (kept even with --no-timing). */
static inline void iotflash_sim_wait(struct iotflash_sim *sim, unsigned ms)
{
	sim->services->wait(sim, ms);
}

/* Drop what the host sent but the model has not read yet. */
static inline void iotflash_sim_discard_input(struct iotflash_sim *sim)
{
	sim->services->discard_input(sim);
}

/* The chip's flash: the --flash file, mapped; changes land in the file. */
static inline uint8_t *iotflash_sim_flash(struct iotflash_sim *sim, uint32_t *size)
{
	return sim->services->flash(sim, size);
}

static inline bool iotflash_sim_timing(struct iotflash_sim *sim)
{
	return sim->services->timing(sim);
}

/* A monotonic clock in milliseconds, the one the host's timeouts use
 * (ISO C's wall clock where POSIX's monotonic one is not declared). */
static inline uint64_t iotflash_sim_now_ms(void)
{
	struct timespec ts;
#ifdef CLOCK_MONOTONIC
	clock_gettime(CLOCK_MONOTONIC, &ts);
#else
	timespec_get(&ts, TIME_UTC);
#endif
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The parity the client's line is set to, as far as a pty shows it: the pty
 * driver clears PARENB, so 'E' means input parity checking (INPCK) without
 * PARODD, 'O' INPCK with PARODD, 'N' no checking.  'N' from an older host. */
static inline char iotflash_sim_client_parity(struct iotflash_sim *sim)
{
	if (sim->services->size < offsetof(struct iotflash_sim_services, client_parity) + sizeof(void (*)(void)))
		return 'N';
	return sim->services->client_parity(sim);
}

/* Diagnostics on stderr when the simulator runs with -v. */
static inline void iotflash_sim_log(struct iotflash_sim *sim, const char *fmt, ...) IOTFLASH_PRINTF(2, 3);
static inline void iotflash_sim_log(struct iotflash_sim *sim, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sim->services->vlog(sim, fmt, ap);
	va_end(ap);
}

#ifdef __cplusplus
}
#endif
#endif
