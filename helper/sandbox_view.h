/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_SANDBOX_VIEW_H
#define ISO_SANDBOX_VIEW_H

/*
 * What the sandbox shows of the machine (proc_view): lxcfs's files bound
 * over /proc/{cpuinfo,meminfo,stat,loadavg,uptime,swaps,diskstats} and
 * /sys/devices/system/cpu/online, or, where lxcfs does not answer or does
 * not show the CPU quota, our own /proc/cpuinfo and cpu/online listing
 * cpu_quota's whole CPUs.
 */

#include <stddef.h>

#include "isolate_config.h"

enum sb_view_got {
	SB_VIEW_NONE = 0,
	SB_VIEW_LXCFS = 1,	/* lxcfs's files, CPU count included */
	SB_VIEW_LXCFS_CPUS = 2, /* lxcfs's files, our CPU files over them */
	SB_VIEW_CPUS = 3,	/* our CPU files only */
};

/* "none", "lxcfs", "lxcfs+cpus", "cpus" */
const char *sb_view_name(enum sb_view_got v);

/*
 * In the holder, in its own mount namespace, after the sandbox's /proc is
 * mounted and before the user namespace (which locks these mounts).
 * statedir: the helper's state dir (root 0700), where our CPU files are
 * written, bound and unlinked again. Never fails the sandbox: a view it
 * cannot give is left out and said in note (for the helper's log).
 */
enum sb_view_got sb_view_mount(const struct iso_limits *lim, int statedir, char *note,
			       size_t notelen);

#endif
