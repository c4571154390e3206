/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cgroup engine against the real kernel. Runs only as root with
 * ISO_REAL_CGROUP=1 (skips otherwise; with CI=true and not root it fails,
 * so CI cannot silently lose it).
 *
 * Safety (shared build machines): only the cpu and pids hierarchies (and,
 * for the v2 test, an empty cgroup2 mount with no controllers) are used;
 * the memory mount is hidden from the engine. Everything is made below
 * isot_engine_<pid> / isot_origin_<pid>, only processes forked here are
 * moved, and teardown kills them and removes the directories even when an
 * assertion failed (and again at exit).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cg_test_util.h"
#include "cgroup.h"

#define UID 65534

struct rfx {
	struct cg_layout lay;
	struct cg_engine *e;
	struct iso_err err;
	char name[64];	 /* isot_engine_<pid> */
	char origin[64]; /* isot_origin_<pid> */
	pid_t child;
};

static struct rfx *live_fx; /* for the atexit safety net */

static bool real_enabled(void)
{
	const char *v = getenv("ISO_REAL_CGROUP");

	return geteuid() == 0 && v && !strcmp(v, "1");
}

static void gate(void)
{
	const char *ci = getenv("CI");

	if (geteuid() != 0 && ci && !strcmp(ci, "true"))
		fail_msg("real cgroup tests need root in CI (CI=true, euid %u)",
			 (unsigned)geteuid());
	skip();
}

/* rmdir a cgroup and its children, depth first (cgroupfs removes the
 * control files with the directory). Only our isot_* names get here. */
static void rm_cgroup(const char *path, int depth)
{
	char sub[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (depth > 4 || !strstr(path, "/isot_"))
		return;
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_type == DT_DIR && strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) < (int)sizeof(sub))
			rm_cgroup(sub, depth + 1);
	closedir(d);
	if (rmdir(path) < 0 && errno != ENOENT)
		fprintf(stderr, "teardown: cannot rmdir %s: %m\n", path);
}

static void cleanup(struct rfx *f)
{
	const char *mounts[] = {f->lay.v1_path[0], f->lay.v1_path[1], f->lay.v2_path};
	char p[PATH_MAX];

	if (f->child > 0) {
		kill(f->child, SIGKILL);
		(void)waitpid(f->child, NULL, 0);
		f->child = 0;
	}
	for (size_t i = 0; i < 3; i++) {
		if (!mounts[i][0] || (i == 2 && f->lay.version != CG_V2))
			continue;
		snprintf(p, sizeof(p), "%s/%s", mounts[i], f->name);
		rm_cgroup(p, 0);
		snprintf(p, sizeof(p), "%s/%s", mounts[i], f->origin);
		rm_cgroup(p, 0);
	}
}

static void atexit_cleanup(void)
{
	if (live_fx)
		cleanup(live_fx);
}

static pid_t spawn_pauser(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		/* dies with us even if the test is killed before teardown */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	return pid;
}

static void lim_unset(struct iso_limits *l)
{
	int64_t *v = (int64_t *)l;

	for (size_t i = 0; i < ISO_LIMITS_NFIELDS; i++)
		v[i] = ISO_UNSET;
}

static int setup_v1(void **state)
{
	struct rfx *f;

	*state = NULL;
	if (!real_enabled())
		return 0;
	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	snprintf(f->name, sizeof(f->name), "isot_engine_%d", (int)getpid());
	snprintf(f->origin, sizeof(f->origin), "isot_origin_%d", (int)getpid());
	assert_int_equal(cg_layout_detect("/proc/self/mountinfo", &f->lay, &f->err), 0);
	/* Never let the engine see the memory hierarchy on this machine. */
	f->lay.v1_path[2][0] = '\0';
	live_fx = f;
	*state = f;
	return 0;
}

static int setup_v2(void **state)
{
	struct rfx *f;

	setup_v1(state);
	f = *state;
	if (f) {
		/* Only the cgroup2 mount; in hybrid hosts it has no controllers. */
		memset(f->lay.v1_path, 0, sizeof(f->lay.v1_path));
		f->lay.version = CG_V2;
	}
	return 0;
}

static int teardown(void **state)
{
	struct rfx *f = *state;

	if (!f)
		return 0;
	cleanup(f);
	cg_close(f->e);
	live_fx = NULL;
	free(f);
	return 0;
}

static void test_real_v1(void **state)
{
	struct rfx *f = *state;
	const char *cpu, *pids;
	struct iso_limits l;
	char buf[512], origin[512];
	struct stat st;
	int status, live = -1;

	if (!f)
		gate();
	if (f->lay.version != CG_V1 || !f->lay.v1_path[0][0] || !f->lay.v1_path[1][0])
		skip(); /* the v1 test needs cpu and pids on v1 */
	cpu = f->lay.v1_path[0];
	pids = f->lay.v1_path[1];
	assert_int_equal(cg_open(&f->lay, f->name, &f->e, &f->err), 0);
	assert_int_equal(cg_available(f->e), CG_CPU | CG_PIDS);

	lim_unset(&l);
	l.cpu_quota = 2000; /* 20 % */
	l.tasks_max = 50;
	assert_int_equal(cg_user_apply(f->e, UID, &l, CG_CPU | CG_PIDS, &f->err), 0);
	assert_string_equal(cgt_get("%s/%s/user-%d/cpu.cfs_quota_us", cpu, f->name, UID), "20000");
	assert_string_equal(cgt_get("%s/%s/user-%d/cpu.cfs_period_us", cpu, f->name, UID),
			    "100000");
	assert_string_equal(cgt_get("%s/%s/user-%d/pids.max", pids, f->name, UID), "50");
	assert_int_equal(cg_read(f->e, CG_PIDS, UID, "", "pids.max", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "50");
	snprintf(buf, sizeof(buf), "%s/%s/user-%d", cpu, f->name, UID);
	assert_int_equal(stat(buf, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755); /* despite the helper's umask */
	assert_int_equal(st.st_uid, 0);

	/* Period changes go through quota -1 (see cgroup_v1.c) */
	l.cpu_period_us = 50000;
	l.cpu_quota = 30000; /* 3 CPUs: 150000 of 50000 */
	l.cpu_weight = 50;
	assert_int_equal(cg_user_apply(f->e, UID, &l, CG_CPU, &f->err), 0);
	assert_string_equal(cgt_get("%s/%s/user-%d/cpu.cfs_period_us", cpu, f->name, UID), "50000");
	assert_string_equal(cgt_get("%s/%s/user-%d/cpu.cfs_quota_us", cpu, f->name, UID), "150000");
	assert_string_equal(cgt_get("%s/%s/user-%d/cpu.shares", cpu, f->name, UID), "512");
	l.cpu_period_us = ISO_UNSET;
	l.cpu_quota = 2000;
	l.cpu_weight = ISO_UNSET;
	assert_int_equal(cg_user_apply(f->e, UID, &l, CG_CPU | CG_PIDS, &f->err), 0);
	assert_string_equal(cgt_get("%s/%s/user-%d/cpu.cfs_quota_us", cpu, f->name, UID), "20000");
	assert_string_equal(cgt_get("%s/%s/user-%d/cpu.cfs_period_us", cpu, f->name, UID),
			    "100000");

	/* start the child in a cgroup of ours, to see it moved back there */
	f->child = spawn_pauser();
	snprintf(buf, sizeof(buf), "%s/%s", cpu, f->origin);
	assert_int_equal(mkdir(buf, 0755), 0);
	snprintf(buf, sizeof(buf), "%s/%s", pids, f->origin);
	assert_int_equal(mkdir(buf, 0755), 0);
	snprintf(buf, sizeof(buf), "%d", (int)f->child);
	{
		char p[PATH_MAX];
		FILE *fp;

		for (int i = 0; i < 2; i++) {
			snprintf(p, sizeof(p), "%s/%s/cgroup.procs", i ? pids : cpu, f->origin);
			fp = fopen(p, "we");
			assert_non_null(fp);
			fputs(buf, fp);
			assert_int_equal(fclose(fp), 0);
		}
	}
	assert_int_equal(cg_origin_read(f->e, f->child, origin, sizeof(origin), &f->err), 0);
	snprintf(buf, sizeof(buf), "cpu:/%s;pids:/%s", f->origin, f->origin);
	assert_string_equal(origin, buf);

	assert_int_equal(cg_enter(f->e, UID, "session-test", CG_CPU | CG_PIDS, f->child, &f->err),
			 0);
	snprintf(buf, sizeof(buf), ":cpu:/%s/user-%d/session-test\n", f->name, UID);
	assert_non_null(strstr(cgt_get("/proc/%d/cgroup", (int)f->child), buf));
	snprintf(buf, sizeof(buf), ":pids:/%s/user-%d/session-test\n", f->name, UID);
	assert_non_null(strstr(cgt_get("/proc/%d/cgroup", (int)f->child), buf));
	assert_int_equal(cg_leaf_nprocs(f->e, UID, "session-test"), 2);
	assert_int_equal(cg_leaf_remove(f->e, UID, "session-test", &f->err), -EBUSY);
	assert_int_equal(cg_user_gc(f->e, UID, &live, &f->err), 0);
	assert_int_equal(live, 1);

	/* back out, then in again */
	assert_int_equal(cg_origin_restore(f->e, f->child, origin, &f->err), 0);
	snprintf(buf, sizeof(buf), ":cpu:/%s\n", f->origin);
	assert_non_null(strstr(cgt_get("/proc/%d/cgroup", (int)f->child), buf));
	snprintf(buf, sizeof(buf), "cpu:/%s/user-%d", f->name, UID);
	assert_int_equal(cg_origin_restore(f->e, f->child, buf, &f->err), -EPERM);
	assert_int_equal(cg_leaf_nprocs(f->e, UID, "session-test"), 0);
	assert_int_equal(cg_enter(f->e, UID, "session-test", CG_CPU | CG_PIDS, f->child, &f->err),
			 0);

	/* v1 has no cgroup.kill: SIGKILL sweeps */
	assert_int_equal(cg_user_kill(f->e, UID, &f->err), 0);
	assert_int_equal(waitpid(f->child, &status, 0), f->child);
	f->child = 0;
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_false(cgt_exists("%s/%s/user-%d", cpu, f->name, UID));
	assert_false(cgt_exists("%s/%s/user-%d", pids, f->name, UID));
	assert_false(cgt_exists("%s/%s", cpu, f->name));
	assert_false(cgt_exists("%s/%s", pids, f->name));
}

/* The cgroup2 path for real: no controllers here, but dirs, cgroup.procs,
 * origin and cgroup.kill are the kernel's. */
static void test_real_v2(void **state)
{
	struct rfx *f = *state;
	struct iso_limits l;
	char buf[512];
	int status;

	if (!f)
		gate();
	if (!f->lay.v2_path[0])
		skip();
	assert_int_equal(cg_open(&f->lay, f->name, &f->e, &f->err), 0);
	if (cg_available(f->e) != 0)
		skip(); /* a v2 host with controllers: not this machine, stay away */
	lim_unset(&l);
	assert_int_equal(cg_user_apply(f->e, UID, &l, 0, &f->err), 0);
	l.tasks_max = 5;
	assert_int_equal(cg_user_apply(f->e, UID, &l, CG_PIDS, &f->err), -EOPNOTSUPP);
	assert_non_null(strstr(f->err.msg, "pids is not available"));

	f->child = spawn_pauser();
	assert_int_equal(cg_enter(f->e, UID, "session-1", 0, f->child, &f->err), 0);
	snprintf(buf, sizeof(buf), "0::/%s/user-%d/session-1", f->name, UID);
	assert_non_null(strstr(cgt_get("/proc/%d/cgroup", (int)f->child), buf));
	assert_int_equal(cg_leaf_nprocs(f->e, UID, "session-1"), 1);
	assert_int_equal(cg_origin_read(f->e, f->child, buf, sizeof(buf), &f->err), 0);
	snprintf(buf + 256, 256, "0:/%s/user-%d/session-1", f->name, UID);
	assert_string_equal(buf, buf + 256);
	assert_int_equal(cg_leaf_remove(f->e, UID, "session-1", &f->err), -EBUSY);

	assert_int_equal(cg_user_kill(f->e, UID, &f->err), 0);
	assert_int_equal(waitpid(f->child, &status, 0), f->child);
	f->child = 0;
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_false(cgt_exists("%s/%s", f->lay.v2_path, f->name));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_real_v1, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(test_real_v2, setup_v2, teardown),
	};

	atexit(atexit_cleanup);
	umask(077); /* as the helper runs */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
