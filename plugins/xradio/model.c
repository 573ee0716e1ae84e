/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device model of the XRadio BROM command server (XR809 v1 and newer ROMs,
 * XR872, XR806), the XR809 RAM stub it can start, and SDK firmware that
 * takes the `upgrade` console command (docs/protocols/xradio.md, §N; what
 * a faithful model must do: §9).  Written like the firmware: a loop that
 * reads its UART with no timeout inside a frame (§2.3).
 *
 * Chip database params (chipdb/xradio.yaml):
 *   brom_version         the ROM's protocol version (0x18 byte 5); the stub's is 1
 *   chip_type            0x17 answer of ROMs >= v2 [unknown values]
 *   model_rom_flash      the ROM runs 0x19-0x1B itself (false: error 1) [unknown for XR809 v1]
 *   model_rom_setckcs    the ROM takes 0x14 [unknown]; the stub does
 *   model_autobaud       the first 0x55 after start / 0x10 sets the rate, unanswered (§4)
 *   model_bauds          0x10 list (§5.3)
 *   model_read_max_sectors  largest 0x1A / 0x1B (buffer, [inferred])
 *   model_flash_id       JEDEC mfr | type << 8; the capacity byte follows the flash file
 *   model_erase_4k_us, model_erase_32k_us, model_erase_64k_us,
 *   model_chip_erase_ms_per_mib, model_program_256_us   flash timings (§9 item 7)
 *   model_boot           download (straps held) or firmware (answers `upgrade`, §1.2)
 *   stub_load, stub_entry   where the XR809 stub lives (§6) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <iotflash/chip.h>
#include <iotflash/model.h>

#include "model.h"
#include "protocol.h"

#define RAM_SIZE   0x80000u   /* SRAM the model keeps: 0x00000-0x7FFFF */
#define STUB_SIZE  5868u      /* XR809_Stub.bin (§6) */
#define STUB_TAG   "XR809 BROM stub stand-in"
#define STUB_TAG_OFF 0x100u
#define SEQRD_MAX  0x10000u   /* model choice: larger 0x08 reads get error 4 */
#define LINE_MAX_LEN 64

enum { REBOOT = 1 };  /* dispatch: the chip restarts (0x12) */

struct xrm {
	struct iotflash_sim *sim;
	const struct iotflash_chip *chip;
	uint8_t *flash;
	uint32_t flash_size;
	uint8_t *ram;
	bool stub;                /* the RAM stub runs */
	bool checked;             /* 0x14 mode != 0: replies carry a checksum */
	uint8_t rom_version;
	uint8_t req_b5;
	bool rom_flash, rom_setckcs, autobaud, firmware_boot;
	int64_t chip_type;
	const int64_t *bauds;
	unsigned n_bauds;
	uint32_t read_max, stub_load, stub_entry;
	uint32_t flash_id;
	uint32_t t_4k, t_32k, t_64k, t_chip_mib_ms, t_page;
	uint8_t req[XR_HEADER_LEN + XR_PAYLOAD_MAX];
	uint8_t *out;             /* one reply buffer: header + the largest payload */
	size_t out_cap;
};

static uint8_t version(const struct xrm *m) { return m->stub ? 1 : m->rom_version; }

/* One reply, written at once (§9 item 8); payload already at out + 12. */
static void send_reply(struct xrm *m, bool error, size_t n)
{
	xr_encode_reply(m->out, error, m->req_b5, version(m), (uint32_t)n, m->checked);
	xr_reply_seal(m->out, n);
	iotflash_sim_write(m->sim, m->out, XR_HEADER_LEN + n);
}

static void ack(struct xrm *m) { send_reply(m, false, 0); }

static void fail(struct xrm *m, uint8_t code)
{
	m->out[XR_HEADER_LEN] = code;
	send_reply(m, true, 1);
}

/* ---- UART ---- */

/* After reset, stub start and an accepted 0x10: bytes up to the first 0x55
 * are dropped, that 0x55 sets the rate and gets no answer (§4). */
static int wait_autobaud(struct xrm *m)
{
	uint8_t b = 0;
	int r;

	if (!m->autobaud)
		return 0;
	iotflash_sim_autobaud(m->sim, true);
	do
		r = iotflash_sim_read(m->sim, &b, 1, -1);
	while (r >= 0 && b != XR_SYNC);
	iotflash_sim_autobaud(m->sim, false);
	if (r >= 0)
		iotflash_sim_log(m->sim, "xradio: auto-baud locked at %u", (unsigned)iotflash_sim_baud(m->sim));
	return r < 0 ? r : 0;
}

/* Exactly n bytes, however long they take (§2.3). */
static int read_all(struct xrm *m, uint8_t *p, size_t n)
{
	for (size_t got = 0; got < n;) {
		int r = iotflash_sim_read(m->sim, p + got, n - got, -1);
		if (r < 0)
			return r;
		got += (size_t)r;
	}
	return 0;
}

/* ---- flash ---- */

static void flash_erase(struct xrm *m, uint32_t start, uint32_t len, uint64_t us)
{
	memset(m->flash + start, 0xFF, len);
	iotflash_sim_busy(m->sim, us);
}

/* NOR programming clears bits only (§9 item 6). */
static void flash_program(struct xrm *m, uint32_t start, const uint8_t *p, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		m->flash[(start + i) % m->flash_size] &= p[i];
	iotflash_sim_busy(m->sim, (uint64_t)(len + 255) / 256 * m->t_page);
}

static unsigned log2u(uint32_t v)
{
	unsigned n = 0;
	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

/* ---- RAM and the stub ---- */

static uint8_t ram_byte(const struct xrm *m, uint32_t a) { return a < RAM_SIZE ? m->ram[a] : 0; }

static bool hex_equal(const uint8_t *d, const char *hex)
{
	char s[65];
	for (int i = 0; i < 32; i++)
		snprintf(s + 2 * i, 3, "%02x", d[i]);
	return hex && strcasecmp(s, hex) == 0;
}

/* The real stub by its SHA-256, or a test stand-in of its size: the
 * stub's vector table, a tag, and the SHA-256 of the rest at its end. */
static bool stub_in_ram(const struct xrm *m)
{
	const uint8_t *img = m->ram + m->stub_load;
	uint8_t d[IOTFLASH_SUM_MAX];
	const struct iotflash_chip *c = m->chip;

	if (m->stub_load + STUB_SIZE > RAM_SIZE)
		return false;
	iotflash_checksum_compute(IOTFLASH_SUM_SHA256, img, STUB_SIZE, d);
	for (unsigned i = 0; i < c->n_loaders; i++)
		if (hex_equal(d, c->loaders[i]->sha256))
			return true;
	if (hex_equal(d, c->loader_sha256))
		return true;
	if (xr_get_le32(img) != 0x0007E000u || xr_get_le32(img + 4) != m->stub_entry ||
	    memcmp(img + STUB_TAG_OFF, STUB_TAG, strlen(STUB_TAG)) != 0)
		return false;
	iotflash_checksum_compute(IOTFLASH_SUM_SHA256, img, STUB_SIZE - 32, d);
	return memcmp(d, img + STUB_SIZE - 32, 32) == 0;
}

/* The CPU went somewhere without code: nothing answers until a reset. */
static int hang(struct xrm *m)
{
	uint8_t junk[256];
	int r;
	iotflash_sim_log(m->sim, "xradio: jumped to no code: hanging until reset");
	while ((r = iotflash_sim_read(m->sim, junk, sizeof junk, -1)) >= 0)
		;
	return r;
}

static int start_stub(struct xrm *m)
{
	m->stub = true;
	m->checked = false;  /* the stub clears its reply-checksum flag at start (§3) */
	if (!m->autobaud)
		iotflash_sim_set_baud(m->sim, 115200);
	iotflash_sim_log(m->sim, "xradio: the RAM stub runs");
	return wait_autobaud(m);
}

/* ---- commands (§5) ---- */

static uint32_t param32(const struct xrm *m, size_t off) { return xr_get_be32(m->req + XR_HEADER_LEN + off); }

static int cmd_memory(struct xrm *m, uint8_t op)
{
	uint32_t addr = param32(m, 1), size = 1u << ((op >> 1) & 3);
	const uint8_t *p = m->req + XR_HEADER_LEN;

	if (op & 1) {  /* WRITEn: the value raw, memory order */
		for (uint32_t i = 0; i < size; i++)
			if (addr + i < RAM_SIZE)
				m->ram[addr + i] = p[5 + i];
		ack(m);
	} else {
		for (uint32_t i = 0; i < size; i++)
			m->out[XR_HEADER_LEN + i] = ram_byte(m, addr + i);
		send_reply(m, false, size);
	}
	return 0;
}

static int cmd_block(struct xrm *m, uint8_t op)
{
	uint32_t addr = param32(m, 1), len = param32(m, 5);
	bool check = m->req[4] & XR_FLAG_CHECK;  /* saved before the data arrive (§5.8) */
	uint16_t dcs = xr_get_be16(m->req + XR_HEADER_LEN + 9);
	uint8_t *data;
	int r;

	if (!(op & 1)) {  /* SEQRD */
		if (len > SEQRD_MAX) {
			fail(m, XR_ERR_INVALID);
			return 0;
		}
		for (uint32_t i = 0; i < len; i++)
			m->out[XR_HEADER_LEN + i] = ram_byte(m, addr + i);
		send_reply(m, false, len);
		return 0;
	}
	if (len > RAM_SIZE) {
		fail(m, XR_ERR_NO_MEMORY);
		return 0;
	}
	ack(m);
	if (!(data = malloc(len ? len : 1)))
		return IOTFLASH_SIM_STOP;
	if ((r = read_all(m, data, len)) < 0) {
		free(data);
		return r;
	}
	if (check && (uint16_t)(xr_sum16(data, len) + dcs) != 0xFFFF) {
		free(data);
		fail(m, XR_ERR_CHECKSUM);
		return 0;
	}
	for (uint32_t i = 0; i < len; i++)
		if (addr + i < RAM_SIZE)
			m->ram[addr + i] = data[i];
	free(data);
	ack(m);
	iotflash_sim_log(m->sim, "xradio: %u bytes to RAM 0x%05x", (unsigned)len, (unsigned)addr);
	return 0;
}

static bool baud_listed(const struct xrm *m, uint32_t baud)
{
	for (unsigned i = 0; i < m->n_bauds; i++)
		if ((uint32_t)m->bauds[i] == baud)
			return true;
	return false;
}

static int cmd_system(struct xrm *m, uint8_t op)
{
	uint32_t v = param32(m, 1);

	switch (op) {
	case XR_OP_SETUART:
		if (!baud_listed(m, v & 0xFFFFFF)) {
			fail(m, XR_ERR_INVALID);  /* the rate is kept */
			return 0;
		}
		ack(m);  /* at the old rate, then switch (§5.3) */
		iotflash_sim_set_baud(m->sim, v & 0xFFFFFF);
		iotflash_sim_log(m->sim, "xradio: baud %u", (unsigned)(v & 0xFFFFFF));
		return wait_autobaud(m);
	case XR_OP_SETJTAG:
		ack(m);
		return 0;
	case XR_OP_REBOOT:
		ack(m);
		return REBOOT;
	case XR_OP_SETPC:
		ack(m);
		if (v == m->stub_entry && stub_in_ram(m))
			return start_stub(m);
		return hang(m);
	case XR_OP_SETCKCS:
		if (!m->stub && !m->rom_setckcs) {
			fail(m, XR_ERR_UNKNOWN_CMD);
			return 0;
		}
		m->checked = m->req[XR_HEADER_LEN + 1] != 0;  /* this ack included (§5) */
		ack(m);
		return 0;
	case XR_OP_BAUDLIST:
		if (!m->stub)
			break;  /* [unknown] on the ROMs: error 1 */
		for (unsigned i = 0; i < 6; i++) {
			uint32_t b = i < m->n_bauds ? (uint32_t)m->bauds[i] : 0;
			for (int k = 0; k < 4; k++)
				m->out[XR_HEADER_LEN + 4 * i + (unsigned)k] = (uint8_t)(b >> (8 * k));
		}
		send_reply(m, false, 24);
		return 0;
	case XR_OP_CORERESET:
		if (!m->stub)
			break;
		ack(m);  /* back into the ROM (§5.4) */
		m->stub = false;
		m->checked = false;
		return wait_autobaud(m);
	case XR_OP_CHIPTYPE:
		if (m->stub || m->rom_version < 2)
			break;
		m->out[XR_HEADER_LEN] = (uint8_t)m->chip_type;
		send_reply(m, false, 1);
		return 0;
	default:
		break;
	}
	fail(m, XR_ERR_UNKNOWN_CMD);
	return 0;
}

static int cmd_erase(struct xrm *m)
{
	uint8_t mode = m->req[XR_HEADER_LEN + 1];
	uint32_t unit = xr_erase_unit((enum xr_erase_mode)mode), addr;

	if (mode == XR_ERASE_CHIP) {
		flash_erase(m, 0, m->flash_size, (uint64_t)m->t_chip_mib_ms * 1000u * (m->flash_size >> 20 ? m->flash_size >> 20 : 1));
		ack(m);
		return 0;
	}
	if (unit == 0) {
		fail(m, XR_ERR_INVALID);  /* the stub overruns its table [inferred]; the model refuses */
		return 0;
	}
	/* The unit containing the address; bits above the capacity ignored (§5.5). */
	addr = (param32(m, 2) % m->flash_size) & ~(unit - 1);
	flash_erase(m, addr, unit, unit == 4096 ? m->t_4k : unit == 32768 ? m->t_32k : m->t_64k);
	ack(m);
	return 0;
}

static int cmd_flash_read(struct xrm *m)
{
	uint32_t sector = param32(m, 1), count = param32(m, 5);

	if (count > m->read_max) {
		fail(m, XR_ERR_NO_MEMORY);
		return 0;
	}
	for (uint32_t i = 0; i < count * XR_SECTOR; i++)  /* addresses wrap at the capacity [inferred] */
		m->out[XR_HEADER_LEN + i] = m->flash[((uint64_t)sector * XR_SECTOR + i) % m->flash_size];
	send_reply(m, false, count * XR_SECTOR);
	return 0;
}

static int cmd_flash_write(struct xrm *m)
{
	uint32_t sector = param32(m, 1), count = param32(m, 5), len = count * XR_SECTOR;
	uint16_t dcs = xr_get_be16(m->req + XR_HEADER_LEN + 9);
	uint8_t *data;
	bool check;
	int r;

	if (count > m->read_max) {
		fail(m, XR_ERR_NO_MEMORY);
		return 0;
	}
	ack(m);  /* at once; then exactly count x 512 raw bytes (§5.7) */
	if (!(data = malloc(len ? len : 1)))
		return IOTFLASH_SIM_STOP;
	if ((r = read_all(m, data, len)) < 0) {
		free(data);
		return r;
	}
	/* The stub tests CHECK in the buffer the data overwrote: bit 2 of the
	 * 5th data byte (§5.7).  ROMs: [unknown], checked always. */
	check = m->stub ? len > 4 && (data[4] & XR_FLAG_CHECK) : true;
	if (check && (uint16_t)(xr_sum16(data, len) + dcs) != 0xFFFF) {
		free(data);
		fail(m, XR_ERR_CHECKSUM);
		return 0;
	}
	flash_program(m, (uint32_t)(((uint64_t)sector * XR_SECTOR) % m->flash_size), data, len);
	free(data);
	ack(m);
	return 0;
}

static int cmd_flash(struct xrm *m, uint8_t op)
{
	if (op > XR_OP_FLASH_WRITE)
		return 0;  /* 0x1C-0x1F: no reply at all (§5.9) */
	if (!m->stub && !m->rom_flash && op != XR_OP_FLASH_ID) {
		fail(m, XR_ERR_UNKNOWN_CMD);
		return 0;
	}
	switch (op) {
	case XR_OP_FLASH_ID:
		m->out[XR_HEADER_LEN] = (uint8_t)m->flash_id;
		m->out[XR_HEADER_LEN + 1] = (uint8_t)(m->flash_id >> 8);
		m->out[XR_HEADER_LEN + 2] = (uint8_t)log2u(m->flash_size);
		m->out[XR_HEADER_LEN + 3] = 0;
		send_reply(m, false, 4);
		return 0;
	case XR_OP_FLASH_ERASE:
		return cmd_erase(m);
	case XR_OP_FLASH_READ:
		return cmd_flash_read(m);
	default:
		return cmd_flash_write(m);
	}
}

static int dispatch(struct xrm *m, size_t n)
{
	uint8_t op = m->req[XR_HEADER_LEN];

	if (n == 0) {
		fail(m, XR_ERR_UNKNOWN_CMD);  /* model choice (§3) */
		return 0;
	}
	if (!xr_request_ok(m->req, m->req + XR_HEADER_LEN, n)) {
		fail(m, XR_ERR_CHECKSUM);
		return 0;
	}
	switch (op >> 3) {
	case 0: return cmd_memory(m, op);
	case 1: return cmd_block(m, op);
	case 2: return cmd_system(m, op);
	case 3: return cmd_flash(m, op);
	default:
		fail(m, XR_ERR_UNKNOWN_CMD);
		return 0;
	}
}

/* The command server: 0x55 -> OK, "BROM" -> a frame (§2.3). */
static int serve_frames(struct xrm *m)
{
	for (;;) {
		uint8_t b;
		struct xr_header h;
		int r = iotflash_sim_read(m->sim, &b, 1, -1);
		if (r < 0)
			return r;
		if (b == XR_SYNC) {
			iotflash_sim_write(m->sim, "OK", 2);
			continue;
		}
		if (b != 'B')
			continue;
		m->req[0] = b;
		if ((r = read_all(m, m->req + 1, 3)) < 0)
			return r;
		if (memcmp(m->req, "BROM", 4) != 0)
			continue;
		if ((r = read_all(m, m->req + 4, XR_HEADER_LEN - 4)) < 0)
			return r;
		xr_decode_header(m->req, &h);
		m->req_b5 = h.b5;
		if (h.len > XR_PAYLOAD_MAX) {
			fail(m, XR_ERR_NO_MEMORY);
			continue;
		}
		if ((r = read_all(m, m->req + XR_HEADER_LEN, h.len)) < 0)
			return r;
		if ((r = dispatch(m, h.len)) != 0)
			return r;
	}
}

/* SDK firmware: its console takes `upgrade` (LF or CR ends a line) and
 * reboots into download mode without straps (§1.2). */
static int run_firmware(struct xrm *m)
{
	char line[LINE_MAX_LEN];
	size_t n = 0;

	iotflash_sim_log(m->sim, "xradio: firmware runs, console at 115200");
	for (;;) {
		uint8_t b;
		int r = iotflash_sim_read(m->sim, &b, 1, -1);
		if (r < 0)
			return r;
		if (b != '\n' && b != '\r') {
			if (b && n < sizeof line - 1)
				line[n++] = (char)b;
			continue;
		}
		line[n] = '\0';
		n = 0;
		if (strcmp(line, "upgrade") == 0) {
			iotflash_sim_write(m->sim, XR_UPGRADE_ACK, strlen(XR_UPGRADE_ACK));
			iotflash_sim_log(m->sim, "xradio: `upgrade`: boot flag set, rebooting into download mode");
			return 0;
		}
	}
}

/* From power-on (or a watchdog reboot): firmware, or the ROM when the
 * straps are held or the boot flag says "system update". */
static int power_on(struct xrm *m)
{
	int r;

	iotflash_sim_autobaud(m->sim, false);
	iotflash_sim_set_baud(m->sim, m->chip->link_baud ? m->chip->link_baud : 115200);
	iotflash_sim_discard_input(m->sim);
	m->stub = false;
	m->checked = false;
	if (m->firmware_boot && (r = run_firmware(m)) < 0)
		return r;
	if ((r = wait_autobaud(m)) < 0)
		return r;
	return serve_frames(m);
}

static int configure(struct xrm *m)
{
	const struct iotflash_chip *c = m->chip;
	const struct iotflash_param *p = iotflash_chip_param(c, "model_bauds");
	const char *boot = iotflash_chip_param_str(c, "model_boot");
	bool b;

	m->flash = iotflash_sim_flash(m->sim, &m->flash_size);
	if (!m->flash || m->flash_size < 0x10000) {
		iotflash_sim_log(m->sim, "xradio: flash missing or smaller than 64 KiB");
		return -1;
	}
	if (!p || p->type != IOTFLASH_PARAM_INT_LIST) {
		iotflash_sim_log(m->sim, "xradio: %s: model_bauds (a list of rates) is missing", c->name);
		return -1;
	}
	m->bauds = p->ints;
	m->n_bauds = p->n;
	m->rom_version = (uint8_t)iotflash_chip_param_int_or(c, "brom_version", 1);
	m->chip_type = iotflash_chip_param_int_or(c, "chip_type", 0);
	m->rom_flash = iotflash_chip_param_bool(c, "model_rom_flash", &b) ? b : true;
	m->rom_setckcs = iotflash_chip_param_bool(c, "model_rom_setckcs", &b) ? b : true;
	m->autobaud = iotflash_chip_param_bool(c, "model_autobaud", &b) ? b : true;
	m->read_max = (uint32_t)iotflash_chip_param_int_or(c, "model_read_max_sectors", 48);
	m->stub_load = (uint32_t)iotflash_chip_param_int_or(c, "stub_load", 0x10000);
	m->stub_entry = (uint32_t)iotflash_chip_param_int_or(c, "stub_entry", 0x10101);
	m->flash_id = (uint32_t)iotflash_chip_param_int_or(c, "model_flash_id", 0x154085);
	m->t_4k = (uint32_t)iotflash_chip_param_int_or(c, "model_erase_4k_us", 45000);
	m->t_32k = (uint32_t)iotflash_chip_param_int_or(c, "model_erase_32k_us", 150000);
	m->t_64k = (uint32_t)iotflash_chip_param_int_or(c, "model_erase_64k_us", 250000);
	m->t_chip_mib_ms = (uint32_t)iotflash_chip_param_int_or(c, "model_chip_erase_ms_per_mib", 3000);
	m->t_page = (uint32_t)iotflash_chip_param_int_or(c, "model_program_256_us", 700);
	if (boot && strcmp(boot, "firmware") != 0 && strcmp(boot, "download") != 0) {
		iotflash_sim_log(m->sim, "xradio: %s: model_boot '%s' is not download or firmware", c->name, boot);
		return -1;
	}
	m->firmware_boot = boot && strcmp(boot, "firmware") == 0;
	m->out_cap = XR_HEADER_LEN + (SEQRD_MAX > m->read_max * XR_SECTOR ? SEQRD_MAX : m->read_max * XR_SECTOR);
	m->out = malloc(m->out_cap);
	m->ram = calloc(1, RAM_SIZE);
	return m->out && m->ram ? 0 : -1;
}

static int xradio_serve(struct iotflash_sim *sim, const struct iotflash_chip *chip)
{
	struct xrm *m = calloc(1, sizeof(*m));
	int r = 0;

	if (!m)
		return 1;
	m->sim = sim;
	m->chip = chip;
	if (configure(m) != 0) {
		r = 1;
		goto out;
	}
	for (;;) {
		/* A reset or a watchdog reboot (0x12) keeps nothing but the
		 * straps: the ROM again when they are held, else the firmware
		 * (§5.4, §9 item 9). */
		if (power_on(m) == IOTFLASH_SIM_STOP)
			break;
	}
out:
	free(m->out);
	free(m->ram);
	free(m);
	return r;
}

const struct iotflash_model_ops xradio_model = {
	.family = "xradio",
	.description = "XRadio BROM (XR809 v1 and newer, XR872, XR806), XR809 RAM stub, SDK firmware",
	.serve = xradio_serve,
};
