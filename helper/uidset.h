/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_UIDSET_H
#define ISO_UIDSET_H

#include <stddef.h>
#include <sys/types.h>

/* Adds u to the ascending, duplicate-free array *v of *n uids (grown with
 * reallocarray; the caller frees it). 0 or -ENOMEM. */
int iso_uid_set_add(uid_t **v, size_t *n, uid_t u);

#endif
