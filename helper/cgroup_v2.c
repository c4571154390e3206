/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cgroup v2 backend: one hierarchy (slot 0). Kernel rules that shape it:
 *
 * - No internal processes: a cgroup with controllers enabled in its
 *   cgroup.subtree_control may not hold processes itself (the mount root
 *   excepted). user-<uid> therefore only ever has leaf children
 *   (session-*, holder) and the processes live in the leaves.
 * - Writing cgroup.subtree_control of a cgroup that has processes fails
 *   with EBUSY, and a controller can only be enabled in a child when the
 *   parent enabled it: we go from the mount down, parent first.
 * - rmdir fails with EBUSY while a cgroup has processes (zombies do not
 *   count: they left the cgroup at exit).
 */
#define _GNU_SOURCE
#include "cgroup_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fsutil.h"
#include "iso_names.h"

static unsigned v2_parse_ctrls(const char *s)
{
	unsigned c = 0;

	for (unsigned bit = 1; bit & CG_ALL; bit <<= 1)
		if (cg_has_token(s, cg_ctrl_name(bit)))
			c |= bit;
	return c;
}

static unsigned v2_available(const struct cg_engine *e)
{
	char buf[512];

	if (iso_read_file_at(e->h[0].fd, "cgroup.controllers", buf, sizeof(buf)) < 0)
		return 0;
	return v2_parse_ctrls(buf);
}

/* Enables ctrls in dirpath/cgroup.subtree_control, each controller in its
 * own write: a write of "+cpu +pids" is all or nothing, and which one the
 * kernel refused would be lost. Already enabled ones are not written
 * (the mount root's file is shared with whoever else manages the host).
 */
static int v2_enable(struct cg_engine *e, int dirfd, const char *dirpath, unsigned ctrls,
		     struct iso_err *err)
{
	char cur[512], val[64];
	ssize_t n;
	int r = 0;

	n = e->io->read(dirfd, "cgroup.subtree_control", cur, sizeof(cur));
	if (n < 0)
		return iso_err_set(err, (int)n, "cannot read %s/cgroup.subtree_control: %s",
				   dirpath, strerror((int)-n));
	for (unsigned bit = 1; bit & CG_ALL; bit <<= 1) {
		const char *name = cg_ctrl_name(bit);

		if (!(ctrls & bit) || cg_has_token(cur, name))
			continue;
		snprintf(val, sizeof(val), "+%s", name);
		r = cg_write(e, dirfd, dirpath, "cgroup.subtree_control", val, err);
		if (r < 0)
			break;
	}
	return r;
}

static int v2_limits(struct cg_engine *e, int fd, const char *path, const struct iso_limits *lim,
		     unsigned ctrls, struct iso_err *err)
{
	long long q, p;
	char val[64];
	int r = 0;

	if ((ctrls & CG_CPU) && lim->cpu_quota != ISO_UNSET) {
		r = cg_cpu_quota_us(lim, &q, &p, err);
		if (r < 0)
			goto out;
		if (q < 0)
			snprintf(val, sizeof(val), "max %lld", p);
		else
			snprintf(val, sizeof(val), "%lld %lld", q, p);
		r = cg_write(e, fd, path, "cpu.max", val, err);
		if (r < 0)
			goto out;
	}
	if ((ctrls & CG_CPU) && lim->cpu_weight != ISO_UNSET) {
		snprintf(val, sizeof(val), "%lld", (long long)lim->cpu_weight);
		r = cg_write(e, fd, path, "cpu.weight", val, err);
		if (r < 0)
			goto out;
	}
	if ((ctrls & CG_PIDS) && lim->tasks_max != ISO_UNSET) {
		if (lim->tasks_max == ISO_MAX)
			strcpy(val, "max");
		else
			snprintf(val, sizeof(val), "%lld", (long long)lim->tasks_max);
		r = cg_write(e, fd, path, "pids.max", val, err);
		if (r < 0)
			goto out;
	}
	if (ctrls & CG_MEMORY)
		r = cg_memory_apply(e, fd, path, lim, err);
out:
	return r;
}

static int v2_user_apply(struct cg_engine *e, uid_t uid, const struct iso_limits *lim,
			 unsigned ctrls, struct iso_err *err)
{
	char path[PATH_MAX], root[PATH_MAX], name[32], have[512];
	unsigned missing;
	int rootfd = -1, userfd = -1;
	int r;

	r = e->io->read(e->h[0].fd, "cgroup.controllers", have, sizeof(have));
	if (r < 0) {
		iso_err_set(err, r, "cannot read %s/cgroup.controllers: %s", e->h[0].path,
			    strerror(-r));
		goto out;
	}
	missing = ctrls & ~v2_parse_ctrls(have);
	if (missing) {
		r = iso_err_set(err, -EOPNOTSUPP,
				"controller %s is not available in %s/cgroup.controllers (\"%s\")",
				cg_ctrl_name(missing & -missing), e->h[0].path, have);
		goto out;
	}
	r = cg_fmt_path(e, 0, (uid_t)-1, NULL, root, sizeof(root));
	if (r == 0)
		r = cg_fmt_path(e, 0, uid, NULL, path, sizeof(path));
	if (r < 0)
		goto out;
	if (ctrls) {
		r = v2_enable(e, e->h[0].fd, e->h[0].path, ctrls, err);
		if (r < 0)
			goto out;
	}
	r = cg_open_root(e, 0, true, &rootfd, err);
	if (r < 0)
		goto out;
	if (ctrls) {
		r = v2_enable(e, rootfd, root, ctrls, err);
		if (r < 0)
			goto out;
	}
	(void)iso_name_user_dir(name, sizeof(name), uid);
	r = cg_mkdir(e, rootfd, root, name, err);
	if (r < 0)
		goto out;
	r = iso_open_dir_at(rootfd, name, &userfd);
	if (r < 0) {
		iso_err_set(err, r, "cannot open %s: %s", path, strerror(-r));
		goto out;
	}
	/* Enabling in user-<uid> is allowed: it never holds processes. This
	 * is what puts the limits of user-<uid> over all its leaves. */
	if (ctrls) {
		r = v2_enable(e, userfd, path, ctrls, err);
		if (r < 0)
			goto out;
	}
	r = v2_limits(e, userfd, path, lim, ctrls, err);
out:
	iso_close(userfd);
	iso_close(rootfd);
	return r;
}

/* cgroup.kill (Linux >= 5.14) kills the subtree, racing forks included. */
static int v2_kill_fast(struct cg_engine *e, int userfd, const char *userpath)
{
	int r = iso_write_file_at(userfd, "cgroup.kill", "1", false);

	(void)e;
	(void)userpath;
	return r == -ENOENT ? -EOPNOTSUPP : r;
}

const struct cg_ops cg_v2_ops = {
	.name = "cgroup2",
	.available = v2_available,
	.user_apply = v2_user_apply,
	.kill_fast = v2_kill_fast,
};
