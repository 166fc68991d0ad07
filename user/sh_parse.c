/*
 * The shell's front half: the lexer (words keep their quotes raw, so that
 * $? is expanded when the command runs, not when the line is read), a
 * recursive-descent parser for lists, and-or lists, pipelines and simple
 * commands with redirections, and word expansion. Running the tree is
 * sh_exec.c's job. Grammar:
 *   list    := andor ((';' | '&' | NL) andor)*
 *   andor   := pipeline (('&&' | '||') NL* pipeline)*
 *   pipeline:= command ('|' NL* command)*
 *   command := (WORD | [N](< | > | >> | >& | <&) WORD)+
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sh.h"

/* ---- arena ---- */

struct chunk {
    struct chunk *next;
    size_t used;
    size_t size;
    max_align_t data[];
};

static struct chunk *arena;

void *
sh_alloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (!arena || arena->used + n > arena->size) {
        size_t size = n > 65536 ? n : 65536;
        struct chunk *c = malloc(sizeof *c + size);
        if (!c) {
            write(2, "sh: out of memory\n", 18);
            _exit(2);
        }
        c->next = arena;
        c->used = 0;
        c->size = size;
        arena = c;
    }
    void *p = (char *)arena->data + arena->used;
    arena->used += n;
    return p;
}

char *
sh_strndup(const char *s, size_t n)
{
    char *p = sh_alloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void
sh_arena_reset(void)
{
    while (arena) {
        struct chunk *next = arena->next;
        free(arena);
        arena = next;
    }
}

/* ---- lexer ---- */

enum tok {
    T_WORD,
    T_PIPE,
    T_OR,
    T_AND,
    T_AMP,
    T_SEMI,
    T_NL,
    T_REDIR,
    T_EOF
};

struct token {
    enum tok t;
    char *word;
    int fd;
    enum redir_op op;
};

struct lexer {
    const char *s;
    size_t pos;
    bool more; /* input ended inside a quote or escape */
    bool have_peek;
    struct token peek;
};

static int
is_meta(char c)
{
    return c == '|' || c == '&' || c == ';' || c == '<' || c == '>';
}

static void
lex_word(struct lexer *lx, struct token *tk)
{
    const char *s = lx->s;
    size_t start = lx->pos;
    size_t p = start;

    while (s[p] && s[p] != ' ' && s[p] != '\t' && s[p] != '\n' && !is_meta(s[p])) {
        if (s[p] == '\'') {
            const char *q = strchr(s + p + 1, '\'');
            if (!q) {
                lx->more = true;
                p = strlen(s);
                break;
            }
            p = q - s + 1;
        } else if (s[p] == '"') {
            p++;
            while (s[p] && s[p] != '"')
                p += (s[p] == '\\' && s[p + 1]) ? 2 : 1;
            if (!s[p]) {
                lx->more = true;
                break;
            }
            p++;
        } else if (s[p] == '\\') {
            if (!s[p + 1] || (s[p + 1] == '\n' && !s[p + 2])) {
                lx->more = true;
                p = strlen(s);
                break;
            }
            p += 2;
        } else {
            p++;
        }
    }
    lx->pos = p;
    tk->t = T_WORD;
    tk->word = sh_strndup(s + start, p - start);
}

static void
lex(struct lexer *lx, struct token *tk)
{
    const char *s = lx->s;

    if (lx->have_peek) {
        *tk = lx->peek;
        lx->have_peek = false;
        return;
    }
    memset(tk, 0, sizeof *tk);
    for (;;) {
        while (s[lx->pos] == ' ' || s[lx->pos] == '\t')
            lx->pos++;
        if (s[lx->pos] == '\\' && s[lx->pos + 1] == '\n') {
            lx->pos += 2; /* line continuation between words */
            if (!s[lx->pos])
                lx->more = true;
            continue;
        }
        if (s[lx->pos] == '#') {
            while (s[lx->pos] && s[lx->pos] != '\n')
                lx->pos++;
        }
        break;
    }
    char c = s[lx->pos];
    char d = c ? s[lx->pos + 1] : '\0';
    if (!c) {
        tk->t = T_EOF;
        return;
    }
    if (c == '\n') {
        lx->pos++;
        tk->t = T_NL;
        return;
    }
    if (c == '|' || c == '&') {
        lx->pos += (d == c) ? 2 : 1;
        if (c == '|')
            tk->t = (d == c) ? T_OR : T_PIPE;
        else
            tk->t = (d == c) ? T_AND : T_AMP;
        return;
    }
    if (c == ';') {
        lx->pos++;
        tk->t = T_SEMI;
        return;
    }
    /* An all-digit word right before < or > is the descriptor to redirect. */
    int fd = -1;
    size_t p = lx->pos;
    while (isdigit((unsigned char)s[p]))
        p++;
    if (p > lx->pos && p - lx->pos < 4 && (s[p] == '<' || s[p] == '>')) {
        fd = atoi(s + lx->pos);
        lx->pos = p;
        c = s[p];
        d = s[p + 1];
    }
    if (c == '<' || c == '>') {
        tk->t = T_REDIR;
        lx->pos++;
        if (c == '<') {
            tk->fd = fd >= 0 ? fd : 0;
            tk->op = R_IN;
            if (d == '&') {
                tk->op = R_DUP;
                lx->pos++;
            }
        } else {
            tk->fd = fd >= 0 ? fd : 1;
            tk->op = R_OUT;
            if (d == '>') {
                tk->op = R_APPEND;
                lx->pos++;
            } else if (d == '&') {
                tk->op = R_DUP;
                lx->pos++;
            } else if (d == '|') {
                lx->pos++;
            }
        }
        return;
    }
    lex_word(lx, tk);
}

static enum tok
peek(struct lexer *lx)
{
    if (!lx->have_peek) {
        lex(lx, &lx->peek);
        lx->have_peek = true;
    }
    return lx->peek.t;
}

/* ---- parser ---- */

struct parser {
    struct lexer lx;
    int result;
};

static const char *
tok_name(struct parser *ps)
{
    switch (ps->lx.peek.t) {
    case T_PIPE:
        return "|";
    case T_OR:
        return "||";
    case T_AND:
        return "&&";
    case T_AMP:
        return "&";
    case T_SEMI:
        return ";";
    case T_NL:
        return "newline";
    case T_REDIR:
        return "redirection";
    case T_EOF:
        return "end of input";
    default:
        return ps->lx.peek.word;
    }
}

static void
syntax_error(struct parser *ps)
{
    if (ps->result != P_OK)
        return;
    if (ps->lx.more) {
        ps->result = P_MORE;
        return;
    }
    peek(&ps->lx);
    fprintf(stderr, "sh: syntax error near '%s'\n", tok_name(ps));
    ps->result = P_ERROR;
}

/* After an operator that needs a right-hand side: newlines are allowed,
 * and the end of input means "read another line". */
static bool
need_more_after_op(struct parser *ps)
{
    while (peek(&ps->lx) == T_NL) {
        struct token tk;
        lex(&ps->lx, &tk);
    }
    if (peek(&ps->lx) == T_EOF) {
        ps->result = P_MORE;
        return true;
    }
    return false;
}

static struct cmd *
parse_cmd(struct parser *ps)
{
    struct cmd *c = sh_alloc(sizeof *c);
    struct redir **rtail = &c->redirs;
    int cap = 8;

    memset(c, 0, sizeof *c);
    c->words = sh_alloc(cap * sizeof *c->words);
    for (;;) {
        enum tok t = peek(&ps->lx);
        struct token tk;
        if (t == T_WORD) {
            lex(&ps->lx, &tk);
            if (c->nwords + 1 >= cap) {
                char **nw = sh_alloc(2 * cap * sizeof *nw);
                memcpy(nw, c->words, cap * sizeof *nw);
                c->words = nw;
                cap *= 2;
            }
            c->words[c->nwords++] = tk.word;
        } else if (t == T_REDIR) {
            lex(&ps->lx, &tk);
            if (peek(&ps->lx) != T_WORD) {
                syntax_error(ps);
                return NULL;
            }
            struct token target;
            lex(&ps->lx, &target);
            struct redir *r = sh_alloc(sizeof *r);
            r->fd = tk.fd;
            r->op = tk.op;
            r->target = target.word;
            r->next = NULL;
            *rtail = r;
            rtail = &r->next;
        } else {
            break;
        }
    }
    c->words[c->nwords] = NULL;
    if (c->nwords == 0 && !c->redirs) {
        syntax_error(ps);
        return NULL;
    }
    return c;
}

static struct cmd *
parse_pipeline(struct parser *ps)
{
    struct cmd *first = parse_cmd(ps);
    struct cmd *last = first;

    while (last && peek(&ps->lx) == T_PIPE) {
        struct token tk;
        lex(&ps->lx, &tk);
        if (need_more_after_op(ps))
            return NULL;
        last->next = parse_cmd(ps);
        last = last->next;
    }
    return last ? first : NULL;
}

static struct andor *
parse_andor(struct parser *ps)
{
    struct andor *a = sh_alloc(sizeof *a);

    memset(a, 0, sizeof *a);
    a->pipes[0] = parse_pipeline(ps);
    if (!a->pipes[0])
        return NULL;
    a->n = 1;
    for (;;) {
        enum tok t = peek(&ps->lx);
        if (t != T_AND && t != T_OR)
            break;
        struct token tk;
        lex(&ps->lx, &tk);
        if (need_more_after_op(ps))
            return NULL;
        if (a->n == 32) {
            fprintf(stderr, "sh: too many && / || in one list\n");
            ps->result = P_ERROR;
            return NULL;
        }
        a->ops[a->n] = t == T_AND ? 1 : 2;
        a->pipes[a->n] = parse_pipeline(ps);
        if (!a->pipes[a->n])
            return NULL;
        a->n++;
    }
    return a;
}

int
sh_parse(const char *src, struct andor **out)
{
    struct parser ps;
    struct andor *head = NULL;
    struct andor **tail = &head;

    memset(&ps, 0, sizeof ps);
    ps.lx.s = src;
    ps.result = P_OK;
    for (;;) {
        enum tok t;
        while ((t = peek(&ps.lx)) == T_NL) {
            struct token tk;
            lex(&ps.lx, &tk);
        }
        if (t == T_EOF)
            break;
        struct andor *a = parse_andor(&ps);
        if (!a) {
            syntax_error(&ps);
            break;
        }
        *tail = a;
        tail = &a->next;
        t = peek(&ps.lx);
        if (t == T_AMP || t == T_SEMI || t == T_NL) {
            struct token tk;
            lex(&ps.lx, &tk);
            a->background = t == T_AMP;
        } else if (t != T_EOF) {
            syntax_error(&ps);
            break;
        }
    }
    if (ps.result == P_OK && ps.lx.more)
        ps.result = P_MORE;
    *out = ps.result == P_OK ? head : NULL;
    return ps.result;
}

/* ---- expansion ---- */

struct expander {
    char **argv;
    int argc;
    int cap;
    char *buf; /* current field */
    size_t len;
    size_t bufcap;
    bool have; /* current field exists even if empty ("") */
};

static void
put(struct expander *e, char c)
{
    if (e->len + 1 >= e->bufcap) {
        size_t ncap = e->bufcap ? e->bufcap * 2 : 64;
        char *nb = sh_alloc(ncap);
        memcpy(nb, e->buf, e->len);
        e->buf = nb;
        e->bufcap = ncap;
    }
    e->buf[e->len++] = c;
    e->have = true;
}

static void
end_field(struct expander *e)
{
    if (!e->have)
        return;
    if (e->argc + 1 >= e->cap) {
        int ncap = e->cap ? e->cap * 2 : 16;
        char **na = sh_alloc(ncap * sizeof *na);
        if (e->argv)
            memcpy(na, e->argv, e->argc * sizeof *na);
        e->argv = na;
        e->cap = ncap;
    }
    e->argv[e->argc++] = sh_strndup(e->buf ? e->buf : "", e->len);
    e->argv[e->argc] = NULL;
    e->len = 0;
    e->have = false;
}

/* The value of the parameter at *pp (just after '$'); advances *pp.
 * NULL when '$' is not followed by a parameter (then it is literal). */
static const char *
param(const char **pp)
{
    static char num[32];
    const char *p = *pp;

    if (*p == '?' || *p == '$' || *p == '!' || *p == '#') {
        *pp = p + 1;
        if (*p == '?')
            snprintf(num, sizeof num, "%d", sh_status);
        else if (*p == '$')
            snprintf(num, sizeof num, "%d", (int)getpid());
        else if (*p == '#')
            snprintf(num, sizeof num, "%d", sh_argc > 0 ? sh_argc - 1 : 0);
        else if (sh_last_bg > 0)
            snprintf(num, sizeof num, "%d", (int)sh_last_bg);
        else
            num[0] = '\0';
        return num;
    }
    if (isdigit((unsigned char)*p)) {
        int n = *p - '0';
        *pp = p + 1;
        return n < sh_argc ? sh_argv[n] : "";
    }
    bool brace = *p == '{';
    const char *start = p + brace;
    const char *q = start;
    while (isalnum((unsigned char)*q) || *q == '_')
        q++;
    if (q == start || isdigit((unsigned char)*start) || (brace && *q != '}'))
        return NULL;
    char name[128];
    size_t n = q - start < (long)sizeof name ? (size_t)(q - start) : sizeof name - 1;
    memcpy(name, start, n);
    name[n] = '\0';
    *pp = q + brace;
    const char *v = getenv(name);
    return v ? v : "";
}

static void
expand_into(struct expander *e, const char *raw)
{
    const char *p = raw;

    while (*p) {
        char c = *p++;
        if (c == '\'') {
            e->have = true;
            while (*p && *p != '\'')
                put(e, *p++);
            if (*p)
                p++;
        } else if (c == '"') {
            e->have = true;
            while (*p && *p != '"') {
                if (*p == '\\' && p[1] && strchr("$`\"\\\n", p[1])) {
                    if (p[1] != '\n')
                        put(e, p[1]);
                    p += 2;
                } else if (*p == '$') {
                    const char *q = p + 1;
                    const char *v = param(&q);
                    if (!v) {
                        put(e, *p++);
                        continue;
                    }
                    while (*v)
                        put(e, *v++);
                    p = q;
                } else {
                    put(e, *p++);
                }
            }
            if (*p)
                p++;
        } else if (c == '\\') {
            if (*p == '\n')
                p++;
            else if (*p)
                put(e, *p++);
        } else if (c == '$') {
            const char *v = param(&p);
            if (!v) {
                put(e, '$');
                continue;
            }
            /* Unquoted: split on blanks. */
            for (; *v; v++) {
                if (*v == ' ' || *v == '\t' || *v == '\n')
                    end_field(e);
                else
                    put(e, *v);
            }
        } else {
            put(e, c);
        }
    }
}

int
sh_expand(const char *raw, char ***argv, int *argc, int *cap)
{
    struct expander e;

    memset(&e, 0, sizeof e);
    e.argv = *argv;
    e.argc = *argc;
    e.cap = *cap;
    expand_into(&e, raw);
    end_field(&e);
    *argv = e.argv;
    *argc = e.argc;
    *cap = e.cap;
    return 0;
}

char *
sh_expand_one(const char *raw)
{
    char **argv = NULL;
    int argc = 0;
    int cap = 0;
    size_t len = 0;

    sh_expand(raw, &argv, &argc, &cap);
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *s = sh_alloc(len + 1);
    s[0] = '\0';
    for (int i = 0; i < argc; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}
