/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * isolatectl: what every command shares: the parsing of a command's
 * options, messages to stderr, and the config or its fallback.
 */
#define _GNU_SOURCE
#include "ctl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

void ctl_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("isolatectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void ctl_print_err(const struct iso_err *err)
{
	const char *m = err->msg[0] ? err->msg : strerror(-err->code);

	/* The library's messages are complete lines already ("file:line:
	 * ..."); print them as they are so scripts can match on them. */
	fputs(m, stderr);
	if (m[strlen(m) - 1] != '\n')
		fputc('\n', stderr);
}

int ctl_load_config(const char *path, struct iso_config **cfg)
{
	struct iso_err err;
	int r;

	r = iso_config_load(path, true, cfg, &err);
	if (r == 0)
		return CTL_OK;
	ctl_print_err(&err);
	if (r == -EACCES && geteuid() != 0) {
		ctl_warn("%s is readable by root only: run as root", path);
		return CTL_NEEDS_ROOT;
	}
	return CTL_FAIL;
}

int ctl_load_config_or_default(const char *path, struct iso_config **cfg, const char **root)
{
	struct iso_err err;

	*root = "pam_isolate";
	if (iso_config_load(path, true, cfg, &err) == 0) {
		*root = (*cfg)->cgroup_root;
		return 0;
	}
	ctl_print_err(&err);
	ctl_warn("config unusable; assuming cgroup_root \"pam_isolate\"");
	*cfg = NULL;
	return -EINVAL;
}

int ctl_parse(int argc, char **argv, bool allow_json, int min_pos, int max_pos, struct ctl_args *a)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"dry-run", no_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	const char *cmd = argv[0];
	int c;

	memset(a, 0, sizeof(*a));
	a->conf = ISO_CONF_PATH;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":c:jhn", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->conf = optarg;
			break;
		case 'j':
			if (!allow_json) {
				ctl_warn("%s: --json is only for status", cmd);
				goto usage;
			}
			a->json = true;
			break;
		case 'n':
			if (strcmp(cmd, "apply")) {
				ctl_warn("%s: --dry-run is only for apply", cmd);
				goto usage;
			}
			a->dry_run = true;
			break;
		case 'h':
			fputs(ctl_usage, stdout);
			return -1;
		case ':':
			ctl_warn("%s: option %s needs an argument", cmd, argv[optind - 1]);
			goto usage;
		default:
			ctl_warn("%s: unknown option %s", cmd, argv[optind - 1]);
			goto usage;
		}
	}
	a->pos = argv + optind;
	a->npos = argc - optind;
	if (a->npos < min_pos) {
		ctl_warn("%s: missing argument", cmd);
		goto usage;
	}
	if (a->npos > max_pos) {
		ctl_warn("%s: unexpected argument \"%s\"", cmd, a->pos[max_pos]);
		goto usage;
	}
	return CTL_OK;
usage:
	fputs("Try 'isolatectl --help'.\n", stderr);
	return CTL_USAGE;
}

void ctl_each_subdir(int dirfd, void (*fn)(int subfd, void *arg), void *arg)
{
	struct dirent *de;
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (sub < 0)
			continue;
		fn(sub, arg);
		close(sub);
	}
	closedir(d);
}
