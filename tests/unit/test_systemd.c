/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The systemd backend's pure parts (helper/systemd.c): where a process
 * sits in systemd's tree, from real /proc/PID/cgroup texts of v2, hybrid
 * and legacy hosts; which backend a session gets; the unit properties a
 * rule becomes; unit names. The D-Bus calls run for real in the systemd
 * VM lane (tests/systemd/test_systemd.sh).
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

#include "systemd.h"

static void test_parse_v2_session(void **state)
{
	struct sysd_place p;

	(void)state;
	assert_int_equal(sysd_parse_proc_cgroup("0::/user.slice/user-1000.slice/session-3.scope\n",
						1000, &p),
			 0);
	assert_true(p.user_slice);
	assert_true(p.own_slice);
	assert_true(p.session_scope);
	assert_string_equal(p.session, "3");
	assert_string_equal(p.unit, "session-3.scope");
	assert_string_equal(p.path, "/user.slice/user-1000.slice/session-3.scope");

	/* sessions without pam_loginuid are named c1, c2, ... */
	assert_int_equal(sysd_parse_proc_cgroup("0::/user.slice/user-1001.slice/session-c12.scope",
						1001, &p),
			 0);
	assert_true(p.session_scope);
	assert_string_equal(p.session, "c12");
}

/* Hybrid (this build machine's layout with systemd): the name=systemd
 * line is systemd's own view and wins over 0:: and the v1 controllers. */
static void test_parse_hybrid_and_legacy(void **state)
{
	static const char hybrid[] = "12:cpu,cpuacct:/user.slice\n"
				     "11:pids:/user.slice/user-1000.slice/session-7.scope\n"
				     "1:name=systemd:/user.slice/user-1000.slice/session-7.scope\n"
				     "0::/user.slice/user-1000.slice/session-7.scope\n";
	static const char legacy[] = "3:memory:/user.slice\n"
				     "1:name=systemd:/user.slice/user-1000.slice/session-9.scope\n";
	static const char named_first[] =
		"0::/init.scope\n"
		"1:name=systemd:/user.slice/user-5.slice/session-1.scope\n";
	struct sysd_place p;

	(void)state;
	assert_int_equal(sysd_parse_proc_cgroup(hybrid, 1000, &p), 0);
	assert_true(p.session_scope);
	assert_string_equal(p.session, "7");
	assert_int_equal(sysd_parse_proc_cgroup(legacy, 1000, &p), 0);
	assert_true(p.session_scope);
	assert_string_equal(p.session, "9");
	assert_int_equal(sysd_parse_proc_cgroup(named_first, 5, &p), 0);
	assert_true(p.session_scope);
	assert_string_equal(p.path, "/user.slice/user-5.slice/session-1.scope");
}

static void test_parse_elsewhere(void **state)
{
	struct sysd_place p;

	(void)state;
	/* another user's session (su from alice's login): user.slice only */
	assert_int_equal(sysd_parse_proc_cgroup("0::/user.slice/user-1000.slice/session-3.scope\n",
						1001, &p),
			 0);
	assert_true(p.user_slice);
	assert_false(p.own_slice);
	assert_false(p.session_scope);
	assert_string_equal(p.session, "");
	/* the user's manager: own slice, no session scope */
	assert_int_equal(sysd_parse_proc_cgroup("0::/user.slice/user-1000.slice/user@1000.service/"
						"app.slice/foo.service\n",
						1000, &p),
			 0);
	assert_true(p.own_slice);
	assert_false(p.session_scope);
	assert_string_equal(p.unit, "foo.service");
	/* deeper than a session scope is not one */
	assert_int_equal(sysd_parse_proc_cgroup(
				 "0::/user.slice/user-1000.slice/session-3.scope/sub\n", 1000, &p),
			 0);
	assert_false(p.session_scope);
	/* sshd without pam_systemd, our own cgroupfs subtree, the root */
	assert_int_equal(sysd_parse_proc_cgroup("0::/system.slice/ssh.service\n", 1000, &p), 0);
	assert_false(p.user_slice);
	assert_string_equal(p.unit, "ssh.service");
	assert_int_equal(sysd_parse_proc_cgroup(
				 "0::/pam_isolate/user-1000/session-0123456789abcdef\n", 1000, &p),
			 0);
	assert_false(p.user_slice);
	assert_int_equal(sysd_parse_proc_cgroup("0::/\n", 1000, &p), 0);
	assert_false(p.user_slice);
	assert_string_equal(p.unit, "");
	/* "user.slice" must be the whole first component */
	assert_int_equal(
		sysd_parse_proc_cgroup("0::/user.slicex/user-1000.slice/session-3.scope", 1000, &p),
		0);
	assert_false(p.user_slice);
	assert_false(p.session_scope);
	/* a user-1000.slice not below user.slice is not logind's */
	assert_int_equal(
		sysd_parse_proc_cgroup("0::/x.slice/user-1000.slice/session-3.scope", 1000, &p), 0);
	assert_false(p.own_slice);
	assert_false(p.session_scope);
}

static void test_parse_odd_input(void **state)
{
	char big[600];
	struct sysd_place p;

	(void)state;
	/* v1 only, no systemd line: nowhere, not an error */
	assert_int_equal(sysd_parse_proc_cgroup("4:cpu:/\n3:pids:/\n", 1000, &p), 0);
	assert_string_equal(p.path, "");
	assert_false(p.user_slice);
	assert_int_equal(sysd_parse_proc_cgroup("", 1000, &p), 0);
	assert_int_equal(sysd_parse_proc_cgroup("garbage\n::\n0:\n", 1000, &p), 0);
	assert_false(p.user_slice);
	/* "10::" is not the v2 line */
	assert_int_equal(
		sysd_parse_proc_cgroup("10::/user.slice/user-1.slice/session-1.scope\n", 1, &p), 0);
	assert_false(p.user_slice);
	/* session ids are letters and digits only */
	assert_int_equal(
		sysd_parse_proc_cgroup("0::/user.slice/user-1.slice/session-a-b.scope\n", 1, &p),
		0);
	assert_false(p.session_scope);
	assert_int_equal(
		sysd_parse_proc_cgroup("0::/user.slice/user-1.slice/session-.scope\n", 1, &p), 0);
	assert_false(p.session_scope);
	/* too long a path is refused, not cut */
	memset(big, 'a', sizeof(big));
	memcpy(big, "0::/", 4);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(sysd_parse_proc_cgroup(big, 1, &p), -ENAMETOOLONG);
}

static void test_place_of_self(void **state)
{
	struct sysd_place p;

	(void)state;
	/* whatever this machine is, our own /proc/PID/cgroup parses */
	assert_int_equal(sysd_place_of(getpid(), getuid(), &p), 0);
	assert_int_equal(sysd_place_of(-1, 0, &p) < 0, 1);
	assert_false(sysd_running("/nonexistent/run/systemd/system"));
	assert_true(sysd_running("/"));
	assert_false(sysd_running("/dev/null"));
}

static void test_pick(void **state)
{
	struct sysd_place in_scope, elsewhere, other_user;
	struct iso_err err = {0};
	enum iso_backend b;
	char why[256];

	(void)state;
	sysd_parse_proc_cgroup("0::/user.slice/user-1000.slice/session-3.scope\n", 1000, &in_scope);
	sysd_parse_proc_cgroup("0::/system.slice/ssh.service\n", 1000, &elsewhere);
	sysd_parse_proc_cgroup("0::/user.slice/user-1.slice/session-3.scope\n", 1000, &other_user);

	assert_int_equal(
		sysd_pick_backend(ISO_BACKEND_AUTO, true, &in_scope, &b, why, sizeof(why), &err),
		0);
	assert_int_equal(b, ISO_BACKEND_SYSTEMD);
	assert_string_equal(why, "auto: systemd runs and the session is in "
				 "/user.slice/user-1000.slice/session-3.scope");
	assert_int_equal(
		sysd_pick_backend(ISO_BACKEND_AUTO, true, &other_user, &b, why, sizeof(why), &err),
		0);
	assert_int_equal(b, ISO_BACKEND_SYSTEMD);
	assert_int_equal(
		sysd_pick_backend(ISO_BACKEND_AUTO, false, &in_scope, &b, why, sizeof(why), &err),
		0);
	assert_int_equal(b, ISO_BACKEND_CGROUPFS);
	assert_string_equal(why, "auto: systemd does not run here");
	assert_int_equal(
		sysd_pick_backend(ISO_BACKEND_AUTO, true, &elsewhere, &b, why, sizeof(why), &err),
		0);
	assert_int_equal(b, ISO_BACKEND_CGROUPFS);
	assert_non_null(strstr(why, "/system.slice/ssh.service"));
	assert_int_equal(sysd_pick_backend(ISO_BACKEND_CGROUPFS, true, &in_scope, &b, why,
					   sizeof(why), &err),
			 0);
	assert_int_equal(b, ISO_BACKEND_CGROUPFS);
	assert_int_equal(err.code, 0);

	assert_int_equal(
		sysd_pick_backend(ISO_BACKEND_SYSTEMD, true, &in_scope, &b, why, sizeof(why), &err),
		0);
	assert_int_equal(b, ISO_BACKEND_SYSTEMD);
	b = ISO_BACKEND_AUTO;
	assert_int_equal(sysd_pick_backend(ISO_BACKEND_SYSTEMD, false, &in_scope, &b, why,
					   sizeof(why), &err),
			 -ENODEV);
	assert_string_equal(err.msg, "cgroup_backend = systemd, but systemd does not run here (no "
				     "/run/systemd/system)");
	assert_int_equal(b, ISO_BACKEND_AUTO);
	assert_int_equal(sysd_pick_backend(ISO_BACKEND_SYSTEMD, true, &elsewhere, &b, why,
					   sizeof(why), &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "pam_systemd must come before pam_isolate"));
}

static const struct sysd_prop *prop(const struct sysd_prop *p, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(p[i].name, name) == 0)
			return &p[i];
	return NULL;
}

static void test_limit_props(void **state)
{
	struct sysd_prop p[SYSD_MAX_PROPS];
	struct iso_limits lim;
	int n;

	(void)state;
	iso_limits_init(&lim);
	assert_int_equal(sysd_limit_props(&lim, p, SYSD_MAX_PROPS), 0);

	/* 50% of one CPU is half a second of CPU per second */
	lim.cpu_quota = 5000;
	lim.cpu_period_us = 100000;
	lim.cpu_weight = 50;
	lim.tasks_max = 64;
	n = sysd_limit_props(&lim, p, SYSD_MAX_PROPS);
	assert_int_equal(n, 4);
	assert_int_equal(prop(p, n, "CPUQuotaPerSecUSec")->value, 500000);
	assert_int_equal(prop(p, n, "CPUQuotaPeriodUSec")->value, 100000);
	assert_int_equal(prop(p, n, "CPUWeight")->value, 50);
	assert_int_equal(prop(p, n, "TasksMax")->value, 64);
	assert_null(prop(p, n, "MemoryMax"));

	/* 0.01 % and 1.5 CPUs */
	lim.cpu_quota = 1;
	n = sysd_limit_props(&lim, p, SYSD_MAX_PROPS);
	assert_int_equal(prop(p, n, "CPUQuotaPerSecUSec")->value, 100);
	lim.cpu_quota = 15000;
	n = sysd_limit_props(&lim, p, SYSD_MAX_PROPS);
	assert_int_equal(prop(p, n, "CPUQuotaPerSecUSec")->value, 1500000);

	/* "max" is systemd's infinity; no period without a quota */
	lim.cpu_quota = ISO_MAX;
	lim.tasks_max = ISO_MAX;
	lim.memory_max = ISO_MAX;
	lim.memory_high = 512LL << 20;
	lim.swap_max = 0;
	n = sysd_limit_props(&lim, p, SYSD_MAX_PROPS);
	assert_int_equal(n, 6);
	assert_true(prop(p, n, "CPUQuotaPerSecUSec")->value == UINT64_MAX);
	assert_null(prop(p, n, "CPUQuotaPeriodUSec"));
	assert_true(prop(p, n, "TasksMax")->value == UINT64_MAX);
	assert_true(prop(p, n, "MemoryMax")->value == UINT64_MAX);
	assert_int_equal(prop(p, n, "MemoryHigh")->value, 512LL << 20);
	assert_int_equal(prop(p, n, "MemorySwapMax")->value, 0);

	/* a short array is refused, not overrun */
	assert_int_equal(sysd_limit_props(&lim, p, 2), -ENOBUFS);
}

static void test_names(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(sysd_user_slice(1000, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "user-1000.slice");
	assert_int_equal(sysd_holder_unit(1000, NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "isolate-holder-1000.scope");
	assert_int_equal(sysd_holder_unit(1000, "", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "isolate-holder-1000.scope");
	assert_int_equal(sysd_holder_unit(1000, "0123456789abcdef", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "isolate-holder-1000-0123456789abcdef.scope");
	assert_int_equal(sysd_holder_unit(1000, "0123456789abcdef", buf, 20), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_v2_session),
		cmocka_unit_test(test_parse_hybrid_and_legacy),
		cmocka_unit_test(test_parse_elsewhere),
		cmocka_unit_test(test_parse_odd_input),
		cmocka_unit_test(test_place_of_self),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_limit_props),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
