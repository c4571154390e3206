/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the config parser (pre-scan + libconfuse + checks).
 * Build and run (30 s):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -Icommon -Iconfig \
 *       tests/fuzz/fuzz_config.c config/config.c config/scan.c config/load.c \
 *       config/units.c config/policy.c common/iso_err.c -lconfuse -o build/fuzz_config
 *   mkdir -p build/fuzz-corpus
 *   build/fuzz_config -max_total_time=30 build/fuzz-corpus tests/fuzz/corpus/config
 * New inputs go to the first corpus directory. libconfuse itself is not
 * instrumented, so coverage guidance stops at its API.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "isolate_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iso_config *cfg = NULL;
	struct iso_err err;
	struct iso_policy pol;
	static const char *const groups[] = {"students", "staff", "wheel"};
	char *buf;

	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (iso_config_parse_buf(buf, "fuzz.conf", &cfg, &err) == 0) {
		/* Whatever parses must also resolve and describe... */
		char text[256];
		size_t i;

		if (iso_policy_resolve(cfg, "alice", 1000, groups, 3, &pol) == 0)
			iso_policy_describe(&pol, text, sizeof(text));
		/* Below any min_uid the file can give, whatever the lists say. */
		if (iso_policy_resolve(cfg, "alice", 0, groups, 3, &pol) == 0) {
			iso_policy_describe(&pol, text, sizeof(text));
			if (cfg->min_uid > 0 && pol.match != ISO_MATCH_EXEMPT_USER &&
			    pol.match != ISO_MATCH_EXEMPT_GROUP &&
			    pol.match != ISO_MATCH_EXEMPT_UID)
				abort();
		}
		/* An empty services list is every service; a given one holds
		 * only names the check accepted, never an empty one. */
		if (cfg->n_services == 0 && !iso_config_service_in_scope(cfg, "sshd"))
			abort();
		if (iso_config_service_in_scope(cfg, "") != (cfg->n_services == 0))
			abort();
		/* ...and our pre-scan must have found every section libconfuse
		 * did (a differential check of the two lexers). */
		if (cfg->has_default && cfg->default_line <= 0)
			abort();
		for (i = 0; i < cfg->n_groups; i++) {
			if (cfg->groups[i].line <= 0)
				abort();
		}
		for (i = 0; i < cfg->n_users; i++) {
			if (cfg->users[i].line <= 0)
				abort();
		}
		iso_config_free(cfg);
	} else if (strncmp(err.msg, "fuzz.conf", 9) != 0) {
		abort(); /* every failure must say why, and where */
	}
	free(buf);
	return 0;
}
