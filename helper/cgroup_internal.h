/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_CGROUP_INTERNAL_H
#define ISO_CGROUP_INTERNAL_H

/*
 * Between cgroup.c (layout, engine, primitives), cgroup_tree.c (the
 * per-user tree, gc), cgroup_proc.c (kill, origin) and the backends
 * cgroup_v1.c / cgroup_v2.c, which know the file names and the
 * kernel's rules of their version. Not for other callers, except unit
 * tests (cg_set_proc_root).
 */

#include <limits.h>
#include <dirent.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"

/* A hierarchy the engine may use. v1: slot i is controller i (cpu, pids,
 * memory); two slots share a mount when the controllers are co-mounted
 * ("cpu,pids"). v2: only slot 0 is used. */
struct cg_hier {
	int fd;		/* O_PATH fd of the mount point, -1 if absent */
	int first;	/* lowest slot with the same mount (dedup of walks) */
	char path[256]; /* mount point, for messages */
};

struct cg_ops;

/*
 * The engine's file I/O in the tree: the kernel's cgroupfs (cg_kernel_io),
 * or, in unit tests only (tests/unit/cg_test_util.c), plain directories
 * that imitate it. The helper never links another table.
 */
struct cg_io {
	/* 0 when fd is the mount of a filesystem of that magic; -EXDEV
	 * (with *type) when it is another, -errno when it cannot tell. */
	int (*check_fs)(int fd, unsigned long magic, unsigned long *type);
	/* Writes val to dirfd/file, as the kernel takes it ("+cpu" in a
	 * cgroup.subtree_control enables cpu). */
	int (*write)(int dirfd, const char *file, const char *val);
	/* As iso_read_file_at. */
	ssize_t (*read)(int dirfd, const char *file, char *buf, size_t len);
	/* rmdir of the cgroup name below parent: -EBUSY while it holds a
	 * process or a child cgroup. */
	int (*rmdir)(int parent, const char *name);
};

extern const struct cg_io cg_kernel_io;

/* cg_open with another I/O table (unit tests). */
int cg_open_io(const struct cg_layout *layout, const char *subtree, const struct cg_io *io,
	       struct cg_engine **out, struct iso_err *err);

struct cg_engine {
	enum cg_version version;
	const struct cg_ops *ops;
	const struct cg_io *io;
	char root[NAME_MAX + 1];
	char proc[PATH_MAX]; /* "/proc"; tests point it at a fake one */
	struct cg_hier h[CG_NCTRL];
	int64_t mem_clamped_from, mem_clamped_to; /* last apply; 0: none */
};

struct cg_ops {
	const char *name;
	/* Controllers usable with this engine (CG_* bits). */
	unsigned (*available)(const struct cg_engine *e);
	/* Creates <root>/user-<uid> where ctrls need it, writes limits. */
	int (*user_apply)(struct cg_engine *e, uid_t uid, const struct iso_limits *lim,
			  unsigned ctrls, struct iso_err *err);
	/* Kernel-side kill of the whole user dir (v2 cgroup.kill). Returns 0
	 * when the kernel was asked, -EOPNOTSUPP to fall back to SIGKILL. */
	int (*kill_fast)(struct cg_engine *e, int userfd, const char *userpath);
};

extern const struct cg_ops cg_v1_ops;
extern const struct cg_ops cg_v2_ops;

/* CG_* bit -> slot (0..CG_NCTRL-1), -1 for anything else. */
int cg_slot_of(unsigned bit);

/* Slot i is to be visited for ctrls: v2 slot 0 always; v1 when mounted,
 * asked for, and not the same mount as an earlier visited slot. */
bool cg_slot_used(const struct cg_engine *e, int i, unsigned ctrls);
/* A name we make or accept below our subtree: [A-Za-z0-9_.-], not "." or
 * "..", at most max bytes. */
bool cg_valid_name(const char *s, size_t max);

/* "<mount>/<root>[/user-<uid>[/<leaf>]]" for messages. uid (uid_t)-1
 * stops at <root>; leaf NULL or "" stops at user-<uid>. */
int cg_fmt_path(const struct cg_engine *e, int slot, uid_t uid, const char *leaf, char *buf,
		size_t len);

/* Opens (with create: makes, 0755) <root> then user-<uid> of slot. Only
 * the final fd is returned; ENOENT is passed up as is. */
int cg_open_root(struct cg_engine *e, int slot, bool create, int *out, struct iso_err *err);
int cg_open_user(struct cg_engine *e, int slot, uid_t uid, bool create, int *out,
		 struct iso_err *err);

/* mkdir name below dirfd (0755, owned by us), message with dirpath. */
int cg_mkdir(const struct cg_engine *e, int dirfd, const char *dirpath, const char *name,
	     struct iso_err *err);

/* Writes val to dirpath/file; on failure err names path and value. */
int cg_write(const struct cg_engine *e, int dirfd, const char *dirpath, const char *file,
	     const char *val, struct iso_err *err);

/* Reads dirpath/file (trailing newline removed); err names the path. */
int cg_read_at(int dirfd, const char *dirpath, const char *file, char *buf, size_t len,
	       struct iso_err *err);

/* cpu_quota (1/100 % of a CPU) -> microseconds per period; *quota_us is
 * -1 for ISO_MAX. Checks the kernel's bounds (period 1 ms .. 1 s, quota
 * >= 1 ms) so the message names the config value, not just EINVAL. */
int cg_cpu_quota_us(const struct iso_limits *lim, long long *quota_us, long long *period_us,
		    struct iso_err *err);

/* memory_max (clamped to the usage), memory_high, swap_max of lim on the
 * user dir fd (cgroup_memory.c). */
int cg_memory_apply(struct cg_engine *e, int fd, const char *path, const struct iso_limits *lim,
		    struct iso_err *err);

/* Whether the space/newline separated list s holds token tok. */
bool cg_has_token(const char *s, const char *tok);

/* Shared by cgroup.c and cgroup_proc.c. */
/* Whether the comma separated mount options opts hold tok. */
bool cg_has_opt(const char *opts, const char *tok);
/* Calls fn (may be NULL: count only) for each pid in dirfd's cgroup.procs. */
int cg_procs_each(int dirfd, int (*fn)(pid_t pid, void *arg), void *arg, int *count);
/* A directory entry that is a subdirectory (a child cgroup). */
bool cg_is_subdir(DIR *d, const struct dirent *de);
/* Processes in dirfd/name's cgroup.procs; 0 when it does not exist. */
int cg_count_procs(int dirfd, const char *name);
/* rmdir of a cgroup below parent. */
int cg_rmdir(const struct cg_engine *e, int parent, const char *name);
/* rmdir of <root> of slot once empty; errors ignored. */
void cg_rmdir_root(struct cg_engine *e, int slot);

/* Unit tests: read /proc/<pid>/cgroup below dir instead of /proc. */
int cg_set_proc_root(struct cg_engine *e, const char *dir);

#endif
