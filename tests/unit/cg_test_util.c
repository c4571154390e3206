/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include "cg_test_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

const char *cgt_get(const char *fmt, ...)
{
	static char buf[8192];
	char p[PATH_MAX];
	va_list ap;
	size_t n;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(p, sizeof(p), fmt, ap);
	va_end(ap);
	f = fopen(p, "re");
	if (!f)
		return "<none>";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return buf;
}

bool cgt_exists(const char *fmt, ...)
{
	char p[PATH_MAX];
	struct stat st;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p, sizeof(p), fmt, ap);
	va_end(ap);
	return lstat(p, &st) == 0;
}

/* ---- the fake tree's I/O ---- */

static int fake_check_fs(int fd, unsigned long magic, unsigned long *type)
{
	(void)fd;
	*type = magic;
	return 0;
}

static int empty_if_missing(const char *file)
{
	return !strcmp(file, "cgroup.subtree_control") || !strcmp(file, "cgroup.controllers");
}

static ssize_t fake_read(int dirfd, const char *file, char *buf, size_t len)
{
	ssize_t n = iso_read_file_at(dirfd, file, buf, len);

	if (n == -ENOENT && empty_if_missing(file) && len > 0) {
		buf[0] = '\0';
		n = 0;
	}
	return n;
}

static int fake_write(int dirfd, const char *file, const char *val)
{
	char cur[512], next[600];

	if (strcmp(file, "cgroup.subtree_control") || val[0] != '+')
		return iso_write_file_at(dirfd, file, val, true);
	/* the kernel's reading of "+cpu": the list it shows gets cpu */
	if (fake_read(dirfd, file, cur, sizeof(cur)) < 0)
		cur[0] = '\0';
	if (cg_has_token(cur, val + 1))
		return 0;
	snprintf(next, sizeof(next), "%s%s%s", cur, cur[0] ? " " : "", val + 1);
	return iso_write_file_at(dirfd, file, next, true);
}

static int fake_rmdir(int parent, const char *name)
{
	struct dirent *de;
	DIR *d = NULL;
	int r;

	r = cg_count_procs(parent, name);
	if (r > 0)
		return -EBUSY;
	if (r < 0 && r != -ENOENT)
		return r;
	r = iso_opendir_at(parent, name, &d);
	if (r < 0)
		return r;
	while ((de = readdir(d)))
		if (cg_is_subdir(d, de)) {
			closedir(d);
			return -EBUSY;
		}
	rewinddir(d);
	while ((de = readdir(d)))
		if (de->d_type != DT_DIR)
			(void)unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	return unlinkat(parent, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

const struct cg_io cgt_fake_io = {
	.check_fs = fake_check_fs,
	.write = fake_write,
	.read = fake_read,
	.rmdir = fake_rmdir,
};
