/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_NSFD_H
#define ISO_NSFD_H

/* Before anyone setns()es into a namespace fd: it is a namespace of the
 * type asked for (CLONE_NEWNS, CLONE_NEWPID), and the user namespace that
 * owns it was created by uid 0 (NS_GET_USERNS, NS_GET_OWNER_UID). A
 * namespace a user made (unshare -U) is refused: joining its mount
 * namespace would hand root's login to mounts that user controls.
 * Returns 0 or -errno (-EPERM: owned by another uid, -EINVAL: wrong
 * type). */
int iso_nsfd_check(int nsfd, int nstype);

#endif
