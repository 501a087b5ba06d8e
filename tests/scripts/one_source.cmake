# SPDX-License-Identifier: MIT
# One source for each constant, and layers that depend one way: checks of the tree that need no
# boot. `ctest -L scripts` runs them.

# No NASM source of the kernel spells out a value that generated/asm_offsets.inc names (a second
# copy of a selector, a bit, a vector count): tests/scripts/asm_literals_test.sh.
add_test(NAME nasm_sources_spell_no_value_of_asm_offsets
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/asm_literals_test.sh ${CMAKE_SOURCE_DIR} ${LSTAR_ASM_OFFSETS_INC})
set_tests_properties(nasm_sources_spell_no_value_of_asm_offsets PROPERTIES LABELS scripts TIMEOUT 60)

# src/arch includes nothing of src/syscall but the ABI header: tests/scripts/layering_test.sh.
add_test(NAME arch_layer_includes_nothing_of_the_syscall_layer
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/layering_test.sh ${CMAKE_SOURCE_DIR})
set_tests_properties(arch_layer_includes_nothing_of_the_syscall_layer PROPERTIES LABELS scripts TIMEOUT 60)
