"""torchtitan's own entry point, on whatever machine this is: ``python -m codescale.titan_runner.titan_train`` takes
exactly the arguments of ``python -m torchtitan.train`` and runs its ``main()``, after
:func:`codescale.titan_runner.cpu_compat.apply`.

Why a second name for the same entry point: ``torchtitan.train`` imports ``torchtitan.trainer`` at its top, before
it loads the job module named by ``--module``, and on a machine without CUDA that import fails (torchtitan imports
triton for its MoE kernels) or picks the ``cuda`` device (chosen when ``torchtitan.tools.utils`` is imported). No
config can change that, so the compatibility layer has to run first. On a CUDA machine with torch 2.14 the two
commands are the same; ``python -m torchtitan.train`` works there directly with a compiled ``jobs.py`` (whose import
applies the version shim itself).

Example (one process; torchrun sets RANK, WORLD_SIZE and the rendezvous)::

    PYTHONPATH=runs/demo torchrun --standalone --nproc-per-node 1 -m codescale.titan_runner.titan_train \\
        --module jobs --config job_python_64_3b2f...
"""

from __future__ import annotations


def main() -> None:
    from codescale.titan_runner import cpu_compat

    cpu_compat.apply()
    from torchtitan.train import main as torchtitan_main

    torchtitan_main()


if __name__ == "__main__":
    main()
