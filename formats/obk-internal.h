/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Shared by obk-config.c, obk-fields.c, obk-easyflash.c and obk-json.c.
 * Offsets of the common part of the structure: docs/protocols/obk-config.md §3. */
#ifndef IOTFLASH_OBK_INTERNAL_H
#define IOTFLASH_OBK_INTERNAL_H

#include "iotflash/openbeken.h"

#define OBK_OFF_FLAGS 0x008
#define OBK_OFF_FLAGS2 0x00C
#define OBK_OFF_WIFI_SSID 0x014
#define OBK_OFF_WIFI_PASS 0x054
#define OBK_OFF_MQTT_HOST 0x094
#define OBK_OFF_MQTT_CLIENT 0x194
#define OBK_OFF_MQTT_USER 0x1D4
#define OBK_OFF_MQTT_PASS 0x214
#define OBK_OFF_MQTT_PORT 0x294
#define OBK_OFF_MAC 0x2D8
#define OBK_OFF_SHORT_NAME 0x2DE
#define OBK_OFF_LONG_NAME 0x2FE
#define OBK_OFF_ROLES 0x33E
#define OBK_OFF_MQTT_GROUP 0x554
#define OBK_OFF_STARTUP 0x5E0
#define OBK_ROLE_COUNT 99

void obk_put_le(uint8_t *p, uint32_t v, unsigned n);
uint32_t obk_get_le(const uint8_t *p, unsigned n);
unsigned obk_channels_off(const struct iotflash_obk_platform *p);
unsigned obk_channels2_off(const struct iotflash_obk_platform *p);
uint32_t iotflash_obk_crc32_update(uint32_t crc, const uint8_t *p, size_t len);

/* A string field of the contract. */
struct obk_str_field {
	const char *key;
	unsigned off, size;
	bool secret;
};
const struct obk_str_field *obk_str_fields(unsigned *n);
/* Size of the start-up command field for the blob's version (§3.3). */
unsigned obk_startup_size(const struct iotflash_obk_config *cfg);
bool obk_flag(const struct iotflash_obk_config *cfg, unsigned bit);

/* EasyFlash V4 (§8): the value of a committed entry, pointing into area. */
int obk_ef_find(const uint8_t *area, size_t len, unsigned gran, const char *key, const uint8_t **value,
                size_t *vlen);
/* Rebuild the area with key = value, keeping the other committed entries;
 * magic is the sectors' (0: "EF40"). */
int obk_ef_store(uint8_t *area, size_t len, unsigned gran, uint32_t magic, const char *key, const uint8_t *value,
                 size_t vlen, char *err, size_t errlen);

#endif
