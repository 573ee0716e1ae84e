/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The link layer: the driver's flash ops as the operations call them.  A
 * chip that stops answering is connected again (session.h) and the call
 * repeated; a session whose reconnect failed fails at once.  Below it
 * session.h and drv.h; above it engine.h. */
#ifndef IOTFLASH_LINK_H
#define IOTFLASH_LINK_H

#include "state.h"

/* A chip that stops answering is connected again after this many link
 * failures in a row, at most RECONNECTS times per session. */
#define RECONNECT_AFTER 4
#define RECONNECTS 4

int link_read(struct iotflash_session *s, uint32_t addr, uint8_t *buf, uint32_t len);
int link_write(struct iotflash_session *s, uint32_t addr, const uint8_t *buf, uint32_t len);
int link_erase(struct iotflash_session *s, uint32_t addr, uint32_t len);
int link_sum(struct iotflash_session *s, uint32_t addr, uint32_t len, uint8_t *sum);
/* Before reading (write = false) or writing: connect again at that
 * operation's rate when the session is at another (session_use_rate). */
int link_use_rate(struct iotflash_session *s, bool write);

#endif
