/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Messages about a config file: every one names the file and line, and
 * quotes what the file says in a form safe for a terminal and syslog.
 * Used by every part of the config library and calling none of it.
 */
#include "config_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * Quotes a value from the file for a message: values may hold newlines or
 * terminal escapes (from "\x1b" in a string), and messages end up in
 * syslog and on an admin's terminal.
 */
const char *show(const char *s, char *buf, size_t len)
{
	size_t i = 0;

	for (; s && *s && i + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			i += (size_t)snprintf(buf + i, len - i, "\\x%02x", c);
		else
			buf[i++] = (char)c;
	}
	if (s && *s && i + 4 < len) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

int add_err(struct iso_err *err, const char *name, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		return iso_err_add(err, -EINVAL, "%s:%d: %s", name, line, msg);
	return iso_err_add(err, -EINVAL, "%s: %s", name, msg);
}
