/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Threat model: the helper is setuid root and anyone may exec it with any
 * argv, environment, open fds, rlimits, umask, signal mask — or kill it at
 * any instant. Nothing inherited is trusted; identity comes from the kernel.
 */
#define _GNU_SOURCE
#include "hygiene.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fsutil.h"

static int stdio_valid(void)
{
	int fd;

	/* OpenSSH's sanitise_stdfd: a closed 0-2 would make the next open()
	 * land there and our messages go into a file. */
	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		if (errno != EBADF)
			return -errno;
		int nfd = open("/dev/null", O_RDWR);
		if (nfd < 0)
			return -errno;
		if (nfd != fd) {
			/* cannot happen with lowest-free allocation, but be sure */
			iso_close(nfd);
			return -EBADF;
		}
	}
	return 0;
}

static int close_other_fds(int keep_fd)
{
	/* close_range(2) is one syscall however many fds a hostile caller
	 * left open (Linux >= 5.9). */
	if (keep_fd < 3)
		return syscall(SYS_close_range, 3U, ~0U, 0U) < 0 ? -errno : 0;
	if (keep_fd > 3 && syscall(SYS_close_range, 3U, (unsigned)keep_fd - 1, 0U) < 0)
		return -errno;
	if (syscall(SYS_close_range, (unsigned)keep_fd + 1, ~0U, 0U) < 0)
		return -errno;
	return 0;
}

static int reset_signals(void)
{
	struct sigaction dfl;
	sigset_t none;
	int sig;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* EINVAL for the signals glibc reserves: fine */
		sigaction(sig, &dfl, NULL);
	}
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		return -errno;
	return 0;
}

int iso_sanitize_process(int keep_fd)
{
	struct rlimit core = {0, 0};
	int r;

	r = stdio_valid();
	if (r < 0)
		return r;
	r = close_other_fds(keep_fd);
	if (r < 0)
		return r;
	if (keep_fd >= 0 && fcntl(keep_fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	if (clearenv() != 0)
		return -ENOMEM;
	if (setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1) < 0)
		return -errno;
	umask(077);
	if (setrlimit(RLIMIT_CORE, &core) < 0)
		return -errno;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -errno;
	r = reset_signals();
	if (r < 0)
		return r;
	/* Work from a directory no user controls. */
	if (chdir("/") < 0)
		return -errno;
	return 0;
}

int iso_caller_identify(int fd, struct iso_caller *out, struct iso_err *err)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct stat st;
	int type = 0;
	socklen_t tlen = sizeof(type);

	if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		return iso_err_set(err, -ENOTSOCK,
				   "fd %d is not the protocol socket: this program is run by "
				   "pam_isolate.so, see pam_isolate(8)",
				   fd);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0 || type != SOCK_SEQPACKET)
		return iso_err_set(err, -EPROTOTYPE, "fd %d is not a SOCK_SEQPACKET socket", fd);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return iso_err_set(err, -errno, "SO_PEERCRED: %s", strerror(errno));
	/* The socket's creator must be the process that exec'd us: a pair
	 * handed to us by some other process names someone we must not
	 * place. */
	if (cred.pid != getppid())
		return iso_err_set(err, -EPERM,
				   "socket peer pid %d is not our parent %d: refusing", cred.pid,
				   (int)getppid());
	out->ruid = getuid();
	out->pid = cred.pid;
	out->peer_euid = cred.uid;
	out->is_root = cred.uid == 0;
	/* A non-root peer may only act for itself; a mismatch between the
	 * socket's creator and our real uid means the fds were passed on. */
	if (!out->is_root && cred.uid != out->ruid)
		return iso_err_set(err, -EPERM, "socket peer uid %u is not our caller uid %u",
				   (unsigned)cred.uid, (unsigned)out->ruid);
	return 0;
}

int iso_become_root(struct iso_err *err)
{
	if (setgroups(0, NULL) < 0)
		return iso_err_set(err, -errno, "setgroups: %s", strerror(errno));
	if (setresgid(0, 0, 0) < 0)
		return iso_err_set(err, -errno, "setresgid: %s", strerror(errno));
	if (setresuid(0, 0, 0) < 0)
		return iso_err_set(err, -errno, "setresuid: %s", strerror(errno));
	/* setresuid re-evaluates dumpability; keep us out of ptrace and
	 * core files for the user who started us. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return iso_err_set(err, -errno, "PR_SET_DUMPABLE: %s", strerror(errno));
	return 0;
}
