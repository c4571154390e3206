/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pre-scan of isolate.conf, run before libconfuse sees the text: a
 * lexer that follows libconfuse 3.3's lexer.l. See config.c for the
 * libconfuse quirks it exists for.
 */
#include "config_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- small helpers ---- */

/*
 * Quotes a value from the file for a message: values may hold newlines or
 * terminal escapes (from "\x1b" in a string), and messages end up in
 * syslog and on an admin's terminal.
 */
const char *show(const char *s, char *buf, size_t len)
{
	size_t i = 0;

	for (; s && *s && i + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			i += (size_t)snprintf(buf + i, len - i, "\\x%02x", c);
		else
			buf[i++] = (char)c;
	}
	if (s && *s && i + 4 < len) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* Adds "name:line: message" (or "name: message" when the line is unknown). */
int add_err(struct iso_err *err, const char *name, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		return iso_err_add(err, -EINVAL, "%s:%d: %s", name, line, msg);
	return iso_err_add(err, -EINVAL, "%s: %s", name, msg);
}

/* ---- pre-scan: a lexer that follows libconfuse 3.3's lexer.l ---- */

static int scan_fail(struct scan *sc, int line, const char *what)
{
	if (sc->err)
		add_err(sc->err, sc->name, line, "%s", what);
	return -EINVAL;
}

static bool word_char(char c)
{
	return c != '\0' && !strchr(" #\"'\t\n\r={}()+,*", c);
}

static void blank(struct scan *sc, size_t from, size_t to)
{
	size_t i;

	if (!sc->blank)
		return;
	for (i = from; i < to; i++) {
		if (sc->t[i] != '\n')
			sc->t[i] = ' ';
	}
}

/* A quoted string; sc->pos is on the opening quote. */
static int lex_string(struct scan *sc, struct token *tok)
{
	char q = sc->t[sc->pos];
	int start_line = sc->line;
	size_t start = ++sc->pos;

	while (sc->pos < sc->n) {
		char c = sc->t[sc->pos];

		if (c == q) {
			tok->type = TOK_STR;
			tok->quote = q;
			tok->line = start_line;
			tok->s = sc->t + start;
			tok->len = sc->pos - start;
			sc->pos++;
			return 0;
		}
		if (c == '\n')
			sc->line++;
		if (c == '$' && q == '"' && sc->t[sc->pos + 1] == '{')
			return scan_fail(sc, sc->line,
					 "environment substitution \"${...}\" is not supported");
		if (c == '\\') {
			char e = sc->t[sc->pos + 1];

			if (q == '"' && e >= '0' && e <= '9')
				return scan_fail(sc, sc->line,
						 "octal escapes in strings are not supported");
			if (e == '\n')
				sc->line++;
			if (e != '\0')
				sc->pos++;
		}
		sc->pos++;
	}
	return scan_fail(sc, start_line, "unterminated string");
}

static int lex_next(struct scan *sc, struct token *tok)
{
	char *t = sc->t;

	while (sc->pos < sc->n) {
		char c = t[sc->pos], d = t[sc->pos + 1];
		size_t start = sc->pos;

		if (c == '\n') {
			sc->line++;
			sc->pos++;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			sc->pos++;
		} else if (c == '#' || (c == '/' && d == '/')) {
			while (sc->pos < sc->n && t[sc->pos] != '\n')
				sc->pos++;
			blank(sc, start, sc->pos);
		} else if (c == '/' && d == '*') {
			int start_line = sc->line;
			char *end = strstr(t + sc->pos + 2, "*/");

			if (!end)
				return scan_fail(sc, start_line, "unterminated /* comment");
			for (; sc->pos < (size_t)(end - t) + 2; sc->pos++) {
				if (t[sc->pos] == '\n')
					sc->line++;
			}
			blank(sc, start, sc->pos);
		} else if (c == '"' || c == '\'') {
			return lex_string(sc, tok);
		} else if (strchr("{}()=,", c) || (c == '+' && d == '=')) {
			tok->type = TOK_PUNCT;
			tok->line = sc->line;
			tok->punct = c;
			tok->s = t + sc->pos;
			tok->len = c == '+' ? 2 : 1;
			sc->pos += tok->len;
			return 0;
		} else if (c == '+' || c == '*') {
			/* libconfuse would drop these without a word. */
			char msg[40];

			snprintf(msg, sizeof(msg), "unexpected character '%c'", c);
			return scan_fail(sc, sc->line, msg);
		} else {
			while (word_char(t[sc->pos])) {
				if (t[sc->pos] == '$' && t[sc->pos + 1] == '{')
					return scan_fail(sc, sc->line,
							 "environment substitution "
							 "\"${...}\" is not supported");
				sc->pos++;
			}
			tok->type = TOK_WORD;
			tok->line = sc->line;
			tok->s = t + start;
			tok->len = sc->pos - start;
			return 0;
		}
	}
	tok->type = TOK_EOF;
	tok->line = sc->line;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/*
 * The text of a word or string as libconfuse will see it: escapes decoded
 * as lexer.l does ("\user" is "user"). Returns false when it does not fit
 * in buf (buf then holds a truncated, terminated prefix).
 */
static bool tok_text(const struct token *tok, char *buf, size_t size)
{
	static const char from[] = "nrbfaetv", to[] = "\n\r\b\f\a\033\t\v";
	size_t i = 0, o = 0;

	while (i < tok->len && o + 1 < size) {
		char c = tok->s[i++], e;
		const char *m;

		if (tok->type != TOK_STR || c != '\\' || i >= tok->len) {
			buf[o++] = c;
			continue;
		}
		e = tok->s[i++];
		if (e == '\n')
			continue; /* line continuation */
		if (tok->quote == '\'') {
			if (e != '\\' && e != '\'')
				buf[o++] = '\\';
			if (o + 1 < size)
				buf[o++] = e;
		} else if (e == 'x' && i < tok->len && hexval(tok->s[i]) >= 0) {
			int v = hexval(tok->s[i++]);

			if (i < tok->len && hexval(tok->s[i]) >= 0)
				v = v * 16 + hexval(tok->s[i++]);
			buf[o++] = (char)v;
		} else if ((m = strchr(from, e)) && e != '\0') {
			buf[o++] = to[m - from];
		} else {
			buf[o++] = e;
		}
	}
	buf[o] = '\0';
	return i >= tok->len;
}

bool tok_is(const struct token *tok, const char *word)
{
	char buf[32];

	if (tok->type != TOK_WORD && tok->type != TOK_STR)
		return false;
	return tok_text(tok, buf, sizeof(buf)) && strcmp(buf, word) == 0;
}

static bool tok_value(const struct token *tok)
{
	return tok->type == TOK_WORD || tok->type == TOK_STR;
}

static int add_hdr(struct scan *sc, enum sec_kind kind, int line, const struct token *title)
{
	struct scan_hdr *h;

	if (sc->nhdrs == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 16;

		h = realloc(sc->hdrs, cap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		sc->hdrs = h;
		sc->cap = cap;
	}
	h = &sc->hdrs[sc->nhdrs++];
	h->kind = kind;
	h->line = line;
	h->title[0] = '\0';
	if (title)
		tok_text(title, h->title, sizeof(h->title));
	sc->nkind[kind]++;
	return 0;
}

/* Keys seen in one scope (top level or one section), to catch a key given
 * twice: libconfuse would silently keep the last. */
struct seen_keys {
	struct {
		char name[24]; /* longest key: "on_namespace_error" */
		int line;
	} k[32]; /* more than the keys of any one scope */
	size_t n;
};

static int check_dup_key(struct scan *sc, struct seen_keys *seen, const struct token *key)
{
	char name[sizeof(seen->k[0].name)], msg[96];
	size_t i;

	if (!known_key(key) || !tok_text(key, name, sizeof(name)))
		return 0;
	for (i = 0; i < seen->n; i++) {
		if (strcmp(seen->k[i].name, name) == 0) {
			snprintf(msg, sizeof(msg), "duplicate key \"%s\" (first at line %d)", name,
				 seen->k[i].line);
			return scan_fail(sc, key->line, msg);
		}
	}
	if (seen->n < sizeof(seen->k) / sizeof(seen->k[0])) {
		memcpy(seen->k[seen->n].name, name, sizeof(name));
		seen->k[seen->n++].line = key->line;
	}
	return 0;
}

static bool is_punct(const struct token *tok, char c)
{
	return tok->type == TOK_PUNCT && tok->punct == c;
}

/*
 * Lexes the whole text: blanks comments (if sc->blank), finds the header
 * line of each top-level section (libconfuse only knows where the section's
 * brace was, and forgets even that by the end of the section), catches keys
 * given twice, notes the line of a top-level min_uid (for "explain"), and
 * notes the last top-level `on_error = VALUE` and `on_config_error = VALUE`
 * (for iso_config_peek_on_error: any value but allow counts as deny).
 */
int scan_text(struct scan *sc)
{
	static const char *const list_keys[3] = {"exempt_users", "exempt_groups", "services"};
	struct token prev[2] = {{.type = TOK_EOF}, {.type = TOK_EOF}};
	struct seen_keys top = {.n = 0}, sec = {.n = 0};
	struct token tok;
	size_t nsections = 0;
	int depth = 0, open_line = 0, r;
	bool in_list = false, exempt_list = false;

	sc->line = 1;
	sc->on_error = -1;
	sc->on_config_error = -1;
	sc->min_uid_line = 0;
	for (;;) {
		r = lex_next(sc, &tok);
		if (r < 0 || tok.type == TOK_EOF)
			break;
		if (is_punct(&tok, '{') && !in_list &&
		    (is_punct(&prev[0], '=') || is_punct(&prev[0], '+'))) {
			in_list = true;
			exempt_list = depth == 0 && tok_is(&prev[1], "exempt_users");
		} else if (in_list && exempt_list && sc->peek_user && tok_value(&tok)) {
			char v[ISO_NAME_MAX + 2];

			if (tok_text(&tok, v, sizeof(v))) {
				if (strcmp(v, sc->peek_user) == 0)
					sc->peek_listed = true;
				else if (v[0] == '!' && strcmp(v + 1, sc->peek_user) == 0)
					sc->peek_negated = true;
			}
		} else if (is_punct(&tok, '{')) {
			if (depth == 0) {
				r = 0;
				if (tok_value(&prev[0]) && tok_is(&prev[1], "user"))
					r = add_hdr(sc, SEC_USER, prev[1].line, &prev[0]);
				else if (tok_value(&prev[0]) && tok_is(&prev[1], "group"))
					r = add_hdr(sc, SEC_GROUP, prev[1].line, &prev[0]);
				else if (tok_is(&prev[0], "default"))
					r = add_hdr(sc, SEC_DEFAULT, prev[0].line, NULL);
				if (r < 0)
					break;
				open_line = tok.line;
				sec.n = 0;
			}
			/* Each section costs a libconfuse cfg_t: bound them
			 * before libconfuse allocates, not after. */
			if (++nsections > 3 * ISO_CONFIG_MAX_SECTIONS) {
				r = scan_fail(sc, tok.line, "too many sections");
				break;
			}
			depth++;
		} else if (is_punct(&tok, '}')) {
			if (in_list)
				in_list = false;
			else if (depth > 0)
				depth--;
		} else if (is_punct(&tok, '=') && sc->blank && !in_list && depth <= 1 &&
			   tok_value(&prev[0])) {
			r = check_dup_key(sc, depth == 0 ? &top : &sec, &prev[0]);
			if (r < 0)
				break;
			if (depth == 0 && tok_is(&prev[0], "min_uid"))
				sc->min_uid_line = prev[0].line;
			for (int k = 0; depth == 0 && k < 3; k++)
				if (tok_is(&prev[0], list_keys[k]))
					sc->list_line[k] = prev[0].line;
		} else if (depth == 0 && tok_value(&tok) && is_punct(&prev[0], '=') &&
			   (tok_is(&prev[1], "on_error") || tok_is(&prev[1], "on_config_error"))) {
			char v[8];
			int val = ISO_ON_ERROR_DENY;

			if (tok_text(&tok, v, sizeof(v)) && strcasecmp(v, "allow") == 0)
				val = ISO_ON_ERROR_ALLOW;
			if (tok_is(&prev[1], "on_error"))
				sc->on_error = val;
			else
				sc->on_config_error = val;
		}
		prev[1] = prev[0];
		prev[0] = tok;
	}
	/* libconfuse takes end of file as the end of an open section. */
	if (r == 0 && depth > 0)
		r = scan_fail(sc, open_line, "missing closing brace for the '{' on this line");
	return r;
}

int scan_hdr_line(const struct scan *sc, enum sec_kind kind, size_t index, size_t count)
{
	size_t i, k = 0;

	/* Only trust our own count if it agrees with libconfuse's. */
	if (!sc || sc->nkind[kind] != count)
		return 0;
	for (i = 0; i < sc->nhdrs; i++) {
		if (sc->hdrs[i].kind == kind && k++ == index)
			return sc->hdrs[i].line;
	}
	return 0;
}
