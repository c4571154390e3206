/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nsfd: a namespace fd is joined only when it is of the type asked for
 * and its user namespace was created by uid 0. A user's own `unshare -U`
 * makes namespaces that must be refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "nsfd.h"

static void test_own_namespaces(void **state)
{
	int mnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	int pid = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(mnt >= 0 && pid >= 0);
	/* the initial user namespace is root's */
	assert_int_equal(iso_nsfd_check(mnt, CLONE_NEWNS), 0);
	assert_int_equal(iso_nsfd_check(pid, CLONE_NEWPID), 0);
	close(mnt);
	close(pid);
}

static void test_wrong_type(void **state)
{
	int mnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(mnt >= 0);
	assert_int_equal(iso_nsfd_check(mnt, CLONE_NEWPID), -EINVAL);
	close(mnt);
}

static void test_not_a_namespace(void **state)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(iso_nsfd_check(fd, CLONE_NEWNS) < 0);
	close(fd);
}

/* A mount namespace made by a user (nobody, when we are root) in a user
 * namespace of their own: owned by that uid, refused. */
static void test_users_namespace_refused(void **state)
{
	char path[64], c;
	int go[2], ready[2], fd, st;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 &&
		    (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0))
			_exit(2);
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			_exit(3);
		c = 'r';
		if (write(ready[1], &c, 1) != 1)
			_exit(4);
		_exit(read(go[0], &c, 1) == 1 ? 0 : 5);
	}
	close(ready[1]);
	/* fails where unprivileged user namespaces are off: this test
	 * needs a kernel where a user can make one */
	assert_int_equal(read(ready[0], &c, 1), 1);
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(iso_nsfd_check(fd, CLONE_NEWNS), -EPERM);
	close(fd);
	c = 'g';
	assert_int_equal(write(go[1], &c, 1), 1);
	waitpid(pid, &st, 0);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_namespaces),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_not_a_namespace),
		cmocka_unit_test(test_users_namespace_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
