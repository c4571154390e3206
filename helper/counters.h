/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_COUNTERS_H
#define ISO_COUNTERS_H

/*
 * Per-host counters of what the helper did, for `isolatectl metrics`:
 * opens by result, closes, refusals (denied opens) and errors (any
 * failure, also one that on_error allowed) by class. They live in
 * ISO_RUNDIR/ISO_COUNTERS_FILE, root's 0600 file of "name value" lines,
 * rewritten under flock. A tmpfs: they start again at 0 on boot, which
 * is how Prometheus counters reset.
 */

#include "proto.h"

#define ISO_COUNTERS_FILE "counters"

/* Counts one finished request by its reply. Returns 0 or -errno; a
 * failure only costs the count (the caller logs nothing: the session
 * outcome must not depend on bookkeeping). */
int iso_counters_note(const char *rundir, const struct iso_request *req,
		      const struct iso_reply *rep);

#endif
