/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cost of one cgroup migration of this process, paced: every GAP_US
 * it moves itself between two cgroups of DIR (made here, removed at the
 * end) and times the write to cgroup.procs. A migration takes the
 * kernel's cgroup_threadgroup_rwsem for writing; after an idle spell that
 * waits for an RCU grace period, unless the cgroup filesystem is mounted
 * with favordynmods. Root only; DIR must be a cgroup (v2, or one v1
 * hierarchy) the caller made for this.
 *
 *   migrate DIR N GAP_US
 *
 * Prints: n=N med=.. p95=.. max=.. (us per migration)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"

static void move_to(const char *dir, const char *sub)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s/cgroup.procs", dir, sub);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1) {
		perror(path);
		exit(1);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	char a[4096], b[4096];
	double *t;
	long gap;
	int n;

	if (argc != 4) {
		fprintf(stderr, "usage: migrate DIR N GAP_US\n");
		return 2;
	}
	n = (int)num(argv[2]);
	gap = (long)num(argv[3]);
	if (n < 1 || gap < 0)
		return 2;
	t = calloc((size_t)n, sizeof(*t));
	snprintf(a, sizeof(a), "%s/a", argv[1]);
	snprintf(b, sizeof(b), "%s/b", argv[1]);
	if (!t || (mkdir(a, 0755) < 0) || mkdir(b, 0755) < 0) {
		perror("setup");
		free(t);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		double t0;

		if (gap)
			usleep((useconds_t)gap);
		t0 = now_us();
		move_to(argv[1], i % 2 ? "b" : "a");
		t[i] = now_us() - t0;
	}
	move_to(argv[1], ".");
	rmdir(a);
	rmdir(b);
	printf("n=%d med=%.0f p95=%.0f max=%.0f\n", n, pct(t, n, 50), pct(t, n, 95),
	       pct(t, n, 100));
	free(t);
	return 0;
}
