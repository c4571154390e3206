/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include "slurm.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fsutil.h"

/* "job_" and digits only: a user's own sub-cgroup could be named
 * anything, but only Slurm makes directories below slurmstepd.scope or
 * /slurm, and those are root's. */
static bool is_job(const char *c, size_t n, const char **num, size_t *numlen)
{
	if (n <= 4 || strncmp(c, "job_", 4) != 0)
		return false;
	for (size_t i = 4; i < n; i++)
		if (c[i] < '0' || c[i] > '9')
			return false;
	*num = c + 4;
	*numlen = n - 4;
	return true;
}

static bool is_slurm_parent(const char *c, size_t n)
{
	return (n == 5 && !strncmp(c, "slurm", 5)) || memmem(c, n, "slurmstepd", 10) != NULL;
}

/* One line's path (after the second ':'), n bytes. */
static int in_path(const char *p, size_t n, char *job, size_t joblen, char *path, size_t pathlen)
{
	bool parent = false;
	const char *c = p, *end = p + n;

	while (c < end) {
		const char *slash = memchr(c, '/', (size_t)(end - c)), *num;
		size_t len = (size_t)((slash ? slash : end) - c), numlen;

		if (parent && is_job(c, len, &num, &numlen)) {
			snprintf(job, joblen, "%.*s", (int)numlen, num);
			snprintf(path, pathlen, "%.*s", (int)n, p);
			return 1;
		}
		if (len && is_slurm_parent(c, len))
			parent = true;
		c = slash ? slash + 1 : end;
	}
	return 0;
}

int iso_slurm_job_in(const char *text, char *job, size_t joblen, char *path, size_t pathlen)
{
	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n'), *end = nl ? nl : l + strlen(l);
		const char *c1 = memchr(l, ':', (size_t)(end - l));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;

		if (c2 && in_path(c2 + 1, (size_t)(end - c2 - 1), job, joblen, path, pathlen))
			return 1;
		l = nl ? nl + 1 : NULL;
	}
	return 0;
}

int iso_slurm_job_self(char *job, size_t joblen, char *path, size_t pathlen)
{
	char buf[8192];
	ssize_t n = iso_read_file_at(AT_FDCWD, "/proc/self/cgroup", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	return iso_slurm_job_in(buf, job, joblen, path, pathlen);
}
