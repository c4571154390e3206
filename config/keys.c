/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The keys of a default/group/user section, one row each. The schema
 * (config.c), the per-key merge (policy.c), check-config's RAM and cgroup
 * checks (check.c), the helper's log line, isolatectl explain and the
 * test that holds isolate.conf(5) to the same list all read this table,
 * so a key is added here and in struct iso_limits, nowhere else
 * (docs/DESIGN.md, "How to add a limit key").
 */
#include "config_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/vfs.h>

int parse_word(const char *s, const char *const *words, size_t n)
{
	for (size_t i = 0; s && i < n; i++) {
		if (strcasecmp(s, words[i]) == 0)
			return (int)i;
	}
	return -EINVAL;
}

/* ---- values: parsers and formatters beyond units.c's ---- */

static int parse_bool(const char *s, int64_t *out)
{
	static const char *const words[] = {"no", "yes", "false", "true", "off", "on"};
	int i = parse_word(s, words, 6);

	if (i < 0)
		return i;
	*out = i % 2;
	return 0;
}

static void format_bool(int64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%s", v ? "yes" : "no");
}

/* private_tmp: "yes" keeps its old spelling and now means disk, the
 * default that survives logouts (ISO_TMP_*). */
static int parse_tmp(const char *s, int64_t *out)
{
	static const char *const words[] = {"no",    "disk", "tmpfs", "yes",
					    "false", "true", "off",   "on"};
	static const int64_t vals[] = {ISO_TMP_NO, ISO_TMP_DISK, ISO_TMP_TMPFS, ISO_TMP_DISK,
				       ISO_TMP_NO, ISO_TMP_DISK, ISO_TMP_NO,	ISO_TMP_DISK};
	int i = parse_word(s, words, 8);

	if (i < 0)
		return i;
	*out = vals[i];
	return 0;
}

static void format_tmp(int64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%s", v == ISO_TMP_TMPFS ? "tmpfs" : v == ISO_TMP_DISK ? "disk" : "no");
}

static const char *const logout_words[] = {"keep", "kill"};
static const char *const mode_words[] = {"enforce", "audit"}; /* enum iso_mode */
static const char *const sandbox_words[] = {"per-user", "per-session"};
/* Bit i of the namespaces mask is ns_words[i] (ISO_NS_*). */
static const char *const ns_words[] = {"user", "pid", "mount"};

/* Index i is enum iso_proc_view i. */
static const char *const view_words[] = {"no", "cpus", "lxcfs", "auto"};

static int parse_view(const char *s, int64_t *out)
{
	int i = parse_word(s, view_words, 4);

	if (i < 0)
		return i;
	*out = i;
	return 0;
}

static void format_view(int64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%s", v >= 0 && v <= 3 ? view_words[v] : "unset");
}

static int parse_on_logout(const char *s, int64_t *out)
{
	int i = parse_word(s, logout_words, 2);

	if (i < 0)
		return i;
	*out = i;
	return 0;
}

static void format_on_logout(int64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%s", logout_words[v == ISO_LOGOUT_KILL]);
}

int iso_parse_mode(const char *s, int64_t *out)
{
	int i = parse_word(s, mode_words, 2);

	if (i < 0)
		return i;
	*out = i;
	return 0;
}

static void format_mode(int64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%s", mode_words[v == ISO_MODE_AUDIT]);
}

static int parse_sandbox(const char *s, int64_t *out)
{
	int i = parse_word(s, sandbox_words, 2);

	if (i < 0)
		return i;
	*out = i;
	return 0;
}

static void format_sandbox(int64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%s", sandbox_words[v == ISO_SANDBOX_PER_SESSION]);
}

/* One element of the list; the elements are or'ed. */
static int parse_ns(const char *s, int64_t *out)
{
	int i = parse_word(s, ns_words, 3);

	if (i < 0)
		return i;
	*out = (int64_t)1 << i;
	return 0;
}

static void format_ns(int64_t v, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < 3 && o < len; i++) {
		if (v & ((int64_t)1 << i))
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? " " : "", ns_words[i]);
	}
	if (o == 0)
		snprintf(buf, len, "none");
}

static void note_hide(const struct iso_policy *p, int64_t v, char *buf, size_t len)
{
	if (v == 1 && p->lim.namespaces != ISO_UNSET && (p->lim.namespaces & ISO_NS_PID))
		snprintf(buf, len, "moot: the pid namespace's own /proc shows only the sandbox");
	else if (v == 1)
		snprintf(buf, len, "/proc with hidepid=invisible, host pid numbering");
}

static void format_count(int64_t v, char *buf, size_t len)
{
	if (v == ISO_MAX)
		snprintf(buf, len, "max");
	else if (v == ISO_UNSET)
		snprintf(buf, len, "unset");
	else
		snprintf(buf, len, "%lld", (long long)v);
}

/* ---- explain's remarks ---- */

static void note_cpus(const struct iso_policy *p, int64_t v, char *buf, size_t len)
{
	if (v != ISO_UNSET && v != ISO_MAX)
		snprintf(buf, len, "%.2f CPU(s)", (double)v / 10000.0);
}

static void note_thread_env(const struct iso_policy *p, int64_t v, char *buf, size_t len)
{
	unsigned cpus = iso_limits_thread_cpus(&p->lim);

	if (cpus)
		snprintf(buf, len, "OMP_NUM_THREADS and the BLAS variables = %u", cpus);
}

static void note_view(const struct iso_policy *p, int64_t v, char *buf, size_t len)
{
	const struct iso_limits *l = &p->lim;
	bool mem = l->memory_max != ISO_UNSET && l->memory_max != ISO_MAX;
	unsigned cpus = iso_limits_view_cpus(l);
	struct statfs sf;
	/* what the sandbox made now would find (sandbox_view.c checks more) */
	bool lxcfs = v != ISO_PROC_VIEW_CPUS && statfs(ISO_LXCFS_DIR, &sf) == 0 &&
		     (unsigned long)sf.f_type == 0x65735546UL; /* FUSE_SUPER_MAGIC */

	if (v == ISO_PROC_VIEW_NO)
		return;
	if (l->namespaces == ISO_UNSET || !(l->namespaces & ISO_NS_MOUNT))
		snprintf(buf, len, "none: the rule has no mount namespace");
	else if (!cpus && !mem)
		snprintf(buf, len, "none: the rule sets neither cpu_quota nor memory_max");
	else if (v == ISO_PROC_VIEW_CPUS && !cpus)
		snprintf(buf, len, "none: cpus shows cpu_quota, which the rule does not set");
	else if (v == ISO_PROC_VIEW_CPUS)
		snprintf(buf, len, "%u CPU(s) in /proc/cpuinfo and cpu/online", cpus);
	else if (lxcfs && cpus)
		snprintf(buf, len,
			 "lxcfs (mounted at " ISO_LXCFS_DIR "), with %u CPU(s) in our "
			 "cpuinfo and cpu/online",
			 cpus);
	else if (lxcfs)
		snprintf(buf, len, "lxcfs (mounted at " ISO_LXCFS_DIR ")");
	else if (cpus && v != ISO_PROC_VIEW_LXCFS) /* lxcfs alone: nothing without it */
		snprintf(buf, len,
			 "%u CPU(s) in our cpuinfo and cpu/online; memory the host's: "
			 "no lxcfs mounted at " ISO_LXCFS_DIR " now",
			 cpus);
	else
		snprintf(buf, len, "the host's files: no lxcfs mounted at " ISO_LXCFS_DIR " now");
}

static void note_swap(const struct iso_policy *p, int64_t v, char *buf, size_t len)
{
	if (v == 0)
		snprintf(buf, len, "no swap at all");
}

static void note_tmp_size(const struct iso_policy *p, int64_t v, char *buf, size_t len)
{
	char a[32];

	if (p->lim.private_tmp == ISO_TMP_DISK && v != ISO_UNSET && p->lim.private_shm != 1)
		snprintf(buf, len, "unused: private_tmp = disk has no size");
	else if (p->lim.private_tmp == ISO_TMP_DISK && v != ISO_UNSET)
		snprintf(buf, len, "sizes /dev/shm only: private_tmp = disk has no size");
	else if (p->lim.memory_max > 0 &&
		 (v == ISO_UNSET || v == ISO_MAX || v > p->lim.memory_max / 2)) {
		iso_format_size(p->lim.memory_max / 2, a, sizeof(a));
		snprintf(buf, len, "tmpfs size %s: half of memory_max", a);
	}
}

static void note_ns(const struct iso_policy *p, int64_t v, char *buf, size_t len)
{
	if (!p->mount_implied)
		return;
	snprintf(buf, len, "mount added: needed by %s",
		 (v & ISO_NS_PID)	      ? "the pid namespace's /proc"
		 : p->lim.hide_processes == 1 ? "hide_processes"
		 : p->lim.private_tmp > 0     ? "private_tmp"
		 : p->lim.private_shm == 1    ? "private_shm"
					      : "cgroup_ns");
}

/* ---- the table ---- */

/* pids.max takes at most PID_MAX_LIMIT (kernel/cgroup/pids.c). */
#define TASKS_MAX_LIMIT 4194304
#define PERCENT_LIMIT	10000000 /* 100000 % in 1/100 %: 1000 CPUs */
/* A session limit beyond a year is a typo for "max", not a policy. */
#define SESSION_TIME_LIMIT (365 * 86400)

#define OFF(f)	    offsetof(struct iso_limits, f)
#define BUILTIN(v)  .has_builtin = true, .builtin = (v)
#define YES_NO	    .parse = parse_bool, .format = format_bool, .max = 1, .expect = "yes or no"
#define SIZE	    .parse = iso_parse_size, .format = iso_format_size
#define SIZE_RANGE  .min = 4096, .max = INT64_MAX, .range = "4K or more, or \"max\""
#define SIZE_EXPECT "a size like \"512M\" or \"4G\", or \"max\""

/* In the order explain shows them, by group. */
static const struct iso_key rows[] = {
	{.name = "cpu_quota",
	 .off = OFF(cpu_quota),
	 .group = ISO_KG_LIMITS,
	 .flags = ISO_KEY_MAX_OK | ISO_KEY_CGROUP | ISO_KEY_LOG,
	 .parse = iso_parse_percent,
	 .format = iso_format_percent,
	 .min = 1,
	 .max = PERCENT_LIMIT,
	 .expect = "a percentage like \"50%\" or \"12.5%\", or \"max\"",
	 .range = "0.01% .. 100000%, or \"max\"",
	 .note = note_cpus},
	{.name = "cpu_period",
	 .off = OFF(cpu_period_us),
	 .group = ISO_KG_LIMITS,
	 .flags = ISO_KEY_LOG,
	 .parse = iso_parse_duration_us,
	 .format = iso_format_duration_us,
	 .min = 1000,
	 .max = 1000000,
	 BUILTIN(ISO_DEFAULT_CPU_PERIOD_US),
	 .expect = "a duration like \"100ms\", \"1s\" or \"5000us\"",
	 .range = "1ms .. 1s"},
	{.name = "cpu_weight",
	 .off = OFF(cpu_weight),
	 .group = ISO_KG_LIMITS,
	 .flags = ISO_KEY_CGROUP | ISO_KEY_LOG,
	 .parse = iso_parse_count,
	 .format = format_count,
	 .min = 1,
	 .max = 10000,
	 .expect = "a number from 1 to 10000",
	 .range = "1 .. 10000"},
	{.name = "tasks_max",
	 .off = OFF(tasks_max),
	 .group = ISO_KG_LIMITS,
	 .flags = ISO_KEY_MAX_OK | ISO_KEY_CGROUP | ISO_KEY_LOG,
	 .parse = iso_parse_count,
	 .format = format_count,
	 .min = 1,
	 .max = TASKS_MAX_LIMIT,
	 .expect = "a number or \"max\"",
	 .range = "1 .. 4194304, or \"max\""},
	{.name = "memory_max",
	 .off = OFF(memory_max),
	 .group = ISO_KG_LIMITS,
	 .flags = ISO_KEY_MAX_OK | ISO_KEY_CGROUP | ISO_KEY_LOG | ISO_KEY_RAM,
	 SIZE,
	 SIZE_RANGE,
	 .expect = SIZE_EXPECT},
	{.name = "memory_high",
	 .off = OFF(memory_high),
	 .group = ISO_KG_LIMITS,
	 .flags = ISO_KEY_MAX_OK | ISO_KEY_CGROUP | ISO_KEY_RAM,
	 SIZE,
	 SIZE_RANGE,
	 .expect = SIZE_EXPECT},
	/* 0 is a policy here (no swap at all), unlike for memory_max. */
	{.name = "swap_max",
	 .off = OFF(swap_max),
	 .group = ISO_KG_LIMITS,
	 .flags = ISO_KEY_MAX_OK | ISO_KEY_CGROUP | ISO_KEY_RAM,
	 SIZE,
	 .max = INT64_MAX,
	 .expect = "a size like \"512M\" or \"4G\", 0 (no swap), or \"max\"",
	 .range = "0 or more, or \"max\"",
	 .note = note_swap},
	{.name = "namespaces",
	 .off = OFF(namespaces),
	 .group = ISO_KG_SANDBOX,
	 .flags = ISO_KEY_LIST,
	 .parse = parse_ns,
	 .format = format_ns,
	 BUILTIN(0),
	 .expect = "user, pid or mount",
	 .range = "",
	 .note = note_ns},
	{.name = "private_tmp",
	 .off = OFF(private_tmp),
	 .group = ISO_KG_SANDBOX,
	 .flags = ISO_KEY_MOUNT,
	 .parse = parse_tmp,
	 .format = format_tmp,
	 .max = ISO_TMP_TMPFS,
	 BUILTIN(ISO_TMP_NO),
	 .expect = "disk, tmpfs, yes (disk) or no",
	 .range = ""},
	{.name = "tmp_size",
	 .off = OFF(tmp_size),
	 .group = ISO_KG_SANDBOX,
	 .flags = ISO_KEY_MAX_OK,
	 SIZE,
	 SIZE_RANGE,
	 .expect = "a size like \"512M\" or \"1G\", or \"max\"",
	 .unset = "10% of RAM",
	 .note = note_tmp_size},
	{.name = "private_shm",
	 .off = OFF(private_shm),
	 .group = ISO_KG_SANDBOX,
	 .flags = ISO_KEY_MOUNT,
	 YES_NO,
	 BUILTIN(0),
	 .range = ""},
	{.name = "cgroup_ns",
	 .off = OFF(cgroup_ns),
	 .group = ISO_KG_SANDBOX,
	 .flags = ISO_KEY_MOUNT,
	 YES_NO,
	 BUILTIN(0),
	 .range = ""},
	{.name = "hide_processes",
	 .off = OFF(hide_processes),
	 .group = ISO_KG_SANDBOX,
	 .flags = ISO_KEY_MOUNT,
	 YES_NO,
	 BUILTIN(0),
	 .range = "",
	 .note = note_hide},
	{.name = "sandbox",
	 .off = OFF(sandbox),
	 .group = ISO_KG_SANDBOX,
	 .parse = parse_sandbox,
	 .format = format_sandbox,
	 .max = 1,
	 BUILTIN(ISO_SANDBOX_PER_USER),
	 .expect = "per-user or per-session",
	 .range = ""},
	{.name = "on_logout",
	 .off = OFF(on_logout),
	 .group = ISO_KG_SESSION,
	 .parse = parse_on_logout,
	 .format = format_on_logout,
	 .max = 1,
	 BUILTIN(ISO_LOGOUT_KEEP),
	 .expect = "keep or kill",
	 .range = ""},
	{.name = "session_max_time",
	 .off = OFF(session_max_time),
	 .group = ISO_KG_SESSION,
	 .flags = ISO_KEY_MAX_OK,
	 .parse = iso_parse_duration_s,
	 .format = iso_format_duration_s,
	 .min = 1,
	 .max = SESSION_TIME_LIMIT,
	 BUILTIN(ISO_MAX),
	 .expect = "a duration like \"90s\", \"30m\", \"8h\" or \"1d\", or \"max\"",
	 .range = "1s .. 365d, or \"max\""},
	{.name = "no_new_privs",
	 .off = OFF(no_new_privs),
	 .group = ISO_KG_SESSION,
	 YES_NO,
	 BUILTIN(0),
	 .range = ""},
	{.name = "thread_env",
	 .off = OFF(thread_env),
	 .group = ISO_KG_SESSION,
	 YES_NO,
	 BUILTIN(1),
	 .range = "",
	 .note = note_thread_env},
	{.name = "proc_view",
	 .off = OFF(proc_view),
	 .group = ISO_KG_SANDBOX,
	 .parse = parse_view,
	 .format = format_view,
	 .max = 3,
	 BUILTIN(ISO_PROC_VIEW_AUTO),
	 .expect = "auto, lxcfs, cpus or no",
	 .range = "",
	 .note = note_view},
	{.name = "mode",
	 .off = OFF(mode),
	 .group = ISO_KG_SESSION,
	 .parse = iso_parse_mode,
	 .format = format_mode,
	 .max = 1,
	 BUILTIN(ISO_MODE_ENFORCE),
	 .expect = "enforce or audit",
	 .range = ""},
};

/* A field of struct iso_limits without its row (or a row too many)
 * does not build. */
_Static_assert(sizeof(rows) / sizeof(rows[0]) == ISO_NKEYS,
	       "one row in config/keys.c per field of struct iso_limits");
const struct iso_key *const iso_keys = rows;

/* The top-level keys (their schema, with defaults, is config.c's). */
static const char *const top_keys[] = {"cgroup_root",	  "on_error",	     "exempt_users",
				       "exempt_groups",	  "min_uid",	     "services",
				       "on_config_error", "on_cgroup_error", "on_namespace_error",
				       "cgroup_backend",  "login_message",   "mode"};

bool known_key(const char *name)
{
	for (size_t i = 0; i < sizeof(top_keys) / sizeof(top_keys[0]); i++) {
		if (strcmp(top_keys[i], name) == 0)
			return true;
	}
	return iso_key_find(name) != NULL;
}

const struct iso_key *iso_key_find(const char *name)
{
	for (size_t i = 0; name && i < ISO_NKEYS; i++) {
		if (strcmp(iso_keys[i].name, name) == 0)
			return &iso_keys[i];
	}
	return NULL;
}

unsigned iso_limits_thread_cpus(const struct iso_limits *l)
{
	if (l->thread_env != 1 || l->cpu_quota == ISO_UNSET || l->cpu_quota == ISO_MAX ||
	    l->cpu_quota <= 0)
		return 0;
	/* 10000 == one CPU; cpu_quota is at most 100000% (1000 CPUs) */
	return (unsigned)((l->cpu_quota + 9999) / 10000);
}

unsigned iso_limits_view_cpus(const struct iso_limits *l)
{
	if (l->proc_view == ISO_PROC_VIEW_NO || l->proc_view == ISO_UNSET ||
	    l->cpu_quota == ISO_UNSET || l->cpu_quota == ISO_MAX || l->cpu_quota <= 0)
		return 0;
	return (unsigned)((l->cpu_quota + 9999) / 10000);
}

int64_t iso_limits_tmpfs_size(const struct iso_limits *l, int64_t ram)
{
	int64_t size = l->tmp_size > 0 ? l->tmp_size : l->tmp_size == ISO_MAX ? ISO_MAX : ram / 10;

	/* A fill of the tmpfs must end in ENOSPC, not in the OOM killer:
	 * tmpfs pages belong to no process, so the kernel would pick the
	 * largest one in the cgroup instead. */
	if (l->memory_max > 0 && (size == ISO_MAX || size > l->memory_max / 2))
		size = l->memory_max / 2;
	return size;
}

int64_t iso_key_get(const struct iso_key *k, const struct iso_limits *lim)
{
	return *(const int64_t *)((const char *)lim + k->off);
}

static void key_set(const struct iso_key *k, struct iso_limits *lim, int64_t v)
{
	*(int64_t *)((char *)lim + k->off) = v;
}

void iso_key_format(const struct iso_key *k, int64_t v, char *buf, size_t len)
{
	if (!buf || len == 0)
		return;
	if (v == ISO_UNSET || v == ISO_MAX)
		format_count(v, buf, len); /* the words every key shares */
	else
		k->format(v, buf, len);
}

int key_value(const struct iso_key *k, const char *s, const char *name, int line,
	      struct iso_err *err, int64_t *out)
{
	char buf[SHOW_MAX + 8];
	int64_t v;
	int r;

	r = k->parse(s, &v);
	if (r == -ERANGE)
		return add_err(err, name, line, "%s: value \"%s\" out of range (expected %s)",
			       k->name, show(s, buf, sizeof(buf)), k->range);
	if (r < 0 || (v == ISO_MAX && !(k->flags & ISO_KEY_MAX_OK)))
		return add_err(err, name, line, "%s: invalid value \"%s\" (expected %s)", k->name,
			       show(s, buf, sizeof(buf)), k->expect);
	if (!(k->flags & ISO_KEY_LIST) && v != ISO_MAX && (v < k->min || v > k->max))
		return add_err(err, name, line, "%s: value \"%s\" out of range (expected %s)",
			       k->name, show(s, buf, sizeof(buf)), k->range);
	*out = v;
	return 0;
}

/* ---- whole rules ---- */

void iso_limits_init(struct iso_limits *lim)
{
	for (size_t i = 0; lim && i < ISO_NKEYS; i++)
		key_set(&iso_keys[i], lim, ISO_UNSET);
}

void iso_limits_builtin(struct iso_limits *lim)
{
	for (size_t i = 0; i < ISO_NKEYS; i++)
		key_set(&iso_keys[i], lim,
			iso_keys[i].has_builtin ? iso_keys[i].builtin : ISO_UNSET);
}

void iso_limits_overlay(struct iso_limits *base, const struct iso_limits *over, unsigned char *from,
			unsigned char src)
{
	for (size_t i = 0; i < ISO_NKEYS; i++) {
		int64_t v = iso_key_get(&iso_keys[i], over);

		if (v == ISO_UNSET)
			continue;
		key_set(&iso_keys[i], base, v);
		if (from)
			from[i] = src;
	}
}

/* A fresh /proc for the pid namespace, a private /tmp and /dev/shm and
 * cgroup_ns's view (a bind over each hierarchy) are mounts of the
 * sandbox's own: the engine must not have to infer that. */
bool iso_limits_imply(struct iso_limits *lim)
{
	bool need = lim->namespaces != ISO_UNSET && (lim->namespaces & ISO_NS_PID);

	for (size_t i = 0; i < ISO_NKEYS; i++)
		need |= (iso_keys[i].flags & ISO_KEY_MOUNT) && iso_key_get(&iso_keys[i], lim) > 0;
	if (!need || (lim->namespaces != ISO_UNSET && (lim->namespaces & ISO_NS_MOUNT)))
		return false;
	lim->namespaces = (lim->namespaces == ISO_UNSET ? 0 : lim->namespaces) | ISO_NS_MOUNT;
	return true;
}

void iso_limits_describe(const struct iso_limits *lim, char *buf, size_t len)
{
	size_t o = 0;

	if (!buf || len == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < ISO_NKEYS && o < len; i++) {
		char v[64];

		if (!(iso_keys[i].flags & ISO_KEY_LOG))
			continue;
		iso_key_format(&iso_keys[i], iso_key_get(&iso_keys[i], lim), v, sizeof(v));
		o += (size_t)snprintf(buf + o, len - o, "%s%s=%s", o ? " " : "", iso_keys[i].name,
				      v);
	}
}

void iso_limits_audit(struct iso_limits *lim)
{
	int64_t *const maxed[] = {&lim->cpu_quota, &lim->tasks_max, &lim->memory_max,
				  &lim->memory_high, &lim->swap_max};

	if (lim->mode != ISO_MODE_AUDIT)
		return;
	/* the kernel's own default weight: a share taken by an enforced
	 * session before goes back */
	if (lim->cpu_weight != ISO_UNSET)
		lim->cpu_weight = 100;
	for (size_t i = 0; i < sizeof(maxed) / sizeof(maxed[0]); i++) {
		if (*maxed[i] != ISO_UNSET)
			*maxed[i] = ISO_MAX;
	}
	lim->namespaces = 0;
	lim->private_tmp = lim->private_shm = lim->cgroup_ns = lim->hide_processes = 0;
	lim->no_new_privs = lim->thread_env = 0;
	lim->proc_view = ISO_PROC_VIEW_NO;
	lim->session_max_time = ISO_MAX;
}
