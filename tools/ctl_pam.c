/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * isolatectl explain: which PAM services load pam_isolate, and whether the
 * modules around it are where they must be (pam_isolate(8), STACK
 * PLACEMENT). Linux-PAM runs the session hooks in stack order at open and
 * at close, so a module before pam_isolate opens on the host and closes
 * inside the sandbox; one after it opens inside and closes after we left.
 * A few modules must come before (logind must have made the session's
 * scope; the login uid is written through /proc/self, which a pid-
 * namespace sandbox hides), pam_selinux open must come after (the helper
 * must not be exec'd in the user's context), and most of what Debian's
 * services list after "@include common-session" (motd, mail, limits, env)
 * may follow. The rule here is the man page's: change both together.
 *
 * A reader of PAM configuration for that one question, not a parser of
 * it: "session" lines in file order, with "@include FILE" and
 * "session include|substack FILE" followed a few levels deep, in
 * /etc/pam.d and then the vendor directory /usr/lib/pam.d.
 */
#define _GNU_SOURCE
#include "ctl.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAM_DIR		  "/etc/pam.d"
#define PAM_VENDOR_DIR	  "/usr/lib/pam.d"
#define PAM_INCLUDE_DEPTH 4
#define PAM_MAX_MODULES	  64
#define PAM_MAX_ISSUES	  8

struct pam_mod {
	char name[64];	/* basename, as written */
	char args[128]; /* its arguments, truncated */
};

struct pam_stack {
	struct pam_mod mods[PAM_MAX_MODULES]; /* in order */
	size_t n;
	char args[256]; /* pam_isolate's arguments */
	bool found;
	size_t pos; /* of the last pam_isolate line */
};

enum pam_sev { PS_OK, PS_NOTE, PS_WARN, PS_ERROR };

struct pam_issue {
	enum pam_sev sev;
	char msg[256];
};

static void pam_add(struct pam_stack *s, const char *path, const char *args)
{
	const char *base = strrchr(path, '/');
	struct pam_mod *m;
	char *nl;

	if (s->n == PAM_MAX_MODULES)
		return;
	m = &s->mods[s->n];
	snprintf(m->name, sizeof(m->name), "%s", base ? base + 1 : path);
	snprintf(m->args, sizeof(m->args), "%s", args);
	nl = strchr(m->args, '\n');
	if (nl)
		*nl = '\0';
	if (!strncmp(m->name, "pam_isolate", 11)) {
		s->found = true;
		s->pos = s->n;
		snprintf(s->args, sizeof(s->args), "%s", args);
	}
	s->n++;
}

/* Only names a package would give a PAM file: no path components. */
static bool pam_name_ok(const char *name)
{
	return name[0] && name[0] != '.' && !strchr(name, '/') && strlen(name) < 128;
}

/* Linux-PAM's lookup: the admin's /etc/pam.d, else the vendor's
 * /usr/lib/pam.d (Debian's systemd-user lives there). */
static FILE *pam_open(const char *name)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", PAM_DIR, name);
	f = fopen(path, "re");
	if (f || errno != ENOENT)
		return f;
	snprintf(path, sizeof(path), "%s/%s", PAM_VENDOR_DIR, name);
	return fopen(path, "re");
}

static void pam_read(const char *name, struct pam_stack *s, int depth)
{
	char line[1024];
	FILE *f;

	if (depth > PAM_INCLUDE_DEPTH || !pam_name_ok(name))
		return;
	f = pam_open(name);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *type, *ctl, *mod, *hash = strchr(line, '#');

		if (hash)
			*hash = '\0';
		type = strtok_r(line, " \t\n", &save);
		if (!type)
			continue;
		if (!strcmp(type, "@include")) {
			char *inc = strtok_r(NULL, " \t\n", &save);

			if (inc)
				pam_read(inc, s, depth + 1);
			continue;
		}
		if (strcmp(type, "session") && strcmp(type, "-session"))
			continue;
		ctl = strtok_r(NULL, " \t\n", &save);
		if (ctl && ctl[0] == '[') /* [value=action ...] may hold blanks */
			while (ctl && !strchr(ctl, ']'))
				ctl = strtok_r(NULL, " \t\n", &save);
		mod = ctl ? strtok_r(NULL, " \t\n", &save) : NULL;
		if (!mod)
			continue;
		if (!strcmp(ctl, "include") || !strcmp(ctl, "substack")) {
			pam_read(mod, s, depth + 1);
			continue;
		}
		pam_add(s, mod, save ? save + strspn(save, " \t") : "");
	}
	fclose(f);
}

/* "pam_x.so" or "pam_x" is module x. */
static bool mod_is(const struct pam_mod *m, const char *x)
{
	size_t n = strlen(x);

	return !strncmp(m->name, x, n) && (!m->name[n] || !strcmp(m->name + n, ".so"));
}

static bool mod_has_arg(const struct pam_mod *m, const char *arg)
{
	char buf[sizeof(m->args)], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", m->args);
	for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		if (!strcmp(w, arg))
			return true;
	return false;
}

/* What may follow pam_isolate without a word: none of them reads
 * /proc/self or changes namespaces; they set rlimits, the environment,
 * the umask, the keyring, print or log (pam_isolate(8) says why each). */
static const char *const pam_safe_after[] = {
	"pam_motd",    "pam_mail",	"pam_limits",	  "pam_env",	   "pam_lastlog",
	"pam_keyinit", "pam_umask",	"pam_unix",	  "pam_permit",	   "pam_deny",
	"pam_echo",    "pam_warn",	"pam_succeed_if", "pam_mkhomedir", "pam_selinux",
	"pam_exec",    "pam_localuser", "pam_rootok",	  "pam_shells",
};

static bool pam_known_after(const struct pam_mod *m)
{
	for (size_t i = 0; i < NELEM(pam_safe_after); i++)
		if (mod_is(m, pam_safe_after[i]))
			return true;
	return false;
}

static void pam_issue(struct pam_issue *is, size_t *n, enum pam_sev sev, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void pam_issue(struct pam_issue *is, size_t *n, enum pam_sev sev, const char *fmt, ...)
{
	va_list ap;

	if (*n == PAM_MAX_ISSUES)
		return;
	is[*n].sev = sev;
	va_start(ap, fmt);
	vsnprintf(is[*n].msg, sizeof(is[*n].msg), fmt, ap);
	va_end(ap);
	(*n)++;
}

/* SELinux's own test (is_selinux_enabled) without linking libselinux. */
static bool ctl_selinux_enabled(void)
{
	return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

/* One module against the rule; before = it comes before pam_isolate. */
static void pam_judge_one(const struct pam_mod *m, bool before, bool pid_ns, struct pam_issue *is,
			  size_t *n)
{
	bool sel_open, sel_close, selinux = ctl_selinux_enabled();

	if (mod_is(m, "pam_loginuid") && !before)
		pam_issue(is, n, PS_ERROR,
			  "%s after pam_isolate: it must come before (it writes "
			  "/proc/self/loginuid, which logind reads to name the session)",
			  m->name);
	else if (mod_is(m, "pam_systemd") && !before)
		pam_issue(is, n, PS_ERROR,
			  "%s after pam_isolate: it must come before (logind must have put "
			  "the session into its scope; it would move it out of the limits)",
			  m->name);
	else if (mod_is(m, "pam_selinux")) {
		sel_open = mod_has_arg(m, "open");
		sel_close = mod_has_arg(m, "close");
		if (!sel_open && !sel_close)
			sel_open = sel_close = true;
		/* pam_selinux does nothing where SELinux is off (Debian's
		 * default, and login lists "open" before common-session):
		 * only a note there, so the profile's stacks pass. */
		if (before && sel_open)
			pam_issue(is, n, selinux ? PS_ERROR : PS_NOTE,
				  "%s open before pam_isolate: with SELinux on, the helper "
				  "would be exec'd in the user's context; it must come after%s",
				  m->name, selinux ? "" : " (SELinux is off here)");
		if (!before && sel_close)
			pam_issue(is, n, selinux ? PS_ERROR : PS_NOTE,
				  "%s close after pam_isolate: it must come first in the "
				  "session stack, as Debian's services have it%s",
				  m->name, selinux ? "" : " (SELinux is off here)");
		if (!before && sel_open && pid_ns && selinux)
			pam_issue(is, n, PS_WARN,
				  "%s open after pam_isolate on an SELinux host: it writes "
				  "/proc/thread-self/attr/exec, which a pid-namespace sandbox "
				  "hides (pam_isolate(8), BUGS)",
				  m->name);
	} else if (mod_is(m, "pam_namespace"))
		pam_issue(is, n, before ? PS_ERROR : PS_WARN,
			  "%s %s pam_isolate: %s; private_tmp is the sandbox's way", m->name,
			  before ? "before" : "after",
			  before ? "the sandbox's mount namespace replaces its own, its "
				   "polyinstantiated directories are lost"
				 : "it unshares inside the sandbox; do not combine them");
	else if (mod_is(m, "pam_mount"))
		pam_issue(is, n, PS_WARN,
			  "%s: its unmount at close runs on the other side of the sandbox "
			  "from its mount; mounts leak or are not seen (pam_isolate(8))",
			  m->name);
	else if (before)
		return;
	else if (mod_is(m, "pam_motd") && !mod_has_arg(m, "noupdate"))
		pam_issue(is, n, PS_NOTE,
			  "%s after pam_isolate runs /etc/update-motd.d as root inside the "
			  "user's sandbox and cgroup (\"noupdate\" avoids it)",
			  m->name);
	else if (mod_is(m, "pam_exec"))
		pam_issue(is, n, PS_NOTE,
			  "%s after pam_isolate: its program runs inside the user's sandbox "
			  "and cgroup",
			  m->name);
	else if (!pam_known_after(m))
		pam_issue(is, n, pid_ns ? PS_WARN : PS_NOTE,
			  "%s after pam_isolate is not one isolatectl knows to be safe there%s",
			  m->name,
			  pid_ns ? ": with a pid-namespace sandbox it runs without /proc/self; "
				   "move it before pam_isolate unless it needs none"
				 : "; check what it does (pam_isolate(8), STACK PLACEMENT)");
}

static enum pam_sev pam_judge(const struct pam_stack *s, bool pid_ns, struct pam_issue *is,
			      size_t *n)
{
	enum pam_sev worst = PS_OK;

	*n = 0;
	for (size_t i = 0; i < s->n; i++)
		if (i != s->pos && strncmp(s->mods[i].name, "pam_isolate", 11))
			pam_judge_one(&s->mods[i], i < s->pos, pid_ns, is, n);
	for (size_t i = 0; i < *n; i++)
		if (is[i].sev > worst)
			worst = is[i].sev;
	return worst;
}

static int pam_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void pam_print_one(const char *name, struct pam_stack *s, bool pid_ns)
{
	static const char *const verdict[] = {"ok", "ok", "WARNING", "ERROR"};
	static const char *const label[] = {"", "note", "warning", "error"};
	struct pam_issue is[PAM_MAX_ISSUES];
	size_t n;
	enum pam_sev worst = pam_judge(s, pid_ns, is, &n);

	for (size_t k = strlen(s->args); k > 0 && strchr(" \t\n", s->args[k - 1]); k--)
		s->args[k - 1] = '\0';
	printf("  %-16s %s; ", name, verdict[worst]);
	if (s->pos + 1 == s->n)
		printf("last in the session stack");
	else
		for (size_t j = s->pos + 1; j < s->n; j++)
			printf("%s%s", j == s->pos + 1 ? "after it: " : ", ", s->mods[j].name);
	printf("%s%s\n", s->args[0] ? "; arguments: " : "", s->args);
	for (size_t i = 0; i < n; i++)
		printf("  %-16s %s: %s\n", "", label[is[i].sev], is[i].msg);
}

void ctl_print_pam_services(bool pid_ns)
{
	char **names = NULL, **nn;
	size_t n = 0, shown = 0;
	struct dirent *de;
	DIR *d = opendir(PAM_DIR);

	printf("\nPAM services that load pam_isolate (%s):\n", PAM_DIR);
	while (d && (de = readdir(d))) {
		if (de->d_type != DT_REG || !pam_name_ok(de->d_name))
			continue;
		nn = reallocarray(names, n + 1, sizeof(*names));
		if (!nn)
			break;
		names = nn;
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	if (d)
		closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), pam_name_cmp);
	for (size_t i = 0; i < n; i++) {
		struct pam_stack *s = calloc(1, sizeof(*s));

		if (!s)
			break;
		pam_read(names[i], s, 0);
		if (s->found) {
			shown++;
			pam_print_one(names[i], s, pid_ns);
		}
		free(s);
	}
	if (!shown)
		printf("  none yet: add \"session required pam_isolate.so\" after pam_loginuid "
		       "and pam_systemd (pam_isolate(8), STACK PLACEMENT)\n");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
