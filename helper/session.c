/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Open and close of a session, in the order that keeps every step
 * idempotent: lock the user, garbage-collect what a crash may have left,
 * (re)apply limits, create the leaf, move the caller. State is derived from
 * the kernel (which leaves hold processes), so a helper killed between any
 * two steps leaves nothing the next call cannot clean up.
 */
#define _GNU_SOURCE
#include "session.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "cgroup.h"
#include "daemon.h"
#include "fsutil.h"
#include "isolate_config.h"
#include "lock.h"
#include "procfs.h"
#include "sandbox.h"
#include "systemd.h"
#include "timer.h"

#define SID_BYTES 8 /* 16 hex digits: unique enough per user, short in paths */

struct ctx {
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
	struct cg_engine *cg;
	unsigned ctrls;		      /* controllers this session's rule manages */
	enum iso_err_class acq_class; /* which step of acquire() failed */
	int *fds;		      /* namespace fds for the reply */
	size_t *nfds;
	struct iso_err err;
	/* systemd backend (issue 9): picked in acquire() */
	enum iso_backend backend; /* ISO_BACKEND_CGROUPFS or _SYSTEMD */
	struct sysd *sd;	  /* systemd: the bus connection; cg stays NULL */
	struct sysd_place place;  /* systemd: where the caller sits */
	/* 1 in the initial pid namespace; 0 inside a sandbox (su there) or a
	 * container: then no pid is recorded, looked up, killed or sent to
	 * systemd, since /proc numbers processes differently there */
	int host_pidns;
	int daemon_ok; /* 1 once iso_daemon_defaults + reaper check passed */
};

/* Bounds on what one user can make us keep running as root. */
#define MAX_USER_SESSIONS_WITH_DAEMON 256 /* watchers, per-session holders */

static void set_result(struct ctx *c, enum iso_result res, enum iso_err_class ec, int status)
{
	c->rep->result = res;
	c->rep->err_class = ec;
	c->rep->status = status;
	snprintf(c->rep->message, sizeof(c->rep->message), "%s", c->err.msg);
}

static const char *class_name(enum iso_err_class ec)
{
	switch (ec) {
	case ISO_EC_CONFIG:
		return "config";
	case ISO_EC_CGROUP:
		return "cgroup";
	case ISO_EC_NAMESPACE:
		return "namespace";
	default:
		return "internal";
	}
}

/* A failure: on_error of the config (or, when the config itself is the
 * problem, the on_error its text still states) decides. */
static void fail(struct ctx *c, enum iso_err_class ec, int allow)
{
	const char *op = c->req->op == ISO_OP_OPEN ? "open" : "close";
	char *nl;

	/* the user and the log both learn which class failed */
	iso_err_prefix(&c->err, "%s error: ", class_name(ec));
	set_result(c, allow ? ISO_RES_ALLOWED : ISO_RES_DENIED, ec,
		   c->err.code ? c->err.code : -EIO);
	/* syslog wants one line per record */
	for (nl = c->err.msg; (nl = strchr(nl, '\n'));)
		*nl = ' ';
	syslog(LOG_ERR, "%s user=%s service=%s error=%s result=%s: %s", op, c->req->user,
	       c->req->service, class_name(ec), allow ? "allowed-unconfined" : "denied",
	       c->err.msg);
}

/* The failure policy of a class: on_config_error, on_cgroup_error,
 * on_namespace_error, each defaulting to on_error in the config. */
static int class_allows(const struct ctx *c, enum iso_err_class ec)
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
static void fail_class(struct ctx *c, enum iso_err_class ec)
{
	fail(c, ec, class_allows(c, ec));
}

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

static int valid_sid(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == SID_BYTES * 2;
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

static void describe_limits(const struct iso_limits *l, char *buf, size_t len)
{
	iso_limits_describe(l, buf, len);
}

/* Steps shared by open and close: config, user, policy. Returns 1 when
 * the request is finished (rep filled), 0 to go on. */
static int prepare(struct ctx *c)
{
	const char *conf = c->req->conf[0] ? c->req->conf : c->paths->conf;
	char **groups = NULL;
	size_t ngroups = 0;
	int r;

	if (!iso_valid_name(c->req->user) || !valid_service(c->req->service)) {
		iso_err_set(&c->err, -EINVAL, "invalid user or service name");
		fail(c, ISO_EC_INTERNAL, 0);
		return 1;
	}
	if (c->req->conf[0] && c->req->conf[0] != '/') {
		iso_err_set(&c->err, -EPERM, "conf=%s: must be an absolute path", c->req->conf);
		fail(c, ISO_EC_CONFIG, 0);
		return 1;
	}
	r = iso_user_lookup(c->req->user, &c->uid, &c->gid, &groups, &ngroups);
	if (r < 0) {
		iso_err_set(&c->err, r, "unknown user %s", c->req->user);
		fail(c, ISO_EC_INTERNAL, 0);
		return 1;
	}
	/* root is never confined, whatever the config says or fails to say:
	 * an admin must not lock themselves out with a bad edit. */
	if (c->uid == 0) {
		snprintf(c->rep->rule, sizeof(c->rep->rule), "root (always exempt)");
		set_result(c, ISO_RES_EXEMPT, ISO_EC_NONE, 0);
		syslog(LOG_INFO, "%s user=%s service=%s rule=root result=exempt",
		       c->req->op == ISO_OP_OPEN ? "open" : "close", c->req->user, c->req->service);
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
		 * may the accounts its exempt_users names be locked out. */
		if (c->uid < ISO_DEFAULT_MIN_UID ||
		    iso_config_peek_exempt_user(conf, c->req->user)) {
			syslog(LOG_WARNING,
			       "open user=%s uid=%u: config unusable (%s); exempt (listed in "
			       "exempt_users, or uid below the built-in min_uid %d): left alone",
			       c->req->user, (unsigned)c->uid, c->err.msg, ISO_DEFAULT_MIN_UID);
			snprintf(c->rep->rule, sizeof(c->rep->rule), "exempt (config unusable)");
			set_result(c, ISO_RES_EXEMPT, ISO_EC_NONE, 0);
			r = 1;
			goto done;
		}
		fail(c, ISO_EC_CONFIG, iso_config_peek_on_error(conf) == ISO_ON_ERROR_ALLOW);
		r = 1;
		goto done;
	}
	/* setns in the module is the sandbox's last step: its class decides */
	c->rep->on_error = c->cfg->on_namespace_error == ISO_ON_ERROR_ALLOW;
	if (!iso_config_service_in_scope(c->cfg, c->req->service)) {
		snprintf(c->rep->rule, sizeof(c->rep->rule), "service %s not in services",
			 c->req->service);
		set_result(c, ISO_RES_EXEMPT, ISO_EC_NONE, 0);
		syslog(LOG_INFO, "%s user=%s service=%s rule=services result=out-of-scope",
		       c->req->op == ISO_OP_OPEN ? "open" : "close", c->req->user, c->req->service);
		r = 1;
		goto done;
	}
	r = iso_policy_resolve(c->cfg, c->req->user, c->uid, (const char *const *)groups, ngroups,
			       &c->pol);
	if (r < 0) {
		iso_err_set(&c->err, r, "cannot resolve the rule for %s", c->req->user);
		fail_class(c, ISO_EC_CONFIG);
		r = 1;
		goto done;
	}
	iso_policy_describe(&c->pol, c->rule, sizeof(c->rule));
	snprintf(c->rep->rule, sizeof(c->rep->rule), "%s", c->rule);
	if (c->pol.match == ISO_MATCH_EXEMPT_USER || c->pol.match == ISO_MATCH_EXEMPT_GROUP ||
	    c->pol.match == ISO_MATCH_EXEMPT_UID) {
		set_result(c, ISO_RES_EXEMPT, ISO_EC_NONE, 0);
		syslog(LOG_INFO, "%s user=%s service=%s rule=%s result=exempt",
		       c->req->op == ISO_OP_OPEN ? "open" : "close", c->req->user, c->req->service,
		       c->rule);
		r = 1;
		goto done;
	}
	r = 0;
done:
	iso_groups_free(groups, ngroups);
	return r;
}

/* systemd backend (issue 9): which backend this request uses. A close
 * follows its open: an origin in the request means open moved the caller
 * into our subtree, so cgroupfs undoes that whatever the host is now. */
static int pick_backend(struct ctx *c)
{
	enum iso_backend want = c->cfg ? c->cfg->cgroup_backend : ISO_BACKEND_AUTO;
	char why[400];
	int r;

	c->backend = ISO_BACKEND_CGROUPFS;
	if (want == ISO_BACKEND_CGROUPFS || (c->req->op == ISO_OP_CLOSE && c->req->origin[0]))
		return 0;
	r = sysd_place_of(c->caller->pid, c->uid, &c->place);
	if (r < 0 && want == ISO_BACKEND_SYSTEMD)
		return iso_err_set(&c->err, r, "cannot read the cgroup of pid %d: %s",
				   (int)c->caller->pid, strerror(-r));
	if (r < 0)
		memset(&c->place, 0, sizeof(c->place)); /* auto: nowhere, cgroupfs */
	r = sysd_pick_backend(want, sysd_running(SYSD_RUN_SYSTEM), &c->place, &c->backend, why,
			      sizeof(why), &c->err);
	if (r < 0)
		return r;
	if (c->req->op == ISO_OP_OPEN)
		syslog(LOG_INFO, "open user=%s: cgroup backend %s (%s)", c->req->user,
		       c->backend == ISO_BACKEND_SYSTEMD ? "systemd" : "cgroupfs", why);
	return 0;
}

/* State dir, user lock, cgroup engine (or, on systemd, the bus). */
static int acquire(struct ctx *c)
{
	struct cg_layout layout;
	int r;

	c->acq_class = ISO_EC_INTERNAL; /* state dir and lock */
	r = iso_state_open(c->paths->rundir, &c->statedir, &c->err);
	if (r < 0)
		return r;
	r = iso_user_lock(c->statedir, c->uid, ISO_LOCK_WAIT_MS, &c->lockfd, &c->err);
	if (r < 0)
		return r;
	c->acq_class = ISO_EC_CGROUP;
	r = pick_backend(c);
	if (r < 0)
		return r;
	if (c->backend == ISO_BACKEND_SYSTEMD)
		return sysd_open(&c->sd, &c->err);
	r = cg_layout_detect(c->paths->mountinfo, &layout, &c->err);
	if (r < 0)
		return r;
	return cg_open(&layout, c->cfg ? c->cfg->cgroup_root : "pam_isolate", true, &c->cg,
		       &c->err);
}

/* Nothing half-made may count as a live session: move the caller back
 * and drop the leaf. */
static void undo_leaf(struct ctx *c, const char *leaf)
{
	char timer[SYSD_UNIT_MAX];
	int live = 0;

	/* systemd (issue 9): no leaf; only a session_max_time timer */
	if (c->sd && c->rep->session_id[0] &&
	    sysd_max_time_unit(c->uid, c->rep->session_id, timer, sizeof(timer)) == 0)
		sysd_stop_unit(c->sd, timer, NULL);
	if (c->ctrls && c->cg) {
		cg_origin_restore(c->cg, c->caller->pid, c->rep->origin, NULL);
		cg_leaf_remove(c->cg, c->uid, leaf, NULL);
		cg_user_gc(c->cg, c->uid, &live, NULL);
	}
}

static void sandbox_key(const struct ctx *c, const char *sid, char *key, char *leaf)
{
	if (c->pol.lim.sandbox == ISO_SANDBOX_PER_SESSION) {
		snprintf(key, SB_KEY_MAX, "s-%s", sid);
		snprintf(leaf, 64, "holder-%s", sid);
	} else {
		snprintf(key, SB_KEY_MAX, "user");
		snprintf(leaf, 64, "holder");
	}
}

/* The user's cgroup dir in each hierarchy this rule manages, and where
 * the sandbox shows it (cgroup_ns). */
static void cgroup_view_of(const struct ctx *c, struct sb_cgview *v)
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

/* Before the first root process this call leaves running: the system's
 * defaults for it, a root parent once we exit, and a bound per user. */
static int daemon_prepare(struct ctx *c, int live)
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
static unsigned daemon_ctrls(const struct ctx *c)
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

/* What a per-session sandbox adds to: the user's live sessions (session
 * leaves with processes; on systemd, logind's count) or their
 * per-session holders, whichever is more (sandbox-only rules have no
 * leaves). */
static int sessions_with_daemons(struct ctx *c)
{
	int live = 0, recs;

	if (c->cg)
		cg_user_gc(c->cg, c->uid, &live, NULL);
	else if (c->sd)
		(void)sysd_online_sessions(c->uid, NULL, &live);
	recs = sb_count_session_records(c->statedir, c->uid);
	return recs > live ? recs : live;
}

/* systemd backend (issue 9): the new holder moves into a transient scope
 * of the user's slice, so systemd accounts it against the user's limits
 * and stops it with the user. A scope of the same name may still hold a
 * holder killed at the last logout (it dies once its last process is
 * reaped): then this one gets a name with the session id. */
static int holder_scope(struct ctx *c, const struct sb_holder *h)
{
	int per_session = c->pol.lim.sandbox == ISO_SANDBOX_PER_SESSION;
	char unit[SYSD_UNIT_MAX];
	int r;

	r = sysd_holder_unit(c->uid, per_session ? c->rep->session_id : NULL, unit, sizeof(unit));
	if (r == 0)
		r = sysd_start_holder_scope(c->sd, c->uid, unit, h->pid, h->keeper, &c->err);
	if (r == -EEXIST && !per_session) {
		syslog(LOG_INFO, "open user=%s: %s still exists, naming the new one by session",
		       c->req->user, unit);
		iso_err_clear(&c->err);
		r = sysd_holder_unit(c->uid, c->rep->session_id, unit, sizeof(unit));
		if (r == 0)
			r = sysd_start_holder_scope(c->sd, c->uid, unit, h->pid, h->keeper,
						    &c->err);
	}
	return r;
}

/* Finds or makes the user's holder and takes its namespace fds. */
static int sandbox_open(struct ctx *c)
{
	char key[SB_KEY_MAX], leaf[64];
	struct sb_holder h;
	int r;

	if (!c->host_pidns) {
		/* su from inside a sandbox: the holders are recorded by host
		 * pid, which names other processes here; and the kernel
		 * cannot nest a pid namespace of ours below the sandbox's. */
		syslog(LOG_INFO,
		       "open user=%s: caller is not in the initial pid namespace (inside a "
		       "sandbox or a container); cgroup only",
		       c->req->user);
		return 0;
	}
	sandbox_key(c, c->rep->session_id, key, leaf);
	r = sb_holder_find(c->statedir, c->uid, key, &h);
	if (r == -ENOENT) {
		struct sb_cgview view = {.n = 0};

		r = daemon_prepare(c, c->pol.lim.sandbox == ISO_SANDBOX_PER_SESSION
					      ? sessions_with_daemons(c)
					      : 0);
		if (r < 0)
			return r;
		if (c->pol.lim.cgroup_ns == 1 && c->cg)
			cgroup_view_of(c, &view);
		struct sb_keeper_info ki = {.uid = c->uid, .ctrls = c->cg ? c->ctrls : 0};

		snprintf(ki.key, sizeof(ki.key), "%s", key);
		snprintf(ki.root, sizeof(ki.root), "%s", c->cfg->cgroup_root);
		/* keep: the sandbox goes once its last process has ended, found
		 * from the session leaves (a rule with a cgroup limit) */
		ki.idle_teardown = c->pol.lim.on_logout != ISO_LOGOUT_KILL &&
				   c->pol.lim.sandbox != ISO_SANDBOX_PER_SESSION && ki.ctrls;
		r = sb_holder_create(c->statedir, c->uid, key, &c->pol.lim, &view, c->cg,
				     daemon_ctrls(c), &ki, &h, &c->err);
		if (r < 0)
			return r;
		if (c->backend == ISO_BACKEND_SYSTEMD) {
			/* issue 9: where systemd expects it */
			r = holder_scope(c, &h);
			if (r < 0) {
				sb_holder_destroy(c->statedir, c->uid, key, &h);
				return r;
			}
		} else if (c->ctrls) {
			/* the holder counts against the user's limits */
			r = cg_enter(c->cg, c->uid, leaf, c->ctrls, h.pid, &c->err);
			if (r < 0) {
				sb_holder_destroy(c->statedir, c->uid, key, &h);
				return r;
			}
		}
		/* Recorded and placed: only now may it live on its own. */
		sb_holder_commit(&h);
	} else if (r < 0) {
		return iso_err_set(&c->err, r, "cannot look up the sandbox holder");
	}
	return sb_holder_nsfds(&h, c->fds, c->nfds, &c->err);
}

/* Whether anything but the holder still runs in the sandbox. Where the
 * rule manages a cgroup, every process of the sandbox descends from a
 * session's PAM process and so sits in a session leaf: no live leaf (the
 * "last" close) means an idle sandbox, and counting costs the user's own
 * processes only. Without cgroups, or for a per-session sandbox, scan
 * /proc for its pid namespace (cost: every process of the host). */
static int sandbox_busy(struct ctx *c, const struct sb_holder *h, int last, int per_session)
{
	if (c->cg && !per_session && cg_needed(&c->pol.lim))
		return !last || cg_user_leftovers(c->cg, c->uid) > 0;
	return sb_holder_nprocs(h) > 0;
}

/* At close: the sandbox goes with the last session (on_logout = kill), or
 * once nothing but its holder is left in it (keep). Returns 1 when the
 * user still has a sandbox; *dying is set when its holder was killed but
 * has not finished exiting yet. */
static int sandbox_close(struct ctx *c, int last, struct sb_holder *dying, int *is_dying)
{
	char key[SB_KEY_MAX], leaf[64];
	struct sysd_place hp = {.unit = ""};
	struct sb_holder h;
	int kill_all = c->pol.lim.on_logout == ISO_LOGOUT_KILL;
	int per_session = c->pol.lim.sandbox == ISO_SANDBOX_PER_SESSION;
	int r;

	*is_dying = 0;
	if (!c->req->session_id[0])
		return 0;
	sandbox_key(c, c->req->session_id, key, leaf);
	if (sb_holder_find(c->statedir, c->uid, key, &h) < 0)
		return 0;
	if (!(kill_all && (last || per_session)) && sandbox_busy(c, &h, last, per_session))
		return 1;
	/* systemd (issue 9): its scope, read before the holder is gone */
	if (c->backend == ISO_BACKEND_SYSTEMD &&
	    (sysd_place_of(h.pid, c->uid, &hp) < 0 || strncmp(hp.unit, "isolate-holder-", 15) != 0))
		hp.unit[0] = '\0';
	r = sb_holder_destroy(c->statedir, c->uid, key, &h);
	if (hp.unit[0])
		sysd_stop_unit(c->sd, hp.unit, NULL);
	if (r == 1) {
		*dying = h;
		*is_dying = 1;
	} else if (c->cg) {
		cg_leaf_remove(c->cg, c->uid, leaf, NULL);
	}
	syslog(LOG_INFO, "close user=%s: sandbox %s removed (on_logout=%s)", c->req->user, key,
	       kill_all ? "kill" : "keep");
	return 0;
}

/* Removes empty leaves until the user's tree is gone, the lock file with
 * it. Used at close when a killed holder or killed processes have not
 * finished exiting (see sb_holder_destroy): a detached worker waits for
 * them, bounded, so that the logout is not stalled. It never kills: a
 * session opened meanwhile keeps everything it uses. */
static void deferred_gc(struct ctx *c, const struct sb_holder *dying, int is_dying,
			int kill_pending)
{
	char buf[64];
	int i, live, lockfd, workfd = -1, r;

	/* One worker per user at a time, started like every root process
	 * we leave running; else the next open or close cleans up. */
	if (iso_worker_lock(c->statedir, c->uid, &workfd) < 0)
		return;
	if (daemon_prepare(c, 0) < 0) {
		syslog(LOG_WARNING, "close user=%s: no clean-up worker: %s", c->req->user,
		       c->err.msg);
		iso_err_clear(&c->err);
		iso_worker_unlock(c->statedir, c->uid, workfd);
		return;
	}
	r = iso_daemon_fork(c->cg, daemon_ctrls(c), &c->err);
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
		live = 0;
		/* gc drops the dead holder's empty leaf too */
		cg_user_gc(c->cg, c->uid, &live, NULL);
		if (cg_read(c->cg, CG_ALL, c->uid, "", "cgroup.procs", buf, sizeof(buf)) ==
		    -ENOENT) {
			char name[96];
			int gone = 1;

			snprintf(name, sizeof(name), "user-%u.user.holder", (unsigned)c->uid);
			if (faccessat(c->statedir, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
				gone = 0;
			iso_worker_unlock(c->statedir, c->uid, workfd);
			iso_user_unlock(c->statedir, c->uid, lockfd, gone);
			iso_daemon_exit();
		}
		iso_user_unlock(c->statedir, c->uid, lockfd, false);
		/* the holder is gone and its leaf with it; what is left belongs
		 * to sessions still open (or exiting processes a kill-mode
		 * logout signalled: give those the rest of the rounds) */
		if (!kill_pending)
			break;
	}
	iso_worker_unlock(c->statedir, c->uid, workfd);
	iso_daemon_exit();
}

/* systemd backend (issue 9): the rule's limits become runtime properties
 * of user-<uid>.slice, session_max_time a transient timer that has logind
 * end the session; systemd enforces both. Nothing to undo on failure: no
 * leaf, no move. Reports its own failure. */
static int open_systemd(struct ctx *c)
{
	int r;

	if (c->ctrls || c->pol.lim.namespaces) {
		r = new_sid(c->rep->session_id, sizeof(c->rep->session_id));
		if (r < 0) {
			iso_err_set(&c->err, r, "cannot make a session id");
			goto out;
		}
	}
	if (c->ctrls) {
		r = sysd_apply_limits(c->sd, c->uid, &c->pol.lim, &c->err);
		if (r < 0)
			goto out;
	}
	if (c->pol.lim.session_max_time > 0 && !c->host_pidns) {
		syslog(LOG_INFO,
		       "open user=%s: nested session (not in the initial pid namespace): "
		       "session_max_time is left to the session it runs in",
		       c->req->user);
	} else if (c->pol.lim.session_max_time > 0) {
		if (!c->place.session_scope) {
			r = iso_err_set(&c->err, -EINVAL,
					"session_max_time on systemd needs the session in a "
					"logind scope (it is in %s)",
					c->place.path);
			fail_class(c, ISO_EC_CONFIG);
			return r;
		}
		r = sysd_start_max_time(c->sd, c->uid, c->rep->session_id, c->place.session,
					c->pol.lim.session_max_time, &c->err);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	if (r < 0)
		fail_class(c, ISO_EC_CGROUP);
	return r;
}

/* Whether the caller (its origin, filtered to the managed hierarchies)
 * sits in a session leaf of this very user already. */
static int in_own_session(const struct ctx *c)
{
	char origin[ISO_PROTO_ORIGIN], prefix[NAME_MAX + 48], *tok, *save = NULL;
	size_t n;
	int seen = 0;

	snprintf(origin, sizeof(origin), "%s", c->rep->origin);
	snprintf(prefix, sizeof(prefix), "/%s/user-%u/session-", c->cfg->cgroup_root,
		 (unsigned)c->uid);
	n = strlen(prefix);
	for (tok = strtok_r(origin, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		const char *path = strchr(tok, ':');

		if (!path || strncmp(path + 1, prefix, n) != 0 || strchr(path + 1 + n, '/'))
			return 0;
		seen = 1;
	}
	return seen;
}

static void do_open(struct ctx *c)
{
	int64_t conf_mem, used_mem;
	char leaf[64], desc[256], path[512];
	unsigned missing;
	int live = 0, reuse = 0, r;

	r = acquire(c);
	if (r < 0) {
		fail_class(c, c->acq_class);
		return;
	}
	c->ctrls = cg_needed(&c->pol.lim);
	/* issue 17: the one check isolatectl check-config runs on every rule */
	r = iso_limits_check(&c->pol.lim, c->backend, c->rule, &c->err);
	if (r < 0) {
		fail_class(c, r == -ERANGE ? ISO_EC_CGROUP : ISO_EC_CONFIG);
		return;
	}
	if (c->backend == ISO_BACKEND_SYSTEMD) {
		/* issue 9: limits on the slice, the caller stays in its scope */
		if (open_systemd(c) < 0)
			return;
		goto sandbox;
	}
	missing = c->ctrls & ~cg_available(c->cg);
	if (missing) {
		unsigned bit;

		iso_err_set(&c->err, -ENODEV,
			    "cgroup controller(s) needed by %s not available:", c->rule);
		for (bit = 1; bit <= CG_MEMORY; bit <<= 1)
			if (missing & bit)
				iso_err_add(&c->err, -ENODEV, "  %s", cg_ctrl_name(bit));
		fail_class(c, ISO_EC_CGROUP);
		return;
	}
	/* Leftovers of a killed helper or a crashed session first. */
	r = cg_user_gc(c->cg, c->uid, &live, &c->err);
	if (r < 0)
		goto cg_fail;
	if (c->ctrls || c->pol.lim.namespaces) {
		r = new_sid(c->rep->session_id, sizeof(c->rep->session_id));
		if (r < 0) {
			iso_err_set(&c->err, r, "cannot make a session id");
			goto cg_fail;
		}
	}
	snprintf(leaf, sizeof(leaf), "session-%s", c->rep->session_id);
	if (c->ctrls) {
		r = cg_user_apply(c->cg, c->uid, &c->pol.lim, c->ctrls, &c->err);
		if (r < 0)
			goto cg_fail;
		if (cg_memory_clamped(c->cg, &conf_mem, &used_mem))
			syslog(LOG_WARNING,
			       "open user=%s: memory_max %lld is below the %lld bytes the user's "
			       "cgroup uses now; set to the usage, the configured value applies "
			       "at a later login",
			       c->req->user, (long long)conf_mem, (long long)used_mem);
		r = cg_origin_read(c->cg, c->caller->pid, c->rep->origin, sizeof(c->rep->origin),
				   &c->err);
		if (r < 0)
			goto cg_fail;
		origin_filter(c->rep->origin, c->ctrls, cg_engine_version(c->cg));
		reuse = in_own_session(c);
		if (reuse) {
			/* su (or sudo) in a session of the same user: it stays
			 * in that session's leaf, so the session's kill and
			 * session_max_time cover it; a new leaf would escape both */
			syslog(LOG_INFO,
			       "open user=%s: the caller runs in a session of this user already "
			       "(%s): it stays there, under that session's limits and "
			       "session_max_time",
			       c->req->user, c->rep->origin);
			c->rep->origin[0] = '\0';
			c->rep->session_id[0] = '\0';
		} else {
			int n = 0;

			/* for the close: the module leaves the leaf through these
			 * before it forks, whatever the user's limits are then */
			if (cg_origin_open(c->cg, c->rep->origin, &c->fds[ISO_FD_CG0], &n,
					   &c->err) < 0) {
				syslog(LOG_WARNING, "open user=%s: %s", c->req->user, c->err.msg);
				iso_err_clear(&c->err);
			}
			r = cg_enter(c->cg, c->uid, leaf, c->ctrls, c->caller->pid, &c->err);
			if (r < 0) {
				undo_leaf(c, leaf);
				goto cg_fail;
			}
		}
	}
	if (reuse) {
		/* nothing of its own: no watcher, no per-session sandbox */
	} else if (c->pol.lim.session_max_time > 0 && !c->host_pidns) {
		/* the watcher kills by pid: only where pids are the host's */
		syslog(LOG_INFO,
		       "open user=%s: nested session (not in the initial pid namespace): "
		       "session_max_time is left to the session it runs in",
		       c->req->user);
	} else if (c->pol.lim.session_max_time > 0) {
		/* the watcher finds the session by its leaf: iso_limits_check
		 * refused a rule without one above */
		r = daemon_prepare(c, live);
		if (r == 0)
			r = iso_timer_start(c->cg, c->ctrls, c->statedir, c->uid, c->req->user,
					    leaf, c->pol.lim.session_max_time, ISO_HELPER_FD,
					    c->lockfd, &c->err);
		if (r < 0) {
			undo_leaf(c, leaf);
			goto cg_fail;
		}
	}
sandbox:
	if (c->pol.lim.namespaces && !(reuse && c->pol.lim.sandbox == ISO_SANDBOX_PER_SESSION)) {
		r = sandbox_open(c);
		if (r < 0) {
			undo_leaf(c, leaf);
			fail_class(c, ISO_EC_NAMESPACE);
			return;
		}
	}
	set_result(c, ISO_RES_CONFINED, ISO_EC_NONE, 0);
	if (c->pol.lim.no_new_privs == 1)
		c->rep->flags |= ISO_REPLY_NO_NEW_PRIVS;
	if (c->pol.lim.cgroup_ns == 1 && c->ctrls)
		c->rep->flags |= ISO_REPLY_CGROUP_NS;
	describe_limits(&c->pol.lim, desc, sizeof(desc));
	path[0] = '\0';
	if (c->ctrls && c->backend == ISO_BACKEND_SYSTEMD)
		snprintf(path, sizeof(path), "systemd:user-%u.slice", (unsigned)c->uid);
	else if (c->ctrls)
		cg_path(c->cg, c->ctrls & CG_CPU ? CG_CPU : c->ctrls, c->uid, leaf, path,
			sizeof(path));
	syslog(LOG_INFO,
	       "open user=%s uid=%u service=%s rule=%s %s cgroup=%s session=%s result=confined",
	       c->req->user, (unsigned)c->uid, c->req->service, c->rule, desc, path[0] ? path : "-",
	       c->rep->session_id[0] ? c->rep->session_id : "-");
	return;
cg_fail:
	fail_class(c, ISO_EC_CGROUP);
}

/* on_logout = kill, another session still open: kill what this session
 * left in its leaf (nohup, setsid), as logind's KillUserProcesses does per
 * scope. Bounded: processes forking while we kill get a few more rounds. */
static void kill_leaf(struct ctx *c, const char *leaf)
{
	int round;

	for (round = 0; round < 50; round++) {
		if (cg_leaf_kill(c->cg, c->uid, leaf) < 0 ||
		    cg_leaf_nprocs(c->cg, c->uid, leaf) <= 0)
			return;
		usleep(10000);
	}
}

/* systemd backend (issue 9): nothing to move back, no leaf; logind says
 * whether another session of the user is still online (this one is
 * closing: pam_systemd, before us in the stack, has released it). The
 * user's other leftovers are logind's (KillUserProcesses). */
static void close_systemd(struct ctx *c)
{
	int live = 0, has_sandbox, is_dying = 0, r;
	struct sb_holder dying = {0};
	char timer[SYSD_UNIT_MAX];

	r = sysd_online_sessions(c->uid, c->place.session_scope ? c->place.session : NULL, &live);
	if (r < 0) {
		/* unsure: keep what the user may still use */
		syslog(LOG_WARNING, "close user=%s: cannot list the user's sessions: %s",
		       c->req->user, strerror(-r));
		live = 1;
	}
	/* the session ended before its session_max_time */
	if (c->req->session_id[0] &&
	    sysd_max_time_unit(c->uid, c->req->session_id, timer, sizeof(timer)) == 0)
		sysd_stop_unit(c->sd, timer, NULL);
	/* nested (su inside a sandbox): the holder's record is in host
	 * pids; the sandbox is the outer session's to end */
	has_sandbox = c->host_pidns ? sandbox_close(c, live == 0, &dying, &is_dying) : 1;
	set_result(c, ISO_RES_CLOSED, ISO_EC_NONE, 0);
	syslog(LOG_INFO,
	       "close user=%s uid=%u service=%s session=%s live_sessions=%d backend=systemd "
	       "result=closed",
	       c->req->user, (unsigned)c->uid, c->req->service,
	       c->req->session_id[0] ? c->req->session_id : "-", live);
	if (live == 0 && !has_sandbox) {
		iso_user_unlock(c->statedir, c->uid, c->lockfd, true);
		c->lockfd = -1;
	}
}

static void do_close(struct ctx *c)
{
	int kill_all = c->pol.lim.on_logout == ISO_LOGOUT_KILL;
	int live = 0, own_left = 0, last, has_sandbox, is_dying = 0, pending = 0, r;
	struct sb_holder dying = {0};
	char leaf[64];

	if (c->req->session_id[0] && !valid_sid(c->req->session_id)) {
		iso_err_set(&c->err, -EINVAL, "invalid session id");
		fail(c, ISO_EC_INTERNAL, 0);
		return;
	}
	r = acquire(c);
	if (r < 0) {
		fail(c, ISO_EC_CGROUP, 0);
		return;
	}
	c->ctrls = cg_needed(&c->pol.lim); /* where a clean-up worker goes */
	if (c->backend == ISO_BACKEND_SYSTEMD) {
		close_systemd(c); /* issue 9: the caller never moved */
		return;
	}
	/* Back where open found the caller (only root callers get here,
	 * and only for themselves: the pid is the socket's peer). */
	if (c->req->origin[0]) {
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
	snprintf(leaf, sizeof(leaf), "session-%s", c->req->session_id);
	if (c->req->session_id[0]) {
		if (kill_all && cg_leaf_nprocs(c->cg, c->uid, leaf) > 0)
			own_left = 1;
		/* EBUSY: processes of the session outlive it (on_logout =
		 * keep, or kill with another session open): a leftover job,
		 * not a live session; gc removes it once they are gone. */
		if (cg_leaf_remove(c->cg, c->uid, leaf, NULL) == -EBUSY && !kill_all) {
			char left[64];

			snprintf(left, sizeof(left), "left-%s", c->req->session_id);
			cg_leaf_rename(c->cg, c->uid, leaf, left);
		}
	}
	r = cg_user_gc(c->cg, c->uid, &live, &c->err);
	if (r < 0) {
		fail(c, ISO_EC_CGROUP, 0);
		return;
	}
	last = live - own_left <= 0;
	if (!c->host_pidns) {
		/* nested (su inside a sandbox): no pid of ours means what it
		 * says here; the outer session's close does the rest */
		kill_all = 0;
		last = 0;
	}
	if (kill_all && own_left && !last) {
		kill_leaf(c, leaf);
		cg_leaf_remove(c->cg, c->uid, leaf, NULL);
	}
	has_sandbox = c->host_pidns ? sandbox_close(c, last, &dying, &is_dying) : 1;
	if (kill_all && last) {
		/* on_logout = kill: nothing of the user outlives the last
		 * session, in the sandbox or not. Signal now, reap later. */
		cg_user_signal(c->cg, c->uid, NULL);
	}
	if (!has_sandbox)
		cg_user_gc(c->cg, c->uid, &live, NULL); /* the holder leaf went */
	pending = is_dying || (kill_all && last);
	set_result(c, ISO_RES_CLOSED, ISO_EC_NONE, 0);
	syslog(LOG_INFO,
	       "close user=%s uid=%u service=%s session=%s live_sessions=%d result=closed",
	       c->req->user, (unsigned)c->uid, c->req->service,
	       c->req->session_id[0] ? c->req->session_id : "-", live);
	if (pending) {
		deferred_gc(c, &dying, is_dying, kill_all && last);
	} else if (live == 0 && !has_sandbox) {
		/* Nothing of the user is left: drop the lock file too. */
		iso_user_unlock(c->statedir, c->uid, c->lockfd, true);
		c->lockfd = -1;
	}
}

static int user_has_nothing(struct ctx *c)
{
	char buf[16], name[96];
	unsigned bit;

	if (c->rep->result == ISO_RES_CONFINED || !c->cg)
		return 0;
	for (bit = 1; bit <= CG_MEMORY; bit <<= 1)
		if (cg_read(c->cg, bit, c->uid, "", "cgroup.procs", buf, sizeof(buf)) != -ENOENT)
			return 0; /* -ENOENT: no such hierarchy or no user dir */
	snprintf(name, sizeof(name), "user-%u.user.holder", (unsigned)c->uid);
	return faccessat(c->statedir, name, F_OK, AT_SYMLINK_NOFOLLOW) != 0;
}

void iso_session_handle(const struct iso_paths *paths, const struct iso_caller *caller,
			const struct iso_request *req, struct iso_reply *rep, int fds[ISO_MAX_FDS],
			size_t *nfds)
{
	struct ctx c;
	size_t i;

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
	if (c.host_pidns < 0) {
		iso_err_set(&c.err, c.host_pidns,
			    "/proc is not the procfs of this process's pid namespace: refusing to "
			    "act on process ids");
		c.host_pidns = 0;
		fail(&c, ISO_EC_INTERNAL, 0);
	} else if (prepare(&c) == 0) {
		if (req->op == ISO_OP_OPEN)
			do_open(&c);
		else
			do_close(&c);
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
	cg_close(c.cg);
	sysd_close(c.sd);
	iso_close(c.statedir);
	iso_config_free(c.cfg);
}
