"""Runs the two systems as separate processes and measures them: wall clock, CPU time of the
child (getrusage), peak RSS (/usr/bin/time -v)."""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed_process(cmd, rss=False, env=None):
    """Runs cmd; returns (stdout, wall seconds, CPU seconds, peak RSS in KiB when rss)."""
    with tempfile.NamedTemporaryFile(prefix="mufakat-ref-", suffix=".time") as tf:
        full = ["/usr/bin/time", "-v", "-o", tf.name, *cmd] if rss else cmd
        c, t = children_cpu(), time.perf_counter()
        done = subprocess.run(
            full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False, env=env
        )
        wall, cpu = time.perf_counter() - t, children_cpu() - c
        if done.returncode != 0:
            sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr.decode()[-2000:]}")
        peak = None
        if rss:
            for line in Path(tf.name).read_text().splitlines():
                if "Maximum resident set size" in line:
                    peak = int(line.split(":")[1])
    return done.stdout, wall, cpu, peak


def run_mufakat(binary, export_dir, warmup, repeat):
    cmd = [str(binary), "analyze", str(export_dir), "--json"]
    out, _, _, peak = timed_process(cmd, rss=True)
    for _ in range(warmup):
        timed_process(cmd)
    runs = [timed_process(cmd) for _ in range(repeat)]
    return json.loads(out)["analysis"], [r[1] for r in runs], [r[2] for r in runs], peak


ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def run_reddwarf(export_dir, labels_file, warmup, repeat):
    script = [sys.executable, str(HERE / "run_reddwarf.py"), str(export_dir)]
    # One fresh process, one run: end-to-end wall time and peak memory of a single analysis.
    once, once_wall, _, peak = timed_process(script, rss=True)
    timing = [*script, "--warmup", str(warmup), "--repeat", str(repeat)]
    many = timed_process([*timing, "--labels", labels_file, "--steps"])[0]
    # scikit-learn's k-means (OpenMP) and numpy (OpenBLAS) use every core by default;
    # mufakat runs on one thread, so red-dwarf is also timed on one.
    single = timed_process(timing, env={**os.environ, **ONE_THREAD})[0]
    return json.loads(once), once_wall, peak, json.loads(many), json.loads(single)
