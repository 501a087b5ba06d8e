// SPDX-License-Identifier: MIT
// Host tests of src/core/cmdline.c: each key's accepted values, each kind of refusal and its
// message, and the word splitting around them.
#include "check.h"

#include "core/cmdline.h"
#include "core/string.h"

// The messages one parse reported.
struct reports {
    char lines[16][320];
    int count;
};

// Keep a reported message.
static void collect(void *ctx, const char *message)
{
    struct reports *r = ctx;
    if (r->count < 16) {
        size_t n = strlen(message);
        if (n >= sizeof r->lines[0])
            n = sizeof r->lines[0] - 1;
        memcpy(r->lines[r->count], message, n);
        r->lines[r->count][n] = 0;
    }
    r->count++;
}

static struct cmdline_options opt;
static struct reports rep;

// Parse text over the defaults, collecting reports; returns the refused count.
static int parse(const char *text)
{
    cmdline_defaults(&opt);
    memset(&rep, 0, sizeof rep);
    return cmdline_parse(text, &opt, collect, &rep);
}

static void defaults_run_selftest_and_bench_with_ktest_on(void)
{
    cmdline_defaults(&opt);
    CHECK_STR(opt.run, "selftest,bench");
    CHECK(opt.ktest);
    CHECK_EQ(opt.crash, CRASH_NONE);
}

static void an_empty_or_missing_line_keeps_the_defaults(void)
{
    CHECK_EQ(parse(""), 0);
    CHECK_STR(opt.run, "selftest,bench");
    CHECK_EQ(parse("   \t  "), 0);
    CHECK_EQ(parse(NULL), 0);
    CHECK_EQ(rep.count, 0);
}

static void run_takes_a_list_of_programs_with_optional_arguments(void)
{
    CHECK_EQ(parse("run=bench"), 0);
    CHECK_STR(opt.run, "bench");
    CHECK_EQ(parse("run=selftest,crash:gp,bench"), 0);
    CHECK_STR(opt.run, "selftest,crash:gp,bench");
    CHECK_EQ(parse("run=my_prog-2:v1.2-rc_3"), 0);
    CHECK_STR(opt.run, "my_prog-2:v1.2-rc_3");
    CHECK_EQ(parse("run=bench:batches=50:calls=400"), 0); // init splits the argument at ':'
    CHECK_STR(opt.run, "bench:batches=50:calls=400");
    CHECK_EQ(rep.count, 0);
}

static void run_none_means_no_program(void)
{
    CHECK_EQ(parse("run=none"), 0);
    CHECK_STR(opt.run, "");
}

static void ktest_takes_on_or_off(void)
{
    CHECK_EQ(parse("ktest=off"), 0);
    CHECK(!opt.ktest);
    CHECK_EQ(parse("ktest=off ktest=on"), 0);
    CHECK(opt.ktest);
}

static void crash_takes_each_failure_by_name(void)
{
    CHECK_EQ(parse("crash=panic"), 0);
    CHECK_EQ(opt.crash, CRASH_PANIC);
    CHECK_EQ(parse("crash=triple"), 0);
    CHECK_EQ(opt.crash, CRASH_TRIPLE);
    CHECK_EQ(parse("crash=hang"), 0);
    CHECK_EQ(opt.crash, CRASH_HANG);
    CHECK_EQ(parse("crash=pagefault"), 0);
    CHECK_EQ(opt.crash, CRASH_PAGEFAULT);
    CHECK_EQ(parse("crash=stackoverflow"), 0);
    CHECK_EQ(opt.crash, CRASH_STACK_OVERFLOW);
    CHECK_EQ(parse("crash=panicall"), 0);
    CHECK_EQ(opt.crash, CRASH_PANIC_ALL);
    CHECK_EQ(parse("crash=deadlock"), 0);
    CHECK_EQ(opt.crash, CRASH_DEADLOCK);
    CHECK_EQ(opt.limit_seconds, 0);
    CHECK_EQ(parse("limit=30"), 0);
    CHECK_EQ(opt.limit_seconds, 30);
    CHECK_EQ(parse("limit=0"), 0);
    CHECK_EQ(opt.limit_seconds, 0);
    CHECK_EQ(parse("limit=86400"), 0);
    CHECK_EQ(parse("limit=86401"), 1);
    CHECK_STR(rep.lines[0], "refused option 'limit=86401': expected seconds, 0 to 86400");
    CHECK_EQ(opt.hold_seconds, 0);
    CHECK_EQ(parse("hold=5"), 0);
    CHECK_EQ(opt.hold_seconds, 5);
    CHECK_EQ(parse("hold=601"), 1);
    CHECK_STR(rep.lines[0], "refused option 'hold=601': expected seconds, 0 to 600");
    CHECK_EQ(parse("limit=-1"), 1);
    CHECK_EQ(parse("limit=1s"), 1);
    CHECK_EQ(parse("limit=999999"), 1);
    CHECK_EQ(parse("limit="), 1);
    CHECK_EQ(parse("limit=30 limit=-1"), 1);
    CHECK_EQ(opt.limit_seconds, 30); // a refusal keeps the last good value
    CHECK_EQ(opt.timer, true);
    CHECK_EQ(parse("timer=off"), 0);
    CHECK_EQ(opt.timer, false);
    CHECK_EQ(parse("timer=on"), 0);
    CHECK_EQ(opt.timer, true);
    CHECK_EQ(parse("timer=0"), 1);
    CHECK_STR(rep.lines[0], "refused option 'timer=0': expected on|off");
    CHECK_EQ(opt.nmi_storm, 0);
    CHECK_EQ(parse("nmistorm=1000"), 0);
    CHECK_EQ(opt.nmi_storm, 1000);
    CHECK_EQ(parse("nmistorm=1000000"), 0);
    CHECK_EQ(opt.nmi_storm, 1000000);
    CHECK_EQ(parse("nmistorm=1000001"), 1);
    CHECK_STR(rep.lines[0], "refused option 'nmistorm=1000001': expected a count, 0 to 1000000");
    CHECK_EQ(parse("nmistorm=99999999"), 1);
    CHECK_EQ(parse("nmistorm=-5"), 1);
    CHECK_EQ(parse("nmistorm="), 1);
    CHECK_EQ(parse("nmistorm=5000 nmistorm=5x"), 1);
    CHECK_EQ(opt.nmi_storm, 5000); // a refusal keeps the last good value
    CHECK_EQ(parse("nmistorm=0"), 0);
    CHECK_EQ(opt.nmi_storm, 0);
    CHECK_EQ(parse("crash=stackoverflow"), 0);
    CHECK_EQ(opt.crash, CRASH_STACK_OVERFLOW);
    CHECK_EQ(parse("crash=pagefault crash=none"), 0);
    CHECK_EQ(opt.crash, CRASH_NONE);
}

static void later_options_override_earlier_ones(void)
{
    CHECK_EQ(parse("run=a ktest=off run=b"), 0);
    CHECK_STR(opt.run, "b");
    CHECK(!opt.ktest);
}

static void spaces_and_tabs_between_options_are_all_separators(void)
{
    CHECK_EQ(parse("  run=bench \t\t ktest=off   crash=hang  "), 0);
    CHECK_STR(opt.run, "bench");
    CHECK(!opt.ktest);
    CHECK_EQ(opt.crash, CRASH_HANG);
}

static void a_leading_kernel_path_is_skipped_silently(void)
{
    CHECK_EQ(parse("/boot/lstar.elf run=bench"), 0);
    CHECK_STR(opt.run, "bench");
    CHECK_EQ(rep.count, 0);
    CHECK_EQ(parse("  /boot/lstar.elf"), 0);
    CHECK_EQ(rep.count, 0);
}

static void a_path_anywhere_but_first_is_refused(void)
{
    CHECK_EQ(parse("run=bench /boot/lstar.elf"), 1);
    CHECK_STR(rep.lines[0], "refused option '/boot/lstar.elf': expected key=value");
}

static void a_first_word_with_a_slash_and_an_equals_sign_is_an_option(void)
{
    CHECK_EQ(parse("root=/dev/sda run=bench"), 1);
    CHECK_STR(rep.lines[0], "ignored unknown option 'root=/dev/sda'");
    CHECK_STR(opt.run, "bench");
}

static void an_unknown_key_is_refused_and_parsing_continues(void)
{
    CHECK_EQ(parse("foo=1 ktest=off"), 1);
    CHECK_EQ(rep.count, 1);
    CHECK_STR(rep.lines[0], "ignored unknown option 'foo=1'");
    CHECK(!opt.ktest);
}

static void keys_are_case_sensitive(void)
{
    CHECK_EQ(parse("KTEST=off"), 1);
    CHECK(opt.ktest);
    CHECK_STR(rep.lines[0], "ignored unknown option 'KTEST=off'");
}

static void an_option_without_equals_is_refused(void)
{
    CHECK_EQ(parse("ktest"), 1);
    CHECK_STR(rep.lines[0], "refused option 'ktest': expected key=value");
    CHECK_EQ(parse("=on"), 1);
    CHECK_STR(rep.lines[0], "ignored unknown option '=on'");
}

static void a_bad_ktest_value_is_refused_and_the_previous_value_kept(void)
{
    CHECK_EQ(parse("ktest=off ktest=maybe"), 1);
    CHECK_STR(rep.lines[0], "refused option 'ktest=maybe': expected on|off");
    CHECK(!opt.ktest);
    CHECK_EQ(parse("ktest="), 1);
    CHECK_EQ(parse("ktest=ON"), 1);
    CHECK_EQ(parse("ktest=onn"), 1);
}

static void a_bad_crash_value_is_refused_and_the_previous_value_kept(void)
{
    CHECK_EQ(parse("crash=panic crash=explode"), 1);
    CHECK_STR(rep.lines[0], "refused option 'crash=explode': expected "
                            "none|panic|triple|hang|hang@CPU|pagefault|stackoverflow|panicall|deadlock (CPU 0 to 7)");
    CHECK_EQ(opt.crash, CRASH_PANIC);
    CHECK_EQ(parse("crash=pan"), 1);
    CHECK_EQ(parse("crash=panicky"), 1);
}

static void crash_hang_takes_the_cpu_to_hang(void)
{
    CHECK_EQ(parse("crash=hang"), 0);
    CHECK_EQ(opt.crash, CRASH_HANG);
    CHECK_EQ(opt.crash_cpu, 0);
    CHECK_EQ(parse("crash=hang@1"), 0);
    CHECK_EQ(opt.crash, CRASH_HANG);
    CHECK_EQ(opt.crash_cpu, 1);
    CHECK_EQ(parse("crash=hang@7"), 0);
    CHECK_EQ(opt.crash_cpu, 7);
    CHECK_EQ(parse("crash=hang@3 crash=hang"), 0); // a later crash= names its own CPU, or cpu0
    CHECK_EQ(opt.crash_cpu, 0);
    CHECK_EQ(parse("crash=hang@1 crash=panic"), 0);
    CHECK_EQ(opt.crash, CRASH_PANIC);
    CHECK_EQ(opt.crash_cpu, 0);
    CHECK_EQ(parse("crash=hang@2 crash=hang@8"), 1);
    CHECK_STR(rep.lines[0], "refused option 'crash=hang@8': expected "
                            "none|panic|triple|hang|hang@CPU|pagefault|stackoverflow|panicall|deadlock (CPU 0 to 7)");
    CHECK_EQ(opt.crash, CRASH_HANG); // a refusal keeps the last good value
    CHECK_EQ(opt.crash_cpu, 2);
    CHECK_EQ(parse("crash=hang@"), 1);
    CHECK_EQ(parse("crash=hang@all"), 1);
    CHECK_EQ(parse("crash=hang@01x"), 1);
    CHECK_EQ(parse("crash=hang@001"), 1);
    CHECK_EQ(parse("crash=hang@-1"), 1);
    CHECK_EQ(parse("crash=panic@1"), 1); // only a hang is placed on a CPU
}

static void watchdog_takes_seconds_or_off(void)
{
    cmdline_defaults(&opt);
    CHECK_EQ(opt.watchdog_seconds, CMDLINE_WATCHDOG_DEFAULT);
    CHECK_EQ(CMDLINE_WATCHDOG_DEFAULT, 10);
    CHECK_EQ(parse("watchdog=off"), 0);
    CHECK_EQ(opt.watchdog_seconds, 0);
    CHECK_EQ(parse("watchdog=1"), 0);
    CHECK_EQ(opt.watchdog_seconds, 1);
    CHECK_EQ(parse("watchdog=3600"), 0);
    CHECK_EQ(opt.watchdog_seconds, 3600);
    CHECK_EQ(parse("watchdog=off watchdog=30"), 0);
    CHECK_EQ(opt.watchdog_seconds, 30);
}

static void a_bad_watchdog_value_is_refused_and_the_previous_value_kept(void)
{
    CHECK_EQ(parse("watchdog=20 watchdog=0"), 1);
    CHECK_STR(rep.lines[0], "refused option 'watchdog=0': expected off or seconds, 1 to 3600");
    CHECK_EQ(opt.watchdog_seconds, 20);
    CHECK_EQ(parse("watchdog=3601"), 1);
    CHECK_STR(rep.lines[0], "refused option 'watchdog=3601': expected off or seconds, 1 to 3600");
    CHECK_EQ(opt.watchdog_seconds, CMDLINE_WATCHDOG_DEFAULT);
    CHECK_EQ(parse("watchdog="), 1);
    CHECK_EQ(parse("watchdog=on"), 1);
    CHECK_EQ(parse("watchdog=10s"), 1);
    CHECK_EQ(parse("watchdog=-1"), 1);
    CHECK_EQ(parse("watchdog=99999999"), 1);
    CHECK_EQ(parse("watchdog=OFF"), 1);
}

static void an_empty_run_value_is_refused(void)
{
    CHECK_EQ(parse("run=bench run="), 1);
    CHECK_STR(rep.lines[0], "refused option 'run=': expected a comma-separated list of programs, or none");
    CHECK_STR(opt.run, "bench");
}

static void empty_run_items_are_refused(void)
{
    CHECK_EQ(parse("run=a,,b"), 1);
    CHECK_STR(rep.lines[0], "refused option 'run=a,,b': item 2 is empty");
    CHECK_STR(opt.run, "selftest,bench");
    CHECK_EQ(parse("run=,a"), 1);
    CHECK_CONTAINS(rep.lines[0], "item 1 is empty");
    CHECK_EQ(parse("run=a,"), 1);
    CHECK_CONTAINS(rep.lines[0], "item 2 is empty");
    CHECK_EQ(parse("run=,"), 1);
}

static void run_items_with_other_characters_are_refused(void)
{
    CHECK_EQ(parse("run=Bench"), 1);
    CHECK_STR(rep.lines[0],
              "refused option 'run=Bench': item 1 has 'B': programs are [a-z0-9_-]+, arguments [a-z0-9_.=:-]+");
    CHECK_EQ(parse("run=a,b.c"), 1); // '.' only in arguments
    CHECK_CONTAINS(rep.lines[0], "item 2 has '.'");
    CHECK_EQ(parse("run=a:b,c=d"), 1); // '=' only in arguments
    CHECK_CONTAINS(rep.lines[0], "item 2 has '='");
    CHECK_EQ(parse("run=a;reboot"), 1);
    CHECK_EQ(parse("run=a\x01"), 1);
    CHECK_CONTAINS(rep.lines[0], "byte 0x01");
    CHECK_EQ(parse("run=\xc3\xa9"), 1);
    CHECK_CONTAINS(rep.lines[0], "byte 0xc3");
    CHECK_STR(opt.run, "selftest,bench");
}

static void run_items_need_a_name_and_a_non_empty_argument(void)
{
    CHECK_EQ(parse("run=:x"), 1);
    CHECK_CONTAINS(rep.lines[0], "item 1 has no program name before ':'");
    CHECK_EQ(parse("run=crash:"), 1);
    CHECK_CONTAINS(rep.lines[0], "item 1 has an empty argument after ':'");
    CHECK_EQ(parse("run=:"), 1);
}

static void a_run_value_of_127_characters_fits_and_128_do_not(void)
{
    char line[300] = "run=";
    for (int i = 0; i < 127; i++)
        line[4 + i] = 'a';
    line[4 + 127] = 0;
    CHECK_EQ(parse(line), 0);
    CHECK_EQ(strlen(opt.run), 127);

    line[4 + 127] = 'a';
    line[4 + 128] = 0;
    CHECK_EQ(parse(line), 1);
    CHECK_CONTAINS(rep.lines[0], "value longer than 127 characters");
    CHECK_STR(opt.run, "selftest,bench");
}

static void a_long_refused_option_is_quoted_cut_short(void)
{
    char line[1200];
    memcpy(line, "junk=", 5);
    for (int i = 5; i < 1100; i++)
        line[i] = 'x';
    line[1100] = 0;
    CHECK_EQ(parse(line), 1);
    CHECK_CONTAINS(rep.lines[0], "xxx...'");
    CHECK(strlen(rep.lines[0]) < 120);
}

static void every_refusal_is_counted(void)
{
    CHECK_EQ(parse("a=1 b c=3 ktest=no run=bench crash=x"), 5);
    CHECK_EQ(rep.count, 5);
    CHECK_STR(opt.run, "bench");
}

static void a_missing_report_callback_is_allowed(void)
{
    cmdline_defaults(&opt);
    CHECK_EQ(cmdline_parse("foo ktest=off bar=1", &opt, NULL, NULL), 2);
    CHECK(!opt.ktest);
}

static void run_items_may_be_placed_on_a_cpu_or_on_all(void)
{
    CHECK_EQ(parse("run=selftest@1,bench:quick@all,fuzz"), 0);
    CHECK_STR(opt.run, "selftest@1,bench:quick@all,fuzz");
    CHECK_EQ(parse("run=a@0,b@7"), 0);
    CHECK_STR(opt.run, "a@0,b@7");
    CHECK_EQ(parse("run=bench:batches=5:calls=9@3"), 0); // '@' ends the argument
    CHECK_STR(opt.run, "bench:batches=5:calls=9@3");
}

static void bad_placements_are_refused(void)
{
    CHECK_EQ(parse("run=a@8"), 1);
    CHECK_STR(rep.lines[0], "refused option 'run=a@8': item 1 has '@8': expected @0 to @7 or @all");
    CHECK_STR(opt.run, "selftest,bench");
    CHECK_EQ(parse("run=a,b@"), 1);
    CHECK_STR(rep.lines[0], "refused option 'run=a,b@': item 2 has '@': expected @0 to @7 or @all");
    CHECK_EQ(parse("run=a@any"), 1);
    CHECK_EQ(parse("run=a@1@2"), 1);
    CHECK_EQ(parse("run=a@01x"), 1);
    CHECK_EQ(parse("run=a@-1"), 1);
    CHECK_EQ(parse("run=@1"), 1);
    CHECK_STR(rep.lines[0], "refused option 'run=@1': item 1 is empty");
    CHECK_EQ(parse("run=a@1b"), 1);
}

// The list one CPU's init receives.
static const char *list_for(const char *run, unsigned cpu)
{
    static char out[CMDLINE_RUN_MAX];
    size_t n = cmdline_run_list_for_cpu(run, cpu, out, sizeof out);
    CHECK_EQ(n, strlen(out));
    return out;
}

static void each_cpu_gets_its_items_and_the_all_items_in_order(void)
{
    const char *run = "selftest@1,bench:quick@all,fuzz,crash:gp@2,stress@all";
    CHECK_STR(list_for(run, 0), "bench:quick,fuzz,stress");
    CHECK_STR(list_for(run, 1), "selftest,bench:quick,stress");
    CHECK_STR(list_for(run, 2), "bench:quick,crash:gp,stress");
    CHECK_STR(list_for(run, 3), "bench:quick,stress");
    CHECK_STR(list_for("selftest,bench", 0), "selftest,bench");
    CHECK_STR(list_for("selftest,bench", 1), "");
    CHECK_STR(list_for("a:x=1:y=2@1", 1), "a:x=1:y=2");
    CHECK_STR(list_for("", 0), "");
}

static void the_cpus_a_run_list_names_are_reported(void)
{
    CHECK_EQ(cmdline_run_cpus("selftest,bench"), 1u);
    CHECK_EQ(cmdline_run_cpus("a@1,b@3"), (1u << 1) | (1u << 3));
    CHECK_EQ(cmdline_run_cpus("a@7,b@all"), (1u << 7) | RUN_ON_ALL_MASK);
    CHECK_EQ(cmdline_run_cpus(""), 0u);
}

static void a_full_length_list_placed_on_all_fits_one_cpu(void)
{
    char run[CMDLINE_RUN_MAX];
    memset(run, 'a', sizeof run - 5);
    memcpy(run + sizeof run - 5, "@all", 5); // 127 characters
    CHECK_EQ(parse("ktest=on"), 0);
    char option[CMDLINE_RUN_MAX + 8] = "run=";
    memcpy(option + 4, run, sizeof run);
    CHECK_EQ(parse(option), 0);
    CHECK_EQ(strlen(list_for(opt.run, 5)), sizeof run - 5);
}

static void trace_takes_a_list_of_program_names_or_none(void)
{
    cmdline_defaults(&opt);
    CHECK_STR(opt.trace, "");
    CHECK_EQ(parse("trace=crash"), 0);
    CHECK_STR(opt.trace, "crash");
    CHECK_EQ(parse("trace=selftest,crash,my_prog-2"), 0);
    CHECK_STR(opt.trace, "selftest,crash,my_prog-2");
    CHECK_EQ(parse("trace=crash trace=none"), 0);
    CHECK_STR(opt.trace, "");
    CHECK_EQ(rep.count, 0);
}

static void a_bad_trace_value_is_refused_and_the_previous_value_kept(void)
{
    CHECK_EQ(parse("trace=crash trace="), 1);
    CHECK_STR(rep.lines[0], "refused option 'trace=': expected a comma-separated list of program names, or none");
    CHECK_STR(opt.trace, "crash");
    CHECK_EQ(parse("trace=crash trace=crash:calls"), 1);
    CHECK_STR(rep.lines[0], "refused option 'trace=crash:calls': item 1 has ':': program names are [a-z0-9_-]+");
    CHECK_STR(opt.trace, "crash");
    CHECK_EQ(parse("trace=crash,,bench"), 1);
    CHECK_STR(rep.lines[0], "refused option 'trace=crash,,bench': item 2 is empty");
    CHECK_EQ(parse("trace=crash,"), 1);
    CHECK_STR(rep.lines[0], "refused option 'trace=crash,': item 2 is empty");
    CHECK_EQ(parse("trace=Crash"), 1);
    CHECK_STR(rep.lines[0], "refused option 'trace=Crash': item 1 has 'C': program names are [a-z0-9_-]+");
    CHECK_EQ(parse("trace=crash@1"), 1);
    CHECK_STR(rep.lines[0], "refused option 'trace=crash@1': item 1 has '@': program names are [a-z0-9_-]+");
    CHECK_STR(opt.trace, "");
}

static void mitigations_default_to_off(void)
{
    cmdline_defaults(&opt);
    CHECK_EQ(opt.mitigations, MITIGATIONS_OFF);
    CHECK_EQ(opt.mitigation_list, 0);
    CHECK(!opt.mitigations_given);
    CHECK_EQ(parse("mitigations=off"), 0);
    CHECK(opt.mitigations_given);
    CHECK_EQ(parse("mitigations=bogus"), 1);
    CHECK(!opt.mitigations_given);
}

static void mitigations_take_off_auto_all(void)
{
    CHECK_EQ(parse("mitigations=auto"), 0);
    CHECK_EQ(opt.mitigations, MITIGATIONS_AUTO);
    CHECK_EQ(parse("mitigations=all"), 0);
    CHECK_EQ(opt.mitigations, MITIGATIONS_ALL);
    CHECK_EQ(parse("mitigations=all mitigations=off"), 0);
    CHECK_EQ(opt.mitigations, MITIGATIONS_OFF);
    CHECK_EQ(opt.mitigation_list, 0);
}

static void mitigations_take_a_list_of_names(void)
{
    CHECK_EQ(parse("mitigations=verw"), 0);
    CHECK_EQ(opt.mitigations, MITIGATIONS_LIST);
    CHECK_EQ(opt.mitigation_list, MITIGATION_VERW);
    CHECK_EQ(parse("mitigations=swapgs-fence,clear-regs,user-mask,direct-dispatch,retpoline,verw,rsb,ibpb,ibrs,pti"),
             0);
    CHECK_EQ(opt.mitigation_list, (1u << MITIGATION_COUNT) - 1);
    CHECK_EQ(parse("mitigations=pti,rsb"), 0);
    CHECK_EQ(opt.mitigation_list, MITIGATION_PTI | MITIGATION_RSB);
    CHECK_STR(cmdline_mitigation_name(0), "swapgs-fence");
    CHECK_STR(cmdline_mitigation_name(MITIGATION_COUNT - 1), "pti");
}

static void bad_mitigations_values_are_refused_with_a_reason(void)
{
    CHECK_EQ(parse("mitigations=all mitigations=spectre"), 1);
    CHECK_STR(rep.lines[0], "refused option 'mitigations=spectre': item 1 'spectre' is not a protection: expected "
                            "off, auto, all or names among swapgs-fence,clear-regs,user-mask,direct-dispatch,"
                            "retpoline,verw,rsb,ibpb,ibrs,pti");
    CHECK_EQ(opt.mitigations, MITIGATIONS_ALL); // the previous value stays
    CHECK_EQ(parse("mitigations="), 1);
    CHECK_STR(rep.lines[0],
              "refused option 'mitigations=': expected off, auto, all or a comma-separated list of protections");
    CHECK_EQ(parse("mitigations=verw,,rsb"), 1);
    CHECK_STR(rep.lines[0], "refused option 'mitigations=verw,,rsb': item 2 is empty");
    CHECK_EQ(parse("mitigations=verw,"), 1);
    CHECK_STR(rep.lines[0], "refused option 'mitigations=verw,': item 2 is empty");
    CHECK_EQ(parse("mitigations=verw,off"), 1);
    CHECK_STR(rep.lines[0], "refused option 'mitigations=verw,off': 'off' stands alone, not in a list");
    CHECK_EQ(parse("mitigations=rsb,ibpb,rsb"), 1);
    CHECK_STR(rep.lines[0], "refused option 'mitigations=rsb,ibpb,rsb': item 3 names 'rsb' a second time");
    CHECK_EQ(parse("mitigations=VERW"), 1);
    CHECK_EQ(parse("mitigations=verw mitigations=ibrs,x"), 1);
    CHECK_EQ(opt.mitigation_list, MITIGATION_VERW);
}

// Run every test and print the totals; non-zero exit if any check failed.
int main(void)
{
    RUN(defaults_run_selftest_and_bench_with_ktest_on);
    RUN(mitigations_default_to_off);
    RUN(mitigations_take_off_auto_all);
    RUN(mitigations_take_a_list_of_names);
    RUN(bad_mitigations_values_are_refused_with_a_reason);
    RUN(an_empty_or_missing_line_keeps_the_defaults);
    RUN(run_takes_a_list_of_programs_with_optional_arguments);
    RUN(run_none_means_no_program);
    RUN(ktest_takes_on_or_off);
    RUN(crash_takes_each_failure_by_name);
    RUN(later_options_override_earlier_ones);
    RUN(spaces_and_tabs_between_options_are_all_separators);
    RUN(a_leading_kernel_path_is_skipped_silently);
    RUN(a_path_anywhere_but_first_is_refused);
    RUN(a_first_word_with_a_slash_and_an_equals_sign_is_an_option);
    RUN(an_unknown_key_is_refused_and_parsing_continues);
    RUN(keys_are_case_sensitive);
    RUN(an_option_without_equals_is_refused);
    RUN(a_bad_ktest_value_is_refused_and_the_previous_value_kept);
    RUN(a_bad_crash_value_is_refused_and_the_previous_value_kept);
    RUN(crash_hang_takes_the_cpu_to_hang);
    RUN(watchdog_takes_seconds_or_off);
    RUN(a_bad_watchdog_value_is_refused_and_the_previous_value_kept);
    RUN(an_empty_run_value_is_refused);
    RUN(empty_run_items_are_refused);
    RUN(run_items_with_other_characters_are_refused);
    RUN(run_items_need_a_name_and_a_non_empty_argument);
    RUN(a_run_value_of_127_characters_fits_and_128_do_not);
    RUN(a_long_refused_option_is_quoted_cut_short);
    RUN(every_refusal_is_counted);
    RUN(a_missing_report_callback_is_allowed);
    RUN(run_items_may_be_placed_on_a_cpu_or_on_all);
    RUN(bad_placements_are_refused);
    RUN(each_cpu_gets_its_items_and_the_all_items_in_order);
    RUN(the_cpus_a_run_list_names_are_reported);
    RUN(a_full_length_list_placed_on_all_fits_one_cpu);
    RUN(trace_takes_a_list_of_program_names_or_none);
    RUN(a_bad_trace_value_is_refused_and_the_previous_value_kept);
    return check_summary();
}
