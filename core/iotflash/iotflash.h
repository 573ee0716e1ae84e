/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* libiotflash front-end API: what the iotflash CLI, scripts and GUIs use.
 * The library never exits or prints: failures come back as enum iotflash_err
 * values with a one-line description from iotflash_ctx_error(). */
#ifndef IOTFLASH_IOTFLASH_H
#define IOTFLASH_IOTFLASH_H

#include <iotflash/common.h>
#include <iotflash/chip.h>
#include <iotflash/version.h>

#ifdef __cplusplus
extern "C" {
#endif

struct iotflash_ctx;      /* plugin and database search paths, logging */
struct iotflash_session;  /* one port, one chip */
struct iotflash_chip_info;

/* ---- context ---- */
/* A new context: nothing is loaded until first use; warnings and errors are
 * logged nowhere until iotflash_ctx_set_log().  IOTFLASH_ERR_NOMEM on failure. */
IOTFLASH_API int iotflash_ctx_new(struct iotflash_ctx **out);
/* Frees the context, its database and plugins (NULL is fine); close its
 * sessions first. */
IOTFLASH_API void iotflash_ctx_free(struct iotflash_ctx *ctx);
/* The last failure's one-line description (never NULL). */
IOTFLASH_API const char *iotflash_ctx_error(const struct iotflash_ctx *ctx);

/* Log messages up to a level; domain names the part that speaks ("plugins",
 * "bk72xx"). */
typedef void (*iotflash_log_fn)(void *user, enum iotflash_log_level level,
                                const char *domain, const char *msg);
/* Messages a person must act on ("reset the chip now") arrive as notices. */
typedef void (*iotflash_notice_fn)(void *user, const char *msg);
/* Route messages up to level max to fn, and notices to notice (either may
 * be NULL: dropped); user is passed back to both. */
IOTFLASH_API void iotflash_ctx_set_log(struct iotflash_ctx *ctx, enum iotflash_log_level max,
                                       iotflash_log_fn fn, iotflash_notice_fn notice, void *user);

/* Extra chip database file or directory, searched after the defaults
 * ($(datadir)/iotflash/chipdb, IOTFLASH_CHIPDB_PATH). */
IOTFLASH_API int iotflash_ctx_add_chipdb(struct iotflash_ctx *ctx, const char *path);
/* Loads the database now (it loads lazily otherwise). */
IOTFLASH_API int iotflash_ctx_load_chipdb(struct iotflash_ctx *ctx);
/* The i-th chip of the database (loading it if needed), NULL past the end
 * or when the database does not load (iotflash_ctx_error() says why). */
IOTFLASH_API const struct iotflash_chip *iotflash_ctx_chip(struct iotflash_ctx *ctx, unsigned i);
/* A chip by name, case-insensitive; NULL when unknown (a family name is not a chip). */
IOTFLASH_API const struct iotflash_chip *iotflash_ctx_find_chip(struct iotflash_ctx *ctx, const char *name);
/* Whether name is a family of the database ("bk72xx"): sessions accept it
 * and detect the exact chip. */
IOTFLASH_API bool iotflash_ctx_is_family(struct iotflash_ctx *ctx, const char *name);

/* A loaded plugin as iotflash_ctx_plugin() describes it; strings are owned
 * by the context. */
struct iotflash_plugin_desc {
	const char *name, *description, *version, *path;
	unsigned abi_major, abi_minor;
	const char *drivers;     /* space-separated names */
	const char *transports;
	const char *models;
};
/* Load every plugin on the search path ($(pkglibdir)/plugins, then
 * IOTFLASH_PLUGIN_PATH) for listing; a file that fails is logged as a
 * warning, skipped, and kept for iotflash_ctx_plugin_failure(). */
IOTFLASH_API int iotflash_ctx_load_all_plugins(struct iotflash_ctx *ctx);
/* The i-th loaded plugin after iotflash_ctx_load_all_plugins(), NULL past the end. */
IOTFLASH_API const struct iotflash_plugin_desc *iotflash_ctx_plugin(struct iotflash_ctx *ctx, unsigned i);
/* List ports: serial (libserialport: USB VID:PID, maker and product, serial
 * number, and "[likely NAME]" for known USB-UART adapters) and plugin
 * transports; emit is called once per port. */
IOTFLASH_API int iotflash_ctx_list_ports(struct iotflash_ctx *ctx,
                                         void (*emit)(void *user, const char *port, const char *desc),
                                         void *user);

/* ---- sessions ---- */
struct iotflash_open_opts {
	const char *port;       /* /dev/ttyUSB0, a pty, "ch341a", "usb:BUS:ADDR" */
	const char *chip;       /* chip ("bk7231n") or family ("bk72xx") */
	uint32_t baud;          /* 0: the chip's max_baud from the database */
	const char *loader;     /* --loader FILE, or NULL to search the loader paths */
	bool force;             /* protected regions, identity mismatches */
};

/* Open the port, sync with the chip's bootloader, identify chip and flash and
 * switch to the working baud; the chip may ask for a reset through the notice
 * callback.  On failure *out is untouched and iotflash_ctx_error() says why. */
IOTFLASH_API int iotflash_session_open(struct iotflash_ctx *ctx, const struct iotflash_open_opts *opts,
                                       struct iotflash_session **out);
/* Leave the bootloader as the driver can, close the port and free (NULL is fine). */
IOTFLASH_API void iotflash_session_close(struct iotflash_session *s);
/* What detection found: chip and flash ids, bootloader version, details. */
IOTFLASH_API const struct iotflash_chip_info *iotflash_session_info(struct iotflash_session *s);
/* The exact chip of the session (resolved from a family at open). */
IOTFLASH_API const struct iotflash_chip *iotflash_session_chip(struct iotflash_session *s);
/* Flash size in bytes: as detected, else the database's. */
IOTFLASH_API uint32_t iotflash_session_flash_size(struct iotflash_session *s);
/* The baud rate the link runs at now. */
IOTFLASH_API uint32_t iotflash_session_baud(struct iotflash_session *s);
/* The key-value store of the chip's loader, where it has one (Realtek
 * RTL8721DA/RTL8720E stubs): IOTFLASH_ERR_UNSUPPORTED when the driver has
 * none or (kv_get) the key is missing. */
IOTFLASH_API int iotflash_kv_get(struct iotflash_session *s, const char *key, uint8_t *buf, size_t cap, size_t *len);
IOTFLASH_API int iotflash_kv_set(struct iotflash_session *s, const char *key, const uint8_t *buf, size_t len);
/* Async-signal-safe: the running operation stops at the next block. */
IOTFLASH_API void iotflash_session_cancel(struct iotflash_session *s);

/* ---- operations ---- */
struct iotflash_progress {
	const char *phase;      /* "read", "erase", "write", "verify", "backup", "check" */
	uint64_t done, total;   /* bytes of the phase */
	uint64_t skipped;       /* of done, bytes not moved (blank or unchanged) */
	uint32_t addr;          /* current address */
};
/* Called after each block of an operation, from the calling thread. */
typedef void (*iotflash_progress_fn)(void *user, const struct iotflash_progress *p);

struct iotflash_op_opts {
	iotflash_progress_fn progress;
	void *user;
	bool no_skip;           /* move every byte: no blank/unchanged skipping */
	bool no_backup;         /* writes/erases: do not back up first */
	const char *backup_dir; /* default "backups" */
	bool force;
	/* Writes/erases: the one non-hard protected region (by its chipdb name,
	 * e.g. "rf") this operation may change without force; the others stay
	 * protected.  NULL: none. */
	const char *unlock_region;
};

struct iotflash_result {
	uint64_t bytes;           /* bytes the operation covered */
	uint64_t moved;           /* bytes that crossed the wire */
	uint64_t skipped;         /* blank (read) or unchanged (write) bytes not moved */
	unsigned retries;         /* blocks retried */
	unsigned erased_units;
	double seconds;
	bool verified;            /* device-side checksum (or read-back) matched */
	bool unproven;            /* write-only chip: acknowledged, not verifiable */
	bool mismatch;            /* verify: a block differs */
	uint32_t mismatch_addr;   /* verify: first differing block */
	uint32_t mismatch_len;
	char backup_path[512];    /* backup written before a write/erase, or "" */
	char sha256[65];          /* of what was read/written */
};

/* Read len bytes at addr into path, written atomically with mode 0600 (a
 * backup holds secrets); r gets sizes, time and SHA-256.  o and r may be NULL. */
IOTFLASH_API int iotflash_read_to_file(struct iotflash_session *s, uint32_t addr, uint32_t len,
                                       const char *path, const struct iotflash_op_opts *o,
                                       struct iotflash_result *r);
/* Read len bytes at addr into buf (len bytes long).  o and r may be NULL. */
IOTFLASH_API int iotflash_read_to_mem(struct iotflash_session *s, uint32_t addr, uint32_t len,
                                      uint8_t *buf, const struct iotflash_op_opts *o,
                                      struct iotflash_result *r);
/* Write data at addr: backs up the old content first (unless o->no_backup),
 * erases what needs it, skips unchanged blocks, verifies.  Protected regions
 * need o->force.  o may be NULL. */
IOTFLASH_API int iotflash_write(struct iotflash_session *s, uint32_t addr, const uint8_t *data,
                                uint32_t len, const struct iotflash_op_opts *o,
                                struct iotflash_result *r);
/* Erase [addr, addr + len), rounded out to erase units, after a backup
 * (unless o->no_backup).  o may be NULL. */
IOTFLASH_API int iotflash_erase(struct iotflash_session *s, uint32_t addr, uint32_t len,
                                const struct iotflash_op_opts *o, struct iotflash_result *r);
/* The whole flash except protected regions (with force: except hard ones). */
IOTFLASH_API int iotflash_erase_chip(struct iotflash_session *s, const struct iotflash_op_opts *o,
                                     struct iotflash_result *r);
/* Device-side checksum compare; returns IOTFLASH_ERR_VERIFY with r->mismatch_addr on a difference. */
IOTFLASH_API int iotflash_verify(struct iotflash_session *s, uint32_t addr, const uint8_t *data,
                                 uint32_t len, const struct iotflash_op_opts *o,
                                 struct iotflash_result *r);

/* ---- helpers front ends share ---- */
/* Parse "0x11000", "4096", "4k", "2M": false on anything else or overflow. */
IOTFLASH_API bool iotflash_parse_u32(const char *s, uint32_t *out);
/* Write a file atomically (temp in the same directory, fsync, rename), given mode. */
IOTFLASH_API int iotflash_write_file_atomic(const char *path, const uint8_t *data, size_t len,
                                            unsigned mode, char *err, size_t errlen);
/* Read a whole file; gunzips gzip-compressed files when gunzip is set. */
IOTFLASH_API int iotflash_read_file(const char *path, bool gunzip, uint8_t **data, size_t *len,
                                    char *err, size_t errlen);

/* ---- appended in 0.x: discoverability ---- */
/* The i-th plugin file the last iotflash_ctx_load_all_plugins() could not
 * load: sets *path and *reason (owned by ctx, valid until the next load or
 * iotflash_ctx_free()); false past the end. */
IOTFLASH_API bool iotflash_ctx_plugin_failure(struct iotflash_ctx *ctx, unsigned i, const char **path,
                                             const char **reason);

/* ---- appended in 0.x: RAM loaders (chip->loaders) ---- */
/* The i-th directory searched for loaders, into buf: $XDG_DATA_HOME/iotflash/loaders,
 * ~/.local/share/iotflash/loaders, $(datadir)/iotflash/loaders; false past the end. */
IOTFLASH_API bool iotflash_loader_dir(unsigned i, char *buf, size_t len);
/* Is a file with the loader's SHA-256 (after gunzip) in those directories,
 * whatever its name?  Its path goes to path. */
IOTFLASH_API bool iotflash_loader_find(const struct iotflash_loader *loader, char *path, size_t len);

/* ---- appended in 0.x: hosts of a plugin's other parts (iotflash-sim) ---- */
struct iotflash_plugin;  /* <iotflash/plugin.h> */
/* Load the plugin NAME (its file stem, as a chip's `plugin:` names it) from
 * the search path, checked as for a session; *out stays valid until
 * iotflash_ctx_free().  Device models are found this way: libiotflash does
 * not host them (see iotflash-sim). */
IOTFLASH_API int iotflash_ctx_load_plugin(struct iotflash_ctx *ctx, const char *name,
                                          const struct iotflash_plugin **out);

/* ---- appended in 0.x: first-contact full backups (docs/backups.md) ---- */
/* What tells one device from another of its model. */
struct iotflash_identity {
	char mac[18];       /* "c8:47:8c:12:34:56"; "" when the device reports none */
	char id[48];        /* names the full backup: "c8478c123456", "chipid-…", or "" (content) */
	const char *basis;  /* "rf-mac" (Beken RF sector), "mac" (the ROM reports it), "chip-id"
	                     * (a unique eFuse id), "content" (nothing unique: the flash content) */
};
/* Identify the device of the session (reads the Beken RF sector once). */
IOTFLASH_API int iotflash_session_identify(struct iotflash_session *s, struct iotflash_identity *id);
/* Read the whole chip once into o->backup_dir/CHIP-ID-full.bin (mode 0600,
 * atomic, with CHIP-ID-full.json beside it) unless that backup is already
 * there; *taken (may be NULL) says whether it was read now.  r->backup_path
 * names the file either way.  Writes and erases call it first, unless
 * o->no_backup.  A device identified by "content" is read every time. */
IOTFLASH_API int iotflash_backup_full(struct iotflash_session *s, const struct iotflash_op_opts *o,
                                      struct iotflash_result *r, bool *taken);

#ifdef __cplusplus
}
#endif
#endif
