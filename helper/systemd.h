/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_SYSTEMD_H
#define ISO_SYSTEMD_H

/*
 * What the systemd backend (backend_systemd.c) asks of systemd. Where
 * systemd owns the cgroup tree and
 * pam_systemd has put the session in user-<uid>.slice/session-<n>.scope,
 * moving the session into a subtree of ours would break loginctl,
 * KillUserProcesses and systemd-cgtop, and systemd would fight our limits.
 * Instead the limits go on the user's slice through systemd's D-Bus API
 * (runtime unit properties), the session stays in its scope, and the
 * sandbox holder gets a transient scope of its own in the user's slice.
 * Nothing is ever written into systemd's cgroup tree by hand.
 *
 * Detection is pure parsing (unit-tested without systemd); the rest talks
 * to PID 1 over the system bus (libsystemd's sd-bus) and reads logind's
 * session records (sd-login); libsystemd is loaded by dlopen when first
 * used (sdbus_dl.h), not linked. All functions return 0 or -errno.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "iso_err.h"
#include "isolate_config.h"

/* sd_booted(3): systemd runs as init when this is a directory. */
#define SYSD_RUN_SYSTEM	 "/run/systemd/system"
#define SYSD_UNIT_MAX	 128
#define SYSD_SESSION_MAX 64

/* Where a process sits in systemd's tree. */
struct sysd_place {
	bool user_slice;		/* below /user.slice */
	bool own_slice;			/* below /user.slice/user-<uid>.slice */
	bool session_scope;		/* in session-<id>.scope of its own slice */
	char session[SYSD_SESSION_MAX]; /* logind session id ("3", "c1") or "" */
	char unit[SYSD_UNIT_MAX];	/* the innermost unit ("session-3.scope") */
	char path[256];			/* the cgroup path, for messages */
};

/* Parses the text of /proc/PID/cgroup for uid. The name=systemd line wins
 * (hybrid and legacy hosts: systemd's own hierarchy), else the v2 "0::"
 * line. No systemd line at all is not an error: *out says "nowhere". */
int sysd_parse_proc_cgroup(const char *text, uid_t uid, struct sysd_place *out);

/* The same for a live process (reads /proc/PID/cgroup). */
int sysd_place_of(pid_t pid, uid_t uid, struct sysd_place *out);

/* True when systemd runs as init: path (SYSD_RUN_SYSTEM) is a directory,
 * checked with lstat like sd_booted(3). */
bool sysd_running(const char *path);

/*
 * The backend for a session: want as configured; auto becomes systemd
 * when systemd runs and the caller is below user.slice (pam_systemd put
 * it there), else cgroupfs. A forced systemd fails (-ENODEV) when systemd
 * does not run, and (-ENOENT) when the caller is in no logind slice: the
 * limits would land on a slice the session is not in. why (for the log)
 * says what decided.
 */
int sysd_pick_backend(enum iso_backend want, bool systemd_runs, const struct sysd_place *caller,
		      enum iso_backend *out, char *why, size_t whylen, struct iso_err *err);

/* "user-<uid>.slice" */
int sysd_user_slice(uid_t uid, char *buf, size_t len);

/* Name of the holder's scope: isolate-holder-<uid>.scope, per session
 * isolate-holder-<uid>-<sid>.scope (sid NULL or "" for per-user). */
int sysd_holder_unit(uid_t uid, const char *sid, char *buf, size_t len);

/* The rule's limits as unit properties, for SetUnitProperties and tests:
 * fills up to max entries of (name, value) and returns how many. Keys the
 * rule does not set are left out (systemd's own value stays); "max"
 * becomes UINT64_MAX (systemd's "infinity"). */
struct sysd_prop {
	const char *name;
	uint64_t value;
};
#define SYSD_MAX_PROPS 8
int sysd_limit_props(const struct iso_limits *lim, struct sysd_prop *props, size_t max);

/* ---- over D-Bus (the helper runs as root: no polkit involved) ---- */

struct sysd;

/* Loads libsystemd (-ENOSYS, "libsystemd.so.0 not available: ...", when
 * it cannot) and connects to the system bus. */
int sysd_open(struct sysd **out, struct iso_err *err);
void sysd_close(struct sysd *s);

/* SetUnitProperties(user-<uid>.slice, runtime) with sysd_limit_props. */
int sysd_apply_limits(struct sysd *s, uid_t uid, const struct iso_limits *lim, struct iso_err *err);

/* StartTransientUnit of scope `unit` in user-<uid>.slice holding pid, and
 * waits (bounded) until systemd has placed it. KillSignal=SIGKILL: the
 * holder blocks every other signal by design. cpu_usec_per_s (0: none):
 * the scope's CPUQuota, which lxcfs reads for the sandbox's CPU count
 * (helper/cgroup.h, cg_leaf_cpu_view). */
int sysd_start_holder_scope(struct sysd *s, uid_t uid, const char *unit, pid_t pid, pid_t keeper,
			    uint64_t cpu_usec_per_s, struct iso_err *err);

/* StopUnit(unit, "replace") without waiting; a unit that is gone already
 * is not an error. */
int sysd_stop_unit(struct sysd *s, const char *unit, struct iso_err *err);

/* session_max_time: systemd 252 takes RuntimeMaxUSec only when a scope
 * is created, and logind creates the session's. So a transient timer
 * isolate-max-time-<uid>-<sid>.timer fires after `seconds` and its service runs
 * `loginctl terminate-session <session>`; no process of ours waits. The
 * close stops the timer (sysd_stop_unit on iso_name_max_time_timer's name). */
/* How many units match a glob pattern (ListUnitsByPatterns, any state). */
int sysd_count_units(struct sysd *s, const char *pattern, int *n, struct iso_err *err);
/* Bound on the session_max_time timers one user can have in PID 1. */
#define SYSD_MAX_TIMERS_PER_USER 256
int sysd_start_max_time(struct sysd *s, uid_t uid, const char *sid, const char *session,
			int64_t seconds, struct iso_err *err);

/* Sessions of uid that logind counts as online (not closing), except the
 * one named `except` (may be "" or NULL). */
int sysd_online_sessions(uid_t uid, const char *except, int *n);

#endif
