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
#include "lib/compiler.h"

/* Follow mounts on the last component (always done; kept for Linux's name). */
#define LOOKUP_FOLLOW	 0x1
#define LOOKUP_DIRECTORY 0x2 /* the result must be a directory */
#define LOOKUP_EMPTY	 0x4 /* user_path_at: "" names dfd's own file (AT_EMPTY_PATH) */

/* The *at calls' dirfd for the working directory, and their flags (Linux's values). */
#define AT_FDCWD	    (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR	    0x200
#define AT_EACCESS	    0x200
#define AT_EMPTY_PATH	    0x1000

/* The path name names, with references (path_put when done); 0 or a negative errno. */
int kern_path(const char *name, unsigned int flags, struct path *out);

/* The directory that holds name's last component, and that component (fs/namei.c). */
int kern_path_parent(const char *name, struct path *parent, char *last, bool *trailing_slash);

/* The same with a relative name read from the directory base instead of the working
   directory (the *at system calls); base NULL: the working directory. */
int kern_path_at(const struct path *base, const char *name, unsigned int flags, struct path *out);
int kern_path_parent_at(const struct path *base, const char *name, struct path *parent, char *last,
			bool *trailing_slash);

/* A path name from user memory (fs/namei.c), in a buffer of PATH_MAX bytes: *out (putname when
   done). 0, -EFAULT, -ENAMETOOLONG, -ENOENT (empty, unless empty_ok), -ENOMEM. */
int getname(const char __user *uname, bool empty_ok, char **out);
void putname(char *name);

/* The base of an *at call's relative name (fs/namei.c): NULL, the working directory, or a
   directory file held until put_dfd_base. */
int get_dfd_base(int dfd, const char *name, struct file **dir);
void put_dfd_base(struct file *dir);
/* A user name read from dfd as the *at calls do, into *out with references. */
int user_path_at(int dfd, const char __user *uname, unsigned int flags, struct path *out);

struct lookup_stats {
	uint64_t rcu_walks;   /* walks finished without a lock or a shared write */
	uint64_t rcu_retries; /* walks restarted because a rename or a mount moved things */
	uint64_t ref_walks;   /* walks done the slow way, with references at each step */
};
struct lookup_stats lookup_stats(void);

#endif
