/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_CG_TEST_UTIL_H
#define ISO_CG_TEST_UTIL_H

/* What the cgroup engine's unit tests share: reading back what the engine
 * wrote, and the I/O table of the fake trees (plain directories in a temp
 * dir that imitate cgroupfs; never linked into the helper). */

#include <stdbool.h>

#include "cgroup_internal.h"

/* Contents of a file without its newline, or "<none>" if absent (a
 * static buffer: valid until the next call). */
const char *cgt_get(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Whether the path exists (lstat). */
bool cgt_exists(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Fake trees: any directory passes as cgroupfs, control files are created
 * on first write, a "+ctrl" written to cgroup.subtree_control is added to
 * the list as the kernel shows it ("cpu pids"), a missing
 * cgroup.subtree_control or cgroup.controllers reads as empty, and rmdir
 * refuses (EBUSY) while cgroup.procs lists a pid or a child cgroup exists,
 * then removes the control files with the directory.
 */
extern const struct cg_io cgt_fake_io;

#endif
