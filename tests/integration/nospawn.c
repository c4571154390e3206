/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LD_PRELOAD into the session harness: posix_spawn refused with EPERM, as
 * a container's seccomp filter that predates clone3 refuses glibc's
 * clone3. The module must fall back to fork and exec (test_core).
 */
#include <errno.h>
#include <spawn.h>

int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
		const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	(void)pid;
	(void)path;
	(void)fa;
	(void)attr;
	(void)argv;
	(void)envp;
	return EPERM;
}
