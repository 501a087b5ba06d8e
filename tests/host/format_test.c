// SPDX-License-Identifier: MIT
// Host tests of src/core/format.c: each conversion, flag and length, checked against the text
// it must produce, and a sweep of combinations checked against the host's snprintf.
#include "check.h"

#include <stddef.h>

#include "core/format.h"

static char buf[512];

// Check that format_buf produces `expected` and returns its length.
#define EXPECT(expected, ...)                              \
    do {                                                   \
        int n_ = format_buf(buf, sizeof buf, __VA_ARGS__); \
        CHECK_STR(buf, expected);                          \
        CHECK_EQ(n_, (long long)sizeof(expected) - 1);     \
    } while (0)

// The unknown and float conversions below are wrong on purpose; the compiler must not refuse them.
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-overflow"

static void percent_d_prints_signed_decimal(void)
{
    EXPECT("0", "%d", 0);
    EXPECT("42", "%d", 42);
    EXPECT("-42", "%i", -42);
    EXPECT("2147483647", "%d", INT32_MAX);
    EXPECT("-2147483648", "%d", INT32_MIN);
}

static void sixty_four_bit_extremes_print_exactly(void)
{
    EXPECT("-9223372036854775808", "%lld", (long long)INT64_MIN);
    EXPECT("-9223372036854775808", "%ld", (long)INT64_MIN);
    EXPECT("9223372036854775807", "%jd", (intmax_t)INT64_MAX);
    EXPECT("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
    EXPECT("ffffffffffffffff", "%lx", (unsigned long)UINT64_MAX);
    EXPECT("FFFFFFFFFFFFFFFF", "%llX", (unsigned long long)UINT64_MAX);
    EXPECT("1777777777777777777777", "%llo", (unsigned long long)UINT64_MAX);
    EXPECT("18446744073709551615", "%zu", (size_t)SIZE_MAX);
    EXPECT("-9223372036854775808", "%td", (ptrdiff_t)PTRDIFF_MIN);
    EXPECT("18446744073709551615", "%ju", (uintmax_t)UINTMAX_MAX);
}

static void short_lengths_truncate_to_their_type(void)
{
    EXPECT("-1", "%hhd", 255);
    EXPECT("0", "%hhu", 256);
    EXPECT("ff", "%hhx", -1);
    EXPECT("-1", "%hd", 65535);
    EXPECT("0", "%hu", 65536);
    EXPECT("-32768", "%hd", 32768);
}

static void width_pads_with_spaces_on_the_left_or_right(void)
{
    EXPECT("   42", "%5d", 42);
    EXPECT("42   |", "%-5d|", 42);
    EXPECT("12345678", "%3d", 12345678);
    EXPECT("  abc", "%5s", "abc");
    EXPECT("abc  |", "%-5s|", "abc");
    EXPECT("  x", "%3c", 'x');
    EXPECT("x  |", "%-3c|", 'x');
}

static void zero_flag_pads_after_the_sign_and_prefix(void)
{
    EXPECT("00042", "%05d", 42);
    EXPECT("-0042", "%05d", -42);
    EXPECT("+0042", "%+05d", 42);
    EXPECT("0x000000ff", "%#010x", 255);
    EXPECT("7       |", "%-08d|", 7);
}

static void precision_sets_minimum_digits_and_disables_zero_flag(void)
{
    EXPECT("007", "%.3d", 7);
    EXPECT("    -007", "%8.3d", -7);
    EXPECT("     007", "%08.3d", 7);
    EXPECT("", "%.0d", 0);
    EXPECT("   ", "%3.0x", 0);
    EXPECT("0", "%.0d%s", 0, "0");
}

static void plus_and_space_flags_sign_only_signed_conversions(void)
{
    EXPECT("+42", "%+d", 42);
    EXPECT("-42", "%+d", -42);
    EXPECT(" 42", "% d", 42);
    EXPECT("+42", "%+ d", 42);
    EXPECT("42", "%+u", 42u);
    EXPECT("2a", "% x", 42u);
}

static void hash_flag_adds_the_base_prefix(void)
{
    EXPECT("0xff", "%#x", 255);
    EXPECT("0XFF", "%#X", 255);
    EXPECT("0", "%#x", 0);
    EXPECT("010", "%#o", 8);
    EXPECT("0", "%#o", 0);
    EXPECT("0", "%#.0o", 0);
    EXPECT("00010", "%#.5o", 8);
}

static void star_takes_width_and_precision_from_the_arguments(void)
{
    EXPECT("   42", "%*d", 5, 42);
    EXPECT("42   |", "%*d|", -5, 42);
    EXPECT("007", "%.*d", 3, 7);
    EXPECT("7", "%.*d", -1, 7);
    EXPECT("abc", "%.*s", 3, "abcdef");
    EXPECT("  ab|", "%*.*s|", 4, 2, "abcdef");
}

static void percent_s_of_null_prints_null_in_parentheses(void)
{
    const char *volatile nothing = NULL;
    EXPECT("(null)", "%s", nothing);
    EXPECT("[(null)]", "[%s]", nothing);
}

static void percent_s_with_precision_never_reads_past_it(void)
{
    char *p = malloc(3); // unterminated: AddressSanitizer catches an overread
    p[0] = 'a', p[1] = 'b', p[2] = 'c';
    EXPECT("abc", "%.3s", p);
    EXPECT("ab", "%.2s", p);
    free(p);
}

static void percent_c_and_percent_percent_print_one_character(void)
{
    EXPECT("x", "%c", 'x');
    EXPECT("100%", "100%%");
    EXPECT("%d", "%%d");
    int n = format_buf(buf, sizeof buf, "%c", 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(buf[0], 0);
}

static void percent_p_prints_0x_and_sixteen_lowercase_hex_digits(void)
{
    EXPECT("0x0000000000001234", "%p", (void *)0x1234);
    EXPECT("0x0000000000000000", "%p", (void *)0);
    EXPECT("0xffffffff80000000", "%p", (void *)0xffffffff80000000ull);
    EXPECT("  0x00000000000000ab", "%20p", (void *)0xab);
    EXPECT("0x00000000000000ab  |", "%-20p|", (void *)0xab);
}

static void unknown_conversions_print_literally_and_take_no_argument(void)
{
    EXPECT("%q", "%q");
    EXPECT("%5q", "%5q");
    EXPECT("%lq", "%lq");
    EXPECT("%f 42", "%f %d", 42);
    EXPECT("%n", "%n");
    EXPECT("%L7", "%L%d", 7);
}

static void a_format_ending_inside_a_conversion_prints_what_is_there(void)
{
    EXPECT("abc%", "abc%");
    EXPECT("%-5", "%-5");
    EXPECT("x%l", "x%l");
    EXPECT("%.", "%.");
}

static void huge_widths_are_clamped_rather_than_emitted_forever(void)
{
    int n = format_buf(buf, sizeof buf, "%*d", INT32_MAX, 1);
    CHECK_EQ(n, 4096);
    n = format_buf(buf, sizeof buf, "%99999999999999999999d", 1);
    CHECK_EQ(n, 4096);
    n = format_buf(buf, sizeof buf, "%*d", INT32_MIN, 1);
    CHECK_EQ(n, 4096);
    CHECK_EQ(buf[0], '1');
}

static void format_buf_truncates_but_returns_the_full_length(void)
{
    char small[5];
    CHECK_EQ(format_buf(small, sizeof small, "hello %s", "world"), 11);
    CHECK_STR(small, "hell");
    CHECK_EQ(format_buf(small, sizeof small, "abcd"), 4);
    CHECK_STR(small, "abcd");
    CHECK_EQ(format_buf(small, 1, "abc"), 3);
    CHECK_STR(small, "");
    CHECK_EQ(format_buf(NULL, 0, "%d", 12345), 5);
}

// A sink that appends to a buffer and counts its calls.
struct collect {
    char text[256];
    size_t len;
    int calls;
};

// Append a piece of formatted output.
static void collect_sink(void *ctx, const char *s, size_t n)
{
    struct collect *c = ctx;
    for (size_t i = 0; i < n && c->len + 1 < sizeof c->text; i++)
        c->text[c->len++] = s[i];
    c->text[c->len] = 0;
    c->calls++;
}

// Call format_v with variadic arguments.
static int collect_format(struct collect *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = format_v(collect_sink, c, fmt, ap);
    va_end(ap);
    return n;
}

static void format_v_sends_everything_to_the_sink_and_counts_it(void)
{
    struct collect c = {0};
    int n = collect_format(&c, "pid %d: %-4s|%x", 7, "ok", 0xbeef);
    CHECK_STR(c.text, "pid 7: ok  |beef");
    CHECK_EQ(n, 16);
    CHECK(c.calls > 0);
    struct collect empty = {0};
    CHECK_EQ(collect_format(&empty, ""), 0);
    CHECK_EQ(empty.calls, 0);
}

// Compare one format against the host's snprintf with an integer of the right type.
static bool same_as_host(const char *fmt, const char *length, char conv, int64_t v)
{
    char ours[256], host[256];
    int a, b;
    bool is_signed = conv == 'd' || conv == 'i';
    if (length[0] == 0 || length[0] == 'h') {
        a = is_signed ? format_buf(ours, sizeof ours, fmt, (int)v) : format_buf(ours, sizeof ours, fmt, (unsigned)v);
        b = is_signed ? snprintf(host, sizeof host, fmt, (int)v) : snprintf(host, sizeof host, fmt, (unsigned)v);
    } else {
        a = is_signed ? format_buf(ours, sizeof ours, fmt, (long long)v)
                      : format_buf(ours, sizeof ours, fmt, (unsigned long long)v);
        b = is_signed ? snprintf(host, sizeof host, fmt, (long long)v)
                      : snprintf(host, sizeof host, fmt, (unsigned long long)v);
    }
    if (a != b || !check_streq(ours, host)) {
        printf("  format \"%s\" value %lld: ours \"%s\" (%d), host \"%s\" (%d)\n", fmt, (long long)v, ours, a, host, b);
        return false;
    }
    return true;
}

static void integer_conversions_match_the_c_standard_for_every_flag_combination(void)
{
    static const char *const widths[] = {"", "1", "5", "25"};
    static const char *const precisions[] = {"", ".", ".0", ".1", ".5", ".30"};
    static const char *const lengths[] = {"", "hh", "h", "l", "ll", "z", "j", "t"};
    static const char convs[] = "diuxXo";
    static const int64_t values[] = {
        0, 1, -1, 7, 8, 255, -128, 4096, INT32_MIN, INT32_MAX, INT64_MIN, INT64_MAX, (int64_t)0x8000000000000001ull};
    int mismatches = 0;
    for (unsigned flags = 0; flags < 32; flags++) {
        char flagstr[6];
        size_t nf = 0;
        for (unsigned bit = 0; bit < 5; bit++)
            if (flags & (1u << bit))
                flagstr[nf++] = "-0+ #"[bit];
        flagstr[nf] = 0;
        for (size_t w = 0; w < sizeof widths / sizeof *widths; w++)
            for (size_t p = 0; p < sizeof precisions / sizeof *precisions; p++)
                for (size_t l = 0; l < sizeof lengths / sizeof *lengths; l++)
                    for (size_t c = 0; c < sizeof convs - 1; c++)
                        for (size_t v = 0; v < sizeof values / sizeof *values; v++) {
                            char fmt[32];
                            snprintf(fmt, sizeof fmt, "[%%%s%s%s%s%c]", flagstr, widths[w], precisions[p], lengths[l],
                                     convs[c]);
                            if (!same_as_host(fmt, lengths[l], convs[c], values[v]) && ++mismatches > 20)
                                goto done;
                        }
    }
done:
    CHECK_EQ(mismatches, 0);
}

static void string_and_char_conversions_match_the_c_standard(void)
{
    static const struct {
        const char *fmt;
        char arg; // 's': a string, 'c': a character
    } cases[] = {
        {"%s", 's'},      {"%10s", 's'}, {"%-10s", 's'}, {"%.0s", 's'}, {"%.2s", 's'}, {"%10.2s", 's'},
        {"%-10.2s", 's'}, {"%1s", 's'},  {"%c", 'c'},    {"%5c", 'c'},  {"%-5c", 'c'}, {"%05s", 's'},
    };
    int mismatches = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char ours[64], host[64];
        int a, b;
        if (cases[i].arg == 'c') {
            a = format_buf(ours, sizeof ours, cases[i].fmt, 'q');
            b = snprintf(host, sizeof host, cases[i].fmt, 'q');
        } else {
            a = format_buf(ours, sizeof ours, cases[i].fmt, "lstar");
            b = snprintf(host, sizeof host, cases[i].fmt, "lstar");
        }
        if (a != b || !check_streq(ours, host)) {
            printf("  format \"%s\": ours \"%s\", host \"%s\"\n", cases[i].fmt, ours, host);
            mismatches++;
        }
    }
    CHECK_EQ(mismatches, 0);
}

// Run every test and print the totals; non-zero exit if any check failed.
// Escapes `in` byte by byte with format_escape_byte into buf.
static const char *escaped(const char *in, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        char out[FORMAT_ESCAPE_MAX];
        size_t k = format_escape_byte(out, (unsigned char)in[i]);
        CHECK(k >= 1 && k <= FORMAT_ESCAPE_MAX);
        for (size_t j = 0; j < k; j++)
            buf[len++] = out[j];
    }
    buf[len] = 0;
    return buf;
}

static void escaping_keeps_printable_text_and_tab(void)
{
    CHECK_STR(escaped("selftest: 210 passed\t[ok] ~", 27), "selftest: 210 passed\t[ok] ~");
}

static void escaping_turns_control_bytes_into_hex_so_no_line_can_start(void)
{
    CHECK_STR(escaped("\r[boot] done: success", 21), "\\x0d[boot] done: success");
    CHECK_STR(escaped("a\nb", 3), "a\\x0ab");
    CHECK_STR(escaped("\x1b[2K", 4), "\\x1b[2K");
    CHECK_STR(escaped("\0\x7f\x80\xff", 4), "\\x00\\x7f\\x80\\xff");
}

static void escaping_doubles_a_backslash_so_the_text_reads_back_unambiguously(void)
{
    CHECK_STR(escaped("\\x0d", 4), "\\\\x0d");
    CHECK_STR(escaped("\\(no newline)", 13), "\\\\(no newline)");
}

// Every byte: printable ones alone, the rest as a backslash escape; never a control byte out.
static void no_byte_escapes_to_a_control_character(void)
{
    for (int c = 0; c < 256; c++) {
        char out[FORMAT_ESCAPE_MAX];
        size_t k = format_escape_byte(out, (unsigned char)c);
        for (size_t i = 0; i < k; i++)
            CHECK(out[i] == '\t' || (out[i] >= ' ' && out[i] <= '~'));
        CHECK(k == 1 || out[0] == '\\');
    }
}

int main(void)
{
    RUN(percent_d_prints_signed_decimal);
    RUN(sixty_four_bit_extremes_print_exactly);
    RUN(short_lengths_truncate_to_their_type);
    RUN(width_pads_with_spaces_on_the_left_or_right);
    RUN(zero_flag_pads_after_the_sign_and_prefix);
    RUN(precision_sets_minimum_digits_and_disables_zero_flag);
    RUN(plus_and_space_flags_sign_only_signed_conversions);
    RUN(hash_flag_adds_the_base_prefix);
    RUN(star_takes_width_and_precision_from_the_arguments);
    RUN(percent_s_of_null_prints_null_in_parentheses);
    RUN(percent_s_with_precision_never_reads_past_it);
    RUN(percent_c_and_percent_percent_print_one_character);
    RUN(percent_p_prints_0x_and_sixteen_lowercase_hex_digits);
    RUN(unknown_conversions_print_literally_and_take_no_argument);
    RUN(a_format_ending_inside_a_conversion_prints_what_is_there);
    RUN(huge_widths_are_clamped_rather_than_emitted_forever);
    RUN(format_buf_truncates_but_returns_the_full_length);
    RUN(format_v_sends_everything_to_the_sink_and_counts_it);
    RUN(integer_conversions_match_the_c_standard_for_every_flag_combination);
    RUN(string_and_char_conversions_match_the_c_standard);
    RUN(escaping_keeps_printable_text_and_tab);
    RUN(escaping_turns_control_bytes_into_hex_so_no_line_can_start);
    RUN(escaping_doubles_a_backslash_so_the_text_reads_back_unambiguously);
    RUN(no_byte_escapes_to_a_control_character);
    return check_summary();
}
