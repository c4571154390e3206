/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cgroup engine, version independent part: where the hierarchies are
 * (mountinfo), opening and verifying them, the primitives every walk of
 * our subtree uses. The per-user tree (apply, enter, leaves, gc) is in
 * cgroup_tree.c, moving a process back where it came from and kill in
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
#include "iso_names.h"

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

static int open_mount(struct cg_engine *e, int slot, const char *path, unsigned long magic,
		      struct iso_err *err)
{
	unsigned long type = 0;
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
	r = e->io->check_fs(fd, magic, &type);
	if (r == -EXDEV) {
		iso_err_set(err, r, "%s is not a cgroup%s filesystem (f_type 0x%lx)", path,
			    magic == CGROUP2_SUPER_MAGIC ? "2" : " v1", type);
		goto out;
	}
	if (r < 0) {
		iso_err_set(err, r, "cannot statfs %s: %s", path, strerror(-r));
		goto out;
	}
	e->h[slot].fd = fd;
	fd = -1;
out:
	iso_close(fd);
	return r;
}

/* ---- the kernel's cgroupfs ---- */

static int kernel_check_fs(int fd, unsigned long magic, unsigned long *type)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs) < 0)
		return -errno;
	*type = (unsigned long)sfs.f_type;
	return *type == magic ? 0 : -EXDEV;
}

/* Control files exist with their cgroup: never created by a write. */
static int kernel_write(int dirfd, const char *file, const char *val)
{
	return iso_write_file_at(dirfd, file, val, false);
}

static int kernel_rmdir(int parent, const char *name)
{
	return unlinkat(parent, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

const struct cg_io cg_kernel_io = {
	.check_fs = kernel_check_fs,
	.write = kernel_write,
	.read = iso_read_file_at,
	.rmdir = kernel_rmdir,
};

int cg_open(const struct cg_layout *layout, const char *subtree, struct cg_engine **out,
	    struct iso_err *err)
{
	return cg_open_io(layout, subtree, &cg_kernel_io, out, err);
}

int cg_open_io(const struct cg_layout *layout, const char *subtree, const struct cg_io *io,
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
	e->io = io;
	strcpy(e->root, subtree);
	strcpy(e->proc, "/proc");
	for (int i = 0; i < CG_NCTRL; i++) {
		e->h[i].fd = -1;
		e->h[i].first = i;
	}
	if (e->version == CG_V2) {
		r = open_mount(e, 0, layout->v2_path, CGROUP2_SUPER_MAGIC, err);
		if (r < 0)
			goto out;
	} else if (e->version == CG_V1) {
		bool any = false;

		for (int i = 0; i < CG_NCTRL; i++) {
			if (!layout->v1_path[i][0])
				continue;
			r = open_mount(e, i, layout->v1_path[i], CGROUP_SUPER_MAGIC, err);
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
	char user[32];

	if (uid == (uid_t)-1)
		return iso_snprintf(buf, len, "%s/%s", m, e->root);
	(void)iso_name_user_dir(user, sizeof(user), uid);
	if (!leaf || !*leaf)
		return iso_snprintf(buf, len, "%s/%s/%s", m, e->root, user);
	return iso_snprintf(buf, len, "%s/%s/%s/%s", m, e->root, user, leaf);
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
	int r = e->io->write(dirfd, file, val);

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
	(void)iso_name_user_dir(name, sizeof(name), uid);
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

bool cg_is_subdir(DIR *d, const struct dirent *de)
{
	struct stat st;

	if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
		return false;
	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_DIR;
	return fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

int cg_rmdir(const struct cg_engine *e, int parent, const char *name)
{
	return e->io->rmdir(parent, name);
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
