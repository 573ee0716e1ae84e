/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* OpenBeken's device configuration (the 3584-byte `mainConfig_t` block):
 * decode it from a raw flash sector or an EasyFlash area, edit it by the
 * key names of the `iotflash obk-config` contract, encode it back with the
 * chip's CRC-8 variant and pin-layout group, and JSON in and out
 * (docs/obk-config.schema.json).  Pure functions over memory: where the
 * area lies on flash is the chip database's `obk-config` layout entry,
 * passed in by the caller.  Part of libiotflash-formats. */
#ifndef IOTFLASH_OPENBEKEN_H
#define IOTFLASH_OPENBEKEN_H

#include <iotflash/common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IOTFLASH_OBK_CONFIG_SIZE 3584u

enum iotflash_obk_storage {
	IOTFLASH_OBK_RAW,        /* the blob itself at `offset` into the area */
	IOTFLASH_OBK_EASYFLASH,  /* the value of key `ef_key` in an EasyFlash V4 area */
	IOTFLASH_OBK_KV,         /* the value of key `ef_key` in the loader's key-value store
	                          * (iotflash_kv_get): the area is the blob itself */
};

/* How one chip's OpenBeken build keeps its configuration. */
struct iotflash_obk_platform {
	const char *chip;        /* chip database name: "bk7231n" */
	char group;              /* pin-layout group 'D', 'A', 'B' or 'C' */
	unsigned pins;           /* entries of the pin arrays (32, 48, 50, 64) */
	unsigned gpio_max;       /* usable GPIO indices of the platform */
	bool crc_signed;         /* CRC-8 built with signed char */
	enum iotflash_obk_storage storage;
	uint32_t offset;         /* RAW: blob offset into the area (W800: 0x303) */
	unsigned ef_gran;        /* EASYFLASH: write granularity in bits (1, 8, 32) */
	const char *ef_key;      /* EASYFLASH: "ObkCfg" or "mY0bcFg" */
	const char *mqtt_group;  /* the firmware's default group topic */
	uint32_t ef_sector_magic; /* EASYFLASH: the magic the SDK formats sectors with; 0 = "EF40" */
};

/* The platform of a chip name, NULL when OpenBeken has none (or its storage
 * is not established). */
IOTFLASH_API const struct iotflash_obk_platform *iotflash_obk_platform(const char *chip);
/* The i-th known platform, NULL past the end. */
IOTFLASH_API const struct iotflash_obk_platform *iotflash_obk_platform_at(unsigned i);

/* Bouffalo chips keep the EasyFlash area in the partition named PSM
 * (type 4) of their partition table ("BFPT", at 0xE000 and 0xF000 on
 * BL602/BL616).  Given one 4 KiB copy of the table: true with the PSM
 * partition's address and size when the table is valid (magic, both CRC-32s). */
IOTFLASH_API bool iotflash_obk_bouffalo_psm(const uint8_t *table, size_t len, uint32_t *addr, uint32_t *size);

/* CRC-8 of the firmware (poly 0x8C reflected, init 0); signed_char keeps bit 7
 * on each shift, as the firmware built with -fsigned-char does. */
IOTFLASH_API uint8_t iotflash_obk_crc8(const uint8_t *p, size_t len, bool signed_char);
/* Standard CRC-32 (IEEE, reflected), as EasyFlash uses. */
IOTFLASH_API uint32_t iotflash_obk_crc32(const uint8_t *p, size_t len);

struct iotflash_obk_config {
	const struct iotflash_obk_platform *plat;
	uint8_t blob[IOTFLASH_OBK_CONFIG_SIZE];  /* the firmware's structure, byte for byte */
};

/* A fresh configuration with the firmware's defaults (version 5, MQTT port
 * 1883, buttons 3/10/5, flag 10, the platform's group topic). */
IOTFLASH_API void iotflash_obk_init(struct iotflash_obk_config *cfg, const struct iotflash_obk_platform *plat);

/* Find and check the configuration in an area as read from flash (the
 * platform's `obk-config` layout region).  IOTFLASH_OK: *cfg holds it.
 * IOTFLASH_ERR_UNSUPPORTED: no configuration there (blank, other data);
 * IOTFLASH_ERR_CHECKSUM: one is there but fails its CRC.  err gets one line. */
IOTFLASH_API int iotflash_obk_decode(struct iotflash_obk_config *cfg, const struct iotflash_obk_platform *plat,
                                     const uint8_t *area, size_t len, char *err, size_t errlen);

/* Store cfg into area (len bytes, holding the area's current content), with
 * header and CRC recomputed (a version below 4 becomes 5, its bytes from
 * 2016 on zeroed, as they were never part of it): RAW writes the blob (0xFF after it
 * to the end of its sector); EASYFLASH rebuilds the area keeping every other
 * committed entry and one empty sector for garbage collection. */
IOTFLASH_API int iotflash_obk_encode(struct iotflash_obk_config *cfg, uint8_t *area, size_t len,
                                     char *err, size_t errlen);

/* Header of the blob: fixes ident and CRC (over bytes 4..L-1 per version). */
IOTFLASH_API void iotflash_obk_seal(struct iotflash_obk_config *cfg);
IOTFLASH_API int32_t iotflash_obk_version(const struct iotflash_obk_config *cfg);
IOTFLASH_API void iotflash_obk_set_version(struct iotflash_obk_config *cfg, int32_t version);

/* Set one field by its contract key ("wifi.ssid", "mqtt.port", "pin.8",
 * "flag.10", ...) from text ("Relay:1" for a pin).  On bad input returns
 * IOTFLASH_ERR_ARG and err names the key and what is wrong. */
IOTFLASH_API int iotflash_obk_set(struct iotflash_obk_config *cfg, const char *key, const char *value,
                                  char *err, size_t errlen);
/* The value of one key as text, as iotflash_obk_set takes it ("" for an
 * unused pin, "0"/"1" for a flag).  IOTFLASH_ERR_ARG for an unknown key. */
IOTFLASH_API int iotflash_obk_get(const struct iotflash_obk_config *cfg, const char *key, char *buf, size_t size);
/* "KEY=VALUE" form of iotflash_obk_set. */
IOTFLASH_API int iotflash_obk_set_assignment(struct iotflash_obk_config *cfg, const char *assignment,
                                             char *err, size_t errlen);

/* Role names: the firmware's (`Relay`, `Button`, `LED_WIFI_n`, ...). */
IOTFLASH_API const char *iotflash_obk_role_name(unsigned role);
/* Role number of a name (case-insensitive, firmware or GUI spelling, or a
 * number); -1 when unknown. */
IOTFLASH_API int iotflash_obk_role_id(const char *name);

/* The configuration as one JSON object (docs/obk-config.schema.json),
 * malloc'ed.  Passwords only when show_secrets. */
IOTFLASH_API int iotflash_obk_to_json(const struct iotflash_obk_config *cfg, bool show_secrets, char **json);
/* Apply a JSON object of the same schema: every field it names is set;
 * a `pin` object replaces all pins and a `flag` object all flags; fields
 * it does not name keep their value.  Informational keys (chip, version,
 * crc, ...) are ignored.  Nothing changes when it fails. */
IOTFLASH_API int iotflash_obk_from_json(struct iotflash_obk_config *cfg, const char *json, char *err,
                                        size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
