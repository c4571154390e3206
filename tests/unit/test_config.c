/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config parser (config/config.c): good configs, every error class with
 * its exact file:line message, file checks on real files, on_error peeking.
 * File tests need root (chown) and a root-owned directory that is not
 * world-writable: they work in a fresh directory under /run.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isolate_config.h"

#define SENTINEL ((struct iso_config *)0x1)

static struct iso_config *parse_ok(const char *text)
{
	struct iso_config *c = NULL;
	struct iso_err e;
	int r = iso_config_parse_buf(text, "t.conf", &c, &e);

	if (r != 0)
		print_error("unexpected error: %s\n", e.msg);
	assert_int_equal(r, 0);
	assert_int_equal(e.code, 0);
	assert_string_equal(e.msg, "");
	assert_non_null(c);
	return c;
}

/* A macro so that a failure names the line of the case. */
#define parse_err(text, want)                                                                      \
	do {                                                                                       \
		struct iso_config *c_ = SENTINEL;                                                  \
		struct iso_err e_;                                                                 \
		int r_ = iso_config_parse_buf(text, "t.conf", &c_, &e_);                           \
		assert_int_equal(r_, -EINVAL);                                                     \
		assert_int_equal(e_.code, -EINVAL);                                                \
		assert_string_equal(e_.msg, want);                                                 \
		assert_ptr_equal(c_, SENTINEL);                                                    \
	} while (0)

static void test_empty_config_defaults(void **state)
{
	struct iso_config *c;

	(void)state;
	c = parse_ok("");
	assert_string_equal(c->path, "t.conf");
	assert_string_equal(c->cgroup_root, "pam_isolate");
	assert_int_equal(c->on_error, ISO_ON_ERROR_DENY);
	assert_int_equal(c->n_exempt_users, 1);
	assert_string_equal(c->exempt_users[0], "root");
	assert_int_equal(c->n_exempt_groups, 0);
	assert_false(c->has_default);
	assert_int_equal(c->defaults.cpu_quota, ISO_UNSET);
	assert_int_equal(c->n_groups, 0);
	assert_int_equal(c->n_users, 0);
	iso_config_free(c);

	c = parse_ok("# only a comment\n\n");
	assert_int_equal(c->n_exempt_users, 1);
	iso_config_free(c);
}

static const char full_unquoted[] = "# pam_isolate test config\n"	/* 1 */
				    "cgroup_root = pam_isolate.test\n"	/* 2 */
				    "on_error    = allow   # comment\n" /* 3 */
				    "exempt_users  = { root, admin }\n" /* 4 */
				    "exempt_groups = { wheel }\n"	/* 5 */
				    "// C++ comment\n"			/* 6 */
				    "/* C comment\n"			/* 7 */
				    "   over two lines */\n"		/* 8 */
				    "default {\n"			/* 9 */
				    "    cpu_quota = 100%\n"
				    "    cpu_period = 50ms\n"
				    "    cpu_weight = 200\n"
				    "    tasks_max  = 512\n"
				    "    memory_max = 4G\n"
				    "    namespaces = { user, pid, mount }\n"
				    "    private_tmp = yes\n"
				    "    tmp_size = 1G\n"
				    "    on_logout = kill\n"
				    "    sandbox = per-session\n"
				    "}\n"				       /* 20 */
				    "group \"students\" { cpu_quota = 50% }\n" /* 21 */
				    "group staff { cpu_quota = 12.5% }\n"      /* 22 */
				    "user \"alice\"     { cpu_quota = 200%\n"  /* 23 */
				    "    tasks_max = max\n"
				    "    memory_max = max\n"
				    "}\n";

static void check_full(const struct iso_config *c)
{
	assert_string_equal(c->cgroup_root, "pam_isolate.test");
	assert_int_equal(c->on_error, ISO_ON_ERROR_ALLOW);
	assert_int_equal(c->n_exempt_users, 2);
	assert_string_equal(c->exempt_users[0], "root");
	assert_string_equal(c->exempt_users[1], "admin");
	assert_int_equal(c->n_exempt_groups, 1);
	assert_string_equal(c->exempt_groups[0], "wheel");
	assert_true(c->has_default);
	assert_int_equal(c->default_line, 9);
	assert_int_equal(c->defaults.cpu_quota, 10000);
	assert_int_equal(c->defaults.cpu_period_us, 50000);
	assert_int_equal(c->defaults.cpu_weight, 200);
	assert_int_equal(c->defaults.tasks_max, 512);
	assert_int_equal(c->defaults.memory_max, INT64_C(4) << 30);
	assert_int_equal(c->defaults.namespaces, ISO_NS_USER | ISO_NS_PID | ISO_NS_MOUNT);
	assert_int_equal(c->defaults.private_tmp, 1);
	assert_int_equal(c->defaults.tmp_size, INT64_C(1) << 30);
	assert_int_equal(c->defaults.on_logout, ISO_LOGOUT_KILL);
	assert_int_equal(c->defaults.sandbox, ISO_SANDBOX_PER_SESSION);

	assert_int_equal(c->n_groups, 2);
	assert_string_equal(c->groups[0].name, "students");
	assert_int_equal(c->groups[0].line, 21);
	assert_int_equal(c->groups[0].lim.cpu_quota, 5000);
	assert_int_equal(c->groups[0].lim.cpu_period_us, ISO_UNSET);
	assert_int_equal(c->groups[0].lim.namespaces, ISO_UNSET);
	assert_string_equal(c->groups[1].name, "staff");
	assert_int_equal(c->groups[1].line, 22);
	assert_int_equal(c->groups[1].lim.cpu_quota, 1250);

	assert_int_equal(c->n_users, 1);
	assert_string_equal(c->users[0].name, "alice");
	assert_int_equal(c->users[0].line, 23);
	assert_int_equal(c->users[0].lim.cpu_quota, 20000);
	assert_int_equal(c->users[0].lim.tasks_max, ISO_MAX);
	assert_int_equal(c->users[0].lim.memory_max, ISO_MAX);
	assert_int_equal(c->users[0].lim.private_tmp, ISO_UNSET);
}

static void test_full_unquoted(void **state)
{
	struct iso_config *c;

	(void)state;
	c = parse_ok(full_unquoted);
	check_full(c);
	iso_config_free(c);
}

/* The same config with every value quoted, in both quote styles. */
static void test_full_quoted(void **state)
{
	static const char text[] = "# pam_isolate test config\n"
				   "cgroup_root = \"pam_isolate.test\"\n"
				   "on_error    = 'allow'   # comment\n"
				   "exempt_users  = { \"root\", 'admin' }\n"
				   "exempt_groups = { \"wheel\" }\n"
				   "// C++ comment\n"
				   "/* C comment\n"
				   "   over two lines */\n"
				   "default {\n"
				   "    cpu_quota = \"100%\"\n"
				   "    cpu_period = \"50ms\"\n"
				   "    cpu_weight = \"200\"\n"
				   "    tasks_max  = \"512\"\n"
				   "    memory_max = \"4G\"\n"
				   "    namespaces = { \"user\", \"pid\", \"mount\" }\n"
				   "    private_tmp = \"yes\"\n"
				   "    tmp_size = \"1G\"\n"
				   "    on_logout = \"kill\"\n"
				   "    sandbox = \"per-session\"\n"
				   "}\n"
				   "group \"students\" { cpu_quota = \"50%\" }\n"
				   "group 'staff' { cpu_quota = '12.5%' }\n"
				   "user \"alice\"     { cpu_quota = \"200%\"\n"
				   "    tasks_max = \"max\"\n"
				   "    memory_max = \"MAX\"\n"
				   "}\n";
	struct iso_config *c;

	(void)state;
	c = parse_ok(text);
	check_full(c);
	iso_config_free(c);
}

static void test_list_semantics(void **state)
{
	struct iso_config *c;

	(void)state;
	/* += appends to the built-in {root}; = replaces it. */
	c = parse_ok("exempt_users += { admin }\n");
	assert_int_equal(c->n_exempt_users, 2);
	assert_string_equal(c->exempt_users[0], "root");
	assert_string_equal(c->exempt_users[1], "admin");
	iso_config_free(c);

	c = parse_ok("exempt_users = {}\n");
	assert_int_equal(c->n_exempt_users, 0);
	iso_config_free(c);

	/* An explicit empty namespace list is "cgroup only", not "unset". */
	c = parse_ok("default { namespaces = { user } }\nuser bob { namespaces = {} }\n"
		     "user carol { cpu_quota = 5% }\n");
	assert_int_equal(c->defaults.namespaces, ISO_NS_USER);
	assert_int_equal(c->users[0].lim.namespaces, 0);
	assert_int_equal(c->users[1].lim.namespaces, ISO_UNSET);
	iso_config_free(c);

	/* Booleans and keywords are case-insensitive. */
	c = parse_ok("on_error = ALLOW\ndefault { private_tmp = Off\n on_logout = KILL }\n");
	assert_int_equal(c->on_error, ISO_ON_ERROR_ALLOW);
	assert_int_equal(c->defaults.private_tmp, 0);
	assert_int_equal(c->defaults.on_logout, ISO_LOGOUT_KILL);
	iso_config_free(c);

	/* CRLF line ends are fine. */
	c = parse_ok("on_error = allow\r\ndefault {\r\n cpu_quota = 5%\r\n}\r\n");
	assert_int_equal(c->defaults.cpu_quota, 500);
	iso_config_free(c);
}

/* libconfuse 3.3 miscounts lines after comments; ours must be exact. */
static void test_lines_after_comments(void **state)
{
	(void)state;
	parse_err("# one\n# two\n// three\n/* four\n five */ /* five */\n"
		  "default {\n  cpu_quota = fifty # seven\n}\n",
		  "t.conf:7: cpu_quota: invalid value \"fifty\" (expected a percentage like "
		  "\"50%\" or \"12.5%\", or \"max\")");
	/* every error of the file, each with its line */
	parse_err("x = \"a # not a comment\n b\"\n\nfoo = 1\n",
		  "t.conf:1: unknown key \"x\"\nt.conf:4: unknown key \"foo\"");
	parse_err("cgroup_root = \"a\n\nb\"\n\nfoo = 1\n",
		  "t.conf:3: cgroup_root: invalid value \"a\\x0a\\x0ab\" (expected 1-64 letters, "
		  "digits, '_', '.', '-'; not \".\" and no \"..\")\n"
		  "t.conf:5: unknown key \"foo\"");
	parse_err("#\n#\n#\n#\nfoo = 1\n", "t.conf:5: unknown key \"foo\"");
}

/* Keys and section keywords may be quoted and escaped; our pre-scan must
 * see them as libconfuse does (found by fuzzing). */
static void test_escaped_names(void **state)
{
	struct iso_config *c;

	(void)state;
	c = parse_ok("\n\"\\user\" \"a....b\" {}\n'group' \"\\x73taff\" { \"cpu\\_quota\" = 5% }\n"
		     "\"def\\\nault\" { }\n");
	assert_int_equal(c->n_users, 1);
	assert_string_equal(c->users[0].name, "a....b");
	assert_int_equal(c->users[0].line, 2);
	assert_string_equal(c->groups[0].name, "staff");
	assert_int_equal(c->groups[0].line, 3);
	assert_int_equal(c->groups[0].lim.cpu_quota, 500);
	assert_true(c->has_default);
	assert_int_equal(c->default_line, 4);
	iso_config_free(c);
	parse_err("user a {\n cpu_quota = 5%\n \"cpu\\_quota\" = 6%\n}\n",
		  "t.conf:3: duplicate key \"cpu_quota\" (first at line 2)");
}

static void test_unknown_keys(void **state)
{
	(void)state;
	parse_err("# c\n\nfoo = 1\n", "t.conf:3: unknown key \"foo\"");
	parse_err("default {\n cpu_qouta = 50%\n}\n",
		  "t.conf:2: unknown key \"cpu_qouta\" in default section");
	parse_err("user \"alice\" {\n\n memroy_max = 1G }\n",
		  "t.conf:3: unknown key \"memroy_max\" in user \"alice\" section");
	parse_err("cpu_quota = 50%\n", "t.conf:1: unknown key \"cpu_quota\"");
	parse_err("section { }\n", "t.conf:1: unknown key \"section\"");
	parse_err("user \"a\\x1b\" { x = 1 }\n",
		  "t.conf:1: unknown key \"x\" in user \"a\\x1b\" section\n"
		  "t.conf:1: invalid user name \"a\\x1b\" in section title (expected 1-32 letters, "
		  "digits, '_', '.', '-', starting with a letter or '_')");
}

/* issue 17: every error of a file, each at its line; units after a space */
static void test_every_error(void **state)
{
	(void)state;
	parse_err("default {\n memory_max = 2 GB\n}\n",
		  "t.conf:2: memory_max: \"2 GB\": the unit must follow the number with no space "
		  "(\"2GB\")");
	parse_err("default { cpu_period = 100 ms }\n",
		  "t.conf:1: cpu_period: \"100 ms\": the unit must follow the number with no "
		  "space (\"100ms\")");
	parse_err("default { cpu_quota = 50 % }\n",
		  "t.conf:1: cpu_quota: \"50 %\": the unit must follow the number with no space "
		  "(\"50%\")");
	parse_err("on_error = allow\n"	   /* 1 */
		  "default {\n"		   /* 2 */
		  "    cpu_quota = 50 %\n" /* 3 */
		  "    tasks_max = 512\n"  /* 4 */
		  "}\n"			   /* 5 */
		  "group \"staff\" {\n"	   /* 6 */
		  "    cpu_qouta = 200%\n" /* 7 */
		  "}\n"			   /* 8 */
		  "user \"alice\" {\n"	   /* 9 */
		  "    tasks_max = -1\n"   /* 10 */
		  "    tasks_max = 5\n"	   /* 11 */
		  "}\n",
		  "t.conf:3: cpu_quota: \"50 %\": the unit must follow the number with no space "
		  "(\"50%\")\n"
		  "t.conf:11: duplicate key \"tasks_max\" (first at line 10)\n"
		  "t.conf:7: unknown key \"cpu_qouta\" in group \"staff\" section\n"
		  "t.conf:10: tasks_max: invalid value \"-1\" (expected a number or \"max\")");
	/* a value missing: its statement and the next key's go, once */
	parse_err("default {\n cpu_quota =\n tasks_max = 5\n}\nuser \"a\" { tasks_max = 0 }\n",
		  "t.conf:3: cpu_quota: invalid value \"tasks_max\" (expected a percentage like "
		  "\"50%\" or \"12.5%\", or \"max\")\n"
		  "t.conf:5: tasks_max: value \"0\" out of range (expected 1 .. 4194304, or "
		  "\"max\")");
}

static void test_bad_values(void **state)
{
	(void)state;
	parse_err("\ndefault { cpu_quota = fifty }\n",
		  "t.conf:2: cpu_quota: invalid value \"fifty\" (expected a percentage like "
		  "\"50%\" or \"12.5%\", or \"max\")");
	parse_err("default { cpu_quota = 12.345% }\n",
		  "t.conf:1: cpu_quota: invalid value \"12.345%\" (expected a percentage like "
		  "\"50%\" or \"12.5%\", or \"max\")");
	parse_err("default { cpu_period = \"100 ms\" }\n",
		  "t.conf:1: cpu_period: invalid value \"100 ms\" (expected a duration like "
		  "\"100ms\", \"1s\" or \"5000us\")");
	parse_err("default { memory_max = 4Q }\n",
		  "t.conf:1: memory_max: invalid value \"4Q\" (expected a size like \"512M\" or "
		  "\"4G\", or \"max\")");
	parse_err("default { tasks_max = lots }\n",
		  "t.conf:1: tasks_max: invalid value \"lots\" (expected a number or \"max\")");
	parse_err(
		"default { cpu_weight = max }\n",
		"t.conf:1: cpu_weight: invalid value \"max\" (expected a number from 1 to 10000)");
	parse_err(
		"default { private_tmp = maybe }\n",
		"t.conf:1: private_tmp: invalid value \"maybe\" (expected disk, tmpfs, yes (disk) "
		"or no)");
	parse_err("default { on_logout = stop }\n",
		  "t.conf:1: on_logout: invalid value \"stop\" (expected keep or kill)");
	parse_err(
		"default { sandbox = per_user }\n",
		"t.conf:1: sandbox: invalid value \"per_user\" (expected per-user or per-session)");
	parse_err("on_error = maybe\n",
		  "t.conf:1: on_error: invalid value \"maybe\" (expected deny or allow)");
	parse_err("group g {\n namespaces = { user,\n net }\n}\n",
		  "t.conf:3: namespaces: invalid value \"net\" (expected user, pid or mount)");
	/* Control characters are escaped in messages. */
	parse_err("on_error = \"\\x1b[31m\"\n",
		  "t.conf:1: on_error: invalid value \"\\x1b[31m\" (expected deny or allow)");
}

static void test_out_of_range(void **state)
{
	(void)state;
	parse_err("default { cpu_quota = 0% }\n",
		  "t.conf:1: cpu_quota: value \"0%\" out of range (expected 0.01% .. 100000%, or "
		  "\"max\")");
	parse_err("default { cpu_quota = 100001% }\n",
		  "t.conf:1: cpu_quota: value \"100001%\" out of range (expected 0.01% .. "
		  "100000%, or \"max\")");
	parse_err("default { cpu_quota = 99999999999999999999% }\n",
		  "t.conf:1: cpu_quota: value \"99999999999999999999%\" out of range (expected "
		  "0.01% .. 100000%, or \"max\")");
	parse_err("default { cpu_period = 999us }\n",
		  "t.conf:1: cpu_period: value \"999us\" out of range (expected 1ms .. 1s)");
	parse_err("default { cpu_period = 2s }\n",
		  "t.conf:1: cpu_period: value \"2s\" out of range (expected 1ms .. 1s)");
	parse_err("default { cpu_weight = 0 }\n",
		  "t.conf:1: cpu_weight: value \"0\" out of range (expected 1 .. 10000)");
	parse_err("default { cpu_weight = 10001 }\n",
		  "t.conf:1: cpu_weight: value \"10001\" out of range (expected 1 .. 10000)");
	parse_err("default { tasks_max = 0 }\n",
		  "t.conf:1: tasks_max: value \"0\" out of range (expected 1 .. 4194304, or "
		  "\"max\")");
	parse_err("default { memory_max = 0 }\n",
		  "t.conf:1: memory_max: value \"0\" out of range (expected 4K or more, or "
		  "\"max\")");
	parse_err("default { tmp_size = 99999999999T }\n",
		  "t.conf:1: tmp_size: value \"99999999999T\" out of range (expected 4K or more, "
		  "or \"max\")");
}

static void test_sections(void **state)
{
	(void)state;
	parse_err("user \"alice\" { }\ngroup alice { }\n# c\nuser alice {\n}\n",
		  "t.conf:4: duplicate user \"alice\" section (first at line 1)");
	parse_err("group g { }\n\ngroup \"g\" { cpu_quota = 5% }\n",
		  "t.conf:3: duplicate group \"g\" section (first at line 1)");
	parse_err("default { }\n\ndefault {\n}\n",
		  "t.conf:3: duplicate default section (first at line 1)");
	/* Post-parse checks report every problem, in file order. */
	parse_err("user \"Bad Name\" { }\n"
		  "group \"1x\" { }\n"
		  "user ok { cpu_quota = 5% }\n"
		  "user \"x/../y\" { }\n",
		  "t.conf:1: invalid user name \"Bad Name\" in section title (expected 1-32 "
		  "letters, digits, '_', '.', '-', starting with a letter or '_')\n"
		  "t.conf:2: invalid group name \"1x\" in section title (expected 1-32 letters, "
		  "digits, '_', '.', '-', starting with a letter or '_')\n"
		  "t.conf:4: invalid user name \"x/../y\" in section title (expected 1-32 letters, "
		  "digits, '_', '.', '-', starting with a letter or '_')");
	parse_err("exempt_users = { root, \"ro ot\" }\n",
		  "t.conf:1: exempt_users: invalid user name \"ro ot\" (expected 1-32 letters, "
		  "digits, '_', '.', '-', starting with a letter or '_')");
	parse_err("exempt_groups = { -g }\n",
		  "t.conf:1: exempt_groups: invalid group name \"-g\" (expected 1-32 letters, "
		  "digits, '_', '.', '-', starting with a letter or '_')");
}

/* libconfuse would keep the last of two values; we say so instead. */
static void test_duplicate_keys(void **state)
{
	struct iso_config *c;

	(void)state;
	parse_err("default {\n cpu_quota = 5%\n namespaces = { user }\n cpu_quota = 10%\n}\n",
		  "t.conf:4: duplicate key \"cpu_quota\" (first at line 2)");
	parse_err("on_error = deny\nuser a { }\n\non_error = allow\n",
		  "t.conf:4: duplicate key \"on_error\" (first at line 1)");
	parse_err("exempt_users = { a }\nexempt_users = { b }\n",
		  "t.conf:2: duplicate key \"exempt_users\" (first at line 1)");
	/* The same key in different sections, or appended with +=, is fine. */
	c = parse_ok("exempt_users = { a }\nexempt_users += { b }\n"
		     "user a { cpu_quota = 5% }\nuser b { cpu_quota = 5% }\n"
		     "default { cpu_quota = 5% }\ncgroup_root = x\n");
	assert_int_equal(c->n_exempt_users, 2);
	assert_string_equal(c->cgroup_root, "x");
	iso_config_free(c);
}

static void test_cgroup_root(void **state)
{
	static const char *const bad[] = {"\"\"",     "\".\"",	 "\"..\"",   "\"../x\"",
					  "\"a..b\"", "\"a/b\"", "\"/abs\"", "\"a b\""};
	char text[128], want[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "cgroup_root = %s\n", bad[i]);
		snprintf(want, sizeof(want),
			 "t.conf:1: cgroup_root: invalid value %s (expected 1-64 letters, "
			 "digits, '_', '.', '-'; not \".\" and no \"..\")",
			 bad[i]);
		parse_err(text, want);
	}
}

/* cgroup_backend: auto by default, three values, case-insensitive like
 * the other enums, one line with file:line for anything else. */
static void test_cgroup_backend(void **state)
{
	struct iso_config *c;

	(void)state;
	c = parse_ok("");
	assert_int_equal(c->cgroup_backend, ISO_BACKEND_AUTO);
	iso_config_free(c);
	c = parse_ok("cgroup_backend = auto\n");
	assert_int_equal(c->cgroup_backend, ISO_BACKEND_AUTO);
	iso_config_free(c);
	c = parse_ok("cgroup_backend = cgroupfs\n");
	assert_int_equal(c->cgroup_backend, ISO_BACKEND_CGROUPFS);
	iso_config_free(c);
	c = parse_ok("# systemd hosts\ncgroup_backend = \"SystemD\"\ndefault { cpu_quota = 5% }\n");
	assert_int_equal(c->cgroup_backend, ISO_BACKEND_SYSTEMD);
	assert_int_equal(c->defaults.cpu_quota, 500);
	iso_config_free(c);
	parse_err("\ncgroup_backend = logind\n",
		  "t.conf:2: cgroup_backend: invalid value \"logind\" (expected auto, cgroupfs or "
		  "systemd)");
	parse_err("cgroup_backend = \"\"\n", "t.conf:1: cgroup_backend: invalid value \"\" "
					     "(expected auto, cgroupfs or systemd)");
	parse_err("cgroup_backend = auto\ncgroup_backend = systemd\n",
		  "t.conf:2: duplicate key \"cgroup_backend\" (first at line 1)");
	/* a top-level key, not a section key */
	parse_err("default {\n cgroup_backend = systemd\n}\n",
		  "t.conf:2: unknown key \"cgroup_backend\" in default section");
}

/* login_message: off by default, yes/no as the section booleans, a
 * top-level key of the main file. */
static void test_login_message(void **state)
{
	struct iso_config *c;

	(void)state;
	c = parse_ok("");
	assert_false(c->login_message);
	iso_config_free(c);
	c = parse_ok("login_message = yes\n");
	assert_true(c->login_message);
	iso_config_free(c);
	c = parse_ok("login_message = off\n");
	assert_false(c->login_message);
	iso_config_free(c);
	parse_err("\nlogin_message = loud\n",
		  "t.conf:2: login_message: invalid value \"loud\" (expected yes or no)");
	parse_err("login_message = yes\nlogin_message = no\n",
		  "t.conf:2: duplicate key \"login_message\" (first at line 1)");
}

/* mode: top level below every section's, the section's own above it;
 * audit strips the limits and namespaces the helper would write. */
static void test_mode(void **state)
{
	static const char *const grp[] = {"aud"};
	struct iso_config *c;
	struct iso_policy p;
	struct iso_limits l;

	(void)state;
	c = parse_ok("default { cpu_quota = 20% }\n");
	assert_int_equal(iso_policy_resolve(c, "u", 1000, NULL, 0, &p), 0);
	assert_int_equal(p.lim.mode, ISO_MODE_ENFORCE);
	iso_config_free(c);
	c = parse_ok("mode = audit\ndefault { cpu_quota = 20% }\nuser \"e\" { mode = enforce }\n");
	assert_int_equal(iso_policy_resolve(c, "u", 1000, NULL, 0, &p), 0);
	assert_int_equal(p.lim.mode, ISO_MODE_AUDIT);
	assert_int_equal(iso_policy_resolve(c, "e", 1000, NULL, 0, &p), 0);
	assert_int_equal(p.lim.mode, ISO_MODE_ENFORCE);
	iso_config_free(c);
	c = parse_ok("default {\n cpu_quota = 20%\n cpu_weight = 50\n tasks_max = 64\n"
		     " namespaces = { pid }\n private_tmp = yes\n hide_processes = yes\n "
		     "session_max_time = 1h\n"
		     " no_new_privs = yes\n}\ngroup \"aud\" { mode = AUDIT }\n");
	assert_int_equal(iso_policy_resolve(c, "u", 1000, grp, 1, &p), 0);
	assert_int_equal(p.lim.mode, ISO_MODE_AUDIT);
	l = p.lim;
	iso_limits_audit(&l);
	assert_int_equal(l.cpu_quota, ISO_MAX);
	assert_int_equal(l.cpu_weight, 100);
	assert_int_equal(l.tasks_max, ISO_MAX);
	assert_int_equal(l.memory_max, ISO_UNSET); /* not managed stays so */
	assert_int_equal(l.namespaces, 0);
	assert_int_equal(l.private_tmp, 0);
	assert_int_equal(l.hide_processes, 0);
	assert_int_equal(l.no_new_privs, 0);
	assert_int_equal(l.thread_env, 0);
	assert_int_equal(l.session_max_time, ISO_MAX);
	assert_int_equal(iso_policy_resolve(c, "u", 1000, NULL, 0, &p), 0);
	l = p.lim;
	iso_limits_audit(&l); /* enforce: untouched */
	assert_int_equal(l.cpu_quota, 2000);
	assert_int_equal(l.namespaces & ISO_NS_PID, ISO_NS_PID);
	iso_config_free(c);
	parse_err("mode = dry-run\n",
		  "t.conf:1: mode: invalid value \"dry-run\" (expected enforce or audit)");
	parse_err("mode = audit\nmode = enforce\n",
		  "t.conf:2: duplicate key \"mode\" (first at line 1)");
}

static void test_syntax(void **state)
{
	(void)state;
	parse_err("default {\n cpu_quota = 50%\n", "t.conf:1: missing closing brace for the '{' "
						   "on this line");
	parse_err("default }\n", "t.conf:1: missing opening brace for section 'default'");
	parse_err("user { }\n", "t.conf:1: missing title for section 'user'");
	parse_err("\n}\n", "t.conf:2: unexpected closing brace");
	parse_err("on_error = \"allow\n", "t.conf:1: unterminated string");
	parse_err("on_error = 'allow\n", "t.conf:1: unterminated string");
	parse_err("/* x\n\n", "t.conf:1: unterminated /* comment");
	parse_err("default { cpu_quota = +5% }\n", "t.conf:1: unexpected character '+'");
	parse_err("\non_error = \"\\777\"\n",
		  "t.conf:2: octal escapes in strings are not supported");
	parse_err("on_error = ${ON_ERROR}\n",
		  "t.conf:1: environment substitution \"${...}\" is not supported");
	parse_err("on_error = \"${ON_ERROR:-allow}\"\n",
		  "t.conf:1: environment substitution \"${...}\" is not supported");
}

/* libconfuse keeps its lexer state in globals: a failed parse, whichever
 * way it fails, must not change the next one. */
static void test_parse_after_errors(void **state)
{
	static const char *const broken[] = {"on_error = \"allow\n", "x = 'y\n", "/*\n",
					     "on_error = \"\\9\"\n", "default {\n"};
	struct iso_config *c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		struct iso_err e;

		c = SENTINEL;
		assert_int_equal(iso_config_parse_buf(broken[i], "b.conf", &c, &e), -EINVAL);
		assert_ptr_equal(c, SENTINEL);
		c = parse_ok("on_error = \"allow\"\n");
		assert_int_equal(c->on_error, ISO_ON_ERROR_ALLOW);
		iso_config_free(c);
	}
}

static void test_limits(void **state)
{
	struct iso_config *c = SENTINEL;
	struct iso_err e;
	char *big;
	size_t i, n = ISO_CONFIG_MAX_SIZE + 1;

	(void)state;
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, '\n', n);
	big[n] = '\0';
	assert_int_equal(iso_config_parse_buf(big, "big.conf", &c, &e), -EFBIG);
	assert_string_equal(e.msg, "big.conf: refusing config larger than 1048576 bytes");
	assert_ptr_equal(c, SENTINEL);

	/* ISO_CONFIG_MAX_SECTIONS + 1 user sections fit in 1 MiB. */
	n = 0;
	for (i = 0; i <= ISO_CONFIG_MAX_SECTIONS; i++)
		n += (size_t)sprintf(big + n, "user u%zu{}\n", i);
	assert_true(n <= ISO_CONFIG_MAX_SIZE);
	assert_int_equal(iso_config_parse_buf(big, "many.conf", &c, &e), -EINVAL);
	assert_string_equal(e.msg, "many.conf:10001: more than 10000 user sections");
	assert_ptr_equal(c, SENTINEL);
	free(big);

	assert_int_equal(iso_config_parse_buf(NULL, "x", &c, &e), -EINVAL);
	assert_int_equal(iso_config_parse_buf("", "x", NULL, &e), -EINVAL);
	/* A NULL err is allowed. */
	assert_int_equal(iso_config_parse_buf("foo = 1", "x", &c, NULL), -EINVAL);
	assert_ptr_equal(c, SENTINEL);
}

/* ---- issue 11: scope, failure classes, more limits, negation ---- */

static void test_new_section_keys(void **state)
{
	struct iso_config *c;

	(void)state;
	c = parse_ok("default {\n" /* 1 */
		     "    memory_high = 3G\n"
		     "    swap_max = 0\n"
		     "    session_max_time = 8h\n"
		     "    private_shm = yes\n"
		     "    cgroup_ns = on\n"
		     "    no_new_privs = true\n"
		     "}\n"
		     "group g { memory_high = max\n swap_max = \"512M\"\n"
		     " session_max_time = '90' }\n"
		     "user u { session_max_time = MAX\n private_shm = no\n cgroup_ns = Off\n"
		     " no_new_privs = FALSE\n swap_max = max }\n"
		     "user v { cpu_quota = 5% }\n");
	assert_int_equal(c->defaults.memory_high, INT64_C(3) << 30);
	assert_int_equal(c->defaults.swap_max, 0);
	assert_int_equal(c->defaults.session_max_time, 8 * 3600);
	assert_int_equal(c->defaults.private_shm, 1);
	assert_int_equal(c->defaults.cgroup_ns, 1);
	assert_int_equal(c->defaults.no_new_privs, 1);

	assert_int_equal(c->groups[0].lim.memory_high, ISO_MAX);
	assert_int_equal(c->groups[0].lim.swap_max, INT64_C(512) << 20);
	assert_int_equal(c->groups[0].lim.session_max_time, 90);
	assert_int_equal(c->groups[0].lim.private_shm, ISO_UNSET);
	assert_int_equal(c->groups[0].lim.cgroup_ns, ISO_UNSET);
	assert_int_equal(c->groups[0].lim.no_new_privs, ISO_UNSET);

	assert_int_equal(c->users[0].lim.session_max_time, ISO_MAX);
	assert_int_equal(c->users[0].lim.private_shm, 0);
	assert_int_equal(c->users[0].lim.cgroup_ns, 0);
	assert_int_equal(c->users[0].lim.no_new_privs, 0);
	assert_int_equal(c->users[0].lim.swap_max, ISO_MAX);
	assert_int_equal(c->users[0].lim.memory_high, ISO_UNSET);

	/* Left out: unset, for the level below to fill. */
	assert_int_equal(c->users[1].lim.memory_high, ISO_UNSET);
	assert_int_equal(c->users[1].lim.swap_max, ISO_UNSET);
	assert_int_equal(c->users[1].lim.session_max_time, ISO_UNSET);
	assert_int_equal(c->users[1].lim.private_shm, ISO_UNSET);
	assert_int_equal(c->users[1].lim.cgroup_ns, ISO_UNSET);
	assert_int_equal(c->users[1].lim.no_new_privs, ISO_UNSET);
	iso_config_free(c);

	/* The bounds themselves are valid. */
	c = parse_ok(
		"default { memory_high = 4K\n session_max_time = 1s }\n"
		"user a { session_max_time = 365d }\nuser b { session_max_time = 31536000 }\n");
	assert_int_equal(c->defaults.memory_high, 4096);
	assert_int_equal(c->defaults.session_max_time, 1);
	assert_int_equal(c->users[0].lim.session_max_time, 31536000);
	assert_int_equal(c->users[1].lim.session_max_time, 31536000);
	iso_config_free(c);
}

static void test_new_section_key_errors(void **state)
{
	(void)state;
	parse_err("default {\n memory_high = 1K\n}\n",
		  "t.conf:2: memory_high: value \"1K\" out of range (expected 4K or more, or "
		  "\"max\")");
	parse_err("default { memory_high = 4095 }\n",
		  "t.conf:1: memory_high: value \"4095\" out of range (expected 4K or more, or "
		  "\"max\")");
	parse_err("default { memory_high = lots }\n",
		  "t.conf:1: memory_high: invalid value \"lots\" (expected a size like \"512M\" or "
		  "\"4G\", or \"max\")");
	parse_err("user u { swap_max = 4Q }\n",
		  "t.conf:1: swap_max: invalid value \"4Q\" (expected a size like \"512M\" or "
		  "\"4G\", 0 (no swap), or \"max\")");
	parse_err("user u { swap_max = \"-1\" }\n",
		  "t.conf:1: swap_max: invalid value \"-1\" (expected a size like \"512M\" or "
		  "\"4G\", 0 (no swap), or \"max\")");
	parse_err("user u { swap_max = 99999999999T }\n",
		  "t.conf:1: swap_max: value \"99999999999T\" out of range (expected 0 or more, or "
		  "\"max\")");
	parse_err("group g {\n\n session_max_time = 0\n}\n",
		  "t.conf:3: session_max_time: value \"0\" out of range (expected 1s .. 365d, or "
		  "\"max\")");
	parse_err("default { session_max_time = 366d }\n",
		  "t.conf:1: session_max_time: value \"366d\" out of range (expected 1s .. 365d, "
		  "or \"max\")");
	parse_err("default { session_max_time = 31536001 }\n",
		  "t.conf:1: session_max_time: value \"31536001\" out of range (expected 1s .. "
		  "365d, or \"max\")");
	parse_err("default { session_max_time = 99999999999999999999d }\n",
		  "t.conf:1: session_max_time: value \"99999999999999999999d\" out of range "
		  "(expected 1s .. 365d, or \"max\")");
	parse_err("default { session_max_time = 1h30m }\n",
		  "t.conf:1: session_max_time: invalid value \"1h30m\" (expected a duration like "
		  "\"90s\", \"30m\", \"8h\" or \"1d\", or \"max\")");
	parse_err("default { session_max_time = none }\n",
		  "t.conf:1: session_max_time: invalid value \"none\" (expected a duration like "
		  "\"90s\", \"30m\", \"8h\" or \"1d\", or \"max\")");
	parse_err("default { session_max_time = \"1 w\" }\n",
		  "t.conf:1: session_max_time: invalid value \"1 w\" (expected a duration like "
		  "\"90s\", \"30m\", \"8h\" or \"1d\", or \"max\")");
	parse_err("default { private_shm = maybe }\n",
		  "t.conf:1: private_shm: invalid value \"maybe\" (expected yes or no)");
	parse_err("user u {\n cgroup_ns = 2\n}\n",
		  "t.conf:2: cgroup_ns: invalid value \"2\" (expected yes or no)");
	parse_err("group g { no_new_privs = sure }\n",
		  "t.conf:1: no_new_privs: invalid value \"sure\" (expected yes or no)");
	/* Section keys do not exist at the top level, and vice versa. */
	parse_err("session_max_time = 1h\n", "t.conf:1: unknown key \"session_max_time\"");
	parse_err("default {\n min_uid = 5\n}\n",
		  "t.conf:2: unknown key \"min_uid\" in default section");
	parse_err("user u { services = { sshd } }\n",
		  "t.conf:1: unknown key \"services\" in user \"u\" section");
	parse_err("group g { on_cgroup_error = allow }\n",
		  "t.conf:1: unknown key \"on_cgroup_error\" in group \"g\" section");
}

static void test_scope_and_classes(void **state)
{
	struct iso_config *c;

	(void)state;
	/* Built-in: min_uid 1000, every service, each class as on_error. */
	c = parse_ok("");
	assert_int_equal(c->min_uid, 1000);
	assert_int_equal(c->min_uid_line, 0);
	assert_int_equal(c->n_services, 0);
	assert_null(c->services);
	assert_int_equal(c->on_config_error, ISO_ON_ERROR_DENY);
	assert_int_equal(c->on_cgroup_error, ISO_ON_ERROR_DENY);
	assert_int_equal(c->on_namespace_error, ISO_ON_ERROR_DENY);
	iso_config_free(c);

	c = parse_ok("on_error = allow\n");
	assert_int_equal(c->on_config_error, ISO_ON_ERROR_ALLOW);
	assert_int_equal(c->on_cgroup_error, ISO_ON_ERROR_ALLOW);
	assert_int_equal(c->on_namespace_error, ISO_ON_ERROR_ALLOW);
	iso_config_free(c);

	/* A class given overrides on_error; the others still follow it. */
	c = parse_ok("on_error = allow\n"
		     "on_cgroup_error = deny\n"
		     "\n"
		     "min_uid = 500\n"
		     "services = { sshd, \"login\", 'cron.daily', Gdm-Password_1 }\n");
	assert_int_equal(c->on_error, ISO_ON_ERROR_ALLOW);
	assert_int_equal(c->on_config_error, ISO_ON_ERROR_ALLOW);
	assert_int_equal(c->on_cgroup_error, ISO_ON_ERROR_DENY);
	assert_int_equal(c->on_namespace_error, ISO_ON_ERROR_ALLOW);
	assert_int_equal(c->min_uid, 500);
	assert_int_equal(c->min_uid_line, 4);
	assert_int_equal(c->n_services, 4);
	assert_string_equal(c->services[0], "sshd");
	assert_string_equal(c->services[1], "login");
	assert_string_equal(c->services[2], "cron.daily");
	assert_string_equal(c->services[3], "Gdm-Password_1");
	iso_config_free(c);

	c = parse_ok("on_config_error = ALLOW\non_namespace_error = 'allow'\n");
	assert_int_equal(c->on_error, ISO_ON_ERROR_DENY);
	assert_int_equal(c->on_config_error, ISO_ON_ERROR_ALLOW);
	assert_int_equal(c->on_cgroup_error, ISO_ON_ERROR_DENY);
	assert_int_equal(c->on_namespace_error, ISO_ON_ERROR_ALLOW);
	iso_config_free(c);

	/* Bounds; an empty services list means every service; the line is
	 * the key's, even when the value is further down. */
	c = parse_ok("min_uid = 0\nservices = {}\n");
	assert_int_equal(c->min_uid, 0);
	assert_int_equal(c->min_uid_line, 1);
	assert_int_equal(c->n_services, 0);
	iso_config_free(c);
	c = parse_ok("# x\nmin_uid =\n\n 2147483647\n");
	assert_int_equal(c->min_uid, INT64_C(2147483647));
	assert_int_equal(c->min_uid_line, 2);
	iso_config_free(c);
	c = parse_ok("services = { sshd }\nservices += { login }\nservices += "
		     "{ abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0 }\n");
	assert_int_equal(c->n_services, 3);
	assert_string_equal(c->services[1], "login");
	iso_config_free(c);
}

static void test_scope_and_class_errors(void **state)
{
	(void)state;
	parse_err("min_uid = \"-1\"\n", "t.conf:1: min_uid: invalid value \"-1\" (expected a "
					"number from 0 to 2147483647)");
	parse_err("\n\nmin_uid = max\n", "t.conf:3: min_uid: invalid value \"max\" (expected a "
					 "number from 0 to 2147483647)");
	parse_err("min_uid = 1k\n", "t.conf:1: min_uid: invalid value \"1k\" (expected a number "
				    "from 0 to 2147483647)");
	parse_err("min_uid = 2147483648\n", "t.conf:1: min_uid: value \"2147483648\" out of range "
					    "(expected 0 .. 2147483647)");
	parse_err("min_uid = 99999999999999999999\n",
		  "t.conf:1: min_uid: value \"99999999999999999999\" out of range (expected 0 .. "
		  "2147483647)");
	parse_err("services = { \"ssh d\" }\n",
		  "t.conf:1: services: invalid service name \"ssh d\" (expected 1-63 letters, "
		  "digits, '_', '.', '-')");
	parse_err("services = {\n sshd,\n \"\"\n}\n",
		  "t.conf:3: services: invalid service name \"\" (expected 1-63 letters, digits, "
		  "'_', '.', '-')");
	parse_err("services = { \"a/b\" }\n",
		  "t.conf:1: services: invalid service name \"a/b\" (expected 1-63 letters, "
		  "digits, '_', '.', '-')");
	parse_err("services = { \"!sshd\" }\n",
		  "t.conf:1: services: invalid service name \"!sshd\" (expected 1-63 letters, "
		  "digits, '_', '.', '-')");
	parse_err("services = { \"sshd\\x1b\" }\n",
		  "t.conf:1: services: invalid service name \"sshd\\x1b\" (expected 1-63 letters, "
		  "digits, '_', '.', '-')");
	parse_err("services = { abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01 "
		  "}\n",
		  "t.conf:1: services: invalid service name "
		  "\"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01\" (expected "
		  "1-63 letters, digits, '_', '.', '-')");
	parse_err("on_config_error = maybe\n",
		  "t.conf:1: on_config_error: invalid value \"maybe\" (expected deny or allow)");
	parse_err("\non_cgroup_error = yes\n",
		  "t.conf:2: on_cgroup_error: invalid value \"yes\" (expected deny or allow)");
	parse_err("on_namespace_error = \"\"\n",
		  "t.conf:1: on_namespace_error: invalid value \"\" (expected deny or allow)");
}

/* The longest keys still get the duplicate check (the pre-scan keeps key
 * names in a fixed buffer), and so does a key after every other one. */
static void test_new_duplicate_keys(void **state)
{
	(void)state;
	parse_err("default {\n session_max_time = 1h\n session_max_time = 2h\n}\n",
		  "t.conf:3: duplicate key \"session_max_time\" (first at line 2)");
	parse_err("on_namespace_error = deny\non_namespace_error = allow\n",
		  "t.conf:2: duplicate key \"on_namespace_error\" (first at line 1)");
	parse_err("min_uid = 1\nmin_uid = 2\n", "t.conf:2: duplicate key \"min_uid\" (first at "
						"line 1)");
	parse_err("services = { a }\nservices = { b }\n",
		  "t.conf:2: duplicate key \"services\" (first at line 1)");
	parse_err("default {\n" /* 1 */
		  " cpu_quota = 5%\n cpu_period = 100ms\n cpu_weight = 1\n tasks_max = 1\n"
		  " memory_max = 1G\n namespaces = {}\n private_tmp = no\n tmp_size = 1G\n"
		  " on_logout = keep\n sandbox = per-user\n memory_high = 1G\n swap_max = 0\n"
		  " session_max_time = 1h\n private_shm = no\n cgroup_ns = no\n"
		  " no_new_privs = no\n" /* 17 */
		  " no_new_privs = yes\n}\n",
		  "t.conf:18: duplicate key \"no_new_privs\" (first at line 17)");
	parse_err("cgroup_root = x\non_error = deny\nexempt_users = {}\nexempt_groups = {}\n"
		  "min_uid = 1\nservices = {}\non_config_error = deny\non_cgroup_error = deny\n"
		  "on_namespace_error = deny\non_config_error = allow\n",
		  "t.conf:10: duplicate key \"on_config_error\" (first at line 7)");
}

static void test_exempt_negation_parse(void **state)
{
	struct iso_config *c;

	(void)state;
	c = parse_ok("exempt_users = { root, \"!bob\", !carol }\n"
		     "exempt_groups = { staff, '!interns' }\n");
	assert_int_equal(c->n_exempt_users, 3);
	assert_string_equal(c->exempt_users[1], "!bob");
	assert_string_equal(c->exempt_users[2], "!carol");
	assert_int_equal(c->n_exempt_groups, 2);
	assert_string_equal(c->exempt_groups[1], "!interns");
	iso_config_free(c);

	parse_err("exempt_users = { \"!\" }\n",
		  "t.conf:1: exempt_users: invalid negated entry \"!\" (expected '!' and a user "
		  "name: 1-32 letters, digits, '_', '.', '-', starting with a letter or '_')");
	parse_err("\nexempt_users = { root,\n \"!!x\" }\n",
		  "t.conf:3: exempt_users: invalid negated entry \"!!x\" (expected '!' and a user "
		  "name: 1-32 letters, digits, '_', '.', '-', starting with a letter or '_')");
	parse_err("exempt_groups = { \"!1x\" }\n",
		  "t.conf:1: exempt_groups: invalid negated entry \"!1x\" (expected '!' and a "
		  "group name: 1-32 letters, digits, '_', '.', '-', starting with a letter or "
		  "'_')");
	parse_err("exempt_groups = { \"! staff\" }\n",
		  "t.conf:1: exempt_groups: invalid negated entry \"! staff\" (expected '!' and a "
		  "group name: 1-32 letters, digits, '_', '.', '-', starting with a letter or "
		  "'_')");
	/* '!' only negates at the front. */
	parse_err("exempt_users = { \"bob!\" }\n",
		  "t.conf:1: exempt_users: invalid user name \"bob!\" (expected 1-32 letters, "
		  "digits, '_', '.', '-', starting with a letter or '_')");
}

/* The shipped config and the examples must parse, and say what their
 * comments say; run from the top of the source tree (skipped elsewhere). */
static struct iso_config *load_shipped(const char *path)
{
	struct iso_config *c = NULL;
	struct iso_err e;

	if (iso_config_load(path, false, &c, &e) != 0)
		print_error("%s\n", e.msg);
	assert_non_null(c);
	assert_true(c->has_default);
	return c;
}

static void test_shipped_configs(void **state)
{
	const char *const sudo_students[] = {"students", "sudo"}, *const sudo[] = {"sudo"};
	struct iso_config *c = NULL;
	struct iso_policy p;

	(void)state;
	if (access("config/isolate.conf", R_OK) != 0)
		skip();
	c = load_shipped("config/isolate.conf");
	assert_int_equal(c->on_error, ISO_ON_ERROR_DENY);
	assert_int_equal(c->on_config_error, ISO_ON_ERROR_DENY);
	assert_int_equal(c->on_cgroup_error, ISO_ON_ERROR_DENY);
	assert_int_equal(c->on_namespace_error, ISO_ON_ERROR_DENY);
	assert_int_equal(c->min_uid, 1000);
	assert_int_equal(c->n_services, 0);
	assert_string_equal(c->cgroup_root, "pam_isolate");
	assert_int_equal(c->n_exempt_users, 2); /* root, nobody */
	assert_int_equal(c->n_groups + c->n_users, 0);
	assert_int_equal(iso_policy_resolve(c, "someone", 1000, NULL, 0, &p), 0);
	assert_int_equal(p.lim.cpu_quota, 10000);
	/* one file for systemd hosts too: hiding without a pid namespace */
	assert_int_equal(p.lim.namespaces, ISO_NS_USER | ISO_NS_MOUNT);
	assert_int_equal(p.lim.hide_processes, 1);
	assert_int_equal(p.lim.memory_max, ISO_UNSET);
	/* The new keys are documented but commented out: built-in values. */
	assert_int_equal(p.lim.memory_high, ISO_UNSET);
	assert_int_equal(p.lim.swap_max, ISO_UNSET);
	assert_int_equal(p.lim.session_max_time, ISO_MAX);
	assert_int_equal(p.lim.private_shm, 1); /* shipped: a private /dev/shm */
	assert_int_equal(p.lim.cgroup_ns, 0);
	assert_int_equal(p.lim.no_new_privs, 0);
	iso_config_free(c);

	c = load_shipped("config/examples/bastion.conf");
	assert_int_equal(c->on_config_error, ISO_ON_ERROR_ALLOW); /* follows on_error */
	assert_int_equal(c->defaults.session_max_time, 8 * 3600);
	assert_int_equal(c->defaults.no_new_privs, 1);
	assert_int_equal(c->defaults.private_shm, 1);
	assert_int_equal(c->groups[0].lim.session_max_time, 86400);
	iso_config_free(c);

	c = load_shipped("config/examples/lab.conf");
	assert_int_equal(c->n_services, 2);
	assert_true(iso_config_service_in_scope(c, "sshd"));
	assert_false(iso_config_service_in_scope(c, "su"));
	assert_int_equal(iso_policy_resolve(c, "helper", 1000, sudo_students, 2, &p), 0);
	assert_int_equal(p.match, ISO_MATCH_GROUP);
	assert_int_equal(iso_policy_resolve(c, "admin", 1000, sudo, 1, &p), 0);
	assert_int_equal(p.match, ISO_MATCH_EXEMPT_GROUP);
	iso_config_free(c);

	c = load_shipped("config/examples/compute.conf");
	assert_int_equal(c->defaults.memory_high, INT64_C(56) << 30);
	assert_true(c->defaults.memory_high < c->defaults.memory_max);
	iso_config_free(c);
}

/* ---- files ---- */

static char dir[64];

static int files_setup(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	snprintf(dir, sizeof(dir), "/run/isotest-config.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	return chmod(dir, 0755);
}

static int files_teardown(void **state)
{
	char cmd[128];

	(void)state;
	if (dir[0] == '\0')
		return 0;
	/* Our own directory under /run, removed with everything in it. */
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void need_root(void)
{
	if (geteuid() != 0 || dir[0] == '\0')
		skip();
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f;

	unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

#define load_err(path, check, want_code, want_msg)                                                 \
	do {                                                                                       \
		struct iso_config *c_ = SENTINEL;                                                  \
		struct iso_err e_;                                                                 \
		assert_int_equal(iso_config_load(path, check, &c_, &e_), want_code);               \
		assert_int_equal(e_.code, want_code);                                              \
		assert_string_equal(e_.msg, want_msg);                                             \
		assert_ptr_equal(c_, SENTINEL);                                                    \
	} while (0)

static void test_load_good(void **state)
{
	struct iso_config *c = NULL;
	struct iso_err e;
	char path[128];

	(void)state;
	need_root();
	snprintf(path, sizeof(path), "%s/good.conf", dir);
	write_file(path, full_unquoted, 0644);
	assert_int_equal(iso_config_load(path, true, &c, &e), 0);
	assert_string_equal(e.msg, "");
	assert_string_equal(c->path, path);
	check_full(c);
	iso_config_free(c);

	/* Relative paths are walked from the cwd. */
	assert_int_equal(chdir(dir), 0);
	c = NULL;
	assert_int_equal(iso_config_load("./good.conf", true, &c, &e), 0);
	assert_non_null(c);
	iso_config_free(c);
	assert_int_equal(chdir("/"), 0);
}

static void test_load_errors_carry_path(void **state)
{
	char path[128], want[512];

	(void)state;
	need_root();
	snprintf(path, sizeof(path), "%s/bad.conf", dir);
	write_file(path, "# c\n# c\ndefault {\n cpu_quota = fifty\n}\n", 0644);
	snprintf(want, sizeof(want),
		 "%s:4: cpu_quota: invalid value \"fifty\" (expected a percentage like \"50%%\" "
		 "or \"12.5%%\", or \"max\")",
		 path);
	load_err(path, true, -EINVAL, want);
	load_err(path, false, -EINVAL, want);
}

static void test_load_mode_owner(void **state)
{
	char path[128], want[512];

	(void)state;
	need_root();
	snprintf(path, sizeof(path), "%s/perm.conf", dir);
	write_file(path, "on_error = allow\n", 0666);
	snprintf(want, sizeof(want), "%s: refusing group/world-writable config (mode 0666)", path);
	load_err(path, true, -EPERM, want);

	assert_int_equal(chmod(path, 0620), 0);
	snprintf(want, sizeof(want), "%s: refusing group/world-writable config (mode 0620)", path);
	load_err(path, true, -EPERM, want);

	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(chown(path, 1, 0), 0);
	snprintf(want, sizeof(want), "%s: refusing config owned by uid 1 (must be root)", path);
	load_err(path, true, -EPERM, want);

	/* Without check_owner (isolatectl check-config on a draft) it loads. */
	{
		struct iso_config *c = NULL;
		struct iso_err e;

		assert_int_equal(iso_config_load(path, false, &c, &e), 0);
		assert_int_equal(c->on_error, ISO_ON_ERROR_ALLOW);
		iso_config_free(c);
	}
}

static void test_load_symlinks(void **state)
{
	char path[128], link[128], sub[128], sublink[128], want[512];
	struct iso_config *c = NULL;
	struct iso_err e;

	(void)state;
	need_root();
	snprintf(path, sizeof(path), "%s/real.conf", dir);
	snprintf(link, sizeof(link), "%s/link.conf", dir);
	write_file(path, "on_error = allow\n", 0644);
	unlink(link);
	assert_int_equal(symlink(path, link), 0);
	snprintf(want, sizeof(want),
		 "%s: refusing config that is a symlink: the helper follows no symlink to its "
		 "config (isolate.conf(5)); install the file itself (a configuration tool can "
		 "copy it there instead of linking)",
		 link);
	load_err(link, true, -ELOOP, want);
	load_err(link, false, -ELOOP, want);

	/* A symlinked directory on the way is refused too, naming it; a
	 * draft (no location checks) is still read through it. */
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(sublink, sizeof(sublink), "%s/sublink", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(symlink("sub", sublink), 0);
	snprintf(path, sizeof(path), "%s/sub/x.conf", dir);
	write_file(path, "on_error = allow\n", 0644);
	snprintf(path, sizeof(path), "%s/sublink/../sub/./x.conf", dir);
	snprintf(want, sizeof(want),
		 "%s: refusing config: %s/sublink on its path is a symlink: the helper follows no "
		 "symlink to its config (isolate.conf(5)); install the file itself at a path "
		 "without links, or name that path",
		 path, dir);
	load_err(path, true, -ELOOP, want);
	assert_int_equal(iso_config_load(path, false, &c, &e), 0);
	iso_config_free(c);

	/* "." and ".." are walked, each directory checked where it is. */
	snprintf(path, sizeof(path), "%s/sub/../sub/./x.conf", dir);
	assert_int_equal(iso_config_load(path, true, &c, &e), 0);
	iso_config_free(c);

	/* ...but not when the real directory is not. */
	assert_int_equal(chown(sub, 1, 0), 0);
	snprintf(want, sizeof(want),
		 "%s: refusing config in directory %s/sub owned by uid 1 (must be root)", path,
		 dir);
	load_err(path, true, -EPERM, want);
	assert_int_equal(chown(sub, 0, 0), 0);
	assert_int_equal(chmod(sub, 01777), 0);
	snprintf(want, sizeof(want),
		 "%s: refusing config in group/world-writable directory %s/sub (mode 1777)", path,
		 dir);
	load_err(path, true, -EPERM, want);
	assert_int_equal(chmod(sub, 0755), 0);
}

static void test_load_not_regular(void **state)
{
	char path[128], want[512];

	(void)state;
	need_root();
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	snprintf(want, sizeof(want), "cannot open %s: No such file or directory", path);
	load_err(path, true, -ENOENT, want);
	load_err(path, false, -ENOENT, want);

	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	snprintf(want, sizeof(want), "%s: refusing config that is not a regular file", path);
	load_err(path, true, -EINVAL, want); /* and does not block */

	snprintf(want, sizeof(want), "%s: refusing config that is not a regular file", dir);
	load_err(dir, false, -EINVAL, want);
}

static void test_load_content_checks(void **state)
{
	char path[128], want[512];
	FILE *f;
	int i;

	(void)state;
	need_root();
	snprintf(path, sizeof(path), "%s/nul.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite("on_error = deny\n\0x", 1, 18, f), 18);
	assert_int_equal(fclose(f), 0);
	snprintf(want, sizeof(want), "%s: refusing config that contains a NUL byte", path);
	load_err(path, true, -EINVAL, want);

	snprintf(path, sizeof(path), "%s/huge.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (i = 0; i < 1024 * 1024 / 16 + 1; i++)
		fputs("# comment .....\n", f);
	assert_int_equal(fclose(f), 0);
	snprintf(want, sizeof(want), "%s: refusing config larger than 1048576 bytes", path);
	load_err(path, true, -EFBIG, want);
}

/* A config under /tmp (sticky, world-writable) is refused with check_owner. */
static void test_load_in_tmp(void **state)
{
	char path[] = "/tmp/isotest-conf.XXXXXX", want[256];
	struct iso_config *c = NULL;
	struct iso_err e;
	int fd;

	(void)state;
	need_root();
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "on_error = allow\n", 17), 17);
	close(fd);
	assert_int_equal(chmod(path, 0644), 0);
	snprintf(want, sizeof(want),
		 "%s: refusing config in group/world-writable directory /tmp (mode 1777)", path);
	load_err(path, true, -EPERM, want);
	assert_int_equal(iso_config_load(path, false, &c, &e), 0);
	iso_config_free(c);
	assert_int_equal(iso_config_peek_on_error(path), ISO_ON_ERROR_DENY);
	unlink(path);
}

static enum iso_on_error peek(const char *text, mode_t mode)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/peek.conf", dir);
	write_file(path, text, mode);
	return iso_config_peek_on_error(path);
}

static void test_peek_on_error(void **state)
{
	char path[128], link[128];

	(void)state;
	need_root();
	assert_int_equal(peek("on_error = allow\n", 0644), ISO_ON_ERROR_ALLOW);
	assert_int_equal(peek("on_error=\"allow\"", 0644), ISO_ON_ERROR_ALLOW);
	assert_int_equal(peek("on_error = 'allow'\n", 0644), ISO_ON_ERROR_ALLOW);
	assert_int_equal(peek("# x\non_error =\n  allow\n", 0644), ISO_ON_ERROR_ALLOW);
	/* The point: the rest of the file is broken. */
	assert_int_equal(peek("on_error = allow\ndefault { cpu_quota = fifty\n}}}} = = \"\n", 0644),
			 ISO_ON_ERROR_ALLOW);
	assert_int_equal(peek("on_error = deny\n", 0644), ISO_ON_ERROR_DENY);
	assert_int_equal(peek("", 0644), ISO_ON_ERROR_DENY);
	assert_int_equal(peek("on_error = allow\non_error = deny\n", 0644), ISO_ON_ERROR_DENY);
	assert_int_equal(peek("on_error = deny\non_error = allow\n", 0644), ISO_ON_ERROR_ALLOW);
	/* Not top level, in a comment, in a string: not the setting. */
	assert_int_equal(peek("default { on_error = allow }\n", 0644), ISO_ON_ERROR_DENY);
	assert_int_equal(peek("user x {\n on_error = allow\n}\n", 0644), ISO_ON_ERROR_DENY);
	assert_int_equal(peek("# on_error = allow\n", 0644), ISO_ON_ERROR_DENY);
	assert_int_equal(peek("// on_error = allow\n", 0644), ISO_ON_ERROR_DENY);
	assert_int_equal(peek("/*\non_error = allow\n*/\n", 0644), ISO_ON_ERROR_DENY);
	assert_int_equal(peek("x = \"\non_error = allow\n\"\n", 0644), ISO_ON_ERROR_DENY);
	assert_int_equal(peek("on_error = allowed\n", 0644), ISO_ON_ERROR_DENY);
	assert_int_equal(peek("on_error_x = allow\n", 0644), ISO_ON_ERROR_DENY);
	/* A config only root could not have written is not trusted. */
	assert_int_equal(peek("on_error = allow\n", 0666), ISO_ON_ERROR_DENY);
	snprintf(path, sizeof(path), "%s/peek.conf", dir);
	assert_int_equal(chown(path, 1, 0), 0);
	assert_int_equal(iso_config_peek_on_error(path), ISO_ON_ERROR_DENY);
	assert_int_equal(chown(path, 0, 0), 0);
	assert_int_equal(peek("on_error = allow\n", 0644), ISO_ON_ERROR_ALLOW);
	snprintf(link, sizeof(link), "%s/peek.link", dir);
	unlink(link);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(iso_config_peek_on_error(link), ISO_ON_ERROR_DENY);
	snprintf(path, sizeof(path), "%s/none.conf", dir);
	assert_int_equal(iso_config_peek_on_error(path), ISO_ON_ERROR_DENY);
	assert_int_equal(iso_config_peek_on_error(NULL), ISO_ON_ERROR_DENY);
}

static bool peek_exg(const char *text, mode_t mode, const char *user, const char *const *groups,
		     size_t ngroups)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/peek.conf", dir);
	write_file(path, text, mode);
	return iso_config_peek_exempt(path, user, groups, ngroups);
}

static bool peek_ex(const char *text, mode_t mode, const char *user)
{
	return peek_exg(text, mode, user, NULL, 0);
}

/* A broken config still exempts the users its exempt_users names. */
static void test_peek_exempt_user(void **state)
{
	const char *broken = "default { cpu_quota = fifty }\n";
	char text[256];

	(void)state;
	need_root();
	snprintf(text, sizeof(text), "exempt_users = { \"root\", \"ops\" }\n%s", broken);
	assert_true(peek_ex(text, 0644, "ops"));
	assert_true(peek_ex(text, 0644, "root"));
	assert_false(peek_ex(text, 0644, "op"));
	assert_false(peek_ex(text, 0644, "alice"));
	snprintf(text, sizeof(text), "exempt_users = { ops, \"!ops\" }\n%s", broken);
	assert_false(peek_ex(text, 0644, "ops")); /* a negation wins */
	/* only the top-level key, not a section's or another list */
	assert_false(peek_ex("user x { exempt_users = { ops } }\n", 0644, "ops"));
	assert_false(peek_ex("exempt_groups = { ops }\n", 0644, "ops"));
	assert_false(peek_ex("# exempt_users = { ops }\n", 0644, "ops"));
	/* a file only root could have written, as for loading */
	snprintf(text, sizeof(text), "exempt_users = { ops }\n%s", broken);
	assert_false(peek_ex(text, 0666, "ops"));
	assert_false(iso_config_peek_exempt(NULL, "ops", NULL, 0));
}

/* ... and the users in a group its exempt_groups names, as a parsed
 * file does: a "!name" entry of either list takes it back. */
static void test_peek_exempt_group(void **state)
{
	const char *broken = "default { cpu_quota = fifty }\n";
	const char *const admins[] = {"alice", "sudo", "staff"};
	const char *const users[] = {"bob", "users"};
	char text[256];

	(void)state;
	need_root();
	snprintf(text, sizeof(text), "exempt_groups = { \"sudo\" }\n%s", broken);
	assert_true(peek_exg(text, 0644, "alice", admins, 3));
	assert_false(peek_exg(text, 0644, "bob", users, 2));
	assert_false(peek_exg(text, 0644, "alice", NULL, 0)); /* groups unknown */
	snprintf(text, sizeof(text), "exempt_groups = { sudo, \"!staff\" }\n%s", broken);
	assert_false(peek_exg(text, 0644, "alice", admins, 3));
	snprintf(text, sizeof(text), "exempt_users = { \"!alice\" }\nexempt_groups = { sudo }\n%s",
		 broken);
	assert_false(peek_exg(text, 0644, "alice", admins, 3));
	/* the group list, not the user list, and only the top level */
	assert_false(peek_exg("exempt_users = { sudo }\n", 0644, "alice", admins, 3));
	assert_false(
		peek_exg("group sudo { exempt_groups = { sudo } }\n", 0644, "alice", admins, 3));
	snprintf(text, sizeof(text), "exempt_groups = { sudo }\n%s", broken);
	assert_false(peek_exg(text, 0666, "alice", admins, 3));
}

/* Never more permissive than the parsed file could be: a take-back the
 * scan might not see means no exemption. */
static void test_peek_exempt_unsure(void **state)
{
	const char *const admins[] = {"alice", "sudo", "staff"};
	char path[128], ddir[140], drop[160];

	(void)state;
	need_root();
	/* the scan stops before the end: an unterminated string (even the
	 * take-back's own), an unclosed comment or section */
	assert_false(peek_exg("exempt_groups = { sudo }\nexempt_users = { \"!alice }\n", 0644,
			      "alice", admins, 3));
	assert_false(peek_exg("exempt_groups = { sudo }\n/* exempt_users = { \"!alice\" }\n", 0644,
			      "alice", admins, 3));
	assert_false(peek_exg("exempt_groups = { sudo }\ndefault {\n", 0644, "alice", admins, 3));
	/* a list without braces: libconfuse takes it as one entry */
	assert_false(peek_exg("exempt_groups = { sudo }\nexempt_users = \"!alice\"\n", 0644,
			      "alice", admins, 3));
	/* an entry longer than any name */
	assert_false(peek_exg(
		"exempt_groups = { sudo, \"!aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" }\n"
		"default { cpu_quota = fifty }\n",
		0644, "alice", admins, 3));
	/* groups unknown (lookup failed) and a group taken back somewhere */
	assert_false(peek_exg("exempt_users = { alice }\nexempt_groups = { \"!staff\" }\n", 0644,
			      "alice", NULL, 0));
	assert_true(peek_exg("exempt_users = { alice }\nexempt_groups = { sudo }\n", 0644, "alice",
			     NULL, 0));
	/* the drop-ins: their entries and their take-backs count */
	snprintf(path, sizeof(path), "%s/peek.conf", dir);
	snprintf(ddir, sizeof(ddir), "%s.d", path);
	snprintf(drop, sizeof(drop), "%s/50-x.conf", ddir);
	assert_int_equal(mkdir(ddir, 0755), 0);
	write_file(drop, "exempt_users = { \"!alice\" }\n", 0644);
	assert_false(peek_exg("exempt_groups = { sudo }\ndefault { cpu_quota = fifty }\n", 0644,
			      "alice", admins, 3));
	write_file(drop, "exempt_groups = { sudo }\n", 0644);
	assert_true(peek_exg("default { cpu_quota = fifty }\n", 0644, "alice", admins, 3));
	/* a drop-in that cannot be scanned to its end, or a loose one */
	write_file(drop, "exempt_groups = { \"sudo }\n", 0644);
	assert_false(peek_exg("exempt_groups = { sudo }\n", 0644, "alice", admins, 3));
	write_file(drop, "exempt_groups = { sudo }\n", 0666);
	assert_false(peek_exg("exempt_groups = { sudo }\n", 0644, "alice", admins, 3));
	assert_int_equal(unlink(drop), 0);
	assert_int_equal(rmdir(ddir), 0);
	/* a list given again with "=" drops what it had for libconfuse */
	assert_false(peek_exg("exempt_groups += { sudo }\nexempt_groups = { wheel }\n", 0644,
			      "alice", admins, 3));
	assert_false(peek_exg("exempt_groups = { sudo }\nexempt_groups = { wheel }\n", 0644,
			      "alice", admins, 3));
	assert_true(peek_exg("exempt_groups = { }\nexempt_groups += { sudo }\n", 0644, "alice",
			     admins, 3));
	/* where the scan's tokens may part from libconfuse's */
	assert_false(peek_exg("exempt_groups = { sudo }\nlogin_message = \"${x\"}\"\n"
			      "exempt_users += { \"!alice\" }\n# \"\n",
			      0644, "alice", admins, 3));
	assert_false(peek_exg("exempt_groups = { sudo }\n\"exempt\\137users\" += { \"!alice\" }\n",
			      0644, "alice", admins, 3));
	assert_false(peek_exg("exempt_groups = { sudo }\nx = ${a{b}\n", 0644, "alice", admins, 3));
}

/* A drop-in's exempt_users += {...} is merged like its "= {...}": the
 * parsed file honours its take-back. */
static void test_dropin_list_append(void **state)
{
	struct iso_config *c = NULL;
	struct iso_err e;
	char path[128], ddir[140], drop[160];
	size_t i;
	bool seen = false;

	(void)state;
	need_root();
	snprintf(path, sizeof(path), "%s/append.conf", dir);
	snprintf(ddir, sizeof(ddir), "%s.d", path);
	snprintf(drop, sizeof(drop), "%s/50-x.conf", ddir);
	write_file(path, "exempt_groups = { staff }\n", 0644);
	assert_int_equal(mkdir(ddir, 0755), 0);
	write_file(drop, "exempt_users += { \"!alice\" }\n", 0644);
	assert_int_equal(iso_config_load(path, true, &c, &e), 0);
	for (i = 0; i < c->n_exempt_users; i++)
		seen |= c->exempt_users[i] && strcmp(c->exempt_users[i], "!alice") == 0;
	assert_true(seen);
	iso_config_free(c);
	assert_int_equal(unlink(drop), 0);
	assert_int_equal(rmdir(ddir), 0);
}

/* For a config that does not parse, on_config_error wins over on_error. */
static void test_peek_on_config_error(void **state)
{
	(void)state;
	need_root();
	assert_int_equal(peek("on_config_error = allow\n", 0644), ISO_ON_ERROR_ALLOW);
	assert_int_equal(peek("on_error = allow\non_config_error = deny\n", 0644),
			 ISO_ON_ERROR_DENY);
	assert_int_equal(peek("on_config_error = deny\non_error = allow\n", 0644),
			 ISO_ON_ERROR_DENY);
	assert_int_equal(peek("on_error = deny\non_config_error = 'allow'\n"
			      "default { cpu_quota = fifty\n}}} \"\n",
			      0644),
			 ISO_ON_ERROR_ALLOW);
	/* Other classes have no say here. */
	assert_int_equal(peek("on_error = allow\non_cgroup_error = deny\n"
			      "on_namespace_error = deny\n",
			      0644),
			 ISO_ON_ERROR_ALLOW);
	assert_int_equal(peek("on_cgroup_error = allow\non_namespace_error = allow\n", 0644),
			 ISO_ON_ERROR_DENY);
	/* Given but not "allow": deny, even over on_error = allow. */
	assert_int_equal(peek("on_error = allow\non_config_error = allowed\n", 0644),
			 ISO_ON_ERROR_DENY);
	/* The last one counts, as for on_error. */
	assert_int_equal(peek("on_config_error = allow\non_config_error = deny\n", 0644),
			 ISO_ON_ERROR_DENY);
	/* Not top level, commented out, or a longer key: not the setting. */
	assert_int_equal(peek("on_error = allow\ndefault { on_config_error = deny }\n", 0644),
			 ISO_ON_ERROR_ALLOW);
	assert_int_equal(peek("# on_config_error = allow\non_error = deny\n", 0644),
			 ISO_ON_ERROR_DENY);
	assert_int_equal(peek("on_config_error_x = allow\n", 0644), ISO_ON_ERROR_DENY);
	/* Still only from a file only root can change. */
	assert_int_equal(peek("on_config_error = allow\n", 0666), ISO_ON_ERROR_DENY);
}

/* ---- the key table (config/keys.c) ---- */

/* Each field of struct iso_limits has exactly one whole row. */
static void test_key_table(void **state)
{
	bool seen[ISO_NKEYS] = {false};
	struct iso_limits lim;

	(void)state;
	for (size_t i = 0; i < ISO_NKEYS; i++) {
		const struct iso_key *k = &iso_keys[i];
		size_t field = k->off / sizeof(int64_t);

		assert_non_null(k->name);
		assert_non_null(k->parse);
		assert_non_null(k->format);
		assert_non_null(k->expect);
		assert_non_null(k->range);
		assert_int_equal(k->off % sizeof(int64_t), 0);
		assert_true(field < ISO_NKEYS);
		assert_false(seen[field]);
		seen[field] = true;
		assert_ptr_equal(iso_key_find(k->name), k);
		/* A built-in value is one the key's own check accepts. */
		if (k->has_builtin && !(k->flags & ISO_KEY_LIST))
			assert_true(k->builtin == ISO_MAX
					    ? (k->flags & ISO_KEY_MAX_OK) != 0
					    : k->builtin >= k->min && k->builtin <= k->max);
	}
	assert_null(iso_key_find("cgroup_root"));
	iso_limits_builtin(&lim);
	assert_int_equal(lim.cpu_period_us, ISO_DEFAULT_CPU_PERIOD_US);
	assert_int_equal(lim.namespaces, 0);
	assert_int_equal(lim.session_max_time, ISO_MAX);
	assert_int_equal(lim.cpu_quota, ISO_UNSET);
}

/* A private tmpfs is at most half of memory_max, so a fill ends in
 * ENOSPC before the cgroup's OOM killer; "yes" means disk. */
static void test_tmpfs_size(void **state)
{
	struct iso_limits l;
	const int64_t G = INT64_C(1) << 30, ram = 10 * G;
	int64_t v;

	(void)state;
	memset(&l, 0, sizeof(l));
	l.tmp_size = ISO_UNSET;
	l.memory_max = ISO_UNSET;
	assert_int_equal(iso_limits_tmpfs_size(&l, ram), G);
	l.tmp_size = ISO_MAX;
	assert_int_equal(iso_limits_tmpfs_size(&l, ram), ISO_MAX);
	l.memory_max = 64 << 20;
	assert_int_equal(iso_limits_tmpfs_size(&l, ram), 32 << 20);
	l.tmp_size = 16 << 20;
	assert_int_equal(iso_limits_tmpfs_size(&l, ram), 16 << 20);
	l.tmp_size = ISO_UNSET;
	assert_int_equal(iso_limits_tmpfs_size(&l, ram), 32 << 20);
	l.memory_max = ISO_MAX;
	assert_int_equal(iso_limits_tmpfs_size(&l, ram), G);
	assert_int_equal(iso_key_find("private_tmp")->parse("yes", &v), 0);
	assert_int_equal(v, ISO_TMP_DISK);
	assert_int_equal(iso_key_find("private_tmp")->parse("TMPFS", &v), 0);
	assert_int_equal(v, ISO_TMP_TMPFS);
	assert_int_equal(iso_key_find("private_tmp")->parse("off", &v), 0);
	assert_int_equal(v, ISO_TMP_NO);
}

/* Formatting a value and parsing the text back gives the value. */
static void test_key_format_round_trip(void **state)
{
	static const struct {
		const char *key, *text;
	} cases[] = {
		{"cpu_quota", "12.5%"},	  {"cpu_period", "100ms"},    {"cpu_weight", "200"},
		{"tasks_max", "max"},	  {"memory_max", "4G"},	      {"swap_max", "0"},
		{"private_tmp", "disk"},  {"sandbox", "per-session"}, {"on_logout", "kill"},
		{"private_tmp", "tmpfs"}, {"private_tmp", "no"},      {"session_max_time", "90m"},
		{"no_new_privs", "no"},
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct iso_key *k = iso_key_find(cases[i].key);
		int64_t v;

		assert_non_null(k);
		assert_int_equal(k->parse(cases[i].text, &v), 0);
		iso_key_format(k, v, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].text);
	}
	iso_key_format(iso_key_find("namespaces"), ISO_NS_USER | ISO_NS_MOUNT, buf, sizeof(buf));
	assert_string_equal(buf, "user mount");
	iso_key_format(iso_key_find("namespaces"), 0, buf, sizeof(buf));
	assert_string_equal(buf, "none");
	iso_key_format(iso_key_find("cpu_weight"), ISO_UNSET, buf, sizeof(buf));
	assert_string_equal(buf, "unset");
}

/* The helper's log line: the keys marked for it, as the file says them. */
static void test_limits_describe(void **state)
{
	struct iso_limits lim;
	char buf[256];

	(void)state;
	iso_limits_builtin(&lim);
	lim.cpu_quota = 5000;
	lim.tasks_max = 512;
	iso_limits_describe(&lim, buf, sizeof(buf));
	assert_string_equal(buf, "cpu_quota=50% cpu_period=100ms cpu_weight=unset tasks_max=512 "
				 "memory_max=unset");
}

/*
 * isolate.conf(5) documents exactly the table's keys in SECTION KEYS:
 * a row without its paragraph, or a paragraph left for a key that is
 * gone, fails here. Run from the source tree (tests/run-unit.sh).
 */
static void test_man_page_keys(void **state)
{
	unsigned count[ISO_NKEYS] = {0};
	char line[512];
	bool in = false;
	FILE *f = fopen("man/isolate.conf.5.in", "r");

	(void)state;
	if (!f) {
		fail_msg("man/isolate.conf.5.in: %s (run from the source tree)", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		const struct iso_key *k;
		char name[64];

		if (!strncmp(line, ".Sh ", 4))
			in = !strcmp(line, ".Sh SECTION KEYS\n");
		if (!in || sscanf(line, ".It Cm %63s", name) != 1)
			continue;
		k = iso_key_find(name);
		if (!k) {
			fclose(f);
			fail_msg("isolate.conf(5) documents \"%s\", which config/keys.c does not "
				 "have",
				 name);
		}
		count[k - iso_keys]++;
	}
	fclose(f);
	for (size_t i = 0; i < ISO_NKEYS; i++) {
		if (count[i] != 1)
			fail_msg("isolate.conf(5), SECTION KEYS: \"%s\" has %u paragraphs (want 1)",
				 iso_keys[i].name, count[i]);
	}
}

int main(void)
{
	const struct CMUnitTest parse_tests[] = {
		cmocka_unit_test(test_empty_config_defaults),
		cmocka_unit_test(test_full_unquoted),
		cmocka_unit_test(test_full_quoted),
		cmocka_unit_test(test_list_semantics),
		cmocka_unit_test(test_lines_after_comments),
		cmocka_unit_test(test_escaped_names),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_every_error),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_cgroup_root),
		cmocka_unit_test(test_cgroup_backend),
		cmocka_unit_test(test_login_message),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_parse_after_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_new_section_keys),
		cmocka_unit_test(test_new_section_key_errors),
		cmocka_unit_test(test_scope_and_classes),
		cmocka_unit_test(test_scope_and_class_errors),
		cmocka_unit_test(test_new_duplicate_keys),
		cmocka_unit_test(test_exempt_negation_parse),
		cmocka_unit_test(test_shipped_configs),
		cmocka_unit_test(test_key_table),
		cmocka_unit_test(test_key_format_round_trip),
		cmocka_unit_test(test_tmpfs_size),
		cmocka_unit_test(test_limits_describe),
		cmocka_unit_test(test_man_page_keys),
		cmocka_unit_test(test_mode),
	};
	const struct CMUnitTest file_tests[] = {
		cmocka_unit_test(test_load_good),
		cmocka_unit_test(test_load_errors_carry_path),
		cmocka_unit_test(test_load_mode_owner),
		cmocka_unit_test(test_load_symlinks),
		cmocka_unit_test(test_load_not_regular),
		cmocka_unit_test(test_load_content_checks),
		cmocka_unit_test(test_load_in_tmp),
		cmocka_unit_test(test_peek_on_error),
		cmocka_unit_test(test_peek_on_config_error),
		cmocka_unit_test(test_peek_exempt_user),
		cmocka_unit_test(test_peek_exempt_group),
		cmocka_unit_test(test_peek_exempt_unsure),
		cmocka_unit_test(test_dropin_list_append),
	};
	int failed;

	failed = cmocka_run_group_tests_name("config parse", parse_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("config files", file_tests, files_setup,
					      files_teardown);
	return failed;
}
