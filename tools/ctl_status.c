/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * isolatectl status: live users, their sessions (session-* leaves and the
 * processes in them), cgroup paths, CPU, tasks and memory against their
 * limits, and the sandbox holders. Read only: holder records are checked
 * against /proc, never removed (that is gc's job).
 *
 * Numbers come straight from the kernel's files: v2 cpu.max, cpu.stat
 * (usage_usec, nr_periods, nr_throttled, throttled_usec), pids.current/
 * max, memory.current/max; v1 cpu.cfs_quota_us/cfs_period_us, cpu.stat
 * (throttled_time in ns), cpuacct.usage when cpuacct is co-mounted with
 * cpu (else there is no usage figure for our subtree: "n/a"),
 * pids.current/max, memory.usage_in_bytes/limit_in_bytes.
 *
 * Where sessions are confined through the systemd backend, the limits are
 * on user-UID.slice, not below cgroup_root: the same figures are read from
 * the slice (cgroup v2 only, as systemd's unified hierarchy), and its
 * units (session-N.scope, isolate-holder-UID.scope, user@UID.service)
 * are listed in place of the leaves.
 */
#define _GNU_SOURCE
#include "ctl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iso_names.h"
#include "systemd.h"

#define ST_NA	     LLONG_MIN /* no such file / not managed */
#define ST_UNLIMITED (-1LL)    /* "max" */
/* v1 prints "no limit" as a page-rounded LONG_MAX; anything this large is
 * no limit. */
#define ST_V1_HUGE (1LL << 62)

struct st_user {
	uid_t uid;
	char name[64];
	bool known;
	char paths[CG_NCTRL][PATH_MAX]; /* user dir of each hierarchy, "" none */
	size_t npaths;
	struct ctl_leaf *leaves;
	size_t nleaves;
	int live;      /* session leaves with processes */
	int leftovers; /* left-* leaves (closed sessions) with processes */
	bool has_cpu, has_pids, has_mem;
	char rule[160]; /* the rule the config resolves for the user, "" unknown */
	long long quota_us, period_us, usage_us, nr_periods, nr_throttled, throttled_us;
	long long tasks, tasks_max, mem, mem_max;
	int slicefd;	  /* user-UID.slice of the systemd backend, or -1 */
	const char *mode; /* ctl_user_mode */
};

#define ST_SD_USER_SLICE "/sys/fs/cgroup/user.slice"

/* ---- reading ---- */

static long long st_num(const char *s)
{
	char *end;
	long long v;

	if (!strncmp(s, "max", 3))
		return ST_UNLIMITED;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno || end == s ? ST_NA : v;
}

/* The slice's files are systemd's: read them without following links. */
static int st_read_at(int dirfd, const char *file, char *buf, size_t len)
{
	ssize_t n;
	int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static int st_read(const struct ctl_machine *m, const struct st_user *u, unsigned ctrl,
		   const char *file, char *buf, size_t len)
{
	if (u->slicefd >= 0)
		return st_read_at(u->slicefd, file, buf, len);
	if (!m->cg)
		return -ENOENT;
	return cg_read(m->cg, ctrl, u->uid, "", file, buf, len);
}

static long long st_file(const struct ctl_machine *m, const struct st_user *u, unsigned ctrl,
			 const char *file)
{
	char buf[256];

	if (st_read(m, u, ctrl, file, buf, sizeof(buf)) < 0)
		return ST_NA;
	return st_num(buf);
}

/* A "key value" line of a flat-keyed file such as cpu.stat. */
static long long st_keyed(const struct ctl_machine *m, const struct st_user *u, unsigned ctrl,
			  const char *file, const char *key)
{
	char buf[1024], *p = buf;
	size_t n = strlen(key);

	if (st_read(m, u, ctrl, file, buf, sizeof(buf)) < 0)
		return ST_NA;
	while (p && *p) {
		if (!strncmp(p, key, n) && p[n] == ' ')
			return st_num(p + n + 1);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return ST_NA;
}

static void st_read_cpu(const struct ctl_machine *m, struct st_user *u)
{
	bool v2 = u->slicefd >= 0 || m->layout.version == CG_V2;
	char buf[64];

	u->quota_us = u->period_us = u->usage_us = ST_NA;
	u->nr_periods = u->nr_throttled = u->throttled_us = ST_NA;
	if (v2 && st_read(m, u, CG_CPU, "cpu.max", buf, sizeof(buf)) == 0) {
		char *sp = strchr(buf, ' ');

		u->quota_us = st_num(buf);
		u->period_us = sp ? st_num(sp + 1) : ST_NA;
	} else if (!v2) {
		u->quota_us = st_file(m, u, CG_CPU, "cpu.cfs_quota_us");
		u->period_us = st_file(m, u, CG_CPU, "cpu.cfs_period_us");
	}
	u->has_cpu = u->quota_us != ST_NA || u->period_us != ST_NA;
	u->nr_periods = st_keyed(m, u, CG_CPU, "cpu.stat", "nr_periods");
	u->nr_throttled = st_keyed(m, u, CG_CPU, "cpu.stat", "nr_throttled");
	if (v2) {
		/* v2 has cpu.stat usage_usec even without the cpu controller */
		u->usage_us = st_keyed(m, u, CG_CPU, "cpu.stat", "usage_usec");
		u->throttled_us = st_keyed(m, u, CG_CPU, "cpu.stat", "throttled_usec");
		return;
	}
	u->throttled_us = st_keyed(m, u, CG_CPU, "cpu.stat", "throttled_time");
	if (u->throttled_us != ST_NA)
		u->throttled_us /= 1000;
	u->usage_us = st_file(m, u, CG_CPU, "cpuacct.usage");
	if (u->usage_us != ST_NA)
		u->usage_us /= 1000;
}

static void st_read_limits(const struct ctl_machine *m, struct st_user *u)
{
	bool v2 = u->slicefd >= 0 || m->layout.version == CG_V2;

	st_read_cpu(m, u);
	u->tasks = st_file(m, u, CG_PIDS, "pids.current");
	u->tasks_max = st_file(m, u, CG_PIDS, "pids.max");
	u->has_pids = u->tasks != ST_NA;
	u->mem = st_file(m, u, CG_MEMORY, v2 ? "memory.current" : "memory.usage_in_bytes");
	u->mem_max = st_file(m, u, CG_MEMORY, v2 ? "memory.max" : "memory.limit_in_bytes");
	if (u->mem_max >= ST_V1_HUGE)
		u->mem_max = ST_UNLIMITED;
	u->has_mem = u->mem != ST_NA;
}

/* Processes in a cgroup and below it (a service's are in its children:
 * v2 has no processes in inner nodes). depth bounds the walk. */
static int st_count_tree(int dirfd, int depth);

struct st_walk {
	int n, depth;
};

static void st_count_sub(int subfd, void *arg)
{
	struct st_walk *w = arg;

	w->n += st_count_tree(subfd, w->depth - 1);
}

static int st_count_tree(int dirfd, int depth)
{
	struct st_walk w = {.n = 0, .depth = depth};
	char buf[4096];
	ssize_t got;
	int fd;

	/* read to the end: cgroup.procs has no size bound */
	fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		while ((got = read(fd, buf, sizeof(buf))) > 0)
			for (ssize_t i = 0; i < got; i++)
				w.n += buf[i] == '\n';
		close(fd);
	}
	if (depth > 0)
		ctl_each_subdir(dirfd, st_count_sub, &w);
	return w.n;
}

static int st_leaf_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ctl_leaf *)a)->name, ((const struct ctl_leaf *)b)->name);
}

/* The slice's units: session-N.scope (logind's), isolate-holder-*.scope,
 * user@UID.service, as leaves with their process counts. */
static int st_gather_slice(struct st_user *u)
{
	struct ctl_leaf *l;
	struct dirent *de;
	DIR *d;
	int fd = dup(u->slicefd);

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.' || strlen(de->d_name) > NAME_MAX)
			continue;
		l = reallocarray(u->leaves, u->nleaves + 1, sizeof(*l));
		if (!l) {
			closedir(d);
			return -ENOMEM;
		}
		u->leaves = l;
		l = &u->leaves[u->nleaves++];
		memset(l, 0, sizeof(*l));
		snprintf(l->name, sizeof(l->name), "%s", de->d_name);
		l->is_session = !strncmp(l->name, "session-", 8);
		sub = openat(u->slicefd, de->d_name,
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		l->nprocs = sub < 0 ? -errno : st_count_tree(sub, 4);
		if (sub >= 0)
			close(sub);
		u->live += l->is_session && l->nprocs > 0;
	}
	closedir(d);
	if (u->nleaves > 1)
		qsort(u->leaves, u->nleaves, sizeof(*u->leaves), st_leaf_cmp);
	return 0;
}

/* user-UID.slice of uid when the systemd backend is in use (sd), else -1. */
static int st_open_slice(bool sd, uid_t uid, char *path, size_t len)
{
	if (!sd)
		return -1;
	snprintf(path, len, "%s/user-%u.slice", ST_SD_USER_SLICE, (unsigned)uid);
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
}

/* The rule a login would get now: the config is 0644, so a user reads
 * their own without root. */
static void st_rule(const struct iso_config *cfg, struct st_user *u)
{
	struct iso_policy pol;
	char **groups = NULL;
	size_t ngroups = 0;
	uid_t uid;
	gid_t gid;

	if (!cfg || !u->known || iso_user_lookup(u->name, &uid, &gid, &groups, &ngroups) < 0)
		return;
	if (iso_policy_resolve(cfg, u->name, uid, (const char *const *)groups, ngroups, &pol) == 0)
		iso_policy_describe(&pol, u->rule, sizeof(u->rule));
	iso_groups_free(groups, ngroups);
}

static int st_gather(const struct ctl_machine *m, const struct iso_config *cfg, bool sd, uid_t uid,
		     struct st_user *u)
{
	struct stat sb;
	int r;

	memset(u, 0, sizeof(*u));
	u->uid = uid;
	ctl_user_name(uid, u->name, sizeof(u->name), &u->known);
	st_rule(cfg, u);
	u->slicefd = st_open_slice(sd, uid, u->paths[0], PATH_MAX);
	if (u->slicefd >= 0) {
		u->npaths = 1;
		r = st_gather_slice(u);
		if (r == 0)
			st_read_limits(m, u);
		return r;
	}
	u->paths[0][0] = '\0';
	if (!m->cg)
		return 0;
	for (size_t i = 0; i < m->nhier; i++) {
		char *p = u->paths[u->npaths];

		if (cg_path(m->cg, m->hier[i].bit, uid, "", p, PATH_MAX) == 0 && stat(p, &sb) == 0)
			u->npaths++;
		else
			p[0] = '\0';
	}
	r = ctl_leaves(m, uid, &u->leaves, &u->nleaves);
	if (r < 0)
		return r;
	for (size_t i = 0; i < u->nleaves; i++) {
		u->live += u->leaves[i].is_session && u->leaves[i].nprocs > 0;
		u->leftovers += iso_leaf_kind(u->leaves[i].name) == ISO_LEAF_LEFT &&
				u->leaves[i].nprocs > 0;
	}
	st_read_limits(m, u);
	return 0;
}

/* ---- text ---- */

static void st_fmt_bytes(long long v, char *buf, size_t len)
{
	if (v == ST_UNLIMITED)
		snprintf(buf, len, "no limit");
	else if (v >= 10LL << 30)
		snprintf(buf, len, "%.1fG", (double)v / (1 << 30));
	else if (v >= 10LL << 20)
		snprintf(buf, len, "%.1fM", (double)v / (1 << 20));
	else
		snprintf(buf, len, "%lldK", v >> 10);
}

static void st_print_cpu(const struct st_user *u)
{
	printf("  %-10s ", "cpu");
	if (!u->has_cpu) {
		printf("not managed\n");
		return;
	}
	if (u->quota_us == ST_UNLIMITED || u->quota_us < 0)
		printf("no quota");
	else if (u->period_us > 0)
		printf("quota %.2f%% of one CPU (%lld us per %lld us)",
		       100.0 * (double)u->quota_us / (double)u->period_us, u->quota_us,
		       u->period_us);
	if (u->usage_us != ST_NA)
		printf("; used %.3f s in all", (double)u->usage_us / 1e6);
	else
		printf("; usage n/a (no cpuacct on this hierarchy)");
	putchar('\n');
	if (u->nr_periods != ST_NA && u->nr_throttled != ST_NA)
		printf("  %-10s throttled in %lld of %lld periods (%.0f%%), %.3f s held back\n", "",
		       u->nr_throttled, u->nr_periods,
		       u->nr_periods > 0 ? 100.0 * (double)u->nr_throttled / (double)u->nr_periods
					 : 0.0,
		       u->throttled_us != ST_NA ? (double)u->throttled_us / 1e6 : 0.0);
}

static void st_print_sandboxes(const struct ctl_state *st, uid_t uid)
{
	bool any = false;

	if (!st) {
		printf("  %-10s not shown: holder records in %s are root's (run as root to see "
		       "them)\n",
		       "sandbox", ISO_RUNDIR);
		return;
	}

	for (size_t i = 0; i < st->nrec; i++) {
		const struct ctl_record *rec = &st->rec[i];
		char leaf[NAME_MAX + 1];

		if (rec->uid != uid)
			continue;
		ctl_holder_leaf(rec->key, leaf, sizeof(leaf));
		printf("  %-10s ", any ? "" : "sandbox");
		any = true;
		if (rec->alive)
			printf("%s: holder pid %d, %d process(es) inside, cgroup leaf %s\n",
			       rec->key, (int)rec->h.pid, sb_holder_nprocs(&rec->h), leaf);
		else
			printf("%s: STALE record %s (holder pid %d is gone; gc removes it)\n",
			       rec->key, rec->file, (int)rec->h.pid);
	}
	if (!any)
		printf("  %-10s none\n", "sandbox");
}

static void st_print_user(const struct st_user *u, const struct ctl_state *st)
{
	char a[32], b[32];
	bool first = true;

	printf("%s (uid %u): %d live session(s)", u->name, (unsigned)u->uid, u->live);
	if (u->leftovers)
		printf(", %d leftover job(s) of closed sessions", u->leftovers);
	printf("\n");
	if (u->rule[0])
		printf("  %-10s %s\n", "rule", u->rule);
	printf("  %-10s %s\n", "mode", u->mode);
	for (size_t i = 0; i < CG_NCTRL; i++) {
		if (!u->paths[i][0])
			continue;
		printf("  %-10s %s\n", first ? "cgroup" : "", u->paths[i]);
		first = false;
	}
	if (first) {
		printf("  %-10s none under this cgroup_root\n", "cgroup");
		st_print_sandboxes(st, u->uid);
		return;
	}
	for (size_t i = 0; i < u->nleaves; i++) {
		const struct ctl_leaf *l = &u->leaves[i];

		printf("  %-10s %-26s ", i ? "" : u->slicefd >= 0 ? "units" : "leaves", l->name);
		if (l->nprocs < 0)
			printf("? (%s)\n", strerror(-l->nprocs));
		else
			printf("%d process(es)%s\n", l->nprocs,
			       l->is_session && l->nprocs == 0 && u->slicefd < 0
				       ? ", empty: gc removes it"
				       : "");
	}
	st_print_cpu(u);
	printf("  %-10s ", "tasks");
	if (!u->has_pids)
		printf("not managed\n");
	else if (u->tasks_max == ST_UNLIMITED)
		printf("%lld (no limit)\n", u->tasks);
	else
		printf("%lld of %lld\n", u->tasks, u->tasks_max);
	printf("  %-10s ", "memory");
	if (!u->has_mem) {
		printf("not managed\n");
	} else {
		st_fmt_bytes(u->mem, a, sizeof(a));
		st_fmt_bytes(u->mem_max, b, sizeof(b));
		printf("%s of %s\n", a, b);
	}
	st_print_sandboxes(st, u->uid);
}

/* ---- JSON (the format is documented in isolatectl(8)) ---- */

static void st_json_num(struct json *j, const char *key, long long v)
{
	if (v == ST_NA || v == ST_UNLIMITED)
		json_null(j, key);
	else
		json_int(j, key, v);
}

/* "session", "holder" (a sandbox holder's leaf) or "other" (a leaf this
 * version of isolatectl does not know). */
static const char *st_leaf_kind(const char *name)
{
	switch (iso_leaf_kind(name)) {
	case ISO_LEAF_SESSION:
		return "session";
	case ISO_LEAF_LEFT:
		return "leftover";
	case ISO_LEAF_HOLDER:
		return "holder";
	default:
		return "other";
	}
}

static void st_json_user(struct json *j, const struct st_user *u, const struct ctl_state *st)
{
	json_obj(j, NULL);
	json_int(j, "uid", (long long)u->uid);
	json_str(j, "user", u->known ? u->name : NULL);
	json_int(j, "live_sessions", u->live);
	json_int(j, "leftover_jobs", u->leftovers);
	json_str(j, "rule", u->rule[0] ? u->rule : NULL);
	json_arr(j, "cgroups");
	for (size_t i = 0; i < CG_NCTRL; i++)
		if (u->paths[i][0])
			json_str(j, NULL, u->paths[i]);
	json_arr_end(j);
	json_arr(j, "leaves");
	for (size_t i = 0; i < u->nleaves; i++) {
		const struct ctl_leaf *l = &u->leaves[i];

		json_obj(j, NULL);
		json_str(j, "name", l->name);
		json_str(j, "kind", st_leaf_kind(l->name));
		if (l->is_session) {
			char sid[NAME_MAX + 1];
			char *dot;

			/* logind's scope: session-<id>.scope */
			snprintf(sid, sizeof(sid), "%s", l->name + 8);
			dot = u->slicefd >= 0 ? strstr(sid, ".scope") : NULL;
			if (dot && !dot[6])
				*dot = '\0';
			json_str(j, "session_id", sid);
		} else {
			json_str(j, "session_id", NULL);
		}
		st_json_num(j, "processes", l->nprocs < 0 ? ST_NA : l->nprocs);
		json_obj_end(j);
	}
	json_arr_end(j);
	if (u->has_cpu) {
		json_obj(j, "cpu");
		st_json_num(j, "quota_usec", u->quota_us);
		st_json_num(j, "period_usec", u->period_us);
		st_json_num(j, "usage_usec", u->usage_us);
		st_json_num(j, "nr_periods", u->nr_periods);
		st_json_num(j, "nr_throttled", u->nr_throttled);
		st_json_num(j, "throttled_usec", u->throttled_us);
		json_obj_end(j);
	} else {
		json_null(j, "cpu");
	}
	if (u->has_pids) {
		json_obj(j, "tasks");
		st_json_num(j, "current", u->tasks);
		st_json_num(j, "max", u->tasks_max);
		json_obj_end(j);
	} else {
		json_null(j, "tasks");
	}
	if (u->has_mem) {
		json_obj(j, "memory");
		st_json_num(j, "current_bytes", u->mem);
		st_json_num(j, "max_bytes", u->mem_max);
		json_obj_end(j);
	} else {
		json_null(j, "memory");
	}
	if (!st) {
		/* holder records are root's: not known, not none */
		json_null(j, "sandboxes");
		json_obj_end(j);
		return;
	}
	json_arr(j, "sandboxes");
	for (size_t i = 0; i < st->nrec; i++) {
		const struct ctl_record *rec = &st->rec[i];
		char leaf[NAME_MAX + 1];

		if (rec->uid != u->uid)
			continue;
		ctl_holder_leaf(rec->key, leaf, sizeof(leaf));
		json_obj(j, NULL);
		json_str(j, "key", rec->key);
		json_int(j, "holder_pid", rec->h.pid);
		json_bool(j, "alive", rec->alive);
		st_json_num(j, "processes", rec->alive ? sb_holder_nprocs(&rec->h) : ST_NA);
		json_str(j, "leaf", leaf);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

/* ---- command ---- */

static const char *st_backend_name(const struct iso_config *cfg)
{
	if (!cfg)
		return NULL;
	switch (cfg->cgroup_backend) {
	case ISO_BACKEND_CGROUPFS:
		return "cgroupfs";
	case ISO_BACKEND_SYSTEMD:
		return "systemd";
	default:
		return "auto";
	}
}

/* The uids of user.slice/user-UID.slice: logind makes one per user with
 * a session (or lingering), whether pam_isolate confined it or not. */
static int st_slice_uids(uid_t **uids, size_t *n)
{
	struct dirent *de;
	DIR *d = opendir(ST_SD_USER_SLICE);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		unsigned long v;
		char *end;

		if (strncmp(de->d_name, "user-", 5) || de->d_name[5] < '0' || de->d_name[5] > '9')
			continue;
		errno = 0;
		v = strtoul(de->d_name + 5, &end, 10);
		if (errno || strcmp(end, ".slice") || v >= UINT32_MAX)
			continue;
		if (ctl_uid_add(uids, n, (uid_t)v) < 0) {
			closedir(d);
			return -ENOMEM;
		}
	}
	closedir(d);
	return 0;
}

int cmd_status(int argc, char **argv)
{
	struct iso_config *cfg = NULL;
	struct ctl_machine m = {0};
	struct ctl_state st = {0};
	struct st_user u = {.slicefd = -1};
	struct ctl_args a;
	const char *root;
	uid_t *uids = NULL, want = 0;
	size_t nuids = 0;
	struct json j;
	int statedir = -1, r;
	bool sd;
	/* A user sees their own: cgroup files are world-readable and the
	 * config is 0644; the holder records are root's (0700). */
	bool self = geteuid() != 0, one;
	const struct ctl_state *stp = self ? NULL : &st;

	r = ctl_parse(argc, argv, true, 0, 1, &a);
	if (r != CTL_OK)
		goto out;
	if (a.npos && ctl_lookup_uid(a.pos[0], &want) < 0) {
		ctl_warn("status: %s: no such user", a.pos[0]);
		r = CTL_FAIL;
		goto out;
	}
	if (self && a.npos && want != getuid()) {
		ctl_warn("status: another user's status needs root (you may see your own: "
			 "isolatectl status)");
		r = CTL_NEEDS_ROOT;
		goto out;
	}
	if (self)
		want = getuid();
	one = a.npos || self;
	r = self ? CTL_OK : ctl_state_open(false, &statedir);
	if (r != CTL_OK)
		goto out;
	ctl_load_config_or_default(a.conf, &cfg, &root);
	if (ctl_machine_open(root, &m) < 0)
		ctl_warn("status: cgroups: %s", m.err.msg);
	r = CTL_FAIL;
	if (statedir >= 0 && ctl_state_read(statedir, &st) < 0) {
		ctl_warn("status: cannot read %s: %s", ISO_RUNDIR, strerror(errno));
		goto out;
	}
	if (m.cg && cg_list_users(m.cg, &uids, &nuids) < 0) {
		ctl_warn("status: cannot list the users of cgroup_root \"%s\"", root);
		goto out;
	}
	for (size_t i = 0; i < st.nuids; i++)
		if (ctl_uid_add(&uids, &nuids, st.uids[i]) < 0)
			goto out;
	sd = sysd_running(SYSD_RUN_SYSTEM) && (!cfg || cfg->cgroup_backend != ISO_BACKEND_CGROUPFS);
	if (sd && st_slice_uids(&uids, &nuids) < 0)
		goto out;

	if (a.json) {
		json_begin(&j, stdout);
		json_int(&j, "format", 1);
		json_str(&j, "config", a.conf);
		json_bool(&j, "config_ok", cfg != NULL);
		json_str(&j, "cgroup_root", root);
		json_str(&j, "cgroup_backend", st_backend_name(cfg));
		json_bool(&j, "systemd_runs", sysd_running(SYSD_RUN_SYSTEM));
		json_bool(&j, "state_readable", !self);
		if (m.have_layout)
			json_int(&j, "cgroup_version", m.layout.version);
		else
			json_null(&j, "cgroup_version");
		json_arr(&j, "users");
	} else {
		if (sd)
			printf("systemd runs here: users with a slice are shown from %s/"
			       "user-UID.slice, where the systemd backend puts their limits\n",
			       ST_SD_USER_SLICE);
		printf("cgroup_root \"%s\" on cgroup %s\n", root,
		       !m.have_layout		   ? "(no usable layout)"
		       : m.layout.version == CG_V2 ? "v2"
						   : "v1");
	}
	for (size_t i = 0; i < nuids; i++) {
		if (one && uids[i] != want)
			continue;
		r = st_gather(&m, cfg, sd, uids[i], &u);
		u.mode = ctl_user_mode(cfg, u.name, uids[i]);
		if (r < 0) {
			ctl_warn("status: uid %u: %s", (unsigned)uids[i], strerror(-r));
			r = CTL_FAIL;
			goto out;
		}
		if (a.json)
			st_json_user(&j, &u, stp);
		else
			st_print_user(&u, stp);
		free(u.leaves);
		u.leaves = NULL;
		if (u.slicefd >= 0)
			close(u.slicefd);
		u.slicefd = -1;
	}
	if (a.json) {
		json_arr_end(&j);
		json_end(&j);
	} else if (!nuids || (one && !ctl_uid_has(uids, nuids, want))) {
		printf("%s\n", one ? "nothing live for this user" : "no live users");
		if (one && st_gather(&m, cfg, false, want, &u) == 0 && u.rule[0])
			printf("  %-10s %s\n", "rule", u.rule);
	}
	r = CTL_OK;
out:
	if (u.slicefd >= 0)
		close(u.slicefd);
	free(u.leaves);
	free(uids);
	ctl_state_free(&st);
	ctl_machine_close(&m);
	iso_config_free(cfg);
	if (statedir >= 0)
		close(statedir);
	return r < 0 ? CTL_OK : r;
}
