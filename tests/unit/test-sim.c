/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The simulator host, driven in-process: a tiny echo model runs in a forked
 * host (sim_host_run), the test is the client on the other end of the pty. */
#define _GNU_SOURCE
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "iotflash/model.h"
#include "sim-host.h"

/* <asm/termbits.h> clashes with <termios.h>: the generic layout, as the host. */
struct termios2 {
	tcflag_t c_iflag, c_oflag, c_cflag, c_lflag;
	cc_t c_line;
	cc_t c_cc[19];
	speed_t c_ispeed, c_ospeed;
};
#ifndef BOTHER
#define BOTHER 0010000
#endif

#define FLASH_64K 0x10000u

static const struct iotflash_chip chip_115200 = {
	.name = "testchip", .family = "test", .link_baud = 115200, .flash_size = FLASH_64K,
};
static const struct iotflash_chip chip_1500000 = {
	.name = "fastchip", .family = "test", .link_baud = 1500000, .flash_size = FLASH_64K,
};

/* ---- the test models ---- */

/* Marks its flash at power-on (and records the size it got), echoes every
 * byte, and answers a reset with '!'. */
static int echo_serve(struct iotflash_sim *sim, const struct iotflash_chip *chip)
{
	uint32_t size;
	uint8_t *flash = iotflash_sim_flash(sim, &size);
	uint8_t buf[512];
	memcpy(flash, "ECHO", 4);
	for (int i = 0; i < 4; i++)
		flash[4 + i] = (uint8_t)(size >> (8 * i));
	for (;;) {
		int n = iotflash_sim_read(sim, buf, sizeof(buf), -1);
		if (n == IOTFLASH_SIM_STOP)
			return 0;
		if (n == IOTFLASH_SIM_RESET)
			iotflash_sim_write(sim, "!", 1);
		else if (n > 0)
			iotflash_sim_write(sim, buf, (size_t)n);
	}
}

static const struct iotflash_model_ops echo_model = { "test", "echo model", echo_serve };

/* 'W': a protocol wait of a minute; 'B': 256 KiB of output; 'T': 2000
 * bytes of output; 'U': 200 ms of chip work, then 'u'; 'S': take 1000
 * bytes, then 's'; else echo. */
static int cmd_serve(struct iotflash_sim *sim, const struct iotflash_chip *chip)
{
	static uint8_t big[256 * 1024];
	uint8_t c;
	for (;;) {
		int n = iotflash_sim_read(sim, &c, 1, -1);
		if (n == IOTFLASH_SIM_STOP)
			return 0;
		if (n != 1)
			continue;
		if (c == 'W')
			iotflash_sim_wait(sim, 60000);
		else if (c == 'B')
			iotflash_sim_write(sim, big, sizeof(big));
		else if (c == 'T')
			iotflash_sim_write(sim, big, 2000);
		else if (c == 'S') {
			if (iotflash_sim_read_full(sim, big, 1000, 2000) == 1000)
				iotflash_sim_write(sim, "s", 1);
		} else if (c == 'U') {
			iotflash_sim_busy(sim, 200000);
			iotflash_sim_write(sim, "u", 1);
		}
		else
			iotflash_sim_write(sim, &c, 1);
	}
}

static const struct iotflash_model_ops cmd_model = { "test", "command model", cmd_serve };

/* Takes every byte and says nothing. */
static int sink_serve(struct iotflash_sim *sim, const struct iotflash_chip *chip)
{
	uint8_t buf[4096];
	(void)chip;
	for (;;)
		if (iotflash_sim_read(sim, buf, sizeof(buf), -1) == IOTFLASH_SIM_STOP)
			return 0;
}

static const struct iotflash_model_ops sink_model = { "test", "sink model", sink_serve };

/* ---- host process ---- */

static bool start_reset_on_open;  /* host_start(): --reset-on-open */

struct host {
	pid_t pid;
	int out;  /* the host's stdout */
	char dir[64], flash[96], link[96];
};

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void host_paths(struct host *h)
{
	strcpy(h->dir, "/tmp/test-sim-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(h->dir));
	snprintf(h->flash, sizeof(h->flash), "%s/flash.bin", h->dir);
	snprintf(h->link, sizeof(h->link), "%s/tty", h->dir);
}

static void host_cleanup(struct host *h)
{
	unlink(h->flash);
	unlink(h->link);
	rmdir(h->dir);
}

/* Read one line from fd, waiting up to 5 s. */
static void read_line(int fd, char *line, size_t cap)
{
	size_t n = 0;
	while (n + 1 < cap) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ck_assert_int_eq(poll(&p, 1, 5000), 1);
		if (read(fd, line + n, 1) != 1)
			break;
		if (line[n++] == '\n')
			break;
	}
	line[n] = '\0';
}

static void host_start(struct host *h, const struct iotflash_model_ops *model, const struct iotflash_chip *chip,
                       const char *faults, uint64_t seed, bool timing)
{
	int pipefd[2];
	ck_assert_int_eq(pipe(pipefd), 0);
	fflush(stdout);
	fflush(stderr);
	h->pid = fork();
	ck_assert_int_ge(h->pid, 0);
	if (h->pid == 0) {
		struct iotflash_sim_opts opts = {
			.model = chip->name, .flash_path = h->flash, .link_path = h->link,
			.faults = faults, .seed = seed, .timing = timing,
			.reset_on_open = start_reset_on_open,
		};
		char err[512];
		prctl(PR_SET_PDEATHSIG, SIGKILL);  /* never outlive a failed test */
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		int rc = sim_host_run(model, chip, &opts, err, sizeof(err));
		if (rc)
			fprintf(stderr, "host: %s\n", err);
		_exit(rc ? 1 : 0);
	}
	close(pipefd[1]);
	h->out = pipefd[0];
	char line[256], want[256];
	read_line(h->out, line, sizeof(line));
	snprintf(want, sizeof(want), "ready %s\n", h->link);
	ck_assert_str_eq(line, want);
}

/* SIGTERM; returns the exit status (or 128 + signal), waiting at most 5 s. */
static int host_stop(struct host *h)
{
	int status;
	ck_assert_int_eq(kill(h->pid, SIGTERM), 0);
	for (int i = 0; i < 500; i++) {
		pid_t r = waitpid(h->pid, &status, WNOHANG);
		if (r == h->pid) {
			close(h->out);
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		usleep(10000);
	}
	kill(h->pid, SIGKILL);
	waitpid(h->pid, &status, 0);
	ck_abort_msg("the host did not stop within 5 s of SIGTERM");
	return -1;
}

/* ---- client ---- */

static void client_set_baud2(int fd, uint32_t baud)
{
	struct termios2 t;
	ck_assert_int_eq(ioctl(fd, TCGETS2, &t), 0);
	t.c_cflag = (t.c_cflag & ~(tcflag_t)CBAUD) | BOTHER;
	t.c_ispeed = t.c_ospeed = baud;
	ck_assert_int_eq(ioctl(fd, TCSETS2, &t), 0);
}

static void client_set_speed(int fd, speed_t speed)
{
	struct termios t;
	ck_assert_int_eq(tcgetattr(fd, &t), 0);
	cfsetspeed(&t, speed);
	ck_assert_int_eq(tcsetattr(fd, TCSANOW, &t), 0);
}

static int client_open(const struct host *h, bool flush)
{
	int fd = open(h->link, O_RDWR | O_NOCTTY);
	ck_assert_int_ge(fd, 0);
	ck_assert(isatty(fd));
	struct termios t;
	ck_assert_int_eq(tcgetattr(fd, &t), 0);
	cfmakeraw(&t);
	ck_assert_int_eq(tcsetattr(fd, TCSANOW, &t), 0);
	if (flush)
		tcflush(fd, TCIFLUSH);
	return fd;
}

static void write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);
		ck_assert_int_gt(w, 0);
		buf += w;
		len -= (size_t)w;
	}
}

/* Read until want bytes arrived or the line was quiet for quiet_ms. */
static size_t collect(int fd, uint8_t *buf, size_t want, int quiet_ms)
{
	size_t n = 0;
	while (n < want) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, quiet_ms) != 1)
			break;
		ssize_t r = read(fd, buf + n, want - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	return n;
}

static void fill_all_bytes(uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)i;
}

/* ---- tests ---- */

START_TEST(test_ready_echo_and_sigterm)
{
	struct host h;
	host_paths(&h);
	host_start(&h, &echo_model, &chip_115200, NULL, 0, false);
	char target[128];
	ssize_t n = readlink(h.link, target, sizeof(target) - 1);
	ck_assert_int_gt(n, 0);
	target[n] = '\0';
	ck_assert_msg(!strncmp(target, "/dev/pts/", 9), "link points to %s", target);

	int fd = client_open(&h, true);
	client_set_speed(fd, B115200);
	uint8_t out[256], in[256];
	fill_all_bytes(out, sizeof(out));
	write_all(fd, out, sizeof(out));
	ck_assert_uint_eq(collect(fd, in, sizeof(in), 2000), sizeof(in));
	ck_assert_mem_eq(in, out, sizeof(out));
	close(fd);

	ck_assert_int_eq(host_stop(&h), 0);
	struct stat st;
	ck_assert_int_eq(lstat(h.link, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	host_cleanup(&h);
}
END_TEST

START_TEST(test_flash_created_and_written)
{
	struct host h;
	host_paths(&h);
	host_start(&h, &echo_model, &chip_115200, NULL, 0, false);
	ck_assert_int_eq(host_stop(&h), 0);

	struct stat st;
	ck_assert_int_eq(stat(h.flash, &st), 0);
	ck_assert_int_eq(st.st_size, FLASH_64K);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	static uint8_t data[FLASH_64K];
	FILE *f = fopen(h.flash, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(data, 1, sizeof(data), f), sizeof(data));
	fclose(f);
	ck_assert_mem_eq(data, "ECHO\x00\x00\x01\x00", 8);  /* the model's write, and size 0x10000 */
	for (size_t i = 8; i < sizeof(data); i++)
		ck_assert_msg(data[i] == 0xFF, "flash[%zu] = 0x%02x", i, data[i]);
	host_cleanup(&h);
}
END_TEST

START_TEST(test_flash_existing_sizes)
{
	struct host h;
	host_paths(&h);
	/* Another power of two is the model's flash size. */
	FILE *f = fopen(h.flash, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ftruncate(fileno(f), 0x20000), 0);
	fclose(f);
	host_start(&h, &echo_model, &chip_115200, NULL, 0, false);
	ck_assert_int_eq(host_stop(&h), 0);
	uint8_t head[8];
	f = fopen(h.flash, "rb");
	ck_assert_uint_eq(fread(head, 1, sizeof(head), f), sizeof(head));
	fclose(f);
	ck_assert_mem_eq(head, "ECHO\x00\x00\x02\x00", 8);

	/* Anything else is refused, before a pty exists. */
	ck_assert_int_eq(truncate(h.flash, 100000), 0);
	struct iotflash_sim_opts opts = { .model = "testchip", .flash_path = h.flash, .link_path = h.link };
	char err[512] = "";
	ck_assert_int_eq(sim_host_run(&echo_model, &chip_115200, &opts, err, sizeof(err)), IOTFLASH_ERR_FILE);
	ck_assert_msg(strstr(err, "100000") && strstr(err, "power of two"), "err: %s", err);
	struct stat st;
	ck_assert_int_eq(lstat(h.link, &st), -1);
	host_cleanup(&h);
}
END_TEST

START_TEST(test_link_replace_rules)
{
	struct host h;
	host_paths(&h);
	/* A regular file is never replaced. */
	FILE *f = fopen(h.link, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	struct iotflash_sim_opts opts = { .model = "testchip", .flash_path = h.flash, .link_path = h.link };
	char err[512] = "";
	ck_assert_int_eq(sim_host_run(&echo_model, &chip_115200, &opts, err, sizeof(err)), IOTFLASH_ERR_FILE);
	ck_assert_msg(strstr(err, "not a symlink"), "err: %s", err);
	struct stat st;
	ck_assert_int_eq(lstat(h.link, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	unlink(h.link);

	/* A stale symlink is. */
	ck_assert_int_eq(symlink("/nonexistent/tty", h.link), 0);
	host_start(&h, &echo_model, &chip_115200, NULL, 0, false);
	char target[128];
	ssize_t n = readlink(h.link, target, sizeof(target) - 1);
	ck_assert_int_gt(n, 0);
	target[n] = '\0';
	ck_assert_msg(!strncmp(target, "/dev/pts/", 9), "link points to %s", target);
	ck_assert_int_eq(host_stop(&h), 0);
	host_cleanup(&h);
}
END_TEST

/* Every byte at a wrong rate has bit 7 set and is never the byte sent. */
static void assert_garbage(const uint8_t *out, const uint8_t *in, size_t n, bool aligned)
{
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(in[i] & 0x80, "byte %zu = 0x%02x has bit 7 clear", i, in[i]);
		if (aligned)
			ck_assert_msg(in[i] != out[i], "byte %zu came back unchanged (0x%02x)", i, in[i]);
	}
}

START_TEST(test_baud_mismatch_921600)
{
	struct host h;
	host_paths(&h);
	host_start(&h, &echo_model, &chip_115200, NULL, 0, false);
	int fd = client_open(&h, true);
	uint8_t out[256], in[256];
	fill_all_bytes(out, sizeof(out));

	client_set_speed(fd, B921600);
	write_all(fd, out, sizeof(out));
	size_t n = collect(fd, in, sizeof(in), 500);
	ck_assert_uint_gt(n, 0);              /* garbage, not silence */
	ck_assert_uint_lt(n, sizeof(out) / 2); /* 8x apart: framing loses bytes both ways */
	assert_garbage(out, in, n, false);

	/* Back at the chip's rate, the line is clean again. */
	client_set_speed(fd, B115200);
	write_all(fd, out, sizeof(out));
	ck_assert_uint_eq(collect(fd, in, sizeof(in), 2000), sizeof(in));
	ck_assert_mem_eq(in, out, sizeof(out));
	close(fd);
	ck_assert_int_eq(host_stop(&h), 0);
	host_cleanup(&h);
}
END_TEST

START_TEST(test_baud_mismatch_2000000)
{
	struct host h;
	host_paths(&h);
	host_start(&h, &echo_model, &chip_1500000, NULL, 0, false);
	int fd = client_open(&h, true);
	uint8_t out[256], in[256];
	fill_all_bytes(out, sizeof(out));

	client_set_baud2(fd, 1500000);
	write_all(fd, out, sizeof(out));
	ck_assert_uint_eq(collect(fd, in, sizeof(in), 2000), sizeof(in));
	ck_assert_mem_eq(in, out, sizeof(out));

	client_set_baud2(fd, 2000000);
	write_all(fd, out, sizeof(out));
	ck_assert_uint_eq(collect(fd, in, sizeof(in), 2000), sizeof(in));  /* close rates: no loss */
	assert_garbage(out, in, sizeof(in), true);
	close(fd);
	ck_assert_int_eq(host_stop(&h), 0);
	host_cleanup(&h);
}
END_TEST

/* Noise at open, then the echo of 2000 bytes, through the given faults. */
static size_t faulty_run(const char *faults, uint64_t seed, uint8_t *in, size_t cap)
{
	struct host h;
	uint8_t out[2000];
	host_paths(&h);
	host_start(&h, &echo_model, &chip_115200, faults, seed, false);
	int fd = client_open(&h, false);
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7);
	write_all(fd, out, sizeof(out));
	size_t n = collect(fd, in, cap, 500);
	close(fd);
	ck_assert_int_eq(host_stop(&h), 0);
	host_cleanup(&h);
	return n;
}

START_TEST(test_faults_deterministic)
{
	static uint8_t a[4096], b[4096], c[4096];
	const char *spec = "drop=0.05,flip=0.05,noise=16";
	size_t na = faulty_run(spec, 1234, a, sizeof(a));
	size_t nb = faulty_run(spec, 1234, b, sizeof(b));
	size_t nc = faulty_run(spec, 99, c, sizeof(c));
	ck_assert_uint_eq(na, nb);
	ck_assert_mem_eq(a, b, na);
	ck_assert_uint_gt(na, 16 + 1500);  /* about 10 % lost both ways */
	ck_assert_uint_lt(na, 16 + 2000);
	ck_assert(na != nc || memcmp(a, c, na) != 0);  /* another seed, other faults */
}
END_TEST

START_TEST(test_drop_everything)
{
	static uint8_t in[4096];
	ck_assert_uint_eq(faulty_run("drop=1", 1, in, sizeof(in)), 0);
}
END_TEST

START_TEST(test_reset_fault)
{
	struct host h;
	uint8_t in[64], noise[8];
	host_paths(&h);
	host_start(&h, &echo_model, &chip_115200, "reset=1,noise=8", 5, false);
	int fd = client_open(&h, false);
	ck_assert_uint_eq(collect(fd, noise, sizeof(noise), 1000), sizeof(noise));
	for (int round = 0; round < 2; round++) {
		write_all(fd, (const uint8_t *)"a", 1);
		/* The reset's noise, then the model's power-on answer; no echo. */
		size_t n = collect(fd, in, sizeof(in), 500);
		ck_assert_uint_eq(n, 9);
		ck_assert_int_eq(in[8], '!');
	}
	close(fd);
	ck_assert_int_eq(host_stop(&h), 0);
	host_cleanup(&h);
}
END_TEST

START_TEST(test_stall_fault)
{
	struct host h;
	uint8_t in[4];
	host_paths(&h);
	host_start(&h, &echo_model, &chip_115200, "stall=1:50ms", 1, false);
	int fd = client_open(&h, true);
	uint64_t t0 = mono_ms();
	write_all(fd, (const uint8_t *)"wxyz", 4);
	ck_assert_uint_eq(collect(fd, in, sizeof(in), 2000), sizeof(in));
	uint64_t took = mono_ms() - t0;
	ck_assert_mem_eq(in, "wxyz", 4);
	/* Received bytes are ready at 50, 100, 150, 200 ms; the last echo
	 * stalls another 50 ms. */
	ck_assert_msg(took >= 245, "4 bytes with 2 x 4 stalls of 50 ms took %llu ms", (unsigned long long)took);
	close(fd);
	ck_assert_int_eq(host_stop(&h), 0);
	host_cleanup(&h);
}
END_TEST

/* Milliseconds for the echo of 2000 bytes at 115200 baud. */
static uint64_t echo_time(bool timing)
{
	struct host h;
	static uint8_t out[2000], in[2000];
	host_paths(&h);
	host_start(&h, &echo_model, &chip_115200, NULL, 0, timing);
	int fd = client_open(&h, true);
	client_set_speed(fd, B115200);
	fill_all_bytes(out, sizeof(out));
	uint64_t t0 = mono_ms();
	write_all(fd, out, sizeof(out));
	ck_assert_uint_eq(collect(fd, in, sizeof(in), 2000), sizeof(in));
	uint64_t took = mono_ms() - t0;
	ck_assert_mem_eq(in, out, sizeof(out));
	close(fd);
	ck_assert_int_eq(host_stop(&h), 0);
	host_cleanup(&h);
	return took;
}

START_TEST(test_wire_timing)
{
	/* 2000 bytes x 10 bits at 115200 baud = 173.6 ms on the wire. */
	uint64_t timed = echo_time(true);
	ck_assert_msg(timed >= 170, "timed echo took %llu ms", (unsigned long long)timed);
	ck_assert_msg(timed < 1500, "timed echo took %llu ms", (unsigned long long)timed);
	uint64_t fast = echo_time(false);
	ck_assert_msg(fast < 120, "echo without timing took %llu ms", (unsigned long long)fast);
}
END_TEST

/* Milliseconds from sending command c (and extra bytes after it) until
 * want bytes came back. */
static uint64_t command_time(bool timing, char c, size_t extra, size_t want)
{
	struct host h;
	static uint8_t in[4096];
	host_paths(&h);
	host_start(&h, &cmd_model, &chip_115200, NULL, 0, timing);
	int fd = client_open(&h, true);
	client_set_speed(fd, B115200);
	uint64_t t0 = mono_ms();
	static uint8_t out[1 + 2000];
	memset(out, 0, sizeof(out));
	out[0] = (uint8_t)c;
	ck_assert_uint_le(extra, 2000);
	write_all(fd, out, 1 + extra);
	ck_assert_uint_eq(collect(fd, in, want, 2000), want);
	uint64_t took = mono_ms() - t0;
	close(fd);
	ck_assert_int_eq(host_stop(&h), 0);
	host_cleanup(&h);
	return took;
}

START_TEST(test_output_pacing_and_busy)
{
	/* Output alone: 2000 bytes leave at 115200 baud in 173.6 ms. */
	uint64_t paced = command_time(true, 'T', 0, 2000);
	ck_assert_msg(paced >= 170 && paced < 1500, "paced output took %llu ms", (unsigned long long)paced);
	ck_assert_msg(command_time(false, 'T', 0, 2000) < 120, "output without timing was paced");
	/* Chip work is slept only with timing. */
	uint64_t busy = command_time(true, 'U', 0, 1);
	ck_assert_msg(busy >= 200 && busy < 1500, "200 ms of chip work took %llu ms", (unsigned long long)busy);
	ck_assert_msg(command_time(false, 'U', 0, 1) < 120, "chip work slept without timing");
	/* Input alone: 1001 bytes reach the model after 86.9 ms on the wire. */
	uint64_t in = command_time(true, 'S', 1000, 1);
	ck_assert_msg(in >= 86 && in < 1500, "1001 bytes arrived in %llu ms", (unsigned long long)in);
	ck_assert_msg(command_time(false, 'S', 1000, 1) < 80, "input without timing was delayed");
}
END_TEST

START_TEST(test_stop_wakes_waits)
{
	struct host h;
	host_paths(&h);
	host_start(&h, &cmd_model, &chip_115200, NULL, 0, false);
	int fd = client_open(&h, true);
	write_all(fd, (const uint8_t *)"W", 1);
	usleep(100000);  /* the model is now in its one-minute wait */
	uint64_t t0 = mono_ms();
	ck_assert_int_eq(host_stop(&h), 0);
	ck_assert_uint_lt(mono_ms() - t0, 1000);
	close(fd);
	host_cleanup(&h);
}
END_TEST

START_TEST(test_client_not_reading)
{
	struct host h;
	uint8_t c;
	host_paths(&h);
	host_start(&h, &cmd_model, &chip_115200, NULL, 0, false);
	int fd = client_open(&h, true);
	/* 256 KiB the client never reads: the host must give up, not hang. */
	write_all(fd, (const uint8_t *)"B", 1);
	usleep(2500000);
	tcflush(fd, TCIFLUSH);
	usleep(100000);
	tcflush(fd, TCIFLUSH);
	write_all(fd, (const uint8_t *)"x", 1);
	ck_assert_uint_eq(collect(fd, &c, 1, 2000), 1);
	ck_assert_int_eq(c, 'x');
	close(fd);
	ck_assert_int_eq(host_stop(&h), 0);
	host_cleanup(&h);
}
END_TEST

/* SIGUSR1, the reset button: the model's read returns RESET (the echo
 * model answers '!'), and a reset ends a protocol wait at once. */
START_TEST(test_reset_button)
{
	struct host h;
	uint8_t in[8];
	host_paths(&h);
	host_start(&h, &echo_model, &chip_115200, NULL, 0, false);
	int fd = client_open(&h, true);
	ck_assert_uint_eq(collect(fd, in, sizeof(in), 300), 0);
	for (int round = 0; round < 3; round++) {
		ck_assert_int_eq(kill(h.pid, SIGUSR1), 0);
		ck_assert_uint_eq(collect(fd, in, sizeof(in), 500), 1);
		ck_assert_int_eq(in[0], '!');
		write_all(fd, (const uint8_t *)"e", 1);
		ck_assert_uint_eq(collect(fd, in, sizeof(in), 500), 1);
		ck_assert_int_eq(in[0], 'e');
	}
	close(fd);
	ck_assert_int_eq(host_stop(&h), 0);
	host_cleanup(&h);

	host_paths(&h);
	host_start(&h, &cmd_model, &chip_115200, NULL, 0, false);
	fd = client_open(&h, true);
	write_all(fd, (const uint8_t *)"W", 1);
	usleep(100000);  /* the model is now in its one-minute wait */
	ck_assert_int_eq(kill(h.pid, SIGUSR1), 0);
	usleep(100000);
	uint64_t t0 = mono_ms();
	write_all(fd, (const uint8_t *)"x", 1);
	ck_assert_uint_eq(collect(fd, in, 1, 2000), 1);
	ck_assert_int_eq(in[0], 'x');
	ck_assert_uint_lt(mono_ms() - t0, 1000);
	close(fd);
	ck_assert_int_eq(host_stop(&h), 0);
	host_cleanup(&h);
}
END_TEST

/* --reset-on-open: every open of the port is a reset ('!'), closing is
 * not; without the option an open does nothing. */
START_TEST(test_reset_on_open)
{
	struct host h;
	uint8_t in[8];
	for (int with = 1; with >= 0; with--) {
		host_paths(&h);
		start_reset_on_open = with;
		host_start(&h, &echo_model, &chip_115200, NULL, 0, false);
		start_reset_on_open = false;
		for (int cycle = 0; cycle < 4; cycle++) {
			int fd = client_open(&h, false);
			size_t n = collect(fd, in, sizeof(in), 300);
			if (with) {
				ck_assert_msg(n == 1 && in[0] == '!', "open %d: %zu bytes, not the reset's '!'", cycle, n);
			} else {
				ck_assert_msg(n == 0, "open %d without --reset-on-open: %zu bytes", cycle, n);
			}
			write_all(fd, (const uint8_t *)"e", 1);  /* the model runs on after the reset */
			ck_assert_uint_eq(collect(fd, in, sizeof(in), 500), 1);
			ck_assert_int_eq(in[0], 'e');
			close(fd);
		}
		ck_assert_int_eq(host_stop(&h), 0);
		host_cleanup(&h);
	}
}
END_TEST

/* How many bytes a pty takes from its slave side before a write blocks
 * (the kernel's buffers; about 20 KiB on Linux 6). */
static size_t pty_capacity(void)
{
	static uint8_t chunk[1024];
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	ck_assert_int_ge(master, 0);
	ck_assert_int_eq(grantpt(master), 0);
	ck_assert_int_eq(unlockpt(master), 0);
	int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_NONBLOCK);
	ck_assert_int_ge(slave, 0);
	struct termios t;
	ck_assert_int_eq(tcgetattr(slave, &t), 0);
	cfmakeraw(&t);
	ck_assert_int_eq(tcsetattr(slave, TCSANOW, &t), 0);
	size_t n = 0;
	ssize_t w;
	while ((w = write(slave, chunk, sizeof(chunk))) > 0)
		n += (size_t)w;
	close(slave);
	close(master);
	return n;
}

/* Milliseconds a blocking write of len bytes takes at 115200 baud. */
static uint64_t write_time(bool timing, size_t len)
{
	struct host h;
	static uint8_t out[1 << 20];
	ck_assert_uint_le(len, sizeof(out));
	host_paths(&h);
	host_start(&h, &sink_model, &chip_115200, NULL, 0, timing);
	int fd = client_open(&h, true);
	client_set_speed(fd, B115200);
	uint64_t t0 = mono_ms();
	write_all(fd, out, len);
	uint64_t took = mono_ms() - t0;
	close(fd);
	ck_assert_int_eq(host_stop(&h), 0);
	host_cleanup(&h);
	return took;
}

/* Back-pressure: the host takes the client's bytes at the wire rate and
 * buffers none of its own, so a write() of the pty's capacity plus 16 KiB
 * returns only after those 16 KiB have taken their wire time; a write the
 * pty can hold returns at once, as on a UART; without timing, no wait. */
START_TEST(test_input_backpressure)
{
	size_t cap = pty_capacity();
	ck_assert_uint_gt(cap, 0);
	/* 16384 bytes x 10 bits at 115200 baud = 1422 ms. */
	uint64_t timed = write_time(true, cap + 16384);
	ck_assert_msg(timed >= 1250 && timed < 4000, "a write of %zu + 16384 bytes took %llu ms", cap,
	              (unsigned long long)timed);
	ck_assert_uint_lt(write_time(true, cap / 2), 100);
	uint64_t fast = write_time(false, cap + 16384);
	ck_assert_msg(fast < 300, "without timing, a write of %zu + 16384 bytes took %llu ms", cap,
	              (unsigned long long)fast);
}
END_TEST

START_TEST(test_faults_valid)
{
	static const char *const good[] = {
		"", "drop=1e-4", "drop=0.001,flip=1e-4,stall=1e-3:200ms,reset=1e-6,noise=64",
		"stall=0.5:500us", "stall=1:1s", "drop=0", "drop=1", "noise=0",
	};
	static const char *const bad[][2] = {
		{ "drop=x", "drop=x" }, { "stall=0.1", "stall=0.1" }, { "bogus=1", "bogus=1" },
		{ "drop=2", "drop=2" }, { "stall=0.1:200", "stall=0.1:200" }, { "noise=-1", "noise=-1" },
		{ "drop=0.1,,flip=0.1", "empty" }, { "drop=0.1,drop=0.2", "drop" }, { "flip", "flip" },
		{ "reset=", "reset=" }, { "drop=0.1,zap=2", "zap=2" }, { "stall=-1:1ms", "stall=-1:1ms" },
	};
	char err[256];
	ck_assert(iotflash_sim_faults_valid(NULL, err, sizeof(err)));
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(iotflash_sim_faults_valid(good[i], err, sizeof(err)), "'%s' refused: %s", good[i], err);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(!iotflash_sim_faults_valid(bad[i][0], err, sizeof(err)), "'%s' accepted", bad[i][0]);
		ck_assert_msg(strstr(err, bad[i][1]), "error for '%s' does not name it: %s", bad[i][0], err);
		ck_assert_ptr_null(strchr(err, '\n'));
	}
}
END_TEST

static Suite *sim_suite(void)
{
	Suite *s = suite_create("sim");
	TCase *tc = tcase_create("host");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_faults_valid);
	tcase_add_test(tc, test_ready_echo_and_sigterm);
	tcase_add_test(tc, test_flash_created_and_written);
	tcase_add_test(tc, test_flash_existing_sizes);
	tcase_add_test(tc, test_link_replace_rules);
	tcase_add_test(tc, test_baud_mismatch_921600);
	tcase_add_test(tc, test_baud_mismatch_2000000);
	tcase_add_test(tc, test_faults_deterministic);
	tcase_add_test(tc, test_drop_everything);
	tcase_add_test(tc, test_reset_fault);
	tcase_add_test(tc, test_stall_fault);
	tcase_add_test(tc, test_wire_timing);
	tcase_add_test(tc, test_output_pacing_and_busy);
	tcase_add_test(tc, test_stop_wakes_waits);
	tcase_add_test(tc, test_client_not_reading);
	tcase_add_test(tc, test_reset_button);
	tcase_add_test(tc, test_reset_on_open);
	tcase_add_test(tc, test_input_backpressure);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sim_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
