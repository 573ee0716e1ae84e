/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Beken BK72xx flash images, offline: the on-flash code encryption of the
 * bootloader and application partitions and its CRC-16 packet interleave.
 * Pure functions over memory, part of libiotflash-formats (pkg-config
 * iotflash-formats).  The RF calibration data Beken chips keep in flash
 * belongs here too. */
#ifndef IOTFLASH_BEKEN_H
#define IOTFLASH_BEKEN_H

#include <iotflash/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Flash encryption (bootloader and application partitions) ---- */

/* The key shared by Tuya BK7231T and BK7231N chips (eFuse words 0..3). */
IOTFLASH_API extern const uint32_t iotflash_beken_tuya_key[4];

/* Keystream word for the logical address addr (a multiple of 4). */
IOTFLASH_API uint32_t iotflash_beken_pnout(const uint32_t key[4], uint32_t addr);
/* XOR buf in place with the keystream, buf starting at logical address addr
 * (a multiple of 4).  Encryption and decryption are the same operation. */
IOTFLASH_API void iotflash_beken_crypt(const uint32_t key[4], uint32_t addr, uint8_t *buf, size_t len);

/* CRC-16/CMS (poly 0x8005, init 0xFFFF, MSB first) of the CRC interleave. */
IOTFLASH_API uint16_t iotflash_beken_crc16(const uint8_t *data, size_t len);
/* Physical (32 data + 2 CRC bytes per packet) to logical: stops at the first
 * packet whose CRC does not match (erased flash ends an image that way).
 * *out is malloc'ed; returns IOTFLASH_OK even for 0 packets. */
IOTFLASH_API int iotflash_beken_crc_strip(const uint8_t *phys, size_t len, uint8_t **out,
                                          size_t *out_len);
/* Logical to physical; a short last packet is padded with 0xFF. */
IOTFLASH_API int iotflash_beken_crc_add(const uint8_t *logical, size_t len, uint8_t **out,
                                        size_t *out_len);

/* Recover the key from a bootloader as stored in flash (CRC-interleaved,
 * from physical 0; at least 0x6A20 bytes): known-plaintext search over every
 * keystream setting, checked against the key copy the bootloader carries.
 * On success key holds the real key; with only an equivalent key found,
 * IOTFLASH_ERR_VERIFY with that key (it decrypts the same). */
IOTFLASH_API int iotflash_beken_recover_key(const uint8_t *boot_phys, size_t len, uint32_t key[4],
                                            char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
