/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* What the CLI prints: one-line errors, results as text or JSON. */
#include "cli.h"

#include <stdarg.h>
#include <string.h>

static void vsay(const char *fmt, va_list ap)
{
	cli_progress_end();
	fputs("iotflash: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

void print_result_json(const char *command, const struct iotflash_result *r, uint32_t addr, const char *file,
                       const char *chip, int rc, const char *error)
{
	print_result_json_baud(command, r, addr, file, chip, 0, rc, error);
}

void print_result_json_baud(const char *command, const struct iotflash_result *r, uint32_t addr, const char *file,
                            const char *chip, uint32_t baud, int rc, const char *error)
{
	printf("{\"command\": ");
	json_string(stdout, command);
	printf(", \"ok\": %s", rc == 0 ? "true" : "false");
	if (chip) {
		printf(", \"chip\": ");
		json_string(stdout, chip);
	}
	if (r) {
		printf(", \"address\": %u, \"size\": %llu, \"moved\": %llu, \"skipped\": %llu, \"retries\": %u",
		       (unsigned)addr, (unsigned long long)r->bytes, (unsigned long long)r->moved,
		       (unsigned long long)r->skipped, r->retries);
		printf(", \"seconds\": %.3f, \"verified\": %s", r->seconds, r->verified ? "true" : "false");
		if (r->sha256[0])
			printf(", \"sha256\": \"%s\"", r->sha256);
		if (r->mismatch)
			printf(", \"mismatch\": {\"address\": %u, \"size\": %u}", (unsigned)r->mismatch_addr,
			       (unsigned)r->mismatch_len);
		if (baud)
			printf(", \"baud\": %u", (unsigned)baud);
		if (r->backup_path[0]) {
			printf(", \"backup\": ");
			json_string(stdout, r->backup_path);
		}
	}
	if (file) {
		printf(", \"file\": ");
		json_string(stdout, file);
	}
	if (error) {
		printf(", \"error\": ");
		json_string(stdout, error);
	}
	printf("}\n");
}

static const char *human_bytes(uint64_t n, char *buf, size_t len)
{
	if (n >= 1024 * 1024)
		snprintf(buf, len, "%.1f MiB", (double)n / (1024 * 1024));
	else if (n >= 1024)
		snprintf(buf, len, "%.1f KiB", (double)n / 1024);
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)n);
	return buf;
}

void print_result_text(const char *verb, const struct iotflash_result *r, uint32_t addr, const char *file)
{
	char a[32], b[32];
	double rate = r->seconds > 0 ? (double)r->bytes / r->seconds : 0;

	printf("%s %s at 0x%06x%s%s in %.1f s (%s/s)", verb, human_bytes(r->bytes, a, sizeof(a)), (unsigned)addr,
	       file ? (strcmp(verb, "Read") == 0 ? " to " : " from ") : "", file ? file : "", r->seconds,
	       human_bytes((uint64_t)rate, b, sizeof(b)));
	if (r->skipped)
		printf(", %s %s", human_bytes(r->skipped, a, sizeof(a)),
		       strcmp(verb, "Read") == 0 ? "blank, not transferred" : "unchanged, skipped");
	if (r->retries)
		printf(", %u block%s retried", r->retries, r->retries == 1 ? "" : "s");
	printf("%s\n", r->verified ? ", verified" : "");
	if (r->sha256[0])
		printf("SHA-256 %s\n", r->sha256);
	if (r->backup_path[0])
		printf("Backup of the old content: %s\n", r->backup_path);
}
