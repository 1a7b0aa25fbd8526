using System.Buffers.Text;

namespace PbDeploy.Processes.Linux;

/// <summary>Parses <c>/proc/PID/stat</c>: the command name may hold spaces and parentheses, so split after the LAST <c>)</c>.</summary>
internal static class ProcStat
{
    /// <summary>PF_KTHREAD: set on every kernel thread (kthreadd, kworker ...), never on a user process, in any PID namespace.</summary>
    private const uint KernelThreadFlag = 0x00200000;

    public static ProcessInfo? Parse(int pid, ReadOnlySpan<byte> line)
    {
        var close = line.LastIndexOf((byte)')');
        if (close < 0 || close + 2 >= line.Length)
        {
            return null;
        }

        var rest = line[(close + 2)..];
        var state = (char)rest[0];
        int ppid = 0, pgrp = 0, session = 0;
        ulong start = 0;
        uint flags = 0;
        var field = 3; // rest starts at field 3 (state)
        while (rest.Length > 0 && field <= 22)
        {
            var space = rest.IndexOf((byte)' ');
            var token = space < 0 ? rest : rest[..space];
            switch (field)
            {
                case 4: _ = Utf8Parser.TryParse(token, out ppid, out _); break;
                case 5: _ = Utf8Parser.TryParse(token, out pgrp, out _); break;
                case 6: _ = Utf8Parser.TryParse(token, out session, out _); break;
                case 9: _ = Utf8Parser.TryParse(token, out flags, out _); break;
                case 22: _ = Utf8Parser.TryParse(token, out start, out _); break;
                default: break;
            }

            field++;
            rest = space < 0 ? default : rest[(space + 1)..];
        }

        return field > 22
            ? new ProcessInfo(pid, ppid, pgrp, session, state, start) { IsKernelThread = (flags & KernelThreadFlag) != 0 }
            : null;
    }
}
