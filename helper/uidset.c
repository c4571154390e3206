/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include "uidset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int iso_uid_set_add(uid_t **v, size_t *n, uid_t u)
{
	uid_t *nv;
	size_t i;

	for (i = 0; i < *n && (*v)[i] < u; i++)
		;
	if (i < *n && (*v)[i] == u)
		return 0;
	nv = reallocarray(*v, *n + 1, sizeof(**v));
	if (!nv)
		return -ENOMEM;
	memmove(nv + i + 1, nv + i, (*n - i) * sizeof(*nv));
	nv[i] = u;
	*v = nv;
	(*n)++;
	return 0;
}
