/*
 * Boot-time configuration of this node, from the kernel command line, and
 * the test-mode conventions that tests/ relies on.
 */
#pragma once
#include "kernel/compiler.h"

/* QEMU exit values (QEMU exits with (value << 1) | 1). */
#define KERNEL_PANIC_EXIT 0x7e

struct cmdline;

int main_node_id(void);
/* The parsed kernel command line (kernel/cmdline.h), for modules' knobs. */
const struct cmdline *main_cmdline(void);
/* The test named by test= on the command line, or NULL. */
const char *main_test_name(void);
bool main_test_mode(void);
/* Called when init (the first process) exits with a wait status. */
NORETURN void main_init_exited(int status);
/* strace on the command line: log every system call and its result. */
bool main_strace(void);
