/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fork + exec + wait of a command, N times, timed per iteration: the
 * peers (unshare, bwrap, firejail, cgexec), /bin/true as their baseline,
 * and the helper's own start-up (pam-isolate-helper --version).
 *
 *   cmdloop N -- CMD ARGS...
 *   cmdloop -r RAWFILE N -- CMD ARGS...   (RAWFILE: "0 0 total" per run)
 *
 * stdin/stdout/stderr of CMD are /dev/null, and so is fd 3 (the helper
 * refuses to start without its protocol fd, even for --version). Prints
 *   n=N fail=F total_med=.. total_p95=.. total_mean=.. cpu_mean=..   (us)
 * (cpu_mean: user + system CPU per run, this process and CMD)
 * and exits 1 when any run exited non-zero.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"

static int run(char **cmd)
{
	int status = 0, fd;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd != 3)
				dup2(fd, 3);
		}
		execvp(cmd[0], cmd);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	double *t, a, c0, sum = 0;
	int n, i, k = 0, fails = 0;

	const char *raw = NULL;

	if (argc > 2 && !strcmp(argv[1], "-r")) {
		raw = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc < 4 || strcmp(argv[2], "--")) {
		fprintf(stderr, "usage: cmdloop [-r RAWFILE] N -- CMD ARGS...\n");
		return 2;
	}
	n = (int)num(argv[1]);
	if (n < 1)
		return 2;
	for (i = 0; i < 2; i++) /* warm the page cache */
		if (run(argv + 3) < 0) {
			fprintf(stderr, "cmdloop: %s fails\n", argv[3]);
			return 1;
		}
	t = calloc((size_t)n, sizeof(*t));
	if (!t)
		return 2;
	c0 = cpu_us();
	for (i = 0; i < n; i++) {
		a = now_us();
		if (run(argv + 3) < 0) {
			fails++;
			continue;
		}
		t[k] = now_us() - a;
		sum += t[k++];
	}
	c0 = cpu_us() - c0;
	if (raw) {
		FILE *f = fopen(raw, "w");

		if (f) {
			for (i = 0; i < k; i++)
				fprintf(f, "0 0 %.0f\n", t[i]);
			fclose(f);
		}
	}
	printf("n=%d fail=%d total_med=%.0f total_p95=%.0f total_mean=%.0f cpu_mean=%.0f\n", k,
	       fails, pct(t, k, 50), pct(t, k, 95), k ? sum / k : 0, c0 / n);
	free(t);
	return fails ? 1 : 0;
}
