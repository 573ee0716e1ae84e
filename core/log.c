/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Context-level logging: format once, hand to the front end's callback. */
#include "config.h"

#include <stdio.h>

#include "internal.h"

IOTFLASH_API void iotflash_ctx_set_log(struct iotflash_ctx *ctx, enum iotflash_log_level max,
                                       iotflash_log_fn fn, iotflash_notice_fn notice, void *user)
{
	if (!ctx)
		return;
	ctx->log_max = max;
	ctx->log_fn = fn;
	ctx->notice_fn = notice;
	ctx->log_user = user;
}

void ctx_vlog(struct iotflash_ctx *ctx, enum iotflash_log_level lvl, const char *domain,
              const char *fmt, va_list ap)
{
	char msg[1024];

	/* Formatting costs time on the wire path: skip it when nobody listens. */
	if (!ctx || !ctx->log_fn || lvl > ctx->log_max)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	ctx->log_fn(ctx->log_user, lvl, domain ? domain : "core", msg);
}

void ctx_log(struct iotflash_ctx *ctx, enum iotflash_log_level lvl, const char *domain,
             const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx_vlog(ctx, lvl, domain, fmt, ap);
	va_end(ap);
}
