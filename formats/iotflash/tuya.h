/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Offline analysis of Beken BK7231T/N flash backups: the Tuya key-value
 * store (device template, pins, Wi-Fi state).  Pure functions over memory:
 * nothing here opens a port or a file.  Part of libiotflash-formats
 * (pkg-config iotflash-formats).  The Beken code encryption it relies on
 * is in iotflash/beken.h, included here for programs written before the
 * two were separate. */
#ifndef IOTFLASH_TUYA_H
#define IOTFLASH_TUYA_H

#include <iotflash/common.h>
#include <iotflash/beken.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Tuya configuration ---- */

struct iotflash_tuya_config;

/* One pin of the device template, with its OpenBeken mapping. */
struct iotflash_tuya_pin {
	unsigned pin;            /* Pn of the module */
	const char *key;         /* template key, e.g. "rl1_pin" */
	int level;               /* template active level: 1 high, 0 low, -1 not given */
	const char *function;    /* for people: "relay 1", "Wi-Fi status LED" */
	const char *obk_role;    /* OpenBeken role name ("Rel"), NULL if none */
	int obk_role_id;         /* OpenBeken role number, 0 if none */
	int obk_channel;         /* OpenBeken channel, -1 if the role takes none */
};

/* One key of the store. */
struct iotflash_tuya_kv {
	const char *name;
	const uint8_t *value;    /* reassembled value (NUL-terminated for convenience) */
	size_t len;
	bool checksum_ok;        /* the value matched its stored checksum */
	bool complete;           /* every part of the value was found */
	bool secret;             /* holds credentials: Wi-Fi, cloud keys */
	const char *source;      /* "store", "protected" (the N protected block) or "firmware" */
};

/* Find and decrypt the Tuya store in a flash dump (a full 2 MiB backup, a
 * rotated one, or just the 0x12000-byte store) and decode its template.
 * Returns IOTFLASH_OK with *out set when anything could be decoded; damage
 * that was worked around is listed by iotflash_tuya_warning() and makes
 * iotflash_tuya_complete() false.  On failure *out is NULL and err holds one
 * line saying why (blank dump, not a Tuya BK7231 dump, every block damaged). */
IOTFLASH_API int iotflash_tuya_extract(const uint8_t *dump, size_t len,
                                       struct iotflash_tuya_config **out,
                                       char *err, size_t errlen);
IOTFLASH_API void iotflash_tuya_free(struct iotflash_tuya_config *cfg);

/* "BK7231T", "BK7231N" or NULL; *basis (if given) says how it was told. */
IOTFLASH_API const char *iotflash_tuya_chip(const struct iotflash_tuya_config *cfg,
                                            const char **basis);
/* Byte offset of the key block in the dump. */
IOTFLASH_API size_t iotflash_tuya_store_offset(const struct iotflash_tuya_config *cfg);
/* Data sectors seen, of which damaged (failed their checksum). */
IOTFLASH_API void iotflash_tuya_sector_counts(const struct iotflash_tuya_config *cfg,
                                              unsigned *seen, unsigned *damaged);
IOTFLASH_API bool iotflash_tuya_complete(const struct iotflash_tuya_config *cfg);
IOTFLASH_API unsigned iotflash_tuya_warning_count(const struct iotflash_tuya_config *cfg);
IOTFLASH_API const char *iotflash_tuya_warning(const struct iotflash_tuya_config *cfg, unsigned i);

IOTFLASH_API unsigned iotflash_tuya_kv_count(const struct iotflash_tuya_config *cfg);
IOTFLASH_API const struct iotflash_tuya_kv *iotflash_tuya_kv(const struct iotflash_tuya_config *cfg,
                                                             unsigned i);
IOTFLASH_API const struct iotflash_tuya_kv *iotflash_tuya_kv_find(const struct iotflash_tuya_config *cfg,
                                                                  const char *name);

/* The device template: user_param_key, else baud_cfg, else the defaults
 * compiled into the application.  NULL source when there is none. */
IOTFLASH_API const char *iotflash_tuya_template_source(const struct iotflash_tuya_config *cfg);
IOTFLASH_API const char *iotflash_tuya_module(const struct iotflash_tuya_config *cfg);
IOTFLASH_API unsigned iotflash_tuya_param_count(const struct iotflash_tuya_config *cfg);
/* i-th template pair in template order; false past the end. */
IOTFLASH_API bool iotflash_tuya_param(const struct iotflash_tuya_config *cfg, unsigned i,
                                      const char **key, const char **value);
IOTFLASH_API const char *iotflash_tuya_param_get(const struct iotflash_tuya_config *cfg,
                                                 const char *key);

/* Template pins, sorted by pin number (one entry per template key). */
IOTFLASH_API unsigned iotflash_tuya_pin_count(const struct iotflash_tuya_config *cfg);
IOTFLASH_API const struct iotflash_tuya_pin *iotflash_tuya_pin(const struct iotflash_tuya_config *cfg,
                                                               unsigned i);
/* OpenBeken startup commands ("PWMFrequency 2000", "LED_Map 2 1 0 4 3")
 * and notes for people ("TuyaMCU or BL0942 device: baud 9600"). */
IOTFLASH_API unsigned iotflash_tuya_obk_command_count(const struct iotflash_tuya_config *cfg);
IOTFLASH_API const char *iotflash_tuya_obk_command(const struct iotflash_tuya_config *cfg, unsigned i);
IOTFLASH_API unsigned iotflash_tuya_note_count(const struct iotflash_tuya_config *cfg);
IOTFLASH_API const char *iotflash_tuya_note(const struct iotflash_tuya_config *cfg, unsigned i);

/* Wi-Fi credentials from gw_wsm (base64 already decoded).  Returns false
 * when the device was never paired; ssid/password may be NULL. */
IOTFLASH_API bool iotflash_tuya_wifi(const struct iotflash_tuya_config *cfg,
                                     const char **ssid, const char **password);

/* The whole result as one JSON object (docs/tuya-config.schema.json),
 * malloc'ed, NUL-terminated.  Credentials only when show_secrets. */
IOTFLASH_API int iotflash_tuya_to_json(const struct iotflash_tuya_config *cfg, bool show_secrets,
                                       char **json);

#ifdef __cplusplus
}
#endif
#endif
