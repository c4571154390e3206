/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cgroup engine against fake trees: plain directories in a temp dir, opened
 * with verify_fs = false, where the engine creates the control files it
 * writes. Every test asserts what was written where, and what was not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgroup.h"
#include "cg_test_util.h"
#include "cgroup_internal.h"

struct fx {
	char base[64];
	struct cg_layout lay;
	struct cg_engine *e;
	struct iso_err err;
};

static void put(const char *content, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(const char *content, const char *fmt, ...)
{
	char p[PATH_MAX];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(p, sizeof(p), fmt, ap);
	va_end(ap);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void mkd(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mkd(const char *fmt, ...)
{
	char p[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p, sizeof(p), fmt, ap);
	va_end(ap);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void lim_unset(struct iso_limits *l)
{
	int64_t *v = (int64_t *)l;

	for (size_t i = 0; i < ISO_LIMITS_NFIELDS; i++)
		v[i] = ISO_UNSET;
}

static void rm_rf(const char *path)
{
	char cmd[PATH_MAX + 32];

	/* Only ever a mkdtemp dir of ours below /tmp. */
	if (strncmp(path, "/tmp/isot_cg.", 13))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
}

static int setup_common(void **state, enum cg_version v, unsigned mounts, bool comount)
{
	struct fx *f = calloc(1, sizeof(*f));
	static const char *const names[] = {"cpu", "pids", "memory"};

	assert_non_null(f);
	strcpy(f->base, "/tmp/isot_cg.XXXXXX");
	assert_non_null(mkdtemp(f->base));
	f->lay.version = v;
	if (v == CG_V2) {
		mkd("%s/unified", f->base);
		snprintf(f->lay.v2_path, sizeof(f->lay.v2_path), "%s/unified", f->base);
		put("cpu io memory pids\n", "%s/cgroup.controllers", f->lay.v2_path);
	} else {
		for (int i = 0; i < CG_NCTRL; i++) {
			if (!(mounts & (1u << i)))
				continue;
			if (comount && i == 1) {
				strcpy(f->lay.v1_path[1], f->lay.v1_path[0]);
				continue;
			}
			mkd("%s/%s", f->base, names[i]);
			snprintf(f->lay.v1_path[i], sizeof(f->lay.v1_path[i]), "%s/%s", f->base,
				 names[i]);
		}
	}
	assert_int_equal(cg_open_io(&f->lay, "pam_isolate", &cgt_fake_io, &f->e, &f->err), 0);
	*state = f;
	return 0;
}

static int setup_v1(void **state)
{
	return setup_common(state, CG_V1, CG_ALL, false);
}

static int setup_v1_nomem(void **state)
{
	return setup_common(state, CG_V1, CG_CPU | CG_PIDS, false);
}

static int setup_v1_comount(void **state)
{
	return setup_common(state, CG_V1, CG_CPU | CG_PIDS, true);
}

static int setup_v2(void **state)
{
	return setup_common(state, CG_V2, 0, false);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	cg_close(f->e);
	rm_rf(f->base);
	free(f);
	return 0;
}

/* ---- layout ---- */

static const char mi_this[] =
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	"34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
	"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

static const char mi_v2[] =
	"22 1 259:1 / / rw,relatime shared:1 - ext4 /dev/root rw\n"
	"30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
	"rw,nsdelegate,memory_recursiveprot\n";

static const char mi_hybrid[] =
	"25 24 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:4 - tmpfs tmpfs ro,mode=755\n"
	"26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:5 - cgroup2 "
	"cgroup2 rw,nsdelegate\n"
	"27 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid shared:6 - cgroup cgroup "
	"rw,xattr,name=systemd\n"
	"30 25 0:27 / /sys/fs/cgroup/cpuset rw,nosuid shared:9 - cgroup cgroup rw,cpuset\n"
	"31 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:10 - cgroup cgroup "
	"rw,cpu,cpuacct\n"
	"32 25 0:29 / /sys/fs/cgroup/net_cls,net_prio rw shared:11 - cgroup cgroup "
	"rw,net_cls,net_prio\n"
	"34 25 0:31 / /sys/fs/cgroup/pids rw,nosuid shared:13 - cgroup cgroup rw,pids\n"
	"36 25 0:33 / /sys/fs/cgroup/memory rw,nosuid shared:15 - cgroup cgroup rw,memory\n";

static int detect_text(const char *text, struct cg_layout *l, struct iso_err *err)
{
	char p[] = "/tmp/isot_cg_mi.XXXXXX";
	int fd = mkstemp(p), r;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	r = cg_layout_detect(p, l, err);
	unlink(p);
	return r;
}

static void test_layout_this_machine(void **state)
{
	struct cg_layout l;

	(void)state;
	assert_int_equal(detect_text(mi_this, &l, NULL), 0);
	assert_int_equal(l.version, CG_V1);
	assert_string_equal(l.v1_path[0], "/sys/fs/cgroup/cpu");
	assert_string_equal(l.v1_path[1], "/sys/fs/cgroup/pids");
	assert_string_equal(l.v1_path[2], "/sys/fs/cgroup/memory");
	assert_string_equal(l.v2_path, "/sys/fs/cgroup/unified");
}

static void test_layout_pure_v2(void **state)
{
	struct cg_layout l;

	(void)state;
	assert_int_equal(detect_text(mi_v2, &l, NULL), 0);
	assert_int_equal(l.version, CG_V2);
	assert_string_equal(l.v2_path, "/sys/fs/cgroup");
	assert_string_equal(l.v1_path[0], "");
}

static void test_layout_debian_hybrid(void **state)
{
	struct cg_layout l;

	(void)state;
	assert_int_equal(detect_text(mi_hybrid, &l, NULL), 0);
	assert_int_equal(l.version, CG_V1);
	/* "cpu" is a token of the super options, not a prefix of cpuset */
	assert_string_equal(l.v1_path[0], "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(l.v1_path[1], "/sys/fs/cgroup/pids");
	assert_string_equal(l.v1_path[2], "/sys/fs/cgroup/memory");
}

static void test_layout_escapes_and_v2_preference(void **state)
{
	struct cg_layout l;

	(void)state;
	assert_int_equal(detect_text("1 0 0:1 / /mnt/my\\040cg rw - cgroup2 none rw\n"
				     "2 0 0:1 / /sys/fs/cgroup rw - cgroup2 none rw\n"
				     "3 0 0:2 / /mnt/other rw shared:3 master:1 - cgroup2 x rw\n",
				     &l, NULL),
			 0);
	assert_int_equal(l.version, CG_V2);
	assert_string_equal(l.v2_path, "/sys/fs/cgroup");
	assert_int_equal(detect_text("1 0 0:1 / /mnt/my\\040cg rw - cgroup c rw,pids\n", &l, NULL),
			 0);
	assert_string_equal(l.v1_path[1], "/mnt/my cg");
}

static void test_layout_none(void **state)
{
	struct iso_err err = {0};
	struct cg_layout l;

	(void)state;
	memset(&l, 0x5a, sizeof(l));
	assert_int_equal(
		detect_text("1 0 0:1 / / rw - ext4 /dev/sda rw\n"
			    "2 0 0:2 / /sys/fs/cgroup/systemd rw - cgroup c rw,name=systemd\n"
			    "garbage line\n",
			    &l, &err),
		-ENOENT);
	assert_non_null(strstr(err.msg, "no cgroup"));
	assert_int_equal((unsigned char)l.v2_path[0], 0x5a); /* untouched */
	assert_int_equal(cg_layout_detect("/nonexistent/mountinfo", &l, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/mountinfo"));
}

static void test_layout_real(void **state)
{
	struct cg_layout l;

	(void)state;
	/* Whatever the host has, detection must not fail on a real file. */
	if (cg_layout_detect("/proc/self/mountinfo", &l, NULL) == -ENOENT)
		skip();
	assert_true(l.version == CG_V1 || l.version == CG_V2);
}

/* ---- engine ---- */

static void test_open_bad_names(void **state)
{
	static const char *const bad[] = {"", ".", "..", "a/b", "x y", "../x", "a\n"};
	struct cg_layout l = {.version = CG_V2, .v2_path = "/tmp"};
	struct cg_engine *e = (void *)0x1;
	struct iso_err err = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cg_open_io(&l, bad[i], &cgt_fake_io, &e, &err), -EINVAL);
		assert_ptr_equal(e, (void *)0x1);
	}
	assert_int_equal(cg_open_io(&l, "ok-name_1.2", &cgt_fake_io, &e, &err), 0);
	cg_close(e);
	cg_close(NULL);
}

static void test_open_verify_fs(void **state)
{
	struct cg_layout l = {.version = CG_V2, .v2_path = "/tmp"};
	struct cg_engine *e = NULL;
	struct iso_err err = {0};

	(void)state;
	assert_int_equal(cg_open(&l, "pam_isolate", &e, &err), -EXDEV);
	assert_null(e);
	assert_non_null(strstr(err.msg, "/tmp is not a cgroup2 filesystem"));
	l.version = CG_V1;
	strcpy(l.v1_path[1], "/tmp");
	assert_int_equal(cg_open(&l, "pam_isolate", &e, &err), -EXDEV);
	memset(&l, 0, sizeof(l));
	l.version = CG_V1;
	assert_int_equal(cg_open_io(&l, "pam_isolate", &cgt_fake_io, &e, &err), -ENOENT);
	strcpy(l.v1_path[0], "/nonexistent/cpu");
	assert_int_equal(cg_open_io(&l, "pam_isolate", &cgt_fake_io, &e, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/cpu"));
}

static void test_needed(void **state)
{
	struct iso_limits l;

	(void)state;
	lim_unset(&l);
	assert_int_equal(cg_needed(&l), 0);
	l.cpu_period_us = 50000; /* a period alone manages nothing */
	l.namespaces = ISO_NS_USER;
	assert_int_equal(cg_needed(&l), 0);
	l.cpu_weight = 100;
	assert_int_equal(cg_needed(&l), CG_CPU);
	l.tasks_max = ISO_MAX;
	assert_int_equal(cg_needed(&l), CG_CPU | CG_PIDS);
	l.memory_max = 1 << 20;
	l.cpu_weight = ISO_UNSET;
	l.cpu_quota = 100;
	assert_int_equal(cg_needed(&l), CG_ALL);
	assert_string_equal(cg_ctrl_name(CG_PIDS), "pids");
	assert_null(cg_ctrl_name(3));
}

static void test_available(void **state)
{
	struct fx *f = *state;

	if (cg_engine_version(f->e) == CG_V2)
		assert_int_equal(cg_available(f->e), CG_ALL);
	else
		assert_int_equal(cg_available(f->e), CG_CPU | CG_PIDS);
}

/* ---- apply ---- */

static void test_v1_apply(void **state)
{
	struct fx *f = *state;
	struct iso_limits l;
	char buf[64];

	lim_unset(&l);
	l.cpu_quota = 2000; /* 20 % */
	l.tasks_max = 50;
	l.memory_max = 1 << 30; /* set, but memory is not asked for */
	assert_int_equal(cg_user_apply(f->e, 1001, &l, CG_CPU | CG_PIDS, &f->err), 0);
	assert_string_equal(cgt_get("%s/cpu/pam_isolate/user-1001/cpu.cfs_period_us", f->base),
			    "100000");
	assert_string_equal(cgt_get("%s/cpu/pam_isolate/user-1001/cpu.cfs_quota_us", f->base),
			    "20000");
	assert_false(cgt_exists("%s/cpu/pam_isolate/user-1001/cpu.shares", f->base));
	assert_string_equal(cgt_get("%s/pids/pam_isolate/user-1001/pids.max", f->base), "50");
	assert_false(cgt_exists("%s/pids/pam_isolate/user-1001/cpu.cfs_quota_us", f->base));
	assert_false(cgt_exists("%s/memory/pam_isolate", f->base));
	/* no limit on the subtree root itself */
	assert_false(cgt_exists("%s/cpu/pam_isolate/cpu.cfs_quota_us", f->base));

	/* idempotent, and edits take effect */
	l.cpu_quota = 15000;
	l.cpu_period_us = 50000;
	l.cpu_weight = 200;
	l.tasks_max = ISO_MAX;
	assert_int_equal(cg_user_apply(f->e, 1001, &l, CG_CPU | CG_PIDS, &f->err), 0);
	assert_string_equal(cgt_get("%s/cpu/pam_isolate/user-1001/cpu.cfs_period_us", f->base),
			    "50000");
	assert_string_equal(cgt_get("%s/cpu/pam_isolate/user-1001/cpu.cfs_quota_us", f->base),
			    "75000");
	assert_string_equal(cgt_get("%s/cpu/pam_isolate/user-1001/cpu.shares", f->base), "2048");
	assert_string_equal(cgt_get("%s/pids/pam_isolate/user-1001/pids.max", f->base), "max");
	assert_int_equal(cg_read(f->e, CG_CPU, 1001, "", "cpu.cfs_quota_us", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "75000");
	assert_int_equal(cg_read(f->e, CG_MEMORY, 1001, "", "x", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(cg_read(f->e, CG_CPU, 1001, "", "../x", buf, sizeof(buf)), -EINVAL);

	l.cpu_quota = ISO_MAX;
	l.cpu_weight = 1;
	assert_int_equal(cg_user_apply(f->e, 1001, &l, CG_CPU, &f->err), 0);
	assert_string_equal(cgt_get("%s/cpu/pam_isolate/user-1001/cpu.cfs_quota_us", f->base),
			    "-1");
	assert_string_equal(cgt_get("%s/cpu/pam_isolate/user-1001/cpu.shares", f->base), "10");
}

static void test_v1_apply_errors(void **state)
{
	struct fx *f = *state;
	struct iso_limits l;

	lim_unset(&l);
	l.memory_max = 1 << 30;
	l.tasks_max = 10;
	/* memory is not mounted in this fixture: nothing at all is made */
	assert_int_equal(cg_user_apply(f->e, 1001, &l, CG_PIDS | CG_MEMORY, &f->err), -EOPNOTSUPP);
	assert_non_null(strstr(f->err.msg, "memory"));
	assert_false(cgt_exists("%s/pids/pam_isolate", f->base));
	assert_int_equal(cg_enter(f->e, 1001, "session-1", CG_MEMORY, 1, &f->err), -EOPNOTSUPP);

	/* quota below the kernel's 1 ms minimum is named in the message */
	l.cpu_quota = 50; /* 0.5 % of 100 ms = 500 us */
	assert_int_equal(cg_user_apply(f->e, 1001, &l, CG_CPU, &f->err), -ERANGE);
	assert_non_null(strstr(f->err.msg, "500 us"));
	assert_false(cgt_exists("%s/cpu/pam_isolate", f->base));

	/* a failing write names the full path and the value */
	l.cpu_quota = 2000;
	mkd("%s/cpu/pam_isolate", f->base);
	mkd("%s/cpu/pam_isolate/user-1001", f->base);
	mkd("%s/cpu/pam_isolate/user-1001/cpu.cfs_quota_us", f->base);
	assert_true(cg_user_apply(f->e, 1001, &l, CG_CPU, &f->err) < 0);
	assert_non_null(strstr(f->err.msg, "cannot write \"-1\" to "));
	assert_non_null(strstr(f->err.msg, "/cpu/pam_isolate/user-1001/cpu.cfs_quota_us: "));
}

static void test_v1_comount(void **state)
{
	struct fx *f = *state;
	struct iso_limits l;

	lim_unset(&l);
	l.cpu_quota = 5000;
	l.tasks_max = 7;
	assert_int_equal(cg_user_apply(f->e, 5, &l, CG_CPU | CG_PIDS, &f->err), 0);
	assert_string_equal(cgt_get("%s/cpu/pam_isolate/user-5/pids.max", f->base), "7");
	assert_string_equal(cgt_get("%s/cpu/pam_isolate/user-5/cpu.cfs_quota_us", f->base),
			    "50000");
	assert_int_equal(cg_enter(f->e, 5, "session-1", CG_CPU | CG_PIDS, 4242, &f->err), 0);
	/* one tree: the process counts once */
	assert_int_equal(cg_leaf_nprocs(f->e, 5, "session-1"), 1);
}

static void test_v2_apply(void **state)
{
	struct fx *f = *state;
	const char *m = f->lay.v2_path;
	struct iso_limits l;

	lim_unset(&l);
	l.cpu_quota = 2000;
	l.tasks_max = 50;
	l.memory_max = 1 << 30; /* not asked for */
	put("cpu\n", "%s/cgroup.subtree_control", m);
	assert_int_equal(cg_user_apply(f->e, 1001, &l, CG_CPU | CG_PIDS, &f->err), 0);
	/* parents first: the mount, the subtree root, the user dir */
	assert_string_equal(cgt_get("%s/cgroup.subtree_control", m), "cpu pids");
	assert_string_equal(cgt_get("%s/pam_isolate/cgroup.subtree_control", m), "cpu pids");
	assert_string_equal(cgt_get("%s/pam_isolate/user-1001/cgroup.subtree_control", m),
			    "cpu pids");
	assert_string_equal(cgt_get("%s/pam_isolate/user-1001/cpu.max", m), "20000 100000");
	assert_string_equal(cgt_get("%s/pam_isolate/user-1001/pids.max", m), "50");
	assert_false(cgt_exists("%s/pam_isolate/user-1001/memory.max", m));
	assert_false(cgt_exists("%s/pam_isolate/user-1001/cpu.weight", m));
	assert_false(cgt_exists("%s/pam_isolate/cpu.max", m));

	/* weight only: cpu.max left alone */
	lim_unset(&l);
	l.cpu_weight = 300;
	l.memory_max = ISO_MAX;
	assert_int_equal(cg_user_apply(f->e, 1002, &l, CG_CPU | CG_MEMORY, &f->err), 0);
	assert_false(cgt_exists("%s/pam_isolate/user-1002/cpu.max", m));
	assert_string_equal(cgt_get("%s/pam_isolate/user-1002/cpu.weight", m), "300");
	assert_string_equal(cgt_get("%s/pam_isolate/user-1002/memory.max", m), "max");
	assert_string_equal(cgt_get("%s/pam_isolate/user-1002/cgroup.subtree_control", m),
			    "cpu memory");
	assert_string_equal(cgt_get("%s/cgroup.subtree_control", m), "cpu pids memory");

	l.cpu_quota = ISO_MAX;
	l.cpu_period_us = 20000;
	assert_int_equal(cg_user_apply(f->e, 1002, &l, CG_CPU, &f->err), 0);
	assert_string_equal(cgt_get("%s/pam_isolate/user-1002/cpu.max", m), "max 20000");
}

/* memory_max below the usage is clamped to the usage (page-rounded) and
 * reported; memory_high and swap_max land in their files (v2). */
static void test_v2_memory_clamp(void **state)
{
	struct fx *f = *state;
	const char *m = f->lay.v2_path;
	int64_t conf = 0, applied = 0;
	struct iso_limits l;

	lim_unset(&l);
	l.memory_max = 512LL << 20;
	l.memory_high = 256LL << 20;
	l.swap_max = 0;
	assert_int_equal(cg_user_apply(f->e, 1001, &l, CG_MEMORY, &f->err), 0);
	assert_false(cg_memory_clamped(f->e, &conf, &applied));
	assert_string_equal(cgt_get("%s/pam_isolate/user-1001/memory.max", m), "536870912");
	assert_string_equal(cgt_get("%s/pam_isolate/user-1001/memory.high", m), "268435456");
	assert_string_equal(cgt_get("%s/pam_isolate/user-1001/memory.swap.max", m), "0");

	/* the user already uses 1 GiB + 1 byte: never cut below it */
	put("1073741825\n", "%s/pam_isolate/user-1001/memory.current", m);
	assert_int_equal(cg_user_apply(f->e, 1001, &l, CG_MEMORY, &f->err), 0);
	assert_true(cg_memory_clamped(f->e, &conf, &applied));
	assert_int_equal(conf, 512LL << 20);
	assert_int_equal(applied, (1LL << 30) + 4096);
	assert_string_equal(cgt_get("%s/pam_isolate/user-1001/memory.max", m), "1073745920");
}

/* v1: memsw is memory + swap, and needs a memory_max. */
static void test_v1_memory(void **state)
{
	struct fx *f = *state;
	struct iso_limits l;

	lim_unset(&l);
	l.memory_max = 1LL << 30;
	l.swap_max = 1LL << 29;
	l.memory_high = ISO_MAX;
	assert_int_equal(cg_user_apply(f->e, 1001, &l, CG_MEMORY, &f->err), 0);
	assert_string_equal(
		cgt_get("%s/memory/pam_isolate/user-1001/memory.limit_in_bytes", f->base),
		"1073741824");
	assert_string_equal(
		cgt_get("%s/memory/pam_isolate/user-1001/memory.memsw.limit_in_bytes", f->base),
		"1610612736");
	assert_string_equal(
		cgt_get("%s/memory/pam_isolate/user-1001/memory.soft_limit_in_bytes", f->base),
		"-1");
	lim_unset(&l);
	l.swap_max = 1LL << 29;
	assert_int_equal(cg_user_apply(f->e, 1002, &l, CG_MEMORY, &f->err), -EINVAL);
	assert_non_null(strstr(f->err.msg, "swap_max needs a memory_max"));
}

static void test_v2_apply_order_and_missing(void **state)
{
	struct fx *f = *state;
	const char *m = f->lay.v2_path;
	struct iso_limits l;

	lim_unset(&l);
	l.tasks_max = 5;
	put("cpu pids\n", "%s/cgroup.controllers", m);
	l.memory_max = 1000000;
	assert_int_equal(cg_user_apply(f->e, 7, &l, CG_PIDS | CG_MEMORY, &f->err), -EOPNOTSUPP);
	assert_non_null(strstr(f->err.msg, "memory is not available"));
	assert_false(cgt_exists("%s/pam_isolate", m));

	/* a user level that cannot be enabled stops the apply after its
	 * parents were enabled, before any limit is written */
	mkd("%s/pam_isolate", m);
	mkd("%s/pam_isolate/user-7", m);
	mkd("%s/pam_isolate/user-7/cgroup.subtree_control", m);
	assert_true(cg_user_apply(f->e, 7, &l, CG_PIDS, &f->err) < 0);
	assert_non_null(strstr(f->err.msg, "/pam_isolate/user-7/cgroup.subtree_control"));
	assert_string_equal(cgt_get("%s/cgroup.subtree_control", m), "pids");
	assert_string_equal(cgt_get("%s/pam_isolate/cgroup.subtree_control", m), "pids");
	assert_false(cgt_exists("%s/pam_isolate/user-7/pids.max", m));
}

/* ---- enter, nprocs, remove, gc ---- */

static void test_enter(void **state)
{
	struct fx *f = *state;
	struct iso_limits l;
	char buf[PATH_MAX];

	lim_unset(&l);
	l.cpu_quota = 2000;
	l.tasks_max = 50;
	assert_int_equal(cg_enter(f->e, 1001, "session-1", CG_CPU | CG_PIDS, 4242, &f->err),
			 -ENOENT);
	assert_non_null(strstr(f->err.msg, "cg_user_apply first"));
	assert_int_equal(cg_user_apply(f->e, 1001, &l, CG_CPU | CG_PIDS, &f->err), 0);
	assert_int_equal(cg_enter(f->e, 1001, "../x", CG_CPU, 4242, &f->err), -EINVAL);
	assert_int_equal(cg_enter(f->e, 1001, "a/b", CG_CPU, 4242, &f->err), -EINVAL);
	assert_int_equal(cg_enter(f->e, 1001, "session-1", CG_CPU, 0, &f->err), -EINVAL);
	assert_int_equal(cg_enter(f->e, 1001, "session-1", CG_CPU | CG_PIDS, 4242, &f->err), 0);
	if (cg_engine_version(f->e) == CG_V1) {
		assert_string_equal(
			cgt_get("%s/cpu/pam_isolate/user-1001/session-1/cgroup.procs", f->base),
			"4242");
		assert_string_equal(
			cgt_get("%s/pids/pam_isolate/user-1001/session-1/cgroup.procs", f->base),
			"4242");
		assert_int_equal(cg_leaf_nprocs(f->e, 1001, "session-1"), 2);
		assert_int_equal(cg_path(f->e, CG_PIDS, 1001, "session-1", buf, sizeof(buf)), 0);
		assert_true(strstr(buf, "/pids/pam_isolate/user-1001/session-1") != NULL);
		assert_int_equal(cg_path(f->e, CG_MEMORY, 1001, "", buf, sizeof(buf)), 0);
		assert_true(strstr(buf, "/memory/pam_isolate/user-1001") != NULL);
		assert_int_equal(cg_path(f->e, CG_MEMORY, 1001, "a/b", buf, sizeof(buf)), -EINVAL);
	} else {
		assert_string_equal(
			cgt_get("%s/unified/pam_isolate/user-1001/session-1/cgroup.procs", f->base),
			"4242");
		/* the leaf holds processes: no controllers enabled in it */
		assert_false(cgt_exists("%s/unified/pam_isolate/user-1001/session-1/"
					"cgroup.subtree_control",
					f->base));
		assert_int_equal(cg_leaf_nprocs(f->e, 1001, "session-1"), 1);
		assert_int_equal(cg_path(f->e, CG_MEMORY, 1001, "", buf, sizeof(buf)), 0);
		assert_true(strstr(buf, "/unified/pam_isolate/user-1001") != NULL);
	}
	assert_int_equal(cg_path(f->e, CG_CPU, 1001, "", buf, 8), -ENAMETOOLONG);
	assert_int_equal(cg_leaf_nprocs(f->e, 1001, "session-nope"), 0);
	assert_int_equal(cg_leaf_nprocs(f->e, 4, "session-1"), 0);
	assert_int_equal(cg_read(f->e, CG_CPU, 1001, "session-1", "cgroup.procs", buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "4242");

	/* remove: busy while a pid is listed, then gone; absent is fine */
	assert_int_equal(cg_leaf_remove(f->e, 1001, "session-1", &f->err), -EBUSY);
	assert_non_null(strstr(f->err.msg, "still has processes"));
	if (cg_engine_version(f->e) == CG_V1) {
		put("", "%s/cpu/pam_isolate/user-1001/session-1/cgroup.procs", f->base);
		put("", "%s/pids/pam_isolate/user-1001/session-1/cgroup.procs", f->base);
	} else {
		put("", "%s/unified/pam_isolate/user-1001/session-1/cgroup.procs", f->base);
	}
	assert_int_equal(cg_leaf_remove(f->e, 1001, "session-1", &f->err), 0);
	assert_int_equal(cg_leaf_nprocs(f->e, 1001, "session-1"), 0);
	assert_int_equal(cg_leaf_remove(f->e, 1001, "session-1", &f->err), 0);
	assert_int_equal(cg_leaf_remove(f->e, 99, "session-1", &f->err), 0);
}

static void test_gc(void **state)
{
	struct fx *f = *state;
	const char *m = cg_engine_version(f->e) == CG_V1 ? "cpu" : "unified";
	struct iso_limits l;
	int live = -1;

	lim_unset(&l);
	l.cpu_quota = 2000;
	assert_int_equal(cg_user_apply(f->e, 1001, &l, CG_CPU, &f->err), 0);
	assert_int_equal(cg_enter(f->e, 1001, "session-1", CG_CPU, 11, &f->err), 0);
	assert_int_equal(cg_enter(f->e, 1001, "session-2", CG_CPU, 12, &f->err), 0);
	assert_int_equal(cg_enter(f->e, 1001, "session-3", CG_CPU, 13, &f->err), 0);
	assert_int_equal(cg_enter(f->e, 1001, "holder", CG_CPU, 14, &f->err), 0);
	put("", "%s/%s/pam_isolate/user-1001/session-1/cgroup.procs", f->base, m);
	put("14\n", "%s/%s/pam_isolate/user-1001/holder/cgroup.procs", f->base, m);
	put("12\n13\n", "%s/%s/pam_isolate/user-1001/session-2/cgroup.procs", f->base, m);
	/* a user's dir elsewhere is not touched */
	assert_int_equal(cg_user_apply(f->e, 1002, &l, CG_CPU, &f->err), 0);

	assert_int_equal(cg_user_gc(f->e, 1001, &live, &f->err), 0);
	assert_int_equal(live, 2);
	assert_false(cgt_exists("%s/%s/pam_isolate/user-1001/session-1", f->base, m));
	assert_true(cgt_exists("%s/%s/pam_isolate/user-1001/session-2", f->base, m));
	assert_true(cgt_exists("%s/%s/pam_isolate/user-1001/session-3", f->base, m));
	/* a live holder's leaf: kept, and not counted as a session */
	assert_true(cgt_exists("%s/%s/pam_isolate/user-1001/holder", f->base, m));

	put("", "%s/%s/pam_isolate/user-1001/session-2/cgroup.procs", f->base, m);
	put("", "%s/%s/pam_isolate/user-1001/session-3/cgroup.procs", f->base, m);
	assert_int_equal(cg_user_gc(f->e, 1001, &live, &f->err), 0);
	assert_int_equal(live, 0);
	assert_true(cgt_exists("%s/%s/pam_isolate/user-1001/holder", f->base, m));
	/* the holder died (or a helper was killed mid-open): its empty leaf
	 * goes, and with it the user dir */
	put("", "%s/%s/pam_isolate/user-1001/holder/cgroup.procs", f->base, m);
	assert_int_equal(cg_user_gc(f->e, 1001, &live, &f->err), 0);
	assert_false(cgt_exists("%s/%s/pam_isolate/user-1001", f->base, m));
	assert_true(cgt_exists("%s/%s/pam_isolate/user-1002", f->base, m));
	if (cg_engine_version(f->e) == CG_V2) /* the root kept its state */
		assert_string_equal(cgt_get("%s/%s/pam_isolate/cgroup.subtree_control", f->base, m),
				    "cpu");

	/* last user gone: the subtree root goes too */
	assert_int_equal(cg_user_gc(f->e, 1002, &live, &f->err), 0);
	assert_false(cgt_exists("%s/%s/pam_isolate", f->base, m));
	/* nothing there at all is fine */
	live = -1;
	assert_int_equal(cg_user_gc(f->e, 1002, &live, &f->err), 0);
	assert_int_equal(live, 0);
}

static void test_list_users(void **state)
{
	struct fx *f = *state;
	uid_t *u = NULL;
	size_t n = 99;

	assert_int_equal(cg_list_users(f->e, &u, &n), 0);
	assert_int_equal(n, 0);
	free(u);
	mkd("%s/cpu/pam_isolate", f->base);
	mkd("%s/pids/pam_isolate", f->base);
	mkd("%s/cpu/pam_isolate/user-1001", f->base);
	mkd("%s/cpu/pam_isolate/user-7", f->base);
	mkd("%s/pids/pam_isolate/user-7", f->base);
	mkd("%s/pids/pam_isolate/user-0", f->base);
	mkd("%s/pids/pam_isolate/user-01", f->base);
	mkd("%s/pids/pam_isolate/user-", f->base);
	mkd("%s/pids/pam_isolate/user-x", f->base);
	mkd("%s/pids/pam_isolate/user-4294967295", f->base);
	mkd("%s/pids/pam_isolate/user-99999999999999999999", f->base);
	mkd("%s/pids/pam_isolate/user--1", f->base);
	put("", "%s/pids/pam_isolate/user-55", f->base); /* a file, not a dir */
	assert_int_equal(cg_list_users(f->e, &u, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(u[0], 0);
	assert_int_equal(u[1], 7);
	assert_int_equal(u[2], 1001);
	free(u);
}

/* ---- origin ---- */

static void fake_proc(struct fx *f, int pid, const char *content)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/proc", f->base);
	(void)mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/proc/%d", f->base, pid);
	(void)mkdir(p, 0755);
	put(content, "%s/cgroup", p);
	snprintf(p, sizeof(p), "%s/proc", f->base);
	assert_int_equal(cg_set_proc_root(f->e, p), 0);
}

static void test_origin_v1(void **state)
{
	struct fx *f = *state;
	char buf[256];

	fake_proc(f, 77,
		  "12:pids:/user.slice/a\n4:memory:/m\n3:cpuset:/\n2:cpuacct:/x\n"
		  "1:cpu,cpuacct:/pam_isolate/user-1001/session-1\n0::/\n");
	strcpy(buf, "untouched");
	assert_int_equal(cg_origin_read(f->e, 77, buf, 10, &f->err), -ENAMETOOLONG);
	assert_string_equal(buf, "untouched");
	assert_int_equal(cg_origin_read(f->e, 77, buf, sizeof(buf), &f->err), 0);
	/* cpu and pids mounted in this fixture (memory is not) */
	assert_string_equal(buf, "cpu:/pam_isolate/user-1001/session-1;pids:/user.slice/a");
	assert_int_equal(cg_origin_read(f->e, 78, buf, sizeof(buf), &f->err), -ESRCH);

	/* refused before anything is written */
	mkd("%s/cpu/orig", f->base);
	assert_int_equal(cg_origin_restore(f->e, 77, "cpu:/orig;pids:/../etc", &f->err), -EINVAL);
	assert_int_equal(cg_origin_restore(f->e, 77, "cpu:/orig;pids:/a/../b", &f->err), -EINVAL);
	assert_int_equal(cg_origin_restore(f->e, 77, "cpu:/pam_isolate/user-1", &f->err), -EPERM);
	assert_int_equal(cg_origin_restore(f->e, 77, "cpu:/pam_isolate", &f->err), -EPERM);
	assert_int_equal(cg_origin_restore(f->e, 77, "cpu:/./pam_isolate/x", &f->err), -EINVAL);
	assert_int_equal(cg_origin_restore(f->e, 77, "cpu://pam_isolate/x", &f->err), -EINVAL);
	assert_int_equal(cg_origin_restore(f->e, 77, "cpu:orig", &f->err), -EINVAL);
	assert_int_equal(cg_origin_restore(f->e, 77, "memory:/orig", &f->err), -EINVAL);
	assert_int_equal(cg_origin_restore(f->e, 77, "0:/orig", &f->err), -EINVAL);
	assert_int_equal(cg_origin_restore(f->e, 77, "cpu:/orig;cpu:/orig", &f->err), -EINVAL);
	assert_false(cgt_exists("%s/cpu/orig/cgroup.procs", f->base));

	/* a differently named subtree is someone else's: allowed */
	assert_int_equal(cg_origin_restore(f->e, 77, "cpu:/orig;pids:/user.slice/a", &f->err), 0);
	assert_string_equal(cgt_get("%s/cpu/orig/cgroup.procs", f->base), "77");
	/* pids: already there, nothing written */
	assert_false(cgt_exists("%s/pids/user.slice", f->base));
	assert_int_equal(cg_origin_restore(f->e, 77, "", &f->err), 0);
	/* the target must exist; the error names it */
	assert_int_equal(cg_origin_restore(f->e, 77, "cpu:/gone", &f->err), -ENOENT);
	assert_non_null(strstr(f->err.msg, "/cpu/gone"));
}

static void test_origin_v2(void **state)
{
	struct fx *f = *state;
	char buf[256];

	fake_proc(f, 9, "0::/pam_isolate/user-5/session-2\n");
	assert_int_equal(cg_origin_read(f->e, 9, buf, sizeof(buf), &f->err), 0);
	assert_string_equal(buf, "0:/pam_isolate/user-5/session-2");
	fake_proc(f, 9, "0::/user.slice/user-5.slice/session-1.scope\n");
	assert_int_equal(cg_origin_read(f->e, 9, buf, sizeof(buf), &f->err), 0);
	assert_string_equal(buf, "0:/user.slice/user-5.slice/session-1.scope");
	fake_proc(f, 9, "1:name=systemd:/\n");
	assert_int_equal(cg_origin_read(f->e, 9, buf, sizeof(buf), &f->err), -ENOENT);

	fake_proc(f, 9, "0::/pam_isolate/user-5/session-2\n");
	mkd("%s/unified/a", f->base);
	mkd("%s/unified/a/b", f->base);
	assert_int_equal(cg_origin_restore(f->e, 9, "cpu:/a/b", &f->err), -EINVAL);
	assert_int_equal(cg_origin_restore(f->e, 9, "0:/a/b", &f->err), 0);
	assert_string_equal(cgt_get("%s/unified/a/b/cgroup.procs", f->base), "9");
	assert_int_equal(cg_origin_restore(f->e, 9, "0:/", &f->err), 0);
	assert_string_equal(cgt_get("%s/unified/cgroup.procs", f->base), "9");
}

/* ---- symlinks planted in the tree ---- */

static void test_symlink_user_dir(void **state)
{
	struct fx *f = *state;
	struct iso_limits l;
	char target[PATH_MAX], link[PATH_MAX];
	int live;

	lim_unset(&l);
	l.cpu_quota = 2000;
	l.tasks_max = 5;
	mkd("%s/evil", f->base);
	mkd("%s/cpu/pam_isolate", f->base);
	snprintf(target, sizeof(target), "%s/evil", f->base);
	snprintf(link, sizeof(link), "%s/cpu/pam_isolate/user-1001", f->base);
	assert_int_equal(symlink(target, link), 0);

	assert_int_equal(cg_user_apply(f->e, 1001, &l, CG_CPU, &f->err), -ENOTDIR);
	assert_non_null(strstr(f->err.msg, "/cpu/pam_isolate/user-1001"));
	assert_true(cg_enter(f->e, 1001, "session-1", CG_CPU, 5, &f->err) < 0);
	assert_true(cg_user_gc(f->e, 1001, &live, &f->err) < 0);
	assert_true(cg_leaf_remove(f->e, 1001, "session-1", &f->err) < 0);
	assert_int_equal(cg_leaf_nprocs(f->e, 1001, "session-1"), -ENOTDIR);
	assert_int_equal(cg_user_kill(f->e, 1001, &f->err), -ENOTDIR);
	/* the symlink stays, nothing was written through it */
	assert_false(cgt_exists("%s/evil/cpu.cfs_quota_us", f->base));
	assert_false(cgt_exists("%s/evil/cpu.cfs_period_us", f->base));
	assert_false(cgt_exists("%s/evil/session-1", f->base));
	assert_true(cgt_exists("%s/cpu/pam_isolate/user-1001", f->base));

	/* a symlink on the way back of a restore */
	snprintf(link, sizeof(link), "%s/cpu/back", f->base);
	assert_int_equal(symlink(target, link), 0);
	fake_proc(f, 3, "1:cpu:/x\n2:pids:/\n");
	assert_true(cg_origin_restore(f->e, 3, "cpu:/back", &f->err) < 0);
	assert_false(cgt_exists("%s/evil/cgroup.procs", f->base));

	/* and a symlinked subtree root */
	assert_int_equal(unlink(link), 0);
	snprintf(link, sizeof(link), "%s/pids/pam_isolate", f->base);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(cg_user_apply(f->e, 1001, &l, CG_PIDS, &f->err), -ENOTDIR);
	assert_false(cgt_exists("%s/evil/user-1001", f->base));
}

/* ---- kill ---- */

static void test_kill_empty(void **state)
{
	struct fx *f = *state;
	const char *m = cg_engine_version(f->e) == CG_V1 ? "cpu" : "unified";
	struct iso_limits l;

	lim_unset(&l);
	l.cpu_quota = 2000;
	assert_int_equal(cg_user_apply(f->e, 1001, &l, CG_CPU, &f->err), 0);
	assert_int_equal(cg_user_apply(f->e, 1002, &l, CG_CPU, &f->err), 0);
	assert_int_equal(cg_enter(f->e, 1001, "session-1", CG_CPU, 11, &f->err), 0);
	assert_int_equal(cg_enter(f->e, 1001, "holder", CG_CPU, 12, &f->err), 0);
	put("", "%s/%s/pam_isolate/user-1001/session-1/cgroup.procs", f->base, m);
	put("", "%s/%s/pam_isolate/user-1001/holder/cgroup.procs", f->base, m);
	assert_int_equal(cg_user_kill(f->e, 1001, &f->err), 0);
	assert_false(cgt_exists("%s/%s/pam_isolate/user-1001", f->base, m));
	assert_true(cgt_exists("%s/%s/pam_isolate/user-1002", f->base, m));
	assert_int_equal(cg_user_kill(f->e, 1001, &f->err), 0);
}

/* The helper must never kill itself: refused while it sits in the tree. */
static void test_kill_self(void **state)
{
	struct fx *f = *state;
	struct iso_limits l;
	char buf[PATH_MAX];

	lim_unset(&l);
	l.tasks_max = 9;
	assert_int_equal(cg_user_apply(f->e, 1001, &l, CG_PIDS, &f->err), 0);
	assert_int_equal(cg_enter(f->e, 1001, "session-1", CG_PIDS, getpid(), &f->err), 0);
	fake_proc(f, getpid(), "2:pids:/pam_isolate/user-1001/session-1\n1:cpu:/\n");
	assert_int_equal(cg_user_kill(f->e, 1001, &f->err), -EDEADLK);
	assert_non_null(strstr(f->err.msg, "refusing to kill"));
	assert_true(cgt_exists("%s/pids/pam_isolate/user-1001/session-1", f->base));
	/* another user's tree is fine */
	assert_int_equal(cg_user_kill(f->e, 100, &f->err), 0);
	/* cg_path/cg_read take a mask: its lowest mounted controller */
	assert_int_equal(cg_path(f->e, CG_PIDS | CG_MEMORY, 1001, "", buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "/pids/pam_isolate/user-1001"));
	assert_int_equal(cg_path(f->e, CG_MEMORY, 1001, "", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(cg_path(f->e, 0, 1001, "", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(cg_path(f->e, 8, 1001, "", buf, sizeof(buf)), -EINVAL);
}

/* A pid that cannot exist (above PID_MAX_LIMIT) never leaves a fake
 * cgroup.procs: kill must give up after its bounded rounds, signal nobody,
 * and v2 must have asked the kernel through cgroup.kill first. */
static void test_kill_stuck_v2(void **state)
{
	struct fx *f = *state;
	const char *m = f->lay.v2_path;
	struct iso_limits l;

	lim_unset(&l);
	assert_int_equal(cg_user_apply(f->e, 1001, &l, 0, &f->err), 0);
	assert_false(cgt_exists("%s/cgroup.subtree_control", m)); /* nothing to enable */
	assert_int_equal(cg_enter(f->e, 1001, "session-1", 0, 2000000000, &f->err), 0);
	put("0\n", "%s/pam_isolate/user-1001/cgroup.kill", m);
	assert_int_equal(cg_user_kill(f->e, 1001, &f->err), -EBUSY);
	assert_non_null(strstr(f->err.msg, "still below"));
	assert_string_equal(cgt_get("%s/pam_isolate/user-1001/cgroup.kill", m), "1");
	assert_true(cgt_exists("%s/pam_isolate/user-1001/session-1", m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_this_machine),
		cmocka_unit_test(test_layout_pure_v2),
		cmocka_unit_test(test_layout_debian_hybrid),
		cmocka_unit_test(test_layout_escapes_and_v2_preference),
		cmocka_unit_test(test_layout_none),
		cmocka_unit_test(test_layout_real),
		cmocka_unit_test(test_open_bad_names),
		cmocka_unit_test(test_open_verify_fs),
		cmocka_unit_test(test_needed),
		cmocka_unit_test_setup_teardown(test_available, setup_v1_nomem, teardown),
		cmocka_unit_test_setup_teardown(test_available, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v1_apply, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(test_v1_apply_errors, setup_v1_nomem, teardown),
		cmocka_unit_test_setup_teardown(test_v1_comount, setup_v1_comount, teardown),
		cmocka_unit_test_setup_teardown(test_v2_apply, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v2_memory_clamp, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v1_memory, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(test_v2_apply_order_and_missing, setup_v2,
						teardown),
		cmocka_unit_test_setup_teardown(test_enter, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(test_enter, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_gc, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(test_gc, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_list_users, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(test_origin_v1, setup_v1_nomem, teardown),
		cmocka_unit_test_setup_teardown(test_origin_v2, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_user_dir, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(test_kill_empty, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(test_kill_empty, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_kill_self, setup_v1_nomem, teardown),
		cmocka_unit_test_setup_teardown(test_kill_stuck_v2, setup_v2, teardown),
	};

	umask(077); /* as the helper runs: dirs must still come out 0755 */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
