; The way into the kernel from a user program's `syscall`, and the way back out to ring 3.
;
; SYSCALL (Intel SDM vol. 2B, "SYSCALL") is not an interrupt: the CPU saves nothing on a stack.
; It puts the user's rip in rcx and rflags in r11, loads CS and SS from MSR_STAR, clears the
; rflags bits MSR_SYSCALL_MASK names (IF among them: we arrive with interrupts off) and jumps to
; MSR_LSTAR, still on the user's stack and with the user's GS base. So the first instructions
; here, before anything can touch memory through the user's registers:
;   swapgs                  GS base := this CPU's struct cpu (the user's goes to KERNEL_GS_BASE)
;   save rsp in %gs:24      (struct cpu's user_rsp)
;   rsp := %gs:16           (struct cpu's top_of_stack: this thread's kernel stack, as TSS.RSP0)
; Then it builds the same struct trap_frame an interrupt from ring 3 would (arch/x86_64/trap.h),
; with vector = TRAP_SYSCALL and error_code = the call's number (Linux's orig_ax), and calls the
; kernel's handler through syscall_handler (arch/ reaches the kernel only through pointers it
; registers). kernel/syscall.c's do_syscall_64 runs the call, leaves the result in the frame's
; rax, runs the exit work (a reschedule, a pending kill) and returns with interrupts off.
;
; Back to ring 3: SYSRET when the frame allows it (the handler returns 1: rip canonical, the
; user's own segments), else IRETQ. SYSRET reloads rip from rcx and rflags from r11, so they
; are taken from the frame last. The user's rcx and r11 are lost, as the ABI says.
;
; The offsets %gs:16 and %gs:24 are struct cpu's top_of_stack and user_rsp (kernel/percpu.h,
; checked there with BUILD_BUG_ON).

%include "arch/x86_64/trap_frame.inc"

%define PERCPU_TOP_OF_STACK 16
%define PERCPU_USER_RSP     24
%define GDT_USER_DS_RPL3    0x1b
%define GDT_USER_CS_RPL3    0x23
%define TRAP_SYSCALL        0x100       ; arch/x86_64/trap.h
%define TF_RIP              (17 * 8)

extern syscall_handler
extern trap_exit

section .text
global entry_SYSCALL_64
entry_SYSCALL_64:
	swapgs
	mov [gs:PERCPU_USER_RSP], rsp
	mov rsp, [gs:PERCPU_TOP_OF_STACK]
	push qword GDT_USER_DS_RPL3     ; ss
	push qword [gs:PERCPU_USER_RSP] ; rsp
	push r11                        ; rflags
	push qword GDT_USER_CS_RPL3     ; cs
	push rcx                        ; rip
	push rax                        ; error_code: the number (orig_ax)
	push qword TRAP_SYSCALL         ; vector
	PUSH_GPRS
	mov rdi, rsp                    ; argument: the struct trap_frame
	mov rax, [rsp + TF_RIP]         ; a frame record, as trap_common makes (backtraces)
	push rax
	push rbp
	mov rbp, rsp
	cld
	call [rel syscall_handler]
	add rsp, 16                     ; the frame record
	test eax, eax
	jz trap_exit                    ; IRETQ: trap_exit pops the frame and swaps GS back
	POP_GPRS
	mov rcx, [rsp + 16]             ; rip (after vector and error_code)
	mov r11, [rsp + 32]             ; rflags
	mov rsp, [rsp + 40]             ; the user's rsp: no kernel stack from here on
	swapgs
	o64 sysret

; void ret_to_user(struct trap_frame *f): the first return to ring 3 of a new thread or a new
; program. Interrupts must be off; f lies at the top of the thread's kernel stack.
global ret_to_user
ret_to_user:
	mov rsp, rdi
	jmp trap_exit
