/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The benchmark's login loop: N x (pam_start, pam_open_session,
 * [fork, drop to the user, exec CMD, wait,] pam_close_session, pam_end) in
 * one process, timing each open and each close with CLOCK_MONOTONIC.
 * Every open of pam_isolate forks and execs the setuid helper, and so does
 * every close: what is timed is what a login pays.
 *
 *   pam_loop SERVICE USER N [options] [-- CMD ARGS...]
 *     -w W          W untimed warm-up iterations first (default 3)
 *     -c ROOT       check in the first warm-up that a child of the session
 *                   is in .../ROOT/user-<uid>/session-... (cpu hierarchy)
 *     -s            check that the child is in another pid namespace and
 *                   has a tmpfs /tmp (the sandbox)
 *     -a EPOCH_NS   start the first iteration at this CLOCK_REALTIME (a
 *                   barrier for parallel logins); prints end_ns=
 *     -r FILE       write each login's open, close and total (us) to FILE
 *     -g GAP_US     untimed pause before each timed login (paced logins)
 *     -- CMD...     run CMD as the user inside every timed session
 *
 * Prints one line:
 *   n=N fail=F open_med=.. open_p95=.. close_med=.. close_p95=..
 *   total_med=.. total_p95=.. total_mean=.. cpu_mean=.. [end_ns=..]   (us)
 * cpu_mean: user + system CPU per login of this process and the children
 * it waited for (the helpers, CMD); the rest of the wall time is waiting.
 * total is the whole login, pam_start to pam_end, CMD included.
 * Exit 0 when every iteration opened and closed, 1 otherwise, 2 usage,
 * 3 when a check failed (the session was not what the case claims).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/magic.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "measure.h"

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	int i;

	(void)data;
	if (!r)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++)
		fprintf(stderr, "pam: %s\n", msg[i]->msg ? msg[i]->msg : "");
	*resp = r;
	return PAM_SUCCESS;
}

struct opts {
	const char *service, *user, *root, *rawfile;
	int n, warm, sandbox;
	long gap_us;
	long long at_ns;
	char **cmd;
};

/* The session's child: checks what the case claims, or runs CMD. */
static void child(const struct passwd *pw, const struct opts *o, int check, ino_t host_pidns)
{
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0)
		_exit(22);
	if (chdir("/") < 0)
		_exit(22);
	if (check) {
		char buf[4096], want[512];
		struct statfs sfs;
		struct stat st;
		ssize_t got;
		int fd;

		if (o->root) {
			fd = open("/proc/self/cgroup", O_RDONLY);
			got = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
			if (got <= 0)
				_exit(30);
			buf[got] = '\0';
			snprintf(want, sizeof(want), ":cpu:/%s/user-%u/session-", o->root,
				 (unsigned)pw->pw_uid);
			if (!strstr(buf, want)) {
				fprintf(stderr, "check: not in %s:\n%s", want, buf);
				_exit(31);
			}
		}
		if (o->sandbox) {
			if (stat("/proc/self/ns/pid", &st) < 0 || st.st_ino == host_pidns) {
				fprintf(stderr, "check: child is in the host pid namespace\n");
				_exit(32);
			}
			if (statfs("/tmp", &sfs) < 0 || sfs.f_type != TMPFS_MAGIC) {
				fprintf(stderr, "check: /tmp is not a tmpfs\n");
				_exit(33);
			}
		}
		_exit(0);
	}
	if (o->cmd) {
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		execvp(o->cmd[0], o->cmd);
		_exit(127);
	}
	_exit(0);
}

static int run_child(const struct passwd *pw, const struct opts *o, int check, ino_t host_pidns)
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		child(pw, o, check, host_pidns);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* One login. Returns 0, or -1 when open or close failed; *t_open and
 * *t_close get the time of each call (with pam_start / pam_end). */
static int one(const struct passwd *pw, const struct opts *o, int check, ino_t host_pidns,
	       double *t_open, double *t_close, double *t_total, int *check_rc)
{
	struct pam_conv pc = {conv, NULL};
	pam_handle_t *pamh = NULL;
	double t0, t1, t2, t3;
	int r, ok = 0;

	t0 = now_us();
	r = pam_start(o->service, o->user, &pc, &pamh);
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "pam_start: %s\n", pam_strerror(pamh, r));
		return -1;
	}
	r = pam_open_session(pamh, 0);
	t1 = now_us();
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "open_session: %s\n", pam_strerror(pamh, r));
		pam_end(pamh, r);
		return -1;
	}
	if (check || o->cmd) {
		int rc = run_child(pw, o, check, host_pidns);

		if (check_rc)
			*check_rc = rc;
	}
	t2 = now_us();
	r = pam_close_session(pamh, 0);
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "close_session: %s\n", pam_strerror(pamh, r));
		ok = -1;
	}
	pam_end(pamh, r);
	t3 = now_us();
	*t_open = t1 - t0;
	*t_close = t3 - t2;
	*t_total = t3 - t0; /* the whole login, CMD included */
	return ok;
}

static void usage(void)
{
	fprintf(stderr, "usage: pam_loop SERVICE USER N [-w W] [-c ROOT] [-s] [-a EPOCH_NS] "
			"[-r FILE] [-g GAP_US] [-- CMD ARGS...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = {.warm = 3};
	double *op, *cl, *tot, a, b, c, c0, csum = 0;
	struct passwd *pw;
	struct stat st;
	int i, k, fails = 0, opt;

	while ((opt = getopt(argc, argv, "+w:c:sa:r:g:")) != -1) {
		switch (opt) {
		case 'w':
			o.warm = (int)num(optarg);
			break;
		case 'c':
			o.root = optarg;
			break;
		case 's':
			o.sandbox = 1;
			break;
		case 'a':
			o.at_ns = num(optarg);
			break;
		case 'r':
			o.rawfile = optarg;
			break;
		case 'g':
			o.gap_us = (long)num(optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 3)
		usage();
	o.service = argv[optind];
	o.user = argv[optind + 1];
	o.n = (int)num(argv[optind + 2]);
	if (o.n < 1)
		usage();
	if (argc - optind > 3) {
		if (strcmp(argv[optind + 3], "--") || argc - optind < 5)
			usage();
		o.cmd = argv + optind + 4;
	}
	pw = getpwnam(o.user);
	if (!pw) {
		fprintf(stderr, "unknown user %s\n", o.user);
		return 2;
	}
	if (stat("/proc/self/ns/pid", &st) < 0)
		return 2;

	/* Warm-up: caches, the first dlopen; the first one also checks. */
	for (i = 0; i < o.warm; i++) {
		int crc = 0, check = i == 0 && (o.root || o.sandbox);

		if (one(pw, &o, check, st.st_ino, &a, &b, &c, &crc) < 0)
			return 1;
		if (check && crc != 0) {
			fprintf(stderr,
				"pam_loop: session check failed (%d): %s/%s is not what "
				"the case claims\n",
				crc, o.service, o.user);
			return 3;
		}
	}
	op = calloc((size_t)o.n, sizeof(*op));
	cl = calloc((size_t)o.n, sizeof(*cl));
	tot = calloc((size_t)o.n, sizeof(*tot));
	if (!op || !cl || !tot) {
		free(op);
		free(cl);
		free(tot);
		return 2;
	}
	if (o.at_ns > 0) {
		struct timespec ts = {.tv_sec = o.at_ns / 1000000000LL,
				      .tv_nsec = o.at_ns % 1000000000LL};

		while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
	}
	c0 = cpu_us();
	for (i = 0, k = 0; i < o.n; i++) {
		if (o.gap_us > 0)
			usleep((useconds_t)o.gap_us);
		if (one(pw, &o, 0, st.st_ino, &a, &b, &c, NULL) < 0) {
			fails++;
			continue;
		}
		op[k] = a;
		cl[k] = b;
		tot[k] = c;
		csum += c;
		k++;
	}
	c0 = cpu_us() - c0;
	printf("n=%d fail=%d open_med=%.0f open_p95=%.0f close_med=%.0f close_p95=%.0f "
	       "total_med=%.0f total_p95=%.0f total_mean=%.0f cpu_mean=%.0f",
	       k, fails, pct(op, k, 50), pct(op, k, 95), pct(cl, k, 50), pct(cl, k, 95),
	       pct(tot, k, 50), pct(tot, k, 95), k ? csum / k : 0, o.n ? c0 / o.n : 0);
	if (o.at_ns > 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		printf(" end_ns=%lld", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	}
	printf("\n");
	if (o.rawfile) {
		FILE *f = fopen(o.rawfile, "w");

		if (f) {
			for (i = 0; i < k; i++)
				fprintf(f, "%.0f %.0f %.0f\n", op[i], cl[i], tot[i]);
			fclose(f);
		}
	}
	free(op);
	free(cl);
	free(tot);
	return fails ? 1 : 0;
}
