/*
 * Host tests of the descriptor-table packing without the shared file
 * system's client: no file is a /shared one (fs/fs_rmt_stream.h).
 */
#include "fs/fs_rmt_stream.h"
#include "kernel/errno.h"

bool fs_rmt_stream_is_plain(struct file *f) { return false; }
bool fs_rmt_stream_is_shared(struct file *f) { return false; }
int fs_rmt_stream_share(struct file *f, uint64_t *id, struct fsproto_fh *fh) { return -EINVAL; }
int fs_rmt_stream_ref(uint64_t id, uint32_t from, uint32_t to) { return -EBADF; }
struct file *fs_rmt_stream_file(uint64_t id, struct fsproto_fh fh, int flags,
                                const struct fsproto_attr *a) { return NULL; }
int fs_rmt_move_out(struct file *f, int to, struct fsproto_msg *rep) { return -EINVAL; }
int fs_rmt_move_back(struct fsproto_fh fh, int flags, int from) { return -EBADF; }
struct file *fs_rmt_move_in(struct fsproto_fh fh, int flags, uint64_t off,
                            const struct fsproto_msg *rep) { return NULL; }
