/*
 * Tests of the target's migration state machine (migrate_fsm.c): each
 * transition, stale and duplicate messages, and a model of the whole
 * protocol (source steps as in migrate_src.c) run under random loss of
 * requests and replies and crashes of either node, checking that the
 * process runs at one node at most, at the target only after the commit,
 * and that the target's record never outlives the migration (a prepared
 * one may when the source's abort is lost too: home's commit record is
 * what settles that case once it is merged).
 */
#include "kernel/errno.h"
#include "kernel/migrate_fsm.h"
#include "tests/host/test.h"

static void
test_migfsm_happy_path(void)
{
    int s = MIG_FSM_FREE;
    s = migrate_fsm_next(s, MIG_EV_OFFER);
    EXPECT_EQ(s, MIG_FSM_OPEN);
    s = migrate_fsm_next(s, MIG_EV_PIECE);
    s = migrate_fsm_next(s, MIG_EV_PREPARE);
    EXPECT_EQ(s, MIG_FSM_BUSY);
    s = migrate_fsm_next(s, MIG_EV_PREPARE_OK);
    EXPECT_EQ(s, MIG_FSM_PREPARED);
    EXPECT_TRUE(migrate_fsm_runs_process(s, MIG_EV_RESUME));
    EXPECT_EQ(migrate_fsm_next(s, MIG_EV_RESUME), MIG_FSM_FREE);
}

static void
test_migfsm_stale_and_duplicates(void)
{
    EXPECT_EQ(migrate_fsm_next(MIG_FSM_FREE, MIG_EV_PIECE), -ESRCH);
    EXPECT_EQ(migrate_fsm_next(MIG_FSM_FREE, MIG_EV_PREPARE), -ESRCH);
    EXPECT_EQ(migrate_fsm_next(MIG_FSM_FREE, MIG_EV_RESUME), -ESRCH);
    EXPECT_EQ(migrate_fsm_next(MIG_FSM_FREE, MIG_EV_ABORT), -ESRCH);
    EXPECT_EQ(migrate_fsm_next(MIG_FSM_OPEN, MIG_EV_OFFER), -EEXIST);
    EXPECT_EQ(migrate_fsm_next(MIG_FSM_OPEN, MIG_EV_RESUME), -ESRCH);     /* not prepared */
    EXPECT_EQ(migrate_fsm_next(MIG_FSM_BUSY, MIG_EV_PIECE), -ESRCH);
    EXPECT_EQ(migrate_fsm_next(MIG_FSM_BUSY, MIG_EV_ABORT), -ESRCH);      /* wait for it */
    EXPECT_EQ(migrate_fsm_next(MIG_FSM_PREPARED, MIG_EV_PREPARE), -ESRCH);
    EXPECT_EQ(migrate_fsm_next(MIG_FSM_PREPARED, MIG_EV_STALL), -ESRCH);  /* may be committed */
    EXPECT_EQ(migrate_fsm_next(MIG_FSM_OPEN, MIG_EV_PREPARE_OK), -EPROTO);
    EXPECT_EQ(migrate_fsm_next(MIG_FSM_PREPARED, MIG_EV_SOURCE_DOWN), MIG_FSM_FREE);
    EXPECT_EQ(migrate_fsm_next(MIG_FSM_OPEN, MIG_EV_STALL), MIG_FSM_FREE);
    EXPECT_TRUE(!migrate_fsm_runs_process(MIG_FSM_OPEN, MIG_EV_RESUME));
}

/* ---- the model ---- */

static unsigned long long rng;
static unsigned
rnd(unsigned n)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(rng >> 33) % n;
}

struct world {
    int tstate;          /* the target's record */
    bool target_up, source_up;
    bool at_source, at_target;   /* where the process runs */
    bool committed;
    bool abort_lost;     /* the source's abort never got an answer */
    int max_running;
};

/* One call from the source: the target applies e at most once (RPC's
 * at-most-once), the request or the reply may be lost (the call fails
 * with -ETIMEDOUT after its retries), the target may crash first. */
static int
call(struct world *w, enum mig_fsm_event e, unsigned loss)
{
    if (rnd(40) == 0)
        w->target_up = false;               /* crash before the request lands */
    if (!w->target_up || rnd(100) < loss)
        return -ETIMEDOUT;                  /* request lost for good */
    int next = migrate_fsm_next(w->tstate, e);
    int err = next < 0 ? next : 0;
    if (e == MIG_EV_PREPARE && next >= 0)
        next = migrate_fsm_next(next, rnd(10) ? MIG_EV_PREPARE_OK : MIG_EV_PREPARE_FAIL);
    if (next == MIG_FSM_FREE && e == MIG_EV_PREPARE)
        err = -ENOMEM;
    if (next >= 0) {
        if (migrate_fsm_runs_process(w->tstate, e))
            w->at_target = true;
        w->tstate = next;
    }
    if (rnd(100) < loss)
        return -ETIMEDOUT;                  /* executed, reply lost for good */
    return err;
}

static void
note(struct world *w)
{
    int n = (w->at_source && w->source_up) + (w->at_target && w->target_up);
    if (n > w->max_running)
        w->max_running = n;
}

/* The source's steps, as migrate_src.c takes them. */
static void
run_source(struct world *w, unsigned loss)
{
    int err = call(w, MIG_EV_OFFER, loss);
    for (int i = 0; i < 3 && !err; i++)
        err = call(w, MIG_EV_PIECE, loss);
    if (!err)
        err = call(w, MIG_EV_PREPARE, loss);
    note(w);
    if (!err && rnd(30) == 0) {
        w->source_up = false;               /* the source dies before its commit */
        return;
    }
    if (err) {                              /* not committed: it stays */
        /* A PREPARE whose reply was lost may have built the process: the
         * abort goes even after a timeout (migrate_src.c). */
        int aerr = call(w, MIG_EV_ABORT, loss);
        w->abort_lost = aerr == -ETIMEDOUT;
        return;
    }
    w->committed = true;                    /* home_moved */
    w->at_source = false;
    (void)call(w, MIG_EV_RESUME, loss);
    note(w);
}

static void
test_migfsm_model_under_loss_and_crashes(void)
{
    int lost = 0, moved = 0, stayed = 0, bad = 0;
    for (unsigned seed = 1; seed <= 20000; seed++) {
        struct world w = { .tstate = MIG_FSM_FREE, .target_up = true, .source_up = true,
                           .at_source = true };
        rng = seed;
        unsigned loss = seed % 4 == 0 ? 0 : rnd(8);
        run_source(&w, loss);
        note(&w);
        /* The target's later events: the source reported down, or a stall. */
        if (w.target_up && !w.source_up)
            w.tstate = migrate_fsm_next(w.tstate, MIG_EV_SOURCE_DOWN) < 0
                           ? w.tstate : MIG_FSM_FREE;
        if (w.target_up && w.tstate == MIG_FSM_OPEN)
            w.tstate = migrate_fsm_next(w.tstate, MIG_EV_STALL);
        int b0 = bad;
        bad += w.max_running > 1;                        /* never at two nodes */
        bad += w.at_target && !w.committed;              /* runs there only after commit */
        bad += !w.committed && !w.at_source;             /* uncommitted: still at the source */
        bad += w.target_up && w.tstate == MIG_FSM_OPEN;  /* no record left behind */
        bad += w.target_up && w.tstate == MIG_FSM_BUSY;
        /* A prepared record outlives only a committed move whose RESUME
         * reply was lost: home's failure rule decides then. */
        bad += w.target_up && w.tstate == MIG_FSM_PREPARED && !w.committed && w.source_up &&
               !w.abort_lost;
        if (bad != b0 && bad < 5)
            printf("seed %u: run %d at_s %d at_t %d committed %d tstate %d up %d/%d\n", seed,
                   w.max_running, w.at_source, w.at_target, w.committed, w.tstate, w.source_up,
                   w.target_up);
        if (w.at_target && w.target_up)
            moved++;
        else if (w.at_source && w.source_up)
            stayed++;
        else
            lost++;
    }
    EXPECT_EQ(bad, 0);
    EXPECT_TRUE(moved > 1000 && stayed > 1000);
    printf("model: %d moved, %d stayed, %d lost with a crashed node or a lost resume\n", moved,
           stayed, lost);
}

void
tests_run(void)
{
    RUN(test_migfsm_happy_path);
    RUN(test_migfsm_stale_and_duplicates);
    RUN(test_migfsm_model_under_loss_and_crashes);
}
