/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The link layer (link.h).  A chip that stops answering in the
 * middle of an operation has most likely been reset (a brown-out when the
 * relay clicks, a loose clip): it is back in its boot ROM at the power-on
 * rate and knows nothing of the session.  After RECONNECT_AFTER link
 * failures in a row the engine connects again the way the session began
 * (open, identify, prove the rate) and the operation goes on where it
 * stopped; what was half done is proved and redone by the callers'
 * verification like any other failed block. */
#include "link.h"
#include "drv.h"
#include "session.h"

/* After a driver call returned rc: true when the session just connected
 * again, so the call is worth repeating at once.  A failed read that still
 * brought most of its reply (heard) was spoken by a chip in the session,
 * only garbled on a noisy line: it is no sign of a reset and does not
 * count towards one (a reconnect on such a line would fail, or cost a
 * loader upload, for nothing). */
static bool reconnected(struct iotflash_session *s, int rc, bool heard)
{
	if (rc == IOTFLASH_OK || s->connecting || heard) {
		s->fail_streak = 0;
		return false;
	}
	if (!drv_link_error(rc) || ++s->fail_streak < RECONNECT_AFTER || s->reconnects >= RECONNECTS ||
	    s->cancelled)
		return false;
	s->reconnects++;
	s->fail_streak = 0;
	return session_reconnect(s) == IOTFLASH_OK;
}

/* The driver op a call stands for; the arguments each one uses. */
enum drv_op { DRV_READ, DRV_WRITE, DRV_ERASE, DRV_SUM };

static int op_once(struct iotflash_session *s, enum drv_op op, uint32_t addr, uint32_t len, const uint8_t *in,
                   uint8_t *out)
{
	switch (op) {
	case DRV_READ: return drv_read(s, addr, out, len);
	case DRV_WRITE: return drv_write(s, addr, in, len);
	case DRV_ERASE: return drv_erase(s, addr, len);
	case DRV_SUM: return drv_sum(s, addr, len, out);
	}
	return IOTFLASH_ERR_INTERNAL;
}

/* One driver call.  A session whose reconnect failed has no chip to talk
 * to: it fails at once, with the reconnect's reason, instead of waiting
 * out every retry. */
static int call(struct iotflash_session *s, enum drv_op op, uint32_t addr, uint32_t len, const uint8_t *in,
                uint8_t *out)
{
	uint64_t rx0;
	int rc;
	do {
		if (s->cancelled)
			return IOTFLASH_ERR_CANCELLED;
		if (s->lost)
			return ctx_fail(s->ctx, IOTFLASH_ERR_NO_LINK, "%s", s->lost_msg);
		rx0 = s->rx_bytes;
		rc = op_once(s, op, addr, len, in, out);
	} while (reconnected(s, rc, op == DRV_READ && s->rx_bytes - rx0 >= len / 2 + 1));
	return rc;
}

int link_read(struct iotflash_session *s, uint32_t addr, uint8_t *buf, uint32_t len)
{
	return call(s, DRV_READ, addr, len, NULL, buf);
}

int link_write(struct iotflash_session *s, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	return call(s, DRV_WRITE, addr, len, buf, NULL);
}

int link_erase(struct iotflash_session *s, uint32_t addr, uint32_t len)
{
	return call(s, DRV_ERASE, addr, len, NULL, NULL);
}

int link_sum(struct iotflash_session *s, uint32_t addr, uint32_t len, uint8_t *sum)
{
	return call(s, DRV_SUM, addr, len, NULL, sum);
}

int link_use_rate(struct iotflash_session *s, bool write)
{
	return session_use_rate(s, write ? SESSION_WRITE : SESSION_READ);
}
