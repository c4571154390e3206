/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * isolatectl explain: which PAM services load pam_isolate, and whether it
 * is the last module of their session stack. The most common mistake is
 * a module after it that needs /proc/self (pam_loginuid, pam_systemd),
 * which then fails quietly (pam_isolate(8), STACK PLACEMENT); this is
 * where an admin can see it before a user does.
 *
 * A reader of PAM configuration for that one question, not a parser of
 * it: "session" lines in file order, with "@include FILE" and
 * "session include|substack FILE" followed a few levels deep.
 */
#define _GNU_SOURCE
#include "ctl.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PAM_DIR		  "/etc/pam.d"
#define PAM_INCLUDE_DEPTH 4
#define PAM_MAX_MODULES	  64

struct pam_stack {
	char mods[PAM_MAX_MODULES][64]; /* basenames, in order */
	size_t n;
	char args[256]; /* pam_isolate's arguments */
	bool found;
	size_t pos; /* of the last pam_isolate line */
};

static void pam_add(struct pam_stack *s, const char *path, const char *args)
{
	const char *base = strrchr(path, '/');

	if (s->n == PAM_MAX_MODULES)
		return;
	snprintf(s->mods[s->n], sizeof(s->mods[0]), "%s", base ? base + 1 : path);
	if (!strncmp(s->mods[s->n], "pam_isolate", 11)) {
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

static void pam_read(const char *name, struct pam_stack *s, int depth)
{
	char path[256], line[1024];
	FILE *f;

	if (depth > PAM_INCLUDE_DEPTH || !pam_name_ok(name))
		return;
	snprintf(path, sizeof(path), "%s/%s", PAM_DIR, name);
	f = fopen(path, "re");
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

static int pam_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void ctl_print_pam_services(void)
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
		struct pam_stack s;
		char *nl;

		memset(&s, 0, sizeof(s));
		pam_read(names[i], &s, 0);
		if (!s.found)
			continue;
		shown++;
		nl = strchr(s.args, '\n');
		if (nl)
			*nl = '\0';
		for (size_t k = strlen(s.args); k > 0 && strchr(" \t", s.args[k - 1]); k--)
			s.args[k - 1] = '\0';
		printf("  %-16s ", names[i]);
		if (s.pos + 1 == s.n)
			printf("last in the session stack");
		else
			for (size_t j = s.pos + 1; j < s.n; j++)
				printf("%s%s%s", j == s.pos + 1 ? "NOT LAST: " : ", ", s.mods[j],
				       j + 1 == s.n ? " after it" : "");
		printf("%s%s\n", s.args[0] ? "; arguments: " : "", s.args);
	}
	if (!shown)
		printf("  none yet: add \"session required pam_isolate.so\" as the last session "
		       "line of a service (pam_isolate(8))\n");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
