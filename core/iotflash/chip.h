/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The chip database as plugins and front ends see it: read-only records
 * loaded from chipdb/ YAML files.  Everything family-specific that is data
 * lives here, not in C. */
#ifndef IOTFLASH_CHIP_H
#define IOTFLASH_CHIP_H

#include <iotflash/common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct iotflash_region {
	const char *name;
	uint32_t start;
	uint32_t size;
	bool hard;  /* protected even with --force (the chip's only loader lives there) */
};

/* A family-specific value from a chip's `params:` map.  Lists hold integers
 * or strings, never both. */
enum iotflash_param_type {
	IOTFLASH_PARAM_INT,
	IOTFLASH_PARAM_STR,
	IOTFLASH_PARAM_BOOL,
	IOTFLASH_PARAM_INT_LIST,
	IOTFLASH_PARAM_STR_LIST,
};

struct iotflash_param {
	const char *key;
	enum iotflash_param_type type;
	int64_t i;                /* INT, BOOL */
	const char *s;            /* STR */
	const int64_t *ints;      /* INT_LIST */
	const char *const *strs;  /* STR_LIST */
	unsigned n;               /* list length */
};

#define IOTFLASH_MAX_ERASE_UNITS 4

/* A RAM loader (vendor or community) a chip accepts, recognised by the
 * SHA-256 of the bytes the chip receives (after gunzip), whatever the file
 * is called.  What it can do is the loader's, not the chip's. */
struct iotflash_loader {
	const char *name;           /* "eflash_loader_40m": what messages call it */
	const char *file;           /* name of the file as published */
	const char *sha256;         /* lowercase hex */
	uint32_t size;              /* bytes after gunzip, 0 if not recorded */
	const char *const *caps;    /* what it can do: "xmodem-read", "compressed-read", "crc32", ... */
	unsigned n_caps;
	const char *const *from;    /* where to get it: public repositories and paths, for people */
	unsigned n_from;
	const char *source;         /* "file:line" the entry came from */
	/* ABI 2.3: what the driver uploads it as when a chip needs several
	 * files ("stage1", "stage2"; chipdb `role:`), NULL for the one loader
	 * of most chips; see iotflash_dev_loader_role(). */
	const char *role;
};

/* What a chip needs its loader for (meaningful when it has loaders). */
enum iotflash_loader_use {
	IOTFLASH_LOADER_REQUIRED = 0,  /* the ROM does nothing useful without it */
	IOTFLASH_LOADER_FOR_READS,     /* the ROM writes and erases; reads need the loader */
	IOTFLASH_LOADER_OPTIONAL,      /* the ROM does everything; a loader adds capabilities */
};

struct iotflash_chip {
	const char *name;         /* "bk7231n" */
	const char *family;       /* "bk72xx" */
	const char *description;  /* "Beken BK7231N" */
	const char *plugin;       /* shared object that serves it: "bk72xx" */
	const char *driver;       /* chip driver inside that plugin */
	const char *protocol;     /* family-specific variant, e.g. "full", "legacy" */
	uint32_t link_baud;       /* rate the loader starts at */
	uint32_t max_baud;        /* highest rate known to work */
	uint32_t flash_size;      /* default when it cannot be detected */
	uint32_t app_offset;      /* default application offset */
	uint32_t read_block;      /* reads are aligned multiples of this */
	uint32_t write_block;     /* writes are aligned multiples of this */
	uint32_t erase_units[IOTFLASH_MAX_ERASE_UNITS]; /* ascending, erase_units[0] smallest */
	unsigned n_erase_units;
	enum iotflash_checksum checksum;
	uint32_t checksum_align;  /* checksum ranges: start and length multiples of this */
	const struct iotflash_region *protected_regions;
	unsigned n_protected;
	const struct iotflash_region *layout;
	unsigned n_layout;
	const char *loader_file;    /* vendor RAM loader the user must supply, or NULL */
	const char *loader_sha256;  /* lowercase hex */
	const struct iotflash_param *params;
	unsigned n_params;
	const char *source;         /* "file:line" the entry came from, for messages */
	/* Appended with plugin ABI 1.2.  loader_file/loader_sha256 above name
	 * the first of these. */
	const struct iotflash_loader *const *loaders;  /* accepted loaders, preferred first */
	unsigned n_loaders;
	enum iotflash_loader_use loader_use;
	/* Appended with plugin ABI 2.2: the highest rate known to work for
	 * reads and for writes, where they differ from max_baud (0: max_baud). */
	uint32_t max_baud_read;
	uint32_t max_baud_write;
};

/* A SPI NOR flash part from the database's `flash:` tables. */
struct iotflash_flash_part {
	uint32_t jedec;           /* manufacturer | type << 8 | capacity << 16 */
	const char *name;
	uint32_t size;
	unsigned sr_count;        /* status registers (0..3) */
	uint8_t sr_read_ops[3];   /* SPI opcodes that read SR1..SR3 */
	uint32_t sr_mask;         /* protection bits in SR1 | SR2 << 8 | SR3 << 16 */
	uint32_t sr_protect;      /* value of the masked bits when protected */
	uint32_t sr_unprotect;    /* value of the masked bits when writable */
};

IOTFLASH_API const struct iotflash_param *
iotflash_chip_param(const struct iotflash_chip *chip, const char *key);
/* Convenience getters: return false (and leave *out) when absent or of another type. */
IOTFLASH_API bool iotflash_chip_param_int(const struct iotflash_chip *chip, const char *key, int64_t *out);
IOTFLASH_API bool iotflash_chip_param_bool(const struct iotflash_chip *chip, const char *key, bool *out);
IOTFLASH_API const char *iotflash_chip_param_str(const struct iotflash_chip *chip, const char *key);
/* An integer param, or the first of an integer list; dflt when absent. */
IOTFLASH_API int64_t iotflash_chip_param_int_or(const struct iotflash_chip *chip, const char *key, int64_t dflt);
/* Does an integer (or integer-list) param hold v? */
IOTFLASH_API bool iotflash_chip_param_has(const struct iotflash_chip *chip, const char *key, int64_t v);
/* Does the loader list capability cap (NULL loader: false)? */
IOTFLASH_API bool iotflash_loader_can(const struct iotflash_loader *loader, const char *cap);
IOTFLASH_API const struct iotflash_region *
iotflash_chip_layout(const struct iotflash_chip *chip, const char *name);

#ifdef __cplusplus
}
#endif
#endif
