/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pam-isolate-helper: setuid root, exec'd by pam_isolate.so with a
 * SOCK_SEQPACKET socket on fd 3. Anyone can run it with anything inherited;
 * see hygiene.c for what is reset before any input is read, and
 * SECURITY.md for the whole threat model.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <syslog.h>
#include <unistd.h>

#include "counters.h"
#include "fsutil.h"
#include "hygiene.h"
#include "kept.h"
#include "proto.h"
#include "sandbox.h"
#include "session.h"

/* A caller that never sends its request must not keep us around. */
#define REQUEST_TIMEOUT_S 10
/* Nothing keeps a root helper alive longer than this, whatever blocks it
 * (a full stderr pipe, a wedged cgroupfs): SIGALRM kills it, and the next
 * call cleans up as after any other kill. Well above the worst case of a
 * call (10 s request, 30 s lock, 10 s holder start). */
#define WATCHDOG_S 120

static int die(const char *what, const struct iso_err *err, int code)
{
	const char *msg = err && err->msg[0] ? err->msg : strerror(-code);

	syslog(LOG_ERR, "helper: %s: %s", what, msg);
	fprintf(stderr, "pam-isolate-helper: %s: %s\n", what, msg);
	return 1;
}

/* A refusal before any work: the caller still gets a reply that says why
 * (the module shows it), then we exit. */
static int refuse(const char *what, const struct iso_err *err, int code)
{
	struct iso_reply rep;

	memset(&rep, 0, sizeof(rep));
	rep.version = ISO_PROTO_VERSION;
	rep.status = code;
	rep.result = ISO_RES_DENIED;
	rep.err_class = ISO_EC_INTERNAL;
	snprintf(rep.message, sizeof(rep.message), "%s", err->msg);
	(void)iso_proto_send_reply(ISO_HELPER_FD, &rep, NULL, 0);
	return die(what, err, code);
}

int main(int argc, char **argv)
{
	const struct iso_paths paths = {
		.conf = ISO_CONF_PATH,
		.rundir = ISO_RUNDIR,
		.mountinfo = "/proc/self/mountinfo",
	};
	struct timeval tv = {.tv_sec = REQUEST_TIMEOUT_S};
	struct iso_caller caller = {.pidfd = -1};
	struct iso_request req;
	struct iso_reply rep;
	struct iso_err err = {0};
	int fds[ISO_MAX_FDS];
	size_t nfds = 0;
	int i, r, keep, kept = -1, pidfd = -1, replied = -1;

	r = iso_sanitize_process(ISO_HELPER_FD);
	if (r < 0)
		return 1; /* cannot even trust stderr yet */
	/* armed before anything a caller can make us wait for (a full
	 * stderr pipe, a socket nobody reads): a refused caller too */
	alarm(WATCHDOG_S);
	openlog("pam_isolate", LOG_PID, LOG_AUTHPRIV);
	if (argc > 0 && argv[0])
		sb_set_title_buffer(argv[0], strlen(argv[0]));

	/* a constant and nothing else, for scripts and the benchmark (the
	 * cost of one exec of the helper); runs after the hygiene */
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("pam-isolate-helper %s\n", ISO_VERSION);
		return 0;
	}
	/* argv means nothing to us; its strings would otherwise stay in the
	 * command line of the sandbox holder we fork (ps shows it). */
	for (i = 1; i < argc; i++)
		if (argv[i])
			explicit_bzero(argv[i], strlen(argv[i]));
	r = iso_caller_identify(ISO_HELPER_FD, &caller, &err);
	if (r == -EACCES)
		return refuse("non-root caller", &err, r);
	if (r < 0)
		return die("refusing to run", &err, r);
	/* Wait for the request while still the caller's (killable by it, and
	 * counted in its RLIMIT_NPROC): a caller that parks helpers here
	 * ties up its own processes, not root's. */
	if (setsockopt(ISO_HELPER_FD, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return die("SO_RCVTIMEO", NULL, -errno);
	r = iso_proto_recv_request(ISO_HELPER_FD, &req);
	if (r < 0)
		return die("bad request", NULL, r);
	r = iso_check_rlimits(&err);
	if (r < 0)
		return refuse("refusing to run", &err, r);
	r = iso_become_root(&err);
	if (r < 0)
		return die("dropping the caller's ids", &err, r);
	r = iso_bind_to_caller(&caller, &err);
	if (r < 0)
		return die("refusing to run", &err, r);

	keep = iso_session_handle(&paths, &caller, &req, &rep, fds, &nfds);
	/* every open and close that reached the session flow, by outcome */
	(void)iso_counters_note(paths.rundir, &req, &rep);

	/* One helper per session: a child of ours stays for the close. It
	 * takes the fds it does not need along and closes them. */
	if (req.op == ISO_OP_OPEN && keep) {
		kept = iso_kept_start(&caller, &pidfd, &replied);
		if (kept == 1) {
			for (i = 0; i < ISO_MAX_FDS; i++)
				iso_close(fds[i]);
			iso_kept_serve(&paths, &caller, pidfd, replied, &req, &rep, WATCHDOG_S);
		}
		if (kept == 0)
			rep.flags |= ISO_REPLY_KEPT;
	}
	r = iso_session_reply(ISO_HELPER_FD, &rep, fds, nfds);
	if (r < 0) {
		iso_close(replied); /* the kept child, if any, exits */
		return die("sending the reply", NULL, r);
	}
	if (kept == 0)
		iso_kept_replied(replied);
	return 0;
}
