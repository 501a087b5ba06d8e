// kmain: from the boot information to the first ring-3 program, and the run's exit code.
#include <stdint.h>
#include "arch/x86_64/cpu_features.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/debug_trap.h"
#include "arch/x86_64/fw_cfg.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/machine_check.h"
#include "arch/x86_64/nmi.h"
#include "arch/x86_64/nmi_storm.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/qemu_exit.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/vga_text.h"
#include "arch/x86_64/xstate.h"
#include "lstar_commit.h" // generated: LSTAR_COMMIT
#include "core/cmdline.h"
#include "core/console.h"
#include "core/crash.h"
#include "core/ksyms.h"
#include "core/ktest.h"
#include "core/modules.h"
#include "core/multiboot2.h"
#include "core/panic.h"
#include "core/physmem.h"
#include "core/process.h"
#include "syscall/syscall_msr.h"

#define BOOT_MAP_LIMIT (1ull << 30) // entry32.asm maps the first GiB: the info block must be in it
#define MB2_INFO_MAX (1u << 20)     // a sane upper bound for the info block's size
#define FW_CFG_CMDLINE "opt/lstar/cmdline"
#define NMI_STORM_RERUNS 20           // runs of the programs an NMI storm may ask for

uint64_t boot_tsc;
static struct mb2_info boot_info;
static struct cmdline_options options;

// cmdline_parse's reporter: refused options go to the log.
static void report_option(void *ctx, const char *message)
{
    (void)ctx;
    kprintf("[boot] %s\n", message);
}

// Reads GRUB's command line, then QEMU's fw_cfg addition (later options win).
static void parse_command_line(void)
{
    static char extra[256];
    cmdline_defaults(&options);
    kprintf("[boot] command line '%s'\n", boot_info.cmdline);
    cmdline_parse(boot_info.cmdline, &options, report_option, NULL);
    if (fw_cfg_read_file(FW_CFG_CMDLINE, extra, sizeof extra) > 0) {
        kprintf("[boot] fw_cfg %s '%s'\n", FW_CFG_CMDLINE, extra);
        cmdline_parse(extra, &options, report_option, NULL);
    }
    static const char *const crash_names[] = {"none", "panic", "triple", "hang", "pagefault", "stackoverflow"};
    kprintf("[boot] options: run='%s' ktest=%s timer=%s limit=%u nmistorm=%u crash=%s\n",
            options.run[0] ? options.run : "none", options.ktest ? "on" : "off", options.timer ? "on" : "off",
            options.limit_seconds, options.nmi_storm, crash_names[options.crash]);
    process_set_time_limit(options.limit_seconds);
}

// Validates and parses the multiboot2 information block; a bad one stops the boot.
static void read_boot_info(uint64_t info_phys)
{
    if (info_phys == 0 || info_phys + MB2_INFO_MAX > BOOT_MAP_LIMIT)
        panic("multiboot2 information at %016llx is outside the first GiB", (unsigned long long)info_phys);
    const void *info = phys_to_virt(info_phys);
    char why[128];
    if (mb2_parse(info, MB2_INFO_MAX, &boot_info, why, sizeof why) != 0)
        panic("multiboot2 information refused: %s", why);
    kprintf("[boot] multiboot2 info at %016llx, %u bytes, loader '%s'\n", (unsigned long long)info_phys,
            boot_info.total_size, boot_info.loader_name);
    if (boot_info.has_framebuffer && boot_info.framebuffer_type == 2) { // EGA text (spec 3.6.12)
        vga_text_attach(boot_info.framebuffer_addr, boot_info.framebuffer_width, boot_info.framebuffer_height);
        kprintf("[boot] log mirrored to the %ux%u VGA text screen at %016llx\n", boot_info.framebuffer_width,
                boot_info.framebuffer_height, (unsigned long long)boot_info.framebuffer_addr);
    }
}

// Runs init with the run= list; returns its fate (0 = every program passed).
static int run_programs(void)
{
    if (options.run[0] == 0) {
        kprintf("[boot] run=none: no ring-3 programs\n");
        return 0;
    }
    int fate = process_spawn("init", options.run);
    if (fate < 0)
        kprintf("[boot] could not start init: error %d\n", fate);
    else if (fate & SPAWN_FAULTED)
        kprintf("[boot] init was stopped by a fault: vector %d\n", fate & 0xff);
    else if (fate & SPAWN_TIMED_OUT)
        kprintf("[boot] init was stopped: it used up its time limit\n");
    else
        kprintf("[boot] init ended with status %d\n", fate);
    return fate;
}

// The kernel's C entry, on the boot stack, with the boot page tables (entry32.asm).
void kmain(uint64_t info_phys)
{
    boot_tsc = rdtsc();
    serial_init();
    kprintf("\n[boot] lstar %s: an x86_64 kernel for the syscall/sysret fast path\n", LSTAR_COMMIT);
    read_boot_info(info_phys);
    parse_command_line();
    cpu_features_detect(); // patches `clac` sites: before the kernel text turns read-only

    uint64_t max_phys = physmem_init(&boot_info, info_phys);
    paging_init_kernel(max_phys);
    modules_init(&boot_info);
    ksyms_init(module_find(KSYMS_MODULE));

    percpu_init(0);
    idt_init();
    idt_load();
    cpu_features_enable(0);
    xstate_cpu_init(0);
    machine_check_init(0);
    char vendor[16], brand[64], hypervisor[16];
    cpu_identify(vendor, brand, hypervisor);
    kprintf("[cpu] cpu0 %s '%s'%s%s\n", vendor, brand, hypervisor[0] ? " hypervisor " : "", hypervisor);

    syscall_msr_init();
    int failures = syscall_msr_check(0);

    pic_init();
    timer_init();
    tsc_calibrate();
    kprintf("[timer] PIT at %d Hz; TSC %llu Hz (%s)\n", TIMER_HZ, (unsigned long long)tsc_hz(), tsc_source());
    if (!options.timer) {
        pic_mask_all();
        kprintf("[timer] timer=off: no periodic tick, so limit= cannot stop a program\n");
    }
    nmi_storm_request(options.nmi_storm); // before the APs start: cpu1 reads it
    failures += smp_start_cpus(&boot_info);
    irq_enable();

    crash_if_requested(options.crash);
    if (options.ktest)
        failures += ktest_run();

    nmi_storm_start();
    int fate = run_programs();
    // nmistorm=: the NMIs are meant to land in the programs and the entries, so run the programs
    // again (a bounded number of times) while cpu1 is still sending; every run must pass.
    for (int again = 0; again < NMI_STORM_RERUNS && fate == 0 && nmi_storm_sending(); again++) {
        kprintf("[boot] nmistorm: the storm is not over, running the programs again\n");
        fate = run_programs();
    }
    failures += nmi_storm_finish();
    nmi_report_totals(); // what the NMI and #DB handlers only counted, now that nothing runs
    debug_trap_report();
    bool ok = failures == 0 && fate == 0;
    kprintf("[boot] done: %s\n", ok ? "success" : "failure");
    qemu_exit(ok ? QEMU_EXIT_SUCCESS : QEMU_EXIT_FAILURE);
    kprintf("[boot] no isa-debug-exit device: halting\n");
    cpu_halt_forever();
}
