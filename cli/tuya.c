/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* `iotflash tuya-config` and `iotflash beken-crypt`: offline analysis of
 * flash backups, thin front ends over libiotflash-formats (formats/). */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iotflash/iotflash.h>
#include <iotflash/tuya.h>

#include "tuya.h"

#define EXIT_OK 0
#define EXIT_FAILED 1
#define EXIT_BAD_USAGE 2

static int fail(const char *fmt, ...) IOTFLASH_PRINTF(1, 2);
static int fail(const char *fmt, ...)
{
	va_list ap;
	fputs("iotflash: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAILED;
}

/* ---- tuya-config: text output ---- */

static const char *level_text(int level)
{
	return level == 1 ? ", active high" : level == 0 ? ", active low" : "";
}

static void print_wifi(const struct iotflash_tuya_config *cfg, bool show_secrets)
{
	const char *ssid, *password;
	if (!iotflash_tuya_wifi(cfg, &ssid, &password))
		printf("  Wi-Fi:     not paired\n");
	else if (!show_secrets)
		printf("  Wi-Fi:     paired (SSID and password hidden; --show-secrets shows them)\n");
	else
		printf("  Wi-Fi:     SSID \"%s\", password \"%s\"\n", ssid ? ssid : "", password ? password : "");
}

static void print_summary(const struct iotflash_tuya_config *cfg, const char *label, bool show_secrets)
{
	const char *basis, *chip = iotflash_tuya_chip(cfg, &basis);
	const char *module = iotflash_tuya_module(cfg), *source = iotflash_tuya_template_source(cfg);
	unsigned seen, damaged;
	iotflash_tuya_sector_counts(cfg, &seen, &damaged);
	printf("Tuya configuration in %s\n", label);
	printf("  store:     key block at 0x%zX, %u data sectors", iotflash_tuya_store_offset(cfg), seen);
	printf(damaged ? " (%u damaged)\n" : "\n", damaged);
	if (chip)
		printf("  chip:      %s (from the %s)\n", chip, basis);
	else
		printf("  chip:      unknown\n");
	printf("  module:    %s\n", module ? module : "unknown");
	if (source)
		printf("  template:  %s, %u keys\n", source, iotflash_tuya_param_count(cfg));
	else
		printf("  template:  none found\n");
	print_wifi(cfg, show_secrets);
}

static void print_pins(const struct iotflash_tuya_config *cfg)
{
	unsigned n = iotflash_tuya_pin_count(cfg);
	if (!n)
		return;
	printf("Pins:\n");
	for (unsigned i = 0; i < n; i++) {
		const struct iotflash_tuya_pin *p = iotflash_tuya_pin(cfg, i);
		char pin[8];
		snprintf(pin, sizeof(pin), "P%u", p->pin);
		printf("  %-4s %-16s %s%s\n", pin, p->key, p->function, level_text(p->level));
	}
}

static bool is_pin_key(const struct iotflash_tuya_config *cfg, const char *key)
{
	for (unsigned i = 0; i < iotflash_tuya_pin_count(cfg); i++)
		if (!strcmp(iotflash_tuya_pin(cfg, i)->key, key))
			return true;
	return false;
}

static void print_other_settings(const struct iotflash_tuya_config *cfg)
{
	const char *key, *value;
	unsigned col = 0;
	for (unsigned i = 0; iotflash_tuya_param(cfg, i, &key, &value); i++) {
		if (is_pin_key(cfg, key) || !strcmp(key, "module"))
			continue;
		int w = printf("%s%s=%s", col ? " " : "  ", key, value);
		col += (unsigned)w;
		if (col > 72) {
			putchar('\n');
			col = 0;
		}
	}
	if (col)
		putchar('\n');
}

static void print_notes(const struct iotflash_tuya_config *cfg)
{
	for (unsigned i = 0; i < iotflash_tuya_note_count(cfg); i++)
		printf("Note: %s\n", iotflash_tuya_note(cfg, i));
}

static void print_openbeken(const struct iotflash_tuya_config *cfg)
{
	printf("OpenBeken pin roles:\n");
	unsigned shown = 0;
	for (unsigned i = 0; i < iotflash_tuya_pin_count(cfg); i++) {
		const struct iotflash_tuya_pin *p = iotflash_tuya_pin(cfg, i);
		if (!p->obk_role)
			continue;
		char pin[8];
		snprintf(pin, sizeof(pin), "P%u", p->pin);
		if (p->obk_channel >= 0)
			printf("  %-4s %-14s %d\n", pin, p->obk_role, p->obk_channel);
		else
			printf("  %-4s %s\n", pin, p->obk_role);
		shown++;
	}
	if (!shown)
		printf("  (none)\n");
	unsigned n = iotflash_tuya_obk_command_count(cfg);
	if (n)
		printf("OpenBeken startup commands:\n");
	for (unsigned i = 0; i < n; i++)
		printf("  %s\n", iotflash_tuya_obk_command(cfg, i));
}

static int print_json(const struct iotflash_tuya_config *cfg, bool show_secrets)
{
	char *json;
	int rc = iotflash_tuya_to_json(cfg, show_secrets, &json);
	if (rc)
		return fail("tuya-config: %s", iotflash_strerror(rc));
	fputs(json, stdout);
	free(json);
	return EXIT_OK;
}

int cli_tuya_config_mem(const uint8_t *dump, size_t len, const char *label, bool json,
                        bool openbeken, bool show_secrets)
{
	struct iotflash_tuya_config *cfg;
	char err[512];
	if (!label)
		label = "the dump";
	if (iotflash_tuya_extract(dump, len, &cfg, err, sizeof(err)))
		return fail("%s: %s", label, err);
	int status = EXIT_OK;
	if (json) {
		status = print_json(cfg, show_secrets);
	} else {
		print_summary(cfg, label, show_secrets);
		if (openbeken) {
			print_openbeken(cfg);
		} else {
			print_pins(cfg);
			if (iotflash_tuya_param_count(cfg))
				printf("Other template settings:\n");
			print_other_settings(cfg);
		}
		print_notes(cfg);
	}
	fflush(stdout);
	for (unsigned i = 0; i < iotflash_tuya_warning_count(cfg); i++)
		fprintf(stderr, "iotflash: warning: %s: %s\n", label, iotflash_tuya_warning(cfg, i));
	if (status == EXIT_OK && !iotflash_tuya_complete(cfg)) {
		fprintf(stderr, "iotflash: %s: the store is damaged; the output shows what could be "
		        "recovered\n", label);
		status = EXIT_TUYA_PARTIAL;
	}
	iotflash_tuya_free(cfg);
	return status;
}

int cli_tuya_config(const char *backup_path, bool json, bool openbeken, bool show_secrets)
{
	uint8_t *dump;
	size_t len;
	char err[512];
	if (!backup_path) {
		fail("tuya-config: which backup? usage: iotflash tuya-config BACKUP");
		return EXIT_BAD_USAGE;
	}
	if (iotflash_read_file(backup_path, true, &dump, &len, err, sizeof(err)))
		return fail("%s", err);
	int status = cli_tuya_config_mem(dump, len, backup_path, json, openbeken, show_secrets);
	free(dump);
	return status;
}

/* ---- beken-crypt ---- */

static const char beken_usage[] =
	"usage: iotflash beken-crypt decrypt [OPTIONS] INPUT OUTPUT\n"
	"       iotflash beken-crypt encrypt [OPTIONS] INPUT OUTPUT\n"
	"       iotflash beken-crypt find-key INPUT\n"
	"       iotflash beken-crypt crc-strip INPUT OUTPUT\n"
	"       iotflash beken-crypt crc-add INPUT OUTPUT\n"
	"\n"
	"Beken BK7231T/N code encryption, as stored in flash: 34-byte packets of 32\n"
	"data bytes and a CRC-16, encrypted per 32-bit word by logical address.\n"
	"\n"
	"  decrypt    strip the CRCs of INPUT (up to the first bad packet) and decrypt\n"
	"  encrypt    encrypt INPUT (a plain image) and add the CRCs\n"
	"  find-key   recover the key from the bootloader at the start of INPUT\n"
	"             (a full backup or a bootloader partition) and print it\n"
	"  crc-strip  only remove the CRC interleave; crc-add only add it\n"
	"\n"
	"Options:\n"
	"  --key KEY      tuya (default: 510fb093 a3cbeadc 5993a17e c7adeb03),\n"
	"                 zero (no encryption), auto (decrypt: recover it from the\n"
	"                 bootloader of INPUT), or four 32-bit hex words\n"
	"                 (\"510fb093,a3cbeadc,5993a17e,c7adeb03\") or 32 hex digits\n"
	"  --part P       INPUT is a full backup: bootloader (physical 0, address 0)\n"
	"                 or app (physical 0x11000, address 0x10000)\n"
	"  --offset OFF   start at this byte of INPUT (default 0)\n"
	"  --addr ADDR    logical address of the first byte (default 0)\n"
	"  --raw          no CRC interleave: decrypt reads, encrypt writes, plain words\n"
	"  -h, --help     this text\n"
	"Numbers take 0x hex, decimal and k/M suffixes.\n";

struct crypt_opts {
	const char *action, *input, *output, *key_text;
	uint32_t offset, addr;
	bool raw, addr_set, offset_set;
	const char *part;
};

static bool parse_hex_words(const char *text, uint32_t key[4])
{
	char digits[33];
	size_t n = 0;
	for (const char *p = text; *p; p++) {
		if (isxdigit((unsigned char)*p)) {
			if (n == 32)
				return false;
			digits[n++] = *p;
		} else if (*p != ',' && *p != ' ' && *p != ':') {
			return false;
		}
	}
	if (n != 32)
		return false;
	for (int w = 0; w < 4; w++) {
		char word[9];
		memcpy(word, digits + 8 * w, 8);
		word[8] = 0;
		key[w] = (uint32_t)strtoul(word, NULL, 16);
	}
	return true;
}

/* Option value: "--opt VALUE" or "--opt=VALUE". */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (!strcmp(argv[*i], name) && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

static int parse_number(const char *opt, const char *text, uint32_t *out)
{
	if (!iotflash_parse_u32(text, out)) {
		fail("beken-crypt: %s: not a number: %s", opt, text);
		return EXIT_BAD_USAGE;
	}
	return EXIT_OK;
}

static int parse_option(int argc, char **argv, int *i, struct crypt_opts *o)
{
	const char *v;
	if ((v = option_value(argc, argv, i, "--key"))) {
		o->key_text = v;
	} else if ((v = option_value(argc, argv, i, "--part"))) {
		o->part = v;
	} else if ((v = option_value(argc, argv, i, "--offset"))) {
		o->offset_set = true;
		return parse_number("--offset", v, &o->offset);
	} else if ((v = option_value(argc, argv, i, "--addr"))) {
		o->addr_set = true;
		return parse_number("--addr", v, &o->addr);
	} else if (!strcmp(argv[*i], "--raw")) {
		o->raw = true;
	} else {
		fail("beken-crypt: unknown option %s (see iotflash beken-crypt --help)", argv[*i]);
		return EXIT_BAD_USAGE;
	}
	return EXIT_OK;
}

static int parse_crypt_args(int argc, char **argv, struct crypt_opts *o, bool *help)
{
	const char *operands[3] = { NULL, NULL, NULL };
	int n_operands = 0;
	memset(o, 0, sizeof(*o));
	o->key_text = "tuya";
	*help = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			*help = true;
			return EXIT_OK;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			int rc = parse_option(argc, argv, &i, o);
			if (rc)
				return rc;
		} else if (n_operands < 3) {
			operands[n_operands++] = argv[i];
		} else {
			fail("beken-crypt: too many arguments (see iotflash beken-crypt --help)");
			return EXIT_BAD_USAGE;
		}
	}
	o->action = operands[0];
	o->input = operands[1];
	o->output = operands[2];
	return EXIT_OK;
}

static int check_operands(const struct crypt_opts *o)
{
	static const char *const two_files[] = { "decrypt", "encrypt", "crc-strip", "crc-add" };
	if (!o->action) {
		fail("beken-crypt: which action? (see iotflash beken-crypt --help)");
		return EXIT_BAD_USAGE;
	}
	if (!strcmp(o->action, "find-key")) {
		if (!o->input || o->output) {
			fail("beken-crypt: usage: iotflash beken-crypt find-key INPUT");
			return EXIT_BAD_USAGE;
		}
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(two_files) / sizeof(two_files[0]); i++) {
		if (strcmp(o->action, two_files[i]))
			continue;
		if (o->input && o->output)
			return EXIT_OK;
		fail("beken-crypt: usage: iotflash beken-crypt %s [OPTIONS] INPUT OUTPUT", o->action);
		return EXIT_BAD_USAGE;
	}
	fail("beken-crypt: unknown action '%s' (see iotflash beken-crypt --help)", o->action);
	return EXIT_BAD_USAGE;
}

/* --part sets where the partition starts and its logical address. */
static int apply_part(struct crypt_opts *o)
{
	if (!o->part)
		return EXIT_OK;
	uint32_t offset, addr;
	if (!strcmp(o->part, "bootloader")) {
		offset = 0;
		addr = 0;
	} else if (!strcmp(o->part, "app")) {
		offset = 0x11000;
		addr = 0x10000;
	} else {
		fail("beken-crypt: --part takes bootloader or app, not '%s'", o->part);
		return EXIT_BAD_USAGE;
	}
	if (!o->offset_set)
		o->offset = offset;
	if (!o->addr_set)
		o->addr = addr;
	return EXIT_OK;
}

static void print_key(const char *what, const uint32_t key[4])
{
	printf("%s%08x %08x %08x %08x", what, key[0], key[1], key[2], key[3]);
	if (!memcmp(key, iotflash_beken_tuya_key, 16))
		printf(" (the Tuya BK7231T/N key)");
	else if (!key[0] && !key[1] && !key[2] && !key[3])
		printf(" (no encryption)");
	putchar('\n');
}

static int recover_key(const uint8_t *data, size_t len, uint32_t key[4])
{
	char err[256];
	int rc = iotflash_beken_recover_key(data, len, key, err, sizeof(err));
	if (rc == IOTFLASH_ERR_VERIFY) {
		fprintf(stderr, "iotflash: warning: %s\n", err);
		return EXIT_OK;
	}
	return rc ? fail("beken-crypt: %s", err) : EXIT_OK;
}

static int resolve_key(const struct crypt_opts *o, const uint8_t *file, size_t file_len, uint32_t key[4])
{
	if (!strcmp(o->key_text, "tuya")) {
		memcpy(key, iotflash_beken_tuya_key, 16);
		return EXIT_OK;
	}
	if (!strcmp(o->key_text, "zero") || !strcmp(o->key_text, "none")) {
		memset(key, 0, 16);
		return EXIT_OK;
	}
	if (!strcmp(o->key_text, "auto")) {
		int rc = recover_key(file, file_len, key);
		if (!rc)
			print_key("key: ", key);
		return rc;
	}
	if (parse_hex_words(o->key_text, key))
		return EXIT_OK;
	fail("beken-crypt: --key: expected tuya, zero, auto or 4 hex words, not '%s'", o->key_text);
	return EXIT_BAD_USAGE;
}

static int write_output(const char *path, const uint8_t *data, size_t len)
{
	char err[512];
	if (iotflash_write_file_atomic(path, data, len, 0644, err, sizeof(err)))
		return fail("%s", err);
	return EXIT_OK;
}

static int do_decrypt(const struct crypt_opts *o, const uint8_t *in, size_t in_len, const uint32_t key[4])
{
	uint8_t *img = NULL;
	size_t img_len = in_len;
	if (o->raw) {
		img = malloc(in_len ? in_len : 1);
		if (!img)
			return fail("beken-crypt: out of memory");
		memcpy(img, in, in_len);
	} else {
		if (iotflash_beken_crc_strip(in, in_len, &img, &img_len))
			return fail("beken-crypt: out of memory");
		if (img_len == 0) {
			free(img);
			return fail("beken-crypt: %s: the first packet fails its CRC: not a CRC-interleaved "
			            "Beken image at offset 0x%x (try --raw or --part)", o->input, o->offset);
		}
		printf("%zu packets pass their CRC: %zu bytes of image\n", img_len / 32, img_len);
	}
	iotflash_beken_crypt(key, o->addr, img, img_len);
	int status = write_output(o->output, img, img_len);
	free(img);
	return status;
}

static int do_encrypt(const struct crypt_opts *o, const uint8_t *in, size_t in_len, const uint32_t key[4])
{
	uint8_t *img = malloc(in_len ? in_len : 1), *phys = NULL;
	size_t phys_len = 0;
	if (!img)
		return fail("beken-crypt: out of memory");
	memcpy(img, in, in_len);
	iotflash_beken_crypt(key, o->addr, img, in_len);
	int status;
	if (o->raw)
		status = write_output(o->output, img, in_len);
	else if (iotflash_beken_crc_add(img, in_len, &phys, &phys_len))
		status = fail("beken-crypt: out of memory");
	else
		status = write_output(o->output, phys, phys_len);
	free(img);
	free(phys);
	return status;
}

static int do_crc(const struct crypt_opts *o, const uint8_t *in, size_t in_len)
{
	uint8_t *out = NULL;
	size_t out_len = 0;
	bool strip = !strcmp(o->action, "crc-strip");
	int rc = strip ? iotflash_beken_crc_strip(in, in_len, &out, &out_len)
	               : iotflash_beken_crc_add(in, in_len, &out, &out_len);
	if (rc)
		return fail("beken-crypt: %s", iotflash_strerror(rc));
	if (strip)
		printf("%zu packets pass their CRC: %zu bytes\n", out_len / 32, out_len);
	int status = write_output(o->output, out, out_len);
	free(out);
	return status;
}

static int run_crypt(const struct crypt_opts *o, const uint8_t *file, size_t file_len)
{
	if (!strcmp(o->action, "find-key")) {
		uint32_t key[4];
		int rc = recover_key(file + o->offset, file_len - o->offset, key);
		if (!rc)
			print_key("", key);
		return rc;
	}
	const uint8_t *in = file + o->offset;
	size_t in_len = file_len - o->offset;
	if (!strncmp(o->action, "crc-", 4))
		return do_crc(o, in, in_len);
	uint32_t key[4];
	/* auto reads the bootloader from the start of the file, wherever the part is */
	int rc = resolve_key(o, file, file_len, key);
	if (rc)
		return rc;
	if (o->addr % 4)
		return fail("beken-crypt: --addr must be a multiple of 4");
	return !strcmp(o->action, "decrypt") ? do_decrypt(o, in, in_len, key)
	                                     : do_encrypt(o, in, in_len, key);
}

int cli_beken_crypt(int argc, char **argv)
{
	struct crypt_opts o;
	bool help;
	int rc = parse_crypt_args(argc, argv, &o, &help);
	if (rc)
		return rc;
	if (help) {
		fputs(beken_usage, stdout);
		return EXIT_OK;
	}
	if ((rc = check_operands(&o)) || (rc = apply_part(&o)))
		return rc;
	uint8_t *file;
	size_t file_len;
	char err[512];
	if (iotflash_read_file(o.input, false, &file, &file_len, err, sizeof(err)))
		return fail("%s", err);
	if (o.offset > file_len) {
		free(file);
		return fail("beken-crypt: --offset 0x%x is past the end of %s (%zu bytes)", o.offset,
		            o.input, file_len);
	}
	rc = run_crypt(&o, file, file_len);
	free(file);
	return rc;
}
