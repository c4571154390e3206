/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_FSUTIL_H
#define ISO_FSUTIL_H

/*
 * Directory-fd based file access for privileged code. Every call is
 * relative to a directory fd and refuses symlinks (O_NOFOLLOW, or
 * AT_SYMLINK_NOFOLLOW); every fd is O_CLOEXEC. All return 0 (or a byte
 * count) or -errno.
 */

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Opens name below dirfd as O_PATH|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC. */
int iso_open_dir_at(int dirfd, const char *name, int *out);

/* mkdirat(name, mode) then verifies it is a real directory owned by
 * `owner` (pass (uid_t)-1 to skip); an existing directory is fine. */
int iso_mkdir_at(int dirfd, const char *name, mode_t mode, uid_t owner);

/* Writes data to an existing file (O_WRONLY|O_NOFOLLOW|O_CLOEXEC) in one
 * write(2), as cgroupfs wants; with create, O_CREAT|O_TRUNC mode 0644
 * (fake trees in unit tests, state files). */
int iso_write_file_at(int dirfd, const char *name, const char *data, bool create);

/* Reads at most len-1 bytes, NUL-terminates, strips one trailing newline.
 * Returns the length read. */
ssize_t iso_read_file_at(int dirfd, const char *name, char *buf, size_t len);

/* Opens a regular file below dirfd with flags | O_NOFOLLOW | O_CLOEXEC |
 * O_NOCTTY | O_NONBLOCK (a planted FIFO cannot block the open)
 * and checks it is a regular file. Added for streaming reads of
 * cgroup.procs, whose size is not bounded. */
int iso_open_file_at(int dirfd, const char *name, int flags, int *out);

/* Opens the directory name below dirfd for listing (O_RDONLY|O_DIRECTORY|
 * O_NOFOLLOW|O_CLOEXEC, then fdopendir). "." lists dirfd itself, which
 * may be an O_PATH fd. */
int iso_opendir_at(int dirfd, const char *name, DIR **out);

/*
 * Per-user directories below a shared one (/tmp, /var/tmp), as
 * pam_namespace's polyinstantiation and systemd's PrivateTmp make them.
 * iso_instance_root_open opens <parent>/<name>, a root:root 0700 dir,
 * making it when missing; parent must be root's and sticky if others may
 * write it. A symlink, a file or a dir not root's there is swapped for a
 * new dir in one RENAME_EXCHANGE and left under a random name (sq says
 * which and whose it was; the caller logs it). iso_instance_open opens
 * <root>/<uid>, a root:root 01777 dir like /tmp itself, the same way.
 * Both give an O_RDONLY directory fd.
 */
struct iso_squat {
	int moved;	/* entries renamed aside */
	uid_t owner;	/* the last one's owner */
	char aside[64]; /* and its new name */
};
int iso_instance_root_open(const char *parent, const char *name, struct iso_squat *sq, int *out);
int iso_instance_open(int rootfd, uid_t uid, struct iso_squat *sq, int *out);

/* snprintf that returns -ENAMETOOLONG on truncation instead of cutting. */
int iso_snprintf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* close() that keeps errno and ignores -1; never retried on EINTR. */
void iso_close(int fd);

#endif
