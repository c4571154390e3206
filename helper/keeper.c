/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sandbox's keeper after start-up (see keeper.h). It runs as root in
 * the host's namespaces, detached, in <root>/daemons; it opens the state
 * dir and the cgroup hierarchies again by path only when it needs them, so
 * it holds no fd of the helper that started it.
 */
#define _GNU_SOURCE
#include "keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "cgroup.h"
#include "fsutil.h"
#include "iso_names.h"
#include "lock.h"
#include "procfs.h"
#include "sandbox.h"
#include "tidy.h"

#define IDLE_CHECK_MS 2000
/* the user lock is only tried: a busy lock is a session being opened or
 * closed, and that call sees the sandbox itself */
#define LOCK_TRY_MS 100

struct keeper {
	const struct sb_keeper_info *info;
	pid_t holder;
	char record[64]; /* "pid start" as the helper wrote it */
	int statedir;
	struct cg_engine *cg;
};

static int open_state(struct keeper *k)
{
	if (k->statedir >= 0)
		return 0;
	return iso_state_open(ISO_RUNDIR, &k->statedir, NULL);
}

static int open_cgroups(struct keeper *k)
{
	struct cg_layout layout;

	if (k->cg || !k->info->ctrls)
		return k->cg ? 0 : -ENOENT;
	if (cg_layout_detect("/proc/self/mountinfo", &layout, NULL) < 0)
		return -ENOENT;
	return cg_open(&layout, k->info->root, &k->cg, NULL);
}

static void record_name(const struct keeper *k, char *buf, size_t len)
{
	(void)iso_name_record(buf, len, k->info->uid, k->info->key);
}

/* The record still names our holder (the helper wrote it after we
 * reported): then it is ours to drop. */
static int record_is_ours(struct keeper *k)
{
	char name[96], buf[64];
	size_t len;

	record_name(k, name, sizeof(name));
	if (iso_read_file_at(k->statedir, name, buf, sizeof(buf)) <= 0)
		return 0;
	buf[strcspn(buf, "\n")] = '\0';
	/* "pid start", then the mount namespace's inode (sandbox_record.c) */
	len = strlen(k->record);
	return len && strncmp(buf, k->record, len) == 0 && (buf[len] == '\0' || buf[len] == ' ');
}

/* Under the user lock: the record, the holder's leaf, an empty tree, and
 * the lock file when nothing of the user is left. */
static void tidy(struct keeper *k, int lockfd)
{
	char name[96], leaf[64];
	int live = 0;

	if (record_is_ours(k)) {
		record_name(k, name, sizeof(name));
		sb_record_drop(k->statedir, name);
	}
	(void)iso_name_holder_leaf(leaf, sizeof(leaf), k->info->key);
	iso_user_tidy(open_cgroups(k) == 0 ? k->cg : NULL, k->statedir, k->info->uid, leaf, lockfd,
		      &live, NULL);
}

/* Idle: no session leaf and no leftover job of the user holds a process. */
static int idle(struct keeper *k)
{
	int live = 0;

	if (open_cgroups(k) < 0)
		return 0;
	return cg_user_gc(k->cg, k->info->uid, &live, NULL) == 0 && live == 0 &&
	       cg_user_leftovers(k->cg, k->info->uid) == 0;
}

void sb_keeper_watch(pid_t holder, const struct sb_keeper_info *info)
{
	struct keeper k = {.info = info, .holder = holder, .statedir = -1};
	struct iso_proc_stat st;
	struct pollfd pfd = {.events = POLLIN};
	int lockfd = -1, r;

	if (iso_proc_stat(holder, &st) == 0)
		snprintf(k.record, sizeof(k.record), "%d %llu", (int)holder, st.start);
	pfd.fd = (int)syscall(SYS_pidfd_open, holder, 0);
	for (;;) {
		if (pfd.fd >= 0) {
			do {
				r = poll(&pfd, 1, IDLE_CHECK_MS);
			} while (r < 0 && errno == EINTR);
		} else {
			r = waitpid(holder, NULL, WNOHANG) == holder ? 1 : 0;
			if (!r)
				usleep(IDLE_CHECK_MS * 1000);
		}
		if (r > 0)
			break; /* the holder exited */
		if (!info->idle_teardown || open_state(&k) < 0 || !record_is_ours(&k))
			continue;
		/* only under the lock: idle() runs gc, which removes empty
		 * leaves, and an open makes its leaf empty before it moves its
		 * caller in */
		if (iso_user_lock(k.statedir, info->uid, LOCK_TRY_MS, &lockfd, NULL) < 0)
			continue;
		if (!record_is_ours(&k) || !idle(&k)) {
			iso_user_unlock(k.statedir, info->uid, lockfd, false);
			lockfd = -1;
			continue;
		}
		syslog(LOG_INFO,
		       "keeper uid=%u: sandbox %s idle (its last process ended); removed "
		       "(on_logout=keep)",
		       (unsigned)info->uid, info->key);
		if (pfd.fd >= 0)
			(void)syscall(SYS_pidfd_send_signal, pfd.fd, SIGKILL, NULL, 0);
		else
			kill(holder, SIGKILL);
		break;
	}
	while (waitpid(holder, NULL, 0) < 0 && errno == EINTR)
		;
	iso_close(pfd.fd);
	/* the holder is reaped, its pid namespace gone */
	if (open_state(&k) == 0) {
		if (lockfd < 0 && iso_user_lock(k.statedir, info->uid, 5000, &lockfd, NULL) < 0)
			lockfd = -1;
		if (lockfd >= 0)
			tidy(&k, lockfd);
	}
	cg_close(k.cg);
	iso_close(k.statedir);
}
