/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include "slurm.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"

/* The next component of *p (after its '/'), n bytes; false at the end. */
static bool next(const char **p, const char *end, const char **c, size_t *n)
{
	const char *slash;

	if (*p >= end || **p != '/')
		return false;
	*c = *p + 1;
	slash = memchr(*c, '/', (size_t)(end - *c));
	*n = (size_t)((slash ? slash : end) - *c);
	*p = *c + *n;
	return *n > 0;
}

static bool is(const char *c, size_t n, const char *word)
{
	return strlen(word) == n && !strncmp(c, word, n);
}

static bool digits(const char *c, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (c[i] < '0' || c[i] > '9')
			return false;
	return true;
}

/* "job_<digits>": the number into job. */
static bool job_part(const char *c, size_t n, char *job, size_t joblen)
{
	if (n <= 4 || strncmp(c, "job_", 4) != 0 || !digits(c + 4, n - 4))
		return false;
	snprintf(job, joblen, "%.*s", (int)(n - 4), c + 4);
	return true;
}

/*
 * Only Slurm's own places, from the hierarchy's root: both are root's (a
 * user may make directories only in a subtree delegated to them, below
 * user.slice, and a name alone anywhere proves nothing):
 *   v2 /system.slice/[NODE_]slurmstepd.scope/job_N[/...]
 *   v1 /slurm[_NODE]/uid_UID/job_N[/...], UID the user's
 */
static int in_path(const char *p, size_t len, uid_t uid, char *job, size_t joblen, char *path,
		   size_t pathlen)
{
	const char *end = p + len, *q = p, *c;
	char want[24], num[24];
	size_t n, sl = strlen("slurmstepd.scope");
	bool found = false;

	if (!next(&q, end, &c, &n))
		return 0;
	if (is(c, n, "system.slice")) {
		found = next(&q, end, &c, &n) && n >= sl &&
			!strncmp(c + n - sl, "slurmstepd.scope", sl) &&
			(n == sl || c[n - sl - 1] == '_') && next(&q, end, &c, &n) &&
			job_part(c, n, num, sizeof(num));
	} else if (is(c, n, "slurm") || (n > 6 && !strncmp(c, "slurm_", 6))) {
		snprintf(want, sizeof(want), "uid_%u", (unsigned)uid);
		found = next(&q, end, &c, &n) && is(c, n, want) && next(&q, end, &c, &n) &&
			job_part(c, n, num, sizeof(num));
	}
	if (!found || memmem(p, len, "/..", 3) || memmem(p, len, "/./", 3))
		return 0;
	snprintf(job, joblen, "%s", num);
	snprintf(path, pathlen, "%.*s", (int)len, p);
	return 1;
}

int iso_slurm_job_in(const char *text, uid_t uid, char *job, size_t joblen, char *path,
		     size_t pathlen)
{
	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n'), *end = nl ? nl : l + strlen(l);
		const char *c1 = memchr(l, ':', (size_t)(end - l));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;

		if (c2 && in_path(c2 + 1, (size_t)(end - c2 - 1), uid, job, joblen, path, pathlen))
			return 1;
		l = nl ? nl + 1 : NULL;
	}
	return 0;
}

int iso_slurm_job_self(uid_t uid, char *job, size_t joblen, char *path, size_t pathlen)
{
	char buf[8192];
	ssize_t n = iso_read_file_at(AT_FDCWD, "/proc/self/cgroup", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	return iso_slurm_job_in(buf, uid, job, joblen, path, pathlen);
}
