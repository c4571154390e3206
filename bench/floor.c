/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The floor: only the kernel work a sandboxed login needs, with none of
 * pam_isolate's process structure (no PAM, no helper exec, no config, no
 * locks, no state files, no checks). Root only. Each mode loops N times
 * and prints per-iteration medians like pam_loop.
 *
 *   floor MODE N CPU PIDS CPUBASE PIDSBASE [GAP_US [RAWFILE]]
 *
 * CPU and PIDS are directories (ours, created by bench/run) under which a
 * user cgroup "u" is made; CPUBASE and PIDSBASE are the cgroups this
 * process sits in (also ours), where it moves back to.
 *
 *   cgroup  mkdir u, write cpu.cfs_quota_us / pids.max, mkdir u/s, move
 *           self into u/s; move self back; rmdir u/s, u.       (per login)
 *   create  the above, plus: clone(NEWUSER|NEWPID|NEWNS) a holder, write
 *           its setgroups/uid_map/gid_map, holder makes / rslave, mounts
 *           tmpfs on /tmp and /var/tmp and a fresh /proc; move the holder
 *           into u/h; setns into its mount and pid namespaces; at close
 *           setns back, SIGKILL the holder, wait for it, rmdir u/h.
 *   reuse   one holder made before the loop (u and u/h stay); per login:
 *           write the limits, mkdir u/s, move self, open the holder's ns
 *           files, setns mount + pid; setns back, move back, rmdir u/s.
 *
 * RAWFILE gets each iteration's open, close and total (us).
 * GAP_US: an untimed pause between iterations (a login every so often,
 * not back to back: some kernel paths, e.g. the RCU sync of a cgroup
 * migration, are only cheap while hot).
 *
 * Prints: n=N fail=0 open_med=.. open_p95=.. close_med=.. close_p95=..
 *         total_med=.. total_p95=.. total_mean=.. cpu_mean=..   (us)
 * (cpu_mean: user + system CPU per iteration, the holder's included)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"

static const char *cpu, *pids, *cpubase, *pidsbase;

static __attribute__((noreturn)) void die(const char *what)
{
	perror(what);
	exit(1);
}

static void wr(const char *dir, const char *sub, const char *file, const char *val)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s%s%s/%s", dir, sub[0] ? "/" : "", sub, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		die(path);
	close(fd);
}

static void mk(const char *dir, const char *sub)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		die(path);
}

static void rm(const char *dir, const char *sub)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (rmdir(path) < 0)
		die(path);
}

static void move(const char *dir, const char *sub, pid_t pid)
{
	char val[24];

	snprintf(val, sizeof(val), "%d", (int)pid);
	wr(dir, sub, "cgroup.procs", val);
}

static void user_cgroup(void)
{
	mk(cpu, "u");
	mk(pids, "u");
}

static void limits(void)
{
	wr(cpu, "u", "cpu.cfs_quota_us", "50000");
	wr(pids, "u", "pids.max", "128");
}

/* ---- the holder ---- */

static void holder(int go, int ready)
{
	char c;

	if (read(go, &c, 1) != 1)
		_exit(1);
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64M") < 0 ||
	    mount("tmpfs", "/var/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64M") < 0 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		_exit(1);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

static void map(pid_t pid, const char *file, const char *val)
{
	char dir[64];

	snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
	wr(dir, "", file, val);
}

static pid_t holder_start(void)
{
	int go[2], ready[2];
	pid_t pid;
	char c;

	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0)
		die("pipe");
	pid = (pid_t)syscall(SYS_clone, SIGCHLD | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS, NULL,
			     NULL, NULL, NULL);
	if (pid < 0)
		die("clone");
	if (pid == 0) {
		close(go[1]);
		close(ready[0]);
		holder(go[0], ready[1]);
	}
	close(go[0]);
	close(ready[1]);
	map(pid, "setgroups", "deny");
	map(pid, "uid_map", "0 0 4294967295");
	map(pid, "gid_map", "0 0 4294967295");
	if (write(go[1], "g", 1) != 1 || read(ready[0], &c, 1) != 1)
		die("holder start");
	close(go[1]);
	close(ready[0]);
	return pid;
}

static void holder_stop(pid_t pid)
{
	kill(pid, SIGKILL);
	if (waitpid(pid, NULL, 0) != pid)
		die("waitpid");
}

static void join(pid_t holder_pid)
{
	char path[64];
	int m, p;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)holder_pid);
	m = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)holder_pid);
	p = open(path, O_RDONLY | O_CLOEXEC);
	if (m < 0 || p < 0)
		die("open ns");
	if (setns(m, CLONE_NEWNS) < 0 || setns(p, CLONE_NEWPID) < 0)
		die("setns");
	close(m);
	close(p);
}

static int home_mnt, home_pid;

static void leave(void)
{
	if (setns(home_mnt, CLONE_NEWNS) < 0 || setns(home_pid, CLONE_NEWPID) < 0)
		die("setns home");
}

int main(int argc, char **argv)
{
	const char *mode;
	double *op, *cl, *tot, t0, t1, t2, c0 = 0, sum = 0;
	pid_t self = getpid(), h = -1;
	long gap_us = 0;
	int n, i;

	if (argc < 7 || argc > 9) {
		fprintf(stderr, "usage: floor cgroup|create|reuse N CPU PIDS CPUBASE PIDSBASE "
				"[GAP_US [RAWFILE]]\n");
		return 2;
	}
	mode = argv[1];
	n = (int)num(argv[2]);
	cpu = argv[3];
	pids = argv[4];
	cpubase = argv[5];
	pidsbase = argv[6];
	if (argc >= 8)
		gap_us = (long)num(argv[7]);
	if (n < 1)
		return 2;
	if (strcmp(mode, "cgroup") && strcmp(mode, "create") && strcmp(mode, "reuse")) {
		fprintf(stderr, "floor: unknown mode %s\n", mode);
		return 2;
	}
	op = calloc((size_t)n, sizeof(*op));
	cl = calloc((size_t)n, sizeof(*cl));
	tot = calloc((size_t)n, sizeof(*tot));
	home_mnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	home_pid = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (!op || !cl || !tot || home_mnt < 0 || home_pid < 0)
		die("setup");

	if (!strcmp(mode, "reuse")) {
		user_cgroup();
		mk(cpu, "u/h");
		mk(pids, "u/h");
		h = holder_start();
		move(cpu, "u/h", h);
		move(pids, "u/h", h);
	}
	for (i = -2; i < n; i++) { /* two untimed warm-ups */
		if (gap_us > 0)
			usleep((useconds_t)gap_us);
		if (i == 0)
			c0 = cpu_us();
		t0 = now_us();
		if (strcmp(mode, "reuse"))
			user_cgroup();
		limits();
		mk(cpu, "u/s");
		mk(pids, "u/s");
		move(cpu, "u/s", self);
		move(pids, "u/s", self);
		if (!strcmp(mode, "create")) {
			mk(cpu, "u/h");
			mk(pids, "u/h");
			h = holder_start();
			move(cpu, "u/h", h);
			move(pids, "u/h", h);
		}
		if (strcmp(mode, "cgroup"))
			join(h);
		t1 = now_us();
		/* ---- the session would run here ---- */
		t2 = now_us();
		if (strcmp(mode, "cgroup"))
			leave();
		move(cpubase, "", self);
		move(pidsbase, "", self);
		rm(cpu, "u/s");
		rm(pids, "u/s");
		if (!strcmp(mode, "create")) {
			holder_stop(h);
			rm(cpu, "u/h");
			rm(pids, "u/h");
		}
		if (strcmp(mode, "reuse")) {
			rm(cpu, "u");
			rm(pids, "u");
		}
		if (i >= 0) {
			op[i] = t1 - t0;
			cl[i] = now_us() - t2;
			tot[i] = op[i] + cl[i];
			sum += tot[i];
		}
	}
	c0 = cpu_us() - c0;
	if (h > 0 && !strcmp(mode, "reuse")) {
		holder_stop(h);
		rm(cpu, "u/h");
		rm(pids, "u/h");
		rm(cpu, "u");
		rm(pids, "u");
	}
	if (argc == 9) {
		FILE *f = fopen(argv[8], "w");

		if (f) {
			for (i = 0; i < n; i++)
				fprintf(f, "%.0f %.0f %.0f\n", op[i], cl[i], tot[i]);
			fclose(f);
		}
	}
	printf("n=%d fail=0 open_med=%.0f open_p95=%.0f close_med=%.0f close_p95=%.0f "
	       "total_med=%.0f total_p95=%.0f total_mean=%.0f cpu_mean=%.0f\n",
	       n, pct(op, n, 50), pct(op, n, 95), pct(cl, n, 50), pct(cl, n, 95), pct(tot, n, 50),
	       pct(tot, n, 95), sum / n, c0 / n);
	free(op);
	free(cl);
	free(tot);
	return 0;
}
