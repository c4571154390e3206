/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runs the setuid helper. This code runs inside sshd/login/su: no exit(),
 * no lasting signal handlers, every fd O_CLOEXEC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modutil.h>

#include "module.h"

#ifndef ISO_HELPER_PATH
#error "ISO_HELPER_PATH must be set by the build"
#endif

/* The helper answers in well under a second; a stuck one must not hang
 * the login forever. */
#define HELPER_TIMEOUT_MS 30000

/*
 * posix_spawn, not fork: glibc's runs the child on the parent's memory
 * until the exec (clone3 with CLONE_VM|CLONE_VFORK), so a large
 * application (sshd, a display manager) has no page tables copied for a
 * child that only execs, and an exec failure comes back as its errno.
 * The application's blocked signals must not leak into the helper, and
 * fd 3 is the protocol socket by convention (the dup2 action clears
 * O_CLOEXEC on it, also when the socket is fd 3 already). No atfork
 * handler runs in such a child: a process that holds another guarded
 * session starts the helper at oom_score_adj -1000 (oom_guard.c), and the
 * helper writes 0 (with root's right, which resets the floor too) before
 * it forks anything that outlives it (iso_daemon_defaults).
 */
static int spawn_helper(int sock, pid_t *pid)
{
	char *const argv[] = {(char *)"pam-isolate-helper", NULL};
	char *const envp[] = {NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none;
	int r;

	sigemptyset(&none);
	r = posix_spawn_file_actions_init(&fa);
	if (r != 0)
		return -r;
	r = posix_spawnattr_init(&at);
	if (r != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -r;
	}
	r = posix_spawn_file_actions_adddup2(&fa, sock, ISO_HELPER_FD);
	if (r == 0)
		r = posix_spawnattr_setsigmask(&at, &none);
	if (r == 0)
		r = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
	if (r == 0)
		r = posix_spawn(pid, ISO_HELPER_PATH, &fa, &at, argv, envp);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return -r;
}

/* The fork and exec of old, for where posix_spawn's clone3 is refused
 * (EPERM from a container's seccomp filter that predates clone3): the
 * exec's errno comes back through a close-on-exec pipe. */
static void child_exec(int sock, int errfd)
{
	char *const argv[] = {(char *)"pam-isolate-helper", NULL};
	char *const envp[] = {NULL};
	sigset_t none;
	int e;
	ssize_t n;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (sock != ISO_HELPER_FD) {
		if (dup2(sock, ISO_HELPER_FD) < 0)
			_exit(127);
	} else if (fcntl(sock, F_SETFD, 0) < 0) {
		_exit(127);
	}
	execve(ISO_HELPER_PATH, argv, envp);
	e = errno;
	n = write(errfd, &e, sizeof(e));
	(void)n;
	_exit(127);
}

static int fork_helper(int sock, pid_t *pid)
{
	int ep[2], e = 0, r = 0;
	ssize_t n;

	if (pipe2(ep, O_CLOEXEC) < 0)
		return -errno;
	*pid = fork();
	if (*pid < 0) {
		r = -errno;
	} else if (*pid == 0) {
		close(ep[0]);
		child_exec(sock, ep[1]);
	}
	close(ep[1]);
	if (r == 0) {
		/* EOF once the exec succeeded; the errno when it did not */
		do {
			n = read(ep[0], &e, sizeof(e));
		} while (n < 0 && errno == EINTR);
		if (n == (ssize_t)sizeof(e)) {
			r = -e;
			(void)waitpid(*pid, NULL, 0);
			*pid = -1;
		}
	}
	close(ep[0]);
	return r;
}

static int wait_child(pid_t pid, int *status)
{
	pid_t r;

	do {
		r = waitpid(pid, status, 0);
	} while (r < 0 && errno == EINTR);
	return r == pid ? 0 : -ECHILD;
}

/* Sends req and waits for the reply, up to HELPER_TIMEOUT_MS. */
static int exchange(pam_handle_t *pamh, int sock, const struct iso_request *req,
		    struct iso_reply *rep, int fds[ISO_MAX_FDS])
{
	struct pollfd pfd = {.fd = sock, .events = POLLIN};
	int r;

	r = iso_proto_send_request(sock, req);
	if (r < 0)
		return r;
	do {
		r = poll(&pfd, 1, HELPER_TIMEOUT_MS);
	} while (r < 0 && errno == EINTR);
	if (r == 0) {
		pam_syslog(pamh, LOG_ERR, "helper %s did not answer in %d s", ISO_HELPER_PATH,
			   HELPER_TIMEOUT_MS / 1000);
		return -ETIMEDOUT;
	}
	return iso_proto_recv_reply(sock, rep, fds);
}

int iso_helper_call(pam_handle_t *pamh, const struct iso_request *req, struct iso_reply *rep,
		    int fds[ISO_MAX_FDS], int *exec_errno, int *kept)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL}, old;
	int sv[2] = {-1, -1};
	int status = 0, r, i;
	pid_t pid = -1;

	*exec_errno = 0;
	if (kept)
		*kept = -1;
	for (i = 0; i < ISO_MAX_FDS; i++)
		fds[i] = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;

	/* An application that ignores SIGCHLD would make waitpid() fail
	 * with ECHILD; Linux-PAM's own helpers reset it the same way. */
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &old);

	r = spawn_helper(sv[1], &pid);
	if (r == -EPERM || r == -ENOSYS)
		r = fork_helper(sv[1], &pid);
	close(sv[1]);
	if (r < 0) {
		/* the exec's own errors; EAGAIN and the like are the
		 * spawn's (pids.max, RLIMIT_NPROC), not a missing helper */
		if (r != -EAGAIN && r != -ENOMEM && r != -EMFILE && r != -ENFILE && r != -EBADF)
			*exec_errno = -r;
		pam_syslog(pamh, LOG_ERR, "cannot %s %s: %s", *exec_errno ? "execute" : "start",
			   ISO_HELPER_PATH, strerror(-r));
		close(sv[0]);
		sigaction(SIGCHLD, &old, NULL);
		return r;
	}

	r = exchange(pamh, sv[0], req, rep, fds);
	if (r == -ETIMEDOUT)
		kill(pid, SIGKILL);
	/* The helper we started exits once it has answered; the one kept
	 * for the close is its child, no child of ours. */
	if (kept && r == 0 && rep->result == ISO_RES_CONFINED && (rep->flags & ISO_REPLY_KEPT))
		*kept = sv[0];
	else
		close(sv[0]);
	if (wait_child(pid, &status) == 0 && r < 0) {
		if (WIFSIGNALED(status))
			pam_syslog(pamh, LOG_ERR, "helper %s killed by signal %d", ISO_HELPER_PATH,
				   WTERMSIG(status));
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !*exec_errno)
			pam_syslog(pamh, LOG_ERR, "cannot execute helper %s", ISO_HELPER_PATH);
	}
	sigaction(SIGCHLD, &old, NULL);
	return r;
}

int iso_helper_call_kept(pam_handle_t *pamh, int sock, const struct iso_request *req,
			 struct iso_reply *rep, int fds[ISO_MAX_FDS])
{
	int r, i;

	for (i = 0; i < ISO_MAX_FDS; i++)
		fds[i] = -1;
	r = exchange(pamh, sock, req, rep, fds);
	/* the kept helper exits after this one answer (or on the EOF) */
	close(sock);
	return r;
}
