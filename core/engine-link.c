/* The engine's calls into the driver.  A chip that stops answering in the
 * middle of an operation has most likely been reset (a brown-out when the
 * relay clicks, a loose clip): it is back in its boot ROM at the power-on
 * rate and knows nothing of the session.  After RECONNECT_AFTER link
 * failures in a row the engine connects again the way the session began
 * (open, identify, prove the rate) and the operation goes on where it
 * stopped; what was half done is proved and redone by the callers'
 * verification like any other failed block. */
#include "engine.h"

/* A reset chip is silent, answers at another rate (garbage), or its boot
 * ROM refuses what the session's loader understood (a failure status). */
bool engine_link_error(int rc)
{
	return rc == IOTFLASH_ERR_TIMEOUT || rc == IOTFLASH_ERR_NO_LINK || rc == IOTFLASH_ERR_PROTOCOL ||
	       rc == IOTFLASH_ERR_CHECKSUM || rc == IOTFLASH_ERR_DEVICE;
}

/* After a driver call returned rc: true when the session just connected
 * again, so the call is worth repeating at once. */
static bool reconnected(struct iotflash_session *s, int rc)
{
	if (rc == IOTFLASH_OK || s->connecting) {
		s->fail_streak = 0;
		return false;
	}
	if (!engine_link_error(rc) || ++s->fail_streak < RECONNECT_AFTER || s->reconnects >= RECONNECTS ||
	    s->cancelled)
		return false;
	s->reconnects++;
	s->fail_streak = 0;
	return session_reconnect(s) == IOTFLASH_OK;
}

/* A session whose reconnect failed has no chip to talk to: fail at once,
 * with the reason the reconnect gave, instead of waiting out every retry. */
static int lost(struct iotflash_session *s)
{
	if (s->cancelled)
		return IOTFLASH_ERR_CANCELLED;
	if (s->lost)
		return ctx_fail(s->ctx, IOTFLASH_ERR_NO_LINK, "%s", s->lost_msg);
	return IOTFLASH_OK;
}

int engine_drv_read(struct iotflash_session *s, uint32_t addr, uint8_t *buf, uint32_t len)
{
	int rc;
	do {
		if ((rc = lost(s)) != IOTFLASH_OK)
			return rc;
		rc = s->drv->read(s->drv_priv, addr, buf, len);
	} while (reconnected(s, rc));
	return rc;
}

int engine_drv_write(struct iotflash_session *s, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	int rc;
	do {
		if ((rc = lost(s)) != IOTFLASH_OK)
			return rc;
		rc = s->drv->write(s->drv_priv, addr, buf, len);
	} while (reconnected(s, rc));
	return rc;
}

int engine_drv_erase(struct iotflash_session *s, uint32_t addr, uint32_t len)
{
	int rc;
	do {
		if ((rc = lost(s)) != IOTFLASH_OK)
			return rc;
		rc = s->drv->erase(s->drv_priv, addr, len);
	} while (reconnected(s, rc));
	return rc;
}

int engine_device_sum(struct iotflash_session *s, uint32_t addr, uint32_t len, uint8_t *sum)
{
	int rc;
	do {
		if ((rc = lost(s)) != IOTFLASH_OK)
			return rc;
		rc = s->drv->verify(s->drv_priv, addr, len, sum);
	} while (reconnected(s, rc));
	return rc;
}
