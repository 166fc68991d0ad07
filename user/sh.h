/*
 * Shared declarations of the shell: the parsed command tree (sh_parse.c
 * builds it, sh_exec.c runs it), word expansion, and the state that main,
 * builtins and the executor share (sh.c). Nodes live in an arena that is
 * reset after each top-level command.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum redir_op {
    R_IN,
    R_OUT,
    R_APPEND,
    R_DUP
};

struct redir {
    int fd; /* the descriptor redirected */
    enum redir_op op;
    char *target; /* raw word: a file, or for R_DUP a fd number or "-" */
    struct redir *next;
};

struct cmd {
    char **words; /* raw words, NULL-terminated */
    int nwords;
    struct redir *redirs;
    struct cmd *next; /* next command of the pipeline */
};

struct andor {
    struct cmd *pipes[32]; /* pipelines joined by && / || */
    int ops[32];           /* ops[i] joins pipes[i-1] and pipes[i]: 1 && 2 || */
    int n;
    bool background;
    struct andor *next;
};

/* Parse results. */
enum {
    P_OK,
    P_MORE,
    P_ERROR
};

/* Parse src into a list of and-or items. P_MORE means the text ends inside
 * a quote or after an operator and needs another line. On P_ERROR a message
 * was printed. */
int sh_parse(const char *src, struct andor **out);

/* Expand one raw word (quotes, backslashes, $VAR, $?, $$, $!, $#, $0-$9)
 * into fields appended to *argv (grown with realloc). Unquoted expansions
 * are split on blanks. Returns 0, -1 on allocation failure. */
int sh_expand(const char *raw, char ***argv, int *argc, int *cap);
/* Expand to one string (fields joined by spaces), for redirections. */
char *sh_expand_one(const char *raw);

/* Arena allocation, freed as a whole by sh_arena_reset. */
void *sh_alloc(size_t n);
char *sh_strndup(const char *s, size_t n);
void sh_arena_reset(void);

/* Run a parsed list; returns the last status. */
int sh_run(struct andor *list);

/* Shared state. */
extern int sh_status;       /* $? */
extern pid_t sh_last_bg;    /* $! */
extern bool sh_interactive; /* prompts, job-control messages */
extern bool sh_jobctl;      /* process groups and tcsetpgrp work */
extern pid_t sh_pgid;       /* the shell's own process group */
extern int sh_argc;         /* $0.. for scripts */
extern char **sh_argv;
extern bool sh_exec_ok; /* -c: the last command may exec without fork */

/* The interactive shell's own signal dispositions (SIGINT interrupts the
 * line being read; job-control signals ignored). */
void sh_interactive_signals(void);

/* Builtins (sh.c). Returns true if name is one; then *status is set. */
bool sh_is_builtin(const char *name);
int sh_builtin(int argc, char **argv);
/* Remember a background pid; record a reaped child's status. */
void sh_job_add(pid_t pid);
void sh_job_done(pid_t pid, int st);
/* Reap finished background jobs without blocking (interactive notices). */
void sh_jobs_poll(void);
/* Status code for a wait status, printing "Killed"-style messages for a
 * foreground job killed by a signal. */
int sh_status_of(int st, bool report);
void sh_err(const char *what, const char *detail);
