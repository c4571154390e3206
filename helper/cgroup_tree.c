/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cgroup engine: the per-user tree below <root> (cgroup.h): limits,
 * leaves, moving a process in, garbage collection, listing and reading.
 * Every walk goes from the mount fds cgroup.c opened and checked, one
 * component at a time with O_NOFOLLOW.
 */
#define _GNU_SOURCE
#include "cgroup_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "iso_names.h"
#include "uidset.h"

int cg_count_procs(int userfd, const char *leaf)
{
	int fd = -1, n = 0;
	int r;

	r = iso_open_dir_at(userfd, leaf, &fd);
	if (r == 0)
		r = cg_procs_each(fd, NULL, NULL, &n);
	iso_close(fd);
	if (r == -ENOENT)
		return 0;
	return r < 0 ? r : n;
}

/* ---- per user ---- */

int cg_user_apply(struct cg_engine *e, uid_t uid, const struct iso_limits *lim, unsigned ctrls,
		  struct iso_err *err)
{
	int r;

	if (uid == (uid_t)-1 || (ctrls & ~CG_ALL))
		return iso_err_set(err, -EINVAL, "bad uid or controller set");
	if ((ctrls & CG_CPU) && lim->cpu_quota != ISO_UNSET) {
		long long q, p;

		/* Bad values are refused before any directory is made. */
		r = cg_cpu_quota_us(lim, &q, &p, err);
		if (r < 0)
			return r;
	}
	r = e->ops->user_apply(e, uid, lim, ctrls, err);
	if (r == -ENOENT) {
		/* See cg_rmdir_root(): a concurrent gc removed <root> under us. */
		iso_err_clear(err);
		r = e->ops->user_apply(e, uid, lim, ctrls, err);
	}
	return r;
}

static int enter_daemons(struct cg_engine *e, unsigned ctrls, pid_t pid, struct iso_err *err);

int cg_enter_daemons(struct cg_engine *e, unsigned ctrls, pid_t pid, struct iso_err *err)
{
	int r = enter_daemons(e, ctrls, pid, NULL);

	/* once more: another user's gc may have removed an empty
	 * <root>/daemons or <root> between our mkdir and our write
	 * (cg_rmdir_root) */
	if (r < 0)
		r = enter_daemons(e, ctrls, pid, err);
	return r;
}

static int enter_daemons(struct cg_engine *e, unsigned ctrls, pid_t pid, struct iso_err *err)
{
	char path[PATH_MAX], val[24];
	int rootfd = -1, fd = -1, r = 0;

	snprintf(val, sizeof(val), "%d", (int)pid);
	for (int i = 0; i < CG_NCTRL; i++) {
		if (!cg_slot_used(e, i, ctrls))
			continue;
		r = cg_open_root(e, i, true, &rootfd, err);
		if (r == 0)
			r = cg_fmt_path(e, i, (uid_t)-1, NULL, path, sizeof(path));
		if (r == 0)
			r = cg_mkdir(e, rootfd, path, "daemons", err);
		if (r == 0)
			r = iso_open_dir_at(rootfd, "daemons", &fd);
		if (r == 0) {
			size_t n = strlen(path);

			snprintf(path + n, sizeof(path) - n, "/daemons");
			r = cg_write(e, fd, path, "cgroup.procs", val, err);
		}
		iso_close(fd);
		iso_close(rootfd);
		fd = rootfd = -1;
		if (r < 0)
			return r;
	}
	return 0;
}

int cg_enter(struct cg_engine *e, uid_t uid, const char *leaf, unsigned ctrls, pid_t pid,
	     struct iso_err *err)
{
	char path[PATH_MAX], val[24];
	int userfd = -1, leaffd = -1;
	unsigned missing;
	int r = 0;

	if (!cg_valid_name(leaf, NAME_MAX) || pid <= 0 || (ctrls & ~CG_ALL)) {
		r = iso_err_set(err, -EINVAL, "invalid leaf \"%s\" or pid %d", leaf, (int)pid);
		goto out;
	}
	missing = e->version == CG_V1 ? ctrls & ~cg_available(e) : 0;
	if (missing) {
		r = iso_err_set(err, -EOPNOTSUPP, "controller %s is not mounted",
				cg_ctrl_name(missing & -missing));
		goto out;
	}
	snprintf(val, sizeof(val), "%d", (int)pid);
	for (int i = 0; i < CG_NCTRL; i++) {
		if (!cg_slot_used(e, i, ctrls))
			continue;
		r = cg_fmt_path(e, i, uid, NULL, path, sizeof(path));
		if (r < 0)
			goto out;
		r = cg_open_user(e, i, uid, false, &userfd, err);
		if (r == -ENOENT)
			iso_err_set(err, r, "%s does not exist (cg_user_apply first)", path);
		if (r < 0)
			goto out;
		r = cg_mkdir(e, userfd, path, leaf, err);
		if (r < 0)
			goto out;
		r = iso_open_dir_at(userfd, leaf, &leaffd);
		if (r < 0) {
			iso_err_set(err, r, "cannot open %s/%s: %s", path, leaf, strerror(-r));
			goto out;
		}
		/* cgroup.procs moves the whole thread group (also on v1, where
		 * "tasks" would move one thread). v1 with RT_GROUP_SCHED refuses
		 * realtime tasks into a group without rt_runtime: EINVAL. */
		r = cg_fmt_path(e, i, uid, leaf, path, sizeof(path));
		if (r < 0)
			goto out;
		r = cg_write(e, leaffd, path, "cgroup.procs", val, err);
		if (r < 0)
			goto out;
		iso_close(leaffd);
		iso_close(userfd);
		leaffd = userfd = -1;
	}
out:
	iso_close(leaffd);
	iso_close(userfd);
	return r;
}

/* Calls fn with the fd of user-<uid> in each hierarchy where it exists,
 * until fn fails. */
static int each_user_dir(struct cg_engine *e, uid_t uid, int (*fn)(int userfd, void *arg),
			 void *arg)
{
	int userfd = -1, r = 0;

	for (int i = 0; i < CG_NCTRL && r >= 0; i++) {
		if (!cg_slot_used(e, i, CG_ALL))
			continue;
		r = cg_open_user(e, i, uid, false, &userfd, NULL);
		if (r == -ENOENT) {
			r = 0;
			continue;
		}
		if (r == 0)
			r = fn(userfd, arg);
		iso_close(userfd);
		userfd = -1;
	}
	return r;
}

struct leaf_walk {
	const char *leaf, *to;
	int n; /* processes summed, or leaves renamed */
};

static int add_nprocs(int userfd, void *arg)
{
	struct leaf_walk *w = arg;
	int r = cg_count_procs(userfd, w->leaf);

	if (r > 0)
		w->n += r;
	return r;
}

int cg_leaf_nprocs(struct cg_engine *e, uid_t uid, const char *leaf)
{
	struct leaf_walk w = {.leaf = leaf};
	int r;

	if (!cg_valid_name(leaf, NAME_MAX))
		return -EINVAL;
	r = each_user_dir(e, uid, add_nprocs, &w);
	return r < 0 ? r : w.n;
}

int cg_leaf_remove(struct cg_engine *e, uid_t uid, const char *leaf, struct iso_err *err)
{
	char path[PATH_MAX];
	int userfd = -1, first = 0;
	int r;

	if (!cg_valid_name(leaf, NAME_MAX))
		return iso_err_set(err, -EINVAL, "invalid leaf \"%s\"", leaf);
	for (int i = 0; i < CG_NCTRL; i++) {
		if (!cg_slot_used(e, i, CG_ALL))
			continue;
		r = cg_open_user(e, i, uid, false, &userfd, err);
		if (r == 0)
			r = cg_rmdir(e, userfd, leaf);
		iso_close(userfd);
		userfd = -1;
		if (r == 0 || r == -ENOENT || first)
			continue;
		first = r;
		if (cg_fmt_path(e, i, uid, leaf, path, sizeof(path)) == 0)
			iso_err_set(err, r, "cannot remove %s: %s", path,
				    r == -EBUSY ? "it still has processes" : strerror(-r));
	}
	return first;
}

/* the kernel renames a cgroup within its parent */
static int rename_leaf(int userfd, void *arg)
{
	struct leaf_walk *w = arg;

	if (renameat(userfd, w->leaf, userfd, w->to) == 0)
		w->n++;
	else if (errno != ENOENT)
		return -errno;
	return 0;
}

int cg_leaf_rename(struct cg_engine *e, uid_t uid, const char *from, const char *to)
{
	struct leaf_walk w = {.leaf = from, .to = to};
	int r;

	if (!cg_valid_name(from, NAME_MAX) || !cg_valid_name(to, NAME_MAX))
		return -EINVAL;
	r = each_user_dir(e, uid, rename_leaf, &w);
	return r < 0 ? r : w.n ? 0 : -ENOENT;
}

int cg_user_leftovers(struct cg_engine *e, uid_t uid)
{
	struct dirent *de;
	DIR *d = NULL;
	int userfd = -1, max = 0;

	for (int i = 0; i < CG_NCTRL; i++) {
		int n = 0;

		if (!cg_slot_used(e, i, CG_ALL))
			continue;
		if (cg_open_user(e, i, uid, false, &userfd, NULL) < 0)
			continue;
		if (iso_opendir_at(userfd, ".", &d) == 0 && d) {
			while ((de = readdir(d)))
				if (cg_is_subdir(d, de) &&
				    iso_leaf_kind(de->d_name) == ISO_LEAF_LEFT &&
				    cg_count_procs(userfd, de->d_name) > 0)
					n++;
			closedir(d);
			d = NULL;
		}
		iso_close(userfd);
		userfd = -1;
		if (n > max)
			max = n;
	}
	return max;
}

int cg_user_gc(struct cg_engine *e, uid_t uid, int *live, struct iso_err *err)
{
	char path[PATH_MAX], name[32];
	struct dirent *de;
	DIR *d = NULL;
	int userfd = -1, rootfd = -1;
	int maxlive = 0, r = 0;

	(void)iso_name_user_dir(name, sizeof(name), uid);
	/* Every hierarchy, not only those the rule needs now: the config may
	 * have changed since the leaves were made. */
	for (int i = 0; i < CG_NCTRL; i++) {
		int nlive = 0, remain = 0;

		if (!cg_slot_used(e, i, CG_ALL))
			continue;
		r = cg_open_root(e, i, false, &rootfd, err);
		if (r == 0)
			r = iso_open_dir_at(rootfd, name, &userfd);
		if (r == 0)
			r = iso_opendir_at(userfd, ".", &d);
		if (r == -ENOENT) {
			r = 0;
			goto next;
		}
		if (r < 0) {
			cg_fmt_path(e, i, uid, NULL, path, sizeof(path));
			iso_err_set(err, r, "cannot open %s: %s", path, strerror(-r));
			goto out;
		}
		while ((de = readdir(d))) {
			if (!cg_is_subdir(d, de))
				continue;
			if (iso_leaf_kind(de->d_name) != ISO_LEAF_SESSION) {
				/* A holder's leaf: busy while its holder lives. Empty,
				 * it is what a helper killed mid-open or a holder that
				 * died left; the caller holds the user lock, so no
				 * open is about to move a holder in. Not a session. */
				if (cg_count_procs(userfd, de->d_name) != 0 ||
				    cg_rmdir(e, userfd, de->d_name) < 0)
					remain++;
				continue;
			}
			r = cg_count_procs(userfd, de->d_name);
			if (r == 0)
				r = cg_rmdir(e, userfd, de->d_name);
			if (r == 0 || r == -ENOENT)
				continue;
			remain++;
			if (r > 0 || r == -EBUSY) { /* EBUSY: a process came in meanwhile */
				nlive++;
				continue;
			}
			cg_fmt_path(e, i, uid, de->d_name, path, sizeof(path));
			iso_err_set(err, r, "cannot remove %s: %s", path, strerror(-r));
			goto out;
		}
		r = 0;
		if (remain == 0) {
			/* ENOTEMPTY/EBUSY here would mean a process sits in the
			 * user dir itself, which we never do: leave it. */
			(void)cg_rmdir(e, rootfd, name);
			cg_rmdir_root(e, i);
		}
		/* v1: the same session has a leaf per hierarchy, count it once. */
		if (nlive > maxlive)
			maxlive = nlive;
	next:
		if (d)
			closedir(d);
		d = NULL;
		iso_close(userfd);
		iso_close(rootfd);
		userfd = rootfd = -1;
	}
	*live = maxlive;
out:
	if (d)
		closedir(d);
	iso_close(userfd);
	iso_close(rootfd);
	return r;
}

/* ---- listing and reading ---- */

int cg_list_users(struct cg_engine *e, uid_t **uids, size_t *n)
{
	uid_t *v = NULL, u;
	size_t cnt = 0;
	struct dirent *de;
	DIR *d = NULL;
	int rootfd = -1;
	int r = 0;

	for (int i = 0; i < CG_NCTRL; i++) {
		if (!cg_slot_used(e, i, CG_ALL))
			continue;
		r = cg_open_root(e, i, false, &rootfd, NULL);
		if (r == 0)
			r = iso_opendir_at(rootfd, ".", &d);
		iso_close(rootfd);
		rootfd = -1;
		if (r == -ENOENT) {
			r = 0;
			continue;
		}
		if (r < 0)
			goto out;
		while ((de = readdir(d))) {
			if (!cg_is_subdir(d, de) || iso_parse_user_dir(de->d_name, &u) < 0)
				continue;
			r = iso_uid_set_add(&v, &cnt, u);
			if (r < 0)
				goto out;
		}
		closedir(d);
		d = NULL;
	}
	*uids = v;
	*n = cnt;
	v = NULL;
out:
	if (d)
		closedir(d);
	free(v);
	return r;
}

/* The hierarchy of ctrl. A mask is accepted (its lowest mounted
 * controller), and v2 has only one hierarchy whatever is asked. */
static int ctrl_slot(const struct cg_engine *e, unsigned ctrl)
{
	if (ctrl & ~CG_ALL)
		return -EINVAL;
	if (e->version == CG_V2)
		return 0;
	for (int i = 0; i < CG_NCTRL; i++)
		if ((ctrl & (1u << i)) && e->h[i].fd >= 0)
			return i;
	return -ENOENT;
}

int cg_read_leaf(struct cg_engine *e, uid_t uid, const char *leaf, const char *file, char *buf,
		 size_t len)
{
	int r = -ENOENT;

	/* v1: a leaf exists only in the hierarchies its rule manages */
	for (unsigned bit = 1; bit <= CG_MEMORY && r == -ENOENT; bit <<= 1)
		r = cg_read(e, bit, uid, leaf, file, buf, len);
	return r;
}

int cg_mount_path(const struct cg_engine *e, unsigned ctrl, char *buf, size_t len)
{
	int slot = ctrl_slot(e, ctrl);

	if (slot < 0)
		return slot;
	return iso_snprintf(buf, len, "%s", e->h[slot].path);
}

int cg_read(struct cg_engine *e, unsigned ctrl, uid_t uid, const char *leaf, const char *file,
	    char *buf, size_t len)
{
	int slot = ctrl_slot(e, ctrl);
	int userfd = -1, fd = -1;
	ssize_t n;
	int r;

	if (slot < 0)
		return slot;
	if ((leaf && *leaf && !cg_valid_name(leaf, NAME_MAX)) || !cg_valid_name(file, NAME_MAX))
		return -EINVAL;
	r = cg_open_user(e, slot, uid, false, &userfd, NULL);
	if (r < 0)
		goto out;
	if (leaf && *leaf) {
		r = iso_open_dir_at(userfd, leaf, &fd);
		if (r < 0)
			goto out;
	}
	n = iso_read_file_at(fd >= 0 ? fd : userfd, file, buf, len);
	r = n < 0 ? (int)n : 0;
out:
	iso_close(fd);
	iso_close(userfd);
	return r;
}

int cg_path(const struct cg_engine *e, unsigned ctrl, uid_t uid, const char *leaf, char *buf,
	    size_t len)
{
	char tmp[PATH_MAX];
	int slot = ctrl_slot(e, ctrl);
	int r;

	if (slot < 0)
		return slot;
	if (leaf && *leaf && !cg_valid_name(leaf, NAME_MAX))
		return -EINVAL;
	r = cg_fmt_path(e, slot, uid, leaf, tmp, sizeof(tmp));
	if (r == 0)
		r = iso_snprintf(buf, len, "%s", tmp);
	return r;
}

int cg_leaf_cpu_view(struct cg_engine *e, uid_t uid, const char *leaf, const struct iso_limits *lim,
		     struct iso_err *err)
{
	char path[PATH_MAX], val[64];
	long long q, p;
	int userfd = -1, leaffd = -1;
	int r;

	if (e->version != CG_V2 || !cg_valid_name(leaf, NAME_MAX) || !iso_limits_view_cpus(lim))
		return 0;
	r = cg_cpu_quota_us(lim, &q, &p, err);
	if (r < 0 || q < 0)
		return r;
	r = cg_open_user(e, 0, uid, false, &userfd, err);
	if (r < 0)
		goto out;
	r = iso_open_dir_at(userfd, leaf, &leaffd);
	if (r < 0)
		goto out;
	r = cg_fmt_path(e, 0, uid, leaf, path, sizeof(path));
	if (r < 0)
		goto out;
	snprintf(val, sizeof(val), "%lld %lld", q, p);
	r = cg_write(e, leaffd, path, "cpu.max", val, err);
out:
	iso_close(leaffd);
	iso_close(userfd);
	return r;
}
