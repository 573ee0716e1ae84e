/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The serial transport over real pseudo-terminals (the termios path the
 * simulator and socat ports take), its open errors, and libserialport's
 * side: it refuses ptys, yet the transport opens them; list() works. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libserialport.h>

#include "internal.h"

/* The kernel's struct termios2, to read back what the port really runs at. */
struct termios2 {
	tcflag_t c_iflag, c_oflag, c_cflag, c_lflag;
	cc_t c_line;
	cc_t c_cc[19];
	speed_t c_ispeed, c_ospeed;
};
_Static_assert(sizeof(struct termios2) == _IOC_SIZE(TCGETS2), "struct termios2 layout");

static const struct iotflash_transport *const tr = &iotflash_serial_transport;

struct pty {
	int master, slave;
	char path[128];
};

static void pty_open(struct pty *p)
{
	ck_assert_int_eq(openpty(&p->master, &p->slave, p->path, NULL, NULL), 0);
}

static void pty_close(struct pty *p)
{
	close(p->master);
	close(p->slave);
}

static void *port_open(const char *path)
{
	char err[ERRLEN] = "";
	void *priv = NULL;
	int rc = tr->open(path, &priv, err, sizeof(err));

	ck_assert_msg(rc == IOTFLASH_OK, "open %s: %d %s", path, rc, err);
	ck_assert_ptr_nonnull(priv);
	return priv;
}

static uint64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Read exactly len bytes from fd (the master side), failing after 5 s. */
static void read_all(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
		n = read(fd, buf + got, len - got);
		ck_assert_int_gt(n, 0);
		got += (size_t)n;
	}
}

START_TEST(descriptor)
{
	ck_assert_str_eq(tr->name, "serial");
	ck_assert_int_eq(tr->kind, IOTFLASH_TRANSPORT_STREAM);
	ck_assert(tr->claims("/dev/ttyUSB0"));
	ck_assert(tr->claims("/tmp/sim-link"));
	ck_assert(tr->read && tr->write && tr->set_baud && tr->drain && tr->flush_input && tr->set_lines);
}
END_TEST

START_TEST(pty_is_not_libserialport)
{
	struct sp_port *sp = NULL;
	struct pty p;
	void *port;

	pty_open(&p);
	/* libserialport refuses the pty (that is the point of the termios path)... */
	if (sp_get_port_by_name(p.path, &sp) == SP_OK) {
		ck_assert_int_ne(sp_open(sp, SP_MODE_READ_WRITE), SP_OK);
		sp_free_port(sp);
	}
	/* ...and the transport opens it all the same. */
	port = port_open(p.path);
	tr->close(port);
	pty_close(&p);
}
END_TEST

START_TEST(baud_rates)
{
	static const uint32_t rates[] = { 115200, 921600, 1500000, 2000000, 250000, 3000000, 74880 };
	struct termios2 t;
	struct pty p;
	void *port;

	pty_open(&p);
	port = port_open(p.path);
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		ck_assert_int_eq(tr->set_baud(port, rates[i]), IOTFLASH_OK);
		/* The master sees the slave's termios: what the simulator reads. */
		ck_assert_int_eq(ioctl(p.master, TCGETS2, &t), 0);
		ck_assert_uint_eq(t.c_ospeed, rates[i]);
		ck_assert_uint_eq(t.c_ispeed, rates[i]);
	}
	/* Raw 8N1 without flow control. */
	ck_assert_uint_eq(t.c_cflag & CSIZE, CS8);
	ck_assert_uint_eq(t.c_cflag & (PARENB | CSTOPB | CRTSCTS), 0);
	ck_assert_uint_eq(t.c_iflag & (IXON | IXOFF | ICRNL), 0);
	ck_assert_uint_eq(t.c_lflag & (ICANON | ECHO | ISIG), 0);
	ck_assert_int_eq(tr->set_baud(port, 0), IOTFLASH_ERR_ARG);
	tr->close(port);
	pty_close(&p);
}
END_TEST

/* Every byte value, including ^C, XON/XOFF and CR/LF, passes untouched. */
START_TEST(round_trip)
{
	uint8_t out[4096], in[4096];
	struct pty p;
	void *port;

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + i / 256);
	pty_open(&p);
	port = port_open(p.path);
	ck_assert_int_eq(tr->set_baud(port, 115200), IOTFLASH_OK);
	for (int round = 0; round < 16; round++) {
		out[0] = (uint8_t)round;
		ck_assert_int_eq(tr->write(port, out, sizeof(out)), IOTFLASH_OK);
		ck_assert_int_eq(tr->drain(port), IOTFLASH_OK);
		read_all(p.master, in, sizeof(in));
		ck_assert_mem_eq(in, out, sizeof(out));
		ck_assert_int_eq(write(p.master, out, sizeof(out)), (ssize_t)sizeof(out));
		memset(in, 0, sizeof(in));
		ck_assert_int_eq(tr->read(port, in, sizeof(in), 5000), (int)sizeof(in));
		ck_assert_mem_eq(in, out, sizeof(out));
	}
	tr->close(port);
	pty_close(&p);
}
END_TEST

/* A write larger than the pty buffers completes once the other end reads. */
START_TEST(large_write)
{
	enum { SIZE = 256 * 1024 };
	uint8_t *buf = malloc(SIZE), *in = malloc(SIZE);
	struct pty p;
	void *port;
	pid_t pid;
	int status;

	ck_assert(buf && in);
	for (size_t i = 0; i < SIZE; i++)
		buf[i] = (uint8_t)(i ^ (i >> 8));
	pty_open(&p);
	port = port_open(p.path);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {  /* the reader: must see every byte in order */
		read_all(p.master, in, SIZE);
		_exit(memcmp(in, buf, SIZE) == 0 ? 0 : 1);
	}
	ck_assert_int_eq(tr->write(port, buf, SIZE), IOTFLASH_OK);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	tr->close(port);
	pty_close(&p);
	free(buf);
	free(in);
}
END_TEST

START_TEST(read_timeout)
{
	uint8_t buf[16];
	struct pty p;
	uint64_t t0;
	void *port;

	pty_open(&p);
	port = port_open(p.path);
	t0 = ms_now();
	ck_assert_int_eq(tr->read(port, buf, sizeof(buf), 200), 0);
	ck_assert_uint_ge(ms_now() - t0, 200);
	/* Short count: what arrived before the timeout. */
	ck_assert_int_eq(write(p.master, "abc", 3), 3);
	t0 = ms_now();
	ck_assert_int_eq(tr->read(port, buf, sizeof(buf), 150), 3);
	ck_assert_uint_ge(ms_now() - t0, 150);
	ck_assert_mem_eq(buf, "abc", 3);
	/* timeout 0: only what is already there. */
	ck_assert_int_eq(tr->read(port, buf, sizeof(buf), 0), 0);
	tr->close(port);
	pty_close(&p);
}
END_TEST

START_TEST(flush_input)
{
	struct pollfd pfd;
	uint8_t buf[16];
	struct pty p;
	void *port;

	pty_open(&p);
	port = port_open(p.path);
	ck_assert_int_eq(write(p.master, "stale", 5), 5);
	pfd = (struct pollfd){ .fd = p.slave, .events = POLLIN };
	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);  /* the bytes are in the slave's buffer */
	ck_assert_int_eq(tr->flush_input(port), IOTFLASH_OK);
	ck_assert_int_eq(tr->read(port, buf, sizeof(buf), 50), 0);
	tr->close(port);
	pty_close(&p);
}
END_TEST

/* The other end closing (sim exited) is an error, not an endless 0-byte loop. */
START_TEST(hangup)
{
	uint8_t buf[4];
	struct pty p;
	void *port;

	pty_open(&p);
	port = port_open(p.path);
	close(p.slave);
	close(p.master);
	ck_assert_int_eq(tr->read(port, buf, sizeof(buf), 2000), IOTFLASH_ERR_PORT);
	tr->close(port);
}
END_TEST

START_TEST(lines_unsupported_on_pty)
{
	struct pty p;
	void *port;

	pty_open(&p);
	port = port_open(p.path);
	ck_assert_int_eq(tr->set_lines(port, 1, 0), IOTFLASH_ERR_UNSUPPORTED);
	ck_assert_int_eq(tr->set_lines(port, -1, 1), IOTFLASH_ERR_UNSUPPORTED);
	ck_assert_int_eq(tr->set_lines(port, -1, -1), IOTFLASH_OK);  /* nothing asked */
	tr->close(port);
	pty_close(&p);
}
END_TEST

START_TEST(second_open_busy)
{
	char err[ERRLEN] = "", dir[] = "/tmp/iotflash-test-serial-XXXXXX", link[64];
	void *priv = (void *)1, *port, *again;
	struct pty p;

	pty_open(&p);
	port = port_open(p.path);
	ck_assert_int_eq(tr->open(p.path, &priv, err, sizeof(err)), IOTFLASH_ERR_PORT_BUSY);
	ck_assert_ptr_null(priv);
	ck_assert_msg(strstr(err, p.path) && strstr(err, "in use by another program"), "%s", err);
	/* Through a symlink (as iotflash-sim --link makes) it is the same port. */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/tty", dir);
	ck_assert_int_eq(symlink(p.path, link), 0);
	ck_assert_int_eq(tr->open(link, &priv, err, sizeof(err)), IOTFLASH_ERR_PORT_BUSY);
	tr->close(port);
	again = port_open(link);  /* the lock went with the close */
	tr->close(again);
	unlink(link);
	rmdir(dir);
	pty_close(&p);
}
END_TEST

static int open_error(const char *path, char *err)
{
	void *priv = (void *)1;
	int rc = tr->open(path, &priv, err, ERRLEN);

	ck_assert_ptr_null(priv);
	return rc;
}

START_TEST(open_errors)
{
	char dir[] = "/tmp/iotflash-test-serial-XXXXXX", path[256], err[ERRLEN];
	int fd;

	ck_assert_int_eq(open_error("/dev/ttyNOPE-iotflash", err), IOTFLASH_ERR_PORT_NOT_FOUND);
	ck_assert_msg(strstr(err, "/dev/ttyNOPE-iotflash") && strstr(err, "iotflash list-ports"), "%s", err);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(open_error(dir, err), IOTFLASH_ERR_PORT);
	ck_assert_msg(strstr(err, "directory"), "%s", err);
	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(open_error(path, err), IOTFLASH_ERR_PORT);
	ck_assert_msg(strstr(err, "regular file"), "%s", err);
	ck_assert_int_eq(open_error("/dev/null", err), IOTFLASH_ERR_PORT);
	ck_assert_msg(strstr(err, "not a tty"), "%s", err);
	/* A dangling --link symlink: the simulator is not running. */
	unlink(path);
	ck_assert_int_eq(symlink("/nonexistent-iotflash-pty", path), 0);
	ck_assert_int_eq(open_error(path, err), IOTFLASH_ERR_PORT_NOT_FOUND);
	unlink(path);
	rmdir(dir);
	ck_assert_int_eq(open_error("", err), IOTFLASH_ERR_ARG);
}
END_TEST

/* The tests run as root, so EACCES cannot happen: check the message itself. */
START_TEST(permission_message)
{
	char path[] = "/tmp/iotflash-test-serial-XXXXXX", err[ERRLEN], want[128];
	const struct group *gr;
	gid_t gid = 0;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	setgrent();
	while ((gr = getgrent()) && gr->gr_gid == 0)
		;
	ck_assert_msg(gr, "no non-root group in the group database");
	gid = gr->gr_gid;
	snprintf(want, sizeof(want), "usermod -aG %s $USER", gr->gr_name);
	endgrent();
	ck_assert_int_eq(chown(path, (uid_t)-1, gid), 0);
	ck_assert_int_eq(serial_access_error(path, err, sizeof(err)), IOTFLASH_ERR_PORT_ACCESS);
	ck_assert_msg(strstr(err, path) && strstr(err, want), "%s (want %s)", err, want);
	ck_assert_int_eq(chown(path, (uid_t)-1, 0), 0);
	ck_assert_int_eq(serial_access_error(path, err, sizeof(err)), IOTFLASH_ERR_PORT_ACCESS);
	ck_assert_msg(strstr(err, "root") && !strstr(err, "usermod"), "%s", err);
	unlink(path);
}
END_TEST

struct listed {
	unsigned n;
	bool bad;
};

static void on_port(void *user, const char *port, const char *desc)
{
	struct listed *l = user;

	l->n++;
	l->bad |= !port || !*port || !desc || !*desc;
}

START_TEST(list_ports)
{
	struct listed l = { 0 };
	struct sp_port **ports;
	unsigned expect = 0;

	ck_assert_int_eq(tr->list(on_port, &l), IOTFLASH_OK);
	ck_assert(!l.bad);
	/* Same count as libserialport itself sees. */
	ck_assert_int_eq(sp_list_ports(&ports), SP_OK);
	while (ports[expect])
		expect++;
	sp_free_port_list(ports);
	ck_assert_uint_eq(l.n, expect);
}
END_TEST

/* Every error code has its own name; the open errors above rely on them. */
START_TEST(error_names)
{
	static const int codes[] = {
		IOTFLASH_OK, IOTFLASH_ERR_ARG, IOTFLASH_ERR_NOMEM, IOTFLASH_ERR_FILE,
		IOTFLASH_ERR_CANCELLED, IOTFLASH_ERR_UNSUPPORTED, IOTFLASH_ERR_INTERNAL,
		IOTFLASH_ERR_PORT_NOT_FOUND, IOTFLASH_ERR_PORT_ACCESS, IOTFLASH_ERR_PORT_BUSY,
		IOTFLASH_ERR_PORT, IOTFLASH_ERR_TIMEOUT, IOTFLASH_ERR_BAUD, IOTFLASH_ERR_NO_LINK,
		IOTFLASH_ERR_PROTOCOL, IOTFLASH_ERR_DEVICE, IOTFLASH_ERR_CHECKSUM, IOTFLASH_ERR_VERIFY,
		IOTFLASH_ERR_PROTECTED, IOTFLASH_ERR_MISMATCH, IOTFLASH_ERR_RANGE, IOTFLASH_ERR_ALIGN,
		IOTFLASH_ERR_CHIPDB, IOTFLASH_ERR_UNKNOWN_CHIP, IOTFLASH_ERR_PLUGIN, IOTFLASH_ERR_ABI,
		IOTFLASH_ERR_LOADER_MISSING,
	};
	const size_t n = sizeof(codes) / sizeof(codes[0]);

	ck_assert_str_eq(iotflash_strerror(IOTFLASH_ERR_PORT_NOT_FOUND), "no such port");
	ck_assert_str_eq(iotflash_strerror(-99), "unknown error");
	ck_assert_str_eq(iotflash_strerror(1), "unknown error");
	for (size_t i = 0; i < n; i++) {
		ck_assert_str_ne(iotflash_strerror(codes[i]), "unknown error");
		for (size_t j = 0; j < i; j++)
			ck_assert_str_ne(iotflash_strerror(codes[i]), iotflash_strerror(codes[j]));
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("serial");
	TCase *tc = tcase_create("pty");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, descriptor);
	tcase_add_test(tc, pty_is_not_libserialport);
	tcase_add_test(tc, baud_rates);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, large_write);
	tcase_add_test(tc, read_timeout);
	tcase_add_test(tc, flush_input);
	tcase_add_test(tc, hangup);
	tcase_add_test(tc, lines_unsupported_on_pty);
	tcase_add_test(tc, second_open_busy);
	tcase_add_test(tc, open_errors);
	tcase_add_test(tc, permission_message);
	tcase_add_test(tc, list_ports);
	tcase_add_test(tc, error_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
