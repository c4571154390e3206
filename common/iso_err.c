/* SPDX-License-Identifier: BSD-3-Clause */
#include "iso_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void iso_err_clear(struct iso_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

int iso_err_set(struct iso_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int iso_err_add(struct iso_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (!err)
		return code;
	if (err->code == 0)
		err->code = code;
	len = strnlen(err->msg, sizeof(err->msg));
	if (len > 0 && len + 1 < sizeof(err->msg)) {
		err->msg[len++] = '\n';
		err->msg[len] = '\0';
	}
	if (len + 1 < sizeof(err->msg)) {
		va_start(ap, fmt);
		vsnprintf(err->msg + len, sizeof(err->msg) - len, fmt, ap);
		va_end(ap);
	}
	return err->code;
}

void iso_err_prefix(struct iso_err *err, const char *fmt, ...)
{
	char prefix[256];
	size_t plen, mlen;
	va_list ap;
	int n;

	if (!err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	plen = strnlen(prefix, sizeof(prefix));
	if (plen >= sizeof(err->msg))
		return;
	/* A message cut short is better than none: keep what fits. */
	mlen = strnlen(err->msg, sizeof(err->msg));
	if (mlen + plen >= sizeof(err->msg))
		mlen = sizeof(err->msg) - plen - 1;
	memmove(err->msg + plen, err->msg, mlen);
	memcpy(err->msg, prefix, plen);
	err->msg[plen + mlen] = '\0';
}
