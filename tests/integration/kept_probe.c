/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Speaks the protocol to the real helper as a PAM application would, to
 * show who the helper kept at open listens to:
 *
 *   kept_probe HELPER CONF USER SERVICE
 *
 * opens a session (the helper must answer CONFINED with ISO_REPLY_KEPT),
 * then sends the close from a forked child (another process holding the
 * same socket: refused), then from itself (served: CLOSED). Prints one
 * line per step; exit 0 when all three went as expected.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto.h"

static int request(int fd, int op, char **argv, const char *sid, struct iso_reply *rep)
{
	struct iso_request req;
	int fds[ISO_MAX_FDS], i, r;

	memset(&req, 0, sizeof(req));
	req.version = ISO_PROTO_VERSION;
	req.op = (uint32_t)op;
	if (iso_proto_setstr(req.conf, sizeof(req.conf), argv[2]) < 0 ||
	    iso_proto_setstr(req.user, sizeof(req.user), argv[3]) < 0 ||
	    iso_proto_setstr(req.service, sizeof(req.service), argv[4]) < 0 ||
	    iso_proto_setstr(req.session_id, sizeof(req.session_id), sid) < 0)
		return -ENAMETOOLONG;
	r = iso_proto_send_request(fd, &req);
	if (r == 0)
		r = iso_proto_recv_reply(fd, rep, fds);
	for (i = 0; r == 0 && i < ISO_MAX_FDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return r;
}

int main(int argc, char **argv)
{
	char *hargv[] = {(char *)"pam-isolate-helper", NULL}, *envp[] = {NULL};
	posix_spawn_file_actions_t fa;
	struct iso_reply rep = {0};
	int sv[2], st, ok = 1, r;
	pid_t pid, child;

	if (argc != 5)
		return 2;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ||
	    posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, sv[1], ISO_HELPER_FD) != 0 ||
	    posix_spawn(&pid, argv[1], &fa, NULL, hargv, envp) != 0)
		return 2;
	close(sv[1]);
	r = request(sv[0], ISO_OP_OPEN, argv, "", &rep);
	waitpid(pid, &st, 0);
	printf("open: r=%d result=%u kept=%d\n", r, rep.result, !!(rep.flags & ISO_REPLY_KEPT));
	if (r < 0 || rep.result != ISO_RES_CONFINED || !(rep.flags & ISO_REPLY_KEPT))
		return 1;
	fflush(stdout);
	child = fork();
	if (child == 0) {
		struct iso_reply crep = {0};

		r = request(sv[0], ISO_OP_CLOSE, argv, rep.session_id, &crep);
		printf("close from another process: r=%d result=%u status=%d message=%s\n", r,
		       crep.result, crep.status, r == 0 ? crep.message : "-");
		fflush(stdout);
		_exit(r == 0 && crep.result == ISO_RES_DENIED ? 0 : 1);
	}
	waitpid(child, &st, 0);
	ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	/* the refusal ended the kept helper: the opener's own close now
	 * finds the socket closed, as the module would, and starts anew */
	{
		struct iso_reply crep = {0};

		r = request(sv[0], ISO_OP_CLOSE, argv, rep.session_id, &crep);
		printf("then the opener's close on that socket: r=%d\n", r);
		ok &= r < 0;
	}
	close(sv[0]);
	/* and a helper of the close's own, as the module starts then */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ||
	    posix_spawn_file_actions_destroy(&fa) != 0 || posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, sv[1], ISO_HELPER_FD) != 0 ||
	    posix_spawn(&pid, argv[1], &fa, NULL, hargv, envp) != 0)
		return 2;
	close(sv[1]);
	{
		struct iso_request req;
		int fds[ISO_MAX_FDS];
		struct iso_reply crep = {0};

		memset(&req, 0, sizeof(req));
		req.version = ISO_PROTO_VERSION;
		req.op = ISO_OP_CLOSE;
		(void)iso_proto_setstr(req.conf, sizeof(req.conf), argv[2]);
		(void)iso_proto_setstr(req.user, sizeof(req.user), argv[3]);
		(void)iso_proto_setstr(req.service, sizeof(req.service), argv[4]);
		memcpy(req.session_id, rep.session_id, sizeof(req.session_id));
		memcpy(req.origin, rep.origin, sizeof(req.origin));
		r = iso_proto_send_request(sv[0], &req);
		if (r == 0)
			r = iso_proto_recv_reply(sv[0], &crep, fds);
		waitpid(pid, &st, 0);
		printf("a new helper's close: r=%d result=%u\n", r, r == 0 ? crep.result : 0);
		ok &= r == 0 && crep.result == ISO_RES_CLOSED;
	}
	posix_spawn_file_actions_destroy(&fa);
	return ok ? 0 : 1;
}
