/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config/check.c: the one check of a resolved rule (iso_limits_check),
 * every rule of a config as check-config sees it (iso_config_check), its
 * warnings, and the parity test of issue 17: no config that check-config
 * accepts may be refused by the helper's checks at a login on this
 * machine. Configs for the parity test come from the fuzz corpus, the
 * shipped examples and generated mutations with this machine's users and
 * groups in their sections.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_internal.h"
#include "isolate_config.h"

static struct iso_config *parse(const char *text)
{
	struct iso_config *c = NULL;
	struct iso_err e;

	if (iso_config_parse_buf(text, "t.conf", &c, &e) != 0)
		print_error("unexpected error: %s\n", e.msg);
	assert_non_null(c);
	return c;
}

/* The machine of the warnings: 2 CPUs, 24G, a pam.d with sshd only. */
static char pamdir[] = "/tmp/isot-check-pam.XXXXXX";
static struct iso_machine machine;

static int setup(void **state)
{
	char path[sizeof(pamdir) + 8];
	FILE *f;

	(void)state;
	if (!mkdtemp(pamdir))
		return -1;
	snprintf(path, sizeof(path), "%s/sshd", pamdir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fclose(f);
	machine.ncpu = 2;
	machine.mem_bytes = (int64_t)24 << 30;
	machine.pam_dir = pamdir;
	machine.check_names = true;
	return 0;
}

static int teardown(void **state)
{
	char path[sizeof(pamdir) + 8];

	(void)state;
	snprintf(path, sizeof(path), "%s/sshd", pamdir);
	unlink(path);
	rmdir(pamdir);
	return 0;
}

/* check-config's verdict on text: errors and warnings, as printed. */
static int check(const char *text, struct iso_err *err, struct iso_err *warn)
{
	struct iso_config *c = parse(text);
	int r;

	iso_err_clear(err);
	iso_err_clear(warn);
	r = iso_config_check(c, &machine, err, warn);
	iso_config_free(c);
	return r;
}

#define expect_error(text, want)                                                                   \
	do {                                                                                       \
		struct iso_err e_, w_;                                                             \
		assert_int_equal(check(text, &e_, &w_), -EINVAL);                                  \
		assert_string_equal(e_.msg, want);                                                 \
	} while (0)

#define expect_warning(text, want)                                                                 \
	do {                                                                                       \
		struct iso_err e_, w_;                                                             \
		assert_int_equal(check(text, &e_, &w_), 0);                                        \
		if (!strstr(w_.msg, want))                                                         \
			fail_msg("warning \"%s\" not in:\n%s", want, w_.msg);                      \
	} while (0)

#define expect_clean(text)                                                                         \
	do {                                                                                       \
		struct iso_err e_, w_;                                                             \
		assert_int_equal(check(text, &e_, &w_), 0);                                        \
		assert_string_equal(e_.msg, "");                                                   \
		assert_string_equal(w_.msg, "");                                                   \
	} while (0)

/* The three cases of issue 17 that check-config passed and logins failed. */
static void test_parity_cases(void **state)
{
	(void)state;
	expect_error("exempt_users = { root, nobody }\n"
		     "default {\n namespaces = { }\n session_max_time = 8h\n}\n",
		     "t.conf:2: default: session_max_time = 8h needs a cgroup limit (e.g. "
		     "tasks_max) to find the session's processes; the login would be refused");
	expect_error("exempt_users = { root, nobody }\ndefault {\n cpu_quota = 0.5%\n}\n",
		     "t.conf:2: default: cpu_quota 0.5% of a 100ms cpu_period is 500 us, below "
		     "the kernel's minimum of 1000 us (raise cpu_quota or cpu_period)");
	expect_warning("exempt_users = { root, nobody }\n"
		       "default {\n namespaces = { user, pid }\n on_logout = kill\n}\n",
		       "t.conf:2: warning: default: on_logout = kill without a cgroup limit: "
		       "sessions cannot be told apart, so only the last logout kills (set e.g. "
		       "tasks_max)");
	/* the systemd backend ends the logind session instead: no leaf needed */
	expect_clean("exempt_users = { root, nobody }\ncgroup_backend = systemd\n"
		     "default {\n namespaces = { }\n session_max_time = 8h\n}\n");
	/* 0.5% of a 1 s period is 5 ms: fine */
	expect_clean("exempt_users = { root, nobody }\n"
		     "default {\n cpu_quota = 0.5%\n cpu_period = 1s\n}\n");
}

/* A group's problem is its own; the default's is not repeated for it. */
static void test_rule_errors_named(void **state)
{
	(void)state;
	expect_error("exempt_users = { root, nobody }\n"
		     "default { cpu_quota = 50% }\n"
		     "group \"nogroup\" {\n cpu_period = 1ms\n}\n",
		     "t.conf:3: group nogroup: cpu_quota 50% of a 1ms cpu_period is 500 us, "
		     "below the kernel's minimum of 1000 us (raise cpu_quota or cpu_period)");
	expect_error("exempt_users = { root }\n"
		     "default { cpu_quota = 0.5% }\n"
		     "group \"nogroup\" { tasks_max = 5 }\n",
		     "t.conf:2: default: cpu_quota 0.5% of a 100ms cpu_period is 500 us, below the "
		     "kernel's minimum of 1000 us (raise cpu_quota or cpu_period)");
	/* a user resolved as at login: nobody is in nogroup, whose 1ms
	 * period turns the user's 50% into 500 us */
	expect_error("exempt_users = { root }\n"
		     "group \"nogroup\" { cpu_period = 1ms\n cpu_quota = 100% }\n"
		     "user \"nobody\" { cpu_quota = 50% }\n",
		     "t.conf:4: user nobody over group nogroup: cpu_quota 50% of a 1ms cpu_period "
		     "is 500 us, below the kernel's minimum of 1000 us (raise cpu_quota or "
		     "cpu_period)");
}

static void test_warnings(void **state)
{
	(void)state;
	expect_warning("services = { \"ssh\", \"sshd\" }\n",
		       "t.conf:1: warning: services: no PAM service \"ssh\" on this machine");
	expect_clean("services = { \"SSHD\" }\n");
	expect_warning("exempt_users = { \"root\", \"admn\" }\n",
		       "t.conf:1: warning: exempt_users: no user \"admn\" on this machine: it "
		       "exempts nobody");
	expect_warning("exempt_groups = { \"isot_nosuchgroup\" }\n",
		       "t.conf:1: warning: exempt_groups: no group \"isot_nosuchgroup\" on this "
		       "machine: it exempts nobody");
	expect_warning("user \"isot_nosuchuser\" { tasks_max = 5 }\n",
		       "t.conf:1: warning: no user \"isot_nosuchuser\" on this machine");
	expect_warning("group \"isot_nosuchgroup\" { tasks_max = 5 }\n",
		       "t.conf:1: warning: no group \"isot_nosuchgroup\" on this machine");
	expect_warning("exempt_users = { root, nobody }\n"
		       "default {\n memory_max = 1G\n memory_high = 2G\n}\n",
		       "t.conf:2: warning: default: memory_high 2G is above memory_max 1G: it "
		       "never throttles");
	expect_warning("exempt_users = { root, nobody }\ndefault { cpu_quota = 800% }\n",
		       "t.conf:2: warning: default: cpu_quota 800% is more than the 2 CPU(s) of "
		       "this machine (200%): it limits nothing here");
	expect_warning("exempt_users = { root, nobody }\ndefault { memory_max = 64G }\n",
		       "t.conf:2: warning: default: memory_max 64G is more than this machine's "
		       "24.0G of RAM: it limits nothing here");
	expect_warning("exempt_users = { root, nobody }\n"
		       "default {\n private_tmp = yes\n tmp_size = 1G\n}\n",
		       "t.conf:2: warning: default: tmp_size applies to private_tmp = tmpfs and "
		       "private_shm only; a disk /tmp has no size limit but filesystem quotas");
	expect_clean("exempt_users = { root, nobody }\n"
		     "default {\n private_tmp = tmpfs\n tmp_size = 1G\n}\n");
	/* it sizes a private /dev/shm: not unused */
	expect_clean("exempt_users = { root, nobody }\n"
		     "default {\n private_tmp = disk\n private_shm = yes\n tmp_size = 1G\n}\n");
	if (getpwuid(65534))
		expect_warning("default { tasks_max = 100 }\n",
			       "t.conf: warning: nobody (uid 65534) is confined (min_uid 1000, "
			       "built-in): daemons and cron jobs run as it; add it to "
			       "exempt_users");
	/* nothing to confine: no warning about nobody */
	expect_clean("default { namespaces = { } }\n");
	expect_clean("exempt_users = { root, nobody }\ndefault { cpu_quota = 200%\n "
		     "memory_max = 24G }\n");
}

/* The helper's wording, without file:line. */
static void test_limits_check_message(void **state)
{
	struct iso_limits l;
	struct iso_err e;

	(void)state;
	iso_limits_init(&l);
	l.session_max_time = 3600;
	iso_err_clear(&e);
	assert_int_equal(iso_limits_check(&l, ISO_BACKEND_CGROUPFS, "default (line 2)", &e),
			 -EINVAL);
	assert_string_equal(e.msg, "default (line 2): session_max_time needs a cgroup limit "
				   "(e.g. tasks_max) to find the session's processes");
	assert_int_equal(iso_limits_check(&l, ISO_BACKEND_SYSTEMD, "x", NULL), 0);
	l.tasks_max = 10;
	assert_int_equal(iso_limits_check(&l, ISO_BACKEND_CGROUPFS, "x", NULL), 0);
	/* the kernel's bound alone: a cgroup failure at login (-ERANGE) */
	l.cpu_quota = 50;
	iso_err_clear(&e);
	assert_int_equal(iso_limits_check(&l, ISO_BACKEND_CGROUPFS, "default (line 2)", &e),
			 -ERANGE);
	assert_string_equal(e.msg, "default (line 2): cpu_quota 0.5% of a 100ms cpu_period is "
				   "500 us, below the kernel's minimum of 1000 us");
}

/* ---- parity ---- */

struct names {
	char users[64][ISO_NAME_MAX + 1];
	size_t nusers;
	char groups[64][ISO_NAME_MAX + 1];
	size_t ngroups;
};

static void machine_names(struct names *n)
{
	struct passwd *pw;
	struct group *gr;

	memset(n, 0, sizeof(*n));
	setpwent();
	while ((pw = getpwent()) && n->nusers < 64)
		if (iso_valid_name(pw->pw_name))
			snprintf(n->users[n->nusers++], ISO_NAME_MAX + 1, "%s", pw->pw_name);
	endpwent();
	setgrent();
	while ((gr = getgrent()) && n->ngroups < 64)
		if (iso_valid_name(gr->gr_name))
			snprintf(n->groups[n->ngroups++], ISO_NAME_MAX + 1, "%s", gr->gr_name);
	endgrent();
}

/*
 * The helper's side: every user of this machine logs in (uid 0 never
 * reaches the checks), with each backend the config lets the helper
 * pick. Returns the first refusal, NULL when every login is set up.
 */
static const char *helper_refuses(const struct iso_config *c, const struct names *n,
				  struct iso_err *e)
{
	static const enum iso_backend auto_picks[] = {ISO_BACKEND_CGROUPFS, ISO_BACKEND_SYSTEMD};

	for (size_t i = 0; i < n->nusers; i++) {
		struct iso_policy p;
		char **groups = NULL, desc[256];
		size_t ng = 0;
		uid_t uid;
		gid_t gid;
		long long q, per;

		if (iso_user_lookup(n->users[i], &uid, &gid, &groups, &ng) < 0 || uid == 0) {
			iso_groups_free(groups, ng);
			continue;
		}
		assert_int_equal(iso_policy_resolve(c, n->users[i], uid,
						    (const char *const *)groups, ng, &p),
				 0);
		iso_groups_free(groups, ng);
		if (p.match == ISO_MATCH_EXEMPT_USER || p.match == ISO_MATCH_EXEMPT_GROUP ||
		    p.match == ISO_MATCH_EXEMPT_UID)
			continue;
		iso_policy_describe(&p, desc, sizeof(desc));
		for (size_t b = 0; b < 2; b++) {
			enum iso_backend be = c->cgroup_backend == ISO_BACKEND_AUTO
						      ? auto_picks[b]
						      : c->cgroup_backend;

			iso_err_clear(e);
			if (iso_limits_check(&p.lim, be, desc, e) < 0)
				return n->users[i];
		}
		/* and the cgroup engine's own conversion of the quota */
		if (p.lim.cpu_quota != ISO_UNSET && (c->cgroup_backend != ISO_BACKEND_SYSTEMD) &&
		    cg_cpu_quota_us(&p.lim, &q, &per, e) < 0)
			return n->users[i];
	}
	return NULL;
}

struct tally {
	size_t accepted, refused, files;
};

static void parity_one(const char *text, const char *what, const struct names *n, struct tally *t)
{
	struct iso_config *c = NULL;
	struct iso_err e, w;
	const char *who;

	if (iso_config_parse_buf(text, what, &c, &e) != 0)
		return;
	t->files++;
	iso_err_clear(&e);
	iso_err_clear(&w);
	if (iso_config_check(c, &machine, &e, &w) < 0) {
		t->refused++;
		iso_config_free(c);
		return;
	}
	t->accepted++;
	who = helper_refuses(c, n, &e);
	if (who)
		fail_msg("%s: check-config accepts it, the helper refuses %s: %s\n---\n%s", what,
			 who, e.msg, text);
	iso_config_free(c);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t len;

	if (!f)
		return NULL;
	buf = calloc(1, ISO_CONFIG_MAX_SIZE + 1);
	len = buf ? fread(buf, 1, ISO_CONFIG_MAX_SIZE, f) : 0;
	fclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

static void parity_dir(const char *dir, const struct names *n, struct tally *t)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	char path[512];

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *text;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		text = slurp(path);
		if (text)
			parity_one(text, path, n, t);
		free(text);
	}
	closedir(d);
}

/* Deterministic (the failure can be replayed): xorshift. */
static uint32_t rnd_state = 17;
static uint32_t rnd(uint32_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return n ? rnd_state % n : 0;
}

/* A section body from values chosen to reach every check's edge. */
static void gen_section(char *buf, size_t len)
{
	static const char *const keys[][8] = {
		{"cpu_quota", "0.5%", "0.99%", "1%", "5%", "50%", "800%", "max"},
		{"cpu_period", "1ms", "2ms", "10ms", "100ms", "1s", "5000us", "1000"},
		{"tasks_max", "1", "64", "max", "512", "10", "2", "100"},
		{"memory_max", "4K", "1G", "64G", "max", "512M", "2G", "16M"},
		{"memory_high", "4K", "2G", "max", "512M", "1G", "64G", "8M"},
		{"session_max_time", "1s", "8h", "max", "30m", "1d", "90s", "60"},
		{"on_logout", "kill", "keep", "kill", "keep", "kill", "keep", "kill"},
		{"namespaces", "{ }", "{ user }", "{ user, pid }", "{ user, pid, mount }", "{ }",
		 "{ mount }", "{ pid }"},
		{"cpu_weight", "1", "100", "10000", "50", "200", "1", "2"},
		{"swap_max", "0", "1G", "max", "64G", "0", "2G", "4K"},
	};
	size_t o = 0;

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (rnd(3) == 0 && o < len)
			o += (size_t)snprintf(buf + o, len - o, "  %s = %s\n", keys[k][0],
					      keys[k][1 + rnd(7)]);
}

static void test_parity(void **state)
{
	static const char *const backends[] = {"auto", "cgroupfs", "systemd"};
	struct names n;
	struct tally t = {0, 0, 0};
	char *text = malloc(65536), body[1024];

	(void)state;
	assert_non_null(text);
	machine_names(&n);
	assert_true(n.nusers > 1);
	assert_true(n.ngroups > 0);
	parity_dir("tests/fuzz/corpus/config", &n, &t);
	parity_dir("config/examples", &n, &t);
	{
		char *s = slurp("config/isolate.conf");

		if (s)
			parity_one(s, "config/isolate.conf", &n, &t);
		free(s);
	}
	/* generated: sections named after this machine's users and groups,
	 * min_uid 0 so that system accounts log in as confined users */
	for (int i = 0; i < 1500; i++) {
		size_t o = 0;
		char what[32];

		o += (size_t)snprintf(text + o, 65536 - o,
				      "min_uid = 0\nexempt_users = { root }\ncgroup_backend = %s\n",
				      backends[rnd(3)]);
		if (rnd(4)) {
			gen_section(body, sizeof(body));
			o += (size_t)snprintf(text + o, 65536 - o, "default {\n%s}\n", body);
		}
		for (int g = (int)rnd(3); g > 0; g--) {
			gen_section(body, sizeof(body));
			o += (size_t)snprintf(text + o, 65536 - o, "group \"%s\" {\n%s}\n",
					      n.groups[rnd((uint32_t)n.ngroups)], body);
		}
		for (int u = (int)rnd(3); u > 0; u--) {
			gen_section(body, sizeof(body));
			o += (size_t)snprintf(text + o, 65536 - o, "user \"%s\" {\n%s}\n",
					      n.users[rnd((uint32_t)n.nusers)], body);
		}
		snprintf(what, sizeof(what), "generated #%d", i);
		parity_one(text, what, &n, &t);
	}
	print_message("parity: %zu configs, %zu accepted, %zu refused by check-config\n", t.files,
		      t.accepted, t.refused);
	/* the generator reaches both verdicts, or the test proves nothing */
	assert_true(t.accepted > 50);
	assert_true(t.refused > 50);
	free(text);
}

/* iso_limits_manage_cgroup must say what the engine's cg_needed says. */
/* A pid namespace on a systemd host is warned about where a rule asks
 * for it; hide_processes is not, nor is a pid namespace elsewhere. */
static void test_systemd_pidns(void **state)
{
	const char *pid = "exempt_users = { root, nobody }\n"
			  "default {\n namespaces = { user, pid, mount }\n}\n";
	const char *hide = "exempt_users = { root, nobody }\n"
			   "default {\n namespaces = { user, mount }\n hide_processes = yes\n}\n";

	(void)state;
	machine.systemd = true;
	expect_warning(pid, "t.conf:2: warning: default: a pid namespace on a systemd host breaks "
			    "systemctl --user, sd-bus peer checks and units with PAMName=");
	expect_clean(hide);
	machine.systemd = false;
	expect_clean(pid);
}

static void test_manage_cgroup_matches_engine(void **state)
{
	struct iso_limits l;
	int64_t *f = (int64_t *)&l;

	(void)state;
	for (size_t i = 0; i < ISO_LIMITS_NFIELDS; i++) {
		iso_limits_init(&l);
		f[i] = 1;
		assert_int_equal(iso_limits_manage_cgroup(&l), cg_needed(&l) != 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parity_cases),
		cmocka_unit_test(test_rule_errors_named),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_limits_check_message),
		cmocka_unit_test(test_manage_cgroup_matches_engine),
		cmocka_unit_test(test_systemd_pidns),
		cmocka_unit_test(test_parity),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
