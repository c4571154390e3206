/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_PROCFS_H
#define ISO_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

/* The fields of /proc/PID/stat that the helper and isolatectl use. */
struct iso_proc_stat {
	char comm[32];
	char state;		  /* R S D Z X ... */
	pid_t ppid;		  /* field 4 */
	unsigned long tty_nr;	  /* field 7: controlling terminal, 0 = none */
	unsigned long flags;	  /* field 9: PF_* */
	unsigned long long start; /* field 22: start time in clock ticks */
};

/* Reads /proc/PID/stat. The comm may hold spaces and parentheses: fields
 * are counted from the last ')'. -ENOENT/-ESRCH when the process is gone;
 * a zombie is returned with state 'Z'. */
int iso_proc_stat(pid_t pid, struct iso_proc_stat *out);

/* Whether we run in the initial pid namespace: 1 yes, 0 no (inside a
 * sandbox, a container), -EXDEV when /proc is not even the procfs of our
 * own pid namespace. Pids (holder records, kills, PIDs sent to systemd)
 * are only acted on when it is 1: a pid recorded in one numbering names
 * another process in the next. */
int iso_pidns_is_initial(void);

#endif
