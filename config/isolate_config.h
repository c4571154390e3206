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
#define ISO_CONFIG_MAX_LIST	10000	      /* entries of exempt_users/_groups */
#define ISO_CGROUP_ROOT_MAX	64	      /* length of cgroup_root */

enum iso_on_error { ISO_ON_ERROR_DENY = 0, ISO_ON_ERROR_ALLOW = 1 };
enum iso_on_logout { ISO_LOGOUT_KEEP = 0, ISO_LOGOUT_KILL = 1 };
enum iso_sandbox_mode { ISO_SANDBOX_PER_USER = 0, ISO_SANDBOX_PER_SESSION = 1 };

/*
 * Every key of a default/group/user section. All int64_t so that merging
 * (user over group over default) is one loop over ISO_LIMITS_NFIELDS.
 */
struct iso_limits {
	int64_t cpu_quota;     /* 1/100 % of one CPU: 5000 == "50%"; ISO_MAX */
	int64_t cpu_period_us; /* 1000 .. 1000000 */
	int64_t cpu_weight;    /* 1 .. 10000 */
	int64_t tasks_max;     /* >= 1 or ISO_MAX */
	int64_t memory_max;    /* bytes or ISO_MAX */
	int64_t namespaces;    /* ISO_NS_* bitmask; 0 == cgroup only */
	int64_t private_tmp;   /* 0 / 1 */
	int64_t tmp_size;      /* bytes (tmpfs size=) */
	int64_t on_logout;     /* enum iso_on_logout */
	int64_t sandbox;       /* enum iso_sandbox_mode */
};
#define ISO_LIMITS_NFIELDS (sizeof(struct iso_limits) / sizeof(int64_t))

struct iso_rule {
	char *name; /* user or group name (section title) */
	int line;   /* line of the section header */
	struct iso_limits lim;
};

struct iso_config {
	char *path; /* as given, for messages */
	char *cgroup_root;
	enum iso_on_error on_error;
	char **exempt_users;
	size_t n_exempt_users;
	char **exempt_groups;
	size_t n_exempt_groups;
	bool has_default;
	int default_line;
	struct iso_limits defaults;
	struct iso_rule *groups; /* file order: first match wins */
	size_t n_groups;
	struct iso_rule *users;
	size_t n_users;
};

/* Sets every field to ISO_UNSET. */
void iso_limits_init(struct iso_limits *lim);

/*
 * Loads a config file. With check_owner, the file and every directory above
 * it must be owned by root and not writable by group/other (SECURITY.md);
 * the file is opened O_NOFOLLOW and fstat()ed before parsing. On failure
 * err->msg holds every error found, one per line, each "file:line: ...".
 */
int iso_config_load(const char *path, bool check_owner, struct iso_config **out,
		    struct iso_err *err);

/* Parses a config from memory; name is used in messages. */
int iso_config_parse_buf(const char *buf, const char *name, struct iso_config **out,
			 struct iso_err *err);

void iso_config_free(struct iso_config *cfg);

/*
 * When a config cannot be parsed, its on_error still decides whether the
 * login goes on. This scans the text for a top-level `on_error = allow|deny`
 * without libconfuse. Returns ISO_ON_ERROR_DENY when unsure, and always
 * for a file that fails the check_owner checks of iso_config_load (an
 * on_error written by someone other than root must not release anyone).
 */
enum iso_on_error iso_config_peek_on_error(const char *path);

/* Units. Each returns 0 or -EINVAL / -ERANGE, never touching *out on error. */
int iso_parse_percent(const char *s, int64_t *out);	/* "50%" "12.5%" "max" */
int iso_parse_duration_us(const char *s, int64_t *out); /* "100ms" "1s" "5000us" "5000" */
int iso_parse_size(const char *s, int64_t *out);	/* "512M" "4G" "1024" "max" */
int iso_parse_count(const char *s, int64_t *out);	/* "512" "max" */

/* Formats a value back for humans ("50%", "100ms", "4G", "max", "unset"). */
void iso_format_percent(int64_t v, char *buf, size_t len);
void iso_format_size(int64_t v, char *buf, size_t len);
void iso_format_duration_us(int64_t v, char *buf, size_t len); /* "100ms" */

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
};

struct iso_policy {
	enum iso_match match;
	char rule_name[ISO_NAME_MAX + 1]; /* user/group section or exempt entry */
	int rule_line;			  /* 0 for built-in default */
	struct iso_limits lim;		  /* fully resolved, no ISO_UNSET left
					   * except cpu_quota/cpu_weight/tasks_max/
					   * memory_max/tmp_size meaning "not managed" */
	/* The group section that matched, also when a user section overrode
	 * it ("user alice (line 12) over group students (line 8)"); empty
	 * and 0 when no group section matched. */
	char group_name[ISO_NAME_MAX + 1];
	int group_line;
};

/*
 * Resolves the policy for a user given the names of all groups they are a
 * member of (primary first). Precedence per key: user section > first
 * matching group section in file order > default section > built-in.
 */
int iso_policy_resolve(const struct iso_config *cfg, const char *user, const char *const *groups,
		       size_t ngroups, struct iso_policy *out);

/* Looks up a user's uid, primary gid and group names (NSS). Caller frees
 * with iso_groups_free. Returns -ENOENT for unknown users. */
int iso_user_lookup(const char *user, uid_t *uid, gid_t *gid, char ***groups, size_t *ngroups);
void iso_groups_free(char **groups, size_t ngroups);

/* Short text for logs/explain: "user alice (line 12)", "group students
 * (line 8)", "default (line 3)", "exempt user root". */
void iso_policy_describe(const struct iso_policy *p, char *buf, size_t len);

#endif
