/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The open of a session: lock the user, (re)apply the limits and put the
 * caller into its session (the backend), start what enforces
 * session_max_time, then find or make the sandbox and hand its namespaces
 * back. A step that fails takes back what the earlier ones made.
 */
#define _GNU_SOURCE
#include "session_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "cgroup.h"
#include "sandbox.h"

/* What a per-session sandbox adds to: the user's live sessions or their
 * per-session holders, whichever is more (sandbox-only rules have no
 * sessions a backend could count). */
static int sessions_with_daemons(struct iso_sess *c)
{
	int live = c->be->live_sessions(c), recs = sb_count_session_records(c->statedir, c->uid);

	return recs > live ? recs : live;
}

/* A holder that does not exist yet: made, recorded, placed by the
 * backend, and only then left to live on its own. */
static int holder_new(struct iso_sess *c, const char *key, const char *leaf, struct sb_holder *h)
{
	int per_session = c->pol.lim.sandbox == ISO_SANDBOX_PER_SESSION;
	struct sb_keeper_info ki = {.uid = c->uid, .ctrls = c->cg ? c->ctrls : 0};
	struct sb_cgview view = {.n = 0};
	int r;

	r = iso_sess_daemon_prepare(c, per_session ? sessions_with_daemons(c) : 0);
	if (r < 0)
		return r;
	if (c->pol.lim.cgroup_ns == 1 && c->be->cgroup_view)
		c->be->cgroup_view(c, &view);
	snprintf(ki.key, sizeof(ki.key), "%s", key);
	snprintf(ki.root, sizeof(ki.root), "%s", c->cfg->cgroup_root);
	/* keep: the sandbox goes once its last process has ended, found
	 * from the session leaves (a rule with a cgroup limit) */
	ki.idle_teardown = c->pol.lim.on_logout != ISO_LOGOUT_KILL && !per_session && ki.ctrls;
	/* the holder copies our mount namespace: the system's, not the one
	 * whoever opened this session runs in */
	r = sb_enter_reference_mntns();
	if (r < 0)
		syslog(LOG_NOTICE,
		       "open user=%s: cannot join PID 1's mount namespace (%s); the sandbox is "
		       "made from the helper's",
		       c->req->user, strerror(-r));
	r = sb_holder_create(c->statedir, c->uid, key, &c->pol.lim, &view, c->cg,
			     iso_sess_daemon_ctrls(c), &ki, h, &c->err);
	if (r < 0)
		return r;
	r = c->be->place_holder(c, h, leaf);
	if (r < 0) {
		sb_holder_destroy(c->statedir, c->uid, key, h);
		return r;
	}
	/* Recorded and placed: only now may it live on its own. */
	sb_holder_commit(h);
	return 0;
}

/* Finds or makes the user's holder and takes its namespace fds. */
static int sandbox_open(struct iso_sess *c)
{
	char key[SB_KEY_MAX], leaf[ISO_LEAF_MAX];
	struct sb_holder h;
	int r;

	if (!c->host_pidns) {
		/* su from inside a sandbox: the holders are recorded by host
		 * pid, which names other processes here; and the kernel
		 * cannot nest a pid namespace of ours below the sandbox's. */
		syslog(LOG_INFO,
		       "open user=%s: caller is inside a sandbox or a container (not in the "
		       "initial pid namespace, or in a sandbox's mount namespace); cgroup only",
		       c->req->user);
		return 0;
	}
	iso_sess_sandbox_names(c, c->rep->session_id, key, leaf);
	r = sb_holder_find(c->statedir, c->uid, key, &h);
	if (r == -ENOENT)
		r = holder_new(c, key, leaf, &h);
	else if (r < 0)
		return iso_err_set(&c->err, r, "cannot look up the sandbox holder");
	if (r < 0)
		return r;
	return sb_holder_nsfds(&h, c->fds, c->nfds, &c->err);
}

/* login_message: "your limits here: 0.5 CPU, 2 GiB memory, 512 tasks
 * (rule: group students)". The module prints it with pam_info. */
static void login_message(struct iso_sess *c)
{
	const struct iso_limits *l = &c->pol.lim;
	char *m = c->rep->message, rule[ISO_NAME_MAX + 8];
	size_t len = sizeof(c->rep->message), o;
	int parts = 0;

	o = (size_t)snprintf(m, len, "your limits here:");
	if (l->cpu_quota != ISO_UNSET && l->cpu_quota != ISO_MAX) {
		double cpus = (double)l->cpu_quota / 10000.0;

		o += (size_t)snprintf(m + o, len - o, " %g CPU%s", cpus, cpus > 1.0 ? "s" : "");
		parts++;
	}
	if (o < len && l->memory_max != ISO_UNSET && l->memory_max != ISO_MAX) {
		int64_t v = l->memory_max;

		if (v >= 1LL << 30)
			o += (size_t)snprintf(m + o, len - o, "%s %g GiB memory", parts ? "," : "",
					      (double)v / (double)(1LL << 30));
		else
			o += (size_t)snprintf(m + o, len - o, "%s %g MiB memory", parts ? "," : "",
					      (double)v / (double)(1LL << 20));
		parts++;
	}
	if (o < len && l->tasks_max != ISO_UNSET && l->tasks_max != ISO_MAX) {
		o += (size_t)snprintf(m + o, len - o, "%s %lld tasks", parts ? "," : "",
				      (long long)l->tasks_max);
		parts++;
	}
	if (c->pol.match == ISO_MATCH_USER)
		snprintf(rule, sizeof(rule), "user %s", c->pol.rule_name);
	else if (c->pol.match == ISO_MATCH_GROUP)
		snprintf(rule, sizeof(rule), "group %s", c->pol.rule_name);
	else
		snprintf(rule, sizeof(rule), "default");
	if (o < len)
		snprintf(m + o, len - o, "%s (rule: %s)", parts ? "" : " no cgroup limits", rule);
	c->rep->flags |= ISO_REPLY_LOGIN_MSG;
}

void iso_session_open(struct iso_sess *c)
{
	int r;

	r = iso_sess_acquire(c);
	if (r < 0) {
		iso_sess_fail_class(c, c->acq_class);
		return;
	}
	c->ctrls = cg_needed(&c->pol.lim);
	/* the one check isolatectl check-config runs on every rule */
	r = iso_limits_check(&c->pol.lim, c->be->kind, c->rule, &c->err);
	if (r < 0) {
		iso_sess_fail_class(c, r == -ERANGE ? ISO_EC_CGROUP : ISO_EC_CONFIG);
		return;
	}
	if (c->pol.lim.mode == ISO_MODE_AUDIT) {
		/* Audit: the rule was checked as written above (a rollout
		 * must see its errors), but the session gets only the user
		 * cgroup that accounts it; isolatectl report reads the rule
		 * again to say what it would have done. */
		iso_limits_audit(&c->pol.lim);
		c->ctrls = cg_needed(&c->pol.lim);
		syslog(LOG_INFO,
		       "open user=%s rule=%s: mode = audit: accounted, no limit written, "
		       "no namespace made",
		       c->req->user, c->rule);
	}
	c->fail_ec = ISO_EC_CGROUP;
	r = c->be->apply(c);
	if (r < 0) {
		iso_sess_fail_class(c, c->fail_ec);
		return;
	}
	if (c->reuse) {
		/* nothing of its own: no watcher, no per-session sandbox */
	} else if (c->pol.lim.session_max_time > 0 && !c->host_pidns) {
		/* what enforces it acts on host pids */
		syslog(LOG_INFO,
		       "open user=%s: nested session (not in the initial pid namespace): "
		       "session_max_time is left to the session it runs in",
		       c->req->user);
	} else if (c->pol.lim.session_max_time > 0) {
		r = c->be->max_time_start(c);
		if (r < 0) {
			iso_sess_fail_class(c, c->fail_ec);
			return;
		}
	}
	if (c->pol.lim.namespaces && !(c->reuse && c->pol.lim.sandbox == ISO_SANDBOX_PER_SESSION)) {
		r = sandbox_open(c);
		if (r < 0) {
			c->be->undo(c);
			iso_sess_fail_class(c, ISO_EC_NAMESPACE);
			return;
		}
	}
	iso_sess_result(c, ISO_RES_CONFINED, ISO_EC_NONE, 0);
	if (c->pol.lim.no_new_privs == 1)
		c->rep->flags |= ISO_REPLY_NO_NEW_PRIVS;
	if (c->pol.lim.cgroup_ns == 1 && c->ctrls)
		c->rep->flags |= ISO_REPLY_CGROUP_NS;
	c->rep->cpus = iso_limits_thread_cpus(&c->pol.lim);
	if (c->cfg->login_message)
		login_message(c);
}
