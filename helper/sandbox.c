/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The holder: created by a keeper (a root process the helper detaches)
 * with clone(CLONE_NEWPID | CLONE_NEWNS) (CLONE_NEWNS only without a pid
 * namespace) while every uid is 0, so its pid and mount namespaces belong
 * to root and the logged-in user has no capability over them. Inside, the
 * holder mounts a fresh /proc for the pid namespace (or, with
 * hide_processes, a hidepid=invisible one of the host's) and a private
 * /tmp; with `user` in namespaces it then
 * moves into a new user namespace and a mount namespace of its own there
 * (the one sessions join), whose mounts are locked by the kernel, so
 * nobody inside can unmount them to peek below. It drops every
 * capability, sets no_new_privs and waits, reaping the orphans of the
 * sandbox. The keeper reaps the holder.
 */
#define _GNU_SOURCE
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "fsutil.h"
#include "iso_names.h"
#include "sandbox_internal.h"
#include "sandbox_view.h"
#include "nsfd.h"
#include "procfs.h"

#define HOLDER_START_TIMEOUT_MS 10000
/* Short on purpose: see sb_holder_destroy(). */
#define HOLDER_STOP_TIMEOUT_MS 100

/* argv[0] of the helper, overwritten in the holder so that `ps` inside the
 * sandbox shows "isolate-holder" and no path of ours. */
static char *title_buf;
static size_t title_len;

void sb_set_title_buffer(char *buf, size_t len)
{
	title_buf = buf;
	title_len = len;
}

/* ---- the holder itself ---- */

struct holder_report {
	int err; /* 0 ready, else -errno */
	char what[120];
};

static void report(int fd, int err, const char *what)
{
	struct holder_report rep;
	ssize_t n;

	memset(&rep, 0, sizeof(rep));
	rep.err = err;
	snprintf(rep.what, sizeof(rep.what), "%s", what);
	n = write(fd, &rep, sizeof(rep));
	(void)n;
}

static int drop_capabilities(void)
{
	cap_t none;
	int cap, r = 0;

	for (cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return -errno;
	none = cap_init();
	if (!none)
		return -ENOMEM;
	if (cap_set_proc(none) < 0)
		r = -errno;
	cap_free(none);
	return r;
}

static void holder_loop(void)
{
	sigset_t set;

	/* PID 1 of a pid namespace gets no signal from inside it unless it
	 * has a handler; block everything anyway and only wait for
	 * children to reap. Root of the host can still SIGKILL us. */
	sigfillset(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (;;) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		sigwaitinfo(&set, NULL);
	}
}

/* Hides every other user's cgroups: the user's own dir of each managed
 * hierarchy goes over the hierarchy's mount point, read-only. Sources are
 * opened before any mount so that later mounts cannot redirect them. */
static int cgroup_view(const struct sb_cgview *v, const char **what)
{
	int fds[3] = {-1, -1, -1};
	char src[64];
	int i, r = 0;

	for (i = 0; i < v->n && i < 3; i++) {
		fds[i] = open(v->src[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fds[i] < 0) {
			r = -errno;
			*what = "opening the user's cgroup dir";
			goto out;
		}
	}
	for (i = 0; i < v->n && i < 3; i++) {
		snprintf(src, sizeof(src), "/proc/self/fd/%d", fds[i]);
		if (mount(src, v->dst[i], NULL, MS_BIND, NULL) < 0 ||
		    mount(NULL, v->dst[i], NULL,
			  MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  NULL) < 0) {
			r = -errno;
			*what = "bind-mounting the user's cgroup over the hierarchy";
			goto out;
		}
	}
out:
	for (i = 0; i < 3; i++)
		iso_close(fds[i]);
	return r;
}

static void holder_main(int go_fd, int ready_fd, uid_t uid, const struct iso_limits *lim,
			const struct sb_cgview *view, int statedir)
{
	char view_note[sizeof(((struct holder_report *)0)->what)];
	enum sb_view_got got;
	char c;
	int fd;

	/* wait until the keeper let us go */
	if (read(go_fd, &c, 1) != 1)
		_exit(1);
	/* no session or process group of whoever started the login */
	(void)setsid();

	/* Nothing we mount may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
		report(ready_fd, -errno, "making / a slave mount");
		_exit(1);
	}
	/* private_tmp: its own call, before anything else is mounted */
	{
		const char *what = "";
		int r = sb_mount_private_tmp(lim, uid, &what);

		if (r < 0) {
			report(ready_fd, r, what);
			_exit(1);
		}
	}
	{
		int r = sb_mount_private_shm(lim);

		if (r < 0) {
			report(ready_fd, r, "mounting a private tmpfs on /dev/shm");
			_exit(1);
		}
	}
	if (view && view->n > 0) {
		const char *what = "";
		int r = cgroup_view(view, &what);

		if (r < 0) {
			report(ready_fd, r, what);
			_exit(1);
		}
	}
	if (lim->namespaces & ISO_NS_PID) {
		if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
			report(ready_fd, -errno, "mounting /proc for the sandbox");
			_exit(1);
		}
	} else if (lim->hide_processes == 1) {
		/* No pid namespace (systemd's peer checks and PAMName= units
		 * need host pids), but a procfs instance of our own that lists
		 * only what the reader may ptrace: per mount since Linux 5.8.
		 * Made here, as root of the initial user namespace, so that in
		 * the sessions' mount namespace (owned by the sandbox's user
		 * namespace) it is locked over the host's /proc: nobody inside
		 * can unmount or remount it, and a user namespace of their own
		 * gives no power over a procfs of the host's pid namespace. */
		if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "hidepid=invisible") < 0) {
			report(ready_fd, -errno,
			       "mounting a hidepid=invisible /proc for the sandbox");
			_exit(1);
		}
	}
	/* proc_view: over the /proc just mounted, before the user namespace
	 * locks it all; never fails the sandbox (sandbox_view.c) */
	got = sb_view_mount(lim, statedir, view_note, sizeof(view_note) - 16);
	iso_close(statedir);
	/* The user namespace comes last, after the pid namespace and every
	 * mount. The pid namespace stays owned by the initial user namespace:
	 * the kernel lets a user nest a pid namespace of their own (unshare
	 * -Urp, bubblewrap, rootless podman, Apptainer) only below one owned
	 * by an ancestor of their new user namespace. The mount namespace the
	 * sessions join is made again inside it, owned by root's sandbox user
	 * namespace, with every mount copied locked. */
	if ((lim->namespaces & ISO_NS_USER) &&
	    (unshare(CLONE_NEWUSER) < 0 || unshare(CLONE_NEWNS) < 0)) {
		report(ready_fd, -errno, "making the sandbox's user namespace");
		_exit(1);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		report(ready_fd, -errno, "no_new_privs / not dumpable");
		_exit(1);
	}
	if (drop_capabilities() < 0) {
		report(ready_fd, -errno, "dropping capabilities");
		_exit(1);
	}
	prctl(PR_SET_NAME, ISO_HOLDER_COMM, 0, 0, 0);
	if (title_buf && title_len > 0) {
		memset(title_buf, 0, title_len);
		snprintf(title_buf, title_len + 1, "%s", ISO_HOLDER_COMM);
	}
	if (chdir("/") < 0)
		_exit(1);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	{
		char what[sizeof(view_note)];

		snprintf(what, sizeof(what), "view %s%s%.100s", sb_view_name(got),
			 view_note[0] ? ": " : "", view_note);
		report(ready_fd, 0, what);
	}
	/* Live on only once the helper has recorded and placed us; EOF means
	 * it died first, and an unrecorded holder would never be found. */
	if (read(go_fd, &c, 1) != 1 || c != 'c')
		_exit(1);
	/* close everything, ready_fd and the helper's dirfds included */
	syscall(SYS_close_range, 3U, ~0U, 0U);
	holder_loop();
}

int sb_enter_reference_mntns(void)
{
	int fd = open("/proc/1/ns/mnt", O_RDONLY | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNS) < 0)
		r = -errno;
	iso_close(fd);
	return r;
}

static int wait_ready(int fd, struct holder_report *rep)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t n;
	int r;

	do {
		r = poll(&p, 1, HOLDER_START_TIMEOUT_MS);
	} while (r < 0 && errno == EINTR);
	if (r == 0)
		return -ETIMEDOUT;
	if (r < 0)
		return -errno;
	n = read(fd, rep, sizeof(*rep));
	if (n != (ssize_t)sizeof(*rep))
		return -ECHILD;
	rep->what[sizeof(rep->what) - 1] = '\0';
	return rep->err;
}

/* Closes every fd >= 3 but the n in keep. */
static void close_all_but(int *keep, int n)
{
	unsigned lo = 3;
	int i, j;

	/* ascending order, then close the gaps */
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (keep[j] < keep[i]) {
				int t = keep[i];

				keep[i] = keep[j];
				keep[j] = t;
			}
	for (i = 0; i < n; i++) {
		if (keep[i] < (int)lo)
			continue;
		if ((unsigned)keep[i] > lo)
			syscall(SYS_close_range, lo, (unsigned)keep[i] - 1, 0U);
		lo = (unsigned)keep[i] + 1;
	}
	syscall(SYS_close_range, lo, ~0U, 0U);
}

/* What the keeper tells the helper once the holder is ready (or not). */
struct keeper_report {
	pid_t pid; /* the holder, in our (host) numbering; 0 if none */
	int err;
	char what[120];
};

/*
 * The keeper: the holder's parent for the holder's whole life. A holder is
 * PID 1 of its pid namespace; as a zombie it pins that namespace and its
 * user namespace, both counted against root. Were the holder the helper's
 * child, it would be inherited, when the helper exits, by whoever reaps
 * orphans above the login, and a user can make that their own process at
 * any moment (PR_SET_CHILD_SUBREAPER is inherited by existing descendants)
 * and never reap it. The keeper reaps it; its own zombie, if a user's
 * subreaper never reaps it, pins one pid and holds no root credentials:
 * it gives them up before it exits.
 */
static void keeper_main(int go[2], int rep_fd, unsigned long flags, const struct iso_limits *lim,
			const struct sb_cgview *view, const struct sb_keeper_info *info,
			int statedir)
{
	struct keeper_report kr;
	struct holder_report hr = {0};
	int keep[4] = {go[0], go[1], rep_fd, statedir};
	int ready[2] = {-1, -1}, r;
	pid_t pid;

	/* Nothing of the helper's: the protocol socket, the user lock (a
	 * flock held by our copy would lock the user out), dirfds. */
	close_all_but(keep, statedir >= 0 ? 4 : 3);
	memset(&kr, 0, sizeof(kr));
	if (pipe2(ready, O_CLOEXEC) < 0) {
		kr.err = -errno;
		snprintf(kr.what, sizeof(kr.what), "pipe");
		goto report;
	}
	/* raw clone: fork semantics on our own stack, in new namespaces */
	pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (pid == 0) {
		iso_close(go[1]);
		iso_close(ready[0]);
		iso_close(rep_fd);
		holder_main(go[0], ready[1], info->uid, lim, view, statedir);
		_exit(1);
	}
	iso_close(go[0]);
	iso_close(ready[1]);
	if (pid < 0) {
		kr.err = -errno;
		snprintf(kr.what, sizeof(kr.what), "cannot create the sandbox namespaces");
		goto report;
	}
	kr.pid = pid;
	/* go, then our copy of the pipe goes: from now on the holder waits
	 * for the helper's commit, and sees EOF if the helper dies first */
	if (write(go[1], "g", 1) != 1) {
		kr.err = -EPIPE;
		snprintf(kr.what, sizeof(kr.what), "sandbox holder died before start");
		goto report;
	}
	iso_close(go[1]);
	go[1] = -1;
	r = wait_ready(ready[0], &hr);
	if (r < 0)
		kr.err = r;
	/* on success: what proc_view gave (sandbox_view.c), for the log */
	snprintf(kr.what, sizeof(kr.what), "%s", hr.what[0] ? hr.what : "no report");
report:
	iso_close(go[1]);
	if (write(rep_fd, &kr, sizeof(kr)) != (ssize_t)sizeof(kr) && kr.pid > 0)
		kill(kr.pid, SIGKILL);
	iso_close(rep_fd);
	iso_close(ready[0]);
	if (kr.err < 0 && kr.pid > 0)
		kill(kr.pid, SIGKILL);
	if (kr.err == 0 && kr.pid > 0)
		sb_keeper_watch(kr.pid, info); /* returns once it reaped the holder */
	while (kr.pid > 0 && waitpid(kr.pid, NULL, 0) < 0 && errno == EINTR)
		;
	iso_daemon_exit(); /* no root credentials in a zombie nobody may reap */
}

static int read_report(int fd, struct keeper_report *kr)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t n;
	int r;

	do {
		r = poll(&p, 1, HOLDER_START_TIMEOUT_MS + 1000);
	} while (r < 0 && errno == EINTR);
	if (r == 0)
		return -ETIMEDOUT;
	if (r < 0)
		return -errno;
	n = read(fd, kr, sizeof(*kr));
	if (n != (ssize_t)sizeof(*kr))
		return -ECHILD;
	kr->what[sizeof(kr->what) - 1] = '\0';
	return 0;
}

int sb_holder_create(int statedir, uid_t uid, const char *key, const struct iso_limits *lim,
		     const struct sb_cgview *view, struct cg_engine *cg, unsigned ctrls,
		     const struct sb_keeper_info *info, struct sb_holder *out, struct iso_err *err)
{
	struct keeper_report kr;
	struct sb_holder h = {0};
	int go[2] = {-1, -1}, rep[2] = {-1, -1}, pidfd = -1;
	unsigned long flags = SIGCHLD | CLONE_NEWNS;
	int r;

	memset(&kr, 0, sizeof(kr));
	/* the user namespace, if any, is the holder's last step (holder_main) */
	if (lim->namespaces & ISO_NS_PID)
		flags |= CLONE_NEWPID;
	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0) {
		r = iso_err_set(err, -errno, "pipe: %s", strerror(errno));
		goto out;
	}
	/* the keeper: out of the caller's cgroups (a kill of the session su
	 * was started from must not take it) */
	r = iso_daemon_fork(cg, ctrls, err);
	if (r < 0) {
		iso_err_prefix(err, "cannot start the sandbox's keeper: ");
		goto out;
	}
	if (r == 1) {
		iso_close(rep[0]);
		keeper_main(go, rep[1], flags, lim, view, info, statedir);
	}
	iso_close(rep[1]);
	rep[1] = -1;
	iso_close(go[0]);
	go[0] = -1;
	r = read_report(rep[0], &kr);
	if (r == 0 && kr.err < 0)
		r = kr.err;
	if (r < 0) {
		iso_err_set(err, r, "sandbox holder failed: %s: %s",
			    kr.what[0] ? kr.what : "no report", strerror(-r));
		goto out;
	}
	h.pid = kr.pid;
	if (strncmp(kr.what, "view none", 9) != 0)
		syslog(LOG_INFO, "sandbox of uid %u: %s", (unsigned)uid, kr.what);
	pidfd = (int)syscall(SYS_pidfd_open, h.pid, 0);
	r = sb_proc_start_time(h.pid, &h.start, NULL, 0);
	if (r < 0) {
		iso_err_set(err, r, "cannot read the holder's start time");
		goto out;
	}
	{
		struct iso_proc_stat st;

		/* the keeper, for systemd's scope: alive while its child is */
		h.keeper = iso_proc_stat(h.pid, &st) == 0 ? st.ppid : 0;
	}
	r = sb_record_write(statedir, uid, key, &h);
	if (r < 0) {
		iso_err_set(err, r, "cannot record the holder in the state dir: %s", strerror(-r));
		goto out;
	}
	h.commit_fd = go[1];
	go[1] = -1;
	*out = h;
	kr.pid = 0; /* the holder lives on, once committed */
	r = 0;
out:
	/* a holder that will not be committed: gone at once (its keeper
	 * reaps it); without our go byte it would also exit by itself */
	if (kr.pid > 0 && pidfd >= 0)
		(void)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	iso_close(pidfd);
	iso_close(go[0]);
	iso_close(go[1]);
	iso_close(rep[0]);
	iso_close(rep[1]);
	return r;
}

/* Opens /proc/PID/ns/<name> of the holder and checks it (nsfd.h). */
static int open_ns(pid_t pid, const char *name, int nstype, int *out, struct iso_err *err)
{
	char path[64];
	int fd, r;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return iso_err_set(err, -errno, "cannot open %s: %s", path, strerror(errno));
	r = iso_nsfd_check(fd, nstype);
	if (r < 0) {
		iso_close(fd);
		return iso_err_set(err, r, "refusing %s: %s", path,
				   r == -EPERM ? "its user namespace is not root's" : strerror(-r));
	}
	*out = fd;
	return 0;
}

int sb_holder_nsfds(const struct sb_holder *h, int fds[ISO_MAX_FDS], size_t *nfds,
		    struct iso_err *err)
{
	struct pollfd pfd = {.events = POLLIN};
	char path[64], comm[32];
	struct stat mine, theirs;
	unsigned long long start;
	int r;

	fds[ISO_FD_MNT] = fds[ISO_FD_PID] = -1;
	/* The pidfd pins the holder from the check to the opens: a holder
	 * that died meanwhile, its pid taken by someone else, would hand
	 * root's login the namespaces of whoever got the number. */
	pfd.fd = (int)syscall(SYS_pidfd_open, h->pid, 0);
	if (pfd.fd < 0) {
		r = iso_err_set(err, -errno, "cannot pin the sandbox holder %d: %s", (int)h->pid,
				strerror(errno));
		goto fail;
	}
	if (sb_proc_start_time(h->pid, &start, comm, sizeof(comm)) < 0 || start != h->start ||
	    strcmp(comm, ISO_HOLDER_COMM) != 0) {
		r = iso_err_set(err, -ESRCH, "the sandbox holder %d went away", (int)h->pid);
		goto fail;
	}
	r = open_ns(h->pid, "mnt", CLONE_NEWNS, &fds[ISO_FD_MNT], err);
	if (r < 0)
		goto fail;
	/* Only hand out a pid namespace that is really the sandbox's own. */
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)h->pid);
	if (stat(path, &theirs) == 0 && stat("/proc/self/ns/pid", &mine) == 0 &&
	    theirs.st_ino != mine.st_ino) {
		r = open_ns(h->pid, "pid", CLONE_NEWPID, &fds[ISO_FD_PID], err);
		if (r < 0)
			goto fail;
	}
	/* Still alive (a pidfd polls readable once its process exited), so
	 * the pid still names it and the opens above were its own. */
	if (poll(&pfd, 1, 0) != 0) {
		r = iso_err_set(err, -ESRCH, "the sandbox holder %d went away", (int)h->pid);
		goto fail;
	}
	iso_close(pfd.fd);
	*nfds = fds[ISO_FD_PID] >= 0 ? 2 : 1;
	return 0;
fail:
	iso_close(pfd.fd);
	iso_close(fds[ISO_FD_MNT]);
	iso_close(fds[ISO_FD_PID]);
	fds[ISO_FD_MNT] = fds[ISO_FD_PID] = -1;
	return r;
}

int sb_holder_nprocs(const struct sb_holder *h)
{
	unsigned long long start;
	char path[64];
	struct stat ref, mine, st;
	const char *ns = "pid";
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)h->pid);
	if (stat(path, &ref) < 0)
		return 0;
	/* a mount-only sandbox has no pid namespace of its own */
	if (stat("/proc/self/ns/pid", &mine) == 0 && mine.st_ino == ref.st_ino) {
		ns = "mnt";
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)h->pid);
		if (stat(path, &ref) < 0)
			return 0;
	}
	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || pid == h->pid)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/ns/%s", pid, ns);
		if (stat(path, &st) < 0 || st.st_ino != ref.st_ino || st.st_dev != ref.st_dev)
			continue;
		/* A zombie still shows its pid namespace: sshd's [priv] closes
		 * the session before it reaps its user child. It runs nothing. */
		if (sb_proc_start_time((pid_t)pid, &start, NULL, 0) == -ESRCH)
			continue;
		n++;
	}
	closedir(d);
	return n;
}

void sb_holder_commit(struct sb_holder *h)
{
	ssize_t n;

	if (h->commit_fd < 0)
		return;
	n = write(h->commit_fd, "c", 1);
	(void)n;
	iso_close(h->commit_fd);
	h->commit_fd = -1;
}

int sb_holder_alive(const struct sb_holder *h)
{
	unsigned long long start;

	return sb_proc_start_time(h->pid, &start, NULL, 0) == 0 && start == h->start;
}

int sb_holder_destroy(int statedir, uid_t uid, const char *key, const struct sb_holder *h)
{
	unsigned long long start;
	struct timespec ts = {0, 10 * 1000000L};
	struct pollfd pfd = {.events = POLLIN};
	int waited = 0, r;

	/* A pidfd pins the process: the SIGKILL cannot hit a recycled pid,
	 * and poll() wakes the moment it exits instead of a sleep loop. */
	pfd.fd = (int)syscall(SYS_pidfd_open, h->pid, 0);
	if (pfd.fd >= 0 && !sb_holder_alive(h)) {
		/* gone already (the pid may even be someone else's now) */
		iso_close(pfd.fd);
		sb_record_remove(statedir, uid, key);
		return 0;
	}
	if (pfd.fd >= 0 && syscall(SYS_pidfd_send_signal, pfd.fd, SIGKILL, NULL, 0) == 0) {
		sb_record_remove(statedir, uid, key);
		/* As init of its pid namespace, the holder finishes dying only
		 * once every task in it is reaped, and sshd's [priv] reaps its
		 * user child only after the close we are part of. So wait
		 * briefly, then report that it is still going (1); the caller
		 * cleans up later. */
		do {
			r = poll(&pfd, 1, HOLDER_STOP_TIMEOUT_MS);
		} while (r < 0 && errno == EINTR);
		iso_close(pfd.fd);
		return r > 0 ? 0 : 1;
	}
	iso_close(pfd.fd);
	/* no pidfds (old kernel, valgrind): signal and poll /proc */
	if (kill(h->pid, SIGKILL) < 0 && errno != ESRCH)
		return -errno;
	sb_record_remove(statedir, uid, key);
	while (sb_proc_start_time(h->pid, &start, NULL, 0) == 0 && start == h->start) {
		if (waited >= HOLDER_STOP_TIMEOUT_MS)
			return 1;
		nanosleep(&ts, NULL);
		waited += 10;
	}
	return 0;
}
