/* SPDX-License-Identifier: GPL-2.0-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The USB VID:PID table that marks likely USB-UART adapters in list-ports. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

START_TEST(known_adapters)
{
	ck_assert_ptr_nonnull(strstr(serial_adapter_name(0x1a86, 0x7523), "CH340"));
	ck_assert_ptr_nonnull(strstr(serial_adapter_name(0x1a86, 0x5523), "CH341"));
	ck_assert_ptr_nonnull(strstr(serial_adapter_name(0x10c4, 0xea60), "CP210x"));
	ck_assert_ptr_nonnull(strstr(serial_adapter_name(0x067b, 0x2303), "PL2303"));
	ck_assert_ptr_nonnull(strstr(serial_adapter_name(0x0403, 0x6001), "FTDI"));
	ck_assert_ptr_nonnull(strstr(serial_adapter_name(0x0403, 0x6010), "FTDI"));
	ck_assert_ptr_nonnull(strstr(serial_adapter_name(0x0403, 0x6014), "FTDI"));
	ck_assert_ptr_nonnull(strstr(serial_adapter_name(0x0403, 0x6015), "FTDI"));
}
END_TEST

START_TEST(unknown_ids)
{
	/* The CH341A in SPI mode (1a86:5512) is no UART; nor is a swapped pair. */
	ck_assert_ptr_null(serial_adapter_name(0x1a86, 0x5512));
	ck_assert_ptr_null(serial_adapter_name(0x7523, 0x1a86));
	ck_assert_ptr_null(serial_adapter_name(0x0403, 0x0000));
	ck_assert_ptr_null(serial_adapter_name(0, 0));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("adapters");
	TCase *tc = tcase_create("lookup");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, known_adapters);
	tcase_add_test(tc, unknown_ids);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
