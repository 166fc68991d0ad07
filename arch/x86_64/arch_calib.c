/*
 * TSC and LAPIC-timer calibration that survives a loaded host. Under TCG
 * the guest TSC is the host's and the references (arch_clockref.c) follow
 * the host's clock, so the rate is fixed; what goes wrong is the vCPU being
 * descheduled in the middle of a measurement. So every reading is a
 * "snapshot": all references read between two RDTSCs, kept only when the
 * two are close (nothing came in between). A window runs from one good
 * snapshot to another, sampling all the way so that a wrap is never missed;
 * it is kept when two references agree on its length, and the windows'
 * TSC rates are cut to those near their median. After boot the clock
 * thread calls arch_clock_refine every second: the rate is re-measured over
 * the whole time since boot (a baseline of seconds makes any one bad
 * reading negligible) and the clock slews onto the reference, never
 * stepping (arch_lapic.c applies the rate). docs/time.md has the figures.
 */
#include "kernel/arch.h"
#include "kernel/lib.h"
#include "arch/x86_64/arch_int.h"

#define SLOTS      (CLOCKREF_MAX + 1)   /* the references, then the LAPIC timer */
#define NWIN       5                    /* windows wanted */
#define NTRY       12                   /* windows tried at most */
#define WIN_MS     12
#define AGREE_PPM  2000                 /* references agree on a window within 0.2% */
#define KEEP_PPM   2000                 /* a window's rate within 0.2% of the median */
#define SLEW_MAX_PPM 1000
#define REFINE_MIN_NS 2000000000ull
#define PHASE_KEEP_NS 100000000ll

struct snap {
    uint64_t tsc;
    uint32_t raw[SLOTS];
};

struct win {
    uint64_t dtsc;
    uint64_t d[SLOTS];
};

static struct clockref refs[SLOTS];
static int nref;                 /* references of known rate, best first (at most 2 used) */
static int nslot;                /* nref plus the LAPIC timer */
static uint64_t bracket_max;     /* cycles between a snapshot's RDTSCs for it to count */
static int kept, tried;

/* Refinement state: only the clock thread touches it after boot. */
static struct snap base, last;
static uint64_t base_ns;         /* the clock at base.tsc */
static uint64_t ext;             /* reference counts from base to last, unwrapped */
static uint64_t boot_hz, refined_span_ns;

static bool
snap_take(struct snap *s)
{
    uint64_t f = arch_irq_save();
    uint64_t a = arch_cycles();
    for (int i = 0; i < nslot; i++)
        s->raw[i] = refs[i].read() & refs[i].mask;
    uint64_t b = arch_cycles();
    arch_irq_restore(f);
    s->tsc = a + (b - a) / 2;
    return b - a <= bracket_max;
}

static bool
snap_good(struct snap *s)
{
    for (int i = 0; i < 5000; i++)
        if (snap_take(s))
            return true;
    return false;
}

/* How long a snapshot takes when nothing interrupts it: the fastest of a
 * few, with room for the jitter of the emulated devices. */
static void
bracket_init(void)
{
    struct snap s;
    uint64_t best = ~0ull;
    bracket_max = ~0ull;
    for (int i = 0; i < 64; i++) {
        uint64_t a = arch_cycles();
        snap_take(&s);
        best = MIN(best, arch_cycles() - a);
    }
    bracket_max = 2 * best + 2000;
}

/* One window of at least `counts` of the first reference. False if a
 * sampling gap could hide a wrap, or no good snapshot closes it. */
static bool
window(uint64_t counts, struct win *w)
{
    struct snap s0, prev, cur;
    memset(w, 0, sizeof(*w));
    if (!snap_good(&s0))
        return false;
    prev = s0;
    for (long n = 0; n < 20000000; n++) {
        bool ok = snap_take(&cur);
        for (int k = 0; k < nslot; k++) {
            uint32_t d = (cur.raw[k] - prev.raw[k]) & refs[k].mask;
            if (d > refs[k].mask / 2)
                return false;
            w->d[k] += d;
        }
        prev = cur;
        if (ok && w->d[0] >= counts) {
            w->dtsc = cur.tsc - s0.tsc;
            return true;
        }
    }
    return false;
}

/* Do the references agree on the window's length? */
static bool
agree(const struct win *w)
{
    for (int k = 1; k < nref; k++) {
        unsigned __int128 a = (unsigned __int128)w->d[k] * refs[0].hz;
        unsigned __int128 b = (unsigned __int128)w->d[0] * refs[k].hz;
        unsigned __int128 diff = a > b ? a - b : b - a;
        if (b == 0 || diff * 1000000 > b * AGREE_PPM)
            return false;
    }
    return w->d[0] != 0;
}

static void
sort_u64(uint64_t *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            uint64_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
}

/* The mean of the values within KEEP_PPM of the median; *nkept of them. */
static uint64_t
robust_mean(uint64_t *v, int n, int *nkept)
{
    sort_u64(v, n);
    uint64_t med = v[n / 2], sum = 0;
    int k = 0;
    for (int i = 0; i < n; i++) {
        uint64_t diff = v[i] > med ? v[i] - med : med - v[i];
        if (diff <= arch_muldiv(med, KEEP_PPM, 1000000)) {
            sum += v[i];
            k++;
        }
    }
    *nkept = k;
    return sum / k;
}

/* Calibrate at boot. lapic_read reads the LAPIC timer's current count
 * (free running, as an up-counter). Fills the TSC and LAPIC rates and the TSC
 * at the end (the clock's zero); false when no reference was found. */
bool
arch_calib_boot(uint32_t (*lapic_read)(void), uint64_t *tsc_hz, uint64_t *lapic_hz,
                uint64_t *tsc0)
{
    nref = MIN(arch_clockref_init(refs, CLOCKREF_MAX), 2);
    if (nref == 0)
        return false;
    refs[nref] = (struct clockref){ "lapic", 0, 0xffffffffu, lapic_read };
    nslot = nref + 1;
    bracket_init();
    uint64_t rate[NTRY], lrate[NTRY];
    int good = 0;
    struct win w;
    for (tried = 0; tried < NTRY && good < NWIN; tried++) {
        if (!window(refs[0].hz * WIN_MS / 1000, &w) || !agree(&w))
            continue;
        rate[good] = arch_muldiv(w.dtsc, refs[0].hz, w.d[0]);
        lrate[good++] = arch_muldiv(w.d[nref], refs[0].hz, w.d[0]);
    }
    if (good == 0)
        return false;
    int lk;
    *tsc_hz = boot_hz = robust_mean(rate, good, &kept);
    *lapic_hz = robust_mean(lrate, good, &lk);
    snap_good(&base);
    last = base;
    *tsc0 = base.tsc;
    base_ns = 0;
    return true;
}

/* Reference counts from last to s. Calls come about a second apart, so
 * the raw difference is right unless a long stall let the counter wrap;
 * then the elapsed TSC says how many whole wraps passed. */
static uint64_t
unwrapped(const struct snap *s)
{
    uint64_t period = (uint64_t)refs[0].mask + 1;
    uint64_t d = (s->raw[0] - last.raw[0]) & refs[0].mask;
    uint64_t expect = arch_muldiv(s->tsc - last.tsc, refs[0].hz, arch_tsc_hz());
    if (expect > period / 4 && expect > d)
        d += (expect - d + period / 2) / period * period;
    return d;
}

void
arch_clock_refine(void)
{
    struct snap s;
    if (nref == 0 || !snap_good(&s))
        return;
    ext += unwrapped(&s);
    last = s;
    uint64_t span = arch_muldiv(ext, 1000000000ull, refs[0].hz);
    if (span < REFINE_MIN_NS)
        return;
    uint64_t hz = arch_muldiv(s.tsc - base.tsc, refs[0].hz, ext);
    uint64_t cur = arch_tsc_hz();
    if (hz < cur / 4 || hz > cur * 4) {
        kprintf("wisp: clock: %s disagrees with the TSC (%lu vs %lu kHz); new baseline\n",
                refs[0].name, hz / 1000, cur / 1000);
        base = s;
        base_ns = arch_clock_ns_at(s.tsc);
        ext = 0;
        return;
    }
    /* Slew the phase error away over about 4 s, at most SLEW_MAX_PPM. An
     * error too large for that (a boot calibration far off) is kept as an
     * offset: the monotonic clock only has to be steady, never to jump. */
    int64_t err = (int64_t)(base_ns + span - arch_clock_ns_at(s.tsc));
    if (err > PHASE_KEEP_NS || err < -PHASE_KEEP_NS) {
        base_ns -= err;
        err = 0;
    }
    int64_t ppm = err / 4000;
    ppm = ppm > SLEW_MAX_PPM ? SLEW_MAX_PPM : ppm < -SLEW_MAX_PPM ? -SLEW_MAX_PPM : ppm;
    arch_clock_rebase(s.tsc, hz, ppm);
    if (refined_span_ns < 10000000000ull && span >= 10000000000ull &&
        (hz > boot_hz + boot_hz / 1000 || hz < boot_hz - boot_hz / 1000))
        kprintf("wisp: clock refined: tsc %lu.%03lu MHz over %lu s of %s (boot said %lu.%03lu)\n",
                hz / 1000000, hz / 1000 % 1000, span / 1000000000, refs[0].name,
                boot_hz / 1000000, boot_hz / 1000 % 1000);
    refined_span_ns = span;
}

void
arch_clock_info(struct arch_clock_info *ci)
{
    memset(ci, 0, sizeof(*ci));
    ci->tsc_hz = arch_tsc_hz();
    ci->boot_hz = boot_hz;
    ci->lapic_hz = arch_lapic_hz();
    ci->baseline_ns = refined_span_ns;
    ci->windows = kept;
    ci->tried = tried;
    k_strlcpy(ci->ref, nref ? refs[0].name : "none", sizeof(ci->ref));
    if (nref > 1)
        k_snprintf(ci->ref, sizeof(ci->ref), "%s+%s", refs[0].name, refs[1].name);
}
