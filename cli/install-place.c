/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Where `install` puts a firmware file, told by its content, never its
 * name (docs/install.md, "Where the firmware goes"). */
#include "install.h"

#include <stdlib.h>
#include <string.h>

#include <iotflash/beken.h>

static const struct iotflash_region *app_region(const struct iotflash_chip *chip, struct iotflash_region *tmp,
                                                uint32_t flash_size)
{
	const struct iotflash_region *r = iotflash_chip_layout(chip, "app");
	if (r)
		return r;
	*tmp = (struct iotflash_region){"app", chip->app_offset, flash_size - chip->app_offset, false};
	return tmp;
}

/* zlib CRC-32 of the first 0x101 (FULL loaders) or 0x100 (LEGACY) bytes:
 * the bootloader fingerprint of the chip database's boot_crcs
 * (docs/protocols/bk72xx.md §6.1). */
static uint32_t zlib_crc32(const uint8_t *p, size_t len)
{
	uint8_t s[IOTFLASH_SUM_MAX];
	iotflash_checksum_compute(IOTFLASH_SUM_CRC32, p, len, s);
	return (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24;
}

static bool boot_fingerprint_of(const struct iotflash_chip *chip, const uint8_t *fw, size_t len)
{
	uint32_t inclusive, pages;
	if (len < 0x101)
		return false;
	inclusive = zlib_crc32(fw, 0x101);
	pages = zlib_crc32(fw, 0x100);
	return iotflash_chip_param_has(chip, "boot_crcs", inclusive) || iotflash_chip_param_has(chip, "boot_crcs", pages);
}

/* The chip's flash-encryption key: chipdb `efuse_key` (hex, word 0 first). */
static bool chip_key(const struct iotflash_chip *chip, uint32_t key[4])
{
	const char *hex = iotflash_chip_param_str(chip, "efuse_key");
	if (!hex || strlen(hex) != 32)
		return false;
	for (int i = 0; i < 4; i++) {
		char word[9];
		memcpy(word, hex + 8 * i, 8);
		word[8] = '\0';
		key[i] = (uint32_t)strtoul(word, NULL, 16);
	}
	return true;
}

/* Beken code as stored in flash: 34-byte packets (32 data bytes and their
 * CRC-16) from its first byte (docs/protocols/bk72xx.md §8). */
static bool crc_packets(const uint8_t *p, size_t len)
{
	if (len < 8 * 34)
		return false;
	for (int k = 0; k < 8; k++) {
		uint16_t crc = iotflash_beken_crc16(p + 34 * k, 32);
		if (p[34 * k + 32] != (crc >> 8) || p[34 * k + 33] != (crc & 0xff))
			return false;
	}
	return true;
}

enum app_check { NOT_APP, APP, APP_OTHER_KEY };

/* An application at 0x11000 in flash form: CRC packets, and decrypted with
 * the chip's key (when the database has it) its first word is an ARM
 * branch, the reset vector at the application's logical address 0x10000. */
static enum app_check beken_app(const struct iotflash_chip *chip, const uint8_t *p, size_t len)
{
	uint32_t key[4];
	uint8_t word[4];

	if (!crc_packets(p, len))
		return NOT_APP;
	if (!chip_key(chip, key))
		return APP;  /* key unknown: the packets are all there is to check */
	memcpy(word, p, 4);
	iotflash_beken_crypt(key, 0x10000, word, 4);
	return word[3] == 0xEA ? APP : APP_OTHER_KEY;
}

static const struct iotflash_chip *fingerprint_owner(struct cli *c, const struct iotflash_chip *chip, const uint8_t *fw,
                                                     size_t len)
{
	const struct iotflash_chip *o;
	for (unsigned i = 0; (o = iotflash_ctx_chip(c->ctx, i)); i++)
		if (o != chip && strcmp(o->family, "bk72xx") == 0 && boot_fingerprint_of(o, fw, len))
			return o;
	return NULL;
}

#define REFUSE(...) (snprintf(err, errlen, __VA_ARGS__), EXIT_USAGE)

int install_place(struct cli *c, const struct iotflash_chip *chip, uint32_t flash_size, const char *path,
                  const uint8_t *fw, size_t len, struct install_place *pl, char *err, size_t errlen)
{
	struct iotflash_region tmp;
	const struct iotflash_region *app = app_region(chip, &tmp, flash_size);
	const struct iotflash_chip *other = NULL;
	enum app_check ua = NOT_APP;
	char upper[16];

	memset(pl, 0, sizeof(*pl));
	snprintf(upper, sizeof(upper), "%s", chip->name + (strncmp(chip->name, "bk", 2) == 0 ? 2 : 0));
	for (char *p = upper; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	if (strcmp(chip->family, "bk72xx") != 0) {
		/* No content rule is established for other families: the file is
		 * taken as the application and goes to the `app` partition. */
		pl->kind = "app";
		pl->addr = app->start;
		pl->data = fw;
		pl->len = (uint32_t)len;
	} else if (len > app->start && boot_fingerprint_of(chip, fw, len)) {
		pl->kind = "qio";  /* bootloader + application: the device keeps its own bootloader */
	} else if ((other = fingerprint_owner(c, chip, fw, len))) {
		return REFUSE("%s is a full image for %s (its bootloader says so), not for %s: take the BK%s build", path,
		              other->name, chip->name, upper);
	} else if ((ua = beken_app(chip, fw, len)) == APP) {
		pl->kind = "ua";
		pl->addr = app->start;
		pl->data = fw;
		pl->len = (uint32_t)len;
	} else if (len > app->start && crc_packets(fw, len) && beken_app(chip, fw + app->start, len - app->start) == APP) {
		pl->kind = "qio";  /* a bootloader this database has no fingerprint of, and our application */
	} else if (ua == APP_OTHER_KEY) {
		return REFUSE("%s is a Beken application encrypted with another key than %s's: take the BK%s build", path,
		              chip->name, upper);
	} else {
		return REFUSE("%s is neither a full (QIO) image with a %s bootloader nor a Beken application (UA) image: "
		              "give OpenBeken's OpenBK%s_QIO_*.bin or OpenBK%s_UA_*.bin", path, chip->name, upper, upper);
	}
	if (strcmp(pl->kind, "qio") == 0) {
		size_t end = len;
		while (end > app->start && fw[end - 1] == 0xff)  /* padding: nothing to write */
			end--;
		pl->addr = app->start;
		pl->data = fw + app->start;
		pl->len = (uint32_t)(end - app->start);
		if (pl->len == 0)
			return REFUSE("%s holds a bootloader and no application", path);
	}
	if ((uint64_t)pl->len > app->size)
		return REFUSE("%s: its %s (%u bytes) does not fit the %u-byte application partition of %s at 0x%x", path,
		              strcmp(pl->kind, "qio") == 0 ? "application part" : "image", (unsigned)pl->len,
		              (unsigned)app->size, chip->name, (unsigned)app->start);
	return 0;
}
