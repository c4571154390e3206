/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_CGROUP_H
#define ISO_CGROUP_H

/*
 * Cgroup engine: one interface, a v1 and a v2 backend (cgroup_v1.c,
 * cgroup_v2.c) chosen at run time from the mounts. Everything below the
 * configured subtree root ("pam_isolate") is ours; nothing else is ever
 * written. All access is by directory fd: openat/mkdirat/unlinkat with
 * O_NOFOLLOW|O_CLOEXEC on fds opened once per hierarchy.
 *
 * Tree:  <mount>/<root>/user-<uid>/session-<id>     (v1: per controller)
 *                                 /holder             (sandbox init)
 * (names: iso_names.h)
 * Limits live on user-<uid>; processes only in leaves.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "iso_err.h"
#include "isolate_config.h"

enum cg_version { CG_V1 = 1, CG_V2 = 2 };

/* Controllers we may manage. */
#define CG_CPU	  0x1
#define CG_PIDS	  0x2
#define CG_MEMORY 0x4
#define CG_ALL	  (CG_CPU | CG_PIDS | CG_MEMORY)
#define CG_NCTRL  3

/* Where the hierarchies are. Filled by cg_layout_detect() from
 * /proc/self/mountinfo, or by hand in unit tests (fake trees). */
struct cg_layout {
	enum cg_version version;
	char v2_path[256];	     /* v2: the cgroup2 mount */
	char v1_path[CG_NCTRL][256]; /* v1: mount of cpu, pids, memory ("" if absent) */
};

/* Index 0..CG_NCTRL-1 <-> CG_* bit and name ("cpu", "pids", "memory"). */
const char *cg_ctrl_name(unsigned bit);

/* mountinfo is normally "/proc/self/mountinfo". v1 wins when any of cpu,
 * pids, memory is on a v1 hierarchy (hybrid hosts); v2 is used when the
 * only cgroup mount carrying controllers is cgroup2. */
int cg_layout_detect(const char *mountinfo, struct cg_layout *out, struct iso_err *err);

struct cg_engine;

/* Opens every hierarchy of the layout once (O_PATH|O_DIRECTORY|O_NOFOLLOW);
 * each must be cgroupfs of the right version (fstatfs). */
int cg_open(const struct cg_layout *layout, const char *subtree, struct cg_engine **out,
	    struct iso_err *err);
void cg_close(struct cg_engine *e);

enum cg_version cg_engine_version(const struct cg_engine *e);

/* The controllers a resolved rule needs (only those it sets a limit in). */
unsigned cg_needed(const struct iso_limits *lim);

/* Controllers usable here (v2: in the root's cgroup.controllers; v1:
 * mounted). */
unsigned cg_available(const struct cg_engine *e);

/* Creates <root>/user-<uid> in each hierarchy of ctrls (v2: enabling the
 * controllers in cgroup.subtree_control from the mount down) and writes
 * the limits of lim. Idempotent: run on every open so edits of the config
 * take effect at the next login. */
int cg_user_apply(struct cg_engine *e, uid_t uid, const struct iso_limits *lim, unsigned ctrls,
		  struct iso_err *err);

/* After cg_user_apply: true when memory_max was below the user cgroup's
 * usage and the usage was written instead (the caller logs it). */
bool cg_memory_clamped(const struct cg_engine *e, int64_t *configured, int64_t *applied);

/* Creates the leaf user-<uid>/<leaf> (e.g. "session-<id>", "holder") in
 * each hierarchy of ctrls and moves pid into it. */
int cg_enter(struct cg_engine *e, uid_t uid, const char *leaf, unsigned ctrls, pid_t pid,
	     struct iso_err *err);

/* v2: writes the user's cpu.max on user-<uid>/<leaf> too, where
 * proc_view shows the CPU quota: lxcfs 5.0.3 reads cpu.max of the
 * reader's pid-ns init's cgroup (the holder's leaf) or of the reader's own,
 * never of a parent (its walk up came in 7.0.0). Costs nothing: the
 * parent's quota bounds the leaf anyway. 0 and no write elsewhere. */
int cg_leaf_cpu_view(struct cg_engine *e, uid_t uid, const char *leaf, const struct iso_limits *lim,
		     struct iso_err *err);

/* Moves pid (a root process we leave running: the session_max_time
 * watcher, the clean-up worker) into <root>/daemons of each hierarchy of
 * ctrls: out of the user's cgroups, where the user's limits, a kill of
 * the session it was started from, or the user's tasks_max would hit it.
 * The user dir is not used, so "daemons" never collides with a user. */
int cg_enter_daemons(struct cg_engine *e, unsigned ctrls, pid_t pid, struct iso_err *err);
/* Reads the cgroups of pid in the managed hierarchies, as one string
 * "ctrl:path;ctrl:path" (v2: "0:path"), to move it back there later. */
int cg_origin_read(struct cg_engine *e, pid_t pid, char *buf, size_t len, struct iso_err *err);

/* Opens the cgroup dirs an origin string names (checked as for
 * cg_origin_restore), one fd each, for the module: at close it moves its
 * process back through them before it forks, so that the close-time
 * helper is not born in the user's limited leaf. */
int cg_origin_open(struct cg_engine *e, const char *origin, int fds[CG_NCTRL], int *nfds,
		   struct iso_err *err);
/* Moves pid back to the cgroups named by cg_origin_read()'s string. Paths
 * inside our own subtree or with ".." are refused. */
int cg_origin_restore(struct cg_engine *e, pid_t pid, const char *origin, struct iso_err *err);

/* Number of processes in user-<uid>/<leaf> summed over hierarchies
 * (0 when the leaf does not exist). */
int cg_leaf_nprocs(struct cg_engine *e, uid_t uid, const char *leaf);

/* Calls fn for every process listed in user-<uid>/<leaf>, in every
 * hierarchy where the leaf exists; returns how many were listed, -ENOENT
 * when the leaf exists nowhere. pids are as the kernel lists them to us:
 * only meaningful in the pid namespace of the cgroupfs reader. */
int cg_leaf_each(struct cg_engine *e, uid_t uid, const char *leaf, int (*fn)(pid_t pid, void *arg),
		 void *arg);
/* SIGKILLs what runs in user-<uid>/<leaf> once (v2: cgroup.kill; v1:
 * every listed pid, pinned by a pidfd and re-checked to be in the leaf).
 * Returns the number of processes seen (0 on v2), -ENOENT when the leaf
 * exists nowhere. */
int cg_leaf_kill(struct cg_engine *e, uid_t uid, const char *leaf);
/* Removes user-<uid>/<leaf> in every hierarchy where it exists and is
 * empty. -EBUSY if it still has processes. */
int cg_leaf_remove(struct cg_engine *e, uid_t uid, const char *leaf, struct iso_err *err);

/* Renames user-<uid>/<from> to <to> in every hierarchy where it exists
 * (at close: "session-<sid>" whose processes outlive it becomes
 * "left-<sid>", a leftover job, not a live session). */
int cg_leaf_rename(struct cg_engine *e, uid_t uid, const char *from, const char *to);
/* Number of leftover leaves (left-*) of the user that hold processes. */
int cg_user_leftovers(struct cg_engine *e, uid_t uid);
/* Garbage collection under the user lock: removes empty leaves (session-*
 * and a dead holder's) and the user dir when no leaf is left. *live gets
 * the number of session leaves still holding processes. */
int cg_user_gc(struct cg_engine *e, uid_t uid, int *live, struct iso_err *err);

/* Kills every process below user-<uid> (v2: cgroup.kill; v1: SIGKILL each
 * pid until the tree is empty) and removes the tree. */
int cg_user_kill(struct cg_engine *e, uid_t uid, struct iso_err *err);

/* SIGKILLs every process below user-<uid> once (v2: cgroup.kill) and
 * returns without waiting or removing anything: a sandbox's init cannot
 * finish dying while the PAM application still has an unreaped child in
 * its pid namespace, so waiting here would stall the logout. */
int cg_user_signal(struct cg_engine *e, uid_t uid, struct iso_err *err);

/* Lists uids that have a user-<uid> dir in any hierarchy (for isolatectl
 * and gc). Caller frees *uids. */
int cg_list_users(struct cg_engine *e, uid_t **uids, size_t *n);

/* Reads a file of user-<uid> ("" leaf) or of a leaf, in the hierarchy of
 * ctrl (v2: the one hierarchy), into buf (NUL-terminated, trailing newline
 * removed). For status/explain and tests. */
int cg_read(struct cg_engine *e, unsigned ctrl, uid_t uid, const char *leaf, const char *file,
	    char *buf, size_t len);

/* cg_read of a leaf's file in the first hierarchy where the leaf exists;
 * -ENOENT when it exists in none. */
int cg_read_leaf(struct cg_engine *e, uid_t uid, const char *leaf, const char *file, char *buf,
		 size_t len);

/* Mount point of ctrl's hierarchy (v2: the one). */
int cg_mount_path(const struct cg_engine *e, unsigned ctrl, char *buf, size_t len);

/* Path of user-<uid> in ctrl's hierarchy, for messages ("" leaf = user). */
int cg_path(const struct cg_engine *e, unsigned ctrl, uid_t uid, const char *leaf, char *buf,
	    size_t len);

#endif
