#!/usr/bin/env bash
# status-benchmark.sh: `pbdeploy status` side by side with ss, lsof and the C floor (portpid), on a live scene, and
# `pbdeploy --version` against a bare NativeAOT hello; checks every start-up goal of issue 10 in one command.
#
# Usage:
#   bench/status-benchmark.sh [options] [N...]
#
#   N...                  background processes in each scene, one scene after the other (default 500; each process
#                         holds 20 sockets + 3 files, about 3 MB of memory); e.g. `50 500 2000` for every goal
#   --pbdeploy PATH       the NativeAOT pbdeploy binary (default: artifacts/aot/pbdeploy)
#   --dll PATH            the JIT build, run as `dotnet PATH` (default:
#                         source/PbDeploy.Cli/bin/Release/net10.0/pbdeploy.dll); --no-jit leaves it out
#   --out DIR             where the results go (default: bench/results); files are named status-nN.*, version.*, goals.md
#   --bench-dir DIR       the scene tools: scene.py and portpid.c (default: ../shared/bench next to the repository)
#   --runs R              hyperfine --runs (default: hyperfine's own choice, at least 10 runs / 3 s)
#   --order last|first    where the targets sit in the pid order (default last: worst case for the scan)
#   --no-version          leave out the --version / hello comparison (and building the hello)
#   --newtonsoft-hello    also time a hello that references Newtonsoft.Json (what that package alone costs a start)
#   -h, --help            this text
#
# What it does:
#   1. compiles portpid.c (gcc -O2 -pthread) into a temporary folder; builds a bare NativeAOT hello there from a tiny
#      project with pbdeploy's publish settings (this repository's global.json, so the same SDK; net10.0, linux-x64,
#      Release, PublishAot, InvariantGlobalization) and times `pbdeploy --version` against it with hyperfine
#      (-N --warmup 10), plus max RSS; results in DIR/version.{md,json};
#   2. for each N: picks a port P such that P and P+1 are free (below the scene's background port range), and starts
#      the scene: a single target on P, a prefork master with 4 workers on P+1, N background processes; the scene is
#      ALWAYS stopped on exit (trap), and the temporary folder removed;
#   3. writes three manifests: one.json (the single target), two.json (single + prefork), twenty.json (the two plus
#      18 free ports);
#   4. checks correctness first: `pbdeploy status --json` on every manifest (AOT, and JIT unless --no-jit on
#      twenty.json) must give pid = master and pids = every holder for both targets, and "stopped" for the 18 free
#      ports; any difference stops the run with exit code 1;
#   5. runs hyperfine -N --warmup 3 over: ss, lsof, portpid -n -a -j2, AOT status with one/two/twenty.json, JIT
#      status with one.json; exports DIR/status-nN.md (hyperfine's table), DIR/status-nN.json, and
#      DIR/status-nN-summary.md (median ms and ratio vs ss, plus max RSS from /usr/bin/time -f %M, median of 5);
#   6. writes DIR/goals.md: each goal of issue 10 with its ratio of medians (each from one hyperfine run), met or
#      not, and the load average (uptime) before and after each hyperfine run. Exit code 0 even when a goal is missed:
#      the file says which.
#
# Needs: python3, gcc, hyperfine, ss, lsof, /usr/bin/time, dotnet (the hello, and the JIT row).
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$script_dir/.." && pwd)

n_procs=()
pbdeploy="$repo/artifacts/aot/pbdeploy"
dll="$repo/source/PbDeploy.Cli/bin/Release/net10.0/pbdeploy.dll"
use_jit=1
out_dir="$script_dir/results"
bench_dir="$repo/../shared/bench"
runs=""
order=last
use_version=1
newtonsoft_hello=0

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() { echo "status-benchmark: error: $*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --pbdeploy) pbdeploy=${2:?--pbdeploy needs a path}; shift 2 ;;
        --dll) dll=${2:?--dll needs a path}; shift 2 ;;
        --no-jit) use_jit=0; shift ;;
        --out) out_dir=${2:?--out needs a folder}; shift 2 ;;
        --bench-dir) bench_dir=${2:?--bench-dir needs a folder}; shift 2 ;;
        --runs) runs=${2:?--runs needs a number}; shift 2 ;;
        --order) order=${2:?--order needs last or first}; shift 2 ;;
        --no-version) use_version=0; shift ;;
        --newtonsoft-hello) newtonsoft_hello=1; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) usage >&2; exit 2 ;;
        *) n_procs+=("$1"); shift ;;
    esac
done

[[ ${#n_procs[@]} -gt 0 ]] || n_procs=(500)
for n_proc in "${n_procs[@]}"; do
    [[ "$n_proc" =~ ^[0-9]+$ && "$n_proc" -ge 1 ]] || die "N must be a positive integer, got '$n_proc'"
done
[[ "$order" == last || "$order" == first ]] || die "--order must be last or first"
[[ -x "$pbdeploy" ]] || die "no executable pbdeploy at $pbdeploy (build it: ./build.sh --target=PublishAot, or pass --pbdeploy)"
if [[ $use_jit == 1 || $use_version == 1 ]]; then
    command -v dotnet >/dev/null || die "dotnet is not on PATH (or pass --no-jit and --no-version)"
fi
if [[ $use_jit == 1 ]]; then
    [[ -f "$dll" ]] || die "no JIT build at $dll (build it: ./build.sh --target=Build, or pass --dll, or --no-jit)"
    command -v dotnet >/dev/null || die "dotnet is not on PATH (or pass --no-jit)"
fi
for tool in python3 gcc hyperfine ss lsof; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time is not installed (apt-get install time)"
bench_dir=$(cd "$bench_dir" && pwd) || die "no scene tools folder at $bench_dir (pass --bench-dir)"
[[ -f "$bench_dir/scene.py" && -f "$bench_dir/portpid.c" ]] || die "$bench_dir lacks scene.py or portpid.c"
pbdeploy=$(realpath "$pbdeploy")
[[ $use_jit == 1 ]] && dll=$(realpath "$dll")
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)

# Memory: the scene needs about 3 MB per process; refuse what would not fit (scenes run one at a time).
avail_mb=$(awk '/MemAvailable/ { print int($2 / 1024) }' /proc/meminfo)
for n_proc in "${n_procs[@]}"; do
    need_mb=$(( (n_proc + 10) * 3 + 512 ))
    (( need_mb < avail_mb )) || die "a scene of $n_proc processes needs about $need_mb MB; $avail_mb MB are available"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/status-benchmark.XXXXXX")
state="$work/scene.json"
loads="$work/loads.tsv"
: >"$loads"
cleanup() {
    local rc=$?
    if [[ -f "$state" ]]; then
        if ! python3 "$bench_dir/scene.py" stop "$state" >&2; then
            echo "status-benchmark: WARNING: the scene left survivors; stop them with: python3 $bench_dir/scene.py stop $state" >&2
            exit 1
        fi
    fi
    rm -rf "$work"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== compiling portpid" >&2
gcc -O2 -pthread -o "$work/portpid" "$bench_dir/portpid.c"
portpid="$work/portpid"

load() { # load LABEL: one line of loads.tsv, the 1-minute load average now
    printf '%s\t%s\n' "$1" "$(cut -d' ' -f1 /proc/loadavg)" >>"$loads"
}

max_rss() { # max_rss COMMAND...: median max RSS in KiB over 5 runs
    local i values=()
    for i in 1 2 3 4 5; do
        /usr/bin/time -o "$work/rss.txt" -f '%M' "$@" >/dev/null 2>&1 || true
        values+=("$(tail -1 "$work/rss.txt")")
    done
    printf '%s\n' "${values[@]}" | sort -n | sed -n 3p
}

hello() { # hello NAME [PACKAGE VERSION]: publishes a NativeAOT hello into $work/NAME/out/hello, as pbdeploy is published
    local name=$1 package=${2:-} version=${3:-} dir="$work/$1"
    mkdir -p "$dir"
    # This repository's global.json: the SDK that publishes pbdeploy publishes the hello.
    cp "$repo/global.json" "$dir/"
    {
        echo '<Project Sdk="Microsoft.NET.Sdk">'
        echo '  <PropertyGroup>'
        echo '    <OutputType>Exe</OutputType>'
        echo '    <TargetFramework>net10.0</TargetFramework>'
        echo '    <Nullable>enable</Nullable>'
        echo '    <ImplicitUsings>enable</ImplicitUsings>'
        echo '    <InvariantGlobalization>true</InvariantGlobalization>'
        echo '    <SatelliteResourceLanguages>en</SatelliteResourceLanguages>'
        echo '    <Deterministic>true</Deterministic>'
        echo '  </PropertyGroup>'
        [[ -n "$package" ]] && echo "  <ItemGroup><PackageReference Include=\"$package\" Version=\"$version\" /></ItemGroup>"
        echo '</Project>'
    } >"$dir/hello.csproj"
    if [[ -n "$package" ]]; then
        # Referenced and reachable (as the manifest reader reaches it), but only run when given a file.
        echo 'if (args.Length > 0) { Console.WriteLine(Newtonsoft.Json.Linq.JObject.Parse(File.ReadAllText(args[0])).Count); }' >"$dir/Program.cs"
    fi
    echo 'Console.WriteLine("0.1.0+0000000000000000000000000000000000000000");' >>"$dir/Program.cs"
    # The settings build.sh --target=PublishAot gives pbdeploy: Release, linux-x64, PublishAot.
    (cd "$dir" && dotnet publish -c Release -r linux-x64 -p:PublishAot=true -p:IlcTreatWarningsAsErrors=false \
        -nodeReuse:false -o "$dir/out" >"$dir/publish.log" 2>&1) || { cat "$dir/publish.log" >&2; die "publishing the $name hello failed"; }
    "$dir/out/hello" >/dev/null || die "the $name hello does not run"
}

if [[ $use_version == 1 ]]; then
    echo "== --version against a bare NativeAOT hello" >&2
    hello hello
    version_cmds=(-n "hello (bare NativeAOT)" "$work/hello/out/hello" -n "pbdeploy --version" "$pbdeploy --version")
    if [[ $newtonsoft_hello == 1 ]]; then
        nj_version=$(sed -n 's/.*Include="Newtonsoft.Json" Version="\([^"]*\)".*/\1/p' "$repo/Directory.Packages.props")
        hello hello-newtonsoft Newtonsoft.Json "${nj_version:-13.0.4}"
        version_cmds+=(-n "hello referencing Newtonsoft.Json" "$work/hello-newtonsoft/out/hello")
    fi
    printf '%s\n' "   binaries: hello $(stat -c %s "$work/hello/out/hello") B, pbdeploy $(stat -c %s "$pbdeploy") B" >&2
    load "version: before"
    hyperfine -N --warmup 10 --export-markdown "$out_dir/version.md" --export-json "$out_dir/version.json" \
        ${runs:+--runs "$runs"} "${version_cmds[@]}"
    load "version: after"
    {
        echo "hello (bare NativeAOT)	$(max_rss "$work/hello/out/hello")"
        echo "pbdeploy --version	$(max_rss "$pbdeploy" --version)"
        [[ $newtonsoft_hello == 1 ]] && echo "hello referencing Newtonsoft.Json	$(max_rss "$work/hello-newtonsoft/out/hello")"
        echo "sizes	hello=$(stat -c %s "$work/hello/out/hello") pbdeploy=$(stat -c %s "$pbdeploy")$([[ $newtonsoft_hello == 1 ]] && echo " hello-newtonsoft=$(stat -c %s "$work/hello-newtonsoft/out/hello")")"
    } >"$out_dir/version-rss.tsv"
fi

run_scene() { # run_scene N: one scene of N background processes, timed and summarised
local n_proc=$1

# Free ports: P and P+1 for the targets, 18 more for the free services; all below the scene's background port
# range (10000 .. 10000 + 10 N), checked for IPv4 and IPv6 with SO_REUSEADDR as the scene binds.
read -r port free_ports < <(python3 - <<'EOF'
import socket

def free(p):
    for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        s = socket.socket(fam, socket.SOCK_STREAM)
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if fam == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.bind((addr, p))
            s.listen(1)
        except OSError:
            return False
        finally:
            s.close()
    return True

port = next(p for p in range(9876, 2000, -2) if free(p) and free(p + 1))
others = [p for p in range(port - 2, 1024, -1) if free(p)][:18]
assert len(others) == 18
print(port, ",".join(map(str, others)))
EOF
)
[[ -n "${port:-}" ]] || die "no free port pair found"
echo "== scene: $n_proc processes, single target on :$port, prefork on :$((port + 1)), order $order" >&2
start_s=$(date +%s.%N)
python3 "$bench_dir/scene.py" start --n-proc "$n_proc" --order "$order" --port "$port" --state "$state" >"$work/scene-start.json"
echo "   started in $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start_s" "$(date +%s.%N)") s" >&2

# The manifests, and the expected answers, from the state file.
python3 - "$state" "$work" "$free_ports" <<'EOF'
import json, sys
st = json.load(open(sys.argv[1]))
work, free = sys.argv[2], [int(p) for p in sys.argv[3].split(",")]
if not st["ready"] or st["errors"]:
    sys.exit(f"scene not ready: errors={st['errors']}")
single, prefork = st["targets"]["single"], st["targets"]["prefork"]
if len(prefork["pids"]) != 5:
    sys.exit(f"prefork target has {len(prefork['pids'])} pids, expected 5")

def service(port):
    return {"port": port, "start": "false", "daemonizes": False}

one = {"single": service(single["port"])}
two = dict(one, prefork=service(prefork["port"]))
twenty = dict(two, **{f"free{i + 1:02}": service(p) for i, p in enumerate(free)})
for name, services in (("one", one), ("two", two), ("twenty", twenty)):
    with open(f"{work}/{name}.json", "w") as f:
        json.dump({"services": services}, f, indent=2)
expected = {"single": {"state": "running", "pid": single["master"], "pids": sorted(single["pids"])},
            "prefork": {"state": "running", "pid": prefork["master"], "pids": sorted(prefork["pids"])}}
expected.update({f"free{i + 1:02}": {"state": "stopped", "pid": None, "pids": []} for i in range(len(free))})
json.dump(expected, open(f"{work}/expected.json", "w"))
EOF

check() { # check LABEL MANIFEST COMMAND...: pbdeploy status --json must give exactly the expected answers
    local label=$1 manifest=$2
    shift 2
    "$@" status --json --manifest "$manifest" >"$work/answer.json" || die "$label: pbdeploy status exited $?"
    python3 - "$label" "$work/answer.json" "$work/expected.json" "$manifest" <<'EOF' || die "$label: WRONG answer (see above)"
import json, sys
label, answer, expected, manifest = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3])), sys.argv[4]
names = list(json.load(open(manifest))["services"])
got = {s["name"]: {"state": s["state"], "pid": s["pid"], "pids": sorted(s["pids"])} for s in answer}
bad = [n for n in names if got.get(n) != expected[n]]
if [s["name"] for s in answer] != names:
    bad.append("(service order)")
for n in bad:
    print(f"{label}: {n}: got {got.get(n)}, expected {expected.get(n)}", file=sys.stderr)
if bad:
    sys.exit(1)
print(f"   {label}: OK ({len(names)} services; single pid {got['single']['pid']}"
      + (f", prefork pid {got['prefork']['pid']} pids {got['prefork']['pids']}" if "prefork" in got else "") + ")",
      file=sys.stderr)
EOF
}

echo "== correctness" >&2
for m in one two twenty; do
    check "AOT $m.json" "$work/$m.json" "$pbdeploy"
done
[[ $use_jit == 1 ]] && check "JIT twenty.json" "$work/twenty.json" dotnet "$dll"
ss_pids=$(ss -Hltnp "sport = :$port" | grep -o 'pid=[0-9]*' | sort -u | cut -d= -f2 | paste -sd,)
pp_pids=$("$portpid" -n -a -j2 "$port" | sort -n | paste -sd,)
lsof_pids=$(lsof -nP -iTCP:"$port" -sTCP:LISTEN -t | sort -n | paste -sd,)
single_pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["single"]["pid"])' "$work/expected.json")
for tool in "ss:$ss_pids" "portpid:$pp_pids" "lsof:$lsof_pids"; do
    [[ "${tool#*:}" == "$single_pid" ]] || die "${tool%%:*} answered '${tool#*:}' for :$port, expected $single_pid"
done
echo "   ss, lsof, portpid: OK (pid $single_pid)" >&2

echo "== hyperfine" >&2
cmds=(
    -n "ss -Hltnp" "ss -Hltnp \"sport = :$port\""
    -n "lsof -t" "lsof -nP -iTCP:$port -sTCP:LISTEN -t"
    -n "portpid -n -a -j2 (C floor)" "$portpid -n -a -j2 $port"
    -n "pbdeploy AOT, 1 service" "$pbdeploy status --json --manifest $work/one.json"
    -n "pbdeploy AOT, 2 services" "$pbdeploy status --json --manifest $work/two.json"
    -n "pbdeploy AOT, 20 services" "$pbdeploy status --json --manifest $work/twenty.json"
)
[[ $use_jit == 1 ]] && cmds+=(-n "pbdeploy JIT, 1 service" "dotnet $dll status --json --manifest $work/one.json")
hf_opts=(-N --warmup 3 --export-markdown "$out_dir/status-n$n_proc.md" --export-json "$out_dir/status-n$n_proc.json")
[[ -n "$runs" ]] && hf_opts+=(--runs "$runs")
load "n$n_proc: before"
hyperfine "${hf_opts[@]}" "${cmds[@]}"
load "n$n_proc: after"

echo "== max RSS (/usr/bin/time -f %M, median of 5)" >&2
{
    echo "ss -Hltnp	$(max_rss ss -Hltnp "sport = :$port")"
    echo "lsof -t	$(max_rss lsof -nP -iTCP:"$port" -sTCP:LISTEN -t)"
    echo "portpid -n -a -j2 (C floor)	$(max_rss "$portpid" -n -a -j2 "$port")"
    echo "pbdeploy AOT, 1 service	$(max_rss "$pbdeploy" status --json --manifest "$work/one.json")"
    echo "pbdeploy AOT, 2 services	$(max_rss "$pbdeploy" status --json --manifest "$work/two.json")"
    echo "pbdeploy AOT, 20 services	$(max_rss "$pbdeploy" status --json --manifest "$work/twenty.json")"
    if [[ $use_jit == 1 ]]; then
        echo "pbdeploy JIT, 1 service	$(max_rss dotnet "$dll" status --json --manifest "$work/one.json")"
    fi
} >"$out_dir/status-n$n_proc-rss.tsv"

python3 - "$out_dir/status-n$n_proc.json" "$out_dir/status-n$n_proc-rss.tsv" "$n_proc" "$out_dir/status-n$n_proc-summary.md" <<'EOF'
import json, platform, subprocess, sys, datetime
results = json.load(open(sys.argv[1]))["results"]
rss = dict(line.rstrip("\n").split("\t") for line in open(sys.argv[2]) if line.strip())
n = sys.argv[3]
ss = next(r for r in results if r["command"].startswith("ss"))["median"]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
lines = [f"### {n} background processes",
         "",
         f"{datetime.date.today().isoformat()}, {platform.node()}, Linux {platform.release()}, "
         f"{subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores ({cpu})",
         "",
         "| command | median ms | mean ± σ ms | vs ss | max RSS KiB |",
         "| --- | ---: | ---: | ---: | ---: |"]
for r in results:
    lines.append(f"| {r['command']} | {r['median'] * 1000:.1f} | {r['mean'] * 1000:.1f} ± {r['stddev'] * 1000:.1f} "
                 f"| {r['median'] / ss:.2f} | {rss.get(r['command'], '?')} |")
open(sys.argv[4], "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
echo "== results in $out_dir/status-n$n_proc{.md,.json,-summary.md}" >&2
python3 "$bench_dir/scene.py" stop "$state" >&2 || die "the scene of $n_proc left survivors; stop them with: python3 $bench_dir/scene.py stop $state"
rm -f "$state"
}

for n_proc in "${n_procs[@]}"; do
    run_scene "$n_proc"
done

echo "== goals" >&2
python3 - "$out_dir" "$loads" "$use_version" "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')" "${n_procs[@]}" <<'EOF'
import datetime, json, os, platform, subprocess, sys
out, loads_file, use_version, commit, ns = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4], [int(n) for n in sys.argv[5:]]
loads = [l.rstrip("\n").split("\t") for l in open(loads_file) if l.strip()]
rows = []  # (goal, measured, limit, met, run)

def medians(path):
    return {r["command"]: r["median"] * 1000 for r in json.load(open(path))["results"]}

def rss(path):
    return {k: v for k, v in (l.rstrip("\n").split("\t", 1) for l in open(path) if l.strip())}

def ratio(goal, a, b, limit, run):
    rows.append((goal, f"{a:.1f} / {b:.1f} ms = **{a / b:.2f}x**", f"<= {limit}x", a / b <= limit, run))

rss_rows = []
if use_version:
    m = medians(f"{out}/version.json")
    ratio("`pbdeploy --version` vs a bare NativeAOT hello", m["pbdeploy --version"], m["hello (bare NativeAOT)"], 2.0, "version")
    r = rss(f"{out}/version-rss.tsv")
    rss_rows.append(("pbdeploy --version", int(r["pbdeploy --version"])))
    hello_ms = m["hello (bare NativeAOT)"]
    extra = [f"{k}: {v:.1f} ms ({v / hello_ms:.2f}x hello), max RSS {int(r[k]) / 1024:.1f} MB" for k, v in m.items()]
    extra.append("file sizes in bytes: " + r.get("sizes", ""))
for n in ns:
    m = medians(f"{out}/status-n{n}.json")
    one, twenty, ss, floor = m["pbdeploy AOT, 1 service"], m["pbdeploy AOT, 20 services"], m["ss -Hltnp"], m["portpid -n -a -j2 (C floor)"]
    ratio(f"status (1 service) vs `ss -Hltnp`, {n} processes", one, ss, 0.6 if n < 500 else 0.3, f"n{n}")
    if n >= 2000:
        ratio(f"status (1 service) vs the C floor `portpid -n -a -j2`, {n} processes", one, floor, 1.0, f"n{n}")
    else:
        rows.append((f"status (1 service) vs the C floor, {n} processes (goal at 2000 only)", f"{one:.1f} / {floor:.1f} ms = {one / floor:.2f}x", "-", None, f"n{n}"))
    ratio(f"20 services vs 1, {n} processes", twenty, one, 1.2, f"n{n}")
    for k, v in rss(f"{out}/status-n{n}-rss.tsv").items():
        if k.startswith("pbdeploy AOT"):
            rss_rows.append((f"{k}, {n} processes", int(v)))
if rss_rows:
    worst = max(rss_rows, key=lambda r: r[1])
    rows.append(("max RSS of the NativeAOT pbdeploy, the largest of its rows (median of 5 runs each)",
                 f"**{worst[1] / 1024:.1f} MB** ({worst[0]})", "<= 12 MB", worst[1] <= 12 * 1024, "rss"))

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
lines = ["# Start-up goals (issue 10)", "",
         f"{datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, commit {commit}, {platform.node()}, "
         f"Linux {platform.release()}, {os.cpu_count()} cores ({cpu}). Ratios of medians, each within one hyperfine run.", "",
         "| goal | measured | goal | met |", "| --- | --- | --- | --- |"]
for goal, measured, limit, met, run in rows:
    lines.append(f"| {goal} | {measured} | {limit} | {'-' if met is None else ('yes' if met else '**NO**')} |")
lines += ["", "Load average (1 min, from /proc/loadavg) around each hyperfine run: "
          + ", ".join(f"{k} {v}" for k, v in loads) + ". Other work on the machine inflates absolute times and compresses ratios."]
if use_version:
    lines += ["", "--version run: " + "; ".join(extra)]
text = "\n".join(lines) + "\n"
open(f"{out}/goals.md", "w").write(text)
print(text)
EOF
echo "== results in $out_dir: goals.md, version.{md,json}, status-nN{.md,.json,-summary.md}" >&2
