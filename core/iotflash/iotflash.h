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
IOTFLASH_API int iotflash_ctx_new(struct iotflash_ctx **out);
IOTFLASH_API void iotflash_ctx_free(struct iotflash_ctx *ctx);
/* The last failure's one-line description (never NULL). */
IOTFLASH_API const char *iotflash_ctx_error(const struct iotflash_ctx *ctx);

typedef void (*iotflash_log_fn)(void *user, enum iotflash_log_level level,
                                const char *domain, const char *msg);
/* Messages a person must act on ("reset the chip now") arrive as notices. */
typedef void (*iotflash_notice_fn)(void *user, const char *msg);
IOTFLASH_API void iotflash_ctx_set_log(struct iotflash_ctx *ctx, enum iotflash_log_level max,
                                       iotflash_log_fn fn, iotflash_notice_fn notice, void *user);

/* Extra chip database file or directory, searched after the defaults
 * ($(datadir)/iotflash/chipdb, IOTFLASH_CHIPDB_PATH). */
IOTFLASH_API int iotflash_ctx_add_chipdb(struct iotflash_ctx *ctx, const char *path);
/* Loads the database now (it loads lazily otherwise). */
IOTFLASH_API int iotflash_ctx_load_chipdb(struct iotflash_ctx *ctx);
IOTFLASH_API const struct iotflash_chip *iotflash_ctx_chip(struct iotflash_ctx *ctx, unsigned i);
IOTFLASH_API const struct iotflash_chip *iotflash_ctx_find_chip(struct iotflash_ctx *ctx, const char *name);
IOTFLASH_API bool iotflash_ctx_is_family(struct iotflash_ctx *ctx, const char *name);

struct iotflash_plugin_desc {
	const char *name, *description, *version, *path;
	unsigned abi_major, abi_minor;
	const char *drivers;     /* space-separated names */
	const char *transports;
	const char *models;
};
/* Load every plugin on the search path (for listing); i-th, NULL past the end. */
IOTFLASH_API int iotflash_ctx_load_all_plugins(struct iotflash_ctx *ctx);
IOTFLASH_API const struct iotflash_plugin_desc *iotflash_ctx_plugin(struct iotflash_ctx *ctx, unsigned i);
/* List ports: serial (libserialport, with USB VID:PID) and plugin transports. */
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

IOTFLASH_API int iotflash_session_open(struct iotflash_ctx *ctx, const struct iotflash_open_opts *opts,
                                       struct iotflash_session **out);
IOTFLASH_API void iotflash_session_close(struct iotflash_session *s);
IOTFLASH_API const struct iotflash_chip_info *iotflash_session_info(struct iotflash_session *s);
IOTFLASH_API const struct iotflash_chip *iotflash_session_chip(struct iotflash_session *s);
IOTFLASH_API uint32_t iotflash_session_flash_size(struct iotflash_session *s);
IOTFLASH_API uint32_t iotflash_session_baud(struct iotflash_session *s);
/* Async-signal-safe: the running operation stops at the next block. */
IOTFLASH_API void iotflash_session_cancel(struct iotflash_session *s);

/* ---- operations ---- */
struct iotflash_progress {
	const char *phase;      /* "read", "erase", "write", "verify", "backup", "check" */
	uint64_t done, total;   /* bytes of the phase */
	uint64_t skipped;       /* of done, bytes not moved (blank or unchanged) */
	uint32_t addr;          /* current address */
};
typedef void (*iotflash_progress_fn)(void *user, const struct iotflash_progress *p);

struct iotflash_op_opts {
	iotflash_progress_fn progress;
	void *user;
	bool no_skip;           /* move every byte: no blank/unchanged skipping */
	bool no_backup;         /* writes/erases: do not back up first */
	const char *backup_dir; /* default "backups" */
	bool force;
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

IOTFLASH_API int iotflash_read_to_file(struct iotflash_session *s, uint32_t addr, uint32_t len,
                                       const char *path, const struct iotflash_op_opts *o,
                                       struct iotflash_result *r);
IOTFLASH_API int iotflash_read_to_mem(struct iotflash_session *s, uint32_t addr, uint32_t len,
                                      uint8_t *buf, const struct iotflash_op_opts *o,
                                      struct iotflash_result *r);
IOTFLASH_API int iotflash_write(struct iotflash_session *s, uint32_t addr, const uint8_t *data,
                                uint32_t len, const struct iotflash_op_opts *o,
                                struct iotflash_result *r);
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

#ifdef __cplusplus
}
#endif
#endif
