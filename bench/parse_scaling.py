"""bench/parse_scaling.py - how ludwig-c's reading of configs and datasets grows with their size
(issue 18, hostile inputs): each case is generated at each size, run once with `ludwig-c
experiment`, and timed up to the point where parsing is over: the "model:" line (printed once
every column is read and preprocessed, before training) or the exit, whichever comes first. The
process is then stopped, so training time (which grows with a vocabulary for other reasons) is
not counted. Prints seconds and peak RSS per size and the growth factor from the previous size
(at the "model:" line; for a run that exits before it, wait4's figure, which includes about 10 MB
of this driver's, from which ludwig-c is forked).

Usage: /usr/bin/python3 bench/parse_scaling.py LUDWIG_C SCRATCH [CASE ...] (sizes: SIZES env, default
"1000 10000 100000"; a run is stopped after TIMEOUT_S seconds, default 600). Cases:
  yaml_keys        N keys in one mapping of a small config (refused: unknown top-level key)
  csv_columns      a CSV of N columns and 3 rows (number c0 -> number c1)
  csv_rows         a CSV of N rows (number x -> number y)
  labels_output    N rows, N distinct labels of a category output (most_common 10000, the default)
  labels_input     N rows, N distinct labels of a category input with most_common 10^9 (all kept)
  json_columns     JSON Lines: 3 records of N keys (number k0 -> number k1)
"""
import os
import signal
import subprocess
import sys
import threading
import time

NUM_IO = "input_features:\n  - name: {i}\n    type: number\noutput_features:\n  - name: {o}\n    type: {t}\n{extra}trainer:\n  epochs: 1\n"


def gen(case, n, d):
    """Writes the config and the dataset of case at size n into d; returns (config, dataset)."""
    cfg, data = os.path.join(d, "c.yaml"), os.path.join(d, "d.csv")
    if case == "yaml_keys":
        with open(cfg, "w") as f:
            f.write(NUM_IO.format(i="x", o="y", t="number", extra="") + "x_extra:\n")
            f.writelines("  k%d: 0\n" % i for i in range(n))  # 1,000,000 keys fit the 16 MiB limit
        with open(data, "w") as f:
            f.write("x,y\n" + "".join("%d,%d\n" % (i, 2 * i) for i in range(20)))
    elif case == "csv_columns":
        with open(cfg, "w") as f:
            f.write(NUM_IO.format(i="c0", o="c1", t="number", extra=""))
        with open(data, "w") as f:
            f.write(",".join("c%d" % i for i in range(n)) + "\n")
            for r in range(3):
                f.write(",".join(str((r + i) % 5) for i in range(n)) + "\n")
    elif case == "csv_rows":
        with open(cfg, "w") as f:
            f.write(NUM_IO.format(i="x", o="y", t="number", extra=""))
        with open(data, "w") as f:
            f.write("x,y\n" + "".join("%d,%d\n" % (i % 97, i % 89) for i in range(n)))
    elif case == "labels_output":
        with open(cfg, "w") as f:
            f.write(NUM_IO.format(i="x", o="y", t="category", extra=""))
        with open(data, "w") as f:
            f.write("x,y\n" + "".join("%d,L%d\n" % (i % 7, i) for i in range(n)))
    elif case == "labels_input":
        with open(cfg, "w") as f:
            f.write("input_features:\n  - name: y\n    type: category\n    preprocessing:\n      most_common: 1000000000\n"
                    "output_features:\n  - name: x\n    type: number\ntrainer:\n  epochs: 1\n")
        with open(data, "w") as f:
            f.write("x,y\n" + "".join("%d,L%d\n" % (i % 7, i) for i in range(n)))
    elif case == "json_columns":
        data = os.path.join(d, "d.jsonl")
        with open(cfg, "w") as f:
            f.write(NUM_IO.format(i="k0", o="k1", t="number", extra=""))
        with open(data, "w") as f:
            for r in range(3):
                f.write("{" + ", ".join('"k%d": %d' % (i, (r + i) % 5) for i in range(n)) + "}\n")
    else:
        raise SystemExit("unknown case %s" % case)
    return cfg, data


def vm_hwm(pid):
    """Peak RSS (KB) of a running process, 0 if unknown."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(lc, cfg, data, out, timeout):
    """Seconds until the "model:" line or the exit, the peak RSS (KB) and the last stderr line."""
    t0 = time.perf_counter()
    p = subprocess.Popen([lc, "experiment", "--config", cfg, "--dataset", data, "--output_directory", out,
                          "--threads", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                         errors="replace")
    last, hwm = "", 0
    late = threading.Timer(timeout, os.kill, (p.pid, signal.SIGKILL))
    late.start()
    for line in p.stderr:
        last = line.strip() or last
        if "model:" in line:
            hwm = vm_hwm(p.pid)  # the peak so far: what comes after is training's
            break
    dt = time.perf_counter() - t0
    late.cancel()
    if dt >= timeout:
        last = "(stopped after %g s)" % timeout
    # reaped here (never by Popen) so wait4 gives this child's own peak RSS
    os.kill(p.pid, signal.SIGTERM)  # a zombie (exited, not yet reaped) ignores it
    ru = None
    for _ in range(100):
        pid, _, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.1)
    else:
        os.kill(p.pid, signal.SIGKILL)
        _, _, ru = os.wait4(p.pid, 0)
    p.returncode = -1
    p.stderr.close()
    return dt, hwm or ru.ru_maxrss, last


def main():
    if sys.argv[1] == "--gen":
        print("\n".join(gen(sys.argv[2], int(sys.argv[3]), sys.argv[4])))
        return
    lc, scratch = sys.argv[1], sys.argv[2]
    cases = sys.argv[3:] or ["yaml_keys", "csv_columns", "csv_rows", "labels_output", "labels_input",
                             "json_columns"]
    sizes = [int(s) for s in os.environ.get("SIZES", "1000 10000 100000").split()]
    print("%-14s %9s %10s %7s %10s  %s" % ("case", "size", "seconds", "growth", "peak MB", "ended with"))
    for case in cases:
        prev = None
        for n in sizes:
            d = os.path.join(scratch, "%s-%d" % (case, n))
            os.makedirs(d, exist_ok=True)
            # generated by a child, so this process stays small: ludwig-c's peak RSS as wait4
            # reports it includes that of the process it was forked from
            cfg, data = subprocess.run([sys.executable, __file__, "--gen", case, str(n), d], check=True,
                                       stdout=subprocess.PIPE, text=True).stdout.split("\n")[:2]
            out = os.path.join(d, "out")
            subprocess.run(["rm", "-rf", out])
            dt, rss, last = run(lc, cfg, data, out, float(os.environ.get("TIMEOUT_S", "600")))
            growth = "%6.1fx" % (dt / prev) if prev else "      "
            print("%-14s %9d %10.3f %7s %10.1f  %s" % (case, n, dt, growth, rss / 1024.0, last[:60]), flush=True)
            prev = dt
            subprocess.run(["rm", "-rf", d])


if __name__ == "__main__":
    main()
