/*
 * mount(2) and umount2(2) with Linux's flag values, around do_mount and do_umount
 * (fs/namespace.c), whose own MS_* values are the kernel's short list (fs/mount.h).
 *
 * Taken: a new mount of a type (data: its options, may be NULL), MS_RDONLY, MS_BIND,
 * MS_REMOUNT with or without MS_RDONLY (the superblock), and MS_REMOUNT | MS_BIND with or
 * without MS_RDONLY (that mount alone: how a read-only bind mount is made). Every other flag is
 * -EINVAL (Linux takes MS_NOSUID, MS_NODEV, MS_REC and more). umount2 takes flags 0 (and
 * UMOUNT_NOFOLLOW, there being no symlinks); MNT_DETACH, MNT_FORCE and MNT_EXPIRE are -EINVAL.
 */
#include "fs/mount.h"
#include "fs/namei.h"
#include "kernel/syscall.h"
#include "lib/errno.h"
#include "mm/slab.h"
#include "mm/uaccess.h"

/* Linux's values (include/uapi/linux/mount.h). */
#define LINUX_MS_RDONLY	 1
#define LINUX_MS_REMOUNT 32
#define LINUX_MS_BIND	 4096
#define LINUX_MS_MGC_MSK 0xffff0000UL /* old programs' magic number in the high bits */
#define LINUX_MS_MGC_VAL 0xc0ed0000UL

#define MNT_FORCE	0x1
#define MNT_DETACH	0x2
#define MNT_EXPIRE	0x4
#define UMOUNT_NOFOLLOW 0x8

#define MOUNT_DATA_MAX 256 /* bytes of options, with the NUL */

/* Linux's flags to do_mount's, or -EINVAL for a flag not taken. */
static long mount_flags(unsigned long lflags)
{
	unsigned long flags = 0;

	if ((lflags & LINUX_MS_MGC_MSK) == LINUX_MS_MGC_VAL)
		lflags &= ~LINUX_MS_MGC_MSK;
	if (lflags & ~(LINUX_MS_RDONLY | LINUX_MS_REMOUNT | LINUX_MS_BIND))
		return -EINVAL;
	if (lflags & LINUX_MS_RDONLY)
		flags |= MS_RDONLY;
	if (lflags & LINUX_MS_REMOUNT)
		flags |= MS_REMOUNT;
	if (lflags & LINUX_MS_BIND)
		flags |= MS_BIND;
	/* As Linux, a new bind mount is writable whatever MS_RDONLY says; a remount makes it
	   read-only. */
	if ((flags & MS_BIND) && !(flags & MS_REMOUNT))
		flags &= ~MS_RDONLY;
	return (long)flags;
}

/* An optional user string (NULL stays NULL) into a new buffer of n bytes (*out, kfree). */
static int copy_mount_string(const char __user *u, size_t n, char **out)
{
	long len;

	*out = NULL;
	if (!u)
		return 0;
	if (!(*out = kmalloc(n)))
		return -ENOMEM;
	len = strncpy_from_user(*out, u, n);
	if (len < 0) {
		kfree(*out);
		*out = NULL;
		return len == -ENAMETOOLONG && n == MOUNT_DATA_MAX ? -EINVAL : (int)len;
	}
	return 0;
}

SYSCALL_DEFINE5(mount, char __user *, dev_name, char __user *, dir_name, char __user *, type,
		unsigned long, flags, void __user *, data)
{
	char *source = NULL, *dir = NULL, *fstype = NULL, *options = NULL;
	long kflags = mount_flags(flags);
	long err;

	if (kflags < 0)
		return kflags;
	if ((err = getname(dir_name, false, &dir)) ||
	    (err = copy_mount_string(dev_name, PATH_MAX, &source)) ||
	    (err = copy_mount_string(type, NAME_MAX + 1, &fstype)) ||
	    (err = copy_mount_string(data, MOUNT_DATA_MAX, &options)))
		goto out;
	if (!(kflags & (MS_BIND | MS_REMOUNT)) && !fstype)
		err = -EINVAL; /* a new mount needs its type */
	else
		err = do_mount(source, dir, fstype, (unsigned long)kflags, options);
out:
	kfree(options);
	kfree(fstype);
	kfree(source);
	if (dir)
		putname(dir);
	return err;
}

SYSCALL_DEFINE2(umount2, char __user *, name, int, flags)
{
	char *dir;
	long err;

	if (flags & ~UMOUNT_NOFOLLOW)
		return -EINVAL;
	if ((err = getname(name, false, &dir)))
		return err;
	err = do_umount(dir);
	putname(dir);
	return err;
}
