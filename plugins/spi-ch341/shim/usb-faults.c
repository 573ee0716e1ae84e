/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Parsing of the CH341A model's --faults SPEC, see usb-faults.h. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "usb-faults.h"

#define MAX_DEVICES 2

static bool parse_uint(const char *s, int base, unsigned long max, unsigned long *out)
{
	char *end;
	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	unsigned long v = strtoul(s, &end, base);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static bool apply_flag(const char *key, struct usb_faults *f)
{
	if (!strcmp(key, "access"))
		f->access = true;
	else if (!strcmp(key, "busy"))
		f->busy = true;
	else if (!strcmp(key, "kernel-driver"))
		f->kernel_driver = true;
	else if (!strcmp(key, "no-chip"))
		f->miso = 0xFF;
	else if (!strcmp(key, "miso-low"))
		f->miso = 0x00;
	else if (!strcmp(key, "wp-low"))
		f->wp_low = true;
	else
		return false;
	return true;
}

static bool apply_value(const char *key, const char *val, struct usb_faults *f, char *err, size_t errlen)
{
	unsigned long v;

	if (!strcmp(key, "unplug") || !strcmp(key, "stall")) {
		if (!parse_uint(val, 10, 1000000000, &v) || v == 0) {
			snprintf(err, errlen, "%s=%s: want a transfer count >= 1", key, val);
			return false;
		}
		*(key[0] == 'u' ? &f->unplug_after : &f->stall_at) = (unsigned)v;
	} else if (!strcmp(key, "devices")) {
		if (!parse_uint(val, 10, MAX_DEVICES, &v)) {
			snprintf(err, errlen, "devices=%s: want 0, 1 or 2", val);
			return false;
		}
		f->devices = (unsigned)v;
	} else if (!strcmp(key, "pid")) {
		if (!parse_uint(val, 16, 0xFFFF, &v)) {
			snprintf(err, errlen, "pid=%s: want a hex USB product id (5512, 5523, 7523)", val);
			return false;
		}
		f->pid = (uint16_t)v;
	} else if (!strcmp(key, "sr")) {
		if (!parse_uint(val, 16, 0xFFFF, &v)) {
			snprintf(err, errlen, "sr=%s: want hex SR1 | SR2 << 8", val);
			return false;
		}
		f->sr = (uint32_t)v;
		f->sr_set = true;
	} else {
		snprintf(err, errlen, "unknown USB fault '%s'", key);
		return false;
	}
	return true;
}

bool usb_faults_parse(const char *spec, struct usb_faults *f, char *err, size_t errlen)
{
	char buf[512], *save = NULL;

	memset(f, 0, sizeof(*f));
	f->devices = 1;
	f->pid = 0x5512;
	f->miso = -1;
	if (!spec || !*spec)
		return true;
	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "fault SPEC too long");
		return false;
	}
	strcpy(buf, spec);
	for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		if (eq) {
			*eq = '\0';
			if (!apply_value(item, eq + 1, f, err, errlen))
				return false;
		} else if (!apply_flag(item, f)) {
			snprintf(err, errlen, "unknown USB fault '%s'%s", item,
			         !strcmp(item, "unplug") || !strcmp(item, "stall") ? " (it takes =N)" : "");
			return false;
		}
	}
	return true;
}
