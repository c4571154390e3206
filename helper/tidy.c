/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include "tidy.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "cgroup.h"
#include "iso_names.h"
#include "lock.h"

int iso_user_left(struct cg_engine *cg, int statedir, uid_t uid)
{
	char buf[16], name[96];
	unsigned bit;
	int left = 0;

	/* -ENOENT: no such hierarchy or no user dir in it */
	for (bit = 1; cg && bit <= CG_MEMORY && !left; bit <<= 1)
		if (cg_read(cg, bit, uid, "", "cgroup.procs", buf, sizeof(buf)) != -ENOENT)
			left = ISO_LEFT_TREE;
	if (iso_name_record(name, sizeof(name), uid, ISO_KEY_USER) < 0 ||
	    faccessat(statedir, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		left |= ISO_LEFT_RECORD;
	return left;
}

int iso_user_tidy(struct cg_engine *cg, int statedir, uid_t uid, const char *leaf, int lockfd,
		  int *live, struct iso_err *err)
{
	int left;

	*live = 0;
	if (cg && leaf)
		(void)cg_leaf_remove(cg, uid, leaf, NULL);
	if (cg)
		(void)cg_user_gc(cg, uid, live, err);
	left = iso_user_left(cg, statedir, uid);
	iso_user_unlock(statedir, uid, lockfd, left == 0);
	return left;
}
