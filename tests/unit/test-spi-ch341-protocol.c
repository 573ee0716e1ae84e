/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* CH341A USB-SPI: packet encoding (bit reversal, splitting, CS pluck, pin
 * packets) against docs/protocols/spi-ch341.md §1, SPI NOR frames and the
 * unprotect plan (§3), the flash model's command semantics (§6.3), and the
 * device model end to end at the packet level, including the Beken
 * SPI-mode handshake (§5.3, §6.4). */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/spi-ch341/ch341.h"
#include "../../plugins/spi-ch341/spinor.h"
#include "../../plugins/spi-ch341/shim/device.h"
#include "../../plugins/spi-ch341/shim/nor-model.h"
#include "../../plugins/spi-ch341/shim/usb-faults.h"

#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })
#define MIB (1024u * 1024u)

static void expect_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
	ck_assert_uint_eq(got_len, want_len);
	for (size_t i = 0; i < want_len; i++)
		ck_assert_msg(got[i] == want[i], "byte %zu: got %02X, want %02X", i, got[i], want[i]);
}

/* ---- packet encoding (§1) ---- */

START_TEST(test_rev_table)
{
	/* §1.6: every pair of the reversed-opcode table, both ways. */
	static const uint8_t pairs[][2] = {
		{ 0x9F, 0xF9 }, { 0x05, 0xA0 }, { 0x35, 0xAC }, { 0x15, 0xA8 }, { 0x06, 0x60 }, { 0x04, 0x20 },
		{ 0x01, 0x80 }, { 0x31, 0x8C }, { 0x03, 0xC0 }, { 0x0B, 0xD0 }, { 0x02, 0x40 }, { 0x20, 0x04 },
		{ 0x52, 0x4A }, { 0xD8, 0x1B }, { 0x60, 0x06 }, { 0xC7, 0xE3 }, { 0xD2, 0x4B }, { 0x90, 0x09 },
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		ck_assert_uint_eq(ch341_rev(pairs[i][0]), pairs[i][1]);
		ck_assert_uint_eq(ch341_rev(pairs[i][1]), pairs[i][0]);
	}
	ck_assert_uint_eq(ch341_rev(0x00), 0x00);
	ck_assert_uint_eq(ch341_rev(0xFF), 0xFF);
	for (unsigned b = 0; b < 256; b++)
		ck_assert_uint_eq(ch341_rev(ch341_rev((uint8_t)b)), b);
}
END_TEST

START_TEST(test_jedec_frame)
{
	/* §1.7 example: OUT (37 bytes) AB B7 B7 B7 B6 20 00x26 | A8 F9 FF FF FF */
	uint8_t out[64], want[37] = { 0xAB, 0xB7, 0xB7, 0xB7, 0xB6, 0x20 };
	const uint8_t tx[4] = { 0x9F, 0xFF, 0xFF, 0xFF };

	memcpy(want + 32, (const uint8_t[]){ 0xA8, 0xF9, 0xFF, 0xFF, 0xFF }, 5);
	ck_assert_uint_eq(ch341_frame_len(4, true), 37);
	expect_bytes(out, ch341_encode_frame(out, CH341_PINS_IDLE, tx, 4, true), want, sizeof(want));
}
END_TEST

START_TEST(test_read_frame_split)
{
	/* §1.7: READ frames of 4 + 4096 bytes make an OUT of 4265 bytes;
	 * every 32-byte chunk starts with A8, all full but the last. */
	size_t n = 4 + 4096, len;
	uint8_t *tx = malloc(n), *out = malloc(ch341_frame_len(n, true));

	memset(tx, 0xFF, n);
	memcpy(tx, (const uint8_t[]){ 0x03, 0x12, 0x34, 0x56 }, 4);
	len = ch341_encode_frame(out, CH341_PINS_IDLE, tx, n, true);
	ck_assert_uint_eq(len, 4265);
	ck_assert_uint_eq(ch341_spi_packets(n), 133);
	for (size_t off = 32; off < len; off += 32)
		ck_assert_uint_eq(out[off], 0xA8);
	expect_bytes(out + 33, 4, BYTES(0xC0, 0x48, 0x2C, 0x6A));  /* rev(03 12 34 56) */
	ck_assert_uint_eq(ch341_packet_payload(n, 0), 31);
	ck_assert_uint_eq(ch341_packet_payload(n, 131), 31);
	ck_assert_uint_eq(ch341_packet_payload(n, 132), 8);
	ck_assert_uint_eq(ch341_packet_payload(n, 133), 0);
	ck_assert_uint_eq(ch341_frame_len(31, false), 32);
	ck_assert_uint_eq(ch341_frame_len(32, false), 34);
	free(tx);
	free(out);
}
END_TEST

START_TEST(test_pin_packets)
{
	uint8_t p[4];
	/* §1.4 ready-made packets */
	expect_bytes(p, ch341_encode_pins(p, CH341_PINS_IDLE, CH341_DIR_SPI), BYTES(0xAB, 0xB7, 0x7F, 0x20));
	expect_bytes(p, ch341_encode_pins(p, CH341_PINS_IDLE, 0), BYTES(0xAB, 0xB7, 0x40, 0x20));
	expect_bytes(p, ch341_encode_pins(p, 0x33, CH341_DIR_SPI), BYTES(0xAB, 0xB3, 0x7F, 0x20));  /* CEN low */
	expect_bytes(p, ch341_encode_stream_config(p), BYTES(0xAA, 0x61, 0x00));
}
END_TEST

START_TEST(test_pluck_keeps_cen)
{
	/* The pluck must not raise CEN (D2) while it is held low (§1.4). */
	uint8_t out[32];
	ch341_encode_frame(out, 0x33, NULL, 0, true);
	expect_bytes(out, 6, BYTES(0xAB, 0xB3, 0xB3, 0xB3, 0xB2, 0x20));
}
END_TEST

/* ---- SPI NOR (§3) ---- */

START_TEST(test_nor_frames)
{
	uint8_t f[4];
	expect_bytes(f, nor_encode_addr_cmd(f, NOR_READ, 0x123456), BYTES(0x03, 0x12, 0x34, 0x56));
	expect_bytes(f, nor_encode_addr_cmd(f, NOR_SE4K, 0x1F000), BYTES(0x20, 0x01, 0xF0, 0x00));
	ck_assert_uint_eq(nor_erase_op(4096), 0x20);
	ck_assert_uint_eq(nor_erase_op(65536), 0xD8);
	ck_assert_uint_eq(nor_erase_op(32768), 0);
	ck_assert_uint_eq(nor_page_chunk(0x1F0, 100), 16);  /* PP stops at the page end */
	ck_assert_uint_eq(nor_page_chunk(0x100, 300), 256);
	ck_assert_uint_eq(nor_page_chunk(0x100, 10), 10);
}
END_TEST

START_TEST(test_jedec_decode)
{
	ck_assert_uint_eq(nor_jedec((const uint8_t[]){ 0xEF, 0x40, 0x16 }), 0x1640EF);
	ck_assert(nor_jedec_absent(0xFFFFFF));
	ck_assert(nor_jedec_absent(0));
	ck_assert(!nor_jedec_absent(0x15701C));
	ck_assert_uint_eq(nor_size_from_jedec(0x1640EF), 4 * MIB);
	ck_assert_uint_eq(nor_size_from_jedec(0x1840EF), 16 * MIB);
	ck_assert_uint_eq(nor_size_from_jedec(0x3025C2), 0);  /* MX25U 0x3x: not 2^C (§3.5) */
}
END_TEST

START_TEST(test_unprotect_plan)
{
	const struct iotflash_flash_part winbond = { .name = "W25Q32", .sr_count = 2, .sr_mask = 0x407C };
	const struct iotflash_flash_part eon = { .name = "EN25QH16B", .sr_count = 1, .sr_mask = 0x003C };
	struct nor_sr_plan p;

	/* BK7231N dump: SR1 1C (BP0-2), SR2 02 (QE kept). */
	nor_plan_sr(&winbond, 0x021C, 0, &p);
	ck_assert(p.needed);
	ck_assert_uint_eq(p.target, 0x0200);
	expect_bytes(p.wrsr, p.wrsr_len, BYTES(0x01, 0x00, 0x02));
	/* CMP alone protects everything: it must be cleared too. */
	nor_plan_sr(&winbond, 0x4000, 0, &p);
	ck_assert(p.needed);
	expect_bytes(p.wrsr, p.wrsr_len, BYTES(0x01, 0x00, 0x00));
	/* Eon: QE lives in SR1 bit 6 and must survive; WIP/WEL never written. */
	nor_plan_sr(&eon, 0x5F, 0, &p);
	ck_assert(p.needed);
	expect_bytes(p.wrsr, p.wrsr_len, BYTES(0x01, 0x40));
	nor_plan_sr(&winbond, 0x0203, 0, &p);
	ck_assert(!p.needed);
	/* Restoring: back to BP = 0b111. */
	nor_plan_sr(&winbond, 0x0200, 0x1C, &p);
	expect_bytes(p.wrsr, p.wrsr_len, BYTES(0x01, 0x1C, 0x02));
}
END_TEST

/* ---- the flash model (§6.3) ---- */

static uint8_t mem[64 * 1024];
static struct nor_model m;
static uint64_t clock_us;

static void model_setup(enum nor_sr_style style, uint32_t sr, bool timing)
{
	struct nor_model_cfg cfg = { .jedec = 0x1640EF, .size = sizeof(mem), .style = style, .sr = sr,
	                             .min_busy_polls = 1, .timing = timing };
	memset(mem, 0xFF, sizeof(mem));
	nor_model_init(&m, &cfg, mem);
	clock_us = 1000;
}

/* One CS frame: tx out, the reply in rx (may be NULL). */
static void frame(const uint8_t *tx, size_t n, uint8_t *rx)
{
	nor_model_select(&m, clock_us);
	for (size_t i = 0; i < n; i++) {
		uint8_t r = nor_model_byte(&m, tx[i], clock_us);
		if (rx)
			rx[i] = r;
	}
	nor_model_deselect(&m, clock_us);
}

#define FRAME(...) frame(BYTES(__VA_ARGS__), NULL)

static uint8_t rdsr1(void)
{
	uint8_t rx[2];
	frame(BYTES(0x05, 0xFF), rx);
	return rx[1];
}

START_TEST(test_model_id_and_status)
{
	uint8_t rx[8];
	model_setup(NOR_STYLE_WINBOND, 0x0200, false);
	frame(BYTES(0x9F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), rx);
	expect_bytes(rx, 7, BYTES(0xFF, 0xEF, 0x40, 0x16, 0xEF, 0x40, 0x16));  /* repeats (SIM-F2) */
	frame(BYTES(0x90, 0, 0, 0, 0xFF, 0xFF), rx);
	expect_bytes(rx + 4, 2, BYTES(0xEF, 0x15));   /* REMS: MID then device id */
	frame(BYTES(0x90, 0, 0, 1, 0xFF, 0xFF), rx);
	expect_bytes(rx + 4, 2, BYTES(0x15, 0xEF));   /* A0 = 1: device id first */
	frame(BYTES(0x35, 0xFF), rx);
	ck_assert_uint_eq(rx[1], 0x02);
}
END_TEST

START_TEST(test_model_program_needs_wel_and_ands)
{
	uint8_t rx[6];
	model_setup(NOR_STYLE_WINBOND, 0, false);
	FRAME(0x02, 0x00, 0x10, 0x00, 0x12);           /* no WREN: ignored */
	ck_assert_uint_eq(mem[0x1000], 0xFF);
	FRAME(0x06);
	ck_assert_uint_eq(rdsr1() & 0x02, 0x02);
	FRAME(0x02, 0x00, 0x10, 0x00, 0x0F, 0xF0);
	ck_assert_uint_eq(rdsr1() & 0x01, 0x01);        /* busy for at least one poll */
	ck_assert_uint_eq(rdsr1() & 0x03, 0x00);        /* done: WIP and WEL clear */
	FRAME(0x06);
	FRAME(0x02, 0x00, 0x10, 0x00, 0xF1, 0x3F);      /* program without erase: old AND new */
	while (rdsr1() & 1)
		;
	frame(BYTES(0x03, 0x00, 0x10, 0x00, 0xFF, 0xFF), rx);
	expect_bytes(rx + 4, 2, BYTES(0x01, 0x30));
	FRAME(0x06);
	FRAME(0x02, 0x00, 0x10, 0xFF, 0xA1, 0xA2);      /* wraps within the page */
	while (rdsr1() & 1)
		;
	ck_assert_uint_eq(mem[0x10FF], 0xA1);
	ck_assert_uint_eq(mem[0x1000], 0x01 & 0xA2);
}
END_TEST

START_TEST(test_model_erase_busy_and_lost_wren)
{
	model_setup(NOR_STYLE_WINBOND, 0, true);
	memset(mem, 0, sizeof(mem));
	FRAME(0x06);
	FRAME(0x20, 0x00, 0x23, 0x45);                   /* 4 KiB at 0x2000 */
	ck_assert_uint_eq(mem[0x2000], 0xFF);
	ck_assert_uint_eq(mem[0x2FFF], 0xFF);
	ck_assert_uint_eq(mem[0x1FFF], 0x00);
	ck_assert_uint_eq(mem[0x3000], 0x00);
	FRAME(0x06);                                     /* WREN while busy: lost (§5.6) */
	ck_assert_uint_eq(rdsr1(), 0x03);                /* WIP, and WEL of the erase */
	clock_us += NOR_T_SE_US;
	ck_assert_uint_eq(rdsr1(), 0x00);
	FRAME(0x02, 0x00, 0x20, 0x00, 0x00);             /* the lost WREN: PP refused */
	ck_assert_uint_eq(mem[0x2000], 0xFF);
}
END_TEST

START_TEST(test_model_protection)
{
	model_setup(NOR_STYLE_WINBOND, 0x001C, false);
	ck_assert(nor_model_protected(&m));
	FRAME(0x06);
	FRAME(0x20, 0x00, 0x00, 0x00);
	ck_assert_uint_eq(rdsr1() & 0x03, 0x00);         /* refused: no busy, WEL cleared */
	memset(mem, 0, 16);
	FRAME(0x06);
	FRAME(0xC7);
	ck_assert_uint_eq(mem[0], 0x00);
	/* CMP = 1 with BP = 0 protects everything too. */
	model_setup(NOR_STYLE_WINBOND, 0x4000, false);
	ck_assert(nor_model_protected(&m));
	FRAME(0x06);
	FRAME(0x01, 0x00, 0x00);
	while (rdsr1() & 1)
		;
	ck_assert(!nor_model_protected(&m));
	/* SRP0 with WP# low locks the registers. */
	struct nor_model_cfg cfg = m.cfg;
	cfg.sr = 0x9C;
	cfg.wp_low = true;
	nor_model_init(&m, &cfg, mem);
	FRAME(0x06);
	FRAME(0x01, 0x00, 0x00);
	ck_assert_uint_eq(rdsr1(), 0x9C);
}
END_TEST

/* ---- the device model at the packet level (§6.2, §6.4) ---- */

static struct ch341_dev dev;

static void dev_setup(bool beken)
{
	struct nor_model_cfg cfg = { .jedec = 0x15701C, .size = sizeof(mem), .style = NOR_STYLE_EON,
	                             .min_busy_polls = 1 };
	memset(mem, 0x5A, sizeof(mem));
	ch341_dev_init(&dev, &cfg, mem, beken, -1);
}

static void dev_send(const uint8_t *p, size_t n, uint64_t now)
{
	ch341_dev_out(&dev, p, n, now);
}

/* A CS frame the way the transport sends it; returns the un-reversed reply. */
static void dev_frame(const uint8_t *tx, size_t n, uint8_t *rx, uint8_t pins, uint64_t now)
{
	uint8_t out[512];
	size_t len = ch341_encode_frame(out, pins, tx, n, true), got = 0;
	const struct in_packet *p;

	dev_send(out, len, now);
	while ((p = ch341_dev_peek(&dev))) {
		for (unsigned i = 0; i < p->len && got < n; i++)
			rx[got++] = ch341_rev(p->data[i]);
		ch341_dev_pop(&dev);
	}
	ck_assert_uint_eq(got, n);
	/* End the frame (CS high), as the next pluck would. */
	uint8_t high[4];
	dev_send(high, ch341_encode_pins(high, pins, CH341_DIR_SPI), now);
}

START_TEST(test_device_pins_disabled_reads_ff)
{
	uint8_t rx[4];
	dev_setup(false);
	/* No AB ... 7F: SCK and DOUT are not driven, every byte reads FF (§6.5). */
	uint8_t out[64];
	size_t len = ch341_encode_frame(out, CH341_PINS_IDLE, BYTES(0x9F, 0xFF, 0xFF, 0xFF), true);
	dev_send(out, len, 0);
	const struct in_packet *p = ch341_dev_peek(&dev);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->len, 4);
	for (int i = 0; i < 4; i++)
		rx[i] = p->data[i];
	expect_bytes(rx, 4, BYTES(0xFF, 0xFF, 0xFF, 0xFF));
	ch341_dev_fini(&dev);
}
END_TEST

START_TEST(test_device_jedec_through_packets)
{
	uint8_t rx[4], en[4];
	dev_setup(false);
	dev_send(en, ch341_encode_pins(en, CH341_PINS_IDLE, CH341_DIR_SPI), 0);
	dev_frame(BYTES(0x9F, 0xFF, 0xFF, 0xFF), rx, CH341_PINS_IDLE, 0);
	expect_bytes(rx, 4, BYTES(0xFF, 0x1C, 0x70, 0x15));
	ch341_dev_fini(&dev);
}
END_TEST

START_TEST(test_device_beken_handshake)
{
	uint8_t rx[250], tx[250], en[4];
	const uint8_t cen_low = CH341_PINS_IDLE & ~(1u << CH341_PIN_CEN);

	dev_setup(true);
	dev_send(en, ch341_encode_pins(en, CH341_PINS_IDLE, CH341_DIR_SPI), 0);
	/* Running firmware: nothing passes through. */
	dev_frame(BYTES(0x9F, 0xFF, 0xFF, 0xFF), rx, CH341_PINS_IDLE, 0);
	expect_bytes(rx, 4, BYTES(0xFF, 0xFF, 0xFF, 0xFF));
	/* CEN pulse, then 250 x D2: 00 until the 16th D2, then one D2 marker, then 00. */
	dev_send(en, ch341_encode_pins(en, cen_low, CH341_DIR_SPI), 1000);
	dev_send(en, ch341_encode_pins(en, CH341_PINS_IDLE, CH341_DIR_SPI), 101000);
	memset(tx, 0xD2, sizeof(tx));
	dev_frame(tx, sizeof(tx), rx, CH341_PINS_IDLE, 102000);
	for (int i = 0; i < 250; i++)
		ck_assert_msg(rx[i] == (i == BEKEN_K_D2 ? 0xD2 : 0x00), "byte %d: %02X", i, rx[i]);
	/* The GUI's check: 9F answers D2 00 00 00, and the next frame passes. */
	dev_frame(BYTES(0x9F, 0, 0, 0), rx, CH341_PINS_IDLE, 103000);
	expect_bytes(rx, 4, BYTES(0xD2, 0x00, 0x00, 0x00));
	dev_frame(BYTES(0x9F, 0xFF, 0xFF, 0xFF), rx, CH341_PINS_IDLE, 104000);
	expect_bytes(rx, 4, BYTES(0xFF, 0x1C, 0x70, 0x15));
	/* A host that forgets the reversal sends 4B, never D2: no SPI mode. */
	dev_send(en, ch341_encode_pins(en, cen_low, CH341_DIR_SPI), 200000);
	dev_send(en, ch341_encode_pins(en, CH341_PINS_IDLE, CH341_DIR_SPI), 300000);
	memset(tx, 0x4B, sizeof(tx));
	dev_frame(tx, sizeof(tx), rx, CH341_PINS_IDLE, 301000);
	ck_assert_uint_eq(rx[BEKEN_K_D2], 0x00);
	/* The listen window closes: the firmware runs, MISO FF. */
	dev_frame(BYTES(0x9F, 0xFF, 0xFF, 0xFF), rx, CH341_PINS_IDLE, 301000 + BEKEN_T_LISTEN_US + 1);
	expect_bytes(rx, 4, BYTES(0xFF, 0xFF, 0xFF, 0xFF));
	ch341_dev_fini(&dev);
}
END_TEST

/* ---- fault SPEC ---- */

START_TEST(test_usb_faults)
{
	struct usb_faults f;
	char err[128];
	ck_assert(usb_faults_parse("access,unplug=40,pid=7523,sr=1c,no-chip", &f, err, sizeof(err)));
	ck_assert(f.access);
	ck_assert_uint_eq(f.unplug_after, 40);
	ck_assert_uint_eq(f.pid, 0x7523);
	ck_assert_uint_eq(f.sr, 0x1C);
	ck_assert_int_eq(f.miso, 0xFF);
	ck_assert(usb_faults_parse(NULL, &f, err, sizeof(err)));
	ck_assert_uint_eq(f.devices, 1);
	ck_assert_uint_eq(f.pid, 0x5512);
	ck_assert(!usb_faults_parse("unplug", &f, err, sizeof(err)));
	ck_assert(strstr(err, "=N") != NULL);
	ck_assert(!usb_faults_parse("devices=3", &f, err, sizeof(err)));
	ck_assert(!usb_faults_parse("drop=1e-4", &f, err, sizeof(err)));
	ck_assert(strstr(err, "drop") != NULL);
}
END_TEST

static Suite *ch341_suite(void)
{
	Suite *s = suite_create("spi-ch341");
	TCase *tc = tcase_create("protocol");

	tcase_add_test(tc, test_rev_table);
	tcase_add_test(tc, test_jedec_frame);
	tcase_add_test(tc, test_read_frame_split);
	tcase_add_test(tc, test_pin_packets);
	tcase_add_test(tc, test_pluck_keeps_cen);
	tcase_add_test(tc, test_nor_frames);
	tcase_add_test(tc, test_jedec_decode);
	tcase_add_test(tc, test_unprotect_plan);
	tcase_add_test(tc, test_model_id_and_status);
	tcase_add_test(tc, test_model_program_needs_wel_and_ands);
	tcase_add_test(tc, test_model_erase_busy_and_lost_wren);
	tcase_add_test(tc, test_model_protection);
	tcase_add_test(tc, test_device_pins_disabled_reads_ff);
	tcase_add_test(tc, test_device_jedec_through_packets);
	tcase_add_test(tc, test_device_beken_handshake);
	tcase_add_test(tc, test_usb_faults);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ch341_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
