/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A library a hostile user points LD_PRELOAD / LD_LIBRARY_PATH of the
 * setuid helper at: if the loader ever honours it, its constructor leaves
 * a marker file (named by ISOT_MARKER, read before the helper clears its
 * environment) saying which euid ran it. The security suite asserts the
 * marker never appears.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void isot_evil(void)
{
	const char *path = getenv("ISOT_MARKER");
	char buf[64];
	int fd, n;

	if (!path)
		path = "/tmp/isot_evil_marker";
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "euid=%d\n", (int)geteuid());
	if (n > 0 && write(fd, buf, (size_t)n) != n)
		(void)close(fd); /* nothing else to do: the marker's presence counts */
	else
		close(fd);
}
