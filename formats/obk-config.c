/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* OpenBeken's configuration block: platforms, CRC-8, the structure's
 * fields by contract key, raw and EasyFlash storage.  Facts and section
 * numbers: docs/protocols/obk-config.md. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats-internal.h"
#include "obk-internal.h"

/* §1 (storage, CRC variant), §3.2 (group), §4 (GPIO count), §3.4 (group
 * topic), §8.1 (EasyFlash granularity).  Only chips the chip database
 * knows and whose storage the document establishes. */
static const struct iotflash_obk_platform platforms[] = {
	{"bk7231t", 'D', 32, 29, true, IOTFLASH_OBK_RAW, 0, 0, NULL, "bekens_t", 0},
	{"bk7231u", 'D', 32, 29, true, IOTFLASH_OBK_RAW, 0, 0, NULL, "bekens_u", 0},
	{"bk7231n", 'D', 32, 29, true, IOTFLASH_OBK_RAW, 0, 0, NULL, "bekens_n", 0},
	{"bk7231m", 'D', 32, 29, true, IOTFLASH_OBK_RAW, 0, 0, NULL, "bekens_n", 0},
	{"bk7238", 'D', 32, 29, true, IOTFLASH_OBK_RAW, 0, 0, NULL, "bekens_8s", 0},
	{"bk7252", 'A', 48, 40, true, IOTFLASH_OBK_RAW, 0, 0, NULL, "bekens_52s", 0},
	{"bk7252n", 'A', 48, 40, true, IOTFLASH_OBK_RAW, 0, 0, NULL, "bekens_52n", 0},
	{"ln882h", 'D', 32, 26, false, IOTFLASH_OBK_RAW, 0, 0, NULL, "ln882h", 0},
	{"ln8825", 'D', 32, 26, false, IOTFLASH_OBK_RAW, 0, 0, NULL, "ln882h", 0},
	{"w800", 'A', 48, 44, false, IOTFLASH_OBK_RAW, 0x303, 0, NULL, "w800s", 0},
	{"w803", 'A', 48, 44, false, IOTFLASH_OBK_RAW, 0x303, 0, NULL, "w800s", 0},
	{"w600", 'D', 32, 17, false, IOTFLASH_OBK_RAW, 0, 0, NULL, "w600s", 0},
	{"bl602", 'D', 32, 24, false, IOTFLASH_OBK_EASYFLASH, 0, 8, "mY0bcFg", "bl602s", 0},
	{"bl604", 'D', 32, 24, false, IOTFLASH_OBK_EASYFLASH, 0, 8, "mY0bcFg", "bl602s", 0},
	{"bl616", 'A', 48, 35, false, IOTFLASH_OBK_EASYFLASH, 0, 8, "mY0bcFg", "obks", 0},
	{"bl618", 'A', 48, 35, false, IOTFLASH_OBK_EASYFLASH, 0, 8, "mY0bcFg", "obks", 0},
	{"rtl8710b", 'D', 32, 17, true, IOTFLASH_OBK_EASYFLASH, 0, 1, "ObkCfg", "obks", 0},
	{"rtl8720c", 'D', 32, 24, true, IOTFLASH_OBK_EASYFLASH, 0, 1, "ObkCfg", "obks", 0},
	{"rtl8720d", 'C', 64, 64, false, IOTFLASH_OBK_EASYFLASH, 0, 1, "ObkCfg", "obks", 0},
	/* ESWIN SDK EasyFlash: GRAN 32, no entry magic; ECR6600 formats its
	 * sectors "EF41", TR6260 "EF40" (§8.2). */
	{"ecr6600", 'D', 32, 27, true, IOTFLASH_OBK_EASYFLASH, 0, 32, "ObkCfg", "obks", 0x31344645u},
	{"tr6260", 'D', 32, 25, true, IOTFLASH_OBK_EASYFLASH, 0, 32, "ObkCfg", "obks", 0x30344645u},
	{"rtl8721da", 'C', 64, 64, false, IOTFLASH_OBK_KV, 0, 0, "ObkCfg", "obks", 0},
	{"rtl8720e", 'C', 64, 52, false, IOTFLASH_OBK_KV, 0, 0, "ObkCfg", "obks", 0},
	/* XRadio: EasyFlash of the firmware's own port (granularity 1).  The
	 * group topic of XR806/XR872 is not established: `obks` [inferred]. */
	{"xr809", 'D', 32, 24, false, IOTFLASH_OBK_EASYFLASH, 0, 1, "ObkCfg", "xr809s", 0},
	{"xr809b", 'D', 32, 24, false, IOTFLASH_OBK_EASYFLASH, 0, 1, "ObkCfg", "xr809s", 0},
	{"xr806", 'D', 32, 27, false, IOTFLASH_OBK_EASYFLASH, 0, 1, "ObkCfg", "obks", 0},
	{"xr872", 'A', 48, 36, false, IOTFLASH_OBK_EASYFLASH, 0, 1, "ObkCfg", "obks", 0},
	{"gd32vw553", 'A', 48, 48, true, IOTFLASH_OBK_RAW, 0, 0, NULL, "obks", 0},
	{"rda5981", 'D', 32, 29, false, IOTFLASH_OBK_EASYFLASH, 0, 1, "ObkCfg", "obks", 0},
};

const struct iotflash_obk_platform *iotflash_obk_platform(const char *chip)
{
	for (size_t i = 0; chip && i < sizeof(platforms) / sizeof(platforms[0]); i++)
		if (strcmp(platforms[i].chip, chip) == 0)
			return &platforms[i];
	return NULL;
}

const struct iotflash_obk_platform *iotflash_obk_platform_at(unsigned i)
{
	return i < sizeof(platforms) / sizeof(platforms[0]) ? &platforms[i] : NULL;
}

/* ---- checksums (§2.2, §8.3) ---- */

uint8_t iotflash_obk_crc8(const uint8_t *p, size_t len, bool signed_char)
{
	uint8_t crc = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t b = p[i];
		for (int k = 0; k < 8; k++) {
			bool mix = ((crc ^ b) & 1) != 0;
			crc = (uint8_t)((crc >> 1) | (signed_char ? (crc & 0x80) : 0));
			if (mix)
				crc ^= 0x8C;
			b >>= 1;
		}
	}
	return crc;
}

uint32_t iotflash_obk_crc32_update(uint32_t crc, const uint8_t *p, size_t len)
{
	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

uint32_t iotflash_obk_crc32(const uint8_t *p, size_t len)
{
	return iotflash_obk_crc32_update(0, p, len);
}

/* ---- structure (§3) ---- */

void obk_put_le(uint8_t *p, uint32_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t obk_get_le(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

/* Offsets of the group-dependent fields (§3.2). */
static unsigned group_index(char g)
{
	return g == 'A' ? 1 : g == 'B' ? 2 : g == 'C' ? 3 : 0;
}
static const uint16_t off_channels[4] = {0x35E, 0x36E, 0x370, 0x37E};
static const uint16_t off_channels2[4] = {0x37E, 0x39E, 0x3A2, 0x3BE};
static const uint16_t off_ntp[4] = {0x478, 0x4A8, 0x4B0, 0x4D8};
static const uint16_t off_buttons[4] = {0x4B8, 0x4E8, 0x4F0, 0x518};

unsigned obk_channels_off(const struct iotflash_obk_platform *p)
{
	return off_channels[group_index(p->group)];
}
unsigned obk_channels2_off(const struct iotflash_obk_platform *p)
{
	return off_channels2[group_index(p->group)];
}

int32_t iotflash_obk_version(const struct iotflash_obk_config *cfg)
{
	return (int32_t)obk_get_le(cfg->blob + 4, 4);
}

void iotflash_obk_set_version(struct iotflash_obk_config *cfg, int32_t version)
{
	obk_put_le(cfg->blob + 4, (uint32_t)version, 4);
}

/* Bytes the CRC covers: the firmware's rule (§2.2). */
static size_t crc_end(int32_t version, bool gui_rule)
{
	return (version == 3 || (gui_rule && version < 3)) ? 2016 : IOTFLASH_OBK_CONFIG_SIZE;
}

void iotflash_obk_seal(struct iotflash_obk_config *cfg)
{
	size_t end = crc_end(iotflash_obk_version(cfg), false);
	memcpy(cfg->blob, "CFG", 3);
	cfg->blob[3] = iotflash_obk_crc8(cfg->blob + 4, end - 4, cfg->plat->crc_signed);
}

static void put_str(uint8_t *field, size_t size, const char *s)
{
	memset(field, 0, size);  /* zero-filled: every byte is under the CRC (§3) */
	memcpy(field, s, strlen(s));
}

void iotflash_obk_init(struct iotflash_obk_config *cfg, const struct iotflash_obk_platform *plat)
{
	unsigned g = group_index(plat->group);

	memset(cfg, 0, sizeof(*cfg));
	cfg->plat = plat;
	iotflash_obk_set_version(cfg, 5);
	obk_put_le(cfg->blob + OBK_OFF_FLAGS, 1u << 10, 4);  /* broadcast state on MQTT connect */
	obk_put_le(cfg->blob + OBK_OFF_MQTT_PORT, 1883, 4);
	put_str(cfg->blob + OBK_OFF_MQTT_USER, 64, "homeassistant");
	put_str(cfg->blob + 0x298, 64, "https://openbekeniot.github.io/webapp/");
	put_str(cfg->blob + off_ntp[g], 32, "217.147.223.78");
	cfg->blob[off_buttons[g]] = 3;
	cfg->blob[off_buttons[g] + 1] = 10;
	cfg->blob[off_buttons[g] + 2] = 5;
	put_str(cfg->blob + OBK_OFF_MQTT_GROUP, 64, plat->mqtt_group);
	cfg->blob[0x597] = 5;  /* boot counts as good after 5 s */
	put_str(cfg->blob + 0x5A0, 64, "192.168.0.1");
	iotflash_obk_seal(cfg);
}

static void say(char *err, size_t errlen, const char *fmt, ...) IOTFLASH_PRINTF(3, 4);
static void say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A blob is valid when ident and CRC match under the firmware's or the
 * GUI's length rule (§2.3). */
static bool blob_valid(const uint8_t *b, bool signed_char)
{
	int32_t v = (int32_t)obk_get_le(b + 4, 4);
	if (memcmp(b, "CFG", 3) != 0)
		return false;
	return b[3] == iotflash_obk_crc8(b + 4, crc_end(v, false) - 4, signed_char) ||
	       b[3] == iotflash_obk_crc8(b + 4, crc_end(v, true) - 4, signed_char);
}

static int take_blob(struct iotflash_obk_config *cfg, const struct iotflash_obk_platform *plat,
                     const uint8_t *b, size_t have, char *err, size_t errlen)
{
	uint8_t tmp[IOTFLASH_OBK_CONFIG_SIZE];

	memset(tmp, 0, sizeof(tmp));
	memcpy(tmp, b, have < sizeof(tmp) ? have : sizeof(tmp));
	if (memcmp(tmp, "CFG", 3) != 0) {
		say(err, errlen, "no OpenBeken configuration there (no CFG header)");
		return IOTFLASH_ERR_UNSUPPORTED;
	}
	if (!blob_valid(tmp, plat->crc_signed)) {
		if (blob_valid(tmp, !plat->crc_signed))
			say(err, errlen, "the OpenBeken configuration has the %s CRC-8 variant, but %s firmware uses the %s one: "
			    "written for another chip?", plat->crc_signed ? "unsigned" : "signed", plat->chip,
			    plat->crc_signed ? "signed" : "unsigned");
		else
			say(err, errlen, "the OpenBeken configuration fails its CRC-8 (stored 0x%02x): damaged", tmp[3]);
		return IOTFLASH_ERR_CHECKSUM;
	}
	memset(cfg, 0, sizeof(*cfg));
	cfg->plat = plat;
	memcpy(cfg->blob, tmp, sizeof(tmp));
	return IOTFLASH_OK;
}

int iotflash_obk_decode(struct iotflash_obk_config *cfg, const struct iotflash_obk_platform *plat,
                        const uint8_t *area, size_t len, char *err, size_t errlen)
{
	const uint8_t *value;
	size_t vlen;
	int rc;

	if (!cfg || !plat || !area) {
		say(err, errlen, "%s", formats_error_text(IOTFLASH_ERR_ARG));
		return IOTFLASH_ERR_ARG;
	}
	if (plat->storage != IOTFLASH_OBK_EASYFLASH) {  /* RAW, KV */
		if (len < plat->offset + 2016u) {
			say(err, errlen, "the area (%zu bytes) is too small for a configuration at +0x%x", len,
			    (unsigned)plat->offset);
			return IOTFLASH_ERR_ARG;
		}
		return take_blob(cfg, plat, area + plat->offset, len - plat->offset, err, errlen);
	}
	rc = obk_ef_find(area, len, plat->ef_gran, plat->ef_key, &value, &vlen);
	if (rc != IOTFLASH_OK) {
		say(err, errlen, "no OpenBeken configuration there (no EasyFlash entry '%s')", plat->ef_key);
		return IOTFLASH_ERR_UNSUPPORTED;
	}
	return take_blob(cfg, plat, value, vlen, err, errlen);
}

int iotflash_obk_encode(struct iotflash_obk_config *cfg, uint8_t *area, size_t len, char *err, size_t errlen)
{
	const struct iotflash_obk_platform *plat = cfg ? cfg->plat : NULL;

	if (!plat || !area) {
		say(err, errlen, "%s", formats_error_text(IOTFLASH_ERR_ARG));
		return IOTFLASH_ERR_ARG;
	}
	/* A version-3 blob would leave bytes 2016-3583 to whatever is on flash
	 * (§2.1); the whole blob is written, with the current version and, as
	 * the firmware does when it upgrades an old one, those bytes zeroed. */
	if (iotflash_obk_version(cfg) < 4) {
		memset(cfg->blob + 2016, 0, IOTFLASH_OBK_CONFIG_SIZE - 2016);
		iotflash_obk_set_version(cfg, 5);
	}
	iotflash_obk_seal(cfg);
	if (plat->storage != IOTFLASH_OBK_EASYFLASH) {  /* RAW, KV */
		size_t end = plat->offset + IOTFLASH_OBK_CONFIG_SIZE;
		if (len < end) {
			say(err, errlen, "the area (%zu bytes) is too small for a configuration at +0x%x", len,
			    (unsigned)plat->offset);
			return IOTFLASH_ERR_ARG;
		}
		memcpy(area + plat->offset, cfg->blob, IOTFLASH_OBK_CONFIG_SIZE);
		/* Sector-aligned (Beken, LN): the firmware erases the sector and
		 * writes the blob, so the rest of the sector is 0xFF (§1 notes). */
		if (plat->offset == 0) {
			size_t pad = ((end + 4095) & ~(size_t)4095);
			memset(area + end, 0xFF, (pad < len ? pad : len) - end);
		}
		return IOTFLASH_OK;
	}
	return obk_ef_store(area, len, plat->ef_gran, plat->ef_sector_magic, plat->ef_key, cfg->blob,
	                    IOTFLASH_OBK_CONFIG_SIZE, err, errlen);
}

/* The partition table format: docs/protocols/bl60x.md §6.1. */
bool iotflash_obk_bouffalo_psm(const uint8_t *t, size_t len, uint32_t *addr, uint32_t *size)
{
	unsigned n;

	if (!t || len < 16 || memcmp(t, "BFPT", 4) != 0 || obk_get_le(t + 12, 4) != iotflash_obk_crc32(t, 12))
		return false;
	n = (unsigned)obk_get_le(t + 6, 2);
	if (n == 0 || 16 + (size_t)n * 36 + 4 > len ||
	    obk_get_le(t + 16 + (size_t)n * 36, 4) != iotflash_obk_crc32(t + 16, (size_t)n * 36))
		return false;
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *e = t + 16 + (size_t)i * 36;
		if (e[0] != 4)
			continue;
		*addr = obk_get_le(e + 12, 4);
		*size = obk_get_le(e + 20, 4);  /* max length 0: the partition's room */
		return *size >= 0x2000 && *size % 0x1000 == 0 && *addr % 0x1000 == 0;
	}
	return false;
}
