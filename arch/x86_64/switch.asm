; switch_stack: the only place where one kernel thread stops running and another starts.
;
; A sleeping thread is nothing but its kernel stack: its registers were pushed there and the
; stack pointer was saved in its struct thread. The System V ABI lets a called function clobber
; rax, rcx, rdx, rsi, rdi, r8-r11, so only the callee-saved registers (rbx, rbp, r12-r15) need
; saving; the return address is already on the stack from the call. RFLAGS is not saved: the
; scheduler always switches with interrupts disabled, and each thread restores its own IF.
;
; Stack of a switched-out thread, from its saved rsp upwards:
;   r15 r14 r13 r12 rbx rbp <return address into the scheduler>
; rbp sits just below the return address, so [rsp+40] and [rsp+48] form an ordinary frame
; record: a debugger (tools/gdb/kernel.gdb, "tbt") backtraces a sleeping thread from there.
;
; void switch_stack(uint64_t *save_rsp, uint64_t new_rsp)
;   rdi: where to store the old thread's rsp; rsi: the new thread's saved rsp.

section .text
global switch_stack
switch_stack:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	mov [rdi], rsp
	mov rsp, rsi
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

; The first instruction a new thread runs. switch_stack's "ret" lands here; thread_start_frame
; (kernel/sched/core.c) left the entry function in r12 and its argument in r13 (callee-saved
; registers restored by the pops above). A zero return address ends backtraces here.
global thread_trampoline
thread_trampoline:
	mov rdi, r13
	push 0
	push 0
	mov rbp, rsp
	call r12
	ud2                             ; the entry function never returns
