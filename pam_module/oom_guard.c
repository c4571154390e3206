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
 * That holds only where the process that opened the session stays root
 * and the user's code runs in its children. systemd's PAMName= units do
 * the opposite: the opening process execs the unit as the user and the
 * child, (sd-pam), keeps the handle. systemd hands such a unit's
 * environment to PAM, INVOCATION_ID included: with it there is no guard.
 *
 * A child made by posix_spawn, vfork or clone runs no atfork handler and
 * keeps -1000 (then at memory_max it would wait instead of being killed);
 * sshd, su, login and cron fork().
 *
 * The state is the process's, as oom_score_adj is: the value before the
 * first session and how many sessions of this process hold the guard.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "module.h"

#define OOM_ADJ "/proc/self/oom_score_adj"

static char saved[16];
static volatile int holders; /* sessions of this process with the guard */
/* A spare descriptor closed in the child before its open: a user who
 * fills su's descriptor table up to RLIMIT_NOFILE must not make that open
 * fail and keep -1000. A memfd, for an inode of its own: it is closed
 * only while the number still names it (the application may have closed
 * it and reused the number). */
static int spare = -1;
static dev_t spare_dev;
static ino_t spare_ino;

static int put_fd(int fd, const char *v)
{
	size_t len = strlen(v);
	ssize_t n = pwrite(fd, v, len, 0);

	return n == (ssize_t)len ? 0 : n < 0 ? -errno : -EIO;
}

static int put(const char *v)
{
	int fd = open(OOM_ADJ, O_WRONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = put_fd(fd, v);
	close(fd);
	return r;
}

/* Closes the spare if it is still ours. Async-signal-safe. */
static void drop_spare(void)
{
	struct stat st;

	if (spare >= 0 && fstat(spare, &st) == 0 && st.st_dev == spare_dev &&
	    st.st_ino == spare_ino)
		close(spare);
	spare = -1;
}

/* Only async-signal-safe calls here: a child of a threaded fork. In a
 * pid namespace the child's /proc/self is its own again (the sandbox's
 * /proc shows the namespace it is born in). A child that cannot get the
 * old value back ends here: it would run the user's code at -1000. */
static void in_child(void)
{
	if (!holders)
		return;
	drop_spare();
	holders = 0;
	if (put(saved) < 0)
		_exit(127);
}

int iso_oom_guard_open(pam_handle_t *pamh, int debug)
{
	const char *inv = pam_getenv(pamh, "INVOCATION_ID");
	int fd;

	/* PID 1's own child (the user can put INVOCATION_ID into the PAM
	 * environment elsewhere, with pam_env's user_readenv) */
	if (inv && *inv && getppid() == 1) {
		if (debug)
			pam_syslog(pamh, LOG_DEBUG,
				   "a systemd unit's PAM session (INVOCATION_ID): its process "
				   "becomes the user's, no OOM guard");
		return -EPERM;
	}
	fd = open(OOM_ADJ, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int iso_oom_guard_arm(pam_handle_t *pamh, int fd, int debug)
{
	static int registered;
	char now[sizeof(saved)];
	ssize_t n;
	int r;

	if (fd < 0)
		return fd;
	if (holders) {
		holders++;
		close(fd);
		return 0;
	}
	n = pread(fd, now, sizeof(now) - 1, 0);
	if (n <= 0) {
		r = n < 0 ? -errno : -EIO;
		close(fd);
		return r;
	}
	now[n] = '\0';
	if (!registered) {
		/* glibc drops a module's handlers when it is unloaded */
		r = pthread_atfork(NULL, NULL, in_child);
		if (r != 0) {
			close(fd);
			return -r;
		}
		registered = 1;
	}
	memcpy(saved, now, sizeof(saved));
	if (spare < 0) {
		struct stat st;

		spare = memfd_create("pam_isolate-oom-spare", MFD_CLOEXEC);
		if (spare >= 0 && fstat(spare, &st) == 0) {
			spare_dev = st.st_dev;
			spare_ino = st.st_ino;
		}
	}
	r = put_fd(fd, "-1000");
	close(fd);
	if (r < 0) {
		drop_spare();
		/* lowering needs CAP_SYS_RESOURCE, which some containers drop */
		if (debug)
			pam_syslog(pamh, LOG_DEBUG,
				   "cannot make the application unkillable by the OOM killer: %s",
				   strerror(-r));
		return r;
	}
	holders = 1;
	return 0;
}

void iso_oom_guard_disarm(pam_handle_t *pamh)
{
	int r;

	if (!holders || --holders > 0)
		return;
	drop_spare();
	r = put(saved);
	if (r < 0)
		pam_syslog(pamh, LOG_WARNING, "cannot restore oom_score_adj %s: %s", saved,
			   strerror(-r));
}
