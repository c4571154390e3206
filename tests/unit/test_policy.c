/* SPDX-License-Identifier: BSD-3-Clause */
/* Rule resolution and NSS lookup (config/policy.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "isolate_config.h"

static const char conf[] = "exempt_users = { root, ops }\n"   /* 1 */
			   "exempt_groups = { wheel }\n"      /* 2 */
			   "default {\n"		      /* 3 */
			   "    cpu_quota = 100%\n"	      /* 4 */
			   "    tasks_max = 512\n"	      /* 5 */
			   "    namespaces = { user }\n"      /* 6 */
			   "}\n"			      /* 7 */
			   "group students {\n"		      /* 8 */
			   "    cpu_quota = 50%\n"	      /* 9 */
			   "    memory_max = 2G\n"	      /* 10 */
			   "    private_tmp = yes\n"	      /* 11 */
			   "}\n"			      /* 12 */
			   "group staff { cpu_quota = 300%\n" /* 13 */
			   "    namespaces = { pid } }\n"     /* 14 */
			   "user alice {\n"		      /* 15 */
			   "    cpu_quota = 200%\n"	      /* 16 */
			   "}\n"			      /* 17 */
			   "user bob { namespaces = {}\n"     /* 18 */
			   "    on_logout = kill }\n";	      /* 19 */

static int setup(void **state)
{
	struct iso_config *c = NULL;
	struct iso_err e;

	if (iso_config_parse_buf(conf, "p.conf", &c, &e) != 0) {
		print_error("%s\n", e.msg);
		return -1;
	}
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	iso_config_free(*state);
	return 0;
}

static struct iso_policy resolve_uid(const struct iso_config *c, const char *user, uid_t uid,
				     const char *const *groups, size_t n)
{
	struct iso_policy p;

	memset(&p, 0xa5, sizeof(p));
	assert_int_equal(iso_policy_resolve(c, user, uid, groups, n, &p), 0);
	return p;
}

/* A regular user: uid 1000, the lowest one min_uid leaves in reach. */
static struct iso_policy resolve(const struct iso_config *c, const char *user,
				 const char *const *groups, size_t n)
{
	return resolve_uid(c, user, 1000, groups, n);
}

static void describe_is(const struct iso_policy *p, const char *want)
{
	char buf[128];

	iso_policy_describe(p, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_limits_init(void **state)
{
	struct iso_limits lim;

	(void)state;
	memset(&lim, 0, sizeof(lim));
	iso_limits_init(&lim);
	assert_int_equal(lim.cpu_quota, ISO_UNSET);
	assert_int_equal(lim.cpu_period_us, ISO_UNSET);
	assert_int_equal(lim.namespaces, ISO_UNSET);
	assert_int_equal(lim.sandbox, ISO_UNSET);
	assert_int_equal(ISO_LIMITS_NFIELDS, 20);
}

/* The thread-count variables: whole CPUs of the quota, rounded up. */
static void test_thread_cpus(void **state)
{
	struct iso_config *c = NULL;
	struct iso_err e;
	struct iso_policy p;

	(void)state;
	assert_int_equal(iso_config_parse_buf("default { cpu_quota = 50% }\n"
					      "user alice { cpu_quota = 250% }\n"
					      "user bob { cpu_quota = 100%\n thread_env = no }\n"
					      "user carol { cpu_quota = max }\n",
					      "t.conf", &c, &e),
			 0);
	p = resolve(c, "dave", NULL, 0);
	assert_int_equal(p.lim.thread_env, 1);
	assert_int_equal(iso_limits_thread_cpus(&p.lim), 1);
	p = resolve(c, "alice", NULL, 0);
	assert_int_equal(iso_limits_thread_cpus(&p.lim), 3);
	p = resolve(c, "bob", NULL, 0);
	assert_int_equal(iso_limits_thread_cpus(&p.lim), 0);
	p = resolve(c, "carol", NULL, 0);
	assert_int_equal(iso_limits_thread_cpus(&p.lim), 0);
	iso_config_free(c);
	assert_int_equal(iso_config_parse_buf("", "empty.conf", &c, &e), 0);
	p = resolve(c, "dave", NULL, 0);
	assert_int_equal(iso_limits_thread_cpus(&p.lim), 0);
	iso_config_free(c);
}

static void test_builtin(void **state)
{
	struct iso_config *c = NULL;
	struct iso_err e;
	struct iso_policy p;

	(void)state;
	assert_int_equal(iso_config_parse_buf("", "empty.conf", &c, &e), 0);
	p = resolve(c, "alice", NULL, 0);
	assert_int_equal(p.match, ISO_MATCH_DEFAULT);
	assert_int_equal(p.rule_line, 0);
	assert_int_equal(p.lim.cpu_period_us, ISO_DEFAULT_CPU_PERIOD_US);
	assert_int_equal(p.lim.namespaces, 0);
	assert_int_equal(p.lim.private_tmp, 0);
	assert_int_equal(p.lim.on_logout, ISO_LOGOUT_KEEP);
	assert_int_equal(p.lim.sandbox, ISO_SANDBOX_PER_USER);
	assert_int_equal(p.lim.cpu_quota, ISO_UNSET);
	assert_int_equal(p.lim.cpu_weight, ISO_UNSET);
	assert_int_equal(p.lim.tasks_max, ISO_UNSET);
	assert_int_equal(p.lim.memory_max, ISO_UNSET);
	assert_int_equal(p.lim.tmp_size, ISO_UNSET);
	assert_string_equal(p.group_name, "");
	describe_is(&p, "built-in default");

	/* root is exempt even in an empty config. */
	p = resolve(c, "root", NULL, 0);
	assert_int_equal(p.match, ISO_MATCH_EXEMPT_USER);
	iso_config_free(c);
}

static void test_default(void **state)
{
	const char *const groups[] = {"users", "audio"};
	struct iso_policy p;

	p = resolve(*state, "carol", groups, 2);
	assert_int_equal(p.match, ISO_MATCH_DEFAULT);
	assert_string_equal(p.rule_name, "default");
	assert_int_equal(p.rule_line, 3);
	assert_int_equal(p.lim.cpu_quota, 10000);
	assert_int_equal(p.lim.tasks_max, 512);
	assert_int_equal(p.lim.cpu_period_us, 100000); /* built-in */
	assert_int_equal(p.lim.namespaces, ISO_NS_USER);
	assert_int_equal(p.lim.memory_max, ISO_UNSET);
	describe_is(&p, "default (line 3)");
}

/* Groups: the first matching section in file order wins, whatever order
 * NSS lists the user's groups in; keys it leaves out come from default. */
static void test_group_file_order(void **state)
{
	const char *const groups[] = {"users", "staff", "students"};
	struct iso_policy p;

	p = resolve(*state, "dave", groups, 3);
	assert_int_equal(p.match, ISO_MATCH_GROUP);
	assert_string_equal(p.rule_name, "students");
	assert_int_equal(p.rule_line, 8);
	assert_string_equal(p.group_name, "students");
	assert_int_equal(p.group_line, 8);
	assert_int_equal(p.lim.cpu_quota, 5000);
	assert_int_equal(p.lim.memory_max, INT64_C(2) << 30);
	assert_int_equal(p.lim.tasks_max, 512);
	/* private_tmp implies a mount namespace. */
	assert_int_equal(p.lim.private_tmp, 1);
	assert_int_equal(p.lim.namespaces, ISO_NS_USER | ISO_NS_MOUNT);
	describe_is(&p, "group students (line 8)");

	/* A pid namespace also implies a mount namespace (fresh /proc). */
	p = resolve(*state, "dave", groups, 2);
	assert_string_equal(p.rule_name, "staff");
	assert_int_equal(p.lim.cpu_quota, 30000);
	assert_int_equal(p.lim.namespaces, ISO_NS_PID | ISO_NS_MOUNT);
	assert_int_equal(p.lim.private_tmp, 0);
}

static unsigned from_of(const struct iso_policy *p, const char *key)
{
	const struct iso_key *k = iso_key_find(key);

	assert_non_null(k);
	return p->from[k - iso_keys];
}

/* The policy records where each value came from (explain reads it). */
static void test_origins(void **state)
{
	const char *const groups[] = {"students"};
	struct iso_policy p;

	p = resolve(*state, "alice", groups, 1);
	assert_int_equal(from_of(&p, "cpu_quota"), ISO_FROM_USER);
	assert_int_equal(from_of(&p, "memory_max"), ISO_FROM_GROUP);
	assert_int_equal(from_of(&p, "tasks_max"), ISO_FROM_DEFAULT);
	assert_int_equal(from_of(&p, "cpu_period"), ISO_FROM_BUILTIN);
	assert_int_equal(from_of(&p, "cpu_weight"), ISO_FROM_BUILTIN);
	/* namespaces came from the default; mount was added for private_tmp. */
	assert_int_equal(from_of(&p, "namespaces"), ISO_FROM_DEFAULT);
	assert_true(p.mount_implied);
	assert_int_equal(p.user_line, 15);
	assert_null(p.user_file);
	assert_int_equal(p.default_line, 3);
	assert_null(p.default_file);

	/* Kept when an exemption wins: explain shows what the rule gives. */
	p = resolve(*state, "ops", groups, 1);
	assert_int_equal(p.match, ISO_MATCH_EXEMPT_USER);
	assert_int_equal(from_of(&p, "memory_max"), ISO_FROM_GROUP);
	assert_int_equal(p.user_line, 0);

	p = resolve(*state, "bob", NULL, 0);
	assert_int_equal(from_of(&p, "namespaces"), ISO_FROM_USER);
	assert_int_equal(from_of(&p, "on_logout"), ISO_FROM_USER);
	assert_false(p.mount_implied);
}

static void test_user_over_group(void **state)
{
	const char *const groups[] = {"students"};
	struct iso_policy p;

	p = resolve(*state, "alice", groups, 1);
	assert_int_equal(p.match, ISO_MATCH_USER);
	assert_string_equal(p.rule_name, "alice");
	assert_int_equal(p.rule_line, 15);
	assert_string_equal(p.group_name, "students");
	assert_int_equal(p.group_line, 8);
	assert_int_equal(p.lim.cpu_quota, 20000);	      /* user */
	assert_int_equal(p.lim.memory_max, INT64_C(2) << 30); /* group */
	assert_int_equal(p.lim.tasks_max, 512);		      /* default */
	assert_int_equal(p.lim.cpu_period_us, 100000);	      /* built-in */
	describe_is(&p, "user alice (line 15) over group students (line 8)");

	p = resolve(*state, "alice", NULL, 0);
	assert_int_equal(p.match, ISO_MATCH_USER);
	assert_string_equal(p.group_name, "");
	assert_int_equal(p.lim.memory_max, ISO_UNSET);
	describe_is(&p, "user alice (line 15)");

	/* "namespaces = {}" in a user section overrides the default's list,
	 * but private_tmp from the group still brings a mount namespace. */
	p = resolve(*state, "bob", NULL, 0);
	assert_int_equal(p.lim.namespaces, 0);
	assert_int_equal(p.lim.on_logout, ISO_LOGOUT_KILL);
	p = resolve(*state, "bob", groups, 1);
	assert_int_equal(p.lim.namespaces, ISO_NS_MOUNT);

	/* Names match exactly. */
	p = resolve(*state, "Alice", NULL, 0);
	assert_int_equal(p.match, ISO_MATCH_DEFAULT);
}

static void test_exempt(void **state)
{
	const char *const groups[] = {"students", "wheel"};
	struct iso_policy p;

	p = resolve(*state, "ops", groups, 1);
	assert_int_equal(p.match, ISO_MATCH_EXEMPT_USER);
	assert_string_equal(p.rule_name, "ops");
	assert_int_equal(p.lim.cpu_quota, 5000); /* filled anyway, for explain */
	describe_is(&p, "exempt user ops");

	p = resolve(*state, "alice", groups, 2);
	assert_int_equal(p.match, ISO_MATCH_EXEMPT_GROUP);
	assert_string_equal(p.rule_name, "wheel");
	assert_int_equal(p.lim.cpu_quota, 20000);
	describe_is(&p, "exempt group wheel");
}

static void test_bad_args(void **state)
{
	struct iso_policy p;
	char buf[8];

	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(iso_policy_resolve(NULL, "a", 1000, NULL, 0, &p), -EINVAL);
	assert_int_equal(iso_policy_resolve(*state, NULL, 1000, NULL, 0, &p), -EINVAL);
	assert_int_equal(iso_policy_resolve(*state, "a", 1000, NULL, 1, &p), -EINVAL);
	assert_int_equal(iso_policy_resolve(*state, "a", 1000, NULL, 0, NULL), -EINVAL);
	assert_int_equal(p.rule_line, 0x5a5a5a5a); /* untouched */

	p = resolve(*state, "alice", NULL, 0);
	iso_policy_describe(&p, buf, sizeof(buf));
	assert_string_equal(buf, "user al"); /* truncated, terminated */
	iso_policy_describe(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "none");
}

/* ---- issue 11: new keys, negation, min_uid, services ---- */

static struct iso_config *parse(const char *text)
{
	struct iso_config *c = NULL;
	struct iso_err e;

	if (iso_config_parse_buf(text, "n.conf", &c, &e) != 0)
		print_error("%s\n", e.msg);
	assert_non_null(c);
	return c;
}

static void test_new_keys_builtin(void **state)
{
	struct iso_config *c = parse("");
	struct iso_policy p;

	(void)state;
	p = resolve(c, "alice", NULL, 0);
	assert_int_equal(p.lim.memory_high, ISO_UNSET); /* not managed */
	assert_int_equal(p.lim.swap_max, ISO_UNSET);	/* not managed */
	assert_int_equal(p.lim.session_max_time, ISO_MAX);
	assert_int_equal(p.lim.private_shm, 0);
	assert_int_equal(p.lim.cgroup_ns, 0);
	assert_int_equal(p.lim.no_new_privs, 0);
	assert_int_equal(p.lim.namespaces, 0);
	iso_config_free(c);
}

static void test_new_keys_inherit(void **state)
{
	static const char text[] = "default {\n"		      /* 1 */
				   "    memory_high = 1G\n"	      /* 2 */
				   "    session_max_time = 8h\n"      /* 3 */
				   "    no_new_privs = yes\n"	      /* 4 */
				   "}\n"			      /* 5 */
				   "group lab {\n"		      /* 6 */
				   "    swap_max = 0\n"		      /* 7 */
				   "    private_shm = yes\n"	      /* 8 */
				   "    session_max_time = 30m\n"     /* 9 */
				   "}\n"			      /* 10 */
				   "user ann {\n"		      /* 11 */
				   "    session_max_time = max\n"     /* 12 */
				   "    cgroup_ns = yes\n"	      /* 13 */
				   "    no_new_privs = no\n"	      /* 14 */
				   "    memory_high = max\n"	      /* 15 */
				   "}\n"			      /* 16 */
				   "user ben { private_shm = no }\n"; /* 17 */
	const char *const lab[] = {"lab"};
	struct iso_config *c = parse(text);
	struct iso_policy p;

	(void)state;
	p = resolve(c, "zed", NULL, 0);
	assert_int_equal(p.lim.memory_high, INT64_C(1) << 30);
	assert_int_equal(p.lim.swap_max, ISO_UNSET);
	assert_int_equal(p.lim.session_max_time, 8 * 3600);
	assert_int_equal(p.lim.no_new_privs, 1);
	assert_int_equal(p.lim.private_shm, 0);
	assert_int_equal(p.lim.namespaces, 0);

	p = resolve(c, "zed", lab, 1);
	assert_int_equal(p.lim.memory_high, INT64_C(1) << 30); /* default */
	assert_int_equal(p.lim.swap_max, 0);		       /* group: no swap */
	assert_int_equal(p.lim.session_max_time, 1800);	       /* group */
	assert_int_equal(p.lim.no_new_privs, 1);	       /* default */
	/* A private /dev/shm needs its own mount namespace, like /tmp. */
	assert_int_equal(p.lim.private_shm, 1);
	assert_int_equal(p.lim.namespaces, ISO_NS_MOUNT);

	p = resolve(c, "ann", lab, 1);
	assert_int_equal(p.match, ISO_MATCH_USER);
	assert_int_equal(p.lim.session_max_time, ISO_MAX); /* user: none */
	assert_int_equal(p.lim.cgroup_ns, 1);
	assert_int_equal(p.lim.no_new_privs, 0);
	assert_int_equal(p.lim.memory_high, ISO_MAX);
	assert_int_equal(p.lim.swap_max, 0);
	assert_int_equal(p.lim.private_shm, 1);

	/* private_shm = no in the user section: no mount namespace added. */
	p = resolve(c, "ben", lab, 1);
	assert_int_equal(p.lim.private_shm, 0);
	assert_int_equal(p.lim.namespaces, 0);
	iso_config_free(c);
}

/* "!name" un-exempts; negations win over listings, in either list. */
static void test_exempt_negation(void **state)
{
	const char *const staff[] = {"users", "staff"};
	const char *const staff_interns[] = {"staff", "interns"};
	const char *const interns[] = {"interns"};
	struct iso_config *c;
	struct iso_policy p;

	(void)state;
	/* The documented example: bob, in staff, is still confined. */
	c = parse("exempt_groups = { staff }\nexempt_users = { root, \"!bob\" }\n"
		  "default { cpu_quota = 50% }\n");
	p = resolve(c, "bob", staff, 2);
	assert_int_equal(p.match, ISO_MATCH_DEFAULT);
	describe_is(&p, "default (line 3)");
	p = resolve(c, "alice", staff, 2);
	assert_int_equal(p.match, ISO_MATCH_EXEMPT_GROUP);
	describe_is(&p, "exempt group staff");
	p = resolve(c, "root", NULL, 0);
	assert_int_equal(p.match, ISO_MATCH_EXEMPT_USER);
	/* Negating someone who is not exempt anyway changes nothing. */
	p = resolve(c, "bob", NULL, 0);
	assert_int_equal(p.match, ISO_MATCH_DEFAULT);
	iso_config_free(c);

	/* A negated group takes its members out of exempt_users too. */
	c = parse("exempt_users = { carol, dave }\nexempt_groups = { staff, \"!interns\" }\n");
	p = resolve(c, "carol", interns, 1);
	assert_int_equal(p.match, ISO_MATCH_DEFAULT);
	p = resolve(c, "carol", NULL, 0);
	assert_int_equal(p.match, ISO_MATCH_EXEMPT_USER);
	p = resolve(c, "erin", staff_interns, 2);
	assert_int_equal(p.match, ISO_MATCH_DEFAULT);
	p = resolve(c, "erin", staff, 2);
	assert_int_equal(p.match, ISO_MATCH_EXEMPT_GROUP);
	assert_string_equal(p.rule_name, "staff");
	iso_config_free(c);

	/* Listed and negated in the same list: negation wins. */
	c = parse("exempt_users = { dave, \"!dave\" }\nexempt_groups = { \"!staff\", staff }\n");
	p = resolve(c, "dave", NULL, 0);
	assert_int_equal(p.match, ISO_MATCH_DEFAULT);
	p = resolve(c, "frank", staff, 2);
	assert_int_equal(p.match, ISO_MATCH_DEFAULT);
	iso_config_free(c);

	/* Names match exactly, also after the '!'. */
	c = parse("exempt_groups = { staff }\nexempt_users = { \"!Bob\" }\n");
	p = resolve(c, "bob", staff, 2);
	assert_int_equal(p.match, ISO_MATCH_EXEMPT_GROUP);
	iso_config_free(c);
}

/* Below min_uid: never touched, after the exempt lists. */
static void test_min_uid(void **state)
{
	const char *const wheel[] = {"wheel"};
	struct iso_config *c;
	struct iso_policy p;

	(void)state;
	/* The shared config: built-in min_uid 1000. */
	p = resolve_uid(*state, "daemonx", 999, NULL, 0);
	assert_int_equal(p.match, ISO_MATCH_EXEMPT_UID);
	assert_string_equal(p.rule_name, "min_uid");
	assert_int_equal(p.rule_line, 0);
	assert_int_equal(p.uid, 999);
	assert_int_equal(p.min_uid, 1000);
	assert_int_equal(p.lim.cpu_quota, 10000); /* filled anyway, for explain */
	describe_is(&p, "uid 999 below min_uid 1000");
	p = resolve_uid(*state, "daemonx", 1000, NULL, 0);
	assert_int_equal(p.match, ISO_MATCH_DEFAULT);
	p = resolve_uid(*state, "big", 4294967294U, NULL, 0);
	assert_int_equal(p.match, ISO_MATCH_DEFAULT);
	/* The lists come first. */
	p = resolve_uid(*state, "ops", 10, NULL, 0);
	assert_int_equal(p.match, ISO_MATCH_EXEMPT_USER);
	p = resolve_uid(*state, "x", 10, wheel, 1);
	assert_int_equal(p.match, ISO_MATCH_EXEMPT_GROUP);
	/* A user section does not reach below min_uid. */
	p = resolve_uid(*state, "alice", 500, NULL, 0);
	assert_int_equal(p.match, ISO_MATCH_EXEMPT_UID);
	assert_int_equal(p.lim.cpu_quota, 20000);
	describe_is(&p, "uid 500 below min_uid 1000");

	/* root, taken out of exempt_users, is still below min_uid. */
	c = parse("exempt_users = {}\n\nmin_uid = 500\n");
	p = resolve_uid(c, "root", 0, NULL, 0);
	assert_int_equal(p.match, ISO_MATCH_EXEMPT_UID);
	assert_int_equal(p.rule_line, 3);
	describe_is(&p, "uid 0 below min_uid 500");
	p = resolve_uid(c, "svc", 499, NULL, 0);
	assert_int_equal(p.match, ISO_MATCH_EXEMPT_UID);
	p = resolve_uid(c, "svc", 500, NULL, 0);
	assert_int_equal(p.match, ISO_MATCH_DEFAULT);
	iso_config_free(c);

	/* "!name" cancels the lists, not min_uid. */
	c = parse("exempt_users = { \"!svc\" }\n");
	p = resolve_uid(c, "svc", 100, NULL, 0);
	assert_int_equal(p.match, ISO_MATCH_EXEMPT_UID);
	iso_config_free(c);

	/* min_uid = 0 reaches everyone the lists do not exempt. */
	c = parse("min_uid = 0\nexempt_users = {}\n");
	p = resolve_uid(c, "root", 0, NULL, 0);
	assert_int_equal(p.match, ISO_MATCH_DEFAULT);
	iso_config_free(c);
	c = parse("min_uid = 0\n");
	p = resolve_uid(c, "root", 0, NULL, 0);
	assert_int_equal(p.match, ISO_MATCH_EXEMPT_USER);
	iso_config_free(c);
}

static void test_service_scope(void **state)
{
	struct iso_config *c;

	(void)state;
	/* No list (the shared config) or an empty one: every service. */
	assert_true(iso_config_service_in_scope(*state, "sshd"));
	assert_true(iso_config_service_in_scope(*state, "anything"));
	assert_true(iso_config_service_in_scope(*state, NULL));
	c = parse("services = {}\n");
	assert_true(iso_config_service_in_scope(c, "su"));
	iso_config_free(c);

	c = parse("services = { sshd, \"Login\" }\n");
	assert_true(iso_config_service_in_scope(c, "sshd"));
	assert_true(iso_config_service_in_scope(c, "login"));
	/* Linux-PAM lower-cases service names: compare without case. */
	assert_true(iso_config_service_in_scope(c, "SSHD"));
	assert_false(iso_config_service_in_scope(c, "su"));
	assert_false(iso_config_service_in_scope(c, "sshd2"));
	assert_false(iso_config_service_in_scope(c, "ssh"));
	assert_false(iso_config_service_in_scope(c, ""));
	assert_false(iso_config_service_in_scope(c, NULL));
	iso_config_free(c);

	assert_false(iso_config_service_in_scope(NULL, "sshd"));
}

/* The helper looks the user's groups up only where they can matter. */
static void test_uses_groups(void **state)
{
	struct iso_config *cfg;

	(void)state;
	assert_false(iso_config_uses_groups(NULL));
	cfg = parse("default { cpu_quota = 50% }\nuser \"alice\" { cpu_quota = 20% }\n");
	assert_false(iso_config_uses_groups(cfg));
	iso_config_free(cfg);
	cfg = parse("group \"students\" { cpu_quota = 20% }\n");
	assert_true(iso_config_uses_groups(cfg));
	iso_config_free(cfg);
	cfg = parse("exempt_groups = { \"staff\" }\n");
	assert_true(iso_config_uses_groups(cfg));
	iso_config_free(cfg);
}

static void test_user_lookup(void **state)
{
	char **groups = NULL;
	size_t n = 0;
	uid_t uid = 99;
	gid_t gid = 99;

	(void)state;
	assert_int_equal(iso_user_lookup("root", &uid, &gid, &groups, &n), 0);
	assert_int_equal(uid, 0);
	assert_int_equal(gid, 0);
	assert_true(n >= 1);
	assert_string_equal(groups[0], "root"); /* primary first */
	iso_groups_free(groups, n);

	groups = NULL;
	assert_int_equal(iso_user_lookup("nobody", &uid, &gid, &groups, &n), 0);
	assert_int_equal(uid, 65534);
	assert_non_null(groups);
	iso_groups_free(groups, n);

	uid = 99;
	groups = NULL;
	assert_int_equal(iso_user_lookup("isot_no_such_user", &uid, &gid, &groups, &n), -ENOENT);
	assert_int_equal(uid, 99);
	assert_null(groups);
	assert_int_equal(iso_user_lookup(NULL, &uid, &gid, &groups, &n), -EINVAL);
	iso_groups_free(NULL, 0);

	/* the ids only: no group list asked, none made */
	uid = 99;
	gid = 99;
	assert_int_equal(iso_user_lookup("nobody", &uid, &gid, NULL, NULL), 0);
	assert_int_equal(uid, 65534);
	assert_int_not_equal(gid, 99);
	assert_int_equal(iso_user_lookup("isot_no_such_user", &uid, &gid, NULL, NULL), -ENOENT);
	/* both or neither */
	assert_int_equal(iso_user_lookup("nobody", &uid, &gid, &groups, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits_init),	 cmocka_unit_test(test_thread_cpus),
		cmocka_unit_test(test_builtin),		 cmocka_unit_test(test_default),
		cmocka_unit_test(test_group_file_order), cmocka_unit_test(test_origins),
		cmocka_unit_test(test_user_over_group),	 cmocka_unit_test(test_exempt),
		cmocka_unit_test(test_bad_args),	 cmocka_unit_test(test_user_lookup),
		cmocka_unit_test(test_new_keys_builtin), cmocka_unit_test(test_new_keys_inherit),
		cmocka_unit_test(test_exempt_negation),	 cmocka_unit_test(test_min_uid),
		cmocka_unit_test(test_service_scope),	 cmocka_unit_test(test_uses_groups),
	};

	return cmocka_run_group_tests_name("policy", tests, setup, teardown);
}
