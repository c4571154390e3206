/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cgroup v1 backend (hybrid hosts): one hierarchy per controller, each
 * with its own <root>/user-<uid>. Only the controllers a rule needs are
 * touched; cpuacct, freezer and the rest are never written, so v1 has no
 * freezer for kill (see cg_user_kill: SIGKILL sweeps).
 */
#define _GNU_SOURCE
#include "cgroup_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"

static unsigned v1_available(const struct cg_engine *e)
{
	unsigned c = 0;

	for (int i = 0; i < CG_NCTRL; i++)
		if (e->h[i].fd >= 0)
			c |= 1u << i;
	return c;
}

/*
 * CFS bandwidth. The kernel checks quota/period against the parent's and
 * the children's ratios at every single write (tg_set_cfs_bandwidth ->
 * __cfs_schedulable), using the value not being written as it is now. So
 * lowering the period while an old, larger quota stays can exceed the
 * parent's bandwidth and fail with EINVAL, though the final pair is fine
 * (e.g. old 200000/100000 -> new 25000/50000: the step 200000/50000 asks
 * for 4 CPUs). Setting the quota to -1 (unlimited, always accepted below
 * a limited parent) first makes every intermediate state valid.
 */
static int v1_cpu(struct cg_engine *e, int fd, const char *path, const struct iso_limits *lim,
		  struct iso_err *err)
{
	long long q, p, shares;
	char val[32], cur[32];
	int r = 0;

	if (lim->cpu_quota != ISO_UNSET) {
		r = cg_cpu_quota_us(lim, &q, &p, err);
		if (r < 0)
			goto out;
		snprintf(val, sizeof(val), "%lld", p);
		if (iso_read_file_at(fd, "cpu.cfs_period_us", cur, sizeof(cur)) < 0 ||
		    strcmp(cur, val)) {
			r = cg_write(e, fd, path, "cpu.cfs_quota_us", "-1", err);
			if (r < 0)
				goto out;
			r = cg_write(e, fd, path, "cpu.cfs_period_us", val, err);
			if (r < 0)
				goto out;
		}
		snprintf(val, sizeof(val), "%lld", q);
		r = cg_write(e, fd, path, "cpu.cfs_quota_us", val, err);
		if (r < 0)
			goto out;
	}
	if (lim->cpu_weight != ISO_UNSET) {
		/* v2's weight 100 is v1's 1024 shares; the kernel's floor is 2. */
		shares = (long long)lim->cpu_weight * 1024 / 100;
		if (shares < 2)
			shares = 2;
		snprintf(val, sizeof(val), "%lld", shares);
		r = cg_write(e, fd, path, "cpu.shares", val, err);
	}
out:
	return r;
}

static int v1_apply_one(struct cg_engine *e, int slot, uid_t uid, const struct iso_limits *lim,
			struct iso_err *err)
{
	char path[PATH_MAX], val[32];
	int fd = -1;
	int r;

	r = cg_fmt_path(e, slot, uid, NULL, path, sizeof(path));
	if (r < 0)
		goto out;
	r = cg_open_user(e, slot, uid, true, &fd, err);
	if (r < 0)
		goto out;
	switch (1u << slot) {
	case CG_CPU:
		r = v1_cpu(e, fd, path, lim, err);
		break;
	case CG_PIDS:
		if (lim->tasks_max == ISO_UNSET)
			break;
		if (lim->tasks_max == ISO_MAX)
			strcpy(val, "max");
		else
			snprintf(val, sizeof(val), "%lld", (long long)lim->tasks_max);
		r = cg_write(e, fd, path, "pids.max", val, err);
		break;
	case CG_MEMORY:
		r = cg_memory_apply(e, fd, path, lim, err);
		break;
	}
out:
	iso_close(fd);
	return r;
}

static int v1_user_apply(struct cg_engine *e, uid_t uid, const struct iso_limits *lim,
			 unsigned ctrls, struct iso_err *err)
{
	unsigned missing = ctrls & ~v1_available(e);
	int r = 0;

	/* Check everything before making any directory. */
	if (missing) {
		r = iso_err_set(err, -EOPNOTSUPP,
				"controller %s is not mounted (no cgroup v1 hierarchy for it)",
				cg_ctrl_name(missing & -missing));
		goto out;
	}
	for (int i = 0; i < CG_NCTRL; i++) {
		if (!(ctrls & (1u << i)))
			continue;
		/* Co-mounted controllers: same directory, each writes its files. */
		r = v1_apply_one(e, i, uid, lim, err);
		if (r < 0)
			goto out;
	}
out:
	return r;
}

const struct cg_ops cg_v1_ops = {
	.name = "cgroup v1",
	.available = v1_available,
	.user_apply = v1_user_apply,
	.kill_fast = NULL,
};
