/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pam_isolate.so: PAM glue only. It asks the setuid helper to place this
 * process (the PAM application: sshd [priv], login, su) into the user's
 * cgroup and sandbox, then joins the sandbox's mount and pid namespaces so
 * that the children it forks next (the user's shell) are born inside.
 * Policy, cgroups and namespaces live in the helper.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <security/pam_modutil.h>

#include "module.h"
#include "nsfd.h"

#define DATA_KEY "pam_isolate_session"

/* What open hands to close through pam_set_data. */
struct iso_session {
	char session_id[ISO_PROTO_SID];
	char origin[ISO_PROTO_ORIGIN];
	int home_mnt; /* our own namespaces, to leave the sandbox at close */
	int home_pid;
	int home_cgroup;
	/* the cgroups we came from (from the helper): at close we move back
	 * through them before we fork, so that the close-time helper is not
	 * born in the user's leaf, where a user at tasks_max or memory_max
	 * would make the fork fail */
	int origin_cg[ISO_FD_CG2 - ISO_FD_CG0 + 1];
	int oom_armed; /* this session holds the OOM guard (oom_guard.c) */
	/* the socket of the helper that opened the session and waits to
	 * close it (ISO_REPLY_KEPT), and the process it serves: a forked
	 * child that closes gets a helper of its own */
	int kept;
	pid_t opener;
};

static void session_free(pam_handle_t *pamh, void *data, int error_status)
{
	struct iso_session *s = data;

	if (!s)
		return;
	/* pam_end without a close: the guard goes with the session (a no-op
	 * in a forked child, where the atfork handler restored it) */
	if (s->oom_armed)
		iso_oom_guard_disarm(pamh);
	/* EOF: the kept helper exits without closing (a forked child's copy
	 * going changes nothing while the application holds its own) */
	if (s->kept >= 0)
		close(s->kept);
	if (s->home_mnt >= 0)
		close(s->home_mnt);
	if (s->home_pid >= 0)
		close(s->home_pid);
	if (s->home_cgroup >= 0)
		close(s->home_cgroup);
	for (size_t i = 0; i < sizeof(s->origin_cg) / sizeof(s->origin_cg[0]); i++)
		if (s->origin_cg[i] >= 0)
			close(s->origin_cg[i]);
	free(s);
}

void iso_parse_args(pam_handle_t *pamh, int argc, const char **argv, struct iso_args *args)
{
	int i;

	memset(args, 0, sizeof(*args));
	args->on_error = -1;
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "conf=", 5) == 0)
			args->conf = argv[i] + 5;
		else if (strcmp(argv[i], "on_error=deny") == 0)
			args->on_error = 0;
		else if (strcmp(argv[i], "on_error=allow") == 0)
			args->on_error = 1;
		else if (strcmp(argv[i], "debug") == 0)
			args->debug = 1;
		else if (strncmp(argv[i], "services=", 9) == 0)
			args->services = argv[i] + 9;
		else
			pam_syslog(pamh, LOG_ERR, "unknown module argument ignored: %s", argv[i]);
	}
}

/* services=a,b,c: whether this PAM service is one of them. Checked in
 * the module so that a service out of scope costs no helper at all.
 * Without case, as the config's services key compares. */
static int service_in_scope(pam_handle_t *pamh, const struct iso_args *args)
{
	const void *item = NULL;
	const char *svc, *p;
	size_t n;

	if (!args->services)
		return 1;
	if (pam_get_item(pamh, PAM_SERVICE, &item) != PAM_SUCCESS || !item)
		return 0;
	svc = item;
	n = strlen(svc);
	for (p = args->services; *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && strncasecmp(p, svc, n) == 0)
			return 1;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int fill_request(pam_handle_t *pamh, const struct iso_args *args, int op,
			struct iso_request *req, const char **user)
{
	const void *service = NULL;

	memset(req, 0, sizeof(*req));
	req->version = ISO_PROTO_VERSION;
	req->op = (uint32_t)op;
	if (pam_get_user(pamh, user, NULL) != PAM_SUCCESS || !*user || !**user) {
		pam_syslog(pamh, LOG_ERR, "cannot determine the user name");
		return PAM_USER_UNKNOWN;
	}
	if (pam_get_item(pamh, PAM_SERVICE, &service) != PAM_SUCCESS || !service)
		service = "";
	if (iso_proto_setstr(req->user, sizeof(req->user), *user) < 0 ||
	    iso_proto_setstr(req->service, sizeof(req->service), service) < 0 ||
	    iso_proto_setstr(req->conf, sizeof(req->conf), args->conf ? args->conf : "") < 0) {
		pam_syslog(pamh, LOG_ERR, "user, service or conf= too long");
		return PAM_SESSION_ERR;
	}
	return PAM_SUCCESS;
}

/* A failure with no verdict from the helper (it is missing, was killed,
 * or the protocol broke): the module argument decides, deny by default. */
static int no_verdict(pam_handle_t *pamh, const struct iso_args *args, const char *user, int r,
		      int exec_errno)
{
	if (args->on_error == 1) {
		pam_syslog(pamh, LOG_ERR, "user %s: helper failed (%s); on_error=allow: unconfined",
			   user, strerror(-r));
		return PAM_SUCCESS;
	}
	pam_syslog(pamh, LOG_ERR, "user %s: helper failed (%s); session refused", user,
		   strerror(-r));
	if (exec_errno)
		pam_error(pamh, "pam_isolate: session refused: cannot execute %s: %s.",
			  ISO_HELPER_PATH, strerror(exec_errno));
	else
		pam_error(pamh, "pam_isolate: cannot set up the session sandbox (%s).",
			  strerror(-r));
	return PAM_SESSION_ERR;
}

static void close_fds(int fds[ISO_MAX_FDS])
{
	int i;

	for (i = 0; i < ISO_MAX_FDS; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

/* Undo a placement the module could not complete (e.g. setns failed). */
static void undo_open(pam_handle_t *pamh, const struct iso_args *args, const struct iso_reply *rep)
{
	struct iso_request req;
	struct iso_reply crep;
	const char *user;
	int fds[ISO_MAX_FDS], xe = 0;

	if (fill_request(pamh, args, ISO_OP_CLOSE, &req, &user) != PAM_SUCCESS)
		return;
	memcpy(req.session_id, rep->session_id, sizeof(req.session_id));
	memcpy(req.origin, rep->origin, sizeof(req.origin));
	if (iso_helper_call(pamh, &req, &crep, fds, &xe, NULL) == 0)
		close_fds(fds);
}

/* Joins the sandbox. Mount first: joining the pid ns only changes where
 * our future children are born, and they must also see the sandbox's
 * /proc and /tmp. A multi-threaded process cannot join a mount ns
 * (EINVAL); the caller then applies on_error. */
static int join_sandbox(pam_handle_t *pamh, const struct iso_reply *rep, int fds[ISO_MAX_FDS],
			struct iso_session *s)
{
	int cgns = (rep->flags & ISO_REPLY_CGROUP_NS) != 0;
	int chk;

	if (fds[ISO_FD_MNT] < 0 && fds[ISO_FD_PID] < 0 && !cgns)
		goto nnp;
	/* What we join must be the sandbox the helper made as root: the
	 * right type, in a user namespace created by uid 0. */
	chk = fds[ISO_FD_MNT] >= 0 ? iso_nsfd_check(fds[ISO_FD_MNT], CLONE_NEWNS) : 0;
	if (chk == 0 && fds[ISO_FD_PID] >= 0)
		chk = iso_nsfd_check(fds[ISO_FD_PID], CLONE_NEWPID);
	if (chk < 0) {
		pam_syslog(pamh, LOG_ERR, "refusing the sandbox's namespaces: %s",
			   chk == -EPERM ? "not owned by root" : strerror(-chk));
		return chk;
	}
	/* All before the first setns: in the sandbox's /proc we (not in its
	 * pid namespace) have no /proc/self. Only what we join: close goes
	 * back to exactly these, and a setns we did not need is one more
	 * error when it cannot (an unprivileged close). */
	s->home_mnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (fds[ISO_FD_PID] >= 0)
		s->home_pid = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (cgns)
		s->home_cgroup = open("/proc/self/ns/cgroup", O_RDONLY | O_CLOEXEC);
	if (s->home_mnt < 0 || (fds[ISO_FD_PID] >= 0 && s->home_pid < 0) ||
	    (cgns && s->home_cgroup < 0)) {
		pam_syslog(pamh, LOG_ERR, "cannot open own namespaces: %m");
		return -errno;
	}
	if (fds[ISO_FD_MNT] >= 0 && setns(fds[ISO_FD_MNT], CLONE_NEWNS) < 0) {
		int e = errno;

		pam_syslog(pamh, LOG_ERR, "cannot join the sandbox mount namespace: %s%s",
			   strerror(e),
			   e == EINVAL ? " (a multi-threaded application cannot change mount "
					 "namespace)"
				       : "");
		return -e;
	}
	if (fds[ISO_FD_PID] >= 0 && setns(fds[ISO_FD_PID], CLONE_NEWPID) < 0) {
		int e = errno;

		pam_syslog(pamh, LOG_ERR, "cannot join the sandbox pid namespace: %s", strerror(e));
		if (setns(s->home_mnt, CLONE_NEWNS) < 0)
			pam_syslog(pamh, LOG_CRIT, "cannot return to the host mount namespace: %m");
		return -e;
	}
	/* The helper has put us in the session leaf: a cgroup namespace made
	 * now is rooted there, so the session sees its cgroup as "/". */
	if (cgns && unshare(CLONE_NEWCGROUP) < 0) {
		int e = errno;

		pam_syslog(pamh, LOG_ERR, "cannot make a cgroup namespace: %s", strerror(e));
		if (setns(s->home_mnt, CLONE_NEWNS) < 0 ||
		    (s->home_pid >= 0 && setns(s->home_pid, CLONE_NEWPID) < 0))
			pam_syslog(pamh, LOG_CRIT, "cannot return to the host namespaces: %m");
		return -e;
	}
nnp:
	/* Inherited by everything the session starts: setuid binaries (sudo)
	 * no longer gain privileges. Cannot be undone, and need not be: the
	 * PAM application ends with the session. */
	if ((rep->flags & ISO_REPLY_NO_NEW_PRIVS) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		pam_syslog(pamh, LOG_ERR, "cannot set no_new_privs: %m");
		return -errno;
	}
	return 0;
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct iso_args args;
	struct iso_request req;
	struct iso_reply rep;
	struct iso_session *s = NULL;
	const char *user = NULL;
	int fds[ISO_MAX_FDS], xe = 0, oomfd, kept = -1;
	int r, ret;

	iso_parse_args(pamh, argc, argv, &args);
	if (!service_in_scope(pamh, &args))
		return PAM_IGNORE;
	/* The helper serves root callers only (pam_isolate(8)); an
	 * application without root (a screen locker, a user's own PAM
	 * program) gets nothing from us and is not blocked either. */
	if (geteuid() != 0) {
		pam_syslog(pamh, LOG_NOTICE,
			   "not confining: this application runs as uid %u, not root "
			   "(pam_isolate confines sessions of root PAM applications only)",
			   (unsigned)geteuid());
		return PAM_IGNORE;
	}
	ret = fill_request(pamh, &args, ISO_OP_OPEN, &req, &user);
	if (ret != PAM_SUCCESS)
		return ret;

	r = iso_helper_call(pamh, &req, &rep, fds, &xe, &kept);
	if (r < 0)
		return no_verdict(pamh, &args, user, r, xe);

	switch (rep.result) {
	case ISO_RES_EXEMPT:
		if (args.debug)
			pam_syslog(pamh, LOG_DEBUG, "user %s exempt (%s)", user, rep.rule);
		ret = PAM_IGNORE;
		goto out;
	case ISO_RES_ALLOWED:
		/* The helper logged the reason; the user is let in unconfined. */
		ret = PAM_SUCCESS;
		goto out;
	case ISO_RES_DENIED:
		pam_error(pamh, "pam_isolate: session refused: %s", rep.message);
		ret = PAM_SESSION_ERR;
		goto out;
	case ISO_RES_CONFINED:
		break;
	default:
		ret = no_verdict(pamh, &args, user, -EPROTO, 0);
		goto out;
	}

	s = calloc(1, sizeof(*s));
	if (!s) {
		undo_open(pamh, &args, &rep);
		ret = no_verdict(pamh, &args, user, -ENOMEM, 0);
		goto out;
	}
	s->home_mnt = s->home_pid = s->home_cgroup = -1;
	/* the undo paths below start a helper of their own: this one then
	 * sees EOF when s goes */
	s->kept = kept;
	kept = -1;
	s->opener = getpid();
	for (int i = ISO_FD_CG0; i <= ISO_FD_CG2; i++) {
		s->origin_cg[i - ISO_FD_CG0] = fds[i];
		fds[i] = -1;
	}
	memcpy(s->session_id, rep.session_id, sizeof(s->session_id));
	memcpy(s->origin, rep.origin, sizeof(s->origin));
	oomfd = iso_oom_guard_open(pamh, args.debug);
	r = join_sandbox(pamh, &rep, fds, s);
	if (r < 0) {
		if (oomfd >= 0)
			close(oomfd);
		undo_open(pamh, &args, &rep);
		if (rep.on_error == 1) {
			pam_syslog(pamh, LOG_ERR, "user %s: on_error=allow: session unconfined",
				   user);
			ret = PAM_SUCCESS;
		} else {
			pam_error(pamh,
				  "pam_isolate: session refused: cannot enter the sandbox "
				  "(%s)",
				  strerror(-r));
			ret = PAM_SESSION_ERR;
		}
		goto out;
	}
	if (pam_set_data(pamh, DATA_KEY, s, session_free) != PAM_SUCCESS) {
		if (oomfd >= 0)
			close(oomfd);
		pam_syslog(pamh, LOG_ERR, "pam_set_data failed");
		undo_open(pamh, &args, &rep);
		ret = PAM_SESSION_ERR;
		goto out;
	}
	/* Last: a failed open above must not leave us unkillable. */
	s->oom_armed = iso_oom_guard_arm(pamh, oomfd, args.debug) == 0;
	s = NULL;
	if (iso_thread_env(pamh, rep.cpus) < 0)
		pam_syslog(pamh, LOG_WARNING, "user %s: cannot set the thread-count variables",
			   user);
	/* login_message: the helper wrote the line; PAM_SILENT keeps it
	 * from the user, as it keeps pam_motd's text */
	if ((rep.flags & ISO_REPLY_LOGIN_MSG) && rep.message[0] && !(flags & PAM_SILENT))
		pam_info(pamh, "pam_isolate: %s", rep.message);
	if (args.debug)
		pam_syslog(pamh, LOG_DEBUG, "user %s confined: %s session %s", user, rep.rule,
			   rep.session_id);
	ret = PAM_SUCCESS;
out:
	if (kept >= 0)
		close(kept);
	close_fds(fds);
	session_free(pamh, s, 0);
	return ret;
}

/* Back to the cgroups we came from, with no fork: the helper moved us
 * into the session's leaf, and the fork of the close-time helper from
 * there fails when the user is at tasks_max (or is killed at memory_max).
 * -1 when a move failed, or none could be made for a session that has an
 * origin: then only a helper of the close's own puts us back (by path). */
static int leave_leaf(pam_handle_t *pamh, const struct iso_session *s)
{
	int moved = 0, failed = 0;

	for (size_t i = 0; i < sizeof(s->origin_cg) / sizeof(s->origin_cg[0]); i++) {
		int fd;

		if (s->origin_cg[i] < 0)
			continue;
		fd = openat(s->origin_cg[i], "cgroup.procs", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 || write(fd, "0", 1) != 1) {
			pam_syslog(pamh, LOG_WARNING, "cannot leave the session's cgroup: %m");
			failed = 1;
		} else {
			moved = 1;
		}
		if (fd >= 0)
			close(fd);
	}
	return failed || (s->origin[0] && !moved) ? -1 : 0;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct iso_args args;
	struct iso_request req;
	struct iso_reply rep;
	const void *data = NULL;
	struct iso_session *s;
	const char *user = NULL;
	int fds[ISO_MAX_FDS], xe = 0, left;
	int r, ret;

	iso_parse_args(pamh, argc, argv, &args);
	if (pam_get_data(pamh, DATA_KEY, &data) != PAM_SUCCESS || !data)
		return PAM_IGNORE; /* open did not confine this session */
	/* ours, from open's calloc: PAM hands it back const */
	s = (struct iso_session *)data;

	/* systemd's (sd-pam), the closer of units with PAMName=, runs with
	 * the service's credentials: it can neither leave the sandbox
	 * (setns needs CAP_SYS_ADMIN) nor be served by the helper (root
	 * callers only). Nothing is lost: logind ends the session's scope
	 * with the unit, and the user's slice, when it stops, takes the
	 * holder's scope with it. Not an error: no journal line above
	 * debug. */
	if (geteuid() != 0) {
		if (args.debug)
			pam_syslog(pamh, LOG_DEBUG,
				   "session %s closed by uid %u (not root): left to logind",
				   s->session_id, (unsigned)geteuid());
		pam_set_data(pamh, DATA_KEY, NULL, NULL);
		return PAM_IGNORE;
	}

	/* Leave the sandbox first: the helper must be born in the host's pid
	 * namespace to see us, and must not die with the sandbox. */
	if (s->home_mnt >= 0 && setns(s->home_mnt, CLONE_NEWNS) < 0)
		pam_syslog(pamh, LOG_ERR, "cannot return to the host mount namespace: %m");
	if (s->home_cgroup >= 0 && setns(s->home_cgroup, CLONE_NEWCGROUP) < 0)
		pam_syslog(pamh, LOG_ERR, "cannot return to the host cgroup namespace: %m");
	if (s->home_pid >= 0 && setns(s->home_pid, CLONE_NEWPID) < 0)
		pam_syslog(pamh, LOG_ERR, "cannot return to the host pid namespace: %m");

	left = leave_leaf(pamh, s);
	if (s->oom_armed) {
		iso_oom_guard_disarm(pamh);
		s->oom_armed = 0;
	}

	ret = fill_request(pamh, &args, ISO_OP_CLOSE, &req, &user);
	if (ret != PAM_SUCCESS)
		return ret;
	memcpy(req.session_id, s->session_id, sizeof(req.session_id));
	memcpy(req.origin, s->origin, sizeof(req.origin));

	r = -ENOTCONN;
	if (s->kept >= 0 && s->opener == getpid() && left == 0) {
		r = iso_helper_call_kept(pamh, s->kept, &req, &rep, fds);
		s->kept = -1;
		if (r == 0 && rep.result != ISO_RES_CLOSED) {
			close_fds(fds);
			pam_syslog(pamh, LOG_WARNING, "user %s: the helper kept for session %s: %s",
				   user, s->session_id, rep.message);
			r = -EPROTO;
		} else if (r < 0) {
			pam_syslog(pamh, LOG_WARNING,
				   "user %s: the helper kept for session %s is gone (%s)", user,
				   s->session_id, strerror(-r));
		}
	} else if (s->kept >= 0 && s->opener == getpid()) {
		close(s->kept); /* EOF: it ends; this close is a new helper's */
		s->kept = -1;
	}
	/* none kept, or it failed: a helper of this close's own, as ever */
	if (r < 0)
		r = iso_helper_call(pamh, &req, &rep, fds, &xe, NULL);
	if (r < 0) {
		pam_syslog(pamh, LOG_ERR, "user %s: close of session %s failed: %s", user,
			   s->session_id, strerror(-r));
		return PAM_SESSION_ERR;
	}
	close_fds(fds);
	if (rep.status < 0) {
		pam_syslog(pamh, LOG_ERR, "user %s: close of session %s: %s", user, s->session_id,
			   rep.message);
		return PAM_SESSION_ERR;
	}
	pam_set_data(pamh, DATA_KEY, NULL, NULL);
	return PAM_SUCCESS;
}
