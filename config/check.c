/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a parsed config asks that no login can do, and what is legal but
 * most likely a mistake on this machine.
 *
 * iso_limits_check() is the one place that decides whether a resolved
 * rule can be set up. The helper calls it at every open with the backend
 * it picked, isolatectl check-config calls it for every rule of the file
 * (default, each group over the default, each user as resolved at login)
 * and explain for the user it explains: so check-config can never approve
 * a rule the login then refuses. Every error and warning names the file
 * and line of the section it is about.
 */
#define _GNU_SOURCE
#include "config_internal.h"

#include <errno.h>
#include <limits.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The kernel's bounds for CFS bandwidth (kernel/sched/core.c): a quota
 * below 1 ms is refused with a bare EINVAL. */
#define KERNEL_MIN_QUOTA_US 1000
#define NOBODY_UID	    65534

/* Does the rule ask for any cgroup controller (helper/cgroup.c,
 * cg_needed)? Kept in step with it by test_check.c. */
bool iso_limits_manage_cgroup(const struct iso_limits *lim)
{
	for (size_t i = 0; i < ISO_NKEYS; i++) {
		if ((iso_keys[i].flags & ISO_KEY_CGROUP) &&
		    iso_key_get(&iso_keys[i], lim) != ISO_UNSET)
			return true;
	}
	return false;
}

unsigned iso_limits_problems(const struct iso_limits *lim, enum iso_backend backend)
{
	unsigned p = 0;
	int64_t period =
		lim->cpu_period_us == ISO_UNSET ? ISO_DEFAULT_CPU_PERIOD_US : lim->cpu_period_us;

	if (lim->cpu_quota != ISO_UNSET && lim->cpu_quota != ISO_MAX && lim->cpu_quota > 0 &&
	    lim->cpu_quota * period / 10000 < KERNEL_MIN_QUOTA_US)
		p |= ISO_PROB_QUOTA_MIN;
	/* cgroupfs finds the session by its leaf, which needs a managed
	 * controller; systemd's timer ends the logind session instead. auto
	 * may pick cgroupfs for any session, so only "systemd" is exempt. */
	if (lim->session_max_time != ISO_UNSET && lim->session_max_time != ISO_MAX &&
	    !iso_limits_manage_cgroup(lim) && backend != ISO_BACKEND_SYSTEMD)
		p |= ISO_PROB_MAX_TIME_NO_CGROUP;
	if (lim->on_logout == ISO_LOGOUT_KILL && !iso_limits_manage_cgroup(lim))
		p |= ISO_PROB_KILL_NO_CGROUP;
	if (lim->memory_high != ISO_UNSET && lim->memory_high != ISO_MAX &&
	    lim->memory_max != ISO_UNSET && lim->memory_max != ISO_MAX &&
	    lim->memory_high > lim->memory_max)
		p |= ISO_PROB_HIGH_OVER_MAX;
	/* tmp_size still sizes a private /dev/shm: not unused there */
	if (lim->private_tmp == ISO_TMP_DISK && lim->private_shm != 1 && lim->tmp_size != ISO_UNSET)
		p |= ISO_PROB_TMP_SIZE_DISK;
	return p;
}

/* One line per problem in probs; where names the rule ("default",
 * "group students over default"). */
static void describe(unsigned probs, const struct iso_limits *lim, const char *file, int line,
		     const char *where, struct iso_err *err, struct iso_err *warn)
{
	char a[32], b[32], c[32];
	int64_t period =
		lim->cpu_period_us == ISO_UNSET ? ISO_DEFAULT_CPU_PERIOD_US : lim->cpu_period_us;

	if (probs & ISO_PROB_QUOTA_MIN) {
		iso_format_percent(lim->cpu_quota, a, sizeof(a));
		iso_format_duration_us(period, b, sizeof(b));
		add_err(err, file, line,
			"%s: cpu_quota %s of a %s cpu_period is %lld us, below the kernel's "
			"minimum of 1000 us (raise cpu_quota or cpu_period)",
			where, a, b, (long long)(lim->cpu_quota * period / 10000));
	}
	if (probs & ISO_PROB_MAX_TIME_NO_CGROUP) {
		iso_format_duration_s(lim->session_max_time, a, sizeof(a));
		add_err(err, file, line,
			"%s: session_max_time = %s needs a cgroup limit (e.g. tasks_max) to "
			"find the session's processes; the login would be refused",
			where, a);
	}
	if (warn && (probs & ISO_PROB_KILL_NO_CGROUP))
		iso_err_add(warn, -EINVAL,
			    "%s:%d: warning: %s: on_logout = kill without a cgroup limit: "
			    "sessions cannot be told apart, so only the last logout kills "
			    "(set e.g. tasks_max)",
			    file, line, where);
	if (warn && (probs & ISO_PROB_HIGH_OVER_MAX)) {
		iso_format_size(lim->memory_high, a, sizeof(a));
		iso_format_size(lim->memory_max, c, sizeof(c));
		iso_err_add(warn, -EINVAL,
			    "%s:%d: warning: %s: memory_high %s is above memory_max %s: it "
			    "never throttles",
			    file, line, where, a, c);
	}
	if (warn && (probs & ISO_PROB_TMP_SIZE_DISK))
		iso_err_add(warn, -EINVAL,
			    "%s:%d: warning: %s: tmp_size applies to private_tmp = tmpfs and "
			    "private_shm only; a disk /tmp has no size limit but filesystem quotas",
			    file, line, where);
}

int iso_limits_check(const struct iso_limits *lim, enum iso_backend backend, const char *where,
		     struct iso_err *err)
{
	unsigned p = iso_limits_problems(lim, backend) & ISO_PROB_ERRORS;
	char a[32], b[32];

	if (!p)
		return 0;
	/* The helper's message: no file:line, the rule's description. */
	if (p & ISO_PROB_QUOTA_MIN) {
		int64_t period = lim->cpu_period_us == ISO_UNSET ? ISO_DEFAULT_CPU_PERIOD_US
								 : lim->cpu_period_us;

		iso_format_percent(lim->cpu_quota, a, sizeof(a));
		iso_format_duration_us(period, b, sizeof(b));
		iso_err_add(err, -EINVAL,
			    "%s: cpu_quota %s of a %s cpu_period is %lld us, below the "
			    "kernel's minimum of 1000 us",
			    where, a, b, (long long)(lim->cpu_quota * period / 10000));
	}
	if (p & ISO_PROB_MAX_TIME_NO_CGROUP)
		iso_err_add(err, -EINVAL,
			    "%s: session_max_time needs a cgroup limit (e.g. tasks_max) to find "
			    "the session's processes",
			    where);
	/* -ERANGE: only the kernel's bound is at fault, which the helper
	 * has always counted as a cgroup failure (on_cgroup_error). */
	return p & ISO_PROB_MAX_TIME_NO_CGROUP ? -EINVAL : -ERANGE;
}

/* ---- machine ---- */

int iso_machine_probe(struct iso_machine *m)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);

	memset(m, 0, sizeof(*m));
	m->ncpu = n > 0 ? n : 0;
	m->mem_bytes = pages > 0 && psz > 0 ? (int64_t)pages * psz : 0;
	m->pam_dir = "/etc/pam.d";
	m->check_names = true;
	m->systemd = access("/run/systemd/system", F_OK) == 0; /* sd_booted(3)'s test */
	return 0;
}

static void machine_limits(const struct iso_limits *lim, const struct iso_machine *m,
			   const char *file, int line, const char *where, struct iso_err *warn)
{
	char a[32], b[32];

	if (m->ncpu > 0 && lim->cpu_quota != ISO_UNSET && lim->cpu_quota != ISO_MAX &&
	    lim->cpu_quota > (int64_t)m->ncpu * 10000) {
		iso_format_percent(lim->cpu_quota, a, sizeof(a));
		iso_err_add(warn, -EINVAL,
			    "%s:%d: warning: %s: cpu_quota %s is more than the %ld CPU(s) of "
			    "this machine (%ld00%%): it limits nothing here",
			    file, line, where, a, m->ncpu, m->ncpu);
	}
	/* swap is not RAM, but a swap limit above RAM is just as surely a
	 * unit typo. */
	for (size_t i = 0; m->mem_bytes > 0 && i < ISO_NKEYS; i++) {
		int64_t v = iso_key_get(&iso_keys[i], lim);

		if (!(iso_keys[i].flags & ISO_KEY_RAM) || v == ISO_UNSET || v == ISO_MAX ||
		    v <= m->mem_bytes)
			continue;
		iso_format_size(v, a, sizeof(a));
		snprintf(b, sizeof(b), "%.1fG", (double)m->mem_bytes / (1 << 30));
		iso_err_add(warn, -EINVAL,
			    "%s:%d: warning: %s: %s %s is more than this machine's %s of RAM: it "
			    "limits nothing here",
			    file, line, where, iso_keys[i].name, a, b);
	}
}

/* One rule as the login resolves it: report problems the rule adds to
 * its parent's (so one bad default is not repeated for every group). */
static void check_rule(const struct iso_config *cfg, const struct iso_limits *lim, unsigned parent,
		       const struct iso_limits *own, const char *file, int line, const char *where,
		       const struct iso_machine *m, struct iso_err *err, struct iso_err *warn,
		       int *bad)
{
	unsigned p = iso_limits_problems(lim, cfg->cgroup_backend);
	unsigned rep = p & ~parent;

	/* The rule sets a key the problem is about: its own problem too. */
	if (own && (p & ISO_PROB_QUOTA_MIN) &&
	    (own->cpu_quota != ISO_UNSET || own->cpu_period_us != ISO_UNSET))
		rep |= ISO_PROB_QUOTA_MIN;
	if (own && (p & ISO_PROB_MAX_TIME_NO_CGROUP) && own->session_max_time != ISO_UNSET)
		rep |= ISO_PROB_MAX_TIME_NO_CGROUP;
	if (own && (p & ISO_PROB_HIGH_OVER_MAX) &&
	    (own->memory_high != ISO_UNSET || own->memory_max != ISO_UNSET))
		rep |= ISO_PROB_HIGH_OVER_MAX;
	if (own && (p & ISO_PROB_KILL_NO_CGROUP) && own->on_logout != ISO_UNSET)
		rep |= ISO_PROB_KILL_NO_CGROUP;
	if (own && (p & ISO_PROB_TMP_SIZE_DISK) &&
	    (own->tmp_size != ISO_UNSET || own->private_tmp != ISO_UNSET ||
	     own->private_shm != ISO_UNSET))
		rep |= ISO_PROB_TMP_SIZE_DISK;
	if (rep & ISO_PROB_ERRORS)
		*bad = 1;
	describe(rep, lim, file, line, where, err, warn);
	if (m && warn && own)
		machine_limits(own, m, file, line, where, warn);
	/* Said where a rule asks for it, not again for every rule below. */
	if (m && m->systemd && warn && own && own->namespaces != ISO_UNSET &&
	    (own->namespaces & ISO_NS_PID))
		iso_err_add(warn, -EINVAL,
			    "%s:%d: warning: %s: a pid namespace on a systemd host breaks "
			    "systemctl --user, sd-bus peer checks and units with PAMName=; "
			    "hide_processes = yes with namespaces = { user, mount } does not",
			    file, line, where);
}

/* The built-in values under the default section, as iso_policy_resolve
 * starts from them: resolving a user nobody has gives exactly that. */
static int resolve_default(const struct iso_config *cfg, struct iso_limits *out)
{
	struct iso_policy p;
	int r = iso_policy_resolve(cfg, "", (uid_t)-2, NULL, 0, &p);

	if (r == 0)
		*out = p.lim;
	return r;
}

static bool pam_service_exists(const struct iso_machine *m, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	/* Linux-PAM lower-cases the service name: so does the file name. */
	snprintf(path, sizeof(path), "%s/%s", m->pam_dir, name);
	for (char *p = path + strlen(m->pam_dir) + 1; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return stat(path, &st) == 0;
}

static void check_names(const struct iso_config *cfg, const struct iso_machine *m,
			struct iso_err *warn)
{
	for (size_t i = 0; i < cfg->n_users; i++)
		if (!getpwnam(cfg->users[i].name))
			iso_err_add(warn, -EINVAL, "%s:%d: warning: no user \"%s\" on this machine",
				    cfg->users[i].file, cfg->users[i].line, cfg->users[i].name);
	for (size_t i = 0; i < cfg->n_groups; i++)
		if (!getgrnam(cfg->groups[i].name))
			iso_err_add(warn, -EINVAL,
				    "%s:%d: warning: no group \"%s\" on this machine",
				    cfg->groups[i].file, cfg->groups[i].line, cfg->groups[i].name);
	for (size_t i = 0; i < cfg->n_exempt_users; i++) {
		const char *n = cfg->exempt_users[i];

		n += n[0] == '!';
		if (!getpwnam(n))
			add_warn(warn, cfg->path, cfg->exempt_users_line,
				 "exempt_users: no user \"%s\" on this machine: it exempts nobody",
				 n);
	}
	for (size_t i = 0; i < cfg->n_exempt_groups; i++) {
		const char *n = cfg->exempt_groups[i];

		n += n[0] == '!';
		if (!getgrnam(n))
			add_warn(warn, cfg->path, cfg->exempt_groups_line,
				 "exempt_groups: no group \"%s\" on this machine: it exempts "
				 "nobody",
				 n);
	}
	for (size_t i = 0; i < cfg->n_services; i++)
		if (!pam_service_exists(m, cfg->services[i]))
			add_warn(warn, cfg->path, cfg->services_line,
				 "services: no PAM service \"%s\" on this machine (no %s/%s): no "
				 "login is confined through it",
				 cfg->services[i], m->pam_dir, cfg->services[i]);
}

/* A confined nobody (65534) breaks the daemons and cron jobs that run as
 * it: min_uid below 65534 confines it unless it is exempt. */
static void check_nobody(const struct iso_config *cfg, struct iso_err *warn)
{
	struct passwd *pw = getpwuid(NOBODY_UID);
	struct iso_policy p;
	char **groups = NULL;
	size_t ngroups = 0;
	uid_t uid;
	gid_t gid;

	if (!pw || !iso_valid_name(pw->pw_name))
		return;
	char name[ISO_NAME_MAX + 1];

	snprintf(name, sizeof(name), "%s", pw->pw_name);
	if (iso_user_lookup(name, &uid, &gid, &groups, &ngroups) < 0)
		return;
	/* Only a rule that does something confines. */
	if (iso_policy_resolve(cfg, name, uid, (const char *const *)groups, ngroups, &p) == 0 &&
	    (p.match == ISO_MATCH_DEFAULT || p.match == ISO_MATCH_GROUP ||
	     p.match == ISO_MATCH_USER) &&
	    (iso_limits_manage_cgroup(&p.lim) || p.lim.namespaces))
		add_warn(warn, cfg->path, cfg->min_uid_line,
			 "%s (uid %u) is confined (min_uid %lld%s): daemons and cron jobs run as "
			 "it; add it to exempt_users",
			 name, (unsigned)uid, (long long)cfg->min_uid,
			 cfg->min_uid_line ? "" : ", built-in");
	iso_groups_free(groups, ngroups);
}

int iso_config_check(const struct iso_config *cfg, const struct iso_machine *m, struct iso_err *err,
		     struct iso_err *warn)
{
	struct iso_limits base, lim;
	unsigned pbase;
	char where[ISO_NAME_MAX * 2 + 64];
	int bad = 0;

	if (!cfg)
		return -EINVAL;
	iso_limits_init(&base);
	if (resolve_default(cfg, &base) < 0)
		return -EINVAL;
	check_rule(cfg, &base, 0, cfg->has_default ? &cfg->defaults : NULL,
		   cfg->has_default ? cfg->default_file : cfg->path, cfg->default_line,
		   cfg->has_default ? "default" : "built-in default", m, err, warn, &bad);
	pbase = iso_limits_problems(&base, cfg->cgroup_backend);
	for (size_t i = 0; i < cfg->n_groups; i++) {
		const struct iso_rule *g = &cfg->groups[i];

		lim = base;
		iso_limits_overlay(&lim, &g->lim, NULL, 0);
		iso_limits_imply(&lim);
		snprintf(where, sizeof(where), "group %s", g->name);
		check_rule(cfg, &lim, pbase, &g->lim, g->file, g->line, where, m, err, warn, &bad);
	}
	for (size_t i = 0; i < cfg->n_users; i++) {
		const struct iso_rule *u = &cfg->users[i];
		struct iso_policy p;
		char **groups = NULL;
		size_t ngroups = 0;
		unsigned parent = pbase;
		uid_t uid;
		gid_t gid;

		/* As at login: with the user's real groups when the user
		 * exists, else over the default (a warning names it). */
		snprintf(where, sizeof(where), "user %s", u->name);
		if (m && m->check_names &&
		    iso_user_lookup(u->name, &uid, &gid, &groups, &ngroups) == 0 &&
		    iso_policy_resolve(cfg, u->name, uid, (const char *const *)groups, ngroups,
				       &p) == 0) {
			lim = p.lim;
			if (p.group_name[0]) {
				snprintf(where, sizeof(where), "user %s over group %s", u->name,
					 p.group_name);
				for (size_t j = 0; j < cfg->n_groups; j++) {
					struct iso_limits gl = base;

					if (strcmp(cfg->groups[j].name, p.group_name))
						continue;
					iso_limits_overlay(&gl, &cfg->groups[j].lim, NULL, 0);
					iso_limits_imply(&gl);
					parent = iso_limits_problems(&gl, cfg->cgroup_backend);
					break;
				}
			}
			iso_groups_free(groups, ngroups);
		} else {
			lim = base;
			iso_limits_overlay(&lim, &u->lim, NULL, 0);
			iso_limits_imply(&lim);
		}
		check_rule(cfg, &lim, parent, &u->lim, u->file, u->line, where, m, err, warn, &bad);
	}
	if (m && m->check_names && warn) {
		check_names(cfg, m, warn);
		check_nobody(cfg, warn);
	}
	return bad ? -EINVAL : 0;
}
