/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_PROCFS_H
#define ISO_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

/* The fields of /proc/PID/stat that the helper and isolatectl use. */
struct iso_proc_stat {
	char comm[32];
	char state;		  /* R S D Z X ... */
	unsigned long tty_nr;	  /* field 7: controlling terminal, 0 = none */
	unsigned long flags;	  /* field 9: PF_* */
	unsigned long long start; /* field 22: start time in clock ticks */
};

/* Reads /proc/PID/stat. The comm may hold spaces and parentheses: fields
 * are counted from the last ')'. -ENOENT/-ESRCH when the process is gone;
 * a zombie is returned with state 'Z'. */
int iso_proc_stat(pid_t pid, struct iso_proc_stat *out);

#endif
