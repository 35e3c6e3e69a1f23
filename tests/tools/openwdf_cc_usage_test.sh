#!/usr/bin/env bash
# openwdf_cc_usage_test.sh - openwdf-cc's answers to bad usage and bad inputs: each case must exit
# non-zero with a message naming the problem (and --help / --version must succeed).
#
# usage: openwdf_cc_usage_test.sh OPENWDF_CC
set -uo pipefail

occ=$(readlink -f -- "$1")
fail=0

work=$(mktemp -d "${TMPDIR:-/tmp}/openwdf-cc-usage.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
cd "$work" || exit 1

# expect_error "description" "message fragment" args...
expect_error() {
    local what=$1 fragment=$2
    shift 2
    local out rc
    out=$(bash "$occ" "$@" 2>&1)
    rc=$?
    if [ "$rc" -eq 0 ]; then
        echo "FAIL: $what: exit status 0" >&2
        fail=1
    elif [[ "$out" != *"$fragment"* ]]; then
        echo "FAIL: $what: message \"$out\" lacks \"$fragment\"" >&2
        fail=1
    else
        echo "ok: $what (exit $rc)"
    fi
}

# expect_ok "description" "output fragment" args...
expect_ok() {
    local what=$1 fragment=$2
    shift 2
    local out
    if ! out=$(bash "$occ" "$@" 2>&1); then
        echo "FAIL: $what: failed: $out" >&2
        fail=1
    elif [[ "$out" != *"$fragment"* ]]; then
        echo "FAIL: $what: output lacks \"$fragment\"" >&2
        fail=1
    else
        echo "ok: $what"
    fi
}

cat > trace.h <<'EOF'
#define WPP_CONTROL_GUIDS \
    WPP_DEFINE_CONTROL_GUID(UsageGuid, (01234567,89ab,cdef,0123,456789abcdef), \
        WPP_DEFINE_BIT(FLAG_ONE))
// begin_wpp config
// FUNC TraceEvents(LEVEL, FLAGS, MSG, ...);
// end_wpp
EOF
cat > good.c <<'EOF'
#include <ntddk.h>
#include "trace.h"
#include "good.tmh"
DRIVER_INITIALIZE DriverEntry;
NTSTATUS DriverEntry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    (void)d; (void)r;
    TraceEvents(TRACE_LEVEL_ERROR, FLAG_ONE, "%!STATUS!", STATUS_SUCCESS);
    return STATUS_SUCCESS;
}
EOF
cat > fewargs.c <<'EOF'
#include <ntddk.h>
#include "trace.h"
#include "fewargs.tmh"
void f(void) { TraceEvents(TRACE_LEVEL_ERROR, FLAG_ONE, "%d %!STATUS!", 1); }
EOF
cat > noconfig.c <<'EOF'
#include <ntddk.h>
#include "noconfig.tmh"
void f(void) { }
EOF
cat > unknown.c <<'EOF'
#include <ntddk.h>
#include "trace.h"
#include "unknown.tmh"
void f(void) { TraceEvents(TRACE_LEVEL_ERROR, FLAG_ONE, "%!NOPE! %d", 1); }
EOF
cat > broken.c <<'EOF'
this is not C
EOF
cat > method.mof <<'EOF'
[WMI, guid("{01234567-89ab-cdef-0123-456789abcdef}")]
class WithMethod
{
    [key, read] string InstanceName;
    [WmiMethodId(1), Implemented] void Reset([in] uint32 How);
};
EOF
cat > badtype.mof <<'EOF'
[WMI, guid("{01234567-89ab-cdef-0123-456789abcdef}")]
class BadType
{
    [WmiDataId(1), read] Unknown Thing;
};
EOF
cat > badguid.h <<'EOF'
#define WPP_CONTROL_GUIDS WPP_DEFINE_CONTROL_GUID(G, (nothex,1,2,3,4), WPP_DEFINE_BIT(X))
EOF

expect_error "no arguments" "no input files"
expect_error "options only" "no input files" -Wall -O2
expect_error "missing source" "source not found: nope.c" -o x.so nope.c
expect_error "missing object" "input not found: nope.o" -o x.so nope.o
expect_error "missing .mof" "source not found: nope.mof" -o x.so good.c nope.mof
expect_error "unknown --wpp option" "unknown option --wpp-bogus=1" --wpp-bogus=1 -o x.so good.c
expect_error "unknown --mof option" "unknown option --mof-bogus" --mof-bogus -o x.so good.c
expect_error "link without -o" "no output: give -o" --wdm good.c
expect_error "-c with .mof and no --gen-dir" "needs --gen-dir" --wdm -c good.c method.mof
expect_error "missing --wpp-scan file" "--wpp-scan: file not found: missing.h" --wdm --wpp-scan=missing.h -o x.so good.c
expect_error "-o without a name" "-o needs a file name" good.c -o
expect_error "too few trace arguments" "the format needs 2 argument(s), the call passes 1" \
    --wdm -o x.so fewargs.c
expect_error "no WPP configuration" "no WPP_CONTROL_GUIDS definition found" --wdm -o x.so noconfig.c
expect_error "bad control GUID" "bad GUID" --wdm --wpp-scan=badguid.h -o x.so good.c
expect_error "bad --wpp-func" "cannot parse trace function" --wdm --wpp-scan=trace.h --wpp-func='Oops(' \
    -o x.so good.c
expect_error "MOF method" "method Reset() is not supported" --wdm -o x.so good.c method.mof
expect_error "MOF unknown type" "type \"Unknown\" is not supported" --wdm -o x.so good.c badtype.mof
expect_error "compile error" "error" --wdm -o x.so broken.c

# A KMDF link when the stub library is missing (a copy of openwdf-cc pointing elsewhere).
sed "s|^stub_lib=.*|stub_lib='$work/missing/libopenwdf_driver_stub.a'|" "$occ" > occ-nostub
expect_error_with() { # script description fragment args...
    local saved=$occ
    occ=$1
    shift
    expect_error "$@"
    occ=$saved
}
expect_error_with "$work/occ-nostub" "KMDF link without the stub" "driver stub library is missing" -o k.so good.c

expect_ok "--help" "usage: openwdf-cc" --help
expect_ok "--version" "openwdf-cc (openwdf)" --version
expect_ok "--cflags" "-fshort-wchar" --cflags
expect_ok "--libs" "-lopenwdf" --libs
expect_ok "good WDM driver" "" --wdm -o good.so good.c
[ -f good.so ] || { echo "FAIL: good.so not built" >&2; fail=1; }
expect_ok "unknown type warns" "unknown WPP type %!NOPE!" --wdm --wpp-scan=trace.h -c unknown.c -o u.o
exit $fail
