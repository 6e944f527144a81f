/*
 * Path walking (see namei.h), in two modes.
 *
 * RCU walk, tried first: under rcu_read_lock, each component is found in the dcache hash with
 * no lock and no reference; dentries and mounts are freed only after a grace period, so the
 * walk reads valid memory even while they die. Only at the end does it take references on the
 * final mount and dentry, then checks that no rename (rename_lock) and no mount or umount
 * (mount_lock) ran meanwhile; if one did, it drops them and walks again. Opening files in
 * different directories on several CPUs thus writes no shared cache line in the walk.
 *
 * Ref walk, the fallback (after a few retries, or when a directory must ask its filesystem
 * because the dcache does not know a name): a reference at every step and the directory's
 * i_rwsem around each lookup.
 *
 * Lock order: a directory's i_rwsem, then the locks of fs/dcache.c (i_rwsem's place among
 * mm's locks: the table atop mm/rmap.c).
 */
#include "fs/namei.h"
#include "fs/dcache.h"
#include "fs/file.h"
#include "fs/fs_struct.h"
#include "fs/mount.h"
#include "kernel/preempt.h"
#include "kernel/sched/sched.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/slab.h"
#include "mm/uaccess.h"

#define RCU_WALK_TRIES 3
#define ECHILD_REFWALK 1000 /* internal: the RCU walk cannot go on, walk with references */

struct nameidata {
	struct path path; /* where the walk stands; referenced only in ref walk */
	bool rcu;
	unsigned int rseq, mseq;
};

static DEFINE_PER_CPU(struct lookup_stats, walk_stats);

static void count(uint64_t *field_of_this_cpu)
{
	(*field_of_this_cpu)++;
}

#define COUNT(field)                                                   \
	do {                                                           \
		preempt_disable();                                     \
		count(&this_cpu_ptr(&walk_stats)->field);               \
		preempt_enable();                                      \
	} while (0)

/* nd's mount and dentry change to (mnt, dentry): references follow in ref walk. */
static void nd_move(struct nameidata *nd, struct vfsmount *mnt, struct dentry *dentry)
{
	if (!nd->rcu) {
		mntget(mnt);
		dget(dentry);
		path_put(&nd->path);
	}
	nd->path.mnt = mnt;
	nd->path.dentry = dentry;
}

/* Down through every mount stacked on the current dentry. */
static void follow_mounts(struct nameidata *nd)
{
	while (d_mountpoint(nd->path.dentry)) {
		struct vfsmount *child;

		if (nd->rcu) {
			child = __lookup_mnt(nd->path.mnt, nd->path.dentry);
			if (!child)
				return;
			nd_move(nd, child, child->mnt_root);
		} else {
			child = lookup_mnt(&nd->path);
			if (!child)
				return;
			nd_move(nd, child, child->mnt_root);
			mntput(child);
		}
	}
}

static void follow_dotdot(struct nameidata *nd, const struct path *root)
{
	struct vfsmount *mnt = nd->path.mnt;
	struct dentry *d = nd->path.dentry;

	/* At a mount's root, ".." belongs to the directory the mount covers. */
	while (d == mnt->mnt_root && !(mnt == root->mnt && d == root->dentry) &&
	       mnt->mnt_parent != mnt) {
		d = READ_ONCE(mnt->mnt_mountpoint);
		mnt = READ_ONCE(mnt->mnt_parent);
	}
	if (!(mnt == root->mnt && d == root->dentry) && d != mnt->mnt_root)
		d = READ_ONCE(d->d_parent);
	nd_move(nd, mnt, d);
	follow_mounts(nd);
}

/* Ref walk: the child named name, asking the filesystem if the dcache has no answer. */
static struct dentry *lookup_slow(struct dentry *dir, const char *name, unsigned int len,
				  int *err)
{
	struct inode *inode = dir->d_inode;
	struct dentry *d;

	down_read(&inode->i_rwsem);
	d = d_lookup(dir, name, len);
	up_read(&inode->i_rwsem);
	if (d || !inode->i_op->lookup) {
		*err = d ? 0 : -ENOENT;
		return d;
	}
	down_write(&inode->i_rwsem);
	d = d_lookup(dir, name, len);
	if (!d && (d = d_alloc(dir, name, len))) {
		*err = inode->i_op->lookup(inode, d);
		if (*err || !d->d_inode) {
			dput(d);
			d = NULL;
		}
	}
	up_write(&inode->i_rwsem);
	if (!d && !*err)
		*err = -ENOENT;
	return d;
}

static int walk_component(struct nameidata *nd, const char *name, unsigned int len)
{
	struct dentry *dir = nd->path.dentry, *child;
	int err = 0;

	if (nd->rcu) {
		child = __d_lookup_rcu(dir, name, len);
		if (!child)
			return dir->d_inode->i_op->lookup ? -ECHILD_REFWALK : -ENOENT;
		nd_move(nd, nd->path.mnt, child);
	} else {
		child = lookup_slow(dir, name, len, &err);
		if (!child)
			return err;
		nd_move(nd, nd->path.mnt, child);
		dput(child);
	}
	follow_mounts(nd);
	return 0;
}

/* True for "/", "//"...: what follows the last component of a path with a trailing slash. */
static bool only_slashes(const char *s)
{
	if (*s != '/')
		return false;
	while (*s == '/')
		s++;
	return *s == '\0';
}

/* Walks name from nd->path; on return nd->path is where it stopped. */
static int link_path_walk(struct nameidata *nd, const char *name, const struct path *root,
			  unsigned int flags)
{
	while (*name) {
		const char *end;
		unsigned int len;
		int err;

		while (*name == '/')
			name++;
		if (!*name)
			break;
		end = strchr(name, '/');
		len = end ? (unsigned int)(end - name) : (unsigned int)strlen(name);
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		if (!S_ISDIR(READ_ONCE(nd->path.dentry->d_inode)->i_mode))
			return -ENOTDIR;
		if (len == 2 && name[0] == '.' && name[1] == '.')
			follow_dotdot(nd, root);
		else if (!(len == 1 && name[0] == '.') && (err = walk_component(nd, name, len)))
			return err;
		name += len;
		if (only_slashes(name)) /* "x/" must be a directory */
			flags |= LOOKUP_DIRECTORY;
	}
	if ((flags & LOOKUP_DIRECTORY) && !S_ISDIR(nd->path.dentry->d_inode->i_mode))
		return -ENOTDIR;
	return 0;
}

/*
 * One RCU walk. 0 with references on nd->path; -EAGAIN when a rename or mount moved
 * something meanwhile; -ECHILD_REFWALK; or the walk's own error, checked the same way.
 */
static int rcu_walk(struct nameidata *nd, const char *name, const struct path *start,
		    const struct path *root, unsigned int flags)
{
	int err;

	nd->rcu = true;
	nd->path = *start;
	nd->rseq = read_seqbegin(&rename_lock);
	nd->mseq = read_seqbegin(&mount_lock);
	rcu_read_lock();
	err = link_path_walk(nd, name, root, flags);
	if (!err) {
		mntget(nd->path.mnt);
		if (!dget_unless_dead(nd->path.dentry)) {
			mntput(nd->path.mnt);
			err = -EAGAIN;
		}
	}
	rcu_read_unlock();
	/* Our references are visible before the sequences are checked: pairs with the smp_mb()
	   in do_umount() (fs/namespace.c) between moving mount_lock's sequence and counting the
	   mount's references. Either umount counts ours and refuses (EBUSY), or we see the
	   sequence move and walk again. */
	smp_mb();
	if (read_seqretry(&rename_lock, nd->rseq) || read_seqretry(&mount_lock, nd->mseq)) {
		if (!err)
			path_put(&nd->path);
		return -EAGAIN;
	}
	return err;
}

static int ref_walk(struct nameidata *nd, const char *name, const struct path *start,
		    const struct path *root, unsigned int flags)
{
	int err;

	nd->rcu = false;
	nd->path = *start;
	path_get(&nd->path);
	err = link_path_walk(nd, name, root, flags);
	if (err)
		path_put(&nd->path);
	return err;
}

/*
 * Where name starts: the root, base (a directory file's path for the *at calls, held by the
 * caller), or the working directory. Returns true when it took references on *start, which
 * the walk then drops. None are taken in the common case: the root never changes, and only
 * this thread changes its own working directory, whose references its fs_struct holds
 * meanwhile. (References on shared dentries would put every open on every CPU on the same
 * cache line.) When threads share the fs_struct (CLONE_FS), another may chdir during the
 * walk, so the start is then taken with references under fs->lock.
 */
static bool path_start(const struct path *base, const char *name, struct path *start)
{
	struct fs_struct *fs = current->fs;

	if (name[0] == '/') {
		fs_root_noref(start);
	} else if (base) {
		*start = *base;
	} else if (current_fs_shared()) {
		get_fs_pwd(start);
		return true;
	} else if (fs && fs->pwd.mnt) {
		*start = fs->pwd;
	} else {
		fs_root_noref(start);
	}
	return false;
}

static int path_lookup(const struct path *base, const char *name, unsigned int flags,
		       struct path *out)
{
	struct nameidata nd;
	struct path start, root;
	int err = -EAGAIN;
	bool held;

	if (!name[0])
		return -ENOENT;
	if (strnlen(name, PATH_MAX) == PATH_MAX)
		return -ENAMETOOLONG;
	held = path_start(base, name, &start);
	fs_root_noref(&root);
	for (int tries = 0; tries < RCU_WALK_TRIES && err == -EAGAIN; tries++) {
		err = rcu_walk(&nd, name, &start, &root, flags);
		if (err == -EAGAIN)
			COUNT(rcu_retries);
	}
	if (err == -EAGAIN || err == -ECHILD_REFWALK) {
		err = ref_walk(&nd, name, &start, &root, flags);
		COUNT(ref_walks);
	} else {
		COUNT(rcu_walks);
	}
	if (held)
		path_put(&start);
	if (!err)
		*out = nd.path;
	return err;
}

/* A reference on path's mount and on its dentry. The caller already holds one on each. */
void path_get(const struct path *path)
{
	mntget(path->mnt);
	dget(path->dentry);
}

/* Drops the references path_get (or a lookup) took: the dentry's first, then the mount's.
   May sleep (the last reference frees the dentry, or the mount). */
void path_put(const struct path *path)
{
	dput(path->dentry);
	mntput(path->mnt);
}

/*
 * Looks name up (fs/namei.h says how a path reads) and returns in *out the (mount, dentry) it
 * names, with a reference on each (path_put when done). flags: LOOKUP_DIRECTORY demands a
 * directory. Returns 0, or -ENOENT, -ENOTDIR, -ENAMETOOLONG, -ENOMEM. May sleep (a filesystem's
 * ->lookup reads its disk); the caller holds no spinlock and no i_rwsem on the way.
 */
int kern_path(const char *name, unsigned int flags, struct path *out)
{
	return path_lookup(NULL, name, flags, out);
}

/* kern_path() with a relative name read from the directory base (the caller holds references
   on it) instead of the working directory; base NULL: the working directory. */
int kern_path_at(const struct path *base, const char *name, unsigned int flags, struct path *out)
{
	return path_lookup(base, name, flags, out);
}

/*
 * For calls that create or remove the last component: looks up the directory holding it (into
 * *parent, with references) and copies the last component to last (NAME_MAX + 1 bytes,
 * NUL-terminated); *trailing_slash says whether name ended in '/'. A last component of "." or ".."
 * gives -EINVAL with last holding it, so that each caller can give Linux's code (EEXIST for mkdir,
 * EISDIR for unlink, EBUSY for rename, EINVAL or ENOTEMPTY for rmdir); a path that is only "/"
 * gives 0 with last "" (the caller decides). Other errors as kern_path(), and no reference is then
 * held. May sleep.
 */
int kern_path_parent(const char *name, struct path *parent, char *last, bool *trailing_slash)
{
	return kern_path_parent_at(NULL, name, parent, last, trailing_slash);
}

/* kern_path_parent() with a relative name read from the directory base, as kern_path_at(). */
int kern_path_parent_at(const struct path *base, const char *name, struct path *parent, char *last,
			bool *trailing_slash)
{
	size_t n = strnlen(name, PATH_MAX);
	char dir[PATH_MAX];
	size_t end = n, start;
	int err;

	if (n == 0)
		return -ENOENT;
	if (n == PATH_MAX)
		return -ENAMETOOLONG;
	*trailing_slash = false;
	while (end > 0 && name[end - 1] == '/') {
		end--;
		*trailing_slash = true;
	}
	start = end;
	while (start > 0 && name[start - 1] != '/')
		start--;
	if (end - start > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(last, name + start, end - start);
	last[end - start] = '\0';
	if (start == 0) {
		dir[0] = '.';
		dir[1] = '\0';
	} else {
		memcpy(dir, name, start);
		dir[start] = '\0';
	}
	if ((err = path_lookup(base, dir, LOOKUP_DIRECTORY, parent)))
		return err;
	if (!strcmp(last, ".") || !strcmp(last, "..")) {
		path_put(parent);
		return -EINVAL;
	}
	return 0;
}

/* The path walks so far, all CPUs summed (each CPU counts its own; the sum may be a moment old). */
struct lookup_stats lookup_stats(void)
{
	struct lookup_stats sum = {0};

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		const struct lookup_stats *s = per_cpu_ptr(&walk_stats, cpu);

		sum.rcu_walks += READ_ONCE(s->rcu_walks);
		sum.rcu_retries += READ_ONCE(s->rcu_retries);
		sum.ref_walks += READ_ONCE(s->ref_walks);
	}
	return sum;
}

/*
 * Copies the path name at uname from user memory into a new PATH_MAX-byte buffer, returned in
 * *out (putname frees it), as Linux's getname. Returns 0, or -EFAULT (a bad pointer),
 * -ENAMETOOLONG (no NUL in PATH_MAX bytes), -ENOENT (the empty name, unless empty_ok: the
 * AT_EMPTY_PATH calls), -ENOMEM. May sleep.
 */
int getname(const char __user *uname, bool empty_ok, char **out)
{
	char *name = kmalloc(PATH_MAX);
	long len;

	if (!name)
		return -ENOMEM;
	len = strncpy_from_user(name, uname, PATH_MAX);
	if (len < 0 || (len == 0 && !empty_ok)) {
		kfree(name);
		return len < 0 ? (int)len : -ENOENT;
	}
	*out = name;
	return 0;
}

/* Frees a name getname returned. */
void putname(char *name)
{
	kfree(name);
}

/*
 * Where an *at call reads a relative name: AT_FDCWD (or an absolute name) gives *dir NULL, the
 * working directory; any other dfd gives its file in *dir, with a reference (put_dfd_base when
 * done), whose f_path is the base for kern_path_at. 0, or -EBADF (dfd not open), -ENOTDIR (dfd
 * not a directory).
 */
int get_dfd_base(int dfd, const char *name, struct file **dir)
{
	*dir = NULL;
	if (dfd == AT_FDCWD || name[0] == '/')
		return 0;
	if (!(*dir = fget(dfd)))
		return -EBADF;
	if (!S_ISDIR((*dir)->f_inode->i_mode)) {
		fput(*dir);
		*dir = NULL;
		return -ENOTDIR;
	}
	return 0;
}

/* Drops what get_dfd_base took. */
void put_dfd_base(struct file *dir)
{
	if (dir)
		fput(dir);
}

/* The path of dfd's own file for AT_EMPTY_PATH, with references; or the working directory. */
static int dfd_path(int dfd, struct path *out)
{
	struct file *f;

	if (dfd == AT_FDCWD) {
		get_fs_pwd(out);
		return 0;
	}
	if (!(f = fget(dfd)))
		return -EBADF;
	*out = f->f_path;
	path_get(out);
	fput(f);
	return 0;
}

/*
 * The path the user name uname names, read from dfd as an *at call does (as Linux's
 * user_path_at), with references in *out (path_put when done). flags: LOOKUP_DIRECTORY, and
 * LOOKUP_EMPTY to let the empty name mean dfd's own file (AT_EMPTY_PATH). 0, or getname's,
 * get_dfd_base's and the lookup's errors. May sleep.
 */
int user_path_at(int dfd, const char __user *uname, unsigned int flags, struct path *out)
{
	struct file *dir;
	char *name;
	int err;

	if ((err = getname(uname, flags & LOOKUP_EMPTY, &name)))
		return err;
	if (!name[0])
		err = dfd_path(dfd, out);
	else if (!(err = get_dfd_base(dfd, name, &dir))) {
		err = kern_path_at(dir ? &dir->f_path : NULL, name, flags & LOOKUP_DIRECTORY, out);
		put_dfd_base(dir);
	}
	putname(name);
	return err;
}
