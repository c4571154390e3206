/* SPDX-License-Identifier: BSD-3-Clause */
/* Which backend a request uses (backend.h). */
#include "session_internal.h"

#include <syslog.h>

/* Tried in order; cgroupfs takes what none of them claims. */
static const struct iso_backend_ops *const claimants[] = {&iso_backend_systemd};

int iso_backend_pick(struct iso_sess *c)
{
	enum iso_backend want = c->cfg ? c->cfg->cgroup_backend : ISO_BACKEND_AUTO;
	char why[400] = "";
	size_t i;
	int r = 0;

	c->be = &iso_backend_cgroupfs;
	if (want == ISO_BACKEND_CGROUPFS || (c->req->op == ISO_OP_CLOSE && c->req->origin[0]))
		return 0;
	for (i = 0; i < sizeof(claimants) / sizeof(claimants[0]); i++) {
		r = claimants[i]->claim(c, want, why, sizeof(why));
		if (r < 0)
			return r;
		if (r > 0) {
			c->be = claimants[i];
			break;
		}
	}
	if (c->req->op == ISO_OP_OPEN)
		syslog(LOG_INFO, "open user=%s: cgroup backend %s (%s)", c->req->user, c->be->name,
		       why);
	return 0;
}
