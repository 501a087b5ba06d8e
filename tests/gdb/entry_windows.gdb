# SPDX-License-Identifier: MIT
# GDB commands that read the kernel's entry-window table: the ENTRY_WINDOW records
# (src/arch/x86_64/entry_window.inc) between entry_windows_start and entry_windows_end, each
# { first, last, name } (struct entry_window, src/arch/x86_64/entry_window.c). gdb-test.sh loads this
# file before every script, so the scripts go through the same table the kernel's handlers do.
# It defines commands only, no checks: these, and find_insn, which the scripts use to find one of
# the kernel's own instructions to run with registers of their choosing.

# window_count: $windows = how many windows the table has.
define window_count
  set $windows = ((long)&entry_windows_end - (long)&entry_windows_start) / 24
end

# window_of ADDRESS: $win = the index of the window holding ADDRESS, or -1.
define window_of
  window_count
  set $win = -1
  set $wi = 0
  while $wi < $windows && $win < 0
    set $wr = (unsigned long *)((long)&entry_windows_start + 24 * $wi)
    if (unsigned long)($arg0) >= $wr[0] && (unsigned long)($arg0) <= $wr[1]
      set $win = $wi
    end
    set $wi = $wi + 1
  end
end

# window_name INDEX: $wname = that window's name (a char * in the kernel).
define window_name
  set $wname = *(char **)((long)&entry_windows_start + 24 * ($arg0) + 16)
end

# window_installed INDEX: $installed = 0 for a window of the syscall/int 0x80 entry copy that
# mitigations= did not install (src/arch/x86_64/mitigations.c): the hardened copy's windows,
# named "hardened ...", on a boot with the plain entries, and the plain copy's four on a boot
# with the hardened ones. Nothing can reach those; 1 for every other window.
define window_installed
  window_name $arg0
  set $wfirst = *(unsigned long *)((long)&entry_windows_start + 24 * ($arg0))
  set $is_hardened = *(char *)$wname == 'h' && *((char *)$wname + 1) == 'a'
  set $is_plain_copy = $wfirst == (long)&lstar_entry || $wfirst == (long)&int80_entry || $wfirst == (long)&syscall_exit_user_stack || $wfirst == (long)&syscall_exit_iret
  set $installed = 1
  if $is_hardened && !'mitigations.c'::hardened_entry
    set $installed = 0
  end
  if $is_plain_copy && 'mitigations.c'::hardened_entry
    set $installed = 0
  end
end

# windows_missed MASK: prints one "[gdb] note" line per window whose bit is clear in MASK;
# $missed = how many. The windows of src/syscall/sysenter_entry.asm (sysenter_entry up to
# sysenter_entry_end) cannot be reached where the kernel did not program SYSENTER
# (sysenter_enabled = 0: AMD CPUs raise #UD for it in long mode): there they are named in a
# note and not counted; on an Intel model they count like every other.
define windows_missed
  window_count
  set $missed = 0
  set $wi = 0
  while $wi < $windows
    window_installed $wi
    if ((($arg0) >> $wi) & 1) == 0 && $installed
      window_name $wi
      set $wr = (unsigned long *)((long)&entry_windows_start + 24 * $wi)
      if !sysenter_enabled && $wr[0] >= (unsigned long)&sysenter_entry && $wr[0] < (unsigned long)&sysenter_entry_end
        printf "[gdb] note: the %s window is out of reach: this CPU has no sysenter in long mode\n", $wname
      else
        printf "[gdb] note: nothing reached the %s window\n", $wname
        set $missed = $missed + 1
      end
    end
    set $wi = $wi + 1
  end
end

# find_insn START OPCODE LIMIT: $found = the first instruction at or after START whose first two
# bytes are OPCODE (little-endian); 0 if none within LIMIT bytes.
define find_insn
  set $a = (long)$arg0
  set $found = 0
  while $found == 0 && $a < (long)$arg0 + $arg2
    if *(unsigned short *)$a == $arg1
      set $found = $a
    else
      x/2i $a
      set $a = (long)$_
    end
  end
end
