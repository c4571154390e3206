/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fsutil: dirfd-relative access that never follows a symlink, never
 * blocks on a FIFO, and reports truncation instead of cutting.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fsutil.h"

struct fx {
	char base[64];
	int dfd;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->base, "/tmp/isot_fs.XXXXXX");
	assert_non_null(mkdtemp(f->base));
	f->dfd = open(f->base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->dfd >= 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	close(f->dfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->base);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->base);
	free(f);
	return 0;
}

static void test_snprintf(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(iso_snprintf(buf, sizeof(buf), "%s", "1234567"), 0);
	assert_string_equal(buf, "1234567");
	assert_int_equal(iso_snprintf(buf, sizeof(buf), "%s", "12345678"), -ENAMETOOLONG);
}

static void test_close_keeps_errno(void **state)
{
	(void)state;
	errno = EXDEV;
	iso_close(-1);
	assert_int_equal(errno, EXDEV);
	iso_close(9999); /* EBADF inside, errno kept */
	assert_int_equal(errno, EXDEV);
}

static void test_mkdir(void **state)
{
	struct fx *f = *state;
	struct stat st;
	char p[128];
	int fd;

	umask(077);
	assert_int_equal(iso_mkdir_at(f->dfd, "d", 0755, geteuid()), 0);
	snprintf(p, sizeof(p), "%s/d", f->base);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755); /* despite the umask */
	assert_int_equal(iso_mkdir_at(f->dfd, "d", 0755, geteuid()), 0);
	assert_int_equal(iso_mkdir_at(f->dfd, "d", 0755, geteuid() + 1), -EPERM);
	assert_int_equal(iso_mkdir_at(f->dfd, "d", 0755, (uid_t)-1), 0);
	assert_int_equal(iso_mkdir_at(f->dfd, "nope/x", 0755, (uid_t)-1), -ENOENT);

	/* a symlink to a directory is not a directory */
	assert_int_equal(symlinkat("/tmp", f->dfd, "ln"), 0);
	assert_int_equal(iso_mkdir_at(f->dfd, "ln", 0755, (uid_t)-1), -ENOTDIR);
	fd = openat(f->dfd, "file", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(iso_mkdir_at(f->dfd, "file", 0755, (uid_t)-1), -ENOTDIR);
	umask(022);
}

static void test_open_dir(void **state)
{
	struct fx *f = *state;
	struct dirent *de;
	int fd = -7, n = 0;
	DIR *d = NULL;

	assert_int_equal(mkdirat(f->dfd, "sub", 0755), 0);
	assert_int_equal(symlinkat("sub", f->dfd, "ln"), 0);
	assert_true(iso_open_dir_at(f->dfd, "ln", &fd) < 0);
	assert_int_equal(fd, -7); /* untouched on failure */
	assert_int_equal(iso_open_dir_at(f->dfd, "missing", &fd), -ENOENT);
	assert_int_equal(iso_open_dir_at(f->dfd, "sub", &fd), 0);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(fd);

	assert_true(iso_opendir_at(f->dfd, "ln", &d) < 0);
	assert_null(d);
	assert_int_equal(iso_opendir_at(f->dfd, ".", &d), 0); /* dfd is O_PATH */
	while ((de = readdir(d)))
		n++;
	closedir(d);
	assert_int_equal(n, 4); /* . .. sub ln */
}

static void test_write_read(void **state)
{
	struct fx *f = *state;
	char buf[16];

	assert_int_equal(iso_write_file_at(f->dfd, "w", "x", false), -ENOENT);
	assert_int_equal(iso_write_file_at(f->dfd, "w", "hello\n", true), 0);
	assert_int_equal(iso_read_file_at(f->dfd, "w", buf, sizeof(buf)), 5);
	assert_string_equal(buf, "hello");
	assert_int_equal(iso_write_file_at(f->dfd, "w", "ab", false), 0); /* no O_TRUNC */
	assert_int_equal(iso_read_file_at(f->dfd, "w", buf, sizeof(buf)), 5);
	assert_string_equal(buf, "abllo");
	assert_int_equal(iso_write_file_at(f->dfd, "w", "0123456789abcdefghij\n\n", true), 0);
	assert_int_equal(iso_read_file_at(f->dfd, "w", buf, sizeof(buf)), 15);
	assert_string_equal(buf, "0123456789abcde");
	assert_int_equal(iso_write_file_at(f->dfd, "w", "a\n\n", true), 0);
	assert_int_equal(iso_read_file_at(f->dfd, "w", buf, sizeof(buf)), 2);
	assert_string_equal(buf, "a\n"); /* one newline stripped */
	assert_int_equal(iso_read_file_at(f->dfd, "w", buf, 0), -EINVAL);
	assert_int_equal(iso_read_file_at(f->dfd, "missing", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(iso_write_file_at(f->dfd, "w", "", true), 0);
	assert_int_equal(iso_read_file_at(f->dfd, "w", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void test_no_follow(void **state)
{
	struct fx *f = *state;
	char buf[16];
	int fd = -1;

	assert_int_equal(iso_write_file_at(f->dfd, "target", "orig", true), 0);
	assert_int_equal(symlinkat("target", f->dfd, "ln"), 0);
	assert_int_equal(iso_write_file_at(f->dfd, "ln", "evil", false), -ELOOP);
	assert_int_equal(iso_write_file_at(f->dfd, "ln", "evil", true), -ELOOP);
	assert_int_equal(iso_read_file_at(f->dfd, "ln", buf, sizeof(buf)), -ELOOP);
	assert_int_equal(iso_read_file_at(f->dfd, "target", buf, sizeof(buf)), 4);
	assert_string_equal(buf, "orig");
	assert_int_equal(iso_open_file_at(f->dfd, "ln", O_RDONLY, &fd), -ELOOP);
	assert_int_equal(fd, -1);
	/* a directory is not a file */
	assert_int_equal(mkdirat(f->dfd, "dir", 0755), 0);
	assert_int_equal(iso_read_file_at(f->dfd, "dir", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(iso_write_file_at(f->dfd, "dir", "x", false), -EISDIR);
}

/* The instance root and the per-uid instance (private_tmp = disk): made
 * with the right owner and mode, squatters moved aside, never followed. */
static void test_instance(void **state)
{
	struct fx *f = *state;
	struct iso_squat sq = {0};
	struct stat st;
	char path[128];
	int root = -1, inst = -1;

	if (geteuid() != 0) {
		skip();
		return;
	}
	/* parent: root's and 0700 (mkdtemp), so not world-writable */
	assert_int_equal(iso_instance_root_open(f->base, "r", &sq, &root), 0);
	assert_int_equal(sq.moved, 0);
	assert_int_equal(fstat(root, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(iso_instance_open(root, 41001, &sq, &inst), 0);
	assert_int_equal(fstat(inst, &st), 0);
	assert_int_equal(st.st_mode & 07777, 01777);
	assert_int_equal(st.st_uid, 0);
	close(inst);
	close(root);
	/* a symlink to a root-owned dir: moved aside, the target untouched */
	assert_int_equal(mkdirat(f->dfd, "target", 0755), 0);
	assert_int_equal(symlinkat("target", f->dfd, "s"), 0);
	assert_int_equal(iso_instance_root_open(f->base, "s", &sq, &root), 0);
	assert_int_equal(sq.moved, 1);
	assert_int_equal(strncmp(sq.aside, "s.bad-", 6), 0);
	assert_int_equal(fstatat(f->dfd, "target", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	snprintf(path, sizeof(path), "%s/target/41001", f->base);
	assert_int_equal(iso_instance_open(root, 41001, &sq, &inst), 0);
	assert_int_not_equal(access(path, F_OK), 0);
	close(inst);
	close(root);
	/* someone else's dir, and a wrong mode: both moved aside */
	memset(&sq, 0, sizeof(sq));
	assert_int_equal(mkdirat(f->dfd, "u", 0777), 0);
	assert_int_equal(fchownat(f->dfd, "u", 41002, 41002, 0), 0);
	assert_int_equal(iso_instance_root_open(f->base, "u", &sq, &root), 0);
	assert_int_equal(sq.moved, 1);
	assert_int_equal(sq.owner, 41002);
	close(root);
	/* entries made in a root while it was a user's (before tmpfiles took
	 * it over): a uid's dir of another owner, a symlink; swapped out, the
	 * login not refused, the symlink's target untouched */
	memset(&sq, 0, sizeof(sq));
	assert_int_equal(iso_instance_root_open(f->base, "u", &sq, &root), 0);
	assert_int_equal(sq.moved, 0);
	assert_int_equal(mkdirat(root, "41003", 0777), 0);
	assert_int_equal(fchownat(root, "41003", 41003, 41003, 0), 0);
	assert_int_equal(iso_instance_open(root, 41003, &sq, &inst), 0);
	assert_int_equal(sq.moved, 1);
	assert_int_equal(sq.owner, 41003);
	assert_int_equal(strncmp(sq.aside, "41003.bad-", 10), 0);
	assert_int_equal(fstat(inst, &st), 0);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_mode & 07777, 01777);
	assert_int_equal(fstatat(root, sq.aside, &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_uid, 41003);
	close(inst);
	memset(&sq, 0, sizeof(sq));
	assert_int_equal(symlinkat("../target", root, "41004"), 0);
	assert_int_equal(iso_instance_open(root, 41004, &sq, &inst), 0);
	assert_int_equal(sq.moved, 1);
	assert_int_equal(fstatat(f->dfd, "target", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(fstatat(root, "41004", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISDIR(st.st_mode));
	close(inst);
	close(root);
	/* a file */
	memset(&sq, 0, sizeof(sq));
	assert_int_equal(iso_write_file_at(f->dfd, "file", "x", true), 0);
	assert_int_equal(iso_instance_root_open(f->base, "file", &sq, &root), 0);
	assert_int_equal(sq.moved, 1);
	close(root);
	/* a parent others may write without the sticky bit is refused */
	assert_int_equal(chmod(f->base, 0777), 0);
	assert_int_equal(iso_instance_root_open(f->base, "r", &sq, &root), -EPERM);
	assert_int_equal(root, -1);
	assert_int_equal(chmod(f->base, 01777), 0);
	assert_int_equal(iso_instance_root_open(f->base, "r", &sq, &root), 0);
	close(root);
	assert_int_equal(chmod(f->base, 0700), 0);
}

static void test_fifo_does_not_block(void **state)
{
	struct fx *f = *state;
	char buf[16];

	assert_int_equal(mkfifoat(f->dfd, "fifo", 0600), 0);
	/* no reader: the write open fails instead of hanging */
	assert_int_equal(iso_write_file_at(f->dfd, "fifo", "x", false), -ENXIO);
	/* the read open succeeds without a writer, then is refused */
	assert_int_equal(iso_read_file_at(f->dfd, "fifo", buf, sizeof(buf)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snprintf),
		cmocka_unit_test(test_close_keeps_errno),
		cmocka_unit_test_setup_teardown(test_mkdir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_follow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_does_not_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_instance, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
