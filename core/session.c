/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The session layer (session.h): resolve chip, plugin, driver and
 * transport; open the port; connect and identify; prove the link rate and
 * step down; connect again after a reset.  It calls the driver only through
 * drv.h.  The step-down policy lives here and nowhere else: a driver's
 * open() connects at s->target_baud or reports IOTFLASH_ERR_BAUD, and a
 * rate that connects but garbles data fails the link proof; either way the
 * session lowers target_baud (session_next_rate) and connects again. */
#include "session.h"
#include "drv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int resolve_chip(struct iotflash_session *s, struct chipdb *db, const char *name)
{
	const struct iotflash_chip *c;

	if (!name || !*name)
		return ctx_fail(s->ctx, IOTFLASH_ERR_ARG, "no chip given: use --chip NAME (see `iotflash list-chips`)");
	if ((c = chipdb_find(db, name))) {
		s->requested = c;
		s->family = c->family;
		s->chip = c;
		return IOTFLASH_OK;
	}
	if (chipdb_is_family(db, name)) {
		s->family = chipdb_family_chip(db, name, 0)->family;
		s->chip = chipdb_family_chip(db, name, 0);  /* until detect says which */
		return IOTFLASH_OK;
	}
	return ctx_fail(s->ctx, IOTFLASH_ERR_UNKNOWN_CHIP,
	                "unknown chip '%s': `iotflash list-chips` lists the chips and families", name);
}

static int find_driver(struct iotflash_session *s, const struct iotflash_plugin *p)
{
	for (unsigned i = 0; p->drivers && p->drivers[i]; i++)
		if (strcmp(p->drivers[i]->name, s->chip->driver) == 0) {
			s->drv = p->drivers[i];
			return IOTFLASH_OK;
		}
	return ctx_fail(s->ctx, IOTFLASH_ERR_PLUGIN, "plugin %s has no driver '%s' (needed for %s)",
	                p->name, s->chip->driver, s->chip->name);
}

static int open_transport(struct iotflash_session *s, const struct iotflash_plugin *p, const char *port)
{
	char err[ERRLEN] = "";
	int rc;

	s->tr = &iotflash_serial_transport;
	for (unsigned i = 0; p->transports && p->transports[i]; i++)
		if (p->transports[i]->claims && p->transports[i]->claims(port))
			s->tr = p->transports[i];
	rc = s->tr->open(port, &s->tr_priv, err, sizeof(err));
	if (rc != IOTFLASH_OK)
		return ctx_fail(s->ctx, rc, "%s", err[0] ? err : iotflash_strerror(rc));
	return IOTFLASH_OK;
}

/* The detected chip replaces the requested one for planning; a contradiction
 * is remembered so that writes can refuse it without --force. */
static void reconcile_identity(struct iotflash_session *s)
{
	const struct iotflash_chip *found = s->info.chip;

	if (found) {
		if (s->requested && found != s->requested) {
			s->mismatch = true;
			snprintf(s->mismatch_msg, sizeof(s->mismatch_msg),
			         "the device reports %s, not %s as --chip says", found->name, s->requested->name);
		}
		s->chip = found;
	} else if (!s->requested) {
		ctx_log(s->ctx, IOTFLASH_LOG_WARN, "session",
		        "could not tell which %s chip this is; planning with %s", s->family, s->chip->name);
	}
	s->flash_size = s->info.flash_size ? s->info.flash_size : s->chip->flash_size;
	if (!s->info.flash_size)
		s->info.flash_size = s->flash_size;
}

/* Open the driver at the chip's link rate (it gets the bus and switches to
 * target_baud) and identify the device. */
static int connect(struct iotflash_session *s, const char *port)
{
	struct iotflash_ctx *ctx = s->ctx;
	int rc;

	s->baud = s->chip->link_baud;
	if (s->tr->set_baud && (rc = s->tr->set_baud(s->tr_priv, s->baud)) != IOTFLASH_OK)
		return ctx_fail(ctx, rc, "%s: cannot set %u baud", port, (unsigned)s->baud);
	ctx->error[0] = '\0';
	s->rx_bytes = 0;
	s->answered = false;
	if ((rc = drv_open(s)) != IOTFLASH_OK) {
		if (!ctx->error[0])
			ctx_fail(ctx, rc, "%s: %s", s->chip->family, iotflash_strerror(rc));
		if ((rc == IOTFLASH_ERR_NO_LINK || rc == IOTFLASH_ERR_TIMEOUT) && s->rx_bytes >= NOISE_BYTES && !s->answered)
			ctx_fail(ctx, rc, "no %s bootloader answered, but %llu bytes of other data arrived: something else talks "
			         "on this UART (a TuyaMCU on the same pins, a running firmware, or the wrong baud rate); "
			         "disconnect or hold it in reset, then retry",
			         s->chip->family, (unsigned long long)s->rx_bytes);
		return rc;
	}
	memset(&s->info, 0, sizeof(s->info));
	s->info.chip = s->requested;
	if ((rc = drv_detect(s, &s->info)) != IOTFLASH_OK) {
		char why[ERRLEN];
		snprintf(why, sizeof(why), "%s", ctx->error[0] ? ctx->error : iotflash_strerror(rc));
		return ctx_fail(ctx, rc, "connected, but identifying the chip failed: %s", why);
	}
	reconcile_identity(s);
	return IOTFLASH_OK;
}

uint32_t session_next_rate(const struct iotflash_chip *c, uint32_t from)
{
	static const int64_t common[] = {3000000, 2000000, 1500000, 1000000, 921600, 460800, 230400};
	const struct iotflash_param *p = iotflash_chip_param(c, "baud_steps");
	const int64_t *rates = common;
	unsigned n = sizeof(common) / sizeof(common[0]);
	uint32_t best = c->link_baud;

	if (p && p->type == IOTFLASH_PARAM_INT_LIST) {
		rates = p->ints;
		n = p->n;
	}
	for (unsigned i = 0; i < n; i++)  /* the list's order does not matter */
		if (rates[i] < (int64_t)from && rates[i] > (int64_t)best)
			best = (uint32_t)rates[i];
	return best;
}

/* Prove a rate above the link rate with test transfers: two block reads
 * of full length that agree but for a few bytes (see LINK_NOISE_BYTES),
 * within LINK_PROOF_TRIES reads, or two clean reads in a row whose replies
 * carried their own check (read_checked).  A read cut short proves nothing either
 * way.  A session that cannot read (a write-only chip, a missing read
 * stub) is taken as it is. */
static bool link_holds(struct iotflash_session *s)
{
	uint32_t rb = s->chip->read_block, addr = s->chip->app_offset;
	uint8_t *buf;
	bool have = false, holds = false;
	int checked_in_a_row = 0;

	if (s->baud <= s->chip->link_baud || !(buf = malloc(2 * (size_t)rb)))
		return true;
	addr = addr < s->flash_size ? addr - addr % rb : 0;
	for (int i = 0; i < LINK_PROOF_TRIES && !holds; i++) {
		uint8_t *now = buf + (size_t)(have ? rb : 0);
		int rc = drv_read(s, addr, now, rb);
		if (rc != IOTFLASH_OK && !drv_link_error(rc)) {
			holds = true;  /* cannot read here (no loader, write-only): nothing to prove with */
			break;
		}
		if (rc != IOTFLASH_OK) {
			checked_in_a_row = 0;
			continue;
		}
		if (s->read_checked) {  /* the reply carried its own check */
			holds = ++checked_in_a_row == 2;
			continue;
		}
		if (have) {
			uint32_t diff = 0;
			for (uint32_t k = 0; k < rb && diff <= LINK_NOISE_BYTES; k++)
				diff += buf[k] != buf[rb + k];
			holds = diff <= LINK_NOISE_BYTES;
			memcpy(buf, buf + rb, rb);  /* compare the next one with the latest */
		}
		have = true;
	}
	free(buf);
	s->ctx->error[0] = '\0';
	return holds;
}

/* A connect that failed on the link once the chip had shown itself was
 * most likely cut short by a reset: reconnecting (it was there a moment
 * ago), identifying after open() worked, or open() breaking off after the
 * bootloader answered.  NO_LINK from open() is the driver's verdict that
 * the chip is not in a mode it can use (e.g. a ROM monitor it could not
 * leave); asking again does not change that. */
static bool worth_connecting_again(struct iotflash_session *s, int rc, bool chip_was_there)
{
	if (!drv_link_error(rc))
		return false;
	if (chip_was_there || s->drv_priv)
		return true;
	return s->answered && rc != IOTFLASH_ERR_NO_LINK;
}

/* Connect at target_baud, up to CONNECT_TRIES times (see above). */
static int connect_tries(struct iotflash_session *s, bool chip_was_there)
{
	int rc;

	for (int attempt = 1;; attempt++) {
		rc = connect(s, s->port);
		if (rc == IOTFLASH_OK || attempt >= CONNECT_TRIES || !worth_connecting_again(s, rc, chip_was_there))
			return rc;
		ctx_log(s->ctx, IOTFLASH_LOG_WARN, "session", "%s; connecting again", s->ctx->error);
		drv_close(s);
	}
}

/* Connect, then step down while the rate does not hold: the driver could
 * not reach it (IOTFLASH_ERR_BAUD from open()), or the link garbles data
 * at it (link_holds).  The link rate itself is never stepped below, and
 * is the last step. */
static int bring_up(struct iotflash_session *s, bool chip_was_there)
{
	int rc;

	s->connecting = true;
	for (;;) {
		uint32_t from, lower;
		rc = connect_tries(s, chip_was_there);
		if (rc == IOTFLASH_OK && link_holds(s))
			break;
		if (rc == IOTFLASH_OK) {
			from = s->baud < s->target_baud ? s->baud : s->target_baud;
			lower = session_next_rate(s->chip, from);
			if (lower >= s->target_baud)
				break;  /* nothing lower to ask the driver for: take the link as it is */
			ctx_log(s->ctx, IOTFLASH_LOG_WARN, "session",
			        "the link garbles data at %u baud (adapter or wiring); stepping down to %u baud",
			        (unsigned)from, (unsigned)lower);
			drv_close(s);
			s->rate_limit = lower;
		} else if (rc == IOTFLASH_ERR_BAUD && s->target_baud != s->chip->link_baud) {
			/* A rate below the link rate (-b) that the chip has no way
			 * to take: the link rate, where every session starts. */
			from = s->target_baud;
			lower = session_next_rate(s->chip, from);
			ctx_log(s->ctx, IOTFLASH_LOG_WARN, "session", "%s; %s %u baud", s->ctx->error,
			        lower < from ? "stepping down to" : "staying at the link rate,", (unsigned)lower);
			s->rate_limit = lower;
		} else {
			break;
		}
		s->target_baud = lower;
	}
	s->connecting = false;
	return rc;
}

int session_reconnect(struct iotflash_session *s)
{
	struct iotflash_chip_info before = s->info;
	const struct iotflash_chip *chip = s->chip;
	char why[ERRLEN];
	int rc;

	ctx_log(s->ctx, IOTFLASH_LOG_WARN, "session",
	        "%s stopped answering (reset by a power dip or a loose wire?); connecting again", chip->name);
	s->ctx->error[0] = '\0';
	drv_close(s);
	if ((rc = bring_up(s, true)) != IOTFLASH_OK) {
		snprintf(why, sizeof(why), "%s", s->ctx->error[0] ? s->ctx->error : iotflash_strerror(rc));
		snprintf(s->lost_msg, sizeof(s->lost_msg),
		         "%s stopped answering and connecting again failed (%.300s): check its power and wiring, then run "
		         "the command again", chip->name, why);
		s->lost = true;
		return ctx_fail(s->ctx, rc, "%s", s->lost_msg);
	}
	if (s->chip != chip || s->info.flash_id != before.flash_id || s->flash_size != before.flash_size ||
	    s->info.chip_id != before.chip_id) {
		snprintf(s->lost_msg, sizeof(s->lost_msg),
		         "after connecting again, the device reports %s (flash id 0x%06x), not the %s (0x%06x) this "
		         "operation began on: stopped", s->chip->name, (unsigned)s->info.flash_id, chip->name,
		         (unsigned)before.flash_id);
		s->lost = true;
		return ctx_fail(s->ctx, IOTFLASH_ERR_MISMATCH, "%s", s->lost_msg);
	}
	ctx_log(s->ctx, IOTFLASH_LOG_INFO, "session", "connected again at %u baud; going on", (unsigned)s->baud);
	return IOTFLASH_OK;
}

uint32_t session_op_rate(struct iotflash_session *s, enum session_op op)
{
	const struct iotflash_chip *c = s->chip;
	uint32_t read = c->max_baud_read ? c->max_baud_read : c->max_baud;
	uint32_t rate = op == SESSION_READ ? read : c->max_baud_write ? c->max_baud_write : c->max_baud;

	if (s->asked_baud)
		rate = s->asked_baud;
	else if (op == SESSION_WRITE && !drv_has_sum(s) && read < rate)
		rate = read;  /* its verification reads back */
	if (s->rate_limit && rate > s->rate_limit)
		rate = s->rate_limit;
	return rate;
}

int session_use_rate(struct iotflash_session *s, enum session_op op)
{
	uint32_t rate = session_op_rate(s, op);
	char why[ERRLEN];
	int rc;

	if (rate == s->target_baud || s->lost)
		return IOTFLASH_OK;
	ctx_log(s->ctx, IOTFLASH_LOG_INFO, "session", "%s at %u baud (the chip database's ceiling for %s); connecting again",
	        op == SESSION_READ ? "reading" : "writing", (unsigned)rate, s->chip->name);
	drv_close(s);
	s->target_baud = rate;
	if ((rc = bring_up(s, true)) != IOTFLASH_OK) {
		snprintf(why, sizeof(why), "%s", s->ctx->error[0] ? s->ctx->error : iotflash_strerror(rc));
		snprintf(s->lost_msg, sizeof(s->lost_msg), "connecting again at %u baud failed (%.300s)", (unsigned)rate, why);
		s->lost = true;
		return ctx_fail(s->ctx, rc, "%s", s->lost_msg);
	}
	ctx_log(s->ctx, IOTFLASH_LOG_INFO, "session", "%s at %u baud", op == SESSION_READ ? "reads" : "writes",
	        (unsigned)s->baud);
	return IOTFLASH_OK;
}

IOTFLASH_API int iotflash_session_open(struct iotflash_ctx *ctx, const struct iotflash_open_opts *o,
                                       struct iotflash_session **out)
{
	struct iotflash_session *s = calloc(1, sizeof(*s));
	const struct iotflash_plugin *plugin;
	struct plugin_set *ps;
	struct chipdb *db;
	int rc;

	if (!s)
		return ctx_fail(ctx, IOTFLASH_ERR_NOMEM, "out of memory");
	s->ctx = ctx;
	s->dev.s = s;
	s->force = o->force;
	if ((rc = ctx_db(ctx, &db)) != IOTFLASH_OK || (rc = resolve_chip(s, db, o->chip)) != IOTFLASH_OK)
		goto fail;
	if (!o->port || !*o->port) {
		rc = ctx_fail(ctx, IOTFLASH_ERR_ARG, "no port given: use --port PORT (see `iotflash list-ports`)");
		goto fail;
	}
	if (o->loader && !(s->loader_path = strdup(o->loader))) {
		rc = ctx_fail(ctx, IOTFLASH_ERR_NOMEM, "out of memory");
		goto fail;
	}
	s->asked_baud = o->baud;
	s->target_baud = session_op_rate(s, SESSION_READ);  /* most sessions read first */
	if ((rc = ctx_plugins(ctx, &ps)) != IOTFLASH_OK)
		goto fail;
	if ((rc = plugin_set_load(ps, s->chip->plugin, &plugin, ctx->error, sizeof(ctx->error))) != IOTFLASH_OK)
		goto fail;
	if ((rc = find_driver(s, plugin)) != IOTFLASH_OK || (rc = open_transport(s, plugin, o->port)) != IOTFLASH_OK)
		goto fail;
	if (!(s->port = strdup(o->port))) {
		rc = ctx_fail(ctx, IOTFLASH_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if ((rc = bring_up(s, false)) != IOTFLASH_OK)
		goto fail;
	*out = s;
	return IOTFLASH_OK;
fail:
	iotflash_session_close(s);
	return rc;
}

IOTFLASH_API void iotflash_session_close(struct iotflash_session *s)
{
	if (!s)
		return;
	drv_close(s);
	if (s->tr && s->tr_priv)
		s->tr->close(s->tr_priv);
	free(s->loader_path);
	free(s->loader);
	for (size_t i = 0; i < sizeof s->role_loaders / sizeof s->role_loaders[0]; i++)
		free(s->role_loaders[i].data);
	free(s->port);
	free(s);
}

IOTFLASH_API const struct iotflash_chip_info *iotflash_session_info(struct iotflash_session *s) { return &s->info; }
IOTFLASH_API const struct iotflash_chip *iotflash_session_chip(struct iotflash_session *s) { return s->chip; }
IOTFLASH_API uint32_t iotflash_session_flash_size(struct iotflash_session *s) { return s->flash_size; }
IOTFLASH_API uint32_t iotflash_session_baud(struct iotflash_session *s) { return s->baud; }
IOTFLASH_API void iotflash_session_cancel(struct iotflash_session *s) { s->cancelled = 1; }
