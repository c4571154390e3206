/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The session_max_time watcher. It runs as root in the host's namespaces,
 * detached from the helper (double fork, own session) and from the PAM
 * application: the login returns at once. The session is found through its
 * cgroup leaf, never through pids saved earlier, so a recycled pid is never
 * signalled: only processes listed in the leaf's cgroup.procs are.
 */
#define _GNU_SOURCE
#include "timer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "fsutil.h"
#include "hygiene.h"
#include "iso_names.h"
#include "procfs.h"
#include "lock.h"
#include "sandbox.h"
#include "tidy.h"

#define WARN_BEFORE_S 60
#define POLL_MS	      500
#define MAX_TTYS      16

static void nap_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Controlling terminal of pid, 0 if none. */
static dev_t proc_tty(pid_t pid)
{
	struct iso_proc_stat st;

	return iso_proc_stat(pid, &st) == 0 ? (dev_t)st.tty_nr : 0;
}

/* The device node of a terminal number: pts (majors 136..143) or a
 * virtual console (major 4). Others are not written to. */
static int tty_path(dev_t dev, char *buf, size_t len)
{
	unsigned maj = major(dev), min = minor(dev);

	if (maj >= 136 && maj <= 143)
		return iso_snprintf(buf, len, "/dev/pts/%u", (maj - 136) * 256 + min);
	if (maj == 4 && min < 64)
		return iso_snprintf(buf, len, "/dev/tty%u", min);
	return -ENODEV;
}

static void warn_tty(dev_t dev, const char *msg)
{
	char path[64];
	struct stat st;
	ssize_t n;
	int fd;

	if (tty_path(dev, path, sizeof(path)) < 0)
		return;
	/* O_NOCTTY: never become its controlling process; the rdev check
	 * makes sure the node is the terminal the session uses. */
	fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == dev) {
		n = write(fd, msg, strlen(msg));
		(void)n;
	}
	iso_close(fd);
}

struct tty_set {
	dev_t dev[MAX_TTYS];
	int n;
};

static int collect_tty(pid_t pid, void *arg)
{
	struct tty_set *t = arg;
	dev_t d = proc_tty(pid);
	int i;

	if (!d)
		return 0;
	for (i = 0; i < t->n; i++)
		if (t->dev[i] == d)
			return 0;
	if (t->n < MAX_TTYS)
		t->dev[t->n++] = d;
	return 0;
}

/* After the kill: the PAM application died with the session, so its
 * close will never come. Do what close does: drop the leaf, and the
 * sandbox too when nothing else of the user runs in it. */
static void cleanup(struct cg_engine *cg, int statedir, uid_t uid, const char *leaf)
{
	struct sb_holder h;
	char key[SB_KEY_MAX], sid[ISO_SID_LEN + 1];
	const char *holder_leaf = NULL;
	int lockfd, live = 0, round;

	for (round = 0; round < 100 && cg_leaf_nprocs(cg, uid, leaf) > 0; round++)
		nap_ms(20);
	if (iso_user_lock(statedir, uid, ISO_LOCK_WAIT_MS, &lockfd, NULL) < 0)
		return;
	cg_leaf_remove(cg, uid, leaf, NULL);
	cg_user_gc(cg, uid, &live, NULL);
	/* the session's own sandbox, if it had one: its id is the leaf's,
	 * "session-<sid>", or "left-<sid>" once its session closed and the
	 * watcher followed what it left */
	if (iso_leaf_sid(leaf, sid, sizeof(sid)) == 0 &&
	    iso_name_sandbox_key(key, sizeof(key), sid) == 0 &&
	    sb_holder_find(statedir, uid, key, &h) == 0)
		sb_holder_destroy(statedir, uid, key, &h);
	if (sb_holder_find(statedir, uid, ISO_KEY_USER, &h) == 0 && live == 0 &&
	    sb_holder_nprocs(&h) == 0 && sb_holder_destroy(statedir, uid, ISO_KEY_USER, &h) == 0)
		holder_leaf = "holder";
	iso_user_tidy(cg, statedir, uid, holder_leaf, lockfd, &live, NULL);
}

static void watch(struct cg_engine *cg, int statedir, uid_t uid, const char *user, const char *leaf,
		  int64_t seconds)
{
	long long deadline = iso_now_ms() + seconds * 1000;
	char left[64], sid[ISO_SID_LEN + 1];
	long long warn_at = deadline - WARN_BEFORE_S * 1000;
	int warned = 0, round;

	for (;;) {
		long long t = iso_now_ms();

		if (!warned && t >= warn_at) {
			struct tty_set ttys = {.n = 0};
			char msg[256];
			int i;

			if (cg_leaf_each(cg, uid, leaf, collect_tty, &ttys) == -ENOENT)
				return;
			snprintf(msg, sizeof(msg),
				 "\r\npam_isolate: this session reaches its time limit "
				 "(session_max_time) in %lld s and will then be ended.\r\n",
				 deadline > t ? (deadline - t + 999) / 1000 : 0);
			for (i = 0; i < ttys.n; i++)
				warn_tty(ttys.dev[i], msg);
			warned = 1;
		}
		if (t >= deadline)
			break;
		nap_ms(deadline - t < POLL_MS ? deadline - t : POLL_MS);
		if (cg_leaf_each(cg, uid, leaf, NULL, NULL) == -ENOENT) {
			/* closed, but what it left runs on as "left-<sid>":
			 * session_max_time still ends it */
			if (iso_leaf_kind(leaf) != ISO_LEAF_SESSION ||
			    iso_leaf_sid(leaf, sid, sizeof(sid)) < 0 ||
			    iso_name_left_leaf(left, sizeof(left), sid) < 0 ||
			    cg_leaf_each(cg, uid, left, NULL, NULL) == -ENOENT)
				return; /* the session closed in time */
			leaf = left;
		}
	}
	syslog(LOG_NOTICE,
	       "session user=%s leaf=%s: session_max_time of %lld s reached; "
	       "killing its processes",
	       user, leaf, (long long)seconds);
	/* Forks may outrun one sweep; a bounded number of rounds. Each
	 * pid is pinned and re-checked to be in the leaf (cg_leaf_kill). */
	for (round = 0; round < 50; round++) {
		if (cg_leaf_kill(cg, uid, leaf) < 0 || cg_leaf_nprocs(cg, uid, leaf) <= 0)
			break;
		nap_ms(20);
	}
	cleanup(cg, statedir, uid, leaf);
}

int iso_timer_start(struct cg_engine *cg, unsigned ctrls, int statedir, uid_t uid, const char *user,
		    const char *leaf, int64_t seconds, int sock_fd, int lock_fd,
		    struct iso_err *err)
{
	int r = iso_daemon_fork(cg, ctrls, err);

	if (r < 0) {
		iso_err_prefix(err, "cannot start the session_max_time watcher: ");
		return r;
	}
	if (r == 0)
		return 0;
	/* The watcher must not hold the protocol socket (the module waits
	 * for it to close) nor the user lock (flock belongs to the open
	 * file, which our copy of the fd would keep held). */
	iso_close(sock_fd);
	iso_close(lock_fd);
	watch(cg, statedir, uid, user, leaf, seconds);
	iso_daemon_exit();
}
