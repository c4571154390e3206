/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a login does, minus authentication: pam_start -> pam_open_session ->
 * fork -> drop to the user -> exec a probe -> wait -> pam_close_session.
 * It shows what the session's child really sees (its cgroup, ps, /tmp).
 *
 *   session_harness SERVICE USER [CMD ARGS...]
 *
 * Exit: the probe's exit status; 20 open_session failed; 21 close failed;
 * 22 usage or set-up error. PAM messages go to stderr prefixed "pam: ".
 *
 * With ISO_HARNESS_THREADS=1 in the environment a second thread runs
 * during open_session: a multi-threaded PAM application, which the kernel
 * does not let join a mount namespace.
 *
 * ISO_HARNESS_CLOSE=child closes the session in a forked (root) child of
 * the process that opened it; ISO_HARNESS_CLOSE=none only calls pam_end,
 * as an application that dies or forgets the close.
 */
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <security/pam_appl.h>

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	int i;

	if (!r)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++)
		fprintf(stderr, "pam: %s\n", msg[i]->msg ? msg[i]->msg : "");
	*resp = r;
	return PAM_SUCCESS;
}

static void *idle(void *arg)
{
	pause();
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t th;

	struct pam_conv pc = {conv, NULL};
	pam_handle_t *pamh = NULL;
	struct passwd *pw;
	const char *how;
	int r, status = 0, ret;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: %s SERVICE USER [CMD ARGS...]\n", argv[0]);
		return 22;
	}
	pw = getpwnam(argv[2]);
	if (!pw) {
		fprintf(stderr, "unknown user %s\n", argv[2]);
		return 22;
	}
	r = pam_start(argv[1], argv[2], &pc, &pamh);
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "pam_start: %s\n", pam_strerror(pamh, r));
		return 22;
	}
	/* as login and sshd do: logind records it as the session's TTY */
	if (isatty(0) && ttyname(0) && pam_set_item(pamh, PAM_TTY, ttyname(0)) != PAM_SUCCESS) {
		fprintf(stderr, "pam_set_item PAM_TTY failed\n");
		return 22;
	}
	if (getenv("ISO_HARNESS_THREADS") && pthread_create(&th, NULL, idle, NULL) != 0) {
		fprintf(stderr, "pthread_create failed\n");
		return 22;
	}
	r = pam_open_session(pamh, 0);
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "open_session: %s\n", pam_strerror(pamh, r));
		pam_end(pamh, r);
		return 20;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		ret = 22;
		goto close;
	}
	if (pid == 0) {
		if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
		    setuid(pw->pw_uid) < 0) {
			perror("dropping privileges");
			_exit(22);
		}
		if (chdir("/") < 0)
			_exit(22);
		if (argc > 3) {
			execvp(argv[3], argv + 3);
			perror("exec");
			_exit(127);
		}
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
close:
	how = getenv("ISO_HARNESS_CLOSE");
	if (how && !strcmp(how, "none")) {
		pam_end(pamh, PAM_SUCCESS);
		return ret;
	}
	if (how && !strcmp(how, "child")) {
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 22;
		}
		if (pid > 0) {
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			pam_end(pamh, PAM_SUCCESS);
			return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ret : 21;
		}
	}
	r = pam_close_session(pamh, 0);
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "close_session: %s\n", pam_strerror(pamh, r));
		ret = 21;
	}
	pam_end(pamh, r);
	if (how && !strcmp(how, "child"))
		_exit(ret == 21 ? 21 : 0);
	return ret;
}
