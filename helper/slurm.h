/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_SLURM_H
#define ISO_SLURM_H

#include <stddef.h>

/*
 * Sessions that pam_slurm_adopt put into a Slurm job's cgroup (in the
 * account phase, before us): Slurm limits them, and moving them out would
 * take them from the job (its accounting, its limits, its clean-up).
 *
 * iso_slurm_job_in looks for a job cgroup in the text of a
 * /proc/PID/cgroup file: a path with a "job_<n>" component below one
 * named "slurm" (cgroup/v1 plugin: /slurm/uid_U/job_N/step_S) or one whose
 * name holds "slurmstepd" (cgroup/v2 plugin:
 * /system.slice/slurmstepd.scope/job_N/...; NODE_slurmstepd.scope with
 * several slurmd on a host). Returns 1 and copies the job number and the
 * path (cut to their sizes) when found, 0 when not.
 */
int iso_slurm_job_in(const char *cgroup_text, char *job, size_t joblen, char *path, size_t pathlen);

/* The same for our own cgroups, /proc/self/cgroup: the helper's are its
 * caller's, as it was forked by it and moved nowhere yet. 1, 0 or -errno. */
int iso_slurm_job_self(char *job, size_t joblen, char *path, size_t pathlen);

#endif
