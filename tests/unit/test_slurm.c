/* SPDX-License-Identifier: BSD-3-Clause */
/* pam_slurm_adopt's job cgroups, as /proc/PID/cgroup shows them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "slurm.h"

static int job_of(const char *text, char *job, char *path)
{
	return iso_slurm_job_in(text, 1000, job, 16, path, 256);
}

static void test_v1(void **state)
{
	char job[16], path[256];

	(void)state;
	assert_int_equal(job_of("12:pids:/slurm/uid_1000/job_42/step_extern\n"
				"4:cpu,cpuacct:/slurm/uid_1000/job_42/step_extern\n"
				"0::/user.slice\n",
				job, path),
			 1);
	assert_string_equal(job, "42");
	assert_string_equal(path, "/slurm/uid_1000/job_42/step_extern");
	/* several slurmd on one node: /slurm_NODE */
	assert_int_equal(job_of("4:cpu:/slurm_node3/uid_1000/job_9\n", job, path), 1);
	assert_string_equal(job, "9");
}

static void test_v2(void **state)
{
	char job[16], path[256];

	(void)state;
	assert_int_equal(job_of("0::/system.slice/slurmstepd.scope/job_7/step_extern/user/"
				"task_special\n",
				job, path),
			 1);
	assert_string_equal(job, "7");
	assert_int_equal(job_of("0::/system.slice/node3_slurmstepd.scope/job_123\n", job, path), 1);
	assert_string_equal(job, "123");
	assert_string_equal(path, "/system.slice/node3_slurmstepd.scope/job_123");
}

/* What is not a job: a user's own names (a delegated subtree), another
 * user's v1 job, a job_ without Slurm's parent at the root, slurmd's own
 * cgroup, dot components, and lines cut short. */
static void test_not_jobs(void **state)
{
	char job[16] = "", path[256] = "";

	(void)state;
	assert_int_equal(job_of("0::/user.slice/user-1000.slice/session-3.scope\n", job, path), 0);
	assert_int_equal(job_of("0::/user.slice/user-1000.slice/user@1000.service/app.slice/"
				"slurmstepd.scope/job_1\n",
				job, path),
			 0);
	assert_int_equal(job_of("0::/user.slice/slurm/uid_1000/job_1\n", job, path), 0);
	assert_int_equal(job_of("4:cpu:/slurm/uid_1001/job_1\n", job, path), 0);
	assert_int_equal(job_of("4:cpu:/slurm/uid_10000/job_1\n", job, path), 0);
	assert_int_equal(job_of("0::/pam_isolate/user-1000/job_42\n", job, path), 0);
	assert_int_equal(job_of("0::/system.slice/slurmd.service\n", job, path), 0);
	assert_int_equal(job_of("0::/system.slice/xslurmstepd.scope/job_1\n", job, path), 0);
	assert_int_equal(job_of("0::/system.slice/slurmstepd.scope/job_x1\n", job, path), 0);
	assert_int_equal(job_of("0::/system.slice/slurmstepd.scope/job_\n", job, path), 0);
	assert_int_equal(job_of("0::/system.slice/slurmstepd.scope/x/job_1\n", job, path), 0);
	assert_int_equal(
		job_of("0::/system.slice/slurmstepd.scope/job_1/../../user.slice\n", job, path), 0);
	assert_int_equal(job_of("0::/job_1/slurm\n", job, path), 0);
	assert_int_equal(job_of("4:cpu:/slurmx/uid_1000/job_1\n", job, path), 0);
	assert_int_equal(job_of("garbage\n0:\n0::\n0::/\n", job, path), 0);
	assert_int_equal(job_of("", job, path), 0);
	assert_string_equal(job, "");
}

/* The real file of a process in no job. */
static void test_self(void **state)
{
	char job[16], path[256];

	(void)state;
	assert_int_equal(iso_slurm_job_self(1000, job, sizeof(job), path, sizeof(path)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1),
		cmocka_unit_test(test_v2),
		cmocka_unit_test(test_not_jobs),
		cmocka_unit_test(test_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
