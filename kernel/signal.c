/*
 * Signals, as far as this kernel goes: a signal's default action, and the calls libc makes at
 * start-up and in pthread_create, accepted (Linux's kernel/signal.c).
 *
 * Only default actions happen. A signal whose default is to end the process (SIGKILL, SIGTERM,
 * SIGINT, SIGSEGV...) ends it, with the signal as its wait status; one whose default is to be
 * ignored (SIGCHLD, SIGCONT, SIGURG, SIGWINCH) or to stop the process (SIGSTOP, SIGTSTP,
 * SIGTTIN, SIGTTOU: there is no job control) does nothing. rt_sigaction records nothing:
 * a handler a program installs is never called, and the program is told its old action was
 * SIG_DFL. This is enough for programs that do not rely on handlers; the docs say so.
 */
#include "kernel/process.h"
#include "kernel/printk.h"
#include "kernel/syscall.h"
#include "kernel/tick.h"
#include "mm/uaccess.h"
#include "lib/errno.h"

/* Does the default action of sig end the process? */
static bool sig_fatal(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGCONT:
	case SIGURG:
	case SIGWINCH:
	case SIGSTOP:
	case SIGTSTP:
	case 21: /* SIGTTIN */
	case 22: /* SIGTTOU */
		return false;
	default:
		return true;
	}
}

/* Sends sig (1.._NSIG; 0 only asks whether p exists) to p; tasklist_lock held, so p cannot
   be freed meanwhile. A zombie takes no signal (Linux returns 0 for it too). */
static void send_sig_locked(struct process *p, int sig)
{
	if (sig && sig_fatal(sig) && p->state == PROCESS_ALIVE) {
		p->nr_signals_fatal++;
		__process_kill(p, W_EXITCODE(0, sig));
	}
}

int kill_pid(int pid, int sig)
{
	struct process *p;

	if (sig < 0 || sig > _NSIG)
		return -EINVAL;
	if (pid <= 0)
		return -ESRCH; /* process groups and "every process": none here */
	spin_lock(&tasklist_lock);
	p = find_process(pid);
	if (p)
		send_sig_locked(p, sig);
	spin_unlock(&tasklist_lock);
	return p ? 0 : -ESRCH;
}

/* The process the thread tid belongs to, or NULL; tasklist_lock held. */
static struct process *process_of_tid(int tid)
{
	struct process *p;
	struct thread *t;

	list_for_each_entry(p, &process_list, all_node)
		list_for_each_entry(t, &p->threads, proc_node)
			if (t->tid == tid)
				return p;
	return NULL;
}

static int kill_tid(int tgid, int tid, int sig)
{
	struct process *p;

	if (sig < 0 || sig > _NSIG || tid <= 0)
		return -EINVAL;
	spin_lock(&tasklist_lock);
	p = process_of_tid(tid);
	if (p && tgid > 0 && p->pid != tgid)
		p = NULL;
	if (p)
		send_sig_locked(p, sig); /* a fatal signal ends the whole process, as in Linux */
	spin_unlock(&tasklist_lock);
	return p ? 0 : -ESRCH;
}

SYSCALL_DEFINE2(kill, int, pid, int, sig)
{
	return kill_pid(pid, sig);
}

SYSCALL_DEFINE2(tkill, int, tid, int, sig)
{
	return kill_tid(0, tid, sig);
}

SYSCALL_DEFINE3(tgkill, int, tgid, int, tid, int, sig)
{
	if (tgid <= 0)
		return -EINVAL;
	return kill_tid(tgid, tid, sig);
}

/* struct kernel_sigaction on x86_64: handler, flags, restorer, mask (sigsetsize bytes). */
#define KERNEL_SIGACTION_SIZE 32

SYSCALL_DEFINE4(rt_sigaction, int, sig, const void __user *, act, void __user *, oact, size_t,
		sigsetsize)
{
	if (sigsetsize != 8 || sig < 1 || sig > _NSIG)
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (oact && clear_user(oact, KERNEL_SIGACTION_SIZE))
		return -EFAULT; /* SIG_DFL, no flags, empty mask */
	return 0;
}

#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

SYSCALL_DEFINE4(rt_sigprocmask, int, how, const uint64_t __user *, set, uint64_t __user *, oset,
		size_t, sigsetsize)
{
	uint64_t mask;

	if (sigsetsize != 8)
		return -EINVAL;
	if (set) {
		if (copy_from_user(&mask, set, sizeof(mask)))
			return -EFAULT;
		if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
			return -EINVAL;
	}
	if (oset && clear_user(oset, sizeof(mask)))
		return -EFAULT; /* nothing is ever blocked */
	return 0;
}

/* stack_t on x86_64: sp, flags (int, padded), size. */
#define STACK_T_SIZE 24
#define SS_DISABLE   2

SYSCALL_DEFINE2(sigaltstack, const void __user *, ss, void __user *, old_ss)
{
	if (ss) {
		char buf[STACK_T_SIZE];

		if (copy_from_user(buf, ss, sizeof(buf)))
			return -EFAULT;
	}
	if (old_ss) {
		uint32_t disabled = SS_DISABLE;

		if (clear_user(old_ss, STACK_T_SIZE) ||
		    copy_to_user((char __user *)old_ss + 8, &disabled, sizeof(disabled)))
			return -EFAULT;
	}
	return 0;
}

/* What trap a signal stands for, in the fault line. */
static const char *fault_kind(int sig)
{
	switch (sig) {
	case SIGSEGV:
		return "segfault";
	case SIGBUS:
		return "bus error";
	case SIGILL:
		return "invalid opcode";
	case SIGFPE:
		return "trap divide error";
	default:
		return "trap";
	}
}

/* At most FAULT_REPORT_BURST fault lines every FAULT_REPORT_TICKS, as Linux's
   printk_ratelimit keeps a crashing loop from flooding the console; the rest are counted. */
#define FAULT_REPORT_BURST 10
#define FAULT_REPORT_TICKS (5 * HZ)

static bool fault_report_allowed(void)
{
	static DEFINE_SPINLOCK(lock);
	static uint64_t window_start, printed, suppressed;
	bool ok;

	spin_lock(&lock);
	if (jiffies - window_start >= FAULT_REPORT_TICKS) {
		if (suppressed)
			pr_info("%llu fault reports suppressed\n", (unsigned long long)suppressed);
		window_start = jiffies;
		printed = suppressed = 0;
	}
	ok = printed < FAULT_REPORT_BURST;
	if (ok)
		printed++;
	else
		suppressed++;
	spin_unlock(&lock);
	return ok;
}

/*
 * A fault in ring 3 that the kernel does not resolve: report it as Linux does ("prog[pid]:
 * segfault at ADDR ip IP sp SP error CODE", rate-limited) and end the process with sig. The
 * thread ends on its way back to ring 3 (kernel/entry.c).
 */
void force_sig_fault(struct trap_frame *f, int sig, uint64_t addr)
{
	struct process *p = current->proc;

	if (!p)
		return;
	if (fault_report_allowed())
		pr_info("%s[%d]: %s at %llx ip %016llx sp %016llx error %llx\n", p->comm, p->pid,
			fault_kind(sig), (unsigned long long)addr, (unsigned long long)f->rip,
			(unsigned long long)f->rsp, (unsigned long long)f->error_code);
	spin_lock(&tasklist_lock);
	send_sig_locked(p, sig);
	spin_unlock(&tasklist_lock);
}
