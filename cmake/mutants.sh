#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Mutation test of lstar's entry and exit code: does the test suite notice when one
# safety-relevant instruction or bit is taken out?
#
# The mutants live in the source as markers, so they follow the code through refactoring:
#
#   swapgs                  ; GS base <- ... [mutant swapgs-lstar-entry: delete]
#   ; [mutant paranoid-gs-never-swap: js -> jmp]
#   js .have_kernel_gs      ; bit 63 set: already the kernel's
#   idt_set_gate(VEC_NMI, ..., IST_NMI); // [mutant ist-nmi: IST_NMI -> 0]
#
# A marker is `[mutant NAME: ACTION]` inside a comment (`;` in NASM, `//` in C). It acts on the
# line it ends, or, on a line of its own, on the next line that holds code (several markers may
# stand above one line). NAME is [a-z0-9-]+ and unique. ACTION is one of
#   delete          remove the line
#   OLD -> NEW      replace OLD, which must occur exactly once in the line's code (the part
#                   before the comment), by NEW; either may be "quoted" (spaces, or "" for none)
#   swap-next       exchange the line with the next line that holds code
# The CTest tests that should kill each mutant are the table KILLERS below; every run adds
# DEFAULT_TESTS to them.
#
# For each mutant, in a copy of the tree with one build directory reused: apply, rebuild, check
# that the mutated object really changed, run the tests, restore. Each failed test is a kill of a
# KIND read from its own output (assertion, pin, timeout: "what a kill means" below); a timeout is
# rerun once, and a rerun that passes makes it a flake, not a kill. Slow (44 minutes for 54
# mutants on the 2-core development machine, before timeouts were rerun), so it is a target of
# its own (`cmake --build build --target mutants`), never a CTest test. docs/testing.md says what
# each survivor means; docs/reliability.md holds the last table.
set -euo pipefail
export LC_ALL=C

# The whole script is one block, read before any of it runs: editing this file (or moving the
# tree under it) while a run goes on cannot derail that run.
{
usage() {
  cat <<'EOF'
Usage: mutants.sh [options]

Mutation test of the syscall/int 0x80 entries, exits, trap stubs, MSR and IDT setup, user-pointer
checks and the pieces that keep CPUs apart (getcpu, the APs' NMI pin and timer, console, panic, the spinlock and its watchdog, the slot share, the hard-lockup watchdog): each `[mutant NAME: ACTION]` marker under src/ is applied alone to a copy of the tree,
the kernel rebuilt, and the tests in its KILLERS entry (plus boot_bios_ktest and selftest_cpu_max)
run. Each kill gets a kind from the killing test's output: assertion (a named expectation or
check failed), pin (only a quoted value changed), timeout (the run hung; rerun once to confirm)
or unknown. Prints `mutant | killed by (kind of each kill) | kind | result` and `mutants: K killed
(A by an assertion, P only by a pin, T only by a timeout), S survived of N`, then the mutants that
have no assertion kill without a reason in NO_ASSERTION_POSSIBLE.

  --list               list the markers (where, what, which tests) and exit
  --only NAME[,NAME]   run only these mutants (repeatable)
  --work DIR           scratch directory: the tree's copy, its build, the logs
                       (default: /tmp/lstar-mutants; kept between runs, so rebuilds are incremental)
  --jobs N             parallel build jobs and CTest tests (default: 2)
  --update-docs        after a run of every mutant, write its table into the marked block of
                       docs/reliability.md (the one file of the real tree this script writes)
  --docs-from-last-run write the last complete run's table into docs/reliability.md, run nothing
                       (refuses a run recorded without the kind of each kill)
  --classify TEST STATUS FILE
                       print the kind of a failed test's kill and the reason that decided it
                       (STATUS: what CTest said, Failed or Timeout; FILE: what the test printed),
                       run nothing
  -h, --help           this text

Never touches the real tree otherwise. Refuses to start when a marker does not apply exactly,
when the unmutated copy does not build, or when one of the tests fails on it (a mutant would be
"killed" by a failure it did not cause). Ctrl-C restores the mutated file and stops.
Exit status: 0 the run completed (survivors are results, not errors), 1 refused or failed,
2 usage error, 130 interrupted.
EOF
}

# ---- which tests should kill which mutant ----
# Regexes for `ctest -R`, anchored as a whole: ^(DEFAULT_TESTS|entry)$.
readonly DEFAULT_TESTS='boot_bios_ktest|selftest_cpu_max'
readonly T_SELF='selftest_cpu_skylake|selftest_cpu_without_smep_smap'
readonly T_FUZZ='syscall_fuzzer_finds_nothing'
readonly T_TOUR='gdb_tour_of_both_entry_paths'
readonly T_STEP='single_step_in_an_entry_window_is_absorbed'
readonly T_SS='sysretq_after_an_interrupt_entry_has_a_real_ss'
readonly T_EXIT_RIP='sysret_exit_sends_an_untrusted_return_rip_to_iretq'
readonly T_EXIT_FLAGS='sysret_exit_sends_rflags_it_cannot_restore_to_iretq'
readonly T_EXIT_SEL='sysret_exit_sends_foreign_selectors_to_iretq'
readonly T_SWEEP='every_boundary_of_the_entry_windows_survives_an_nmi_and_a_machine_check'
# nmi_storm_is_every_one_accounted_for and machine_check_in_ring3_stops_only_that_program_every_time
# are left out: on a loaded host each failed without any mutant (NMIs counted short; an injection
# landing in ring 0), which would count as kills. The window sweep covers what they would see.
readonly T_NMI='nmi_during_syscalls_is_harmless'
readonly T_MCE='machine_check_is_reported_not_a_shutdown|machine_check_srao_in_ring3_stops_the_program'
readonly T_FAULTS='user_faults_are_reported_and_kernel_goes_on|endless_program_is_stopped_by_its_time_limit'
readonly T_MSR='msr_values_match_docs|every_cpu_programs_and_checks_its_syscall_msrs'
readonly T_DF='kernel_stack_overflow_is_a_reported_double_fault'
readonly T_BOCHS='bochs_selftest_skylake|bochs_selftest_ryzen'
readonly T_SMP_PLACED='programs_run_on_the_cpu_they_are_placed_on'
readonly T_SMP_STRESS='stress_on_every_cpu_keeps_per_cpu_checksums'
readonly T_SMP_NMI='nmis_reach_every_cpu_while_programs_run'
readonly T_SMP_LIMIT='time_limit_on_one_cpu_stops_only_its_program'
readonly T_SMP_PANIC='the_first_panic_wins_and_stops_every_cpu'
readonly T_DEADLOCK='a_deadlocked_spinlock_ends_in_a_panic_report'
readonly T_SLOTS='a_program_that_spawns_without_end_uses_only_its_cpus_slots'
readonly T_LOCKS='frames_and_spinlocks_hold_with_every_cpu_at_once|every_cpu_programs_and_checks_its_syscall_msrs'
readonly T_VERDICT='a_program_cannot_forge_the_verdict_of_a_qemu_run'
readonly T_EXC='machine_check_broadcast_while_a_cpu_prints_never_waits|machine_check_while_every_cpu_prints_never_waits'
readonly T_LOCKUP='a_hard_lockup_on_an_ap_ends_in_its_own_panic_report|a_hard_lockup_on_the_boot_cpu_is_caught_by_the_next_cpu|bochs_hard_lockup_on_an_ap_ends_in_its_own_panic_report'
readonly T_PARKED='parked_cpus_are_not_taken_for_hung'
readonly T_TRACE='trace_shows_each_call_through_both_entries_and_a_summary'
readonly T_CALLGATE_IRQ='gdb_irq_at_the_call_gate_entry_finds_the_kernels_gs'
readonly T_CALLGATE_TRACE='trace_names_the_call_gate_and_compatibility_mode_entries'
readonly T_CALLGATE_EXIT='gdb_call_gate_exit_sends_what_lretq_cannot_restore_to_iretq'
readonly T_SE='sysenter_is_programmed_and_used_on_intel'
readonly T_SE_GDB='sysexit_exit_sends_frames_it_cannot_restore_to_iretq'
readonly T_SE_TRACE='sysenter_calls_are_traced_as_sysenter'
readonly T_SE_BOCHS='bochs_sysenter_is_programmed_and_used_skylake|bochs_sysenter_to_a_noncanonical_rip_is_refused_by_iretq_skylake'
readonly T_SE32='compat_sysenter_selftest_checks_pass_on_intel'
readonly T_SE32_GDB='sysexit32_exit_sends_frames_it_cannot_restore_to_iretq'
readonly T_SE32_TRACE='compat_sysenter_calls_are_traced_as_compat_sysenter'
readonly T_SE32_TF='compat_sysenter_with_tf_gives_exactly_one_user_trap_on_intel'
# tests/qemu/mitigations.cmake: the hardened copies under the selftest and the self-checks of
# every site (ktest_mitigations.c), on an AMD and an Intel model; the list that turns on retpoline
readonly T_HARD='mitigations_all_selftest_cpu_max|mitigations_all_selftest_cpu_skylake'
readonly T_HARD_LIST='mitigations_list_turns_on_exactly_the_listed'
readonly T_HARD_BOCHS='bochs_mitigations_all_tigerlake|bochs_mitigations_auto_tigerlake'
readonly T_PTI_SELF='pti_selftest_cpu_skylake'
readonly T_PTI_GDB='pti_cr3_at_every_entry_and_exit_under_gdb'
readonly T_PTI_NMI='pti_nmi_during_syscalls_is_harmless|pti_machine_check_srao_in_ring3_stops_the_program'
readonly T_PTI_KTEST='pti_user_tables_map_only_the_entry_set'
declare -A KILLERS=(
  # src/syscall/callgate_entry.asm, compat_entry.asm, compat_abi.inc; the call-gate compare in
  # trap_stubs.asm and the compatibility-mode check in int80_entry (lstar_entry.asm).
  # selftest_cpu_max (run for every mutant) reaches CSTAR; Skylake-Client's selftest states it.
  [swapgs-callgate-entry]="$T_SELF"
  [callgate-fix-flags]="$T_SELF"
  [trace-work-callgate]="$T_CALLGATE_TRACE"
  [callgate-bounds-check]="$T_SELF"
  [swapgs-callgate-exit]="$T_SELF"
  [callgate-sti]="$T_SELF"
  [callgate-irq-gs]="$T_CALLGATE_IRQ"
  [callgate-rip-limit]="$T_CALLGATE_EXIT"
  [callgate-cs]="$T_CALLGATE_EXIT"
  [callgate-ss]="$T_CALLGATE_EXIT"
  [callgate-tf-rf]="$T_CALLGATE_EXIT"
  [compat-int80-detect]="$T_SELF"
  [compat-int80-bounds-check]="$T_SELF"
  [compat-int80-restore]="$T_SELF"
  [swapgs-cstar-entry]="$T_SELF"
  [trace-work-cstar]="$T_CALLGATE_TRACE"
  [compat-syscall-bounds-check]="$T_SELF"
  [compat-syscall-restore]="$T_SELF"
  [cstar-rcx-is-rip]="$T_SELF"
  [swapgs-cstar-exit]="$T_SELF"
  # the protections' sites (docs/hardening.md): lstar_entry.asm, trap_stubs.asm,
  # context_switch.asm, user_copy.c, mitigations.c
  [fence-lstar-entry]="$T_HARD"
  [fence-int80-user]="$T_HARD"
  [fence-int80-kernel]="$T_HARD"
  [fence-trap-common-user]="$T_HARD"
  [fence-trap-common-kernel]="$T_HARD"
  [fence-trap-paranoid]="$T_HARD"
  [clear-regs-rbx]="$T_HARD"
  [ibrs-entry]="$T_HARD"
  [ibrs-exit]="$T_HARD"
  [direct-dispatch-call]="$T_HARD"
  [retpoline-call]="$T_HARD|$T_HARD_LIST"
  [verw-sysret]="$T_HARD"
  [verw-iret]="$T_HARD"
  [verw-first-entry]="$T_HARD"
  # the one-copy entries' sites (sysenter_entry.asm, callgate_entry.asm, compat_entry.asm): the
  # mitigations ktest counts 10 fences and 7 VERW sites and finds each one's instruction
  [fence-sysenter-entry]="$T_HARD"
  [fence-callgate-entry]="$T_HARD"
  [fence-cstar-entry]="$T_HARD"
  [verw-sysexit]="$T_HARD"
  [fence-sysenter32-entry]="$T_HARD"
  [verw-sysexit32]="$T_HARD"
  [verw-callgate-exit]="$T_HARD"
  [verw-cstar-exit]="$T_HARD"
  [rsb-fill-call]="$T_HARD"
  [user-mask-and]="$T_HARD"
  [ibpb-write]="$T_HARD"
  [eibrs-once]="$T_HARD_BOCHS"
  # src/syscall/lstar_entry.asm: 1. the `syscall` entry
  [swapgs-lstar-entry]="$T_SELF|$T_FUZZ|$T_TOUR"
  [stack-switch-order]="$T_SELF|$T_FUZZ|$T_TOUR|$T_NMI|$T_SWEEP"
  #   2. the `int 0x80` entry
  [swapgs-int80-entry]="$T_SELF|$T_FUZZ|$T_TOUR"
  [int80-ss-reload]="$T_SELF|$T_SS|$T_BOCHS"
  [clac-int80]="$T_SELF|$T_FUZZ"
  [cld-int80]="$T_SELF|$T_FUZZ"
  #   the work test of each entry, which sends a traced process's calls to the slow path
  [trace-work-lstar]="$T_TRACE"
  [trace-work-int80]="$T_TRACE"
  #   3. the shared dispatch
  [bounds-check]="$T_SELF|$T_FUZZ"
  [speculation-clamp]="$T_SELF|$T_FUZZ"
  #   4. the shared exit: checks 1 to 4 (docs/msr.md), then the swapgs of each way out
  [sysret-rcx-is-rip]="$T_SELF|$T_FUZZ|$T_TOUR|$T_SS|$T_EXIT_RIP"
  [sysret-r11-is-rflags]="$T_SELF|$T_FUZZ|$T_TOUR|$T_EXIT_FLAGS"
  [sysret-tf]="$T_SELF|$T_STEP|$T_EXIT_FLAGS|$T_BOCHS"
  [sysret-rf]="$T_SELF|$T_STEP|$T_EXIT_FLAGS"
  [sysret-canonical-limit]="$T_SELF|$T_FUZZ|$T_EXIT_RIP"
  [sysret-cs]="$T_SELF|$T_FUZZ|$T_TOUR|$T_SS|$T_EXIT_SEL"
  [sysret-ss]="$T_SELF|$T_FUZZ|$T_TOUR|$T_SS|$T_EXIT_SEL"
  [swapgs-sysret-exit]="$T_SELF|$T_FUZZ|$T_TOUR"
  [swapgs-iret-exit]="$T_SELF|$T_FUZZ|$T_TOUR"
  # src/syscall/sysenter_entry.asm: the entry, its flags, the work test, the dispatch
  [swapgs-sysenter-entry]="$T_SE|selftest_cpu_skylake"
  [sysenter-entry-flags]="$T_SE|selftest_cpu_skylake"
  [trace-work-sysenter]="$T_SE_TRACE"
  [sysenter-bounds-check]="$T_SE|selftest_cpu_skylake"
  #   the sysexitq exit's checks, its flags and its swapgs
  [sysexit-cs]="$T_SE_GDB"
  [sysexit-ss]="$T_SE_GDB"
  [sysexit-tf]="$T_SE|$T_SE_GDB"
  [sysexit-if]="$T_SE_GDB"
  [sysexit-rip-canonical]="$T_SE_GDB|$T_SE_BOCHS"
  [sysexit-rcx-is-rsp]="$T_SE|$T_SE_GDB"
  [sysexit-rsp-canonical]="$T_SE_GDB|$T_SE_BOCHS"
  [sysexit-popfq]="$T_SE|selftest_cpu_skylake"
  [swapgs-sysexit]="$T_SE|selftest_cpu_skylake"
  # src/arch/x86_64/syscall_msr.c, debug_trap.c: SYSENTER_CS, and the user's TF kept in the stub
  [sysenter-cs]="$T_SE|gdb_tour_of_a_sysenter_call"
  [sysenter-tf-kept]="$T_SE"
  # src/syscall/sysenter_entry.asm part 6: `sysenter` from compatibility mode (sysenter32_entry)
  [swapgs-sysenter32-entry]="$T_SE32"
  # without it the frame's RIP keeps EDI's undefined upper half and the call leaves by iretq, which
  # both emulators take back to compatibility mode: only the GDB test's frame check sees it
  [sysenter32-zero-extend]="$T_SE32|$T_SE32_GDB"
  [sysenter32-entry-flags]="$T_SE32|$T_SE32_TF"
  [trace-work-sysenter32]="$T_SE32_TRACE"
  [sysenter32-bounds-check]="$T_SE32"
  [sysenter32-restore]="$T_SE32"
  [sysexit32-cs]="$T_SE32_GDB"
  [sysexit32-ss]="$T_SE32_GDB"
  [sysexit32-tf]="$T_SE32_GDB|$T_SE32_TF"
  [sysexit32-if]="$T_SE32_GDB"
  [sysexit32-rip-limit]="$T_SE32_GDB"
  [sysexit32-rcx-is-rsp]="$T_SE32|$T_SE32_GDB"
  [sysexit32-rsp-limit]="$T_SE32_GDB"
  [sysexit32-popfq]="$T_SE32"
  [swapgs-sysexit32]="$T_SE32"
  # process.c, sys_bench.c, debug_trap.c: the per-process target, its restore, TF kept in the stub
  [sysenter-abi-switch]="$T_SE32"
  [restore-sysenter-abi]="$T_SE32"
  [sysenter32-tf-kept]="$T_SE32_TF"
  # src/arch/x86_64/trap_stubs.asm
  [refused-iret-gs]="$T_SELF|$T_FAULTS|$T_EXIT_RIP|$T_EXIT_SEL"
  [swapgs-trap-common-in]="$T_SELF|$T_FAULTS|$T_FUZZ"
  [cld-trap-common]="$T_SELF|$T_FAULTS|$T_FUZZ|$T_NMI"
  [clac-trap-common]="$T_SELF|$T_FAULTS|$T_FUZZ"
  [swapgs-trap-common-out]="$T_SELF|$T_FAULTS|$T_FUZZ"
  [cld-trap-paranoid]="$T_SELF|$T_NMI|$T_MCE|$T_STEP|$T_SWEEP"
  [clac-trap-paranoid]="$T_SELF|$T_NMI|$T_MCE|$T_STEP|$T_SWEEP"
  [paranoid-gs-always-swap]="$T_SELF|$T_NMI|$T_MCE|$T_STEP|$T_SWEEP|$T_DF"
  [paranoid-gs-never-swap]="$T_SELF|$T_NMI|$T_MCE|$T_STEP|$T_SWEEP"
  [swapgs-trap-paranoid-in]="$T_SELF|$T_NMI|$T_MCE|$T_STEP|$T_SWEEP"
  [swapgs-trap-paranoid-out]="$T_SELF|$T_NMI|$T_MCE|$T_STEP|$T_SWEEP"
  # src/arch/x86_64/idt.c
  [ist-nmi]="$T_NMI|$T_SWEEP"
  [ist-df]="$T_DF"
  [ist-mc]="$T_MCE|$T_SWEEP"
  [ist-db]="$T_SELF|$T_STEP"
  # src/arch/x86_64/syscall_msr.c: each takes one bit out of the FMASK value written and checked
  [fmask-tf]="$T_MSR|$T_SELF|$T_STEP"
  [fmask-if]="$T_MSR|$T_SELF|$T_FUZZ|$T_NMI"
  [fmask-df]="$T_MSR|$T_SELF|$T_FUZZ|$T_BOCHS"
  [fmask-nt]="$T_MSR|$T_SELF|$T_FUZZ"
  [fmask-ac]="$T_MSR|$T_SELF|$T_FUZZ"
  # src/arch/x86_64/user_copy.c, src/syscall/sys_write.c
  [user-range-null-page]="$T_SELF|$T_FUZZ"
  [user-range-wrap]="$T_SELF|$T_FUZZ"
  [user-range-ceiling]="$T_SELF|$T_FUZZ"
  [user-range-first-page-only]="$T_SELF|$T_FUZZ"
  [user-range-user-bit]="$T_SELF|$T_FUZZ"
  [user-range-writable]="$T_SELF|$T_FUZZ"
  [copy-clac]="$T_SELF|$T_FUZZ"
  [string-page-recheck]="$T_SELF|$T_FUZZ"
  [write-whole-range]="$T_SELF|$T_FUZZ"
  # ring 3 on every CPU: sys_basic.c, smp.c, console.c, panic.c
  [getcpu-reads-gs]="$T_SMP_PLACED|$T_SMP_STRESS"
  [ap-lint1-nmi]="$T_SMP_NMI"
  # src/arch/x86_64/control_regs.c
  [cr4-whole-value]="cr4_bits_a_loader_left_are_cleared_before_ring3_runs"
  # src/core/program_output.c
  [program-lines-marked]="$T_VERDICT"
  [program-output-escaped]="$T_VERDICT"
  [ap-timer]="$T_SMP_LIMIT|frames_and_spinlocks_hold_with_every_cpu_at_once"
  [console-whole-lines]="$T_SMP_PLACED|$T_SMP_STRESS"
  [panic-first-wins]="$T_SMP_PANIC"
  # src/core/spinlock.h, src/core/process.c, src/core/spinlock.c
  [spinlock-excludes]="$T_LOCKS|$T_SMP_PLACED|$T_SMP_STRESS"
  [slot-share]="$T_SLOTS"
  [spinlock-watchdog]="$T_DEADLOCK"
  # src/core/console.c: NMI, #MC and #DB handlers record instead of taking the console lock
  [exception-context-records]="$T_EXC"
  # src/arch/x86_64/watchdog.c, smp.c: the hard-lockup watchdog
  [watchdog-check]="$T_LOCKUP"
  [watchdog-nmi]="$T_LOCKUP"
  [watchdog-park]="$T_PARKED"
  # src/arch/x86_64/pti.inc, pti.c, paging.c: page-table isolation (tests/qemu/pti.cmake)
  [pti-syscall-enter-cr3]="$T_PTI_SELF|$T_PTI_GDB"
  [pti-gate-enter-cr3]="$T_PTI_SELF|$T_PTI_GDB"
  [pti-trap-enter-cr3]="$T_PTI_SELF"
  [pti-sysret-exit-cr3]="$T_PTI_GDB"
  [pti-iret-exit-cr3]="$T_PTI_GDB"
  [pti-paranoid-enter-cr3]="$T_PTI_GDB|$T_PTI_NMI"
  [pti-callgate-enter-cr3]="$T_PTI_SELF|$T_PTI_GDB"
  [pti-lret-exit-cr3]="$T_PTI_GDB"
  [pti-sysexit-exit-cr3]="pti_cr3_on_the_sysenter_path_under_gdb"
  [compat-int80-hardened-exit]="$T_PTI_GDB"
  [pti-entry-set-filter]="$T_PTI_KTEST|$T_PTI_SELF"
  [pti-mirror-user-pml4]="$T_PTI_KTEST|$T_PTI_SELF"
)

# ---- what a kill means ----
# A killing test failed; its output says why, and the reason decides the kill's KIND:
#   assertion  a named expectation or check failed: an --expect regex not found, a --reject line
#              found, a GDB check that failed, an injection count off, a wrong exit code from
#              the kernel itself (35 tests failed, 37 panic, an unexpected success) or a crash the
#              runner names (CPU reset or triple fault, Bochs stopping the guest)
#   pin        every reason is a value pin (PINS below): a line quoting a value the docs quote
#              was missing. The mutant changed a number the tests hold fixed, which says that
#              the number moved, not that anything broke
#   timeout    the run hung: the runner's "guest hung" (qemu-run.sh exit 124, bochs-run.sh "no
#              end within"), a failure that missed --fail-fast, or CTest's own timeout
#   unknown    the test failed, but its output gives no reason this script can read (QEMU or
#              Bochs failing by themselves, a test that prints no runner verdict)
# A test's kind is the best of its reasons' (assertion > pin > timeout > unknown); a GDB check
# that never ran, or an injection that never happened, only follows from a hang when the run
# hung, so those count as assertions only in a run that did not hang. A mutant's kind is the
# best kind among its killers.
readonly -a KIND_ORDER=(unknown timeout pin assertion)

# PINS[TEST]=ERE: the failure reasons of TEST that are value pins. Only the lines quoting an MSR's
# value are pins: each test also expects the kernel's own read-back ("[msr] cpuN self-check: 7
# passed, 0 failed", which compares every MSR with what was meant to be written) and the
# selftest's verdict, and a missing one of those is an assertion.
#   msr_values_match_docs: each line of tests/expected/msr.txt (the values docs/msr.md quotes)
#     and LSTAR's range must appear in the boot log.
#   every_cpu_programs_and_checks_its_syscall_msrs: cpu1's STAR and cpu3's FMASK as numbers.
# The docs tests (label docs) quote the build's output too, but never kill: every mutant changes
# what they quote, so they are refused as killers below.
readonly PIN_MSR_VALUE='^expected line not found: \^\\\[msr\\\] cpu[0-9]+ [A-Z_]+='
declare -A PINS=(
  [msr_values_match_docs]=$PIN_MSR_VALUE
  [every_cpu_programs_and_checks_its_syscall_msrs]=$PIN_MSR_VALUE
)

# Every mutant must be killed by an assertion: a test that names what went wrong. The mutants
# below cannot be, for the reason given; the run reports any other mutant without an assertion
# kill (docs/reliability.md, "What a kill means").
declare -A NO_ASSERTION_POSSIBLE=(
  [speculation-clamp]="architecturally a no-op (RAX is already below SYS_NR where the and runs); it matters only to a CPU that speculates past the jae, and neither QEMU's TCG nor Bochs speculates"
  [ibpb-write]="no CPU model of QEMU 7.2's TCG offers IBPB (QEMU keeps spec-ctrl for KVM); Bochs's tigerlake does and runs the write, but IA32_PRED_CMD is write-only and a barrier leaves nothing an emulator shows; docs/hardening.md says so"
  [spinlock-watchdog]="the watchdog is what turns a deadlock into a report; without it a deadlock is only a hang, and nothing else in the kernel can name it"
)

# kind_rank KIND: its place in KIND_ORDER (higher is better).
kind_rank() {
  local i
  for i in "${!KIND_ORDER[@]}"; do
    [[ ${KIND_ORDER[i]} == "$1" ]] && { echo "$i"; return; }
  done
  echo -1
}

# better_kind A B: the better of two kinds (either may be empty).
better_kind() {
  if [[ -z $1 ]]; then echo "$2"; elif [[ -z $2 ]]; then echo "$1"
  elif [[ $(kind_rank "$1") -ge $(kind_rank "$2") ]]; then echo "$1"; else echo "$2"; fi
}

# test_reasons OUTPUT: the failure reasons in a test's output (what CTest captured), one a line:
# SOURCE<TAB>TEXT. SOURCE is
#   run          the boot runner's verdict: the last "[run] FAIL: ..." (qemu-run.sh, bochs-run.sh;
#                gdb-test.sh and monitor-inject.sh repeat the run's last lines) and the
#                "[run] also: ..." lines just before it; none when a "[run] PASS" follows it
#   gdb-fail     "N [gdb] FAIL check: ..." (gdb-test.sh counts the GDB script's lines)
#   gdb-count    "[gdb] check 'NAME' passed N time(s)": a check that ran too often or not at all
#   inject-fail  "[inject] FAIL: ..." (monitor-inject.sh), but for
#   inject-none  "[inject] FAIL: nothing injected ...": the guest never reached the line to inject at
# The guest's own lines come before the verdict, so one that merely looks like a verdict is
# passed over (and ring-3 lines carry their program's name in front).
test_reasons() {
  awk '
    /^\[run\] also: / { also[++na] = substr($0, 13); next }
    /^\[run\] FAIL: / {
      nrun = 0
      for (i = 1; i <= na; i++) run[++nrun] = also[i]
      run[++nrun] = substr($0, 13); na = 0; next
    }
    /^\[run\] PASS/ { nrun = 0; na = 0; next }
    { na = 0 }
    /^ *[0-9]+ \[gdb\] FAIL / { sub(/^ *[0-9]+ \[gdb\] FAIL /, ""); other[++no] = "gdb-fail\t" $0; next }
    /^\[gdb\] check .* passed [0-9]+ time\(s\)$/ { other[++no] = "gdb-count\t" substr($0, 7); next }
    /^\[inject\] FAIL: nothing injected/ { other[++no] = "inject-none\t" substr($0, 16); next }
    /^\[inject\] FAIL: / { other[++no] = "inject-fail\t" substr($0, 16); next }
    # A check script of the suite after its boot (trace-lines.sh, boots-in-a-row.sh, the screen
    # and verdict checks): a named check that failed, unless the boot it read hung.
    /^(\[(boots|screen)\] FAIL: |FAIL: |[a-z0-9_.-]+\.sh: .*(expected|missing))/ { other[++no] = "check-fail\t" $0; next }
    END {
      for (i = 1; i <= nrun; i++) print "run\t" run[i]
      for (i = 1; i <= no; i++) print other[i]
    }' "$1"
}

# reason_kind TEST SOURCE TEXT: the kind of one reason, or "consequence" for one that follows
# from a hang when the run hung (a GDB check that never ran, nothing injected).
reason_kind() {
  local test=$1 source=$2 text=$3
  case $source in
    gdb-fail | inject-fail) echo assertion; return ;;
    inject-none | check-fail) echo consequence; return ;;
    gdb-count)
      if [[ $text =~ passed\ 0\ time ]]; then echo consequence; else echo assertion; fi
      return ;;
  esac
  if [[ $text =~ ^(guest\ hung|the\ failure\ did\ not\ come\ within\ --fail-fast) ]]; then
    echo timeout
  elif [[ -n ${PINS[$test]:-} && $text =~ ${PINS[$test]} ]]; then
    echo pin
  elif [[ $text =~ ^(expected\ line\ not\ found|rejected\ line\ found|kernel\ panic|tests\ failed|kernel\ reported\ success|guest\ reset\ or\ triple\ fault|guest\ wrote|Bochs\ stopped\ the\ guest|the\ kernel\ reported\ failure|no\ \'\[boot\]\ done:\ success\'\ line|the\ run\ was\ expected\ to\ fail) ]]; then
    echo assertion
  else
    echo unknown   # QEMU itself failed, Bochs exited by itself, or a reason this list lacks
  fi
}

# classify TEST STATUS OUTPUT: print "KIND<TAB>REASON" for a failed test: STATUS is what CTest
# said of it ("Failed", "Timeout", ...), OUTPUT a file holding what it printed. REASON is the
# reason that decided the kind.
classify() {
  local test=$1 status=$2 output=$3 source text kind best="" why="" hung=0 consequences=()
  if [[ $status == Timeout ]]; then
    printf 'timeout\tCTest timeout: the test ran past its TIMEOUT property\n'
    return
  fi
  while IFS=$'\t' read -r source text; do
    kind=$(reason_kind "$test" "$source" "$text")
    if [[ $kind == consequence ]]; then
      consequences+=("$text")
      continue
    fi
    [[ $kind == timeout ]] && hung=1
    if [[ $(better_kind "$best" "$kind") != "$best" ]]; then
      best=$kind why=$text
    fi
  done < <([[ -f $output ]] && test_reasons "$output")
  if [[ $hung -eq 0 && ${#consequences[@]} -gt 0 && $best != assertion ]]; then
    best=assertion why=${consequences[0]}
  fi
  if [[ -z $best ]]; then
    best=unknown why="no failure reason in its output (CTest: $status)"
  fi
  printf '%s\t%s\n' "$best" "$why"
}

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=/tmp/lstar-mutants
JOBS=2
LIST=0
UPDATE_DOCS=0
DOCS_ONLY=0
ONLY=()

die() {
  echo "mutants.sh: $*" >&2
  exit 1
}

die_usage() {
  echo "mutants.sh: $*" >&2
  echo >&2
  usage >&2
  exit 2
}

say() {
  echo "[mutants] $*" >&2
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --list) LIST=1 ;;
    --only)
      [[ $# -ge 2 ]] || die_usage "--only needs a name"
      IFS=, read -r -a names <<<"$2"
      ONLY+=("${names[@]}")
      shift ;;
    --work)
      [[ $# -ge 2 ]] || die_usage "--work needs a directory"
      WORK=$2
      shift ;;
    --jobs)
      [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || die_usage "--jobs needs a positive number"
      JOBS=$2
      shift ;;
    --update-docs) UPDATE_DOCS=1 ;;
    --docs-from-last-run) DOCS_ONLY=1 ;;
    --classify)
      [[ $# -ge 4 ]] || die_usage "--classify needs a test name, a CTest status and a file"
      classify "$2" "$3" "$4"
      exit 0 ;;
    -h|--help) usage; exit 0 ;;
    *) die_usage "unknown option '$1'" ;;
  esac
  shift
done
[[ $UPDATE_DOCS -eq 0 || ${#ONLY[@]} -eq 0 ]] ||
  die_usage "--update-docs records a run of every mutant: it cannot be combined with --only"

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
case $WORK/ in
  "$SRC"/*) die "the scratch directory $WORK is inside the source tree $SRC: choose another --work" ;;
esac
readonly TREE=$WORK/tree BUILD=$WORK/build LOGS=$WORK/logs
readonly DOCS=$SRC/docs/reliability.md LAST_RUN=$WORK/last-complete-run.md
readonly TABLE_HEADER='| mutant | killed by (kind of each kill) | kind | result |'

# ---- markers ----

# comment_leader FILE: what starts a comment in FILE's language.
comment_leader() {
  case $1 in
    *.asm|*.inc) echo ';' ;;
    *.c|*.h) echo '//' ;;
    *) return 1 ;;
  esac
}

# find_markers DIR: one line per marker, tab-separated: name, file (relative to DIR), marker
# line, target line, action.
find_markers() {
  local dir=$1 file leader
  while IFS= read -r file; do
    leader=$(comment_leader "$file") || die "$file: a marker in a file whose comments this script cannot read"
    LEADER=$leader awk -v file="$file" '
      function code(s,   i) { i = index(s, ENVIRON["LEADER"]); return i ? substr(s, 1, i - 1) : s }
      function blank(s) { return s ~ /^[ \t]*$/ }
      { line[NR] = $0 }
      END {
        for (n = 1; n <= NR; n++) {
          rest = line[n]
          while (match(rest, /\[mutant [^]]*\]/)) {
            marker = substr(rest, RSTART + 8, RLENGTH - 9)
            rest = substr(rest, RSTART + RLENGTH)
            colon = index(marker, ": ")
            if (!colon) { printf "BAD\t%s\t%d\tno \": \" after the name\n", file, n; continue }
            target = n
            if (blank(code(line[n]))) {
              for (target = n + 1; target <= NR && blank(code(line[target])); target++) {}
              if (target > NR) { printf "BAD\t%s\t%d\tno code line below the marker\n", file, n; continue }
            }
            printf "%s\t%s\t%d\t%d\t%s\n", substr(marker, 1, colon - 1), file, n, target, substr(marker, colon + 2)
          }
        }
      }' "$dir/$file"
  done < <(cd "$dir" && grep -rlE '\[mutant [^]]*\]' src boot 2>/dev/null | ordered_files)
}

# ordered_files: the file names on stdin, entry and exit paths first, then the rest by name.
ordered_files() {
  awk 'BEGIN {
         n = split("src/syscall/lstar_entry.asm src/arch/x86_64/trap_stubs.asm " \
                   "src/arch/x86_64/idt.c src/arch/x86_64/syscall_msr.c", f)
         for (i = 1; i <= n; i++) rank[f[i]] = i
       }
       { printf "%d\t%s\n", ($0 in rank) ? rank[$0] : 99, $0 }' | sort -k1,1n -k2 | cut -f2
}

# parse_action ACTION: sets KIND (delete, replace, swap-next), OLD and NEW, or fails.
parse_action() {
  local word='("[^"]*"|[^" ]+)'
  KIND= OLD= NEW=
  if [[ $1 == delete || $1 == swap-next ]]; then
    KIND=$1
  elif [[ $1 =~ ^${word}\ -\>\ ${word}$ ]]; then
    KIND=replace OLD=${BASH_REMATCH[1]} NEW=${BASH_REMATCH[2]}
    [[ $OLD == \"*\" ]] && OLD=${OLD:1:${#OLD}-2}
    [[ $NEW == \"*\" ]] && NEW=${NEW:1:${#NEW}-2}
    [[ -n $OLD ]] || return 1
  else
    return 1
  fi
}

# mutate IN OUT FILE TARGET KIND OLD NEW: write IN with the mutation applied to OUT; fails with a
# message when it does not apply exactly.
mutate() {
  local in=$1 out=$2 file=$3 target=$4 kind=$5 old=$6 new=$7
  LEADER=$(comment_leader "$file") OLD=$old NEW=$new awk -v target="$target" -v kind="$kind" '
    function code(s,   i) { i = index(s, ENVIRON["LEADER"]); return i ? substr(s, 1, i - 1) : s }
    function blank(s) { return s ~ /^[ \t]*$/ }
    { line[NR] = $0 }
    END {
      if (target > NR) { print "line " target " is past the end" > "/dev/stderr"; exit 3 }
      if (kind == "delete") {
        delete line[target]
      } else if (kind == "swap-next") {
        for (next_line = target + 1; next_line <= NR && blank(code(line[next_line])); next_line++) {}
        if (next_line > NR) { print "no code line after line " target > "/dev/stderr"; exit 3 }
        t = line[target]; line[target] = line[next_line]; line[next_line] = t
      } else {
        c = code(line[target]); old = ENVIRON["OLD"]; count = 0
        for (s = c; (i = index(s, old)) > 0; s = substr(s, i + length(old))) count++
        if (count != 1) {
          printf "\"%s\" occurs %d times in the code of line %d, not once\n", old, count, target > "/dev/stderr"
          exit 3
        }
        i = index(c, old)
        line[target] = substr(c, 1, i - 1) ENVIRON["NEW"] substr(c, i + length(old)) substr(line[target], length(c) + 1)
      }
      for (n = 1; n <= NR; n++) if (n in line) print line[n]
    }' "$in" >"$out"
}

declare -A M_FILE M_LINE M_TARGET M_ACTION
NAMES=()
load_markers() {
  local name file line target action bad=0
  while IFS=$'\t' read -r name file line target action; do
    if [[ $name == BAD ]]; then
      echo "mutants.sh: $file:$line: $action" >&2; bad=1; continue
    fi
    if [[ ! $name =~ ^[a-z0-9-]+$ ]]; then
      echo "mutants.sh: $file:$line: bad mutant name '$name'" >&2; bad=1; continue
    fi
    if [[ -n ${M_FILE[$name]:-} ]]; then
      echo "mutants.sh: $file:$line: mutant '$name' already marked at ${M_FILE[$name]}:${M_LINE[$name]}" >&2
      bad=1; continue
    fi
    if ! parse_action "$action"; then
      echo "mutants.sh: $file:$line: cannot read the action '$action' (delete, swap-next or OLD -> NEW)" >&2
      bad=1; continue
    fi
    if [[ -z ${KILLERS[$name]:-} ]]; then
      echo "mutants.sh: $file:$line: mutant '$name' has no entry in KILLERS (cmake/mutants.sh)" >&2
      bad=1; continue
    fi
    M_FILE[$name]=$file M_LINE[$name]=$line M_TARGET[$name]=$target M_ACTION[$name]=$action
    NAMES+=("$name")
  done < <(find_markers "$SRC")
  for name in "${!KILLERS[@]}"; do
    [[ -n ${M_FILE[$name]:-} ]] || { echo "mutants.sh: KILLERS names '$name', which no marker defines" >&2; bad=1; }
  done
  for name in "${!NO_ASSERTION_POSSIBLE[@]}"; do
    [[ -n ${M_FILE[$name]:-} ]] ||
      { echo "mutants.sh: NO_ASSERTION_POSSIBLE names '$name', which no marker defines" >&2; bad=1; }
  done
  [[ $bad -eq 0 ]] || die "fix the markers above first"
  [[ ${#NAMES[@]} -gt 0 ]] || die "no [mutant ...] markers under $SRC/src"
}

# ---- the docs block ----

# write_docs TABLEFILE: replace the block between the markers in docs/reliability.md.
write_docs() {
  local table=$1 tmp
  [[ -f $DOCS ]] || die "$DOCS does not exist"
  grep -q '^<!-- mutants:begin -->$' "$DOCS" && grep -q '^<!-- mutants:end -->$' "$DOCS" ||
    die "$DOCS has no <!-- mutants:begin --> ... <!-- mutants:end --> block"
  tmp=$(mktemp "$DOCS.XXXXXX")
  TABLE=$table awk '
    /^<!-- mutants:begin -->$/ { print; while ((getline l < ENVIRON["TABLE"]) > 0) print l; skip = 1; next }
    /^<!-- mutants:end -->$/ { skip = 0 }
    !skip { print }' "$DOCS" >"$tmp"
  mv "$tmp" "$DOCS"
  say "wrote the table into $DOCS"
}

load_markers

if [[ $LIST -eq 1 ]]; then
  for name in "${NAMES[@]}"; do
    printf '%-28s %s:%s  %s\n%-28s tests: %s\n' "$name" "${M_FILE[$name]}" "${M_TARGET[$name]}" \
      "${M_ACTION[$name]}" "" "^($DEFAULT_TESTS|${KILLERS[$name]})\$"
    [[ -z ${NO_ASSERTION_POSSIBLE[$name]:-} ]] ||
      printf '%-28s no assertion kill possible: %s\n' "" "${NO_ASSERTION_POSSIBLE[$name]}"
  done
  echo "value pins (a kill by these alone is a pin): $(printf '%s ' "${!PINS[@]}")"
  exit 0
fi

if [[ $DOCS_ONLY -eq 1 ]]; then
  [[ -f $LAST_RUN ]] || die "no complete run recorded in $WORK yet"
  # A run recorded before kills had kinds has the header "| mutant | killed by | result |". Its
  # kinds cannot be read back: the tests' outputs were not kept with it.
  grep -qxF "$TABLE_HEADER" "$LAST_RUN" ||
    die "the last complete run in $LAST_RUN was recorded without the kind of each kill (an older
format: its table has no kind column), and its tests' outputs are not kept, so it cannot be
converted; run every mutant again (cmake/mutants.sh --update-docs)"
  write_docs "$LAST_RUN"
  exit 0
fi

SELECTED=()
if [[ ${#ONLY[@]} -gt 0 ]]; then
  for name in "${ONLY[@]}"; do
    [[ -n ${M_FILE[$name]:-} ]] || die "no mutant named '$name' (--list shows them)"
    SELECTED+=("$name")
  done
else
  SELECTED=("${NAMES[@]}")
fi

for tool in cmake ctest objcopy flock tar cmp sha256sum git; do
  command -v "$tool" >/dev/null || die "needs $tool"
done

exec 9>"$WORK/lock"
flock -n 9 || die "another run is using $WORK"
mkdir -p "$LOGS"

# ---- the copy of the tree ----

# sync_tree: make TREE hold exactly the source tree's files (no .git, no build directories).
# A file whose content changed gets a fresh mtime, so the reused build directory can never keep
# an object built from an older (or mutated) version of it.
sync_tree() {
  local incoming=$WORK/incoming entries=() entry f
  for entry in "$SRC"/* "$SRC"/.[!.]*; do
    [[ -e $entry ]] || continue
    entry=${entry##*/}
    case $entry in
      .git|build|build-*) continue ;;
    esac
    [[ -e $SRC/$entry/CMakeCache.txt ]] && continue   # some other build directory
    entries+=("$entry")
  done
  rm -rf "$incoming"
  mkdir -p "$incoming" "$TREE"
  tar -C "$SRC" -cf - "${entries[@]}" | tar -C "$incoming" -xf -
  while IFS= read -r -d '' f; do
    if [[ ! -f $TREE/$f ]] || ! cmp -s "$incoming/$f" "$TREE/$f"; then
      mkdir -p "$(dirname "$TREE/$f")"
      rm -f "$TREE/$f"
      cp --preserve=mode "$incoming/$f" "$TREE/$f"
    fi
  done < <(cd "$incoming" && find . -type f -print0)
  while IFS= read -r -d '' f; do
    [[ -f $incoming/$f ]] || rm -f "$TREE/$f"
  done < <(cd "$TREE" && find . -type f -print0)
  rm -rf "$incoming"
}

# tree_id: what the copy is: the source's commit, whether it had uncommitted changes, and a hash
# of the copied files.
tree_id() {
  local commit dirty hash untracked
  hash=$(cd "$TREE" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
  if ! commit=$(git -C "$SRC" rev-parse --short=8 HEAD 2>/dev/null); then
    echo "a tree outside git (files copied: sha256 $hash)"
    return
  fi
  untracked=$(git -C "$SRC" ls-files --others --exclude-standard 2>/dev/null | grep -v '^build' || true)
  if git -C "$SRC" diff --quiet HEAD -- 2>/dev/null && [[ -z $untracked ]]; then
    dirty=""
  else
    dirty=" plus uncommitted changes"
  fi
  echo "commit $commit$dirty (files copied: sha256 $hash)"
}

# object_of FILE: what the build makes from FILE: its kernel object, or, for a header or a NASM
# include (inlined into several objects), the kernel itself.
object_of() {
  case $1 in
    *.h | *.inc) echo "$BUILD/lstar.elf" ;;
    *) echo "$BUILD/CMakeFiles/kernel.dir/$1.o" ;;
  esac
}

# code_digest OBJECT: a hash of OBJECT without its debug sections (line numbers move when a
# line is deleted; the code is what must change).
code_digest() {
  local tmp
  tmp=$(mktemp)
  objcopy --strip-debug "$1" "$tmp"
  sha256sum <"$tmp" | cut -c1-64
  rm -f "$tmp"
}

# build LOGFILE: incremental build of the copy.
build() {
  cmake --build "$BUILD" -j "$JOBS" >"$1" 2>&1
}

# run_tests REGEX LOGFILE OUTDIR: run the tests; prints "NAME<TAB>STATUS" for each that failed
# (STATUS as CTest says it: Failed, Timeout, ...) and leaves what each test printed in
# OUTDIR/NAME.out. Fails if CTest itself could not run them. A failed test's output is cut from
# its head, not its tail, when long: the runners' verdicts are their last lines.
run_tests() {
  local regex=$1 log=$2 outdir=$3 rc=0
  rm -rf "$outdir"
  mkdir -p "$outdir"
  ctest --test-dir "$BUILD" -R "$regex" -j "$JOBS" --no-tests=error --output-on-failure \
    --test-output-size-failed 1000000 --test-output-truncation head >"$log" 2>&1 || rc=$?
  if [[ $rc -ne 0 ]] && ! grep -q '^The following tests FAILED:' "$log"; then
    return 1
  fi
  cp "$BUILD/Testing/Temporary/LastTest.log" "$outdir/LastTest.log" 2>/dev/null || true
  [[ -f $outdir/LastTest.log ]] && split_outputs "$outdir/LastTest.log" "$outdir"
  local name status
  while IFS=$'\t' read -r name status; do
    # Once (the first mutant of a trial run) LastTest.log held none of the outputs, for a cause not
    # found; CTest's own log holds each failed test's output too, after the line that says it failed.
    [[ -s $outdir/$name.out ]] || failed_output "$log" "$name" >"$outdir/$name.out"
    printf '%s\t%s\n' "$name" "$status"
  done < <(awk '/^The following tests FAILED:/ { f = 1; next }
                f && /^[ \t]*[0-9]+ - / { status = $0; sub(/^.*\(/, "", status); sub(/\)[ \t]*$/, "", status); print $3 "\t" status }' "$log")
}

# failed_output CTEST_LOG NAME: what test NAME printed, from CTest's --output-on-failure log: the
# lines after "N/M Test #K: NAME ...***Failed" up to the next test's line or the summary.
failed_output() {
  NAME=$2 awk '
    /^ *[0-9]+\/[0-9]+ Test +#[0-9]+: / { inside = ($4 == ENVIRON["NAME"] && $0 ~ /\*\*\*/); next }
    /^ *Start +[0-9]+: / || /^[0-9]+% tests passed/ { inside = 0; next }
    inside { print }' "$1"
}

# split_outputs LASTTEST_LOG OUTDIR: each test's output in CTest's LastTest.log (between "Output:"
# and "<end of output>" in the section "N/M Test: NAME") into OUTDIR/NAME.out.
split_outputs() {
  DIR=$2 awk '
    /^[0-9]+\/[0-9]+ Test: / { name = $3; next }
    /^Output:$/ && name != "" { file = ENVIRON["DIR"] "/" name ".out"; printf "" >file; inside = 1; getline; next }
    inside && /^<end of output>$/ { inside = 0; close(file); name = ""; next }
    inside { print >file }' "$1"
}

# ---- applying and restoring, with Ctrl-C ----
APPLIED=""
restore() {
  if [[ -n $APPLIED ]]; then
    local file=${M_FILE[$APPLIED]}
    cat "$WORK/pristine/$file" >"$TREE/$file"   # a fresh mtime: the next build recompiles it
    rm -f "$WORK/applied"
    APPLIED=""
  fi
}
on_interrupt() {
  trap - INT TERM
  local name=$APPLIED
  restore
  say "interrupted${name:+ during mutant $name (its file is restored in the copy)}; results so far in $WORK/results.partial.md"
  exit 130
}
trap on_interrupt INT TERM
trap restore EXIT

if [[ -f $WORK/applied ]]; then
  say "the last run stopped with mutant $(cat "$WORK/applied") applied: the copy is refreshed from the source"
  rm -f "$WORK/applied"
fi

START=$SECONDS
START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
say "copying $SRC to $TREE"
sync_tree
ID=$(tree_id)
say "source: $ID"

# Every marker must apply exactly to the copy before anything is built.
rm -rf "$WORK/pristine"
for name in "${SELECTED[@]}"; do
  file=${M_FILE[$name]}
  mkdir -p "$(dirname "$WORK/pristine/$file")"
  [[ -f $WORK/pristine/$file ]] || cp "$TREE/$file" "$WORK/pristine/$file"
  parse_action "${M_ACTION[$name]}"
  mutate "$TREE/$file" /dev/null "$file" "${M_TARGET[$name]}" "$KIND" "$OLD" "$NEW" 2>"$LOGS/apply.err" ||
    die "mutant $name ($file:${M_LINE[$name]}) does not apply: $(cat "$LOGS/apply.err")"
done

if [[ ! -f $BUILD/CMakeCache.txt ]]; then
  say "configuring $BUILD"
  (cd "$TREE" && cmake --preset default -B "$BUILD") >"$LOGS/configure.log" 2>&1 ||
    die "the copy does not configure: see $LOGS/configure.log"
fi
say "building the unmutated copy"
build "$LOGS/baseline.build.log" ||
  die "the unmutated tree does not build, so no mutant can be judged: see $LOGS/baseline.build.log"

# Every test a KILLERS entry names must exist: a renamed test would silently weaken the run.
ctest --test-dir "$BUILD" -N >"$LOGS/tests.txt" 2>&1 || die "ctest -N failed: see $LOGS/tests.txt"
ALL_TESTS=$(awk '/^ *Test +#[0-9]+: / { print $3 }' "$LOGS/tests.txt")
UNION=""
declare -A SEEN=()
missing=()
for name in "${SELECTED[@]}"; do
  IFS='|' read -r -a wanted <<<"$DEFAULT_TESTS|${KILLERS[$name]}"
  for t in "${wanted[@]}"; do
    [[ -n ${SEEN[$t]:-} ]] && continue
    SEEN[$t]=1
    UNION+="${UNION:+|}$t"
    grep -qxE "$t" <<<"$ALL_TESTS" || missing+=("$t")
  done
done
[[ ${#missing[@]} -eq 0 ]] || die "KILLERS names tests this tree does not have: ${missing[*]}"
# A renamed pin test would turn its pin kills into assertions.
for t in "${!PINS[@]}"; do
  grep -qxF "$t" <<<"$ALL_TESTS" || die "PINS names the test $t, which this tree does not have"
done
# The docs tests compare the docs' quotes with what the build prints: every mutant changes some of
# that, so their failing says nothing about the rule a mutant breaks.
ctest --test-dir "$BUILD" -N -L docs >"$LOGS/docs-tests.txt" 2>&1 || die "ctest -N -L docs failed"
DOCS_TESTS=$(awk '/^ *Test +#[0-9]+: / { print $3 }' "$LOGS/docs-tests.txt")
docs_named=()
for t in "${!SEEN[@]}"; do
  [[ -n $DOCS_TESTS ]] && grep -qxE "$t" <<<"$DOCS_TESTS" && docs_named+=("$t")
done
[[ ${#docs_named[@]} -eq 0 ]] ||
  die "KILLERS or DEFAULT_TESTS names docs tests (label docs), which never count as killers: ${docs_named[*]}"

declare -A BASE_DIGEST
for name in "${SELECTED[@]}"; do
  file=${M_FILE[$name]}
  [[ -n ${BASE_DIGEST[$file]:-} ]] && continue
  [[ -f $(object_of "$file") ]] || die "no object $(object_of "$file") for $file"
  BASE_DIGEST[$file]=$(code_digest "$(object_of "$file")")
done

say "running the tests on the unmutated copy: ^($UNION)\$"
failed=$(run_tests "^($UNION)\$" "$LOGS/baseline.ctest.log" "$LOGS/baseline.out") ||
  die "ctest could not run the tests: see $LOGS/baseline.ctest.log"
[[ -z $failed ]] || die "these tests fail without any mutant, so a mutant could not be judged by them:
$(cut -f1 <<<"$failed" | sed 's/^/  /')
see $LOGS/baseline.ctest.log"
say "baseline passes ($((SECONDS - START)) s so far)"

# ---- the mutants ----

# judge_kills NAME FAILED: classify each failed test of mutant NAME (FAILED: run_tests's lines),
# rerun the ones that timed out once, and set KILLS (the table's "killed by" cell), MKIND (the
# mutant's kind, empty when nothing counts) and FLAKES (how many kills a rerun did not confirm).
# Each test's kind and reason go to LOGS/NAME.kinds.
judge_kills() {
  local name=$1 failed=$2 t status kind why rerun_failed rstatus rkind rwhy note
  local -a tests=() timeouts=()
  local -A kind_of=()
  KILLS="" MKIND="" FLAKES=0
  : >"$LOGS/$name.kinds"
  while IFS=$'\t' read -r t status; do
    [[ -n $t ]] || continue
    IFS=$'\t' read -r kind why < <(classify "$t" "$status" "$LOGS/$name.out/$t.out")
    tests+=("$t")
    kind_of[$t]=$kind
    printf '%s\t%s\t%s\t%s\n' "$t" "$status" "$kind" "$why" >>"$LOGS/$name.kinds"
    [[ $kind == timeout ]] && timeouts+=("$t")
  done <<<"$failed"
  # A hang may be the host's load, not the mutant: the tests that timed out run once more (together),
  # unless an assertion already killed the mutant: then no rerun can change its kind, and a hang
  # costs minutes (a mutant that breaks every boot hangs a dozen tests).
  declare -A confirmed=()
  local asserted=0
  for t in "${tests[@]}"; do [[ ${kind_of[$t]} == assertion ]] && asserted=1; done
  if [[ ${#timeouts[@]} -gt 0 && $asserted == 1 ]]; then
    for t in "${timeouts[@]}"; do confirmed[$t]=unconfirmed; done
  elif [[ ${#timeouts[@]} -gt 0 ]]; then
    say "  rerunning what timed out: ${timeouts[*]}"
    if rerun_failed=$(run_tests "^($(IFS='|'; echo "${timeouts[*]}"))\$" "$LOGS/$name.rerun.ctest.log" "$LOGS/$name.rerun.out"); then
      while IFS=$'\t' read -r t rstatus; do
        [[ -n $t ]] || continue
        IFS=$'\t' read -r rkind rwhy < <(classify "$t" "$rstatus" "$LOGS/$name.rerun.out/$t.out")
        confirmed[$t]=$rkind
        printf '%s\t%s\t%s\t%s\t(rerun)\n' "$t" "$rstatus" "$rkind" "$rwhy" >>"$LOGS/$name.kinds"
      done <<<"$rerun_failed"
    else
      for t in "${timeouts[@]}"; do confirmed[$t]=timeout; done
      say "  the rerun did not run (see $LOGS/$name.rerun.ctest.log): its timeouts stand"
    fi
  fi
  for t in "${tests[@]}"; do
    kind=${kind_of[$t]} note=$kind
    if [[ $kind == timeout ]]; then
      if [[ -z ${confirmed[$t]:-} ]]; then
        KILLS+="${KILLS:+, }$t (timeout, rerun passed: a flake, not counted)"
        FLAKES=$((FLAKES + 1))
        printf '%s\t-\tflake\tthe rerun passed: not counted\n' "$t" >>"$LOGS/$name.kinds"
        continue
      fi
      # The rerun failed too; if it gave a named reason this time, that reason counts.
      if [[ ${confirmed[$t]} == unconfirmed ]]; then
        note="timeout, not rerun: an assertion killed the mutant"
      elif [[ ${confirmed[$t]} == timeout ]]; then
        note="timeout, confirmed by a rerun"
      else
        kind=$(better_kind timeout "${confirmed[$t]}")
        note="timeout, then ${confirmed[$t]} in the rerun"
      fi
    fi
    KILLS+="${KILLS:+, }$t ($note)"
    MKIND=$(better_kind "$MKIND" "$kind")
  done
}

ROWS=()
KILLED=0 SURVIVED=0 OTHER=0
declare -A BY_KIND=([assertion]=0 [pin]=0 [timeout]=0 [unknown]=0)
declare -A RESULT_OF=() KIND_OF=()
HEADER="$TABLE_HEADER"$'\n|---|---|---|---|'
echo "$HEADER" >"$WORK/results.partial.md"
i=0
for name in "${SELECTED[@]}"; do
  i=$((i + 1))
  file=${M_FILE[$name]}
  t0=$SECONDS
  parse_action "${M_ACTION[$name]}"
  echo "$name" >"$WORK/applied"
  APPLIED=$name
  mutate "$WORK/pristine/$file" "$WORK/mutated.tmp" "$file" "${M_TARGET[$name]}" "$KIND" "$OLD" "$NEW"
  cat "$WORK/mutated.tmp" >"$TREE/$file"
  diff -u "$WORK/pristine/$file" "$TREE/$file" --label "a/$file" --label "b/$file" >"$LOGS/$name.diff" || true
  KILLS="" MKIND="" FLAKES=0 result=""
  rm -f "$LOGS/$name.kinds"
  if ! build "$LOGS/$name.build.log"; then
    result="build failed"
  elif [[ $(code_digest "$(object_of "$file")") == "${BASE_DIGEST[$file]}" ]]; then
    result="not applied"
  elif failed=$(run_tests "^($DEFAULT_TESTS|${KILLERS[$name]})\$" "$LOGS/$name.ctest.log" "$LOGS/$name.out"); then
    judge_kills "$name" "$failed"
    if [[ -n $MKIND ]]; then result=killed; else result=survived; fi
  else
    result="tests did not run"
  fi
  restore
  case $result in
    killed) KILLED=$((KILLED + 1)); BY_KIND[$MKIND]=$((${BY_KIND[$MKIND]} + 1)) ;;
    survived) SURVIVED=$((SURVIVED + 1)) ;;
    *) OTHER=$((OTHER + 1)) ;;
  esac
  RESULT_OF[$name]=$result KIND_OF[$name]=$MKIND
  row="| $name | ${KILLS:-—} | ${MKIND:-—} | $result |"
  ROWS+=("$row")
  echo "$row" >>"$WORK/results.partial.md"
  say "[$i/${#SELECTED[@]}] $name: $result${MKIND:+ ($MKIND)}${KILLS:+ by $KILLS} ($((SECONDS - t0)) s)"
done

say "rebuilding the unmutated copy"
build "$LOGS/final.build.log" || die "the restored copy does not build: see $LOGS/final.build.log"
for file in "${!BASE_DIGEST[@]}"; do
  [[ $(code_digest "$(object_of "$file")") == "${BASE_DIGEST[$file]}" ]] ||
    die "$file does not build back to its unmutated object: the copy in $TREE is suspect"
done

SUMMARY="mutants: $KILLED killed (${BY_KIND[assertion]} by an assertion, ${BY_KIND[pin]} only by a pin, ${BY_KIND[timeout]} only by a timeout"
[[ ${BY_KIND[unknown]} -eq 0 ]] || SUMMARY+=", ${BY_KIND[unknown]} only by a failure of unknown cause"
SUMMARY+="), $SURVIVED survived of ${#SELECTED[@]}"
[[ $OTHER -eq 0 ]] || SUMMARY+=" ($OTHER neither: not applied, build failed or tests did not run)"

# The rule: every mutant has an assertion kill, or NO_ASSERTION_POSSIBLE says why it cannot.
EXCUSED=() BROKEN=() STALE=()
for name in "${SELECTED[@]}"; do
  case ${RESULT_OF[$name]} in killed | survived) ;; *) continue ;; esac
  kind=${KIND_OF[$name]:-}
  if [[ $kind == assertion ]]; then
    [[ -n ${NO_ASSERTION_POSSIBLE[$name]:-} ]] && STALE+=("$name")
  elif [[ -n ${NO_ASSERTION_POSSIBLE[$name]:-} ]]; then
    EXCUSED+=("$name (${kind:-survived})")
  else
    BROKEN+=("$name (${kind:-survived})")
  fi
done
RULE=()
if [[ ${#BROKEN[@]} -eq 0 ]]; then
  RULE+=("Every mutant run has an assertion kill or a reason in NO_ASSERTION_POSSIBLE.")
else
  RULE+=("RULE BROKEN: no assertion kill, and no reason in NO_ASSERTION_POSSIBLE why none can exist: $(printf '%s, ' "${BROKEN[@]}" | sed 's/, $//').")
fi
[[ ${#EXCUSED[@]} -eq 0 ]] ||
  RULE+=("No assertion kill, as NO_ASSERTION_POSSIBLE says: $(printf '%s, ' "${EXCUSED[@]}" | sed 's/, $//').")
[[ ${#STALE[@]} -eq 0 ]] ||
  RULE+=("Killed by an assertion although NO_ASSERTION_POSSIBLE names them (the entries can go): ${STALE[*]}.")

MINUTES=$(((SECONDS - START + 30) / 60))
{
  echo "Run of $START_DATE on $ID: $MINUTES min with $JOBS jobs on $(nproc) cores."
  echo "Each mutant ran \`^($DEFAULT_TESTS|its killers)\$\` (\`cmake/mutants.sh --list\` shows them)."
  echo "The kind of a kill: assertion (a named expectation or check failed), pin (only a quoted value"
  echo "changed), timeout (the run hung, and hung again when rerun), unknown; a mutant's kind is its best kill's."
  echo
  echo "$HEADER"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "$SUMMARY"
  echo
  printf '%s\n' "${RULE[@]}"
} >"$WORK/results.md"
rm -f "$WORK/results.partial.md"

echo
cat "$WORK/results.md"
say "logs: $LOGS (NAME.diff, NAME.build.log, NAME.ctest.log, NAME.kinds, NAME.out/TEST.out)"

if [[ ${#ONLY[@]} -eq 0 ]]; then
  cp "$WORK/results.md" "$LAST_RUN"
fi
if [[ $UPDATE_DOCS -eq 1 ]]; then
  write_docs "$WORK/results.md"
fi
exit 0
}
