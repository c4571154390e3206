/* SPDX-License-Identifier: BSD-3-Clause */
#include "iso_names.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_PREFIX "session-"
#define LEFT_PREFIX    "left-"
#define HOLDER_LEAF    "holder"
#define KEY_SESSION    ISO_KEY_SESSION_PREFIX

static int fmt(char *buf, size_t len, const char *f, ...) __attribute__((format(printf, 3, 4)));
static int fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, len, f, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

int iso_sid_valid(const char *sid)
{
	size_t i;

	for (i = 0; sid[i]; i++)
		if (!((sid[i] >= '0' && sid[i] <= '9') || (sid[i] >= 'a' && sid[i] <= 'f')))
			return 0;
	return i == ISO_SID_LEN;
}

int iso_name_user_dir(char *buf, size_t len, uid_t uid)
{
	return fmt(buf, len, "user-%u", (unsigned)uid);
}

int iso_name_session_leaf(char *buf, size_t len, const char *sid)
{
	return fmt(buf, len, SESSION_PREFIX "%s", sid);
}

int iso_name_left_leaf(char *buf, size_t len, const char *sid)
{
	return fmt(buf, len, LEFT_PREFIX "%s", sid);
}

int iso_name_holder_leaf(char *buf, size_t len, const char *key)
{
	if (has_prefix(key, KEY_SESSION))
		return fmt(buf, len, HOLDER_LEAF "-%s", key + strlen(KEY_SESSION));
	return fmt(buf, len, HOLDER_LEAF);
}

enum iso_leaf_kind iso_leaf_kind(const char *name)
{
	if (has_prefix(name, SESSION_PREFIX))
		return ISO_LEAF_SESSION;
	if (has_prefix(name, LEFT_PREFIX))
		return ISO_LEAF_LEFT;
	if (!strcmp(name, HOLDER_LEAF) || has_prefix(name, HOLDER_LEAF "-"))
		return ISO_LEAF_HOLDER;
	return ISO_LEAF_OTHER;
}

int iso_leaf_sid(const char *name, char *sid, size_t len)
{
	const char *p;

	if (has_prefix(name, SESSION_PREFIX))
		p = name + strlen(SESSION_PREFIX);
	else if (has_prefix(name, LEFT_PREFIX))
		p = name + strlen(LEFT_PREFIX);
	else
		return -EINVAL;
	if (!iso_sid_valid(p))
		return -EINVAL;
	return fmt(sid, len, "%s", p);
}

/* Decimal uid up to (uid_t)-2, no sign, no leading zero; *end gets what
 * follows it. */
static int parse_uid(const char *s, uid_t *uid, const char **end)
{
	unsigned long v;
	char *e;

	if (!isdigit((unsigned char)s[0]) || (s[0] == '0' && isdigit((unsigned char)s[1])))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno || v >= (uid_t)-1)
		return -EINVAL;
	*uid = (uid_t)v;
	*end = e;
	return 0;
}

int iso_parse_user_dir(const char *name, uid_t *uid)
{
	const char *end;

	if (!has_prefix(name, "user-") || parse_uid(name + 5, uid, &end) < 0 || *end)
		return -EINVAL;
	return 0;
}

int iso_name_sandbox_key(char *buf, size_t len, const char *sid)
{
	if (!sid || !*sid)
		return fmt(buf, len, ISO_KEY_USER);
	return fmt(buf, len, KEY_SESSION "%s", sid);
}

int iso_key_valid(const char *key, size_t klen)
{
	char sid[ISO_SID_LEN + 1];

	if (klen == strlen(ISO_KEY_USER) && !strncmp(key, ISO_KEY_USER, klen))
		return 1;
	if (klen != strlen(KEY_SESSION) + ISO_SID_LEN || !has_prefix(key, KEY_SESSION))
		return 0;
	memcpy(sid, key + strlen(KEY_SESSION), ISO_SID_LEN);
	sid[ISO_SID_LEN] = '\0';
	return iso_sid_valid(sid);
}

int iso_name_record(char *buf, size_t len, uid_t uid, const char *key)
{
	return fmt(buf, len, "user-%u.%s.holder", (unsigned)uid, key);
}

int iso_name_user_lock(char *buf, size_t len, uid_t uid)
{
	return fmt(buf, len, "user-%u.lock", (unsigned)uid);
}

int iso_name_worker_lock(char *buf, size_t len, uid_t uid)
{
	return fmt(buf, len, "user-%u.gc", (unsigned)uid);
}

int iso_name_mntns(char *buf, size_t len, unsigned long long ino)
{
	return fmt(buf, len, "mntns-%llu", ino);
}

int iso_parse_state_name(const char *name, uid_t *uid, const char **rest)
{
	unsigned long v;
	char *end;

	/* leading zeros pass: the tools list what is there, not only what
	 * the helper makes */
	if (!has_prefix(name, "user-") || !isdigit((unsigned char)name[5]))
		return -EINVAL;
	errno = 0;
	v = strtoul(name + 5, &end, 10);
	if (errno || *end != '.' || v >= (uid_t)-1)
		return -EINVAL;
	*uid = (uid_t)v;
	*rest = end + 1;
	return 0;
}

int iso_name_user_slice(char *buf, size_t len, uid_t uid)
{
	return fmt(buf, len, "user-%u.slice", (unsigned)uid);
}

int iso_name_holder_unit(char *buf, size_t len, uid_t uid, const char *sid)
{
	if (sid && *sid)
		return fmt(buf, len, ISO_HOLDER_UNIT_PREFIX "%u-%s.scope", (unsigned)uid, sid);
	return fmt(buf, len, ISO_HOLDER_UNIT_PREFIX "%u.scope", (unsigned)uid);
}

int iso_name_max_time_timer(char *buf, size_t len, uid_t uid, const char *sid)
{
	return fmt(buf, len, "isolate-max-time-%u-%s.timer", (unsigned)uid, sid);
}

int iso_name_max_time_service(char *buf, size_t len, uid_t uid, const char *sid)
{
	return fmt(buf, len, "isolate-max-time-%u-%s.service", (unsigned)uid, sid);
}
