/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The state of one session, which every layer of the engine reads: what was
 * asked for, the driver and transport in use, what the device reported and
 * how the link stands.  Data only; the layers that act on it are, from the
 * bottom: drv.h (every call into the driver), session.h (connect, identify,
 * prove the rate, step down, connect again), link.h (driver calls that
 * connect again when the chip goes away) and engine.h (the operations).
 * See docs/architecture.md. */
#ifndef IOTFLASH_STATE_H
#define IOTFLASH_STATE_H

#include <signal.h>
#include "internal.h"

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
	const struct iotflash_kv_ops *kv;  /* the loader's key-value store, set by open() */
	const struct iotflash_chip *requested;  /* --chip, NULL for a family */
	const char *family;
	const struct iotflash_chip *chip;       /* what the engine plans with */
	struct iotflash_chip_info info;
	uint32_t flash_size;
	uint32_t baud;         /* the port's rate now */
	uint32_t target_baud;  /* the rate open() is asked for; lowered by step-downs */
	uint32_t asked_baud;   /* --baud, 0: the chip database's ceilings per operation */
	uint32_t rate_limit;   /* the rate a step-down fell to (0: none): no operation asks for more */
	bool mismatch;         /* the device contradicts --chip */
	char mismatch_msg[256];
	bool force;
	bool sum_overridden;   /* the driver's iotflash_dev_set_checksum() */
	enum iotflash_checksum sum_kind;
	bool read_checked;     /* the driver's iotflash_dev_set_read_checked() */
	char *loader_path;
	uint8_t *loader;
	size_t loader_len;
	const struct iotflash_chip *loader_chip;  /* whose loader is cached */
	struct role_loader {                      /* iotflash_dev_loader_role()'s cache */
		const struct iotflash_loader *l;
		uint8_t *data;
		size_t len;
	} role_loaders[4];
	uint64_t rx_bytes;    /* received while the driver gets the bus */
	bool answered;        /* ... and the bootloader answered (iotflash_dev_answered) */
	char *port;
	bool connecting;      /* inside bring-up: no reconnects */
	unsigned fail_streak; /* link failures in a row */
	unsigned reconnects;
	bool lost;            /* a reconnect failed: lost_msg says why */
	char lost_msg[ERRLEN];
	volatile sig_atomic_t cancelled;
	/* first contact (backup.c) */
	bool identified;
	struct iotflash_identity identity;
	bool full_backup_done;  /* the whole chip is in the backup directory */
	char full_backup_path[512];
};

#endif
