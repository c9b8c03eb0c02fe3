"""Synthetic parallel programs in all seven languages.

``generate_programs`` yields groups of equivalent programs, one per language, rendered from one random program in
the IR (``ir.py``: the model of a program; ``compose.py``: random construction; ``render/``: one module per
language; ``generate.py``: seeding and identity). ``write_corpus`` (``corpus.py``) lays such programs out as a corpus
catalog (contracts §1) that ``codescale data prepare`` reads.
"""

from codescale.core.domains import LANGUAGE_IDS
from codescale.mixtures.synthetic.corpus import write_corpus
from codescale.mixtures.synthetic.generate import generate_programs, program_at

__all__ = ["LANGUAGE_IDS", "generate_programs", "program_at", "write_corpus"]
