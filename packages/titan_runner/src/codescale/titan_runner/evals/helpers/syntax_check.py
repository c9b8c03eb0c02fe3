"""Parses Python files without running them (codescale's eval harness; runs inside the sandbox).

Usage: python -I syntax_check.py FILE...   Prints "OK i" or "FAIL i<TAB>message" for file i. Unlike
``python -m py_compile`` it writes no byte code.
"""

import sys

for index, path in enumerate(sys.argv[1:]):
    try:
        with open(path, "rb") as handle:
            compile(handle.read(), path, "exec", dont_inherit=True)
        print(f"OK {index}")
    except (SyntaxError, ValueError) as err:
        print(f"FAIL {index}\t{type(err).__name__}: {err}".replace("\n", " "))
