/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device models of the ECR6600 ROM + A5 stub and of the TR6260 ROM +
 * loader, hosted by iotflash-sim.  See model.c for the chip database
 * params they read. */
#ifndef IOTFLASH_ESWIN_MODEL_H
#define IOTFLASH_ESWIN_MODEL_H

#include <iotflash/model.h>

extern const struct iotflash_model_ops eswin_model;

/* Is this image a loader the model can "run"?  The real file (its SHA-256
 * in the chip database) or a test stand-in: `tag` at 0x100 (0x20 on
 * TR6260) and the SHA-256 of everything before them as its last 32 bytes. */
bool eswin_model_loader_ok(const struct iotflash_chip *chip, const uint8_t *img, size_t len, const char *tag,
                           size_t tag_off);

/* Shared by both ROMs: wait for `cnys` in a sliding window (garbage gets no
 * answer); ignore everything until reset (after `run`, or a crash). */
int eswin_model_wait_sync(struct iotflash_sim *sim);
int eswin_model_dead(struct iotflash_sim *sim);
int tr6260_serve(struct iotflash_sim *sim, const struct iotflash_chip *chip);

#endif
