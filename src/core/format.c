// SPDX-License-Identifier: MIT
// The printf engine: parses one conversion at a time and sends the text to a sink.
#include <stdbool.h>
#include <stdint.h>

#include "core/format.h"
#include "core/string.h"

// Widths and precisions above this are clamped, so "%*d" with INT_MAX cannot stall the kernel
// emitting two billion spaces.
#define FORMAT_MAX_FIELD 4096

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

// One parsed conversion specification.
struct spec {
    bool left, zero, plus, space, alt;
    int width;     // 0 when absent
    int precision; // -1 when absent
    enum length length;
};

// The sink plus a running count of what went through it.
struct out {
    format_sink sink;
    void *ctx;
    size_t count;
};

// Send n bytes to the sink and count them.
static void emit(struct out *o, const char *s, size_t n)
{
    if (n == 0)
        return;
    o->sink(o->ctx, s, n);
    o->count += n;
}

// Send n copies of the character c, a chunk at a time.
static void emit_repeat(struct out *o, char c, size_t n)
{
    char chunk[64];
    size_t fill = n < sizeof chunk ? n : sizeof chunk;
    for (size_t i = 0; i < fill; i++)
        chunk[i] = c;
    while (n > 0) {
        size_t step = n < sizeof chunk ? n : sizeof chunk;
        emit(o, chunk, step);
        n -= step;
    }
}

// Clamp a width or precision to [0, FORMAT_MAX_FIELD].
static int clamp_field(long long v)
{
    if (v < 0)
        return 0;
    return v > FORMAT_MAX_FIELD ? FORMAT_MAX_FIELD : (int)v;
}

// Reads the decimal digits at *p (a width or a precision), moving *p past them; the value is
// clamped like clamp_field, and stops growing once it is past FORMAT_MAX_FIELD.
static int read_field(const char **p)
{
    long long v = 0;
    for (; **p >= '0' && **p <= '9'; (*p)++)
        v = v > FORMAT_MAX_FIELD ? v : v * 10 + (**p - '0');
    return clamp_field(v);
}

// Emit text of length len, space-padded to the spec's width on the left or the right.
static void emit_padded(struct out *o, const struct spec *sp, const char *text, size_t len)
{
    size_t pad = (size_t)sp->width > len ? (size_t)sp->width - len : 0;
    if (!sp->left)
        emit_repeat(o, ' ', pad);
    emit(o, text, len);
    if (sp->left)
        emit_repeat(o, ' ', pad);
}

// Emit an integer: prefix (sign or 0x), leading zeros for precision or the 0 flag, digits.
static void emit_integer(struct out *o, const struct spec *sp, uint64_t magnitude, bool negative, bool is_signed,
                         unsigned base, bool upper, bool force_0x)
{
    const char *digit_set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char digits[24]; // 22 octal digits hold 2^64 - 1
    size_t ndigits = 0;
    for (uint64_t v = magnitude; v != 0; v /= base)
        digits[sizeof digits - ++ndigits] = digit_set[v % base];

    char prefix[2];
    size_t nprefix = 0;
    if (is_signed && negative)
        prefix[nprefix++] = '-';
    else if (is_signed && sp->plus)
        prefix[nprefix++] = '+';
    else if (is_signed && sp->space)
        prefix[nprefix++] = ' ';
    if (force_0x || (sp->alt && base == 16 && magnitude != 0)) {
        prefix[nprefix++] = '0';
        prefix[nprefix++] = upper ? 'X' : 'x';
    }

    // Precision is the minimum digit count; by default a zero still prints one digit.
    size_t min_digits = sp->precision < 0 ? 1 : (size_t)sp->precision;
    size_t zeros = min_digits > ndigits ? min_digits - ndigits : 0;
    // '#' with octal: the first digit printed must be a 0.
    if (sp->alt && base == 8 && zeros == 0 && (ndigits == 0 || digits[sizeof digits - ndigits] != '0'))
        zeros = 1;

    size_t body = nprefix + zeros + ndigits;
    size_t pad = (size_t)sp->width > body ? (size_t)sp->width - body : 0;
    // The 0 flag pads with zeros after the sign, unless '-' or a precision overrides it.
    if (sp->zero && !sp->left && sp->precision < 0) {
        zeros += pad;
        pad = 0;
    }
    if (!sp->left)
        emit_repeat(o, ' ', pad);
    emit(o, prefix, nprefix);
    emit_repeat(o, '0', zeros);
    emit(o, digits + sizeof digits - ndigits, ndigits);
    if (sp->left)
        emit_repeat(o, ' ', pad);
}

// Format fmt with the arguments in ap, sending the text to sink.
int format_v(format_sink sink, void *ctx, const char *fmt, va_list ap)
{
    struct out o = {sink, ctx, 0};
    const char *p = fmt;

    while (*p) {
        if (*p != '%') {
            const char *run = p;
            while (*p && *p != '%')
                p++;
            emit(&o, run, (size_t)(p - run));
            continue;
        }

        const char *start = p++;
        struct spec sp = {.precision = -1};

        for (;; p++) {
            if (*p == '-')
                sp.left = true;
            else if (*p == '0')
                sp.zero = true;
            else if (*p == '+')
                sp.plus = true;
            else if (*p == ' ')
                sp.space = true;
            else if (*p == '#')
                sp.alt = true;
            else
                break;
        }

        if (*p == '*') {
            int w = va_arg(ap, int);
            p++;
            // A negative width from '*' means '-' plus its magnitude.
            if (w < 0) {
                sp.left = true;
                sp.width = clamp_field(-(long long)w);
            } else {
                sp.width = clamp_field(w);
            }
        } else {
            sp.width = read_field(&p);
        }

        if (*p == '.') {
            p++;
            if (*p == '*') {
                int prec = va_arg(ap, int);
                p++;
                // A negative precision from '*' counts as no precision at all.
                sp.precision = prec < 0 ? -1 : clamp_field(prec);
            } else {
                sp.precision = read_field(&p);
            }
        }

        if (*p == 'h') {
            p++;
            sp.length = LEN_H;
            if (*p == 'h') {
                p++;
                sp.length = LEN_HH;
            }
        } else if (*p == 'l') {
            p++;
            sp.length = LEN_L;
            if (*p == 'l') {
                p++;
                sp.length = LEN_LL;
            }
        } else if (*p == 'z') {
            p++;
            sp.length = LEN_Z;
        } else if (*p == 't') {
            p++;
            sp.length = LEN_T;
        } else if (*p == 'j') {
            p++;
            sp.length = LEN_J;
        }

        char conv = *p;
        if (conv == 0) {
            // The format ends inside a specification: print what there is.
            emit(&o, start, (size_t)(p - start));
            break;
        }
        p++;

        switch (conv) {
        case 'd':
        case 'i': {
            int64_t v;
            switch (sp.length) {
            case LEN_HH:
                v = (signed char)va_arg(ap, int);
                break;
            case LEN_H:
                v = (short)va_arg(ap, int);
                break;
            case LEN_L:
                v = va_arg(ap, long);
                break;
            case LEN_LL:
                v = va_arg(ap, long long);
                break;
            case LEN_Z:
                v = va_arg(ap, ptrdiff_t);
                break; // the signed type of size_t's width
            case LEN_T:
                v = va_arg(ap, ptrdiff_t);
                break;
            case LEN_J:
                v = va_arg(ap, intmax_t);
                break;
            default:
                v = va_arg(ap, int);
                break;
            }
            // 0 - (uint64_t)v is the magnitude even for INT64_MIN, which has no positive twin.
            uint64_t magnitude = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
            emit_integer(&o, &sp, magnitude, v < 0, true, 10, false, false);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            uint64_t v;
            switch (sp.length) {
            case LEN_HH:
                v = (unsigned char)va_arg(ap, unsigned int);
                break;
            case LEN_H:
                v = (unsigned short)va_arg(ap, unsigned int);
                break;
            case LEN_L:
                v = va_arg(ap, unsigned long);
                break;
            case LEN_LL:
                v = va_arg(ap, unsigned long long);
                break;
            case LEN_Z:
                v = va_arg(ap, size_t);
                break;
            case LEN_T:
                v = (uint64_t)va_arg(ap, ptrdiff_t);
                break;
            case LEN_J:
                v = va_arg(ap, uintmax_t);
                break;
            default:
                v = va_arg(ap, unsigned int);
                break;
            }
            unsigned base = conv == 'o' ? 8 : conv == 'u' ? 10 : 16;
            emit_integer(&o, &sp, v, false, false, base, conv == 'X', false);
            break;
        }
        case 'p': {
            uint64_t v = (uintptr_t)va_arg(ap, void *);
            struct spec psp = {.left = sp.left, .width = sp.width, .precision = 16};
            emit_integer(&o, &psp, v, false, false, 16, false, true);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (s == NULL)
                s = "(null)";
            // With a precision, never read past it: the string need not be terminated.
            size_t len = sp.precision < 0 ? strlen(s) : strnlen(s, (size_t)sp.precision);
            emit_padded(&o, &sp, s, len);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            emit_padded(&o, &sp, &c, 1);
            break;
        }
        case '%':
            emit(&o, "%", 1);
            break;
        default:
            // Unknown (or floating-point) conversion: show it as written, consume nothing.
            emit(&o, start, (size_t)(p - start));
            break;
        }
    }

    return o.count > (size_t)__INT_MAX__ ? __INT_MAX__ : (int)o.count;
}

// A fixed buffer being filled by format_v; len counts every byte offered, kept or not.
struct buf_sink {
    char *buf;
    size_t size;
    size_t len;
};

// Keep what fits in the buffer (leaving room for the NUL) and count the rest.
static void buf_write(void *ctx, const char *s, size_t n)
{
    struct buf_sink *b = ctx;
    if (b->size > 0 && b->len < b->size - 1) {
        size_t room = b->size - 1 - b->len;
        memcpy(b->buf + b->len, s, n < room ? n : room);
    }
    b->len += n;
}

// snprintf with a va_list.
int vformat_buf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct buf_sink b = {buf, size, 0};
    int n = format_v(buf_write, &b, fmt, ap);
    if (size > 0)
        buf[b.len < size ? b.len : size - 1] = '\0';
    return n;
}

// snprintf.
int format_buf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vformat_buf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

// Formats a refusal's reason into err and returns -1.
int format_error(char *err, size_t errlen, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vformat_buf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

// Writes one byte of untrusted text as printable ASCII (format.h).
size_t format_escape_byte(char out[FORMAT_ESCAPE_MAX], unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    if (c == '\\') {
        out[0] = out[1] = '\\';
        return 2;
    }
    if (c == '\t' || (c >= ' ' && c <= '~')) {
        out[0] = (char)c;
        return 1;
    }
    out[0] = '\\';
    out[1] = 'x';
    out[2] = hex[c >> 4];
    out[3] = hex[c & 15];
    return 4;
}

// Writes "<prefix>: <reason>" into err for a parser that refuses its input; returns -1, the
// refusal, so that a parser can `return` it.
int format_reason(char *err, size_t errlen, const char *prefix, const char *fmt, va_list ap)
{
    if (err != NULL && errlen > 0) {
        int n = format_buf(err, errlen, "%s: ", prefix);
        if (n >= 0 && (size_t)n < errlen)
            vformat_buf(err + n, errlen - (size_t)n, fmt, ap);
    }
    return -1;
}
