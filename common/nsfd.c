/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include "nsfd.h"

#include <errno.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <unistd.h>

int iso_nsfd_check(int nsfd, int nstype)
{
	uid_t owner = (uid_t)-1;
	int type, ufd, r = 0;

	type = ioctl(nsfd, NS_GET_NSTYPE);
	if (type < 0)
		return -errno;
	if (type != nstype)
		return -EINVAL;
	ufd = ioctl(nsfd, NS_GET_USERNS);
	if (ufd < 0)
		return -errno;
	if (ioctl(ufd, NS_GET_OWNER_UID, &owner) < 0)
		r = -errno;
	else if (owner != 0)
		r = -EPERM;
	close(ufd);
	return r;
}
