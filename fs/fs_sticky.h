/*
 * Sticky maps (Sprite's sticky segments; docs/fs.md "Sticky programs"):
 * the file map of a program on the shared volume outlives the program's
 * last mapping, with its pages, so the next exec of the same, unchanged
 * file maps the very frames again instead of reading the file back into
 * new ones (fs_mmap.c keeps them, fs_exec.c asks).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct file;
struct fs_map;
struct vnode;

/* Which file, in which state: equal identities mean equal contents. */
struct fs_map_ident {
    uint64_t ino, gen, version, changes, size;
};

/* v's identity now; false when its contents cannot be vouched for (not a
 * /shared file, or not cached here: another node writes it). */
bool fs_exec_ident(struct vnode *v, struct fs_map_ident *id);
/* A kept map of id's file made f's vnode's map (f and its vnode
 * referenced by it), or NULL. */
struct fs_map *fs_map_adopt(struct file *f, const struct fs_map_ident *id);
/* Keep new map m, made for f alone, when its last mapping goes, if its
 * file is still id then. */
void fs_map_set_sticky(struct fs_map *m, const struct fs_map_ident *id);
/* Maps kept now, and taken by an exec so far (fsstat). */
void fs_map_kept(uint64_t *now, uint64_t *adopted);
