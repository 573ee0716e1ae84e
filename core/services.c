/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The services libiotflash offers drivers (iotflash/plugin.h): the port,
 * what the user asked for, loaders, the chip database and messages.  They
 * read and write the session's state only and call no layer of the engine,
 * so a driver calling back into the core never re-enters it. */
#include "state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>


IOTFLASH_API int iotflash_io_write(struct iotflash_dev *dev, const void *buf, size_t len)
{
	struct iotflash_session *s = dev->s;
	iotflash_log_wire(dev, true, buf, len);
	return s->tr->write ? s->tr->write(s->tr_priv, buf, len) : IOTFLASH_ERR_UNSUPPORTED;
}

IOTFLASH_API int iotflash_io_read(struct iotflash_dev *dev, void *buf, size_t len, unsigned timeout_ms)
{
	struct iotflash_session *s = dev->s;
	int n;
	if (s->cancelled)
		return IOTFLASH_ERR_CANCELLED;
	if (!s->tr->read)
		return IOTFLASH_ERR_UNSUPPORTED;
	n = s->tr->read(s->tr_priv, buf, len, timeout_ms);
	if (n > 0) {
		s->rx_bytes += (uint64_t)n;
		iotflash_log_wire(dev, false, buf, (size_t)n);
	}
	return n;
}

IOTFLASH_API int iotflash_io_set_baud(struct iotflash_dev *dev, uint32_t baud)
{
	struct iotflash_session *s = dev->s;
	int rc = s->tr->set_baud ? s->tr->set_baud(s->tr_priv, baud) : IOTFLASH_ERR_UNSUPPORTED;
	if (rc == IOTFLASH_OK)
		s->baud = baud;
	return rc;
}

IOTFLASH_API uint32_t iotflash_io_baud(struct iotflash_dev *dev) { return dev->s->baud; }

IOTFLASH_API int iotflash_io_set_parity(struct iotflash_dev *dev, char parity)
{
	struct iotflash_session *s = dev->s;
	if (parity != 'N' && parity != 'E')
		return IOTFLASH_ERR_ARG;
	return s->tr->set_parity ? s->tr->set_parity(s->tr_priv, parity) : IOTFLASH_ERR_UNSUPPORTED;
}

IOTFLASH_API int iotflash_io_drain(struct iotflash_dev *dev)
{
	struct iotflash_session *s = dev->s;
	return s->tr->drain ? s->tr->drain(s->tr_priv) : IOTFLASH_OK;
}

IOTFLASH_API int iotflash_io_flush_input(struct iotflash_dev *dev)
{
	struct iotflash_session *s = dev->s;
	return s->tr->flush_input ? s->tr->flush_input(s->tr_priv) : IOTFLASH_OK;
}

IOTFLASH_API int iotflash_io_set_lines(struct iotflash_dev *dev, int dtr, int rts)
{
	struct iotflash_session *s = dev->s;
	return s->tr->set_lines ? s->tr->set_lines(s->tr_priv, dtr, rts) : IOTFLASH_ERR_UNSUPPORTED;
}

IOTFLASH_API unsigned iotflash_io_wire_ms(struct iotflash_dev *dev, size_t n)
{
	uint32_t baud = dev->s->baud ? dev->s->baud : 115200;
	return (unsigned)((n * 10 * 1000 + baud - 1) / baud);
}

IOTFLASH_API int iotflash_spi_cs(struct iotflash_dev *dev, bool asserted)
{
	struct iotflash_session *s = dev->s;
	return s->tr->spi_cs ? s->tr->spi_cs(s->tr_priv, asserted) : IOTFLASH_ERR_UNSUPPORTED;
}

IOTFLASH_API int iotflash_spi_xfer(struct iotflash_dev *dev, const uint8_t *tx, uint8_t *rx, size_t len)
{
	struct iotflash_session *s = dev->s;
	return s->tr->spi_xfer ? s->tr->spi_xfer(s->tr_priv, tx, rx, len) : IOTFLASH_ERR_UNSUPPORTED;
}

IOTFLASH_API int iotflash_spi_set_pin(struct iotflash_dev *dev, unsigned pin, bool high)
{
	struct iotflash_session *s = dev->s;
	return s->tr->set_pin ? s->tr->set_pin(s->tr_priv, pin, high) : IOTFLASH_ERR_UNSUPPORTED;
}

IOTFLASH_API const struct iotflash_chip *iotflash_dev_chip(struct iotflash_dev *dev) { return dev->s->requested; }
IOTFLASH_API const char *iotflash_dev_family(struct iotflash_dev *dev) { return dev->s->family; }
IOTFLASH_API uint32_t iotflash_dev_target_baud(struct iotflash_dev *dev) { return dev->s->target_baud; }
IOTFLASH_API bool iotflash_dev_cancelled(struct iotflash_dev *dev) { return dev->s->cancelled != 0; }
IOTFLASH_API void iotflash_dev_answered(struct iotflash_dev *dev) { dev->s->answered = true; }

IOTFLASH_API void iotflash_dev_set_checksum(struct iotflash_dev *dev, enum iotflash_checksum kind)
{
	dev->s->sum_overridden = true;
	dev->s->sum_kind = kind;
}

IOTFLASH_API void iotflash_dev_set_kv(struct iotflash_dev *dev, const struct iotflash_kv_ops *ops)
{
	dev->s->kv = ops;
}

IOTFLASH_API void iotflash_dev_set_read_checked(struct iotflash_dev *dev, bool checked)
{
	dev->s->read_checked = checked;
}

/* The RAM loader services (iotflash_dev_loader ...) live in loaders.c. */

IOTFLASH_API const struct iotflash_chip *iotflash_db_chip(struct iotflash_dev *dev, const char *name)
{
	return chipdb_find(dev->s->ctx->db, name);
}

IOTFLASH_API const struct iotflash_chip *iotflash_db_family_chip(struct iotflash_dev *dev, const char *family, unsigned i)
{
	return chipdb_family_chip(dev->s->ctx->db, family, i);
}

IOTFLASH_API const struct iotflash_flash_part *iotflash_db_flash(struct iotflash_dev *dev, uint32_t jedec)
{
	return chipdb_flash(dev->s->ctx->db, dev->s->family, jedec);
}

IOTFLASH_API void iotflash_log(struct iotflash_dev *dev, enum iotflash_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ctx_vlog(dev->s->ctx, level, dev->s->chip->family, fmt, ap);
	va_end(ap);
}

IOTFLASH_API void iotflash_log_wire(struct iotflash_dev *dev, bool to_device, const uint8_t *buf, size_t len)
{
	struct iotflash_ctx *ctx = dev->s->ctx;
	char line[3 * 32 + 1];

	if (ctx->log_max < IOTFLASH_LOG_WIRE || !ctx->log_fn)
		return;
	for (size_t off = 0; off < len; off += 32) {
		size_t n = len - off < 32 ? len - off : 32, k = 0;
		for (size_t i = 0; i < n; i++)
			k += (size_t)snprintf(line + k, sizeof(line) - k, "%02x ", buf[off + i]);
		if (k)
			line[k - 1] = '\0';
		ctx_log(ctx, IOTFLASH_LOG_WIRE, dev->s->chip->family, "%s %s", to_device ? ">>" : "<<", line);
		if (off >= 64 && len - off > 64) {  /* long payloads: head and tail */
			off = len - 64 - (len % 32 ? len % 32 : 32);
			ctx_log(ctx, IOTFLASH_LOG_WIRE, dev->s->chip->family, "   ... (%zu bytes)", len);
		}
	}
}

IOTFLASH_API void iotflash_notice(struct iotflash_dev *dev, const char *fmt, ...)
{
	struct iotflash_ctx *ctx = dev->s->ctx;
	char msg[ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ctx->notice_fn)
		ctx->notice_fn(ctx->log_user, msg);
	else
		ctx_log(ctx, IOTFLASH_LOG_WARN, dev->s->chip->family, "%s", msg);
}

IOTFLASH_API int iotflash_fail(struct iotflash_dev *dev, int err, const char *fmt, ...)
{
	struct iotflash_ctx *ctx = dev->s->ctx;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->error, sizeof(ctx->error), fmt, ap);
	va_end(ap);
	ctx_log(ctx, IOTFLASH_LOG_DEBUG, dev->s->chip->family, "failure: %s", ctx->error);
	return err;
}

IOTFLASH_API uint64_t iotflash_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

IOTFLASH_API void iotflash_sleep_ms(struct iotflash_dev *dev, unsigned ms)
{
	while (ms > 0 && !(dev && dev->s->cancelled)) {
		unsigned step = ms > 20 ? 20 : ms;
		struct timespec ts = {0, (long)step * 1000000L};
		nanosleep(&ts, NULL);
		ms -= step;
	}
}
