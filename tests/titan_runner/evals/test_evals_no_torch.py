"""The harness, suites, pass@k and BLEU modules work with torch and torchtitan unimportable (judging runs anywhere)."""

import subprocess
import sys

_SCRIPT = """
import sys
sys.modules["torch"] = None  # any `import torch` now raises ImportError
sys.modules["torchtitan"] = None
from codescale.titan_runner.evals import bleu, harness, passk, sandbox, suites
suite = suites.builtin_suite().select(languages=["python"], limit=2)
programs = [harness.Program(p.key, p.language, p.program(p.truncate(p.reference + p.tests))) for p in suite.problems]
with harness.Harness(workers=1) as judge:
    verdicts = judge.check(programs)
print("PASSED", sum(v.passed for v in verdicts))
print("PASS@1", passk.pass_at_k(2, 1, 1), bleu.corpus_bleu(["a b"], ["a b"]).score)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "torchtitan") and sys.modules[m] is not None)
print("LOADED", loaded)
"""


def test_judging_imports_neither_torch_nor_torchtitan():
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "PASSED 2" in proc.stdout
    assert "LOADED []" in proc.stdout
