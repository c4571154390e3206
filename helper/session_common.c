/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the session flow's steps and the backends share: the reply and
 * its failure classes, the user lock and the backend of a request,
 * session ids and names, and the rules for root processes we leave
 * running. Calls into no flow file, so that none calls back.
 */
#define _GNU_SOURCE
#include "session_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <syslog.h>

#include "cgroup.h"
#include "daemon.h"
#include "lock.h"

#define SID_BYTES (ISO_SID_LEN / 2) /* unique enough per user, short in paths */

void iso_sess_result(struct iso_sess *c, enum iso_result res, enum iso_err_class ec, int status)
{
	c->rep->result = res;
	c->rep->err_class = ec;
	c->rep->status = status;
	snprintf(c->rep->message, sizeof(c->rep->message), "%s", c->err.msg);
}

/* A failure: on_error of the config (or, when the config itself is the
 * problem, the on_error its text still states) decides. */
void iso_sess_fail(struct iso_sess *c, enum iso_err_class ec, int allow)
{
	const char *op = iso_sess_op(c);
	char *nl;

	/* the user and the log both learn which class failed */
	iso_err_prefix(&c->err, "%s error: ", iso_err_class_name(ec));
	iso_sess_result(c, allow ? ISO_RES_ALLOWED : ISO_RES_DENIED, ec,
			c->err.code ? c->err.code : -EIO);
	/* syslog wants one line per record */
	for (nl = c->err.msg; (nl = strchr(nl, '\n'));)
		*nl = ' ';
	syslog(LOG_ERR, "%s user=%s service=%s error=%s result=%s: %s", op, c->req->user,
	       c->req->service, iso_err_class_name(ec), allow ? "allowed-unconfined" : "denied",
	       c->err.msg);
}

/* The failure policy of a class: on_config_error, on_cgroup_error,
 * on_namespace_error, each defaulting to on_error in the config. */
static int class_allows(const struct iso_sess *c, enum iso_err_class ec)
{
	if (!c->cfg)
		return 0;
	switch (ec) {
	case ISO_EC_CONFIG:
		return c->cfg->on_config_error == ISO_ON_ERROR_ALLOW;
	case ISO_EC_CGROUP:
		return c->cfg->on_cgroup_error == ISO_ON_ERROR_ALLOW;
	case ISO_EC_NAMESPACE:
		return c->cfg->on_namespace_error == ISO_ON_ERROR_ALLOW;
	default:
		return c->cfg->on_error == ISO_ON_ERROR_ALLOW;
	}
}

/* A failure decided by its class's policy. */
void iso_sess_fail_class(struct iso_sess *c, enum iso_err_class ec)
{
	iso_sess_fail(c, ec, class_allows(c, ec));
}

static int new_sid(char *buf, size_t len)
{
	unsigned char raw[SID_BYTES];
	size_t i;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -EIO;
	if (len < SID_BYTES * 2 + 1)
		return -ENAMETOOLONG;
	for (i = 0; i < SID_BYTES; i++)
		snprintf(buf + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

int iso_sess_new_sid(struct iso_sess *c)
{
	int r;

	if (!c->ctrls && !c->pol.lim.namespaces)
		return 0;
	r = new_sid(c->rep->session_id, sizeof(c->rep->session_id));
	if (r < 0)
		iso_err_set(&c->err, r, "cannot make a session id");
	return r;
}

/* State dir, user lock, then the backend: picked for this request and
 * opened (the cgroup engine, or the bus). */
int iso_sess_acquire(struct iso_sess *c)
{
	int r;

	c->acq_class = ISO_EC_INTERNAL; /* state dir and lock */
	r = iso_state_open(c->paths->rundir, &c->statedir, &c->err);
	if (r < 0)
		return r;
	/* the kept helper answers within the module's 30 s, or not at all */
	r = iso_user_lock(c->statedir, c->uid,
			  c->caller->kept ? ISO_KEPT_LOCK_WAIT_MS : ISO_LOCK_WAIT_MS, &c->lockfd,
			  &c->err);
	if (r < 0)
		return r;
	/* The kept helper may have waited long for the lock: an application
	 * that gave up (and closed with a helper of its own), or died, is
	 * served no more, and its pid, maybe someone else's now, not read. */
	r = iso_caller_present(c->caller);
	if (r < 0)
		return iso_err_set(&c->err, r,
				   "the application that opened the session gave up or went away");
	c->acq_class = ISO_EC_CGROUP;
	r = iso_backend_pick(c);
	if (r < 0)
		return r;
	return c->be->open(c);
}

void iso_sess_sandbox_names(const struct iso_sess *c, const char *sid, char *key, char *leaf)
{
	int per_session = c->pol.lim.sandbox == ISO_SANDBOX_PER_SESSION;

	(void)iso_name_sandbox_key(key, SB_KEY_MAX, per_session ? sid : NULL);
	(void)iso_name_holder_leaf(leaf, ISO_LEAF_MAX, key);
}

/* Before the first root process this call leaves running: the system's
 * defaults for it, a root parent once we exit, and a bound per user. */
int iso_sess_daemon_prepare(struct iso_sess *c, int live)
{
	int r;

	if (live >= MAX_USER_SESSIONS_WITH_DAEMON)
		return iso_err_set(&c->err, -EUSERS,
				   "user %s has %d live sessions, the most for which we start a "
				   "sandbox or a session_max_time watcher of their own",
				   c->req->user, live);
	if (c->daemon_ok)
		return 0;
	r = iso_daemon_defaults(&c->err);
	if (r == 0)
		r = iso_daemon_reaper_ok(c->caller->ruid, &c->err);
	if (r < 0)
		return r;
	c->daemon_ok = 1;
	return 0;
}

/* Where the root processes we leave go: <root>/daemons of the rule's
 * hierarchies or, for a rule that manages none, of the unified one (v2)
 * or cpu and pids (v1), out of the caller's cgroup there, where a user's
 * (a su from a delegated cgroup) could freeze or kill them. On v1 they
 * stay in the caller's cgroups of the other hierarchies: we write only in
 * those we manage. */
unsigned iso_sess_daemon_ctrls(const struct iso_sess *c)
{
	if (!c->cg)
		return 0;
	if (c->ctrls)
		return c->ctrls;
	/* v2: one hierarchy, whatever its controllers */
	if (cg_engine_version(c->cg) == CG_V2)
		return CG_ALL;
	return (CG_CPU | CG_PIDS) & cg_available(c->cg);
}

const char *iso_sess_op(const struct iso_sess *c)
{
	return c->req->op == ISO_OP_OPEN ? "open" : "close";
}
