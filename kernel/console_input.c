/*
 * Console input (see console_input.h): a ring buffer between the UART and its readers.
 *
 * The ring holds bytes ring[head % RING_SIZE] .. ring[(tail - 1) % RING_SIZE]; head and tail
 * only grow (unsigned wrap-around keeps tail - head right). input_lock guards them: the IRQ
 * handler takes it with interrupts already off, readers with spin_lock_irqsave. When the ring is
 * full a new byte is dropped and counted, but a Ctrl-C still sets ctrl_c_pending, so a command
 * can be stopped even while its input floods in.
 */
#include "kernel/console_input.h"
#include "kernel/irq.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
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
}

void console_input_init(void)
{
	int err = -ENODEV; (void)uart_interrupt;

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
 * Returns once input may have arrived; the caller looks again. The only place a reader waits,
 * so that a wait queue can replace it. Interrupt-driven: the ring is checked with interrupts
 * off, and STI takes effect only after the instruction that follows it, so an interrupt that
 * fills the ring after the check wakes the HLT instead of slipping in before it. The IRQ goes
 * to CPU 0; a reader on another CPU sleeps until its own next timer tick (at most 1/HZ).
 */
static void console_wait_for_input(void)
{
	if (!irq_driven) {
		cpu_relax();
		return;
	}
	local_irq_disable();
	if (READ_ONCE(head) == READ_ONCE(tail))
		__asm__ __volatile__("sti; hlt" ::: "memory");
	else
		local_irq_enable();
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

uint64_t console_input_overruns(void)
{
	return READ_ONCE(overruns);
}
