/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_CONFIG_INTERNAL_H
#define ISO_CONFIG_INTERNAL_H

/* Shared between config.c (schema, validation), keys.c (the section keys'
 * table), scan.c (the pre-scan lexer), load.c (opening and checking the
 * file), check.c and msg.c (messages). Not installed. Calls go one way:
 * msg.c <- keys.c <- scan.c <- config.c <- load.c; no file calls back. */

#include <stdbool.h>
#include <stddef.h>

#include "isolate_config.h"

#define SHOW_MAX 80 /* longest value quoted back in a message */

enum sec_kind { SEC_DEFAULT, SEC_GROUP, SEC_USER, SEC_NKINDS };

enum tok_type { TOK_EOF, TOK_WORD, TOK_STR, TOK_PUNCT };

struct token {
	enum tok_type type;
	int line;
	const char *s; /* word, or string body with escapes undecoded */
	size_t len;
	char punct; /* { } ( ) = , and '+' for "+=" */
	char quote; /* of a TOK_STR: '"' or '\'' */
};

struct scan_hdr {
	enum sec_kind kind;
	int line;
	char title[ISO_NAME_MAX + 2]; /* truncated; for messages only */
};

/* Keys seen in one scope (top level or one section), to catch a key given
 * twice: libconfuse would silently keep the last. */
struct seen_keys {
	struct {
		char name[24]; /* longest key: "on_namespace_error" */
		int line;
	} k[32]; /* more than the keys of any one scope */
	size_t n;
};

struct scan {
	const char *name;
	struct iso_err *err; /* NULL: stop quietly at the first problem */
	char *t;	     /* text, NUL-terminated; comments blanked if blank */
	size_t n, pos;
	int line;
	bool blank;
	struct scan_hdr *hdrs;
	size_t nhdrs, cap;
	size_t nkind[SEC_NKINDS];
	int on_error;	     /* last top-level on_error: -1 none seen */
	int on_config_error; /* last top-level on_config_error: -1 none seen */
	int min_uid_line;    /* line of the top-level min_uid key: 0 none */
	int list_line[3];    /* of exempt_users, exempt_groups, services */
	/* set: note whether exempt_users lists peek_user, or exempt_groups
	 * one of peek_groups, as an entry or as a "!name" one; whether
	 * exempt_groups has any "!name" entry; and whether an exempt list
	 * could not be read (no braces, an entry too long to compare) */
	const char *peek_user;
	const char *const *peek_groups;
	size_t peek_ngroups;
	bool peek_listed, peek_negated, peek_group_neg, peek_unsure;
	/* Errors after which the rest of the text still means what it says
	 * (a key given twice, "${", a space before a unit) are noted and the
	 * scan goes on; their lines are blanked before libconfuse reads the
	 * text, so that every error of a file is reported. fatal: the rest
	 * cannot be read (unterminated string or comment, missing brace). */
	int *bad_lines;
	size_t nbad, badcap;
	bool fatal;
	struct seen_keys top; /* the top-level keys, with their lines */
};

/* A top-level item or a key of a section: [start, end) of the text. */
struct scan_stmt {
	size_t start, end;
	int line0, line1;
	bool section;
};

/* ---- msg.c ---- */

/* Quotes a value from the file for a message (control bytes escaped). */
const char *show(const char *s, char *buf, size_t len);

/* Adds "name:line: message" (or "name: message" when the line is unknown). */
int add_err(struct iso_err *err, const char *name, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same with "warning: " before the message (check-config's
 * warnings); fmt must be a string literal. */
#define add_warn(err, name, line, fmt, ...) add_err(err, name, line, "warning: " fmt, ##__VA_ARGS__)

/* ---- keys.c ---- */

/* The index of s among words (case-insensitive), or -EINVAL. */
int parse_word(const char *s, const char *const *words, size_t n);
/* Is this a key of the schema, top level or section (the pre-scan's
 * duplicate-key check)? */
bool known_key(const char *name);
/* Parses and range-checks one value of key k; on error adds a message
 * "name:line: key: ..." and returns -EINVAL. */
int key_value(const struct iso_key *k, const char *s, const char *name, int line,
	      struct iso_err *err, int64_t *out);

/* The pre-scan (scan.c): blanks comments, finds section header lines,
 * catches keys given twice, notes the top-level on_error and
 * on_config_error values and the line of min_uid. */
int scan_text(struct scan *sc);
/* Notes an error after which the scan goes on (what NULL: reported
 * already); its line is blanked before libconfuse reads the text. */
void scan_note(struct scan *sc, int line, const char *what);
/* The statements of sc->t (after scan_text); caller frees *out. */
int scan_stmts(const struct scan *sc, struct scan_stmt **out, size_t *n);
/* Blanks the smallest statement holding line (or, if none, the line
 * itself but its braces) in sc->t; false when nothing was left to blank. */
bool scan_blank_line(struct scan *sc, const struct scan_stmt *st, size_t n, int line);
/* Forgets what scan_text found, to scan the (blanked) text again. */
void scan_reset(struct scan *sc);
int scan_hdr_line(const struct scan *sc, enum sec_kind kind, size_t index, size_t count);
bool tok_is(const struct token *tok, const char *word);

/* config.c: parses text already read; name is used in messages. A
 * drop-in holds sections and the exempt_users, exempt_groups and services
 * lists only: every other top-level key is an error there. */
int parse_text(const char *text, size_t len, const char *name, bool dropin, struct iso_config **out,
	       struct iso_err *err);

#endif
