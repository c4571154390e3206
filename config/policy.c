/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rule resolution: which limits apply to a user, and why. Pure functions of
 * the parsed config plus the user's uid and group names (and the PAM
 * service for the scope check), so isolatectl's "explain" and the helper
 * always agree. The only I/O is iso_user_lookup (NSS).
 */
#include "isolate_config.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Bounds for NSS answers: a broken directory must not make us allocate
 * without end. 65536 is the kernel's NGROUPS_MAX. */
#define LOOKUP_BUF_MAX	  (1024 * 1024)
#define LOOKUP_GROUPS_MAX 65536

/* Is name in an exempt list as a plain entry (negated false) or as a
 * "!name" entry (negated true)? */
static bool name_in(const char *name, char *const *list, size_t n, bool negated)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (list[i] && (list[i][0] == '!') == negated &&
		    strcmp(list[i] + negated, name) == 0)
			return true;
	}
	return false;
}

static const char *first_group_in(const char *const *groups, size_t ngroups, char *const *list,
				  size_t n, bool negated)
{
	size_t i;

	for (i = 0; i < ngroups; i++) {
		if (groups[i] && name_in(groups[i], list, n, negated))
			return groups[i];
	}
	return NULL;
}

/*
 * A "!name" entry in either exempt list un-exempts the user it names or
 * the members of the group it names, whichever list exempted them:
 * exempt_groups = { staff } with exempt_users = { "!bob" } confines bob.
 * Negation wins so that one line can take someone out of a broad
 * exemption without restructuring the groups.
 */
static bool exempt_negated(const struct iso_config *cfg, const char *user,
			   const char *const *groups, size_t ngroups)
{
	return name_in(user, cfg->exempt_users, cfg->n_exempt_users, true) ||
	       first_group_in(groups, ngroups, cfg->exempt_groups, cfg->n_exempt_groups, true);
}

/* A rule's file for messages: NULL for the main file (they say "line
 * N"), the drop-in's path otherwise ("FILE:N"). */
static const char *dropin_file(const struct iso_config *cfg, const char *file)
{
	return file && cfg->path && strcmp(file, cfg->path) != 0 ? file : NULL;
}

/* "line 12" or "/etc/security/isolate.conf.d/50-lab.conf:12" */
static void where(char *buf, size_t len, const char *file, int line)
{
	if (file)
		snprintf(buf, len, "%s:%d", file, line);
	else
		snprintf(buf, len, "line %d", line);
}

int iso_policy_resolve(const struct iso_config *cfg, const char *user, uid_t uid,
		       const char *const *groups, size_t ngroups, struct iso_policy *out)
{
	struct iso_policy p;
	const struct iso_rule *grp = NULL, *usr = NULL;
	const char *exempt_group = NULL;
	bool negated;
	size_t i, j;

	if (!cfg || !user || !out || (ngroups > 0 && !groups))
		return -EINVAL;

	memset(&p, 0, sizeof(p));
	iso_limits_builtin(&p.lim); /* p.from: all ISO_FROM_BUILTIN */
	p.match = ISO_MATCH_DEFAULT;
	p.uid = uid;
	p.min_uid = cfg->min_uid;
	snprintf(p.rule_name, sizeof(p.rule_name), "built-in");
	/* the top-level mode stands in for the built-in one */
	if (cfg->mode != ISO_UNSET)
		p.lim.mode = cfg->mode;

	if (cfg->has_default) {
		iso_limits_overlay(&p.lim, &cfg->defaults, p.from, ISO_FROM_DEFAULT);
		snprintf(p.rule_name, sizeof(p.rule_name), "default");
		p.rule_line = p.default_line = cfg->default_line;
		p.rule_file = p.default_file = dropin_file(cfg, cfg->default_file);
	}

	/* File order decides among groups, not the order NSS lists them in:
	 * the admin can see and change file order, not NSS order. */
	for (i = 0; i < cfg->n_groups && !grp; i++) {
		for (j = 0; j < ngroups; j++) {
			if (groups[j] && strcmp(cfg->groups[i].name, groups[j]) == 0) {
				grp = &cfg->groups[i];
				break;
			}
		}
	}
	if (grp) {
		iso_limits_overlay(&p.lim, &grp->lim, p.from, ISO_FROM_GROUP);
		p.match = ISO_MATCH_GROUP;
		snprintf(p.rule_name, sizeof(p.rule_name), "%s", grp->name);
		p.rule_line = grp->line;
		p.rule_file = dropin_file(cfg, grp->file);
		snprintf(p.group_name, sizeof(p.group_name), "%s", grp->name);
		p.group_line = grp->line;
		p.group_file = p.rule_file;
	}

	for (i = 0; i < cfg->n_users; i++) {
		if (strcmp(cfg->users[i].name, user) == 0) {
			usr = &cfg->users[i];
			break;
		}
	}
	if (usr) {
		iso_limits_overlay(&p.lim, &usr->lim, p.from, ISO_FROM_USER);
		p.match = ISO_MATCH_USER;
		snprintf(p.rule_name, sizeof(p.rule_name), "%s", usr->name);
		p.rule_line = p.user_line = usr->line;
		p.rule_file = p.user_file = dropin_file(cfg, usr->file);
	}
	p.mount_implied = iso_limits_imply(&p.lim);

	/* Exemption wins over every rule; lim stays filled for "explain". */
	negated = exempt_negated(cfg, user, groups, ngroups);
	if (!negated && name_in(user, cfg->exempt_users, cfg->n_exempt_users, false)) {
		p.match = ISO_MATCH_EXEMPT_USER;
		snprintf(p.rule_name, sizeof(p.rule_name), "%s", user);
		p.rule_line = 0;
		p.rule_file = NULL;
	} else if (!negated && (exempt_group = first_group_in(groups, ngroups, cfg->exempt_groups,
							      cfg->n_exempt_groups, false))) {
		p.match = ISO_MATCH_EXEMPT_GROUP;
		snprintf(p.rule_name, sizeof(p.rule_name), "%s", exempt_group);
		p.rule_line = 0;
		p.rule_file = NULL;
	} else if ((int64_t)uid < cfg->min_uid) {
		/* After the lists: "!name" un-exempts from the lists only;
		 * system accounts stay out of reach unless min_uid says
		 * otherwise. */
		p.match = ISO_MATCH_EXEMPT_UID;
		snprintf(p.rule_name, sizeof(p.rule_name), "min_uid");
		p.rule_line = cfg->min_uid_line;
		p.rule_file = NULL;
	}

	*out = p;
	return 0;
}

void iso_policy_describe(const struct iso_policy *p, char *buf, size_t len)
{
	char w1[PATH_MAX + 16], w2[PATH_MAX + 16];

	if (!buf || len == 0)
		return;
	if (!p) {
		snprintf(buf, len, "none");
		return;
	}
	switch (p->match) {
	case ISO_MATCH_EXEMPT_USER:
		snprintf(buf, len, "exempt user %s", p->rule_name);
		break;
	case ISO_MATCH_EXEMPT_GROUP:
		snprintf(buf, len, "exempt group %s", p->rule_name);
		break;
	case ISO_MATCH_EXEMPT_UID:
		snprintf(buf, len, "uid %u below min_uid %lld", (unsigned int)p->uid,
			 (long long)p->min_uid);
		break;
	case ISO_MATCH_USER:
		where(w1, sizeof(w1), p->rule_file, p->rule_line);
		where(w2, sizeof(w2), p->group_file, p->group_line);
		if (p->group_name[0])
			snprintf(buf, len, "user %s (%s) over group %s (%s)", p->rule_name, w1,
				 p->group_name, w2);
		else
			snprintf(buf, len, "user %s (%s)", p->rule_name, w1);
		break;
	case ISO_MATCH_GROUP:
		where(w1, sizeof(w1), p->rule_file, p->rule_line);
		snprintf(buf, len, "group %s (%s)", p->rule_name, w1);
		break;
	case ISO_MATCH_DEFAULT:
	default:
		where(w1, sizeof(w1), p->rule_file, p->rule_line);
		if (p->rule_line > 0)
			snprintf(buf, len, "default (%s)", w1);
		else
			snprintf(buf, len, "built-in default");
		break;
	}
}

bool iso_config_service_in_scope(const struct iso_config *cfg, const char *service)
{
	size_t i;

	if (!cfg)
		return false;
	if (cfg->n_services == 0)
		return true;
	/* Linux-PAM lower-cases the service name in pam_start(), so "SSHD"
	 * in the config must still match the sshd service. */
	for (i = 0; service && i < cfg->n_services; i++) {
		if (cfg->services[i] && strcasecmp(cfg->services[i], service) == 0)
			return true;
	}
	return false;
}

void iso_groups_free(char **groups, size_t ngroups)
{
	size_t i;

	if (!groups)
		return;
	for (i = 0; i < ngroups; i++)
		free(groups[i]);
	free(groups);
}

/* getpwnam_r/getgrgid_r want a caller buffer of unknown size: start from
 * sysconf's hint and double on ERANGE, up to LOOKUP_BUF_MAX. */
static size_t initial_bufsize(int name)
{
	long hint = sysconf(name);

	if (hint < 1024 || hint > LOOKUP_BUF_MAX)
		return 16384;
	return (size_t)hint;
}

/* A getpwnam_r (name set) or getgrgid_r (name NULL) and its answer. */
struct nss_query {
	const char *name;
	gid_t gid;
	struct passwd pw, *pwres;
	struct group gr, *grres;
};

/* Runs q into *buf (malloc'd; the caller frees it, also on error),
 * growing it on ERANGE. Returns the lookup's own result (0 or a positive
 * errno value) or -ENOMEM / -ERANGE. */
static int nss_lookup(struct nss_query *q, char **buf)
{
	size_t size = initial_bufsize(q->name ? _SC_GETPW_R_SIZE_MAX : _SC_GETGR_R_SIZE_MAX);
	char *tmp;
	int r;

	for (;;) {
		tmp = realloc(*buf, size);
		if (!tmp)
			return -ENOMEM;
		*buf = tmp;
		if (q->name)
			r = getpwnam_r(q->name, &q->pw, *buf, size, &q->pwres);
		else
			r = getgrgid_r(q->gid, &q->gr, *buf, size, &q->grres);
		if (r != ERANGE)
			return r;
		if (size >= LOOKUP_BUF_MAX)
			return -ERANGE;
		size *= 2;
	}
}

/* What getpwnam_r/getgrgid_r return, with no entry, for "no such name"
 * (getpwnam(3)); anything else is a failure of the lookup itself. */
static bool nss_not_found(int r)
{
	return r == 0 || r == ENOENT || r == ESRCH || r == EBADF || r == EPERM;
}

/* Returns 0 and sets *name (malloc'd) or NULL when the gid has no name. */
static int gid_name(gid_t gid, char **name)
{
	struct nss_query q = {.gid = gid};
	char *buf = NULL;
	int r;

	*name = NULL;
	r = nss_lookup(&q, &buf);
	if (r < 0)
		goto out;
	/* a gid without a group is no name; an NSS failure (sssd or LDAP
	 * down) is an error: a group missing from the list could be one a
	 * rule or a "!group" take-back names */
	if (!q.grres && !nss_not_found(r)) {
		r = r > 0 ? -r : -EIO;
		goto out;
	}
	r = 0;
	if (q.grres) {
		*name = strdup(q.grres->gr_name);
		if (!*name)
			r = -ENOMEM;
	}
out:
	free(buf);
	return r;
}

int iso_user_lookup(const char *user, uid_t *uid, gid_t *gid, char ***groups, size_t *ngroups)
{
	struct nss_query q = {.name = user};
	char *buf = NULL, **names = NULL, *name;
	gid_t *gids = NULL, *gtmp;
	int ngids = 64, n = 0, i, r;
	gid_t pw_gid;
	uid_t pw_uid;

	if (!user || !uid || !gid || !groups != !ngroups)
		return -EINVAL;

	r = nss_lookup(&q, &buf);
	if (r < 0)
		goto out;
	if (!q.pwres && nss_not_found(r)) {
		r = -ENOENT;
		goto out;
	}
	if (!q.pwres) {
		r = -r;
		goto out;
	}
	pw_uid = q.pw.pw_uid;
	pw_gid = q.pw.pw_gid;
	if (!groups) {
		/* ids only: the group list is the costly part (every NSS
		 * module's initgroups, then a lookup per gid) */
		*uid = pw_uid;
		*gid = pw_gid;
		r = 0;
		goto out;
	}

	for (;;) {
		int want = ngids;

		gtmp = realloc(gids, (size_t)ngids * sizeof(*gids));
		if (!gtmp) {
			r = -ENOMEM;
			goto out;
		}
		gids = gtmp;
		if (getgrouplist(q.pw.pw_name, pw_gid, gids, &want) >= 0) {
			ngids = want;
			break;
		}
		/* glibc sets want to the size needed; grow at least twofold
		 * so a misbehaving NSS module cannot keep us looping. */
		if (ngids >= LOOKUP_GROUPS_MAX) {
			r = -E2BIG;
			goto out;
		}
		ngids = want > ngids * 2 ? want : ngids * 2;
		if (ngids > LOOKUP_GROUPS_MAX)
			ngids = LOOKUP_GROUPS_MAX;
	}

	names = calloc((size_t)ngids + 1, sizeof(*names));
	if (!names) {
		r = -ENOMEM;
		goto out;
	}
	/* Primary group first, then the others once each, in NSS order. */
	r = gid_name(pw_gid, &name);
	if (r < 0)
		goto out;
	if (name)
		names[n++] = name;
	for (i = 0; i < ngids; i++) {
		int k;
		bool dup = gids[i] == pw_gid;

		for (k = 0; k < i && !dup; k++)
			dup = gids[k] == gids[i];
		if (dup)
			continue;
		r = gid_name(gids[i], &name);
		if (r < 0)
			goto out;
		/* A gid without a name cannot match a group section. */
		if (name)
			names[n++] = name;
	}

	*uid = pw_uid;
	*gid = pw_gid;
	*groups = names;
	*ngroups = (size_t)n;
	names = NULL;
	r = 0;
out:
	if (names)
		iso_groups_free(names, (size_t)n);
	free(gids);
	free(buf);
	return r;
}

bool iso_config_uses_groups(const struct iso_config *cfg)
{
	return cfg && (cfg->n_groups > 0 || cfg->n_exempt_groups > 0);
}
