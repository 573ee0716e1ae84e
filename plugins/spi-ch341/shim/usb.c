/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* libusb-1.0 shim: the API subset that the spi-ch341 transport and
 * flashrom's ch341a_spi programmer use (spec §6.1 SIM-U2), served by the
 * CH341A device model instead of a USB bus.  iotflash-sim preloads it
 * (LD_PRELOAD) into the command it runs and describes the model in the
 * environment:
 *   IOTFLASH_SIM_USB         "kind=nor|beken jedec=HEX size=N sr=HEX style=winbond|eon timing=0|1 verbose=N"
 *   IOTFLASH_SIM_USB_FLASH   the flash file (its size is the part's)
 *   IOTFLASH_SIM_USB_FAULTS  the fault SPEC (usb-faults.h)
 * Without IOTFLASH_SIM_USB the bus is empty.  Callbacks run only inside
 * libusb_handle_events* (SIM-U5), in submission order. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libusb.h>

#include "../ch341.h"
#include "device.h"
#include "usb-faults.h"

#define API __attribute__((visibility("default")))
#define SHIM_BUS 3
#define SHIM_FIRST_ADDR 7
#define MAX_DEVICES 2
#define FOREVER_CAP_MS 5000      /* timeout 0 means forever: a test must not hang */
#define BCD_DEVICE 0x0304

struct libusb_context { int refs; };
struct libusb_device { unsigned index; int refs; };
struct libusb_device_handle { struct libusb_device *dev; bool claimed; };

struct pending {
	struct libusb_transfer *t;
	uint64_t deadline_us;
	bool done;               /* status decided, callback still to run */
	bool cancelled;
	struct pending *next;
};

static struct {
	bool loaded;
	bool have_model;
	struct usb_faults faults;
	int verbose;
	bool timing;
	struct ch341_dev dev;
	uint8_t *mem;
	size_t mem_len;
	struct libusb_device devices[MAX_DEVICES];
	unsigned transfers;      /* counted for unplug= and stall= */
	unsigned outs;
	bool gone;
	bool stalled;
	bool kernel_driver_bound;
	struct pending *pending, **pending_tail;
} shim;

static void shim_log(void *user, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void shim_log(void *user, const char *fmt, ...)
{
	va_list ap;
	(void)user;
	if (shim.verbose <= 0)
		return;
	va_start(ap, fmt);
	fputs("iotflash-sim: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void sleep_us(uint64_t us)
{
	struct timespec ts = { (time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- configuration ---- */

static const char *word(const char *cfg, const char *key, char *val, size_t len)
{
	size_t k = strlen(key);
	for (const char *p = cfg; p && *p;) {
		p += strspn(p, " ");
		size_t n = strcspn(p, " ");
		if (n > k && !strncmp(p, key, k) && p[k] == '=') {
			size_t v = n - k - 1 < len - 1 ? n - k - 1 : len - 1;
			memcpy(val, p + k + 1, v);
			val[v] = '\0';
			return val;
		}
		p += n;
	}
	return NULL;
}

static unsigned long cfg_num(const char *cfg, const char *key, unsigned long dflt)
{
	char v[32];
	return word(cfg, key, v, sizeof(v)) ? strtoul(v, NULL, 0) : dflt;
}

static int map_flash(const char *path, size_t size)
{
	int fd = open(path, O_RDWR);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) != 0 || (size_t)st.st_size < size) {
		fprintf(stderr, "iotflash-sim: %s: cannot use as a %zu-byte flash\n", path, size);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	shim.mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (shim.mem == MAP_FAILED) {
		shim.mem = NULL;
		return -1;
	}
	shim.mem_len = size;
	return 0;
}

static int load_model(void)
{
	const char *cfg = getenv("IOTFLASH_SIM_USB"), *flash = getenv("IOTFLASH_SIM_USB_FLASH");
	struct nor_model_cfg nc = { .min_busy_polls = 1, .log = shim_log };
	char err[256], v[16];

	shim.loaded = true;
	shim.pending_tail = &shim.pending;
	usb_faults_parse(NULL, &shim.faults, err, sizeof(err));
	if (!cfg)
		return 0;  /* no model: an empty bus */
	if (!usb_faults_parse(getenv("IOTFLASH_SIM_USB_FAULTS"), &shim.faults, err, sizeof(err))) {
		fprintf(stderr, "iotflash-sim: --faults: %s\n", err);
		return -1;
	}
	shim.verbose = (int)cfg_num(cfg, "verbose", 0);
	shim.timing = cfg_num(cfg, "timing", 1) != 0;
	nc.jedec = (uint32_t)cfg_num(cfg, "jedec", 0x1640EF);
	nc.size = (uint32_t)cfg_num(cfg, "size", 4u << 20);
	nc.sr = shim.faults.sr_set ? shim.faults.sr : (uint32_t)cfg_num(cfg, "sr", 0);
	nc.style = word(cfg, "style", v, sizeof(v)) && !strcmp(v, "eon") ? NOR_STYLE_EON : NOR_STYLE_WINBOND;
	nc.wp_low = shim.faults.wp_low;
	nc.timing = shim.timing;
	if (!flash || map_flash(flash, nc.size) != 0)
		return -1;
	ch341_dev_init(&shim.dev, &nc, shim.mem, word(cfg, "kind", v, sizeof(v)) && !strcmp(v, "beken"),
	               shim.faults.miso);
	shim.kernel_driver_bound = shim.faults.kernel_driver;
	for (unsigned i = 0; i < MAX_DEVICES; i++)
		shim.devices[i].index = i;
	shim.have_model = true;
	return 0;
}

static unsigned device_count(void)
{
	return shim.have_model ? shim.faults.devices : 0;
}

/* ---- context and device list ---- */

API int LIBUSB_CALL libusb_init(libusb_context **ctx)
{
	if (!shim.loaded && load_model() != 0)
		return LIBUSB_ERROR_OTHER;
	if (ctx) {
		struct libusb_context *c = calloc(1, sizeof(*c));
		if (!c)
			return LIBUSB_ERROR_NO_MEM;
		*ctx = c;
	}
	return LIBUSB_SUCCESS;
}

API void LIBUSB_CALL libusb_exit(libusb_context *ctx)
{
	free(ctx);
}

API int LIBUSB_CALL libusb_set_option(libusb_context *ctx, enum libusb_option option, ...)
{
	(void)ctx;
	(void)option;
	return LIBUSB_SUCCESS;
}

API void LIBUSB_CALL libusb_set_debug(libusb_context *ctx, int level)
{
	(void)ctx;
	(void)level;
}

API ssize_t LIBUSB_CALL libusb_get_device_list(libusb_context *ctx, libusb_device ***list)
{
	unsigned n = device_count();
	libusb_device **l = calloc(n + 1, sizeof(*l));
	(void)ctx;
	if (!l)
		return LIBUSB_ERROR_NO_MEM;
	for (unsigned i = 0; i < n; i++) {
		l[i] = &shim.devices[i];
		shim.devices[i].refs++;
	}
	*list = l;
	return (ssize_t)n;
}

API void LIBUSB_CALL libusb_free_device_list(libusb_device **list, int unref_devices)
{
	if (list && unref_devices)
		for (size_t i = 0; list[i]; i++)
			list[i]->refs--;
	free(list);
}

API libusb_device *LIBUSB_CALL libusb_ref_device(libusb_device *dev)
{
	dev->refs++;
	return dev;
}

API void LIBUSB_CALL libusb_unref_device(libusb_device *dev)
{
	if (dev)
		dev->refs--;
}

API uint8_t LIBUSB_CALL libusb_get_bus_number(libusb_device *dev)
{
	(void)dev;
	return SHIM_BUS;
}

API uint8_t LIBUSB_CALL libusb_get_device_address(libusb_device *dev)
{
	return (uint8_t)(SHIM_FIRST_ADDR + dev->index);
}

API libusb_device *LIBUSB_CALL libusb_get_device(libusb_device_handle *h)
{
	return h->dev;
}

/* ---- descriptors (§1.1) ---- */

API int LIBUSB_CALL libusb_get_device_descriptor(libusb_device *dev, struct libusb_device_descriptor *d)
{
	(void)dev;
	memset(d, 0, sizeof(*d));
	d->bLength = LIBUSB_DT_DEVICE_SIZE;
	d->bDescriptorType = LIBUSB_DT_DEVICE;
	d->bcdUSB = 0x0110;
	d->bDeviceClass = LIBUSB_CLASS_VENDOR_SPEC;
	d->bMaxPacketSize0 = 8;
	d->idVendor = CH341_VID;
	d->idProduct = shim.faults.pid;
	d->bcdDevice = BCD_DEVICE;
	d->iProduct = 2;
	d->bNumConfigurations = 1;
	return LIBUSB_SUCCESS;
}

static const struct libusb_endpoint_descriptor endpoints[] = {
	{ LIBUSB_DT_ENDPOINT_SIZE, LIBUSB_DT_ENDPOINT, CH341_EP_IN, LIBUSB_TRANSFER_TYPE_BULK, 32, 0, 0, 0, NULL, 0 },
	{ LIBUSB_DT_ENDPOINT_SIZE, LIBUSB_DT_ENDPOINT, CH341_EP_OUT, LIBUSB_TRANSFER_TYPE_BULK, 32, 0, 0, 0, NULL, 0 },
	{ LIBUSB_DT_ENDPOINT_SIZE, LIBUSB_DT_ENDPOINT, 0x81, LIBUSB_TRANSFER_TYPE_INTERRUPT, 8, 1, 0, 0, NULL, 0 },
};
static const struct libusb_interface_descriptor altsetting = {
	LIBUSB_DT_INTERFACE_SIZE, LIBUSB_DT_INTERFACE, 0, 0, 3, LIBUSB_CLASS_VENDOR_SPEC, 1, 2, 0, endpoints, NULL, 0,
};
static const struct libusb_interface interface0 = { &altsetting, 1 };

API int LIBUSB_CALL libusb_get_config_descriptor(libusb_device *dev, uint8_t index, struct libusb_config_descriptor **cfg)
{
	struct libusb_config_descriptor *c;
	(void)dev;
	if (index != 0)
		return LIBUSB_ERROR_NOT_FOUND;
	if (!(c = calloc(1, sizeof(*c))))
		return LIBUSB_ERROR_NO_MEM;
	c->bLength = LIBUSB_DT_CONFIG_SIZE;
	c->bDescriptorType = LIBUSB_DT_CONFIG;
	c->wTotalLength = LIBUSB_DT_CONFIG_SIZE + LIBUSB_DT_INTERFACE_SIZE + 3 * LIBUSB_DT_ENDPOINT_SIZE;
	c->bNumInterfaces = 1;
	c->bConfigurationValue = 1;
	c->bmAttributes = 0x80;  /* bus powered */
	c->MaxPower = 49;
	c->interface = &interface0;
	*cfg = c;
	return LIBUSB_SUCCESS;
}

API int LIBUSB_CALL libusb_get_active_config_descriptor(libusb_device *dev, struct libusb_config_descriptor **cfg)
{
	return libusb_get_config_descriptor(dev, 0, cfg);
}

API void LIBUSB_CALL libusb_free_config_descriptor(struct libusb_config_descriptor *cfg)
{
	free(cfg);
}

API int LIBUSB_CALL libusb_get_string_descriptor_ascii(libusb_device_handle *h, uint8_t index,
                                                        unsigned char *data, int length)
{
	static const char product[] = "USB UART-LPT";
	(void)h;
	if (shim.gone)
		return LIBUSB_ERROR_NO_DEVICE;
	if (index != 2 || length <= 0)
		return LIBUSB_ERROR_PIPE;
	snprintf((char *)data, (size_t)length, "%s", product);
	return (int)strlen((char *)data);
}

/* ---- open, claim ---- */

API int LIBUSB_CALL libusb_open(libusb_device *dev, libusb_device_handle **h)
{
	struct libusb_device_handle *d;
	if (shim.gone)
		return LIBUSB_ERROR_NO_DEVICE;
	if (shim.faults.access) {
		shim_log(NULL, "usb: open refused (access fault)");
		return LIBUSB_ERROR_ACCESS;
	}
	if (!(d = calloc(1, sizeof(*d))))
		return LIBUSB_ERROR_NO_MEM;
	d->dev = libusb_ref_device(dev);
	*h = d;
	return LIBUSB_SUCCESS;
}

API libusb_device_handle *LIBUSB_CALL libusb_open_device_with_vid_pid(libusb_context *ctx, uint16_t vid, uint16_t pid)
{
	libusb_device_handle *h = NULL;
	(void)ctx;
	if (!shim.loaded && load_model() != 0)
		return NULL;
	if (device_count() == 0 || vid != CH341_VID || pid != shim.faults.pid)
		return NULL;
	return libusb_open(&shim.devices[0], &h) == LIBUSB_SUCCESS ? h : NULL;
}

API void LIBUSB_CALL libusb_close(libusb_device_handle *h)
{
	if (!h)
		return;
	libusb_unref_device(h->dev);
	free(h);
}

API int LIBUSB_CALL libusb_kernel_driver_active(libusb_device_handle *h, int iface)
{
	(void)h;
	if (shim.gone)
		return LIBUSB_ERROR_NO_DEVICE;
	return iface == 0 && shim.kernel_driver_bound;
}

API int LIBUSB_CALL libusb_detach_kernel_driver(libusb_device_handle *h, int iface)
{
	(void)h;
	if (shim.gone)
		return LIBUSB_ERROR_NO_DEVICE;
	if (iface != 0 || !shim.kernel_driver_bound)
		return LIBUSB_ERROR_NOT_FOUND;
	shim.kernel_driver_bound = false;
	shim_log(NULL, "usb: kernel driver detached");
	return LIBUSB_SUCCESS;
}

API int LIBUSB_CALL libusb_attach_kernel_driver(libusb_device_handle *h, int iface)
{
	(void)h;
	(void)iface;
	if (shim.gone)
		return LIBUSB_ERROR_NO_DEVICE;
	if (shim.faults.kernel_driver)
		shim.kernel_driver_bound = true;
	return shim.faults.kernel_driver ? LIBUSB_SUCCESS : LIBUSB_ERROR_NOT_FOUND;
}

API int LIBUSB_CALL libusb_set_auto_detach_kernel_driver(libusb_device_handle *h, int enable)
{
	(void)h;
	(void)enable;
	return LIBUSB_SUCCESS;
}

API int LIBUSB_CALL libusb_get_configuration(libusb_device_handle *h, int *config)
{
	(void)h;
	if (shim.gone)
		return LIBUSB_ERROR_NO_DEVICE;
	*config = 1;
	return LIBUSB_SUCCESS;
}

API int LIBUSB_CALL libusb_set_configuration(libusb_device_handle *h, int config)
{
	if (shim.gone)
		return LIBUSB_ERROR_NO_DEVICE;
	if (config != 1)
		return LIBUSB_ERROR_NOT_FOUND;
	return h->claimed ? LIBUSB_ERROR_BUSY : LIBUSB_SUCCESS;
}

API int LIBUSB_CALL libusb_claim_interface(libusb_device_handle *h, int iface)
{
	if (shim.gone)
		return LIBUSB_ERROR_NO_DEVICE;
	if (iface != 0)
		return LIBUSB_ERROR_NOT_FOUND;
	if (shim.faults.busy || shim.kernel_driver_bound) {
		shim_log(NULL, "usb: claim refused: interface busy");
		return LIBUSB_ERROR_BUSY;
	}
	h->claimed = true;
	return LIBUSB_SUCCESS;
}

API int LIBUSB_CALL libusb_release_interface(libusb_device_handle *h, int iface)
{
	(void)iface;
	if (shim.gone)
		return LIBUSB_ERROR_NO_DEVICE;
	h->claimed = false;
	return LIBUSB_SUCCESS;
}

API int LIBUSB_CALL libusb_set_interface_alt_setting(libusb_device_handle *h, int iface, int alt)
{
	(void)h;
	if (shim.gone)
		return LIBUSB_ERROR_NO_DEVICE;
	return iface == 0 && alt == 0 ? LIBUSB_SUCCESS : LIBUSB_ERROR_NOT_FOUND;
}

API int LIBUSB_CALL libusb_clear_halt(libusb_device_handle *h, unsigned char ep)
{
	(void)h;
	if (shim.gone)
		return LIBUSB_ERROR_NO_DEVICE;
	if (ep == CH341_EP_OUT && shim.stalled) {
		shim.stalled = false;
		shim_log(NULL, "usb: stall on EP 02 cleared");
	}
	return LIBUSB_SUCCESS;
}

/* ---- transfers ---- */

static bool is_spi_mode(void) { return shim.faults.pid == CH341_PID_SPI; }

/* Every transfer counts toward the unplug fault; returns false once gone. */
static bool count_transfer(void)
{
	if (shim.gone)
		return false;
	if (shim.faults.unplug_after && ++shim.transfers > shim.faults.unplug_after) {
		shim.gone = true;
		shim_log(NULL, "usb: device unplugged (fault)");
		return false;
	}
	return true;
}

/* An OUT: the device processes it at once; LIBUSB_TRANSFER_* status. */
static enum libusb_transfer_status do_out(const uint8_t *buf, int len, int *done)
{
	uint64_t before = shim.dev.spi_bytes;
	*done = 0;
	if (shim.stalled || (shim.faults.stall_at && ++shim.outs == shim.faults.stall_at)) {
		shim.stalled = true;
		shim_log(NULL, "usb: EP 02 stalled");
		return LIBUSB_TRANSFER_STALL;
	}
	ch341_dev_out(&shim.dev, buf, (size_t)len, now_us());
	if (shim.timing)
		sleep_us((shim.dev.spi_bytes - before) * 8u * 1000000u / SPI_HZ);
	*done = len;
	return LIBUSB_TRANSFER_COMPLETED;
}

/* An IN: exactly one queued packet (SIM-U5); -1 when none is queued. */
static int do_in(uint8_t *buf, int len, int *done)
{
	const struct in_packet *p = ch341_dev_peek(&shim.dev);
	*done = 0;
	if (!p)
		return -1;
	if (len < p->len) {
		ch341_dev_pop(&shim.dev);
		return LIBUSB_TRANSFER_OVERFLOW;
	}
	memcpy(buf, p->data, p->len);
	*done = p->len;
	ch341_dev_pop(&shim.dev);
	return LIBUSB_TRANSFER_COMPLETED;
}

static int status_to_error(int st)
{
	switch (st) {
	case LIBUSB_TRANSFER_COMPLETED: return LIBUSB_SUCCESS;
	case LIBUSB_TRANSFER_STALL: return LIBUSB_ERROR_PIPE;
	case LIBUSB_TRANSFER_OVERFLOW: return LIBUSB_ERROR_OVERFLOW;
	case LIBUSB_TRANSFER_NO_DEVICE: return LIBUSB_ERROR_NO_DEVICE;
	default: return LIBUSB_ERROR_IO;
	}
}

static bool endpoint_ok(unsigned char ep)
{
	return is_spi_mode() && (ep == CH341_EP_OUT || ep == CH341_EP_IN);
}

API int LIBUSB_CALL libusb_bulk_transfer(libusb_device_handle *h, unsigned char ep, unsigned char *data, int length,
                                         int *transferred, unsigned int timeout)
{
	int done = 0, st;
	(void)h;
	if (transferred)
		*transferred = 0;
	if (!count_transfer())
		return LIBUSB_ERROR_NO_DEVICE;
	if (!endpoint_ok(ep))
		return LIBUSB_ERROR_PIPE;
	if (ep == CH341_EP_OUT) {
		st = do_out(data, length, &done);
	} else if ((st = do_in(data, length, &done)) < 0) {
		/* Nothing can arrive later: only OUTs make IN packets. */
		unsigned ms = timeout ? timeout : FOREVER_CAP_MS;
		if (!timeout)
			fprintf(stderr, "iotflash-sim: bulk IN without a timeout and nothing queued: failing after %u ms\n", ms);
		sleep_us((uint64_t)ms * 1000u);
		return LIBUSB_ERROR_TIMEOUT;
	}
	if (transferred)
		*transferred = done;
	return status_to_error(st);
}

API int LIBUSB_CALL libusb_interrupt_transfer(libusb_device_handle *h, unsigned char ep, unsigned char *data,
                                              int length, int *transferred, unsigned int timeout)
{
	(void)h; (void)ep; (void)data; (void)length; (void)timeout;
	if (transferred)
		*transferred = 0;
	return shim.gone ? LIBUSB_ERROR_NO_DEVICE : LIBUSB_ERROR_TIMEOUT;  /* EP 81 never has news */
}

API int LIBUSB_CALL libusb_control_transfer(libusb_device_handle *h, uint8_t type, uint8_t req, uint16_t val,
                                            uint16_t idx, unsigned char *data, uint16_t len, unsigned int timeout)
{
	(void)h; (void)type; (void)req; (void)val; (void)idx; (void)data; (void)len; (void)timeout;
	return shim.gone ? LIBUSB_ERROR_NO_DEVICE : LIBUSB_ERROR_PIPE;  /* SPI mode needs none */
}

API struct libusb_transfer *LIBUSB_CALL libusb_alloc_transfer(int iso_packets)
{
	size_t size = sizeof(struct libusb_transfer) +
	              (size_t)(iso_packets > 0 ? iso_packets : 0) * sizeof(struct libusb_iso_packet_descriptor);
	struct libusb_transfer *t = calloc(1, size);
	if (t)
		t->num_iso_packets = iso_packets;
	return t;
}

static struct pending *find_pending(const struct libusb_transfer *t)
{
	for (struct pending *p = shim.pending; p; p = p->next)
		if (p->t == t)
			return p;
	return NULL;
}

API void LIBUSB_CALL libusb_free_transfer(struct libusb_transfer *t)
{
	if (!t)
		return;
	if (find_pending(t))
		fprintf(stderr, "iotflash-sim: libusb_free_transfer of a transfer still in flight\n");
	if (t->flags & LIBUSB_TRANSFER_FREE_BUFFER)
		free(t->buffer);
	free(t);
}

static void enqueue(struct pending *p)
{
	p->next = NULL;
	*shim.pending_tail = p;
	shim.pending_tail = &p->next;
}

API int LIBUSB_CALL libusb_submit_transfer(struct libusb_transfer *t)
{
	struct pending *p;
	if (find_pending(t))
		return LIBUSB_ERROR_BUSY;
	if (!count_transfer())
		return LIBUSB_ERROR_NO_DEVICE;
	if (t->type != LIBUSB_TRANSFER_TYPE_BULK || !endpoint_ok(t->endpoint))
		return LIBUSB_ERROR_NOT_FOUND;
	if (!(p = calloc(1, sizeof(*p))))
		return LIBUSB_ERROR_NO_MEM;
	p->t = t;
	t->actual_length = 0;
	p->deadline_us = now_us() + (uint64_t)(t->timeout ? t->timeout : FOREVER_CAP_MS) * 1000u;
	if (t->endpoint == CH341_EP_OUT) {
		t->status = do_out(t->buffer, t->length, &t->actual_length);
		p->done = true;  /* the callback still waits for handle_events */
	}
	enqueue(p);
	return LIBUSB_SUCCESS;
}

API int LIBUSB_CALL libusb_cancel_transfer(struct libusb_transfer *t)
{
	struct pending *p = find_pending(t);
	if (!p || p->done)
		return LIBUSB_ERROR_NOT_FOUND;
	p->cancelled = true;
	return LIBUSB_SUCCESS;
}

/* Decide the status of pending transfers, in submission order. */
static void progress(uint64_t now)
{
	for (struct pending *p = shim.pending; p; p = p->next) {
		struct libusb_transfer *t = p->t;
		int st;
		if (p->done)
			continue;
		if (p->cancelled) {
			t->status = LIBUSB_TRANSFER_CANCELLED;
		} else if (shim.gone) {
			t->status = LIBUSB_TRANSFER_NO_DEVICE;
		} else if ((st = do_in(t->buffer, t->length, &t->actual_length)) >= 0) {
			t->status = (enum libusb_transfer_status)st;
		} else if (now >= p->deadline_us) {
			t->status = LIBUSB_TRANSFER_TIMED_OUT;
		} else {
			continue;
		}
		p->done = true;
	}
}

/* Run the callbacks of the transfers whose status is decided, oldest
 * first; a callback may submit more.  Returns how many ran. */
static int run_callbacks(void)
{
	int ran = 0;
	for (;;) {
		struct pending **pp = &shim.pending, *p;
		while (*pp && !(*pp)->done)
			pp = &(*pp)->next;
		if (!(p = *pp))
			break;
		*pp = p->next;
		if (shim.pending_tail == &p->next)
			shim.pending_tail = pp;
		struct libusb_transfer *t = p->t;
		free(p);
		ran++;
		if (t->callback)
			t->callback(t);
	}
	return ran;
}

static uint64_t earliest_deadline(void)
{
	uint64_t d = UINT64_MAX;
	for (struct pending *p = shim.pending; p; p = p->next)
		if (!p->done && p->deadline_us < d)
			d = p->deadline_us;
	return d;
}

API int LIBUSB_CALL libusb_handle_events_timeout_completed(libusb_context *ctx, struct timeval *tv, int *completed)
{
	uint64_t end = now_us() + (tv ? (uint64_t)tv->tv_sec * 1000000u + (uint64_t)tv->tv_usec : 60000000u);
	(void)ctx;
	for (;;) {
		uint64_t now = now_us();
		progress(now);
		if (run_callbacks() > 0 || (completed && *completed) || now >= end)
			return LIBUSB_SUCCESS;
		uint64_t wake = earliest_deadline();
		sleep_us((wake < end ? wake : end) - now);
	}
}

API int LIBUSB_CALL libusb_handle_events_timeout(libusb_context *ctx, struct timeval *tv)
{
	return libusb_handle_events_timeout_completed(ctx, tv, NULL);
}

API int LIBUSB_CALL libusb_handle_events(libusb_context *ctx)
{
	struct timeval tv = { 60, 0 };
	return libusb_handle_events_timeout_completed(ctx, &tv, NULL);
}

API int LIBUSB_CALL libusb_handle_events_completed(libusb_context *ctx, int *completed)
{
	struct timeval tv = { 60, 0 };
	return libusb_handle_events_timeout_completed(ctx, &tv, completed);
}

/* ---- names ---- */

API const char *LIBUSB_CALL libusb_error_name(int code)
{
	switch (code) {
	case LIBUSB_SUCCESS: return "LIBUSB_SUCCESS / LIBUSB_TRANSFER_COMPLETED";
	case LIBUSB_ERROR_IO: return "LIBUSB_ERROR_IO";
	case LIBUSB_ERROR_INVALID_PARAM: return "LIBUSB_ERROR_INVALID_PARAM";
	case LIBUSB_ERROR_ACCESS: return "LIBUSB_ERROR_ACCESS";
	case LIBUSB_ERROR_NO_DEVICE: return "LIBUSB_ERROR_NO_DEVICE";
	case LIBUSB_ERROR_NOT_FOUND: return "LIBUSB_ERROR_NOT_FOUND";
	case LIBUSB_ERROR_BUSY: return "LIBUSB_ERROR_BUSY";
	case LIBUSB_ERROR_TIMEOUT: return "LIBUSB_ERROR_TIMEOUT";
	case LIBUSB_ERROR_OVERFLOW: return "LIBUSB_ERROR_OVERFLOW";
	case LIBUSB_ERROR_PIPE: return "LIBUSB_ERROR_PIPE";
	case LIBUSB_ERROR_INTERRUPTED: return "LIBUSB_ERROR_INTERRUPTED";
	case LIBUSB_ERROR_NO_MEM: return "LIBUSB_ERROR_NO_MEM";
	case LIBUSB_ERROR_NOT_SUPPORTED: return "LIBUSB_ERROR_NOT_SUPPORTED";
	case LIBUSB_TRANSFER_ERROR: return "LIBUSB_TRANSFER_ERROR";
	case LIBUSB_TRANSFER_TIMED_OUT: return "LIBUSB_TRANSFER_TIMED_OUT";
	case LIBUSB_TRANSFER_CANCELLED: return "LIBUSB_TRANSFER_CANCELLED";
	case LIBUSB_TRANSFER_STALL: return "LIBUSB_TRANSFER_STALL";
	case LIBUSB_TRANSFER_NO_DEVICE: return "LIBUSB_TRANSFER_NO_DEVICE";
	case LIBUSB_TRANSFER_OVERFLOW: return "LIBUSB_TRANSFER_OVERFLOW";
	default: return "LIBUSB_ERROR_OTHER";
	}
}

API const char *LIBUSB_CALL libusb_strerror(int code)
{
	switch (code) {
	case LIBUSB_SUCCESS: return "Success";
	case LIBUSB_ERROR_IO: return "Input/Output Error";
	case LIBUSB_ERROR_ACCESS: return "Access denied (insufficient permissions)";
	case LIBUSB_ERROR_NO_DEVICE: return "No such device (it may have been disconnected)";
	case LIBUSB_ERROR_NOT_FOUND: return "Entity not found";
	case LIBUSB_ERROR_BUSY: return "Resource busy";
	case LIBUSB_ERROR_TIMEOUT: return "Operation timed out";
	case LIBUSB_ERROR_OVERFLOW: return "Overflow";
	case LIBUSB_ERROR_PIPE: return "Pipe error";
	case LIBUSB_ERROR_NO_MEM: return "Insufficient memory";
	default: return "Other error";
	}
}
