/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * isolatectl: the live state of the machine, read without changing it.
 * Cgroups come from the engine (cg_path, cg_read, cg_list_users); the
 * holder records of /run/pam_isolate are parsed here rather than with
 * sb_holder_find, because that one removes a stale record as it finds it
 * and `status` must not change anything.
 */
#define _GNU_SOURCE
#include "ctl.h"
#include "procfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "iso_names.h"
#include "lock.h"
#include "uidset.h"

/* ---- hierarchies ---- */

int ctl_machine_open(const char *root, struct ctl_machine *m)
{
	unsigned avail;
	int r;

	memset(m, 0, sizeof(*m));
	r = cg_layout_detect("/proc/self/mountinfo", &m->layout, &m->err);
	if (r < 0)
		goto out;
	m->have_layout = true;
	r = cg_open(&m->layout, root, &m->cg, &m->err);
	if (r < 0)
		goto out;
	avail = cg_available(m->cg);
	if (m->layout.version == CG_V2) {
		m->hier[0].ctrls = avail;
		m->hier[0].bit = CG_CPU;
		snprintf(m->hier[0].mount, sizeof(m->hier[0].mount), "%s", m->layout.v2_path);
		m->nhier = 1;
		goto out;
	}
	/* v1: one entry per mount; co-mounted controllers ("cpu,pids")
	 * share one tree and are walked once. */
	for (unsigned i = 0; i < CG_NCTRL; i++) {
		const char *path = m->layout.v1_path[i];
		size_t j;

		if (!path[0])
			continue;
		for (j = 0; j < m->nhier; j++)
			if (!strcmp(m->hier[j].mount, path))
				break;
		if (j == m->nhier) {
			m->hier[j].bit = 1u << i;
			snprintf(m->hier[j].mount, sizeof(m->hier[j].mount), "%s", path);
			m->nhier++;
		}
		m->hier[j].ctrls |= 1u << i;
	}
out:
	return r;
}

void ctl_machine_close(struct ctl_machine *m)
{
	cg_close(m->cg);
	m->cg = NULL;
}

/* ---- leaves ---- */

/* Counts the pids listed in dir/name/cgroup.procs. */
static int ctl_count_procs(const char *dir, const char *name)
{
	char path[PATH_MAX], buf[4096];
	int fd = -1, n = 0, r;
	ssize_t got;

	r = iso_snprintf(path, sizeof(path), "%s/%s/cgroup.procs", dir, name);
	if (r < 0)
		goto out;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	/* Streamed: a leaf may hold more pids than any fixed buffer. */
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < got; i++)
			n += buf[i] == '\n';
	r = got < 0 ? -errno : n;
out:
	iso_close(fd);
	return r;
}

static int leaf_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ctl_leaf *)a)->name, ((const struct ctl_leaf *)b)->name);
}

static int leaf_add(struct ctl_leaf **v, size_t *n, const char *name, unsigned ctrls, int nprocs)
{
	struct ctl_leaf *nv, *l;

	for (size_t i = 0; i < *n; i++) {
		l = &(*v)[i];
		if (strcmp(l->name, name))
			continue;
		/* v1: the same processes are in each hierarchy's leaf */
		if (nprocs > l->nprocs || l->nprocs < 0)
			l->nprocs = nprocs;
		l->ctrls |= ctrls;
		return 0;
	}
	nv = reallocarray(*v, *n + 1, sizeof(**v));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	l = &nv[(*n)++];
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->nprocs = nprocs;
	l->ctrls = ctrls;
	l->is_session = iso_leaf_kind(name) == ISO_LEAF_SESSION;
	return 0;
}

int ctl_leaves(const struct ctl_machine *m, uid_t uid, struct ctl_leaf **out, size_t *n)
{
	struct ctl_leaf *v = NULL;
	char dir[PATH_MAX];
	struct dirent *de;
	size_t cnt = 0;
	DIR *d = NULL;
	int r = 0;

	for (size_t i = 0; i < m->nhier && m->cg; i++) {
		if (cg_path(m->cg, m->hier[i].bit, uid, "", dir, sizeof(dir)) < 0)
			continue;
		d = opendir(dir);
		if (!d && errno == ENOENT)
			continue;
		if (!d) {
			r = -errno;
			goto out;
		}
		while ((de = readdir(d))) {
			if (de->d_type != DT_DIR || de->d_name[0] == '.')
				continue;
			r = leaf_add(&v, &cnt, de->d_name, m->hier[i].ctrls,
				     ctl_count_procs(dir, de->d_name));
			if (r < 0)
				goto out;
		}
		closedir(d);
		d = NULL;
	}
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), leaf_cmp);
	*out = v;
	*n = cnt;
	v = NULL;
out:
	if (d)
		closedir(d);
	free(v);
	return r;
}

void ctl_holder_leaf(const char *key, char *buf, size_t len)
{
	(void)iso_name_holder_leaf(buf, len, key);
}

/* ---- users ---- */

int ctl_uid_add(uid_t **v, size_t *n, uid_t u)
{
	return iso_uid_set_add(v, n, u);
}

bool ctl_uid_has(const uid_t *v, size_t n, uid_t u)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == u)
			return true;
	return false;
}

int ctl_lookup_uid(const char *s, uid_t *uid)
{
	struct passwd *pw;
	char *end;
	unsigned long v;

	if (iso_valid_name(s) && (pw = getpwnam(s))) {
		*uid = pw->pw_uid;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] >= '0' && s[0] <= '9' && !errno && !*end && v < (uid_t)-1) {
		*uid = (uid_t)v;
		return 0;
	}
	return -ENOENT;
}

void ctl_user_name(uid_t uid, char *buf, size_t len, bool *known)
{
	struct passwd *pw = getpwuid(uid);

	*known = pw && iso_valid_name(pw->pw_name);
	if (*known)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "uid %u", (unsigned)uid);
}

/* ---- the state directory ---- */

int ctl_parse_state_name(const char *name, uid_t *uid, const char **rest)
{
	return iso_parse_state_name(name, uid, rest);
}

/* /proc/<pid>/stat: start time and name, as sandbox.c reads them; a
 * zombie is no holder any more. */
static int proc_stat(pid_t pid, unsigned long long *start, char *comm, size_t commlen)
{
	struct iso_proc_stat st;
	int r = iso_proc_stat(pid, &st);

	if (r < 0)
		return r;
	snprintf(comm, commlen, "%s", st.comm);
	if (st.state == 'Z' || st.state == 'X')
		return -ESRCH;
	*start = st.start;
	return 0;
}

bool ctl_record_alive(const struct ctl_record *rec)
{
	unsigned long long start;
	char comm[32];

	return rec->h.pid > 1 && proc_stat(rec->h.pid, &start, comm, sizeof(comm)) == 0 &&
	       start == rec->h.start && !strcmp(comm, ISO_HOLDER_COMM);
}

static void record_parse(int statedir, struct ctl_record *rec)
{
	char buf[64], *end;
	struct stat st;
	long pid;

	/* Only a root-owned regular file is a record: the helper ignores
	 * anything else, so must we. */
	if (fstatat(statedir, rec->file, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != 0 || iso_read_file_at(statedir, rec->file, buf, sizeof(buf)) <= 0)
		return;
	errno = 0;
	pid = strtol(buf, &end, 10);
	if (errno || end == buf || *end != ' ' || pid <= 1 || pid > INT_MAX)
		return;
	rec->h.pid = (pid_t)pid;
	rec->h.start = strtoull(end + 1, NULL, 10);
	rec->alive = ctl_record_alive(rec);
}

static int tmp_add(struct ctl_state *st, const char *name)
{
	char(*nv)[NAME_MAX + 1];

	nv = reallocarray(st->tmp, st->ntmp + 1, sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	st->tmp = nv;
	snprintf(nv[st->ntmp++], sizeof(*nv), "%s", name);
	return 0;
}

int ctl_state_open(bool create, int *fd)
{
	struct iso_err err;
	struct stat st;

	*fd = -1;
	if (lstat(ISO_RUNDIR, &st) < 0 && errno == ENOENT && !create)
		return CTL_OK;
	if (geteuid() != 0) {
		ctl_warn("the sandbox state in %s is readable by root only: run as root",
			 ISO_RUNDIR);
		return CTL_NEEDS_ROOT;
	}
	if (iso_state_open(ISO_RUNDIR, fd, &err) < 0) {
		ctl_print_err(&err);
		return CTL_FAIL;
	}
	return CTL_OK;
}

int ctl_state_read(int statedir, struct ctl_state *st)
{
	struct ctl_record *nv;
	struct dirent *de;
	const char *rest;
	DIR *d = NULL;
	uid_t uid;
	int r;

	memset(st, 0, sizeof(*st));
	r = iso_opendir_at(statedir, ".", &d);
	if (r < 0)
		goto out;
	while ((de = readdir(d))) {
		const char *dot;
		size_t klen;

		if (ctl_parse_state_name(de->d_name, &uid, &rest) < 0)
			continue;
		r = ctl_uid_add(&st->uids, &st->nuids, uid);
		if (r < 0)
			goto out;
		if (!strcmp(rest, "lock")) {
			r = ctl_uid_add(&st->locks, &st->nlocks, uid);
			if (r < 0)
				goto out;
			continue;
		}
		dot = strchr(rest, '.');
		if (dot && !strcmp(dot, ".holder.new")) {
			r = tmp_add(st, de->d_name);
			if (r < 0)
				goto out;
			continue;
		}
		if (!dot || strcmp(dot, ".holder"))
			continue;
		klen = (size_t)(dot - rest);
		if (!iso_key_valid(rest, klen))
			continue;
		nv = reallocarray(st->rec, st->nrec + 1, sizeof(*nv));
		if (!nv) {
			r = -ENOMEM;
			goto out;
		}
		st->rec = nv;
		memset(&nv[st->nrec], 0, sizeof(*nv));
		nv[st->nrec].uid = uid;
		snprintf(nv[st->nrec].key, sizeof(nv[st->nrec].key), "%.*s", (int)klen, rest);
		snprintf(nv[st->nrec].file, sizeof(nv[st->nrec].file), "%s", de->d_name);
		record_parse(statedir, &nv[st->nrec]);
		st->nrec++;
	}
	r = 0;
out:
	if (d)
		closedir(d);
	if (r < 0)
		ctl_state_free(st);
	return r;
}

void ctl_state_free(struct ctl_state *st)
{
	free(st->rec);
	free(st->uids);
	free(st->locks);
	free(st->tmp);
	memset(st, 0, sizeof(*st));
}
