/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * isolatectl explain: which rule applies to a user and why, every resolved
 * key with the section it came from, and what this machine's cgroup layout
 * makes of it. A dry run: it reads the config, NSS and the mounts, and
 * changes nothing. The verdict follows the helper's order (session.c):
 * uid 0, then exempt lists, then the rule, then the controllers.
 */
#define _GNU_SOURCE
#include "ctl.h"

#include <errno.h>
#include <pwd.h>
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "systemd.h"

struct explain {
	const struct iso_config *cfg;
	const char *user;
	uid_t uid;
	char **groups;
	size_t ngroups;
	struct iso_policy pol;
	struct ctl_machine m;
	unsigned needed, avail;
};

static bool ex_in_groups(const struct explain *x, const char *name)
{
	for (size_t i = 0; i < x->ngroups; i++)
		if (!strcmp(x->groups[i], name))
			return true;
	return false;
}

/* "line 12" in the main file, "FILE:12" in a drop-in (file NULL: the
 * main file, as iso_policy records it). */
static const char *ex_at(const struct explain *x, const char *file, int line, char *buf, size_t len)
{
	if (file && strcmp(file, x->cfg->path))
		snprintf(buf, len, "%s:%d", file, line);
	else
		snprintf(buf, len, "line %d", line);
	return buf;
}

/* Where a key's value comes from, as the policy recorded it: user >
 * first matching group > default > built-in, per key (isolate.conf(5)),
 * with the file when a drop-in. */
static void ex_key_source(const struct explain *x, size_t i, char *buf, size_t len)
{
	const struct iso_policy *p = &x->pol;
	int64_t v = iso_key_get(&iso_keys[i], &p->lim);
	char at[PATH_MAX + 16];

	switch (p->from[i]) {
	case ISO_FROM_USER:
		snprintf(buf, len, "user %s (%s)", x->user,
			 ex_at(x, p->user_file, p->user_line, at, sizeof(at)));
		break;
	case ISO_FROM_GROUP:
		snprintf(buf, len, "group %s (%s)", p->group_name,
			 ex_at(x, p->group_file, p->group_line, at, sizeof(at)));
		break;
	case ISO_FROM_DEFAULT:
		snprintf(buf, len, "default (%s)",
			 ex_at(x, p->default_file, p->default_line, at, sizeof(at)));
		break;
	default:
		if (v == ISO_UNSET && iso_keys[i].unset)
			snprintf(buf, len, "not set: %s", iso_keys[i].unset);
		else if (v == ISO_UNSET)
			snprintf(buf, len, "not set anywhere: not managed");
		else if (iso_keys[i].off == offsetof(struct iso_limits, mode) &&
			 x->cfg->mode != ISO_UNSET)
			snprintf(buf, len, "top level");
		else
			snprintf(buf, len, "built-in");
	}
}

/* The keys of one group, in the table's order, with their source and
 * the table's remark on the value. */
static void ex_print_keys(const struct explain *x, enum iso_key_group group)
{
	char val[64], src[PATH_MAX + 96], note[96];

	for (size_t i = 0; i < ISO_NKEYS; i++) {
		const struct iso_key *k = &iso_keys[i];
		int64_t v = iso_key_get(k, &x->pol.lim);

		if (k->group != group)
			continue;
		if (v == ISO_UNSET)
			snprintf(val, sizeof(val), "not set");
		else
			iso_key_format(k, v, val, sizeof(val));
		ex_key_source(x, i, src, sizeof(src));
		note[0] = '\0';
		if (k->note)
			k->note(&x->pol, v, note, sizeof(note));
		printf("  %-16s %-16s %s%s%s\n", k->name, val, src, note[0] ? "; " : "", note);
	}
}

static void ex_print_list(const char *key, char *const *list, size_t n)
{
	printf("%s is {", key);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? ", " : " ", list[i]);
	printf(" }");
}

/* The "!name" entry that takes the user out of an exemption, if any. */
static const char *ex_negation(const struct explain *x)
{
	const struct iso_config *cfg = x->cfg;

	for (size_t i = 0; i < cfg->n_exempt_users + cfg->n_exempt_groups; i++) {
		const char *e = i < cfg->n_exempt_users
					? cfg->exempt_users[i]
					: cfg->exempt_groups[i - cfg->n_exempt_users];

		if (e[0] == '!' && (!strcmp(e + 1, x->user) || ex_in_groups(x, e + 1)))
			return e;
	}
	return NULL;
}

static void ex_print_exempt(const struct explain *x)
{
	const struct iso_config *cfg = x->cfg;
	const char *neg = ex_negation(x);

	if (x->pol.match == ISO_MATCH_EXEMPT_USER) {
		printf("  - %s is listed in exempt_users: exemption wins over every rule\n",
		       x->user);
		return;
	}
	if (x->pol.match == ISO_MATCH_EXEMPT_GROUP) {
		printf("  - group %s is listed in exempt_groups: exemption wins over every "
		       "rule\n",
		       x->pol.rule_name);
		return;
	}
	printf("  - %s: ", neg ? "not exempt" : "not listed as exempt");
	ex_print_list("exempt_users", cfg->exempt_users, cfg->n_exempt_users);
	printf(", ");
	ex_print_list("exempt_groups", cfg->exempt_groups, cfg->n_exempt_groups);
	printf("\n");
	if (neg)
		printf("  - the entry \"%s\" keeps %s confined, listed or not (a \"!\" entry "
		       "wins over the listings)\n",
		       neg, x->user);
	if (x->pol.match == ISO_MATCH_EXEMPT_UID)
		printf("  - uid %u is below min_uid %lld%s: system accounts are left alone\n",
		       (unsigned)x->uid, (long long)cfg->min_uid,
		       cfg->min_uid_line ? "" : " (built-in)");
	else
		printf("  - uid %u is not below min_uid %lld%s\n", (unsigned)x->uid,
		       (long long)cfg->min_uid, cfg->min_uid_line ? "" : " (built-in)");
}

static void ex_print_why(const struct explain *x)
{
	const struct iso_config *cfg = x->cfg;
	char at[PATH_MAX + 16];
	bool any = false;

	printf("\nWhy:\n");
	ex_print_exempt(x);
	if (x->pol.user_line)
		printf("  - user section \"%s\" (%s) names %s: its keys win\n", x->user,
		       ex_at(x, x->pol.user_file, x->pol.user_line, at, sizeof(at)), x->user);
	else
		printf("  - no user section names %s\n", x->user);
	for (size_t i = 0; i < cfg->n_groups; i++) {
		const struct iso_rule *g = &cfg->groups[i];

		if (!ex_in_groups(x, g->name))
			continue;
		if (!any)
			printf("  - group sections for %s's groups, in file order (the first "
			       "one counts):\n",
			       x->user);
		any = true;
		printf("      %-16s %-10s %s\n", g->name,
		       ex_at(x, g->file, g->line, at, sizeof(at)),
		       !strcmp(g->name, x->pol.group_name)
			       ? "used"
			       : "not used: an earlier group section matched");
	}
	if (!any)
		printf("  - no group section names any of %s's groups\n", x->user);
	if (cfg->has_default)
		printf("  - default section (%s): keys no section above sets\n",
		       ex_at(x, cfg->default_file, cfg->default_line, at, sizeof(at)));
	else
		printf("  - no default section\n");
	printf("  - built-in values for the rest\n");
}

/* The backend the helper will pick (helper/systemd.c, sysd_pick_backend):
 * the caller's place is only known at login, so auto is shown for both. */
static void ex_print_backend(const struct explain *x)
{
	enum iso_backend want = x->cfg->cgroup_backend;
	bool runs = sysd_running(SYSD_RUN_SYSTEM);
	char slice[64] = "";

	sysd_user_slice(x->uid, slice, sizeof(slice));
	printf("  %-12s ", "backend");
	if (want == ISO_BACKEND_CGROUPFS)
		printf("cgroupfs (cgroup_backend = cgroupfs)\n");
	else if (!runs && want == ISO_BACKEND_AUTO)
		printf("cgroupfs (cgroup_backend = auto; systemd does not run as init here)\n");
	else if (!runs)
		printf("systemd (cgroup_backend = systemd): FAILS here, systemd does not run as "
		       "init; on_cgroup_error = %s\n",
		       x->cfg->on_cgroup_error == ISO_ON_ERROR_ALLOW ? "allow" : "deny");
	else
		printf("systemd%s: the limits go on %s, the session stays in its logind "
		       "scope%s\n",
		       want == ISO_BACKEND_AUTO ? " for sessions pam_systemd placed (auto)" : "",
		       slice,
		       want == ISO_BACKEND_AUTO ? "; cgroupfs below for any other session" : "");
}

static void ex_print_layout(struct explain *x)
{
	struct ctl_machine *m = &x->m;
	char path[PATH_MAX];

	printf("\ncgroups on this machine:\n");
	if (!m->have_layout || !m->cg) {
		printf("  layout       unusable: %s\n", m->err.msg);
		return;
	}
	ex_print_backend(x);
	if (m->layout.version == CG_V2)
		printf("  layout       v2 (unified) at %s\n", m->layout.v2_path);
	else if (m->layout.v2_path[0])
		printf("  layout       hybrid: controllers on v1, a cgroup2 mount at %s "
		       "(not used)\n",
		       m->layout.v2_path);
	else
		printf("  layout       v1\n");
	for (unsigned bit = 1; bit & CG_ALL; bit <<= 1) {
		const char *mount = m->layout.version == CG_V2
					    ? m->layout.v2_path
					    : m->layout.v1_path[__builtin_ctz(bit)];
		bool need = x->needed & bit, have = x->avail & bit;

		printf("  %-12s %-24s %-11s %s\n", cg_ctrl_name(bit), mount[0] ? mount : "-",
		       need ? "needed" : "not needed",
		       have   ? "available"
		       : need ? "MISSING: sessions would fail"
			      : "missing");
	}
	for (unsigned bit = 1, first = 1; bit & CG_ALL; bit <<= 1) {
		if (!(x->needed & bit & x->avail) ||
		    cg_path(m->cg, bit, x->uid, "", path, sizeof(path)) < 0)
			continue;
		printf("  %-12s %s\n", first ? "user cgroup" : "", path);
		first = 0;
		if (m->layout.version == CG_V2)
			break;
	}
	if (x->needed & x->avail)
		printf("  %-12s session-<16 hex digits> below the user cgroup%s\n", "leaves",
		       x->pol.lim.namespaces ? "; the sandbox holder in holder" : "");
}

static const char *ex_verdict(struct explain *x, char *buf, size_t len)
{
	unsigned missing = x->needed & ~x->avail;
	bool deny = x->cfg->on_cgroup_error == ISO_ON_ERROR_DENY;
	struct iso_err e;
	int r;

	if (x->uid == 0)
		return "exempt: uid 0 is never confined, whatever the config says";
	if (x->pol.match == ISO_MATCH_EXEMPT_USER)
		return "exempt: listed in exempt_users; sessions are left alone";
	if (x->pol.match == ISO_MATCH_EXEMPT_GROUP) {
		snprintf(buf, len, "exempt: member of group %s, listed in exempt_groups",
			 x->pol.rule_name);
		return buf;
	}
	if (x->pol.match == ISO_MATCH_EXEMPT_UID) {
		snprintf(buf, len, "exempt: uid %u is below min_uid %lld", (unsigned)x->uid,
			 (long long)x->cfg->min_uid);
		return buf;
	}
	/* The helper's own check (iso_limits_check): what it refuses at
	 * every login is refused here too, in its words. */
	iso_err_clear(&e);
	r = iso_limits_check(&x->pol.lim, x->cfg->cgroup_backend, "the rule", &e);
	if (r < 0) {
		enum iso_on_error cls =
			r == -ERANGE ? x->cfg->on_cgroup_error : x->cfg->on_config_error;
		bool cdeny = cls == ISO_ON_ERROR_DENY;

		for (char *nl = e.msg; (nl = strchr(nl, '\n'));)
			*nl = ';';
		snprintf(buf, len, "FAILS on this machine: %.600s; %s = %s: %s", e.msg,
			 r == -ERANGE ? "on_cgroup_error" : "on_config_error",
			 cdeny ? "deny" : "allow",
			 cdeny ? "the login is refused" : "the login goes on unconfined");
		return buf;
	}
	if (x->needed && x->cfg->cgroup_backend == ISO_BACKEND_SYSTEMD &&
	    !sysd_running(SYSD_RUN_SYSTEM)) {
		snprintf(buf, len,
			 "FAILS on this machine: cgroup_backend = systemd, but systemd does not "
			 "run as init; on_cgroup_error = %s: %s",
			 deny ? "deny" : "allow",
			 deny ? "the login is refused" : "the login goes on unconfined");
		return buf;
	}
	if (x->needed && (!x->m.cg || missing)) {
		snprintf(buf, len, "FAILS on this machine: %s; on_cgroup_error = %s: %s",
			 !x->m.cg ? "no usable cgroup hierarchy" : "a needed controller is missing",
			 deny ? "deny" : "allow",
			 deny ? "the login is refused" : "the login goes on unconfined");
		return buf;
	}
	if (!x->needed && !x->pol.lim.namespaces)
		return "nothing to do: the rule sets no limit and no namespace";
	snprintf(buf, len, "confined: each session joins %s%s%s",
		 x->needed ? "the user cgroup" : "",
		 x->needed && x->pol.lim.namespaces ? " and " : "",
		 !x->pol.lim.namespaces				 ? ""
		 : x->pol.lim.sandbox == ISO_SANDBOX_PER_SESSION ? "a sandbox of its own"
								 : "the user's sandbox");
	return buf;
}

static const char *ex_choice(enum iso_on_error e)
{
	return e == ISO_ON_ERROR_ALLOW ? "allow (the login goes on unconfined)"
				       : "deny (the login is refused)";
}

static void ex_print_on_error(const struct iso_config *cfg)
{
	printf("\nWhen setting up a session fails (on_error = %s):\n",
	       cfg->on_error == ISO_ON_ERROR_ALLOW ? "allow" : "deny");
	printf("  %-18s %s\n", "on_config_error", ex_choice(cfg->on_config_error));
	printf("  %-18s %s\n", "on_cgroup_error", ex_choice(cfg->on_cgroup_error));
	printf("  %-18s %s\n", "on_namespace_error", ex_choice(cfg->on_namespace_error));
}

static void ex_print_services(const struct iso_config *cfg)
{
	printf("Services:    ");
	if (!cfg->n_services) {
		printf("all (no services key)\n");
		return;
	}
	for (size_t i = 0; i < cfg->n_services; i++)
		printf("%s%s", i ? ", " : "", cfg->services[i]);
	printf(" only: other PAM services leave every user alone\n");
}

static void ex_print_explain(struct explain *x)
{
	char desc[160], buf[1024];

	iso_policy_describe(&x->pol, desc, sizeof(desc));
	printf("User:        %s (uid %u)\n", x->user, (unsigned)x->uid);
	printf("Groups:      ");
	for (size_t i = 0; i < x->ngroups; i++)
		printf("%s%s", i ? " " : "", x->groups[i]);
	printf("%s\n", x->ngroups ? "" : "(none)");
	printf("Config:      %s\n", x->cfg->path);
	for (size_t i = 0; i < x->cfg->n_dropins; i++)
		printf("             %s\n", x->cfg->dropins[i]);
	ex_print_services(x->cfg);
	printf("Rule:        %s\n", x->uid == 0 ? "root (always exempt)" : desc);
	printf("Verdict:     %s\n", ex_verdict(x, buf, sizeof(buf)));
	printf("Mode:        %s\n", x->pol.lim.mode == ISO_MODE_AUDIT
					    ? "audit: placed and accounted, no limit, no namespace"
					    : "enforce");
	if (x->uid == 0)
		return;
	ex_print_why(x);
	if (x->pol.match == ISO_MATCH_EXEMPT_USER || x->pol.match == ISO_MATCH_EXEMPT_GROUP ||
	    x->pol.match == ISO_MATCH_EXEMPT_UID)
		printf("\nWere %s not exempt, the rule would give:\n", x->user);
	printf("\nLimits (one cgroup per user, shared by all of %s's sessions):\n", x->user);
	ex_print_keys(x, ISO_KG_LIMITS);
	printf("\nSandbox:\n");
	ex_print_keys(x, ISO_KG_SANDBOX);
	/* systemd checks its peers' and its own children's pids through
	 * /proc: in a pid namespace they name nothing */
	if ((x->pol.lim.namespaces & ISO_NS_PID) && sysd_running(SYSD_RUN_SYSTEM))
		printf("  systemd host: the pid namespace breaks systemctl --user, every sd-bus "
		       "peer check and units with PAMName= (systemd-run -p PAMName=, "
		       "systemctl -M %s@); hide_processes = yes with namespaces = { user, "
		       "mount } hides as much and breaks none of it\n",
		       x->user);
	printf("\nSession:\n");
	ex_print_keys(x, ISO_KG_SESSION);
	if (x->pol.lim.on_logout == ISO_LOGOUT_KILL)
		printf("  at the last logout every process of %s is killed\n", x->user);
	else
		printf("  at the last logout processes stay; the sandbox goes when they are "
		       "gone\n");
	ex_print_layout(x);
	ctl_print_pam_services(x->pol.lim.namespaces & ISO_NS_PID);
	ex_print_on_error(x->cfg);
}

/* A user name, or a uid as status takes it ("explain 1000"). Sets
 * name (the passwd name for a uid) or returns the exit code. */
static int ex_user_arg(const char *arg, char *name, size_t len)
{
	struct passwd *pw;
	char *end;
	unsigned long v;

	if (arg[0] >= '0' && arg[0] <= '9') {
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || *end || v > UINT32_MAX - 1) {
			ctl_warn("explain: \"%s\" is not a valid uid", arg);
			return CTL_USAGE;
		}
		pw = getpwuid((uid_t)v);
		if (!pw || !iso_valid_name(pw->pw_name)) {
			ctl_warn("explain: no user with uid %lu", v);
			return CTL_FAIL;
		}
		snprintf(name, len, "%s", pw->pw_name);
		return CTL_OK;
	}
	if (!iso_valid_name(arg)) {
		ctl_warn("explain: \"%s\" is not a valid user name", arg);
		return CTL_USAGE;
	}
	snprintf(name, len, "%s", arg);
	return CTL_OK;
}

int cmd_explain(int argc, char **argv)
{
	struct iso_config *cfg = NULL;
	struct explain x;
	struct ctl_args a;
	struct iso_err err;
	char name[ISO_NAME_MAX + 1];
	gid_t gid;
	int r;

	memset(&x, 0, sizeof(x));
	r = ctl_parse(argc, argv, false, 0, 1, &a);
	if (r != CTL_OK)
		goto out;
	if (a.npos == 0) {
		/* oneself: explain needs no root, only the 0644 config */
		char uidbuf[16];

		snprintf(uidbuf, sizeof(uidbuf), "%u", (unsigned)getuid());
		r = ex_user_arg(uidbuf, name, sizeof(name));
	} else {
		r = ex_user_arg(a.pos[0], name, sizeof(name));
	}
	if (r != CTL_OK)
		goto out;
	x.user = name;
	r = iso_user_lookup(x.user, &x.uid, &gid, &x.groups, &x.ngroups);
	if (r < 0) {
		ctl_warn("explain: %s: %s", x.user, r == -ENOENT ? "no such user" : strerror(-r));
		r = CTL_FAIL;
		goto out;
	}
	if (iso_config_load(a.conf, true, &cfg, &err) < 0) {
		/* The helper decides uid 0 before it reads the config: say
		 * so rather than fail on a config root does not need. */
		if (x.uid == 0) {
			printf("User:        %s (uid 0)\n", x.user);
			printf("Config:      %s (not usable: root does not need it)\n", a.conf);
			printf("Rule:        root (always exempt)\n");
			printf("Verdict:     exempt: uid 0 is never confined, whatever the config "
			       "says\n");
			r = CTL_OK;
			goto out;
		}
		ctl_print_err(&err);
		r = err.code == -EACCES && geteuid() != 0 ? CTL_NEEDS_ROOT : CTL_FAIL;
		if (r == CTL_NEEDS_ROOT)
			ctl_warn("%s is readable by root only: run as root", a.conf);
		goto out;
	}
	x.cfg = cfg;
	r = iso_policy_resolve(cfg, x.user, x.uid, (const char *const *)x.groups, x.ngroups,
			       &x.pol);
	if (r < 0) {
		ctl_warn("explain: cannot resolve the rule for %s: %s", x.user, strerror(-r));
		r = CTL_FAIL;
		goto out;
	}
	x.needed = cg_needed(&x.pol.lim);
	if (ctl_machine_open(cfg->cgroup_root, &x.m) == 0)
		x.avail = cg_available(x.m.cg);
	ex_print_explain(&x);
	r = CTL_OK;
out:
	ctl_machine_close(&x.m);
	iso_groups_free(x.groups, x.ngroups);
	iso_config_free(cfg);
	return r < 0 ? CTL_OK : r;
}
