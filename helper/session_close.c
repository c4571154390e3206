/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The close of a session: the caller leaves its session (the backend
 * says how many are still live), the logout policy applies (keep | kill),
 * the sandbox goes when it is idle or the last session ends with kill,
 * and what is still dying is tidied by a bounded worker.
 */
#define _GNU_SOURCE
#include "session_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cgroup.h"
#include "daemon.h"
#include "fsutil.h"
#include "lock.h"
#include "tidy.h"

/* Whether anything but the holder still runs in the sandbox. Where the
 * backend tracks sessions by cgroup, every process of the sandbox
 * descends from a session's PAM process and so sits in a session leaf:
 * no live leaf (the "last" close) means an idle sandbox, and counting
 * costs the user's own processes only. Otherwise, or for a per-session
 * sandbox, scan /proc for its pid namespace (cost: every process of the
 * host). */
static int sandbox_busy(struct iso_sess *c, const struct sb_holder *h, int last, int per_session)
{
	if (c->be->leftovers && !per_session && c->ctrls)
		return !last || c->be->leftovers(c) > 0;
	return sb_holder_nprocs(h) > 0;
}

/* At close: the sandbox goes with the last session (on_logout = kill), or
 * once nothing but its holder is left in it (keep). Returns 1 when the
 * user still has a sandbox; *dying is set when its holder was killed but
 * has not finished exiting yet. */
static int sandbox_close(struct iso_sess *c, int last, struct sb_holder *dying, int *is_dying)
{
	char key[SB_KEY_MAX], leaf[ISO_LEAF_MAX];
	struct sb_holder h;
	int kill_all = c->pol.lim.on_logout == ISO_LOGOUT_KILL;
	int per_session = c->pol.lim.sandbox == ISO_SANDBOX_PER_SESSION;

	*is_dying = 0;
	if (!c->req->session_id[0])
		return 0;
	iso_sess_sandbox_names(c, c->req->session_id, key, leaf);
	if (sb_holder_find(c->statedir, c->uid, key, &h) < 0)
		return 0;
	if (!(kill_all && (last || per_session)) && sandbox_busy(c, &h, last, per_session))
		return 1;
	if (c->be->end_holder(c, key, leaf, &h) == 1) {
		*dying = h;
		*is_dying = 1;
	}
	syslog(LOG_INFO, "close user=%s: sandbox %s removed (on_logout=%s)", c->req->user, key,
	       kill_all ? "kill" : "keep");
	return 0;
}

/* Tidies the user until the tree is gone, the lock file with it. Used
 * at close when a killed holder or killed processes have not finished
 * exiting (see sb_holder_destroy): a detached worker waits for them,
 * bounded, so that the logout is not stalled. It never kills: a session
 * opened meanwhile keeps everything it uses. */
static void deferred_gc(struct iso_sess *c, const struct sb_holder *dying, int is_dying,
			int kill_pending)
{
	int i, live, lockfd, workfd = -1, r;

	/* One worker per user at a time, started like every root process
	 * we leave running; else the next open or close cleans up. */
	if (iso_worker_lock(c->statedir, c->uid, &workfd) < 0)
		return;
	r = iso_sess_daemon_prepare(c, 0);
	if (r == 0)
		r = iso_daemon_fork(c->cg, iso_sess_daemon_ctrls(c), &c->err);
	if (r < 0) {
		syslog(LOG_WARNING, "close user=%s: no clean-up worker: %s", c->req->user,
		       c->err.msg);
		iso_err_clear(&c->err);
		iso_worker_unlock(c->statedir, c->uid, workfd);
		return;
	}
	if (r == 0) {
		iso_close(workfd); /* the worker holds its own copy */
		return;
	}
	/* the worker must not keep the caller waiting or the lock held */
	iso_close(ISO_HELPER_FD);
	iso_close(c->lockfd);
	for (i = 0; i < 100; i++) {
		usleep(100000);
		if (is_dying && sb_holder_alive(dying))
			continue;
		/* short waits: a busy lock means a session is being opened or
		 * closed, and that call does the gc itself */
		if (iso_user_lock(c->statedir, c->uid, 200, &lockfd, NULL) < 0)
			continue;
		/* the dead holder's empty leaf goes too */
		if (!(iso_user_tidy(c->cg, c->statedir, c->uid, NULL, lockfd, &live, NULL) &
		      ISO_LEFT_TREE))
			break;
		/* the holder is gone and its leaf with it; what is left belongs
		 * to sessions still open (or exiting processes a kill-mode
		 * logout signalled: give those the rest of the rounds) */
		if (!kill_pending)
			break;
	}
	iso_worker_unlock(c->statedir, c->uid, workfd);
	iso_daemon_exit();
}

void iso_session_close(struct iso_sess *c)
{
	int kill_all = c->pol.lim.on_logout == ISO_LOGOUT_KILL;
	int live = 0, own_left = 0, last, has_sandbox, is_dying = 0, killed = 0, r;
	struct sb_holder dying = {0};

	if (c->req->session_id[0] && !iso_sid_valid(c->req->session_id)) {
		iso_err_set(&c->err, -EINVAL, "invalid session id");
		iso_sess_fail(c, ISO_EC_INTERNAL, 0);
		return;
	}
	r = iso_sess_acquire(c);
	if (r < 0) {
		iso_sess_fail(c, ISO_EC_CGROUP, 0);
		return;
	}
	c->ctrls = cg_needed(&c->pol.lim); /* where a clean-up worker goes */
	r = c->be->leave(c, kill_all, &live, &own_left);
	if (r < 0) {
		iso_sess_fail(c, ISO_EC_CGROUP, 0);
		return;
	}
	last = live - own_left <= 0;
	if (!c->host_pidns) {
		/* nested (su inside a sandbox): no pid of ours means what it
		 * says here; the outer session's close does the rest */
		kill_all = 0;
		last = 0;
	}
	if (kill_all && own_left && !last)
		c->be->kill_session(c);
	/* nested: the holder's record is in host pids; the sandbox is the
	 * outer session's to end */
	has_sandbox = c->host_pidns ? sandbox_close(c, last, &dying, &is_dying) : 1;
	if (kill_all && last && c->be->kill_user)
		killed = c->be->kill_user(c);
	if (!has_sandbox && c->be->gc)
		c->be->gc(c, &live); /* the holder leaf went */
	iso_sess_result(c, ISO_RES_CLOSED, ISO_EC_NONE, 0);
	syslog(LOG_INFO,
	       "close user=%s uid=%u service=%s session=%s live_sessions=%d%s result=closed",
	       c->req->user, (unsigned)c->uid, c->req->service,
	       c->req->session_id[0] ? c->req->session_id : "-", live, c->be->log_tag);
	if ((is_dying || killed) && c->be->tidy_worker) {
		deferred_gc(c, &dying, is_dying, killed);
	} else if (live == 0 && !has_sandbox) {
		/* Nothing of the user is left: drop the lock file too. */
		iso_user_unlock(c->statedir, c->uid, c->lockfd, true);
		c->lockfd = -1;
	}
}
