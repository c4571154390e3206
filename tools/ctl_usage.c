/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-user usage reader of ctl_usage.h. Files, by layout:
 *   v2 (and the systemd backend's user-<uid>.slice): cpu.stat usage_usec,
 *     nr_periods, nr_throttled, throttled_usec; cpu.max; memory.current,
 *     memory.peak (Linux >= 5.19), memory.max, memory.high,
 *     memory.events oom_kill; pids.current, pids.max.
 *   v1: cpu.stat nr_periods, nr_throttled, throttled_time (ns);
 *     cpu.cfs_quota_us/cfs_period_us; cpuacct.usage where the user has a
 *     dir in the cpuacct hierarchy (co-mounted with cpu, or a tree made
 *     there); memory.usage_in_bytes, max_usage_in_bytes, limit_in_bytes,
 *     memory.oom_control oom_kill (v1 has no memory.high);
 *     pids.current, pids.max.
 * On a hybrid host whose cpuacct is a mount of its own the helper makes
 * no user dir there, and a user's processes stay in whatever cpuacct
 * group they came from: the kernel keeps no per-user CPU counter. Then
 * CPU is the utime+stime of the processes in the user's cpu cgroup
 * (CU_CPU_PROCS): right for a live view, blind to processes that ended.
 */
#define _GNU_SOURCE
#include "ctl_usage.h"
#include "ctl.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iso_names.h"
#include "systemd.h"

/* The dirs of one user ("" where there is none). */
struct cu_dirs {
	char cpu[PATH_MAX], cpuacct[PATH_MAX], pids[PATH_MAX], mem[PATH_MAX];
	bool v2;
};

/* ---- files ---- */

static int cu_read(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t got;
	int fd;

	buf[0] = '\0';
	if (!dir[0] || snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return -ENOENT;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	got = read(fd, buf, len - 1);
	close(fd);
	if (got < 0)
		return -errno;
	buf[got] = '\0';
	return 0;
}

static long long cu_num(const char *s)
{
	char *end;
	long long v;

	if (!strncmp(s, "max", 3))
		return CU_UNLIMITED;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno || end == s ? CU_NA : v;
}

static long long cu_file(const char *dir, const char *file)
{
	char buf[128];

	return cu_read(dir, file, buf, sizeof(buf)) < 0 ? CU_NA : cu_num(buf);
}

/* "key value" line of a flat-keyed file (cpu.stat, memory.events). */
static long long cu_keyed(const char *dir, const char *file, const char *key)
{
	char buf[2048] = "";
	size_t n = strlen(key);

	if (cu_read(dir, file, buf, sizeof(buf)) < 0)
		return CU_NA;
	for (const char *p = buf; p && *p;) {
		if (!strncmp(p, key, n) && p[n] == ' ')
			return cu_num(p + n + 1);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return CU_NA;
}

/* dir/name/cgroup.procs lists a process. */
static bool cu_has_procs(const char *dir, const char *name)
{
	char sub[PATH_MAX], buf[32] = "";

	return snprintf(sub, sizeof(sub), "%s/%s", dir, name) < (int)sizeof(sub) &&
	       cu_read(sub, "cgroup.procs", buf, sizeof(buf)) == 0 && buf[0] != '\0';
}

static long long cu_scale(long long v, long long by)
{
	return v == CU_NA || v == CU_UNLIMITED ? v : v * by;
}

/* ---- v1 without cpuacct: the processes' own CPU ---- */

/* utime+stime (fields 14, 15) and starttime (22) of /proc/PID/stat. */
static int cu_proc_cpu(pid_t pid, struct cu_proc *out)
{
	char path[64], buf[1024], *p;
	unsigned long long f[22];
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (cu_read("/", path + 1, buf, sizeof(buf)) < 0)
		return -ESRCH;
	/* comm may hold spaces and ')': count from the last ')' */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return -ESRCH;
	p += 4; /* ") S " -> field 4 */
	for (int i = 4; i <= 22 && p && *p; i++) {
		f[i - 1] = strtoull(p, &p, 10);
		n = i;
	}
	if (n < 22)
		return -EINVAL;
	out->pid = pid;
	out->start = f[21];
	out->cpu_ns = (long long)((f[13] + f[14]) *
				  (1000000000ULL / (unsigned long long)sysconf(_SC_CLK_TCK)));
	return 0;
}

static int cu_proc_cmp(const void *a, const void *b)
{
	pid_t x = ((const struct cu_proc *)a)->pid, y = ((const struct cu_proc *)b)->pid;

	return (x > y) - (x < y);
}

/* Every process of dir/cgroup.procs and of its child dirs (the leaves). */
static int cu_add_procs(struct ctl_usage *u, const char *dir, int depth)
{
	char path[PATH_MAX], line[32];
	struct dirent *de;
	struct cu_proc *v;
	FILE *f;
	DIR *d;

	if (snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			struct cu_proc pr;

			char *end;
			long pid = strtol(line, &end, 10);

			if (pid <= 0 || (*end && *end != '\n') || cu_proc_cpu((pid_t)pid, &pr) < 0)
				continue;
			v = reallocarray(u->procs, u->nprocs + 1, sizeof(*v));
			if (!v) {
				fclose(f);
				return -ENOMEM;
			}
			u->procs = v;
			u->procs[u->nprocs++] = pr;
		}
		fclose(f);
	}
	if (depth == 0 || !(d = opendir(dir)))
		return 0;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < (int)sizeof(path))
			(void)cu_add_procs(u, path, depth - 1);
	}
	closedir(d);
	return 0;
}

long long ctl_usage_cpu_delta(const struct ctl_usage *a, const struct ctl_usage *b)
{
	long long d = 0;
	size_t i = 0;

	if (!a || a->cpu_src != b->cpu_src || b->cpu_src == CU_CPU_NONE)
		return CU_NA;
	if (b->cpu_src == CU_CPU_CGROUP)
		return b->cpu_ns >= a->cpu_ns ? b->cpu_ns - a->cpu_ns : CU_NA;
	for (size_t j = 0; j < b->nprocs; j++) {
		const struct cu_proc *p = &b->procs[j];

		while (i < a->nprocs && a->procs[i].pid < p->pid)
			i++;
		if (i < a->nprocs && a->procs[i].pid == p->pid && a->procs[i].start == p->start)
			d += p->cpu_ns > a->procs[i].cpu_ns ? p->cpu_ns - a->procs[i].cpu_ns : 0;
		else
			d += p->cpu_ns; /* born (or moved in) between the samples */
	}
	return d;
}

/* ---- one user ---- */

static void cu_read_cpu(struct ctl_usage *u, const struct cu_dirs *d)
{
	char buf[64];

	u->nr_periods = cu_keyed(d->cpu, "cpu.stat", "nr_periods");
	u->nr_throttled = cu_keyed(d->cpu, "cpu.stat", "nr_throttled");
	if (d->v2) {
		u->throttled_ns = cu_scale(cu_keyed(d->cpu, "cpu.stat", "throttled_usec"), 1000);
		u->cpu_ns = cu_scale(cu_keyed(d->cpu, "cpu.stat", "usage_usec"), 1000);
		if (cu_read(d->cpu, "cpu.max", buf, sizeof(buf)) == 0) {
			char *sp = strchr(buf, ' ');

			u->quota_us = cu_num(buf);
			u->period_us = sp ? cu_num(sp + 1) : CU_NA;
		}
	} else {
		u->throttled_ns = cu_keyed(d->cpu, "cpu.stat", "throttled_time");
		u->quota_us = cu_file(d->cpu, "cpu.cfs_quota_us");
		u->period_us = cu_file(d->cpu, "cpu.cfs_period_us");
		u->cpu_ns = cu_file(d->cpuacct, "cpuacct.usage");
	}
	if (u->cpu_ns != CU_NA) {
		u->cpu_src = CU_CPU_CGROUP;
	} else if (!d->v2 && d->cpu[0]) {
		u->cpu_src = CU_CPU_PROCS;
		u->cpu_ns = 0;
		(void)cu_add_procs(u, d->cpu, 1);
		qsort(u->procs, u->nprocs, sizeof(*u->procs), cu_proc_cmp);
		for (size_t i = 0; i < u->nprocs; i++)
			u->cpu_ns += u->procs[i].cpu_ns;
	}
}

static void cu_read_user(struct ctl_usage *u, const struct cu_dirs *d)
{
	u->cpu_ns = u->nr_periods = u->nr_throttled = u->throttled_ns = CU_NA;
	u->quota_us = u->period_us = CU_NA;
	cu_read_cpu(u, d);
	u->tasks = cu_file(d->pids, "pids.current");
	u->tasks_max = cu_file(d->pids, "pids.max");
	if (d->v2) {
		u->mem = cu_file(d->mem, "memory.current");
		u->mem_peak = cu_file(d->mem, "memory.peak");
		u->mem_max = cu_file(d->mem, "memory.max");
		u->mem_high = cu_file(d->mem, "memory.high");
		u->oom_kills = cu_keyed(d->mem, "memory.events", "oom_kill");
		return;
	}
	u->mem = cu_file(d->mem, "memory.usage_in_bytes");
	u->mem_peak = cu_file(d->mem, "memory.max_usage_in_bytes");
	u->mem_max = cu_file(d->mem, "memory.limit_in_bytes");
	/* v1 prints "no limit" as a page-rounded LONG_MAX */
	if (u->mem_max >= (1LL << 62))
		u->mem_max = CU_UNLIMITED;
	u->mem_high = CU_NA;
	u->oom_kills = cu_keyed(d->mem, "memory.oom_control", "oom_kill");
}

static void cu_rule(const struct iso_config *cfg, struct ctl_usage *u, bool *exempt)
{
	struct iso_policy pol;
	char **groups = NULL;
	size_t ngroups = 0;
	uid_t uid;
	gid_t gid;

	*exempt = false;
	snprintf(u->rule, sizeof(u->rule), "unknown");
	if (!cfg || iso_user_lookup(u->name, &uid, &gid, &groups, &ngroups) < 0)
		return;
	if (iso_policy_resolve(cfg, u->name, uid, (const char *const *)groups, ngroups, &pol) ==
	    0) {
		switch (pol.match) {
		case ISO_MATCH_USER:
			snprintf(u->rule, sizeof(u->rule), "user %s", pol.rule_name);
			break;
		case ISO_MATCH_GROUP:
			snprintf(u->rule, sizeof(u->rule), "group %s", pol.rule_name);
			break;
		case ISO_MATCH_DEFAULT:
			snprintf(u->rule, sizeof(u->rule), "default");
			break;
		default:
			snprintf(u->rule, sizeof(u->rule), "exempt");
			*exempt = true;
		}
	}
	iso_groups_free(groups, ngroups);
}

static bool cu_isdir(const char *p)
{
	struct stat sb;

	return p[0] && stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* v1: the cpuacct mount ("" none) from mountinfo. */
static void cu_cpuacct_mount(char *buf, size_t len)
{
	char line[4096], mnt[PATH_MAX];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	buf[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - cgroup "), *opts, *tok, *save = NULL;

		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		opts = strrchr(sep, ' ');
		if (!opts)
			continue;
		for (tok = strtok_r(opts + 1, ",\n", &save); tok;
		     tok = strtok_r(NULL, ",\n", &save))
			if (!strcmp(tok, "cpuacct"))
				snprintf(buf, len, "%s", mnt);
	}
	if (f)
		fclose(f);
}

static struct ctl_usage *cu_add(struct ctl_usage_set *set, uid_t uid)
{
	struct ctl_usage *v = reallocarray(set->u, set->n + 1, sizeof(*v));
	bool known;

	if (!v)
		return NULL;
	set->u = v;
	v = &set->u[set->n++];
	memset(v, 0, sizeof(*v));
	v->uid = uid;
	ctl_user_name(uid, v->name, sizeof(v->name), &known);
	return v;
}

static bool cu_has_sandbox(const struct ctl_state *st, uid_t uid)
{
	for (size_t i = 0; i < st->nrec; i++)
		if (st->rec[i].uid == uid && st->rec[i].alive)
			return true;
	return false;
}

/* Users below cgroup_root. */
static int cu_cgroupfs(struct ctl_usage_set *set, const struct ctl_machine *m,
		       const struct iso_config *cfg, const struct ctl_state *st, bool want,
		       uid_t want_uid)
{
	char acct[PATH_MAX], cpumnt[PATH_MAX];
	uid_t *uids = NULL;
	size_t nuids = 0;
	int r;

	if (!m->cg)
		return 0;
	r = cg_list_users(m->cg, &uids, &nuids);
	if (r < 0)
		return r;
	cu_cpuacct_mount(acct, sizeof(acct));
	if (cg_mount_path(m->cg, CG_CPU, cpumnt, sizeof(cpumnt)) < 0)
		cpumnt[0] = '\0';
	set->cpuacct_apart = m->layout.version == CG_V1 && strcmp(acct, cpumnt) != 0;
	for (size_t i = 0; i < nuids; i++) {
		struct ctl_leaf *leaves = NULL;
		struct ctl_usage *u;
		struct cu_dirs d = {.v2 = m->layout.version == CG_V2};
		size_t nleaves = 0;
		bool exempt;

		if (want && uids[i] != want_uid)
			continue;
		if (cg_path(m->cg, CG_CPU, uids[i], "", d.cpu, sizeof(d.cpu)) < 0 ||
		    !cu_isdir(d.cpu))
			d.cpu[0] = '\0';
		if (cg_path(m->cg, CG_PIDS, uids[i], "", d.pids, sizeof(d.pids)) < 0 ||
		    !cu_isdir(d.pids))
			d.pids[0] = '\0';
		if (cg_path(m->cg, CG_MEMORY, uids[i], "", d.mem, sizeof(d.mem)) < 0 ||
		    !cu_isdir(d.mem))
			d.mem[0] = '\0';
		if (d.v2 || !set->cpuacct_apart) {
			snprintf(d.cpuacct, sizeof(d.cpuacct), "%s", d.cpu);
		} else if (acct[0] && d.cpu[0] && !strncmp(d.cpu, cpumnt, strlen(cpumnt))) {
			/* the same path in the cpuacct tree, if one was made */
			if (snprintf(d.cpuacct, sizeof(d.cpuacct), "%s%s", acct,
				     d.cpu + strlen(cpumnt)) >= (int)sizeof(d.cpuacct) ||
			    !cu_isdir(d.cpuacct))
				d.cpuacct[0] = '\0';
		}
		u = cu_add(set, uids[i]);
		if (!u) {
			r = -ENOMEM;
			break;
		}
		u->backend = "cgroupfs";
		cu_rule(cfg, u, &exempt);
		if (ctl_leaves(m, uids[i], &leaves, &nleaves) == 0)
			for (size_t k = 0; k < nleaves; k++)
				u->sessions += leaves[k].is_session && leaves[k].nprocs > 0;
		free(leaves);
		u->sandbox = cu_has_sandbox(st, uids[i]);
		cu_read_user(u, &d);
	}
	free(uids);
	return r < 0 ? r : 0;
}

/* Users of the systemd backend: user-<uid>.slice below user.slice of the
 * v2 mount, for users whose rule confines them (every logged-in user has
 * a slice; the exempt ones are none of ours). */
static int cu_systemd(struct ctl_usage_set *set, const struct ctl_machine *m,
		      const struct iso_config *cfg, const struct ctl_state *st, bool want,
		      uid_t want_uid)
{
	char base[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	if (!cfg || cfg->cgroup_backend == ISO_BACKEND_CGROUPFS || !m->have_layout ||
	    m->layout.version != CG_V2 || !sysd_running(SYSD_RUN_SYSTEM))
		return 0;
	if (snprintf(base, sizeof(base), "%s/user.slice", m->layout.v2_path) >= (int)sizeof(base))
		return -ENAMETOOLONG;
	dir = opendir(base);
	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		struct cu_dirs d = {.v2 = true};
		struct ctl_usage *u;
		struct dirent *se;
		unsigned long uid;
		bool exempt;
		char *end;
		DIR *sd;

		if (strncmp(de->d_name, "user-", 5) || !isdigit((unsigned char)de->d_name[5]))
			continue;
		errno = 0;
		uid = strtoul(de->d_name + 5, &end, 10);
		if (errno || strcmp(end, ".slice") || uid >= (uid_t)-1 ||
		    (want && uid != want_uid) || ctl_usage_find(set, (uid_t)uid))
			continue;
		if (snprintf(d.cpu, sizeof(d.cpu), "%s/%s", base, de->d_name) >= (int)sizeof(d.cpu))
			continue;
		u = cu_add(set, (uid_t)uid);
		if (!u) {
			closedir(dir);
			return -ENOMEM;
		}
		cu_rule(cfg, u, &exempt);
		if (exempt || uid == 0) {
			set->n--;
			continue;
		}
		u->backend = "systemd";
		snprintf(d.cpuacct, sizeof(d.cpuacct), "%s", d.cpu);
		snprintf(d.pids, sizeof(d.pids), "%s", d.cpu);
		snprintf(d.mem, sizeof(d.mem), "%s", d.cpu);
		sd = opendir(d.cpu);
		while (sd && (se = readdir(sd)))
			if (!strncmp(se->d_name, "session-", 8) && cu_has_procs(d.cpu, se->d_name))
				u->sessions++;
		if (sd)
			closedir(sd);
		u->sandbox = cu_has_sandbox(st, (uid_t)uid);
		cu_read_user(u, &d);
	}
	closedir(dir);
	return 0;
}

const struct ctl_usage *ctl_usage_find(const struct ctl_usage_set *set, uid_t uid)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->u[i].uid == uid)
			return &set->u[i];
	return NULL;
}

int ctl_usage_read(const char *conf, bool want, uid_t want_uid, struct ctl_usage_set *set)
{
	static bool warned;
	struct iso_config *cfg = NULL;
	struct ctl_machine m = {0};
	struct ctl_state st = {0};
	const char *root;
	int statedir = -1, r;

	memset(set, 0, sizeof(*set));
	r = ctl_state_open(false, &statedir);
	if (r != CTL_OK)
		return r == CTL_NEEDS_ROOT ? -EACCES : -EIO;
	set->have_state = statedir >= 0;
	if (statedir >= 0 && ctl_state_read(statedir, &st) < 0)
		ctl_warn("cannot read %s: %s", ISO_RUNDIR, strerror(errno));
	/* top reads every interval: its warnings once, not over the screen */
	if (!warned) {
		ctl_load_config_or_default(conf, &cfg, &root);
	} else {
		struct iso_err err;

		root = "pam_isolate";
		if (iso_config_load(conf, true, &cfg, &err) == 0)
			root = cfg->cgroup_root;
	}
	if (ctl_machine_open(root, &m) < 0 && !warned)
		ctl_warn("cgroups: %s", m.err.msg);
	warned = true;
	if (m.have_layout)
		set->cg_version = m.layout.version;
	r = cu_cgroupfs(set, &m, cfg, &st, want, want_uid);
	if (r == 0)
		r = cu_systemd(set, &m, cfg, &st, want, want_uid);
	ctl_state_free(&st);
	ctl_machine_close(&m);
	iso_config_free(cfg);
	if (statedir >= 0)
		close(statedir);
	if (r < 0)
		ctl_usage_free(set);
	return r;
}

void ctl_usage_free(struct ctl_usage_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->u[i].procs);
	free(set->u);
	set->u = NULL;
	set->n = 0;
}
