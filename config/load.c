/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Opening isolate.conf: the file and every directory on the way to it must
 * be root's and not writable by anyone else (the helper is setuid root and
 * the file decides how confined users are), walked component by component
 * and opened relative to the last checked directory; none of them may be a
 * symlink.
 */
#define _GNU_SOURCE /* O_PATH */
#include "config_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Why a link is refused, and what to do instead, for every such error. */
#define NO_LINKS                                                                                   \
	"the helper follows no symlink to its config (isolate.conf(5)); install the "              \
	"file itself"

static int open_error(const char *path, int e, struct iso_err *err)
{
	if (e == ELOOP)
		return iso_err_add(err, -ELOOP,
				   "%s: refusing config that is a symlink: " NO_LINKS
				   " (a configuration tool can copy it there instead of linking)",
				   path);
	return iso_err_add(err, -e, "cannot open %s: %s", path, strerror(e));
}

/*
 * Opens path for check_owner: walks it from "/" one component at a time
 * with O_PATH|O_NOFOLLOW, checking each directory it passes through, then
 * opens the file relative to the last checked directory. There is no
 * window between check and use in which a component can be swapped.
 *
 * No component may be a symlink, as OpenDoas has it for doas.conf:
 * following one would mean walking and checking its target the same way,
 * a second path resolution with its own bounds, for a layout that common
 * systems do not have (Debian, Fedora, Arch and SUSE ship /etc and
 * /etc/security as real root directories). A link is refused with what
 * to do instead.
 */
static int open_checked(const char *path, int *out_fd, struct iso_err *err)
{
	char *work, shown[PATH_MAX];
	int dirfd = -1, fd = -1, nfd, r;
	size_t len = 0;
	char *p;

	work = malloc(PATH_MAX);
	if (!work)
		return -ENOMEM;
	/* getcwd() has no links: a relative path is walked from it. */
	if (path[0] != '/') {
		if (!getcwd(work, PATH_MAX)) {
			r = iso_err_add(err, -errno, "cannot open %s: %s", path, strerror(errno));
			goto out;
		}
		len = strlen(work);
	}
	if ((size_t)snprintf(work + len, PATH_MAX - len, "%s%s", len ? "/" : "", path) >=
	    PATH_MAX - len) {
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
	for (p = work; r == 0;) {
		char *comp = p + strspn(p, "/");
		struct stat st;
		size_t sl;

		p = comp + strcspn(comp, "/");
		if (*p)
			*p++ = '\0';
		p += strspn(p, "/");
		if (*p == '\0') {
			/* The last component: the file itself. */
			if (*comp == '\0' || !strcmp(comp, ".") || !strcmp(comp, "..")) {
				r = iso_err_add(err, -EISDIR,
						"%s: refusing config that is not a regular file",
						path);
				break;
			}
			fd = openat(dirfd, comp,
				    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
			r = fd < 0 ? open_error(path, errno, err) : 0;
			break;
		}
		if (!strcmp(comp, "."))
			continue;
		nfd = openat(dirfd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 || fstat(nfd, &st) < 0) {
			r = open_error(path, errno, err);
			if (nfd >= 0)
				close(nfd);
			break;
		}
		close(dirfd);
		dirfd = nfd;
		if (!strcmp(comp, "..")) {
			char *slash = strrchr(shown, '/');

			*(slash && slash != shown ? slash : shown + 1) = '\0';
		} else {
			sl = strlen(shown);
			snprintf(shown + sl, sizeof(shown) - sl, "%s%s",
				 shown[sl - 1] == '/' ? "" : "/", comp);
		}
		if (S_ISLNK(st.st_mode))
			r = iso_err_add(
				err, -ELOOP,
				"%s: refusing config: %s on its path is a symlink: " NO_LINKS
				" at a path without links, or name that path",
				path, shown);
		else if (!S_ISDIR(st.st_mode))
			r = open_error(path, ENOTDIR, err);
		else
			r = check_dir(dirfd, shown, path, err);
	}
	if (r == 0) {
		*out_fd = fd;
		fd = -1;
	}
out:
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
	free(work);
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

/* Moves the array items of a drop-in's list onto the main config's. */
static int append_list(char ***list, size_t *n, char ***add, size_t *nadd)
{
	char **v;

	if (*nadd == 0)
		return 0;
	v = realloc(*list, (*n + *nadd) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	memcpy(v + *n, *add, *nadd * sizeof(*v));
	*list = v;
	*n += *nadd;
	free(*add);
	*add = NULL;
	*nadd = 0;
	return 0;
}

static const struct iso_rule *find_rule(const struct iso_rule *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/* Moves the sections of a drop-in's rules onto the main config's; a name
 * an earlier file has is an error (first match would hide it). */
static int append_rules(struct iso_rule **rules, size_t *n, struct iso_rule **add, size_t *nadd,
			const char *kind, const char *file, struct iso_err *err)
{
	struct iso_rule *v;
	size_t i, k = 0;
	int r = 0;

	if (*nadd == 0)
		return 0;
	if (*n + *nadd > ISO_CONFIG_MAX_SECTIONS)
		return add_err(err, file, 0, "more than %d %s sections with the drop-ins",
			       ISO_CONFIG_MAX_SECTIONS, kind);
	v = realloc(*rules, (*n + *nadd) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	*rules = v;
	for (i = 0; i < *nadd; i++) {
		struct iso_rule *a = &(*add)[i];
		const struct iso_rule *first = find_rule(v, *n + k, a->name);

		if (first) {
			r = add_err(err, file, a->line,
				    "duplicate %s \"%s\" section (first at %s:%d)", kind, a->name,
				    first->file, first->line);
			free(a->name);
			continue;
		}
		a->file = file;
		v[*n + k++] = *a;
	}
	*n += k;
	free(*add);
	*add = NULL;
	*nadd = 0;
	return r;
}

/* Merges drop-in d into c and takes what it needs of d (its path names
 * the merged rules). */
static int merge_dropin(struct iso_config *c, struct iso_config *d, struct iso_err *err)
{
	char **v;
	int r = 0, q;

	v = realloc(c->dropins, (c->n_dropins + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->dropins = v;
	c->dropins[c->n_dropins++] = d->path;
	d->path = NULL;
	if (d->has_default && c->has_default) {
		r = add_err(err, c->dropins[c->n_dropins - 1], d->default_line,
			    "duplicate default section (first at %s:%d)", c->default_file,
			    c->default_line);
	} else if (d->has_default) {
		c->has_default = true;
		c->defaults = d->defaults;
		c->default_line = d->default_line;
		c->default_file = c->dropins[c->n_dropins - 1];
	}
	/* Lists add to the main file's only where the drop-in gives them:
	 * its built-in exempt_users {root} is not a line of the file. */
	if ((d->exempt_users_line && append_list(&c->exempt_users, &c->n_exempt_users,
						 &d->exempt_users, &d->n_exempt_users) < 0) ||
	    append_list(&c->exempt_groups, &c->n_exempt_groups, &d->exempt_groups,
			&d->n_exempt_groups) < 0 ||
	    append_list(&c->services, &c->n_services, &d->services, &d->n_services) < 0)
		return -ENOMEM;
	q = append_rules(&c->groups, &c->n_groups, &d->groups, &d->n_groups, "group",
			 c->dropins[c->n_dropins - 1], err);
	if (q == -ENOMEM)
		return q;
	r = r ? r : q;
	q = append_rules(&c->users, &c->n_users, &d->users, &d->n_users, "user",
			 c->dropins[c->n_dropins - 1], err);
	if (q == -ENOMEM)
		return q;
	return r ? r : q;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.conf names of dir in lexical (C locale) order; none when the
 * directory does not exist. */
static int list_dropins(const char *dir, char ***out, size_t *n, struct iso_err *err)
{
	char **v = NULL, **t;
	size_t cnt = 0;
	struct dirent *de;
	DIR *d;
	int r = 0;

	*out = NULL;
	*n = 0;
	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return iso_err_add(err, -errno, "cannot open drop-in directory %s: %s", dir,
				   strerror(errno));
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".conf"))
			continue;
		if (cnt == ISO_CONFIG_MAX_DROPINS) {
			r = iso_err_add(err, -E2BIG, "%s: more than %d drop-ins", dir,
					ISO_CONFIG_MAX_DROPINS);
			break;
		}
		t = realloc(v, (cnt + 1) * sizeof(*v));
		if (!t || !(t[cnt] = strdup(de->d_name))) {
			v = t ? t : v;
			r = iso_err_add(err, -ENOMEM, "%s: out of memory", dir);
			break;
		}
		v = t;
		cnt++;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), name_cmp);
	*out = v;
	*n = cnt;
	return r;
}

int iso_config_load(const char *path, bool check_owner, struct iso_config **out,
		    struct iso_err *err)
{
	struct iso_config *c = NULL, *d;
	char *buf = NULL, dir[PATH_MAX], file[PATH_MAX], **names = NULL;
	size_t len = 0, n = 0, i;
	bool bad = false;
	int r;

	iso_err_clear(err);
	if (!path || !out)
		return iso_err_set(err, -EINVAL, "iso_config_load: invalid argument");
	r = read_config(path, check_owner, &buf, &len, err);
	if (r < 0)
		goto out;
	r = parse_text(buf, len, path, false, &c, err);
	free(buf);
	buf = NULL;
	if (r == -ENOMEM)
		goto out;
	bad = r < 0;
	/* The drop-ins get the same checks as the main file: each is
	 * opened by the same checked walk, which checks <path>.d too. */
	if ((size_t)snprintf(dir, sizeof(dir), "%s.d", path) >= sizeof(dir)) {
		r = open_error(path, ENAMETOOLONG, err);
		goto out;
	}
	r = list_dropins(dir, &names, &n, err);
	if (r < 0)
		bad = true;
	for (i = 0; i < n; i++) {
		if ((size_t)snprintf(file, sizeof(file), "%s/%s", dir, names[i]) >= sizeof(file)) {
			r = open_error(file, ENAMETOOLONG, err);
			bad = true;
			continue;
		}
		r = read_config(file, check_owner, &buf, &len, err);
		if (r == 0) {
			d = NULL;
			r = parse_text(buf, len, file, true, &d, err);
			free(buf);
			buf = NULL;
			if (r == 0 && c)
				r = merge_dropin(c, d, err);
			iso_config_free(d);
		}
		if (r == -ENOMEM)
			goto out;
		bad |= r < 0;
	}
	r = bad ? -EINVAL : 0;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(buf);
	if (r < 0) {
		iso_config_free(c);
		if (r == -ENOMEM && err && err->code == 0)
			iso_err_add(err, -ENOMEM, "%s: out of memory", path);
		return err && err->code ? err->code : r;
	}
	*out = c;
	return 0;
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
	free(sc.bad_lines);
	return res;
}

/* One file of iso_config_peek_exempt, its findings added to *acc: 0, or
 * -1 when it cannot be read or scanned to its end, or an exempt list in
 * it cannot be read (a "!name" entry there could take the user back). */
static int peek_exempt_file(const char *file, struct scan *acc)
{
	struct scan sc = {.name = file,
			  .peek_user = acc->peek_user,
			  .peek_groups = acc->peek_groups,
			  .peek_ngroups = acc->peek_ngroups};
	size_t len = 0;
	int r = -1;

	if (read_config(file, true, &sc.t, &len, NULL) < 0)
		return -1;
	sc.n = len;
	if (scan_text(&sc) == 0 && !sc.fatal && !sc.peek_unsure) {
		acc->peek_listed |= sc.peek_listed;
		acc->peek_negated |= sc.peek_negated;
		acc->peek_group_neg |= sc.peek_group_neg;
		r = 0;
	}
	free(sc.t);
	free(sc.hdrs);
	free(sc.bad_lines);
	return r;
}

/*
 * Also for a config that does not parse: whether its top-level
 * exempt_users names the user or its exempt_groups one of their groups,
 * and no "!name" entry of either takes it back, as for a parsed file, so
 * that an admin's exempt accounts are not locked out by a broken edit.
 * The drop-ins are read too, for their entries and take-backs. Never more
 * permissive than the parsed file could be: no exemption when any file
 * cannot be read or scanned to its end, or when the user's groups are
 * unknown (groups NULL) and some exempt_groups entry takes a group back.
 * The same ownership checks as for loading apply.
 */
bool iso_config_peek_exempt(const char *path, const char *user, const char *const *groups,
			    size_t ngroups)
{
	struct scan acc = {.peek_user = user, .peek_groups = groups, .peek_ngroups = ngroups};
	char dir[PATH_MAX], file[PATH_MAX], **names = NULL;
	struct iso_err err = {0};
	size_t n = 0, i;
	bool ok;

	if (!path || !user || peek_exempt_file(path, &acc) < 0)
		return false;
	ok = (size_t)snprintf(dir, sizeof(dir), "%s.d", path) < sizeof(dir) &&
	     list_dropins(dir, &names, &n, &err) == 0;
	for (i = 0; ok && i < n; i++)
		ok = (size_t)snprintf(file, sizeof(file), "%s/%s", dir, names[i]) < sizeof(file) &&
		     peek_exempt_file(file, &acc) == 0;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!ok || (!groups && acc.peek_group_neg))
		return false;
	return acc.peek_listed && !acc.peek_negated;
}
