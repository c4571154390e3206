/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory limits, v1 and v2, in one place because both share the rule that
 * matters most: never set a hard limit below what the user's cgroup uses
 * now. The kernel would reclaim, fail the write with EBUSY (v1) or OOM-kill
 * in the group (v2) — a login taking down the user's running jobs. We clamp
 * to the usage, say so, and the configured value applies at a later login
 * once usage is below it (limits are re-applied at every open).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_internal.h"
#include "fsutil.h"

#define PAGE 4096

struct mem_files {
	const char *current, *max, *high, *swap, *unlimited;
};

static const struct mem_files v1_files = {"memory.usage_in_bytes", "memory.limit_in_bytes",
					  "memory.soft_limit_in_bytes",
					  "memory.memsw.limit_in_bytes", "-1"};
static const struct mem_files v2_files = {"memory.current", "memory.max", "memory.high",
					  "memory.swap.max", "max"};

static void fmt(int64_t v, const char *unlimited, char *buf, size_t len)
{
	if (v == ISO_MAX)
		snprintf(buf, len, "%s", unlimited);
	else
		snprintf(buf, len, "%lld", (long long)v);
}

/* The hard limit to write: the configured one, or the usage rounded up to
 * a page when the usage is above it. */
static int64_t clamped_max(struct cg_engine *e, int fd, const struct mem_files *f, int64_t max)
{
	char buf[64], *end;
	long long used;

	if (max == ISO_MAX || max == ISO_UNSET)
		return max;
	if (iso_read_file_at(fd, f->current, buf, sizeof(buf)) <= 0)
		return max; /* a new cgroup has no usage file to fear */
	errno = 0;
	used = strtoll(buf, &end, 10);
	if (errno || end == buf || used <= max)
		return max;
	used = (used + PAGE - 1) / PAGE * PAGE;
	e->mem_clamped_from = max;
	e->mem_clamped_to = used;
	return used;
}

int cg_memory_apply(struct cg_engine *e, int fd, const char *path, const struct iso_limits *lim,
		    struct iso_err *err)
{
	const struct mem_files *f = e->version == CG_V1 ? &v1_files : &v2_files;
	int64_t max;
	char val[32];
	int r = 0;

	e->mem_clamped_from = e->mem_clamped_to = 0;
	max = clamped_max(e, fd, f, lim->memory_max);
	if (e->version == CG_V1 && lim->swap_max != ISO_UNSET && lim->swap_max != ISO_MAX &&
	    (lim->memory_max == ISO_UNSET || lim->memory_max == ISO_MAX))
		return iso_err_set(err, -EINVAL,
				   "swap_max needs a memory_max on cgroup v1 (%s limits memory "
				   "plus swap together)",
				   f->swap);
	/* v1 refuses memory.limit_in_bytes above memsw.limit_in_bytes: lift
	 * memsw first, then set both in order. */
	if (e->version == CG_V1 && lim->swap_max != ISO_UNSET) {
		r = cg_write(e, fd, path, f->swap, "-1", err);
		if (r < 0)
			return r;
	}
	if (max != ISO_UNSET) {
		fmt(max, f->unlimited, val, sizeof(val));
		r = cg_write(e, fd, path, f->max, val, err);
		if (r < 0)
			return r;
	}
	if (lim->memory_high != ISO_UNSET) {
		fmt(lim->memory_high, f->unlimited, val, sizeof(val));
		r = cg_write(e, fd, path, f->high, val, err);
		if (r < 0)
			return r;
	}
	if (lim->swap_max != ISO_UNSET) {
		int64_t v = lim->swap_max;

		if (e->version == CG_V1 && v != ISO_MAX)
			v = max + v; /* memsw = memory + swap */
		fmt(v, f->unlimited, val, sizeof(val));
		r = cg_write(e, fd, path, f->swap, val, err);
	}
	return r;
}

bool cg_memory_clamped(const struct cg_engine *e, int64_t *configured, int64_t *applied)
{
	if (e->mem_clamped_to == 0)
		return false;
	*configured = e->mem_clamped_from;
	*applied = e->mem_clamped_to;
	return true;
}
