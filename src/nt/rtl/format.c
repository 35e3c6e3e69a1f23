/*
 * format.c - the printf engine behind the ntstrsafe printf family, DbgPrint and KdPrint.
 *
 * It follows the Windows (MSVC/kernel) conventions drivers are written against, which differ from
 * glibc: `l` is 32 bits (LONG), I64/I32/I select sizes, %s/%c follow the width of the function (a
 * WCHAR string in the wide functions, a char string in the narrow ones), %S/%C are the opposite width,
 * %ws/%ls are always WCHAR and %hs always char, %Z is a PANSI_STRING and %wZ a PUNICODE_STRING, %p is
 * 16 upper-case hex digits, NULL strings print "(null)", and the '0' flag pads strings too. %n writes
 * nothing (it is disabled, as in the kernel CRT). Floating point is delegated to libc.
 *
 * One engine serves both widths: format units are read through fmt_at() and output units go through
 * put(), which converts between widths. Never calls libc wide-char functions (WCHAR is 16-bit here).
 */
#include "rtl_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct sink {
    void *dst;
    size_t cap;  /* units that may be stored */
    size_t len;  /* units produced so far (stored or not) */
    bool wide;
    bool utf8;
};

static void put_unit(struct sink *s, unsigned int unit)
{
    if (s->len < s->cap) {
        if (s->wide)
            ((WCHAR *)s->dst)[s->len] = (WCHAR)unit;
        else
            ((char *)s->dst)[s->len] = (char)unit;
    }
    s->len++;
}

static void put_repeat(struct sink *s, unsigned int unit, size_t count)
{
    while (count-- > 0)
        put_unit(s, unit);
}

/* A byte of a char string: the same value in either width (ANSI is ISO-8859-1). */
static void put_narrow(struct sink *s, unsigned char c)
{
    put_unit(s, c);
}

/* Counts the output units a WCHAR string of n units takes in this sink. */
static size_t wide_units(const struct sink *s, const WCHAR *w, size_t n)
{
    if (s->wide || !s->utf8)
        return n;
    size_t total = 0;
    char tmp[4];
    for (size_t i = 0; i < n; i++) {
        unsigned int cp = (unsigned short)w[i];
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < n && (unsigned short)w[i + 1] >= 0xDC00 &&
            (unsigned short)w[i + 1] <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned short)w[i + 1] - 0xDC00);
            i++;
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD;
        }
        total += rtl_utf8_encode(cp, tmp);
    }
    return total;
}

static void put_wide_string(struct sink *s, const WCHAR *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned int unit = (unsigned short)w[i];
        if (s->wide) {
            put_unit(s, unit);
        } else if (!s->utf8) {
            put_unit(s, unit <= 0xFF ? unit : '?');
        } else {
            unsigned int cp = unit;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < n && (unsigned short)w[i + 1] >= 0xDC00 &&
                (unsigned short)w[i + 1] <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned short)w[i + 1] - 0xDC00);
                i++;
            } else if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            }
            char tmp[4];
            size_t k = rtl_utf8_encode(cp, tmp);
            for (size_t j = 0; j < k; j++)
                put_unit(s, (unsigned char)tmp[j]);
        }
    }
}

/* ---- conversion specification ------------------------------------------------------------- */

enum size_mod { SZ_DEFAULT, SZ_HH, SZ_H, SZ_L32, SZ_64, SZ_LONGDOUBLE };

struct spec {
    bool left, plus, space, alt, zero;
    int width;      /* -1 none */
    int precision;  /* -1 none */
    enum size_mod size;
    bool wide_mod;  /* w or l: the wide form of c/s/Z */
    bool short_mod; /* h: the narrow form of c/s */
};

static void pad_before(struct sink *s, const struct spec *sp, size_t body)
{
    if (!sp->left && sp->width > 0 && (size_t)sp->width > body)
        put_repeat(s, sp->zero ? '0' : ' ', (size_t)sp->width - body);
}

static void pad_after(struct sink *s, const struct spec *sp, size_t body)
{
    if (sp->left && sp->width > 0 && (size_t)sp->width > body)
        put_repeat(s, ' ', (size_t)sp->width - body);
}

static void emit_narrow_string(struct sink *s, const struct spec *sp, const char *str, size_t n_known, bool counted)
{
    static const char null_text[] = "(null)";
    if (str == NULL) {
        str = null_text;
        n_known = sizeof null_text - 1;
        counted = true;
    }
    size_t n = 0;
    if (counted) {
        n = n_known;
        if (sp->precision >= 0 && (size_t)sp->precision < n)
            n = (size_t)sp->precision;
    } else {
        size_t limit = sp->precision >= 0 ? (size_t)sp->precision : SIZE_MAX;
        while (n < limit && str[n] != '\0')
            n++;
    }
    pad_before(s, sp, n);
    for (size_t i = 0; i < n; i++)
        put_narrow(s, (unsigned char)str[i]);
    pad_after(s, sp, n);
}

static void emit_wide_string(struct sink *s, const struct spec *sp, const WCHAR *str, size_t n_known, bool counted)
{
    static const WCHAR null_text[] = {'(', 'n', 'u', 'l', 'l', ')'};
    if (str == NULL) {
        str = null_text;
        n_known = RTL_NUMBER_OF(null_text);
        counted = true;
    }
    size_t n = 0;
    if (counted) {
        n = n_known;
        if (sp->precision >= 0 && (size_t)sp->precision < n)
            n = (size_t)sp->precision;
    } else {
        size_t limit = sp->precision >= 0 ? (size_t)sp->precision : SIZE_MAX;
        while (n < limit && str[n] != 0)
            n++;
    }
    size_t body = wide_units(s, str, n);
    pad_before(s, sp, body);
    put_wide_string(s, str, n);
    pad_after(s, sp, body);
}

static void emit_integer(struct sink *s, const struct spec *sp, uint64_t magnitude, bool negative, bool is_signed,
                         unsigned base, bool upper, char conv)
{
    char digits[24];
    size_t nd = 0;
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    if (!(magnitude == 0 && sp->precision == 0)) {
        do {
            digits[nd++] = set[magnitude % base];
            magnitude /= base;
        } while (magnitude != 0);
    }
    bool value_is_zero = (nd == 0) || (nd == 1 && digits[0] == '0');

    char prefix[2];
    size_t np = 0;
    if (is_signed) {
        if (negative)
            prefix[np++] = '-';
        else if (sp->plus)
            prefix[np++] = '+';
        else if (sp->space)
            prefix[np++] = ' ';
    }
    if (sp->alt && !value_is_zero && (conv == 'x' || conv == 'X')) {
        prefix[np++] = '0';
        prefix[np++] = conv;
    }
    size_t min_digits = sp->precision >= 0 ? (size_t)sp->precision : 0;
    if (sp->alt && conv == 'o' && (nd == 0 || digits[nd - 1] != '0') && min_digits <= nd)
        min_digits = nd + 1;
    size_t zeros = min_digits > nd ? min_digits - nd : 0;
    size_t body = np + zeros + nd;

    bool zero_pad = sp->zero && !sp->left && sp->precision < 0;
    if (!sp->left && sp->width > 0 && (size_t)sp->width > body && !zero_pad)
        put_repeat(s, ' ', (size_t)sp->width - body);
    for (size_t i = 0; i < np; i++)
        put_unit(s, (unsigned char)prefix[i]);
    if (zero_pad && sp->width > 0 && (size_t)sp->width > body)
        put_repeat(s, '0', (size_t)sp->width - body);
    put_repeat(s, '0', zeros);
    while (nd > 0)
        put_unit(s, (unsigned char)digits[--nd]);
    pad_after(s, sp, body);
}

static void emit_char_field(struct sink *s, const struct spec *sp, unsigned int unit, bool unit_is_wide)
{
    size_t body = 1;
    if (unit_is_wide && !s->wide && s->utf8) {
        WCHAR w = (WCHAR)unit;
        body = wide_units(s, &w, 1);
    }
    pad_before(s, sp, body);
    if (unit_is_wide) {
        WCHAR w = (WCHAR)unit;
        put_wide_string(s, &w, 1);
    } else {
        put_narrow(s, (unsigned char)unit);
    }
    pad_after(s, sp, body);
}

static void emit_float(struct sink *s, const struct spec *sp, char conv, va_list *ap)
{
    char fmt[32];
    size_t k = 0;
    fmt[k++] = '%';
    if (sp->left)
        fmt[k++] = '-';
    if (sp->plus)
        fmt[k++] = '+';
    if (sp->space)
        fmt[k++] = ' ';
    if (sp->alt)
        fmt[k++] = '#';
    if (sp->zero)
        fmt[k++] = '0';
    fmt[k++] = '*';
    fmt[k++] = '.';
    fmt[k++] = '*';
    if (sp->size == SZ_LONGDOUBLE)
        fmt[k++] = 'L';
    fmt[k++] = conv;
    fmt[k] = '\0';

    int width = sp->width > 0 ? sp->width : 0;
    int precision = sp->precision;
    char local[128];
    char *heap = NULL; /* only when the text does not fit in `local` */
    const char *text = local;
    int n;
    long double ld = 0;
    double d = 0;
    if (sp->size == SZ_LONGDOUBLE)
        ld = va_arg(*ap, long double);
    else
        d = va_arg(*ap, double);
    if (sp->size == SZ_LONGDOUBLE)
        n = snprintf(local, sizeof local, fmt, width, precision, ld);
    else
        n = snprintf(local, sizeof local, fmt, width, precision, d);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof local) {
        heap = malloc((size_t)n + 1);
        if (heap == NULL)
            return;
        if (sp->size == SZ_LONGDOUBLE)
            snprintf(heap, (size_t)n + 1, fmt, width, precision, ld);
        else
            snprintf(heap, (size_t)n + 1, fmt, width, precision, d);
        text = heap;
    }
    for (int i = 0; i < n; i++)
        put_narrow(s, (unsigned char)text[i]);
    free(heap);
}

static unsigned int fmt_at(const void *fmt, bool wide, size_t i)
{
    return wide ? (unsigned short)((const WCHAR *)fmt)[i] : (unsigned char)((const char *)fmt)[i];
}

static uint64_t read_unsigned(const struct spec *sp, va_list *ap)
{
    switch (sp->size) {
    case SZ_HH:
        return (unsigned char)va_arg(*ap, unsigned int);
    case SZ_H:
        return (unsigned short)va_arg(*ap, unsigned int);
    case SZ_64:
    case SZ_LONGDOUBLE:
        return va_arg(*ap, unsigned long long);
    default:
        return va_arg(*ap, unsigned int);
    }
}

static int64_t read_signed(const struct spec *sp, va_list *ap)
{
    switch (sp->size) {
    case SZ_HH:
        return (signed char)va_arg(*ap, int);
    case SZ_H:
        return (short)va_arg(*ap, int);
    case SZ_64:
    case SZ_LONGDOUBLE:
        return va_arg(*ap, long long);
    default:
        return va_arg(*ap, int);
    }
}

size_t rtl_vformat(void *dst, size_t cap, bool wide, bool utf8, const void *fmt, va_list ap_in)
{
    struct sink s = {.dst = dst, .cap = dst != NULL ? cap : 0, .wide = wide, .utf8 = utf8 && !wide};
    va_list ap;
    va_copy(ap, ap_in);

    size_t i = 0;
    for (;;) {
        unsigned int c = fmt_at(fmt, wide, i);
        if (c == 0)
            break;
        if (c != '%') {
            put_unit(&s, c);
            i++;
            continue;
        }
        i++;
        struct spec sp = {.width = -1, .precision = -1, .size = SZ_DEFAULT};
        for (;; i++) {
            c = fmt_at(fmt, wide, i);
            if (c == '-')
                sp.left = true;
            else if (c == '+')
                sp.plus = true;
            else if (c == ' ')
                sp.space = true;
            else if (c == '#')
                sp.alt = true;
            else if (c == '0')
                sp.zero = true;
            else
                break;
        }
        if (c == '*') {
            int w = va_arg(ap, int);
            if (w < 0) {
                sp.left = true;
                w = w == INT32_MIN ? INT32_MAX : -w;
            }
            sp.width = w;
            c = fmt_at(fmt, wide, ++i);
        } else {
            while (c >= '0' && c <= '9') {
                int digit = (int)(c - '0');
                sp.width = (sp.width < 0 ? 0 : sp.width);
                sp.width = sp.width > (INT32_MAX - digit) / 10 ? INT32_MAX : sp.width * 10 + digit;
                c = fmt_at(fmt, wide, ++i);
            }
        }
        if (c == '.') {
            c = fmt_at(fmt, wide, ++i);
            sp.precision = 0;
            if (c == '*') {
                int p = va_arg(ap, int);
                sp.precision = p < 0 ? -1 : p;
                c = fmt_at(fmt, wide, ++i);
            } else {
                while (c >= '0' && c <= '9') {
                    int digit = (int)(c - '0');
                    sp.precision = sp.precision > (INT32_MAX - digit) / 10 ? INT32_MAX : sp.precision * 10 + digit;
                    c = fmt_at(fmt, wide, ++i);
                }
            }
        }
        /* Length modifiers. */
        for (bool more = true; more;) {
            switch (c) {
            case 'h':
                if (fmt_at(fmt, wide, i + 1) == 'h') {
                    sp.size = SZ_HH;
                    i++;
                } else {
                    sp.size = SZ_H;
                }
                sp.short_mod = true;
                c = fmt_at(fmt, wide, ++i);
                break;
            case 'l':
                if (fmt_at(fmt, wide, i + 1) == 'l') {
                    sp.size = SZ_64;
                    i++;
                } else {
                    sp.size = SZ_L32;
                    sp.wide_mod = true;
                }
                c = fmt_at(fmt, wide, ++i);
                break;
            case 'w':
                sp.wide_mod = true;
                c = fmt_at(fmt, wide, ++i);
                break;
            case 'L':
                sp.size = SZ_LONGDOUBLE;
                c = fmt_at(fmt, wide, ++i);
                break;
            case 'I':
                if (fmt_at(fmt, wide, i + 1) == '6' && fmt_at(fmt, wide, i + 2) == '4') {
                    sp.size = SZ_64;
                    i += 2;
                } else if (fmt_at(fmt, wide, i + 1) == '3' && fmt_at(fmt, wide, i + 2) == '2') {
                    sp.size = SZ_L32;
                    i += 2;
                } else {
                    sp.size = SZ_64; /* pointer-sized */
                }
                c = fmt_at(fmt, wide, ++i);
                break;
            case 'z':
            case 't':
            case 'j':
            case 'q':
                sp.size = SZ_64;
                c = fmt_at(fmt, wide, ++i);
                break;
            default:
                more = false;
                break;
            }
        }
        if (c == 0)
            break;
        i++;

        switch (c) {
        case '%':
            put_unit(&s, '%');
            break;
        case 'd':
        case 'i': {
            int64_t v = read_signed(&sp, &ap);
            uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            emit_integer(&s, &sp, mag, v < 0, true, 10, false, (char)c);
            break;
        }
        case 'u':
            emit_integer(&s, &sp, read_unsigned(&sp, &ap), false, false, 10, false, 'u');
            break;
        case 'o':
            emit_integer(&s, &sp, read_unsigned(&sp, &ap), false, false, 8, false, 'o');
            break;
        case 'x':
        case 'X':
            emit_integer(&s, &sp, read_unsigned(&sp, &ap), false, false, 16, c == 'X', (char)c);
            break;
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            struct spec ps = sp;
            ps.precision = (int)(sizeof(void *) * 2);
            ps.alt = false;
            ps.plus = ps.space = false;
            emit_integer(&s, &ps, v, false, false, 16, true, 'X');
            break;
        }
        case 'c':
        case 'C': {
            /* %c: the function's width; %C: the other width; h / l|w force narrow / wide. */
            bool wide_char = (c == 'c') ? wide : !wide;
            if (sp.short_mod)
                wide_char = false;
            else if (sp.wide_mod)
                wide_char = true;
            unsigned int v = va_arg(ap, unsigned int);
            emit_char_field(&s, &sp, wide_char ? (v & 0xFFFF) : (v & 0xFF), wide_char);
            break;
        }
        case 's':
        case 'S': {
            bool wide_str = (c == 's') ? wide : !wide;
            if (sp.short_mod)
                wide_str = false;
            else if (sp.wide_mod)
                wide_str = true;
            if (wide_str)
                emit_wide_string(&s, &sp, va_arg(ap, const WCHAR *), 0, false);
            else
                emit_narrow_string(&s, &sp, va_arg(ap, const char *), 0, false);
            break;
        }
        case 'Z': {
            if (sp.wide_mod) {
                const UNICODE_STRING *us = va_arg(ap, const UNICODE_STRING *);
                if (us == NULL || us->Buffer == NULL)
                    emit_wide_string(&s, &sp, NULL, 0, true);
                else
                    emit_wide_string(&s, &sp, us->Buffer, us->Length / sizeof(WCHAR), true);
            } else {
                const ANSI_STRING *as = va_arg(ap, const ANSI_STRING *);
                if (as == NULL || as->Buffer == NULL)
                    emit_narrow_string(&s, &sp, NULL, 0, true);
                else
                    emit_narrow_string(&s, &sp, as->Buffer, as->Length, true);
            }
            break;
        }
        case 'n':
            (void)va_arg(ap, void *); /* disabled: consumes its argument, writes nothing */
            break;
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
        case 'a':
        case 'A':
            emit_float(&s, &sp, (char)c, &ap);
            break;
        default:
            /* Unknown conversion: print it as text. */
            put_unit(&s, c);
            break;
        }
    }
    va_end(ap);
    return s.len;
}

/* Exported for the ntstrsafe inline functions: no terminator, returns the units needed. */
NTKERNELAPI size_t owdf_rtl_vformat_a(char *dest, size_t cch, const char *fmt, va_list ap);
NTKERNELAPI size_t owdf_rtl_vformat_w(WCHAR *dest, size_t cch, const WCHAR *fmt, va_list ap);

size_t owdf_rtl_vformat_a(char *dest, size_t cch, const char *fmt, va_list ap)
{
    return rtl_vformat(dest, cch, false, false, fmt, ap);
}

size_t owdf_rtl_vformat_w(WCHAR *dest, size_t cch, const WCHAR *fmt, va_list ap)
{
    return rtl_vformat(dest, cch, true, false, fmt, ap);
}
