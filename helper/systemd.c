/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The systemd backend: detection from /proc/PID/cgroup, and the few calls
 * to systemd (PID 1, over the system bus) and logind (its session records
 * in /run/systemd, through sd-login) that replace our cgroupfs writes on
 * hosts where systemd owns the tree. See systemd.h for why. libsystemd is
 * not linked: the sdb_* calls load it on first use (sdbus_dl.h).
 *
 * Threat model: the helper is root when it gets here, so systemd trusts
 * every call (no polkit). What we ask for is fixed by the config and the
 * kernel-given uid: unit names are built from the uid, a hex session id
 * we made ourselves, and a logind session id that passed a strict check.
 * The environment is cleared (hygiene.c), so sd-bus cannot be pointed at
 * another bus through DBUS_SYSTEM_BUS_ADDRESS.
 */
#define _GNU_SOURCE
#include "systemd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "iso_names.h"
#include "sdbus_dl.h"

#define SD_DEST	 "org.freedesktop.systemd1"
#define SD_PATH	 "/org/freedesktop/systemd1"
#define SD_IFACE "org.freedesktop.systemd1.Manager"

/* A stuck systemd must not stall the login: bounded well below the
 * helper's watchdog (main.c), which kills us regardless. */
#define CALL_TIMEOUT_US (10ULL * 1000000ULL)
#define JOB_TIMEOUT_US	(10ULL * 1000000ULL)

struct sysd {
	sd_bus *bus;
};

/* ---- detection (pure) ---- */

static bool valid_session_id(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= SYSD_SESSION_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/* Fills the place from a cgroup path ("/user.slice/user-1000.slice/..."). */
static int classify(const char *path, uid_t uid, struct sysd_place *out)
{
	char own[64], comp[SYSD_UNIT_MAX];
	const char *p = path, *end;
	int depth = 0;

	(void)iso_name_user_slice(own, sizeof(own), uid);
	while (*p) {
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchr(p, '/');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n >= sizeof(comp))
			return -ENAMETOOLONG;
		memcpy(comp, p, n);
		comp[n] = '\0';
		depth++;
		if (depth == 1)
			out->user_slice = strcmp(comp, "user.slice") == 0;
		else if (depth == 2)
			out->own_slice = out->user_slice && strcmp(comp, own) == 0;
		/* logind names its scopes session-<id>.scope, directly in the
		 * user's slice; anything deeper is not a session scope. */
		out->session_scope = false;
		out->session[0] = '\0';
		if (depth == 3 && out->own_slice && !end && n > strlen("session-.scope") &&
		    strncmp(comp, "session-", 8) == 0 && strcmp(comp + n - 6, ".scope") == 0 &&
		    valid_session_id(comp + 8, n - 8 - 6)) {
			out->session_scope = true;
			memcpy(out->session, comp + 8, n - 8 - 6);
			out->session[n - 8 - 6] = '\0';
		}
		memcpy(out->unit, comp, n + 1);
		p += n;
	}
	return 0;
}

int sysd_parse_proc_cgroup(const char *text, uid_t uid, struct sysd_place *out)
{
	const char *line, *next, *path = NULL;
	size_t plen = 0;
	bool named = false;

	memset(out, 0, sizeof(*out));
	for (line = text; line && *line; line = next) {
		const char *nl = strchr(line, '\n'), *c1, *c2;
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		next = nl ? nl + 1 : NULL;
		/* hierarchy-ID:controller-list:cgroup-path */
		c1 = memchr(line, ':', len);
		if (!c1)
			continue;
		c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line));
		if (!c2)
			continue;
		if ((size_t)(c2 - c1 - 1) == strlen("name=systemd") &&
		    strncmp(c1 + 1, "name=systemd", (size_t)(c2 - c1 - 1)) == 0) {
			named = true;
		} else if (named || c1 != line + 1 || line[0] != '0' || c2 != c1 + 1) {
			continue;
		}
		path = c2 + 1;
		plen = len - (size_t)(path - line);
	}
	if (!path)
		return 0;
	if (plen >= sizeof(out->path))
		return -ENAMETOOLONG;
	memcpy(out->path, path, plen);
	out->path[plen] = '\0';
	return classify(out->path, uid, out);
}

int sysd_place_of(pid_t pid, uid_t uid, struct sysd_place *out)
{
	char path[64], buf[4096];
	ssize_t n;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	n = iso_read_file_at(AT_FDCWD, path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return sysd_parse_proc_cgroup(buf, uid, out);
}

bool sysd_running(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int sysd_pick_backend(enum iso_backend want, bool systemd_runs, const struct sysd_place *caller,
		      enum iso_backend *out, char *why, size_t whylen, struct iso_err *err)
{
	const char *where = caller->path[0] ? caller->path : "none";

	if (want == ISO_BACKEND_CGROUPFS) {
		snprintf(why, whylen, "cgroup_backend = cgroupfs");
		*out = ISO_BACKEND_CGROUPFS;
		return 0;
	}
	if (want == ISO_BACKEND_SYSTEMD) {
		if (!systemd_runs)
			return iso_err_set(err, -ENODEV,
					   "cgroup_backend = systemd, but systemd does not run "
					   "here (no " SYSD_RUN_SYSTEM ")");
		if (!caller->user_slice)
			return iso_err_set(err, -ENOENT,
					   "cgroup_backend = systemd, but the session is in no "
					   "logind slice (cgroup %s): pam_systemd must come "
					   "before pam_isolate in the PAM stack",
					   where);
		snprintf(why, whylen, "cgroup_backend = systemd, session in %s", where);
		*out = ISO_BACKEND_SYSTEMD;
		return 0;
	}
	if (!systemd_runs) {
		snprintf(why, whylen, "auto: systemd does not run here");
		*out = ISO_BACKEND_CGROUPFS;
	} else if (!caller->user_slice) {
		snprintf(why, whylen,
			 "auto: systemd runs, but the session is in %s, not in "
			 "user.slice (no pam_systemd before pam_isolate?)",
			 where);
		*out = ISO_BACKEND_CGROUPFS;
	} else {
		snprintf(why, whylen, "auto: systemd runs and the session is in %s", where);
		*out = ISO_BACKEND_SYSTEMD;
	}
	return 0;
}

int sysd_user_slice(uid_t uid, char *buf, size_t len)
{
	return iso_name_user_slice(buf, len, uid);
}

int sysd_holder_unit(uid_t uid, const char *sid, char *buf, size_t len)
{
	return iso_name_holder_unit(buf, len, uid, sid);
}

static uint64_t as_u64(int64_t v)
{
	return v == ISO_MAX ? UINT64_MAX : (uint64_t)v;
}

int sysd_limit_props(const struct iso_limits *lim, struct sysd_prop *props, size_t max)
{
	struct sysd_prop all[SYSD_MAX_PROPS];
	size_t n = 0;

	if (lim->cpu_quota != ISO_UNSET) {
		/* cpu_quota is in 1/100 % of one CPU: 5000 (50%) is half a
		 * second of CPU time per second, 500000 us. */
		all[n++] = (struct sysd_prop){
			"CPUQuotaPerSecUSec",
			lim->cpu_quota == ISO_MAX ? UINT64_MAX : (uint64_t)lim->cpu_quota * 100};
		if (lim->cpu_quota != ISO_MAX && lim->cpu_period_us > 0)
			all[n++] = (struct sysd_prop){"CPUQuotaPeriodUSec",
						      (uint64_t)lim->cpu_period_us};
	}
	if (lim->cpu_weight != ISO_UNSET)
		all[n++] = (struct sysd_prop){"CPUWeight", as_u64(lim->cpu_weight)};
	if (lim->tasks_max != ISO_UNSET)
		all[n++] = (struct sysd_prop){"TasksMax", as_u64(lim->tasks_max)};
	if (lim->memory_max != ISO_UNSET)
		all[n++] = (struct sysd_prop){"MemoryMax", as_u64(lim->memory_max)};
	if (lim->memory_high != ISO_UNSET)
		all[n++] = (struct sysd_prop){"MemoryHigh", as_u64(lim->memory_high)};
	if (lim->swap_max != ISO_UNSET)
		all[n++] = (struct sysd_prop){"MemorySwapMax", as_u64(lim->swap_max)};
	if (n > max)
		return -ENOBUFS;
	memcpy(props, all, n * sizeof(all[0]));
	return (int)n;
}

/* ---- D-Bus ---- */

int sysd_open(struct sysd **out, struct iso_err *err)
{
	struct sysd *s;
	const char *why = "";
	int r;

	/* libsystemd is loaded here, not at exec (sdbus_dl.c) */
	r = sdb_load(&why);
	if (r < 0)
		return iso_err_set(err, r, "systemd: %s", why);
	s = calloc(1, sizeof(*s));
	if (!s)
		return iso_err_set(err, -ENOMEM, "out of memory");
	r = sdb_open_system(&s->bus);
	if (r < 0) {
		iso_err_set(err, r, "systemd: cannot connect to the system bus: %s", strerror(-r));
		goto out;
	}
	r = sdb_set_method_call_timeout(s->bus, CALL_TIMEOUT_US);
	if (r < 0) {
		iso_err_set(err, r, "systemd: sd_bus_set_method_call_timeout: %s", strerror(-r));
		goto out;
	}
	*out = s;
	s = NULL;
	r = 0;
out:
	sysd_close(s);
	return r;
}

void sysd_close(struct sysd *s)
{
	if (!s)
		return;
	sdb_flush_close_unref(s->bus);
	free(s);
}

/* Fails with the bus error's text, which names what systemd disliked. */
static int bus_fail(struct iso_err *err, int r, const sd_bus_error *e, const char *what,
		    const char *unit)
{
	return iso_err_set(err, r, "systemd: %s %s: %s", what, unit,
			   e && sdb_error_is_set(e) ? e->message : strerror(-r));
}

/* A new Manager method call; m is unref'd by the caller. */
static int new_call(struct sysd *s, sd_bus_message **m, const char *method)
{
	return sdb_message_new_method_call(s->bus, m, SD_DEST, SD_PATH, SD_IFACE, method);
}

/* Sends a built Manager call (r: how the building went) and frees it;
 * the reply is not needed. */
static int call_built(struct sysd *s, int r, sd_bus_message *m, const char *method,
		      const char *unit, struct iso_err *err)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char what[64];

	if (r < 0) {
		snprintf(what, sizeof(what), "cannot build %s for", method);
		bus_fail(err, r, NULL, what, unit);
		goto out;
	}
	r = sdb_call(s->bus, m, 0, &e, &reply);
	if (r < 0) {
		bus_fail(err, r, &e, method, unit);
		goto out;
	}
	r = 0;
out:
	sdb_error_free(&e);
	sdb_message_unref(m);
	sdb_message_unref(reply);
	return r;
}

/* SetUnitProperties(unit, runtime = true, props): runtime, so the values
 * live in /run (system.control drop-ins) and go at reboot; the config
 * file stays the one source. */
static int set_props(struct sysd *s, const char *unit, const struct sysd_prop *props, size_t n,
		     struct iso_err *err)
{
	sd_bus_message *m = NULL;
	size_t i;
	int r;

	r = new_call(s, &m, "SetUnitProperties");
	if (r >= 0)
		r = sdb_message_append(m, "sb", unit, 1);
	if (r >= 0)
		r = sdb_message_open_container(m, 'a', "(sv)");
	for (i = 0; r >= 0 && i < n; i++)
		r = sdb_message_append(m, "(sv)", props[i].name, "t", props[i].value);
	if (r >= 0)
		r = sdb_message_close_container(m);
	return call_built(s, r, m, "SetUnitProperties", unit, err);
}

int sysd_apply_limits(struct sysd *s, uid_t uid, const struct iso_limits *lim, struct iso_err *err)
{
	struct sysd_prop props[SYSD_MAX_PROPS];
	char slice[64];
	int n, r;

	r = sysd_user_slice(uid, slice, sizeof(slice));
	if (r < 0)
		return iso_err_set(err, r, "systemd: slice name too long");
	n = sysd_limit_props(lim, props, SYSD_MAX_PROPS);
	if (n < 0)
		return iso_err_set(err, n, "systemd: too many properties");
	if (n == 0)
		return 0;
	return set_props(s, slice, props, (size_t)n, err);
}

int sysd_count_units(struct sysd *s, const char *pattern, int *n, struct iso_err *err)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	const char *f[9];
	uint32_t job;
	int r;

	*n = 0;
	r = new_call(s, &m, "ListUnitsByPatterns");
	if (r >= 0)
		r = sdb_message_append(m, "asas", 0, 1, pattern);
	if (r >= 0)
		r = sdb_call(s->bus, m, 0, &e, &reply);
	if (r >= 0)
		r = sdb_message_enter_container(reply, 'a', "(ssssssouso)");
	while (r >= 0) {
		r = sdb_message_read(reply, "(ssssssouso)", &f[0], &f[1], &f[2], &f[3], &f[4],
				     &f[5], &f[6], &job, &f[7], &f[8]);
		if (r <= 0)
			break;
		(*n)++;
	}
	if (r >= 0)
		r = sdb_message_exit_container(reply);
	if (r < 0)
		bus_fail(err, r, &e, "ListUnitsByPatterns", pattern);
	else
		r = 0;
	sdb_error_free(&e);
	sdb_message_unref(m);
	sdb_message_unref(reply);
	return r;
}

#define SYSD_WARN_BEFORE_S 60

/* The warning's shell line, values in it literally: the service manager
 * expands $ and % in a unit's command line, so the line has neither.
 * logind's TTY is the PAM application's PAM_TTY, never the user's word;
 * only pts/N and ttyN are written to, only while the user still owns it
 * (a pty given back and handed to another user is left alone), and from
 * a background subshell: a user who stops their terminal's output
 * (Ctrl-S) blocks the write, never the sleep and the end after it, and
 * the subshell is no session leader, so the unit never takes the
 * terminal as its own. */
static void warn_line(const char *session, uid_t uid, int64_t warn, char *buf, size_t len)
{
	const char *n;
	char *tty = NULL;
	bool ok = false;

	if (sdb_session_get_tty(session, &tty) >= 0 && tty) {
		n = !strncmp(tty, "pts/", 4) ? tty + 4 : !strncmp(tty, "tty", 3) ? tty + 3 : "";
		ok = *n && strspn(n, "0123456789") == strlen(n) && strlen(tty) < 16;
	}
	if (ok)
		snprintf(buf, len,
			 "if find /dev/%s -maxdepth 0 -type c -user %u | grep -q .; then "
			 "(printf '\\r\\npam_isolate: this session reaches its time limit "
			 "(session_max_time) in %lld s and will then be ended.\\r\\n' "
			 ">/dev/%s &); fi; sleep %lld",
			 tty, (unsigned)uid, (long long)warn, tty, (long long)warn);
	else
		snprintf(buf, len, "sleep %lld", (long long)warn);
	free(tty);
}

int sysd_start_max_time(struct sysd *s, uid_t uid, const char *sid, const char *session,
			int64_t seconds, struct iso_err *err)
{
	static const char *const loginctl[] = {"/usr/bin/loginctl", "/bin/loginctl"};
	char timer[SYSD_UNIT_MAX], service[SYSD_UNIT_MAX], desc[160], pattern[64], line[384];
	sd_bus_message *m = NULL;
	const char *exe = NULL;
	int64_t warn;
	size_t i;
	int r, n = 0;

	r = iso_name_max_time_timer(timer, sizeof(timer), uid, sid);
	if (r == 0)
		r = iso_name_max_time_service(service, sizeof(service), uid, sid);
	if (r < 0)
		return iso_err_set(err, r, "systemd: unit name too long");
	for (i = 0; i < sizeof(loginctl) / sizeof(loginctl[0]) && !exe; i++)
		if (access(loginctl[i], X_OK) == 0)
			exe = loginctl[i];
	if (!exe)
		return iso_err_set(err, -ENOENT, "systemd: no loginctl to end the session with");
	/* Each one is a unit in PID 1: a bounded number per user. */
	r = iso_name_max_time_timer(pattern, sizeof(pattern), uid, "*");
	if (r == 0)
		r = sysd_count_units(s, pattern, &n, err);
	if (r < 0)
		return r;
	if (n >= SYSD_MAX_TIMERS_PER_USER)
		return iso_err_set(err, -EUSERS,
				   "systemd: uid %u has %d session_max_time timers already, the "
				   "most one user may have",
				   (unsigned)uid, n);
	snprintf(desc, sizeof(desc), "pam_isolate session_max_time of session %s", session);
	/* the warning comes warn s before the end, as on cgroupfs */
	warn = seconds > SYSD_WARN_BEFORE_S ? SYSD_WARN_BEFORE_S : seconds > 1 ? seconds - 1 : 0;
	warn_line(session, uid, warn, line, sizeof(line));
	r = new_call(s, &m, "StartTransientUnit");
	if (r >= 0)
		r = sdb_message_append(m, "ss", timer, "fail");
	/* the timer: once, seconds - warn after now, then gone; to the
	 * second (systemd's default accuracy is a minute) */
	if (r >= 0)
		r = sdb_message_append(m, "a(sv)", 5, "Description", "s", desc, "RemainAfterElapse",
				       "b", 0, "CollectMode", "s", "inactive-or-failed",
				       "AccuracyUSec", "t", (uint64_t)1000000, "TimersMonotonic",
				       "a(st)", 1, "OnActiveSec",
				       (uint64_t)(seconds - warn) * 1000000ULL);
	/* its service, oneshot: the warning on the session's terminal (its
	 * failure ignored), warn s, then logind ends the session (scope,
	 * processes, records) */
	if (r >= 0)
		r = sdb_message_append(
			m, "a(sa(sv))", 1, service, 5, "Description", "s", desc, "CollectMode", "s",
			"inactive-or-failed", "Type", "s", "oneshot", "TimeoutStartUSec", "t",
			(uint64_t)(warn + 60) * 1000000ULL, "ExecStart", "a(sasb)", 2, "/bin/sh", 3,
			"sh", "-c", line, 1, exe, 3, "loginctl", "terminate-session", session, 0);
	return call_built(s, r, m, "StartTransientUnit", timer, err);
}

struct job_wait {
	char path[256]; /* the job we wait for; "" until the call returned */
	bool done;
	char result[32];
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct job_wait *w = userdata;
	const char *path, *unit, *result;
	uint32_t id;

	(void)ret_error;
	if (sdb_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
		return 0;
	if (w->path[0] && strcmp(path, w->path) == 0) {
		w->done = true;
		snprintf(w->result, sizeof(w->result), "%s", result);
	}
	return 0;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

/* Runs the bus until JobRemoved for w->path arrived, bounded. */
static int wait_job(struct sysd *s, struct job_wait *w)
{
	uint64_t deadline = now_us() + JOB_TIMEOUT_US;
	int r;

	while (!w->done) {
		uint64_t t;

		r = sdb_process(s->bus, NULL);
		if (r < 0)
			return r;
		if (r > 0)
			continue;
		t = now_us();
		if (t >= deadline)
			return -ETIMEDOUT;
		r = sdb_wait(s->bus, deadline - t);
		if (r < 0 && r != -EINTR)
			return r;
	}
	return 0;
}

int sysd_start_holder_scope(struct sysd *s, uid_t uid, const char *unit, pid_t pid, pid_t keeper,
			    uint64_t cpu_usec_per_s, struct iso_err *err)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_slot *slot = NULL;
	struct job_wait w = {.done = false};
	char slice[64], desc[96];
	const char *job;
	int r;

	r = sysd_user_slice(uid, slice, sizeof(slice));
	if (r < 0)
		return iso_err_set(err, r, "systemd: slice name too long");
	snprintf(desc, sizeof(desc), "pam_isolate sandbox holder of uid %u", (unsigned)uid);
	/* Subscribe before the call: the job may finish before its reply
	 * is read. */
	r = sdb_match_signal(s->bus, &slot, SD_DEST, SD_PATH, SD_IFACE, "JobRemoved",
			     on_job_removed, &w);
	if (r < 0) {
		bus_fail(err, r, NULL, "cannot watch the jobs for", unit);
		goto out;
	}
	r = new_call(s, &m, "StartTransientUnit");
	if (r >= 0)
		r = sdb_message_append(m, "ss", unit, "fail");
	if (r >= 0)
		r = sdb_message_open_container(m, 'a', "(sv)");
	if (r >= 0)
		r = sdb_message_append(m, "(sv)(sv)(sv)(sv)(sv)", "Description", "s", desc, "Slice",
				       "s", slice, "PIDs", "au", keeper > 0 ? 2 : 1, (uint32_t)pid,
				       (uint32_t)keeper, "CollectMode", "s", "inactive-or-failed",
				       "KillSignal", "i", SIGKILL);
	if (r >= 0 && cpu_usec_per_s)
		r = sdb_message_append(m, "(sv)", "CPUQuotaPerSecUSec", "t", cpu_usec_per_s);
	if (r >= 0)
		r = sdb_message_close_container(m);
	if (r >= 0)
		r = sdb_message_append(m, "a(sa(sv))", 0);
	if (r < 0) {
		bus_fail(err, r, NULL, "cannot build StartTransientUnit for", unit);
		goto out;
	}
	r = sdb_call(s->bus, m, 0, &e, &reply);
	if (r < 0) {
		/* the caller may pick another name */
		if (sdb_error_has_name(&e, "org.freedesktop.systemd1.UnitExists"))
			r = -EEXIST;
		bus_fail(err, r, &e, "StartTransientUnit", unit);
		goto out;
	}
	r = sdb_message_read(reply, "o", &job);
	if (r < 0) {
		bus_fail(err, r, NULL, "no job in the reply to StartTransientUnit", unit);
		goto out;
	}
	snprintf(w.path, sizeof(w.path), "%s", job);
	r = wait_job(s, &w);
	if (r < 0) {
		iso_err_set(err, r, "systemd: waiting for the start of %s: %s", unit, strerror(-r));
		goto out;
	}
	if (strcmp(w.result, "done") != 0) {
		r = iso_err_set(err, -EIO, "systemd: starting %s: job %s", unit, w.result);
		goto out;
	}
	r = 0;
out:
	sdb_slot_unref(slot);
	sdb_error_free(&e);
	sdb_message_unref(m);
	sdb_message_unref(reply);
	return r;
}

int sysd_stop_unit(struct sysd *s, const char *unit, struct iso_err *err)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int r;

	r = sdb_call_method(s->bus, SD_DEST, SD_PATH, SD_IFACE, "StopUnit", &e, &reply, "ss", unit,
			    "replace");
	/* gone already (its last process died) is what we wanted */
	if (r < 0 && !sdb_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit"))
		bus_fail(err, r, &e, "StopUnit", unit);
	else
		r = 0;
	sdb_error_free(&e);
	sdb_message_unref(reply);
	return r;
}

int sysd_online_sessions(uid_t uid, const char *except, int *n)
{
	char **list = NULL;
	int i, r;

	*n = 0;
	/* require_active 0: logind's ONLINE_SESSIONS, those not closing */
	r = sdb_uid_get_sessions(uid, 0, &list);
	if (r < 0)
		return r;
	for (i = 0; list && list[i]; i++) {
		if (!except || strcmp(list[i], except) != 0)
			(*n)++;
		free(list[i]);
	}
	free(list);
	return 0;
}
