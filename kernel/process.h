/*
 * Processes: user programs and their threads.
 *
 * A process is an address space (mm), a file table, a working directory, one or more threads
 * that share them, a parent and children, and an exit status. Each of its threads is an
 * ordinary struct thread of the scheduler with a kernel stack of its own, and with t->proc,
 * t->fpu and a trap frame at the top of its stack for its user registers; so every thread runs
 * on any CPU and the scheduler treats user and kernel threads alike. Linux keeps all of this
 * in task_struct and signal_struct (one task_struct per thread, the group's shared part in
 * signal_struct); here the shared part is struct process.
 *
 * Its pid is the thread id of its first thread (getpid), as Linux's tgid; each thread's own id
 * is its tid (gettid).
 *
 * Ending. A process ends when its last thread ends. exit_group, a fatal signal (kill, a fault)
 * or execve from another thread mark the process `exiting`; every thread of it notices on its
 * way back to ring 3 (kernel/entry.c) or wakes from a killable sleep, and ends there. The last
 * one out makes the process a zombie holding its wait status, wakes its parent's wait4, and
 * gives its children to nobody (an orphan is freed when it ends). A process the kernel started
 * (the shell's, through process_spawn) has no parent: kernel_wait() collects it.
 *
 * Locks: tasklist_lock (a spinlock, as Linux's tasklist_lock) guards the list of processes,
 * every parent/children link, each process's thread list, nr_threads, state, and each thread's
 * t->proc once the thread has started (it goes NULL as the thread leaves its process). It is
 * taken before thread_list_lock (kernel/kthread.h) when both are held. The thread
 * list is also what signal_wake_up walks. A struct thread of a user thread is freed by the
 * reaper kernel thread once it is off its CPU (kernel/exit.c).
 */
#ifndef KERNEL_PROCESS_H
#define KERNEL_PROCESS_H

#include <stdint.h>
#include <stdbool.h>
#include "kernel/locking/spinlock.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/wait.h"
#include "kernel/sched/completion.h"
#include "kernel/rlimit.h"
#include "arch/x86_64/trap.h"
#include "lib/list.h"
#include "lib/compiler.h"

/* Linux's signal numbers (the ones a default action can end a process with, and SIGCHLD). */
#define SIGHUP	 1
#define SIGINT	 2
#define SIGQUIT	 3
#define SIGILL	 4
#define SIGTRAP	 5
#define SIGABRT	 6
#define SIGBUS	 7
#define SIGFPE	 8
#define SIGKILL	 9
#define SIGUSR1	 10
#define SIGSEGV	 11
#define SIGUSR2	 12
#define SIGPIPE	 13
#define SIGALRM	 14
#define SIGTERM	 15
#define SIGCHLD	 17
#define SIGCONT	 18
#define SIGSTOP	 19
#define SIGTSTP	 20
#define SIGURG	 23
#define SIGWINCH 28
#define _NSIG	 64

/* clone's flags (Linux's values); the low byte is the signal the child's end sends. */
#define CSIGNAL		     0x000000ff
#define CLONE_VM	     0x00000100 /* share the address space */
#define CLONE_FS	     0x00000200 /* share the working directory */
#define CLONE_FILES	     0x00000400 /* share the file descriptor table */
#define CLONE_SIGHAND	     0x00000800 /* share signal handlers */
#define CLONE_PIDFD	     0x00001000
#define CLONE_PTRACE	     0x00002000
#define CLONE_VFORK	     0x00004000 /* the parent waits until the child execs or ends */
#define CLONE_PARENT	     0x00008000 /* the child's parent is the caller's parent */
#define CLONE_THREAD	     0x00010000 /* a thread of the caller's process */
#define CLONE_NEWNS	     0x00020000
#define CLONE_SYSVSEM	     0x00040000
#define CLONE_SETTLS	     0x00080000 /* the child's FS base is the tls argument */
#define CLONE_PARENT_SETTID  0x00100000 /* store the child's tid at parent_tid */
#define CLONE_CHILD_CLEARTID 0x00200000 /* zero child_tid and futex-wake it when the child ends */
#define CLONE_DETACHED	     0x00400000 /* ignored, as in Linux */
#define CLONE_UNTRACED	     0x00800000
#define CLONE_CHILD_SETTID   0x01000000 /* store the child's tid at child_tid, in the child */

/* wait4's status word, as Linux encodes it. */
#define W_EXITCODE(code, sig) (((code)&0xff) << 8 | ((sig)&0x7f))

enum process_state {
	PROCESS_ALIVE,
	PROCESS_ZOMBIE, /* every thread ended; waiting for wait4 or kernel_wait */
};

struct process {
	int pid;
	char comm[THREAD_NAME_LEN]; /* the program's name (execve's file name, basename) */
	enum process_state state;
	struct process *parent;	   /* NULL: the kernel started it, or its parent ended */
	bool kernel_child;	   /* started by process_spawn: kernel_wait collects it */
	struct list_head children; /* struct process.sibling */
	struct list_head sibling;
	struct list_head threads;  /* struct thread.proc_node */
	unsigned int nr_threads;   /* threads that have not ended */
	struct list_head all_node; /* on the list `ps` walks */

	bool exiting; /* every thread ends at its next return to ring 3 */
	int exit_status; /* wait4's status word, fixed by whoever set exiting */
	struct thread *exec_thread; /* execve's caller while it waits for the others to end */
	struct wait_queue_head child_exit;  /* wait4 of this process sleeps here */
	unsigned int child_events;	    /* children ended so far: wait4 sleeps until it moves */
	struct wait_queue_head thread_exit; /* execve waits here for the other threads */
	struct completion *vfork_done;	    /* CLONE_VFORK: the parent waits until exec or exit */
	uint64_t start_ns;
	uint64_t nr_signals_fatal; /* fatal signals received (kill, faults) */
	/* kernel/rlimit.c: its own limits once one was set (rlim_own), else the defaults; as
	   Linux's signal_struct.rlim, shared by the threads, copied by fork; tasklist_lock. */
	bool rlim_own;
	struct rlimit64 rlim[RLIM_NLIMITS];
	uint64_t exited_runtime_ns; /* of its threads that ended (Linux keeps it in signal_struct) */
	uint64_t exited_min_flt;
};

extern spinlock_t tasklist_lock;
extern struct list_head process_list;

/* The current thread's process, NULL in a kernel thread. */
static inline struct process *current_process(void)
{
	return current->proc;
}

/* True when the current thread must end: its process is being killed, or another thread of
   it is exec'ing. A killable sleep returns -EINTR, and the way back to ring 3 ends the thread. */
static inline bool fatal_signal_pending(void)
{
	struct process *p = current->proc;
	struct thread *exec;

	if (!p)
		return false;
	if (READ_ONCE(p->exiting))
		return true;
	exec = READ_ONCE(p->exec_thread);
	return exec && exec != current;
}

/*
 * Sleeps until cond is true, as wait_event, or until the process is being killed: 0, or -EINTR.
 * (Linux's wait_event_killable, here beside fatal_signal_pending.) The order: killable is set
 * before prepare_to_wait's full barrier, and signal_wake_up reads it after its own (the killer
 * sets exiting first), so either this sees exiting or the killer wakes it.
 */
#define wait_event_killable(wq, cond)                                                              \
	({                                                                                         \
		int __ret = 0;                                                                     \
		struct wait_queue_entry __w;                                                       \
		init_wait_entry(&__w);                                                             \
		current->killable = true;                                                          \
		for (;;) {                                                                         \
			prepare_to_wait(&(wq), &__w);                                              \
			if (cond)                                                                  \
				break;                                                             \
			if (fatal_signal_pending()) {                                              \
				__ret = -EINTR;                                                    \
				break;                                                             \
			}                                                                          \
			schedule();                                                                \
		}                                                                                  \
		current->killable = false;                                                         \
		finish_wait(&(wq), &__w);                                                          \
		__ret;                                                                             \
	})

/*
 * Starts the program at path in a new process with the given argument and environment
 * vectors (NULL-terminated, kernel strings), its standard input, output and error the
 * console. Returns its pid, or a negative errno (ENOENT, ENOEXEC, ENOMEM...) when it could not
 * start: the program is loaded before this returns. kernel_wait(pid) collects it.
 */
int process_spawn(const char *path, const char *const argv[], const char *const envp[]);
/* A process whose thread runs fn(arg) in the kernel, then (fn returned 0) goes to ring 3:
   its pid, or -ENOMEM. kernel_wait collects it. */
int user_mode_thread(int (*fn)(void *), void *arg, const char *name);

/* Waits for a process process_spawn started to end and frees it; returns its wait status, or
   -ECHILD. If interrupt is non-NULL it is called every 10 ms while waiting and its nonzero
   return kills the process with that signal (the shell's Ctrl-C). */
int kernel_wait(int pid, int (*interrupt)(void));

/* Marks p exiting with status (first caller wins) and wakes or pokes every thread of it. */
void process_kill(struct process *p, int status);
void __process_kill(struct process *p, int status); /* tasklist_lock held */
/* kill(2)'s core: sends sig to the process with pid; 0, -ESRCH, -EINVAL. */
int kill_pid(int pid, int sig);
/* A fault in ring 3 the kernel cannot resolve: prints Linux's "segfault at" line and kills the
   process with sig (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP). Called from the trap handler. */
void force_sig_fault(struct trap_frame *f, int sig, uint64_t addr);

/* Ends the current user thread; the last thread of a process ends the process with status.
   Never returns. */
__noreturn void do_exit(int status);
/* The current thread's process is exiting: end this thread with the process's status. */
__noreturn void do_exit_killed(void);

/* clone's core (kernel/fork.c): the child's tid or a negative errno. */
long kernel_clone(unsigned long flags, uint64_t newsp, uint64_t parent_tid, uint64_t child_tid,
		  uint64_t tls);
/* Frees a zombie that was waited for, or a process that never had a thread. */
void free_process(struct process *p);

/* The process with pid, or NULL; tasklist_lock held. */
struct process *find_process(int pid);

/* exec's part: make the current thread the process's only one (the others end). 0, or -EINTR
   when the process was killed meanwhile. */
int de_thread(void);
/* exec or exit of a CLONE_VFORK child: let the parent go on. */
void vfork_release(struct process *p);

/* The first trip of a new user thread to ring 3, at the frame at the top of its stack. */
__noreturn void ret_from_fork(void);

/* `torture syscalls --broken exit-keeps-files`: do_exit leaks the file table. */
extern bool exit_broken_keep_files;

/* The CPU time and page faults of the current thread's process, over its threads, ended ones
   included (getrusage, CLOCK_PROCESS_CPUTIME_ID); of the thread alone in a kernel thread. */
void process_usage(uint64_t *runtime_ns, uint64_t *min_flt);

/* What /proc shows of one process (kernel/process_info.c): a copy, taken under tasklist_lock. */
struct process_snapshot {
	int pid, ppid; /* ppid 0: no parent (the kernel started it, or it ended) */
	char comm[THREAD_NAME_LEN];
	bool zombie;  /* every thread ended, not yet waited for */
	bool running; /* one of its threads runs or is ready to run */
	unsigned int nr_threads;
	uint64_t start_ns; /* since boot */
	uint64_t runtime_ns, min_flt; /* over its threads, ended ones included */
};
int process_snapshot(int pid, struct process_snapshot *s);
int next_process_pid(int from);

/* For `ps` and the tests: processes alive or zombie. */
unsigned int nr_processes(void);

/* Boot: starts the reaper of ended user threads. */
void process_init(void);

#endif
