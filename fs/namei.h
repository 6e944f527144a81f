/*
 * Path lookup: from a string such as "/data/../tmp/x" to a (mount, dentry) pair, crossing
 * into mounted filesystems on the way down and out of them on "..".
 *
 * A path starting with '/' starts at the namespace root, any other at the thread's working
 * directory. Empty components ("a//b") are skipped; "." stays; ".." at a mount's root goes to
 * the mountpoint first, and at the namespace root stays there. A trailing slash requires a
 * directory. Errors: ENOENT (a name does not exist, or the path is empty), ENOTDIR (a
 * non-directory before a '/'), ENAMETOOLONG (a component over NAME_MAX bytes, or the whole path
 * over PATH_MAX).
 */
#ifndef FS_NAMEI_H
#define FS_NAMEI_H

#include "fs/fs.h"

/* Follow mounts on the last component (always done; kept for Linux's name). */
#define LOOKUP_FOLLOW	 0x1
#define LOOKUP_DIRECTORY 0x2 /* the result must be a directory */

/* The path name names, with references (path_put when done); 0 or a negative errno. */
int kern_path(const char *name, unsigned int flags, struct path *out);

/* The directory that holds name's last component, and that component (fs/namei.c). */
int kern_path_parent(const char *name, struct path *parent, char *last, bool *trailing_slash);

struct lookup_stats {
	uint64_t rcu_walks;   /* walks finished without a lock or a shared write */
	uint64_t rcu_retries; /* walks restarted because a rename or a mount moved things */
	uint64_t ref_walks;   /* walks done the slow way, with references at each step */
};
struct lookup_stats lookup_stats(void);

#endif
