/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Opening isolate.conf: the file and every directory on the way to it must
 * be root's and not writable by anyone else (the helper is setuid root and
 * the file decides how confined users are), walked component by component
 * and opened relative to the last checked directory.
 */
#define _GNU_SOURCE /* O_PATH */
#include "config_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SYMLINKS 40 /* as the kernel's path walk */

/* ---- opening the file ---- */

/* A directory on the way to the config: only root may be able to change
 * what it holds. Sticky directories (/tmp) are world-writable: refused. */
static int check_dir(int fd, const char *shown, const char *path, struct iso_err *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return iso_err_add(err, -errno, "%s: cannot stat directory %s: %s", path, shown,
				   strerror(errno));
	if (st.st_uid != 0)
		return iso_err_add(err, -EPERM,
				   "%s: refusing config in directory %s owned by uid %u (must be "
				   "root)",
				   path, shown, (unsigned int)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return iso_err_add(err, -EPERM,
				   "%s: refusing config in group/world-writable directory %s "
				   "(mode %04o)",
				   path, shown, (unsigned int)(st.st_mode & 07777));
	return 0;
}

static int open_error(const char *path, int e, struct iso_err *err)
{
	if (e == ELOOP)
		return iso_err_add(err, -ELOOP, "%s: refusing config that is a symlink", path);
	return iso_err_add(err, -e, "cannot open %s: %s", path, strerror(e));
}

/*
 * Opens path for check_owner: walks it from "/" one component at a time
 * with O_PATH|O_NOFOLLOW, checking each directory the walk passes through
 * (including the ones holding symlinks, whose targets are walked the same
 * way), then opens the file relative to the last checked directory. There
 * is no window between check and use in which a component can be swapped.
 */
static int open_checked(const char *path, int *out_fd, struct iso_err *err)
{
	char *work = NULL, *tmp = NULL, shown[PATH_MAX];
	int dirfd = -1, fd = -1, nfd, links = 0, r;
	size_t len;
	char *p;

	r = -ENOMEM;
	work = malloc(PATH_MAX);
	tmp = malloc(PATH_MAX);
	if (!work || !tmp)
		goto out;
	if (path[0] == '/') {
		len = (size_t)snprintf(work, PATH_MAX, "%s", path);
	} else {
		if (!getcwd(tmp, PATH_MAX)) {
			r = iso_err_add(err, -errno, "cannot open %s: %s", path, strerror(errno));
			goto out;
		}
		len = (size_t)snprintf(work, PATH_MAX, "%s/%s", tmp, path);
	}
	if (len >= PATH_MAX) {
		r = open_error(path, ENAMETOOLONG, err);
		goto out;
	}
	snprintf(shown, sizeof(shown), "/");
	dirfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		r = open_error(path, errno, err);
		goto out;
	}
	r = check_dir(dirfd, shown, path, err);
	if (r < 0)
		goto out;

	p = work;
	for (;;) {
		char *comp, *end;
		struct stat st;
		bool last;

		while (*p == '/')
			p++;
		comp = p;
		end = p + strcspn(p, "/");
		p = end;
		while (*p == '/')
			p++;
		last = *p == '\0';
		if (*end)
			*end = '\0';
		if (*comp == '\0' || (last && (!strcmp(comp, ".") || !strcmp(comp, "..")))) {
			r = iso_err_add(err, -EISDIR,
					"%s: refusing config that is not a regular "
					"file",
					path);
			goto out;
		}
		if (last) {
			fd = openat(dirfd, comp,
				    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
			if (fd < 0) {
				r = open_error(path, errno, err);
				goto out;
			}
			break;
		}
		if (!strcmp(comp, "."))
			continue;
		nfd = openat(dirfd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 || fstat(nfd, &st) < 0) {
			r = open_error(path, errno, err);
			if (nfd >= 0)
				close(nfd);
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			/* The link lives in a checked directory, so only root
			 * could have made it; walk its target the same way. */
			ssize_t n = readlinkat(nfd, "", tmp, PATH_MAX - 1);

			close(nfd);
			if (n <= 0 || ++links > MAX_SYMLINKS) {
				r = open_error(path, n < 0 ? errno : ELOOP, err);
				goto out;
			}
			tmp[n] = '\0';
			len = strlen(tmp) + 1 + strlen(p);
			if (len >= PATH_MAX) {
				r = open_error(path, ENAMETOOLONG, err);
				goto out;
			}
			strcat(strcat(tmp, "/"), p);
			memcpy(work, tmp, len + 1);
			p = work;
			if (*p == '/') {
				close(dirfd);
				dirfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
				if (dirfd < 0) {
					r = open_error(path, errno, err);
					goto out;
				}
				snprintf(shown, sizeof(shown), "/");
			}
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			close(nfd);
			r = open_error(path, ENOTDIR, err);
			goto out;
		}
		if (!strcmp(comp, "..")) {
			char *slash = strrchr(shown, '/');

			if (slash && slash != shown)
				*slash = '\0';
			else
				snprintf(shown, sizeof(shown), "/");
		} else {
			size_t sl = strlen(shown);

			snprintf(shown + sl, sizeof(shown) - sl, "%s%s",
				 shown[sl - 1] == '/' ? "" : "/", comp);
		}
		close(dirfd);
		dirfd = nfd;
		r = check_dir(dirfd, shown, path, err);
		if (r < 0)
			goto out;
	}
	*out_fd = fd;
	fd = -1;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
	free(work);
	free(tmp);
	return r;
}

/* Opens the file (checked or not), fstat()s it and reads it whole. */
static int read_config(const char *path, bool check_owner, char **out, size_t *outlen,
		       struct iso_err *err)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd = -1, r;

	if (check_owner) {
		r = open_checked(path, &fd, err);
		if (r < 0)
			goto out;
	} else {
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0) {
			r = open_error(path, errno, err);
			goto out;
		}
	}
	if (fstat(fd, &st) < 0) {
		r = iso_err_add(err, -errno, "%s: cannot stat: %s", path, strerror(errno));
		goto out;
	}
	r = -EINVAL;
	if (!S_ISREG(st.st_mode)) {
		r = iso_err_add(err, -EINVAL, "%s: refusing config that is not a regular file",
				path);
		goto out;
	}
	if (check_owner && st.st_uid != 0) {
		r = iso_err_add(err, -EPERM, "%s: refusing config owned by uid %u (must be root)",
				path, (unsigned int)st.st_uid);
		goto out;
	}
	if (check_owner && (st.st_mode & (S_IWGRP | S_IWOTH))) {
		r = iso_err_add(err, -EPERM, "%s: refusing group/world-writable config (mode %04o)",
				path, (unsigned int)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size > ISO_CONFIG_MAX_SIZE) {
		r = iso_err_add(err, -EFBIG, "%s: refusing config larger than %d bytes", path,
				ISO_CONFIG_MAX_SIZE);
		goto out;
	}
	/* Read one byte more than allowed: the file may grow after fstat. */
	buf = malloc(ISO_CONFIG_MAX_SIZE + 2);
	if (!buf) {
		r = iso_err_add(err, -ENOMEM, "%s: out of memory", path);
		goto out;
	}
	while (len < ISO_CONFIG_MAX_SIZE + 1) {
		ssize_t n = read(fd, buf + len, ISO_CONFIG_MAX_SIZE + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = iso_err_add(err, -errno, "%s: read error: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > ISO_CONFIG_MAX_SIZE) {
		r = iso_err_add(err, -EFBIG, "%s: refusing config larger than %d bytes", path,
				ISO_CONFIG_MAX_SIZE);
		goto out;
	}
	if (memchr(buf, '\0', len)) {
		r = iso_err_add(err, -EINVAL, "%s: refusing config that contains a NUL byte", path);
		goto out;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
	r = 0;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return r;
}

int iso_config_load(const char *path, bool check_owner, struct iso_config **out,
		    struct iso_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	iso_err_clear(err);
	if (!path || !out)
		return iso_err_set(err, -EINVAL, "iso_config_load: invalid argument");
	r = read_config(path, check_owner, &buf, &len, err);
	if (r < 0)
		goto out;
	r = parse_text(buf, len, path, out, err);
out:
	free(buf);
	return r;
}

/*
 * Used when the config does not parse, so it cannot rely on libconfuse.
 * The file must pass the same ownership checks as for loading: an
 * on_error = allow written by someone other than root must not release
 * anyone from confinement. A top-level on_config_error is the admin's
 * answer for exactly this case, so it wins over on_error.
 */
enum iso_on_error iso_config_peek_on_error(const char *path)
{
	struct scan sc = {.name = path};
	enum iso_on_error res = ISO_ON_ERROR_DENY;
	size_t len = 0;

	if (!path || read_config(path, true, &sc.t, &len, NULL) < 0)
		return ISO_ON_ERROR_DENY;
	sc.n = len;
	/* Values seen before a lexing problem still count. */
	scan_text(&sc);
	if (sc.on_config_error >= 0 ? sc.on_config_error == ISO_ON_ERROR_ALLOW
				    : sc.on_error == ISO_ON_ERROR_ALLOW)
		res = ISO_ON_ERROR_ALLOW;
	free(sc.t);
	free(sc.hdrs);
	return res;
}

/*
 * Also for a config that does not parse: whether its top-level
 * exempt_users names the user (and no "!user" entry takes it back), so
 * that an admin's exempt accounts are not locked out by a broken edit. The
 * same ownership checks as for loading apply. exempt_groups is not read
 * here: group membership needs the parsed lists.
 */
bool iso_config_peek_exempt_user(const char *path, const char *user)
{
	struct scan sc = {.name = path, .peek_user = user};
	bool res;
	size_t len = 0;

	if (!path || !user || read_config(path, true, &sc.t, &len, NULL) < 0)
		return false;
	sc.n = len;
	scan_text(&sc);
	res = sc.peek_listed && !sc.peek_negated;
	free(sc.t);
	free(sc.hdrs);
	return res;
}
