/*
 * The target's record of an incoming migration as a pure state machine
 * (docs/migration.md): which message or event is valid in which state,
 * and the state it leads to. kernel/migrate_dst.c consults it for every
 * message (an invalid one is stale: refused and counted); the host test
 * migrate_fsm_test.c drives it, with a model of the source, through loss,
 * duplicates and crashes, and checks a process runs at exactly one node.
 */
#include "kernel/errno.h"
#include "kernel/migrate_fsm.h"

int
migrate_fsm_next(enum mig_fsm_state s, enum mig_fsm_event e)
{
    switch (e) {
    case MIG_EV_OFFER:
        return s == MIG_FSM_FREE ? MIG_FSM_OPEN : -EEXIST;
    case MIG_EV_PIECE:            /* STATE, LIST, PAGES */
        return s == MIG_FSM_OPEN ? MIG_FSM_OPEN : -ESRCH;
    case MIG_EV_PREPARE:          /* claimed: unpacking, no lock held */
        return s == MIG_FSM_OPEN ? MIG_FSM_BUSY : -ESRCH;
    case MIG_EV_PREPARE_OK:
        return s == MIG_FSM_BUSY ? MIG_FSM_PREPARED : -EPROTO;
    case MIG_EV_PREPARE_FAIL:
        return s == MIG_FSM_BUSY ? MIG_FSM_FREE : -EPROTO;
    case MIG_EV_RESUME:           /* the process runs; the record goes */
        return s == MIG_FSM_PREPARED ? MIG_FSM_FREE : -ESRCH;
    case MIG_EV_ABORT:            /* the source gave up before its commit */
    case MIG_EV_SOURCE_DOWN:
        return s == MIG_FSM_OPEN || s == MIG_FSM_PREPARED ? MIG_FSM_FREE : -ESRCH;
    case MIG_EV_STALL:            /* no progress for a long time: only before PREPARE */
        return s == MIG_FSM_OPEN ? MIG_FSM_FREE : -ESRCH;
    }
    return -EINVAL;
}

bool
migrate_fsm_runs_process(enum mig_fsm_state from, enum mig_fsm_event e)
{
    return from == MIG_FSM_PREPARED && e == MIG_EV_RESUME;
}
