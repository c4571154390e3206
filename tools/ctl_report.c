/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * isolatectl report [USER...]: what each user's rule would have done,
 * from what the kernel accounted in the user's cgroup. Meant for users
 * under mode = audit (placed and accounted, nothing limited), and true for
 * enforced users too (their usage is then at most the limit). Read only.
 *
 * What is measured, and what cannot be:
 *  - CPU: cumulative usage against cpu_quota x the wall time since the
 *    user cgroup was made (its directory's mtime: kernfs sets it at mkdir
 *    and a new child does not change it). v2 has usage_usec in cpu.stat;
 *    v1 has cpuacct.usage only when cpuacct is co-mounted with cpu. Where
 *    it is not, the figure is the CPU time of the processes now in the
 *    cgroup and of the children they reaped (/proc/PID/stat): processes
 *    that ended unreaped by one of them are missing, so it is a lower
 *    bound. Excess within one cpu_period (bursts the quota would have
 *    throttled while the average stays below) needs sampling: not measured.
 *    A cgroup kept over several sessions (on_logout = keep) averages over
 *    all of them, idle time between included.
 *  - tasks: the peak is pids.peak (kernel 6.13 and later, v1 and v2);
 *    before, only the count now.
 *  - memory: the peak is v2 memory.peak, v1 memory.max_usage_in_bytes,
 *    both only where the user's cgroup has the memory controller.
 */
#define _GNU_SOURCE
#include "ctl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RP_NA	   (-2LL)      /* no such file */
#define RP_V1_HUGE (1LL << 62) /* v1's "no limit" */
#define RP_DEPTH   3	       /* user dir, its leaves, and one level more */

const char *ctl_user_mode(const struct iso_config *cfg, const char *name, uid_t uid)
{
	struct iso_policy pol;
	char **groups = NULL;
	size_t ngroups = 0;
	uid_t u;
	gid_t gid;
	int r;

	if (!cfg)
		return "unknown (config unusable)";
	r = iso_user_lookup(name, &u, &gid, &groups, &ngroups);
	if (r == 0 && u != uid) {
		iso_groups_free(groups, ngroups);
		r = -ENOENT;
	}
	if (r == -ENOENT)
		return "unknown (no such user)";
	if (r < 0) /* an NSS failure (sssd, LDAP): the rule cannot be known */
		return "unknown (cannot read the user's groups)";
	r = iso_policy_resolve(cfg, name, uid, (const char *const *)groups, ngroups, &pol);
	iso_groups_free(groups, ngroups);
	if (r < 0)
		return "unknown";
	if (pol.match == ISO_MATCH_EXEMPT_USER || pol.match == ISO_MATCH_EXEMPT_GROUP ||
	    pol.match == ISO_MATCH_EXEMPT_UID)
		return "exempt";
	return pol.lim.mode == ISO_MODE_AUDIT ? "audit (no limit written: isolatectl report)"
					      : "enforce";
}

static long long rp_num(const char *s)
{
	char *end;
	long long v;

	if (!strncmp(s, "max", 3))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno || end == s ? RP_NA : v;
}

static long long rp_file(const struct ctl_machine *m, unsigned ctrl, uid_t uid, const char *file)
{
	char buf[256];

	if (cg_read(m->cg, ctrl, uid, "", file, buf, sizeof(buf)) < 0)
		return RP_NA;
	return rp_num(buf);
}

static long long rp_keyed(const struct ctl_machine *m, unsigned ctrl, uid_t uid, const char *file,
			  const char *key)
{
	char buf[1024], *p = buf;
	size_t n = strlen(key);

	if (cg_read(m->cg, ctrl, uid, "", file, buf, sizeof(buf)) < 0)
		return RP_NA;
	while (p && *p) {
		if (!strncmp(p, key, n) && p[n] == ' ')
			return rp_num(p + n + 1);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return RP_NA;
}

/* utime + stime + cutime + cstime of one process, in clock ticks. */
static long long rp_proc_ticks(const char *pid)
{
	char path[64], buf[1024], *p, *end;
	unsigned long long v, sum = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* ended meanwhile */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields follow the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* utime, stime, cutime, cstime are fields 14..17; after ')' come
	 * state (3) .. cmajflt (13) */
	for (int i = 0; i < 12; i++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return 0;
	}
	for (int i = 0; i < 4; i++) {
		errno = 0;
		v = strtoull(p + 1, &end, 10);
		if (errno || end == p + 1)
			return 0;
		sum += v;
		p = end;
	}
	return (long long)sum;
}

static long long rp_tree_ticks(int dirfd, int depth);

struct rp_walk {
	long long sum;
	int depth;
};

static void rp_sub_ticks(int subfd, void *arg)
{
	struct rp_walk *w = arg;

	w->sum += rp_tree_ticks(subfd, w->depth + 1);
}

/* Sums rp_proc_ticks over cgroup.procs of dir and its subdirectories. */
static long long rp_tree_ticks(int dirfd, int depth)
{
	struct rp_walk w = {.sum = 0, .depth = depth};
	char line[32];
	FILE *f;
	int fd;

	fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f && fd >= 0)
		close(fd);
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		w.sum += rp_proc_ticks(line);
	}
	if (f)
		fclose(f);
	if (depth < RP_DEPTH)
		ctl_each_subdir(dirfd, rp_sub_ticks, &w);
	return w.sum;
}

struct rp_cpu {
	long long usage_us; /* RP_NA: unknown */
	const char *source;
	double wall_s; /* since the user cgroup was made; < 0 unknown */
};

static void rp_read_cpu(const struct ctl_machine *m, uid_t uid, struct rp_cpu *c)
{
	char path[PATH_MAX];
	struct timespec now;
	struct stat sb;
	int fd;

	c->usage_us = RP_NA;
	c->source = "";
	c->wall_s = -1;
	if (cg_path(m->cg, CG_CPU, uid, "", path, sizeof(path)) < 0 || stat(path, &sb) < 0) {
		if (cg_path(m->cg, CG_PIDS, uid, "", path, sizeof(path)) < 0 || stat(path, &sb) < 0)
			return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	c->wall_s = (double)(now.tv_sec - sb.st_mtim.tv_sec) +
		    (double)(now.tv_nsec - sb.st_mtim.tv_nsec) / 1e9;
	if (m->layout.version == CG_V2) {
		c->usage_us = rp_keyed(m, CG_CPU, uid, "cpu.stat", "usage_usec");
		c->source = "cpu.stat usage_usec";
		return;
	}
	c->usage_us = rp_file(m, CG_CPU, uid, "cpuacct.usage");
	if (c->usage_us >= 0) {
		c->usage_us /= 1000;
		c->source = "cpuacct.usage";
		return;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	c->usage_us = rp_tree_ticks(fd, 0) * 1000000LL / sysconf(_SC_CLK_TCK);
	close(fd);
	c->source = "/proc of the processes in it (cgroup v1 without cpuacct here: "
		    "a lower bound, ended processes are missing)";
}

static void rp_fmt_bytes(long long v, char *buf, size_t len)
{
	if (v < 0)
		snprintf(buf, len, "max");
	else if (v >= 1LL << 30)
		snprintf(buf, len, "%.2fG", (double)v / (double)(1LL << 30));
	else
		snprintf(buf, len, "%.1fM", (double)v / (double)(1LL << 20));
}

static void rp_print_cpu(const struct ctl_machine *m, uid_t uid, const struct iso_limits *lim)
{
	struct rp_cpu c;
	double used, allowed, pct, slack;

	rp_read_cpu(m, uid, &c);
	printf("  %-8s ", "cpu");
	if (c.wall_s < 0 || c.usage_us == RP_NA) {
		printf("not accounted (no cpu or pids cgroup for this user)\n");
		return;
	}
	used = (double)c.usage_us / 1e6;
	pct = c.wall_s > 0 ? used / c.wall_s * 100.0 : 0;
	printf("%.2f s used in %.2f s since the user cgroup was made = %.1f%% of one CPU\n", used,
	       c.wall_s, pct);
	printf("  %-8s from %s\n", "", c.source);
	printf("  %-8s ", "");
	if (lim->cpu_quota == ISO_UNSET || lim->cpu_quota == ISO_MAX) {
		printf("would-be cpu_quota %s: nothing to exceed\n",
		       lim->cpu_quota == ISO_MAX ? "max" : "not set");
		return;
	}
	allowed = (double)lim->cpu_quota / 10000.0 * c.wall_s;
	/* an enforced cgroup lands a little above: the quota is written
	 * after the mkdir, a period's runtime may come early, /proc counts
	 * in ticks */
	slack = allowed * 0.05 +
		2.0 * (double)lim->cpu_quota / 10000.0 *
			(double)(lim->cpu_period_us > 0 ? lim->cpu_period_us
							: ISO_DEFAULT_CPU_PERIOD_US) /
			1e6 +
		0.02;
	if (used > allowed + slack)
		printf("would-be cpu_quota %.4g%% allows %.2f s: ABOVE by %.2f s (%.1fx)\n",
		       (double)lim->cpu_quota / 100.0, allowed, used - allowed,
		       allowed > 0 ? used / allowed : 0);
	else
		printf("would-be cpu_quota %.4g%% allows %.2f s: within%s\n",
		       (double)lim->cpu_quota / 100.0, allowed,
		       used > allowed ? " (at the quota, within measurement error)" : "");
	printf("  %-8s excess within single cpu_periods (bursts) is not measured: it needs "
	       "sampling\n",
	       "");
}

static void rp_print_tasks(const struct ctl_machine *m, uid_t uid, const struct iso_limits *lim)
{
	long long now = rp_file(m, CG_PIDS, uid, "pids.current");
	long long peak = rp_file(m, CG_PIDS, uid, "pids.peak");
	char max[32];

	if (lim->tasks_max == ISO_UNSET)
		snprintf(max, sizeof(max), "not set");
	else if (lim->tasks_max == ISO_MAX)
		snprintf(max, sizeof(max), "max");
	else
		snprintf(max, sizeof(max), "%lld", (long long)lim->tasks_max);
	printf("  %-8s ", "tasks");
	if (now == RP_NA) {
		printf("not accounted (no pids cgroup for this user); would-be tasks_max %s\n",
		       max);
		return;
	}
	if (peak == RP_NA) {
		printf("now %lld, peak unknown (%s); would-be tasks_max %s\n", now,
		       "no pids.peak: the kernel keeps a peak only from 6.13 on", max);
		return;
	}
	printf("peak %lld (now %lld) vs would-be tasks_max %s: %s\n", peak, now, max,
	       lim->tasks_max >= 0 && peak > lim->tasks_max ? "ABOVE" : "within");
}

static void rp_print_memory(const struct ctl_machine *m, uid_t uid, const struct iso_limits *lim)
{
	bool v2 = m->layout.version == CG_V2;
	long long peak =
		rp_file(m, CG_MEMORY, uid, v2 ? "memory.peak" : "memory.max_usage_in_bytes");
	char a[32], b[32], c[32];

	printf("  %-8s ", "memory");
	if (peak == RP_NA) {
		printf("not accounted: the user's cgroup has no memory controller (the rule sets "
		       "no memory key%s)\n",
		       v2 ? "" : ", or the host's v1 memory hierarchy is not ours");
		return;
	}
	if (peak >= RP_V1_HUGE)
		peak = -1;
	rp_fmt_bytes(peak, a, sizeof(a));
	rp_fmt_bytes(lim->memory_max == ISO_UNSET ? -1 : lim->memory_max, b, sizeof(b));
	rp_fmt_bytes(lim->memory_high == ISO_UNSET ? -1 : lim->memory_high, c, sizeof(c));
	printf("peak %s (%s) vs would-be memory_max %s: %s, memory_high %s: %s\n", a,
	       v2 ? "memory.peak" : "memory.max_usage_in_bytes", b,
	       lim->memory_max >= 0 && peak > lim->memory_max ? "ABOVE" : "within", c,
	       lim->memory_high >= 0 && peak > lim->memory_high ? "ABOVE" : "within");
}

static int rp_user(const struct iso_config *cfg, const struct ctl_machine *m, uid_t uid)
{
	char name[64], desc[160], **groups = NULL;
	struct iso_policy pol = {0};
	size_t ngroups = 0;
	bool known;
	gid_t gid;
	uid_t u;
	int r;

	ctl_user_name(uid, name, sizeof(name), &known);
	if (!known) {
		printf("%s: no passwd entry, no rule to compare with\n", name);
		return 0;
	}
	r = iso_user_lookup(name, &u, &gid, &groups, &ngroups);
	if (r == 0)
		r = iso_policy_resolve(cfg, name, uid, (const char *const *)groups, ngroups, &pol);
	iso_groups_free(groups, ngroups);
	if (r < 0) {
		ctl_warn("report: %s: %s", name, strerror(-r));
		return r;
	}
	iso_policy_describe(&pol, desc, sizeof(desc));
	printf("%s (uid %u): mode %s, rule %s\n", name, (unsigned)uid,
	       pol.match == ISO_MATCH_EXEMPT_USER || pol.match == ISO_MATCH_EXEMPT_GROUP ||
			       pol.match == ISO_MATCH_EXEMPT_UID
		       ? "exempt (figures against the rule it would have)"
	       : pol.lim.mode == ISO_MODE_AUDIT ? "audit"
						: "enforce",
	       desc);
	rp_print_cpu(m, uid, &pol.lim);
	rp_print_tasks(m, uid, &pol.lim);
	rp_print_memory(m, uid, &pol.lim);
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct iso_config *cfg = NULL;
	struct ctl_machine m = {0};
	uid_t *uids = NULL, u;
	size_t nuids = 0;
	struct ctl_args a;
	const char *root;
	int r;

	r = ctl_parse(argc, argv, false, 0, 1024, &a);
	if (r != CTL_OK)
		return r < 0 ? CTL_OK : r;
	r = CTL_FAIL;
	if (ctl_load_config_or_default(a.conf, &cfg, &root) < 0)
		goto out; /* no rule to compare with */
	if (ctl_machine_open(root, &m) < 0 || !m.cg) {
		ctl_warn("report: cgroups: %s", m.err.msg);
		goto out;
	}
	for (int i = 0; i < a.npos; i++) {
		if (ctl_lookup_uid(a.pos[i], &u) < 0) {
			ctl_warn("report: %s: no such user", a.pos[i]);
			goto out;
		}
		if (ctl_uid_add(&uids, &nuids, u) < 0)
			goto out;
	}
	if (!a.npos && cg_list_users(m.cg, &uids, &nuids) < 0) {
		ctl_warn("report: cannot list the users of cgroup_root \"%s\"", root);
		goto out;
	}
	printf("cgroup_root \"%s\" on cgroup %s\n", root, m.layout.version == CG_V2 ? "v2" : "v1");
	for (size_t i = 0; i < nuids; i++) {
		if (rp_user(cfg, &m, uids[i]) < 0)
			goto out;
	}
	if (!nuids)
		printf("no users with a cgroup\n");
	r = CTL_OK;
out:
	free(uids);
	ctl_machine_close(&m);
	iso_config_free(cfg);
	return r;
}
