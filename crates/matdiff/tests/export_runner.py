"""Runs the exported modules of a manifest written by tests/export.rs, all in this one process.

For each case: f and grad_f at the given values must agree with the engine's numbers there
(`matdiff grad --at`), and check_gradient(seed=0) must pass; for a case with a Hessian,
hessian_f must agree with `matdiff grad --hessian` and check_hessian(seed=0) must pass. Prints
one JSON line: the target, the number of cases, the failures and the time taken; exits with 1
when any case failed.
"""
import contextlib
import io
import json
import math
import sys
import time
import traceback

TOLERANCE = 1e-8


def flat(v):
    if isinstance(v, list):
        return [x for item in v for x in flat(item)]
    return [float(v)]


def relative_error(a, b):
    norm = lambda xs: math.sqrt(sum(x * x for x in xs))
    scale = max(norm(a), norm(b)) or 1.0
    return norm([x - y for x, y in zip(a, b)]) / scale


def run(case):
    ns = {"__name__": "matdiff_export_case"}
    exec(compile(case["source"], case["name"], "exec"), ns)
    values = case["values"]
    problems = []
    value = float(ns["f"](**values))
    if abs(value - case["f"]) > TOLERANCE * max(1.0, abs(case["f"])):
        problems.append(f"f = {value!r}, the engine says {case['f']!r}")
    grad = ns["_entries"](ns["grad_f"](**values))
    want = flat(case["gradient"])
    if len(grad) != len(want):
        problems.append(f"grad_f has {len(grad)} entries, the engine's gradient {len(want)}")
    elif relative_error(grad, want) > TOLERANCE:
        problems.append(f"grad_f differs from the engine's gradient by {relative_error(grad, want):.1e} "
                        f"(relative): {grad} against {want}")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        passed = ns["check_gradient"](seed=0)
    if passed is not True:
        problems.append("check_gradient(seed=0) failed:\n" + out.getvalue())
    if "hessian" in case:
        problems.extend(run_hessian(case, ns, values))
    return problems


def run_hessian(case, ns, values):
    """hessian_f against the engine's `grad --hessian` (N x N in vec order), and check_hessian."""
    problems = []
    if "hessian_f" not in ns or "check_hessian" not in ns:
        return ["the module has no hessian_f or check_hessian"]
    hessian = ns["_entries"](ns["hessian_f"](**values))
    want = flat(case["hessian"])
    if len(hessian) != len(want):
        problems.append(f"hessian_f has {len(hessian)} entries, the engine's Hessian {len(want)}")
    elif relative_error(hessian, want) > TOLERANCE:
        problems.append(f"hessian_f differs from the engine's Hessian by {relative_error(hessian, want):.1e} "
                        f"(relative): {hessian} against {want}")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        passed = ns["check_hessian"](seed=0)
    if passed is not True:
        problems.append("check_hessian(seed=0) failed:\n" + out.getvalue())
    return problems


def main():
    with open(sys.argv[1], encoding="utf-8") as file:
        manifest = json.load(file)
    start = time.monotonic()
    failures = []
    for case in manifest["cases"]:
        try:
            problems = run(case)
        except Exception:
            problems = ["raised:\n" + traceback.format_exc()]
        if problems:
            failures.append({"name": case["name"], "problems": problems})
    print(json.dumps({"target": manifest["target"], "cases": len(manifest["cases"]),
                      "failures": failures, "seconds": time.monotonic() - start}))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
