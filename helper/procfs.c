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
