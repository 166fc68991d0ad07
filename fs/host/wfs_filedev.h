/*
 * Host side of the WFS block device (fs/host/wfs_filedev.c): an image
 * file, optionally behind an overlay that keeps every write in memory so
 * the file is never changed (wisp-fsck -n).
 */
#pragma once
#include "fs/wfs.h"

/* Open path (read-write unless readonly); fills dev. Returns 0 or -errno. */
int  wfs_filedev_open(struct wfs_dev *dev, const char *path, bool readonly);
/* Writes of dev go to memory from now on. */
void wfs_filedev_overlay(struct wfs_dev *dev);
void wfs_filedev_close(struct wfs_dev *dev);
