/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* CH341A USB-SPI transport over libusb-1.0 (docs/protocols/spi-ch341.md §1-2).
 * One CS frame is one bulk OUT (CS pluck + A8 packets) with the IN packets
 * read by up to 32 pipelined async transfers, as flashrom does.  CS is
 * raised lazily: the next frame's pluck (or a pin change, or close) raises
 * it, which is when the flash starts a program or erase. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libusb.h>

#include "ch341.h"
#include "transport.h"

#define IN_FLIGHT 32
#define EVENT_SLICE_MS 100
#define CANCEL_WAIT_MS 2000

struct ch341 {
	libusb_context *usb;
	libusb_device_handle *h;
	bool detached;           /* reattach the kernel driver at close */
	uint8_t pins;            /* D5..D0 output latch (CS0, CEN) */
	bool cs_wanted;          /* a CS frame is open (spi_cs(true)) */
	bool need_pluck;         /* its first exchange starts with the CS edge */
	uint8_t *out;
	size_t out_cap;
};

/* One async IN slot of a frame in progress. */
struct in_slot {
	struct frame *f;
	size_t packet;           /* A8 packet index this slot reads */
	struct libusb_transfer *t;
};

struct frame {
	size_t n;                /* SPI bytes */
	size_t packets;
	size_t next_packet;      /* next IN to submit */
	size_t done_packets;
	uint8_t *rx;             /* NULL: discard */
	int status;              /* first libusb error, LIBUSB_SUCCESS */
	int active;              /* transfers submitted and not yet completed */
	bool out_done;
	struct in_slot slots[IN_FLIGHT];
	uint8_t in_buf[IN_FLIGHT][CH341_PACKET];
};

static int map_usb(int e)
{
	switch (e) {
	case LIBUSB_SUCCESS: return IOTFLASH_OK;
	case LIBUSB_ERROR_NO_DEVICE: return IOTFLASH_ERR_PORT_NOT_FOUND;
	case LIBUSB_ERROR_TIMEOUT: return IOTFLASH_ERR_TIMEOUT;
	case LIBUSB_ERROR_ACCESS: return IOTFLASH_ERR_PORT_ACCESS;
	case LIBUSB_ERROR_BUSY: return IOTFLASH_ERR_PORT_BUSY;
	case LIBUSB_ERROR_NO_MEM: return IOTFLASH_ERR_NOMEM;
	default: return IOTFLASH_ERR_PORT;
	}
}

static int map_status(enum libusb_transfer_status st)
{
	switch (st) {
	case LIBUSB_TRANSFER_COMPLETED: return LIBUSB_SUCCESS;
	case LIBUSB_TRANSFER_TIMED_OUT: return LIBUSB_ERROR_TIMEOUT;
	case LIBUSB_TRANSFER_STALL: return LIBUSB_ERROR_PIPE;
	case LIBUSB_TRANSFER_NO_DEVICE: return LIBUSB_ERROR_NO_DEVICE;
	case LIBUSB_TRANSFER_OVERFLOW: return LIBUSB_ERROR_OVERFLOW;
	case LIBUSB_TRANSFER_CANCELLED: return LIBUSB_ERROR_INTERRUPTED;
	default: return LIBUSB_ERROR_IO;
	}
}

const char *ch341_describe(int rc)
{
	switch (rc) {
	case IOTFLASH_ERR_PORT_NOT_FOUND:
		return "the CH341A is gone (unplugged, or it lost power)";
	case IOTFLASH_ERR_TIMEOUT:
		return "the CH341A did not answer within 1 s (USB timeout)";
	case IOTFLASH_ERR_NOMEM:
		return "out of memory";
	default:
		return "USB transfer to the CH341A failed";
	}
}

/* ---- port names ---- */

static bool parse_usb_port(const char *port, unsigned *bus, unsigned *addr)
{
	char end;
	return sscanf(port, "usb:%u:%u%c", bus, addr, &end) == 2;
}

static bool ch341_claims(const char *port)
{
	return port && (strcmp(port, "ch341a") == 0 || strncmp(port, "usb:", 4) == 0);
}

/* ---- open ---- */

struct found {
	libusb_device *spi[8];
	unsigned n_spi;
	libusb_device *uart;     /* a CH341 in UART mode, for the hint */
	uint16_t uart_pid;
};

static void scan(libusb_device **list, bool any, unsigned bus, unsigned addr, struct found *f)
{
	for (size_t i = 0; list[i]; i++) {
		struct libusb_device_descriptor d;
		if (libusb_get_device_descriptor(list[i], &d) != 0 || d.idVendor != CH341_VID)
			continue;
		if (!any && (libusb_get_bus_number(list[i]) != bus || libusb_get_device_address(list[i]) != addr))
			continue;
		if (d.idProduct == CH341_PID_SPI && f->n_spi < sizeof(f->spi) / sizeof(f->spi[0]))
			f->spi[f->n_spi++] = list[i];
		else if ((d.idProduct == CH341_PID_UART || d.idProduct == CH341_PID_UART2) && !f->uart) {
			f->uart = list[i];
			f->uart_pid = d.idProduct;
		}
	}
}

static int not_found(const char *port, const struct found *f, char *err, size_t errlen)
{
	if (f->uart)
		snprintf(err, errlen,
		         "%s: the CH341 at usb:%u:%u is in UART mode (USB %04x:%04x): move its jumper to the "
		         "I2C/SPI position (1a86:5512) and replug it",
		         port, libusb_get_bus_number(f->uart), libusb_get_device_address(f->uart), CH341_VID, f->uart_pid);
	else
		snprintf(err, errlen, "%s: no CH341A programmer found (USB 1a86:5512): is it plugged in?", port);
	return IOTFLASH_ERR_PORT_NOT_FOUND;
}

static int pick(const char *port, const struct found *f, libusb_device **dev, char *err, size_t errlen)
{
	if (f->n_spi == 0)
		return not_found(port, f, err, errlen);
	if (f->n_spi > 1) {
		snprintf(err, errlen, "%s: %u CH341A programmers found (usb:%u:%u, usb:%u:%u%s): choose one with -p usb:BUS:ADDR",
		         port, f->n_spi, libusb_get_bus_number(f->spi[0]), libusb_get_device_address(f->spi[0]),
		         libusb_get_bus_number(f->spi[1]), libusb_get_device_address(f->spi[1]), f->n_spi > 2 ? ", ..." : "");
		return IOTFLASH_ERR_PORT;
	}
	*dev = f->spi[0];
	return IOTFLASH_OK;
}

static int open_error(libusb_device *dev, int e, char *err, size_t errlen)
{
	unsigned bus = libusb_get_bus_number(dev), addr = libusb_get_device_address(dev);

	if (e == LIBUSB_ERROR_ACCESS)
		snprintf(err, errlen,
		         "usb:%u:%u: permission denied on /dev/bus/usb/%03u/%03u: install the udev rule %s "
		         "(`make install` puts it in the udev rules directory; then `sudo udevadm control --reload` "
		         "and replug the CH341A, and be in the plugdev group), or run as root",
		         bus, addr, bus, addr, CH341_UDEV_RULE);
	else if (e == LIBUSB_ERROR_BUSY)
		snprintf(err, errlen,
		         "usb:%u:%u: the CH341A is busy: another program (flashrom?) or a kernel driver (spi-ch341) "
		         "holds it; close that program or `sudo modprobe -r spi_ch341`", bus, addr);
	else if (e == LIBUSB_ERROR_NO_DEVICE)
		snprintf(err, errlen, "usb:%u:%u: the CH341A went away while opening it (unplugged?)", bus, addr);
	else
		snprintf(err, errlen, "usb:%u:%u: cannot open the CH341A: %s", bus, addr, libusb_strerror((enum libusb_error)e));
	return map_usb(e);
}

static int out_sync(struct ch341 *c, const uint8_t *buf, size_t len)
{
	int done = 0;
	int e = libusb_bulk_transfer(c->h, CH341_EP_OUT, (unsigned char *)buf, (int)len, &done, CH341_USB_TIMEOUT_MS);
	if (e == LIBUSB_ERROR_PIPE) {
		/* A stalled endpoint: clear it once and send again (§2.3). */
		libusb_clear_halt(c->h, CH341_EP_OUT);
		e = libusb_bulk_transfer(c->h, CH341_EP_OUT, (unsigned char *)buf, (int)len, &done, CH341_USB_TIMEOUT_MS);
	}
	if (e == LIBUSB_SUCCESS && (size_t)done != len)
		e = LIBUSB_ERROR_IO;
	return map_usb(e);
}

static int send_pins(struct ch341 *c, uint8_t dir)
{
	uint8_t pkt[4];
	return out_sync(c, pkt, ch341_encode_pins(pkt, c->pins, dir));
}

static int configure(struct ch341 *c, libusb_device *dev, char *err, size_t errlen)
{
	uint8_t cfg[3];
	int e = libusb_detach_kernel_driver(c->h, 0);

	/* NOT_FOUND: no driver bound.  Others: the claim tells (§2.1 step 3). */
	c->detached = e == LIBUSB_SUCCESS;
	if ((e = libusb_claim_interface(c->h, 0)) != LIBUSB_SUCCESS)
		return open_error(dev, e, err, errlen);
	c->pins = CH341_PINS_IDLE;
	int rc = out_sync(c, cfg, ch341_encode_stream_config(cfg));
	if (rc == IOTFLASH_OK)
		rc = send_pins(c, CH341_DIR_SPI);
	if (rc != IOTFLASH_OK)
		snprintf(err, errlen, "usb:%u:%u: configuring the CH341A failed: %s", libusb_get_bus_number(dev),
		         libusb_get_device_address(dev), ch341_describe(rc));
	return rc;
}

static void ch341_close(void *priv);

static int find_device(struct ch341 *c, const char *port, libusb_device ***list, libusb_device **dev,
                       char *err, size_t errlen)
{
	struct found f = { .n_spi = 0 };
	unsigned bus = 0, addr = 0;
	bool any = strcmp(port, "ch341a") == 0;
	ssize_t n;

	if (!any && !parse_usb_port(port, &bus, &addr)) {
		snprintf(err, errlen, "%s: not a USB port: use -p ch341a or -p usb:BUS:ADDR (see `iotflash list-ports`)", port);
		return IOTFLASH_ERR_ARG;
	}
	if ((n = libusb_get_device_list(c->usb, list)) < 0) {
		snprintf(err, errlen, "%s: cannot list USB devices: %s", port, libusb_strerror((enum libusb_error)n));
		return map_usb((int)n);
	}
	scan(*list, any, bus, addr, &f);
	return pick(port, &f, dev, err, errlen);
}

static int ch341_open(const char *port, void **priv, char *err, size_t errlen)
{
	struct ch341 *c = calloc(1, sizeof(*c));
	libusb_device **list = NULL, *dev = NULL;
	int e, rc;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return IOTFLASH_ERR_NOMEM;
	}
	if ((e = libusb_init(&c->usb)) != LIBUSB_SUCCESS) {
		snprintf(err, errlen, "%s: cannot start libusb: %s", port, libusb_strerror((enum libusb_error)e));
		rc = map_usb(e);
		goto fail;
	}
	if ((rc = find_device(c, port, &list, &dev, err, errlen)) != IOTFLASH_OK)
		goto fail;
	if ((e = libusb_open(dev, &c->h)) != LIBUSB_SUCCESS) {
		rc = open_error(dev, e, err, errlen);
		goto fail;
	}
	if ((rc = configure(c, dev, err, errlen)) != IOTFLASH_OK)
		goto fail;
	libusb_free_device_list(list, 1);
	*priv = c;
	return IOTFLASH_OK;
fail:
	if (list)
		libusb_free_device_list(list, 1);
	ch341_close(c);
	return rc;
}

static void ch341_close(void *priv)
{
	struct ch341 *c = priv;

	if (!c)
		return;
	if (c->h) {
		/* CS high, then every pin an input (flashrom's shutdown, §2.2). */
		c->pins |= 1u << CH341_PIN_CS0;
		send_pins(c, 0);
		libusb_release_interface(c->h, 0);
		if (c->detached)
			libusb_attach_kernel_driver(c->h, 0);
		libusb_close(c->h);
	}
	if (c->usb)
		libusb_exit(c->usb);
	free(c->out);
	free(c);
}

/* ---- SPI ---- */

static int ch341_cs(void *priv, bool asserted)
{
	struct ch341 *c = priv;
	/* Both edges travel with the next frame's pluck (or a pin change). */
	c->cs_wanted = asserted;
	c->need_pluck = asserted;
	return IOTFLASH_OK;
}

static int ch341_set_pin(void *priv, unsigned pin, bool high)
{
	struct ch341 *c = priv;

	if (pin > 5 || pin == CH341_PIN_CS0)
		return IOTFLASH_ERR_ARG;
	if (high)
		c->pins |= (uint8_t)(1u << pin);
	else
		c->pins &= (uint8_t)~(1u << pin);
	c->pins |= 1u << CH341_PIN_CS0;  /* a pin change ends any open CS frame */
	return send_pins(c, CH341_DIR_SPI);
}

static void LIBUSB_CALL in_done(struct libusb_transfer *t);

static int submit_in(struct frame *f, struct in_slot *s)
{
	s->packet = f->next_packet++;
	libusb_fill_bulk_transfer(s->t, s->t->dev_handle, CH341_EP_IN, f->in_buf[s - f->slots],
	                          (int)ch341_packet_payload(f->n, s->packet), in_done, s, CH341_USB_TIMEOUT_MS);
	int e = libusb_submit_transfer(s->t);
	if (e == LIBUSB_SUCCESS)
		f->active++;
	return e;
}

static void fail_frame(struct frame *f, int e)
{
	if (f->status == LIBUSB_SUCCESS)
		f->status = e;
}

static void LIBUSB_CALL in_done(struct libusb_transfer *t)
{
	struct in_slot *s = t->user_data;
	struct frame *f = s->f;
	size_t want = ch341_packet_payload(f->n, s->packet);

	f->active--;
	if (t->status != LIBUSB_TRANSFER_COMPLETED || (size_t)t->actual_length != want) {
		fail_frame(f, t->status == LIBUSB_TRANSFER_COMPLETED ? LIBUSB_ERROR_IO : map_status(t->status));
		return;
	}
	if (f->rx)
		for (size_t i = 0; i < want; i++)
			f->rx[s->packet * CH341_SPI_PER_PACKET + i] = ch341_rev(t->buffer[i]);
	f->done_packets++;
	if (f->status == LIBUSB_SUCCESS && f->next_packet < f->packets) {
		int e = submit_in(f, s);
		if (e != LIBUSB_SUCCESS)
			fail_frame(f, e);
	}
}

static void LIBUSB_CALL out_done(struct libusb_transfer *t)
{
	struct frame *f = t->user_data;
	f->active--;
	if (t->status != LIBUSB_TRANSFER_COMPLETED || t->actual_length != t->length)
		fail_frame(f, t->status == LIBUSB_TRANSFER_COMPLETED ? LIBUSB_ERROR_IO : map_status(t->status));
	else
		f->out_done = true;
}

/* Cancel what is still in flight and wait for the callbacks. */
static void drain(struct ch341 *c, struct frame *f, struct libusb_transfer *out)
{
	uint64_t waited = 0;
	if (out && !f->out_done)
		libusb_cancel_transfer(out);
	for (unsigned i = 0; i < IN_FLIGHT; i++)
		if (f->slots[i].t)
			libusb_cancel_transfer(f->slots[i].t);
	while (f->active > 0 && waited < CANCEL_WAIT_MS) {
		struct timeval tv = { 0, EVENT_SLICE_MS * 1000 };
		libusb_handle_events_timeout(c->usb, &tv);
		waited += EVENT_SLICE_MS;
	}
}

static int run_frame(struct ch341 *c, struct frame *f, size_t out_len)
{
	struct libusb_transfer *out = libusb_alloc_transfer(0);
	int e = LIBUSB_SUCCESS;

	if (!out)
		return LIBUSB_ERROR_NO_MEM;
	libusb_fill_bulk_transfer(out, c->h, CH341_EP_OUT, c->out, (int)out_len, out_done, f, CH341_USB_TIMEOUT_MS);
	if ((e = libusb_submit_transfer(out)) == LIBUSB_SUCCESS)
		f->active++;
	for (unsigned i = 0; e == LIBUSB_SUCCESS && i < IN_FLIGHT && f->next_packet < f->packets; i++) {
		f->slots[i].f = f;
		if (!(f->slots[i].t = libusb_alloc_transfer(0)))
			e = LIBUSB_ERROR_NO_MEM;
		else
			f->slots[i].t->dev_handle = c->h;
		if (e == LIBUSB_SUCCESS)
			e = submit_in(f, &f->slots[i]);
	}
	fail_frame(f, e);
	while (f->status == LIBUSB_SUCCESS && (f->active > 0)) {
		struct timeval tv = { 0, EVENT_SLICE_MS * 1000 };
		if ((e = libusb_handle_events_timeout(c->usb, &tv)) != LIBUSB_SUCCESS)
			fail_frame(f, e);
	}
	if (f->status != LIBUSB_SUCCESS)
		drain(c, f, out);
	for (unsigned i = 0; i < IN_FLIGHT; i++)
		libusb_free_transfer(f->slots[i].t);
	libusb_free_transfer(out);
	return f->status;
}

static int grow_out(struct ch341 *c, size_t len)
{
	if (len <= c->out_cap)
		return IOTFLASH_OK;
	uint8_t *p = realloc(c->out, len);
	if (!p)
		return IOTFLASH_ERR_NOMEM;
	c->out = p;
	c->out_cap = len;
	return IOTFLASH_OK;
}

static int exchange(struct ch341 *c, const uint8_t *tx, uint8_t *rx, size_t len, bool pluck)
{
	struct frame *f = calloc(1, sizeof(*f));
	size_t out_len = ch341_frame_len(len, pluck);
	int rc;

	if (!f || grow_out(c, out_len) != IOTFLASH_OK) {
		free(f);
		return IOTFLASH_ERR_NOMEM;
	}
	ch341_encode_frame(c->out, c->pins, tx, len, pluck);
	f->n = len;
	f->packets = ch341_spi_packets(len);
	f->rx = rx;
	rc = run_frame(c, f, out_len);
	free(f);
	return rc;
}

static int ch341_xfer(void *priv, const uint8_t *tx, uint8_t *rx, size_t len)
{
	struct ch341 *c = priv;
	bool pluck = c->need_pluck;
	int e;

	if (!c->cs_wanted)
		return IOTFLASH_ERR_ARG;  /* no frame open: spi_cs(true) first */
	if (len == 0)
		return IOTFLASH_OK;
	e = exchange(c, tx, rx, len, pluck);
	if (e == LIBUSB_ERROR_PIPE && pluck) {
		/* The frame starts with its own CS edge: clear the stall and send
		 * the whole frame again (§2.3). */
		libusb_clear_halt(c->h, CH341_EP_OUT);
		libusb_clear_halt(c->h, CH341_EP_IN);
		e = exchange(c, tx, rx, len, pluck);
	}
	if (e == LIBUSB_SUCCESS)
		c->need_pluck = false;
	return map_usb(e);
}

/* ---- listing ---- */

static int ch341_list(void (*emit)(void *user, const char *port, const char *desc), void *user)
{
	libusb_context *usb = NULL;
	libusb_device **list = NULL;
	ssize_t n;

	if (libusb_init(&usb) != LIBUSB_SUCCESS)
		return IOTFLASH_OK;  /* no USB here: nothing to list */
	if ((n = libusb_get_device_list(usb, &list)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			struct libusb_device_descriptor d;
			char port[32];
			if (libusb_get_device_descriptor(list[i], &d) != 0 || d.idVendor != CH341_VID ||
			    d.idProduct != CH341_PID_SPI)
				continue;
			snprintf(port, sizeof(port), "usb:%u:%u", libusb_get_bus_number(list[i]),
			         libusb_get_device_address(list[i]));
			emit(user, port, "CH341A USB-SPI programmer (1a86:5512); also -p ch341a");
		}
	}
	if (list)
		libusb_free_device_list(list, 1);
	libusb_exit(usb);
	return IOTFLASH_OK;
}

const struct iotflash_transport ch341_transport = {
	.name = "ch341a",
	.description = "CH341A USB-SPI programmer (libusb)",
	.kind = IOTFLASH_TRANSPORT_SPI,
	.claims = ch341_claims,
	.open = ch341_open,
	.close = ch341_close,
	.spi_cs = ch341_cs,
	.spi_xfer = ch341_xfer,
	.set_pin = ch341_set_pin,
	.list = ch341_list,
};
