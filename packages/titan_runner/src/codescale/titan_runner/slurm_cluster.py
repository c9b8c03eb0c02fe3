"""What the Slurm cluster offers, read from its own commands: the facts codescale places runs against.

:class:`SlurmCluster.read` asks Slurm a fixed, small number of questions, whatever the size of the plan:
``scontrol show config`` (``MaxArraySize``), ``scontrol show partition`` (names, default, ``MaxTime``),
``scontrol show node`` (CPUs, memory, GPUs from ``Gres``, features, partitions) and, when accounting runs,
``sacctmgr`` (accounts and QOS; None when there is no accounting, so nothing is checked against them).
:func:`slurm_command` is the one way codescale calls a Slurm client: a missing or failing command becomes a
:class:`~codescale.core.errors.CodescaleError` that says what to check.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from dataclasses import dataclass

from codescale.core.errors import CodescaleError

_KEY_VALUE = re.compile(r"(\w+)=(\S*)")


def slurm_command(args: list[str], *, timeout: float = 60) -> str:
    """Run one Slurm client command and return its stdout; a missing or failing command is a CodescaleError."""
    if shutil.which(args[0]) is None:
        raise CodescaleError(
            f"`{args[0]}` is not on PATH, so no Slurm cluster can be reached from here",
            hint="run on a Slurm login node, or use --executor local",
        )
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as err:
        raise CodescaleError(f"`{' '.join(args)}` did not answer within {timeout:.0f} s",
                             hint="is slurmctld up? (`scontrol ping`)") from err
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise CodescaleError(
            f"`{' '.join(args)}` failed (exit {proc.returncode}): {detail[-1] if detail else 'no output'}",
            hint="check that slurmctld is reachable (`scontrol ping`)",
        )
    return proc.stdout


def parse_slurm_minutes(text: str) -> int | None:
    """Slurm time limits (``MM``, ``MM:SS``, ``HH:MM:SS``, ``D-HH[:MM[:SS]]``) in minutes; None for unlimited."""
    text = text.strip()
    if text.upper() in ("UNLIMITED", "INFINITE", "NONE", ""):
        return None
    days = 0
    if "-" in text:
        d, text = text.split("-", 1)
        days = int(d)
        parts = [int(p) for p in text.split(":")] + [0, 0]
        hours, minutes, seconds = parts[:3]
    else:
        parts = [int(p) for p in text.split(":")]
        if len(parts) == 1:
            hours, minutes, seconds = 0, parts[0], 0
        elif len(parts) == 2:
            hours, minutes, seconds = 0, parts[0], parts[1]
        else:
            hours, minutes, seconds = parts[:3]
    return days * 1440 + hours * 60 + minutes + math.ceil(seconds / 60)


def _gpu_count(gres: str) -> int:
    """``gpu:8``, ``gpu:h100:8(S:0-1)``, ``gpu:a100:4,shard:8`` -> number of GPUs."""
    total = 0
    for item in gres.split(","):
        item = item.split("(")[0]
        fields = item.split(":")
        if fields[0] == "gpu" and fields[-1].isdigit() and len(fields) > 1:
            total += int(fields[-1])
    return total


@dataclass(frozen=True)
class SlurmNode:
    name: str
    cpus: int
    mem_mb: int
    gpus: int
    features: frozenset[str]
    partitions: tuple[str, ...]
    state: str


@dataclass(frozen=True)
class SlurmPartition:
    name: str
    max_time_min: int | None
    state: str
    default: bool


@dataclass(frozen=True)
class SlurmCluster:
    """A snapshot of the facts codescale needs to place runs."""

    max_array_size: int
    partitions: dict[str, SlurmPartition]
    nodes: list[SlurmNode]
    accounts: frozenset[str] | None  # None: no accounting, nothing to check against
    qos: frozenset[str] | None

    @classmethod
    def read(cls) -> SlurmCluster:
        config = {}
        for line in slurm_command(["scontrol", "show", "config"]).splitlines():
            key, sep, value = line.partition("=")
            if sep:
                config[key.strip()] = value.strip()
        partitions = {}
        for line in slurm_command(["scontrol", "show", "partition", "-o"]).splitlines():
            kv = dict(_KEY_VALUE.findall(line))
            if "PartitionName" in kv:
                partitions[kv["PartitionName"]] = SlurmPartition(
                    kv["PartitionName"], parse_slurm_minutes(kv.get("MaxTime", "UNLIMITED")), kv.get("State", "UP"),
                    kv.get("Default") == "YES",
                )
        nodes = []
        for line in slurm_command(["scontrol", "show", "node", "-o"]).splitlines():
            kv = dict(_KEY_VALUE.findall(line))
            if "NodeName" not in kv:
                continue
            features = kv.get("AvailableFeatures", "(null)")
            nodes.append(SlurmNode(
                name=kv["NodeName"], cpus=int(kv.get("CPUTot", 0)), mem_mb=int(kv.get("RealMemory", 0)),
                gpus=_gpu_count(kv.get("Gres", "")),
                features=frozenset() if features == "(null)" else frozenset(features.split(",")),
                partitions=tuple(p for p in kv.get("Partitions", "").split(",") if p), state=kv.get("State", ""),
            ))
        return cls(
            max_array_size=int(config.get("MaxArraySize", 1001)), partitions=partitions, nodes=nodes,
            accounts=_sacctmgr_names("account", "Account"), qos=_sacctmgr_names("qos", "Name"),
        )

    def default_partition(self) -> str | None:
        return next((p.name for p in self.partitions.values() if p.default), None)


def _sacctmgr_names(entity: str, column: str) -> frozenset[str] | None:
    if shutil.which("sacctmgr") is None:
        return None
    proc = subprocess.run(
        ["sacctmgr", "-n", "-P", "show", entity, f"format={column}"], capture_output=True, text=True, timeout=60
    )
    if proc.returncode != 0:
        return None
    return frozenset(line.strip().lower() for line in proc.stdout.splitlines() if line.strip())
