/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One request of the module: who asks, for whom, under which rule; then
 * the open or the close (session_open.c, session_close.c), each in the
 * order that keeps every step idempotent. State is derived from the
 * kernel (which leaves hold processes), so a helper killed between any
 * two steps leaves nothing the next call cannot clean up.
 */
#define _GNU_SOURCE
#include "session_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "fsutil.h"
#include "lock.h"
#include "procfs.h"
#include "slurm.h"
#include "tidy.h"

static int valid_service(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		char ch = s[i];

		if (!(ch >= 'a' && ch <= 'z') && !(ch >= 'A' && ch <= 'Z') &&
		    !(ch >= '0' && ch <= '9') && ch != '-' && ch != '_' && ch != '.')
			return 0;
	}
	return 1;
}

static void describe_limits(const struct iso_limits *l, char *buf, size_t len)
{
	iso_limits_describe(l, buf, len);
}

/* Steps shared by open and close: config, user, policy. Returns 1 when
 * the request is finished (rep filled), 0 to go on. */
/* pam_slurm_adopt put the session into a Slurm job's cgroup in the account
 * phase: the job's limits hold it and Slurm ends it with the job, so it
 * stays where Slurm put it (moving it would take it out of the job). */
static int slurm_adopted(struct iso_sess *c)
{
	char job[32], path[256];

	if (iso_slurm_job_self(c->uid, job, sizeof(job), path, sizeof(path)) != 1)
		return 0;
	snprintf(c->rep->rule, sizeof(c->rep->rule), "Slurm job %s (pam_slurm_adopt)", job);
	iso_sess_result(c, ISO_RES_EXEMPT, ISO_EC_NONE, 0);
	syslog(LOG_NOTICE,
	       "open user=%s service=%s rule=%s result=slurm-job: the session is in Slurm job "
	       "%s's cgroup %s (pam_slurm_adopt): left where Slurm put it, neither moved nor "
	       "sandboxed",
	       c->req->user, c->req->service, c->rule, job, path);
	return 1;
}

/* A config that does not parse: whether the exempt lists its text still
 * shows take the user out. Groups are looked up only here, for a broken
 * file; a lookup that fails leaves them unknown (NULL), and the peek then
 * exempts by name only where no exempt_groups entry takes a group back. */
static bool broken_config_exempts(const struct iso_sess *c, const char *conf)
{
	char **groups = NULL;
	size_t ngroups = 0;
	uid_t uid;
	gid_t gid;
	bool ex;

	if (iso_user_lookup(c->req->user, &uid, &gid, &groups, &ngroups) == 0 && uid != c->uid) {
		iso_groups_free(groups, ngroups);
		groups = NULL;
		ngroups = 0;
	}
	ex = iso_config_peek_exempt(conf, c->req->user, (const char *const *)groups, ngroups);
	iso_groups_free(groups, ngroups);
	return ex;
}

static int prepare(struct iso_sess *c)
{
	const char *conf = c->req->conf[0] ? c->req->conf : c->paths->conf;
	char **groups = NULL;
	size_t ngroups = 0;
	int r;

	if (!iso_valid_name(c->req->user) || !valid_service(c->req->service)) {
		iso_err_set(&c->err, -EINVAL, "invalid user or service name");
		iso_sess_fail(c, ISO_EC_INTERNAL, 0);
		return 1;
	}
	if (c->req->conf[0] && c->req->conf[0] != '/') {
		iso_err_set(&c->err, -EPERM, "conf=%s: must be an absolute path", c->req->conf);
		iso_sess_fail(c, ISO_EC_CONFIG, 0);
		return 1;
	}
	r = iso_user_lookup(c->req->user, &c->uid, &c->gid, NULL, NULL);
	if (r < 0) {
		iso_err_set(&c->err, r, "unknown user %s", c->req->user);
		iso_sess_fail(c, ISO_EC_INTERNAL, 0);
		return 1;
	}
	/* root is never confined, whatever the config says or fails to say:
	 * an admin must not lock themselves out with a bad edit. */
	if (c->uid == 0) {
		snprintf(c->rep->rule, sizeof(c->rep->rule), "root (always exempt)");
		iso_sess_result(c, ISO_RES_EXEMPT, ISO_EC_NONE, 0);
		syslog(LOG_INFO, "%s user=%s service=%s rule=root result=exempt", iso_sess_op(c),
		       c->req->user, c->req->service);
		r = 1;
		goto done;
	}
	r = iso_config_load(conf, true, &c->cfg, &c->err);
	if (r < 0) {
		if (c->req->op == ISO_OP_CLOSE) {
			/* Close still cleans up what open made, with built-in
			 * defaults: a broken config must not leak cgroups. */
			syslog(LOG_WARNING,
			       "close user=%s: config unusable, cleaning up anyway: %s",
			       c->req->user, c->err.msg);
			iso_err_clear(&c->err);
			iso_limits_init(&c->pol.lim);
			r = 0;
			goto done;
		}
		/* System accounts (cron jobs of daemons) must not stop working
		 * because the file is broken: the built-in min_uid holds; nor
		 * may the accounts its exempt lists name be locked out. */
		if (c->uid < ISO_DEFAULT_MIN_UID || broken_config_exempts(c, conf)) {
			syslog(LOG_WARNING,
			       "open user=%s uid=%u: config unusable (%s); exempt (listed in "
			       "exempt_users or exempt_groups, or uid below the built-in min_uid "
			       "%d): left alone",
			       c->req->user, (unsigned)c->uid, c->err.msg, ISO_DEFAULT_MIN_UID);
			snprintf(c->rep->rule, sizeof(c->rep->rule), "exempt (config unusable)");
			iso_sess_result(c, ISO_RES_EXEMPT, ISO_EC_NONE, 0);
			r = 1;
			goto done;
		}
		iso_sess_fail(c, ISO_EC_CONFIG,
			      iso_config_peek_on_error(conf) == ISO_ON_ERROR_ALLOW);
		r = 1;
		goto done;
	}
	/* setns in the module is the sandbox's last step: its class decides */
	c->rep->on_error = c->cfg->on_namespace_error == ISO_ON_ERROR_ALLOW;
	if (!iso_config_service_in_scope(c->cfg, c->req->service)) {
		snprintf(c->rep->rule, sizeof(c->rep->rule), "service %s not in services",
			 c->req->service);
		iso_sess_result(c, ISO_RES_EXEMPT, ISO_EC_NONE, 0);
		syslog(LOG_INFO, "%s user=%s service=%s rule=services result=out-of-scope",
		       iso_sess_op(c), c->req->user, c->req->service);
		r = 1;
		goto done;
	}
	if (iso_config_uses_groups(c->cfg)) {
		uid_t uid;
		gid_t gid;

		r = iso_user_lookup(c->req->user, &uid, &gid, &groups, &ngroups);
		if (r < 0 || uid != c->uid) {
			iso_err_set(&c->err, r < 0 ? r : -ESTALE, "cannot read the groups of %s",
				    c->req->user);
			iso_sess_fail(c, ISO_EC_INTERNAL, 0);
			r = 1;
			goto done;
		}
	}
	r = iso_policy_resolve(c->cfg, c->req->user, c->uid, (const char *const *)groups, ngroups,
			       &c->pol);
	if (r < 0) {
		iso_err_set(&c->err, r, "cannot resolve the rule for %s", c->req->user);
		iso_sess_fail_class(c, ISO_EC_CONFIG);
		r = 1;
		goto done;
	}
	iso_policy_describe(&c->pol, c->rule, sizeof(c->rule));
	snprintf(c->rep->rule, sizeof(c->rep->rule), "%s", c->rule);
	if (c->pol.match == ISO_MATCH_EXEMPT_USER || c->pol.match == ISO_MATCH_EXEMPT_GROUP ||
	    c->pol.match == ISO_MATCH_EXEMPT_UID) {
		iso_sess_result(c, ISO_RES_EXEMPT, ISO_EC_NONE, 0);
		syslog(LOG_INFO, "%s user=%s service=%s rule=%s result=exempt", iso_sess_op(c),
		       c->req->user, c->req->service, c->rule);
		r = 1;
		goto done;
	}
	if (c->req->op == ISO_OP_OPEN && slurm_adopted(c)) {
		r = 1;
		goto done;
	}
	r = 0;
done:
	iso_groups_free(groups, ngroups);
	return r;
}

/* The open's log line: what the session got. */
static void log_confined(struct iso_sess *c)
{
	char desc[256], path[512] = "";

	describe_limits(&c->pol.lim, desc, sizeof(desc));
	if (c->ctrls)
		c->be->describe(c, path, sizeof(path));
	syslog(LOG_INFO,
	       "open user=%s uid=%u service=%s rule=%s %s cgroup=%s session=%s result=confined",
	       c->req->user, (unsigned)c->uid, c->req->service, c->rule, desc, path[0] ? path : "-",
	       c->rep->session_id[0] ? c->rep->session_id : "-");
}

/* A refused or failed call: whether the user has nothing else here. */
static int user_has_nothing(struct iso_sess *c)
{
	if (c->rep->result == ISO_RES_CONFINED || !c->cg)
		return 0;
	return iso_user_left(c->cg, c->statedir, c->uid) == 0;
}

/* A kept helper is a root process left per session, as a watcher is:
 * the same bound per user, counted with this session. Where the backend
 * cannot count (a rule without cgroup limits), none is kept. */
static int may_keep(struct iso_sess *c)
{
	int live;

	/* reuse (su or sudo in a session of the same user): no session of
	 * its own would count it, so the bound would not hold */
	if (c->rep->result != ISO_RES_CONFINED || !c->be || c->reuse)
		return 0;
	/* cgroupfs counted them at apply, under the lock we still hold */
	if (c->cg && c->ctrls)
		live = c->live + 1;
	else
		live = c->be->live_sessions(c);
	return live >= 0 && live <= MAX_USER_SESSIONS_WITH_DAEMON;
}

int iso_session_handle(const struct iso_paths *paths, const struct iso_caller *caller,
		       const struct iso_request *req, struct iso_reply *rep, int fds[ISO_MAX_FDS],
		       size_t *nfds)
{
	struct iso_sess c;
	size_t i;
	int keep = 0;

	memset(&c, 0, sizeof(c));
	memset(rep, 0, sizeof(*rep));
	rep->version = ISO_PROTO_VERSION;
	for (i = 0; i < ISO_MAX_FDS; i++)
		fds[i] = -1;
	*nfds = 0;
	c.paths = paths;
	c.caller = caller;
	c.req = req;
	c.rep = rep;
	c.statedir = -1;
	c.lockfd = -1;
	c.fds = fds;
	c.nfds = nfds;

	c.host_pidns = iso_pidns_is_initial();
	/* su inside a sandbox without a pid namespace (hide_processes):
	 * nested all the same; our pids are the host's there, but the
	 * holders, cgroup views and /tmp we would act on are not. An error
	 * here errs on the side of doing less. */
	if (c.host_pidns == 1 && sb_mntns_is_sandbox(paths->rundir) != 0)
		c.host_pidns = 0;
	if (c.host_pidns < 0) {
		iso_err_set(&c.err, c.host_pidns,
			    "/proc is not the procfs of this process's pid namespace: refusing to "
			    "act on process ids");
		c.host_pidns = 0;
		iso_sess_fail(&c, ISO_EC_INTERNAL, 0);
	} else if (prepare(&c) == 0) {
		if (req->op == ISO_OP_OPEN) {
			iso_session_open(&c);
			if (rep->result == ISO_RES_CONFINED)
				log_confined(&c);
			keep = may_keep(&c);
		} else
			iso_session_close(&c);
	}
	/* fds go only with a confined session; nfds and fd_kinds say which */
	*nfds = 0;
	for (i = 0; i < ISO_MAX_FDS; i++) {
		if (fds[i] >= 0 && rep->result != ISO_RES_CONFINED) {
			iso_close(fds[i]);
			fds[i] = -1;
		}
		if (fds[i] >= 0) {
			rep->fd_kinds |= 1u << i;
			(*nfds)++;
		}
	}
	rep->nfds = (uint32_t)*nfds;
	/* A refused or failed call leaves no lock file behind for a user who
	 * has nothing else here: only leaves, limits or a holder keep it. */
	if (c.lockfd >= 0)
		iso_user_unlock(c.statedir, c.uid, c.lockfd, user_has_nothing(&c));
	if (c.be)
		c.be->close(&c);
	iso_close(c.statedir);
	iso_config_free(c.cfg);
	return keep;
}

int iso_session_reply(int sock, const struct iso_reply *rep, int fds[ISO_MAX_FDS], size_t nfds)
{
	int packed[ISO_MAX_FDS], r;
	size_t i, n = 0;

	for (i = 0; i < ISO_MAX_FDS; i++)
		if (fds[i] >= 0)
			packed[n++] = fds[i];
	r = n == nfds ? iso_proto_send_reply(sock, rep, packed, n) : -EPROTO;
	for (i = 0; i < ISO_MAX_FDS; i++) {
		iso_close(fds[i]);
		fds[i] = -1;
	}
	return r;
}
