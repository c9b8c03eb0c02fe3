"""codescale.mixtures stays torch-free: laptops without torch prepare data and sample batches."""

import subprocess
import sys


def test_mixtures_never_imports_torch():
    code = (
        "import sys; import codescale.mixtures.prepare, codescale.mixtures.sampler, codescale.mixtures.corpus, "
        "codescale.mixtures.scan, codescale.mixtures.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'torchtitan')))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
