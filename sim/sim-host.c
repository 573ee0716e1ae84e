/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The device-simulator host: a pseudo-terminal standing in for the chip's
 * UART, the --flash file standing in for its flash, and the wire between
 * them (baud rates as the client really set them, wire timing, faults).
 * The model itself (a plugin's) runs on top through the services table
 * (struct iotflash_sim_services): it needs no symbol from here. */
#define _GNU_SOURCE
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "sim-faults.h"
#include "sim-host.h"

/* struct termios2 lives in <asm/termbits.h>, which clashes with glibc's
 * <termios.h>; declare it for the architectures that use the generic layout. */
#if defined(__linux__) && defined(TCGETS2) && defined(TCSETS2) &&                     \
	(defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) ||          \
	 defined(__arm__) || defined(__riscv) || defined(__loongarch__) || defined(__s390__))
#define SIM_HAVE_TERMIOS2 1
struct termios2 {
	tcflag_t c_iflag, c_oflag, c_cflag, c_lflag;
	cc_t c_line;
	cc_t c_cc[19];
	speed_t c_ispeed, c_ospeed;
};
#ifndef BOTHER
#define BOTHER 0010000
#endif
#endif

#define RX_CAP 16384           /* bytes received but not read by the model */
#define TX_WAIT_MS 1000        /* how long a write waits for a client that does not read */
#define TX_PACE_NS 2000000ULL  /* output is written in chunks of about this much wire time */
#define BAUD_TOLERANCE 50      /* rates within 1/50 (2 %) of each other match, as on a UART */
#define NS_PER_S 1000000000ULL
#define MIN_FLASH 0x10000u
#define RX_AHEAD_NS TX_PACE_NS  /* input is taken from the pty this much wire time ahead */
#define ERRLEN 512

struct sim_host {
	struct iotflash_sim pub;             /* first: what models see (the services) */
	const struct iotflash_model_ops *model;
	const struct iotflash_chip *chip;
	const char *link_path;
	int flash_fd, master, slave;
	char slave_path[128];
	uint8_t *flash;
	uint32_t flash_size;
	uint32_t model_baud, client_baud;
	bool timing, stopped, reset_pending, tx_blocked;
	const char *reset_cause;            /* why reset_pending is set, for the log */
	int open_watch;                     /* --reset-on-open: inotify on the slave, else -1 */
	bool autobaud;                      /* the model's rate follows the client's */
	int verbose;
	struct sim_faults faults;
	/* One stream per direction, so each direction's faults depend only on
	 * its own bytes, never on how reads and writes interleave. */
	struct sim_rng rx_rng, tx_rng, noise_rng;
	unsigned rx_garble_n, tx_garble_n;
	uint64_t rx_clock_ns, tx_clock_ns;  /* wire time of the last byte each way */
	size_t rx_head, rx_count;
	uint8_t rx_data[RX_CAP];
	uint64_t rx_ready[RX_CAP];          /* when each byte has fully arrived */
	struct { uint64_t dropped, flipped, stalls, resets, garbled; } stats;
};

/* SIGTERM/SIGINT (stop) and SIGUSR1 (the reset button): a flag each plus a
 * self-pipe so that blocking polls wake up. */
static volatile sig_atomic_t stop_flag, reset_flag;
static int stop_pipe[2] = { -1, -1 };

static void host_log(struct sim_host *sim, const char *fmt, ...) IOTFLASH_PRINTF(2, 3);
static void host_set_baud(struct sim_host *sim, uint32_t baud);

/* ---- time ---- */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* 10 bits per byte (start, 8 data, stop). */
static uint64_t byte_ns(uint32_t baud)
{
	return baud ? 10 * NS_PER_S / baud : 0;
}

/* ---- logging ---- */

static void sim_vlog(struct sim_host *sim, const char *fmt, va_list ap)
{
	if (!sim->verbose)
		return;
	char line[ERRLEN];
	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "iotflash-sim: %s\n", line);
}

static void host_log(struct sim_host *sim, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sim_vlog(sim, fmt, ap);
	va_end(ap);
}

/* ---- the client's side of the line ---- */

#ifndef SIM_HAVE_TERMIOS2
static const struct { speed_t code; uint32_t baud; } speed_table[] = {
	{ B1200, 1200 }, { B2400, 2400 }, { B4800, 4800 }, { B9600, 9600 },
	{ B19200, 19200 }, { B38400, 38400 }, { B57600, 57600 }, { B115200, 115200 },
	{ B230400, 230400 }, { B460800, 460800 }, { B500000, 500000 }, { B921600, 921600 },
	{ B1000000, 1000000 }, { B1500000, 1500000 }, { B2000000, 2000000 },
};
#endif

/* The rate the client set on its end: termios ioctls on a pty master act on
 * the slave, and termios2 gives the exact rate even for BOTHER. */
static uint32_t tty_get_baud(int fd)
{
#ifdef SIM_HAVE_TERMIOS2
	struct termios2 t;
	if (ioctl(fd, TCGETS2, &t) < 0)
		return 0;
	return t.c_ospeed;
#else
	struct termios t;
	if (tcgetattr(fd, &t) < 0)
		return 0;
	speed_t code = cfgetospeed(&t);
	for (size_t i = 0; i < sizeof(speed_table) / sizeof(speed_table[0]); i++)
		if (speed_table[i].code == code)
			return speed_table[i].baud;
	return 0;
#endif
}

/* Raw mode at the model's rate, so a client that sets nothing still talks. */
static int tty_init(int fd, uint32_t baud)
{
	struct termios t;
	if (tcgetattr(fd, &t) < 0)
		return -1;
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return -1;
#ifdef SIM_HAVE_TERMIOS2
	struct termios2 t2;
	if (ioctl(fd, TCGETS2, &t2) < 0)
		return -1;
	t2.c_cflag = (t2.c_cflag & ~(tcflag_t)CBAUD) | BOTHER;
	t2.c_ispeed = t2.c_ospeed = baud;
	return ioctl(fd, TCSETS2, &t2);
#else
	for (size_t i = 0; i < sizeof(speed_table) / sizeof(speed_table[0]); i++)
		if (speed_table[i].baud == baud) {
			cfsetspeed(&t, speed_table[i].code);
			return tcsetattr(fd, TCSANOW, &t);
		}
	return 0;
#endif
}

static uint32_t client_baud(struct sim_host *sim)
{
	uint32_t b = tty_get_baud(sim->master);
	if (b != sim->client_baud) {
		host_log(sim, "client baud %u (model at %u)", b, sim->model_baud);
		sim->client_baud = b;
	}
	return b;
}

static bool baud_matches(uint32_t a, uint32_t b)
{
	uint32_t hi = a > b ? a : b, lo = a > b ? b : a;
	return lo && (uint64_t)(hi - lo) * BAUD_TOLERANCE <= hi;
}

static bool baud_far(uint32_t a, uint32_t b)
{
	uint32_t hi = a > b ? a : b, lo = a > b ? b : a;
	return (uint64_t)lo * 2 <= hi;
}

/* What a UART at one rate makes of a byte sent at another: a fixed junk
 * byte with bit 7 set (never a frame start such as 0x01 or 0x04).  For
 * b >= 0x80 both junk(b) != b and junk(junk(b)) != b hold (37 and 89 are
 * the multipliers mod 128), so an echo through two wrong rates never
 * returns the input either. */
static uint8_t junk_byte(uint8_t b)
{
	return (uint8_t)(0x80 | ((b * 37u + 91u) & 0x7f));
}

/* Garbles one byte; returns false when the byte is lost (every other byte
 * when the rates are two or more times apart: framing eats them). */
static bool garble(uint8_t *b, unsigned *counter, bool far)
{
	if (far && ((*counter)++ & 1))
		return false;
	*b = junk_byte(*b);
	return true;
}

/* ---- waiting ---- */

/* The chip goes into reset: output stops at once, waits end, and the
 * model's next read returns IOTFLASH_SIM_RESET (do_reset()). */
static void request_reset(struct sim_host *sim, const char *cause)
{
	if (sim->reset_pending)
		return;
	sim->reset_pending = true;
	sim->reset_cause = cause;
}

/* Signals noted by the handler. */
static void stop_check(struct sim_host *sim)
{
	if (stop_flag && !sim->stopped) {
		sim->stopped = true;
		host_log(sim, "stopping");
	}
	if (reset_flag) {
		reset_flag = 0;
		request_reset(sim, "reset button (SIGUSR1)");
	}
}

/* --reset-on-open: a client opened the port (the adapter's DTR/RTS pull the
 * chip's reset).  inotify reports each open(2) of the slave device, whoever
 * makes it; identical events may be merged, which only merges resets that
 * came before the model ran again. */
static void open_watch_check(struct sim_host *sim)
{
	union {
		struct inotify_event ev;
		char raw[4096];
	} buf;
	bool opened = false;
	ssize_t n;
	while ((n = read(sim->open_watch, buf.raw, sizeof(buf.raw))) > 0) {
		for (ssize_t off = 0; off + (ssize_t)sizeof(struct inotify_event) <= n; ) {
			const struct inotify_event *ev = (const struct inotify_event *)(buf.raw + off);
			if (ev->mask & IN_OPEN)
				opened = true;
			off += (ssize_t)sizeof(struct inotify_event) + ev->len;
		}
	}
	if (opened)
		request_reset(sim, "the port was opened (--reset-on-open)");
}

static void rx_clear(struct sim_host *sim)
{
	sim->rx_head = 0;
	sim->rx_count = 0;
}

static void rx_push(struct sim_host *sim, uint8_t b, uint64_t ready)
{
	size_t at = (sim->rx_head + sim->rx_count) % RX_CAP;
	sim->rx_data[at] = b;
	sim->rx_ready[at] = ready;
	sim->rx_count++;
}

/* Bit flips: the flip fault, and more above a weak adapter's ceiling. */
static double flip_rate(const struct sim_host *sim)
{
	const struct sim_faults *f = &sim->faults;
	if (f->ceiling_baud && sim->model_baud > f->ceiling_baud && f->ceiling_flip > f->flip)
		return f->ceiling_flip;
	return f->flip;
}

/* Faults on one received byte; false when it is lost. */
static bool rx_faults(struct sim_host *sim, uint8_t *b, uint64_t *clock)
{
	struct sim_faults *f = &sim->faults;
	if (sim_rng_chance(&sim->rx_rng, f->reset)) {
		request_reset(sim, "reset fault");
		return false;
	}
	if (sim_rng_chance(&sim->rx_rng, f->stall)) {
		*clock += f->stall_ns;
		sim->stats.stalls++;
	}
	if (sim_rng_chance(&sim->rx_rng, f->drop)) {
		sim->stats.dropped++;
		return false;
	}
	if (sim_rng_chance(&sim->rx_rng, flip_rate(sim))) {
		*b ^= (uint8_t)(1u << (sim_rng_next(&sim->rx_rng) & 7));
		sim->stats.flipped++;
	}
	return true;
}

/* Wire-rate back-pressure: how many bytes the client's UART has started
 * to send by now (plus RX_AHEAD_NS, so the host wakes once per chunk, not
 * per byte).  The rest stays in the pty, whose buffer fills and blocks the
 * client's write() as a real UART's does.  Sets *wake (monotonic ns) when
 * nothing may be taken yet.  No limit without timing. */
static size_t rx_budget(struct sim_host *sim, uint64_t now, uint64_t *wake)
{
	uint64_t per = sim->timing ? byte_ns(client_baud(sim)) : 0;
	if (!per)
		return SIZE_MAX;
	uint64_t start = sim->rx_clock_ns > now ? sim->rx_clock_ns : now;  /* next byte's start bit */
	if (start > now + RX_AHEAD_NS) {
		*wake = start - RX_AHEAD_NS;
		return 0;
	}
	return (size_t)((now + RX_AHEAD_NS - start) / per + 1);
}

/* Take what the client's UART has sent into the receive queue, stamped
 * with the time each byte has fully arrived at the client's rate. */
static void rx_ingest(struct sim_host *sim)
{
	uint8_t buf[4096];
	uint64_t wake;
	size_t room = RX_CAP - sim->rx_count, budget = rx_budget(sim, now_ns(), &wake);
	if (room > sizeof(buf))
		room = sizeof(buf);
	if (room > budget)
		room = budget;
	if (!room)
		return;
	ssize_t n = read(sim->master, buf, room);
	if (n <= 0 || sim->reset_pending)
		return;
	uint32_t cb = client_baud(sim);
	if (sim->autobaud && cb)
		host_set_baud(sim, cb);  /* the UART measures the incoming bits */
	bool garbled = !baud_matches(cb, sim->model_baud), far = baud_far(cb, sim->model_baud);
	uint64_t per_byte = sim->timing ? byte_ns(cb) : 0, now = now_ns();
	uint64_t clock = sim->rx_clock_ns > now ? sim->rx_clock_ns : now;
	for (ssize_t i = 0; i < n; i++) {
		uint8_t b = buf[i];
		clock += per_byte;
		if (garbled) {
			sim->stats.garbled++;
			if (!garble(&b, &sim->rx_garble_n, far))
				continue;
		}
		if (!rx_faults(sim, &b, &clock)) {
			if (sim->reset_pending)
				break;
			continue;
		}
		rx_push(sim, b, clock);
	}
	sim->rx_clock_ns = clock;
}

static void drain_fd(int fd)
{
	uint8_t buf[4096];
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* Wait for the stop pipe, client input (taken in) or, with want_out, room
 * to write; timeout NULL waits forever.  Returns whether the master is
 * writable. */
static struct timespec ns_to_ts(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / NS_PER_S), .tv_nsec = (long)(ns % NS_PER_S) };
	return ts;
}

/* Wait for the stop pipe, client input (taken in at the wire rate), an
 * open of the port (--reset-on-open) or, with want_out, room to write;
 * timeout NULL waits forever.  May return early (callers loop).  Returns
 * whether the master is writable. */
static bool host_poll(struct sim_host *sim, const struct timespec *timeout, bool want_out)
{
	struct pollfd p[3] = {
		{ .fd = stop_pipe[0], .events = POLLIN },
		{ .fd = sim->master, .events = 0 },
		{ .fd = sim->open_watch, .events = POLLIN },
	};
	struct timespec budget_ts;
	uint64_t now = now_ns(), wake = 0;
	if (sim->rx_count < RX_CAP) {
		if (rx_budget(sim, now, &wake))
			p[1].events |= POLLIN;
		else if (!timeout || (uint64_t)timeout->tv_sec * NS_PER_S + (uint64_t)timeout->tv_nsec > wake - now)
		{
			budget_ts = ns_to_ts(wake - now);  /* the line frees up first */
			timeout = &budget_ts;
		}
	}
	if (want_out)
		p[1].events |= POLLOUT;
	int n = ppoll(p, sim->open_watch >= 0 ? 3 : 2, timeout, NULL);
	if (n <= 0) {
		stop_check(sim);
		return false;
	}
	if (p[0].revents)
		drain_fd(stop_pipe[0]);
	stop_check(sim);
	if (sim->open_watch >= 0 && p[2].revents)
		open_watch_check(sim);
	if (p[1].revents & POLLIN)
		rx_ingest(sim);
	return (p[1].revents & POLLOUT) != 0;
}

/* Sleep until deadline (monotonic ns), taking input meanwhile; a stop or
 * a reset ends it. */
static void host_sleep_until(struct sim_host *sim, uint64_t deadline)
{
	for (;;) {
		stop_check(sim);
		uint64_t now = now_ns();
		if (sim->stopped || sim->reset_pending || now >= deadline)
			return;
		struct timespec ts = ns_to_ts(deadline - now);
		host_poll(sim, &ts, false);
	}
}

/* ---- sending ---- */

/* Write everything, waiting a bounded time for a client that does not
 * read; once that wait has expired, output is discarded until a write
 * goes through again (nobody may have the port open). */
static void master_write(struct sim_host *sim, const uint8_t *buf, size_t len)
{
	uint64_t deadline = now_ns() + TX_WAIT_MS * 1000000ULL;
	while (len && !sim->stopped && !sim->reset_pending) {
		ssize_t w = write(sim->master, buf, len);
		if (w > 0) {
			buf += w;
			len -= (size_t)w;
			sim->tx_blocked = false;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN) {
			host_log(sim, "write to the pty failed: %s", strerror(errno));
			return;
		}
		uint64_t now = now_ns();
		if (sim->tx_blocked || now >= deadline) {
			if (!sim->tx_blocked)
				host_log(sim, "client is not reading: output discarded");
			sim->tx_blocked = true;
			return;
		}
		struct timespec ts = ns_to_ts(deadline - now);
		host_poll(sim, &ts, true);
	}
}

/* Bytes leave at the model's rate: each chunk is written once its last
 * byte would have left the chip. */
static void tx_send(struct sim_host *sim, const uint8_t *buf, size_t len)
{
	if (sim->timing) {
		uint64_t now = now_ns();
		if (sim->tx_clock_ns < now)
			sim->tx_clock_ns = now;
		sim->tx_clock_ns += len * byte_ns(sim->model_baud);
		host_sleep_until(sim, sim->tx_clock_ns);
	}
	master_write(sim, buf, len);  /* nothing once a reset came meanwhile */
}

static size_t tx_chunk_size(uint32_t baud)
{
	uint64_t per = byte_ns(baud);
	uint64_t n = per ? TX_PACE_NS / per : 1024;
	return n < 1 ? 1 : n > 1024 ? 1024 : (size_t)n;
}

static void send_noise(struct sim_host *sim)
{
	uint8_t buf[256];
	unsigned left = sim->faults.noise;
	if (left)
		host_log(sim, "sending %u bytes of noise", left);
	while (left && !sim->stopped) {
		size_t n = left < sizeof(buf) ? left : sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)sim_rng_next(&sim->noise_rng);
		tx_send(sim, buf, n);
		left -= (unsigned)n;
	}
}

/* Faults on one byte to send; false when it is lost. */
static bool tx_faults(struct sim_host *sim, uint8_t *b, bool *stall)
{
	struct sim_faults *f = &sim->faults;
	*stall = sim_rng_chance(&sim->tx_rng, f->stall);
	if (*stall)
		sim->stats.stalls++;
	if (sim_rng_chance(&sim->tx_rng, f->drop)) {
		sim->stats.dropped++;
		return false;
	}
	if (sim_rng_chance(&sim->tx_rng, flip_rate(sim))) {
		*b ^= (uint8_t)(1u << (sim_rng_next(&sim->tx_rng) & 7));
		sim->stats.flipped++;
	}
	return true;
}

static void host_write(struct sim_host *sim, const void *buf, size_t len)
{
	const uint8_t *in = buf;
	uint8_t chunk[1024];
	size_t n = 0, max = tx_chunk_size(sim->model_baud);
	uint32_t cb = client_baud(sim);
	bool garbled = !baud_matches(cb, sim->model_baud), far = baud_far(cb, sim->model_baud);

	for (size_t i = 0; i < len && !sim->stopped && !sim->reset_pending; i++) {
		uint8_t b = in[i];
		bool stall;
		bool keep = tx_faults(sim, &b, &stall);
		if (stall) {
			tx_send(sim, chunk, n);
			n = 0;
			host_sleep_until(sim, now_ns() + sim->faults.stall_ns);
		}
		if (keep && garbled) {
			sim->stats.garbled++;
			keep = garble(&b, &sim->tx_garble_n, far);
		}
		if (keep)
			chunk[n++] = b;
		if (n == max) {
			tx_send(sim, chunk, n);
			n = 0;
		}
	}
	if (n && !sim->stopped && !sim->reset_pending)
		tx_send(sim, chunk, n);
}

/* ---- receiving ---- */

static void discard_input(struct sim_host *sim)
{
	rx_clear(sim);
	drain_fd(sim->master);
}

/* Any reset (button, open, fault): the chip powers on again, at its
 * power-on rate, with an empty FIFO, and the chattering MCU on the same
 * UART speaks up again. */
static void do_reset(struct sim_host *sim)
{
	sim->reset_pending = false;
	sim->stats.resets++;
	discard_input(sim);
	sim->rx_clock_ns = 0;
	sim->model_baud = sim->chip->link_baud;
	host_log(sim, "%s: the model starts over at %u baud", sim->reset_cause ? sim->reset_cause : "reset",
	         sim->model_baud);
	send_noise(sim);
}

static size_t rx_take(struct sim_host *sim, uint8_t *buf, size_t len, uint64_t now)
{
	size_t n = 0;
	while (n < len && sim->rx_count && sim->rx_ready[sim->rx_head] <= now) {
		buf[n++] = sim->rx_data[sim->rx_head];
		sim->rx_head = (sim->rx_head + 1) % RX_CAP;
		sim->rx_count--;
	}
	return n;
}

static int host_read(struct sim_host *sim, uint8_t *buf, size_t len, int timeout_ms)
{
	uint64_t deadline = timeout_ms < 0 ? UINT64_MAX : now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	if (len > INT32_MAX)
		len = INT32_MAX;
	for (;;) {
		stop_check(sim);
		if (sim->stopped)
			return IOTFLASH_SIM_STOP;
		if (sim->reset_pending) {
			do_reset(sim);
			return sim->stopped ? IOTFLASH_SIM_STOP : IOTFLASH_SIM_RESET;
		}
		uint64_t now = now_ns();
		size_t n = len ? rx_take(sim, buf, len, now) : 0;
		if (n)
			return (int)n;
		if (now >= deadline)
			return 0;
		uint64_t wake = deadline;
		if (sim->rx_count && sim->rx_ready[sim->rx_head] < wake)
			wake = sim->rx_ready[sim->rx_head];
		struct timespec ts = ns_to_ts(wake - now);
		host_poll(sim, wake == UINT64_MAX ? NULL : &ts, false);
	}
}

static int host_read_full(struct sim_host *sim, uint8_t *buf, size_t len, int gap_ms)
{
	size_t got = 0;
	while (got < len) {
		int r = host_read(sim, buf + got, len - got, gap_ms);
		if (r < 0)
			return r;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (int)got;
}

static void host_discard_input(struct sim_host *sim)
{
	discard_input(sim);
}

/* ---- the rest of the model services ---- */

static void host_set_baud(struct sim_host *sim, uint32_t baud)
{
	if (baud != sim->model_baud)
		host_log(sim, "model baud %u -> %u", sim->model_baud, baud);
	sim->model_baud = baud;
}

static void host_autobaud(struct sim_host *sim, bool on)
{
	sim->autobaud = on;
}

static uint32_t host_baud(struct sim_host *sim)
{
	return sim->model_baud;
}

static void host_busy(struct sim_host *sim, uint64_t us)
{
	if (sim->timing && us)
		host_sleep_until(sim, now_ns() + us * 1000u);
}

static void host_wait(struct sim_host *sim, unsigned ms)
{
	host_sleep_until(sim, now_ns() + (uint64_t)ms * 1000000u);
}

static uint8_t *host_flash(struct sim_host *sim, uint32_t *size)
{
	if (size)
		*size = sim->flash_size;
	return sim->flash;
}

static bool host_timing(struct sim_host *sim)
{
	return sim->timing;
}

/* ---- the services table models call through (model.h) ---- */

/* pub is the first member: a model's handle is the host. */
#define HOST(s) ((struct sim_host *)(s))

static int svc_read(struct iotflash_sim *s, uint8_t *buf, size_t len, int timeout_ms)
{
	return host_read(HOST(s), buf, len, timeout_ms);
}

static int svc_read_full(struct iotflash_sim *s, uint8_t *buf, size_t len, int gap_ms)
{
	return host_read_full(HOST(s), buf, len, gap_ms);
}

static void svc_write(struct iotflash_sim *s, const void *buf, size_t len)
{
	host_write(HOST(s), buf, len);
}

static void svc_set_baud(struct iotflash_sim *s, uint32_t baud)
{
	host_set_baud(HOST(s), baud);
}

static uint32_t svc_baud(struct iotflash_sim *s)
{
	return host_baud(HOST(s));
}

static void svc_autobaud(struct iotflash_sim *s, bool on)
{
	host_autobaud(HOST(s), on);
}

static void svc_busy(struct iotflash_sim *s, uint64_t us)
{
	host_busy(HOST(s), us);
}

static void svc_wait(struct iotflash_sim *s, unsigned ms)
{
	host_wait(HOST(s), ms);
}

static void svc_discard_input(struct iotflash_sim *s)
{
	host_discard_input(HOST(s));
}

static uint8_t *svc_flash(struct iotflash_sim *s, uint32_t *size)
{
	return host_flash(HOST(s), size);
}

static bool svc_timing(struct iotflash_sim *s)
{
	return host_timing(HOST(s));
}

static void svc_vlog(struct iotflash_sim *s, const char *fmt, va_list ap)
{
	sim_vlog(HOST(s), fmt, ap);
}

/* What the client's termios shows of its parity (the pty clears PARENB but
 * keeps INPCK and PARODD). */
static char svc_client_parity(struct iotflash_sim *s)
{
	struct termios t;
	if (tcgetattr(HOST(s)->master, &t) < 0 || !(t.c_iflag & INPCK))
		return 'N';
	return t.c_cflag & PARODD ? 'O' : 'E';
}

static const struct iotflash_sim_services host_services = {
	.size = sizeof(struct iotflash_sim_services),
	.read = svc_read,
	.read_full = svc_read_full,
	.write = svc_write,
	.set_baud = svc_set_baud,
	.baud = svc_baud,
	.autobaud = svc_autobaud,
	.busy = svc_busy,
	.wait = svc_wait,
	.discard_input = svc_discard_input,
	.flash = svc_flash,
	.timing = svc_timing,
	.vlog = svc_vlog,
	.client_parity = svc_client_parity,
};

/* ---- setup and teardown ---- */

static bool is_flash_size(uint64_t size)
{
	return size >= MIN_FLASH && size <= 0x80000000u && !(size & (size - 1));
}

static int fill_ff(int fd, uint32_t size)
{
	uint8_t block[65536];
	memset(block, 0xFF, sizeof(block));
	for (uint32_t off = 0; off < size; ) {
		size_t n = size - off < sizeof(block) ? size - off : sizeof(block);
		ssize_t w = pwrite(fd, block, n, off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (uint32_t)w;
	}
	return 0;
}

/* The --flash file: created (0600, erased) if missing or empty; another
 * existing size is the model's flash size if it is a plausible one. */
static int flash_open(struct sim_host *sim, const char *path, char *err, size_t errlen)
{
	bool created = false;
	uint32_t want = sim->chip->flash_size;
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		created = fd >= 0;
	}
	if (fd < 0)
		goto fail_errno;
	sim->flash_fd = fd;
	if (created && fchmod(fd, 0600) < 0)
		goto fail_errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		goto fail_errno;
	if (st.st_size == 0) {
		if (!want) {
			snprintf(err, errlen, "%s: chip %s has no flash size in the database", path, sim->chip->name);
			goto fail;
		}
		if (fill_ff(fd, want) < 0)
			goto fail_errno;
		sim->flash_size = want;
	} else if ((uint64_t)st.st_size == want || is_flash_size((uint64_t)st.st_size)) {
		sim->flash_size = (uint32_t)st.st_size;
	} else {
		snprintf(err, errlen, "%s is %lld bytes: expected %u (the %s's flash) or a power of two >= 64 KiB",
		         path, (long long)st.st_size, want, sim->chip->name);
		goto fail;
	}
	sim->flash = mmap(NULL, sim->flash_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (sim->flash == MAP_FAILED) {
		sim->flash = NULL;
		goto fail_errno;
	}
	return IOTFLASH_OK;

fail_errno:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
fail:
	if (created)
		unlink(path);
	return IOTFLASH_ERR_FILE;
}

static void flash_close(struct sim_host *sim)
{
	if (sim->flash) {
		msync(sim->flash, sim->flash_size, MS_SYNC);
		munmap(sim->flash, sim->flash_size);
	}
	if (sim->flash_fd >= 0)
		close(sim->flash_fd);
}

static int pty_open(struct sim_host *sim, char *err, size_t errlen)
{
	sim->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (sim->master < 0 || grantpt(sim->master) < 0 || unlockpt(sim->master) < 0 ||
	    ptsname_r(sim->master, sim->slave_path, sizeof(sim->slave_path)) != 0)
		goto fail;
	/* Held open by the host too, so the master never sees a hangup (EIO)
	 * between clients. */
	sim->slave = open(sim->slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (sim->slave < 0 || tty_init(sim->slave, sim->model_baud) < 0)
		goto fail;
	int fl = fcntl(sim->master, F_GETFL);
	if (fl < 0 || fcntl(sim->master, F_SETFL, fl | O_NONBLOCK) < 0)
		goto fail;
	sim->client_baud = tty_get_baud(sim->master);
	return IOTFLASH_OK;
fail:
	snprintf(err, errlen, "cannot create a pseudo-terminal: %s", strerror(errno));
	return IOTFLASH_ERR_PORT;
}

/* --reset-on-open: watch the slave device for open(2).  The host's own
 * descriptor on it is already open, so only clients count. */
static int open_watch_start(struct sim_host *sim, char *err, size_t errlen)
{
	sim->open_watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (sim->open_watch < 0 || inotify_add_watch(sim->open_watch, sim->slave_path, IN_OPEN) < 0) {
		snprintf(err, errlen, "--reset-on-open: cannot watch %s for opens: %s", sim->slave_path, strerror(errno));
		return IOTFLASH_ERR_PORT;
	}
	return IOTFLASH_OK;
}

static void pty_close(struct sim_host *sim)
{
	if (sim->open_watch >= 0)
		close(sim->open_watch);
	if (sim->slave >= 0)
		close(sim->slave);
	if (sim->master >= 0)
		close(sim->master);
}

/* PATH -> the pty; an old symlink is replaced, anything else is refused. */
static int link_create(struct sim_host *sim, const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISLNK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a symlink: not replacing it", path);
			return IOTFLASH_ERR_FILE;
		}
		if (unlink(path) < 0)
			goto fail;
	}
	if (symlink(sim->slave_path, path) < 0)
		goto fail;
	sim->link_path = path;
	return IOTFLASH_OK;
fail:
	snprintf(err, errlen, "cannot make %s a link to %s: %s", path, sim->slave_path, strerror(errno));
	return IOTFLASH_ERR_FILE;
}

/* Removed only while it still points to our pty (another instance may have
 * taken the name over). */
static void link_remove(struct sim_host *sim)
{
	char target[sizeof(sim->slave_path)];
	ssize_t n = readlink(sim->link_path, target, sizeof(target) - 1);
	if (n < 0)
		return;
	target[n] = '\0';
	if (!strcmp(target, sim->slave_path))
		unlink(sim->link_path);
}

static void on_signal(int sig)
{
	int saved = errno;
	if (sig == SIGUSR1)
		reset_flag = 1;
	else
		stop_flag = 1;
	if (write(stop_pipe[1], "x", 1) < 0) {
		/* a full pipe already wakes the poll */
	}
	errno = saved;
}

struct saved_signals {
	struct sigaction term, intr, usr1;
};

/* No SA_RESTART: a signal interrupts whatever waits. */
static int signals_install(struct saved_signals *saved, char *err, size_t errlen)
{
	if (pipe2(stop_pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
		snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		return IOTFLASH_ERR_INTERNAL;
	}
	stop_flag = reset_flag = 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, &saved->term);
	sigaction(SIGINT, &sa, &saved->intr);
	sigaction(SIGUSR1, &sa, &saved->usr1);
	return IOTFLASH_OK;
}

static void signals_restore(const struct saved_signals *saved)
{
	sigaction(SIGTERM, &saved->term, NULL);
	sigaction(SIGINT, &saved->intr, NULL);
	sigaction(SIGUSR1, &saved->usr1, NULL);
	close(stop_pipe[0]);
	close(stop_pipe[1]);
	stop_pipe[0] = stop_pipe[1] = -1;
}

static struct sim_host *sim_new(const struct iotflash_model_ops *model, const struct iotflash_chip *chip,
                                    const struct iotflash_sim_opts *opts)
{
	struct sim_host *sim = calloc(1, sizeof(*sim));
	if (!sim)
		return NULL;
	sim->model = model;
	sim->chip = chip;
	sim->pub.services = &host_services;
	sim->flash_fd = sim->master = sim->slave = sim->open_watch = -1;
	sim->model_baud = chip->link_baud;
	sim->timing = opts->timing;
	sim->verbose = opts->verbose;
	sim_rng_seed(&sim->rx_rng, opts->seed, 1);
	sim_rng_seed(&sim->tx_rng, opts->seed, 2);
	sim_rng_seed(&sim->noise_rng, opts->seed, 3);
	return sim;
}

static void log_stats(struct sim_host *sim)
{
	host_log(sim, "faults: %llu dropped, %llu flipped, %llu stalls, %llu resets; %llu bytes at a wrong baud",
	         (unsigned long long)sim->stats.dropped, (unsigned long long)sim->stats.flipped,
	         (unsigned long long)sim->stats.stalls, (unsigned long long)sim->stats.resets,
	         (unsigned long long)sim->stats.garbled);
}

static int serve(struct sim_host *sim, char *err, size_t errlen)
{
	send_noise(sim);
	printf("ready %s\n", sim->link_path);
	fflush(stdout);
	host_log(sim, "%s on %s (%s), flash %u bytes, %u baud%s%s", sim->chip->name, sim->slave_path,
	         sim->model->description ? sim->model->description : sim->model->family,
	         sim->flash_size, sim->model_baud, sim->timing ? "" : ", no timing",
	         sim->open_watch >= 0 ? ", reset on open" : "");
	int rc = sim->model->serve(&sim->pub, sim->chip);
	log_stats(sim);
	if (rc != 0) {
		snprintf(err, errlen, "the %s model failed (%d)", sim->chip->name, rc);
		return rc < 0 ? rc : IOTFLASH_ERR_INTERNAL;
	}
	return IOTFLASH_OK;
}

int sim_host_run(const struct iotflash_model_ops *model, const struct iotflash_chip *chip,
                 const struct iotflash_sim_opts *opts, char *err, size_t errlen)
{
	struct saved_signals saved;
	struct sim_host *sim = sim_new(model, chip, opts);
	int rc;
	if (!sim) {
		snprintf(err, errlen, "out of memory");
		return IOTFLASH_ERR_NOMEM;
	}
	rc = sim_faults_parse(opts->faults, &sim->faults, err, errlen);
	if (rc)
		goto out_free;
	rc = flash_open(sim, opts->flash_path, err, errlen);
	if (rc)
		goto out_flash;
	rc = pty_open(sim, err, errlen);
	if (rc == IOTFLASH_OK && opts->reset_on_open)
		rc = open_watch_start(sim, err, errlen);
	if (rc)
		goto out_pty;
	rc = link_create(sim, opts->link_path, err, errlen);
	if (rc)
		goto out_pty;
	rc = signals_install(&saved, err, errlen);
	if (rc)
		goto out_link;
	rc = serve(sim, err, errlen);
	signals_restore(&saved);
out_link:
	link_remove(sim);
out_pty:
	pty_close(sim);
out_flash:
	flash_close(sim);
out_free:
	free(sim);
	return rc;
}
