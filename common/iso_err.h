/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_ERR_H
#define ISO_ERR_H

/*
 * Internal functions return 0 or -errno and, where a human needs to know
 * more than strerror() tells, fill a struct iso_err with a message that
 * names the file:line, path or value at fault. Only the top level (helper
 * main, pam_sm_*, isolatectl) decides how to report it.
 */

#include <stddef.h>

#define ISO_ERR_MSG_MAX 1024

struct iso_err {
	int code;		   /* 0 or -errno */
	char msg[ISO_ERR_MSG_MAX]; /* NUL-terminated, may hold several lines */
};

/* Sets code and message (printf-style); returns code so callers can
 * `return iso_err_set(err, -EINVAL, "...")`. err may be NULL. */
int iso_err_set(struct iso_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Appends a line to err->msg (keeps the first code set); returns code. */
int iso_err_add(struct iso_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with context ("cgroup: " ...). */
void iso_err_prefix(struct iso_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void iso_err_clear(struct iso_err *err);

#endif
