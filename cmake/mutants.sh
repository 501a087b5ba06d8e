#!/usr/bin/env bash
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
# that the mutated object really changed, run the tests, restore. Slow (44 minutes for 54 mutants
# on the 2-core development machine), so it is a target of its own (`cmake --build build --target
# mutants`), never a CTest test. docs/testing.md says what each survivor means; docs/reliability.md
# holds the last table.
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
run. Prints `mutant | killed by | result` and `mutants: K killed, S survived of N`.

  --list               list the markers (where, what, which tests) and exit
  --only NAME[,NAME]   run only these mutants (repeatable)
  --work DIR           scratch directory: the tree's copy, its build, the logs
                       (default: /tmp/lstar-mutants; kept between runs, so rebuilds are incremental)
  --jobs N             parallel build jobs and CTest tests (default: 2)
  --update-docs        after a run of every mutant, write its table into the marked block of
                       docs/reliability.md (the one file of the real tree this script writes)
  --docs-from-last-run write the last complete run's table into docs/reliability.md, run nothing
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
readonly T_LOCKUP='a_hard_lockup_on_an_ap_ends_in_its_own_panic_report|a_hard_lockup_on_the_boot_cpu_is_caught_by_the_next_cpu|bochs_hard_lockup_on_an_ap_ends_in_its_own_panic_report'
readonly T_PARKED='parked_cpus_are_not_taken_for_hung'
declare -A KILLERS=(
  # src/syscall/lstar_entry.asm: 1. the `syscall` entry
  [swapgs-lstar-entry]="$T_SELF|$T_FUZZ|$T_TOUR"
  [stack-switch-order]="$T_SELF|$T_FUZZ|$T_TOUR|$T_NMI|$T_SWEEP"
  #   2. the `int 0x80` entry
  [swapgs-int80-entry]="$T_SELF|$T_FUZZ|$T_TOUR"
  [int80-ss-reload]="$T_SELF|$T_SS|$T_BOCHS"
  [clac-int80]="$T_SELF|$T_FUZZ"
  [cld-int80]="$T_SELF|$T_FUZZ"
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
  # src/syscall/syscall_msr.c: each takes one bit out of the FMASK value written and checked
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
  [ap-timer]="$T_SMP_LIMIT"
  [console-whole-lines]="$T_SMP_PLACED|$T_SMP_STRESS"
  [panic-first-wins]="$T_SMP_PANIC"
  # src/core/spinlock.h, src/core/process.c, src/core/spinlock.c
  [spinlock-excludes]="$T_LOCKS|$T_SMP_PLACED|$T_SMP_STRESS"
  [slot-share]="$T_SLOTS"
  [spinlock-watchdog]="$T_DEADLOCK"
  # src/arch/x86_64/watchdog.c, smp.c: the hard-lockup watchdog
  [watchdog-check]="$T_LOCKUP"
  [watchdog-nmi]="$T_LOCKUP"
  [watchdog-park]="$T_PARKED"
)

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
                   "src/arch/x86_64/idt.c src/syscall/syscall_msr.c", f)
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
  done
  exit 0
fi

if [[ $DOCS_ONLY -eq 1 ]]; then
  [[ -f $LAST_RUN ]] || die "no complete run recorded in $WORK yet"
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

# object_of FILE: what the build makes from FILE: its kernel object, or, for a header (inlined
# into several objects), the kernel itself.
object_of() {
  case $1 in
    *.h) echo "$BUILD/lstar.elf" ;;
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

# run_tests REGEX LOGFILE: run the tests; prints the names of those that failed, one a line.
# Fails if CTest itself could not run them.
run_tests() {
  local regex=$1 log=$2 rc=0
  ctest --test-dir "$BUILD" -R "$regex" -j "$JOBS" --no-tests=error --output-on-failure >"$log" 2>&1 || rc=$?
  awk '/^The following tests FAILED:/ { f = 1; next } f && /^[ \t]*[0-9]+ - / { print $3 }' "$log"
  if [[ $rc -ne 0 ]] && ! grep -q '^The following tests FAILED:' "$log"; then
    return 1
  fi
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

declare -A BASE_DIGEST
for name in "${SELECTED[@]}"; do
  file=${M_FILE[$name]}
  [[ -n ${BASE_DIGEST[$file]:-} ]] && continue
  [[ -f $(object_of "$file") ]] || die "no object $(object_of "$file") for $file"
  BASE_DIGEST[$file]=$(code_digest "$(object_of "$file")")
done

say "running the tests on the unmutated copy: ^($UNION)\$"
failed=$(run_tests "^($UNION)\$" "$LOGS/baseline.ctest.log") ||
  die "ctest could not run the tests: see $LOGS/baseline.ctest.log"
[[ -z $failed ]] || die "these tests fail without any mutant, so a mutant could not be judged by them:
$(sed 's/^/  /' <<<"$failed")
see $LOGS/baseline.ctest.log"
say "baseline passes ($((SECONDS - START)) s so far)"

# ---- the mutants ----
HEADER=$'| mutant | killed by | result |\n|---|---|---|'
ROWS=()
KILLED=0 SURVIVED=0 OTHER=0
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
  killers="" result=""
  if ! build "$LOGS/$name.build.log"; then
    result="build failed"
  elif [[ $(code_digest "$(object_of "$file")") == "${BASE_DIGEST[$file]}" ]]; then
    result="not applied"
  else
    if failed=$(run_tests "^($DEFAULT_TESTS|${KILLERS[$name]})\$" "$LOGS/$name.ctest.log"); then
      if [[ -n $failed ]]; then
        result=killed
        killers=$(paste -sd, <<<"$failed" | sed 's/,/, /g')
      else
        result=survived
      fi
    else
      result="tests did not run"
    fi
  fi
  restore
  case $result in
    killed) KILLED=$((KILLED + 1)) ;;
    survived) SURVIVED=$((SURVIVED + 1)) ;;
    *) OTHER=$((OTHER + 1)) ;;
  esac
  row="| $name | ${killers:-—} | $result |"
  ROWS+=("$row")
  echo "$row" >>"$WORK/results.partial.md"
  say "[$i/${#SELECTED[@]}] $name: $result${killers:+ by $killers} ($((SECONDS - t0)) s)"
done

say "rebuilding the unmutated copy"
build "$LOGS/final.build.log" || die "the restored copy does not build: see $LOGS/final.build.log"
for file in "${!BASE_DIGEST[@]}"; do
  [[ $(code_digest "$(object_of "$file")") == "${BASE_DIGEST[$file]}" ]] ||
    die "$file does not build back to its unmutated object: the copy in $TREE is suspect"
done

SUMMARY="mutants: $KILLED killed, $SURVIVED survived of ${#SELECTED[@]}"
[[ $OTHER -eq 0 ]] || SUMMARY+=" ($OTHER neither: not applied, build failed or tests did not run)"
MINUTES=$(((SECONDS - START + 30) / 60))
{
  echo "Run of $START_DATE on $ID: $MINUTES min with $JOBS jobs on $(nproc) cores."
  echo "Each mutant ran \`^($DEFAULT_TESTS|its killers)\$\` (\`cmake/mutants.sh --list\` shows them)."
  echo
  echo "$HEADER"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "$SUMMARY"
} >"$WORK/results.md"
rm -f "$WORK/results.partial.md"

echo
cat "$WORK/results.md"
say "logs: $LOGS (NAME.diff, NAME.build.log, NAME.ctest.log)"

if [[ ${#ONLY[@]} -eq 0 ]]; then
  cp "$WORK/results.md" "$LAST_RUN"
fi
if [[ $UPDATE_DOCS -eq 1 ]]; then
  write_docs "$WORK/results.md"
fi
exit 0
}
