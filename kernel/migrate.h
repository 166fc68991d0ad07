/*
 * Process migration (DESIGN.md 5, docs/migration.md): the encapsulation
 * table every module registers its part of a process in, the buffers its
 * pack/unpack functions write and read, the per-migration context, and the
 * entry points the system calls and the return-to-user path use. The
 * source side is kernel/migrate_src.c, the target side kernel/migrate_dst.c,
 * the address space kernel/vm_migrate.c, signals and registers
 * kernel/proc_migrate.c.
 */
#pragma once
#include "kernel/compiler.h"

struct proc;
struct arch_regs;

/* ---- buffers (kernel/migrate_buf.c) ---- */

/* A growable kernel buffer with a sticky error: once a put fails (no
 * memory, or over MIG_BUF_MAX), every later put is a no-op and err stays
 * set. Integers are big-endian; a string is a u32 length and its bytes. */
#define MIG_BUF_MAX (4u << 20)
struct mig_buf {
    uint8_t *data;
    size_t len, cap;
    int err;            /* 0 or -ENOMEM / -EMSGSIZE */
};
/* A read cursor over len bytes with a sticky error: a read past the end or
 * a malformed field sets err to -EBADMSG and yields zeroes, never a crash. */
struct mig_cur {
    const uint8_t *data;
    size_t len, pos;
    int err;            /* 0 or -EBADMSG */
};
void mig_buf_init(struct mig_buf *b);
void mig_buf_free(struct mig_buf *b);
void mig_put(struct mig_buf *b, const void *p, size_t n);
void mig_put_u64(struct mig_buf *b, uint64_t v);
void mig_put_u32(struct mig_buf *b, uint32_t v);
void mig_put_str(struct mig_buf *b, const char *s);
void mig_cur_init(struct mig_cur *c, const void *data, size_t len);
void mig_get(struct mig_cur *c, void *p, size_t n);
uint64_t mig_get_u64(struct mig_cur *c);
uint32_t mig_get_u32(struct mig_cur *c);
/* A string into buf[0..cap), NUL-terminated; one that does not fit (or
 * holds a NUL) is malformed. Returns its length, or -EBADMSG. */
int mig_get_str(struct mig_cur *c, char *buf, size_t cap);
/* Bytes left to read (0 once err is set). */
size_t mig_left(const struct mig_cur *c);

/* ---- the migration context ---- */

enum mig_strategy { MIG_DIRECT = 0, MIG_PRECOPY = 1, MIG_LAZY = 2, MIG_FLUSH = 3, MIG_NSTRATEGY };
enum mig_phase { MIG_PH_NEGOTIATE, MIG_PH_FREEZE, MIG_PH_TRANSFER, MIG_PH_COMMIT,
                 MIG_PH_RESUME, MIG_NPHASE };

struct mig_ctx {
    uint64_t id;            /* source node << 32 | a per-boot counter */
    int pid;
    int source, target, home;
    int strategy;           /* enum mig_strategy */
    uint64_t cycles[MIG_NPHASE];
    uint64_t ns[MIG_NPHASE];
    uint64_t pages_sent, bytes_sent, pages_resent;
    uint64_t pack_ns[8];    /* source: each row's pack (migrate_trace=1) */
    uint64_t xfer_idle_ns;  /* source: the CPU's idle time in the frozen transfer */
    /* Source: the pages the VM row chose to send (addresses, ascending). */
    uint64_t *page_va;
    uint64_t *page_pa;      /* their frames, picked with them */
    size_t npages;
    bool page_held;         /* a background round holds a reference on each frame */
    uint64_t stats_uptr;    /* self-migration: where the target writes the stats */
    uint32_t round;         /* pre-copy: rounds sent while the process ran */
    bool offered;           /* negotiated (the target holds a record) */
    uint64_t sig_packed;    /* the pending signals the SIGNALS row carried */
    bool self;              /* the process asked for its own move */
    bool started;           /* the process took the request once */
    uint64_t frozen_at;     /* ns: the process stopped for the last time */
    uint64_t downtime_ns;   /* from frozen_at to running at the target */
    struct arch_regs *regs; /* source: the frozen process's user registers */
    /* The requester's side (kernel/migrate.c): */
    int result;             /* 0 or -errno, valid once done */
    bool done;
    int refs;               /* requester and process; the last one frees */
};

/* ---- the encapsulation table (Sprite's encapCallbacks) ----
 * MIG_ENCAP(id, NAME, pack, unpack, source_done, target_abort); rows are
 * packed and unpacked in this order. Signatures:
 *   int  pack(struct proc *p, struct mig_buf *b, struct mig_ctx *m)   source, frozen
 *   int  unpack(struct proc *p, struct mig_cur *c, struct mig_ctx *m) target, new entry
 *   void source_done(struct proc *p, struct mig_ctx *m, bool committed)
 *   void target_abort(struct proc *p, struct mig_ctx *m)
 * A module adds a row here and nothing else in the core changes. */
#define MIG_ENCAP_TABLE(MIG_ENCAP)                                                        \
    MIG_ENCAP(1, PROC, proc_mig_pack, proc_mig_unpack, proc_mig_source_done,            \
              proc_mig_target_abort)                                                     \
    MIG_ENCAP(2, SIGNALS, proc_mig_sig_pack, proc_mig_sig_unpack, proc_mig_sig_done,     \
              proc_mig_sig_abort)                                                        \
    MIG_ENCAP(3, REGS, proc_mig_regs_pack, proc_mig_regs_unpack, proc_mig_regs_done,     \
              proc_mig_regs_abort)                                                       \
    MIG_ENCAP(4, TIMERS, timer_mig_pack, timer_mig_unpack, timer_mig_source_done,        \
              timer_mig_target_abort)                                                    \
    MIG_ENCAP(5, VM, vm_mig_pack, vm_mig_unpack, vm_mig_source_done, vm_mig_target_abort) \
    MIG_ENCAP(6, STREAMS, fs_mig_pack, fs_mig_unpack, fs_mig_source_done,               \
              fs_mig_target_abort)

#define MIG_ENCAP_PROTO_(id, NAME, pack, unpack, done, abort)                   \
    int pack(struct proc *p, struct mig_buf *b, struct mig_ctx *m);             \
    int unpack(struct proc *p, struct mig_cur *c, struct mig_ctx *m);           \
    void done(struct proc *p, struct mig_ctx *m, bool committed);               \
    void abort(struct proc *p, struct mig_ctx *m);
MIG_ENCAP_TABLE(MIG_ENCAP_PROTO_)
#undef MIG_ENCAP_PROTO_

/* ---- entry points ---- */

/* Read migrate_strategy= and evict_idle= and register with recov. */
void migrate_init(void);
/* The return-to-user hook (kernel/proc_signal.c): p has a migration
 * request; regs are its user registers, already set to restart an
 * interrupted call. Returns when the move failed (p goes on here); on
 * success the thread ends here and the process runs at the target.
 * Sleeps. */
void migrate_self(struct proc *p, struct arch_regs *regs);
/* True when p has a migration request (it interrupts sleeps as a signal). */
bool migrate_requested(const struct proc *p);
/* Console input was seen: restarts the idle clock (evict_idle=). */
void migrate_console_activity(void);
/* Tests only: sleep at PHASE ("negotiate": before the offer; "transfer":
 * after the state, before the pages; "commit": after the commit, before
 * the resume; "push": before a lazy source pushes, fetches still served)
 * as migrate_delay=PHASE:MS on the command line says. */
void migrate_test_delay(const char *phase, int pid);
/* The default strategy (migrate_strategy= on the command line). */
int migrate_default_strategy(void);

/* ---- the process module's side (kernel/proc_migrate.c) ---- */

/* Ask local process pid to migrate as m says (m->pid, m->home are filled
 * in) for a requester with effective uid euid (-1: the kernel itself).
 * 0, -ESRCH (no such running process), -EPERM (init, or the requester is
 * neither root nor the owner: euid == the process's real uid), -EBUSY
 * (already asked). The process is woken from an interruptible sleep,
 * which returns -EINTR and is restarted after the move. */
int proc_mig_request(int pid, struct mig_ctx *m, long euid);
/* The calling process's effective uid (-1 for a kernel thread). */
long proc_mig_caller_euid(void);
/* Pre-copy: give the request back to p, so it sends its next round at the
 * next safe point (it runs meanwhile). */
void proc_mig_rearm(struct proc *p, struct mig_ctx *m);
/* The same from another thread (a pre-copy round sent in the background):
 * the process, if it still runs here, is woken from an interruptible
 * sleep to stop at its next safe point. False when it ended. */
bool proc_mig_rearm_pid(int pid, struct mig_ctx *m);
/* True while pid runs here (alive, with its thread and address space). */
bool proc_mig_running(int pid);
/* Take back a request the process has not yet seen: true if taken. */
bool proc_mig_cancel(int pid, struct mig_ctx *m);
/* The return-to-user hook: restart an interrupted call, then migrate. */
void proc_mig_freeze(struct proc *p, struct arch_regs *r);
/* The process takes its request (NULL if cancelled meanwhile). */
struct mig_ctx *proc_mig_take(struct proc *p);
/* nanosleep's deadline (kernel/sys_time.c): begin returns the ns to sleep
 * (the time left of a sleep a migration interrupted, when this is its
 * restart), end clears the deadline. */
uint64_t proc_mig_sleep_begin(uint64_t ns);
void proc_mig_sleep_end(void);
/* Target: make the prepared process runnable. */
void proc_mig_start(struct proc *p);
/* Source, after commit: the thread leaves the process (home_depart) and
 * ends. */
NORETURN void proc_mig_exit_moved(struct proc *p);
/* The program's absolute path ("" unknown). */
const char *proc_mig_exe(const struct proc *p);
/* Pids of the foreign processes running here (for evict). */
int proc_mig_list_foreign(int *pids, int max);

/* ---- home's side: kernel/home.h (home_adopt_begin, home_moved, ...) ---- */
#include "kernel/home.h"

/* ---- the address space's side (kernel/vm_migrate.c) ---- */
struct vm;
/* Target: map received frame pa at va (its region must exist), charged as
 * a touched page; the vm takes the frame. 0, -EBADMSG, -ENOMEM. */
int vm_mig_install(struct vm *vm, uint64_t va, uint64_t pa);
/* Source: put in m->page_va (and their frames in m->page_pa) the pages to
 * send: every present one but the program image's, or (dirty_only) those
 * written since the last pick; pre-copy clears the dirty bits. hold: take
 * a reference on each frame (a round sent while the process runs; the
 * frames stay valid whatever it does meanwhile), vm_mig_unhold drops
 * them. 0 or -ENOMEM. */
int vm_mig_pick(struct proc *p, struct mig_ctx *m, bool dirty_only, bool hold);
void vm_mig_unhold(struct mig_ctx *m);
/* Source: copy the page at va into dst (PAGE_SIZE bytes). 0 or -EFAULT. */
int vm_mig_read_page(struct vm *vm, uint64_t va, void *dst);
/* proc_migrate.c: set p's address space or file context (target), or
 * free the departing process's address space (source, its own thread). */
struct fs_ctx;
void proc_mig_set_vm(struct proc *p, struct vm *vm);
void proc_mig_set_fs(struct proc *p, struct fs_ctx *fs);
void proc_mig_drop_vm(struct proc *p);

/* ---- lazy migration (kernel/migrate_lazy.c) ---- */
/* Target: a fault at absent page va of a lazily migrated address space:
 * 0 when the page was fetched from the source and mapped (or the source
 * is gone: SIGKILL is posted, the process ends on its way out), 1 when the
 * source never had it (the caller fills it as usual), -ENOMEM. Sleeps. */
int migrate_lazy_fault(struct vm *vm, uint64_t va);
/* Target: vm is being freed (its process ended). */
void migrate_lazy_vm_gone(struct vm *vm);
/* Target, at RESUME: pages list[0..n) (big-endian addresses) of p's
 * address space are still at node `from`. 0 or -ENOMEM/-EAGAIN. */
int migrate_lazy_adopt(uint64_t id, int from, struct proc *p, const void *list, size_t n);
/* Source, after the commit: serve and push the pages of vm (m->page_va)
 * until the target has them all; takes vm and the page list. */
void migrate_lazy_serve(struct mig_ctx *m, struct vm *vm);
/* proc_migrate.c: take p's address space away from it without freeing it
 * (the departing process's own thread). */
struct vm *proc_mig_detach_vm(struct proc *p);
