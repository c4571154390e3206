/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_CTL_H
#define ISO_CTL_H

/*
 * isolatectl, the admin tool: what crosses between its files (isolatectl.c,
 * ctl_util.c, ctl_live.c, ctl_explain.c, ctl_status.c, ctl_gc.c,
 * ctl_json.c, ctl_pam.c, ctl_apply.c), each built on its own. It uses
 * the same config library and cgroup engine as the helper, so what it
 * reports is what the helper does. Only gc and apply write anything: gc
 * what the helper itself would remove at the next open or close, apply
 * the limits a login would write, with the login's own writer.
 */

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "cgroup.h"
#include "isolate_config.h"
#include "sandbox.h"

/* Exit codes, documented in isolatectl(8). */
enum {
	CTL_OK = 0,
	CTL_FAIL = 1,	    /* config invalid or an operation failed */
	CTL_USAGE = 2,	    /* bad command line */
	CTL_NEEDS_ROOT = 3, /* the command needs root and we are not */
};

/* ---- isolatectl.c ---- */

/* The --help text, printed by main and by ctl_parse. */
extern const char ctl_usage[];

/* ---- ctl_util.c ---- */

/* The command line of one command, after its options. */
struct ctl_args {
	const char *conf; /* -c FILE, default ISO_CONF_PATH */
	bool json;	  /* --json (status) */
	bool dry_run;	  /* --dry-run (apply) */
	char **pos;	  /* positional arguments */
	int npos;
};

/* Parses "COMMAND [-c FILE] [--json] [-h] ARGS..." (argv[0] is the
 * command) allowing at most max_pos positional arguments. Returns
 * CTL_OK to go on, CTL_USAGE after printing why, or -1 when --help was
 * printed (exit 0). */
int ctl_parse(int argc, char **argv, bool allow_json, int min_pos, int max_pos, struct ctl_args *a);

void ctl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints a multi-line iso_err message to stderr, one line each. */
void ctl_print_err(const struct iso_err *err);

/* The config, checked as the helper checks it (root-owned, not writable
 * by others): CTL_OK, or CTL_FAIL / CTL_NEEDS_ROOT after saying why. */
int ctl_load_config(const char *path, struct iso_config **cfg);

/* The config's cgroup_root, or the built-in "pam_isolate" (with a warning)
 * when the config cannot be loaded: status and gc must still work on a
 * machine whose config was just broken. The helper's close does the same. */
int ctl_load_config_or_default(const char *path, struct iso_config **cfg, const char **root);

/* ---- ctl_live.c: what the kernel and /run/pam_isolate say now ---- */

/* A mounted hierarchy we may use: one for v2, one per mount for v1. */
struct ctl_hier {
	unsigned ctrls; /* CG_* carried by this mount (v2: all available) */
	unsigned bit;	/* lowest of them, to name it to the engine */
	char mount[256];
};

struct ctl_machine {
	struct cg_layout layout;
	bool have_layout;
	struct cg_engine *cg; /* NULL when the layout could not be opened */
	struct ctl_hier hier[CG_NCTRL];
	size_t nhier;
	struct iso_err err; /* why have_layout or cg is missing */
};

int ctl_machine_open(const char *root, struct ctl_machine *m);
void ctl_machine_close(struct ctl_machine *m);

/* A child cgroup of user-<uid>: session-<id>, holder, holder-<sid>. */
struct ctl_leaf {
	char name[NAME_MAX + 1];
	int nprocs;	 /* processes (max over hierarchies), -errno if unknown */
	unsigned ctrls;	 /* hierarchies it exists in */
	bool is_session; /* name starts with "session-" */
};

/* Lists the leaves of user-<uid> over all hierarchies, sorted by name. */
int ctl_leaves(const struct ctl_machine *m, uid_t uid, struct ctl_leaf **out, size_t *n);

/* The leaf that holds the holder of key ("user" -> "holder",
 * "s-<sid>" -> "holder-<sid>"). */
void ctl_holder_leaf(const char *key, char *buf, size_t len);

/* A holder record user-<uid>.<key>.holder, checked without changing it. */
struct ctl_record {
	uid_t uid;
	char key[SB_KEY_MAX];
	char file[NAME_MAX + 1];
	struct sb_holder h; /* pid 0 when the file does not parse */
	bool alive;	    /* pid runs, same start time, named isolate-holder */
};

/* Files of the state directory: holder records, and the uids that have
 * any file there (records, locks, half-written records). */
struct ctl_state {
	struct ctl_record *rec;
	size_t nrec;
	uid_t *uids; /* every uid with a file here, sorted */
	size_t nuids;
	uid_t *locks; /* uids with a lock file, sorted */
	size_t nlocks;
	char (*tmp)[NAME_MAX + 1]; /* "*.holder.new" left by a killed helper */
	size_t ntmp;
};

/* Opens ISO_RUNDIR as iso_state_open does, but only if it exists (with
 * create, also when it does not): *fd is -1 when there is none. Prints
 * why on failure and returns the exit code: CTL_NEEDS_ROOT when the
 * directory exists and we are not root. */
int ctl_state_open(bool create, int *fd);

/* Reads the state directory (an fd from iso_state_open) without
 * changing anything in it. */
int ctl_state_read(int statedir, struct ctl_state *st);
void ctl_state_free(struct ctl_state *st);

/* Re-checks one record against /proc. */
bool ctl_record_alive(const struct ctl_record *rec);

/* Adds u to a sorted set of uids; ctl_uid_has looks it up. */
int ctl_uid_add(uid_t **v, size_t *n, uid_t u);
bool ctl_uid_has(const uid_t *v, size_t n, uid_t u);

/* "user-<uid>.<rest>" (state file names): the uid and where rest starts. */
int ctl_parse_state_name(const char *name, uid_t *uid, const char **rest);

/* USER as a name or a number; -ENOENT for an unknown name. */
int ctl_lookup_uid(const char *s, uid_t *uid);

/* "alice", or "uid 1234" when the uid has no passwd entry. */
void ctl_user_name(uid_t uid, char *buf, size_t len, bool *known);
/* Calls fn(subfd, arg) for each subdirectory of dirfd (no dot names),
 * opened O_DIRECTORY|O_NOFOLLOW and closed after; unreadable ones are
 * skipped. For the recursive walks of cgroup trees. */
void ctl_each_subdir(int dirfd, void (*fn)(int subfd, void *arg), void *arg);

/* ---- ctl_json.c ---- */

/* A pretty-printing JSON writer: keeps track of commas and indentation so
 * that the callers read like the document they produce. */
#define JSON_MAX_DEPTH 16
struct json {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH];
};

void json_begin(struct json *j, FILE *f);
void json_end(struct json *j);
void json_obj(struct json *j, const char *key); /* key NULL inside arrays */
void json_obj_end(struct json *j);
void json_arr(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val); /* NULL -> null */
void json_int(struct json *j, const char *key, long long val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- ctl_pam.c ---- */

/* Lists the services of /etc/pam.d whose session stack loads pam_isolate
 * and judges the modules around it (pam_isolate(8), STACK PLACEMENT);
 * pid_ns: the rule's sandbox has a pid namespace (no /proc/self after). */
void ctl_print_pam_services(bool pid_ns);

/* ---- ctl_report.c ---- */

/* "enforce", "audit (no limit written)", "exempt" or "unknown (...)":
 * the mode of the rule that resolves for the user now. */
const char *ctl_user_mode(const struct iso_config *cfg, const char *name, uid_t uid);

/* ---- commands ---- */

int cmd_explain(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_gc(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_top(int argc, char **argv);	/* ctl_top.c */
int cmd_metrics(int argc, char **argv); /* ctl_metrics.c */
int cmd_report(int argc, char **argv);

#endif
