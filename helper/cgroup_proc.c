/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cgroup engine: processes. Where a process sits (/proc/<pid>/cgroup),
 * moving it back where it came from (cg_origin_restore), and killing
 * everything below a user dir. A pid read from cgroup.procs may be
 * recycled by the time we act on it: kill pins it with a pidfd and checks
 * /proc/<pid>/cgroup before signalling.
 */
#define _GNU_SOURCE
#include "cgroup_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "iso_names.h"

#define KILL_ROUNDS   200	/* SIGKILL sweeps of the tree at most ... */
#define KILL_SLEEP_NS 10000000L /* ... 10 ms apart: ~2 s in all */

/* ---- /proc/<pid>/cgroup ---- */

static int proc_cgroup_read(const struct cg_engine *e, pid_t pid, char *buf, size_t len)
{
	char path[PATH_MAX + 32];
	ssize_t n;
	int r;

	r = iso_snprintf(path, sizeof(path), "%s/%d/cgroup", e->proc, (int)pid);
	if (r < 0)
		return r;
	n = iso_read_file_at(AT_FDCWD, path, buf, len);
	if (n < 0)
		return n == -ENOENT ? -ESRCH : (int)n;
	return (size_t)n >= len - 1 ? -E2BIG : 0;
}

/* Finds the path of ctrl's line ("N:a,ctrl,b:/path"; v2: ctrl NULL and the
 * "0::/path" line). Points into text. */
static int proc_cgroup_find(const char *text, const char *ctrl, const char **path, size_t *plen)
{
	for (const char *l = text; *l;) {
		size_t ll = strcspn(l, "\n");
		const char *c1 = memchr(l, ':', ll), *c2;

		c2 = c1 ? memchr(c1 + 1, ':', ll - (size_t)(c1 + 1 - l)) : NULL;
		if (c2) {
			char list[256];
			size_t cl = (size_t)(c2 - c1 - 1);
			bool hit;

			if (!ctrl) {
				hit = c1 - l == 1 && l[0] == '0' && cl == 0;
			} else {
				hit = cl < sizeof(list);
				if (hit) {
					memcpy(list, c1 + 1, cl);
					list[cl] = '\0';
					hit = cg_has_opt(list, ctrl);
				}
			}
			if (hit) {
				*path = c2 + 1;
				*plen = ll - (size_t)(c2 + 1 - l);
				return 0;
			}
		}
		l += ll;
		if (*l == '\n')
			l++;
	}
	return -ENOENT;
}

static const char *slot_ctrl(const struct cg_engine *e, int slot)
{
	return e->version == CG_V2 ? NULL : cg_ctrl_name(1u << slot);
}

int cg_origin_read(struct cg_engine *e, pid_t pid, char *buf, size_t len, struct iso_err *err)
{
	char text[8192], res[4096];
	size_t off = 0;
	int r;

	r = proc_cgroup_read(e, pid, text, sizeof(text));
	if (r < 0)
		return iso_err_set(err, r, "cannot read %s/%d/cgroup: %s", e->proc, (int)pid,
				   strerror(-r));
	res[0] = '\0';
	/* v1: every mounted controller we may manage, whatever the rule
	 * needs now, so a later config change cannot strand the process. */
	for (int i = 0; i < CG_NCTRL; i++) {
		const char *p;
		size_t pl;

		if (e->version == CG_V2 ? i != 0 : e->h[i].fd < 0)
			continue;
		r = proc_cgroup_find(text, slot_ctrl(e, i), &p, &pl);
		if (r < 0)
			return iso_err_set(err, r, "%s/%d/cgroup has no line for %s", e->proc,
					   (int)pid,
					   e->version == CG_V2 ? "0::" : cg_ctrl_name(1u << i));
		if (memchr(p, ';', pl))
			return iso_err_set(err, -EINVAL, "cgroup path of pid %d holds ';'",
					   (int)pid);
		r = iso_snprintf(res + off, sizeof(res) - off, "%s%s:%.*s", off ? ";" : "",
				 e->version == CG_V2 ? "0" : cg_ctrl_name(1u << i), (int)pl, p);
		if (r < 0)
			return iso_err_set(err, r, "cgroup paths of pid %d too long", (int)pid);
		off += strlen(res + off);
	}
	if (off + 1 > len)
		return iso_err_set(err, -ENAMETOOLONG, "origin buffer too small");
	memcpy(buf, res, off + 1);
	return 0;
}

/* Opens path (absolute within the hierarchy) one component at a time
 * below the mount fd, never following a symlink. */
static int open_beneath(int mfd, const char *path, int *out)
{
	char tmp[PATH_MAX], *save = NULL, *c;
	int fd = -1, next;
	int r;

	r = iso_snprintf(tmp, sizeof(tmp), "%s", path);
	if (r < 0)
		goto out;
	r = iso_open_dir_at(mfd, ".", &fd);
	for (c = strtok_r(tmp, "/", &save); r == 0 && c; c = strtok_r(NULL, "/", &save)) {
		r = iso_open_dir_at(fd, c, &next);
		iso_close(fd);
		fd = r == 0 ? next : -1;
	}
	if (r < 0)
		goto out;
	*out = fd;
	fd = -1;
out:
	iso_close(fd);
	return r;
}

/* "/" or "/a/b": no empty, "." or ".." component (and no ".." at all),
 * so that the prefix test against our subtree cannot be dodged. */
static bool valid_cgpath(const char *p)
{
	if (p[0] != '/' || strstr(p, ".."))
		return false;
	if (!strcmp(p, "/"))
		return true;
	for (p++;;) {
		size_t w = strcspn(p, "/");

		if (w == 0 || (w == 1 && p[0] == '.'))
			return false;
		if (!p[w])
			return true;
		p += w + 1;
	}
}

struct origin_ent {
	int slot;
	const char *path;
};

/* Parses and checks an origin string ("ctrl:/path;...") into ent[]: a
 * hierarchy we opened, each at most once, a clean path outside our own
 * subtree. Points into copy. */
static int origin_parse(const struct cg_engine *e, char *copy, struct origin_ent ent[CG_NCTRL],
			int *count, struct iso_err *err)
{
	size_t rl = strlen(e->root);
	char *save = NULL, *tok;
	int n = 0;

	for (tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		char *colon = strchr(tok, ':'), *p;
		int slot = -1;

		if (!colon)
			return iso_err_set(err, -EINVAL, "bad origin entry \"%s\"", tok);
		*colon = '\0';
		p = colon + 1;
		for (int i = 0; i < CG_NCTRL; i++)
			if (e->version == CG_V2 ? i == 0 && !strcmp(tok, "0")
						: !strcmp(tok, cg_ctrl_name(1u << i)))
				slot = i;
		if (slot < 0 || e->h[slot].fd < 0)
			return iso_err_set(err, -EINVAL, "origin names unknown hierarchy \"%s\"",
					   tok);
		for (int j = 0; j < n; j++)
			if (ent[j].slot == slot)
				return iso_err_set(err, -EINVAL, "origin names \"%s\" twice", tok);
		if (!valid_cgpath(p))
			return iso_err_set(err, -EINVAL, "refusing origin path \"%s\"", p);
		if (!strncmp(p + 1, e->root, rl) && (p[1 + rl] == '\0' || p[1 + rl] == '/'))
			return iso_err_set(err, -EPERM,
					   "refusing origin path \"%s\" inside our own subtree", p);
		ent[n].slot = slot;
		ent[n++].path = p;
	}
	*count = n;
	return 0;
}

int cg_origin_open(struct cg_engine *e, const char *origin, int fds[CG_NCTRL], int *nfds,
		   struct iso_err *err)
{
	struct origin_ent ent[CG_NCTRL];
	char copy[4096];
	int n = 0, r;

	*nfds = 0;
	if (iso_snprintf(copy, sizeof(copy), "%s", origin) < 0)
		return iso_err_set(err, -EINVAL, "bad origin");
	r = origin_parse(e, copy, ent, &n, err);
	for (int j = 0; r == 0 && j < n; j++) {
		r = open_beneath(e->h[ent[j].slot].fd, ent[j].path, &fds[j]);
		if (r < 0)
			iso_err_set(err, r, "cannot open the origin cgroup %s: %s", ent[j].path,
				    strerror(-r));
		else
			(*nfds)++;
	}
	if (r < 0) {
		/* -1 too: the caller hands on every slot that is not */
		for (int j = 0; j < *nfds; j++) {
			iso_close(fds[j]);
			fds[j] = -1;
		}
		*nfds = 0;
	}
	return r;
}

int cg_origin_restore(struct cg_engine *e, pid_t pid, const char *origin, struct iso_err *err)
{
	char copy[4096], text[8192], full[PATH_MAX + 256], val[24];
	struct origin_ent ent[CG_NCTRL];
	int n = 0, fd = -1, first = 0;
	int r;

	if (pid <= 0 || iso_snprintf(copy, sizeof(copy), "%s", origin) < 0)
		return iso_err_set(err, -EINVAL, "bad pid %d or origin", (int)pid);
	/* Parse and check everything before moving anything. */
	r = origin_parse(e, copy, ent, &n, err);
	if (r < 0)
		return r;
	r = proc_cgroup_read(e, pid, text, sizeof(text));
	if (r < 0)
		return iso_err_set(err, r, "cannot read %s/%d/cgroup: %s", e->proc, (int)pid,
				   strerror(-r));
	snprintf(val, sizeof(val), "%d", (int)pid);
	for (int j = 0; j < n; j++) {
		const struct cg_hier *h = &e->h[ent[j].slot];
		const char *cur;
		size_t cl;

		/* Where the process already is (hierarchies we never moved it
		 * in), write nothing: do not touch what we do not manage. */
		if (proc_cgroup_find(text, slot_ctrl(e, ent[j].slot), &cur, &cl) == 0 &&
		    cl == strlen(ent[j].path) && !strncmp(cur, ent[j].path, cl))
			continue;
		snprintf(full, sizeof(full), "%s%s", h->path,
			 strcmp(ent[j].path, "/") ? ent[j].path : "");
		r = open_beneath(h->fd, ent[j].path, &fd);
		if (r < 0) {
			if (!first)
				first = iso_err_set(err, r, "cannot open %s: %s", full,
						    strerror(-r));
			continue;
		}
		r = e->io->write(fd, "cgroup.procs", val);
		iso_close(fd);
		fd = -1;
		if (r < 0 && !first)
			first = iso_err_set(err, r, "cannot write \"%s\" to %s/cgroup.procs: %s",
					    val, full, strerror(-r));
	}
	return first;
}

/* ---- kill ---- */

/* "/<root>/user-<uid>", as /proc/PID/cgroup names the user's tree. */
static void user_prefix(const struct cg_engine *e, uid_t uid, char *buf, size_t len)
{
	char user[32];

	(void)iso_name_user_dir(user, sizeof(user), uid);
	(void)iso_snprintf(buf, len, "/%s/%s", e->root, user);
}

struct kill_ctx {
	struct cg_engine *e;
	int slot;
	char prefix[PATH_MAX]; /* "/<root>/user-<uid>" */
};

/* Whether the /proc/<pid>/cgroup text puts the process at or below
 * prefix ("/<root>/user-<uid>") in the hierarchy of slot. */
static bool below(const struct cg_engine *e, int slot, const char *text, const char *prefix)
{
	size_t pl, n = strlen(prefix);
	const char *p;

	return proc_cgroup_find(text, slot_ctrl(e, slot), &p, &pl) == 0 && pl >= n &&
	       !strncmp(p, prefix, n) && (pl == n || p[n] == '/');
}

/* SIGKILLs pid if it is still below our user dir. The pid was read from
 * cgroup.procs and may have been reused since: a pidfd pins the process,
 * then /proc/<pid>/cgroup proves it is the one in our tree. */
static int kill_one(pid_t pid, void *arg)
{
	static bool no_pidfd; /* ENOSYS once (old kernel, valgrind): stop asking */
	struct kill_ctx *k = arg;
	char text[8192];
	int pidfd;

	if (pid == getpid())
		return 0; /* cg_user_kill refuses this case up front */
	pidfd = no_pidfd ? -1 : (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0 && !no_pidfd && errno != ENOSYS)
		return 0; /* gone already */
	if (pidfd < 0)
		no_pidfd = true;
	if (proc_cgroup_read(k->e, pid, text, sizeof(text)) < 0 ||
	    !below(k->e, k->slot, text, k->prefix))
		goto out;
	if (pidfd < 0 ||
	    (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno == ENOSYS))
		(void)kill(pid, SIGKILL);
out:
	iso_close(pidfd);
	return 0;
}

/* One sweep over user-<uid> and its leaves in every hierarchy; with kill,
 * signals each listed process. Returns the number of processes seen. */
static int sweep(struct cg_engine *e, uid_t uid, bool kill, int *seen)
{
	struct kill_ctx k = {.e = e};
	struct dirent *de;
	DIR *d = NULL;
	int userfd = -1, fd = -1, total = 0, n;
	int r = 0;

	user_prefix(e, uid, k.prefix, sizeof(k.prefix));
	for (int i = 0; i < CG_NCTRL; i++) {
		if (!cg_slot_used(e, i, CG_ALL))
			continue;
		k.slot = i;
		r = cg_open_user(e, i, uid, false, &userfd, NULL);
		if (r == 0)
			r = iso_opendir_at(userfd, ".", &d);
		if (r == -ENOENT) {
			r = 0;
			goto next;
		}
		if (r < 0)
			goto out;
		if (!d)
			goto next;
		/* The user dir holds no process by design, but look anyway. */
		if (cg_procs_each(userfd, kill ? kill_one : NULL, &k, &n) == 0)
			total += n;
		while ((de = readdir(d))) {
			if (!cg_is_subdir(d, de) || iso_open_dir_at(userfd, de->d_name, &fd) < 0)
				continue;
			if (cg_procs_each(fd, kill ? kill_one : NULL, &k, &n) == 0)
				total += n;
			iso_close(fd);
			fd = -1;
		}
	next:
		if (d)
			closedir(d);
		d = NULL;
		iso_close(userfd);
		userfd = -1;
	}
	*seen = total;
out:
	if (d)
		closedir(d);
	iso_close(userfd);
	return r;
}

/* Opens user-<uid>/<leaf> in the hierarchy of slot: -ENOENT when the
 * user dir or the leaf is not there. */
static int open_leaf(struct cg_engine *e, int slot, uid_t uid, const char *leaf, int *out)
{
	int userfd = -1, r;

	if (!cg_valid_name(leaf, NAME_MAX))
		return -EINVAL;
	r = cg_open_user(e, slot, uid, false, &userfd, NULL);
	if (r == 0)
		r = iso_open_dir_at(userfd, leaf, out);
	iso_close(userfd);
	return r;
}

/* Calls fn with the leaf's dir in every hierarchy where it exists and
 * sums the processes fn saw; -ENOENT when the leaf exists nowhere. */
static int each_leaf_dir(struct cg_engine *e, uid_t uid, const char *leaf,
			 int (*fn)(struct cg_engine *e, int slot, int fd, void *ctx, int *n),
			 void *ctx)
{
	int fd = -1, n, total = 0, found = 0, r;

	for (int i = 0; i < CG_NCTRL; i++) {
		if (!cg_slot_used(e, i, CG_ALL))
			continue;
		r = open_leaf(e, i, uid, leaf, &fd);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		found = 1;
		n = 0;
		r = fn(e, i, fd, ctx, &n);
		iso_close(fd);
		fd = -1;
		if (r < 0)
			return r;
		total += n;
	}
	return found ? total : -ENOENT;
}

struct each_ctx {
	int (*fn)(pid_t pid, void *arg);
	void *arg;
};

static int leaf_procs(struct cg_engine *e, int slot, int fd, void *ctx, int *n)
{
	const struct each_ctx *x = ctx;

	(void)e;
	(void)slot;
	return cg_procs_each(fd, x->fn, x->arg, n);
}

int cg_leaf_each(struct cg_engine *e, uid_t uid, const char *leaf, int (*fn)(pid_t pid, void *arg),
		 void *arg)
{
	struct each_ctx x = {.fn = fn, .arg = arg};

	/* cgroup.procs is read whole, in chunks (cg_procs_each): a fixed
	 * buffer cuts the last pid of a long list short, and a cut
	 * "4129999" is pid 4129, someone else. */
	return each_leaf_dir(e, uid, leaf, leaf_procs, &x);
}

struct leaf_kill_ctx {
	const char *uid_leaf; /* "user-<uid>/<leaf>" */
};

static int leaf_kill(struct cg_engine *e, int slot, int fd, void *ctx, int *n)
{
	const struct leaf_kill_ctx *x = ctx;
	struct kill_ctx k = {.e = e, .slot = slot};
	int r;

	/* v2: the kernel kills the leaf, forks racing it included */
	if (e->ops->kill_fast && e->ops->kill_fast(e, fd, "") == 0)
		return 0;
	/* v1: each listed pid is pinned by a pidfd and re-checked to be in
	 * this very leaf before it is signalled (kill_one) */
	r = iso_snprintf(k.prefix, sizeof(k.prefix), "/%s/%s", e->root, x->uid_leaf);
	return r < 0 ? r : cg_procs_each(fd, kill_one, &k, n);
}

int cg_leaf_kill(struct cg_engine *e, uid_t uid, const char *leaf)
{
	char uid_leaf[NAME_MAX + 32];
	struct leaf_kill_ctx x = {.uid_leaf = uid_leaf};

	char user[32];

	(void)iso_name_user_dir(user, sizeof(user), uid);
	snprintf(uid_leaf, sizeof(uid_leaf), "%s/%s", user, leaf);
	return each_leaf_dir(e, uid, leaf, leaf_kill, &x);
}

/* Path of the user dir for messages, and a refusal when this very
 * process sits in the tree: cgroup.kill or the sweeps would kill us. */
static int kill_precheck(struct cg_engine *e, uid_t uid, char *path, size_t len,
			 struct iso_err *err)
{
	char text[8192], prefix[NAME_MAX + 32];
	int slot = -1;

	for (int i = CG_NCTRL - 1; i >= 0; i--)
		if (cg_slot_used(e, i, CG_ALL))
			slot = i;
	if (slot < 0)
		return iso_err_set(err, -ENOENT, "no hierarchy");
	user_prefix(e, uid, prefix, sizeof(prefix));
	if (proc_cgroup_read(e, getpid(), text, sizeof(text)) == 0)
		for (int i = 0; i < CG_NCTRL; i++)
			if (cg_slot_used(e, i, CG_ALL) && below(e, i, text, prefix))
				return iso_err_set(err, -EDEADLK,
						   "refusing to kill below %s: this process (pid "
						   "%d) is in it; move it out first",
						   prefix, (int)getpid());
	return cg_fmt_path(e, slot, uid, NULL, path, len);
}

static void nap(void)
{
	struct timespec ts = {0, KILL_SLEEP_NS};

	(void)nanosleep(&ts, NULL);
}

int cg_user_signal(struct cg_engine *e, uid_t uid, struct iso_err *err)
{
	char path[PATH_MAX];
	int userfd = -1, seen = 0, r;

	r = kill_precheck(e, uid, path, sizeof(path), err);
	if (r < 0)
		return r;
	if (e->ops->kill_fast && cg_open_user(e, 0, uid, false, &userfd, NULL) == 0 &&
	    e->ops->kill_fast(e, userfd, path) == 0) {
		iso_close(userfd);
		return 0;
	}
	iso_close(userfd);
	r = sweep(e, uid, true, &seen);
	if (r < 0)
		return iso_err_set(err, r, "cannot list processes below %s: %s", path,
				   strerror(-r));
	return 0;
}

int cg_user_kill(struct cg_engine *e, uid_t uid, struct iso_err *err)
{
	char path[PATH_MAX], buf[32];
	int userfd = -1, seen = 0, live = 0, round;
	int r;

	r = kill_precheck(e, uid, path, sizeof(path), err);
	if (r < 0)
		goto out;
	/* v2 >= 5.14: the kernel kills the whole subtree at once, also what
	 * forks meanwhile. Then wait for the tree to drain. */
	if (e->ops->kill_fast && cg_open_user(e, 0, uid, false, &userfd, NULL) == 0 &&
	    e->ops->kill_fast(e, userfd, path) == 0) {
		for (round = 0; round < KILL_ROUNDS; round++) {
			r = sweep(e, uid, false, &seen);
			if (r < 0 || seen == 0)
				break;
			nap();
		}
	}
	iso_close(userfd);
	userfd = -1;
	/* v1 (no freezer managed) and fallback: SIGKILL what is listed until
	 * nothing is; bounded, since forks may outrun one sweep. */
	for (round = 0; round < KILL_ROUNDS; round++) {
		r = sweep(e, uid, true, &seen);
		if (r < 0) {
			iso_err_set(err, r, "cannot list processes below %s: %s", path,
				    strerror(-r));
			goto out;
		}
		if (seen == 0)
			break;
		nap();
	}
	if (seen) {
		r = iso_err_set(err, -EBUSY, "%d processes still below %s after %d rounds", seen,
				path, KILL_ROUNDS);
		goto out;
	}
	/* Nothing runs below the user dir any more: what is left is empty
	 * leaves, which is gc's job; then the user dir must be gone. */
	r = cg_user_gc(e, uid, &live, err);
	if (r == 0 && cg_read_leaf(e, uid, "", "cgroup.procs", buf, sizeof(buf)) != -ENOENT)
		r = iso_err_set(err, -EBUSY, "cannot remove %s", path);
out:
	iso_close(userfd);
	return r;
}
