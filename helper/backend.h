/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_BACKEND_H
#define ISO_BACKEND_H

/*
 * Where a session's limits live and how its processes are found: one
 * interface, one file per backend (like crun's cgroup managers):
 *
 *   backend_cgroupfs.c  our own subtree of cgroup v1 or v2 (cgroup.c)
 *   backend_systemd.c   the user's slice, through systemd (systemd.c)
 *
 * The session flow (session_open.c, session_close.c) calls only these.
 * Every function gets the request (session_internal.h), returns 0 or
 * -errno with c->err filled, and on failure may set c->fail_ec when the
 * failure is not the cgroup class's. A NULL member means "nothing to do
 * on this backend".
 */

#include <stddef.h>

#include "isolate_config.h"

struct iso_sess;
struct sb_cgview;
struct sb_holder;

struct iso_backend_ops {
	enum iso_backend kind; /* what cgroup_backend calls it */
	const char *name;
	/* Whether this request is the backend's (want: cgroup_backend of
	 * the config): 1 yes, 0 no, -errno when it must be and cannot be.
	 * NULL: the fallback, which takes what no other backend claims. */
	int (*claim)(struct iso_sess *c, enum iso_backend want, char *why, size_t whylen);
	/* Connects: the cgroupfs engine, the bus. */
	int (*open)(struct iso_sess *c);
	/* Frees what claim and open made; safe after a failed open. */
	void (*close)(struct iso_sess *c);

	/* ---- open ---- */
	/* The rule's limits on the user, and the caller into its session
	 * (c->reuse set when it stays in a session of its own user). Undoes
	 * itself on failure. */
	int (*apply)(struct iso_sess *c);
	/* session_max_time of the new session; on failure undoes what
	 * apply did where a half-made session would count as live. */
	int (*max_time_start)(struct iso_sess *c);
	/* Takes back what apply and max_time_start did, when a later step
	 * of the open fails: nothing half-made may count as a session. */
	void (*undo)(struct iso_sess *c);
	/* Where the session's limits are, for the log. */
	void (*describe)(struct iso_sess *c, char *buf, size_t len);

	/* ---- the sandbox's holder ---- */
	/* The user's live sessions (per-session sandboxes and kept helpers
	 * are bounded), or -1 where this backend cannot count them (a
	 * cgroupfs rule without limits makes no session leaves). */
	int (*live_sessions)(struct iso_sess *c);
	/* cgroup_ns: the user's cgroup dirs the sandbox shows. */
	void (*cgroup_view)(struct iso_sess *c, struct sb_cgview *v);
	/* A new holder into the user's limits. */
	int (*place_holder)(struct iso_sess *c, const struct sb_holder *h, const char *leaf);
	/* Ends the holder (sb_holder_destroy) and what placed it; returns
	 * as sb_holder_destroy. */
	int (*end_holder)(struct iso_sess *c, const char *key, const char *leaf,
			  const struct sb_holder *h);
	/* Leftover jobs (left-*) holding processes; NULL: the backend
	 * cannot tell, and the sandbox's pid namespace is scanned. */
	int (*leftovers)(struct iso_sess *c);

	/* ---- close ---- */
	/* The caller leaves its session: *live gets the user's sessions
	 * still live (this one included while it holds processes), *own_left
	 * 1 when kill_all and this session's leaf still holds processes. */
	int (*leave)(struct iso_sess *c, int kill_all, int *live, int *own_left);
	/* on_logout = kill with another session open: what this one left. */
	void (*kill_session)(struct iso_sess *c);
	/* on_logout = kill at the last session: everything of the user,
	 * signalled, not awaited. 1 when a clean-up worker must wait for it. */
	int (*kill_user)(struct iso_sess *c);
	/* After the sandbox went: its empty leaves; *live as in leave. */
	void (*gc)(struct iso_sess *c, int *live);
	/* 1: what is still dying is tidied by a worker (session_close.c). */
	int tidy_worker;
	/* Added to the close's log line. */
	const char *log_tag;
};

extern const struct iso_backend_ops iso_backend_cgroupfs;
extern const struct iso_backend_ops iso_backend_systemd;

/* Picks c->be for the request: the first backend that claims it, else
 * cgroupfs. A close whose request carries an origin was opened by
 * cgroupfs, and cgroupfs undoes it whatever the host looks like now. */
int iso_backend_pick(struct iso_sess *c);

#endif
