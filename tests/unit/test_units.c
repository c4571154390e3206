/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit parsing/formatting and name validation (config/units.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "isolate_config.h"

#define UNTOUCHED 4242

/* Macros, not functions, so a failure names the line of the case. */
#define ok(fn, s, want)                                                                            \
	do {                                                                                       \
		int64_t v_ = UNTOUCHED;                                                            \
		assert_int_equal(fn(s, &v_), 0);                                                   \
		assert_int_equal(v_, want);                                                        \
	} while (0)

/* ...and the out-param must stay untouched on failure. */
#define bad(fn, s, want_err)                                                                       \
	do {                                                                                       \
		int64_t v_ = UNTOUCHED;                                                            \
		assert_int_equal(fn(s, &v_), want_err);                                            \
		assert_int_equal(v_, UNTOUCHED);                                                   \
	} while (0)

static void test_percent(void **state)
{
	(void)state;
	ok(iso_parse_percent, "50%", 5000);
	ok(iso_parse_percent, "100%", 10000);
	ok(iso_parse_percent, "250%", 25000);
	ok(iso_parse_percent, "12.5%", 1250);
	ok(iso_parse_percent, "12.25%", 1225);
	ok(iso_parse_percent, "0.01%", 1);
	ok(iso_parse_percent, "0%", 0);
	ok(iso_parse_percent, "007%", 700);
	ok(iso_parse_percent, "max", ISO_MAX);
	ok(iso_parse_percent, "MAX", ISO_MAX);
	ok(iso_parse_percent, "92233720368547758%", INT64_C(9223372036854775800));
	bad(iso_parse_percent, "92233720368547759%", -ERANGE);
	bad(iso_parse_percent, "99999999999999999999%", -ERANGE);
	bad(iso_parse_percent, "12.345%", -EINVAL);
	bad(iso_parse_percent, "12.%", -EINVAL);
	bad(iso_parse_percent, ".5%", -EINVAL);
	bad(iso_parse_percent, "50", -EINVAL);
	bad(iso_parse_percent, "50%%", -EINVAL);
	bad(iso_parse_percent, " 50%", -EINVAL);
	bad(iso_parse_percent, "50 %", -EINVAL);
	bad(iso_parse_percent, "-5%", -EINVAL);
	bad(iso_parse_percent, "+5%", -EINVAL);
	bad(iso_parse_percent, "", -EINVAL);
	bad(iso_parse_percent, "fifty", -EINVAL);
	bad(iso_parse_percent, "maximum", -EINVAL);
	bad(iso_parse_percent, NULL, -EINVAL);
}

static void test_duration(void **state)
{
	(void)state;
	ok(iso_parse_duration_us, "100ms", 100000);
	ok(iso_parse_duration_us, "1s", 1000000);
	ok(iso_parse_duration_us, "5000us", 5000);
	ok(iso_parse_duration_us, "5000", 5000);
	ok(iso_parse_duration_us, "100MS", 100000);
	ok(iso_parse_duration_us, "2S", 2000000);
	ok(iso_parse_duration_us, "0", 0);
	ok(iso_parse_duration_us, "9223372036854s", INT64_C(9223372036854000000));
	bad(iso_parse_duration_us, "9223372036855s", -ERANGE);
	bad(iso_parse_duration_us, "99999999999999999999", -ERANGE);
	bad(iso_parse_duration_us, "100 ms", -EINVAL);
	bad(iso_parse_duration_us, " 100ms", -EINVAL);
	bad(iso_parse_duration_us, "ms", -EINVAL);
	bad(iso_parse_duration_us, "1m", -EINVAL);
	bad(iso_parse_duration_us, "1.5s", -EINVAL);
	bad(iso_parse_duration_us, "-1s", -EINVAL);
	bad(iso_parse_duration_us, "1sec", -EINVAL);
	bad(iso_parse_duration_us, "", -EINVAL);
}

/* session_max_time: whole seconds, one unit, case-insensitive like the
 * other units. */
static void test_duration_s(void **state)
{
	(void)state;
	ok(iso_parse_duration_s, "90s", 90);
	ok(iso_parse_duration_s, "30m", 1800);
	ok(iso_parse_duration_s, "8h", 28800);
	ok(iso_parse_duration_s, "1d", 86400);
	ok(iso_parse_duration_s, "365d", 31536000);
	ok(iso_parse_duration_s, "60", 60);
	ok(iso_parse_duration_s, "0", 0);
	ok(iso_parse_duration_s, "0s", 0);
	ok(iso_parse_duration_s, "2H", 7200);
	ok(iso_parse_duration_s, "1D", 86400);
	ok(iso_parse_duration_s, "5M", 300);
	ok(iso_parse_duration_s, "007m", 420);
	ok(iso_parse_duration_s, "max", ISO_MAX);
	ok(iso_parse_duration_s, "Max", ISO_MAX);
	ok(iso_parse_duration_s, "106751991167300d", INT64_C(9223372036854720000));
	ok(iso_parse_duration_s, "9223372036854775807", INT64_MAX);
	bad(iso_parse_duration_s, "106751991167301d", -ERANGE);
	bad(iso_parse_duration_s, "9223372036854775808", -ERANGE);
	bad(iso_parse_duration_s, "99999999999999999999s", -ERANGE);
	bad(iso_parse_duration_s, "1h30m", -EINVAL);
	bad(iso_parse_duration_s, "1.5h", -EINVAL);
	bad(iso_parse_duration_s, "1w", -EINVAL);
	bad(iso_parse_duration_s, "1ms", -EINVAL);
	bad(iso_parse_duration_s, "1min", -EINVAL);
	bad(iso_parse_duration_s, "1sec", -EINVAL);
	bad(iso_parse_duration_s, "1 h", -EINVAL);
	bad(iso_parse_duration_s, " 1h", -EINVAL);
	bad(iso_parse_duration_s, "1h ", -EINVAL);
	bad(iso_parse_duration_s, "-1s", -EINVAL);
	bad(iso_parse_duration_s, "+1s", -EINVAL);
	bad(iso_parse_duration_s, "h", -EINVAL);
	bad(iso_parse_duration_s, "none", -EINVAL);
	bad(iso_parse_duration_s, "", -EINVAL);
	bad(iso_parse_duration_s, NULL, -EINVAL);
}

static void test_size(void **state)
{
	(void)state;
	ok(iso_parse_size, "4G", INT64_C(4294967296));
	ok(iso_parse_size, "4g", INT64_C(4294967296));
	ok(iso_parse_size, "4GB", INT64_C(4294967296));
	ok(iso_parse_size, "4GiB", INT64_C(4294967296));
	ok(iso_parse_size, "4gib", INT64_C(4294967296));
	ok(iso_parse_size, "512M", INT64_C(536870912));
	ok(iso_parse_size, "1K", 1024);
	ok(iso_parse_size, "1k", 1024);
	ok(iso_parse_size, "8T", INT64_C(8796093022208));
	ok(iso_parse_size, "1024", 1024);
	ok(iso_parse_size, "512B", 512);
	ok(iso_parse_size, "0", 0);
	ok(iso_parse_size, "max", ISO_MAX);
	ok(iso_parse_size, "8388607T", INT64_C(8388607) << 40);
	bad(iso_parse_size, "8388608T", -ERANGE);
	bad(iso_parse_size, "99999999999999999999", -ERANGE);
	bad(iso_parse_size, "1P", -EINVAL);
	bad(iso_parse_size, "4 G", -EINVAL);
	bad(iso_parse_size, "G", -EINVAL);
	bad(iso_parse_size, "4Gi", -EINVAL);
	bad(iso_parse_size, "4iB", -EINVAL);
	bad(iso_parse_size, "4GBB", -EINVAL);
	bad(iso_parse_size, "1.5G", -EINVAL);
	bad(iso_parse_size, "-1", -EINVAL);
	bad(iso_parse_size, "", -EINVAL);
}

static void test_count(void **state)
{
	(void)state;
	ok(iso_parse_count, "512", 512);
	ok(iso_parse_count, "0", 0);
	ok(iso_parse_count, "max", ISO_MAX);
	ok(iso_parse_count, "9223372036854775807", INT64_MAX);
	bad(iso_parse_count, "9223372036854775808", -ERANGE);
	bad(iso_parse_count, "99999999999999999999", -ERANGE);
	bad(iso_parse_count, "-1", -EINVAL);
	bad(iso_parse_count, "1e3", -EINVAL);
	bad(iso_parse_count, "0x10", -EINVAL);
	bad(iso_parse_count, "12 ", -EINVAL);
	bad(iso_parse_count, "", -EINVAL);
}

static void test_format(void **state)
{
	char buf[32];

	(void)state;
	iso_format_percent(5000, buf, sizeof(buf));
	assert_string_equal(buf, "50%");
	iso_format_percent(1250, buf, sizeof(buf));
	assert_string_equal(buf, "12.5%");
	iso_format_percent(1225, buf, sizeof(buf));
	assert_string_equal(buf, "12.25%");
	iso_format_percent(5, buf, sizeof(buf));
	assert_string_equal(buf, "0.05%");
	iso_format_percent(0, buf, sizeof(buf));
	assert_string_equal(buf, "0%");
	iso_format_percent(25000, buf, sizeof(buf));
	assert_string_equal(buf, "250%");
	iso_format_percent(ISO_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "max");
	iso_format_percent(ISO_UNSET, buf, sizeof(buf));
	assert_string_equal(buf, "unset");

	iso_format_size(INT64_C(4294967296), buf, sizeof(buf));
	assert_string_equal(buf, "4G");
	iso_format_size(1024, buf, sizeof(buf));
	assert_string_equal(buf, "1K");
	iso_format_size(1536, buf, sizeof(buf));
	assert_string_equal(buf, "1536");
	iso_format_size(INT64_C(1536) << 20, buf, sizeof(buf));
	assert_string_equal(buf, "1536M");
	iso_format_size(INT64_C(3) << 40, buf, sizeof(buf));
	assert_string_equal(buf, "3T");
	iso_format_size(0, buf, sizeof(buf));
	assert_string_equal(buf, "0");
	iso_format_size(ISO_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "max");
	iso_format_size(ISO_UNSET, buf, sizeof(buf));
	assert_string_equal(buf, "unset");

	iso_format_duration_us(100000, buf, sizeof(buf));
	assert_string_equal(buf, "100ms");
	iso_format_duration_us(1000000, buf, sizeof(buf));
	assert_string_equal(buf, "1s");
	iso_format_duration_us(1500, buf, sizeof(buf));
	assert_string_equal(buf, "1500us");

	iso_format_duration_s(86400, buf, sizeof(buf));
	assert_string_equal(buf, "1d");
	iso_format_duration_s(90000, buf, sizeof(buf));
	assert_string_equal(buf, "25h");
	iso_format_duration_s(28800, buf, sizeof(buf));
	assert_string_equal(buf, "8h");
	iso_format_duration_s(1800, buf, sizeof(buf));
	assert_string_equal(buf, "30m");
	iso_format_duration_s(90, buf, sizeof(buf));
	assert_string_equal(buf, "90s");
	iso_format_duration_s(5400, buf, sizeof(buf));
	assert_string_equal(buf, "90m");
	iso_format_duration_s(1, buf, sizeof(buf));
	assert_string_equal(buf, "1s");
	iso_format_duration_s(0, buf, sizeof(buf));
	assert_string_equal(buf, "0s");
	iso_format_duration_s(ISO_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "max");
	iso_format_duration_s(ISO_UNSET, buf, sizeof(buf));
	assert_string_equal(buf, "unset");
	iso_format_duration_s(-5, buf, sizeof(buf));
	assert_string_equal(buf, "invalid");

	/* Truncation is safe and NUL-terminated. */
	iso_format_percent(1225, buf, 4);
	assert_string_equal(buf, "12.");
}

/* Every formatted value parses back to itself. */
static void test_roundtrip(void **state)
{
	static const int64_t pct[] = {1, 10, 99, 100, 1250, 5000, 10000000};
	static const int64_t sz[] = {1, 4096, 1 << 20, INT64_C(5) << 30, INT64_C(123456789)};
	static const int64_t secs[] = {0,    1,	    59,	   60,	     61,     3600,
				       5400, 86400, 90061, 31536000, ISO_MAX};
	char buf[64];
	int64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pct) / sizeof(pct[0]); i++) {
		iso_format_percent(pct[i], buf, sizeof(buf));
		assert_int_equal(iso_parse_percent(buf, &v), 0);
		assert_int_equal(v, pct[i]);
	}
	for (i = 0; i < sizeof(sz) / sizeof(sz[0]); i++) {
		iso_format_size(sz[i], buf, sizeof(buf));
		assert_int_equal(iso_parse_size(buf, &v), 0);
		assert_int_equal(v, sz[i]);
	}
	for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		iso_format_duration_s(secs[i], buf, sizeof(buf));
		assert_int_equal(iso_parse_duration_s(buf, &v), 0);
		assert_int_equal(v, secs[i]);
	}
}

static void test_valid_name(void **state)
{
	(void)state;
	assert_true(iso_valid_name("alice"));
	assert_true(iso_valid_name("_x"));
	assert_true(iso_valid_name("a-b.c_d9"));
	assert_true(iso_valid_name("host$"));
	assert_true(iso_valid_name("Alice")); /* upper case: LDAP/AD, --badname */
	assert_true(iso_valid_name("a"));
	assert_true(iso_valid_name("abcdefghijklmnopqrstuvwxyz012345"));   /* 32 */
	assert_false(iso_valid_name("abcdefghijklmnopqrstuvwxyz0123456")); /* 33 */
	assert_false(iso_valid_name(""));
	assert_false(iso_valid_name(NULL));
	assert_false(iso_valid_name("1abc"));
	assert_false(iso_valid_name("-x"));
	assert_false(iso_valid_name(".x"));
	assert_false(iso_valid_name(".."));
	assert_false(iso_valid_name("a b"));
	assert_false(iso_valid_name("a/b"));
	assert_false(iso_valid_name("$"));
	assert_false(iso_valid_name("a$b"));
	assert_false(iso_valid_name("a$$"));
	assert_false(iso_valid_name("a\n"));
	assert_false(iso_valid_name("\xc3\xa4lice"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percent),	   cmocka_unit_test(test_duration),
		cmocka_unit_test(test_duration_s), cmocka_unit_test(test_size),
		cmocka_unit_test(test_count),	   cmocka_unit_test(test_format),
		cmocka_unit_test(test_roundtrip),  cmocka_unit_test(test_valid_name),
	};

	return cmocka_run_group_tests_name("units", tests, NULL, NULL);
}
