/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The holder's record in the state dir, user-<uid>.<key>.holder holding
 * "pid starttime mntns-inode": written after the holder is made, trusted
 * only while /proc shows the same start time and the holder's name.
 */
#define _GNU_SOURCE
#include "sandbox_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "fsutil.h"
#include "iso_names.h"
#include "lock.h"
#include "procfs.h"

/* ---- state file: "pid starttime\n" ---- */

/* Start time of a live (not zombie) process, and its name. */
int sb_proc_start_time(pid_t pid, unsigned long long *start, char *comm, size_t commlen)
{
	struct iso_proc_stat st;
	int r = iso_proc_stat(pid, &st);

	if (r < 0)
		return r;
	if (comm)
		snprintf(comm, commlen, "%s", st.comm);
	/* a zombie keeps its pid but is no holder any more */
	if (st.state == 'Z' || st.state == 'X')
		return -ESRCH;
	*start = st.start;
	return 0;
}

/* Exiting (PF_EXITING in /proc/PID/stat's flags) or with a SIGKILL
 * pending that it has not acted on yet (/proc/PID/status). */
static int proc_dying(pid_t pid)
{
	struct iso_proc_stat st;
	char path[64], buf[4096], *p, *q;
	unsigned long long mask;
	ssize_t n;
	int fd;

	if (iso_proc_stat(pid, &st) < 0 || (st.flags & 0x4)) /* PF_EXITING */
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 1;
	n = read(fd, buf, sizeof(buf) - 1);
	iso_close(fd);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	for (p = buf; (p = strstr(p, "Pnd:\t")); p += 5) {
		mask = strtoull(p + 5, &q, 16);
		if (mask & (1ULL << (SIGKILL - 1)))
			return 1;
	}
	return 0;
}

/* ---- the mount namespace marker: mntns-<ino> -> user-<uid>.<key>.holder ----
 *
 * A login from inside a sandbox that has no pid namespace of its own
 * (hide_processes) is told apart by its mount namespace. PID 1's is the
 * quick answer where root may read it; where not (some container hosts),
 * this marker answers with one readlink instead of a scan of every
 * process. A marker is only a hint: the record it names must hold the
 * same inode and a live holder whose mount namespace it is. */

static int mntns_ino(pid_t pid, unsigned long long *ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	if (stat(path, &st) < 0)
		return -errno;
	*ino = (unsigned long long)st.st_ino;
	return 0;
}

/* "pid starttime [mntns inode]": the inode is absent in older records. */
static int record_parse(const char *buf, struct sb_holder *h, unsigned long long *ino)
{
	char *end;
	long pid;

	errno = 0;
	pid = strtol(buf, &end, 10);
	if (errno || end == buf || *end != ' ' || pid <= 1 || pid > INT_MAX)
		return -EINVAL;
	h->pid = (pid_t)pid;
	h->commit_fd = -1;
	h->keeper = 0;
	h->start = strtoull(end + 1, &end, 10);
	*ino = 0;
	if (*end == ' ')
		*ino = strtoull(end + 1, NULL, 10);
	return 0;
}

/* Markers are shared by all users (a namespace inode freed by one user's
 * holder is soon another's): writers and droppers of markers lock the
 * state directory itself, so a drop cannot remove the marker a new holder
 * just wrote. */
static int marker_lock(int statedir)
{
	int fd = openat(statedir, ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	/* bounded (1 s): a helper frozen while it holds this one must not
	 * hold up every holder's start */
	r = iso_flock_wait(fd, 1000);
	if (r < 0) {
		iso_close(fd);
		return r;
	}
	return fd;
}

static int marker_write(int statedir, const char *record, unsigned long long ino)
{
	char name[48], tmp[56];
	int lk, r = 0;

	if (iso_name_mntns(name, sizeof(name), ino) < 0)
		return -ENAMETOOLONG;
	snprintf(tmp, sizeof(tmp), "%s.new", name);
	lk = marker_lock(statedir);
	if (lk < 0)
		return lk;
	unlinkat(statedir, tmp, 0);
	if (symlinkat(record, statedir, tmp) < 0 || renameat(statedir, tmp, statedir, name) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(statedir, tmp, 0);
	iso_close(lk);
	return r;
}

/* Record name: a root-owned regular file holding "pid start [ino]". 0,
 * -ENOENT when there is none, RECORD_NONE when it is no record, or
 * -errno (a read's own, -EINVAL for a file swapped for a non-regular
 * one). RECORD_NONE is outside errno's range: a real -EBADMSG (ext4's
 * checksum failure) stays an error, never proof of a stale marker. */
#define RECORD_NONE 1
static int record_load(int statedir, const char *name, struct sb_holder *h, unsigned long long *ino)
{
	char buf[64];
	struct stat st;
	ssize_t n;

	memset(h, 0, sizeof(*h));
	*ino = 0;
	if (fstatat(statedir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_uid != 0)
		return RECORD_NONE;
	n = iso_read_file_at(statedir, name, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return n == 0 || record_parse(buf, h, ino) < 0 ? RECORD_NONE : 0;
}

/* Why marker name is stale ("" when a record of root's holds its
 * inode), or NULL when it cannot tell: only a missing file counts as
 * gone, any other error leaves the marker be. Called under the lock. */
static const char *marker_stale(int statedir, const char *name, uid_t uid, int *err)
{
	unsigned long long want, ino;
	struct sb_holder h;
	char link[112], *end;
	const char *rest;
	size_t len = strlen(name);
	ssize_t n;
	uid_t u;
	int r;

	*err = 0;
	n = readlinkat(statedir, name, link, sizeof(link) - 1);
	if (n < 0) {
		if (errno == EINVAL && uid == (uid_t)-1)
			return "not a link to a record";
		*err = errno == ENOENT || errno == EINVAL ? 0 : -errno;
		return NULL;
	}
	link[n] = '\0';
	if (uid != (uid_t)-1 && (iso_parse_state_name(link, &u, &rest) < 0 || u != uid))
		return NULL;
	if (len > 4 && !strcmp(name + len - 4, ".new"))
		return "half-written";
	errno = 0;
	want = strtoull(name + strlen("mntns-"), &end, 10);
	if (errno || *end || !want)
		return "not a marker's name";
	/* ENOENT also for a record dropped since the stat in record_load
	 * (droppers unlink it after the marker, outside the lock) */
	r = record_load(statedir, link, &h, &ino);
	if (r == -ENOENT)
		return "its record is gone";
	if (r == RECORD_NONE)
		return "it names no holder record";
	if (r < 0) {
		*err = r;
		return NULL;
	}
	return ino == want ? "" : "its record is another sandbox's";
}

int sb_marker_sweep(int statedir, uid_t uid,
		    void (*said)(const char *name, const char *why, void *arg), void *arg)
{
	const char *why;
	struct dirent *de;
	DIR *d;
	int lk, e, gone, r, failed = 0;

	r = iso_opendir_at(statedir, ".", &d);
	if (r < 0)
		return r;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "mntns-", 6) != 0)
			continue;
		/* judged and removed under the lock writers and droppers take,
		 * one at a time: no helper waits on us for long, and said()
		 * (our output, which may block) runs without it */
		lk = marker_lock(statedir);
		if (lk < 0) {
			failed = lk;
			continue;
		}
		why = marker_stale(statedir, de->d_name, uid, &e);
		gone = why && *why && unlinkat(statedir, de->d_name, 0) == 0;
		if (why && *why && !gone && errno != ENOENT)
			e = -errno;
		iso_close(lk);
		if (e < 0)
			failed = e;
		if (!gone)
			continue;
		if (said)
			said(de->d_name, why, arg);
		r++;
	}
	closedir(d);
	return failed < 0 ? failed : r;
}

/* Drops the record file and its marker, if the marker still names it. */
void sb_record_drop(int statedir, const char *record)
{
	char buf[64], name[48], link[112];
	unsigned long long ino = 0;
	struct sb_holder h;
	ssize_t n;
	int lk;

	if (iso_read_file_at(statedir, record, buf, sizeof(buf)) > 0 &&
	    record_parse(buf, &h, &ino) == 0 && ino &&
	    iso_name_mntns(name, sizeof(name), ino) == 0) {
		lk = marker_lock(statedir);
		n = readlinkat(statedir, name, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			if (strcmp(link, record) == 0)
				unlinkat(statedir, name, 0);
		}
		iso_close(lk);
	}
	unlinkat(statedir, record, 0);
}

int sb_record_write(int statedir, uid_t uid, const char *key, const struct sb_holder *h)
{
	char name[96], tmp[112], data[96];
	unsigned long long ino = 0;
	int r;

	r = iso_name_record(name, sizeof(name), uid, key);
	if (r < 0)
		return r;
	snprintf(tmp, sizeof(tmp), "%s.new", name);
	if (mntns_ino(h->pid, &ino) < 0)
		ino = 0;
	if (ino)
		snprintf(data, sizeof(data), "%d %llu %llu\n", (int)h->pid, h->start, ino);
	else
		snprintf(data, sizeof(data), "%d %llu\n", (int)h->pid, h->start);
	unlinkat(statedir, tmp, 0);
	r = iso_write_file_at(statedir, tmp, data, true);
	if (r < 0)
		return r;
	/* rename: readers see the old record or the new one, never half */
	if (renameat(statedir, tmp, statedir, name) < 0) {
		r = -errno;
		unlinkat(statedir, tmp, 0);
		return r;
	}
	/* Without it a su inside this sandbox could pass for a login on the
	 * host where PID 1's mount namespace cannot be read: said, not fatal */
	r = ino ? marker_write(statedir, name, ino) : -ENOENT;
	if (r < 0)
		syslog(LOG_WARNING,
		       "helper: no mount namespace marker for %s: %s (a login from inside this "
		       "sandbox may not be told from one on the host)",
		       name, strerror(-r));
	return 0;
}

void sb_record_remove(int statedir, uid_t uid, const char *key)
{
	char name[96];

	if (iso_name_record(name, sizeof(name), uid, key) == 0)
		sb_record_drop(statedir, name);
}

/* A root-owned process named as a holder, in mount namespace mine. */
static int is_holder_in(pid_t pid, const struct stat *mine)
{
	char comm[32], path[64];
	unsigned long long start;
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (stat(path, &st) < 0 || st.st_uid != 0)
		return 0;
	if (sb_proc_start_time(pid, &start, comm, sizeof(comm)) < 0 ||
	    strcmp(comm, ISO_HOLDER_COMM) != 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	return stat(path, &st) == 0 && st.st_ino == mine->st_ino && st.st_dev == mine->st_dev;
}

/* The scan of every process: for holders whose record predates markers,
 * where we know we are not in PID 1's mount namespace. */
static int scan_for_holder(const struct stat *mine)
{
	struct dirent *de;
	int found = 0;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return -errno;
	while (!found && (de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 1)
			continue;
		found = is_holder_in((pid_t)pid, mine);
	}
	closedir(d);
	return found;
}

int sb_mntns_is_sandbox(const char *rundir)
{
	char link[112], name[48], comm[32];
	unsigned long long ino, start;
	struct stat mine, st;
	struct sb_holder h;
	struct iso_err err;
	const char *rest;
	int dfd, r = 0, init_known;
	uid_t uid;
	ssize_t n;

	if (stat("/proc/self/ns/mnt", &mine) < 0)
		return -errno;
	/* the common case, a login on the host */
	init_known = stat("/proc/1/ns/mnt", &st) == 0;
	if (init_known && st.st_ino == mine.st_ino && st.st_dev == mine.st_dev)
		return 0;
	/* no state directory: no holder anywhere */
	if (lstat(rundir, &st) < 0 && errno == ENOENT)
		return 0;
	if (iso_state_open(rundir, &dfd, &err) < 0)
		return -EPERM;
	if (iso_name_mntns(name, sizeof(name), (unsigned long long)mine.st_ino) < 0)
		goto out;
	n = readlinkat(dfd, name, link, sizeof(link) - 1);
	if (n <= 0) {
		/* Surely not on the host (not PID 1's), and no marker: a
		 * holder of before markers, or some other namespace (a
		 * service's PrivateTmp). Rare enough to look the old way. */
		if (init_known)
			r = scan_for_holder(&mine);
		goto out;
	}
	link[n] = '\0';
	/* the record it names: root's regular file, our inode, a live
	 * holder (same start time, its name) in this very namespace */
	if (iso_parse_state_name(link, &uid, &rest) < 0 || !strstr(rest, ".holder") ||
	    record_load(dfd, link, &h, &ino) != 0 || ino != (unsigned long long)mine.st_ino)
		goto out;
	if (sb_proc_start_time(h.pid, &start, comm, sizeof(comm)) < 0 || start != h.start ||
	    strcmp(comm, ISO_HOLDER_COMM) != 0 || mntns_ino(h.pid, &ino) < 0 ||
	    ino != (unsigned long long)mine.st_ino)
		goto out;
	r = 1;
out:
	iso_close(dfd);
	return r;
}

int sb_count_session_records(int statedir, uid_t uid)
{
	const char *rest;
	struct dirent *de;
	DIR *d;
	uid_t u;
	int fd, n = 0;

	fd = openat(statedir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		iso_close(fd);
		return -errno;
	}
	while ((de = readdir(d)))
		if (iso_parse_state_name(de->d_name, &u, &rest) == 0 && u == uid &&
		    !strncmp(rest, ISO_KEY_SESSION_PREFIX, strlen(ISO_KEY_SESSION_PREFIX)) &&
		    strstr(rest, ".holder"))
			n++;
	closedir(d);
	return n;
}

int sb_holder_find(int statedir, uid_t uid, const char *key, struct sb_holder *out)
{
	char name[96], buf[64], comm[32];
	unsigned long long start, ino;
	struct sb_holder h;
	struct stat st;
	int fd;

	if (iso_name_record(name, sizeof(name), uid, key) < 0)
		return -ENAMETOOLONG;
	fd = openat(statedir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0) {
		iso_close(fd);
		sb_record_remove(statedir, uid, key);
		return -ENOENT;
	}
	iso_close(fd);
	if (iso_read_file_at(statedir, name, buf, sizeof(buf)) <= 0)
		goto stale;
	if (record_parse(buf, &h, &ino) < 0)
		goto stale;
	/* The pid must still be the process we started: same start time,
	 * our name. Anything else is a recycled pid and is never joined. A
	 * holder that was killed but is still exiting is no use either: its
	 * pid namespace refuses new processes. */
	if (sb_proc_start_time(h.pid, &start, comm, sizeof(comm)) < 0 || start != h.start ||
	    strcmp(comm, ISO_HOLDER_COMM) != 0 || proc_dying(h.pid))
		goto stale;
	*out = h;
	return 0;
stale:
	sb_record_remove(statedir, uid, key);
	return -ENOENT;
}
