/*
 * kernel_main: the portable boot sequence after arch_boot64 has set up the
 * CPU and memory. Parses the command line, starts the clock and the
 * scheduler, mounts the initrd and starts init, then becomes the idle
 * thread. Test mode (test= on the command line) makes init's exit, or a
 * panic, leave QEMU with a result for the harness (docs/testing.md).
 */
#include "boot/bootinfo.h"
#include "fs/blk.h"
#include "fs/fs.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "fs/fssrv.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/home.h"
#include "kernel/migrate.h"
#include "kernel/mem.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "net/net.h"
#include "net/rpc/rpc.h"

#define INIT_ARGS_MAX 16

static struct cmdline cmdline;
static int node_id;
static const char *test_name;
static struct bootinfo *boot_info;

int proc_start_init(const char *path, char *const argv[], int argc);
int ktest_run(const char *name);

int
main_node_id(void)
{
    return node_id;
}

const struct cmdline *
main_cmdline(void)
{
    return &cmdline;
}

const char *
main_test_name(void)
{
    return test_name;
}

static bool strace_on;

bool
main_strace(void)
{
    return strace_on;
}

bool
main_test_mode(void)
{
    return test_name != NULL;
}

void
main_init_exited(int status)
{
    bool ok = (status & 0x7f) == 0 && ((status >> 8) & 0xff) == 0;
    if ((status & 0x7f) == 0)
        kprintf("wisp: node %d: init exited with status %d\n", node_id, (status >> 8) & 0xff);
    else
        kprintf("wisp: node %d: init killed by signal %d\n", node_id, status & 0x7f);
    if (test_name)
        arch_qemu_exit(ok ? 0 : 1);
    panic("init exited");
}

static NORETURN void
stop(const char *why)
{
    kprintf("wisp: node %d: %s\n", node_id, why);
    if (test_name)
        arch_qemu_exit(1);
    arch_halt();
}

static void
parse_cmdline(const char *s)
{
    char err[256];
    uint64_t n;
    if (cmdline_parse(s, &cmdline, err, sizeof(err)) != 0)
        kprintf("wisp: kernel command line: skipped %d bad word%s (%s)\n", cmdline.nbad,
                cmdline.nbad == 1 ? "" : "s", err);
    if (cmdline_get_u64(&cmdline, "node", 0, &n) != 0 || n > 2047) {
        kprintf("wisp: node= must be a number from 0 to 2047; using 0\n");
        n = 0;
    }
    node_id = (int)n;
    test_name = cmdline_get(&cmdline, "test");
    strace_on = cmdline_get(&cmdline, "strace") != NULL;
}

/* Split initargs= on spaces into argv[1..]. */
static int
init_argv(char *buf, size_t size, const char *path, char *argv[])
{
    const char *args = cmdline_get(&cmdline, "initargs");
    int argc = 0;
    argv[argc++] = (char *)path;
    if (!args && test_name && strcmp(test_name, "boot") == 0)
        args = "true";   /* test=boot: init runs one trivial command and exits */
    if (!args)
        return argc;
    k_strlcpy(buf, args, size);
    for (char *p = buf; *p && argc < INIT_ARGS_MAX - 1;) {
        while (*p == ' ')
            *p++ = 0;
        if (!*p)
            break;
        argv[argc++] = p;
        while (*p && *p != ' ')
            p++;
    }
    argv[argc] = NULL;
    return argc;
}

/* tmpfs on /tmp: tmpsize= bytes (K/M/G suffix, or P% of RAM); a quarter of RAM by default. */
static void
mount_tmp(void)
{
    struct mem_stats ms;
    mem_get_stats(&ms);
    uint64_t ram = ms.total_frames * PAGE_SIZE;
    uint64_t size = ram / 4;
    const char *arg = cmdline_get(&cmdline, "tmpsize");
    if (arg && fs_tmp_parse_size(arg, ram, &size) != 0) {
        kprintf("wisp: tmpsize=%s is not a size (N, NK, NM, NG or P%%); using a quarter of RAM\n", arg);
        size = ram / 4;
    }
    int err = fs_tmp_mount("/tmp", size);
    if (err)
        kprintf("wisp: cannot mount tmpfs on /tmp: error %d\n", -err);
    else
        kprintf("wisp: tmpfs on /tmp, %lu KiB\n", (unsigned long)(size >> 10));
}

/* The rest of the boot runs in a kernel thread so that it may sleep; the
 * boot thread becomes the idle thread. */
static void
main_thread(void *arg)
{
    static char argbuf[CMDLINE_VAL_MAX];
    char *argv[INIT_ARGS_MAX];
    struct bootinfo *bi = boot_info;

    if (test_name && strncmp(test_name, "kernel", 6) == 0)
        arch_qemu_exit(ktest_run(test_name) == 0 ? 0 : 1);
    if (test_name && strcmp(test_name, "netdrv") == 0)
        arch_qemu_exit(net_drvtest_run() == 0 ? 0 : 1);

    time_init();
    const struct bootinfo_mod *initrd = NULL;
    for (uint32_t i = 0; i < bi->nmods && !initrd; i++)
        initrd = &bi->mods[i];
    if (!initrd)
        stop("no initrd was loaded (QEMU: -initrd build/initrd.cpio; GRUB: module2); halting");
    kprintf("wisp: initrd %lu KiB at 0x%lx\n", (initrd->end - initrd->start) >> 10,
            initrd->start);
    if (fs_init(mem_p2v(initrd->start), initrd->end - initrd->start) != 0)
        stop("the initrd is not a valid cpio (newc) archive; halting");
    mount_tmp();
    (void)blk_init();   /* a node without a disk is normal: it logs "no block device" */
    bool rpc_up = false;
    int nerr = net_init();
    if (nerr && nerr != -ENODEV)
        kprintf("wisp: networking failed: error %d\n", -nerr);
    if (nerr == 0) {
        int rerr = rpc_init(node_id, 0);   /* 0: the RPC layer picks a boot id */
        if (rerr)
            kprintf("wisp: rpc failed: error %d\n", -rerr);
        else
            time_sync_start(node_id);
        if (!rerr) {
            rpc_up = true;
            home_init();   /* home table service: posts and node failures */
            migrate_init();
            (void)fssrv_start(node_id, &cmdline);   /* on the fsserver= node: logs why not */
            (void)fs_rmt_start(node_id, &cmdline);   /* the shared volume on /shared */
        }
    }
    (void)fs_root_start(node_id, &cmdline, rpc_up);   /* fsroot=on: the shared volume on / */

    const char *init = cmdline_get(&cmdline, "init");
    if (!init || !*init)
        init = "/bin/init";
    int argc = init_argv(argbuf, sizeof(argbuf), init, argv);
    int err = proc_start_init(init, argv, argc);
    if (err) {
        kprintf("wisp: cannot start %s: error %d\n", init, -err);
        stop("no init; halting");
    }
    kprintf("wisp: node %d ready\n", node_id);
}

NORETURN void kernel_main(struct bootinfo *bi);
void
kernel_main(struct bootinfo *bi)
{
    struct mem_stats ms;

    parse_cmdline(bi->cmdline);
    mem_get_stats(&ms);
    kprintf("Wisp %s (x86_64) node %d: %lu MiB free memory, loader %s, cmdline \"%s\"\n",
            WISP_VERSION, node_id, (unsigned long)(ms.free_frames * PAGE_SIZE >> 20),
            bi->loader == BOOT_LOADER_MB1   ? "multiboot1"
            : bi->loader == BOOT_LOADER_MB2 ? "multiboot2"
                                            : "uefi",
            bi->cmdline);
    sched_init();
    arch_lapic_init();
    boot_info = bi;
    if (!sched_spawn("main", main_thread, NULL))
        panic("cannot create the first kernel thread");
    arch_irq_enable();
    sched_run_idle();
}

