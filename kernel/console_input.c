/*
 * Console input (see console_input.h): a ring buffer between the UART and its readers.
 *
 * The ring holds bytes ring[head % RING_SIZE] .. ring[(tail - 1) % RING_SIZE]; head and tail
 * only grow (unsigned wrap-around keeps tail - head right). input_lock guards them: the IRQ
 * handler takes it with interrupts already off, readers with spin_lock_irqsave. When the ring is
 * full a new byte is dropped and counted, but a Ctrl-C still sets ctrl_c_pending, so a command
 * can be stopped even while its input floods in.
 *
 * Lock order: input_lock is never held while taking another lock (the handler wakes readers
 * after releasing it).
 */
#include "kernel/process.h"
#include "kernel/console_input.h"
#include "kernel/irq.h"
#include "kernel/printk.h"
#include "kernel/locking/spinlock.h"
#include "kernel/sched/wait.h"
#include "kernel/sched/sleep.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/irq_vectors.h"
#include "arch/x86_64/serial.h"
#include "lib/errno.h"

#define RING_SIZE 4096 /* a power of two, so that % keeps working when head and tail wrap */
#define CTRL_C	  0x03

static uint8_t ring[RING_SIZE];
static unsigned head, tail;
static DEFINE_SPINLOCK(input_lock);
static bool irq_driven;
static bool ctrl_c_pending;
static uint64_t overruns;
static DEFINE_WAIT_QUEUE_HEAD(input_wait);

/* Moves every byte the UART holds into the ring. With input_lock held and interrupts off. */
static void drain_uart(void)
{
	int c;

	while ((c = serial_getc_nonblock()) >= 0) {
		if (c == CTRL_C)
			__atomic_store_n(&ctrl_c_pending, true, __ATOMIC_RELAXED);
		if (tail - head == RING_SIZE) {
			overruns++;
			continue;
		}
		ring[tail++ % RING_SIZE] = (uint8_t)c;
	}
}

/*
 * IRQ 4. Reading the UART until it is empty also lowers its interrupt line, so the next byte
 * makes a new edge for the I/O APIC. irq_dispatch sends the EOI.
 */
static void uart_interrupt(struct trap_frame *f)
{
	(void)f;
	spin_lock(&input_lock);
	drain_uart();
	spin_unlock(&input_lock);
	wake_up(&input_wait);
}

void console_input_init(void)
{
	int err = request_irq(COM1_IRQ, uart_interrupt, "serial");

	if (err) {
		pr_warn("console: no serial interrupt (%s); input is polled\n", errno_name(err));
		return;
	}
	irq_driven = true;
	serial_enable_rx_irq(); /* last: bytes already waiting raise the interrupt right away */
	pr_info("console: serial input by interrupt (IRQ %d, vector %#x)\n", COM1_IRQ,
		IRQ_BASE_VECTOR + COM1_IRQ);
}

bool console_input_irq_driven(void)
{
	return irq_driven;
}

int console_getc_nonblock(void)
{
	unsigned long flags;
	int c = -1;

	spin_lock_irqsave(&input_lock, flags);
	if (!irq_driven)
		drain_uart();
	if (head != tail) {
		c = ring[head++ % RING_SIZE];
		if (c == CTRL_C)
			__atomic_store_n(&ctrl_c_pending, false, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&input_lock, flags);
	return c;
}

/*
 * Returns once input may have arrived; the caller looks again. Interrupt-driven, the reader
 * sleeps on input_wait until the IRQ handler has put bytes in the ring (wait_event checks the
 * ring after queueing itself, so bytes that arrive in between are not missed). Polled, it
 * sleeps a tick and lets the caller poll the UART again.
 */
void console_wait_for_input(void)
{
	if (!irq_driven) {
		msleep(1);
		return;
	}
	wait_event(input_wait, READ_ONCE(head) != READ_ONCE(tail));
}

/* The same, for a user process's read: 0, or -EINTR when the process is being killed (the
   wait is killable: signal_wake_up wakes it). */
int console_wait_for_input_killable(void)
{
	if (!irq_driven) {
		msleep(1);
		return fatal_signal_pending() ? -EINTR : 0;
	}
	return wait_event_killable(input_wait, READ_ONCE(head) != READ_ONCE(tail));
}

int console_getc(void)
{
	int c;

	while ((c = console_getc_nonblock()) < 0)
		console_wait_for_input();
	return c;
}

bool console_interrupted(void)
{
	unsigned long flags;

	if (!irq_driven) {
		spin_lock_irqsave(&input_lock, flags);
		drain_uart();
		spin_unlock_irqrestore(&input_lock, flags);
	}
	return __atomic_exchange_n(&ctrl_c_pending, false, __ATOMIC_RELAXED);
}

void console_note_interrupt(void)
{
	__atomic_store_n(&ctrl_c_pending, true, __ATOMIC_RELAXED);
}

uint64_t console_input_overruns(void)
{
	return READ_ONCE(overruns);
}
