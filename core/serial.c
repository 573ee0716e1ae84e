/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The serial transport: a UART byte stream behind one vtable, two paths.
 *
 * Ports libserialport knows (sysfs-backed: USB adapters, on-board UARTs) are
 * opened and configured through it.  libserialport refuses every other tty
 * (ptys from iotflash-sim, socat/ser2net virtual ports), so those take plain
 * POSIX termios.  Reads and writes use the file descriptor with poll() on both
 * paths: the kernel does the waiting, never a busy loop. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <libserialport.h>

#include "internal.h"

/* The kernel's struct termios2 (asm-generic layout).  <asm/termbits.h> would
 * clash with glibc's <termios.h>, so it is declared here and its size checked
 * against the one TCGETS2 encodes. */
#define KERNEL_NCCS 19
struct termios2 {
	tcflag_t c_iflag;
	tcflag_t c_oflag;
	tcflag_t c_cflag;
	tcflag_t c_lflag;
	cc_t c_line;
	cc_t c_cc[KERNEL_NCCS];
	speed_t c_ispeed;
	speed_t c_ospeed;
};
_Static_assert(sizeof(struct termios2) == _IOC_SIZE(TCGETS2), "struct termios2 layout");
#ifndef BOTHER
#define BOTHER 0010000
#endif
#ifndef IBSHIFT
#define IBSHIFT 16
#endif

/* A write that makes no progress for this long has a dead peer. */
#define WRITE_STALL_MS 10000

struct serial {
	int fd;
	struct sp_port *sp;  /* NULL on the termios path */
	uint32_t baud;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* EACCES: say which group owns the device and how to join it. */
int serial_access_error(const char *path, char *err, size_t errlen)
{
	struct stat st;
	struct group grbuf, *gr = NULL;
	char names[4096];

	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "%s: permission denied", path);
		return IOTFLASH_ERR_PORT_ACCESS;
	}
	if (getgrgid_r(st.st_gid, &grbuf, names, sizeof(names), &gr) != 0)
		gr = NULL;
	if (st.st_gid == 0)
		snprintf(err, errlen, "%s: permission denied (only root may open it: "
		         "give your user access with a udev rule)", path);
	else if (!gr)
		snprintf(err, errlen, "%s: permission denied (the device belongs to gid %u: "
		         "add your user to that group, then log in again)", path, (unsigned)st.st_gid);
	else
		snprintf(err, errlen, "%s: permission denied: add yourself to the '%s' group: "
		         "sudo usermod -aG %s $USER, then log in again", path, gr->gr_name, gr->gr_name);
	return IOTFLASH_ERR_PORT_ACCESS;
}

/* Turn an open()/flock() errno into a code and a line the user can act on. */
static int open_error(const char *path, int e, char *err, size_t errlen)
{
	switch (e) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
		snprintf(err, errlen, "%s: no such port (see `iotflash list-ports`)", path);
		return IOTFLASH_ERR_PORT_NOT_FOUND;
	case EACCES:
	case EPERM:
		return serial_access_error(path, err, errlen);
	case EBUSY:
	case EWOULDBLOCK:
		snprintf(err, errlen, "%s: port is in use by another program (close it, e.g. a serial monitor)", path);
		return IOTFLASH_ERR_PORT_BUSY;
	default:
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(e));
		return IOTFLASH_ERR_PORT;
	}
}

/* Refuse what cannot be a serial port before opening it (a FIFO would block). */
static int check_node(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return open_error(path, errno, err, errlen);
	if (S_ISCHR(st.st_mode))
		return IOTFLASH_OK;
	snprintf(err, errlen, "%s is %s, not a serial port", path,
	         S_ISDIR(st.st_mode) ? "a directory" :
	         S_ISREG(st.st_mode) ? "a regular file" :
	         S_ISFIFO(st.st_mode) ? "a FIFO" :
	         S_ISSOCK(st.st_mode) ? "a socket" : "a block device");
	return IOTFLASH_ERR_PORT;
}

/* A port libserialport can open: sysfs has a device behind it (ptys and
 * virtual ports have none).  real receives the resolved /dev path, the only
 * spelling libserialport understands (not /dev/serial/by-id/... links). */
static bool sysfs_port(const char *path, char real[PATH_MAX])
{
	char sysfs[PATH_MAX + 32];
	const char *base;

	if (!realpath(path, real) || strncmp(real, "/dev/", 5) != 0)
		return false;
	base = strrchr(real, '/') + 1;
	snprintf(sysfs, sizeof(sysfs), "/sys/class/tty/%s/device", base);
	return access(sysfs, F_OK) == 0;
}

static int open_sp(struct serial *s, const char *path, const char *real, char *err, size_t errlen)
{
	enum sp_return r;

	if (sp_get_port_by_name(real, &s->sp) != SP_OK) {
		s->sp = NULL;
		return IOTFLASH_ERR_INTERNAL;  /* not fatal: the caller falls back */
	}
	r = sp_open(s->sp, SP_MODE_READ_WRITE);
	if (r != SP_OK) {
		int e = r == SP_ERR_FAIL ? sp_last_error_code() : EIO;

		sp_free_port(s->sp);
		s->sp = NULL;
		return open_error(path, e, err, errlen);
	}
	if (sp_set_bits(s->sp, 8) != SP_OK || sp_set_parity(s->sp, SP_PARITY_NONE) != SP_OK ||
	    sp_set_stopbits(s->sp, 1) != SP_OK ||
	    sp_set_flowcontrol(s->sp, SP_FLOWCONTROL_NONE) != SP_OK ||
	    sp_get_port_handle(s->sp, &s->fd) != SP_OK) {
		snprintf(err, errlen, "%s: cannot configure the port: %s", path, sp_last_error_message());
		return IOTFLASH_ERR_PORT;
	}
	return IOTFLASH_OK;
}

/* Raw 8N1, no flow control, reads return what is there. */
static int make_raw(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return -1;
	cfmakeraw(&t);
	t.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS | CSIZE);
	t.c_cflag |= CS8 | CLOCAL | CREAD;
	t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	return tcsetattr(fd, TCSANOW, &t);
}

static int open_termios(struct serial *s, const char *path, char *err, size_t errlen)
{
	s->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (s->fd < 0)
		return open_error(path, errno, err, errlen);
	if (!isatty(s->fd)) {
		snprintf(err, errlen, "%s is not a tty, not a serial port", path);
		return IOTFLASH_ERR_PORT;
	}
	if (make_raw(s->fd) < 0) {
		snprintf(err, errlen, "%s: cannot configure the port: %s", path, strerror(errno));
		return IOTFLASH_ERR_PORT;
	}
	return IOTFLASH_OK;
}

/* One iotflash per port: flock() stops a second one even when run as root
 * (root ignores TIOCEXCL); TIOCEXCL keeps other programs' later opens out. */
static int lock_port(int fd, const char *path, char *err, size_t errlen)
{
	int flags;

	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return open_error(path, errno == EWOULDBLOCK ? EBUSY : errno, err, errlen);
	(void)ioctl(fd, TIOCEXCL);  /* best effort: virtual ttys may refuse */
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return open_error(path, errno, err, errlen);
	return IOTFLASH_OK;
}

static void serial_close(void *priv)
{
	struct serial *s = priv;

	if (!s)
		return;
	if (s->fd >= 0)
		(void)ioctl(s->fd, TIOCNXCL);
	if (s->sp) {
		sp_close(s->sp);  /* closes s->fd too */
		sp_free_port(s->sp);
	} else if (s->fd >= 0) {
		close(s->fd);
	}
	free(s);
}

static int serial_open(const char *port, void **priv, char *err, size_t errlen)
{
	char real[PATH_MAX];
	struct serial *s;
	int rc;

	*priv = NULL;
	if (!port || !*port) {
		snprintf(err, errlen, "no port given (see `iotflash list-ports`)");
		return IOTFLASH_ERR_ARG;
	}
	rc = check_node(port, err, errlen);
	if (rc)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return IOTFLASH_ERR_NOMEM;
	}
	s->fd = -1;
	rc = IOTFLASH_ERR_INTERNAL;
	if (sysfs_port(port, real))
		rc = open_sp(s, port, real, err, errlen);
	if (rc == IOTFLASH_ERR_INTERNAL)
		rc = open_termios(s, port, err, errlen);
	if (rc)
		goto fail;
	rc = lock_port(s->fd, port, err, errlen);
	if (rc)
		goto fail;
	*priv = s;
	return IOTFLASH_OK;
fail:
	serial_close(s);
	return rc;
}

static int serial_set_baud_termios(struct serial *s, uint32_t baud)
{
	struct termios2 t;

	if (ioctl(s->fd, TCGETS2, &t) < 0)
		return IOTFLASH_ERR_PORT;
	t.c_cflag &= ~(tcflag_t)(CBAUD | (CBAUD << IBSHIFT));
	t.c_cflag |= BOTHER | (BOTHER << IBSHIFT);
	t.c_ispeed = baud;
	t.c_ospeed = baud;
	if (ioctl(s->fd, TCSETS2, &t) < 0)
		return IOTFLASH_ERR_BAUD;
	/* The driver rounds to what its clock can do; more than 3% off garbles. */
	if (ioctl(s->fd, TCGETS2, &t) < 0)
		return IOTFLASH_ERR_PORT;
	if ((uint64_t)t.c_ospeed * 100 < (uint64_t)baud * 97 ||
	    (uint64_t)t.c_ospeed * 100 > (uint64_t)baud * 103)
		return IOTFLASH_ERR_BAUD;
	return IOTFLASH_OK;
}

static int serial_set_baud(void *priv, uint32_t baud)
{
	struct serial *s = priv;
	int rc;

	if (baud == 0 || baud > INT_MAX)
		return IOTFLASH_ERR_ARG;
	if (s->sp)
		rc = sp_set_baudrate(s->sp, (int)baud) == SP_OK ? IOTFLASH_OK : IOTFLASH_ERR_BAUD;
	else
		rc = serial_set_baud_termios(s, baud);
	if (rc == IOTFLASH_OK)
		s->baud = baud;
	return rc;
}

/* 8E1 sets PARENB and INPCK (check parity on input).  A pty keeps INPCK but
 * clears PARENB, so INPCK is what a device model can see of it. */
static int serial_set_parity(void *priv, char parity)
{
	struct serial *s = priv;
	struct termios t;

	if (s->sp)
		return sp_set_parity(s->sp, parity == 'E' ? SP_PARITY_EVEN : SP_PARITY_NONE) == SP_OK ? IOTFLASH_OK
		                                                                                      : IOTFLASH_ERR_PORT;
	if (tcgetattr(s->fd, &t) < 0)
		return IOTFLASH_ERR_PORT;
	t.c_cflag &= ~(tcflag_t)(PARENB | PARODD);
	t.c_iflag &= ~(tcflag_t)(INPCK | IGNPAR | PARMRK);
	if (parity == 'E') {
		t.c_cflag |= PARENB;
		t.c_iflag |= INPCK;
	}
	return tcsetattr(s->fd, TCSANOW, &t) < 0 ? IOTFLASH_ERR_PORT : IOTFLASH_OK;
}

static int serial_read(void *priv, uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct serial *s = priv;
	uint64_t deadline = now_ms() + timeout_ms;
	size_t got = 0;

	if (len > INT_MAX)
		len = INT_MAX;
	while (got < len) {
		struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
		uint64_t now = now_ms();
		int wait = now >= deadline ? 0 : (int)(deadline - now);
		ssize_t n;
		int pr = poll(&pfd, 1, wait);

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return got ? (int)got : IOTFLASH_ERR_PORT;
		if (pr == 0)
			break;  /* timeout: a short count */
		n = read(s->fd, buf + got, len - got);
		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		/* EOF or EIO: the other end went away (adapter unplugged, sim exited). */
		return got ? (int)got : IOTFLASH_ERR_PORT;
	}
	return (int)got;
}

static int serial_write(void *priv, const uint8_t *buf, size_t len)
{
	struct serial *s = priv;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(s->fd, buf + done, len - done);
		struct pollfd pfd = { .fd = s->fd, .events = POLLOUT };
		int pr;

		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return IOTFLASH_ERR_PORT;
		do
			pr = poll(&pfd, 1, WRITE_STALL_MS);
		while (pr < 0 && errno == EINTR);
		if (pr == 0)
			return IOTFLASH_ERR_TIMEOUT;
		if (pr < 0 || (pfd.revents & (POLLERR | POLLNVAL)))
			return IOTFLASH_ERR_PORT;
	}
	return IOTFLASH_OK;
}

static int serial_drain(void *priv)
{
	struct serial *s = priv;

	if (s->sp)
		return sp_drain(s->sp) == SP_OK ? IOTFLASH_OK : IOTFLASH_ERR_PORT;
	while (tcdrain(s->fd) < 0) {
		if (errno != EINTR)
			return IOTFLASH_ERR_PORT;
	}
	return IOTFLASH_OK;
}

static int serial_flush_input(void *priv)
{
	struct serial *s = priv;

	if (s->sp)
		return sp_flush(s->sp, SP_BUF_INPUT) == SP_OK ? IOTFLASH_OK : IOTFLASH_ERR_PORT;
	return tcflush(s->fd, TCIFLUSH) == 0 ? IOTFLASH_OK : IOTFLASH_ERR_PORT;
}

/* One modem line; ptys and many virtual ports have none (ENOTTY/EINVAL). */
static int set_line(int fd, int bit, int on)
{
	if (on < 0)
		return IOTFLASH_OK;
	if (ioctl(fd, on ? TIOCMBIS : TIOCMBIC, &bit) == 0)
		return IOTFLASH_OK;
	if (errno == ENOTTY || errno == EINVAL)
		return IOTFLASH_ERR_UNSUPPORTED;
	return IOTFLASH_ERR_PORT;
}

static int serial_set_lines(void *priv, int dtr, int rts)
{
	struct serial *s = priv;
	int rc = set_line(s->fd, TIOCM_DTR, dtr);

	if (rc)
		return rc;
	return set_line(s->fd, TIOCM_RTS, rts);
}

/* USB-UART bridges seen on flashing setups.  A match is only a likely
 * adapter: vendors reuse these ids for other serial gadgets. */
static const struct {
	uint16_t vid, pid;
	const char *name;
} usb_uart_adapters[] = {
	{0x1a86, 0x7523, "CH340/CH341 USB-UART"},
	{0x1a86, 0x5523, "CH341 USB-UART"},
	{0x1a86, 0x55d4, "CH9102 USB-UART"},
	{0x10c4, 0xea60, "CP210x USB-UART"},
	{0x10c4, 0xea70, "CP2105 USB-UART"},
	{0x10c4, 0xea71, "CP2108 USB-UART"},
	{0x0403, 0x6001, "FTDI FT232R USB-UART"},
	{0x0403, 0x6010, "FTDI FT2232 USB-UART"},
	{0x0403, 0x6014, "FTDI FT232H USB-UART"},
	{0x0403, 0x6015, "FTDI FT-X USB-UART"},
	{0x067b, 0x2303, "PL2303 USB-UART"},
};

const char *serial_adapter_name(unsigned vid, unsigned pid)
{
	for (size_t i = 0; i < sizeof(usb_uart_adapters) / sizeof(usb_uart_adapters[0]); i++)
		if (usb_uart_adapters[i].vid == vid && usb_uart_adapters[i].pid == pid)
			return usb_uart_adapters[i].name;
	return NULL;
}

/* "USB 1a86:7523 QinHeng USB Serial (serial 1234) [likely CH340/CH341
 * USB-UART]" or libserialport's description. */
static void describe_port(struct sp_port *p, char *desc, size_t desclen)
{
	int vid, pid;
	const char *product, *serial, *maker, *adapter;

	if (sp_get_port_transport(p) != SP_TRANSPORT_USB ||
	    sp_get_port_usb_vid_pid(p, &vid, &pid) != SP_OK) {
		const char *d = sp_get_port_description(p);

		snprintf(desc, desclen, "%s", d ? d : "serial port");
		return;
	}
	product = sp_get_port_usb_product(p);
	maker = sp_get_port_usb_manufacturer(p);
	serial = sp_get_port_usb_serial(p);
	adapter = serial_adapter_name((unsigned)vid, (unsigned)pid);
	snprintf(desc, desclen, "USB %04x:%04x %s%s%s%s%s%s%s%s%s", vid, pid,
	         maker ? maker : "", maker && product ? " " : "", product ? product : "",
	         serial ? " (serial " : "", serial ? serial : "", serial ? ")" : "",
	         adapter ? " [likely " : "", adapter ? adapter : "", adapter ? "]" : "");
}

static int serial_list(void (*emit)(void *user, const char *port, const char *desc), void *user)
{
	struct sp_port **ports;
	char desc[256];

	if (sp_list_ports(&ports) != SP_OK)
		return IOTFLASH_ERR_PORT;
	for (size_t i = 0; ports[i]; i++) {
		describe_port(ports[i], desc, sizeof(desc));
		emit(user, sp_get_port_name(ports[i]), desc);
	}
	sp_free_port_list(ports);
	return IOTFLASH_OK;
}

/* The default transport: any path that no plugin transport claims. */
static bool serial_claims(const char *port)
{
	return port != NULL;
}

const struct iotflash_transport iotflash_serial_transport = {
	.name = "serial",
	.description = "UART: USB serial adapters, on-board UARTs, ptys and virtual ports",
	.kind = IOTFLASH_TRANSPORT_STREAM,
	.claims = serial_claims,
	.open = serial_open,
	.close = serial_close,
	.write = serial_write,
	.read = serial_read,
	.set_baud = serial_set_baud,
	.drain = serial_drain,
	.flush_input = serial_flush_input,
	.set_lines = serial_set_lines,
	.list = serial_list,
	.set_parity = serial_set_parity,
};
