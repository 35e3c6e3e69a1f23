#!/usr/bin/env python3
"""Prints every verifier rule registered in the sources (id, default policy, description, file) as
a Markdown table: `scripts/list-rules.py > docs/verifier-rules.md` regenerates the catalogue."""
import pathlib, re, sys

root = pathlib.Path(__file__).resolve().parent.parent
entry = re.compile(r'\{\s*"([A-Z0-9_]+)",\s*((?:"(?:[^"\\]|\\.)*"\s*)+),\s*(OWDF_POLICY_[A-Z_]+)\s*\}', re.S)
policy = {"OWDF_POLICY_LOG": "log", "OWDF_POLICY_FAIL_CALL": "fail the call", "OWDF_POLICY_STOP_DRIVER": "stop the driver"}
rows = {}
for path in sorted(root.glob("src/**/*.c")):
    for m in entry.finditer(path.read_text()):
        text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2)))
        rows.setdefault(m.group(1), (policy[m.group(3)], text.replace("|", "\\|"), path.relative_to(root)))
print("| rule | default policy | what it catches | registered in |")
print("|---|---|---|---|")
for rule in sorted(rows):
    p, text, where = rows[rule]
    print(f"| `{rule}` | {p} | {text} | `{where}` |")
print(f"\n{len(rows)} rules.", file=sys.stderr)
