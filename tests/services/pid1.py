#!/usr/bin/env python3
"""Pid 1 of a PID namespace, for PbDeploy's tests: `unshare --pid --fork --mount-proc python3 pid1.py ...`.

pid1.py --out DIR [--port N] -- COMMAND...
  Leads a session and process group of its own (pid 1, group 1: what a careless escalation turns into kill(-1)),
  and records in DIR/signals every catchable signal it gets (it has handlers: the kernel drops the signals a
  namespace's init has none for, and never delivers SIGKILL to it from inside). With --port it listens on
  127.0.0.1:N (a socket-activated port, as systemd holds them). It starts a bystander (sleep, in a session of its
  own), runs COMMAND in a session of its own with stdout and stderr to DIR/stdout and DIR/stderr, then writes
  DIR/result.json: {"exit": CODE, "bystander_alive": BOOL}. Then it kills the bystander and exits, which ends
  every process left in the namespace.
"""
import json, os, signal, socket, subprocess, sys, time

args = sys.argv[1:]
split = args.index("--")
opts, command = args[:split], args[split + 1:]
out = opts[opts.index("--out") + 1]
port = int(opts[opts.index("--port") + 1]) if "--port" in opts else None

try:
    os.setsid()
except OSError:
    pass

def record(signum, _frame):
    with open(os.path.join(out, "signals"), "a") as f:
        f.write(signal.Signals(signum).name + "\n")

for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
    signal.signal(sig, record)

listener = None
if port is not None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(16)

bystander = subprocess.Popen(["sleep", "300"], start_new_session=True)
with open(os.path.join(out, "stdout"), "w") as so, open(os.path.join(out, "stderr"), "w") as se:
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=so, stderr=se, start_new_session=True)
    while True:
        try:
            code = child.wait(timeout=90)
            break
        except subprocess.TimeoutExpired:
            child.kill()
        except InterruptedError:
            pass

alive = bystander.poll() is None
with open(os.path.join(out, "result.json.tmp"), "w") as f:
    json.dump({"exit": code, "bystander_alive": alive}, f)
os.replace(os.path.join(out, "result.json.tmp"), os.path.join(out, "result.json"))
bystander.kill()
bystander.wait()
