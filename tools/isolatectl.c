/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * isolatectl: what pam_isolate will do (check-config, explain) and what it
 * is doing (status), and clean-up of what a crash left behind (gc).
 *
 * It links the helper's own config library and cgroup engine: there is one
 * parser and one idea of the cgroup tree. It is not setuid; commands that
 * need root (gc, and status where /run/pam_isolate exists) say so and exit
 * 3. Exit codes: 0 ok, 1 config invalid or operation failed, 2 usage, 3
 * needs root (isolatectl(8)).
 */
#define _GNU_SOURCE
#include "ctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char ctl_usage[] =
	"Usage: isolatectl [-h | -V] COMMAND [ARGS]\n"
	"\n"
	"Commands:\n"
	"  check-config [FILE]              check a config file (as the helper reads it)\n"
	"  explain [-c FILE] USER           which rule applies to USER, why, and what it\n"
	"                                   does on this machine (changes nothing)\n"
	"  status [-c FILE] [--json] [USER] live users, sessions, cgroups, usage vs limits,\n"
	"                                   sandbox holders\n"
	"  gc [-c FILE] [USER]              remove empty cgroups, dead holders and stale\n"
	"                                   state, and say what was removed (root)\n"
	"  apply [-c FILE] [--dry-run] [USER...]\n"
	"                                   put the config's limits on the live users'\n"
	"                                   cgroups now, printing what changes (root)\n"
	"  top [-c FILE] [-b] [-n N] [-d S] [-o cpu|mem|tasks|user]\n"
	"                                   live per-user view: CPU, throttling, memory,\n"
	"                                   tasks against the rule (-b: batch)\n"
	"  metrics [-c FILE] [USER]         Prometheus text format, per user and host\n"
	"  report [-c FILE] [USER...]       what each user's rule would have done, from\n"
	"                                   what the kernel accounted (mode = audit)\n"
	"\n"
	"Options:\n"
	"  -c, --config FILE  config file (default " ISO_CONF_PATH ")\n"
	"  -j, --json         status: machine-readable output (see isolatectl(8))\n"
	"  -n, --dry-run      apply: print what would change, write nothing\n"
	"  -h, --help         show this help\n"
	"  -V, --version      show the version\n"
	"\n"
	"Exit status: 0 ok, 1 config invalid or operation failed, 2 usage error,\n"
	"3 the command needs root.\n";

/* ---- check-config ---- */

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* One line of a message buffer, with the file and line it names. */
struct msg_line {
	const char *text;
	size_t len, file_len;
	int file_rank; /* 0 the main file, 1 a drop-in */
	long line;     /* 0 when the message names no line */
	size_t order;  /* as found: the sort is stable */
};

static int msg_cmp(const void *a, const void *b)
{
	const struct msg_line *x = a, *y = b;
	int c;

	if (x->file_rank != y->file_rank)
		return x->file_rank - y->file_rank;
	c = strncmp(x->text, y->text, x->file_len < y->file_len ? x->file_len : y->file_len);
	if (c == 0 && x->file_len != y->file_len)
		c = x->file_len < y->file_len ? -1 : 1;
	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Prints the "file:line: ..." lines of msg in file order (main file
 * first, then each drop-in, each by line), as an admin reads the file;
 * the checks find them rule by rule. Returns the number of lines.
 */
static size_t print_in_file_order(const char *msg, const char *main_path)
{
	size_t n = 0, cap = 0, plen = strlen(main_path);
	struct msg_line *v = NULL, *t;

	for (const char *p = msg; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		struct msg_line m = {.text = p, .len = len, .order = n};
		const char *colon = memchr(p, ':', len);
		char *end;

		m.file_len = colon ? (size_t)(colon - p) : len;
		m.file_rank = !(m.file_len == plen && !strncmp(p, main_path, plen));
		if (colon) {
			m.line = strtol(colon + 1, &end, 10);
			if (end == colon + 1 || *end != ':')
				m.line = 0;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			t = realloc(v, cap * sizeof(*v));
			if (!t) {
				/* out of memory: as they come */
				fputs(msg, stderr);
				fputc('\n', stderr);
				free(v);
				return 1;
			}
			v = t;
		}
		v[n++] = m;
		p = nl ? nl + 1 : NULL;
	}
	if (n)
		qsort(v, n, sizeof(*v), msg_cmp);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%.*s\n", (int)v[i].len, v[i].text);
	free(v);
	return n;
}

/*
 * check-config loads the file as the helper does (owner and mode checks
 * on the file, the directories above it and the drop-ins). A file that
 * fails those checks is read again without them, so that a draft
 * (/tmp/draft.conf, a checkout of the config repository) still gets its
 * contents checked; what the login would say about its location is
 * reported too. The location is an error only for the file the helper
 * reads: for any other file it is a warning, and the contents decide.
 * Then every rule is checked as a login would resolve it
 * (iso_config_check: the helper's own check), with warnings for what is
 * legal but most likely a mistake.
 */
static int cmd_check_config(int argc, char **argv)
{
	struct iso_config *cfg = NULL;
	struct iso_err place, err, warn;
	struct iso_machine m;
	struct ctl_args a;
	const char *path;
	bool installed, misplaced = false;
	int r;

	r = ctl_parse(argc, argv, false, 0, 1, &a);
	if (r != CTL_OK)
		goto out;
	path = a.npos ? a.pos[0] : a.conf;
	installed = !strcmp(path, ISO_CONF_PATH);
	iso_err_clear(&warn);
	r = iso_config_load(path, true, &cfg, &place);
	if (r == -EACCES && geteuid() != 0) {
		ctl_print_err(&place);
		ctl_warn("%s is readable by root only: run as root", path);
		r = CTL_NEEDS_ROOT;
		goto out;
	}
	err = place;
	if (r < 0) {
		/* The same messages unchecked: the contents are at fault. */
		r = iso_config_load(path, false, &cfg, &err);
		misplaced = r == 0 || strcmp(err.msg, place.msg) != 0;
	}
	if (cfg) {
		iso_machine_probe(&m);
		if (iso_config_check(cfg, &m, &err, &warn) < 0)
			r = -EINVAL;
	}
	if (r < 0)
		print_in_file_order(err.msg, path);
	if (misplaced) {
		/* The login's own words, one line each. */
		fprintf(stderr, "%s: %s: at login the helper would refuse it%s:\n", path,
			installed ? "error" : "warning",
			installed ? ""
				  : " where it is (install it root-owned, not writable by others)");
		for (const char *p = place.msg; *p;) {
			const char *nl = strchr(p, '\n');
			int len = nl ? (int)(nl - p) : (int)strlen(p);

			fprintf(stderr, "  %.*s\n", len, p);
			p = nl ? nl + 1 : p + len;
		}
	}
	if (warn.msg[0])
		print_in_file_order(warn.msg, path);
	if (r < 0 || !cfg || (misplaced && installed)) {
		r = CTL_FAIL;
		goto out;
	}
	printf("%s: OK (%zu %s, %zu %s", path, cfg->n_users,
	       plural(cfg->n_users, "user rule", "user rules"), cfg->n_groups,
	       plural(cfg->n_groups, "group rule", "group rules"));
	if (cfg->n_dropins)
		printf(", %zu %s", cfg->n_dropins, plural(cfg->n_dropins, "drop-in", "drop-ins"));
	printf(")\n");
	r = CTL_OK;
out:
	iso_config_free(cfg);
	return r < 0 ? CTL_OK : r;
}

/* ---- main ---- */

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct command commands[] = {
	{"check-config", cmd_check_config},
	{"explain", cmd_explain},
	{"status", cmd_status},
	{"gc", cmd_gc},
	{"apply", cmd_apply},
	{"top", cmd_top},
	{"metrics", cmd_metrics},
	{"report", cmd_report},
};

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	int r;

	if (!cmd) {
		fputs(ctl_usage, stderr);
		return CTL_USAGE;
	}
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		fputs(ctl_usage, stdout);
		return CTL_OK;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf("isolatectl %s\n", ISO_VERSION);
		return CTL_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(cmd, commands[i].name))
			continue;
		r = commands[i].fn(argc - 1, argv + 1);
		/* A full disk or closed pipe must not pass for success. */
		if (fflush(stdout) != 0 || ferror(stdout)) {
			ctl_warn("write error: %s", strerror(errno));
			if (r == CTL_OK)
				r = CTL_FAIL;
		}
		return r;
	}
	ctl_warn("unknown command \"%s\"", cmd);
	fputs("Try 'isolatectl --help'.\n", stderr);
	return CTL_USAGE;
}
