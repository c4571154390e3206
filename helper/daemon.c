/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Root processes the helper leaves running after it returns: the sandbox
 * holder, the session_max_time watcher and the clean-up worker. They are
 * forked from a helper that inherited everything from whoever started the
 * login, and a user can start a login (su, sudo) from a process they set
 * up: with oom_score_adj 1000, nice 19, SCHED_IDLE, one CPU, a hard
 * RLIMIT_CPU of a second, or below a PR_SET_CHILD_SUBREAPER process of
 * their own that would become the parent of our processes and never reap
 * them (each unreaped holder pins a pid and a user namespace counted
 * against root). So before any of them is forked: the system's defaults,
 * and a look at who would inherit them.
 */
#define _GNU_SOURCE
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "fsutil.h"
#include "procfs.h"

#define INF RLIM_INFINITY

/* The kernel's defaults for PID 1 (include/asm-generic/resource.h). A
 * limit the caller lowered below them is raised back; NPROC and
 * SIGPENDING are sized by the kernel per machine and left as they are. */
static const struct {
	int res;
	const char *name;
	rlim_t cur, max;
	int must; /* refuse when it cannot be restored: it would kill us */
} defaults[] = {
	{RLIMIT_CPU, "RLIMIT_CPU", INF, INF, 1},
	{RLIMIT_FSIZE, "RLIMIT_FSIZE", INF, INF, 0},
	{RLIMIT_DATA, "RLIMIT_DATA", INF, INF, 0},
	{RLIMIT_STACK, "RLIMIT_STACK", 8 << 20, INF, 0},
	{RLIMIT_RSS, "RLIMIT_RSS", INF, INF, 0},
	{RLIMIT_NOFILE, "RLIMIT_NOFILE", 1024, 4096, 0},
	{RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK", 8 << 20, 8 << 20, 0},
	{RLIMIT_AS, "RLIMIT_AS", INF, INF, 0},
	{RLIMIT_LOCKS, "RLIMIT_LOCKS", INF, INF, 0},
	{RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE", 819200, 819200, 0},
	{RLIMIT_NICE, "RLIMIT_NICE", 0, 0, 0},
	{RLIMIT_RTPRIO, "RLIMIT_RTPRIO", 0, 0, 0},
	{RLIMIT_RTTIME, "RLIMIT_RTTIME", INF, INF, 0},
};

static rlim_t min_rlim(rlim_t a, rlim_t b)
{
	return a < b ? a : b; /* RLIM_INFINITY is the largest value */
}

static int reset_rlimits(struct iso_err *err)
{
	struct rlimit cur, want;
	size_t i;

	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		if (getrlimit(defaults[i].res, &cur) < 0)
			return iso_err_set(err, -errno, "getrlimit %s: %s", defaults[i].name,
					   strerror(errno));
		want.rlim_cur = defaults[i].cur;
		want.rlim_max = defaults[i].max;
		/* lowering a hard limit is always allowed, raising one takes
		 * CAP_SYS_RESOURCE, which root may lack (this build machine) */
		if (setrlimit(defaults[i].res, &want) == 0)
			continue;
		if (defaults[i].must)
			return iso_err_set(
				err, -EPERM,
				"the hard %s of this login is %llu, not unlimited, and cannot be "
				"raised here: a root process started with it (the sandbox holder, "
				"the session_max_time watcher) would be killed by it; start the "
				"login from a process without that limit",
				defaults[i].name, (unsigned long long)cur.rlim_max);
		want.rlim_max = cur.rlim_max;
		want.rlim_cur = min_rlim(defaults[i].cur, cur.rlim_max);
		(void)setrlimit(defaults[i].res, &want);
	}
	return 0;
}

static int reset_sched(void)
{
	struct sched_param sp = {.sched_priority = 0};
	cpu_set_t all;
	int fd, r = 0;

	if (sched_setscheduler(0, SCHED_OTHER, &sp) < 0)
		r = -errno;
	if (setpriority(PRIO_PROCESS, 0, 0) < 0 && !r)
		r = -errno;
	/* every CPU; the kernel keeps only those our cpuset allows */
	CPU_ZERO(&all);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &all);
	if (sched_setaffinity(0, sizeof(all), &all) < 0 && !r)
		r = -errno;
	/* IOPRIO_WHO_PROCESS, this process, class none: the default */
	if (syscall(SYS_ioprio_set, 1, 0, 0) < 0 && !r)
		r = -errno;
	(void)prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0);
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || write(fd, "0", 1) != 1) {
		/* EACCES: a process with CAP_SYS_RESOURCE raised our floor;
		 * no user can, so this is an admin's choice */
		if (!r)
			r = -errno;
	}
	iso_close(fd);
	return r;
}

int iso_daemon_defaults(struct iso_err *err)
{
	int r = reset_rlimits(err);

	if (r < 0)
		return r;
	r = reset_sched();
	if (r < 0)
		syslog(LOG_WARNING,
		       "helper: cannot reset the scheduling of processes we leave running to "
		       "the defaults: %s",
		       strerror(-r));
	return 0;
}

/* Root-owned in every uid of /proc/PID/status ("Uid:\tr\te\ts\tf"). */
static int proc_is_root(pid_t pid)
{
	char path[64], buf[2048], *p, *end;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (iso_read_file_at(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
		return 0;
	p = strstr(buf, "\nUid:");
	if (!p)
		return 0;
	p += 5;
	for (i = 0; i < 4; i++) {
		unsigned long v;

		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || end == p || v != 0)
			return 0;
		p = end;
	}
	return 1;
}

int iso_daemon_reaper_ok(uid_t as_uid, struct iso_err *err)
{
	struct iso_proc_stat st;
	int p[2] = {-1, -1}, status, pidfd = -1, r;
	pid_t child, probe = -1, reaper;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return iso_err_set(err, -errno, "pipe: %s", strerror(errno));
	child = fork();
	if (child < 0) {
		r = iso_err_set(err, -errno, "fork: %s", strerror(errno));
		goto out;
	}
	if (child == 0) {
		/* The probe is orphaned like a process we leave running and
		 * shows who inherits it. It takes the user's ids first: if
		 * nobody reaps it, the zombie is theirs, not root's. */
		pid_t g = fork();

		if (g == 0) {
			gid_t gid = as_uid ? (gid_t)as_uid : 65534;
			uid_t uid = as_uid ? as_uid : 65534;

			if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
			    setresuid(uid, uid, uid) < 0)
				_exit(1);
			(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
			for (int i = 0; i < 200; i++)
				usleep(10000);
			_exit(0);
		}
		n = g > 0 ? write(p[1], &g, sizeof(g)) : -1;
		_exit(n == (ssize_t)sizeof(g) ? 0 : 1);
	}
	iso_close(p[1]);
	p[1] = -1;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	n = read(p[0], &probe, sizeof(probe));
	if (n != (ssize_t)sizeof(probe) || probe <= 0) {
		r = iso_err_set(err, -ECHILD, "cannot start a probe process");
		goto out;
	}
	/* The pidfd pins the probe: the ppid read next is its own. */
	pidfd = (int)syscall(SYS_pidfd_open, probe, 0);
	r = iso_proc_stat(probe, &st);
	if (pidfd < 0 || r < 0) {
		r = iso_err_set(err, -ESRCH, "the probe process went away");
		goto out;
	}
	reaper = st.ppid;
	/* still alive, so that stat was the probe's and not a recycled pid's */
	{
		struct pollfd pfd = {.fd = pidfd, .events = POLLIN};

		if (poll(&pfd, 1, 0) != 0) {
			r = iso_err_set(err, -ESRCH, "the probe process went away");
			goto out;
		}
	}
	if (reaper == 1 || proc_is_root(reaper)) {
		r = 0;
		goto out;
	}
	r = iso_err_set(err, -EPERM,
			"process %d, not root, is a child subreaper (PR_SET_CHILD_SUBREAPER) above "
			"this login: a root process we left running would become its child and "
			"might never be reaped; log in from outside it (ssh, login) instead",
			(int)reaper);
out:
	if (pidfd >= 0)
		(void)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	iso_close(pidfd);
	iso_close(p[0]);
	iso_close(p[1]);
	return r;
}

int iso_daemon_fork(struct cg_engine *cg, unsigned ctrls, struct iso_err *err)
{
	int p[2] = {-1, -1}, status, r;
	pid_t mid;
	char c = 0;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return iso_err_set(err, -errno, "pipe: %s", strerror(errno));
	mid = fork();
	if (mid < 0) {
		r = iso_err_set(err, -errno, "fork: %s", strerror(errno));
		goto out;
	}
	if (mid == 0) {
		pid_t g;

		iso_close(p[0]);
		g = fork();
		if (g != 0)
			_exit(g < 0 ? 1 : 0);
		/* the grandchild: a session of its own, and out of the
		 * caller's cgroups (the user's session leaf for a su in a
		 * session: its kill, tasks_max or memory_max would hit us) */
		(void)setsid();
		/* the caller's stdio (a pipe someone reads to its end, a
		 * terminal) is not ours to keep; we log to syslog */
		{
			int nul = open("/dev/null", O_RDWR | O_CLOEXEC);

			if (nul < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0 || dup2(nul, 2) < 0)
				_exit(1);
			if (nul > 2)
				iso_close(nul);
		}
		if (cg && ctrls && cg_enter_daemons(cg, ctrls, getpid(), NULL) < 0)
			_exit(1);
		c = 'r';
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		iso_close(p[1]);
		return 1;
	}
	iso_close(p[1]);
	p[1] = -1;
	while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
		;
	/* one byte once the grandchild runs where it should; EOF when a
	 * fork failed (EAGAIN at a pids limit) or it could not move */
	do {
		n = read(p[0], &c, 1);
	} while (n < 0 && errno == EINTR);
	r = n == 1 && c == 'r' ? 0 : iso_err_set(err, -EAGAIN, "a detached process did not start");
out:
	iso_close(p[0]);
	iso_close(p[1]);
	return r;
}

void iso_daemon_exit(void)
{
	/* a zombie nobody reaps (a user's subreaper may have inherited us)
	 * then holds nobody's credentials, not root's */
	if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
	    setresuid(65534, 65534, 65534) < 0)
		_exit(1);
	_exit(0);
}
