/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_SANDBOX_INTERNAL_H
#define ISO_SANDBOX_INTERNAL_H

/* Between sandbox.c (the holder) and sandbox_record.c (its record). */

#include <sys/types.h>

#include "sandbox.h"

/* Start time of a live (not zombie) process, and its name (comm may be
 * NULL). -ESRCH for a zombie. */
int sb_proc_start_time(pid_t pid, unsigned long long *start, char *comm, size_t commlen);

/* Writes the record of uid/key for h (atomically, by rename). */
int sb_record_write(int statedir, uid_t uid, const char *key, const struct sb_holder *h);
void sb_record_remove(int statedir, uid_t uid, const char *key);

/* The holder's private /tmp and /var/tmp (private_tmp = disk or tmpfs,
 * else nothing) and /dev/shm (private_shm); *what names a failed step.
 * sandbox_tmp.c. */
int sb_mount_private_tmp(const struct iso_limits *lim, uid_t uid, const char **what);
int sb_mount_private_shm(const struct iso_limits *lim);

#endif
