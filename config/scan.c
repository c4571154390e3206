/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pre-scan of isolate.conf, run before libconfuse sees the text: a
 * lexer that follows libconfuse 3.3's lexer.l. See config.c for the
 * libconfuse quirks it exists for.
 */
#include "config_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- pre-scan: a lexer that follows libconfuse 3.3's lexer.l ---- */

static int scan_fail(struct scan *sc, int line, const char *what)
{
	if (sc->err)
		add_err(sc->err, sc->name, line, "%s", what);
	sc->fatal = true;
	return -EINVAL;
}

/* Where the scan's tokens may part from libconfuse's ("${...}", octal
 * escapes, characters libconfuse drops): what a peek found may not be
 * what the file says. */
static void scan_diverge(struct scan *sc, int line, const char *what)
{
	if (sc->peek_user)
		sc->peek_unsure = true;
	scan_note(sc, line, what);
}

/* An error the scan can go past: noted, its line blanked later. */
void scan_note(struct scan *sc, int line, const char *what)
{
	int *v;

	if (sc->err && what)
		add_err(sc->err, sc->name, line, "%s", what);
	if (sc->nbad == sc->badcap) {
		size_t cap = sc->badcap ? sc->badcap * 2 : 8;

		v = realloc(sc->bad_lines, cap * sizeof(*v));
		if (!v) {
			sc->fatal = true; /* cannot recover: stop at this one */
			return;
		}
		sc->bad_lines = v;
		sc->badcap = cap;
	}
	sc->bad_lines[sc->nbad++] = line;
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
			scan_diverge(sc, sc->line,
				     "environment substitution \"${...}\" is not supported");
		if (c == '\\') {
			char e = sc->t[sc->pos + 1];

			if (q == '"' && e >= '0' && e <= '9')
				scan_diverge(sc, sc->line,
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
			scan_diverge(sc, sc->line, msg);
			sc->pos++;
		} else {
			while (word_char(t[sc->pos])) {
				if (t[sc->pos] == '$' && t[sc->pos + 1] == '{')
					scan_diverge(sc, sc->line,
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

static int check_dup_key(struct scan *sc, struct seen_keys *seen, const struct token *key)
{
	char name[sizeof(seen->k[0].name)], msg[96];
	size_t i;

	if (!tok_text(key, name, sizeof(name)) || !known_key(name))
		return 0;
	for (i = 0; i < seen->n; i++) {
		if (strcmp(seen->k[i].name, name) == 0) {
			snprintf(msg, sizeof(msg), "duplicate key \"%s\" (first at line %d)", name,
				 seen->k[i].line);
			scan_note(sc, key->line, msg);
			return 0;
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

/* "2", "12.5": a number a unit could follow. */
static bool looks_number(const struct token *tok)
{
	size_t i;

	if (tok->type != TOK_WORD || tok->len == 0 || tok->s[0] < '0' || tok->s[0] > '9')
		return false;
	for (i = 0; i < tok->len; i++)
		if (!((tok->s[i] >= '0' && tok->s[i] <= '9') || tok->s[i] == '.'))
			return false;
	return true;
}

/* "GB", "ms", "%", "K", "GiB": what the units of isolate.conf look like. */
static bool looks_unit(const struct token *tok)
{
	size_t i;

	if (tok->type != TOK_WORD || tok->len == 0 || tok->len > 3)
		return false;
	if (tok->len == 1 && tok->s[0] == '%')
		return true;
	for (i = 0; i < tok->len; i++)
		if (!((tok->s[i] | 0x20) >= 'a' && (tok->s[i] | 0x20) <= 'z'))
			return false;
	return true;
}

/* libconfuse would take "2" as the value and "GB" as the next key, and
 * the admin would read 'value "2" out of range': say what is wrong. */
static void note_unit_space(struct scan *sc, const struct token *key, const struct token *num,
			    const struct token *unit)
{
	char k[24] = "value", msg[160];

	if (tok_value(key))
		tok_text(key, k, sizeof(k));
	snprintf(msg, sizeof(msg),
		 "%s: \"%.*s %.*s\": the unit must follow the number with no space (\"%.*s%.*s\")",
		 k, (int)num->len, num->s, (int)unit->len, unit->s, (int)num->len, num->s,
		 (int)unit->len, unit->s);
	scan_note(sc, num->line, msg);
}

/* The exempt list a key names: 1 exempt_users, 2 exempt_groups, 0 none. */
static int exempt_kind(const struct token *key)
{
	return tok_is(key, "exempt_users") ? 1 : tok_is(key, "exempt_groups") ? 2 : 0;
}

/* Is name, an entry of the top-level exempt list kind (1 users, 2 groups),
 * the peeked user or one of their groups? */
static bool peek_matches(const struct scan *sc, int kind, const char *name)
{
	size_t i;

	if (kind == 1)
		return strcmp(name, sc->peek_user) == 0;
	for (i = 0; i < sc->peek_ngroups; i++)
		if (sc->peek_groups[i] && strcmp(name, sc->peek_groups[i]) == 0)
			return true;
	return false;
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
	struct token prev[3] = {{.type = TOK_EOF}, {.type = TOK_EOF}, {.type = TOK_EOF}};
	struct seen_keys top = {.n = 0}, sec = {.n = 0};
	struct token tok;
	size_t nsections = 0;
	int depth = 0, open_line = 0, r;
	bool in_list = false;
	int exempt_list = 0;	  /* 1: the top-level exempt_users, 2: exempt_groups */
	int assigned[2] = {0, 0}; /* lists given to exempt_users, exempt_groups */

	sc->line = 1;
	sc->on_error = -1;
	sc->on_config_error = -1;
	sc->min_uid_line = 0;
	for (;;) {
		r = lex_next(sc, &tok);
		if (r < 0 || tok.type == TOK_EOF)
			break;
		if (!in_list && depth <= 1 && tok.line == prev[0].line && is_punct(&prev[1], '=') &&
		    looks_number(&prev[0]) && looks_unit(&tok))
			note_unit_space(sc, &prev[2], &prev[0], &tok);
		/* libconfuse takes "exempt_users = x" as a list of one: an entry
		 * the peek would not see, maybe a "!name" one */
		if (sc->peek_user && !in_list && depth == 0 && !is_punct(&tok, '{') &&
		    (is_punct(&prev[0], '=') || is_punct(&prev[0], '+')) && exempt_kind(&prev[1]))
			sc->peek_unsure = true;
		if (is_punct(&tok, '{') && !in_list &&
		    (is_punct(&prev[0], '=') || is_punct(&prev[0], '+'))) {
			in_list = true;
			exempt_list = depth == 0 ? exempt_kind(&prev[1]) : 0;
			/* libconfuse's "=" drops what the list had, "+=" adds:
			 * a list given twice in a file, "=" the second time, is
			 * not the union the peek would take */
			if (exempt_list && assigned[exempt_list - 1]++ && is_punct(&prev[0], '=') &&
			    sc->peek_user)
				sc->peek_unsure = true;
		} else if (in_list && exempt_list && sc->peek_user && tok_value(&tok)) {
			char v[ISO_NAME_MAX + 2];

			if (!tok_text(&tok, v, sizeof(v))) {
				sc->peek_unsure = true; /* longer than any name */
			} else {
				sc->peek_group_neg |= exempt_list == 2 && v[0] == '!';
				if (peek_matches(sc, exempt_list, v + (v[0] == '!'))) {
					if (v[0] == '!')
						sc->peek_negated = true;
					else
						sc->peek_listed = true;
				}
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
		} else if (is_punct(&tok, '+') && depth == 0 && !in_list && tok_value(&prev[0])) {
			/* "+=" gives a list too: a drop-in's exempt_users += {...}
			 * is merged, not dropped with the built-in {root} */
			for (int k = 0; k < 3; k++)
				if (tok_is(&prev[0], list_keys[k]) && !sc->list_line[k])
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
		prev[2] = prev[1];
		prev[1] = prev[0];
		prev[0] = tok;
	}
	/* libconfuse takes end of file as the end of an open section. */
	if (r == 0 && depth > 0)
		r = scan_fail(sc, open_line, "missing closing brace for the '{' on this line");
	sc->top = top;
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

/* ---- statements, for reporting every error ---- */

enum stmt_state { ST_NAME, ST_TITLE, ST_EQ, ST_LIST, ST_SECTION };

static size_t tok_start(const struct scan *sc, const struct token *tok)
{
	return (size_t)(tok->s - sc->t) - (tok->type == TOK_STR ? 1 : 0);
}

static size_t tok_end(const struct scan *sc, const struct token *tok)
{
	return (size_t)(tok->s - sc->t) + tok->len + (tok->type == TOK_STR ? 1 : 0);
}

/* A string may span lines: the line it ends on. */
static int tok_last_line(const struct token *tok)
{
	int line = tok->line;

	for (size_t i = 0; tok->type == TOK_STR && i < tok->len; i++)
		line += tok->s[i] == '\n';
	return line;
}

/*
 * Splits the text into statements: "key = value", "key = { list }" and
 * whole sections at the top level, "key = value" inside sections. A
 * statement that does not parse still ends where the next one starts, so
 * blanking it takes the error and nothing else out of the text.
 */
int scan_stmts(const struct scan *sc, struct scan_stmt **out, size_t *n)
{
	struct scan lx = {.name = sc->name, .t = sc->t, .n = sc->n, .line = 1};
	struct scan_stmt *v = NULL, *tmp;
	size_t cap = 0, cnt = 0;
	long cur[2] = {-1, -1};
	enum stmt_state state[2] = {ST_NAME, ST_NAME};
	int depth = 0;
	struct token tok, prev = {.type = TOK_EOF};

	for (;;) {
		int d = depth > 1 ? 1 : depth;

		if (lex_next(&lx, &tok) < 0 || tok.type == TOK_EOF)
			break;
		if (depth > 1 && !is_punct(&tok, '{') && !is_punct(&tok, '}'))
			goto next;
		if (cur[d] >= 0 && state[d] == ST_LIST) {
			if (is_punct(&tok, '}')) {
				v[cur[d]].end = tok_end(&lx, &tok);
				v[cur[d]].line1 = tok_last_line(&tok);
				cur[d] = -1;
			}
			goto next;
		}
		if (is_punct(&tok, '{')) {
			if (cur[d] >= 0 && state[d] == ST_EQ) {
				state[d] = ST_LIST;
			} else {
				if (cur[d] >= 0) {
					state[d] = ST_SECTION;
					v[cur[d]].section = true;
				}
				depth++;
				if (depth <= 1)
					cur[1] = -1;
			}
			goto next;
		}
		if (is_punct(&tok, '}')) {
			if (depth == 0)
				goto next;
			if (depth == 1 && cur[1] >= 0) {
				v[cur[1]].end = tok_end(&lx, &prev);
				cur[1] = -1;
			}
			depth--;
			d = depth > 1 ? 1 : depth;
			if (depth <= 1 && cur[d] >= 0 && state[d] == ST_SECTION) {
				v[cur[d]].end = tok_end(&lx, &tok);
				v[cur[d]].line1 = tok_last_line(&tok);
				cur[d] = -1;
			}
			goto next;
		}
		if (cur[d] >= 0 && (is_punct(&tok, '=') || is_punct(&tok, '+'))) {
			state[d] = ST_EQ;
			v[cur[d]].end = tok_end(&lx, &tok);
			v[cur[d]].line1 = tok_last_line(&tok);
			goto next;
		}
		if (cur[d] >= 0 && tok_value(&tok) && (state[d] == ST_NAME || state[d] == ST_EQ)) {
			v[cur[d]].end = tok_end(&lx, &tok);
			v[cur[d]].line1 = tok_last_line(&tok);
			if (state[d] == ST_EQ)
				cur[d] = -1; /* key = value: done */
			else
				state[d] = ST_TITLE;
			goto next;
		}
		/* A new statement: close the open one where it stood. */
		cur[d] = -1;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 32;
			tmp = realloc(v, cap * sizeof(*v));
			if (!tmp) {
				free(v);
				free(lx.bad_lines);
				return -ENOMEM;
			}
			v = tmp;
		}
		cur[d] = (long)cnt;
		state[d] = is_punct(&tok, '=') ? ST_EQ : ST_NAME;
		v[cnt].start =
			tok.type == TOK_PUNCT ? (size_t)(tok.s - lx.t) : tok_start(&lx, &tok);
		v[cnt].end = tok.type == TOK_PUNCT ? v[cnt].start + tok.len : tok_end(&lx, &tok);
		v[cnt].line0 = tok.line;
		v[cnt].line1 = tok_last_line(&tok);
		v[cnt].section = false;
		cnt++;
	next:
		prev = tok;
	}
	/* open at the end: up to the end of the text */
	for (int d = 0; d < 2; d++)
		if (cur[d] >= 0 && (state[d] == ST_SECTION || state[d] == ST_LIST)) {
			v[cur[d]].end = lx.n;
			v[cur[d]].line1 = lx.line;
		}
	free(lx.bad_lines); /* the errors were noted by scan_text already */
	*out = v;
	*n = cnt;
	return 0;
}

static bool blank_range(struct scan *sc, size_t from, size_t to, bool keep_braces)
{
	bool changed = false;

	for (size_t i = from; i < to && i < sc->n; i++) {
		char c = sc->t[i];

		if (c == '\n' || c == ' ' || (keep_braces && (c == '{' || c == '}')))
			continue;
		sc->t[i] = ' ';
		changed = true;
	}
	return changed;
}

bool scan_blank_line(struct scan *sc, const struct scan_stmt *st, size_t n, int line)
{
	const struct scan_stmt *best = NULL;
	size_t i, from = 0, to;
	bool changed = false;
	int l = 1;

	/* Every key statement on the line (a value missing on one line
	 * takes the next line's key as its value: both go); a section only
	 * when no key statement is there (its header is at fault). */
	for (i = 0; i < n; i++) {
		if (st[i].line0 > line || line > st[i].line1)
			continue;
		if (!st[i].section)
			changed |= blank_range(sc, st[i].start, st[i].end, false);
		else if (!best || st[i].end - st[i].start < best->end - best->start)
			best = &st[i];
	}
	if (changed)
		return true;
	if (best && blank_range(sc, best->start, best->end, false))
		return true;
	/* No statement there (or blanked already): the line, but its
	 * braces, which keep the sections around it whole. */
	for (i = 0; i < sc->n && l < line; i++)
		if (sc->t[i] == '\n')
			l++;
	if (l != line)
		return false;
	from = i;
	for (to = from; to < sc->n && sc->t[to] != '\n'; to++)
		;
	return blank_range(sc, from, to, true);
}

void scan_reset(struct scan *sc)
{
	free(sc->hdrs);
	sc->hdrs = NULL;
	sc->nhdrs = sc->cap = 0;
	memset(sc->nkind, 0, sizeof(sc->nkind));
	sc->pos = 0;
	sc->nbad = 0;
	sc->fatal = false;
}
