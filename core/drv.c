/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The one door to the chip driver (see drv.h). */
#include "drv.h"

int drv_open(struct iotflash_session *s)
{
	int rc;

	s->drv_priv = NULL;
	s->kv = NULL;
	s->read_checked = false;  /* until this open() says so */
	if (s->cancelled)
		return IOTFLASH_ERR_CANCELLED;
	rc = s->drv->open(&s->dev, &s->drv_priv);
	if (rc != IOTFLASH_OK)
		s->drv_priv = NULL;  /* a failed open() keeps no state */
	return rc;
}

void drv_close(struct iotflash_session *s)
{
	if (s->drv && s->drv_priv)
		s->drv->close(s->drv_priv);
	s->drv_priv = NULL;
	s->kv = NULL;
}

int drv_detect(struct iotflash_session *s, struct iotflash_chip_info *info)
{
	return s->drv->detect(s->drv_priv, info);
}

int drv_read(struct iotflash_session *s, uint32_t addr, uint8_t *buf, uint32_t len)
{
	return s->cancelled ? IOTFLASH_ERR_CANCELLED : s->drv->read(s->drv_priv, addr, buf, len);
}

int drv_write(struct iotflash_session *s, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	return s->cancelled ? IOTFLASH_ERR_CANCELLED : s->drv->write(s->drv_priv, addr, buf, len);
}

int drv_erase(struct iotflash_session *s, uint32_t addr, uint32_t len)
{
	return s->cancelled ? IOTFLASH_ERR_CANCELLED : s->drv->erase(s->drv_priv, addr, len);
}

int drv_sum(struct iotflash_session *s, uint32_t addr, uint32_t len, uint8_t *sum)
{
	if (!s->drv->verify)
		return IOTFLASH_ERR_UNSUPPORTED;
	return s->cancelled ? IOTFLASH_ERR_CANCELLED : s->drv->verify(s->drv_priv, addr, len, sum);
}

/* A reset chip is silent, answers at another rate (garbage), or its boot
 * ROM refuses what the session's loader understood (a failure status). */
bool drv_link_error(int rc)
{
	return rc == IOTFLASH_ERR_TIMEOUT || rc == IOTFLASH_ERR_NO_LINK || rc == IOTFLASH_ERR_PROTOCOL ||
	       rc == IOTFLASH_ERR_CHECKSUM || rc == IOTFLASH_ERR_DEVICE;
}

enum iotflash_checksum drv_sum_kind(struct iotflash_session *s)
{
	return s->sum_overridden ? s->sum_kind : s->chip->checksum;
}

bool drv_has_sum(struct iotflash_session *s)
{
	return s->drv->verify && drv_sum_kind(s) != IOTFLASH_SUM_NONE;
}

size_t drv_host_sum(struct iotflash_session *s, const uint8_t *data, uint32_t len, uint8_t *sum)
{
	return iotflash_checksum_compute(drv_sum_kind(s), data, len, sum);
}
