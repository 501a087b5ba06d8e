// SPDX-License-Identifier: MIT
// Host tests of src/core/string.c: every primitive, at every small length and alignment.
#include "check.h"

#include "core/string.h"

// Fill a buffer with a recognisable pattern.
static void pattern(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed + i * 7);
}

static void memcpy_copies_every_length_and_alignment_without_touching_neighbours(void)
{
    unsigned char src[160], dst[160], want[160];
    bool ok = true;
    for (size_t so = 0; so < 16; so++)
        for (size_t dso = 0; dso < 16; dso++)
            for (size_t n = 0; n <= 100; n++) {
                pattern(src, sizeof src, 1);
                pattern(dst, sizeof dst, 99);
                pattern(want, sizeof want, 99);
                for (size_t i = 0; i < n; i++)
                    want[dso + i] = src[so + i];
                void *r = memcpy(dst + dso, src + so, n);
                ok = ok && r == dst + dso;
                for (size_t i = 0; i < sizeof dst; i++)
                    ok = ok && dst[i] == want[i];
            }
    CHECK(ok);
}

static void memmove_copies_overlapping_ranges_in_both_directions(void)
{
    unsigned char buf[128], want[128], orig[128];
    bool ok = true;
    for (size_t from = 0; from < 40; from++)
        for (size_t to = 0; to < 40; to++)
            for (size_t n = 0; n <= 64; n++) {
                pattern(orig, sizeof orig, 3);
                pattern(buf, sizeof buf, 3);
                pattern(want, sizeof want, 3);
                for (size_t i = 0; i < n; i++)
                    want[to + i] = orig[from + i];
                void *r = memmove(buf + to, buf + from, n);
                ok = ok && r == buf + to;
                for (size_t i = 0; i < sizeof buf; i++)
                    ok = ok && buf[i] == want[i];
            }
    CHECK(ok);
}

static void memset_fills_exactly_n_bytes_at_any_alignment(void)
{
    unsigned char buf[128];
    bool ok = true;
    for (size_t off = 0; off < 16; off++)
        for (size_t n = 0; n <= 100; n++) {
            pattern(buf, sizeof buf, 5);
            void *r = memset(buf + off, 0xa5, n);
            ok = ok && r == buf + off;
            for (size_t i = 0; i < sizeof buf; i++) {
                unsigned char expect = (i >= off && i < off + n) ? 0xa5 : (unsigned char)(5 + i * 7);
                ok = ok && buf[i] == expect;
            }
        }
    CHECK(ok);
}

static void memset_uses_only_the_low_byte_of_its_value(void)
{
    unsigned char buf[16];
    memset(buf, 0x1234, sizeof buf);
    CHECK_EQ(buf[0], 0x34);
    CHECK_EQ(buf[15], 0x34);
    memset(buf, -1, sizeof buf);
    CHECK_EQ(buf[7], 0xff);
}

static void memcmp_compares_bytes_as_unsigned(void)
{
    unsigned char a[4] = {1, 2, 0x80, 4}, b[4] = {1, 2, 0x01, 4};
    CHECK(memcmp(a, b, 4) > 0);
    CHECK(memcmp(b, a, 4) < 0);
    CHECK_EQ(memcmp(a, b, 2), 0);
    CHECK_EQ(memcmp(a, a, 4), 0);
}

static void memcmp_of_zero_bytes_is_equal(void) { CHECK_EQ(memcmp("a", "b", 0), 0); }

static void strlen_counts_up_to_the_nul(void)
{
    CHECK_EQ(strlen(""), 0);
    CHECK_EQ(strlen("lstar"), 5);
    CHECK_EQ(strlen("ab\0cd"), 2);
}

static void strnlen_never_reads_past_its_limit(void)
{
    // An unterminated heap buffer: AddressSanitizer catches any read beyond it.
    char *p = malloc(4);
    p[0] = 'a', p[1] = 'b', p[2] = 'c', p[3] = 'd';
    CHECK_EQ(strnlen(p, 4), 4);
    CHECK_EQ(strnlen(p, 2), 2);
    CHECK_EQ(strnlen(p, 0), 0);
    free(p);
    CHECK_EQ(strnlen("ab", 10), 2);
}

static void strcmp_orders_strings_by_unsigned_bytes(void)
{
    CHECK_EQ(strcmp("abc", "abc"), 0);
    CHECK(strcmp("abc", "abd") < 0);
    CHECK(strcmp("abd", "abc") > 0);
    CHECK(strcmp("ab", "abc") < 0);
    CHECK(strcmp("abc", "ab") > 0);
    CHECK(strcmp("\x80", "\x01") > 0);
    CHECK_EQ(strcmp("", ""), 0);
}

static void strncmp_stops_after_n_characters_or_at_the_nul(void)
{
    CHECK_EQ(strncmp("abcX", "abcY", 3), 0);
    CHECK(strncmp("abcX", "abcY", 4) < 0);
    CHECK_EQ(strncmp("ab", "ab", 100), 0);
    CHECK(strncmp("ab", "abc", 100) < 0);
    CHECK_EQ(strncmp("x", "y", 0), 0);
    CHECK(strncmp("\xff", "a", 1) > 0);
}

static void strchr_finds_the_first_match_or_the_terminator(void)
{
    const char *s = "a,b,c";
    CHECK(strchr(s, ',') == s + 1);
    CHECK(strchr(s, 'c') == s + 4);
    CHECK(strchr(s, '\0') == s + 5);
    CHECK(strchr(s, 'z') == NULL);
    CHECK(strchr("\xe9t\xe9", 0xe9) != NULL);
}

// Run every test and print the totals; non-zero exit if any check failed.
int main(void)
{
    RUN(memcpy_copies_every_length_and_alignment_without_touching_neighbours);
    RUN(memmove_copies_overlapping_ranges_in_both_directions);
    RUN(memset_fills_exactly_n_bytes_at_any_alignment);
    RUN(memset_uses_only_the_low_byte_of_its_value);
    RUN(memcmp_compares_bytes_as_unsigned);
    RUN(memcmp_of_zero_bytes_is_equal);
    RUN(strlen_counts_up_to_the_nul);
    RUN(strnlen_never_reads_past_its_limit);
    RUN(strcmp_orders_strings_by_unsigned_bytes);
    RUN(strncmp_stops_after_n_characters_or_at_the_nul);
    RUN(strchr_finds_the_first_match_or_the_terminator);
    return check_summary();
}
