/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_CTL_USAGE_H
#define ISO_CTL_USAGE_H

/*
 * One reader of per-user usage for `isolatectl top` and `isolatectl
 * metrics`: CPU, throttling, quota, memory, OOM kills, tasks, sessions
 * and sandbox of every confined user, from cgroup v1 (hybrid too), v2,
 * or the systemd backend's user-<uid>.slice. Read only.
 */

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#define CU_NA	     LLONG_MIN /* not known here (no file, not managed) */
#define CU_UNLIMITED (-1LL)    /* "max" */

/* Where the CPU seconds come from. */
enum cu_cpu_src {
	CU_CPU_NONE = 0,
	CU_CPU_CGROUP, /* cpu.stat usage_usec or cpuacct.usage: a true counter */
	/* v1 with cpuacct mounted apart and no user dir of ours there: the
	 * sum of utime+stime of the processes in the user's cpu cgroup now.
	 * Exited processes drop out, so it is no counter (it can go down). */
	CU_CPU_PROCS,
};

/* One process's CPU, to take deltas of CU_CPU_PROCS between samples. */
struct cu_proc {
	pid_t pid;
	unsigned long long start; /* /proc/PID/stat starttime: pid reuse */
	long long cpu_ns;
};

struct ctl_usage {
	uid_t uid;
	char name[64];
	char rule[160];	     /* "user alice", "group students", "default", "exempt ..." */
	const char *backend; /* "cgroupfs" or "systemd" */
	enum cu_cpu_src cpu_src;
	long long cpu_ns;
	long long nr_periods, nr_throttled, throttled_ns;
	long long quota_us, period_us; /* CU_UNLIMITED: no quota */
	long long mem, mem_peak, mem_max, mem_high, oom_kills;
	long long tasks, tasks_max;
	int sessions;
	bool sandbox;
	struct cu_proc *procs; /* CU_CPU_PROCS only, sorted by pid */
	size_t nprocs;
};

struct ctl_usage_set {
	struct ctl_usage *u;
	size_t n;
	int cg_version;	    /* 1, 2, 0 unknown */
	bool cpuacct_apart; /* v1: cpuacct is not mounted with cpu */
	bool have_state;    /* /run/pam_isolate was readable */
};

/* Reads every confined user (and only want_uid when want is true).
 * conf: the config file (for cgroup_root, the backend and each user's
 * rule). Returns 0 or -errno; prints warnings for what it could not
 * read. Needs root where /run/pam_isolate exists: -EACCES. */
int ctl_usage_read(const char *conf, bool want, uid_t want_uid, struct ctl_usage_set *set);
void ctl_usage_free(struct ctl_usage_set *set);

/* CPU nanoseconds user b used since sample a of the same user (a NULL:
 * unknown, CU_NA). For CU_CPU_PROCS: per process, a process born between
 * the samples counts whole, one that exited is lost. */
long long ctl_usage_cpu_delta(const struct ctl_usage *a, const struct ctl_usage *b);

/* The user of set with uid, or NULL. */
const struct ctl_usage *ctl_usage_find(const struct ctl_usage_set *set, uid_t uid);

#endif
