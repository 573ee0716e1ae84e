/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device model of the Bouffalo Lab BootROM ISP and eflash_loader (BL602,
 * BL702) and of the BL616 ROM with its own flash commands, byte-exact per
 * §7.5 of docs/protocols/bl60x.md.  The uploaded loader is checked (boot
 * header, segment headers, lengths) but never run: once started, the model
 * plays the loader.
 *
 * States: ROM handshake -> ROM commands -> (0x1A or the BL702 reset frames)
 * loader handshake -> loader commands.  Idle timeouts fall back to the
 * handshakes; flash is NOR (erase to 0xFF, a write ANDs). */
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "protocol.h"

/* Chip-side work times: [inferred typical W25Q16 datasheet figures]. */
#define ERASE_4K_US       45000u
#define ERASE_32K_US     120000u
#define ERASE_64K_US     150000u
#define PAGE_PROGRAM_US     700u   /* one 256-byte page */
#define SHA_BYTES_PER_S 10000000u  /* [inferred] XIP read + hardware SHA */
#define PAGE 256u

#define HANDSHAKE_RUN      8       /* 0x55 bytes that make a handshake */
#define BURST_END_MS       2       /* silence that ends the burst (§7.5.1) */
#define ROM_OK_DELAY_MS    1
#define LOADER_OK_DELAY_MS 12      /* §1.5 */
#define LOADER_DRAIN_MS    1
#define LOADER_START_MS    50      /* input ignored after run (§7.5.8) */
#define IDLE_MS            2000    /* receive timeout (§1.2, §4.1) */
#define FRAME_GAP_MS       20      /* a frame cut short is dropped after this */
#define MAX_FAILURES       3       /* loader: the third failure -> handshake */
#define PD_FIRST_MS        1050
#define PD_EVERY_MS        1000
#define WINBOND_SKIP_MIN   0x2800u
#define RAM_REGION_MASK    0xFFFF0000u
#define HBN_RSV1           0x4000F104u
#define SYS_RESET_REG      0x40000018u
#define SYS_RESET_CPU      2u

enum variant { V_BL602, V_BL702, V_BL616 };
enum state { S_ROM_HS, S_ROM_CMD, S_LDR_HS, S_LDR_CMD, S_FIRMWARE };

struct frame {
	uint8_t cmd, cks;
	uint16_t len;
	uint8_t payload[BL_LDR_PAYLOAD_MAX];
};

struct blm {
	struct iotflash_sim *sim;
	const struct iotflash_chip *chip;
	enum variant variant;
	uint32_t rom_version;
	uint8_t info[20];
	size_t info_len;
	uint8_t *flash;
	uint32_t flash_size;
	uint32_t jedec;
	unsigned chip_erase_ms;
	/* ROM upload */
	bool header_loaded, seg_open, image_checked, entry_set;
	uint32_t seg_count, seg_done, seg_left;
	/* loader */
	uint16_t sticky;
	unsigned failures;
	struct frame f;
};

/* ---- replies ---- */

static void send_ok(struct blm *m)
{
	iotflash_sim_write(m->sim, "OK", 2);
}

/* `OK`, length and payload leave as one transmission, as the ROM sends
 * them: a client that reads the header alone must not fall behind. */
static void send_data(struct blm *m, const uint8_t *data, size_t len)
{
	uint8_t *r = malloc(4 + len);

	if (!r)
		return;
	r[0] = 'O';
	r[1] = 'K';
	r[2] = (uint8_t)len;
	r[3] = (uint8_t)(len >> 8);
	memcpy(r + 4, data, len);
	iotflash_sim_write(m->sim, r, 4 + len);
	free(r);
}

static void send_fail(struct blm *m, uint16_t code)
{
	uint8_t r[4] = { 'F', 'L', (uint8_t)code, (uint8_t)(code >> 8) };

	iotflash_sim_write(m->sim, r, sizeof r);
	m->failures++;
}

static void send_pd(struct blm *m)
{
	iotflash_sim_write(m->sim, "PD", 2);
}

/* ---- handshakes ---- */

/* Wait for a run of 0x55 at any rate (auto-baud); returns the rate
 * measured, or STOP/RESET. */
static int64_t await_burst(struct blm *m)
{
	unsigned run = 0;
	uint8_t buf[256];

	iotflash_sim_autobaud(m->sim, true);
	while (run < HANDSHAKE_RUN) {
		int n = iotflash_sim_read(m->sim, buf, sizeof buf, -1);
		if (n < 0) {
			iotflash_sim_autobaud(m->sim, false);
			return n;
		}
		for (int i = 0; i < n && run < HANDSHAKE_RUN; i++)
			run = buf[i] == 0x55 ? run + 1 : 0;
	}
	iotflash_sim_autobaud(m->sim, false);
	return iotflash_sim_baud(m->sim);
}

/* ROM: OK once, 1-2 ms after the burst has ended on the wire (§7.5.1). */
static int rom_handshake(struct blm *m)
{
	uint8_t buf[256];
	int64_t baud = await_burst(m);
	int n;

	if (baud < 0)
		return (int)baud;
	do
		n = iotflash_sim_read(m->sim, buf, sizeof buf, BURST_END_MS);
	while (n > 0);
	if (n < 0)
		return n;
	iotflash_sim_wait(m->sim, ROM_OK_DELAY_MS);
	iotflash_sim_log(m->sim, "bl60x: ROM handshake at %u baud", (unsigned)baud);
	send_ok(m);
	return IOTFLASH_OK;
}

/* Loader: latch the rounded rate, re-init the UART 12 ms later, OK (§1.5). */
static int loader_handshake(struct blm *m)
{
	int64_t measured = await_burst(m);
	uint32_t baud;

	if (measured < 0)
		return (int)measured;
	baud = bl_loader_baud((uint32_t)measured);
	iotflash_sim_set_baud(m->sim, baud);
	iotflash_sim_wait(m->sim, LOADER_OK_DELAY_MS);
	iotflash_sim_discard_input(m->sim);
	iotflash_sim_log(m->sim, "bl60x: loader handshake, measured %u, latched %u baud",
	                 (unsigned)measured, (unsigned)baud);
	send_ok(m);
	iotflash_sim_wait(m->sim, LOADER_DRAIN_MS);
	iotflash_sim_discard_input(m->sim);
	m->failures = 0;
	return IOTFLASH_OK;
}

/* ---- frames ---- */

enum rx { RX_FRAME = 1, RX_IDLE = 0, RX_DROPPED = 2, RX_TOO_LONG = 3 };

/* Read one frame into m->f.  skip55: the ROM skips 0x55 before a frame. */
static int read_frame(struct blm *m, bool skip55, uint32_t max_payload)
{
	uint8_t hdr[BL_HDR_LEN];
	int n;

	do {
		n = iotflash_sim_read(m->sim, hdr, 1, IDLE_MS);
		if (n <= 0)
			return n == 0 ? RX_IDLE : n;
	} while (skip55 && hdr[0] == 0x55);
	n = iotflash_sim_read_full(m->sim, hdr + 1, BL_HDR_LEN - 1, FRAME_GAP_MS);
	if (n < 0)
		return n;
	if (n < (int)BL_HDR_LEN - 1)
		return RX_DROPPED;
	m->f.cmd = hdr[0];
	m->f.cks = hdr[1];
	m->f.len = (uint16_t)(hdr[2] | hdr[3] << 8);
	if (m->f.len > max_payload) {
		iotflash_sim_discard_input(m->sim);
		return RX_TOO_LONG;
	}
	n = iotflash_sim_read_full(m->sim, m->f.payload, m->f.len, FRAME_GAP_MS);
	if (n < 0)
		return n;
	return n < (int)m->f.len ? RX_DROPPED : RX_FRAME;
}

/* ---- flash (NOR) ---- */

static void erase_block(struct blm *m, uint32_t start, uint32_t size, uint64_t us)
{
	memset(m->flash + start, 0xFF, size);
	iotflash_sim_busy(m->sim, us);
}

static bool range_blank(struct blm *m, uint32_t start, uint64_t len)
{
	if (start + len > m->flash_size)
		return false;
	for (uint64_t i = 0; i < len; i++)
		if (m->flash[start + i] != 0xFF)
			return false;
	return true;
}

/* 0x30: end inclusive; PD before each block; 64K/32K/4K choice and the
 * Winbond skip, as the decompiled loader (§4.1). */
static void cmd_erase(struct blm *m)
{
	uint64_t start, end;

	if (m->f.len != 8) {
		send_fail(m, BL_E_ERASE_PARA);
		return;
	}
	m->sticky = 0;
	start = bl_le32(m->f.payload);
	end = bl_le32(m->f.payload + 4);
	if ((m->jedec & 0xFF) == 0xEF && end + 1 >= start + WINBOND_SKIP_MIN &&
	    range_blank(m, (uint32_t)start, end + 1 - start)) {
		send_ok(m);
		return;
	}
	while (start <= end) {
		uint64_t left = end + 1 - start;
		uint32_t size = 4096;
		uint64_t us = ERASE_4K_US;
		send_pd(m);
		if (start % 65536 == 0 && left > 60 * 1024) {
			size = 65536;
			us = ERASE_64K_US;
		} else if (start % 32768 == 0 && left > 28 * 1024) {
			size = 32768;
			us = ERASE_32K_US;
		}
		start -= start % size;
		if (start + size > m->flash_size) {
			send_fail(m, BL_E_ERASE);
			return;
		}
		erase_block(m, (uint32_t)start, size, us);
		start += size;
	}
	send_ok(m);
}

/* 0x31: OK before programming; a late FL for a write past the flash (§4.1). */
static void cmd_write(struct blm *m)
{
	uint32_t addr, n;

	if (m->f.len < 5) {
		send_fail(m, BL_E_WRITE_PARA);
		return;
	}
	addr = bl_le32(m->f.payload);
	if (addr == 0xFFFFFFFFu) {
		send_fail(m, BL_E_WRITE_ADDR);
		return;
	}
	n = m->f.len - 4u;
	send_ok(m);
	for (uint32_t i = 0; i < n; i++) {
		if ((uint64_t)addr + i >= m->flash_size) {
			m->sticky = BL_E_WRITE;
			send_fail(m, BL_E_WRITE);
			return;
		}
		m->flash[addr + i] &= m->f.payload[4 + i];
	}
	iotflash_sim_busy(m->sim, (uint64_t)(n + PAGE - 1) / PAGE * PAGE_PROGRAM_US);
}

static bool addr_len(struct blm *m, uint32_t *addr, uint32_t *len)
{
	if (m->f.len != 8) {
		send_fail(m, BL_E_CMD_LEN);
		return false;
	}
	*addr = bl_le32(m->f.payload);
	*len = bl_le32(m->f.payload + 4);
	return true;
}

/* 0x32/0x34: at most 0x4004 bytes (clipped); addresses wrap. */
static void cmd_read(struct blm *m)
{
	static uint8_t out[BL_LDR_PAYLOAD_MAX];
	uint32_t addr, len;

	if (!addr_len(m, &addr, &len))
		return;
	if (len > BL_LDR_PAYLOAD_MAX)
		len = BL_LDR_PAYLOAD_MAX;
	for (uint32_t i = 0; i < len; i++)
		out[i] = m->flash[(addr + i) % m->flash_size];
	send_data(m, out, len);
}

/* 0x3D/0x3E: SHA-256 of exactly [addr, addr + len). */
static void cmd_sha(struct blm *m)
{
	uint8_t sum[IOTFLASH_SUM_MAX];
	uint32_t addr, len;

	if (!addr_len(m, &addr, &len))
		return;
	if ((uint64_t)addr + len > m->flash_size) {
		send_fail(m, BL_E_CMD_LEN);  /* [inferred] */
		return;
	}
	iotflash_checksum_compute(IOTFLASH_SUM_SHA256, m->flash + addr, len, sum);
	iotflash_sim_busy(m->sim, (uint64_t)len * 1000000u / SHA_BYTES_PER_S);
	send_data(m, sum, BL_SHA_LEN);
}

/* 0x3C: PD about once a second while busy, then OK (§4.1). */
static void cmd_chip_erase(struct blm *m)
{
	unsigned pds = m->chip_erase_ms / PD_EVERY_MS;

	for (unsigned i = 0; i < pds; i++) {
		iotflash_sim_busy(m->sim, (uint64_t)(i ? PD_EVERY_MS : PD_FIRST_MS) * 1000u);
		send_pd(m);
	}
	memset(m->flash, 0xFF, m->flash_size);
	m->sticky = 0;
	send_ok(m);
}

static void cmd_jedec(struct blm *m)
{
	uint8_t id[4] = { (uint8_t)m->jedec, (uint8_t)(m->jedec >> 8), (uint8_t)(m->jedec >> 16), 0x80 };

	send_data(m, id, sizeof id);
}

/* 0x42: MAC (BL602: 6 bytes, BL702: 8) + CRC32 of it. */
static void cmd_read_mac(struct blm *m)
{
	uint8_t out[12];
	size_t n = m->variant == V_BL702 ? 8 : 6;

	memcpy(out, m->variant == V_BL702 ? m->info + 12 : m->info + 8, n);
	bl_put_le32(out + n, bl_crc32(out, n));
	send_data(m, out, n + 4);
}

static void cmd_loader_boot_info(struct blm *m)
{
	uint8_t out[20];

	bl_put_le32(out, BL_VERSION_LOADER);
	memcpy(out + 4, m->info, 16);
	send_data(m, out, sizeof out);
}

static void cmd_zeros(struct blm *m, size_t n)
{
	static const uint8_t zeros[128];

	send_data(m, zeros, n > sizeof zeros ? sizeof zeros : n);
}

/* The flash command set (loader, and BL616 ROM).  Returns the next state,
 * or -1 to stay. */
static int flash_command(struct blm *m)
{
	switch (m->f.cmd) {
	case BL_FLASH_ERASE: cmd_erase(m); break;
	case BL_FLASH_WRITE: cmd_write(m); break;
	case BL_FLASH_READ:
	case BL_XIP_READ: cmd_read(m); break;
	case BL_READ_JEDEC: cmd_jedec(m); break;
	case BL_READ_SHA256:
	case BL_XIP_SHA256: cmd_sha(m); break;
	case BL_CHIP_ERASE: cmd_chip_erase(m); break;
	case BL_WRITE_CHECK:
		if (m->sticky)
			send_fail(m, m->sticky);
		else
			send_ok(m);
		break;
	case BL_FLASH_SET_PARA:
		if (m->f.len == 4 || m->f.len == 88)
			send_ok(m);
		else
			send_fail(m, BL_E_SET_PARA);
		break;
	case BL_READ_SR: cmd_zeros(m, m->f.len >= 8 ? bl_le32(m->f.payload + 4) & 7 : 1); break;
	case BL_WRITE_SR:
	case BL_XIP_START:
	case BL_XIP_FINISH: send_ok(m); break;
	case BL_EFUSE_READ: cmd_zeros(m, 128); break;
	case BL_READ_MAC: cmd_read_mac(m); break;
	case BL_RESET:
		send_ok(m);
		return S_ROM_HS;
	case BL_FLASH_BOOT:
		send_ok(m);
		return S_FIRMWARE;
	default:
		return -2;  /* unknown: silence */
	}
	return -1;
}

/* ---- loader ---- */

static int loader_step(struct blm *m)
{
	int next;

	if (m->f.cks && m->f.cks != bl_checksum(m->f.payload, m->f.len)) {
		send_fail(m, BL_E_CMD_CRC);
		next = -1;
	} else if (m->f.cmd == BL_GET_BOOT_INFO) {
		cmd_loader_boot_info(m);
		next = -1;
	} else {
		next = flash_command(m);
	}
	if (next < 0 && m->failures >= MAX_FAILURES) {
		iotflash_sim_log(m->sim, "bl60x: loader: third failure, back to handshake");
		return S_LDR_HS;
	}
	return next < 0 ? S_LDR_CMD : next;
}

static int loader_loop(struct blm *m)
{
	unsigned idle = 0;

	for (;;) {
		int r = read_frame(m, false, BL_LDR_PAYLOAD_MAX);
		if (r < 0)
			return r;
		if (r == RX_IDLE) {
			if (++idle >= 2)
				return S_LDR_HS;
			continue;
		}
		idle = 0;
		if (r != RX_FRAME)
			continue;  /* dropped, as the loader drops a bad frame */
		/* One frame at a time: what came behind it is lost (§4.1). */
		iotflash_sim_discard_input(m->sim);
		int next = loader_step(m);
		if (next != S_LDR_CMD)
			return next;
	}
}

/* ---- ROM ---- */

static void reset_upload(struct blm *m)
{
	m->header_loaded = m->seg_open = m->image_checked = m->entry_set = false;
	m->seg_count = m->seg_done = m->seg_left = 0;
}

static void rom_boot_info(struct blm *m)
{
	uint8_t out[24];

	bl_put_le32(out, m->rom_version);
	memcpy(out + 4, m->info, m->info_len);
	send_data(m, out, 4 + m->info_len);
}

static void rom_boot_header(struct blm *m)
{
	size_t want = m->variant == V_BL616 ? BL616_BOOT_HEADER_LEN : BL_BOOT_HEADER_LEN;

	if (m->f.len != want) {
		send_fail(m, BL_E_BOOTHEADER_LEN);
		return;
	}
	if (memcmp(m->f.payload, "BFNP", 4) != 0) {
		send_fail(m, BL_E_BOOTHEADER_MAGIC);
		return;
	}
	reset_upload(m);
	m->header_loaded = true;
	m->seg_count = bl_le32(m->f.payload + (m->variant == V_BL616 ? 132 : BL_SEGCNT_OFF));
	send_ok(m);
}

static void rom_seg_header(struct blm *m)
{
	uint32_t dest;

	if (!m->header_loaded) {
		send_fail(m, BL_E_BOOTHEADER_NOT_LOAD);
		return;
	}
	if (m->f.len != BL_SEG_HEADER_LEN || !bl_seg_header_valid(m->f.payload)) {
		send_fail(m, BL_E_SECTIONHEADER_CRC);
		return;
	}
	dest = bl_le32(m->f.payload);
	if ((dest & RAM_REGION_MASK) != BL_LOADER_ADDR) {
		send_fail(m, BL_E_SECTIONHEADER_DST);
		return;
	}
	m->seg_left = bl_le32(m->f.payload + 4);
	m->seg_open = m->seg_left > 0;
	send_data(m, m->f.payload, BL_SEG_HEADER_LEN);
}

static void rom_seg_data(struct blm *m)
{
	if (!m->seg_open || m->f.len == 0 || m->f.len > m->seg_left) {
		send_fail(m, BL_E_SECTIONDATA_TLEN);
		return;
	}
	m->seg_left -= m->f.len;
	if (m->seg_left == 0) {
		m->seg_open = false;
		m->seg_done++;
	}
	send_ok(m);
}

static void rom_check_image(struct blm *m)
{
	m->image_checked = m->header_loaded && !m->seg_open && m->seg_count > 0 && m->seg_done == m->seg_count;
	if (m->image_checked)
		send_ok(m);
	else
		send_fail(m, BL_E_SECTIONDATA_LEN);
}

/* Start the loader: input is ignored while it comes up (§7.5.8). */
static int start_loader(struct blm *m)
{
	iotflash_sim_wait(m->sim, LOADER_START_MS);
	iotflash_sim_discard_input(m->sim);
	iotflash_sim_log(m->sim, "bl60x: eflash_loader running");
	return S_LDR_HS;
}

/* 0x50 pairs; on BL702 the CPU reset with the loader entry set starts the
 * loader with no reply (§3.5). */
static int rom_write_mem(struct blm *m)
{
	if (m->f.len % 8) {
		send_fail(m, BL_E_MEM_WRITE_LEN);
		return S_ROM_CMD;
	}
	for (uint16_t i = 0; i < m->f.len; i += 8) {
		uint32_t addr = bl_le32(m->f.payload + i), value = bl_le32(m->f.payload + i + 4);
		if (addr == HBN_RSV1)
			m->entry_set = value == BL_LOADER_ADDR;
		if (m->variant == V_BL702 && addr == SYS_RESET_REG && value == SYS_RESET_CPU) {
			if (m->entry_set && m->image_checked)
				return start_loader(m);
			iotflash_sim_log(m->sim, "bl60x: CPU reset without a checked image");
			return S_ROM_HS;
		}
	}
	send_ok(m);
	return S_ROM_CMD;
}

static int rom_run_image(struct blm *m)
{
	if (!m->image_checked) {
		send_fail(m, BL_E_SECTIONDATA_LEN);  /* [inferred] */
		return S_ROM_CMD;
	}
	send_ok(m);
	return start_loader(m);
}

/* BL616: clk_set answers at the old rate, then switches (§3.6). */
static int rom_clk_set(struct blm *m)
{
	if (m->f.len < 8) {
		send_fail(m, BL_E_CMD_LEN);
		return S_ROM_CMD;
	}
	send_ok(m);
	iotflash_sim_set_baud(m->sim, bl_le32(m->f.payload + 4));
	return S_ROM_CMD;
}

static int bl616_step(struct blm *m)
{
	int next;

	switch (m->f.cmd) {
	case BL_SET_TIMEOUT:
		if (m->f.len == 4)
			send_ok(m);
		else
			send_fail(m, BL_E_CMD_LEN);
		return S_ROM_CMD;
	case BL_CLK_SET:
		return rom_clk_set(m);
	default:
		break;
	}
	if (m->f.cks && m->f.cks != bl_checksum(m->f.payload, m->f.len)) {
		send_fail(m, BL_E_CMD_CRC);
		return S_ROM_CMD;
	}
	next = flash_command(m);
	if (next == -2)
		send_fail(m, 0x0101);  /* [inferred] ROM: unknown command */
	return next < 0 ? S_ROM_CMD : next;
}

static int rom_step(struct blm *m)
{
	switch (m->f.cmd) {
	case BL_GET_BOOT_INFO: rom_boot_info(m); return S_ROM_CMD;
	case BL_LOAD_BOOT_HEADER: rom_boot_header(m); return S_ROM_CMD;
	case BL_LOAD_SEG_HEADER: rom_seg_header(m); return S_ROM_CMD;
	case BL_LOAD_SEG_DATA: rom_seg_data(m); return S_ROM_CMD;
	case BL_CHECK_IMAGE: rom_check_image(m); return S_ROM_CMD;
	case BL_WRITE_MEM: return rom_write_mem(m);
	case BL_RESET: send_ok(m); return S_ROM_HS;
	default: break;
	}
	if (m->variant == V_BL616)
		return bl616_step(m);
	if (m->f.cmd == BL_RUN_IMAGE)
		return rom_run_image(m);
	send_fail(m, 0x0101);  /* [inferred] */
	return S_ROM_CMD;
}

static int rom_loop(struct blm *m)
{
	for (;;) {
		int r = read_frame(m, true, BL_ROM_PAYLOAD_MAX);
		if (r < 0)
			return r;
		if (r == RX_IDLE)
			return S_ROM_HS;
		if (r == RX_TOO_LONG)
			send_fail(m, BL_E_CMD_LEN);
		if (r != RX_FRAME)
			continue;
		int next = rom_step(m);
		if (next != S_ROM_CMD)
			return next;
	}
}

/* Application running: nothing answers until a reset. */
static int firmware(struct blm *m)
{
	uint8_t buf[256];

	for (;;) {
		int n = iotflash_sim_read(m->sim, buf, sizeof buf, -1);
		if (n < 0)
			return n;
	}
}

static int run_state(struct blm *m, int state)
{
	int rc;

	switch (state) {
	case S_ROM_HS:
		reset_upload(m);
		rc = rom_handshake(m);
		return rc < 0 ? rc : S_ROM_CMD;
	case S_ROM_CMD:
		return rom_loop(m);
	case S_LDR_HS:
		rc = loader_handshake(m);
		return rc < 0 ? rc : S_LDR_CMD;
	case S_LDR_CMD:
		return loader_loop(m);
	default:
		return firmware(m);
	}
}

static int power_on(struct blm *m)
{
	int state = S_ROM_HS;

	iotflash_sim_set_baud(m->sim, m->chip->link_baud ? m->chip->link_baud : 500000);
	m->sticky = 0;
	m->failures = 0;
	while (state >= 0)
		state = run_state(m, state);
	return state;
}

/* ---- personality from the chip database ---- */

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool parse_hex(const char *s, uint8_t *out, size_t max, size_t *n)
{
	size_t len = strlen(s);

	if (len % 2 || len / 2 > max)
		return false;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hex_nibble(s[2 * i]), lo = hex_nibble(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*n = len / 2;
	return true;
}

static int configure(struct blm *m)
{
	const struct iotflash_chip *chip = m->chip;
	const char *proto = chip->protocol ? chip->protocol : "";
	const char *info = iotflash_chip_param_str(chip, "model_boot_info");

	if (strcmp(proto, "bl602") == 0)
		m->variant = V_BL602;
	else if (strcmp(proto, "bl702") == 0)
		m->variant = V_BL702;
	else if (strcmp(proto, "bl616") == 0)
		m->variant = V_BL616;
	else {
		iotflash_sim_log(m->sim, "bl60x: %s: protocol '%s' is not bl602, bl702 or bl616", chip->name, proto);
		return IOTFLASH_ERR_CHIPDB;
	}
	m->info_len = m->variant == V_BL702 ? 20 : 16;
	if (info && !parse_hex(info, m->info, m->info_len, &m->info_len)) {
		iotflash_sim_log(m->sim, "bl60x: %s: model_boot_info is not hex of at most %zu bytes", chip->name,
		                 m->info_len);
		return IOTFLASH_ERR_CHIPDB;
	}
	m->rom_version = (uint32_t)iotflash_chip_param_int_or(chip, "boot_rom_version", BL_VERSION_BL602);
	m->jedec = (uint32_t)iotflash_chip_param_int_or(chip, "model_flash_id", 0x1540EF);
	m->chip_erase_ms = (unsigned)iotflash_chip_param_int_or(chip, "model_chip_erase_ms", 8000);
	m->flash = iotflash_sim_flash(m->sim, &m->flash_size);
	if (!m->flash || m->flash_size < 65536) {
		iotflash_sim_log(m->sim, "bl60x: flash missing or smaller than 64 KiB");
		return IOTFLASH_ERR_INTERNAL;
	}
	return IOTFLASH_OK;
}

static int bl_serve(struct iotflash_sim *sim, const struct iotflash_chip *chip)
{
	struct blm *m = calloc(1, sizeof *m);
	int r;

	if (!m)
		return IOTFLASH_ERR_NOMEM;
	m->sim = sim;
	m->chip = chip;
	r = configure(m);
	if (r)
		goto out;
	do {
		r = power_on(m);
		if (r == IOTFLASH_SIM_RESET)
			iotflash_sim_log(sim, "bl60x: reset");
	} while (r == IOTFLASH_SIM_RESET);
	r = 0;
out:
	free(m);
	return r;
}

const struct iotflash_model_ops bl60x_model = {
	.family = "bl60x",
	.description = "Bouffalo Lab BootROM ISP + eflash_loader (BL602, BL702), BL616 ROM",
	.serve = bl_serve,
};
