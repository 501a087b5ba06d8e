# SPDX-License-Identifier: MIT
# Page-table isolation on the `sysenter` path under GDB (tests/gdb/pti_sysenter.gdb): the
# benchmark on Skylake-Client (GenuineIntel: sysenter is programmed) with mitigations=pti.
# Included from tests/gdb/CMakeLists.txt, whose lstar_gdb_test it uses.
lstar_gdb_test(pti_cr3_on_the_sysenter_path_under_gdb pti_sysenter.gdb
  "run=bench:batches=1:calls=8 ktest=off timer=off mitigations=pti"
  --cpu Skylake-Client
  --expect [=[^\[proc\] 'bench' \(pid [0-9]+\) exited with status 0$]=]
  --reject [=[^\[panic\]]=])
