/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Thread-count hints for the session. A rule with cpu_quota = 50% still
 * shows every CPU of the host to the session, so `make -j$(nproc)`,
 * OpenMP, BLAS and numexpr start one thread per host CPU and all of them
 * are throttled. These variables are what those runtimes read (coreutils
 * nproc honours OMP_NUM_THREADS too); the PAM environment is what sshd,
 * login, su and systemd's PAMName= hand to the session.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "module.h"

static const char *const thread_vars[] = {
	"OMP_NUM_THREADS",  "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
	"BLIS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
};

/* Whoever set a variable first wins: the admin (pam_env earlier in the
 * stack) or the caller's environment (su without -l keeps it). */
static int already_set(pam_handle_t *pamh, const char *name)
{
	return pam_getenv(pamh, name) != NULL || getenv(name) != NULL;
}

int iso_thread_env(pam_handle_t *pamh, unsigned cpus)
{
	char kv[64];

	if (cpus == 0)
		return 0;
	for (size_t i = 0; i < sizeof(thread_vars) / sizeof(thread_vars[0]); i++) {
		if (already_set(pamh, thread_vars[i]))
			continue;
		snprintf(kv, sizeof(kv), "%s=%u", thread_vars[i], cpus);
		if (pam_putenv(pamh, kv) != PAM_SUCCESS)
			return -ENOMEM;
	}
	return 0;
}
