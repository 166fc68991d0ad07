/*
 * The TIMERS row of the migration encapsulation table (kernel/migrate.h):
 * an ITIMER_REAL timer travels as its remaining time and interval
 * (kernel/proc_timer.c).
 */
#pragma once
#include "kernel/compiler.h"

struct proc;
struct mig_buf;
struct mig_cur;
struct mig_ctx;

MUST_CHECK int timer_mig_pack(struct proc *p, struct mig_buf *b, struct mig_ctx *m);
MUST_CHECK int timer_mig_unpack(struct proc *p, struct mig_cur *c, struct mig_ctx *m);
void timer_mig_source_done(struct proc *p, struct mig_ctx *m, bool committed);
void timer_mig_target_abort(struct proc *p, struct mig_ctx *m);
