/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PAM application's root process (sshd [priv], su, login) sits in
 * the user's cgroup leaf after open: it calls pam_open_session there and
 * forks the shell from there. When the user's memory limit is hit by
 * pages no process maps (a tmpfs, memfd, kernel memory), the OOM killer
 * picks the largest process in the cgroup, and that is this root process
 * with its libraries: close never runs and the user's charge stays. So
 * this process is made unkillable (-1000) for the session's length and
 * every child it fork()s gets the old value back while still root, which
 * also resets the kernel's oom_score_adj_min: the user cannot return to
 * -1000 from there.
 *
 * A child made by posix_spawn, vfork or clone runs no atfork handler and
 * keeps -1000 (then at memory_max it would wait instead of being killed);
 * sshd, su, login, cron and systemd's PAMName= all fork().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "module.h"

#define OOM_ADJ "/proc/self/oom_score_adj"

static char saved[16];
static volatile int armed;

static int put(const char *v)
{
	size_t len = strlen(v);
	int fd = open(OOM_ADJ, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int r = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, v, len);
	if (n != (ssize_t)len)
		r = n < 0 ? -errno : -EIO;
	close(fd);
	return r;
}

/* Only async-signal-safe calls here: a child of a threaded fork. */
static void in_child(void)
{
	if (armed) {
		(void)put(saved);
		armed = 0;
	}
}

int iso_oom_guard_arm(pam_handle_t *pamh, int debug)
{
	static int registered;
	ssize_t n;
	int fd, r;

	if (armed)
		return 0;
	fd = open(OOM_ADJ, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, saved, sizeof(saved) - 1);
	r = n < 0 ? -errno : 0;
	close(fd);
	if (n <= 0)
		return r < 0 ? r : -EIO;
	saved[n] = '\0';
	if (!registered) {
		/* glibc drops a module's handlers when it is unloaded */
		r = pthread_atfork(NULL, NULL, in_child);
		if (r != 0)
			return -r;
		registered = 1;
	}
	r = put("-1000");
	if (r < 0) {
		/* lowering needs CAP_SYS_RESOURCE, which some containers drop */
		if (debug)
			pam_syslog(pamh, LOG_DEBUG,
				   "cannot make the application unkillable by the OOM killer: %s",
				   strerror(-r));
		return r;
	}
	armed = 1;
	return 0;
}

void iso_oom_guard_disarm(pam_handle_t *pamh)
{
	int r;

	if (!armed)
		return;
	armed = 0;
	r = put(saved);
	if (r < 0)
		pam_syslog(pamh, LOG_WARNING, "cannot restore oom_score_adj %s: %s", saved,
			   strerror(-r));
}
