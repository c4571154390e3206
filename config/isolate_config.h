/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISOLATE_CONFIG_H
#define ISOLATE_CONFIG_H

/*
 * The config library: isolate.conf schema (libconfuse), validation with
 * file:line errors, unit parsing, and rule resolution. Shared by the setuid
 * helper and isolatectl so there is exactly one parser.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "iso_err.h"

#define ISO_UNSET INT64_MIN /* key not given in this section */
#define ISO_MAX	  (-1)	    /* "max": no limit, written as such */

#define ISO_NS_USER  0x1
#define ISO_NS_PID   0x2
#define ISO_NS_MOUNT 0x4

#define ISO_DEFAULT_CPU_PERIOD_US 100000
#define ISO_NAME_MAX		  32 /* user and group names (Debian's useradd limit) */

/* Bounds on what a config file may ask of the parser. */
#define ISO_CONFIG_MAX_SIZE	(1024 * 1024) /* bytes */
#define ISO_CONFIG_MAX_SECTIONS 10000	      /* user + group sections, each */
#define ISO_CONFIG_MAX_LIST	10000	      /* entries of exempt_users/_groups, services */
#define ISO_CGROUP_ROOT_MAX	64	      /* length of cgroup_root */
#define ISO_SERVICE_MAX		63	      /* length of a name in services */
#define ISO_DEFAULT_MIN_UID	1000	      /* Debian's FIRST_UID */

enum iso_on_error { ISO_ON_ERROR_DENY = 0, ISO_ON_ERROR_ALLOW = 1 };
enum iso_on_logout { ISO_LOGOUT_KEEP = 0, ISO_LOGOUT_KILL = 1 };
/* disk: per-user directories below /tmp/.pam_isolate and
 * /var/tmp/.pam_isolate, kept between logins; tmpfs: a tmpfs the sandbox
 * owns, gone with it. */
enum iso_private_tmp { ISO_TMP_NO = 0, ISO_TMP_DISK = 1, ISO_TMP_TMPFS = 2 };
enum iso_sandbox_mode { ISO_SANDBOX_PER_USER = 0, ISO_SANDBOX_PER_SESSION = 1 };
/* Who owns the cgroup tree: auto detects it per session (systemd when
 * systemd runs and the caller sits in a logind scope), cgroupfs is our own
 * subtree, systemd goes through systemd's D-Bus API (helper/systemd.h). */
/* What the sandbox shows in /proc/cpuinfo, /proc/meminfo & co. (helper/
 * sandbox_view.c): lxcfs's files, our own CPU files, or the host's. */
enum iso_proc_view {
	ISO_PROC_VIEW_NO = 0,
	ISO_PROC_VIEW_CPUS = 1,
	ISO_PROC_VIEW_LXCFS = 2,
	ISO_PROC_VIEW_AUTO = 3
};
#define ISO_LXCFS_DIR "/var/lib/lxcfs" /* where Debian's lxcfs.service mounts it */
enum iso_backend { ISO_BACKEND_AUTO = 0, ISO_BACKEND_CGROUPFS = 1, ISO_BACKEND_SYSTEMD = 2 };
/* audit: the session is placed and accounted in its user cgroup as under
 * enforce, but gets no limit and no namespace (isolatectl report shows
 * what the rule would have done). */
enum iso_mode { ISO_MODE_ENFORCE = 0, ISO_MODE_AUDIT = 1 };

/*
 * Every key of a default/group/user section. All int64_t so that merging
 * (user over group over default) is one loop over ISO_LIMITS_NFIELDS.
 */
struct iso_limits {
	int64_t cpu_quota;	  /* 1/100 % of one CPU: 5000 == "50%"; ISO_MAX */
	int64_t cpu_period_us;	  /* 1000 .. 1000000 */
	int64_t cpu_weight;	  /* 1 .. 10000 */
	int64_t tasks_max;	  /* >= 1 or ISO_MAX */
	int64_t memory_max;	  /* bytes or ISO_MAX */
	int64_t namespaces;	  /* ISO_NS_* bitmask; 0 == cgroup only */
	int64_t private_tmp;	  /* enum iso_private_tmp */
	int64_t tmp_size;	  /* bytes (tmpfs size=; private_tmp = tmpfs only) */
	int64_t on_logout;	  /* enum iso_on_logout */
	int64_t sandbox;	  /* enum iso_sandbox_mode */
	int64_t memory_high;	  /* bytes or ISO_MAX (v2 memory.high, v1 soft limit) */
	int64_t swap_max;	  /* bytes or ISO_MAX (v2 memory.swap.max, v1 memsw) */
	int64_t session_max_time; /* seconds of wall clock; ISO_MAX = none */
	int64_t private_shm;	  /* 0 / 1: a private tmpfs on /dev/shm */
	int64_t cgroup_ns;	  /* 0 / 1: own cgroup namespace and cgroupfs view */
	int64_t no_new_privs;	  /* 0 / 1: PR_SET_NO_NEW_PRIVS on the session */
	int64_t thread_env;	  /* 0 / 1: OMP_NUM_THREADS & co. from cpu_quota */
	int64_t proc_view;	  /* enum iso_proc_view */
	int64_t hide_processes;	  /* 0 / 1: a hidepid=invisible /proc, no pid ns */
	int64_t mode;		  /* enum iso_mode */
};
#define ISO_LIMITS_NFIELDS (sizeof(struct iso_limits) / sizeof(int64_t))

/*
 * Whole CPUs of cpu_quota (rounded up, at least 1) for the session's
 * thread-count variables; 0 when thread_env is off or there is no quota.
 */
unsigned iso_limits_thread_cpus(const struct iso_limits *l);

/*
 * Whole CPUs the sandbox's CPU view shows (cpu_quota rounded up, at least
 * 1), 0 when there is none to show (no quota, proc_view = no). Not capped
 * at the host's CPUs: the caller knows them.
 */
unsigned iso_limits_view_cpus(const struct iso_limits *l);

/*
 * The size of a private tmpfs (/tmp with private_tmp = tmpfs, /dev/shm):
 * tmp_size, else a tenth of ram, at most half of memory_max when that is
 * set; ISO_MAX for no size= at all.
 */
int64_t iso_limits_tmpfs_size(const struct iso_limits *l, int64_t ram);

/*
 * What an audited session gets instead of lim: every cgroup key it sets
 * becomes "max" (so the controller is still there to account, and a limit
 * left by an earlier enforced session is lifted), cpu_weight the kernel's
 * default 100, and every namespace, mount, hide_processes, private_tmp,
 * private_shm, session_max_time, no_new_privs, thread_env and proc_view
 * is off. A no-op under enforce.
 */
void iso_limits_audit(struct iso_limits *lim);

/* ---- the section keys: one row each (config/keys.c) ----
 *
 * Everything about a key of a default/group/user section is in its row:
 * the libconfuse schema, the check of its value and the error message, the
 * built-in value policy merging starts from, the helper's log line,
 * isolatectl explain's grouping and wording, and the man page's key list
 * (checked against the rows by tests/unit/test_config.c). */

struct iso_policy;

enum iso_key_group { ISO_KG_LIMITS = 0, ISO_KG_SANDBOX, ISO_KG_SESSION };

#define ISO_KEY_LIST   0x01 /* a list whose values are or'ed (namespaces) */
#define ISO_KEY_MAX_OK 0x02 /* "max" is a valid value */
#define ISO_KEY_CGROUP 0x04 /* needs a cgroup controller */
#define ISO_KEY_MOUNT  0x08 /* 1 ("yes") needs the sandbox's own mount namespace */
#define ISO_KEY_LOG    0x10 /* shown in the helper's log line */
#define ISO_KEY_RAM    0x20 /* a size check-config compares with the machine's RAM */

struct iso_key {
	const char *name;
	size_t off; /* of its field in struct iso_limits */
	enum iso_key_group group;
	unsigned flags; /* ISO_KEY_* */
	int (*parse)(const char *s, int64_t *out);
	void (*format)(int64_t v, char *buf, size_t len);
	int64_t min, max; /* inclusive; ISO_MAX is allowed by ISO_KEY_MAX_OK */
	bool has_builtin; /* false: not managed unless a section sets it */
	int64_t builtin;
	const char *expect; /* what a valid value looks like (messages) */
	const char *range;  /* the valid range, for out-of-range values */
	const char *unset;  /* explain: what "not set" means, NULL: not managed */
	/* explain: a remark on the resolved value ("" for none). */
	void (*note)(const struct iso_policy *p, int64_t v, char *buf, size_t len);
};

#define ISO_NKEYS ISO_LIMITS_NFIELDS
extern const struct iso_key *const iso_keys; /* ISO_NKEYS rows */

/* The row of a key name; NULL for a name no section takes. */
const struct iso_key *iso_key_find(const char *name);
int64_t iso_key_get(const struct iso_key *k, const struct iso_limits *lim);
/* The value as the file would say it ("50%", "100ms", "yes", "user pid",
 * "max", "unset"). */
void iso_key_format(const struct iso_key *k, int64_t v, char *buf, size_t len);

/* Every key at its built-in value (ISO_UNSET where there is none). */
void iso_limits_builtin(struct iso_limits *lim);
/* Per-key overlay: a key left unset in over keeps the value below it.
 * from (may be NULL), indexed like iso_keys, gets src for each key taken. */
void iso_limits_overlay(struct iso_limits *base, const struct iso_limits *over, unsigned char *from,
			unsigned char src);
/* Adds the mount namespace that a fresh /proc (pid), a private /tmp or
 * /dev/shm and the cgroup_ns view need; true when it was not asked for. */
bool iso_limits_imply(struct iso_limits *lim);
/* "cpu_quota=50% cpu_period=100ms ..." (the keys marked ISO_KEY_LOG), for
 * the helper's log line. */
void iso_limits_describe(const struct iso_limits *lim, char *buf, size_t len);

struct iso_rule {
	char *name;	  /* user or group name (section title) */
	const char *file; /* the file it is in (main file or a drop-in) */
	int line;	  /* line of the section header */
	struct iso_limits lim;
};

struct iso_config {
	char *path; /* as given, for messages */
	/* The drop-ins read after it (<path>.d/\*.conf, lexical order): the
	 * files the rules' file fields may name. */
	char **dropins;
	size_t n_dropins;
	char *cgroup_root;
	enum iso_on_error on_error;
	char **exempt_users;
	size_t n_exempt_users;
	char **exempt_groups;
	size_t n_exempt_groups;
	bool has_default;
	const char *default_file; /* the file of the default section */
	int default_line;
	struct iso_limits defaults;
	struct iso_rule *groups; /* file order: first match wins */
	size_t n_groups;
	struct iso_rule *users;
	size_t n_users;
	/* Scope: users below min_uid are never touched (default 1000); with
	 * services, only those PAM services are (n_services 0: all). */
	int64_t min_uid;
	int min_uid_line; /* 0: not given (built-in 1000) */
	char **services;
	size_t n_services;
	/* Lines of the exempt_users, exempt_groups and services keys (0: not
	 * given), for the warnings of iso_config_check. */
	int exempt_users_line, exempt_groups_line, services_line;
	/* Failure policy per class; each defaults to on_error. */
	enum iso_on_error on_config_error;
	enum iso_on_error on_cgroup_error;
	enum iso_on_error on_namespace_error;
	enum iso_backend cgroup_backend; /* default ISO_BACKEND_AUTO */
	/* A line for the user at login: "your limits here: ..." */
	bool login_message;
	/* The top-level mode (enum iso_mode): below every section's, above
	 * the built-in enforce; ISO_UNSET when not given. */
	int64_t mode;
};

/* Sets every field to ISO_UNSET. */
void iso_limits_init(struct iso_limits *lim);

#define ISO_CONFIG_MAX_DROPINS 256 /* files in <config>.d */

/*
 * Loads a config file and its drop-ins: the files <path>.d/\*.conf (not
 * starting with '.'), in lexical order after the main file. A drop-in
 * holds sections and the exempt_users, exempt_groups and services lists,
 * which add to the main file's; a section already in an earlier file is
 * an error. With check_owner, the file and every directory above
 * it must be owned by root and not writable by group/other, and none of
 * them a symlink: the helper is setuid root and this file decides how
 * confined users are (SECURITY.md, "The configuration"). The file is
 * opened O_NOFOLLOW and fstat()ed before parsing. On failure
 * err->msg holds every error found, one per line, each "file:line: ...".
 */
int iso_config_load(const char *path, bool check_owner, struct iso_config **out,
		    struct iso_err *err);

/* Parses a config from memory; name is used in messages. */
int iso_config_parse_buf(const char *buf, const char *name, struct iso_config **out,
			 struct iso_err *err);

void iso_config_free(struct iso_config *cfg);

/*
 * When a config cannot be parsed, its on_config_error (or, when that is not
 * given, its on_error) still decides whether the login goes on. This scans
 * the text for the last top-level `on_config_error = allow|deny` and
 * `on_error = allow|deny` without libconfuse; on_config_error wins when
 * both are there. Returns ISO_ON_ERROR_DENY when unsure, and always for a
 * file that fails the check_owner checks of iso_config_load (an on_error
 * written by someone other than root must not release anyone).
 */
enum iso_on_error iso_config_peek_on_error(const char *path);

/* For a config that does not parse: whether the top-level exempt_users
 * of the file or its drop-ins lists user or their exempt_groups one of
 * groups (ngroups names; NULL: unknown), not taken back by a "!name" entry
 * of either; never more permissive than the parsed files could be. Same
 * file checks as loading. */
bool iso_config_peek_exempt(const char *path, const char *user, const char *const *groups,
			    size_t ngroups);

/* Units. Each returns 0 or -EINVAL / -ERANGE, never touching *out on error. */
int iso_parse_percent(const char *s, int64_t *out);	/* "50%" "12.5%" "max" */
int iso_parse_duration_us(const char *s, int64_t *out); /* "100ms" "1s" "5000us" "5000" */
int iso_parse_duration_s(const char *s, int64_t *out);	/* "90s" "30m" "8h" "1d" "60" "max" */
int iso_parse_size(const char *s, int64_t *out);	/* "512M" "4G" "1024" "max" */
int iso_parse_count(const char *s, int64_t *out);	/* "512" "max" */
int iso_parse_mode(const char *s, int64_t *out);	/* "enforce" "audit" */

/* Formats a value back for humans ("50%", "100ms", "4G", "max", "unset"). */
void iso_format_percent(int64_t v, char *buf, size_t len);
void iso_format_size(int64_t v, char *buf, size_t len);
void iso_format_duration_us(int64_t v, char *buf, size_t len); /* "100ms" */
void iso_format_duration_s(int64_t v, char *buf, size_t len);  /* "8h" "90s" */

/* Names of users and groups: [a-z_][a-z0-9_.-]*[$]? , 1..ISO_NAME_MAX.
 * Upper case letters are accepted too (LDAP/AD names, useradd --badname). */
bool iso_valid_name(const char *name);

/* ---- rule resolution ---- */

enum iso_match {
	ISO_MATCH_DEFAULT = 0,
	ISO_MATCH_GROUP,
	ISO_MATCH_USER,
	ISO_MATCH_EXEMPT_USER,
	ISO_MATCH_EXEMPT_GROUP,
	ISO_MATCH_EXEMPT_UID, /* uid below min_uid */
};

struct iso_policy {
	enum iso_match match;
	char rule_name[ISO_NAME_MAX + 1]; /* user/group section or exempt entry */
	int rule_line;			  /* 0 for built-in default */
	const char *rule_file;		  /* a drop-in's path; NULL: the main file */
	struct iso_limits lim;		  /* fully resolved, no ISO_UNSET left
					   * except cpu_quota/cpu_weight/tasks_max/
					   * memory_max/memory_high/swap_max/
					   * tmp_size meaning "not managed" */
	/* The group section that matched, also when a user section overrode
	 * it ("user alice (line 12) over group students (line 8)"); empty
	 * and 0 when no group section matched. */
	char group_name[ISO_NAME_MAX + 1];
	int group_line;
	const char *group_file; /* as rule_file */
	/* The uid resolved for and the config's min_uid, for describing
	 * ISO_MATCH_EXEMPT_UID ("uid 500 below min_uid 1000"). */
	uid_t uid;
	int64_t min_uid;
	/* Where each value of lim came from (enum iso_from, indexed like
	 * iso_keys), also when an exemption wins: explain names it. The
	 * sections behind ISO_FROM_USER and ISO_FROM_DEFAULT (line 0: none;
	 * file as rule_file); ISO_FROM_GROUP is group_name's. */
	unsigned char from[ISO_NKEYS];
	int user_line;
	const char *user_file;
	int default_line;
	const char *default_file;
	/* namespaces got mount added (iso_limits_imply), not asked for. */
	bool mount_implied;
};

enum iso_from { ISO_FROM_BUILTIN = 0, ISO_FROM_DEFAULT, ISO_FROM_GROUP, ISO_FROM_USER };

/*
 * Resolves the policy for a user given their uid and the names of all groups
 * they are a member of (primary first). Precedence per key: user section >
 * first matching group section in file order > default section > built-in.
 * The match is then, first that applies: ISO_MATCH_EXEMPT_USER /
 * ISO_MATCH_EXEMPT_GROUP (listed in exempt_users / exempt_groups, by name
 * or via a group, and not un-exempted by a "!name" entry naming the user
 * or one of their groups: negations win), ISO_MATCH_EXEMPT_UID (uid below
 * min_uid), else the rule. lim is filled in every case, for explain.
 */
int iso_policy_resolve(const struct iso_config *cfg, const char *user, uid_t uid,
		       const char *const *groups, size_t ngroups, struct iso_policy *out);

/* True when the PAM service is one the rules apply to: the services list
 * is empty, or names it (without regard to case: Linux-PAM lower-cases
 * service names). A NULL service is in scope only of an empty list; a
 * NULL cfg has no scope (false): a config that did not load is decided
 * by on_config_error, not by this. */
bool iso_config_service_in_scope(const struct iso_config *cfg, const char *service);

/* Looks up a user's uid, primary gid and group names (NSS). Caller frees
 * with iso_groups_free. Returns -ENOENT for unknown users. */
/* uid, primary gid and the names of all the user's groups (NSS). With
 * groups and ngroups NULL, the ids only. */
int iso_user_lookup(const char *user, uid_t *uid, gid_t *gid, char ***groups, size_t *ngroups);
/* Whether a rule or exemption of cfg names a group: else the user's group
 * list cannot change the verdict and need not be looked up. */
bool iso_config_uses_groups(const struct iso_config *cfg);
void iso_groups_free(char **groups, size_t ngroups);

/* Short text for logs/explain: "user alice (line 12)", "group students
 * (line 8)", "default (line 3)", "exempt user root", "uid 500 below
 * min_uid 1000". */
void iso_policy_describe(const struct iso_policy *p, char *buf, size_t len);

/* ---- checks beyond the syntax (config/check.c: check-config and the helper decide alike) ---- */

/* What iso_limits_problems finds in a resolved rule. The ERRORS ones
 * make the helper refuse the session; the others are warnings. */
#define ISO_PROB_QUOTA_MIN	    0x1	 /* cpu_quota * cpu_period < 1000 us */
#define ISO_PROB_MAX_TIME_NO_CGROUP 0x2	 /* session_max_time, no controller */
#define ISO_PROB_KILL_NO_CGROUP	    0x4	 /* on_logout = kill, no controller */
#define ISO_PROB_HIGH_OVER_MAX	    0x8	 /* memory_high > memory_max */
#define ISO_PROB_TMP_SIZE_DISK	    0x10 /* tmp_size with private_tmp = disk */
#define ISO_PROB_ERRORS		    (ISO_PROB_QUOTA_MIN | ISO_PROB_MAX_TIME_NO_CGROUP)

/* True when the rule sets a key that needs a cgroup controller. */
bool iso_limits_manage_cgroup(const struct iso_limits *lim);

/* The ISO_PROB_* bits of a resolved rule for the given backend (auto
 * counts as cgroupfs: it may pick it for any session). */
unsigned iso_limits_problems(const struct iso_limits *lim, enum iso_backend backend);

/*
 * The one check of a resolved rule that decides whether a session can be
 * set up: the helper calls it at every open with the backend it picked,
 * isolatectl check-config (through iso_config_check) for every rule and
 * explain for its user. Adds one line per error, starting with where
 * (the rule's description). Returns 0, -ERANGE when the only fault is a
 * kernel bound (a cpu_quota below 1000 us per period: on_cgroup_error
 * decides at login), or -EINVAL (on_config_error decides).
 */
int iso_limits_check(const struct iso_limits *lim, enum iso_backend backend, const char *where,
		     struct iso_err *err);

/* Facts about this machine for the warnings of iso_config_check. */
struct iso_machine {
	long ncpu;	   /* online CPUs; 0: unknown */
	int64_t mem_bytes; /* physical RAM; 0: unknown */
	const char *pam_dir;
	bool check_names; /* look users, groups, services up */
	bool systemd;	  /* systemd runs as init (/run/systemd/system) */
};

int iso_machine_probe(struct iso_machine *m);

/*
 * Every rule of cfg as a login would resolve it: the default, each group
 * section over the default, each user section with the user's real groups
 * (over the default when the user does not exist). Errors (what the
 * helper would refuse) go to err as "file:line: ...", warnings (legal but
 * most likely a mistake: names that match nothing, memory_high above
 * memory_max, limits above the machine, a confined nobody, on_logout =
 * kill without a cgroup limit) to warn as "file:line: warning: ...".
 * m NULL: no machine warnings and no NSS lookups. Returns 0 or -EINVAL.
 */
int iso_config_check(const struct iso_config *cfg, const struct iso_machine *m, struct iso_err *err,
		     struct iso_err *warn);

#endif
