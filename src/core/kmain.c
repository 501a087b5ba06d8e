// SPDX-License-Identifier: MIT
// kmain: from the boot information to the first ring-3 program, and the run's exit code.
#include <stdint.h>
#include "arch/x86_64/cpu_features.h"
#include "arch/x86_64/cpu_init.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/debug_trap.h"
#include "arch/x86_64/fb_console.h"
#include "arch/x86_64/fw_cfg.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/nmi.h"
#include "arch/x86_64/nmi_storm.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pti.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/qemu_exit.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/vga_text.h"
#include "arch/x86_64/watchdog.h"
#include "lstar_commit.h" // generated: LSTAR_COMMIT
#include "core/cmdline.h"
#include "core/console.h"
#include "arch/x86_64/mitigations.h"
#include "core/crash.h"
#include "core/format.h"
#include "core/ksyms.h"
#include "core/ktest.h"
#include "core/modules.h"
#include "core/multiboot2.h"
#include "core/panic.h"
#include "core/physmem.h"
#include "core/process.h"
#include "syscall/syscall_trace.h"

#define BOOT_MAP_LIMIT (1ull << 30) // entry32.asm maps the first GiB: the info block must be in it
#define MB2_INFO_MAX (1u << 20)     // a sane upper bound for the info block's size
#define FW_CFG_CMDLINE "opt/lstar/cmdline"
#define NMI_STORM_RERUNS 20 // runs of the programs an NMI storm may ask for

_Static_assert(CMDLINE_CPUS == MAX_CPUS, "run=...@CPU accepts exactly the CPUs the kernel supports");

uint64_t boot_tsc;
static struct mb2_info boot_info;
static struct cmdline_options options;
static int fates[MAX_CPUS];                   // what each CPU's init ended with (0 = every program passed)
static char lists[MAX_CPUS][CMDLINE_RUN_MAX]; // each CPU's share of the run= list

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
    char crash_cpu[8] = ""; // crash=hang@CPU names its CPU, as it was given
    if (options.crash_cpu != 0)
        format_buf(crash_cpu, sizeof crash_cpu, "@%u", options.crash_cpu);
    kprintf("[boot] options: run='%s' ktest=%s timer=%s limit=%u nmistorm=%u crash=%s%s\n",
            options.run[0] ? options.run : "none", options.ktest ? "on" : "off", options.timer ? "on" : "off",
            options.limit_seconds, options.nmi_storm, cmdline_crash_name(options.crash), crash_cpu);
    process_set_time_limit(options.limit_seconds);
    if (options.trace[0] != '\0')
        kprintf("[boot] tracing the system calls of '%s'\n", options.trace);
    syscall_trace_set_programs(options.trace);
    fb_console_set_hold(options.hold_seconds);
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
    if (boot_info.has_framebuffer && boot_info.framebuffer_type == MB2_FRAMEBUFFER_EGA_TEXT) {
        vga_text_attach(boot_info.framebuffer_addr, boot_info.framebuffer_width, boot_info.framebuffer_height);
        kprintf("[boot] log mirrored to the %ux%u VGA text screen at %016llx\n", boot_info.framebuffer_width,
                boot_info.framebuffer_height, (unsigned long long)boot_info.framebuffer_addr);
    }
}

// Draws the log on the loader's RGB framebuffer (GOP, VBE) from here on, if it gave one that
// passes the checks; a refused one is reported and the boot goes on without it.
static void attach_framebuffer(void)
{
    if (!boot_info.has_framebuffer || boot_info.framebuffer_type == MB2_FRAMEBUFFER_EGA_TEXT)
        return;
    if (boot_info.framebuffer_type != MB2_FRAMEBUFFER_RGB) {
        kprintf("[boot] framebuffer of type %u is not RGB: the log is not drawn there\n", boot_info.framebuffer_type);
        return;
    }
    struct fb_format fmt = {
        .addr = boot_info.framebuffer_addr,
        .pitch = boot_info.framebuffer_pitch,
        .width = boot_info.framebuffer_width,
        .height = boot_info.framebuffer_height,
        .bpp = boot_info.framebuffer_bpp,
        .red_pos = boot_info.framebuffer_red_pos,
        .red_size = boot_info.framebuffer_red_size,
        .green_pos = boot_info.framebuffer_green_pos,
        .green_size = boot_info.framebuffer_green_size,
        .blue_pos = boot_info.framebuffer_blue_pos,
        .blue_size = boot_info.framebuffer_blue_size,
    };
    char why[128];
    if (fb_console_attach(&fmt, why, sizeof why) != 0) {
        kprintf("[boot] framebuffer console refused: %s\n", why);
        return;
    }
    unsigned cols, rows;
    fb_console_size(&cols, &rows);
    // The first line on the screen: the screen tests render the log from this line on.
    kprintf("[boot] log drawn on the %ux%ux%u framebuffer at %016llx: %u columns, %u rows\n", fmt.width, fmt.height,
            fmt.bpp, (unsigned long long)fmt.addr, cols, rows);
}

// Says what drawing the log on the framebuffer cost (it must stay small next to the run).
static void report_screen_cost(void)
{
    unsigned cols, rows, redraws;
    uint64_t ticks;
    fb_console_size(&cols, &rows);
    if (cols == 0 || tsc_hz() == 0)
        return;
    fb_console_cost(&redraws, &ticks);
    uint64_t since_boot = rdtsc() - boot_tsc;
    kprintf(
        "[boot] framebuffer console: %llu ms of the %llu ms since boot spent drawing, %u redraw(s) after scrolling\n",
        (unsigned long long)(ticks * 1000 / tsc_hz()), (unsigned long long)(since_boot * 1000 / tsc_hz()), redraws);
}

// Ends the run: the screen shows its last line, then QEMU's isa-debug-exit gets the exit code;
// on a PC without that device the kernel says the run is over and halts.
static __attribute__((noreturn)) void end_of_run(bool ok)
{
    fb_console_hold();
    fb_console_flush();
    qemu_exit(ok ? QEMU_EXIT_SUCCESS : QEMU_EXIT_FAILURE);
    kprintf("[boot] no isa-debug-exit device: halting\n");
    kprintf("[boot] the run is over (%s): the machine can be switched off\n", ok ? "success" : "failure");
    fb_console_flush();
    cpu_halt_forever();
}

// Runs this CPU's init with its share of the run= list; returns its fate (0 = every program
// passed). Every CPU with a list runs this at the same time (smp_run).
static int run_programs(unsigned cpu)
{
    int fate = process_spawn_first(cpu, "init", lists[cpu]);
    if (fate < 0)
        kprintf("[boot] cpu%u could not start init: error %d\n", cpu, fate);
    else if (fate & SPAWN_FAULTED)
        kprintf("[boot] cpu%u: init was stopped by a fault: vector %d\n", cpu, fate & 0xff);
    else if (fate & SPAWN_TIMED_OUT)
        kprintf("[boot] cpu%u: init was stopped: it used up its time limit\n", cpu);
    else
        kprintf("[boot] cpu%u: init ended with status %d\n", cpu, fate);
    return fate;
}

// An AP's work: its programs (smp.c's ap_main calls this on the AP).
static void run_programs_here(unsigned cpu) { fates[cpu] = run_programs(cpu); }

// The work of an AP with no programs: nothing, so it goes on to halt.
static void no_programs(unsigned cpu) { (void)cpu; }

// Splits the run= list by CPU; returns a bit per CPU that has programs, or reports items placed
// on a CPU that is not online (they cannot run: the run fails) and counts them in *failures.
static uint32_t place_programs(int *failures)
{
    uint32_t busy = 0;
    unsigned online = smp_online_cpus();
    uint32_t named = cmdline_run_cpus(options.run); // the CPUs items name with @N (or no @)
    for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++) {
        size_t n = cmdline_run_list_for_cpu(options.run, cpu, lists[cpu], sizeof lists[cpu]);
        if (cpu >= online) {
            if (named & (1u << cpu)) {
                kprintf("[boot] run=: cpu%u is not online (%u CPU(s)): its programs do not run\n", cpu, online);
                ++*failures;
            }
            lists[cpu][0] = '\0';
        } else if (n > 0) {
            busy |= 1u << cpu;
        }
    }
    if (options.nmi_storm && (busy & 2)) {
        kprintf("[boot] nmistorm= needs cpu1 to send the NMIs: cpu1's programs do not run\n");
        busy &= ~2u;
        ++*failures;
    }
    for (unsigned cpu = 0; cpu < online; cpu++)
        if (busy & (1u << cpu))
            kprintf("[boot] cpu%u runs '%s'\n", cpu, lists[cpu]);
    return busy;
}

// Runs every CPU's programs at once and waits for all of them; returns how many CPUs' inits
// failed.
static int run_everywhere(int *failures)
{
    uint32_t busy = 0;
    if (options.run[0] == 0)
        kprintf("[boot] run=none: no ring-3 programs\n");
    else
        busy = place_programs(failures);
    if (busy & ~1u)
        console_tag_lines(true); // several CPUs print at once from here on: say which one
    // Every AP gets its work now, the idle ones none: they halt instead of waiting on.
    for (unsigned cpu = 1; cpu < smp_online_cpus(); cpu++)
        smp_run(cpu, (busy & (1u << cpu)) ? run_programs_here : no_programs);
    int failed = 0;
    if (busy & 1) {
        int fate = run_programs(0);
        // nmistorm=: the NMIs are meant to land in the programs and the entries, so run the
        // programs again (a bounded number of times) while cpu1 is still sending; every run
        // must pass.
        for (int again = 0; again < NMI_STORM_RERUNS && fate == 0 && nmi_storm_sending(); again++) {
            kprintf("[boot] nmistorm: the storm is not over, running the programs again\n");
            fate = run_programs(0);
        }
        failed += fate != 0;
    }
    for (unsigned cpu = 1; cpu < MAX_CPUS; cpu++) {
        if (busy & (1u << cpu)) {
            smp_wait(cpu);
            failed += fates[cpu] != 0;
        }
    }
    console_tag_lines(false); // only cpu0 prints from here on
    return failed;
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
    mitigations_init(options.mitigations, options.mitigation_list,
                     options.mitigations_given); // the same, for the protections
    pti_boot(); // patches the CR3-switch sites (mitigations_init asked for PTI or not): likewise

    uint64_t max_phys = physmem_init(&boot_info, info_phys);
    paging_init_kernel(max_phys);
    pti_init(); // the user tables' shared upper half, before any process
    attach_framebuffer();
    modules_init(&boot_info);
    ksyms_init(module_find(KSYMS_MODULE));

    idt_init(); // one IDT for every CPU; cpu_init loads it
    int failures = cpu_init(0);
    char vendor[16], brand[64], hypervisor[16];
    cpu_identify(vendor, brand, hypervisor);
    kprintf("[cpu] cpu0 %s '%s'%s%s\n", vendor, brand, hypervisor[0] ? " hypervisor " : "", hypervisor);

    pic_init();
    timer_init();
    tsc_calibrate();
    kprintf("[timer] PIT at %d Hz; TSC %llu Hz (%s)\n", TIMER_HZ, (unsigned long long)tsc_hz(), tsc_source());
    if (!options.timer) {
        pic_mask_all();
        kprintf("[timer] timer=off: no periodic tick, so limit= cannot stop a program\n");
    }
    nmi_storm_request(options.nmi_storm); // before the APs start: cpu1 reads it
    failures += smp_start_cpus(&boot_info, options.timer);
    watchdog_init(options.watchdog_seconds, options.timer);
    irq_enable();

    crash_if_requested(options.crash, options.crash_cpu);
    if (options.ktest)
        failures += ktest_run();

    nmi_storm_start();
    int fate = run_everywhere(&failures);
    failures += nmi_storm_finish();
    console_print_recorded(); // what NMI, #MC and #DB handlers recorded, before the boot ends
    nmi_report_totals();      // what the NMI and #DB handlers only counted, now that nothing runs
    debug_trap_report();
    bool ok = failures == 0 && fate == 0;
    // Beside the benchmark's table on the screen: what a TSC tick is on this machine.
    kprintf("[timer] the TSC ticks at %llu Hz, calibrated against the %s\n", (unsigned long long)tsc_hz(),
            tsc_source());
    report_screen_cost();
    kprintf("[boot] done: %s\n", ok ? "success" : "failure");
    end_of_run(ok);
}
