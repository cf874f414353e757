"""Run under torchrun: each rank builds the spec with its own seed, so the hashes differ."""

import sys
from pathlib import Path

import torch.distributed as dist

from rpnschema.compile.distributed import build_distributed
from rpnschema.errors import DeployError

dist.init_process_group("gloo")
rank = dist.get_rank()
spec = {"layers": [{"m": 3, "n": 2, "heads": [{"expansion": "taylor_expansion"}]}]}
try:
    build_distributed(spec, sharding=sys.argv[2], seed=0 if rank < 2 else rank)
    message = "built"
except DeployError as e:
    message = str(e.diagnostics[0])
Path(sys.argv[1], f"rank{rank}.txt").write_text(message)
dist.barrier()
dist.destroy_process_group()
