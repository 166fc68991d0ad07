/*
 * The target's per-migration state machine (kernel/migrate_fsm.c), shared
 * by kernel/migrate_dst.c and its host test.
 */
#pragma once
#include <stdbool.h>

enum mig_fsm_state { MIG_FSM_FREE, MIG_FSM_OPEN, MIG_FSM_BUSY, MIG_FSM_PREPARED };
enum mig_fsm_event {
    MIG_EV_OFFER, MIG_EV_PIECE, MIG_EV_PREPARE, MIG_EV_PREPARE_OK, MIG_EV_PREPARE_FAIL,
    MIG_EV_RESUME, MIG_EV_ABORT, MIG_EV_SOURCE_DOWN, MIG_EV_STALL,
};
/* The state after event e in state s, or a negative errno when e is not
 * valid there (the message is stale, or a duplicate: -ESRCH, -EEXIST;
 * -EPROTO for an internal misuse). */
int migrate_fsm_next(enum mig_fsm_state s, enum mig_fsm_event e);
/* True for the one transition that makes the process runnable. */
bool migrate_fsm_runs_process(enum mig_fsm_state from, enum mig_fsm_event e);
