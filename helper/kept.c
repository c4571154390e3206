/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include "kept.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <syslog.h>
#include <unistd.h>

#include "counters.h"
#include "daemon.h"
#include "fsutil.h"

static int is_cgroup2(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/* Whether every cgroup we are in is root's: a cgroup delegated to a user
 * (a desktop terminal's scope under their systemd --user) lets them freeze
 * us while we hold a lock others wait on. Read off /proc/self/cgroup and
 * the usual mount points; anything unknown counts as not root's. */
static int own_cgroups_root_owned(void)
{
	char buf[4096], dir[PATH_MAX + 64], *line, *save = NULL;
	struct stat st;
	int seen = 0;

	if (iso_read_file_at(AT_FDCWD, "/proc/self/cgroup", buf, sizeof(buf)) <= 0)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ctrls = strchr(line, ':'), *path;

		if (!ctrls || !(path = strchr(ctrls + 1, ':')))
			return 0;
		*path++ = '\0';
		ctrls++;
		if (!strncmp(ctrls, "name=", 5))
			continue; /* named v1 hierarchies (systemd's): no freezer, no limits */
		if (!*ctrls) {
			/* the unified hierarchy: v2, or hybrid's unified/, or
			 * not mounted at all (nothing to freeze us through) */
			const char *base = is_cgroup2("/sys/fs/cgroup") ? "/sys/fs/cgroup"
					   : is_cgroup2("/sys/fs/cgroup/unified")
						   ? "/sys/fs/cgroup/unified"
						   : NULL;

			if (!base)
				continue;
			if (iso_snprintf(dir, sizeof(dir), "%s%s", base, path) < 0 ||
			    stat(dir, &st) < 0)
				return 0;
		} else if (iso_snprintf(dir, sizeof(dir), "/sys/fs/cgroup/%s%s", ctrls, path) < 0 ||
			   stat(dir, &st) < 0) {
			return 0;
		}
		if (st.st_uid != 0)
			return 0;
		if (iso_snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/cgroup.procs") <
			    0 ||
		    stat(dir, &st) < 0 || st.st_uid != 0)
			return 0;
		seen++;
	}
	return seen > 0;
}

int iso_kept_start(const struct iso_caller *caller, int *pidfd, int *replied)
{
	struct iso_err err = {0};
	int up[2] = {-1, -1}, go[2] = {-1, -1}, one = 1, nul = -1, r;
	pid_t pid;
	ssize_t n;
	char c = 0;

	*pidfd = *replied = -1;
	/* Only for applications that run as root through and through (sshd,
	 * login, cron; not su, whose invoker may signal it and own the
	 * cgroup and subreaper above it), in cgroups only root controls:
	 * else the close costs an exec, as it always did. */
	if (caller->ruid != 0 || !own_cgroups_root_owned())
		return -EPERM;
	/* It outlives us: the system's defaults, not the caller's (an OOM
	 * guard's -1000, a low RLIMIT_CPU, SCHED_IDLE), as for every root
	 * process we leave running. */
	if (iso_daemon_defaults(&err) < 0)
		return -EPERM;
	/* the close must come from the caller itself: the kernel then says
	 * which process sent it (SCM_CREDENTIALS) */
	if (setsockopt(ISO_HELPER_FD, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
		return -errno;
	/* Taken while the caller is still our parent (we die with it): the
	 * pidfd names that very process, never one that got its pid since. */
	*pidfd = (int)syscall(SYS_pidfd_open, caller->pid, 0);
	if (*pidfd < 0) {
		r = -errno;
		goto fail;
	}
	nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nul < 0 || getppid() != caller->pid || pipe2(up, O_CLOEXEC) < 0 ||
	    pipe2(go, O_CLOEXEC) < 0) {
		r = -ESRCH;
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto fail;
	}
	if (pid == 0) {
		/* Out of the caller's session and terminal (no SIGHUP or ^C of
		 * its tty reaches us), and off its stdio: a pipe someone reads
		 * to its end must not wait for the logout. */
		(void)setsid();
		if (dup2(nul, 0) < 0 || dup2(nul, 1) < 0 || dup2(nul, 2) < 0)
			_exit(1);
		iso_close(nul);
		iso_close(up[0]);
		iso_close(go[1]);
		c = 'k';
		if (write(up[1], &c, 1) != 1)
			_exit(1);
		iso_close(up[1]);
		*replied = go[0];
		return 1;
	}
	/* We answer the open, and say "kept" only once the child runs: one
	 * that died before (a fork at a pids limit, a kill) costs the close
	 * an exec, never the open its reply. */
	iso_close(up[1]);
	up[1] = -1;
	do {
		n = read(up[0], &c, 1);
	} while (n < 0 && errno == EINTR);
	r = n == 1 && c == 'k' ? 0 : -ECHILD;
	if (r == 0) {
		*replied = go[1];
		go[1] = -1;
	}
fail:
	iso_close(up[0]);
	iso_close(up[1]);
	iso_close(go[0]);
	iso_close(go[1]);
	iso_close(nul);
	iso_close(*pidfd);
	*pidfd = -1;
	if (r < 0)
		(void)setsockopt(ISO_HELPER_FD, SOL_SOCKET, SO_PASSCRED, &(int){0}, sizeof(int));
	return r;
}

void iso_kept_replied(int replied)
{
	char c = 'r';

	if (write(replied, &c, 1) != 1) {
		/* the child then exits: the close costs an exec */
	}
	iso_close(replied);
}

static int same(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static void refuse_close(const char *why)
{
	struct iso_reply rep;

	syslog(LOG_ERR, "helper: kept for a session's close: %s: refusing", why);
	memset(&rep, 0, sizeof(rep));
	rep.version = ISO_PROTO_VERSION;
	rep.status = -EPERM;
	rep.result = ISO_RES_DENIED;
	rep.err_class = ISO_EC_INTERNAL;
	snprintf(rep.message, sizeof(rep.message), "%s", why);
	(void)iso_proto_send_reply(ISO_HELPER_FD, &rep, NULL, 0);
}

/* The end of the kept helper: as every root process we leave running, a
 * zombie nobody reaps (a user's subreaper may have inherited us) holds
 * nobody's credentials, not root's. */
__attribute__((noreturn)) static void kept_exit(int pidfd)
{
	iso_close(pidfd);
	iso_daemon_exit();
}

void iso_kept_serve(const struct iso_paths *paths, const struct iso_caller *caller, int pidfd,
		    int replied, const struct iso_request *open_req,
		    const struct iso_reply *open_rep, unsigned watchdog_s)
{
	struct timeval none = {0};
	struct iso_caller kc = *caller;
	struct iso_request req;
	struct iso_reply rep;
	int fds[ISO_MAX_FDS], r, sender = 0;
	long long t_req;
	size_t nfds = 0;
	ssize_t n;
	char c = 0;

	/* Only once the helper has answered the open: a helper killed before
	 * (EOF here) must leave no one holding the socket, or the caller
	 * would wait for a reply that never comes. */
	do {
		n = read(replied, &c, 1);
	} while (n < 0 && errno == EINTR);
	iso_close(replied);
	if (n != 1 || c != 'r' || pidfd < 0)
		kept_exit(pidfd);

	/* the session may last for days: no watchdog, no receive timeout
	 * until its close comes */
	alarm(0);
	if (setsockopt(ISO_HELPER_FD, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none)) < 0)
		kept_exit(pidfd);
	r = iso_proto_recv_request_cred(ISO_HELPER_FD, &req, &sender);
	t_req = iso_now_ms();
	alarm(watchdog_s);
	if (r == -ECONNRESET)
		kept_exit(pidfd); /* EOF: pam_end without a close, or the caller died */
	/* Only the module in the process that opened the session sends this
	 * (a forked child starts a helper of its own): that process, as the
	 * kernel names the sender, still alive, and the same session. */
	if (r < 0 || sender != caller->pid || !same(req.user, open_req->user) ||
	    req.op != ISO_OP_CLOSE || !same(req.service, open_req->service) ||
	    !same(req.conf, open_req->conf) || !same(req.session_id, open_rep->session_id)) {
		refuse_close("not the close of the session this helper opened, from the process "
			     "that opened it");
		kept_exit(pidfd);
	}
	kc.kept = 1;
	kc.pidfd = pidfd;
	kc.deadline_ms = t_req + ISO_KEPT_DEADLINE_MS;
	(void)iso_session_handle(paths, &kc, &req, &rep, fds, &nfds);
	(void)iso_counters_note(paths->rundir, &req, &rep);
	r = iso_session_reply(ISO_HELPER_FD, &rep, fds, nfds);
	if (r < 0)
		syslog(LOG_ERR, "helper: sending the close's reply: %s", strerror(-r));
	kept_exit(pidfd);
}
