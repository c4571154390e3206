/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * isolatectl apply: a config edit reaches the users who are logged in now,
 * not only their next login (a user in tmux may never log in again).
 *
 * Each live user's rule is resolved from the config as a login would, and
 * written with the writer the login uses: cg_user_apply on our cgroupfs
 * subtree (v1 or v2, with its memory_max clamp), sysd_apply_limits on the
 * user's slice for the systemd backend. There is no second limit writer,
 * so apply cannot drift from what a login sets. What changes is found by
 * reading the kernel's files before and after (the slice's cgroup files
 * for systemd): no state of ours can disagree with them.
 *
 * Every user is done under the user lock the helper takes for an open or
 * a close, so apply never races one. Keys of the sandbox and the session
 * (namespaces, private_tmp, session_max_time, thread_env) are fixed when
 * the sandbox or the session starts: apply says so and leaves them.
 */
#define _GNU_SOURCE
#include "ctl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "fsutil.h"
#include "iso_names.h"
#include "lock.h"
#include "systemd.h"

/* No such file: the limit is not there, shown as a key the rule does not
 * set (the same value, so the two compare alike). */
#define AP_NA ISO_UNSET

/* The live limits, in the config's units (iso_limits' fields). */
struct ap_snap {
	int64_t cpu_quota, cpu_period_us, cpu_weight, tasks_max, memory_max, memory_high, swap_max;
	int64_t mem_used;
};

/* Where a user's limits are: our subtree's user-<uid> (one fd per
 * hierarchy) or user-<uid>.slice. */
struct ap_where {
	bool systemd;
	bool v2;
	int fd[CG_NCTRL]; /* -1 where the user has no directory */
};

struct ap_run {
	struct iso_config *cfg;
	struct ctl_machine m;
	struct sysd *sd;
	int statedir;
	bool dry;
	int changed, unchanged, skipped, failed;
};

static int64_t ap_num(const char *s, const char *unlimited)
{
	char *end;
	long long v;

	if (!strcmp(s, unlimited) || !strcmp(s, "max"))
		return ISO_MAX;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s)
		return AP_NA;
	/* v1 prints "no limit" as a page-rounded LLONG_MAX */
	return v >= (1LL << 62) ? ISO_MAX : v;
}

static int64_t ap_file(const struct ap_where *w, unsigned ctrl, const char *file)
{
	int slot = __builtin_ctz(ctrl);
	char buf[128];

	if (w->fd[slot] < 0 || iso_read_file_at(w->fd[slot], file, buf, sizeof(buf)) <= 0)
		return AP_NA;
	buf[strcspn(buf, " \n")] = '\0';
	return ap_num(buf, "-1");
}

static void ap_read(const struct ap_where *w, struct ap_snap *s)
{
	char buf[128];
	int cpu = __builtin_ctz(CG_CPU);

	s->cpu_quota = s->cpu_period_us = s->cpu_weight = AP_NA;
	if (w->v2 && w->fd[cpu] >= 0 &&
	    iso_read_file_at(w->fd[cpu], "cpu.max", buf, sizeof(buf)) > 0) {
		char *sp = strchr(buf, ' ');
		int64_t q;

		q = sp ? (*sp = '\0', ap_num(buf, "max")) : AP_NA;
		s->cpu_period_us = sp ? ap_num(sp + 1, "max") : AP_NA;
		if (q == ISO_MAX)
			s->cpu_quota = ISO_MAX;
		else if (q != AP_NA && s->cpu_period_us > 0)
			s->cpu_quota = (q * 10000 + s->cpu_period_us / 2) / s->cpu_period_us;
	} else if (!w->v2) {
		int64_t q = ap_file(w, CG_CPU, "cpu.cfs_quota_us");

		s->cpu_period_us = ap_file(w, CG_CPU, "cpu.cfs_period_us");
		if (q == ISO_MAX)
			s->cpu_quota = ISO_MAX;
		else if (q != AP_NA && s->cpu_period_us > 0)
			s->cpu_quota = (q * 10000 + s->cpu_period_us / 2) / s->cpu_period_us;
	}
	if (w->v2) {
		s->cpu_weight = ap_file(w, CG_CPU, "cpu.weight");
	} else {
		int64_t shares = ap_file(w, CG_CPU, "cpu.shares");

		/* the writer's 100 -> 1024 mapping, back */
		s->cpu_weight = shares == AP_NA ? AP_NA : (shares * 100 + 512) / 1024;
	}
	s->tasks_max = ap_file(w, CG_PIDS, "pids.max");
	s->memory_max = ap_file(w, CG_MEMORY, w->v2 ? "memory.max" : "memory.limit_in_bytes");
	s->memory_high =
		ap_file(w, CG_MEMORY, w->v2 ? "memory.high" : "memory.soft_limit_in_bytes");
	s->mem_used = ap_file(w, CG_MEMORY, w->v2 ? "memory.current" : "memory.usage_in_bytes");
	if (w->v2) {
		s->swap_max = ap_file(w, CG_MEMORY, "memory.swap.max");
	} else {
		int64_t memsw = ap_file(w, CG_MEMORY, "memory.memsw.limit_in_bytes");

		s->swap_max = memsw == AP_NA || memsw == ISO_MAX || s->memory_max == AP_NA ||
					      s->memory_max == ISO_MAX
				      ? memsw
				      : memsw - s->memory_max;
	}
}

/* What the writer will put there: the rule's value, as the kernel will
 * report it (v1 shares round the weight). */
static void ap_want(const struct iso_limits *lim, bool v2, struct ap_snap *s)
{
	*s = (struct ap_snap){lim->cpu_quota,  lim->cpu_period_us, lim->cpu_weight, lim->tasks_max,
			      lim->memory_max, lim->memory_high,   lim->swap_max,   0};
	if (s->cpu_quota == ISO_UNSET)
		s->cpu_period_us = ISO_UNSET;
	if (!v2 && s->cpu_weight != ISO_UNSET && s->cpu_weight != ISO_MAX) {
		int64_t shares = s->cpu_weight * 1024 / 100;

		s->cpu_weight = ((shares < 2 ? 2 : shares) * 100 + 512) / 1024;
	}
}

struct ap_field {
	const char *key;
	unsigned ctrl;
	size_t off;
};

static const struct ap_field ap_fields[] = {
	{"cpu_quota", CG_CPU, offsetof(struct ap_snap, cpu_quota)},
	{"cpu_period", CG_CPU, offsetof(struct ap_snap, cpu_period_us)},
	{"cpu_weight", CG_CPU, offsetof(struct ap_snap, cpu_weight)},
	{"tasks_max", CG_PIDS, offsetof(struct ap_snap, tasks_max)},
	{"memory_max", CG_MEMORY, offsetof(struct ap_snap, memory_max)},
	{"memory_high", CG_MEMORY, offsetof(struct ap_snap, memory_high)},
	{"swap_max", CG_MEMORY, offsetof(struct ap_snap, swap_max)},
};

static int64_t ap_get(const struct ap_snap *s, const struct ap_field *f)
{
	return *(const int64_t *)(const void *)((const char *)s + f->off);
}

static void ap_fmt(const char *key, int64_t v, char *buf, size_t len)
{
	const struct iso_key *k = iso_key_find(key);

	if (v == AP_NA)
		snprintf(buf, len, "unset");
	else if (v == ISO_MAX)
		snprintf(buf, len, "max");
	else if (k)
		iso_key_format(k, v, buf, len);
	else
		snprintf(buf, len, "%lld", (long long)v);
}

/* Prints "alice  key old -> new" for each limit that differs and adds it
 * to the log line; returns how many differ. */
static int ap_diff(const char *user, const struct ap_snap *from, const struct ap_snap *to,
		   unsigned ctrls, char *log, size_t loglen)
{
	char a[48], b[48];
	int n = 0;

	for (size_t i = 0; i < NELEM(ap_fields); i++) {
		const struct ap_field *f = &ap_fields[i];
		int64_t x = ap_get(from, f), y = ap_get(to, f);
		size_t used = strlen(log);

		if (!(ctrls & f->ctrl) || y == AP_NA || x == y)
			continue;
		ap_fmt(f->key, x, a, sizeof(a));
		ap_fmt(f->key, y, b, sizeof(b));
		printf("%-12s %s %s -> %s\n", user, f->key, a, b);
		snprintf(log + used, loglen - used, "%s%s %s -> %s", used ? "; " : "", f->key, a,
			 b);
		n++;
	}
	return n;
}

static void ap_where_close(struct ap_where *w)
{
	for (int i = 0; i < CG_NCTRL; i++) {
		if (w->fd[i] >= 0)
			close(w->fd[i]);
		w->fd[i] = -1;
	}
}

/* Opens the user's directories: where they are missing, the user has no
 * live cgroup there (a new controller waits for the next login on v1:
 * the sessions' processes are not in that hierarchy). */
static unsigned ap_where_open(struct ap_run *R, uid_t uid, bool systemd, struct ap_where *w)
{
	const struct cg_layout *L = &R->m.layout;
	unsigned have = 0;

	w->systemd = systemd;
	w->v2 = L->version == CG_V2;
	for (int i = 0; i < CG_NCTRL; i++) {
		char path[PATH_MAX], slice[64];
		const char *mnt = w->v2 ? L->v2_path : L->v1_path[i];
		int fd;

		w->fd[i] = -1;
		if (!mnt[0])
			continue;
		if (systemd) {
			if (iso_name_user_slice(slice, sizeof(slice), uid) < 0 ||
			    iso_snprintf(path, sizeof(path), "%s/user.slice/%s", mnt, slice) < 0)
				continue;
		} else if (cg_path(R->m.cg, 1u << i, uid, "", path, sizeof(path)) < 0) {
			continue;
		}
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		w->fd[i] = fd;
		have |= 1u << i;
	}
	return have;
}

/* The user's sandbox holders: their keys cannot change live. */
static bool ap_has_sandbox(const struct ap_run *R, uid_t uid)
{
	struct ctl_state st;
	bool any = false;

	if (R->statedir < 0 || ctl_state_read(R->statedir, &st) < 0)
		return false;
	for (size_t i = 0; i < st.nrec; i++)
		any |= st.rec[i].uid == uid && st.rec[i].alive;
	ctl_state_free(&st);
	return any;
}

static void ap_user(struct ap_run *R, uid_t uid, bool systemd)
{
	struct ap_where w = {.fd = {-1, -1, -1}};
	struct ap_snap before, want, after;
	struct iso_policy pol;
	struct iso_err err;
	char name[64], desc[160], log[1024] = "", **groups = NULL;
	const char *where = systemd ? "systemd slice" : "cgroupfs";
	size_t ngroups = 0;
	unsigned need, have, ctrls;
	int lockfd = -1, n = 0, r;
	bool known;
	gid_t gid;

	ctl_user_name(uid, name, sizeof(name), &known);
	r = known ? iso_user_lookup(name, &uid, &gid, &groups, &ngroups) : -ENOENT;
	if (r == -ENOENT) {
		printf("%-12s no passwd entry: skipped (its limits stay until logout)\n", name);
		R->skipped++;
		return;
	}
	if (r < 0) {
		/* an NSS failure (sssd, LDAP): the rule cannot be known */
		printf("%-12s cannot read the user's groups (%s): skipped\n", name, strerror(-r));
		R->failed++;
		return;
	}
	if (iso_policy_resolve(R->cfg, name, uid, (const char *const *)groups, ngroups, &pol) < 0) {
		printf("%-12s cannot resolve the rule: skipped\n", name);
		R->failed++;
		goto out;
	}
	iso_policy_describe(&pol, desc, sizeof(desc));
	if (pol.match >= ISO_MATCH_EXEMPT_USER) {
		/* Lifting limits from a running session is not what an
		 * exemption promises (it says: do not touch): the cgroup
		 * keeps its limits until the user's last logout. */
		printf("%-12s now exempt (%s): limits left as they are until logout\n", name, desc);
		R->skipped++;
		goto out;
	}
	/* what a login would write: under mode = audit, no limit (every
	 * managed key "max"), as session_open.c does */
	if (pol.lim.mode == ISO_MODE_AUDIT)
		printf("%-12s mode = audit: limits lifted to what the kernel only accounts\n",
		       name);
	iso_limits_audit(&pol.lim);
	if (iso_user_lock(R->statedir, uid, ISO_LOCK_WAIT_MS, &lockfd, &err) < 0) {
		printf("%-12s cannot take the user lock: %s\n", name, err.msg);
		R->failed++;
		goto out;
	}
	/* Under the lock: a close that removed the cgroup has finished. */
	have = ap_where_open(R, uid, systemd, &w);
	if (!have) {
		printf("%-12s no live %s cgroup: skipped\n", name, where);
		R->skipped++;
		goto out;
	}
	need = cg_needed(&pol.lim);
	ctrls = need & have;
	ap_read(&w, &before);
	ap_want(&pol.lim, w.v2, &want);
	if (!w.v2 && !systemd && (need & ~have)) {
		for (unsigned bit = 1; bit <= CG_MEMORY; bit <<= 1)
			if (need & ~have & bit)
				printf("%-12s %s: the sessions are not in the %s hierarchy; "
				       "takes effect at the next login\n",
				       name, cg_ctrl_name(bit), cg_ctrl_name(bit));
	}
	if (systemd)
		ctrls = need; /* systemd enables what the properties need */
	if (R->dry) {
		n = ap_diff(name, &before, &want, ctrls, log, sizeof(log));
		if (want.memory_max != ISO_UNSET && want.memory_max != ISO_MAX &&
		    before.mem_used != AP_NA && before.mem_used > want.memory_max && !systemd)
			printf("%-12s memory_max below the %lld bytes in use: would be set to the "
			       "usage, as at login\n",
			       name, (long long)before.mem_used);
	} else {
		if (systemd)
			r = sysd_apply_limits(R->sd, uid, &pol.lim, &err);
		else
			r = cg_user_apply(R->m.cg, uid, &pol.lim, ctrls, &err);
		if (r < 0) {
			printf("%-12s FAILED: %s\n", name, err.msg);
			syslog(LOG_ERR, "apply user=%s: %s", name, err.msg);
			R->failed++;
			goto out;
		}
		ap_read(&w, &after);
		n = ap_diff(name, &before, &after, ctrls, log, sizeof(log));
		if (!systemd) {
			int64_t conf, used;

			if (cg_memory_clamped(R->m.cg, &conf, &used)) {
				printf("%-12s memory_max %lld is below the %lld bytes in use: "
				       "set to the usage, as at login; the configured value "
				       "applies at a later login or apply\n",
				       name, (long long)conf, (long long)used);
				syslog(LOG_WARNING,
				       "apply user=%s: memory_max %lld below usage, set to %lld",
				       name, (long long)conf, (long long)used);
			}
		}
		if (n)
			syslog(LOG_NOTICE, "apply user=%s rule=%s where=%s: %s", name, desc, where,
			       log);
	}
	if (systemd && want.memory_max != ISO_UNSET && want.memory_max != ISO_MAX &&
	    before.mem_used != AP_NA && before.mem_used > want.memory_max)
		printf("%-12s memory_max below the %lld bytes in use: systemd applies it as is "
		       "(no clamp on this backend, as at login)\n",
		       name, (long long)before.mem_used);
	if (ap_has_sandbox(R, uid))
		printf("%-12s namespaces, private_tmp, tmp_size, no_new_privs: take effect at "
		       "the next sandbox\n",
		       name);
	if (n)
		R->changed++;
	else {
		printf("%-12s no change (%s)\n", name, desc);
		R->unchanged++;
	}
out:
	ap_where_close(&w);
	if (lockfd >= 0)
		iso_user_unlock(R->statedir, uid, lockfd, false);
	iso_groups_free(groups, ngroups);
}

/* Users logind has now: /run/systemd/users/<uid>. */
static int ap_systemd_users(uid_t **uids, size_t *n)
{
	struct dirent *de;
	DIR *d = opendir("/run/systemd/users");

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		char *end;
		unsigned long u;

		errno = 0;
		u = strtoul(de->d_name, &end, 10);
		if (errno || end == de->d_name || *end || u == 0)
			continue;
		if (ctl_uid_add(uids, n, (uid_t)u) < 0) {
			closedir(d);
			return -ENOMEM;
		}
	}
	closedir(d);
	return 0;
}

static bool ap_wanted(const uid_t *want, size_t nwant, uid_t u)
{
	return nwant == 0 || ctl_uid_has(want, nwant, u);
}

int cmd_apply(int argc, char **argv)
{
	struct ap_run R = {.statedir = -1};
	struct iso_err err, warn;
	struct iso_machine mach;
	struct ctl_args a;
	uid_t *want = NULL, *cf = NULL, *sd = NULL;
	size_t nwant = 0, ncf = 0, nsd = 0;
	bool use_sd;
	int r;

	r = ctl_parse(argc, argv, false, 0, INT_MAX, &a);
	if (r != CTL_OK)
		goto out;
	R.dry = a.dry_run;
	if (geteuid() != 0) {
		ctl_warn("apply writes the users' cgroups and takes their locks: run as root");
		r = CTL_NEEDS_ROOT;
		goto out;
	}
	for (int i = 0; i < a.npos; i++) {
		uid_t u;

		if (ctl_lookup_uid(a.pos[i], &u) < 0) {
			ctl_warn("apply: %s: no such user", a.pos[i]);
			r = CTL_FAIL;
			goto out;
		}
		if (ctl_uid_add(&want, &nwant, u) < 0) {
			r = CTL_FAIL;
			goto out;
		}
	}
	/* What check-config refuses, apply refuses: the owner checks of the
	 * load, then every rule as a login would resolve it. */
	r = ctl_load_config(a.conf, &R.cfg);
	if (r != CTL_OK)
		goto out;
	iso_err_clear(&err);
	iso_err_clear(&warn);
	iso_machine_probe(&mach);
	if (iso_config_check(R.cfg, &mach, &err, &warn) < 0) {
		ctl_print_err(&err);
		ctl_warn("apply: %s is refused by check-config; nothing applied", a.conf);
		r = CTL_FAIL;
		goto out;
	}
	r = ctl_state_open(true, &R.statedir);
	if (r != CTL_OK)
		goto out;
	r = CTL_FAIL;
	if (ctl_machine_open(R.cfg->cgroup_root, &R.m) < 0 && !R.m.have_layout) {
		ctl_warn("apply: cgroups: %s", R.m.err.msg);
		goto out;
	}
	if (R.m.cg && cg_list_users(R.m.cg, &cf, &ncf) < 0) {
		ctl_warn("apply: cannot list the users of cgroup_root \"%s\"", R.cfg->cgroup_root);
		goto out;
	}
	use_sd = R.cfg->cgroup_backend != ISO_BACKEND_CGROUPFS && sysd_running(SYSD_RUN_SYSTEM);
	if (use_sd && ap_systemd_users(&sd, &nsd) < 0) {
		ctl_warn("apply: cannot list logind's users");
		goto out;
	}
	if (use_sd && nsd && !R.dry && sysd_open(&R.sd, &err) < 0) {
		ctl_print_err(&err);
		goto out;
	}
	if (!R.dry)
		openlog("isolatectl", LOG_PID, LOG_AUTHPRIV);
	if (R.dry)
		printf("dry run: nothing is written\n");
	for (size_t i = 0; i < ncf; i++)
		if (ap_wanted(want, nwant, cf[i]) && R.m.cg)
			ap_user(&R, cf[i], false);
	for (size_t i = 0; i < nsd; i++)
		if (ap_wanted(want, nwant, sd[i]))
			ap_user(&R, sd[i], true);
	for (size_t i = 0; i < nwant; i++) {
		if (ctl_uid_has(cf, ncf, want[i]) || ctl_uid_has(sd, nsd, want[i]))
			continue;
		char name[64];
		bool known;

		ctl_user_name(want[i], name, sizeof(name), &known);
		printf("%-12s no live cgroup: skipped\n", name);
		R.skipped++;
	}
	printf("%s%d changed, %d unchanged, %d skipped, %d failed\n", R.dry ? "would be: " : "",
	       R.changed, R.unchanged, R.skipped, R.failed);
	if (!R.dry)
		syslog(LOG_INFO,
		       "apply by uid %u of %s: %d changed, %d unchanged, %d skipped, %d failed",
		       (unsigned)getuid(), a.conf, R.changed, R.unchanged, R.skipped, R.failed);
	r = R.failed ? CTL_FAIL : CTL_OK;
out:
	if (R.sd)
		sysd_close(R.sd);
	free(want);
	free(cf);
	free(sd);
	ctl_machine_close(&R.m);
	iso_config_free(R.cfg);
	if (R.statedir >= 0)
		close(R.statedir);
	return r < 0 ? CTL_OK : r;
}
