/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The rtl87xx chip driver: state and helpers shared by its three protocol
 * variants (amebaz.c, amebaz2.c, amebad.c).  driver.c holds the byte-stream
 * helpers, the XMODEM sender, the family probe and the vtable. */
#ifndef RTL87XX_DRIVER_H
#define RTL87XX_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include <iotflash/plugin.h>

#include "protocol.h"
#include "../common/a5stub.h"

#define RTL_FAMILY "rtl87xx"

enum rtl_proto { RTL_PROTO_UNKNOWN, RTL_PROTO_AMBZ, RTL_PROTO_AMBZ2, RTL_PROTO_AMBD };

#define LINK_TIMEOUT_MS 20000
#define LINK_NOTICE_MS 2000
#define REPLY_MARGIN_MS 300       /* USB latency, scheduling, one beacon slot */
#define XM_TRIES 10               /* sends of one XMODEM frame (the GUI's limit) */
#define XM_REPLY_MS 1500          /* > the receiver's 0.5 s char timeout + its NAK */

struct rtl {
	struct iotflash_dev *dev;
	enum rtl_proto proto;
	const struct iotflash_chip *chip;   /* named by the user, or found by the probe */
	uint32_t link_baud;                 /* the ROM's rate after reset */
	uint32_t baud;                      /* the chip's current rate */
	uint32_t target;
	uint32_t flash_map;                 /* flash address base of XMODEM frames / DB */
	const int64_t *rates;               /* ROM rate table (binary protocols) */
	unsigned n_rates;
	uint32_t flash_size;
	/* AmebaZ: status register 1 as found, for close() to restore */
	bool sr1_known, sr1_changed;
	uint8_t sr1;
	/* AmebaZ2 */
	unsigned pin_group;
	bool hash_base_known;
	uint32_t hash_base;
	/* AmebaZ2: the community XMODEM read stub (§7.6), uploaded at the first read */
	enum { Z2_STUB_UNTRIED, Z2_STUB_NONE, Z2_STUB_READY } stub;
	bool stub_z;                        /* the compressed twin */
	char stub_cmd[RTL_CMD_NAME_LEN];    /* the table entry that runs it */
	uint32_t dump_size;                 /* bytes per DW while the line stays clean */
	unsigned dump_clean;                /* clean dumps in a row */
	/* AmebaZ: the community RTL8710B stub ("A5" frames, §6) runs instead of the ROM */
	bool a5;
	struct a5_host a5h;
	/* AmebaD */
	bool loader_uploaded;
};

/* driver.c: byte stream */
int rtl_send(struct rtl *r, const void *buf, size_t len);
/* Read up to len bytes within timeout_ms; returns the count or an error. */
int rtl_recv(struct rtl *r, uint8_t *buf, size_t len, unsigned timeout_ms);
/* Wait up to timeout_ms for the first byte, then take what has arrived. */
int rtl_recv_some(struct rtl *r, uint8_t *buf, size_t cap, unsigned timeout_ms);
/* Exactly len bytes within timeout_ms (overall): OK or IOTFLASH_ERR_TIMEOUT. */
int rtl_recv_exact(struct rtl *r, uint8_t *buf, size_t len, unsigned timeout_ms);
/* Wait for byte want, dropping anything else (beacons, stray zeros). */
int rtl_wait_byte(struct rtl *r, uint8_t want, unsigned timeout_ms);
/* Read and drop input until quiet_ms of silence (at most max_ms); returns
 * whether a byte equal to look_for (-1: any) was among them. */
bool rtl_drain(struct rtl *r, unsigned quiet_ms, unsigned max_ms, int look_for);
int rtl_set_host_baud(struct rtl *r, uint32_t baud);
/* XMODEM sender (§1.4 / §7.4): frames of data from seq 1; with_addr puts
 * addr (+1024 per frame) in each frame.  Does not send EOT. */
int rtl_xm_send(struct rtl *r, bool with_addr, uint32_t addr, const uint8_t *data, uint32_t len,
                uint8_t pad, const char *what);
/* EOT until the receiver's ACK (best effort: false when none came). */
bool rtl_xm_end(struct rtl *r);
/* Read len bytes with a command that moves up to max_blocks sectors at once. */
int rtl_read_chunked(struct rtl *r, uint32_t addr, uint8_t *buf, uint32_t len, uint32_t max_blocks,
                     int (*cmd)(struct rtl *r, uint32_t addr, uint8_t *buf, uint16_t blocks));
/* Change to r->target with try_baud, once; IOTFLASH_ERR_BAUD when the chip does not take it. */
int rtl_switch_baud(struct rtl *r, int (*try_baud)(struct rtl *r, uint32_t baud));
/* The same after an XMODEM session; a rate no longer taken is IOTFLASH_ERR_NO_LINK. */
int rtl_resume_baud(struct rtl *r, int (*try_baud)(struct rtl *r, uint32_t baud));
int rtl_link_timeout(struct rtl *r, uint64_t start, bool *noticed);
int rtl_cancelled(struct rtl *r);
int64_t rtl_param(const struct rtl *r, const char *key, int64_t fallback);

/* Per-protocol operations. */
struct rtl_ops {
	int (*link)(struct rtl *r);       /* get the bus, switch to r->target */
	int (*detect)(struct rtl *r, struct iotflash_chip_info *info);
	int (*read)(struct rtl *r, uint32_t addr, uint8_t *buf, uint32_t len);
	int (*write)(struct rtl *r, uint32_t addr, const uint8_t *buf, uint32_t len);
	int (*erase)(struct rtl *r, uint32_t addr, uint32_t len);
	int (*verify)(struct rtl *r, uint32_t addr, uint32_t len, uint8_t *sum);  /* NULL: none */
	void (*close)(struct rtl *r);
};

extern const struct rtl_ops rtl_ambz_ops, rtl_ambz2_ops, rtl_ambd_ops;

#endif
