/*
 * execve: replacing the calling process's program (Linux's fs/exec.c).
 *
 * In two halves around the point of no return. Before it, everything that can fail without
 * harm: open the file, check it is an ELF program we can run (fs/binfmt_elf.c), copy the
 * argument and environment strings into the kernel (the old address space is about to go),
 * make the new, empty address space, end the process's other threads. Any error there returns
 * to the old program. After it, the process's old address space is gone: the new one gets
 * the program's segments, a stack with argc, argv, envp and the auxiliary vector, a heap; the
 * thread's registers are reset to start at the entry point. An error there (out of memory)
 * can only kill the process, as in Linux.
 *
 * The new stack, from its top down (the System V x86_64 ABI, "Process initialization"):
 *
 *	the file name (AT_EXECFN), the argument and environment strings, "x86_64"
 *	16 random bytes (AT_RANDOM)
 *	padding to 16 bytes
 *	auxv: (type, value) pairs ending with AT_NULL
 *	envp[0..envc-1], NULL
 *	argv[0..argc-1], NULL
 *	argc				   <- rsp, 16-byte aligned, at the entry point
 *
 * This file sits above the process layer it calls into (kernel/process.h: de_thread,
 * vfork_release), as Linux's fs/exec.c does.
 */
#include "fs/binfmt.h"
#include "fs/exec.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/dcache.h"
#include "kernel/process.h"
#include "kernel/random.h"
#include "kernel/syscall.h"
#include "kernel/tick.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/memlayout.h"
#include "arch/x86_64/tsc.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "mm/slab.h"
#include "mm/uaccess.h"
#include "mm/vma.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/string.h"

/* The stack: STACK_SIZE bytes mapped below STACK_TOP, demand-zero (it does not grow). */
#define STACK_TOP  (USER_TOP - PAGE_SIZE)
#define STACK_SIZE (8ULL << 20)

/* Auxiliary vector types (Linux's include/uapi/linux/auxvec.h). */
#define AT_NULL	    0
#define AT_PHDR	    3
#define AT_PHENT    4
#define AT_PHNUM    5
#define AT_PAGESZ   6
#define AT_BASE	    7
#define AT_FLAGS    8
#define AT_ENTRY    9
#define AT_UID	    11
#define AT_EUID	    12
#define AT_GID	    13
#define AT_EGID	    14
#define AT_PLATFORM 15
#define AT_HWCAP    16
#define AT_CLKTCK   17
#define AT_SECURE   23
#define AT_RANDOM   25
#define AT_HWCAP2   26
#define AT_EXECFN   31
#define AUXV_PAIRS  19 /* the pairs push_auxv writes, AT_NULL included */

/* Counted for the `ps` command and the tests. */
static atomic64_t execs, enoexec, failed_late;

struct exec_stats exec_stats(void)
{
	return (struct exec_stats){.execs = (uint64_t)atomic64_read(&execs),
				   .enoexec = (uint64_t)atomic64_read(&enoexec),
				   .failed_late = (uint64_t)atomic64_read(&failed_late)};
}

/* The program file, open for reading: a regular file, else -EACCES (as Linux). */
static int open_exec(const char *name, struct file **out)
{
	struct path path;
	struct file *f = alloc_empty_file();
	int err;

	if (!f)
		return -ENOMEM;
	if ((err = kern_path(name, 0, &path))) {
		put_empty_file(f);
		return err;
	}
	if (!S_ISREG(path.dentry->d_inode->i_mode)) {
		put_empty_file(f);
		path_put(&path);
		return -EACCES;
	}
	file_bind_path(f, &path, O_RDONLY, FMODE_READ);
	file_vm_init(f);
	path_put(&path);
	*out = f;
	return 0;
}

/* Appends one string to the strings block: 0, -E2BIG. */
static int add_string(struct linux_binprm *bprm, const char *s, size_t len)
{
	if (len + 1 > BINPRM_MAX_STRINGS - bprm->strings_len)
		return -E2BIG;
	memcpy(bprm->strings + bprm->strings_len, s, len + 1);
	bprm->strings_len += len + 1;
	return 0;
}

/* Copies a NULL-terminated vector of user strings; returns how many, or -EFAULT, -E2BIG. */
static int copy_user_strings(struct linux_binprm *bprm, const char __user *const __user *v)
{
	int n = 0;

	if (!v)
		return 0; /* Linux takes a NULL argv or envp as empty */
	for (;; n++) {
		const char __user *p;
		long len;

		if (get_user(p, v + n))
			return -EFAULT;
		if (!p)
			return n;
		len = strncpy_from_user(bprm->strings + bprm->strings_len, p,
					BINPRM_MAX_STRINGS - bprm->strings_len);
		if (len == -ENAMETOOLONG)
			return -E2BIG;
		if (len < 0)
			return (int)len;
		bprm->strings_len += (size_t)len + 1;
	}
}

static int copy_kernel_strings(struct linux_binprm *bprm, const char *const *v)
{
	int n = 0;

	for (; v && v[n]; n++) {
		int err = add_string(bprm, v[n], strlen(v[n]));

		if (err)
			return err;
	}
	return n;
}

static void free_binprm(struct linux_binprm *bprm)
{
	if (bprm->file)
		fput(bprm->file);
	kfree(bprm->strings);
	kfree(bprm);
}

/* The first half: the file checked, the strings copied. 0 or a negative errno. */
static int prepare_binprm(struct linux_binprm *bprm, const char *filename)
{
	uint64_t pos = 0;
	ssize_t n;
	int err;

	if (bprm->filename != filename)
		strlcpy(bprm->filename, filename, sizeof(bprm->filename));
	if ((err = open_exec(filename, &bprm->file)))
		return err;
	n = kernel_read(bprm->file, bprm->header, sizeof(bprm->header), &pos);
	if (n < 0)
		return (int)n;
	bprm->header_len = (size_t)n;
	return elf_check(bprm);
}

/* The current thread's address space becomes mm (whose user reference passes to it). */
static void exec_mmap(struct mm *mm)
{
	struct mm *old = current->mm;

	if (old)
		kthread_unuse_mm(old); /* a vfork child leaves its parent's mm intact */
	kthread_use_mm(mm);
	mmput(mm); /* the thread's own user reference is the one kthread_use_mm took */
}

/* Pushes len bytes below *sp; 0 or -EFAULT. */
static int push_bytes(uint64_t *sp, const void *p, size_t len)
{
	*sp -= len;
	return copy_to_user((void __user *)*sp, p, len);
}

static uint64_t hwcap(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return d; /* Linux's AT_HWCAP on x86: CPUID.1:EDX */
}

/* Writes the auxiliary vector at *sp (AUXV_PAIRS pairs). */
static int push_auxv(struct linux_binprm *bprm, uint64_t sp, uint64_t random, uint64_t platform,
		     uint64_t execfn)
{
	const uint64_t auxv[AUXV_PAIRS * 2] = {
		AT_PHDR,     bprm->phdr_addr,
		AT_PHENT,    BINPRM_PHENT,
		AT_PHNUM,    bprm->phnum,
		AT_PAGESZ,   PAGE_SIZE,
		AT_BASE,     0,
		AT_FLAGS,    0,
		AT_ENTRY,    bprm->entry,
		AT_UID,	     0,
		AT_EUID,     0,
		AT_GID,	     0,
		AT_EGID,     0,
		AT_PLATFORM, platform,
		AT_HWCAP,    hwcap(),
		AT_CLKTCK,   HZ,
		AT_SECURE,   0,
		AT_RANDOM,   random,
		AT_HWCAP2,   0,
		AT_EXECFN,   execfn,
		AT_NULL,     0,
	};

	return copy_to_user((void __user *)sp, auxv, sizeof(auxv));
}

/* Writes n pointers to consecutive strings of the block (starting at user address *str, the
   kernel copy at *off), then a NULL, at *sp. */
static int push_vector(struct linux_binprm *bprm, uint64_t *sp, int n, uint64_t *str, size_t *off)
{
	for (int i = 0; i < n; i++) {
		size_t len = strlen(bprm->strings + *off) + 1;

		if (put_user_u64(*sp, *str))
			return -EFAULT;
		*sp += 8;
		*str += len;
		*off += len;
	}
	if (put_user_u64(*sp, 0))
		return -EFAULT;
	*sp += 8;
	return 0;
}

/*
 * Builds the new program's stack in the current (new) address space; the initial rsp goes in
 * *rsp. 0 or a negative errno.
 */
static int setup_stack(struct linux_binprm *bprm, struct mm *mm, uint64_t *rsp)
{
	uint64_t sp = STACK_TOP, strings, platform, execfn, random, vec;
	size_t nwords = 1 + (size_t)bprm->argc + 1 + (size_t)bprm->envc + 1 + AUXV_PAIRS * 2;
	size_t off = 0;
	uint8_t rnd[16];
	int64_t r;

	r = vm_mmap(mm, STACK_TOP - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
	if (r < 0)
		return (int)r;
	get_random_bytes(rnd, sizeof(rnd)); /* AT_RANDOM: libc's stack-protector canary */
	if (push_bytes(&sp, bprm->filename, strlen(bprm->filename) + 1))
		return -EFAULT;
	execfn = sp;
	if (push_bytes(&sp, bprm->strings, bprm->strings_len))
		return -EFAULT;
	strings = sp;
	if (push_bytes(&sp, "x86_64", 7))
		return -EFAULT;
	platform = sp;
	if (push_bytes(&sp, rnd, sizeof(rnd)))
		return -EFAULT;
	random = sp;
	vec = ALIGN_DOWN(sp - nwords * 8, 16); /* rsp, at argc, 16-byte aligned */
	*rsp = vec;
	if (put_user_u64(vec, (uint64_t)bprm->argc))
		return -EFAULT;
	sp = vec + 8;
	if (push_vector(bprm, &sp, bprm->argc, &strings, &off) ||
	    push_vector(bprm, &sp, bprm->envc, &strings, &off))
		return -EFAULT;
	return push_auxv(bprm, sp, random, platform, execfn);
}

/* The thread's registers for the new program: everything zero but the entry point, the stack
   and interrupts on; SSE at its defaults; no TLS base yet. */
static void start_thread(struct trap_frame *f, uint64_t entry, uint64_t rsp)
{
	memset(f, 0, sizeof(*f));
	f->rip = entry;
	f->rsp = rsp;
	f->rflags = RFLAGS_IF | 0x2; /* bit 1 is always set */
	f->cs = GDT_USER_CS | 3;
	f->ss = GDT_USER_DS | 3;
	f->vector = TRAP_SYSCALL;
	preempt_disable(); /* the SSE registers and the MSR must be this CPU's when loaded */
	fpu_init_state(current->fpu);
	fpu_restore(current->fpu);
	current->fs_base = 0;
	wrmsr(MSR_FS_BASE, 0);
	preempt_enable();
}

static const char *basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The second half, past the point of no return: 0, or an errno that kills the process. */
static int load_program(struct linux_binprm *bprm, struct mm *mm)
{
	struct process *p = current->proc;
	uint64_t rsp;
	int err;

	exec_mmap(mm);
	do_close_on_exec();
	if ((err = elf_map(bprm, mm)) || (err = setup_stack(bprm, mm, &rsp)))
		return err;
	down_write(&mm->mmap_lock);
	mm->start_brk = mm->brk = bprm->end_data;
	up_write(&mm->mmap_lock);
	spin_lock(&tasklist_lock);
	strlcpy(p->comm, basename(bprm->filename), sizeof(p->comm));
	strlcpy(current->name, p->comm, sizeof(current->name));
	spin_unlock(&tasklist_lock);
	current->clear_child_tid = 0;
	current->robust_list = 0; /* the old program's mutexes are gone with its memory */
	start_thread(user_frame_of(current->stack_top), bprm->entry, rsp);
	return 0;
}

/*
 * The common part of execve and kernel_execve: bprm holds the strings already. 0 when the new
 * program is ready to run (the caller returns to ring 3 into it), or a negative errno with the
 * old program intact. An error after the point of no return kills the process (the caller
 * then ends on its way out).
 */
static int bprm_execve(struct linux_binprm *bprm)
{
	struct mm *mm;
	int err;

	mm = mm_alloc(basename(bprm->filename));
	if (!mm)
		return -ENOMEM;
	if ((err = de_thread())) {
		mmput(mm);
		return err;
	}
	/* The point of no return. */
	err = load_program(bprm, mm);
	if (err) {
		atomic64_add_return(1, &failed_late);
		process_kill(current->proc, W_EXITCODE(0, SIGSEGV));
		return err;
	}
	vfork_release(current->proc);
	atomic64_add_return(1, &execs);
	return 0;
}

static struct linux_binprm *alloc_binprm(void)
{
	struct linux_binprm *bprm = kzalloc(sizeof(*bprm));

	if (!bprm)
		return NULL;
	bprm->strings = kmalloc(BINPRM_MAX_STRINGS);
	if (!bprm->strings) {
		kfree(bprm);
		return NULL;
	}
	return bprm;
}

static int count_refused(int err)
{
	if (err == -ENOEXEC)
		atomic64_add_return(1, &enoexec);
	return err;
}

SYSCALL_DEFINE3(execve, const char __user *, filename, const char __user *const __user *, argv,
		const char __user *const __user *, envp)
{
	struct linux_binprm *bprm;
	char *name;
	long len;
	int err;

	if (!current->proc)
		return -EINVAL;
	bprm = alloc_binprm();
	if (!bprm)
		return -ENOMEM;
	name = bprm->filename;
	len = strncpy_from_user(name, filename, PATH_MAX);
	err = len < 0 ? (int)len : 0;
	if (!err && !len)
		err = -ENOENT;
	if (!err)
		err = prepare_binprm(bprm, name);
	if (!err && (bprm->argc = copy_user_strings(bprm, argv)) < 0)
		err = bprm->argc;
	if (!err && (bprm->envc = copy_user_strings(bprm, envp)) < 0)
		err = bprm->envc;
	if (!err)
		err = bprm_execve(bprm);
	free_binprm(bprm);
	return count_refused(err);
}

int kernel_execve(const char *filename, const char *const argv[], const char *const envp[])
{
	struct linux_binprm *bprm = alloc_binprm();
	int err;

	if (!bprm)
		return -ENOMEM;
	err = prepare_binprm(bprm, filename);
	if (!err && (bprm->argc = copy_kernel_strings(bprm, argv)) < 0)
		err = bprm->argc;
	if (!err && (bprm->envc = copy_kernel_strings(bprm, envp)) < 0)
		err = bprm->envc;
	if (!err)
		err = bprm_execve(bprm);
	free_binprm(bprm);
	return count_refused(err);
}
