/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The systemd backend (backend.h) on top of systemd.c: on a systemd host
 * pam_systemd has put the session in user-<uid>.slice/session-<n>.scope.
 * The rule's limits become runtime properties of the slice,
 * session_max_time a transient timer that has logind end the session,
 * and the holder gets a transient scope of its own in the slice. The
 * caller stays in its scope: nothing to move back, no leaf to remove,
 * and logind says which sessions are still online.
 */
#define _GNU_SOURCE
#include "session_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "fsutil.h"
#include "systemd.h"

#define SD_PAGE 4096

struct sd_state {
	struct sysd *sd;
	struct sysd_place place; /* where the caller sits */
};

static struct sd_state *st(const struct iso_sess *c)
{
	return c->be_data;
}

static int sd_claim(struct iso_sess *c, enum iso_backend want, char *why, size_t whylen)
{
	struct sd_state *s = calloc(1, sizeof(*s));
	enum iso_backend out = ISO_BACKEND_CGROUPFS;
	int r;

	if (!s)
		return iso_err_set(&c->err, -ENOMEM, "out of memory");
	r = sysd_place_of(c->caller->pid, c->uid, &s->place);
	if (r < 0 && want == ISO_BACKEND_SYSTEMD) {
		iso_err_set(&c->err, r, "cannot read the cgroup of pid %d: %s", (int)c->caller->pid,
			    strerror(-r));
		goto out;
	}
	if (r < 0)
		memset(&s->place, 0, sizeof(s->place)); /* auto: nowhere, cgroupfs */
	r = sysd_pick_backend(want, sysd_running(SYSD_RUN_SYSTEM), &s->place, &out, why, whylen,
			      &c->err);
	if (r < 0)
		goto out;
	r = out == ISO_BACKEND_SYSTEMD;
	if (r) {
		c->be_data = s;
		s = NULL;
	}
out:
	free(s);
	return r;
}

static int sd_open(struct iso_sess *c)
{
	return sysd_open(&st(c)->sd, &c->err);
}

static void sd_close(struct iso_sess *c)
{
	if (!st(c))
		return;
	sysd_close(st(c)->sd);
	free(c->be_data);
	c->be_data = NULL;
}

/* What user-<uid>.slice uses now, in bytes: the unified hierarchy's
 * memory.current, or v1's memory controller on a hybrid host; -1 when
 * neither is readable (no slice yet: nothing to fear). */
static long long slice_memory_used(uid_t uid)
{
	static const struct {
		const char *dir, *file;
	} where[] = {
		{"/sys/fs/cgroup", "memory.current"},
		{"/sys/fs/cgroup/memory", "memory.usage_in_bytes"},
	};
	char path[96], buf[64], *end;
	long long v;
	int fd;

	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		snprintf(path, sizeof(path), "%s/user.slice/user-%u.slice", where[i].dir,
			 (unsigned)uid);
		if (iso_open_dir_at(AT_FDCWD, path, &fd) < 0)
			continue;
		if (iso_read_file_at(fd, where[i].file, buf, sizeof(buf)) > 0) {
			errno = 0;
			v = strtoll(buf, &end, 10);
			close(fd);
			return errno || end == buf ? -1 : v;
		}
		close(fd);
	}
	return -1;
}

/* Nothing to undo on failure: no leaf, no move. A memory_max below what
 * the slice uses now would have the kernel reclaim or OOM-kill the user's
 * running jobs at a login: as on cgroupfs (cgroup_memory.c) it is set to
 * the usage, and the configured value applies at a later login. */
static int sd_apply(struct iso_sess *c)
{
	struct iso_limits lim = c->pol.lim;
	long long used;
	int r = iso_sess_new_sid(c);

	if (r < 0 || !c->ctrls)
		return r;
	if (lim.memory_max != ISO_MAX && lim.memory_max != ISO_UNSET) {
		used = slice_memory_used(c->uid);
		if (used > lim.memory_max) {
			used = (used + SD_PAGE - 1) / SD_PAGE * SD_PAGE;
			syslog(LOG_WARNING,
			       "open user=%s: memory_max %lld is below the %lld bytes the user's "
			       "slice uses now; set to the usage, the configured value applies "
			       "at a later login",
			       c->req->user, (long long)lim.memory_max, used);
			lim.memory_max = used;
		}
	}
	return sysd_apply_limits(st(c)->sd, c->uid, &lim, &c->err);
}

/* systemd 252 accepts RuntimeMaxUSec on a scope only when it is made,
 * and logind made the session's: a timer of ours has logind end it. */
static int sd_max_time_start(struct iso_sess *c)
{
	const struct sysd_place *p = &st(c)->place;

	if (!p->session_scope) {
		c->fail_ec = ISO_EC_CONFIG;
		return iso_err_set(&c->err, -EINVAL,
				   "session_max_time on systemd needs the session in a "
				   "logind scope (it is in %s)",
				   p->path);
	}
	return sysd_start_max_time(st(c)->sd, c->uid, c->rep->session_id, p->session,
				   c->pol.lim.session_max_time, &c->err);
}

static void stop_max_time(struct iso_sess *c, const char *sid)
{
	char timer[SYSD_UNIT_MAX], service[SYSD_UNIT_MAX];

	if (sid[0] && iso_name_max_time_timer(timer, sizeof(timer), c->uid, sid) == 0)
		sysd_stop_unit(st(c)->sd, timer, NULL);
	/* elapsed already: its service may be in the warning's wait */
	if (sid[0] && iso_name_max_time_service(service, sizeof(service), c->uid, sid) == 0)
		sysd_stop_unit(st(c)->sd, service, NULL);
}

static void sd_undo(struct iso_sess *c)
{
	stop_max_time(c, c->rep->session_id);
}

static void sd_describe(struct iso_sess *c, char *buf, size_t len)
{
	char slice[64];

	if (iso_name_user_slice(slice, sizeof(slice), c->uid) == 0)
		snprintf(buf, len, "systemd:%s", slice);
}

static int sd_live_sessions(struct iso_sess *c)
{
	int live = 0;

	/* logind unreadable: cannot count (see the op) */
	return sysd_online_sessions(c->uid, NULL, &live) < 0 ? -1 : live;
}

/* Where systemd expects the holder: a transient scope of the user's
 * slice, so systemd accounts it against the user's limits and stops it
 * with the user. A scope of the same name may still hold a holder killed
 * at the last logout (it dies once its last process is reaped): then
 * this one gets a name with the session id. */
static int sd_place_holder(struct iso_sess *c, const struct sb_holder *h, const char *leaf)
{
	int per_session = c->pol.lim.sandbox == ISO_SANDBOX_PER_SESSION;
	/* lxcfs's CPU count: the quota on the holder's own scope too */
	uint64_t cpu = iso_limits_view_cpus(&c->pol.lim) ? (uint64_t)c->pol.lim.cpu_quota * 100 : 0;
	char unit[SYSD_UNIT_MAX];
	int r;

	(void)leaf;
	r = iso_name_holder_unit(unit, sizeof(unit), c->uid,
				 per_session ? c->rep->session_id : NULL);
	if (r == 0)
		r = sysd_start_holder_scope(st(c)->sd, c->uid, unit, h->pid, h->keeper, cpu,
					    &c->err);
	if (r == -EEXIST && !per_session) {
		syslog(LOG_INFO, "open user=%s: %s still exists, naming the new one by session",
		       c->req->user, unit);
		iso_err_clear(&c->err);
		r = iso_name_holder_unit(unit, sizeof(unit), c->uid, c->rep->session_id);
		if (r == 0)
			r = sysd_start_holder_scope(st(c)->sd, c->uid, unit, h->pid, h->keeper, cpu,
						    &c->err);
	}
	return r;
}

/* The holder's scope is read before the holder is gone, and stopped
 * after (the SIGKILL of sb_holder_destroy came first). */
static int sd_end_holder(struct iso_sess *c, const char *key, const char *leaf,
			 const struct sb_holder *h)
{
	struct sysd_place hp = {.unit = ""};
	int r;

	(void)leaf;
	if (sysd_place_of(h->pid, c->uid, &hp) < 0 ||
	    strncmp(hp.unit, ISO_HOLDER_UNIT_PREFIX, strlen(ISO_HOLDER_UNIT_PREFIX)) != 0)
		hp.unit[0] = '\0';
	r = sb_holder_destroy(c->statedir, c->uid, key, h);
	if (hp.unit[0])
		sysd_stop_unit(st(c)->sd, hp.unit, NULL);
	return r;
}

/* logind says whether another session of the user is still online (this
 * one is closing: pam_systemd, before us in the stack, has released it).
 * The user's other leftovers are logind's (KillUserProcesses). */
static int sd_leave(struct iso_sess *c, int kill_all, int *live, int *own_left)
{
	const struct sysd_place *p = &st(c)->place;
	int r;

	(void)kill_all;
	*own_left = 0;
	r = sysd_online_sessions(c->uid, p->session_scope ? p->session : NULL, live);
	if (r < 0) {
		/* unsure: keep what the user may still use */
		syslog(LOG_WARNING, "close user=%s: cannot list the user's sessions: %s",
		       c->req->user, strerror(-r));
		*live = 1;
	}
	/* the session ended before its session_max_time */
	stop_max_time(c, c->req->session_id);
	return 0;
}

const struct iso_backend_ops iso_backend_systemd = {
	.kind = ISO_BACKEND_SYSTEMD,
	.name = "systemd",
	.claim = sd_claim,
	.open = sd_open,
	.close = sd_close,
	.apply = sd_apply,
	.max_time_start = sd_max_time_start,
	.undo = sd_undo,
	.describe = sd_describe,
	.live_sessions = sd_live_sessions,
	.place_holder = sd_place_holder,
	.end_holder = sd_end_holder,
	.leave = sd_leave,
	.log_tag = " backend=systemd",
};
