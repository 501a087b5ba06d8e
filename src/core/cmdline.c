// SPDX-License-Identifier: MIT
// Command-line options: split into words, check each against its key's grammar, apply or refuse.
#include <stdarg.h>

#include "core/cmdline.h"
#include "core/format.h"
#include "core/string.h"

#define SHOWN_MAX 64 // an option longer than this is cut short ("...") when quoted in a message

// Where refusals go, and how many there were.
struct parser {
    cmdline_report report;
    void *ctx;
    int refused;
};

// crash= values, by kind: the one list the parser and the boot log both read.
static const char *const crash_names[] = {
    [CRASH_NONE] = "none",          [CRASH_PANIC] = "panic",         [CRASH_TRIPLE] = "triple",
    [CRASH_HANG] = "hang",          [CRASH_PAGEFAULT] = "pagefault", [CRASH_STACK_OVERFLOW] = "stackoverflow",
    [CRASH_PANIC_ALL] = "panicall", [CRASH_DEADLOCK] = "deadlock",
};
_Static_assert(sizeof crash_names / sizeof crash_names[0] == CRASH_KINDS, "a crash= kind without a name");

// The crash= value that names `how`.
const char *cmdline_crash_name(enum cmdline_crash how) { return how < CRASH_KINDS ? crash_names[how] : "?"; }

// Whether c separates options.
static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Whether the n bytes at s are exactly the string lit.
static bool equals(const char *s, size_t n, const char *lit) { return strlen(lit) == n && memcmp(s, lit, n) == 0; }

// Count a refused option and report "<verb> option '<word>'" plus ": <reason>" if given.
static void refuse(struct parser *p, const char *verb, const char *word, size_t len, const char *reason, ...)
{
    p->refused++;
    if (p->report == NULL)
        return;
    char msg[256];
    bool cut = len > SHOWN_MAX;
    int n = format_buf(msg, sizeof msg, "%s option '%.*s%s'", verb, (int)(cut ? SHOWN_MAX : len), word,
                       cut ? "..." : "");
    if (reason != NULL && n >= 0 && (size_t)n + 2 < sizeof msg) {
        msg[n++] = ':';
        msg[n++] = ' ';
        va_list ap;
        va_start(ap, reason);
        vformat_buf(msg + n, sizeof msg - (size_t)n, reason, ap);
        va_end(ap);
    }
    p->report(p->ctx, msg);
}

// Reads n decimal digits (1 to 7 of them) as a value of at most max; false if they are not that.
static bool parse_decimal(const char *v, size_t n, uint64_t max, uint64_t *value)
{
    uint64_t x = 0;
    bool digits = n > 0 && n <= 7;
    for (size_t i = 0; digits && i < n; i++) {
        digits = v[i] >= '0' && v[i] <= '9';
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    *value = x;
    return digits && x <= max;
}

// Reads a decimal value of at most max into *value, or refuses the option ("expected <what>,
// 0 to <max>") and leaves *value as it was.
static void parse_number(struct parser *p, const char *word, size_t len, const char *v, size_t n, unsigned max,
                         const char *what, unsigned *value)
{
    uint64_t x;
    if (!parse_decimal(v, n, max, &x))
        refuse(p, "refused", word, len, "expected %s, 0 to %u", what, max);
    else
        *value = (unsigned)x;
}

// Reads an on|off value into *flag, or refuses the option and leaves *flag as it was.
static void parse_on_off(struct parser *p, const char *word, size_t len, const char *v, size_t n, bool *flag)
{
    if (equals(v, n, "on"))
        *flag = true;
    else if (equals(v, n, "off"))
        *flag = false;
    else
        refuse(p, "refused", word, len, "expected on|off");
}

// Whether c may appear in a program name (arguments also allow '.', '=' and ':').
static bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; }

// Reads an item's placement, the text after '@': a CPU number below CMDLINE_CPUS, or "all".
// Returns the CPU, RUN_ON_ALL, or -1 if it is neither.
static int parse_placement(const char *v, size_t n)
{
    uint64_t cpu;
    if (equals(v, n, "all"))
        return RUN_ON_ALL;
    if (n > 0 && n <= 2 && parse_decimal(v, n, CMDLINE_CPUS - 1, &cpu))
        return (int)cpu;
    return -1;
}

// Check a run= value: comma-separated items NAME, NAME:ARG, each optionally followed by @CPU
// or @all. Returns NULL if it is good, otherwise writes a reason into why.
static const char *check_run_list(const char *v, size_t n, char *why, size_t whylen)
{
    size_t item = 1;
    size_t i = 0;
    for (;;) {
        size_t name = 0, arg = 0;
        bool colon = false;
        for (; i < n && v[i] != ',' && v[i] != '@'; i++) {
            char c = v[i];
            if (c == ':' && !colon) {
                colon = true;
            } else if (colon && (is_name_char(c) || c == '.' || c == '=' || c == ':')) {
                arg++;
            } else if (!colon && is_name_char(c)) {
                name++;
            } else {
                if (c > ' ' && c < 0x7f)
                    format_buf(why, whylen, "item %zu has '%c': programs are [a-z0-9_-]+, arguments [a-z0-9_.=:-]+",
                               item, c);
                else
                    format_buf(why, whylen,
                               "item %zu has byte 0x%02x: programs are [a-z0-9_-]+, arguments [a-z0-9_.=:-]+", item,
                               (unsigned char)c);
                return why;
            }
        }
        if (name == 0 && !colon) {
            format_buf(why, whylen, "item %zu is empty", item);
            return why;
        }
        if (name == 0) {
            format_buf(why, whylen, "item %zu has no program name before ':'", item);
            return why;
        }
        if (colon && arg == 0) {
            format_buf(why, whylen, "item %zu has an empty argument after ':'", item);
            return why;
        }
        if (i < n && v[i] == '@') {
            size_t at = ++i;
            while (i < n && v[i] != ',')
                i++;
            if (parse_placement(v + at, i - at) < 0) {
                format_buf(why, whylen, "item %zu has '@%.*s': expected @0 to @%d or @all", item, (int)(i - at), v + at,
                           CMDLINE_CPUS - 1);
                return why;
            }
        }
        if (i == n)
            return NULL;
        i++; // past the comma; a trailing comma leaves an empty last item
        item++;
    }
}

// Check a trace= value: comma-separated program names. Returns NULL if it is good, otherwise
// writes a reason into why.
static const char *check_name_list(const char *v, size_t n, char *why, size_t whylen)
{
    size_t item = 1, len = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || v[i] == ',') {
            if (len == 0) {
                format_buf(why, whylen, "item %zu is empty", item);
                return why;
            }
            item++;
            len = 0;
        } else if (is_name_char(v[i])) {
            len++;
        } else {
            if (v[i] > ' ' && v[i] < 0x7f)
                format_buf(why, whylen, "item %zu has '%c': program names are [a-z0-9_-]+", item, v[i]);
            else
                format_buf(why, whylen, "item %zu has byte 0x%02x: program names are [a-z0-9_-]+", item,
                           (unsigned char)v[i]);
            return why;
        }
    }
    return NULL;
}

// Length of the start of s that holds none of the characters in stops (like strcspn).
static size_t span_until(const char *s, const char *stops)
{
    size_t n = 0;
    while (s[n] && !strchr(stops, s[n]))
        n++;
    return n;
}

// Calls `each` for every item of a checked run= list with its text (placement cut off) and
// its placement: a CPU number, or RUN_ON_ALL. An item without '@' runs on cpu0.
static void for_each_run_item(const char *run, void (*each)(void *ctx, const char *item, size_t n, int where),
                              void *ctx)
{
    while (*run) {
        size_t n = span_until(run, ",");
        size_t text = span_until(run, "@,");
        int where = text < n ? parse_placement(run + text + 1, n - text - 1) : 0;
        each(ctx, run, text, where);
        run += n + (run[n] == ',');
    }
}

struct list_for_cpu {
    unsigned cpu;
    char *out;
    size_t size, len;
};

// for_each_run_item's callback for cmdline_run_list_for_cpu: appends the item if it is placed here.
static void append_if_here(void *ctx, const char *item, size_t n, int where)
{
    struct list_for_cpu *l = ctx;
    if (where != RUN_ON_ALL && where != (int)l->cpu)
        return;
    size_t need = n + (l->len > 0);
    if (l->len + need + 1 > l->size)
        return; // cannot happen for a list that fitted in CMDLINE_RUN_MAX and out of that size
    if (l->len > 0)
        l->out[l->len++] = ',';
    memcpy(l->out + l->len, item, n);
    l->len += n;
    l->out[l->len] = '\0';
}

// Writes the items of `run` placed on `cpu` into out (comma-separated, without their '@');
// returns how many bytes that is (0: nothing runs there). See cmdline.h.
size_t cmdline_run_list_for_cpu(const char *run, unsigned cpu, char *out, size_t size)
{
    struct list_for_cpu l = {cpu, out, size, 0};
    if (size > 0)
        out[0] = '\0';
    for_each_run_item(run, append_if_here, &l);
    return l.len;
}

// for_each_run_item's callback for cmdline_run_cpus: records the CPU an item names.
static void note_cpu(void *ctx, const char *item, size_t n, int where)
{
    (void)item, (void)n;
    uint32_t *mask = ctx;
    *mask |= where == RUN_ON_ALL ? RUN_ON_ALL_MASK : 1u << where;
}

// Returns a bit per CPU that some item names (bit 0 for items without '@'), and
// RUN_ON_ALL_MASK if an item says @all.
uint32_t cmdline_run_cpus(const char *run)
{
    uint32_t mask = 0;
    for_each_run_item(run, note_cpu, &mask);
    return mask;
}

static const char *const mitigation_names[] = {
#define MITIGATION_NAME(c, bit, name) [bit] = name,
    MITIGATION_LIST(MITIGATION_NAME)
#undef MITIGATION_NAME
};
_Static_assert(sizeof mitigation_names / sizeof mitigation_names[0] == MITIGATION_COUNT,
               "MITIGATION_COUNT (mitigation_list.h) must count MITIGATION_LIST");

const char *cmdline_mitigation_name(unsigned i) { return i < MITIGATION_COUNT ? mitigation_names[i] : "?"; }

// Reads a mitigations= list: comma-separated protection names, each at most once. Returns NULL
// and the bits in *bits if it is good, otherwise writes a reason into why.
static const char *parse_mitigation_list(const char *v, size_t n, uint32_t *bits, char *why, size_t whylen)
{
    uint32_t got = 0;
    size_t item = 1, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && v[i] != ',')
            continue;
        const char *name = v + start;
        size_t len = i - start;
        unsigned b = 0;
        while (b < MITIGATION_COUNT && !equals(name, len, mitigation_names[b]))
            b++;
        if (len == 0) {
            format_buf(why, whylen, "item %zu is empty", item);
            return why;
        }
        if (equals(name, len, "off") || equals(name, len, "auto") || equals(name, len, "all")) {
            format_buf(why, whylen, "'%.*s' stands alone, not in a list", (int)len, name);
            return why;
        }
        if (b == MITIGATION_COUNT) {
            format_buf(why, whylen, "item %zu '%.*s' is not a protection: expected off, auto, all or names among %s",
                       item, (int)(len > 24 ? 24 : len), name,
                       "swapgs-fence,clear-regs,user-mask,direct-dispatch,"
                       "retpoline,verw,rsb,ibpb,ibrs,pti");
            return why;
        }
        if (got & (1u << b)) {
            format_buf(why, whylen, "item %zu names '%s' a second time", item, mitigation_names[b]);
            return why;
        }
        got |= 1u << b;
        item++;
        start = i + 1;
    }
    *bits = got;
    return NULL;
}

// Apply one key=value word, or refuse it.
static void apply_option(struct parser *p, const char *word, size_t len, struct cmdline_options *o)
{
    const char *eq = NULL;
    for (size_t i = 0; i < len; i++) {
        if (word[i] == '=') {
            eq = word + i;
            break;
        }
    }
    if (eq == NULL) {
        refuse(p, "refused", word, len, "expected key=value");
        return;
    }
    size_t key_len = (size_t)(eq - word);
    const char *v = eq + 1;
    size_t n = len - key_len - 1;

    if (equals(word, key_len, "run")) {
        char why[128];
        const char *problem;
        if (n == 0)
            refuse(p, "refused", word, len, "expected a comma-separated list of programs, or none");
        else if (n > CMDLINE_RUN_MAX - 1)
            refuse(p, "refused", word, len, "value longer than %d characters", CMDLINE_RUN_MAX - 1);
        else if (equals(v, n, "none"))
            o->run[0] = '\0';
        else if ((problem = check_run_list(v, n, why, sizeof why)) != NULL)
            refuse(p, "refused", word, len, "%s", problem);
        else {
            memcpy(o->run, v, n);
            o->run[n] = '\0';
        }
    } else if (equals(word, key_len, "trace")) {
        // Programs whose system calls the kernel prints (syscall_trace.c); none = trace nothing.
        char why[96];
        const char *problem;
        if (n == 0)
            refuse(p, "refused", word, len, "expected a comma-separated list of program names, or none");
        else if (n > CMDLINE_RUN_MAX - 1)
            refuse(p, "refused", word, len, "value longer than %d characters", CMDLINE_RUN_MAX - 1);
        else if (equals(v, n, "none"))
            o->trace[0] = '\0';
        else if ((problem = check_name_list(v, n, why, sizeof why)) != NULL)
            refuse(p, "refused", word, len, "%s", problem);
        else {
            memcpy(o->trace, v, n);
            o->trace[n] = '\0';
        }
    } else if (equals(word, key_len, "timer")) {
        parse_on_off(p, word, len, v, n, &o->timer);
    } else if (equals(word, key_len, "ktest")) {
        parse_on_off(p, word, len, v, n, &o->ktest);
    } else if (equals(word, key_len, "limit")) {
        // Seconds of ring-3 time a program may use before the kernel stops it; 0 = no limit.
        parse_number(p, word, len, v, n, CMDLINE_LIMIT_MAX, "seconds", &o->limit_seconds);
    } else if (equals(word, key_len, "nmistorm")) {
        // NMIs the second CPU sends the first while the programs run; 0 = none.
        parse_number(p, word, len, v, n, CMDLINE_NMISTORM_MAX, "a count", &o->nmi_storm);
    } else if (equals(word, key_len, "hold")) {
        // Seconds the end of the run stays on the screen before the kernel exits; 0 = none.
        parse_number(p, word, len, v, n, CMDLINE_HOLD_MAX, "seconds", &o->hold_seconds);
    } else if (equals(word, key_len, "watchdog")) {
        // Seconds a CPU's tick may stand still before another CPU makes it panic; off = never.
        uint64_t seconds;
        if (equals(v, n, "off"))
            o->watchdog_seconds = 0;
        else if (parse_decimal(v, n, CMDLINE_WATCHDOG_MAX, &seconds) && seconds > 0)
            o->watchdog_seconds = (unsigned)seconds;
        else
            refuse(p, "refused", word, len, "expected off or seconds, 1 to %u", CMDLINE_WATCHDOG_MAX);
    } else if (equals(word, key_len, "mitigations")) {
        // The entry protections (arch/x86_64/mitigations.c decides what each becomes on this CPU).
        char why[200];
        const char *problem;
        uint32_t bits = 0;
        if (equals(v, n, "off"))
            o->mitigations = MITIGATIONS_OFF, o->mitigation_list = 0, o->mitigations_given = true;
        else if (equals(v, n, "auto"))
            o->mitigations = MITIGATIONS_AUTO, o->mitigation_list = 0, o->mitigations_given = true;
        else if (equals(v, n, "all"))
            o->mitigations = MITIGATIONS_ALL, o->mitigation_list = 0, o->mitigations_given = true;
        else if (n == 0)
            refuse(p, "refused", word, len, "expected off, auto, all or a comma-separated list of protections");
        else if ((problem = parse_mitigation_list(v, n, &bits, why, sizeof why)) != NULL)
            refuse(p, "refused", word, len, "%s", problem);
        else
            o->mitigations = MITIGATIONS_LIST, o->mitigation_list = bits, o->mitigations_given = true;
    } else if (equals(word, key_len, "crash")) {
        for (size_t i = 0; i < CRASH_KINDS; i++) {
            if (equals(v, n, crash_names[i])) {
                o->crash = (enum cmdline_crash)i;
                o->crash_cpu = 0;
                return;
            }
        }
        uint64_t cpu; // hang@CPU: the hang on that CPU, for the watchdog of the others to catch
        if (n > 5 && memcmp(v, "hang@", 5) == 0 && n - 5 <= 2 && parse_decimal(v + 5, n - 5, CMDLINE_CPUS - 1, &cpu)) {
            o->crash = CRASH_HANG;
            o->crash_cpu = (unsigned)cpu;
            return;
        }
        refuse(p, "refused", word, len,
               "expected none|panic|triple|hang|hang@CPU|pagefault|stackoverflow|panicall|deadlock (CPU 0 to %d)",
               CMDLINE_CPUS - 1);
    } else {
        refuse(p, "ignored unknown", word, len, NULL);
    }
}

// Set the defaults: run the self-test and the benchmark, with the kernel self-checks first.
void cmdline_defaults(struct cmdline_options *o)
{
    memset(o, 0, sizeof *o);
    memcpy(o->run, "selftest,bench", sizeof "selftest,bench");
    o->ktest = true;
    o->timer = true;
    o->crash = CRASH_NONE;
    o->watchdog_seconds = CMDLINE_WATCHDOG_DEFAULT;
}

// Read every option on the line; see cmdline.h.
int cmdline_parse(const char *text, struct cmdline_options *o, cmdline_report report, void *ctx)
{
    struct parser p = {report, ctx, 0};
    if (text == NULL)
        return 0;
    bool first = true;
    const char *s = text;
    for (;;) {
        while (is_space(*s))
            s++;
        if (*s == '\0')
            break;
        const char *word = s;
        while (*s != '\0' && !is_space(*s))
            s++;
        size_t len = (size_t)(s - word);

        bool has_slash = false, has_eq = false;
        for (size_t i = 0; i < len; i++) {
            has_slash |= word[i] == '/';
            has_eq |= word[i] == '=';
        }
        if (!(first && has_slash && !has_eq))
            apply_option(&p, word, len, o);
        first = false;
    }
    return p.refused;
}
