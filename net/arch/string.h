/*
 * <string.h> for lwIP's own sources: the kernel's string functions
 * (kernel/lib.h). mk/net.mk puts net/arch first on lwIP's include path so
 * the host C library's headers never enter the kernel.
 */
#pragma once
#include "kernel/lib.h"
