/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The session layer: open the port, connect (the driver's open() at the
 * rate asked for), identify, prove the link rate and step down, and connect
 * again after a reset.  Below it only drv.h; above it link.h. */
#ifndef IOTFLASH_SESSION_H
#define IOTFLASH_SESSION_H

#include "state.h"

/* Test transfers that prove a link rate before any real work: up to this
 * many block reads, until two of full length differ in at most
 * LINK_NOISE_BYTES bytes (a rate the adapter cannot carry garbles tens of
 * bytes per block; a noisy line at a good rate a few, issue 16). */
#define LINK_PROOF_TRIES 10
#define LINK_NOISE_BYTES 8
/* Connects tried when the chip goes quiet while the session gets the bus. */
#define CONNECT_TRIES 3
/* This much unexplained data while no bootloader answers is another talker. */
#define NOISE_BYTES 64

/* Close the driver and connect again as the session began; fails (and
 * marks the session lost) if that fails or the device that answers is not
 * the one identified before. */
int session_reconnect(struct iotflash_session *s);
/* The rate to try after `from` failed: the next lower one of the chip's
 * `baud_steps` (chip database params; a common list without one) above
 * its link_baud, else link_baud itself. */
uint32_t session_next_rate(const struct iotflash_chip *c, uint32_t from);

/* What an operation moves, for its rate (session_use_rate). */
enum session_op { SESSION_READ, SESSION_WRITE };
/* The rate an operation runs at: --baud if given, else the chip's ceiling
 * for it (max_baud_read / max_baud_write, else max_baud); a write that is
 * verified by reading back takes the lower of both.  Never above a rate a
 * step-down fell to. */
uint32_t session_op_rate(struct iotflash_session *s, enum session_op op);
/* Connect again at session_op_rate() when the session is at another rate. */
int session_use_rate(struct iotflash_session *s, enum session_op op);

#endif
