/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * isolatectl metrics: the Prometheus text exposition format (0.0.4), one
 * series per confined user and metric (labels user, uid, rule), and the
 * helper's per-host counters (helper/counters.c). For node_exporter's
 * textfile collector (isolatectl(8) shows the timer); a value the host
 * cannot know is left out rather than printed as 0.
 */
#define _GNU_SOURCE
#include "ctl.h"
#include "ctl_usage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MX_PFX "pam_isolate_"

/* Label values: backslash, double quote and newline escaped. */
static void mx_label(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			printf("\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", stdout);
		else
			putchar(*s);
	}
}

static void mx_head(const char *name, const char *type, const char *help)
{
	printf("# HELP " MX_PFX "%s %s\n# TYPE " MX_PFX "%s %s\n", name, help, name, type);
}

static void mx_user_labels(const struct ctl_usage *u, const char *lname, const char *lval)
{
	fputs("{user=\"", stdout);
	mx_label(u->name);
	printf("\",uid=\"%u\",rule=\"", (unsigned)u->uid);
	mx_label(u->rule);
	putchar('"');
	if (lval)
		printf(",%s=\"%s\"", lname, lval);
	putchar('}');
}

/* One series per user where the value is known (and, with no_limit
 * false, not "max"): an absent series is "unknown here", not zero. */
typedef long long (*mx_get)(const struct ctl_usage *u);

static void mx_series(const struct ctl_usage_set *s, const char *name, const char *kind, mx_get get,
		      double scale)
{
	for (size_t i = 0; i < s->n; i++) {
		long long v = get(&s->u[i]);

		if (v == CU_NA || v == CU_UNLIMITED)
			continue;
		printf(MX_PFX "%s", name);
		mx_user_labels(&s->u[i], "kind", kind);
		if (scale == 1.0)
			printf(" %lld\n", v);
		else
			printf(" %.9g\n", (double)v * scale);
	}
}

static long long g_cpu_counter(const struct ctl_usage *u)
{
	return u->cpu_src == CU_CPU_CGROUP ? u->cpu_ns : CU_NA;
}
static long long g_cpu_procs(const struct ctl_usage *u)
{
	return u->cpu_src == CU_CPU_PROCS ? u->cpu_ns : CU_NA;
}
static long long g_periods(const struct ctl_usage *u)
{
	return u->nr_periods;
}
static long long g_throttled(const struct ctl_usage *u)
{
	return u->nr_throttled;
}
static long long g_throttled_ns(const struct ctl_usage *u)
{
	return u->throttled_ns;
}
static long long g_quota_ppm(const struct ctl_usage *u)
{
	if (u->quota_us == CU_NA || u->quota_us == CU_UNLIMITED || u->period_us <= 0)
		return CU_NA;
	return u->quota_us * 1000000 / u->period_us;
}
static long long g_mem(const struct ctl_usage *u)
{
	return u->mem;
}
static long long g_mem_peak(const struct ctl_usage *u)
{
	return u->mem_peak;
}
static long long g_mem_max(const struct ctl_usage *u)
{
	return u->mem_max;
}
static long long g_mem_high(const struct ctl_usage *u)
{
	return u->mem_high;
}
static long long g_oom(const struct ctl_usage *u)
{
	return u->oom_kills;
}
static long long g_tasks(const struct ctl_usage *u)
{
	return u->tasks;
}
static long long g_tasks_max(const struct ctl_usage *u)
{
	return u->tasks_max;
}
static long long g_sessions(const struct ctl_usage *u)
{
	return u->sessions;
}
static long long g_sandbox(const struct ctl_usage *u)
{
	return u->sandbox;
}

/* ---- the helper's counters ---- */

static const char *const mx_results[] = {"confined", "exempt", "allowed", "denied"};
static const char *const mx_classes[] = {"config", "cgroup", "namespace", "internal"};

static unsigned long long mx_counter(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = text; p && *p;) {
		if (!strncmp(p, name, n) && p[n] == ' ')
			return strtoull(p + n + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

static void mx_host(void)
{
	char text[2048] = "", name[64];
	int fd = open(ISO_RUNDIR "/counters", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	ssize_t got;

	/* none yet (no request since boot): every counter is 0 */
	if (fd >= 0) {
		got = read(fd, text, sizeof(text) - 1);
		text[got > 0 ? got : 0] = '\0';
		close(fd);
	}
	mx_head("opens_total", "counter", "Session opens the helper answered, by result.");
	for (size_t i = 0; i < NELEM(mx_results); i++) {
		snprintf(name, sizeof(name), "opens_%s", mx_results[i]);
		printf(MX_PFX "opens_total{result=\"%s\"} %llu\n", mx_results[i],
		       mx_counter(text, name));
	}
	mx_head("closes_total", "counter", "Session closes the helper answered.");
	printf(MX_PFX "closes_total %llu\n", mx_counter(text, "closes"));
	mx_head("refusals_total", "counter",
		"Session opens refused (on_error deny) by the class of the failure.");
	for (size_t i = 0; i < NELEM(mx_classes); i++) {
		snprintf(name, sizeof(name), "refused_%s", mx_classes[i]);
		printf(MX_PFX "refusals_total{class=\"%s\"} %llu\n", mx_classes[i],
		       mx_counter(text, name));
	}
	mx_head("errors_total", "counter",
		"Failed opens and closes, refused or allowed unconfined, by class.");
	for (size_t i = 0; i < NELEM(mx_classes); i++) {
		snprintf(name, sizeof(name), "errors_%s", mx_classes[i]);
		printf(MX_PFX "errors_total{class=\"%s\"} %llu\n", mx_classes[i],
		       mx_counter(text, name));
	}
}

static void mx_print(const struct ctl_usage_set *s)
{
	mx_head("user_info", "gauge", "A confined user: its rule and cgroup backend.");
	for (size_t i = 0; i < s->n; i++) {
		printf(MX_PFX "user_info");
		mx_user_labels(&s->u[i], "backend", s->u[i].backend);
		printf(" 1\n");
	}
	mx_head("cpu_seconds_total", "counter", "CPU time used by the user's cgroup.");
	mx_series(s, "cpu_seconds_total", NULL, g_cpu_counter, 1e-9);
	mx_head("process_cpu_seconds", "gauge",
		"cgroup v1 with cpuacct apart: CPU time of the processes now in the user's cgroup "
		"(no counter: ended processes drop out).");
	mx_series(s, "process_cpu_seconds", NULL, g_cpu_procs, 1e-9);
	mx_head("cpu_periods_total", "counter", "CFS enforcement periods elapsed.");
	mx_series(s, "cpu_periods_total", NULL, g_periods, 1.0);
	mx_head("throttled_periods_total", "counter",
		"CFS periods in which the user was throttled.");
	mx_series(s, "throttled_periods_total", NULL, g_throttled, 1.0);
	mx_head("throttled_seconds_total", "counter", "Time the user's tasks were throttled.");
	mx_series(s, "throttled_seconds_total", NULL, g_throttled_ns, 1e-9);
	mx_head("cpu_quota_cpus", "gauge", "CPU quota in CPUs (absent: no quota).");
	mx_series(s, "cpu_quota_cpus", NULL, g_quota_ppm, 1e-6);
	mx_head("memory_bytes", "gauge",
		"Memory: kind current, peak, max and high (absent: unknown or no limit).");
	mx_series(s, "memory_bytes", "current", g_mem, 1.0);
	mx_series(s, "memory_bytes", "peak", g_mem_peak, 1.0);
	mx_series(s, "memory_bytes", "max", g_mem_max, 1.0);
	mx_series(s, "memory_bytes", "high", g_mem_high, 1.0);
	mx_head("oom_kills_total", "counter", "Processes killed by the OOM killer in the cgroup.");
	mx_series(s, "oom_kills_total", NULL, g_oom, 1.0);
	mx_head("tasks", "gauge", "Tasks: kind current and max (absent: unknown or no limit).");
	mx_series(s, "tasks", "current", g_tasks, 1.0);
	mx_series(s, "tasks", "max", g_tasks_max, 1.0);
	mx_head("sessions", "gauge", "Live sessions (session leaves or scopes with processes).");
	mx_series(s, "sessions", NULL, g_sessions, 1.0);
	mx_head("sandbox", "gauge", "1 when a sandbox holder of the user runs.");
	mx_series(s, "sandbox", NULL, g_sandbox, 1.0);
	mx_host();
}

int cmd_metrics(int argc, char **argv)
{
	struct ctl_usage_set set;
	struct ctl_args a;
	uid_t want = 0;
	int r;

	r = ctl_parse(argc, argv, false, 0, 1, &a);
	if (r != CTL_OK)
		return r < 0 ? CTL_OK : r;
	if (a.npos && ctl_lookup_uid(a.pos[0], &want) < 0) {
		ctl_warn("metrics: %s: no such user", a.pos[0]);
		return CTL_FAIL;
	}
	r = ctl_usage_read(a.conf, a.npos > 0, want, &set);
	if (r == -EACCES)
		return CTL_NEEDS_ROOT; /* ctl_state_open said why */
	if (r < 0) {
		ctl_warn("metrics: %s", strerror(-r));
		return CTL_FAIL;
	}
	mx_print(&set);
	ctl_usage_free(&set);
	return CTL_OK;
}
