/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libsystemd by dlopen (helper/sdbus_dl.c): the real library loads with
 * every symbol we take; a library that cannot be opened, or that lacks a
 * symbol, makes every call fail cleanly and sysd_open say why. The file
 * is included with the soname in a variable, so each case can name
 * another library; its sdb_* then stand in for libisolate.a's (the
 * linker takes no archive member whose symbols are all defined here).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static const char *test_soname = "libsystemd.so.0";
#define SDB_SONAME test_soname
#include "sdbus_dl.c"

#include "systemd.h"

/* A fresh table, as at exec, for the library `name`. */
static void reset(const char *name)
{
	memset(&sdl, 0, sizeof(sdl));
	test_soname = name;
}

/* Calls on library objects never trigger the load: none can exist yet. */
static void test_unref_does_not_load(void **state)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;

	(void)state;
	reset("libsystemd.so.0");
	assert_null(sdb_flush_close_unref(NULL));
	assert_null(sdb_message_unref(NULL));
	assert_null(sdb_slot_unref(NULL));
	sdb_error_free(&e);
	assert_int_equal(sdb_error_is_set(&e), 0);
	assert_int_equal(sdb_error_has_name(&e, "org.example.Error"), 0);
	assert_int_equal(sdl.state, 0);
}

static void test_real_library(void **state)
{
	const sd_bus_error set = SD_BUS_ERROR_MAKE_CONST("org.example.Error", "it failed");
	sd_bus_error e = SD_BUS_ERROR_NULL;
	const char *why = NULL;

	(void)state;
	reset("libsystemd.so.0");
	assert_int_equal(sdb_load(&why), 0);
	assert_null(why);
	assert_int_equal(sdl.state, 1);
	assert_int_equal(sdb_error_is_set(&e), 0);
	assert_int_equal(sdb_error_is_set(&set), 1);
	assert_int_equal(sdb_error_has_name(&set, "org.example.Error"), 1);
	assert_int_equal(sdb_error_has_name(&set, "org.example.Other"), 0);
	sdb_error_free(&e);
	assert_null(sdb_message_unref(NULL));
	/* loaded once: a second call answers from the table */
	assert_int_equal(sdb_load(NULL), 0);
}

/* Every call that could create something fails with -ENOSYS. */
static void assert_all_fail(void)
{
	sd_bus *bus = NULL;
	sd_bus_message *m = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	const char *str = NULL;
	char *tty = NULL;
	char **list = NULL;

	assert_int_equal(sdb_open_system(&bus), -ENOSYS);
	assert_null(bus);
	assert_int_equal(sdb_set_method_call_timeout(NULL, 1), -ENOSYS);
	assert_int_equal(sdb_message_new_method_call(NULL, &m, "a.b", "/", "a.b", "C"), -ENOSYS);
	assert_null(m);
	assert_int_equal(sdb_message_append(NULL, "s", "x"), -ENOSYS);
	assert_int_equal(sdb_message_read(NULL, "s", &str), -ENOSYS);
	assert_int_equal(sdb_message_open_container(NULL, 'a', "(sv)"), -ENOSYS);
	assert_int_equal(sdb_message_close_container(NULL), -ENOSYS);
	assert_int_equal(sdb_message_enter_container(NULL, 'a', "(sv)"), -ENOSYS);
	assert_int_equal(sdb_message_exit_container(NULL), -ENOSYS);
	assert_int_equal(sdb_call(NULL, NULL, 0, &e, &m), -ENOSYS);
	assert_int_equal(sdb_call_method(NULL, "a.b", "/", "a.b", "C", &e, &m, "s", "x"), -ENOSYS);
	assert_int_equal(sdb_match_signal(NULL, NULL, "a.b", "/", "a.b", "C", NULL, NULL), -ENOSYS);
	assert_int_equal(sdb_process(NULL, NULL), -ENOSYS);
	assert_int_equal(sdb_wait(NULL, 0), -ENOSYS);
	assert_int_equal(sdb_uid_get_sessions(0, 0, &list), -ENOSYS);
	assert_null(list);
	assert_int_equal(sdb_session_get_tty("1", &tty), -ENOSYS);
	assert_null(tty);
	assert_int_equal(sdb_error_is_set(&e), 0);
	sdb_error_free(&e);
	assert_null(sdb_message_unref(m));
}

static void test_absent_library(void **state)
{
	const char *why = "";

	(void)state;
	reset("libiso-absent.so.0");
	assert_int_equal(sdb_load(&why), -ENOSYS);
	assert_non_null(strstr(why, "libiso-absent.so.0 not available: libiso-absent.so.0: "));
	assert_int_equal(sdl.state, -1);
	assert_all_fail();
}

/* The backend (helper/systemd.c) reports it through its error path. */
static void test_backend_without_library(void **state)
{
	struct iso_err err = {0};
	struct sysd *s = NULL;
	int n = -1;

	(void)state;
	reset("libiso-absent.so.0");
	assert_int_equal(sysd_open(&s, &err), -ENOSYS);
	assert_null(s);
	assert_int_equal(err.code, -ENOSYS);
	assert_int_equal(strncmp(err.msg, "systemd: libiso-absent.so.0 not available: ", 43), 0);
	assert_int_equal(sysd_online_sessions(1000, NULL, &n), -ENOSYS);
	sysd_close(NULL);
}

/* A library without our symbols (libc): refused whole, none half-bound. */
static void test_missing_symbol(void **state)
{
	const char *why = "";

	(void)state;
	reset("libc.so.6");
	assert_int_equal(sdb_load(&why), -ENOSYS);
	assert_non_null(strstr(why, "libc.so.6 not available: "));
	assert_non_null(strstr(why, "sd_bus_open_system"));
	assert_int_equal(sdl.state, -1);
	assert_all_fail();
	assert_null(sdl.sd_bus_open_system);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unref_does_not_load),
		cmocka_unit_test(test_real_library),
		cmocka_unit_test(test_absent_library),
		cmocka_unit_test(test_backend_without_library),
		cmocka_unit_test(test_missing_symbol),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
