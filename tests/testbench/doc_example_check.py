#!/usr/bin/env python3
"""doc_example_check.py - docs/testbench.md must show tests/testbench/example_test.c verbatim.

The doc's code block that follows the line '<!-- example: tests/testbench/example_test.c -->' is
compared with the file; any difference fails the test (and is printed as a diff), so the example in
the doc is always the one that is compiled and run ('testbench_example').

usage: doc_example_check.py DOC.md EXAMPLE.c
"""
import difflib
import sys

MARKER = '<!-- example: tests/testbench/example_test.c -->'


def block_after_marker(doc):
    lines = doc.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.strip() == MARKER:
            start = i + 1
            if start >= len(lines) or not lines[start].startswith('```'):
                sys.exit('FAIL: the marker must be followed by a ``` code block')
            body = []
            for rest in lines[start + 1:]:
                if rest.startswith('```'):
                    return ''.join(body)
                body.append(rest)
            sys.exit('FAIL: the code block after the marker is not closed')
    sys.exit('FAIL: marker %r not found in the doc' % MARKER)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding='utf-8') as f:
        shown = block_after_marker(f.read())
    with open(sys.argv[2], encoding='utf-8') as f:
        source = f.read()
    if shown != source:
        sys.stdout.writelines(difflib.unified_diff(source.splitlines(keepends=True), shown.splitlines(keepends=True),
                                                   sys.argv[2], sys.argv[1] + ' (code block)'))
        print('FAIL: docs/testbench.md does not show tests/testbench/example_test.c verbatim')
        return 1
    print('ok: docs/testbench.md shows tests/testbench/example_test.c verbatim')
    return 0


if __name__ == '__main__':
    sys.exit(main())
