/*
 * The console tty and its line discipline, after Linux's n_tty: canonical
 * mode (erase, kill, word erase, ^D end-of-file, echo), non-canonical mode
 * (VMIN/VTIME=0 reads), ^C/^\/^Z to the foreground process group, ICRNL on
 * input and ONLCR on output, and the termios/winsize ioctls. It is the
 * controlling tty of one session (init's at boot), with a foreground
 * process group: background reads get SIGTTIN, background writes with
 * TOSTOP and mode changes get SIGTTOU (docs/jobcontrol.md). Input
 * arrives from the serial interrupt through fs_console_input, which must
 * not sleep. Output goes straight to arch_console_write. /dev/console and
 * /dev/tty are two vnodes (fs_dev.c) over this one tty.
 *
 * Locking: tty.lock (a spinlock, taken in interrupt context too) protects
 * the whole struct tty. Signals are posted, and the proc_* job-control
 * queries made, after dropping it, because they take proc.table, which
 * comes before fs locks.
 */
#include "fs/fs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/proc.h"
#include "kernel/uaccess.h"

/* termios flag bits and c_cc slots (Linux values). */
#define IGNCR   0000200
#define ICRNL   0000400
#define INLCR   0000100
#define ISTRIP  0000040
#define IXON    0002000
#define OPOST   0000001
#define ONLCR   0000004
#define ISIG    0000001
#define ICANON  0000002
#define ECHO    0000010
#define ECHOE   0000020
#define ECHOK   0000040
#define ECHONL  0000100
#define NOFLSH  0000200
#define TOSTOP  0000400
#define ECHOCTL 0001000
#define ECHOKE  0004000
#define IEXTEN  0100000
enum { VINTR, VQUIT, VERASE, VKILL, VEOF, VTIME, VMIN, VSWTC, VSTART, VSTOP, VSUSP, VEOL,
       VREPRINT, VDISCARD, VWERASE, VLNEXT, VEOL2, NCCS = 19 };

/* ioctl numbers. */
#define TCGETS     0x5401
#define TCSETS     0x5402
#define TCSETSW    0x5403
#define TCSETSF    0x5404
#define TCXONC     0x540A
#define TCFLSH     0x540B
#define TIOCSCTTY  0x540E
#define TIOCGPGRP  0x540F
#define TIOCSPGRP  0x5410
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD   0x541B
#define TIOCNOTTY  0x5422
#define TIOCGSID   0x5429

#define TTY_BUF  4096           /* input ready for read */
#define TTY_LINE 1024           /* the canonical line being edited */
#define TTY_NEND 64             /* completed canonical lines queued */

/* The kernel's struct termios as TCGETS copies it: 36 bytes on x86_64. */
struct ktermios {
    uint32_t c_iflag;
    uint32_t c_oflag;
    uint32_t c_cflag;
    uint32_t c_lflag;
    uint8_t  c_line;
    uint8_t  c_cc[NCCS];
};
static_assert(sizeof(struct ktermios) == 36, "Linux x86_64 TCGETS layout");

struct winsize {
    uint16_t ws_row;
    uint16_t ws_col;
    uint16_t ws_xpixel;
    uint16_t ws_ypixel;
};

struct tty {
    struct spinlock lock;       /* protects everything below */
    struct ktermios tio;
    struct winsize ws;
    int session;                /* the session it is the controlling tty of; 0: none */
    int pgrp;                   /* foreground process group; 0: none */
    char line[TTY_LINE];        /* canonical mode: the line being edited */
    size_t linelen;
    char buf[TTY_BUF];          /* ring of input ready for read */
    uint32_t head;              /* free-running indices into buf */
    uint32_t tail;
    uint32_t ends[TTY_NEND];    /* canonical: where each queued line ends */
    int nends;
    struct waitq readers;
};

static struct tty console;
static bool console_ready;

static const struct ktermios tio_default = {
    .c_iflag = ICRNL | IXON,
    .c_oflag = OPOST | ONLCR,
    .c_cflag = 0x4bf,           /* B38400 | CS8 | CREAD | HUPCL */
    .c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
    .c_cc = { [VINTR] = 3, [VQUIT] = 0x1c, [VERASE] = 0x7f, [VKILL] = 0x15, [VEOF] = 4,
              [VMIN] = 1, [VSTART] = 0x11, [VSTOP] = 0x13, [VSUSP] = 0x1a,
              [VREPRINT] = 0x12, [VDISCARD] = 0x0f, [VWERASE] = 0x17, [VLNEXT] = 0x16 },
};

void
fs_tty_reset(void)
{
    spin_init(&console.lock, "fs.tty");
    console.tio = tio_default;
    console.ws = (struct winsize){ .ws_row = 24, .ws_col = 80 };
    console.session = 0;
    console.pgrp = 0;
    console.linelen = 0;
    console.head = console.tail = 0;
    console.nends = 0;
    waitq_init(&console.readers);
    console_ready = true;
}

/* Output with OPOST/ONLCR processing. No lock needed: the console is a leaf. */
static void
output(struct tty *t, const char *s, size_t n)
{
    if (!(t->tio.c_oflag & OPOST) || !(t->tio.c_oflag & ONLCR)) {
        arch_console_write(s, n);
        return;
    }
    char tmp[256];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k >= sizeof(tmp) - 2) {
            arch_console_write(tmp, k);
            k = 0;
        }
        if (s[i] == '\n')
            tmp[k++] = '\r';
        tmp[k++] = s[i];
    }
    if (k)
        arch_console_write(tmp, k);
}

static void
echo_char(struct tty *t, char c)
{
    if (!(t->tio.c_lflag & ECHO))
        return;
    unsigned char u = (unsigned char)c;
    if ((t->tio.c_lflag & ECHOCTL) && (u < 32 || u == 127) && c != '\n' && c != '\t') {
        char s[2] = { '^', (char)(u == 127 ? '?' : u + '@') };
        output(t, s, 2);
    } else {
        output(t, &c, 1);
    }
}

static void
erase_one(struct tty *t)
{
    if (t->linelen == 0)
        return;
    unsigned char u = (unsigned char)t->line[--t->linelen];
    if ((t->tio.c_lflag & ECHO) && (t->tio.c_lflag & ECHOE)) {
        output(t, "\b \b", 3);
        if ((t->tio.c_lflag & ECHOCTL) && (u < 32 || u == 127) && u != '\t')
            output(t, "\b \b", 3);  /* the ^X took two columns */
    }
}

static uint32_t
ring_free(struct tty *t)
{
    return TTY_BUF - (t->head - t->tail);
}

static void
ring_put(struct tty *t, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        t->buf[t->head++ % TTY_BUF] = s[i];
}

/* Move the edited line (whatever it ends with) to the read queue. */
static void
commit_line(struct tty *t)
{
    if (ring_free(t) >= t->linelen && t->nends < TTY_NEND) {
        ring_put(t, t->line, t->linelen);
        t->ends[t->nends++] = t->head;
        waitq_wake_all(&t->readers);
    }
    t->linelen = 0;             /* a full queue drops the line, like n_tty */
}

static void
flush_input(struct tty *t)
{
    t->linelen = 0;
    t->tail = t->head;
    t->nends = 0;
}

static bool
is_cc(struct tty *t, int slot, unsigned char c)
{
    return t->tio.c_cc[slot] != 0 && t->tio.c_cc[slot] == c;
}

/* Canonical-mode editing of one character. Caller holds t->lock. */
static void
canon_char(struct tty *t, unsigned char c)
{
    uint32_t lf = t->tio.c_lflag;
    if (is_cc(t, VERASE, c) || c == '\b') {
        erase_one(t);
    } else if (is_cc(t, VKILL, c)) {
        while (t->linelen)
            erase_one(t);
    } else if ((lf & IEXTEN) && is_cc(t, VWERASE, c)) {
        while (t->linelen && t->line[t->linelen - 1] == ' ')
            erase_one(t);
        while (t->linelen && t->line[t->linelen - 1] != ' ')
            erase_one(t);
    } else if (is_cc(t, VEOF, c)) {
        commit_line(t);         /* an empty line reads as end of file */
    } else if (c == '\n' || is_cc(t, VEOL, c) || is_cc(t, VEOL2, c)) {
        t->line[t->linelen++] = (char)c;
        if ((lf & ECHO) || (c == '\n' && (lf & ECHONL)))
            output(t, (const char *)&c, 1);
        commit_line(t);
    } else if (t->linelen < TTY_LINE - 1) {
        t->line[t->linelen++] = (char)c;
        echo_char(t, (char)c);
    }
}

void
fs_console_input(int ch)
{
    struct tty *t = &console;
    if (!console_ready)
        return;
    unsigned char c = (unsigned char)ch;
    int sig = 0;
    int pgrp = 0;

    spin_lock(&t->lock);
    uint32_t in = t->tio.c_iflag;
    uint32_t lf = t->tio.c_lflag;
    uint32_t head0 = t->head;
    int ends0 = t->nends;
    if (in & ISTRIP)
        c &= 0x7f;
    if (c == '\r') {
        if (in & IGNCR)
            goto out;
        if (in & ICRNL)
            c = '\n';
    } else if (c == '\n' && (in & INLCR)) {
        c = '\r';
    }
    if ((lf & ISIG) && (is_cc(t, VINTR, c) || is_cc(t, VQUIT, c) || is_cc(t, VSUSP, c))) {
        sig = is_cc(t, VINTR, c) ? SIGINT : is_cc(t, VQUIT, c) ? SIGQUIT : SIGTSTP;
        pgrp = t->pgrp;
        if (!(lf & NOFLSH))
            flush_input(t);
        echo_char(t, (char)c);
        goto out;
    }
    if (lf & ICANON) {
        canon_char(t, c);
    } else if (ring_free(t) > 0) {
        ring_put(t, (const char *)&c, 1);
        echo_char(t, (char)c);
        waitq_wake_all(&t->readers);
    }
out:;
    /* A line (canonical) or a byte (raw) became readable: poll and select
     * wake now. Echo, erase and ignored bytes change nothing they see. */
    bool readable = (lf & ICANON) ? t->nends > ends0 : t->head != head0;
    spin_unlock(&t->lock);
    if (readable)
        fs_poll_wake();
    if (sig && pgrp > 0)
        (void)proc_signal_pgrp(pgrp, sig);
}

void
fs_console_acquire(int sid, int pgrp)
{
    if (!console_ready)
        fs_tty_reset();
    spin_lock(&console.lock);
    console.session = sid;
    console.pgrp = pgrp;
    spin_unlock(&console.lock);
}

/* t stops being session sid's controlling tty; returns its foreground group. */
static int
release(struct tty *t, int sid)
{
    int fg = 0;
    spin_lock(&t->lock);
    if (sid != 0 && t->session == sid) {
        fg = t->pgrp;
        t->session = 0;
        t->pgrp = 0;
    }
    spin_unlock(&t->lock);
    return fg;
}

int
fs_console_release(int sid)
{
    return console_ready ? release(&console, sid) : 0;
}

/* The session t is the controlling tty of, and its foreground group. */
static void
owner(struct tty *t, int *sid, int *pgrp)
{
    spin_lock(&t->lock);
    *sid = t->session;
    *pgrp = t->pgrp;
    spin_unlock(&t->lock);
}

static bool
is_ctty(struct tty *t, struct proc *p)
{
    int sid, fg;
    owner(t, &sid, &fg);
    return p && sid != 0 && sid == proc_ctty_sid(p);
}

/*
 * Job control for the current process using t (Linux's tty_check_change):
 * 0 when it may go on (t is not its controlling tty, or its group is in
 * front), -EIO, or -EINTR after sig went to its group, which stops it; the
 * call is restarted once the group is continued (kernel/proc_signal.c).
 * Blocking or ignoring SIGTTOU lets the call go on; SIGTTIN gives -EIO.
 */
__attribute__((weak)) const struct fs_caller *
fs_remote_caller(void)
{
    return NULL;
}

/* job_check for a process on another node (fs_remote_srv.c): the same
 * rules with what its node told us. The signal goes to its group from
 * here, the session's node; -EINTR tells the caller to wait for it. */
static int
job_check_remote(struct tty *t, int sig, const struct fs_caller *c)
{
    int sid, fg;
    owner(t, &sid, &fg);
    if (sid == 0 || sid != c->sid || fg == 0 || c->pgid == fg)
        return 0;
    if (c->flags & (sig == SIGTTIN ? FS_CALLER_TTIN_OFF : FS_CALLER_TTOU_OFF))
        return sig == SIGTTIN ? -EIO : 0;
    if (proc_pgrp_is_orphaned(c->pgid))
        return -EIO;
    (void)proc_signal_pgrp(c->pgid, sig);
    return -EINTR;
}

static int
job_check(struct tty *t, int sig)
{
    struct proc *p = proc_current();
    int sid, fg;
    const struct fs_caller *rc = p ? NULL : fs_remote_caller();
    if (rc)
        return job_check_remote(t, sig, rc);
    owner(t, &sid, &fg);
    if (!p || sid == 0 || sid != proc_ctty_sid(p) || fg == 0 || proc_pgid(p) == fg)
        return 0;
    if (proc_signal_is_blocked_or_ignored(p, sig))
        return sig == SIGTTIN ? -EIO : 0;
    if (proc_pgrp_is_orphaned(proc_pgid(p)))
        return -EIO;
    (void)proc_signal_pgrp(proc_pgid(p), sig);
    return -EINTR;
}

/* Bytes a read could return now. Caller holds t->lock. */
static uint32_t
readable(struct tty *t)
{
    if (t->tio.c_lflag & ICANON)
        return t->nends ? t->ends[t->nends - 1] - t->tail : 0;
    return t->head - t->tail;
}

static long
tty_read(struct file *f, void *buf, size_t n, uint64_t off, int flags)
{
    struct tty *t = f->vn->priv;
    char *out = buf;
    int err = job_check(t, SIGTTIN);
    if (err)
        return err;
    if (n == 0)
        return 0;
    spin_lock(&t->lock);
    for (;;) {
        bool canon = t->tio.c_lflag & ICANON;
        if (canon && t->nends > 0)
            break;
        if (!canon) {
            uint32_t vmin = t->tio.c_cc[VMIN];
            uint32_t avail = t->head - t->tail;
            if (avail > 0 && avail >= MIN((uint32_t)n, vmin))
                break;
            if (vmin == 0) {
                if (avail > 0)
                    break;
                spin_unlock(&t->lock);
                return 0;
            }
        }
        if (flags & O_NONBLOCK) {
            spin_unlock(&t->lock);
            return -EAGAIN;
        }
        if (waitq_wait_intr(&t->readers, &t->lock) != 0) {
            spin_unlock(&t->lock);
            return -EINTR;
        }
    }
    uint32_t avail = (t->tio.c_lflag & ICANON) ? t->ends[0] - t->tail : t->head - t->tail;
    size_t m = MIN(n, (size_t)avail);
    for (size_t i = 0; i < m; i++)
        out[i] = t->buf[t->tail++ % TTY_BUF];
    if ((t->tio.c_lflag & ICANON) && t->tail == t->ends[0]) {
        t->nends--;
        memmove(t->ends, t->ends + 1, (size_t)t->nends * sizeof(t->ends[0]));
    }
    spin_unlock(&t->lock);
    return (long)m;
}

static long
tty_write(struct file *f, const void *buf, size_t n, uint64_t off, int flags)
{
    struct tty *t = f->vn->priv;
    if (t->tio.c_lflag & TOSTOP) {
        int err = job_check(t, SIGTTOU);
        if (err)
            return err;
    }
    output(t, buf, n);
    return (long)n;
}

/* Apply new termios settings, keeping queued input consistent. Caller holds t->lock. */
static void
set_termios(struct tty *t, const struct ktermios *nt, bool flush)
{
    bool was_canon = t->tio.c_lflag & ICANON;
    t->tio = *nt;
    bool canon = t->tio.c_lflag & ICANON;
    if (flush)
        flush_input(t);
    if (was_canon && !canon) {
        /* The half-edited line becomes readable input, as on Linux. */
        if (ring_free(t) >= t->linelen)
            ring_put(t, t->line, t->linelen);
        t->linelen = 0;
        t->nends = 0;
    } else if (!was_canon && canon) {
        t->nends = 0;
        if (t->head != t->tail)
            t->ends[t->nends++] = t->head;
    }
    waitq_wake_all(&t->readers);
}

/* TIOCSCTTY: a session leader without a controlling tty takes t; arg 1
 * takes it from another session too (everyone is root). */
static long
set_ctty(struct tty *t, uint64_t arg)
{
    struct proc *p = proc_current();
    if (!p || !proc_is_session_leader(p))
        return -EPERM;
    int sid = proc_sid(p);
    long err = 0;
    spin_lock(&t->lock);
    if (t->session == sid)
        goto out;
    if (t->session != 0 && arg != 1) {
        err = -EPERM;
        goto out;
    }
    t->session = sid;
    t->pgrp = proc_pgid(p);
out:
    spin_unlock(&t->lock);
    return err;
}

/* TIOCNOTTY: a session leader lets t go (its foreground group gets SIGHUP
 * and SIGCONT); any other process gives up t for itself only. */
static long
drop_ctty(struct tty *t)
{
    struct proc *p = proc_current();
    if (!is_ctty(t, p))
        return -ENOTTY;
    if (!proc_is_session_leader(p)) {
        proc_drop_ctty(p);
        return 0;
    }
    int fg = release(t, proc_sid(p));
    if (fg > 0) {
        (void)proc_signal_pgrp(fg, SIGHUP);
        (void)proc_signal_pgrp(fg, SIGCONT);
    }
    return 0;
}

/* TIOCSPGRP: only on the caller's controlling tty, to a group of its
 * session; a background caller gets SIGTTOU unless it blocks or ignores it. */
static long
set_pgrp(struct tty *t, uint64_t uarg)
{
    struct proc *p = proc_current();
    int v;
    long err = job_check(t, SIGTTOU);
    if (err)
        return err == -EIO ? -ENOTTY : err;
    if (!is_ctty(t, p))
        return -ENOTTY;
    if (copyin(&v, uarg, sizeof(v)) != 0)
        return -EFAULT;
    if (v < 0)
        return -EINVAL;
    err = proc_pgrp_check(v, proc_ctty_sid(p));
    if (err)
        return err;
    spin_lock(&t->lock);
    t->pgrp = v;
    spin_unlock(&t->lock);
    return 0;
}

/* TIOCGPGRP / TIOCGSID: the foreground group or the session, asked on the
 * caller's controlling tty. */
static long
get_owner(struct tty *t, bool want_sid, uint64_t uarg)
{
    int sid, fg;
    if (!is_ctty(t, proc_current()))
        return -ENOTTY;
    owner(t, &sid, &fg);
    int v = want_sid ? sid : fg;
    return copyout(uarg, &v, sizeof(v));
}

static long
termios_ioctl(struct tty *t, uint64_t cmd, uint64_t uarg)
{
    struct ktermios tio;
    if (cmd == TCGETS) {
        spin_lock(&t->lock);
        tio = t->tio;
        spin_unlock(&t->lock);
        return copyout(uarg, &tio, sizeof(tio));
    }
    long err = job_check(t, SIGTTOU);
    if (err)
        return err;
    if (copyin(&tio, uarg, sizeof(tio)) != 0)
        return -EFAULT;
    spin_lock(&t->lock);
    set_termios(t, &tio, cmd == TCSETSF);
    spin_unlock(&t->lock);
    return 0;
}

static long
tty_ioctl(struct file *f, uint64_t cmd, uint64_t uarg)
{
    struct tty *t = f->vn->priv;
    struct winsize ws;
    int v;
    long err;
    switch (cmd) {
    case TCGETS:
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
        return termios_ioctl(t, cmd, uarg);
    case TIOCGWINSZ:
        spin_lock(&t->lock);
        ws = t->ws;
        spin_unlock(&t->lock);
        return copyout(uarg, &ws, sizeof(ws));
    case TIOCSWINSZ:
        if (copyin(&ws, uarg, sizeof(ws)) != 0)
            return -EFAULT;
        spin_lock(&t->lock);
        t->ws = ws;
        spin_unlock(&t->lock);
        return 0;
    case TIOCGPGRP:
    case TIOCGSID:
        return get_owner(t, cmd == TIOCGSID, uarg);
    case TIOCSPGRP:
        return set_pgrp(t, uarg);
    case TIOCSCTTY:
        return set_ctty(t, uarg);
    case TIOCNOTTY:
        return drop_ctty(t);
    case FIONREAD:
        spin_lock(&t->lock);
        v = (int)readable(t);
        spin_unlock(&t->lock);
        return copyout(uarg, &v, sizeof(v));
    case TCFLSH:
        if (uarg > 2)
            return -EINVAL;
        err = job_check(t, SIGTTOU);
        if (err)
            return err;
        if (uarg != 1) {        /* TCIFLUSH or TCIOFLUSH */
            spin_lock(&t->lock);
            flush_input(t);
            spin_unlock(&t->lock);
        }
        return 0;
    case TCXONC:
        return 0;
    default:
        return -ENOTTY;
    }
}

/* TIOCSPGRP for a holder on another node: a group of t's session. */
static long
set_pgrp_k(struct tty *t, int v)
{
    int sid, fg;
    owner(t, &sid, &fg);
    if (sid == 0)
        return -ENOTTY;
    if (v < 0)
        return -EINVAL;
    long err = proc_pgrp_check(v, sid);
    if (err)
        return err;
    spin_lock(&t->lock);
    t->pgrp = v;
    spin_unlock(&t->lock);
    return 0;
}

/*
 * The ioctls a process on another node may make on this tty
 * (fs_remote_srv.c), with the argument in kernel memory (fs_ioctl_arg):
 * the same effects as tty_ioctl, with job control from what the caller's
 * node said of it (fs_remote_caller); TIOCGPGRP answers without the
 * controlling-tty check (docs/fs.md, "Streams across nodes").
 */
static long
tty_kioctl(struct file *f, uint32_t cmd, void *arg)
{
    struct tty *t = f->vn->priv;
    int sid, fg, v;
    if (cmd == TCSETS || cmd == TCSETSW || cmd == TCSETSF || cmd == TCFLSH ||
        cmd == TIOCSPGRP) {
        long err = job_check(t, SIGTTOU);
        if (err)
            return cmd == TIOCSPGRP && err == -EIO ? -ENOTTY : err;
    }
    spin_lock(&t->lock);
    switch (cmd) {
    case TCGETS:
        memcpy(arg, &t->tio, sizeof(t->tio));
        break;
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
        set_termios(t, arg, cmd == TCSETSF);
        break;
    case TIOCGWINSZ:
        memcpy(arg, &t->ws, sizeof(t->ws));
        break;
    case TIOCSWINSZ:
        memcpy(&t->ws, arg, sizeof(t->ws));
        break;
    case FIONREAD:
        v = (int)readable(t);
        memcpy(arg, &v, sizeof(v));
        break;
    case TCFLSH:
        if (*(uint64_t *)arg != 1)
            flush_input(t);
        break;
    case TCXONC:
        break;
    case TIOCGPGRP:
    case TIOCGSID:
    case TIOCSPGRP:
        spin_unlock(&t->lock);
        owner(t, &sid, &fg);
        if (cmd == TIOCSPGRP) {
            memcpy(&v, arg, sizeof(v));
            return set_pgrp_k(t, v);
        }
        if (sid == 0)
            return -ENOTTY;
        v = cmd == TIOCGSID ? sid : fg;
        memcpy(arg, &v, sizeof(v));
        return 0;
    default:
        spin_unlock(&t->lock);
        return -ENOTTY;
    }
    spin_unlock(&t->lock);
    return 0;
}

/* Readable when a read would not block (a whole line in canonical mode,
 * or ^D's end of file); output never blocks. */
static int
tty_poll(struct file *f)
{
    struct tty *t = f->vn->priv;
    spin_lock(&t->lock);
    bool in = (t->tio.c_lflag & ICANON) ? t->nends > 0 : t->head != t->tail;
    spin_unlock(&t->lock);
    return (in ? FS_POLLIN : 0) | FS_POLLOUT;
}

/* A session leader with no controlling tty that opens t without O_NOCTTY
 * acquires it, as on Linux. */
static int
tty_open(struct file *f)
{
    struct tty *t = f->vn->priv;
    struct proc *p = proc_current();
    if (!p || (f->flags & O_NOCTTY) || !proc_is_session_leader(p))
        return 0;
    spin_lock(&t->lock);
    if (t->session == 0) {
        t->session = proc_sid(p);
        t->pgrp = proc_pgid(p);
    }
    spin_unlock(&t->lock);
    return 0;
}

const struct vnode_ops fs_tty_ops = {
    .read = tty_read,
    .write = tty_write,
    .ioctl = tty_ioctl,
    .poll = tty_poll,
    .open = tty_open,
    .noseek = true,
    .kioctl = tty_kioctl,
};

struct vnode *
fs_tty_init(void)
{
    if (!console_ready)
        fs_tty_reset();
    struct vnode *v = fs_vn_alloc(S_IFCHR | 0620, FS_DEV_DEVFS, &fs_tty_ops);
    if (v)
        v->priv = &console;
    return v;
}
