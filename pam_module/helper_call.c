/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runs the setuid helper. This code runs inside sshd/login/su: no exit(),
 * no lasting signal handlers, every fd O_CLOEXEC, the child only _exit()s.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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

static void child_exec(int sock, int errfd)
{
	char *const argv[] = {(char *)"pam-isolate-helper", NULL};
	char *const envp[] = {NULL};
	sigset_t none;

	/* The application's blocked signals must not leak into the helper,
	 * and fd 3 is the protocol socket by convention (dup2 clears
	 * O_CLOEXEC on the copy only). */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (sock != ISO_HELPER_FD) {
		if (dup2(sock, ISO_HELPER_FD) < 0)
			_exit(127);
	} else if (fcntl(sock, F_SETFD, 0) < 0) {
		_exit(127);
	}
	execve(ISO_HELPER_PATH, argv, envp);
	/* errfd is close-on-exec: the parent reads this only when the exec
	 * failed, and can say why */
	{
		int e = errno;
		ssize_t n = write(errfd, &e, sizeof(e));

		(void)n;
	}
	_exit(127);
}

static int wait_child(pid_t pid, int *status)
{
	pid_t r;

	do {
		r = waitpid(pid, status, 0);
	} while (r < 0 && errno == EINTR);
	return r == pid ? 0 : -ECHILD;
}

int iso_helper_call(pam_handle_t *pamh, const struct iso_request *req, struct iso_reply *rep,
		    int fds[ISO_MAX_FDS], int *exec_errno)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL}, old;
	struct pollfd pfd;
	int sv[2] = {-1, -1}, ep[2] = {-1, -1};
	int status = 0, r, i, e = 0;
	ssize_t n;
	pid_t pid;

	*exec_errno = 0;
	for (i = 0; i < ISO_MAX_FDS; i++)
		fds[i] = -1;
	if (pipe2(ep, O_CLOEXEC) < 0)
		return -errno;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		r = -errno;
		close(ep[0]);
		close(ep[1]);
		return r;
	}

	/* An application that ignores SIGCHLD would make waitpid() fail
	 * with ECHILD; Linux-PAM's own helpers reset it the same way. */
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &old);

	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto out_sig;
	}
	if (pid == 0) {
		close(sv[0]);
		close(ep[0]);
		child_exec(sv[1], ep[1]);
	}
	close(sv[1]);
	sv[1] = -1;
	close(ep[1]);
	ep[1] = -1;
	/* EOF once the exec succeeded; the errno when it did not */
	do {
		n = read(ep[0], &e, sizeof(e));
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(e)) {
		*exec_errno = e;
		pam_syslog(pamh, LOG_ERR, "cannot execute %s: %s", ISO_HELPER_PATH, strerror(e));
		r = -e;
		goto out_wait;
	}

	r = iso_proto_send_request(sv[0], req);
	if (r < 0)
		goto out_wait;
	pfd.fd = sv[0];
	pfd.events = POLLIN;
	do {
		r = poll(&pfd, 1, HELPER_TIMEOUT_MS);
	} while (r < 0 && errno == EINTR);
	if (r == 0) {
		pam_syslog(pamh, LOG_ERR, "helper %s did not answer in %d s; killing it",
			   ISO_HELPER_PATH, HELPER_TIMEOUT_MS / 1000);
		kill(pid, SIGKILL);
		r = -ETIMEDOUT;
		goto out_wait;
	}
	r = iso_proto_recv_reply(sv[0], rep, fds);

out_wait:
	close(sv[0]);
	if (wait_child(pid, &status) == 0 && r < 0) {
		if (WIFSIGNALED(status))
			pam_syslog(pamh, LOG_ERR, "helper %s killed by signal %d", ISO_HELPER_PATH,
				   WTERMSIG(status));
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !*exec_errno)
			pam_syslog(pamh, LOG_ERR, "cannot execute helper %s", ISO_HELPER_PATH);
	}
out_sig:
	sigaction(SIGCHLD, &old, NULL);
	if (ep[0] >= 0)
		close(ep[0]);
	if (ep[1] >= 0)
		close(ep[1]);
	if (sv[0] >= 0 && pid < 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return r;
}
