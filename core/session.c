/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Sessions: resolve chip, plugin, driver and transport; open the port; get
 * the bus and identify the device.  Also the services drivers call. */
#include "engine.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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
	if ((rc = s->drv->open(&s->dev, &s->drv_priv)) != IOTFLASH_OK) {
		if (!ctx->error[0])
			ctx_fail(ctx, rc, "%s: %s", s->chip->family, iotflash_strerror(rc));
		s->drv_priv = NULL;
		if ((rc == IOTFLASH_ERR_NO_LINK || rc == IOTFLASH_ERR_TIMEOUT) && s->rx_bytes >= NOISE_BYTES && !s->answered)
			ctx_fail(ctx, rc, "no %s bootloader answered, but %llu bytes of other data arrived: something else talks "
			         "on this UART (a TuyaMCU on the same pins, a running firmware, or the wrong baud rate); "
			         "disconnect or hold it in reset, then retry",
			         s->chip->family, (unsigned long long)s->rx_bytes);
		return rc;
	}
	memset(&s->info, 0, sizeof(s->info));
	s->info.chip = s->requested;
	if ((rc = s->drv->detect(s->drv_priv, &s->info)) != IOTFLASH_OK) {
		char why[ERRLEN];
		snprintf(why, sizeof(why), "%s", ctx->error[0] ? ctx->error : iotflash_strerror(rc));
		return ctx_fail(ctx, rc, "connected, but identifying the chip failed: %s", why);
	}
	reconcile_identity(s);
	return IOTFLASH_OK;
}

static uint32_t next_lower_rate(uint32_t baud)
{
	static const uint32_t rates[] = {3000000, 2000000, 1500000, 921600, 460800, 230400, 115200};
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
		if (rates[i] < baud)
			return rates[i];
	return 115200;
}

/* Prove a rate above the link rate with test transfers: two clean block
 * reads in a row within LINK_PROOF_TRIES, each checked by the chip's
 * checksum or, without one, by a second read that must agree.  A session
 * that cannot read (a write-only chip, a missing read stub) is taken as it is. */
static bool link_holds(struct iotflash_session *s)
{
	uint32_t rb = s->chip->read_block, addr = s->chip->app_offset;
	uint8_t dev[IOTFLASH_SUM_MAX], host[IOTFLASH_SUM_MAX], *buf;
	bool sum = engine_has_sum(s);
	int clean = 0;

	if (s->baud <= s->chip->link_baud || !(buf = malloc(2 * (size_t)rb)))
		return true;
	addr = addr < s->flash_size ? addr - addr % rb : 0;
	for (int i = 0; i < LINK_PROOF_TRIES && clean < 2; i++) {
		int rc = s->drv->read(s->drv_priv, addr, buf, rb);
		bool ok = rc == IOTFLASH_OK;
		if (rc != IOTFLASH_OK && !engine_link_error(rc)) {
			clean = 2;  /* cannot read here (no loader, write-only): nothing to prove with */
			break;
		}
		if (ok && sum)
			ok = engine_device_sum(s, addr, rb, dev) == IOTFLASH_OK &&
			     memcmp(dev, host, engine_host_sum(s, buf, rb, host)) == 0;
		else if (ok)
			ok = s->drv->read(s->drv_priv, addr, buf + rb, rb) == IOTFLASH_OK && memcmp(buf, buf + rb, rb) == 0;
		clean = ok ? clean + 1 : 0;
	}
	free(buf);
	s->ctx->error[0] = '\0';
	return clean >= 2;
}

/* A connect that failed on the link once the chip had shown itself was
 * most likely cut short by a reset: reconnecting (it was there a moment
 * ago), identifying after open() worked, or open() breaking off after the
 * bootloader answered.  NO_LINK from open() is the driver's verdict that
 * the chip is not in a mode it can use (e.g. a ROM monitor it could not
 * leave); asking again does not change that. */
static bool worth_connecting_again(struct iotflash_session *s, int rc, bool chip_was_there)
{
	if (!engine_link_error(rc))
		return false;
	if (chip_was_there || s->drv_priv)
		return true;
	return s->answered && rc != IOTFLASH_ERR_NO_LINK;
}

/* Connect at the target rate (up to CONNECT_TRIES times, see above) and
 * step down until the link carries data. */
static int bring_up(struct iotflash_session *s, bool chip_was_there)
{
	int rc;

	s->connecting = true;
	for (int attempt = 1;; attempt++) {
		rc = connect(s, s->port);
		if (rc == IOTFLASH_OK || attempt >= CONNECT_TRIES || !worth_connecting_again(s, rc, chip_was_there))
			break;
		ctx_log(s->ctx, IOTFLASH_LOG_WARN, "session", "%s; connecting again", s->ctx->error);
		if (s->drv_priv)
			s->drv->close(s->drv_priv);
		s->drv_priv = NULL;
	}
	if (rc != IOTFLASH_OK)
		goto out;
	while (!link_holds(s)) {
		uint32_t lower = next_lower_rate(s->baud);
		ctx_log(s->ctx, IOTFLASH_LOG_WARN, "session",
		        "the link garbles data at %u baud (adapter or wiring); stepping down to %u baud",
		        (unsigned)s->baud, (unsigned)lower);
		s->drv->close(s->drv_priv);
		s->drv_priv = NULL;
		s->target_baud = lower;
		if ((rc = connect(s, s->port)) != IOTFLASH_OK)
			goto out;
	}
out:
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
	if (s->drv_priv)
		s->drv->close(s->drv_priv);
	s->drv_priv = NULL;
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
	s->target_baud = o->baud ? o->baud : s->chip->max_baud;
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
	if (s->drv && s->drv_priv)
		s->drv->close(s->drv_priv);
	if (s->tr && s->tr_priv)
		s->tr->close(s->tr_priv);
	free(s->loader_path);
	free(s->loader);
	free(s->port);
	free(s);
}

IOTFLASH_API const struct iotflash_chip_info *iotflash_session_info(struct iotflash_session *s) { return &s->info; }
IOTFLASH_API const struct iotflash_chip *iotflash_session_chip(struct iotflash_session *s) { return s->chip; }
IOTFLASH_API uint32_t iotflash_session_flash_size(struct iotflash_session *s) { return s->flash_size; }
IOTFLASH_API uint32_t iotflash_session_baud(struct iotflash_session *s) { return s->baud; }
IOTFLASH_API void iotflash_session_cancel(struct iotflash_session *s) { s->cancelled = 1; }

/* ---- services for drivers ---- */

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

/* The database's SHA-256 of a vendor loader; all zeros means nobody has
 * recorded it yet, and any file is taken (with a warning). */
static bool sha_known(const char *want)
{
	return want && strspn(want, "0") != strlen(want);
}

static bool sha_matches(struct iotflash_dev *dev, const uint8_t *data, size_t len, const char *want)
{
	char got[65];
	sha256_hex(data, len, got);
	if (!sha_known(want)) {
		iotflash_log(dev, IOTFLASH_LOG_WARN, "the chip database records no SHA-256 for this loader; using it unchecked "
		             "(its SHA-256 is %s)", got);
		return true;
	}
	return strcasecmp(got, want) == 0;
}

IOTFLASH_API int iotflash_dev_loader(struct iotflash_dev *dev, const uint8_t **data, size_t *len)
{
	return iotflash_dev_chip_loader(dev, dev->s->chip, data, len);
}

/* --loader FILE, else $(datadir)/iotflash/loaders, else ~/.local/share/iotflash/loaders. */
IOTFLASH_API int iotflash_dev_chip_loader(struct iotflash_dev *dev, const struct iotflash_chip *c,
                                          const uint8_t **data, size_t *len)
{
	struct iotflash_session *s = dev->s;
	const char *home = getenv("HOME");
	char paths[2][4096], err[ERRLEN];

	if (s->loader && s->loader_chip != c) {  /* another chip's loader */
		free(s->loader);
		s->loader = NULL;
	}
	if (s->loader) {
		*data = s->loader;
		*len = s->loader_len;
		return IOTFLASH_OK;
	}
	if (!c->loader_file)
		return iotflash_fail(dev, IOTFLASH_ERR_UNSUPPORTED, "%s needs no RAM loader", c->name);
	if (s->loader_path) {
		if (iotflash_read_file(s->loader_path, true, &s->loader, &s->loader_len, err, sizeof(err)) != IOTFLASH_OK)
			return iotflash_fail(dev, IOTFLASH_ERR_LOADER_MISSING, "--loader: %s", err);
		if (!sha_matches(dev, s->loader, s->loader_len, c->loader_sha256))
			iotflash_log(dev, IOTFLASH_LOG_WARN, "%s is not the %s the chip database expects (SHA-256 differs); using it as asked",
			             s->loader_path, c->loader_file);
	} else {
		snprintf(paths[0], sizeof(paths[0]), "%s/%s", LOADERDIR, c->loader_file);
		snprintf(paths[1], sizeof(paths[1]), "%s/.local/share/iotflash/loaders/%s", home ? home : "", c->loader_file);
		for (int i = 0; i < 2 && !s->loader; i++) {
			if (iotflash_read_file(paths[i], true, &s->loader, &s->loader_len, err, sizeof(err)) != IOTFLASH_OK)
				continue;
			if (!sha_matches(dev, s->loader, s->loader_len, c->loader_sha256)) {
				iotflash_log(dev, IOTFLASH_LOG_WARN, "%s: SHA-256 differs from the chip database; ignored", paths[i]);
				free(s->loader);
				s->loader = NULL;
			}
		}
		if (!s->loader)
			return iotflash_fail(dev, IOTFLASH_ERR_LOADER_MISSING,
			                     "%s needs the vendor RAM loader %s%s%.16s%s: get it from the vendor's flashing tool "
			                     "and put it in %s/ or ~/.local/share/iotflash/loaders/, or pass --loader FILE",
			                     c->name, c->loader_file, sha_known(c->loader_sha256) ? " (SHA-256 " : "",
			                     sha_known(c->loader_sha256) ? c->loader_sha256 : "",
			                     sha_known(c->loader_sha256) ? "...)" : "", LOADERDIR);
	}
	s->loader_chip = c;
	*data = s->loader;
	*len = s->loader_len;
	return IOTFLASH_OK;
}

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
