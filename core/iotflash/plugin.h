/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Everything a plugin needs: the descriptor it exports, the chip-driver and
 * transport vtables, and the services libiotflash offers to drivers.
 *
 * A plugin is a libltdl module that exports one symbol, IOTFLASH_PLUGIN_SYMBOL,
 * pointing to a const struct iotflash_plugin.  The loader checks abi_major and
 * struct_size before it calls any plugin code.  Fields are only ever appended
 * (minor bump); anything else bumps the major. */
#ifndef IOTFLASH_PLUGIN_H
#define IOTFLASH_PLUGIN_H

#include <iotflash/common.h>
#include <iotflash/chip.h>
#include <iotflash/version.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 2.0: device models call the simulator host through the services table of
 * <iotflash/model.h> (struct iotflash_sim), no longer through symbols of
 * libiotflash, which does not host models any more.  A 1.x plugin's model
 * would miss those symbols, and a 2.x model would crash in a 1.x host.
 * 2.0 keeps what 1.x added: iotflash_dev_answered() (1.1) and
 * iotflash_dev_loader_info() (1.2).
 * 2.1: raw DEFLATE for drivers (iotflash_deflate_raw() and friends).
 * 2.2: iotflash_dev_set_read_checked(): a driver whose read replies carry
 * their own check tells the core, which then reads each block once
 * instead of proving it by a second read or a checksum per block; and
 * iotflash_dev_set_kv() (a key-value store the chip's loader keeps; the
 * driver vtable itself stays fixed); iotflash_io_set_parity() (a ROM at
 * 8E1: GD32VW553's ISP ROM).  A 2.2 driver in a 2.1 host would miss these
 * symbols, hence the bump.
 * 2.3: iotflash_dev_loader_role() and struct iotflash_loader's `role`
 * (appended): a chip whose upload takes several files (OPL1000A2's two
 * stages) asks for each by role; 2.2 plugins never call it.  The A5 stub
 * family's CRC command also learned crc32-sum4k (a sum of per-4 KiB CRCs). */
#define IOTFLASH_PLUGIN_ABI_MAJOR 2
#define IOTFLASH_PLUGIN_ABI_MINOR 3
#define IOTFLASH_PLUGIN_SYMBOL "iotflash_plugin"

struct iotflash_dev;        /* a driver's view of its session (opaque) */
struct iotflash_model_ops;  /* see iotflash/model.h */

/* What detect() learns from the device. */
struct iotflash_chip_info {
	const struct iotflash_chip *chip;  /* exact chip from the database, or NULL */
	char chip_name[32];        /* as reported, if not in the database */
	char loader_version[48];   /* bootloader / ROM version string */
	uint32_t chip_id;          /* raw id register value, 0 if none */
	uint32_t flash_id;         /* JEDEC: manufacturer | type << 8 | capacity << 16 */
	uint32_t flash_size;
	const struct iotflash_flash_part *flash;  /* database entry for flash_id, or NULL */
	char extra[128];           /* anything else worth printing (e.g. eFuse key) */
};

/* Chip-driver vtable.  A driver speaks its protocol and nothing else:
 * block planning, retries, verification, skipping and backups are the core's.
 * Every op returns IOTFLASH_OK or a negative enum iotflash_err, and describes
 * failures with iotflash_fail(). */
struct iotflash_driver {
	const char *name;          /* matched against a chip's `driver:` */
	const char *description;
	/* Get the bus, switch once to iotflash_dev_target_baud(), allocate
	 * state.  The port is open.  A rate the chip or the port does not take
	 * is reported as IOTFLASH_ERR_BAUD (state freed, the chip left where
	 * the next open() finds it): stepping down is the core's, never the
	 * driver's (docs/plugins.md section 6). */
	int (*open)(struct iotflash_dev *dev, void **priv);
	/* Leave the chip as the user expects (restore protection, reboot). */
	void (*close)(void *priv);
	/* Identify chip and flash.  info->chip is preset to the chip the user
	 * named (NULL for a family); the driver sets what the device reports. */
	int (*detect)(void *priv, struct iotflash_chip_info *info);
	/* addr and len are multiples of the chip's read_block. */
	int (*read)(void *priv, uint32_t addr, uint8_t *buf, uint32_t len);
	/* addr and len are multiples of write_block; the range is erased. */
	int (*write)(void *priv, uint32_t addr, const uint8_t *buf, uint32_t len);
	/* len is one of the chip's erase_units, addr aligned to it. */
	int (*erase)(void *priv, uint32_t addr, uint32_t len);
	/* Device-side checksum of [addr, addr+len) in the chip's `checksum`
	 * algorithm; NULL when the chip has none (the core reads back). */
	int (*verify)(void *priv, uint32_t addr, uint32_t len, uint8_t sum[IOTFLASH_SUM_MAX]);
};

/* Transport vtable: a byte stream (UART) or a SPI master (USB-SPI bridge). */
enum iotflash_transport_kind {
	IOTFLASH_TRANSPORT_STREAM,
	IOTFLASH_TRANSPORT_SPI,
};

struct iotflash_transport {
	const char *name;          /* "serial", "ch341a" */
	const char *description;
	enum iotflash_transport_kind kind;
	/* Does this transport own the port spec (e.g. "ch341a", "usb:1:5")? */
	bool (*claims)(const char *port);
	/* On failure return an error code and write one line to err. */
	int (*open)(const char *port, void **priv, char *err, size_t errlen);
	void (*close)(void *priv);
	/* STREAM: */
	int (*write)(void *priv, const uint8_t *buf, size_t len);
	/* Wait up to timeout_ms (in the kernel) for len bytes; returns the count read. */
	int (*read)(void *priv, uint8_t *buf, size_t len, unsigned timeout_ms);
	int (*set_baud)(void *priv, uint32_t baud);
	int (*drain)(void *priv);           /* block until output has left */
	int (*flush_input)(void *priv);
	int (*set_lines)(void *priv, int dtr, int rts);  /* -1 leaves a line; ENOTTY-safe */
	/* SPI: */
	int (*spi_cs)(void *priv, bool asserted);
	int (*spi_xfer)(void *priv, const uint8_t *tx, uint8_t *rx, size_t len);
	int (*set_pin)(void *priv, unsigned pin, bool high);
	/* List ports this transport can see: one "path\tdescription" per call of emit. */
	int (*list)(void (*emit)(void *user, const char *port, const char *desc), void *user);
	/* STREAM, optional: 'N' (8N1, the default) or 'E' (8E1, parity checked). */
	int (*set_parity)(void *priv, char parity);
};

struct iotflash_plugin {
	uint16_t abi_major;
	uint16_t abi_minor;
	uint32_t struct_size;      /* sizeof(struct iotflash_plugin) the plugin was built with */
	const char *name;
	const char *description;
	const char *version;
	const struct iotflash_driver *const *drivers;        /* NULL-terminated, may be NULL */
	const struct iotflash_transport *const *transports;  /* NULL-terminated, may be NULL */
	const struct iotflash_model_ops *const *models;      /* NULL-terminated, may be NULL */
};

#define IOTFLASH_PLUGIN_DEFINE(NAME, DESC, DRIVERS, TRANSPORTS, MODELS)          \
	IOTFLASH_PLUGIN_EXPORT const struct iotflash_plugin iotflash_plugin = {    \
		IOTFLASH_PLUGIN_ABI_MAJOR, IOTFLASH_PLUGIN_ABI_MINOR,                 \
		sizeof(struct iotflash_plugin), NAME, DESC, IOTFLASH_VERSION_STRING,  \
		DRIVERS, TRANSPORTS, MODELS }

#if defined(__GNUC__)
#define IOTFLASH_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define IOTFLASH_PLUGIN_EXPORT
#endif

/* ---- Services libiotflash offers drivers (all take the session's dev). ---- */

/* The session's port. */
IOTFLASH_API int iotflash_io_write(struct iotflash_dev *dev, const void *buf, size_t len);
/* Read up to len bytes, waiting at most timeout_ms; returns the count (>= 0,
 * short on timeout) or a negative error. */
IOTFLASH_API int iotflash_io_read(struct iotflash_dev *dev, void *buf, size_t len, unsigned timeout_ms);
IOTFLASH_API int iotflash_io_set_baud(struct iotflash_dev *dev, uint32_t baud);
IOTFLASH_API uint32_t iotflash_io_baud(struct iotflash_dev *dev);
/* Line format: 'N' = 8N1 (every port starts so), 'E' = 8E1 with parity
 * checked on input.  IOTFLASH_ERR_UNSUPPORTED where the transport has none. */
IOTFLASH_API int iotflash_io_set_parity(struct iotflash_dev *dev, char parity);
IOTFLASH_API int iotflash_io_drain(struct iotflash_dev *dev);
IOTFLASH_API int iotflash_io_flush_input(struct iotflash_dev *dev);
IOTFLASH_API int iotflash_io_set_lines(struct iotflash_dev *dev, int dtr, int rts);
/* Milliseconds n bytes take on the wire at the current rate (10 bits each), rounded up. */
IOTFLASH_API unsigned iotflash_io_wire_ms(struct iotflash_dev *dev, size_t n);
/* The SPI side of the port, for drivers on a SPI transport. */
IOTFLASH_API int iotflash_spi_cs(struct iotflash_dev *dev, bool asserted);
IOTFLASH_API int iotflash_spi_xfer(struct iotflash_dev *dev, const uint8_t *tx, uint8_t *rx, size_t len);
IOTFLASH_API int iotflash_spi_set_pin(struct iotflash_dev *dev, unsigned pin, bool high);

/* What the user asked for. */
IOTFLASH_API const struct iotflash_chip *iotflash_dev_chip(struct iotflash_dev *dev); /* NULL: family */
IOTFLASH_API const char *iotflash_dev_family(struct iotflash_dev *dev);
/* --baud or the chip's max_baud, lowered by the core's step-downs. */
IOTFLASH_API uint32_t iotflash_dev_target_baud(struct iotflash_dev *dev);
/* A RAM loader of the chip (chip->loaders): --loader FILE (gunzipped if
 * compressed; a file of unknown SHA-256 is used with a warning), else the
 * first of the chip's loaders whose SHA-256 a file in the loader
 * directories has, whatever its name (gzipped or not).  Fails with
 * IOTFLASH_ERR_LOADER_MISSING and a message naming the file needed and
 * where to put it: the engine does not retry that. */
IOTFLASH_API int iotflash_dev_loader(struct iotflash_dev *dev, const uint8_t **data, size_t *len);
/* The same for a given chip: for drivers that identify the chip (e.g. from
 * its boot ROM) before they upload its loader. */
IOTFLASH_API int iotflash_dev_chip_loader(struct iotflash_dev *dev, const struct iotflash_chip *chip,
                                          const uint8_t **data, size_t *len);
/* ABI 2.3: the chip's loader of the given role (chipdb `role:`), found by
 * SHA-256 in the loader directories like the above (--loader is not used:
 * it names one file).  The data stays valid for the session.  Fails with
 * IOTFLASH_ERR_LOADER_MISSING and a message naming that role's file. */
IOTFLASH_API int iotflash_dev_loader_role(struct iotflash_dev *dev, const char *role, const uint8_t **data,
                                          size_t *len);
/* ABI 1.2: the database record of the loader the last call above returned
 * (its name and caps, see iotflash_loader_can()), or NULL when none was
 * fetched or --loader gave a file the database does not know: a driver then
 * uses only what every loader of the chip can do. */
IOTFLASH_API const struct iotflash_loader *iotflash_dev_loader_info(struct iotflash_dev *dev);
IOTFLASH_API bool iotflash_dev_cancelled(struct iotflash_dev *dev);
/* The bootloader answered in its own protocol while open() got the bus: a
 * failure after that is not blamed on another talker on the UART. */
IOTFLASH_API void iotflash_dev_answered(struct iotflash_dev *dev);
/* The checksum this session's verify() computes, when it is not the chip
 * database's: e.g. the loader the device runs has none, and
 * IOTFLASH_SUM_NONE makes the core read back instead of calling verify(). */
IOTFLASH_API void iotflash_dev_set_checksum(struct iotflash_dev *dev, enum iotflash_checksum kind);
/* A key-value store the loader keeps outside any flash range this tool can
 * address (the Realtek A5 stubs' 0x93/0x94, where OpenBeken keeps its
 * configuration).  A driver that has one registers it from open(); both
 * calls get the driver's priv.  get: the value of key into buf (cap bytes),
 * *len its length; IOTFLASH_ERR_UNSUPPORTED when the key is missing.
 * Plugin ABI 2.2. */
struct iotflash_kv_ops {
	int (*get)(void *priv, const char *key, uint8_t *buf, size_t cap, size_t *len);
	int (*set)(void *priv, const char *key, const uint8_t *buf, size_t len);
};
IOTFLASH_API void iotflash_dev_set_kv(struct iotflash_dev *dev, const struct iotflash_kv_ops *ops);
/* ABI 2.2: every read() of this session checks what it returns on the way
 * (a CRC in each reply, a transfer that fails rather than return bad
 * data), so the core takes one read of a block as proved: no second read,
 * no device checksum per block beyond finding blank ones.  Call it from
 * open() (or detect(), once the loader is known); false undoes it. */
IOTFLASH_API void iotflash_dev_set_read_checked(struct iotflash_dev *dev, bool checked);

/* The chip database. */
IOTFLASH_API const struct iotflash_chip *iotflash_db_chip(struct iotflash_dev *dev, const char *name);
/* i-th chip of a family (0-based), NULL past the end. */
IOTFLASH_API const struct iotflash_chip *iotflash_db_family_chip(struct iotflash_dev *dev, const char *family, unsigned i);
IOTFLASH_API const struct iotflash_flash_part *iotflash_db_flash(struct iotflash_dev *dev, uint32_t jedec);

/* Messages.  Plugins never print: they log (domain = plugin), tell the user
 * something they must act on (notice), or describe the failure they return. */
IOTFLASH_API void iotflash_log(struct iotflash_dev *dev, enum iotflash_log_level level, const char *fmt, ...) IOTFLASH_PRINTF(3, 4);
IOTFLASH_API void iotflash_log_wire(struct iotflash_dev *dev, bool to_device, const uint8_t *buf, size_t len);
IOTFLASH_API void iotflash_notice(struct iotflash_dev *dev, const char *fmt, ...) IOTFLASH_PRINTF(2, 3);
/* Record a one-line failure description; returns err for `return iotflash_fail(...)`. */
IOTFLASH_API int iotflash_fail(struct iotflash_dev *dev, int err, const char *fmt, ...) IOTFLASH_PRINTF(3, 4);

/* Raw DEFLATE (RFC 1951, no header), for loaders that compress transfers.
 * deflate: *out is malloc()ed (free() it).  inflate: IOTFLASH_ERR_RANGE
 * when out is too small, IOTFLASH_ERR_PROTOCOL on bad or truncated data;
 * *produced counts what was written either way.  compress_worth: does
 * sending `compressed` bytes instead of `plain` save enough wire time at
 * the session's rate to pay for the chip's work? */
IOTFLASH_API int iotflash_deflate_raw(const uint8_t *in, size_t len, int level, uint8_t **out, size_t *out_len);
IOTFLASH_API int iotflash_inflate_raw(const uint8_t *in, size_t len, uint8_t *out, size_t out_len, size_t *produced);
IOTFLASH_API bool iotflash_compress_worth(struct iotflash_dev *dev, size_t plain, size_t compressed);

/* Monotonic milliseconds, and a sleep that returns early on cancellation. */
IOTFLASH_API uint64_t iotflash_now_ms(void);
IOTFLASH_API void iotflash_sleep_ms(struct iotflash_dev *dev, unsigned ms);

#ifdef __cplusplus
}
#endif
#endif
