/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_SLURM_H
#define ISO_SLURM_H

#include <stddef.h>

#include <sys/types.h>

/*
 * Sessions that pam_slurm_adopt put into a Slurm job's cgroup (in the
 * account phase, before us): Slurm limits them, and moving them out would
 * take them from the job (its accounting, its limits, its clean-up).
 *
 * iso_slurm_job_in looks for one of the user's Slurm job cgroups in the
 * text of a /proc/PID/cgroup file, anchored at the hierarchy's root,
 * where only root makes directories: the cgroup/v2 plugin's
 * /system.slice/[NODE_]slurmstepd.scope/job_N/... and the cgroup/v1
 * plugin's /slurm[_NODE]/uid_UID/job_N/... (UID the user's). A job_N
 * below a user's delegated subtree (user@.service) is no job. Returns 1
 * and copies the job number and the path (cut to their sizes) when found,
 * 0 when not.
 */
int iso_slurm_job_in(const char *cgroup_text, uid_t uid, char *job, size_t joblen, char *path,
		     size_t pathlen);

/* The same for our own cgroups, /proc/self/cgroup: the helper's are its
 * caller's, as it was forked by it and moved nowhere yet. 1, 0 or -errno. */
int iso_slurm_job_self(uid_t uid, char *job, size_t joblen, char *path, size_t pathlen);

#endif
