/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_SANDBOX_H
#define ISO_SANDBOX_H

/*
 * The sandbox of a user (or of one session): a holder process, PID 1 of a
 * new pid namespace inside a new mount namespace, both owned by a user
 * namespace the helper creates as euid 0 — so the user has no capability
 * over any of them. Sessions join its mnt + pid namespaces (never the user
 * namespace: sshd's [priv] must stay root of the host).
 *
 * The holder is found again through a state file in /run/pam_isolate
 * holding "pid starttime"; both are checked against /proc before the
 * holder is trusted, so a recycled pid is never joined.
 */

#include <stddef.h>
#include <sys/types.h>

#include "iso_err.h"
#include "keeper.h"
#include "isolate_config.h"
#include "proto.h"

/* cgroup_ns: what the sandbox shows at each cgroup mount point — the
 * user's own cgroup dir, bind-mounted read-only over the hierarchy. */
struct sb_cgview {
	int n;
	char src[3][512]; /* <mount>/<root>/user-<uid> */
	char dst[3][256]; /* <mount> */
};

struct sb_holder {
	pid_t pid;		  /* in the helper's (host) pid namespace */
	unsigned long long start; /* /proc/PID/stat starttime */
	int commit_fd;		  /* after create: see sb_holder_commit */
	pid_t keeper;		  /* after create: its parent, which reaps it */
};

/* Key of a sandbox: "user" for the per-user one, "s-<sid>" per session. */
#define SB_KEY_MAX 48

/* Where the holder writes its name over the inherited argv[0]. */
void sb_set_title_buffer(char *buf, size_t len);

/* Finds the live holder recorded for uid/key. -ENOENT when there is none;
 * a stale or foreign record is removed and reported as -ENOENT. */
int sb_holder_find(int statedir, uid_t uid, const char *key, struct sb_holder *out);

/* Removes the record file (user-<uid>.<key>.holder) and its mntns-<ino>
 * marker while the marker names it. */
void sb_record_drop(int statedir, const char *record);

/* Removes the mntns-<ino> markers that no record backs any more (the
 * record is gone, or holds another inode), and half-written ones; with
 * uid != (uid_t)-1 only those naming a record of uid. Only a missing
 * record is taken for gone. Calls said() with each name removed and why.
 * Returns how many, or -errno when one could not be judged or removed
 * (the others were all the same). */
int sb_marker_sweep(int statedir, uid_t uid,
		    void (*said)(const char *name, const char *why, void *arg), void *arg);

/* 1 when this process's mount namespace is a live holder's (a login from
 * inside a sandbox without a pid namespace), 0 when not, -errno when it
 * cannot tell. Needs the initial pid namespace. O(1): PID 1's namespace,
 * else the marker the record writer left in rundir. */
int sb_mntns_is_sandbox(const char *rundir);

/* Number of per-session holder records of uid (user-<uid>.s-*.holder). */
int sb_count_session_records(int statedir, uid_t uid);

/* Moves the calling process into PID 1's mount namespace, which a new
 * holder then copies: the host's, not whoever opened the first session's
 * (a test's private override, an admin's unshare). -errno where
 * /proc/1/ns/mnt cannot be opened or joined (some container hosts, and
 * hosts where root may not open it): the caller's stays, the best we
 * have, and the caller says so. */
int sb_enter_reference_mntns(void);

/* Creates a holder for the namespaces and /tmp of lim, records it. Its
 * parent is a keeper process that reaps it (sandbox.c), started out of
 * the caller's cgroups into <root>/daemons of ctrls when cg is given. */
struct cg_engine;
int sb_holder_create(int statedir, uid_t uid, const char *key, const struct iso_limits *lim,
		     const struct sb_cgview *view, struct cg_engine *cg, unsigned ctrls,
		     const struct sb_keeper_info *info, struct sb_holder *out, struct iso_err *err);

/* A new holder waits for this before it lives on its own: if the helper
 * is killed between creating it and recording and placing it, the holder
 * sees EOF and exits instead of running on unrecorded. No-op for a holder
 * that was found, not created. */
void sb_holder_commit(struct sb_holder *h);

/* Opens the holder's mount and pid namespaces for the module to join;
 * fds[ISO_FD_MNT], fds[ISO_FD_PID] (-1 when that namespace is not new). */
int sb_holder_nsfds(const struct sb_holder *h, int fds[ISO_MAX_FDS], size_t *nfds,
		    struct iso_err *err);

/* Processes in the holder's pid namespace besides the holder itself. */
int sb_holder_nprocs(const struct sb_holder *h);

/* 1 while the holder process (same pid and start time) is running. */
int sb_holder_alive(const struct sb_holder *h);

/* Kills the holder (the kernel then kills its whole pid namespace) and
 * removes the state file. Returns 0 once it is gone, 1 if it is still
 * dying after a short wait (see sandbox.c), -errno on failure. */
int sb_holder_destroy(int statedir, uid_t uid, const char *key, const struct sb_holder *h);

#endif
