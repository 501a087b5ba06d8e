// The kernel's boot-time self-checks.
#ifndef LSTAR_CORE_KTEST_H
#define LSTAR_CORE_KTEST_H

int ktest_run(void);

#endif
