/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_SESSION_INTERNAL_H
#define ISO_SESSION_INTERNAL_H

/*
 * Between the session flow (session.c: checks, policy, dispatch;
 * session_open.c; session_close.c), what they share (session_common.c)
 * and the cgroup backends (backend.h). Not for other callers.
 */

#include <limits.h>
#include <sys/types.h>

#include "backend.h"
#include "iso_err.h"
#include "iso_names.h"
#include "isolate_config.h"
#include "sandbox.h"
#include "session.h"

/* Bounds on what one user can make us keep running as root. */
#define MAX_USER_SESSIONS_WITH_DAEMON 256 /* watchers, per-session holders */

/* Leaf names: "session-<sid>", "holder-<sid>" and the like. */
#define ISO_LEAF_MAX 64

/* One request, from the checks to the reply. */
struct iso_sess {
	const struct iso_paths *paths;
	const struct iso_caller *caller;
	const struct iso_request *req;
	struct iso_reply *rep;
	struct iso_config *cfg;
	struct iso_policy pol;
	char rule[128];
	uid_t uid;
	gid_t gid;
	int statedir;
	int lockfd;
	unsigned ctrls;		      /* controllers this session's rule manages */
	enum iso_err_class acq_class; /* which step of acquire() failed */
	enum iso_err_class fail_ec;   /* the class of a backend step's failure */
	int *fds;		      /* namespace fds for the reply */
	size_t *nfds;
	struct iso_err err;
	/* the backend this request uses, picked in acquire() */
	const struct iso_backend_ops *be;
	void *be_data;		 /* the backend's own state (systemd: the bus) */
	struct cg_engine *cg;	 /* the cgroupfs engine; NULL on other backends */
	char leaf[ISO_LEAF_MAX]; /* cgroupfs: this session's leaf, "" before it is named */
	int live;		 /* open: the user's live sessions, as apply found them */
	int reuse;		 /* open: the caller stays in a session of this user */
	/* 1 in the initial pid namespace and not in a sandbox's mount
	 * namespace; 0 inside a sandbox (su there, with or without a pid
	 * namespace) or a container: then no pid is recorded, looked up, killed or sent to
	 * systemd, since /proc numbers processes differently there */
	int host_pidns;
	int daemon_ok; /* 1 once iso_daemon_defaults + reaper check passed */
};

/* session_common.c */
void iso_sess_result(struct iso_sess *c, enum iso_result res, enum iso_err_class ec, int status);
/* A failure: on_error of the class's policy (allow != 0) decides. */
void iso_sess_fail(struct iso_sess *c, enum iso_err_class ec, int allow);
/* A failure decided by its class's policy (on_cgroup_error, ...). */
void iso_sess_fail_class(struct iso_sess *c, enum iso_err_class ec);
/* State dir, user lock, the backend and its open. */
int iso_sess_acquire(struct iso_sess *c);
/* Before the first root process this call leaves running: the system's
 * defaults for it, a root parent once we exit, and a bound per user. */
int iso_sess_daemon_prepare(struct iso_sess *c, int live);
/* The hierarchies our root processes go to (<root>/daemons). */
unsigned iso_sess_daemon_ctrls(const struct iso_sess *c);
/* The sandbox key and the holder's leaf of session sid. */
void iso_sess_sandbox_names(const struct iso_sess *c, const char *sid, char *key, char *leaf);
/* A new session id into the reply, when the rule confines anything. */
int iso_sess_new_sid(struct iso_sess *c);
/* "open" or "close", for log lines. */
const char *iso_sess_op(const struct iso_sess *c);

/* session_open.c, session_close.c: fill c->rep, log a failure (the
 * open's success is logged by session.c) */
void iso_session_open(struct iso_sess *c);
void iso_session_close(struct iso_sess *c);

#endif
