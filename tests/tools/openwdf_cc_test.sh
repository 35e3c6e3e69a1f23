#!/usr/bin/env bash
# openwdf_cc_test.sh - builds the test driver (tests/tools/driver) out of tree with openwdf-cc, checks
# the binary's exports and loads it with driver_check (which reads back its WPP and KdPrint output):
#   - as a WDM driver (--wdm), with --wpp-scan, -Wall -Wextra -Werror (gcc, and clang when present);
#   - with OWDF_WPP_LEVEL=ERROR (only error messages traced);
#   - compile (-c, --gen-dir) then link as two steps, objects and the .mof at link time;
#   - as a KMDF driver (the driver stub, FxDriverEntry), finding trace.h without --wpp-scan;
#   - with the flags of `pkg-config openwdf-driver` instead of openwdf-cc.
# Only tools that are absent (clang, pkg-config) make a part skipped; the run says so.
#
# usage: openwdf_cc_test.sh OPENWDF_CC DRIVER_CHECK DRIVER_SRC_DIR PKGCONFIG_DIR LIBOPENWDF
set -uo pipefail

occ=$(readlink -f -- "$1")
check=$(readlink -f -- "$2")
src=$(readlink -f -- "$3")
pcdir=$(readlink -f -- "$4")
libopenwdf=$(readlink -f -- "$5")

fail=0
skipped=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*" >&2; fail=1; }
skip() { echo "SKIP: $*"; skipped=1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/openwdf-cc-test.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
cd "$work" || exit 1

# The driver binary exports exactly one symbol.
expect_exports() { # file symbol
    local got
    got=$(nm -D --defined-only "$1" | awk '{print $3}' | sort | tr '\n' ' ')
    if [ "$got" = "$2 " ]; then ok "$1 exports only $2"; else bad "$1 exports: $got (expected $2)"; fi
}

# ---- WDM, --wpp-scan, strict warnings ----------------------------------------------------------------
if bash "$occ" --wdm -Wall -Wextra -Wno-unused-parameter -Werror --wpp-scan="$src/trace.h" \
        -o wdm.so "$src/driver.c" "$src/helper.c" "$src/testdrv.mof"; then
    ok "wdm build"
    expect_exports wdm.so DriverEntry
    if readelf -S wdm.so | grep owdf_mof >/dev/null; then ok "MOF resource section present"; else bad "no owdf_mof section"; fi
    "$check" wdm "$work/wdm.so" all || bad "driver_check wdm"
    OWDF_WPP_LEVEL=ERROR "$check" wdm "$work/wdm.so" errors || bad "driver_check wdm (OWDF_WPP_LEVEL=ERROR)"
else
    bad "wdm build failed"
fi

# ---- clang: the generated .tmh and the flags suit it too ----------------------------------------------
if command -v clang >/dev/null 2>&1; then
    if CC=clang bash "$occ" --wdm -Wall -Wextra -Wno-unused-parameter -Werror --wpp-scan="$src/trace.h" \
            -o clang.so "$src/driver.c" "$src/helper.c" "$src/testdrv.mof"; then
        ok "clang build"
        "$check" wdm "$work/clang.so" all >/dev/null || bad "driver_check clang build"
    else
        bad "clang build failed"
    fi
else
    skip "clang is not installed"
fi

# ---- compile and link as separate steps ------------------------------------------------------------
mkdir -p gen obj
if bash "$occ" --wdm -c --gen-dir=gen --wpp-scan="$src/trace.h" "$src/testdrv.mof" "$src/driver.c" \
        -o obj/driver.o &&
   bash "$occ" --wdm -c --wpp-scan="$src/trace.h" "$src/helper.c" -o obj/helper.o &&
   bash "$occ" --wdm -o twostep.so obj/driver.o obj/helper.o "$src/testdrv.mof"; then
    ok "two-step build"
    if [ -f gen/driver.tmh ] && [ -f gen/testdrvMof.h ]; then ok "--gen-dir keeps generated files"
    else bad "--gen-dir: generated files missing"; fi
    expect_exports twostep.so DriverEntry
    "$check" wdm "$work/twostep.so" all || bad "driver_check two-step"
else
    bad "two-step build failed"
fi

# ---- --show prints the command ---------------------------------------------------------------------
shown=$(bash "$occ" --wdm --show -o x.so "$src/plain.c")
case "$shown" in
    *-fshort-wchar*-shared*openwdf-wdm-driver.map*-lopenwdf*) ok "--show" ;;
    *) bad "--show printed: $shown" ;;
esac
[ ! -e x.so ] || bad "--show built the driver"

# ---- pkg-config --------------------------------------------------------------------------------------
if command -v pkg-config >/dev/null 2>&1; then
    pc_cflags=$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags openwdf-driver | tr ' ' '\n' | sed '/^$/d' | sort)
    cc_cflags=$(bash "$occ" --cflags | tr ' ' '\n' | sed '/^$/d' | sort)
    if [ "$pc_cflags" = "$cc_cflags" ]; then ok "pkg-config --cflags = openwdf-cc --cflags"
    else bad "pkg-config cflags differ: $(tr '\n' ' ' <<< "$pc_cflags") vs $(tr '\n' ' ' <<< "$cc_cflags")"; fi
    pc_libs=$(PKG_CONFIG_PATH=$pcdir pkg-config --libs openwdf-driver)
    case "$pc_libs" in
        *--whole-archive*-lopenwdf*) ok "pkg-config --libs" ;;
        *) bad "pkg-config --libs: $pc_libs" ;;
    esac
    # shellcheck disable=SC2046
    if ${CC:-cc} $(PKG_CONFIG_PATH=$pcdir pkg-config --cflags openwdf-driver) -Wall -Werror -c "$src/plain.c" \
            -o plain.o; then ok "pkg-config flags compile a driver"; else bad "pkg-config compile failed"; fi
else
    skip "pkg-config is not installed"
fi

# ---- KMDF: the stub, FxDriverEntry ------------------------------------------------------------------
stub=$(bash "$occ" --libs | tr ' ' '\n' | grep 'libopenwdf_driver_stub\.a$' || true)
if [ -z "$stub" ] || [ ! -f "$stub" ]; then
    bad "KMDF build: the driver stub library is not built (${stub:-no path})"
elif ! nm -D --defined-only "$libopenwdf" | grep ' imp_fx_driver_bind$' >/dev/null; then
    bad "KMDF build: libopenwdf does not export imp_fx_driver_bind"
else
    # A sanitizer build instruments the stub too: the driver must then link the same runtimes.
    san=()
    nm "$stub" 2>/dev/null | grep '__asan_init' >/dev/null && san+=(-fsanitize=address)
    nm "$stub" 2>/dev/null | grep '__ubsan_handle' >/dev/null && san+=(-fsanitize=undefined)
    [ ${#san[@]} -eq 0 ] || echo "note: the stub is instrumented; building the KMDF drivers with ${san[*]}"
    # No --wpp-scan: openwdf-cc finds trace.h through the sources' #include "trace.h".
    if bash "$occ" "${san[@]}" -DTESTDRV_KMDF -Wall -Wextra -Wno-unused-parameter -Werror -o kmdf.so \
            "$src/driver.c" "$src/helper.c" "$src/testdrv.mof"; then
        ok "kmdf build"
        expect_exports kmdf.so FxDriverEntry
        "$check" kmdf "$work/kmdf.so" all || bad "driver_check kmdf"
    else
        bad "kmdf build failed"
    fi
    if command -v pkg-config >/dev/null 2>&1; then
        # shellcheck disable=SC2046
        if ${CC:-cc} "${san[@]}" $(PKG_CONFIG_PATH=$pcdir pkg-config --cflags openwdf-driver) -o plain.so "$src/plain.c" \
                $(PKG_CONFIG_PATH=$pcdir pkg-config --libs openwdf-driver); then
            ok "pkg-config flags link a driver"
            expect_exports plain.so FxDriverEntry
        else
            bad "pkg-config link failed"
        fi
    fi
fi

if [ "$fail" != 0 ]; then
    exit 1
fi
[ "$skipped" = 0 ] || echo "(some parts skipped, see SKIP lines)"
exit 0
