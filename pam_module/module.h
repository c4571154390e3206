/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_MODULE_H
#define ISO_MODULE_H

#include <security/pam_modules.h>

#include "proto.h"

struct iso_args {
	const char *conf; /* conf=PATH (the helper honours it for root only) */
	int on_error;	  /* on_error=deny|allow: when no reply came at all */
	int debug;
	const char *services; /* services=a,b,c: only these PAM services */
};

/* Parses module arguments; unknown ones are logged and ignored, as
 * Linux-PAM modules do, so a typo never locks people out. */
void iso_parse_args(pam_handle_t *pamh, int argc, const char **argv, struct iso_args *args);

/*
 * Forks and execs the helper with an empty environment and a socketpair on
 * fd 3, sends req, receives the reply and up to ISO_MAX_FDS fds. Returns 0
 * or -errno (helper missing, killed, protocol error). With kept non-NULL,
 * a CONFINED reply with ISO_REPLY_KEPT leaves the socket open in *kept
 * (else -1): the helper waits on it to serve the close.
 */
int iso_helper_call(pam_handle_t *pamh, const struct iso_request *req, struct iso_reply *rep,
		    int fds[ISO_MAX_FDS], int *exec_errno, int *kept);

/*
 * The close through the helper kept at open: sends req on sock and reads
 * the reply. -errno when that helper is gone (killed, timed out): the
 * caller then starts a new one. sock is closed either way.
 */
int iso_helper_call_kept(pam_handle_t *pamh, int sock, const struct iso_request *req,
			 struct iso_reply *rep, int fds[ISO_MAX_FDS]);

/*
 * Puts the thread-count variables (OMP_NUM_THREADS and the BLAS ones) to
 * cpus into the PAM environment, each unless already set; cpus 0 sets
 * nothing. 0 or -ENOMEM.
 */
int iso_thread_env(pam_handle_t *pamh, unsigned cpus);

/* oom_guard.c: open, before the sandbox's namespaces are joined (a pid
 * namespace's /proc has no /proc/self for us), gives the fd to arm, or
 * -EPERM for a systemd unit's session. arm makes this process -1000 for
 * the OOM killer and its fork()ed children get the value it had; it takes
 * the fd (a negative one is returned as is). disarm, once per successful
 * arm, restores the value when the process's last guarded session goes.
 * A failed write (no CAP_SYS_RESOURCE) is -errno, logged at debug only. */
int iso_oom_guard_open(pam_handle_t *pamh, int debug);
int iso_oom_guard_arm(pam_handle_t *pamh, int fd, int debug);
void iso_oom_guard_disarm(pam_handle_t *pamh);

#endif
