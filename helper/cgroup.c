/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cgroup engine, version independent part: where the hierarchies are
 * (mountinfo), opening and verifying them, walking our subtree, garbage
 * collection. Moving a process back where it came from and kill are in
 * cgroup_proc.c, memory limits in cgroup_memory.c, the version specific
 * files and rules in cgroup_v1.c and cgroup_v2.c.
 *
 * Threat model: the helper is setuid root and runs for any local user.
 * Everything it writes is below <mount>/<root>, reached from an fd of the
 * mount opened once and checked with fstatfs, one component at a time
 * with O_NOFOLLOW. The only writes outside <root> are v2's
 * cgroup.subtree_control of the mount (to enable a controller, as the
 * kernel requires) and a pid written back to the cgroup it came from
 * (cg_origin_restore). The user owns nothing in the tree.
 */
#define _GNU_SOURCE
#include "cgroup_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"

static const char *const ctrl_names[CG_NCTRL] = {"cpu", "pids", "memory"};

const char *cg_ctrl_name(unsigned bit)
{
	int i = cg_slot_of(bit);

	return i < 0 ? NULL : ctrl_names[i];
}

int cg_slot_of(unsigned bit)
{
	for (int i = 0; i < CG_NCTRL; i++)
		if (bit == 1u << i)
			return i;
	return -1;
}

bool cg_slot_used(const struct cg_engine *e, int i, unsigned ctrls)
{
	if (e->version == CG_V2)
		return i == 0;
	if (e->h[i].fd < 0 || !(ctrls & (1u << i)))
		return false;
	for (int j = 0; j < i; j++)
		if ((ctrls & (1u << j)) && e->h[j].fd >= 0 && e->h[j].first == e->h[i].first)
			return false;
	return true;
}

bool cg_valid_name(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

bool cg_has_token(const char *s, const char *tok)
{
	size_t n = strlen(tok);

	while (*s) {
		size_t w;

		s += strspn(s, " \t\n");
		w = strcspn(s, " \t\n");
		if (w == n && !strncmp(s, tok, n))
			return true;
		s += w;
	}
	return false;
}

/* ---- layout ---- */

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

bool cg_has_opt(const char *opts, const char *tok)
{
	size_t n = strlen(tok);

	for (const char *p = opts; *p;) {
		size_t w = strcspn(p, ",");

		if (w == n && !strncmp(p, tok, n))
			return true;
		p += w;
		if (*p == ',')
			p++;
	}
	return false;
}

int cg_layout_detect(const char *mountinfo, struct cg_layout *out, struct iso_err *err)
{
	struct cg_layout l;
	char *line = NULL;
	size_t cap = 0;
	bool any_v1 = false;
	FILE *f;
	int r = 0;

	memset(&l, 0, sizeof(l));
	f = fopen(mountinfo, "re");
	if (!f) {
		r = -errno;
		iso_err_set(err, r, "cannot open %s: %s", mountinfo, strerror(-r));
		goto out;
	}
	while (getline(&line, &cap, f) > 0) {
		char *field[64], *save = NULL, *tok;
		int nf = 0, sep = -1;

		for (tok = strtok_r(line, " \n", &save); tok && nf < 64;
		     tok = strtok_r(NULL, " \n", &save))
			field[nf++] = tok;
		/* id parent maj:min root mountpoint opts [optional...] - fstype src superopts */
		for (int i = 6; i < nf; i++)
			if (!strcmp(field[i], "-")) {
				sep = i;
				break;
			}
		if (sep < 0 || sep + 3 >= nf)
			continue;
		unescape_octal(field[4]);
		if (strlen(field[4]) >= sizeof(l.v2_path))
			continue;
		if (!strcmp(field[sep + 1], "cgroup2")) {
			if (!l.v2_path[0] || !strcmp(field[4], "/sys/fs/cgroup"))
				strcpy(l.v2_path, field[4]);
		} else if (!strcmp(field[sep + 1], "cgroup")) {
			for (int i = 0; i < CG_NCTRL; i++)
				if (!l.v1_path[i][0] && cg_has_opt(field[sep + 3], ctrl_names[i])) {
					strcpy(l.v1_path[i], field[4]);
					any_v1 = true;
				}
		}
	}
	if (ferror(f)) {
		r = -EIO;
		iso_err_set(err, r, "cannot read %s", mountinfo);
		goto out;
	}
	if (any_v1) {
		l.version = CG_V1;
	} else if (l.v2_path[0]) {
		l.version = CG_V2;
	} else {
		r = -ENOENT;
		iso_err_set(err, r,
			    "%s: no cgroup v1 mount of cpu, pids or memory and no cgroup2 mount",
			    mountinfo);
		goto out;
	}
	*out = l;
out:
	free(line);
	if (f)
		fclose(f);
	return r;
}

/* ---- engine ---- */

static int open_mount(struct cg_engine *e, int slot, const char *path, bool verify,
		      unsigned long magic, struct iso_err *err)
{
	struct statfs sfs;
	int fd = -1;
	int r;

	if (iso_snprintf(e->h[slot].path, sizeof(e->h[slot].path), "%s", path) < 0 ||
	    path[0] != '/') {
		r = iso_err_set(err, -EINVAL, "bad cgroup mount path \"%s\"", path);
		goto out;
	}
	r = iso_open_dir_at(AT_FDCWD, path, &fd);
	if (r < 0) {
		iso_err_set(err, r, "cannot open cgroup mount %s: %s", path, strerror(-r));
		goto out;
	}
	if (verify) {
		if (fstatfs(fd, &sfs) < 0) {
			r = -errno;
			iso_err_set(err, r, "cannot statfs %s: %s", path, strerror(-r));
			goto out;
		}
		if ((unsigned long)sfs.f_type != magic) {
			r = -EXDEV;
			iso_err_set(err, r, "%s is not a cgroup%s filesystem (f_type 0x%lx)", path,
				    magic == CGROUP2_SUPER_MAGIC ? "2" : " v1",
				    (unsigned long)sfs.f_type);
			goto out;
		}
	}
	e->h[slot].fd = fd;
	fd = -1;
out:
	iso_close(fd);
	return r;
}

int cg_open(const struct cg_layout *layout, const char *subtree, bool verify_fs,
	    struct cg_engine **out, struct iso_err *err)
{
	struct cg_engine *e = NULL;
	int r = 0;

	if (!cg_valid_name(subtree, sizeof(e->root) - 1)) {
		r = iso_err_set(err, -EINVAL,
				"invalid cgroup_root \"%s\": want 1..%d of [A-Za-z0-9_.-], "
				"not \".\" or \"..\"",
				subtree, NAME_MAX);
		goto out;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		r = iso_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	e->version = layout->version;
	e->ops = e->version == CG_V2 ? &cg_v2_ops : &cg_v1_ops;
	e->fake = !verify_fs;
	strcpy(e->root, subtree);
	strcpy(e->proc, "/proc");
	for (int i = 0; i < CG_NCTRL; i++) {
		e->h[i].fd = -1;
		e->h[i].first = i;
	}
	if (e->version == CG_V2) {
		r = open_mount(e, 0, layout->v2_path, verify_fs, CGROUP2_SUPER_MAGIC, err);
		if (r < 0)
			goto out;
	} else if (e->version == CG_V1) {
		bool any = false;

		for (int i = 0; i < CG_NCTRL; i++) {
			if (!layout->v1_path[i][0])
				continue;
			r = open_mount(e, i, layout->v1_path[i], verify_fs, CGROUP_SUPER_MAGIC,
				       err);
			if (r < 0)
				goto out;
			any = true;
			/* Co-mounted controllers ("cpu,pids") share one tree. */
			for (int j = 0; j < i; j++)
				if (e->h[j].fd >= 0 && !strcmp(e->h[j].path, e->h[i].path)) {
					e->h[i].first = j;
					break;
				}
		}
		if (!any) {
			r = iso_err_set(err, -ENOENT,
					"no cgroup v1 hierarchy of cpu, pids or memory");
			goto out;
		}
	} else {
		r = iso_err_set(err, -EINVAL, "unknown cgroup version %d", (int)e->version);
		goto out;
	}
	*out = e;
	e = NULL;
out:
	cg_close(e);
	return r;
}

void cg_close(struct cg_engine *e)
{
	if (!e)
		return;
	for (int i = 0; i < CG_NCTRL; i++)
		iso_close(e->h[i].fd);
	free(e);
}

enum cg_version cg_engine_version(const struct cg_engine *e)
{
	return e->version;
}

int cg_set_proc_root(struct cg_engine *e, const char *dir)
{
	return iso_snprintf(e->proc, sizeof(e->proc), "%s", dir);
}

unsigned cg_needed(const struct iso_limits *lim)
{
	unsigned c = 0;

	if (lim->cpu_quota != ISO_UNSET || lim->cpu_weight != ISO_UNSET)
		c |= CG_CPU;
	if (lim->tasks_max != ISO_UNSET)
		c |= CG_PIDS;
	if (lim->memory_max != ISO_UNSET || lim->memory_high != ISO_UNSET ||
	    lim->swap_max != ISO_UNSET)
		c |= CG_MEMORY;
	return c;
}

unsigned cg_available(const struct cg_engine *e)
{
	return e->ops->available(e);
}

/* ---- common helpers for the backends ---- */

int cg_fmt_path(const struct cg_engine *e, int slot, uid_t uid, const char *leaf, char *buf,
		size_t len)
{
	const char *m = e->h[slot].path;

	if (uid == (uid_t)-1)
		return iso_snprintf(buf, len, "%s/%s", m, e->root);
	if (!leaf || !*leaf)
		return iso_snprintf(buf, len, "%s/%s/user-%u", m, e->root, (unsigned)uid);
	return iso_snprintf(buf, len, "%s/%s/user-%u/%s", m, e->root, (unsigned)uid, leaf);
}

int cg_mkdir(const struct cg_engine *e, int dirfd, const char *dirpath, const char *name,
	     struct iso_err *err)
{
	int r = iso_mkdir_at(dirfd, name, 0755, geteuid());

	(void)e;
	if (r < 0)
		iso_err_set(err, r, "cannot create directory %s/%s: %s", dirpath, name,
			    strerror(-r));
	return r;
}

int cg_write(const struct cg_engine *e, int dirfd, const char *dirpath, const char *file,
	     const char *val, struct iso_err *err)
{
	int r = iso_write_file_at(dirfd, file, val, e->fake);

	if (r < 0)
		iso_err_set(err, r, "cannot write \"%s\" to %s/%s: %s", val, dirpath, file,
			    strerror(-r));
	return r;
}

int cg_read_at(int dirfd, const char *dirpath, const char *file, char *buf, size_t len,
	       struct iso_err *err)
{
	ssize_t n = iso_read_file_at(dirfd, file, buf, len);

	if (n < 0)
		iso_err_set(err, (int)n, "cannot read %s/%s: %s", dirpath, file, strerror((int)-n));
	return n < 0 ? (int)n : 0;
}

int cg_open_root(struct cg_engine *e, int slot, bool create, int *out, struct iso_err *err)
{
	char path[PATH_MAX];
	int r;

	if (create) {
		r = cg_mkdir(e, e->h[slot].fd, e->h[slot].path, e->root, err);
		if (r < 0)
			return r;
	}
	r = iso_open_dir_at(e->h[slot].fd, e->root, out);
	if (r < 0 && r != -ENOENT && cg_fmt_path(e, slot, (uid_t)-1, NULL, path, sizeof(path)) == 0)
		iso_err_set(err, r, "cannot open %s: %s", path, strerror(-r));
	return r;
}

int cg_open_user(struct cg_engine *e, int slot, uid_t uid, bool create, int *out,
		 struct iso_err *err)
{
	char path[PATH_MAX], name[32];
	int rootfd = -1;
	int r;

	r = cg_fmt_path(e, slot, (uid_t)-1, NULL, path, sizeof(path));
	if (r < 0)
		goto out;
	r = cg_open_root(e, slot, create, &rootfd, err);
	if (r < 0)
		goto out;
	snprintf(name, sizeof(name), "user-%u", (unsigned)uid);
	if (create) {
		r = cg_mkdir(e, rootfd, path, name, err);
		if (r < 0)
			goto out;
	}
	r = iso_open_dir_at(rootfd, name, out);
	if (r < 0 && r != -ENOENT)
		iso_err_set(err, r, "cannot open %s/%s: %s", path, name, strerror(-r));
out:
	iso_close(rootfd);
	return r;
}

int cg_cpu_quota_us(const struct iso_limits *lim, long long *quota_us, long long *period_us,
		    struct iso_err *err)
{
	long long p = lim->cpu_period_us == ISO_UNSET ? ISO_DEFAULT_CPU_PERIOD_US
						      : (long long)lim->cpu_period_us;
	long long q;

	/* The kernel's bounds for CFS bandwidth: period 1 ms .. 1 s, quota at
	 * least 1 ms; anything else is a bare EINVAL from the write. */
	if (p < 1000 || p > 1000000)
		return iso_err_set(err, -ERANGE, "cpu_period %lld us out of range 1000..1000000",
				   p);
	if (lim->cpu_quota == ISO_MAX) {
		q = -1;
	} else {
		if (lim->cpu_quota <= 0 || lim->cpu_quota > (long long)1e12)
			return iso_err_set(err, -ERANGE, "cpu_quota %lld/100 %% out of range",
					   (long long)lim->cpu_quota);
		q = (long long)lim->cpu_quota * p / 10000;
		if (q < 1000)
			return iso_err_set(err, -ERANGE,
					   "cpu_quota %lld/100 %% of a %lld us period is %lld us, "
					   "below the kernel's minimum of 1000 us",
					   (long long)lim->cpu_quota, p, q);
	}
	*quota_us = q;
	*period_us = p;
	return 0;
}

/* Calls fn for each pid listed in dirfd/cgroup.procs (fn NULL: count).
 * Streams the file: its size is bounded only by pids.max. */
int cg_procs_each(int dirfd, int (*fn)(pid_t pid, void *arg), void *arg, int *count)
{
	char buf[4096];
	long v = 0;
	bool digits = false;
	int fd = -1, n = 0;
	ssize_t got;
	int r;

	r = iso_open_file_at(dirfd, "cgroup.procs", O_RDONLY, &fd);
	if (r < 0)
		goto out;
	for (;;) {
		got = read(fd, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = -errno;
			goto out;
		}
		/* got == 0: EOF ends a last line without newline */
		for (ssize_t i = 0; i <= got; i++) {
			char c = i < got ? buf[i] : '\n';

			if (c >= '0' && c <= '9' && v <= INT_MAX / 10) {
				v = v * 10 + (c - '0');
				digits = true;
				continue;
			}
			if (c != '\n' || v > INT_MAX) {
				r = -EINVAL;
				goto out;
			}
			if (i == got && got > 0)
				break; /* end of this chunk, not of the file */
			if (digits) {
				n++;
				if (fn)
					(void)fn((pid_t)v, arg);
			}
			v = 0;
			digits = false;
		}
		if (got == 0)
			break;
	}
	*count = n;
out:
	iso_close(fd);
	return r;
}

/* Processes in user-<uid>/<leaf> of one hierarchy; 0 when absent. */
static int count_leaf(int userfd, const char *leaf)
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

bool cg_is_subdir(DIR *d, const struct dirent *de)
{
	struct stat st;

	if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
		return false;
	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_DIR;
	return fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* rmdir of a cgroup. On a fake tree the kernel's behaviour is imitated:
 * EBUSY while cgroup.procs lists a pid or a child cgroup exists, and the
 * control files vanish with the directory. */
int cg_rmdir(const struct cg_engine *e, int parent, const char *name)
{
	struct dirent *de;
	DIR *d = NULL;
	int r = 0;

	if (e->fake) {
		r = count_leaf(parent, name);
		if (r > 0)
			r = -EBUSY;
		if (r < 0 && r != -ENOENT)
			goto out;
		r = iso_opendir_at(parent, name, &d);
		if (r < 0)
			goto out;
		while ((de = readdir(d)))
			if (cg_is_subdir(d, de)) {
				r = -EBUSY;
				goto out;
			}
		rewinddir(d);
		while ((de = readdir(d)))
			if (de->d_type != DT_DIR)
				(void)unlinkat(dirfd(d), de->d_name, 0);
	}
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0)
		r = -errno;
out:
	if (d)
		closedir(d);
	return r;
}

/* Removes <root> when it became empty. Another user's cg_user_apply may
 * race us between its mkdir of <root> and of user-<uid> (per-user locks
 * only); that apply sees ENOENT and cg_user_apply retries once. */
void cg_rmdir_root(struct cg_engine *e, int slot)
{
	int rootfd = -1;

	/* <root>/daemons first: empty (EBUSY while a keeper, watcher or
	 * worker runs), it must not keep an idle tree alive */
	if (iso_open_dir_at(e->h[slot].fd, e->root, &rootfd) == 0) {
		(void)cg_rmdir(e, rootfd, "daemons");
		iso_close(rootfd);
	}
	(void)cg_rmdir(e, e->h[slot].fd, e->root);
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

int cg_leaf_nprocs(struct cg_engine *e, uid_t uid, const char *leaf)
{
	int userfd = -1, sum = 0;
	int r = 0;

	if (!cg_valid_name(leaf, NAME_MAX))
		return -EINVAL;
	for (int i = 0; i < CG_NCTRL; i++) {
		if (!cg_slot_used(e, i, CG_ALL))
			continue;
		r = cg_open_user(e, i, uid, false, &userfd, NULL);
		if (r == -ENOENT) {
			r = 0;
			continue;
		}
		if (r < 0)
			goto out;
		r = count_leaf(userfd, leaf);
		iso_close(userfd);
		userfd = -1;
		if (r < 0)
			goto out;
		sum += r;
	}
out:
	iso_close(userfd);
	return r < 0 ? r : sum;
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

int cg_leaf_rename(struct cg_engine *e, uid_t uid, const char *from, const char *to)
{
	int userfd = -1, done = 0, r = 0;

	if (!cg_valid_name(from, NAME_MAX) || !cg_valid_name(to, NAME_MAX))
		return -EINVAL;
	for (int i = 0; i < CG_NCTRL && r == 0; i++) {
		if (!cg_slot_used(e, i, CG_ALL))
			continue;
		r = cg_open_user(e, i, uid, false, &userfd, NULL);
		if (r == -ENOENT) {
			r = 0;
			continue;
		}
		if (r < 0)
			break;
		/* the kernel renames a cgroup within its parent */
		if (renameat(userfd, from, userfd, to) == 0)
			done++;
		else if (errno != ENOENT)
			r = -errno;
		iso_close(userfd);
		userfd = -1;
	}
	return r < 0 ? r : done ? 0 : -ENOENT;
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
				if (cg_is_subdir(d, de) && !strncmp(de->d_name, "left-", 5) &&
				    count_leaf(userfd, de->d_name) > 0)
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

	snprintf(name, sizeof(name), "user-%u", (unsigned)uid);
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
			if (strncmp(de->d_name, "session-", 8)) {
				/* A holder's leaf: busy while its holder lives. Empty,
				 * it is what a helper killed mid-open or a holder that
				 * died left; the caller holds the user lock, so no
				 * open is about to move a holder in. Not a session. */
				if (count_leaf(userfd, de->d_name) != 0 ||
				    cg_rmdir(e, userfd, de->d_name) < 0)
					remain++;
				continue;
			}
			r = count_leaf(userfd, de->d_name);
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

static int parse_uid(const char *s, uid_t *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)s[0]) || (s[0] == '0' && s[1]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v >= (uid_t)-1)
		return -EINVAL;
	*out = (uid_t)v;
	return 0;
}

static int cmp_uid(const void *a, const void *b)
{
	uid_t x = *(const uid_t *)a, y = *(const uid_t *)b;

	return x < y ? -1 : x > y;
}

int cg_list_users(struct cg_engine *e, uid_t **uids, size_t *n)
{
	uid_t *v = NULL, *nv, u;
	size_t cnt = 0, cap = 0;
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
			bool dup = false;

			if (!cg_is_subdir(d, de) || strncmp(de->d_name, "user-", 5) ||
			    parse_uid(de->d_name + 5, &u) < 0)
				continue;
			for (size_t j = 0; j < cnt && !dup; j++)
				dup = v[j] == u;
			if (dup)
				continue;
			if (cnt == cap) {
				cap = cap ? cap * 2 : 16;
				nv = reallocarray(v, cap, sizeof(*v));
				if (!nv) {
					r = -ENOMEM;
					goto out;
				}
				v = nv;
			}
			v[cnt++] = u;
		}
		closedir(d);
		d = NULL;
	}
	if (cnt > 1) /* qsort(NULL, 0, ...) is undefined */
		qsort(v, cnt, sizeof(*v), cmp_uid);
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
