/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * isolate.conf: libconfuse schema and validation with file:line errors.
 * The pre-scan lexer is in scan.c, opening and checking the file in load.c.
 *
 * Threat model: the helper is setuid root and parses this file for every
 * login. The file decides how confined users are, so only root may be able
 * to change it or any directory on the way to it; a file anyone else could
 * have written is refused (and its on_error is not honoured either). Its
 * content comes from an admin, who must get a loud, precise error for any
 * mistake rather than a config that silently does nothing.
 *
 * Quirks of libconfuse 3.3 (all checked against its lexer.l and by test)
 * shape this file:
 *  - its lexer counts a line twice more for every '#' or '//' comment and
 *    once more for every C comment, so its line numbers drift in any
 *    commented file. We therefore lex the text ourselves first (scan_text),
 *    blank out the comments (newlines kept), and hand libconfuse the
 *    blanked copy: its line numbers are then right. The same pass finds
 *    the line of each section header, which libconfuse does not keep.
 *  - an unterminated C comment silently swallows the rest of the file, and
 *    end of file silently closes an open section: the pre-scan reports both.
 *  - it substitutes ${VAR} from the environment; the helper runs with a
 *    cleared environment and isolatectl does not, so the same file would
 *    mean two things: the pre-scan rejects "${".
 *  - a second value for a key silently replaces the first: the pre-scan
 *    reports keys given twice.
 *  - octal escapes can put a NUL into a string, cutting a value short
 *    without a word: rejected.
 */
#define _GNU_SOURCE /* O_PATH */
#include "config_internal.h"

#include <confuse.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const sec_names[SEC_NKINDS] = {"default", "group", "user"};

/* ---- top-level keys (the section keys are keys.c's table) ---- */

#define UID_LIMIT INT32_MAX /* uid_t values above are not portable */

/* A top-level number, checked like a section key (off is unused). */
static const struct iso_key min_uid_key = {
	.name = "min_uid",
	.parse = iso_parse_count,
	.min = 0,
	.max = UID_LIMIT,
	.expect = "a number from 0 to 2147483647",
	.range = "0 .. 2147483647",
};

/* The failure classes; each defaults to on_error. */
static const char *const on_error_keys[] = {"on_config_error", "on_cgroup_error",
					    "on_namespace_error"};
#define N_ON_ERROR_KEYS (sizeof(on_error_keys) / sizeof(on_error_keys[0]))

static const char *const deny_allow[] = {"deny", "allow"};
static const char *const backends[] = {"auto", "cgroupfs", "systemd"}; /* enum iso_backend */
/* login_message: as the section keys' booleans (odd index: on) */
static const char *const bool_words[] = {"no", "yes", "false", "true", "off", "on"};

static bool is_on_error_key(const char *name)
{
	size_t i;

	if (strcmp(name, "on_error") == 0)
		return true;
	for (i = 0; i < N_ON_ERROR_KEYS; i++) {
		if (strcmp(name, on_error_keys[i]) == 0)
			return true;
	}
	return false;
}

/* PAM service names are file names in /etc/pam.d; we only compare them,
 * but a strict charset keeps typos (quotes, blanks, commas) loud. */
static bool valid_service(const char *s)
{
	size_t n = strnlen(s, ISO_SERVICE_MAX + 1);

	if (n == 0 || n > ISO_SERVICE_MAX)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static bool valid_cgroup_root(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > ISO_CGROUP_ROOT_MAX || strcmp(s, ".") == 0 || strstr(s, ".."))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* ---- libconfuse glue ---- */

struct parse_ctx {
	const char *name;
	struct iso_err *err;
	const struct scan *sc;
	int last_line; /* of the last error libconfuse or a callback reported */
};

/*
 * libconfuse's error and validate callbacks get no user pointer, so the
 * context of the parse in progress is kept here. The library is used only
 * by single-threaded programs (helper, isolatectl, tests) and libconfuse's
 * own lexer state is global anyway.
 */
static struct parse_ctx *cur;

/* The line of the value being validated; noted as the line to blank
 * should the callback report an error there. */
static int cur_line(cfg_t *cfg)
{
	int line = cfg ? cfg->line : 0;

	if (cur)
		cur->last_line = line;
	return line;
}

static void on_confuse_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[512], arg[SHOW_MAX + 8], tbuf[SHOW_MAX + 8], where[SHOW_MAX + 64] = "";
	int line = cur_line(cfg);
	va_list aq;

	if (!cur)
		return;
	va_copy(aq, ap);
	/* Rewrite the two messages an admin will meet most; fmt is the
	 * untranslated text when the helper runs in the C locale. */
	if (strcmp(fmt, "no such option '%s'") == 0) {
		show(va_arg(aq, const char *), arg, sizeof(arg));
		if (cfg && cfg->title)
			snprintf(where, sizeof(where), " in %s \"%s\" section", cfg->name,
				 show(cfg->title, tbuf, sizeof(tbuf)));
		else if (cfg && cfg->name && strcmp(cfg->name, "root") != 0)
			snprintf(where, sizeof(where), " in %s section", cfg->name);
		snprintf(msg, sizeof(msg), "unknown key \"%s\"%s", arg, where);
	} else if (strcmp(fmt, "found duplicate title '%s'") == 0) {
		const struct scan_hdr *dup = NULL, *first = NULL;
		size_t i;

		show(va_arg(aq, const char *), arg, sizeof(arg));
		for (i = 0; cur->sc && i < cur->sc->nhdrs; i++) {
			const struct scan_hdr *h = &cur->sc->hdrs[i];

			if (h->line <= line && strcmp(show(h->title, tbuf, sizeof(tbuf)), arg) == 0)
				dup = h;
		}
		for (i = 0; dup && i < cur->sc->nhdrs; i++) {
			const struct scan_hdr *h = &cur->sc->hdrs[i];

			if (h != dup && h->kind == dup->kind &&
			    strcmp(show(h->title, tbuf, sizeof(tbuf)), arg) == 0) {
				first = h;
				break;
			}
		}
		if (dup && first) {
			line = dup->line;
			snprintf(msg, sizeof(msg), "duplicate %s \"%s\" section (first at line %d)",
				 sec_names[dup->kind], arg, first->line);
		} else {
			snprintf(msg, sizeof(msg), "duplicate section \"%s\"", arg);
		}
	} else {
		vsnprintf(msg, sizeof(msg), fmt, ap);
	}
	va_end(aq);
	cur->last_line = line;
	add_err(cur->err, cur->name, line, "%s", msg);
}

/* Validates the value just set for a key of a default/group/user section. */
static int validate_limit(cfg_t *cfg, cfg_opt_t *opt)
{
	const struct iso_key *k = iso_key_find(opt->name);
	unsigned int n = cfg_opt_size(opt);
	const char *s;
	int64_t v;

	if (!cur || !k || n == 0)
		return 0;
	/* Called after each element of a list and again at its end: the
	 * last element is the only one not yet checked. */
	s = cfg_opt_getnstr(opt, n - 1);
	if (!s || key_value(k, s, cur->name, cur_line(cfg), cur->err, &v) < 0)
		return -1;
	return 0;
}

static int validate_name_list(cfg_t *cfg, cfg_opt_t *opt)
{
	unsigned int n = cfg_opt_size(opt);
	const char *s;
	char buf[SHOW_MAX + 8];

	if (!cur || n == 0)
		return 0;
	if (n > ISO_CONFIG_MAX_LIST) {
		add_err(cur->err, cur->name, cur_line(cfg), "%s: more than %d entries", opt->name,
			ISO_CONFIG_MAX_LIST);
		return -1;
	}
	s = cfg_opt_getnstr(opt, n - 1);
	if (!s)
		return 0;
	if (strcmp(opt->name, "services") == 0) {
		if (valid_service(s))
			return 0;
		add_err(cur->err, cur->name, cur_line(cfg),
			"services: invalid service name \"%s\" (expected 1-%d letters, digits, "
			"'_', '.', '-')",
			show(s, buf, sizeof(buf)), ISO_SERVICE_MAX);
		return -1;
	}
	/* "!name" un-exempts (policy.c); exactly one '!', then a name. */
	if (s[0] == '!') {
		if (iso_valid_name(s + 1))
			return 0;
		add_err(cur->err, cur->name, cur_line(cfg),
			"%s: invalid negated entry \"%s\" (expected '!' and a %s name: 1-%d "
			"letters, digits, '_', '.', '-', starting with a letter or '_')",
			opt->name, show(s, buf, sizeof(buf)),
			strcmp(opt->name, "exempt_users") == 0 ? "user" : "group", ISO_NAME_MAX);
		return -1;
	}
	if (!iso_valid_name(s)) {
		add_err(cur->err, cur->name, cur_line(cfg),
			"%s: invalid %s name \"%s\" (expected 1-%d letters, digits, '_', '.', "
			"'-', starting with a letter or '_')",
			opt->name, strcmp(opt->name, "exempt_users") == 0 ? "user" : "group",
			show(s, buf, sizeof(buf)), ISO_NAME_MAX);
		return -1;
	}
	return 0;
}

static int validate_top(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *s = cfg_opt_getnstr(opt, 0);
	char buf[SHOW_MAX + 8];
	int64_t v;

	if (!cur || !s)
		return 0;
	if (is_on_error_key(opt->name) && parse_word(s, deny_allow, 2) < 0) {
		add_err(cur->err, cur->name, cur_line(cfg),
			"%s: invalid value \"%s\" (expected deny or allow)", opt->name,
			show(s, buf, sizeof(buf)));
		return -1;
	}
	if (strcmp(opt->name, "cgroup_backend") == 0 && parse_word(s, backends, 3) < 0) {
		add_err(cur->err, cur->name, cur_line(cfg),
			"cgroup_backend: invalid value \"%s\" (expected auto, cgroupfs or systemd)",
			show(s, buf, sizeof(buf)));
		return -1;
	}
	if (strcmp(opt->name, "login_message") == 0 && parse_word(s, bool_words, 6) < 0) {
		add_err(cur->err, cur->name, cur_line(cfg),
			"login_message: invalid value \"%s\" (expected yes or no)",
			show(s, buf, sizeof(buf)));
		return -1;
	}
	if (strcmp(opt->name, "mode") == 0 && iso_parse_mode(s, &v) < 0) {
		add_err(cur->err, cur->name, cur_line(cfg),
			"mode: invalid value \"%s\" (expected enforce or audit)",
			show(s, buf, sizeof(buf)));
		return -1;
	}
	if (strcmp(opt->name, "min_uid") == 0 &&
	    key_value(&min_uid_key, s, cur->name, cur_line(cfg), cur->err, &v) < 0)
		return -1;
	if (strcmp(opt->name, "cgroup_root") == 0 && !valid_cgroup_root(s)) {
		add_err(cur->err, cur->name, cur_line(cfg),
			"cgroup_root: invalid value \"%s\" (expected 1-%d letters, digits, '_', "
			"'.', '-'; not \".\" and no \"..\")",
			show(s, buf, sizeof(buf)), ISO_CGROUP_ROOT_MAX);
		return -1;
	}
	return 0;
}

/* Runs when a section closes: bounds the count, one default at most. */
static int validate_section(cfg_t *cfg, cfg_opt_t *opt)
{
	unsigned int n = cfg_opt_size(opt);
	int line;

	if (!cur)
		return 0;
	if (strcmp(opt->name, "default") == 0 && n > 1) {
		line = scan_hdr_line(cur->sc, SEC_DEFAULT, n - 1, cur->sc ? cur->sc->nkind[0] : 0);
		add_err(cur->err, cur->name, line ? line : cur_line(cfg),
			"duplicate default section (first at line %d)",
			scan_hdr_line(cur->sc, SEC_DEFAULT, 0, cur->sc ? cur->sc->nkind[0] : 0));
		return -1;
	}
	if (n > ISO_CONFIG_MAX_SECTIONS) {
		add_err(cur->err, cur->name, cur_line(cfg), "more than %d %s sections",
			ISO_CONFIG_MAX_SECTIONS, opt->name);
		return -1;
	}
	return 0;
}

/* Reads the limits of one parsed section (values were validated already,
 * but a failure here is still reported, never ignored). */
static int section_limits(cfg_t *sec, const char *name, int line, struct iso_limits *lim,
			  struct iso_err *err)
{
	int r = 0;
	size_t i;

	iso_limits_init(lim);
	for (i = 0; i < ISO_NKEYS; i++) {
		const struct iso_key *k = &iso_keys[i];
		int64_t *field = (int64_t *)((char *)lim + k->off);
		cfg_opt_t *opt = cfg_getopt(sec, k->name);
		unsigned int j, n = opt ? cfg_opt_size(opt) : 0;
		int64_t v;

		if (!opt)
			continue;
		if (k->flags & ISO_KEY_LIST) {
			/* "namespaces = {}" is a choice (cgroup only), not
			 * an absence: libconfuse marks it modified. */
			if (!(opt->flags & CFGF_MODIFIED) && n == 0)
				continue;
			*field = 0;
			for (j = 0; j < n; j++) {
				if (key_value(k, cfg_opt_getnstr(opt, j), name, line, err, &v) < 0)
					r = -EINVAL;
				else
					*field |= v;
			}
		} else if (n > 0) {
			if (key_value(k, cfg_opt_getnstr(opt, 0), name, line, err, &v) < 0)
				r = -EINVAL;
			else
				*field = v;
		}
	}
	return r;
}

static int copy_list(cfg_t *cfg, const char *key, char ***out, size_t *nout)
{
	unsigned int i, n = cfg_size(cfg, key);
	char **list;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	list = calloc(n, sizeof(*list));
	if (!list)
		return -ENOMEM;
	*out = list;
	for (i = 0; i < n; i++) {
		list[i] = strdup(cfg_getnstr(cfg, key, i));
		if (!list[i])
			return -ENOMEM;
		*nout = i + 1;
	}
	return 0;
}

static int copy_rules(cfg_t *cfg, enum sec_kind kind, const struct scan *sc, const char *name,
		      struct iso_rule **out, size_t *nout, struct iso_err *err)
{
	const char *key = sec_names[kind];
	unsigned int i, n = cfg_size(cfg, key);
	struct iso_rule *rules;
	int r = 0;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	rules = calloc(n, sizeof(*rules));
	if (!rules)
		return -ENOMEM;
	*out = rules;
	for (i = 0; i < n; i++) {
		cfg_t *sec = cfg_getnsec(cfg, key, i);
		const char *title = cfg_title(sec);

		rules[i].line = scan_hdr_line(sc, kind, i, n);
		rules[i].file = name;
		rules[i].name = strdup(title ? title : "");
		if (!rules[i].name)
			return -ENOMEM;
		*nout = i + 1;
		if (section_limits(sec, name, rules[i].line, &rules[i].lim, err) < 0)
			r = -EINVAL;
	}
	return r;
}

static int check_title(const struct iso_rule *rule, enum sec_kind kind, const char *name,
		       struct iso_err *err)
{
	char buf[SHOW_MAX + 8];

	if (iso_valid_name(rule->name))
		return 0;
	return add_err(err, name, rule->line,
		       "invalid %s name \"%s\" in section title (expected 1-%d letters, digits, "
		       "'_', '.', '-', starting with a letter or '_')",
		       sec_names[kind], show(rule->name, buf, sizeof(buf)), ISO_NAME_MAX);
}

/* Checks every section title, reporting in file order when we can. */
static int check_titles(const struct iso_config *c, const struct scan *sc, const char *name,
			struct iso_err *err)
{
	bool ordered = sc->nkind[SEC_GROUP] == c->n_groups && sc->nkind[SEC_USER] == c->n_users;
	size_t i, gi = 0, ui = 0;
	int r = 0;

	for (i = 0; ordered && i < sc->nhdrs; i++) {
		if (sc->hdrs[i].kind == SEC_GROUP)
			r |= check_title(&c->groups[gi++], SEC_GROUP, name, err);
		else if (sc->hdrs[i].kind == SEC_USER)
			r |= check_title(&c->users[ui++], SEC_USER, name, err);
	}
	for (i = 0; !ordered && i < c->n_groups; i++)
		r |= check_title(&c->groups[i], SEC_GROUP, name, err);
	for (i = 0; !ordered && i < c->n_users; i++)
		r |= check_title(&c->users[i], SEC_USER, name, err);
	return r ? -EINVAL : 0;
}

/* A failure class's policy: its own key if given, else on_error. */
static enum iso_on_error on_error_of(cfg_t *cfg, const char *key, enum iso_on_error dflt)
{
	int v = parse_word(cfg_getstr(cfg, key), deny_allow, 2);

	return v < 0 ? dflt : v ? ISO_ON_ERROR_ALLOW : ISO_ON_ERROR_DENY;
}

static int build_config(cfg_t *cfg, const struct scan *sc, const char *name,
			struct iso_config **out, struct iso_err *err)
{
	struct iso_config *c;
	const char *s;
	int r, bad = 0;

	c = calloc(1, sizeof(*c));
	if (!c)
		return iso_err_add(err, -ENOMEM, "%s: out of memory", name);
	r = -ENOMEM;
	c->path = strdup(name);
	c->cgroup_root = strdup(cfg_getstr(cfg, "cgroup_root"));
	if (!c->path || !c->cgroup_root)
		goto out;
	c->on_error = on_error_of(cfg, "on_error", ISO_ON_ERROR_DENY);
	c->on_config_error = on_error_of(cfg, "on_config_error", c->on_error);
	c->on_cgroup_error = on_error_of(cfg, "on_cgroup_error", c->on_error);
	c->on_namespace_error = on_error_of(cfg, "on_namespace_error", c->on_error);
	/* Validated already. */
	r = parse_word(cfg_getstr(cfg, "cgroup_backend"), backends, 3);
	c->cgroup_backend = r < 0 ? ISO_BACKEND_AUTO : (enum iso_backend)r;
	r = parse_word(cfg_getstr(cfg, "login_message"), bool_words, 6);
	c->login_message = r > 0 && r % 2 == 1;
	c->mode = ISO_UNSET;
	s = cfg_getstr(cfg, "mode");
	if (s && iso_parse_mode(s, &c->mode) < 0)
		bad = 1; /* validated already */
	r = -ENOMEM;
	if (copy_list(cfg, "exempt_users", &c->exempt_users, &c->n_exempt_users) < 0 ||
	    copy_list(cfg, "exempt_groups", &c->exempt_groups, &c->n_exempt_groups) < 0 ||
	    copy_list(cfg, "services", &c->services, &c->n_services) < 0)
		goto out;
	c->default_file = c->path;
	c->exempt_users_line = sc->list_line[0];
	c->exempt_groups_line = sc->list_line[1];
	c->services_line = sc->list_line[2];
	c->min_uid = ISO_DEFAULT_MIN_UID;
	s = cfg_getstr(cfg, "min_uid");
	if (s) {
		c->min_uid_line = sc->min_uid_line;
		/* Validated already; a failure is still reported. */
		if (key_value(&min_uid_key, s, name, c->min_uid_line, err, &c->min_uid) < 0)
			bad = 1;
	}

	iso_limits_init(&c->defaults);
	if (cfg_size(cfg, "default") > 0) {
		c->has_default = true;
		c->default_line = scan_hdr_line(sc, SEC_DEFAULT, 0, cfg_size(cfg, "default"));
		if (section_limits(cfg_getnsec(cfg, "default", 0), name, c->default_line,
				   &c->defaults, err) < 0)
			bad = 1;
	}
	/* Report every bad title and value, not just the first. */
	r = copy_rules(cfg, SEC_GROUP, sc, c->path, &c->groups, &c->n_groups, err);
	if (r == -ENOMEM)
		goto out;
	bad |= r < 0;
	r = copy_rules(cfg, SEC_USER, sc, c->path, &c->users, &c->n_users, err);
	if (r == -ENOMEM)
		goto out;
	bad |= r < 0;
	bad |= check_titles(c, sc, name, err) < 0;
	r = bad ? -EINVAL : 0;
out:
	if (r == -ENOMEM)
		iso_err_add(err, -ENOMEM, "%s: out of memory", name);
	if (r < 0) {
		iso_config_free(c);
		return err && err->code ? err->code : r;
	}
	*out = c;
	return 0;
}

/* Rounds of parse-blank-parse: bounds the work on a file of errors. */
#define MAX_ROUNDS 64

/* A libconfuse parser over the (blanked) text of sc. */
static int open_confuse(cfg_opt_t *opts, const struct scan *sc, const char *name, cfg_t **cfg,
			FILE **fp)
{
	*fp = NULL;
	*cfg = cfg_init(opts, CFGF_NONE);
	if (!*cfg)
		return -ENOMEM;
	cfg_set_error_function(*cfg, on_confuse_error);
	/* cfg_parse_fp would call the file "FILE"; sections copy this name. */
	free((*cfg)->filename);
	(*cfg)->filename = strdup(name);
	/* Older glibc refuses a zero-length fmemopen; the text is blank-safe. */
	if ((*cfg)->filename)
		*fp = sc->n ? fmemopen(sc->t, sc->n, "r") : fmemopen((void *)"\n", 1, "r");
	if (!*fp) {
		int r = (*cfg)->filename ? -errno : -ENOMEM;

		cfg_free(*cfg);
		*cfg = NULL;
		return r;
	}
	return 0;
}

/* Parses len bytes of text (NUL-terminated at t[len]); name for messages. */
int parse_text(const char *text, size_t len, const char *name, bool dropin, struct iso_config **out,
	       struct iso_err *err)
{
	/* Every section key is a string (a list for ISO_KEY_LIST) without a
	 * default: absent must stay absent for the per-key merge. */
	const cfg_opt_t str = CFG_STR("", NULL, CFGF_NODEFAULT),
			list = CFG_STR_LIST("", NULL, CFGF_NODEFAULT), end = CFG_END();
	cfg_opt_t limit_opts[ISO_NKEYS + 1];
	cfg_opt_t opts[] = {
		CFG_STR("cgroup_root", "pam_isolate", CFGF_NONE),
		CFG_STR("on_error", "deny", CFGF_NONE),
		CFG_STR("cgroup_backend", "auto", CFGF_NONE),
		CFG_STR("login_message", "no", CFGF_NONE),
		/* NODEFAULT: absent leaves the sections' and the built-in. */
		CFG_STR("mode", NULL, CFGF_NODEFAULT),
		/* root stays exempt unless the admin says otherwise, so a
		 * broken policy cannot lock out the one who can fix it. */
		CFG_STR_LIST("exempt_users", "{root}", CFGF_NONE),
		CFG_STR_LIST("exempt_groups", NULL, CFGF_NODEFAULT),
		/* NODEFAULT: absent and "given" must differ (the class
		 * keys fall back to on_error, min_uid to 1000). */
		CFG_STR("min_uid", NULL, CFGF_NODEFAULT),
		CFG_STR_LIST("services", NULL, CFGF_NODEFAULT),
		CFG_STR("on_config_error", NULL, CFGF_NODEFAULT),
		CFG_STR("on_cgroup_error", NULL, CFGF_NODEFAULT),
		CFG_STR("on_namespace_error", NULL, CFGF_NODEFAULT),
		CFG_SEC("default", limit_opts, CFGF_MULTI),
		CFG_SEC("group", limit_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
		CFG_SEC("user", limit_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
		CFG_END(),
	};
	struct scan sc = {.name = name, .err = err, .blank = true};
	struct parse_ctx ctx = {.name = name, .err = err, .sc = &sc};
	struct scan_stmt *stmts = NULL;
	struct iso_config *c = NULL;
	size_t i, nstmts = 0, nlines = 0;
	int lines[MAX_ROUNDS + 1];
	cfg_t *cfg = NULL;
	FILE *fp = NULL;
	bool bad;
	int r, rounds;

	if (len > ISO_CONFIG_MAX_SIZE) {
		r = iso_err_add(err, -EFBIG, "%s: refusing config larger than %d bytes", name,
				ISO_CONFIG_MAX_SIZE);
		goto out;
	}
	for (i = 0; i < ISO_NKEYS; i++) {
		limit_opts[i] = iso_keys[i].flags & ISO_KEY_LIST ? list : str;
		limit_opts[i].name = iso_keys[i].name;
		limit_opts[i].validcb = validate_limit;
	}
	limit_opts[ISO_NKEYS] = end;
	for (i = 0; opts[i].name; i++) {
		if (opts[i].type == CFGT_SEC)
			opts[i].validcb = validate_section;
		else if (opts[i].flags & CFGF_LIST)
			opts[i].validcb = validate_name_list;
		else
			opts[i].validcb = validate_top;
	}

	r = -ENOMEM;
	sc.t = malloc(len + 1);
	if (!sc.t)
		goto out;
	memcpy(sc.t, text, len);
	sc.t[len] = '\0';
	sc.n = len;
	r = scan_text(&sc);
	if (r < 0 || sc.fatal) {
		r = r < 0 ? r : -EINVAL;
		goto out;
	}
	bad = sc.nbad > 0;
	/* The failure policy, cgroup_root, min_uid and the backend are the
	 * main file's: the helper reads them from it alone when the config
	 * does not parse (iso_config_peek_on_error), so a drop-in must not
	 * be able to say otherwise when it does. */
	for (i = 0; dropin && i < sc.top.n; i++) {
		const char *k = sc.top.k[i].name;

		if (!strcmp(k, "exempt_users") || !strcmp(k, "exempt_groups") ||
		    !strcmp(k, "services"))
			continue;
		add_err(err, name, sc.top.k[i].line,
			"%s: only in the main file (a drop-in holds sections and the "
			"exempt_users, exempt_groups and services lists)",
			k);
		scan_note(&sc, sc.top.k[i].line, NULL);
		bad = true;
	}
	r = scan_stmts(&sc, &stmts, &nstmts);
	if (r < 0)
		goto out;
	for (i = 0; i < sc.nbad; i++)
		scan_blank_line(&sc, stmts, nstmts, sc.bad_lines[i]);

	/*
	 * libconfuse stops at the first error. To report every error of the
	 * file (isolatectl check-config, like sshd -t), the statement it
	 * stopped at is blanked out and the text parsed again, until it
	 * parses or nothing is left to blank; each round's error is kept
	 * unless its line has one already (an error that cascades).
	 */
	for (rounds = 0;; rounds++) {
		size_t mark = err ? strnlen(err->msg, sizeof(err->msg)) : 0;
		bool seen = false;

		r = open_confuse(opts, &sc, name, &cfg, &fp);
		if (r < 0)
			goto out;
		ctx.last_line = 0;
		cur = &ctx;
		r = cfg_parse_fp(cfg, fp);
		cur = NULL;
		fclose(fp);
		fp = NULL;
		if (r == CFG_SUCCESS)
			break;
		bad = true;
		cfg_free(cfg);
		cfg = NULL;
		for (i = 0; i < nlines; i++)
			seen |= lines[i] == ctx.last_line;
		for (i = 0; i < sc.nbad; i++)
			seen |= sc.bad_lines[i] == ctx.last_line;
		if (seen && err && mark < sizeof(err->msg))
			err->msg[mark] = '\0'; /* one error per line */
		if (nlines < sizeof(lines) / sizeof(lines[0]))
			lines[nlines++] = ctx.last_line;
		if (ctx.last_line <= 0 || rounds >= MAX_ROUNDS ||
		    !scan_blank_line(&sc, stmts, nstmts, ctx.last_line))
			break;
	}
	r = -EINVAL;
	if (!cfg) {
		if (!err || err->code == 0)
			add_err(err, name, 0, "syntax error");
		goto out;
	}
	/* What blanking changed: section lines and counts as libconfuse
	 * saw them, for the messages of build_config. */
	sc.err = NULL;
	scan_reset(&sc);
	scan_text(&sc);
	r = build_config(cfg, &sc, name, &c, err);
	if (r == 0 && bad) {
		iso_config_free(c);
		r = -EINVAL;
	} else if (r == 0) {
		*out = c;
	}
out:
	if (r == -ENOMEM && (!err || err->code == 0))
		iso_err_add(err, -ENOMEM, "%s: out of memory", name);
	else if (r < 0 && (!err || err->code == 0))
		iso_err_add(err, r, "%s: %s", name, strerror(-r));
	if (fp)
		fclose(fp);
	if (cfg)
		cfg_free(cfg);
	free(sc.t);
	free(sc.hdrs);
	free(sc.bad_lines);
	free(stmts);
	return r < 0 && err && err->code ? err->code : r;
}

int iso_config_parse_buf(const char *buf, const char *name, struct iso_config **out,
			 struct iso_err *err)
{
	iso_err_clear(err);
	if (!buf || !out)
		return iso_err_set(err, -EINVAL, "iso_config_parse_buf: invalid argument");
	if (!name)
		name = "[buffer]";
	return parse_text(buf, strnlen(buf, ISO_CONFIG_MAX_SIZE + 1), name, false, out, err);
}

void iso_config_free(struct iso_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	free(cfg->path);
	free(cfg->cgroup_root);
	for (i = 0; i < cfg->n_exempt_users; i++)
		free(cfg->exempt_users[i]);
	free(cfg->exempt_users);
	for (i = 0; i < cfg->n_exempt_groups; i++)
		free(cfg->exempt_groups[i]);
	free(cfg->exempt_groups);
	for (i = 0; i < cfg->n_services; i++)
		free(cfg->services[i]);
	free(cfg->services);
	for (i = 0; i < cfg->n_groups; i++)
		free(cfg->groups[i].name);
	free(cfg->groups);
	for (i = 0; i < cfg->n_users; i++)
		free(cfg->users[i].name);
	free(cfg->users);
	for (i = 0; i < cfg->n_dropins; i++)
		free(cfg->dropins[i]);
	free(cfg->dropins);
	free(cfg);
}
