/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The session and the operation engine: every policy (block planning,
 * retries, verification, skipping, backups) lives here, once, for every
 * family. */
#ifndef IOTFLASH_ENGINE_H
#define IOTFLASH_ENGINE_H

#include <signal.h>
#include "internal.h"

/* Bounded retries: a block is read/written again this many times before
 * the operation fails naming its address. */
#define READ_ATTEMPTS 8
#define WRITE_ATTEMPTS 4
/* Verified reads and writes work in units of this size (a device checksum
 * each); a failing unit is split into read blocks to retry only what failed. */
#define VERIFY_UNIT (64 * 1024)
/* Test transfers that prove a link rate before any real work. */
#define LINK_PROOF_TRIES 4
/* A chip that stops answering is connected again after this many link
 * failures in a row, at most RECONNECTS times per session (engine-link.c). */
#define RECONNECT_AFTER 4
#define RECONNECTS 4
/* Connects tried when the chip goes quiet while the session gets the bus. */
#define CONNECT_TRIES 3
/* This much unexplained data while no bootloader answers is another talker. */
#define NOISE_BYTES 64

struct iotflash_dev {
	struct iotflash_session *s;
};

struct iotflash_session {
	struct iotflash_ctx *ctx;
	struct iotflash_dev dev;
	const struct iotflash_transport *tr;
	void *tr_priv;
	const struct iotflash_driver *drv;
	void *drv_priv;
	const struct iotflash_chip *requested;  /* --chip, NULL for a family */
	const char *family;
	const struct iotflash_chip *chip;       /* what the engine plans with */
	struct iotflash_chip_info info;
	uint32_t flash_size;
	uint32_t baud;
	uint32_t target_baud;
	bool mismatch;         /* the device contradicts --chip */
	char mismatch_msg[256];
	bool force;
	bool sum_overridden;   /* the driver's iotflash_dev_set_checksum() */
	enum iotflash_checksum sum_kind;
	char *loader_path;
	uint8_t *loader;
	size_t loader_len;
	const struct iotflash_chip *loader_chip;  /* whose loader is cached */
	uint64_t rx_bytes;    /* received while the driver gets the bus */
	bool answered;        /* ... and the bootloader answered (iotflash_dev_answered) */
	char *port;
	bool connecting;      /* inside connect(): no reconnects */
	unsigned fail_streak; /* link failures in a row */
	unsigned reconnects;
	bool lost;            /* a reconnect failed: lost_msg says why */
	char lost_msg[ERRLEN];
	volatile sig_atomic_t cancelled;
};

/* session.c: close the driver and connect again as the session began;
 * fails if the device that answers is not the one identified before. */
int session_reconnect(struct iotflash_session *s);
/* engine-link.c: the driver's ops, connecting again when the chip stops
 * answering (see RECONNECT_AFTER). */
int engine_drv_read(struct iotflash_session *s, uint32_t addr, uint8_t *buf, uint32_t len);
int engine_drv_write(struct iotflash_session *s, uint32_t addr, const uint8_t *buf, uint32_t len);
int engine_drv_erase(struct iotflash_session *s, uint32_t addr, uint32_t len);
int engine_device_sum(struct iotflash_session *s, uint32_t addr, uint32_t len, uint8_t *sum);
/* Errors that may mean the chip is not (or no longer) in the session. */
bool engine_link_error(int rc);
/* engine.c: shared helpers */
int engine_check_range(struct iotflash_session *s, uint32_t addr, uint32_t len);
int engine_check_protected(struct iotflash_session *s, uint32_t addr, uint32_t len, bool force);
size_t engine_host_sum(struct iotflash_session *s, const uint8_t *data, uint32_t len, uint8_t *sum);
bool engine_has_sum(struct iotflash_session *s);
/* The device checksum in use: the chip database's unless the driver said otherwise. */
enum iotflash_checksum engine_sum_kind(struct iotflash_session *s);
/* Does the flash hold exactly data over [addr, addr+len)?  By checksum, or by
 * reading back when the chip has none (counted in r->moved when r is set). */
int engine_unit_matches(struct iotflash_session *s, uint32_t addr, uint32_t len, const uint8_t *data,
                        bool *match, struct iotflash_result *r);
bool is_blank(const uint8_t *p, size_t n);
void engine_result_init(struct iotflash_result *r, uint32_t len);
void engine_progress(const struct iotflash_op_opts *o, const char *phase, uint64_t done,
                     uint64_t total, uint64_t skipped, uint32_t addr);
/* engine-read.c: a verified read of [addr, addr+len) into buf (any alignment). */
int engine_read(struct iotflash_session *s, uint32_t addr, uint32_t len, uint8_t *buf,
                const struct iotflash_op_opts *o, struct iotflash_result *r, const char *phase);
/* backup.c: keep data, the current content of [addr, addr+len), as a backup
 * file with its JSON record before the flash is changed. */
int backup_save(struct iotflash_session *s, uint32_t addr, uint32_t len, const uint8_t *data,
                const struct iotflash_op_opts *o, struct iotflash_result *r);
int backup_write_record(struct iotflash_session *s, const char *bin_path, uint32_t addr,
                        const uint8_t *data, uint32_t len);

#endif
