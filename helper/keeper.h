/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_KEEPER_H
#define ISO_KEEPER_H

#include <sys/types.h>

/* What the holder's keeper needs to tidy up after it. */
struct sb_keeper_info {
	uid_t uid;
	char key[48];	   /* the sandbox's key: "user" or "s-<sid>" */
	char root[64];	   /* cgroup_root */
	unsigned ctrls;	   /* managed controllers ("" when none) */
	int idle_teardown; /* end the sandbox once no session leaf is live */
};

/*
 * The keeper's life once its holder is ready: every 2 s it looks whether
 * the sandbox is idle (no session leaf of the user holds a process: every
 * process of a per-user sandbox descends from a session's PAM process)
 * and, when info->idle_teardown is set, ends it under the user lock, as a
 * close would (pam_isolate(8): a kept sandbox goes once its last process
 * has ended). Once the holder is gone, by its end or anyone's kill, it
 * reaps it, drops its record if it is still the holder's, removes its
 * leaf and an empty user tree. Returns when the holder is reaped.
 */
void sb_keeper_watch(pid_t holder, const struct sb_keeper_info *info);

#endif
