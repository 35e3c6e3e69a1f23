#!/usr/bin/env python3
"""owdf-wpp - what tracewpp and wmimofck -h do for a KMDF driver build, for openwdf.

  owdf-wpp.py tmh --out DIR [--scan HEADER]... [--func SPEC]... [--define NAME[=VALUE]]...
                  [-I DIR]... SOURCES...
      Reads the WPP configuration (WPP_CONTROL_GUIDS and the `begin_wpp config ... end_wpp` block
      with its FUNC / USEPREFIX / USESUFFIX lines) from the --scan headers, or, without --scan, from
      the headers the sources include with "...". Writes DIR/<source-basename>.tmh for every source
      (and every other "x.tmh" a source includes). The .tmh turns each trace function into a macro
      that checks the control's level and flags and calls owdf_wpp_trace() (include/openwdf/wpp.h).
      Checks every trace call in the sources that include a .tmh: the format's arguments against
      the call's (too few is an error; too many and unknown %!X! types are warnings).

  owdf-wpp.py mof --out DIR [--resource NAME] FILE.mof...
      Like `wmimofck -h`: writes DIR/<base>Mof.h (and DIR/<base>.h unless a file of that name sits
      next to the .mof) with each class's GUID (<Class>Guid, DEFINE_GUID(<Class>_GUID, ...)), its
      data-block struct with <Class>_<Item>_SIZE / _ID and <Class>_SIZE; and DIR/<base>_mof.c, which
      embeds the MOF text in the driver binary (section "owdf_mof", see include/openwdf/mof.h).

Diagnostics go to stderr as "file:line: error|warning: ..."; the exit status is 1 after an error,
2 for bad usage. Our own code: written from the documented behaviour of the WDK tools.
"""

import argparse
import os
import re
import sys

PROG = "owdf-wpp"
errors = 0


def diag(kind, where, msg):
    global errors
    if kind == "error":
        errors += 1
    loc = f"{where}: " if where else ""
    print(f"{PROG}: {loc}{kind}: {msg}", file=sys.stderr)


# ---- C text helpers ---------------------------------------------------------------------------

def strip_comments(text):
    """Replaces comments with spaces (newlines kept, so line numbers stay right)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '/' and i + 1 < n and text[i + 1] == '/':
            j = text.find('\n', i)
            if j < 0:
                j = n
            out.append(' ' * (j - i))
            i = j
        elif c == '/' and i + 1 < n and text[i + 1] == '*':
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(''.join('\n' if ch == '\n' else ' ' for ch in text[i:j]))
            i = j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            j = min(j + 1, n)
            out.append(text[i:j])
            i = j
        else:
            out.append(c)
            i += 1
    return ''.join(out)


TOKEN_RE = re.compile(r'''
    (?P<ws>[ \t\r\f\v]+|\\\n)
  | (?P<nl>\n)
  | (?P<str>(?:u8|u|U|L)?"(?:[^"\\\n]|\\.)*")
  | (?P<chr>(?:u8|u|U|L)?'(?:[^'\\\n]|\\.)*')
  | (?P<id>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<num>\.?[0-9](?:[eEpP][+-]|[A-Za-z0-9_.])*)
  | (?P<punct>\#\#|->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^!~<>=?:;,.()\[\]{}\#])
  | (?P<other>.)
''', re.VERBOSE | re.DOTALL)


def tokenize(text):
    """Tokens (kind, value, line) of comment-free C text; preprocessor directives are dropped."""
    tokens = []
    line = 1
    at_line_start = True
    in_directive = False
    for m in TOKEN_RE.finditer(text):
        kind = m.lastgroup
        value = m.group()
        if kind == 'nl':
            line += 1
            at_line_start = True
            in_directive = False
            continue
        if kind == 'ws':
            line += value.count('\n')
            continue
        if at_line_start and value == '#':
            in_directive = True
        at_line_start = False
        if not in_directive:
            tokens.append((kind, value, line))
    return tokens


def split_call_args(tokens, start):
    """tokens[start] is '('; returns (args as token lists, index after ')') or (None, start)."""
    depth = 0
    args = [[]]
    i = start
    while i < len(tokens):
        kind, value, _ = tokens[i]
        if value in '([{' and kind == 'punct':
            depth += 1
            if depth > 1:
                args[-1].append(tokens[i])
        elif value in ')]}' and kind == 'punct':
            depth -= 1
            if depth == 0:
                if args == [[]]:
                    args = []
                return args, i + 1
            args[-1].append(tokens[i])
        elif value == ',' and depth == 1:
            args.append([])
        else:
            args[-1].append(tokens[i])
        i += 1
    return None, start


def string_literal_value(arg_tokens):
    """The text of an argument made only of narrow string literals ("a" "b"), else None."""
    if not arg_tokens or any(t[0] != 'str' or not t[1].startswith('"') for t in arg_tokens):
        return None
    parts = []
    for _, value, _ in arg_tokens:
        body = value[1:-1]
        # Only '%' and '!' matter to the counting: escapes may stay as they are written.
        parts.append(body)
    return ''.join(parts)


# ---- WPP format strings ---------------------------------------------------------------------

# Extensions and the number of arguments each consumes (keep in sync with src/wdf/wpp.c).
EXT_NO_ARG = {'FUNC', 'FILE', 'LINE', 'LEVEL', 'FLAGS', 'COMPNAME', 'STDPREFIX'}
EXT_ONE_ARG = {'STATUS', 'NDIS_STATUS', 'NTSTATUS', 'HRESULT', 'WINERROR', 'BOOL', 'BOOLEAN', 'GUID',
               'CLSID', 'IID', 'LIBID', 'IPADDR', 'PORT', 'HEXDUMP', 'IRQL', 'SID', 'TIME', 'TIMESTAMP',
               'DATETIME', 'DELTA', 'WAITTIME', 'DUE'}
STD_CONVERSIONS = set('diuoxXcCpsSZneEfFgGaA')
SPEC_RE = re.compile(r'%(?:(?P<ext>![A-Za-z0-9_]+!)|(?P<pct>%)|'
                     r'(?P<flags>[-+ #0]*)(?P<width>\*|[0-9]*)(?:\.(?P<prec>\*|[0-9]*))?'
                     r'(?P<mods>(?:hh|h|ll|l|w|L|I64|I32|I|z|t|j|q)*)(?P<conv>.?))', re.DOTALL)


def count_format_args(fmt):
    """(arguments the format consumes, list of unknown extension names)."""
    count = 0
    unknown = []
    for m in SPEC_RE.finditer(fmt):
        if m.group('ext'):
            name = m.group('ext')[1:-1]
            if name.upper() in EXT_NO_ARG:
                continue
            if name.upper() in EXT_ONE_ARG:
                count += 1
            else:
                unknown.append(name)
            continue
        if m.group('pct'):
            continue
        count += (m.group('width') == '*') + (m.group('prec') == '*')
        if m.group('conv') in STD_CONVERSIONS:
            count += 1
    return count, unknown


# ---- the WPP configuration ------------------------------------------------------------------

class Control:
    def __init__(self, name, guid, flags, where):
        self.name, self.guid, self.flags, self.where = name, guid, flags, where


class Func:
    def __init__(self, name, fixed, params, where):
        self.name = name
        self.fixed = fixed            # [(NAME, value)] from {NAME=value, ...}
        self.params = params          # macro parameters, '...' last when variadic
        self.where = where
        self.prefix = ('', [])        # (format text, [argument names])
        self.suffix = ('', [])
        self.double = False           # called as Name((...)), like KdPrint


GUID_RE = re.compile(r'^\s*([0-9A-Fa-f]{8})\s*,\s*([0-9A-Fa-f]{4})\s*,\s*([0-9A-Fa-f]{4})\s*,\s*'
                     r'([0-9A-Fa-f]{4})\s*,\s*([0-9A-Fa-f]{12})\s*$')


def parse_guid_parts(text):
    m = GUID_RE.match(text)
    if not m:
        return None
    d1, d2, d3, d4a, d4b = m.groups()
    tail = d4a + d4b
    return (int(d1, 16), int(d2, 16), int(d3, 16), [int(tail[i:i + 2], 16) for i in range(0, 16, 2)])


def find_macro_definition(text, name):
    """The body of `#define name ...` (continuations joined, comments removed) and its line."""
    lines = strip_comments(text).split('\n')
    head = re.compile(r'^[ \t]*#[ \t]*define[ \t]+' + re.escape(name) + r'(?![A-Za-z0-9_])(.*)$')
    for k, line in enumerate(lines):
        m = head.match(line)
        if not m:
            continue
        body = [m.group(1)]
        j = k
        while body[-1].rstrip().endswith('\\') and j + 1 < len(lines):
            body[-1] = body[-1].rstrip()[:-1]
            j += 1
            body.append(lines[j])
        return ' '.join(body), k + 1
    return None, 0


def parse_control_guids(body, where):
    controls = []
    pos = 0
    pattern = re.compile(r'WPP_DEFINE_CONTROL_GUID\s*\(')
    while True:
        m = pattern.search(body, pos)
        if not m:
            break
        # Find the matching ')' of WPP_DEFINE_CONTROL_GUID(.
        depth, i = 1, m.end()
        while i < len(body) and depth:
            depth += {'(': 1, ')': -1}.get(body[i], 0)
            i += 1
        inner = body[m.end():i - 1]
        pos = i
        nm = re.match(r'\s*([A-Za-z_][A-Za-z_0-9]*)\s*,\s*\(([^)]*)\)\s*,?(.*)$', inner, re.DOTALL)
        if not nm:
            diag('error', where, f'cannot parse WPP_DEFINE_CONTROL_GUID({inner.strip()[:60]}...): expected '
                 '(Name, (xxxxxxxx,xxxx,xxxx,xxxx,xxxxxxxxxxxx), WPP_DEFINE_BIT(...)...)')
            continue
        name, guid_text, rest = nm.groups()
        guid = parse_guid_parts(guid_text)
        if guid is None:
            diag('error', where, f'control {name}: bad GUID ({guid_text.strip()})')
            continue
        flags = re.findall(r'WPP_DEFINE_BIT\s*\(\s*([A-Za-z_][A-Za-z_0-9]*)\s*\)', rest)
        leftover = re.sub(r'WPP_DEFINE_BIT\s*\(\s*[A-Za-z_][A-Za-z_0-9]*\s*\)', '', rest).strip()
        if leftover:
            diag('warning', where, f'control {name}: ignored "{leftover[:40]}"')
        if len(flags) > 32:
            diag('error', where, f'control {name}: {len(flags)} flags; at most 32 are supported')
            flags = flags[:32]
        controls.append(Control(name, guid, flags, where))
    return controls


# FUNC Name{FIXED=value,...}(PARAMS) or, for macros called with double parentheses like KdPrint,
# FUNC Name((PARAMS)).
FUNC_RE = re.compile(r'^FUNC\s+([A-Za-z_][A-Za-z_0-9]*)\s*(?:\{([^}]*)\})?\s*\((\s*\([^()]*\)\s*|[^()]*)\)\s*;?\s*$',
                     re.DOTALL)
FIX_HEAD_RE = re.compile(r'^USE(PREFIX|SUFFIX)\s*\((.*)\)\s*;?\s*$', re.DOTALL)


def split_top_level(text):
    """Splits at commas outside parentheses, brackets and string literals."""
    parts, depth, cur, i = [], 0, [], 0
    while i < len(text):
        c = text[i]
        if c == '"':
            j = i + 1
            while j < len(text) and text[j] != '"':
                j += 2 if text[j] == '\\' else 1
            cur.append(text[i:j + 1])
            i = j + 1
            continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
        if c == ',' and depth == 0:
            parts.append(''.join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append(''.join(cur).strip())
    return parts


def parse_fix(stmt):
    """USEPREFIX(Func, "format", args...) -> (kind, func, format, [args]) or None."""
    m = FIX_HEAD_RE.match(stmt)
    if not m:
        return None
    parts = split_top_level(m.group(2))
    if len(parts) < 2 or not re.match(r'^[A-Za-z_][A-Za-z_0-9]*$', parts[0]) or \
            not re.match(r'^"(?:[^"\\]|\\.)*"$', parts[1]):
        return None
    return m.group(1), parts[0], parts[1][1:-1], [a for a in parts[2:] if a]


def parse_func_spec(spec, where):
    m = FUNC_RE.match('FUNC ' + spec.strip())
    if not m:
        diag('error', where, f'cannot parse trace function "{spec.strip()}": expected '
             'Name{FIXED=value,...}(PARAM, ..., MSG, ...)')
        return None
    name, fixed_text, params_text = m.groups()
    double = params_text.strip().startswith('(')
    if double:
        params_text = params_text.strip()[1:-1]
    fixed = []
    for item in (fixed_text or '').split(','):
        if not item.strip():
            continue
        if '=' not in item:
            diag('error', where, f'{name}: fixed parameter "{item.strip()}" needs NAME=value')
            return None
        k, v = item.split('=', 1)
        fixed.append((k.strip(), v.strip()))
    params = [p.strip() for p in params_text.split(',') if p.strip()]
    for p in params[:-1]:
        if p == '...':
            diag('error', where, f'{name}: "..." must be the last parameter')
            return None
    for p in params:
        if p != '...' and not re.match(r'^[A-Za-z_][A-Za-z_0-9]*$', p):
            diag('error', where, f'{name}: bad parameter name "{p}"')
            return None
    f = Func(name, fixed, params, where)
    f.double = double
    return f


def config_blocks(text):
    """Yields (line, statement) from every `begin_wpp config ... end_wpp` block: the markers start a
    line or a comment line ('//', '/*' or '*')."""
    marker = r'^[ \t]*(?://+|/\*+|\*+)?[ \t]*'
    for m in re.finditer(marker + r'begin_wpp[ \t]+config\b(.*?)' + marker + r'end_wpp\b', text,
                         re.DOTALL | re.MULTILINE):
        base_line = text.count('\n', 0, m.start()) + 1
        lines = []
        for k, raw in enumerate(m.group(1).split('\n')):
            s = raw.strip()
            s = re.sub(r'^(//+|/\*+|\*+/?)\s?', '', s).strip()
            s = re.sub(r'\*/\s*$', '', s).strip()
            lines.append((base_line + k, s))
        stmt, stmt_line = '', 0
        for ln, s in lines:
            if not s:
                continue
            if not stmt:
                stmt_line = ln
            stmt = (stmt + ' ' + s).strip()
            if stmt.endswith(';') or stmt.endswith(')'):
                yield stmt_line, stmt
                stmt = ''
        if stmt:
            yield stmt_line, stmt


class Config:
    def __init__(self):
        self.controls = []
        self.funcs = {}
        self.fixes = []          # (kind, func name, fmt, args, where)
        self.control_source = None

    def add_file(self, path, text):
        body, line = find_macro_definition(text, 'WPP_CONTROL_GUIDS')
        if body is not None:
            where = f'{path}:{line}'
            controls = parse_control_guids(body, where)
            if not self.controls:
                self.controls = controls
                self.control_source = where
            elif [c.name for c in controls] != [c.name for c in self.controls]:
                diag('warning', where, f'a second WPP_CONTROL_GUIDS; using the one in {self.control_source}')
        for line, stmt in config_blocks(text):
            where = f'{path}:{line}'
            if stmt.startswith('FUNC'):
                f = parse_func_spec(stmt[4:], where)
                if f:
                    self.funcs[f.name] = f
            elif stmt.startswith('USEPREFIX') or stmt.startswith('USESUFFIX'):
                fix = parse_fix(stmt)
                if not fix:
                    diag('error', where, f'cannot parse "{stmt}": expected USEPREFIX(Func, "format", args...)')
                    continue
                kind, fname, fmt, arglist = fix
                self.fixes.append((kind, fname, fmt, arglist, where))
            elif stmt.startswith('CUSTOM_TYPE') or stmt.startswith('DEFINE_CPLX_TYPE') or \
                    stmt.startswith('DEFINE_SIMPLE_TYPE'):
                diag('warning', where, f'{stmt.split("(")[0]} is not supported: the type prints as <NAME?> '
                     'and consumes no argument')
            elif re.match(r'^[A-Za-z_][A-Za-z_0-9]*\s*(\{[^}]*\})?\s*\(.*\)\s*;$', stmt, re.DOTALL):
                f = parse_func_spec(stmt, where)  # a function without the FUNC keyword
                if f:
                    self.funcs[f.name] = f
            else:
                diag('warning', where, f'ignored configuration line "{stmt}"')


def include_targets(text):
    return re.findall(r'^[ \t]*#[ \t]*include[ \t]*"([^"]+)"', text, re.MULTILINE)


def read_text(path):
    with open(path, 'r', encoding='utf-8', errors='replace') as f:
        return f.read()


def discover_headers(sources, include_dirs):
    """Headers reachable from the sources through #include "..." (depth-limited)."""
    seen = []
    queue = [(s, 0) for s in sources]
    visited = set()
    while queue:
        path, depth = queue.pop(0)
        real = os.path.realpath(path)
        if real in visited:
            continue
        visited.add(real)
        if path not in sources:
            seen.append(path)
        if depth >= 8:
            continue
        try:
            text = read_text(path)
        except OSError:
            continue
        for inc in include_targets(text):
            if inc.endswith('.tmh'):
                continue
            for d in [os.path.dirname(path) or '.'] + include_dirs:
                cand = os.path.join(d, inc)
                if os.path.isfile(cand):
                    queue.append((cand, depth + 1))
                    break
    return seen


# ---- .tmh generation ------------------------------------------------------------------------

def c_string(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def guid_initializer(g):
    d1, d2, d3, d4 = g
    return f'{{0x{d1:08x}, 0x{d2:04x}, 0x{d3:04x}, {{{", ".join(f"0x{b:02x}" for b in d4)}}}}}'


def func_roles(f):
    """([(condition name, value)], flag value or None, level value or None, IFRLOG value or None)."""
    names = [k for k, _ in f.fixed] + [p for p in f.params if p not in ('MSG', '...')]
    values = [v for _, v in f.fixed] + [p for p in f.params if p not in ('MSG', '...')]
    cond = [(n, v) for n, v in zip(names, values) if n != 'IFRLOG']
    ifrlog = next((v for n, v in zip(names, values) if n == 'IFRLOG'), None)
    flag = next((v for n, v in cond if n in ('FLAGS', 'FLAG')), None)
    level = next((v for n, v in cond if n == 'LEVEL'), None)
    if flag is None and level is not None:
        flag, level = level, None  # DoTraceMessage(LEVEL, ...): LEVEL names a flag, as in tracewpp
    return cond, flag, level, ifrlog


def default_condition(cond, flag, level):
    """Body of a default WPP_<P>_ENABLED(p0, p1...) macro, in terms of p0..pn."""
    pnames = [f'p{i}' for i in range(len(cond))]
    values = [v for _, v in cond]
    fp = pnames[values.index(flag)] if flag in values else None
    lp = pnames[values.index(level)] if level in values else None
    if fp and lp:
        body = f'(WPP_LEVEL_ENABLED({fp}) && OWDF_WPP_LOAD_(WPP_CONTROL(WPP_BIT_##{fp}).Level) >= (UCHAR)({lp}))'
    elif fp:
        body = f'WPP_LEVEL_ENABLED({fp})'
    else:
        body = '(OWDF_WPP_LOAD_(WPP_MAIN_CB[0].Logger) != NULL)'
    return pnames, body


def generate_tmh(config, out_name, recorder):
    guard = 'OWDF_WPP_TMH_' + re.sub(r'[^A-Za-z0-9]', '_', out_name).upper()
    L = []
    w = L.append
    w(f'/* {out_name} - generated by owdf-wpp (openwdf) from {config.control_source}; do not edit. */')
    w(f'#ifndef {guard}')
    w(f'#define {guard}')
    w('#include <openwdf/wpp.h>')
    if recorder:
        w('#include <wpprecorder.h>')
    n = len(config.controls)
    w('')
    w('/* Controls (WPP_CONTROL_GUIDS) and their flags: WPP_BIT_<FLAG> = (control << 16) | bit. */')
    w('enum {')
    for i, c in enumerate(config.controls):
        w(f'    WPP_CTL_{c.name} = {i},')
    w('};')
    w('enum {')
    for i, c in enumerate(config.controls):
        for b, flag in enumerate(c.flags):
            w(f'    WPP_BIT_{flag} = 0x{(i << 16) | b:08x},')
    w('};')
    w(f'#define OWDF_WPP_CONTROL_COUNT {n}')
    w('/* One control block array per driver binary (weak: every source defines it, the link keeps one). */')
    w(f'__attribute__((weak, visibility("hidden"))) owdf_wpp_control_block WPP_MAIN_CB[{n}];')
    for i, c in enumerate(config.controls):
        names = ', '.join(c_string(f) for f in c.flags) or 'NULL'
        w(f'static const char *const owdf_wpp_flags_{i}_[] __attribute__((unused)) = {{{names}}};')
    w('static const owdf_wpp_control_info owdf_wpp_controls_[] __attribute__((unused)) = {')
    for i, c in enumerate(config.controls):
        w(f'    {{{c_string(c.name)}, {guid_initializer(c.guid)}, {len(c.flags)}, owdf_wpp_flags_{i}_}},')
    w('};')
    w('#define OWDF_WPP_CTL_NAME_(BIT) (owdf_wpp_controls_[((ULONG)(BIT)) >> 16].name)')
    w('/* Unloading the driver binary unregisters its controls even without WPP_CLEANUP. */')
    w('__attribute__((destructor, used)) static void owdf_wpp_unload_(void)')
    w('{')
    w('    owdf_wpp_cleanup(WPP_MAIN_CB);')
    w('}')
    w('')
    w('#define OWDF_WPP_FIRST_(a, ...) a')
    w('#define WPP_INIT_TRACING(...) owdf_wpp_init_tracing(WPP_MAIN_CB, owdf_wpp_controls_, '
      'OWDF_WPP_CONTROL_COUNT, (PVOID)(OWDF_WPP_FIRST_(__VA_ARGS__, 0)), NULL)')
    w('#define WPP_CLEANUP(...) owdf_wpp_cleanup(WPP_MAIN_CB)')
    w('#define WPP_DEFINE_CONTROL_GUID(Name, Guid, Bits)')
    w('#define WPP_DEFINE_BIT(Name)')
    w('')
    defined_conditions = set()
    for f in config.funcs.values():
        cond, flag, level, ifrlog = func_roles(f)
        cname = 'WPP_' + '_'.join(n for n, _ in cond) + '_ENABLED' if cond else None
        w(f'/* {f.name}: from {f.where} */')
        if cname and cname != 'WPP_LEVEL_ENABLED' and cname not in defined_conditions:
            defined_conditions.add(cname)
            pnames, body = default_condition(cond, flag, level)
            w(f'#ifndef {cname}')
            w(f'#define {cname}({", ".join(pnames)}) {body}')
            w('#endif')
        cargs = ', '.join(v for _, v in cond)
        condition = f'{cname}({cargs})' if cname else '(OWDF_WPP_LOAD_(WPP_MAIN_CB[0].Logger) != NULL)'
        if recorder and cname:
            # The recorder keeps what its own filter (trace header's WPP_RECORDER_<P>_FILTER) wants.
            rname = 'WPP_RECORDER_' + cname[4:-8] + '_FILTER'
            helper = 'OWDF_WPP_RFILTER_' + cname[4:-8]
            if helper not in defined_conditions:
                defined_conditions.add(helper)
                pnames = ', '.join(f'p{k}' for k in range(len(cond)))
                w(f'#if defined({rname})')
                w(f'#define {helper}({pnames}) {rname}({pnames})')
                w('#else')
                w(f'#define {helper}({pnames}) 0')
                w('#endif')
            condition = f'({condition} || {helper}({cargs}))'
        if flag is not None:
            control = f'OWDF_WPP_CTL_NAME_(WPP_BIT_##{flag})' if flag in f.params else \
                f'OWDF_WPP_CTL_NAME_(WPP_BIT_{flag})'
            mask = f'WPP_MASK(WPP_BIT_##{flag})' if flag in f.params else f'WPP_MASK(WPP_BIT_{flag})'
        else:
            control, mask = 'owdf_wpp_controls_[0].name', '0'
        level_expr = f'(ULONG)({level})' if level is not None else 'TRACE_LEVEL_NONE'
        msg = 'MSG' if 'MSG' in f.params else '""'
        pfmt, pargs = f.prefix
        sfmt, sargs = f.suffix
        fmt_expr = ' '.join(x for x in (c_string_raw(pfmt), msg, c_string_raw(sfmt)) if x)
        args = ''.join(f', {a}' for a in pargs)
        if '...' in f.params:
            args += ', ##__VA_ARGS__'
        args += ''.join(f', {a}' for a in sargs)
        if ifrlog is not None:
            call = f'owdf_wpp_trace_log((PVOID)({ifrlog}), {control}, {level_expr}, {mask}'
        else:
            call = f'owdf_wpp_trace({control}, {level_expr}, {mask}'
        # WPP_<P>_PRE / _POST, when the trace header defines them, wrap the call (declarations made
        # by PRE stay in the caller's scope, as with tracewpp).
        pre = post = ''
        if cname:
            for kind in ('PRE', 'POST'):
                user = f'{cname[:-8]}_{kind}'
                helper = f'OWDF_WPP_{kind}_{cname[4:-8]}'
                if helper not in defined_conditions:
                    defined_conditions.add(helper)
                    pnames = ', '.join(f'p{k}' for k in range(len(cond)))
                    w(f'#if defined({user})')
                    w(f'#define {helper}({pnames}) {user}({pnames})')
                    w('#else')
                    w(f'#define {helper}({pnames})')
                    w('#endif')
                if kind == 'PRE':
                    pre = f'{helper}({cargs}) '
                else:
                    post = f' {helper}({cargs})'
        params = ', '.join(f.params)
        if f.double:
            # Called as Name((MSG, ...)): the outer macro strips one pair of parentheses.
            w(f'#undef {f.name}')
            w(f'#define {f.name}(...) OWDF_WPP_FN_{f.name}_ __VA_ARGS__')
            macro = f'OWDF_WPP_FN_{f.name}_({params})'
        else:
            macro = f'{f.name}({params})'
        # An expression, like tracewpp's: safe in if/else without braces.
        w(f'#define {macro} \\')
        w(f'    {pre}(({condition}) \\')
        w(f'        ? {call}, __FILE__, __LINE__, __func__, {fmt_expr}{args}) \\')
        w(f'        : (void)0){post}')
        w('')
    w(f'#endif /* {guard} */')
    return '\n'.join(L) + '\n'


def c_string_raw(fmt):
    """A prefix/suffix format (already C-escaped text from the config) as a literal, or ''."""
    if re.match(r'^%!STDPREFIX!', fmt, flags=re.IGNORECASE):
        fmt = fmt[len('%!STDPREFIX!'):].lstrip()
    fmt = re.sub(r'%!STDPREFIX!', '', fmt, flags=re.IGNORECASE)
    return f'"{fmt}"' if fmt else ''


def check_calls(path, text, config):
    tokens = tokenize(strip_comments(text))
    names = config.funcs
    i = 0
    while i < len(tokens):
        kind, value, line = tokens[i]
        if kind == 'id' and value in names and i + 1 < len(tokens) and tokens[i + 1][1] == '(' and \
                not (i > 0 and tokens[i - 1][1] in ('.', '->')):
            f = names[value]
            args, after = split_call_args(tokens, i + 1)
            if args is None:
                diag('error', f'{path}:{line}', f'unterminated call to {value}')
                return
            if f.double:
                if len(args) != 1 or not args[0] or args[0][0][1] != '(':
                    diag('error', f'{path}:{line}', f'{value} is called with double parentheses: {value}((...))')
                    i = after
                    continue
                args, _ = split_call_args(args[0], 0)
                args = args or []
            fixed_params = [p for p in f.params if p != '...']
            variadic = '...' in f.params
            where = f'{path}:{line}'
            if len(args) < len(fixed_params) or (not variadic and len(args) > len(fixed_params)):
                diag('error', where, f'{value} takes {len(fixed_params)}{"+" if variadic else ""} arguments, '
                     f'the call passes {len(args)}')
            elif 'MSG' in f.params:
                msg = string_literal_value(args[f.params.index('MSG')])
                if msg is not None:
                    fmt = f.prefix[0] + msg + f.suffix[0]
                    needed, unknown = count_format_args(fmt)
                    given = len(args) - len(fixed_params) + len(f.prefix[1]) + len(f.suffix[1])
                    for u in unknown:
                        diag('warning', where, f'unknown WPP type %!{u}!: printed as <{u}?>, consumes no argument')
                    if given < needed:
                        diag('error', where, f'{value}: the format needs {needed} argument(s), the call passes '
                             f'{given}')
                    elif given > needed:
                        diag('warning', where, f'{value}: the format uses {needed} argument(s), the call passes '
                             f'{given}')
            i = after
            continue
        i += 1


def cmd_tmh(opts):
    include_dirs = opts.include
    for s in opts.sources:
        if not os.path.isfile(s):
            diag('error', None, f'source not found: {s}')
    if errors:
        return 1
    config = Config()
    scan = opts.scan
    if not scan:
        scan = discover_headers(opts.sources, include_dirs) + opts.sources
    for path in scan:
        try:
            config.add_file(path, read_text(path))
        except OSError as e:
            diag('error', None, f'cannot read {path}: {e.strerror}')
    for spec in opts.func:
        f = parse_func_spec(spec, '--wpp-func')
        if f:
            config.funcs[f.name] = f
    if 'DoTraceMessage' not in config.funcs:
        config.funcs['DoTraceMessage'] = Func('DoTraceMessage', [], ['LEVEL', 'MSG', '...'], 'default')
    for kind, fname, fmt, args, where in config.fixes:
        f = config.funcs.get(fname)
        if f is None:
            diag('warning', where, f'USE{kind} names {fname}, which is not a trace function')
            continue
        if kind == 'PREFIX':
            f.prefix = (fmt, args)
        else:
            f.suffix = (fmt, args)
    if not config.controls:
        where = ', '.join(scan) if scan else 'the sources'
        diag('error', None, f'no WPP_CONTROL_GUIDS definition found in {where} (give the trace header with '
             '--wpp-scan=FILE)')
    if errors:
        return 1
    defines = {}
    for d in opts.define:
        k, _, v = d.partition('=')
        defines[k] = v or '1'
    recorder = defines.get('ENABLE_WPP_RECORDER', '0') not in ('0', '')
    outputs = {}
    for s in opts.sources:
        text = read_text(s)
        names = [os.path.basename(n) for n in re.findall(r'^[ \t]*#[ \t]*include[ \t]*["<]([^">]+\.tmh)[">]',
                                                         text, re.MULTILINE)]
        outputs[os.path.splitext(os.path.basename(s))[0] + '.tmh'] = True
        for n in names:
            outputs[n] = True
        if names:
            check_calls(s, text, config)
    os.makedirs(opts.out, exist_ok=True)
    for name in outputs:
        with open(os.path.join(opts.out, name), 'w') as f:
            f.write(generate_tmh(config, name, recorder))
    return 1 if errors else 0


# ---- MOF ------------------------------------------------------------------------------------

MOF_TYPES = {
    'boolean': ('BOOLEAN', 1), 'uint8': ('UCHAR', 1), 'sint8': ('CHAR', 1), 'uint16': ('USHORT', 2),
    'sint16': ('SHORT', 2), 'uint32': ('ULONG', 4), 'sint32': ('LONG', 4), 'uint64': ('ULONGLONG', 8),
    'sint64': ('LONGLONG', 8), 'real32': ('FLOAT', 4), 'real64': ('DOUBLE', 8), 'char16': ('WCHAR', 2),
}

MOF_TOKEN_RE = re.compile(r'''
    (?P<ws>\s+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<id>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<num>[-+]?(?:0[xX][0-9A-Fa-f]+|[0-9]+(?:\.[0-9]+)?))
  | (?P<punct>[\[\](){};:,=])
  | (?P<other>.)
''', re.VERBOSE | re.DOTALL)


class MofError(Exception):
    def __init__(self, line, msg):
        super().__init__(msg)
        self.line = line


class MofParser:
    def __init__(self, text):
        self.toks = []
        line = 1
        lines = text.split('\n')
        # '#pragma' lines carry nothing the header needs.
        text = '\n'.join('' if l.lstrip().startswith('#') else l for l in lines)
        for m in MOF_TOKEN_RE.finditer(text):
            k = m.lastgroup
            if k not in ('ws', 'comment'):
                if k == 'other':
                    raise MofError(line, f'unexpected character "{m.group()}"')
                self.toks.append((k, m.group(), line))
            line += m.group().count('\n')
        self.i = 0

    def peek(self, value=None):
        if self.i >= len(self.toks):
            return None if value is not None else ('eof', '', self.toks[-1][2] if self.toks else 1)
        t = self.toks[self.i]
        return t if value is None or t[1] == value else None

    def line(self):
        return self.peek()[2]

    def take(self, value=None, kind=None):
        t = self.peek()
        if t[0] == 'eof' or (value is not None and t[1] != value) or (kind is not None and t[0] != kind):
            want = value or kind
            raise MofError(t[2], f'expected {want}, found "{t[1] or "end of file"}"')
        self.i += 1
        return t

    def qualifiers(self):
        quals = {}
        if not self.peek('['):
            return quals
        self.take('[')
        while True:
            name = self.take(kind='id')[1]
            value = True
            if self.peek('('):
                self.take('(')
                vals = []
                while not self.peek(')'):
                    vals.append(self.take()[1])
                    if self.peek(','):
                        self.take(',')
                self.take(')')
                value = vals[0] if len(vals) == 1 else vals
            elif self.peek('{'):
                self.take('{')
                vals = []
                while not self.peek('}'):
                    vals.append(self.take()[1])
                    if self.peek(','):
                        self.take(',')
                self.take('}')
                value = vals
            elif self.peek(':'):  # flavor, e.g. : amended
                self.take(':')
                self.take(kind='id')
            quals[name.lower()] = value
            if self.peek(','):
                self.take(',')
                continue
            self.take(']')
            return quals

    def parse(self):
        classes = []
        while self.peek()[0] != 'eof':
            quals = self.qualifiers()
            t = self.take(kind='id')
            if t[1].lower() == 'instance':
                raise MofError(t[2], 'instance declarations are not supported')
            if t[1].lower() != 'class':
                raise MofError(t[2], f'expected "class", found "{t[1]}"')
            name = self.take(kind='id')[1]
            base = None
            if self.peek(':'):
                self.take(':')
                base = self.take(kind='id')[1]
            self.take('{')
            members = []
            while not self.peek('}'):
                mq = self.qualifiers()
                line = self.line()
                mtype = self.take(kind='id')[1]
                mname = self.take(kind='id')[1]
                if self.peek('('):
                    raise MofError(line, f'class {name}: method {mname}() is not supported')
                array = None
                if self.peek('['):
                    self.take('[')
                    array = self.take(kind='num')[1] if not self.peek(']') else ''
                    self.take(']')
                if self.peek('='):
                    self.take('=')
                    while not self.peek(';'):
                        self.take()
                self.take(';')
                members.append({'quals': mq, 'type': mtype, 'name': mname, 'array': array, 'line': line})
            self.take('}')
            self.take(';')
            classes.append({'quals': quals, 'name': name, 'base': base, 'members': members, 'line': t[2]})
        return classes


def mof_guid(cls, path):
    g = cls['quals'].get('guid')
    if not isinstance(g, str):
        return None
    text = g.strip('"').strip('{}')
    m = re.match(r'^([0-9A-Fa-f]{8})-([0-9A-Fa-f]{4})-([0-9A-Fa-f]{4})-([0-9A-Fa-f]{4})-([0-9A-Fa-f]{12})$', text)
    if not m:
        raise MofError(cls['line'], f'class {cls["name"]}: bad guid qualifier {g}')
    return parse_guid_parts(','.join(m.groups()))


def generate_mof_header(path, classes, guard):
    L = []
    w = L.append
    w(f'/* Generated by owdf-wpp (openwdf) from {os.path.basename(path)}, as wmimofck -h would; do not edit. */')
    w(f'#ifndef {guard}')
    w(f'#define {guard}')
    w('')
    known = {}
    for cls in classes:
        name = cls['name']
        guid = mof_guid(cls, path)
        desc = cls['quals'].get('description')
        w(f'// {name} - {name}')
        if isinstance(desc, str):
            w(f'// {desc.strip(chr(34))}')
        if guid:
            d1, d2, d3, d4 = guid
            bytes_ = ','.join(f'0x{b:02x}' for b in d4)
            w(f'#define {name}Guid \\')
            w(f'    {{ 0x{d1:08x},0x{d2:04x},0x{d3:04x}, {{ {bytes_} }} }}')
            w('')
            w('#if ! (defined(MIDL_PASS))')
            w(f'DEFINE_GUID({name}_GUID, \\')
            w(f'            0x{d1:08x},0x{d2:04x},0x{d3:04x},{bytes_});')
            w('#endif')
            w('')
        items = []
        for m in cls['members']:
            if 'wmidataid' not in m['quals']:
                continue
            try:
                did = int(m['quals']['wmidataid'], 0)
            except (TypeError, ValueError):
                raise MofError(m['line'], f'{name}.{m["name"]}: bad WmiDataId')
            items.append((did, m))
        items.sort(key=lambda x: x[0])
        if not items:
            known[name] = None
            continue
        fields = []
        variable = False
        for did, m in items:
            if variable:
                raise MofError(m['line'], f'{name}.{m["name"]}: data item after a variable-size item '
                               '(string or WmiSizeIs array) is not supported')
            t = m['type']
            mname = m['name']
            if t.lower() in MOF_TYPES:
                ctype, size = MOF_TYPES[t.lower()]
            elif t.lower() in ('string', 'datetime'):
                ctype, size = None, None
            elif t in known and known[t] is not None:
                ctype, size = t, f'sizeof({t})'
            else:
                raise MofError(m['line'], f'{name}.{mname}: type "{t}" is not supported (boolean, [us]int8-64, '
                               'real32/64, char16, string, datetime, or a class defined earlier)')
            desc = m['quals'].get('description')
            comment = f'    // {desc.strip(chr(34))}' if isinstance(desc, str) else None
            if ctype is None:
                if t.lower() == 'datetime':
                    if m['array'] is not None:
                        raise MofError(m['line'], f'{name}.{mname}: datetime arrays are not supported')
                    fields.append((comment, f'    WCHAR {mname}[25];', mname, 'sizeof(WCHAR[25])', did))
                    continue
                fields.append((comment, f'    // {mname}: counted string (USHORT byte length, then WCHARs) '
                               'starts here', None, None, did))
                fields.append((None, '    CHAR VariableData[1];', 'VariableData', None, did))
                variable = True
                continue
            arr = m['array']
            if arr is None:
                fields.append((comment, f'    {ctype} {mname};', mname, f'sizeof({ctype})' if isinstance(size, int)
                               else size, did))
            elif arr != '' and 'wmisizeis' not in m['quals']:
                fields.append((comment, f'    {ctype} {mname}[{arr}];', mname, f'sizeof({ctype}[{arr}])', did))
            else:
                fields.append((comment, f'    {ctype} {mname}[1];', mname, None, did))
                variable = True
        w(f'typedef struct _{name}')
        w('{')
        last = None
        for comment, decl, mname, size, did in fields:
            if comment:
                w(comment)
            w(decl)
            if mname and mname != 'VariableData':
                if size:
                    w(f'    #define {name}_{mname}_SIZE {size}')
                w(f'    #define {name}_{mname}_ID {did}')
            w('')
            last = (mname, size)
        w(f'}} {name}, *P{name};')
        w('')
        if last and last[1]:
            w(f'#define {name}_SIZE (FIELD_OFFSET({name}, {last[0]}) + {name}_{last[0]}_SIZE)')
        elif last and last[0]:
            w(f'#define {name}_SIZE (FIELD_OFFSET({name}, {last[0]}))')
        w('')
        known[name] = True
    w(f'#endif /* {guard} */')
    return '\n'.join(L) + '\n'


def generate_mof_source(path, text, resource):
    base = os.path.splitext(os.path.basename(path))[0]
    ident = re.sub(r'[^A-Za-z0-9_]', '_', base)
    chunks = []
    for i in range(0, len(text), 64):
        piece = text[i:i + 64].encode('utf-8')
        chunks.append('    "' + ''.join(
            chr(b) if 32 <= b < 127 and chr(b) not in '"\\?' else f'\\{b:03o}' for b in piece) + '"')
    body = '\n'.join(chunks) if chunks else '    ""'
    return f'''/* Generated by owdf-wpp (openwdf) from {os.path.basename(path)}: the MOF class definitions, embedded
 * in the driver binary for the WMI layer (see include/openwdf/mof.h); do not edit. */
#include <stddef.h>
#include <openwdf/mof.h>

static const char owdf_mof_text_{ident}[] =
{body};

__attribute__((used, section("owdf_mof"), aligned(sizeof(void *))))
static const owdf_mof_resource owdf_mof_resource_{ident} = {{
    OWDF_MOF_RESOURCE_MAGIC, {c_string(resource)}, {c_string(os.path.basename(path))},
    owdf_mof_text_{ident}, sizeof owdf_mof_text_{ident} - 1,
}};
'''


def cmd_mof(opts):
    rc = 0
    os.makedirs(opts.out, exist_ok=True)
    for path in opts.files:
        try:
            text = read_text(path)
        except OSError as e:
            diag('error', None, f'cannot read {path}: {e.strerror}')
            rc = 1
            continue
        try:
            classes = MofParser(text).parse()
        except MofError as e:
            diag('error', f'{path}:{e.line}', str(e))
            rc = 1
            continue
        if not classes:
            diag('error', path, 'no class definitions')
            rc = 1
            continue
        base = os.path.splitext(os.path.basename(path))[0]
        try:
            for header in (base + 'Mof.h', base + '.h'):
                if header == base + '.h' and os.path.exists(os.path.join(os.path.dirname(path) or '.', header)):
                    continue  # the driver's own header of that name wins
                guard = '_' + re.sub(r'[^A-Za-z0-9]', '_', os.path.splitext(header)[0]) + '_h_'
                content = generate_mof_header(path, classes, guard)
                with open(os.path.join(opts.out, header), 'w') as f:
                    f.write(content)
        except MofError as e:
            diag('error', f'{path}:{e.line}', str(e))
            rc = 1
            continue
        with open(os.path.join(opts.out, base + '_mof.c'), 'w') as f:
            f.write(generate_mof_source(path, text, opts.resource))
    return rc


def main(argv):
    parser = argparse.ArgumentParser(prog=PROG, description='WPP .tmh and MOF header generator for openwdf')
    sub = parser.add_subparsers(dest='cmd', required=True)
    t = sub.add_parser('tmh', help='generate .tmh files')
    t.add_argument('--out', required=True)
    t.add_argument('--scan', action='append', default=[])
    t.add_argument('--func', action='append', default=[])
    t.add_argument('--define', action='append', default=[])
    t.add_argument('-I', dest='include', action='append', default=[])
    t.add_argument('sources', nargs='+')
    m = sub.add_parser('mof', help='generate MOF headers')
    m.add_argument('--out', required=True)
    m.add_argument('--resource', default='MofResourceName')
    m.add_argument('files', nargs='+')
    opts = parser.parse_args(argv)
    if opts.cmd == 'tmh':
        return cmd_tmh(opts)
    return cmd_mof(opts)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
