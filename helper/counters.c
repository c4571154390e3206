/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The helper's per-host counters (counters.h). One file, one flock: a
 * request reads it, adds one to its lines and writes it back in one
 * pwrite. The names come in a fixed order and values only grow, so the
 * new text is never shorter than the old one and a helper killed
 * mid-write leaves the old lines or the new ones, never a torn mix
 * (a single write below a page is not split on tmpfs).
 */
#define _GNU_SOURCE
#include "counters.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "lock.h"

/* far above a request's own hold */
#define COUNTERS_LOCK_WAIT_MS 200

/* Order of the file; isolatectl(8) documents the metric of each. */
static const char *const names[] = {
	"opens_confined",   "opens_exempt",   "opens_allowed",	"opens_denied",
	"closes",	    "refused_config", "refused_cgroup", "refused_namespace",
	"refused_internal", "errors_config",  "errors_cgroup",	"errors_namespace",
	"errors_internal",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static void bump(unsigned long long *v, const char *name)
{
	for (size_t i = 0; i < NNAMES; i++)
		if (!strcmp(names[i], name))
			v[i]++;
}

static void parse(const char *buf, unsigned long long *v)
{
	for (const char *p = buf; p && *p;) {
		const char *sp = strchr(p, ' '), *nl = strchr(p, '\n');

		if (sp && (!nl || sp < nl))
			for (size_t i = 0; i < NNAMES; i++)
				if (strlen(names[i]) == (size_t)(sp - p) &&
				    !strncmp(p, names[i], (size_t)(sp - p)))
					v[i] = strtoull(sp + 1, NULL, 10);
		p = nl ? nl + 1 : NULL;
	}
}

/* What one reply adds. */
static void count(const struct iso_request *req, const struct iso_reply *rep, unsigned long long *v)
{
	static const char *const res[] = {
		[ISO_RES_CONFINED] = "opens_confined",
		[ISO_RES_EXEMPT] = "opens_exempt",
		[ISO_RES_ALLOWED] = "opens_allowed",
		[ISO_RES_DENIED] = "opens_denied",
	};
	char name[32];
	bool failed = rep->result == ISO_RES_ALLOWED || rep->result == ISO_RES_DENIED;

	if (req->op == ISO_OP_CLOSE)
		bump(v, "closes");
	else if (rep->result < sizeof(res) / sizeof(res[0]) && res[rep->result])
		bump(v, res[rep->result]);
	if (!failed)
		return;
	snprintf(name, sizeof(name), "errors_%s",
		 iso_err_class_name((enum iso_err_class)rep->err_class));
	bump(v, name);
	if (req->op == ISO_OP_OPEN && rep->result == ISO_RES_DENIED) {
		snprintf(name, sizeof(name), "refused_%s",
			 iso_err_class_name((enum iso_err_class)rep->err_class));
		bump(v, name);
	}
}

int iso_counters_note(const char *rundir, const struct iso_request *req,
		      const struct iso_reply *rep)
{
	unsigned long long v[NNAMES] = {0};
	char buf[2048];
	struct iso_err err;
	struct stat sb;
	int dirfd = -1, fd = -1, r;
	size_t len = 0;
	ssize_t got;

	r = iso_state_open(rundir, &dirfd, &err);
	if (r < 0)
		goto out;
	fd = openat(dirfd, ISO_COUNTERS_FILE,
		    O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	/* Only our own file: a root-owned dir of mode 0700 holds nothing
	 * else, but a hard link planted before it was made would. */
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_uid != 0 || sb.st_nlink != 1) {
		r = -EPERM;
		goto out;
	}
	/* Bounded: a helper frozen while it holds the lock (a cgroup its
	 * caller may freeze) must not stall every other login; a count
	 * missed is a metric short, not a login refused. */
	r = iso_flock_wait(fd, COUNTERS_LOCK_WAIT_MS);
	if (r < 0)
		goto out;
	got = pread(fd, buf, sizeof(buf) - 1, 0);
	if (got < 0) {
		r = -errno;
		goto out;
	}
	buf[got] = '\0';
	parse(buf, v);
	count(req, rep, v);
	for (size_t i = 0; i < NNAMES; i++) {
		r = snprintf(buf + len, sizeof(buf) - len, "%s %llu\n", names[i], v[i]);
		if (r < 0 || (size_t)r >= sizeof(buf) - len) {
			r = -ENOSPC;
			goto out;
		}
		len += (size_t)r;
	}
	got = pwrite(fd, buf, len, 0);
	r = got < 0 ? -errno : (size_t)got != len ? -EIO : 0;
	if (r == 0 && ftruncate(fd, (off_t)len) < 0)
		r = -errno;
out:
	iso_close(fd);
	iso_close(dirfd);
	return r;
}
