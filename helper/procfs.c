/* SPDX-License-Identifier: BSD-3-Clause */
#include "procfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "iso_names.h"

/* Pointer to field n (1-based) given field 3 (the state) at p. */
static const char *field_at(const char *p, int n)
{
	int f;

	for (f = 3; f < n && p; f++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return p;
}

int iso_proc_stat(pid_t pid, struct iso_proc_stat *out)
{
	char path[64], buf[1024];
	const char *l, *r, *p;
	struct iso_proc_stat st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	iso_close(fd);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	l = strchr(buf, '(');
	r = strrchr(buf, ')');
	if (!l || !r || r < l || r[1] != ' ' || !r[2])
		return -EIO;
	memset(&st, 0, sizeof(st));
	snprintf(st.comm, sizeof(st.comm), "%.*s", (int)(r - l - 1), l + 1);
	st.state = r[2];
	p = field_at(r + 2, 4);
	if (!p)
		return -EIO;
	st.ppid = (pid_t)strtol(p, NULL, 10);
	p = field_at(r + 2, 7);
	if (!p)
		return -EIO;
	st.tty_nr = strtoul(p, NULL, 10);
	p = field_at(r + 2, 9);
	if (!p)
		return -EIO;
	st.flags = strtoul(p, NULL, 10);
	p = field_at(r + 2, 22);
	if (!p)
		return -EIO;
	errno = 0;
	st.start = strtoull(p, NULL, 10);
	if (errno)
		return -EIO;
	*out = st;
	return 0;
}

/* The kernel's fixed inode number of the initial pid namespace
 * (PROC_PID_INIT_INO in include/linux/proc_ns.h, stable since 3.8). */
#define PROC_PID_INIT_INO 0xEFFFFFFCU

int iso_pidns_is_initial(void)
{
	char link[32], want[32];
	struct stat st;
	ssize_t n;

	/* /proc must be the procfs of our own pid namespace: otherwise
	 * every /proc/<pid> we read names some other process. */
	n = readlink("/proc/self", link, sizeof(link) - 1);
	if (n <= 0)
		return -EXDEV;
	link[n] = '\0';
	snprintf(want, sizeof(want), "%d", (int)getpid());
	if (strcmp(link, want) != 0)
		return -EXDEV;
	if (stat("/proc/self/ns/pid", &st) < 0)
		return -errno;
	return st.st_ino == PROC_PID_INIT_INO ? 1 : 0;
}

/* A holder is root's (a user cannot own a uid 0 process) and has its
 * name; a user's process merely named like it fails the first test. */
static int is_holder_in(pid_t pid, const struct stat *mnt)
{
	struct iso_proc_stat ps = {0};
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (stat(path, &st) < 0 || st.st_uid != 0)
		return 0;
	if (iso_proc_stat(pid, &ps) < 0 || ps.state == 'Z' || strcmp(ps.comm, ISO_HOLDER_COMM) != 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	return stat(path, &st) == 0 && st.st_ino == mnt->st_ino && st.st_dev == mnt->st_dev;
}

int iso_mntns_is_sandbox(void)
{
	struct stat mine, init;
	struct dirent *de;
	int found = 0;
	DIR *d;

	if (stat("/proc/self/ns/mnt", &mine) < 0)
		return -errno;
	/* the common case, a login on the host: no scan */
	if (stat("/proc/1/ns/mnt", &init) == 0 && init.st_ino == mine.st_ino &&
	    init.st_dev == mine.st_dev)
		return 0;
	d = opendir("/proc");
	if (!d)
		return -errno;
	while (!found && (de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 1)
			continue;
		found = is_holder_in((pid_t)pid, &mine);
	}
	closedir(d);
	return found;
}
