#!/usr/bin/env bash
# Static analysis on our own sources: clang-tidy (with the build's compile_commands.json) and cppcheck.
# Exits non-zero on any finding.
set -euo pipefail
builddir=${1:-build-check}
cd "$(dirname "$0")/.."
mapfile -t sources < <(git ls-files 'src/*.c' 'tools/*.c' 2>/dev/null; git ls-files --others --exclude-standard 'src/*.c' 'tools/*.c')
if [ ${#sources[@]} -eq 0 ]; then exit 0; fi
echo "lint: clang-tidy on ${#sources[@]} files"
clang-tidy -p "$builddir" --quiet --warnings-as-errors='*' "${sources[@]}" 2>/dev/null
echo "lint: cppcheck"
cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
  --suppress=missingIncludeSystem --suppress=unknownMacro \
  -I include/wdk -I include -I src/nt -D__GNUC__ -D__x86_64__ -D__SIZEOF_WCHAR_T__=2 \
  "${sources[@]}"
echo "lint: clean"
