/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Units of isolate.conf: percentages of a CPU, durations, sizes, counts, and
 * the user/group name syntax. Every number goes through one checked
 * conversion (parse_u64_prefix): no sign, no whitespace, overflow is -ERANGE.
 * Values written into cgroup files come from here, so be strict.
 */
#include "isolate_config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * Parses the leading decimal digits of s. strtoll alone would accept
 * leading blanks and a sign, which have no business in a config value.
 */
static int parse_digits(const char *s, int64_t *out, const char **end)
{
	long long v;
	char *e;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &e, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno != 0 || e == s)
		return -EINVAL;
	*out = v;
	*end = e;
	return 0;
}

/*
 * The start every value shares: "max" where it is allowed (sets *out,
 * returns 1), else leading digits (sets *v and *end, returns 0); -EINVAL
 * or -ERANGE otherwise.
 */
static int parse_head(const char *s, bool max_ok, int64_t *out, int64_t *v, const char **end)
{
	if (!s || !out)
		return -EINVAL;
	if (max_ok && strcasecmp(s, "max") == 0) {
		*out = ISO_MAX;
		return 1;
	}
	return parse_digits(s, v, end);
}

int iso_parse_percent(const char *s, int64_t *out)
{
	const char *p;
	int64_t whole, frac = 0;
	int r, ndec = 0;

	r = parse_head(s, true, out, &whole, &p);
	if (r != 0)
		return r < 0 ? r : 0;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (++ndec > 2)
				return -EINVAL;
			frac = frac * 10 + (*p - '0');
			p++;
		}
		if (ndec == 0)
			return -EINVAL;
		if (ndec == 1)
			frac *= 10;
	}
	/* The '%' is required: "0.5" could mean half a CPU or 0.5 %. */
	if (p[0] != '%' || p[1] != '\0')
		return -EINVAL;
	if (whole > (INT64_MAX - frac) / 100)
		return -ERANGE;
	*out = whole * 100 + frac;
	return 0;
}

/* Multiplies with an overflow check; returns -ERANGE on overflow. */
static int mul_check(int64_t v, int64_t mult, int64_t *out)
{
	if (mult != 0 && v > INT64_MAX / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

struct unit {
	const char *suffix;
	int64_t mult;
};

/* digits followed by exactly one of the suffixes (case-insensitive) */
static int parse_suffixed(const char *s, const struct unit *units, size_t n, bool max_ok,
			  int64_t *out)
{
	const char *p;
	int64_t v;
	size_t i;
	int r;

	r = parse_head(s, max_ok, out, &v, &p);
	if (r != 0)
		return r < 0 ? r : 0;
	for (i = 0; i < n; i++) {
		if (strcasecmp(p, units[i].suffix) == 0)
			return mul_check(v, units[i].mult, out);
	}
	return -EINVAL;
}

int iso_parse_duration_us(const char *s, int64_t *out)
{
	static const struct unit units[] = {
		{"", 1},
		{"us", 1},
		{"ms", 1000},
		{"s", 1000000},
	};

	return parse_suffixed(s, units, sizeof(units) / sizeof(units[0]), false, out);
}

/*
 * Wall-clock lengths (session_max_time): whole seconds, minutes, hours or
 * days, one unit per value. No "1h30m": "90m" says the same, and one
 * suffix leaves nothing to misread.
 */
int iso_parse_duration_s(const char *s, int64_t *out)
{
	static const struct unit units[] = {
		{"", 1}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400},
	};

	return parse_suffixed(s, units, sizeof(units) / sizeof(units[0]), true, out);
}

/*
 * Binary multiples only (1K == 1024), like the kernel's memparse(); "4G",
 * "4GB" and "4GiB" all mean 4 * 2^30 bytes, and "512B" is 512 bytes.
 */
int iso_parse_size(const char *s, int64_t *out)
{
	static const char letters[] = "KMGT";
	const char *p, *l;
	int64_t v, mult = 1;
	int r;

	r = parse_head(s, true, out, &v, &p);
	if (r != 0)
		return r < 0 ? r : 0;
	if (*p != '\0' && *p != 'b' && *p != 'B') {
		l = strchr(letters, *p & ~0x20);
		if (!l || *l == '\0')
			return -EINVAL;
		mult = (int64_t)1 << (10 * (l - letters + 1));
		p++;
		if (*p == 'i' || *p == 'I') {
			p++;
			if (*p != 'b' && *p != 'B')
				return -EINVAL;
		}
	}
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p != '\0')
		return -EINVAL;
	return mul_check(v, mult, out);
}

int iso_parse_count(const char *s, int64_t *out)
{
	const char *p;
	int64_t v;
	int r;

	r = parse_head(s, true, out, &v, &p);
	if (r != 0)
		return r < 0 ? r : 0;
	if (*p != '\0')
		return -EINVAL;
	*out = v;
	return 0;
}

/* Returns true (and fills buf) for the two sentinels and other negatives. */
static bool format_special(int64_t v, char *buf, size_t len)
{
	if (v == ISO_MAX)
		snprintf(buf, len, "max");
	else if (v == ISO_UNSET)
		snprintf(buf, len, "unset");
	else if (v < 0)
		snprintf(buf, len, "invalid");
	else
		return false;
	return true;
}

void iso_format_percent(int64_t v, char *buf, size_t len)
{
	if (!buf || len == 0 || format_special(v, buf, len))
		return;
	if (v % 100 == 0)
		snprintf(buf, len, "%" PRId64 "%%", v / 100);
	else if (v % 10 == 0)
		snprintf(buf, len, "%" PRId64 ".%" PRId64 "%%", v / 100, (v % 100) / 10);
	else
		snprintf(buf, len, "%" PRId64 ".%02" PRId64 "%%", v / 100, v % 100);
}

void iso_format_size(int64_t v, char *buf, size_t len)
{
	static const char letters[] = "TGMK";
	int i;

	if (!buf || len == 0 || format_special(v, buf, len))
		return;
	for (i = 0; v != 0 && i < 4; i++) {
		int64_t mult = (int64_t)1 << (10 * (4 - i));

		if (v % mult == 0) {
			snprintf(buf, len, "%" PRId64 "%c", v / mult, letters[i]);
			return;
		}
	}
	snprintf(buf, len, "%" PRId64, v);
}

void iso_format_duration_us(int64_t v, char *buf, size_t len)
{
	if (!buf || len == 0 || format_special(v, buf, len))
		return;
	if (v != 0 && v % 1000000 == 0)
		snprintf(buf, len, "%" PRId64 "s", v / 1000000);
	else if (v != 0 && v % 1000 == 0)
		snprintf(buf, len, "%" PRId64 "ms", v / 1000);
	else
		snprintf(buf, len, "%" PRId64 "us", v);
}

/* The largest unit that divides evenly, so "90m" stays "90m" and every
 * result parses back to the same number of seconds. */
void iso_format_duration_s(int64_t v, char *buf, size_t len)
{
	if (!buf || len == 0 || format_special(v, buf, len))
		return;
	if (v != 0 && v % 86400 == 0)
		snprintf(buf, len, "%" PRId64 "d", v / 86400);
	else if (v != 0 && v % 3600 == 0)
		snprintf(buf, len, "%" PRId64 "h", v / 3600);
	else if (v != 0 && v % 60 == 0)
		snprintf(buf, len, "%" PRId64 "m", v / 60);
	else
		snprintf(buf, len, "%" PRId64 "s", v);
}

/*
 * Debian's default NAME_REGEX is lower case only; useradd --badname accepts
 * upper case, and LDAP/AD directories deliver it, so we accept it too. A
 * trailing '$' is for Samba machine accounts. Nothing here can spell a
 * path component ("..", "/") or an option ("-x").
 */
bool iso_valid_name(const char *name)
{
	size_t i, n;

	if (!name)
		return false;
	n = strnlen(name, ISO_NAME_MAX + 1);
	if (n == 0 || n > ISO_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
		bool rest = (c >= '0' && c <= '9') || c == '.' || c == '-';

		if (i == 0 && !alpha)
			return false;
		if (c == '$' && i == n - 1 && i > 0)
			continue;
		if (!alpha && !rest)
			return false;
	}
	return true;
}
