/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The loader's key-value store (plugin ABI 2.2, iotflash_dev_set_kv()): no block
 * planning, backups or verification apply, a value is one transfer. */
#include "internal.h"
#include "state.h"

static bool has_kv(struct iotflash_session *s)
{
	return s->drv_priv && s->kv && s->kv->get && s->kv->set;
}

IOTFLASH_API int iotflash_kv_get(struct iotflash_session *s, const char *key, uint8_t *buf, size_t cap, size_t *len)
{
	int rc;
	if (!has_kv(s))
		return ctx_fail(s->ctx, IOTFLASH_ERR_UNSUPPORTED, "%s: the loader keeps no key-value store", s->chip->name);
	if (s->cancelled)
		return IOTFLASH_ERR_CANCELLED;
	rc = s->kv->get(s->drv_priv, key, buf, cap, len);
	if (rc == IOTFLASH_ERR_UNSUPPORTED)
		return ctx_fail(s->ctx, rc, "%s: no key '%s' in the key-value store", s->chip->name, key);
	return rc;
}

IOTFLASH_API int iotflash_kv_set(struct iotflash_session *s, const char *key, const uint8_t *buf, size_t len)
{
	if (!has_kv(s))
		return ctx_fail(s->ctx, IOTFLASH_ERR_UNSUPPORTED, "%s: the loader keeps no key-value store", s->chip->name);
	if (s->cancelled)
		return IOTFLASH_ERR_CANCELLED;
	return s->kv->set(s->drv_priv, key, buf, len);
}
