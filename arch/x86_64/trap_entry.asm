; The way into the kernel for every exception and interrupt.
;
; When a vector fires in ring 0 the CPU (after switching to an IST stack if the gate asks for
; one) aligns RSP down to 16 bytes and pushes SS, RSP, RFLAGS, CS, RIP and, for some
; exceptions only, an error code. Each vector's stub below evens this out: it pushes a zero
; error code when the CPU did not push one, then the vector number, and jumps to trap_common,
; which saves the general registers so that the stack holds a struct trap_frame
; (arch/x86_64/trap.h), lowest address first:
;
;   r15 r14 r13 r12 r11 r10 r9 r8 rbp rdi rsi rdx rcx rbx rax vector error_code   (pushed here)
;   rip cs rflags rsp ss                                                         (by the CPU)
;
; Vectors with a CPU error code: 8 #DF, 10 #TS, 11 #NP, 12 #SS, 13 #GP, 14 #PF, 17 #AC, 21 #CP,
; 29 #VC, 30 #SX. (An "int N" instruction never pushes one, so "int 14" from software would
; give a frame shifted by 8 bytes: software interrupts use vectors 32 and up.)

%include "arch/x86_64/trap_frame.inc"

%define TF_RIP (17 * 8)                 ; offset of rip in struct trap_frame

extern trap_dispatch

section .text

%assign vector 0
%rep 256
align 16
trap_stub_ %+ vector:
%if vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 || \
	vector == 29 || vector == 30
	; the CPU pushed an error code
%else
	push qword 0
%endif
	push qword vector
	jmp trap_common
%assign vector vector + 1
%endrep

trap_common:
	; From ring 3 (the saved CS has RPL 3), GS base still holds the user's value: SWAPGS puts
	; this CPU's struct cpu back (kernel/percpu.h) before any C code reads %gs. trap_exit swaps
	; back on the way out to ring 3. An NMI that lands between trap_exit's SWAPGS and IRETQ (or
	; entry_SYSCALL_64's SWAPGS and SYSRET) would run with the user's GS base; our NMIs only
	; come at a panic (smp_stop, nmi_backtrace), and Linux's "paranoid" entry is not here.
	test qword [rsp + 24], 3        ; cs, above vector, error code and rip
	jz .from_kernel
	swapgs
.from_kernel:
	PUSH_GPRS
	mov rdi, rsp                    ; argument: the struct trap_frame

	; A frame record like the one every C function builds with "push rbp; mov rbp, rsp", but
	; made of the interrupted code's rbp and rip. A backtrace taken inside a handler walks
	; from the handler's frames through this record into the interrupted function and its
	; callers, as if that function had called the handler.
	mov rax, [rsp + TF_RIP]
	push rax
	push rbp
	mov rbp, rsp

	cld                             ; the C ABI wants the direction flag clear on entry
	call trap_dispatch
global trap_return
trap_return:
	add rsp, 16                     ; drop the frame record
; The frame on the stack, interrupts off: pop it and return to where it says (ret_to_user and
; entry_SYSCALL_64 jump here too).
global trap_exit
trap_exit:
	; A handler may have changed the frame (the exception table and fault_catch() resume
	; elsewhere by editing rip, rsp and the callee-saved registers): restore from it.
	POP_GPRS
	add rsp, 16                     ; vector and error code
	test qword [rsp + 8], 3         ; back to ring 3?
	jz .to_kernel
	swapgs
.to_kernel:
	iretq                           ; pops rip, cs, rflags, rsp, ss

; The stubs' addresses, for idt_init().
section .rodata
align 8
global trap_stubs
trap_stubs:
%assign vector 0
%rep 256
	dq trap_stub_ %+ vector
%assign vector vector + 1
%endrep
