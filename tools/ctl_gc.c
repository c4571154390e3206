/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * isolatectl gc: removes what a crash or a kill left behind, under each
 * user's lock, with the helper's own functions: empty session leaves
 * (cg_user_gc), records of dead holders (sb_holder_find drops them),
 * empty holder leaves, sandboxes with nothing left in them when the
 * user has no live session (sb_holder_destroy), and mount namespace
 * markers that no record backs (sb_marker_sweep). It never kills a process
 * of a user and never touches a live session. The helper does the same at
 * every open and close of that user; gc is for users who do not log in
 * again, and says what it removed.
 */
#define _GNU_SOURCE
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iso_names.h"
#include "lock.h"
#include "procfs.h"
#include "tidy.h"

struct gc {
	struct ctl_machine m;
	struct ctl_state st;
	int statedir;
	const char *root;
	int removed; /* things removed, for "nothing to clean up" */
	int failed;
	/* paths that existed before: reported when gone after */
	char (*paths)[PATH_MAX];
	const char **what;
	size_t npaths;
};

static bool gc_exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

static int gc_note(struct gc *g, const char *path, const char *what)
{
	char(*np)[PATH_MAX];
	const char **nw;

	if (!gc_exists(path))
		return 0;
	np = reallocarray(g->paths, g->npaths + 1, sizeof(*np));
	if (!np)
		return -ENOMEM;
	g->paths = np;
	nw = reallocarray(g->what, g->npaths + 1, sizeof(*nw));
	if (!nw)
		return -ENOMEM;
	g->what = nw;
	snprintf(g->paths[g->npaths], PATH_MAX, "%s", path);
	g->what[g->npaths++] = what;
	return 0;
}

/* Reports the noted paths that are gone now, and forgets them all. */
static void gc_report(struct gc *g)
{
	for (size_t i = 0; i < g->npaths; i++) {
		if (gc_exists(g->paths[i]))
			continue;
		printf("removed %s %s\n", g->what[i], g->paths[i]);
		g->removed++;
	}
	g->npaths = 0;
}

/* Notes the user dirs and the empty leaves of uid before gc runs. */
static int gc_note_user(struct gc *g, uid_t uid, const struct ctl_leaf *leaves, size_t n)
{
	char path[PATH_MAX];
	int r = 0;

	for (size_t h = 0; h < g->m.nhier && r == 0; h++) {
		if (cg_path(g->m.cg, g->m.hier[h].bit, uid, "", path, sizeof(path)) < 0)
			continue;
		for (size_t i = 0; i < n && r == 0; i++) {
			char leaf[PATH_MAX];

			if (leaves[i].nprocs != 0 || !(leaves[i].ctrls & g->m.hier[h].ctrls) ||
			    snprintf(leaf, sizeof(leaf), "%s/%s", path, leaves[i].name) >=
				    (int)sizeof(leaf))
				continue;
			r = gc_note(g, leaf, "empty leaf");
		}
		if (r == 0)
			r = gc_note(g, path, "empty cgroup");
	}
	return r;
}

static bool gc_alive_key(const struct gc *g, uid_t uid, const char *leaf)
{
	char mine[NAME_MAX + 1];

	for (size_t i = 0; i < g->st.nrec; i++) {
		if (g->st.rec[i].uid != uid || !g->st.rec[i].alive)
			continue;
		ctl_holder_leaf(g->st.rec[i].key, mine, sizeof(mine));
		if (!strcmp(mine, leaf))
			return true;
	}
	return false;
}

/*
 * Whether a live holder was placed under another cgroup_root than ours:
 * its /proc/PID/cgroup names .../<root>/user-<uid>/holder*. Such a holder
 * belongs to another config (a test's, say); its sessions are not in our
 * tree, so "no live session" cannot be judged from here: leave it.
 */
static bool gc_foreign_holder(const struct gc *g, const struct ctl_record *rec)
{
	char path[64], line[1024], want[64], user[32], holder[16];
	bool foreign = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)rec->h.pid);
	/* "/user-<uid>/holder", a prefix of every holder leaf's path */
	if (iso_name_user_dir(user, sizeof(user), rec->uid) < 0 ||
	    iso_name_holder_leaf(holder, sizeof(holder), ISO_KEY_USER) < 0)
		return false;
	snprintf(want, sizeof(want), "/%s/%s", user, holder);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!foreign && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, want), *q;
		size_t n = strlen(g->root);

		if (!p || p == line)
			continue;
		*p = '\0';
		q = strrchr(line, '/');
		foreign = q && (strlen(q + 1) != n || strncmp(q + 1, g->root, n));
	}
	fclose(f);
	return foreign;
}

/* Holder records of uid: drop the dead ones, stop idle sandboxes. */
static void gc_holders(struct gc *g, uid_t uid, int live)
{
	for (size_t i = 0; i < g->st.nrec; i++) {
		struct ctl_record *rec = &g->st.rec[i];
		struct sb_holder h;
		int n;

		if (rec->uid != uid)
			continue;
		/* Checked again under the lock: the helper may have made or
		 * replaced the holder since the directory was read. */
		rec->alive = ctl_record_alive(rec);
		if (!rec->alive) {
			/* sb_holder_find removes a record whose pid is gone,
			 * recycled or not a holder. */
			if (sb_holder_find(g->statedir, uid, rec->key, &h) == -ENOENT &&
			    faccessat(g->statedir, rec->file, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
				printf("removed stale holder record %s/%s (holder pid %d is "
				       "gone)\n",
				       ISO_RUNDIR, rec->file, (int)rec->h.pid);
				g->removed++;
			}
			continue;
		}
		n = sb_holder_nprocs(&rec->h);
		if (live > 0 || n != 0 || gc_foreign_holder(g, rec))
			continue;
		if (sb_holder_destroy(g->statedir, uid, rec->key, &rec->h) < 0) {
			ctl_warn("gc: uid %u: cannot stop holder pid %d", (unsigned)uid,
				 (int)rec->h.pid);
			g->failed++;
			continue;
		}
		rec->alive = false;
		printf("stopped idle sandbox of uid %u (holder pid %d, nothing left inside)\n",
		       (unsigned)uid, (int)rec->h.pid);
		g->removed++;
	}
}

/* Empty holder leaves whose holder is gone. */
static void gc_holder_leaves(struct gc *g, uid_t uid, const struct ctl_leaf *leaves, size_t n)
{
	for (size_t i = 0; i < n && g->m.cg; i++) {
		if (iso_leaf_kind(leaves[i].name) != ISO_LEAF_HOLDER ||
		    gc_alive_key(g, uid, leaves[i].name))
			continue;
		if (cg_leaf_nprocs(g->m.cg, uid, leaves[i].name) == 0)
			(void)cg_leaf_remove(g->m.cg, uid, leaves[i].name, NULL);
	}
}

static void gc_tmp_files(struct gc *g, uid_t uid)
{
	const char *rest;
	uid_t u;

	for (size_t i = 0; i < g->st.ntmp; i++) {
		if (ctl_parse_state_name(g->st.tmp[i], &u, &rest) < 0 || u != uid)
			continue;
		if (unlinkat(g->statedir, g->st.tmp[i], 0) == 0) {
			printf("removed half-written record %s/%s\n", ISO_RUNDIR, g->st.tmp[i]);
			g->removed++;
		}
	}
}

static void gc_user(struct gc *g, uid_t uid)
{
	struct ctl_leaf *leaves = NULL;
	char name[64];
	struct iso_err err;
	size_t n = 0;
	int lockfd = -1, live = 0, r;
	bool had_lock = ctl_uid_has(g->st.locks, g->st.nlocks, uid), left = false;

	r = iso_user_lock(g->statedir, uid, ISO_LOCK_WAIT_MS, &lockfd, &err);
	if (r < 0) {
		ctl_print_err(&err);
		g->failed++;
		goto out;
	}
	if (g->m.cg) {
		r = ctl_leaves(&g->m, uid, &leaves, &n);
		if (r == 0)
			r = gc_note_user(g, uid, leaves, n);
		if (r == 0)
			r = cg_user_gc(g->m.cg, uid, &live, &err);
		if (r < 0) {
			ctl_warn("gc: uid %u: %s", (unsigned)uid,
				 err.code ? err.msg : strerror(-r));
			g->failed++;
			goto out;
		}
	}
	gc_holders(g, uid, live);
	gc_tmp_files(g, uid);
	if (g->m.cg)
		gc_holder_leaves(g, uid, leaves, n);
	/* the user dir goes once the holder leaf has gone, and the lock file
	 * once nothing of the user is left, as at the helper's last close */
	iso_err_clear(&err);
	left = iso_user_tidy(g->m.cg, g->statedir, uid, NULL, lockfd, &live, &err) != 0;
	lockfd = -1;
	if (err.code) {
		ctl_warn("gc: uid %u: %s", (unsigned)uid, err.msg);
		g->failed++;
	}
	gc_report(g);
	if (!left && had_lock && iso_name_user_lock(name, sizeof(name), uid) == 0) {
		printf("removed lock file %s/%s\n", ISO_RUNDIR, name);
		g->removed++;
	}
out:
	if (lockfd >= 0)
		iso_user_unlock(g->statedir, uid, lockfd, false);
	g->npaths = 0;
	free(leaves);
}

static void gc_marker_said(const char *name, const char *why, void *arg)
{
	struct gc *g = arg;

	printf("removed stale marker %s/%s (%s)\n", ISO_RUNDIR, name, why);
	g->removed++;
}

int cmd_gc(int argc, char **argv)
{
	struct iso_config *cfg = NULL;
	struct ctl_args a;
	uid_t *uids = NULL, want = 0;
	size_t nuids = 0;
	struct gc g;
	int r;

	memset(&g, 0, sizeof(g));
	g.statedir = -1;
	r = ctl_parse(argc, argv, false, 0, 1, &a);
	if (r != CTL_OK)
		goto out;
	if (a.npos && ctl_lookup_uid(a.pos[0], &want) < 0) {
		ctl_warn("gc: %s: no such user", a.pos[0]);
		r = CTL_FAIL;
		goto out;
	}
	if (geteuid() != 0) {
		ctl_warn("gc needs root");
		r = CTL_NEEDS_ROOT;
		goto out;
	}
	/* holder records are host pids: inside a sandbox (or with a /proc
	 * of another pid namespace) they name other processes */
	if (iso_pidns_is_initial() != 1) {
		ctl_warn("gc: not in the initial pid namespace (inside a sandbox or a container): "
			 "process ids here are not the ones recorded; run it from the host");
		r = CTL_FAIL;
		goto out;
	}
	ctl_load_config_or_default(a.conf, &cfg, &g.root);
	if (ctl_machine_open(g.root, &g.m) < 0)
		ctl_warn("gc: cgroups: %s", g.m.err.msg);
	r = CTL_FAIL;
	if (g.m.cg && cg_list_users(g.m.cg, &uids, &nuids) < 0) {
		ctl_warn("gc: cannot list the users of cgroup_root \"%s\"", g.root);
		goto out;
	}
	/* The state dir is made (as the helper would) only when there are
	 * cgroups to clean under a user lock. */
	r = ctl_state_open(nuids > 0, &g.statedir);
	if (r != CTL_OK)
		goto out;
	r = CTL_FAIL;
	if (g.statedir >= 0 && ctl_state_read(g.statedir, &g.st) < 0) {
		ctl_warn("gc: cannot read %s", ISO_RUNDIR);
		goto out;
	}
	for (size_t i = 0; i < g.st.nuids; i++)
		if (ctl_uid_add(&uids, &nuids, g.st.uids[i]) < 0)
			goto out;
	for (size_t i = 0; i < nuids; i++)
		if (!a.npos || uids[i] == want)
			gc_user(&g, uids[i]);
	/* after the users: a record dropped above takes its marker along, and
	 * what is left no record backs (shared by all users: under its lock) */
	if (g.statedir >= 0) {
		int sr = sb_marker_sweep(g.statedir, a.npos ? want : (uid_t)-1, gc_marker_said, &g);

		if (sr < 0) {
			ctl_warn(
				"gc: cannot judge or remove every mount namespace marker in %s: %s",
				ISO_RUNDIR, strerror(-sr));
			g.failed++;
		}
	}
	if (!g.removed && !g.failed)
		printf("nothing to clean up\n");
	r = g.failed ? CTL_FAIL : CTL_OK;
out:
	free(uids);
	free(g.paths);
	free(g.what);
	ctl_state_free(&g.st);
	ctl_machine_close(&g.m);
	iso_config_free(cfg);
	if (g.statedir >= 0)
		close(g.statedir);
	return r < 0 ? CTL_OK : r;
}
