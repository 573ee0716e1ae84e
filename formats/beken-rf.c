/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The Beken RF calibration sector (docs/protocols/beken-rf.md §2-§4): a
 * "TLV\0" container of {u32 type, u32 length, value} records, packed without
 * padding.  The MAC is the TXID group's MAC item. */
#include "formats-internal.h"
#include "iotflash/beken.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define RF_MAGIC 0x00564C54u   /* "TLV\0" */
#define RF_GROUP_TXID 0x11111100u
#define RF_ITEM_MAC (RF_GROUP_TXID + 2)

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int fail(char *err, size_t errlen, const char *fmt, ...) IOTFLASH_PRINTF(3, 4);
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return IOTFLASH_ERR_PROTOCOL;
}

/* First record of type want in [p, p + len); each step bounded by len (§3),
 * so filler such as 0x5A5A5A5A ends the walk instead of running past it. */
static const uint8_t *find_record(const uint8_t *p, uint32_t len, uint32_t want, uint32_t *vlen)
{
	uint32_t pos = 0;
	while (len - pos >= 8) {
		uint32_t type = le32(p + pos), n = le32(p + pos + 4);
		if (n > len - pos - 8)
			return NULL;
		if (type == want) {
			*vlen = n;
			return p + pos + 8;
		}
		pos += 8 + n;
	}
	return NULL;
}

int iotflash_beken_rf_parse(const uint8_t *sector, size_t len, struct iotflash_beken_rf_info *info, char *err,
                            size_t errlen)
{
	const uint8_t *group, *mac;
	uint32_t body, glen, mlen, pos;
	size_t i;

	if (!sector || !info)
		return IOTFLASH_ERR_ARG;
	memset(info, 0, sizeof(*info));
	if (len > IOTFLASH_BEKEN_RF_SIZE)
		len = IOTFLASH_BEKEN_RF_SIZE;
	for (i = 0; i < len && sector[i] == 0xff; i++)
		;
	if (len > 0 && i == len)
		return fail(err, errlen, "RF calibration sector is blank (all 0xFF)");
	if (len < 8 || le32(sector) != RF_MAGIC)
		return fail(err, errlen, "RF calibration sector does not start with \"TLV\\0\" (54 4c 56 00)");
	body = le32(sector + 4);
	if (body > len - 8)
		return fail(err, errlen, "RF calibration sector: TLV length %u runs past the %zu-byte sector",
		            (unsigned)body, len);
	/* The top-level groups must tile the body exactly. */
	for (pos = 0; body - pos >= 8;) {
		uint32_t n = le32(sector + 8 + pos + 4);
		if (n > body - pos - 8)
			return fail(err, errlen, "RF calibration sector: group 0x%08x at offset 0x%x (length %u) runs past the TLV body",
			            (unsigned)le32(sector + 8 + pos), (unsigned)(8 + pos), (unsigned)n);
		pos += 8 + n;
		info->n_groups++;
	}
	if (pos != body)
		return fail(err, errlen, "RF calibration sector: %u stray bytes at the end of the TLV body", (unsigned)(body - pos));
	info->body_len = body;
	if (len >= IOTFLASH_BEKEN_RF_MAC_OFFSET + 6)
		memcpy(info->mac_at_24, sector + IOTFLASH_BEKEN_RF_MAC_OFFSET, 6);
	if (!(group = find_record(sector + 8, body, RF_GROUP_TXID, &glen)))
		return fail(err, errlen, "RF calibration sector has no TXID group (0x11111100), so no MAC");
	if (!(mac = find_record(group, glen, RF_ITEM_MAC, &mlen)) || mlen != 6)
		return fail(err, errlen, "RF calibration sector has no 6-byte MAC item (0x11111102) in its TXID group");
	memcpy(info->mac, mac, 6);
	info->mac_offset = (uint32_t)(mac - sector);
	return IOTFLASH_OK;
}

void iotflash_beken_rf_format_mac(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}
