/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cgroupfs backend (backend.h) on top of the cgroup engine (cgroup.h,
 * v1 and v2): limits on <root>/user-<uid>, the caller moved into a leaf
 * session-<sid> and back out at close, the holder in a leaf holder[-<sid>].
 * A session is live while its leaf holds processes; the session_max_time
 * watcher finds its session by the leaf.
 */
#define _GNU_SOURCE
#include "session_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cgroup.h"
#include "fsutil.h"
#include "timer.h"

static int cf_open(struct iso_sess *c)
{
	struct cg_layout layout;
	int r;

	r = cg_layout_detect(c->paths->mountinfo, &layout, &c->err);
	if (r < 0)
		return r;
	return cg_open(&layout, c->cfg ? c->cfg->cgroup_root : "pam_isolate", &c->cg, &c->err);
}

static void cf_close(struct iso_sess *c)
{
	cg_close(c->cg);
	c->cg = NULL;
}

/* Keeps only the entries of an origin string ("cpu:/a;pids:/b") for the
 * hierarchies we moved the caller in, so close never writes a cgroup.procs
 * outside our subtree in a hierarchy we do not manage. */
static void origin_filter(char *origin, unsigned ctrls, enum cg_version v)
{
	char out[ISO_PROTO_ORIGIN] = "";
	char *save = NULL, *tok;
	size_t used = 0;
	unsigned bit;

	if (v == CG_V2)
		return;
	for (tok = strtok_r(origin, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		for (bit = 1; bit <= CG_MEMORY; bit <<= 1) {
			size_t n = strlen(cg_ctrl_name(bit));

			if ((ctrls & bit) && strncmp(tok, cg_ctrl_name(bit), n) == 0 &&
			    tok[n] == ':') {
				int w = snprintf(out + used, sizeof(out) - used, "%s%s",
						 used ? ";" : "", tok);
				if (w > 0 && (size_t)w < sizeof(out) - used)
					used += (size_t)w;
			}
		}
	}
	memcpy(origin, out, sizeof(out));
}

/* Whether the caller (its origin, filtered to the managed hierarchies)
 * sits in a session leaf of this very user already. */
static int in_own_session(const struct iso_sess *c)
{
	char origin[ISO_PROTO_ORIGIN], prefix[NAME_MAX + 48], user[32], leaf[16], *tok;
	char *save = NULL;
	size_t n;
	int seen = 0;

	snprintf(origin, sizeof(origin), "%s", c->rep->origin);
	/* "/<root>/user-<uid>/session-": a session leaf of this user */
	if (iso_name_user_dir(user, sizeof(user), c->uid) < 0 ||
	    iso_name_session_leaf(leaf, sizeof(leaf), "") < 0 ||
	    iso_snprintf(prefix, sizeof(prefix), "/%s/%s/%s", c->cfg->cgroup_root, user, leaf) < 0)
		return 0;
	n = strlen(prefix);
	for (tok = strtok_r(origin, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		const char *path = strchr(tok, ':');

		if (!path || strncmp(path + 1, prefix, n) != 0 || strchr(path + 1 + n, '/'))
			return 0;
		seen = 1;
	}
	return seen;
}

/* Nothing half-made may count as a live session: move the caller back
 * and drop the leaf. */
static void cf_undo(struct iso_sess *c)
{
	int live = 0;

	if (!c->ctrls)
		return;
	cg_origin_restore(c->cg, c->caller->pid, c->rep->origin, NULL);
	cg_leaf_remove(c->cg, c->uid, c->leaf, NULL);
	cg_user_gc(c->cg, c->uid, &live, NULL);
}

/* The caller into its leaf, once the leftovers of a killed helper or a
 * crashed session are gone and the limits are (re)applied. */
static int enter_session(struct iso_sess *c)
{
	int64_t conf_mem, used_mem;
	int n = 0, r;

	r = cg_user_apply(c->cg, c->uid, &c->pol.lim, c->ctrls, &c->err);
	if (r < 0)
		return r;
	if (cg_memory_clamped(c->cg, &conf_mem, &used_mem))
		syslog(LOG_WARNING,
		       "open user=%s: memory_max %lld is below the %lld bytes the user's "
		       "cgroup uses now; set to the usage, the configured value applies "
		       "at a later login",
		       c->req->user, (long long)conf_mem, (long long)used_mem);
	r = cg_origin_read(c->cg, c->caller->pid, c->rep->origin, sizeof(c->rep->origin), &c->err);
	if (r < 0)
		return r;
	origin_filter(c->rep->origin, c->ctrls, cg_engine_version(c->cg));
	c->reuse = in_own_session(c);
	if (c->reuse) {
		/* su (or sudo) in a session of the same user: it stays in
		 * that session's leaf, so the session's kill and
		 * session_max_time cover it; a new leaf would escape both */
		syslog(LOG_INFO,
		       "open user=%s: the caller runs in a session of this user already "
		       "(%s): it stays there, under that session's limits and "
		       "session_max_time",
		       c->req->user, c->rep->origin);
		c->rep->origin[0] = '\0';
		c->rep->session_id[0] = '\0';
		return 0;
	}
	/* for the close: the module leaves the leaf through these before it
	 * forks, whatever the user's limits are then */
	if (cg_origin_open(c->cg, c->rep->origin, &c->fds[ISO_FD_CG0], &n, &c->err) < 0) {
		syslog(LOG_WARNING, "open user=%s: %s", c->req->user, c->err.msg);
		iso_err_clear(&c->err);
	}
	r = cg_enter(c->cg, c->uid, c->leaf, c->ctrls, c->caller->pid, &c->err);
	if (r < 0)
		cf_undo(c);
	else if ((c->ctrls & CG_CPU) &&
		 cg_leaf_cpu_view(c->cg, c->uid, c->leaf, &c->pol.lim, NULL) < 0)
		syslog(LOG_WARNING,
		       "open user=%s: cannot write cpu.max of the session's leaf for "
		       "lxcfs's view",
		       c->req->user);
	return r;
}

static int cf_apply(struct iso_sess *c)
{
	unsigned missing = c->ctrls & ~cg_available(c->cg);
	int r;

	if (missing) {
		unsigned bit;

		iso_err_set(&c->err, -ENODEV,
			    "cgroup controller(s) needed by %s not available:", c->rule);
		for (bit = 1; bit <= CG_MEMORY; bit <<= 1)
			if (missing & bit)
				iso_err_add(&c->err, -ENODEV, "  %s", cg_ctrl_name(bit));
		return -ENODEV;
	}
	/* Leftovers of a killed helper or a crashed session first. */
	r = cg_user_gc(c->cg, c->uid, &c->live, &c->err);
	if (r == 0)
		r = iso_sess_new_sid(c);
	if (r < 0)
		return r;
	(void)iso_name_session_leaf(c->leaf, sizeof(c->leaf), c->rep->session_id);
	return c->ctrls ? enter_session(c) : 0;
}

/* The watcher finds the session by its leaf: iso_limits_check refused a
 * rule without one. */
static int cf_max_time_start(struct iso_sess *c)
{
	int r = iso_sess_daemon_prepare(c, c->live);

	if (r == 0)
		r = iso_timer_start(c->cg, c->ctrls, c->statedir, c->uid, c->req->user, c->leaf,
				    c->pol.lim.session_max_time, ISO_HELPER_FD, c->lockfd, &c->err);
	if (r < 0)
		cf_undo(c);
	return r;
}

static void cf_describe(struct iso_sess *c, char *buf, size_t len)
{
	cg_path(c->cg, c->ctrls & CG_CPU ? CG_CPU : c->ctrls, c->uid, c->leaf, buf, len);
}

static int cf_live_sessions(struct iso_sess *c)
{
	int live = 0;

	if (!c->ctrls)
		return -1;
	cg_user_gc(c->cg, c->uid, &live, NULL);
	return live;
}

/* The user's cgroup dir in each hierarchy this rule manages, and where
 * the sandbox shows it (cgroup_ns). */
static void cf_cgroup_view(struct iso_sess *c, struct sb_cgview *v)
{
	unsigned bit;

	v->n = 0;
	for (bit = 1; bit <= CG_MEMORY && v->n < 3; bit <<= 1) {
		if (!(c->ctrls & bit))
			continue;
		if (cg_path(c->cg, bit, c->uid, "", v->src[v->n], sizeof(v->src[0])) < 0 ||
		    cg_mount_path(c->cg, bit, v->dst[v->n], sizeof(v->dst[0])) < 0)
			continue;
		/* v2, or v1 co-mounted controllers: one mount, one bind */
		if (v->n > 0 && strcmp(v->dst[v->n - 1], v->dst[v->n]) == 0)
			continue;
		v->n++;
	}
}

/* The holder counts against the user's limits. */
static int cf_place_holder(struct iso_sess *c, const struct sb_holder *h, const char *leaf)
{
	int r;

	if (!c->ctrls)
		return 0;
	r = cg_enter(c->cg, c->uid, leaf, c->ctrls, h->pid, &c->err);
	/* lxcfs reads the quota of the holder's own leaf (cgroup.h) */
	if (r == 0 && (c->ctrls & CG_CPU) &&
	    cg_leaf_cpu_view(c->cg, c->uid, leaf, &c->pol.lim, NULL) < 0)
		syslog(LOG_WARNING,
		       "open user=%s: cannot write cpu.max of the holder's leaf for "
		       "lxcfs's view",
		       c->req->user);
	return r;
}

static int cf_end_holder(struct iso_sess *c, const char *key, const char *leaf,
			 const struct sb_holder *h)
{
	int r = sb_holder_destroy(c->statedir, c->uid, key, h);

	/* a dying holder's leaf goes with the clean-up worker */
	if (r != 1)
		cg_leaf_remove(c->cg, c->uid, leaf, NULL);
	return r;
}

static int cf_leftovers(struct iso_sess *c)
{
	return cg_user_leftovers(c->cg, c->uid);
}

static int cf_leave(struct iso_sess *c, int kill_all, int *live, int *own_left)
{
	int r;

	*own_left = 0;
	/* Back where open found the caller (only root callers get here, and
	 * only for themselves: the pid is the socket's peer). */
	if (c->req->origin[0] && !c->caller->kept) {
		r = cg_origin_restore(c->cg, c->caller->pid, c->req->origin, &c->err);
		/* We were forked by the caller while it sat in the leaf, so
		 * we sit there too: leave with it, or the leaf stays busy. */
		if (r == 0)
			r = cg_origin_restore(c->cg, getpid(), c->req->origin, &c->err);
		if (r < 0)
			syslog(LOG_WARNING, "close user=%s: cannot move the caller back: %s",
			       c->req->user, c->err.msg);
		iso_err_clear(&c->err);
	}
	if (c->req->session_id[0]) {
		(void)iso_name_session_leaf(c->leaf, sizeof(c->leaf), c->req->session_id);
		if (kill_all && cg_leaf_nprocs(c->cg, c->uid, c->leaf) > 0)
			*own_left = 1;
		/* EBUSY: processes of the session outlive it (on_logout =
		 * keep, or kill with another session open): a leftover job,
		 * not a live session; gc removes it once they are gone. */
		if (cg_leaf_remove(c->cg, c->uid, c->leaf, NULL) == -EBUSY && !kill_all) {
			char left[ISO_LEAF_MAX];

			if (iso_name_left_leaf(left, sizeof(left), c->req->session_id) == 0)
				cg_leaf_rename(c->cg, c->uid, c->leaf, left);
		}
	}
	return cg_user_gc(c->cg, c->uid, live, &c->err);
}

/* What this session left in its leaf (nohup, setsid), as logind's
 * KillUserProcesses does per scope. Bounded: processes forking while we
 * kill get a few more rounds. */
static void cf_kill_session(struct iso_sess *c)
{
	int round;

	for (round = 0; round < 50; round++) {
		if (cg_leaf_kill(c->cg, c->uid, c->leaf) < 0 ||
		    cg_leaf_nprocs(c->cg, c->uid, c->leaf) <= 0)
			break;
		usleep(10000);
	}
	cg_leaf_remove(c->cg, c->uid, c->leaf, NULL);
}

/* Nothing of the user outlives the last session, in the sandbox or not.
 * Signal now, reap later. */
static int cf_kill_user(struct iso_sess *c)
{
	cg_user_signal(c->cg, c->uid, NULL);
	return 1;
}

static void cf_gc(struct iso_sess *c, int *live)
{
	cg_user_gc(c->cg, c->uid, live, NULL);
}

const struct iso_backend_ops iso_backend_cgroupfs = {
	.kind = ISO_BACKEND_CGROUPFS,
	.name = "cgroupfs",
	.open = cf_open,
	.close = cf_close,
	.apply = cf_apply,
	.max_time_start = cf_max_time_start,
	.undo = cf_undo,
	.describe = cf_describe,
	.live_sessions = cf_live_sessions,
	.cgroup_view = cf_cgroup_view,
	.place_holder = cf_place_holder,
	.end_holder = cf_end_holder,
	.leftovers = cf_leftovers,
	.leave = cf_leave,
	.kill_session = cf_kill_session,
	.kill_user = cf_kill_user,
	.gc = cf_gc,
	.tidy_worker = 1,
	.log_tag = "",
};
